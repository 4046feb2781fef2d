// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xtlock.c - the xtables lock (see xtlock.h).
 *
 * libiptc replaces a whole table at commit: a process that read the table,
 * changed its copy and committed overwrites whatever another process
 * committed in between.  iptables (legacy and nft variants alike) serialises
 * on an flock() of one file for that; libiptc itself takes no lock, so the
 * plugin does, as `iptables -w SECONDS`: open the file (creating it 0600)
 * and try flock(LOCK_EX | LOCK_NB) until it is ours or the time is up (then
 * the report names the file and, from /proc/locks, the process holding it).
 * The descriptor is held from the table read to after the commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "xtlock.h"

const char *ipt_xtlock_path(void)
{
	const char *path = secure_getenv("XTABLES_LOCKFILE");

	return path && *path ? path : "/run/xtables.lock";
}

/* "pid 1234 (iptables-legacy)": who holds an flock on fd's file, from /proc/locks. */
static void holder(int fd, char *buf, size_t n)
{
	char line[256], want[64], comm[64] = "?", path[64];
	struct stat st;
	FILE *f;
	long pid = -1;

	snprintf(buf, n, "another process");
	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return;
	/* "1: FLOCK  ADVISORY  WRITE 1234 fe:01:5678 0 EOF": dev as major:minor in hex. */
	snprintf(want, sizeof(want), "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	while (pid < 0 && fgets(line, sizeof(line), f)) {
		char kind[16], id[64];
		long p;

		if (sscanf(line, "%*s %15s %*s %*s %ld %63s", kind, &p, id) == 3 &&
		    strcmp(kind, "FLOCK") == 0 && strcmp(id, want) == 0 && p != getpid())
			pid = p;
	}
	fclose(f);
	if (pid < 0)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if ((f = fopen(path, "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(buf, n, "pid %ld (%s)", pid, comm);
}

int ipt_xtlock_acquire(unsigned wait_s, struct nfban_report *r)
{
	const char *path = ipt_xtlock_path();
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	struct timespec start, now, nap = { 0, 1000000 };
	char who[128];

	if (fd < 0) {
		report_fail(r, NFBAN_ERROR, errno, "opening the xtables lock %s", path);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			report_fail(r, NFBAN_ERROR, errno, "taking the xtables lock %s", path);
			close(fd);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 >=
		    (long)wait_s * 1000) {
			holder(fd, who, sizeof(who));
			report_fail(r, NFBAN_ERROR, 0,
				    "the xtables lock %s is still held by %s after %u s (lock_wait=)",
				    path, who, wait_s);
			close(fd);
			return -1;
		}
		/* 1 ms, doubling to 100 ms: short waits stay short. */
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 100000000)
			nap.tv_nsec *= 2;
	}
	return fd;
}

void ipt_xtlock_release(int fd)
{
	/* Closing the only descriptor of the open file drops the lock. */
	if (fd >= 0)
		close(fd);
}
