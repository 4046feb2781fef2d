// SPDX-License-Identifier: GPL-2.0-or-later
/* nft_cache.c - see nft_cache.h. */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nft_cache.h"
#include "nft_rule.h"

#define KEY_NONE 0u

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/*
 * The source match's key: the payload load at the source address (IPv4
 * network header + 12, IPv6 + 8), a bitwise mask if any, the cmp eq value.
 * KEY_NONE when the rule has none.
 */
static uint32_t source_key(const struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	uint32_t h = 2166136261u, len;
	bool in_src = false;
	uint32_t key = KEY_NONE;

	if (!it)
		return KEY_NONE;
	while ((e = nftnl_expr_iter_next(it))) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		const void *d;

		if (!in_src) {
			uint32_t off;

			if (strcmp(name, "payload") != 0 ||
			    nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE) != NFT_PAYLOAD_NETWORK_HEADER)
				continue;
			off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
			if (off != 12 && off != 8)
				continue;
			len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
			h = fnv(h, &off, sizeof(off));
			h = fnv(h, &len, sizeof(len));
			in_src = true;
		} else if (strcmp(name, "bitwise") == 0) {
			d = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
			if (d)
				h = fnv(h, d, len);
		} else {
			if (strcmp(name, "cmp") == 0 &&
			    nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ &&
			    (d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len)))
				key = fnv(h, d, len) | 1u;      /* never KEY_NONE */
			break;
		}
	}
	nftnl_expr_iter_destroy(it);
	return key;
}

void ipt_nft_cache_clear(struct ipt_nft_cache *c)
{
	for (unsigned i = 0; i < c->nbuckets; i++)
		for (struct ipt_nft_entry *e = c->bucket[i], *next; e; e = next) {
			next = e->next;
			free(e);
		}
	for (struct ipt_nft_entry *e = c->unkeyed, *next; e; e = next) {
		next = e->next;
		free(e);
	}
	free(c->bucket);
	if (c->rules)
		nftnl_rule_list_free(c->rules);
	memset(c, 0, sizeof(*c));
}

static struct ipt_nft_entry **slot(const struct ipt_nft_cache *c, uint32_t key)
{
	return key == KEY_NONE ? (struct ipt_nft_entry **)&c->unkeyed
			       : &c->bucket[key & (c->nbuckets - 1)];
}

/* Keep about one rule per bucket: double when the rules outgrow them. */
static int grow(struct ipt_nft_cache *c)
{
	unsigned n = c->nbuckets ? 2 * c->nbuckets : 64;
	struct ipt_nft_entry **nb;

	if (c->n < c->nbuckets)
		return 0;
	nb = calloc(n, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	for (unsigned i = 0; i < c->nbuckets; i++)
		for (struct ipt_nft_entry *e = c->bucket[i], *next; e; e = next) {
			next = e->next;
			e->next = nb[e->key & (n - 1)];
			nb[e->key & (n - 1)] = e;
		}
	free(c->bucket);
	c->bucket = nb;
	c->nbuckets = n;
	return 0;
}

static int index_rule(struct ipt_nft_cache *c, struct nftnl_rule *r, uint64_t handle)
{
	struct ipt_nft_entry *e = calloc(1, sizeof(*e)), **s;

	if (!e || grow(c) < 0) {
		free(e);
		return -ENOMEM;
	}
	e->rule = r;
	e->handle = handle;
	e->key = source_key(r);
	s = slot(c, e->key);
	e->next = *s;
	*s = e;
	c->n++;
	return 0;
}

int ipt_nft_cache_fill(struct ipt_nft_cache *c, struct nftnl_rule_list *l)
{
	struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(l);
	struct nftnl_rule *r;
	int rc = 0;

	c->rules = l;
	if (!it)
		rc = -ENOMEM;
	while (!rc && it && (r = nftnl_rule_list_iter_next(it)))
		rc = index_rule(c, r, nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	if (it)
		nftnl_rule_list_iter_destroy(it);
	if (rc)
		ipt_nft_cache_clear(c);
	return rc;
}

int ipt_nft_cache_add(struct ipt_nft_cache *c, struct nftnl_rule *r, uint64_t handle)
{
	int rc;

	if (!c->rules && !(c->rules = nftnl_rule_list_alloc())) {
		nftnl_rule_free(r);
		return -ENOMEM;
	}
	nftnl_rule_list_add_tail(r, c->rules);
	rc = index_rule(c, r, handle);
	return rc;
}

static unsigned find_in(struct ipt_nft_entry *e, const struct nftnl_rule *want,
			struct ipt_nft_entry **out, unsigned n, unsigned max)
{
	for (; e && n < max; e = e->next)
		if (ipt_nft_rule_same(e->rule, want))
			out[n++] = e;
	return n;
}

unsigned ipt_nft_cache_find(const struct ipt_nft_cache *c, const struct nftnl_rule *want,
			    struct ipt_nft_entry **out, unsigned max)
{
	uint32_t key = source_key(want);
	unsigned n = 0;

	if (key != KEY_NONE && c->nbuckets)
		n = find_in(*slot(c, key), want, out, n, max);
	return find_in(c->unkeyed, want, out, n, max);
}

void ipt_nft_cache_del(struct ipt_nft_cache *c, struct ipt_nft_entry *e)
{
	struct ipt_nft_entry **p = slot(c, e->key);

	while (*p && *p != e)
		p = &(*p)->next;
	if (!*p)
		return;
	*p = e->next;
	nftnl_rule_list_del(e->rule);
	nftnl_rule_free(e->rule);
	free(e);
	c->n--;
}
