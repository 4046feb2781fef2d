// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf.c - the keys of an iptables plugin, parsed and checked once per jail
 * and family (see conf.h).
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "conf.h"
#include "report.h"

static enum nfban_status target(struct ipt_conf *c, const struct nfban_jail_keys *k,
				 const char *key, struct value_xt_target *t, struct nfban_report *r)
{
	const char *text = value_of(c->kind->keys, k->values, key);
	int reset = k->family == NFBAN_INET6 ? IP6T_TCP_RESET : IPT_TCP_RESET;
	char why[NFBAN_MSG_MAX];
	int mapped;

	if (!text)
		return report_refuse(r, key, text, "missing");
	if (value_parse_xt_target_mapped(text, k->family, t, &mapped, why, sizeof(why)) < 0)
		return report_refuse(r, key, text, "%s", why);
	if (mapped >= 0)
		report_notice(r, "%s: %s is an %s reject type; %s bans use %s", key,
			      value_xt_reject_name(k->family == NFBAN_INET6 ? NFBAN_INET4 : NFBAN_INET6, mapped),
			      k->family == NFBAN_INET6 ? "IPv4" : "IPv6",
			      k->family == NFBAN_INET6 ? "IPv6" : "IPv4",
			      value_xt_reject_name(k->family, t->reject_with));
	/* The kernel's REJECT refuses tcp-reset on a rule that may match non-TCP;
	 * the rule gets -p tcp, which only fits a jail whose traffic is all TCP. */
	if (t->kind == VALUE_XT_REJECT && t->reject_with == reset &&
	    !value_protos_only_tcp(&c->protos))
		return report_refuse(r, key, text, "tcp-reset needs protocol=tcp");
	return NFBAN_OK;
}

static enum nfban_status fill(struct ipt_conf *c, const struct ipt_kind *kind,
			      const struct nfban_jail_keys *k, struct nfban_report *r)
{
	const char *chain = value_of(kind->keys, k->values, "chain");
	int pi = value_key_index(kind->keys, "port");
	const char *ports = pi >= 0 && kind->keys[pi].type == NFBAN_KEY_PORTS ? k->values[pi] : NULL;
	enum nfban_status st;

	c->kind = kind;
	c->family = k->family;
	/* iptables chain names hold 28 characters: f2b- plus 24. */
	if (!value_jail_name_ok(k->name) || value_xt_jail_chain(k->name, c->jail, sizeof(c->jail)) < 0)
		return report_refuse(r, "name", k->name,
				     "chain f2b-<name> would be longer than 28 characters");
	snprintf(c->name, sizeof(c->name), "%s", k->name);
	if (!chain || !value_xt_chain_ok(chain))
		return report_refuse(r, "chain", chain, "not a valid chain name");
	if (strcmp(chain, c->jail) == 0)
		return report_refuse(r, "chain", chain, "that is the jail's own chain");
	snprintf(c->chain, sizeof(c->chain), "%s", chain);
	st = value_match_keys(value_of(kind->keys, k->values, "protocol"), ports, &c->protos, r);
	if (st == NFBAN_OK)
		st = target(c, k, "blocktype", &c->block, r);
	if (st == NFBAN_OK)
		st = target(c, k, "returntype", &c->ret, r);
	c->lock_wait = (unsigned)strtoul(value_of(kind->keys, k->values, "lock_wait"), NULL, 10);
	c->backend = value_is(kind->keys, k->values, "backend", "legacy") ? IPT_BACKEND_LEGACY
		   : value_is(kind->keys, k->values, "backend", "nft")    ? IPT_BACKEND_NFT
									 : IPT_BACKEND_AUTO;
	return st;
}

enum nfban_status ipt_configure(const struct ipt_kind *kind, const struct nfban_jail_keys *k,
				void **jail, struct nfban_report *r)
{
	/* Not calloc: the protocol table would fault in nine pages a shim never reads (conf.h). */
	struct ipt_conf *c = malloc(sizeof(*c));
	enum nfban_status st;

	*jail = NULL;
	if (!c)
		return report_nomem(r, "building the rules");
	memset(c, 0, offsetof(struct ipt_conf, protos));
	c->protos.n = 0;
	st = fill(c, kind, k, r);
	if (st != NFBAN_OK) {
		free(c);
		return st;
	}
	*jail = c;
	return NFBAN_OK;
}

void ipt_release(void *jail)
{
	free(jail);
}
