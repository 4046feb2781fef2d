// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ruleset.h - a ruleset of any source as the doctor models it: rules by what
 * they match and what they do, chains with their hooks, sets with their
 * elements, and how it was read; the questions asked of addresses and ports.
 */
#ifndef NFBAN_DOCTOR_RULESET_H
#define NFBAN_DOCTOR_RULESET_H

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

struct rule *ruleset_add_rule(struct ruleset *r);
struct chain *ruleset_add_chain(struct ruleset *r);
const struct chain *ruleset_chain(const struct ruleset *r, const char *tfamily, const char *table,
				  const char *name);
void ruleset_free(struct ruleset *r);
/* A tool's failure as a ruleset records it: RD_DENIED when not permitted. */
enum rd tool_failure(const char *tool, int rc, const char *err, char *why, size_t n);

int addr_norm(const char *text, char *buf, size_t n);   /* 0, or -1 when not an address */
int addr_in(const char *net, const struct nfban_addr *addr);
int ports_overlap(const struct value_port_range *a, unsigned na, const struct value_port_range *b,
		  unsigned nb, char *desc, size_t n);
void ports_str(const struct value_port_range *p, unsigned n, char *buf, size_t size);

#endif
