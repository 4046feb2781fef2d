// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostinfo.c - which backend `iptables` uses and the split between the two
 * iptables backends; the fallback state and its announcements; Fail2ban's own
 * view of its bans (fail2ban-client, run without a shell) against the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"
#include "state.h"

/* ---- backends --------------------------------------------------------------------- */

void check_backends(const struct opts *o, struct xsave x[4])
{
	char path[4096], real[PATH_MAX];
	const char *used = NULL;

	(void)o;
	if (!tool_find("iptables", path, sizeof(path))) {
		finding(SEV_OK, "backend.iptables", NULL, NULL, NULL, NULL, NULL,
			"no iptables command in PATH (nfban's backend=auto picks nft when the kernel has "
			"nf_tables)");
	} else if (!realpath(path, real)) {
		finding(SEV_WARN, "backend.iptables", NULL, NULL, NULL, NULL, "check the iptables link",
			"%s: %s", path, strerror(errno));
	} else {
		const char *base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;

		used = strstr(base, "legacy") || strcmp(base, "xtables-multi") == 0 ? "legacy"
		     : strstr(base, "nft") ? "nft" : NULL;
		if (used)
			finding(SEV_OK, "backend.iptables", &(struct where){ NULL, used, NULL }, NULL, NULL,
				NULL, NULL, "iptables is %s (%s tables): `iptables -L` shows those only",
				real, used);
		else
			finding(SEV_WARN, "backend.iptables", NULL, NULL, NULL, NULL,
				"check which iptables this is", "iptables is %s, neither legacy nor nft", real);
	}
	for (int k = 0; k < 4; k++)
		if (!x[k].present && strstr(x[k].why, "not loaded") == NULL)
			finding(SEV_WARN, "backend.read", &(struct where){ NULL, x[k].backend, x[k].family },
				NULL, NULL, NULL, "install the iptables package to read these tables",
				"cannot read the %s %s tables: %s", x[k].backend, x[k].family, x[k].why);
	/* The split: the same jail in both, or rules where `iptables` does not look. */
	for (int f = 0; f < 2; f++) {
		struct xsave *l = &x[f], *n = &x[2 + f];   /* legacy, nft of one family */

		if (!l->present || !n->present)
			continue;
		for (size_t i = 0; i < l->n_chains; i++) {
			const char *c = l->chains[i].name;

			if (strcmp(l->chains[i].table, "filter") == 0 && strncmp(c, "f2b-", 4) == 0 &&
			    xsave_has_chain(n, "filter", c)) {
				char todo[300];

				snprintf(todo, sizeof(todo), "stop the jail, remove %s from the tables "
					 "`iptables` does not use (iptables-%s -F/-X), start it again",
					 c, used && strcmp(used, "legacy") == 0 ? "nft" : "legacy");
				finding(SEV_FAIL, "backend.split",
					&(struct where){ c + 4, NULL, l->family }, NULL, NULL, NULL, todo,
					"chain %s is in both the legacy and the nft tables: one half is hidden "
					"from `iptables -L` and bans and unbans may go to either", c);
			}
		}
		if (used && l->n_rules && n->n_rules) {
			const struct xsave *other = strcmp(used, "legacy") == 0 ? n : l;

			finding(SEV_WARN, "backend.split", &(struct where){ NULL, other->backend, l->family },
				NULL, NULL, NULL,
				"read both (iptables-legacy-save, iptables-nft-save); keep every rule in one",
				"both backends hold rules (legacy %zu, nft %zu): the %zu %s rules are not shown by "
				"`iptables -L`, and both sets of rules apply", l->n_rules, n->n_rules,
				other->n_rules, other->backend);
		}
	}
	for (int k = 0; k < 4; k++)
		for (size_t i = 0; used && x[k].present && strcmp(x[k].backend, used) != 0 &&
				   i < x[k].n_chains; i++)
			if (strcmp(x[k].chains[i].table, "filter") == 0 &&
			    strncmp(x[k].chains[i].name, "f2b-", 4) == 0)
				finding(SEV_WARN, "backend.other",
					&(struct where){ x[k].chains[i].name + 4, x[k].backend, x[k].family },
					NULL, NULL, NULL, "read it with iptables-" "save of that backend; nfban's "
					"backend=auto keeps a jail where it was started",
					"jail %s is in the %s tables, which `iptables -L` (%s) does not show",
					x[k].chains[i].name + 4, x[k].backend, used);
}

/* ---- fallback state ----------------------------------------------------------------- */

