// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pconn.c - the probe's processes: a child in a namespace of its own (the
 * client, each DNAT destination's "container"), the client's connection
 * attempt from ip= and the listeners that tell who accepted it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pconn.h"


#define CONNECT_MS 3000

pid_t pns_child(int (*fn)(void *), void *arg, int *go_fd)
{
	int ready[2], go[2];
	char c = 0;
	pid_t pid;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(ready[0]), close(ready[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(ready[0]), close(go[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(3);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(fn(arg));
	}
	close(ready[1]), close(go[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]), close(go[1]);
		return -1;
	}
	close(ready[0]);
	*go_fd = go[1];
	return pid;
}

int pip(const char *const *args)
{
	char path[4096], *argv[16], *out = NULL, *err = NULL;
	int n = 1, rc;

	if (!tool_find("ip", path, sizeof(path)))
		return -1;
	argv[0] = path;
	while (n < 15 && args[n - 1])
		argv[n] = (char *)args[n - 1], n++;
	argv[n] = NULL;
	rc = tool_run_err(argv, &out, &err, 10);
	free(out);
	free(err);
	return rc;
}

const char *host_prefix(const char *a, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%d", a, strchr(a, ':') ? 128 : 32);
	return buf;
}

/* a (IPv4 or IPv6) and port as a socket address; its length. */
static socklen_t sockaddr_of(const char *a, unsigned port, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, a, &s4->sin_addr);
	return sizeof(*s4);
}

static int connect_from(const char *src, const char *dst, unsigned port, int *err)
{
	struct sockaddr_storage s, d;
	socklen_t ls = sockaddr_of(src, 0, &s), ld = sockaddr_of(dst, port, &d), len = sizeof(*err);
	int fd = socket(s.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	*err = 0;
	if (fd < 0 || bind(fd, (struct sockaddr *)&s, ls) < 0)
		return *err = errno, -1;
	if (connect(fd, (struct sockaddr *)&d, ld) == 0)
		return close(fd), 1;
	if (errno != EINPROGRESS)
		return *err = errno, close(fd), -1;
	if (poll(&p, 1, CONNECT_MS) == 0)
		return close(fd), 0;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len);
	close(fd);
	return *err ? -1 : 1;
}

int pconn_client(void *arg)
{
	const struct pclient *c = arg;
	const struct live *l = c->l;
	char a[80], d[80];
	int rc, err;

	host_prefix(l->ip, a, sizeof(a));
	host_prefix(l->dst, d, sizeof(d));
	if (PIP("link", "set", "lo", "up") || PIP("addr", "add", a, "dev", "nfbp0", l->v6 ? "nodad" : NULL) ||
	    PIP("link", "set", "nfbp0", "up") || PIP("route", "add", d, "dev", "nfbp0")) {
		dprintf(c->result_fd, "client\terror\tthe client's side of the veth could not be set up\n");
		return 3;
	}
	rc = connect_from(l->ip, l->dst, l->port, &err);
	if (rc > 0)
		dprintf(c->result_fd, "client\taccepted\t\n");
	else if (rc == 0)
		dprintf(c->result_fd, "client\tdropped\tno answer within %d s\n", CONNECT_MS / 1000);
	else
		dprintf(c->result_fd, "client\trefused\t%s\n", strerror(err));
	return 0;
}

int pconn_listen(unsigned port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1, zero = 0;

	/* One listener for both families (IPv4 as mapped addresses). */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 8) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void pconn_serve(const int *lfd, char (*who)[128], int n, int fd, int ms)
{
	struct pollfd p[P_MAX_DNAT + 1];

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){ .fd = lfd[i], .events = POLLIN };
	while (poll(p, (nfds_t)n, ms) > 0)
		for (int i = 0; i < n; i++) {
			struct sockaddr_in6 from;
			socklen_t len = sizeof(from);
			char a[64] = "?";
			int c;

			if (!p[i].revents || (c = accept4(lfd[i], (struct sockaddr *)&from, &len,
							  SOCK_CLOEXEC)) < 0)
				continue;
			inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof(a));
			dprintf(fd, "accepted\t%s\tfrom %s\n", who[i],
				strncmp(a, "::ffff:", 7) == 0 && strchr(a, '.') ? a + 7 : a);
			close(c);
		}
}

int pconn_backend(void *arg)
{
	const struct pbackend *b = arg;
	const struct live *l = b->l;
	char who[P_MAX_DNAT][128];
	int fds[P_MAX_DNAT], n = 0;

	PIP("link", "set", "lo", "up");
	PIP("link", "set", "nfbk0", "up");
	for (int i = 0; i < l->n_dn; i++) {
		const struct pdnat *d = &l->dn[i];
		char a[80];

		if (strcmp(d->ifname, b->ifname) != 0)
			continue;
		snprintf(a, sizeof(a), "%s/32", d->addr);
		PIP("addr", "add", a, "dev", "nfbk0");
		PIP("route", "replace", "default", "via", d->gw, "dev", "nfbk0", "onlink");
		snprintf(who[n], sizeof(who[n]), "%s:%u (the DNAT destination behind %s)", d->addr,
			 d->port ? d->port : l->port, d->ifname);
		if ((fds[n] = pconn_listen(d->port ? d->port : l->port)) >= 0)
			n++;
	}
	dprintf(b->result_fd, "backend\tready\t\n");
	pconn_serve(fds, who, n, b->result_fd, 60000);
	return 0;
}
