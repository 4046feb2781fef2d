// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_services.c - value_services_lookup(): a service name in a
 * services(5) file, as nft resolves it (services.h).
 *
 * The input's first line is the name, the rest the file.  Promised
 * (services.h): 1 and the port when the file lists the name (or an alias)
 * for tcp, udp, dccp, udplite or sctp - the first of those protocols, in
 * that order, that has it, and for it the first line - else 0; a line is
 * "name port/proto [alias...] [# comment]", read whole whatever its length
 * (a NUL byte ends what is read of it), as glibc reads the file.  The
 * harness reads the file its own way (lines split at '\n') and must get
 * the same answer.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "services.h"

static const char *const protos[] = { "tcp", "udp", "dccp", "udplite", "sctp" };
static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("services", MFD_CLOEXEC);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

/* The answer for one line, as services(5) says. */
static void model_line(const char *line, size_t len, const char *name, unsigned *best,
		       uint16_t *port)
{
	char *buf = malloc(len + 1), *save = NULL, *tok, *slash, *end;
	unsigned long num;
	unsigned rank;
	int match;

	if (!buf)
		abort();
	memcpy(buf, line, len);
	buf[len] = '\0';
	buf[strcspn(buf, "#")] = '\0';
	if (!(tok = strtok_r(buf, " \t", &save)))
		goto out;
	match = !strcmp(tok, name);
	if (!(tok = strtok_r(NULL, " \t", &save)) || !(slash = strchr(tok, '/')))
		goto out;
	for (rank = 0; rank < 5 && strcmp(protos[rank], slash + 1); rank++)
		;
	*slash = '\0';
	num = strtoul(tok, &end, 10);
	if (rank >= *best || *end || end == tok || num > 65535)
		goto out;
	while ((tok = strtok_r(NULL, " \t", &save)))
		match |= !strcmp(tok, name);
	if (match) {
		*best = rank;
		*port = (uint16_t)num;
	}
out:
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t nlen = nl ? (size_t)(nl - data) : size;
	const char *file = nl ? (const char *)nl + 1 : "";
	size_t flen = nl ? size - nlen - 1 : 0;
	char *name = fuzz_string(data, nlen);
	uint16_t got = 0, want = 0;
	unsigned best = 5;
	int rc;

	if (ftruncate(fd, 0) < 0 || (flen && pwrite(fd, file, flen, 0) != (ssize_t)flen)) {
		perror("services file");
		abort();
	}
	for (size_t s = 0; s < flen;) {
		const char *e = memchr(file + s, '\n', flen - s);
		size_t len = e ? (size_t)(e - (file + s)) : flen - s;

		model_line(file + s, len, name, &best, &want);
		s += len + 1;
	}
	rc = value_services_lookup(path, name, &got);
	FUZZ_ASSERT(rc == (best < 5), "name '%s': lookup says %d, the file %s it", name, rc,
		    best < 5 ? "lists" : "does not list");
	FUZZ_ASSERT(rc != 1 || got == want, "name '%s': port %u, the file says %u", name, got, want);
	free(name);
	return 0;
}
