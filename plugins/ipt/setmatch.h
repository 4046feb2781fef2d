// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setmatch.h - `-m set --match-set <set> src`, the match of an ipset jail's
 * jumps (conf->match_set), as iptables 1.8's libxt_set writes it: match
 * "set" revision 4, the set named by the kernel's index of it.
 */
#ifndef NFBAN_IPT_SETMATCH_H
#define NFBAN_IPT_SETMATCH_H

#include <stddef.h>
#include <stdint.h>

#include "nfban_plugin.h"
#include "rule.h"

#pragma GCC visibility push(hidden)

/*
 * Fill m with the match of set `name`, which must exist in family fam.
 * 0; -EINVAL with why when the set is of the other family; another -errno
 * with why (-ENOENT: no such set) when it cannot be looked up.
 */
int ipt_match_set(struct ipt_ext *m, const char *name, enum nfban_family fam, char *why, size_t n);

/*
 * The kernel's index of set `name` and its family (NFPROTO_*), asked as
 * libxt_set asks it.  -ENOENT: no such set; -ENOPROTOOPT: no ip_set in the
 * kernel (nobody registered SO_IP_SET); other -errno.
 */
int ipt_set_index(const char *name, uint16_t *index, unsigned *family);

#pragma GCC visibility pop

#endif
