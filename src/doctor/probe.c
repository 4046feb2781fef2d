// SPDX-License-Identifier: GPL-2.0-or-later
/* probe.c - placeholder while the copy is written */
#include <stdio.h>

#include "probe.h"

int probe_main(const struct opts *o)
{
	(void)o;
	fprintf(stderr, "nfban: doctor: probe: not built yet\n");
	return 3;
}
