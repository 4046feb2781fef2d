// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reads.c - what the doctor could not read, said as such: not permitted (not
 * root) is `unknown` (exit 3: nothing below can be trusted to be complete); a
 * tool missing or failing is a warning naming it, and the checks that needed
 * it answer `unknown` instead of a verdict.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"

static void read_finding(const struct model *m, const struct ruleset *r)
{
	struct where w = { NULL, r->backend, r->family };
	char todo[300];

	if (r->rd == RD_DENIED) {
		snprintf(todo, sizeof(todo), "run it as root (sudo nfban doctor ...): reading the "
			 "firewall needs CAP_NET_ADMIN, this runs as uid %u", (unsigned)geteuid());
		finding(SEV_UNKNOWN, "backend.read", &w, NULL, NULL, m->o->ip, todo,
			"cannot read the %s%s%s rules: %s", r->backend, r->family ? " " : "",
			r->family ? r->family : "", r->why);
	} else if (r->rd == RD_NOTOOL) {
		snprintf(todo, sizeof(todo), "install %s to let the doctor read them",
			 strcmp(r->backend, "nftables") == 0 ? "the nftables package (nft)"
							     : "the iptables package");
		finding(SEV_WARN, "backend.read", &w, NULL, NULL, m->o->ip, todo,
			"the kernel may hold %s%s%s rules the doctor cannot read: %s", r->backend,
			r->family ? " " : "", r->family ? r->family : "", r->why);
	} else if (r->rd == RD_FAILED) {
		finding(SEV_WARN, "backend.read", &w, NULL, NULL, m->o->ip,
			"run the command by hand to see why", "cannot read the %s%s%s rules: %s",
			r->backend, r->family ? " " : "", r->family ? r->family : "", r->why);
	}
}

void check_reads(const struct model *m)
{
	int nft_only = 0;

	for (int k = 0; k < 4; k++) {
		read_finding(m, &m->x[k]);
		nft_only |= m->x[k].rd == RD_OK && m->x[k].source &&
			    strcmp(m->x[k].source, "nft -j list ruleset") == 0;
	}
	read_finding(m, &m->nft);
	if (nft_only)
		finding(SEV_OK, "backend.read", &(struct where){ NULL, "nft", NULL }, NULL, NULL, NULL,
			NULL, "iptables-nft's tables read with nft -j list ruleset (iptables-nft-save is "
			"not installed): rules are quoted as nft prints them, and the ports of an xt "
			"match (-m multiport) are not shown there");
}
