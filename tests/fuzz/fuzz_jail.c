// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_jail.c - Fail2ban's key=value texts through nfban_jail_open() with
 * the real plugins' key tables, then each plugin's configure() on what
 * libnfban accepted, for both families.  No root needed beyond the
 * loader's own rule (the plugin directory owned by root), no kernel:
 * nfban_jail_open() only loads the plugin and checks the keys, and
 * configure() only parses (a plugin's open() and operations are never
 * called here).
 *
 * The input's first line names the plugin (multiport, allports, perport,
 * nftables, ipset, ipset-allports); every further line is one KEY=VALUE argument.  The plugins
 * are the instrumented ones beside this program ($(B)/fuzz/plugins), held
 * loaded for the whole run.
 *
 * Promised (nfban.h, nfban_plugin.h, HACKING "Adding a key"):
 *   - a refused open is BAD_INPUT with one line that names the key (or the
 *     argument) at fault;
 *   - an accepted open has a valid jail name, kill_sessions on unless
 *     `none` (with the jail's protocols), a value for every key with a
 *     default, every value of valid syntax for its type, and a fallback
 *     list of distinct plugin names, the primary first;
 *   - configure() of what libnfban accepted either takes it or refuses it
 *     with NFBAN_BADPARAM, "key='value': why" in one line, and only for
 *     what no single key's syntax can say (two keys together, or the
 *     family): the check never lets through what configure then refuses
 *     for its own syntax;
 *   - a fallback to nftables restates an iptables jail in keys that pass
 *     nftables' own checks (libnfban's adopt: same-named keys of the same
 *     type copied, the plugin's adopt(), then defaults).
 */
#include <limits.h>
#include <unistd.h>

#include "fuzz.h"
#include "handle.h"

#define MAX_ARGS 24

static const char *const names[] = { "multiport", "allports", "perport", "nftables", "ipset",
				     "ipset-allports" };
#define N_PLUGINS (sizeof(names) / sizeof(names[0]))
#define NFT 3
static struct plugin *held[N_PLUGINS];
static char dir[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *env = getenv("NFBAN_FUZZ_PLUGIN_DIR");
	char err[NFBAN_LINE_MAX];
	int missing;

	(void)argc;
	(void)argv;
	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
	} else {
		ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 16);

		if (n <= 0)
			abort();
		dir[n] = '\0';
		snprintf(strrchr(dir, '/'), 16, "/plugins");
	}
	/* Loaded once: every open below shares them (no dlopen per input). */
	for (size_t i = 0; i < N_PLUGINS; i++)
		if (!(held[i] = plugin_get(dir, names[i], &missing, err, sizeof(err)))) {
			fprintf(stderr, "fuzz_jail: %s\n", err);
			exit(1);
		}
	return 0;
}

/* configure()'s refusals that no key's own check can foresee. */
struct allowed {
	const char *key, *why;
};

static const struct allowed ipt_refusals[] = {
	{ "name", "chain f2b-<name> would be longer than 28 characters" },
	{ "chain", "that is the jail's own chain" },
	{ "protocol", "has no ports (use tcp, udp, sctp or dccp)" },
	{ "blocktype", "tcp-reset needs protocol=tcp" },
	{ "returntype", "tcp-reset needs protocol=tcp" },
	/* ipset, ipset-allports: the jump ends in blocktype, which a chain cannot be. */
	{ "blocktype", "the ipset plugins end their jumps in a verdict or REJECT" },
	{ NULL, NULL }
};

static const struct allowed nft_refusals[] = {
	{ "table_family", "must be inet, or ip with family=inet4, or ip6 with family=inet6" },
	{ "protocol", "has no ports (use tcp, udp, sctp or dccp)" },
	{ "blocktype", "reject with icmp is IPv4 only" },
	{ "blocktype", "reject with icmpv6 is IPv6 only" },
	{ "blocktype", "reject with icmpx needs table_family=inet" },
	{ "blocktype", "reject with tcp reset needs protocol=tcp" },
	{ NULL, NULL }
};

