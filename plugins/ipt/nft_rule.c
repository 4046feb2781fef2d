// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_rule.c - struct ipt_rule to the expressions an iptables-nft release
 * uses, kernel rules back to struct ipt_rule, and rules compared by what
 * they match (see nft_rule.h).
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nfnl/expr.h"
#include "nft_rule.h"

/* Where a family's header keeps what the rules match. */
static const struct fam {
	uint32_t saddr;                 /* offset of the source address */
	uint32_t proto;                 /* offset of the protocol byte (IPv6: next header) */
	unsigned addr_len;
} fams[2] = {
	{ 12, 9, 4 },                   /* struct iphdr: saddr, protocol */
	{ 8, 6, 16 },                   /* struct ip6_hdr: ip6_src, ip6_nxt */
};

static const struct fam *fam_of(enum nfban_family family)
{
	return &fams[family == NFBAN_INET6 ? 1 : 0];
}

#define REG NFT_REG_1

/* -s: add_addr() of iptables-nft, on the address with its host bits cleared.  0 or -errno. */
static int add_src(struct nftnl_rule *r, const struct nfban_addr *a, enum nfban_family family)
{
	unsigned len = fam_of(family)->addr_len;
	unsigned bits = a->prefix > len * 8 ? len * 8 : a->prefix;
	uint32_t offset = fam_of(family)->saddr;
	uint8_t mask[16], addr[16];
	int rc;

	if (bits == 0)
		return 0;
	for (unsigned i = 0; i < len; i++) {
		unsigned in = bits > i * 8 ? bits - i * 8 : 0;

		mask[i] = in >= 8 ? 0xff : (uint8_t)(0xff00u >> in);
		addr[i] = a->u.bytes[i] & mask[i];
	}
	if (bits % 8 == 0) {
		rc = nft_expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, bits / 8, REG);
		return rc ? rc : nft_expr_cmp(r, NFT_CMP_EQ, addr, bits / 8, REG);
	}
	rc = nft_expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, len, REG);
	if (!rc)
		rc = nft_expr_bitwise(r, mask, NULL, len, REG, REG);
	return rc ? rc : nft_expr_cmp(r, NFT_CMP_EQ, addr, len, REG);
}

/* One port or range of -m tcp/udp, at transport header + offset. */
static int add_ports(struct nftnl_rule *r, uint32_t offset, const uint16_t pts[2])
{
	uint16_t from = htons(pts[0]), to = htons(pts[1]);
	int rc;

	if (pts[0] == 0 && pts[1] == 0xffff)
		return 0;
	rc = nft_expr_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, offset, 2, REG);
	if (rc)
		return rc;
	if (pts[0] == pts[1])
		return nft_expr_cmp_be16(r, NFT_CMP_EQ, pts[0], REG);
	if (pts[0] == 0)
		return nft_expr_cmp_be16(r, NFT_CMP_LTE, pts[1], REG);
	return nft_expr_range(r, NFT_RANGE_EQ, &from, &to, sizeof(from), REG);
}

/* A compat match or target: the xt payload padded with zeros to XT_ALIGN. */
static int add_xt(struct nftnl_rule *r, bool target, const struct ipt_ext *x)
{
	size_t len = XT_ALIGN(sizeof(struct xt_entry_match) + x->size) -
		     sizeof(struct xt_entry_match);

	return nft_expr_compat(r, target, x->name, x->revision, x->data, x->size, len);
}

static int add_match(struct nftnl_rule *r, const struct ipt_ext *m)
{
	const uint16_t *spts, *dpts;
	bool native = false;
	int rc;

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
		return add_xt(r, false, m);
	/* One load of both ports when both are single ports: not built here. */
	if (spts[0] && spts[0] == spts[1] && dpts[0] && dpts[0] == dpts[1])
		return -EINVAL;
	rc = add_ports(r, 0, spts);
	return rc ? rc : add_ports(r, 2, dpts);
}

static int add_target(struct nftnl_rule *r, const struct ipt_ext *t, bool standard)
{
	if (!standard)
		return add_xt(r, true, t);
	if (strcmp(t->name, "ACCEPT") == 0)
		return nft_expr_verdict(r, NF_ACCEPT, NULL);
	if (strcmp(t->name, "DROP") == 0)
		return nft_expr_verdict(r, NF_DROP, NULL);
	if (strcmp(t->name, "RETURN") == 0)
		return nft_expr_verdict(r, (uint32_t)NFT_RETURN, NULL);
	return nft_expr_verdict(r, (uint32_t)NFT_JUMP, t->name);
}

