// SPDX-License-Identifier: GPL-2.0-or-later
/* text.c - see text.h. */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "values.h"

void text_trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

int text_copy(const char *s, const char *e, char *buf, size_t n)
{
	size_t len = (size_t)(e - s);

	if (len >= n)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int text_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int text_words(const char *text, char *buf, size_t bufsz, char **w, int max)
{
	int nw = 0;
	char *save = NULL, *tok;

	if (strlen(text) >= bufsz)
		return -1;
	strcpy(buf, text);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (nw == max)
			return -1;
		w[nw++] = tok;
	}
	return nw;
}

#define ECHO_MAX 60

/* Bytes a value's byte takes in an echo: itself, or \xNN. */
static size_t echo_width(unsigned char c)
{
	return isprint(c) && c != '\\' ? 1 : 4;
}

void text_echo(const char *value, char *buf, size_t n)
{
	const unsigned char *v = (const unsigned char *)value;
	size_t o = 0, len, width = 0;
	int cut;

	if (n == 0)
		return;
	for (len = 0; v[len] && len <= ECHO_MAX; len++)
		width += echo_width(v[len]);
	/* All of it when it fits; else what leaves room for the "..." that says so. */
	cut = len > ECHO_MAX || width >= n;
	for (size_t i = 0; i < len && i < ECHO_MAX; i++) {
		size_t w = echo_width(v[i]);

		if (o + w + (cut ? 3 : 0) >= n)
			break;
		if (w == 1)
			buf[o++] = (char)v[i];
		else
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", v[i]);
	}
	if (cut && o + 3 < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

void text_one_line(char *buf, size_t n)
{
	char out[1024];
	size_t o = 0;

	if (n == 0 || !strpbrk(buf, "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10"
				   "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"))
		return;
	for (const unsigned char *s = (const unsigned char *)buf; *s && o + 5 < sizeof(out); s++)
		if (*s < 0x20 || *s == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", *s);
		else
			out[o++] = (char)*s;
	out[o] = '\0';
	snprintf(buf, n, "%s", out);
}
