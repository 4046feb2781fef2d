// SPDX-License-Identifier: GPL-2.0-or-later
/* watch.c - see watch.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/filter.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "watch.h"

#define MON_SLOT NFT_MON_SLOT
#define MON_SLOTS 8
#define MON_BUF (MON_SLOT * MON_SLOTS)

void nft_mon_init(struct nft_mon *m)
{
	memset(m, 0, sizeof(*m));
	m->fd = -1;
}

int nft_mon_attach(struct nft_mon *m, int fd)
{
	m->gen = m->from = m->own = 0;
	m->buf = malloc(MON_BUF);
	if (!m->buf) {
		close(fd);
		m->fd = -1;
		return -ENOMEM;
	}
	m->fd = fd;
	return 0;
}

int nft_mon_open(struct nft_mon *m)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (NFNLGRP_NFTABLES - 1) };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER), err;

	m->tried = true;
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	return nft_mon_attach(m, fd);
}

void nft_mon_close(struct nft_mon *m)
{
	if (m->fd >= 0)
		close(m->fd);
	free(m->buf);
	nft_mon_init(m);
}

void nft_mon_drop_own(struct nft_mon *m, uint32_t self)
{
	/* BPF's absolute loads read big-endian: nlmsg_pid (host order) is compared as such. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_pid)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(self), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),                   /* ours: dropped */
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),          /* others': whole */
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (m->fd >= 0 && self &&
	    setsockopt(m->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0)
		m->own = self;
}

void nft_mon_committed(struct nft_mon *m, uint32_t stamp)
{
	uint32_t made = nft_gen_next(stamp);

	if (!m->own)
		return;         /* (unfiltered, our own NEWGEN comes, and says the same) */
	if (m->gen && m->gen == stamp) {
		m->gen = made;
		return;
	}
	/*
	 * No generation seen yet (or none since a hole): the socket was open
	 * before the stamp was checked, and the kernel's acceptance says nobody
	 * committed after stamp, so every commit after ours will be queued: the
	 * stream is whole from ours on.  (Older notifications still queued, of
	 * an operation that did not read them first, make the next NEWGEN seen
	 * not one on: a hole again, as it should be.)
	 */
	if (!m->gen && !m->from) {
		m->gen = made;
		m->from = made;
	}
}

bool nft_mon_add(struct nft_mon *m, struct nft_watch *w)
{
	if (m->n == NFT_WATCH_MAX)
		return false;
	m->w[m->n++] = w;
	return true;
}

static bool copy(char *dst, const char *src)
{
	return snprintf(dst, NFT_WATCH_NAME, "%s", src) < NFT_WATCH_NAME;
}

void nft_watch_set(struct nft_watch *w, uint8_t family, const char *table,
		   const char *const chains[])
{
	/* Its dirt stays: a change seen for the old description is one for the new. */
	memset(w->chains, 0, sizeof(w->chains));
	w->family = family;
	w->on = copy(w->table, table);
	for (unsigned i = 0; w->on && chains && chains[i]; i++)
		w->on = i < NFT_WATCH_CHAINS && copy(w->chains[i], chains[i]);
}

/* A later generation than b (generations wrap). */
static bool after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* The stream has a hole: nothing is vouched for before the next NEWGEN. */
static void hole(struct nft_mon *m)
{
	m->gen = 0;
	m->from = 0;
	for (unsigned i = 0; i < m->n; i++)
		m->w[i]->pending = false;
}

struct what {
	uint16_t type;                  /* NFT_MSG_* */
	uint8_t family;
	const char *table, *chain;
	uint32_t gen;                   /* NEWGEN */
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct what *x = data;
	uint16_t t = mnl_attr_get_type(a);

