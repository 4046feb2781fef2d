// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * batch.c - one nf_tables transaction: NFNL_MSG_BATCH_BEGIN, the messages,
 * NFNL_MSG_BATCH_END, sent in one sendmsg().  The kernel applies all of it
 * or none.  Every message asks for an ack (NLM_F_ACK), and every ack is
 * read and matched to its message by sequence number, so the first failing
 * message names what failed.
 *
 * What the kernel sends back (net/netfilter/nfnetlink.c):
 *   - per message: one NLMSG_ERROR (0 or -errno), delivered after the
 *     whole batch was processed (it does not stop at the first error);
 *   - refused before any message was looked at (no CAP_NET_ADMIN, no
 *     nf_tables subsystem, the generation moved on, out of memory): one
 *     NLMSG_ERROR pointing at the batch begin, and nothing else;
 *   - the commit itself failed: one NLMSG_ERROR at the batch begin, then
 *     the per-message acks.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "batch.h"
#include "report.h"

/*
 * Room kept free for the next message.  The largest message nfban builds is
 * an anonymous interval set of VALUE_MAX_PORTS ranges: 2049 elements of 16
 * to 28 bytes, under 48 KiB (its element list is one netlink attribute: at
 * most 64 KiB); a rule is under 1 KiB.
 */
#define NFT_MSG_ROOM (72 * 1024)

static int reserve(struct nft_batch *b, size_t room)
{
	if (b->cap - b->len < room) {
		size_t cap = b->cap ? b->cap : 2 * NFT_MSG_ROOM;
		char *nb;

		while (cap - b->len < room)
			cap *= 2;
		/* Zeroed: libmnl does not clear attribute padding.  The first one by calloc:
		 * fresh pages from the kernel, faulted in only where a message lands. */
		nb = b->buf ? realloc(b->buf, cap) : calloc(1, cap);
		if (!nb)
			return -ENOMEM;
		if (b->buf)
			memset(nb + b->cap, 0, cap - b->cap);
		b->buf = nb;
		b->cap = cap;
	}
	if (b->n == b->cap_msgs) {
		unsigned cap = b->cap_msgs ? 2 * b->cap_msgs : 16;
		struct nft_batch_msg *nm = realloc(b->msgs, cap * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		b->msgs = nm;
		b->cap_msgs = cap;
	}
	return 0;
}

/* Fold the open message's extent into b->dirty (the bytes nft_batch_free clears). */
static void written(struct nft_batch *b)
{
	size_t end;

	if (!b->open)
		return;
	end = (size_t)((char *)b->open - b->buf) + MNL_ALIGN(b->open->nlmsg_len);
	if (end > b->dirty)
		b->dirty = end;
	b->open = NULL;
}

static struct nft_batch_msg *note(struct nft_batch *b, uint32_t seq, uint16_t type)
{
	struct nft_batch_msg *m = &b->msgs[b->n++];

	memset(m, 0, sizeof(*m));
	m->seq = seq;
	m->type = type;
	return m;
}

int nft_batch_begin(struct nft_batch *b, struct nft_sock *s, uint32_t genid)
{
	struct nlmsghdr *nlh;
	struct nft_batch_msg *m;

	memset(b, 0, sizeof(*b));
	b->s = s;
	if (s->spare.buf) {
		b->buf = s->spare.buf;
		b->cap = s->spare.cap;
		b->msgs = s->spare.msgs;
		b->cap_msgs = s->spare.cap_msgs;
		memset(&s->spare, 0, sizeof(s->spare));
	}
	if (reserve(b, NFT_MSG_ROOM) < 0)
		return -ENOMEM;
	nlh = nftnl_batch_begin(b->buf, nft_sock_next_seq(s));
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	m = note(b, nlh->nlmsg_seq, NFNL_MSG_BATCH_BEGIN);
	snprintf(m->what, sizeof(m->what), "nf_tables batch");
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	return 0;
}

/* Room, header and note of the next message; NULL: out of memory. */
static struct nlmsghdr *open_msg(struct nft_batch *b, struct nft_sock *s, uint16_t type,
				 uint16_t family, uint16_t flags, struct nft_batch_msg **m)
{
	struct nlmsghdr *nlh;

	written(b);     /* a message never done: its bytes are cleared by nft_batch_free */
	if (reserve(b, NFT_MSG_ROOM) < 0)
		return NULL;
	nlh = nftnl_nlmsg_build_hdr(b->buf + b->len, type, family, flags | NLM_F_ACK,
				    nft_sock_next_seq(s));
	*m = note(b, nlh->nlmsg_seq, nlh->nlmsg_type);
	(*m)->echo = flags & NLM_F_ECHO;
	b->open = nlh;
	return nlh;
}

__attribute__((format(printf, 6, 0)))
static struct nlmsghdr *vadd(struct nft_batch *b, struct nft_sock *s, uint16_t type,
			     uint16_t family, uint16_t flags, const char *fmt, va_list ap)
{
	struct nft_batch_msg *m;
	struct nlmsghdr *nlh = open_msg(b, s, type, family, flags, &m);

	if (nlh)
		vsnprintf(m->what, sizeof(m->what), fmt, ap);
	return nlh;
}

struct nlmsghdr *nft_batch_add(struct nft_batch *b, struct nft_sock *s, uint16_t type,
			       uint16_t family, uint16_t flags, const char *fmt, ...)
{
	struct nlmsghdr *nlh;
	va_list ap;

	va_start(ap, fmt);
	nlh = vadd(b, s, type, family, flags, fmt, ap);
	va_end(ap);
	return nlh;
}

struct nlmsghdr *nft_batch_add_text(struct nft_batch *b, struct nft_sock *s, uint16_t type,
				    uint16_t family, uint16_t flags, const char *what)
{
	struct nft_batch_msg *m;
	struct nlmsghdr *nlh = open_msg(b, s, type, family, flags, &m);
	size_t n = strnlen(what, sizeof(m->what) - 1);

	if (nlh) {
		memcpy(m->what, what, n);
		m->what[n] = '\0';
	}
	return nlh;
}

int nft_batch_add_done(struct nft_batch *b, struct nlmsghdr *nlh)
{
	if ((char *)nlh != b->buf + b->len || nlh->nlmsg_len > NFT_MSG_ROOM)
		return -EMSGSIZE;
	b->len += MNL_ALIGN(nlh->nlmsg_len);
	b->open = NULL;
	return 0;
}

/* The typed helpers: one object's payload between nft_batch_add and _done. */
enum obj { OBJ_TABLE, OBJ_CHAIN, OBJ_RULE, OBJ_SET, OBJ_ELEMS };

__attribute__((format(printf, 8, 0)))
static int put(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,
	       uint16_t flags, enum obj kind, const void *o, const char *fmt, va_list ap)
{
	struct nlmsghdr *nlh = vadd(b, s, type, family, flags, fmt, ap);

	if (!nlh)
		return -ENOMEM;
	switch (kind) {
	case OBJ_TABLE:
		nftnl_table_nlmsg_build_payload(nlh, o);
		break;
	case OBJ_CHAIN:
		nftnl_chain_nlmsg_build_payload(nlh, o);
		break;
	case OBJ_RULE:
		nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)o);
		break;
	case OBJ_SET:
		nftnl_set_nlmsg_build_payload(nlh, (struct nftnl_set *)o);
		break;
	case OBJ_ELEMS:
		nftnl_set_elems_nlmsg_build_payload(nlh, (struct nftnl_set *)o);
		break;
	}
	return nft_batch_add_done(b, nlh);
}

