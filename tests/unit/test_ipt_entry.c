// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipt_entry.c - the rules the iptables plugins build, as blobs: layout
 * (sizes, XT_ALIGN, offsets), payloads byte for byte against what
 * iptables-legacy 1.8.9 itself gives the kernel for the same rule, multiport
 * slot splitting (a range takes two slots), byte order, targets from
 * blocktype/returntype.  No root, no kernel.
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
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "../../plugins/ipt/family.h"
#include "../../plugins/ipt/rule.h"

/* A byte that is not zero in a golden payload. */
struct nz {
	size_t off;
	unsigned char val;
};
#define END { (size_t)-1, 0 }

/* p[0..n) is zero except where `want` says. */
static void assert_bytes(const void *p, size_t n, const struct nz *want)
{
	const unsigned char *b = p;
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char exp = 0;

		if (want[w].off == i)
			exp = want[w++].val;
		if (b[i] != exp)
			fail_msg("byte %zu is 0x%02x, iptables has 0x%02x", i, b[i], exp);
	}
	assert_true(want[w].off == (size_t)-1);
}

static struct value_port_range pr(uint16_t a, uint16_t b)
{
	struct value_port_range r = { a, b };

	return r;
}

static struct ipt_blob encode(const struct ipt_family *f, const struct ipt_rule *r)
{
	struct ipt_blob b;

	assert_int_equal(ipt_blob_encode(f, r, &b), 0);
	return b;
}

/* The encoded `-p PROTO --dport FIRST:LAST -j f2b-x` of family f. */
static struct ipt_blob dport_blob(const struct ipt_family *f, uint8_t proto, uint16_t first, uint16_t last)
{
	struct value_port_range p = pr(first, last);
	struct ipt_rule r;

	memset(&r, 0, sizeof(r));
	ipt_rule_set_proto(&r, proto);
	assert_int_equal(ipt_match_dport(ipt_rule_add_match(&r), proto, &p), 0);
	assert_int_equal(ipt_target_standard(&r, "f2b-x"), 0);
	return encode(f, &r);
}

static const struct xt_entry_match *first_match(const struct ipt_family *f, const struct ipt_blob *b)
{
	return (const void *)((const char *)b->entry + f->entry_size);
}

static const struct xt_entry_target *target_of(const struct ipt_family *f, const struct ipt_blob *b)
{
	uint16_t to, no;

	f->offsets(b->entry, &to, &no);
	return (const void *)((const char *)b->entry + to);
}

/* ---- layout ---------------------------------------------------------------- */

static void test_layout_sizes(void **state)
{
	const struct ipt_family *fams[] = { &ipt_family4, &ipt_family6 };

	(void)state;
	assert_int_equal(ipt_family4.entry_size, sizeof(struct ipt_entry));
	assert_int_equal(ipt_family6.entry_size, sizeof(struct ip6t_entry));
	for (unsigned i = 0; i < 2; i++) {
		const struct ipt_family *f = fams[i];
		struct ipt_rule r;
		struct value_port_range p = pr(22, 22);
		struct ipt_blob b;
		uint16_t to, no;

		memset(&r, 0, sizeof(r));
		ipt_rule_set_proto(&r, IPPROTO_TCP);
		assert_int_equal(ipt_match_multiport(ipt_rule_add_match(&r), &p, 1), 1);
		assert_int_equal(ipt_match_dport(ipt_rule_add_match(&r), IPPROTO_TCP, &p), 0);
		assert_null(ipt_rule_add_match(&r));    /* IPT_MATCHES_MAX */
		assert_int_equal(ipt_target_standard(&r, "f2b-sshd"), 0);
		b = encode(f, &r);
		f->offsets(b.entry, &to, &no);
		/* header, multiport (32 + 48), tcp (32 + XT_ALIGN(12)), standard target */
		assert_int_equal(to, f->entry_size + 80 + 48);
		assert_int_equal(no, to + XT_ALIGN(sizeof(struct xt_standard_target)));
		assert_int_equal(b.len, no);
		assert_int_equal(to % XT_ALIGN(1), 0);
		assert_int_equal(first_match(f, &b)->u.match_size, 80);
		assert_int_equal(first_match(f, &b)->u.match_size % 8, 0);
		assert_string_equal(first_match(f, &b)->u.user.name, "multiport");
		assert_string_equal(((const struct xt_entry_match *)((const char *)b.entry + f->entry_size + 80))->u.user.name, "tcp");
		assert_string_equal(target_of(f, &b)->u.user.name, "f2b-sshd");
		assert_int_equal(target_of(f, &b)->u.target_size, 40);
		assert_true(b.standard);
		ipt_blob_free(&b);
		assert_null(b.entry);
	}
}

