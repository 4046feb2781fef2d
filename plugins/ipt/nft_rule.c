// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_rule.c - struct ipt_rule to the expressions iptables-nft 1.8.9 uses
 * (see nft_rule.h), and rules compared by content.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nft_rule.h"

static struct nftnl_expr *add(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e)
		nftnl_rule_add_expr(r, e);
	return e;
}

static int add_meta_l4proto(struct nftnl_rule *r)
{
	struct nftnl_expr *e = add(r, "meta");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return 0;
}

static int add_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = add(r, "payload");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return 0;
}

static int add_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = add(r, "cmp");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return 0;
}

static int add_bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = add(r, "bitwise");

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	return 0;
}

static int add_range(struct nftnl_rule *r, uint16_t lo, uint16_t hi)
{
	struct nftnl_expr *e = add(r, "range");
	uint16_t from = htons(lo), to = htons(hi);

	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &from, sizeof(from));
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &to, sizeof(to));
	return 0;
}

/* -s: add_addr() of iptables-nft, on the address with its host bits cleared. */
static int add_src(struct nftnl_rule *r, const struct nfban_addr *a, enum nfban_family family)
{
	unsigned len = family == NFBAN_INET6 ? 16 : 4;
	unsigned bits = a->prefix > len * 8 ? len * 8 : a->prefix;
	uint32_t offset = family == NFBAN_INET6 ? 8 : 12;   /* ip6 saddr, ip saddr */
	uint8_t mask[16], addr[16];

	if (bits == 0)
		return 0;
	for (unsigned i = 0; i < len; i++) {
		unsigned in = bits > i * 8 ? bits - i * 8 : 0;

		mask[i] = in >= 8 ? 0xff : (uint8_t)(0xff00u >> in);
		addr[i] = a->u.bytes[i] & mask[i];
	}
	if (bits % 8 == 0) {
		if (add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, bits / 8) < 0)
			return -1;
		return add_cmp(r, NFT_CMP_EQ, addr, bits / 8);
	}
	if (add_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, len) < 0 ||
	    add_bitwise(r, mask, len) < 0)
		return -1;
	return add_cmp(r, NFT_CMP_EQ, addr, len);
}

/* One port or range of -m tcp/udp, at transport header + offset. */
static int add_ports(struct nftnl_rule *r, uint32_t offset, const uint16_t pts[2])
{
	uint16_t v;

	if (pts[0] == 0 && pts[1] == 0xffff)
		return 0;
	if (add_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2) < 0)
		return -1;
	if (pts[0] == pts[1]) {
		v = htons(pts[0]);
		return add_cmp(r, NFT_CMP_EQ, &v, sizeof(v));
	}
	if (pts[0] == 0) {
		v = htons(pts[1]);
		return add_cmp(r, NFT_CMP_LTE, &v, sizeof(v));
	}
	return add_range(r, pts[0], pts[1]);
}

/* A compat match or target: the xt payload padded with zeros to XT_ALIGN. */
static int add_xt(struct nftnl_rule *r, const char *expr, const struct ipt_ext *x)
{
	bool match = strcmp(expr, "match") == 0;
	size_t len = XT_ALIGN(sizeof(struct xt_entry_match) + x->size) -
		     sizeof(struct xt_entry_match);
	struct nftnl_expr *e = add(r, expr);
	void *info;

	if (!e)
		return -1;
	/* libnftnl keeps (and frees) the info buffer it is given. */
	info = calloc(1, len ? len : 1);
	if (!info)
		return -1;
	memcpy(info, x->data, x->size);
	nftnl_expr_set_str(e, match ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME, x->name);
	nftnl_expr_set_u32(e, match ? NFTNL_EXPR_MT_REV : NFTNL_EXPR_TG_REV, x->revision);
	nftnl_expr_set(e, match ? NFTNL_EXPR_MT_INFO : NFTNL_EXPR_TG_INFO, info, (uint32_t)len);
	return 0;
}

static int add_match(struct nftnl_rule *r, const struct ipt_ext *m)
{
	const uint16_t *spts, *dpts;
	bool native = false;

	if (strcmp(m->name, "tcp") == 0 && m->size == sizeof(struct xt_tcp)) {
		const struct xt_tcp *t = (const void *)m->data;

		native = !t->option && !t->flg_mask && !t->flg_cmp && !t->invflags;
		spts = t->spts;
		dpts = t->dpts;
	} else if (strcmp(m->name, "udp") == 0 && m->size == sizeof(struct xt_udp)) {
		const struct xt_udp *u = (const void *)m->data;

		native = !u->invflags;
		spts = u->spts;
		dpts = u->dpts;
	}
	/* Nothing restricted: iptables-nft keeps `-m tcp` as the compat match. */
	if (native && spts[0] == 0 && spts[1] == 0xffff && dpts[0] == 0 && dpts[1] == 0xffff)
		native = false;
	if (!native)
		return add_xt(r, "match", m);
	/* One load of both ports when both are single ports: not built here. */
	if (spts[0] && spts[0] == spts[1] && dpts[0] && dpts[0] == dpts[1]) {
		errno = EINVAL;
		return -1;
	}
	if (add_ports(r, 0, spts) < 0)
		return -1;
	return add_ports(r, 2, dpts);
}

