// SPDX-License-Identifier: GPL-2.0-or-later
/* backend.c - the backend=auto rule (see backend.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <linux/netfilter.h>
#include <libnftnl/chain.h>

#include "backend.h"
#include "nfnl/query.h"
#include "nfnl/sock.h"

enum ipt_backend ipt_backend_of_command(const char *name)
{
	if (strcmp(name, "iptables-nft") == 0 || strcmp(name, "xtables-nft-multi") == 0)
		return IPT_BACKEND_NFT;
	if (strcmp(name, "iptables-legacy") == 0 || strcmp(name, "xtables-legacy-multi") == 0 ||
	    strcmp(name, "xtables-multi") == 0)   /* iptables before 1.8: legacy only */
		return IPT_BACKEND_LEGACY;
	return IPT_BACKEND_AUTO;
}

int ipt_backend_find_command(const char *path, const char *name, char *out, size_t n)
{
	const char *p = path;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char cand[PATH_MAX], real[PATH_MAX];

		/* An empty entry is the current directory, as for execvp(). */
		if (snprintf(cand, sizeof(cand), "%.*s/%s", (int)len, len ? p : ".", name) <
			    (int)sizeof(cand) &&
		    access(cand, X_OK) == 0 && realpath(cand, real)) {
			if (snprintf(out, n, "%s", real) >= (int)n)
				return -1;
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -1;
}

int ipt_backend_find_iptables(const char *path, char *out, size_t n)
{
	return ipt_backend_find_command(path, "iptables", out, n);
}

/* Does the kernel answer nf_tables (asked on s, or a socket of its own)?  No iptables
 * installed to follow. */
static bool kernel_has_nftables(struct nft_sock *s)
{
	struct nft_sock own;
	uint32_t genid;
	bool ok = false;

	if (s || nft_sock_open(s = &own) == 0) {
		ok = nft_query_genid(s, &genid) == 0;
		if (s == &own)
			nft_sock_close(&own);
	}
	return ok;
}

enum ipt_backend ipt_backend_resolve(enum ipt_backend b, struct nft_sock *s)
{
	char real[PATH_MAX];

	if (b == IPT_BACKEND_LEGACY || b == IPT_BACKEND_NFT)
		return b;
	if (ipt_backend_find_iptables(secure_getenv("PATH"), real, sizeof(real)) == 0) {
		const char *base = strrchr(real, '/');

		b = ipt_backend_of_command(base ? base + 1 : real);
		if (b != IPT_BACKEND_AUTO)
			return b;
	}
	return kernel_has_nftables(s) ? IPT_BACKEND_NFT : IPT_BACKEND_LEGACY;
}

/* nf_tables' ip/ip6 filter table has chain `jail` (asked on s, or a socket of its own). */
static bool nft_holds(enum nfban_family fam, const char *jail, struct nft_sock *s)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nft_sock own;
	bool exists = false;

	if (c && (s || nft_sock_open(s = &own) == 0)) {
		if (nft_query_chain(s, fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, "filter", jail,
				    c, &exists) < 0)
			exists = false;
		if (s == &own)
			nft_sock_close(&own);
	}
	if (c)
		nftnl_chain_free(c);
	return exists;
}

/* The kernel has the family's legacy filter table (reading it otherwise would create it). */
static bool legacy_loaded(enum nfban_family fam)
{
	FILE *names = fopen(fam == NFBAN_INET6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names",
			    "re");
	char line[64];
	bool loaded = false;

	if (!names)
		return false;
	while (!loaded && fgets(line, sizeof(line), names))
		loaded = strcmp(line, "filter\n") == 0;
	fclose(names);
	return loaded;
}

bool ipt_backend_legacy_decides(bool legacy_holds, bool on_nft, struct nft_sock *s)
{
	/* The one that holds the chain; with both or neither, the one `iptables` is. */
	if (legacy_holds != on_nft)
		return legacy_holds;
	return ipt_backend_resolve(IPT_BACKEND_AUTO, s) == IPT_BACKEND_LEGACY;
}

enum ipt_backend ipt_backend_for_jail(enum ipt_backend b, enum nfban_family fam, const char *jail,
				      struct nft_sock *s, bool *on_nft)
{
	if (b != IPT_BACKEND_AUTO)
		return b;
	*on_nft = nft_holds(fam, jail, s);
	if (legacy_loaded(fam))
		return IPT_BACKEND_AUTO;
	return ipt_backend_legacy_decides(false, *on_nft, s) ? IPT_BACKEND_LEGACY : IPT_BACKEND_NFT;
}
