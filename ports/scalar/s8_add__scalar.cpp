// SPDX-License-Identifier: MIT
// s8_add__scalar: scalar reference of the int8 element-wise addition (all targets).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

void s8_add__scalar(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  const int32_t scale = int32_t{1} << p.left_shift;
  for (std::ptrdiff_t i = 0; i < p.size; ++i) {
    // |x + offset| <= 255 and left_shift <= kAddMaxLeftShift: the shifted
    // values, their rescaled forms (multipliers < 2^31 never grow them) and
    // their sum stay inside int32, exact.
    const int32_t a = requantize((static_cast<int32_t>(in1[i]) + p.in1_offset) * scale,
                                 p.in1_multiplier, p.in1_shift);
    const int32_t b = requantize((static_cast<int32_t>(in2[i]) + p.in2_offset) * scale,
                                 p.in2_multiplier, p.in2_shift);
    int32_t v = requantize(a + b, p.out_multiplier, p.out_shift) + p.out_offset;
    v = v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v);
    output[i] = static_cast<int8_t>(v);
  }
}

}  // namespace detail
}  // namespace starling
