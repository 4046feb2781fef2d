// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipt_nft.c - the iptables plugins' nf_tables backend without a kernel:
 * every rule kind built from struct ipt_rule as each iptables-nft release
 * writes it, serialised to a netlink message, parsed back with libnftnl and
 * listed expression by expression (by this file, from the attributes, in
 * `nft --debug=netlink`'s words: no libnftnl text formatting involved); the
 * golden lists are what iptables-nft 1.8.9 (Debian 12) and 1.8.11 (Debian
 * 13) put in the kernel for the same iptables rule (captured with
 * `nft --debug=netlink list ruleset` after the stock command).  Also: the
 * compat attributes, the padding of xt payloads, kernel rules read back and
 * compared by what they match whichever release wrote them, the release
 * table and its detection, and the backend=auto rule.  No root.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "../../plugins/ipt/backend.h"
#include "../../plugins/ipt/nft_release.h"
#include "../../plugins/ipt/nft_rule.h"
#include "../../plugins/ipt/rule.h"
#include "nfnl/sig.h"

static char buf[65536];

static struct value_port_range pr(uint16_t a, uint16_t b)
{
	struct value_port_range r = { a, b };

	return r;
}

static struct nfban_addr addr(const char *text, unsigned prefix)
{
	struct nfban_addr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(text, ':') ? NFBAN_INET6 : NFBAN_INET4;
	a.prefix = (uint8_t)prefix;
	assert_int_equal(inet_pton(a.family == NFBAN_INET6 ? AF_INET6 : AF_INET, text, a.u.bytes), 1);
	return a;
}

#define R(a, b, c) ipt_nft_release_of(IPT_NFT_VERSION(a, b, c))

/* The rule through a NEWRULE message and back, as libnftnl parses a dump. */
static struct nftnl_rule *round_trip_as(const struct ipt_nft_release *rel, const struct ipt_rule *r,
					enum nfban_family fam)
{
	struct nftnl_rule *built = ipt_nft_rule_build(rel, r, fam), *back = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(built);
	assert_non_null(back);
	assert_int_equal(nftnl_rule_get_u32(built, NFTNL_RULE_FAMILY),
			 fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	memset(buf, 0, sizeof(buf));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
				    NLM_F_CREATE | NLM_F_ACK, 1);
	nftnl_rule_set_str(built, NFTNL_RULE_TABLE, "filter");
	nftnl_rule_set_str(built, NFTNL_RULE_CHAIN, "INPUT");
	nftnl_rule_nlmsg_build_payload(nlh, built);
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, back), 0);
	nftnl_rule_free(built);
	return back;
}

static struct nftnl_rule *round_trip(const struct ipt_rule *r, enum nfban_family fam)
{
	return round_trip_as(R(1, 8, 9), r, fam);
}

/* Data as nft --debug=netlink shows it: 32-bit words in host order. */
static void put_data(char *out, size_t n, const void *data, uint32_t len)
{
	const uint8_t *d = data;

	for (uint32_t i = 0; i < len; i += 4) {
		uint8_t w[4] = { 0, 0, 0, 0 };
		uint32_t v;

		memcpy(w, d + i, len - i < 4 ? len - i : 4);
		memcpy(&v, w, 4);
		snprintf(out + strlen(out), n - strlen(out), " 0x%08x", v);
	}
}

static const char *base_name(uint32_t base)
{
	return base == NFT_PAYLOAD_NETWORK_HEADER ? "network" : base == NFT_PAYLOAD_TRANSPORT_HEADER ? "transport" : "link";
}

static const char *verdict_name(int v)
{
	switch (v) {
	case NF_ACCEPT: return "accept";
	case NF_DROP: return "drop";
	case NFT_RETURN: return "return";
	case NFT_JUMP: return "jump";
	case NFT_GOTO: return "goto";
	default: return "?";
	}
}

