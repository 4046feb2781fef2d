/*
 * loader.h - find, vet and dlopen a plugin.
 *
 * A plugin is DIR/NAME.so.  It is refused when NAME is not a plain plugin
 * name, when the file or DIR can be written by anyone but root (whoever can
 * write it can run code as root through Fail2ban), when it lacks the
 * descriptor symbol, or when its ABI version is not ours.
 */
#ifndef NFBAN_SHIM_LOADER_H
#define NFBAN_SHIM_LOADER_H

#include <stddef.h>
#include "nfban.h"

struct shim_plugin {
	void *dl;
	const struct nfban_plugin *desc;
	int fd;                 /* the vetted file, open while the plugin is loaded */
};

/* The plugin directory: --plugin-dir, else $NFBAN_PLUGIN_DIR, else the built-in one. */
const char *shim_plugin_dir(const char *option);

/* 0 on success; -1 with a one-line reason in err.  *missing is set when the
 * plugin file does not exist (an unknown ACTION rather than a broken install). */
int shim_plugin_load(const char *dir, const char *name, struct shim_plugin *pl, int *missing,
		     char *err, size_t errlen);
void shim_plugin_unload(struct shim_plugin *pl);

#endif
