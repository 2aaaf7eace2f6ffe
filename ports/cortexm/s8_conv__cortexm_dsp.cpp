// SPDX-License-Identifier: MIT
// s8_conv__cortexm_dsp: int8 2-D convolution with the ARMv7E-M DSP extension (SMLAD, 2 pixels × 2 channels a tile).
//
// Two output pixels at a time: their input patches are gathered into the
// caller's scratch as 16-bit x + input_offset (so padding taps are 0), two
// quads of each patch interleaved per 16 bytes in SXTB16's lane order:
// [p0 (x0, x2), p0 (x1, x3), p1 (x0, x2), p1 (x1, x3)] for every 4 inputs,
// the K % 4 last ones after the quads. Each filter word then serves both
// pixels: one LDR, two SXTB16 and four SMLAD per channel and quad, and one
// LDRD brings a pixel's quad (the tile's inner loop is assembly: GCC 12
// spills its 13 live registers). That is 4·K bytes for 2 pixels, the
// kConvIm2colRows·K bytes conv2d_s8_scratch_size() provides. Pointwise layers
// (no scratch) read both operands as bytes, widen them in the loop, and add
// input_offset·Σw per channel afterwards.
// Every sum is exact in int32 (|acc| < 2^30 by kConvMaxDepth; SMLAD's
// 16-bit lanes hold x + off in [−255, 255] and w), as the reference's.
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

inline int32_t load4(const void* p) {  // LDR; unaligned is fine on v7-M
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

// a[0] (ch 0, px 0), a[1] (ch 0, px 1), a[2] (ch 1, px 0), a[3] (ch 1, px 1)
// += the products of `pairs`·2 quads of the interleaved 16-bit patches at x
// (16-byte aligned) with filter rows w and w + k (k = K bytes), advancing x
// and w. pairs >= 1.
__attribute__((always_inline)) inline void mac2x2_i16(const int16_t*& x, const int8_t*& w, int32_t k, int32_t pairs,
                                                      int32_t* a) {
  int32_t a00 = a[0], a01 = a[1], a10 = a[2], a11 = a[3];
  const int16_t* const end = x + 16 * pairs;
  const int32_t k4 = k - 4;  // channel 1's word, after the post-increment of w
  int32_t xa0, xb0, xa1, xb1, wa, wv;
#define STARLING_CM_QUAD                              \
  "ldrd %[xa0], %[xb0], [%[x]], #8\n\t"               \
  "ldrd %[xa1], %[xb1], [%[x]], #8\n\t"               \
  "ldr %[wv], [%[w]], #4\n\t"                         \
  "sxtb16 %[wa], %[wv]\n\t"                           \
  "sxtb16 %[wv], %[wv], ror #8\n\t"                   \
  "smlad %[a00], %[wa], %[xa0], %[a00]\n\t"           \
  "smlad %[a00], %[wv], %[xb0], %[a00]\n\t"           \
  "smlad %[a01], %[wa], %[xa1], %[a01]\n\t"           \
  "smlad %[a01], %[wv], %[xb1], %[a01]\n\t"           \
  "ldr %[wv], [%[w], %[k4]]\n\t"                      \
  "sxtb16 %[wa], %[wv]\n\t"                           \
  "sxtb16 %[wv], %[wv], ror #8\n\t"                   \
  "smlad %[a10], %[wa], %[xa0], %[a10]\n\t"           \
  "smlad %[a10], %[wv], %[xb0], %[a10]\n\t"           \
  "smlad %[a11], %[wa], %[xa1], %[a11]\n\t"           \
  "smlad %[a11], %[wv], %[xb1], %[a11]\n\t"
  __asm__ volatile(
      "1:\n\t" STARLING_CM_QUAD STARLING_CM_QUAD
      "ldr %[wa], %[end]\n\t"
      "cmp %[x], %[wa]\n\t"
      "bne 1b\n\t"
      : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x] "+r"(x), [w] "+r"(w),
        [xa0] "=&r"(xa0), [xb0] "=&r"(xb0), [xa1] "=&r"(xa1), [xb1] "=&r"(xb1), [wa] "=&r"(wa), [wv] "=&r"(wv)
      : [k4] "r"(k4), [end] "m"(end)
      : "cc", "memory");
#undef STARLING_CM_QUAD
  a[0] = a00;
  a[1] = a01;
  a[2] = a10;
  a[3] = a11;
}

