// s8_fc__avx2: int8 fully-connected layer, AVX2 (8-lane requantize), two dot-product forms.
//
// With FcParams::kernel_sums, vpmaddubsw with the sign trick,
// pmaddubsw(|x|, sign(w, x)), then vpmaddwd by ones: one sign per 32
// weights. Exact when no weight is −128 (|x| <= 128 and |w| <= 127 keep the
// pair sums within ±32512, and sign(−128, x < 0) would wrap), which
// fc_kernel_sums() guarantees: it refuses weights holding −128. The input
// offset then comes in once per row as offset·Σw.
// Without them, bytes widened to 16 bits and vpmaddwd: x + input_offset fits
// int16, so every weight (−128 too) is exact and no Σw is needed. The
// widening (vpmovsxbw, one per 16 weights) is the bottleneck: on Zen 4 this
// form runs at 57 MAC/ns from L1 against 72 for the sign trick, and watching
// for −128 weights inside the sign-trick loop (one vpminsb per weight
// vector) brings that back to 56, hence the split on kernel_sums.
#include <immintrin.h>

#include "s8_fc_x86.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kB = 2;  // batch rows per tile when batches > 1 (each weight load serves both)
constexpr int kRowsPathMaxIn = 256;  // below this in_dim, batches go row by row (measured)

// Horizontal sums of N ymm accumulators at once (N = 4 or 8): lane j of the
// result is Σ lanes of v[j]. A transpose-add tree (two shuffles and an add
// per level) instead of a reduction per row.
template <int N>
inline void reduce_store(__m256i* v, int32_t* out) noexcept {
  static_assert(N == 4 || N == 8, "tree shapes");
  // Per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3], then [a, b, c, d].
  for (int j = 0; j < N / 2; ++j)
    v[j] = _mm256_add_epi32(_mm256_unpacklo_epi32(v[2 * j], v[2 * j + 1]),
                            _mm256_unpackhi_epi32(v[2 * j], v[2 * j + 1]));
  for (int j = 0; j < N / 4; ++j)
    v[j] = _mm256_add_epi32(_mm256_unpacklo_epi64(v[2 * j], v[2 * j + 1]),
                            _mm256_unpackhi_epi64(v[2 * j], v[2 * j + 1]));
  if (N == 4) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                     _mm_add_epi32(_mm256_castsi256_si128(v[0]), _mm256_extracti128_si256(v[0], 1)));
  } else {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out),
                        _mm256_add_epi32(_mm256_permute2x128_si256(v[0], v[1], 0x20),
                                         _mm256_permute2x128_si256(v[0], v[1], 0x31)));
  }
}

// Tiles are functions of their own and keep their accumulators in named
// variables: inlined into fc(), or as arrays, GCC 12 spills and copies them
// inside the loop.
#if defined(__GNUC__)
#define S8_AVX2_NOINLINE __attribute__((noinline))
#else
#define S8_AVX2_NOINLINE
#endif

// Batch 1, 8 consecutive rows at stride ld from w0: out[r] = Σ w·(x + off),
// exact: |w·(x + off)| <= 128·255, so vpmaddwd's pair sums and the sums of
// in_dim <= kFcMaxInDim terms fit int32. The next 8 rows (8·ld contiguous
// bytes) are prefetched 128 bytes per step, so they are in L1 when the next
// tile starts: the tile's 8 strided streams alone are prefetched poorly from
// L2 and L3 (1.6x slower at 4096x1024).
S8_AVX2_NOINLINE void tile8_b1_wide(const int8_t* w0, std::ptrdiff_t ld, const int8_t* x, int in_dim,
                                    int32_t off, int32_t* out) noexcept {
  const __m256i zero = _mm256_setzero_si256(), offv = _mm256_set1_epi16(static_cast<int16_t>(off));
  __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
  const std::ptrdiff_t ld3 = 3 * ld;
  const int8_t* p0 = w0;
  const int8_t* p4 = w0 + 4 * ld;
  // An integer: the prefetch runs past the weights' end at the last tile (a
  // prefetch never faults, but a pointer may not go there).
  std::uintptr_t pf = reinterpret_cast<std::uintptr_t>(w0) + static_cast<std::uintptr_t>(8 * ld);
  int k = 0;
  for (; k + 16 <= in_dim; k += 16, p0 += 16, p4 += 16, pf += 128) {
    _mm_prefetch(reinterpret_cast<const char*>(pf), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(pf + 64), _MM_HINT_T0);
    const __m256i xv = _mm256_add_epi16(
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x + k))), offv);
#define S8_AVX2_W16(acc, ptr) \
  acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ptr))), xv))
    S8_AVX2_W16(a0, p0);
    S8_AVX2_W16(a1, p0 + ld);
    S8_AVX2_W16(a2, p0 + 2 * ld);
    S8_AVX2_W16(a3, p0 + ld3);
    S8_AVX2_W16(a4, p4);
    S8_AVX2_W16(a5, p4 + ld);
    S8_AVX2_W16(a6, p4 + 2 * ld);
    S8_AVX2_W16(a7, p4 + ld3);
