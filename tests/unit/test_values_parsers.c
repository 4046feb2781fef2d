// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_values_parsers.c - the shared parsers of Fail2ban's tag values
 * (src/values): ports, protocols, addresses, iptables targets, nft
 * verdicts, hooks and priorities, names, each key type's syntax check, the
 * key-table helpers, and how a refused value is echoed.  No root, no kernel.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "report.h"
#include "text.h"
#include "values.h"

static char why[NFBAN_MSG_MAX];

/* The reason is one line and says `part`. */
static void assert_why(const char *part)
{
	if (!strstr(why, part))
		fail_msg("'%s' does not say '%s'", why, part);
	assert_null(strchr(why, '\n'));
}

/* ---- ports ------------------------------------------------------------------- */

static struct value_port_range ports[VALUE_MAX_PORTS];
static unsigned n_ports;

static int parse_ports(const char *text)
{
	why[0] = '\0';
	memset(ports, 0xaa, sizeof(ports));
	return value_parse_ports(text, ports, &n_ports, why, sizeof(why));
}

static void test_ports(void **state)
{
	(void)state;
	assert_int_equal(parse_ports("ssh,http, https ,8000:8080,0,65535"), 0);
	assert_int_equal(n_ports, 6);
	assert_int_equal(ports[0].first, 22);
	assert_int_equal(ports[0].last, 22);
	assert_int_equal(ports[1].first, 80);
	assert_int_equal(ports[2].first, 443);
	assert_int_equal(ports[3].first, 8000);
	assert_int_equal(ports[3].last, 8080);
	assert_int_equal(ports[4].first, 0);
	assert_int_equal(ports[4].last, 0);
	assert_int_equal(ports[5].first, 65535);
	assert_int_equal(ports[5].last, 65535);
	/* Ranges from names, and iptables' open-ended shorthands. */
	assert_int_equal(parse_ports("ftp-data:ftp,:100,1000:"), 0);
	assert_int_equal(n_ports, 3);
	assert_int_equal(ports[0].first, 20);
	assert_int_equal(ports[0].last, 21);
	assert_int_equal(ports[1].first, 0);
	assert_int_equal(ports[1].last, 100);
	assert_int_equal(ports[2].first, 1000);
	assert_int_equal(ports[2].last, 65535);

	assert_int_equal(parse_ports("65536"), -1);
	assert_why("'65536'");
	assert_int_equal(parse_ports("90:80"), -1);
	assert_why("runs backwards");
	assert_int_equal(parse_ports("nosuchservice"), -1);
	assert_why("unknown service 'nosuchservice'");
	assert_int_equal(parse_ports("22,,23"), -1);
	assert_why("empty port");
	assert_int_equal(parse_ports(""), -1);
	assert_int_equal(parse_ports(" "), -1);
	assert_int_equal(parse_ports("22,"), -1);
	assert_int_equal(parse_ports("1:2:3"), -1);
	assert_int_equal(parse_ports("ssh:http:ftp"), -1);
	assert_int_equal(parse_ports("-1"), -1);
	assert_int_equal(parse_ports("22a"), -1);
	assert_why("'22a'");
}

/* A name is the port nft gives it, whatever the protocol (services.h). */
static void test_port_names(void **state)
{
	(void)state;
	assert_int_equal(parse_ports("domain"), 0);
	assert_int_equal(ports[0].first, 53);
	/* ssh and submission are listed for tcp only. */
	assert_int_equal(parse_ports("ssh,submission"), 0);
	assert_int_equal(ports[0].first, 22);
	assert_int_equal(ports[1].first, 587);
	/* echo is 7/tcp, 7/udp and 4/ddp: tcp first. */
	assert_int_equal(parse_ports("echo"), 0);
	assert_int_equal(ports[0].first, 7);
	assert_int_equal(parse_ports("smtp,nope"), -1);
	assert_why("unknown service 'nope'");
}

static void test_too_many_ports(void **state)
{
	char arg[VALUE_MAX_PORTS * 8 + 16] = "";

	(void)state;
	for (int i = 0; i < VALUE_MAX_PORTS; i++)
		sprintf(arg + strlen(arg), "%s%d", i ? "," : "", 1000 + i);
	assert_int_equal(parse_ports(arg), 0);
	assert_int_equal(n_ports, VALUE_MAX_PORTS);
	assert_int_equal(ports[VALUE_MAX_PORTS - 1].first, 1000 + VALUE_MAX_PORTS - 1);
	strcat(arg, ",9999");
	assert_int_equal(parse_ports(arg), -1);
	assert_why("more than 1024 ports");
}

/* ---- protocols ------------------------------------------------------------------ */

