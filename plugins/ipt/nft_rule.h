// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_rule.h - a struct ipt_rule as the nf_tables rule a given iptables-nft
 * release makes of the same iptables rule, a rule read back from the kernel
 * as a struct ipt_rule, and rules compared by what they match.
 *
 * iptables-nft translates what it can into native expressions and keeps
 * the rest as xt compat expressions (nft_compat), in this order:
 *   -p <proto>         release-dependent (nft_release.h): meta load l4proto,
 *                      or IPv4's payload load 1b @ network header + 9;
 *                      cmp eq (1 byte).  Before -s (1.8.9) or after (1.8.10+)
 *   -s <addr>/<plen>   payload load of the bytes the prefix covers; cmp eq
 *                      (a prefix ending inside a byte: the whole address,
 *                      bitwise mask, cmp eq; /0: nothing)
 *   -m tcp/udp         native when a port is restricted: payload load 2b at
 *                      transport header + 0 (sport) / + 2 (dport); cmp eq
 *                      for one port, cmp lte for 0:<hi>, range eq otherwise;
 *                      with no port restricted, the compat match
 *   -m <other>         compat match: name, revision, the xt payload padded
 *                      to XT_ALIGN (multiport, sctp, dccp)
 *   (always)           counter 0 0
 *   -j ACCEPT/DROP/RETURN/<chain>   immediate verdict (jump for a chain)
 *   -j <extension>     compat target (REJECT), payload padded like a match
 * and sets the rule's compat attributes (NFTA_RULE_COMPAT: -p's protocol,
 * flags 0), which nft_compat hands to the extensions' checkentry (multiport
 * and REJECT tcp-reset insist on the protocol).
 *
 * Reading goes the other way for every release's forms (iptables' own
 * nft-ruleparse does the same): -p from meta l4proto or the header's
 * protocol byte, -s from a load of the source with or without a mask, native
 * ports back into the xt_tcp/xt_udp match they stand for, in any order of
 * -s and -p.  So a rule stock iptables-nft 1.8.9, 1.8.10 or 1.8.11 wrote,
 * or iptables-restore restored, is the same rule to nfban as its own.
 */
#ifndef NFBAN_IPT_NFT_RULE_H
#define NFBAN_IPT_NFT_RULE_H

#include <stdbool.h>

#include "nfban_plugin.h"
#include "nft_release.h"
#include "rule.h"

#pragma GCC visibility push(hidden)

struct nftnl_rule;

/* A new rule holding r's expressions as rel writes them (family set, no
 * table or chain yet); NULL with errno. */
struct nftnl_rule *ipt_nft_rule_build(const struct ipt_nft_release *rel, const struct ipt_rule *r,
				      enum nfban_family family);

/*
 * The iptables rule nr (a rule of table ip/ip6 filter of family `family`)
 * is, into *out; -1 when it holds anything the iptables plugins never write
 * (interfaces, inversions, goto, sets, more than IPT_MATCHES_MAX matches...):
 * such a rule is none of nfban's.
 */
int ipt_nft_rule_parse(const struct nftnl_rule *nr, enum nfban_family family, struct ipt_rule *out);

/* Is `have` (as the kernel dumped it) the rule `want`?  Counters aside. */
bool ipt_nft_rule_is(const struct nftnl_rule *have, const struct ipt_rule *want,
		     enum nfban_family family);

#pragma GCC visibility pop

#endif
