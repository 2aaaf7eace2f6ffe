// SPDX-License-Identifier: MIT
// f32_swarm_update__avx2: the float particle update on 8 lanes (AVX2, no FMA, masked tails), Threefry in lanes.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <immintrin.h>

#include "f32_swarm_x86.hpp"

namespace starling {
namespace detail {
namespace {

struct V8 {
  using T = __m256i;
  static T add(T a, T b) noexcept { return _mm256_add_epi32(a, b); }
  static T xor_(T a, T b) noexcept { return _mm256_xor_si256(a, b); }
  template <int R>
  static T rotl(T a) noexcept { return _mm256_or_si256(_mm256_slli_epi32(a, R), _mm256_srli_epi32(a, 32 - R)); }
  static T set1(uint32_t v) noexcept { return _mm256_set1_epi32(static_cast<int>(v)); }
};

// Two registers per word: two independent chains, whose latencies hide each
// other: one particle's 16 blocks (3 or 4 chunks to fill), or two
// particles' 8 blocks each (move_pair).
using V8x2 = VPair<V8>;

// Float lane operations for swarm_step.
struct F8 {
  using V = __m256;
  using K = __m256i;
  static V set1(float a) noexcept { return _mm256_set1_ps(a); }
  static V add(V a, V b) noexcept { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) noexcept { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) noexcept { return _mm256_mul_ps(a, b); }
  static V min(V a, V b) noexcept { return _mm256_min_ps(a, b); }
  static V max(V a, V b) noexcept { return _mm256_max_ps(a, b); }
  static V neg(V a) noexcept { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  // Tail: the lanes in k only (the others read as 0 and are not written;
  // vmaskmovps never touches memory outside k).
  template <bool Tail>
  static V ld(const float* p, K k) noexcept { return Tail ? _mm256_maskload_ps(p, k) : _mm256_loadu_ps(p); }
  template <bool Tail>
  static void st(float* p, K k, V v) noexcept {
    if (Tail) _mm256_maskstore_ps(p, k, v);
    else _mm256_storeu_ps(p, v);
  }
  static V out(V nx, V lo, V hi) noexcept {
    return _mm256_or_ps(_mm256_cmp_ps(nx, lo, _CMP_LT_OQ), _mm256_cmp_ps(nx, hi, _CMP_GT_OQ));
  }
  static V zero_where(V out, V v) noexcept { return _mm256_andnot_ps(out, v); }
  static bool any(V out, K k) noexcept { return _mm256_movemask_ps(_mm256_and_ps(out, _mm256_castsi256_ps(k))) != 0; }
};

// The draws of 8 dimensions from their words (move_r1): h1 = high halves,
// h2 = low halves, r = h·2^-16; q = c·r as the move needs it. With Fold
// (scale_is_exact), cs = c·2^-16 and q = cs·h; otherwise cs = c, q = c·r.
inline __m256 half1(__m256i w) noexcept { return _mm256_cvtepi32_ps(_mm256_srli_epi32(w, 16)); }
inline __m256 half2(__m256i w) noexcept { return _mm256_cvtepi32_ps(_mm256_and_si256(w, _mm256_set1_epi32(0xFFFF))); }
inline __m256 unit(__m256 h) noexcept { return _mm256_mul_ps(h, _mm256_set1_ps(1.52587890625e-05f)); }
template <bool Fold>
inline __m256 q_of(__m256 h, __m256 cs) noexcept { return _mm256_mul_ps(cs, Fold ? h : unit(h)); }

// Dimensions d .. d+n-1 (1 <= n <= 8) of batch member j (arrays rows) with
// products q1 = c1·r1, q2 = c2·r2; r(r1, r2) fills the draws themselves when
// the scalar step must take over.
template <class R>
inline void move8(const SwarmStep<float>& s, int j, const Rows& rows, const StepCoeffs<F8>& c, int d, int n, __m256 q1,
                  __m256 q2, const R& r) noexcept {
  const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  if (n == 8 ? swarm_step<F8, false>(rows, c, d, k, q1, q2) : swarm_step<F8, true>(rows, c, d, k, q1, q2)) return;
  alignas(32) float r1[8], r2[8];
  r(r1, r2);
  f32_swarm_dims__x86_base(f32_swarm_member__x86_base(s, j), d, n, r1, r2);
}

// Dimensions d .. d+31 of batch member j as far as there are any, from the
// words of their 8 blocks (x[j] = word j; see transpose4).
template <bool Fold>
inline void move_blocks8(const SwarmStep<float>& s, int j, const Coeffs<F8, Fold>& cf, int d, __m256i x0, __m256i x1,
                         __m256i x2, __m256i x3) noexcept {
  __m256i w[4] = {x0, x1, x2, x3};
  transpose4(w);
  const Rows rows = rows_of(s, j);
  for (int q = 0; q < 4; ++q, d += 8) {
    if (d >= s.dims) return;
    const int n = s.dims - d < 8 ? s.dims - d : 8;
    const __m256 h1 = half1(w[q]), h2 = half2(w[q]);
    move8(s, j, rows, cf.c, d, n, q_of<Fold>(h1, cf.c1s), q_of<Fold>(h2, cf.c2s), [h1, h2](float* r1, float* r2) {
      _mm256_store_ps(r1, unit(h1));
      _mm256_store_ps(r2, unit(h2));
    });
  }
}

inline __m256i block_offsets() noexcept { return _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7); }  // see transpose4

// Batch member j alone: 16 blocks as two chains side by side, or 8 in one.
template <bool Fold>
void move_one(const SwarmStep<float>& s, int j, const Coeffs<F8, Fold>& cf) noexcept {
  const uint32_t p = s.particle + static_cast<uint32_t>(j);
  const __m256i off = block_offsets();
  for (int d0 = 0; d0 < s.dims;) {
    const uint32_t b = static_cast<uint32_t>(d0) >> 2;  // block of dimension d0 (move_r1)
    if (s.dims - d0 > 32) {
      V8x2::T x0, x1, x2, x3;
      const V8x2::T off2 = {off, _mm256_add_epi32(off, _mm256_set1_epi32(8))};
      threefry_ctr0<V8x2>(b, off2, p, s.iteration, kTagMove, s.key, x0, x1, x2, x3);
      move_blocks8<Fold>(s, j, cf, d0, x0.a, x1.a, x2.a, x3.a);
      move_blocks8<Fold>(s, j, cf, d0 + 32, x0.b, x1.b, x2.b, x3.b);
      d0 += 64;
    } else {
      __m256i x0, x1, x2, x3;
      threefry_ctr0<V8>(b, off, p, s.iteration, kTagMove, s.key, x0, x1, x2, x3);
      move_blocks8<Fold>(s, j, cf, d0, x0, x1, x2, x3);
      d0 += 32;
    }
  }
}

// Batch members j and j + 1 with at most 32 dimensions: their 8 blocks in
// two chains side by side (one particle's chain leaves the core waiting on
// its latency); the later particle moves first (see the AVX-512 kernel's
// update_batch).
template <bool Fold>
void move_pair(const SwarmStep<float>& s, int j, const Coeffs<F8, Fold>& cf) noexcept {
  V8x2::T x0, x1, x2, x3;
  threefry_ctr01<V8x2>(0, {block_offsets(), block_offsets()}, s.particle + static_cast<uint32_t>(j),
                       {_mm256_setzero_si256(), _mm256_set1_epi32(1)}, s.iteration, kTagMove, s.key, x0, x1, x2, x3);
  move_blocks8<Fold>(s, j + 1, cf, 0, x0.b, x1.b, x2.b, x3.b);
  move_blocks8<Fold>(s, j, cf, 0, x0.a, x1.a, x2.a, x3.a);
}

template <bool Fold>
void update_batch(const SwarmStep<float>& s) noexcept {
  const Coeffs<F8, Fold> cf(s);
  int j = 0;
  if (s.dims <= 32)
    for (; j + 2 <= s.count; j += 2) move_pair<Fold>(s, j, cf);
  for (; j < s.count; ++j) move_one<Fold>(s, j, cf);
}

}  // namespace

void f32_swarm_update__avx2(const SwarmStep<float>& s) noexcept {
  if (s.per_particle) {
    const StepCoeffs<F8> c(s);
    for (int j = 0; j < s.count; ++j)
      per_particle_move<F8, 8>(s, j, c, [](const auto&... a) { move8(a...); });
  } else if (scale_is_exact(s.c1) && scale_is_exact(s.c2)) {
    update_batch<true>(s);
  } else {
    update_batch<false>(s);
  }
  // GCC 12 returned from here with the upper ymm halves dirty (move_blocks8,
  // a local function with ymm arguments, returns without vzeroupper), and
  // the caller's SSE code then ran up to 2x slower (bench_pso's objective
  // after this kernel). Explicit, so no caller depends on the compiler.
  _mm256_zeroupper();
}

}  // namespace detail
}  // namespace starling
