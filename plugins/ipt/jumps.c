// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jumps.c - the jump rules' matches of one protocol, shared by the plugins
 * that jump the same way (multiport and ipset, allports and ipset-allports).
 * The multiport match holds 15 ports (a range a:b takes two of them): a
 * longer list becomes several such rules instead of an error.
 */
#include "jail.h"
#include "report.h"

enum nfban_status ipt_jumps_multiport(const struct value_proto *pr, struct ipt_rules *out,
				      struct nfban_report *r)
{
	unsigned done = 0;

	if (pr->n_ports == 0)
		return report_fail(r, NFBAN_BADPARAM, 0, "no ports for protocol %s", pr->name);
	while (done < pr->n_ports) {
		struct ipt_rule *rule = ipt_rules_add(out);
		struct ipt_ext *m = rule ? ipt_rule_add_match(rule) : NULL;
		unsigned used;

		if (!m)
			return report_nomem(r, "building the rules");
		used = ipt_match_multiport(m, pr->ports + done, pr->n_ports - done);
		if (used == 0)
			return report_fail(r, NFBAN_BADPARAM, 0,
					   "port entry %u does not fit a multiport match",
					   done + 1);
		done += used;
	}
	return NFBAN_OK;
}

enum nfban_status ipt_jumps_all(const struct value_proto *pr, struct ipt_rules *out,
				struct nfban_report *r)
{
	(void)pr;
	return ipt_rules_add(out) ? NFBAN_OK : report_nomem(r, "building the rules");
}
