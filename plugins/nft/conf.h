// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf.h - the nftables plugin's keys (stock nftables.conf's tags and
 * defaults), parsed once per jail and family into the jail every operation
 * reads; and the restatement of an iptables plugin's keys (fallback).
 */
#ifndef NFT_CONF_H
#define NFT_CONF_H

#include "jail.h"
#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

extern const struct nfban_key nft_keys[];

/* What configure() hands to the operations: the jail and the texts it points into. */
struct nft_conf {
	char table[VALUE_NFT_NAME_MAX];
	char chain[VALUE_NFT_NAME_MAX];
	char chain_type[16];
	char name[VALUE_JAIL_MAX];
	struct nft_jail j;
};

enum nfban_status nft_configure(const struct nfban_jail_keys *k, void **jail,
				struct nfban_report *r);
void nft_release(void *jail);

enum nfban_status nft_adopt(const struct nfban_plugin *from, const char *const from_values[],
			    enum nfban_family family, const char *values[], struct nfban_report *r);

#pragma GCC visibility pop

#endif