/* One expression in nft --debug=netlink's words, from its attributes. */
static void put_expr(char *out, size_t n, const struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	char line[1024] = "";
	uint32_t len = 0;
	const void *d;

	if (strcmp(name, "payload") == 0) {
		snprintf(line, sizeof(line), "payload load %ub @ %s header + %u => reg %u",
			 nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN),
			 base_name(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE)),
			 nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
			 nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG));
	} else if (strcmp(name, "meta") == 0) {
		assert_int_equal(nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY), NFT_META_L4PROTO);
		snprintf(line, sizeof(line), "meta load l4proto => reg %u",
			 nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG));
	} else if (strcmp(name, "cmp") == 0) {
		static const char *const ops[] = { "eq", "neq", "lt", "lte", "gt", "gte" };

		snprintf(line, sizeof(line), "cmp %s reg %u", ops[nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) % 6],
			 nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
		d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		put_data(line, sizeof(line), d, len);
	} else if (strcmp(name, "bitwise") == 0) {
		snprintf(line, sizeof(line), "bitwise reg %u = ( reg %u &",
			 nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG),
			 nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
		d = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);
		put_data(line, sizeof(line), d, len);
		strcat(line, " ) ^");
		d = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &len);
		put_data(line, sizeof(line), d, len);
	} else if (strcmp(name, "range") == 0) {
		snprintf(line, sizeof(line), "range %s reg %u",
			 nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP) == NFT_RANGE_EQ ? "eq" : "neq",
			 nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
		d = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &len);
		put_data(line, sizeof(line), d, len);
		d = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &len);
		put_data(line, sizeof(line), d, len);
	} else if (strcmp(name, "match") == 0 || strcmp(name, "target") == 0) {
		bool m = name[0] == 'm';

		snprintf(line, sizeof(line), "%s name %s rev %u", name,
			 nftnl_expr_get_str(e, m ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME),
			 nftnl_expr_get_u32(e, m ? NFTNL_EXPR_MT_REV : NFTNL_EXPR_TG_REV));
	} else if (strcmp(name, "counter") == 0) {
		snprintf(line, sizeof(line), "counter pkts %llu bytes %llu",
			 (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS),
			 (unsigned long long)nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES));
	} else if (strcmp(name, "immediate") == 0) {
		int v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		snprintf(line, sizeof(line), "immediate reg %u %s%s%s",
			 nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), verdict_name(v),
			 v == NFT_JUMP || v == NFT_GOTO ? " -> " : "",
			 v == NFT_JUMP || v == NFT_GOTO ? nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN) : "");
	} else {
		snprintf(line, sizeof(line), "%s ?", name);
	}
	snprintf(out + strlen(out), n - strlen(out), "  [ %s ]\n", line);
}

/* The rule's expressions must be exactly `want` (one "  [ ... ]\n" line each). */
static void assert_exprs(const struct nftnl_rule *r, const char *release, const char *want)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	const struct nftnl_expr *e;
	char got[8192] = "";

	assert_non_null(it);
	while ((e = nftnl_expr_iter_next(it)))
		put_expr(got, sizeof(got), e);
	nftnl_expr_iter_destroy(it);
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%swant (iptables-nft %s):\n%s", got, release, want);
}

static void assert_netlink(const struct nftnl_rule *r, const char *want)
{
	assert_exprs(r, "1.8.9", want);
}

/* r read back from n is r again, whichever release wrote it. */
static void assert_reads_back(const struct nftnl_rule *n, const struct ipt_rule *r, enum nfban_family fam)
{
	struct ipt_rule back;

	assert_int_equal(ipt_nft_rule_parse(n, fam, &back), 0);
	assert_true(ipt_rule_same(&back, r));
	assert_true(ipt_rule_same(r, &back));
	assert_true(ipt_nft_rule_is(n, r, fam));
}

static void jump_to(struct ipt_rule *r, const char *chain)
{
	assert_int_equal(ipt_target_standard(r, chain), 0);
}

#define L4(p) "  [ meta load l4proto => reg 1 ]\n  [ cmp eq reg 1 " p " ]\n"
#define IPPROTO(p) "  [ payload load 1b @ network header + 9 => reg 1 ]\n  [ cmp eq reg 1 " p " ]\n"
#define DPORT "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
#define TAIL "  [ counter pkts 0 bytes 0 ]\n  [ immediate reg 0 jump -> f2b-x ]\n"

static void test_multiport_jump(void **state)
{
	struct ipt_rule r = { 0 };
	const struct value_port_range ports[] = { pr(22, 22), pr(80, 90) };
	static const char mp[] = "  [ match name multiport rev 1 ]\n"
				 "  [ counter pkts 0 bytes 0 ]\n"
				 "  [ immediate reg 0 jump -> f2b-sshd ]\n";
	char want[512];
	struct nftnl_rule *n;
	const struct nftnl_expr *e;
	struct nftnl_expr_iter *it;
	uint32_t len;

	(void)state;
	ipt_rule_set_proto(&r, IPPROTO_TCP);
	assert_int_equal(ipt_match_multiport(ipt_rule_add_match(&r), ports, 2), 2);
	jump_to(&r, "f2b-sshd");
	n = round_trip(&r, NFBAN_INET4);
	snprintf(want, sizeof(want), "%s%s", L4("0x00000006"), mp);
	assert_netlink(n, want);
	assert_reads_back(n, &r, NFBAN_INET4);
	/* The compat attributes nft_compat hands to multiport's checkentry. */
	assert_true(nftnl_rule_is_set(n, NFTNL_RULE_COMPAT_PROTO));
	assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_PROTO), IPPROTO_TCP);
	assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_FLAGS), 0);
	/* The xt payload: struct xt_multiport_v1, already XT_ALIGNed (48). */
	it = nftnl_expr_iter_create(n);
	nftnl_expr_iter_next(it);
	nftnl_expr_iter_next(it);
	e = nftnl_expr_iter_next(it);
	nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
	assert_int_equal(len, 48);
	assert_string_equal(nft_rule_jump(n), "f2b-sshd");
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(n);
	/* 1.8.10 and 1.8.11: IPv4's -p is the header's protocol byte; IPv6 keeps l4proto. */
	for (unsigned minor = 10; minor <= 11; minor++) {
		n = round_trip_as(R(1, 8, minor), &r, NFBAN_INET4);
		snprintf(want, sizeof(want), "%s%s", IPPROTO("0x00000006"), mp);
		assert_exprs(n, minor == 10 ? "1.8.10" : "1.8.11", want);
		assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_PROTO), IPPROTO_TCP);
		assert_reads_back(n, &r, NFBAN_INET4);
		nftnl_rule_free(n);
		n = round_trip_as(R(1, 8, minor), &r, NFBAN_INET6);
		snprintf(want, sizeof(want), "%s%s", L4("0x00000006"), mp);
		assert_exprs(n, minor == 10 ? "1.8.10" : "1.8.11", want);
		assert_reads_back(n, &r, NFBAN_INET6);
		nftnl_rule_free(n);
	}
}

