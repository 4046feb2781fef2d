// SPDX-License-Identifier: GPL-2.0-or-later
/* family6.c - the IPv6 family over libip6tc (see family.h). */
#include <string.h>
#include <libiptc/libip6tc.h>

#include "family.h"

static void set_header6(void *p, const struct ipt_rule *r, uint16_t target_offset,
			uint16_t next_offset)
{
	struct ip6t_entry *e = p;

	/* ip6tables sets IP6T_F_PROTO for every -p, `-p all` (0) included. */
	if (r->has_proto) {
		e->ipv6.proto = r->proto;
		e->ipv6.flags |= IP6T_F_PROTO;
	}
	if (r->has_src) {
		unsigned bits = r->src.prefix > 128 ? 128 : r->src.prefix;

		/* The mask, and the address with the host bits cleared, as ip6tables. */
		for (unsigned i = 0; i < 16; i++) {
			unsigned in = bits > i * 8 ? bits - i * 8 : 0;
			uint8_t m = in >= 8 ? 0xff : (uint8_t)(0xff00u >> in);

			e->ipv6.smsk.s6_addr[i] = m;
			e->ipv6.src.s6_addr[i] = r->src.u.v6.s6_addr[i] & m;
		}
	}
	e->target_offset = target_offset;
	e->next_offset = next_offset;
}

static void offsets6(const void *p, uint16_t *target_offset, uint16_t *next_offset)
{
	const struct ip6t_entry *e = p;

	*target_offset = e->target_offset;
	*next_offset = e->next_offset;
}

static bool same_header6(const void *pa, const void *pb)
{
	const struct ip6t_ip6 *a = &((const struct ip6t_entry *)pa)->ipv6;
	const struct ip6t_ip6 *b = &((const struct ip6t_entry *)pb)->ipv6;

	return memcmp(&a->src, &b->src, sizeof(a->src)) == 0 &&
	       memcmp(&a->dst, &b->dst, sizeof(a->dst)) == 0 &&
	       memcmp(&a->smsk, &b->smsk, sizeof(a->smsk)) == 0 &&
	       memcmp(&a->dmsk, &b->dmsk, sizeof(a->dmsk)) == 0 &&
	       memcmp(a->iniface, b->iniface, sizeof(a->iniface)) == 0 &&
	       memcmp(a->outiface, b->outiface, sizeof(a->outiface)) == 0 &&
	       memcmp(a->iniface_mask, b->iniface_mask, sizeof(a->iniface_mask)) == 0 &&
	       memcmp(a->outiface_mask, b->outiface_mask, sizeof(a->outiface_mask)) == 0 &&
	       a->proto == b->proto && a->tos == b->tos && a->flags == b->flags &&
	       a->invflags == b->invflags;
}

static struct xtc_handle *init6(const char *table)
{
	return ip6tc_init(table);
}

static void free6(struct xtc_handle *h)
{
	ip6tc_free(h);
}

static int commit6(struct xtc_handle *h)
{
	return ip6tc_commit(h);
}

static int is_chain6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_is_chain(chain, h);
}

static int builtin6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_builtin(chain, h);
}

static int create_chain6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_create_chain(chain, h);
}

static int delete_chain6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_delete_chain(chain, h);
}

static int flush_entries6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_flush_entries(chain, h);
}

static int get_references6(unsigned *refs, const char *chain, struct xtc_handle *h)
{
	return ip6tc_get_references(refs, chain, h);
}

static const void *first_rule6(const char *chain, struct xtc_handle *h)
{
	return ip6tc_first_rule(chain, h);
}

static const void *next_rule6(const void *prev, struct xtc_handle *h)
{
	return ip6tc_next_rule(prev, h);
}

static const char *get_target6(const void *e, struct xtc_handle *h)
{
	return ip6tc_get_target(e, h);
}

static int insert_entry6(const char *chain, const void *e, unsigned num, struct xtc_handle *h)
{
	return ip6tc_insert_entry(chain, e, num, h);
}

static int append_entry6(const char *chain, const void *e, struct xtc_handle *h)
{
	return ip6tc_append_entry(chain, e, h);
}

static int delete_num_entry6(const char *chain, unsigned num, struct xtc_handle *h)
{
	return ip6tc_delete_num_entry(chain, num, h);
}

const struct ipt_family ipt_family6 = {
	.family = NFBAN_INET6,
	.label = "IPv6",
	.entry_size = sizeof(struct ip6t_entry),
	.set_header = set_header6,
	.offsets = offsets6,
	.same_header = same_header6,
	.init = init6,
	.free = free6,
	.commit = commit6,
	.is_chain = is_chain6,
	.builtin = builtin6,
	.create_chain = create_chain6,
	.delete_chain = delete_chain6,
	.flush_entries = flush_entries6,
	.get_references = get_references6,
	.first_rule = first_rule6,
	.next_rule = next_rule6,
	.get_target = get_target6,
	.insert_entry = insert_entry6,
	.append_entry = append_entry6,
	.delete_num_entry = delete_num_entry6,
};
