// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lib_api.c - libnfban's API (nfban.h) without root's firewall: jails
 * opened on fixture plugins (tests/plugins/, built next to this binary) and
 * run through nfban_jail_open() / nfban_jail_run().  The probe fixture says
 * in its notice what its configure() received, so the tests see what reaches
 * a plugin: keys checked against the plugin's own table (named in every
 * refusal, BAD_INPUT), defaults from that table, unknown plugins (BAD_INPUT)
 * against broken ones (FAILED), operation/address/family checks, the
 * plugin's answers mapped to result statuses, and fallback= (the member
 * that takes over, its notice, the state remembered under NFBAN_STATE_DIR,
 * and the refusal of a fallback that would match traffic the jail never
 * named).  The loader wants the plugin directory root-owned: the tests that
 * load plugins skip when not run as root.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "nfban.h"
#include "../../src/lib/state.h"     /* where the fallback state is kept */

static char fixtures[PATH_MAX];
static char state_dir[] = "/tmp/nfban-lib-api-XXXXXX";
static struct nfban_result res;

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* Open a jail on `plugin` from "key=value" strings up to NULL. */
static struct nfban_jail *open_jail(const char *plugin, ...)
{
	const char *keys[32];
	int n = 0;
	va_list ap;
	struct nfban_jail *j;

