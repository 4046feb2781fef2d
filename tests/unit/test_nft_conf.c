// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_conf.c - the nftables plugin's keys (plugins/nft/conf.c) as its
 * configure() takes them: stock nftables defaults, good and bad values, and
 * refusals that name the key at fault.  Values go through the type checks
 * libnfban makes first (keys.h).  No root, no kernel.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
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

#include "../../plugins/nft/conf.h"
#include "keys.h"

static struct nft_conf conf;
static const struct nft_jail *j = &conf.j;
static char err[NFBAN_MSG_MAX + 64];

/* Configure jail `name` for fam from "key=value" strings up to NULL. */
static int configure(enum nfban_family fam, const char *name, ...)
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
	rc = test_keys_fill(nft_keys, &t, ap);
	va_end(ap);
	if (rc < 0) {
		snprintf(err, sizeof(err), "%s", t.err);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	k.name = name;
	k.family = fam;
	k.values = t.values;
	st = nft_configure(&k, &jail, &r);
	if (st != NFBAN_OK) {
		assert_int_equal(st, NFBAN_BADPARAM);
		assert_null(jail);
		snprintf(err, sizeof(err), "%s", r.reason);
		return -1;
	}
	assert_non_null(jail);
	conf = *(struct nft_conf *)jail;
	nft_release(jail);
	/* The jail points into its conf: follow the copy. */
	conf.j.table = conf.table;
	conf.j.chain = conf.chain;
	conf.j.chain_type = conf.chain_type;
	return 0;
}

#define assert_error(key_value) test_assert_refusal(err, key_value)

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "default", NULL), 0);
	assert_string_equal(conf.name, "default");
	assert_string_equal(conf.table, "f2b-table");
	assert_string_equal(conf.chain, "f2b-chain");
	assert_string_equal(conf.chain_type, "filter");
	assert_int_equal(j->table_family, NFPROTO_INET);
	assert_int_equal(j->addr_family, NFBAN_INET4);
	assert_int_equal(j->hook, NF_INET_LOCAL_IN);
	assert_int_equal(j->prio, -1);
	assert_int_equal(j->block.kind, VALUE_NFT_REJECT);
	assert_int_equal(j->block.reject, VALUE_NFT_REJECT_DEFAULT);
	assert_string_equal(j->set, "addr-set-default");
	/* type=multiport: tcp dport 22. */
	assert_int_equal(j->n_rules, 1);
	assert_true(j->rules[0].ports);
	assert_int_equal(j->rules[0].l4proto, IPPROTO_TCP);
	assert_int_equal(j->rules[0].match, NFT_MATCH_EQ);
	assert_int_equal(j->rules[0].lo, 22);
	assert_int_equal(configure(NFBAN_INET6, "default", NULL), 0);
	assert_string_equal(j->set, "addr6-set-default");
	assert_int_equal(j->table_family, NFPROTO_INET);
}

static void test_name(void **state)
{
	(void)state;
	/* nftables set names have room for what iptables chains have not. */
	assert_int_equal(configure(NFBAN_INET4, "abcdefghijklmnopqrstuvwxy", NULL), 0);
	assert_string_equal(j->set, "addr-set-abcdefghijklmnopqrstuvwxy");
}

static void test_ports_and_types(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "j", "port=ssh,80:90", "protocol=tcp,udp", NULL), 0);
	assert_int_equal(j->n_rules, 2);
	assert_int_equal(j->rules[1].l4proto, IPPROTO_UDP);
	assert_int_equal(j->rules[1].match, NFT_MATCH_INTERVAL);
	/* ssh is listed for tcp only: `udp dport ssh` is 22, as nft makes it. */
	assert_int_equal(configure(NFBAN_INET4, "j", "port=ssh", "protocol=udp", NULL), 0);
	assert_int_equal(j->rules[0].l4proto, IPPROTO_UDP);
	assert_int_equal(j->rules[0].match, NFT_MATCH_EQ);
	assert_int_equal(j->rules[0].lo, 22);
	/* Every protocol of the list gets the same ports. */
	assert_int_equal(configure(NFBAN_INET6, "j", "port=smtp,submission", "protocol=tcp,udp,sctp,dccp", NULL), 0);
	assert_int_equal(j->n_rules, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(j->rules[i].match, NFT_MATCH_SET);
		assert_int_equal(j->rules[i].n_elems, 2);
		assert_int_equal(j->rules[i].elems[0].key, 25);
		assert_int_equal(j->rules[i].elems[1].key, 587);
	}
	assert_int_equal(configure(NFBAN_INET4, "j", "protocol=icmp", NULL), -1);
	assert_error("protocol='icmp'");
	assert_int_equal(configure(NFBAN_INET4, "j", "port=nosuchservice", NULL), -1);
	assert_error("port='nosuchservice'");
	/* allports matches protocols, any of them; port= is not read. */
	assert_int_equal(configure(NFBAN_INET4, "j", "type=allports", "protocol=tcp,udp,icmp", NULL), 0);
	assert_int_equal(j->n_rules, 1);
	assert_false(j->rules[0].ports);
	assert_int_equal(j->rules[0].match, NFT_MATCH_SET);
	assert_int_equal(j->rules[0].n_elems, 3);
	assert_int_equal(j->rules[0].elems[2].key, IPPROTO_ICMP);
	assert_int_equal(configure(NFBAN_INET4, "j", "type=oneport", NULL), -1);
	assert_error("type='oneport'");
}

