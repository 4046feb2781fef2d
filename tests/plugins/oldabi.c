/* A plugin built against an older ABI version (ABI 1 had no key tables). */
#define FIXTURE_NAME "oldabi"
#define FIXTURE_ABI (NFBAN_ABI_VERSION - 1)
#include "fixture.h"
