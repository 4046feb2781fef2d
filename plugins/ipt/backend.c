/* backend.c - the backend=auto rule (see backend.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../nft/query.h"
#include "../nft/sock.h"
#include "backend.h"

enum ipt_backend ipt_backend_of_command(const char *name)
{
	if (strcmp(name, "iptables-nft") == 0 || strcmp(name, "xtables-nft-multi") == 0)
		return IPT_BACKEND_NFT;
	if (strcmp(name, "iptables-legacy") == 0 || strcmp(name, "xtables-legacy-multi") == 0 ||
	    strcmp(name, "xtables-multi") == 0)   /* iptables before 1.8: legacy only */
		return IPT_BACKEND_LEGACY;
	return IPT_BACKEND_AUTO;
}

int ipt_backend_find_iptables(const char *path, char *out, size_t n)
{
	const char *p = path;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char cand[PATH_MAX], real[PATH_MAX];

		/* An empty entry is the current directory, as for execvp(). */
		if (snprintf(cand, sizeof(cand), "%.*s/iptables", (int)len, len ? p : ".") <
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
	if (ipt_backend_find_iptables(getenv("PATH"), real, sizeof(real)) == 0) {
		const char *base = strrchr(real, '/');

		b = ipt_backend_of_command(base ? base + 1 : real);
		if (b != IPT_BACKEND_AUTO)
			return b;
	}
	return kernel_has_nftables() ? IPT_BACKEND_NFT : IPT_BACKEND_LEGACY;
}
