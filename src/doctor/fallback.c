// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fallback.c - the fallback state libnfban keeps per network namespace (which
 * plugin a jail runs on instead of its own) and its announcements, against
 * the jails the kernel holds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "state.h"

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

/* One state file: the plugin it names and since when; -1 when unreadable. */
static int state_read(const char *path, char *plugin, size_t np, char *since, size_t ns)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, plugin, np - 1);
	plugin[r > 0 ? r : 0] = '\0';
	plugin[strcspn(plugin, "\n")] = '\0';
	snprintf(since, ns, "?");
	if (fstat(fd, &st) == 0) {
		struct tm tm;

		strftime(since, ns, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&st.st_mtime, &tm));
	}
	close(fd);
	return 0;
}

static void state_finding(const struct model *m, const char *jail, const char *family,
			  const char *path, const char *plugin, const char *since, int syslog_ok)
{
	struct where w = { jail, plugin, family };
	char note[1024];

	announcement(path, note, sizeof(note));
	if (!kjail_find(m, jail)) {
		finding(SEV_WARN, "jail.fallback", &w, path, NULL, NULL, "nothing: nfban drops a state "
			"the kernel does not bear out at the jail's next operation", "fallback state %s "
			"says %s (since %s), but the kernel holds no jail %s", path, plugin, since, jail);
		return;
	}
	finding(SEV_WARN, "jail.fallback", &w, path, NULL, NULL, "nothing while it works; to return "
		"to the jail's own action, give the kernel what it lacks (see capability findings) and "
		"restart the jail", "jail %s (%s) runs on %s, a fallback, since %s%s%s%s", jail, family,
		plugin, since, note[0] ? "; announced: " : "", note,
		note[0] ? "" : syslog_ok ? " (announced to syslog)" : "");
}

void check_fallback_state(const struct model *m)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;
	int any = 0, syslog_ok = access("/dev/log", W_OK) == 0;

	if (state_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char jail[128], path[4400], plugin[64], since[64];
		const char *dot = strrchr(e->d_name, '.');

		if (!dot || (strcmp(dot, ".inet4") != 0 && strcmp(dot, ".inet6") != 0))
			continue;
		snprintf(jail, sizeof(jail), "%.*s", (int)(dot - e->d_name), e->d_name);
		if ((m->o->name && strcmp(m->o->name, jail) != 0) || !fam_wanted(m->o, dot + 1))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (state_read(path, plugin, sizeof(plugin), since, sizeof(since)) < 0)
			continue;
		any = 1;
		state_finding(m, jail, dot + 1, path, plugin, since, syslog_ok);
	}
	closedir(d);
	if (any && !syslog_ok)
		finding(SEV_WARN, "jail.fallback.log", NULL, NULL, NULL, NULL,
			"run a syslog daemon or journald to get the announcements in the system log",
			"/dev/log is absent: fallback announcements are kept beside the state, in "
			"%s/<jail>.<family>.announced", dir);
}
