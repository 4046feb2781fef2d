// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * protocols.c - `protocol=`: names, numbers, "all".
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "values.h"

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
static int lookup_proto(const char *tok, struct value_proto *pr)
{
	struct protoent pe, *res = NULL;
	char pbuf[1024];
	unsigned long num;

	for (size_t i = 0; i < sizeof(known_protos) / sizeof(known_protos[0]); i++)
		if (strcmp(tok, known_protos[i].name) == 0 ||
		    (text_uint(tok, 255, &num) == 0 && num == known_protos[i].number)) {
			pr->number = known_protos[i].number;
			snprintf(pr->name, sizeof(pr->name), "%s", known_protos[i].name);
			return 0;
		}
	if (text_uint(tok, 255, &num) == 0) {
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

bool value_proto_has_ports(uint8_t number)
{
	return number == IPPROTO_TCP || number == IPPROTO_UDP ||
	       number == IPPROTO_SCTP || number == IPPROTO_DCCP;
}

bool value_protos_only_tcp(const struct value_protos *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->v[i].number != IPPROTO_TCP)
			return false;
	return p->n > 0;
}

int value_parse_protocols(const char *text, struct value_protos *p, char *why, size_t n)
{
	const char *s = text;

	p->n = 0;
	for (;;) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);
		char tok[64], echo[TEXT_ECHO_WORD];
		struct value_proto *pr;

		text_trim(&s, &e);
		if (s == e) {
			snprintf(why, n, "empty protocol in list");
			return -1;
		}
		if (text_copy(s, e, tok, sizeof(tok)) < 0) {
			snprintf(why, n, "protocol name too long");
			return -1;
		}
		if (p->n == VALUE_MAX_PROTOS) {
			snprintf(why, n, "more than %d protocols", VALUE_MAX_PROTOS);
			return -1;
		}
		pr = &p->v[p->n];
		memset(pr, 0, sizeof(*pr));
		if (strcmp(tok, "all") == 0) {
			pr->number = 0;
			snprintf(pr->name, sizeof(pr->name), "all");
		} else if (lookup_proto(tok, pr) < 0) {
			text_echo(tok, echo, sizeof(echo));
			snprintf(why, n, "unknown protocol '%s' (not in /etc/protocols)", echo);
			return -1;
		}
		for (unsigned i = 0; i < p->n; i++)
			if (p->v[i].number == pr->number) {
				text_echo(tok, echo, sizeof(echo));
				snprintf(why, n, "protocol '%s' given twice", echo);
				return -1;
			}
		p->n++;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}
