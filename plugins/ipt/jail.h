// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.h - Fail2ban's six operations on the iptables filter table, shared by
 * the multiport, allports and perport plugins.
 *
 * A jail is a chain f2b-<name> ending in a return rule (`-j <returntype>`),
 * its bans inserted at its top (`-s <ip> -j <blocktype>`), and jump rules at
 * the top of <chain> sending traffic into it.  The plugins differ only in
 * those jump rules: each describes them with an ipt_kind (conf.h),
 * everything else (chain, bans, lock, commit, check, stop) is here.
 */
#ifndef NFBAN_IPT_JAIL_H
#define NFBAN_IPT_JAIL_H

#include "conf.h"
#include "nfban_plugin.h"
#include "rule.h"

#pragma GCC visibility push(hidden)

/* The plugin's operations (jail: a struct ipt_conf from ipt_configure()). */
enum nfban_status ipt_open(void **inst, struct nfban_report *r);
void ipt_close(void *inst);
/*
 * Wait until the kernel has let go of what the instance's last commits
 * deleted: nf_tables frees a deleted rule's expressions in deferred work
 * after the commit, and only then does an xt set match drop its hold on
 * the set (see txn.c).  The legacy backend's replace lets go at once.
 */
void ipt_settle(void *inst);
/* The descriptor's run(): every operation, NFBAN_OP_START_BAN in one libiptc commit or
 * one nf_tables batch (NFBAN_PLUGIN_START_BAN). */
enum nfban_status ipt_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
			  const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r);

/* The jumps() of -m multiport --dports <port> (jumps.c) and of every port. */
enum nfban_status ipt_jumps_multiport(const struct value_proto *pr, struct ipt_rules *out,
				      struct nfban_report *r);
enum nfban_status ipt_jumps_all(const struct value_proto *pr, struct ipt_rules *out,
				struct nfban_report *r);

#pragma GCC visibility pop

#endif
