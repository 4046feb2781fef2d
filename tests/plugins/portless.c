// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin whose kernel lacks what it needs, and that matches protocols
 * only (no port=): a plugin matching ports cannot take over its jails. */
#define FIXTURE_NAME "portless"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#define FIXTURE_KEYS { "protocol", NFBAN_KEY_PROTOCOLS, "tcp", NULL, NFBAN_KEY_MATCH },
#define FIXTURE_FALLBACK "probe"
#define FIXTURE_NOFEATURE
#include "fixture.h"
