// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * f2b.c - Fail2ban in the model: its jails, each one's bans and actions, as
 * fail2ban-client prints them (run without a shell), only when its socket
 * exists, so a host without Fail2ban pays no Python.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "f2b.h"

static int client(const struct f2b *f, const struct opts *o, char **out, const char *a1,
		  const char *a2, const char *a3)
{
	if (o->socket)
		return tool("fail2ban-client", out, NULL, 30, "-s", f->sock, a1, a2, a3, (char *)NULL);
	return tool("fail2ban-client", out, NULL, 30, a1, a2, a3, (char *)NULL);
}

static void add_ban(struct f2b_jail *j, const char *a)
{
	char norm[64];

	if (addr_norm(a, norm, sizeof(norm)) < 0)
		return;
	j->bans = xrealloc(j->bans, (j->n_bans + 1) * sizeof(*j->bans));
	j->bans[j->n_bans++] = xstrdup(norm);
}

static void jail_load(struct f2b *f, const struct opts *o, struct f2b_jail *j)
{
	char *out = NULL, *line;

	if (client(f, o, &out, "get", j->name, "banip") == 0)
		for (char *sv = NULL, *a = strtok_r(out, " \n", &sv); a; a = strtok_r(NULL, " \n", &sv))
			add_ban(j, a);
	free(out);
	out = NULL;
	/* "The jail sshd has the following actions:\nnfban-multiport, ..." */
	if (client(f, o, &out, "get", j->name, "actions") == 0 && (line = strchr(out, '\n'))) {
		line++;
		line[strcspn(line, "\n")] = '\0';
		snprintf(j->actions, sizeof(j->actions), "%s", line);
	}
	free(out);
}

void f2b_load(struct f2b *f, const struct opts *o)
{
	char *out = NULL, *list;

	memset(f, 0, sizeof(*f));
	f->rd = RD_NONE;
	snprintf(f->sock, sizeof(f->sock), "%s", o->socket ? o->socket : "/var/run/fail2ban/fail2ban.sock");
	if (o->no_fail2ban || (access(f->sock, F_OK) < 0 && !o->socket))
		return;
	if (access(f->sock, F_OK) < 0) {
		f->rd = RD_FAILED;
		snprintf(f->why, sizeof(f->why), "Fail2ban's socket %s: %s", f->sock, strerror(errno));
		return;
	}
	if (client(f, o, &out, "status", NULL, NULL) < 0 && errno == ENOENT) {
		f->rd = RD_NOTOOL;
		snprintf(f->why, sizeof(f->why), "Fail2ban's socket %s exists but fail2ban-client is "
			 "not in PATH", f->sock);
	} else if (!out || !(list = strstr(out, "Jail list:"))) {
		f->rd = access(f->sock, W_OK) < 0 ? RD_DENIED : RD_FAILED;
		snprintf(f->why, sizeof(f->why), "fail2ban-client does not answer on %s%s", f->sock,
			 f->rd == RD_DENIED ? " (not permitted)" : "");
	} else {
		f->rd = RD_OK;
		list += strlen("Jail list:");
		list[strcspn(list, "\n")] = '\0';
		for (char *sv = NULL, *j = strtok_r(list, ", \t", &sv); j; j = strtok_r(NULL, ", \t", &sv)) {
			f->jails = xrealloc(f->jails, (f->n_jails + 1) * sizeof(*f->jails));
			memset(&f->jails[f->n_jails], 0, sizeof(*f->jails));
			snprintf(f->jails[f->n_jails].name, sizeof(f->jails->name), "%s", j);
			jail_load(f, o, &f->jails[f->n_jails++]);
		}
	}
	free(out);
}
