// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_objects.c - every object the nftables plugin sends, built from a
 * jail spec (struct nft_spec), serialised to a netlink message, parsed back with libnftnl
 * and compared: attributes, byte orders, set userdata (golden bytes as nft
 * 1.0.6 sends them, captured with an LD_PRELOAD dump of its sendmsg), and
 * rules as `nft --debug=netlink` prints the rule nft itself builds for the
 * stock command.  No root, no kernel.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "../../plugins/nft/jail.h"
#include "nft_params.h"

static char buf[65536];

static struct nft_spec params(enum nfban_family fam, const char *ports)
{
	return nft_test_spec(fam, ports);
}

static void add_proto(struct nft_spec *p, uint8_t number, const char *name)
{
	struct value_proto *pr = &p->protos.v[p->protos.n++];

	*pr = p->protos.v[0];
	pr->number = number;
	snprintf(pr->name, sizeof(pr->name), "%s", name);
}

static struct nft_jail jail(const struct nft_spec *p)
{
	struct nft_jail j;
	char why[NFBAN_MSG_MAX] = "";
	int rc = nft_jail_init(&j, p, why, sizeof(why));

	if (rc)
		fail_msg("nft_jail_init: %s", why);
	return j;
}

static struct nlmsghdr *hdr(uint16_t type, uint8_t family)
{
	memset(buf, 0, sizeof(buf));
	return nftnl_nlmsg_build_hdr(buf, type, family, NLM_F_CREATE | NLM_F_ACK, 7);
}

static void assert_bytes(const void *got, uint32_t len, const uint8_t *want, uint32_t wlen)
{
	assert_int_equal(len, wlen);
	assert_memory_equal(got, want, wlen);
}

static void test_table(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "22");
	struct nft_jail j = jail(&p);
	struct nftnl_table *t, *back = nftnl_table_alloc();
	struct nlmsghdr *nlh = hdr(NFT_MSG_NEWTABLE, j.table_family);

	(void)state;
	assert_int_equal(nft_build_table(&j, &t), 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	assert_int_equal(nftnl_table_nlmsg_parse(nlh, back), 0);
	assert_string_equal(nftnl_table_get_str(back, NFTNL_TABLE_NAME), "f2b-table");
	assert_int_equal(nftnl_table_get_u32(back, NFTNL_TABLE_FAMILY), NFPROTO_INET);
	/* No flags: an existing table keeps its own. */
	assert_false(nftnl_table_is_set(back, NFTNL_TABLE_FLAGS));
	nftnl_table_free(t);
	nftnl_table_free(back);
}

static void test_chain(void **state)
{
	struct nft_spec p = params(NFBAN_INET6, "22");
	struct nftnl_chain *c, *back = nftnl_chain_alloc();
	struct nft_jail j;
	struct nlmsghdr *nlh;

	(void)state;
	p.table_family = NFPROTO_IPV6;
	p.hook = NF_INET_FORWARD;
	p.prio = -150;
	j = jail(&p);
	nlh = hdr(NFT_MSG_NEWCHAIN, j.table_family);
	assert_int_equal(nft_build_chain(&j, &c), 0);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	assert_int_equal(nftnl_chain_nlmsg_parse(nlh, back), 0);
	assert_string_equal(nftnl_chain_get_str(back, NFTNL_CHAIN_TABLE), "f2b-table");
	assert_string_equal(nftnl_chain_get_str(back, NFTNL_CHAIN_NAME), "f2b-chain");
	assert_string_equal(nftnl_chain_get_str(back, NFTNL_CHAIN_TYPE), "filter");
	assert_int_equal(nftnl_chain_get_u32(back, NFTNL_CHAIN_HOOKNUM), NF_INET_FORWARD);
	assert_int_equal(nftnl_chain_get_s32(back, NFTNL_CHAIN_PRIO), -150);
	assert_int_equal(nftnl_chain_get_u32(back, NFTNL_CHAIN_FAMILY), NFPROTO_IPV6);
	/* No policy, as `add chain ... { type filter hook input priority -1; }`. */
	assert_false(nftnl_chain_is_set(back, NFTNL_CHAIN_POLICY));
	nftnl_chain_free(c);
	nftnl_chain_free(back);
}

