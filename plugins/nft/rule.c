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
#include <stdio.h> /* libnftnl/expr.h needs FILE */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "jail.h"

#define REG NFT_REG_1

static int push(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, REG);
	}
	return push(r, e);
}

static int cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, REG);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		if (nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len) < 0) {
			nftnl_expr_free(e);
			return -ENOMEM;
		}
	}
	return push(r, e);
}

static int cmp_u8(struct nftnl_rule *r, uint8_t v)
{
	return cmp(r, NFT_CMP_EQ, &v, sizeof(v));
}

static int cmp_port(struct nftnl_rule *r, uint32_t op, uint16_t port)
{
	uint16_t be = htons(port);

	return cmp(r, op, &be, sizeof(be));
}

static int payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, REG);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return push(r, e);
}

static int lookup(struct nftnl_rule *r, const char *set, uint32_t id)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, REG);
		if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set) < 0) {
			nftnl_expr_free(e);
			return -ENOMEM;
		}
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	}
	return push(r, e);
}

static int verdict(struct nftnl_rule *r, const struct nft_jail *j)
{
	const struct value_nft_verdict *v = &j->block;
	struct nftnl_expr *e;
	uint32_t type = NFT_REJECT_ICMP_UNREACH;
	uint8_t code = v->icmp_code;

	if (v->kind == VALUE_NFT_DROP) {
		e = nftnl_expr_alloc("immediate");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
		}
		return push(r, e);
	}
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
	e = nftnl_expr_alloc("reject");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
	}
	return push(r, e);
}

static int l4_match(struct nftnl_rule *r, const struct nft_rule_spec *rs, unsigned i)
{
	int rc = 0;

	if (rs->ports) {
		rc = meta(r, NFT_META_L4PROTO);
		if (!rc)
			rc = cmp_u8(r, rs->l4proto);
		if (!rc)   /* dport: bytes 2-3 of the tcp, udp, sctp and dccp headers */
			rc = payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
		if (rc)
			return rc;
		switch (rs->match) {
		case NFT_MATCH_EQ:
			return cmp_port(r, NFT_CMP_EQ, rs->lo);
		case NFT_MATCH_RANGE:
			rc = cmp_port(r, NFT_CMP_GTE, rs->lo);
			return rc ? rc : cmp_port(r, NFT_CMP_LTE, rs->hi);
		case NFT_MATCH_SET:
		case NFT_MATCH_INTERVAL:
			return lookup(r, "__set%d", NFT_ANON_SET_ID(i));
		default:
			return -EINVAL;
		}
	}
	switch (rs->match) {
	case NFT_MATCH_NONE:
		return 0;
	case NFT_MATCH_EQ:
		rc = meta(r, NFT_META_L4PROTO);
		return rc ? rc : cmp_u8(r, (uint8_t)rs->lo);
	case NFT_MATCH_SET:
		rc = meta(r, NFT_META_L4PROTO);
		return rc ? rc : lookup(r, "__set%d", NFT_ANON_SET_ID(i));
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
		rc = meta(r, NFT_META_NFPROTO);
		if (!rc)
			rc = cmp_u8(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	}
	if (!rc)   /* saddr: IPv4 header bytes 12-15, IPv6 header bytes 8-23 */
		rc = payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4);
	if (!rc)
		rc = lookup(r, j->set, NFT_NAMED_SET_ID);
	if (!rc)
		rc = verdict(r, j);
	if (rc) {
		nftnl_rule_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
