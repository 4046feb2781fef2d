// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * set.c - ipset commands over libipset's session API (see set.h).
 *
 * libipset keeps its registered set types in process-wide lists (loaded
 * once here, under pthread_once); the plugins are NFBAN_PLUGIN_SERIAL, so no
 * two calls meet in it.  It reports in words only (ipset_session_report_msg):
 * those words become the reason, and the kernel's "hash is full" is known by
 * libipset's text for IPSET_ERR_HASH_FULL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libipset/ipset.h>
#include <libipset/session.h>
#include <libipset/types.h>

#include "ipt/setmatch.h"
#include "report.h"
#include "set.h"

/* libipset's message for IPSET_ERR_HASH_FULL (lib/errcode.c). */
#define HASH_FULL_TEXT "Hash is full"

static pthread_once_t types_once = PTHREAD_ONCE_INIT;

static void load_types(void)
{
	ipset_load_types();
}

/* libipset prints LIST/SAVE answers through this: kept in c->out. */
__attribute__((format(printf, 3, 4)))
static int capture(struct ipset_session *s, void *p, const char *fmt, ...)
{
	struct ipc_conn *c = p;
	va_list ap;
	int n;

	(void)s;
	for (;;) {
		size_t room = c->out_cap - c->out_len;

		va_start(ap, fmt);
		n = vsnprintf(c->out ? c->out + c->out_len : NULL, c->out ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (c->out && (size_t)n < room)
			break;
		size_t cap = c->out_cap ? c->out_cap * 2 : 65536;
		while (cap < c->out_len + (size_t)n + 1)
			cap *= 2;
		char *o = realloc(c->out, cap);
		if (!o)
			return -1;
		c->out = o;
		c->out_cap = cap;
	}
	c->out_len += (size_t)n;
	return n;
}

/* -1 with libipset's report (or `what` alone) as the reason. */
static int failed(struct ipc_conn *c, struct nfban_report *r, int err, const char *what,
		  const char *name)
{
	const char *msg = c->s ? ipset_session_report_msg(c->s) : NULL;
	size_t len = msg ? strcspn(msg, "\n") : 0;

	report_fail(r, NFBAN_ERROR, len ? 0 : err, "ipset %s %s%s%.*s", what, name, len ? ": " : "",
		    (int)len, len ? msg : "");
	if (c->s)
		ipset_session_report_reset(c->s);
	return -1;
}

int ipc_open(struct ipc_conn *c, struct nfban_report *r)
{
	memset(c, 0, sizeof(*c));
	pthread_once(&types_once, load_types);
	c->s = ipset_session_init(capture, c);
	if (!c->s) {
		report_fail(r, NFBAN_ERROR, errno ? errno : ENOMEM, "opening an ipset session");
		return -1;
	}
	return 0;
}

void ipc_close(struct ipc_conn *c)
{
	if (c->s)
		ipset_session_fini(c->s);
	free(c->out);
	memset(c, 0, sizeof(*c));
}

/* A fresh command on set `name`. */
static struct ipset_data *begin(struct ipc_conn *c, const char *name, bool exist)
{
	struct ipset_data *d = ipset_session_data(c->s);

	ipset_data_reset(d);
	ipset_session_report_reset(c->s);
	if (exist)
		ipset_envopt_set(c->s, IPSET_ENV_EXIST);
	else
		ipset_envopt_unset(c->s, IPSET_ENV_EXIST);
	ipset_session_data_set(c->s, IPSET_SETNAME, name);
	return d;
}

/* Run cmd; a warning (e.g. -exist's) is no failure. */
static int run(struct ipc_conn *c, enum ipset_cmd cmd)
{
	int rc = ipset_cmd(c->s, cmd, 0);

	if (rc == 0)
		ipset_session_report_reset(c->s);
	return rc;
}

int ipc_exists(struct ipc_conn *c, const char *name, struct nfban_report *r)
{
	uint16_t index;
	unsigned family;
	int rc = ipt_set_index(name, &index, &family);

	if (rc == 0)
		return 1;
	/* No ip_set registered (not loaded): no set either. */
	if (rc == -ENOENT || rc == -ENOPROTOOPT)
		return 0;
	return failed(c, r, -rc, "looking up", name);
}

static void forget(struct ipc_conn *c, const char *name)
{
	for (unsigned i = 0; i < IPC_TYPES; i++)
		if (strcmp(c->known[i].name, name) == 0)
			c->known[i].name[0] = '\0';
}

int ipc_create(struct ipc_conn *c, const struct ipc_spec *sp, bool *created,
		     struct nfban_report *r)
{
	uint8_t family = sp->family == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	int had = ipc_exists(c, sp->name, r);

	if (had < 0)
		return -1;
	/* There already (a restart, or grown by nfban): kept as it is.  `-exist create`
	 * would refuse a set whose maxelem differs, such as one nfban grew. */
	*created = false;
	if (had)
		return 0;
	begin(c, sp->name, true);
	if (ipset_session_data_set(c->s, IPSET_OPT_TYPENAME, "hash:ip") < 0 ||
	    ipset_session_data_set(c->s, IPSET_OPT_FAMILY, &family) < 0)
		return failed(c, r, EINVAL, "create", sp->name);
	/* The type's newest revision this kernel has, as `ipset create` asks. */
	if (!ipset_type_get(c->s, IPSET_CMD_CREATE))
		return failed(c, r, EPROTONOSUPPORT, "create", sp->name);
	if (ipset_session_data_set(c->s, IPSET_OPT_TIMEOUT, &sp->timeout) < 0 ||
	    ipset_session_data_set(c->s, IPSET_OPT_MAXELEM, &sp->maxelem) < 0)
		return failed(c, r, EINVAL, "create", sp->name);
	if (run(c, IPSET_CMD_CREATE) < 0)
		return failed(c, r, EPROTO, "create", sp->name);
	*created = true;
	return 0;
}

int ipc_destroy(struct ipc_conn *c, const char *name, struct nfban_report *r)
{
	forget(c, name);
	begin(c, name, false);
	return run(c, IPSET_CMD_DESTROY) < 0 ? failed(c, r, EPROTO, "destroy", name) : 0;
}

int ipc_flush(struct ipc_conn *c, const char *name, struct nfban_report *r)
{
	begin(c, name, false);
	return run(c, IPSET_CMD_FLUSH) < 0 ? failed(c, r, EPROTO, "flush", name) : 0;
}

/*
 * The set's type and family into the session's data: from what this
 * connection learnt, else from the kernel (IPSET_CMD_HEADER), learnt then.
 */
static int typed(struct ipc_conn *c, const char *name, enum nfban_family fam)
{
	uint8_t family = fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	const struct ipset_type *t;
	unsigned slot;

	for (unsigned i = 0; i < IPC_TYPES; i++)
		if (c->known[i].name[0] && strcmp(c->known[i].name, name) == 0) {
			ipset_session_data_set(c->s, IPSET_OPT_FAMILY, &family);
			return ipset_session_data_set(c->s, IPSET_OPT_TYPE, c->known[i].type);
		}
	t = ipset_type_get(c->s, IPSET_CMD_ADD);
	if (!t)
		return -1;
	slot = c->next++ % IPC_TYPES;
	snprintf(c->known[slot].name, sizeof(c->known[slot].name), "%s", name);
	c->known[slot].type = t;
	return 0;
}

static int element(struct ipc_conn *c, const char *name, enum nfban_family fam,
		   const struct nfban_addr *a)
{
	unsigned full = fam == NFBAN_INET6 ? 128 : 32;
	union nf_inet_addr ip;
	uint8_t cidr = a->prefix;

	if (typed(c, name, fam) < 0)
		return -1;
	memset(&ip, 0, sizeof(ip));
	memcpy(&ip, a->u.bytes, fam == NFBAN_INET6 ? 16 : 4);
	if (ipset_session_data_set(c->s, IPSET_OPT_IP, &ip) < 0)
		return -1;
	/* A network: `ipset add` of a hash:ip takes it as every address in it. */
	if (cidr < full && ipset_session_data_set(c->s, IPSET_OPT_CIDR, &cidr) < 0)
		return -1;
	return 0;
}

/* One member's add, line lineno: libipset packs consecutive adds into few messages, sent when
 * full and by commit_packed(). */
static int packed_add(struct ipc_conn *c, const char *name, enum nfban_family fam,
		      const struct nfban_addr *a, uint32_t timeout, uint32_t lineno)
{
	uint8_t family = fam == NFBAN_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

	ipset_data_reset(ipset_session_data(c->s));
	ipset_session_data_set(c->s, IPSET_SETNAME, name);
	ipset_session_data_set(c->s, IPSET_OPT_FAMILY, &family);
	if (element(c, name, fam, a) < 0 ||
	    ipset_session_data_set(c->s, IPSET_OPT_TIMEOUT, &timeout) < 0)
		return -1;
	return ipset_cmd(c->s, IPSET_CMD_ADD, lineno);
}

/* What packed_add() packed, sent; also after a failure part way (libipset would send what it
 * holds with the session's next command).  The line numbers ended. */
static int commit_packed(struct ipc_conn *c)
{
	int rc = ipset_commit(c->s);

	ipset_session_lineno(c->s, 0);
	return rc;
}

int ipc_add(struct ipc_conn *c, const char *name, enum nfban_family fam,
		  const struct nfban_addr *a, uint32_t timeout, bool *full, struct nfban_report *r)
{
	const char *msg;

	*full = false;
	begin(c, name, true);
	if (element(c, name, fam, a) < 0 ||
	    ipset_session_data_set(c->s, IPSET_OPT_TIMEOUT, &timeout) < 0)
		return failed(c, r, EINVAL, "add to", name);
	if (run(c, IPSET_CMD_ADD) == 0)
		return 0;
	msg = ipset_session_report_msg(c->s);
	*full = msg && strstr(msg, HASH_FULL_TEXT);
	/* The set may be gone or another: ask the kernel again next time. */
	if (!*full)
		forget(c, name);
	return failed(c, r, EPROTO, "add to", name);
}

int ipc_add_many(struct ipc_conn *c, const char *name, enum nfban_family fam,
		 const struct nfban_addr *a, unsigned n, uint32_t timeout, struct nfban_report *r)
{
	int rc = 0;

	begin(c, name, true);
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = packed_add(c, name, fam, &a[i], timeout, i + 1);
	if (commit_packed(c) < 0)
		rc = -1;
	if (rc == 0) {
		ipset_session_report_reset(c->s);
		return 0;
	}
	forget(c, name);
	return failed(c, r, EPROTO, "add to", name);
}

/* The number after `word` (": " or " " between) in c->out, or 0. */
static unsigned long listed(const struct ipc_conn *c, const char *word)
{
	const char *p = c->out ? strstr(c->out, word) : NULL;

	return p ? strtoul(p + strlen(word), NULL, 10) : 0;
}

int ipc_room(struct ipc_conn *c, const char *name, unsigned long *members, unsigned long *maxelem,
	     struct nfban_report *r)
{
	int rc;

	c->out_len = 0;
	if (c->out)
		c->out[0] = '\0';
	begin(c, name, false);
	ipset_envopt_set(c->s, IPSET_ENV_LIST_HEADER);
	ipset_session_output(c->s, IPSET_LIST_PLAIN);
	rc = run(c, IPSET_CMD_LIST);
	ipset_session_output(c->s, IPSET_LIST_NONE);
	ipset_envopt_unset(c->s, IPSET_ENV_LIST_HEADER);
	if (rc < 0)
		return failed(c, r, EPROTO, "list", name);
	*members = listed(c, "\nNumber of entries: ");
	*maxelem = listed(c, " maxelem ");
	if (!*maxelem)
		return failed(c, r, EPROTO, "reading the header of", name);
	return 0;
}

int ipc_del(struct ipc_conn *c, const char *name, enum nfban_family fam,
		  const struct nfban_addr *a, struct nfban_report *r)
{
	begin(c, name, true);
	if (element(c, name, fam, a) < 0)
		return failed(c, r, EINVAL, "del from", name);
	if (run(c, IPSET_CMD_DEL) == 0)
		return 0;
	forget(c, name);
	return failed(c, r, EPROTO, "del from", name);
}

/* ---- growing a full set ---- */

/* `ipset save <name>` into c->out. */
static int save(struct ipc_conn *c, const char *name, struct nfban_report *r)
{
	c->out_len = 0;
	begin(c, name, false);
	ipset_session_output(c->s, IPSET_LIST_SAVE);
	if (run(c, IPSET_CMD_SAVE) < 0) {
		ipset_session_output(c->s, IPSET_LIST_NONE);
		return failed(c, r, EPROTO, "save", name);
	}
	ipset_session_output(c->s, IPSET_LIST_NONE);
	return 0;
}

/* The save's text can be megabytes: not kept past the growing. */
static void release_out(struct ipc_conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_cap = 0;
}

/* The number after `word ` on the create line, or 0. */
static unsigned long header_value(const char *create, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(create, word); p; p = strstr(p + 1, word))
		if (p[-1] == ' ' && p[n] == ' ')
			return strtoul(p + n + 1, NULL, 0);
	return 0;
}

