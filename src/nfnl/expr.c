// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * expr.c - one libnftnl expression per call, appended to a rule (see
 * expr.h): the builders the nftables plugin (plugins/nft/rule.c) and the
 * iptables plugins' nf_tables backend (plugins/ipt/nft_rule.c) share.
 * libnftnl serialises an expression's attributes in its own order, whatever
 * the order they were set in: only which attributes are set, and their
 * values, reach the kernel.
 */
#include <arpa/inet.h> /* htons */
#include <errno.h>
#include <stdio.h> /* libnftnl/expr.h needs FILE */
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "expr.h"

/* e complete: onto r.  NULL (a failed allocation): -ENOMEM. */
static int push(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

/* e half built when a setter failed: freed, -ENOMEM. */
static int drop(struct nftnl_expr *e)
{
	nftnl_expr_free(e);
	return -ENOMEM;
}

int nft_expr_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
	return push(r, e);
}

int nft_expr_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		     uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
	return push(r, e);
}

int nft_expr_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len, uint32_t sreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		if (nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len) < 0)
			return drop(e);
	}
	return push(r, e);
}

int nft_expr_cmp_u8(struct nftnl_rule *r, uint32_t op, uint8_t v, uint32_t sreg)
{
	return nft_expr_cmp(r, op, &v, sizeof(v), sreg);
}

int nft_expr_cmp_be16(struct nftnl_rule *r, uint32_t op, uint16_t v, uint32_t sreg)
{
	uint16_t be = htons(v);

	return nft_expr_cmp(r, op, &be, sizeof(be), sreg);
}

int nft_expr_bitwise(struct nftnl_rule *r, const void *mask, const void *xor, uint32_t len,
		     uint32_t sreg, uint32_t dreg)
{
	static const uint8_t zero[NFT_REG_SIZE];
	struct nftnl_expr *e;

	if (!xor && len > sizeof(zero))
		return -EINVAL;
	e = nftnl_expr_alloc("bitwise");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, sreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, dreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		if (nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len) < 0 ||
		    nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor ? xor : zero, len) < 0)
			return drop(e);
	}
	return push(r, e);
}

int nft_expr_range(struct nftnl_rule *r, uint32_t op, const void *from, const void *to,
		   uint32_t len, uint32_t sreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("range");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, sreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
		if (nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, from, len) < 0 ||
		    nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, to, len) < 0)
			return drop(e);
	}
	return push(r, e);
}

int nft_expr_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id, uint32_t sreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
		if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set) < 0)
			return drop(e);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	}
	return push(r, e);
}

int nft_expr_verdict(struct nftnl_rule *r, uint32_t verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, verdict);
		if (chain && nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain) < 0)
			return drop(e);
	}
	return push(r, e);
}

int nft_expr_reject(struct nftnl_rule *r, uint32_t type, uint8_t code)
{
	struct nftnl_expr *e = nftnl_expr_alloc("reject");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
	}
	return push(r, e);
}

int nft_expr_counter(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");

	if (e) {
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	}
	return push(r, e);
}

int nft_expr_compat(struct nftnl_rule *r, bool target, const char *name, uint32_t rev,
		    const void *data, size_t size, size_t len)
{
	struct nftnl_expr *e;
	void *info;

	if (size > len || len > UINT32_MAX)
		return -EINVAL;
	e = nftnl_expr_alloc(target ? "target" : "match");
	if (!e)
		return -ENOMEM;
	/* libnftnl keeps (and frees) the info buffer it is given. */
	info = calloc(1, len ? len : 1);
	if (!info)
		return drop(e);
	if (size)
		memcpy(info, data, size);
	if (nftnl_expr_set_str(e, target ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME, name) < 0) {
		free(info);
		return drop(e);
	}
	nftnl_expr_set_u32(e, target ? NFTNL_EXPR_TG_REV : NFTNL_EXPR_MT_REV, rev);
	if (nftnl_expr_set(e, target ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO, info,
			   (uint32_t)len) < 0) {
		free(info);
		return drop(e);
	}
	return push(r, e);
}
