// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys.c - nfban_plugin_keys() (nfban.h): a plugin's key table, and
 * libnfban's own keys, for hosts (the .py actions take their keys and
 * defaults from it; tools/keytab prints it for the build-time checks).
 */
#include <stdio.h>
#include <string.h>

#include "loader.h"
#include "result.h"
#include "text.h"
#include "values.h"

/* libnfban's keys besides `name` (parse_keys() in jail.c reads them), after the plugin's. */
static const struct {
	const char *name, *type, *def, *choices;
} host_keys[] = {
	{ "fallback", "plugins", NULL, "" },    /* default: the descriptor's fallback list */
	{ "special_addresses", "choice", "refuse", "refuse|allow" },
};

struct fill {
	struct nfban_key_info *out;
	int max, n;
};

static struct nfban_key_info *next(struct fill *f)
{
	struct nfban_key_info *k = f->n < f->max ? &f->out[f->n] : NULL;

	f->n++;
	if (k)
		memset(k, 0, sizeof(*k));
	return k;
}

static void host(struct fill *f, const char *name, const char *type, const char *def,
		 const char *choices)
{
	struct nfban_key_info *k = next(f);

	if (!k)
		return;
	snprintf(k->name, sizeof(k->name), "%s", name);
	snprintf(k->type, sizeof(k->type), "%s", type);
	snprintf(k->choices, sizeof(k->choices), "%s", choices);
	snprintf(k->def[0], sizeof(k->def[0]), "%s", def);
	snprintf(k->def[1], sizeof(k->def[1]), "%s", def);
	k->flags = NFBAN_KEYINFO_HOST | NFBAN_KEYINFO_DEFAULT;
}

int nfban_plugin_keys(const char *dir, const char *plugin, struct nfban_key_info *keys, int max,
		      struct nfban_result *res)
{
	struct fill f = { .out = keys, .max = max < 0 ? 0 : max };
	char err[NFBAN_LINE_MAX - 64];
	const struct nfban_plugin *d;
	struct plugin *pl;
	int missing;

	memset(res, 0, sizeof(*res));
	snprintf(res->plugin, sizeof(res->plugin), "%.*s", (int)sizeof(res->plugin) - 1,
		 plugin ? plugin : "");
	pl = plugin_get(plugin_dir(dir), plugin ? plugin : "", &missing, err, sizeof(err));
	if (!pl) {
		char echo[256];

		text_echo(plugin ? plugin : "", echo, sizeof(echo));
		result_fail(res, missing ? NFBAN_BAD_INPUT : NFBAN_FAILED, "action '%s': %s", echo, err);
		text_one_line(res->message, sizeof(res->message));
		return -1;
	}
	d = pl->desc;
	host(&f, "name", "jail_name", "default", "");
	for (const struct nfban_key *t = d->keys; t->name; t++) {
		struct nfban_key_info *k = next(&f);

		if (!k)
			continue;
		snprintf(k->name, sizeof(k->name), "%s", t->name);
		snprintf(k->type, sizeof(k->type), "%s", value_key_type_name(t->type));
		snprintf(k->choices, sizeof(k->choices), "%s", t->choices ? t->choices : "");
		if (value_default(t, NFBAN_INET4, k->def[0], sizeof(k->def[0])) == 0 &&
		    value_default(t, NFBAN_INET6, k->def[1], sizeof(k->def[1])) == 0)
			k->flags |= NFBAN_KEYINFO_DEFAULT;
		if (t->flags & NFBAN_KEY_MATCH)
			k->flags |= NFBAN_KEYINFO_MATCH;
	}
	for (size_t i = 0; i < sizeof(host_keys) / sizeof(host_keys[0]); i++)
		host(&f, host_keys[i].name, host_keys[i].type,
		     host_keys[i].def ? host_keys[i].def : d->fallback, host_keys[i].choices);
	plugin_put(pl);
	return f.n;
}
