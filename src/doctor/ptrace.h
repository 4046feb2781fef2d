// SPDX-License-Identifier: GPL-2.0-or-later
/* ptrace.h - which rules decided the probe's packet (ptrace.c). */
#ifndef NFBAN_DOCTOR_PTRACE_H
#define NFBAN_DOCTOR_PTRACE_H

#include <sys/types.h>

#include "doctor.h"

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

#endif
