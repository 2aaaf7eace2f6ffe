// SPDX-License-Identifier: MIT
// s8_fc__neon: int8 fully-connected layer, baseline aarch64 NEON (widening
// multiplies: SMULL/SMULL2 + SADALP), 4 output rows per tile.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "s8_fc_neon_common.hpp"
#include "starling/detail/kernels_neon.hpp"

namespace starling {
namespace detail {
namespace {

// Σ of each of the 4 rows: pairwise to int16 (|pair| <= 256), then to int32.
int32x4_t row_sums_widening(const int8_t* const w[4], std::ptrdiff_t n) {
  int32x4_t s[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  std::ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 4; ++k) s[k] = vpadalq_s16(s[k], vpaddlq_s8(vld1q_s8(w[k] + i)));
  if (i < n)
    for (int k = 0; k < 4; ++k) s[k] = vpadalq_s16(s[k], vpaddlq_s8(load_tail16(w[k] + i, n - i)));
  return vpaddq_s32(vpaddq_s32(s[0], s[1]), vpaddq_s32(s[2], s[3]));
}

// Σ w·x of each row. Each int16 product is in [−16256, 16384]; it goes
// straight into the int32 lanes (SADALP): SMLAL'ing two products into one
// int16 would overflow for w = x = −128 (2·16384 = 2^15).
inline void mac16(int32x4_t& a, int8x16_t w, int8x16_t x) {
  a = vpadalq_s16(a, vmull_s8(vget_low_s8(w), vget_low_s8(x)));
  a = vpadalq_s16(a, vmull_high_s8(w, x));
}

int32x4_t dots_widening(const int8_t* const w[4], const int8_t* x, std::ptrdiff_t n) {
  int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  std::ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t xv = vld1q_s8(x + i);
    for (int k = 0; k < 4; ++k) mac16(a[k], vld1q_s8(w[k] + i), xv);
  }
  if (i < n) {
    const int8x16_t xv = load_tail16(x + i, n - i);
    for (int k = 0; k < 4; ++k) mac16(a[k], load_tail16(w[k] + i, n - i), xv);
  }
  return vpaddq_s32(vpaddq_s32(a[0], a[1]), vpaddq_s32(a[2], a[3]));
}

}  // namespace

void s8_fc__neon_double(const FcParams& p, const int8_t* input, const int8_t* weights,
                        const int32_t* bias, int8_t* output, int batches) {
  s8_fc_neon_driver<false>(p, input, weights, bias, output, batches, row_sums_widening,
                           dots_widening);
}

void s8_fc__neon_single(const FcParams& p, const int8_t* input, const int8_t* weights,
                        const int32_t* bias, int8_t* output, int batches) {
  s8_fc_neon_driver<true>(p, input, weights, bias, output, batches, row_sums_widening,
                          dots_widening);
}

}  // namespace detail
}  // namespace starling
