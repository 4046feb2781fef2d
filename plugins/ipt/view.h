// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * view.h - the filter table as the six operations see it (jail.c writes
 * them once, over this), with two implementations: libiptc's copy of the
 * legacy table (view_iptc.c), and what an nf_tables transaction read and
 * the batch it builds (nft_txn.c).  As iptables' nft_family_ops gives the
 * per-family differences as data, this gives the per-backend ones.
 *
 * Changes reach the kernel together, in the backend's one commit (libiptc's
 * replace, or one nf_tables batch); the questions see the changes made
 * earlier in the same operation (a chain created or deleted, a rule
 * inserted or appended, a chain flushed, the jumps to a chain deleted), as
 * libiptc's copy does - except a deleted rule, which no operation asks
 * about again, nor deletes twice.
 *
 * Rules are named by what the operation wants (a jump rule, the return
 * rule, the ban rule: ctx.h), never by position, and are found by what
 * they match, so rules the stock commands added are found too.  The
 * integer calls return 0, or -errno with nothing changed.
 */
#ifndef NFBAN_IPT_VIEW_H
#define NFBAN_IPT_VIEW_H

#include <stdbool.h>

#pragma GCC visibility push(hidden)

/* A wanted rule of the operation: jump rule i (i >= 0: ctx.h's jump_rules.v[i]), or: */
enum { IPT_W_RET = -1, IPT_W_BAN = -2 };

struct ipt_view;

struct ipt_view_ops {
	/* The chain is in the table, or this operation created it. */
	bool (*exists)(struct ipt_view *v, const char *chain);
	/* A built-in chain: one that exists with a hook, or (nf_tables, where
	 * iptables-nft creates INPUT, FORWARD and OUTPUT on first use) may be created. */
	bool (*builtin)(struct ipt_view *v, const char *chain);
	/* The chain holds a copy of the wanted rule. */
	bool (*holds)(struct ipt_view *v, const char *chain, int rule);
	/* How many rules jump to the chain. */
	int (*references)(struct ipt_view *v, const char *chain, unsigned *refs);
	/* A user chain, or a missing built-in chain as the host's iptables makes it. */
	int (*create)(struct ipt_view *v, const char *chain);
	/* The wanted rule at the top of the chain (-I chain 1), or at its end (-A). */
	int (*insert)(struct ipt_view *v, const char *chain, int rule);
	int (*append)(struct ipt_view *v, const char *chain, int rule);
	/* Every copy of the wanted rule (*n of them; nf_tables: at most 64 per
	 * operation, the next one takes the rest), or every rule jumping to target. */
	int (*del)(struct ipt_view *v, const char *chain, int rule, unsigned *n);
	int (*del_jumps)(struct ipt_view *v, const char *chain, const char *target, unsigned *n);
	/* Every rule of the chain; the chain itself (unreferenced and empty). */
	int (*flush)(struct ipt_view *v, const char *chain);
	int (*del_chain)(struct ipt_view *v, const char *chain);
};

struct ipt_view {
	const struct ipt_view_ops *ops;
};

#pragma GCC visibility pop

#endif
