// SPDX-License-Identifier: MIT
// s8_depthwise__cortexm_dsp: int8 depthwise convolution with the ARMv7E-M DSP extension (4 channels a step).
//
// Channels in fours: one LDR brings 4 inputs of a tap, SXTAB16 adds the input
// offset in two 16-bit lane pairs (channels 0, 2 and 1, 3), one LDR and two
// SXTB16 do the same for the weights, and SMLABB / SMLATT add each channel's
// own product (SMLAD would add two channels together). Taps in the padding
// are skipped, as in the reference; the sums are exact in int32.
//
// Meson and CMake compile this file only for cores with the DSP extension;
// builds that glob ports/cortexm/ (Arduino, PlatformIO, ESP-IDF, Zephyr)
// compile it for every target, so without DSP it compiles to nothing, and
// src/layer_dispatch.cpp calls it exactly when it is compiled in.
#if defined(__arm__) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "starling/detail/layer_kernels_ports.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {
namespace {

using Requantize = int32_t (*)(int32_t, int32_t, int) noexcept;

inline int32_t load4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline int32_t sxtb16_ror8(int32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
inline int32_t sxtab16_ror8(int32_t a, int32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}

template <Requantize kRq>
void dw(const DepthwiseParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output) {
  const std::ptrdiff_t C = p.in_c;
  const std::ptrdiff_t C4 = C & ~std::ptrdiff_t{3};
  const int32_t off = p.input_offset;
  const int32_t off2 = static_cast<int32_t>((static_cast<uint32_t>(off) & 0xFFFFu) * 0x10001u);
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * C;
  int8_t* y = output;
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * image_size;
    for (int oy = 0; oy < p.out_h; ++oy) {
      const int y0 = oy * p.stride_h - p.pad_h;
      int ky0 = 0, ky1 = p.k_h;  // taps whose row is inside
      while (ky0 < ky1 && y0 + ky0 * p.dilation_h < 0) ++ky0;
      while (ky1 > ky0 && y0 + (ky1 - 1) * p.dilation_h >= p.in_h) --ky1;
      for (int ox = 0; ox < p.out_w; ++ox, y += C) {
        const int x0 = ox * p.stride_w - p.pad_w;
        int kx0 = 0, kx1 = p.k_w;
        while (kx0 < kx1 && x0 + kx0 * p.dilation_w < 0) ++kx0;
        while (kx1 > kx0 && x0 + (kx1 - 1) * p.dilation_w >= p.in_w) --kx1;
        std::ptrdiff_t c = 0;
        for (; c < C4; c += 4) {
          int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (int ky = ky0; ky < ky1; ++ky) {
            const int8_t* xr = image + (static_cast<std::ptrdiff_t>(y0 + ky * p.dilation_h) * p.in_w + x0) * C + c;
            const int8_t* wr = filter + static_cast<std::ptrdiff_t>(ky) * p.k_w * C + c;
            for (int kx = kx0; kx < kx1; ++kx) {
              const int32_t xv = load4(xr + static_cast<std::ptrdiff_t>(kx) * p.dilation_w * C);
              const int32_t wv = load4(wr + kx * C);
              const int32_t x02 = __sxtab16(off2, xv), x13 = sxtab16_ror8(off2, xv);
              const int32_t w02 = __sxtb16(wv), w13 = sxtb16_ror8(wv);
              a0 = __smlabb(w02, x02, a0);
              a2 = __smlatt(w02, x02, a2);
              a1 = __smlabb(w13, x13, a1);
              a3 = __smlatt(w13, x13, a3);
            }
          }
          y[c] = s8_conv_output<kRq>(p, bias, c, a0);
          y[c + 1] = s8_conv_output<kRq>(p, bias, c + 1, a1);
          y[c + 2] = s8_conv_output<kRq>(p, bias, c + 2, a2);
          y[c + 3] = s8_conv_output<kRq>(p, bias, c + 3, a3);
        }
        for (; c < C; ++c) {
          int32_t a = 0;
          for (int ky = ky0; ky < ky1; ++ky) {
            const int8_t* xr = image + (static_cast<std::ptrdiff_t>(y0 + ky * p.dilation_h) * p.in_w + x0) * C + c;
            const int8_t* wr = filter + static_cast<std::ptrdiff_t>(ky) * p.k_w * C + c;
            for (int kx = kx0; kx < kx1; ++kx)
              a += static_cast<int32_t>(wr[kx * C]) * (xr[static_cast<std::ptrdiff_t>(kx) * p.dilation_w * C] + off);
          }
          y[c] = s8_conv_output<kRq>(p, bias, c, a);
        }
      }
    }
  }
}

}  // namespace

void s8_depthwise__cortexm_dsp(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                               const int32_t* bias, int8_t* output) {
  dw<requantize_double_fast>(p, input, filter, bias, output);
}
void s8_depthwise_single_rounding__cortexm_dsp(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                                               const int32_t* bias, int8_t* output) {
  dw<requantize_single_fast>(p, input, filter, bias, output);
}

}  // namespace detail
}  // namespace starling

#endif  // __arm__ && __ARM_FEATURE_DSP
