// SPDX-License-Identifier: MIT
// s8_fc_x86.hpp: the parts the x86 fully-connected kernels share: the
// output-chunk driver and requantization (scalar, and 8-lane AVX2 when the
// including file is compiled with -mavx2). Private to ports/x86; everything
// here has internal linkage, so each ISA's copy keeps its own flags.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "starling/detail/kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {
namespace {

/// Outputs per chunk: the driver computes the dot products of this many
/// weight rows for a block of batch rows, then requantizes them together.
constexpr int kChunk = 16;

// Replicas of detail::requantize_double / requantize_single (src/quant.cpp):
// the port libraries are self-contained (no calls back into the library).
// Shift is already in [−31, 30] (validated); multiplier >= 0.
inline int32_t requant_double_s(int32_t acc, int32_t m, int shift) noexcept {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);
  // SRDHM: (x·m + (x·m >= 0 ? 2^30 : 1 − 2^30)) / 2^31 truncated equals
  // floor((x·m + 2^30) / 2^31) for every integer x·m (m >= 0: no saturation).
  const int64_t ab = static_cast<int64_t>(x) * m;
  const int32_t h = static_cast<int32_t>((ab + (int64_t{1} << 30)) >> 31);
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right) - 1);
  const int32_t rem = h & mask;
  const int32_t thr = (mask >> 1) + (h < 0 ? 1 : 0);
  return (h >> right) + (rem > thr ? 1 : 0);
}

inline int32_t requant_single_s(int32_t acc, int32_t m, int shift) noexcept {
  const int t = 31 - shift;  // [1, 62]
  const int64_t r = (static_cast<int64_t>(acc) * m + (int64_t{1} << (t - 1))) >> t;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(r)));
}

template <bool Single>
inline int32_t requant_s(int32_t acc, int32_t m, int shift) noexcept {
  return Single ? requant_single_s(acc, m, shift) : requant_double_s(acc, m, shift);
}

/// Outputs o0 .. o0+n−1 of one batch row from their exact dot products
/// Σ w·(x + input_offset): bias, requantize, output offset, clamp (scalar).
template <bool Single>
inline void finish_scalar(const FcParams& p, int o0, int n, const int32_t* dot,
                          const int32_t* bias, int8_t* y) noexcept {
  for (int r = 0; r < n; ++r) {
    const int o = o0 + r;
    const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[o]) : 0u;
    const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(dot[r]) + b);
    const int c = p.per_channel ? o : 0;
    const int32_t s = requant_s<Single>(acc, p.multiplier[c], static_cast<int>(p.shift[c]));
    int32_t v = static_cast<int32_t>(static_cast<uint32_t>(s) + static_cast<uint32_t>(p.output_offset));
    v = v < p.act_min ? p.act_min : v;
    v = v > p.act_max ? p.act_max : v;
    y[r] = static_cast<int8_t>(v);
  }
}

