/*
 * params.c - the keys Fail2ban passes, their defaults, and the checks that
 * tie them together (family against address, reject type against protocol).
 *
 * Keys are Fail2ban's own tag names with the stock actions' defaults
 * (action.d/iptables.conf, action.d/nftables.conf).
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "params.h"

#define XT (1u << NFBAN_DIALECT_XT)
#define NFT (1u << NFBAN_DIALECT_NFT)

enum key {
	K_NAME, K_FAMILY, K_IP, K_PORT, K_PROTOCOL, K_CHAIN, K_BLOCKTYPE,
	K_RETURNTYPE, K_FALLBACK, K_BACKEND,
	K_TYPE, K_TABLE, K_TABLE_FAMILY, K_CHAIN_TYPE, K_CHAIN_HOOK, K_CHAIN_PRIORITY,
	K_COUNT
};

static const struct {
	const char *name;
	unsigned dialects;
} keys[K_COUNT] = {
	[K_NAME] = { "name", XT | NFT },
	[K_FAMILY] = { "family", XT | NFT },
	[K_IP] = { "ip", XT | NFT },
	[K_PORT] = { "port", XT | NFT },
	[K_PROTOCOL] = { "protocol", XT | NFT },
	[K_CHAIN] = { "chain", XT | NFT },
	[K_BLOCKTYPE] = { "blocktype", XT | NFT },
	[K_RETURNTYPE] = { "returntype", XT },
	[K_FALLBACK] = { "fallback", XT },
	[K_BACKEND] = { "backend", XT },
	[K_TYPE] = { "type", NFT },
	[K_TABLE] = { "table", NFT },
	[K_TABLE_FAMILY] = { "table_family", NFT },
	[K_CHAIN_TYPE] = { "chain_type", NFT },
	[K_CHAIN_HOOK] = { "chain_hook", NFT },
	[K_CHAIN_PRIORITY] = { "chain_priority", NFT },
};

static const char *const op_names[SHIM_OP_COUNT] = {
	[SHIM_OP_START] = "start", [SHIM_OP_STOP] = "stop", [SHIM_OP_CHECK] = "check",
	[SHIM_OP_BAN] = "ban", [SHIM_OP_UNBAN] = "unban", [SHIM_OP_FLUSH] = "flush",
};

int shim_op_from_name(const char *name, enum shim_op *op)
{
	for (int i = 0; i < SHIM_OP_COUNT; i++)
		if (strcmp(op_names[i], name) == 0) {
			*op = (enum shim_op)i;
			return 0;
		}
	return -1;
}

const char *shim_op_name(enum shim_op op)
{
	return op < SHIM_OP_COUNT ? op_names[op] : "?";
}

const char *shim_default_fallback(const char *action)
{
	if (strcmp(action, "multiport") == 0)
		return "perport,nftables";
	if (strcmp(action, "perport") == 0 || strcmp(action, "allports") == 0)
		return "nftables";
	return "";
}

int shim_plugin_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= SHIM_PLUGIN_NAME_MAX)
		return 0;
	for (; *name; name++)
		if (!islower((unsigned char)*name) && !isdigit((unsigned char)*name) &&
		    *name != '_' && *name != '-')
			return 0;
	return 1;
}

/* Jail names end up in chain and set names: keep to what iptables and the
 * nft command line both take without quoting. */
static int jail_name_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* nft identifiers: a letter or '_', then letters, digits, '/', '-', '_', '.'. */
static int nft_ident_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/-_.", *s))
			return 0;
	return 1;
}

static int set_name(char *dst, size_t n, const char *v, int (*ok)(const char *), char *why, size_t wn)
{
	if (strlen(v) >= n) {
		snprintf(why, wn, "longer than %zu characters", n - 1);
		return -1;
	}
	if (!ok(v)) {
		snprintf(why, wn, "not a valid name");
		return -1;
	}
	snprintf(dst, n, "%s", v);
	return 0;
}

static int xt_chain_ok(const char *s)
{
	if (!*s || *s == '-' || *s == '!')
		return 0;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return 0;
	return 1;
}

