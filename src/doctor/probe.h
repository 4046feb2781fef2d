// SPDX-License-Identifier: GPL-2.0-or-later
/* probe.h - `nfban doctor probe`: a real connection through a copy of the ruleset. */
#ifndef NFBAN_DOCTOR_PROBE_H
#define NFBAN_DOCTOR_PROBE_H

#include "doctor.h"

/* The exit status: 0 an answer (refused, dropped, accepted), 2 bad usage, 3 no answer. */
int probe_main(const struct opts *o);

#endif
