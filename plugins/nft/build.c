// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * build.c - the table and the base chain, as `nft add table <family> <table>`
 * and `nft add chain ... { type T hook H priority P; }` send them: no table
 * flags (an existing table keeps its own), no chain policy (accept).
 */
#include <errno.h>
#include <libnftnl/chain.h>
#include <libnftnl/table.h>

#include "jail.h"

int nft_build_table(const struct nft_jail *j, struct nftnl_table **out)
{
	struct nftnl_table *t = nftnl_table_alloc();

	*out = NULL;
	if (!t)
		return -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, j->table_family);
	if (nftnl_table_set_str(t, NFTNL_TABLE_NAME, j->table) < 0) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

int nft_build_chain(const struct nft_jail *j, struct nftnl_chain **out)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	*out = NULL;
	if (!c)
		return -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, j->table_family);
	if (nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, j->table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, j->chain) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, j->chain_type) < 0) {
		nftnl_chain_free(c);
		return -ENOMEM;
	}
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, j->hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, j->prio);
	*out = c;
	return 0;
}
