// SPDX-License-Identifier: MIT
// f32_swarm_update__neon: the float particle update on 4 lanes (aarch64 NEON),
// with Threefry-13 on 4 or 8 blocks at once; bit-exact with swarm_update_ref.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

// Threefry lanes: one 4-lane vector (4 blocks), or two (8 blocks) whose
// independent chains hide each other's latency.
struct U2 {
  uint32x4_t a, b;
};
inline uint32x4_t add(uint32x4_t x, uint32x4_t y) { return vaddq_u32(x, y); }
inline U2 add(U2 x, U2 y) { return {vaddq_u32(x.a, y.a), vaddq_u32(x.b, y.b)}; }
inline uint32x4_t add(uint32x4_t x, uint32_t k) { return vaddq_u32(x, vdupq_n_u32(k)); }
inline U2 add(U2 x, uint32_t k) { return {add(x.a, k), add(x.b, k)}; }
inline uint32x4_t eor(uint32x4_t x, uint32x4_t y) { return veorq_u32(x, y); }
inline U2 eor(U2 x, U2 y) { return {veorq_u32(x.a, y.a), veorq_u32(x.b, y.b)}; }
inline uint32x4_t eor(uint32_t k, uint32x4_t x) { return veorq_u32(vdupq_n_u32(k), x); }
inline U2 eor(uint32_t k, U2 x) { return {eor(k, x.a), eor(k, x.b)}; }
template <unsigned R>
inline uint32x4_t rotl(uint32x4_t x) {
  return vsriq_n_u32(vshlq_n_u32(x, R), x, 32 - R);  // (x << R) | (x >> (32 − R))
}
template <unsigned R>
inline U2 rotl(U2 x) { return {rotl<R>(x.a), rotl<R>(x.b)}; }

// One Threefry-4x32 round, as detail::tf_round (rng.hpp).
template <int R, class W>
inline void tf_round4(W& x0, W& x1, W& x2, W& x3, const uint32_t ks[5]) {
  constexpr unsigned ra = kTfRot[R & 7][0], rb = kTfRot[R & 7][1];
  if constexpr ((R & 1) == 0) {
    x0 = add(x0, x1); x1 = eor(rotl<ra>(x1), x0);
    x2 = add(x2, x3); x3 = eor(rotl<rb>(x3), x2);
  } else {
    x0 = add(x0, x3); x3 = eor(rotl<ra>(x3), x0);
    x2 = add(x2, x1); x1 = eor(rotl<rb>(x1), x2);
  }
  if constexpr ((R & 3) == 3) {  // key injection after every fourth round
    constexpr uint32_t q = static_cast<uint32_t>((R + 1) >> 2);
    x0 = add(x0, ks[q % 5]);
    x1 = add(x1, ks[(q + 1) % 5]);
    x2 = add(x2, ks[(q + 2) % 5]);
    x3 = add(x3, ks[(q + 3) % 5] + q);
  }
}

template <class W, int... R>
inline void tf_rounds_from2(std::integer_sequence<int, R...>, W& x0, W& x1, W& x2, W& x3,
                            const uint32_t ks[5]) {
  (tf_round4<2 + R>(x0, x1, x2, x3, ks), ...);
}

// threefry4x32_ctr0 (rng.hpp) with NEON rotates: on entry x0 holds the
// lanes' counter word 0, on return x0..x3 the output words.
template <class W>
inline void threefry_ctr0(W& x0, W& x1, W& x2, W& x3, uint32_t c1, uint32_t c2, uint32_t c3,
                          const uint32_t key[4]) {
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3],
                          kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3]};
  uint32_t s1 = c1 + ks[1], s2 = c2 + ks[2], s3 = c3 + ks[3];
  x0 = add(x0, ks[0] + s1);  // round 0
  x1 = eor(rotl32(s1, kTfRot[0][0]), x0);
  s2 += s3;
  s3 = rotl32(s3, kTfRot[0][1]) ^ s2;
  x0 = add(x0, s3);  // round 1
  x3 = eor(rotl32(s3, kTfRot[1][0]), x0);
  x2 = add(x1, s2);
  x1 = eor(rotl<kTfRot[1][1]>(x1), x2);
  tf_rounds_from2(std::make_integer_sequence<int, kThreefryRounds - 2>{}, x0, x1, x2, x3, ks);
}

