// SPDX-License-Identifier: GPL-2.0-or-later
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

void value_addr_unmap(struct nfban_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t v4[4];

	if (a->family != NFBAN_INET6 || a->prefix < 96 || memcmp(a->u.bytes, mapped, 12) != 0)
		return;
	memcpy(v4, a->u.bytes + 12, 4);
	memset(&a->u, 0, sizeof(a->u));
	memcpy(a->u.bytes, v4, 4);
	a->family = NFBAN_INET4;
	a->prefix = (uint8_t)(a->prefix - 96);
}

bool value_addr_special(const struct nfban_addr *a, char *why, size_t n)
{
	const uint8_t *b = a->u.bytes;
	static const uint8_t zero[16];

	if (a->prefix == 0) {
		snprintf(why, n, "prefix 0 bans every address");
		return true;
	}
	if (a->family == NFBAN_INET4) {
		if (b[0] == 0 && a->prefix >= 8)
			snprintf(why, n, "0.0.0.0/8 is 'this network', no client's address");
		else if (b[0] == 127 && a->prefix >= 8)
			snprintf(why, n, "a loopback address (127.0.0.0/8): the host itself");
		else if ((b[0] & 0xf0) == 0xe0 && a->prefix >= 4)
			snprintf(why, n, "a multicast address (224.0.0.0/4), no client's");
		else if (a->prefix == 32 && b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
			snprintf(why, n, "the broadcast address, no client's");
		else
			return false;
		return true;
	}
	if (a->prefix == 128 && memcmp(b, zero, 16) == 0)
		snprintf(why, n, "the unspecified address, no client's");
	else if (a->prefix == 128 && memcmp(b, zero, 15) == 0 && b[15] == 1)
		snprintf(why, n, "the loopback address: the host itself");
	else if (b[0] == 0xff && a->prefix >= 8)
		snprintf(why, n, "a multicast address (ff00::/8), no client's");
	else
		return false;
	return true;
}
