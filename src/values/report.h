// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report.h - the fillers of struct nfban_report, written once for every
 * plugin (and the value parsers' refusals).  Each returns the status the
 * caller returns; texts are cut at the report's size.
 */
#ifndef NFBAN_VALUES_REPORT_H
#define NFBAN_VALUES_REPORT_H

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

/* reason (printf) and kernel_errno err (0: none); returns st. */
__attribute__((format(printf, 4, 5)))
enum nfban_status report_fail(struct nfban_report *r, enum nfban_status st, int err,
			      const char *fmt, ...);

/* NFBAN_BADPARAM with reason "key='value': why" (the value echoed as messages do). */
__attribute__((format(printf, 4, 5)))
enum nfban_status report_refuse(struct nfban_report *r, const char *key, const char *value,
				const char *fmt, ...);

/* NFBAN_ERROR, kernel_errno ENOMEM, reason `what` ("building the rules"). */
enum nfban_status report_nomem(struct nfban_report *r, const char *what);

/*
 * run()'s address count against what the plugin takes (groups: it has NFBAN_PLUGIN_BANS):
 * NFBAN_OK for one or none, and for a ban of 2 to NFBAN_PLUGIN_BANS_MAX where it takes groups;
 * NFBAN_BADPARAM otherwise (libnfban passes no other).
 */
enum nfban_status report_count(struct nfban_report *r, enum nfban_op op, unsigned n, bool groups);

/* A remark on a successful operation ("1.2.3.4 was not banned"). */
__attribute__((format(printf, 2, 3)))
void report_notice(struct nfban_report *r, const char *fmt, ...);

#pragma GCC visibility pop

#endif
