/*
 * nftables.c - Fail2ban's stock nftables action over libnftnl + libmnl:
 * table <table_family> <table>, base chain <chain>, per jail and family the
 * set addr-set-<name> / addr6-set-<name> and one rule per protocol
 * (multiport) or one `meta l4proto { ... }` rule (allports).
 *
 * Every operation that changes the kernel is one nf_tables batch.  start and
 * stop first read what is there (rules, sets), then send a batch stamped
 * with the generation they read (NFNL_BATCH_GENID): if anything changed in
 * between, the kernel refuses it whole (ERESTART) and they read again; so
 * do they, and check, when a dump was interrupted by a change (EINTR).
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/set.h>

#include "nfban_plugin.h"
#include "nft/conf.h"
#include "nft/jail.h"
#include "nft/msg.h"
#include "nft/present.h"
#include "nft/query.h"
#include "nft/sock.h"

#define GENID_TRIES 8

struct nft_inst {
	struct nft_sock s;
};

#define FAM(j) nft_family_name((j)->table_family)

static enum nfban_status report(struct nfban_report *r, enum nfban_status st, int err,
				const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum nfban_status report(struct nfban_report *r, enum nfban_status st, int err,
				const char *fmt, ...)
{
	va_list ap;

	r->kernel_errno = err;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	return st;
}

/* A failed read (rc = -errno). */
static enum nfban_status read_fail(struct nfban_report *r, int rc, const char *what,
				   const struct nft_jail *j)
{
	return report(r, NFBAN_ERROR, -rc, "reading %s of %s %s", what, FAM(j), j->table);
}

static enum nfban_status build_fail(struct nfban_report *r, int rc)
{
	return report(r, NFBAN_ERROR, -rc, "building the nf_tables batch");
}

/* The generation, or NFBAN_NOFEATURE when nf_tables does not answer at all. */
static enum nfban_status genid(struct nft_inst *in, uint32_t *gen, struct nfban_report *r)
{
	int rc;

	nft_sock_drain(&in->s);
	rc = nft_query_genid(&in->s, gen);
	if (rc)
		return report(r, nft_errno_status(NFT_WHERE(NFT_MSG_GETGEN), -rc), -rc,
			      "reading the nf_tables generation");
	return NFBAN_OK;
}

static enum nfban_status nft_open(void **inst, struct nfban_report *r)
{
	struct nft_inst *in = calloc(1, sizeof(*in));
	int rc;

	*inst = NULL;
	if (!in)
		return report(r, NFBAN_ERROR, ENOMEM, "plugin instance");
	rc = nft_sock_open(&in->s);
	if (rc) {
		free(in);
		return report(r, nft_errno_status(NFT_WHERE_SOCKET, -rc), -rc, "netlink socket to nf_tables");
	}
	*inst = in;
	return NFBAN_OK;
}

static void nft_close(void *inst)
{
	struct nft_inst *in = inst;

	if (!in)
		return;
	nft_sock_close(&in->s);
	free(in);
}

/* Table, chain, set (no-ops when there), then the rules that are missing. */
static enum nfban_status nft_start(void *inst, const void *jail, const struct nfban_addr *addr,
				   struct nfban_report *r)
{
	struct nft_inst *in = inst;
	const struct nft_jail *j = &((const struct nft_conf *)jail)->j;
	enum nfban_status st = NFBAN_OK;

	(void)addr;
	for (int try = 0; st == NFBAN_OK && try < GENID_TRIES; try++) {
		bool have[VALUE_MAX_PROTOS], restart = false;
		struct nft_batch b;
		uint32_t gen;
		int rc;

		if ((st = genid(in, &gen, r)) != NFBAN_OK)
			return st;
		rc = nft_rules_present(&in->s, j, have);
		if (rc == -EINTR)
			continue;
		if (rc)
			return read_fail(r, rc, "the rules", j);
		rc = nft_batch_begin(&b, &in->s, gen);
		if (!rc)
			rc = nft_msg_setup(&b, &in->s, j);
		for (unsigned i = 0; !rc && i < j->n_rules; i++)
			if (!have[i])
				rc = nft_msg_rule(&b, &in->s, j, i);
		st = rc ? build_fail(r, rc) : nft_batch_commit(&b, &in->s, r, &restart);
		nft_batch_free(&b);
		if (st == NFBAN_OK || !restart)
			return st;
		memset(r, 0, sizeof(*r));
		st = NFBAN_OK;
	}
	return st == NFBAN_OK ? report(r, NFBAN_ERROR, ERESTART, "the ruleset kept changing") : st;
}

