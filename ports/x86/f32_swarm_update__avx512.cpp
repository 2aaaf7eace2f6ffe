// f32_swarm_update__avx512: the float particle update on 16 lanes (AVX-512F/VL, no FMA, masked tails), Threefry in 8 or 16 lanes.
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

// Dimensions d .. d+n-1 (1 <= n <= 16) with products q1 = c1·r1, q2 = c2·r2;
// r(q1, q2) fills the draws themselves when the scalar step must take over.
template <class R>
inline void move16(const SwarmStep<float>& s, const StepCoeffs<F16>& c, int d, int n, __m512 q1, __m512 q2, const R& r) noexcept {
  const __mmask16 k = static_cast<__mmask16>(0xFFFFu >> (16 - n));
  if (n == 16 ? swarm_step<F16, false>(s, c, d, k, q1, q2) : swarm_step<F16, true>(s, c, d, k, q1, q2)) return;
  alignas(64) float r1[16], r2[16];
  r(r1, r2);
  f32_swarm_dims__x86_base(s, d, n, r1, r2);
}

// Dimensions d .. dims-1, up to 16·Count of them, from their words (w[q]:
// dimensions d + 16q .. d + 16q + 15 in lane order).
template <bool Fold, int Count>
inline void move_words(const SwarmStep<float>& s, const StepCoeffs<F16>& c, int d, const __m512i (&w)[4], __m512 c1s, __m512 c2s) noexcept {
  for (int q = 0; q < Count; ++q, d += 16) {
    if (d >= s.dims) return;
    const int n = s.dims - d < 16 ? s.dims - d : 16;
    const __m512i wq = w[q];
    move16(s, c, d, n, q1_of<Fold>(wq, c1s), q2_of<Fold>(wq, c2s), [wq](float* r1, float* r2) {
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

template <bool Fold>
void update_drawn(const SwarmStep<float>& s) noexcept {
  const float scale = Fold ? 1.52587890625e-05f : 1.0f;
  const __m512 c1s = _mm512_set1_ps(s.c1 * scale), c2s = _mm512_set1_ps(s.c2 * scale);
  const StepCoeffs<F16> c(s);
  // Lane offsets: see transpose4 (zmm: block b + 4l + q lands in 128-bit
  // lane q of output l; ymm: block b + 2l + q).
  const __m512i off16 = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  const __m256i off8 = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  for (int d0 = 0; d0 < s.dims;) {
    const uint32_t b = static_cast<uint32_t>(d0) >> 2;  // block of dimension d0 (move_r1)
    __m512i w[4];
    if (s.dims - d0 > 32) {
      threefry_ctr0<V16>(b, off16, s.particle, s.iteration, kTagMove, s.key, w[0], w[1], w[2], w[3]);
      transpose4(w);
      move_words<Fold, 4>(s, c, d0, w, c1s, c2s);
      d0 += 64;
    } else {
      __m256i x[4];
      threefry_ctr0<V8>(b, off8, s.particle, s.iteration, kTagMove, s.key, x[0], x[1], x[2], x[3]);
      transpose4(x);
      w[0] = _mm512_inserti64x4(_mm512_castsi256_si512(x[0]), x[1], 1);
      w[1] = _mm512_inserti64x4(_mm512_castsi256_si512(x[2]), x[3], 1);
      move_words<Fold, 2>(s, c, d0, w, c1s, c2s);
      d0 += 32;
    }
  }
}

}  // namespace

void f32_swarm_update__avx512(const SwarmStep<float>& s) noexcept {
  if (s.per_particle) {
    float u1 = 0, u2 = 0;
    f32_swarm_particle_draws__x86_base(s, &u1, &u2);
    const __m512 q1 = _mm512_set1_ps(s.c1 * u1), q2 = _mm512_set1_ps(s.c2 * u2);
    const StepCoeffs<F16> c(s);
    for (int d = 0; d < s.dims; d += 16)
      move16(s, c, d, s.dims - d < 16 ? s.dims - d : 16, q1, q2, [u1, u2](float* r1, float* r2) {
        _mm512_store_ps(r1, _mm512_set1_ps(u1));
        _mm512_store_ps(r2, _mm512_set1_ps(u2));
      });
    return;
  }
  if (scale_is_exact(s.c1) && scale_is_exact(s.c2)) update_drawn<true>(s);
  else update_drawn<false>(s);
}

}  // namespace detail
}  // namespace starling
