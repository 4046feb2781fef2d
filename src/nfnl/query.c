// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * query.c - dumps and gets, each one request with its answers checked by
 * nft_sock_query (port id, sequence number, errors).  For the nftables plugin
 * and the iptables plugins' nf_tables backend alike.  And nft_rule_list_each,
 * the one walk over the rules a query read.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "query.h"

/* A request needs far less: a header and two names of at most 256 bytes. */
#define REQ_SIZE 1024

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *g = nftnl_gen_alloc();
	int rc = MNL_CB_ERROR;

	errno = ENOMEM;
	if (g && nftnl_gen_nlmsg_parse(nlh, g) == 0 && nftnl_gen_is_set(g, NFTNL_GEN_ID)) {
		*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
		rc = MNL_CB_STOP;       /* the one answer: no ack was asked for */
	} else if (g)
		errno = EPROTO;
	if (g)
		nftnl_gen_free(g);
	return rc;
}

int nft_query_genid(struct nft_sock *s, uint32_t *genid)
{
	char buf[REQ_SIZE] = { 0 };  /* attribute padding is sent as is */
	struct nlmsghdr *nlh;
	uint32_t id = 0;
	int rc;

	/* No NLM_F_ACK: the answer is one NEWGEN, or an error (which comes unasked). */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, nft_sock_next_seq(s));
	rc = nft_sock_query(s, nlh, gen_cb, &id);
	if (rc == 0 && id == 0)
		rc = -EPROTO;
	*genid = id;
	return rc;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	nftnl_rule_list_add_tail(r, data);
	return MNL_CB_OK;
}

int nft_query_chain_rules(struct nft_sock *s, uint8_t family, const char *table,
			  const char *chain, struct nftnl_rule_list *out)
{
	char buf[REQ_SIZE] = { 0 };  /* attribute padding is sent as is */
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;
	int rc;

	if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0) {
		if (r)
			nftnl_rule_free(r);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family, NLM_F_DUMP, nft_sock_next_seq(s));
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	rc = nft_sock_query(s, nlh, rule_cb, out);
	return rc == -ENOENT ? 0 : rc;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nftnl_chain_nlmsg_parse(nlh, data) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int nft_query_chain(struct nft_sock *s, uint8_t family, const char *table, const char *chain,
		    struct nftnl_chain *out, bool *exists)
{
	char buf[REQ_SIZE] = { 0 };  /* attribute padding is sent as is */
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	int rc;

	*exists = false;
	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain) < 0) {
		if (c)
			nftnl_chain_free(c);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, family, NLM_F_ACK, nft_sock_next_seq(s));
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	/* A get names its table and chain: ENOENT means one is not there. */
	rc = nft_sock_query(s, nlh, chain_cb, out);
	if (rc == -ENOENT)
		return 0;
	*exists = rc == 0;
	return rc;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	*(bool *)data = true;
	return MNL_CB_OK;
}

int nft_query_table(struct nft_sock *s, uint8_t family, const char *table, bool *exists)
{
	char buf[REQ_SIZE] = { 0 };  /* attribute padding is sent as is */
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int rc;

	*exists = false;
	if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, table) < 0) {
		if (t)
			nftnl_table_free(t);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, family, NLM_F_ACK, nft_sock_next_seq(s));
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	rc = nft_sock_query(s, nlh, table_cb, exists);
	if (rc == -ENOENT) {
		*exists = false;
		return 0;
	}
	return rc;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *set = nftnl_set_alloc();

	if (!set) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	if (nftnl_set_nlmsg_parse(nlh, set) < 0) {
		nftnl_set_free(set);
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	nftnl_set_list_add_tail(set, data);
	return MNL_CB_OK;
}

int nft_query_sets(struct nft_sock *s, uint8_t family, const char *table,
		   struct nftnl_set_list *out, bool *exists)
{
	char buf[REQ_SIZE] = { 0 };  /* attribute padding is sent as is */
	struct nftnl_set *set = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int rc;

	*exists = false;
	if (!set || nftnl_set_set_str(set, NFTNL_SET_TABLE, table) < 0) {
		if (set)
			nftnl_set_free(set);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, family, NLM_F_DUMP, nft_sock_next_seq(s));
	nftnl_set_nlmsg_build_payload(nlh, set);
	nftnl_set_free(set);
	/* A set dump names its table: ENOENT means the table is not there. */
	rc = nft_sock_query(s, nlh, set_cb, out);
	if (rc == -ENOENT)
		return 0;
	*exists = rc == 0;
	return rc;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nftnl_set_elems_nlmsg_parse(nlh, data) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int nft_query_elems(struct nft_sock *s, uint8_t family, const char *table, const char *name,
		    struct nftnl_set *out)
{
	char buf[REQ_SIZE] = { 0 };  /* attribute padding is sent as is */
	struct nftnl_set *set = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	int rc;

	if (!set || nftnl_set_set_str(set, NFTNL_SET_TABLE, table) < 0 ||
	    nftnl_set_set_str(set, NFTNL_SET_NAME, name) < 0) {
		if (set)
			nftnl_set_free(set);
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, family, NLM_F_DUMP,
				    nft_sock_next_seq(s));
	nftnl_set_elems_nlmsg_build_payload(nlh, set);
	nftnl_set_free(set);
	rc = nft_sock_query(s, nlh, elem_cb, out);
	return rc;
}

int nft_rule_list_each(struct nftnl_rule_list *l, int (*fn)(struct nftnl_rule *r, void *data),
		       void *data)
{
	struct nftnl_rule_list_iter *it;
	struct nftnl_rule *r;
	int rc = 0;

	if (!l)
		return 0;
	it = nftnl_rule_list_iter_create(l);
	if (!it)
		return -ENOMEM;
	while (rc == 0 && (r = nftnl_rule_list_iter_next(it)))
		rc = fn(r, data);
	nftnl_rule_list_iter_destroy(it);
	return rc;
}