static struct ipt_rule dport_rule(uint8_t proto, uint16_t a, uint16_t b)
{
	struct ipt_rule r = { 0 };
	struct value_port_range p = pr(a, b);

	ipt_rule_set_proto(&r, proto);
	assert_int_equal(ipt_match_dport(ipt_rule_add_match(&r), proto, &p), 0);
	jump_to(&r, "f2b-x");
	return r;
}

static struct nftnl_rule *dport(uint8_t proto, uint16_t a, uint16_t b, enum nfban_family fam)
{
	struct ipt_rule r = dport_rule(proto, a, b);

	return round_trip(&r, fam);
}

static void test_dport_native_and_compat(void **state)
{
	static const struct {
		uint8_t proto;
		uint16_t a, b;
		enum nfban_family fam;
		const char *l4, *want;   /* want follows -p's expressions */
	} cases[] = {
		{ IPPROTO_TCP, 22, 22, NFBAN_INET4, "0x00000006", DPORT "  [ cmp eq reg 1 0x00001600 ]\n" TAIL },
		{ IPPROTO_UDP, 80, 90, NFBAN_INET4,
		  "0x00000011", DPORT "  [ range eq reg 1 0x00005000 0x00005a00 ]\n" TAIL },
		{ IPPROTO_TCP, 0, 100, NFBAN_INET6, "0x00000006", DPORT "  [ cmp lte reg 1 0x00006400 ]\n" TAIL },
		{ IPPROTO_UDP, 100, 65535, NFBAN_INET6,
		  "0x00000011", DPORT "  [ range eq reg 1 0x00006400 0x0000ffff ]\n" TAIL },
		{ IPPROTO_UDP, 0, 0, NFBAN_INET6, "0x00000011", DPORT "  [ cmp eq reg 1 0x00000000 ]\n" TAIL },
		/* Nothing restricted: iptables-nft keeps the compat match. */
		{ IPPROTO_UDP, 0, 65535, NFBAN_INET6, "0x00000011", "  [ match name udp rev 0 ]\n" TAIL },
		{ IPPROTO_TCP, 0, 65535, NFBAN_INET4, "0x00000006", "  [ match name tcp rev 0 ]\n" TAIL },
		/* sctp and dccp have no native translation (1.8.9 to 1.8.11). */
		{ IPPROTO_SCTP, 22, 22, NFBAN_INET4, "0x00000084", "  [ match name sctp rev 0 ]\n" TAIL },
		{ IPPROTO_DCCP, 22, 22, NFBAN_INET6, "0x00000021", "  [ match name dccp rev 0 ]\n" TAIL },
	};
	static const unsigned minors[] = { 9, 10, 11 };

	(void)state;
	for (size_t m = 0; m < sizeof(minors) / sizeof(minors[0]); m++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct ipt_rule r = dport_rule(cases[i].proto, cases[i].a, cases[i].b);
			struct nftnl_rule *n = round_trip_as(R(1, 8, minors[m]), &r, cases[i].fam);
			char want[1024], rel[8];
			bool payload = minors[m] >= 10 && cases[i].fam == NFBAN_INET4;

			snprintf(want, sizeof(want), payload ? IPPROTO("%s") "%s" : L4("%s") "%s", cases[i].l4,
				 cases[i].want);
			snprintf(rel, sizeof(rel), "1.8.%u", minors[m]);
			assert_exprs(n, rel, want);
			assert_reads_back(n, &r, cases[i].fam);
			nftnl_rule_free(n);
		}
}

static void test_allports_jump(void **state)
{
	struct ipt_rule r = { 0 };
	struct nftnl_rule *n;

	(void)state;
	ipt_rule_set_proto(&r, IPPROTO_TCP);
	jump_to(&r, "f2b-x");
	n = round_trip(&r, NFBAN_INET6);
	assert_netlink(n, L4("0x00000006") TAIL);
	assert_reads_back(n, &r, NFBAN_INET6);
	nftnl_rule_free(n);
	n = round_trip_as(R(1, 8, 11), &r, NFBAN_INET4);
	assert_exprs(n, "1.8.11", IPPROTO("0x00000006") TAIL);
	assert_reads_back(n, &r, NFBAN_INET4);
	nftnl_rule_free(n);
	/* -p all: no protocol expression at all. */
	memset(&r, 0, sizeof(r));
	ipt_rule_set_proto(&r, 0);
	jump_to(&r, "f2b-x");
	n = round_trip(&r, NFBAN_INET6);
	assert_netlink(n, TAIL);
	assert_reads_back(n, &r, NFBAN_INET6);
	nftnl_rule_free(n);
}

