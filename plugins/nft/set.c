// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * set.c - the jail's named set, the anonymous sets of its rules, and the
 * element messages of ban, unban and flush.
 *
 * The set userdata is what nft 1.0.6 writes (src/mnl.c, src/payload.c,
 * src/meta.c), because `nft list` reads it back to print the keys:
 *   NFTNL_UDATA_SET_KEYBYTEORDER  u32: 2 (big endian) for addresses and
 *                                 ports, 1 (host) for a protocol number;
 *   NFTNL_UDATA_SET_MERGE_ELEMENTS u32 1 on interval sets;
 *   NFTNL_UDATA_SET_KEY_TYPEOF    nest { expression type, nest { ... } }:
 *                                 payload (7) { proto desc id, field },
 *                                 meta (9) { key } - anonymous sets only.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "jail.h"

/* nft's enum byteorder (src/datatype.h) in set userdata, not the kernel's nft_byteorder. */
enum { NFT_UDATA_BYTEORDER_HOST = 1, NFT_UDATA_BYTEORDER_BIG = 2 };
enum { NFT_EXPR_PAYLOAD = 7, NFT_EXPR_META = 9 };   /* nft's enum expr_types */
enum { NFT_UDATA_TYPEOF_DESC = 0, NFT_UDATA_TYPEOF_FIELD = 1 };
#define NFT_PAYLOAD_FIELD_DPORT 2                    /* tcp/udp/sctp/dccp hdr fields */

/* nft's enum proto_desc_id (src/proto.h) for the dport payloads. */
static uint32_t proto_desc_id(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_UDP: return 6;
	case IPPROTO_TCP: return 8;
	case IPPROTO_DCCP: return 9;
	case IPPROTO_SCTP: return 10;
	default: return 0;
	}
}

static struct nftnl_set *set_new(const struct nft_jail *j, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, j->table_family);
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, j->table) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, name) < 0) {
		nftnl_set_free(s);
		return NULL;
	}
	return s;
}

/* Attach the userdata in u (freed here) to s. */
static int set_udata(struct nftnl_set *s, struct nftnl_udata_buf *u, bool ok)
{
	int rc = -ENOMEM;

	if (u && ok && nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(u),
					  nftnl_udata_buf_len(u)) == 0)
		rc = 0;
	if (u)
		nftnl_udata_buf_free(u);
	return rc;
}

int nft_build_set(const struct nft_jail *j, struct nftnl_set **out)
{
	struct nftnl_set *s = set_new(j, j->set);
	struct nftnl_udata_buf *u;
	bool ok;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, 0);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
			  j->addr_family == NFBAN_INET6 ? NFT_TYPE_IP6ADDR : NFT_TYPE_IPADDR);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, j->addr_family == NFBAN_INET6 ? 16 : 4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, NFT_NAMED_SET_ID);
	u = nftnl_udata_buf_alloc(64);
	ok = u && nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_UDATA_BYTEORDER_BIG);
	if (set_udata(s, u, ok) < 0) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

int nft_build_set_ref(const struct nft_jail *j, struct nftnl_set **out)
{
	*out = set_new(j, j->set);
	return *out ? 0 : -ENOMEM;
}

/*
 * Written in place, not through libnftnl's set and element objects (for one
 * address those are three allocations, two string copies and their frees:
 * a third of a long-lived host's ban outside the kernel): the attributes
 * nftnl_set_elems_nlmsg_build_payload writes for the same set (tests/unit
 * compares the bytes).  The element nests are numbered from 1, as libnftnl
 * and nft number them; the kernel reads any nest of the list as an element.
 */
int nft_put_addr_elems(struct nlmsghdr *nlh, const struct nft_jail *j,
		       const struct nfban_addr *a, unsigned n)
{
	uint32_t len = j->addr_family == NFBAN_INET6 ? 16 : 4;
	struct nlattr *list;

	if (n > NFBAN_PLUGIN_BANS_MAX)
		return -EMSGSIZE;       /* (256 x 28 bytes: far from the nest's 64 KiB) */
	for (unsigned i = 0; i < n; i++)
		if (a[i].family != j->addr_family)
			return -EINVAL;
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, j->set);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, j->table);
	if (!n)
		return 0;
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	for (unsigned i = 0; i < n; i++) {
		struct nlattr *elem = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));
		struct nlattr *key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);

		mnl_attr_put(nlh, NFTA_DATA_VALUE, len, a[i].u.bytes);
		mnl_attr_nest_end(nlh, key);
		mnl_attr_nest_end(nlh, elem);
	}
	mnl_attr_nest_end(nlh, list);
	return 0;
}