// The same for one quad (the odd one), in C.
inline void mac2x2_i16_one(const int16_t*& x, const int8_t*& w, int32_t k, int32_t* a) {
  int32_t xq[4];
  std::memcpy(xq, x, sizeof xq);
  const int32_t w0 = load4(w), w1 = load4(w + k);
  const int32_t w0a = __sxtb16(w0), w0b = sxtb16_ror8(w0), w1a = __sxtb16(w1), w1b = sxtb16_ror8(w1);
  a[0] = __smlad(w0b, xq[1], __smlad(w0a, xq[0], a[0]));
  a[1] = __smlad(w0b, xq[3], __smlad(w0a, xq[2], a[1]));
  a[2] = __smlad(w1b, xq[1], __smlad(w1a, xq[0], a[2]));
  a[3] = __smlad(w1b, xq[3], __smlad(w1a, xq[2], a[3]));
  x += 8;
  w += 4;
}

// Writes the patches of output pixels pix and pix + 1 (when two) in the
// interleaved layout; a missing second pixel gets zeros.
void gather2(const ConvParams& p, const int8_t* image, int pix, int npix, int16_t* buf, int32_t quads, int32_t rem) {
  const int32_t off = p.input_offset;
  const int32_t off2 = static_cast<int32_t>((static_cast<uint32_t>(off) & 0xFFFFu) * 0x10001u);
  const std::ptrdiff_t in_c = p.in_c;
  int16_t* const tail = buf + 8 * quads;
  // Element k of pixel q: quad k/4, lane (k%4): A word holds lanes 0 and 2,
  // B word lanes 1 and 3.
  auto put = [&](int q, int32_t k, int16_t v) {
    if (k < 4 * quads) buf[8 * (k / 4) + 4 * q + ((k & 1) != 0 ? 2 : 0) + ((k & 2) != 0 ? 1 : 0)] = v;
    else tail[q * rem + (k - 4 * quads)] = v;
  };
  for (int q = 0; q < 2; ++q) {
    if (q >= npix) {
      for (int32_t k = 0; k < 4 * quads + rem; ++k) put(q, k, 0);
      continue;
    }
    const int oy = (pix + q) / p.out_w, ox = pix + q - oy * p.out_w;
    const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
    int32_t k = 0;
    for (int ky = 0; ky < p.k_h; ++ky) {
      const int iy = y0 + ky * p.dilation_h;
      for (int kx = 0; kx < p.k_w; ++kx) {
        const int ix = x0 + kx * p.dilation_w;
        const bool in = iy >= 0 && iy < p.in_h && ix >= 0 && ix < p.in_w;
        const int8_t* src = in ? image + (static_cast<std::ptrdiff_t>(iy) * p.in_w + ix) * in_c : nullptr;
        std::ptrdiff_t c = 0;
        // Whole quads of this tap: two SXTAB16 give both words.
        if ((k & 3) == 0) {
          for (; c + 4 <= in_c && k + 4 <= 4 * quads; c += 4, k += 4) {
            int32_t* d = reinterpret_cast<int32_t*>(buf + 8 * (k / 4) + 4 * q);
            if (in) {
              const int32_t v = load4(src + c);
              d[0] = __sxtab16(off2, v);
              d[1] = sxtab16_ror8(off2, v);
            } else {
              d[0] = 0;
              d[1] = 0;
            }
          }
        }
        for (; c < in_c; ++c, ++k) put(q, k, in ? static_cast<int16_t>(src[c] + off) : int16_t{0});
      }
    }
  }
}

