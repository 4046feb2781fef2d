// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pin_malloc.c - preloaded into `make bench`'s in-process drivers (both
 * trees' bench/inproc: LD_PRELOAD, see driver in bench/run): fixes glibc's
 * malloc thresholds for that process, and for it alone.
 *
 * Left to glibc, the thresholds move with the process's history: freeing a
 * mapped chunk raises the mmap threshold to its size and the trim threshold
 * to twice that.  libiptc allocates and frees its copy of the whole table on
 * every operation, a little larger after each ban, so whether that copy
 * lands on pages already faulted in, or is mapped anew (or the heap is
 * trimmed and grown again) and faulted in, depends on what else the host
 * freed before - not on what the operation does.  Fixed (mallopt also stops
 * the adjusting), two trees' rows compare what they do.
 *
 * The variable that loaded it is taken out of the environment, so the
 * commands the driver spawns (the stock and shim rows) start as Fail2ban's
 * would, with glibc's own thresholds.
 */
#include <malloc.h>
#include <stdlib.h>

#define PIN_MMAP (4 << 20)      /* above every table copy of the bench's sizes */
#define PIN_TRIM (8 << 20)

__attribute__((constructor)) static void pin(void)
{
	mallopt(M_MMAP_THRESHOLD, PIN_MMAP);
	mallopt(M_TRIM_THRESHOLD, PIN_TRIM);
	unsetenv("LD_PRELOAD");
}