static int parse_fallback(const char *v, struct shim_request *req, char *why, size_t n)
{
	const char *s = v;

	req->n_fallback = 0;
	while (*s) {
		const char *comma = strchr(s, ','), *e = comma ? comma : s + strlen(s);
		size_t len;
		char *dst;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		len = (size_t)(e - s);
		if (req->n_fallback == SHIM_FALLBACK_MAX) {
			snprintf(why, n, "more than %d plugins", SHIM_FALLBACK_MAX);
			return -1;
		}
		if (len == 0 || len >= SHIM_PLUGIN_NAME_MAX) {
			snprintf(why, n, "empty or overlong plugin name in list");
			return -1;
		}
		dst = req->fallback[req->n_fallback];
		memcpy(dst, s, len);
		dst[len] = '\0';
		if (!shim_plugin_name_ok(dst)) {
			snprintf(why, n, "'%s' is not a plugin name", dst);
			return -1;
		}
		req->n_fallback++;
		if (!comma)
			break;
		s = comma + 1;
	}
	return 0;
}

static int only_tcp(const struct nfban_params *p)
{
	for (unsigned i = 0; i < p->n_protos; i++)
		if (p->protos[i].number != IPPROTO_TCP)
			return 0;
	return p->n_protos > 0;
}

/* The xt fields: chain, blocktype, returntype. */
static int parse_xt(const char *const val[], struct nfban_params *p, int *bad, char *why, size_t n)
{
	const char *block = val[K_BLOCKTYPE];

	*bad = K_CHAIN;
	if (strlen(val[K_CHAIN]) >= sizeof(p->xt.chain)) {
		snprintf(why, n, "longer than %zu characters", sizeof(p->xt.chain) - 1);
		return -1;
	}
	if (!xt_chain_ok(val[K_CHAIN])) {
		snprintf(why, n, "not a valid chain name");
		return -1;
	}
	snprintf(p->xt.chain, sizeof(p->xt.chain), "%s", val[K_CHAIN]);
	*bad = K_BLOCKTYPE;
	if (!block)
		block = p->family == NFBAN_INET6 ? "REJECT --reject-with icmp6-port-unreachable"
						 : "REJECT --reject-with icmp-port-unreachable";
	if (shim_parse_xt_verdict(block, p->family, 1, &p->xt.block, why, n) < 0)
		return -1;
	if (p->xt.block.kind == NFBAN_XT_REJECT &&
	    p->xt.block.reject_with == (p->family == NFBAN_INET6 ? IP6T_TCP_RESET : IPT_TCP_RESET) &&
	    !only_tcp(p)) {
		/* The kernel's REJECT refuses tcp-reset on a rule that may match non-TCP. */
		snprintf(why, n, "tcp-reset needs protocol=tcp");
		return -1;
	}
	*bad = K_BACKEND;
	if (strcmp(val[K_BACKEND], "auto") == 0)
		p->xt.backend = NFBAN_XT_BACKEND_AUTO;
	else if (strcmp(val[K_BACKEND], "legacy") == 0)
		p->xt.backend = NFBAN_XT_BACKEND_LEGACY;
	else if (strcmp(val[K_BACKEND], "nft") == 0)
		p->xt.backend = NFBAN_XT_BACKEND_NFT;
	else {
		snprintf(why, n, "not auto, legacy or nft");
		return -1;
	}
	*bad = K_RETURNTYPE;
	return shim_parse_xt_verdict(val[K_RETURNTYPE], p->family, 0, &p->xt.ret, why, n);
}