/* Our set, and whether any other named set (not a map) is in the table. */
static int set_census(struct nft_inst *in, const struct nft_jail *j, bool *table, bool *ours,
		      bool *others)
{
	struct nftnl_set_list *list = nftnl_set_list_alloc();
	struct nftnl_set_list_iter *it;
	int rc;

	*ours = *others = false;
	if (!list)
		return -ENOMEM;
	rc = nft_query_sets(&in->s, j, list, table);
	it = rc ? NULL : nftnl_set_list_iter_create(list);
	if (!rc && !it)
		rc = -ENOMEM;
	for (struct nftnl_set *s = it ? nftnl_set_list_iter_next(it) : NULL; s;
	     s = nftnl_set_list_iter_next(it)) {
		const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);
		uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);

		if (name && strcmp(name, j->set) == 0)
			*ours = true;
		else if (!(flags & (NFT_SET_ANONYMOUS | NFT_SET_MAP | NFT_SET_OBJECT)))
			*others = true;
	}
	if (it)
		nftnl_set_list_iter_destroy(it);
	nftnl_set_list_free(list);
	return rc;
}

/*
 * The rules that look up the set, the set, and - as stock does - the table
 * once no named set is left in it.  Nothing there: success.
 */
static enum nfban_status nft_stop(void *inst, const void *jail, const struct nfban_addr *addr,
				   struct nfban_report *r)
{
	struct nft_inst *in = inst;
	const struct nft_jail *j = &((const struct nft_conf *)jail)->j;
	enum nfban_status st = NFBAN_OK;

	(void)addr;
	for (int try = 0; st == NFBAN_OK && try < GENID_TRIES; try++) {
		bool table, ours, others, restart = false;
		uint64_t *handles = NULL;
		unsigned n = 0;
		struct nft_batch b;
		uint32_t gen;
		int rc;

		if ((st = genid(in, &gen, r)) != NFBAN_OK)
			return st;
		rc = set_census(in, j, &table, &ours, &others);
		if (rc == -EINTR)
			continue;
		if (rc)
			return read_fail(r, rc, "the sets", j);
		if (!table) {
			snprintf(r->notice, sizeof(r->notice), "table %s %s was not there", FAM(j),
				 j->table);
			return NFBAN_OK;
		}
		rc = nft_rules_of_set(&in->s, j, &handles, &n);
		if (rc == -EINTR)
			continue;
		if (rc)
			return read_fail(r, rc, "the rules", j);
		rc = nft_batch_begin(&b, &in->s, gen);
		for (unsigned i = 0; !rc && i < n; i++)
			rc = nft_msg_del_rule(&b, &in->s, j, handles[i]);
		free(handles);
		if (!rc && ours)
			rc = nft_msg_del_set(&b, &in->s, j);
		if (!rc && !others)
			rc = nft_msg_del_table(&b, &in->s, j);
		if (rc)
			st = build_fail(r, rc);
		else if (nft_batch_count(&b) == 0)
			st = NFBAN_OK;
		else
			st = nft_batch_commit(&b, &in->s, r, &restart);
		nft_batch_free(&b);
		if (st == NFBAN_OK && !ours)
			snprintf(r->notice, sizeof(r->notice), "set %s was not there", j->set);
		if (st == NFBAN_OK || !restart)
			return st;
		memset(r, 0, sizeof(*r));
		st = NFBAN_OK;
	}
	return st == NFBAN_OK ? report(r, NFBAN_ERROR, ERESTART, "the ruleset kept changing") : st;
}

/* One reading of the set and the rules; -EINTR: the ruleset changed meanwhile. */
static int check_once(struct nft_inst *in, const struct nft_jail *j, struct nfban_report *r,
		      enum nfban_status *st)
{
	bool table, ours, others, have[VALUE_MAX_PROTOS];
	int rc = set_census(in, j, &table, &ours, &others);

	if (rc) {
		*st = read_fail(r, rc, "the sets", j);
		return rc;
	}
	if (!ours) {
		*st = report(r, NFBAN_ABSENT, 0, "set %s %s %s is missing", FAM(j), j->table, j->set);
		return 0;
	}
	rc = nft_rules_present(&in->s, j, have);
	if (rc) {
		*st = read_fail(r, rc, "the rules", j);
		return rc;
	}
	*st = NFBAN_OK;
	for (unsigned i = 0; i < j->n_rules; i++)
		if (!have[i]) {
			*st = report(r, NFBAN_ABSENT, 0, "rule (%s) in %s %s %s is missing",
				     j->rules[i].what, FAM(j), j->table, j->chain);
			break;
		}
	return 0;
}

static enum nfban_status nft_check(void *inst, const void *jail, const struct nfban_addr *addr,
				   struct nfban_report *r)
{
	struct nft_inst *in = inst;
	const struct nft_jail *j = &((const struct nft_conf *)jail)->j;
	enum nfban_status st;
	uint32_t gen;

