// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf.c - the nftables plugin's keys, parsed and checked once (see conf.h).
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include "conf.h"
#include "report.h"
#include "nfnl/sig.h"

/* The largest port list (VALUE_MAX_PORTS ranges) fits a rule's signature and
 * one set-element message (16 to 28 bytes an element, one 64 KiB attribute). */
_Static_assert(NFT_SIG_MAX >= 1024 + 8 * NFT_MAX_ELEMS, "signature room for the largest set");
_Static_assert(28 * NFT_MAX_ELEMS + 1024 < 65536, "the largest set's elements in one attribute");

const struct nfban_key nft_keys[] = {
	/* In the order the action files pass them (tools/check_actions). */
	{ "type", NFBAN_KEY_CHOICE, "multiport", "multiport|allports", 0 },
	{ "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH },
	{ "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH },
	{ "table", NFBAN_KEY_NFT_NAME, VALUE_NFT_TABLE_DEFAULT, NULL, 0 },
	{ "table_family", NFBAN_KEY_CHOICE, "inet", "inet|ip|ip6", 0 },
	{ "chain", NFBAN_KEY_NFT_NAME, VALUE_NFT_CHAIN_DEFAULT, NULL, 0 },
	{ "chain_type", NFBAN_KEY_CHOICE, "filter", "filter|route|nat", 0 },
	{ "chain_hook", NFBAN_KEY_NFT_HOOK, "input", NULL, 0 },
	{ "chain_priority", NFBAN_KEY_NFT_PRIORITY, "-1", NULL, 0 },
	{ "blocktype", NFBAN_KEY_NFT_VERDICT, "reject", NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

#define VAL(k, key) value_of(nft_keys, (k)->values, key)

/* Copy a checked text into its place in the conf. */
static enum nfban_status text(char *dst, size_t n, const struct nfban_jail_keys *k, const char *key,
			      struct nfban_report *r)
{
	const char *v = VAL(k, key);

	if (!v || strlen(v) >= n)
		return report_refuse(r, key, v, "missing or longer than %zu characters", n - 1);
	snprintf(dst, n, "%s", v);
	return NFBAN_OK;
}

static enum nfban_status words(const struct nfban_jail_keys *k, struct nft_spec *s,
			       struct nfban_report *r)
{
	const char *tf = VAL(k, "table_family");
	char why[NFBAN_MSG_MAX];

	if (value_parse_nft_hook(VAL(k, "chain_hook"), &s->hook, why, sizeof(why)) < 0)
		return report_refuse(r, "chain_hook", VAL(k, "chain_hook"), "%s", why);
	if (value_parse_nft_priority(VAL(k, "chain_priority"), &s->prio, why, sizeof(why)) < 0)
		return report_refuse(r, "chain_priority", VAL(k, "chain_priority"), "%s", why);
	if (value_parse_nft_verdict(VAL(k, "blocktype"), &s->block, why, sizeof(why)) < 0)
		return report_refuse(r, "blocktype", VAL(k, "blocktype"), "%s", why);
	if (strcmp(tf, "inet") == 0)
		s->table_family = NFPROTO_INET;
	else if (strcmp(tf, "ip") == 0 && k->family == NFBAN_INET4)
		s->table_family = NFPROTO_IPV4;
	else if (strcmp(tf, "ip6") == 0 && k->family == NFBAN_INET6)
		s->table_family = NFPROTO_IPV6;
	else
		return report_refuse(r, "table_family", tf,
				     "must be inet, or ip with family=inet4, or ip6 with family=inet6");
	return NFBAN_OK;
}

static enum nfban_status fill(struct nft_conf *c, const struct nfban_jail_keys *k,
			      struct nfban_report *r)
{
	struct nft_spec s;
	char why[NFBAN_MSG_MAX];
	enum nfban_status st;
	int rc;

	memset(&s, 0, offsetof(struct nft_spec, protos));       /* (value_match_keys fills it) */
	s.allports = value_is(nft_keys, k->values, "type", "allports");
	snprintf(c->name, sizeof(c->name), "%s", k->name);
	if ((st = text(c->table, sizeof(c->table), k, "table", r)) != NFBAN_OK ||
	    (st = text(c->chain, sizeof(c->chain), k, "chain", r)) != NFBAN_OK ||
	    (st = text(c->chain_type, sizeof(c->chain_type), k, "chain_type", r)) != NFBAN_OK ||
	    (st = words(k, &s, r)) != NFBAN_OK)
		return st;
	/* nftables' allports type matches protocols, not ports. */
	st = value_match_keys(VAL(k, "protocol"), s.allports ? NULL : VAL(k, "port"), &s.protos, r);
	if (st != NFBAN_OK)
		return st;
	s.name = c->name;
	s.addr_family = k->family;
	s.table = c->table;
	s.chain = c->chain;
	s.chain_type = c->chain_type;
	rc = nft_jail_init(&c->j, &s, why, sizeof(why));
	if (rc == NFT_JAIL_BAD_VERDICT)
		return report_refuse(r, "blocktype", VAL(k, "blocktype"), "%s", why);
	if (rc == NFT_JAIL_BAD_TABLE_FAMILY)
		return report_refuse(r, "table_family", VAL(k, "table_family"), "%s", why);
	if (rc < 0) {
		return report_fail(r, NFBAN_BADPARAM, 0, "%s", why);
	}
	return NFBAN_OK;
}

enum nfban_status nft_configure(const struct nfban_jail_keys *k, void **jail,
				struct nfban_report *r)
{
	/* Not calloc: 66 KiB, most of it room for rules' elements that nft_jail_init fills as far
	 * as they are read; clearing it would fault in 17 pages a shim never reads. */
	struct nft_conf *c = malloc(sizeof(*c));
	enum nfban_status st;

	*jail = NULL;
	if (!c)
		return report_nomem(r, "allocating the jail");
	memset(c, 0, offsetof(struct nft_conf, j));
	st = fill(c, k, r);
	if (st != NFBAN_OK) {
		free(c);
		return st;
	}
	*jail = c;
	return NFBAN_OK;
}

void nft_release(void *jail)
{
	free(jail);
}