#if defined(__AVX2__)
/// requantize() on 8 lanes, bit-exact with the scalar formulas above: the
/// 64-bit products come from _mm256_mul_epi32 on the even and the odd lanes,
/// the rounding constants are added before a floor shift (which is what
/// "ties toward +infinity" means), and the double rounding's second step
/// rounds ties away from zero with gemmlowp's remainder/threshold test.
template <bool Single>
inline __m256i requant8(__m256i acc, __m256i m, __m256i sh) noexcept {
  const __m256i zero = _mm256_setzero_si256();
  if (!Single) {
    const __m256i one = _mm256_set1_epi32(1);
    const __m256i left = _mm256_max_epi32(sh, zero);
    const __m256i right = _mm256_max_epi32(_mm256_sub_epi32(zero, sh), zero);
    const __m256i x = _mm256_sllv_epi32(acc, left);  // wraps like the reference
    const __m256i c = _mm256_set1_epi64x(int64_t{1} << 30);
    const __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, m), c);
    const __m256i po = _mm256_add_epi64(
        _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)), c);
    // Bits 31..62 of each product: the low dword of pe >> 31, the high of po << 1.
    const __m256i h = _mm256_blend_epi32(_mm256_srli_epi64(pe, 31), _mm256_slli_epi64(po, 1), 0xAA);
    const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, right), one);
    const __m256i rem = _mm256_and_si256(h, mask);
    const __m256i thr = _mm256_add_epi32(_mm256_srli_epi32(mask, 1), _mm256_srli_epi32(h, 31));
    return _mm256_sub_epi32(_mm256_srav_epi32(h, right), _mm256_cmpgt_epi32(rem, thr));
  } else {
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i t = _mm256_sub_epi32(_mm256_set1_epi32(31), sh);  // [1, 62]
    const __m256i te = _mm256_and_si256(t, _mm256_set1_epi64x(0xFFFFFFFFll));
    const __m256i to = _mm256_srli_epi64(t, 32);
    __m256i qe = _mm256_mul_epi32(acc, m);
    __m256i qo = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(m, 32));
    qe = _mm256_add_epi64(qe, _mm256_sllv_epi64(one, _mm256_sub_epi64(te, one)));
    qo = _mm256_add_epi64(qo, _mm256_sllv_epi64(one, _mm256_sub_epi64(to, one)));
    // Arithmetic 64-bit shift from the logical one: ~(~q >>> t) for q < 0.
    const __m256i se = _mm256_cmpgt_epi64(zero, qe), so = _mm256_cmpgt_epi64(zero, qo);
    const __m256i re = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(qe, se), te), se);
    const __m256i ro = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(qo, so), to), so);
    return _mm256_blend_epi32(re, _mm256_slli_epi64(ro, 32), 0xAA);  // low 32 bits: wraps
  }
}

/// finish_scalar() on the 8 outputs o0 .. o0+7 (Partial: the first k of
/// them, read with masked loads, which never touch the masked-out elements,
/// so nothing past the arrays' ends is read; k bytes stored).
template <bool Single, bool Partial>
inline void finish8(const FcParams& p, int o0, int k, const int32_t* dot, const int32_t* bias,
                    int8_t* y) noexcept {
  const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  auto load = [&](const int32_t* a) {
    return Partial ? _mm256_maskload_epi32(a, mask) : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
  };
  const __m256i bv = bias != nullptr ? load(bias + o0) : _mm256_setzero_si256();
  __m256i mv, sv;
  if (!p.per_channel) {
    mv = _mm256_set1_epi32(p.multiplier[0]);
    sv = _mm256_set1_epi32(p.shift[0]);
  } else {
    mv = load(p.multiplier + o0);
    sv = load(p.shift + o0);  // masked-out lanes: shift 0, in range
  }
  const __m256i acc = _mm256_add_epi32(load(dot), bv);
  __m256i v = _mm256_add_epi32(requant8<Single>(acc, mv, sv), _mm256_set1_epi32(p.output_offset));
  v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(p.act_min)), _mm256_set1_epi32(p.act_max));
  const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i w8 = _mm_packs_epi16(w16, w16);  // in range: no saturation
  if (!Partial) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y), w8);
  } else {
    const uint64_t bytes = static_cast<uint64_t>(_mm_cvtsi128_si64(w8));
    for (int i = 0; i < k; ++i) y[i] = static_cast<int8_t>(static_cast<uint8_t>(bytes >> (8 * i)));
  }
}

/// finish_scalar() 8 lanes at a time (any n).
template <bool Single>
inline void finish_avx2(const FcParams& p, int o0, int n, const int32_t* dot,
                        const int32_t* bias, int8_t* y) noexcept {
  int r0 = 0;
  for (; r0 + 8 <= n; r0 += 8) finish8<Single, false>(p, o0 + r0, 8, dot + r0, bias, y + r0);
  if (r0 < n) finish8<Single, true>(p, o0 + r0, n - r0, dot + r0, bias, y + r0);
}
#endif