static void test_standard_target_name_limit(void **state)
{
	struct ipt_rule r;

	(void)state;
	memset(&r, 0, sizeof(r));
	/* 28 characters fit a target name (XT_EXTENSION_MAXNAMELEN - 1), 29 do not. */
	assert_int_equal(ipt_target_standard(&r, "f2b-123456789012345678901234"), 0);
	assert_int_equal(ipt_target_standard(&r, "f2b-1234567890123456789012345"), -1);
}

/* ---- byte for byte what iptables-legacy 1.8.9 sends (x86_64) --------------- */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* iptables -A INPUT -p tcp -m multiport --dports 22,80:90,443 -j f2b-x */
static void test_golden_multiport4(void **state)
{
	static const struct nz ip[] = { { 80, 0x06 }, END };
	static const struct nz data[] = {
		{ 0, 0x01 }, { 1, 0x04 }, { 2, 0x16 }, { 4, 0x50 }, { 6, 0x5a },
		{ 8, 0xbb }, { 9, 0x01 }, { 33, 0x01 }, END
	};
	struct value_port_range ports[] = { pr(22, 22), pr(80, 90), pr(443, 443) };
	const struct ipt_family *f = &ipt_family4;
	const struct xt_entry_match *m;
	struct ipt_rule r;
	struct ipt_blob b;
	uint16_t to, no;

	(void)state;
	memset(&r, 0, sizeof(r));
	ipt_rule_set_proto(&r, IPPROTO_TCP);
	assert_int_equal(ipt_match_multiport(ipt_rule_add_match(&r), ports, 3), 3);
	ipt_target_standard(&r, "f2b-x");
	b = encode(f, &r);
	f->offsets(b.entry, &to, &no);
	assert_int_equal(to, 192);
	assert_int_equal(no, 232);
	assert_bytes(&((const struct ipt_entry *)b.entry)->ip, sizeof(struct ipt_ip), ip);
	m = first_match(f, &b);
	assert_string_equal(m->u.user.name, "multiport");
	assert_int_equal(m->u.user.revision, 1);
	assert_int_equal(m->u.match_size, 80);
	assert_bytes(m->data, 48, data);
	ipt_blob_free(&b);
}

/* iptables -A INPUT -p udp --dport 53 -j f2b-x */
static void test_golden_udp4(void **state)
{
	static const struct nz ip[] = { { 80, 0x11 }, END };
	static const struct nz data[] = { { 2, 0xff }, { 3, 0xff }, { 4, 0x35 }, { 6, 0x35 }, END };
	const struct ipt_family *f = &ipt_family4;
	const struct xt_entry_match *m;
	struct ipt_blob b;
	uint16_t to, no;

	(void)state;
	b = dport_blob(f, IPPROTO_UDP, 53, 53);
	f->offsets(b.entry, &to, &no);
	assert_int_equal(to, 160);
	assert_int_equal(no, 200);
	assert_bytes(&((const struct ipt_entry *)b.entry)->ip, sizeof(struct ipt_ip), ip);
	m = first_match(f, &b);
	assert_string_equal(m->u.user.name, "udp");
	assert_int_equal(m->u.match_size, 48);
	assert_bytes(m->data, 16, data);
	ipt_blob_free(&b);
}

