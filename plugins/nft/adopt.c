// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * adopt.c - an iptables plugin's jail restated for the nftables plugin, when
 * nftables takes it over (fallback): the same ports and protocols (copied by
 * libnfban, same key names), the hook of the iptables chain, the nft verdict
 * of the iptables target, and type=allports for a plugin without ports.
 * Tables and chain names are stock nftables' defaults, one chain per hook.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <string.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "conf.h"
#include "report.h"

/* iptables chain -> nft base chain and hook. */
static const struct {
	const char *xt_chain, *chain, *hook;
} hooks[] = {
	{ "INPUT", VALUE_NFT_CHAIN_DEFAULT, "input" },
	{ "FORWARD", VALUE_NFT_CHAIN_DEFAULT "-forward", "forward" },
	/* Docker's chain for host rules sits in FORWARD. */
	{ "DOCKER-USER", VALUE_NFT_CHAIN_DEFAULT "-forward", "forward" },
	{ "OUTPUT", VALUE_NFT_CHAIN_DEFAULT "-output", "output" },
};

/* REJECT --reject-with, per family -> nft verdict. */
struct reject_text {
	int xt;
	const char *nft;
};

static const struct reject_text reject4[] = {
	{ IPT_ICMP_PORT_UNREACHABLE, "reject" },
	{ IPT_ICMP_NET_UNREACHABLE, "reject with icmp type net-unreachable" },
	{ IPT_ICMP_HOST_UNREACHABLE, "reject with icmp type host-unreachable" },
	{ IPT_ICMP_PROT_UNREACHABLE, "reject with icmp type prot-unreachable" },
	{ IPT_ICMP_NET_PROHIBITED, "reject with icmp type net-prohibited" },
	{ IPT_ICMP_HOST_PROHIBITED, "reject with icmp type host-prohibited" },
	{ IPT_ICMP_ADMIN_PROHIBITED, "reject with icmp type admin-prohibited" },
	{ IPT_TCP_RESET, "reject with tcp reset" },
	{ -1, NULL }
};

static const struct reject_text reject6[] = {
	{ IP6T_ICMP6_PORT_UNREACH, "reject" },
	{ IP6T_ICMP6_NO_ROUTE, "reject with icmpv6 type no-route" },
	{ IP6T_ICMP6_ADM_PROHIBITED, "reject with icmpv6 type admin-prohibited" },
	{ IP6T_ICMP6_ADDR_UNREACH, "reject with icmpv6 type addr-unreachable" },
	{ IP6T_ICMP6_POLICY_FAIL, "reject with icmpv6 type policy-fail" },
	{ IP6T_ICMP6_REJECT_ROUTE, "reject with icmpv6 type reject-route" },
	{ IP6T_TCP_RESET, "reject with tcp reset" },
	{ -1, NULL }
};

static void set(const char *values[], const char *key, const char *text)
{
	int i = value_key_index(nft_keys, key);

	if (i >= 0)
		values[i] = text;
}

static const char *verdict_of(const struct value_xt_target *t, enum nfban_family fam)
{
	if (t->kind == VALUE_XT_DROP)
		return "drop";
	if (t->kind != VALUE_XT_REJECT)
		return NULL;
	for (const struct reject_text *m = fam == NFBAN_INET6 ? reject6 : reject4; m->nft; m++)
		if (m->xt == t->reject_with)
			return m->nft;
	return NULL;
}

enum nfban_status nft_adopt(const struct nfban_plugin *from, const char *const from_values[],
			    enum nfban_family family, const char *values[], struct nfban_report *r)
{
	int ci = value_key_index(from->keys, "chain"), bi = value_key_index(from->keys, "blocktype");
	int pi = value_key_index(from->keys, "port");
	const char *chain, *block;
	struct value_xt_target t;
	char why[NFBAN_MSG_MAX];
	size_t h;

	if (pi < 0 || from->keys[pi].type != NFBAN_KEY_PORTS) {
		set(values, "type", "allports");
		/* Not read with type=allports: every port is banned, as the jail's. */
		set(values, "port", nft_keys[value_key_index(nft_keys, "port")].def);
	}
	if (ci >= 0 && from->keys[ci].type == NFBAN_KEY_XT_CHAIN && (chain = from_values[ci])) {
		for (h = 0; h < sizeof(hooks) / sizeof(hooks[0]); h++)
			if (strcmp(chain, hooks[h].xt_chain) == 0)
				break;
		if (h == sizeof(hooks) / sizeof(hooks[0]))
			return report_refuse(r, "chain", chain,
					     "no nftables hook for it (INPUT, FORWARD, DOCKER-USER, OUTPUT have)");
		set(values, "chain", hooks[h].chain);
		set(values, "chain_hook", hooks[h].hook);
	}
	if (bi >= 0 && from->keys[bi].type == NFBAN_KEY_XT_TARGET && (block = from_values[bi])) {
		const char *v = NULL;
		int mapped;

		if (value_parse_xt_target_mapped(block, family, &t, &mapped, why, sizeof(why)) < 0)
			return report_refuse(r, "blocktype", block, "%s", why);
		if (!(v = verdict_of(&t, family)))
			return report_refuse(r, "blocktype", block,
					     "no nftables equivalent (DROP and REJECT have)");
		set(values, "blocktype", v);
	}
	return NFBAN_OK;
}
