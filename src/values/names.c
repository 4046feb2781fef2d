// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * names.c - the names that end up in the kernel (chains, tables, sets) or
 * in a path (plugins), each rule written once.
 */
#include <ctype.h>
#include <string.h>

#include "values.h"

bool value_jail_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= VALUE_JAIL_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

bool value_xt_chain_ok(const char *s)
{
	size_t len = strlen(s);

	/* iptables would read a leading '-' or '!' as an option or a negation. */
	if (len == 0 || len >= VALUE_XT_NAME_MAX || s[0] == '-' || s[0] == '!')
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s))
			return false;
	return true;
}

bool value_nft_name_ok(const char *s)
{
	if (strlen(s) >= VALUE_NFT_NAME_MAX || (!isalpha((unsigned char)*s) && *s != '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/-_.", *s))
			return false;
	return true;
}

bool value_plugin_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= VALUE_PLUGIN_MAX)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}
