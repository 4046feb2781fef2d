// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe.c - a fixture plugin that says what it was given, so libnfban's
 * tests can check what reaches a plugin without a kernel.
 *
 * configure() keeps the texts of its keys (defaults applied by libnfban,
 * "-" for none); every operation answers with them in report.notice:
 *   "<op>#<n> <jail> <family> port=<p> protocol=<p> mode=<m> tag=<t> addr=<a>"
 * where n counts the instance's operations (the handle keeps the instance).
 * mode= picks the answer: ok; error (every operation: NFBAN_ERROR, EPERM);
 * absent (check: NFBAN_ABSENT); refuse (configure: NFBAN_BADPARAM);
 * nofeature (start, ban and start+ban: NFBAN_NOFEATURE).  A group ban
 * (NFBAN_PLUGIN_BANS) answers addr=<a>,<b>,... in the order given.  start+ban is one
 * operation (NFBAN_OP_START_BAN), as a plugin's one transaction.  When it takes a jail over
 * (fallback), adopt() sets tag=adopted unless the jail's tag came along,
 * and refuses a jail whose tag is "noadopt".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfban_plugin.h"
#include "report.h"
#include "values.h"

static const struct nfban_key probe_keys[] = {
	{ "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH },
	{ "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH },
	{ "mode", NFBAN_KEY_CHOICE, "ok", "ok|error|absent|refuse|nofeature", 0 },
	{ "tag", NFBAN_KEY_UNUSED, NULL, NULL, 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

struct probe_inst {
	unsigned ops;
};

struct probe_jail {
	char name[VALUE_JAIL_MAX];
	enum nfban_family family;
	char port[64], protocol[32], mode[16], tag[32];
};

static enum nfban_status probe_open(void **inst, struct nfban_report *r)
{
	*inst = calloc(1, sizeof(struct probe_inst));
	return *inst ? NFBAN_OK : report_nomem(r, "allocating the probe");
}

static void probe_close(void *inst)
{
	free(inst);
}

static void keep(char *dst, size_t n, const struct nfban_jail_keys *k, const char *key)
{
	const char *v = value_of(probe_keys, k->values, key);

	snprintf(dst, n, "%s", v ? v : "-");
}

static enum nfban_status probe_configure(const struct nfban_jail_keys *k, void **jail,
					 struct nfban_report *r)
{
	struct probe_jail *j;

	*jail = NULL;
	if (value_is(probe_keys, k->values, "mode", "refuse"))
		return report_refuse(r, "mode", "refuse", "refused as asked");
	j = calloc(1, sizeof(*j));
	if (!j)
		return report_nomem(r, "allocating the jail");
	snprintf(j->name, sizeof(j->name), "%s", k->name);
	j->family = k->family;
	keep(j->port, sizeof(j->port), k, "port");
	keep(j->protocol, sizeof(j->protocol), k, "protocol");
	keep(j->mode, sizeof(j->mode), k, "mode");
	keep(j->tag, sizeof(j->tag), k, "tag");
	*jail = j;
	return NFBAN_OK;
}

static void probe_release(void *jail)
{
	free(jail);
}

static enum nfban_status probe_adopt(const struct nfban_plugin *from, const char *const from_values[],
				     enum nfban_family family, const char *values[],
				     struct nfban_report *r)
{
	const char *tag = value_of(from->keys, from_values, "tag");
	int ti = value_key_index(probe_keys, "tag");

	(void)family;
	if (tag && strcmp(tag, "noadopt") == 0)
		return report_refuse(r, "tag", tag, "probe cannot take this jail over");
	if (!values[ti])
		values[ti] = "adopted";
	return NFBAN_OK;
}

static enum nfban_status answer(const char *op, void *inst, const void *jail,
				const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r)
{
	struct probe_inst *in = inst;
	const struct probe_jail *j = jail;
	char a[NFBAN_MSG_MAX] = "-";
	size_t len = 0;

	in->ops++;
	for (unsigned i = 0; addr && i < n_addr && len + 48 < sizeof(a); i++) {
		if (i)
			a[len++] = ',';
		value_addr_str(&addr[i], a + len, sizeof(a) - len);
		len += strlen(a + len);
	}
	/* A long jail name cuts the notice, never more. */
	report_notice(r, "%s#%u %s %s port=%s protocol=%s mode=%s tag=%s addr=%s", op, in->ops,
		      j->name, j->family == NFBAN_INET6 ? "inet6" : "inet4", j->port, j->protocol,
		      j->mode, j->tag, a);
	if (strcmp(j->mode, "error") == 0)
		return report_fail(r, NFBAN_ERROR, EPERM, "probe says no");
	if (strcmp(j->mode, "absent") == 0 && strcmp(op, "check") == 0)
		return report_fail(r, NFBAN_ABSENT, 0, "nothing there");
	if (strcmp(j->mode, "nofeature") == 0 &&
	    (strcmp(op, "start") == 0 || strcmp(op, "ban") == 0 || strcmp(op, "start+ban") == 0))
		return report_fail(r, NFBAN_NOFEATURE, 0, "probe lacks its feature");
	return NFBAN_OK;
}

static enum nfban_status probe_run(void *inst, const void *jail, enum nfban_op op, unsigned flags,
				   const struct nfban_addr *addr, unsigned n_addr, struct nfban_report *r)
{
	(void)flags;
	static const char *const names[] = {
		[NFBAN_OP_START] = "start", [NFBAN_OP_STOP] = "stop", [NFBAN_OP_CHECK] = "check",
		[NFBAN_OP_BAN] = "ban", [NFBAN_OP_UNBAN] = "unban", [NFBAN_OP_FLUSH] = "flush",
		[NFBAN_OP_START_BAN] = "start+ban",
	};

	return answer((unsigned)op <= NFBAN_OP_START_BAN ? names[op] : "?", inst, jail, addr, n_addr,
		      r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "probe",
	.summary = "test fixture: says what it was given",
	.keys = probe_keys,
	.fallback = "",
	.flags = NFBAN_PLUGIN_START_BAN | NFBAN_PLUGIN_BANS,
	.adopt = probe_adopt,
	.open = probe_open,
	.close = probe_close,
	.configure = probe_configure,
	.release = probe_release,
	.run = probe_run,
};
