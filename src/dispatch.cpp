// SPDX-License-Identifier: MIT
// src/dispatch.cpp: the port registry and the run-time choice of kernels.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstdlib>
#include <cstring>

#include "starling/detail/kernels.hpp"
#include "starling/port.hpp"

// Builds that do not configure the ports (Arduino, PlatformIO, ESP-IDF,
// Zephyr and hand-written Makefiles compile src/, ports/scalar/ and
// ports/cortexm/ with the board's flags and no -D of ours) get the best port
// those folders hold for the target: the Cortex-M DSP kernel when the
// compiler targets a 32-bit Arm core with the DSP extension (that file
// compiles to nothing elsewhere), else scalar. Meson and CMake define
// STARLING_PORTS_CONFIGURED and the STARLING_HAVE_* of what they compiled,
// so -Dport=scalar stays scalar.
#if !defined(STARLING_PORTS_CONFIGURED) && defined(__arm__) && defined(__ARM_FEATURE_DSP) && \
    !defined(STARLING_HAVE_CORTEXM)
#define STARLING_HAVE_CORTEXM 1
#endif
#if defined(STARLING_HAVE_X86)
#include "starling/detail/kernels_x86.hpp"
#endif
#if defined(STARLING_HAVE_NEON)
#include "starling/detail/kernels_neon.hpp"
#endif
#if defined(STARLING_HAVE_CORTEXM)
#include "starling/detail/kernels_cortexm.hpp"
#endif

