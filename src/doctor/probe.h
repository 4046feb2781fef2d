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

#include "doctor.h"

/* The exit status: 0 an answer (refused, dropped, accepted), 2 bad usage, 3 no answer. */
int probe_main(const struct opts *o);

#endif