/* Serialise s as a NEWSET message and parse it back. */
static struct nftnl_set *set_roundtrip(const struct nft_jail *j, struct nftnl_set *s)
{
	struct nftnl_set *back = nftnl_set_alloc();
	struct nlmsghdr *nlh = hdr(NFT_MSG_NEWSET, j->table_family);

	nftnl_set_nlmsg_build_payload(nlh, s);
	assert_int_equal(nftnl_set_nlmsg_parse(nlh, back), 0);
	return back;
}

/* The elements of the NEWSETELEM message nlh, parsed back. */
static struct nftnl_set *elems_parse(struct nlmsghdr *nlh)
{
	struct nftnl_set *back = nftnl_set_alloc();
	struct nlattr *a, *e;

	/*
	 * libnftnl numbers the elements' nests 1, 2, 3... (so does nft, and
	 * so does nft_put_addr_elems; the kernel ignores the type) but parses
	 * only NFTA_LIST_ELEM, which is what the kernel answers with: relabel
	 * them as the kernel would.
	 */
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_ELEMENTS)
			mnl_attr_for_each_nested(e, a)
				e->nla_type = NFTA_LIST_ELEM | NLA_F_NESTED;
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, back), 0);
	return back;
}

/* Serialise the elements of s as a NEWSETELEM message and parse them back. */
static struct nftnl_set *elems_roundtrip(const struct nft_jail *j, struct nftnl_set *s)
{
	struct nlmsghdr *nlh = hdr(NFT_MSG_NEWSETELEM, j->table_family);

	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return elems_parse(nlh);
}

/*
 * A ban's message for a[0..n-1] by nft_put_addr_elems, checked byte for
 * byte against what libnftnl writes for the jail's set holding those
 * elements, and parsed back.
 */
static struct nftnl_set *addr_elems(const struct nft_jail *j, const struct nfban_addr *a,
				    unsigned n)
{
	static char ref[sizeof(buf)];
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh, *want;

	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, j->table_family);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, j->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, j->set);
	for (unsigned i = 0; i < n; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();

		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, a[i].u.bytes,
				   a[i].family == NFBAN_INET6 ? 16 : 4);
		nftnl_set_elem_add(s, e);
	}
	memset(ref, 0, sizeof(ref));
	want = nftnl_nlmsg_build_hdr(ref, NFT_MSG_NEWSETELEM, j->table_family,
				     NLM_F_CREATE | NLM_F_ACK, 7);
	nftnl_set_elems_nlmsg_build_payload(want, s);
	nftnl_set_free(s);
	nlh = hdr(NFT_MSG_NEWSETELEM, j->table_family);
	assert_int_equal(nft_put_addr_elems(nlh, j, a, n), 0);
	assert_bytes(nlh, nlh->nlmsg_len, (const uint8_t *)want, want->nlmsg_len);
	return elems_parse(nlh);
}

static void test_named_sets(void **state)
{
	static const uint8_t udata[] = { 0x00, 0x04, 0x02, 0x00, 0x00, 0x00 }; /* key big endian */
	enum nfban_family fams[] = { NFBAN_INET4, NFBAN_INET6 };

	(void)state;
	for (unsigned f = 0; f < 2; f++) {
		struct nft_spec p = params(fams[f], "22");
		struct nft_jail j = jail(&p);
		struct nftnl_set *s, *back;
		const void *ud;
		uint32_t len;

		assert_int_equal(nft_build_set(&j, &s), 0);
		back = set_roundtrip(&j, s);
		assert_string_equal(nftnl_set_get_str(back, NFTNL_SET_NAME),
				    f ? "addr6-set-sshd" : "addr-set-sshd");
		assert_string_equal(nftnl_set_get_str(back, NFTNL_SET_TABLE), "f2b-table");
		assert_true(nftnl_set_is_set(back, NFTNL_SET_FLAGS));
		assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_FLAGS), 0);
		assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_KEY_TYPE), f ? 8 : 7);
		assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_KEY_LEN), f ? 16 : 4);
		assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_ID), NFT_NAMED_SET_ID);
		assert_false(nftnl_set_is_set(back, NFTNL_SET_DESC_SIZE));
		ud = nftnl_set_get_data(back, NFTNL_SET_USERDATA, &len);
		assert_bytes(ud, len, udata, sizeof(udata));
		nftnl_set_free(s);
		nftnl_set_free(back);
	}
}

