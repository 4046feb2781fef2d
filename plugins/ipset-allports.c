// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipset-allports.c - Fail2ban's iptables-ipset-proto6-allports: the set
 * f2b-<name> (f2b-<name>6), and per protocol one
 *   -I <chain> -p <proto> -m set --match-set f2b-<name> src -j <blocktype>
 * so a banned address is blocked on every port (plugins/ipset/jail.h).
 */
#include "nfban_plugin.h"
#include "ipset/jail.h"

static const struct nfban_key ipset_allports_keys[] = {
	IPT_KEYS(IPT_KEY_PORT_UNUSED),
	IPSET_KEYS,
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct ipt_kind ipset_allports = { .keys = ipset_allports_keys,
						.jumps = ipt_jumps_all };

static enum nfban_status ipset_allports_configure(const struct nfban_jail_keys *k, void **jail,
						  struct nfban_report *r)
{
	return ipj_configure(&ipset_allports, k, jail, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "ipset-allports",
	.summary = "iptables + ipset: a hash:ip set, one jump per protocol, every port "
		   "(stock iptables-ipset-proto6-allports)",
	.keys = ipset_allports_keys,
	.fallback = "nftables",
	.configure = ipset_allports_configure,
	IPSET_PLUGIN_OPS,
};
