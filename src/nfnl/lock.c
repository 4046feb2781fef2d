// SPDX-License-Identifier: GPL-2.0-or-later
/* lock.c - see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lock.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define WAIT_STEP_S 1                   /* a waiter looks at the turns this often */

struct slot {
	_Atomic uint32_t ready;
	_Atomic uint32_t turns;
	pthread_mutex_t mutex;
};
_Static_assert(sizeof(struct slot) <= NFT_LOCK_SLOT, "a slot holds its mutex");

/* Where in the file the namespace of fd has its slot. */
static off_t slot_at(int fd)
{
	uint64_t key = 0;
	socklen_t len = sizeof(key);
	struct stat st;

	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &key, &len) != 0 || !key)
		/* The inode of a live namespace is unique, and the holder keeps its own alive. */
		key = stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
	return (off_t)((key & ((1ull << NFT_LOCK_KEY_BITS) - 1)) * NFT_LOCK_SLOT);
}

/* The slot's mutex made, once: a robust, process-shared, error-checking mutex. */
static int slot_init(struct slot *sl)
{
	pthread_mutexattr_t a;
	int rc;

	if ((rc = pthread_mutexattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED)) == 0 &&
	    (rc = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)) == 0 &&
	    (rc = pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK)) == 0 &&
	    (rc = pthread_mutex_init(&sl->mutex, &a)) == 0)
		atomic_store_explicit(&sl->ready, NFT_LOCK_READY, memory_order_release);
	pthread_mutexattr_destroy(&a);
	return rc;
}

/*
 * Map the slot of fd's namespace, made ready; false when it cannot be had.
 * The file only ever grows to cover a slot (fallocate: a mapping past its
 * end would fault); a slot not ready is made so by whoever holds the OFD
 * lock on its bytes first (one that dies making it leaves it not ready).
 */
static bool slot_open(struct nft_lock *l, int nl_fd)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t at = slot_at(nl_fd), base = at & ~(off_t)(page - 1);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = at,
			    .l_len = NFT_LOCK_SLOT };
	struct slot *sl;
	void *map = MAP_FAILED;
	bool ok = false;
	int fd;

	fd = open(NFT_LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return false;
	if (fallocate(fd, 0, at, NFT_LOCK_SLOT) == 0)
		map = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
	if (map == MAP_FAILED)
		goto out;
	sl = (struct slot *)((char *)map + (at - base));
	ok = atomic_load_explicit(&sl->ready, memory_order_acquire) == NFT_LOCK_READY;
	if (!ok && fcntl(fd, F_OFD_SETLKW, &fl) == 0) {
		ok = atomic_load_explicit(&sl->ready, memory_order_acquire) == NFT_LOCK_READY ||
		     slot_init(sl) == 0;
		fl.l_type = F_UNLCK;
		fcntl(fd, F_OFD_SETLK, &fl);
	}
	if (ok) {
		l->map = map;
		l->slot = sl;
	} else {
		munmap(map, (size_t)page);
	}
out:
	close(fd);
	return ok;
}

bool nft_lock_take(struct nft_lock *l, int fd, bool nowait, bool *would_wait)
{
	struct slot *sl;
	unsigned waited_s = 0;
	uint32_t seen;
	int rc;

	if (l->locked)
		return true;
	if (!l->slot && !slot_open(l, fd))
		return false;
	sl = l->slot;
	rc = pthread_mutex_trylock(&sl->mutex);
	if (rc == EBUSY && nowait) {
		*would_wait = true;
		return false;
	}
	/*
	 * The bound is on one holder, not on the queue: a waiter that sees the
	 * turns move starts its wait afresh - 60 jails queueing on a loaded
	 * machine wait their turn, a holder that hangs is gone without.  (One
	 * operation can hold for seconds on a saturated machine: every
	 * nfnetlink socket closed anywhere in the namespace takes nf_tables'
	 * commit mutex and waits for its deferred frees, and a batch waits for
	 * that mutex.)
	 */
	seen = atomic_load_explicit(&sl->turns, memory_order_relaxed);
	while (rc == EBUSY || rc == ETIMEDOUT) {
		struct timespec until;
		uint32_t now;

		if (waited_s >= NFT_LOCK_WAIT_MS / 1000)
			return false;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += WAIT_STEP_S;
		rc = pthread_mutex_clocklock(&sl->mutex, CLOCK_MONOTONIC, &until);
		now = atomic_load_explicit(&sl->turns, memory_order_relaxed);
		if (now != seen) {
			seen = now;
			waited_s = 0;
		} else {
			waited_s += WAIT_STEP_S;
		}
	}
	/* Its last holder died holding it: what it guarded is the kernel's, whole. */
	if (rc == EOWNERDEAD && (rc = pthread_mutex_consistent(&sl->mutex)) != 0)
		pthread_mutex_unlock(&sl->mutex);
	if (rc != 0)
		return false;   /* EDEADLK: this thread holds it, through another handle */
	atomic_fetch_add_explicit(&sl->turns, 1, memory_order_relaxed);
	l->locked = true;
	return true;
}

void nft_lock_drop(struct nft_lock *l)
{
	if (!l->locked)
		return;
	pthread_mutex_unlock(&((struct slot *)l->slot)->mutex);
	l->locked = false;
}

void nft_lock_close(struct nft_lock *l)
{
	nft_lock_drop(l);
	if (l->map)
		munmap(l->map, (size_t)sysconf(_SC_PAGESIZE));
	memset(l, 0, sizeof(*l));
}
