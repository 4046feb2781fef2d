// SPDX-License-Identifier: GPL-2.0-or-later
/* lock.c - see lock.h. */
#include <errno.h>
#include <stdint.h>
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

/* The namespace's slot: 8 bytes at 8 x key, locked, holding the count of its holders. */
static off_t slot(const struct nft_sock *s)
{
	return (off_t)((s->lock_key & 0x0fffffffffffffffull) * sizeof(uint64_t));
}

static int lock_op(const struct nft_sock *s, short type)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = slot(s),
		.l_len = sizeof(uint64_t),
	};

	return fcntl(s->lock_fd, F_OFD_SETLK, &fl);
}

/* What the last holder wrote into the slot: a waiter watches it change. */
static uint64_t holders(const struct nft_sock *s)
{
	uint64_t n = 0;

	return pread(s->lock_fd, &n, sizeof(n), slot(s)) == (ssize_t)sizeof(n) ? n : 0;
}

/*
 * A mark of this holder and this turn (no read: the holder's path stays
 * short), at most once per NFT_LOCK_MARK_MS of its own: a waiter only
 * needs to see the queue move well within NFT_LOCK_WAIT_MS, and a burst of
 * bans then costs no write each.
 */
static void mark(struct nft_sock *s)
{
	struct timespec now;
	int64_t ms;
	uint64_t n;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	s->lock_turns++;
	if (s->lock_marked_ms && ms - s->lock_marked_ms < NFT_LOCK_MARK_MS)
		return;
	s->lock_marked_ms = ms ? ms : 1;
	n = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)s ^ s->lock_turns;
	if (pwrite(s->lock_fd, &n, sizeof(n), slot(s)) != (ssize_t)sizeof(n))
		(void)0;        /* only a waiter's patience depends on it */
}

bool nft_lock_take(struct nft_sock *s)
{
	unsigned waited_us = 0, step_us = 50;
	uint64_t seen, n;

	if (s->locked)
		return true;
	if (!s->lock_open) {
		s->lock_fd = open(NFT_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s->lock_fd < 0)
			return false;
		s->lock_open = true;
		s->lock_key = ns_key(s);
	}
	/*
	 * A waiter polls: an OFD lock's blocking wait cannot be bounded without
	 * a signal.  The bound is on one holder, not on the queue: every holder
	 * marks its turn in the slot, and a waiter that sees the mark change
	 * starts its wait afresh - 60 jails queueing on a loaded machine wait
	 * their turn, a holder that hangs is gone without.  (One operation can
	 * hold for seconds on a saturated machine: every nfnetlink socket
	 * closed anywhere in the namespace takes nf_tables' commit mutex and
	 * waits for its deferred frees, and a batch waits for that mutex.)
	 * Steps of 50 us doubling to 4 ms: prompt, and 60 waiters cost little.
	 */
	if (lock_op(s, F_WRLCK) == 0)
		goto held;
	if (s->nowait) {
		s->would_wait = errno == EAGAIN || errno == EACCES || errno == EINTR;
		return false;
	}
	seen = holders(s);
	while (lock_op(s, F_WRLCK) < 0) {
		struct timespec ts = { 0, 0 };

		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return false;
		if ((n = holders(s)) != seen) {
			seen = n;
			waited_us = 0;
		}
		if (waited_us >= NFT_LOCK_WAIT_MS * 1000u)
			return false;
		ts.tv_nsec = (long)step_us * 1000;
		nanosleep(&ts, NULL);
		waited_us += step_us;
		if (step_us < 4000)
			step_us *= 2;
	}
held:
	mark(s);
	s->locked = true;
	return true;
}

void nft_lock_drop(struct nft_sock *s)
{
	if (!s->locked)
		return;
	lock_op(s, F_UNLCK);
	s->locked = false;
}
