// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sig.c - see sig.h.  Only attributes that make a rule match or act
 * differently are written; set IDs and handles are not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "sig.h"

struct out {
	char *s;
	size_t n, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o->full)
		return;
	va_start(ap, fmt);
	w = vsnprintf(o->s + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= o->n - o->len)
		o->full = true;
	else
		o->len += (size_t)w;
}

static void put_hex(struct out *o, const void *data, uint32_t len)
{
	const uint8_t *p = data;

	for (uint32_t i = 0; i < len; i++)
		put(o, "%02x", p[i]);
}

static bool is_anon(const char *name)
{
	return strncmp(name, "__set", 5) == 0;
}

struct elem_txt {
	char s[2 * 16 + 3];
};

static int by_text(const void *a, const void *b)
{
	return strcmp(((const struct elem_txt *)a)->s, ((const struct elem_txt *)b)->s);
}

/* The elements of an anonymous set, sorted: "{0016 0017/e ...}". */
static int put_elems(struct out *o, struct nftnl_set *set)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(set);
	struct nftnl_set_elem *e;
	struct elem_txt *t = NULL;
	size_t n = 0, cap = 0;

	if (!it)
		return -ENOMEM;
	for (e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it)) {
		uint32_t len = 0;
		const uint8_t *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
		uint32_t flags = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) ?
				 nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) : 0;
		size_t k = 0;

		if (n == cap) {
			struct elem_txt *nt = realloc(t, (cap = cap ? 2 * cap : 32) * sizeof(*t));

			if (!nt) {
				free(t);
				nftnl_set_elems_iter_destroy(it);
				return -ENOMEM;
			}
			t = nt;
		}
		for (uint32_t i = 0; key && i < len && i < 16; i++, k += 2)
			snprintf(t[n].s + k, 3, "%02x", key[i]);
		snprintf(t[n].s + k, sizeof(t[n].s) - k, "%s",
			 flags & NFT_SET_ELEM_INTERVAL_END ? "/e" : "");
		n++;
	}
	nftnl_set_elems_iter_destroy(it);
	if (n)
		qsort(t, n, sizeof(*t), by_text);
	put(o, "{");
	for (size_t i = 0; i < n; i++)
		put(o, "%s%s", i ? " " : "", t[i].s);
	put(o, "}");
	free(t);
	return 0;
}

static uint32_t u32(struct nftnl_expr *e, uint16_t attr)
{
	return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u32(e, attr) : 0;
}

static int put_expr(struct out *o, struct nftnl_expr *e, nft_anon_fn anon, void *ctx)
{
	const char *kind = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len = 0;
	const void *data;

	if (!kind)
		return -EINVAL;
	put(o, "[%s", kind);
	if (strcmp(kind, "meta") == 0) {
		put(o, " key %u dreg %u sreg %u", u32(e, NFTNL_EXPR_META_KEY),
		    u32(e, NFTNL_EXPR_META_DREG), u32(e, NFTNL_EXPR_META_SREG));
	} else if (strcmp(kind, "cmp") == 0) {
		put(o, " sreg %u op %u ", u32(e, NFTNL_EXPR_CMP_SREG), u32(e, NFTNL_EXPR_CMP_OP));
		data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		put_hex(o, data, data ? len : 0);
	} else if (strcmp(kind, "payload") == 0) {
		put(o, " dreg %u base %u off %u len %u sreg %u", u32(e, NFTNL_EXPR_PAYLOAD_DREG),
		    u32(e, NFTNL_EXPR_PAYLOAD_BASE), u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
		    u32(e, NFTNL_EXPR_PAYLOAD_LEN), u32(e, NFTNL_EXPR_PAYLOAD_SREG));
	} else if (strcmp(kind, "lookup") == 0) {
		const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);

		if (!set)
			return -EINVAL;
		put(o, " sreg %u dreg %u flags %u ", u32(e, NFTNL_EXPR_LOOKUP_SREG),
		    u32(e, NFTNL_EXPR_LOOKUP_DREG), u32(e, NFTNL_EXPR_LOOKUP_FLAGS));
		if (is_anon(set)) {
			struct nftnl_set *elems = anon(ctx, set, u32(e, NFTNL_EXPR_LOOKUP_SET_ID));
			int rc;

			if (!elems)
				return -ENOENT;
			rc = put_elems(o, elems);
			if (rc < 0)
				return rc;
		} else
			put(o, "@%s", set);
	} else if (strcmp(kind, "reject") == 0) {
		put(o, " type %u code %u", u32(e, NFTNL_EXPR_REJECT_TYPE),
		    nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_CODE) ?
		    nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE) : 0);
	} else if (strcmp(kind, "immediate") == 0) {
		const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

		put(o, " dreg %u verdict %d %s", u32(e, NFTNL_EXPR_IMM_DREG),
		    (int)u32(e, NFTNL_EXPR_IMM_VERDICT), chain ? chain : "");
		data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);
		put_hex(o, data, data ? len : 0);
	} else {
		/* Nothing nfban builds: never equal to one of ours. */
		put(o, " ?");
	}
	put(o, "]");
	return 0;
}

int nft_rule_sig(struct nftnl_rule *r, nft_anon_fn anon, void *ctx, char *s, size_t n)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct out o = { .s = s, .n = n };
	int rc = 0;

	if (n == 0)
		return -ENOSPC;
	s[0] = '\0';
	if (!it)
		return -ENOMEM;
	for (struct nftnl_expr *e = nftnl_expr_iter_next(it); e && rc == 0; e = nftnl_expr_iter_next(it))
		rc = put_expr(&o, e, anon, ctx);
	nftnl_expr_iter_destroy(it);
	if (rc == 0 && o.full)
		rc = -ENOSPC;
	return rc;
}

static const char *lookup_set(struct nftnl_rule *r, bool want_anon, const char *name)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	const char *found = NULL;

	if (!it)
		return NULL;
	for (struct nftnl_expr *e = nftnl_expr_iter_next(it); e && !found; e = nftnl_expr_iter_next(it)) {
		const char *kind = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		const char *set;

		if (!kind || strcmp(kind, "lookup") != 0)
			continue;
		set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
		if (set && (want_anon ? is_anon(set) : strcmp(set, name) == 0))
			found = set;
	}
	nftnl_expr_iter_destroy(it);
	return found;
}

bool nft_rule_uses_set(struct nftnl_rule *r, const char *set)
{
	return lookup_set(r, false, set) != NULL;
}

const char *nft_rule_anon_set(struct nftnl_rule *r)
{
	return lookup_set(r, true, NULL);
}

const char *nft_rule_jump(const struct nftnl_rule *r)
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
