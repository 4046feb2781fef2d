// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json.h - a small JSON reader for `nft -j` output: the whole text parsed into
 * a tree of values; lookups by key and index.  Strings are decoded (\uXXXX of
 * the BMP as UTF-8); numbers kept as double.
 */
#ifndef NFBAN_DOCTOR_JSON_H
#define NFBAN_DOCTOR_JSON_H

#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	double num;                 /* J_NUM, J_BOOL (0/1) */
	char *str;                  /* J_STR; key of a member */
	char **keys;                /* J_OBJ: keys[i] names kids[i] */
	struct jv *kids;            /* J_ARR, J_OBJ */
	size_t n;
};

/* The tree of text, or NULL (why set) when it is not JSON. */
struct jv *json_parse(const char *text, char *why, size_t n);
void json_free(struct jv *v);
/* o[key] for an object, NULL when absent or o is not an object. */
const struct jv *jget(const struct jv *o, const char *key);
/* The string, or NULL when v is not a string. */
const char *jstr(const struct jv *v);
/* The only key of a one-member object ({"match": {...}}), or NULL. */
const char *jkey1(const struct jv *v);

#endif