#define PUT(name, ctype, kind)                                                                   \
	int name(struct nft_batch *b, struct nft_sock *s, uint16_t type, uint16_t family,        \
		 uint16_t flags, const ctype *o, const char *fmt, ...)                           \
	{                                                                                        \
		va_list ap;                                                                      \
		int rc;                                                                          \
		va_start(ap, fmt);                                                               \
		rc = put(b, s, type, family, flags, kind, o, fmt, ap);                           \
		va_end(ap);                                                                      \
		return rc;                                                                       \
	}
PUT(nft_batch_table, struct nftnl_table, OBJ_TABLE)
PUT(nft_batch_chain, struct nftnl_chain, OBJ_CHAIN)
PUT(nft_batch_rule, struct nftnl_rule, OBJ_RULE)
PUT(nft_batch_set, struct nftnl_set, OBJ_SET)
PUT(nft_batch_elems, struct nftnl_set, OBJ_ELEMS)

unsigned nft_batch_count(const struct nft_batch *b)
{
	return b->n ? b->n - 1 : 0;
}

void nft_batch_free(struct nft_batch *b)
{
	size_t dirty;

	written(b);
	dirty = b->len > b->dirty ? b->len : b->dirty;
	if (b->s && !b->s->spare.buf && b->buf) {
		/* The spare is all zeros, as reserve() leaves what it grows. */
		memset(b->buf, 0, dirty < b->cap ? dirty : b->cap);
		b->s->spare = (struct nft_batch_mem){ b->buf, b->cap, b->msgs, b->cap_msgs };
	} else {
		free(b->buf);
		free(b->msgs);
	}
	memset(b, 0, sizeof(*b));
}

