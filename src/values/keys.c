// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys.c - a key's syntax by its type, and reading a plugin's key table.
 */
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "values.h"

/* A choice: one of the '|'-separated words of `choices`. */
static int check_choice(const char *choices, const char *text, char *why, size_t n)
{
	size_t len = strlen(text);

	for (const char *s = choices; s && *s;) {
		const char *bar = strchr(s, '|'), *e = bar ? bar : s + strlen(s);

		if ((size_t)(e - s) == len && strncmp(s, text, len) == 0)
			return 0;
		s = bar ? bar + 1 : e;
	}
	snprintf(why, n, "not one of %s", choices ? choices : "(none)");
	return -1;
}

int value_check(const struct nfban_key *k, const char *text, char *why, size_t n)
{
	struct value_protos protos;
	struct value_port_range ports[VALUE_MAX_PORTS];
	struct value_xt_target xt;
	struct value_nft_verdict nv;
	unsigned n_ports;
	unsigned long secs;
	uint32_t hook;
	int32_t prio;

	switch (k->type) {
	case NFBAN_KEY_CHOICE:
		return check_choice(k->choices, text, why, n);
	case NFBAN_KEY_PROTOCOLS:
		return value_parse_protocols(text, &protos, why, n);
	case NFBAN_KEY_PORTS:
		return value_parse_ports(text, ports, &n_ports, why, n);
	case NFBAN_KEY_XT_CHAIN:
		if (value_xt_chain_ok(text))
			return 0;
		snprintf(why, n, "not a valid chain name (1 to %d characters, no blanks)",
			 VALUE_XT_NAME_MAX - 1);
		return -1;
	case NFBAN_KEY_XT_TARGET:
		/* Valid for one family at least: the plugin checks the family it runs. */
		if (value_parse_xt_target(text, NFBAN_INET4, &xt, why, n) == 0 ||
		    value_parse_xt_target(text, NFBAN_INET6, &xt, why, n) == 0)
			return 0;
		return value_parse_xt_target(text, NFBAN_INET4, &xt, why, n);
	case NFBAN_KEY_NFT_NAME:
		if (value_nft_name_ok(text))
			return 0;
		snprintf(why, n, strlen(text) >= VALUE_NFT_NAME_MAX ? "longer than %d characters"
								     : "not a valid name",
			 VALUE_NFT_NAME_MAX - 1);
		return -1;
	case NFBAN_KEY_NFT_VERDICT:
		return value_parse_nft_verdict(text, &nv, why, n);
	case NFBAN_KEY_NFT_HOOK:
		return value_parse_nft_hook(text, &hook, why, n);
	case NFBAN_KEY_NFT_PRIORITY:
		return value_parse_nft_priority(text, &prio, why, n);
	case NFBAN_KEY_UNUSED:
		return 0;
	case NFBAN_KEY_SECONDS:
		if (text_uint(text, 3600, &secs) == 0)
			return 0;
		snprintf(why, n, "not a whole number of seconds from 0 to 3600");
		return -1;
	case NFBAN_KEY_IPSET_SECONDS:
		if (text_uint(text, 2147483, &secs) == 0)
			return 0;
		snprintf(why, n, "not a whole number of seconds from 0 to 2147483");
		return -1;
	case NFBAN_KEY_COUNT:
		if (text_uint(text, UINT32_MAX, &secs) == 0 && secs >= 1)
			return 0;
		snprintf(why, n, "not a whole number from 1 to 4294967295");
		return -1;
	}
	snprintf(why, n, "key type %d unknown to this nfban", (int)k->type);
	return -1;
}

int value_key_index(const struct nfban_key *keys, const char *name)
{
	for (int i = 0; keys && keys[i].name; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

const char *value_of(const struct nfban_key *keys, const char *const values[], const char *name)
{
	int i = value_key_index(keys, name);

	return i < 0 ? NULL : values[i];
}

bool value_is(const struct nfban_key *keys, const char *const values[], const char *name,
	      const char *word)
{
	const char *v = value_of(keys, values, name);

	return v && strcmp(v, word) == 0;
}

int value_default(const struct nfban_key *k, enum nfban_family fam, char *buf, size_t n)
{
	struct value_xt_target t;
	char why[NFBAN_MSG_MAX];

	if (!k->def)
		return -1;
	/* A bare REJECT means the target's own type for the family: say which. */
	if (k->type == NFBAN_KEY_XT_TARGET && !strstr(k->def, "--reject-with") &&
	    value_parse_xt_target(k->def, fam, &t, why, sizeof(why)) == 0 && t.kind == VALUE_XT_REJECT)
		return snprintf(buf, n, "%s --reject-with %s", k->def,
				value_xt_reject_name(fam, t.reject_with)) < (int)n ? 0 : -1;
	return snprintf(buf, n, "%s", k->def) < (int)n ? 0 : -1;
}

const char *value_key_type_name(enum nfban_key_type t)
{
	static const char *const names[] = {
		[NFBAN_KEY_CHOICE] = "choice", [NFBAN_KEY_PROTOCOLS] = "protocols",
		[NFBAN_KEY_PORTS] = "ports", [NFBAN_KEY_XT_CHAIN] = "xt_chain",
		[NFBAN_KEY_XT_TARGET] = "xt_target", [NFBAN_KEY_NFT_NAME] = "nft_name",
		[NFBAN_KEY_NFT_VERDICT] = "nft_verdict", [NFBAN_KEY_NFT_HOOK] = "nft_hook",
		[NFBAN_KEY_NFT_PRIORITY] = "nft_priority", [NFBAN_KEY_UNUSED] = "unused",
		[NFBAN_KEY_SECONDS] = "seconds",
	};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : "?";
}
