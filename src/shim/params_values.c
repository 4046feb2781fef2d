/*
 * params_values.c - protocols, ports and addresses from Fail2ban's tags.
 *
 * A service name is one port for every protocol of the list, as nft
 * resolves it (services.h): `port=ssh protocol=udp` is udp port 22.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "services.h"

static int parse_uint(const char *s, unsigned long max, unsigned long *out);

/*
 * The protocols Fail2ban jails use, known without a lookup, as iptables
 * knows them (xtables_chain_protos): the numbers are IANA's and cannot
 * differ from /etc/protocols, and skipping NSS saves every ban its probing
 * of the protocols database.  Anything else is looked up.
 */
static const struct {
	const char *name;
	uint8_t number;
} known_protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "udplite", IPPROTO_UDPLITE },
	{ "sctp", IPPROTO_SCTP }, { "dccp", IPPROTO_DCCP }, { "icmp", IPPROTO_ICMP },
	{ "ipv6-icmp", IPPROTO_ICMPV6 }, { "esp", IPPROTO_ESP }, { "ah", IPPROTO_AH },
	{ "gre", IPPROTO_GRE },
};

/* Fill pr from a name or number; 0, or -1 when /etc/protocols has no such protocol. */
static int lookup_proto(const char *tok, struct nfban_proto *pr)
{
	struct protoent pe, *res = NULL;
	char pbuf[1024];
	unsigned long num;

	for (size_t i = 0; i < sizeof(known_protos) / sizeof(known_protos[0]); i++)
		if (strcmp(tok, known_protos[i].name) == 0 ||
		    (parse_uint(tok, 255, &num) == 0 && num == known_protos[i].number)) {
			pr->number = known_protos[i].number;
			snprintf(pr->name, sizeof(pr->name), "%s", known_protos[i].name);
			return 0;
		}
	if (parse_uint(tok, 255, &num) == 0) {
		pr->number = (uint8_t)num;
		if (getprotobynumber_r((int)num, &pe, pbuf, sizeof(pbuf), &res) == 0 && res &&
		    strlen(res->p_name) < sizeof(pr->name))
			snprintf(pr->name, sizeof(pr->name), "%s", res->p_name);
		else
			snprintf(pr->name, sizeof(pr->name), "%lu", num);
		return 0;
	}
	if (getprotobyname_r(tok, &pe, pbuf, sizeof(pbuf), &res) != 0 || !res)
		return -1;
	pr->number = (uint8_t)res->p_proto;
	snprintf(pr->name, sizeof(pr->name), "%s", res->p_name);
	return 0;
}

/* Protocols that carry ports and that every port-using plugin can match on. */
static int proto_has_ports(uint8_t number)
{
	return number == IPPROTO_TCP || number == IPPROTO_UDP ||
	       number == IPPROTO_SCTP || number == IPPROTO_DCCP;
}

