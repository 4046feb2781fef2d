// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_logic.c - the nftables plugin's decisions without a kernel:
 * port lists normalised as nft 1.0.6 does (expectations captured from
 * `nft --debug=netlink`), parameters refused before anything is sent,
 * which kernel errnos mean "feature missing", rule signatures (how start
 * and check recognise a rule read back from the kernel), batch layout.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <linux/icmp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "../../plugins/nft/jail.h"
#include "nft_params.h"
#include "nfnl/sig.h"
#include "nfnl/backoff.h"
#include "nfnl/batch.h"


static struct nft_spec params(enum nfban_family fam, const char *ports)
{
	return nft_test_spec(fam, ports);
}

/* The elements as text: "0/e 22 24/e" ("/o": open interval). */
static void elems_text(const struct nft_rule_spec *rs, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < rs->n_elems; i++)
		len += (size_t)snprintf(out + len, n - len, "%s%u%s", i ? " " : "", rs->elems[i].key,
					rs->elems[i].end ? "/e" : rs->elems[i].open ? "/o" : "");
}

static void assert_ports(const char *ports, enum nft_match match, const char *elems)
{
	struct value_port_range r[VALUE_MAX_PORTS];
	struct nft_rule_spec rs;
	char why[NFBAN_MSG_MAX], txt[1024];

	memset(&rs, 0, sizeof(rs));
	assert_int_equal(nft_ports_match(&rs, r, nft_test_ports(ports, r), why, sizeof(why)), 0);
	assert_int_equal(rs.match, match);
	elems_text(&rs, txt, sizeof(txt));
	assert_string_equal(txt, elems);
}

static void test_port_normalisation(void **state)
{
	(void)state;
	assert_ports("22,22", NFT_MATCH_SET, "22 22");
	assert_ports("22,23", NFT_MATCH_SET, "22 23");
	assert_ports("22,80,22,80", NFT_MATCH_SET, "22 80 22 80");
	assert_ports("22,80-90", NFT_MATCH_INTERVAL, "0/e 22 23/e 80 91/e");
	assert_ports("22,20-30", NFT_MATCH_INTERVAL, "0/e 20 31/e");
	assert_ports("22,23-25", NFT_MATCH_INTERVAL, "0/e 22 26/e");
	assert_ports("22,23,80-90", NFT_MATCH_INTERVAL, "0/e 22 24/e 80 91/e");
	assert_ports("20-30,31-40", NFT_MATCH_INTERVAL, "0/e 20 41/e");
	assert_ports("80-90,85-95", NFT_MATCH_INTERVAL, "0/e 80 96/e");
	assert_ports("90,80-85", NFT_MATCH_INTERVAL, "0/e 80 86/e 90 91/e");
	assert_ports("30-40,10-20,25", NFT_MATCH_INTERVAL, "0/e 10 21/e 25 26/e 30 41/e");
	assert_ports("0-10,65535", NFT_MATCH_INTERVAL, "0 11/e 65535/o");
	assert_ports("65535,1-2", NFT_MATCH_INTERVAL, "0/e 1 3/e 65535/o");
	assert_ports("0-65535,7", NFT_MATCH_INTERVAL, "0/o");
}

static void test_one_port_or_range(void **state)
{
	struct value_port_range r[2];
	struct nft_rule_spec rs;
	char why[NFBAN_MSG_MAX];

	(void)state;
	memset(&rs, 0, sizeof(rs));
	assert_int_equal(nft_ports_match(&rs, r, nft_test_ports("22", r), why, sizeof(why)), 0);
	assert_int_equal(rs.match, NFT_MATCH_EQ);
	assert_int_equal(rs.lo, 22);
	assert_int_equal(nft_ports_match(&rs, r, nft_test_ports("65534-65535", r), why, sizeof(why)), 0);
	assert_int_equal(rs.match, NFT_MATCH_RANGE);
	assert_int_equal(rs.lo, 65534);
	assert_int_equal(rs.hi, 65535);
	assert_int_equal(rs.n_elems, 0);
	r[0].first = 90;
	r[0].last = 80;
	assert_int_equal(nft_ports_match(&rs, r, 1, why, sizeof(why)), -1);
	assert_int_equal(nft_ports_match(&rs, r, 0, why, sizeof(why)), -1);
}

