/*
 * addr.c - the address or network of a ban.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "values.h"

int value_parse_addr(const char *text, struct nfban_addr *a, char *why, size_t n)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned long prefix;
	unsigned max;

	memset(a, 0, sizeof(*a));
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(why, n, "not an IPv4 or IPv6 address");
		return -1;
	}
	memcpy(host, text, hlen);
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
	if (slash && text_uint(slash + 1, max, &prefix) < 0) {
		snprintf(why, n, "prefix length must be a number from 0 to %u", max);
		return -1;
	}
	a->prefix = (uint8_t)prefix;
	/* Clear the host bits, as iptables does when it stores -s 1.2.3.4/24. */
	for (unsigned bit = a->prefix; bit < max; bit++)
		a->u.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return 0;
}

void value_addr_str(const struct nfban_addr *a, char *buf, size_t n)
{
	char txt[INET6_ADDRSTRLEN];
	unsigned max = a->family == NFBAN_INET6 ? 128 : 32;

	inet_ntop(a->family == NFBAN_INET6 ? AF_INET6 : AF_INET, &a->u, txt, sizeof(txt));
	if (a->prefix == max)
		snprintf(buf, n, "%s", txt);
	else
		snprintf(buf, n, "%s/%u", txt, a->prefix);
}
