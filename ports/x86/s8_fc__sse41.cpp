// SPDX-License-Identifier: MIT
// s8_fc__sse41: int8 fully-connected layer, SSE4.1 (SSSE3 pmaddubsw with the sign trick).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <smmintrin.h>

#include "s8_fc_x86.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kRows = 4;  // weight rows per tile
constexpr int kB = 2;     // batch rows per tile (each weight load serves both)

inline int32_t hsum(__m128i v) {
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4E));
  v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xB1));
  return _mm_cvtsi128_si32(v);
}

// Σ w over one row: psadbw of (w + 128) against zero, minus 128 per byte.
int32_t row_sum(const int8_t* w, int in_dim) {
  const __m128i flip = _mm_set1_epi8(-128), zero = _mm_setzero_si128();
  __m128i acc = zero;
  int k = 0;
  for (; k + 16 <= in_dim; k += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + k));
    acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_xor_si128(v, flip), zero));
  }
  acc = _mm_add_epi64(acc, _mm_unpackhi_epi64(acc, acc));
  int32_t s = _mm_cvtsi128_si32(acc) - 128 * k;  // <= 255·32768: fits
  for (; k < in_dim; ++k) s += w[k];
  return s;
}

// Σ w·x for kRows weight rows × NB batch rows. pmaddubsw(|x|, sign(w, x)):
// |x| <= 128 unsigned and |w| <= 127 give pair sums <= 2·128·127 = 32512, so
// the 16-bit saturation never triggers. A −128 weight meeting a negative
// input would come out negated, so unless the caller passed kernel_sums
// (which fc_kernel_sums() gives only for weights without −128; Watch false)
// the loop also watches for −128 weights (one compare per weight load, no
// extra pass over the weights) and returns false when it met one: the
// caller then redoes the tile with exact_tile().
template <int NB, bool Watch>
bool tile(const int8_t* const* wr, const int8_t* const* xb, int in_dim, int32_t out[kRows][kB]) {
  const __m128i ones = _mm_set1_epi16(1), m128 = _mm_set1_epi8(-128);
  __m128i seen = _mm_setzero_si128();
  __m128i acc[kRows][NB];
  for (int r = 0; r < kRows; ++r)
    for (int b = 0; b < NB; ++b) acc[r][b] = _mm_setzero_si128();
  int k = 0;
  for (; k + 16 <= in_dim; k += 16) {
    __m128i xs[NB], xa[NB];
    for (int b = 0; b < NB; ++b) {
      xs[b] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(xb[b] + k));
      xa[b] = _mm_abs_epi8(xs[b]);
    }
    for (int r = 0; r < kRows; ++r) {
      const __m128i wv = _mm_loadu_si128(reinterpret_cast<const __m128i*>(wr[r] + k));
      if (Watch) seen = _mm_or_si128(seen, _mm_cmpeq_epi8(wv, m128));
      for (int b = 0; b < NB; ++b) {
        const __m128i pr = _mm_maddubs_epi16(xa[b], _mm_sign_epi8(wv, xs[b]));
        acc[r][b] = _mm_add_epi32(acc[r][b], _mm_madd_epi16(pr, ones));
      }
    }
  }
  if (_mm_movemask_epi8(seen) != 0) return false;
  for (int r = 0; r < kRows; ++r)
    for (int b = 0; b < NB; ++b) {
      int32_t s = hsum(acc[r][b]);
      for (int i = k; i < in_dim; ++i) s += static_cast<int32_t>(wr[r][i]) * xb[b][i];  // exact
      out[r][b] = s;
    }
  return true;
}