/* -p as rel writes it; nothing for none or `-p all`. */
static int add_proto(struct nftnl_rule *r, const struct ipt_nft_release *rel,
		     const struct ipt_rule *ir, enum nfban_family family)
{
	int rc;

	if (!ir->has_proto || ir->proto == 0)
		return 0;
	if (ipt_nft_release_proto(rel, family) == IPT_NFT_PROTO_PAYLOAD)
		rc = nft_expr_payload(r, NFT_PAYLOAD_NETWORK_HEADER, fam_of(family)->proto, 1, REG);
	else
		rc = nft_expr_meta(r, NFT_META_L4PROTO, REG);
	return rc ? rc : nft_expr_cmp_u8(r, NFT_CMP_EQ, ir->proto, REG);
}

struct nftnl_rule *ipt_nft_rule_build(const struct ipt_nft_release *rel, const struct ipt_rule *r,
				      enum nfban_family family)
{
	struct nftnl_rule *nr = nftnl_rule_alloc();
	bool src = r->has_src;
	int rc = 0;

	if (!nr) {
		errno = ENOMEM;
		return NULL;
	}
	nftnl_rule_set_u32(nr, NFTNL_RULE_FAMILY, family == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	if (src && rel->src_first)
		rc = add_src(nr, &r->src, family);
	if (!rc)
		rc = add_proto(nr, rel, r, family);
	if (!rc && src && !rel->src_first)
		rc = add_src(nr, &r->src, family);
	nftnl_rule_set_u32(nr, NFTNL_RULE_COMPAT_PROTO, r->has_proto ? r->proto : 0);
	nftnl_rule_set_u32(nr, NFTNL_RULE_COMPAT_FLAGS, 0);
	for (unsigned i = 0; !rc && i < r->n_matches && i < IPT_MATCHES_MAX; i++)
		rc = add_match(nr, &r->match[i]);
	/* Before the verdict, or every rule's packets would be counted. */
	if (!rc)
		rc = nft_expr_counter(nr);
	if (!rc)
		rc = add_target(nr, &r->target, r->standard);
	if (rc) {
		nftnl_rule_free(nr);
		errno = -rc;
		return NULL;
	}
	return nr;
}

/* ---- reading a kernel rule back ---- */

/* What a register holds while a rule is read. */
struct reg {
	enum { REG_NONE, REG_L4PROTO, REG_PAYLOAD } kind;
	uint32_t base, offset, len;
	bool masked;
	uint8_t mask[16];
};

struct parse {
	const struct fam *f;
	enum nfban_family family;
	struct ipt_rule *out;
	struct reg regs[NFT_REG32_15 + 1];
	int native;                     /* the match native port compares go into, or -1 */
	bool target;                    /* the verdict or target seen: nothing may follow */
};

static struct reg *reg_at(struct parse *p, const struct nftnl_expr *e, uint16_t attr)
{
	uint32_t n;

	if (!nftnl_expr_is_set(e, attr))
		return NULL;
	n = nftnl_expr_get_u32(e, attr);
	return n >= NFT_REG_1 && n <= NFT_REG32_15 ? &p->regs[n] : NULL;
}

static int parse_payload(struct parse *p, const struct nftnl_expr *e)
{
	struct reg *r = reg_at(p, e, NFTNL_EXPR_PAYLOAD_DREG);

	if (!r)
		return -1;      /* a payload write (mangling), or no register */
	memset(r, 0, sizeof(*r));
	r->kind = REG_PAYLOAD;
	r->base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	r->offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	r->len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	return r->len >= 1 && r->len <= sizeof(r->mask) ? 0 : -1;
}

static int parse_meta(struct parse *p, const struct nftnl_expr *e)
{
	struct reg *r = reg_at(p, e, NFTNL_EXPR_META_DREG);

	if (!r || nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) != NFT_META_L4PROTO)
		return -1;
	memset(r, 0, sizeof(*r));
	r->kind = REG_L4PROTO;
	return 0;
}

