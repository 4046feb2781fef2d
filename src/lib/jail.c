// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jail.c - libnfban's jail handle (nfban.h): opened from strings (keys
 * checked, defaults applied, the fallback list) and closed; its members
 * made ready on first use, one plugin call and its one-line report.
 * Running an operation with fallback is run.c's, over fallback.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "handle.h"
#include "result.h"
#include "text.h"

static const char *const op_names[OP_COUNT] = {
	[NFBAN_OP_START] = "start", [NFBAN_OP_STOP] = "stop", [NFBAN_OP_CHECK] = "check",
	[NFBAN_OP_BAN] = "ban", [NFBAN_OP_UNBAN] = "unban", [NFBAN_OP_FLUSH] = "flush",
	[NFBAN_OP_START_BAN] = "start+ban",
};

_Static_assert(sizeof(((struct member *)0)->name) == NFBAN_NAME_MAX, "plugin name sizes differ");

const char *op_name(enum nfban_op op)
{
	return op < OP_COUNT ? op_names[op] : "?";
}

enum nfban_op op_parse(const char *name)
{
	int op;

	for (op = 0; op < OP_COUNT && (!name || strcmp(name, op_names[op])); op++)
		;
	return (enum nfban_op)op;
}

const char *fam_name(enum nfban_family f)
{
	return f == NFBAN_INET6 ? "inet6" : "inet4";
}

const char *nfban_version(void)
{
	return NFBAN_VERSION;
}

/* ---- opening ------------------------------------------------------------------ */

static int parse_fallback(struct nfban_jail *j, const char *v, struct nfban_result *res)
{
	const char *s = v;

	j->n_members = 1;
	while (*s) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);
		char name[VALUE_PLUGIN_MAX];
		unsigned k;

		text_trim(&s, &e);
		if (text_copy(s, e, name, sizeof(name)) < 0 || !name[0])
			return result_bad_key(res, "fallback", 8, v, "empty or overlong plugin name in list");
		if (!value_plugin_name_ok(name)) {
			char why[96];

			snprintf(why, sizeof(why), "'%s' is not a plugin name", name);
			return result_bad_key(res, "fallback", 8, v, why);
		}
		/* The primary itself, or a plugin twice: nothing more to try. */
		for (k = 0; k < j->n_members && strcmp(j->m[k].name, name); k++)
			;
		if (k == j->n_members) {
			if (j->n_members == 1 + HANDLE_FALLBACK_MAX)
				return result_bad_key(res, "fallback", 8, v, "more than 4 plugins");
			snprintf(j->m[j->n_members++].name, VALUE_PLUGIN_MAX, "%s", name);
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

/* kill_sessions=jail|none (default jail): the jail's traffic for conntrack.c. */
static int ct_key(struct nfban_jail *j, const char *v, struct nfban_result *res)
{
	if (v && strcmp(v, "jail") && strcmp(v, "none"))
		return result_bad_key(res, "kill_sessions", 13, v, "not one of jail|none");
	if (v && strcmp(v, "none") == 0)
		return 0;
	j->kill_sessions = ct_match_init(&j->ct, j->m[0].pl->desc->keys,
					 (const char *const *)j->m[0].values[0], res) == 0;
	return res->status;
}

/*
 * The host's key=value texts against the primary's key table: every key
 * known, given once, of valid syntax; defaults from the table.  `name` and
 * `fallback`, `special_addresses` and `kill_sessions` are libnfban's own.
 */
static int parse_keys(struct nfban_jail *j, int n, const char *const kv[], struct nfban_result *res)
{
	const struct nfban_plugin *d = j->m[0].pl->desc;
	const struct nfban_key *keys = d->keys;
	const char **values = j->m[0].values[0];
	const char *name = NULL, *fallback = NULL, *special = NULL, *kill = NULL;
	size_t total = 0;
	char *t, why[NFBAN_LINE_MAX];
	int nkeys = 0;

	while (keys[nkeys].name)
		nkeys++;
	for (int i = 0; i < n; i++)
		total += strlen(kv[i]) + 1;
	j->texts = t = malloc(total + 1);
	if (!t)
		return result_fail(res, NFBAN_FAILED, "%s", strerror(ENOMEM));
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		size_t klen = eq ? (size_t)(eq - kv[i]) : 0;
		const char **slot = NULL;
		int k;

		if (!eq || klen == 0) {
			char echo[256];

			text_echo(kv[i], echo, sizeof(echo));
			return result_fail(res, NFBAN_BAD_INPUT, "'%s': arguments are KEY=VALUE", echo);
		}
		if (klen == 4 && strncmp(kv[i], "name", 4) == 0)
			slot = &name;
		else if (klen == 8 && strncmp(kv[i], "fallback", 8) == 0)
			slot = &fallback;
		else if (klen == 17 && strncmp(kv[i], "special_addresses", 17) == 0)
			slot = &special;
		else if (klen == 13 && strncmp(kv[i], "kill_sessions", 13) == 0)
			slot = &kill;
		for (k = 0; !slot && k < nkeys; k++)
			if (strlen(keys[k].name) == klen && strncmp(keys[k].name, kv[i], klen) == 0)
				slot = &values[k];
		if (!slot)
			return result_bad_key(res, kv[i], klen, eq + 1, "unknown key for this action");
		if (*slot)
			return result_bad_key(res, kv[i], klen, eq + 1, "key given twice");
		/* The texts live in the handle: the host's strings may not. */
		strcpy(t, eq + 1);
		*slot = t;
		t += strlen(t) + 1;
	}
	if (!name)
		name = "default";
	if (!value_jail_name_ok(name))
		return result_bad_key(res, "name", 4, name, "a jail name is 1 to 63 of A-Z a-z 0-9 _ - .");
	snprintf(j->name, sizeof(j->name), "%s", name);
	for (int k = 0; k < nkeys; k++) {
		if (!values[k])
			values[k] = keys[k].def;
		if (values[k] && value_check(&keys[k], values[k], why, sizeof(why)) < 0)
			return result_bad_key(res, keys[k].name, strlen(keys[k].name), values[k], why);
	}
	j->m[0].values[1] = values;
	if (special && strcmp(special, "allow") && strcmp(special, "refuse"))
		return result_bad_key(res, "special_addresses", 17, special, "not one of refuse|allow");
	j->allow_special = special && strcmp(special, "allow") == 0;
	if (ct_key(j, kill, res) != 0)
		return NFBAN_BAD_INPUT;
	return parse_fallback(j, fallback ? fallback : d->fallback, res);
}

