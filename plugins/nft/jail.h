// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.h - what one jail and family looks like in nf_tables, and the
 * libnftnl objects that say so.
 *
 * struct nft_jail is computed once from struct nft_spec (jail.c) and is
 * the only input of the builders: the table, the base chain, the jail's
 * named set, and per rule an optional anonymous set plus the rule itself.
 * Every object is what `nft` 1.0.6 sends for Fail2ban's stock commands, down
 * to the set userdata, so `nft list ruleset` cannot tell the two apart.
 */
#ifndef NFT_JAIL_H
#define NFT_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfban_plugin.h"
#include "values.h"

struct nftnl_table;
struct nftnl_chain;
struct nftnl_set;
struct nftnl_rule;
struct nlmsghdr;

#pragma GCC visibility push(hidden)

/* nft's datatype numbers (src/datatype.h), kept in sets' NFTA_SET_KEY_TYPE. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IP6ADDR 8
#define NFT_TYPE_INET_PROTOCOL 12
#define NFT_TYPE_INET_SERVICE 13

/* Set IDs inside one batch: the named set, then one per anonymous set. */
#define NFT_NAMED_SET_ID 1u
#define NFT_ANON_SET_ID(rule) (2u + (rule))

/* The set elements of one anonymous set: a key and the interval-end flag. */
struct nft_elem {
	uint16_t key;                   /* port (host order) or protocol number */
	bool end;                       /* NFT_SET_ELEM_INTERVAL_END */
	bool open;                      /* last interval runs to 65535: no end element */
};

/* How a rule matches ports (multiport) or protocols (allports). */
enum nft_match {
	NFT_MATCH_NONE,                 /* allports with protocol=all: no l4 match */
	NFT_MATCH_EQ,                   /* one value: cmp eq */
	NFT_MATCH_RANGE,                /* one range a-b: cmp gte a, cmp lte b */
	NFT_MATCH_SET,                  /* an anonymous set of single values */
	NFT_MATCH_INTERVAL,             /* an anonymous interval set */
};

#define NFT_MAX_ELEMS (2 * VALUE_MAX_PORTS + 1)

struct nft_rule_spec {
	uint8_t l4proto;                /* multiport: the protocol; allports: unused */
	bool ports;                     /* true: `<proto> dport ...`; false: `meta l4proto ...` */
	enum nft_match match;
	uint16_t lo, hi;                /* EQ (lo), RANGE (lo-hi) */
	char what[48];                  /* "tcp" or "l4proto tcp,udp": for reports */
	unsigned n_elems;               /* SET, INTERVAL */
	/* Last, and never zeroed whole: 12 KiB, of which a rule uses n_elems (a process
	 * that wrote them all would fault in 3 pages a rule, 24 a jail, for nothing). */
	struct nft_elem elems[NFT_MAX_ELEMS];
};

/* What a jail is made of: the plugin's keys, parsed (conf.c). */
struct nft_spec {
	const char *name;               /* the jail */
	enum nfban_family addr_family;  /* the addresses it holds */
	bool allports;                  /* type=allports: match protocols, not ports */
	const char *table, *chain, *chain_type;
	uint8_t table_family;           /* NFPROTO_INET, _IPV4, _IPV6 */
	uint32_t hook;                  /* NF_INET_LOCAL_IN ... */
	int32_t prio;
	struct value_nft_verdict block;
	/* Last: 33 KiB, never zeroed whole (a process would fault in 9 pages for nothing). */
	struct value_protos protos;     /* ports resolved unless allports */
};

struct nft_jail {
	uint8_t table_family;           /* NFPROTO_INET, _IPV4, _IPV6 */
	enum nfban_family addr_family;  /* the addresses of this jail's set */
	const char *table, *chain, *chain_type;
	uint32_t hook;
	int32_t prio;
	char set[VALUE_NFT_NAME_MAX];   /* addr-set-<name> or addr6-set-<name> */
	char label[VALUE_NFT_NAME_MAX + 16];   /* "inet table f2b-table", for messages */
	/* "add element to set inet f2b-table addr-set-sshd", "delete element from ...": what a
	 * failed ban's or unban's message is named by, made once (nft_msg_addr) */
	char elem_what[2][NFBAN_MSG_MAX];
	struct value_nft_verdict block;
	unsigned n_rules;
	struct nft_rule_spec rules[VALUE_MAX_PROTOS];   /* last: n_rules of them set */
};

/* "inet", "ip", "ip6" */
const char *nft_family_name(uint8_t family);

/*
 * Fill j from s (j points into s: s must outlive j).  Returns 0, or with why
 * set when the jail cannot be expressed (NFBAN_BADPARAM: nothing is sent
 * then) what is at fault: the table family, the verdict, or anything else (-1).
 */
#define NFT_JAIL_BAD_VERDICT (-2)
#define NFT_JAIL_BAD_TABLE_FAMILY (-3)
int nft_jail_init(struct nft_jail *j, const struct nft_spec *s, char *why, size_t n);

/* Normalise a port list as nft does for `{ a, b-c, ... }` (exported for tests). */
int nft_ports_match(struct nft_rule_spec *rs, const struct value_port_range *ports, unsigned n,
		    char *why, size_t whylen);

/*
 * Builders.  Each returns 0 and a new object in *out (the caller frees it),
 * or -ENOMEM / -EINVAL; they never touch the kernel.
 */
int nft_build_table(const struct nft_jail *j, struct nftnl_table **out);
int nft_build_chain(const struct nft_jail *j, struct nftnl_chain **out);
/* The jail's named set, without elements. */
int nft_build_set(const struct nft_jail *j, struct nftnl_set **out);
/* The named set with no elements: what a flush sends. */
int nft_build_set_ref(const struct nft_jail *j, struct nftnl_set **out);
/* Rule i's anonymous set, with its elements; *out stays NULL when the rule needs none. */
int nft_build_anon_set(const struct nft_jail *j, unsigned i, struct nftnl_set **out);
int nft_build_rule(const struct nft_jail *j, unsigned i, struct nftnl_rule **out);
/*
 * The payload of a ban's or unban's message (NEWSETELEM, DELSETELEM) into
 * nlh, whose header is written: the named set holding the n addresses a[]
 * (n <= NFBAN_PLUGIN_BANS_MAX).  0, -EINVAL for an address of the other family
 * (nothing written then), -EMSGSIZE for too many.
 */
int nft_put_addr_elems(struct nlmsghdr *nlh, const struct nft_jail *j,
		       const struct nfban_addr *a, unsigned n);

#pragma GCC visibility pop

#endif /* NFT_JAIL_H */
