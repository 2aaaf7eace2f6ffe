// f32_swarm_update__avx512: the float particle update on 16 lanes (AVX-512F, no FMA, masked tails).
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

#include "starling/detail/kernels_x86.hpp"
#include "threefry_x86.hpp"

namespace starling {
namespace detail {
namespace {

struct V16 {
  using T = __m512i;
  static T add(T a, T b) noexcept { return _mm512_add_epi32(a, b); }
  static T xor_(T a, T b) noexcept { return _mm512_xor_si512(a, b); }
  template <int R>
  static T rotl(T a) noexcept { return _mm512_rol_epi32(a, R); }
  static T set1(uint32_t v) noexcept { return _mm512_set1_epi32(static_cast<int>(v)); }
};

// u32_to_unit: (w >> 8) · 2^−24, exact in float.
inline __m512 unit(__m512i w) noexcept {
  return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 8)), _mm512_set1_ps(5.9604644775390625e-08f));
}

// Loads and stores of 16 lanes, or (Tail) of the lanes in `k` only (the
// others read as 0 and are not written; nothing outside k is touched).
template <bool Tail>
inline __m512 ld(const float* p, __mmask16 k) noexcept {
  return Tail ? _mm512_maskz_loadu_ps(k, p) : _mm512_loadu_ps(p);
}
template <bool Tail>
inline void st(float* p, __mmask16 k, __m512 v) noexcept {
  if (Tail) _mm512_mask_storeu_ps(p, k, v);
  else _mm512_storeu_ps(p, v);
}

// Dimensions d + lane for the lanes in k (swarm_update_dim's operations, in
// its order). Returns false, having written nothing, when a Reflect/Random
// move leaves the box in some lane: the caller redoes them with the scalar step.
template <bool Tail>
inline bool step16(const SwarmStep<float>& s, int d, __mmask16 k, __m512 r1, __m512 r2) noexcept {
  const __m512 x = ld<Tail>(s.x + d, k);
  const __m512 a = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(s.c1), r1), _mm512_sub_ps(ld<Tail>(s.pbest + d, k), x));
  const __m512 b = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(s.c2), r2), _mm512_sub_ps(ld<Tail>(s.nbest + d, k), x));
  const bool empso = s.rule == UpdateRule::Empso;
  __m512 v, m = _mm512_setzero_ps();
  if (empso) {
    m = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(s.beta), ld<Tail>(s.m + d, k)),
                      _mm512_mul_ps(_mm512_set1_ps(s.one_minus_beta), ld<Tail>(s.v + d, k)));
    v = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(s.mscale), m), a), b);
  } else {
    v = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(s.w), ld<Tail>(s.v + d, k)), a), b);
  }
  const __m512 vm = ld<Tail>(s.vmax + d, k);
  // minps(a, b) is exactly (a < b ? a : b) and maxps(a, b) (a > b ? a : b),
  // NaN and signed zeros included, so these are the reference's branches:
  // v > vm ? vm : v, then v < −vm ? −vm : v.
  v = _mm512_min_ps(vm, v);
  v = _mm512_max_ps(_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(vm), _mm512_set1_epi32(INT32_MIN))), v);
  __m512 nx = _mm512_add_ps(x, v);
  const __m512 lo = ld<Tail>(s.lo + d, k), hi = ld<Tail>(s.hi + d, k);
  const __mmask16 below = _mm512_cmp_ps_mask(nx, lo, _CMP_LT_OQ);
  const __mmask16 out = static_cast<__mmask16>(below | _mm512_cmp_ps_mask(nx, hi, _CMP_GT_OQ));
  if (s.bound == BoundRule::Clamp) {
    nx = _mm512_min_ps(hi, _mm512_max_ps(lo, nx));  // nx < lo ? lo : nx, then > hi ? hi
    v = _mm512_maskz_mov_ps(static_cast<__mmask16>(~out), v);  // +0 where out
    m = _mm512_maskz_mov_ps(static_cast<__mmask16>(~out), m);
  } else if ((out & k) != 0) {
    return false;
  }
  st<Tail>(s.x + d, k, nx);
  st<Tail>(s.v + d, k, v);
  if (empso) st<Tail>(s.m + d, k, m);
  return true;
}

}  // namespace

void f32_swarm_update__avx512(const SwarmStep<float>& s) noexcept {
  alignas(64) float r1[32], r2[32];
  __m512 p1 = _mm512_setzero_ps(), p2 = _mm512_setzero_ps();
  if (s.per_particle) {
    float u1 = 0, u2 = 0;
    f32_swarm_particle_draws__x86_base(s, &u1, &u2);
    p1 = _mm512_set1_ps(u1);
    p2 = _mm512_set1_ps(u2);
    _mm512_store_ps(r1, p1); _mm512_store_ps(r1 + 16, p1);
    _mm512_store_ps(r2, p2); _mm512_store_ps(r2 + 16, p2);
  }
  // Dimension j of a 32-dimension group takes word (j odd ? 2 : 0) (r1) or
  // (j odd ? 3 : 1) (r2) of the block of pair j/2.
  const __m512i lo_idx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi_idx = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  for (int d0 = 0; d0 < s.dims; d0 += 32) {
    __m512 a0 = p1, a1 = p1, b0 = p2, b1 = p2;
    if (!s.per_particle) {
      const __m512i ctr = _mm512_add_epi32(_mm512_set1_epi32(d0 >> 1),
                                           _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
      __m512i w0, w1, w2, w3;
      threefry_lanes<V16>(ctr, s.particle, s.iteration, kTagMove, s.key, w0, w1, w2, w3);
      a0 = unit(_mm512_permutex2var_epi32(w0, lo_idx, w2));
      a1 = unit(_mm512_permutex2var_epi32(w0, hi_idx, w2));
      b0 = unit(_mm512_permutex2var_epi32(w1, lo_idx, w3));
      b1 = unit(_mm512_permutex2var_epi32(w1, hi_idx, w3));
    }
    for (int h = 0; h < 2; ++h) {
      const int d = d0 + 16 * h;
      if (d >= s.dims) break;
      const int n = s.dims - d < 16 ? s.dims - d : 16;
      const __mmask16 k = static_cast<__mmask16>(0xFFFFu >> (16 - n));
      const __m512 q1 = h == 0 ? a0 : a1, q2 = h == 0 ? b0 : b1;
      if (n == 16 ? step16<false>(s, d, k, q1, q2) : step16<true>(s, d, k, q1, q2)) continue;
      _mm512_store_ps(r1 + 16 * h, q1);
      _mm512_store_ps(r2 + 16 * h, q2);
      f32_swarm_dims__x86_base(s, d, n, r1 + 16 * h, r2 + 16 * h);
    }
  }
}

}  // namespace detail
}  // namespace starling