const char *jail_ns(struct nfban_jail *j)
{
	if (!j->ns[0] && state_ns_key(j->ns, sizeof(j->ns)) < 0) {
		j->ns[0] = '\0';
		return NULL;
	}
	return j->ns;
}

struct nfban_jail *nfban_jail_open(const char *dir, const char *plugin, int n_keys,
				   const char *const keys[], struct nfban_result *res)
{
	/* Cleared up to the connection tracking match's protocol table (handle.h): calloc would
	 * fault in nine pages a shim's one operation never reads. */
	struct nfban_jail *j = malloc(sizeof(*j));
	char err[NFBAN_LINE_MAX - 64];
	int missing, nk = 0;

	memset(res, 0, sizeof(*res));
	if (j) {
		memset(j, 0, offsetof(struct nfban_jail, ct.protos));
		j->ct.protos.n = 0;
	}
	if (!j || !(j->dir = strdup(plugin_dir(dir)))) {
		free(j);
		result_fail(res, NFBAN_FAILED, "%s", strerror(ENOMEM));
		return NULL;
	}
	pthread_mutex_init(&j->lock, NULL);
	snprintf(res->plugin, sizeof(res->plugin), "%.*s", (int)sizeof(res->plugin) - 1, plugin);
	j->m[0].pl = plugin_get(j->dir, plugin, &missing, err, sizeof(err));
	if (!j->m[0].pl) {
		char echo[256];

		text_echo(plugin, echo, sizeof(echo));
		result_fail(res, missing ? NFBAN_BAD_INPUT : NFBAN_FAILED, "action '%s': %s", echo, err);
		text_one_line(res->message, sizeof(res->message));
		nfban_jail_close(j);
		return NULL;
	}
	snprintf(j->m[0].name, sizeof(j->m[0].name), "%s", plugin);
	j->n_members = 1;
	while (j->m[0].pl->desc->keys[nk].name)
		nk++;
	j->m[0].values[0] = calloc((size_t)nk + 1, sizeof(char *));
	if (!j->m[0].values[0]) {
		result_fail(res, NFBAN_FAILED, "%s", strerror(ENOMEM));
		nfban_jail_close(j);
		return NULL;
	}
	if (parse_keys(j, n_keys, keys, res) != 0) {
		text_one_line(res->message, sizeof(res->message));
		nfban_jail_close(j);
		return NULL;
	}
	return j;
}

