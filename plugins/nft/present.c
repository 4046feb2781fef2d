/* present.c - see present.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "present.h"
#include "query.h"
#include "sig.h"

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
		rc = nft_query_elems(s, j, a.name, a.set);
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

int nft_rules_present(struct nft_sock *s, const struct nft_jail *j, bool have[NFBAN_MAX_PROTOS])
{
	struct nftnl_rule_list *list = nftnl_rule_list_alloc();
	char (*want)[NFT_SIG_MAX] = calloc(j->n_rules + 1, NFT_SIG_MAX);
	struct nftnl_rule_list_iter *it = NULL;
	int rc = -ENOMEM;

	memset(have, 0, NFBAN_MAX_PROTOS * sizeof(*have));
	if (!list || !want)
		goto out;
	rc = expected_sigs(j, want);
	if (!rc)
		rc = nft_query_rules(s, j, list);
	if (rc)
		goto out;
	it = nftnl_rule_list_iter_create(list);
	if (!it) {
		rc = -ENOMEM;
		goto out;
	}
	for (struct nftnl_rule *r = nftnl_rule_list_iter_next(it); r && !rc;
	     r = nftnl_rule_list_iter_next(it))
		if (nft_rule_uses_set(r, j->set))
			rc = match_rule(s, j, r, want, have, want[j->n_rules]);
out:
	if (it)
		nftnl_rule_list_iter_destroy(it);
	if (list)
		nftnl_rule_list_free(list);
	free(want);
	return rc;
}

int nft_rules_of_set(struct nft_sock *s, const struct nft_jail *j, uint64_t **handles, unsigned *n)
{
	struct nftnl_rule_list *list = nftnl_rule_list_alloc();
	struct nftnl_rule_list_iter *it = NULL;
	uint64_t *h = NULL;
	unsigned cnt = 0, cap = 0;
	int rc;

	*handles = NULL;
	*n = 0;
	if (!list)
		return -ENOMEM;
	rc = nft_query_rules(s, j, list);
	if (rc)
		goto out;
	it = nftnl_rule_list_iter_create(list);
	if (!it) {
		rc = -ENOMEM;
		goto out;
	}
	for (struct nftnl_rule *r = nftnl_rule_list_iter_next(it); r; r = nftnl_rule_list_iter_next(it)) {
		if (!nft_rule_uses_set(r, j->set))
			continue;
		if (cnt == cap) {
			uint64_t *nh = realloc(h, (cap = cap ? 2 * cap : 16) * sizeof(*h));

			if (!nh) {
				rc = -ENOMEM;
				goto out;
			}
			h = nh;
		}
		h[cnt++] = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	}
out:
	if (it)
		nftnl_rule_list_iter_destroy(it);
	nftnl_rule_list_free(list);
	if (rc) {
		free(h);
		return rc;
	}
	*handles = h;
	*n = cnt;
	return 0;
}
