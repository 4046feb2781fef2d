// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipt_compare.c - ipt_blob_same(), how unban, stop, check and the
 * idempotent start and ban recognise a rule in a chain: every field that
 * makes a rule different makes it not the same; counters, cache bits and
 * libiptc's own spelling of a jump do not.  No root, no kernel.
 */
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libiptc/libiptc.h>
#include <libiptc/libip6tc.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>

#include "../../plugins/ipt/family.h"
#include "../../plugins/ipt/rule.h"

static const struct ipt_family *fams[] = { &ipt_family4, &ipt_family6 };

/* -p tcp -m multiport --dports 22,80:90 -j f2b-sshd */
static void jump_rule(struct ipt_rule *r, uint8_t proto, uint16_t port)
{
	struct value_port_range ports[2] = { { port, port }, { 80, 90 } };

	memset(r, 0, sizeof(*r));
	ipt_rule_set_proto(r, proto);
	ipt_match_multiport(ipt_rule_add_match(r), ports, 2);
	ipt_target_standard(r, "f2b-sshd");
}

/* -s <addr>/<prefix> -j REJECT --reject-with <with> */
static void ban_rule(struct ipt_rule *r, enum nfban_family fam, const char *addr, uint8_t prefix, int with)
{
	memset(r, 0, sizeof(*r));
	r->has_src = true;
	r->src.family = fam;
	r->src.prefix = prefix;
	inet_pton(fam == NFBAN_INET6 ? AF_INET6 : AF_INET, addr, &r->src.u);
	r->standard = false;
	snprintf(r->target.name, sizeof(r->target.name), "REJECT");
	r->target.size = 4;
	memcpy(r->target.data, &with, 4);
}

static struct ipt_blob enc(const struct ipt_family *f, const struct ipt_rule *r)
{
	struct ipt_blob b;

	assert_int_equal(ipt_blob_encode(f, r, &b), 0);
	return b;
}

static const char *tname(const struct ipt_family *f, const struct ipt_blob *b)
{
	uint16_t to, no;

	f->offsets(b->entry, &to, &no);
	return ((const struct xt_entry_target *)((const char *)b->entry + to))->u.user.name;
}

/* Is rule `have` (named as its own target says) the rule `want`? */
static bool same(const struct ipt_family *f, const struct ipt_rule *have, const struct ipt_rule *want)
{
	struct ipt_blob h = enc(f, have), w = enc(f, want);
	bool r = ipt_blob_same(f, h.entry, tname(f, &h), &w);

	ipt_blob_free(&h);
	ipt_blob_free(&w);
	return r;
}

static void test_identical(void **state)
{
	struct ipt_rule a;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		jump_rule(&a, IPPROTO_TCP, 22);
		assert_true(same(fams[i], &a, &a));
		ban_rule(&a, fams[i]->family, i ? "2001:db8::1" : "192.0.2.1", i ? 128 : 32, 3);
		assert_true(same(fams[i], &a, &a));
	}
}

static void test_jump_rules_differ(void **state)
{
	struct ipt_rule a, b;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		const struct ipt_family *f = fams[i];

		jump_rule(&a, IPPROTO_TCP, 22);
		jump_rule(&b, IPPROTO_TCP, 23);
		assert_false(same(f, &a, &b));                  /* a port */
		jump_rule(&b, IPPROTO_UDP, 22);
		assert_false(same(f, &a, &b));                  /* the protocol */
		jump_rule(&b, IPPROTO_TCP, 22);
		b.match[0].revision = 0;
		assert_false(same(f, &a, &b));                  /* the match revision */
		jump_rule(&b, IPPROTO_TCP, 22);
		snprintf(b.match[0].name, sizeof(b.match[0].name), "multiporx");
		assert_false(same(f, &a, &b));                  /* the match name */
		jump_rule(&b, IPPROTO_TCP, 22);
		b.n_matches = 0;
		assert_false(same(f, &a, &b));                  /* a match missing */
		assert_false(same(f, &b, &a));
		jump_rule(&b, IPPROTO_TCP, 22);
		ipt_target_standard(&b, "f2b-other");
		assert_false(same(f, &a, &b));                  /* the chain jumped to */
		jump_rule(&b, IPPROTO_TCP, 22);
		b.has_proto = false;
		b.proto = 0;
		assert_false(same(f, &a, &b));                  /* no -p */
	}
}

