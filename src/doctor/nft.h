// SPDX-License-Identifier: GPL-2.0-or-later
/* nft.h - the nf_tables ruleset into a ruleset (nft.c). */
#ifndef NFBAN_DOCTOR_NFT_H
#define NFBAN_DOCTOR_NFT_H

#include "ruleset.h"

void nft_load(struct ruleset *n);
/* iptables-nft's tables of family (inet4/6) from the nf_tables ruleset, when
 * iptables-nft-save is not there to print them. */
void nft_xt_tables(struct ruleset *x, const struct ruleset *n, const char *family);
/* Is it one of iptables-nft's tables (ip/ip6 filter, nat, ...)? */
int nft_is_xt_table(const char *tfamily, const char *table);

#endif
