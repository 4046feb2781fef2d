// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * loader.h - find, vet and dlopen a plugin, once per process.
 *
 * A plugin is DIR/NAME.so.  It is refused when NAME is not a plain plugin
 * name, when the file, DIR or any directory above DIR can be written by
 * anyone but root (whoever can write it can run code as root through
 * Fail2ban; vet.h, with its one exception for sticky directories such as
 * /tmp), when it lacks the
 * descriptor symbol, or when its ABI version is not ours.  Loaded plugins
 * are shared by every handle of the process and counted.
 */
#ifndef NFBAN_LIB_LOADER_H
#define NFBAN_LIB_LOADER_H

#include <pthread.h>
#include <stddef.h>

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

struct plugin {
	const struct nfban_plugin *desc;
	/* Held around every call when desc->flags has NFBAN_PLUGIN_SERIAL. */
	pthread_mutex_t serial;
	/* The loader's own: */
	void *dl;
	int fd;                 /* the vetted file, open while the plugin is loaded */
	unsigned refs;
	char *path;
	struct plugin *next;
};

/* The plugin directory: the host's choice, else $NFBAN_PLUGIN_DIR, else the built-in one. */
const char *plugin_dir(const char *option);

/* The plugin, loaded or shared; NULL with a one-line reason in err.  *missing
 * is set when the plugin file does not exist (an unknown action rather than
 * a broken install). */
struct plugin *plugin_get(const char *dir, const char *name, int *missing, char *err, size_t errlen);
void plugin_put(struct plugin *pl);

#pragma GCC visibility pop

#endif
