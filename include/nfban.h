/*
 * nfban.h - the nfban plugin ABI.
 *
 * A plugin is a shared object exporting exactly one symbol, NFBAN_PLUGIN_SYMBOL,
 * a `const struct nfban_plugin` whose first member is the ABI version it was
 * built against.  A host (the `nfban` shim, or a long-lived process such as an
 * in-process Fail2ban action) dlopen()s the object, reads abi_version first and
 * refuses the plugin unless it equals NFBAN_ABI_VERSION: every other member,
 * and the layout of struct nfban_params, is only meaningful after that check.
 *
 * Contract for plugins:
 *   - Parameters arrive parsed and validated (struct nfban_params): a plugin
 *     never sees argv or key=value text.
 *   - A plugin never prints, never exits, never installs signal handlers or
 *     atexit hooks, and never touches stdio.  Everything it has to say goes
 *     into the struct nfban_report it is handed.
 *   - open() creates an instance; the host calls any number of operations on
 *     it, from one thread at a time, then close().  An instance holds no state
 *     that makes a second call behave differently from the first, and nothing
 *     is leaked per call: a host may run thousands of operations on one
 *     instance.  Two instances may exist at once.
 *   - Every operation is all-or-nothing towards the kernel: on any status but
 *     NFBAN_OK the kernel is left as the operation found it.
 *
 * Bump NFBAN_ABI_VERSION on any change to a struct or enum in this file.
 */
#ifndef NFBAN_H
#define NFBAN_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define NFBAN_ABI_VERSION 2u
#define NFBAN_PLUGIN_SYMBOL "nfban_plugin"

/* Sizes include the terminating NUL. */
#define NFBAN_JAIL_MAX 64        /* Fail2ban jail name */
#define NFBAN_XT_CHAIN_MAX 29    /* iptables chain/target name: XT_EXTENSION_MAXNAMELEN */
#define NFBAN_NFT_NAME_MAX 128   /* nft table / chain / chain type name */
#define NFBAN_MAX_PROTOS 8       /* protocols in one `protocol=` list */
#define NFBAN_MAX_PORTS 64       /* port entries (single or range) per protocol */
#define NFBAN_MSG_MAX 256        /* report texts */

enum nfban_family {
	NFBAN_INET4 = 4,
	NFBAN_INET6 = 6,
};

/* A port or an inclusive range, host byte order; first == last for one port. */
struct nfban_port_range {
	uint16_t first;
	uint16_t last;
};

/*
 * One entry of `protocol=`.  `ports` is `port=` resolved for this protocol
 * (service names are looked up per protocol, as iptables does), in the order
 * given, duplicates kept.  number is an IPPROTO_* value; 0 means "all".
 * n_ports is 0 when the plugin does not use ports (allports).
 */
struct nfban_proto {
	uint8_t number;
	char name[16];                  /* canonical name: "tcp", "udp", "all"... */
	unsigned n_ports;
	struct nfban_port_range ports[NFBAN_MAX_PORTS];
};

/* An address or network to ban; host bits are cleared (1.2.3.4/24 -> 1.2.3.0/24). */
struct nfban_addr {
	enum nfban_family family;
	uint8_t prefix;                 /* 0..32 or 0..128 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	} u;                            /* network byte order */
};

/* ---- iptables dialect (multiport, allports, perport) ---------------------- */

enum nfban_xt_verdict_kind {
	NFBAN_XT_ACCEPT,
	NFBAN_XT_DROP,
	NFBAN_XT_RETURN,
	NFBAN_XT_REJECT,                /* reject_with holds the type */
	NFBAN_XT_JUMP,                  /* jump to the user chain `chain` */
};

struct nfban_xt_verdict {
	enum nfban_xt_verdict_kind kind;
	/* REJECT: the kernel's enum ipt_reject_with (inet4) or enum
	 * ip6t_reject_with (inet6) value; the two numberings differ. */
	int reject_with;
	char chain[NFBAN_XT_CHAIN_MAX]; /* JUMP only */
};

/* backend=: which tables the iptables plugins write. */
enum nfban_xt_backend {
	NFBAN_XT_BACKEND_AUTO,          /* where the `iptables` in PATH writes */
	NFBAN_XT_BACKEND_LEGACY,        /* the legacy xtables, over libiptc */
	NFBAN_XT_BACKEND_NFT,           /* nf_tables, as iptables-nft */
};

struct nfban_xt_params {
	char chain[NFBAN_XT_CHAIN_MAX];     /* where the jumps go: INPUT, FORWARD... */
	struct nfban_xt_verdict block;      /* blocktype */
	struct nfban_xt_verdict ret;        /* returntype: end of f2b-<name> */
	enum nfban_xt_backend backend;
};

/* ---- nftables dialect ------------------------------------------------------ */

enum nfban_nft_type {
	NFBAN_NFT_MULTIPORT,            /* <proto> dport { ports } ... */
	NFBAN_NFT_ALLPORTS,             /* meta l4proto { protos } ... */
};

