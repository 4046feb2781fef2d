// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz.h - what every libFuzzer harness of tests/fuzz shares: the entry
 * point's prototype, the input as a C string, and an assertion that aborts
 * (libFuzzer then saves the input as a reproducer).
 *
 * A harness feeds one parser the fuzzer's bytes and checks what the parser
 * promises (values.h, text.h, nfban_plugin.h): a violated promise aborts
 * with the promise and the input in the message.
 */
#ifndef NFBAN_FUZZ_H
#define NFBAN_FUZZ_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort naming the broken promise; libFuzzer reports the input. */
#define FUZZ_ASSERT(cond, ...)                                                             \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "fuzz: %s:%d: broken: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* The input as a NUL-terminated string in a buffer of its exact size (so
 * AddressSanitizer sees any read past the end); bytes after a NUL are the
 * caller's to use or ignore.  Free it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* One line within n bytes: NUL-terminated before n, no control byte. */
static inline int fuzz_one_line(const char *s, size_t n)
{
	size_t len = strnlen(s, n);

	if (len >= n)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

#endif
