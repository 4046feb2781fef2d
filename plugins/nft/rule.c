// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rule.c - one jail rule, expression by expression as nft 1.0.6 emits
 *   [meta l4proto, cmp eq P,] payload dport, <port match> (multiport)
 *   [meta l4proto, <protocol match>]                        (allports)
 *   [meta nfproto, cmp eq ipv4|ipv6]                        (inet tables only)
 *   payload saddr, lookup @addr[6]-set-<name>, <verdict>
 * Compared values are in network byte order (ports: htons), as payloads
 * load them; protocol and nfproto are single bytes.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/rule.h>

#include "nfnl/expr.h"
#include "jail.h"

#define REG NFT_REG_1

static int verdict(struct nftnl_rule *r, const struct nft_jail *j)
{
	const struct value_nft_verdict *v = &j->block;
	uint32_t type = NFT_REJECT_ICMP_UNREACH;
	uint8_t code = v->icmp_code;

	if (v->kind == VALUE_NFT_DROP)
		return nft_expr_verdict(r, NF_DROP, NULL);
	switch (v->reject) {
	case VALUE_NFT_REJECT_DEFAULT:
		/* What plain `reject` becomes once `ip[6] saddr` fixed the family. */
		code = j->addr_family == NFBAN_INET6 ? ICMPV6_PORT_UNREACH : ICMP_PORT_UNREACH;
		break;
	case VALUE_NFT_REJECT_ICMP:
	case VALUE_NFT_REJECT_ICMPV6:
		break;
	case VALUE_NFT_REJECT_ICMPX:
		type = NFT_REJECT_ICMPX_UNREACH;
		break;
	case VALUE_NFT_REJECT_TCP_RESET:
		type = NFT_REJECT_TCP_RST;
		code = 0;
		break;
	default:
		return -EINVAL;
	}
	return nft_expr_reject(r, type, code);
}

static int l4_match(struct nftnl_rule *r, const struct nft_rule_spec *rs, unsigned i)
{
	int rc = 0;

	if (rs->ports) {
		rc = nft_expr_meta(r, NFT_META_L4PROTO, REG);
		if (!rc)
			rc = nft_expr_cmp_u8(r, NFT_CMP_EQ, rs->l4proto, REG);
		if (!rc)   /* dport: bytes 2-3 of the tcp, udp, sctp and dccp headers */
			rc = nft_expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, REG);
		if (rc)
			return rc;
		switch (rs->match) {
		case NFT_MATCH_EQ:
			return nft_expr_cmp_be16(r, NFT_CMP_EQ, rs->lo, REG);
		case NFT_MATCH_RANGE:
			rc = nft_expr_cmp_be16(r, NFT_CMP_GTE, rs->lo, REG);
			return rc ? rc : nft_expr_cmp_be16(r, NFT_CMP_LTE, rs->hi, REG);
		case NFT_MATCH_SET:
		case NFT_MATCH_INTERVAL:
			return nft_expr_lookup(r, "__set%d", NFT_ANON_SET_ID(i), REG);
		default:
			return -EINVAL;
		}
	}
	switch (rs->match) {
	case NFT_MATCH_NONE:
		return 0;
	case NFT_MATCH_EQ:
		rc = nft_expr_meta(r, NFT_META_L4PROTO, REG);
		return rc ? rc : nft_expr_cmp_u8(r, NFT_CMP_EQ, (uint8_t)rs->lo, REG);
	case NFT_MATCH_SET:
		rc = nft_expr_meta(r, NFT_META_L4PROTO, REG);
		return rc ? rc : nft_expr_lookup(r, "__set%d", NFT_ANON_SET_ID(i), REG);
	default:
		return -EINVAL;
	}
}

int nft_build_rule(const struct nft_jail *j, unsigned i, struct nftnl_rule **out)
{
	struct nftnl_rule *r;
	bool v6 = j->addr_family == NFBAN_INET6;
	int rc;

	*out = NULL;
	if (i >= j->n_rules)
		return -EINVAL;
	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, j->table_family);
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, j->table) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, j->chain) < 0) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	rc = l4_match(r, &j->rules[i], i);
	if (!rc && j->table_family == NFPROTO_INET) {
		rc = nft_expr_meta(r, NFT_META_NFPROTO, REG);
		if (!rc)
			rc = nft_expr_cmp_u8(r, NFT_CMP_EQ, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4, REG);
	}
	if (!rc)   /* saddr: IPv4 header bytes 12-15, IPv6 header bytes 8-23 */
		rc = nft_expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4,
				     REG);
	if (!rc)
		rc = nft_expr_lookup(r, j->set, NFT_NAMED_SET_ID, REG);
	if (!rc)
		rc = verdict(r, j);
	if (rc) {
		nftnl_rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