static void test_sixty_four_ranges_fit(void **state)
{
	struct value_port_range r[VALUE_MAX_PORTS];
	struct nft_rule_spec rs;
	char why[NFBAN_MSG_MAX];

	(void)state;
	for (unsigned i = 0; i < VALUE_MAX_PORTS; i++) {
		r[i].first = (uint16_t)(1000 + 3 * i);
		r[i].last = (uint16_t)(1001 + 3 * i);
	}
	assert_int_equal(nft_ports_match(&rs, r, VALUE_MAX_PORTS, why, sizeof(why)), 0);
	assert_int_equal(rs.n_elems, NFT_MAX_ELEMS);
}

/* Refused with `rc` (which key is at fault: NFT_JAIL_BAD_*, or -1), saying why_part. */
static void assert_refused(const struct nft_spec *p, int rc, const char *why_part)
{
	struct nft_jail j;
	char why[NFBAN_MSG_MAX] = "";

	assert_int_equal(nft_jail_init(&j, p, why, sizeof(why)), rc);
	if (!strstr(why, why_part))
		fail_msg("'%s' does not say '%s'", why, why_part);
}

static void test_refusals(void **state)
{
	struct nft_spec p;

	(void)state;
	p = params(NFBAN_INET6, "22");
	p.block.reject = VALUE_NFT_REJECT_ICMP;
	assert_refused(&p, NFT_JAIL_BAD_VERDICT, "IPv4 only");
	p = params(NFBAN_INET4, "22");
	p.block.reject = VALUE_NFT_REJECT_ICMPV6;
	assert_refused(&p, NFT_JAIL_BAD_VERDICT, "IPv6 only");
	p = params(NFBAN_INET4, "22");
	p.table_family = NFPROTO_IPV4;
	p.block.reject = VALUE_NFT_REJECT_ICMPX;
	assert_refused(&p, NFT_JAIL_BAD_VERDICT, "table_family=inet");
	p = params(NFBAN_INET4, "22");
	p.protos.v[0].number = IPPROTO_UDP;
	p.block.reject = VALUE_NFT_REJECT_TCP_RESET;
	assert_refused(&p, NFT_JAIL_BAD_VERDICT, "protocol=tcp");
	p = params(NFBAN_INET4, "22");
	p.allports = true;
	p.protos.n = 2;
	p.protos.v[1] = p.protos.v[0];
	p.protos.v[1].number = IPPROTO_UDP;
	p.block.reject = VALUE_NFT_REJECT_TCP_RESET;
	assert_refused(&p, NFT_JAIL_BAD_VERDICT, "protocol=tcp");
	p = params(NFBAN_INET4, "22");
	p.protos.v[0].number = IPPROTO_ICMP;
	assert_refused(&p, -1, "has no ports");
	p = params(NFBAN_INET4, "");
	assert_refused(&p, -1, "ports");
	p = params(NFBAN_INET6, "22");
	p.table_family = NFPROTO_IPV4;
	assert_refused(&p, NFT_JAIL_BAD_TABLE_FAMILY, "cannot hold IPv6");
	p = params(NFBAN_INET4, "22");
	p.protos.n = 0;
	assert_refused(&p, -1, "no protocol");
}

