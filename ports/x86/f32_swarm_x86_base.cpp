// SPDX-License-Identifier: MIT
// f32_swarm_x86_base: the scalar helpers the x86 swarm kernels call, compiled without ISA flags.
//
// The ISA files must not instantiate the shared headers' inline functions
// (threefry4x32, swarm_update_dim, ...): those are emitted as weak symbols,
// the linker keeps one copy for the whole program, and a copy compiled with
// -mavx2 could end up in portable code. So they call these instead.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/detail/kernels_x86.hpp"

namespace starling {
namespace detail {

void f32_swarm_dims__x86_base(const SwarmStep<float>& s, int d, int n, const float* r1,
                              const float* r2) noexcept {
  for (int j = 0; j < n; ++j) swarm_update_dim(s, d + j, r1[j], r2[j]);
}

void f32_swarm_particle_draws__x86_base(const SwarmStep<float>& s, float* r1, float* r2) noexcept {
  uint32_t w4[4];
  swarm_block(s.key, kTagMove, s.iteration, s.particle, 0, w4);
  *r1 = u32_to_unit<float>(w4[0]);
  *r2 = u32_to_unit<float>(w4[1]);
}

SwarmStep<float> f32_swarm_member__x86_base(const SwarmStep<float>& s, int k) noexcept {
  return batch_member(s, k);
}

}  // namespace detail
}  // namespace starling
