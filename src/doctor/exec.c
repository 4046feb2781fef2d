// SPDX-License-Identifier: GPL-2.0-or-later
/* exec.c - run a read-only tool without a shell and collect its output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"

const char *tool_find(const char *name, char *buf, size_t n)
{
	const char *path = secure_getenv("PATH");
	struct stat st;

	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		size_t len = strcspn(p, ":");

		if (len && (size_t)snprintf(buf, n, "%.*s/%s", (int)len, p, name) < n &&
		    buf[0] == '/' && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			return buf;
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int tool_run(char *const argv[], char **out, int timeout_s)
{
	int fds[2], status, dn;
	size_t len = 0, cap = 4096;
	long deadline = now_ms() + timeout_s * 1000L;
	char *buf;
	pid_t pid;

	*out = NULL;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dn = open("/dev/null", O_RDWR);
		if (dn >= 0) {
			dup2(dn, 0);
			dup2(dn, 2);
		}
		dup2(fds[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	buf = xrealloc(NULL, cap);
	for (;;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(fds[0]);
			free(buf);
			errno = ETIMEDOUT;
			return -1;
		}
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		r = read(fds[0], buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fds[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = buf;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 127 ? (errno = ENOENT, -1) : WEXITSTATUS(status);
	errno = EINTR;
	return -1;
}