static void test_jail_names_and_allports_all(void **state)
{
	struct nft_spec p = params(NFBAN_INET6, "22");
	struct nft_jail j;
	char why[NFBAN_MSG_MAX];

	(void)state;
	assert_int_equal(nft_jail_init(&j, &p, why, sizeof(why)), 0);
	assert_string_equal(j.set, "addr6-set-sshd");
	assert_string_equal(nft_family_name(j.table_family), "inet");
	p = params(NFBAN_INET4, "");
	p.allports = true;
	p.protos.n = 2;
	p.protos.v[1] = p.protos.v[0];
	p.protos.v[1].number = 0;     /* iptables' -p all, through fallback */
	assert_int_equal(nft_jail_init(&j, &p, why, sizeof(why)), 0);
	assert_string_equal(j.set, "addr-set-sshd");
	assert_int_equal(j.n_rules, 1);
	assert_int_equal(j.rules[0].match, NFT_MATCH_NONE);
}

static void test_errno_status(void **state)
{
	(void)state;
	assert_int_equal(nft_errno_status(NFT_WHERE_SOCKET, EPROTONOSUPPORT), NFBAN_NOFEATURE);
	assert_int_equal(nft_errno_status(NFT_WHERE_SOCKET, EPERM), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFNL_MSG_BATCH_BEGIN, EOPNOTSUPP), NFBAN_NOFEATURE);
	assert_int_equal(nft_errno_status(NFNL_MSG_BATCH_BEGIN, EPERM), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFNL_MSG_BATCH_BEGIN, ERESTART), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_GETGEN), EINVAL), NFBAN_NOFEATURE);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_GETGEN), EPERM), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWCHAIN), ENOENT), NFBAN_NOFEATURE);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWCHAIN), EEXIST), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWCHAIN), EOPNOTSUPP), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWRULE), ENOENT), NFBAN_NOFEATURE);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWRULE), EOPNOTSUPP), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWTABLE), EAFNOSUPPORT), NFBAN_NOFEATURE);
	/* A missing set on ban is the jail not started, not a missing feature. */
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWSETELEM), ENOENT), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_DELSETELEM), ENOENT), NFBAN_ERROR);
	assert_int_equal(nft_errno_status(NFT_WHERE(NFT_MSG_NEWSET), ENOENT), NFBAN_ERROR);
}

/* ---- signatures ---- */

struct anon {
	struct nftnl_set *set;
};

static struct nftnl_set *anon_fn(void *ctx, const char *name, uint32_t id)
{
	(void)name;
	(void)id;
	return ((struct anon *)ctx)->set;
}

static void sig_of(const struct nft_spec *p, char *out)
{
	struct nft_jail j;
	struct nftnl_rule *r;
	struct anon a = { NULL };
	char why[NFBAN_MSG_MAX];

	assert_int_equal(nft_jail_init(&j, p, why, sizeof(why)), 0);
	assert_int_equal(nft_build_anon_set(&j, 0, &a.set), 0);
	assert_int_equal(nft_build_rule(&j, 0, &r), 0);
	assert_int_equal(nft_rule_sig(r, anon_fn, &a, out, NFT_SIG_MAX), 0);
	nftnl_rule_free(r);
	if (a.set)
		nftnl_set_free(a.set);
}

/*
 * The same rule as the kernel would list it: parsed from a message, its
 * lookup naming "__set0", its set's elements in reverse order, with an ID
 * nobody asked for.
 */
