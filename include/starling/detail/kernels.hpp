// SPDX-License-Identifier: MIT
// starling/detail/kernels.hpp: internal declarations of the int8 kernels.
//
// One kernel per (type, operation, ISA): s8_fc__scalar is the reference, the
// written definition of "right"; SIMD ports (s8_fc__avx2, s8_fc__neon, ...)
// take the same arguments and must give the same bytes. Kernels assume
// arguments that passed fully_connected_s8's validation: they check nothing.
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/detail/swarm_kernel.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

/// Signature shared by every s8 fully-connected kernel (for dispatch tables).
using S8FcKernel = void (*)(const FcParams& p, const int8_t* input, const int8_t* weights,
                            const int32_t* bias, int8_t* output, int batches);

/// Scalar reference of fully_connected_s8 (same formula and layouts).
/// Preconditions (not checked): validate(p) == Status::Ok; batches >= 1;
/// input, weights, output non-null and of batches·in_dim, out_dim·in_dim and
/// batches·out_dim elements, bias null or of out_dim elements; output does
/// not overlap the inputs; every product of sizes above fits std::ptrdiff_t.
/// Cost: batches·out_dim·in_dim multiply-adds plus batches·out_dim
/// requantizations; no memory beyond the stack frame.
void s8_fc__scalar(const FcParams& p, const int8_t* input, const int8_t* weights,
                   const int32_t* bias, int8_t* output, int batches);

/// The output step every s8 kernel shares with the reference: bias + dot,
/// requantized by Rq, plus output_offset, clamped. bias + dot and the offset
/// addition wrap as two's-complement int32, as the reference binaries do
/// (only absurd biases or scales get there). o is the output index.
template <int32_t (*Rq)(int32_t, int32_t, int) noexcept>
inline int8_t s8_fc_output(const FcParams& p, const int32_t* bias, std::ptrdiff_t o,
                           int32_t dot) noexcept {
  const uint32_t bias_u = bias != nullptr ? static_cast<uint32_t>(bias[o]) : 0u;
  const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(dot) + bias_u);
  const std::ptrdiff_t c = p.per_channel ? o : 0;
  const int32_t scaled = Rq(acc, p.multiplier[c], static_cast<int>(p.shift[c]));
  int32_t v = static_cast<int32_t>(static_cast<uint32_t>(scaled) + static_cast<uint32_t>(p.output_offset));
  v = v < p.act_min ? p.act_min : v;
  v = v > p.act_max ? p.act_max : v;
  return static_cast<int8_t>(v);
}

/// Signature of every float particle-update kernel (detail/swarm_kernel.hpp).
using F32SwarmKernel = void (*)(const SwarmStep<float>& s) noexcept;

/// One port: a name, a CPU check, and its kernels (null = use scalar's).
struct PortEntry {
  const char* name;
  bool (*supported)();
  S8FcKernel s8_fc;
  F32SwarmKernel f32_swarm_update;
};

/// The kernel of each kind in use (the port is chosen on first call; see
/// starling/port.hpp). Separate per kind so that an image calling only one
/// kind links only that kind's kernels.
S8FcKernel s8_fc_kernel() noexcept;
F32SwarmKernel f32_swarm_kernel() noexcept;

/// The active port's name, CPU check and both kernels (for tests; links
/// every kernel).
PortEntry active_kernels() noexcept;

}  // namespace detail
}  // namespace starling