/* A mask over a loaded payload (iptables' prefixes inside a byte). */
static int parse_bitwise(struct parse *p, const struct nftnl_expr *e)
{
	struct reg *from = reg_at(p, e, NFTNL_EXPR_BITWISE_SREG), *to = reg_at(p, e, NFTNL_EXPR_BITWISE_DREG);
	const uint8_t *mask, *xor;
	uint32_t ml = 0, xl = 0;

	if (!from || !to || from->kind != REG_PAYLOAD || from->masked ||
	    (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	     nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL))
		return -1;
	mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &ml);
	xor = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xl);
	if (!mask || ml != from->len || (xor && xl != ml))
		return -1;
	for (uint32_t i = 0; xor && i < xl; i++)
		if (xor[i])
			return -1;
	*to = *from;
	to->masked = true;
	memcpy(to->mask, mask, ml);
	return 0;
}

static int set_proto(struct parse *p, uint32_t op, const uint8_t *data, uint32_t len)
{
	if (op != NFT_CMP_EQ || len != 1 || p->out->has_proto || p->out->n_matches)
		return -1;
	ipt_rule_set_proto(p->out, data[0]);
	return 0;
}

/* -s: the bytes loaded, the mask's leading ones (or every loaded bit). */
static int set_src(struct parse *p, const struct reg *r, uint32_t op, const uint8_t *data,
		   uint32_t len)
{
	struct nfban_addr *a = &p->out->src;
	unsigned bits = 0;

	if (op != NFT_CMP_EQ || len != r->len || p->out->has_src)
		return -1;
	for (uint32_t i = 0; i < len; i++) {
		uint8_t m = r->masked ? r->mask[i] : 0xff;

		/* The ones of a prefix, then zeros only, and no data outside it. */
		if ((bits != i * 8 && m) || (uint8_t)(m & (uint8_t)(m << 1)) != (uint8_t)(m << 1) ||
		    (data[i] & (uint8_t)~m))
			return -1;
		for (; m & 0x80; m = (uint8_t)(m << 1))
			bits++;
	}
	if (bits == 0)
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = p->family;
	a->prefix = (uint8_t)bits;
	memcpy(a->u.bytes, data, len);
	p->out->has_src = true;
	return 0;
}

/* The xt_tcp/xt_udp match native port compares stand for. */
static uint16_t *native_ports(struct parse *p, bool dst)
{
	struct ipt_rule *r = p->out;
	struct ipt_ext *m;

	if (p->native < 0) {
		bool tcp = r->has_proto && r->proto == IPPROTO_TCP;
		struct xt_udp u = { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff } };
		struct xt_tcp t = { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff } };

		if (!r->has_proto || (!tcp && r->proto != IPPROTO_UDP) || !(m = ipt_rule_add_match(r)))
			return NULL;
		snprintf(m->name, sizeof(m->name), "%s", tcp ? "tcp" : "udp");
		m->size = tcp ? sizeof(t) : sizeof(u);
		memcpy(m->data, tcp ? (const void *)&t : (const void *)&u, m->size);
		p->native = (int)(r->n_matches - 1);
	}
	m = &r->match[p->native];
	if (strcmp(m->name, "tcp") == 0)
		return dst ? ((struct xt_tcp *)(void *)m->data)->dpts : ((struct xt_tcp *)(void *)m->data)->spts;
	return dst ? ((struct xt_udp *)(void *)m->data)->dpts : ((struct xt_udp *)(void *)m->data)->spts;
}

static int set_ports(struct parse *p, const struct reg *r, uint16_t lo, uint16_t hi)
{
	uint16_t *pts;

	if (r->masked || r->len != 2 || (r->offset != 0 && r->offset != 2) ||
	    !(pts = native_ports(p, r->offset == 2)))
		return -1;
	pts[0] = lo;
	pts[1] = hi;
	return 0;
}

static int parse_cmp(struct parse *p, const struct nftnl_expr *e)
{
	const struct reg *r = reg_at(p, e, NFTNL_EXPR_CMP_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);

	if (!r || !d)
		return -1;
	if (r->kind == REG_L4PROTO)
		return set_proto(p, op, d, len);
	if (r->kind != REG_PAYLOAD)
		return -1;
	if (r->base == NFT_PAYLOAD_NETWORK_HEADER && r->offset == p->f->proto && r->len == 1 && !r->masked)
		return set_proto(p, op, d, len);
	if (r->base == NFT_PAYLOAD_NETWORK_HEADER && r->offset == p->f->saddr && r->len <= p->f->addr_len)
		return set_src(p, r, op, d, len);
	if (r->base != NFT_PAYLOAD_TRANSPORT_HEADER || len != r->len)
		return -1;
	/* Both ports in one load (-p tcp --sport a --dport b). */
	if (r->offset == 0 && r->len == 4 && op == NFT_CMP_EQ && !r->masked) {
		struct reg sp = *r, dp = *r;
		uint16_t s = (uint16_t)(d[0] << 8 | d[1]), t = (uint16_t)(d[2] << 8 | d[3]);

		sp.len = dp.len = 2;
		dp.offset = 2;
		return set_ports(p, &sp, s, s) < 0 ? -1 : set_ports(p, &dp, t, t);
	}
	if (len != 2)
		return -1;
	if (op == NFT_CMP_EQ)
		return set_ports(p, r, (uint16_t)(d[0] << 8 | d[1]), (uint16_t)(d[0] << 8 | d[1]));
	if (op == NFT_CMP_LTE)
		return set_ports(p, r, 0, (uint16_t)(d[0] << 8 | d[1]));
	return -1;
}

