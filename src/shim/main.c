/*
 * main.c - nfban [--plugin-dir DIR] ACTION OPERATION [KEY=VALUE ...]
 *
 * The command Fail2ban's action files run.  It parses and validates every
 * argument before anything reaches the kernel, loads the plugin named by
 * ACTION, runs the operation (with fallback, see fallback.h) and owns every
 * word of output and the exit status:
 *   0  done
 *   1  the kernel or the system said no, or `check` found rules missing
 *   2  bad usage or bad input; the kernel was not touched
 * It never runs a shell or another program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fallback.h"
#include "loader.h"
#include "log.h"
#include "params.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char usage[] =
	"usage: nfban [--plugin-dir DIR] ACTION OPERATION [KEY=VALUE ...]\n"
	"       nfban --help | --version\n"
	"\n"
	"Native netfilter ban actions for Fail2ban.  ACTION is a plugin:\n"
	"  multiport  iptables: one multiport jump per protocol (stock iptables-multiport)\n"
	"  allports   iptables: one jump per protocol, every port (stock iptables-allports)\n"
	"  perport    iptables: one jump per port and protocol, no multiport match needed\n"
	"  nftables   nftables: a set per jail and family (stock nftables)\n"
	"OPERATION is Fail2ban's: start stop check ban unban flush.\n"
	"\n"
	"Keys (Fail2ban's tags; defaults as in the stock actions):\n"
	"  name=JAIL           jail name (default)\n"
	"  family=inet4|inet6  address family of this call (from ip=, else inet4)\n"
	"  ip=ADDR[/LEN]       address or network to ban/unban (ban, unban)\n"
	"  port=LIST           ports, service names and ranges a:b, comma separated (ssh)\n"
	"  protocol=LIST       tcp, udp, sctp, dccp; allports takes any, and all (tcp)\n"
	" iptables plugins:\n"
	"  chain=CHAIN         chain the jumps go into (INPUT)\n"
	"  blocktype=TARGET    DROP | REJECT [--reject-with TYPE] | ACCEPT | RETURN | user chain\n"
	"                      (REJECT --reject-with icmp-port-unreachable / icmp6-port-unreachable)\n"
	"  returntype=TARGET   end of chain f2b-JAIL (RETURN)\n"
	"  backend=auto|legacy|nft  legacy tables or nf_tables; auto: where `iptables` writes\n"
	"  fallback=LIST       plugins to use when the kernel lacks what this one needs\n"
	"                      (multiport: perport,nftables; allports, perport: nftables)\n"
	" nftables plugin:\n"
	"  type=multiport|allports (multiport)   table=NAME (f2b-table)\n"
	"  table_family=inet|ip|ip6 (inet)       chain=NAME (f2b-chain)\n"
	"  chain_type=filter|route|nat (filter)  chain_hook=HOOK (input)\n"
	"  chain_priority=N (-1)                 blocktype=drop | reject [with ...] (reject)\n"
	"\n"
	"Plugins are loaded from DIR, $NFBAN_PLUGIN_DIR, or " NFBAN_PLUGIN_DIR ".\n"
	"Exit status: 0 done, 1 kernel or system error (or check: rules missing), 2 bad input.\n"
	"See nfban(8).\n";

/* "jail sshd (inet4): ban 192.0.2.1" */
static void describe(const struct shim_request *req, char *buf, size_t n)
{
	char addr[64] = "";

	if (req->params.has_addr) {
		addr[0] = ' ';
		shim_addr_str(&req->params.addr, addr + 1, sizeof(addr) - 1);
	}
	snprintf(buf, n, "jail %s (%s): %s%s", req->params.name,
		 req->params.family == NFBAN_INET6 ? "inet6" : "inet4", shim_op_name(req->op), addr);
}

static int finish(const struct shim_request *req, const struct shim_result *res)
{
	const struct nfban_report *r = &res->report;
	char what[256];

	describe(req, what, sizeof(what));
	if (res->status == NFBAN_OK) {
		if (r->notice[0])
			shim_say("%s: %s: %s", res->plugin, what, r->notice);
		return EXIT_SUCCESS;
	}
	if (res->why[0])
		shim_say("%s: %s: %s", res->plugin, what, res->why);
	else
		shim_say("%s: %s: %s%s%s%s", res->plugin, what,
			 r->reason[0] ? r->reason : "failed",
			 res->status == NFBAN_NOFEATURE ? " (the kernel lacks a feature this plugin needs)" : "",
			 r->kernel_errno ? ": " : "", r->kernel_errno ? strerror(r->kernel_errno) : "");
	return res->status == NFBAN_BADPARAM ? EXIT_USAGE : EXIT_FAILED;
}

int main(int argc, char *argv[])
{
	const char *dir_opt = NULL, *dir;
	struct shim_request req;
	struct shim_dialect dialect;
	struct shim_plugin plugin;
	struct shim_result res;
	char err[SHIM_ERR_MAX];
	enum shim_op op;
	int i = 1, missing, rc;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("nfban %s (plugin ABI %u)\n", NFBAN_VERSION, NFBAN_ABI_VERSION);
			return EXIT_SUCCESS;
		} else if (strcmp(argv[i], "--plugin-dir") == 0 && i + 1 < argc) {
			dir_opt = argv[++i];
		} else if (strncmp(argv[i], "--plugin-dir=", 13) == 0) {
			dir_opt = argv[i] + 13;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			shim_say("unknown option '%s' (see nfban --help)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (argc - i < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (shim_op_from_name(argv[i + 1], &op) < 0) {
		shim_say("operation '%s': not one of start, stop, check, ban, unban, flush", argv[i + 1]);
		return EXIT_USAGE;
	}
	dir = shim_plugin_dir(dir_opt);
	if (shim_plugin_load(dir, argv[i], &plugin, &missing, err, sizeof(err)) < 0) {
		shim_say("action '%s': %s", argv[i], err);
		return missing ? EXIT_USAGE : EXIT_FAILED;
	}
	dialect.dialect = plugin.desc->dialect;
	dialect.uses = plugin.desc->uses;
	dialect.default_fallback = shim_default_fallback(argv[i]);
	if (shim_parse(&dialect, op, argc - i - 2, argv + i + 2, &req, err, sizeof(err)) < 0) {
		shim_say("%s", err);
		shim_plugin_unload(&plugin);
		return EXIT_USAGE;
	}
	shim_run(dir, &plugin, &req, &res);
	rc = finish(&req, &res);
	shim_plugin_unload(&plugin);
	return rc;
}
