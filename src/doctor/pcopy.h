// SPDX-License-Identifier: GPL-2.0-or-later
/* pcopy.h - the probe's copy of the host in its server namespace (pcopy.c). */
#ifndef NFBAN_DOCTOR_PCOPY_H
#define NFBAN_DOCTOR_PCOPY_H

#include "live.h"

/* The copy, run in the server namespace: 0, or -1 with why. */
int pcopy_build(const struct live *l, pid_t client, const pid_t *backends, char *why, size_t n);

#endif