/* iptables -A INPUT -s 192.0.2.7/24 -j REJECT --reject-with icmp-host-prohibited */
static void test_golden_ban4(void **state)
{
	static const struct nz ip[] = { { 0, 0xc0 }, { 2, 0x02 }, { 8, 0xff }, { 9, 0xff }, { 10, 0xff }, END };
	static const struct nz data[] = { { 0, 0x06 }, END };
	const struct ipt_family *f = &ipt_family4;
	struct value_xt_target v = { .kind = VALUE_XT_REJECT, .reject_with = IPT_ICMP_HOST_PROHIBITED };
	const struct xt_entry_target *t;
	const char *jump;
	char why[128];
	struct ipt_rule r;
	struct ipt_blob b;
	uint16_t to, no;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.has_src = true;
	r.src.family = NFBAN_INET4;
	r.src.prefix = 24;
	inet_pton(AF_INET, "192.0.2.7", &r.src.u.v4);   /* host bits are cleared */
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_null(jump);
	b = encode(f, &r);
	f->offsets(b.entry, &to, &no);
	assert_int_equal(to, 112);
	assert_int_equal(no, 152);
	assert_bytes(&((const struct ipt_entry *)b.entry)->ip, sizeof(struct ipt_ip), ip);
	t = target_of(f, &b);
	assert_string_equal(t->u.user.name, "REJECT");
	assert_int_equal(t->u.target_size, 40);
	assert_bytes(t->data, 8, data);
	assert_false(b.standard);
	ipt_blob_free(&b);
}

/* ip6tables -A INPUT -p sctp --dport 22:23 -j f2b-x */
static void test_golden_sctp6(void **state)
{
	static const struct nz ip[] = { { 128, 0x84 }, { 131, 0x01 }, END };
	static const struct nz data[] = {
		{ 0, 0x16 }, { 2, 0x17 }, { 268, 0xff }, { 271, 0xff }, { 274, 0xff }, { 277, 0xff },
		{ 284, 0x02 }, END
	};
	const struct ipt_family *f = &ipt_family6;
	const struct xt_entry_match *m;
	struct ipt_blob b;
	uint16_t to, no;

	(void)state;
	b = dport_blob(f, IPPROTO_SCTP, 22, 23);
	f->offsets(b.entry, &to, &no);
	assert_int_equal(to, 496);
	assert_int_equal(no, 536);
	assert_bytes(&((const struct ip6t_entry *)b.entry)->ipv6, sizeof(struct ip6t_ip6), ip);
	m = first_match(f, &b);
	assert_string_equal(m->u.user.name, "sctp");
	assert_int_equal(m->u.match_size, 328);
	assert_bytes(m->data, 296, data);
	ipt_blob_free(&b);
}

/* ip6tables -A INPUT -p dccp --dport 22 -j f2b-x */
static void test_golden_dccp6(void **state)
{
	static const struct nz ip[] = { { 128, 0x21 }, { 131, 0x01 }, END };
	static const struct nz data[] = { { 0, 0x16 }, { 2, 0x16 }, { 8, 0x02 }, END };
	const struct ipt_family *f = &ipt_family6;
	struct ipt_blob b;

	(void)state;
	b = dport_blob(f, IPPROTO_DCCP, 22, 22);
	assert_int_equal(b.len, 256);
	assert_bytes(&((const struct ip6t_entry *)b.entry)->ipv6, sizeof(struct ip6t_ip6), ip);
	assert_int_equal(first_match(f, &b)->u.match_size, 48);
	assert_bytes(first_match(f, &b)->data, 16, data);
	ipt_blob_free(&b);
}

