// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * watch.h - nfban's nf_tables layer, what others changed: a socket of the
 * plugin instance subscribed to nf_tables' change notifications
 * (NFNLGRP_NFTABLES), read before a ban or unban, so that a long-lived
 * host's cache survives the writes of others that do not touch it (another
 * jail's ban, another program's rules elsewhere) and is dropped by those
 * that do (a flush, a reload).
 *
 * What the kernel sends, and what it is taken for (net/netfilter/nf_tables_api.c):
 *   - every commit, whoever makes it, notifies each object it changed, then
 *     NFT_MSG_NEWGEN with the generation it made (NFTA_GEN_ID); all of it is
 *     queued before the committer's acks, so by the time this instance's own
 *     commit returns, its notifications and every earlier one are here;
 *   - each notification carries the committer's port id (nlmsg_pid): our
 *     own are told apart from others'; a commit's are one datagram, its
 *     NEWGEN another, each with that port id first, so a socket filter
 *     (nft_mon_filter) has the kernel drop our own before they are
 *     queued (and others' datagrams of set elements only: nothing here
 *     counts them, their NEWGEN still comes), and a commit of ours the kernel accepted stamped with the
 *     generation the stream is at moves the stream on by itself
 *     (nft_mon_committed): a long-lived host's ban reads nothing but what
 *     others did;
 *   - a generation not one on from the last seen, or a receive that fails
 *     with ENOBUFS (the kernel dropped what did not fit), means the stream
 *     has a hole: nothing before the next generation seen is vouched for.
 * A watch is one cache's dependency: a table, and optionally the chains
 * whose rules it holds.  Another's change to it - anything in the table but
 * set elements (no cache here holds any), and for a watch with chains only
 * rules and chains of those - marks the watch dirty at that commit's
 * generation.  That is all a cache needs to know; correctness still rests
 * on the stamp: a batch is stamped with the generation the stream says is
 * current, and the kernel refuses it when a commit came after.
 */
#ifndef NFNL_WATCH_H
#define NFNL_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#define NFT_WATCH_MAX 4                 /* per instance: a cache per family, two jails */
#define NFT_WATCH_CHAINS 3
#define NFT_WATCH_NAME 64

struct nft_watch {
	bool on;                        /* described: table (and chains) set */
	uint8_t family;                 /* NFPROTO_* of the table */
	char table[NFT_WATCH_NAME];
	char chains[NFT_WATCH_CHAINS][NFT_WATCH_NAME];   /* "": unused; all "": the whole table */
	uint32_t dirty;                 /* generation of another's last change to it; 0: none */
	bool pending;                   /* changed by the commit whose NEWGEN is still to come */
};

struct nft_mon {
	int fd;                         /* -1: no monitor (then nothing is vouched for) */
	bool tried;                     /* nft_mon_open was called */
	uint32_t gen;                   /* the last generation notified; 0: none since a hole */
	uint32_t from;                  /* the stream is whole for every commit after this one */
	uint32_t own;                   /* the port id whose notifications the kernel drops; 0: none */
	struct nft_watch *w[NFT_WATCH_MAX];
	unsigned n;
	char *buf;
};

/* A notification datagram is read whole up to this (the kernel's skbs: a page, 8 KiB at most). */
#define NFT_MON_SLOT 8192

/* The generation a commit after gen makes: one on, 0 skipped (the kernel's base_seq). */
static inline uint32_t nft_gen_next(uint32_t gen)
{
	return gen + 1 ? gen + 1 : 1;
}

/* No monitor yet, no watch: what a new instance's socket starts with. */
void nft_mon_init(struct nft_mon *m);
/* Open and subscribe; 0 or -errno (m->fd stays -1: the instance works without).  Watches stay. */
int nft_mon_open(struct nft_mon *m);
/* Make fd, a datagram socket that receives notifications, m's (nft_mon_open's last step). */
int nft_mon_attach(struct nft_mon *m, int fd);
void nft_mon_close(struct nft_mon *m);

/*
 * Have the kernel drop, on m's socket, the notifications of the commits
 * sent from port id `self` (a classic BPF filter on the first message's
 * nlmsg_pid), and every datagram of nothing but set elements (another
 * writer's ban or unban: up to 8 messages walked).  Best effort: without
 * it they are read and skipped.
 */
void nft_mon_filter(struct nft_mon *m, uint32_t self);
/*
 * A commit from that port id, stamped with generation `stamp`, was applied:
 * it made the generation after it.  When the stream was at stamp, or had
 * seen no generation yet, it is at that one now (and whole from it); else
 * the next NEWGEN seen is not one on, a hole, as it would be.
 */
void nft_mon_committed(struct nft_mon *m, uint32_t stamp);

/* Make w one of m's watches (w lives as long as m); false when m has no room. */
bool nft_mon_add(struct nft_mon *m, struct nft_watch *w);

/*
 * Describe w: the table, and up to NFT_WATCH_CHAINS chains (NULL-ended
 * list, or NULL: the whole table); what it saw changed so far stays
 * (forgetting a change half-read would vouch for it).  A name too long
 * leaves w off (never vouched for).
 */
void nft_watch_set(struct nft_watch *w, uint8_t family, const char *table,
		   const char *const chains[]);

/*
 * Read every notification queued, then: the generation the ruleset is at,
 * if the stream vouches that nobody but `self` (a port id) changed what w
 * (one of m's watches: no other is vouched for) watches since generation
 * `since` (a generation the caller's cache is of); else 0.
 */
uint32_t nft_mon_unchanged(struct nft_mon *m, uint32_t self, const struct nft_watch *w,
			   uint32_t since);

#pragma GCC visibility pop

#endif /* NFNL_WATCH_H */
