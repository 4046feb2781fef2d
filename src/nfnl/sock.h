// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sock.h - nfban's nf_tables layer, its netlink side: one socket per plugin
 * instance (the nftables plugin's, the iptables plugins' nf_tables backend),
 * kept open across operations, and requests and dumps with every answer
 * checked.  Batches: batch.h; queries: query.h; the transaction runner: txn.h.
 */
#ifndef NFNL_SOCK_H
#define NFNL_SOCK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

#include "lock.h"
#include "nfban_plugin.h"
#include "watch.h"

#pragma GCC visibility push(hidden)

struct nft_batch_msg;

/* A finished batch's memory, zeroed, kept for the next one (batch.c). */
struct nft_batch_mem {
	char *buf;
	size_t cap;
	struct nft_batch_msg *msgs;
	unsigned cap_msgs;
};

struct nft_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;                   /* last sequence number used */
	char *buf;                      /* receive buffer */
	size_t bufsz;
	bool quiet;                     /* the last exchange's answers all read: nothing queued */
	/*
	 * Set by the transaction runner (txn.h): the generation read by the
	 * current try, and after an operation the generation the kernel is at
	 * with what that operation read and changed, or 0 when unknown (an
	 * unstamped commit, a failure); messages sent by the last commit.
	 */
	uint32_t gen_read, gen;
	uint32_t last;                  /* gen as the previous operation left it */
	unsigned sent;
	/* What others changed (watch.h): the caches' proof of nothing, opened on first use (txn.c). */
	struct nft_mon mon;
	/* The namespace's writer lock (lock.h), mapped on first use. */
	struct nft_lock lock;
	/*
	 * Set by a plugin for an operation that must not wait (NFBAN_RUN_NOWAIT):
	 * the lock is tried once, and a runner that would wait - for the lock
	 * (would_wait set), before a retry - returns NFBAN_WOULD_WAIT instead.
	 */
	bool nowait, would_wait;
	/* The socket's buffers as nft_sock_room() last made them (0: the kernel's default). */
	int rcvbuf, sndbuf;
	/* Kept, so that an operation neither allocates nor clears 144 KiB for its batch. */
	struct nft_batch_mem spare;
};

/* 0, or -errno (socket(): EPROTONOSUPPORT when the kernel has no nfnetlink). */
int nft_sock_open(struct nft_sock *s);
void nft_sock_close(struct nft_sock *s);
uint32_t nft_sock_next_seq(struct nft_sock *s);
/*
 * Room on the socket for a batch of len bytes whose commit answers n messages:
 * the kernel queues every answer (an ack each, the echoes) before the send
 * returns, and drops what overflows the receive buffer (ENOBUFS), so a large
 * batch needs more than the default (net.core.rmem_default, 208 KiB: about
 * 130 acks and echoes of rules).  Raised, never lowered; nothing for small
 * batches.  0, or -errno (the batch may then lose answers).
 */
int nft_sock_room(struct nft_sock *s, size_t len, unsigned n);
/* Throw away anything left unread by an earlier, failed exchange (nothing to do when quiet). */
void nft_sock_drain(struct nft_sock *s);
/*
 * Send one request (req->nlmsg_seq from nft_sock_next_seq) and hand every
 * data message of the answer to cb, until NLMSG_DONE, the ack, or cb's
 * MNL_CB_STOP (a request without NLM_F_ACK whose one answer it read).  Every
 * answer must carry our port id and the request's sequence number.
 * Returns 0, or -errno: the kernel's error, or the socket's.
 */
int nft_sock_query(struct nft_sock *s, const struct nlmsghdr *req, mnl_cb_t cb, void *data);

/*
 * Which kernel answers mean "nf_tables, or a part of it, is missing here"
 * (NFBAN_NOFEATURE, on which libnfban falls back) rather than an error.
 * `type` is the nlmsg_type the kernel refused: NFT_WHERE(NFT_MSG_*),
 * NFNL_MSG_BATCH_BEGIN, or NFT_WHERE_SOCKET for socket() itself.
 */
#define NFT_WHERE(msg) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (msg)))
#define NFT_WHERE_SOCKET 0xffffu
enum nfban_status nft_errno_status(uint16_t type, int err);

#pragma GCC visibility pop

#endif /* NFNL_SOCK_H */
