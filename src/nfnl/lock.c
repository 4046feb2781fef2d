// SPDX-License-Identifier: GPL-2.0-or-later
/* lock.c - see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lock.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* Where in the file this namespace's byte is. */
static uint64_t ns_key(const struct nft_sock *s)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	struct stat st;

	if (getsockopt(mnl_socket_get_fd(s->nl), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) == 0 &&
	    cookie)
		return cookie;
	/* The inode of a live namespace is unique, and the holder keeps its own alive. */
	return stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static int try_lock(const struct nft_sock *s)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = (off_t)(s->lock_key & 0x3fffffffffffffffull),
		.l_len = 1,
	};

	return fcntl(s->lock_fd, F_OFD_SETLK, &fl);
}

bool nft_lock_take(struct nft_sock *s)
{
	unsigned waited_us = 0, step_us = 50;

	if (s->locked)
		return true;
	if (!s->lock_open) {
		s->lock_fd = open(NFT_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s->lock_fd < 0)
			return false;
		s->lock_open = true;
		s->lock_key = ns_key(s);
	}
	/* A waiter polls: an OFD lock's blocking wait cannot be bounded without a signal. */
	while (try_lock(s) < 0) {
		struct timespec ts;

		if ((errno != EAGAIN && errno != EACCES && errno != EINTR) ||
		    waited_us >= NFT_LOCK_WAIT_MS * 1000u)
			return false;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)step_us * 1000;
		nanosleep(&ts, NULL);
		waited_us += step_us;
		if (step_us < 2000)
			step_us *= 2;
	}
	s->locked = true;
	return true;
}

void nft_lock_drop(struct nft_sock *s)
{
	struct flock fl = {
		.l_type = F_UNLCK,
		.l_whence = SEEK_SET,
		.l_start = (off_t)(s->lock_key & 0x3fffffffffffffffull),
		.l_len = 1,
	};

	if (!s->locked)
		return;
	fcntl(s->lock_fd, F_OFD_SETLK, &fl);
	s->locked = false;
}
