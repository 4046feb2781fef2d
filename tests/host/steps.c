// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steps.c - one libnfban handle, kept open, driven a line at a time, so that
 * a test can let another program write the ruleset between two calls of a
 * long-lived host (what Fail2ban's in-process actions are).
 *
 *   steps PLUGIN_DIR ACTION [KEY=VALUE ...]  < lines of "OPERATION [ADDRESS]"
 *
 * OPERATION "try:ban" (or any "try:OP") calls nfban_jail_try, any other
 * nfban_jail_run.  For each line read, runs the operation on the handle and answers one line
 * on stdout, flushed: "STATUS<tab>MESSAGE<tab>NOTICE".  Exits at the end of
 * input, 1 when the handle cannot be opened.
 */
#include <stdio.h>
#include <string.h>

#include "nfban.h"

int main(int argc, char **argv)
{
	struct nfban_result res;
	struct nfban_jail *j;
	char line[256];

	if (argc < 3) {
		fprintf(stderr, "usage: steps PLUGIN_DIR ACTION [KEY=VALUE ...]\n");
		return 2;
	}
	j = nfban_jail_open(argv[1], argv[2], argc - 3, (const char *const *)argv + 3, &res);
	if (!j) {
		fprintf(stderr, "steps: open: %s\n", res.message);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		char *op = strtok(line, " \t\n"), *ip = strtok(NULL, " \t\n");

		if (!op)
			continue;
		if (strncmp(op, "try:", 4) == 0)
			nfban_jail_try(j, op + 4, NULL, ip, &res);
		else
			nfban_jail_run(j, op, NULL, ip, &res);
		printf("%d\t%s\t%s\n", res.status, res.message, res.notice);
		fflush(stdout);
	}
	nfban_jail_close(j);
	return 0;
}