// Pointwise: a[] as mac2x2_i16, Σ w·x without the input offset (added as
// input_offset·Σw afterwards), for pixel rows x and x + k and filter rows w
// and w + k (k = K bytes), over `pairs`·2 quads, advancing x and w.
__attribute__((always_inline)) inline void mac2x2_s8(const int8_t*& x, const int8_t*& w, int32_t k, int32_t pairs,
                                                     int32_t* a) {
  int32_t a00 = a[0], a01 = a[1], a10 = a[2], a11 = a[3];
  const int8_t* const end = x + 8 * pairs;
  const int32_t k4 = k - 4;  // the second row's word, after the post-increments
  int32_t x0a, x0b, x1a, x1b, wa, wb;
#define STARLING_CM_QUAD8                             \
  "ldr %[x0a], [%[x]], #4\n\t"                        \
  "ldr %[x1a], [%[x], %[k4]]\n\t"                     \
  "sxtb16 %[x0b], %[x0a], ror #8\n\t"                 \
  "sxtb16 %[x0a], %[x0a]\n\t"                         \
  "sxtb16 %[x1b], %[x1a], ror #8\n\t"                 \
  "sxtb16 %[x1a], %[x1a]\n\t"                         \
  "ldr %[wb], [%[w]], #4\n\t"                         \
  "sxtb16 %[wa], %[wb]\n\t"                           \
  "sxtb16 %[wb], %[wb], ror #8\n\t"                   \
  "smlad %[a00], %[wa], %[x0a], %[a00]\n\t"           \
  "smlad %[a00], %[wb], %[x0b], %[a00]\n\t"           \
  "smlad %[a01], %[wa], %[x1a], %[a01]\n\t"           \
  "smlad %[a01], %[wb], %[x1b], %[a01]\n\t"           \
  "ldr %[wb], [%[w], %[k4]]\n\t"                      \
  "sxtb16 %[wa], %[wb]\n\t"                           \
  "sxtb16 %[wb], %[wb], ror #8\n\t"                   \
  "smlad %[a10], %[wa], %[x0a], %[a10]\n\t"           \
  "smlad %[a10], %[wb], %[x0b], %[a10]\n\t"           \
  "smlad %[a11], %[wa], %[x1a], %[a11]\n\t"           \
  "smlad %[a11], %[wb], %[x1b], %[a11]\n\t"
  __asm__ volatile(
      "1:\n\t" STARLING_CM_QUAD8 STARLING_CM_QUAD8
      "ldr %[wa], %[end]\n\t"
      "cmp %[x], %[wa]\n\t"
      "bne 1b\n\t"
      : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11), [x] "+r"(x), [w] "+r"(w),
        [x0a] "=&r"(x0a), [x0b] "=&r"(x0b), [x1a] "=&r"(x1a), [x1b] "=&r"(x1b), [wa] "=&r"(wa), [wb] "=&r"(wb)
      : [k4] "r"(k4), [end] "m"(end)
      : "cc", "memory");
#undef STARLING_CM_QUAD8
  a[0] = a00;
  a[1] = a01;
  a[2] = a10;
  a[3] = a11;
}

// Σ w·x of pixel rows x0, x1 and filter rows w0, w1 over n bytes (C: the odd
// quad, tails, a lone last pixel or channel), into a[] as mac2x2_s8.
inline void dot2x2_s8(const int8_t* x0, const int8_t* x1, const int8_t* w0, const int8_t* w1, int32_t n, int32_t* a) {
  for (int32_t i = 0; i < n; ++i) {
    a[0] += w0[i] * x0[i];
    a[1] += w0[i] * x1[i];
    a[2] += w1[i] * x0[i];
    a[3] += w1[i] * x1[i];
  }
}

// One output channel's requantization with its per-channel values loaded
// once: bias + Σw·input_offset folded into `add`, then kRq, output offset and
// clamp as s8_conv_output (the same operations, so the same bytes).
template <Requantize kRq>
struct ChannelOut {
  int32_t add, m, s, out_off, lo, hi;
  ChannelOut(const ConvParams& p, const int32_t* bias, std::ptrdiff_t o, int32_t extra)
      : add(static_cast<int32_t>((bias != nullptr ? static_cast<uint32_t>(bias[o]) : 0u) + static_cast<uint32_t>(extra))),
        m(p.multiplier[o]), s(static_cast<int>(p.shift[o])), out_off(p.output_offset), lo(p.act_min), hi(p.act_max) {}
  int8_t operator()(int32_t dot) const {
    const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(dot) + static_cast<uint32_t>(add));
    int32_t v = static_cast<int32_t>(static_cast<uint32_t>(kRq(acc, m, s)) + static_cast<uint32_t>(out_off));
    v = v < lo ? lo : v;
    v = v > hi ? hi : v;
    return static_cast<int8_t>(v);
  }
};