/* ip6tables -A INPUT -s 2001:db8::1/64 -p tcp -j REJECT --reject-with tcp-reset */
static void test_golden_ban6_tcp_reset(void **state)
{
	static const struct nz ip[] = {
		{ 0, 0x20 }, { 1, 0x01 }, { 2, 0x0d }, { 3, 0xb8 }, { 32, 0xff }, { 33, 0xff },
		{ 34, 0xff }, { 35, 0xff }, { 36, 0xff }, { 37, 0xff }, { 38, 0xff }, { 39, 0xff },
		{ 128, 0x06 }, { 131, 0x01 }, END
	};
	static const struct nz data[] = { { 0, 0x06 }, END };
	struct value_xt_target v = { .kind = VALUE_XT_REJECT, .reject_with = IP6T_TCP_RESET };
	const struct ipt_family *f = &ipt_family6;
	const char *jump;
	char why[128];
	struct ipt_rule r;
	struct ipt_blob b;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.has_src = true;
	r.src.family = NFBAN_INET6;
	r.src.prefix = 64;
	inet_pton(AF_INET6, "2001:db8::1", &r.src.u.v6);
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET6, &v, &jump, why, sizeof(why)), 0);
	b = encode(f, &r);
	assert_int_equal(b.len, 208);
	assert_bytes(&((const struct ip6t_entry *)b.entry)->ipv6, sizeof(struct ip6t_ip6), ip);
	assert_string_equal(target_of(f, &b)->u.user.name, "REJECT");
	assert_bytes(target_of(f, &b)->data, 8, data);
	ipt_blob_free(&b);
}

/* ip6tables -A INPUT -p all -j f2b-x: IP6T_F_PROTO even for protocol 0 */
static void test_golden_all6(void **state)
{
	static const struct nz ip[] = { { 131, 0x01 }, END };
	const struct ipt_family *f = &ipt_family6;
	struct ipt_rule r;
	struct ipt_blob b;

	(void)state;
	memset(&r, 0, sizeof(r));
	ipt_rule_set_proto(&r, 0);
	ipt_target_standard(&r, "f2b-x");
	b = encode(f, &r);
	assert_int_equal(b.len, 208);
	assert_bytes(&((const struct ip6t_entry *)b.entry)->ipv6, sizeof(struct ip6t_ip6), ip);
	ipt_blob_free(&b);

	/* No -p at all (a ban rule): no flag. */
	memset(&r, 0, sizeof(r));
	ipt_target_standard(&r, "DROP");
	b = encode(f, &r);
	assert_int_equal(((const struct ip6t_entry *)b.entry)->ipv6.flags, 0);
	ipt_blob_free(&b);
}

/* ip6tables -A INPUT -p udp -m multiport --dports 1:2,3:4,...,13:14,15: 15 slots */
static void test_golden_multiport6_full(void **state)
{
	static const struct nz data[] = {
		{ 0, 0x01 }, { 1, 0x0f }, { 2, 0x01 }, { 4, 0x02 }, { 6, 0x03 }, { 8, 0x04 },
		{ 10, 0x05 }, { 12, 0x06 }, { 14, 0x07 }, { 16, 0x08 }, { 18, 0x09 }, { 20, 0x0a },
		{ 22, 0x0b }, { 24, 0x0c }, { 26, 0x0d }, { 28, 0x0e }, { 30, 0x0f }, { 32, 0x01 },
		{ 34, 0x01 }, { 36, 0x01 }, { 38, 0x01 }, { 40, 0x01 }, { 42, 0x01 }, { 44, 0x01 }, END
	};
	struct value_port_range ports[8];
	struct ipt_ext m;

	(void)state;
	for (unsigned i = 0; i < 7; i++)
		ports[i] = pr((uint16_t)(2 * i + 1), (uint16_t)(2 * i + 2));
	ports[7] = pr(15, 15);
	assert_int_equal(ipt_match_multiport(&m, ports, 8), 8);
	assert_int_equal(m.size, 48);
	assert_bytes(m.data, 48, data);
}
#endif

