/*
 * allports.c - Fail2ban's iptables-allports: per protocol, one
 *   -I <chain> -p <proto> -j f2b-<name>
 * so a banned address is blocked on every port (port= is ignored).
 */
#include "nfban.h"
#include "ipt/jail.h"

static enum nfban_status allports_jumps(const struct nfban_proto *pr, struct ipt_rules *out,
					struct nfban_report *r)
{
	(void)pr;
	return ipt_rules_add(out) ? NFBAN_OK : ipt_nomem(r);
}

static const struct ipt_kind allports = { .jumps = allports_jumps };

static enum nfban_status allports_open(void **inst, struct nfban_report *r)
{
	return ipt_open(&allports, inst, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "allports",
	.summary = "iptables: one jump per protocol, every port (stock iptables-allports)",
	.dialect = NFBAN_DIALECT_XT,
	.uses = 0,
	.open = allports_open,
	.close = ipt_close,
	.start = ipt_start,
	.stop = ipt_stop,
	.check = ipt_check,
	.ban = ipt_ban,
	.unban = ipt_unban,
	.flush = ipt_flush,
};
