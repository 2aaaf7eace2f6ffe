// SPDX-License-Identifier: MIT
// f32_swarm_x86.hpp: the lane code the AVX2 and AVX-512 swarm kernels share:
// the move of one vector of dimensions, written once over an ISA's float
// operations F, so both kernels repeat swarm_update_dim's operations in the
// same order. Private to ports/x86; internal linkage (see threefry_x86.hpp).
#pragma once
#include <immintrin.h>

#include <cstdint>

#include "starling/detail/kernels_x86.hpp"
#include "threefry_x86.hpp"

namespace starling {
namespace detail {
namespace {

/// A 4x4 transpose of the 32-bit words within each 128-bit lane: lane q of
/// output l gets element l of lane q of inputs 0..3. With one Threefry block
/// per 32-bit lane and input j = word j, lane q of output l then holds the
/// four words of one block, which are its four dimensions in order
/// (move_r1). The kernels put block b + 4l + q (zmm) or b + 2l + q (ymm) in
/// element l of lane q, so that each output is consecutive dimensions and no
/// shuffle crosses a 128-bit lane.
STARLING_X86_INLINE void transpose4(__m256i x[4]) noexcept {
  const __m256i t0 = _mm256_unpacklo_epi32(x[0], x[1]), t1 = _mm256_unpacklo_epi32(x[2], x[3]);
  const __m256i t2 = _mm256_unpackhi_epi32(x[0], x[1]), t3 = _mm256_unpackhi_epi32(x[2], x[3]);
  x[0] = _mm256_unpacklo_epi64(t0, t1);
  x[1] = _mm256_unpackhi_epi64(t0, t1);
  x[2] = _mm256_unpacklo_epi64(t2, t3);
  x[3] = _mm256_unpackhi_epi64(t2, t3);
}

/// One particle's arrays, held by value: the vector code keeps them in
/// registers. Read through the SwarmStep (or a copy of it made for a batch
/// member) they were reloaded from the stack after every store, which may
/// alias the step's float members, and a copy built with vector stores and
/// read back with scalar loads stalls store forwarding.
struct Rows {
  float *x, *v, *m;
  const float *pbest, *nbest, *vmax, *lo, *hi;
};
STARLING_X86_INLINE Rows rows_of(const SwarmStep<float>& s, int k) noexcept {
  const long off = static_cast<long>(k) * s.stride;
  return {s.x + off, s.v + off, s.m + off, s.pbest + off, member_nbest(s, k), s.vmax, s.lo, s.hi};
}

/// Whether c·2^-16 is exact (zero, infinite, NaN, or |c| >= 2^-110, so the
/// product stays normal): then (c·2^-16)·h is the same real number as
/// c·(h·2^-16), so it rounds to the same float, and a kernel can multiply
/// the draw's integer h by c·2^-16 and save a multiply on the critical path.
inline bool scale_is_exact(float c) noexcept {
  uint32_t bits;
  __builtin_memcpy(&bits, &c, sizeof bits);
  return ((bits >> 23) & 0xFFu) >= 17u || (bits & 0x7FFFFFFFu) == 0;
}

/// The move's settings, broadcast once per call: read from the SwarmStep
/// after each store, they would be reloaded (a float store may alias the
/// SwarmStep's float members).
template <class F>
struct StepCoeffs {
  typename F::V w, beta, one_minus_beta, mscale;
  bool empso, clamp;
  explicit StepCoeffs(const SwarmStep<float>& s) noexcept
      : w(F::set1(s.w)), beta(F::set1(s.beta)), one_minus_beta(F::set1(s.one_minus_beta)), mscale(F::set1(s.mscale)),
        empso(s.rule == UpdateRule::Empso), clamp(s.bound == BoundRule::Clamp) {}
};

/// The move's settings with the coefficients of the draws: c1s, c2s are
/// c1, c2 (times 2^-16 with Fold, see scale_is_exact), broadcast once per
/// call.
template <class F, bool Fold>
struct Coeffs {
  typename F::V c1s, c2s;
  StepCoeffs<F> c;
  explicit Coeffs(const SwarmStep<float>& s) noexcept
      : c1s(F::set1(s.c1 * (Fold ? 1.52587890625e-05f : 1.0f))),
        c2s(F::set1(s.c2 * (Fold ? 1.52587890625e-05f : 1.0f))), c(s) {}
};

/// Dimensions d + lane of the particle whose arrays are r, for the lanes in
/// k (all lanes unless Tail; the others are neither read nor written), with
/// q1 = c1·r1 and q2 = c2·r2 (rounded products, as in the reference).
/// Returns false, having written nothing, when a Reflect/Random move leaves
/// the box in some lane: the caller redoes those dimensions with the scalar
/// step.
///
/// F supplies V (float vector), K (lane mask), set1, add, sub, mul, min, max,
/// neg, ld<Tail>, st<Tail>, out (nx < lo or nx > hi, ordered compares),
/// zero_where and any. F::min(a, b) must be exactly a < b ? a : b and
/// F::max(a, b) a > b ? a : b (minps, maxps), NaN and signed zeros included:
/// so they are the reference's branches.
template <class F, bool Tail>
STARLING_X86_INLINE bool swarm_step(const Rows& r, const StepCoeffs<F>& c, int d, typename F::K k,
                                    typename F::V q1, typename F::V q2) noexcept {
  using V = typename F::V;
  const V x = F::template ld<Tail>(r.x + d, k);
  const V a = F::mul(q1, F::sub(F::template ld<Tail>(r.pbest + d, k), x));
  const V b = F::mul(q2, F::sub(F::template ld<Tail>(r.nbest + d, k), x));
  V v, m = F::set1(0.0f);
  if (c.empso) {
    m = F::add(F::mul(c.beta, F::template ld<Tail>(r.m + d, k)),
               F::mul(c.one_minus_beta, F::template ld<Tail>(r.v + d, k)));
    v = F::add(F::add(F::mul(c.mscale, m), a), b);
  } else {
    v = F::add(F::add(F::mul(c.w, F::template ld<Tail>(r.v + d, k)), a), b);
  }
  const V vm = F::template ld<Tail>(r.vmax + d, k);
  v = F::min(vm, v);          // v > vm ? vm : v
  v = F::max(F::neg(vm), v);  // v < -vm ? -vm : v
  V nx = F::add(x, v);
  const V lo = F::template ld<Tail>(r.lo + d, k), hi = F::template ld<Tail>(r.hi + d, k);
  // Compared on nx itself, not on the clamped value: the zeroing of v then
  // runs beside the clamp instead of after it (the kernels are latency-bound).
  const auto out = F::out(nx, lo, hi);
  if (c.clamp) {
    nx = F::min(hi, F::max(lo, nx));  // nx < lo ? lo : nx, then > hi ? hi
    v = F::zero_where(out, v);
    m = F::zero_where(out, m);
  } else if (F::any(out, k)) {
    return false;
  }
  F::template st<Tail>(r.x + d, k, nx);
  F::template st<Tail>(r.v + d, k, v);
  if (c.empso) F::template st<Tail>(r.m + d, k, m);
  return true;
}

/// The move of batch member j under per-particle draws (one r1, r2 for all
/// dimensions), Lanes dimensions at a time through the kernel's step
/// (move8 / move16: step(s, j, rows, c, d, n, q1, q2, fill)).
template <class F, int Lanes, class Step>
STARLING_X86_INLINE void per_particle_move(const SwarmStep<float>& s, int j, const StepCoeffs<F>& c,
                                           const Step& step) noexcept {
  float u1 = 0, u2 = 0;
  f32_swarm_particle_draws__x86_base(f32_swarm_member__x86_base(s, j), &u1, &u2);
  const typename F::V q1 = F::set1(s.c1 * u1), q2 = F::set1(s.c2 * u2);
  const Rows r = rows_of(s, j);
  for (int d = 0; d < s.dims; d += Lanes)
    step(s, j, r, c, d, s.dims - d < Lanes ? s.dims - d : Lanes, q1, q2, [u1, u2](float* r1, float* r2) {
      for (int i = 0; i < Lanes; ++i) {
        r1[i] = u1;
        r2[i] = u2;
      }
    });
}

}  // namespace
}  // namespace detail
}  // namespace starling
