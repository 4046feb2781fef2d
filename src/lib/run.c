// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * run.c - nfban_jail_run() (nfban.h): an operation by name, its address and
 * family checked, run with fallback (fallback.c) under the handle's lock;
 * after a ban, the banned address's sessions ended (kill_sessions: conntrack.c).
 * nfban_jail_try(): the same ban or unban on its plain path, or NFBAN_BUSY.
 * nfban_jail_ban_many(): a group of bans in one transaction, on the plain path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handle.h"
#include "result.h"
#include "state.h"
#include "text.h"

/* Sessions to end after a ban: what ct_ready said (0: none; 1; -1 with err). */
struct ends {
	int ready;
	int err;
};

/* Under the handle's lock: what ct_ready says of j's match, its errno kept. */
static struct ends ends_ready(struct nfban_jail *j)
{
	struct ends e;

	e.ready = ct_ready(&j->ct);
	e.err = errno;
	return e;
}

/* The lock let go, e.ready not 0: the sessions of a's n addresses ended (ct_kill's answer; -1
 * with errno and what also when ct_ready could not make the match ready). */
static int ends_kill(struct nfban_jail *j, struct ends e, const struct nfban_addr *a, unsigned n,
		     const char **what)
{
	*what = "the jail's ports";
	if (e.ready < 0)
		return errno = e.err, -1;
	return ct_kill(&j->ct, a, n, what);
}

/* After a ban, e.ready not 0: end the banned addresses' sessions on the jail's traffic
 * (kill_sessions). */
static void ct_after_ban(struct nfban_jail *j, const struct call *c, struct ends e)
{
	const char *what;
	char addr[64];
	int n = ends_kill(j, e, c->addr, c->n_addr, &what);

	if (n == 0)
		return;
	if (c->n_addr > 1)
		snprintf(addr, sizeof(addr), "%u banned addresses", c->n_addr);
	else
		value_addr_str(c->addr, addr, sizeof(addr));
	if (n > 0)
		result_notice(c->res, "jail %s (%s): kill_sessions: %d connection tracking entr%s of %s deleted",
			      j->name, fam_name(c->fam), n, n == 1 ? "y" : "ies", addr);
	else
		result_notice(c->res, "jail %s (%s): kill_sessions: %s banned, but %s sessions are kept: %s: %s",
			      j->name, fam_name(c->fam), addr, c->n_addr > 1 ? "their" : "its", what,
			      strerror(errno));
}

/* A result saying nothing yet.  Each field set, not the whole result cleared: this is every
 * ban's path. */
static void result_start(const struct nfban_jail *j, struct nfban_result *res)
{
	res->status = NFBAN_DONE;
	res->kernel_errno = 0;
	res->fallback = 0;
	res->message[0] = res->notice[0] = '\0';
	memcpy(res->plugin, j->m[0].name, sizeof(res->plugin));
}

/* An address the host gave: 0, or -1 with res filled (BAD_INPUT naming ip=). */
static int parse_ip(const struct nfban_jail *j, const char *ip, struct nfban_addr *addr,
		    struct nfban_result *res)
{
	char why[NFBAN_LINE_MAX];

	if (value_parse_addr(ip, addr, why, sizeof(why)) < 0)
		return result_bad_key(res, "ip", 2, ip, why), -1;
	/* ::ffff:a.b.c.d is an IPv4 client seen by an IPv6 socket: ban it as IPv4. */
	value_addr_unmap(addr);
	if (!j->allow_special && value_addr_special(addr, why, sizeof(why))) {
		strncat(why, "; special_addresses=allow bans it all the same",
			sizeof(why) - strlen(why) - 1);
		return result_bad_key(res, "ip", 2, ip, why), -1;
	}
	return 0;
}

/* family= of a call: 0, or -1 with res filled; NULL: the address's, else inet4. */
static int parse_family(const char *family, const struct nfban_addr *addr, enum nfban_family *fam,
			struct nfban_result *res)
{
	if (!family)
		*fam = addr ? addr->family : NFBAN_INET4;
	else if (strcmp(family, "inet4") == 0)
		*fam = NFBAN_INET4;
	else if (strcmp(family, "inet6") == 0)
		*fam = NFBAN_INET6;
	else
		return result_bad_key(res, "family", 6, family, "not inet4 or inet6"), -1;
	return 0;
}

/* An address of another family than the call's: -1 with res filled. */
static int family_mismatch(const char *ip, enum nfban_family fam, struct nfban_result *res)
{
	return result_bad_key(res, "ip", 2, ip,
			      fam == NFBAN_INET6 ? "an IPv4 address with family=inet6"
						 : "an IPv6 address with family=inet4"), -1;
}

