// SPDX-License-Identifier: GPL-2.0-or-later
/* report.c - see report.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "report.h"
#include "text.h"

enum nfban_status report_fail(struct nfban_report *r, enum nfban_status st, int err,
			      const char *fmt, ...)
{
	va_list ap;

	r->kernel_errno = err;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return st;
}

enum nfban_status report_refuse(struct nfban_report *r, const char *key, const char *value,
				const char *fmt, ...)
{
	char why[NFBAN_MSG_MAX], echo[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	text_echo(value ? value : "", echo, sizeof(echo));
	/* Cut where the report ends: the reason is in `why`, after a short echo. */
	if (snprintf(r->reason, sizeof(r->reason), "%s='%s': %s", key, echo, why) >= (int)sizeof(r->reason))
		r->reason[sizeof(r->reason) - 1] = '\0';
	return NFBAN_BADPARAM;
}

enum nfban_status report_nomem(struct nfban_report *r, const char *what)
{
	return report_fail(r, NFBAN_ERROR, ENOMEM, "%s", what);
}

enum nfban_status report_count(struct nfban_report *r, enum nfban_op op, unsigned n, bool groups)
{
	if (n <= 1 || (groups && op == NFBAN_OP_BAN && n <= NFBAN_PLUGIN_BANS_MAX))
		return NFBAN_OK;
	if (groups)
		return report_fail(r, NFBAN_BADPARAM, 0, "a group of %u addresses (a ban of 2 to %u)",
				   n, NFBAN_PLUGIN_BANS_MAX);
	return report_fail(r, NFBAN_BADPARAM, 0, "a group of %u addresses: one at a time", n);
}

void report_notice(struct nfban_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->notice, sizeof(r->notice), fmt, ap);
	va_end(ap);
}
