// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_adopt.c - a fallback to nftables bans what the jail's own
 * iptables plugin would have banned: nft_adopt() (plugins/nft/adopt.c)
 * restates an iptables jail's keys for the nftables plugin (chain -> base
 * chain and hook, target -> verdict, no port key -> type=allports), and
 * nft_configure() takes the result.  The iptables key tables are the
 * plugins' own rows (plugins/ipt/conf.h).  No root, no kernel.
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

#include "../../plugins/ipt/conf.h"
#include "../../plugins/nft/conf.h"
#include "keys.h"

static const struct nfban_key port_keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	{ NULL, 0, NULL, NULL, 0 }
};
static const struct nfban_key allports_keys[] = {
	IPT_KEYS(IPT_KEY_PORT_UNUSED),
	{ NULL, 0, NULL, NULL, 0 }
};
/* A plugin with neither chain nor blocktype. */
static const struct nfban_key bare_keys[] = {
	{ "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH },
	{ "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH },
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct nfban_plugin multiport = { .abi_version = NFBAN_ABI_VERSION, .name = "multiport",
					       .keys = port_keys };
static const struct nfban_plugin allports = { .abi_version = NFBAN_ABI_VERSION, .name = "allports",
					      .keys = allports_keys };
static const struct nfban_plugin bare = { .abi_version = NFBAN_ABI_VERSION, .name = "bare",
					  .keys = bare_keys };
static const struct nfban_plugin nftables = { .abi_version = NFBAN_ABI_VERSION, .name = "nftables",
					      .keys = nft_keys };

/* The nftables plugin's texts after adopt(), and its jail made of them. */
static const char *values[TEST_KEYS_MAX];
static struct nft_conf conf;
static const struct nft_jail *j = &conf.j;
static char reason[NFBAN_MSG_MAX];

#define V(key) values[value_key_index(nft_keys, key)]

/*
 * Restate the jail `from` gets from "key=value" strings (up to NULL) for
 * nftables, as libnfban does: same-named keys of the same type copied, the
 * nftables defaults for the others, then nft_adopt().  On NFBAN_OK the
 * result must configure.
 */
static enum nfban_status adopt(const struct nfban_plugin *from, enum nfban_family fam, ...)
{
	struct test_keys t;
	struct nfban_jail_keys k;
	struct nfban_report r;
	enum nfban_status st;
	void *jail = NULL;
	va_list ap;
	int rc;

	va_start(ap, fam);
	rc = test_keys_fill(from->keys, &t, ap);
	va_end(ap);
	if (rc < 0)
		fail_msg("%s", t.err);
	memset(values, 0, sizeof(values));
	for (int i = 0; nft_keys[i].name; i++) {
		int f = value_key_index(from->keys, nft_keys[i].name);

		values[i] = f >= 0 && from->keys[f].type == nft_keys[i].type ? t.values[f] : nft_keys[i].def;
	}
	memset(&r, 0, sizeof(r));
	st = nft_adopt(from, t.values, fam, values, &r);
	snprintf(reason, sizeof(reason), "%s", r.reason);
	if (st != NFBAN_OK)
		return st;
	memset(&r, 0, sizeof(r));
	k.name = "sshd";
	k.family = fam;
	k.values = values;
	if (nft_configure(&k, &jail, &r) != NFBAN_OK)
		fail_msg("the adopted keys do not configure: %s", r.reason);
	conf = *(struct nft_conf *)jail;
	nft_release(jail);
	return NFBAN_OK;
}

static void test_multiport_to_nftables(void **state)
{
	(void)state;
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "port=22,8000:8010", "protocol=tcp,udp",
			       "blocktype=REJECT --reject-with icmp-host-prohibited", NULL), NFBAN_OK);
	/* Ports and protocols are the jail's own texts. */
	assert_string_equal(V("port"), "22,8000:8010");
	assert_string_equal(V("protocol"), "tcp,udp");
	assert_string_equal(V("type"), "multiport");
	assert_string_equal(V("table"), "f2b-table");
	assert_string_equal(V("chain"), "f2b-chain");
	assert_string_equal(V("chain_hook"), "input");
	assert_string_equal(V("blocktype"), "reject with icmp type host-prohibited");
	assert_string_equal(conf.table, "f2b-table");
	assert_string_equal(conf.chain, "f2b-chain");
	assert_string_equal(conf.chain_type, "filter");
	assert_int_equal(j->table_family, NFPROTO_INET);
	assert_int_equal(j->hook, NF_INET_LOCAL_IN);
	assert_int_equal(j->prio, -1);
	assert_int_equal(j->n_rules, 2);
	assert_int_equal(j->rules[1].l4proto, IPPROTO_UDP);
	assert_int_equal(j->rules[1].match, NFT_MATCH_INTERVAL);
	assert_int_equal(j->rules[1].elems[1].key, 22);
	assert_int_equal(j->rules[1].elems[3].key, 8000);
	assert_int_equal(j->rules[1].elems[4].key, 8011);
	assert_int_equal(j->block.kind, VALUE_NFT_REJECT);
	assert_int_equal(j->block.reject, VALUE_NFT_REJECT_ICMP);
	assert_int_equal(j->block.icmp_code, ICMP_HOST_ANO);
	/* returntype has no nftables counterpart: a jail with one still moves. */
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "returntype=DROP", NULL), NFBAN_OK);
}

