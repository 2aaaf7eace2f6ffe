// SPDX-License-Identifier: MIT
// s8_fc__avx512vnni: int8 fully-connected layer, AVX-512 VNNI (vpdpbusd on zmm, masked tails, 16-lane requantize).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "immintrin_avx512.hpp"

#include "s8_fc_x86.hpp"
#include "s8_layer_x86.hpp"  // layer_requant16: the one 16-lane requantization
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kB = 4;  // batch rows per tile when batches > 1 (each weight load serves up to 4)
constexpr int kRowsPathMaxIn = 256;  // below this in_dim, batches go row by row (measured)
static_assert(kChunk == 16, "batch 1 computes a whole chunk in one 16-row tile");

// Horizontal sums of N accumulators at once (N = 4, 8 or 16): lane j of the
// result is Σ lanes of v[j]. A transpose-add tree: each level halves the
// vector count with two shuffles and one add, so 16 rows cost 45 operations
// instead of 16 separate reductions of ~8 each.
template <int N>
inline void reduce_store(__m512i* v, int32_t* out) noexcept {
  static_assert(N == 4 || N == 8 || N == 16, "tree shapes");
  // Per 128-bit lane: [a0+a2, b0+b2, a1+a3, b1+b3].
  for (int j = 0; j < N / 2; ++j)
    v[j] = _mm512_add_epi32(_mm512_unpacklo_epi32(v[2 * j], v[2 * j + 1]),
                            _mm512_unpackhi_epi32(v[2 * j], v[2 * j + 1]));
  // Per 128-bit lane: [a, b, c, d], each still split over the 4 lanes.
  for (int j = 0; j < N / 4; ++j)
    v[j] = _mm512_add_epi32(_mm512_unpacklo_epi64(v[2 * j], v[2 * j + 1]),
                            _mm512_unpackhi_epi64(v[2 * j], v[2 * j + 1]));
  if (N == 4) {
    const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(v[0]), _mm512_extracti64x4_epi64(v[0], 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                     _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1)));
    return;
  }
  // Lanes (0+1, 2+3) of two vectors side by side: [abcd01, abcd23, efgh01, efgh23].
  for (int j = 0; j < N / 8; ++j)
    v[j] = _mm512_add_epi32(_mm512_shuffle_i64x2(v[2 * j], v[2 * j + 1], 0x88),
                            _mm512_shuffle_i64x2(v[2 * j], v[2 * j + 1], 0xDD));
  if (N == 8) {
    const __m512i s = _mm512_add_epi32(v[0], _mm512_shuffle_i64x2(v[0], v[0], 0xB1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out),
                        _mm512_castsi512_si256(_mm512_shuffle_i64x2(s, s, 0x08)));
    return;
  }
  _mm512_storeu_si512(out, _mm512_add_epi32(_mm512_shuffle_i64x2(v[0], v[1], 0x88),
                                            _mm512_shuffle_i64x2(v[0], v[1], 0xDD)));
}

// acc + vpdpbusd(u, w). GCC 12 keeps vpdpbusd accumulators in two register
// sets and copies every one of them twice per loop iteration (the builtin's
// accumulator is not tied to its result); the asm states the in-place update
// and lets w stay a memory operand.
inline __m512i dpbusd(__m512i acc, __m512i u, __m512i w) noexcept {
  __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "vm"(w));
  return acc;
}

