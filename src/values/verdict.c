// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * verdict.c - what a ban does: iptables targets (blocktype,
 * returntype) and nft verdicts, plus the nft hook and priority words.
 *
 * The REJECT types are the ones the kernel's REJECT target takes for each
 * family (linux/netfilter_ipv4/ipt_REJECT.h, netfilter_ipv6/ip6t_REJECT.h),
 * under the names and aliases iptables accepts for --reject-with.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "text.h"
#include "values.h"

struct named {
	const char *name;
	const char *alias;
	int value;
};

static const struct named reject4[] = {
	{ "icmp-net-unreachable", "net-unreach", IPT_ICMP_NET_UNREACHABLE },
	{ "icmp-host-unreachable", "host-unreach", IPT_ICMP_HOST_UNREACHABLE },
	{ "icmp-proto-unreachable", "proto-unreach", IPT_ICMP_PROT_UNREACHABLE },
	{ "icmp-port-unreachable", "port-unreach", IPT_ICMP_PORT_UNREACHABLE },
	{ "icmp-net-prohibited", "net-prohib", IPT_ICMP_NET_PROHIBITED },
	{ "icmp-host-prohibited", "host-prohib", IPT_ICMP_HOST_PROHIBITED },
	{ "tcp-reset", "tcp-rst", IPT_TCP_RESET },
	{ "icmp-admin-prohibited", "admin-prohib", IPT_ICMP_ADMIN_PROHIBITED },
	{ NULL, NULL, 0 }
};

static const struct named reject6[] = {
	{ "icmp6-no-route", "no-route", IP6T_ICMP6_NO_ROUTE },
	{ "icmp6-adm-prohibited", "adm-prohibited", IP6T_ICMP6_ADM_PROHIBITED },
	{ "icmp6-addr-unreachable", "addr-unreach", IP6T_ICMP6_ADDR_UNREACH },
	{ "icmp6-port-unreachable", "port-unreach", IP6T_ICMP6_PORT_UNREACH },
	{ "tcp-reset", "tcp-rst", IP6T_TCP_RESET },
	{ "icmp6-policy-fail", "policy-fail", IP6T_ICMP6_POLICY_FAIL },
	{ "icmp6-reject-route", "reject-route", IP6T_ICMP6_REJECT_ROUTE },
	{ NULL, NULL, 0 }
};

/* nft's names for the codes of `reject with icmp|icmpv6|icmpx type X`. */
static const struct named nft_icmp[] = {
	{ "net-unreachable", NULL, ICMP_NET_UNREACH },
	{ "host-unreachable", NULL, ICMP_HOST_UNREACH },
	{ "prot-unreachable", NULL, ICMP_PROT_UNREACH },
	{ "port-unreachable", NULL, ICMP_PORT_UNREACH },
	{ "net-prohibited", NULL, ICMP_NET_ANO },
	{ "host-prohibited", NULL, ICMP_HOST_ANO },
	{ "admin-prohibited", NULL, ICMP_PKT_FILTERED },
	{ NULL, NULL, 0 }
};

static const struct named nft_icmpv6[] = {
	{ "no-route", NULL, ICMPV6_NOROUTE },
	{ "admin-prohibited", NULL, ICMPV6_ADM_PROHIBITED },
	{ "addr-unreachable", NULL, ICMPV6_ADDR_UNREACH },
	{ "port-unreachable", NULL, ICMPV6_PORT_UNREACH },
	{ "policy-fail", NULL, ICMPV6_POLICY_FAIL },
	{ "reject-route", NULL, ICMPV6_REJECT_ROUTE },
	{ NULL, NULL, 0 }
};

static const struct named nft_icmpx[] = {
	{ "no-route", NULL, NFT_REJECT_ICMPX_NO_ROUTE },
	{ "port-unreachable", NULL, NFT_REJECT_ICMPX_PORT_UNREACH },
	{ "host-unreachable", NULL, NFT_REJECT_ICMPX_HOST_UNREACH },
	{ "admin-prohibited", NULL, NFT_REJECT_ICMPX_ADMIN_PROHIBITED },
	{ NULL, NULL, 0 }
};

static const struct named nft_hooks[] = {
	{ "prerouting", NULL, NF_INET_PRE_ROUTING },
	{ "input", NULL, NF_INET_LOCAL_IN },
	{ "forward", NULL, NF_INET_FORWARD },
	{ "output", NULL, NF_INET_LOCAL_OUT },
	{ "postrouting", NULL, NF_INET_POST_ROUTING },
	{ NULL, NULL, 0 }
};

/* nft's standard priority names (nft(8), "CHAINS"). */
static const struct named nft_prios[] = {
	{ "raw", NULL, -300 },
	{ "mangle", NULL, -150 },
	{ "dstnat", NULL, -100 },
	{ "filter", NULL, 0 },
	{ "security", NULL, 50 },
	{ "srcnat", NULL, 100 },
	{ NULL, NULL, 0 }
};

