// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conntrack.c - kill_sessions (conntrack.h): a ban's open sessions ended
 * through ctnetlink.
 *
 * One socket per call, closed before returning; the handle keeps only the
 * namespace's nf_conntrack_count open (a sysctl file answers every pread
 * afresh; opening it costs a /proc/sys walk per ban).  The entries of the
 * ban's family are dumped (IPv4 single addresses filtered by source in the kernel, CTA_FILTER, Linux 5.8+; older kernels
 * ignore the filter), every entry is matched here (the kernel's filter is
 * only a saving: it compares IPv6 addresses inverted, `!ipv6_addr_cmp()` -
 * measured on Linux 6.18.44, a filter for ::1 returns every other source's
 * entries - so IPv6 is never filtered there), and each match is deleted by
 * its original tuple, zone and id (IPCTNL_MSG_CT_DELETE; the id keeps a new
 * entry of the same tuple alive), in batches whose acks are all read.  An
 * entry gone meanwhile (ENOENT) is not an error.  A dump walks every bucket
 * of the table (14 ms with 262,144 buckets here), so nothing is dumped while
 * nf_conntrack_count says 0.
 *
 * Raw netlink, no libmnl: the shim links libc and libdl only.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "conntrack.h"
#include "text.h"

/* nf_internals.h: the tuple filter's flags (not in the uapi headers). */
#define CT_FILTER_IP_SRC (1u << 0)

#define CT_RECV_BUF (128 * 1024)  /* a dump's skb is at most 32 KiB; acks are small */
#define CT_SEND_MAX 64            /* deletes per sendmsg, before their acks are read */
#define CT_MSG_MAX 256            /* one delete: header, tuple (<= 72 bytes), zone, id */
#define CT_COUNT "/proc/sys/net/netfilter/nf_conntrack_count"

/* ---- the jail's traffic ---------------------------------------------------------- */

int ct_match_init(struct ct_match *m, const struct nfban_key *keys, const char *const values[],
		  struct nfban_result *res)
{
	const char *protos = NULL, *ports = NULL;
	struct nfban_report r;

	memset(m, 0, offsetof(struct ct_match, protos));
	m->protos.n = 0;
	for (int k = 0; keys[k].name; k++) {
		if (keys[k].type == NFBAN_KEY_PROTOCOLS)
			protos = values[k];
		else if (keys[k].type == NFBAN_KEY_PORTS)
			ports = values[k];
	}
	if (!protos)
		return 1;
	/* nftables' type=allports keeps port= and ignores it, as stock does. */
	m->all_ports = !ports || value_is(keys, values, "type", "allports");
	m->ports = m->all_ports ? NULL : ports;
	m->ports_parsed = !m->ports;
	memset(&r, 0, sizeof(r));
	if (value_match_protocols(protos, m->ports != NULL, &m->protos, &r) != NFBAN_OK) {
		res->status = NFBAN_BAD_INPUT;
		snprintf(res->message, sizeof(res->message), "%s", r.reason);
		return -1;
	}
	return 0;
}

void ct_match_free(struct ct_match *m)
{
	if (m->count_open)
		close(m->count_fd);
	m->count_open = false;
}

static bool proto_match(const struct ct_match *m, uint8_t num, int dport)
{
	for (unsigned i = 0; i < m->protos.n; i++) {
		const struct value_proto *p = &m->protos.v[i];

		if (p->number != 0 && p->number != num)
			continue;
		if (m->all_ports || p->number == 0)
			return true;
		for (unsigned k = 0; dport >= 0 && k < p->n_ports; k++)
			if (dport >= p->ports[k].first && dport <= p->ports[k].last)
				return true;
	}
	return false;
}

static bool addr_in(const struct nfban_addr *a, const uint8_t *src)
{
	unsigned bits = a->prefix, bytes = bits / 8;

	if (memcmp(a->u.bytes, src, bytes))
		return false;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));

		return (a->u.bytes[bytes] & mask) == (src[bytes] & mask);
	}
	return true;
}