// vpdpbusd multiplies unsigned by signed bytes, so the input goes in as
// u = x + 128 (x ^ 0x80) and D = Σ w·(x + 128). The wanted dot product is
// Σ w·(x + input_offset) = D + (input_offset − 128)·Σw: the second term is a
// per-row constant for the call, from p.kernel_sums when given, else summed
// here (vpdpbusd of ones, in the same pass over the weights, once per weight
// row and call), and not needed at all when input_offset == 128 (input zero
// point −128, the usual case after a ReLU). Exact for every int8 weight,
// −128 included: no saturation anywhere.
//
// Tile: R weight rows × NB batch rows. Rows: with Strided, R/4 groups of 4
// consecutive rows, group g starting at wg[g], rows ld apart (base + index
// addressing keeps 16 rows within the general registers); else R = 4 rows
// at wg[0..3]. out[b·R + r] = D of row r and batch row xb[b]; with Sum also
// sums[r] = Σ w of row r.
//
// Swapped (batch 1, no kernel_sums, input_offset in [−128, 127]): the
// weights go in as the unsigned operand instead, w + 128 (w ^ 0x80), against
// x and against the offset broadcast, both into the row's one accumulator:
// out[r] = Σ (w + 128)·(x + off) = Σ w·(x + off) + 128·Σ (x + off), whose
// second term is the same for every row (the caller subtracts it). Two
// vpdpbusd per weight line, as with Sum, but no second set of accumulators,
// so 16 rows fit one tile. Every sum wraps; the result is exact since the
// true value fits int32 (kFcMaxInDim).
template <int R, int NB, bool Sum, bool Strided, bool Swapped = false>
inline void tile(const int8_t* const* wg, std::ptrdiff_t ld, const int8_t* const* xb, int in_dim,
                 int32_t* out, int32_t* sums, int32_t off = 0) noexcept {
  static_assert(!Swapped || (NB == 1 && !Sum), "swapped operands: batch 1, no Σw");
  static_assert(R * NB == 4 || R * NB == 8 || R * NB == 16 || (NB == 3 && R == 4), "tree shapes");
  static_assert(Strided ? R % 4 == 0 : R == 4, "row addressing");
  constexpr int kN = R * NB <= 4 ? 4 : (R * NB <= 8 ? 8 : 16);
  constexpr int kP = Strided ? R / 4 : R;  // row pointers
  const __m512i flip = _mm512_set1_epi8(-128), ones = _mm512_set1_epi8(1);
  const __m512i offb = _mm512_set1_epi8(static_cast<char>(off));
  __m512i acc[kN], sacc[Sum ? R : 1];
  for (int j = 0; j < kN; ++j) acc[j] = _mm512_setzero_si512();
  for (int r = 0; r < (Sum ? R : 1); ++r) sacc[r] = _mm512_setzero_si512();
  const std::ptrdiff_t ld3 = 3 * ld;
  const int8_t* wp[kP];
  for (int i = 0; i < kP; ++i) wp[i] = wg[i];
  auto row = [&](int r) -> const int8_t* {
    if (!Strided) return wp[r];
    const int8_t* g = wp[r / 4];
    return r % 4 == 0 ? g : r % 4 == 1 ? g + ld : r % 4 == 2 ? g + 2 * ld : g + ld3;
  };
  // Strided (batch 1): the rows after the tile (contiguous) are prefetched
  // into L1 a line per row and step, at most 8 (with 16 rows, the first half
  // of the next tile: 16 prefetches per 16 loads measured slower at
  // 1024x1024): the tile's strided streams alone are prefetched poorly from
  // L2 and L3. pf is an integer because it runs past the weights' end at the
  // last tile (a prefetch never faults, but a pointer may not go there).
  constexpr int kPf = R < 8 ? R : 8;
  std::uintptr_t pf = reinterpret_cast<std::uintptr_t>(wg[0]) + static_cast<std::uintptr_t>(R * ld);
  int k = 0;
  for (; k + 64 <= in_dim; k += 64) {
    if (Strided) {
      for (std::uintptr_t j = 0; j < kPf; ++j) _mm_prefetch(reinterpret_cast<const char*>(pf + 64 * j), _MM_HINT_T0);
      pf += 64 * kPf;
    }
    __m512i xu[NB];
    for (int b = 0; b < NB; ++b)
      xu[b] = Swapped ? _mm512_loadu_si512(xb[b] + k) : _mm512_xor_si512(_mm512_loadu_si512(xb[b] + k), flip);
    for (int r = 0; r < R; ++r) {
      __m512i wv = _mm512_loadu_si512(row(r));
      if (Swapped) {
        const __m512i wu = _mm512_xor_si512(wv, flip);
        acc[r] = dpbusd(dpbusd(acc[r], wu, xu[0]), wu, offb);
        continue;
      }
      if (Sum || NB > 1) __asm__("" : "+v"(wv));  // one load for all its uses, not one each
      if (Sum) sacc[r] = dpbusd(sacc[r], ones, wv);
      for (int b = 0; b < NB; ++b) acc[b * R + r] = dpbusd(acc[b * R + r], xu[b], wv);
    }
    for (int i = 0; i < kP; ++i) wp[i] += 64;
  }
  if (k < in_dim) {  // masked loads: nothing read past the arrays; w = 0 there
    const __mmask64 m = static_cast<__mmask64>(~0ull >> (64 - (in_dim - k)));
    __m512i xu[NB];
    for (int b = 0; b < NB; ++b)
      xu[b] = Swapped ? _mm512_maskz_loadu_epi8(m, xb[b] + k) : _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, xb[b] + k), flip);
    const __m512i offm = _mm512_maskz_mov_epi8(m, offb);  // w + 128 is 128, not 0, past the row
    for (int r = 0; r < R; ++r) {
      const __m512i wv = _mm512_maskz_loadu_epi8(m, row(r));
      if (Swapped) {
        const __m512i wu = _mm512_xor_si512(wv, flip);
        acc[r] = dpbusd(dpbusd(acc[r], wu, xu[0]), wu, offm);
        continue;
      }
      if (Sum) sacc[r] = dpbusd(sacc[r], ones, wv);
      for (int b = 0; b < NB; ++b) acc[b * R + r] = dpbusd(acc[b * R + r], xu[b], wv);
    }
  }
  if (Sum) reduce_store<R>(sacc, sums);
  if (kN == R * NB) {
    reduce_store<kN>(acc, out);
  } else {  // NB == 3: the tree's spare inputs are zero
    alignas(64) int32_t t[kN];
    reduce_store<kN>(acc, t);
    for (int j = 0; j < R * NB; ++j) out[j] = t[j];
  }
}

