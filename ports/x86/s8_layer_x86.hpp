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
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

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