/// The whole layer in plain loops, requantize inlined: for layers too small
/// for a kernel's tiles (rows shorter than one vector step, or fewer outputs
/// than one tile has rows), where a tile's setup, reductions and partial
/// stores cost more than its products (a 2x8 layer at batch 8 took 380 ns in
/// the AVX2 tiles against 160 in the scalar port).
template <bool Single>
inline void fc_plain(const FcParams& p, const int8_t* input, const int8_t* weights, const int32_t* bias,
                     int8_t* output, int batches) noexcept {
  const std::ptrdiff_t in_dim = p.in_dim, out_dim = p.out_dim;
  const int32_t off = p.input_offset;
  for (std::ptrdiff_t b = 0; b < batches; ++b) {
    const int8_t* x = input + b * in_dim;
    for (int o0 = 0; o0 < p.out_dim; o0 += kChunk) {
      const int n = p.out_dim - o0 < kChunk ? p.out_dim - o0 : kChunk;
      int32_t dot[kChunk];
      for (int r = 0; r < n; ++r) {
        const int8_t* w = weights + (o0 + r) * in_dim;
        int32_t s = 0;  // exact: in_dim <= kFcMaxInDim
        for (std::ptrdiff_t i = 0; i < in_dim; ++i) s += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + off);
        dot[r] = s;
      }
      finish_scalar<Single>(p, o0, n, dot, bias, output + b * out_dim + o0);
    }
  }
}

/// The loop every x86 kernel shares: output chunks of kChunk weight rows,
/// and within a chunk blocks of up to RB batch rows. `dot_block(o0, n, b0,
/// nb, dot)` fills dot[b][r] (b < nb, r < n) with the exact Σ w·(x + offset)
/// of weight row o0+r and batch row b0+b; `finish` writes the outputs.
/// A chunk's weights (kChunk·in_dim bytes) are reused from L1/L2 by every
/// batch block, and each weight vector load serves RB batch rows.
// The pointers of one tile: kRows weight rows starting at output o0 + r0 and
// kB input rows starting at batch b0. Rows past the chunk (n) and batches
// past the block (nb) repeat a valid one, so a tile always reads valid
// memory; their results are discarded.
template <int kRows, int kB>
inline void tile_pointers(const int8_t* weights, const int8_t* input, std::ptrdiff_t in_dim, int o0,
                          int n, int r0, int b0, int nb, const int8_t* (&wr)[kRows],
                          const int8_t* (&xb)[kB]) noexcept {
  for (int r = 0; r < kRows; ++r) wr[r] = weights + (o0 + (r0 + r < n ? r0 + r : r0)) * in_dim;
  for (int b = 0; b < kB; ++b) xb[b] = input + (b0 + (b < nb ? b : 0)) * in_dim;
}

// dot[b][r0 + r] = t[r][b] + off·Σw[r] for the tile's valid rows and
// batches, in wrapping 32-bit arithmetic (exact at the end, as the
// reference's accumulation is).
template <int kRows, int kB>
inline void fold_offset(const int32_t (&t)[kRows][kB], int nr, int nb, uint32_t off,
                        const int32_t* rsum, int r0, int32_t (*dot)[kChunk]) noexcept {
  for (int r = 0; r < nr; ++r)
    for (int b = 0; b < nb; ++b)
      dot[b][r0 + r] = static_cast<int32_t>(static_cast<uint32_t>(t[r][b]) + off * static_cast<uint32_t>(rsum[r]));
}

// Outputs from o_begin (a multiple of kChunk) on: a kernel may do the
// chunks before it its own way (the batch-1 paths).
template <int RB, class Prep, class DotBlock, class Finish>
inline void fc_driver(const FcParams& p, int batches, int8_t* output, Prep&& prep,
                      DotBlock&& dot_block, Finish&& finish, int o_begin = 0) noexcept {
  const std::ptrdiff_t out_dim = p.out_dim;
  for (int o0 = o_begin; o0 < p.out_dim; o0 += kChunk) {
    const int n = p.out_dim - o0 < kChunk ? p.out_dim - o0 : kChunk;
    prep(o0, n);
    for (int b0 = 0; b0 < batches; b0 += RB) {
      const int nb = batches - b0 < RB ? batches - b0 : RB;
      alignas(64) int32_t dot[RB][kChunk] = {};
      dot_block(o0, n, b0, nb, dot);
      for (int b = 0; b < nb; ++b) finish(o0, n, dot[b], output + (b0 + b) * out_dim + o0);
    }
  }
}

}  // namespace
}  // namespace detail
}  // namespace starling
