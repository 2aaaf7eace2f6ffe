// SPDX-License-Identifier: MIT
// The version macros, starling_version() and starling::version() agree: the
// library reports the version of the headers it was built from, from C++ and
// from C (version_c.c is compiled as C99 against the same header).
#include <cstdio>
#include <cstring>

#include "check.hpp"
#include "starling/starling.hpp"

extern "C" int version_c_matches(void);
extern "C" const char* version_c_string(void);

TEST_CASE(run_time_string_is_the_header_string) {
  CHECK(starling_version() != nullptr);
  CHECK(starling::version() != nullptr);
  CHECK(std::strcmp(starling_version(), STARLING_VERSION) == 0);
  CHECK(std::strcmp(starling::version(), STARLING_VERSION) == 0);
}

TEST_CASE(string_spells_the_numbers) {
  char want[32];
  std::snprintf(want, sizeof want, "%d.%d.%d", STARLING_VERSION_MAJOR, STARLING_VERSION_MINOR,
                STARLING_VERSION_PATCH);
  CHECK(std::strcmp(want, STARLING_VERSION) == 0);
  CHECK(STARLING_VERSION_MAJOR >= 0 && STARLING_VERSION_MINOR >= 0 && STARLING_VERSION_PATCH >= 0);
}

TEST_CASE(c_sees_the_same_version) {
  CHECK_EQ(version_c_matches(), 1);
  CHECK(std::strcmp(version_c_string(), starling::version()) == 0);
}

int main() { return check::run_all(); }
