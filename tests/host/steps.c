// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steps.c - one libnfban handle, kept open, driven a line at a time, so that
 * a test can let another program write the ruleset between two calls of a
 * long-lived host (what Fail2ban's in-process actions are).
 *
 *   steps PLUGIN_DIR ACTION [KEY=VALUE ...]  < lines of "OPERATION [ADDRESS]"
 *   steps -c LINE PLUGIN_DIR ACTION [KEY=VALUE ...]
 *
 * OPERATION "try:ban" (or any "try:OP") calls nfban_jail_try, "bans" with
 * ADDRESS,ADDRESS,... nfban_jail_ban_many, any other nfban_jail_run.  For each line
 * read, runs the operation on the handle and answers one line on stdout, flushed:
 * "STATUS<tab>MESSAGE<tab>NOTICE".  Exits at the end of input, 1 when the handle
 * cannot be opened.  With -c, runs LINE alone and exits with its status
 * (tests/ns/kill.py kills a group ban so).
 */
#include <stdio.h>
#include <string.h>

#include "nfban.h"

/* One line's call; its result printed. */
static int step(struct nfban_jail *j, char *line)
{
	struct nfban_result res;
	char *op = strtok(line, " \t\n"), *ip = strtok(NULL, " \t\n");

	if (!op)
		return 0;
	if (strcmp(op, "bans") == 0) {
		const char *ips[NFBAN_BANS_MAX + 1];
		int n = 0;

		for (char *p = ip ? strtok(ip, ",") : NULL; p && n <= NFBAN_BANS_MAX; p = strtok(NULL, ","))
			ips[n++] = p;
		nfban_jail_ban_many(j, NULL, n, ips, &res);
	} else if (strncmp(op, "try:", 4) == 0) {
		nfban_jail_try(j, op + 4, NULL, ip, &res);
	} else {
		nfban_jail_run(j, op, NULL, ip, &res);
	}
	printf("%d\t%s\t%s\n", res.status, res.message, res.notice);
	fflush(stdout);
	return res.status;
}

int main(int argc, char **argv)
{
	static char line[NFBAN_BANS_MAX * 48];
	struct nfban_result res;
	struct nfban_jail *j;
	const char *one = NULL;
	int st = 0;

	if (argc >= 3 && strcmp(argv[1], "-c") == 0) {
		one = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || (one && strlen(one) >= sizeof(line))) {
		fprintf(stderr, "usage: steps [-c LINE] PLUGIN_DIR ACTION [KEY=VALUE ...]\n");
		return 2;
	}
	j = nfban_jail_open(argv[1], argv[2], argc - 3, (const char *const *)argv + 3, &res);
	if (!j) {
		fprintf(stderr, "steps: open: %s\n", res.message);
		return 1;
	}
	if (one) {
		strcpy(line, one);
		st = step(j, line);
	}
	while (!one && fgets(line, sizeof(line), stdin))
		step(j, line);
	nfban_jail_close(j);
	return st;
}
