// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.h - Fail2ban's iptables-ipset-proto6 and -allports: the ipset plugins'
 * operations, shared by plugins/ipset.c and plugins/ipset-allports.c.
 *
 * A jail is a set f2b-<name> (f2b-<name>6 for IPv6), `hash:ip timeout
 * <default-ipsettime> maxelem <maxelem> [family inet6]`, holding the bans,
 * and the jump rules of plugins/ipt at the top of <chain>, each matching
 * `-m set --match-set <set> src` and ending in blocktype (no chain of its
 * own).  Bans and unbans touch only the set: one ipset message each.
 */
#ifndef NFBAN_IPSET_JAIL_H
#define NFBAN_IPSET_JAIL_H

#include <stdint.h>

#include "ipt/jail.h"
#include "nfban_plugin.h"
#include "set.h"

#pragma GCC visibility push(hidden)

/* The keys of stock iptables-ipset.conf besides iptables.conf's (Fail2ban 1.1.0's maxelem). */
#define IPSET_KEYS \
	/* Seconds a ban lasts in the set (0: until unbanned), and the set's own \
	 * default, which stock's `add ... timeout <ipsettime>` always overrides. */ \
	{ "ipsettime", NFBAN_KEY_IPSET_SECONDS, "0", NULL, 0 }, \
	{ "default-ipsettime", NFBAN_KEY_IPSET_SECONDS, "0", NULL, 0 }, \
	{ "maxelem", NFBAN_KEY_COUNT, "65536", NULL, 0 }

/* What configure() makes of a jail, for one family. */
struct ipj_jail {
	void *ipt;                      /* struct ipt_conf, its match_set = spec.name */
	struct ipc_spec spec;           /* f2b-<name>[6], default-ipsettime, maxelem */
	uint32_t ipsettime;
};

/* configure() for the plugin of `kind` (kind->keys holds IPSET_KEYS). */
enum nfban_status ipj_configure(const struct ipt_kind *kind, const struct nfban_jail_keys *k,
				  void **jail, struct nfban_report *r);
void ipj_release(void *jail);

enum nfban_status ipj_open(void **inst, struct nfban_report *r);
void ipj_close(void *inst);
/* The descriptor's run() (no NFBAN_OP_START_BAN: the set and the jumps are two subsystems,
 * never one transaction; libnfban runs start, then ban). */
enum nfban_status ipj_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
			  const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r);

/* The descriptor's operations, the same in both plugins. */
#define IPSET_PLUGIN_OPS \
	.flags = NFBAN_PLUGIN_SERIAL | NFBAN_PLUGIN_NOWAIT | NFBAN_PLUGIN_BANS, \
	.open = ipj_open, \
	.close = ipj_close, \
	.release = ipj_release, \
	.run = ipj_run

#pragma GCC visibility pop

#endif
