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

#include "../nft/query.h"
#include "../nft/sock.h"
#include "backend.h"
#include "family.h"

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

/* Does the kernel answer nf_tables?  (No iptables installed to follow.) */
static bool kernel_has_nftables(void)
{
	struct nft_sock s;
	uint32_t genid;
	bool ok;

	if (nft_sock_open(&s) < 0)
		return false;
	ok = nft_query_genid(&s, &genid) == 0;
	nft_sock_close(&s);
	return ok;
}

enum ipt_backend ipt_backend_resolve(enum ipt_backend b)
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
	return kernel_has_nftables() ? IPT_BACKEND_NFT : IPT_BACKEND_LEGACY;
}

/* nf_tables' ip/ip6 filter table has chain `jail`. */
static bool nft_holds(enum nfban_family fam, const char *jail)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nft_sock s;
	bool exists = false;

	if (c && nft_sock_open(&s) == 0) {
		if (nft_query_chain(&s, fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, "filter", jail,
				    c, &exists) < 0)
			exists = false;
		nft_sock_close(&s);
	}
	if (c)
		nftnl_chain_free(c);
	return exists;
}

/* The legacy filter table is loaded and has chain `jail`. */
static bool legacy_holds(enum nfban_family fam, const char *jail)
{
	const struct ipt_family *f = fam == NFBAN_INET6 ? &ipt_family6 : &ipt_family4;
	FILE *names = fopen(fam == NFBAN_INET6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names",
			    "re");
	char line[64];
	bool loaded = false, holds = false;
	struct xtc_handle *h;

	if (!names)
		return false;
	while (!loaded && fgets(line, sizeof(line), names))
		loaded = strcmp(line, "filter\n") == 0;
	fclose(names);
	if (loaded && (h = f->init("filter"))) {
		holds = f->is_chain(jail, h) != 0;
		f->free(h);
	}
	return holds;
}

enum ipt_backend ipt_backend_for_jail(enum ipt_backend b, enum nfban_family fam, const char *jail)
{
	enum ipt_backend r = ipt_backend_resolve(b);

	if (b != IPT_BACKEND_AUTO)
		return r;
	if (r == IPT_BACKEND_NFT)
		return legacy_holds(fam, jail) && !nft_holds(fam, jail) ? IPT_BACKEND_LEGACY : r;
	return nft_holds(fam, jail) && !legacy_holds(fam, jail) ? IPT_BACKEND_NFT : r;
}
