// SPDX-License-Identifier: GPL-2.0-or-later
/* live.h - what the probe copies from the live host (probe.c fills it). */
#ifndef NFBAN_DOCTOR_LIVE_H
#define NFBAN_DOCTOR_LIVE_H

#include <sys/types.h>

#include "doctor.h"

#define P_MAX_IFS 32
#define P_MAX_ADDRS 8
#define P_MAX_DNAT 16

struct piface {
	char name[32];
	char addrs[P_MAX_ADDRS][64];    /* "10.0.0.1/24", "fd00::1/64" */
	int n_addrs;
	int role;                       /* P_DUMMY, P_INGRESS, P_BACKEND */
};
enum { P_DUMMY, P_INGRESS, P_BACKEND };

/* A DNAT destination and the interface it lies behind. */
struct pdnat {
	char addr[64];
	unsigned port;                  /* 0: the port is kept */
	char ifname[32];
	char gw[64];                    /* the host's address on that interface */
};

/* What is copied from the live host (all of it read only). */
struct live {
	char ip[64];                    /* the client: ip= */
	int v6;                         /* ip= is IPv6 */
	unsigned port;
	char dst[64];                   /* the host's address toward ip= */
	char *nft, *legacy4, *legacy6, *ipset;
	struct piface ifs[P_MAX_IFS];
	int n_ifs;
	struct pdnat dn[P_MAX_DNAT];
	int n_dn;
	char forward[8], forward6[8];   /* net.ipv4.ip_forward, net.ipv6.conf.all.forwarding */
};

#endif