/* libnfban's directory for this namespace (state.h). */
static int state_dir(char *buf, size_t n)
{
	char ns[STATE_NS_KEY_MAX];

	if (state_ns_key(ns, sizeof(ns)) < 0)
		return -1;
	return (size_t)snprintf(buf, n, "%s/%s", state_base(), ns) < n ? 0 : -1;
}

/* The announcement kept beside the state when there is no /dev/log (libnfban's state_note). */
static void announcement(const char *state_path, char *out, size_t n)
{
	char path[4500];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s.announced", state_path);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

void check_fallback_state(const struct opts *o, const struct kbans *kb)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;
	int any = 0, syslog_ok = access("/dev/log", W_OK) == 0;

	if (state_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char jail[128], path[4400], plugin[64] = "", since[64] = "?", note[1024], todo[400];
		const char *dot = strrchr(e->d_name, '.');
		struct stat st;
		int fd, known = 0;
		ssize_t r;

		if (!dot || (strcmp(dot, ".inet4") != 0 && strcmp(dot, ".inet6") != 0))
			continue;
		snprintf(jail, sizeof(jail), "%.*s", (int)(dot - e->d_name), e->d_name);
		if ((o->name && strcmp(o->name, jail) != 0) ||
		    !(strcmp(dot + 1, "inet6") == 0 ? o->want6 : o->want4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		r = read(fd, plugin, sizeof(plugin) - 1);
		if (r > 0)
			plugin[r] = '\0';
		plugin[strcspn(plugin, "\n")] = '\0';
		if (fstat(fd, &st) == 0) {
			struct tm tm;

			strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S %Z", localtime_r(&st.st_mtime, &tm));
		}
		close(fd);
		any = 1;
		for (size_t i = 0; i < kb->n_jails; i++)
			known |= strcmp(kb->jails[i], jail) == 0;
		announcement(path, note, sizeof(note));
		if (!known) {
			finding(SEV_WARN, "jail.fallback", &(struct where){ jail, plugin, dot + 1 }, path,
				NULL, NULL, "nothing: nfban drops a state the kernel does not bear out at the "
				"jail's next operation", "fallback state %s says %s (since %s), but the kernel "
				"holds no jail %s", path, plugin, since, jail);
			continue;
		}
		snprintf(todo, sizeof(todo), "nothing while it works; to return to the jail's own action, "
			 "give the kernel what it lacks (see capability findings) and restart the jail");
		finding(SEV_WARN, "jail.fallback", &(struct where){ jail, plugin, dot + 1 }, path, NULL,
			NULL, todo, "jail %s (%s) runs on %s, a fallback, since %s%s%s%s", jail, dot + 1,
			plugin, since, note[0] ? "; announced: " : "", note,
			note[0] ? "" : syslog_ok ? " (announced to syslog)" : "");
	}
	closedir(d);
	if (any && !syslog_ok)
		finding(SEV_WARN, "jail.fallback.log", NULL, NULL, NULL, NULL,
			"run a syslog daemon or journald to get the announcements in the system log",
			"/dev/log is absent: fallback announcements are kept beside the state, in %s/<jail>.<family>.announced", dir);
}

/* ---- Fail2ban --------------------------------------------------------------------- */

static int f2b(const struct opts *o, const char *client, char **out, const char *a1, const char *a2,
	       const char *a3)
{
	char *argv[12];
	int n = 0;

	argv[n++] = (char *)client;
	if (o->socket) {
		argv[n++] = (char *)"-s";
		argv[n++] = (char *)o->socket;
	}
	argv[n++] = (char *)a1;
	if (a2)
		argv[n++] = (char *)a2;
	if (a3)
		argv[n++] = (char *)a3;
	argv[n] = NULL;
	return tool_run(argv, out, 30);
}

void check_fail2ban(const struct opts *o, const struct kbans *kb)
{
	const char *sock = o->socket ? o->socket : "/var/run/fail2ban/fail2ban.sock";
	char client[4096], *out = NULL, *list;
	int rc;

	if (o->no_fail2ban)
		return;
	if (access(sock, F_OK) < 0) {
		if (o->socket)
			finding(SEV_WARN, "fail2ban.reach", NULL, NULL, NULL, NULL, "check --socket",
				"Fail2ban's socket %s: %s", sock, strerror(errno));
		return;
	}
	if (!tool_find("fail2ban-client", client, sizeof(client))) {
		finding(SEV_WARN, "fail2ban.reach", NULL, NULL, NULL, NULL,
			"put fail2ban-client in PATH", "Fail2ban's socket %s exists but fail2ban-client "
			"is not in PATH: Fail2ban's bans not compared with the kernel", sock);
		return;
	}
	rc = f2b(o, client, &out, "status", NULL, NULL);
	list = out ? strstr(out, "Jail list:") : NULL;
	if (rc != 0 || !list) {
		finding(SEV_WARN, "fail2ban.reach", NULL, NULL, NULL, NULL,
			"start Fail2ban, or give its socket with --socket",
			"fail2ban-client does not answer on %s: Fail2ban's bans not compared with the "
			"kernel", sock);
		free(out);
		return;
	}
	list += strlen("Jail list:");
	list[strcspn(list, "\n")] = '\0';
	finding(SEV_OK, "fail2ban.reach", NULL, NULL, NULL, NULL, NULL,
		"Fail2ban answers on %s; jails:%s", sock, list);
	for (char *sv = NULL, *jail = strtok_r(list, ", \t", &sv); jail; jail = strtok_r(NULL, ", \t", &sv)) {
		char *bans = NULL;
		size_t n_f2b = 0, missing = 0, extra = 0;
		struct where w = { jail, NULL, NULL };
		int known = 0;

		if (o->name && strcmp(o->name, jail) != 0)
			continue;
		for (size_t i = 0; i < kb->n_jails; i++)
			known |= strcmp(kb->jails[i], jail) == 0;
		if (f2b(o, client, &bans, "get", jail, "banip") != 0) {
			free(bans);
			continue;
		}
		char *words = xstrdup(bans ? bans : "");

		for (char *s2 = NULL, *a = strtok_r(words, " \n", &s2); a; a = strtok_r(NULL, " \n", &s2)) {
			char norm[64], todo[300];
			int in = 0;

			if (addr_norm(a, norm, sizeof(norm)) < 0)
				continue;
			n_f2b++;
			for (size_t i = 0; i < kb->n; i++)
				in |= strcmp(kb->v[i].jail, jail) == 0 && strcmp(kb->v[i].addr, norm) == 0;
			if (in)
				continue;
			missing++;
			snprintf(todo, sizeof(todo), "fail2ban-client restart %s (its start bans every "
				 "address again), or fail2ban-client set %s unbanip %s && "
				 "fail2ban-client set %s banip %s", jail, jail, norm, jail, norm);
			finding(SEV_FAIL, "fail2ban.missing", &w, NULL, NULL, norm, todo,
				"Fail2ban lists %s as banned in jail %s, but the kernel does not hold it%s",
				norm, jail, known ? "" : " (no nfban jail of that name in the kernel: "
				"a stock or other action?)");
		}
		free(words);
		/* The reverse: the kernel's bans of this jail Fail2ban does not list. */
		for (size_t i = 0; i < kb->n; i++) {
			int listed = 0;
			char copy[4096], todo[300];

			if (strcmp(kb->v[i].jail, jail) != 0)
				continue;
			snprintf(copy, sizeof(copy), "%s", bans ? bans : "");
			for (char *s3 = NULL, *a = strtok_r(copy, " \n", &s3); a && !listed;
			     a = strtok_r(NULL, " \n", &s3)) {
				char norm[64];

				listed = addr_norm(a, norm, sizeof(norm)) == 0 && strcmp(norm, kb->v[i].addr) == 0;
			}
			if (listed)
				continue;
			/* One rule per family and backend can hold it: report it once. */
			extra++;
			snprintf(todo, sizeof(todo), "unban it in the kernel (nfban ACTION unban "
				 "name=%s ip=%s with the jail's keys), or ban it in Fail2ban "
				 "(fail2ban-client set %s banip %s)", jail, kb->v[i].addr, jail, kb->v[i].addr);
			finding(SEV_FAIL, "fail2ban.extra", &w, kb->v[i].where, NULL, kb->v[i].addr, todo,
				"the kernel bans %s in jail %s (%s), but Fail2ban does not list it: it "
				"will never be unbanned", kb->v[i].addr, jail, kb->v[i].where);
		}
		if (!missing && !extra)
			finding(SEV_OK, "fail2ban.bans", &w, NULL, NULL, NULL, NULL,
				"Fail2ban's %zu ban%s of jail %s are all in the kernel, and no other", n_f2b,
				n_f2b == 1 ? "" : "s", jail);
		free(bans);
	}
	free(out);
}
