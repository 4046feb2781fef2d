// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rule.h - iptables rules as values, and their ipt_entry / ip6t_entry blobs.
 *
 * A struct ipt_rule says what a rule is (protocol, source, matches, target)
 * independently of the family; ipt_blob_encode() lays it out for libiptc the
 * way iptables does: the family's entry header, then each match and then the
 * target, every one XT_ALIGN'ed, all padding zeroed.  ipt_blob_same() is the
 * semantic comparison used to find a rule in a chain (unban, stop, check,
 * idempotent start and ban).
 */
#ifndef NFBAN_IPT_RULE_H
#define NFBAN_IPT_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfban_plugin.h"
#include "values.h"

#pragma GCC visibility push(hidden)

struct ipt_family;

#define IPT_NAME_MAX 29         /* XT_EXTENSION_MAXNAMELEN: extension and chain names */
#define IPT_DATA_MAX 320        /* largest payload built: struct xt_sctp_info (292) */
#define IPT_MATCHES_MAX 2

/* A match or a target: name, revision and payload (size unaligned). */
struct ipt_ext {
	char name[IPT_NAME_MAX];
	uint8_t revision;
	uint16_t size;
	_Alignas(8) unsigned char data[IPT_DATA_MAX];   /* readable as the kernel struct */
};

struct ipt_rule {
	bool has_proto;                 /* -p given (IPv6 then sets IP6T_F_PROTO) */
	uint8_t proto;                  /* 0 is `-p all` */
	bool has_src;
	struct nfban_addr src;          /* -s; bits beyond the prefix are ignored */
	unsigned n_matches;
	struct ipt_ext match[IPT_MATCHES_MAX];
	/* A standard target (ACCEPT, DROP, RETURN, or a jump: target.name is the
	 * chain) or a target extension such as REJECT. */
	bool standard;
	struct ipt_ext target;
};

/* A growing list of rules. */
struct ipt_rules {
	struct ipt_rule *v;
	size_t n, cap;
};

/* An encoded rule: the blob libiptc takes, and how to compare its target. */
struct ipt_blob {
	void *entry;
	size_t len;
	bool standard;
};

/* Append a zeroed rule; NULL (errno ENOMEM) when out of memory. */
struct ipt_rule *ipt_rules_add(struct ipt_rules *l);
void ipt_rules_free(struct ipt_rules *l);

void ipt_rule_set_proto(struct ipt_rule *r, uint8_t proto);
/* Add a match slot to r; NULL when r has IPT_MATCHES_MAX already. */
struct ipt_ext *ipt_rule_add_match(struct ipt_rule *r);

/* A standard target: "ACCEPT", "DROP", "RETURN" or a chain name.  -1 if too long. */
int ipt_target_standard(struct ipt_rule *r, const char *label);

/*
 * The target for a blocktype/returntype of family fam.  *jump is set to the
 * user chain jumped to (NULL otherwise) so the caller can check that it
 * exists.  REJECT tcp-reset is refused by the kernel unless the rule matches
 * -p tcp only: the rule then gets -p tcp (configure() allows tcp-reset only
 * when every protocol of the jail is tcp).  -1 with `why` when the target
 * cannot be expressed.
 */
int ipt_target_verdict(struct ipt_rule *r, enum nfban_family fam, const struct value_xt_target *v,
		       const char **jump, char *why, size_t n);

/*
 * `-m multiport --dports` (revision 1) with as many of ports[0..n) as fit in
 * its XT_MULTI_PORTS slots, a range taking two.  Returns how many entries of
 * `ports` it took (at least one when n > 0), 0 when n == 0.
 */
unsigned ipt_match_multiport(struct ipt_ext *m, const struct value_port_range *ports, unsigned n);

/* `-m <proto> --dport a[:b]` for tcp, udp, sctp, dccp; -1 for another protocol. */
int ipt_match_dport(struct ipt_ext *m, uint8_t proto, const struct value_port_range *port);

/* Lay r out for family f.  -1 with errno (ENOMEM, or E2BIG past 64 KiB). */
int ipt_blob_encode(const struct ipt_family *f, const struct ipt_rule *r, struct ipt_blob *b);
void ipt_blob_free(struct ipt_blob *b);

/*
 * Is `have` (an entry as libiptc returns it, whose target libiptc names
 * have_target: a verdict label, a chain, or an extension) the rule `want`?
 * Compared: the ip header fields, every match (name, revision, size, data)
 * in order, the target name, and for a target extension its revision, size
 * and data.  Counters, nfcache and comefrom are not.
 */
bool ipt_blob_same(const struct ipt_family *f, const void *have, const char *have_target,
		   const struct ipt_blob *want);

/*
 * The same rule: protocol (none and `-p all` alike), source (prefix and the
 * bits it covers), every match in order and the target (name, revision,
 * payload with its XT_ALIGN padding as zeros).
 */
bool ipt_rule_same(const struct ipt_rule *a, const struct ipt_rule *b);

#pragma GCC visibility pop

#endif
