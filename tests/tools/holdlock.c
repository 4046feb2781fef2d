// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * holdlock.c - hold nfban's writer lock of this network namespace, as
 * another nfban writer in the middle of an operation would, until told.
 *
 *   holdlock      prints "held" once it holds the lock, lets go at end of input
 *
 * The lock as src/nfnl/lock.h describes it (the contract tested, not its
 * code): in /run/nfban-writers.lock, a 64-byte slot at 64 x the namespace's
 * cookie (SO_NETNS_COOKIE of a netlink socket; the inode of
 * /proc/self/ns/net where the kernel has no cookies), low 36 bits: a word
 * 0x6e66624c once ready, a count of turns, a robust process-shared mutex,
 * made by whoever first holds an OFD lock on the slot's bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

struct slot {
	volatile uint32_t ready, turns;
	pthread_mutex_t mutex;
};

static int die(const char *what, int err)
{
	fprintf(stderr, "holdlock: %s: %s\n", what, strerror(err));
	return 1;
}

int main(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER), fd, rc;
	long page = sysconf(_SC_PAGESIZE);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 64 };
	pthread_mutexattr_t a;
	struct slot *sl;
	struct stat st;
	char buf[64], *map;
	off_t at;

	if (s < 0 || getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0 || !cookie)
		cookie = stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
	at = (off_t)((cookie & ((1ull << 36) - 1)) * 64);
	fd = open("/run/nfban-writers.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return die("/run/nfban-writers.lock", errno);
	if (fallocate(fd, 0, at, 64) != 0)
		return die("fallocate", errno);
	map = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, at & ~(off_t)(page - 1));
	if (map == MAP_FAILED)
		return die("mmap", errno);
	sl = (struct slot *)(map + (at & (page - 1)));
	fl.l_start = at;
	if (fcntl(fd, F_OFD_SETLKW, &fl) != 0)
		return die("F_OFD_SETLKW", errno);
	if (__atomic_load_n(&sl->ready, __ATOMIC_ACQUIRE) != 0x6e66624cu) {
		pthread_mutexattr_init(&a);
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
		pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
		if ((rc = pthread_mutex_init(&sl->mutex, &a)) != 0)
			return die("pthread_mutex_init", rc);
		__atomic_store_n(&sl->ready, 0x6e66624cu, __ATOMIC_RELEASE);
	}
	fl.l_type = F_UNLCK;
	fcntl(fd, F_OFD_SETLK, &fl);
	rc = pthread_mutex_lock(&sl->mutex);
	if (rc == EOWNERDEAD)
		rc = pthread_mutex_consistent(&sl->mutex);
	if (rc != 0)
		return die("pthread_mutex_lock", rc);
	__atomic_fetch_add(&sl->turns, 1, __ATOMIC_RELAXED);
	printf("held\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_unlock(&sl->mutex);
	return 0;
}
