// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rule_hex.h - a rule as the bytes the kernel gets: the payload of a
 * NEWRULE message (what follows the nfgenmsg header) as lowercase hex, for
 * the unit tests that compare built rules with golden bytes.
 */
#ifndef NFBAN_TEST_RULE_HEX_H
#define NFBAN_TEST_RULE_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>

/* hex gets 2 characters a byte and a NUL; buf (n_buf bytes) holds the message. */
static inline size_t rule_hex(struct nftnl_rule *r, uint8_t family, char *buf, size_t n_buf,
			      char *hex, size_t n)
{
	struct nlmsghdr *nlh;
	const uint8_t *p;
	size_t len;

	memset(buf, 0, n_buf);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, family, NLM_F_CREATE | NLM_F_ACK, 7);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	p = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	len = (size_t)((const uint8_t *)mnl_nlmsg_get_payload_tail(nlh) - p);
	if (2 * len >= n)
		return 0;
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, n - 2 * i, "%02x", p[i]);
	hex[2 * len] = '\0';
	return len;
}

#endif
