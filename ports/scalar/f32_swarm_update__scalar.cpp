// SPDX-License-Identifier: MIT
// ports/scalar: the float particle update in portable C++, bit-exact with
// detail::swarm_update_ref (tests/ports/test_ports.cpp compares them).
//
// Where the compiler targets a machine with 128-bit vector registers by
// default (x86-64's SSE2, AArch64's NEON), the random numbers are made four
// Threefry blocks (16 dimensions, see move_r1) at a time with GCC/Clang
// generic vectors (no intrinsics, no ISA flags), or for moves of one block
// a particle, eight particles' blocks at a time; the Clamp update runs four
// dimensions at a time in the same vectors; the arithmetic is the
// reference's, operation for operation. Elsewhere
// (Cortex-M, RISC-V without V) it is the reference loop itself, which is
// also the smallest code.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

inline void store4(float* p, f32x4 v) noexcept { std::memcpy(p, &v, sizeof v); }

// u16_to_unit on four lanes (values < 2^16 convert exactly as signed).
inline f32x4 to_unit16(u32x4 h) noexcept {
  return __builtin_convertvector(reinterpret_cast<i32x4>(h), f32x4) * 1.52587890625e-05f;
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
inline u32x4x2 operator+(const u32x4x2& x, uint32_t k) noexcept { return {x.a + k, x.b + k}; }
inline u32x4x2 operator^(uint32_t k, const u32x4x2& x) noexcept { return {k ^ x.a, k ^ x.b}; }
inline u32x4x2 operator^(const u32x4x2& x, const u32x4x2& y) noexcept { return {x.a ^ y.a, x.b ^ y.b}; }
inline u32x4x2 operator|(const u32x4x2& x, const u32x4x2& y) noexcept { return {x.a | y.a, x.b | y.b}; }
inline u32x4x2 operator<<(const u32x4x2& x, unsigned r) noexcept { return {x.a << r, x.b << r}; }
inline u32x4x2 operator>>(const u32x4x2& x, unsigned r) noexcept { return {x.a >> r, x.b >> r}; }
constexpr int kChunk = 32;  // dimensions per step: 8 blocks, two groups of four

// {a[I], a[J], b[I], b[J]}-style lane selection of two vectors (indices 4..7 are b's).
template <int I0, int I1, int I2, int I3>
inline u32x4 shuf(u32x4 a, u32x4 b) noexcept {
#if defined(__clang__)
  return __builtin_shufflevector(a, b, I0, I1, I2, I3);
#else
  return __builtin_shuffle(a, b, u32x4{I0, I1, I2, I3});
#endif
}

// r1, r2 of 16 dimensions from four blocks, one per lane (lane l = block
// b + l, vector j = word j): a 4×4 transpose puts block b + l's words, the
// draws of dimensions 4l .. 4l+3, in vector l; high halves r1, low r2.
inline void store_group(u32x4 w0, u32x4 w1, u32x4 w2, u32x4 w3, float* q1, float* q2) noexcept {
  const u32x4 t0 = shuf<0, 4, 1, 5>(w0, w1), t1 = shuf<2, 6, 3, 7>(w0, w1);
  const u32x4 t2 = shuf<0, 4, 1, 5>(w2, w3), t3 = shuf<2, 6, 3, 7>(w2, w3);
  const u32x4 row[4] = {shuf<0, 1, 4, 5>(t0, t2), shuf<2, 3, 6, 7>(t0, t2),
                        shuf<0, 1, 4, 5>(t1, t3), shuf<2, 3, 6, 7>(t1, t3)};
  for (int l = 0; l < 4; ++l) {
    store4(q1 + 4 * l, to_unit16(row[l] >> 16u));
    store4(q2 + 4 * l, to_unit16(row[l] & 0xFFFFu));
  }
}

// r1[k], r2[k] for dimensions d0 .. d0 + n - 1 (d0 a multiple of 32, n <=
// 32): four blocks as one 4-lane group, or eight as two independent groups
// (unused lanes of a short step are computed and dropped).
inline void draw(const SwarmStep<float>& s, int d0, int n, float* r1, float* r2) noexcept {
  const uint32_t b = static_cast<uint32_t>(d0) >> 2;
  const uint32_t i = s.particle, t = s.iteration;
  if (n <= 16) {
    u32x4 x0 = {b, b + 1, b + 2, b + 3}, x1, x2, x3;
    threefry4x32_ctr0<kThreefryRounds>(x0, x1, x2, x3, i, t, kTagMove, s.key);
    store_group(x0, x1, x2, x3, r1, r2);
    return;
  }
  u32x4x2 x0 = {{b, b + 1, b + 2, b + 3}, {b + 4, b + 5, b + 6, b + 7}}, x1, x2, x3;
  threefry4x32_ctr0<kThreefryRounds>(x0, x1, x2, x3, i, t, kTagMove, s.key);
  store_group(x0.a, x1.a, x2.a, x3.a, r1, r2);
  store_group(x0.b, x1.b, x2.b, x3.b, r1 + 16, r2 + 16);
}

// The Clamp rule on four dimensions, the reference's operations in its
// order. The selects are written as a > b ? a : b and a < b ? a : b, which
// is exactly what maxps / minps (and NEON's compare-and-select) compute,
// NaN and signed zeros included, so the compiler maps each to one
// instruction.
struct Coeffs {
  float w, c1, c2, beta, one_minus_beta, mscale;
};
inline f32x4 load4(const float* p) noexcept {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline f32x4 keep(i32x4 mask, f32x4 v) noexcept {  // v where mask, +0 elsewhere
  return reinterpret_cast<f32x4>(mask & reinterpret_cast<i32x4>(v));
}
// The new x, v (and m) of four dimensions.
struct Step4 {
  f32x4 x, v, m;
};
template <bool kEmpso>
inline Step4 clamp_step4(const float* x, const float* v, const float* m, const float* p,
                         const float* g, const float* vmax, const float* lo, const float* hi,
                         const float* r1, const float* r2, const Coeffs& c) noexcept {
  const f32x4 xk = load4(x);
  const f32x4 a = (c.c1 * load4(r1)) * (load4(p) - xk);
  const f32x4 b = (c.c2 * load4(r2)) * (load4(g) - xk);
  f32x4 vk, mk = {0, 0, 0, 0};
  if constexpr (kEmpso) {
    mk = c.beta * load4(m) + c.one_minus_beta * load4(v);
    vk = (c.mscale * mk + a) + b;
  } else {
    vk = (c.w * load4(v) + a) + b;
  }
  const f32x4 vm = load4(vmax), nvm = -vm;
  vk = vm < vk ? vm : vk;    // v > vm ? vm : v
  vk = nvm > vk ? nvm : vk;  // v < -vm ? -vm : v
  const f32x4 nx = xk + vk, l = load4(lo), h = load4(hi);
  f32x4 cl = l > nx ? l : nx;  // nx < lo ? lo : nx
  cl = h < cl ? h : cl;        // then > hi ? hi
  // Clamped exactly when cl differs from nx: every value here is finite
  // (init() bounds each range by max/32, see detail::valid_interval), and nx
  // at ±inf is clamped like any value outside the box.
  const i32x4 kept = cl == nx;
  return {cl, keep(kept, vk), keep(kept, mk)};
}

// The arrays of one chunk, copied out of the SwarmStep into a local: the
// memcpy stores of store4 may alias anything in memory, so pointers read
// from the step itself would be reloaded after every store.
struct Rows {
  float *x, *v, *m;
  const float *p, *g, *vmax, *lo, *hi;
};
template <bool kEmpso>
inline Step4 clamp_at(const Rows& a, int k, const float* r1, const float* r2,
                      const Coeffs& c) noexcept {
  return clamp_step4<kEmpso>(a.x + k, a.v + k, a.m + k, a.p + k, a.g + k, a.vmax + k, a.lo + k,
                             a.hi + k, r1 + k, r2 + k, c);
}
template <bool kEmpso>
inline void store_at(const Rows& a, int k, const Step4& r) noexcept {
  store4(a.x + k, r.x);
  store4(a.v + k, r.v);
  if constexpr (kEmpso) store4(a.m + k, r.m);
}

// Dimensions d0 .. d0 + n - 1 under Clamp, four at a time. A ragged end is
// the window of the last four, computed before the loop overwrites the
// dimensions it shares with the loop's last step and stored after it: every
// dimension's result depends on its own inputs only, so the shared ones get
// the same values twice.
template <bool kEmpso>
inline void update_clamp(const SwarmStep<float>& s, int d0, int n, const float* r1,
                         const float* r2) noexcept {
  if (n < 4) {
    for (int k = 0; k < n; ++k) swarm_update_dim(s, d0 + k, r1[k], r2[k]);
    return;
  }
  const Coeffs c{s.w, s.c1, s.c2, s.beta, s.one_minus_beta, s.mscale};
  const Rows a{s.x + d0,     s.v + d0,    s.m + d0,  s.pbest + d0,
               s.nbest + d0, s.vmax + d0, s.lo + d0, s.hi + d0};
  const int tail = n - 4;
  Step4 last = {};
  if ((n & 3) != 0) last = clamp_at<kEmpso>(a, tail, r1, r2, c);
  for (int k = 0; k + 4 <= n; k += 4) store_at<kEmpso>(a, k, clamp_at<kEmpso>(a, k, r1, r2, c));
  if ((n & 3) != 0) store_at<kEmpso>(a, tail, last);
}

// Moves that draw one block a particle (four dimensions or fewer, or
// per-particle draws): block 0 of eight particles at a time, one particle
// per lane of two 4-lane chains (counter word 1 differs by lane, so the
// full rounds), then each particle's dimensions one by one as in the
// reference. A single block in plain words is one long dependency chain;
// eight in lanes cost about what two do. The rest, and a batch of fewer
// than eight, go through the reference.
void update_one_block(const SwarmStep<float>& s) noexcept {
  int k = 0;
  for (; k + 8 <= s.count; k += 8) {
    const uint32_t p = s.particle + static_cast<uint32_t>(k), t = s.iteration;
    u32x4x2 x0 = {{0, 0, 0, 0}, {0, 0, 0, 0}};
    u32x4x2 x1 = {{p, p + 1, p + 2, p + 3}, {p + 4, p + 5, p + 6, p + 7}};
    u32x4x2 x2 = {{t, t, t, t}, {t, t, t, t}};
    u32x4x2 x3 = {{kTagMove, kTagMove, kTagMove, kTagMove}, {kTagMove, kTagMove, kTagMove, kTagMove}};
    threefry4x32_inplace<kThreefryRounds>(x0, x1, x2, x3, s.key);
    uint32_t w[4][8];  // w[word][particle]
    const u32x4x2* words[4] = {&x0, &x1, &x2, &x3};
    for (int j = 0; j < 4; ++j) {
      std::memcpy(w[j], &words[j]->a, sizeof words[j]->a);
      std::memcpy(w[j] + 4, &words[j]->b, sizeof words[j]->b);
    }
    for (int l = 0; l < 8; ++l) {
      if (s.per_particle) {
        const float r1 = u32_to_unit<float>(w[0][l]), r2 = u32_to_unit<float>(w[1][l]);
        for (int d = 0; d < s.dims; ++d) swarm_update_dim(s, d, r1, r2, k + l);
      } else {
        for (int d = 0; d < s.dims; ++d) swarm_update_dim(s, d, move_r1<float>(w[d][l]), move_r2<float>(w[d][l]), k + l);
      }
    }
  }
  for (; k < s.count; ++k) swarm_update_ref(batch_member(s, k));
}

void update_one(const SwarmStep<float>& s) noexcept {
  float r1[kChunk], r2[kChunk];
  for (int d0 = 0; d0 < s.dims; d0 += kChunk) {
    const int n = s.dims - d0 < kChunk ? s.dims - d0 : kChunk;
    draw(s, d0, n, r1, r2);
    if (s.bound == BoundRule::Clamp) {
      if (s.rule == UpdateRule::Empso) update_clamp<true>(s, d0, n, r1, r2);
      else update_clamp<false>(s, d0, n, r1, r2);
    } else {
      for (int k = 0; k < n; ++k) swarm_update_dim(s, d0 + k, r1[k], r2[k]);
    }
  }
}
}  // namespace

// Moves of one block a particle take eight particles at a time in lanes;
// the others go one particle at a time. Above 16 dimensions a particle
// already keeps two Threefry chains in flight; from 5 to 16 one chain runs
// alone, where pairing particles as the x86 kernels do would pay: not done,
// the scalar port is the fallback.
void f32_swarm_update__scalar(const SwarmStep<float>& s) noexcept {
  if (s.per_particle || s.dims <= 4) return update_one_block(s);
  for (int k = 0; k < s.count; ++k) update_one(batch_member(s, k));
}

#else

void f32_swarm_update__scalar(const SwarmStep<float>& s) noexcept { swarm_update_ref(s); }

#endif

}  // namespace detail
}  // namespace starling
