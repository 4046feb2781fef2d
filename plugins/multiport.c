// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multiport.c - Fail2ban's iptables-multiport: per protocol, one
 *   -I <chain> -p <proto> -m multiport --dports <ports> -j f2b-<name>
 * (ipt_jumps_multiport: a list longer than the match's 15 slots becomes
 * several such rules.)
 */
#include "nfban_plugin.h"
#include "ipt/jail.h"

static const struct nfban_key multiport_keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct ipt_kind multiport = { .keys = multiport_keys, .jumps = ipt_jumps_multiport };

static enum nfban_status multiport_configure(const struct nfban_jail_keys *k, void **jail,
					  struct nfban_report *r)
{
	return ipt_configure(&multiport, k, jail, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "multiport",
	.summary = "iptables: one multiport jump per protocol (stock iptables-multiport)",
	.keys = multiport_keys,
	.fallback = "perport,nftables",
	.flags = NFBAN_PLUGIN_SERIAL | NFBAN_PLUGIN_START_BAN | NFBAN_PLUGIN_BANS,
	.open = ipt_open,
	.close = ipt_close,
	.configure = multiport_configure,
	.release = ipt_release,
	.run = ipt_run,
};