/* One `add <set> <ip> [timeout t]` line of the save, into the tmp set (packed). */
static int copy_line(struct ipc_conn *c, const char *tmp, const struct ipc_spec *sp,
		     char *line, unsigned long lineno)
{
	char *save = NULL, *ip, *tok;
	struct nfban_addr a = { .family = sp->family, .prefix = sp->family == NFBAN_INET6 ? 128 : 32 };
	uint32_t timeout = sp->timeout;

	strtok_r(line, " ", &save);             /* add */
	strtok_r(NULL, " ", &save);             /* the set */
	ip = strtok_r(NULL, " ", &save);
	if (!ip)
		return -1;
	while ((tok = strtok_r(NULL, " ", &save)))
		if (strcmp(tok, "timeout") == 0 && (tok = strtok_r(NULL, " ", &save)))
			timeout = (uint32_t)strtoul(tok, NULL, 10);
	if (inet_pton(sp->family == NFBAN_INET6 ? AF_INET6 : AF_INET, ip, a.u.bytes) != 1)
		return -1;
	return packed_add(c, tmp, sp->family, &a, timeout, (uint32_t)lineno);
}

/* Every member listed in c->out into tmp; the count into *n. */
static int copy_members(struct ipc_conn *c, const char *tmp, const struct ipc_spec *sp,
			unsigned long *n, struct nfban_report *r)
{
	char *save = NULL;

	int rc = 0;

	*n = 0;
	ipset_envopt_set(c->s, IPSET_ENV_EXIST);
	for (char *line = strtok_r(c->out, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "add ", 4) != 0)
			continue;
		if ((rc = copy_line(c, tmp, sp, line, *n + 1)) == 0)
			(*n)++;
	}
	if (commit_packed(c) < 0 || rc < 0)
		return failed(c, r, EPROTO, "copying members into", tmp);
	ipset_session_report_reset(c->s);
	return 0;
}