// tile() without the sign trick: bytes widened to 16 bits and pmaddwd,
// exact for every int8 (pair sums <= 2·128² = 2^15 fit int32).
template <int NB>
void exact_tile(const int8_t* const* wr, const int8_t* const* xb, int in_dim, int32_t out[kRows][kB]) {
  __m128i acc[kRows][NB];
  for (int r = 0; r < kRows; ++r)
    for (int b = 0; b < NB; ++b) acc[r][b] = _mm_setzero_si128();
  int k = 0;
  for (; k + 8 <= in_dim; k += 8) {
    __m128i xw[NB];
    for (int b = 0; b < NB; ++b) xw[b] = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(xb[b] + k)));
    for (int r = 0; r < kRows; ++r) {
      const __m128i ww = _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(wr[r] + k)));
      for (int b = 0; b < NB; ++b) acc[r][b] = _mm_add_epi32(acc[r][b], _mm_madd_epi16(ww, xw[b]));
    }
  }
  for (int r = 0; r < kRows; ++r)
    for (int b = 0; b < NB; ++b) {
      int32_t s = hsum(acc[r][b]);
      for (int i = k; i < in_dim; ++i) s += static_cast<int32_t>(wr[r][i]) * xb[b][i];
      out[r][b] = s;
    }
}

template <bool Single>
void fc(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
        int8_t* output, int batches) {
  // Rows shorter than one 16-byte step, or fewer outputs than a tile has
  // rows: the tiles' setup and Σw pass cost more than their products (16x4
  // at batch 1: 195 ns in tiles, 112 in plain loops; 2x8: 54 against 30).
  if (p.in_dim < 16 || p.out_dim < kRows) {
    fc_plain<Single>(p, input, weights, bias, output, batches);
    return;
  }
  const std::ptrdiff_t in_dim = p.in_dim;
  const uint32_t off = static_cast<uint32_t>(p.input_offset);
  int32_t rsum[kChunk] = {};
  const int32_t* sums = rsum;  // the chunk's Σw: p.kernel_sums when given, else summed here
  auto prep = [&](int o0, int n) {
    if (off != 0 && p.kernel_sums == nullptr)
      for (int r = 0; r < n; ++r) rsum[r] = row_sum(weights + (o0 + r) * in_dim, p.in_dim);
    sums = p.kernel_sums != nullptr ? p.kernel_sums + o0 : rsum;
  };
  auto dot_block = [&](int o0, int n, int b0, int nb, int32_t (*dot)[kChunk]) {
    for (int r0 = 0; r0 < n; r0 += kRows) {
      const int8_t* wr[kRows];
      const int8_t* xb[kB];
      tile_pointers(weights, input, in_dim, o0, n, r0, b0, nb, wr, xb);
      int32_t t[kRows][kB];
      const bool ok = p.kernel_sums != nullptr ? (nb == 1 ? tile<1, false>(wr, xb, p.in_dim, t)
                                                           : tile<2, false>(wr, xb, p.in_dim, t))
                                               : (nb == 1 ? tile<1, true>(wr, xb, p.in_dim, t)
                                                          : tile<2, true>(wr, xb, p.in_dim, t));
      if (!ok) {
        if (nb == 1) exact_tile<1>(wr, xb, p.in_dim, t);
        else exact_tile<2>(wr, xb, p.in_dim, t);
      }
      fold_offset(t, n - r0 < kRows ? n - r0 : kRows, nb, off, sums + r0, r0, dot);
    }
  };
  auto finish = [&](int o0, int n, const int32_t* dot, int8_t* y) {
    finish_scalar<Single>(p, o0, n, dot, bias, y);
  };
  fc_driver<kB>(p, batches, output, prep, dot_block, finish);
}

}  // namespace

void s8_fc__sse41(const FcParams& p, const int8_t* input, const int8_t* weights,
                  const int32_t* bias, int8_t* output, int batches) {
  fc<false>(p, input, weights, bias, output, batches);
}
void s8_fc_single_rounding__sse41(const FcParams& p, const int8_t* input, const int8_t* weights,
                                  const int32_t* bias, int8_t* output, int batches) {
  fc<true>(p, input, weights, bias, output, batches);
}

}  // namespace detail
}  // namespace starling
