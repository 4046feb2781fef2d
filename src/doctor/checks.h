// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * checks.h - the findings, each a function of the model (model.h) and
 * nothing else: what could not be read (reads.c), the backends (backends.c),
 * each jail's chain, jumps and ports (jails.c), what shadows a jump
 * (shadow.c), DNAT around a jail (dnat.c), ip= (ip.c), Fail2ban against the
 * kernel (fail2ban.c), the fallback state (fallback.c); the kernel's
 * capabilities are probed apart (caps.c).
 */
#ifndef NFBAN_DOCTOR_CHECKS_H
#define NFBAN_DOCTOR_CHECKS_H

#include "model.h"
#include "nft.h"

void check_reads(const struct model *m);
void check_backends(const struct model *m);
void check_jails(const struct model *m);
/* One jump's traffic: shadowed by an earlier accept?  (iptables rulesets) */
void check_shadow(const struct model *m, const struct ruleset *s, const struct rule *jump,
		  const struct where *w);
void check_nft_shadow(const struct model *m, const struct rule *r, const struct where *w);
/* DNAT around a jump in chain/hook kind "input" or "forward". */
void check_dnat(const struct model *m, const struct where *w, const struct rule *jump,
		const char *hook);
void check_ip(const struct model *m);
void check_fail2ban(const struct model *m);
void check_fallback_state(const struct model *m);
void check_capabilities(const struct opts *o);

/* The likely cause of a jail, chain or jump gone from the kernel. */
const char *wipe_cause(const struct model *m, const char *backend, char *buf, size_t n);

#endif
