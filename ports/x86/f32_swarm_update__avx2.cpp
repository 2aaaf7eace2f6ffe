// f32_swarm_update__avx2: the float particle update on 8 lanes (AVX2, no FMA, masked tails), Threefry in lanes.
#include <immintrin.h>

#include "starling/detail/kernels_x86.hpp"
#include "threefry_x86.hpp"

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

// Two registers per word: 16 independent blocks in flight (more ILP than 8).
struct V8x2 {
  struct T {
    __m256i a, b;
  };
  static T add(T x, T y) noexcept { return {_mm256_add_epi32(x.a, y.a), _mm256_add_epi32(x.b, y.b)}; }
  static T xor_(T x, T y) noexcept { return {_mm256_xor_si256(x.a, y.a), _mm256_xor_si256(x.b, y.b)}; }
  template <int R>
  static T rotl(T x) noexcept { return {V8::rotl<R>(x.a), V8::rotl<R>(x.b)}; }
  static T set1(uint32_t v) noexcept { return {V8::set1(v), V8::set1(v)}; }
};

// u32_to_unit: (w >> 8) · 2^−24, exact in float.
inline __m256 unit(__m256i w) noexcept {
  return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(w, 8)), _mm256_set1_ps(5.9604644775390625e-08f));
}

// Loads and stores of 8 lanes, or (Tail) of the lanes in `k` only (the others
// read as 0 and are not written; vmaskmovps never touches memory outside k).
template <bool Tail>
inline __m256 ld(const float* p, __m256i k) noexcept {
  return Tail ? _mm256_maskload_ps(p, k) : _mm256_loadu_ps(p);
}
template <bool Tail>
inline void st(float* p, __m256i k, __m256 v) noexcept {
  if (Tail) _mm256_maskstore_ps(p, k, v);
  else _mm256_storeu_ps(p, v);
}

// Dimensions d + lane with their r1, r2 (swarm_update_dim's operations, in
// its order). Returns false, having written nothing, when a Reflect/Random
// move leaves the box in some lane: the caller redoes those dimensions with
// the scalar step.
template <bool Tail>
inline bool step8(const SwarmStep<float>& s, int d, __m256i k, __m256 r1, __m256 r2) noexcept {
  const __m256 x = ld<Tail>(s.x + d, k);
  const __m256 a = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(s.c1), r1), _mm256_sub_ps(ld<Tail>(s.pbest + d, k), x));
  const __m256 b = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(s.c2), r2), _mm256_sub_ps(ld<Tail>(s.nbest + d, k), x));
  const bool empso = s.rule == UpdateRule::Empso;
  __m256 v, m = _mm256_setzero_ps();
  if (empso) {
    m = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(s.beta), ld<Tail>(s.m + d, k)),
                      _mm256_mul_ps(_mm256_set1_ps(s.one_minus_beta), ld<Tail>(s.v + d, k)));
    v = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(s.mscale), m), a), b);
  } else {
    v = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(s.w), ld<Tail>(s.v + d, k)), a), b);
  }
  const __m256 vm = ld<Tail>(s.vmax + d, k);
  // minps(a, b) is exactly (a < b ? a : b) and maxps(a, b) (a > b ? a : b),
  // NaN and signed zeros included, so these are the reference's branches:
  // v > vm ? vm : v, then v < −vm ? −vm : v.
  v = _mm256_min_ps(vm, v);
  v = _mm256_max_ps(_mm256_xor_ps(vm, _mm256_set1_ps(-0.0f)), v);
  __m256 nx = _mm256_add_ps(x, v);
  const __m256 lo = ld<Tail>(s.lo + d, k), hi = ld<Tail>(s.hi + d, k);
  const __m256 below = _mm256_cmp_ps(nx, lo, _CMP_LT_OQ);
  const __m256 out = _mm256_or_ps(below, _mm256_cmp_ps(nx, hi, _CMP_GT_OQ));
  if (s.bound == BoundRule::Clamp) {
    nx = _mm256_min_ps(hi, _mm256_max_ps(lo, nx));  // nx < lo ? lo : nx, then > hi ? hi
    v = _mm256_andnot_ps(out, v);  // +0 where out
    m = _mm256_andnot_ps(out, m);
  } else if (_mm256_movemask_ps(_mm256_and_ps(out, _mm256_castsi256_ps(k))) != 0) {
    return false;
  }
  st<Tail>(s.x + d, k, nx);
  st<Tail>(s.v + d, k, v);
  if (empso) st<Tail>(s.m + d, k, m);
  return true;
}

}  // namespace

void f32_swarm_update__avx2(const SwarmStep<float>& s) noexcept {
  alignas(32) float r1[32], r2[32];
  if (s.per_particle) {
    float u1 = 0, u2 = 0;
    f32_swarm_particle_draws__x86_base(s, &u1, &u2);
    const __m256 a = _mm256_set1_ps(u1), b = _mm256_set1_ps(u2);
    for (int j = 0; j < 32; j += 8) {
      _mm256_store_ps(r1 + j, a);
      _mm256_store_ps(r2 + j, b);
    }
  }
  for (int d0 = 0; d0 < s.dims; d0 += 32) {
    if (!s.per_particle) {
      // Blocks for pairs d0/2 .. d0/2 + 15: words {r1[2p], r2[2p], r1[2p+1], r2[2p+1]}.
      const __m256i lane = _mm256_add_epi32(_mm256_set1_epi32(d0 >> 1), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      const V8x2::T ctr{lane, _mm256_add_epi32(lane, _mm256_set1_epi32(8))};
      V8x2::T w0, w1, w2, w3;
      threefry_lanes<V8x2>(ctr, s.particle, s.iteration, kTagMove, s.key, w0, w1, w2, w3);
      // Dimension 2p takes words 0 (r1) and 1 (r2) of pair p's block, 2p+1 words 2 and 3.
      const __m256i w0h[2] = {w0.a, w0.b}, w1h[2] = {w1.a, w1.b}, w2h[2] = {w2.a, w2.b}, w3h[2] = {w3.a, w3.b};
      for (int h = 0; h < 2; ++h) {
        const __m256i a_lo = _mm256_unpacklo_epi32(w0h[h], w2h[h]), a_hi = _mm256_unpackhi_epi32(w0h[h], w2h[h]);
        const __m256i b_lo = _mm256_unpacklo_epi32(w1h[h], w3h[h]), b_hi = _mm256_unpackhi_epi32(w1h[h], w3h[h]);
        _mm256_store_ps(r1 + 16 * h, unit(_mm256_permute2x128_si256(a_lo, a_hi, 0x20)));
        _mm256_store_ps(r1 + 16 * h + 8, unit(_mm256_permute2x128_si256(a_lo, a_hi, 0x31)));
        _mm256_store_ps(r2 + 16 * h, unit(_mm256_permute2x128_si256(b_lo, b_hi, 0x20)));
        _mm256_store_ps(r2 + 16 * h + 8, unit(_mm256_permute2x128_si256(b_lo, b_hi, 0x31)));
      }
    }
    const int end = s.dims - d0 < 32 ? s.dims : d0 + 32;
    for (int d = d0; d < end; d += 8) {
      const int j = d - d0, n = end - d < 8 ? end - d : 8;
      const __m256 q1 = _mm256_load_ps(r1 + j), q2 = _mm256_load_ps(r2 + j);
      const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      if (n == 8 ? step8<false>(s, d, k, q1, q2) : step8<true>(s, d, k, q1, q2)) continue;
      f32_swarm_dims__x86_base(s, d, n, r1 + j, r2 + j);
    }
  }
}

}  // namespace detail
}  // namespace starling
