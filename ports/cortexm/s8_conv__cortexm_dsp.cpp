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
// (no scratch) read both operands as bytes and widen the inputs in the loop.
// Every sum is exact in int32 (|acc| < 2^30 by kConvMaxDepth; SMLAD's
// 16-bit lanes hold x + off in [−255, 255] and w), as the reference's.
#include <arm_acle.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "starling/detail/layer_kernels_ports.hpp"
#include "starling/quant.hpp"

#if !defined(__ARM_FEATURE_DSP)
#error "ports/cortexm needs the DSP extension (__ARM_FEATURE_DSP): see ports/cortexm/meson.build"
#endif

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

// Pointwise: a[] as mac2x2_i16 for pixel rows x and x + k (bytes) and filter
// rows w and w + k, over q4 quads (q4 >= 1), widening x + off in the loop.
__attribute__((always_inline)) inline void mac2x2_s8(const int8_t*& x, const int8_t*& w, int32_t k, int32_t off2,
                                                     int32_t quads, int32_t* a) {
  for (int32_t q = 0; q < quads; ++q) {
    const int32_t v0 = load4(x), v1 = load4(x + k);
    const int32_t xa0 = __sxtab16(off2, v0), xb0 = sxtab16_ror8(off2, v0);
    const int32_t xa1 = __sxtab16(off2, v1), xb1 = sxtab16_ror8(off2, v1);
    const int32_t w0 = load4(w);
    int32_t wa = __sxtb16(w0), wb = sxtb16_ror8(w0);
    a[0] = __smlad(wb, xb0, __smlad(wa, xa0, a[0]));
    a[1] = __smlad(wb, xb1, __smlad(wa, xa1, a[1]));
    const int32_t w1 = load4(w + k);
    wa = __sxtb16(w1);
    wb = sxtb16_ror8(w1);
    a[2] = __smlad(wb, xb0, __smlad(wa, xa0, a[2]));
    a[3] = __smlad(wb, xb1, __smlad(wa, xa1, a[3]));
    x += 4;
    w += 4;
  }
}

template <Requantize kRq>
void conv(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
          void* scratch) {
  const int32_t K = p.k_h * p.k_w * p.in_c;  // <= kConvMaxDepth
  const int32_t quads = K / 4, rem = K % 4;
  const int32_t pairs = quads / 2;
  const std::ptrdiff_t out_c = p.out_c;
  const int pixels = p.out_h * p.out_w;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * p.in_c;
  const bool pointwise = conv_is_pointwise(p);
  const int32_t off = p.input_offset;
  const int32_t off2 = static_cast<int32_t>((static_cast<uint32_t>(off) & 0xFFFFu) * 0x10001u);
  int16_t* const buf = static_cast<int16_t*>(scratch);
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * image_size;
    int8_t* out = output + b * pixels * out_c;
    for (int pix = 0; pix < pixels; pix += 2) {
      const int npix = pixels - pix < 2 ? 1 : 2;
      // Pointwise: the pixel rows themselves (a lone last pixel repeats its
      // row as the second, whose results are dropped).
      const int8_t* xrow = image + static_cast<std::ptrdiff_t>(pix) * K;
      const int32_t xk = npix == 2 ? K : 0;
      if (!pointwise) gather2(p, image, pix, npix, buf, quads, rem);
      for (std::ptrdiff_t o = 0; o < out_c; o += 2) {
        const bool two = o + 1 < out_c;
        const int8_t* w = filter + o * K;
        const int32_t wk = two ? K : 0;  // a lone last channel repeats its row
        int32_t a[4] = {0, 0, 0, 0};
        if (pointwise) {
          const int8_t* x = xrow;
          // Second operand rows at +xk / +wk: mac2x2_s8 takes one stride, so
          // a lone pixel or channel runs its row twice (same result).
          if (xk == wk) {
            mac2x2_s8(x, w, xk, off2, quads, a);
          } else {
            // Mixed strides (odd channel or pixel count): plain 1x1 loops.
            const int8_t* x1 = xrow + xk;
            const int8_t* w1 = filter + o * K + wk;
            for (int32_t q = 0; q < quads; ++q) {
              const int32_t v0 = load4(x + 4 * q), v1 = load4(x1 + 4 * q);
              const int32_t xa0 = __sxtab16(off2, v0), xb0 = sxtab16_ror8(off2, v0);
              const int32_t xa1 = __sxtab16(off2, v1), xb1 = sxtab16_ror8(off2, v1);
              const int32_t w0 = load4(w + 4 * q), w1v = load4(w1 + 4 * q);
              a[0] = __smlad(sxtb16_ror8(w0), xb0, __smlad(__sxtb16(w0), xa0, a[0]));
              a[1] = __smlad(sxtb16_ror8(w0), xb1, __smlad(__sxtb16(w0), xa1, a[1]));
              a[2] = __smlad(sxtb16_ror8(w1v), xb0, __smlad(__sxtb16(w1v), xa0, a[2]));
              a[3] = __smlad(sxtb16_ror8(w1v), xb1, __smlad(__sxtb16(w1v), xa1, a[3]));
            }
            x += 4 * quads;
            w += 4 * quads;
          }
          for (int32_t j = 0; j < rem; ++j) {
            const int32_t x0 = x[j] + off, x1 = x[xk + j] + off;
            a[0] += w[j] * x0;
            a[1] += w[j] * x1;
            a[2] += w[wk + j] * x0;
            a[3] += w[wk + j] * x1;
          }
        } else {
          const int16_t* x = buf;
          if (wk == K) {
            if (pairs > 0) mac2x2_i16(x, w, K, pairs, a);
            if ((quads & 1) != 0) mac2x2_i16_one(x, w, K, a);
          } else {
            // A lone last channel: its row twice (results 2 and 3 dropped).
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
  conv<requantize_double>(p, input, filter, bias, output, scratch);
}
void s8_conv_single_rounding__cortexm_dsp(const ConvParams& p, const int8_t* input, const int8_t* filter,
                                          const int32_t* bias, int8_t* output, void* scratch) {
  conv<requantize_single>(p, input, filter, bias, output, scratch);
}

}  // namespace detail
}  // namespace starling