static struct ipt_rule ban_rule(const char *ip, unsigned prefix, const struct value_xt_target *v)
{
	struct ipt_rule r = { 0 };
	const char *jump;
	char why[128];

	r.has_src = true;
	r.src = addr(ip, prefix);
	assert_int_equal(ipt_target_verdict(&r, r.src.family, v, &jump, why, sizeof(why)), 0);
	return r;
}

static struct nftnl_rule *ban_as(const struct ipt_nft_release *rel, const char *ip, unsigned prefix,
				 const struct value_xt_target *v)
{
	struct ipt_rule r = ban_rule(ip, prefix, v);
	struct nftnl_rule *n = round_trip_as(rel, &r, r.src.family);

	assert_reads_back(n, &r, r.src.family);
	return n;
}

static struct nftnl_rule *ban(const char *ip, unsigned prefix, const struct value_xt_target *v)
{
	return ban_as(R(1, 8, 9), ip, prefix, v);
}

static const struct value_xt_target rej4 = { .kind = VALUE_XT_REJECT, .reject_with = IPT_ICMP_PORT_UNREACHABLE };
static const struct value_xt_target rst4 = { .kind = VALUE_XT_REJECT, .reject_with = IPT_TCP_RESET };
static const struct value_xt_target rst6 = { .kind = VALUE_XT_REJECT, .reject_with = IP6T_TCP_RESET };
static const char rej_tail[] = "  [ counter pkts 0 bytes 0 ]\n  [ target name REJECT rev 0 ]\n";

static void test_bans(void **state)
{
	struct value_xt_target drop = { .kind = VALUE_XT_DROP };
	struct value_xt_target acc = { .kind = VALUE_XT_ACCEPT };
	struct value_xt_target log = { .kind = VALUE_XT_JUMP, .chain = "f2b-log" };
	struct nftnl_rule *n;
	char want[2048];
	const struct nftnl_expr *e, *last = NULL;
	struct nftnl_expr_iter *it;
	uint32_t len;

	(void)state;
	n = ban("192.0.2.1", 32, &rej4);
	snprintf(want, sizeof(want), "%s%s",
		 "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		 "  [ cmp eq reg 1 0x010200c0 ]\n", rej_tail);
	assert_netlink(n, want);
	/* REJECT's struct ipt_reject_info (4 bytes) padded to XT_ALIGN: 8. */
	it = nftnl_expr_iter_create(n);
	while ((e = nftnl_expr_iter_next(it)))
		last = e;
	nftnl_expr_iter_destroy(it);
	nftnl_expr_get(last, NFTNL_EXPR_TG_INFO, &len);
	assert_int_equal(len, 8);
	assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_PROTO), 0);
	assert_null(nft_rule_jump(n));
	nftnl_rule_free(n);
	/* No -p: the same in every release. */
	n = ban_as(R(1, 8, 11), "192.0.2.1", 32, &rej4);
	assert_exprs(n, "1.8.11", want);
	nftnl_rule_free(n);

	/* A prefix on a byte boundary loads only its bytes. */
	n = ban("198.51.100.7", 24, &drop);
	assert_netlink(n, "  [ payload load 3b @ network header + 12 => reg 1 ]\n"
			  "  [ cmp eq reg 1 0x006433c6 ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 drop ]\n");
	nftnl_rule_free(n);
	/* Inside a byte: the whole address, masked. */
	n = ban("10.0.0.0", 20, &log);
	assert_netlink(n, "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
			  "  [ bitwise reg 1 = ( reg 1 & 0x00f0ffff ) ^ 0x00000000 ]\n"
			  "  [ cmp eq reg 1 0x0000000a ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 jump -> f2b-log ]\n");
	nftnl_rule_free(n);
	/* /0: no address expression. */
	n = ban("0.0.0.0", 0, &acc);
	assert_netlink(n, "  [ counter pkts 0 bytes 0 ]\n  [ immediate reg 0 accept ]\n");
	nftnl_rule_free(n);
	n = ban("2001:db8::", 48, &acc);
	assert_netlink(n, "  [ payload load 6b @ network header + 8 => reg 1 ]\n"
			  "  [ cmp eq reg 1 0xb80d0120 0x00000000 ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 accept ]\n");
	nftnl_rule_free(n);
}

