// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_addr.c - ip=: value_parse_addr(), value_addr_unmap(),
 * value_addr_special(), value_addr_str().
 *
 * Promised (values.h, nfban_plugin.h): an accepted address is inet4 or
 * inet6 with a prefix of at most 32 / 128 and its host bits cleared;
 * printing it as iptables does and parsing that gives the same address;
 * unmapping keeps those promises, yields inet4 only from ::ffff:0:0/96 and
 * changes nothing the second time; prefix 0 is always special, and a
 * special address always says why.  A refusal says why in one line.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "values.h"

static void check_addr(const struct nfban_addr *a, const char *text)
{
	unsigned max = a->family == NFBAN_INET6 ? 128 : 32;

	FUZZ_ASSERT(a->family == NFBAN_INET4 || a->family == NFBAN_INET6, "'%s': family %d", text,
		    (int)a->family);
	FUZZ_ASSERT(a->prefix <= max, "'%s': prefix %u > %u", text, a->prefix, max);
	for (unsigned bit = a->prefix; bit < 128; bit++)
		FUZZ_ASSERT(!(a->u.bytes[bit / 8] & (0x80u >> (bit % 8))),
			    "'%s': bit %u set beyond prefix /%u", text, bit, a->prefix);
}

/* value_addr_str() then value_parse_addr(): the same address. */
static void round_trip(const struct nfban_addr *a, const char *text)
{
	char buf[INET6_ADDRSTRLEN + 8], why[NFBAN_MSG_MAX];
	struct nfban_addr b;

	value_addr_str(a, buf, sizeof(buf));
	FUZZ_ASSERT(value_parse_addr(buf, &b, why, sizeof(why)) == 0, "'%s' printed as '%s': %s",
		    text, buf, why);
	FUZZ_ASSERT(b.family == a->family && b.prefix == a->prefix &&
			    memcmp(&b.u, &a->u, sizeof(a->u)) == 0,
		    "'%s' printed as '%s' parses to another address", text, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), why[NFBAN_MSG_MAX] = "";
	struct nfban_addr a, u;
	bool mapped;

	if (value_parse_addr(text, &a, why, sizeof(why)) < 0) {
		FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s' refused without a reason line", text);
		free(text);
		return 0;
	}
	check_addr(&a, text);
	round_trip(&a, text);

	u = a;
	mapped = a.family == NFBAN_INET6 && a.prefix >= 96 && a.u.bytes[10] == 0xff &&
		 a.u.bytes[11] == 0xff && !memcmp(a.u.bytes, "\0\0\0\0\0\0\0\0\0\0", 10);
	value_addr_unmap(&u);
	check_addr(&u, text);
	FUZZ_ASSERT((u.family == NFBAN_INET4) == (a.family == NFBAN_INET4 || mapped),
		    "'%s': unmapped to family %d", text, (int)u.family);
	if (mapped) {
		FUZZ_ASSERT(u.prefix == a.prefix - 96 && !memcmp(u.u.bytes, a.u.bytes + 12, 4),
			    "'%s': not unmapped to its IPv4 address", text);
	} else {
		FUZZ_ASSERT(!memcmp(&u, &a, sizeof(a)), "'%s': changed by unmapping", text);
	}
	round_trip(&u, text);
	{
		struct nfban_addr again = u;

		value_addr_unmap(&again);
		FUZZ_ASSERT(!memcmp(&again, &u, sizeof(u)), "'%s': unmapped twice differs", text);
	}

	for (int i = 0; i < 2; i++) {
		const struct nfban_addr *x = i ? &u : &a;

		why[0] = '\0';
		if (value_addr_special(x, why, sizeof(why)))
			FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s': special without a reason",
				    text);
		else
			FUZZ_ASSERT(x->prefix != 0, "'%s': prefix 0 not special", text);
	}
	free(text);
	return 0;
}
