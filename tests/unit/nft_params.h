/*
 * nft_params.h - the nftables plugin's unit tests start from the parameters
 * the shim hands over for Fail2ban's stock nftables defaults: jail sshd,
 * tcp, table inet f2b-table, chain f2b-chain (filter, input, priority -1),
 * plain reject.  Ports are written "22,80-90".
 */
#ifndef NFBAN_TEST_NFT_PARAMS_H
#define NFBAN_TEST_NFT_PARAMS_H

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include "nfban.h"

static inline unsigned nft_test_ports(const char *s, struct nfban_port_range *r)
{
	unsigned n = 0;

	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		r[n].first = (uint16_t)a;
		r[n++].last = (uint16_t)b;
		s = *end ? end + 1 : end;
	}
	return n;
}

static inline struct nfban_params nft_test_params(enum nfban_family fam, const char *ports)
{
	struct nfban_params p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "sshd");
	p.family = fam;
	p.n_protos = 1;
	p.protos[0].number = IPPROTO_TCP;
	snprintf(p.protos[0].name, sizeof(p.protos[0].name), "tcp");
	p.protos[0].n_ports = nft_test_ports(ports, p.protos[0].ports);
	p.nft.type = NFBAN_NFT_MULTIPORT;
	snprintf(p.nft.table, sizeof(p.nft.table), "f2b-table");
	p.nft.table_family = NFPROTO_INET;
	snprintf(p.nft.chain, sizeof(p.nft.chain), "f2b-chain");
	snprintf(p.nft.chain_type, sizeof(p.nft.chain_type), "filter");
	p.nft.chain_hook = NF_INET_LOCAL_IN;
	p.nft.chain_priority = -1;
	p.nft.block.kind = NFBAN_NFT_REJECT;
	return p;
}

#endif
