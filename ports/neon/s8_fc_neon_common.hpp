// SPDX-License-Identifier: MIT
// ports/neon: the part of the s8 fully-connected kernels shared by the NEON
// variants: the row-tile driver and the 4-lane requantization. Everything
// here has internal linkage, so the dotprod library (built with other -march
// flags) never supplies a COMDAT copy that baseline code would link to.
#pragma once
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "starling/quant.hpp"

namespace starling {
namespace detail {
namespace {

// requantize_double on 4 lanes. left = max(shift, 0), right = max(-shift, 0).
//   x = acc << left (wraps, as the reference's uint32 shift);
//   SQRDMULH is gemmlowp's SRDHM exactly: (2·x·m + 2^31) >> 32 with the one
//   overflow (x = m = −2^31) saturated, i.e. round(x·m/2^31) ties to +inf;
//   SRSHL by −right rounds ties toward +inf, so negative values first get
//   −1 (saturating: −2^31 stays, as in the reference) to round ties away
//   from zero (gemmlowp RoundingDivideByPOT); right == 0 adds nothing.
inline int32x4_t requantize4_double(int32x4_t acc, int32x4_t mult, int32x4_t left,
                                    int32x4_t neg_right) {
  const int32x4_t x = vshlq_s32(acc, left);
  const int32x4_t h = vqrdmulhq_s32(x, mult);
  // neg_right < 0 exactly when right > 0: its sign bit ANDed with h's.
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(h, neg_right), 31);
  return vrshlq_s32(vqaddq_s32(h, fixup), neg_right);
}

// requantize_single on 4 lanes: (acc·m + 2^(t−1)) >> t with t = 31 − shift in
// [1, 62], in 64 bits (SMULL, SRSHL rounds at full precision), then the low
// 32 bits (XTN wraps like the reference's cast).
inline int32x4_t requantize4_single(int32x4_t acc, int32x4_t mult, int64x2_t neg_t_lo,
                                    int64x2_t neg_t_hi) {
  const int64x2_t lo = vrshlq_s64(vmull_s32(vget_low_s32(acc), vget_low_s32(mult)), neg_t_lo);
  const int64x2_t hi = vrshlq_s64(vmull_high_s32(acc, mult), neg_t_hi);
  return vcombine_s32(vmovn_s64(lo), vmovn_s64(hi));
}

// The driver: rows in tiles of 4 (a short last tile repeats its last row
// and stores only its own lanes), so the per-row constant
// bias + input_offset·Σw and the requantization vectors are computed once
// per call, and the tile's weights stay in cache across the batches.
//   RowSums: int32x4_t (const int8_t* const w[4], ptrdiff_t n) → Σ of each row
//   Dots:    int32x4_t (const int8_t* const w[4], const int8_t* x, ptrdiff_t n)
// All int32 arithmetic wraps (NEON), so acc = dot + (bias + off·Σw) equals the
// reference's bias + Σ w·(x + off) in two's complement, which is exact there.
template <bool kSingle, class RowSums, class Dots>
inline void s8_fc_neon_driver(const FcParams& p, const int8_t* input, const int8_t* weights,
                              const int32_t* bias, int8_t* output, int batches, RowSums row_sums,
                              Dots dots) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const std::ptrdiff_t out_dim = p.out_dim;
  const int32x4_t out_off = vdupq_n_s32(p.output_offset);
  const int32x4_t act_min = vdupq_n_s32(p.act_min);
  const int32x4_t act_max = vdupq_n_s32(p.act_max);
  const int32x4_t zero = vdupq_n_s32(0);
  for (std::ptrdiff_t o = 0; o < out_dim; o += 4) {
    const int lanes = out_dim - o < 4 ? static_cast<int>(out_dim - o) : 4;
    std::ptrdiff_t row[4];
    for (int k = 0; k < 4; ++k) row[k] = o + (k < lanes ? k : lanes - 1);
    const int8_t* const w[4] = {weights + row[0] * in_dim, weights + row[1] * in_dim,
                                weights + row[2] * in_dim, weights + row[3] * in_dim};
    int32_t b4[4], m4[4], s4[4], k4[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4; ++k) {
      const std::ptrdiff_t c = p.per_channel ? row[k] : 0;
      b4[k] = bias != nullptr ? bias[row[k]] : 0;
      m4[k] = p.multiplier[c];
      s4[k] = p.shift[c];
      if (p.kernel_sums != nullptr) k4[k] = p.kernel_sums[row[k]];
    }
    // Σw from the caller's kernel_sums when given, and not at all when the
    // input offset is 0 (its product is 0): no pass over the weights.
    const int32x4_t sums = p.kernel_sums != nullptr ? vld1q_s32(k4)
                           : p.input_offset != 0    ? row_sums(w, in_dim)
                                                    : zero;
    const int32x4_t row_const = vaddq_s32(vld1q_s32(b4), vmulq_s32(sums, vdupq_n_s32(p.input_offset)));
    const int32x4_t mult = vld1q_s32(m4);
    const int32x4_t shift = vld1q_s32(s4);
    // Double rounding: left and −right shift counts.
    const int32x4_t left = vmaxq_s32(shift, zero);
    const int32x4_t neg_right = vminq_s32(shift, zero);
    // Single rounding: −t = shift − 31, widened for the 64-bit shifts.
    const int32x4_t neg_t = vsubq_s32(shift, vdupq_n_s32(31));
    const int64x2_t neg_t_lo = vmovl_s32(vget_low_s32(neg_t));
    const int64x2_t neg_t_hi = vmovl_high_s32(neg_t);
    for (std::ptrdiff_t b = 0; b < batches; ++b) {
      const int32x4_t acc = vaddq_s32(dots(w, input + b * in_dim, in_dim), row_const);
      int32x4_t v = kSingle ? requantize4_single(acc, mult, neg_t_lo, neg_t_hi)
                            : requantize4_double(acc, mult, left, neg_right);
      v = vaddq_s32(v, out_off);
      v = vminq_s32(vmaxq_s32(v, act_min), act_max);
      const int16x4_t v16 = vmovn_s32(v);
      const int8x8_t v8 = vmovn_s16(vcombine_s16(v16, v16));
      int8_t tmp[8];
      vst1_s8(tmp, v8);
      std::memcpy(output + b * out_dim + o, tmp, static_cast<std::size_t>(lanes));
    }
  }
}

// Copies the last n < 16 bytes of a row into a zero-padded 16-byte block.
inline int8x16_t load_tail16(const int8_t* src, std::ptrdiff_t n) {
  int8_t buf[16] = {};
  std::memcpy(buf, src, static_cast<std::size_t>(n));
  return vld1q_s8(buf);
}

}  // namespace
}  // namespace detail
}  // namespace starling
