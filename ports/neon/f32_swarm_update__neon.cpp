// f32_swarm_update__neon: the float particle update on 4 lanes (aarch64 NEON),
// with Threefry-13 on 4 blocks at once; bit-exact with swarm_update_ref.
#include <arm_neon.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "starling/detail/kernels_neon.hpp"
#include "starling/detail/swarm_kernel.hpp"
#include "starling/rng.hpp"

namespace starling {
namespace detail {
namespace {

template <unsigned R>
inline uint32x4_t rotl4(uint32x4_t x) {
  return vsriq_n_u32(vshlq_n_u32(x, R), x, 32 - R);  // (x << R) | (x >> (32 − R))
}

// One Threefry-4x32 round on 4 blocks, as detail::tf_round (rng.hpp).
template <int R>
inline void tf_round4(uint32x4_t& x0, uint32x4_t& x1, uint32x4_t& x2, uint32x4_t& x3,
                      const uint32_t ks[5]) {
  constexpr unsigned ra = kTfRot[R & 7][0], rb = kTfRot[R & 7][1];
  if constexpr ((R & 1) == 0) {
    x0 = vaddq_u32(x0, x1); x1 = veorq_u32(rotl4<ra>(x1), x0);
    x2 = vaddq_u32(x2, x3); x3 = veorq_u32(rotl4<rb>(x3), x2);
  } else {
    x0 = vaddq_u32(x0, x3); x3 = veorq_u32(rotl4<ra>(x3), x0);
    x2 = vaddq_u32(x2, x1); x1 = veorq_u32(rotl4<rb>(x1), x2);
  }
  if constexpr ((R & 3) == 3) {  // key injection after every fourth round
    constexpr uint32_t q = static_cast<uint32_t>((R + 1) >> 2);
    x0 = vaddq_u32(x0, vdupq_n_u32(ks[q % 5]));
    x1 = vaddq_u32(x1, vdupq_n_u32(ks[(q + 1) % 5]));
    x2 = vaddq_u32(x2, vdupq_n_u32(ks[(q + 2) % 5]));
    x3 = vaddq_u32(x3, vdupq_n_u32(ks[(q + 3) % 5] + q));
  }
}

template <int... R>
inline void tf_rounds4(std::integer_sequence<int, R...>, uint32x4_t& x0, uint32x4_t& x1,
                       uint32x4_t& x2, uint32x4_t& x3, const uint32_t ks[5]) {
  (tf_round4<R>(x0, x1, x2, x3, ks), ...);
}

// The move blocks of pairs pair0 .. pair0+3: r1, r2 of dimensions
// 2·pair0 .. 2·pair0+7, in dimension order (lo = first 4, hi = next 4).
struct Draws8 {
  float32x4_t r1_lo, r1_hi, r2_lo, r2_hi;
};

inline float32x4_t unit4(uint32x4_t w) {  // u32_to_unit on 4 lanes (exact)
  return vmulq_f32(vcvtq_f32_u32(vshrq_n_u32(w, 8)), vdupq_n_f32(5.9604644775390625e-08f));
}

inline Draws8 move_draws8(const SwarmStep<float>& s, uint32_t pair0) {
  const uint32_t* key = s.key;
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3],
                          kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3]};
  const uint32_t lane[4] = {0, 1, 2, 3};
  uint32x4_t x0 = vaddq_u32(vaddq_u32(vdupq_n_u32(pair0), vld1q_u32(lane)), vdupq_n_u32(ks[0]));
  uint32x4_t x1 = vdupq_n_u32(s.particle + ks[1]);
  uint32x4_t x2 = vdupq_n_u32(s.iteration + ks[2]);
  uint32x4_t x3 = vdupq_n_u32(kTagMove + ks[3]);
  tf_rounds4(std::make_integer_sequence<int, kThreefryRounds>{}, x0, x1, x2, x3, ks);
  // Block l holds {r1[2(p+l)], r2[2(p+l)], r1[2(p+l)+1], r2[2(p+l)+1]}.
  return Draws8{unit4(vzip1q_u32(x0, x2)), unit4(vzip2q_u32(x0, x2)),
                unit4(vzip1q_u32(x1, x3)), unit4(vzip2q_u32(x1, x3))};
}

// Views of 4 consecutive dimensions (the particle's arrays, or padded copies).
struct Dims4 {
  float* x;
  float* v;
  float* m;
  const float *pbest, *nbest, *lo, *hi, *vmax;
};