static void kernel_sig_of(const struct nft_spec *p, char *out)
{
	static char buf[65536];
	struct nft_jail j;
	struct nftnl_rule *r, *back = nftnl_rule_alloc();
	struct nftnl_set *built = NULL;
	struct anon a = { NULL };
	struct nlmsghdr *nlh;
	char why[NFBAN_MSG_MAX];

	assert_int_equal(nft_jail_init(&j, p, why, sizeof(why)), 0);
	assert_int_equal(nft_build_rule(&j, 0, &r), 0);
	memset(buf, 0, sizeof(buf));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, j.table_family, 0, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, back), 0);
	assert_int_equal(nft_build_anon_set(&j, 0, &built), 0);
	if (built) {
		struct nftnl_set_elems_iter *it = nftnl_set_elems_iter_create(built);
		struct nftnl_set_elem *e, *el[NFT_MAX_ELEMS];
		unsigned n = 0;

		a.set = nftnl_set_alloc();
		for (e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it)) {
			uint32_t len;
			const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

			el[n] = nftnl_set_elem_alloc();
			nftnl_set_elem_set(el[n], NFTNL_SET_ELEM_KEY, key, len);
			if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
				nftnl_set_elem_set_u32(el[n], NFTNL_SET_ELEM_FLAGS,
						       nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS));
			n++;
		}
		nftnl_set_elems_iter_destroy(it);
		while (n)
			nftnl_set_elem_add(a.set, el[--n]);
		nftnl_set_free(built);
	}
	assert_string_equal(nft_rule_anon_set(back) ? "anon" : "none", a.set ? "anon" : "none");
	assert_true(nft_rule_uses_set(back, j.set));
	assert_false(nft_rule_uses_set(back, "addr-set-other"));
	assert_int_equal(nft_rule_sig(back, anon_fn, &a, out, NFT_SIG_MAX), 0);
	nftnl_rule_free(r);
	nftnl_rule_free(back);
	if (a.set)
		nftnl_set_free(a.set);
}

static void test_sig_recognises_kernel_rule(void **state)
{
	const char *lists[] = { "22", "80-90", "22,80", "22,80-90,1000-2000" };
	char a[NFT_SIG_MAX], b[NFT_SIG_MAX];

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		struct nft_spec p = params(NFBAN_INET4, lists[i]);

		sig_of(&p, a);
		kernel_sig_of(&p, b);
		assert_string_equal(a, b);
	}
}

static void test_sig_tells_rules_apart(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "22,80-90"), q;
	char a[NFT_SIG_MAX], b[NFT_SIG_MAX];

	(void)state;
	sig_of(&p, a);
	q = params(NFBAN_INET4, "22,80-91");
	sig_of(&q, b);
	assert_string_not_equal(a, b);
	q = params(NFBAN_INET4, "22,80-90");
	q.block.kind = VALUE_NFT_DROP;
	sig_of(&q, b);
	assert_string_not_equal(a, b);
	q = params(NFBAN_INET4, "22,80-90");
	q.protos.v[0].number = IPPROTO_UDP;
	sig_of(&q, b);
	assert_string_not_equal(a, b);
	q = params(NFBAN_INET4, "22,80-90");
	q.block.reject = VALUE_NFT_REJECT_ICMP;
	q.block.icmp_code = ICMP_HOST_ANO;
	sig_of(&q, b);
	assert_string_not_equal(a, b);
	q = params(NFBAN_INET4, "22,80-90");
	q.name = "other";
	sig_of(&q, b);
	assert_string_not_equal(a, b);
}

/* ---- batch layout ---- */

