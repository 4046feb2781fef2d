// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fixture.h - plugins that exist only to test the loader and libnfban: each
 * file defines FIXTURE_NAME and FIXTURE_ABI (the version stamp it carries)
 * and includes this.  Optional:
 *   FIXTURE_KEYS       the rows of its key table (default: port=, ssh)
 *   FIXTURE_FALLBACK   the default of fallback= (default: none)
 *   FIXTURE_NOFEATURE  start and ban answer NFBAN_NOFEATURE, as a plugin
 *                      whose kernel lacks what it needs
 * Every other operation succeeds and does nothing.  No NFBAN_PLUGIN_START_BAN:
 * libnfban runs start, then ban.
 */
#include <stddef.h>
#include "nfban_plugin.h"
#include "report.h"

#ifndef FIXTURE_KEYS
#define FIXTURE_KEYS { "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH },
#endif
#ifndef FIXTURE_FALLBACK
#define FIXTURE_FALLBACK ""
#endif

static const struct nfban_key fx_keys[] = {
	FIXTURE_KEYS
	{ NULL, 0, NULL, NULL, 0 }
};

/* What configure() hands the operations: nothing, but not NULL. */
static const char fx_jail;

static enum nfban_status fx_open(void **inst, struct nfban_report *r)
{
	(void)r;
	*inst = NULL;
	return NFBAN_OK;
}

static void fx_close(void *inst)
{
	(void)inst;
}

static enum nfban_status fx_configure(const struct nfban_jail_keys *k, void **jail,
				      struct nfban_report *r)
{
	(void)k;
	(void)r;
	*jail = (void *)&fx_jail;
	return NFBAN_OK;
}

static void fx_release(void *jail)
{
	(void)jail;
}

static enum nfban_status fx_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
				const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r)
{
	(void)flags;
	(void)n_addr;
	(void)inst;
	(void)jail;
	(void)addr;
#ifdef FIXTURE_NOFEATURE
	if (op == NFBAN_OP_START || op == NFBAN_OP_BAN)
		return report_fail(r, NFBAN_NOFEATURE, 0, "%s lacks its feature", FIXTURE_NAME);
#else
	(void)op;
	(void)r;
#endif
	return NFBAN_OK;
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = FIXTURE_ABI,
	.name = FIXTURE_NAME,
	.summary = "test fixture",
	.keys = fx_keys,
	.fallback = FIXTURE_FALLBACK,
	.open = fx_open,
	.close = fx_close,
	.configure = fx_configure,
	.release = fx_release,
	.run = fx_run,
};