static const struct named *lookup(const struct named *t, const char *name)
{
	for (; t->name; t++)
		if (strcmp(t->name, name) == 0 || (t->alias && strcmp(t->alias, name) == 0))
			return t;
	return NULL;
}

/*
 * The other family's nearest REJECT type, for a blocktype written for one
 * family and used for the other (jail.local's common
 * `REJECT --reject-with icmp-host-prohibited` reaches IPv6 bans too).
 */
static const struct {
	int v4, v6;
} reject_pairs[] = {
	{ IPT_ICMP_PORT_UNREACHABLE, IP6T_ICMP6_PORT_UNREACH },
	{ IPT_ICMP_PROT_UNREACHABLE, IP6T_ICMP6_PORT_UNREACH },
	{ IPT_ICMP_NET_UNREACHABLE, IP6T_ICMP6_NO_ROUTE },
	{ IPT_ICMP_HOST_UNREACHABLE, IP6T_ICMP6_ADDR_UNREACH },
	{ IPT_ICMP_ADMIN_PROHIBITED, IP6T_ICMP6_ADM_PROHIBITED },
	{ IPT_ICMP_NET_PROHIBITED, IP6T_ICMP6_ADM_PROHIBITED },
	{ IPT_ICMP_HOST_PROHIBITED, IP6T_ICMP6_ADM_PROHIBITED },
	{ IPT_TCP_RESET, IP6T_TCP_RESET },
};

int value_xt_reject_counterpart(enum nfban_family to, int with)
{
	for (size_t i = 0; i < sizeof(reject_pairs) / sizeof(reject_pairs[0]); i++) {
		/* Back to IPv4, the first pair of an IPv6 type is its counterpart. */
		if (to == NFBAN_INET6 && reject_pairs[i].v4 == with)
			return reject_pairs[i].v6;
		if (to == NFBAN_INET4 && reject_pairs[i].v6 == with)
			return reject_pairs[i].v4;
	}
	/* icmp6-policy-fail, icmp6-reject-route: administrative refusals. */
	return to == NFBAN_INET4 ? IPT_ICMP_ADMIN_PROHIBITED : -1;
}

int value_parse_xt_target_mapped(const char *text, enum nfban_family fam, struct value_xt_target *t,
				 int *mapped, char *why, size_t n)
{
	enum nfban_family other = fam == NFBAN_INET6 ? NFBAN_INET4 : NFBAN_INET6;
	char dummy[256];
	int with;

	*mapped = -1;
	if (value_parse_xt_target(text, fam, t, why, n) == 0)
		return 0;
	if (value_parse_xt_target(text, other, t, dummy, sizeof(dummy)) < 0 ||
	    t->kind != VALUE_XT_REJECT || (with = value_xt_reject_counterpart(fam, t->reject_with)) < 0)
		return -1;
	*mapped = t->reject_with;
	t->reject_with = with;
	return 0;
}

const char *value_xt_reject_name(enum nfban_family fam, int with)
{
	for (const struct named *t = fam == NFBAN_INET6 ? reject6 : reject4; t->name; t++)
		if (t->value == with)
			return t->name;
	return "?";
}

int value_parse_xt_target(const char *value, enum nfban_family fam, struct value_xt_target *v,
			  char *why, size_t n)
{
	char buf[256], *w[4], *type = NULL, echo[TEXT_ECHO_WORD];
	int nw = text_words(value, buf, sizeof(buf), w, 4);
	const struct named *r;

	memset(v, 0, sizeof(*v));
	if (nw <= 0) {
		snprintf(why, n, nw == 0 ? "empty target" : "not a target this action supports");
		return -1;
	}
	if (strcmp(w[0], "REJECT") == 0) {
		if (nw == 2 && strncmp(w[1], "--reject-with=", 14) == 0)
			type = w[1] + 14;
		else if (nw == 3 && strcmp(w[1], "--reject-with") == 0)
			type = w[2];
		else if (nw != 1) {
			snprintf(why, n, "REJECT takes only '--reject-with TYPE'");
			return -1;
		}
		v->kind = VALUE_XT_REJECT;
		if (!type) {
			/* The REJECT target's own default for each family. */
			v->reject_with = fam == NFBAN_INET6 ? IP6T_ICMP6_PORT_UNREACH
							    : IPT_ICMP_PORT_UNREACHABLE;
			return 0;
		}
		r = lookup(fam == NFBAN_INET6 ? reject6 : reject4, type);
		if (!r) {
			int other = lookup(fam == NFBAN_INET6 ? reject4 : reject6, type) != NULL;

			text_echo(type, echo, sizeof(echo));
			snprintf(why, n, "'%s' is not a reject type for %s%s", echo,
				 fam == NFBAN_INET6 ? "IPv6" : "IPv4",
				 other ? (fam == NFBAN_INET6 ? " (it is an IPv4 one: family=inet6 wants icmp6-*)"
							     : " (it is an IPv6 one)")
				       : "");
			return -1;
		}
		v->reject_with = r->value;
		return 0;
	}
	if (nw != 1) {
		snprintf(why, n, "only DROP, REJECT [--reject-with TYPE], ACCEPT, RETURN or a user chain");
		return -1;
	}
	if (strcmp(w[0], "DROP") == 0)
		v->kind = VALUE_XT_DROP;
	else if (strcmp(w[0], "ACCEPT") == 0)
		v->kind = VALUE_XT_ACCEPT;
	else if (strcmp(w[0], "RETURN") == 0)
		v->kind = VALUE_XT_RETURN;
	else if (value_xt_chain_ok(w[0])) {
		/* Any other word is a jump to a user chain; the plugin checks it exists. */
		v->kind = VALUE_XT_JUMP;
		snprintf(v->chain, sizeof(v->chain), "%s", w[0]);
	} else {
		text_echo(w[0], echo, sizeof(echo));
		snprintf(why, n, "'%s' is not a valid chain name (1 to %d characters)", echo,
			 VALUE_XT_NAME_MAX - 1);
		return -1;
	}
	return 0;
}

