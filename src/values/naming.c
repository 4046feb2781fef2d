// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * naming.c - the kernel names of a jail, written once: the iptables plugins'
 * chain f2b-<name> and the nftables plugin's table, chain and per-family set
 * addr-set-<name> / addr6-set-<name> (Fail2ban's stock actions name them the
 * same way).  The plugins build names with these; the doctor reads them back.
 */
#include <stdio.h>
#include <string.h>

#include "values.h"

#define XT_PREFIX "f2b-"
#define SET4_PREFIX "addr-set-"
#define SET6_PREFIX "addr6-set-"

int value_xt_jail_chain(const char *jail, char *buf, size_t n)
{
	int len = snprintf(buf, n, XT_PREFIX "%s", jail);

	return len < 0 || (size_t)len >= n || (size_t)len >= VALUE_XT_NAME_MAX ? -1 : 0;
}

const char *value_xt_chain_jail(const char *chain)
{
	size_t p = strlen(XT_PREFIX);

	return strncmp(chain, XT_PREFIX, p) == 0 && chain[p] ? chain + p : NULL;
}

int value_nft_jail_set(const char *jail, enum nfban_family family, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s%s", family == NFBAN_INET6 ? SET6_PREFIX : SET4_PREFIX, jail);

	return len < 0 || (size_t)len >= n ? -1 : 0;
}

const char *value_nft_set_jail(const char *set, enum nfban_family *family)
{
	static const struct { const char *prefix; enum nfban_family family; } p[] = {
		{ SET4_PREFIX, NFBAN_INET4 }, { SET6_PREFIX, NFBAN_INET6 },
	};

	for (size_t i = 0; i < sizeof(p) / sizeof(*p); i++) {
		size_t len = strlen(p[i].prefix);

		if (strncmp(set, p[i].prefix, len) == 0 && set[len]) {
			if (family)
				*family = p[i].family;
			return set + len;
		}
	}
	return NULL;
}
