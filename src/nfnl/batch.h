// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * batch.h - one nf_tables transaction: a batch of messages sent at once,
 * every ack read and matched to its message, with typed helpers that put
 * one libnftnl object into the batch with the words a failure names it by.
 */
#ifndef NFNL_BATCH_H
#define NFNL_BATCH_H

#include "sock.h"

struct nftnl_table;
struct nftnl_chain;
struct nftnl_rule;
struct nftnl_set;

#pragma GCC visibility push(hidden)

struct nft_batch_msg {
	uint32_t seq;
	uint16_t type;                  /* nlmsg_type: NFT_WHERE(NFT_MSG_*), NFNL_MSG_BATCH_BEGIN */
	int err;                        /* the kernel's answer: 0 or an errno */
	bool answered;
	bool echo;                      /* sent with NLM_F_ECHO: its echo goes to b->echo */
	char what[NFBAN_MSG_MAX];       /* "add rule to inet f2b-table f2b-chain" */
};

/* What the kernel echoes of a message sent with NLM_F_ECHO (the object as created). */
typedef void (*nft_batch_echo_fn)(const struct nlmsghdr *nlh, void *data);

struct nft_batch {
	struct nft_sock *s;             /* whose spare memory it took, and gives back */
	char *buf;
	size_t len, cap;
	unsigned n, cap_msgs;           /* msgs[0] is the batch begin */
	struct nft_batch_msg *msgs;
	nft_batch_echo_fn echo;         /* NULL: no message asks for an echo */
	void *echo_data;
	struct nlmsghdr *open;          /* added, not yet done: written up to its nlmsg_len */
	size_t dirty;                   /* and messages never done before it, up to here */
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
/* The same, named by a text made beforehand (a long-lived host's ban: no formatting per call). */
struct nlmsghdr *nft_batch_add_text(struct nft_batch *b, struct nft_sock *s, uint16_t type,
				    uint16_t family, uint16_t flags, const char *what);
int nft_batch_add_done(struct nft_batch *b, struct nlmsghdr *nlh);
/* Messages in the batch besides begin and end. */
unsigned nft_batch_count(const struct nft_batch *b);
/* Its memory back to the socket's spare (cleared where it was written), or freed. */
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
 * Typed helpers: one message carrying object o (nft_batch_add, the object's
 * payload, nft_batch_add_done).  0 or -errno (-ENOMEM, -EMSGSIZE).
 * nft_batch_set puts the set itself (NEWSET, DELSET), nft_batch_elems its
 * elements (NEWSETELEM, DELSETELEM; a set without elements: a flush).
 */
#define NFT_BATCH_FMT __attribute__((format(printf, 7, 8)))
int nft_batch_table(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,
		    uint16_t flags, const struct nftnl_table *o, const char *fmt, ...) NFT_BATCH_FMT;
int nft_batch_chain(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,
		    uint16_t flags, const struct nftnl_chain *o, const char *fmt, ...) NFT_BATCH_FMT;
int nft_batch_rule(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,
		   uint16_t flags, const struct nftnl_rule *o, const char *fmt, ...) NFT_BATCH_FMT;
int nft_batch_set(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,
		  uint16_t flags, const struct nftnl_set *o, const char *fmt, ...) NFT_BATCH_FMT;
int nft_batch_elems(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,
		    uint16_t flags, const struct nftnl_set *o, const char *fmt, ...) NFT_BATCH_FMT;

#pragma GCC visibility pop

#endif /* NFNL_BATCH_H */
