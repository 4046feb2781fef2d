// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_nft.c - the nftables plugin's words: value_parse_nft_verdict()
 * (blocktype=), value_parse_nft_hook() (chain_hook=),
 * value_parse_nft_priority() (chain_priority=).
 *
 * Promised (values.h, verdict.c): a verdict is drop or reject, with an
 * ICMP code only for `reject with icmp|icmpv6|icmpx`, and then one the
 * kernel's reject expression defines for that kind; blanks between words
 * do not matter, and "reject with K type X" is "reject with K X".  A hook
 * is exactly one of the five names, as NF_INET_*.  A priority is an integer
 * (within +-INT_MAX/2), or a standard name (nft(8): raw -300, mangle -150,
 * dstnat -100, filter 0, security 50, srcnat 100) with an optional +N/-N:
 * whatever is accepted, its integer and every name-plus-offset form of it
 * give the same value back.  A refusal says why in one line.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <limits.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "fuzz.h"
#include "values.h"

static void refused(int rc, const char *why, const char *what, const char *text)
{
	if (rc < 0)
		FUZZ_ASSERT(why[0] && fuzz_one_line(why, NFBAN_MSG_MAX), "%s '%s' refused without a reason line",
			    what, text);
}

static int code_ok(enum value_nft_reject kind, unsigned code)
{
	static const unsigned icmp[] = { ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PROT_UNREACH,
					 ICMP_PORT_UNREACH, ICMP_NET_ANO, ICMP_HOST_ANO,
					 ICMP_PKT_FILTERED };
	static const unsigned icmpv6[] = { ICMPV6_NOROUTE, ICMPV6_ADM_PROHIBITED, ICMPV6_ADDR_UNREACH,
					   ICMPV6_PORT_UNREACH, ICMPV6_POLICY_FAIL,
					   ICMPV6_REJECT_ROUTE };
	const unsigned *t = kind == VALUE_NFT_REJECT_ICMP ? icmp : icmpv6;
	size_t n = kind == VALUE_NFT_REJECT_ICMP ? sizeof(icmp) / sizeof(icmp[0])
						 : sizeof(icmpv6) / sizeof(icmpv6[0]);

	if (kind == VALUE_NFT_REJECT_ICMPX)
		return code <= NFT_REJECT_ICMPX_ADMIN_PROHIBITED;
	for (size_t i = 0; i < n; i++)
		if (t[i] == code)
			return 1;
	return 0;
}

static void check_verdict(const char *text)
{
	struct value_nft_verdict v, u;
	char why[NFBAN_MSG_MAX] = "", buf[512], words[256], *w[6], *save = NULL, *tok;
	int rc = value_parse_nft_verdict(text, &v, why, sizeof(why)), nw = 0;
	size_t o = 0;

	refused(rc, why, "verdict", text);
	if (rc < 0 || strlen(text) >= sizeof(words))
		return;
	FUZZ_ASSERT(v.kind == VALUE_NFT_DROP || v.kind == VALUE_NFT_REJECT, "'%s': kind %d", text, (int)v.kind);
	if (v.kind == VALUE_NFT_DROP || v.reject == VALUE_NFT_REJECT_DEFAULT ||
	    v.reject == VALUE_NFT_REJECT_TCP_RESET)
		FUZZ_ASSERT(v.icmp_code == 0 && (v.kind == VALUE_NFT_REJECT || v.reject == VALUE_NFT_REJECT_DEFAULT),
			    "'%s': code %u", text, v.icmp_code);
	else
		FUZZ_ASSERT(v.reject <= VALUE_NFT_REJECT_ICMPX && code_ok(v.reject, v.icmp_code),
			    "'%s': reject %d with code %u", text, (int)v.reject, v.icmp_code);

	/* One blank between the words: the same verdict. */
	snprintf(words, sizeof(words), "%s", text);
	for (tok = strtok_r(words, " \t", &save); tok && nw < 6; tok = strtok_r(NULL, " \t", &save))
		w[nw++] = tok;
	for (int i = 0; i < nw; i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, i ? " %s" : "%s", w[i]);
	FUZZ_ASSERT(value_parse_nft_verdict(buf, &u, why, sizeof(why)) == 0 && !memcmp(&u, &v, sizeof(v)),
		    "'%s' as '%s' differs", text, buf);
	/* "reject with K type X" and "reject with K X". */
	if (v.kind == VALUE_NFT_REJECT && v.reject >= VALUE_NFT_REJECT_ICMP && v.reject <= VALUE_NFT_REJECT_ICMPX) {
		const char *x = w[nw - 1];

		snprintf(buf, sizeof(buf), "reject with %s %s", w[2], x);
		FUZZ_ASSERT(value_parse_nft_verdict(buf, &u, why, sizeof(why)) == 0 && !memcmp(&u, &v, sizeof(v)),
			    "'%s' as '%s' differs", text, buf);
		snprintf(buf, sizeof(buf), "reject with %s type %s", w[2], x);
		FUZZ_ASSERT(value_parse_nft_verdict(buf, &u, why, sizeof(why)) == 0 && !memcmp(&u, &v, sizeof(v)),
			    "'%s' as '%s' differs", text, buf);
	}
}