	va_start(ap, plugin);
	while ((keys[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	memset(&res, 0x5a, sizeof(res));
	j = nfban_jail_open(fixtures, plugin, n, keys, &res);
	/* Every answer is one line. */
	assert_non_null(memchr(res.message, '\0', sizeof(res.message)));
	assert_null(strchr(res.message, '\n'));
	assert_non_null(memchr(res.notice, '\0', sizeof(res.notice)));
	assert_null(strchr(res.notice, '\n'));
	assert_int_equal(res.status == NFBAN_DONE, j != NULL);
	return j;
}

/* A call's answer: its status is res's, each text one line, none when done. */
static int answered(int st)
{
	assert_int_equal(st, res.status);
	assert_null(strchr(res.message, '\n'));
	assert_null(strchr(res.notice, '\n'));
	if (res.status == NFBAN_DONE)
		assert_string_equal(res.message, "");
	return st;
}

static int run(struct nfban_jail *j, const char *op, const char *family, const char *ip)
{
	memset(&res, 0x5a, sizeof(res));
	return answered(nfban_jail_run(j, op, family, ip, &res));
}

static void assert_has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' does not say '%s'", text, part);
}

/* nfban_jail_open refuses with BAD_INPUT and exactly this message. */
static void assert_refused(const char *message, const char *plugin, ...)
{
	const char *keys[32];
	int n = 0;
	va_list ap;

	va_start(ap, plugin);
	while ((keys[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	memset(&res, 0x5a, sizeof(res));
	assert_null(nfban_jail_open(fixtures, plugin, n, keys, &res));
	assert_int_equal(res.status, NFBAN_BAD_INPUT);
	assert_int_equal(res.kernel_errno, 0);
	assert_null(strchr(res.message, '\n'));
	assert_string_equal(res.message, message);
}

/* ---- keys ------------------------------------------------------------------ */

static void test_defaults_reach_plugin(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	j = open_jail("probe", NULL);
	assert_non_null(j);
	assert_string_equal(res.message, "");
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_string_equal(res.plugin, "probe");
	assert_int_equal(res.kernel_errno, 0);
	assert_int_equal(res.fallback, 0);
	assert_string_equal(res.notice, "probe: jail default (inet4): start: "
			    "start#1 default inet4 port=ssh protocol=tcp mode=ok tag=- addr=-");
	/* The instance and its configuration are kept; each family has its own. */
	assert_int_equal(run(j, "check", NULL, NULL), NFBAN_DONE);
	assert_has(res.notice, "check: check#2 default inet4 port=ssh");
	assert_int_equal(run(j, "start", "inet6", NULL), NFBAN_DONE);
	assert_string_equal(res.notice, "probe: jail default (inet6): start: "
			    "start#3 default inet6 port=ssh protocol=tcp mode=ok tag=- addr=-");
	nfban_jail_close(j);
	nfban_jail_close(NULL);
}

static void test_keys_reach_plugin(void **state)
{
	struct nfban_jail *j;
	const char *keys[] = { "name=sshd", "port=22,80:90", "protocol=tcp,udp", "tag=x y", "fallback=" };
	char copy[5][32];
	const char *copies[5];

	(void)state;
	need_root();
	/* The handle keeps its own copies: the host's strings may go. */
	for (int i = 0; i < 5; i++) {
		snprintf(copy[i], sizeof(copy[i]), "%s", keys[i]);
		copies[i] = copy[i];
	}
	j = nfban_jail_open(fixtures, "probe", 5, copies, &res);
	assert_non_null(j);
	memset(copy, 'z', sizeof(copy));
	assert_int_equal(run(j, "flush", NULL, NULL), NFBAN_DONE);
	assert_string_equal(res.notice, "probe: jail sshd (inet4): flush: "
			    "flush#1 sshd inet4 port=22,80:90 protocol=tcp,udp mode=ok tag=x y addr=-");
	nfban_jail_close(j);
	/* No keys at all is a jail on defaults too. */
	j = nfban_jail_open(fixtures, "probe", 0, NULL, &res);
	assert_non_null(j);
	nfban_jail_close(j);
}

static void test_bad_keys(void **state)
{
	char big[300];
	char arg[320];

	(void)state;
	need_root();
	assert_refused("bogus='1': unknown key for this action", "probe", "bogus=1", NULL);
	assert_refused("port='23': key given twice", "probe", "port=22", "port=23", NULL);
	assert_refused("name='b': key given twice", "probe", "name=a", "name=b", NULL);
	assert_refused("fallback='': key given twice", "probe", "fallback=", "fallback=", NULL);
	assert_refused("'portssh': arguments are KEY=VALUE", "probe", "portssh", NULL);
	assert_refused("'=x': arguments are KEY=VALUE", "probe", "=x", NULL);
	assert_refused("'': arguments are KEY=VALUE", "probe", "", NULL);
	/* A bad value: the key, the value, why (from the key's type). */
	assert_refused("port='90:80': port range '90:80' runs backwards", "probe", "port=90:80", NULL);
	assert_refused("port='nosuchservice': unknown service 'nosuchservice' (not in /etc/services)",
		       "probe", "port=nosuchservice", NULL);
	assert_refused("protocol='tcp,tcp': protocol 'tcp' given twice", "probe", "protocol=tcp,tcp", NULL);
	assert_refused("mode='loud': not one of ok|error|absent|refuse|nofeature", "probe", "mode=loud", NULL);
	assert_refused("name='x;rm': a jail name is 1 to 63 of A-Z a-z 0-9 _ - .", "probe", "name=x;rm", NULL);
	assert_refused("name='': a jail name is 1 to 63 of A-Z a-z 0-9 _ - .", "probe", "name=", NULL);
	/* The value is echoed escaped and cut, so the message stays one line. */
	assert_refused("mode='a\\x0ab\\x1b[2J': not one of ok|error|absent|refuse|nofeature", "probe",
		       "mode=a\nb\x1b[2J", NULL);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(arg, sizeof(arg), "mode=%s", big);
	memset(&res, 0, sizeof(res));
	assert_null(open_jail("probe", arg, NULL));
	assert_int_equal(res.status, NFBAN_BAD_INPUT);
	assert_has(res.message, "xxx...': not one of ok|");
	/* So is an unknown key: the line still says what is wrong. */
	memset(big, '\r', sizeof(big) - 1);
	snprintf(arg, sizeof(arg), "k%s=1", big);
	memset(&res, 0, sizeof(res));
	assert_null(open_jail("probe", arg, NULL));
	assert_int_equal(res.status, NFBAN_BAD_INPUT);
	assert_has(res.message, "k\\x0d\\x0d");
	assert_has(res.message, "...='1': unknown key for this action");
	assert_refused("a\\x1bb='1': unknown key for this action", "probe", "a\x1b" "b=1", NULL);
	/* fallback= is libnfban's own, for every plugin. */
	assert_refused("fallback='../evil': '../evil' is not a plugin name", "probe", "fallback=../evil", NULL);
	assert_refused("fallback='a,,b': empty or overlong plugin name in list", "probe", "fallback=a,,b", NULL);
	assert_refused("fallback='a,b,c,d,e': more than 4 plugins", "probe", "fallback=a,b,c,d,e", NULL);
}

static void test_fallback_lists(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	/* Plugins are loaded when needed: names are only checked here. */
	j = open_jail("probe", "fallback=", NULL);
	assert_non_null(j);
	nfban_jail_close(j);
	j = open_jail("probe", "fallback=good, second ,probe,good", NULL);
	assert_non_null(j);
	nfban_jail_close(j);
}

/* A key only one plugin knows: accepted by it, refused by another. */
static void test_plugin_owns_its_keys(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	j = open_jail("probe", "tag=x", NULL);
	assert_non_null(j);
	nfban_jail_close(j);
	assert_refused("tag='x': unknown key for this action", "good", "tag=x", NULL);
	assert_refused("mode='ok': unknown key for this action", "good", "mode=ok", NULL);
	j = open_jail("good", "port=http", "name=web", NULL);
	assert_non_null(j);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_string_equal(res.plugin, "good");
	assert_string_equal(res.notice, "");
	nfban_jail_close(j);
}

/* ---- plugins ----------------------------------------------------------------- */

static void test_unknown_and_broken_plugins(void **state)
{
	char want[PATH_MAX + 64];

	(void)state;
	need_root();
	/* No such plugin: the action is wrong (BAD_INPUT, as for a bad key). */
	snprintf(want, sizeof(want), "action 'nosuch': %s/nosuch.so: no such plugin", fixtures);
	assert_refused(want, "nosuch", NULL);
	assert_string_equal(res.plugin, "nosuch");
	assert_refused("action '../probe': '../probe' is not a plugin name (a-z, 0-9, '_' and '-' only)",
		       "../probe", NULL);
	/* A plugin that is there but cannot be used: the install is broken (FAILED). */
	memset(&res, 0, sizeof(res));
	assert_null(open_jail("oldabi", NULL));
	assert_int_equal(res.status, NFBAN_FAILED);
	assert_has(res.message, "action 'oldabi': ");
	snprintf(want, sizeof(want), "plugin ABI version %u, this nfban speaks version %u",
		 NFBAN_ABI_VERSION - 1, NFBAN_ABI_VERSION);
	assert_has(res.message, want);
	assert_null(open_jail("nosymbol", NULL));
	assert_int_equal(res.status, NFBAN_FAILED);
	assert_has(res.message, "not an nfban plugin");
	assert_null(open_jail("misnamed", NULL));
	assert_int_equal(res.status, NFBAN_FAILED);
	assert_has(res.message, "malformed descriptor");
	assert_null(open_jail("badkeys", NULL));
	assert_int_equal(res.status, NFBAN_FAILED);
	memset(&res, 0, sizeof(res));
	assert_null(nfban_jail_open("/nonexistent-nfban-dir", "probe", 0, NULL, &res));
	assert_int_equal(res.status, NFBAN_FAILED);
	assert_has(res.message, "plugin directory /nonexistent-nfban-dir");
}

/* ---- operations ---------------------------------------------------------------- */

static void test_run_refusals(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	j = open_jail("probe", NULL);
	assert_non_null(j);
	assert_int_equal(run(j, "restart", NULL, NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "operation 'restart': not one of start, stop, check, ban, unban, flush, start+ban");
	assert_string_equal(res.plugin, "probe");
	assert_int_equal(run(j, NULL, NULL, NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "operation '': not one of start, stop, check, ban, unban, flush, start+ban");
	assert_int_equal(run(j, "Start", NULL, NULL), NFBAN_BAD_INPUT);
	assert_int_equal(run(j, "ban", NULL, NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='': ban needs the address to ban");
	assert_int_equal(run(j, "unban", "inet4", NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='': unban needs the address to unban");
	assert_int_equal(run(j, "start+ban", NULL, NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='': start+ban needs the address to start+ban");
	assert_int_equal(run(j, "ban", NULL, "1.2.3"), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='1.2.3': not an IPv4 or IPv6 address");
	assert_int_equal(run(j, "ban", NULL, "1.2.3.4/33"), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='1.2.3.4/33': prefix length must be a number from 0 to 32");
	assert_int_equal(run(j, "ban", NULL, "1.2.3.4; reboot"), NFBAN_BAD_INPUT);
	assert_int_equal(run(j, "ban", NULL, "example.org"), NFBAN_BAD_INPUT);
	assert_int_equal(run(j, "start", "ipv6", NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "family='ipv6': not inet4 or inet6");
	assert_int_equal(run(j, "start", "", NULL), NFBAN_BAD_INPUT);
	assert_int_equal(run(j, "ban", "inet4", "2001:db8::1"), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='2001:db8::1': an IPv6 address with family=inet4");
	assert_int_equal(run(j, "ban", "inet6", "10.0.0.1"), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='10.0.0.1': an IPv4 address with family=inet6");
	/* None of that reached the plugin: this is its first operation. */
	assert_int_equal(run(j, "ban", NULL, "192.0.2.77/24"), NFBAN_DONE);
	assert_string_equal(res.notice, "probe: jail default (inet4): ban 192.0.2.0/24: "
			    "ban#1 default inet4 port=ssh protocol=tcp mode=ok tag=- addr=192.0.2.0/24");
	/* The address decides the family when none is given. */
	assert_int_equal(run(j, "unban", NULL, "2001:db8::1:2/112"), NFBAN_DONE);
	assert_has(res.notice, "jail default (inet6): unban 2001:db8::1:0/112: unban#2 default inet6 ");
	assert_has(res.notice, "addr=2001:db8::1:0/112");
	assert_int_equal(run(j, "ban", "inet6", "2001:db8::1"), NFBAN_DONE);
	assert_has(res.notice, "addr=2001:db8::1");
	/* Other operations take no address (and check the family of one given). */
	assert_int_equal(run(j, "start", NULL, "10.0.0.1"), NFBAN_DONE);
	assert_has(res.notice, "start: start#4 default inet4 ");
	assert_has(res.notice, "addr=-");
	/* start+ban is one operation of a plugin that has it (NFBAN_OP_START_BAN). */
	assert_int_equal(run(j, "start+ban", NULL, "192.0.2.5"), NFBAN_DONE);
	assert_string_equal(res.notice, "probe: jail default (inet4): start+ban 192.0.2.5: "
			    "start+ban#5 default inet4 port=ssh protocol=tcp mode=ok tag=- addr=192.0.2.5");
	nfban_jail_close(j);
	/* A plugin without it gets start, then ban. */
	j = open_jail("good", NULL);
	assert_int_equal(run(j, "start+ban", NULL, "192.0.2.5"), NFBAN_DONE);
	assert_string_equal(res.plugin, "good");
	nfban_jail_close(j);
}

/* nfban_jail_ban_many: one call of the plugin for a group it takes, each address once, every
 * address checked before; anything but the plain path's success is busy, nothing said. */
static int ban_many(struct nfban_jail *j, const char *family, int n, const char *const ips[])
{
	memset(&res, 0x5a, sizeof(res));
	return answered(nfban_jail_ban_many(j, family, n, ips, &res));
}

static void test_ban_many(void **state)
{
	static const char *const three[] = { "192.0.2.1", "192.0.2.7/24", "::ffff:192.0.2.1", "198.51.100.9" };
	static const char *const mixed[] = { "192.0.2.1", "2001:db8::1" };
	static const char *const bad[] = { "192.0.2.1", "192.0.2.300" };
	static const char *const special[] = { "192.0.2.1", "127.0.0.1" };
	static const char *const v6[] = { "2001:db8::1", "2001:db8::2" };
	const char *many[NFBAN_BANS_MAX + 1];
	struct nfban_jail *j;

	(void)state;
	need_root();
	for (int i = 0; i <= NFBAN_BANS_MAX; i++)
		many[i] = "192.0.2.1";
	j = open_jail("probe", NULL);
	assert_non_null(j);
	assert_int_equal(ban_many(j, NULL, 4, three), NFBAN_DONE);
	assert_string_equal(res.plugin, "probe");
	assert_string_equal(res.notice, "probe: jail default (inet4): ban of 3 addresses: "
			    "ban#1 default inet4 port=ssh protocol=tcp mode=ok tag=- "
			    "addr=192.0.2.1,192.0.2.0/24,198.51.100.9");
	assert_int_equal(ban_many(j, "inet6", 2, v6), NFBAN_DONE);
	assert_has(res.notice, "jail default (inet6): ban of 2 addresses: ban#2 default inet6 ");
	assert_has(res.notice, "addr=2001:db8::1,2001:db8::2");
	/* One address: a ban. */
	assert_int_equal(ban_many(j, NULL, 1, three), NFBAN_DONE);
	assert_has(res.notice, "jail default (inet4): ban 192.0.2.1: ban#3 ");
	assert_int_equal(ban_many(j, NULL, 0, NULL), NFBAN_DONE);
	assert_string_equal(res.notice, "");
	/* Refused before the plugin sees any of it: its next operation is #4. */
	assert_int_equal(ban_many(j, NULL, 2, mixed), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='2001:db8::1': an IPv6 address with family=inet4");
	assert_int_equal(ban_many(j, NULL, 2, bad), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ip='192.0.2.300': not an IPv4 or IPv6 address");
	assert_int_equal(ban_many(j, NULL, 2, special), NFBAN_BAD_INPUT);
	assert_has(res.message, "ip='127.0.0.1': ");
	assert_int_equal(ban_many(j, "inet6", 2, three), NFBAN_BAD_INPUT);
	assert_int_equal(ban_many(j, NULL, NFBAN_BANS_MAX + 1, many), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "ban_many: 257 addresses (0 to 256)");
	assert_int_equal(ban_many(j, NULL, -1, many), NFBAN_BAD_INPUT);
	assert_int_equal(ban_many(j, NULL, NFBAN_BANS_MAX, many), NFBAN_DONE);
	assert_has(res.notice, "ban 192.0.2.1: ban#4 ");
	nfban_jail_close(j);
	/* The plugin says no: busy, nothing said (nfban_jail_run says it, address by address). */
	j = open_jail("probe", "mode=error", NULL);
	assert_int_equal(ban_many(j, NULL, 4, three), NFBAN_BUSY);
	assert_string_equal(res.message, "");
	assert_string_equal(res.notice, "");
	assert_int_equal(res.kernel_errno, 0);
	nfban_jail_close(j);
	/* A plugin without group bans: one address is a ban, more are busy. */
	j = open_jail("good", NULL);
	assert_int_equal(ban_many(j, NULL, 1, three), NFBAN_DONE);
	assert_int_equal(ban_many(j, NULL, 2, three), NFBAN_BUSY);
	nfban_jail_close(j);
	/* A jail on a fallback is not the plain path. */
	j = open_jail("nofeat", "name=bm", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_int_equal(res.fallback, 1);
	assert_int_equal(ban_many(j, NULL, 2, three), NFBAN_BUSY);
	assert_int_equal(run(j, "stop", NULL, NULL), NFBAN_DONE);
	nfban_jail_close(j);
}

/* The plugin's answer, as a status, an errno and one line. */
static void test_plugin_answers(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	j = open_jail("probe", "name=web", "mode=error", NULL);
	assert_non_null(j);
	assert_int_equal(run(j, "ban", NULL, "192.0.2.1"), NFBAN_FAILED);
	assert_int_equal(res.kernel_errno, EPERM);
	assert_string_equal(res.message, "probe: jail web (inet4): ban 192.0.2.1: probe says no: "
			    "Operation not permitted");
	assert_string_equal(res.notice, "");
	nfban_jail_close(j);

	j = open_jail("probe", "name=web", "mode=absent", NULL);
	assert_int_equal(run(j, "check", NULL, NULL), NFBAN_RULES_ABSENT);
	assert_string_equal(res.message, "probe: jail web (inet4): check: nothing there");
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	nfban_jail_close(j);

	/* configure() refuses what the syntax check let through: BAD_INPUT, at first use. */
	j = open_jail("probe", "name=web", "mode=refuse", NULL);
	assert_non_null(j);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_BAD_INPUT);
	assert_string_equal(res.message, "mode='refuse': refused as asked");
	assert_int_equal(run(j, "start", "inet6", NULL), NFBAN_BAD_INPUT);
	nfban_jail_close(j);

	/* A missing feature and no fallback: the failure as it is. */
	j = open_jail("probe", "name=web", "mode=nofeature", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_FAILED);
	assert_string_equal(res.message, "probe: jail web (inet4): start: probe lacks its feature "
			    "(the kernel lacks a feature this plugin needs)");
	assert_int_equal(res.fallback, 0);
	nfban_jail_close(j);
	j = open_jail("nofeat", "name=web", "fallback=", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_FAILED);
	assert_string_equal(res.plugin, "nofeat");
	assert_has(res.message, "nofeat: jail web (inet4): start: nofeat lacks its feature");
	assert_int_equal(res.fallback, 0);
	nfban_jail_close(j);
}

/* ---- fallback ---------------------------------------------------------------- */

/* The state file of jail/fam: its text, or "" when there is none. */
static const char *state_of(const char *jail, const char *fam)
{
	static char text[64];
	char path[PATH_MAX], ns[STATE_NS_KEY_MAX];
	ssize_t n;
	int fd;

	assert_int_equal(state_ns_key(ns, sizeof(ns)), 0);
	snprintf(path, sizeof(path), "%s/%s/%s.%s", state_dir, ns, jail, fam);
	text[0] = '\0';
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		assert_int_equal(errno, ENOENT);
		return text;
	}
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(n >= 0);
	text[n] = '\0';
	return text;
}

static void test_fallback_takes_over(void **state)
{
	struct nfban_jail *j, *k;

	(void)state;
	need_root();
	/* nofeat's default fallback= is probe. */
	j = open_jail("nofeat", "name=fb1", "port=http", "protocol=tcp,udp", NULL);
	assert_non_null(j);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_int_equal(res.fallback, 1);
	assert_string_equal(res.plugin, "probe");
	assert_string_equal(res.message, "");
	/* probe got the jail's own ports and protocols (same keys), and what its adopt() added. */
	assert_string_equal(res.notice, "probe: jail fb1 (inet4): start: start#1 fb1 inet4 port=http "
			    "protocol=tcp,udp mode=ok tag=adopted addr=-; jail fb1 (inet4): nofeat cannot "
			    "work on this kernel (nofeat lacks its feature); probe takes over");
	assert_string_equal(state_of("fb1", "inet4"), "probe\n");
	assert_string_equal(state_of("fb1", "inet6"), "");

	/* Later operations go to probe, without a word. */
	assert_int_equal(run(j, "ban", NULL, "192.0.2.1"), NFBAN_DONE);
	assert_int_equal(res.fallback, 0);
	assert_string_equal(res.plugin, "probe");
	assert_string_equal(res.notice, "probe: jail fb1 (inet4): ban 192.0.2.1: ban#2 fb1 inet4 port=http "
			    "protocol=tcp,udp mode=ok tag=adopted addr=192.0.2.1");

	/* Each family falls back on its own. */
	assert_int_equal(run(j, "start", "inet6", NULL), NFBAN_DONE);
	assert_int_equal(res.fallback, 1);
	assert_has(res.notice, "jail fb1 (inet6): nofeat cannot work on this kernel");
	assert_string_equal(state_of("fb1", "inet6"), "probe\n");

	/* Another handle (another process, the next `nfban` command) finds it in the state. */
	k = open_jail("nofeat", "name=fb1", "port=http", "protocol=tcp,udp", NULL);
	assert_int_equal(run(k, "ban", NULL, "192.0.2.2"), NFBAN_DONE);
	assert_int_equal(res.fallback, 0);
	assert_string_equal(res.plugin, "probe");
	assert_has(res.notice, "ban#1 fb1 inet4 port=http protocol=tcp,udp mode=ok tag=adopted addr=192.0.2.2");
	/* A start tries the primary first (the kernel may have gained the
	 * feature), then starts the fallback named by the state again. */
	assert_int_equal(run(k, "start", NULL, NULL), NFBAN_DONE);
	assert_has(res.notice, "start#2 fb1 inet4");
	assert_int_equal(res.fallback, 0);

	/* stop ends the fallback. */
	assert_int_equal(run(k, "stop", NULL, NULL), NFBAN_DONE);
	assert_string_equal(res.plugin, "probe");
	assert_has(res.notice, "stop#3 fb1 inet4");
	assert_string_equal(state_of("fb1", "inet4"), "");
	assert_string_equal(state_of("fb1", "inet6"), "probe\n");
	assert_int_equal(run(k, "stop", "inet6", NULL), NFBAN_DONE);
	assert_string_equal(state_of("fb1", "inet6"), "");
	nfban_jail_close(k);

	/* With no state, a ban falls back too: the fallback is started and
	 * the address banned in one operation of the plugin (NFBAN_OP_START_BAN). */
	assert_int_equal(run(j, "ban", NULL, "192.0.2.3"), NFBAN_DONE);
	assert_int_equal(res.fallback, 1);
	assert_has(res.notice, "probe: jail fb1 (inet4): start+ban 192.0.2.3: start+ban#");
	assert_has(res.notice, "addr=192.0.2.3; jail fb1 (inet4): nofeat cannot work");
	assert_null(strstr(res.notice, "start: start#"));
	assert_null(strstr(res.notice, "ban 192.0.2.3: ban#"));
	assert_has(res.notice, "probe takes over");
	assert_string_equal(state_of("fb1", "inet4"), "probe\n");
	assert_int_equal(run(j, "stop", NULL, NULL), NFBAN_DONE);
	assert_string_equal(state_of("fb1", "inet4"), "");
	nfban_jail_close(j);
}

static void test_fallback_order(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	/* The first member that works takes over; one lacking its feature too is passed over. */
	j = open_jail("nofeat", "name=fb2", "fallback=portless, probe", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_int_equal(res.fallback, 1);
	assert_string_equal(res.plugin, "probe");
	assert_has(res.notice, "nofeat cannot work on this kernel (nofeat lacks its feature); probe takes over");
	assert_string_equal(state_of("fb2", "inet4"), "probe\n");
	assert_int_equal(run(j, "stop", NULL, NULL), NFBAN_DONE);
	assert_string_equal(state_of("fb2", "inet4"), "");
	nfban_jail_close(j);
	/* The primary named in fallback= is no fallback; good works at once. */
	j = open_jail("nofeat", "name=fb2", "fallback=nofeat,good,probe", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_int_equal(res.fallback, 1);
	assert_string_equal(res.plugin, "good");
	assert_has(res.notice, "good takes over");
	assert_string_equal(state_of("fb2", "inet4"), "good\n");
	assert_int_equal(run(j, "stop", NULL, NULL), NFBAN_DONE);
	assert_string_equal(res.plugin, "good");
	assert_string_equal(state_of("fb2", "inet4"), "");
	nfban_jail_close(j);
	/* A fallback that does not exist is skipped, said so. */
	j = open_jail("nofeat", "name=fb2", "fallback=nosuch,probe", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_string_equal(res.plugin, "probe");
	assert_has(res.notice, "jail fb2 (inet4): fallback nosuch skipped: ");
	assert_has(res.notice, "nosuch.so: no such plugin");
	assert_int_equal(run(j, "stop", NULL, NULL), NFBAN_DONE);
	nfban_jail_close(j);
}

/* A fallback with a key narrowing the traffic (port=) cannot take over a jail without it. */
static void test_fallback_match_keys(void **state)
{
	struct nfban_jail *j;

	(void)state;
	need_root();
	j = open_jail("portless", "name=fb3", "protocol=udp", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_FAILED);
	assert_int_equal(res.fallback, 0);
	assert_string_equal(res.plugin, "portless");
	assert_string_equal(res.message, "portless: jail fb3 (inet4): start: portless lacks its feature "
			    "(the kernel lacks a feature this plugin needs)");
	assert_string_equal(res.notice, "jail fb3 (inet4): fallback probe skipped: "
			    "probe needs port=, which portless does not take");
	assert_string_equal(state_of("fb3", "inet4"), "");
	nfban_jail_close(j);
	j = open_jail("portless", "name=fb3", "fallback=nofeat,probe", NULL);
	assert_int_equal(run(j, "ban", NULL, "192.0.2.1"), NFBAN_FAILED);
	assert_has(res.notice, "fallback nofeat skipped: nofeat needs port=, which portless does not take; ");
	assert_has(res.notice, "fallback probe skipped: probe needs port=, which portless does not take");
	nfban_jail_close(j);
	/* A fallback whose adopt() refuses the jail is skipped the same way. */
	j = open_jail("nofeat", "name=fb3", "tag=noadopt", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_FAILED);
	assert_string_equal(res.plugin, "nofeat");
	assert_string_equal(res.notice, "jail fb3 (inet4): fallback probe skipped: "
			    "tag='noadopt': probe cannot take this jail over");
	assert_string_equal(state_of("fb3", "inet4"), "");
	nfban_jail_close(j);
}

/* A state file naming a plugin not in fallback= cannot be right. */
static void test_stale_state(void **state)
{
	struct nfban_jail *j;
	char path[PATH_MAX], ns[STATE_NS_KEY_MAX];
	FILE *f;

	(void)state;
	need_root();
	assert_int_equal(state_ns_key(ns, sizeof(ns)), 0);
	snprintf(path, sizeof(path), "%s/%s", state_dir, ns);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/fb4.inet4", state_dir, ns);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("second\n", f);
	fclose(f);
	j = open_jail("nofeat", "name=fb4", NULL);
	assert_int_equal(run(j, "start", NULL, NULL), NFBAN_DONE);
	assert_has(res.notice, "jail fb4 (inet4): fallback state 'second' is not in fallback=; ignored");
	assert_has(res.notice, "probe takes over");
	assert_string_equal(res.plugin, "probe");
	assert_string_equal(state_of("fb4", "inet4"), "probe\n");
	assert_int_equal(run(j, "stop", NULL, NULL), NFBAN_DONE);
	assert_string_equal(state_of("fb4", "inet4"), "");
	nfban_jail_close(j);
}

/* ---- the keys for hosts (nfban_plugin_keys) ------------------------------------ */

static void test_plugin_keys(void **state)
{
	static const char *const names[] = { "name", "port", "protocol", "mode", "tag", "fallback",
					     "special_addresses", "kill_sessions" };
	struct nfban_key_info k[9];
	int n;

	(void)state;
	need_root();
	memset(k, 0x5a, sizeof(k));
	/* Too little room: the count, and nothing written past max. */
	n = nfban_plugin_keys(fixtures, "probe", k, 2, &res);
	assert_int_equal(n, 8);
	assert_string_equal(k[1].name, "port");
	assert_int_equal((unsigned char)k[2].name[0], 0x5a);
	assert_int_equal(nfban_plugin_keys(fixtures, "probe", k, 9, &res), 8);
	assert_int_equal(res.status, NFBAN_DONE);
	/* name, the plugin's own in its table's order, then libnfban's other keys. */
	for (int i = 0; i < 8; i++)
		assert_string_equal(k[i].name, names[i]);
	assert_string_equal(k[0].type, "jail_name");
	assert_string_equal(k[0].def[0], "default");
	assert_int_equal(k[0].flags, NFBAN_KEYINFO_HOST | NFBAN_KEYINFO_DEFAULT);
	assert_string_equal(k[1].type, "ports");
	assert_string_equal(k[1].def[0], "ssh");
	assert_string_equal(k[1].def[1], "ssh");
	assert_int_equal(k[1].flags, NFBAN_KEYINFO_DEFAULT | NFBAN_KEYINFO_MATCH);
	assert_string_equal(k[3].type, "choice");
	assert_string_equal(k[3].choices, "ok|error|absent|refuse|nofeature");
	assert_string_equal(k[4].type, "unused");
	assert_int_equal(k[4].flags, 0);                     /* tag: no default */
	assert_string_equal(k[4].def[0], "");
	/* fallback's default is the descriptor's list (probe's: none). */
	assert_string_equal(k[5].type, "plugins");
	assert_int_equal(k[5].flags, NFBAN_KEYINFO_HOST | NFBAN_KEYINFO_DEFAULT);
	assert_string_equal(k[5].def[0], "");
	assert_string_equal(k[6].choices, "refuse|allow");
	assert_string_equal(k[6].def[1], "refuse");
	assert_string_equal(k[7].choices, "jail|none");
	assert_string_equal(k[7].def[0], "jail");
	/* A plugin that does not exist, or is no plugin name: BAD_INPUT, one line. */
	assert_int_equal(nfban_plugin_keys(fixtures, "nosuch", k, 9, &res), -1);
	assert_int_equal(res.status, NFBAN_BAD_INPUT);
	assert_has(res.message, "action 'nosuch'");
	assert_int_equal(nfban_plugin_keys(fixtures, "../probe", NULL, 0, &res), -1);
	assert_int_equal(res.status, NFBAN_BAD_INPUT);
	assert_int_equal(nfban_plugin_keys(fixtures, NULL, NULL, 0, &res), -1);
}

static void test_version(void **state)
{
	(void)state;
	assert_non_null(nfban_version());
	assert_true(strlen(nfban_version()) > 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(state_dir))
		return -1;
	return setenv("NFBAN_STATE_DIR", state_dir, 1);
}

static int teardown(void **state)
{
	(void)state;
	return nftw(state_dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(int argc, char *argv[])
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_reach_plugin),
		cmocka_unit_test(test_keys_reach_plugin),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_fallback_lists),
		cmocka_unit_test(test_plugin_owns_its_keys),
		cmocka_unit_test(test_unknown_and_broken_plugins),
		cmocka_unit_test(test_run_refusals),
		cmocka_unit_test(test_plugin_answers),
		cmocka_unit_test(test_fallback_takes_over),
		cmocka_unit_test(test_fallback_order),
		cmocka_unit_test(test_fallback_match_keys),
		cmocka_unit_test(test_stale_state),
		cmocka_unit_test(test_plugin_keys),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_ban_many),
	};
	char self[PATH_MAX];

	(void)argc;
	if (!realpath(argv[0], self))
		return 1;
	snprintf(fixtures, sizeof(fixtures), "%s/plugins", dirname(self));
	return cmocka_run_group_tests_name("lib_api", tests, setup, teardown);
}
