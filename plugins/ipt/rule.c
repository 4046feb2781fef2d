// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rule.c - building struct ipt_rule values: targets from Fail2ban's
 * blocktype/returntype, and the port matches (see rule.h).
 *
 * Match payloads are filled exactly as iptables' own extensions fill them
 * (libxt_multiport, libxt_tcp, libxt_udp, libxt_sctp, libxt_dccp), so a rule
 * nfban adds is the same bytes as the one `iptables` adds, and each can
 * find and delete the other's.  Ports are host byte order in these structs.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_dccp.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_sctp.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "rule.h"

struct ipt_rule *ipt_rules_add(struct ipt_rules *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct ipt_rule *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			errno = ENOMEM;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

void ipt_rules_free(struct ipt_rules *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void ipt_rule_set_proto(struct ipt_rule *r, uint8_t proto)
{
	r->has_proto = true;
	r->proto = proto;
}

struct ipt_ext *ipt_rule_add_match(struct ipt_rule *r)
{
	struct ipt_ext *m;

	if (r->n_matches == IPT_MATCHES_MAX)
		return NULL;
	m = &r->match[r->n_matches++];
	memset(m, 0, sizeof(*m));
	return m;
}

static void ext_set(struct ipt_ext *x, const char *name, uint8_t revision, const void *data,
		    uint16_t size)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->revision = revision;
	x->size = size;
	memcpy(x->data, data, size);
}

int ipt_target_standard(struct ipt_rule *r, const char *label)
{
	int verdict = 0;        /* libiptc fills the verdict in from the label */

	if (strlen(label) >= sizeof(r->target.name))
		return -1;
	r->standard = true;
	ext_set(&r->target, label, 0, &verdict, sizeof(verdict));
	return 0;
}

int ipt_target_verdict(struct ipt_rule *r, enum nfban_family fam, const struct value_xt_target *v,
		       const char **jump, char *why, size_t n)
{
	bool v6 = fam == NFBAN_INET6;
	int reset = v6 ? IP6T_TCP_RESET : IPT_TCP_RESET;
	int echo = v6 ? IP6T_ICMP6_ECHOREPLY : IPT_ICMP_ECHOREPLY;
	int last = v6 ? IP6T_ICMP6_REJECT_ROUTE : IPT_ICMP_ADMIN_PROHIBITED;
	uint32_t with;

	*jump = NULL;
	switch (v->kind) {
	case VALUE_XT_ACCEPT:
		return ipt_target_standard(r, "ACCEPT");
	case VALUE_XT_DROP:
		return ipt_target_standard(r, "DROP");
	case VALUE_XT_RETURN:
		return ipt_target_standard(r, "RETURN");
	case VALUE_XT_JUMP:
		if (!memchr(v->chain, '\0', sizeof(v->chain)) || !v->chain[0] ||
		    ipt_target_standard(r, v->chain) < 0) {
			snprintf(why, n, "not a valid chain name to jump to");
			return -1;
		}
		*jump = r->target.name;
		return 0;
	case VALUE_XT_REJECT:
		/* The kernel dropped ECHOREPLY; values past the enum do not exist. */
		if (v->reject_with < 0 || v->reject_with > last || v->reject_with == echo) {
			snprintf(why, n, "reject type %d does not exist for %s", v->reject_with,
				 v6 ? "IPv6" : "IPv4");
			return -1;
		}
		if (v->reject_with == reset)
			ipt_rule_set_proto(r, IPPROTO_TCP);
		/* struct ipt_reject_info and ip6t_reject_info: one 32-bit enum. */
		with = (uint32_t)v->reject_with;
		r->standard = false;
		ext_set(&r->target, "REJECT", 0, &with, sizeof(with));
		return 0;
	}
	snprintf(why, n, "unknown target kind %d", (int)v->kind);
	return -1;
}

unsigned ipt_match_multiport(struct ipt_ext *m, const struct value_port_range *ports, unsigned n)
{
	struct xt_multiport_v1 mp;
	unsigned used = 0, slot = 0;

	memset(&mp, 0, sizeof(mp));
	mp.flags = XT_MULTIPORT_DESTINATION;
	for (; used < n; used++) {
		const struct value_port_range *pr = &ports[used];
		unsigned need = pr->first == pr->last ? 1 : 2;

		if (slot + need > XT_MULTI_PORTS)
			break;
		mp.ports[slot] = pr->first;
		if (need == 2) {
			/* A range is two slots: its start flagged in pflags, then its end. */
			mp.pflags[slot++] = 1;
			mp.ports[slot] = pr->last;
		}
		slot++;
	}
	mp.count = (uint8_t)slot;
	ext_set(m, "multiport", 1, &mp, sizeof(mp));
	return used;
}

int ipt_match_dport(struct ipt_ext *m, uint8_t proto, const struct value_port_range *port)
{
	switch (proto) {
	case IPPROTO_TCP: {
		struct xt_tcp t;

		memset(&t, 0, sizeof(t));
		t.spts[1] = 0xffff;
		t.dpts[0] = port->first;
		t.dpts[1] = port->last;
		ext_set(m, "tcp", 0, &t, sizeof(t));
		return 0;
	}
	case IPPROTO_UDP: {
		struct xt_udp u;

		memset(&u, 0, sizeof(u));
		u.spts[1] = 0xffff;
		u.dpts[0] = port->first;
		u.dpts[1] = port->last;
		ext_set(m, "udp", 0, &u, sizeof(u));
		return 0;
	}
	case IPPROTO_SCTP: {
		struct xt_sctp_info s;

		/* libxt_sctp leaves spts at 0 (unused without XT_SCTP_SRC_PORTS)
		 * and marks every flag_info slot unused with chunktype 0xff. */
		memset(&s, 0, sizeof(s));
		for (unsigned i = 0; i < XT_NUM_SCTP_FLAGS; i++)
			s.flag_info[i].chunktype = 0xff;
		s.dpts[0] = port->first;
		s.dpts[1] = port->last;
		s.flags = XT_SCTP_DEST_PORTS;
		ext_set(m, "sctp", 0, &s, sizeof(s));
		return 0;
	}
	case IPPROTO_DCCP: {
		struct xt_dccp_info d;

		/* libxt_dccp, too, leaves spts at 0. */
		memset(&d, 0, sizeof(d));
		d.dpts[0] = port->first;
		d.dpts[1] = port->last;
		d.flags = XT_DCCP_DEST_PORTS;
		ext_set(m, "dccp", 0, &d, sizeof(d));
		return 0;
	}
	default:
		return -1;
	}
}

/* Byte i of x's payload as the kernel holds it: zero padding after size. */
static uint8_t ext_byte(const struct ipt_ext *x, size_t i)
{
	return i < x->size ? x->data[i] : 0;
}

static bool ext_same(const struct ipt_ext *a, const struct ipt_ext *b)
{
	size_t la = XT_ALIGN(a->size), lb = XT_ALIGN(b->size), n = la > lb ? la : lb;

	if (strcmp(a->name, b->name) != 0 || a->revision != b->revision)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ext_byte(a, i) != ext_byte(b, i))
			return false;
	return true;
}

