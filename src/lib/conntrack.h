// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conntrack.h - kill_sessions: after a ban, the connection tracking entries
 * of the banned source on the jail's protocols and ports are deleted, so an
 * ESTABLISHED accept before the jail's jump no longer lets an open session
 * of the banned address through.
 *
 * libnfban's own key (kill_sessions=jail|none, default jail), not a plugin's:
 * every plugin's ban gets it, and no plugin keeps a socket for it.  The
 * jail's traffic comes from the primary plugin's key table: its key of type
 * NFBAN_KEY_PROTOCOLS and, unless it bans every port (no NFBAN_KEY_PORTS key,
 * or type=allports), its key of type NFBAN_KEY_PORTS.
 */
#ifndef NFBAN_LIB_CONNTRACK_H
#define NFBAN_LIB_CONNTRACK_H

#include "nfban.h"
#include "nfban_plugin.h"
#include "values.h"

#pragma GCC visibility push(hidden)

/* Which entries a ban ends: the jail's protocols, each with its ports (none: every port). */
struct ct_match {
	bool all_ports;
	/* The namespace's nf_conntrack_count, kept open: a ban reads it with one pread. */
	bool count_open;
	int count_fd;
	/* Last: 33 KiB, never zeroed whole (9 pages a process would fault in for nothing). */
	struct value_protos protos;     /* a protocol numbered 0 ("all"): every protocol */
};

/*
 * The match of a jail from its primary plugin's keys and values (defaults
 * applied).  0; 1 when the table names no protocol (nothing to match: no
 * kill); -1 with res filled (BAD_INPUT, the key named) when the values do
 * not parse.
 */
int ct_match_init(struct ct_match *m, const struct nfban_key *keys, const char *const values[],
		  struct nfban_result *res);
/* What ct_match_init kept open (a zeroed m: nothing). */
void ct_match_free(struct ct_match *m);

/*
 * Delete the entries whose original source is inside `a` and whose protocol
 * and original destination port are m's.  Nothing to delete (or no
 * connection tracking in this network namespace) is success.  Returns the
 * number of entries deleted, or -1 with errno and `what` naming the step.
 */
int ct_kill(const struct ct_match *m, const struct nfban_addr *a, const char **what);
/* True when the namespace's connection tracking table is empty or absent (ct_kill: nothing to do). */
bool ct_nothing_tracked(const struct ct_match *m);

#pragma GCC visibility pop

#endif