static void configure(const struct nfban_plugin *d, const char *jail, const char *const *values,
		      enum nfban_family fam, const char *what)
{
	const struct allowed *a = strcmp(d->name, "nftables") ? ipt_refusals : nft_refusals;
	struct nfban_jail_keys k = { .name = jail, .family = fam, .values = values };
	struct nfban_report r;
	enum nfban_status st;
	void *conf = (void *)&k;
	const char *eq;

	memset(&r, 0, sizeof(r));
	st = d->configure(&k, &conf, &r);
	if (st == NFBAN_OK) {
		FUZZ_ASSERT(conf != NULL, "%s: configured to NULL", what);
		d->release(conf);
		return;
	}
	FUZZ_ASSERT(st == NFBAN_BADPARAM && conf == NULL, "%s for inet%d: status %d, conf %p: %s", what,
		    (int)fam, (int)st, conf, r.reason);
	FUZZ_ASSERT(fuzz_one_line(r.reason, sizeof(r.reason)), "%s: reason not one line", what);
	eq = strstr(r.reason, "='");
	FUZZ_ASSERT(eq, "%s: reason '%s' names no key", what, r.reason);
	for (; a->key; a++)
		if (strlen(a->key) == (size_t)(eq - r.reason) && !strncmp(r.reason, a->key, strlen(a->key)) &&
		    strstr(r.reason, a->why))
			break;
	FUZZ_ASSERT(a->key, "%s for inet%d: the keys' checks passed, configure refused: %s", what, (int)fam,
		    r.reason);
	if (!strcmp(a->key, "name"))
		FUZZ_ASSERT(strlen(jail) > 24, "%s: jail '%s' refused as too long", what, jail);
}

/* libnfban's adopt() for nftables as fallback of member 0 (jail.c). */
static void adopt_nft(const struct nfban_plugin *from, const char *const *fv, const char *jail,
		      enum nfban_family fam)
{
	const struct nfban_plugin *to = held[NFT]->desc;
	const char *v[32] = { NULL };
	char why[NFBAN_LINE_MAX];
	struct nfban_report r;
	int nk = 0;

