// SPDX-License-Identifier: GPL-2.0-or-later
/* result.c - see result.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "result.h"
#include "text.h"

int result_fail(struct nfban_result *res, int status, const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	return status;
}

int result_bad_key(struct nfban_result *res, const char *key, size_t keylen, const char *value,
		   const char *why)
{
	char kbuf[TEXT_ECHO_WORD], kecho[2 * TEXT_ECHO_WORD], echo[256];

	/* An unknown key is the host's text: it must not crowd why out of the line. */
	snprintf(kbuf, sizeof(kbuf), "%.*s", (int)keylen, key);
	text_echo(kbuf, kecho, sizeof(kecho));
	text_echo(value, echo, sizeof(echo));
	return result_fail(res, NFBAN_BAD_INPUT, "%s='%s': %s", kecho, echo, why);
}

void result_notice(struct nfban_result *res, const char *fmt, ...)
{
	size_t len = strlen(res->notice);
	va_list ap;

	if (len && len + 2 < sizeof(res->notice)) {
		memcpy(res->notice + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(res->notice + len, sizeof(res->notice) - len, fmt, ap);
	va_end(ap);
}