static void test_hooks(void **state)
{
	(void)state;
	assert_int_equal(adopt(&multiport, NFBAN_INET6, "chain=FORWARD", "blocktype=DROP", NULL), NFBAN_OK);
	assert_string_equal(conf.chain, "f2b-chain-forward");
	assert_int_equal(j->hook, NF_INET_FORWARD);
	assert_int_equal(j->block.kind, VALUE_NFT_DROP);
	/* Docker's chain for host rules sits in FORWARD. */
	assert_int_equal(adopt(&multiport, NFBAN_INET6, "chain=DOCKER-USER",
			       "blocktype=REJECT --reject-with icmp6-adm-prohibited", NULL), NFBAN_OK);
	assert_string_equal(conf.chain, "f2b-chain-forward");
	assert_int_equal(j->hook, NF_INET_FORWARD);
	assert_int_equal(j->block.reject, VALUE_NFT_REJECT_ICMPV6);
	assert_int_equal(j->block.icmp_code, ICMPV6_ADM_PROHIBITED);
	assert_int_equal(adopt(&multiport, NFBAN_INET6, "chain=OUTPUT", NULL), NFBAN_OK);
	assert_string_equal(conf.chain, "f2b-chain-output");
	assert_int_equal(j->hook, NF_INET_LOCAL_OUT);
	/* The stock default reject is nft's plain reject, for either family. */
	assert_int_equal(j->block.kind, VALUE_NFT_REJECT);
	assert_int_equal(j->block.reject, VALUE_NFT_REJECT_DEFAULT);
	assert_int_equal(adopt(&multiport, NFBAN_INET4, NULL), NFBAN_OK);
	assert_string_equal(V("blocktype"), "reject");
	assert_int_equal(j->block.reject, VALUE_NFT_REJECT_DEFAULT);
}

/* Every --reject-with type of each family, by name and alias, has its verdict. */
static void test_reject_types(void **state)
{
	static const struct {
		enum nfban_family fam;
		const char *xt;
		enum value_nft_reject reject;
		int code;
	} types[] = {
		{ NFBAN_INET4, "icmp-net-unreachable", VALUE_NFT_REJECT_ICMP, ICMP_NET_UNREACH },
		{ NFBAN_INET4, "host-unreach", VALUE_NFT_REJECT_ICMP, ICMP_HOST_UNREACH },
		{ NFBAN_INET4, "icmp-proto-unreachable", VALUE_NFT_REJECT_ICMP, ICMP_PROT_UNREACH },
		{ NFBAN_INET4, "icmp-port-unreachable", VALUE_NFT_REJECT_DEFAULT, 0 },
		{ NFBAN_INET4, "icmp-net-prohibited", VALUE_NFT_REJECT_ICMP, ICMP_NET_ANO },
		{ NFBAN_INET4, "icmp-host-prohibited", VALUE_NFT_REJECT_ICMP, ICMP_HOST_ANO },
		{ NFBAN_INET4, "icmp-admin-prohibited", VALUE_NFT_REJECT_ICMP, ICMP_PKT_FILTERED },
		{ NFBAN_INET4, "tcp-reset", VALUE_NFT_REJECT_TCP_RESET, 0 },
		{ NFBAN_INET6, "icmp6-no-route", VALUE_NFT_REJECT_ICMPV6, ICMPV6_NOROUTE },
		{ NFBAN_INET6, "adm-prohibited", VALUE_NFT_REJECT_ICMPV6, ICMPV6_ADM_PROHIBITED },
		{ NFBAN_INET6, "icmp6-addr-unreachable", VALUE_NFT_REJECT_ICMPV6, ICMPV6_ADDR_UNREACH },
		{ NFBAN_INET6, "icmp6-port-unreachable", VALUE_NFT_REJECT_DEFAULT, 0 },
		{ NFBAN_INET6, "icmp6-policy-fail", VALUE_NFT_REJECT_ICMPV6, ICMPV6_POLICY_FAIL },
		{ NFBAN_INET6, "icmp6-reject-route", VALUE_NFT_REJECT_ICMPV6, ICMPV6_REJECT_ROUTE },
		{ NFBAN_INET6, "tcp-rst", VALUE_NFT_REJECT_TCP_RESET, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char block[96];

		snprintf(block, sizeof(block), "blocktype=REJECT --reject-with %s", types[i].xt);
		if (adopt(&multiport, types[i].fam, block, NULL) != NFBAN_OK)
			fail_msg("%s: %s", types[i].xt, reason);
		assert_int_equal(j->block.kind, VALUE_NFT_REJECT);
		if (j->block.reject != types[i].reject || j->block.icmp_code != types[i].code)
			fail_msg("%s became '%s'", types[i].xt, V("blocktype"));
	}
}

static void test_refusals(void **state)
{
	(void)state;
	/* A chain with no nftables hook. */
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "chain=f2b-custom", NULL), NFBAN_BADPARAM);
	assert_non_null(strstr(reason, "chain='f2b-custom'"));
	/* Targets with no verdict: nothing to ban with. */
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "blocktype=ACCEPT", NULL), NFBAN_BADPARAM);
	assert_non_null(strstr(reason, "blocktype='ACCEPT'"));
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "blocktype=RETURN", NULL), NFBAN_BADPARAM);
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "blocktype=my-blackhole", NULL), NFBAN_BADPARAM);
	assert_non_null(strstr(reason, "blocktype='my-blackhole'"));
	/* A reject type of the other family is its counterpart's verdict, as the
	 * iptables plugin would have used it. */
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "blocktype=REJECT --reject-with icmp6-no-route", NULL),
			 NFBAN_OK);
	assert_string_equal(V("blocktype"), "reject with icmp type net-unreachable");
	assert_int_equal(adopt(&multiport, NFBAN_INET6, "blocktype=REJECT --reject-with icmp-host-prohibited",
			       NULL), NFBAN_OK);
	assert_string_equal(V("blocktype"), "reject with icmpv6 type admin-prohibited");
}

