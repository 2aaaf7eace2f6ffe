// SPDX-License-Identifier: MIT
// s8_depthwise__neon: int8 depthwise convolution, NEON baseline (SMLAL, one tap a step, 16 channels a block).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "s8_layer_neon.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {

void s8_depthwise__neon(const DepthwiseParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                        int8_t* output) {
  s8_dw_neon<false, DwSmlalForm>(p, input, filter, bias, output);
}
void s8_depthwise_single_rounding__neon(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                                        const int32_t* bias, int8_t* output) {
  s8_dw_neon<true, DwSmlalForm>(p, input, filter, bias, output);
}

}  // namespace detail
}  // namespace starling
