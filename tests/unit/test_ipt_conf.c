// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipt_conf.c - the iptables plugins' keys, as their configure() takes
 * them (plugins/ipt/conf.c): stock iptables defaults, good and bad values,
 * the checks that tie keys together (the jail's chain name, tcp-reset
 * against the protocols, reject types against the family).  The key tables
 * are the plugins' own rows (conf.h); values go through the type checks
 * libnfban makes first (keys.h).  No root, no kernel.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "../../plugins/ipt/conf.h"
#include "../../plugins/ipt/jail.h"
#include "keys.h"

/* multiport's and perport's table, and allports' (whose port= is unused). */
static const struct nfban_key port_keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	{ NULL, 0, NULL, NULL, 0 }
};
static const struct nfban_key allports_keys[] = {
	IPT_KEYS(IPT_KEY_PORT_UNUSED),
	{ NULL, 0, NULL, NULL, 0 }
};

/* configure() never calls jumps(). */
static const struct ipt_kind ports = { .keys = port_keys, .jumps = NULL };
static const struct ipt_kind noports = { .keys = allports_keys, .jumps = NULL };

static struct ipt_conf conf;
static char err[NFBAN_MSG_MAX + 64];
static char notice[NFBAN_MSG_MAX];

/* Configure jail `name` of `kind` for fam from "key=value" strings up to NULL. */
static int configure(const struct ipt_kind *kind, enum nfban_family fam, const char *name, ...)
{
	struct test_keys t;
	struct nfban_jail_keys k;
	struct nfban_report r;
	enum nfban_status st;
	void *jail = NULL;
	va_list ap;
	int rc;

	memset(&conf, 0, sizeof(conf));
	err[0] = '\0';
	va_start(ap, name);
	rc = test_keys_fill(kind->keys, &t, ap);
	va_end(ap);
	if (rc < 0) {
		snprintf(err, sizeof(err), "%s", t.err);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	k.name = name;
	k.family = fam;
	k.values = t.values;
	st = ipt_configure(kind, &k, &jail, &r);
	if (st != NFBAN_OK) {
		assert_int_equal(st, NFBAN_BADPARAM);
		assert_null(jail);
		snprintf(err, sizeof(err), "%s", r.reason);
		return -1;
	}
	assert_non_null(jail);
	snprintf(notice, sizeof(notice), "%s", r.notice);
	conf = *(struct ipt_conf *)jail;
	ipt_release(jail);
	return 0;
}

#define assert_error(key_value) test_assert_refusal(err, key_value)

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "default", NULL), 0);
	assert_ptr_equal(conf.kind, &ports);
	assert_int_equal(conf.family, NFBAN_INET4);
	assert_string_equal(conf.name, "default");
	assert_string_equal(conf.jail, "f2b-default");
	assert_string_equal(conf.chain, "INPUT");
	assert_int_equal(conf.protos.n, 1);
	assert_int_equal(conf.protos.v[0].number, IPPROTO_TCP);
	assert_string_equal(conf.protos.v[0].name, "tcp");
	assert_int_equal(conf.protos.v[0].n_ports, 1);
	assert_int_equal(conf.protos.v[0].ports[0].first, 22);
	assert_int_equal(conf.protos.v[0].ports[0].last, 22);
	assert_int_equal(conf.block.kind, VALUE_XT_REJECT);
	assert_int_equal(conf.block.reject_with, IPT_ICMP_PORT_UNREACHABLE);
	assert_int_equal(conf.ret.kind, VALUE_XT_RETURN);
}

static void test_defaults_inet6_blocktype(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET6, "default", NULL), 0);
	assert_int_equal(conf.family, NFBAN_INET6);
	assert_int_equal(conf.block.kind, VALUE_XT_REJECT);
	assert_int_equal(conf.block.reject_with, IP6T_ICMP6_PORT_UNREACH);
}

