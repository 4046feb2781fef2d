// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * killat.c - run a program and SIGKILL it on entering its K-th call of one
 * syscall, before that call runs: what
 *     strace -f -e trace=NAME -e inject=NAME:signal=KILL:when=K PROGRAM...
 * does, at the cost of an untraced run.  A seccomp filter makes that one
 * syscall stop the program (SECCOMP_RET_TRACE) and lets every other one
 * through, where strace stops it at every syscall (and strace's signal
 * injection does not work with its --seccomp-bpf).  A process killed in a
 * ptrace stop at syscall entry never runs that syscall.
 *
 *     killat NR K PROGRAM [ARG...]
 *     killat --serve
 *
 * NR is the syscall's number on this architecture; calls are counted from
 * PROGRAM's exec on (as strace's when= counts them, per syscall number).
 * One line on stdout says what happened; exit 0 only when the program was
 * killed at its K-th call.  PROGRAM's stdout goes to its stderr, so stdout
 * carries that line only.  A program that forks is killed and reported:
 * the counts are for one process.
 *
 * --serve runs one request after another, read from stdin, each a list of
 * NUL-terminated fields: NR, K, the number of environment entries, the
 * entries, the number of arguments, the arguments (PROGRAM first); each
 * answered by that line.  The programs' stdout and stderr are /dev/null.
 * (tests/ns/kill.py: one exec per kill point, not two.)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#if defined(__x86_64__)
#define KILLAT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define KILLAT_ARCH AUDIT_ARCH_AARCH64
#endif

static long number(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0) {
		fprintf(stderr, "killat: %s '%s' is not a number\n", what, s);
		exit(2);
	}
	return v;
}

static void child(long nr, char **argv, char **envp, int quiet)
{
	struct sock_filter f[] = {
#ifdef KILLAT_ARCH
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, KILLAT_ARCH, 0, 3),
#endif
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	int null = quiet ? open("/dev/null", O_RDWR | O_CLOEXEC) : -1;

	if ((quiet ? null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0
		   : dup2(2, 1) < 0) ||
	    ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 || raise(SIGSTOP) != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		fprintf(stderr, "killat: setting up the child: %s\n", strerror(errno));
		_exit(127);
	}
	execve(argv[0], argv, envp);
	fprintf(stderr, "killat: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* One run: 0 when killed at call k, 1 when not, 2 on a failure of our own. */
static int run(long nr, long k, char **argv, char **envp, int quiet)
{
	long n = 0;
	int st, execd = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("killat: fork");
		return 2;
	}
	if (pid == 0)
		child(nr, argv, envp, quiet);
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		printf("the child did not stop before its exec\n");
		return 1;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL |
				  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE)) < 0) {
		perror("killat: PTRACE_SETOPTIONS");
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return 2;
	}
	ptrace(PTRACE_CONT, pid, NULL, NULL);
	for (;;) {
		int sig, ev;
		long deliver = 0;

		if (waitpid(pid, &st, 0) < 0) {
			perror("killat: waitpid");
			return 2;
		}
		if (WIFEXITED(st)) {
			printf("exited %d after %ld calls\n", WEXITSTATUS(st), n);
			return 1;
		}
		if (WIFSIGNALED(st)) {
			printf("killed by signal %d after %ld calls\n", WTERMSIG(st), n);
			return 1;
		}
		sig = WSTOPSIG(st);
		ev = st >> 16;
		if (sig == SIGTRAP && ev == PTRACE_EVENT_EXEC) {
			execd = 1;
		} else if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP) {
			/* Calls before the exec are this program's child's own. */
			if (execd && ++n == k) {
				kill(pid, SIGKILL);
				if (waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
					printf("killed at call %ld\n", n);
					return 0;
				}
				printf("not ended by SIGKILL at call %ld (status %#x)\n", n, (unsigned)st);
				return 1;
			}
		} else if (sig == SIGTRAP && (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
					      ev == PTRACE_EVENT_CLONE)) {
			printf("the program made a process or thread after %ld calls\n", n);
			/* The new one is traced too: it dies with its parent's kill
			 * or, at the latest, with us (PTRACE_O_EXITKILL). */
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 1;
		} else if (sig != SIGTRAP) {
			deliver = sig;
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)deliver);
	}
}

/* --serve: the next field of a request (malloc'd), NULL at the end of input. */
static char *field(void)
{
	char *f = NULL;
	size_t cap = 0;

	if (getdelim(&f, &cap, '\0', stdin) < 0) {
		free(f);
		return NULL;
	}
	return f;
}

static char **list(void)
{
	char *c = field(), **v;
	long n;

	if (!c)
		return NULL;
	n = number(c, "count");
	free(c);
	v = calloc((size_t)n + 1, sizeof(*v));
	if (!v) {
		perror("killat");
		exit(2);
	}
	for (long i = 0; i < n; i++)
		if (!(v[i] = field())) {
			fprintf(stderr, "killat: request cut short\n");
			exit(2);
		}
	return v;
}

static int serve(void)
{
	for (;;) {
		char *nr = field(), *k, **envp, **argv;

		if (!nr)
			return 0;
		k = field();
		envp = k ? list() : NULL;
		argv = envp ? list() : NULL;
		if (!argv || !argv[0]) {
			fprintf(stderr, "killat: request cut short\n");
			return 2;
		}
		if (run(number(nr, "syscall number"), number(k, "call"), argv, envp, 1) == 2)
			return 2;
		fflush(stdout);
		free(nr);
		free(k);
		for (char **e = envp; *e; e++)
			free(*e);
		for (char **a = argv; *a; a++)
			free(*a);
		free(envp);
		free(argv);
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--serve") == 0)
		return serve();
	if (argc < 4) {
		fprintf(stderr, "usage: killat NR K PROGRAM [ARG...]\n       killat --serve\n");
		return 2;
	}
	return run(number(argv[1], "syscall number"), number(argv[2], "call"), argv + 3, environ, 0);
}
