/*
 * ports.c - `port=`: numbers, service names and ranges, per protocol.
 *
 * A service name is looked up for the rule's protocol first and, failing
 * that, for any protocol, as nft (inet_service) and iptables' tcp/udp
 * matches resolve it: `port=ssh protocol=udp` is udp port 22 everywhere,
 * so a fallback to another plugin never changes the port set.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "services.h"
#include "text.h"
#include "values.h"

/* A service name for proto (NULL: any protocol); 0 when found. */
static int lookup_service(const char *name, const char *proto, uint16_t *port)
{
	struct servent se, *res = NULL;
	char sbuf[1024];

	if (value_services_lookup("/etc/services", name, proto, port) == 1)
		return 0;
	if (getservbyname_r(name, proto, &se, sbuf, sizeof(sbuf), &res) != 0 || !res)
		return -1;
	*port = ntohs((uint16_t)res->s_port);
	return 0;
}

/* One side of a port entry: a number or a service name. */
static int resolve_port(const char *tok, const char *proto, uint16_t *port, char *why, size_t n)
{
	unsigned long num;

	if (text_uint(tok, 65535, &num) == 0) {
		*port = (uint16_t)num;
		return 0;
	}
	if (isdigit((unsigned char)*tok)) {
		snprintf(why, n, "port '%s' is not a number from 0 to 65535", tok);
		return -1;
	}
	if ((proto && lookup_service(tok, proto, port) == 0) || lookup_service(tok, NULL, port) == 0)
		return 0;
	snprintf(why, n, "unknown service '%s' (not in /etc/services)", tok);
	return -1;
}

static int parse_entry(const char *s, const char *e, const char *proto,
		       struct value_port_range *r, char *why, size_t n)
{
	char tok[128];
	char *colon;

	if (text_copy(s, e, tok, sizeof(tok)) < 0) {
		snprintf(why, n, "port entry too long");
		return -1;
	}
	colon = strchr(tok, ':');
	if (!colon) {
		if (resolve_port(tok, proto, &r->first, why, n) < 0)
			return -1;
		r->last = r->first;
		return 0;
	}
	/* a:b, with iptables' shorthands ":b" (from 0) and "a:" (to 65535). */
	*colon = '\0';
	r->first = 0;
	r->last = 65535;
	if (*tok && resolve_port(tok, proto, &r->first, why, n) < 0)
		return -1;
	if (colon[1] && resolve_port(colon + 1, proto, &r->last, why, n) < 0)
		return -1;
	if (strchr(colon + 1, ':')) {
		snprintf(why, n, "port range '%.*s' has more than one ':'", (int)(e - s), s);
		return -1;
	}
	if (r->first > r->last) {
		snprintf(why, n, "port range '%.*s' runs backwards", (int)(e - s), s);
		return -1;
	}
	return 0;
}

int value_parse_ports(const char *text, const char *proto, struct value_port_range *out,
		      unsigned *n_out, char *why, size_t n)
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
		if (parse_entry(s, e, proto, &out[*n_out], why, n) < 0)
			return -1;
		(*n_out)++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

enum nfban_status value_match_keys(const char *protocols, const char *ports,
				   struct value_protos *out, struct nfban_report *r)
{
	char why[NFBAN_MSG_MAX];

	if (!protocols || value_parse_protocols(protocols, out, why, sizeof(why)) < 0)
		return value_refuse(r, "protocol", protocols, "%s", protocols ? why : "missing");
	if (!ports)
		return NFBAN_OK;
	for (unsigned i = 0; i < out->n; i++) {
		struct value_proto *pr = &out->v[i];

		if (!value_proto_has_ports(pr->number))
			return value_refuse(r, "protocol", protocols,
					    "protocol '%s' has no ports (use tcp, udp, sctp or dccp)",
					    pr->name);
		if (value_parse_ports(ports, pr->name, pr->ports, &pr->n_ports, why, sizeof(why)) < 0)
			return value_refuse(r, "port", ports, "%s", why);
	}
	return NFBAN_OK;
}
