// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor.h - nfban-doctor: why a ban does not take effect, what this kernel
 * can do.  Reads only: the rulesets through the tools users read them with
 * (iptables-legacy-save, iptables-nft-save and their ip6 twins, nft list
 * ruleset), the fallback state, fail2ban-client; kernel features are probed
 * by running the plugins in a scratch network namespace.
 */
#ifndef NFBAN_DOCTOR_H
#define NFBAN_DOCTOR_H

#include <stddef.h>
#include <stdint.h>

#include "values.h"

/* ---- options and keys ------------------------------------------------------- */

struct opts {
	const char *plugin_dir;
	const char *socket;         /* --socket: fail2ban's; NULL: its default when it exists */
	int json, no_probe, no_fail2ban;
	/* Fail2ban's tags, all optional: they narrow the check. */
	const char *name, *port, *protocol, *chain, *family, *ip, *table;
	int want4, want6;           /* from family= */
	struct value_protos protos; /* port= and protocol=, when port= was given */
	int have_ports;
	struct nfban_addr addr;     /* ip= */
};

/* ---- findings --------------------------------------------------------------- */

enum sev { SEV_OK, SEV_WARN, SEV_FAIL };

/* Where a finding is: any field may be NULL. */
struct where {
	const char *jail, *backend, *family;
};

/*
 * One finding.  check is a stable identifier (nfban(8)); rule the rule or set
 * element at issue, by the rule that causes it (shadowing ACCEPT, DNAT), ip
 * the address; todo what to do (NULL for ok).
 */
void finding(enum sev sev, const char *check, const struct where *w, const char *rule,
	     const char *by, const char *ip, const char *todo, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
int findings_print(int json);   /* the exit status: 1 when something FAILs */

/* ---- running the tools ------------------------------------------------------ */

/* The tool's absolute path from PATH, or NULL. */
const char *tool_find(const char *name, char *buf, size_t n);
/* Runs argv (argv[0] an absolute path) without a shell, stdout into *out
 * (malloc'd, NUL-terminated), stdin and stderr /dev/null.  The exit status,
 * or -1 (errno) when it could not run or timed out. */
int tool_run(char *const argv[], char **out, int timeout_s);

/* ---- the iptables rulesets (iptables-save text) ------------------------------ */

#define XR_MAX_PORTS 64

struct xrule {
	char *line;                 /* as iptables-save prints it */
	const char *table;
	char chain[64];
	int idx;                    /* 1-based within its chain */
	char proto[16];             /* "" when any */
	int proto_neg;
	int any_port;               /* no destination port match */
	int port_neg;
	unsigned n_ports;
	struct value_port_range ports[XR_MAX_PORTS];
	char src[64];
	int src_neg;
	char in[32];
	int in_neg;
	int dst;                    /* -d, -o: narrower, told in the message */
	unsigned ct;                /* CT_* states, 0 when no conntrack/state match */
	int ct_neg;
	int unknown;                /* a match the doctor does not read */
	char target[64];
	char to[80];                /* DNAT --to-destination */
};

#define CT_NEW 1u
#define CT_ESTABLISHED 2u
#define CT_RELATED 4u
#define CT_INVALID 8u
#define CT_UNTRACKED 16u
#define CT_OTHER 32u

struct xchain {
	char table[16];
	char name[64];
	char policy[16];            /* "-" for a user chain */
};

/* One iptables-save output: one backend, one family. */
struct xsave {
	const char *backend;        /* "legacy", "nft" */
	const char *family;         /* "inet4", "inet6" */
	int present;                /* the tool ran (and, legacy, the tables are loaded) */
	char why[160];              /* when not present */
	struct xchain *chains;
	size_t n_chains;
	struct xrule *rules;
	size_t n_rules;
};

void xsave_load(struct xsave *x, const char *backend, const char *family);
void xsave_free(struct xsave *x);
int xsave_has_chain(const struct xsave *x, const char *table, const char *chain);
size_t xsave_rule_count(const struct xsave *x);

/* ---- the nftables ruleset (nft list ruleset text) ----------------------------- */

struct nset {
	char table_family[8], table[64], name[64];
	char **elems;
	size_t n_elems;
};

struct nrule {
	char table_family[8], table[64], chain[64];
	char *line;
	char set[64];               /* @set it looks up, "" when none */
	char proto[16];             /* tcp/udp/...; "" any */
	int any_port;
	unsigned n_ports;
	struct value_port_range ports[XR_MAX_PORTS];
	int dnat;
	char to[80];
};

struct nchain {
	char table_family[8], table[64], name[64];
	char hook[16];              /* "" for a regular chain */
	char prio[32];
};

struct nruleset {
	int present;
	char why[160];
	struct nset *sets;
	size_t n_sets;
	struct nrule *rules;
	size_t n_rules;
	struct nchain *chains;
	size_t n_chains;
};

void nruleset_load(struct nruleset *n);
void nruleset_free(struct nruleset *n);

/* ---- checks ----------------------------------------------------------------- */

void check_capabilities(const struct opts *o);
void check_backends(const struct opts *o, struct xsave x[4]);
/* Per jail: iptables jails (both backends, both families) and nftables sets.
 * Fills the kernel's bans per jail for check_fail2ban. */
struct kban {
	char jail[64];
	char addr[64];              /* normalised: a.b.c.d or a.b.c.d/len */
	char where[200];            /* the rule or set element that holds it */
};
struct kbans {
	struct kban *v;
	size_t n;
	char (*jails)[64];          /* every jail found in the kernel */
	size_t n_jails;
};
void check_ipt_jails(const struct opts *o, struct xsave x[4], const struct nruleset *n,
		     struct kbans *kb);
void check_nft_jails(const struct opts *o, const struct nruleset *n, struct xsave x[4],
		     struct kbans *kb);
void check_ip(const struct opts *o, const struct kbans *kb);
void check_fallback_state(const struct opts *o, const struct kbans *kb);
void check_fail2ban(const struct opts *o, const struct kbans *kb);

/* helpers */
void kbans_add_jail(struct kbans *kb, const char *jail);
void kbans_add(struct kbans *kb, const char *jail, const char *addr, const char *where);
int addr_norm(const char *text, char *buf, size_t n);   /* 0, or -1 when not an address */
int ports_overlap(const struct value_port_range *a, unsigned na, const struct value_port_range *b,
		  unsigned nb, char *desc, size_t n);
int parse_port_list(const char *text, struct value_port_range *out, unsigned *n);
char *xstrdup(const char *s);
void *xrealloc(void *p, size_t n);

#endif
