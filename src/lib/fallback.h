/*
 * fallback.h - run one operation for a jail on the plugin that holds it.
 *
 * That is the plugin Fail2ban named, unless the kernel lacks a feature it
 * needs (NFBAN_NOFEATURE) and the request names fallbacks: then the first
 * fallback that works takes over the jail for that family, the choice is
 * announced once (stderr and syslog) and remembered (state.h), and every later
 * operation of that jail and family goes to it.  Only NFBAN_NOFEATURE on start
 * or ban triggers a fallback; any other failure is reported as it is.
 */
#ifndef NFBAN_SHIM_FALLBACK_H
#define NFBAN_SHIM_FALLBACK_H

#include "loader.h"
#include "params.h"

struct shim_result {
	enum nfban_status status;
	struct nfban_report report;
	char plugin[SHIM_PLUGIN_NAME_MAX];      /* the plugin whose answer this is */
	char why[SHIM_ERR_MAX];                 /* a failure of the shim itself (load, translate) */
};

/* The plugin's function for an operation. */
nfban_op_fn shim_op_fn(const struct nfban_plugin *d, enum shim_op op);

void shim_run(const char *plugin_dir, const struct shim_plugin *primary,
	      const struct shim_request *req, struct shim_result *res);

#endif