/* tcp-reset bans carry -p tcp: 1.8.9 puts it first, 1.8.10 on after -s. */
static void test_tcp_reset_bans(void **state)
{
	static const char v6_src[] =
		"  [ payload load 16b @ network header + 8 => reg 1 ]\n"
		"  [ bitwise reg 1 = ( reg 1 & 0xffffffff 0x00000080 0x00000000 0x00000000 ) ^ 0x00000000 0x00000000 0x00000000 0x00000000 ]\n"
		"  [ cmp eq reg 1 0xb80d0120 0x00000000 0x00000000 0x00000000 ]\n";
	static const char v4_src[] = "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
				     "  [ cmp eq reg 1 0x04030201 ]\n";
	struct nftnl_rule *n;
	char want[2048];

	(void)state;
	n = ban("2001:db8::", 33, &rst6);
	snprintf(want, sizeof(want), "%s%s%s", L4("0x00000006"), v6_src, rej_tail);
	assert_netlink(n, want);
	assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_PROTO), IPPROTO_TCP);
	nftnl_rule_free(n);
	n = ban("1.2.3.4", 32, &rst4);
	snprintf(want, sizeof(want), "%s%s%s", L4("0x00000006"), v4_src, rej_tail);
	assert_netlink(n, want);
	nftnl_rule_free(n);
	for (unsigned minor = 10; minor <= 11; minor++) {
		const char *rel = minor == 10 ? "1.8.10" : "1.8.11";

		n = ban_as(R(1, 8, minor), "2001:db8::", 33, &rst6);
		snprintf(want, sizeof(want), "%s%s%s", v6_src, L4("0x00000006"), rej_tail);
		assert_exprs(n, rel, want);
		assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_PROTO), IPPROTO_TCP);
		nftnl_rule_free(n);
		/* As Debian 13's `iptables -I INPUT -p tcp -s 1.2.3.4 -j REJECT --reject-with tcp-reset`. */
		n = ban_as(R(1, 8, minor), "1.2.3.4", 32, &rst4);
		snprintf(want, sizeof(want), "%s%s%s", v4_src, IPPROTO("0x00000006"), rej_tail);
		assert_exprs(n, rel, want);
		nftnl_rule_free(n);
	}
}

static void test_return_rule(void **state)
{
	struct ipt_rule r = { 0 };
	struct nftnl_rule *n;

	(void)state;
	assert_int_equal(ipt_target_standard(&r, "RETURN"), 0);
	for (unsigned minor = 9; minor <= 11; minor++) {
		n = round_trip_as(R(1, 8, minor), &r, NFBAN_INET4);
		assert_exprs(n, "1.8.9-11", "  [ counter pkts 0 bytes 0 ]\n  [ immediate reg 0 return ]\n");
		assert_reads_back(n, &r, NFBAN_INET4);
		nftnl_rule_free(n);
	}
}

