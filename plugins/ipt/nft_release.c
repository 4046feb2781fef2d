// SPDX-License-Identifier: GPL-2.0-or-later
/* nft_release.c - the iptables-nft releases as data, and the host's (see nft_release.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "backend.h"
#include "nft_release.h"

const struct ipt_nft_release ipt_nft_releases[] = {
	{ "1.8.9", IPT_NFT_VERSION(1, 8, 9), false, false,
	  { IPT_NFT_PROTO_META, IPT_NFT_PROTO_META } },
	{ "1.8.10", IPT_NFT_VERSION(1, 8, 10), true, true,
	  { IPT_NFT_PROTO_PAYLOAD, IPT_NFT_PROTO_META } },
	{ "1.8.11", IPT_NFT_VERSION(1, 8, 11), true, true,
	  { IPT_NFT_PROTO_PAYLOAD, IPT_NFT_PROTO_META } },
};
const size_t ipt_nft_n_releases = sizeof(ipt_nft_releases) / sizeof(ipt_nft_releases[0]);

/* Programs larger than this are not iptables (xtables-nft-multi: ~230 KB). */
#define PROGRAM_MAX (64u << 20)

const struct ipt_nft_release *ipt_nft_release_of(unsigned version)
{
	const struct ipt_nft_release *r = &ipt_nft_releases[0];

	for (size_t i = 1; i < ipt_nft_n_releases; i++)
		if (ipt_nft_releases[i].version <= version)
			r = &ipt_nft_releases[i];
	return r;
}

enum ipt_nft_proto ipt_nft_release_proto(const struct ipt_nft_release *rel, enum nfban_family fam)
{
	return rel->proto[fam == NFBAN_INET6 ? 1 : 0];
}

/* "X.Y.Z" exactly, each part a number below 256. */
static int parse_version(const char *s, size_t len, unsigned *version)
{
	unsigned part[3] = { 0, 0, 0 }, k = 0;
	size_t digits = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && digits && k < 2) {
			k++;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			part[k] = part[k] * 10 + (unsigned)(s[i] - '0');
			digits++;
		} else {
			return -1;
		}
	}
	if (k != 2 || !digits || part[0] > 255 || part[1] > 255 || part[2] > 255)
		return -1;
	*version = IPT_NFT_VERSION(part[0], part[1], part[2]);
	return 0;
}

int ipt_nft_version_in(const void *text, size_t len, unsigned *version)
{
	static const char tail[] = " (nf_tables)";      /* and its NUL */
	const char *base = text, *p = base, *end = base + len;

	while ((p = memmem(p, (size_t)(end - p), tail, sizeof(tail)))) {
		const char *start = p;

		/* Back to the NUL before the string. */
		while (start > base && start[-1] != '\0' && p - start < 16)
			start--;
		if ((start == base || start[-1] == '\0') &&
		    parse_version(start, (size_t)(p - start), version) == 0)
			return 0;
		p += sizeof(tail);
	}
	return -1;
}

int ipt_nft_version_of_file(const char *path, unsigned *version)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	void *map;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= PROGRAM_MAX) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			rc = ipt_nft_version_in(map, (size_t)st.st_size, version);
			munmap(map, (size_t)st.st_size);
		}
	}
	close(fd);
	return rc;
}

const struct ipt_nft_release *ipt_nft_release_detect(const char *path)
{
	static const char *const names[] = { "iptables", "iptables-nft" };
	char real[PATH_MAX];
	unsigned version;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *base;

		if (ipt_backend_find_command(path, names[i], real, sizeof(real)) < 0)
			continue;
		base = strrchr(real, '/');
		base = base ? base + 1 : real;
		/* A legacy `iptables`: the nf_tables side is iptables-nft's. */
		if (ipt_backend_of_command(base) == IPT_BACKEND_LEGACY)
			continue;
		if (ipt_nft_version_of_file(real, &version) == 0)
			return ipt_nft_release_of(version);
		/* iptables-nft that states no version: before 1.8.8. */
		if (ipt_backend_of_command(base) == IPT_BACKEND_NFT)
			return &ipt_nft_releases[0];
	}
	return &ipt_nft_releases[ipt_nft_n_releases - 1];
}
