// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nfban_plugin.h - the nfban plugin ABI.
 *
 * A plugin is a shared object exporting exactly one symbol, NFBAN_PLUGIN_SYMBOL,
 * a `const struct nfban_plugin` whose first member is the ABI version it was
 * built against.  libnfban (the host library, nfban.h) dlopen()s the object,
 * reads abi_version first and refuses the plugin unless it equals
 * NFBAN_ABI_VERSION: every other member is only meaningful after that check.
 *
 * A plugin owns its keys, as an xtables extension owns its options: the
 * descriptor lists them (name, type, default).  libnfban checks each value's
 * syntax with the parser of its type and applies the defaults; the plugin's
 * configure() turns the texts into its own representation (with the same
 * shared parsers) and refuses what it cannot express (NFBAN_BADPARAM).
 * Adding a key or a plugin changes neither libnfban nor this header.
 *
 * Contract for plugins:
 *   - A plugin never prints, never exits, never installs signal handlers or
 *     atexit hooks, and keeps no global state.  Everything it has to say goes
 *     into the struct nfban_report it is handed.
 *   - open() creates an instance, configure() a jail configuration (one per
 *     family); the host runs any number of operations on them, then
 *     release() and close().  Nothing is leaked per call.  libnfban calls an
 *     instance from one thread at a time; with NFBAN_PLUGIN_SERIAL it calls
 *     the whole plugin from one thread at a time.
 *   - Every operation (run()) is all-or-nothing towards the kernel: on any
 *     status but NFBAN_OK the kernel is left as the operation found it.  That
 *     holds for NFBAN_OP_START_BAN as a whole: one transaction (one libiptc
 *     commit, one nf_tables batch), never a start and then a ban.
 *
 * Bump NFBAN_ABI_VERSION on any change to a struct or enum in this file.
 */
#ifndef NFBAN_PLUGIN_H
#define NFBAN_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#define NFBAN_ABI_VERSION 6u
#define NFBAN_PLUGIN_SYMBOL "nfban_plugin"

#define NFBAN_MSG_MAX 256        /* report texts, NUL included */