#undef S8_AVX2_W16
  }
  __m256i v[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
  reduce_store<8>(v, out);
  if (k < in_dim)
    for (int r = 0; r < 8; ++r) {
      int32_t s = 0;
      for (int i = k; i < in_dim; ++i) s += static_cast<int32_t>(w0[r * ld + i]) * (static_cast<int32_t>(x[i]) + off);
      out[r] += s;
    }
}

// One batch row with kernel_sums, 8 consecutive rows at stride ld from w0:
// out[r] = Σ w·x (the offset is added by the caller), with the same
// prefetch of the next 8 rows as tile8_b1_wide(). Exact for weights in
// [−127, 127] (see the top of the file); a −128 weight gives a wrong but
// defined sum.
S8_AVX2_NOINLINE void tile8_b1_sign(const int8_t* w0, std::ptrdiff_t ld, const int8_t* x, int in_dim,
                                    int32_t* out) noexcept {
  const __m256i zero = _mm256_setzero_si256(), ones = _mm256_set1_epi16(1);
  __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
  const std::ptrdiff_t ld3 = 3 * ld;
  const int8_t* p0 = w0;
  const int8_t* p4 = w0 + 4 * ld;
  std::uintptr_t pf = reinterpret_cast<std::uintptr_t>(w0) + static_cast<std::uintptr_t>(8 * ld);
  int k = 0;
  for (; k + 32 <= in_dim; k += 32, p0 += 32, p4 += 32, pf += 256) {
    _mm_prefetch(reinterpret_cast<const char*>(pf), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(pf + 64), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(pf + 128), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(pf + 192), _MM_HINT_T0);
    const __m256i xs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + k));
    const __m256i xa = _mm256_abs_epi8(xs);
#define S8_AVX2_S32(acc, ptr)                                                                    \
  acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(                             \
                                  xa, _mm256_sign_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(ptr)), xs)), \
                              ones))
    S8_AVX2_S32(a0, p0);
    S8_AVX2_S32(a1, p0 + ld);
    S8_AVX2_S32(a2, p0 + 2 * ld);
    S8_AVX2_S32(a3, p0 + ld3);
    S8_AVX2_S32(a4, p4);
    S8_AVX2_S32(a5, p4 + ld);
    S8_AVX2_S32(a6, p4 + 2 * ld);
    S8_AVX2_S32(a7, p4 + ld3);
#undef S8_AVX2_S32
  }
  if (k + 16 <= in_dim) {  // a 16-byte step in the low lanes
    const __m128i xs = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + k));
    const __m128i xa = _mm_abs_epi8(xs), ones16 = _mm_set1_epi16(1);
#define S8_AVX2_S16(acc, ptr)                                                                              \
  acc = _mm256_add_epi32(                                                                                  \
      acc, _mm256_inserti128_si256(                                                                        \
               zero,                                                                                       \
               _mm_madd_epi16(_mm_maddubs_epi16(                                                           \
                                  xa, _mm_sign_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ptr)), xs)), \
                              ones16),                                                                     \
               0))
    S8_AVX2_S16(a0, p0);
    S8_AVX2_S16(a1, p0 + ld);
    S8_AVX2_S16(a2, p0 + 2 * ld);
    S8_AVX2_S16(a3, p0 + ld3);
    S8_AVX2_S16(a4, p4);
    S8_AVX2_S16(a5, p4 + ld);
    S8_AVX2_S16(a6, p4 + 2 * ld);
    S8_AVX2_S16(a7, p4 + ld3);
#undef S8_AVX2_S16
    k += 16;
  }
  __m256i v[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
  reduce_store<8>(v, out);
  if (k < in_dim)
    for (int r = 0; r < 8; ++r) {
      int32_t s = 0;
      for (int i = k; i < in_dim; ++i) s += static_cast<int32_t>(w0[r * ld + i]) * static_cast<int32_t>(x[i]);
      out[r] += s;
    }
}

// 4 rows wr[0..3] × NB (1 or 2) batch rows xb: out[b·4 + r] = Σ w·(x + off),
// as tile8_b1_wide() (no prefetch: the batched path reuses a chunk's rows
// from L1 for every batch block).
template <int NB>
S8_AVX2_NOINLINE void tile4_wide(const int8_t* const* wr, const int8_t* const* xb, int in_dim, int32_t off,
                                 int32_t* out) noexcept {
  const __m256i zero = _mm256_setzero_si256(), offv = _mm256_set1_epi16(static_cast<int16_t>(off));
  __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero, c0 = zero, c1 = zero, c2 = zero, c3 = zero;
  const int8_t *w0 = wr[0], *w1 = wr[1], *w2 = wr[2], *w3 = wr[3];
  const int8_t *x0 = xb[0], *x1 = xb[NB - 1];
  int k = 0;
  for (; k + 16 <= in_dim; k += 16) {
    const __m256i xv = _mm256_add_epi16(
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x0 + k))), offv);
    __m256i yv = zero;
    if (NB == 2)
      yv = _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x1 + k))), offv);