enum nfban_status nft_errno_status(uint16_t type, int err)
{
	switch (type) {
	case NFT_WHERE_SOCKET:
		/* socket(AF_NETLINK, NETLINK_NETFILTER): no nfnetlink at all. */
		return err == EPROTONOSUPPORT || err == EAFNOSUPPORT ? NFBAN_NOFEATURE : NFBAN_ERROR;
	case NFNL_MSG_BATCH_BEGIN:
		/* nfnetlink found no nf_tables subsystem, even after trying to load
		 * the module (nfnetlink_rcv_batch). */
		return err == EOPNOTSUPP ? NFBAN_NOFEATURE : NFBAN_ERROR;
	case NFT_WHERE(NFT_MSG_GETGEN):
		/* A request to a subsystem that is not there: EINVAL from
		 * nfnetlink_rcv_msg (GETGEN has no attribute to be invalid). */
		return err == EINVAL || err == EOPNOTSUPP ? NFBAN_NOFEATURE : NFBAN_ERROR;
	case NFT_WHERE(NFT_MSG_NEWTABLE):
		/* Older kernels: the table family (e.g. inet) is not built. */
		return err == EAFNOSUPPORT ? NFBAN_NOFEATURE : NFBAN_ERROR;
	case NFT_WHERE(NFT_MSG_NEWCHAIN):
		/* The table is created in the same batch, so ENOENT can only be the
		 * chain type (filter/nat/route for this family) the kernel could not
		 * find or load (nf_tables_chain_type_lookup). */
		return err == ENOENT || err == EAFNOSUPPORT ? NFBAN_NOFEATURE : NFBAN_ERROR;
	case NFT_WHERE(NFT_MSG_NEWRULE):
		/* Chain and sets are created in the same batch, so ENOENT is an
		 * expression type (reject, lookup...) the kernel could not load
		 * (nft_expr_type_get after request_module). */
		return err == ENOENT || err == EAFNOSUPPORT ? NFBAN_NOFEATURE : NFBAN_ERROR;
	default:
		/* ENOENT on elements, sets or deletions means a missing object, EPERM
		 * a missing capability, EEXIST/EBUSY a conflicting ruleset: errors. */
		return NFBAN_ERROR;
	}
}

static enum nfban_status fail(struct nfban_report *r, const struct nft_batch_msg *m, int err)
{
	return report_fail(r, nft_errno_status(m->type, err), err, "%s", m->what);
}

static enum nfban_status io_fail(struct nfban_report *r, int err, const char *what)
{
	return report_fail(r, NFBAN_ERROR, err, "%s", what);
}

/* Record the answers in one datagram; -EPROTO if one is not ours or unexpected. */
static int take_answers(struct nft_batch *b, const struct nft_sock *s, size_t len,
			unsigned *answered)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)s->buf;
	int left = (int)len;

	while (mnl_nlmsg_ok(nlh, left)) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		unsigned i = 0;

		while (i < b->n && b->msgs[i].seq != nlh->nlmsg_seq)
			i++;
		/* The echo of an object created (before the acks: the commit sends it). */
		if (nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_pid == s->portid && i < b->n &&
		    b->msgs[i].echo && b->echo) {
			b->echo(nlh, b->echo_data);
			nlh = mnl_nlmsg_next(nlh, &left);
			continue;
		}
		if (nlh->nlmsg_pid != s->portid || nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)) || i >= b->n ||
		    b->msgs[i].answered)
			return -EPROTO;
		b->msgs[i].answered = true;
		b->msgs[i].err = -e->error;
		if (i > 0)
			(*answered)++;
		else if (e->error == 0)
			return -EPROTO;   /* the batch begin carries no NLM_F_ACK */
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return left == 0 ? 0 : -EPROTO;
}

enum nfban_status nft_batch_commit(struct nft_batch *b, struct nft_sock *s, struct nfban_report *r,
				   bool *restart)
{
	unsigned expect = b->n - 1, answered = 0;
	uint32_t end_seq;
	int fd = mnl_socket_get_fd(s->nl);

	*restart = false;
	if (b->n == 0 || reserve(b, NFT_MSG_ROOM) < 0)
		return io_fail(r, ENOMEM, "building the nf_tables batch");
	end_seq = nft_sock_next_seq(s);
	b->len += MNL_ALIGN(nftnl_batch_end(b->buf + b->len, end_seq)->nlmsg_len);
	nft_sock_drain(s);
	nft_sock_room(s, b->len, b->n);     /* failing, a large batch may lose answers: said then */
	s->quiet = false;
	if (mnl_socket_sendto(s->nl, b->buf, b->len) < 0)
		return io_fail(r, errno, "sending the nf_tables batch");
	while (answered < expect) {
		/* Once the batch begin was refused, only what is queued is left. */
		ssize_t n = recv(fd, s->buf, s->bufsz, b->msgs[0].answered ? MSG_DONTWAIT : 0);

		if (n < 0 && b->msgs[0].answered && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return io_fail(r, errno == EAGAIN ? ETIMEDOUT : errno,
				       "reading the kernel's answers to the nf_tables batch");
		if (take_answers(b, s, (size_t)n, &answered) < 0)
			return io_fail(r, EPROTO, "unexpected answer to the nf_tables batch");
	}
	/* Every answer read (the acks come last), or, after a refusal, all that was queued. */
	s->quiet = true;
	for (unsigned i = 1; i < b->n; i++)
		if (b->msgs[i].answered && b->msgs[i].err)
			return fail(r, &b->msgs[i], b->msgs[i].err);
	if (b->msgs[0].answered) {
		*restart = b->msgs[0].err == ERESTART;
		return fail(r, &b->msgs[0], b->msgs[0].err);
	}
	return NFBAN_OK;
}
