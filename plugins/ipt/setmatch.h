// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setmatch.h - the jump rule of an ipset jail (conf->match_set set):
 *   -p <proto> [port match] -m set --match-set <set> src -j <blocktype>
 * as iptables 1.8's libxt_set writes it: match "set" revision 4.
 */
#ifndef NFBAN_IPT_SETMATCH_H
#define NFBAN_IPT_SETMATCH_H

#include <stdint.h>

#include "ctx.h"

#pragma GCC visibility push(hidden)

/*
 * Add the set match to `rule` (its port match, if any, already there) and
 * make blocktype its target.  The match names the set by the kernel's index
 * of it, as libxt_set does: the set must exist (NFBAN_ERROR, ENOENT, when it
 * does not; NFBAN_BADPARAM when it is of the other family).
 */
enum nfban_status ipt_set_jump(struct ipt_ctx *c, struct ipt_rule *rule);

/*
 * The kernel's index of set `name` and its family (NFPROTO_*), asked as
 * libxt_set asks it.  -ENOENT: no such set; -ENOPROTOOPT: no ip_set in the
 * kernel (nobody registered SO_IP_SET); other -errno.
 */
int ipt_set_index(const char *name, uint16_t *index, unsigned *family);

#pragma GCC visibility pop

#endif
