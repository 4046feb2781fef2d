// SPDX-License-Identifier: GPL-2.0-or-later
/* A second well-formed plugin, loaded beside `good`. */
#define FIXTURE_NAME "second"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#include "fixture.h"