static void test_chain(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "j", "chain=my_chain", NULL), 0);
	assert_string_equal(conf.chain, "my_chain");
	assert_int_equal(configure(NFBAN_INET4, "j", "chain=1abc", NULL), -1);
	assert_error("chain='1abc'");
}

static void test_nft_keys(void **state)
{
	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "j", "table=fail2ban", "table_family=ip", "chain_type=filter",
				   "chain_hook=forward", "chain_priority=filter - 5", NULL), 0);
	assert_string_equal(conf.table, "fail2ban");
	assert_int_equal(j->table_family, NFPROTO_IPV4);
	assert_int_equal(j->hook, NF_INET_FORWARD);
	assert_int_equal(j->prio, -5);
	assert_int_equal(configure(NFBAN_INET4, "j", "chain_priority=raw", NULL), 0);
	assert_int_equal(j->prio, -300);
	assert_int_equal(configure(NFBAN_INET4, "j", "chain_priority=+10", NULL), 0);
	assert_int_equal(j->prio, 10);
	assert_int_equal(configure(NFBAN_INET6, "j", "table_family=ip6", NULL), 0);
	assert_int_equal(j->table_family, NFPROTO_IPV6);

	assert_int_equal(configure(NFBAN_INET4, "j", "table_family=bridge", NULL), -1);
	assert_error("table_family='bridge'");
	assert_int_equal(configure(NFBAN_INET6, "j", "table_family=ip", NULL), -1);
	assert_error("table_family='ip'");
	assert_int_equal(configure(NFBAN_INET4, "j", "table_family=ip6", NULL), -1);
	assert_error("table_family='ip6'");
	assert_int_equal(configure(NFBAN_INET4, "j", "chain_type=mangle", NULL), -1);
	assert_int_equal(configure(NFBAN_INET4, "j", "chain_hook=ingress", NULL), -1);
	assert_error("chain_hook='ingress'");
	assert_int_equal(configure(NFBAN_INET4, "j", "chain_priority=high", NULL), -1);
	assert_int_equal(configure(NFBAN_INET4, "j", "chain_priority=1x", NULL), -1);
	assert_int_equal(configure(NFBAN_INET4, "j", "table=f2b table", NULL), -1);
	assert_int_equal(configure(NFBAN_INET4, "j", "table=", NULL), -1);
	/* iptables' keys are not the nftables plugin's. */
	assert_int_equal(value_key_index(nft_keys, "returntype"), -1);
	assert_int_equal(configure(NFBAN_INET4, "j", "returntype=RETURN", NULL), -1);
}

static void test_blocktype(void **state)
{
	const struct value_nft_verdict *b = &j->block;

	(void)state;
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=drop", NULL), 0);
	assert_int_equal(b->kind, VALUE_NFT_DROP);
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=reject with icmp type host-prohibited", NULL), 0);
	assert_int_equal(b->reject, VALUE_NFT_REJECT_ICMP);
	assert_int_equal(b->icmp_code, ICMP_HOST_ANO);
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=reject with icmp admin-prohibited", NULL), 0);
	assert_int_equal(b->icmp_code, ICMP_PKT_FILTERED);
	assert_int_equal(configure(NFBAN_INET6, "j", "blocktype=reject with icmpv6 type no-route", NULL), 0);
	assert_int_equal(b->reject, VALUE_NFT_REJECT_ICMPV6);
	assert_int_equal(b->icmp_code, ICMPV6_NOROUTE);
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=reject with icmpx type admin-prohibited", NULL), 0);
	assert_int_equal(b->reject, VALUE_NFT_REJECT_ICMPX);
	assert_int_equal(b->icmp_code, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=reject with tcp reset", NULL), 0);
	assert_int_equal(b->reject, VALUE_NFT_REJECT_TCP_RESET);

	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=DROP", NULL), -1);
	assert_error("blocktype='DROP'");
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=reject with icmp type nope", NULL), -1);
	/* The jail refuses what does not fit its family: the key is named. */
	assert_int_equal(configure(NFBAN_INET6, "j", "blocktype=reject with icmp type host-prohibited", NULL), -1);
	assert_error("blocktype='reject with icmp type host-prohibited': reject with icmp is IPv4 only");
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=reject with icmpv6 type no-route", NULL), -1);
	assert_error("blocktype='reject with icmpv6 type no-route'");
	assert_int_equal(configure(NFBAN_INET4, "j", "table_family=ip",
				   "blocktype=reject with icmpx type admin-prohibited", NULL), -1);
	assert_error("blocktype=");
	assert_int_equal(configure(NFBAN_INET4, "j", "protocol=udp", "port=53", "blocktype=reject with tcp reset",
				   NULL), -1);
	assert_error("blocktype='reject with tcp reset'");
	assert_int_equal(configure(NFBAN_INET4, "j", "blocktype=accept", NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_ports_and_types),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_nft_keys),
		cmocka_unit_test(test_blocktype),
	};

	return cmocka_run_group_tests_name("nft_conf", tests, NULL, NULL);
}
