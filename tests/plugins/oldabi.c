// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin built against an older ABI version (ABI 3 had a pointer per operation). */
#define FIXTURE_NAME "oldabi"
#define FIXTURE_ABI (NFBAN_ABI_VERSION - 1)
#include "fixture.h"
