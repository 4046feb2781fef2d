// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_text.c - the text helpers every message and parser uses:
 * text_echo() (a value as a message echoes it), text_one_line() (a message
 * made one line), text_words(), text_uint().
 *
 * Input: byte 0 is the buffer size n for echo and one-line (0..255), byte 1
 * the buffer size for words, byte 2 their maximum count; the rest is the
 * text (up to a NUL).  Buffers are allocated at their exact size, so
 * AddressSanitizer sees a write past them.
 *
 * Promised (text.h): text_echo() writes one line of printable ASCII within
 * n bytes, the value's bytes as they are or as \xNN (a backslash always
 * escaped): the whole value when it fits, else its start and "..." (at
 * most 60 bytes of it, all 60 when n leaves room for 60 escapes and the
 * "...", at least one from 8 bytes on; below 4 bytes, a start without
 * "..."); text_one_line()
 * leaves one line without control bytes within n, and a line that had none
 * as it was; text_words() splits at blanks into at most max words, -1 when
 * the text or the count does not fit; text_uint() takes exactly a decimal
 * number within [0, max].
 */
#include <limits.h>

#include "fuzz.h"
#include "text.h"

#define ECHO_MAX 60

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode an echo into out: -1 when it is not escapes and printable bytes. */
static long decode(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
			return -1;
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		if (i + 3 >= len || s[i + 1] != 'x' || hex(s[i + 2]) < 0 || hex(s[i + 3]) < 0)
			return -1;
		out[o++] = (char)(hex(s[i + 2]) * 16 + hex(s[i + 3]));
		i += 3;
	}
	return (long)o;
}

static void check_echo(const char *value, size_t n)
{
	char *buf = malloc(n ? n : 1), out[256];
	size_t vlen = strlen(value), blen;
	long k;

	if (!buf)
		abort();
	text_echo(value, buf, n);
	if (n == 0)
		goto out;
	blen = strnlen(buf, n);
	FUZZ_ASSERT(blen < n, "echo of '%s' not terminated within %zu", value, n);
	k = decode(buf, blen, out);
	if (vlen <= ECHO_MAX && k >= 0 && (size_t)k == vlen && !memcmp(out, value, vlen)) {
		/* All of it. */
	} else if (n < 4) {
		/* No room for "...": a start of it, or nothing. */
		FUZZ_ASSERT(k >= 0 && (size_t)k <= vlen && !memcmp(out, value, (size_t)k),
			    "echo '%s' of '%s' in %zu bytes", buf, value, n);
	} else {
		/* Cut: what is shown (something, from 8 bytes on), then "...". */
		FUZZ_ASSERT(blen >= 3 && !strcmp(buf + blen - 3, "..."), "echo '%s' of '%s' is no prefix", buf,
			    value);
		k = decode(buf, blen - 3, out);
		FUZZ_ASSERT(k >= (n >= 8) && k <= ECHO_MAX && (size_t)k < vlen && !memcmp(out, value, (size_t)k),
			    "echo '%s' of '%s' is not its start and '...'", buf, value);
		/* With room for 60 escapes, the first 60. */
		FUZZ_ASSERT(n < 4 * ECHO_MAX + 4 || k == ECHO_MAX, "echo '%s' of '%s' in %zu bytes", buf, value, n);
	}
out:
	free(buf);
}

static void check_one_line(const char *text, size_t n)
{
	char *buf;
	size_t len = strlen(text);

	if (n == 0)
		return;
	buf = malloc(n);
	if (!buf)
		abort();
	if (len >= n)
		len = n - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	{
		char *before = strdup(buf);
		int clean = fuzz_one_line(before, n);

		text_one_line(buf, n);
		FUZZ_ASSERT(fuzz_one_line(buf, n), "'%s' in %zu bytes not made one line", before, n);
		FUZZ_ASSERT(!clean || !strcmp(buf, before), "one line '%s' changed to '%s'", before, buf);
		free(before);
	}
	free(buf);
}

static void check_words(const char *text, size_t bufsz, int max)
{
	char *buf = malloc(bufsz ? bufsz : 1), *w[8], joined[512];
	int nw = text_words(text, buf, bufsz, w, max), count = 0;
	size_t len = strlen(text), o = 0;

	if (!buf)
		abort();
	/* The words by hand: runs of anything but blanks, one blank between. */
	for (size_t i = 0; i < len;) {
		size_t e;

		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i == len)
			break;
		for (e = i; e < len && text[e] != ' ' && text[e] != '\t'; e++)
			;
		if (o + (e - i) + 2 < sizeof(joined))
			o += (size_t)snprintf(joined + o, sizeof(joined) - o, count ? " %.*s" : "%.*s",
					      (int)(e - i), text + i);
		count++;
		i = e;
	}
	if (len >= bufsz || count > max) {
		FUZZ_ASSERT(nw == -1, "'%s' (%zu in %zu, %d words of %d) split into %d", text, len, bufsz, count,
			    max, nw);
		goto out;
	}
	FUZZ_ASSERT(nw == count, "'%s': %d words, expected %d", text, nw, count);
	o = 0;
	for (int i = 0; i < nw; i++) {
		FUZZ_ASSERT(w[i] >= buf && w[i] + strlen(w[i]) < buf + bufsz && w[i][0] &&
				    !strpbrk(w[i], " \t"),
			    "'%s': word %d '%s'", text, i, w[i]);
		FUZZ_ASSERT(!strncmp(joined + o, w[i], strlen(w[i])), "'%s': word %d is '%s'", text, i, w[i]);
		o += strlen(w[i]) + 1;
	}
out:
	free(buf);
}

static void check_uint(const char *s, unsigned long max)
{
	unsigned long v = 0, got = ULONG_MAX;
	int expect = s[0] != '\0';

	for (const char *p = s; expect && *p; p++) {
		if (*p < '0' || *p > '9' || v > (ULONG_MAX - (unsigned long)(*p - '0')) / 10)
			expect = 0;
		else
			v = v * 10 + (unsigned long)(*p - '0');
	}
	expect = expect && v <= max;
	FUZZ_ASSERT((text_uint(s, max, &got) == 0) == expect, "'%s' within %lu: %d", s, max, !expect);
	FUZZ_ASSERT(!expect || got == v, "'%s' read as %lu", s, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned long maxima[] = { 0, 255, 3600, 65535, ULONG_MAX };
	char *text;

	if (size < 3)
		return 0;
	text = fuzz_string(data + 3, size - 3);
	check_echo(text, data[0]);
	check_one_line(text, data[0]);
	check_words(text, data[1], 1 + data[2] % 8);
	for (size_t i = 0; i < sizeof(maxima) / sizeof(maxima[0]); i++)
		check_uint(text, maxima[i]);
	free(text);
	return 0;
}