/* Same content is found whatever the counters say; any other difference is not. */
static void test_same_by_content(void **state)
{
	struct value_xt_target rej4h = { .kind = VALUE_XT_REJECT, .reject_with = IPT_ICMP_HOST_PROHIBITED };
	struct ipt_rule want = ban_rule("192.0.2.1", 32, &rej4);
	struct nftnl_rule *a = ban("192.0.2.1", 32, &rej4);
	struct nftnl_rule *other_ip = ban("192.0.2.2", 32, &rej4);
	struct nftnl_rule *other_rej = ban("192.0.2.1", 32, &rej4h);
	struct nftnl_rule *wider = ban("192.0.2.1", 24, &rej4);
	struct ipt_rule wide = ban_rule("192.0.2.1", 24, &rej4);
	struct ipt_rule r22 = dport_rule(IPPROTO_TCP, 22, 22), r23 = dport_rule(IPPROTO_TCP, 23, 23);
	struct nftnl_rule *p22 = dport(IPPROTO_TCP, 22, 22, NFBAN_INET4);
	struct nftnl_rule *u22 = dport(IPPROTO_UDP, 22, 22, NFBAN_INET4);
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;

	(void)state;
	/* Counters that counted packets. */
	it = nftnl_expr_iter_create(a);
	while ((e = nftnl_expr_iter_next(it)))
		if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter") == 0) {
			nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 12);
			nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 3456);
		}
	nftnl_expr_iter_destroy(it);
	assert_true(ipt_nft_rule_is(a, &want, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(other_ip, &want, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(other_rej, &want, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(wider, &want, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(a, &wide, NFBAN_INET4));
	assert_true(ipt_nft_rule_is(p22, &r22, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(p22, &r23, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(u22, &r22, NFBAN_INET4));
	assert_false(ipt_nft_rule_is(p22, &want, NFBAN_INET4));
	/* Host bits beyond the prefix do not make another rule. */
	wide.src.u.bytes[3] = 99;
	assert_true(ipt_nft_rule_is(wider, &wide, NFBAN_INET4));
	/* An expression after the verdict (no iptables rule has one): another rule. */
	nftnl_rule_add_expr(a, nftnl_expr_alloc("counter"));
	assert_false(ipt_nft_rule_is(a, &want, NFBAN_INET4));
	assert_string_equal(nft_rule_jump(p22), "f2b-x");
	for (struct nftnl_rule **r = (struct nftnl_rule *[]){ a, other_ip, other_rej, wider, p22, u22, NULL };
	     *r; r++)
		nftnl_rule_free(*r);
}

/* ---- rules other writers make: read back, or refused as none of nfban's ---- */

static struct nftnl_expr *x_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len,
				    uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, reg);
	nftnl_rule_add_expr(r, e);
	return e;
}

static struct nftnl_expr *x_cmp(struct nftnl_rule *r, uint32_t op, const void *d, uint32_t len, uint32_t reg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, d, len);
	nftnl_rule_add_expr(r, e);
	return e;
}

static void x_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	nftnl_rule_add_expr(r, e);
}

static void test_other_writers(void **state)
{
	static const uint8_t tcp = IPPROTO_TCP, ip[4] = { 192, 0, 2, 1 };
	static const uint8_t both[4] = { 0x04, 0x00, 0x00, 0x16 };     /* sport 1024, dport 22 */
	static const uint16_t p22 = 0x1600;
	struct ipt_rule want = dport_rule(IPPROTO_TCP, 22, 22), back;
	struct xt_tcp *t;
	struct nftnl_rule *r;
	struct nftnl_expr *e;

	(void)state;
	/* 32-bit registers (nft's allocation) read as well as iptables' reg 1. */
	r = nftnl_rule_alloc();
	nftnl_rule_add_expr(r, e = nftnl_expr_alloc("meta"));
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG32_03);
	x_cmp(r, NFT_CMP_EQ, &tcp, 1, NFT_REG32_03);
	x_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_00);
	x_cmp(r, NFT_CMP_EQ, &p22, 2, NFT_REG32_00);
	x_verdict(r, NFT_JUMP, "f2b-x");
	assert_true(ipt_nft_rule_is(r, &want, NFBAN_INET4));
	/* The same as a goto (-g) is another rule. */
	nftnl_rule_free(r);
	r = nftnl_rule_alloc();
	x_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 9, 1, NFT_REG_1);
	x_cmp(r, NFT_CMP_EQ, &tcp, 1, NFT_REG_1);
	x_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
	x_cmp(r, NFT_CMP_EQ, &p22, 2, NFT_REG_1);
	x_verdict(r, NFT_GOTO, "f2b-x");
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), -1);
	nftnl_rule_free(r);
	/* One load of both ports (iptables-nft's -p tcp --sport 1024 --dport 22). */
	r = nftnl_rule_alloc();
	x_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 9, 1, NFT_REG_1);
	x_cmp(r, NFT_CMP_EQ, &tcp, 1, NFT_REG_1);
	x_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 4, NFT_REG_1);
	x_cmp(r, NFT_CMP_EQ, both, 4, NFT_REG_1);
	x_verdict(r, NFT_JUMP, "f2b-x");
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), 0);
	assert_string_equal(back.match[0].name, "tcp");
	t = (struct xt_tcp *)(void *)back.match[0].data;
	assert_int_equal(t->spts[0], 1024);
	assert_int_equal(t->spts[1], 1024);
	assert_int_equal(t->dpts[0], 22);
	assert_false(ipt_rule_same(&back, &want));
	nftnl_rule_free(r);
	/* Inverted (! -s) and interface matches: none of nfban's rules. */
	r = nftnl_rule_alloc();
	x_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	x_cmp(r, NFT_CMP_NEQ, ip, 4, NFT_REG_1);
	x_verdict(r, NF_DROP, NULL);
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), -1);
	nftnl_rule_free(r);
	r = nftnl_rule_alloc();
	nftnl_rule_add_expr(r, e = nftnl_expr_alloc("meta"));
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_IIFNAME);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	x_cmp(r, NFT_CMP_EQ, "lo", 3, NFT_REG_1);
	x_verdict(r, NF_DROP, NULL);
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), -1);
	nftnl_rule_free(r);
	/* A mask that is no prefix. */
	r = nftnl_rule_alloc();
	x_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	nftnl_rule_add_expr(r, e = nftnl_expr_alloc("bitwise"));
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, (uint8_t[]){ 0xff, 0, 0xff, 0 }, 4);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, (uint8_t[]){ 0, 0, 0, 0 }, 4);
	x_cmp(r, NFT_CMP_EQ, (uint8_t[]){ 192, 0, 2, 0 }, 4, NFT_REG_1);
	x_verdict(r, NF_DROP, NULL);
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), -1);
	nftnl_rule_free(r);
	/* Nothing after the verdict; no rule without one. */
	r = nftnl_rule_alloc();
	x_verdict(r, NF_DROP, NULL);
	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), -1);
	nftnl_rule_free(r);
	r = nftnl_rule_alloc();
	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
	assert_int_equal(ipt_nft_rule_parse(r, NFBAN_INET4, &back), -1);
	nftnl_rule_free(r);
}

/* A jail's rules written by one release are the same rules to every other. */
static void test_across_releases(void **state)
{
	struct ipt_rule rules[4];
	static const enum nfban_family fams[] = { NFBAN_INET4, NFBAN_INET6 };
	const struct value_port_range ports[] = { pr(22, 22), pr(443, 443) };

	(void)state;
	memset(rules, 0, sizeof(rules));
	ipt_rule_set_proto(&rules[0], IPPROTO_TCP);
	assert_int_equal(ipt_match_multiport(ipt_rule_add_match(&rules[0]), ports, 2), 2);
	jump_to(&rules[0], "f2b-sshd");
	rules[1] = dport_rule(IPPROTO_UDP, 53, 53);
	for (size_t f = 0; f < 2; f++) {
		rules[2] = ban_rule(fams[f] == NFBAN_INET6 ? "2001:db8::1" : "192.0.2.1",
				    fams[f] == NFBAN_INET6 ? 128 : 32, fams[f] == NFBAN_INET6 ? &rst6 : &rst4);
		rules[3] = ban_rule(fams[f] == NFBAN_INET6 ? "2001:db8::" : "10.0.0.0",
				    fams[f] == NFBAN_INET6 ? 33 : 20, fams[f] == NFBAN_INET6 ? &rst6 : &rst4);
		for (size_t i = 0; i < 4; i++)
			for (size_t w = 0; w < ipt_nft_n_releases; w++) {
				struct nftnl_rule *n = round_trip_as(&ipt_nft_releases[w], &rules[i], fams[f]);

				assert_reads_back(n, &rules[i], fams[f]);
				for (size_t o = 0; o < 4; o++)
					if (o != i)
						assert_false(ipt_nft_rule_is(n, &rules[o], fams[f]));
				nftnl_rule_free(n);
			}
	}
}