#define S8_AVX2_W16(a, c, ptr)                                                                   \
  {                                                                                              \
    const __m256i ww = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ptr))); \
    a = _mm256_add_epi32(a, _mm256_madd_epi16(ww, xv));                                          \
    if (NB == 2) c = _mm256_add_epi32(c, _mm256_madd_epi16(ww, yv));                             \
  }
    S8_AVX2_W16(a0, c0, w0 + k)
    S8_AVX2_W16(a1, c1, w1 + k)
    S8_AVX2_W16(a2, c2, w2 + k)
    S8_AVX2_W16(a3, c3, w3 + k)
#undef S8_AVX2_W16
  }
  if (NB == 1) {
    __m256i v[4] = {a0, a1, a2, a3};
    reduce_store<4>(v, out);
  } else {
    __m256i v[8] = {a0, a1, a2, a3, c0, c1, c2, c3};
    reduce_store<8>(v, out);
  }
  if (k < in_dim)
    for (int b = 0; b < NB; ++b)
      for (int r = 0; r < 4; ++r) {
        int32_t sum = 0;
        for (int i = k; i < in_dim; ++i) sum += static_cast<int32_t>(wr[r][i]) * (static_cast<int32_t>(xb[b][i]) + off);
        out[b * 4 + r] += sum;
      }
}

template <bool Single>
void fc(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
        int8_t* output, int batches) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const int32_t off = p.input_offset;
  int o_begin = 0;
  // Whole chunks as two 8-row tiles per batch row, without the driver's
  // block buffers: at batch 1; for short rows, where the batched tiles'
  // fixed costs outweigh sharing a weight load between two batch rows (the
  // chunk's rows stay in L1 across the batch rows either way); and with
  // kernel_sums, whose sign trick shares nothing between batch rows (the
  // sign depends on x), so a batched tile would only add overhead.
  const bool sign = p.kernel_sums != nullptr;
  if (batches == 1 || p.in_dim < kRowsPathMaxIn || sign) {
    const std::ptrdiff_t out_dim = p.out_dim;
    for (; o_begin + kChunk <= p.out_dim; o_begin += kChunk) {
      const int8_t* w = weights + o_begin * in_dim;
      for (std::ptrdiff_t b = 0; b < batches; ++b) {
        alignas(32) int32_t d[kChunk];
        const int8_t* x = input + b * in_dim;
        if (sign) {
          tile8_b1_sign(w, in_dim, x, p.in_dim, d);
          tile8_b1_sign(w + 8 * in_dim, in_dim, x, p.in_dim, d + 8);
          // d += offset·Σw, wrapping (sums that do not belong to the
          // weights must not be undefined behaviour).
          const __m256i ov = _mm256_set1_epi32(off);
          for (int r = 0; r < kChunk; r += 8) {
            const __m256i sv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.kernel_sums + o_begin + r));
            __m256i* dv = reinterpret_cast<__m256i*>(d + r);
            _mm256_store_si256(dv, _mm256_add_epi32(_mm256_load_si256(dv), _mm256_mullo_epi32(ov, sv)));
          }
        } else {
          tile8_b1_wide(w, in_dim, x, p.in_dim, off, d);
          tile8_b1_wide(w + 8 * in_dim, in_dim, x, p.in_dim, off, d + 8);
        }
        finish_avx2<Single>(p, o_begin, kChunk, d, bias, output + b * out_dim + o_begin);
      }
    }
  }
  auto prep = [](int, int) {};
  auto dot_block = [&](int o0, int n, int b0, int nb, int32_t (*dot)[kChunk]) {
    alignas(32) int32_t t[8];
    for (int r0 = 0; r0 < n; r0 += 4) {
      const int8_t* wr[4];
      const int8_t* xb[kB];
      tile_pointers(weights, input, in_dim, o0, n, r0, b0, nb, wr, xb);
      if (nb == 1) tile4_wide<1>(wr, xb, p.in_dim, off, t);
      else tile4_wide<2>(wr, xb, p.in_dim, off, t);
      // Rows past n land in the chunk's spare columns and are never read.
      for (int b = 0; b < nb; ++b) std::memcpy(dot[b] + r0, t + 4 * b, 16);
    }
  };
  auto finish = [&](int o0, int n, const int32_t* dot, int8_t* y) {
    finish_avx2<Single>(p, o0, n, dot, bias, y);
  };
  fc_driver<kB>(p, batches, output, prep, dot_block, finish, o_begin);
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
