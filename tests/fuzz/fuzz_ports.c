// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_ports.c - port= and protocol=: value_parse_ports(),
 * value_parse_protocols() and value_match_keys(), which plugins'
 * configure() run on texts libnfban's check let through.
 *
 * The input is parsed as a port list, as a protocol list, and - split at
 * its first newline into protocol= and port= (no newline: no port=) - as
 * the two keys together.  Promised (values.h): an accepted port list has 1
 * to VALUE_MAX_PORTS entries, each first <= last, and printed back as
 * numbers (a or a:b) parses to the same list; an accepted protocol list
 * has 1 to VALUE_MAX_PROTOS protocols, no number twice, each with a name
 * that parses back to its number; value_match_keys() accepts exactly when
 * both lists parse and, with port=, every protocol carries ports - and then
 * gives every protocol the port list.  A refusal names its key in one line.
 */
#include "fuzz.h"
#include "values.h"

static void check_ports(const char *text)
{
	struct value_port_range p[VALUE_MAX_PORTS], q[VALUE_MAX_PORTS];
	char why[NFBAN_MSG_MAX] = "", buf[VALUE_MAX_PORTS * 12 + 1];
	unsigned n, m;
	size_t o = 0;

	if (value_parse_ports(text, p, &n, why, sizeof(why)) < 0) {
		FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s' refused without a reason line", text);
		return;
	}
	FUZZ_ASSERT(n >= 1 && n <= VALUE_MAX_PORTS, "'%s': %u entries", text, n);
	for (unsigned i = 0; i < n; i++) {
		FUZZ_ASSERT(p[i].first <= p[i].last, "'%s': entry %u is %u:%u", text, i, p[i].first,
			    p[i].last);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, i ? ",%u" : "%u", p[i].first);
		if (p[i].first != p[i].last)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, ":%u", p[i].last);
	}
	FUZZ_ASSERT(value_parse_ports(buf, q, &m, why, sizeof(why)) == 0, "'%s' printed as '%s': %s", text,
		    buf, why);
	FUZZ_ASSERT(m == n && !memcmp(p, q, n * sizeof(p[0])), "'%s' printed as '%s' parses to other ports",
		    text, buf);
}

static void check_protocols(const char *text)
{
	struct value_protos p, q;
	char why[NFBAN_MSG_MAX] = "", buf[VALUE_MAX_PROTOS * 17 + 1];
	bool tcp_only = true;
	size_t o = 0;

	if (value_parse_protocols(text, &p, why, sizeof(why)) < 0) {
		FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s' refused without a reason line", text);
		return;
	}
	FUZZ_ASSERT(p.n >= 1 && p.n <= VALUE_MAX_PROTOS, "'%s': %u protocols", text, p.n);
	for (unsigned i = 0; i < p.n; i++) {
		const struct value_proto *pr = &p.v[i];
		bool ports = pr->number == 6 || pr->number == 17 || pr->number == 132 || pr->number == 33;

		FUZZ_ASSERT(pr->n_ports == 0, "'%s': ports without port=", text);
		FUZZ_ASSERT(pr->name[0] && memchr(pr->name, '\0', sizeof(pr->name)) &&
				    !strpbrk(pr->name, ", \t"),
			    "'%s': protocol %u has no usable name", text, pr->number);
		for (unsigned k = 0; k < i; k++)
			FUZZ_ASSERT(p.v[k].number != pr->number, "'%s': protocol %u twice", text, pr->number);
		FUZZ_ASSERT(value_proto_has_ports(pr->number) == ports, "'%s': %s has ports?", text, pr->name);
		tcp_only &= pr->number == 6;
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, i ? ",%s" : "%s", pr->name);
	}
	FUZZ_ASSERT(value_protos_only_tcp(&p) == tcp_only, "'%s': only tcp?", text);
	/* By name, then by number: the same protocols in the same order. */
	FUZZ_ASSERT(value_parse_protocols(buf, &q, why, sizeof(why)) == 0, "'%s' printed as '%s': %s", text,
		    buf, why);
	FUZZ_ASSERT(q.n == p.n, "'%s' printed as '%s': %u protocols", text, buf, q.n);
	for (unsigned i = 0; i < p.n; i++)
		FUZZ_ASSERT(q.v[i].number == p.v[i].number, "'%s' printed as '%s': %s is %u, was %u", text,
			    buf, q.v[i].name, q.v[i].number, p.v[i].number);
	o = 0;
	for (unsigned i = 0; i < p.n; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, i ? ",%u" : "%u", p.v[i].number);
	FUZZ_ASSERT(value_parse_protocols(buf, &q, why, sizeof(why)) == 0 && q.n == p.n, "'%s' as '%s': %s",
		    text, buf, why);
	for (unsigned i = 0; i < p.n; i++)
		FUZZ_ASSERT(q.v[i].number == p.v[i].number, "'%s' as numbers '%s' differs", text, buf);
}

static void check_match_keys(const char *protocols, const char *ports)
{
	struct value_protos out, p;
	struct value_port_range pp[VALUE_MAX_PORTS];
	struct nfban_report r;
	char why[NFBAN_MSG_MAX];
	unsigned n = 0;
	bool expect;
	enum nfban_status st;

	memset(&r, 0, sizeof(r));
	st = value_match_keys(protocols, ports, &out, &r);
	expect = value_parse_protocols(protocols, &p, why, sizeof(why)) == 0;
	for (unsigned i = 0; expect && ports && i < p.n; i++)
		expect = value_proto_has_ports(p.v[i].number);
	if (expect && ports)
		expect = value_parse_ports(ports, pp, &n, why, sizeof(why)) == 0;
	FUZZ_ASSERT(st == (expect ? NFBAN_OK : NFBAN_BADPARAM), "protocol='%s' port='%s': status %d",
		    protocols, ports ? ports : "(none)", (int)st);
	if (st != NFBAN_OK) {
		FUZZ_ASSERT((!strncmp(r.reason, "protocol='", 10) || !strncmp(r.reason, "port='", 6)) &&
				    fuzz_one_line(r.reason, sizeof(r.reason)),
			    "refusal '%s' does not name its key in one line", r.reason);
		return;
	}
	FUZZ_ASSERT(out.n == p.n, "protocol='%s': %u protocols, parsed alone %u", protocols, out.n, p.n);
	for (unsigned i = 0; i < out.n; i++) {
		FUZZ_ASSERT(out.v[i].number == p.v[i].number, "protocol='%s': protocol %u differs", protocols, i);
		FUZZ_ASSERT(out.v[i].n_ports == (ports ? n : 0) &&
				    !memcmp(out.v[i].ports, pp, out.v[i].n_ports * sizeof(pp[0])),
			    "protocol='%s' port='%s': %s has other ports", protocols, ports ? ports : "",
			    out.v[i].name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), *nl;

	check_ports(text);
	check_protocols(text);
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	check_match_keys(text, nl ? nl + 1 : NULL);
	free(text);
	return 0;
}
