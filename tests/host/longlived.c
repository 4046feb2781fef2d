// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * longlived.c - a long-lived host of libnfban, as an in-process Fail2ban
 * action is: it sees nfban.h only.  THREADS threads each open their own
 * handle of the jail (KEY=VALUE...) at once, then run OPERATION COUNT times
 * with a new address each: thread t takes addresses t*COUNT+1 ..
 * (t+1)*COUNT.  Exits non-zero when any call fails, or when the handles
 * left file descriptors behind once closed; under ASan, LeakSanitizer
 * reports memory a call lost.
 *
 *   longlived PLUGIN_DIR ACTION ban|unban COUNT THREADS [KEY=VALUE ...]
 * Addresses: 10.77.x.y, or 2001:db8:77::x:y with family=inet6 among the keys.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfban.h"

#define MAX_THREADS 8

struct worker {
	pthread_t tid;
	unsigned first, count;
	int rc;
};

static const char *dir, *action, *operation;
static const char *keys[64];
static int n_keys, inet6;

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct nfban_result res;
	struct nfban_jail *j = nfban_jail_open(dir, action, n_keys, keys, &res);

	if (!j) {
		fprintf(stderr, "longlived: open: %s\n", res.message);
		w->rc = 1;
		return NULL;
	}
	for (unsigned i = w->first; i < w->first + w->count && w->rc == 0; i++) {
		char ip[64];

		if (inet6)
			snprintf(ip, sizeof(ip), "2001:db8:77::%x:%x", (i >> 16) & 0xffff, i & 0xffff);
		else
			snprintf(ip, sizeof(ip), "10.77.%u.%u", (i >> 8) & 0xff, i & 0xff);
		if (nfban_jail_run(j, operation, NULL, ip, &res) != NFBAN_DONE) {
			fprintf(stderr, "longlived: call %u (%s %s): status %d: %s%s\n", i, operation, ip,
				res.status, res.message, "");
			w->rc = 1;
		}
	}
	nfban_jail_close(j);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct worker w[MAX_THREADS];
	unsigned count, threads;
	int fds, rc = 0;

	if (argc < 6 || (strcmp(argv[3], "ban") && strcmp(argv[3], "unban")) ||
	    !(count = (unsigned)strtoul(argv[4], NULL, 10)) ||
	    !(threads = (unsigned)strtoul(argv[5], NULL, 10)) || threads > MAX_THREADS ||
	    count * threads > 65535) {
		fprintf(stderr, "usage: longlived PLUGIN_DIR ACTION ban|unban COUNT THREADS [KEY=VALUE ...]\n");
		return 2;
	}
	dir = argv[1];
	action = argv[2];
	operation = argv[3];
	/* family= is the shim's per-call key: here the addresses say it. */
	for (int i = 6; i < argc && n_keys < 64; i++)
		if (strcmp(argv[i], "family=inet6") == 0)
			inet6 = 1;
		else
			keys[n_keys++] = argv[i];
	fds = open_fds();
	for (unsigned t = 0; t < threads; t++) {
		w[t] = (struct worker){ .first = t * count + 1, .count = count };
		if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0) {
			fprintf(stderr, "longlived: cannot start thread %u\n", t);
			return 1;
		}
	}
	for (unsigned t = 0; t < threads; t++) {
		pthread_join(w[t].tid, NULL);
		rc |= w[t].rc;
	}
	if (rc == 0 && open_fds() != fds) {
		fprintf(stderr, "longlived: %d file descriptors before the handles, %d after\n", fds,
			open_fds());
		rc = 1;
	}
	if (rc == 0)
		printf("%u %s calls on each of %u handles\n", count, operation, threads);
	return rc;
}
