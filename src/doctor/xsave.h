// SPDX-License-Identifier: GPL-2.0-or-later
/* xsave.h - iptables-save text into a ruleset (xsave.c). */
#ifndef NFBAN_DOCTOR_XSAVE_H
#define NFBAN_DOCTOR_XSAVE_H

#include "ruleset.h"

void xsave_load(struct ruleset *x, const char *backend, const char *family);
/* The legacy tables of a family: RD_OK when the kernel lists some (reading
 * must not load them), RD_NONE, RD_DENIED... */
enum rd legacy_tables(int v6, char *why, size_t n);
/* "22,80:90" into ranges: 0, or -1 when it is not such a list. */
int parse_port_list(const char *text, struct value_port_range *out, unsigned *n);

#endif
