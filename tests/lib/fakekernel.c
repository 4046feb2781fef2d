// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fakekernel.c - LD_PRELOAD interposer that makes the running kernel answer
 * like a kernel without a netfilter feature, at the syscall boundary, with
 * the errno that kernel gives.  Nothing in nfban knows it is there.
 *
 * NFBAN_FAKE_KERNEL selects what is missing (comma list):
 *   no-multiport   IPT_SO_SET_REPLACE / IP6T_SO_SET_REPLACE of a table holding
 *                  a `multiport` match fails with ENOENT: what the kernel
 *                  answers when xt_multiport cannot be found or loaded
 *                  (xt_find_match() -> -ENOENT in translate_table()).
 *                  On nf_tables (an NFT_MSG_NEWRULE sent on a NETLINK_NETFILTER
 *                  socket), the compat match's name is changed to one no
 *                  module has, so the real kernel refuses the rule the way
 *                  it does without xt_multiport: nft_compat's lookup fails,
 *                  ENOENT, and the whole batch is aborted.
 *   no-legacy      every IPT_SO_* / IP6T_SO_* socket option fails with
 *                  ENOPROTOOPT: a kernel without ip_tables / ip6_tables, where
 *                  no module registered those socket options (nf_sockopt).
 *   no-nftables    socket(AF_NETLINK, ..., NETLINK_NETFILTER) fails with
 *                  EPROTONOSUPPORT: a kernel without nfnetlink.
 *   stale-genid    the first NFBAN_FAKE_STALE (default 1000) nf_tables batches
 *                  carry a generation id the ruleset no longer has, as when
 *                  another writer committed between the read and the batch:
 *                  the real kernel refuses each whole with ERESTART.
 *   eperm          every IPT_SO_* / IP6T_SO_* socket option fails with EPERM:
 *                  a caller without CAP_NET_ADMIN (must never trigger fallback).
 *   refuse-ban     the kernel refuses any change holding the address
 *                  NFBAN_FAKE_BAN (a ban of it), and with it everything sent
 *                  alongside: a table replace (IPT_SO_SET_REPLACE) with a rule
 *                  whose source is that address fails with EINVAL; in an
 *                  nf_tables batch, a message holding the address (the set
 *                  element, the rule) gets a message type nf_tables does not
 *                  know, so the real kernel refuses it (EINVAL) and aborts
 *                  the whole batch.  What happens to a ban sent with a start
 *                  shows whether the two were one transaction.
 *   no-ipset       a kernel without ip_set: SO_IP_SET socket options fail
 *                  with ENOPROTOOPT (nobody registered them), and ipset's
 *                  netlink messages (NFNL_SUBSYS_IPSET) go to a subsystem no
 *                  module provides, which nfnetlink refuses with EINVAL.
 * NFBAN_FAKE_KERNEL_FAMILY=4 or 6 limits the iptables faults to one family
 * (default: both), on nf_tables too.
 *
 * Every way a program reaches netfilter passes here, so a fault hits nfban and
 * Fail2ban's stock commands alike: the legacy tables through setsockopt /
 * getsockopt (IPT_SO_SET_REPLACE, IPT_SO_GET_*: iptables-legacy, libiptc), nf_tables
 * through socket() and every sending call on a NETLINK_NETFILTER socket: sendto()
 * (libmnl, nfban, iptables-nft's queries), sendmsg() (iptables-nft's and nft's
 * batches), send() and sendmmsg().
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <arpa/inet.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>

