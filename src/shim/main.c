// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - nfban [--plugin-dir DIR] ACTION OPERATION [KEY=VALUE ...]
 *
 * The command Fail2ban's action files run: a thin host of libnfban (nfban.h),
 * which checks every argument before anything reaches the kernel, loads the
 * plugin named by ACTION and runs the operation (with fallback).  The
 * command owns every word of output and the exit status:
 *   0  done
 *   1  the kernel or the system said no, or `check` found rules missing
 *   2  bad usage or bad input; the kernel was not touched
 * It never runs a shell or another program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfban.h"
#include "nfban_plugin.h"
#include "doctor_exec.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define MAX_KEYS 64

/* The keys and defaults below are the plugins' tables: tools/check_actions fails the build's
 * checks when they differ (a section per group of plugins, each key's default in parentheses;
 * "a, b: X; c: Y" where plugins differ, ", inet6: W" where the inet6 default ends in W). */
static const char usage[] =
	"usage: nfban [--plugin-dir DIR] ACTION OPERATION [KEY=VALUE ...]\n"
	"       nfban [--plugin-dir DIR] doctor [--json] [KEY=VALUE ...]\n"
	"       nfban --help | --version\n"
	"\n"
	"Native netfilter ban actions for Fail2ban.  ACTION is a plugin:\n"
	"  multiport  iptables: one multiport jump per protocol (stock iptables-multiport)\n"
	"  allports   iptables: one jump per protocol, every port (stock iptables-allports)\n"
	"  perport    iptables: one jump per port and protocol, no multiport match needed\n"
	"  ipset      iptables + ipset: a hash:ip set, multiport jumps (stock iptables-ipset-proto6)\n"
	"  ipset-allports  the same, every port (stock iptables-ipset-proto6-allports)\n"
	"  nftables   nftables: a set per jail and family (stock nftables)\n"
	"OPERATION is Fail2ban's: start stop check ban unban flush; or start+ban\n"
	"(start and ban ip= in one kernel transaction).\n"
	"\n"
	"Keys (Fail2ban's tags; defaults, in parentheses, the plugins' own: the stock actions'):\n"
	"  name=JAIL           jail name (default)\n"
	"  family=inet4|inet6  address family of this call (from ip=, else inet4)\n"
	"  ip=ADDR[/LEN]       address or network to ban/unban (ban, unban, start+ban)\n"
	"  special_addresses=refuse|allow  ban prefix 0, loopback, multicast... too (refuse)\n"
	"  kill_sessions=jail|none  a ban ends the address's sessions on the jail's ports (jail)\n"
	"  port=LIST           ports, service names and ranges a:b, comma separated (ssh)\n"
	"  protocol=LIST       tcp, udp, sctp, dccp; allports takes any, and all (tcp)\n"
	" multiport, allports, perport, ipset, ipset-allports (iptables):\n"
	"  chain=CHAIN         chain the jumps go into (INPUT)\n"
	"  blocktype=TARGET    DROP | REJECT [--reject-with TYPE] | ACCEPT | RETURN | user chain\n"
	"                      (REJECT --reject-with icmp-port-unreachable, inet6: icmp6-port-unreachable)\n"
	"  returntype=TARGET   end of chain f2b-JAIL (RETURN)\n"
	"  backend=auto|legacy|nft  legacy tables or nf_tables; auto: where `iptables` writes (auto)\n"
	"  lock_wait=SECONDS   how long to wait for the xtables lock (20)\n"
	"  fallback=LIST       plugins to use when the kernel lacks what this one needs\n"
	"                      (multiport: perport,nftables; allports, perport, ipset,\n"
	"                      ipset-allports: nftables)\n"
	" ipset, ipset-allports:\n"
	"  ipsettime=SECONDS   each ban's timeout in the set, 0 to 2147483; 0: until unbanned (0)\n"
	"  default-ipsettime=SECONDS  the set's own default timeout (0)\n"
	"  maxelem=N           the set's size when created; a full set grows (65536)\n"
	" nftables:\n"
	"  type=multiport|allports (multiport)   table=NAME (f2b-table)\n"
	"  table_family=inet|ip|ip6 (inet)       chain=NAME (f2b-chain)\n"
	"  chain_type=filter|route|nat (filter)  chain_hook=HOOK (input)\n"
	"  chain_priority=N (-1)                 blocktype=drop | reject [with ...] (reject)\n"
	"\n"
	"Plugins are loaded from DIR, $NFBAN_PLUGIN_DIR, or " NFBAN_PLUGIN_DIR ".\n"
	"doctor: why a ban does not take effect, what this kernel can do (reads only).\n"
	"Exit status: 0 done, 1 kernel or system error (or check: rules missing), 2 bad input.\n"
	"See nfban(8).\n";

/* Everything nfban says: one line each, on stderr. */
static void say(const char *line)
{
	fprintf(stderr, "nfban: %s\n", line);
}

static int exit_status(const struct nfban_result *res)
{
	switch (res->status) {
	case NFBAN_DONE: return EXIT_SUCCESS;
	case NFBAN_BAD_INPUT: return EXIT_USAGE;
	default: return EXIT_FAILED;
	}
}

static int report(const struct nfban_result *res)
{
	if (res->notice[0])
		say(res->notice);
	if (res->message[0])
		say(res->message);
	return exit_status(res);
}

int main(int argc, char *argv[])
{
	const char *dir = NULL, *family = NULL, *ip = NULL, *keys[MAX_KEYS];
	struct nfban_result res;
	struct nfban_jail *j;
	int i = 1, n = 0, rc;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("nfban %s (plugin ABI %u)\n", nfban_version(), NFBAN_ABI_VERSION);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--plugin-dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strncmp(argv[i], "--plugin-dir=", 13) == 0) {
			dir = argv[i] + 13;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			fprintf(stderr, "nfban: unknown option '%s' (see nfban --help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	/* The doctor is a program of its own (nothing of it on the ban path). */
	if (i < argc && strcmp(argv[i], "doctor") == 0)
		return doctor_exec(dir, argc - i - 1, argv + i + 1);
	if (argc - i < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	/* ip= and family= belong to the call, every other key to the jail. */
	for (int a = i + 2; a < argc; a++) {
		const char **slot = strncmp(argv[a], "ip=", 3) == 0 ? &ip
				  : strncmp(argv[a], "family=", 7) == 0 ? &family : NULL;

		if (slot && *slot) {
			fprintf(stderr, "nfban: %.*s='%s': key given twice\n",
				(int)(strchr(argv[a], '=') - argv[a]), argv[a], strchr(argv[a], '=') + 1);
			return EXIT_USAGE;
		}
		if (slot)
			*slot = strchr(argv[a], '=') + 1;
		else if (n == MAX_KEYS) {
			fprintf(stderr, "nfban: more than %d keys\n", MAX_KEYS);
			return EXIT_USAGE;
		} else
			keys[n++] = argv[a];
	}
	j = nfban_jail_open(dir, argv[i], n, keys, &res);
	if (!j)
		return report(&res);
	nfban_jail_run(j, argv[i + 1], family, ip, &res);
	rc = report(&res);
	nfban_jail_close(j);
	return rc;
}
