// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fail2ban.c - Fail2ban's own view of its bans against the kernel's: an
 * address Fail2ban lists that the jail's rules do not hold, and the reverse
 * (a ban nothing will ever lift).
 */
#include <stdio.h>
#include <string.h>

#include "checks.h"

static int f2b_lists(const struct f2b_jail *j, const char *addr)
{
	for (size_t i = 0; i < j->n_bans; i++)
		if (strcmp(j->bans[i], addr) == 0)
			return 1;
	return 0;
}

static int kernel_holds(const struct model *m, const char *jail, const char *addr)
{
	for (size_t i = 0; i < m->k.n_bans; i++)
		if (strcmp(m->k.bans[i].jail, jail) == 0 && strcmp(m->k.bans[i].addr, addr) == 0)
			return 1;
	return 0;
}

static size_t missing(const struct model *m, const struct f2b_jail *j, const struct where *w)
{
	size_t n = 0;

	for (size_t i = 0; i < j->n_bans; i++) {
		const char *a = j->bans[i];

		if (kernel_holds(m, j->name, a))
			continue;
		n++;
		finding(SEV_FAIL, "fail2ban.missing", w, NULL, NULL, a, "restart the jail (its start "
			"bans every address again), or ban this one again",
			"Fail2ban lists %s as banned in jail %s, but the kernel does not hold it", a, j->name);
		finding_fix("fail2ban-client set %s unbanip %s\nfail2ban-client set %s banip %s", j->name,
			    a, j->name, a);
	}
	return n;
}

static size_t extra(const struct model *m, const struct f2b_jail *j, const struct where *w)
{
	size_t n = 0;

	for (size_t i = 0; i < m->k.n_bans; i++) {
		const struct kban *b = &m->k.bans[i];

		if (strcmp(b->jail, j->name) != 0 || f2b_lists(j, b->addr))
			continue;
		n++;
		finding(SEV_FAIL, "fail2ban.extra", w, b->where, NULL, b->addr, "ban it in Fail2ban, "
			"whose unban then lifts it (or unban it in the kernel with the jail's action)",
			"the kernel bans %s in jail %s (%s), but Fail2ban does not list it: it will never "
			"be unbanned", b->addr, j->name, b->where);
		finding_fix("fail2ban-client set %s banip %s", j->name, b->addr);
	}
	return n;
}

void check_fail2ban(const struct model *m)
{
	const struct f2b *f = &m->f2b;
	size_t listed = 0;

	if (f->rd == RD_NONE)
		return;
	if (f->rd != RD_OK) {
		finding(f->rd == RD_DENIED ? SEV_UNKNOWN : SEV_WARN, "fail2ban.reach", NULL, NULL, NULL,
			NULL, f->rd == RD_DENIED ? "run the doctor as root" : f->rd == RD_NOTOOL ?
			"put fail2ban-client in PATH" : "start Fail2ban, or give its socket with --socket",
			"%s: Fail2ban's bans not compared with the kernel", f->why);
		return;
	}
	finding(SEV_OK, "fail2ban.reach", NULL, NULL, NULL, NULL, NULL, "Fail2ban answers on %s; "
		"%zu jail%s", f->sock, f->n_jails, f->n_jails == 1 ? "" : "s");
	for (size_t i = 0; i < f->n_jails; i++) {
		const struct f2b_jail *j = &f->jails[i];
		struct where w = { j->name, NULL, NULL };

		if ((m->o->name && strcmp(m->o->name, j->name) != 0) || !kjail_find(m, j->name))
			continue;   /* a jail gone from the kernel is jail.chain's finding */
		listed = missing(m, j, &w);
		listed += extra(m, j, &w);
		if (!listed)
			finding(SEV_OK, "fail2ban.bans", &w, NULL, NULL, NULL, NULL, "Fail2ban's %zu ban%s "
				"of jail %s %s in the kernel, and no other", j->n_bans,
				j->n_bans == 1 ? "" : "s", j->name, j->n_bans == 1 ? "is" : "are all");
	}
}