static void test_name(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "nginx-http_auth.2", NULL), 0);
	assert_string_equal(conf.jail, "f2b-nginx-http_auth.2");
	/* f2b- plus 24 characters is iptables' 28. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "abcdefghijklmnopqrstuvwx", NULL), 0);
	assert_string_equal(conf.jail, "f2b-abcdefghijklmnopqrstuvwx");
	assert_int_equal(configure(&ports, NFBAN_INET4, "abcdefghijklmnopqrstuvwxy", NULL), -1);
	assert_error("name='abcdefghijklmnopqrstuvwxy'");
	/* libnfban checks the characters; the plugin does not trust it blindly. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "x;rm", NULL), -1);
	assert_error("name='x;rm'");
	assert_int_equal(configure(&ports, NFBAN_INET4, "", NULL), -1);
	assert_error("name=''");
}

static void test_ports(void **state)
{
	const struct value_proto *pr = &conf.protos.v[0];

	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "sshd", "port=ssh,http, https ,8000:8080,0,65535",
				   NULL), 0);
	assert_int_equal(pr->n_ports, 6);
	assert_int_equal(pr->ports[0].first, 22);
	assert_int_equal(pr->ports[1].first, 80);
	assert_int_equal(pr->ports[2].first, 443);
	assert_int_equal(pr->ports[3].first, 8000);
	assert_int_equal(pr->ports[3].last, 8080);
	assert_int_equal(pr->ports[4].first, 0);
	assert_int_equal(pr->ports[5].last, 65535);
	assert_int_equal(configure(&ports, NFBAN_INET4, "sshd", "port=65536", NULL), -1);
	assert_error("port='65536'");
	assert_int_equal(configure(&ports, NFBAN_INET4, "sshd", "port=90:80", NULL), -1);
	assert_error("runs backwards");
	assert_int_equal(configure(&ports, NFBAN_INET4, "sshd", "port=nosuchservice", NULL), -1);
	assert_error("port='nosuchservice'");
}

static void test_ports_per_protocol(void **state)
{
	(void)state;
	/* domain is 53 for both. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "dns", "port=domain", "protocol=tcp,udp", NULL), 0);
	assert_int_equal(conf.protos.n, 2);
	assert_int_equal(conf.protos.v[0].number, IPPROTO_TCP);
	assert_int_equal(conf.protos.v[1].number, IPPROTO_UDP);
	assert_int_equal(conf.protos.v[1].n_ports, 1);
	assert_int_equal(conf.protos.v[1].ports[0].first, 53);
	/* A name /etc/services has for tcp only is the same port for udp, as
	 * iptables' udp match and nft resolve it: every plugin bans the same ports. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "sshd", "port=ssh", "protocol=tcp,udp", NULL), 0);
	assert_int_equal(conf.protos.v[1].ports[0].first, 22);
	assert_int_equal(conf.protos.v[1].ports[0].last, 22);
}

static void test_protocols(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=udp,sctp,dccp,6", "port=1", NULL), 0);
	assert_int_equal(conf.protos.n, 4);
	assert_int_equal(conf.protos.v[0].number, IPPROTO_UDP);
	assert_int_equal(conf.protos.v[1].number, IPPROTO_SCTP);
	assert_int_equal(conf.protos.v[2].number, IPPROTO_DCCP);
	assert_string_equal(conf.protos.v[3].name, "tcp");
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(conf.protos.v[i].ports[0].first, 1);
	/* Plugins that match ports need protocols with ports. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=icmp", NULL), -1);
	assert_error("protocol='icmp'");
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=all", NULL), -1);
	assert_error("protocol='all'");
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=tcp,tcp", NULL), -1);
	assert_error("given twice");
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=bogus", NULL), -1);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=", NULL), -1);
	/* allports takes any protocol, and all; port= is accepted and ignored. */
	assert_int_equal(configure(&noports, NFBAN_INET4, "j", "protocol=icmp,all", "port=whatever-it-is",
				   NULL), 0);
	assert_int_equal(conf.protos.n, 2);
	assert_int_equal(conf.protos.v[0].number, IPPROTO_ICMP);
	assert_int_equal(conf.protos.v[1].number, 0);
	assert_int_equal(conf.protos.v[0].n_ports, 0);
	assert_int_equal(conf.protos.v[1].n_ports, 0);
}

