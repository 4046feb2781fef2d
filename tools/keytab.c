// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keytab.c - print the plugins' key tables as libnfban gives them to hosts
 * (nfban_plugin_keys, nfban.h), for the build-time checks of the action
 * files and the shim's usage against them (tools/check_actions).
 *
 *   keytab [--plugin-dir DIR] PLUGIN...
 *
 * One line per key, tab-separated:
 *   PLUGIN KEY TYPE FLAGS DEFAULT-INET4 DEFAULT-INET6 CHOICES
 * FLAGS: a comma list of default, match, host ("-" when none).  A key
 * without a default prints "-" for both defaults.  Exit 1 if a plugin
 * cannot be loaded (the message on stderr), 2 on bad usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfban.h"

static void flags(unsigned f, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", f & NFBAN_KEYINFO_DEFAULT ? "default," : "",
		 f & NFBAN_KEYINFO_MATCH ? "match," : "", f & NFBAN_KEYINFO_HOST ? "host," : "");
	if (buf[0])
		buf[strlen(buf) - 1] = '\0';
	else
		snprintf(buf, n, "-");
}

int main(int argc, char *argv[])
{
	const char *dir = NULL;
	int i = 1, rc = 0;

	if (argc > 2 && strcmp(argv[1], "--plugin-dir") == 0) {
		dir = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: keytab [--plugin-dir DIR] PLUGIN...\n");
		return 2;
	}
	for (; i < argc; i++) {
		struct nfban_result res;
		struct nfban_key_info *k = NULL;
		int n = nfban_plugin_keys(dir, argv[i], NULL, 0, &res);

		if (n >= 0 && (!(k = calloc((size_t)n + 1, sizeof(*k))) ||
			       nfban_plugin_keys(dir, argv[i], k, n, &res) != n))
			n = -1;
		if (n < 0) {
			fprintf(stderr, "keytab: %s\n", res.message[0] ? res.message : "out of memory");
			free(k);
			rc = 1;
			continue;
		}
		for (int j = 0; j < n; j++) {
			bool has = k[j].flags & NFBAN_KEYINFO_DEFAULT;
			char fl[32];

			flags(k[j].flags, fl, sizeof(fl));
			printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", argv[i], k[j].name, k[j].type, fl,
			       has ? k[j].def[0] : "-", has ? k[j].def[1] : "-",
			       k[j].choices[0] ? k[j].choices : "-");
		}
		free(k);
	}
	return rc;
}
