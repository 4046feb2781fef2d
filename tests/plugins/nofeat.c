// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin whose kernel lacks what it needs (start and ban), with port= and
 * protocol= as multiport has them, falling back to probe by default. */
#define FIXTURE_NAME "nofeat"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#define FIXTURE_KEYS \
	{ "port", NFBAN_KEY_PORTS, "ssh", NULL, NFBAN_KEY_MATCH }, \
	{ "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH }, \
	{ "tag", NFBAN_KEY_UNUSED, NULL, NULL, 0 },
#define FIXTURE_FALLBACK "probe"
#define FIXTURE_NOFEATURE
#include "fixture.h"
