// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * holdlock.c - hold nfban's writer lock of this network namespace, as
 * another nfban writer in the middle of an operation would, until told.
 *
 *   holdlock      prints "held" once it holds the lock, lets go at end of input
 *
 * The lock as src/nfnl/lock.h describes it (the contract tested, not its
 * code): an OFD write lock on the 8 bytes of /run/nfban.lock at 8 x the
 * namespace's cookie (SO_NETNS_COOKIE of a netlink socket; the inode of
 * /proc/self/ns/net where the kernel has no cookies), top four bits dropped.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int main(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = sizeof(uint64_t) };
	struct stat st;
	char buf[64];
	int fd;

	if (s < 0 || getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) != 0 || !cookie)
		cookie = stat("/proc/self/ns/net", &st) == 0 ? (uint64_t)st.st_ino : 0;
	fd = open("/run/nfban.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		perror("holdlock: /run/nfban.lock");
		return 1;
	}
	fl.l_start = (off_t)((cookie & 0x0fffffffffffffffull) * sizeof(uint64_t));
	if (fcntl(fd, F_OFD_SETLKW, &fl) != 0) {
		perror("holdlock: F_OFD_SETLKW");
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	return 0;
}
