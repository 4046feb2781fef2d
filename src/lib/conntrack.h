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

/*
 * Which entries a ban ends: the jail's protocols, each with its ports (none:
 * every port).  What only a kill needs is made ready by the first ban that
 * needs it, under the handle's lock (ct_ready): a start, a stop or an unban
 * reads neither /etc/services nor the count, and a ban with nothing tracked
 * resolves no service name.
 */
struct ct_match {
	bool all_ports;
	/* The namespace's nf_conntrack_count, kept open from the first ban: one pread a ban. */
	bool count_tried;
	bool count_open;
	int count_fd;
	/* port= (the handle's copy of the text), parsed into protos at the first kill. */
	const char *ports;
	bool ports_parsed;
	/* Last: 33 KiB, never zeroed whole (9 pages a process would fault in for nothing). */
	struct value_protos protos;     /* a protocol numbered 0 ("all"): every protocol */
};

/*
 * The match of a jail from its primary plugin's keys and values (defaults
 * applied; `values` live as long as m).  0; 1 when the table names no
 * protocol (nothing to match: no kill); -1 with res filled (BAD_INPUT, the
 * key named) when the protocols do not parse or one has no ports (the ports'
 * own syntax is the key table's, checked before).
 */
int ct_match_init(struct ct_match *m, const struct nfban_key *keys, const char *const values[],
		  struct nfban_result *res);
/* What ct_match_init and ct_ready kept open (a zeroed m: nothing). */
void ct_match_free(struct ct_match *m);

/*
 * Under the handle's lock, right after a ban: 1 when there is something to
 * end (the count is not 0) and m is ready for ct_kill (its ports parsed,
 * never written again); 0 when the namespace tracks nothing, or has no
 * connection tracking; -1 (EINVAL) when port= no longer parses (the key
 * table's check accepted it at open: /etc/services changed since).
 */
int ct_ready(struct ct_match *m);
/*
 * Delete the entries whose original source is inside one of the n addresses
 * `a` (all of one family) and whose protocol and original destination port
 * are m's, in one walk of the table (after ct_ready said 1; outside the
 * handle's lock: a walk takes milliseconds).  Returns the number of entries
 * deleted, or -1 with errno and `what` naming the step.
 */
int ct_kill(const struct ct_match *m, const struct nfban_addr *a, unsigned n, const char **what);
/* Under the handle's lock: true when the namespace's connection tracking table is empty or
 * absent (a ban would have nothing to end). */
bool ct_nothing_tracked(struct ct_match *m);

#pragma GCC visibility pop

#endif