/* The nft fields: type, table, table_family, chain, chain_type, hook, priority, blocktype. */
static int parse_nft(const char *const val[], struct nfban_params *p, int *bad, char *why, size_t n)
{
	struct nfban_nft_params *t = &p->nft;
	const char *tf = val[K_TABLE_FAMILY], *ct = val[K_CHAIN_TYPE];

	*bad = K_TYPE;
	if (strcmp(val[K_TYPE], "multiport") == 0)
		t->type = NFBAN_NFT_MULTIPORT;
	else if (strcmp(val[K_TYPE], "allports") == 0)
		t->type = NFBAN_NFT_ALLPORTS;
	else {
		snprintf(why, n, "not multiport or allports");
		return -1;
	}
	*bad = K_TABLE;
	if (set_name(t->table, sizeof(t->table), val[K_TABLE], nft_ident_ok, why, n) < 0)
		return -1;
	*bad = K_CHAIN;
	if (set_name(t->chain, sizeof(t->chain), val[K_CHAIN], nft_ident_ok, why, n) < 0)
		return -1;
	*bad = K_TABLE_FAMILY;
	if (strcmp(tf, "inet") == 0)
		t->table_family = NFPROTO_INET;
	else if (strcmp(tf, "ip") == 0 && p->family == NFBAN_INET4)
		t->table_family = NFPROTO_IPV4;
	else if (strcmp(tf, "ip6") == 0 && p->family == NFBAN_INET6)
		t->table_family = NFPROTO_IPV6;
	else {
		snprintf(why, n, "must be inet, or ip with family=inet4, or ip6 with family=inet6");
		return -1;
	}
	*bad = K_CHAIN_TYPE;
	if (strcmp(ct, "filter") && strcmp(ct, "route") && strcmp(ct, "nat")) {
		snprintf(why, n, "not filter, route or nat");
		return -1;
	}
	snprintf(t->chain_type, sizeof(t->chain_type), "%s", ct);
	*bad = K_CHAIN_HOOK;
	if (shim_parse_nft_hook(val[K_CHAIN_HOOK], &t->chain_hook, why, n) < 0)
		return -1;
	*bad = K_CHAIN_PRIORITY;
	if (shim_parse_nft_priority(val[K_CHAIN_PRIORITY], &t->chain_priority, why, n) < 0)
		return -1;
	*bad = K_BLOCKTYPE;
	if (shim_parse_nft_verdict(val[K_BLOCKTYPE], &t->block, why, n) < 0)
		return -1;
	if (t->block.kind == NFBAN_NFT_REJECT) {
		enum nfban_nft_reject_type rt = t->block.reject_type;

		if (rt == NFBAN_NFT_REJECT_ICMP && p->family != NFBAN_INET4) {
			snprintf(why, n, "icmp reject types are IPv4 only (family=inet6 wants icmpv6 or icmpx)");
			return -1;
		}
		if (rt == NFBAN_NFT_REJECT_ICMPV6 && p->family != NFBAN_INET6) {
			snprintf(why, n, "icmpv6 reject types are IPv6 only (family=inet4 wants icmp or icmpx)");
			return -1;
		}
		if (rt == NFBAN_NFT_REJECT_TCP_RESET && !only_tcp(p)) {
			snprintf(why, n, "tcp reset needs protocol=tcp");
			return -1;
		}
	}
	return 0;
}

static void fail(char *err, size_t errlen, int key, const char *value, const char *why)
{
	snprintf(err, errlen, "%s='%s': %s", keys[key].name, value ? value : "", why);
}

int shim_parse(const struct shim_dialect *d, enum shim_op op, int argc, char *const argv[],
	       struct shim_request *req, char *err, size_t errlen)
{
	const char *val[K_COUNT] = { 0 };
	struct nfban_params *p = &req->params;
	unsigned mask = 1u << d->dialect;
	int uses_ports = (d->uses & NFBAN_USES_PORTS) != 0;
	char why[SHIM_ERR_MAX];
	int bad;

	memset(req, 0, sizeof(*req));
	req->op = op;
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int k;

