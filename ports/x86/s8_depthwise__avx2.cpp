// SPDX-License-Identifier: MIT
// s8_depthwise__avx2: int8 depthwise convolution, AVX2 (two taps per vpmaddwd, 16 channels a block).
//
// Channels are the lanes. Two taps' inputs, widened to 16 bits, are
// interleaved so that each 32-bit lane holds one channel's pair, and one
// vpmaddwd against the same layout of widened weights adds both products:
// exact for every int8 (|w·x| <= 2^14). Taps in the padding read
// x = −input_offset, so every pixel sums all k_h·k_w taps and the wanted
// Σ w·(x + input_offset) is Σ w·x plus the per-channel constant
// input_offset·Σw (wrapping in int32, exact at the end, as the reference).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <immintrin.h>

#include "s8_layer_x86.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kBlock = 16;
constexpr int kMaxPairs = (kDwSimdMaxTaps + 1) / 2;

inline __m256i widen16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// a_lo (channels 0-3, 8-11) and a_hi (4-7, 12-15) += the packed weights'
// products with every tap's widened inputs, two taps a step; load(t) gives
// tap t's 16 widened inputs; a missing last tap reads `padv` (weight 0).
template <class Load>
__attribute__((always_inline)) inline void accumulate(int pairs, int taps, const int16_t (*wp)[2][16],
                                                      __m256i padv, __m256i& a_lo, __m256i& a_hi, Load&& load) {
  for (int q = 0; q < pairs; ++q) {
    const int t = 2 * q;
    const __m256i x0 = load(t);
    const __m256i x1 = t + 1 < taps ? load(t + 1) : padv;
    a_lo = _mm256_add_epi32(a_lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1),
                                                    _mm256_load_si256(reinterpret_cast<const __m256i*>(wp[q][0]))));
    a_hi = _mm256_add_epi32(a_hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1),
                                                    _mm256_load_si256(reinterpret_cast<const __m256i*>(wp[q][1]))));
  }
}

