// SPDX-License-Identifier: GPL-2.0-or-later
/* exec.c - run a tool without a shell (execv) and collect its output. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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

struct sink {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Read what is ready on the open sinks; 0 when both are closed. */
static int drain(struct sink s[2], int timeout_ms)
{
	struct pollfd pfd[2];
	int n = 0;

	for (int i = 0; i < 2; i++)
		if (s[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
	if (!n)
		return 0;
	if (poll(pfd, (nfds_t)n, timeout_ms) <= 0)
		return -1;
	for (int i = 0, k = 0; i < 2; i++) {
		ssize_t r;

		if (s[i].fd < 0 || !pfd[k++].revents)
			continue;
		if (s[i].len + 1 >= s[i].cap)
			s[i].buf = xrealloc(s[i].buf, s[i].cap = s[i].cap ? s[i].cap * 2 : 4096);
		r = read(s[i].fd, s[i].buf + s[i].len, s[i].cap - s[i].len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(s[i].fd);
			s[i].fd = -1;
		} else {
			s[i].len += (size_t)r;
		}
	}
	return 1;
}

static void child_exec(char *const argv[], int in, int out, int err)
{
	int dn = open("/dev/null", O_RDWR);

	dup2(in >= 0 ? in : dn, 0);
	dup2(out, 1);
	dup2(err >= 0 ? err : dn, 2);
	if (in >= 0)
		lseek(0, 0, SEEK_SET);
	execv(argv[0], argv);
	_exit(127);
}

int tool_run_in(char *const argv[], int in, char **out, char **err, int timeout_s)
{
	struct sink s[2] = { { -1, NULL, 0, 0 }, { -1, NULL, 0, 0 } };
	int p[2][2], status, rc;
	long deadline = now_ms() + timeout_s * 1000L;
	pid_t pid;

	*out = NULL;
	if (err)
		*err = NULL;
	if (pipe2(p[0], O_CLOEXEC) < 0)
		return -1;
	if (err && pipe2(p[1], O_CLOEXEC) < 0)
		p[1][0] = p[1][1] = -1;
	pid = fork();
	if (pid == 0)
		child_exec(argv, in, p[0][1], err ? p[1][1] : -1);
	close(p[0][1]);
	if (err && p[1][1] >= 0)
		close(p[1][1]);
	s[0].fd = p[0][0];
	s[1].fd = err ? p[1][0] : -1;
	if (pid < 0) {
		for (int i = 0; i < 2; i++)
			if (s[i].fd >= 0)
				close(s[i].fd);
		return -1;
	}
	while ((rc = drain(s, (int)(deadline - now_ms() > 0 ? deadline - now_ms() : 0))) > 0)
		;
	if (rc < 0) {
		kill(pid, SIGKILL);
		for (int i = 0; i < 2; i++)
			if (s[i].fd >= 0)
				close(s[i].fd);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	for (int i = 0; i < 2; i++) {
		if (!s[i].buf)
			s[i].buf = xrealloc(NULL, 1);
		s[i].buf[s[i].len] = '\0';
	}
	*out = s[0].buf;
	if (err)
		*err = s[1].buf;
	else
		free(s[1].buf);
	if (rc < 0)
		return errno = ETIMEDOUT, -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) == 127 ? (errno = ENOENT, -1) : WEXITSTATUS(status);
	errno = EINTR;
	return -1;
}

int tool_run_err(char *const argv[], char **out, char **err, int timeout_s)
{
	return tool_run_in(argv, -1, out, err, timeout_s);
}

int tool_run(char *const argv[], char **out, int timeout_s)
{
	return tool_run_in(argv, -1, out, NULL, timeout_s);
}

int tool(const char *name, char **out, char **err, int timeout_s, ...)
{
	char path[4096], *argv[24];
	va_list ap;
	int n = 1;

	*out = NULL;
	if (err)
		*err = NULL;
	if (!tool_find(name, path, sizeof(path))) {
		errno = ENOENT;
		return -1;
	}
	argv[0] = path;
	va_start(ap, timeout_s);
	while (n < 23 && (argv[n] = va_arg(ap, char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return tool_run_err(argv, out, err, timeout_s);
}
