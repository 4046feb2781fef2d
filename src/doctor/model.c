// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * model.c - the model collected in one place and order (model.h), and the
 * questions the checks ask of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "nft.h"
#include "xsave.h"

static const char *const xbackend[4] = { "legacy", "legacy", "nft", "nft" };
static const char *const xfamily[4] = { "inet4", "inet6", "inet4", "inet6" };

void model_collect(struct model *m, const struct opts *o)
{
	memset(m, 0, sizeof(*m));
	m->o = o;
	nft_load(&m->nft);
	for (int k = 0; k < 4; k++) {
		xsave_load(&m->x[k], xbackend[k], xfamily[k]);
		/* Without the iptables package, nft reads iptables-nft's tables. */
		if (k >= 2 && m->x[k].rd == RD_NOTOOL && m->nft.rd == RD_OK)
			nft_xt_tables(&m->x[k], &m->nft, xfamily[k]);
	}
	host_load(&m->host, &m->nft);
	f2b_load(&m->f2b, o);
	kjails_load(&m->k, o, m->x, &m->nft);
}

void model_free(struct model *m)
{
	for (int k = 0; k < 4; k++)
		ruleset_free(&m->x[k]);
	ruleset_free(&m->nft);
	for (size_t i = 0; i < m->f2b.n_jails; i++) {
		for (size_t b = 0; b < m->f2b.jails[i].n_bans; b++)
			free(m->f2b.jails[i].bans[b]);
		free(m->f2b.jails[i].bans);
	}
	free(m->f2b.jails);
	kjails_free(&m->k);
}

/* ---- questions ---------------------------------------------------------------------- */

const struct f2b_jail *f2b_jail(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->f2b.n_jails; i++)
		if (strcmp(m->f2b.jails[i].name, name) == 0)
			return &m->f2b.jails[i];
	return NULL;
}

const struct kjail *kjail_find(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->k.n_jails; i++)
		if (strcmp(m->k.jails[i].name, name) == 0)
			return &m->k.jails[i];
	return NULL;
}

static const char *rd_word(enum rd rd)
{
	return rd == RD_DENIED ? "not permitted" : rd == RD_NOTOOL ? "tool missing" : "failed";
}

int model_blind(const struct model *m, const char *family, char *why, size_t n)
{
	size_t len = 0;
	int blind = 0;

	if (n)
		why[0] = '\0';
	for (int k = 0; k <= 4; k++) {
		const struct ruleset *r = k < 4 ? &m->x[k] : &m->nft;

		if (r->rd == RD_OK || r->rd == RD_NONE || (family && r->family && strcmp(r->family, family)))
			continue;
		blind = 1;
		if (len < n)
			len += (size_t)snprintf(why + len, n - len, "%s%s (%s)", len ? "; " : "", r->why,
						rd_word(r->rd));
	}
	return blind;
}

const char *ipt_cmd(const struct model *m, const char *backend, const char *family, char *buf,
		    size_t n)
{
	const char *base = strcmp(family, "inet6") == 0 ? "ip6tables" : "iptables";

	if (m->host.ipt_backend && strcmp(m->host.ipt_backend, backend) == 0)
		snprintf(buf, n, "%s", base);
	else
		snprintf(buf, n, "%s-%s", base, backend);
	return buf;
}

