// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tries.c - LD_PRELOAD counter of stamped nf_tables batches, for the churn
 * tests' "mean tries per stamped operation".
 *
 * A stamped batch is one whose NFNL_MSG_BATCH_BEGIN carries
 * NFNL_BATCH_GENID (seen in sendto/sendmsg); a refused try is the kernel's
 * NLMSG_ERROR with -ERESTART (seen in recv/recvfrom/recvmsg).  Every
 * stamped operation ends with one batch that is not refused (or gives up,
 * every try refused), so tries per operation = sent / (sent - refused).
 * At exit a process appends "sent refused" to $NFBAN_TRIES_FILE, if it is
 * one of $NFBAN_TRIES_PROGS (default "nfban longlived": the tools a test
 * runs beside nfban, iptables-nft among them, stamp batches too).
 * Nothing is changed on the way to or from the kernel.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

void tries_exit(void) __attribute__((destructor));

static unsigned long sent, refused;

static bool counted(void)
{
	static int yes = -1;

	if (yes < 0) {
		const char *progs = getenv("NFBAN_TRIES_PROGS");
		char list[256], want[128];

		snprintf(list, sizeof(list), " %s ", progs ? progs : "nfban longlived");
		snprintf(want, sizeof(want), " %s ", program_invocation_short_name);
		yes = getenv("NFBAN_TRIES_FILE") && strstr(list, want);
	}
	return yes;
}

static bool netlink(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	return getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && sa.ss_family == AF_NETLINK;
}

/* The batch begin's attributes follow its nfgenmsg. */
static void look_out(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	size_t off = NLMSG_LENGTH(sizeof(struct nfgenmsg));

	if (len < off || nlh->nlmsg_type != NFNL_MSG_BATCH_BEGIN || nlh->nlmsg_len > len)
		return;
	while (off + sizeof(struct nlattr) <= nlh->nlmsg_len) {
		const struct nlattr *a = (const void *)((const char *)buf + off);

		if (a->nla_len < sizeof(*a))
			return;
		if ((a->nla_type & NLA_TYPE_MASK) == NFNL_BATCH_GENID) {
			__atomic_add_fetch(&sent, 1, __ATOMIC_RELAXED);
			return;
		}
		off += NLA_ALIGN(a->nla_len);
	}
}

static void look_in(const void *buf, ssize_t n)
{
	const struct nlmsghdr *nlh = buf;
	int left = (int)n;

	for (; left > 0 && NLMSG_OK(nlh, (unsigned)left); nlh = NLMSG_NEXT(nlh, left)) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) &&
		    e->error == -ERESTART && e->msg.nlmsg_type == NFNL_MSG_BATCH_BEGIN)
			__atomic_add_fetch(&refused, 1, __ATOMIC_RELAXED);
	}
}

typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*sendmsg_fn)(int, const struct msghdr *, int);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*recvfrom_fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
typedef ssize_t (*recvmsg_fn)(int, struct msghdr *, int);
#define REAL(name)                                                                               \
	static name##_fn real_##name;                                                            \
	if (!real_##name)                                                                        \
	real_##name = (name##_fn)dlsym(RTLD_NEXT, #name)

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	REAL(sendto);
	if (counted() && netlink(fd))
		look_out(buf, len);
	return real_sendto(fd, buf, len, flags, to, tolen);
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	REAL(sendmsg);
	if (counted() && m->msg_iovlen > 0 && netlink(fd))
		look_out(m->msg_iov[0].iov_base, m->msg_iov[0].iov_len);
	return real_sendmsg(fd, m, flags);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;

	REAL(recv);
	n = real_recv(fd, buf, len, flags);
	if (n > 0 && counted() && netlink(fd))
		look_in(buf, n);
	return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fl)
{
	ssize_t n;

	REAL(recvfrom);
	n = real_recvfrom(fd, buf, len, flags, from, fl);
	if (n > 0 && counted() && netlink(fd))
		look_in(buf, n);
	return n;
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t n;

	REAL(recvmsg);
	n = real_recvmsg(fd, m, flags);
	if (n > 0 && counted() && m->msg_iovlen > 0 && netlink(fd))
		look_in(m->msg_iov[0].iov_base, (size_t)n < m->msg_iov[0].iov_len ? n
						  : (ssize_t)m->msg_iov[0].iov_len);
	return n;
}

void tries_exit(void)
{
	char line[64];
	int fd, len;

	if (!counted() || sent == 0)
		return;
	fd = open(getenv("NFBAN_TRIES_FILE"), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%lu %lu\n", sent, refused);
	if (write(fd, line, (size_t)len) != len)
		(void)0;
	close(fd);
}
