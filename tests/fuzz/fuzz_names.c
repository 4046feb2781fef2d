// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_names.c - the names that reach the kernel or a path:
 * value_jail_name_ok(), value_xt_chain_ok(), value_nft_name_ok(),
 * value_plugin_name_ok(), and the key checks built on them.
 *
 * Promised (values.h), in ASCII whatever the locale:
 *   jail     [A-Za-z0-9_.-], 1..63 characters
 *   xt chain printable, no blank, not starting with '-' or '!', 1..28
 *   nft      a letter or '_', then letters, digits, '/', '-', '_', '.'; 1..127
 *   plugin   [a-z0-9_-], 1..31
 * and the NFBAN_KEY_XT_CHAIN / NFBAN_KEY_NFT_NAME checks accept exactly
 * the names of their kind, refusing the rest with one line.
 */
#include "fuzz.h"
#include "values.h"

static int in(const char *set, char c)
{
	return c && strchr(set, c);
}

static int alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

static int all(const char *s, int (*ok)(char))
{
	for (; *s; s++)
		if (!ok(*s))
			return 0;
	return 1;
}

static int jail_char(char c) { return alpha(c) || digit(c) || in("_.-", c); }
static int xt_char(char c) { return c > ' ' && c < 0x7f; }
static int nft_char(char c) { return alpha(c) || digit(c) || in("/-_.", c); }
static int plugin_char(char c) { return (c >= 'a' && c <= 'z') || digit(c) || in("_-", c); }

static void check_key(enum nfban_key_type type, const char *s, int ok)
{
	struct nfban_key key = { "k", type, NULL, NULL, 0 };
	char why[NFBAN_MSG_MAX] = "";
	int rc = value_check(&key, s, why, sizeof(why));

	FUZZ_ASSERT((rc == 0) == ok, "key type %d, '%s': check %d, name rule %d", (int)type, s, rc, ok);
	if (rc < 0)
		FUZZ_ASSERT(why[0] && fuzz_one_line(why, sizeof(why)), "'%s' refused without a reason line", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	size_t len = strlen(s);
	int jail = len >= 1 && len <= 63 && all(s, jail_char);
	int xt = len >= 1 && len <= 28 && s[0] != '-' && s[0] != '!' && all(s, xt_char);
	int nft = len >= 1 && len <= 127 && (alpha(s[0]) || s[0] == '_') && all(s, nft_char);
	int plugin = len >= 1 && len <= 31 && all(s, plugin_char);

	FUZZ_ASSERT(value_jail_name_ok(s) == jail, "jail name '%s': %d", s, !jail);
	FUZZ_ASSERT(value_xt_chain_ok(s) == xt, "chain name '%s': %d", s, !xt);
	FUZZ_ASSERT(value_nft_name_ok(s) == nft, "nft name '%s': %d", s, !nft);
	FUZZ_ASSERT(value_plugin_name_ok(s) == plugin, "plugin name '%s': %d", s, !plugin);
	check_key(NFBAN_KEY_XT_CHAIN, s, xt);
	check_key(NFBAN_KEY_NFT_NAME, s, nft);
	free(s);
	return 0;
}
