// SPDX-License-Identifier: MIT
// f32_swarm_update__avx512: the float particle update on 16 lanes (AVX-512F/VL, no FMA, masked tails), Threefry in
// 8 or 16 lanes, several particles' chains in flight.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "immintrin_avx512.hpp"

#include "f32_swarm_x86.hpp"

namespace starling {
namespace detail {
namespace {

// Threefry lanes: 16 blocks (64 dimensions) in a zmm, or 8 blocks (32
// dimensions) in a ymm with AVX-512VL's rotate. Zen 4 runs a zmm operation
// as two 256-bit halves, so a zmm costs two ymm: for up to 32 dimensions the
// ymm form does the same work for half the price, and the zmm form only
// pays where it has more than 8 blocks to fill.
struct V16 {
  using T = __m512i;
  static T add(T a, T b) noexcept { return _mm512_add_epi32(a, b); }
  static T xor_(T a, T b) noexcept { return _mm512_xor_si512(a, b); }
  template <int R>
  static T rotl(T a) noexcept { return _mm512_rol_epi32(a, R); }
  static T set1(uint32_t v) noexcept { return _mm512_set1_epi32(static_cast<int>(v)); }
};
struct V8 {
  using T = __m256i;
  static T add(T a, T b) noexcept { return _mm256_add_epi32(a, b); }
  static T xor_(T a, T b) noexcept { return _mm256_xor_si256(a, b); }
  template <int R>
  static T rotl(T a) noexcept { return _mm256_rol_epi32(a, R); }
  static T set1(uint32_t v) noexcept { return _mm256_set1_epi32(static_cast<int>(v)); }
};

// Two zmm chains side by side (two particles' 16 blocks each, or four
// particles' 8).
using V16x2 = VPair<V16>;

// Float lane operations for swarm_step.
struct F16 {
  using V = __m512;
  using K = __mmask16;
  static V set1(float a) noexcept { return _mm512_set1_ps(a); }
  static V add(V a, V b) noexcept { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) noexcept { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) noexcept { return _mm512_mul_ps(a, b); }
  static V min(V a, V b) noexcept { return _mm512_min_ps(a, b); }
  static V max(V a, V b) noexcept { return _mm512_max_ps(a, b); }
  static V neg(V a) noexcept {  // AVX512F has no xorps on zmm (that is DQ)
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN)));
  }
  // Tail: the lanes in k only (the others read as 0, are not written, and
  // their memory is not touched).
  template <bool Tail>
  static V ld(const float* p, K k) noexcept { return Tail ? _mm512_maskz_loadu_ps(k, p) : _mm512_loadu_ps(p); }
  template <bool Tail>
  static void st(float* p, K k, V v) noexcept {
    if (Tail) _mm512_mask_storeu_ps(p, k, v);
    else _mm512_storeu_ps(p, v);
  }
  static K out(V nx, V lo, V hi) noexcept {
    return static_cast<K>(_mm512_cmp_ps_mask(nx, lo, _CMP_LT_OQ) | _mm512_cmp_ps_mask(nx, hi, _CMP_GT_OQ));
  }
  static V zero_where(K out, V v) noexcept { return _mm512_maskz_mov_ps(static_cast<K>(~out), v); }
  static bool any(K out, K k) noexcept { return (out & k) != 0; }
};

// The draws of 16 dimensions from their words (move_r1): h1 = high halves,
// h2 = low halves; r = h·2^-16. unit1/unit2 give r exactly, q1/q2 the
// products c·r the move needs. With Fold (scale_is_exact(c1) and (c2)),
// cs = c·2^-16 and q = cs·h, one multiply less on the critical path;
// otherwise cs = c and q = c·r.
inline __m512 unit1(__m512i w) noexcept {
  return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 16)), _mm512_set1_ps(1.52587890625e-05f));
}
inline __m512 unit2(__m512i w) noexcept {
  // The low half straight into the mantissa of 2^7 (whose ulp is 2^-16),
  // one ternary-logic op; then 2^7 comes off exactly.
  const __m512i f = _mm512_ternarylogic_epi32(w, _mm512_set1_epi32(0xFFFF), _mm512_set1_epi32(0x43000000), 0xEA);  // (a & b) | c
  return _mm512_sub_ps(_mm512_castsi512_ps(f), _mm512_set1_ps(128.0f));
}
template <bool Fold>
inline __m512 q1_of(__m512i w, __m512 c1s) noexcept {
  if (Fold) return _mm512_mul_ps(c1s, _mm512_cvtepi32_ps(_mm512_srli_epi32(w, 16)));
  return _mm512_mul_ps(c1s, unit1(w));
}
template <bool Fold>
inline __m512 q2_of(__m512i w, __m512 c2s) noexcept {
  if (Fold) return _mm512_mul_ps(c2s, _mm512_cvtepi32_ps(_mm512_and_si512(w, _mm512_set1_epi32(0xFFFF))));
  return _mm512_mul_ps(c2s, unit2(w));
}

