/*
 * test_shim_translate.c - a fallback bans what the jail's own plugin would
 * have banned: iptables parameters restated for nftables.
 */
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>

#include "../../src/shim/params.h"
#include "../../src/shim/translate.h"

static const struct nfban_plugin multiport = { .abi_version = NFBAN_ABI_VERSION, .name = "multiport",
	.dialect = NFBAN_DIALECT_XT, .uses = NFBAN_USES_PORTS };
static const struct nfban_plugin allports = { .abi_version = NFBAN_ABI_VERSION, .name = "allports",
	.dialect = NFBAN_DIALECT_XT, .uses = 0 };
static const struct nfban_plugin perport = { .abi_version = NFBAN_ABI_VERSION, .name = "perport",
	.dialect = NFBAN_DIALECT_XT, .uses = NFBAN_USES_PORTS };
static const struct nfban_plugin nftables = { .abi_version = NFBAN_ABI_VERSION, .name = "nftables",
	.dialect = NFBAN_DIALECT_NFT, .uses = NFBAN_USES_PORTS };

static struct shim_request req;
static struct nfban_params out;
static char why[256];

static void parse_xt(const struct nfban_plugin *d, int argc, char *argv[])
{
	struct shim_dialect sd = { d->dialect, d->uses, "" };
	char err[SHIM_ERR_MAX];

	assert_int_equal(shim_parse(&sd, SHIM_OP_BAN, argc, argv, &req, err, sizeof(err)), 0);
}

static void test_multiport_to_nftables(void **state)
{
	char *argv[] = { "name=sshd", "port=22,8000:8010", "protocol=tcp,udp", "ip=192.0.2.1",
			 "blocktype=REJECT --reject-with icmp-host-prohibited" };

	(void)state;
	parse_xt(&multiport, 5, argv);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), 0);
	assert_string_equal(out.name, "sshd");
	assert_int_equal(out.n_protos, 2);
	assert_int_equal(out.protos[1].ports[1].first, 8000);
	assert_int_equal(out.protos[1].ports[1].last, 8010);
	assert_true(out.has_addr);
	assert_int_equal(out.nft.type, NFBAN_NFT_MULTIPORT);
	assert_string_equal(out.nft.table, "f2b-table");
	assert_int_equal(out.nft.table_family, NFPROTO_INET);
	assert_string_equal(out.nft.chain, "f2b-chain");
	assert_string_equal(out.nft.chain_type, "filter");
	assert_int_equal(out.nft.chain_hook, NF_INET_LOCAL_IN);
	assert_int_equal(out.nft.chain_priority, -1);
	assert_int_equal(out.nft.block.kind, NFBAN_NFT_REJECT);
	assert_int_equal(out.nft.block.reject_type, NFBAN_NFT_REJECT_ICMP);
	assert_int_equal(out.nft.block.icmp_code, ICMP_HOST_ANO);
}

static void test_hooks_and_verdicts(void **state)
{
	char *fwd[] = { "chain=FORWARD", "ip=2001:db8::1", "blocktype=DROP" };
	char *docker[] = { "chain=DOCKER-USER", "ip=2001:db8::1", "blocktype=REJECT --reject-with icmp6-adm-prohibited" };
	char *out6[] = { "chain=OUTPUT", "ip=2001:db8::1" };
	char *rst[] = { "ip=192.0.2.1", "blocktype=REJECT --reject-with tcp-reset" };

	(void)state;
	parse_xt(&multiport, 3, fwd);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nft.chain_hook, NF_INET_FORWARD);
	assert_string_equal(out.nft.chain, "f2b-chain-forward");
	assert_int_equal(out.nft.block.kind, NFBAN_NFT_DROP);
	parse_xt(&multiport, 3, docker);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nft.chain_hook, NF_INET_FORWARD);
	assert_int_equal(out.nft.block.reject_type, NFBAN_NFT_REJECT_ICMPV6);
	assert_int_equal(out.nft.block.icmp_code, ICMPV6_ADM_PROHIBITED);
	parse_xt(&multiport, 2, out6);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nft.chain_hook, NF_INET_LOCAL_OUT);
	/* The stock default reject is nft's plain reject. */
	assert_int_equal(out.nft.block.reject_type, NFBAN_NFT_REJECT_DEFAULT);
	parse_xt(&multiport, 2, rst);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nft.block.reject_type, NFBAN_NFT_REJECT_TCP_RESET);
}

static void test_untranslatable(void **state)
{
	char *chain[] = { "chain=f2b-custom", "ip=192.0.2.1" };
	char *accept[] = { "blocktype=ACCEPT", "ip=192.0.2.1" };
	char *jump[] = { "blocktype=my-blackhole", "ip=192.0.2.1" };

	(void)state;
	parse_xt(&multiport, 2, chain);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "f2b-custom"));
	parse_xt(&multiport, 2, accept);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), -1);
	parse_xt(&multiport, 2, jump);
	assert_int_equal(shim_translate(&req.params, &multiport, &nftables, &out, why, sizeof(why)), -1);
}

static void test_allports_and_same_dialect(void **state)
{
	char *argv[] = { "protocol=tcp,udp", "ip=192.0.2.1", "port=domain" };

	(void)state;
	parse_xt(&allports, 3, argv);
	assert_int_equal(shim_translate(&req.params, &allports, &nftables, &out, why, sizeof(why)), 0);
	assert_int_equal(out.nft.type, NFBAN_NFT_ALLPORTS);
	/* allports knows no ports, so perport cannot take its place. */
	assert_int_equal(shim_translate(&req.params, &allports, &perport, &out, why, sizeof(why)), -1);
	parse_xt(&multiport, 3, argv);
	assert_int_equal(shim_translate(&req.params, &multiport, &perport, &out, why, sizeof(why)), 0);
	assert_memory_equal(&out, &req.params, sizeof(out));
	/* nftables parameters have no iptables form. */
	assert_int_equal(shim_translate(&req.params, &nftables, &perport, &out, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multiport_to_nftables),
		cmocka_unit_test(test_hooks_and_verdicts),
		cmocka_unit_test(test_untranslatable),
		cmocka_unit_test(test_allports_and_same_dialect),
	};

	return cmocka_run_group_tests_name("shim_translate", tests, NULL, NULL);
}
