// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.c - struct nft_jail from struct nft_spec, and the port lists
 * normalised the way nft 1.0.6 does it for `<proto> dport { ... }`:
 *   - one entry: no set at all (`cmp eq`, or `cmp gte` + `cmp lte` for a range);
 *   - only single ports: an anonymous set of them, in the order given,
 *     duplicates kept (the kernel drops them);
 *   - any range: an anonymous interval set, sorted, overlapping and
 *     adjacent entries merged, each interval sent as its start plus an
 *     end element (last + 1, flagged INTERVAL_END), preceded by an end
 *     element at 0 when the first interval does not start at 0; an
 *     interval reaching 65535 has no end element but the "open" flag.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "jail.h"

const char *nft_family_name(uint8_t family)
{
	switch (family) {
	case NFPROTO_INET: return "inet";
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	default: return "?";
	}
}

static int by_first(const void *a, const void *b)
{
	const struct value_port_range *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->last < y->last ? -1 : x->last > y->last;
}

static void add_elem(struct nft_rule_spec *rs, uint16_t key, bool end, bool open)
{
	struct nft_elem *e = &rs->elems[rs->n_elems++];

	e->key = key;
	e->end = end;
	e->open = open;
}

int nft_ports_match(struct nft_rule_spec *rs, const struct value_port_range *ports, unsigned n,
		    char *why, size_t whylen)
{
	struct value_port_range sorted[VALUE_MAX_PORTS];
	bool ranges = false;
	unsigned m = 0;

	rs->n_elems = 0;
	if (n == 0 || n > VALUE_MAX_PORTS) {
		snprintf(why, whylen, "%u ports for protocol %s (1 to %d)", n, rs->what, VALUE_MAX_PORTS);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (ports[i].first > ports[i].last) {
			snprintf(why, whylen, "port range %u-%u is reversed", ports[i].first, ports[i].last);
			return -1;
		}
		ranges |= ports[i].first != ports[i].last;
	}
	if (n == 1) {
		rs->match = ranges ? NFT_MATCH_RANGE : NFT_MATCH_EQ;
		rs->lo = ports[0].first;
		rs->hi = ports[0].last;
		return 0;
	}
	if (!ranges) {
		rs->match = NFT_MATCH_SET;
		for (unsigned i = 0; i < n; i++)
			add_elem(rs, ports[i].first, false, false);
		return 0;
	}
	rs->match = NFT_MATCH_INTERVAL;
	memcpy(sorted, ports, n * sizeof(*ports));
	qsort(sorted, n, sizeof(*sorted), by_first);
	for (unsigned i = 1; i < n; i++) {
		/* Overlapping or adjacent: one interval (uint32_t: 65535 + 1 does not wrap). */
		if ((uint32_t)sorted[i].first <= (uint32_t)sorted[m].last + 1) {
			if (sorted[i].last > sorted[m].last)
				sorted[m].last = sorted[i].last;
		} else
			sorted[++m] = sorted[i];
	}
	if (sorted[0].first != 0)
		add_elem(rs, 0, true, false);
	for (unsigned i = 0; i <= m; i++) {
		if (sorted[i].last == UINT16_MAX) {
			add_elem(rs, sorted[i].first, false, true);
		} else {
			add_elem(rs, sorted[i].first, false, false);
			add_elem(rs, (uint16_t)(sorted[i].last + 1), true, false);
		}
	}
	return 0;
}

/* A rule of j's, zeroed but for its elements (struct nft_rule_spec). */
static struct nft_rule_spec *new_rule(struct nft_jail *j)
{
	struct nft_rule_spec *rs = &j->rules[j->n_rules++];

	memset(rs, 0, offsetof(struct nft_rule_spec, elems));
	return rs;
}

static int multiport_rules(struct nft_jail *j, const struct value_protos *p, char *why, size_t n)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct value_proto *pr = &p->v[i];
		struct nft_rule_spec *rs = new_rule(j);

		snprintf(rs->what, sizeof(rs->what), "%s", pr->name);
		if (!value_proto_has_ports(pr->number)) {
			snprintf(why, n, "protocol %s has no ports (multiport takes tcp, udp, sctp, dccp)",
				 pr->name);
			return -1;
		}
		rs->ports = true;
		rs->l4proto = pr->number;
		if (nft_ports_match(rs, pr->ports, pr->n_ports, why, n) < 0)
			return -1;
	}
	return 0;
}