	while (to->keys[nk].name)
		nk++;
	FUZZ_ASSERT(nk < 32, "nftables has %d keys", nk);
	for (int k = 0; k < nk; k++) {
		int f = value_key_index(from->keys, to->keys[k].name);

		if (f >= 0 && from->keys[f].type == to->keys[k].type)
			v[k] = fv[f];
	}
	memset(&r, 0, sizeof(r));
	if (to->adopt(from, fv, fam, v, &r) != NFBAN_OK) {
		FUZZ_ASSERT(fuzz_one_line(r.reason, sizeof(r.reason)) && strstr(r.reason, "='"),
			    "%s -> nftables: refusal '%s'", from->name, r.reason);
		return;
	}
	for (int k = 0; k < nk; k++) {
		if (!v[k]) {
			if (value_key_index(from->keys, to->keys[k].name) >= 0 ||
			    (to->keys[k].flags & NFBAN_KEY_MATCH))
				return; /* libnfban refuses the member */
			v[k] = to->keys[k].def;
		}
		FUZZ_ASSERT(!v[k] || value_check(&to->keys[k], v[k], why, sizeof(why)) == 0,
			    "%s -> nftables: %s='%s' fails its check: %s", from->name, to->keys[k].name,
			    v[k], why);
	}
	configure(to, jail, v, fam, "adopted by nftables");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size), *s, *end = data + size;
	char *args[MAX_ARGS], why[NFBAN_LINE_MAX];
	const struct nfban_plugin *d;
	struct nfban_result res;
	struct nfban_jail *j;
	const char *plugin = NULL, *special = NULL, *kill = NULL;
	size_t pi = 0;
	int n = 0;

	for (size_t i = 0; nl && i < N_PLUGINS; i++)
		if ((size_t)(nl - data) == strlen(names[i]) && !memcmp(data, names[i], strlen(names[i])))
			plugin = names[pi = i];
	if (!plugin)
		return 0;
	/* Lines after the first, a last newline ending the last one. */
	for (s = nl + 1; s < end && n < MAX_ARGS; n++) {
		const uint8_t *e = memchr(s, '\n', (size_t)(end - s));

		if (!e)
			e = end;
		args[n] = fuzz_string(s, (size_t)(e - s));
		if (!strncmp(args[n], "special_addresses=", 18))
			special = args[n] + 18;
		if (!strncmp(args[n], "kill_sessions=", 14))
			kill = args[n] + 14;
		s = e + 1;
	}

	j = nfban_jail_open(dir, plugin, n, (const char *const *)args, &res);
	FUZZ_ASSERT(!strcmp(res.plugin, plugin), "result names plugin '%s'", res.plugin);
	if (!j) {
		FUZZ_ASSERT(res.status == NFBAN_BAD_INPUT, "open refused with status %d: %s", res.status,
			    res.message);
		FUZZ_ASSERT(res.message[0] && fuzz_one_line(res.message, sizeof(res.message)),
			    "refusal is not one line: '%s'", res.message);
		FUZZ_ASSERT(res.message[0] == '\'' || strstr(res.message, "='"),
			    "refusal names no key: '%s'", res.message);
		goto out;
	}
	FUZZ_ASSERT(res.status == NFBAN_DONE && !res.message[0], "opened with status %d '%s'", res.status,
		    res.message);
	FUZZ_ASSERT(value_jail_name_ok(j->name), "jail name '%s'", j->name);
	FUZZ_ASSERT(j->allow_special == (special && !strcmp(special, "allow")), "special_addresses");
	/* Every real plugin names its protocols: kill_sessions is on unless none. */
	FUZZ_ASSERT(j->kill_sessions == !(kill && !strcmp(kill, "none")), "kill_sessions");
	FUZZ_ASSERT(!j->kill_sessions || j->ct.protos.n >= 1, "kill_sessions without a protocol");
	d = j->m[0].pl->desc;
	FUZZ_ASSERT(j->m[0].pl == held[pi],
		    "another plugin loaded for %s", plugin);
	for (int k = 0; d->keys[k].name; k++) {
		const char *v = j->m[0].values[0][k];

		FUZZ_ASSERT(v || !d->keys[k].def, "%s: %s has no value", plugin, d->keys[k].name);
		FUZZ_ASSERT(!v || value_check(&d->keys[k], v, why, sizeof(why)) == 0,
			    "%s: %s='%s' accepted, fails its check: %s", plugin, d->keys[k].name, v, why);
	}
	FUZZ_ASSERT(j->n_members >= 1 && j->n_members <= 1 + HANDLE_FALLBACK_MAX &&
			    !strcmp(j->m[0].name, plugin),
		    "%u members", j->n_members);
	for (unsigned i = 1; i < j->n_members; i++) {
		FUZZ_ASSERT(value_plugin_name_ok(j->m[i].name) && !j->m[i].pl, "fallback member '%s'",
			    j->m[i].name);
		for (unsigned k = 0; k < i; k++)
			FUZZ_ASSERT(strcmp(j->m[k].name, j->m[i].name), "fallback '%s' twice", j->m[i].name);
	}
	for (int f = 4; f <= 6; f += 2) {
		configure(d, j->name, j->m[0].values[0], (enum nfban_family)f, plugin);
		if (d != held[NFT]->desc)
			adopt_nft(d, j->m[0].values[0], j->name, (enum nfban_family)f);
	}
	nfban_jail_close(j);
out:
	for (int i = 0; i < n; i++)
		free(args[i]);
	return 0;
}