template <bool Single>
void dw(const DepthwiseParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
        int8_t* output) {
  const std::ptrdiff_t C = p.in_c;
  const int taps = p.k_h * p.k_w, pairs = (taps + 1) / 2;
  const int32_t off = p.input_offset;
  alignas(32) int8_t pad[kBlock];
  std::memset(pad, static_cast<int8_t>(-off), sizeof pad);
  const __m256i padv = _mm256_set1_epi16(static_cast<int16_t>(-off));
  alignas(32) int16_t wp[kMaxPairs][2][16];
  alignas(32) int32_t corr[kBlock], mult[kBlock], shift[kBlock];
  const int8_t* tp[kMaxPairs * 2];
  std::ptrdiff_t tap_off[kMaxPairs * 2];
  for (int ky = 0, t = 0; ky < p.k_h; ++ky)
    for (int kx = 0; kx < p.k_w; ++kx, ++t)
      tap_off[t] = (static_cast<std::ptrdiff_t>(ky) * p.dilation_h * p.in_w + static_cast<std::ptrdiff_t>(kx) * p.dilation_w) * C;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * C;
  const int pixels = p.out_h * p.out_w;
  for (std::ptrdiff_t c0 = 0; c0 < C; c0 += kBlock) {
    const int nc = C - c0 < kBlock ? static_cast<int>(C - c0) : kBlock;
    // A partial block reads its nc bytes through a buffer (AVX2 has no byte
    // masks), or as 8 bytes when nc is 8.
    // (Lanes past nc have weight 0: whatever they hold adds nothing.)
    alignas(16) int8_t tmp[kBlock] = {};
    auto load = [&](const int8_t* src) -> __m256i {
      if (nc == kBlock) return widen16(src);
      if (nc == 8) return _mm256_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
      std::memcpy(tmp, src, static_cast<size_t>(nc));
      return widen16(tmp);
    };
    // Weights with the inputs' own interleave, and the per-channel constants.
    __m256i s_lo = _mm256_setzero_si256(), s_hi = _mm256_setzero_si256();
    const __m256i ones = _mm256_set1_epi16(1);
    alignas(16) int8_t wtmp[kBlock];
    for (int q = 0; q < pairs; ++q) {
      __m256i w[2];
      for (int k = 0; k < 2; ++k) {
        const int t = 2 * q + k;
        std::memset(wtmp, 0, sizeof wtmp);
        if (t < taps) std::memcpy(wtmp, filter + t * C + c0, static_cast<size_t>(nc));
        w[k] = widen16(wtmp);
      }
      const __m256i lo = _mm256_unpacklo_epi16(w[0], w[1]), hi = _mm256_unpackhi_epi16(w[0], w[1]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(wp[q][0]), lo);
      _mm256_store_si256(reinterpret_cast<__m256i*>(wp[q][1]), hi);
      s_lo = _mm256_add_epi32(s_lo, _mm256_madd_epi16(lo, ones));
      s_hi = _mm256_add_epi32(s_hi, _mm256_madd_epi16(hi, ones));
    }
    // Σw in natural channel order: lo holds channels 0-3 | 8-11, hi 4-7 | 12-15.
    alignas(32) int32_t sum[kBlock];
    _mm256_store_si256(reinterpret_cast<__m256i*>(sum), _mm256_permute2x128_si256(s_lo, s_hi, 0x20));
    _mm256_store_si256(reinterpret_cast<__m256i*>(sum + 8), _mm256_permute2x128_si256(s_lo, s_hi, 0x31));
    for (int c = 0; c < kBlock; ++c) {
      const bool in = c < nc;
      const uint32_t b = in && bias != nullptr ? static_cast<uint32_t>(bias[c0 + c]) : 0u;
      corr[c] = static_cast<int32_t>(b + static_cast<uint32_t>(off) * static_cast<uint32_t>(sum[c]));
      mult[c] = in ? p.multiplier[c0 + c] : 0;
      shift[c] = in ? p.shift[c0 + c] : 0;
    }
    const __m256i oo = _mm256_set1_epi32(p.output_offset);
    const __m256i lo = _mm256_set1_epi32(p.act_min), hi = _mm256_set1_epi32(p.act_max);
    for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
      const int8_t* image = input + b * image_size;
      int8_t* y = output + b * pixels * C + c0;
      for (int oy = 0; oy < p.out_h; ++oy) {
        const int y0 = oy * p.stride_h - p.pad_h;
        const bool rows_in = y0 >= 0 && y0 + (p.k_h - 1) * p.dilation_h < p.in_h;
        for (int ox = 0; ox < p.out_w; ++ox, y += C) {
          const int x0 = ox * p.stride_w - p.pad_w;
          __m256i a_lo = _mm256_setzero_si256(), a_hi = _mm256_setzero_si256();
          if (rows_in && x0 >= 0 && x0 + (p.k_w - 1) * p.dilation_w < p.in_w) {
            const int8_t* base = image + (static_cast<std::ptrdiff_t>(y0) * p.in_w + x0) * C + c0;
            accumulate(pairs, taps, wp, padv, a_lo, a_hi, [&](int t) { return load(base + tap_off[t]); });
          } else {
            dw_taps(p, image, oy, ox, c0, pad, tp);
            accumulate(pairs, taps, wp, padv, a_lo, a_hi,
                       [&](int t) { return tp[t] != pad ? load(tp[t]) : padv; });
          }
          __m256i v[2] = {_mm256_permute2x128_si256(a_lo, a_hi, 0x20), _mm256_permute2x128_si256(a_lo, a_hi, 0x31)};
          for (int h = 0; h < 2; ++h) {
            const __m256i acc = _mm256_add_epi32(v[h], _mm256_load_si256(reinterpret_cast<const __m256i*>(corr + 8 * h)));
            __m256i o = _mm256_add_epi32(
                requant8<Single>(acc, _mm256_load_si256(reinterpret_cast<const __m256i*>(mult + 8 * h)),
                                 _mm256_load_si256(reinterpret_cast<const __m256i*>(shift + 8 * h))),
                oo);
            v[h] = _mm256_min_epi32(_mm256_max_epi32(o, lo), hi);
          }
          // Values in [−128, 127]: the saturating packs are exact.
          const __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(v[0], v[1]), 0xD8);
          const __m128i b8 = _mm_packs_epi16(_mm256_castsi256_si128(w16), _mm256_extracti128_si256(w16, 1));
          if (nc == kBlock) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(y), b8);
          } else {
            alignas(16) int8_t ob[kBlock];
            _mm_store_si128(reinterpret_cast<__m128i*>(ob), b8);
            std::memcpy(y, ob, static_cast<size_t>(nc));
          }
        }
      }
    }
  }
}

}  // namespace

void s8_depthwise__avx2(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output) {
  dw<false>(p, input, filter, bias, output);
}
void s8_depthwise_single_rounding__avx2(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                                        const int32_t* bias, int8_t* output) {
  dw<true>(p, input, filter, bias, output);
}

}  // namespace detail
}  // namespace starling
