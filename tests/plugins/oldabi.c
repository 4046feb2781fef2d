/* A plugin built against another ABI version. */
#define FIXTURE_NAME "oldabi"
#define FIXTURE_ABI (NFBAN_ABI_VERSION + 1)
#include "fixture.h"