struct want_elem {
	uint8_t key[2];
	uint32_t keylen;
	bool end;
	bool open;
};

static void assert_elems(struct nftnl_set *s, const struct want_elem *w, unsigned n)
{
	struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(s);
	struct nftnl_set_elem *e;
	unsigned i = 0;

	for (e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it), i++) {
		static const uint8_t open_ud[] = { 0x01, 0x04, 0x01, 0x00, 0x00, 0x00 };
		uint32_t len;
		const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

		assert_true(i < n);
		assert_bytes(key, len, w[i].key, w[i].keylen);
		assert_int_equal(nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS), w[i].end);
		if (w[i].end)
			assert_int_equal(nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS),
					 NFT_SET_ELEM_INTERVAL_END);
		assert_int_equal(nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA), w[i].open);
		if (w[i].open) {
			const void *ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);

			assert_bytes(ud, len, open_ud, sizeof(open_ud));
		}
	}
	nftnl_set_elems_iter_destroy(it);
	assert_int_equal(i, n);
}

/* tcp dport { 22, 80-90 }: nft's interval set, as sent for the stock command. */
static void test_anon_interval_set(void **state)
{
	static const uint8_t udata[] = {
		0x00, 0x04, 0x02, 0x00, 0x00, 0x00,             /* key byteorder: big endian */
		0x02, 0x04, 0x01, 0x00, 0x00, 0x00,             /* merge elements */
		0x03, 0x14, 0x00, 0x04, 0x07, 0x00, 0x00, 0x00, /* typeof: payload */
		0x01, 0x0c, 0x00, 0x04, 0x08, 0x00, 0x00, 0x00, /*   tcp */
		0x01, 0x04, 0x02, 0x00, 0x00, 0x00,             /*   dport */
	};
	static const struct want_elem want[] = {
		{ { 0x00, 0x00 }, 2, true, false }, { { 0x00, 0x16 }, 2, false, false },
		{ { 0x00, 0x17 }, 2, true, false }, { { 0x00, 0x50 }, 2, false, false },
		{ { 0x00, 0x5b }, 2, true, false },
	};
	struct nft_spec p = params(NFBAN_INET4, "22,80-90");
	struct nft_jail j = jail(&p);
	struct nftnl_set *s, *back, *elems;
	const void *ud;
	uint32_t len;

	(void)state;
	assert_int_equal(nft_build_anon_set(&j, 0, &s), 0);
	assert_non_null(s);
	back = set_roundtrip(&j, s);
	assert_string_equal(nftnl_set_get_str(back, NFTNL_SET_NAME), "__set%d");
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_FLAGS),
			 NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_KEY_TYPE), 13);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_KEY_LEN), 2);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_ID), NFT_ANON_SET_ID(0));
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_DESC_SIZE), 5);
	ud = nftnl_set_get_data(back, NFTNL_SET_USERDATA, &len);
	assert_bytes(ud, len, udata, sizeof(udata));
	elems = elems_roundtrip(&j, s);
	assert_int_equal(nftnl_set_get_u32(elems, NFTNL_SET_ID), NFT_ANON_SET_ID(0));
	assert_elems(elems, want, 5);
	nftnl_set_free(s);
	nftnl_set_free(back);
	nftnl_set_free(elems);
}

