// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_release.h - what each iptables-nft release writes differently into
 * nf_tables, one row of data per release (as iptables' own nft_family_ops
 * keeps per-family differences), and which release the host's iptables is.
 *
 * What differs, for the rules the iptables plugins write (iptables' git
 * history, iptables/nft-ipv4.c, nft-ipv6.c, nft.c):
 *   1.8.9   -p as `meta l4proto` in both families, before -s; base chains
 *           created without counters.
 *   1.8.10  -s (and -d) first ("nft: check for source and destination
 *           address in first place"); IPv4's -p as a payload compare of the
 *           header's protocol byte, `ip protocol` ("nft: use payload
 *           matching for layer 4 protocol"; IPv6 keeps `meta l4proto`: its
 *           next header may be an extension header); base chains created
 *           with NFTA_CHAIN_COUNTERS ("nft: Create builtin chains with
 *           counters enabled"), so their policy counts packets.
 *   1.8.11  as 1.8.10 (its changes to rule building concern inverted
 *           matches, which nfban never writes).
 * Releases before 1.8.9 write what 1.8.9 writes for these rules.  Whatever
 * wrote a rule, nfban finds it by what it matches (nft_rule.h).
 */
#ifndef NFBAN_IPT_NFT_RELEASE_H
#define NFBAN_IPT_NFT_RELEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

/* A version as one number: 1.8.11 is IPT_NFT_VERSION(1, 8, 11). */
#define IPT_NFT_VERSION(a, b, c) ((unsigned)(a) << 16 | (unsigned)(b) << 8 | (unsigned)(c))

/* How a release matches -p. */
enum ipt_nft_proto {
	IPT_NFT_PROTO_META,             /* meta load l4proto; cmp eq */
	IPT_NFT_PROTO_PAYLOAD,          /* payload load 1b @ network header + 9; cmp eq */
};

struct ipt_nft_release {
	const char *name;               /* "1.8.9" */
	unsigned version;               /* IPT_NFT_VERSION of name: the row covers it and later */
	bool src_first;                 /* -s before -p */
	bool chain_counters;            /* base chains carry counters */
	enum ipt_nft_proto proto[2];    /* [0] IPv4, [1] IPv6 */
};

/* The rows, oldest first; the last is the newest release known. */
extern const struct ipt_nft_release ipt_nft_releases[];
extern const size_t ipt_nft_n_releases;

/* The row of version v: the newest row not newer than v, the oldest for older ones. */
const struct ipt_nft_release *ipt_nft_release_of(unsigned version);

/* How release rel matches -p in family fam. */
enum ipt_nft_proto ipt_nft_release_proto(const struct ipt_nft_release *rel, enum nfban_family fam);

/*
 * The version an iptables-nft program states in its text: the string
 * "X.Y.Z (nf_tables)" its --version prints (iptables' program_version,
 * PACKAGE_VERSION " (nf_tables)" since 1.8.8).  0 with *version set, or
 * -1 (no such string, or the file cannot be read).
 */
int ipt_nft_version_in(const void *text, size_t len, unsigned *version);
int ipt_nft_version_of_file(const char *path, unsigned *version);

/*
 * The release the host's iptables-nft writes: the first `iptables` in path
 * when it is iptables-nft (links followed), else the first `iptables-nft`;
 * its version read from the program file, never run.  A program that states
 * no version is older than 1.8.8: the oldest row.  None installed: the
 * newest row.
 */
const struct ipt_nft_release *ipt_nft_release_detect(const char *path);

#pragma GCC visibility pop

#endif
