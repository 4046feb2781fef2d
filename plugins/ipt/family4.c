// SPDX-License-Identifier: GPL-2.0-or-later
/* family4.c - the IPv4 family over libip4tc (see family.h). */
#include <arpa/inet.h>
#include <string.h>
#include <libiptc/libiptc.h>

#include "family.h"

static void set_header4(void *p, const struct ipt_rule *r, uint16_t target_offset,
			uint16_t next_offset)
{
	struct ipt_entry *e = p;

	if (r->has_proto)
		e->ip.proto = r->proto;
	if (r->has_src) {
		uint32_t mask = r->src.prefix == 0 ? 0 : ~0u << (32 - (r->src.prefix > 32 ? 32 : r->src.prefix));

		/* iptables stores the address with the host bits cleared. */
		e->ip.smsk.s_addr = htonl(mask);
		e->ip.src.s_addr = r->src.u.v4.s_addr & e->ip.smsk.s_addr;
	}
	e->target_offset = target_offset;
	e->next_offset = next_offset;
}

static void offsets4(const void *p, uint16_t *target_offset, uint16_t *next_offset)
{
	const struct ipt_entry *e = p;

	*target_offset = e->target_offset;
	*next_offset = e->next_offset;
}

static bool same_header4(const void *pa, const void *pb)
{
	const struct ipt_ip *a = &((const struct ipt_entry *)pa)->ip;
	const struct ipt_ip *b = &((const struct ipt_entry *)pb)->ip;

	return a->src.s_addr == b->src.s_addr && a->dst.s_addr == b->dst.s_addr &&
	       a->smsk.s_addr == b->smsk.s_addr && a->dmsk.s_addr == b->dmsk.s_addr &&
	       memcmp(a->iniface, b->iniface, sizeof(a->iniface)) == 0 &&
	       memcmp(a->outiface, b->outiface, sizeof(a->outiface)) == 0 &&
	       memcmp(a->iniface_mask, b->iniface_mask, sizeof(a->iniface_mask)) == 0 &&
	       memcmp(a->outiface_mask, b->outiface_mask, sizeof(a->outiface_mask)) == 0 &&
	       a->proto == b->proto && a->flags == b->flags && a->invflags == b->invflags;
}

static struct xtc_handle *init4(const char *table)
{
	return iptc_init(table);
}

static void free4(struct xtc_handle *h)
{
	iptc_free(h);
}

static int commit4(struct xtc_handle *h)
{
	return iptc_commit(h);
}

static int is_chain4(const char *chain, struct xtc_handle *h)
{
	return iptc_is_chain(chain, h);
}

static int builtin4(const char *chain, struct xtc_handle *h)
{
	return iptc_builtin(chain, h);
}

static int create_chain4(const char *chain, struct xtc_handle *h)
{
	return iptc_create_chain(chain, h);
}

static int delete_chain4(const char *chain, struct xtc_handle *h)
{
	return iptc_delete_chain(chain, h);
}

static int flush_entries4(const char *chain, struct xtc_handle *h)
{
	return iptc_flush_entries(chain, h);
}

static int get_references4(unsigned *refs, const char *chain, struct xtc_handle *h)
{
	return iptc_get_references(refs, chain, h);
}

static const void *first_rule4(const char *chain, struct xtc_handle *h)
{
	return iptc_first_rule(chain, h);
}

static const void *next_rule4(const void *prev, struct xtc_handle *h)
{
	return iptc_next_rule(prev, h);
}

static const char *get_target4(const void *e, struct xtc_handle *h)
{
	return iptc_get_target(e, h);
}

static int insert_entry4(const char *chain, const void *e, unsigned num, struct xtc_handle *h)
{
	return iptc_insert_entry(chain, e, num, h);
}

static int append_entry4(const char *chain, const void *e, struct xtc_handle *h)
{
	return iptc_append_entry(chain, e, h);
}

static int delete_num_entry4(const char *chain, unsigned num, struct xtc_handle *h)
{
	return iptc_delete_num_entry(chain, num, h);
}

const struct ipt_family ipt_family4 = {
	.family = NFBAN_INET4,
	.label = "IPv4",
	.entry_size = sizeof(struct ipt_entry),
	.set_header = set_header4,
	.offsets = offsets4,
	.same_header = same_header4,
	.init = init4,
	.free = free4,
	.commit = commit4,
	.is_chain = is_chain4,
	.builtin = builtin4,
	.create_chain = create_chain4,
	.delete_chain = delete_chain4,
	.flush_entries = flush_entries4,
	.get_references = get_references4,
	.first_rule = first_rule4,
	.next_rule = next_rule4,
	.get_target = get_target4,
	.insert_entry = insert_entry4,
	.append_entry = append_entry4,
	.delete_num_entry = delete_num_entry4,
};
