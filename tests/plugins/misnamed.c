// SPDX-License-Identifier: GPL-2.0-or-later
/* A plugin whose descriptor names another plugin than its file. */
#define FIXTURE_NAME "other"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#include "fixture.h"
