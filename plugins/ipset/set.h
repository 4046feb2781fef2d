// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * set.h - the ipset side of the ipset plugins, over libipset's session API:
 * the commands Fail2ban's iptables-ipset.conf runs (create -exist, add
 * -exist, del -exist, flush, destroy), each one netlink message, and the
 * growing of a full set.
 *
 * A struct ipc_conn is one libipset session; it remembers the type of the
 * sets it added to, so that a ban is one IPSET_CMD_ADD (libipset alone asks
 * the kernel for the set's header before every add).
 */
#ifndef NFBAN_IPSET_SET_H
#define NFBAN_IPSET_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

#define IPC_TYPES 4

struct ipset_session;
struct ipset_type;

struct ipc_conn {
	struct ipset_session *s;
	struct {
		char name[32];
		const struct ipset_type *type;
	} known[IPC_TYPES];
	unsigned next;                  /* round robin slot of known[] */
	/* What LIST/SAVE printed (set_members). */
	char *out;
	size_t out_len, out_cap;
};

/* What a set is created with: `hash:ip timeout T maxelem M [family inet6]`. */
struct ipc_spec {
	char name[32];
	enum nfban_family family;
	uint32_t timeout;               /* default-ipsettime */
	uint32_t maxelem;
};

/* Results: 0, or -1 with r filled (reason, kernel_errno; libipset's words). */
int ipc_open(struct ipc_conn *c, struct nfban_report *r);
void ipc_close(struct ipc_conn *c);

/* Does the set exist?  1, 0, or -1 (r filled: e.g. no ip_set in the kernel). */
int ipc_exists(struct ipc_conn *c, const char *name, struct nfban_report *r);
/* `ipset -exist create`, or nothing when the set exists (whatever its maxelem):
 * *created says whether it was made now. */
int ipc_create(struct ipc_conn *c, const struct ipc_spec *sp, bool *created,
		     struct nfban_report *r);
int ipc_destroy(struct ipc_conn *c, const char *name, struct nfban_report *r);
int ipc_flush(struct ipc_conn *c, const char *name, struct nfban_report *r);

/*
 * `ipset -exist add <set> <addr> timeout <t>`, one message.  On a full set
 * (the kernel's IPSET_ERR_HASH_FULL) *full is set and r says so; nothing
 * else is tried.
 */
int ipc_add(struct ipc_conn *c, const char *name, enum nfban_family fam,
		  const struct nfban_addr *a, uint32_t timeout, bool *full, struct nfban_report *r);
/*
 * A group's `ipset -exist add <set> <addr> timeout <t>` of the n addresses a[], in one message
 * (libipset packs adds given line numbers: IPSET_ATTR_ADT).  The kernel adds them in order and
 * stops at the first it refuses, keeping those before: the caller makes sure first that the set
 * has room (ipc_room).
 */
int ipc_add_many(struct ipc_conn *c, const char *name, enum nfban_family fam,
		 const struct nfban_addr *a, unsigned n, uint32_t timeout, struct nfban_report *r);
/* The set's members (expired ones the kernel has not collected yet counted) and maxelem, from
 * its header (`ipset list -t`). */
int ipc_room(struct ipc_conn *c, const char *name, unsigned long *members, unsigned long *maxelem,
	     struct nfban_report *r);
/* `ipset -exist del <set> <addr>`. */
int ipc_del(struct ipc_conn *c, const char *name, enum nfban_family fam,
		  const struct nfban_addr *a, struct nfban_report *r);

/*
 * Grow the full set sp->name: a set of twice its maxelem created beside it,
 * every member copied with what is left of its timeout, the two swapped
 * (IPSET_CMD_SWAP: the jumps keep matching, by name and index, the grown
 * one), the old one destroyed.  *members and *maxelem say what it holds
 * now.  On failure nothing of the attempt is left and the set is as it was.
 */
int ipc_grow(struct ipc_conn *c, const struct ipc_spec *sp, unsigned long *members,
		   uint32_t *maxelem, struct nfban_report *r);

#pragma GCC visibility pop

#endif
