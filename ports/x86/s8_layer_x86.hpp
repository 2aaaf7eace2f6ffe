// SPDX-License-Identifier: MIT
// s8_layer_x86.hpp: what the x86 conv and depthwise kernels share: the
// depthwise tap walk and weight packing, and 16-lane requantization when the
// including file is compiled for AVX-512. Private to ports/x86; internal
// linkage, so each ISA's copy keeps its own flags.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "s8_fc_x86.hpp"
#include "starling/detail/layer_kernels.hpp"

namespace starling {
namespace detail {
namespace {

#if defined(__AVX512F__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push  // _mm512_srav_epi64 and friends, GCC bug 105593
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// requant8() of s8_fc_x86.hpp on 16 lanes, for the fully connected kernel
/// and the layers alike (AVX-512 has the arithmetic 64-bit shift and mask
/// registers). Bit-exact with requantize_double / requantize_single.
template <bool Single>
inline __m512i layer_requant16(__m512i acc, __m512i m, __m512i sh) noexcept {
  const __m512i zero = _mm512_setzero_si512();
  if (!Single) {
    const __m512i one = _mm512_set1_epi32(1);
    const __m512i left = _mm512_max_epi32(sh, zero);
    const __m512i right = _mm512_max_epi32(_mm512_sub_epi32(zero, sh), zero);
    const __m512i x = _mm512_sllv_epi32(acc, left);  // wraps like the reference
    const __m512i c = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i pe = _mm512_add_epi64(_mm512_mul_epi32(x, m), c);
    const __m512i po = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(m, 32)), c);
    const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe, 31), _mm512_slli_epi64(po, 1));
    const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
    const __m512i rem = _mm512_and_si512(h, mask);
    const __m512i thr = _mm512_add_epi32(_mm512_srli_epi32(mask, 1), _mm512_srli_epi32(h, 31));
    const __m512i q = _mm512_srav_epi32(h, right);
    return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, thr), q, one);
  } else {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i t = _mm512_sub_epi32(_mm512_set1_epi32(31), sh);  // [1, 62]
    const __m512i te = _mm512_and_si512(t, _mm512_set1_epi64(0xFFFFFFFFll));
    const __m512i to = _mm512_srli_epi64(t, 32);
    __m512i qe = _mm512_mul_epi32(acc, m);
    __m512i qo = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(m, 32));
    qe = _mm512_srav_epi64(_mm512_add_epi64(qe, _mm512_sllv_epi64(one, _mm512_sub_epi64(te, one))), te);
    qo = _mm512_srav_epi64(_mm512_add_epi64(qo, _mm512_sllv_epi64(one, _mm512_sub_epi64(to, one))), to);
    return _mm512_mask_blend_epi32(0xAAAA, qe, _mm512_slli_epi64(qo, 32));  // low 32 bits: wraps
  }
}