// The batch-1 tile over a whole chunk: 16 consecutive rows at stride ld,
// one input row. Without Sum all 16 accumulators fit with the input and a
// weight vector; with Sum the Σw accumulators double that, so the chunk is
// done as two 8-row halves.
template <bool Sum, bool Swapped = false>
inline void tile_b1(const int8_t* w0, std::ptrdiff_t ld, const int8_t* x, int in_dim, int32_t* out,
                    int32_t* sums, int32_t off = 0) noexcept {
  constexpr int R = Sum ? 8 : 16;
  for (int h = 0; h < kChunk; h += R) {
    const int8_t* wg[R / 4];
    for (int g = 0; g < R / 4; ++g) wg[g] = w0 + (h + 4 * g) * ld;
    tile<R, 1, Sum, true, Swapped>(wg, ld, &x, in_dim, out + h, sums + h, off);
  }
}


// Outputs o0 .. o0+n−1 (n <= 16) of one batch row from their exact dot
// products: finish_scalar() on 16 lanes, masked loads and store for n < 16.
template <bool Single>
inline void finish16(const FcParams& p, int o0, int n, __m512i dot, const int32_t* bias,
                     int8_t* y) noexcept {
  const __mmask16 m = static_cast<__mmask16>((1u << n) - 1u);
  const __m512i bv = bias != nullptr ? _mm512_maskz_loadu_epi32(m, bias + o0) : _mm512_setzero_si512();
  __m512i mv, sv;
  if (p.per_channel) {
    mv = _mm512_maskz_loadu_epi32(m, p.multiplier + o0);
    sv = _mm512_maskz_loadu_epi32(m, p.shift + o0);
  } else {
    mv = _mm512_set1_epi32(p.multiplier[0]);
    sv = _mm512_set1_epi32(p.shift[0]);
  }
  const __m512i acc = _mm512_add_epi32(dot, bv);
  __m512i v = _mm512_add_epi32(layer_requant16<Single>(acc, mv, sv), _mm512_set1_epi32(p.output_offset));
  v = _mm512_min_epi32(_mm512_max_epi32(v, _mm512_set1_epi32(p.act_min)), _mm512_set1_epi32(p.act_max));
  __m128i b = _mm512_cvtepi32_epi8(v);  // in [−128, 127]: truncation is exact
  // Kept in a register: fused into vpmovdb's store form it is slow on Zen 4.
  __asm__("" : "+v"(b));
  if (n == kChunk) _mm_storeu_si128(reinterpret_cast<__m128i*>(y), b);
  else _mm_mask_storeu_epi8(y, m, b);
}

