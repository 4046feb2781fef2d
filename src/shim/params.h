/*
 * params.h - Fail2ban's key=value arguments, parsed and validated into the
 * typed struct nfban_params of the plugin ABI.
 *
 * Parsing never touches the kernel.  On error it fills `err` with one line
 * naming the key and the value ("port='ssh,nope': unknown service 'nope'
 * (not in /etc/services)") and returns -1.
 */
#ifndef NFBAN_SHIM_PARAMS_H
#define NFBAN_SHIM_PARAMS_H

#include <stddef.h>
#include "nfban.h"

#define SHIM_ERR_MAX 512
#define SHIM_FALLBACK_MAX 4
#define SHIM_PLUGIN_NAME_MAX 32

enum shim_op {
	SHIM_OP_START,
	SHIM_OP_STOP,
	SHIM_OP_CHECK,
	SHIM_OP_BAN,
	SHIM_OP_UNBAN,
	SHIM_OP_FLUSH,
	SHIM_OP_COUNT
};

/* What the shim needs besides the plugin's parameters. */
struct shim_request {
	enum shim_op op;
	struct nfban_params params;
	/* `fallback=`: plugins tried in order when the kernel lacks a feature. */
	unsigned n_fallback;
	char fallback[SHIM_FALLBACK_MAX][SHIM_PLUGIN_NAME_MAX];
};

/* What the parser must know of the plugin. */
struct shim_dialect {
	enum nfban_dialect dialect;
	uint32_t uses;                  /* NFBAN_USES_* of the plugin */
	const char *default_fallback;   /* comma list used when `fallback=` is absent */
};

int shim_op_from_name(const char *name, enum shim_op *op);
const char *shim_op_name(enum shim_op op);

/* `fallback=` when the action file gives none: multiport -> perport,nftables;
 * allports, perport -> nftables; others none. */
const char *shim_default_fallback(const char *action);

/* Plugin names: [a-z0-9_-], 1..SHIM_PLUGIN_NAME_MAX-1 chars. */
int shim_plugin_name_ok(const char *name);

/*
 * Parse argv[0..argc) (each "key=value") for operation `op` into `req`.
 * Returns 0, or -1 with a one-line message in err.
 */
int shim_parse(const struct shim_dialect *d, enum shim_op op, int argc, char *const argv[],
	       struct shim_request *req, char *err, size_t errlen);

/* Pieces, exposed for the unit tests and for the fallback translation. */
int shim_parse_ports(const char *value, struct nfban_params *p, int uses_ports, char *why, size_t n);
int shim_parse_protocols(const char *value, struct nfban_params *p, int uses_ports, char *why, size_t n);
int shim_parse_addr(const char *value, struct nfban_addr *a, char *why, size_t n);
int shim_parse_xt_verdict(const char *value, enum nfban_family fam, int is_block,
			  struct nfban_xt_verdict *v, char *why, size_t n);
int shim_parse_nft_verdict(const char *value, struct nfban_nft_verdict *v, char *why, size_t n);
int shim_parse_nft_priority(const char *value, int32_t *prio, char *why, size_t n);
int shim_parse_nft_hook(const char *value, uint32_t *hook, char *why, size_t n);

/* Text for a verdict / address, as iptables or nft would print it. */
const char *shim_xt_reject_name(enum nfban_family fam, int with);
void shim_addr_str(const struct nfban_addr *a, char *buf, size_t n);

#endif
