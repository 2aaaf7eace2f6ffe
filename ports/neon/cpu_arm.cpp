// SPDX-License-Identifier: MIT
// cpu_arm: run-time detection of the aarch64 features the NEON port uses.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/detail/kernels_neon.hpp"

#if defined(__linux__)
#include <sys/auxv.h>
#endif

#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)  // arch/arm64/include/uapi/asm/hwcap.h
#endif

namespace starling {
namespace detail {

bool cpu_has_dotprod() noexcept {
#if defined(__linux__)
  return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#elif defined(__ARM_FEATURE_DOTPROD)
  return true;  // no way to ask the OS here: trust the build's -march
#else
  return false;
#endif
}

}  // namespace detail
}  // namespace starling