static int add_target(struct nftnl_rule *r, const struct ipt_ext *t, bool standard)
{
	struct nftnl_expr *e;
	int verdict;

	if (!standard)
		return add_xt(r, "target", t);
	if (strcmp(t->name, "ACCEPT") == 0)
		verdict = NF_ACCEPT;
	else if (strcmp(t->name, "DROP") == 0)
		verdict = NF_DROP;
	else if (strcmp(t->name, "RETURN") == 0)
		verdict = NFT_RETURN;
	else
		verdict = NFT_JUMP;
	e = add(r, "immediate");
	if (!e)
		return -1;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (verdict == NFT_JUMP)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, t->name);
	return 0;
}

struct nftnl_rule *ipt_nft_rule_build(const struct ipt_rule *r, enum nfban_family family)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	struct nftnl_expr *ctr;
	uint8_t proto;

	if (!nr) {
		errno = ENOMEM;
		return NULL;
	}
	errno = ENOMEM;
	if (r->has_proto && r->proto != 0) {
		proto = r->proto;
		if (add_meta_l4proto(nr) < 0 || add_cmp(nr, NFT_CMP_EQ, &proto, 1) < 0)
			goto fail;
	}
	if (r->has_src && add_src(nr, &r->src, family) < 0)
		goto fail;
	nftnl_rule_set_u32(nr, NFTNL_RULE_COMPAT_PROTO, r->has_proto ? r->proto : 0);
	nftnl_rule_set_u32(nr, NFTNL_RULE_COMPAT_FLAGS, 0);
	for (unsigned i = 0; i < r->n_matches && i < IPT_MATCHES_MAX; i++)
		if (add_match(nr, &r->match[i]) < 0)
			goto fail;
	/* Before the verdict, or every rule's packets would be counted. */
	ctr = add(nr, "counter");
	if (!ctr)
		goto fail;
	nftnl_expr_set_u64(ctr, NFTNL_EXPR_CTR_PACKETS, 0);
	nftnl_expr_set_u64(ctr, NFTNL_EXPR_CTR_BYTES, 0);
	if (add_target(nr, &r->target, r->standard) < 0)
		goto fail;
	return nr;
fail:
	if (errno == 0)
		errno = ENOMEM;
	nftnl_rule_free(nr);
	return NULL;
}

/* Every attribute set in `want` is set, and equal, in `have`. */
static bool same_expr(const struct nftnl_expr *have, const struct nftnl_expr *want)
{
	const char *hn = nftnl_expr_get_str(have, NFTNL_EXPR_NAME);
	const char *wn = nftnl_expr_get_str(want, NFTNL_EXPR_NAME);

	if (!hn || !wn || strcmp(hn, wn) != 0)
		return false;
	if (strcmp(wn, "counter") == 0)
		return true;
	for (uint16_t t = NFTNL_EXPR_BASE; t < NFTNL_EXPR_BASE + 16; t++) {
		const void *hv, *wv;
		uint32_t hl = 0, wl = 0;

		if (!nftnl_expr_is_set(want, t))
			continue;
		if (!nftnl_expr_is_set(have, t))
			return false;
		wv = nftnl_expr_get(want, t, &wl);
		hv = nftnl_expr_get(have, t, &hl);
		if (!wv || !hv || hl != wl || memcmp(hv, wv, wl) != 0)
			return false;
	}
	return true;
}

bool ipt_nft_rule_same(const struct nftnl_rule *have, const struct nftnl_rule *want)
{
	struct nftnl_expr_iter *hi = nftnl_expr_iter_create(have);
	struct nftnl_expr_iter *wi = nftnl_expr_iter_create(want);
	bool same = hi && wi;

	while (same) {
		struct nftnl_expr *h = nftnl_expr_iter_next(hi), *w = nftnl_expr_iter_next(wi);

		if (!h || !w) {
			same = !h && !w;
			break;
		}
		same = same_expr(h, w);
	}
	if (hi)
		nftnl_expr_iter_destroy(hi);
	if (wi)
		nftnl_expr_iter_destroy(wi);
	return same;
}

const char *ipt_nft_rule_jump(const struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e, *last = NULL;
	const char *name, *chain = NULL;

	if (!it)
		return NULL;
	while ((e = nftnl_expr_iter_next(it)))
		last = e;
	nftnl_expr_iter_destroy(it);
	if (!last)
		return NULL;
	name = nftnl_expr_get_str(last, NFTNL_EXPR_NAME);
	if (name && strcmp(name, "immediate") == 0 &&
	    nftnl_expr_is_set(last, NFTNL_EXPR_IMM_VERDICT) &&
	    nftnl_expr_is_set(last, NFTNL_EXPR_IMM_CHAIN)) {
		int v = (int)nftnl_expr_get_u32(last, NFTNL_EXPR_IMM_VERDICT);

		if (v == NFT_JUMP || v == NFT_GOTO)
			chain = nftnl_expr_get_str(last, NFTNL_EXPR_IMM_CHAIN);
	}
	return chain;
}
