// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * multiport.c - Fail2ban's iptables-multiport: per protocol, one
 *   -I <chain> -p <proto> -m multiport --dports <ports> -j f2b-<name>
 * The multiport match holds 15 ports (a range a:b takes two of them): a
 * longer list becomes several such rules instead of an error.
 */
#include "nfban_plugin.h"
#include "ipt/jail.h"

static enum nfban_status multiport_jumps(const struct value_proto *pr, struct ipt_rules *out,
					 struct nfban_report *r)
{
	unsigned done = 0;

	if (pr->n_ports == 0)
		return ipt_bad(r, "no ports for protocol %s", pr->name);
	while (done < pr->n_ports) {
		struct ipt_rule *rule = ipt_rules_add(out);
		struct ipt_ext *m = rule ? ipt_rule_add_match(rule) : NULL;
		unsigned used;

		if (!m)
			return ipt_nomem(r);
		used = ipt_match_multiport(m, pr->ports + done, pr->n_ports - done);
		if (used == 0)
			return ipt_bad(r, "port entry %u does not fit a multiport match", done + 1);
		done += used;
	}
	return NFBAN_OK;
}

static const struct nfban_key multiport_keys[] = {
	IPT_KEYS(IPT_KEY_PORT),
	{ NULL, 0, NULL, NULL, 0 }
};

static const struct ipt_kind multiport = { .keys = multiport_keys, .jumps = multiport_jumps };

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
	.flags = NFBAN_PLUGIN_SERIAL,
	.open = ipt_open,
	.close = ipt_close,
	.configure = multiport_configure,
	.release = ipt_release,
	.start = ipt_start,
	.stop = ipt_stop,
	.check = ipt_check,
	.ban = ipt_ban,
	.unban = ipt_unban,
	.flush = ipt_flush,
	.start_ban = ipt_start_ban,
};
