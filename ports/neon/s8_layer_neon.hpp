// SPDX-License-Identifier: MIT
// ports/neon: the int8 depthwise kernel shared by the NEON variants (16
// channels a block, taps in steps of one tap (SMLAL) or four (SDOT)), with
// its weight packing, border handling and 16-lane requantization. Internal
// linkage, so the dotprod library (other -march flags) keeps its own copy.
#pragma once
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "s8_fc_neon_common.hpp"
#include "starling/detail/layer_kernels.hpp"

namespace starling {
namespace detail {
namespace {

// Channels are the lanes: 16 a block, four int32x4 accumulators. Taps in the
// padding read x = −input_offset (their x + input_offset is 0), so every
// pixel sums all k_h·k_w taps, Σ w·x, and the wanted Σ w·(x + input_offset)
// adds the per-channel constant input_offset·Σw (wrapping, exact at the end).
// Form: kStep taps a step; Packed: one step's weights; pack() builds them
// from kStep tap vectors of 16 weights; mac() adds one step's products.
template <bool kSingle, class Form>
void s8_dw_neon(const DepthwiseParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                int8_t* output) {
  using Packed = typename Form::Packed;
  constexpr int kStep = Form::kStep;
  constexpr int kMaxSteps = (kDwSimdMaxTaps + kStep - 1) / kStep;
  const std::ptrdiff_t C = p.in_c;
  const int taps = p.k_h * p.k_w, steps = (taps + kStep - 1) / kStep;
  const int32_t off = p.input_offset;
  int8_t pad[16];
  std::memset(pad, static_cast<int8_t>(-off), sizeof pad);
  const int8x16_t padv = vdupq_n_s8(static_cast<int8_t>(-off));
  Packed wp[kMaxSteps];
  const int8_t* tp[kMaxSteps * kStep];
  std::ptrdiff_t tap_off[kMaxSteps * kStep];
  for (int ky = 0, t = 0; ky < p.k_h; ++ky)
    for (int kx = 0; kx < p.k_w; ++kx, ++t)
      tap_off[t] = (static_cast<std::ptrdiff_t>(ky) * p.dilation_h * p.in_w + static_cast<std::ptrdiff_t>(kx) * p.dilation_w) * C;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * C;
  const int pixels = p.out_h * p.out_w;
  const int32x4_t zero = vdupq_n_s32(0), out_off = vdupq_n_s32(p.output_offset);
  const int32x4_t act_min = vdupq_n_s32(p.act_min), act_max = vdupq_n_s32(p.act_max);
  for (std::ptrdiff_t c0 = 0; c0 < C; c0 += 16) {
    const int nc = C - c0 < 16 ? static_cast<int>(C - c0) : 16;
    // Lanes past nc have weight 0, so whatever they read adds nothing; a
    // partial block reads its nc bytes through a buffer (or as 8 bytes).
    int8_t tmp[16] = {};
    auto load = [&](const int8_t* src) -> int8x16_t {
      if (nc == 16) return vld1q_s8(src);
      if (nc == 8) return vcombine_s8(vld1_s8(src), vdup_n_s8(0));
      std::memcpy(tmp, src, static_cast<size_t>(nc));
      return vld1q_s8(tmp);
    };
    int32_t corr[16], mult[16], shift[16];
    for (int c = 0; c < 16; ++c) {
      int32_t sum = 0;
      if (c < nc)
        for (int t = 0; t < taps; ++t) sum += filter[t * C + c0 + c];
      const uint32_t b = c < nc && bias != nullptr ? static_cast<uint32_t>(bias[c0 + c]) : 0u;
      corr[c] = static_cast<int32_t>(b + static_cast<uint32_t>(off) * static_cast<uint32_t>(sum));
      mult[c] = c < nc ? p.multiplier[c0 + c] : 0;
      shift[c] = c < nc ? p.shift[c0 + c] : 0;
    }
    for (int s = 0; s < steps; ++s) {
      int8x16_t w[kStep];
      for (int k = 0; k < kStep; ++k) {
        const int t = s * kStep + k;
        w[k] = t < taps ? load(filter + t * C + c0) : vdupq_n_s8(0);
      }
      wp[s] = Form::pack(w);
    }
    int32x4_t cv[4], mv[4], left[4], neg_right[4];
    int64x2_t neg_t[8];
    for (int v = 0; v < 4; ++v) {
      cv[v] = vld1q_s32(corr + 4 * v);
      mv[v] = vld1q_s32(mult + 4 * v);
      const int32x4_t sh = vld1q_s32(shift + 4 * v);
      left[v] = vmaxq_s32(sh, zero);
      neg_right[v] = vminq_s32(sh, zero);
      const int32x4_t nt = vsubq_s32(sh, vdupq_n_s32(31));
      neg_t[2 * v] = vmovl_s32(vget_low_s32(nt));
      neg_t[2 * v + 1] = vmovl_high_s32(nt);
    }
    for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
      const int8_t* image = input + b * image_size;
      int8_t* y = output + b * pixels * C + c0;
      for (int oy = 0; oy < p.out_h; ++oy) {
        const int y0 = oy * p.stride_h - p.pad_h;
        const bool rows_in = y0 >= 0 && y0 + (p.k_h - 1) * p.dilation_h < p.in_h;
        for (int ox = 0; ox < p.out_w; ++ox, y += C) {
          const int x0 = ox * p.stride_w - p.pad_w;
          int32x4_t acc[4] = {cv[0], cv[1], cv[2], cv[3]};
          if (rows_in && x0 >= 0 && x0 + (p.k_w - 1) * p.dilation_w < p.in_w) {
            const int8_t* base = image + (static_cast<std::ptrdiff_t>(y0) * p.in_w + x0) * C + c0;
            for (int s = 0; s < steps; ++s) {
              int8x16_t x[kStep];
              for (int k = 0; k < kStep; ++k) {
                const int t = s * kStep + k;
                x[k] = t < taps ? load(base + tap_off[t]) : padv;
              }
              Form::mac(acc, x, wp[s]);
            }
          } else {
            dw_taps(p, image, oy, ox, c0, pad, tp);
            for (int s = 0; s < steps; ++s) {
              int8x16_t x[kStep];
              for (int k = 0; k < kStep; ++k) {
                const int t = s * kStep + k;
                x[k] = t < taps && tp[t] != pad ? load(tp[t]) : padv;
              }
              Form::mac(acc, x, wp[s]);
            }
          }
          int16x4_t h[4];
          for (int v = 0; v < 4; ++v) {
            int32x4_t r = kSingle ? requantize4_single(acc[v], mv[v], neg_t[2 * v], neg_t[2 * v + 1])
                                  : requantize4_double(acc[v], mv[v], left[v], neg_right[v]);
            r = vminq_s32(vmaxq_s32(vaddq_s32(r, out_off), act_min), act_max);
            h[v] = vmovn_s32(r);  // in [−128, 127]: exact
          }
          const int8x16_t o = vcombine_s8(vmovn_s16(vcombine_s16(h[0], h[1])), vmovn_s16(vcombine_s16(h[2], h[3])));
          if (nc == 16) {
            vst1q_s8(y, o);
          } else {
            int8_t ob[16];
            vst1q_s8(ob, o);
            std::memcpy(y, ob, static_cast<size_t>(nc));
          }
        }
      }
    }
  }
}

// One tap a step: widen to 16 bits, SMLAL (exact: |w·x| <= 2^14).
struct DwSmlalForm {
  static constexpr int kStep = 1;
  struct Packed {
    int16x8_t lo, hi;
  };
  static Packed pack(const int8x16_t* w) { return Packed{vmovl_s8(vget_low_s8(w[0])), vmovl_high_s8(w[0])}; }
  static void mac(int32x4_t* acc, const int8x16_t* x, const Packed& w) {
    const int16x8_t xl = vmovl_s8(vget_low_s8(x[0])), xh = vmovl_high_s8(x[0]);
    acc[0] = vmlal_s16(acc[0], vget_low_s16(xl), vget_low_s16(w.lo));
    acc[1] = vmlal_high_s16(acc[1], xl, w.lo);
    acc[2] = vmlal_s16(acc[2], vget_low_s16(xh), vget_low_s16(w.hi));
    acc[3] = vmlal_high_s16(acc[3], xh, w.hi);
  }
};

}  // namespace
}  // namespace detail
}  // namespace starling
