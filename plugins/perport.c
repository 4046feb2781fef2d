// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perport.c - Fail2ban's stock `iptables` action (type=oneport), for any
 * number of ports: per protocol and per port or range, one
 *   -I <chain> -p <proto> -m <proto> --dport <port>[:<last>] -j f2b-<name>
 * It needs no multiport match, so multiport falls back to it.
 */
#include "nfban_plugin.h"
#include "ipt/jail.h"
#include "report.h"

static enum nfban_status perport_jumps(const struct value_proto *pr, struct ipt_rules *out,
				       struct nfban_report *r)
{
	if (pr->n_ports == 0)
		return report_fail(r, NFBAN_BADPARAM, 0, "no ports for protocol %s", pr->name);
	for (unsigned i = 0; i < pr->n_ports; i++) {
		struct ipt_rule *rule = ipt_rules_add(out);
		struct ipt_ext *m = rule ? ipt_rule_add_match(rule) : NULL;

		if (!m)
			return report_nomem(r, "building the rules");
		if (ipt_match_dport(m, pr->number, &pr->ports[i]) < 0)
			return report_fail(r, NFBAN_BADPARAM, 0,
					   "protocol %s has no --dport match (tcp, udp, sctp, dccp do)",
					   pr->name);
	}
	return NFBAN_OK;
}

static const struct nfban_key perport_keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct ipt_kind perport = { .keys = perport_keys, .jumps = perport_jumps };

static enum nfban_status perport_configure(const struct nfban_jail_keys *k, void **jail,
					  struct nfban_report *r)
{
	return ipt_configure(&perport, k, jail, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "perport",
	.summary = "iptables: one jump per port and protocol, no multiport match needed",
	.keys = perport_keys,
	.fallback = "nftables",
	.flags = NFBAN_PLUGIN_SERIAL | NFBAN_PLUGIN_START_BAN | NFBAN_PLUGIN_BANS,
	.open = ipt_open,
	.close = ipt_close,
	.configure = perport_configure,
	.release = ipt_release,
	.run = ipt_run,
};
