/*
 * xtlock.c - the xtables lock (see xtlock.h).
 *
 * libiptc replaces a whole table at commit: a process that read the table,
 * changed its copy and committed overwrites whatever another process
 * committed in between.  iptables (legacy and nft variants alike) serialises
 * on an flock() of one file for that; libiptc itself takes no lock, so the
 * plugin does, exactly as `iptables -w` without a timeout: open the file
 * (creating it 0600), flock(LOCK_EX) and wait as long as it takes.  The
 * descriptor is held from the table read to after the commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "xtlock.h"

const char *ipt_xtlock_path(void)
{
	const char *path = getenv("XTABLES_LOCKFILE");

	return path && *path ? path : "/run/xtables.lock";
}

int ipt_xtlock_acquire(struct nfban_report *r)
{
	const char *path = ipt_xtlock_path();
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		r->kernel_errno = errno;
		snprintf(r->reason, sizeof(r->reason), "opening the xtables lock %s", path);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		r->kernel_errno = errno;
		snprintf(r->reason, sizeof(r->reason), "taking the xtables lock %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

void ipt_xtlock_release(int fd)
{
	/* Closing the only descriptor of the open file drops the lock. */
	if (fd >= 0)
		close(fd);
}