/* One rule: meta l4proto { protocols } (or no l4 match at all with "all"). */
static int allports_rule(struct nft_jail *j, const struct value_protos *p, char *why, size_t n)
{
	struct nft_rule_spec *rs = new_rule(j);
	size_t len = 0;

	(void)why;
	(void)n;
	rs->ports = false;
	len += (size_t)snprintf(rs->what, sizeof(rs->what), "l4proto ");
	for (unsigned i = 0; i < p->n; i++) {
		if (p->v[i].number == 0) {
			/* iptables-allports' "-p all", via fallback: every protocol. */
			rs->match = NFT_MATCH_NONE;
			rs->n_elems = 0;
			snprintf(rs->what, sizeof(rs->what), "all protocols");
			return 0;
		}
		if (len < sizeof(rs->what))
			len += (size_t)snprintf(rs->what + len, sizeof(rs->what) - len, "%s%s",
						i ? "," : "", p->v[i].name);
		add_elem(rs, p->v[i].number, false, false);
	}
	if (rs->n_elems == 1) {
		rs->match = NFT_MATCH_EQ;
		rs->lo = rs->hi = rs->elems[0].key;
		rs->n_elems = 0;
	} else
		rs->match = NFT_MATCH_SET;
	return 0;
}

static int verdict_ok(const struct nft_jail *j, char *why, size_t n)
{
	const struct value_nft_verdict *v = &j->block;

	if (v->kind == VALUE_NFT_DROP)
		return 0;
	if (v->kind != VALUE_NFT_REJECT) {
		snprintf(why, n, "unknown blocktype");
		return -1;
	}
	switch (v->reject) {
	case VALUE_NFT_REJECT_DEFAULT:
		return 0;
	case VALUE_NFT_REJECT_ICMP:
		if (j->addr_family == NFBAN_INET4)
			return 0;
		snprintf(why, n, "reject with icmp is IPv4 only (family=inet6 wants icmpv6 or icmpx)");
		return -1;
	case VALUE_NFT_REJECT_ICMPV6:
		if (j->addr_family == NFBAN_INET6)
			return 0;
		snprintf(why, n, "reject with icmpv6 is IPv6 only (family=inet4 wants icmp or icmpx)");
		return -1;
	case VALUE_NFT_REJECT_ICMPX:
		/* nft refuses it too: "abstracted ICMP unreachable not supported". */
		if (j->table_family == NFPROTO_INET)
			return 0;
		snprintf(why, n, "reject with icmpx needs table_family=inet");
		return -1;
	case VALUE_NFT_REJECT_TCP_RESET:
		for (unsigned i = 0; i < j->n_rules; i++) {
			const struct nft_rule_spec *rs = &j->rules[i];

			if (rs->ports ? rs->l4proto != IPPROTO_TCP
				      : rs->match != NFT_MATCH_EQ || rs->lo != IPPROTO_TCP) {
				snprintf(why, n, "reject with tcp reset needs protocol=tcp");
				return -1;
			}
		}
		return 0;
	}
	snprintf(why, n, "unknown reject type");
	return -1;
}

int nft_jail_init(struct nft_jail *j, const struct nft_spec *s, char *why, size_t n)
{
	memset(j, 0, offsetof(struct nft_jail, rules));
	j->table_family = s->table_family;
	j->addr_family = s->addr_family;
	j->table = s->table;
	j->chain = s->chain;
	j->chain_type = s->chain_type;
	j->hook = s->hook;
	j->prio = s->prio;
	j->block = s->block;
	if (s->addr_family != NFBAN_INET4 && s->addr_family != NFBAN_INET6) {
		snprintf(why, n, "family is neither inet4 nor inet6");
		return -1;
	}
	if (!(j->table_family == NFPROTO_INET ||
	      (j->table_family == NFPROTO_IPV4 && s->addr_family == NFBAN_INET4) ||
	      (j->table_family == NFPROTO_IPV6 && s->addr_family == NFBAN_INET6))) {
		snprintf(why, n, "table_family %s cannot hold %s addresses",
			 nft_family_name(j->table_family), s->addr_family == NFBAN_INET6 ? "IPv6" : "IPv4");
		return NFT_JAIL_BAD_TABLE_FAMILY;
	}
	if (!s->table[0] || !s->chain[0] || !s->chain_type[0] || !s->name[0]) {
		snprintf(why, n, "empty table, chain, chain type or jail name");
		return -1;
	}
	if (value_nft_jail_set(s->name, s->addr_family, j->set, sizeof(j->set)) < 0) {
		snprintf(why, n, "jail name too long for its set's name");
		return -1;
	}
	snprintf(j->label, sizeof(j->label), "%s table %s", nft_family_name(j->table_family),
		 s->table);
	for (unsigned i = 0; i < 2; i++)
		snprintf(j->elem_what[i], sizeof(j->elem_what[i]), "%s set %s %s %s",
			 i ? "delete element from" : "add element to",
			 nft_family_name(j->table_family), s->table, j->set);
	if (s->protos.n == 0 || s->protos.n > VALUE_MAX_PROTOS) {
		snprintf(why, n, "no protocol");
		return -1;
	}
	if ((s->allports ? allports_rule(j, &s->protos, why, n)
			 : multiport_rules(j, &s->protos, why, n)) < 0)
		return -1;
	return verdict_ok(j, why, n) < 0 ? NFT_JAIL_BAD_VERDICT : 0;
}
