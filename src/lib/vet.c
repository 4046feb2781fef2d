// SPDX-License-Identifier: GPL-2.0-or-later
/* vet.c - see vet.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vet.h"

/* Where descriptor fd is, for messages: its path, else `fallback`. */
static void where(int fd, const char *fallback, char *buf, size_t n)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, buf, n - 1);
	if (len <= 0 || (size_t)len >= n - 1)
		snprintf(buf, n, "%s", fallback);
	else
		buf[len] = '\0';
}

static int trusted_owner(const struct stat *st, uid_t uid)
{
	return st->st_uid == 0 || st->st_uid == uid;
}

static int refuse(int fd, const char *name, const char *fallback, const struct stat *st,
		  const char *why, char *err, size_t errlen)
{
	char path[4096];

	where(fd, fallback, path, sizeof(path));
	snprintf(err, errlen, "%s: %s %s (owner uid %u, mode %04o)", name, path, why,
		 (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777));
	errno = EPERM;
	return -1;
}

int vet_dir(int dir, const char *name, uid_t uid, char *err, size_t errlen)
{
	struct stat st, up;
	int fd, parent;

	if (fstat(dir, &st) < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return refuse(dir, name, name, &st, "is not a directory", err, errlen);
	/* The directory itself: no exception (in a sticky directory anyone may
	 * still add a file, a plugin of a name not yet there). */
	if (!trusted_owner(&st, uid) || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return refuse(dir, name, name, &st, "is not owned and only writable by root", err,
			      errlen);
	fd = dup(dir);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	for (;;) {
		/* O_PATH: looking needs no read permission, only search. */
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0) {
			int e = errno;

			snprintf(err, errlen, "%s: a directory above it: %s", name, strerror(e));
			if (parent >= 0)
				close(parent);
			close(fd);
			errno = e;
			return -1;
		}
		/* At the root, ".." is the directory itself. */
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			break;
		if (!trusted_owner(&up, uid) ||
		    ((up.st_mode & (S_IWGRP | S_IWOTH)) &&
		     !((up.st_mode & S_ISVTX) && trusted_owner(&st, uid)))) {
			int rc = refuse(parent, name, "a directory above it", &up,
					"is not owned and only writable by root", err, errlen);

			close(parent);
			close(fd);
			return rc;
		}
		close(fd);
		fd = parent;
		st = up;
	}
	close(parent);
	close(fd);
	return 0;
}

int vet_open_plugin_dir(const char *dir, char *err, size_t errlen)
{
	char what[4200];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "plugin directory %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(what, sizeof(what), "plugin directory %s", dir);
	if (vet_dir(fd, what, 0, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int vet_file(int fd, struct stat *st)
{
	return fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_uid == 0 &&
	       !(st->st_mode & (S_IWGRP | S_IWOTH));
}