// swarm_update_dim on 4 lanes (dimensions d0 .. d0+3), the same operations in
// the same order; every conditional is a compare-and-select, so NaN and
// signed zeros behave as in the scalar code. Clamp is branch-free as there;
// Reflect and Random handle the (rare) lanes that left the box one by one
// with the scalar code's exact steps.
inline void move4(const SwarmStep<float>& s, const Dims4& d, int d0, float32x4_t r1, float32x4_t r2) {
  const bool empso = s.rule == UpdateRule::Empso;
  const float32x4_t x = vld1q_f32(d.x);
  const float32x4_t a = vmulq_f32(vmulq_f32(vdupq_n_f32(s.c1), r1), vsubq_f32(vld1q_f32(d.pbest), x));
  const float32x4_t b = vmulq_f32(vmulq_f32(vdupq_n_f32(s.c2), r2), vsubq_f32(vld1q_f32(d.nbest), x));
  float32x4_t v, m = vdupq_n_f32(0);
  if (empso) {
    m = vaddq_f32(vmulq_f32(vdupq_n_f32(s.beta), vld1q_f32(d.m)),
                  vmulq_f32(vdupq_n_f32(s.one_minus_beta), vld1q_f32(d.v)));
    v = vaddq_f32(vaddq_f32(vmulq_f32(vdupq_n_f32(s.mscale), m), a), b);
  } else {
    v = vaddq_f32(vaddq_f32(vmulq_f32(vdupq_n_f32(s.w), vld1q_f32(d.v)), a), b);
  }
  const float32x4_t vm = vld1q_f32(d.vmax);
  v = vbslq_f32(vcgtq_f32(v, vm), vm, v);
  const float32x4_t nvm = vnegq_f32(vm);
  v = vbslq_f32(vcltq_f32(v, nvm), nvm, v);
  float32x4_t nx = vaddq_f32(x, v);
  const float32x4_t lo = vld1q_f32(d.lo), hi = vld1q_f32(d.hi);
  const uint32x4_t below = vcltq_f32(nx, lo), above = vcgtq_f32(nx, hi);
  const uint32x4_t out = vorrq_u32(below, above);
  if (s.bound == BoundRule::Clamp) {
    nx = vbslq_f32(below, lo, nx);
    nx = vbslq_f32(vcgtq_f32(nx, hi), hi, nx);
    const float32x4_t zero = vdupq_n_f32(0);
    v = vbslq_f32(out, zero, v);
    m = vbslq_f32(out, zero, m);
  }
  vst1q_f32(d.x, nx);
  vst1q_f32(d.v, v);
  if (empso) vst1q_f32(d.m, m);
  if (s.bound == BoundRule::Clamp || vmaxvq_u32(out) == 0) return;
  for (int k = 0; k < 4; ++k) {
    float xk = d.x[k];
    const float lk = d.lo[k], hk = d.hi[k];
    if (!(xk < lk || xk > hk)) continue;
    if (s.bound == BoundRule::Reflect) {
      xk = xk < lk ? lk + (lk - xk) : hk - (xk - hk);
      d.v[k] = -d.v[k];
      if (empso) d.m[k] = -d.m[k];
    } else {  // Random
      const int dim = d0 + k;
      uint32_t w4[4];
      swarm_block(s.key, kTagBoundary, s.iteration, s.particle, static_cast<uint32_t>(dim) >> 1, w4);
      xk = lk + (hk - lk) * u32_to_unit<float>(w4[(dim & 1) * 2]);
      d.v[k] = 0;
      if (empso) d.m[k] = 0;
    }
    if (xk < lk) xk = lk;
    if (xk > hk) xk = hk;
    d.x[k] = xk;
  }
}

// The last n < 8 (or < 4) dimensions: padded copies, then only n written back.
struct Tail8 {
  float x[8], v[8], m[8], pbest[8], nbest[8], lo[8], hi[8], vmax[8];
  Tail8(const SwarmStep<float>& s, int d0, int n) noexcept
      : x{}, v{}, m{}, pbest{}, nbest{}, lo{}, hi{}, vmax{1, 1, 1, 1, 1, 1, 1, 1} {
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(float);
    std::memcpy(x, s.x + d0, bytes);
    std::memcpy(v, s.v + d0, bytes);
    if (s.rule == UpdateRule::Empso) std::memcpy(m, s.m + d0, bytes);
    std::memcpy(pbest, s.pbest + d0, bytes);
    std::memcpy(nbest, s.nbest + d0, bytes);
    std::memcpy(lo, s.lo + d0, bytes);
    std::memcpy(hi, s.hi + d0, bytes);
    std::memcpy(vmax, s.vmax + d0, bytes);
  }
  Dims4 at(int k) noexcept { return Dims4{x + k, v + k, m + k, pbest + k, nbest + k, lo + k, hi + k, vmax + k}; }
  void store(const SwarmStep<float>& s, int d0, int n) const noexcept {
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(float);
    std::memcpy(s.x + d0, x, bytes);
    std::memcpy(s.v + d0, v, bytes);
    if (s.rule == UpdateRule::Empso) std::memcpy(s.m + d0, m, bytes);
  }
};

inline Dims4 dims_at(const SwarmStep<float>& s, int d) {
  return Dims4{s.x + d, s.v + d, s.rule == UpdateRule::Empso ? s.m + d : nullptr,
               s.pbest + d, s.nbest + d, s.lo + d, s.hi + d, s.vmax + d};
}

}  // namespace

void f32_swarm_update__neon(const SwarmStep<float>& s) noexcept {
  const int dims = s.dims;
  int d = 0;
  if (s.per_particle) {
    uint32_t w4[4];
    swarm_block(s.key, kTagMove, s.iteration, s.particle, 0, w4);
    const float32x4_t r1 = vdupq_n_f32(u32_to_unit<float>(w4[0]));
    const float32x4_t r2 = vdupq_n_f32(u32_to_unit<float>(w4[1]));
    for (; d + 4 <= dims; d += 4) move4(s, dims_at(s, d), d, r1, r2);
    if (d < dims) {
      Tail8 t(s, d, dims - d);
      move4(s, t.at(0), d, r1, r2);
      t.store(s, d, dims - d);
    }
    return;
  }
  for (; d + 8 <= dims; d += 8) {
    const Draws8 r = move_draws8(s, static_cast<uint32_t>(d) >> 1);
    move4(s, dims_at(s, d), d, r.r1_lo, r.r2_lo);
    move4(s, dims_at(s, d + 4), d + 4, r.r1_hi, r.r2_hi);
  }
  if (d < dims) {
    const Draws8 r = move_draws8(s, static_cast<uint32_t>(d) >> 1);
    Tail8 t(s, d, dims - d);
    move4(s, t.at(0), d, r.r1_lo, r.r2_lo);
    if (dims - d > 4) move4(s, t.at(4), d + 4, r.r1_hi, r.r2_hi);
    t.store(s, d, dims - d);
  }
}

}  // namespace detail
}  // namespace starling