int value_parse_nft_verdict(const char *value, struct value_nft_verdict *v, char *why, size_t n)
{
	char buf[256], *w[6], echo[TEXT_ECHO_WORD];
	int nw = text_words(value, buf, sizeof(buf), w, 6);
	const struct named *table = NULL, *r;
	const char *code;

	memset(v, 0, sizeof(*v));
	if (nw == 1 && strcmp(w[0], "drop") == 0) {
		v->kind = VALUE_NFT_DROP;
		return 0;
	}
	if (nw <= 0 || strcmp(w[0], "reject") != 0)
		goto bad;
	v->kind = VALUE_NFT_REJECT;
	v->reject = VALUE_NFT_REJECT_DEFAULT;
	if (nw == 1)
		return 0;
	if (nw < 3 || strcmp(w[1], "with") != 0)
		goto bad;
	if (nw == 4 && strcmp(w[2], "tcp") == 0 && strcmp(w[3], "reset") == 0) {
		v->reject = VALUE_NFT_REJECT_TCP_RESET;
		return 0;
	}
	if (strcmp(w[2], "icmp") == 0) {
		v->reject = VALUE_NFT_REJECT_ICMP;
		table = nft_icmp;
	} else if (strcmp(w[2], "icmpv6") == 0) {
		v->reject = VALUE_NFT_REJECT_ICMPV6;
		table = nft_icmpv6;
	} else if (strcmp(w[2], "icmpx") == 0) {
		v->reject = VALUE_NFT_REJECT_ICMPX;
		table = nft_icmpx;
	} else
		goto bad;
	/* "reject with icmp type X" and the newer "reject with icmp X". */
	if (nw == 5 && strcmp(w[3], "type") == 0)
		code = w[4];
	else if (nw == 4)
		code = w[3];
	else
		goto bad;
	r = lookup(table, code);
	if (!r) {
		text_echo(code, echo, sizeof(echo));
		snprintf(why, n, "unknown %s reject type '%s'", w[2], echo);
		return -1;
	}
	v->icmp_code = (uint8_t)r->value;
	return 0;
bad:
	snprintf(why, n, "only drop, reject, reject with icmp|icmpv6|icmpx type CODE, "
			 "or reject with tcp reset");
	return -1;
}

int value_parse_nft_hook(const char *value, uint32_t *hook, char *why, size_t n)
{
	const struct named *r = lookup(nft_hooks, value);

	if (!r) {
		snprintf(why, n, "not one of prerouting, input, forward, output, postrouting");
		return -1;
	}
	*hook = (uint32_t)r->value;
	return 0;
}

/* An integer, or a standard name optionally followed by +N or -N. */
int value_parse_nft_priority(const char *value, int32_t *prio, char *why, size_t n)
{
	char buf[64], *p = buf, *end;
	long base = 0, off = 0;
	size_t len = 0;

	for (const char *s = value; *s; s++)
		if (!isspace((unsigned char)*s)) {
			if (len + 1 >= sizeof(buf))
				goto bad;
			buf[len++] = *s;
		}
	buf[len] = '\0';
	if (len == 0)
		goto bad;
	if (isalpha((unsigned char)*p)) {
		const struct named *t;

		while (isalpha((unsigned char)*p))
			p++;
		for (t = nft_prios; t->name; t++)
			if (strlen(t->name) == (size_t)(p - buf) && strncmp(t->name, buf, (size_t)(p - buf)) == 0)
				break;
		if (!t->name)
			goto bad;
		base = t->value;
		if (*p == '\0') {
			*prio = (int32_t)base;
			return 0;
		}
		if (*p != '+' && *p != '-')
			goto bad;
	}
	errno = 0;
	off = strtol(p, &end, 10);
	if (errno || *end || end == p || off < INT_MIN / 2 || off > INT_MAX / 2)
		goto bad;
	*prio = (int32_t)(base + off);
	return 0;
bad:
	snprintf(why, n, "not an integer or a priority name (raw, mangle, dstnat, filter, "
			 "security, srcnat) with an optional +N/-N");
	return -1;
}
