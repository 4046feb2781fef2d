// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sock.c - the instance's netlink socket and request/answer exchanges.
 *
 * The kernel handles a netlink message in the sender's sendmsg() call, so
 * by the time a send returns every answer is queued on our socket; the
 * receive timeout only guards against a kernel that never answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

#include "sock.h"

#define NFT_RECV_BUF 65536      /* a dump skb is at most 32 KiB */
#define NFT_RECV_TIMEOUT 10     /* seconds */

int nft_sock_open(struct nft_sock *s)
{
	struct timeval tv = { .tv_sec = NFT_RECV_TIMEOUT };
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	nft_mon_init(&s->mon);
	s->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!s->nl)
		return -(errno ? errno : EPROTONOSUPPORT);
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	s->portid = mnl_socket_get_portid(s->nl);
	/* Errors echo only the failed message's header, not the whole request. */
	mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		goto fail;
	s->bufsz = NFT_RECV_BUF;
	s->buf = malloc(s->bufsz);
	if (!s->buf) {
		errno = ENOMEM;
		goto fail;
	}
	s->quiet = true;                /* (it is in no multicast group: only answers come) */
	return 0;
fail:
	err = errno ? errno : EIO;
	mnl_socket_close(s->nl);
	s->nl = NULL;
	return -err;
}

/* Below this, the kernel's default buffers hold it all. */
#define NFT_ROOM_DEFAULT (96 * 1024)
/* What one answer takes of the receive buffer: an ack's skb (its truesize, about 768
 * bytes) and a share of an echo's (rules echoed several to a page-sized skb). */
#define NFT_ROOM_PER_ANSWER 1536

/* SO_*BUFFORCE (CAP_NET_ADMIN, which nf_tables asks for anyway) passes net.core.*mem_max. */
static int grow(struct nft_sock *s, int force, int plain, int *have, size_t want)
{
	int fd = mnl_socket_get_fd(s->nl), v;

	if (want <= NFT_ROOM_DEFAULT || want <= (size_t)*have)
		return 0;
	v = want > (size_t)(64 << 20) ? 64 << 20 : (int)want;
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v)) < 0)
		return -errno;
	*have = v;
	return 0;
}

int nft_sock_room(struct nft_sock *s, size_t len, unsigned n)
{
	int rc = grow(s, SO_RCVBUFFORCE, SO_RCVBUF, &s->rcvbuf, (size_t)n * NFT_ROOM_PER_ANSWER);

	return grow(s, SO_SNDBUFFORCE, SO_SNDBUF, &s->sndbuf, len + 4096) ?: rc;
}

void nft_sock_close(struct nft_sock *s)
{
	nft_lock_close(&s->lock);
	if (s->nl)
		mnl_socket_close(s->nl);
	nft_mon_close(&s->mon);
	free(s->buf);
	free(s->spare.buf);
	free(s->spare.msgs);
	memset(s, 0, sizeof(*s));
}

uint32_t nft_sock_next_seq(struct nft_sock *s)
{
	if (++s->seq == 0)   /* 0 means "no sequence number" to netlink */
		s->seq = 1;
	return s->seq;
}

void nft_sock_drain(struct nft_sock *s)
{
	if (s->quiet)
		return;
	while (recv(mnl_socket_get_fd(s->nl), s->buf, s->bufsz, MSG_DONTWAIT) > 0)
		;
}

/* Every message in the datagram must be an answer to us, to sequence number seq. */
static int origin_ok(const struct nft_sock *s, const void *buf, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)len;

	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_pid != s->portid || nlh->nlmsg_seq != seq)
			return -EPROTO;
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return left == 0 ? 0 : -EPROTO;
}

int nft_sock_query(struct nft_sock *s, const struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	uint32_t seq = req->nlmsg_seq;

	/* What an interrupted dump (NLM_F_DUMP_INTR: EINTR) left behind. */
	nft_sock_drain(s);
	s->quiet = false;
	if (mnl_socket_sendto(s->nl, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(s->nl), s->buf, s->bufsz, 0);
		int rc;

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		if (n == 0)
			return -EPROTO;
		rc = origin_ok(s, s->buf, (size_t)n, seq);
		if (rc < 0)
			return rc;
		errno = 0;
		rc = mnl_cb_run(s->buf, (size_t)n, seq, s->portid, cb, data);
		if (rc < 0)
			return -(errno ? errno : EPROTO);
		if (rc == MNL_CB_STOP) {
			/* The last answer (NLMSG_DONE, the ack, or cb's own stop at a lone
			 * answer): nothing of this request is left to read. */
			s->quiet = true;
			return 0;
		}
	}
}
