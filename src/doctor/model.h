// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.h - what the doctor knows: the kernel's rulesets (iptables legacy and
 * nft per family, the nf_tables ruleset), the host (root, which iptables,
 * firewall managers), Fail2ban's jails and bans, and the jails found in the
 * kernel.  The collectors (xsave.c, nft.c, host.c, f2b.c, kjails.c) fill it;
 * the checks only read it.
 */
#ifndef NFBAN_DOCTOR_MODEL_H
#define NFBAN_DOCTOR_MODEL_H

#include "doctor.h"

#define R_MAX_PORTS 64

/* How a part of the model was read. */
enum rd {
	RD_OK,
	RD_NONE,        /* nothing there to read (no legacy tables loaded) */
	RD_NOTOOL,      /* the tool that reads it is not installed */
	RD_DENIED,      /* not permitted (not root) */
	RD_FAILED,
};

enum verdict { V_NONE, V_ACCEPT, V_DROP, V_REJECT, V_JUMP, V_GOTO, V_RETURN, V_DNAT, V_OTHER };

#define CT_NEW 1u
#define CT_ESTABLISHED 2u
#define CT_RELATED 4u
#define CT_INVALID 8u
#define CT_UNTRACKED 16u
#define CT_OTHER 32u

/* One rule of any ruleset, by what it matches and what it does. */
struct rule {
	char *line;                 /* as iptables-save / nft list ruleset print it */
	char tfamily[8];            /* nft table family: ip, ip6, inet...; "" for xt tables */
	char table[64], chain[64];
	int idx;                    /* 1-based within its chain */
	unsigned long handle;       /* nf_tables handle, 0 when unknown */
	char proto[16];             /* "" when any */
	int proto_neg;
	int any_port;               /* no destination port match */
	int port_neg;
	int ports_unread;           /* a port match the doctor cannot read (xt in nft -j) */
	unsigned n_ports;
	struct value_port_range ports[R_MAX_PORTS];
	char src[64];               /* -s / ip saddr: address or network */
	int src_neg;
	char set[64];               /* ip saddr @set (nf_tables), "" none */
	char in[32];
	int in_neg;
	int dst;                    /* -d, -o, daddr: narrower, told in the message */
	unsigned ct;                /* CT_* states, 0 when no conntrack/state match */
	int ct_neg;
	int unknown;                /* a condition the doctor does not read */
	enum verdict verdict;
	char target[64];            /* jump/goto target, xt target name */
	char to[80];                /* DNAT destination "addr[:port]", "" unknown */
	unsigned to_port;           /* DNAT's new port, 0 unchanged or unknown */
};

struct chain {
	char tfamily[8], table[64], name[64];
	char hook[16];              /* "" for a regular chain */
	int prio;
	char policy[16];            /* "-" for an xt user chain */
};

struct set {
	char tfamily[8], table[64], name[64];
	char **elems;
	size_t n_elems;
};

/* One ruleset: the iptables tables of one backend and family, or nf_tables. */
struct ruleset {
	const char *backend;        /* "legacy", "nft", "nftables" */
	const char *family;         /* "inet4", "inet6"; NULL for nf_tables */
	const char *source;         /* the tool it was read with */
	enum rd rd;
	char why[200];              /* when not RD_OK */
	struct chain *chains;
	size_t n_chains;
	struct rule *rules;
	size_t n_rules;
	struct set *sets;
	size_t n_sets;
};

struct host {
	int root;                   /* euid 0 */
	char iptables[4096];        /* the iptables in PATH, resolved; "" none */
	const char *ipt_backend;    /* what it uses: "legacy", "nft", NULL */
	int firewalld;              /* firewalld's table is in the kernel */
};

/* Fail2ban as fail2ban-client tells it. */
struct f2b_jail {
	char name[64];
	char **bans;                /* normalised addresses */
	size_t n_bans;
	char actions[256];          /* its actions, comma-separated; "" unknown */
};
struct f2b {
	enum rd rd;                 /* RD_NONE: not asked, no socket */
	char sock[4096], why[4400];
	struct f2b_jail *jails;
	size_t n_jails;
};

/* A ban held by the kernel, and the jails found there. */
struct kban {
	char jail[64];
	char addr[64];              /* normalised: a.b.c.d or a.b.c.d/len */
	char where[300];            /* the rule or set element that holds it */
};
struct kjail {
	char name[64];
	const char *backend, *family;
	const struct ruleset *rs;   /* where it is */
	const struct set *set;      /* nftables: its set */
	size_t n_bans;
};

struct model {
	const struct opts *o;
	struct host host;
	struct ruleset x[4];        /* legacy inet4, legacy inet6, nft inet4, nft inet6 */
	struct ruleset nft;         /* nf_tables (nft -j list ruleset), iptables-nft's tables too */
	struct f2b f2b;
	struct kban *bans;
	size_t n_bans;
	struct kjail *jails;
	size_t n_jails;
};

/* ---- collect ------------------------------------------------------------------ */

void model_collect(struct model *m, const struct opts *o);
void model_free(struct model *m);

void xsave_load(struct ruleset *x, const char *backend, const char *family);
void nft_load(struct ruleset *n);
/* iptables-nft's tables of family (inet4/6) from the nf_tables ruleset, when
 * iptables-nft-save is not there to print them. */
void nft_xt_tables(struct ruleset *x, const struct ruleset *n, const char *family);
void host_load(struct host *h, const struct ruleset *nft);
void f2b_load(struct f2b *f, const struct opts *o);
void kjails_load(struct model *m);

/* A tool's failure as the model records it: RD_DENIED when not permitted. */
enum rd tool_failure(const char *tool, int rc, const char *err, char *why, size_t n);
int nft_is_xt_table(const char *tfamily, const char *table);
/* The legacy tables of a family: RD_OK when the kernel lists some (reading
 * must not load them), RD_NONE, RD_DENIED... */
enum rd legacy_tables(int v6, char *why, size_t n);

void ruleset_free(struct ruleset *r);
struct rule *ruleset_add_rule(struct ruleset *r);
struct chain *ruleset_add_chain(struct ruleset *r);
const struct chain *ruleset_chain(const struct ruleset *r, const char *tfamily, const char *table,
				  const char *name);
int parse_port_list(const char *text, struct value_port_range *out, unsigned *n);

/* ---- helpers over the model --------------------------------------------------- */

int addr_norm(const char *text, char *buf, size_t n);   /* 0, or -1 when not an address */
int addr_in(const char *net, const struct nfban_addr *addr);
int ports_overlap(const struct value_port_range *a, unsigned na, const struct value_port_range *b,
		  unsigned nb, char *desc, size_t n);
void ports_str(const struct value_port_range *p, unsigned n, char *buf, size_t size);
int fam_wanted(const struct opts *o, const char *family);
const struct f2b_jail *f2b_jail(const struct model *m, const char *name);
const struct kjail *kjail_find(const struct model *m, const char *name);
/* Is any ruleset of family unread (or, family NULL, any at all)?  why: which. */
int model_blind(const struct model *m, const char *family, char *why, size_t n);
/* The command that writes the iptables rules of backend and family, as a user
 * types it: "iptables" when that is what PATH's iptables uses. */
const char *ipt_cmd(const struct model *m, const char *backend, const char *family, char *buf,
		    size_t n);

#endif
