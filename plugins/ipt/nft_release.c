// SPDX-License-Identifier: GPL-2.0-or-later
/* nft_release.c - the iptables-nft releases as data, and the host's (see nft_release.h). */
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>       /* ElfW() */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

	/* memchr for the '(' (vectorised), then the rest of the tail. */
	while ((p = memchr(p, '(', (size_t)(end - p)))) {
		const char *at = p - 1, *start = at;

		p++;
		if (at < base || (size_t)(end - at) < sizeof(tail) || memcmp(at, tail, sizeof(tail)) != 0)
			continue;
		/* Back to the NUL before the string. */
		while (start > base && start[-1] != '\0' && at - start < 16)
			start--;
		if ((start == base || start[-1] == '\0') &&
		    parse_version(start, (size_t)(at - start), version) == 0)
			return 0;
	}
	return -1;
}

/* Read len bytes at off into a new buffer; NULL on failure. */
static void *read_at(int fd, off_t off, size_t len)
{
	char *b = malloc(len ? len : 1);
	size_t got = 0;

	while (b && got < len) {
		ssize_t r = pread(fd, b + got, len - got, off + (off_t)got);

		if (r <= 0) {
			free(b);
			return NULL;
		}
		got += (size_t)r;
	}
	return b;
}

/*
 * Where a program of this machine's ELF class keeps its constant strings:
 * .rodata (about 25 KB of xtables-nft-multi's 230 KB).  -1 when the file is
 * no such ELF file or has no .rodata.
 */
static int rodata_of(int fd, off_t size, off_t *off, size_t *len)
{
	ElfW(Ehdr) eh;
	ElfW(Shdr) *sh = NULL;
	char *names = NULL;
	int rc = -1;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_shentsize != sizeof(ElfW(Shdr)) || eh.e_shnum == 0 || eh.e_shstrndx >= eh.e_shnum ||
	    eh.e_shoff == 0 || eh.e_shoff > (uintmax_t)size ||
	    (uintmax_t)eh.e_shnum * sizeof(ElfW(Shdr)) > (uintmax_t)size - eh.e_shoff)
		return -1;
	sh = read_at(fd, (off_t)eh.e_shoff, eh.e_shnum * sizeof(ElfW(Shdr)));
	if (!sh)
		return -1;
	if (sh[eh.e_shstrndx].sh_size > 0 && sh[eh.e_shstrndx].sh_size <= 65536 &&
	    sh[eh.e_shstrndx].sh_offset <= (uintmax_t)size - sh[eh.e_shstrndx].sh_size)
		names = read_at(fd, (off_t)sh[eh.e_shstrndx].sh_offset, sh[eh.e_shstrndx].sh_size);
	for (unsigned i = 0; names && rc < 0 && i < eh.e_shnum; i++) {
		size_t at = sh[i].sh_name, room = sh[eh.e_shstrndx].sh_size;

		if (at < room && strncmp(names + at, ".rodata", room - at) == 0 &&
		    sh[i].sh_type == SHT_PROGBITS && sh[i].sh_offset <= (uintmax_t)size &&
		    sh[i].sh_size <= (uintmax_t)size - sh[i].sh_offset) {
			*off = (off_t)sh[i].sh_offset;
			*len = sh[i].sh_size;
			rc = 0;
		}
	}
	free(names);
	free(sh);
	return rc;
}

int ipt_nft_version_of_file(const char *path, unsigned *version)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	off_t off = 0;
	size_t len;
	void *text;
	int rc = -1;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size <= PROGRAM_MAX) {
		/* Not ELF (or stripped of section headers): the whole file. */
		if (rodata_of(fd, st.st_size, &off, &len) < 0) {
			off = 0;
			len = (size_t)st.st_size;
		}
		text = read_at(fd, off, len);
		if (text)
			rc = ipt_nft_version_in(text, len, version);
		free(text);
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
