// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - nfban-doctor [--plugin-dir DIR] [OPTION...] [probe] [KEY=VALUE ...]
 *
 * Run as `nfban doctor ...` (the shim execs this program).  It reads, never
 * writes: the kernel and Fail2ban into a model, then the findings, one line
 * each (ok / warn / unknown / FAIL, what to do, the commands to paste) or one
 * JSON document.  `probe` sends a real connection through a copy of the
 * ruleset instead (probe.c).  Options and keys in any order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "probe.h"

static const char usage[] =
	"usage: nfban doctor [--json] [--socket PATH] [--no-probe] [--no-fail2ban] [KEY=VALUE ...]\n"
	"       nfban doctor probe ip=ADDRESS port=PORT [protocol=tcp]\n"
	"Reads the kernel's rulesets, the fallback state and Fail2ban; changes nothing.\n"
	"Keys narrow the check: name= port= protocol= chain= family= table= ip=.\n"
	"probe: a real connection from ip= to port= through a copy of this host's ruleset in\n"
	"       throw-away network namespaces: refused, dropped or accepted, and the rule that\n"
	"       decided where the kernel can trace it.  The live ruleset is not changed.\n"
	"--socket PATH    Fail2ban's socket (default: fail2ban-client's, when it exists)\n"
	"--no-probe       skip the kernel capability probes (scratch network namespace)\n"
	"--no-fail2ban    do not ask fail2ban-client\n"
	"Findings: ok, warn (works, but look), unknown (could not be read: says what), FAIL (the\n"
	"ban cannot take effect); each non-ok one says what to do, the commands to paste after '$'.\n"
	"Exit status: 0 healthy (ok and warn only; probe: an answer), 1 something FAILs,\n"
	"2 bad usage, 3 something could not be examined (unknown).  See nfban(8).\n";

static const char *const key_names[] = { "name", "port", "protocol", "chain", "family", "ip",
					 "table", NULL };

static int bad(const char *key, const char *value, const char *why)
{
	fprintf(stderr, "nfban: doctor: %s='%s': %s\n", key, value, why);
	return 2;
}

static int parse_key(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	const char **slots[] = { &o->name, &o->port, &o->protocol, &o->chain, &o->family, &o->ip,
				 &o->table };

	if (!eq) {
		fprintf(stderr, "nfban: doctor: '%s' is not KEY=VALUE (see nfban doctor --help)\n", arg);
		return 2;
	}
	for (int i = 0; key_names[i]; i++)
		if (strlen(key_names[i]) == (size_t)(eq - arg) && strncmp(arg, key_names[i], (size_t)(eq - arg)) == 0) {
			if (*slots[i])
				return bad(key_names[i], eq + 1, "key given twice");
			*slots[i] = eq + 1;
			return 0;
		}
	fprintf(stderr, "nfban: doctor: %.*s='%s': unknown key (known: name port protocol chain "
		"family table ip)\n", (int)(eq - arg), arg, eq + 1);
	return 2;
}

/* An option at argv[*i]: 0 taken, 1 --help, 2 bad. */
static int parse_option(struct opts *o, int argc, char *argv[], int *i)
{
	const char *a = argv[*i];

	if (strcmp(a, "--plugin-dir") == 0 && *i + 1 < argc)
		o->plugin_dir = argv[++*i];
	else if (strcmp(a, "--socket") == 0 && *i + 1 < argc)
		o->socket = argv[++*i];
	else if (strncmp(a, "--socket=", 9) == 0)
		o->socket = a + 9;
	else if (strcmp(a, "--json") == 0)
		o->json = 1;
	else if (strcmp(a, "--no-probe") == 0)
		o->no_probe = 1;
	else if (strcmp(a, "--no-fail2ban") == 0)
		o->no_fail2ban = 1;
	else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
		return 1;
	else {
		fprintf(stderr, "nfban: doctor: unknown option '%s' (see nfban doctor --help)\n", a);
		return 2;
	}
	return 0;
}

static int parse_args(struct opts *o, int argc, char *argv[])
{
	int keys_only = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (!keys_only && strcmp(argv[i], "--") == 0) {
			keys_only = 1;
		} else if (!keys_only && argv[i][0] == '-') {
			if ((rc = parse_option(o, argc, argv, &i)))
				return rc;
		} else if (strcmp(argv[i], "probe") == 0 && !o->probe) {
			o->probe = 1;
		} else if (parse_key(o, argv[i])) {
			return 2;
		}
	}
	return 0;
}

static int check_values(struct opts *o)
{
	char why[256];
	struct nfban_report r;

	if (o->name && !value_jail_name_ok(o->name))
		return bad("name", o->name, "not a jail name");
	if (o->chain && !value_xt_chain_ok(o->chain))
		return bad("chain", o->chain, "not a chain name");
	if (o->table && !value_nft_name_ok(o->table))
		return bad("table", o->table, "not an nft table name");
	if (o->family && strcmp(o->family, "inet4") != 0 && strcmp(o->family, "inet6") != 0)
		return bad("family", o->family, "inet4 or inet6");
	if (o->family)
		o->want4 = strcmp(o->family, "inet4") == 0, o->want6 = !o->want4;
	if (o->ip) {
		if (value_parse_addr(o->ip, &o->addr, why, sizeof(why)) < 0)
			return bad("ip", o->ip, why);
		value_addr_unmap(&o->addr);
		if (!o->family)
			o->want4 = o->addr.family == NFBAN_INET4, o->want6 = !o->want4;
	}
	if (!o->port && !o->protocol)
		return 0;
	memset(&r, 0, sizeof(r));
	if (value_match_keys(o->protocol ? o->protocol : "tcp", o->port ? o->port : "ssh", &o->protos,
			     &r) != NFBAN_OK) {
		fprintf(stderr, "nfban: doctor: %s\n", r.reason);
		return 2;
	}
	o->have_ports = 1;
	return 0;
}

static int doctor(const struct opts *o)
{
	struct model m;
	int rc;

	if (!o->no_probe)
		check_capabilities(o);
	model_collect(&m, o);
	check_reads(&m);
	check_backends(&m);
	check_jails(&m);
	check_ip(&m);
	check_fallback_state(&m);
	check_fail2ban(&m);
	rc = findings_print(o->json);
	model_free(&m);
	return rc;
}

int main(int argc, char *argv[])
{
	struct opts o = { .want4 = 1, .want6 = 1 };
	int rc = parse_args(&o, argc, argv);

	if (rc == 1) {
		fputs(usage, stdout);
		return 0;
	}
	if (rc || (rc = check_values(&o)))
		return rc;
	return o.probe ? probe_main(&o) : doctor(&o);
}