/* udp dport { 5, 6 }: no ranges, no interval flag, elements in the order given. */
static void test_anon_plain_set(void **state)
{
	static const uint8_t udata[] = {
		0x00, 0x04, 0x02, 0x00, 0x00, 0x00,
		0x03, 0x14, 0x00, 0x04, 0x07, 0x00, 0x00, 0x00,
		0x01, 0x0c, 0x00, 0x04, 0x06, 0x00, 0x00, 0x00, /* udp */
		0x01, 0x04, 0x02, 0x00, 0x00, 0x00,
	};
	static const struct want_elem want[] = {
		{ { 0x00, 0x06 }, 2, false, false }, { { 0x00, 0x05 }, 2, false, false },
		{ { 0x00, 0x06 }, 2, false, false },
	};
	struct nft_spec p = params(NFBAN_INET6, "6,5,6");
	struct nftnl_set *s, *back, *elems;
	struct nft_jail j;
	const void *ud;
	uint32_t len;

	(void)state;
	p.protos.v[0].number = IPPROTO_UDP;
	j = jail(&p);
	assert_int_equal(nft_build_anon_set(&j, 0, &s), 0);
	back = set_roundtrip(&j, s);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_FLAGS), NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_DESC_SIZE), 3);
	ud = nftnl_set_get_data(back, NFTNL_SET_USERDATA, &len);
	assert_bytes(ud, len, udata, sizeof(udata));
	elems = elems_roundtrip(&j, s);
	assert_elems(elems, want, 3);
	nftnl_set_free(s);
	nftnl_set_free(back);
	nftnl_set_free(elems);
}

/* meta l4proto { tcp, udp }: a set of inet_proto, host byte order, typeof meta. */
static void test_anon_l4proto_set(void **state)
{
	static const uint8_t udata[] = {
		0x00, 0x04, 0x01, 0x00, 0x00, 0x00,             /* key byteorder: host */
		0x03, 0x0e, 0x00, 0x04, 0x09, 0x00, 0x00, 0x00, /* typeof: meta */
		0x01, 0x06, 0x00, 0x04, 0x10, 0x00, 0x00, 0x00, /*   l4proto */
	};
	static const struct want_elem want[] = {
		{ { IPPROTO_TCP }, 1, false, false }, { { IPPROTO_UDP }, 1, false, false },
	};
	struct nft_spec p = params(NFBAN_INET4, "");
	struct nftnl_set *s, *back, *elems;
	struct nft_jail j;
	const void *ud;
	uint32_t len;

	(void)state;
	p.allports = true;
	add_proto(&p, IPPROTO_UDP, "udp");
	j = jail(&p);
	assert_int_equal(j.n_rules, 1);
	assert_int_equal(nft_build_anon_set(&j, 0, &s), 0);
	back = set_roundtrip(&j, s);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_KEY_TYPE), 12);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_KEY_LEN), 1);
	assert_int_equal(nftnl_set_get_u32(back, NFTNL_SET_FLAGS), NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	ud = nftnl_set_get_data(back, NFTNL_SET_USERDATA, &len);
	assert_bytes(ud, len, udata, sizeof(udata));
	elems = elems_roundtrip(&j, s);
	assert_elems(elems, want, 2);
	nftnl_set_free(s);
	nftnl_set_free(back);
	nftnl_set_free(elems);
}

/* A range to 65535 has no end element: the open-interval flag in its userdata. */
static void test_open_interval(void **state)
{
	static const struct want_elem want[] = {
		{ { 0x00, 0x00 }, 2, false, false }, { { 0x00, 0x0b }, 2, true, false },
		{ { 0xff, 0xff }, 2, false, true },
	};
	struct nft_spec p = params(NFBAN_INET4, "0-10,65535");
	struct nft_jail j = jail(&p);
	struct nftnl_set *s, *elems;

	(void)state;
	assert_int_equal(nft_build_anon_set(&j, 0, &s), 0);
	elems = elems_roundtrip(&j, s);
	assert_elems(elems, want, 3);
	nftnl_set_free(s);
	nftnl_set_free(elems);
}

