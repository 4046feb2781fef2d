// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * allports.c - Fail2ban's iptables-allports: per protocol, one
 *   -I <chain> -p <proto> -j f2b-<name>
 * so a banned address is blocked on every port (port= is ignored).
 */
#include "nfban_plugin.h"
#include "ipt/jail.h"

static const struct nfban_key allports_keys[] = {
	IPT_KEYS(IPT_KEY_PORT_UNUSED),
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct ipt_kind allports = { .keys = allports_keys, .jumps = ipt_jumps_all };

static enum nfban_status allports_configure(const struct nfban_jail_keys *k, void **jail,
					  struct nfban_report *r)
{
	return ipt_configure(&allports, k, jail, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "allports",
	.summary = "iptables: one jump per protocol, every port (stock iptables-allports)",
	.keys = allports_keys,
	.fallback = "nftables",
	.flags = NFBAN_PLUGIN_SERIAL | NFBAN_PLUGIN_START_BAN | NFBAN_PLUGIN_BANS,
	.open = ipt_open,
	.close = ipt_close,
	.configure = allports_configure,
	.release = ipt_release,
	.run = ipt_run,
};