/// layer_requant16() with every per-channel term computed once: for a
/// kernel that requantizes many accumulators with the same (multiplier,
/// shift) vectors. The same operations on the same values, so the same bits.
template <bool Single>
struct Requant16 {
  __m512i m, m_odd, left, right, mask, half_mask;  // double rounding
  __m512i te, to, re, ro;                          // single rounding
  Requant16(__m512i mult, __m512i sh) noexcept {
    const __m512i zero = _mm512_setzero_si512();
    m = mult;
    m_odd = _mm512_srli_epi64(mult, 32);
    if (!Single) {
      const __m512i one = _mm512_set1_epi32(1);
      left = _mm512_max_epi32(sh, zero);
      right = _mm512_max_epi32(_mm512_sub_epi32(zero, sh), zero);
      mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, right), one);
      half_mask = _mm512_srli_epi32(mask, 1);
      te = to = re = ro = zero;
    } else {
      const __m512i one = _mm512_set1_epi64(1);
      const __m512i t = _mm512_sub_epi32(_mm512_set1_epi32(31), sh);  // [1, 62]
      te = _mm512_and_si512(t, _mm512_set1_epi64(0xFFFFFFFFll));
      to = _mm512_srli_epi64(t, 32);
      re = _mm512_sllv_epi64(one, _mm512_sub_epi64(te, one));
      ro = _mm512_sllv_epi64(one, _mm512_sub_epi64(to, one));
      left = right = mask = half_mask = zero;
    }
  }
  __m512i operator()(__m512i acc) const noexcept {
    if (!Single) {
      const __m512i x = _mm512_sllv_epi32(acc, left);
      const __m512i c = _mm512_set1_epi64(int64_t{1} << 30);
      const __m512i pe = _mm512_add_epi64(_mm512_mul_epi32(x, m), c);
      const __m512i po = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), m_odd), c);
      const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(pe, 31), _mm512_slli_epi64(po, 1));
      const __m512i rem = _mm512_and_si512(h, mask);
      const __m512i thr = _mm512_add_epi32(half_mask, _mm512_srli_epi32(h, 31));
      const __m512i q = _mm512_srav_epi32(h, right);
      return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, thr), q, _mm512_set1_epi32(1));
    }
    __m512i qe = _mm512_mul_epi32(acc, m);
    __m512i qo = _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), m_odd);
    qe = _mm512_srav_epi64(_mm512_add_epi64(qe, re), te);
    qo = _mm512_srav_epi64(_mm512_add_epi64(qo, ro), to);
    return _mm512_mask_blend_epi32(0xAAAA, qe, _mm512_slli_epi64(qo, 32));
  }
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/// In-place transpose of a 16x16 matrix of 32-bit elements held as 16 rows
/// (the conv kernel's and the small-batch FC's weight packing).
inline void transpose16(__m512i* r) {
  __m512i a[16], b[16];
  for (int m = 0; m < 8; ++m) {
    a[2 * m] = _mm512_unpacklo_epi32(r[2 * m], r[2 * m + 1]);
    a[2 * m + 1] = _mm512_unpackhi_epi32(r[2 * m], r[2 * m + 1]);
  }
  // b[4n + i], 128-bit lane k: rows 4n .. 4n+3 of column 4k + i.
  for (int n = 0; n < 4; ++n) {
    b[4 * n + 0] = _mm512_unpacklo_epi64(a[4 * n], a[4 * n + 2]);
    b[4 * n + 1] = _mm512_unpackhi_epi64(a[4 * n], a[4 * n + 2]);
    b[4 * n + 2] = _mm512_unpacklo_epi64(a[4 * n + 1], a[4 * n + 3]);
    b[4 * n + 3] = _mm512_unpackhi_epi64(a[4 * n + 1], a[4 * n + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    const __m512i d0 = _mm512_shuffle_i32x4(b[i], b[4 + i], 0x44), d1 = _mm512_shuffle_i32x4(b[i], b[4 + i], 0xEE);
    const __m512i d2 = _mm512_shuffle_i32x4(b[8 + i], b[12 + i], 0x44), d3 = _mm512_shuffle_i32x4(b[8 + i], b[12 + i], 0xEE);
    r[i] = _mm512_shuffle_i32x4(d0, d2, 0x88);
    r[4 + i] = _mm512_shuffle_i32x4(d0, d2, 0xDD);
    r[8 + i] = _mm512_shuffle_i32x4(d1, d3, 0x88);
    r[12 + i] = _mm512_shuffle_i32x4(d1, d3, 0xDD);
  }
}

/// acc + vpdpbusd(u, w), stated in place (GCC 12 otherwise copies the
/// accumulators around each vpdpbusd; see s8_fc__avx512vnni.cpp).
inline __m512i layer_dpbusd(__m512i acc, __m512i u, __m512i w) noexcept {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "vm"(w));
  return acc;
}
#endif

}  // namespace
}  // namespace detail
}  // namespace starling
