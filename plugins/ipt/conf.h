// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf.h - one jail of the iptables plugins, for one family, as configure()
 * makes it from the keys: what every operation of that jail reads.
 */
#ifndef NFBAN_IPT_CONF_H
#define NFBAN_IPT_CONF_H

#include "backend.h"
#include "nfban_plugin.h"
#include "values.h"

#pragma GCC visibility push(hidden)

struct ipt_rules;

struct ipt_kind {
	const struct nfban_key *keys;   /* the plugin's key table */
	/*
	 * Append to `out` the jump rules for one protocol of the jail, with
	 * their matches only: the caller sets `-p <proto>` and `-j f2b-<name>`
	 * on every rule added.  NFBAN_BADPARAM (reason set) when the
	 * parameters cannot be expressed, NFBAN_ERROR when out of memory.
	 */
	enum nfban_status (*jumps)(const struct value_proto *pr, struct ipt_rules *out,
				   struct nfban_report *r);
};

/*
 * The key table of an iptables plugin (stock iptables.conf's tags and defaults), in the
 * order the action files pass them (tools/check_actions): chain, then `port`, the row the
 * plugin gives (IPT_KEY_PORT, or IPT_KEY_PORT_UNUSED), then the keys every one has.
 */
#define IPT_KEYS(port) \
	{ "chain", NFBAN_KEY_XT_CHAIN, "INPUT", NULL, 0 }, \
	port, \
	{ "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH }, \
	/* The REJECT target's own default: icmp(6)-port-unreachable, as stock's. */ \
	{ "blocktype", NFBAN_KEY_XT_TARGET, "REJECT", NULL, 0 }, \
	{ "returntype", NFBAN_KEY_XT_TARGET, "RETURN", NULL, 0 }, \
	/* Legacy tables or nf_tables; auto: where `iptables` writes (backend.h). */ \
	{ "backend", NFBAN_KEY_CHOICE, "auto", "auto|legacy|nft", 0 }, \
	/* How long the legacy backend waits for the xtables lock (iptables -w N): well \
	 * under the 60 s after which Fail2ban kills an action. */ \
	{ "lock_wait", NFBAN_KEY_SECONDS, "20", NULL, 0 }
/* ... the port row of the plugins that match ports, */
#define IPT_KEY_PORT { "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH }
/* ... and of those that do not: stock iptables-allports has a port tag too, and ignores it. */
#define IPT_KEY_PORT_UNUSED { "port", NFBAN_KEY_UNUSED, NULL, NULL, 0 }

struct ipt_conf {
	const struct ipt_kind *kind;
	enum nfban_family family;
	char name[VALUE_JAIL_MAX];
	char jail[VALUE_XT_NAME_MAX];           /* f2b-<name> */
	char chain[VALUE_XT_NAME_MAX];          /* where the jumps go: INPUT, FORWARD... */
	struct value_xt_target block;           /* blocktype */
	struct value_xt_target ret;             /* returntype: end of f2b-<name> */
	enum ipt_backend backend;               /* as given: auto is resolved per operation */
	unsigned lock_wait;                     /* seconds */
	/* ipset plugins (their configure() sets it): the jumps match this set and
	 * end in blocktype, and there is no chain f2b-<name>.  "" otherwise. */
	char match_set[32];
	/* Last: 33 KiB, not cleared by ipt_configure (value_match_keys fills what is read). */
	struct value_protos protos;             /* ports resolved when the kind uses them */
};

/* configure() and release() of the plugin of `kind` (keys: kind->keys). */
enum nfban_status ipt_configure(const struct ipt_kind *kind, const struct nfban_jail_keys *k,
				void **jail, struct nfban_report *r);
void ipt_release(void *jail);

#pragma GCC visibility pop

#endif