static void test_protocols(void **state)
{
	struct value_protos p;

	(void)state;
	assert_int_equal(value_parse_protocols("udp, sctp,dccp ,6", &p, why, sizeof(why)), 0);
	assert_int_equal(p.n, 4);
	assert_int_equal(p.v[0].number, IPPROTO_UDP);
	assert_string_equal(p.v[0].name, "udp");
	assert_int_equal(p.v[1].number, IPPROTO_SCTP);
	assert_int_equal(p.v[2].number, IPPROTO_DCCP);
	/* Numbers take the protocol's name. */
	assert_int_equal(p.v[3].number, IPPROTO_TCP);
	assert_string_equal(p.v[3].name, "tcp");
	for (unsigned i = 0; i < p.n; i++)
		assert_int_equal(p.v[i].n_ports, 0);
	assert_int_equal(value_parse_protocols("icmp,all", &p, why, sizeof(why)), 0);
	assert_int_equal(p.v[0].number, IPPROTO_ICMP);
	assert_int_equal(p.v[1].number, 0);
	assert_string_equal(p.v[1].name, "all");
	/* A number /etc/protocols knows, and one it does not. */
	assert_int_equal(value_parse_protocols("47,253", &p, why, sizeof(why)), 0);
	assert_string_equal(p.v[0].name, "gre");
	assert_int_equal(p.v[1].number, 253);

	assert_int_equal(value_parse_protocols("tcp,tcp", &p, why, sizeof(why)), -1);
	assert_why("given twice");
	assert_int_equal(value_parse_protocols("tcp,6", &p, why, sizeof(why)), -1);
	assert_why("given twice");
	assert_int_equal(value_parse_protocols("bogus", &p, why, sizeof(why)), -1);
	assert_why("unknown protocol 'bogus'");
	assert_int_equal(value_parse_protocols("", &p, why, sizeof(why)), -1);
	assert_int_equal(value_parse_protocols("tcp,", &p, why, sizeof(why)), -1);
	assert_int_equal(value_parse_protocols("256", &p, why, sizeof(why)), -1);
	assert_int_equal(value_parse_protocols("tcp,udp,sctp,dccp,icmp,esp,ah,gre,udplite", &p, why, sizeof(why)), -1);
	assert_why("more than 8 protocols");

	assert_true(value_proto_has_ports(IPPROTO_TCP));
	assert_true(value_proto_has_ports(IPPROTO_DCCP));
	assert_false(value_proto_has_ports(IPPROTO_ICMP));
	assert_false(value_proto_has_ports(0));
	assert_int_equal(value_parse_protocols("tcp", &p, why, sizeof(why)), 0);
	assert_true(value_protos_only_tcp(&p));
	assert_int_equal(value_parse_protocols("tcp,udp", &p, why, sizeof(why)), 0);
	assert_false(value_protos_only_tcp(&p));
	p.n = 0;
	assert_false(value_protos_only_tcp(&p));
}

/* protocol= and port= together: the key at fault is named. */
static void test_match_keys(void **state)
{
	struct value_protos p;
	struct nfban_report r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(value_match_keys("tcp,udp", "domain,8000:8010", &p, &r), NFBAN_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[1].n_ports, 2);
	assert_int_equal(p.v[1].ports[0].first, 53);
	assert_int_equal(p.v[1].ports[1].last, 8010);
	/* Every protocol of the list gets the same ports. */
	assert_int_equal(value_match_keys("tcp,udp,sctp,dccp", "smtp,submission,ssh:smtp", &p, &r), NFBAN_OK);
	assert_int_equal(p.n, 4);
	for (unsigned i = 0; i < p.n; i++) {
		assert_int_equal(p.v[i].n_ports, 3);
		assert_int_equal(p.v[i].ports[0].first, 25);
		assert_int_equal(p.v[i].ports[0].last, 25);
		assert_int_equal(p.v[i].ports[1].first, 587);
		assert_int_equal(p.v[i].ports[1].last, 587);
		assert_int_equal(p.v[i].ports[2].first, 22);
		assert_int_equal(p.v[i].ports[2].last, 25);
	}
	assert_int_equal(value_match_keys("udp", "ssh", &p, &r), NFBAN_OK);
	assert_int_equal(p.v[0].ports[0].first, 22);
	/* Without port=: protocols alone (allports), any of them. */
	assert_int_equal(value_match_keys("icmp,all", NULL, &p, &r), NFBAN_OK);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].n_ports, 0);

	assert_int_equal(value_match_keys("tcp,icmp", "22", &p, &r), NFBAN_BADPARAM);
	assert_string_equal(r.reason, "protocol='tcp,icmp': protocol 'icmp' has no ports (use tcp, udp, sctp or dccp)");
	memset(&r, 0, sizeof(r));
	assert_int_equal(value_match_keys("all", "22", &p, &r), NFBAN_BADPARAM);
	assert_non_null(strstr(r.reason, "protocol='all'"));
	memset(&r, 0, sizeof(r));
	assert_int_equal(value_match_keys("udp", "smtp,nope", &p, &r), NFBAN_BADPARAM);
	assert_string_equal(r.reason, "port='smtp,nope': unknown service 'nope' (not in /etc/services)");
	memset(&r, 0, sizeof(r));
	assert_int_equal(value_match_keys("bogus", "22", &p, &r), NFBAN_BADPARAM);
	assert_non_null(strstr(r.reason, "protocol='bogus': unknown protocol"));
	memset(&r, 0, sizeof(r));
	assert_int_equal(value_match_keys(NULL, "22", &p, &r), NFBAN_BADPARAM);
	assert_string_equal(r.reason, "protocol='': missing");
}

