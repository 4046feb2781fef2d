// SPDX-License-Identifier: GPL-2.0-or-later
/* msg.c - see msg.h. */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "msg.h"

#define FAM(j) nft_family_name((j)->table_family)

int nft_msg_setup(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j)
{
	struct nftnl_table *t = NULL;
	struct nftnl_chain *c = NULL;
	struct nftnl_set *set = NULL;
	int rc;

	rc = nft_build_table(j, &t);
	if (!rc)
		rc = nft_build_chain(j, &c);
	if (!rc)
		rc = nft_build_set(j, &set);
	if (rc)
		goto out;
	rc = nft_batch_table(b, s, NFT_MSG_NEWTABLE, j->table_family, NLM_F_CREATE, t,
			     "add table %s %s", FAM(j), j->table);
	if (!rc)
		rc = nft_batch_chain(b, s, NFT_MSG_NEWCHAIN, j->table_family, NLM_F_CREATE, c,
				     "add chain %s %s %s", FAM(j), j->table, j->chain);
	if (!rc)
		rc = nft_batch_set(b, s, NFT_MSG_NEWSET, j->table_family, NLM_F_CREATE, set,
				   "add set %s %s %s", FAM(j), j->table, j->set);
out:
	if (t)
		nftnl_table_free(t);
	if (c)
		nftnl_chain_free(c);
	if (set)
		nftnl_set_free(set);
	return rc;
}

int nft_msg_rule(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j, unsigned i)
{
	const char *what = j->rules[i].what;
	struct nftnl_set *anon = NULL;
	struct nftnl_rule *r = NULL;
	int rc;

	rc = nft_build_anon_set(j, i, &anon);
	if (!rc)
		rc = nft_build_rule(j, i, &r);
	if (rc)
		goto out;
	if (anon)
		rc = nft_batch_set(b, s, NFT_MSG_NEWSET, j->table_family, NLM_F_CREATE, anon,
				   "add anonymous set (%s) to %s %s", what, FAM(j), j->table);
	if (anon && !rc)
		rc = nft_batch_elems(b, s, NFT_MSG_NEWSETELEM, j->table_family, NLM_F_CREATE, anon,
				     "add elements to anonymous set (%s) in %s %s", what, FAM(j),
				     j->table);
	if (!rc)
		rc = nft_batch_rule(b, s, NFT_MSG_NEWRULE, j->table_family, NLM_F_CREATE | NLM_F_APPEND,
				    r, "add rule (%s) to %s %s %s", what, FAM(j), j->table, j->chain);
out:
	if (anon)
		nftnl_set_free(anon);
	if (r)
		nftnl_rule_free(r);
	return rc;
}

/* A set message (elements or not) for the jail's named set. */
static int set_msg(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j,
		   struct nftnl_set *set, uint16_t type, uint16_t flags, const char *verb)
{
	int rc = type == NFT_MSG_DELSET
		? nft_batch_set(b, s, type, j->table_family, flags, set, "%s set %s %s %s", verb,
				FAM(j), j->table, j->set)
		: nft_batch_elems(b, s, type, j->table_family, flags, set, "%s set %s %s %s", verb,
				  FAM(j), j->table, j->set);

	nftnl_set_free(set);
	return rc;
}

int nft_msg_addr(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j,
		 const struct nfban_addr *a, unsigned n, uint16_t type)
{
	bool add = type == NFT_MSG_NEWSETELEM;
	struct nlmsghdr *nlh;
	int rc;

	nlh = nft_batch_add_text(b, s, type, j->table_family, add ? NLM_F_CREATE : 0,
				 j->elem_what[!add]);
	if (!nlh)
		return -ENOMEM;
	rc = nft_put_addr_elems(nlh, j, a, n);
	return rc ? rc : nft_batch_add_done(b, nlh);
}

int nft_msg_flush(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j)
{
	struct nftnl_set *set;
	int rc = nft_build_set_ref(j, &set);

	return rc ? rc : set_msg(b, s, j, set, NFT_MSG_DELSETELEM, 0, "flush");
}

int nft_msg_del_set(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j)
{
	struct nftnl_set *set;
	int rc = nft_build_set_ref(j, &set);

	return rc ? rc : set_msg(b, s, j, set, NFT_MSG_DELSET, 0, "delete");
}

int nft_msg_del_rule(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j,
		     uint64_t handle)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	int rc = -ENOMEM;

	if (r && nftnl_rule_set_str(r, NFTNL_RULE_TABLE, j->table) == 0 &&
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, j->chain) == 0) {
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
		rc = nft_batch_rule(b, s, NFT_MSG_DELRULE, j->table_family, 0, r,
				    "delete rule %llu from %s %s %s", (unsigned long long)handle, FAM(j),
				    j->table, j->chain);
	}
	if (r)
		nftnl_rule_free(r);
	return rc;
}

int nft_msg_del_table(struct nft_batch *b, struct nft_sock *s, const struct nft_jail *j)
{
	struct nftnl_table *t = NULL;
	int rc = nft_build_table(j, &t);

	if (rc)
		return rc;
	rc = nft_batch_table(b, s, NFT_MSG_DELTABLE, j->table_family, 0, t, "delete table %s %s",
			     FAM(j), j->table);
	nftnl_table_free(t);
	return rc;
}