static void test_chain(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "chain=DOCKER-USER", NULL), 0);
	assert_string_equal(conf.chain, "DOCKER-USER");
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "chain=", NULL), -1);
	assert_error("chain=''");
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "chain=-j", NULL), -1);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "chain=A B", NULL), -1);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "chain=abcdefghijklmnopqrstuvwxyz123", NULL), -1);
	/* The jumps cannot go into the jail's own chain. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "chain=f2b-j", NULL), -1);
	assert_error("chain='f2b-j'");
}

static void test_blocktype(void **state)
{
	const struct value_xt_target *b = &conf.block;

	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=DROP", NULL), 0);
	assert_int_equal(b->kind, VALUE_XT_DROP);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT", NULL), 0);
	assert_int_equal(b->kind, VALUE_XT_REJECT);
	assert_int_equal(b->reject_with, IPT_ICMP_PORT_UNREACHABLE);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT --reject-with icmp-host-prohibited",
				   NULL), 0);
	assert_int_equal(b->reject_with, IPT_ICMP_HOST_PROHIBITED);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT --reject-with=admin-prohib", NULL), 0);
	assert_int_equal(b->reject_with, IPT_ICMP_ADMIN_PROHIBITED);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT  --reject-with\ttcp-reset", NULL), 0);
	assert_int_equal(b->reject_with, IPT_TCP_RESET);
	assert_int_equal(configure(&ports, NFBAN_INET6, "j", "blocktype=REJECT --reject-with icmp6-adm-prohibited",
				   NULL), 0);
	assert_int_equal(b->reject_with, IP6T_ICMP6_ADM_PROHIBITED);
	assert_int_equal(configure(&ports, NFBAN_INET6, "j", "blocktype=REJECT --reject-with tcp-reset", NULL), 0);
	assert_int_equal(b->reject_with, IP6T_TCP_RESET);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=f2b-blackhole", NULL), 0);
	assert_int_equal(b->kind, VALUE_XT_JUMP);
	assert_string_equal(b->chain, "f2b-blackhole");

	/* A reject type of the other family (a jail-level blocktype reaches both
	 * families' bans) is taken as its counterpart, with a notice saying so. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "j",
				   "blocktype=REJECT --reject-with icmp6-port-unreachable", NULL), 0);
	assert_int_equal(b->reject_with, IPT_ICMP_PORT_UNREACHABLE);
	assert_string_equal(notice, "blocktype: icmp6-port-unreachable is an IPv6 reject type; "
				    "IPv4 bans use icmp-port-unreachable");
	assert_int_equal(configure(&ports, NFBAN_INET6, "j",
				   "blocktype=REJECT --reject-with icmp-host-prohibited", NULL), 0);
	assert_int_equal(b->reject_with, IP6T_ICMP6_ADM_PROHIBITED);
	assert_string_equal(notice, "blocktype: icmp-host-prohibited is an IPv4 reject type; "
				    "IPv6 bans use icmp6-adm-prohibited");
	assert_int_equal(configure(&ports, NFBAN_INET6, "j",
				   "blocktype=REJECT --reject-with icmp-net-unreachable", NULL), 0);
	assert_int_equal(b->reject_with, IP6T_ICMP6_NO_ROUTE);
	assert_int_equal(configure(&ports, NFBAN_INET6, "j",
				   "blocktype=REJECT --reject-with icmp-host-unreachable", NULL), 0);
	assert_int_equal(b->reject_with, IP6T_ICMP6_ADDR_UNREACH);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j",
				   "blocktype=REJECT --reject-with icmp6-adm-prohibited", NULL), 0);
	assert_int_equal(b->reject_with, IPT_ICMP_ADMIN_PROHIBITED);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT", NULL), 0);
	assert_string_equal(notice, "");
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT --reject-with bogus", NULL), -1);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=REJECT --reject-with", NULL), -1);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=LOG --log-prefix x", NULL), -1);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "blocktype=", NULL), -1);
	/* tcp-reset only where every rule is tcp (the kernel refuses it otherwise). */
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=tcp,udp", "port=53",
				   "blocktype=REJECT --reject-with tcp-reset", NULL), -1);
	assert_error("blocktype='REJECT --reject-with tcp-reset': tcp-reset needs protocol=tcp");
	assert_int_equal(configure(&noports, NFBAN_INET4, "j", "protocol=all",
				   "blocktype=REJECT --reject-with tcp-reset", NULL), -1);
	assert_error("tcp-reset");
	assert_int_equal(configure(&ports, NFBAN_INET6, "j", "protocol=udp",
				   "blocktype=REJECT --reject-with tcp-reset", NULL), -1);
	assert_error("tcp-reset");
}

static void test_returntype(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "returntype=ACCEPT", NULL), 0);
	assert_int_equal(conf.ret.kind, VALUE_XT_ACCEPT);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "returntype=DROP", NULL), 0);
	assert_int_equal(conf.ret.kind, VALUE_XT_DROP);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "returntype=RETURN now", NULL), -1);
	assert_error("returntype='RETURN now'");
	/* tcp-reset is checked for returntype as well. */
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "protocol=udp",
				   "returntype=REJECT --reject-with tcp-reset", NULL), -1);
	assert_error("returntype=");
}

/* backend= is the iptables plugins' own key: auto by default. */
static void test_backend(void **state)
{
	(void)state;
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", NULL), 0);
	assert_int_equal(conf.backend, IPT_BACKEND_AUTO);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "backend=legacy", NULL), 0);
	assert_int_equal(conf.backend, IPT_BACKEND_LEGACY);
	assert_int_equal(configure(&ports, NFBAN_INET6, "j", "backend=nft", NULL), 0);
	assert_int_equal(conf.backend, IPT_BACKEND_NFT);
	assert_int_equal(configure(&ports, NFBAN_INET4, "j", "backend=nftables", NULL), -1);
	assert_error("backend='nftables': not one of auto|legacy|nft");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_defaults_inet6_blocktype),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ports_per_protocol),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_blocktype),
		cmocka_unit_test(test_returntype),
		cmocka_unit_test(test_backend),
	};

	return cmocka_run_group_tests_name("ipt_conf", tests, NULL, NULL);
}