enum nfban_family {
	NFBAN_INET4 = 4,
	NFBAN_INET6 = 6,
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

/* ---- keys ------------------------------------------------------------------ */

/* Which shared parser checks a key's syntax (src/values/values.h). */
enum nfban_key_type {
	NFBAN_KEY_CHOICE,               /* one of `choices`, "a|b|c" */
	NFBAN_KEY_PROTOCOLS,            /* tcp,udp,...; numbers; all */
	NFBAN_KEY_PORTS,                /* 22,ssh,8000:8010,... */
	NFBAN_KEY_XT_CHAIN,             /* an iptables chain name */
	NFBAN_KEY_XT_TARGET,            /* DROP | REJECT [--reject-with T] | ACCEPT | RETURN | chain */
	NFBAN_KEY_NFT_NAME,             /* an nft identifier */
	NFBAN_KEY_NFT_VERDICT,          /* drop | reject [with icmp|icmpv6|icmpx type T | tcp reset] */
	NFBAN_KEY_NFT_HOOK,             /* input, forward, ... */
	NFBAN_KEY_NFT_PRIORITY,         /* -1, filter - 1, ... */
	NFBAN_KEY_UNUSED,               /* any text: taken as the stock action takes it, not used */
	NFBAN_KEY_SECONDS,              /* whole seconds, 0..3600 */
	NFBAN_KEY_IPSET_SECONDS,        /* whole seconds, 0..2147483 (what ipset's timeout takes) */
	NFBAN_KEY_COUNT,                /* a whole number, 1..4294967295 */
};

/* The key narrows which traffic a ban blocks (port=, protocol=): a fallback
 * plugin with such a key cannot take over from one that lacks it. */
#define NFBAN_KEY_MATCH (1u << 0)

struct nfban_key {
	const char *name;               /* Fail2ban's tag name */
	enum nfban_key_type type;
	const char *def;                /* the stock action's default; NULL: none */
	const char *choices;            /* NFBAN_KEY_CHOICE only */
	uint32_t flags;                 /* NFBAN_KEY_* */
};

/*
 * What configure() reads: the jail, the family, and one text per row of the
 * descriptor's key table (values[i] for keys[i]), defaults applied; NULL
 * where a key without default was not given.  Every text has passed its
 * type's syntax check for at least one family.
 */
struct nfban_jail_keys {
	const char *name;               /* Fail2ban's <name>: [A-Za-z0-9_.-], 1..63 */
	enum nfban_family family;
	const char *const *values;
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
	/* The keys cannot be expressed by this plugin.  Nothing was sent to the
	 * kernel.  reason starts with the key: "blocktype='...': why". */
	NFBAN_BADPARAM = 4,
	/* Only with NFBAN_RUN_NOWAIT: the operation would have waited (for
	 * another writer's lock, before a retry); nothing was sent. */
	NFBAN_WOULD_WAIT = 5,
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

/* ---- the descriptor ---------------------------------------------------------- */

/* Fail2ban's six operations, and start+ban (ABI 4: one enum, one run()). */
enum nfban_op {
	NFBAN_OP_START,                 /* actionstart */
	NFBAN_OP_STOP,                  /* actionstop */
	NFBAN_OP_CHECK,                 /* actioncheck: NFBAN_ABSENT if not in place */
	NFBAN_OP_BAN,                   /* actionban */
	NFBAN_OP_UNBAN,                 /* actionunban */
	NFBAN_OP_FLUSH,                 /* actionflush */
	/*
	 * Start, then ban addr, as ONE transaction towards the kernel - the
	 * jail started with the address banned, or nothing of either.  libnfban
	 * uses it where a ban meets a jail that may not be started: a fallback
	 * taking a jail over on a ban, and a host's "start+ban" (a family's
	 * first ban).  A kill between a separate start and ban would leave the
	 * jail started and the address unbanned.  Only for a plugin with
	 * NFBAN_PLUGIN_START_BAN: for any other, libnfban runs START, then BAN
	 * (two transactions).
	 */
	NFBAN_OP_START_BAN,
};

/* libnfban serialises every call into this plugin (it uses a library with
 * process-wide state, such as libiptc's error state). */
#define NFBAN_PLUGIN_SERIAL (1u << 0)
/* run() takes NFBAN_OP_START_BAN (one transaction). */
#define NFBAN_PLUGIN_START_BAN (1u << 1)
/* run() takes NFBAN_RUN_NOWAIT for NFBAN_OP_BAN and NFBAN_OP_UNBAN. */
#define NFBAN_PLUGIN_NOWAIT (1u << 2)
/* run() takes NFBAN_OP_BAN of up to NFBAN_PLUGIN_BANS_MAX addresses at once, as one
 * transaction (ABI 6): where each commit costs what the table holds (libiptc's copy of the
 * table, nf_tables' validation of every rule a base chain reaches), a burst of bans pays it
 * once per group, not once per ban; where a ban costs the same at any size (a set), the
 * call and the message are paid once per group.  ipset has no transactions: its kernel adds
 * a list's members one by one and stops at one it refuses, so the ipset plugins send a group
 * only into a set with room for all of it. */
#define NFBAN_PLUGIN_BANS (1u << 3)
#define NFBAN_PLUGIN_BANS_MAX 256u

/*
 * run()'s flags (ABI 5).  NFBAN_RUN_NOWAIT: never wait - for a lock another
 * writer holds, before a retry, for anything but the kernel's own answer -
 * and return NFBAN_WOULD_WAIT instead, having changed nothing; the host then runs
 * the operation again without the flag.  libnfban passes it only to a plugin
 * with NFBAN_PLUGIN_NOWAIT, and only with ban and unban (nfban_jail_try).
 */
#define NFBAN_RUN_NOWAIT (1u << 0)

struct nfban_plugin {
	uint32_t abi_version;           /* NFBAN_ABI_VERSION: must stay first */
	const char *name;               /* equals the file name without .so */
	const char *summary;            /* one line for --help */
	const struct nfban_key *keys;   /* ends with a row whose name is NULL */
	const char *fallback;           /* default of libnfban's fallback= key: "a,b" or "" */
	uint32_t flags;                 /* NFBAN_PLUGIN_* */

	/*
	 * Optional: restate another plugin's keys for this one, when this plugin
	 * takes over a jail from `from` (fallback).  libnfban first copies every
	 * value whose key has the same name and type in both tables; adopt()
	 * then sets values[i] for the keys that mean the same in other words
	 * (static strings only).  NFBAN_BADPARAM when the jail cannot be
	 * expressed here.
	 */
	enum nfban_status (*adopt)(const struct nfban_plugin *from, const char *const from_values[],
				   enum nfban_family family, const char *values[],
				   struct nfban_report *r);

	enum nfban_status (*open)(void **inst, struct nfban_report *r);
	void (*close)(void *inst);
	/* Parse and check the keys once; the result is what operations get. */
	enum nfban_status (*configure)(const struct nfban_jail_keys *k, void **jail,
				       struct nfban_report *r);
	void (*release)(void *jail);

	/*
	 * One operation on a configured jail (what configure() made): addr[0]
	 * is the address for NFBAN_OP_BAN, NFBAN_OP_UNBAN and
	 * NFBAN_OP_START_BAN (n_addr 1), NULL otherwise (n_addr 0); flags
	 * NFBAN_RUN_* (0: wait as needed).  With NFBAN_PLUGIN_BANS, a ban of
	 * n_addr addresses (2 .. NFBAN_PLUGIN_BANS_MAX, distinct, of the
	 * jail's family, never with NFBAN_RUN_NOWAIT): every one banned in one
	 * transaction, or none; a notice counts those banned already.
	 */
	enum nfban_status (*run)(void *inst, const void *jail, enum nfban_op op, unsigned flags,
				 const struct nfban_addr *addr, unsigned n_addr,
				 struct nfban_report *r);
};

#endif /* NFBAN_PLUGIN_H */
