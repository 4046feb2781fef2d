// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * family.h - one table of operations per address family, over libip4tc and
 * libip6tc, so the jail code is written once.
 *
 * libiptc's two libraries have the same API under two prefixes (iptc_,
 * ip6tc_) with different entry structs (struct ipt_entry, ip6t_entry);
 * family4.c and family6.c wrap them behind `const void *` entries.  Chain
 * arguments must point at buffers of at least sizeof(xt_chainlabel) bytes.
 */
#ifndef NFBAN_IPT_FAMILY_H
#define NFBAN_IPT_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfban_plugin.h"
#include "rule.h"

#pragma GCC visibility push(hidden)

struct xtc_handle;

struct ipt_family {
	enum nfban_family family;
	const char *label;              /* "IPv4", "IPv6": for report texts */
	size_t entry_size;              /* the entry header, before the first match */

	/* Entry layout. */
	void (*set_header)(void *e, const struct ipt_rule *r, uint16_t target_offset,
			   uint16_t next_offset);
	void (*offsets)(const void *e, uint16_t *target_offset, uint16_t *next_offset);
	/* The ip/ipv6 parts of two entries are the same rule header. */
	bool (*same_header)(const void *a, const void *b);

	/* libiptc: 0 (or NULL) on failure with errno set, as libiptc itself. */
	struct xtc_handle *(*init)(const char *table);
	void (*free)(struct xtc_handle *h);
	int (*commit)(struct xtc_handle *h);
	int (*is_chain)(const char *chain, struct xtc_handle *h);
	int (*builtin)(const char *chain, struct xtc_handle *h);
	int (*create_chain)(const char *chain, struct xtc_handle *h);
	int (*delete_chain)(const char *chain, struct xtc_handle *h);
	int (*flush_entries)(const char *chain, struct xtc_handle *h);
	int (*get_references)(unsigned *refs, const char *chain, struct xtc_handle *h);
	const void *(*first_rule)(const char *chain, struct xtc_handle *h);
	const void *(*next_rule)(const void *prev, struct xtc_handle *h);
	const char *(*get_target)(const void *e, struct xtc_handle *h);
	/* Rule numbers count from 0 (iptables' -I 1 is 0 here). */
	int (*insert_entry)(const char *chain, const void *e, unsigned num, struct xtc_handle *h);
	int (*append_entry)(const char *chain, const void *e, struct xtc_handle *h);
	int (*delete_num_entry)(const char *chain, unsigned num, struct xtc_handle *h);
};

extern const struct ipt_family ipt_family4;
extern const struct ipt_family ipt_family6;

#pragma GCC visibility pop

#endif