static void test_ban_rules_differ(void **state)
{
	struct ipt_rule a, b;

	(void)state;
	ban_rule(&a, NFBAN_INET4, "192.0.2.1", 32, IPT_ICMP_PORT_UNREACHABLE);
	ban_rule(&b, NFBAN_INET4, "192.0.2.2", 32, IPT_ICMP_PORT_UNREACHABLE);
	assert_false(same(&ipt_family4, &a, &b));       /* the address */
	ban_rule(&b, NFBAN_INET4, "192.0.2.1", 31, IPT_ICMP_PORT_UNREACHABLE);
	assert_false(same(&ipt_family4, &a, &b));       /* the prefix */
	ban_rule(&b, NFBAN_INET4, "192.0.2.1", 32, IPT_ICMP_HOST_PROHIBITED);
	assert_false(same(&ipt_family4, &a, &b));       /* the reject type */
	ban_rule(&b, NFBAN_INET4, "192.0.2.1", 32, IPT_ICMP_PORT_UNREACHABLE);
	ipt_target_standard(&b, "DROP");
	assert_false(same(&ipt_family4, &a, &b));       /* another target */
	assert_false(same(&ipt_family4, &b, &a));
	ban_rule(&b, NFBAN_INET4, "192.0.2.1", 32, IPT_ICMP_PORT_UNREACHABLE);
	ipt_rule_set_proto(&b, IPPROTO_TCP);
	assert_false(same(&ipt_family4, &a, &b));       /* -p tcp (tcp-reset bans) */

	ban_rule(&a, NFBAN_INET6, "2001:db8::1", 64, 4);
	ban_rule(&b, NFBAN_INET6, "2001:db8::1", 64, 4);
	b.target.revision = 1;
	assert_false(same(&ipt_family6, &a, &b));       /* target revision */
	ban_rule(&b, NFBAN_INET6, "2001:db8::1", 63, 4);
	assert_false(same(&ipt_family6, &a, &b));
	ban_rule(&b, NFBAN_INET6, "2001:db8:0:1::1", 64, 4);
	assert_false(same(&ipt_family6, &a, &b));
	/* The host bits are not part of the rule: iptables clears them. */
	ban_rule(&b, NFBAN_INET6, "2001:db8::2", 64, 4);
	assert_true(same(&ipt_family6, &a, &b));
}

/* IPv6 `-p all` sets IP6T_F_PROTO: it is not the same rule as no -p. */
static void test_ipv6_proto_flag(void **state)
{
	struct ipt_rule a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	ipt_rule_set_proto(&a, 0);
	ipt_target_standard(&a, "f2b-x");
	memset(&b, 0, sizeof(b));
	ipt_target_standard(&b, "f2b-x");
	assert_false(same(&ipt_family6, &a, &b));
	/* For IPv4 both are proto 0 with no flag: one rule, as iptables-save shows. */
	assert_true(same(&ipt_family4, &a, &b));
}

/*
 * What libiptc hands back for a rule read from the kernel: counters set, the
 * jump as a standard target with an empty name and a verdict offset, named
 * by iptc_get_target().  It is still the rule.
 */
static void test_kernel_spelling(void **state)
{
	struct ipt_rule a;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		const struct ipt_family *f = fams[i];
		struct ipt_blob want, have;
		struct xt_standard_target *t;
		uint16_t to, no;

		jump_rule(&a, IPPROTO_TCP, 22);
		want = enc(f, &a);
		have = enc(f, &a);
		f->offsets(have.entry, &to, &no);
		t = (void *)((char *)have.entry + to);
		memset(t->target.u.user.name, 0, sizeof(t->target.u.user.name));
		t->verdict = 1234;
		if (i == 0) {
			struct ipt_entry *e = have.entry;

			e->counters.pcnt = 5;
			e->counters.bcnt = 500;
			e->nfcache = 0x10;
			e->comefrom = 0x2;
		} else {
			struct ip6t_entry *e = have.entry;

			e->counters.pcnt = 5;
			e->nfcache = 0x10;
			e->comefrom = 0x2;
		}
		assert_true(ipt_blob_same(f, have.entry, "f2b-sshd", &want));
		assert_false(ipt_blob_same(f, have.entry, "f2b-ssh", &want));
		assert_false(ipt_blob_same(f, have.entry, "", &want));
		assert_false(ipt_blob_same(f, have.entry, NULL, &want));
		ipt_blob_free(&want);
		ipt_blob_free(&have);
	}
}

/* Same name but a target extension whose payload size differs. */
static void test_target_size(void **state)
{
	struct ipt_rule a, b;
	struct ipt_blob ha, wb;

	(void)state;
	ban_rule(&a, NFBAN_INET4, "192.0.2.1", 32, 3);
	ban_rule(&b, NFBAN_INET4, "192.0.2.1", 32, 3);
	b.target.size = 12;
	ha = enc(&ipt_family4, &a);
	wb = enc(&ipt_family4, &b);
	assert_false(ipt_blob_same(&ipt_family4, ha.entry, "REJECT", &wb));
	assert_false(ipt_blob_same(&ipt_family4, wb.entry, "REJECT", &ha));
	ipt_blob_free(&ha);
	ipt_blob_free(&wb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_jump_rules_differ),
		cmocka_unit_test(test_ban_rules_differ),
		cmocka_unit_test(test_ipv6_proto_flag),
		cmocka_unit_test(test_kernel_spelling),
		cmocka_unit_test(test_target_size),
	};

	return cmocka_run_group_tests_name("ipt_compare", tests, NULL, NULL);
}
