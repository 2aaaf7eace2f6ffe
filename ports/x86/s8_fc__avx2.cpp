// SPDX-License-Identifier: MIT
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
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <immintrin.h>

#include <type_traits>

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

// The two dot-product forms of one batch row, for tile8_b1(): load_x()
// takes the inputs of one step (kStep bytes at x), mac() adds one weight
// row's products to an accumulator, x_term() is the scalar tail's factor.
//
// Wide: Σ w·(x + off), exact for every int8: |w·(x + off)| <= 128·255, so
// vpmaddwd's pair sums and the sums of in_dim <= kFcMaxInDim terms fit int32.
struct WideForm {
  static constexpr int kStep = 16;
  using Half = void;  // kStep is already the smallest step
  using Tail = WideForm;
  __m256i offv, xv;
  explicit WideForm(int32_t off) noexcept
      : offv(_mm256_set1_epi16(static_cast<int16_t>(off))), xv(_mm256_setzero_si256()) {}
  void load_x(const int8_t* x) noexcept {
    xv = _mm256_add_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x))), offv);
  }
  __m256i mac(__m256i acc, const int8_t* w) const noexcept {
    return _mm256_add_epi32(
        acc, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w))), xv));
  }
  // The last rem < 16 inputs, zero-padded in xpad: lanes >= rem get
  // x + off = 0, so the weight bytes read past the row add nothing.
  void load_tail(const int8_t* xpad, int rem) noexcept {
    load_x(xpad);
    const __m256i lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    xv = _mm256_and_si256(xv, _mm256_cmpgt_epi16(_mm256_set1_epi16(static_cast<int16_t>(rem)), lane));
  }
  static int32_t x_term(int8_t x, int32_t off) noexcept { return static_cast<int32_t>(x) + off; }
};

// Sign trick, 16 bytes in the low lanes: the sign form's last half step.
struct SignHalfForm {
  static constexpr int kStep = 16;
  __m128i ones, xs, xa;
  explicit SignHalfForm(int32_t = 0) noexcept : ones(_mm_set1_epi16(1)), xs(_mm_setzero_si128()), xa(xs) {}
  void load_x(const int8_t* x) noexcept {
    xs = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x));
    xa = _mm_abs_epi8(xs);
  }
  // Zero padding is enough: sign(w, 0) = 0 past the row.
  void load_tail(const int8_t* xpad, int) noexcept { load_x(xpad); }
  static int32_t x_term(int8_t x, int32_t) noexcept { return x; }
  __m256i mac(__m256i acc, const int8_t* w) const noexcept {
    const __m128i s = _mm_sign_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)), xs);
    return _mm256_add_epi32(acc, _mm256_inserti128_si256(_mm256_setzero_si256(),
                                                         _mm_madd_epi16(_mm_maddubs_epi16(xa, s), ones), 0));
  }
};

// Sign trick: Σ w·x (the caller adds off·Σw), exact for weights in
// [−127, 127] (see the top of the file); a −128 weight gives a wrong but
// defined sum.
struct SignForm {
  static constexpr int kStep = 32;
  using Half = SignHalfForm;
  using Tail = SignHalfForm;
  __m256i ones, xs, xa;
  explicit SignForm(int32_t) noexcept : ones(_mm256_set1_epi16(1)), xs(_mm256_setzero_si256()), xa(xs) {}
  void load_x(const int8_t* x) noexcept {
    xs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
    xa = _mm256_abs_epi8(xs);
  }
  __m256i mac(__m256i acc, const int8_t* w) const noexcept {
    const __m256i s = _mm256_sign_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)), xs);
    return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(xa, s), ones));
  }
  static int32_t x_term(int8_t x, int32_t) noexcept { return x; }
};

// out[r] += Σ w·x_term(x) over the last rem < 16 inputs of tile8_b1()'s
// rows (w0 and x at that point), in one 16-byte step over zero-padded
// inputs (Tail makes the padding lanes add nothing). Each row's load runs up
// to 15 bytes into the rows after it, so only rows whose load would pass
// w_end, the weights' end (the layer's last rows), stay scalar. A function
// of its own: inside the tile it cost the main loop 4 % at 64x64.
template <class Tail>
S8_AVX2_NOINLINE void tail8(const int8_t* w0, std::ptrdiff_t ld, const int8_t* x, int rem, int32_t off,
                            const int8_t* w_end, int32_t* out) noexcept {
  int safe = 8;
  while (safe > 0 && w_end - (w0 + (safe - 1) * ld) < 16) --safe;
  int8_t xpad[16] = {};
  for (int i = 0; i < rem; ++i) xpad[i] = x[i];
  Tail t(off);
  t.load_tail(xpad, rem);
  __m256i v[8];
  for (int r = 0; r < 8; ++r) v[r] = r < safe ? t.mac(_mm256_setzero_si256(), w0 + r * ld) : _mm256_setzero_si256();
  alignas(32) int32_t s[8];
  reduce_store<8>(v, s);
  for (int r = 0; r < 8; ++r) {
    if (r >= safe)
      for (int i = 0; i < rem; ++i) s[r] += static_cast<int32_t>(w0[r * ld + i]) * Tail::x_term(x[i], off);
    out[r] += s[r];
  }
}

