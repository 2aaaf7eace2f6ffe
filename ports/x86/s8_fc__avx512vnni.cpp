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
// Batch 1 reads rows in turn (tile_seq) from kSeqMinIn inputs and
// kSeqMinBytes of weights on (measured: below either, tile_b1 is faster).
constexpr int kSeqMinIn = 512;
constexpr long kSeqMinBytes = 64 * 1024;
// With more than kSeqPfMinBytes of weights (more than an L2 holds, so they
// stream from L3 or memory), tile_seq prefetches into L1 the weight line
// kSeqPf bytes ahead of each line it reads (measured on Zen 5, 1 MiB of L2:
// at 4 MiB 1 KiB ahead 3–8 % faster than none, 512 B slower than none, T1
// hints far slower; at 2 MiB even, at 1 MiB 3–8 % slower; docs/int8_layers.md).
constexpr std::uintptr_t kSeqPf = 1024;
constexpr long kSeqPfMinBytes = 2 * 1024 * 1024;
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
      for (int j = 0; j < kPf; ++j) _mm_prefetch(reinterpret_cast<const char*>(pf + 64 * static_cast<std::uintptr_t>(j)), _MM_HINT_T0);
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


// Batch 1, rows read in turn: the 16 consecutive rows of a chunk (stride
// ld) are read one after the other, each from its start to its end, so the
// weights stream in address order, where tile_b1 reads 16 streams ld apart
// at once: for weights beyond the first cache levels (1024x4096 in 50 µs
// instead of 60, 16x32768 in 6 instead of 10, 256x768 in 1.4 instead of
// 1.9; bench_layers' 4096x1024 1.08x of XNNPACK instead of 0.96x, median
// of 6 runs). Each row keeps an accumulator chain per
// line of a step (a row is a chain of dependent vpdpbusd otherwise; in mode
// Swapped two a line), summed at its end; the 16 row sums are reduced
// together. Each weight line is
// prefetched kSeqPf bytes ahead: the hardware prefetcher alone left the
// stream at about the rate of a plain read of the weights (4096x1024 from
// L3: 50 µs), which the software prefetch beats (40 µs for the read alone).
// Mode Swapped: weights as the unsigned operand (w ^ 0x80) against the input
//   and against the offset broadcast: out = Σ (w + 128)·(x + off) (tile's
//   Swapped; the caller subtracts 128·Σ (x + off)).
// Mode SwappedSums (kernel_sums given): out = Σ (w + 128)·x, one vpdpbusd
//   a line; the caller adds off·Σw − 128·Σx.
// Mode Plain (input_offset 128, no kernel_sums): out = Σ w·(x + 128) with
//   u = x ^ 0x80 as the unsigned operand, reloaded from L1 for each row.
enum class SeqMode { Swapped, SwappedSums, Plain };
template <SeqMode Mode, bool Pf>
inline void tile_seq(const int8_t* w0, std::ptrdiff_t ld, const int8_t* x, int in_dim, int32_t* out,
                     int32_t off) noexcept {
  // Four lines a step where the weights stream from beyond L2 (about 2 %
  // faster there than two, fewer loop instructions per byte); two below.
  constexpr int kLines = Pf ? 4 : 2;
  const __m512i flip = _mm512_set1_epi8(-128);
  const __m512i offb = _mm512_set1_epi8(static_cast<char>(off));
  __m512i res[kChunk];
  auto line = [&](__m512i& a, __m512i& b, __m512i wv, __m512i xv, __m512i ob) {
    if (Mode == SeqMode::Plain) {
      a = dpbusd(a, _mm512_xor_si512(xv, flip), wv);
      return;
    }
    const __m512i wu = _mm512_xor_si512(wv, flip);
    a = dpbusd(a, wu, xv);
    if (Mode == SeqMode::Swapped) b = dpbusd(b, wu, ob);
  };
  for (int r = 0; r < kChunk; ++r) {
    const int8_t* w = w0 + r * ld;
    // The line kSeqPf bytes ahead (an integer: past the last row it
    // points beyond the weights, where a prefetch never faults but a
    // pointer may not go).
    const std::uintptr_t pf = reinterpret_cast<std::uintptr_t>(w) + kSeqPf;
    auto prefetch = [&](int k) {
      if (Pf) _mm_prefetch(reinterpret_cast<const char*>(pf + static_cast<std::uintptr_t>(k)), _MM_HINT_T0);
    };
    // kLines weight lines a step, each with its own accumulators (two
    // chains in mode Swapped); the remaining whole lines one at a time.
    __m512i acc[kLines], acc2[kLines];
    for (int j = 0; j < kLines; ++j) acc[j] = acc2[j] = _mm512_setzero_si512();
    int k = 0;
    for (; k + 64 * kLines <= in_dim; k += 64 * kLines) {
      for (int j = 0; j < kLines; ++j) prefetch(k + 64 * j);
      for (int j = 0; j < kLines; ++j)
        line(acc[j], acc2[j], _mm512_loadu_si512(w + k + 64 * j), _mm512_loadu_si512(x + k + 64 * j), offb);
    }
    for (; k + 64 <= in_dim; k += 64) {
      prefetch(k);
      line(acc[0], acc2[0], _mm512_loadu_si512(w + k), _mm512_loadu_si512(x + k), offb);
    }
    if (k < in_dim) {  // masked: nothing read past the rows; w = 0 there
      prefetch(k);
      const __mmask64 m = static_cast<__mmask64>(~0ull >> (64 - (in_dim - k)));
      // Past the row the swapped forms see w + 128 = 128: x and off are 0 there.
      line(acc[kLines - 1], acc2[kLines - 1], _mm512_maskz_loadu_epi8(m, w + k), _mm512_maskz_loadu_epi8(m, x + k),
           _mm512_maskz_mov_epi8(m, offb));
    }
    __m512i t = _mm512_add_epi32(acc[0], acc2[0]);
    for (int j = 1; j < kLines; ++j) t = _mm512_add_epi32(t, _mm512_add_epi32(acc[j], acc2[j]));
    res[r] = t;
  }
  reduce_store<kChunk>(res, out);
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

// Small batches with output channels in lanes (XNNPACK's GEMM layout,
// packed per call): a block of 16·NB weight rows is transposed so that
// lane l of packed vector q holds weights 4q .. 4q+3 of row l, stored as
// w ^ 0x80 (w + 128, the unsigned operand); each batch row's four inputs
// at 4q are the signed operand, broadcast from memory by vpdpbusd itself.
// acc = Σ (w + 128)·x, so Σ w·(x + input_offset) = acc − 128·Σx (a batch
// row's constant) + input_offset·Σw (a channel's: from kernel_sums, else
// summed while packing). No horizontal sums and no per-broadcast flips:
// P batch rows × 16·NB channels cost P·NB vpdpbusd per quad. Rows whose
// length is not a multiple of 4 end with a quad copied to the stack,
// zero-padded (x = 0 there). Stack: the packed block, 128 vectors (8 KiB).
constexpr int kLanesMaxK = kRowsPathMaxIn - 1;
constexpr int kLanesMaxP = 8;       // batch rows a tile
constexpr int kLanesMaxBatch = 64;  // batch rows a packing (their Σx on the stack)

// acc + vpdpbusd(u, the 4 bytes at x4 in every lane), the broadcast folded
// into the instruction's memory operand. The address goes in as a register:
// an "m" operand makes GCC keep the accumulators in memory (the vector type
// may alias anything), so the asm does not state its read, which is sound
// because nothing in this file writes the memory it reads (the caller's
// input; never a stack copy) and lanes_group fences the caller's stores
// with compiler barriers.
inline __m512i dpbusd_bcast(__m512i acc, __m512i u, const int8_t* x4) noexcept {
  __asm__("vpdpbusd (%2)%{1to16%}, %1, %0" : "+v"(acc) : "v"(u), "r"(x4));
  return acc;
}

struct LanesBlock {
  const __m512i* wq;      // packed quads: wq[q·NB + b]
  int quads, full_quads;  // quads = ceil(K / 4); full_quads = K / 4
  int nv[2];              // valid channels of each 16-lane half
  __m512i corr[2];        // bias + input_offset·Σw
};

template <bool Single, int NB, int P>
inline void lanes_tile(const FcParams& p, const LanesBlock& blk, const Requant16<Single>* rq, const int8_t* x, std::ptrdiff_t in_dim,
                       const int8_t (*xtail)[4], const int32_t* xs128, int8_t* y, std::ptrdiff_t out_dim) noexcept {
  __m512i acc[P][NB];  // from the constant terms on: bias + input_offset·Σw − 128·Σx (wrapping)
  for (int j = 0; j < P; ++j)
    for (int b = 0; b < NB; ++b) acc[j][b] = _mm512_sub_epi32(blk.corr[b], _mm512_set1_epi32(xs128[j]));
  const __m512i* w = blk.wq;
  for (int q = 0; q < blk.full_quads; ++q, w += NB) {
    __m512i wv[NB];
    for (int b = 0; b < NB; ++b) wv[b] = _mm512_load_si512(w + b);
    for (int j = 0; j < P; ++j)
      for (int b = 0; b < NB; ++b) acc[j][b] = dpbusd_bcast(acc[j][b], wv[b], x + j * in_dim + 4 * q);
  }
  if (blk.quads > blk.full_quads) {  // the stack copy: read as a value, not through dpbusd_bcast
    __m512i wv[NB];
    for (int b = 0; b < NB; ++b) wv[b] = _mm512_load_si512(w + b);
    for (int j = 0; j < P; ++j) {
      int32_t t;
      std::memcpy(&t, xtail[j], sizeof t);
      const __m512i xv = _mm512_set1_epi32(t);
      for (int b = 0; b < NB; ++b) acc[j][b] = dpbusd(acc[j][b], wv[b], xv);
    }
  }
  const __m512i oo = _mm512_set1_epi32(p.output_offset);
  const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
  const bool clamp = p.act_min != -128 || p.act_max != 127;  // else vpmovsdb's saturation is the clamp
  for (int j = 0; j < P; ++j) {
    for (int b = 0; b < NB; ++b) {
      __m512i v = _mm512_add_epi32(rq[b](acc[j][b]), oo);
      if (clamp) v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
      __m128i o = _mm512_cvtsepi32_epi8(v);
      __asm__("" : "+v"(o));  // see finish16
      int8_t* d = y + j * out_dim + 16 * b;
      if (blk.nv[b] == 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(d), o);
      else _mm_mask_storeu_epi8(d, static_cast<__mmask16>((1u << blk.nv[b]) - 1u), o);
    }
  }
}

template <bool Single, int NB>
inline void lanes_rows(const FcParams& p, const LanesBlock& blk, const Requant16<Single>* rq, const int8_t* x, int rows,
                       const int8_t (*xtail)[4], const int32_t* xs128, int8_t* y) noexcept {
  const std::ptrdiff_t in_dim = p.in_dim, out_dim = p.out_dim;
  int j0 = 0;
  for (; j0 + kLanesMaxP <= rows; j0 += kLanesMaxP)
    lanes_tile<Single, NB, kLanesMaxP>(p, blk, rq, x + j0 * in_dim, in_dim, xtail + j0, xs128 + j0, y + j0 * out_dim, out_dim);
  const int8_t* xr = x + j0 * in_dim;
  int8_t* yr = y + j0 * out_dim;
  switch (rows - j0) {
    case 1: lanes_tile<Single, NB, 1>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    case 2: lanes_tile<Single, NB, 2>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    case 3: lanes_tile<Single, NB, 3>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    case 4: lanes_tile<Single, NB, 4>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    case 5: lanes_tile<Single, NB, 5>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    case 6: lanes_tile<Single, NB, 6>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    case 7: lanes_tile<Single, NB, 7>(p, blk, rq, xr, in_dim, xtail + j0, xs128 + j0, yr, out_dim); break;
    default: break;
  }
}

template <bool Single>
void lanes_group(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
                 int8_t* output, int batches) noexcept {
  // dpbusd_bcast does not declare its read of the input: these compiler
  // barriers keep a caller's stores to it before the first read and after
  // the last, even where fc is inlined into the code that writes the input
  // (a direct call under LTO); they emit no instruction.
  __asm__ volatile("" ::: "memory");
  const int K = p.in_dim, full_quads = K / 4, quads = (K + 3) / 4;
  const std::ptrdiff_t in_dim = K;
  // Per batch row: 128·Σx (wrapping) and the zero-padded last quad.
  int32_t xs128[kLanesMaxBatch];
  int8_t xtail[kLanesMaxBatch][4] = {};
  const __m512i flip = _mm512_set1_epi8(-128), zero = _mm512_setzero_si512();
  for (int j = 0; j < batches; ++j) {
    const int8_t* x = input + j * in_dim;
    __m512i s = zero;  // Σ (x + 128) in 64-bit lanes (vpsadbw of u against 0)
    int k = 0;
    for (; k + 64 <= K; k += 64) s = _mm512_add_epi64(s, _mm512_sad_epu8(_mm512_xor_si512(_mm512_loadu_si512(x + k), flip), zero));
    if (k < K) {
      const __mmask64 m = static_cast<__mmask64>(~0ull >> (64 - (K - k)));
      s = _mm512_add_epi64(s, _mm512_sad_epu8(_mm512_maskz_mov_epi8(m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, x + k), flip)), zero));
    }
    const int64_t sx = _mm512_reduce_add_epi64(s) - int64_t{128} * K;  // |Σx| <= 128·kLanesMaxK
    xs128[j] = static_cast<int32_t>(sx * 128);
    for (int i = 4 * full_quads; i < K; ++i) xtail[j][i - 4 * full_quads] = x[i];
  }
  const bool have_sums = p.kernel_sums != nullptr;
  const __m512i off = _mm512_set1_epi32(p.input_offset), ones = _mm512_set1_epi8(1);
  alignas(64) __m512i wq[(kLanesMaxK + 3) / 4 * 2];
  for (int c0 = 0; c0 < p.out_dim; c0 += 32) {
    const int NB = p.out_dim - c0 > 16 ? 2 : 1;
    LanesBlock blk{};
    blk.wq = wq;
    blk.quads = quads;
    blk.full_quads = full_quads;
    for (int b = 0; b < NB; ++b) {
      const int cb = c0 + 16 * b;
      const int nv = p.out_dim - cb < 16 ? p.out_dim - cb : 16;
      blk.nv[b] = nv;
      const __mmask16 lm = static_cast<__mmask16>((1u << nv) - 1u);
      __m512i sum = zero;  // Σw per lane
      for (int g0 = 0; g0 < quads; g0 += 16) {
        const int bytes = K - 4 * g0 < 64 ? K - 4 * g0 : 64;
        const __mmask64 m = static_cast<__mmask64>(~0ull >> (64 - bytes));
        __m512i r[16];
        for (int l = 0; l < 16; ++l)
          r[l] = l < nv ? _mm512_maskz_loadu_epi8(m, weights + (cb + l) * in_dim + 4 * g0) : zero;
        transpose16(r);
        const int ng = quads - g0 < 16 ? quads - g0 : 16;
        for (int g = 0; g < ng; ++g) {
          if (!have_sums) sum = dpbusd(sum, ones, r[g]);
          _mm512_store_si512(&wq[(g0 + g) * NB + b], _mm512_xor_si512(r[g], flip));
        }
      }
      if (have_sums) sum = _mm512_maskz_loadu_epi32(lm, p.kernel_sums + cb);
      const __m512i bv = bias != nullptr ? _mm512_maskz_loadu_epi32(lm, bias + cb) : zero;
      blk.corr[b] = _mm512_add_epi32(bv, _mm512_mullo_epi32(off, sum));
    }
    // Requantization terms of each half (masked-out lanes: shift 0, in range).
    auto mult = [&](int b) {
      return p.per_channel ? _mm512_maskz_loadu_epi32(static_cast<__mmask16>((1u << blk.nv[b]) - 1u), p.multiplier + c0 + 16 * b)
                           : _mm512_set1_epi32(p.multiplier[0]);
    };
    auto shift = [&](int b) {
      return p.per_channel ? _mm512_maskz_loadu_epi32(static_cast<__mmask16>((1u << blk.nv[b]) - 1u), p.shift + c0 + 16 * b)
                           : _mm512_set1_epi32(p.shift[0]);
    };
    if (NB == 2) {
      const Requant16<Single> r2[2] = {Requant16<Single>(mult(0), shift(0)), Requant16<Single>(mult(1), shift(1))};
      lanes_rows<Single, 2>(p, blk, r2, input, batches, xtail, xs128, output + c0);
    } else {
      const Requant16<Single> r1[1] = {Requant16<Single>(mult(0), shift(0))};
      lanes_rows<Single, 1>(p, blk, r1, input, batches, xtail, xs128, output + c0);
    }
  }
  __asm__ volatile("" ::: "memory");
}

