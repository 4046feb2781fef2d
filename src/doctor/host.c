// SPDX-License-Identifier: GPL-2.0-or-later
/* host.c - the host in the model: root or not, which iptables PATH has, firewalld. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

void host_load(struct host *h, const struct ruleset *nft)
{
	char path[4096];

	memset(h, 0, sizeof(*h));
	h->root = geteuid() == 0;
	if (tool_find("iptables", path, sizeof(path)) && realpath(path, h->iptables)) {
		const char *base = strrchr(h->iptables, '/') ? strrchr(h->iptables, '/') + 1 : h->iptables;

		h->ipt_backend = strstr(base, "legacy") || strcmp(base, "xtables-multi") == 0 ? "legacy"
			       : strstr(base, "nft") ? "nft" : NULL;
	}
	for (size_t i = 0; i < nft->n_chains; i++)
		if (strcmp(nft->chains[i].tfamily, "inet") == 0 &&
		    strcmp(nft->chains[i].table, "firewalld") == 0)
			h->firewalld = 1;
}
