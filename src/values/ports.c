// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ports.c - `port=`: numbers, service names and ranges, per protocol.
 *
 * A service name is one port for every protocol of the list, as nft
 * resolves it (services.h): `port=ssh protocol=udp` is udp port 22 in every
 * plugin, so a fallback to another plugin never changes the port set.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "services.h"
#include "text.h"
#include "values.h"

/* One side of a port entry: a number or a service name. */
static int resolve_port(const char *tok, uint16_t *port, char *why, size_t n)
{
	unsigned long num;
	char echo[TEXT_ECHO_WORD];

	if (text_uint(tok, 65535, &num) == 0) {
		*port = (uint16_t)num;
		return 0;
	}
	/* The token is the user's: quoted escaped, so why stays one line. */
	text_echo(tok, echo, sizeof(echo));
	if (isdigit((unsigned char)*tok)) {
		snprintf(why, n, "port '%s' is not a number from 0 to 65535", echo);
		return -1;
	}
	if (value_service_port(tok, port) == 0)
		return 0;
	snprintf(why, n, "unknown service '%s' (not in /etc/services)", echo);
	return -1;
}

static int parse_entry(const char *s, const char *e, struct value_port_range *r, char *why,
		       size_t n)
{
	char tok[128], echo[TEXT_ECHO_WORD];
	char *colon;

	if (text_copy(s, e, tok, sizeof(tok)) < 0) {
		snprintf(why, n, "port entry too long");
		return -1;
	}
	colon = strchr(tok, ':');
	if (!colon) {
		if (resolve_port(tok, &r->first, why, n) < 0)
			return -1;
		r->last = r->first;
		return 0;
	}
	/* a:b, with iptables' shorthands ":b" (from 0) and "a:" (to 65535). */
	*colon = '\0';
	r->first = 0;
	r->last = 65535;
	if (*tok && resolve_port(tok, &r->first, why, n) < 0)
		return -1;
	if (colon[1] && resolve_port(colon + 1, &r->last, why, n) < 0)
		return -1;
	if (strchr(colon + 1, ':') || r->first > r->last) {
		*colon = ':';
		text_echo(tok, echo, sizeof(echo));
		snprintf(why, n, "port range '%s' %s", echo,
			 strchr(colon + 1, ':') ? "has more than one ':'" : "runs backwards");
		return -1;
	}
	return 0;
}

int value_parse_ports(const char *text, struct value_port_range *out, unsigned *n_out, char *why,
		      size_t n)
{
	const char *s = text;

	*n_out = 0;
	for (;;) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);

		text_trim(&s, &e);
		if (s == e) {
			snprintf(why, n, "empty port in list");
			return -1;
		}
		if (*n_out == VALUE_MAX_PORTS) {
			snprintf(why, n, "more than %d ports", VALUE_MAX_PORTS);
			return -1;
		}
		if (parse_entry(s, e, &out[*n_out], why, n) < 0)
			return -1;
		(*n_out)++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

enum nfban_status value_match_protocols(const char *protocols, bool with_ports,
					struct value_protos *out, struct nfban_report *r)
{
	char why[NFBAN_MSG_MAX];

	if (!protocols || value_parse_protocols(protocols, out, why, sizeof(why)) < 0)
		return report_refuse(r, "protocol", protocols, "%s", protocols ? why : "missing");
	for (unsigned i = 0; with_ports && i < out->n; i++)
		if (!value_proto_has_ports(out->v[i].number))
			return report_refuse(r, "protocol", protocols,
					     "protocol '%s' has no ports (use tcp, udp, sctp or dccp)",
					     out->v[i].name);
	return NFBAN_OK;
}

enum nfban_status value_match_ports(const char *ports, struct value_protos *out,
				    struct nfban_report *r)
{
	char why[NFBAN_MSG_MAX];

	/* The same ports for every protocol: parsed once. */
	if (out->n && value_parse_ports(ports, out->v[0].ports, &out->v[0].n_ports, why, sizeof(why)) < 0)
		return report_refuse(r, "port", ports, "%s", why);
	for (unsigned i = 1; i < out->n; i++) {
		out->v[i].n_ports = out->v[0].n_ports;
		memcpy(out->v[i].ports, out->v[0].ports, out->v[0].n_ports * sizeof(out->v[0].ports[0]));
	}
	return NFBAN_OK;
}

enum nfban_status value_match_keys(const char *protocols, const char *ports,
				   struct value_protos *out, struct nfban_report *r)
{
	enum nfban_status st = value_match_protocols(protocols, ports != NULL, out, r);

	if (st != NFBAN_OK || !ports)
		return st;
	return value_match_ports(ports, out, r);
}