/* ---- addresses ------------------------------------------------------------------ */

static void test_addr(void **state)
{
	struct nfban_addr a;
	char txt[64];

	(void)state;
	assert_int_equal(value_parse_addr("192.0.2.7", &a, why, sizeof(why)), 0);
	assert_int_equal(a.family, NFBAN_INET4);
	assert_int_equal(a.prefix, 32);
	assert_int_equal(ntohl(a.u.v4.s_addr), 0xc0000207);
	value_addr_str(&a, txt, sizeof(txt));
	assert_string_equal(txt, "192.0.2.7");
	/* Host bits are cleared, like iptables does. */
	assert_int_equal(value_parse_addr("192.0.2.77/24", &a, why, sizeof(why)), 0);
	assert_int_equal(a.prefix, 24);
	value_addr_str(&a, txt, sizeof(txt));
	assert_string_equal(txt, "192.0.2.0/24");
	assert_int_equal(value_parse_addr("10.1.2.3/0", &a, why, sizeof(why)), 0);
	value_addr_str(&a, txt, sizeof(txt));
	assert_string_equal(txt, "0.0.0.0/0");
	assert_int_equal(value_parse_addr("2001:db8::1:2/112", &a, why, sizeof(why)), 0);
	assert_int_equal(a.family, NFBAN_INET6);
	value_addr_str(&a, txt, sizeof(txt));
	assert_string_equal(txt, "2001:db8::1:0/112");
	assert_int_equal(value_parse_addr("2001:db8::1", &a, why, sizeof(why)), 0);
	assert_int_equal(a.prefix, 128);
	value_addr_str(&a, txt, sizeof(txt));
	assert_string_equal(txt, "2001:db8::1");

	assert_int_equal(value_parse_addr("1.2.3", &a, why, sizeof(why)), -1);
	assert_why("not an IPv4 or IPv6 address");
	assert_int_equal(value_parse_addr("1.2.3.4/33", &a, why, sizeof(why)), -1);
	assert_why("0 to 32");
	assert_int_equal(value_parse_addr("1.2.3.4/", &a, why, sizeof(why)), -1);
	assert_int_equal(value_parse_addr("1.2.3.4/-1", &a, why, sizeof(why)), -1);
	assert_int_equal(value_parse_addr("::1/129", &a, why, sizeof(why)), -1);
	assert_why("0 to 128");
	assert_int_equal(value_parse_addr("1.2.3.4; reboot", &a, why, sizeof(why)), -1);
	assert_int_equal(value_parse_addr("example.org", &a, why, sizeof(why)), -1);
	assert_int_equal(value_parse_addr("", &a, why, sizeof(why)), -1);
	assert_int_equal(value_parse_addr("/24", &a, why, sizeof(why)), -1);
}

/* ---- iptables targets ---------------------------------------------------------- */

static struct value_xt_target xt;

static int xt_target(enum nfban_family fam, const char *text)
{
	why[0] = '\0';
	return value_parse_xt_target(text, fam, &xt, why, sizeof(why));
}