// Dimensions d .. d+n-1 (1 <= n <= 16) of batch member j (arrays r) with
// products q1 = c1·r1, q2 = c2·r2; fill(r1, r2) writes the draws themselves
// when the scalar step must take over.
template <class Fill>
inline void move16(const SwarmStep<float>& s, int j, const Rows& r, const StepCoeffs<F16>& c, int d, int n, __m512 q1,
                   __m512 q2, const Fill& fill) noexcept {
  const __mmask16 k = static_cast<__mmask16>(0xFFFFu >> (16 - n));
  if (n == 16 ? swarm_step<F16, false>(r, c, d, k, q1, q2) : swarm_step<F16, true>(r, c, d, k, q1, q2)) return;
  alignas(64) float r1[16], r2[16];
  fill(r1, r2);
  f32_swarm_dims__x86_base(f32_swarm_member__x86_base(s, j), d, n, r1, r2);
}

// Dimensions d .. dims-1, up to 16·Count of them, of batch member j from
// their words (w[q]: dimensions d + 16q .. d + 16q + 15 in lane order).
template <bool Fold, int Count>
inline void move_words(const SwarmStep<float>& s, int j, const Coeffs<F16, Fold>& cf, int d, const __m512i* w) noexcept {
  const Rows r = rows_of(s, j);
  for (int q = 0; q < Count; ++q, d += 16) {
    if (d >= s.dims) return;
    const int n = s.dims - d < 16 ? s.dims - d : 16;
    const __m512i wq = w[q];
    move16(s, j, r, cf.c, d, n, q1_of<Fold>(wq, cf.c1s), q2_of<Fold>(wq, cf.c2s), [wq](float* r1, float* r2) {
      _mm512_store_ps(r1, unit1(wq));
      _mm512_store_ps(r2, unit2(wq));
    });
  }
}

// transpose4 (f32_swarm_x86.hpp) on 16 lanes.
inline void transpose4(__m512i x[4]) noexcept {
  const __m512i t0 = _mm512_unpacklo_epi32(x[0], x[1]), t1 = _mm512_unpacklo_epi32(x[2], x[3]);
  const __m512i t2 = _mm512_unpackhi_epi32(x[0], x[1]), t3 = _mm512_unpackhi_epi32(x[2], x[3]);
  x[0] = _mm512_unpacklo_epi64(t0, t1);
  x[1] = _mm512_unpackhi_epi64(t0, t1);
  x[2] = _mm512_unpacklo_epi64(t2, t3);
  x[3] = _mm512_unpackhi_epi64(t2, t3);
}

// Block layouts (see transpose4: after it, lane q of output l holds the
// block in element l of lane q). Wide: 16 blocks of one particle, block
// b + 4l + q in element l of lane q, so output l is dimensions 16l .. +15.
// Packed: 8 blocks each of two particles, the ymm layout (block b + 2l + q)
// in each 256-bit half, the second particle in the high half.
inline __m512i wide_offsets() noexcept { return _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15); }
inline __m512i packed_offsets() noexcept { return _mm512_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7); }
inline __m512i packed_particles(int first) noexcept {
  const __m512i half = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  return _mm512_add_epi32(half, _mm512_set1_epi32(first));
}

// A packed chunk after transpose4: each output's low half is the first
// particle's ymm-layout output, the high half the second's. Dimensions
// d .. d+31 of batch members j and j + 1.
template <bool Fold>
inline void move_packed(const SwarmStep<float>& s, int j, const Coeffs<F16, Fold>& cf, int d, __m512i x[4]) noexcept {
  transpose4(x);
  const __m512i w0[2] = {_mm512_shuffle_i64x2(x[0], x[1], 0x44), _mm512_shuffle_i64x2(x[2], x[3], 0x44)};
  const __m512i w1[2] = {_mm512_shuffle_i64x2(x[0], x[1], 0xEE), _mm512_shuffle_i64x2(x[2], x[3], 0xEE)};
  move_words<Fold, 2>(s, j + 1, cf, d, w1);  // the later particle first: see update_batch
  move_words<Fold, 2>(s, j, cf, d, w0);
}

// Batch members j .. j+3, dims <= 32: two packed chunks side by side, two
// independent Threefry chains.
template <bool Fold>
void move_quad(const SwarmStep<float>& s, int j, const Coeffs<F16, Fold>& cf) noexcept {
  V16x2::T x0, x1, x2, x3;
  const uint32_t p = s.particle + static_cast<uint32_t>(j);
  threefry_ctr01<V16x2>(0, {packed_offsets(), packed_offsets()}, p, {packed_particles(0), packed_particles(2)},
                        s.iteration, kTagMove, s.key, x0, x1, x2, x3);
  __m512i xa[4] = {x0.a, x1.a, x2.a, x3.a}, xb[4] = {x0.b, x1.b, x2.b, x3.b};
  move_packed<Fold>(s, j + 2, cf, 0, xb);
  move_packed<Fold>(s, j, cf, 0, xa);
}