/* No anonymous set for one port, one range or one protocol. */
static void test_no_anon_set_for_one_value(void **state)
{
	const char *lists[] = { "22", "80-90" };

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		struct nft_spec p = params(NFBAN_INET4, lists[i]);
		struct nft_jail j = jail(&p);
		struct nftnl_set *s = (struct nftnl_set *)&p;

		assert_int_equal(nft_build_anon_set(&j, 0, &s), 0);
		assert_null(s);
	}
}

/* Ban element: the address bytes as they are (network order), nothing else. */
static void test_addr_elements(void **state)
{
	enum nfban_family fams[] = { NFBAN_INET4, NFBAN_INET6 };
	const char *addrs[] = { "192.0.2.1", "2001:db8::1" };

	(void)state;
	for (unsigned f = 0; f < 2; f++) {
		struct nft_spec p = params(fams[f], "22");
		struct nft_jail j = jail(&p);
		struct nfban_addr a = { .family = fams[f], .prefix = f ? 128 : 32 };
		struct want_elem w = { .keylen = f ? 16 : 4 };
		struct nftnl_set *back;
		uint8_t raw[16];

		inet_pton(f ? AF_INET6 : AF_INET, addrs[f], a.u.bytes);
		memcpy(raw, a.u.bytes, 16);
		back = addr_elems(&j, &a, 1);
		assert_string_equal(nftnl_set_get_str(back, NFTNL_SET_NAME),
				    f ? "addr6-set-sshd" : "addr-set-sshd");
		assert_false(nftnl_set_is_set(back, NFTNL_SET_ID));
		{
			struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(back);
			struct nftnl_set_elem *e = nftnl_set_elems_iter_next(it);
			uint32_t len;
			const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

			assert_bytes(key, len, raw, w.keylen);
			assert_null(nftnl_set_elems_iter_next(it));
			nftnl_set_elems_iter_destroy(it);
		}
		nftnl_set_free(back);
		/* The other family's address does not go into this set. */
		a.family = f ? NFBAN_INET4 : NFBAN_INET6;
		assert_int_equal(nft_put_addr_elems(hdr(NFT_MSG_NEWSETELEM, j.table_family), &j, &a, 1),
				 -EINVAL);
	}
}

/* A group's ban: its addresses as the elements of one message, in order, each parsed back; one
 * of the other family refuses the whole group. */
static void test_addr_elements_of_a_group(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "22");
	struct nft_jail j = jail(&p);
	const char *ips[] = { "192.0.2.1", "198.51.100.7", "203.0.113.255" };
	struct nfban_addr a[3];
	struct nftnl_set_elems_iter *it;
	struct nftnl_set *back;
	unsigned n = 0;

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		a[i] = (struct nfban_addr){ .family = NFBAN_INET4, .prefix = 32 };
		inet_pton(AF_INET, ips[i], a[i].u.bytes);
	}
	back = addr_elems(&j, a, 3);
	it = nftnl_set_elems_iter_create(back);
	for (struct nftnl_set_elem *e; (e = nftnl_set_elems_iter_next(it)); n++) {
		uint32_t len;
		const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

		assert_true(n < 3);
		assert_bytes(key, len, a[n].u.bytes, 4);
	}
	nftnl_set_elems_iter_destroy(it);
	assert_int_equal(n, 3);
	nftnl_set_free(back);
	a[2].family = NFBAN_INET6;
	assert_int_equal(nft_put_addr_elems(hdr(NFT_MSG_NEWSETELEM, j.table_family), &j, a, 3),
			 -EINVAL);
}

/*
 * The expressions of r, one line each as `nft --debug=netlink` shows them:
 * "  [ <name> <expression's own text>]\n".  The lines are put together here from
 * each expression's text rather than taken from nftnl_rule_snprintf(), whose framing
 * differs by release (libnftnl 1.2.9 no longer ends the last line in a newline).
 */