static int parse_range(struct parse *p, const struct nftnl_expr *e)
{
	const struct reg *r = reg_at(p, e, NFTNL_EXPR_RANGE_SREG);
	uint32_t fl = 0, tl = 0;
	const uint8_t *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &fl);
	const uint8_t *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tl);

	if (!r || r->kind != REG_PAYLOAD || r->base != NFT_PAYLOAD_TRANSPORT_HEADER || !from ||
	    !to || fl != 2 || tl != 2 || nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP) != NFT_RANGE_EQ)
		return -1;
	return set_ports(p, r, (uint16_t)(from[0] << 8 | from[1]), (uint16_t)(to[0] << 8 | to[1]));
}

/* A compat match or target into x. */
static int parse_xt(const struct nftnl_expr *e, bool match, struct ipt_ext *x)
{
	const char *name = nftnl_expr_get_str(e, match ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME);
	uint32_t len = 0;
	const void *info = nftnl_expr_get(e, match ? NFTNL_EXPR_MT_INFO : NFTNL_EXPR_TG_INFO, &len);

	if (!x || !name || strlen(name) >= sizeof(x->name) || len > sizeof(x->data) || (len && !info))
		return -1;
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->revision = (uint8_t)nftnl_expr_get_u32(e, match ? NFTNL_EXPR_MT_REV : NFTNL_EXPR_TG_REV);
	x->size = (uint16_t)len;
	if (len)
		memcpy(x->data, info, len);
	return 0;
}

static int parse_verdict(struct parse *p, const struct nftnl_expr *e)
{
	const char *label;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG) != NFT_REG_VERDICT)
		return -1;
	switch ((int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT)) {
	case NF_ACCEPT: label = "ACCEPT"; break;
	case NF_DROP: label = "DROP"; break;
	case NFT_RETURN: label = "RETURN"; break;
	case NFT_JUMP: label = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN); break;
	default: return -1;     /* goto (-g), continue, queue... */
	}
	return label ? ipt_target_standard(p->out, label) : -1;
}

static int parse_expr(struct parse *p, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!name || p->target)
		return -1;
	if (strcmp(name, "counter") == 0)
		return 0;
	if (strcmp(name, "payload") == 0)
		return parse_payload(p, e);
	if (strcmp(name, "meta") == 0)
		return parse_meta(p, e);
	if (strcmp(name, "bitwise") == 0)
		return parse_bitwise(p, e);
	if (strcmp(name, "cmp") == 0)
		return parse_cmp(p, e);
	if (strcmp(name, "range") == 0)
		return parse_range(p, e);
	if (strcmp(name, "match") == 0)
		return parse_xt(e, true, ipt_rule_add_match(p->out));
	p->target = true;
	if (strcmp(name, "immediate") == 0)
		return parse_verdict(p, e);
	if (strcmp(name, "target") == 0)
		return parse_xt(e, false, &p->out->target);
	return -1;
}

int ipt_nft_rule_parse(const struct nftnl_rule *nr, enum nfban_family family, struct ipt_rule *out)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(nr);
	struct parse p = { .f = fam_of(family), .family = family, .out = out, .native = -1 };
	struct nftnl_expr *e;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!it)
		return -1;
	while (rc == 0 && (e = nftnl_expr_iter_next(it)))
		rc = parse_expr(&p, e);
	nftnl_expr_iter_destroy(it);
	return rc == 0 && p.target ? 0 : -1;
}

/* ---- comparison ---- */

bool ipt_nft_rule_is(const struct nftnl_rule *have, const struct ipt_rule *want,
		     enum nfban_family family)
{
	struct ipt_rule r;

	return ipt_nft_rule_parse(have, family, &r) == 0 && ipt_rule_same(&r, want);
}
