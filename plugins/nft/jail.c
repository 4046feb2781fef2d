/*
 * jail.c - struct nft_jail from struct nfban_params, and the port lists
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
	const struct nfban_port_range *x = a, *y = b;

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

int nft_ports_match(struct nft_rule_spec *rs, const struct nfban_port_range *ports, unsigned n,
		    char *why, size_t whylen)
{
	struct nfban_port_range sorted[NFBAN_MAX_PORTS];
	bool ranges = false;
	unsigned m = 0;

	rs->n_elems = 0;
	if (n == 0 || n > NFBAN_MAX_PORTS) {
		snprintf(why, whylen, "%u ports for protocol %s (1 to %d)", n, rs->what, NFBAN_MAX_PORTS);
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

static bool has_dport(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

static int multiport_rules(struct nft_jail *j, const struct nfban_params *p, char *why, size_t n)
{
	for (unsigned i = 0; i < p->n_protos; i++) {
		const struct nfban_proto *pr = &p->protos[i];
		struct nft_rule_spec *rs = &j->rules[j->n_rules++];

		snprintf(rs->what, sizeof(rs->what), "%s", pr->name);
		if (!has_dport(pr->number)) {
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
static int allports_rule(struct nft_jail *j, const struct nfban_params *p, char *why, size_t n)
{
	struct nft_rule_spec *rs = &j->rules[j->n_rules++];
	size_t len = 0;

	(void)why;
	(void)n;
	rs->ports = false;
	len += (size_t)snprintf(rs->what, sizeof(rs->what), "l4proto ");
	for (unsigned i = 0; i < p->n_protos; i++) {
		if (p->protos[i].number == 0) {
			/* iptables-allports' "-p all", via fallback: every protocol. */
			rs->match = NFT_MATCH_NONE;
			rs->n_elems = 0;
			snprintf(rs->what, sizeof(rs->what), "all protocols");
			return 0;
		}
		if (len < sizeof(rs->what))
			len += (size_t)snprintf(rs->what + len, sizeof(rs->what) - len, "%s%s",
						i ? "," : "", p->protos[i].name);
		add_elem(rs, p->protos[i].number, false, false);
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
	const struct nfban_nft_verdict *v = &j->block;

	if (v->kind == NFBAN_NFT_DROP)
		return 0;
	if (v->kind != NFBAN_NFT_REJECT) {
		snprintf(why, n, "unknown blocktype");
		return -1;
	}
	switch (v->reject_type) {
	case NFBAN_NFT_REJECT_DEFAULT:
		return 0;
	case NFBAN_NFT_REJECT_ICMP:
		if (j->afam == NFBAN_INET4)
			return 0;
		snprintf(why, n, "reject with icmp is IPv4 only (family=inet6 wants icmpv6 or icmpx)");
		return -1;
	case NFBAN_NFT_REJECT_ICMPV6:
		if (j->afam == NFBAN_INET6)
			return 0;
		snprintf(why, n, "reject with icmpv6 is IPv6 only (family=inet4 wants icmp or icmpx)");
		return -1;
	case NFBAN_NFT_REJECT_ICMPX:
		/* nft refuses it too: "abstracted ICMP unreachable not supported". */
		if (j->family == NFPROTO_INET)
			return 0;
		snprintf(why, n, "reject with icmpx needs table_family=inet");
		return -1;
	case NFBAN_NFT_REJECT_TCP_RESET:
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

int nft_jail_init(struct nft_jail *j, const struct nfban_params *p, char *why, size_t n)
{
	const struct nfban_nft_params *t = &p->nft;

	memset(j, 0, sizeof(*j));
	j->family = t->table_family;
	j->afam = p->family;
	j->table = t->table;
	j->chain = t->chain;
	j->chain_type = t->chain_type;
	j->hook = t->chain_hook;
	j->prio = t->chain_priority;
	j->block = t->block;
	if (p->family != NFBAN_INET4 && p->family != NFBAN_INET6) {
		snprintf(why, n, "family is neither inet4 nor inet6");
		return -1;
	}
	if (!(j->family == NFPROTO_INET || (j->family == NFPROTO_IPV4 && p->family == NFBAN_INET4) ||
	      (j->family == NFPROTO_IPV6 && p->family == NFBAN_INET6))) {
		snprintf(why, n, "table_family %s cannot hold %s addresses", nft_family_name(j->family),
			 p->family == NFBAN_INET6 ? "IPv6" : "IPv4");
		return -1;
	}
	if (!t->table[0] || !t->chain[0] || !t->chain_type[0] || !p->name[0]) {
		snprintf(why, n, "empty table, chain, chain type or jail name");
		return -1;
	}
	snprintf(j->set, sizeof(j->set), "%s-%s", p->family == NFBAN_INET6 ? "addr6-set" : "addr-set",
		 p->name);
	if (p->n_protos == 0 || p->n_protos > NFBAN_MAX_PROTOS) {
		snprintf(why, n, "no protocol");
		return -1;
	}
	if ((t->type == NFBAN_NFT_MULTIPORT ? multiport_rules(j, p, why, n)
					    : allports_rule(j, p, why, n)) < 0)
		return -1;
	return verdict_ok(j, why, n);
}
