// SPDX-License-Identifier: GPL-2.0-or-later
/* f2b.h - Fail2ban in the doctor's model (f2b.c). */
#ifndef NFBAN_DOCTOR_F2B_H
#define NFBAN_DOCTOR_F2B_H

#include "ruleset.h"

/* Fail2ban as fail2ban-client tells it. */
struct f2b_jail {
	char name[64];
	char **bans;                /* normalised addresses */
	size_t n_bans;
	char actions[256];          /* its actions, comma-separated; "" unknown */
};
struct f2b {
	enum rd rd;                 /* RD_NONE: not asked, no socket */
	char sock[4096], why[4400];
	struct f2b_jail *jails;
	size_t n_jails;
};

void f2b_load(struct f2b *f, const struct opts *o);

#endif