// Pointwise layers (no scratch): channel pairs outside, pixel pairs inside,
// so each pair's Σw (for the input offset) and requantization values are
// loaded once.
template <Requantize kRq>
void pointwise(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output) {
  const int32_t K = p.in_c;
  const int32_t quads = K / 4, pairs = quads / 2, done = 8 * pairs;
  const std::ptrdiff_t out_c = p.out_c;
  const std::ptrdiff_t pixels = static_cast<std::ptrdiff_t>(p.batches) * p.out_h * p.out_w;
  const uint32_t off = static_cast<uint32_t>(p.input_offset);
  for (std::ptrdiff_t o = 0; o < out_c; o += 2) {
    const bool two = o + 1 < out_c;
    const int8_t* w0 = filter + o * K;
    const int8_t* w1 = two ? w0 + K : w0;  // a lone last channel runs its row twice
    int32_t s0 = 0, s1 = 0;
    for (int32_t i = 0; i < K; ++i) {
      s0 += w0[i];
      s1 += w1[i];
    }
    // bias + input_offset·Σw + Σ w·x = bias + Σ w·(x + input_offset), wrapping, exact at the end.
    const ChannelOut<kRq> out0(p, bias, o, static_cast<int32_t>(off * static_cast<uint32_t>(s0)));
    const ChannelOut<kRq> out1(p, bias, two ? o + 1 : o, static_cast<int32_t>(off * static_cast<uint32_t>(s1)));
    for (std::ptrdiff_t px = 0; px < pixels; px += 2) {
      const bool pair = px + 1 < pixels;
      const int8_t* x0 = input + px * K;
      const int8_t* x1 = pair ? x0 + K : x0;  // a lone last pixel: its row twice
      int32_t a[4] = {0, 0, 0, 0};
      if (pair && two && pairs > 0) {
        const int8_t* x = x0;
        const int8_t* w = w0;
        mac2x2_s8(x, w, K, pairs, a);
        dot2x2_s8(x0 + done, x1 + done, w0 + done, w1 + done, K - done, a);
      } else {
        dot2x2_s8(x0, x1, w0, w1, K, a);
      }
      int8_t* y = output + px * out_c + o;
      y[0] = out0(a[0]);
      if (pair) y[out_c] = out0(a[1]);
      if (two) {
        y[1] = out1(a[2]);
        if (pair) y[out_c + 1] = out1(a[3]);
      }
    }
  }
}

template <Requantize kRq>
void conv(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
          void* scratch) {
  if (conv_is_pointwise(p)) {
    pointwise<kRq>(p, input, filter, bias, output);
    return;
  }
  const int32_t K = p.k_h * p.k_w * p.in_c;  // <= kConvMaxDepth
  const int32_t quads = K / 4, rem = K % 4;
  const int32_t pairs = quads / 2;
  const std::ptrdiff_t out_c = p.out_c;
  const int pixels = p.out_h * p.out_w;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * p.in_c;
  int16_t* const buf = static_cast<int16_t*>(scratch);
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * image_size;
    int8_t* out = output + b * pixels * out_c;
    for (int pix = 0; pix < pixels; pix += 2) {
      const int npix = pixels - pix < 2 ? 1 : 2;
      gather2(p, image, pix, npix, buf, quads, rem);
      for (std::ptrdiff_t o = 0; o < out_c; o += 2) {
        const bool two = o + 1 < out_c;
        const int8_t* w = filter + o * K;
        const int32_t wk = two ? K : 0;  // a lone last channel repeats its row
        int32_t a[4] = {0, 0, 0, 0};
        const int16_t* x = buf;
        if (two) {
          if (pairs > 0) mac2x2_i16(x, w, K, pairs, a);
          if ((quads & 1) != 0) mac2x2_i16_one(x, w, K, a);
        } else {
          for (int32_t q = 0; q < quads; ++q) mac2x2_i16_one(x, w, 0, a);
        }
        const int16_t* tail = buf + 8 * quads;
        for (int32_t j = 0; j < rem; ++j) {
          const int32_t x0 = tail[j], x1 = tail[rem + j];
          a[0] += w[j] * x0;
          a[1] += w[j] * x1;
          a[2] += w[wk + j] * x0;
          a[3] += w[wk + j] * x1;
        }
        int8_t* y = out + static_cast<std::ptrdiff_t>(pix) * out_c + o;
        y[0] = s8_conv_output<kRq>(p, bias, o, a[0]);
        if (npix == 2) y[out_c] = s8_conv_output<kRq>(p, bias, o, a[1]);
        if (two) {
          y[1] = s8_conv_output<kRq>(p, bias, o + 1, a[2]);
          if (npix == 2) y[out_c + 1] = s8_conv_output<kRq>(p, bias, o + 1, a[3]);
        }
      }
    }
  }
}

}  // namespace

void s8_conv__cortexm_dsp(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                          int8_t* output, void* scratch) {
  conv<requantize_double_fast>(p, input, filter, bias, output, scratch);
}
void s8_conv_single_rounding__cortexm_dsp(const ConvParams& p, const int8_t* input, const int8_t* filter,
                                          const int32_t* bias, int8_t* output, void* scratch) {
  conv<requantize_single_fast>(p, input, filter, bias, output, scratch);
}

}  // namespace detail
}  // namespace starling

#endif  // __arm__ && __ARM_FEATURE_DSP