/* ---- the releases ---- */

static void test_release_rows(void **state)
{
	const struct ipt_nft_release *r9 = R(1, 8, 9), *r10 = R(1, 8, 10), *r11 = R(1, 8, 11);

	(void)state;
	assert_string_equal(r9->name, "1.8.9");
	assert_string_equal(r10->name, "1.8.10");
	assert_string_equal(r11->name, "1.8.11");
	/* Older releases write as 1.8.9; newer ones are taken as the newest known. */
	assert_ptr_equal(R(1, 8, 7), r9);
	assert_ptr_equal(R(1, 6, 1), r9);
	assert_ptr_equal(R(1, 8, 12), r11);
	assert_ptr_equal(R(1, 9, 0), r11);
	assert_ptr_equal(&ipt_nft_releases[ipt_nft_n_releases - 1], r11);
	assert_false(r9->src_first);
	assert_false(r9->chain_counters);
	assert_int_equal(ipt_nft_release_proto(r9, NFBAN_INET4), IPT_NFT_PROTO_META);
	assert_int_equal(ipt_nft_release_proto(r9, NFBAN_INET6), IPT_NFT_PROTO_META);
	for (const struct ipt_nft_release *const *r = (const struct ipt_nft_release *const[]){ r10, r11, NULL };
	     *r; r++) {
		assert_true((*r)->src_first);
		assert_true((*r)->chain_counters);
		assert_int_equal(ipt_nft_release_proto(*r, NFBAN_INET4), IPT_NFT_PROTO_PAYLOAD);
		assert_int_equal(ipt_nft_release_proto(*r, NFBAN_INET6), IPT_NFT_PROTO_META);
	}
}

static void test_version_string(void **state)
{
	static const char good[] = "\0usage\0" "1.8.11\0" "1.8.11 (nf_tables)\0rest";
	static const char old[] = "\0%s v%s (nf_tables)\n\0" "1.8.7\0";
	static const char glued[] = "\0x1.8.9 (nf_tables)\0";
	static const char open_end[] = "\0" "1.8.9 (nf_tables)";
	static const char second[] = "\0v%s (nf_tables)\0" "1.8.10 (nf_tables)\0";
	unsigned v = 0;

	(void)state;
	assert_int_equal(ipt_nft_version_in(good, sizeof(good) - 1, &v), 0);
	assert_int_equal(v, IPT_NFT_VERSION(1, 8, 11));
	assert_int_equal(ipt_nft_version_in(second, sizeof(second) - 1, &v), 0);
	assert_int_equal(v, IPT_NFT_VERSION(1, 8, 10));
	assert_int_equal(ipt_nft_version_in(old, sizeof(old) - 1, &v), -1);
	assert_int_equal(ipt_nft_version_in(glued, sizeof(glued) - 1, &v), -1);
	assert_int_equal(ipt_nft_version_in(open_end, sizeof(open_end) - 1, &v), -1);
	assert_int_equal(ipt_nft_version_of_file("/nonexistent/iptables", &v), -1);
}

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* What `prog iptables --version` prints (run without a shell), into out. */
static int version_printed(const char *prog, char *out, size_t n)
{
	char *argv[] = { (char *)"iptables", (char *)"--version", NULL };
	posix_spawn_file_actions_t fa;
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (posix_spawn(&pid, prog, &fa, NULL, argv, (char *[]){ NULL }) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	got = pid > 0 ? read(fds[0], out, n - 1) : -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	out[got > 0 ? got : 0] = '\0';
	return got > 0 ? 0 : -1;
}

/* The host's own xtables-nft-multi: the version its .rodata states is the one it prints. */
static void test_version_of_the_hosts_iptables(void **state)
{
	static const char prog[] = "/usr/sbin/xtables-nft-multi";
	char printed[256], want[64];
	unsigned v;

	(void)state;
	if (access(prog, X_OK) != 0)
		skip();
	assert_int_equal(version_printed(prog, printed, sizeof(printed)), 0);
	assert_int_equal(ipt_nft_version_of_file(prog, &v), 0);
	snprintf(want, sizeof(want), "iptables v%u.%u.%u (nf_tables)", v >> 16, (v >> 8) & 0xff, v & 0xff);
	assert_true(strncmp(printed, want, strlen(want)) == 0);
}

/* Which program is read: PATH's iptables if nf_tables, else iptables-nft. */
static void test_release_detect(void **state)
{
	static const char v10[] = "\x7f" "ELF\0" "1.8.10 (nf_tables)\0";
	static const char v11[] = "\x7f" "ELF\0" "1.8.11 (nf_tables)\0";
	static const char none[] = "\x7f" "ELF\0%s v%s (nf_tables)\n\0";
	char dir[] = "/tmp/nfban-unit-XXXXXX", p[4][128], path[300];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p[0], sizeof(p[0]), "%s/xtables-nft-multi", dir);
	snprintf(p[1], sizeof(p[1]), "%s/xtables-legacy-multi", dir);
	snprintf(p[2], sizeof(p[2]), "%s/iptables", dir);
	snprintf(p[3], sizeof(p[3]), "%s/iptables-nft", dir);
	write_file(p[0], v10, sizeof(v10), 0755);
	write_file(p[1], v11, sizeof(v11), 0755);
	/* No iptables at all: the newest. */
	assert_ptr_equal(ipt_nft_release_detect(dir), &ipt_nft_releases[ipt_nft_n_releases - 1]);
	assert_ptr_equal(ipt_nft_release_detect(NULL), &ipt_nft_releases[ipt_nft_n_releases - 1]);
	/* iptables -> xtables-nft-multi: its version. */
	assert_int_equal(symlink(p[0], p[2]), 0);
	snprintf(path, sizeof(path), "/nonexistent:%s", dir);
	assert_string_equal(ipt_nft_release_detect(path)->name, "1.8.10");
	/* iptables is legacy: iptables-nft's version (not the legacy program's text). */
	unlink(p[2]);
	assert_int_equal(symlink(p[1], p[2]), 0);
	assert_ptr_equal(ipt_nft_release_detect(dir), &ipt_nft_releases[ipt_nft_n_releases - 1]);
	assert_int_equal(symlink(p[0], p[3]), 0);
	assert_string_equal(ipt_nft_release_detect(dir)->name, "1.8.10");
	/* An iptables-nft that states no version: before 1.8.8, written as 1.8.9. */
	write_file(p[0], none, sizeof(none), 0755);
	assert_string_equal(ipt_nft_release_detect(dir)->name, "1.8.9");
	unlink(p[3]);
	unlink(p[2]);
	unlink(p[1]);
	unlink(p[0]);
	rmdir(dir);
}

