// SPDX-License-Identifier: MIT
// s8_fc__scalar: scalar reference of the int8 fully-connected layer (all targets).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>

#include "starling/detail/kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

void s8_fc__scalar(const FcParams& p, const int8_t* input, const int8_t* weights,
                   const int32_t* bias, int8_t* output, int batches) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const std::ptrdiff_t out_dim = p.out_dim;
  const int32_t input_offset = p.input_offset;
  for (std::ptrdiff_t b = 0; b < batches; ++b) {
    const int8_t* x = input + b * in_dim;
    int8_t* y = output + b * out_dim;
    for (std::ptrdiff_t o = 0; o < out_dim; ++o) {
      const int8_t* w = weights + o * in_dim;
      // Exact: in_dim <= kFcMaxInDim keeps |dot| < 2^30.
      int32_t dot = 0;
      for (std::ptrdiff_t i = 0; i < in_dim; ++i) {
        dot += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + input_offset);
      }
      y[o] = s8_fc_output<requantize>(p, bias, o, dot);
    }
  }
}

}  // namespace detail
}  // namespace starling
