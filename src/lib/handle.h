// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handle.h - what a struct nfban_jail holds, and one call of a plugin on it.
 *
 * A jail handle knows its plugins as members: [0] the plugin the host named,
 * then the fallbacks in the order of fallback=.  A member is loaded, its
 * instance opened and its keys configured (per family) on first use, and
 * kept for the handle's life: a long-lived host pays for parsing and loading
 * once.  A fallback member's keys are the primary's restated for it
 * (same-named keys copied, then the plugin's adopt()).
 */
#ifndef NFBAN_LIB_HANDLE_H
#define NFBAN_LIB_HANDLE_H

#include <pthread.h>
#include <stdbool.h>

#include "conntrack.h"
#include "loader.h"
#include "nfban.h"
#include "nfban_plugin.h"
#include "state.h"
#include "values.h"

#pragma GCC visibility push(hidden)

#define HANDLE_FALLBACK_MAX 4

/* The operations are the ABI's enum nfban_op; OP_COUNT: none of them. */
#define OP_COUNT (NFBAN_OP_START_BAN + 1)

/* The operations that take an address. */
#define OP_HAS_ADDR(op) \
	((op) == NFBAN_OP_BAN || (op) == NFBAN_OP_UNBAN || (op) == NFBAN_OP_START_BAN)

/* fam index: 0 inet4, 1 inet6 */
#define FAM_IX(f) ((f) == NFBAN_INET6 ? 1 : 0)

struct member {
	char name[VALUE_PLUGIN_MAX];
	struct plugin *pl;              /* NULL until loaded */
	void *inst;
	bool inst_open;
	const char **values[2];         /* per family; the primary's are the same for both */
	void *conf[2];                  /* configure()d per family */
};

struct nfban_jail {
	pthread_mutex_t lock;
	char *dir;
	char name[VALUE_JAIL_MAX];
	bool allow_special;             /* special_addresses=allow */
	bool kill_sessions;             /* kill_sessions=jail: ct holds the jail's traffic */
	char *texts;                    /* the key=value texts the host gave, copied */
	/* The namespace's state key (state.h), read at the first call that needs it: the
	 * namespace of that call, where the members' instances were opened. "": not yet. */
	char ns[STATE_NS_KEY_MAX];
	unsigned n_members;
	struct member m[1 + HANDLE_FALLBACK_MAX];
	/* Last, and the last of it its 33 KiB protocol table, which nfban_jail_open does not
	 * clear (ct_match_init fills what is read of it). */
	struct ct_match ct;
};

/* One call in progress: what it is about, and where the answer goes. */
struct call {
	struct nfban_jail *j;
	enum nfban_op op;
	enum nfban_family fam;
	const struct nfban_addr *addr;  /* ban, unban: n_addr of them */
	unsigned n_addr;                /* more than 1: nfban_jail_ban_many's group */
	struct nfban_result *res;
	bool nowait;                    /* nfban_jail_try: NFBAN_WOULD_WAIT rather than waiting */
	char why[NFBAN_MSG_MAX + 64];   /* the last plugin failure: reason[: strerror] */
};

/* j->ns, read now if not yet; NULL when it cannot be (then each state call reads its own). */
const char *jail_ns(struct nfban_jail *j);
const char *op_name(enum nfban_op op);
/* The operation named `name` (NULL too), or OP_COUNT. */
enum nfban_op op_parse(const char *name);
const char *fam_name(enum nfban_family f);

/* Load member i, open it, configure it for c->fam: 0, or -1 with c->res
 * filled (BAD_INPUT for keys it refuses, FAILED otherwise). */
int member_ready(struct call *c, unsigned i);
/* Run op on member i (made ready); returns the plugin's status and fills c->res.
 * NFBAN_OP_START_BAN on a plugin without NFBAN_PLUGIN_START_BAN runs start, then ban.
 * With c->nowait: NFBAN_WOULD_WAIT, c->res untouched, where it would wait (a plugin
 * without NFBAN_PLUGIN_NOWAIT, its process-wide lock taken, the plugin's own). */
enum nfban_status member_call(struct call *c, unsigned i, enum nfban_op op);

/* The operation with fallback (fallback.c). */
void fallback_run(struct call *c);

#pragma GCC visibility pop

#endif
