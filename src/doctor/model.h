// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.h - what the doctor knows: the kernel's rulesets (iptables legacy and
 * nft per family, the nf_tables ruleset; ruleset.h), the host (host.h),
 * Fail2ban's jails and bans (f2b.h), and the jails found in the kernel
 * (kjails.h).  model_collect() fills it with the collectors (xsave.c, nft.c,
 * host.c, f2b.c, kjails.c); the checks only read it.
 */
#ifndef NFBAN_DOCTOR_MODEL_H
#define NFBAN_DOCTOR_MODEL_H

#include "f2b.h"
#include "host.h"
#include "kjails.h"

struct model {
	const struct opts *o;
	struct host host;
	struct ruleset x[4];        /* legacy inet4, legacy inet6, nft inet4, nft inet6 */
	struct ruleset nft;         /* nf_tables (nft -j list ruleset), iptables-nft's tables too */
	struct f2b f2b;
	struct kjails k;
};

void model_collect(struct model *m, const struct opts *o);
void model_free(struct model *m);

const struct f2b_jail *f2b_jail(const struct model *m, const char *name);
const struct kjail *kjail_find(const struct model *m, const char *name);
/* Is any ruleset of family unread (or, family NULL, any at all)?  why: which. */
int model_blind(const struct model *m, const char *family, char *why, size_t n);
/* The command that writes the iptables rules of backend and family, as a user
 * types it: "iptables" when that is what PATH's iptables uses. */
const char *ipt_cmd(const struct model *m, const char *backend, const char *family, char *buf,
		    size_t n);

#endif