		if (!eq || eq == argv[i]) {
			snprintf(err, errlen, "'%s': arguments are KEY=VALUE", argv[i]);
			return -1;
		}
		for (k = 0; k < K_COUNT; k++)
			if ((keys[k].dialects & mask) && strlen(keys[k].name) == (size_t)(eq - argv[i]) &&
			    strncmp(keys[k].name, argv[i], (size_t)(eq - argv[i])) == 0)
				break;
		if (k == K_COUNT) {
			snprintf(err, errlen, "%.*s='%s': unknown key for this action", (int)(eq - argv[i]),
				 argv[i], eq + 1);
			return -1;
		}
		if (val[k]) {
			fail(err, errlen, k, eq + 1, "key given twice");
			return -1;
		}
		val[k] = eq + 1;
	}

	/* Stock defaults; blocktype's depends on the family, so it comes later. */
	if (!val[K_NAME]) val[K_NAME] = "default";
	if (!val[K_PORT]) val[K_PORT] = "ssh";
	if (!val[K_PROTOCOL]) val[K_PROTOCOL] = "tcp";
	if (!val[K_RETURNTYPE]) val[K_RETURNTYPE] = "RETURN";
	if (!val[K_BACKEND]) val[K_BACKEND] = "auto";
	if (!val[K_FALLBACK]) val[K_FALLBACK] = d->default_fallback ? d->default_fallback : "";
	if (!val[K_TYPE]) val[K_TYPE] = "multiport";
	if (!val[K_TABLE]) val[K_TABLE] = "f2b-table";
	if (!val[K_TABLE_FAMILY]) val[K_TABLE_FAMILY] = "inet";
	if (!val[K_CHAIN_TYPE]) val[K_CHAIN_TYPE] = "filter";
	if (!val[K_CHAIN_HOOK]) val[K_CHAIN_HOOK] = "input";
	if (!val[K_CHAIN_PRIORITY]) val[K_CHAIN_PRIORITY] = "-1";
	if (!val[K_CHAIN]) val[K_CHAIN] = d->dialect == NFBAN_DIALECT_NFT ? "f2b-chain" : "INPUT";
	if (!val[K_BLOCKTYPE] && d->dialect == NFBAN_DIALECT_NFT) val[K_BLOCKTYPE] = "reject";

	/* ip first: without family=, the address decides it. */
	if (val[K_IP]) {
		if (shim_parse_addr(val[K_IP], &p->addr, why, sizeof(why)) < 0) {
			fail(err, errlen, K_IP, val[K_IP], why);
			return -1;
		}
		p->has_addr = op == SHIM_OP_BAN || op == SHIM_OP_UNBAN;
	} else if (op == SHIM_OP_BAN || op == SHIM_OP_UNBAN) {
		snprintf(err, errlen, "ip='': %s needs the address to %s", shim_op_name(op), shim_op_name(op));
		return -1;
	}
	if (!val[K_FAMILY])
		p->family = val[K_IP] ? p->addr.family : NFBAN_INET4;
	else if (strcmp(val[K_FAMILY], "inet4") == 0)
		p->family = NFBAN_INET4;
	else if (strcmp(val[K_FAMILY], "inet6") == 0)
		p->family = NFBAN_INET6;
	else {
		fail(err, errlen, K_FAMILY, val[K_FAMILY], "not inet4 or inet6");
		return -1;
	}
	if (val[K_IP] && p->addr.family != p->family) {
		fail(err, errlen, K_IP, val[K_IP],
		     p->family == NFBAN_INET6 ? "an IPv4 address with family=inet6"
					      : "an IPv6 address with family=inet4");
		return -1;
	}

	if (strlen(val[K_NAME]) >= sizeof(p->name) || !jail_name_ok(val[K_NAME])) {
		fail(err, errlen, K_NAME, val[K_NAME], "a jail name is 1 to 63 of A-Z a-z 0-9 _ - .");
		return -1;
	}
	/* iptables chain names hold 28 characters: f2b- plus 24. */
	if (d->dialect == NFBAN_DIALECT_XT && strlen(val[K_NAME]) + 4 >= NFBAN_XT_CHAIN_MAX) {
		fail(err, errlen, K_NAME, val[K_NAME], "chain f2b-<name> would be longer than 28 characters");
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", val[K_NAME]);

	/* nftables' allports type matches protocols, not ports. */
	if (d->dialect == NFBAN_DIALECT_NFT && strcmp(val[K_TYPE], "allports") == 0)
		uses_ports = 0;
	if (shim_parse_protocols(val[K_PROTOCOL], p, uses_ports, why, sizeof(why)) < 0) {
		fail(err, errlen, K_PROTOCOL, val[K_PROTOCOL], why);
		return -1;
	}
	if (shim_parse_ports(val[K_PORT], p, uses_ports, why, sizeof(why)) < 0) {
		fail(err, errlen, K_PORT, val[K_PORT], why);
		return -1;
	}
	if (d->dialect == NFBAN_DIALECT_XT) {
		if (parse_xt(val, p, &bad, why, sizeof(why)) < 0) {
			fail(err, errlen, bad, val[bad], why);
			return -1;
		}
		if (parse_fallback(val[K_FALLBACK], req, why, sizeof(why)) < 0) {
			fail(err, errlen, K_FALLBACK, val[K_FALLBACK], why);
			return -1;
		}
	} else if (parse_nft(val, p, &bad, why, sizeof(why)) < 0) {
		fail(err, errlen, bad, val[bad], why);
		return -1;
	}
	return 0;
}
