// SPDX-License-Identifier: MIT
// starling/detail/kernels_x86.hpp: internal declarations of the x86 port
// (ports/x86): CPU feature checks and the SSE4.1 / AVX2 / AVX-512 kernels.
//
// Each s8_fc kernel exists twice, once per requantize rounding, because the
// port libraries are compiled once and linked into library copies built with
// either rounding: s8_fc__<isa> rounds twice (the default, as requantize()
// without STARLING_SINGLE_ROUNDING), s8_fc_single_rounding__<isa> rounds once.
// The registry (src/dispatch.cpp, compiled with the library's macro) picks
// the one matching requantize(). Preconditions are those of s8_fc__scalar;
// every kernel is exact for all int8 weights when p.kernel_sums is null, and
// for weights in [−127, 127] (the only ones fc_kernel_sums() sums) when it is
// not. sse41 uses the pmaddubsw sign trick, exact for weights in
// [−127, 127] (the TFLite spec's symmetric range); without sums it watches
// for −128 and redoes such a tile with 16-bit products. avx2 uses the sign
// trick with sums and otherwise multiplies in 16 bits (vpmaddwd), needing no
// Σw; avx512vnni uses vpdpbusd (at batch 1 without kernel_sums, the weights
// as its unsigned operand, which needs no Σw but two vpdpbusd per weight
// line). p.kernel_sums, when non-null, replaces the Σw pass of sse41 and
// avx512vnni. Layers smaller than one tile (sse41: in_dim < 16 or out_dim
// < 4; avx2: out_dim < 8) run plain loops. avx2's 16-byte step over a row's
// last 1–15 bytes reads into the rows after it, never past the weights'
// out_dim·in_dim bytes; no kernel reads outside its arguments' extents.
// Float kernels: same contract as f32_swarm_update__scalar.
#pragma once
#include <cstdint>

#include "starling/detail/kernels.hpp"

namespace starling {
namespace detail {

/// CPU checks (cpuid, and xgetbv for the OS saving YMM/ZMM state). O(1).
bool cpu_has_sse41() noexcept;
bool cpu_has_avx2() noexcept;       ///< AVX2 and OS support for YMM state
bool cpu_has_avx512vnni() noexcept; ///< AVX-512 F, BW, VL, VNNI and ZMM state

/// Scalar helpers of the x86 swarm kernels (ports/x86/f32_swarm_x86_base.cpp,
/// compiled without ISA flags): swarm_update_dim for dimensions d .. d+n−1
/// with draws r1[j], r2[j]; the per-particle (r1, r2) of tag kTagMove; and
/// a batch member's step.
void f32_swarm_dims__x86_base(const SwarmStep<float>& s, int d, int n, const float* r1,
                              const float* r2) noexcept;
void f32_swarm_particle_draws__x86_base(const SwarmStep<float>& s, float* r1, float* r2) noexcept;
/// batch_member(s, k): the one-particle step of batch member k (for the
/// scalar fallbacks and single-particle paths; the vector code reads a
/// member's arrays as a Rows value, ports/x86/f32_swarm_x86.hpp).
SwarmStep<float> f32_swarm_member__x86_base(const SwarmStep<float>& s, int k) noexcept;

#if defined(STARLING_HAVE_X86_SSE41)
void s8_fc__sse41(const FcParams& p, const int8_t* input, const int8_t* weights,
                  const int32_t* bias, int8_t* output, int batches);
void s8_fc_single_rounding__sse41(const FcParams& p, const int8_t* input, const int8_t* weights,
                                  const int32_t* bias, int8_t* output, int batches);
#endif
#if defined(STARLING_HAVE_X86_AVX2)
void s8_fc__avx2(const FcParams& p, const int8_t* input, const int8_t* weights,
                 const int32_t* bias, int8_t* output, int batches);
void s8_fc_single_rounding__avx2(const FcParams& p, const int8_t* input, const int8_t* weights,
                                 const int32_t* bias, int8_t* output, int batches);
void f32_swarm_update__avx2(const SwarmStep<float>& s) noexcept;
#endif
#if defined(STARLING_HAVE_X86_AVX512VNNI)
void s8_fc__avx512vnni(const FcParams& p, const int8_t* input, const int8_t* weights,
                       const int32_t* bias, int8_t* output, int batches);
void s8_fc_single_rounding__avx512vnni(const FcParams& p, const int8_t* input,
                                       const int8_t* weights, const int32_t* bias,
                                       int8_t* output, int batches);
void f32_swarm_update__avx512(const SwarmStep<float>& s) noexcept;
#endif

}  // namespace detail
}  // namespace starling
