// SPDX-License-Identifier: MIT
// s8_depthwise__scalar: scalar reference of the int8 depthwise convolution (all targets).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

void s8_depthwise__scalar(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                          const int32_t* bias, int8_t* output) {
  const std::ptrdiff_t in_h = p.in_h, in_w = p.in_w, in_c = p.in_c;
  const std::ptrdiff_t out_c = p.out_c, k_w = p.k_w, dm = p.depth_multiplier;
  const int32_t off = p.input_offset;
  int8_t* y = output;
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * in_h * in_w * in_c;
    for (int oy = 0; oy < p.out_h; ++oy) {
      const int y0 = oy * p.stride_h - p.pad_h;  // fits int (validate)
      for (int ox = 0; ox < p.out_w; ++ox) {
        const int x0 = ox * p.stride_w - p.pad_w;
        for (std::ptrdiff_t o = 0; o < out_c; ++o) {
          const std::ptrdiff_t ic = o / dm;  // output channel o = ic·dm + m reads input channel ic
          int32_t acc = 0;                   // exact: k_h·k_w <= kConvMaxDepth
          for (int ky = 0; ky < p.k_h; ++ky) {
            const int iy = y0 + ky * p.dilation_h;
            if (iy < 0 || iy >= p.in_h) continue;
            for (int kx = 0; kx < p.k_w; ++kx) {
              const int ix = x0 + kx * p.dilation_w;
              if (ix < 0 || ix >= p.in_w) continue;
              const int32_t xv = image[(iy * in_w + ix) * in_c + ic];
              acc += static_cast<int32_t>(filter[(ky * k_w + kx) * out_c + o]) * (xv + off);
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
