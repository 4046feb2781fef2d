// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * result.h - filling a host's struct nfban_result (nfban.h): libnfban's
 * report fillers, below every other file of src/lib that answers a host.
 */
#ifndef NFBAN_LIB_RESULT_H
#define NFBAN_LIB_RESULT_H

#include <stddef.h>

#include "nfban.h"

#pragma GCC visibility push(hidden)

/* res->status and res->message (one printf); returns status. */
int result_fail(struct nfban_result *res, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* NFBAN_BAD_INPUT: "<key>='<value>': <why>", key (keylen bytes: the host's
 * text, maybe not NUL-terminated there) and value echoed and cut. */
int result_bad_key(struct nfban_result *res, const char *key, size_t keylen, const char *value,
		   const char *why);
/* Append a line to res->notice ("; " between lines). */
void result_notice(struct nfban_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#pragma GCC visibility pop

#endif
