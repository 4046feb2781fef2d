// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * values.h - the parsers of Fail2ban's tag values, written once and shared by
 * libnfban (syntax of every key, by its type) and the plugins (meaning of
 * their own keys).  Linked statically into each; nothing here is exported.
 *
 * Every parser fills `why` (one line, without the key: the caller names it)
 * and returns -1 when the text is wrong; it never touches the kernel.
 */
#ifndef NFBAN_VALUES_H
#define NFBAN_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nfban_plugin.h"

#pragma GCC visibility push(hidden)

#define VALUE_JAIL_MAX 64       /* Fail2ban jail name, NUL included */
#define VALUE_XT_NAME_MAX 29    /* iptables chain/target name: XT_EXTENSION_MAXNAMELEN */
#define VALUE_NFT_NAME_MAX 128  /* nft table / chain name (NFT_NAME_MAXLEN 256, nft's limit 128) */
#define VALUE_MAX_PROTOS 8      /* protocols in one `protocol=` list */
/* Port entries (single or range) per protocol.  Stock nft takes any number
 * in an anonymous set; 1024 ranges are 2049 interval elements, about 41 KiB,
 * which still fit the one NEWSETELEM message (a 64 KiB attribute) the
 * nftables plugin sends for a rule's set. */
#define VALUE_MAX_PORTS 1024
#define VALUE_PLUGIN_MAX 32     /* plugin names, NUL included */

/* ---- names ------------------------------------------------------------------ */

/* Jail names end up in chain and set names: [A-Za-z0-9_.-], 1..63. */
bool value_jail_name_ok(const char *s);
/* What iptables takes as a chain name (and so as a jump target), 1..28. */
bool value_xt_chain_ok(const char *s);
/* nft identifiers: a letter or '_', then letters, digits, '/', '-', '_', '.'; 1..127. */
bool value_nft_name_ok(const char *s);
/* Plugin names: [a-z0-9_-], 1..31. */
bool value_plugin_name_ok(const char *s);

/* ---- a jail's kernel names (naming.c) ----------------------------------------- */

/* The nftables plugin's (and stock nftables') default table and chain. */
#define VALUE_NFT_TABLE_DEFAULT "f2b-table"
#define VALUE_NFT_CHAIN_DEFAULT "f2b-chain"
/* The iptables plugins' chain of a jail, f2b-<jail>; -1 when it is longer than
 * an iptables chain name can be (or than n). */
int value_xt_jail_chain(const char *jail, char *buf, size_t n);
/* The jail of such a chain, or NULL when chain is no jail's. */
const char *value_xt_chain_jail(const char *chain);
/* The nftables plugin's set of a jail: addr-set-<jail>, addr6-set-<jail>. */
int value_nft_jail_set(const char *jail, enum nfban_family family, char *buf, size_t n);
/* The jail of such a set (and its family), or NULL. */
const char *value_nft_set_jail(const char *set, enum nfban_family *family);

/* ---- protocols and ports ------------------------------------------------------ */

/* A port or an inclusive range, host byte order; first == last for one port. */
struct value_port_range {
	uint16_t first;
	uint16_t last;
};

/* One protocol of `protocol=`, with `port=` resolved for it (n_ports 0 when unused). */
struct value_proto {
	uint8_t number;                 /* IPPROTO_*; 0 is "all" */
	char name[16];                  /* canonical: "tcp", "udp", "all"... */
	unsigned n_ports;
	struct value_port_range ports[VALUE_MAX_PORTS];
};

struct value_protos {
	unsigned n;
	struct value_proto v[VALUE_MAX_PROTOS];
};

/* Protocols that carry ports and that every port-using plugin can match on. */
bool value_proto_has_ports(uint8_t number);
/* Every protocol of the list is tcp (tcp-reset needs that). */
bool value_protos_only_tcp(const struct value_protos *p);

/* `protocol=`: names or numbers, or "all"; no duplicates. */
int value_parse_protocols(const char *text, struct value_protos *p, char *why, size_t n);
/*
 * `port=`: numbers, service names, ranges a:b (":b", "a:").  A name is the
 * port nft gives it, whatever the protocol (services.h), so every plugin
 * gets the same port set.
 */
int value_parse_ports(const char *text, struct value_port_range *out, unsigned *n_out, char *why,
		      size_t n);
/*
 * protocol= and port= together, for a plugin's configure(): the protocols,
 * and when `ports` is not NULL each one's ports (every protocol must then
 * carry ports).  NFBAN_BADPARAM naming the key at fault.
 */
enum nfban_status value_match_keys(const char *protocols, const char *ports,
				   struct value_protos *out, struct nfban_report *r);
/* Its two halves: the protocols (with_ports: each must carry ports), then the ports into
 * each of them (no file is read before the second: service names are resolved there). */
enum nfban_status value_match_protocols(const char *protocols, bool with_ports,
					struct value_protos *out, struct nfban_report *r);