// Batch members j and j + 1, any dims: chunks of 64 dimensions as two wide
// chains side by side, a last chunk of at most 32 packed in one.
template <bool Fold>
void move_pair(const SwarmStep<float>& s, int j, const Coeffs<F16, Fold>& cf) noexcept {
  const uint32_t p = s.particle + static_cast<uint32_t>(j);
  for (int d0 = 0; d0 < s.dims;) {
    const uint32_t b = static_cast<uint32_t>(d0) >> 2;  // block of dimension d0 (move_r1)
    if (s.dims - d0 > 32) {
      V16x2::T x0, x1, x2, x3;
      threefry_ctr01<V16x2>(b, {wide_offsets(), wide_offsets()}, p, {_mm512_setzero_si512(), _mm512_set1_epi32(1)},
                            s.iteration, kTagMove, s.key, x0, x1, x2, x3);
      __m512i w0[4] = {x0.a, x1.a, x2.a, x3.a}, w1[4] = {x0.b, x1.b, x2.b, x3.b};
      transpose4(w0);
      transpose4(w1);
      move_words<Fold, 4>(s, j + 1, cf, d0, w1);
      move_words<Fold, 4>(s, j, cf, d0, w0);
      d0 += 64;
    } else {
      __m512i x[4];
      threefry_ctr01<V16>(b, packed_offsets(), p, packed_particles(0), s.iteration, kTagMove, s.key, x[0], x[1], x[2], x[3]);
      move_packed<Fold>(s, j, cf, d0, x);
      d0 += 32;
    }
  }
}

// Batch member j alone: 16 blocks in a zmm, or for up to 32 dimensions 8
// in a ymm (AVX-512VL's rotate). Zen 4 runs a zmm operation as two 256-bit
// halves, so the ymm form does the same work for half the price.
template <bool Fold>
void move_one(const SwarmStep<float>& s, int j, const Coeffs<F16, Fold>& cf) noexcept {
  const uint32_t p = s.particle + static_cast<uint32_t>(j);
  const __m256i off8 = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  for (int d0 = 0; d0 < s.dims;) {
    const uint32_t b = static_cast<uint32_t>(d0) >> 2;
    __m512i w[4];
    if (s.dims - d0 > 32) {
      threefry_ctr0<V16>(b, wide_offsets(), p, s.iteration, kTagMove, s.key, w[0], w[1], w[2], w[3]);
      transpose4(w);
      move_words<Fold, 4>(s, j, cf, d0, w);
      d0 += 64;
    } else {
      __m256i x[4];
      threefry_ctr0<V8>(b, off8, p, s.iteration, kTagMove, s.key, x[0], x[1], x[2], x[3]);
      transpose4(x);
      w[0] = _mm512_inserti64x4(_mm512_castsi256_si512(x[0]), x[1], 1);
      w[1] = _mm512_inserti64x4(_mm512_castsi256_si512(x[2]), x[3], 1);
      move_words<Fold, 2>(s, j, cf, d0, w);
      d0 += 32;
    }
  }
}

// A batch: four particles at a time while dims <= 32 (one particle per
// 256-bit half of two zmm chains), then pairs, then one. One particle's Threefry chain leaves most of the core
// idle waiting on its latency; several in flight fill it. Within a group the
// later particle moves first: a ragged row's masked last store spans the
// first dimensions of the next row, and a load of those right after it
// waits for the store to reach the cache instead of being forwarded (about
// 7 % of the move at D = 30 on Zen 4).
template <bool Fold>
void update_batch(const SwarmStep<float>& s) noexcept {
  const Coeffs<F16, Fold> cf(s);
  int j = 0;
  if (s.dims <= 32)
    for (; j + 4 <= s.count; j += 4) move_quad<Fold>(s, j, cf);
  for (; j + 2 <= s.count; j += 2) move_pair<Fold>(s, j, cf);
  if (j < s.count) move_one<Fold>(s, j, cf);
}

}  // namespace

void f32_swarm_update__avx512(const SwarmStep<float>& s) noexcept {
  if (s.per_particle) {
    const StepCoeffs<F16> c(s);
    for (int j = 0; j < s.count; ++j)
      per_particle_move<F16, 16>(s, j, c, [](const auto&... a) { move16(a...); });
  } else if (scale_is_exact(s.c1) && scale_is_exact(s.c2)) {
    update_batch<true>(s);
  } else {
    update_batch<false>(s);
  }
  _mm256_zeroupper();  // as f32_swarm_update__avx2: never hand dirty upper halves to SSE code
}

}  // namespace detail
}  // namespace starling
