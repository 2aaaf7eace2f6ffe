// SPDX-License-Identifier: MIT
// s8_add_x86.hpp: the int8 element-wise addition (TFLite's ADD) on 8 lanes of
// AVX2 (the AVX2 port library) or 16 of AVX-512 (the AVX-512 VNNI one; each
// compiles its own copy with its own flags). Private to ports/x86.
//
// Each element is the reference's three requantizations (both inputs to the
// common scale, their sum to the output's) with requant8(), bit-exact with
// requantize_double / requantize_single; the last size % 8 elements take the
// same formulas one at a time (requant_s). Inputs and outputs are read and
// written only within size: 8 bytes at a time, then byte by byte.
#pragma once
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "s8_fc_x86.hpp"
#include "s8_layer_x86.hpp"
#include "starling/layers.hpp"

namespace starling {
namespace detail {
namespace {

template <bool Single>
inline void add_x86(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* out) noexcept {
  // |x + offset| <= 255 and left_shift <= kAddMaxLeftShift: every value
  // below stays inside int32 exactly, as in the reference.
  const __m256i off1 = _mm256_set1_epi32(p.in1_offset), off2 = _mm256_set1_epi32(p.in2_offset);
  const __m256i m1 = _mm256_set1_epi32(p.in1_multiplier), s1 = _mm256_set1_epi32(p.in1_shift);
  const __m256i m2 = _mm256_set1_epi32(p.in2_multiplier), s2 = _mm256_set1_epi32(p.in2_shift);
  const __m256i mo = _mm256_set1_epi32(p.out_multiplier), so = _mm256_set1_epi32(p.out_shift);
  const __m256i oo = _mm256_set1_epi32(p.out_offset);
  const __m256i lo = _mm256_set1_epi32(p.act_min), hi = _mm256_set1_epi32(p.act_max);
  const __m128i ls = _mm_cvtsi32_si128(p.left_shift);
  const std::ptrdiff_t n = p.size;
  std::ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) {
    long long w1, w2;
    std::memcpy(&w1, in1 + i, 8);
    std::memcpy(&w2, in2 + i, 8);
    __m256i a = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(w1));
    __m256i b = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(w2));
    a = requant8<Single>(_mm256_sll_epi32(_mm256_add_epi32(a, off1), ls), m1, s1);
    b = requant8<Single>(_mm256_sll_epi32(_mm256_add_epi32(b, off2), ls), m2, s2);
    __m256i v = _mm256_add_epi32(requant8<Single>(_mm256_add_epi32(a, b), mo, so), oo);
    v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
    // In [−128, 127]: the saturating packs are exact.
    const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    const long long w8 = _mm_cvtsi128_si64(_mm_packs_epi16(w16, w16));
    std::memcpy(out + i, &w8, 8);
  }
  const int32_t scale = int32_t{1} << p.left_shift;
  for (; i < n; ++i) {
    const int32_t a = requant_s<Single>((in1[i] + p.in1_offset) * scale, p.in1_multiplier, p.in1_shift);
    const int32_t b = requant_s<Single>((in2[i] + p.in2_offset) * scale, p.in2_multiplier, p.in2_shift);
    int32_t v = requant_s<Single>(a + b, p.out_multiplier, p.out_shift) + p.out_offset;
    v = v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v);
    out[i] = static_cast<int8_t>(v);
  }
}

#if defined(__AVX512F__)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push  // _mm512_cvtepi8_epi32 and friends, GCC bug 105593
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// add_x86 16 lanes at a time with layer_requant16 (AVX-512), the rest
/// (size % 16 elements) through add_x86.
template <bool Single>
inline void add_x86_512(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* out) noexcept {
  const __m512i off1 = _mm512_set1_epi32(p.in1_offset), off2 = _mm512_set1_epi32(p.in2_offset);
  const __m512i m1 = _mm512_set1_epi32(p.in1_multiplier), s1 = _mm512_set1_epi32(p.in1_shift);
  const __m512i m2 = _mm512_set1_epi32(p.in2_multiplier), s2 = _mm512_set1_epi32(p.in2_shift);
  const __m512i mo = _mm512_set1_epi32(p.out_multiplier), so = _mm512_set1_epi32(p.out_shift);
  const __m512i oo = _mm512_set1_epi32(p.out_offset);
  const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
  const __m128i ls = _mm_cvtsi32_si128(p.left_shift);
  const std::ptrdiff_t n = p.size;
  std::ptrdiff_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512i a = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in1 + i)));
    __m512i b = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in2 + i)));
    a = layer_requant16<Single>(_mm512_sll_epi32(_mm512_add_epi32(a, off1), ls), m1, s1);
    b = layer_requant16<Single>(_mm512_sll_epi32(_mm512_add_epi32(b, off2), ls), m2, s2);
    __m512i v = _mm512_add_epi32(layer_requant16<Single>(_mm512_add_epi32(a, b), mo, so), oo);
    v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm512_cvtsepi32_epi8(v));  // in range: exact
  }
  if (i < n) {
    AddParams rest = p;
    rest.size = static_cast<int>(n - i);
    add_x86<Single>(rest, in1 + i, in2 + i, out + i);
  }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

}  // namespace
}  // namespace detail
}  // namespace starling