enum nfban_status value_match_ports(const char *ports, struct value_protos *out,
				    struct nfban_report *r);

/* ---- addresses ---------------------------------------------------------------- */

/* "a.b.c.d[/len]" or an IPv6 address[/len]; host bits cleared. */
int value_parse_addr(const char *text, struct nfban_addr *a, char *why, size_t n);
/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d[/96+n]) becomes a.b.c.d[/n]. */
void value_addr_unmap(struct nfban_addr *a);
/*
 * A ban that would lock out everyone or nobody real: prefix 0, the
 * unspecified, broadcast, loopback or multicast addresses (or a network
 * inside those).  true with why.
 */
bool value_addr_special(const struct nfban_addr *a, char *why, size_t n);
/* As iptables prints it: the address, "/len" when not a single host. */
void value_addr_str(const struct nfban_addr *a, char *buf, size_t n);

/* ---- iptables targets (blocktype, returntype) ---------------------------------- */

enum value_xt_kind {
	VALUE_XT_ACCEPT,
	VALUE_XT_DROP,
	VALUE_XT_RETURN,
	VALUE_XT_REJECT,                /* reject_with holds the type */
	VALUE_XT_JUMP,                  /* jump to the user chain `chain` */
};

struct value_xt_target {
	enum value_xt_kind kind;
	/* REJECT: the kernel's enum ipt_reject_with (inet4) or ip6t_reject_with
	 * (inet6); the two numberings differ. */
	int reject_with;
	char chain[VALUE_XT_NAME_MAX];  /* JUMP only */
};

int value_parse_xt_target(const char *text, enum nfban_family fam, struct value_xt_target *t,
			  char *why, size_t n);
/* The REJECT type of family `to` nearest to `with`, a type of the other family; -1 if none. */
int value_xt_reject_counterpart(enum nfban_family to, int with);
/*
 * value_parse_xt_target(), except that a REJECT type of the other family is
 * taken as its counterpart for fam: *mapped is then the type given (of the
 * other family), else -1.
 */
int value_parse_xt_target_mapped(const char *text, enum nfban_family fam, struct value_xt_target *t,
				 int *mapped, char *why, size_t n);
/* --reject-with's name for a type of the family, "?" if none. */
const char *value_xt_reject_name(enum nfban_family fam, int with);

/* ---- nft words ------------------------------------------------------------------ */

enum value_nft_kind {
	VALUE_NFT_DROP,
	VALUE_NFT_REJECT,
};

enum value_nft_reject {
	VALUE_NFT_REJECT_DEFAULT,       /* plain `reject` */
	VALUE_NFT_REJECT_ICMP,          /* reject with icmp type <code>   */
	VALUE_NFT_REJECT_ICMPV6,        /* reject with icmpv6 type <code> */
	VALUE_NFT_REJECT_ICMPX,         /* reject with icmpx type <code>  */
	VALUE_NFT_REJECT_TCP_RESET,     /* reject with tcp reset          */
};

struct value_nft_verdict {
	enum value_nft_kind kind;
	enum value_nft_reject reject;
	/* ICMP: ICMP_*UNREACH code (linux/icmp.h); ICMPV6: ICMPV6_* code
	 * (linux/icmpv6.h); ICMPX: NFT_REJECT_ICMPX_* (linux/netfilter/nf_tables.h). */
	uint8_t icmp_code;
};

int value_parse_nft_verdict(const char *text, struct value_nft_verdict *v, char *why, size_t n);
/* prerouting, input, forward, output, postrouting -> NF_INET_* */
int value_parse_nft_hook(const char *text, uint32_t *hook, char *why, size_t n);
/* An integer, or a standard priority name with an optional +N / -N. */
int value_parse_nft_priority(const char *text, int32_t *prio, char *why, size_t n);

/* ---- keys ------------------------------------------------------------------------- */

/* The syntax check of a key's type: 0, or -1 with why. */
int value_check(const struct nfban_key *k, const char *text, char *why, size_t n);
/* Index of key `name` in a descriptor's table, or -1. */
int value_key_index(const struct nfban_key *keys, const char *name);
/* The value of key `name` (NULL when the table has no such key or it is unset). */
const char *value_of(const struct nfban_key *keys, const char *const values[], const char *name);
/* A choice key's value is `word`. */
bool value_is(const struct nfban_key *keys, const char *const values[], const char *name,
	      const char *word);

/*
 * A key's default for a family, as the stock action spells it (a bare REJECT
 * with the target's own type for the family: "REJECT --reject-with
 * icmp6-port-unreachable"); -1 when the key has none or buf is too small.
 */
int value_default(const struct nfban_key *k, enum nfban_family fam, char *buf, size_t n);
/* The type's name for hosts ("ports", "xt_target", ...; "?" if unknown). */
const char *value_key_type_name(enum nfban_key_type t);

#pragma GCC visibility pop

#endif /* NFBAN_VALUES_H */
