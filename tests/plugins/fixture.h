/*
 * fixture.h - plugins that exist only to test the loader: each file defines
 * FIXTURE_NAME and FIXTURE_ABI and includes this.  Operations do nothing.
 */
#include <stddef.h>
#include "nfban.h"

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

static enum nfban_status fx_op(void *inst, const struct nfban_params *p, struct nfban_report *r)
{
	(void)inst;
	(void)p;
	(void)r;
	return NFBAN_OK;
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = FIXTURE_ABI,
	.name = FIXTURE_NAME,
	.summary = "loader test fixture",
	.dialect = NFBAN_DIALECT_XT,
	.uses = NFBAN_USES_PORTS,
	.open = fx_open,
	.close = fx_close,
	.start = fx_op,
	.stop = fx_op,
	.check = fx_op,
	.ban = fx_op,
	.unban = fx_op,
	.flush = fx_op,
};
