// SPDX-License-Identifier: MIT
// s8_conv__scalar: scalar reference of the int8 2-D convolution (all targets).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

void s8_conv__scalar(const ConvParams& p, const int8_t* input, const int8_t* filter,
                     const int32_t* bias, int8_t* output, void* /*scratch*/) {
  const std::ptrdiff_t in_h = p.in_h, in_w = p.in_w, in_c = p.in_c;
  const std::ptrdiff_t out_c = p.out_c, k_w = p.k_w;
  const std::ptrdiff_t depth = static_cast<std::ptrdiff_t>(p.k_h) * k_w * in_c;
  const int32_t off = p.input_offset;
  int8_t* y = output;
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * in_h * in_w * in_c;
    for (int oy = 0; oy < p.out_h; ++oy) {
      // validate(): every coordinate below fits int.
      const int y0 = oy * p.stride_h - p.pad_h;
      for (int ox = 0; ox < p.out_w; ++ox) {
        const int x0 = ox * p.stride_w - p.pad_w;
        for (std::ptrdiff_t o = 0; o < out_c; ++o) {
          const int8_t* w = filter + o * depth;
          int32_t acc = 0;  // exact: depth <= kConvMaxDepth
          for (int ky = 0; ky < p.k_h; ++ky) {
            const int iy = y0 + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;  // taps in the padding add nothing
            for (int kx = 0; kx < p.k_w; ++kx) {
              const int ix = x0 + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const int8_t* xr = image + (iy * in_w + ix) * in_c;
              const int8_t* wr = w + (ky * k_w + kx) * in_c;
              for (std::ptrdiff_t i = 0; i < in_c; ++i) {
                acc += static_cast<int32_t>(wr[i]) * (static_cast<int32_t>(xr[i]) + off);
              }
            }
          }
          y[o] = s8_conv_output<requantize>(p, bias, o, acc);
        }
        y += out_c;
      }
    }
  }
}

}  // namespace detail
}  // namespace starling
