// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_params.h - the nftables plugin's unit tests start from the struct
 * nft_spec its configure() makes of Fail2ban's stock nftables defaults: jail
 * sshd, tcp, table inet f2b-table, chain f2b-chain (filter, input, priority
 * -1), plain reject.  Ports are written "22,80-90".
 */
#ifndef NFBAN_TEST_NFT_PARAMS_H
#define NFBAN_TEST_NFT_PARAMS_H

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include "../../plugins/nft/jail.h"

static inline unsigned nft_test_ports(const char *s, struct value_port_range *r)
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

/* The strings are literals: the spec, and a jail made from it, may outlive the call. */
static inline struct nft_spec nft_test_spec(enum nfban_family fam, const char *ports)
{
	struct nft_spec s;

	memset(&s, 0, sizeof(s));
	s.name = "sshd";
	s.addr_family = fam;
	s.allports = false;
	s.protos.n = 1;
	s.protos.v[0].number = IPPROTO_TCP;
	snprintf(s.protos.v[0].name, sizeof(s.protos.v[0].name), "tcp");
	s.protos.v[0].n_ports = nft_test_ports(ports, s.protos.v[0].ports);
	s.table = "f2b-table";
	s.table_family = NFPROTO_INET;
	s.chain = "f2b-chain";
	s.chain_type = "filter";
	s.hook = NF_INET_LOCAL_IN;
	s.prio = -1;
	s.block.kind = VALUE_NFT_REJECT;
	s.block.reject = VALUE_NFT_REJECT_DEFAULT;
	return s;
}

#endif