static void expr_lines(const struct nftnl_rule *r, char *txt, size_t size)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	size_t n = 0;
	int len;

	assert_non_null(it);
	txt[0] = '\0';
	while ((e = nftnl_expr_iter_next(it))) {
		len = snprintf(txt + n, size - n, "  [ %s ", nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
		assert_true(len > 0 && (size_t)len < size - n);
		n += (size_t)len;
		len = nftnl_expr_snprintf(txt + n, size - n, e, NFTNL_OUTPUT_DEFAULT, 0);
		assert_true(len >= 0 && (size_t)len < size - n);
		n += (size_t)len;
		len = snprintf(txt + n, size - n, "]\n");
		assert_true(len > 0 && (size_t)len < size - n);
		n += (size_t)len;
	}
	nftnl_expr_iter_destroy(it);
}

/* Rule i of p, serialised, parsed back, its expressions as `nft --debug=netlink` shows them. */
static void assert_rule(const struct nft_spec *p, unsigned i, const char *want)
{
	struct nft_jail j = jail(p);
	struct nftnl_rule *r, *back = nftnl_rule_alloc();
	struct nlmsghdr *nlh = hdr(NFT_MSG_NEWRULE, j.table_family);
	char txt[4096];

	assert_int_equal(nft_build_rule(&j, i, &r), 0);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, back), 0);
	assert_string_equal(nftnl_rule_get_str(back, NFTNL_RULE_TABLE), p->table);
	assert_string_equal(nftnl_rule_get_str(back, NFTNL_RULE_CHAIN), p->chain);
	expr_lines(back, txt, sizeof(txt));
	assert_string_equal(txt, want);
	nftnl_rule_free(r);
	nftnl_rule_free(back);
}

/* nft --debug=netlink add rule inet f2b-table f2b-chain tcp dport { 22, 80-90 } ip saddr @addr-set-sshd reject */
static void test_rule_multiport_set(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "22,80-90");

	(void)state;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000006 ]\n"
		    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		    "  [ lookup reg 1 set __set%d ]\n"
		    "  [ meta load nfproto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000002 ]\n"
		    "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr-set-sshd ]\n"
		    "  [ reject type 0 code 3 ]\n");
}

/* ... tcp dport { ssh } ...: one port is a compare, in network byte order. */
static void test_rule_one_port(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "22");

	(void)state;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000006 ]\n"
		    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00001600 ]\n"
		    "  [ meta load nfproto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000002 ]\n"
		    "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr-set-sshd ]\n"
		    "  [ reject type 0 code 3 ]\n");
}

/* ... tcp dport { 80-90 } ... reject with icmp type host-prohibited */
static void test_rule_one_range(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "80-90");

	(void)state;
	p.block.reject = VALUE_NFT_REJECT_ICMP;
	p.block.icmp_code = ICMP_HOST_ANO;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000006 ]\n"
		    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		    "  [ cmp gte reg 1 0x00005000 ]\n"
		    "  [ cmp lte reg 1 0x00005a00 ]\n"
		    "  [ meta load nfproto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000002 ]\n"
		    "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr-set-sshd ]\n"
		    "  [ reject type 0 code 10 ]\n");
}

/* ... meta l4proto { tcp, udp } ip6 saddr @addr6-set-sshd reject with icmpx type admin-prohibited */
static void test_rule_allports_ipv6_icmpx(void **state)
{
	struct nft_spec p = params(NFBAN_INET6, "");

	(void)state;
	p.allports = true;
	add_proto(&p, IPPROTO_UDP, "udp");
	p.block.reject = VALUE_NFT_REJECT_ICMPX;
	p.block.icmp_code = NFT_REJECT_ICMPX_ADMIN_PROHIBITED;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ lookup reg 1 set __set%d ]\n"
		    "  [ meta load nfproto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x0000000a ]\n"
		    "  [ payload load 16b @ network header + 8 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr6-set-sshd ]\n"
		    "  [ reject type 2 code 3 ]\n");
}

/* ... meta l4proto { tcp } ip saddr @addr-set-sshd reject with tcp reset */
static void test_rule_allports_tcp_reset(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "");

	(void)state;
	p.allports = true;
	p.block.reject = VALUE_NFT_REJECT_TCP_RESET;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000006 ]\n"
		    "  [ meta load nfproto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000002 ]\n"
		    "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr-set-sshd ]\n"
		    "  [ reject type 1 code 0 ]\n");
}

