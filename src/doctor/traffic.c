// SPDX-License-Identifier: GPL-2.0-or-later
/* traffic.c - a jump's traffic: protocol and ports, and how it reads. */
#include <stdio.h>
#include <string.h>

#include "traffic.h"

void traffic_of(const struct rule *r, struct traffic *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->proto, sizeof(t->proto), "%s", r->proto_neg ? "" : r->proto);
	t->ports_unread = r->ports_unread;
	t->any_port = (r->any_port || r->port_neg) && !r->ports_unread;
	t->n_ports = t->any_port ? 0 : r->n_ports;
	memcpy(t->ports, r->ports, sizeof(t->ports));
}

void traffic_str(const struct traffic *t, char *buf, size_t n)
{
	char p[256];

	if (t->ports_unread) {
		snprintf(buf, n, "%s (ports not shown by nft -j)", t->proto[0] ? t->proto : "all");
	} else if (t->any_port) {
		snprintf(buf, n, "%s%s", t->proto[0] ? t->proto : "all", t->proto[0] ? " (all ports)" : "");
	} else {
		ports_str(t->ports, t->n_ports, p, sizeof(p));
		snprintf(buf, n, "%s/%s", p, t->proto[0] ? t->proto : "any");
	}
}
