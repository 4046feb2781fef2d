// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipset.c - Fail2ban's iptables-ipset-proto6: the set f2b-<name>
 * (f2b-<name>6), and per protocol one
 *   -I <chain> -p <proto> -m multiport --dports <ports> -m set --match-set f2b-<name> src -j <blocktype>
 * (plugins/ipset/jail.h).
 */
#include "nfban_plugin.h"
#include "ipset/jail.h"

static const struct nfban_key ipset_keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	IPSET_KEYS,
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct ipt_kind ipset_kind = { .keys = ipset_keys, .jumps = ipt_jumps_multiport };

static enum nfban_status ipset_plugin_configure(const struct nfban_jail_keys *k, void **jail,
						struct nfban_report *r)
{
	return ipj_configure(&ipset_kind, k, jail, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "ipset",
	.summary = "iptables + ipset: a hash:ip set, one multiport jump per protocol "
		   "(stock iptables-ipset-proto6)",
	.keys = ipset_keys,
	.fallback = "nftables",
	.configure = ipset_plugin_configure,
	IPSET_PLUGIN_OPS,
};