/* A key's default per family, as hosts are given it (nfban_plugin_keys). */
static void test_key_default(void **state)
{
	const struct nfban_key reject = { "blocktype", NFBAN_KEY_XT_TARGET, "REJECT", NULL, 0 };
	const struct nfban_key typed = { "blocktype", NFBAN_KEY_XT_TARGET, "REJECT --reject-with tcp-reset",
					 NULL, 0 };
	const struct nfban_key drop = { "blocktype", NFBAN_KEY_XT_TARGET, "DROP", NULL, 0 };
	const struct nfban_key port = { "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH };
	const struct nfban_key none = { "tag", NFBAN_KEY_UNUSED, NULL, NULL, 0 };
	char buf[128];

	(void)state;
	assert_int_equal(value_default(&reject, NFBAN_INET4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "REJECT --reject-with icmp-port-unreachable");
	assert_int_equal(value_default(&reject, NFBAN_INET6, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "REJECT --reject-with icmp6-port-unreachable");
	assert_int_equal(value_default(&typed, NFBAN_INET6, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "REJECT --reject-with tcp-reset");
	assert_int_equal(value_default(&drop, NFBAN_INET6, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "DROP");
	assert_int_equal(value_default(&port, NFBAN_INET4, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ssh");
	assert_int_equal(value_default(&none, NFBAN_INET4, buf, sizeof(buf)), -1);
	assert_int_equal(value_default(&reject, NFBAN_INET4, buf, 10), -1);
	assert_string_equal(value_key_type_name(NFBAN_KEY_NFT_PRIORITY), "nft_priority");
	assert_string_equal(value_key_type_name((enum nfban_key_type)99), "?");
}

static void test_xt_target(void **state)
{
	(void)state;
	assert_int_equal(xt_target(NFBAN_INET4, "DROP"), 0);
	assert_int_equal(xt.kind, VALUE_XT_DROP);
	assert_int_equal(xt_target(NFBAN_INET4, "ACCEPT"), 0);
	assert_int_equal(xt.kind, VALUE_XT_ACCEPT);
	assert_int_equal(xt_target(NFBAN_INET4, "RETURN"), 0);
	assert_int_equal(xt.kind, VALUE_XT_RETURN);
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT"), 0);
	assert_int_equal(xt.kind, VALUE_XT_REJECT);
	assert_int_equal(xt.reject_with, IPT_ICMP_PORT_UNREACHABLE);
	assert_int_equal(xt_target(NFBAN_INET6, "REJECT"), 0);
	assert_int_equal(xt.reject_with, IP6T_ICMP6_PORT_UNREACH);
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT --reject-with icmp-host-prohibited"), 0);
	assert_int_equal(xt.reject_with, IPT_ICMP_HOST_PROHIBITED);
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT --reject-with=admin-prohib"), 0);
	assert_int_equal(xt.reject_with, IPT_ICMP_ADMIN_PROHIBITED);
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT  --reject-with\ttcp-reset"), 0);
	assert_int_equal(xt.reject_with, IPT_TCP_RESET);
	assert_int_equal(xt_target(NFBAN_INET6, "REJECT --reject-with icmp6-adm-prohibited"), 0);
	assert_int_equal(xt.reject_with, IP6T_ICMP6_ADM_PROHIBITED);
	assert_int_equal(xt_target(NFBAN_INET6, "REJECT --reject-with tcp-reset"), 0);
	assert_int_equal(xt.reject_with, IP6T_TCP_RESET);
	assert_int_equal(xt_target(NFBAN_INET4, "f2b-blackhole"), 0);
	assert_int_equal(xt.kind, VALUE_XT_JUMP);
	assert_string_equal(xt.chain, "f2b-blackhole");

	assert_int_equal(xt_target(NFBAN_INET4, "REJECT --reject-with icmp6-port-unreachable"), -1);
	assert_why("not a reject type for IPv4 (it is an IPv6 one)");
	assert_int_equal(xt_target(NFBAN_INET6, "REJECT --reject-with icmp-port-unreachable"), -1);
	assert_why("family=inet6 wants icmp6-*");
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT --reject-with bogus"), -1);
	assert_why("'bogus' is not a reject type for IPv4");
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT --reject-with"), -1);
	assert_int_equal(xt_target(NFBAN_INET4, "REJECT --log-prefix x"), -1);
	assert_int_equal(xt_target(NFBAN_INET4, "LOG --log-prefix x"), -1);
	assert_int_equal(xt_target(NFBAN_INET4, "RETURN now"), -1);
	assert_int_equal(xt_target(NFBAN_INET4, ""), -1);
	assert_why("empty target");
	assert_int_equal(xt_target(NFBAN_INET4, "-j"), -1);
	assert_int_equal(xt_target(NFBAN_INET4, "abcdefghijklmnopqrstuvwxyz123"), -1);

	assert_string_equal(value_xt_reject_name(NFBAN_INET4, IPT_ICMP_HOST_PROHIBITED), "icmp-host-prohibited");
	assert_string_equal(value_xt_reject_name(NFBAN_INET6, IP6T_ICMP6_ADM_PROHIBITED), "icmp6-adm-prohibited");
	assert_string_equal(value_xt_reject_name(NFBAN_INET6, IP6T_TCP_RESET), "tcp-reset");
	assert_string_equal(value_xt_reject_name(NFBAN_INET4, 99), "?");
}

/* ---- nft words ------------------------------------------------------------------ */

static struct value_nft_verdict nv;

static int nft_verdict(const char *text)
{
	why[0] = '\0';
	return value_parse_nft_verdict(text, &nv, why, sizeof(why));
}

static void test_nft_verdict(void **state)
{
	(void)state;
	assert_int_equal(nft_verdict("drop"), 0);
	assert_int_equal(nv.kind, VALUE_NFT_DROP);
	assert_int_equal(nft_verdict("reject"), 0);
	assert_int_equal(nv.kind, VALUE_NFT_REJECT);
	assert_int_equal(nv.reject, VALUE_NFT_REJECT_DEFAULT);
	assert_int_equal(nft_verdict("reject with icmp type host-prohibited"), 0);
	assert_int_equal(nv.reject, VALUE_NFT_REJECT_ICMP);
	assert_int_equal(nv.icmp_code, ICMP_HOST_ANO);
	assert_int_equal(nft_verdict("reject with icmp admin-prohibited"), 0);
	assert_int_equal(nv.icmp_code, ICMP_PKT_FILTERED);
	assert_int_equal(nft_verdict("reject with icmpv6 type no-route"), 0);
	assert_int_equal(nv.reject, VALUE_NFT_REJECT_ICMPV6);
	assert_int_equal(nv.icmp_code, ICMPV6_NOROUTE);
	assert_int_equal(nft_verdict("reject with icmpx type admin-prohibited"), 0);
	assert_int_equal(nv.reject, VALUE_NFT_REJECT_ICMPX);
	assert_int_equal(nv.icmp_code, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	assert_int_equal(nft_verdict("reject  with\ttcp reset"), 0);
	assert_int_equal(nv.reject, VALUE_NFT_REJECT_TCP_RESET);

	assert_int_equal(nft_verdict("DROP"), -1);
	assert_why("only drop, reject");
	assert_int_equal(nft_verdict("reject with icmp type nope"), -1);
	assert_why("unknown icmp reject type 'nope'");
	assert_int_equal(nft_verdict("reject with icmpv6 type host-prohibited"), -1);
	assert_int_equal(nft_verdict("reject with"), -1);
	assert_int_equal(nft_verdict("reject with tcp"), -1);
	assert_int_equal(nft_verdict("reject with icmp type"), -1);
	assert_int_equal(nft_verdict("accept"), -1);
	assert_int_equal(nft_verdict(""), -1);
}

static void test_nft_hook_priority(void **state)
{
	uint32_t hook = 99;
	int32_t prio = 99;

	(void)state;
	assert_int_equal(value_parse_nft_hook("input", &hook, why, sizeof(why)), 0);
	assert_int_equal(hook, NF_INET_LOCAL_IN);
	assert_int_equal(value_parse_nft_hook("forward", &hook, why, sizeof(why)), 0);
	assert_int_equal(hook, NF_INET_FORWARD);
	assert_int_equal(value_parse_nft_hook("prerouting", &hook, why, sizeof(why)), 0);
	assert_int_equal(hook, NF_INET_PRE_ROUTING);
	assert_int_equal(value_parse_nft_hook("ingress", &hook, why, sizeof(why)), -1);
	assert_why("not one of prerouting");
	assert_int_equal(value_parse_nft_hook("INPUT", &hook, why, sizeof(why)), -1);

	assert_int_equal(value_parse_nft_priority("-1", &prio, why, sizeof(why)), 0);
	assert_int_equal(prio, -1);
	assert_int_equal(value_parse_nft_priority("filter - 5", &prio, why, sizeof(why)), 0);
	assert_int_equal(prio, -5);
	assert_int_equal(value_parse_nft_priority("raw", &prio, why, sizeof(why)), 0);
	assert_int_equal(prio, -300);
	assert_int_equal(value_parse_nft_priority("security+1", &prio, why, sizeof(why)), 0);
	assert_int_equal(prio, 51);
	assert_int_equal(value_parse_nft_priority("+10", &prio, why, sizeof(why)), 0);
	assert_int_equal(prio, 10);
	assert_int_equal(value_parse_nft_priority("high", &prio, why, sizeof(why)), -1);
	assert_why("not an integer or a priority name");
	assert_int_equal(value_parse_nft_priority("1x", &prio, why, sizeof(why)), -1);
	assert_int_equal(value_parse_nft_priority("filter*2", &prio, why, sizeof(why)), -1);
	assert_int_equal(value_parse_nft_priority("", &prio, why, sizeof(why)), -1);
	assert_int_equal(value_parse_nft_priority("99999999999", &prio, why, sizeof(why)), -1);
}

/* ---- names ---------------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	assert_true(value_jail_name_ok("nginx-http_auth.2"));
	assert_true(value_jail_name_ok("abcdefghijklmnopqrstuvwxyabcdefghijklmnopqrstuvwxyabcdefghijklm"));
	assert_false(value_jail_name_ok("abcdefghijklmnopqrstuvwxyabcdefghijklmnopqrstuvwxyabcdefghijklmn"));
	assert_false(value_jail_name_ok(""));
	assert_false(value_jail_name_ok("a b"));
	assert_false(value_jail_name_ok("x;rm"));
	assert_false(value_jail_name_ok("a/b"));

	assert_true(value_xt_chain_ok("DOCKER-USER"));
	assert_true(value_xt_chain_ok("abcdefghijklmnopqrstuvwxyz12"));
	assert_false(value_xt_chain_ok("abcdefghijklmnopqrstuvwxyz123"));
	assert_false(value_xt_chain_ok(""));
	assert_false(value_xt_chain_ok("-j"));
	assert_false(value_xt_chain_ok("!x"));
	assert_false(value_xt_chain_ok("A B"));

	assert_true(value_nft_name_ok("my_chain"));
	assert_true(value_nft_name_ok("_f2b/x-y.z"));
	assert_false(value_nft_name_ok("1abc"));
	assert_false(value_nft_name_ok(""));
	assert_false(value_nft_name_ok("f2b table"));
	assert_false(value_nft_name_ok("f2b;x"));

	assert_true(value_plugin_name_ok("multiport"));
	assert_true(value_plugin_name_ok("my_plugin-2"));
	assert_false(value_plugin_name_ok("../multiport"));
	assert_false(value_plugin_name_ok("a/b"));
	assert_false(value_plugin_name_ok(""));
	assert_false(value_plugin_name_ok("Multiport"));
	assert_false(value_plugin_name_ok("abcdefghijklmnopqrstuvwxyz123456"));
}

/* ---- keys ----------------------------------------------------------------------- */

static const struct nfban_key table[] = {
	{ "type", NFBAN_KEY_CHOICE, "multiport", "multiport|allports", 0 },
	{ "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH },
	{ "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH },
	{ "chain", NFBAN_KEY_XT_CHAIN, "INPUT", NULL, 0 },
	{ "blocktype", NFBAN_KEY_XT_TARGET, "REJECT", NULL, 0 },
	{ "table", NFBAN_KEY_NFT_NAME, "f2b-table", NULL, 0 },
	{ "verdict", NFBAN_KEY_NFT_VERDICT, "reject", NULL, 0 },
	{ "chain_hook", NFBAN_KEY_NFT_HOOK, "input", NULL, 0 },
	{ "chain_priority", NFBAN_KEY_NFT_PRIORITY, "-1", NULL, 0 },
	{ "unused", NFBAN_KEY_UNUSED, NULL, NULL, 0 },
	{ "ipsettime", NFBAN_KEY_IPSET_SECONDS, "0", NULL, 0 },
	{ "maxelem", NFBAN_KEY_COUNT, "65536", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static int check(const char *key, const char *text)
{
	int i = value_key_index(table, key);

	assert_true(i >= 0);
	why[0] = '\0';
	return value_check(&table[i], text, why, sizeof(why));
}

static void test_check_per_type(void **state)
{
	struct nfban_key odd = { "odd", (enum nfban_key_type)99, NULL, NULL, 0 };
	struct nfban_key nochoice = { "c", NFBAN_KEY_CHOICE, NULL, NULL, 0 };
	char longname[VALUE_NFT_NAME_MAX + 1];

	(void)state;
	/* Every default passes its own check. */
	for (int i = 0; table[i].name; i++)
		if (table[i].def)
			assert_int_equal(value_check(&table[i], table[i].def, why, sizeof(why)), 0);

	assert_int_equal(check("type", "allports"), 0);
	assert_int_equal(check("type", "all"), -1);
	assert_why("not one of multiport|allports");
	assert_int_equal(check("type", "multiport|allports"), -1);
	assert_int_equal(check("type", ""), -1);
	assert_int_equal(value_check(&nochoice, "x", why, sizeof(why)), -1);

	/* Protocols and ports: syntax only (any protocol; names for any protocol). */
	assert_int_equal(check("protocol", "icmp,all"), 0);
	assert_int_equal(check("protocol", "tcp,tcp"), -1);
	assert_why("given twice");
	assert_int_equal(check("port", "ssh,8000:8010"), 0);
	assert_int_equal(check("port", "90:80"), -1);
	assert_why("runs backwards");

	assert_int_equal(check("chain", "DOCKER-USER"), 0);
	assert_int_equal(check("chain", "A B"), -1);
	assert_why("not a valid chain name");

	/* A target of either family passes: the plugin checks the one it runs. */
	assert_int_equal(check("blocktype", "REJECT --reject-with icmp-host-prohibited"), 0);
	assert_int_equal(check("blocktype", "REJECT --reject-with icmp6-adm-prohibited"), 0);
	assert_int_equal(check("blocktype", "REJECT --reject-with bogus"), -1);
	assert_why("'bogus' is not a reject type for IPv4");
	assert_int_equal(check("blocktype", "LOG"), 0);     /* a chain named LOG */
	assert_int_equal(check("blocktype", "LOG --log-prefix x"), -1);

	assert_int_equal(check("table", "fail2ban"), 0);
	assert_int_equal(check("table", "f2b table"), -1);
	assert_why("not a valid name");
	memset(longname, 'a', VALUE_NFT_NAME_MAX);
	longname[VALUE_NFT_NAME_MAX] = '\0';
	assert_int_equal(check("table", longname), -1);
	assert_why("longer than 127 characters");
	longname[VALUE_NFT_NAME_MAX - 1] = '\0';
	assert_int_equal(check("table", longname), 0);

	assert_int_equal(check("verdict", "reject with icmpx type no-route"), 0);
	assert_int_equal(check("verdict", "DROP"), -1);
	assert_int_equal(check("chain_hook", "output"), 0);
	assert_int_equal(check("chain_hook", "ingress"), -1);
	assert_int_equal(check("chain_priority", "mangle + 3"), 0);
	assert_int_equal(check("chain_priority", "high"), -1);
	/* Taken as stock takes it, whatever it says. */
	assert_int_equal(check("unused", "whatever-it-is; at all"), 0);
	assert_int_equal(check("unused", ""), 0);
	/* ipset's timeout and a count: whole decimal numbers in their ranges, nothing else. */
	assert_int_equal(check("ipsettime", "2147483"), 0);
	assert_int_equal(check("ipsettime", "0600"), 0);
	assert_int_equal(check("ipsettime", "2147484"), -1);
	assert_why("not a whole number of seconds from 0 to 2147483");
	assert_int_equal(check("ipsettime", "10m"), -1);
	assert_int_equal(check("ipsettime", "-1"), -1);
	assert_int_equal(check("ipsettime", " 1"), -1);
	assert_int_equal(check("ipsettime", ""), -1);
	assert_int_equal(check("maxelem", "1"), 0);
	assert_int_equal(check("maxelem", "4294967295"), 0);
	assert_int_equal(check("maxelem", "0"), -1);
	assert_why("not a whole number from 1 to 4294967295");
	assert_int_equal(check("maxelem", "4294967296"), -1);
	assert_int_equal(check("maxelem", "99999999999999999999"), -1);

	assert_int_equal(value_check(&odd, "x", why, sizeof(why)), -1);
	assert_why("key type 99 unknown");
}

static void test_key_table(void **state)
{
	const char *values[] = { "allports", "udp", NULL, "INPUT", "DROP", "t", "drop", "input", "0", NULL };

	(void)state;
	assert_int_equal(value_key_index(table, "type"), 0);
	assert_int_equal(value_key_index(table, "unused"), 9);
	assert_int_equal(value_key_index(table, "returntype"), -1);
	assert_int_equal(value_key_index(NULL, "type"), -1);
	assert_string_equal(value_of(table, values, "protocol"), "udp");
	assert_null(value_of(table, values, "port"));
	assert_null(value_of(table, values, "nosuchkey"));
	assert_true(value_is(table, values, "type", "allports"));
	assert_false(value_is(table, values, "type", "multiport"));
	assert_false(value_is(table, values, "port", "ssh"));
	assert_false(value_is(table, values, "nosuchkey", "x"));
}

/* ---- messages ------------------------------------------------------------------- */

/* A token of the user's quoted in a reason is escaped: why stays one line. */
static void test_why_quotes_escaped(void **state)
{
	struct value_protos protos;
	char long_name[100];

	(void)state;
	assert_int_equal(parse_ports("22,a\nb"), -1);
	assert_why("unknown service 'a\\x0ab'");
	assert_int_equal(parse_ports("9\x1b[2J"), -1);
	assert_why("port '9\\x1b[2J' is not a number");
	assert_int_equal(value_parse_protocols("tcp,x\ry", &protos, why, sizeof(why)), -1);
	assert_why("unknown protocol 'x\\x0dy'");
	assert_int_equal(value_parse_xt_target("a\x7f", NFBAN_INET4, &xt, why, sizeof(why)), -1);
	assert_why("'a\\x7f' is not a valid chain name");
	assert_int_equal(value_parse_xt_target("REJECT --reject-with \x01", NFBAN_INET4, &xt, why, sizeof(why)), -1);
	assert_why("'\\x01' is not a reject type");
	assert_int_equal(value_parse_nft_verdict("reject with icmp type \x1b", &nv, why, sizeof(why)), -1);
	assert_why("unknown icmp reject type '\\x1b'");
	/* A long token is cut, and the words after it still fit. */
	memset(long_name, 'z', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(parse_ports(long_name), -1);
	assert_why("...' (not in /etc/services)");
}

static void test_refuse(void **state)
{
	struct nfban_report r;
	char big[600];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(report_refuse(&r, "port", "22,x", "unknown service '%s'", "x"), NFBAN_BADPARAM);
	assert_string_equal(r.reason, "port='22,x': unknown service 'x'");
	assert_int_equal(report_refuse(&r, "chain", NULL, "missing"), NFBAN_BADPARAM);
	assert_string_equal(r.reason, "chain='': missing");
	/* The value is escaped and cut; the reason after it still fits. */
	assert_int_equal(report_refuse(&r, "port", "a\nb", "bad"), NFBAN_BADPARAM);
	assert_string_equal(r.reason, "port='a\\x0ab': bad");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(report_refuse(&r, "table", big, "longer than %d characters", 127), NFBAN_BADPARAM);
	assert_true(strlen(r.reason) < sizeof(r.reason));
	assert_non_null(strstr(r.reason, "...': longer than 127 characters"));
	/* Cut for the room escapes take (40 UTF-8 letters): marked all the same. */
	{
		char utf8[81];

		for (int i = 0; i < 40; i++)
			memcpy(utf8 + 2 * i, "\xc3\xa9", 2);
		utf8[80] = '\0';
		assert_int_equal(report_refuse(&r, "name", utf8, "bad"), NFBAN_BADPARAM);
		assert_non_null(strstr(r.reason, "...': bad"));
	}
	/* A reason too long for the report is cut, not overflowed. */
	assert_int_equal(report_refuse(&r, "table", "x", "%s", big), NFBAN_BADPARAM);
	assert_int_equal(strlen(r.reason), sizeof(r.reason) - 1);
}

static void test_echo(void **state)
{
	char buf[128], small[8], big[200];

	(void)state;
	text_echo("plain value", buf, sizeof(buf));
	assert_string_equal(buf, "plain value");
	text_echo("", buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* Control bytes, the backslash itself and bytes past ASCII as \xNN. */
	text_echo("a\nb\tc\\d\x7f" "e\xc3\xa9", buf, sizeof(buf));
	assert_string_equal(buf, "a\\x0ab\\x09c\\x5cd\\x7fe\\xc3\\xa9");
	text_echo("x\x1b[2Jy", buf, sizeof(buf));
	assert_string_equal(buf, "x\\x1b[2Jy");
	/* Cut after 60 characters, marked. */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	text_echo(big, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 63);
	assert_string_equal(buf + 60, "...");
	big[60] = '\0';
	text_echo(big, buf, sizeof(buf));
	assert_string_equal(buf, big);
	/* Never past the buffer, never half an escape; a cut for room is marked too. */
	text_echo("abcdefghij", small, sizeof(small));
	assert_string_equal(small, "abcd...");
	text_echo("abcdefg", small, sizeof(small));
	assert_string_equal(small, "abcdefg");
	text_echo("\n\n\n\n", small, sizeof(small));
	assert_string_equal(small, "\\x0a...");
	text_echo("\n", small, 4);
	assert_string_equal(small, "...");
	text_echo("abc", small, 0);
	/* Forty UTF-8 letters: more escapes than 128 bytes hold, and it shows. */
	memset(big, 0, sizeof(big));
	for (int i = 0; i < 40; i++)
		memcpy(big + 2 * i, "\xc3\xa9", 2);
	text_echo(big, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	assert_int_equal(strncmp(buf, "\\xc3\\xa9\\xc3", 12), 0);
	assert_string_equal(buf + strlen(buf) - 3, "...");
}

static void test_text(void **state)
{
	char buf[64], *w[4];
	unsigned long v;
	const char *s = "  a b \t", *e = s + strlen(s);

	(void)state;
	text_trim(&s, &e);
	assert_int_equal(e - s, 3);
	assert_int_equal(strncmp(s, "a b", 3), 0);
	assert_int_equal(text_copy(s, e, buf, 4), 0);
	assert_string_equal(buf, "a b");
	assert_int_equal(text_copy(s, e, buf, 3), -1);
	assert_int_equal(text_uint("65535", 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(text_uint("65536", 65535, &v), -1);
	assert_int_equal(text_uint("+1", 10, &v), -1);
	assert_int_equal(text_uint(" 1", 10, &v), -1);
	assert_int_equal(text_uint("1 ", 10, &v), -1);
	assert_int_equal(text_uint("", 10, &v), -1);
	assert_int_equal(text_uint("99999999999999999999999", (unsigned long)-1, &v), -1);
	assert_int_equal(text_words(" REJECT  --reject-with\ttcp-reset ", buf, sizeof(buf), w, 4), 3);
	assert_string_equal(w[0], "REJECT");
	assert_string_equal(w[2], "tcp-reset");
	assert_int_equal(text_words("a b c d e", buf, sizeof(buf), w, 4), -1);
	assert_int_equal(text_words("  ", buf, sizeof(buf), w, 4), 0);
	assert_int_equal(text_words("abcdefgh", buf, 8, w, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_port_names),
		cmocka_unit_test(test_too_many_ports),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_match_keys),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_xt_target),
		cmocka_unit_test(test_key_default),
		cmocka_unit_test(test_nft_verdict),
		cmocka_unit_test(test_nft_hook_priority),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_check_per_type),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_why_quotes_escaped),
		cmocka_unit_test(test_refuse),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests_name("values_parsers", tests, NULL, NULL);
}