// r1, r2 of 16 dimensions from four blocks, one per lane (x_j = word j): a
// 4×4 transpose gives block l's words, dimensions 4l .. 4l+3 (move_r1), in
// row l; high halves r1, low r2, h·2^-16 exactly (fixed-point convert).
struct Draws16 {
  float32x4_t r1[4], r2[4];
};
inline void draws16(uint32x4_t x0, uint32x4_t x1, uint32x4_t x2, uint32x4_t x3, Draws16& r) {
  const uint32x4_t t0 = vtrn1q_u32(x0, x1), t1 = vtrn2q_u32(x0, x1);
  const uint32x4_t t2 = vtrn1q_u32(x2, x3), t3 = vtrn2q_u32(x2, x3);
  const uint64x2_t u0 = vreinterpretq_u64_u32(t0), u1 = vreinterpretq_u64_u32(t1);
  const uint64x2_t u2 = vreinterpretq_u64_u32(t2), u3 = vreinterpretq_u64_u32(t3);
  const uint32x4_t row[4] = {vreinterpretq_u32_u64(vtrn1q_u64(u0, u2)), vreinterpretq_u32_u64(vtrn1q_u64(u1, u3)),
                             vreinterpretq_u32_u64(vtrn2q_u64(u0, u2)), vreinterpretq_u32_u64(vtrn2q_u64(u1, u3))};
  for (int l = 0; l < 4; ++l) {
    r.r1[l] = vcvtq_n_f32_u32(vshrq_n_u32(row[l], 16), 16);
    r.r2[l] = vcvtq_n_f32_u32(vandq_u32(row[l], vdupq_n_u32(0xFFFFu)), 16);
  }
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
// signed zeros behave as in the scalar code. Clamp is branch-free here (the
// scalar code takes its walls' branch for it, with the same values: x on
// the wall, +0 velocity and momentum); Reflect and Random handle the (rare)
// lanes that left the box one by one with the scalar code's exact steps.
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

// The last n < 4 dimensions: padded copies, then only n written back.
struct Tail4 {
  float x[4], v[4], m[4], pbest[4], nbest[4], lo[4], hi[4], vmax[4];
  Tail4(const SwarmStep<float>& s, int d0, int n) noexcept
      : x{}, v{}, m{}, pbest{}, nbest{}, lo{}, hi{}, vmax{1, 1, 1, 1} {
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
  Dims4 dims() noexcept { return Dims4{x, v, m, pbest, nbest, lo, hi, vmax}; }
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

// Dimensions d .. min(d + 4, dims) - 1.
inline void move_upto4(const SwarmStep<float>& s, int d, float32x4_t r1, float32x4_t r2) {
  if (d + 4 <= s.dims) return move4(s, dims_at(s, d), d, r1, r2);
  Tail4 t(s, d, s.dims - d);
  move4(s, t.dims(), d, r1, r2);
  t.store(s, d, s.dims - d);
}

// Dimensions d0 .. min(d0 + 16, dims) - 1 from their four blocks.
inline void move16(const SwarmStep<float>& s, int d0, uint32x4_t x0, uint32x4_t x1, uint32x4_t x2,
                   uint32x4_t x3) {
  Draws16 r;
  draws16(x0, x1, x2, x3, r);
  for (int l = 0; l < 4 && d0 + 4 * l < s.dims; ++l) move_upto4(s, d0 + 4 * l, r.r1[l], r.r2[l]);
}

void update_one(const SwarmStep<float>& s) noexcept {
  if (s.per_particle) {
    uint32_t w4[4];
    swarm_block(s.key, kTagMove, s.iteration, s.particle, 0, w4);
    const float32x4_t r1 = vdupq_n_f32(u32_to_unit<float>(w4[0]));
    const float32x4_t r2 = vdupq_n_f32(u32_to_unit<float>(w4[1]));
    for (int d = 0; d < s.dims; d += 4) move_upto4(s, d, r1, r2);
    return;
  }
  const uint32_t lane[4] = {0, 1, 2, 3};
  const uint32x4_t iota = vld1q_u32(lane);
  for (int d0 = 0; d0 < s.dims; d0 += 32) {
    const uint32_t b = static_cast<uint32_t>(d0) >> 2;  // block of dimension d0 (move_r1)
    if (s.dims - d0 <= 16) {
      uint32x4_t x0 = add(iota, b), x1, x2, x3;
      threefry_ctr0(x0, x1, x2, x3, s.particle, s.iteration, kTagMove, s.key);
      move16(s, d0, x0, x1, x2, x3);
    } else {
      U2 x0 = {add(iota, b), add(iota, b + 4)}, x1, x2, x3;
      threefry_ctr0(x0, x1, x2, x3, s.particle, s.iteration, kTagMove, s.key);
      move16(s, d0, x0.a, x1.a, x2.a, x3.a);
      move16(s, d0 + 16, x0.b, x1.b, x2.b, x3.b);
    }
  }
}

}  // namespace

// A batch one particle at a time. Above 16 dimensions a particle already
// keeps two Threefry chains in flight; at 16 and fewer one runs alone, and
// pairing particles there (as the x86 kernels do) is left undone: QEMU
// cannot time it.
void f32_swarm_update__neon(const SwarmStep<float>& s) noexcept {
  for (int k = 0; k < s.count; ++k) update_one(batch_member(s, k));
}

}  // namespace detail
}  // namespace starling