namespace starling {
namespace detail {

namespace {
bool always() { return true; }

// One list of ports drives three parallel tables (names, int8 kernels,
// float kernels). Each kernel kind is resolved through its own table, so a
// firmware image that only runs the optimizer links only swarm kernels, and
// one that only runs fully_connected_s8 only int8 kernels (--gc-sections).
// Each port adds its entries in its own block, lowest ISA first; "auto"
// takes the last supported entry; a null kernel falls back to scalar's.
// Entry: X(name, supported, s8_fc kernel, f32_swarm_update kernel).
#define STARLING_PORTS_SCALAR(X) X("scalar", always, s8_fc__scalar, f32_swarm_update__scalar)

// ---- ports/x86 entries (owned by the x86 port) ----
// The s8_fc kernel that rounds like this library copy's requantize() (the
// port libraries hold both; this file is compiled with the library's macro).
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
#define STARLING_X86_FC(isa) s8_fc_single_rounding__##isa
#else
#define STARLING_X86_FC(isa) s8_fc__##isa
#endif
#if defined(STARLING_HAVE_X86) && defined(STARLING_HAVE_X86_SSE41)
#define STARLING_PORTS_SSE41(X) X("sse41", cpu_has_sse41, STARLING_X86_FC(sse41), nullptr)
#else
#define STARLING_PORTS_SSE41(X)
#endif
#if defined(STARLING_HAVE_X86) && defined(STARLING_HAVE_X86_AVX2)
#define STARLING_PORTS_AVX2(X) X("avx2", cpu_has_avx2, STARLING_X86_FC(avx2), f32_swarm_update__avx2)
#else
#define STARLING_PORTS_AVX2(X)
#endif
#if defined(STARLING_HAVE_X86) && defined(STARLING_HAVE_X86_AVX512VNNI)
#define STARLING_PORTS_AVX512(X) \
  X("avx512vnni", cpu_has_avx512vnni, STARLING_X86_FC(avx512vnni), f32_swarm_update__avx512)
#else
#define STARLING_PORTS_AVX512(X)
#endif

// ---- ports/neon entries (owned by the NEON port) ----
#if defined(STARLING_HAVE_NEON)
#define STARLING_PORTS_NEON(X) X("neon", always, s8_fc__neon, f32_swarm_update__neon)
#else
#define STARLING_PORTS_NEON(X)
#endif
#if defined(STARLING_HAVE_NEON) && defined(STARLING_HAVE_NEON_DOTPROD)
#define STARLING_PORTS_NEON_DOTPROD(X) X("neon_dotprod", cpu_has_dotprod, s8_fc__neon_dotprod, f32_swarm_update__neon)
#else
#define STARLING_PORTS_NEON_DOTPROD(X)
#endif

// ---- ports/cortexm entries (owned by the Cortex-M port) ----
#if defined(STARLING_HAVE_CORTEXM)
#define STARLING_PORTS_CORTEXM(X) X("cortexm_dsp", cpu_has_cortexm_dsp, s8_fc__cortexm_dsp, nullptr)
#else
#define STARLING_PORTS_CORTEXM(X)
#endif

#define STARLING_PORTS(X)                                                                      \
  STARLING_PORTS_SCALAR(X) STARLING_PORTS_SSE41(X) STARLING_PORTS_AVX2(X) STARLING_PORTS_AVX512(X) \
  STARLING_PORTS_NEON(X) STARLING_PORTS_NEON_DOTPROD(X) STARLING_PORTS_CORTEXM(X)

// Builds whose only float kernel is scalar's (Cortex-M, -Dport=scalar) call
// it directly: an image that runs just the optimizer then carries no
// dispatch state or table, and its RAM is exactly sizeof(Pso).
#if defined(STARLING_HAVE_X86_AVX2) || defined(STARLING_HAVE_X86_AVX512VNNI) || defined(STARLING_HAVE_NEON)
#define STARLING_SWARM_DISPATCH 1
#endif

// Firmware builds (no hosted environment) have no run-time choice to make:
// the port is the best one compiled in (the Cortex-M DSP kernel where the
// core has DSP, else scalar), bound at compile time, so an image links only
// the kernels it runs and no table or dispatch state at all.
#if !defined(STARLING_HOSTED_ENV)
#define STARLING_STATIC_PORT 1
#if defined(STARLING_HAVE_CORTEXM)
#define STARLING_STATIC_NAME "cortexm_dsp"
#define STARLING_STATIC_FC s8_fc__cortexm_dsp
#else
#define STARLING_STATIC_NAME "scalar"
#define STARLING_STATIC_FC s8_fc__scalar
#endif
#endif

#if !defined(STARLING_STATIC_PORT)
struct PortInfo {
  const char* name;
  bool (*supported)();
};
#define STARLING_INFO(name, supported, fc, swarm) {name, supported},
#define STARLING_FC(name, supported, fc, swarm) fc,
#define STARLING_SWARM(name, supported, fc, swarm) swarm,
const PortInfo kInfo[] = {STARLING_PORTS(STARLING_INFO)};
const S8FcKernel kFc[] = {STARLING_PORTS(STARLING_FC)};
#if defined(STARLING_SWARM_DISPATCH)
const F32SwarmKernel kSwarm[] = {STARLING_PORTS(STARLING_SWARM)};
#endif
#undef STARLING_INFO
#undef STARLING_FC
#undef STARLING_SWARM
#undef STARLING_X86_FC
constexpr int kNumPorts = static_cast<int>(sizeof(kInfo) / sizeof(kInfo[0]));

// The chosen port plus one (0: not chosen yet, so the variable lives in
// .bss). Written on first use or by force_port; a race between threads on
// first use writes the same value. No function-local statics: those need
// __cxa_guard, which firmware builds must not link.
int g_port_plus_1 = 0;

int find(const char* name) noexcept {
  for (int i = 0; i < kNumPorts; ++i)
    if (std::strcmp(kInfo[i].name, name) == 0) return i;
  return -1;
}

int choose() noexcept {
#if defined(STARLING_HOSTED_ENV)
  if (const char* want = std::getenv("STARLING_PORT")) {
    const int i = find(want);
    if (i >= 0 && kInfo[i].supported()) return i;
  }
#endif
  int best = 0;
  for (int i = 1; i < kNumPorts; ++i)
    if (kInfo[i].supported()) best = i;
  return best;
}

int port_index() noexcept {
  if (g_port_plus_1 == 0) g_port_plus_1 = choose() + 1;
  return g_port_plus_1 - 1;
}

#endif  // !STARLING_STATIC_PORT
}  // namespace

#if defined(STARLING_STATIC_PORT)

S8FcKernel s8_fc_kernel() noexcept { return STARLING_STATIC_FC; }
F32SwarmKernel f32_swarm_kernel() noexcept { return f32_swarm_update__scalar; }
PortEntry active_kernels() noexcept {
  return PortEntry{STARLING_STATIC_NAME, always, STARLING_STATIC_FC, f32_swarm_update__scalar};
}

#else

S8FcKernel s8_fc_kernel() noexcept {
  const S8FcKernel k = kFc[port_index()];
  return k != nullptr ? k : kFc[0];
}

F32SwarmKernel f32_swarm_kernel() noexcept {
#if defined(STARLING_SWARM_DISPATCH)
  const F32SwarmKernel k = kSwarm[port_index()];
  return k != nullptr ? k : kSwarm[0];
#else
  return f32_swarm_update__scalar;
#endif
}

PortEntry active_kernels() noexcept {
  return PortEntry{kInfo[port_index()].name, kInfo[port_index()].supported, s8_fc_kernel(), f32_swarm_kernel()};
}

#endif  // STARLING_STATIC_PORT


}  // namespace detail

#if defined(STARLING_STATIC_PORT)

const char* active_port() noexcept { return STARLING_STATIC_NAME; }
Status force_port(const char* name) noexcept {
  return name != nullptr && std::strcmp(name, STARLING_STATIC_NAME) == 0 ? Status::Ok : Status::InvalidArgument;
}
int port_count() noexcept { return 1; }
const char* port_name(int i) noexcept { return i == 0 ? STARLING_STATIC_NAME : nullptr; }
bool port_supported(int i) noexcept { return i == 0; }

#else

const char* active_port() noexcept { return detail::kInfo[detail::port_index()].name; }

Status force_port(const char* name) noexcept {
  if (name == nullptr) return Status::InvalidArgument;
  const int i = detail::find(name);
  if (i < 0 || !detail::kInfo[i].supported()) return Status::InvalidArgument;
  detail::g_port_plus_1 = i + 1;
  return Status::Ok;
}

int port_count() noexcept { return detail::kNumPorts; }
const char* port_name(int i) noexcept { return i >= 0 && i < detail::kNumPorts ? detail::kInfo[i].name : nullptr; }
bool port_supported(int i) noexcept { return i >= 0 && i < detail::kNumPorts && detail::kInfo[i].supported(); }


#endif  // STARLING_STATIC_PORT

}  // namespace starling
