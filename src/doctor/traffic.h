// SPDX-License-Identifier: GPL-2.0-or-later
/* traffic.h - the traffic a jump (or an nftables set rule) sends to a jail (traffic.c). */
#ifndef NFBAN_DOCTOR_TRAFFIC_H
#define NFBAN_DOCTOR_TRAFFIC_H

#include "ruleset.h"

/* The traffic a jump (or an nftables set rule) sends to the jail. */
struct traffic {
	char proto[16];             /* "" any */
	int any_port;
	int ports_unread;
	unsigned n_ports;
	struct value_port_range ports[R_MAX_PORTS];
};
void traffic_of(const struct rule *r, struct traffic *t);
void traffic_str(const struct traffic *t, char *buf, size_t n);

#endif
