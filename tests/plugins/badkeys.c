// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin that declares a key of libnfban's own (fallback=). */
#define FIXTURE_NAME "badkeys"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#define FIXTURE_KEYS { "fallback", NFBAN_KEY_UNUSED, NULL, NULL, 0 },
#include "fixture.h"
