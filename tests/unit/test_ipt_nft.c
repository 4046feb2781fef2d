// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipt_nft.c - the iptables plugins' nf_tables backend without a kernel:
 * every rule kind built from struct ipt_rule, serialised to a netlink
 * message, parsed back with libnftnl and printed as `nft --debug=netlink`
 * prints it; the golden texts are what iptables-nft 1.8.9 puts in the kernel
 * for the same iptables rule (captured with `nft --debug=netlink list
 * ruleset` after the stock command).  Also: the compat attributes, the
 * padding of xt payloads, the comparison by content, and the backend=auto
 * rule.  No root.
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
#include <unistd.h>
#include <sys/stat.h>
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
#include "../../plugins/ipt/nft_rule.h"
#include "../../plugins/ipt/rule.h"

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

/* The rule through a NEWRULE message and back, as libnftnl parses a dump. */
static struct nftnl_rule *round_trip(const struct ipt_rule *r, enum nfban_family fam)
{
	struct nftnl_rule *built = ipt_nft_rule_build(r, fam), *back = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(built);
	assert_non_null(back);
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

/* The expression lines of `nft --debug=netlink` for the rule. */
static void assert_netlink(const struct nftnl_rule *r, const char *want)
{
	char text[8192], got[8192] = "";
	char *line, *save = NULL;

	nftnl_rule_snprintf(text, sizeof(text), r, NFTNL_OUTPUT_DEFAULT, 0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "  [", 3) == 0) {
			strcat(got, line);
			strcat(got, "\n");
		}
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%swant (iptables-nft 1.8.9):\n%s", got, want);
}

static void jump_to(struct ipt_rule *r, const char *chain)
{
	assert_int_equal(ipt_target_standard(r, chain), 0);
}

static void test_multiport_jump(void **state)
{
	struct ipt_rule r = { 0 };
	const struct value_port_range ports[] = { pr(22, 22), pr(80, 90) };
	struct nftnl_rule *n;
	const struct nftnl_expr *e;
	struct nftnl_expr_iter *it;
	uint32_t len;

	(void)state;
	ipt_rule_set_proto(&r, IPPROTO_TCP);
	assert_int_equal(ipt_match_multiport(ipt_rule_add_match(&r), ports, 2), 2);
	jump_to(&r, "f2b-sshd");
	n = round_trip(&r, NFBAN_INET4);
	assert_netlink(n, "  [ meta load l4proto => reg 1 ]\n"
			  "  [ cmp eq reg 1 0x00000006 ]\n"
			  "  [ match name multiport rev 1 ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 jump -> f2b-sshd ]\n");
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
	assert_string_equal(ipt_nft_rule_jump(n), "f2b-sshd");
	nftnl_expr_iter_destroy(it);
	nftnl_rule_free(n);
}

static struct nftnl_rule *dport(uint8_t proto, uint16_t a, uint16_t b, enum nfban_family fam)
{
	struct ipt_rule r = { 0 };
	struct value_port_range p = pr(a, b);

	ipt_rule_set_proto(&r, proto);
	assert_int_equal(ipt_match_dport(ipt_rule_add_match(&r), proto, &p), 0);
	jump_to(&r, "f2b-x");
	return round_trip(&r, fam);
}

#define L4(p) "  [ meta load l4proto => reg 1 ]\n  [ cmp eq reg 1 " p " ]\n"
#define DPORT "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
#define TAIL "  [ counter pkts 0 bytes 0 ]\n  [ immediate reg 0 jump -> f2b-x ]\n"