static bool all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_batch_layout(void **state)
{
	struct nft_spec p = params(NFBAN_INET4, "22");
	struct nft_sock s;
	struct nft_batch b;
	struct nlmsghdr *nlh;
	const struct nlmsghdr *m;
	const struct nlattr *attr;
	struct nft_jail j;
	char why[NFBAN_MSG_MAX];
	char *buf;
	int left;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.seq = 41;
	assert_int_equal(nft_jail_init(&j, &p, why, sizeof(why)), 0);
	assert_int_equal(nft_batch_begin(&b, &s, 0x01020304), 0);
	for (int i = 0; i < 3; i++) {
		nlh = nft_batch_add(&b, &s, NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE, "msg %d", i);
		assert_non_null(nlh);
		mnl_attr_put_strz(nlh, 1, "f2b-table");
		assert_int_equal(nft_batch_add_done(&b, nlh), 0);
	}
	assert_int_equal(nft_batch_count(&b), 3);
	/* The begin: res_id is the nf_tables subsystem, the generation big endian. */
	m = (const struct nlmsghdr *)b.buf;
	assert_int_equal(m->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(m->nlmsg_seq, 42);
	assert_int_equal(ntohs(((const struct nfgenmsg *)mnl_nlmsg_get_payload(m))->res_id),
			 NFNL_SUBSYS_NFTABLES);
	attr = mnl_nlmsg_get_payload_offset(m, sizeof(struct nfgenmsg));
	assert_int_equal(mnl_attr_get_type(attr), NFNL_BATCH_GENID);
	assert_int_equal(ntohl(mnl_attr_get_u32(attr)), 0x01020304);
	/* Every message asks for its ack, in sequence. */
	left = (int)b.len;
	m = mnl_nlmsg_next(m, &left);
	for (uint32_t seq = 43; seq <= 45; seq++) {
		assert_true(mnl_nlmsg_ok(m, left));
		assert_int_equal(m->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE);
		assert_int_equal(m->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK);
		assert_int_equal(m->nlmsg_seq, seq);
		assert_int_equal(b.msgs[seq - 42].seq, seq);
		m = mnl_nlmsg_next(m, &left);
	}
	assert_int_equal(left, 0);
	assert_string_equal(b.msgs[3].what, "msg 2");
	assert_int_equal(b.msgs[3].type, NFT_WHERE(NFT_MSG_NEWTABLE));
	nft_batch_free(&b);
	/* Its memory is the socket's spare now, all zeros (libmnl leaves attribute padding as is). */
	buf = s.spare.buf;
	assert_non_null(buf);
	assert_true(all_zero(buf, s.spare.cap));
	/* Without a generation, no attribute; the spare taken again. */
	assert_int_equal(nft_batch_begin(&b, &s, 0), 0);
	assert_ptr_equal(b.buf, buf);
	assert_null(s.spare.buf);
	assert_int_equal(((const struct nlmsghdr *)b.buf)->nlmsg_len, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	/* Messages added and never done (a build failed): cleared too, the longer first one too. */
	nlh = nft_batch_add(&b, &s, NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE, "open");
	assert_non_null(nlh);
	mnl_attr_put_strz(nlh, 1, "a table name longer than the next one");
	nlh = nft_batch_add(&b, &s, NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE, "open again");
	assert_non_null(nlh);
	mnl_attr_put_strz(nlh, 1, "t");
	nft_batch_free(&b);
	assert_ptr_equal(s.spare.buf, buf);
	assert_true(all_zero(buf, s.spare.cap));
	free(s.spare.buf);
	free(s.spare.msgs);
}

/*
 * The retry schedule, as backoff.h documents it: steps of
 * 1, 2, ... 128 ms, then 128 ms, until they would pass 2 s (21 sleeps, so
 * 22 tries); each sleep between half and all of its step.
 */
static void test_backoff_schedule(void **state)
{
	static const uint32_t seeds[] = { 0, 1, 0xdeadbeef, 0xffffffff };

	(void)state;
	for (unsigned k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		struct nft_backoff bo;
		unsigned n = 0, step = 1000, steps = 0, slept = 0, us;

		nft_backoff_init(&bo, seeds[k]);
		while ((us = nft_backoff_next(&bo)) != 0) {
			assert_in_range(us, step / 2, step);
			slept += us;
			steps += step;
			if (step < 128000)
				step *= 2;
			n++;
		}
		assert_int_equal(n, 21);
		assert_int_equal(steps, 1919000);
		assert_in_range(slept, steps / 2, steps);
		assert_int_equal(nft_backoff_next(&bo), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_normalisation),
		cmocka_unit_test(test_one_port_or_range),
		cmocka_unit_test(test_sixty_four_ranges_fit),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_jail_names_and_allports_all),
		cmocka_unit_test(test_errno_status),
		cmocka_unit_test(test_sig_recognises_kernel_rule),
		cmocka_unit_test(test_sig_tells_rules_apart),
		cmocka_unit_test(test_batch_layout),
		cmocka_unit_test(test_backoff_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
