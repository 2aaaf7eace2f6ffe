// s8_fc__avx2: int8 fully-connected layer, AVX2 (vpmaddubsw with the sign trick, 8-lane requantize).
#include <immintrin.h>

#include "s8_fc_x86.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kRows = 4;  // weight rows per tile
constexpr int kB = 2;     // batch rows per tile (each weight load serves both)
static_assert(kChunk % kRows == 0, "a tile never crosses a chunk");

// [Σ lanes of a, of b, of c, of d]: two rounds of vphaddd, then the halves.
inline __m128i reduce4(__m256i a, __m256i b, __m256i c, __m256i d) noexcept {
  const __m256i abcd = _mm256_hadd_epi32(_mm256_hadd_epi32(a, b), _mm256_hadd_epi32(c, d));
  return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

// Σ w·x for kRows weight rows × NB batch rows, and with Sum the rows' Σ w
// (psadbw of w + 128 against zero, in the same pass over the weights).
// pmaddubsw(|x|, sign(w, x)): |x| <= 128 unsigned and |w| <= 127 give pair
// sums <= 2·128·127 = 32512, so the 16-bit saturation never triggers (a −128
// weight can be wrong, never unsafe).
template <int NB, bool Sum>
void tile(const int8_t* const* wr, const int8_t* const* xb, int in_dim, int32_t out[kRows][kB],
          int32_t sums[kRows]) {
  const __m256i ones = _mm256_set1_epi16(1), flip = _mm256_set1_epi8(-128), zero = _mm256_setzero_si256();
  __m256i acc[kRows][NB], sacc[kRows];
  for (int r = 0; r < kRows; ++r) {
    sacc[r] = zero;
    for (int b = 0; b < NB; ++b) acc[r][b] = zero;
  }
  int k = 0;
  for (; k + 32 <= in_dim; k += 32) {
    __m256i xs[NB], xa[NB];
    for (int b = 0; b < NB; ++b) {
      xs[b] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[b] + k));
      xa[b] = _mm256_abs_epi8(xs[b]);
    }
    for (int r = 0; r < kRows; ++r) {
      const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wr[r] + k));
      if (Sum) sacc[r] = _mm256_add_epi64(sacc[r], _mm256_sad_epu8(_mm256_xor_si256(wv, flip), zero));
      for (int b = 0; b < NB; ++b) {
        const __m256i pr = _mm256_maddubs_epi16(xa[b], _mm256_sign_epi8(wv, xs[b]));
        acc[r][b] = _mm256_add_epi32(acc[r][b], _mm256_madd_epi16(pr, ones));
      }
    }
  }
  alignas(16) int32_t sw[kRows], t[kRows];
  if (Sum) {  // 64-bit lanes below 2^32: their high dwords are 0
    _mm_store_si128(reinterpret_cast<__m128i*>(sw),
                    _mm_sub_epi32(reduce4(sacc[0], sacc[1], sacc[2], sacc[3]), _mm_set1_epi32(128 * k)));
    for (int r = 0; r < kRows; ++r) {
      for (int i = k; i < in_dim; ++i) sw[r] += wr[r][i];
      sums[r] = sw[r];
    }
  }
  for (int b = 0; b < NB; ++b) {
    _mm_store_si128(reinterpret_cast<__m128i*>(t), reduce4(acc[0][b], acc[1][b], acc[2][b], acc[3][b]));
    for (int r = 0; r < kRows; ++r) {
      for (int i = k; i < in_dim; ++i) t[r] += static_cast<int32_t>(wr[r][i]) * xb[b][i];
      out[r][b] = t[r];
    }
  }
}

template <bool Single>
void fc(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
        int8_t* output, int batches) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const uint32_t off = static_cast<uint32_t>(p.input_offset);
  int32_t rsum[kChunk] = {};
  auto prep = [](int, int) {};
  auto dot_block = [&](int o0, int n, int b0, int nb, int32_t (*dot)[kChunk]) {
    // The rows' Σw (needed when input_offset != 0) in the chunk's first batch block.
    const bool sum = off != 0 && b0 == 0;
    for (int r0 = 0; r0 < n; r0 += kRows) {
      const int8_t* wr[kRows];
      const int8_t* xb[kB];
      tile_pointers(weights, input, in_dim, o0, n, r0, b0, nb, wr, xb);
      int32_t t[kRows][kB];
      if (nb == 1) {
        if (sum) tile<1, true>(wr, xb, p.in_dim, t, rsum + r0);
        else tile<1, false>(wr, xb, p.in_dim, t, rsum + r0);
      } else {
        if (sum) tile<2, true>(wr, xb, p.in_dim, t, rsum + r0);
        else tile<2, false>(wr, xb, p.in_dim, t, rsum + r0);
      }
      fold_offset(t, n - r0 < kRows ? n - r0 : kRows, nb, off, rsum + r0, r0, dot);
    }
  };
  auto finish = [&](int o0, int n, const int32_t* dot, int8_t* y) {
    finish_avx2<Single>(p, o0, n, dot, bias, y);
  };
  fc_driver<kB>(p, batches, output, prep, dot_block, finish);
}

}  // namespace

void s8_fc__avx2(const FcParams& p, const int8_t* input, const int8_t* weights,
                 const int32_t* bias, int8_t* output, int batches) {
  fc<false>(p, input, weights, bias, output, batches);
}
void s8_fc_single_rounding__avx2(const FcParams& p, const int8_t* input, const int8_t* weights,
                                 const int32_t* bias, int8_t* output, int batches) {
  fc<true>(p, input, weights, bias, output, batches);
}

}  // namespace detail
}  // namespace starling
