/* services.c - see services.h.  Format: services(5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services.h"

/* One line: "name port/proto [alias...] [# comment]". */
static int line_matches(char *line, const char *name, const char *proto, uint16_t *port)
{
	char *save = NULL, *tok, *slash, *end;
	unsigned long num;
	int match = 0;

	line[strcspn(line, "#\n")] = '\0';
	tok = strtok_r(line, " \t", &save);
	if (!tok)
		return 0;
	match = strcmp(tok, name) == 0;
	tok = strtok_r(NULL, " \t", &save);
	if (!tok || !(slash = strchr(tok, '/')) || (proto && strcmp(slash + 1, proto) != 0))
		return 0;
	*slash = '\0';
	num = strtoul(tok, &end, 10);
	if (*end || end == tok || num > 65535)
		return 0;
	while (!match && (tok = strtok_r(NULL, " \t", &save)))
		match = strcmp(tok, name) == 0;
	if (match)
		*port = (uint16_t)num;
	return match;
}

int value_services_lookup(const char *path, const char *name, const char *proto, uint16_t *port)
{
	char line[1024];
	FILE *f = fopen(path, "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f))
		found = line_matches(line, name, proto, port);
	fclose(f);
	return found;
}
