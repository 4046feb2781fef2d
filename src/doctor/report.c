// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report.c - the findings: one line each (followed by the likely cause and the
 * commands to paste, when there are), or one JSON document; the exit status.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

struct fnd {
	enum sev sev;
	char *check, *jail, *backend, *family, *rule, *by, *ip, *todo, *message, *cause, *fix;
};

static struct fnd *all;
static size_t n_all;

static const char *const sev_name[] = { "ok", "warn", "unknown", "FAIL" };
#define N_SEV 4

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("nfban: doctor: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = xrealloc(NULL, n);
	memcpy(d, s, n);
	return d;
}

void finding(enum sev sev, const char *check, const struct where *w, const char *rule,
	     const char *by, const char *ip, const char *todo, const char *fmt, ...)
{
	struct fnd *f;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	all = xrealloc(all, (n_all + 1) * sizeof(*all));
	f = &all[n_all++];
	f->sev = sev;
	f->check = xstrdup(check);
	f->jail = xstrdup(w ? w->jail : NULL);
	f->backend = xstrdup(w ? w->backend : NULL);
	f->family = xstrdup(w ? w->family : NULL);
	f->rule = xstrdup(rule);
	f->by = xstrdup(by);
	f->ip = xstrdup(ip);
	f->todo = sev == SEV_OK ? NULL : xstrdup(todo);
	f->message = xstrdup(msg);
	f->cause = f->fix = NULL;
}

/* The last finding's cause or fix, set from a format. */
__attribute__((format(printf, 2, 0))) static void amend(char **slot, const char *fmt, va_list ap)
{
	char buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	free(*slot);
	*slot = xstrdup(buf);
}

void finding_fix(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt), amend(&all[n_all - 1].fix, fmt, ap), va_end(ap);
}

void finding_cause(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt), amend(&all[n_all - 1].cause, fmt, ap), va_end(ap);
}

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_finding(const struct fnd *f)
{
	/* The fields in the order nfban(8) documents them. */
	const struct { const char *name, *value; } field[] = {
		{ "severity", sev_name[f->sev] }, { "check", f->check },
		{ "jail", f->jail }, { "backend", f->backend },
		{ "family", f->family }, { "ip", f->ip }, { "rule", f->rule },
		{ "by", f->by }, { "message", f->message }, { "cause", f->cause },
		{ "todo", f->todo }, { "fix", f->fix },
	};

	putchar('{');
	for (size_t k = 0; k < sizeof(field) / sizeof(field[0]); k++) {
		printf("%s\"%s\": ", k ? ", " : "", field[k].name);
		json_str(field[k].value);
	}
	putchar('}');
}

static void json_print(int status, const unsigned count[N_SEV])
{
	printf("{\"doctor\": 1, \"version\": ");
	json_str(NFBAN_VERSION);
	printf(", \"status\": %d, \"counts\": {\"ok\": %u, \"warn\": %u, \"unknown\": %u, "
	       "\"FAIL\": %u},\n \"findings\": [", status, count[0], count[1], count[2], count[3]);
	for (size_t i = 0; i < n_all; i++) {
		printf("%s\n  ", i ? "," : "");
		json_finding(&all[i]);
	}
	printf("\n ]}\n");
}

static void text_finding(const struct fnd *f)
{
	printf("%-4s %s", sev_name[f->sev], f->check);
	if (f->jail)
		printf(" [%s", f->jail);
	if (f->backend || f->family)
		printf("%s%s%s%s", f->jail ? " " : " [", f->backend ? f->backend : "",
		       f->backend && f->family ? "/" : "", f->family ? f->family : "");
	if (f->jail || f->backend || f->family)
		putchar(']');
	printf(": %s", f->message);
	if (f->todo)
		printf(" -- do: %s", f->todo);
	putchar('\n');
	if (f->cause)
		printf("     likely cause: %s\n", f->cause);
	/* One command a line, "$ " first: what a user pastes. */
	for (const char *p = f->fix; p && *p;) {
		size_t len = strcspn(p, "\n");

		printf("     $ %.*s\n", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

int findings_print(int json)
{
	unsigned count[N_SEV] = { 0 };
	int status;

	for (size_t i = 0; i < n_all; i++)
		count[all[i].sev]++;
	status = count[SEV_FAIL] ? 1 : count[SEV_UNKNOWN] ? 3 : 0;
	if (json) {
		json_print(status, count);
		return status;
	}
	for (size_t i = 0; i < n_all; i++)
		text_finding(&all[i]);
	printf("%u ok, %u warn, %u unknown, %u FAIL\n", count[0], count[1], count[2], count[3]);
	return status;
}
