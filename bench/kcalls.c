// SPDX-License-Identifier: GPL-2.0-or-later
/* kcalls.c - time spent in the socket calls that reach netfilter (kcalls.h). */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "kcalls.h"

static _Atomic uint64_t spent;

static uint64_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t kcalls_ns(void)
{
	return atomic_load(&spent);
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		abort();        /* libc without it: nothing here can go on */
	return f;
}

/* T(ret, name, (params), (args)): name, timed, calling the next definition of it. */
#define T(ret, name, params, args)                                             \
	ret name params                                                        \
	{                                                                      \
		static ret (*next) params;                                     \
		uint64_t t0;                                                   \
		ret r;                                                         \
		if (!next)                                                     \
			next = (ret (*) params)real(#name);                    \
		t0 = now();                                                    \
		r = next args;                                                 \
		atomic_fetch_add(&spent, now() - t0);                          \
		return r;                                                      \
	}

T(ssize_t, sendto, (int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		    socklen_t tolen), (fd, buf, len, flags, to, tolen))
T(ssize_t, send, (int fd, const void *buf, size_t len, int flags), (fd, buf, len, flags))
T(ssize_t, sendmsg, (int fd, const struct msghdr *msg, int flags), (fd, msg, flags))
T(ssize_t, recv, (int fd, void *buf, size_t len, int flags), (fd, buf, len, flags))
T(ssize_t, recvfrom, (int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		      socklen_t *fromlen), (fd, buf, len, flags, from, fromlen))
T(ssize_t, recvmsg, (int fd, struct msghdr *msg, int flags), (fd, msg, flags))
T(int, recvmmsg, (int fd, struct mmsghdr *v, unsigned int n, int flags, struct timespec *timeout),
  (fd, v, n, flags, timeout))
T(int, setsockopt, (int fd, int level, int name, const void *val, socklen_t len),
  (fd, level, name, val, len))
T(int, getsockopt, (int fd, int level, int name, void *val, socklen_t *len),
  (fd, level, name, val, len))
