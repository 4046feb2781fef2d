// SPDX-License-Identifier: GPL-2.0-or-later
/* json.c - see json.h: recursive descent over the text, depth bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "json.h"

#define MAX_DEPTH 64

struct jp {
	const char *s;
	int depth;
	char *why;
	size_t n;
};

static int perr(struct jp *p, const char *what)
{
	if (p->why && p->why[0] == '\0')
		snprintf(p->why, p->n, "%s", what);
	return -1;
}

static void ws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static void put_utf8(char *out, size_t *len, unsigned c)
{
	if (c < 0x80) {
		out[(*len)++] = (char)c;
	} else if (c < 0x800) {
		out[(*len)++] = (char)(0xc0 | c >> 6);
		out[(*len)++] = (char)(0x80 | (c & 0x3f));
	} else {
		out[(*len)++] = (char)(0xe0 | c >> 12);
		out[(*len)++] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[(*len)++] = (char)(0x80 | (c & 0x3f));
	}
}

static int pstring(struct jp *p, char **out)
{
	const char *end = p->s + 1;
	size_t len = 0;
	char *b;

	while (*end && *end != '"')
		end += *end == '\\' && end[1] ? 2 : 1;
	if (*end != '"')
		return perr(p, "unterminated string");
	b = xrealloc(NULL, (size_t)(end - p->s) * 2 + 1);
	for (p->s++; *p->s != '"'; p->s++) {
		static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
		const char *e;
		unsigned c;

		if (*p->s != '\\') {
			b[len++] = *p->s;
			continue;
		}
		p->s++;
		if (*p->s == 'u' && sscanf(p->s + 1, "%4x", &c) == 1) {
			put_utf8(b, &len, c);
			p->s += 4;
		} else if ((e = strchr(esc, *p->s)) && (e - esc) % 2 == 0) {
			b[len++] = e[1];
		} else {
			free(b);
			return perr(p, "bad escape in a string");
		}
	}
	p->s++;
	b[len] = '\0';
	*out = b;
	return 0;
}

static int pvalue(struct jp *p, struct jv *v);

static int pcontainer(struct jp *p, struct jv *v, char close)
{
	size_t cap = 0;

	p->s++;
	ws(p);
	if (*p->s == close) {
		p->s++;
		return 0;
	}
	for (;;) {
		char *key = NULL;

		ws(p);
		if (close == '}') {
			if (*p->s != '"' || pstring(p, &key) < 0)
				return perr(p, "expected a key");
			ws(p);
			if (*p->s++ != ':') {
				free(key);
				return perr(p, "expected ':'");
			}
		}
		if (v->n == cap) {
			cap = cap ? cap * 2 : 4;
			v->kids = xrealloc(v->kids, cap * sizeof(*v->kids));
			if (close == '}')
				v->keys = xrealloc(v->keys, cap * sizeof(*v->keys));
		}
		if (close == '}')
			v->keys[v->n] = key;
		memset(&v->kids[v->n], 0, sizeof(*v->kids));
		v->n++;
		if (pvalue(p, &v->kids[v->n - 1]) < 0)
			return -1;
		ws(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s++ == close)
			return 0;
		return perr(p, "expected ',' or the end of a list");
	}
}

static int pvalue(struct jp *p, struct jv *v)
{
	char *end;
	int rc;

	ws(p);
	if (++p->depth > MAX_DEPTH)
		return perr(p, "nested too deeply");
	if (*p->s == '{' || *p->s == '[') {
		v->t = *p->s == '{' ? J_OBJ : J_ARR;
		rc = pcontainer(p, v, *p->s == '{' ? '}' : ']');
	} else if (*p->s == '"') {
		v->t = J_STR;
		rc = pstring(p, &v->str);
	} else if (strncmp(p->s, "true", 4) == 0 || strncmp(p->s, "false", 5) == 0) {
		v->t = J_BOOL;
		v->num = *p->s == 't';
		p->s += *p->s == 't' ? 4 : 5;
		rc = 0;
	} else if (strncmp(p->s, "null", 4) == 0) {
		v->t = J_NULL;
		p->s += 4;
		rc = 0;
	} else {
		v->t = J_NUM;
		v->num = strtod(p->s, &end);
		rc = end == p->s ? perr(p, "not a JSON value") : 0;
		p->s = end;
	}
	p->depth--;
	return rc;
}

static void jfree_kids(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jfree_kids(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
}

void json_free(struct jv *v)
{
	if (!v)
		return;
	jfree_kids(v);
	free(v);
}

struct jv *json_parse(const char *text, char *why, size_t n)
{
	struct jp p = { text, 0, why, n };
	struct jv *v = xrealloc(NULL, sizeof(*v));

	if (n)
		why[0] = '\0';
	memset(v, 0, sizeof(*v));
	if (pvalue(&p, v) < 0) {
		json_free(v);
		return NULL;
	}
	return v;
}

const struct jv *jget(const struct jv *o, const char *key)
{
	for (size_t i = 0; o && o->t == J_OBJ && i < o->n; i++)
		if (o->keys[i] && strcmp(o->keys[i], key) == 0)
			return &o->kids[i];
	return NULL;
}

const char *jstr(const struct jv *v)
{
	return v && v->t == J_STR ? v->str : NULL;
}

const char *jkey1(const struct jv *v)
{
	return v && v->t == J_OBJ && v->n == 1 ? v->keys[0] : NULL;
}