/* ---- multiport slots ---------------------------------------------------------- */

static const struct xt_multiport_v1 *mp(const struct ipt_ext *m)
{
	return (const void *)m->data;
}

static void test_multiport_split_singles(void **state)
{
	struct value_port_range ports[40];
	struct ipt_ext m;
	unsigned used, total = 0, rules = 0;

	(void)state;
	for (unsigned i = 0; i < 40; i++)
		ports[i] = pr((uint16_t)(1000 + i), (uint16_t)(1000 + i));
	while (total < 40) {
		used = ipt_match_multiport(&m, ports + total, 40 - total);
		assert_int_equal(used, rules < 2 ? 15 : 10);
		assert_int_equal(mp(&m)->count, used);
		assert_int_equal(mp(&m)->flags, XT_MULTIPORT_DESTINATION);
		assert_int_equal(mp(&m)->ports[0], 1000 + total);       /* host byte order */
		assert_int_equal(mp(&m)->invert, 0);
		for (unsigned i = 0; i < XT_MULTI_PORTS; i++)
			assert_int_equal(mp(&m)->pflags[i], 0);
		total += used;
		rules++;
	}
	assert_int_equal(rules, 3);
	assert_int_equal(ipt_match_multiport(&m, ports, 0), 0);
}

static void test_multiport_split_ranges(void **state)
{
	/* 14 singles then a range: the range needs two slots, only one is left. */
	struct value_port_range ports[16];
	struct ipt_ext m;

	(void)state;
	for (unsigned i = 0; i < 14; i++)
		ports[i] = pr((uint16_t)(i + 1), (uint16_t)(i + 1));
	ports[14] = pr(100, 200);
	ports[15] = pr(300, 300);
	assert_int_equal(ipt_match_multiport(&m, ports, 16), 14);
	assert_int_equal(mp(&m)->count, 14);
	assert_int_equal(ipt_match_multiport(&m, ports + 14, 2), 2);
	assert_int_equal(mp(&m)->count, 3);
	assert_int_equal(mp(&m)->ports[0], 100);
	assert_int_equal(mp(&m)->pflags[0], 1);
	assert_int_equal(mp(&m)->ports[1], 200);
	assert_int_equal(mp(&m)->pflags[1], 0);
	assert_int_equal(mp(&m)->ports[2], 300);
	assert_int_equal(mp(&m)->pflags[2], 0);

	/* Eight ranges: seven fit (14 slots), the eighth goes to the next rule. */
	for (unsigned i = 0; i < 8; i++)
		ports[i] = pr((uint16_t)(10 * i), (uint16_t)(10 * i + 5));
	assert_int_equal(ipt_match_multiport(&m, ports, 8), 7);
	assert_int_equal(mp(&m)->count, 14);
	assert_int_equal(ipt_match_multiport(&m, ports + 7, 1), 1);
	assert_int_equal(mp(&m)->count, 2);
	assert_int_equal(mp(&m)->ports[0], 70);
	assert_int_equal(mp(&m)->ports[1], 75);

	/* A one-port "range" is one port, one slot. */
	ports[0] = pr(8080, 8080);
	assert_int_equal(ipt_match_multiport(&m, ports, 1), 1);
	assert_int_equal(mp(&m)->count, 1);
	assert_int_equal(mp(&m)->pflags[0], 0);
}

static void test_multiport_byte_order(void **state)
{
	struct value_port_range p = pr(0x1234, 0xfedc);
	struct ipt_ext m;
	uint16_t raw[2];

	(void)state;
	ipt_match_multiport(&m, &p, 1);
	/* ports[] at offset 2 of struct xt_multiport_v1, host order like the kernel reads it */
	memcpy(raw, m.data + offsetof(struct xt_multiport_v1, ports), sizeof(raw));
	assert_int_equal(raw[0], 0x1234);
	assert_int_equal(raw[1], 0xfedc);
	assert_int_not_equal(raw[0], htons(0x1234));
}

