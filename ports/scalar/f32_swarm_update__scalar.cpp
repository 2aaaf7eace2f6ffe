// ports/scalar: the float particle update in portable C++, bit-exact with
// detail::swarm_update_ref (tests/ports/test_ports.cpp compares them).
//
// Where the compiler targets a machine with 128-bit vector registers by
// default (x86-64's SSE2, AArch64's NEON), the random numbers are made four
// Threefry blocks at a time with GCC/Clang generic vectors (no intrinsics,
// no ISA flags) and the Clamp update is a loop the compiler vectorizes; the
// arithmetic is the reference's, operation for operation. Elsewhere
// (Cortex-M, RISC-V without V) it is the reference loop itself, which is
// also the smallest code.
#include <cstring>

#include "starling/detail/swarm_kernel.hpp"

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define STARLING_SCALAR_GENERIC_VECTORS 1
#endif

namespace starling {
namespace detail {

#if defined(STARLING_SCALAR_GENERIC_VECTORS)
namespace {
typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef int32_t i32x4 __attribute__((vector_size(16)));
typedef float f32x4 __attribute__((vector_size(16)));

// {a0, b0, a1, b1} and {a2, b2, a3, b3}: the per-dimension order of two
// words that Threefry hands out per pair of dimensions.
inline f32x4 interleave_lo(f32x4 a, f32x4 b) noexcept {
#if defined(__clang__)
  return __builtin_shufflevector(a, b, 0, 4, 1, 5);
#else
  return __builtin_shuffle(a, b, i32x4{0, 4, 1, 5});
#endif
}
inline f32x4 interleave_hi(f32x4 a, f32x4 b) noexcept {
#if defined(__clang__)
  return __builtin_shufflevector(a, b, 2, 6, 3, 7);
#else
  return __builtin_shuffle(a, b, i32x4{2, 6, 3, 7});
#endif
}
inline void store4(float* p, f32x4 v) noexcept { std::memcpy(p, &v, sizeof v); }

// u32_to_unit on four lanes: (w >> 8) < 2^24 converts exactly as signed.
inline f32x4 to_unit(u32x4 w) noexcept {
  return __builtin_convertvector(reinterpret_cast<i32x4>(w >> 8u), f32x4) * 5.9604644775390625e-08f;
}

// Two independent 4-lane groups: Threefry's rounds are a chain of dependent
// operations, and two chains in flight hide each other's latency.
struct u32x4x2 {
  u32x4 a, b;
};
inline u32x4x2& operator+=(u32x4x2& x, const u32x4x2& y) noexcept {
  x.a += y.a;
  x.b += y.b;
  return x;
}
inline u32x4x2& operator+=(u32x4x2& x, uint32_t k) noexcept {
  x.a += k;
  x.b += k;
  return x;
}
inline u32x4x2 operator^(const u32x4x2& x, const u32x4x2& y) noexcept { return {x.a ^ y.a, x.b ^ y.b}; }
inline u32x4x2 operator|(const u32x4x2& x, const u32x4x2& y) noexcept { return {x.a | y.a, x.b | y.b}; }
inline u32x4x2 operator<<(const u32x4x2& x, unsigned r) noexcept { return {x.a << r, x.b << r}; }
inline u32x4x2 operator>>(const u32x4x2& x, unsigned r) noexcept { return {x.a >> r, x.b >> r}; }
constexpr int kChunk = 16;  // dimensions per chunk: 8 Threefry blocks

// Converts and stores one 4-lane group's words: words 0, 2 are r1 of
// dimensions 2p, 2p+1; words 1, 3 are r2.
inline void store_group(u32x4 w0, u32x4 w1, u32x4 w2, u32x4 w3, float* q1, float* q2) noexcept {
  const f32x4 e1 = to_unit(w0), o1 = to_unit(w2), e2 = to_unit(w1), o2 = to_unit(w3);
  store4(q1, interleave_lo(e1, o1));
  store4(q1 + 4, interleave_hi(e1, o1));
  store4(q2, interleave_lo(e2, o2));
  store4(q2 + 4, interleave_hi(e2, o2));
}

// r1[k], r2[k] for dimensions d0 .. d0 + n - 1 (n <= 16): one 4-lane group
// for up to four pairs, else two independent groups (a short chunk draws up
// to three unused pairs).
inline void draw(const SwarmStep<float>& s, int d0, int n, float* r1, float* r2) noexcept {
  const uint32_t p = static_cast<uint32_t>(d0) >> 1;
  const uint32_t i = s.particle, t = s.iteration, tag = kTagMove;
  if (n <= 8) {
    u32x4 x0 = {p, p + 1, p + 2, p + 3}, x1 = {i, i, i, i}, x2 = {t, t, t, t}, x3 = {tag, tag, tag, tag};
    threefry4x32_inplace<kThreefryRounds>(x0, x1, x2, x3, s.key);
    store_group(x0, x1, x2, x3, r1, r2);
    return;
  }
  u32x4x2 x0 = {{p, p + 1, p + 2, p + 3}, {p + 4, p + 5, p + 6, p + 7}};
  u32x4x2 x1 = {{i, i, i, i}, {i, i, i, i}};
  u32x4x2 x2 = {{t, t, t, t}, {t, t, t, t}};
  u32x4x2 x3 = {{tag, tag, tag, tag}, {tag, tag, tag, tag}};
  threefry4x32_inplace<kThreefryRounds>(x0, x1, x2, x3, s.key);
  store_group(x0.a, x1.a, x2.a, x3.a, r1, r2);
  store_group(x0.b, x1.b, x2.b, x3.b, r1 + 8, r2 + 8);
}

// The Clamp rule over n dimensions, the reference's operations in its
// order, written with selects so that the loop vectorizes. The arrays are
// parameters because GCC honours __restrict there, not on local pointers.
struct Coeffs {
  float w, c1, c2, beta, one_minus_beta, mscale;
};
template <bool kEmpso>
inline void update_clamp(float* __restrict x, float* __restrict v, float* __restrict m,
                         const float* __restrict p, const float* __restrict g,
                         const float* __restrict vmax, const float* __restrict lo,
                         const float* __restrict hi, const float* __restrict r1,
                         const float* __restrict r2, int n, Coeffs c) noexcept {
  for (int k = 0; k < n; ++k) {
    const float xk = x[k];
    const float a = (c.c1 * r1[k]) * (p[k] - xk);
    const float b = (c.c2 * r2[k]) * (g[k] - xk);
    float vk;
    float mk = 0.0f;
    if constexpr (kEmpso) {
      mk = c.beta * m[k] + c.one_minus_beta * v[k];
      vk = (c.mscale * mk + a) + b;
    } else {
      vk = (c.w * v[k] + a) + b;
    }
    const float vm = vmax[k];
    vk = vk > vm ? vm : vk;
    vk = vk < -vm ? -vm : vk;
    const float nx = xk + vk;
    float cl = nx < lo[k] ? lo[k] : nx;
    cl = cl > hi[k] ? hi[k] : cl;
    x[k] = cl;
    // Clamped exactly when cl differs from nx (every value here is finite).
    v[k] = cl != nx ? 0.0f : vk;
    if constexpr (kEmpso) m[k] = cl != nx ? 0.0f : mk;
  }
}
}  // namespace

void f32_swarm_update__scalar(const SwarmStep<float>& s) noexcept {
  if (s.per_particle) return swarm_update_ref(s);
  float r1[kChunk], r2[kChunk];
  for (int d0 = 0; d0 < s.dims; d0 += kChunk) {
    const int n = s.dims - d0 < kChunk ? s.dims - d0 : kChunk;
    draw(s, d0, n, r1, r2);
    if (s.bound == BoundRule::Clamp) {
      const Coeffs c{s.w, s.c1, s.c2, s.beta, s.one_minus_beta, s.mscale};
      if (s.rule == UpdateRule::Empso)
        update_clamp<true>(s.x + d0, s.v + d0, s.m + d0, s.pbest + d0, s.nbest + d0, s.vmax + d0,
                           s.lo + d0, s.hi + d0, r1, r2, n, c);
      else
        update_clamp<false>(s.x + d0, s.v + d0, s.m + d0, s.pbest + d0, s.nbest + d0, s.vmax + d0,
                            s.lo + d0, s.hi + d0, r1, r2, n, c);
    } else {
      for (int k = 0; k < n; ++k) swarm_update_dim(s, d0 + k, r1[k], r2[k]);
    }
  }
}

#else

void f32_swarm_update__scalar(const SwarmStep<float>& s) noexcept { swarm_update_ref(s); }

#endif

}  // namespace detail
}  // namespace starling