static int wants(const char *fault)
{
	const char *v = getenv("NFBAN_FAKE_KERNEL");
	size_t n = strlen(fault);

	for (const char *p = v; p && *p;) {
		if (strncmp(p, fault, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/* Is this an iptables socket option of a family the faults apply to? */
static int xt_sockopt(int level, int optname, int *v6)
{
	const char *fam = getenv("NFBAN_FAKE_KERNEL_FAMILY");

	if (level == IPPROTO_IP && optname >= IPT_BASE_CTL && optname <= IPT_SO_GET_MAX)
		*v6 = 0;
	else if (level == IPPROTO_IPV6 && optname >= IP6T_BASE_CTL && optname <= IP6T_SO_GET_MAX)
		*v6 = 1;
	else
		return 0;
	if (fam && *fam)
		return (*v6 && strcmp(fam, "6") == 0) || (!*v6 && strcmp(fam, "4") == 0);
	return 1;
}

/* Walk a replace blob's entries; 1 when any match is named `multiport`. */
static int has_multiport(const void *optval, socklen_t optlen, int v6)
{
	const unsigned char *p, *end;
	size_t hdr = v6 ? sizeof(struct ip6t_replace) : sizeof(struct ipt_replace);
	unsigned size;

	if (optlen < hdr)
		return 0;
	size = v6 ? ((const struct ip6t_replace *)optval)->size : ((const struct ipt_replace *)optval)->size;
	p = (const unsigned char *)optval + hdr;
	end = p + size;
	if ((size_t)optlen < hdr + size)
		return 0;
	while (p < end) {
		unsigned short target_offset, next_offset;
		size_t elems;
		const unsigned char *m;

		if (v6) {
			const struct ip6t_entry *e = (const void *)p;

			target_offset = e->target_offset;
			next_offset = e->next_offset;
			elems = sizeof(struct ip6t_entry);
		} else {
			const struct ipt_entry *e = (const void *)p;

			target_offset = e->target_offset;
			next_offset = e->next_offset;
			elems = sizeof(struct ipt_entry);
		}
		if (next_offset == 0 || target_offset > next_offset)
			return 0;
		for (m = p + elems; m < p + target_offset;) {
			const struct xt_entry_match *em = (const void *)m;

			if (em->u.match_size == 0)
				break;
			if (strcmp(em->u.user.name, "multiport") == 0)
				return 1;
			m += em->u.match_size;
		}
		p += next_offset;
	}
	return 0;
}

/* NFBAN_FAKE_BAN as bytes: 4 or 16, or 0 when unset or not an address. */
static size_t fake_ban(unsigned char addr[16])
{
	const char *v = getenv("NFBAN_FAKE_BAN");

	if (!v || !wants("refuse-ban"))
		return 0;
	if (inet_pton(AF_INET, v, addr) == 1)
		return 4;
	return inet_pton(AF_INET6, v, addr) == 1 ? 16 : 0;
}

/* Does a replace blob hold a rule whose source is the address? */
static int holds_ban(const void *optval, socklen_t optlen, int v6)
{
	const unsigned char *p, *end;
	size_t hdr = v6 ? sizeof(struct ip6t_replace) : sizeof(struct ipt_replace);
	unsigned char addr[16];
	size_t n = fake_ban(addr);
	unsigned size;

	if (n != (v6 ? 16u : 4u) || optlen < hdr)
		return 0;
	size = v6 ? ((const struct ip6t_replace *)optval)->size : ((const struct ipt_replace *)optval)->size;
	if ((size_t)optlen < hdr + size)
		return 0;
	p = (const unsigned char *)optval + hdr;
	end = p + size;
	while (p < end) {
		unsigned short next;
		const void *src;

		if (v6) {
			next = ((const struct ip6t_entry *)p)->next_offset;
			src = &((const struct ip6t_entry *)p)->ipv6.src;
		} else {
			next = ((const struct ipt_entry *)p)->next_offset;
			src = &((const struct ipt_entry *)p)->ip.src;
		}
		if (next == 0)
			return 0;
		if (memcmp(src, addr, n) == 0)
			return 1;
		p += next;
	}
	return 0;
}

int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	int v6;

	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	if (xt_sockopt(level, optname, &v6)) {
		if (wants("no-legacy") || wants("eperm")) {
			errno = wants("eperm") ? EPERM : ENOPROTOOPT;
			return -1;
		}
		if (wants("no-multiport") && optname == IPT_SO_SET_REPLACE &&
		    has_multiport(optval, optlen, v6)) {
			errno = ENOENT;
			return -1;
		}
		if (optname == IPT_SO_SET_REPLACE && holds_ban(optval, optlen, v6)) {
			errno = EINVAL;
			return -1;
		}
	}
	return real(fd, level, optname, optval, optlen);
}

int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	static int (*real)(int, int, int, void *, socklen_t *);
	int v6;

	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	if ((xt_sockopt(level, optname, &v6) && (wants("no-legacy") || wants("eperm"))) ||
	    (level == SOL_IP && optname == 83 /* SO_IP_SET */ && wants("no-ipset"))) {
		errno = wants("eperm") ? EPERM : ENOPROTOOPT;
		return -1;
	}
	return real(fd, level, optname, optval, optlen);
}

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);

	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (domain == AF_NETLINK && protocol == NETLINK_NETFILTER && wants("no-nftables")) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	return real(domain, type, protocol);
}