	(void)addr;
	if ((st = genid(in, &gen, r)) != NFBAN_OK)
		return st;
	for (int try = 0; try < GENID_TRIES; try++) {
		memset(r, 0, sizeof(*r));
		if (check_once(in, j, r, &st) != -EINTR)
			break;
	}
	return st;
}

/* One batch of one message: an address (ban, unban) or the flush of the set. */
static enum nfban_status one_msg(struct nft_inst *in, const struct nft_jail *j,
				 const struct nfban_addr *a, uint16_t type, struct nfban_report *r)
{
	struct nft_batch b;
	bool restart;
	enum nfban_status st;
	int rc = nft_batch_begin(&b, &in->s, 0);

	if (!rc)
		rc = a ? nft_msg_addr(&b, &in->s, j, a, type) : nft_msg_flush(&b, &in->s, j);
	st = rc ? build_fail(r, rc) : nft_batch_commit(&b, &in->s, r, &restart);
	nft_batch_free(&b);
	return st;
}

/* ban, unban: one address of the jail's family; nft sets hold no networks here. */
static enum nfban_status addr_ok(const struct nft_jail *j, const struct nfban_addr *a,
				 struct nfban_report *r)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (!a || a->family != j->addr_family)
		return report(r, NFBAN_BADPARAM, 0, "no address of family %s",
			      j->addr_family == NFBAN_INET6 ? "inet6" : "inet4");
	if (a->prefix < (a->family == NFBAN_INET6 ? 128 : 32)) {
		inet_ntop(a->family == NFBAN_INET6 ? AF_INET6 : AF_INET, a->u.bytes, ip, sizeof(ip));
		return report(r, NFBAN_BADPARAM, 0,
			      "%s/%u is a network: set %s holds single addresses, as stock's "
			      "(no 'flags interval')", ip, a->prefix, j->set);
	}
	return NFBAN_OK;
}

static enum nfban_status nft_ban(void *inst, const void *jail, const struct nfban_addr *addr,
				 struct nfban_report *r)
{
	const struct nft_jail *j = &((const struct nft_conf *)jail)->j;
	enum nfban_status st = addr_ok(j, addr, r);

	/* No NLM_F_EXCL: an address already in the set is success, as with nft. */
	return st != NFBAN_OK ? st : one_msg(inst, j, addr, NFT_MSG_NEWSETELEM, r);
}

static enum nfban_status nft_unban(void *inst, const void *jail, const struct nfban_addr *addr,
				   struct nfban_report *r)
{
	struct nft_inst *in = inst;
	const struct nft_jail *j = &((const struct nft_conf *)jail)->j;
	enum nfban_status st = addr_ok(j, addr, r);
	struct nfban_report first;
	bool table, ours, others;
	char ip[INET6_ADDRSTRLEN];
	int rc = 0;

	if (st != NFBAN_OK)
		return st;
	st = one_msg(in, j, addr, NFT_MSG_DELSETELEM, r);
	if (st != NFBAN_ERROR || r->kernel_errno != ENOENT)
		return st;
	/* ENOENT: no such element, or no such set/table.  Only the first is fine. */
	first = *r;
	for (int try = 0; try < GENID_TRIES; try++)
		if ((rc = set_census(in, j, &table, &ours, &others)) != -EINTR)
			break;
	if (rc != 0 || !ours) {
		*r = first;
		return NFBAN_ERROR;
	}
	memset(r, 0, sizeof(*r));
	inet_ntop(addr->family == NFBAN_INET6 ? AF_INET6 : AF_INET, addr->u.bytes, ip, sizeof(ip));
	snprintf(r->notice, sizeof(r->notice), "%s was not banned", ip);
	return NFBAN_OK;
}

static enum nfban_status nft_flush(void *inst, const void *jail, const struct nfban_addr *addr,
				   struct nfban_report *r)
{
	(void)addr;
	return one_msg(inst, &((const struct nft_conf *)jail)->j, NULL, 0, r);
}

__attribute__((visibility("default")))
const struct nfban_plugin nfban_plugin = {
	.abi_version = NFBAN_ABI_VERSION,
	.name = "nftables",
	.summary = "nftables: a set per jail and family (stock nftables)",
	.keys = nft_keys,
	.fallback = "",
	.flags = 0,
	.adopt = nft_adopt,
	.open = nft_open,
	.close = nft_close,
	.configure = nft_configure,
	.release = nft_release,
	.start = nft_start,
	.stop = nft_stop,
	.check = nft_check,
	.ban = nft_ban,
	.unban = nft_unban,
	.flush = nft_flush,
};