/* The call's operation, address and family from the host's strings: 0, or -1 with res filled. */
static int prepare(struct call *c, const char *operation, const char *family, const char *ip,
		   struct nfban_addr *addr)
{
	struct nfban_jail *j = c->j;
	struct nfban_result *res = c->res;

	result_start(j, res);
	c->op = op_parse(operation);
	if (c->op == OP_COUNT) {
		char echo[256];

		text_echo(operation ? operation : "", echo, sizeof(echo));
		return result_fail(res, NFBAN_BAD_INPUT,
				   "operation '%s': not one of start, stop, check, ban, unban, flush, start+ban",
				   echo), -1;
	}
	if (ip) {
		if (parse_ip(j, ip, addr, res) < 0)
			return -1;
		if (OP_HAS_ADDR(c->op)) {
			c->addr = addr;
			c->n_addr = 1;
		}
	} else if (OP_HAS_ADDR(c->op)) {
		return result_fail(res, NFBAN_BAD_INPUT, "ip='': %s needs the address to %s",
				   op_name(c->op), op_name(c->op)), -1;
	}
	if (parse_family(family, ip ? addr : NULL, &c->fam, res) < 0)
		return -1;
	if (ip && addr->family != c->fam)
		return family_mismatch(ip, c->fam, res);
	return 0;
}

/* Under the handle's lock: is the jail on its primary plugin for fam (no fallback state)? */
static bool on_primary(struct nfban_jail *j, enum nfban_family fam)
{
	char state[VALUE_PLUGIN_MAX];

	return j->n_members == 1 || state_get(jail_ns(j), j->name, fam, state, sizeof(state)) == 0;
}

/* Under the handle's lock, after the call: kill_sessions, a ban done, the namespace tracking
 * something? */
static struct ends sessions_to_end(const struct call *c)
{
	struct ends e = { 0, 0 };

	if (c->j->kill_sessions && c->res->status == NFBAN_DONE &&
	    (c->op == NFBAN_OP_BAN || c->op == NFBAN_OP_START_BAN))
		e = ends_ready(c->j);
	return e;
}

/* After the call, the handle's lock let go: the sessions of a ban ended, the texts made one
 * line each. */
static int finish(struct call *c, struct ends e)
{
	struct nfban_result *res = c->res;

	if (e.ready)
		ct_after_ban(c->j, c, e);
	if (res->message[0])
		text_one_line(res->message, sizeof(res->message));
	if (res->notice[0])
		text_one_line(res->notice, sizeof(res->notice));
	return res->status;
}

int nfban_jail_run(struct nfban_jail *j, const char *operation, const char *family,
		   const char *ip, struct nfban_result *res)
{
	struct nfban_addr addr;
	struct call c = { .j = j, .res = res };
	struct ends end_sessions;

	if (prepare(&c, operation, family, ip, &addr) < 0)
		return res->status;
	pthread_mutex_lock(&j->lock);
	fallback_run(&c);
	end_sessions = sessions_to_end(&c);
	pthread_mutex_unlock(&j->lock);
	return finish(&c, end_sessions);
}

/*
 * The plain path of a ban or unban, or nothing: the handle free, the jail on
 * its primary plugin (no fallback state), no sessions to end, the plugin's
 * answer a success.  Anything else is NFBAN_BUSY, with nothing changed: a
 * refusal or an error sent nothing (one batch, one message), and the host's
 * nfban_jail_run() finds it again and says it as it always does.
 */
int nfban_jail_try(struct nfban_jail *j, const char *operation, const char *family,
		   const char *ip, struct nfban_result *res)
{
	struct nfban_addr addr;
	struct call c = { .j = j, .res = res, .nowait = true };
	enum nfban_status st = NFBAN_WOULD_WAIT;
	struct ends end_sessions = { 0, 0 };

	if (prepare(&c, operation, family, ip, &addr) < 0)
		return res->status;
	if ((c.op != NFBAN_OP_BAN && c.op != NFBAN_OP_UNBAN) || pthread_mutex_trylock(&j->lock) != 0)
		return res->status = NFBAN_BUSY;
	/* (A plugin loaded already and not NOWAIT: busy before the fallback state is read.) */
	if ((!j->m[0].pl || (j->m[0].pl->desc->flags & NFBAN_PLUGIN_NOWAIT)) &&
	    (c.op != NFBAN_OP_BAN || !j->kill_sessions || ct_nothing_tracked(&j->ct)) &&
	    on_primary(j, c.fam))
		st = member_call(&c, 0, c.op);
	/* Nothing was tracked before the ban; something may be by now (the count read again). */
	if (st == NFBAN_OK)
		end_sessions = sessions_to_end(&c);
	pthread_mutex_unlock(&j->lock);
	if (st != NFBAN_OK) {
		result_start(j, res);   /* whatever the try's plugin said is the waiting call's to say */
		return res->status = NFBAN_BUSY;
	}
	return finish(&c, end_sessions);
}

