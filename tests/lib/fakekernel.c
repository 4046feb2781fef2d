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
 *   no-legacy      every IPT_SO_* / IP6T_SO_* socket option fails with
 *                  ENOPROTOOPT: a kernel without ip_tables / ip6_tables, where
 *                  no module registered those socket options (nf_sockopt).
 *   no-nftables    socket(AF_NETLINK, ..., NETLINK_NETFILTER) fails with
 *                  EPROTONOSUPPORT: a kernel without nfnetlink.
 *   eperm          every IPT_SO_* / IP6T_SO_* socket option fails with EPERM:
 *                  a caller without CAP_NET_ADMIN (must never trigger fallback).
 * NFBAN_FAKE_KERNEL_FAMILY=4 or 6 limits the iptables faults to one family
 * (default: both).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netlink.h>
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
	}
	return real(fd, level, optname, optval, optlen);
}

int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	static int (*real)(int, int, int, void *, socklen_t *);
	int v6;

	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	if (xt_sockopt(level, optname, &v6) && (wants("no-legacy") || wants("eperm"))) {
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
