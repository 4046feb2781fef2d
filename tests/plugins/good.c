// SPDX-License-Identifier: GPL-2.0-or-later
/* A well-formed plugin. */
#define FIXTURE_NAME "good"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#include "fixture.h"