enum nfban_nft_verdict_kind {
	NFBAN_NFT_DROP,
	NFBAN_NFT_REJECT,
};

enum nfban_nft_reject_type {
	NFBAN_NFT_REJECT_DEFAULT,       /* plain `reject` */
	NFBAN_NFT_REJECT_ICMP,          /* reject with icmp type <code>   */
	NFBAN_NFT_REJECT_ICMPV6,        /* reject with icmpv6 type <code> */
	NFBAN_NFT_REJECT_ICMPX,         /* reject with icmpx type <code>  */
	NFBAN_NFT_REJECT_TCP_RESET,     /* reject with tcp reset          */
};

struct nfban_nft_verdict {
	enum nfban_nft_verdict_kind kind;
	enum nfban_nft_reject_type reject_type;
	/* ICMP: ICMP_*UNREACH code (linux/icmp.h); ICMPV6: ICMPV6_* code
	 * (linux/icmpv6.h); ICMPX: NFT_REJECT_ICMPX_* (linux/netfilter/nf_tables.h). */
	uint8_t icmp_code;
};

struct nfban_nft_params {
	enum nfban_nft_type type;
	char table[NFBAN_NFT_NAME_MAX];
	uint8_t table_family;               /* NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6 */
	char chain[NFBAN_NFT_NAME_MAX];
	char chain_type[NFBAN_NFT_NAME_MAX];/* filter, route, nat */
	uint32_t chain_hook;                /* NF_INET_LOCAL_IN ... (linux/netfilter.h) */
	int32_t chain_priority;
	struct nfban_nft_verdict block;
};

/* ---- what every operation receives ----------------------------------------- */

struct nfban_params {
	char name[NFBAN_JAIL_MAX];          /* jail name: Fail2ban's <name> */
	enum nfban_family family;           /* which address family this call is for */
	unsigned n_protos;
	struct nfban_proto protos[NFBAN_MAX_PROTOS];
	bool has_addr;                      /* ban and unban only */
	struct nfban_addr addr;
	struct nfban_xt_params xt;          /* filled for the iptables dialect */
	struct nfban_nft_params nft;        /* filled for the nftables dialect */
};

/* ---- results ----------------------------------------------------------------- */

enum nfban_status {
	NFBAN_OK = 0,
	/* Any error not covered below: the kernel refused for another reason,
	 * memory, a lock... report.kernel_errno says why. */
	NFBAN_ERROR = 1,
	/* The kernel lacks something this plugin needs: a match extension,
	 * a legacy iptables table, nf_tables itself.  A host may fall back to
	 * another plugin on this status, and only on this one. */
	NFBAN_NOFEATURE = 2,
	/* check only: the jail's rules are not (all) in place. */
	NFBAN_ABSENT = 3,
	/* The parameters cannot be expressed by this plugin (e.g. a reject type
	 * the family does not have).  Nothing was sent to the kernel. */
	NFBAN_BADPARAM = 4,
};

/*
 * The error sink.  The host zeroes it before each call.  `reason` says what
 * failed in words ("commit of table filter"), without the jail or the
 * operation (the host adds those) and without strerror (the host adds that
 * from kernel_errno).  `notice` is for success paths worth telling
 * ("1.2.3.4 was not banned").
 */
struct nfban_report {
	int kernel_errno;
	char reason[NFBAN_MSG_MAX];
	char notice[NFBAN_MSG_MAX];
};

enum nfban_dialect {
	NFBAN_DIALECT_XT,               /* keys of Fail2ban's iptables actions */
	NFBAN_DIALECT_NFT,              /* keys of Fail2ban's nftables action */
};

/* Which parameters the plugin reads, so the host validates what matters. */
#define NFBAN_USES_PORTS (1u << 0)  /* port= is used (else accepted, ignored) */

typedef enum nfban_status (*nfban_op_fn)(void *inst, const struct nfban_params *p,
					 struct nfban_report *r);

struct nfban_plugin {
	uint32_t abi_version;           /* NFBAN_ABI_VERSION: must stay first */
	const char *name;               /* equals the file name without .so */
	const char *summary;            /* one line for --help */
	enum nfban_dialect dialect;
	uint32_t uses;                  /* NFBAN_USES_* */

	enum nfban_status (*open)(void **inst, struct nfban_report *r);
	void (*close)(void *inst);

	/* Fail2ban's six operations. */
	nfban_op_fn start;              /* actionstart */
	nfban_op_fn stop;               /* actionstop */
	nfban_op_fn check;              /* actioncheck: NFBAN_ABSENT if not in place */
	nfban_op_fn ban;                /* actionban: p->has_addr */
	nfban_op_fn unban;              /* actionunban: p->has_addr */
	nfban_op_fn flush;              /* actionflush */
};

#endif /* NFBAN_H */
