/*
 * translate.h - the parameters of one plugin restated for another, so a
 * fallback plugin bans what the jail's own plugin would have banned:
 * same jail, family, protocols, ports and address.
 *
 * iptables -> nftables: table f2b-table (inet), chain by hook (INPUT ->
 * input "f2b-chain", FORWARD and DOCKER-USER -> forward "f2b-chain-forward",
 * OUTPUT -> output "f2b-chain-output"), filter type, priority -1, and the
 * blocktype as the matching nft verdict (DROP -> drop, REJECT's
 * port-unreachable -> reject, other REJECT types -> reject with icmp|icmpv6
 * type X, tcp-reset -> reject with tcp reset).
 */
#ifndef NFBAN_SHIM_TRANSLATE_H
#define NFBAN_SHIM_TRANSLATE_H

#include <stddef.h>
#include "nfban.h"

int shim_translate(const struct nfban_params *from, const struct nfban_plugin *from_desc,
		   const struct nfban_plugin *to_desc, struct nfban_params *to, char *why, size_t n);

#endif
