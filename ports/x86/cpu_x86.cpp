// SPDX-License-Identifier: MIT
// cpu_x86: run-time CPU feature checks for the x86 port (cpuid + xgetbv).
// Compiled without ISA flags: it runs before anything is known of the CPU.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cpuid.h>

#include <cstdint>

#include "starling/detail/kernels_x86.hpp"

namespace starling {
namespace detail {

namespace {
struct Regs {
  unsigned a, b, c, d;
};

Regs cpuid(unsigned leaf, unsigned sub) noexcept {
  Regs r{0, 0, 0, 0};
  if (static_cast<unsigned>(__get_cpuid_max(0, nullptr)) < leaf) return r;
  __cpuid_count(leaf, sub, r.a, r.b, r.c, r.d);
  return r;
}

// XCR0: the state components the OS saves on a context switch. Only valid
// when CPUID.1:ECX.OSXSAVE[27] is set (checked by the callers).
uint64_t xcr0() noexcept {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

bool os_saves(uint64_t mask) noexcept {
  const Regs l1 = cpuid(1, 0);
  if ((l1.c & (1u << 27)) == 0) return false;  // OSXSAVE
  return (xcr0() & mask) == mask;
}
}  // namespace

bool cpu_has_sse41() noexcept { return (cpuid(1, 0).c & (1u << 19)) != 0; }

bool cpu_has_avx2() noexcept {
  const Regs l1 = cpuid(1, 0), l7 = cpuid(7, 0);
  const bool avx = (l1.c & (1u << 28)) != 0;
  const bool avx2 = (l7.b & (1u << 5)) != 0;
  return cpu_has_sse41() && avx && avx2 && os_saves(0x6);  // XMM | YMM
}

bool cpu_has_avx512vnni() noexcept {
  const Regs l7 = cpuid(7, 0);
  const bool f = (l7.b & (1u << 16)) != 0, bw = (l7.b & (1u << 30)) != 0,
             vl = (l7.b & (1u << 31)) != 0, vnni = (l7.c & (1u << 11)) != 0;
  // XMM | YMM | opmask | ZMM0-15 upper halves | ZMM16-31.
  return cpu_has_avx2() && f && bw && vl && vnni && os_saves(0xE6);
}

}  // namespace detail
}  // namespace starling