// The layers the lanes path takes (measured against the row tiles and the
// pointwise convolution, 64x64 to 255x255): short rows, 16 outputs or more,
// and 4 batch rows or more, or 2 and 3 when Σw must be summed here (with
// kernel_sums, or input_offset 128, the row tiles are faster at 2 and 3).
inline bool lanes_ok(const FcParams& p, int batches) noexcept {
  const bool sums_here = p.input_offset != 128 && p.kernel_sums == nullptr;
  return p.in_dim <= kLanesMaxK && p.out_dim >= 16 && (batches >= 4 || (batches >= 2 && sums_here));
}

template <bool Single>
void fc_lanes(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
              int8_t* output, int batches) noexcept {
  const std::ptrdiff_t in_dim = p.in_dim, out_dim = p.out_dim;
  for (int b0 = 0; b0 < batches; b0 += kLanesMaxBatch)  // weights packed again each kLanesMaxBatch rows
    lanes_group<Single>(p, input + b0 * in_dim, weights, bias, output + b0 * out_dim,
                        batches - b0 < kLanesMaxBatch ? batches - b0 : kLanesMaxBatch);
}

// Several batch rows of a layer too long for the lanes path run as a
// pointwise convolution over the rows (s8_conv__avx512vnni: output channels
// in lanes, each input quad broadcast to 32 channels). Its conditions:
// in_dim a multiple of 4 within kMaxVnniK (stack: see that kernel),
// per-channel parameters (per-tensor ones are repeated on the stack, up to
// kFcConvMaxOut).
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
  if (lanes_ok(p, batches)) {
    fc_lanes<Single>(p, input, weights, bias, output, batches);
    return;
  }
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
    // Batch 1 reads each row in turn (tile_seq) when rows are long enough.
    const bool seq = batches == 1 && p.in_dim >= kSeqMinIn && static_cast<long>(p.in_dim) * p.out_dim >= kSeqMinBytes;
    const bool seq_pf = seq && static_cast<long>(p.in_dim) * p.out_dim > kSeqPfMinBytes;
    const bool seq_sums = seq && have_sums;  // SwappedSums
    const bool seq_plain = seq && !need_sum && !have_sums;
    // Swapped: the row-independent term 128·Σ (x + input_offset), wrapping;
    // SwappedSums: 128·Σx.
    uint32_t xsum = 0;
    if (swapped || seq_sums) {
      const uint32_t o = seq_sums ? 0u : static_cast<uint32_t>(p.input_offset);
      for (std::ptrdiff_t i = 0; i < in_dim; ++i) xsum += static_cast<uint32_t>(input[i]) + o;
    }
    const __m512i swap_corr = _mm512_set1_epi32(static_cast<int32_t>(xsum << 7));
    const __m512i offv = _mm512_set1_epi32(p.input_offset);
    alignas(64) int32_t d[2][kChunk], s[2][kChunk];  // [item parity], [chunk parity]
    auto dots = [&](long i) {
      const int c = static_cast<int>(i / batches), b = static_cast<int>(i % batches);
      const int8_t* w0 = weights + static_cast<std::ptrdiff_t>(c) * kChunk * in_dim;
      const int8_t* x = input + b * in_dim;
      if (seq_sums) {
        if (seq_pf) tile_seq<SeqMode::SwappedSums, true>(w0, in_dim, x, p.in_dim, d[i & 1], p.input_offset);
        else tile_seq<SeqMode::SwappedSums, false>(w0, in_dim, x, p.in_dim, d[i & 1], p.input_offset);
      } else if (seq_plain) {
        if (seq_pf) tile_seq<SeqMode::Plain, true>(w0, in_dim, x, p.in_dim, d[i & 1], p.input_offset);
        else tile_seq<SeqMode::Plain, false>(w0, in_dim, x, p.in_dim, d[i & 1], p.input_offset);
      } else if (seq) {
        if (seq_pf) tile_seq<SeqMode::Swapped, true>(w0, in_dim, x, p.in_dim, d[i & 1], p.input_offset);
        else tile_seq<SeqMode::Swapped, false>(w0, in_dim, x, p.in_dim, d[i & 1], p.input_offset);
      } else if (swapped) {
        tile_b1<false, true>(w0, in_dim, x, p.in_dim, d[i & 1], s[c & 1], p.input_offset);
      } else if (sum && b == 0) {
        tile_b1<true>(w0, in_dim, x, p.in_dim, d[i & 1], s[c & 1]);
      } else {
        tile_b1<false>(w0, in_dim, x, p.in_dim, d[i & 1], s[c & 1]);
      }
    };
    auto out = [&](long i) {
      const int c = static_cast<int>(i / batches), b = static_cast<int>(i % batches);
      const int o0 = c * kChunk;
      __m512i dot = _mm512_load_si512(d[i & 1]);
      if (seq_sums) {
        const __m512i sv = _mm512_loadu_si512(p.kernel_sums + o0);
        dot = _mm512_add_epi32(_mm512_sub_epi32(dot, swap_corr), _mm512_mullo_epi32(offv, sv));
      } else if (seq_plain) {
      } else if (swapped) {
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
