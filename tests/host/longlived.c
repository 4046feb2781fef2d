/*
 * longlived.c - a long-lived host of one plugin instance, as an in-process
 * Fail2ban action would be: the plugin is loaded, the keys parsed and the
 * instance opened once, then the operation runs COUNT times with a new
 * address each time.  Exits non-zero when any call fails, or when the
 * calls left file descriptors behind; under ASan, LeakSanitizer reports
 * memory a call lost.
 *
 *   longlived PLUGIN_DIR ACTION ban|unban COUNT [KEY=VALUE ...]
 * Addresses: 10.77.x.y (family=inet4) or 2001:db8:77::x:y (family=inet6).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/shim/fallback.h"
#include "../../src/shim/loader.h"
#include "../../src/shim/params.h"

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

static void set_addr(struct nfban_addr *a, unsigned i)
{
	if (a->family == NFBAN_INET6) {
		a->u.bytes[12] = (uint8_t)(i >> 24);
		a->u.bytes[13] = (uint8_t)(i >> 16);
		a->u.bytes[14] = (uint8_t)(i >> 8);
		a->u.bytes[15] = (uint8_t)i;
	} else {
		a->u.v4.s_addr = htonl((10u << 24) | (77u << 16) | (i & 0xffff));
	}
}

int main(int argc, char *argv[])
{
	struct shim_plugin pl;
	struct shim_request req;
	struct shim_dialect d;
	struct nfban_report r;
	char err[SHIM_ERR_MAX], **keys;
	const char *first_ip;
	enum shim_op op;
	void *inst = NULL;
	nfban_op_fn fn;
	int missing, fds, nkeys, rc = 0;
	unsigned count;

	if (argc < 5 || shim_op_from_name(argv[3], &op) < 0 ||
	    (op != SHIM_OP_BAN && op != SHIM_OP_UNBAN)) {
		fprintf(stderr, "usage: longlived PLUGIN_DIR ACTION ban|unban COUNT [KEY=VALUE ...]\n");
		return 2;
	}
	count = (unsigned)strtoul(argv[4], NULL, 10);
	if (shim_plugin_load(argv[1], argv[2], &pl, &missing, err, sizeof(err)) < 0) {
		fprintf(stderr, "longlived: %s\n", err);
		return 1;
	}
	d.dialect = pl.desc->dialect;
	d.uses = pl.desc->uses;
	d.default_fallback = "";
	/* The keys, plus a stand-in address of the right family. */
	nkeys = argc - 5;
	keys = calloc((size_t)nkeys + 1, sizeof(*keys));
	if (!keys)
		return 1;
	memcpy(keys, argv + 5, (size_t)nkeys * sizeof(*keys));
	first_ip = "ip=10.77.0.0";
	for (int i = 0; i < nkeys; i++)
		if (strcmp(keys[i], "family=inet6") == 0)
			first_ip = "ip=2001:db8:77::";
	keys[nkeys] = (char *)first_ip;
	if (shim_parse(&d, op, nkeys + 1, keys, &req, err, sizeof(err)) < 0) {
		fprintf(stderr, "longlived: %s\n", err);
		return 2;
	}
	free(keys);
	fn = shim_op_fn(pl.desc, op);
	memset(&r, 0, sizeof(r));
	if (pl.desc->open(&inst, &r) != NFBAN_OK) {
		fprintf(stderr, "longlived: open: %s\n", r.reason);
		return 1;
	}
	fds = open_fds();
	for (unsigned i = 1; i <= count && rc == 0; i++) {
		enum nfban_status st;

		set_addr(&req.params.addr, i);
		memset(&r, 0, sizeof(r));
		st = fn(inst, &req.params, &r);
		if (st != NFBAN_OK) {
			char a[64];

			shim_addr_str(&req.params.addr, a, sizeof(a));
			fprintf(stderr, "longlived: call %u (%s %s): status %d: %s: %s\n", i, argv[3], a,
				st, r.reason, strerror(r.kernel_errno));
			rc = 1;
		}
	}
	if (rc == 0 && open_fds() != fds) {
		fprintf(stderr, "longlived: %d file descriptors before the calls, %d after\n", fds,
			open_fds());
		rc = 1;
	}
	pl.desc->close(inst);
	shim_plugin_unload(&pl);
	if (rc == 0)
		printf("%u %s calls on one instance\n", count, argv[3]);
	return rc;
}