static void test_dport_native_and_compat(void **state)
{
	static const struct {
		uint8_t proto;
		uint16_t a, b;
		enum nfban_family fam;
		const char *want;
	} cases[] = {
		{ IPPROTO_TCP, 22, 22, NFBAN_INET4,
		  L4("0x00000006") DPORT "  [ cmp eq reg 1 0x00001600 ]\n" TAIL },
		{ IPPROTO_UDP, 80, 90, NFBAN_INET4,
		  L4("0x00000011") DPORT "  [ range eq reg 1 0x00005000 0x00005a00 ]\n" TAIL },
		{ IPPROTO_TCP, 0, 100, NFBAN_INET6,
		  L4("0x00000006") DPORT "  [ cmp lte reg 1 0x00006400 ]\n" TAIL },
		{ IPPROTO_UDP, 100, 65535, NFBAN_INET6,
		  L4("0x00000011") DPORT "  [ range eq reg 1 0x00006400 0x0000ffff ]\n" TAIL },
		{ IPPROTO_UDP, 0, 0, NFBAN_INET6,
		  L4("0x00000011") DPORT "  [ cmp eq reg 1 0x00000000 ]\n" TAIL },
		/* Nothing restricted: iptables-nft keeps the compat match. */
		{ IPPROTO_UDP, 0, 65535, NFBAN_INET6,
		  L4("0x00000011") "  [ match name udp rev 0 ]\n" TAIL },
		{ IPPROTO_TCP, 0, 65535, NFBAN_INET4,
		  L4("0x00000006") "  [ match name tcp rev 0 ]\n" TAIL },
		/* sctp and dccp have no native translation in 1.8.9. */
		{ IPPROTO_SCTP, 22, 22, NFBAN_INET4,
		  L4("0x00000084") "  [ match name sctp rev 0 ]\n" TAIL },
		{ IPPROTO_DCCP, 22, 22, NFBAN_INET4,
		  L4("0x00000021") "  [ match name dccp rev 0 ]\n" TAIL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nftnl_rule *n = dport(cases[i].proto, cases[i].a, cases[i].b, cases[i].fam);

		assert_netlink(n, cases[i].want);
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
	nftnl_rule_free(n);
	/* -p all: no protocol expression at all. */
	memset(&r, 0, sizeof(r));
	ipt_rule_set_proto(&r, 0);
	jump_to(&r, "f2b-x");
	n = round_trip(&r, NFBAN_INET6);
	assert_netlink(n, TAIL);
	nftnl_rule_free(n);
}

static struct nftnl_rule *ban(const char *ip, unsigned prefix, const struct value_xt_target *v,
			      uint8_t proto)
{
	struct ipt_rule r = { 0 };
	struct nfban_addr a = addr(ip, prefix);
	const char *jump;
	char why[128];

	(void)proto;        /* configure() checks tcp-reset against the protocols now */
	r.has_src = true;
	r.src = a;
	assert_int_equal(ipt_target_verdict(&r, a.family, v, &jump, why, sizeof(why)), 0);
	return round_trip(&r, a.family);
}

static void test_bans(void **state)
{
	struct value_xt_target rej4 = { .kind = VALUE_XT_REJECT, .reject_with = IPT_ICMP_PORT_UNREACHABLE };
	struct value_xt_target rst6 = { .kind = VALUE_XT_REJECT, .reject_with = IP6T_TCP_RESET };
	struct value_xt_target drop = { .kind = VALUE_XT_DROP };
	struct value_xt_target acc = { .kind = VALUE_XT_ACCEPT };
	struct value_xt_target log = { .kind = VALUE_XT_JUMP, .chain = "f2b-log" };
	static const char rej_tail[] = "  [ counter pkts 0 bytes 0 ]\n  [ target name REJECT rev 0 ]\n";
	struct nftnl_rule *n;
	char want[2048];
	const struct nftnl_expr *e, *last = NULL;
	struct nftnl_expr_iter *it;
	uint32_t len;

	(void)state;
	n = ban("192.0.2.1", 32, &rej4, IPPROTO_TCP);
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
	assert_null(ipt_nft_rule_jump(n));
	nftnl_rule_free(n);

	/* A prefix on a byte boundary loads only its bytes. */
	n = ban("198.51.100.7", 24, &drop, IPPROTO_TCP);
	assert_netlink(n, "  [ payload load 3b @ network header + 12 => reg 1 ]\n"
			  "  [ cmp eq reg 1 0x006433c6 ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 drop ]\n");
	nftnl_rule_free(n);
	/* Inside a byte: the whole address, masked. */
	n = ban("10.0.0.0", 20, &log, IPPROTO_TCP);
	assert_netlink(n, "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
			  "  [ bitwise reg 1 = ( reg 1 & 0x00f0ffff ) ^ 0x00000000 ]\n"
			  "  [ cmp eq reg 1 0x0000000a ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 jump -> f2b-log ]\n");
	nftnl_rule_free(n);
	/* /0: no address expression. */
	n = ban("0.0.0.0", 0, &acc, IPPROTO_TCP);
	assert_netlink(n, "  [ counter pkts 0 bytes 0 ]\n  [ immediate reg 0 accept ]\n");
	nftnl_rule_free(n);
	/* IPv6, and tcp-reset's -p tcp before the address. */
	n = ban("2001:db8::", 48, &acc, IPPROTO_TCP);
	assert_netlink(n, "  [ payload load 6b @ network header + 8 => reg 1 ]\n"
			  "  [ cmp eq reg 1 0xb80d0120 0x00000000 ]\n"
			  "  [ counter pkts 0 bytes 0 ]\n"
			  "  [ immediate reg 0 accept ]\n");
	nftnl_rule_free(n);
	n = ban("2001:db8::", 33, &rst6, IPPROTO_TCP);
	snprintf(want, sizeof(want), "%s%s",
		 L4("0x00000006")
		 "  [ payload load 16b @ network header + 8 => reg 1 ]\n"
		 "  [ bitwise reg 1 = ( reg 1 & 0xffffffff 0x00000080 0x00000000 0x00000000 ) ^ 0x00000000 0x00000000 0x00000000 0x00000000 ]\n"
		 "  [ cmp eq reg 1 0xb80d0120 0x00000000 0x00000000 0x00000000 ]\n", rej_tail);
	assert_netlink(n, want);
	assert_int_equal(nftnl_rule_get_u32(n, NFTNL_RULE_COMPAT_PROTO), IPPROTO_TCP);
	nftnl_rule_free(n);
}

static void test_return_rule(void **state)
{
	struct ipt_rule r = { 0 };
	struct nftnl_rule *n;

	(void)state;
	assert_int_equal(ipt_target_standard(&r, "RETURN"), 0);
	n = round_trip(&r, NFBAN_INET4);
	assert_netlink(n, "  [ counter pkts 0 bytes 0 ]\n  [ immediate reg 0 return ]\n");
	nftnl_rule_free(n);
}

/* Same content is found whatever the counters say; any other difference is not. */
static void test_same_by_content(void **state)
{
	struct value_xt_target rej4 = { .kind = VALUE_XT_REJECT, .reject_with = IPT_ICMP_PORT_UNREACHABLE };
	struct value_xt_target rej4h = { .kind = VALUE_XT_REJECT, .reject_with = IPT_ICMP_HOST_PROHIBITED };
	struct nftnl_rule *a = ban("192.0.2.1", 32, &rej4, IPPROTO_TCP);
	struct nftnl_rule *want = ban("192.0.2.1", 32, &rej4, IPPROTO_TCP);
	struct nftnl_rule *other_ip = ban("192.0.2.2", 32, &rej4, IPPROTO_TCP);
	struct nftnl_rule *other_rej = ban("192.0.2.1", 32, &rej4h, IPPROTO_TCP);
	struct nftnl_rule *wider = ban("192.0.2.1", 24, &rej4, IPPROTO_TCP);
	struct nftnl_rule *p22 = dport(IPPROTO_TCP, 22, 22, NFBAN_INET4);
	struct nftnl_rule *p23 = dport(IPPROTO_TCP, 23, 23, NFBAN_INET4);
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
	assert_true(ipt_nft_rule_same(a, want));
	assert_false(ipt_nft_rule_same(other_ip, want));
	assert_false(ipt_nft_rule_same(other_rej, want));
	assert_false(ipt_nft_rule_same(wider, want));
	assert_false(ipt_nft_rule_same(want, wider));
	assert_true(ipt_nft_rule_same(p22, p22));
	assert_false(ipt_nft_rule_same(p22, p23));
	assert_false(ipt_nft_rule_same(u22, p22));
	assert_false(ipt_nft_rule_same(p22, want));
	/* One expression more (a comment-less but longer rule) is another rule. */
	e = nftnl_expr_alloc("counter");
	nftnl_rule_add_expr(a, e);
	assert_false(ipt_nft_rule_same(a, want));
	assert_string_equal(ipt_nft_rule_jump(p22), "f2b-x");
	for (struct nftnl_rule **r = (struct nftnl_rule *[]){ a, want, other_ip, other_rej, wider, p22,
							    p23, u22, NULL }; *r; r++)
		nftnl_rule_free(*r);
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
	assert_int_equal(ipt_backend_resolve(IPT_BACKEND_LEGACY), IPT_BACKEND_LEGACY);
	assert_int_equal(ipt_backend_resolve(IPT_BACKEND_NFT), IPT_BACKEND_NFT);
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
		cmocka_unit_test(test_same_by_content),
		cmocka_unit_test(test_backend_of_command),
		cmocka_unit_test(test_backend_finds_iptables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