/* nft add rule ip6 t c udp dport 53 ip6 saddr @s reject (ip6 table: no nfproto), then drop. */
static void test_rule_ip6_table_and_drop(void **state)
{
	struct nft_spec p = params(NFBAN_INET6, "53");

	(void)state;
	p.protos.v[0].number = IPPROTO_UDP;
	p.table_family = NFPROTO_IPV6;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000011 ]\n"
		    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00003500 ]\n"
		    "  [ payload load 16b @ network header + 8 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr6-set-sshd ]\n"
		    "  [ reject type 0 code 4 ]\n");
	p.block.kind = VALUE_NFT_DROP;
	p.protos.v[0].number = IPPROTO_DCCP;
	assert_rule(&p, 0,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000021 ]\n"
		    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00003500 ]\n"
		    "  [ payload load 16b @ network header + 8 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr6-set-sshd ]\n"
		    "  [ immediate reg 0 drop ]\n");
}

/* Two protocols: two rules, each its own anonymous set ID; ICMPv6 codes as given. */
static void test_two_protocols(void **state)
{
	struct nft_spec p = params(NFBAN_INET6, "1,2");
	struct nft_jail j;
	struct nftnl_set *s0, *s1;

	(void)state;
	add_proto(&p, IPPROTO_SCTP, "sctp");
	p.block.reject = VALUE_NFT_REJECT_ICMPV6;
	p.block.icmp_code = ICMPV6_ADM_PROHIBITED;
	j = jail(&p);
	assert_int_equal(j.n_rules, 2);
	assert_int_equal(nft_build_anon_set(&j, 0, &s0), 0);
	assert_int_equal(nft_build_anon_set(&j, 1, &s1), 0);
	assert_int_not_equal(nftnl_set_get_u32(s0, NFTNL_SET_ID), nftnl_set_get_u32(s1, NFTNL_SET_ID));
	nftnl_set_free(s0);
	nftnl_set_free(s1);
	assert_rule(&p, 1,
		    "  [ meta load l4proto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x00000084 ]\n"
		    "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		    "  [ lookup reg 1 set __set%d ]\n"
		    "  [ meta load nfproto => reg 1 ]\n"
		    "  [ cmp eq reg 1 0x0000000a ]\n"
		    "  [ payload load 16b @ network header + 8 => reg 1 ]\n"
		    "  [ lookup reg 1 set addr6-set-sshd ]\n"
		    "  [ reject type 0 code 1 ]\n");
	/* The lookup carries the anonymous set's batch ID. */
	{
		struct nftnl_rule *r;
		struct nftnl_expr_iter *it;
		struct nftnl_expr *e;
		unsigned ids = 0;

		assert_int_equal(nft_build_rule(&j, 1, &r), 0);
		it = nftnl_expr_iter_create(r);
		while ((e = nftnl_expr_iter_next(it)))
			if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "lookup") == 0)
				ids = ids * 10 + nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SET_ID);
		nftnl_expr_iter_destroy(it);
		assert_int_equal(ids, NFT_ANON_SET_ID(1) * 10 + NFT_NAMED_SET_ID);
		nftnl_rule_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_named_sets),
		cmocka_unit_test(test_anon_interval_set),
		cmocka_unit_test(test_anon_plain_set),
		cmocka_unit_test(test_anon_l4proto_set),
		cmocka_unit_test(test_open_interval),
		cmocka_unit_test(test_no_anon_set_for_one_value),
		cmocka_unit_test(test_addr_elements),
		cmocka_unit_test(test_addr_elements_of_a_group),
		cmocka_unit_test(test_rule_multiport_set),
		cmocka_unit_test(test_rule_one_port),
		cmocka_unit_test(test_rule_one_range),
		cmocka_unit_test(test_rule_allports_ipv6_icmpx),
		cmocka_unit_test(test_rule_allports_tcp_reset),
		cmocka_unit_test(test_rule_ip6_table_and_drop),
		cmocka_unit_test(test_two_protocols),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