static bool typeof_udata(struct nftnl_udata_buf *u, const struct nft_rule_spec *rs)
{
	struct nftnl_udata *outer, *inner;

	outer = nftnl_udata_nest_start(u, NFTNL_UDATA_SET_KEY_TYPEOF);
	if (!outer || !nftnl_udata_put_u32(u, NFTNL_UDATA_SET_TYPEOF_EXPR,
					   rs->ports ? NFT_EXPR_PAYLOAD : NFT_EXPR_META))
		return false;
	inner = nftnl_udata_nest_start(u, NFTNL_UDATA_SET_TYPEOF_DATA);
	if (!inner)
		return false;
	if (rs->ports) {
		if (!nftnl_udata_put_u32(u, NFT_UDATA_TYPEOF_DESC, proto_desc_id(rs->l4proto)) ||
		    !nftnl_udata_put_u32(u, NFT_UDATA_TYPEOF_FIELD, NFT_PAYLOAD_FIELD_DPORT))
			return false;
	} else if (!nftnl_udata_put_u32(u, 0, NFT_META_L4PROTO))
		return false;
	nftnl_udata_nest_end(u, inner);
	nftnl_udata_nest_end(u, outer);
	return true;
}

static int add_elems(struct nftnl_set *s, const struct nft_rule_spec *rs)
{
	for (unsigned i = 0; i < rs->n_elems; i++) {
		const struct nft_elem *el = &rs->elems[i];
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint16_t port = htons(el->key);
		uint8_t proto = (uint8_t)el->key;
		int rc;

		if (!e)
			return -ENOMEM;
		rc = rs->ports ? nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &port, sizeof(port))
			       : nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &proto, sizeof(proto));
		if (el->end)
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		if (rc == 0 && el->open) {
			struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(16);

			rc = -1;
			if (u && nftnl_udata_put_u32(u, NFTNL_UDATA_SET_ELEM_FLAGS,
						     NFTNL_SET_ELEM_F_INTERVAL_OPEN))
				rc = nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(u),
							nftnl_udata_buf_len(u));
			if (u)
				nftnl_udata_buf_free(u);
		}
		if (rc < 0) {
			nftnl_set_elem_free(e);
			return -ENOMEM;
		}
		nftnl_set_elem_add(s, e);
	}
	return 0;
}

int nft_build_anon_set(const struct nft_jail *j, unsigned i, struct nftnl_set **out)
{
	const struct nft_rule_spec *rs;
	struct nftnl_udata_buf *u;
	struct nftnl_set *s;
	uint32_t flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	bool ok;

	*out = NULL;
	if (i >= j->n_rules)
		return -EINVAL;
	rs = &j->rules[i];
	if (rs->match != NFT_MATCH_SET && rs->match != NFT_MATCH_INTERVAL)
		return 0;
	if (rs->n_elems == 0)
		return -EINVAL;
	if (rs->match == NFT_MATCH_INTERVAL)
		flags |= NFT_SET_INTERVAL;
	s = set_new(j, "__set%d");
	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE,
			  rs->ports ? NFT_TYPE_INET_SERVICE : NFT_TYPE_INET_PROTOCOL);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, rs->ports ? 2 : 1);
	nftnl_set_set_u32(s, NFTNL_SET_ID, NFT_ANON_SET_ID(i));
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, rs->n_elems);
	u = nftnl_udata_buf_alloc(128);
	ok = u && nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER,
				      rs->ports ? NFT_UDATA_BYTEORDER_BIG : NFT_UDATA_BYTEORDER_HOST);
	if (ok && rs->match == NFT_MATCH_INTERVAL)
		ok = nftnl_udata_put_u32(u, NFTNL_UDATA_SET_MERGE_ELEMENTS, 1);
	ok = ok && typeof_udata(u, rs);
	if (set_udata(s, u, ok) < 0 || add_elems(s, rs) < 0) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}
