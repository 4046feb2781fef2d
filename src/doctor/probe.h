// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe.h - `nfban doctor probe ip=ADDR port=PORT`: a real TCP connection
 * from ADDR through a copy of this host's ruleset, in throw-away network
 * namespaces (probe.c: what is copied from the live host, read only, and the
 * answer; pcopy.c: the copy; pconn.c: the connection and the listeners;
 * ptrace.c: which rules decided).
 */
#ifndef NFBAN_DOCTOR_PROBE_H
#define NFBAN_DOCTOR_PROBE_H

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

/* The copy, run in the server namespace: 0, or -1 with why. */
int pcopy_build(const struct live *l, pid_t client, const pid_t *backends, char *why, size_t n);
/* A child in a namespace of its own: returns its pid; it writes 'r' on ready
 * and waits for a byte on go before fn(arg) runs; fn's return is its exit. */
pid_t pns_child(int (*fn)(void *), void *arg, int *go_fd);

/* The client: configure its side and connect; writes the result line to fd. */
struct pclient {
	const struct live *l;
	int result_fd;
};
int pconn_client(void *arg);
/* A backend (container) namespace: its addresses, listeners on its ports. */
struct pbackend {
	const struct live *l;
	const char *ifname;
	int result_fd;
};
int pconn_backend(void *arg);
/* Listen on port in this namespace; the fd. */
int pconn_listen(unsigned port);
/* Accept what comes on the n listeners until ms pass without any; writes
 * "accepted\tWHO\t..." lines to fd. */
void pconn_serve(const int *lfd, char (*who)[128], int n, int fd, int ms);
/* "A/32" or "A/128" for one address. */
const char *host_prefix(const char *a, char *buf, size_t n);
/* ip(8) with these arguments (NULL-terminated), without a shell: its status. */
int pip(const char *const *args);
#define PIP(...) pip((const char *const[]){ __VA_ARGS__, NULL })

/* nft monitor trace, started before the attempt and read after it. */
struct ptrace {
	pid_t pid;
	int fd;
	char *text;
};
int ptrace_start(struct ptrace *t);
void ptrace_stop(struct ptrace *t);
/* The lines of the connection's first packet that carry a verdict, into buf. */
void ptrace_decided(const struct ptrace *t, unsigned port, char *buf, size_t n);
/* The legacy rules whose counters the attempt moved, into buf. */
void pcount_diff(const char *before, const char *after, char *buf, size_t n);

int probe_main(const struct opts *o);

#endif
