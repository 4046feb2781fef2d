// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * expr.h - the nf_tables expression builders of every nfban rule, written
 * once for the nftables plugin and the iptables plugins' nf_tables backend:
 * each allocates one libnftnl expression, sets exactly the attributes named
 * by its arguments and appends it to rule r.  0, or -ENOMEM (nothing added).
 * Data (compared values, masks, ranges) is in the byte order the register
 * holds it: a payload's network order, a meta key's host order.  Registers
 * are NFT_REG_*; the verdict register is implied by nft_expr_verdict.
 */
#ifndef NFNL_EXPR_H
#define NFNL_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nftnl_rule;

#pragma GCC visibility push(hidden)

/* meta load key (NFT_META_*) => reg dreg */
int nft_expr_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg);
/* payload load len bytes @ base (NFT_PAYLOAD_*_HEADER) + offset => reg dreg */
int nft_expr_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		     uint32_t dreg);
/* cmp op (NFT_CMP_*) reg sreg with len bytes of data */
int nft_expr_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len, uint32_t sreg);
/* cmp op reg sreg with one byte (a protocol number, an NFPROTO_*) */
int nft_expr_cmp_u8(struct nftnl_rule *r, uint32_t op, uint8_t v, uint32_t sreg);
/* cmp op reg sreg with v (host order) in network byte order: a port as a payload loads it */
int nft_expr_cmp_be16(struct nftnl_rule *r, uint32_t op, uint16_t v, uint32_t sreg);
/* bitwise reg dreg = (reg sreg & mask) ^ xor, len bytes each; xor NULL: zeros */
int nft_expr_bitwise(struct nftnl_rule *r, const void *mask, const void *xor, uint32_t len,
		     uint32_t sreg, uint32_t dreg);
/* range op (NFT_RANGE_*) reg sreg from..to, len bytes each */
int nft_expr_range(struct nftnl_rule *r, uint32_t op, const void *from, const void *to,
		   uint32_t len, uint32_t sreg);
/* lookup reg sreg in set `set`, set_id its ID in the same batch */
int nft_expr_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id, uint32_t sreg);
/* immediate verdict (NF_DROP, NF_ACCEPT, NFT_RETURN, NFT_JUMP...) => reg 0; chain for a jump */
int nft_expr_verdict(struct nftnl_rule *r, uint32_t verdict, const char *chain);
/* reject type (NFT_REJECT_*) code */
int nft_expr_reject(struct nftnl_rule *r, uint32_t type, uint8_t code);
/* counter, packets 0 bytes 0 (both attributes sent, as iptables-nft sends them) */
int nft_expr_counter(struct nftnl_rule *r);
/*
 * An xt extension through nft_compat: a `match` (target false) or `target`
 * named name at revision rev, its info the size bytes of data followed by
 * zeros up to len (the caller's XT_ALIGN).  -EINVAL when size > len.
 */
int nft_expr_compat(struct nftnl_rule *r, bool target, const char *name, uint32_t rev,
		    const void *data, size_t size, size_t len);

#pragma GCC visibility pop

#endif /* NFNL_EXPR_H */