// Batch 1, 8 consecutive rows at stride ld from w0: out[r] = Σ w·x_term(x).
// The next 8 rows (8·ld contiguous bytes) are prefetched, 128 bytes per 16
// weights of a row, so they are in L1 when the next tile starts: the tile's
// 8 strided streams alone are prefetched poorly from L2 and L3 (1.6x slower
// at 4096x1024).
template <class Form>
S8_AVX2_NOINLINE void tile8_b1(const int8_t* w0, std::ptrdiff_t ld, const int8_t* x, int in_dim,
                               int32_t off, const int8_t* w_end, int32_t* out) noexcept {
  constexpr int kStep = Form::kStep;
  Form f(off);
  const __m256i zero = _mm256_setzero_si256();
  __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
  const std::ptrdiff_t ld3 = 3 * ld;
  const int8_t* p0 = w0;
  const int8_t* p4 = w0 + 4 * ld;
  // An integer: the prefetch runs past the weights' end at the last tile (a
  // prefetch never faults, but a pointer may not go there).
  std::uintptr_t pf = reinterpret_cast<std::uintptr_t>(w0) + static_cast<std::uintptr_t>(8 * ld);
#define S8_AVX2_ROWS(form)            \
  a0 = form.mac(a0, p0);              \
  a1 = form.mac(a1, p0 + ld);         \
  a2 = form.mac(a2, p0 + 2 * ld);     \
  a3 = form.mac(a3, p0 + ld3);        \
  a4 = form.mac(a4, p4);              \
  a5 = form.mac(a5, p4 + ld);         \
  a6 = form.mac(a6, p4 + 2 * ld);     \
  a7 = form.mac(a7, p4 + ld3)
  int k = 0;
  // Two steps per iteration: 1-2 % faster on Zen 4 (one loop branch and
  // pointer update per 64 bytes of a row with the sign form).
#pragma GCC unroll 2
  for (; k + kStep <= in_dim; k += kStep, p0 += kStep, p4 += kStep, pf += 8 * kStep) {
    for (unsigned q = 0; q < 8u * kStep; q += 64) _mm_prefetch(reinterpret_cast<const char*>(pf + q), _MM_HINT_T0);
    f.load_x(x + k);
    S8_AVX2_ROWS(f);
  }
  if constexpr (!std::is_void<typename Form::Half>::value) {
    if (k + Form::Half::kStep <= in_dim) {
      typename Form::Half h;
      h.load_x(x + k);
      S8_AVX2_ROWS(h);
      k += Form::Half::kStep;
    }
  }
#undef S8_AVX2_ROWS
  __m256i v[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
  reduce_store<8>(v, out);
  if (k < in_dim) tail8<typename Form::Tail>(w0 + k, ld, x + k, in_dim - k, off, w_end, out);
}

// 4 rows wr[0..3] × NB (1 or 2) batch rows xb: out[b·4 + r] = Σ w·(x + off),
// as tile8_b1<WideForm>() (no prefetch: the batched path reuses a chunk's rows
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
  if (p.out_dim < 8) {  // no whole 8-row tile: the tiles' fixed costs would dominate
    fc_plain<Single>(p, input, weights, bias, output, batches);
    return;
  }
  if (batches == 1 || p.in_dim < kRowsPathMaxIn || sign) {
    const std::ptrdiff_t out_dim = p.out_dim;
    const int8_t* const w_end = weights + out_dim * in_dim;
    // n (<= 2·kChunk) rows from o_begin for every batch row. A last group of
    // fewer than 8 rows is an 8-row tile ending at the layer's last row: it
    // recomputes rows before it (identical values, possibly from the
    // previous call), so every shape with out_dim >= 8 runs in whole tiles.
    auto rows = [&](int n) {
      const int8_t* w = weights + o_begin * in_dim;
      for (std::ptrdiff_t b = 0; b < batches; ++b) {
        alignas(32) int32_t dbuf[8 + 2 * kChunk];
        int32_t* d = dbuf + 8;  // d[t0] for t0 >= −7
        const int8_t* x = input + b * in_dim;
        for (int t = 0; t < n; t += 8) {
          const int t0 = t + 8 <= n ? t : n - 8;
          if (sign) tile8_b1<SignForm>(w + t0 * in_dim, in_dim, x, p.in_dim, off, w_end, d + t0);
          else tile8_b1<WideForm>(w + t0 * in_dim, in_dim, x, p.in_dim, off, w_end, d + t0);
        }
        if (sign) {
          // d += offset·Σw, once per row (after the tiles, so the
          // overlapping last tile's rows are not folded twice), wrapping
          // (sums that do not belong to the weights must not be undefined
          // behaviour).
          const __m256i ov = _mm256_set1_epi32(off);
          int r = 0;
          for (; r + 8 <= n; r += 8) {
            const __m256i sv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.kernel_sums + o_begin + r));
            __m256i* dv = reinterpret_cast<__m256i*>(d + r);
            _mm256_store_si256(dv, _mm256_add_epi32(_mm256_load_si256(dv), _mm256_mullo_epi32(ov, sv)));
          }
          for (; r < n; ++r)
            d[r] = static_cast<int32_t>(static_cast<uint32_t>(d[r]) +
                                        static_cast<uint32_t>(off) * static_cast<uint32_t>(p.kernel_sums[o_begin + r]));
        }
        finish_avx2<Single>(p, o_begin, n, d, bias, output + b * out_dim + o_begin);
      }
    };
    // 32 rows at a time are 5 % faster than 16 at 256x256 (fewer passes
    // through finish_avx2's setup); with several batch rows, only while the
    // 32 rows stay in half of L1 for the next batch row.
    if (batches == 1 || p.in_dim <= 512)
      for (; o_begin + 2 * kChunk <= p.out_dim; o_begin += 2 * kChunk) rows(2 * kChunk);
    for (; o_begin + kChunk <= p.out_dim; o_begin += kChunk) rows(kChunk);
    if (o_begin < p.out_dim) {
      rows(p.out_dim - o_begin);
      return;
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
