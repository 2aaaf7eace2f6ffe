/* SPDX-License-Identifier: MIT */
/* tests/core/version_c.c: starling/version.h compiled as C99, for test_version.cpp. */
#include <string.h>

#include "starling/version.h"

int version_c_matches(void);
const char* version_c_string(void);

int version_c_matches(void) { return strcmp(starling_version(), STARLING_VERSION) == 0; }
const char* version_c_string(void) { return STARLING_VERSION; }
