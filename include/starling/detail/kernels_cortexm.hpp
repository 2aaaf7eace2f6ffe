// SPDX-License-Identifier: MIT
// starling/detail/kernels_cortexm.hpp: internal declarations of the Cortex-M
// DSP port (ports/cortexm). Same contracts as the scalar kernels in kernels.hpp.
//
// The port library is compiled once and linked into every copy of the
// library, including the one built with the other requantize rounding
// (tests/int8), so the s8 kernel exists in both roundings and the choice is
// made here, in the translation unit that knows STARLING_SINGLE_ROUNDING.
#pragma once
#include <cstdint>

#include "starling/detail/kernels.hpp"

namespace starling {
namespace detail {

/// Always true: the port is only compiled when the target has the ARMv7E-M
/// DSP extension (__ARM_FEATURE_DSP), and a bare-metal image runs on one core.
bool cpu_has_cortexm_dsp();

/// fully_connected_s8 with SXTB16/SXTAB16 + SMLAD (two 16-bit MACs per
/// instruction), three output rows at a time sharing the widened input; the
/// in_dim % 4 tail and the requantization are scalar. Bit-exact with
/// s8_fc__scalar. Unaligned 32-bit loads (allowed on ARMv7-M/ARMv8-M Mainline
/// unless CCR.UNALIGN_TRP is set).
void s8_fc__cortexm_dsp_double(const FcParams& p, const int8_t* input, const int8_t* weights,
                               const int32_t* bias, int8_t* output, int batches);
void s8_fc__cortexm_dsp_single(const FcParams& p, const int8_t* input, const int8_t* weights,
                               const int32_t* bias, int8_t* output, int batches);

#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
constexpr S8FcKernel s8_fc__cortexm_dsp = s8_fc__cortexm_dsp_single;
#else
constexpr S8FcKernel s8_fc__cortexm_dsp = s8_fc__cortexm_dsp_double;
#endif

}  // namespace detail
}  // namespace starling