static unsigned src_bits(const struct ipt_rule *r)
{
	unsigned max = r->src.family == NFBAN_INET6 ? 128 : 32;

	if (!r->has_src)
		return 0;
	return r->src.prefix > max ? max : r->src.prefix;
}

static bool src_same(const struct ipt_rule *a, const struct ipt_rule *b)
{
	unsigned bits = src_bits(a);

	if (bits != src_bits(b))
		return false;
	if (bits == 0)
		return true;
	if (a->src.family != b->src.family || memcmp(a->src.u.bytes, b->src.u.bytes, bits / 8) != 0)
		return false;
	if (bits % 8) {
		uint8_t m = (uint8_t)(0xff00u >> (bits % 8));

		return (a->src.u.bytes[bits / 8] & m) == (b->src.u.bytes[bits / 8] & m);
	}
	return true;
}

bool ipt_rule_same(const struct ipt_rule *a, const struct ipt_rule *b)
{
	if ((a->has_proto ? a->proto : 0) != (b->has_proto ? b->proto : 0) || !src_same(a, b) ||
	    a->n_matches != b->n_matches || a->standard != b->standard)
		return false;
	for (unsigned i = 0; i < a->n_matches && i < IPT_MATCHES_MAX; i++)
		if (!ext_same(&a->match[i], &b->match[i]))
			return false;
	if (a->standard)
		return strcmp(a->target.name, b->target.name) == 0;
	return ext_same(&a->target, &b->target);
}