int ipc_grow(struct ipc_conn *c, const struct ipc_spec *sp, unsigned long *members,
		   uint32_t *maxelem, struct nfban_report *r)
{
	struct ipc_spec big = *sp;
	unsigned long was;
	bool created;
	char *nl;

	if (save(c, sp->name, r) < 0)
		return -1;
	if (!c->out || !(nl = strchr(c->out, '\n')))
		return failed(c, r, EPROTO, "reading", sp->name);
	*nl = '\0';
	was = header_value(c->out, "maxelem");
	big.timeout = (uint32_t)header_value(c->out, "timeout");
	*nl = '\n';
	if (was == 0 || was > UINT32_MAX / 2) {
		report_fail(r, NFBAN_ERROR, 0,
			    "ipset %s is full at maxelem %lu, which cannot double", sp->name, was);
		return -1;
	}
	big.maxelem = (uint32_t)(was * 2);
	/* The name beside it: <set>~ (set names hold 31 characters, ours at most 29). */
	snprintf(big.name, sizeof(big.name), "%.30s~", sp->name);
	if (ipc_exists(c, big.name, r) == 1 && ipc_destroy(c, big.name, r) < 0)
		return -1;
	if (ipc_create(c, &big, &created, r) < 0)
		return -1;
	if (copy_members(c, big.name, sp, members, r) < 0)
		goto undo;
	begin(c, sp->name, false);
	ipset_session_data_set(c->s, IPSET_OPT_SETNAME2, big.name);
	if (run(c, IPSET_CMD_SWAP) < 0) {
		failed(c, r, EPROTO, "swap", sp->name);
		goto undo;
	}
	/* The old, full set now bears the name beside: nothing uses it. */
	forget(c, sp->name);
	if (ipc_destroy(c, big.name, r) < 0)
		return -1;
	*maxelem = big.maxelem;
	release_out(c);
	return 0;
undo:
	{
		struct nfban_report ignore;

		memset(&ignore, 0, sizeof(ignore));
		ipc_destroy(c, big.name, &ignore);
	}
	release_out(c);
	return -1;
}
