// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * text.h - small text helpers of the value parsers.
 */
#ifndef NFBAN_VALUES_TEXT_H
#define NFBAN_VALUES_TEXT_H

#include <stddef.h>

#pragma GCC visibility push(hidden)

/* Trim ASCII blanks at both ends of [*s, *e). */
void text_trim(const char **s, const char **e);
/* Copy [s, e) into buf (size n); -1 if it does not fit. */
int text_copy(const char *s, const char *e, char *buf, size_t n);
/* A decimal number in [0, max] with nothing else around it. */
int text_uint(const char *s, unsigned long max, unsigned long *out);
/* Split text into at most max blank-separated words inside buf; -1 if too many or too long. */
int text_words(const char *text, char *buf, size_t bufsz, char **w, int max);

/*
 * A value as messages echo it: non-printable bytes as \xNN, and cut to at
 * most 60 characters so the reason after it always fits.  A cut, for length
 * or for the room in buf, always ends in "..." (when buf has 4 bytes).
 */
void text_echo(const char *value, char *buf, size_t n);
/* The size of an echo quoted inside a reason (`why`): short, so the words
 * around it fit. */
#define TEXT_ECHO_WORD 64
/* Make buf (size n) one printable line: control bytes become \xNN (cut at n). */
void text_one_line(char *buf, size_t n);

#pragma GCC visibility pop

#endif
