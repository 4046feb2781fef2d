// SPDX-License-Identifier: GPL-2.0-or-later
/* kjails.h - the jails the kernel holds, and their bans (kjails.c). */
#ifndef NFBAN_DOCTOR_KJAILS_H
#define NFBAN_DOCTOR_KJAILS_H

#include "ruleset.h"

/* A ban held by the kernel, and the jails found there. */
struct kban {
	char jail[64];
	char addr[64];              /* normalised: a.b.c.d or a.b.c.d/len */
	char where[300];            /* the rule or set element that holds it */
};
struct kjail {
	char name[64];
	const char *backend, *family;
	const struct ruleset *rs;   /* where it is */
	const struct set *set;      /* nftables: its set */
	size_t n_bans;
};

struct kjails {
	struct kban *bans;
	size_t n_bans;
	struct kjail *jails;
	size_t n_jails;
};

/* The jails of x (legacy and nft, both families) and of the nftables plugin's table in nft. */
void kjails_load(struct kjails *k, const struct opts *o, const struct ruleset x[4],
		 const struct ruleset *nft);
void kjails_free(struct kjails *k);
/* Does the check cover family ("inet4", "inet6")?  From family= and ip=. */
int fam_wanted(const struct opts *o, const char *family);

#endif