static void check_hook(const char *text)
{
	static const struct {
		const char *name;
		uint32_t hook;
	} hooks[] = {
		{ "prerouting", NF_INET_PRE_ROUTING }, { "input", NF_INET_LOCAL_IN },
		{ "forward", NF_INET_FORWARD }, { "output", NF_INET_LOCAL_OUT },
		{ "postrouting", NF_INET_POST_ROUTING },
	};
	char why[NFBAN_MSG_MAX] = "";
	uint32_t hook = UINT32_MAX;
	int rc = value_parse_nft_hook(text, &hook, why, sizeof(why));
	size_t i;

	refused(rc, why, "hook", text);
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]) && strcmp(hooks[i].name, text); i++)
		;
	FUZZ_ASSERT((rc == 0) == (i < sizeof(hooks) / sizeof(hooks[0])), "hook '%s': %d", text, rc);
	FUZZ_ASSERT(rc < 0 || hook == hooks[i].hook, "hook '%s' is %u", text, hook);
}

static void check_priority(const char *text)
{
	static const struct {
		const char *name;
		int value;
	} prios[] = {
		{ "raw", -300 }, { "mangle", -150 }, { "dstnat", -100 },
		{ "filter", 0 }, { "security", 50 }, { "srcnat", 100 },
	};
	char why[NFBAN_MSG_MAX] = "", buf[64];
	int32_t p, q;
	int rc = value_parse_nft_priority(text, &p, why, sizeof(why));

	refused(rc, why, "priority", text);
	if (rc < 0)
		return;
	if (p >= INT_MIN / 2 && p <= INT_MAX / 2) {
		snprintf(buf, sizeof(buf), "%d", p);
		FUZZ_ASSERT(value_parse_nft_priority(buf, &q, why, sizeof(why)) == 0 && q == p,
			    "priority '%s' = %d, as '%s': %s", text, p, buf, why);
	}
	for (size_t i = 0; i < sizeof(prios) / sizeof(prios[0]); i++) {
		long off = (long)p - prios[i].value;

		if (off < INT_MIN / 2 || off > INT_MAX / 2)
			continue;
		snprintf(buf, sizeof(buf), off ? "%s%+ld" : "%s", prios[i].name, off);
		FUZZ_ASSERT(value_parse_nft_priority(buf, &q, why, sizeof(why)) == 0 && q == p,
			    "priority '%s' = %d, as '%s': %s", text, p, buf, why);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);

	check_verdict(text);
	check_hook(text);
	check_priority(text);
	free(text);
	return 0;
}
