// s8_fc__avx512vnni: int8 fully-connected layer, AVX-512 VNNI (vpdpbusd on zmm, masked tails).
// GCC 12's avx512fintrin.h trips its own -Wuninitialized in
// _mm512_undefined_* (GCC bug 105593): silence it for that header only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "s8_fc_x86.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kRows = 4;  // weight rows per tile
constexpr int kB = 4;     // batch rows per tile (each weight load serves up to 4)
static_assert(kChunk % kRows == 0, "a tile never crosses a chunk");

// [Σ lanes of a, of b, of c, of d].
inline __m128i reduce4(__m512i a, __m512i b, __m512i c, __m512i d) noexcept {
  const __m256i a2 = _mm256_add_epi32(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1));
  const __m256i b2 = _mm256_add_epi32(_mm512_castsi512_si256(b), _mm512_extracti64x4_epi64(b, 1));
  const __m256i c2 = _mm256_add_epi32(_mm512_castsi512_si256(c), _mm512_extracti64x4_epi64(c, 1));
  const __m256i d2 = _mm256_add_epi32(_mm512_castsi512_si256(d), _mm512_extracti64x4_epi64(d, 1));
  const __m256i abcd = _mm256_hadd_epi32(_mm256_hadd_epi32(a2, b2), _mm256_hadd_epi32(c2, d2));
  return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

// vpdpbusd multiplies unsigned by signed bytes, so the input goes in as
// u = x + 128 (x ^ 0x80) and D = Σ w·(x + 128). The wanted dot product is
// Σ w·(x + input_offset) = D + (input_offset − 128)·Σw; Σw is accumulated in
// the same pass (vpdpbusd of ones), once per weight row and call, and
// skipped when input_offset == 128 (input zero point −128, the usual case
// after a ReLU), and for the later batch blocks of a chunk. Exact for every
// int8 weight, −128 included: no saturation.
//
// out[b][r] = D = Σ w·(x + 128) of rows wr[r] (R of them) and batch rows
// xb[b]; with Sum also sums[r] = Σ w of each row.
template <int R, int NB, bool Sum>
void tile(const int8_t* const* wr, const int8_t* const* xb, int in_dim, int32_t out[kB][kRows],
          int32_t* sums) {
  const __m512i flip = _mm512_set1_epi8(-128), ones = _mm512_set1_epi8(1);
  __m512i acc[R][NB], sacc[R];
  for (int r = 0; r < R; ++r) {
    sacc[r] = _mm512_setzero_si512();
    for (int b = 0; b < NB; ++b) acc[r][b] = _mm512_setzero_si512();
  }
  int k = 0;
  for (; k + 64 <= in_dim; k += 64) {
    __m512i xu[NB];
    for (int b = 0; b < NB; ++b) xu[b] = _mm512_xor_si512(_mm512_loadu_si512(xb[b] + k), flip);
    for (int r = 0; r < R; ++r) {
      const __m512i wv = _mm512_loadu_si512(wr[r] + k);
      if (Sum) sacc[r] = _mm512_dpbusd_epi32(sacc[r], ones, wv);
      for (int b = 0; b < NB; ++b) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], xu[b], wv);
    }
  }
  if (k < in_dim) {  // masked loads: nothing read past the arrays; w = 0 there
    const __mmask64 m = static_cast<__mmask64>(~0ull >> (64 - (in_dim - k)));
    __m512i xu[NB];
    for (int b = 0; b < NB; ++b) xu[b] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, xb[b] + k), flip);
    for (int r = 0; r < R; ++r) {
      const __m512i wv = _mm512_maskz_loadu_epi8(m, wr[r] + k);
      if (Sum) sacc[r] = _mm512_dpbusd_epi32(sacc[r], ones, wv);
      for (int b = 0; b < NB; ++b) acc[r][b] = _mm512_dpbusd_epi32(acc[r][b], xu[b], wv);
    }
  }
  // Four rows at once: halves added, then two rounds of vphaddd.
  for (int r = 0; r < R; r += 4) {
    if (Sum)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(sums + r),
                       reduce4(sacc[r], sacc[r + 1], sacc[r + 2], sacc[r + 3]));
    for (int b = 0; b < NB; ++b)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out[b] + r),
                       reduce4(acc[r][b], acc[r + 1][b], acc[r + 2][b], acc[r + 3][b]));
  }
}

template <bool Sum>
void tile_nb(int nb, const int8_t* const* wr, const int8_t* const* xb, int in_dim,
             int32_t out[kB][kRows], int32_t* sums) {
  switch (nb) {
    case 1: tile<kRows, 1, Sum>(wr, xb, in_dim, out, sums); break;
    case 2: tile<kRows, 2, Sum>(wr, xb, in_dim, out, sums); break;
    case 3: tile<kRows, 3, Sum>(wr, xb, in_dim, out, sums); break;
    default: tile<kRows, 4, Sum>(wr, xb, in_dim, out, sums); break;
  }
}

template <bool Single>
void fc(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
        int8_t* output, int batches) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const bool need_sum = p.input_offset != 128;
  const uint32_t corr = static_cast<uint32_t>(p.input_offset - 128);
  alignas(16) int32_t rsum[kChunk] = {};
  auto prep = [](int, int) {};
  auto dot_block = [&](int o0, int n, int b0, int nb, int32_t (*dot)[kChunk]) {
    const bool sum = need_sum && b0 == 0;  // Σw once per chunk, kept for later blocks
    for (int r0 = 0; r0 < n; r0 += kRows) {
      const int8_t* wr[kRows];
      const int8_t* xb[kB];
      tile_pointers(weights, input, in_dim, o0, n, r0, b0, nb, wr, xb);
      // kChunk is a multiple of kRows: rows past n land in the chunk's
      // spare columns and are never read.
      int32_t t[kB][kRows];
      if (sum) tile_nb<true>(nb, wr, xb, p.in_dim, t, rsum + r0);
      else tile_nb<false>(nb, wr, xb, p.in_dim, t, rsum + r0);
      for (int b = 0; b < nb; ++b)
        for (int r = 0; r < kRows; ++r)  // wraps in between, exact at the end
          dot[b][r0 + r] = static_cast<int32_t>(static_cast<uint32_t>(t[b][r]) +
                                                corr * static_cast<uint32_t>(rsum[r0 + r]));
    }
  };
  auto finish = [&](int o0, int n, const int32_t* dot, int8_t* y) {
    finish_avx2<Single>(p, o0, n, dot, bias, y);
  };
  fc_driver<kB>(p, batches, output, prep, dot_block, finish);
}

}  // namespace

void s8_fc__avx512vnni(const FcParams& p, const int8_t* input, const int8_t* weights,
                       const int32_t* bias, int8_t* output, int batches) {
  fc<false>(p, input, weights, bias, output, batches);
}
void s8_fc_single_rounding__avx512vnni(const FcParams& p, const int8_t* input,
                                       const int8_t* weights, const int32_t* bias,
                                       int8_t* output, int batches) {
  fc<true>(p, input, weights, bias, output, batches);
}

}  // namespace detail
}  // namespace starling
