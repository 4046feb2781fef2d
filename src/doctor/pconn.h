// SPDX-License-Identifier: GPL-2.0-or-later
/* pconn.h - the probe's processes, connection and listeners (pconn.c). */
#ifndef NFBAN_DOCTOR_PCONN_H
#define NFBAN_DOCTOR_PCONN_H

#include "live.h"

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

#endif