/*
 * The n addresses of a call on many (`what`: its name in messages), parsed into a[], all of
 * one family (*fam): 0, or -1 with res filled (BAD_INPUT).
 */
static int parse_many(const struct nfban_jail *j, const char *what, const char *family, int n,
		      const char *const ips[], int max, struct nfban_addr *a, enum nfban_family *fam,
		      struct nfban_result *res)
{
	if (n < 0 || n > max || (n && !ips))
		return result_fail(res, NFBAN_BAD_INPUT, "%s: %d addresses (0 to %d)", what, n, max), -1;
	for (int i = 0; i < n; i++) {
		if (!ips[i])
			return result_fail(res, NFBAN_BAD_INPUT, "ip='': no address"), -1;
		if (parse_ip(j, ips[i], &a[i], res) < 0)
			return -1;
	}
	if (parse_family(family, n ? &a[0] : NULL, fam, res) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (a[i].family != *fam)
			return family_mismatch(ips[i], *fam, res);
	return 0;
}

/* a[0..n-1] with each address once, in the order first given; how many are left. */
static unsigned distinct(struct nfban_addr *a, unsigned n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		unsigned m = 0;

		/* (the family's bytes: an address is compared as the kernel is given it) */
		size_t len = a[i].family == NFBAN_INET6 ? 16 : 4;

		while (m < k && !(a[m].prefix == a[i].prefix &&
				  memcmp(a[m].u.bytes, a[i].u.bytes, len) == 0))
			m++;
		if (m == k)
			a[k++] = a[i];
	}
	return k;
}

int nfban_jail_ban_many(struct nfban_jail *j, const char *family, int n, const char *const ips[],
			struct nfban_result *res)
{
	struct nfban_addr a[NFBAN_BANS_MAX];
	struct call c = { .j = j, .res = res, .op = NFBAN_OP_BAN, .addr = a };
	enum nfban_status st = NFBAN_WOULD_WAIT;
	struct ends end_sessions = { 0, 0 };
	const struct plugin *pl;

	result_start(j, res);
	if (parse_many(j, "ban_many", family, n, ips, NFBAN_BANS_MAX, a, &c.fam, res) < 0)
		return res->status;
	if (n == 0)
		return res->status;
	c.n_addr = distinct(a, (unsigned)n);
	pthread_mutex_lock(&j->lock);
	/* The plain path only (see nfban.h); the plugin loaded first, to know whether it
	 * takes a group. */
	if ((j->m[0].pl || member_ready(&c, 0) == 0) && (pl = j->m[0].pl) &&
	    (c.n_addr == 1 || (pl->desc->flags & NFBAN_PLUGIN_BANS)) && on_primary(j, c.fam))
		st = member_call(&c, 0, NFBAN_OP_BAN);
	if (st == NFBAN_OK)
		end_sessions = sessions_to_end(&c);
	pthread_mutex_unlock(&j->lock);
	if (st != NFBAN_OK) {
		result_start(j, res);   /* nfban_jail_run says it, address by address */
		return res->status = NFBAN_BUSY;
	}
	return finish(&c, end_sessions);
}

int nfban_jail_end_sessions(struct nfban_jail *j, const char *family, int n, const char *const ips[],
			    struct nfban_result *res)
{
	struct nfban_addr a[NFBAN_SESSIONS_MAX];
	enum nfban_family fam;
	struct ends e;
	const char *what;
	int k;

	result_start(j, res);
	if (parse_many(j, "end_sessions", family, n, ips, NFBAN_SESSIONS_MAX, a, &fam, res) < 0)
		return res->status;
	if (!j->kill_sessions || n == 0)
		return res->status;
	pthread_mutex_lock(&j->lock);
	e = ends_ready(j);
	pthread_mutex_unlock(&j->lock);
	if (!e.ready)
		return res->status;
	k = ends_kill(j, e, a, (unsigned)n, &what);
	if (k < 0) {
		res->kernel_errno = errno;
		result_fail(res, NFBAN_FAILED,
			    "jail %s (%s): kill_sessions: the sessions of %d banned address%s are kept: %s: %s",
			    j->name, fam_name(fam), n, n == 1 ? "" : "es", what, strerror(res->kernel_errno));
	} else if (k > 0) {
		result_notice(res, "jail %s (%s): kill_sessions: %d connection tracking entr%s of %d banned address%s deleted",
			      j->name, fam_name(fam), k, k == 1 ? "y" : "ies", n, n == 1 ? "" : "es");
	}
	if (res->message[0])
		text_one_line(res->message, sizeof(res->message));
	return res->status;
}
