// SPDX-License-Identifier: GPL-2.0-or-later
/* present.c - see present.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "nfnl/query.h"
#include "nfnl/sig.h"
#include "present.h"

struct anon_ctx {
	struct nftnl_set *set;
	const char *name;               /* the kernel's name; NULL: any (built rule) */
};

static struct nftnl_set *anon_of(void *ctx, const char *name, uint32_t id)
{
	struct anon_ctx *a = ctx;

	(void)id;
	if (!a->set || (a->name && strcmp(a->name, name) != 0))
		return NULL;
	return a->set;
}

/* The signatures of the rules j wants: sigs[i] of NFT_SIG_MAX bytes. */
static int expected_sigs(const struct nft_jail *j, char (*sigs)[NFT_SIG_MAX])
{
	for (unsigned i = 0; i < j->n_rules; i++) {
		struct anon_ctx a = { 0 };
		struct nftnl_rule *r = NULL;
		int rc = nft_build_anon_set(j, i, &a.set);

		if (!rc)
			rc = nft_build_rule(j, i, &r);
		if (!rc)
			rc = nft_rule_sig(r, anon_of, &a, sigs[i], NFT_SIG_MAX);
		if (r)
			nftnl_rule_free(r);
		if (a.set)
			nftnl_set_free(a.set);
		if (rc)
			return rc;
	}
	return 0;
}

/* One kernel rule that looks up the jail's set: which expected rule is it? */
static int match_rule(struct nft_sock *s, const struct nft_jail *j, struct nftnl_rule *r,
		      char (*want)[NFT_SIG_MAX], bool have[], char *sig)
{
	struct anon_ctx a = { .name = nft_rule_anon_set(r) };
	int rc = 0;

	if (a.name) {
		a.set = nftnl_set_alloc();
		if (!a.set)
			return -ENOMEM;
		rc = nft_query_elems(s, j->table_family, j->table, a.name, a.set);
	}
	if (!rc)
		rc = nft_rule_sig(r, anon_of, &a, sig, NFT_SIG_MAX);
	if (a.set)
		nftnl_set_free(a.set);
	if (rc == -ENOSPC || rc == -ENOENT)
		return 0;   /* not a rule nfban would build */
	if (rc)
		return rc;
	for (unsigned i = 0; i < j->n_rules; i++)
		if (strcmp(sig, want[i]) == 0)
			have[i] = true;
	return 0;
}

struct of_set {
	const char *set;
	int (*fn)(struct nftnl_rule *r, void *ctx);
	void *ctx;
};

static int if_of_set(struct nftnl_rule *r, void *data)
{
	const struct of_set *o = data;

	return nft_rule_uses_set(r, o->set) ? o->fn(r, o->ctx) : 0;
}

/*
 * Call fn for every rule of the jail's chain that looks up the jail's set,
 * until fn returns non-zero (which is returned).  -errno of a failed read.
 */
static int each_rule_of_set(struct nft_sock *s, const struct nft_jail *j,
			    int (*fn)(struct nftnl_rule *r, void *ctx), void *ctx)
{
	struct nftnl_rule_list *list = nftnl_rule_list_alloc();
	struct of_set o = { j->set, fn, ctx };
	int rc;

	if (!list)
		return -ENOMEM;
	rc = nft_query_chain_rules(s, j->table_family, j->table, j->chain, list);
	if (!rc)
		rc = nft_rule_list_each(list, if_of_set, &o);
	nftnl_rule_list_free(list);
	return rc;
}

struct present_ctx {
	struct nft_sock *s;
	const struct nft_jail *j;
	char (*want)[NFT_SIG_MAX];      /* n_rules expected signatures, then a scratch one */
	bool *have;
};

static int present_one(struct nftnl_rule *r, void *ctx)
{
	struct present_ctx *c = ctx;

	return match_rule(c->s, c->j, r, c->want, c->have, c->want[c->j->n_rules]);
}

int nft_rules_present(struct nft_sock *s, const struct nft_jail *j, bool have[VALUE_MAX_PROTOS])
{
	/* Not cleared (64 KiB for one rule: most of a start's time outside the kernel, measured):
	 * each signature is read only after nft_rule_sig wrote it whole. */
	struct present_ctx c = { s, j, malloc((j->n_rules + 1) * sizeof(*c.want)), have };
	int rc;

	memset(have, 0, VALUE_MAX_PROTOS * sizeof(*have));
	if (!c.want)
		return -ENOMEM;
	for (unsigned i = 0; i <= j->n_rules; i++)
		c.want[i][0] = '\0';
	rc = expected_sigs(j, c.want);
	if (!rc)
		rc = each_rule_of_set(s, j, present_one, &c);
	free(c.want);
	return rc;
}

struct handles_ctx {
	uint64_t *h;
	unsigned cnt, cap;
};

static int collect_handle(struct nftnl_rule *r, void *ctx)
{
	struct handles_ctx *c = ctx;

	if (c->cnt == c->cap) {
		unsigned cap = c->cap ? 2 * c->cap : 16;
		uint64_t *nh = realloc(c->h, cap * sizeof(*nh));

		if (!nh)
			return -ENOMEM;
		c->h = nh;
		c->cap = cap;
	}
	c->h[c->cnt++] = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	return 0;
}

int nft_rules_of_set(struct nft_sock *s, const struct nft_jail *j, uint64_t **handles, unsigned *n)
{
	struct handles_ctx c = { NULL, 0, 0 };
	int rc = each_rule_of_set(s, j, collect_handle, &c);

	*handles = NULL;
	*n = 0;
	if (rc) {
		free(c.h);
		return rc;
	}
	*handles = c.h;
	*n = c.cnt;
	return 0;
}
