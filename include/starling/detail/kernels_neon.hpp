// SPDX-License-Identifier: MIT
// starling/detail/kernels_neon.hpp: internal declarations of the aarch64 NEON
// port (ports/neon). Same contracts as the scalar kernels in kernels.hpp.
//
// The port libraries are compiled once and linked into every copy of the
// library, including the one built with the other requantize rounding
// (tests/int8), so each s8 kernel exists in both roundings and the choice is
// made here, in the translation unit that knows STARLING_SINGLE_ROUNDING.
#pragma once
#include <cstdint>

#include "starling/detail/kernels.hpp"

namespace starling {
namespace detail {

/// True when the CPU runs SDOT/UDOT (FEAT_DotProd): Linux getauxval(AT_HWCAP)
/// & HWCAP_ASIMDDP; elsewhere true only if the whole build targets it.
bool cpu_has_dotprod() noexcept;

/// NEON baseline (armv8-a): widening multiplies (SMULL, SADALP).
void s8_fc__neon_double(const FcParams& p, const int8_t* input, const int8_t* weights,
                        const int32_t* bias, int8_t* output, int batches);
void s8_fc__neon_single(const FcParams& p, const int8_t* input, const int8_t* weights,
                        const int32_t* bias, int8_t* output, int batches);

/// NEON with FEAT_DotProd (armv8.2-a+dotprod): SDOT. Only call it when
/// cpu_has_dotprod().
void s8_fc__neon_dotprod_double(const FcParams& p, const int8_t* input, const int8_t* weights,
                                const int32_t* bias, int8_t* output, int batches);
void s8_fc__neon_dotprod_single(const FcParams& p, const int8_t* input, const int8_t* weights,
                                const int32_t* bias, int8_t* output, int batches);

/// Float particle update, 4 lanes (Threefry and the move); bit-exact with
/// swarm_update_ref (lanes that leave the box under Reflect or Random take
/// the scalar boundary step).
void f32_swarm_update__neon(const SwarmStep<float>& s) noexcept;

#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
constexpr S8FcKernel s8_fc__neon = s8_fc__neon_single;
constexpr S8FcKernel s8_fc__neon_dotprod = s8_fc__neon_dotprod_single;
#else
constexpr S8FcKernel s8_fc__neon = s8_fc__neon_double;
constexpr S8FcKernel s8_fc__neon_dotprod = s8_fc__neon_dotprod_double;
#endif

}  // namespace detail
}  // namespace starling