/* ---- netlink, by hand --------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void *put(struct buf *b, size_t n)
{
	void *at = b->p + b->len;

	if (b->len + NLMSG_ALIGN(n) > b->cap)
		return NULL;
	memset(at, 0, NLMSG_ALIGN(n));
	b->len += NLMSG_ALIGN(n);
	return at;
}

static struct nlattr *attr(struct buf *b, uint16_t type, const void *data, size_t n)
{
	struct nlattr *a = put(b, NLA_HDRLEN + n);

	if (!a)
		return NULL;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	if (n)
		memcpy((char *)a + NLA_HDRLEN, data, n);
	return a;
}

/* A nest is closed by setting its length to what was put after it. */
static void nest_end(struct buf *b, struct nlattr *a)
{
	a->nla_len = (uint16_t)(b->p + b->len - (char *)a);
}

static struct nlmsghdr *msg(struct buf *b, uint16_t type, uint16_t flags, uint8_t family,
			    uint32_t seq)
{
	struct nlmsghdr *h = put(b, NLMSG_HDRLEN + sizeof(struct nfgenmsg));
	struct nfgenmsg *g;

	if (!h)
		return NULL;
	h->nlmsg_type = (uint16_t)((NFNL_SUBSYS_CTNETLINK << 8) | type);
	h->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	h->nlmsg_seq = seq;
	g = NLMSG_DATA(h);
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	return h;
}

static void msg_end(struct buf *b, struct nlmsghdr *h)
{
	h->nlmsg_len = (uint32_t)(b->p + b->len - (char *)h);
}

/* The attributes of a nest (or of a message after its nfgenmsg), by type. */
static void parse(const void *data, size_t len, const struct nlattr **tb, unsigned max)
{
	const struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN) {
		size_t l = a->nla_len, step = NLA_ALIGN(l);
		unsigned type = a->nla_type & NLA_TYPE_MASK;

		if (l < NLA_HDRLEN || l > len)
			break;
		if (type <= max)
			tb[type] = a;
		if (step >= len)
			break;
		len -= step;
		a = (const void *)((const char *)a + step);
	}
}

#define NEST(a) ((const char *)(a) + NLA_HDRLEN), ((a)->nla_len - NLA_HDRLEN)

/* ---- one entry -------------------------------------------------------------------- */

/* Is src inside one of the n addresses (all of one family)? */
static bool any_in(const struct nfban_addr *a, unsigned n, const uint8_t *src)
{
	for (unsigned i = 0; i < n; i++)
		if (addr_in(&a[i], src))
			return true;
	return false;
}

/* The dumped entry h is one of the bans' (a: n addresses of one family): put its delete into
 * `del`.  0, or -1 when del is full. */
