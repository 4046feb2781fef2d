// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * entry.c - struct ipt_rule to ipt_entry/ip6t_entry blobs, and the semantic
 * comparison of a rule found in a chain with a wanted one (see rule.h).
 *
 * Layout (linux/netfilter_ipv4/ip_tables.h):
 *   [entry header][match 1]...[match n][target]
 *   ^0            ^entry_size          ^target_offset  ^next_offset
 * Every match is a struct xt_entry_match plus payload and every target a
 * struct xt_entry_target plus payload, each rounded up with XT_ALIGN, sizes
 * (match_size, target_size) including header and padding.
 */
#include <netinet/in.h> /* before any linux/ header: they share definitions */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter/x_tables.h>

#include "family.h"
#include "rule.h"

int ipt_blob_encode(const struct ipt_family *f, const struct ipt_rule *r, struct ipt_blob *b)
{
	size_t msize[IPT_MATCHES_MAX], tsize, off, len;
	unsigned char *e;

	memset(b, 0, sizeof(*b));
	if (r->n_matches > IPT_MATCHES_MAX) {
		errno = EINVAL;
		return -1;
	}
	len = XT_ALIGN(f->entry_size);
	for (unsigned i = 0; i < r->n_matches; i++) {
		msize[i] = XT_ALIGN(sizeof(struct xt_entry_match) + r->match[i].size);
		len += msize[i];
	}
	tsize = XT_ALIGN(sizeof(struct xt_entry_target) + r->target.size);
	/* Offsets and sizes are 16 bits in the kernel's structs. */
	if (len + tsize > UINT16_MAX) {
		errno = E2BIG;
		return -1;
	}
	e = calloc(1, len + tsize);
	if (!e) {
		errno = ENOMEM;
		return -1;
	}
	f->set_header(e, r, (uint16_t)len, (uint16_t)(len + tsize));
	off = XT_ALIGN(f->entry_size);
	for (unsigned i = 0; i < r->n_matches; i++) {
		struct xt_entry_match *m = (struct xt_entry_match *)(e + off);

		m->u.user.match_size = (uint16_t)msize[i];
		memcpy(m->u.user.name, r->match[i].name, sizeof(m->u.user.name));
		m->u.user.revision = r->match[i].revision;
		memcpy(m->data, r->match[i].data, r->match[i].size);
		off += msize[i];
	}
	{
		struct xt_entry_target *t = (struct xt_entry_target *)(e + off);

		t->u.user.target_size = (uint16_t)tsize;
		memcpy(t->u.user.name, r->target.name, sizeof(t->u.user.name));
		t->u.user.revision = r->target.revision;
		memcpy(t->data, r->target.data, r->target.size);
	}
	b->entry = e;
	b->len = len + tsize;
	b->standard = r->standard;
	return 0;
}

void ipt_blob_free(struct ipt_blob *b)
{
	free(b->entry);
	memset(b, 0, sizeof(*b));
}

/* Names are NUL-padded in their fixed arrays; compare them as strings. */
static bool same_name(const char *a, const char *b, size_t n)
{
	return strncmp(a, b, n) == 0;
}

bool ipt_blob_same(const struct ipt_family *f, const void *have, const char *have_target,
		   const struct ipt_blob *want)
{
	const unsigned char *h = have, *w = want->entry;
	uint16_t hto, hno, wto, wno;
	const struct xt_entry_target *ht, *wt;
	size_t ho, wo;

	f->offsets(have, &hto, &hno);
	f->offsets(w, &wto, &wno);
	if (!f->same_header(have, w) || hto != wto || hno != wno)
		return false;
	/* Matches, in order.  Equal target offsets and equal match sizes keep
	 * both walks in step, so one bound check serves both. */
	ho = wo = XT_ALIGN(f->entry_size);
	while (wo < wto) {
		const struct xt_entry_match *hm = (const void *)(h + ho);
		const struct xt_entry_match *wm = (const void *)(w + wo);
		uint16_t size;

		if (wo + sizeof(*wm) > wto)
			return false;
		size = wm->u.user.match_size;
		if (size < sizeof(*wm) || wo + size > wto || hm->u.user.match_size != size ||
		    !same_name(hm->u.user.name, wm->u.user.name, sizeof(wm->u.user.name)) ||
		    hm->u.user.revision != wm->u.user.revision ||
		    memcmp(hm->data, wm->data, size - sizeof(*wm)) != 0)
			return false;
		ho += size;
		wo += size;
	}
	if (ho != hto)
		return false;
	ht = (const void *)(h + hto);
	wt = (const void *)(w + wto);
	if (!have_target || !same_name(have_target, wt->u.user.name, sizeof(wt->u.user.name)))
		return false;
	/* A verdict or a jump: libiptc's name for it says everything. */
	if (want->standard)
		return ht->u.user.target_size == wt->u.user.target_size;
	return ht->u.user.target_size == wt->u.user.target_size &&
	       ht->u.user.revision == wt->u.user.revision &&
	       memcmp(ht->data, wt->data, wt->u.user.target_size - sizeof(*wt)) == 0;
}
