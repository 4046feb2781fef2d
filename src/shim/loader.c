/*
 * loader.c - find, vet and dlopen a plugin (see loader.h).
 *
 * The file is opened once with O_NOFOLLOW, vetted with fstat() on that
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
#include "params.h"

#ifndef NFBAN_PLUGIN_DIR
#define NFBAN_PLUGIN_DIR "/usr/local/lib/nfban"
#endif

const char *shim_plugin_dir(const char *option)
{
	const char *env = getenv("NFBAN_PLUGIN_DIR");

	if (option)
		return option;
	if (env && *env)
		return env;
	return NFBAN_PLUGIN_DIR;
}

/* Writable by someone other than root? */
static int unsafe(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

static int check_ops(const struct nfban_plugin *d)
{
	return d->name && d->open && d->close && d->start && d->stop && d->check && d->ban &&
	       d->unban && d->flush &&
	       (d->dialect == NFBAN_DIALECT_XT || d->dialect == NFBAN_DIALECT_NFT);
}

int shim_plugin_load(const char *dir, const char *name, struct shim_plugin *pl, int *missing,
		     char *err, size_t errlen)
{
	char path[4096], fdpath[64];
	struct stat st;
	int fd;

	memset(pl, 0, sizeof(*pl));
	pl->fd = -1;
	*missing = 0;
	if (!shim_plugin_name_ok(name)) {
		*missing = 1;
		snprintf(err, errlen, "'%s' is not a plugin name (a-z, 0-9, '_' and '-' only)", name);
		return -1;
	}
	if (stat(dir, &st) < 0) {
		snprintf(err, errlen, "plugin directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || unsafe(&st)) {
		snprintf(err, errlen, "plugin directory %s is not a directory owned and only writable by root", dir);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.so", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "plugin path too long");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		*missing = errno == ENOENT;
		snprintf(err, errlen, "%s: %s", path, errno == ENOENT ? "no such plugin" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || unsafe(&st)) {
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
	if (!check_ops(pl->desc) || strcmp(pl->desc->name, name) != 0) {
		snprintf(err, errlen, "%s: malformed descriptor (name or operations missing)", path);
		goto refuse;
	}
	return 0;
refuse:
	shim_plugin_unload(pl);
	return -1;
}

void shim_plugin_unload(struct shim_plugin *pl)
{
	if (pl->dl)
		dlclose(pl->dl);
	if (pl->fd >= 0)
		close(pl->fd);
	memset(pl, 0, sizeof(*pl));
	pl->fd = -1;
}