static void test_dport_matches(void **state)
{
	struct value_port_range p = pr(1000, 2000);
	struct ipt_ext m;
	const struct xt_tcp *t = (const void *)m.data;

	(void)state;
	assert_int_equal(ipt_match_dport(&m, IPPROTO_TCP, &p), 0);
	assert_string_equal(m.name, "tcp");
	assert_int_equal(m.size, sizeof(struct xt_tcp));
	assert_int_equal(t->spts[0], 0);
	assert_int_equal(t->spts[1], 0xffff);
	assert_int_equal(t->dpts[0], 1000);
	assert_int_equal(t->dpts[1], 2000);
	assert_int_equal(ipt_match_dport(&m, IPPROTO_UDP, &p), 0);
	assert_string_equal(m.name, "udp");
	assert_int_equal(m.size, sizeof(struct xt_udp));
	assert_int_equal(ipt_match_dport(&m, IPPROTO_ICMP, &p), -1);
	assert_int_equal(ipt_match_dport(&m, 0, &p), -1);
}

/* ---- targets ------------------------------------------------------------------ */

static void test_verdicts(void **state)
{
	struct ipt_reject_info with;
	struct value_xt_target v;
	const char *jump;
	char why[128];
	struct ipt_rule r;

	(void)state;
	memset(&v, 0, sizeof(v));
	memset(&r, 0, sizeof(r));
	v.kind = VALUE_XT_DROP;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_true(r.standard);
	assert_string_equal(r.target.name, "DROP");
	v.kind = VALUE_XT_ACCEPT;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_string_equal(r.target.name, "ACCEPT");
	v.kind = VALUE_XT_RETURN;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_string_equal(r.target.name, "RETURN");
	assert_null(jump);
	assert_false(r.has_proto);

	v.kind = VALUE_XT_JUMP;
	snprintf(v.chain, sizeof(v.chain), "f2b-log");
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_true(r.standard);
	assert_string_equal(r.target.name, "f2b-log");
	assert_non_null(jump);
	assert_string_equal(jump, "f2b-log");
	v.chain[0] = '\0';
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), -1);

	/* REJECT: the kernel enum as a 32-bit payload. */
	memset(&r, 0, sizeof(r));
	v.kind = VALUE_XT_REJECT;
	v.reject_with = IPT_ICMP_ADMIN_PROHIBITED;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_false(r.standard);
	assert_string_equal(r.target.name, "REJECT");
	assert_int_equal(r.target.size, sizeof(struct ipt_reject_info));
	memcpy(&with, r.target.data, sizeof(with));
	assert_int_equal(with.with, IPT_ICMP_ADMIN_PROHIBITED);
	assert_false(r.has_proto);
	v.reject_with = IPT_ICMP_ADMIN_PROHIBITED + 1;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), -1);
	v.reject_with = IPT_ICMP_ECHOREPLY;        /* the kernel refuses it */
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), -1);
	v.reject_with = -1;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), -1);
	v.reject_with = IP6T_ICMP6_REJECT_ROUTE;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET6, &v, &jump, why, sizeof(why)), 0);
	v.reject_with = IP6T_ICMP6_ECHOREPLY;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET6, &v, &jump, why, sizeof(why)), -1);

	/* tcp-reset puts -p tcp on the rule (that it only goes with protocol=tcp
	 * alone is configure()'s check: test_ipt_conf). */
	memset(&r, 0, sizeof(r));
	v.reject_with = IPT_TCP_RESET;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET4, &v, &jump, why, sizeof(why)), 0);
	assert_true(r.has_proto);
	assert_int_equal(r.proto, IPPROTO_TCP);
	memset(&r, 0, sizeof(r));
	v.reject_with = IP6T_TCP_RESET;
	assert_int_equal(ipt_target_verdict(&r, NFBAN_INET6, &v, &jump, why, sizeof(why)), 0);
	assert_int_equal(r.proto, IPPROTO_TCP);
}