/* Does the fault apply to an nf_tables message of this nfgenmsg family? */
static int nft_family_applies(uint8_t family)
{
	const char *fam = getenv("NFBAN_FAKE_KERNEL_FAMILY");

	if (!fam || !*fam)
		return 1;
	return (family == NFPROTO_IPV6 && strcmp(fam, "6") == 0) ||
	       (family == NFPROTO_IPV4 && strcmp(fam, "4") == 0);
}

/* The batch begin's NFNL_BATCH_GENID, if any, made stale (for the first batches). */
static void stale_genid(unsigned char *buf, size_t len)
{
	static long left = -1;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));

	if (left < 0) {
		const char *v = getenv("NFBAN_FAKE_STALE");

		left = v && *v ? atol(v) : 1000;
	}
	if (left == 0 || len < off || nlh->nlmsg_type != NFNL_MSG_BATCH_BEGIN ||
	    nlh->nlmsg_len > len)
		return;
	while (off + NLA_HDRLEN <= nlh->nlmsg_len) {
		struct nlattr *a = (struct nlattr *)(buf + off);

		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nlh->nlmsg_len)
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NFNL_BATCH_GENID && a->nla_len >= NLA_HDRLEN + 4) {
			uint32_t g;

			memcpy(&g, buf + off + NLA_HDRLEN, 4);
			/* Far from the generation read (the kernel checks only a non-zero
			 * id: generation 1 - 1 would be no check at all). */
			g = htonl(ntohl(g) ^ 0x80000000u);
			memcpy(buf + off + NLA_HDRLEN, &g, 4);
			left--;
			return;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

/* In every NFT_MSG_NEWRULE of the batch, "multiport\0" becomes "multipor_\0". */
static void hide_multiport(unsigned char *buf, size_t len)
{
	static const char name[] = "multiport";   /* with its NUL */
	size_t off = 0;

	while (off + NLMSG_HDRLEN <= len) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
		size_t n = nlh->nlmsg_len;

		if (n < NLMSG_HDRLEN || off + n > len)
			break;
		if (nlh->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE) &&
		    n >= NLMSG_HDRLEN + sizeof(struct nfgenmsg) &&
		    nft_family_applies(((struct nfgenmsg *)NLMSG_DATA(nlh))->nfgen_family)) {
			/* Only as a whole NFTA_MATCH_NAME attribute: a set or
			 * chain name ending in "multiport" stays. */
			for (size_t i = NLMSG_HDRLEN + NLA_HDRLEN; i + sizeof(name) <= n; i++) {
				struct nlattr a;

				memcpy(&a, buf + off + i - NLA_HDRLEN, sizeof(a));
				if (a.nla_len == NLA_HDRLEN + sizeof(name) &&
				    (a.nla_type & NLA_TYPE_MASK) == NFTA_MATCH_NAME &&
				    memcmp(buf + off + i, name, sizeof(name)) == 0)
					buf[off + i + sizeof(name) - 2] = '_';
			}
		}
		off += NLMSG_ALIGN(n);
	}
}

/* Every nf_tables message of the batch holding the address: a type nobody knows. */
static void refuse_ban(unsigned char *buf, size_t len)
{
	unsigned char addr[16];
	size_t n = fake_ban(addr), off = 0;

	if (!n)
		return;
	while (off + NLMSG_HDRLEN <= len) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)(buf + off);
		size_t m = nlh->nlmsg_len;

		if (m < NLMSG_HDRLEN || off + m > len)
			break;
		if (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
		    memmem(buf + off + NLMSG_HDRLEN, m - NLMSG_HDRLEN, addr, n))
			nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | 0xff;
		off += NLMSG_ALIGN(m);
	}
}

