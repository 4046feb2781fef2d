// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.h - the one thing libnfban writes itself: a fallback announcement to
 * syslog, for administrators who do not read Fail2ban's log.  Everything
 * else goes back to the host in struct nfban_result.
 */
#ifndef NFBAN_LIB_LOG_H
#define NFBAN_LIB_LOG_H

#pragma GCC visibility push(hidden)

#include "nfban_plugin.h"

/* To syslog; without /dev/log (syslog() would drop it) kept beside the
 * jail's state instead (state_note), where nfban doctor reads it. */
void log_announce(const char *jail, enum nfban_family fam, const char *line);

#pragma GCC visibility pop

#endif
