// SPDX-License-Identifier: GPL-2.0-or-later
/* services.c - see services.h.  Format: services(5). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"

/* glibc's getaddrinfo() with no socket type: the protocols it asks for a
 * service name, in the order of its answers (gaih_inet_typeproto). */
static const char *const service_protos[] = { "tcp", "udp", "dccp", "udplite", "sctp" };
#define N_SERVICE_PROTOS (sizeof(service_protos) / sizeof(service_protos[0]))

static unsigned proto_rank(const char *proto)
{
	unsigned r = 0;

	while (r < N_SERVICE_PROTOS && strcmp(service_protos[r], proto) != 0)
		r++;
	return r;
}

/*
 * One line: "name port/proto [alias...] [# comment]".  When it lists name for
 * a protocol ranked before *best, sets *best and *port.
 */
static void scan_line(char *line, const char *name, unsigned *best, uint16_t *port)
{
	char *save = NULL, *tok, *slash, *end;
	unsigned long num;
	unsigned rank;
	int match;

	line[strcspn(line, "#\n")] = '\0';
	tok = strtok_r(line, " \t", &save);
	if (!tok)
		return;
	match = strcmp(tok, name) == 0;
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || !(slash = strchr(tok, '/')))
		return;
	rank = proto_rank(slash + 1);
	if (rank >= *best)
		return;
	*slash = '\0';
	num = strtoul(tok, &end, 10);
	if (*end || end == tok || num > 65535)
		return;
	while (!match && (tok = strtok_r(NULL, " \t", &save)))
		match = strcmp(tok, name) == 0;
	if (match) {
		*best = rank;
		*port = (uint16_t)num;
	}
}

int value_services_lookup(const char *path, const char *name, uint16_t *port)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");
	unsigned best = N_SERVICE_PROTOS;

	if (!f)
		return -1;
	/*
	 * Whole lines, whatever their length or bytes, as glibc's files source
	 * reads them: a line is not cut into two, and a NUL byte ends what is
	 * read of its line only (fgets() could tell neither from a line end).
	 */
	while (best > 0 && getline(&line, &cap, f) >= 0)
		scan_line(line, name, &best, port);
	free(line);
	fclose(f);
	return best < N_SERVICE_PROTOS;
}

int value_service_port(const char *name, uint16_t *port)
{
	struct servent se, *res;
	char buf[1024];

	if (value_services_lookup("/etc/services", name, port) == 1)
		return 0;
	for (size_t i = 0; i < N_SERVICE_PROTOS; i++) {
		res = NULL;
		if (getservbyname_r(name, service_protos[i], &se, buf, sizeof(buf), &res) == 0 && res) {
			*port = ntohs((uint16_t)res->s_port);
			return 0;
		}
	}
	return -1;
}