void nfban_jail_close(struct nfban_jail *j)
{
	if (!j)
		return;
	for (unsigned i = 0; i < 1 + HANDLE_FALLBACK_MAX; i++) {
		struct member *m = &j->m[i];
		const struct nfban_plugin *d = m->pl ? m->pl->desc : NULL;

		for (int f = 0; f < 2; f++)
			if (m->conf[f])
				d->release(m->conf[f]);
		if (m->inst_open)
			d->close(m->inst);
		/* The primary's two families share one array. */
		free(m->values[0]);
		if (m->values[1] != m->values[0])
			free(m->values[1]);
		plugin_put(m->pl);
	}
	ct_match_free(&j->ct);
	free(j->texts);
	free(j->dir);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

/* ---- members -------------------------------------------------------------------- */

/*
 * A fallback member's keys: the primary's restated for it.  A key of the
 * same name and type is copied; the plugin's adopt() fills what means the
 * same in other words.  A key still unset then takes its default, unless
 * the primary had it in another form or it narrows the traffic banned
 * (NFBAN_KEY_MATCH): the jail cannot be restated, the member is refused.
 */
static int adopt(struct call *c, struct member *m)
{
	const struct nfban_plugin *from = c->j->m[0].pl->desc, *to = m->pl->desc;
	const char *const *fv = (const char *const *)c->j->m[0].values[0];
	struct nfban_report r;
	const char **v;
	int nk = 0;

	while (to->keys[nk].name)
		nk++;
	v = calloc((size_t)nk + 1, sizeof(*v));
	if (!v)
		return result_fail(c->res, NFBAN_FAILED, "%s", strerror(ENOMEM)), -1;
	for (int k = 0; k < nk; k++) {
		int f = value_key_index(from->keys, to->keys[k].name);

		if (f >= 0 && from->keys[f].type == to->keys[k].type)
			v[k] = fv[f];
	}
	memset(&r, 0, sizeof(r));
	if (to->adopt && to->adopt(from, fv, c->fam, v, &r) != NFBAN_OK) {
		result_fail(c->res, NFBAN_FAILED, "%s", r.reason);
		free(v);
		return -1;
	}
	for (int k = 0; k < nk; k++) {
		int f = value_key_index(from->keys, to->keys[k].name);

		if (v[k])
			continue;
		if (f >= 0 || (to->keys[k].flags & NFBAN_KEY_MATCH)) {
			/* Guessing would ban other traffic than the jail names. */
			result_fail(c->res, NFBAN_FAILED, "%s needs %s=, which %s %s", to->name,
			     to->keys[k].name, from->name,
			     f < 0 ? "does not take" : "takes in another form");
			free(v);
			return -1;
		}
		v[k] = to->keys[k].def;
	}
	m->values[FAM_IX(c->fam)] = v;
	return 0;
}

int member_ready(struct call *c, unsigned i)
{
	struct member *m = &c->j->m[i];
	int fx = FAM_IX(c->fam), missing;
	struct nfban_jail_keys k;
	struct nfban_report r;
	char err[NFBAN_LINE_MAX - 64];
	enum nfban_status st;

	memcpy(c->res->plugin, m->name, sizeof(c->res->plugin));
	if (m->conf[fx])
		return 0;
	if (!m->pl && !(m->pl = plugin_get(c->j->dir, m->name, &missing, err, sizeof(err))))
		return result_fail(c->res, NFBAN_FAILED, "%s", err), -1;
	if (!m->values[fx] && adopt(c, m) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	if (!m->inst_open) {
		st = m->pl->desc->open(&m->inst, &r);
		if (st != NFBAN_OK) {
			c->res->kernel_errno = r.kernel_errno;
			result_fail(c->res, st == NFBAN_BADPARAM ? NFBAN_BAD_INPUT : NFBAN_FAILED,
			     "%s: jail %s (%s): %s%s%s", m->name, c->j->name, fam_name(c->fam), r.reason,
			     r.kernel_errno ? ": " : "", r.kernel_errno ? strerror(r.kernel_errno) : "");
			return -1;
		}
		m->inst_open = true;
	}
	k.name = c->j->name;
	k.family = c->fam;
	k.values = m->values[fx];
	st = m->pl->desc->configure(&k, &m->conf[fx], &r);
	if (st != NFBAN_OK) {
		m->conf[fx] = NULL;
		c->res->kernel_errno = r.kernel_errno;
		if (st == NFBAN_BADPARAM)
			result_fail(c->res, NFBAN_BAD_INPUT, "%s", r.reason);
		else
			result_fail(c->res, NFBAN_FAILED, "%s: jail %s (%s): %s%s%s", m->name, c->j->name,
			     fam_name(c->fam), r.reason, r.kernel_errno ? ": " : "",
			     r.kernel_errno ? strerror(r.kernel_errno) : "");
		return -1;
	}
	if (r.notice[0])
		result_notice(c->res, "%s: jail %s (%s): %s", m->name, c->j->name, fam_name(c->fam),
			      r.notice);
	return 0;
}

/* "jail sshd (inet4): ban 192.0.2.1" */
static void describe(const struct call *c, enum nfban_op op, char *buf, size_t n)
{
	char addr[64] = "";

	if (c->addr && OP_HAS_ADDR(op) && c->n_addr > 1) {
		snprintf(addr, sizeof(addr), " of %u addresses", c->n_addr);
	} else if (c->addr && OP_HAS_ADDR(op)) {
		addr[0] = ' ';
		value_addr_str(c->addr, addr + 1, sizeof(addr) - 1);
	}
	snprintf(buf, n, "jail %s (%s): %s%s", c->j->name, fam_name(c->fam), op_name(op), addr);
}

enum nfban_status member_call(struct call *c, unsigned i, enum nfban_op op)
{
	struct member *m = &c->j->m[i];
	const struct nfban_plugin *d;
	struct nfban_result *res = c->res;
	struct nfban_report r;
	enum nfban_status st;
	bool serial;
	char what[160];

	res->status = NFBAN_DONE;
	res->kernel_errno = 0;
	res->message[0] = '\0';
	if (member_ready(c, i) < 0)
		return res->status == NFBAN_BAD_INPUT ? NFBAN_BADPARAM : NFBAN_ERROR;
	d = m->pl->desc;
	/* A plugin without the one-transaction start+ban: two calls. */
	if (op == NFBAN_OP_START_BAN && !(d->flags & NFBAN_PLUGIN_START_BAN)) {
		st = member_call(c, i, NFBAN_OP_START);
		return st == NFBAN_OK ? member_call(c, i, NFBAN_OP_BAN) : st;
	}
	serial = d->flags & NFBAN_PLUGIN_SERIAL;
	if (c->nowait && !(d->flags & NFBAN_PLUGIN_NOWAIT))
		return NFBAN_WOULD_WAIT;
	memset(&r, 0, sizeof(r));
	if (serial && c->nowait && pthread_mutex_trylock(&m->pl->serial) != 0)
		return NFBAN_WOULD_WAIT;
	if (serial && !c->nowait)
		pthread_mutex_lock(&m->pl->serial);
	st = d->run(m->inst, m->conf[FAM_IX(c->fam)], op, c->nowait ? NFBAN_RUN_NOWAIT : 0,
		    OP_HAS_ADDR(op) ? c->addr : NULL, OP_HAS_ADDR(op) ? c->n_addr : 0, &r);
	if (serial)
		pthread_mutex_unlock(&m->pl->serial);
	if (st == NFBAN_WOULD_WAIT)
		return st;
	res->kernel_errno = r.kernel_errno;
	/* A ban that went well and has nothing to say costs no formatting. */
	if (st == NFBAN_OK && !r.notice[0])
		return st;
	describe(c, op, what, sizeof(what));
	snprintf(c->why, sizeof(c->why), "%s%s%s", r.reason, r.kernel_errno ? ": " : "",
		 r.kernel_errno ? strerror(r.kernel_errno) : "");
	switch (st) {
	case NFBAN_OK:
		if (r.notice[0])
			result_notice(res, "%s: %s: %s", m->name, what, r.notice);
		break;
	case NFBAN_ABSENT:
		result_fail(res, NFBAN_RULES_ABSENT, "%s: %s: %s", m->name, what,
			    r.reason[0] ? r.reason : "rules missing");
		break;
	default:
		result_fail(res, st == NFBAN_BADPARAM ? NFBAN_BAD_INPUT : NFBAN_FAILED, "%s: %s: %s%s%s%s",
		     m->name, what, r.reason[0] ? r.reason : "failed",
		     st == NFBAN_NOFEATURE ? " (the kernel lacks a feature this plugin needs)" : "",
		     r.kernel_errno ? ": " : "", r.kernel_errno ? strerror(r.kernel_errno) : "");
	}
	return st;
}