static void test_source_masks(void **state)
{
	struct ipt_rule r;
	struct ipt_blob b;
	const struct ipt_entry *e4;
	const struct ip6t_entry *e6;
	struct in6_addr want;

	(void)state;
	memset(&r, 0, sizeof(r));
	ipt_target_standard(&r, "DROP");
	r.has_src = true;
	r.src.family = NFBAN_INET4;
	inet_pton(AF_INET, "10.1.2.3", &r.src.u.v4);
	r.src.prefix = 32;
	b = encode(&ipt_family4, &r);
	e4 = b.entry;
	assert_int_equal(e4->ip.smsk.s_addr, 0xffffffffu);
	assert_int_equal(e4->ip.src.s_addr, r.src.u.v4.s_addr);
	ipt_blob_free(&b);
	r.src.prefix = 0;
	b = encode(&ipt_family4, &r);
	e4 = b.entry;
	assert_int_equal(e4->ip.smsk.s_addr, 0);
	assert_int_equal(e4->ip.src.s_addr, 0);
	ipt_blob_free(&b);
	r.src.prefix = 9;
	b = encode(&ipt_family4, &r);
	e4 = b.entry;
	assert_int_equal(ntohl(e4->ip.smsk.s_addr), 0xff800000u);
	assert_int_equal(ntohl(e4->ip.src.s_addr), 0x0a000000u);
	ipt_blob_free(&b);

	r.src.family = NFBAN_INET6;
	inet_pton(AF_INET6, "2001:db8:ffff::1", &r.src.u.v6);
	r.src.prefix = 36;
	b = encode(&ipt_family6, &r);
	e6 = b.entry;
	inet_pton(AF_INET6, "ffff:ffff:f000::", &want);
	assert_memory_equal(&e6->ipv6.smsk, &want, 16);
	inet_pton(AF_INET6, "2001:db8:f000::", &want);
	assert_memory_equal(&e6->ipv6.src, &want, 16);
	ipt_blob_free(&b);
	r.src.prefix = 128;
	b = encode(&ipt_family6, &r);
	e6 = b.entry;
	memset(&want, 0xff, sizeof(want));
	assert_memory_equal(&e6->ipv6.smsk, &want, 16);
	assert_memory_equal(&e6->ipv6.src, &r.src.u.v6, 16);
	ipt_blob_free(&b);
}

static void test_rules_list(void **state)
{
	struct ipt_rules l = { 0 };

	(void)state;
	for (unsigned i = 0; i < 1000; i++) {
		struct ipt_rule *r = ipt_rules_add(&l);

		assert_non_null(r);
		assert_int_equal(r->n_matches, 0);
		r->proto = (uint8_t)i;
	}
	assert_int_equal(l.n, 1000);
	assert_int_equal(l.v[999].proto, (uint8_t)999);
	ipt_rules_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_standard_target_name_limit),
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		cmocka_unit_test(test_golden_multiport4),
		cmocka_unit_test(test_golden_udp4),
		cmocka_unit_test(test_golden_ban4),
		cmocka_unit_test(test_golden_sctp6),
		cmocka_unit_test(test_golden_dccp6),
		cmocka_unit_test(test_golden_ban6_tcp_reset),
		cmocka_unit_test(test_golden_all6),
		cmocka_unit_test(test_golden_multiport6_full),
#endif
		cmocka_unit_test(test_multiport_split_singles),
		cmocka_unit_test(test_multiport_split_ranges),
		cmocka_unit_test(test_multiport_byte_order),
		cmocka_unit_test(test_dport_matches),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_source_masks),
		cmocka_unit_test(test_rules_list),
	};

	return cmocka_run_group_tests_name("ipt_entry", tests, NULL, NULL);
}
