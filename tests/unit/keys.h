// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keys.h - what libnfban hands a plugin's configure(), made in a unit test
 * that links the plugin's code alone: one text per row of the key table
 * from "key=value" strings, the table's defaults for the others, every text
 * checked by its type's parser (value_check) as libnfban checks it.
 */
#ifndef NFBAN_TEST_KEYS_H
#define NFBAN_TEST_KEYS_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nfban_plugin.h"
#include "values.h"

#define TEST_KEYS_MAX 32

struct test_keys {
	const char *values[TEST_KEYS_MAX];
	char texts[TEST_KEYS_MAX][256];
	/* libnfban's refusal, "key='value': why", when a text does not pass. */
	char err[NFBAN_MSG_MAX + 64];
};

/* kv: "key=value" strings up to a NULL.  0, or -1 with t->err. */
static inline int test_keys_fill(const struct nfban_key *keys, struct test_keys *t, va_list ap)
{
	const char *kv;
	char why[NFBAN_MSG_MAX];
	int n = 0;

	memset(t, 0, sizeof(*t));
	while (keys[n].name)
		n++;
	while ((kv = va_arg(ap, const char *)) != NULL) {
		const char *eq = strchr(kv, '=');
		int k;

		for (k = 0; eq && k < n; k++)
			if (strlen(keys[k].name) == (size_t)(eq - kv) &&
			    strncmp(keys[k].name, kv, (size_t)(eq - kv)) == 0)
				break;
		if (!eq || k == n) {
			snprintf(t->err, sizeof(t->err), "'%s': unknown key for this plugin", kv);
			return -1;
		}
		snprintf(t->texts[k], sizeof(t->texts[k]), "%s", eq + 1);
		t->values[k] = t->texts[k];
	}
	for (int k = 0; k < n; k++) {
		if (!t->values[k])
			t->values[k] = keys[k].def;
		if (t->values[k] && value_check(&keys[k], t->values[k], why, sizeof(why)) < 0) {
			snprintf(t->err, sizeof(t->err), "%s='%s': %s", keys[k].name, t->values[k], why);
			return -1;
		}
	}
	return 0;
}

/* A refusal is one line and names the key and the value (key_value); cmocka.h comes first. */
static inline void test_assert_refusal(const char *err, const char *key_value)
{
	if (!strstr(err, key_value))
		fail_msg("'%s' does not say '%s'", err, key_value);
	assert_null(strchr(err, '\n'));
}

#endif