static int consider(const struct ct_match *m, const struct nfban_addr *a, unsigned n,
		    const struct nlmsghdr *h, struct buf *del, uint32_t seq)
{
	const struct nlattr *ct[CTA_MAX + 1], *tu[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1],
		*pr[CTA_PROTO_MAX + 1], *src;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
	uint8_t family = a->family == NFBAN_INET6 ? AF_INET6 : AF_INET, num;
	struct nlmsghdr *d;
	int dport = -1;

	if (h->nlmsg_len < off)
		return 0;
	parse((const char *)h + off, h->nlmsg_len - off, ct, CTA_MAX);
	if (!ct[CTA_TUPLE_ORIG])
		return 0;
	parse(NEST(ct[CTA_TUPLE_ORIG]), tu, CTA_TUPLE_MAX);
	if (!tu[CTA_TUPLE_IP] || !tu[CTA_TUPLE_PROTO])
		return 0;
	parse(NEST(tu[CTA_TUPLE_IP]), ip, CTA_IP_MAX);
	parse(NEST(tu[CTA_TUPLE_PROTO]), pr, CTA_PROTO_MAX);
	src = ip[family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC];
	if (!src || src->nla_len != NLA_HDRLEN + (family == AF_INET6 ? 16 : 4) || !pr[CTA_PROTO_NUM])
		return 0;
	if (!any_in(a, n, (const uint8_t *)src + NLA_HDRLEN))
		return 0;
	num = *((const uint8_t *)pr[CTA_PROTO_NUM] + NLA_HDRLEN);
	if (pr[CTA_PROTO_DST_PORT] && pr[CTA_PROTO_DST_PORT]->nla_len == NLA_HDRLEN + 2) {
		const uint8_t *p = (const uint8_t *)pr[CTA_PROTO_DST_PORT] + NLA_HDRLEN;

		dport = p[0] << 8 | p[1];
	}
	if (!proto_match(m, num, dport))
		return 0;
	/* The tuple as dumped (ip, proto, its zone), the entry's zone and id. */
	if (del->cap - del->len < CT_MSG_MAX || ct[CTA_TUPLE_ORIG]->nla_len > CT_MSG_MAX / 2)
		return -1;
	d = msg(del, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, family, seq);
	attr(del, CTA_TUPLE_ORIG | NLA_F_NESTED, NEST(ct[CTA_TUPLE_ORIG]));
	if (ct[CTA_ZONE] && ct[CTA_ZONE]->nla_len == NLA_HDRLEN + 2)
		attr(del, CTA_ZONE, NEST(ct[CTA_ZONE]));
	if (ct[CTA_ID] && ct[CTA_ID]->nla_len == NLA_HDRLEN + 4)
		attr(del, CTA_ID, NEST(ct[CTA_ID]));
	msg_end(del, d);
	return 0;
}

/* ---- the exchange ------------------------------------------------------------------ */

/* One kill: its socket, what it matches, the deletes of one round and what came of them. */
struct kill {
	int fd;
	uint32_t seq;
	char *rx;
	const struct ct_match *m;
	const struct nfban_addr *a;     /* n_a addresses of one family */
	unsigned n_a;
	struct buf del;
	bool full;                      /* del filled up during this round's dump */
	int deleted;                    /* acks without error */
	int first_err;                  /* the first delete error but ENOENT */
};

/* The dump of a's family; filtered by source in the kernel for one IPv4 address alone. */
static int dump_request(const struct nfban_addr *a, unsigned n, struct buf *b, uint32_t seq)
{
	bool v6 = a->family == NFBAN_INET6;
	struct nlmsghdr *h = msg(b, IPCTNL_MSG_CT_GET, NLM_F_DUMP, v6 ? AF_INET6 : AF_INET, seq);
	struct nlattr *orig, *tip, *filt;
	uint32_t flags = CT_FILTER_IP_SRC;

	if (!h)
		return -1;
	if (!v6 && n == 1 && a->prefix == 32) {
		orig = attr(b, CTA_TUPLE_ORIG | NLA_F_NESTED, NULL, 0);
		tip = attr(b, CTA_TUPLE_IP | NLA_F_NESTED, NULL, 0);
		attr(b, CTA_IP_V4_SRC, &a->u.v4, 4);
		nest_end(b, tip);
		nest_end(b, orig);
		filt = attr(b, CTA_FILTER | NLA_F_NESTED, NULL, 0);
		attr(b, CTA_FILTER_ORIG_FLAGS, &flags, 4);
		nest_end(b, filt);
	}
	msg_end(b, h);
	return 0;
}

/*
 * Read the answers to seq: a dump until NLMSG_DONE (each entry to
 * consider()), or `acks` acks.  0, or -1 with errno (a dump's error).
 */
static int receive(struct kill *k, uint32_t seq, bool dump, unsigned acks)
{
	for (;;) {
		ssize_t n = recv(k->fd, k->rx, CT_RECV_BUF, 0);
		const struct nlmsghdr *h;
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len = (size_t)n;
		for (h = (const void *)k->rx; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE && dump)
				return 0;
			if (h->nlmsg_type != NLMSG_ERROR) {
				if (dump && !k->full && consider(k->m, k->a, k->n_a, h, &k->del, seq + 1) < 0)
					k->full = true;
				continue;
			}
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return errno = EPROTO, -1;
			if (dump)
				return errno = -e->error, -1;
			if (!e->error)
				k->deleted++;
			else if (e->error != -ENOENT && !k->first_err)
				k->first_err = -e->error;
			if (--acks == 0)
				return 0;
		}
	}
}

