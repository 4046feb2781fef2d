// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xtlock.h - the xtables lock, taken the way `iptables -w` takes it.
 */
#ifndef NFBAN_IPT_XTLOCK_H
#define NFBAN_IPT_XTLOCK_H

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

/* The lock file: $XTABLES_LOCKFILE when set and not empty, else /run/xtables.lock. */
const char *ipt_xtlock_path(void);

/*
 * Wait up to wait_s seconds for the lock and return its descriptor; -1 with
 * the report filled when the file cannot be opened or locked in time.
 */
int ipt_xtlock_acquire(unsigned wait_s, struct nfban_report *r);
void ipt_xtlock_release(int fd);

#pragma GCC visibility pop

#endif
