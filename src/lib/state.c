/* state.c - see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "state.h"
#include "values.h"

/* The directory for this network namespace; created (0700) when `create`. */
static int state_dir(char *buf, size_t n, int create)
{
	const char *base = secure_getenv("NFBAN_STATE_DIR");
	struct stat ns;

	if (!base || !*base)
		base = "/run/nfban";
	/* Each network namespace has its own tables, so its own state. */
	if (stat("/proc/self/ns/net", &ns) < 0)
		return -1;
	if ((size_t)snprintf(buf, n, "%s/%llu", base, (unsigned long long)ns.st_ino) >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!create)
		return 0;
	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return -1;
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int state_path(const char *jail, enum nfban_family fam, char *buf, size_t n, int create)
{
	char dir[4096];

	if (state_dir(dir, sizeof(dir), create) < 0)
		return -1;
	if ((size_t)snprintf(buf, n, "%s/%s.%s", dir, jail, fam == NFBAN_INET6 ? "inet6" : "inet4") >= n) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int state_get(const char *jail, enum nfban_family fam, char *buf, size_t n)
{
	char path[4096];
	ssize_t len;
	int fd;

	if (state_path(jail, fam, path, sizeof(path), 0) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!value_plugin_name_ok(buf)) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

int state_set(const char *jail, enum nfban_family fam, const char *plugin)
{
	char path[4096], tmp[4200];
	int fd, ok;

	if (state_path(jail, fam, path, sizeof(path), 1) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	ok = dprintf(fd, "%s\n", plugin) > 0;
	if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int state_clear(const char *jail, enum nfban_family fam)
{
	char path[4096], dir[4096];

	if (state_path(jail, fam, path, sizeof(path), 0) < 0)
		return -1;
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	/* The announcement kept beside it goes with it. */
	if (strlen(path) + sizeof(".announced") <= sizeof(path)) {
		strcat(path, ".announced");
		unlink(path);
	}
	/* The namespace's directory goes with its last jail (ENOTEMPTY otherwise). */
	if (state_dir(dir, sizeof(dir), 0) == 0)
		rmdir(dir);
	return 0;
}

int state_note(const char *jail, enum nfban_family fam, const char *line)
{
	char path[4096], stamp[64];
	struct tm tm;
	time_t now = time(NULL);
	int fd, ok;

	if (state_path(jail, fam, path, sizeof(path), 1) < 0)
		return -1;
	if (strlen(path) + sizeof(".announced") > sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcat(path, ".announced");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime_r(&now, &tm));
	ok = dprintf(fd, "%s %s\n", stamp, line) > 0;
	return close(fd) < 0 || !ok ? -1 : 0;
}