static void test_allports(void **state)
{
	(void)state;
	/* No port key of type ports: nftables matches the protocols. */
	assert_int_equal(adopt(&allports, NFBAN_INET4, "protocol=tcp,udp", "port=domain", NULL), NFBAN_OK);
	assert_string_equal(V("type"), "allports");
	assert_int_equal(j->n_rules, 1);
	assert_false(j->rules[0].ports);
	assert_int_equal(j->rules[0].match, NFT_MATCH_SET);
	assert_int_equal(j->rules[0].n_elems, 2);
	assert_int_equal(j->rules[0].elems[0].key, IPPROTO_TCP);
	assert_int_equal(j->rules[0].elems[1].key, IPPROTO_UDP);
	/* iptables' -p all: every protocol, no l4 match. */
	assert_int_equal(adopt(&allports, NFBAN_INET6, "protocol=all", "chain=FORWARD", NULL), NFBAN_OK);
	assert_int_equal(j->rules[0].match, NFT_MATCH_NONE);
	assert_int_equal(j->hook, NF_INET_FORWARD);
	/* A plugin with ports stays multiport. */
	assert_int_equal(adopt(&multiport, NFBAN_INET4, "protocol=tcp,udp", "port=domain", NULL), NFBAN_OK);
	assert_string_equal(V("type"), "multiport");
	assert_int_equal(j->n_rules, 2);
	assert_true(j->rules[1].ports);
	assert_int_equal(j->rules[1].lo, 53);
}

static void test_other_key_types_untouched(void **state)
{
	(void)state;
	/* Without chain and blocktype keys: the nftables defaults. */
	assert_int_equal(adopt(&bare, NFBAN_INET4, "port=http", NULL), NFBAN_OK);
	assert_string_equal(V("chain"), "f2b-chain");
	assert_string_equal(V("chain_hook"), "input");
	assert_string_equal(V("blocktype"), "reject");
	assert_int_equal(j->rules[0].lo, 80);
	/* Keys of the same names but nft types are nothing adopt() restates. */
	assert_int_equal(adopt(&nftables, NFBAN_INET4, "chain=mine", "chain_hook=forward", "blocktype=drop",
			       NULL), NFBAN_OK);
	assert_string_equal(V("chain"), "mine");
	assert_string_equal(V("chain_hook"), "forward");
	assert_string_equal(V("blocktype"), "drop");
	assert_string_equal(V("type"), "multiport");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multiport_to_nftables),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_reject_types),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_allports),
		cmocka_unit_test(test_other_key_types_untouched),
	};

	return cmocka_run_group_tests_name("nft_adopt", tests, NULL, NULL);
}
