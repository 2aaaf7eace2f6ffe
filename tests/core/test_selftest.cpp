// SPDX-License-Identifier: MIT
// tests/core/test_selftest.cpp: starling::selftest() and starling_selftest()
// pass on a correct build. Built with -DSTARLING_SELFTEST_EXPECT_MISMATCH it
// is the negative control instead: the library was built without the
// determinism guard and with -ffp-contract=fast (ports/cross/ci-fpguard.sh),
// and the selftest must notice.
#include <cstdlib>
#include <cstring>

#include "check.hpp"
#include "starling/port.hpp"
#include "starling/selftest.hpp"
#include "starling/starling.h"

using starling::Status;

#if !defined(STARLING_SELFTEST_EXPECT_MISMATCH)

TEST_CASE(selftest_passes) {
  uint32_t failed = 0xFFu;
  CHECK(starling::selftest(&failed) == Status::Ok);
  CHECK_EQ(failed, 0u);
  CHECK(starling::selftest() == Status::Ok);  // the mask is optional
}

TEST_CASE(selftest_parts_pass) {
  uint32_t failed = 0xFFu;
  CHECK(starling::selftest_pso(&failed) == Status::Ok);
  CHECK_EQ(failed, 0u);
  failed = 0xFFu;
  CHECK(starling::selftest_int8(&failed) == Status::Ok);
  CHECK_EQ(failed, 0u);
  failed = 0xFFu;
  CHECK(starling::selftest_lut(&failed) == Status::Ok);
  CHECK_EQ(failed, 0u);
}

TEST_CASE(c_selftest_passes) {
  uint32_t failed = 0xFFu;
  CHECK(starling_selftest(&failed) == STARLING_OK);
  CHECK_EQ(failed, 0u);
  CHECK(starling_selftest(nullptr) == STARLING_OK);
  CHECK(starling_selftest_pso(nullptr) == STARLING_OK);
  CHECK(starling_selftest_int8(nullptr) == STARLING_OK);
  CHECK(starling_selftest_lut(nullptr) == STARLING_OK);
}

TEST_CASE(selftest_is_repeatable) {
  // No hidden state: the second run gives the same answer.
  for (int i = 0; i < 2; ++i) CHECK(starling::selftest() == Status::Ok);
}

#else

TEST_CASE(selftest_detects_unguarded_build) {
  uint32_t failed = 0;
  CHECK(starling::selftest(&failed) == Status::Corrupt);
  CHECK((failed & starling::kSelftestPso) != 0);
  std::printf("     selftest mask of the unguarded build: 0x%x\n", static_cast<unsigned>(failed));
  uint32_t c_failed = 0;
  CHECK(starling_selftest(&c_failed) == STARLING_CORRUPT);
  CHECK_EQ(c_failed, failed);
}

#endif

int main() {
#if defined(STARLING_HOSTED_ENV)
  // Run per port (tests/core/meson.build): skipped where the CPU lacks it.
  const char* want = std::getenv("STARLING_PORT");
  if (want != nullptr && std::strcmp(want, starling::active_port()) != 0) {
    std::printf("port %s not available here (active: %s): skipped\n", want, starling::active_port());
    return 77;
  }
#endif
  std::printf("active port: %s\n", starling::active_port());
  return check::run_all();
}
