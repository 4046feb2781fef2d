/* fallback.c - see fallback.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fallback.h"
#include "log.h"
#include "state.h"
#include "translate.h"

static const char *fam_name(enum nfban_family f)
{
	return f == NFBAN_INET6 ? "inet6" : "inet4";
}

nfban_op_fn shim_op_fn(const struct nfban_plugin *d, enum shim_op op)
{
	switch (op) {
	case SHIM_OP_START: return d->start;
	case SHIM_OP_STOP: return d->stop;
	case SHIM_OP_CHECK: return d->check;
	case SHIM_OP_BAN: return d->ban;
	case SHIM_OP_UNBAN: return d->unban;
	default: return d->flush;
	}
}

/* One operation on a fresh instance of plugin d. */
static enum nfban_status call(const struct nfban_plugin *d, enum shim_op op,
			      const struct nfban_params *p, struct shim_result *res)
{
	void *inst = NULL;
	enum nfban_status st;

	memset(&res->report, 0, sizeof(res->report));
	snprintf(res->plugin, sizeof(res->plugin), "%s", d->name);
	res->why[0] = '\0';
	st = d->open(&inst, &res->report);
	if (st == NFBAN_OK) {
		st = shim_op_fn(d, op)(inst, p, &res->report);
		d->close(inst);
	}
	res->status = st;
	return st;
}

/* A loaded alternative plugin with the request's parameters restated for it. */
struct alt {
	struct shim_plugin pl;
	struct nfban_params params;
};

static int alt_load(const char *dir, const char *name, const struct shim_plugin *primary,
		    const struct shim_request *req, struct alt *a, char *why, size_t n)
{
	int missing;

	if (shim_plugin_load(dir, name, &a->pl, &missing, why, n) < 0)
		return -1;
	if (shim_translate(&req->params, primary->desc, a->pl.desc, &a->params, why, n) < 0) {
		shim_plugin_unload(&a->pl);
		return -1;
	}
	return 0;
}

static void remember(const struct shim_request *req, const char *plugin)
{
	if (shim_state_set(req->params.name, req->params.family, plugin) < 0)
		shim_say("jail %s (%s): cannot record fallback to %s under /run/nfban: %s",
			 req->params.name, fam_name(req->params.family), plugin, strerror(errno));
}

static void forget(const struct shim_request *req)
{
	if (shim_state_clear(req->params.name, req->params.family) < 0)
		shim_say("jail %s (%s): cannot remove fallback state: %s", req->params.name,
			 fam_name(req->params.family), strerror(errno));
}

/*
 * The kernel lacks what the primary plugin needs: try the fallbacks in
 * order.  For a ban, the fallback is started first (the jail never was).
 */
static void fall_back(const char *dir, const struct shim_plugin *primary,
		      const struct shim_request *req, struct shim_result *res)
{
	struct shim_result first = *res, attempt;

	for (unsigned i = 0; i < req->n_fallback; i++) {
		const char *name = req->fallback[i];
		struct alt a;
		enum nfban_status st;

		if (strcmp(name, primary->desc->name) == 0)
			continue;
		memset(&attempt, 0, sizeof(attempt));
		if (alt_load(dir, name, primary, req, &a, attempt.why, sizeof(attempt.why)) < 0) {
			shim_say("jail %s (%s): fallback %s skipped: %s", req->params.name,
				 fam_name(req->params.family), name, attempt.why);
			continue;
		}
		st = call(a.pl.desc, SHIM_OP_START, &a.params, &attempt);
		if (st == NFBAN_OK && req->op == SHIM_OP_BAN)
			st = call(a.pl.desc, SHIM_OP_BAN, &a.params, &attempt);
		shim_plugin_unload(&a.pl);
		if (st == NFBAN_NOFEATURE)
			continue;
		*res = attempt;
		if (st != NFBAN_OK)
			return;
		remember(req, name);
		shim_announce("jail %s (%s): %s cannot work on this kernel (%s%s%s); %s takes over",
			      req->params.name, fam_name(req->params.family), primary->desc->name,
			      first.report.reason, first.report.kernel_errno ? ": " : "",
			      first.report.kernel_errno ? strerror(first.report.kernel_errno) : "", name);
		return;
	}
	*res = first;
}

/*
 * No state, and the primary plugin failed: if a fallback's check finds the
 * jail in the kernel (state lost), that fallback holds the jail.
 */
static int recover(const char *dir, const struct shim_plugin *primary,
		   const struct shim_request *req, struct shim_result *res)
{
	for (unsigned i = 0; i < req->n_fallback; i++) {
		struct shim_result probe;
		struct alt a;

		if (strcmp(req->fallback[i], primary->desc->name) == 0 ||
		    alt_load(dir, req->fallback[i], primary, req, &a, probe.why, sizeof(probe.why)) < 0)
			continue;
		if (call(a.pl.desc, SHIM_OP_CHECK, &a.params, &probe) == NFBAN_OK) {
			shim_say("jail %s (%s): found on %s in the kernel; continuing there",
				 req->params.name, fam_name(req->params.family), req->fallback[i]);
			if (req->op != SHIM_OP_STOP)
				remember(req, req->fallback[i]);
			call(a.pl.desc, req->op, &a.params, res);
			shim_plugin_unload(&a.pl);
			return 1;
		}
		shim_plugin_unload(&a.pl);
	}
	return 0;
}

/* A state file names the plugin holding the jail: use it, if it really does. */
static int run_on_state(const char *dir, const struct shim_plugin *primary,
			const struct shim_request *req, const char *name, struct shim_result *res)
{
	struct alt a;

	if (alt_load(dir, name, primary, req, &a, res->why, sizeof(res->why)) < 0) {
		snprintf(res->plugin, sizeof(res->plugin), "%s", name);
		res->status = NFBAN_ERROR;
		return 1;
	}
	/* A start re-checks the kernel: a stale file must not pin the jail. */
	if (req->op == SHIM_OP_START && call(a.pl.desc, SHIM_OP_CHECK, &a.params, res) != NFBAN_OK) {
		shim_plugin_unload(&a.pl);
		forget(req);
		return 0;
	}
	call(a.pl.desc, req->op, &a.params, res);
	shim_plugin_unload(&a.pl);
	if (req->op == SHIM_OP_STOP && res->status == NFBAN_OK)
		forget(req);
	return 1;
}

void shim_run(const char *dir, const struct shim_plugin *primary, const struct shim_request *req,
	      struct shim_result *res)
{
	char state[SHIM_PLUGIN_NAME_MAX];
	int have;

	memset(res, 0, sizeof(*res));
	if (req->n_fallback == 0) {
		call(primary->desc, req->op, &req->params, res);
		return;
	}
	have = shim_state_get(req->params.name, req->params.family, state, sizeof(state));
	if (have < 0)
		shim_say("jail %s (%s): unreadable fallback state ignored: %s", req->params.name,
			 fam_name(req->params.family), strerror(errno));
	if (have == 1 && strcmp(state, primary->desc->name) != 0 &&
	    run_on_state(dir, primary, req, state, res))
		return;
	if (call(primary->desc, req->op, &req->params, res) == NFBAN_OK)
		return;
	if (res->status == NFBAN_NOFEATURE && (req->op == SHIM_OP_START || req->op == SHIM_OP_BAN)) {
		fall_back(dir, primary, req, res);
		return;
	}
	if (res->status != NFBAN_BADPARAM && req->op != SHIM_OP_START) {
		struct shim_result first = *res;

		if (!recover(dir, primary, req, res))
			*res = first;
	}
}