// Several batch rows of a short layer run as a pointwise convolution over
// the rows (s8_conv__avx512vnni: output channels in lanes, each input quad
// broadcast to 32 channels): at 64x64, batch 8, 1.9x the row tiles' speed.
// Its conditions: in_dim a multiple of 4 within kMaxVnniK (stack: see that
// kernel), per-channel
// parameters (per-tensor ones are repeated on the stack, up to kFcConvMaxOut).
constexpr int kFcConvMaxOut = 256;
template <bool Single>
bool fc_as_conv(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
                int8_t* output, int batches) {
  if (batches < 4 || p.in_dim % 4 != 0 || p.in_dim > kMaxVnniK || p.out_dim < 32 || p.out_dim > kFcConvMaxOut)
    return false;
  int32_t m[kFcConvMaxOut], sh[kFcConvMaxOut];
  if (!p.per_channel)
    for (int o = 0; o < p.out_dim; ++o) {
      m[o] = p.multiplier[0];
      sh[o] = p.shift[0];
    }
  ConvParams c{};
  c.batches = 1;
  c.in_h = c.out_h = 1;
  c.in_w = c.out_w = batches;
  c.in_c = p.in_dim;
  c.out_c = p.out_dim;
  c.k_h = c.k_w = c.stride_h = c.stride_w = c.dilation_h = c.dilation_w = 1;
  c.input_offset = p.input_offset;
  c.output_offset = p.output_offset;
  c.multiplier = p.per_channel ? p.multiplier : m;
  c.shift = p.per_channel ? p.shift : sh;
  c.act_min = p.act_min;
  c.act_max = p.act_max;
  if (Single) s8_conv_single_rounding__avx512vnni(c, input, weights, bias, output, nullptr);
  else s8_conv__avx512vnni(c, input, weights, bias, output, nullptr);
  return true;
}