static void test_backend_of_command(void **state)
{
	(void)state;
	assert_int_equal(ipt_backend_of_command("xtables-nft-multi"), IPT_BACKEND_NFT);
	assert_int_equal(ipt_backend_of_command("iptables-nft"), IPT_BACKEND_NFT);
	assert_int_equal(ipt_backend_of_command("xtables-legacy-multi"), IPT_BACKEND_LEGACY);
	assert_int_equal(ipt_backend_of_command("iptables-legacy"), IPT_BACKEND_LEGACY);
	assert_int_equal(ipt_backend_of_command("xtables-multi"), IPT_BACKEND_LEGACY);
	assert_int_equal(ipt_backend_of_command("busybox"), IPT_BACKEND_AUTO);
	assert_int_equal(ipt_backend_resolve(IPT_BACKEND_LEGACY, NULL), IPT_BACKEND_LEGACY);
	assert_int_equal(ipt_backend_resolve(IPT_BACKEND_NFT, NULL), IPT_BACKEND_NFT);
}

/* PATH order, and links followed through an alternatives-like chain. */
static void test_backend_finds_iptables(void **state)
{
	char dir[] = "/tmp/nfban-unit-XXXXXX", a[40], b[40], alt[64], target[96], link[96],
	     path[160], out[PATH_MAX];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	assert_int_equal(mkdir(a, 0700), 0);
	assert_int_equal(mkdir(b, 0700), 0);
	snprintf(target, sizeof(target), "%s/xtables-nft-multi", dir);
	f = fopen(target, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(chmod(target, 0700), 0);
	snprintf(alt, sizeof(alt), "%s/alt-iptables", dir);
	assert_int_equal(symlink(target, alt), 0);
	snprintf(link, sizeof(link), "%s/iptables", b);
	assert_int_equal(symlink(alt, link), 0);
	/* Not in a; found in b, through two links. */
	snprintf(path, sizeof(path), "%s:%s", a, b);
	assert_int_equal(ipt_backend_find_iptables(path, out, sizeof(out)), 0);
	assert_string_equal(out, target);
	assert_int_equal(ipt_backend_find_iptables(a, out, sizeof(out)), -1);
	assert_int_equal(ipt_backend_find_iptables(NULL, out, sizeof(out)), -1);
	unlink(link);
	unlink(alt);
	unlink(target);
	rmdir(a);
	rmdir(b);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multiport_jump),
		cmocka_unit_test(test_dport_native_and_compat),
		cmocka_unit_test(test_allports_jump),
		cmocka_unit_test(test_bans),
		cmocka_unit_test(test_return_rule),
		cmocka_unit_test(test_tcp_reset_bans),
		cmocka_unit_test(test_same_by_content),
		cmocka_unit_test(test_other_writers),
		cmocka_unit_test(test_across_releases),
		cmocka_unit_test(test_release_rows),
		cmocka_unit_test(test_version_string),
		cmocka_unit_test(test_release_detect),
		cmocka_unit_test(test_version_of_the_hosts_iptables),
		cmocka_unit_test(test_backend_of_command),
		cmocka_unit_test(test_backend_finds_iptables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
