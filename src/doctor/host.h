// SPDX-License-Identifier: GPL-2.0-or-later
/* host.h - the host in the doctor's model (host.c). */
#ifndef NFBAN_DOCTOR_HOST_H
#define NFBAN_DOCTOR_HOST_H

#include "ruleset.h"

struct host {
	int root;                   /* euid 0 */
	char iptables[4096];        /* the iptables in PATH, resolved; "" none */
	const char *ipt_backend;    /* what it uses: "legacy", "nft", NULL */
	int firewalld;              /* firewalld's table is in the kernel */
};

void host_load(struct host *h, const struct ruleset *nft);

#endif
