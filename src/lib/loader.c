// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loader.c - find, vet and dlopen a plugin (see loader.h).
 *
 * The directory is opened once and vetted through that descriptor, up to /
 * (vet.h: root's, writable by root only, every directory above it too); the
 * file is opened relative to it with O_NOFOLLOW, vetted with fstat() on that
 * descriptor, and that same descriptor is what dlopen() maps (through
 * /proc/self/fd), so the file cannot be swapped between the check and the load.
 * The descriptor stays open while the plugin is loaded: the dynamic loader
 * knows objects by the name they were opened under, and a second plugin
 * opened as the same /proc/self/fd/N would be taken for the first one.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "values.h"
#include "vet.h"

#ifndef NFBAN_PLUGIN_DIR
#define NFBAN_PLUGIN_DIR "/usr/local/lib/nfban"
#endif

/* Loaded plugins, shared by every handle. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct plugin *registry;

const char *plugin_dir(const char *option)
{
	const char *env = secure_getenv("NFBAN_PLUGIN_DIR");

	if (option)
		return option;
	if (env && *env)
		return env;
	return NFBAN_PLUGIN_DIR;
}

static int check_desc(const struct nfban_plugin *d)
{
	if (!d->name || !d->keys || !d->fallback || !d->open || !d->close || !d->configure ||
	    !d->release || !d->run)
		return 0;
	/* Key names are words; libnfban's own keys are not the plugin's. */
	for (const struct nfban_key *k = d->keys; k->name; k++)
		if (!value_plugin_name_ok(k->name) || strcmp(k->name, "name") == 0 ||
		    strcmp(k->name, "family") == 0 || strcmp(k->name, "ip") == 0 ||
		    strcmp(k->name, "fallback") == 0 || strcmp(k->name, "special_addresses") == 0 ||
		    strcmp(k->name, "kill_sessions") == 0)
			return 0;
	return 1;
}

static int load(const char *dir, const char *name, struct plugin *pl, int *missing,
		char *err, size_t errlen)
{
	char path[4096], fdpath[64];
	struct stat st;
	int dfd, fd;

	*missing = 0;
	if (!value_plugin_name_ok(name)) {
		*missing = 1;
		snprintf(err, errlen, "'%s' is not a plugin name (a-z, 0-9, '_' and '-' only)", name);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "plugin path too long");
		return -1;
	}
	/* The directory once, vetted up to / through that descriptor; the
	 * file opened relative to it: nothing is looked up by name twice. */
	dfd = vet_open_plugin_dir(dir, err, errlen);
	if (dfd < 0)
		return -1;
	fd = openat(dfd, path + strlen(dir) + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	close(dfd);
	if (fd < 0) {
		*missing = errno == ENOENT;
		snprintf(err, errlen, "%s: %s", path, errno == ENOENT ? "no such plugin" : strerror(errno));
		return -1;
	}
	if (!vet_file(fd, &st)) {
		snprintf(err, errlen, "%s is not a regular file owned and only writable by root", path);
		close(fd);
		return -1;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	pl->dl = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!pl->dl) {
		snprintf(err, errlen, "%s: %s", path, dlerror());
		close(fd);
		return -1;
	}
	pl->fd = fd;
	pl->desc = dlsym(pl->dl, NFBAN_PLUGIN_SYMBOL);
	if (!pl->desc) {
		snprintf(err, errlen, "%s: no %s descriptor: not an nfban plugin", path, NFBAN_PLUGIN_SYMBOL);
		goto refuse;
	}
	/* abi_version is the only member whose place every version agrees on. */
	if (pl->desc->abi_version != NFBAN_ABI_VERSION) {
		snprintf(err, errlen, "%s: plugin ABI version %u, this nfban speaks version %u: rebuild the plugin",
			 path, pl->desc->abi_version, NFBAN_ABI_VERSION);
		goto refuse;
	}
	if (!check_desc(pl->desc) || strcmp(pl->desc->name, name) != 0) {
		snprintf(err, errlen, "%s: malformed descriptor (name, keys or operations missing)", path);
		goto refuse;
	}
	return 0;
refuse:
	dlclose(pl->dl);
	close(fd);
	pl->fd = -1;
	return -1;
}

struct plugin *plugin_get(const char *dir, const char *name, int *missing, char *err, size_t errlen)
{
	char path[4096];
	struct plugin *pl;

	*missing = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	pthread_mutex_lock(&registry_lock);
	for (pl = registry; pl; pl = pl->next)
		if (strcmp(pl->path, path) == 0) {
			pl->refs++;
			goto out;
		}
	pl = calloc(1, sizeof(*pl));
	if (!pl || !(pl->path = strdup(path))) {
		free(pl);
		pl = NULL;
		snprintf(err, errlen, "loading plugin %s: %s", name, strerror(ENOMEM));
		goto out;
	}
	pl->fd = -1;
	if (load(dir, name, pl, missing, err, errlen) < 0) {
		free(pl->path);
		free(pl);
		pl = NULL;
		goto out;
	}
	pthread_mutex_init(&pl->serial, NULL);
	pl->refs = 1;
	pl->next = registry;
	registry = pl;
out:
	pthread_mutex_unlock(&registry_lock);
	return pl;
}

void plugin_put(struct plugin *pl)
{
	struct plugin **p;

	if (!pl)
		return;
	pthread_mutex_lock(&registry_lock);
	if (--pl->refs == 0) {
		for (p = &registry; *p; p = &(*p)->next)
			if (*p == pl) {
				*p = pl->next;
				break;
			}
		dlclose(pl->dl);
		close(pl->fd);
		pthread_mutex_destroy(&pl->serial);
		free(pl->path);
		free(pl);
	}
	pthread_mutex_unlock(&registry_lock);
}
