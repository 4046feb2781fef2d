// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kcalls.h - the time a program spends in the calls by which nfban's plugins
 * reach netfilter: the "kernel's own cost" column of `make bench`.
 *
 * bench/inproc is linked with kcalls.c, whose send, sendto, sendmsg, recv,
 * recvfrom, recvmsg, recvmmsg, setsockopt and getsockopt (each its own symbol
 * in glibc: recv is not a call of recvfrom; exported from the executable:
 * they come first in the dynamic lookup, before libc's, for libnfban, the
 * plugins and libmnl) time the real call.  nf_tables runs a batch, commit
 * included, inside the sendto that carries it, and a dump is read by the
 * recvs and recvfroms; libiptc's table copy and replace are a getsockopt and a
 * setsockopt.  What an operation costs outside these calls is nfban's own.
 */
#ifndef BENCH_KCALLS_H
#define BENCH_KCALLS_H

#include <stdint.h>

/* Nanoseconds spent inside those calls since the program began (this thread's and others'). */
uint64_t kcalls_ns(void);

#endif
