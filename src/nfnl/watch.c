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

/*
 * The socket filter (classic BPF, which the kernel runs on each datagram
 * before it is queued; its loads read big-endian, and a load past the
 * datagram's end drops it, so each one is bounds-checked first):
 *   - a datagram whose first message is from port id `self`: dropped (a
 *     commit's notifications are one datagram, its NEWGEN another: see
 *     watch.h);
 *   - one whose messages are all set elements (NEWSETELEM, DELSETELEM):
 *     dropped, as take() would skip them.  That is every other writer's
 *     ban and unban: a datagram for its elements, one for its NEWGEN,
 *     which still comes, so the generations stay whole, and a long-lived
 *     host's ban after another's reads one datagram, not two;
 *   - anything else: queued whole.  So is a datagram of more messages than
 *     the walk looks at (FILTER_WALK: a bulk load's datagrams, a page of
 *     elements each, are read and skipped as before), or whose lengths do
 *     not add up.
 */
#define FILTER_WALK 8
#define FILTER_MAX (6 + FILTER_WALK * 24 + 2)
#define KEEP 0x10000u                   /* jump targets resolved at the end */
#define DROP 0x10001u

struct filter {
	struct sock_filter f[FILTER_MAX];
	unsigned t[FILTER_MAX], e[FILTER_MAX];   /* a jump's targets: instruction indices */
	unsigned n;
};

static void op(struct filter *p, uint16_t code, uint32_t k)
{
	p->f[p->n] = (struct sock_filter)BPF_STMT(code, k);
	p->t[p->n] = p->e[p->n] = 0;
	p->n++;
}

/* A conditional jump to instruction t when true, e when false. */
static void jmp(struct filter *p, uint16_t code, uint32_t k, unsigned t, unsigned e)
{
	p->f[p->n] = (struct sock_filter)BPF_JUMP(code, k, 0, 0);
	p->t[p->n] = t;
	p->e[p->n] = e;
	p->n++;
}

/* The targets as the forward offsets BPF takes (at most 255): false if one does not fit. */
static bool resolve(struct filter *p, unsigned keep, unsigned drop)
{
	for (unsigned i = 0; i < p->n; i++) {
		unsigned t = p->t[i] == KEEP ? keep : p->t[i] == DROP ? drop : p->t[i];
		unsigned e = p->e[i] == KEEP ? keep : p->e[i] == DROP ? drop : p->e[i];

		if (BPF_CLASS(p->f[i].code) != BPF_JMP)
			continue;
		if (t <= i || e <= i || t - i - 1 > 0xff || e - i - 1 > 0xff)
			return false;
		p->f[i].jt = (uint8_t)(t - i - 1);
		p->f[i].jf = (uint8_t)(e - i - 1);
	}
	return true;
}

/* The message at offset X: set elements, X moved past it (and to A) when so; else KEEP. */
static void one_message(struct filter *p)
{
	const uint16_t add = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM;
	const uint16_t del = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELSETELEM;
	unsigned n;

	op(p, BPF_LD | BPF_W | BPF_LEN, 0);
	op(p, BPF_ALU | BPF_SUB | BPF_K, sizeof(struct nlmsghdr));
	jmp(p, BPF_JMP | BPF_JGE | BPF_X, 0, p->n + 1, KEEP);         /* a header at X fits */
	op(p, BPF_LD | BPF_H | BPF_IND, offsetof(struct nlmsghdr, nlmsg_type));
	n = p->n;
	jmp(p, BPF_JMP | BPF_JEQ | BPF_K, ntohs(add), n + 2, n + 1);  /* (a host-order u16 read */
	jmp(p, BPF_JMP | BPF_JEQ | BPF_K, ntohs(del), n + 2, KEEP);   /*  big-endian: ntohs) */
	/* A = nlmsg_len, a host-order u32 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	op(p, BPF_LD | BPF_H | BPF_IND, 2);
	jmp(p, BPF_JMP | BPF_JEQ | BPF_K, 0, p->n + 1, KEEP);         /* under 64 KiB */
	op(p, BPF_LD | BPF_B | BPF_IND, 1);
	op(p, BPF_ALU | BPF_LSH | BPF_K, 8);
	op(p, BPF_ST, 0);
	op(p, BPF_LD | BPF_B | BPF_IND, 0);
	op(p, BPF_LDX | BPF_MEM, 0);
	op(p, BPF_ALU | BPF_ADD | BPF_X, 0);
#else
	op(p, BPF_LD | BPF_W | BPF_IND, 0);
#endif
	jmp(p, BPF_JMP | BPF_JGE | BPF_K, sizeof(struct nlmsghdr), p->n + 1, KEEP);
	op(p, BPF_ALU | BPF_ADD | BPF_K, NLMSG_ALIGNTO - 1);
	op(p, BPF_ALU | BPF_AND | BPF_K, ~(uint32_t)(NLMSG_ALIGNTO - 1));
	op(p, BPF_LDX | BPF_MEM, 1);
	op(p, BPF_ALU | BPF_ADD | BPF_X, 0);
	op(p, BPF_ST, 1);
	op(p, BPF_MISC | BPF_TAX, 0);
}

void nft_mon_filter(struct nft_mon *m, uint32_t self)
{
	struct filter p = { .n = 0 };
	struct sock_fprog prog;
	unsigned keep;

	if (m->fd < 0 || !self)
		return;
	op(&p, BPF_LD | BPF_W | BPF_LEN, 0);
	jmp(&p, BPF_JMP | BPF_JGE | BPF_K, sizeof(struct nlmsghdr), p.n + 1, KEEP);
	op(&p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_pid));
	jmp(&p, BPF_JMP | BPF_JEQ | BPF_K, ntohl(self), DROP, p.n + 1);   /* ours */
	op(&p, BPF_LDX | BPF_IMM, 0);
	op(&p, BPF_STX, 1);                                                /* M[1] = X = 0 */
	for (unsigned i = 0; i < FILTER_WALK; i++) {
		one_message(&p);
		op(&p, BPF_LD | BPF_W | BPF_LEN, 0);
		jmp(&p, BPF_JMP | BPF_JEQ | BPF_X, 0, DROP, p.n + 1);     /* all of it elements */
	}
	keep = p.n;
	op(&p, BPF_RET | BPF_K, 0xffffffff);                               /* queued whole */
	op(&p, BPF_RET | BPF_K, 0);                                        /* dropped */
	if (!resolve(&p, keep, keep + 1))
		return;
	prog = (struct sock_fprog){ .len = (unsigned short)p.n, .filter = p.f };
	if (setsockopt(m->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0)
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
 * our own dropped by the kernel (nft_mon_filter) a host that is the only
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