static int is_nfnetlink(int fd)
{
	int proto = -1, domain = -1;
	socklen_t l = sizeof(proto), d = sizeof(domain);

	return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &d) == 0 && domain == AF_NETLINK &&
	       getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == 0 &&
	       proto == NETLINK_NETFILTER;
}

/* no-ipset: every ipset message to a subsystem id past the kernel's (NFNL_SUBSYS_COUNT). */
static void hide_ipset(unsigned char *buf, size_t len)
{
	for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
		if (NFNL_SUBSYS_ID(h->nlmsg_type) == NFNL_SUBSYS_IPSET)
			h->nlmsg_type = (uint16_t)(0xff << 8 | NFNL_MSG_TYPE(h->nlmsg_type));
}

/* Is a message to this socket one the nf_tables faults change? */
static int mutates(int fd)
{
	return (wants("no-multiport") || wants("stale-genid") || wants("refuse-ban") ||
		wants("no-ipset")) && is_nfnetlink(fd);
}

/* The nf_tables faults, applied to a copy of what is sent. */
static void mutate(unsigned char *buf, size_t len)
{
	if (wants("no-multiport"))
		hide_multiport(buf, len);
	if (wants("stale-genid"))
		stale_genid(buf, len);
	if (wants("refuse-ban"))
		refuse_ban(buf, len);
	if (wants("no-ipset"))
		hide_ipset(buf, len);
}

/*
 * Netlink reaches the kernel by these calls (strace of iptables-nft -A, nft add rule,
 * nfban): libmnl's mnl_socket_sendto() is sendto(), iptables-nft and nft send their
 * batches with sendmsg() (an iovec per batch page); send() and sendmmsg() are hooked
 * too, so no sender passes by.  A netlink message is handled by the kernel in the call
 * that sends it, so changing the copy sent is changing what the kernel sees.
 */
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	static ssize_t (*real)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	unsigned char *copy;
	ssize_t rc;

	if (!real)
		real = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *,
				    socklen_t))dlsym(RTLD_NEXT, "sendto");
	if (!mutates(fd))
		return real(fd, buf, len, flags, to, tolen);
	copy = malloc(len ? len : 1);
	if (!copy) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(copy, buf, len);
	mutate(copy, len);
	rc = real(fd, copy, len, flags, to, tolen);
	free(copy);
	return rc;
}

/* glibc's send() makes the syscall itself: it would not pass through sendto() above. */
ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

/* The iovecs are gathered into one buffer (a batch's messages may span pages) and sent as one. */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	struct msghdr m;
	struct iovec iov;
	unsigned char *copy;
	size_t len = 0, off = 0;
	ssize_t rc;

	if (!real)
		real = (ssize_t (*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	if (!msg || !mutates(fd))
		return real(fd, msg, flags);
	for (size_t i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	copy = malloc(len ? len : 1);
	if (!copy) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < msg->msg_iovlen; i++) {
		memcpy(copy + off, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		off += msg->msg_iov[i].iov_len;
	}
	mutate(copy, len);
	iov = (struct iovec){ .iov_base = copy, .iov_len = len };
	m = *msg;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	rc = real(fd, &m, flags);
	free(copy);
	return rc;
}

/* One message after the other, each through sendmsg() above (the syscall's own semantics). */
int sendmmsg(int fd, struct mmsghdr *vec, unsigned int n, int flags)
{
	static int (*real)(int, struct mmsghdr *, unsigned int, int);
	unsigned int i;

	if (!real)
		real = (int (*)(int, struct mmsghdr *, unsigned int, int))dlsym(RTLD_NEXT, "sendmmsg");
	if (!mutates(fd))
		return real(fd, vec, n, flags);
	for (i = 0; i < n; i++) {
		ssize_t rc = sendmsg(fd, &vec[i].msg_hdr, flags);

		if (rc < 0)
			return i ? (int)i : -1;
		vec[i].msg_len = (unsigned int)rc;
	}
	return (int)i;
}
