// src/dispatch.cpp: the port registry and the run-time choice of kernels.
//
// Each port adds its entries in its own #if block, lowest ISA first; "auto"
// takes the last supported entry. A null kernel falls back to scalar's.
#include <cstdlib>
#include <cstring>

#include "starling/detail/kernels.hpp"
#include "starling/port.hpp"
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

const PortEntry kPorts[] = {
    {"scalar", always, s8_fc__scalar, f32_swarm_update__scalar},
#if defined(STARLING_HAVE_X86)
// ---- ports/x86 entries (owned by the x86 port) ----
// The s8_fc kernel that rounds like this library copy's requantize() (the
// port libraries hold both; this file is compiled with the library's macro).
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
#define STARLING_X86_FC(isa) s8_fc_single_rounding__##isa
#else
#define STARLING_X86_FC(isa) s8_fc__##isa
#endif
#if defined(STARLING_HAVE_X86_SSE41)
    {"sse41", cpu_has_sse41, STARLING_X86_FC(sse41), nullptr},
#endif
#if defined(STARLING_HAVE_X86_AVX2)
    {"avx2", cpu_has_avx2, STARLING_X86_FC(avx2), f32_swarm_update__avx2},
#endif
#if defined(STARLING_HAVE_X86_AVX512VNNI)
    {"avx512vnni", cpu_has_avx512vnni, STARLING_X86_FC(avx512vnni), f32_swarm_update__avx512},
#endif
#undef STARLING_X86_FC
#endif
#if defined(STARLING_HAVE_NEON)
// ---- ports/neon entries (owned by the NEON port) ----
    {"neon", always, s8_fc__neon, f32_swarm_update__neon},
#if defined(STARLING_HAVE_NEON_DOTPROD)
    {"neon_dotprod", cpu_has_dotprod, s8_fc__neon_dotprod, f32_swarm_update__neon},
#endif
#endif
#if defined(STARLING_HAVE_CORTEXM)
// ---- ports/cortexm entries (owned by the Cortex-M port) ----
    {"cortexm_dsp", cpu_has_cortexm_dsp, s8_fc__cortexm_dsp, nullptr},
#endif
};
constexpr int kNumPorts = static_cast<int>(sizeof(kPorts) / sizeof(kPorts[0]));

// The resolved entry: the port's kernels with scalar's filling the gaps.
// Written once on first use (or by force_port); a race between threads on
// first use writes the same value. No function-local static: those need
// __cxa_guard, which firmware builds must not link.
PortEntry g_active{nullptr, nullptr, nullptr, nullptr};

void activate(int i) noexcept {
  PortEntry e = kPorts[i];
  if (e.s8_fc == nullptr) e.s8_fc = kPorts[0].s8_fc;
  if (e.f32_swarm_update == nullptr) e.f32_swarm_update = kPorts[0].f32_swarm_update;
  g_active = e;
}

int find(const char* name) noexcept {
  for (int i = 0; i < kNumPorts; ++i)
    if (std::strcmp(kPorts[i].name, name) == 0) return i;
  return -1;
}

void choose() noexcept {
#if defined(STARLING_HOSTED_ENV)
  if (const char* want = std::getenv("STARLING_PORT")) {
    const int i = find(want);
    if (i >= 0 && kPorts[i].supported()) return activate(i);
  }
#endif
  int best = 0;
  for (int i = 1; i < kNumPorts; ++i)
    if (kPorts[i].supported()) best = i;
  activate(best);
}
}  // namespace

const PortEntry& active_kernels() noexcept {
  if (g_active.name == nullptr) choose();
  return g_active;
}

// The float move used by the PSO core goes through the active port.
void f32_swarm_update(const SwarmStep<float>& s) noexcept { active_kernels().f32_swarm_update(s); }

}  // namespace detail

const char* active_port() noexcept { return detail::active_kernels().name; }

Status force_port(const char* name) noexcept {
  if (name == nullptr) return Status::InvalidArgument;
  const int i = detail::find(name);
  if (i < 0 || !detail::kPorts[i].supported()) return Status::InvalidArgument;
  detail::activate(i);
  return Status::Ok;
}

int port_count() noexcept { return detail::kNumPorts; }
const char* port_name(int i) noexcept { return i >= 0 && i < detail::kNumPorts ? detail::kPorts[i].name : nullptr; }
bool port_supported(int i) noexcept { return i >= 0 && i < detail::kNumPorts && detail::kPorts[i].supported(); }

}  // namespace starling