static unsigned count_msgs(const struct buf *b)
{
	const struct nlmsghdr *h = (const void *)b->p;
	size_t len = b->len;
	unsigned n = 0;

	for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		n++;
	return n;
}

/*
 * No connection tracking in this namespace, or no entry at all: nothing to
 * end.  Read through the handle's descriptor, else (conntrack loaded since
 * the handle was opened, or never) opened for this call.
 */
bool ct_nothing_tracked(struct ct_match *m)
{
	char text[32];
	int fd;
	ssize_t n;

	if (!m->count_tried) {
		m->count_tried = true;
		fd = m->count_fd = open(CT_COUNT, O_RDONLY | O_CLOEXEC);
		m->count_open = fd >= 0;
	} else {
		fd = m->count_open ? m->count_fd : open(CT_COUNT, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOENT;
	n = pread(fd, text, sizeof(text) - 1, 0);
	if (!m->count_open)
		close(fd);
	return n > 0 && text[0] == '0' && (n == 1 || text[1] == '\n');
}

int ct_ready(struct ct_match *m)
{
	struct nfban_report r;

	if (ct_nothing_tracked(m))
		return 0;
	if (!m->ports_parsed) {
		memset(&r, 0, sizeof(r));
		m->ports_parsed = value_match_ports(m->ports, &m->protos, &r) == NFBAN_OK;
	}
	return m->ports_parsed ? 1 : (errno = EINVAL, -1);
}

/*
 * One round: dump, then delete what matched.  A round whose deletes filled
 * up the buffer is followed by another (the entries deleted are gone from
 * its dump), as long as a round deletes something.  1 for another round,
 * 0 done, -1 with errno.
 */
static int round_trip(struct kill *k, const char **what)
{
	char reqmem[256];
	struct buf req = { reqmem, 0, sizeof(reqmem) };
	int before = k->deleted;
	unsigned n;

	k->full = false;
	k->del.len = 0;
	k->seq += 2;
	*what = "conntrack dump";
	if (dump_request(k->a, k->n_a, &req, k->seq) < 0)
		return errno = EMSGSIZE, -1;
	if (send(k->fd, req.p, req.len, 0) < 0)
		return -1;
	if (receive(k, k->seq, true, 0) < 0)
		/* No ctnetlink here (no conntrack module): nothing is tracked. */
		return errno == EOPNOTSUPP || errno == EPROTONOSUPPORT ? 0 : -1;
	if (!(n = count_msgs(&k->del)))
		return 0;
	*what = "conntrack delete";
	if (send(k->fd, k->del.p, k->del.len, 0) < 0 || receive(k, k->seq + 1, false, n) < 0)
		return -1;
	if (k->first_err)
		return errno = k->first_err, -1;
	return k->full && k->deleted > before;
}

int ct_kill(const struct ct_match *m, const struct nfban_addr *a, unsigned n, const char **what)
{
	struct kill k = { .fd = -1, .m = m, .a = a, .n_a = n };
	int one = 1, rc = 0, saved;

	k.rx = malloc(CT_RECV_BUF);
	k.del.cap = CT_SEND_MAX * CT_MSG_MAX;
	k.del.p = malloc(k.del.cap);
	*what = "ctnetlink socket";
	if (!k.rx || !k.del.p) {
		errno = ENOMEM;
		rc = -1;
	} else if ((k.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER)) < 0) {
		rc = -1;
	} else {
		/* Acks without the request copied in. */
		setsockopt(k.fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
		while ((rc = round_trip(&k, what)) > 0)
			;
	}
	saved = errno;
	if (k.fd >= 0)
		close(k.fd);
	free(k.rx);
	free(k.del.p);
	errno = saved;
	return rc < 0 ? -1 : k.deleted;
}
