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

/* The key of a source match: its prefix and the address bits it covers.
 * KEY_NONE for a rule without one. */
static uint32_t source_key(const struct ipt_rule *r)
{
	uint8_t bytes[16] = { 0 };
	unsigned len = r->src.family == NFBAN_INET6 ? 16 : 4, bits = r->src.prefix;
	uint32_t h = 2166136261u;

	if (!r->has_src)
		return KEY_NONE;
	if (bits > 8 * len)
		bits = 8 * len;
	memcpy(bytes, r->src.u.bytes, bits / 8);
	if (bits % 8)
		bytes[bits / 8] = r->src.u.bytes[bits / 8] & (uint8_t)(0xff00u >> (bits % 8));
	h = fnv(h, &r->src.prefix, sizeof(r->src.prefix));
	return fnv(h, bytes, len) | 1u;         /* never KEY_NONE */
}

/* A kernel rule's key; false for a rule the iptables plugins never write. */
static bool rule_key(const struct nftnl_rule *r, enum nfban_family fam, uint32_t *key)
{
	struct ipt_rule parsed;

	if (ipt_nft_rule_parse(r, fam, &parsed) < 0)
		return false;
	*key = source_key(&parsed);
	return true;
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
	struct ipt_nft_entry *e, **s;
	uint32_t key;

	if (!rule_key(r, c->family, &key))
		return 0;               /* never one that is found: kept in the list only */
	e = calloc(1, sizeof(*e));
	if (!e || grow(c) < 0) {
		free(e);
		return -ENOMEM;
	}
	e->rule = r;
	e->handle = handle;
	e->key = key;
	s = slot(c, e->key);
	e->next = *s;
	*s = e;
	c->n++;
	return 0;
}

int ipt_nft_cache_fill(struct ipt_nft_cache *c, struct nftnl_rule_list *l, enum nfban_family fam)
{
	struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(l);
	struct nftnl_rule *r;
	int rc = 0;

	c->rules = l;
	c->family = fam;
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

static unsigned find_in(struct ipt_nft_entry *e, const struct ipt_rule *want, enum nfban_family fam,
			struct ipt_nft_entry **out, unsigned n, unsigned max)
{
	for (; e && n < max; e = e->next)
		if (ipt_nft_rule_is(e->rule, want, fam))
			out[n++] = e;
	return n;
}

unsigned ipt_nft_cache_find(const struct ipt_nft_cache *c, const struct ipt_rule *want,
			    struct ipt_nft_entry **out, unsigned max)
{
	uint32_t key = source_key(want);
	unsigned n = 0;

	if (key != KEY_NONE && c->nbuckets)
		n = find_in(*slot(c, key), want, c->family, out, n, max);
	return find_in(c->unkeyed, want, c->family, out, n, max);
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