	if (x->type == NFT_MSG_NEWGEN) {
		if (t == NFTA_GEN_ID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			x->gen = ntohl(mnl_attr_get_u32(a));
		return MNL_CB_OK;
	}
	/* Every object's table is its attribute 1 (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE,
	 * NFTA_RULE_TABLE, NFTA_SET_TABLE, ...); a rule's chain is NFTA_RULE_CHAIN,
	 * a chain's name NFTA_CHAIN_NAME. */
	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	if (t == 1)
		x->table = mnl_attr_get_str(a);
	else if ((x->type == NFT_MSG_NEWRULE || x->type == NFT_MSG_DELRULE) && t == NFTA_RULE_CHAIN)
		x->chain = mnl_attr_get_str(a);
	else if ((x->type == NFT_MSG_NEWCHAIN || x->type == NFT_MSG_DELCHAIN) && t == NFTA_CHAIN_NAME)
		x->chain = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

static bool touches(const struct nft_watch *w, const struct what *x)
{
	bool rule_or_chain = x->type == NFT_MSG_NEWRULE || x->type == NFT_MSG_DELRULE ||
			     x->type == NFT_MSG_NEWCHAIN || x->type == NFT_MSG_DELCHAIN;

	if (x->type == NFT_MSG_NEWSETELEM || x->type == NFT_MSG_DELSETELEM)
		return false;
	if (!x->table)
		return true;            /* not understood: assume the worst */
	if (x->family != w->family || strcmp(x->table, w->table) != 0)
		return false;
	if (!w->chains[0][0] || !rule_or_chain)
		return true;
	if (!x->chain)
		return true;
	for (unsigned i = 0; i < NFT_WATCH_CHAINS && w->chains[i][0]; i++)
		if (strcmp(x->chain, w->chains[i]) == 0)
			return true;
	return false;
}

static void take(struct nft_mon *m, uint32_t self, const struct nlmsghdr *nlh)
{
	struct what x = { .type = NFNL_MSG_TYPE(nlh->nlmsg_type) };

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)))
		return;
	x.family = ((const struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &x);
	if (x.type == NFT_MSG_NEWGEN) {
		if (!x.gen) {
			hole(m);
			return;
		}
		/* One on from the last: whole; else (or the first seen) whole from here on. */
		if (!m->gen || x.gen != nft_gen_next(m->gen))
			m->from = x.gen;
		for (unsigned i = 0; i < m->n; i++)
			if (m->w[i]->pending) {
				m->w[i]->dirty = x.gen;
				m->w[i]->pending = false;
			}
		m->gen = x.gen;
		return;
	}
	if (nlh->nlmsg_pid == self)
		return;
	for (unsigned i = 0; i < m->n; i++)
		if (m->w[i]->on && touches(m->w[i], &x))
			m->w[i]->pending = true;
}

/*
 * Every queued notification, MON_SLOTS datagrams per recvmmsg: another
 * writer's commit (its objects, its generation) comes in one call, and with
 * our own dropped by the kernel (nft_mon_drop_own) a host that is the only
 * writer finds the queue empty.  A datagram cut short (MSG_TRUNC) is a hole
 * like a dropped one.
 */
static void drain(struct nft_mon *m, uint32_t self)
{
	struct mmsghdr mm[MON_SLOTS];
	struct iovec iov[MON_SLOTS];
	int got;

	do {
		memset(mm, 0, sizeof(mm));
		for (unsigned i = 0; i < MON_SLOTS; i++) {
			iov[i].iov_base = m->buf + i * MON_SLOT;
			iov[i].iov_len = MON_SLOT;
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		got = recvmmsg(m->fd, mm, MON_SLOTS, MSG_DONTWAIT, NULL);
		if (got < 0 && errno == ENOBUFS) {
			hole(m);
			got = MON_SLOTS;        /* and read on */
			continue;
		}
		for (int i = 0; i < got; i++) {
			const struct nlmsghdr *nlh = iov[i].iov_base;
			int left = (int)mm[i].msg_len;

			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC) {
				hole(m);
				continue;
			}
			for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
				take(m, self, nlh);
		}
	} while (got == MON_SLOTS);     /* fewer: the queue is empty (EAGAIN: -1) */
}

/* Only a watch of m's has seen the changes. */
static bool is_mine(const struct nft_mon *m, const struct nft_watch *w)
{
	for (unsigned i = 0; i < m->n; i++)
		if (m->w[i] == w)
			return true;
	return false;
}

uint32_t nft_mon_unchanged(struct nft_mon *m, uint32_t self, const struct nft_watch *w,
			   uint32_t since)
{
	if (m->fd < 0 || !w->on || !since || !is_mine(m, w))
		return 0;
	drain(m, self);
	if (!m->gen || !m->from || w->pending)
		return 0;
	/* since must be one the stream covers: from or later, and not beyond what it saw. */
	if (after(m->from, since) || after(since, m->gen))
		return 0;
	if (w->dirty && after(w->dirty, since))
		return 0;
	return m->gen;
}
