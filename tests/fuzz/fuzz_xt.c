// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_xt.c - blocktype= / returntype= of the iptables plugins:
 * value_parse_xt_target(), value_parse_xt_target_mapped(), and the
 * NFBAN_KEY_XT_TARGET check libnfban runs before configure().
 *
 * Promised (values.h, verdict.c): an accepted target is ACCEPT, DROP,
 * RETURN, REJECT with a type --reject-with names for the family, or a jump
 * to a valid chain name that is none of those words; written back as
 * iptables takes it ("REJECT --reject-with NAME", the chain) it parses to
 * the same target.  The key check accepts exactly what one family accepts,
 * and what it accepts, the mapped parse of configure() takes for either
 * family (a REJECT type of the other family becomes a type of this one,
 * its counterpart, and says which it was).  A refusal says why in one line.
 */
#include "fuzz.h"
#include "values.h"

static const enum nfban_family fams[2] = { NFBAN_INET4, NFBAN_INET6 };

static void format(const struct value_xt_target *t, enum nfban_family fam, char *buf, size_t n)
{
	switch (t->kind) {
	case VALUE_XT_ACCEPT: snprintf(buf, n, "ACCEPT"); break;
	case VALUE_XT_DROP: snprintf(buf, n, "DROP"); break;
	case VALUE_XT_RETURN: snprintf(buf, n, "RETURN"); break;
	case VALUE_XT_REJECT: snprintf(buf, n, "REJECT --reject-with %s", value_xt_reject_name(fam, t->reject_with)); break;
	case VALUE_XT_JUMP: snprintf(buf, n, "%s", t->chain); break;
	}
}

static void check_target(const struct value_xt_target *t, enum nfban_family fam, const char *text)
{
	struct value_xt_target u;
	char buf[128], why[NFBAN_MSG_MAX];

	FUZZ_ASSERT(t->kind >= VALUE_XT_ACCEPT && t->kind <= VALUE_XT_JUMP, "'%s': kind %d", text, (int)t->kind);
	if (t->kind == VALUE_XT_REJECT)
		FUZZ_ASSERT(strcmp(value_xt_reject_name(fam, t->reject_with), "?"),
			    "'%s': reject type %d has no name for inet%d", text, t->reject_with, (int)fam);
	if (t->kind == VALUE_XT_JUMP) {
		FUZZ_ASSERT(memchr(t->chain, '\0', sizeof(t->chain)) && value_xt_chain_ok(t->chain),
			    "'%s': jump to an invalid chain", text);
		FUZZ_ASSERT(strcmp(t->chain, "ACCEPT") && strcmp(t->chain, "DROP") &&
				    strcmp(t->chain, "RETURN") && strcmp(t->chain, "REJECT"),
			    "'%s': a built-in target taken as a chain", text);
	}
	format(t, fam, buf, sizeof(buf));
	FUZZ_ASSERT(value_parse_xt_target(buf, fam, &u, why, sizeof(why)) == 0, "'%s' written as '%s': %s",
		    text, buf, why);
	FUZZ_ASSERT(u.kind == t->kind && u.reject_with == t->reject_with && !strcmp(u.chain, t->chain),
		    "'%s' written as '%s' is another target", text, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), why[NFBAN_MSG_MAX];
	struct value_xt_target t[2], m;
	struct nfban_key key = { "blocktype", NFBAN_KEY_XT_TARGET, NULL, NULL, 0 };
	int ok[2], checked, mapped;

	for (int f = 0; f < 2; f++) {
		why[0] = '\0';
		ok[f] = value_parse_xt_target(text, fams[f], &t[f], why, sizeof(why)) == 0;
		if (ok[f])
			check_target(&t[f], fams[f], text);
		else
			FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s' refused without a reason line",
				    text);
	}
	/* Only REJECT's type depends on the family. */
	if (ok[0] && ok[1])
		FUZZ_ASSERT(t[0].kind == t[1].kind && !strcmp(t[0].chain, t[1].chain),
			    "'%s': another target per family", text);
	else if (ok[0] || ok[1])
		FUZZ_ASSERT(t[ok[0] ? 0 : 1].kind == VALUE_XT_REJECT, "'%s': only one family takes it", text);

	why[0] = '\0';
	checked = value_check(&key, text, why, sizeof(why)) == 0;
	FUZZ_ASSERT(checked == (ok[0] || ok[1]), "'%s': the key check says %d", text, checked);
	if (!checked)
		FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s': check refused without a reason", text);

	for (int f = 0; f < 2; f++) {
		int rc = value_parse_xt_target_mapped(text, fams[f], &m, &mapped, why, sizeof(why));

		FUZZ_ASSERT((rc == 0) == checked, "'%s': checked %d, configure's parse for inet%d %d", text,
			    checked, (int)fams[f], rc);
		if (rc < 0)
			continue;
		check_target(&m, fams[f], text);
		if (ok[f]) {
			FUZZ_ASSERT(mapped == -1 && !memcmp(&m, &t[f], sizeof(m)), "'%s': mapped though valid", text);
		} else {
			/* A type of the other family, taken as this family's counterpart. */
			FUZZ_ASSERT(m.kind == VALUE_XT_REJECT && mapped == t[!f].reject_with &&
					    m.reject_with == value_xt_reject_counterpart(fams[f], mapped),
				    "'%s': mapped %d to %d for inet%d", text, mapped, m.reject_with, (int)fams[f]);
		}
	}
	free(text);
	return 0;
}
