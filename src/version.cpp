// SPDX-License-Identifier: MIT
// src/version.cpp: the version string compiled into the library (starling/version.h).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/version.h"

// The pieces must spell the string: a header edited in one place only fails
// to compile here rather than shipping two versions.
#define STARLING_STR2(x) #x
#define STARLING_STR(x) STARLING_STR2(x)
#define STARLING_VERSION_FROM_PARTS                                                 \
  STARLING_STR(STARLING_VERSION_MAJOR) "." STARLING_STR(STARLING_VERSION_MINOR) "." \
      STARLING_STR(STARLING_VERSION_PATCH)

namespace {
constexpr bool same(const char* a, const char* b) {
  return *a == *b && (*a == '\0' || same(a + 1, b + 1));
}
static_assert(same(STARLING_VERSION, STARLING_VERSION_FROM_PARTS),
              "STARLING_VERSION does not match STARLING_VERSION_MAJOR/MINOR/PATCH");
}  // namespace

extern "C" const char* starling_version(void) { return STARLING_VERSION; }

namespace starling {
const char* version() noexcept { return STARLING_VERSION; }
}  // namespace starling
