// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sock.h - the netlink side: one socket per plugin instance, requests and
 * dumps with every answer checked, and batches whose every ack is read.
 */
#ifndef NFT_SOCK_H
#define NFT_SOCK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

struct nft_sock {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;                   /* last sequence number used */
	char *buf;                      /* receive buffer */
	size_t bufsz;
};

/* 0, or -errno (socket(): EPROTONOSUPPORT when the kernel has no nfnetlink). */
int nft_sock_open(struct nft_sock *s);
void nft_sock_close(struct nft_sock *s);
uint32_t nft_sock_next_seq(struct nft_sock *s);
/* Throw away anything left unread by an earlier, failed exchange. */
void nft_sock_drain(struct nft_sock *s);
/*
 * Send one request (req->nlmsg_seq from nft_sock_next_seq) and hand every
 * data message of the answer to cb, until NLMSG_DONE or the ack.  Every
 * answer must carry our port id and the request's sequence number.
 * Returns 0, or -errno: the kernel's error, or the socket's.
 */
int nft_sock_query(struct nft_sock *s, const struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* ---- batches ---- */

struct nft_batch_msg {
	uint32_t seq;
	uint16_t type;                  /* nlmsg_type: NFT_WHERE(NFT_MSG_*), NFNL_MSG_BATCH_BEGIN */
	int err;                        /* the kernel's answer: 0 or an errno */
	bool answered;
	char what[NFBAN_MSG_MAX];       /* "add rule to inet f2b-table f2b-chain" */
};

struct nft_batch {
	char *buf;
	size_t len, cap;
	unsigned n, cap_msgs;           /* msgs[0] is the batch begin */
	struct nft_batch_msg *msgs;
};

/* Start a batch; genid != 0 makes the kernel refuse it (ERESTART) if the ruleset changed. */
int nft_batch_begin(struct nft_batch *b, struct nft_sock *s, uint32_t genid);
/*
 * Room for one nf_tables message, its header written (NLM_F_ACK added);
 * the caller builds the payload, then calls nft_batch_add_done().
 * NULL: out of memory.
 */
struct nlmsghdr *nft_batch_add(struct nft_batch *b, struct nft_sock *s, uint16_t type,
			       uint16_t family, uint16_t flags, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
int nft_batch_add_done(struct nft_batch *b, struct nlmsghdr *nlh);
/* Messages in the batch besides begin and end. */
unsigned nft_batch_count(const struct nft_batch *b);
void nft_batch_free(struct nft_batch *b);
/*
 * End, send, and read one answer per message.  NFBAN_OK when the kernel
 * applied the whole batch; otherwise the first failing message's errno and
 * description are in r.  *restart is set (status NFBAN_ERROR) when the
 * kernel refused the batch because the generation moved on: read again and
 * retry.
 */
enum nfban_status nft_batch_commit(struct nft_batch *b, struct nft_sock *s, struct nfban_report *r,
				   bool *restart);

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

#endif /* NFT_SOCK_H */