template <bool Single>
void fc(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
        int8_t* output, int batches) {
  if (fc_as_conv<Single>(p, input, weights, bias, output, batches)) return;
  const std::ptrdiff_t in_dim = p.in_dim;
  // Σw is needed unless input_offset == 128; it is summed here only when
  // the caller gave no kernel_sums.
  const bool need_sum = p.input_offset != 128;
  const bool have_sums = p.kernel_sums != nullptr;
  const __m512i corr = _mm512_set1_epi32(p.input_offset - 128);
  alignas(64) int32_t rsum[kChunk] = {};
  auto prep = [](int, int) {};
  auto dot_block = [&](int o0, int n, int b0, int nb, int32_t (*dot)[kChunk]) {
    const bool sum = need_sum && !have_sums && b0 == 0;  // kept for the chunk's later blocks
    alignas(64) int32_t t[kB * kChunk];
    if (nb == 1 && n == kChunk) {
      // The single batch row left after 4-row blocks (b0 > 0, so Σw is
      // already in rsum): batch 1 itself takes the pipelined path below.
      const int8_t* w0 = weights + o0 * in_dim;
      tile_b1<false>(w0, in_dim, input + b0 * in_dim, p.in_dim, dot[0], rsum);
    } else {
      for (int r0 = 0; r0 < n; r0 += 4) {
        const int8_t* wr[4];
        const int8_t* xb[kB];
        tile_pointers(weights, input, in_dim, o0, n, r0, b0, nb, wr, xb);
        // t[b·4 + r]; rows past n land in the chunk's spare columns, never read.
        switch (nb) {
          case 1: sum ? tile<4, 1, true, false>(wr, 0, xb, p.in_dim, t, rsum + r0) : tile<4, 1, false, false>(wr, 0, xb, p.in_dim, t, rsum + r0); break;
          case 2: sum ? tile<4, 2, true, false>(wr, 0, xb, p.in_dim, t, rsum + r0) : tile<4, 2, false, false>(wr, 0, xb, p.in_dim, t, rsum + r0); break;
          case 3: sum ? tile<4, 3, true, false>(wr, 0, xb, p.in_dim, t, rsum + r0) : tile<4, 3, false, false>(wr, 0, xb, p.in_dim, t, rsum + r0); break;
          default: sum ? tile<4, 4, true, false>(wr, 0, xb, p.in_dim, t, rsum + r0) : tile<4, 4, false, false>(wr, 0, xb, p.in_dim, t, rsum + r0); break;
        }
        for (int b = 0; b < nb; ++b)
          _mm_storeu_si128(reinterpret_cast<__m128i*>(dot[b] + r0),
                           _mm_loadu_si128(reinterpret_cast<const __m128i*>(t + b * 4)));
      }
    }
    if (!need_sum) return;
    // dot += (input_offset − 128)·Σw, wrapping in between, exact at the end.
    const __mmask16 m = static_cast<__mmask16>((1u << n) - 1u);
    const __m512i s = have_sums ? _mm512_maskz_loadu_epi32(m, p.kernel_sums + o0) : _mm512_load_si512(rsum);
    const __m512i c = _mm512_mullo_epi32(corr, s);
    for (int b = 0; b < nb; ++b)
      _mm512_store_si512(dot[b], _mm512_add_epi32(_mm512_load_si512(dot[b]), c));
  };
  auto finish = [&](int o0, int n, const int32_t* dot, int8_t* y) {
    finish16<Single>(p, o0, n, _mm512_load_si512(dot), bias, y);
  };
  int o_begin = 0;
  // Whole chunks straight from a 16-row tile to the outputs, one batch row
  // at a time: at batch 1, and for short rows, where the 4-batch tiles'
  // fixed costs outweigh sharing weight loads (the chunk's rows stay in L1
  // across the batch rows either way). Software-pipelined: item i's dot
  // products are issued before item i−1's reduction-to-output chain (~100
  // cycles of latency), so the two overlap. Items run chunk-major.
  if ((batches == 1 || p.in_dim < kRowsPathMaxIn) && p.out_dim >= kChunk) {
    const int chunks = p.out_dim / kChunk;
    const long items = static_cast<long>(chunks) * batches;
    const std::ptrdiff_t out_dim = p.out_dim;
    // Batch 1 without kernel_sums swaps the operands (see tile): two
    // vpdpbusd per weight line either way, but one 16-row tile instead of
    // two 8-row halves. With more batch rows, Σw is summed with each chunk's
    // first one and serves the others, one vpdpbusd per line for those.
    const bool swapped = need_sum && !have_sums && batches == 1;
    const bool sum = need_sum && !have_sums && !swapped;
    // Swapped: the row-independent term 128·Σ (x + input_offset), wrapping.
    uint32_t xsum = 0;
    if (swapped)
      for (std::ptrdiff_t i = 0; i < in_dim; ++i) xsum += static_cast<uint32_t>(input[i] + p.input_offset);
    const __m512i swap_corr = _mm512_set1_epi32(static_cast<int32_t>(xsum << 7));
    alignas(64) int32_t d[2][kChunk], s[2][kChunk];  // [item parity], [chunk parity]
    auto dots = [&](long i) {
      const int c = static_cast<int>(i / batches), b = static_cast<int>(i % batches);
      const int8_t* w0 = weights + static_cast<std::ptrdiff_t>(c) * kChunk * in_dim;
      const int8_t* x = input + b * in_dim;
      if (swapped) tile_b1<false, true>(w0, in_dim, x, p.in_dim, d[i & 1], s[c & 1], p.input_offset);
      else if (sum && b == 0) tile_b1<true>(w0, in_dim, x, p.in_dim, d[i & 1], s[c & 1]);
      else tile_b1<false>(w0, in_dim, x, p.in_dim, d[i & 1], s[c & 1]);
    };
    auto out = [&](long i) {
      const int c = static_cast<int>(i / batches), b = static_cast<int>(i % batches);
      const int o0 = c * kChunk;
      __m512i dot = _mm512_load_si512(d[i & 1]);
      if (swapped) {
        dot = _mm512_sub_epi32(dot, swap_corr);
      } else if (need_sum) {
        const __m512i sv = have_sums ? _mm512_loadu_si512(p.kernel_sums + o0) : _mm512_load_si512(s[c & 1]);
        dot = _mm512_add_epi32(dot, _mm512_mullo_epi32(corr, sv));
      }
      finish16<Single>(p, o0, kChunk, dot, bias, output + b * out_dim + o0);
    };
    dots(0);
    for (long i = 1; i < items; ++i) {
      dots(i);
      out(i - 1);
    }
    out(items - 1);
    o_begin = chunks * kChunk;
  }
  fc_driver<kB>(p, batches, output, prep, dot_block, finish, o_begin);
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
