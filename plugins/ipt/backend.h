// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * backend.h - which tables the iptables plugins write: backend=legacy,
 * backend=nft, or backend=auto (the default), which follows the `iptables`
 * command Fail2ban's stock action would run:
 *   - `iptables` found in PATH, links (alternatives) followed to the end:
 *     iptables-nft or xtables-nft-multi -> nft; iptables-legacy or
 *     xtables-legacy-multi -> legacy;
 *   - no `iptables` in PATH (or one that is neither): nft when the kernel
 *     answers nf_tables' generation request, else legacy.
 */
#ifndef NFBAN_IPT_BACKEND_H
#define NFBAN_IPT_BACKEND_H

#include <stddef.h>

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

enum ipt_backend {
	IPT_BACKEND_AUTO,
	IPT_BACKEND_LEGACY,
	IPT_BACKEND_NFT,
};

struct nft_sock;
/* IPT_BACKEND_LEGACY or IPT_BACKEND_NFT; nf_tables asked, when `iptables` does not say, on s (the
 * instance's socket) unless NULL. */
enum ipt_backend ipt_backend_resolve(enum ipt_backend b, struct nft_sock *s);

/*
 * The backend of one jail's operation: b itself unless auto; with auto,
 * where the jail's chain f2b-<name> already is (a jail stays where it was
 * started, whatever `iptables` says since), else (both or neither) the one
 * `iptables` is (ipt_backend_resolve(), asked only then).  nf_tables is asked
 * here (through s, the instance's socket, when not NULL; *on_nft its answer);
 * the legacy table is not read here: where the kernel has it loaded
 * (/proc/net/ip*_tables_names; reading it otherwise would create it),
 * IPT_BACKEND_AUTO leaves the choice to the legacy run's own read of the
 * table, by ipt_backend_legacy_decides() (ctx.h if_chain): one read, not
 * one to choose and one to change.
 */
enum ipt_backend ipt_backend_for_jail(enum ipt_backend b, enum nfban_family fam, const char *jail,
				      struct nft_sock *s, bool *on_nft);
/* backend=auto: the jail is the legacy table's, given whether that table holds its chain (s:
 * as for ipt_backend_resolve). */
bool ipt_backend_legacy_decides(bool legacy_holds, bool on_nft, struct nft_sock *s);

/* What the final name of the `iptables` command says: AUTO when it says nothing. */
enum ipt_backend ipt_backend_of_command(const char *basename);

/* The end of every link from the first `name` in path into out; -1 when none. */
int ipt_backend_find_command(const char *path, const char *name, char *out, size_t n);
/* ... of `iptables`. */
int ipt_backend_find_iptables(const char *path, char *out, size_t n);

#pragma GCC visibility pop

#endif