/* Trim ASCII blanks in place at both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Copy [s, e) into buf (size n); -1 if it does not fit. */
static int copy_token(const char *s, const char *e, char *buf, size_t n)
{
	size_t len = (size_t)(e - s);

	if (len >= n)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

/* A decimal number in [0, max] with nothing else around it. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

int shim_parse_protocols(const char *value, struct nfban_params *p, int uses_ports,
			 char *why, size_t n)
{
	const char *s = value;

	p->n_protos = 0;
	for (;;) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);
		char tok[64];
		struct nfban_proto *pr;

		trim(&s, &e);
		if (s == e) {
			snprintf(why, n, "empty protocol in list");
			return -1;
		}
		if (copy_token(s, e, tok, sizeof(tok)) < 0) {
			snprintf(why, n, "protocol name too long");
			return -1;
		}
		if (p->n_protos == NFBAN_MAX_PROTOS) {
			snprintf(why, n, "more than %d protocols", NFBAN_MAX_PROTOS);
			return -1;
		}
		pr = &p->protos[p->n_protos];
		memset(pr, 0, sizeof(*pr));
		if (strcmp(tok, "all") == 0) {
			pr->number = 0;
			snprintf(pr->name, sizeof(pr->name), "all");
		} else if (lookup_proto(tok, pr) < 0) {
			snprintf(why, n, "unknown protocol '%s' (not in /etc/protocols)", tok);
			return -1;
		}
		if (uses_ports && !proto_has_ports(pr->number)) {
			snprintf(why, n, "protocol '%s' has no ports (use tcp, udp, sctp or dccp)", tok);
			return -1;
		}
		for (unsigned i = 0; i < p->n_protos; i++)
			if (p->protos[i].number == pr->number) {
				snprintf(why, n, "protocol '%s' given twice", tok);
				return -1;
			}
		p->n_protos++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

/* One side of a port entry: a number or a service name. */
static int resolve_port(const char *tok, uint16_t *port, char *why, size_t n)
{
	unsigned long num;

	if (parse_uint(tok, 65535, &num) == 0) {
		*port = (uint16_t)num;
		return 0;
	}
	if (isdigit((unsigned char)*tok)) {
		snprintf(why, n, "port '%s' is not a number from 0 to 65535", tok);
		return -1;
	}
	if (shim_service_port(tok, port) < 0) {
		snprintf(why, n, "unknown service '%s' (not in /etc/services)", tok);
		return -1;
	}
	return 0;
}

static int parse_port_entry(const char *s, const char *e, struct nfban_port_range *r,
			    char *why, size_t n)
{
	char tok[128];
	char *colon;

	if (copy_token(s, e, tok, sizeof(tok)) < 0) {
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

int shim_parse_ports(const char *value, struct nfban_params *p, int uses_ports, char *why, size_t n)
{
	struct nfban_proto *first = &p->protos[0];
	const char *s = value;

	for (unsigned i = 0; i < p->n_protos; i++)
		p->protos[i].n_ports = 0;
	if (!uses_ports || p->n_protos == 0)
		return 0;
	/* The list is the same ports for every protocol: parse it once. */
	for (;;) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);

		trim(&s, &e);
		if (s == e) {
			snprintf(why, n, "empty port in list");
			return -1;
		}
		if (first->n_ports == NFBAN_MAX_PORTS) {
			snprintf(why, n, "more than %d ports", NFBAN_MAX_PORTS);
			return -1;
		}
		if (parse_port_entry(s, e, &first->ports[first->n_ports], why, n) < 0)
			return -1;
		first->n_ports++;
		if (!comma)
			break;
		s = comma + 1;
	}
	for (unsigned i = 1; i < p->n_protos; i++) {
		p->protos[i].n_ports = first->n_ports;
		memcpy(p->protos[i].ports, first->ports, first->n_ports * sizeof(first->ports[0]));
	}
	return 0;
}

int shim_parse_addr(const char *value, struct nfban_addr *a, char *why, size_t n)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(value, '/');
	size_t hlen = slash ? (size_t)(slash - value) : strlen(value);
	unsigned long prefix;
	unsigned max;

	memset(a, 0, sizeof(*a));
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(why, n, "not an IPv4 or IPv6 address");
		return -1;
	}
	memcpy(host, value, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &a->u.v4) == 1) {
		a->family = NFBAN_INET4;
		max = 32;
	} else if (inet_pton(AF_INET6, host, &a->u.v6) == 1) {
		a->family = NFBAN_INET6;
		max = 128;
	} else {
		snprintf(why, n, "not an IPv4 or IPv6 address");
		return -1;
	}
	prefix = max;
	if (slash && parse_uint(slash + 1, max, &prefix) < 0) {
		snprintf(why, n, "prefix length must be a number from 0 to %u", max);
		return -1;
	}
	a->prefix = (uint8_t)prefix;
	/* Clear the host bits, as iptables does when it stores -s 1.2.3.4/24. */
	for (unsigned bit = a->prefix; bit < max; bit++)
		a->u.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return 0;
}

void shim_addr_str(const struct nfban_addr *a, char *buf, size_t n)
{
	char txt[INET6_ADDRSTRLEN];
	unsigned max = a->family == NFBAN_INET6 ? 128 : 32;

	inet_ntop(a->family == NFBAN_INET6 ? AF_INET6 : AF_INET, &a->u, txt, sizeof(txt));
	if (a->prefix == max)
		snprintf(buf, n, "%s", txt);
	else
		snprintf(buf, n, "%s/%u", txt, a->prefix);
}
