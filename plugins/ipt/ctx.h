// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctx.h - one operation in progress: the jail's rules as values (txn.c
 * builds them), what each operation changes in the table (jail.c, over the
 * table's view: view.h), and the two backends that hold the table and
 * commit the change: legacy.c (libiptc) and nft_txn.c (nf_tables).
 */
#ifndef NFBAN_IPT_CTX_H
#define NFBAN_IPT_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <libiptc/xtcshared.h>

#include "family.h"
#include "conf.h"
#include "nfban_plugin.h"
#include "nfnl/sock.h"
#include "nfnl/watch.h"
#include "nft_cache.h"
#include "nft_release.h"
#include "rule.h"
#include "view.h"

#pragma GCC visibility push(hidden)

#define IPT_TABLE "filter"

/* What an operation does, and so which rules it needs. */
#define IPT_STARTS(op) ((op) == NFBAN_OP_START || (op) == NFBAN_OP_START_BAN)
#define IPT_BANS(op) ((op) == NFBAN_OP_BAN || (op) == NFBAN_OP_UNBAN || (op) == NFBAN_OP_START_BAN)

/*
 * A plugin instance: the nf_tables backend's socket, opened on first use,
 * the release of the host's iptables-nft (nft_release.h), read on first use
 * (from its program file: a jail that ends up on the legacy tables never
 * reads it), and what ban and unban read of the jail, per family
 * (nft_cache.h), with a watch of the chains it depends on (src/nfnl/watch.h).
 */
struct ipt_inst {
	struct nft_sock nft;
	bool nft_open;
	const struct ipt_nft_release *release;  /* NULL: not read yet */
	struct ipt_nft_cache cache[2];  /* inet4, inet6 */
	struct nft_watch watch[2];
};

struct ipt_ctx {
	struct ipt_inst *inst;
	const struct ipt_family *f;
	const struct ipt_conf *conf;
	const struct nfban_addr *addr;  /* ban, unban: n_addr of them (more than one: a ban) */
	unsigned n_addr;
	struct nfban_report *r;
	enum nfban_op op;
	xt_chainlabel jail;             /* f2b-<name> */
	xt_chainlabel chain;            /* <chain>, where the jumps go */
	/* The rules as values, whatever the backend. */
	struct ipt_rules jump_rules;    /* start, check: in the order start inserts them */
	struct ipt_rule ret_rule;       /* start, flush: -j <returntype> */
	struct ipt_rule ban_rule;       /* ban, unban: -s <ip> -j <blocktype> (start+ban: all three) */
	/* ban: the rule of each address, addr[i]'s at bans[i] (&ban_rule for one); IPT_W_BAN
	 * names bans[ban_i], the one the operation is at. */
	struct ipt_rule *bans;
	unsigned ban_i;
	xt_chainlabel ret_jump;         /* user chain returntype jumps to, or "" */
	xt_chainlabel ban_jump;         /* user chain blocktype jumps to, or "" */
	/* backend=auto undecided (backend.h): the legacy run decides by the table it reads
	 * (on_nft: nf_tables holds the jail's chain), or does nothing and sets absent (the
	 * operation is then nf_tables'). */
	bool if_chain, on_nft, absent;
	struct nft_sock *nft;           /* the instance's socket where auto opened it, or NULL */
};

/* The operation's changes to the table, over the backend's view (jail.c). */
enum nfban_status ipt_op(struct ipt_ctx *c, struct ipt_view *v);
/* The wanted rule w (view.h: a jump rule's index, IPT_W_RET, IPT_W_BAN). */
const struct ipt_rule *ipt_wanted(const struct ipt_ctx *c, int w);

/* The operation on the legacy tables (legacy.c), for the rules prepared in c. */
enum nfban_status ipt_legacy_run(struct ipt_ctx *c);
/* The operation on nf_tables (nft_txn.c), for the rules prepared in c. */
enum nfban_status ipt_nft_run(struct ipt_ctx *c);
/* The instance's nf_tables socket in *s, opened on first use: 0, or -errno (*s NULL). */
int ipt_nft_sock(struct ipt_inst *in, struct nft_sock **s);

#pragma GCC visibility pop

#endif
