// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - nfban-doctor [--plugin-dir DIR] [--json] [--socket PATH]
 *          [--no-probe] [--no-fail2ban] [KEY=VALUE ...]
 *
 * Run as `nfban doctor ...` (the shim execs this program).  It reads, never
 * writes: why a ban does not take effect, and what this kernel can do.  One
 * line per finding (ok / warn / FAIL, and what to do), or one JSON document;
 * exit 0 when nothing fails, 1 when something does, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

static const char usage[] =
	"usage: nfban [--plugin-dir DIR] doctor [--json] [--socket PATH] [--no-probe]\n"
	"                                       [--no-fail2ban] [KEY=VALUE ...]\n"
	"Reads the kernel's rulesets, the fallback state and Fail2ban; changes nothing.\n"
	"Keys narrow the check: name= port= protocol= chain= family= table= ip=.\n"
	"--socket PATH    Fail2ban's socket (default: fail2ban-client's, when it exists)\n"
	"--no-probe       skip the kernel capability probes (scratch network namespace)\n"
	"--no-fail2ban    do not ask fail2ban-client\n"
	"Exit status: 0 nothing FAILs, 1 something does, 2 bad usage.  See nfban(8).\n";

static int bad(const char *key, const char *value, const char *why)
{
	fprintf(stderr, "nfban: doctor: %s='%s': %s\n", key, value, why);
	return 2;
}

static int parse_key(struct opts *o, const char *arg)
{
	static const char *const names[] = { "name", "port", "protocol", "chain", "family", "ip",
					     "table", NULL };
	const char *eq = strchr(arg, '=');
	const char **slots[] = { &o->name, &o->port, &o->protocol, &o->chain, &o->family, &o->ip,
				 &o->table };

	if (!eq) {
		fprintf(stderr, "nfban: doctor: '%s' is not KEY=VALUE (see nfban doctor --help)\n", arg);
		return 2;
	}
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == (size_t)(eq - arg) && strncmp(arg, names[i], (size_t)(eq - arg)) == 0) {
			if (*slots[i])
				return bad(names[i], eq + 1, "key given twice");
			*slots[i] = eq + 1;
			return 0;
		}
	/* Fail2ban's other tags (blocktype, backend...) do not narrow anything. */
	return 0;
}

int main(int argc, char *argv[])
{
	struct opts o = { .want4 = 1, .want6 = 1 };
	struct xsave x[4];
	struct nruleset n;
	struct kbans kb = { 0 };
	char why[256];
	int i = 1, rc;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--plugin-dir") == 0 && i + 1 < argc)
			o.plugin_dir = argv[++i];
		else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc)
			o.socket = argv[++i];
		else if (strncmp(argv[i], "--socket=", 9) == 0)
			o.socket = argv[i] + 9;
		else if (strcmp(argv[i], "--json") == 0)
			o.json = 1;
		else if (strcmp(argv[i], "--no-probe") == 0)
			o.no_probe = 1;
		else if (strcmp(argv[i], "--no-fail2ban") == 0)
			o.no_fail2ban = 1;
		else if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "nfban: doctor: unknown option '%s' (see nfban doctor --help)\n", argv[i]);
			return 2;
		}
	}
	for (; i < argc; i++)
		if (parse_key(&o, argv[i]))
			return 2;
	if (o.name && !value_jail_name_ok(o.name))
		return bad("name", o.name, "not a jail name");
	if (o.chain && !value_xt_chain_ok(o.chain))
		return bad("chain", o.chain, "not a chain name");
	if (o.family) {
		if (strcmp(o.family, "inet4") == 0)
			o.want6 = 0;
		else if (strcmp(o.family, "inet6") == 0)
			o.want4 = 0;
		else
			return bad("family", o.family, "inet4 or inet6");
	}
	if (o.ip) {
		if (value_parse_addr(o.ip, &o.addr, why, sizeof(why)) < 0)
			return bad("ip", o.ip, why);
		value_addr_unmap(&o.addr);
		if (!o.family) {
			o.want4 = o.addr.family == NFBAN_INET4;
			o.want6 = !o.want4;
		}
	}
	if (o.port || o.protocol) {
		struct nfban_report r;

		memset(&r, 0, sizeof(r));
		if (value_match_keys(o.protocol ? o.protocol : "tcp", o.port ? o.port : "ssh", &o.protos,
				     &r) != NFBAN_OK) {
			fprintf(stderr, "nfban: doctor: %s\n", r.reason);
			return 2;
		}
		o.have_ports = 1;
	}

	if (!o.no_probe)
		check_capabilities(&o);
	xsave_load(&x[0], "legacy", "inet4");
	xsave_load(&x[1], "legacy", "inet6");
	xsave_load(&x[2], "nft", "inet4");
	xsave_load(&x[3], "nft", "inet6");
	nruleset_load(&n);
	if (!n.present)
		finding(SEV_WARN, "backend.read", &(struct where){ NULL, "nftables", NULL }, NULL, NULL,
			NULL, "install nftables to read the nftables plugin's sets",
			"cannot read the nftables ruleset: %s", n.why);
	check_backends(&o, x);
	check_ipt_jails(&o, x, &n, &kb);
	check_nft_jails(&o, &n, x, &kb);
	if (o.name && !kb.n_jails) {
		char todo[300];

		snprintf(todo, sizeof(todo), "start the jail (fail2ban-client start %s); check name= "
			 "is the action's name", o.name);
		finding(SEV_FAIL, "jail.chain", &(struct where){ o.name, NULL, NULL }, NULL, NULL, o.ip,
			todo, "no jail %s in the kernel: no chain f2b-%s in either iptables backend, no "
			"set addr-set-%s in the nftables table", o.name, o.name, o.name);
	}
	check_ip(&o, &kb);
	check_fallback_state(&o, &kb);
	check_fail2ban(&o, &kb);
	rc = findings_print(o.json);
	for (int k = 0; k < 4; k++)
		xsave_free(&x[k]);
	nruleset_free(&n);
	free(kb.v);
	free(kb.jails);
	return rc;
}
