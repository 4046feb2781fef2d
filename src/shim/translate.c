/* translate.c - see translate.h. */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <stdio.h>
#include <string.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "translate.h"

struct reject_map {
	int xt;                         /* ipt_reject_with / ip6t_reject_with */
	enum nfban_nft_reject_type type;
	uint8_t code;
};

static const struct reject_map map4[] = {
	{ IPT_ICMP_PORT_UNREACHABLE, NFBAN_NFT_REJECT_DEFAULT, 0 },
	{ IPT_ICMP_NET_UNREACHABLE, NFBAN_NFT_REJECT_ICMP, ICMP_NET_UNREACH },
	{ IPT_ICMP_HOST_UNREACHABLE, NFBAN_NFT_REJECT_ICMP, ICMP_HOST_UNREACH },
	{ IPT_ICMP_PROT_UNREACHABLE, NFBAN_NFT_REJECT_ICMP, ICMP_PROT_UNREACH },
	{ IPT_ICMP_NET_PROHIBITED, NFBAN_NFT_REJECT_ICMP, ICMP_NET_ANO },
	{ IPT_ICMP_HOST_PROHIBITED, NFBAN_NFT_REJECT_ICMP, ICMP_HOST_ANO },
	{ IPT_ICMP_ADMIN_PROHIBITED, NFBAN_NFT_REJECT_ICMP, ICMP_PKT_FILTERED },
	{ IPT_TCP_RESET, NFBAN_NFT_REJECT_TCP_RESET, 0 },
	{ -1, 0, 0 }
};

static const struct reject_map map6[] = {
	{ IP6T_ICMP6_PORT_UNREACH, NFBAN_NFT_REJECT_DEFAULT, 0 },
	{ IP6T_ICMP6_NO_ROUTE, NFBAN_NFT_REJECT_ICMPV6, ICMPV6_NOROUTE },
	{ IP6T_ICMP6_ADM_PROHIBITED, NFBAN_NFT_REJECT_ICMPV6, ICMPV6_ADM_PROHIBITED },
	{ IP6T_ICMP6_ADDR_UNREACH, NFBAN_NFT_REJECT_ICMPV6, ICMPV6_ADDR_UNREACH },
	{ IP6T_ICMP6_POLICY_FAIL, NFBAN_NFT_REJECT_ICMPV6, ICMPV6_POLICY_FAIL },
	{ IP6T_ICMP6_REJECT_ROUTE, NFBAN_NFT_REJECT_ICMPV6, ICMPV6_REJECT_ROUTE },
	{ IP6T_TCP_RESET, NFBAN_NFT_REJECT_TCP_RESET, 0 },
	{ -1, 0, 0 }
};

static int xt_to_nft(const struct nfban_params *from, int allports, struct nfban_params *to,
		     char *why, size_t n)
{
	struct nfban_nft_params *t = &to->nft;
	const struct nfban_xt_verdict *b = &from->xt.block;
	const char *c = from->xt.chain;

	memset(t, 0, sizeof(*t));
	t->type = allports ? NFBAN_NFT_ALLPORTS : NFBAN_NFT_MULTIPORT;
	snprintf(t->table, sizeof(t->table), "f2b-table");
	t->table_family = NFPROTO_INET;
	snprintf(t->chain_type, sizeof(t->chain_type), "filter");
	t->chain_priority = -1;
	if (strcmp(c, "INPUT") == 0) {
		t->chain_hook = NF_INET_LOCAL_IN;
		snprintf(t->chain, sizeof(t->chain), "f2b-chain");
	} else if (strcmp(c, "FORWARD") == 0 || strcmp(c, "DOCKER-USER") == 0) {
		t->chain_hook = NF_INET_FORWARD;
		snprintf(t->chain, sizeof(t->chain), "f2b-chain-forward");
	} else if (strcmp(c, "OUTPUT") == 0) {
		t->chain_hook = NF_INET_LOCAL_OUT;
		snprintf(t->chain, sizeof(t->chain), "f2b-chain-output");
	} else {
		snprintf(why, n, "chain %s has no nftables hook (INPUT, FORWARD, DOCKER-USER, OUTPUT do)", c);
		return -1;
	}
	if (b->kind == NFBAN_XT_DROP) {
		t->block.kind = NFBAN_NFT_DROP;
		return 0;
	}
	if (b->kind == NFBAN_XT_REJECT) {
		for (const struct reject_map *m = from->family == NFBAN_INET6 ? map6 : map4; m->xt >= 0; m++)
			if (m->xt == b->reject_with) {
				t->block.kind = NFBAN_NFT_REJECT;
				t->block.reject_type = m->type;
				t->block.icmp_code = m->code;
				return 0;
			}
	}
	snprintf(why, n, "blocktype has no nftables equivalent (DROP and REJECT have)");
	return -1;
}

int shim_translate(const struct nfban_params *from, const struct nfban_plugin *from_desc,
		   const struct nfban_plugin *to_desc, struct nfban_params *to, char *why, size_t n)
{
	int from_ports = (from_desc->uses & NFBAN_USES_PORTS) != 0;

	*to = *from;
	if (from_desc->dialect == to_desc->dialect) {
		if ((to_desc->uses & NFBAN_USES_PORTS) && !from_ports) {
			snprintf(why, n, "%s needs ports, which %s does not take", to_desc->name,
				 from_desc->name);
			return -1;
		}
		return 0;
	}
	if (from_desc->dialect == NFBAN_DIALECT_XT && to_desc->dialect == NFBAN_DIALECT_NFT)
		return xt_to_nft(from, !from_ports, to, why, n);
	snprintf(why, n, "no translation from %s to %s", from_desc->name, to_desc->name);
	return -1;
}
