// SPDX-License-Identifier: MIT
// s8_fc__neon_dotprod: int8 fully-connected layer with SDOT (FEAT_DotProd,
// built with -march=armv8.2-a+dotprod), 4 output rows per tile.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "s8_fc_neon_common.hpp"
#include "starling/detail/kernels_neon.hpp"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "s8_fc__neon_dotprod.cpp needs -march=armv8.2-a+dotprod (see ports/neon/meson.build)"
#endif

namespace starling {
namespace detail {
namespace {

// Σ of each of the 4 rows: SDOT against ones (signed × signed, so no offset
// trick), once per call; input_offset·Σw is folded into the row constant.
int32x4_t row_sums_dotprod(const int8_t* const w[4], std::ptrdiff_t n) {
  const int8x16_t ones = vdupq_n_s8(1);
  int32x4_t s[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  std::ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 4; ++k) s[k] = vdotq_s32(s[k], vld1q_s8(w[k] + i), ones);
  if (i < n)
    for (int k = 0; k < 4; ++k) s[k] = vdotq_s32(s[k], load_tail16(w[k] + i, n - i), ones);
  return vpaddq_s32(vpaddq_s32(s[0], s[1]), vpaddq_s32(s[2], s[3]));
}

// Σ w·x of each row, 16 products per SDOT (exact: |Σ| < 2^30).
int32x4_t dots_dotprod(const int8_t* const w[4], const int8_t* x, std::ptrdiff_t n) {
  int32x4_t a[4] = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  std::ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t xv = vld1q_s8(x + i);
    for (int k = 0; k < 4; ++k) a[k] = vdotq_s32(a[k], vld1q_s8(w[k] + i), xv);
  }
  if (i < n) {
    const int8x16_t xv = load_tail16(x + i, n - i);
    for (int k = 0; k < 4; ++k) a[k] = vdotq_s32(a[k], load_tail16(w[k] + i, n - i), xv);
  }
  return vpaddq_s32(vpaddq_s32(a[0], a[1]), vpaddq_s32(a[2], a[3]));
}

}  // namespace

void s8_fc__neon_dotprod_double(const FcParams& p, const int8_t* input, const int8_t* weights,
                                const int32_t* bias, int8_t* output, int batches) {
  s8_fc_neon_driver<false>(p, input, weights, bias, output, batches, row_sums_dotprod,
                           dots_dotprod);
}

void s8_fc__neon_dotprod_single(const FcParams& p, const int8_t* input, const int8_t* weights,
                                const int32_t* bias, int8_t* output, int batches) {
  s8_fc_neon_driver<true>(p, input, weights, bias, output, batches, row_sums_dotprod,
                          dots_dotprod);
}

}  // namespace detail
}  // namespace starling
