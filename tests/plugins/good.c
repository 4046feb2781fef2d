/* A well-formed plugin. */
#define FIXTURE_NAME "good"
#define FIXTURE_ABI NFBAN_ABI_VERSION
#include "fixture.h"
