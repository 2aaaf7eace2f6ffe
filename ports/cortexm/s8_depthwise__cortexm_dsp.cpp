// SPDX-License-Identifier: MIT
// s8_depthwise__cortexm_dsp: int8 depthwise convolution with the ARMv7E-M DSP extension (4 channels a step).
//
// Channels in fours: one LDR brings 4 inputs of a tap, SXTAB16 adds the input
// offset in two 16-bit lane pairs (channels 0, 2 and 1, 3), one LDR and two
// SXTB16 do the same for the weights, and SMLABB / SMLATT add each channel's
// own product (SMLAD would add two channels together). Taps in the padding
// are skipped, as in the reference; the sums are exact in int32. The last
// C % 4 channels (and dilated rows) take a plain loop.
//
// Meson and CMake compile this file only for cores with the DSP extension;
// builds that glob ports/cortexm/ (Arduino, PlatformIO, ESP-IDF, Zephyr)
// compile it for every target, so without DSP it compiles to nothing, and
// src/layer_dispatch.cpp calls it exactly when it is compiled in.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

// a[0..3] += Σ over n taps (n >= 1) of 4 channels: x + off (x, then every
// `step` bytes) times w (w, then every `step` bytes). Taps along a filter row
// with dilation 1 are C bytes apart in both the input and the filter.
__attribute__((always_inline)) inline void taps4(const int8_t* x, const int8_t* w, int32_t step, int32_t n,
                                                 int32_t off2, int32_t* a) {
  int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  int32_t t0, t1, t2, t3;
  __asm__ volatile(
      "1:\n\t"
      "ldr %[t0], [%[x]]\n\t"
      "ldr %[t2], [%[w]]\n\t"
      "add %[x], %[x], %[step]\n\t"
      "add %[w], %[w], %[step]\n\t"
      "sxtab16 %[t1], %[off2], %[t0], ror #8\n\t"
      "sxtab16 %[t0], %[off2], %[t0]\n\t"
      "sxtb16 %[t3], %[t2], ror #8\n\t"
      "sxtb16 %[t2], %[t2]\n\t"
      "smlabb %[a0], %[t2], %[t0], %[a0]\n\t"
      "smlatt %[a2], %[t2], %[t0], %[a2]\n\t"
      "smlabb %[a1], %[t3], %[t1], %[a1]\n\t"
      "smlatt %[a3], %[t3], %[t1], %[a3]\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 1b\n\t"
      : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [x] "+r"(x), [w] "+r"(w), [n] "+r"(n),
        [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
      : [step] "r"(step), [off2] "r"(off2)
      : "cc", "memory");
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
}

// The taps of `rows` filter rows (input rows xrow bytes apart, filter rows
// wrow apart, n taps each, n >= 1) for 4 channels. Not inlined: the assembly
// loop needs 13 registers, more than the caller's loops leave.
__attribute__((noinline)) void rows4(const int8_t* x, const int8_t* w, int rows, std::ptrdiff_t xrow,
                                     std::ptrdiff_t wrow, int32_t step, int32_t n, int32_t off2, int32_t* a) {
  for (int r = 0; r < rows; ++r, x += xrow, w += wrow) taps4(x, w, step, n, off2, a);
}

// One output channel's requantization with its values loaded once (the
// operations of s8_conv_output, so the same bytes).
template <Requantize kRq>
struct ChannelOut {
  int32_t b, m, s, out_off, lo, hi;
  ChannelOut(const ConvParams& p, const int32_t* bias, std::ptrdiff_t o)
      : b(bias != nullptr ? bias[o] : 0), m(p.multiplier[o]), s(static_cast<int>(p.shift[o])), out_off(p.output_offset),
        lo(p.act_min), hi(p.act_max) {}
  int8_t operator()(int32_t dot) const {
    const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(dot) + static_cast<uint32_t>(b));
    int32_t v = static_cast<int32_t>(static_cast<uint32_t>(kRq(acc, m, s)) + static_cast<uint32_t>(out_off));
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return static_cast<int8_t>(v);
  }
};

// Channels in fours outside, pixels inside: each channel's requantization
// values are loaded once per layer, and the taps of a filter row run in the
// assembly loop above (dilation 1) with only the accumulators live.
template <Requantize kRq>
void dw(const DepthwiseParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output) {
  const std::ptrdiff_t C = p.in_c;
  const std::ptrdiff_t C4 = C & ~std::ptrdiff_t{3};
  const int32_t off = p.input_offset;
  const int32_t off2 = static_cast<int32_t>((static_cast<uint32_t>(off) & 0xFFFFu) * 0x10001u);
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * C;
  const std::ptrdiff_t pixels = static_cast<std::ptrdiff_t>(p.out_h) * p.out_w;
  const int32_t step = static_cast<int32_t>(C);
  for (std::ptrdiff_t c = 0; c < C; c += 4) {
    const bool quad = c < C4;
    const int nch = quad ? 4 : static_cast<int>(C - c);
    // Channels c .. c+nch−1 (a short last group repeats its last one, unused).
    const ChannelOut<kRq> o0(p, bias, c);
    const ChannelOut<kRq> o1(p, bias, nch > 1 ? c + 1 : c), o2(p, bias, nch > 2 ? c + 2 : c),
        o3(p, bias, nch > 3 ? c + 3 : c);
    for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
      const int8_t* image = input + b * image_size;
      int8_t* y = output + b * pixels * C + c;
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
          int32_t a[4] = {0, 0, 0, 0};
          if (quad && p.dilation_w == 1 && ky0 < ky1 && kx0 < kx1) {
            const int8_t* xr = image + (static_cast<std::ptrdiff_t>(y0 + ky0 * p.dilation_h) * p.in_w + x0 + kx0) * C + c;
            const int8_t* wr = filter + (static_cast<std::ptrdiff_t>(ky0) * p.k_w + kx0) * C + c;
            rows4(xr, wr, ky1 - ky0, static_cast<std::ptrdiff_t>(p.dilation_h) * p.in_w * C, p.k_w * C, step,
                  kx1 - kx0, off2, a);
          } else {
            for (int ky = ky0; ky < ky1; ++ky) {
              const int8_t* xr = image + (static_cast<std::ptrdiff_t>(y0 + ky * p.dilation_h) * p.in_w + x0) * C + c;
              const int8_t* wr = filter + static_cast<std::ptrdiff_t>(ky) * p.k_w * C + c;
              for (int kx = kx0; kx < kx1; ++kx) {
                const int8_t* xv = xr + static_cast<std::ptrdiff_t>(kx) * p.dilation_w * C;
                const int8_t* wv = wr + kx * C;
                for (int k = 0; k < nch; ++k) a[k] += static_cast<int32_t>(wv[k]) * (xv[k] + off);
              }
            }
          }
          y[0] = o0(a[0]);
          if (nch > 1) y[1] = o1(a[1]);
          if (nch > 2) y[2] = o2(a[2]);
          if (nch > 3) y[3] = o3(a[3]);
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
