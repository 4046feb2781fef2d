// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - see state.h.
 *
 * The directory is trusted only as far as it deserves: the base and the
 * namespace's directory must be real directories (no symlink followed),
 * owned by us and writable by nobody else, and so must every directory
 * above the base (vet.h: the loader's rule, sticky /tmp accepted); files are opened relative to the
 * namespace directory with O_NOFOLLOW; a file longer than a plugin name is
 * refused, not cut.  Writes go to a temporary file renamed into place; the
 * temporary files of killed writers are removed by the next writer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "values.h"
#include "vet.h"

const char *state_base(void)
{
	const char *base = secure_getenv("NFBAN_STATE_DIR");

	return base && *base ? base : "/run/nfban";
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71      /* Linux 5.14; glibc 2.36 headers lack it */
#endif

int state_ns_key(char *buf, size_t n)
{
	uint64_t cookie;
	socklen_t len = sizeof(cookie);
	struct stat st;
	int fd, rc;

	/* Any socket is made in the caller's namespace and answers for it. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		rc = getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len);
		close(fd);
		if (rc == 0 && len == sizeof(cookie)) {
			if ((size_t)snprintf(buf, n, "cookie-%llu", (unsigned long long)cookie) >= n)
				return errno = ENAMETOOLONG, -1;
			return 0;
		}
	}
	/* Before 5.14 (ENOPROTOOPT): the namespace file's inode, which the
	 * kernel gives to a new namespace once this one is gone. */
	if (stat("/proc/self/ns/net", &st) < 0)
		return -1;
	if ((size_t)snprintf(buf, n, "inode-%llu", (unsigned long long)st.st_ino) >= n)
		return errno = ENAMETOOLONG, -1;
	return 0;
}

/* A directory of ours that nobody else can write into: 0, else -1 (errno). */
static int dir_ok(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/*
 * Open (creating 0700 when `create`) directory `name` in `at`, vetted: the
 * base (at == AT_FDCWD) with every directory above it (vet.h), the
 * namespace's directory inside it by itself.
 */
static int open_dir(int at, const char *name, int create)
{
	char err[256];
	int fd;

	if (create && mkdirat(at, name, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (dir_ok(fd) < 0 ||
			(at == AT_FDCWD && vet_dir(fd, name, geteuid(), err, sizeof(err)) < 0))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Directory ns in the vetted base (ns_dir's second half). */
static int ns_dir_of(const char *ns, int create, int *base)
{
	int b, fd;

	b = open_dir(AT_FDCWD, state_base(), create);
	if (b < 0)
		return -1;
	fd = open_dir(b, ns, create);
	if (fd < 0 || !base) {
		int e = errno;

		close(b);
		errno = e;
		return fd;
	}
	*base = b;
	return fd;
}

/*
 * This network namespace's directory (each has its own tables, so its own
 * state).  With `base`, the vetted base directory stays open there, and
 * `ns` holds the directory's name in it (state_clear removes it through them).
 */
static int ns_dir(int create, int *base, char ns[STATE_NS_KEY_MAX])
{
	char key[STATE_NS_KEY_MAX];

	if (!ns)
		ns = key;
	if (state_ns_key(ns, STATE_NS_KEY_MAX) < 0)
		return -1;
	return ns_dir_of(ns, create, base);
}

static void file_name(const char *jail, enum nfban_family fam, char *buf, size_t n)
{
	snprintf(buf, n, "%s.%s", jail, fam == NFBAN_INET6 ? "inet6" : "inet4");
}

/*
 * No state, the case of every ban and unban of a jail that never fell back:
 * known from one lstat of the file's path, without opening and vetting the
 * directories (17 system calls).  Only ENOENT is taken for an answer; a
 * file that is there is read through the vetted directories below.
 */
static bool surely_absent(const char *ns, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", state_base(), ns, name) >= sizeof(path))
		return false;
	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

int state_get(const char *ns, const char *jail, enum nfban_family fam, char *buf, size_t n)
{
	char name[96], data[VALUE_PLUGIN_MAX + 2], key[STATE_NS_KEY_MAX];
	ssize_t len;
	int dir, fd;

	if (!ns) {
		/* (As ns_dir's callers answer: no namespace file to key by is no state.) */
		if (state_ns_key(key, sizeof(key)) < 0)
			return errno == ENOENT ? 0 : -1;
		ns = key;
	}
	file_name(jail, fam, name, sizeof(name));
	if (surely_absent(ns, name))
		return 0;
	dir = ns_dir_of(ns, 0, NULL);
	if (dir < 0)
		return errno == ENOENT ? 0 : -1;
	fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dir);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	len = read(fd, data, sizeof(data));
	close(fd);
	if (len < 0)
		return -1;
	/* A plugin name and a newline, nothing more: longer is not ours. */
	if ((size_t)len >= sizeof(data)) {
		errno = EINVAL;
		return -1;
	}
	data[len] = '\0';
	data[strcspn(data, "\n")] = '\0';
	if (!value_plugin_name_ok(data) || strlen(data) >= n) {
		errno = EINVAL;
		return -1;
	}
	snprintf(buf, n, "%s", data);
	return 1;
}

/* Temporary files of writers that died before their rename. */
static void remove_stale(int dir)
{
	int fd = dup(dir);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		const char *dot = strrchr(e->d_name, '.'), *p;
		char *end;
		long pid;

		if (!dot || strcmp(dot, ".tmp") != 0)
			continue;
		for (p = dot - 1; p > e->d_name && *p != '.'; p--)
			;
		pid = strtol(p + 1, &end, 10);
		if (*p == '.' && end == dot && pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			unlinkat(dir, e->d_name, 0);
	}
	closedir(d);
}

static int write_once(const char *jail, enum nfban_family fam, const char *plugin)
{
	char name[96], tmp[128];
	int dir, fd, ok;

	dir = ns_dir(1, NULL, NULL);
	if (dir < 0)
		return -1;
	remove_stale(dir);
	file_name(jail, fam, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", name, (long)getpid());
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int e = errno;

		close(dir);
		errno = e;
		return -1;
	}
	ok = dprintf(fd, "%s\n", plugin) > 0;
	if (close(fd) < 0 || !ok || renameat(dir, tmp, dir, name) < 0) {
		int e = errno ? errno : EIO;

		unlinkat(dir, tmp, 0);
		close(dir);
		errno = e;
		return -1;
	}
	close(dir);
	return 0;
}

int state_set(const char *jail, enum nfban_family fam, const char *plugin)
{
	/* The last jail of the namespace may remove the directory (state_clear)
	 * between our mkdir and our write: then once more. */
	if (write_once(jail, fam, plugin) == 0)
		return 0;
	return errno == ENOENT ? write_once(jail, fam, plugin) : -1;
}

int state_clear(const char *jail, enum nfban_family fam)
{
	char name[112], ns[STATE_NS_KEY_MAX];
	int dir, base;

	dir = ns_dir(0, &base, ns);
	if (dir < 0)
		return errno == ENOENT ? 0 : -1;
	file_name(jail, fam, name, sizeof(name));
	if (unlinkat(dir, name, 0) < 0 && errno != ENOENT) {
		int e = errno;

		close(dir);
		close(base);
		errno = e;
		return -1;
	}
	/* The announcement kept beside it goes with it. */
	strcat(name, ".announced");
	unlinkat(dir, name, 0);
	close(dir);
	/* The namespace's directory goes with its last jail (ENOTEMPTY otherwise). */
	unlinkat(base, ns, AT_REMOVEDIR);
	close(base);
	return 0;
}

int state_note(const char *jail, enum nfban_family fam, const char *line)
{
	char name[112], stamp[64];
	struct tm tm;
	time_t now = time(NULL);
	int dir, fd, ok;

	dir = ns_dir(1, NULL, NULL);
	if (dir < 0)
		return -1;
	file_name(jail, fam, name, sizeof(name));
	strcat(name, ".announced");
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	close(dir);
	if (fd < 0)
		return -1;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&now, &tm));
	ok = dprintf(fd, "%s %s\n", stamp, line) > 0;
	return close(fd) < 0 || !ok ? -1 : 0;
}
