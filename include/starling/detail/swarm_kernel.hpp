// SPDX-License-Identifier: MIT
// starling/detail/swarm_kernel.hpp: the particle update, the inner loop of all
// three PSO variants. The template here is the scalar reference; SIMD ports
// implement f32_swarm_update__<isa> with the same arguments and must give the
// same floats bit for bit (same operation order, no FMA contraction).
#pragma once
#include <cstdint>

#include "starling/detail/fp_strict.hpp"
#include "starling/detail/opt_core.hpp"
#include "starling/rng.hpp"

// The float arithmetic below must not be contracted into FMAs whatever the
// including file's flags (detail/fp_strict.hpp); GCC: options pushed here
// and popped at the end, clang: a pragma at the top of each body.
STARLING_FP_STRICT_BEGIN

namespace starling {
namespace detail {

/// Domain tags in counter word 3, so the draws of different purposes never
/// share a Threefry block (kTagFeasible = 3 is the envelope's, opt_core.hpp).
enum : uint32_t { kTagMove = 0, kTagInit = 1, kTagBoundary = 2, kTagRestart = 4, kTagTopology = 5,
                  kTagFips = 6, kTagLocal = 7 };
/// The local search of the swarm's best (PsoConfig::local_stall): 5 probes
/// in a row that fail halve rho; below kLocalRhoMin it is kLocalRho0 again.
constexpr int kLocalFails = 5;
constexpr float kLocalRho0 = 0.01f;
constexpr float kLocalRhoMin = 1e-6f;

/// Key of the swarm's generator: the seed, plus a constant that separates the
/// swarm's numbers from a user's Rng with the same seed.
inline void swarm_key(uint64_t seed, uint32_t key[4]) noexcept {
  key[0] = static_cast<uint32_t>(seed);
  key[1] = static_cast<uint32_t>(seed >> 32);
  key[2] = 0x50534F31u;  // "PSO1"
  key[3] = 0;
}

/// (swarm_block, in opt_core.hpp:) one Threefry block of the swarm: counter = {block, particle, iteration,
/// tag}, 24-bit words (u32_to_unit) unless said otherwise. Per tag:
///   kTagMove: block d/4 serves dimensions 4·(d/4) .. +3 at 16 bits, see
///     move_r1 (per-particle draws: words 0 and 1 of block 0);
///   kTagInit (iteration 0): words 2(d&1) and 2(d&1)+1 of block d/2 are the
///     initial position and velocity draws of dimension d;
///   kTagBoundary: word 2(d&1) of block d/2 re-draws dimension d (Random);
///   kTagFeasible: re-draw k of a candidate uses word 0 of block k (one
///     draw for all dimensions); the uniform fallback uses word 2(d&1) of
///     block d/2 with particle = k and iteration 0xFFFFFFFF (src/opt_core.cpp);
///   kTagRestart (iteration = the sweep that ended): as kTagInit, the
///     re-seeded position and velocity of dimension d;
///   kTagTopology (block 0, iteration = the link epoch): words 0 .. K−1 of
///     particle j's block name the K particles j informs (Topology::Random);
///   kTagFips: the 16-bit draw q = k·dims + d (informant k, dimension d) is
///     the high (q even) or low (q odd) half of word (q/2) % 4 of block q/8;
///   kTagLocal (iteration = the move's number, particle = the probed one):
///     word 2(d&1) of block d/2 places dimension d of the local probe (as
///     kTagRestart places a re-seeded particle; the velocity word is unused).

enum class UpdateRule : int { Inertia = 0, Empso = 1, Fips = 2 };
enum class BoundRule : int { Clamp = 0, Reflect = 1, Random = 2 };

/// Arguments of a move of `count` consecutive particles (`particle` ..
/// particle + count − 1) that share one neighbourhood best: particle
/// particle + k's x, v, m and pbest rows start k·stride elements after the
/// pointers here; arrays have `dims` entries. A kernel moves them as if one
/// at a time, in any order (no particle's move reads another's rows), so a
/// SIMD port can interleave several particles' generator chains: one chain
/// is latency-bound (tools/bench_pso). Preconditions (not checked): with
/// count > 1, stride >= dims; no row overlaps another row or the shared
/// arrays; m points to real rows even under Inertia (kernels form m +
/// k·stride).
template <class Real>
struct SwarmStep {
  Real* x;             ///< position, updated in place
  Real* v;             ///< velocity, updated in place
  Real* m;             ///< EMPSO momentum, updated in place (unused by Inertia)
  const Real* pbest;   ///< the particle's best position
  const Real* nbest;   ///< the neighbourhood's best position, shared by the batch, not written
  const Real* lo;      ///< box
  const Real* hi;
  const Real* vmax;    ///< velocity limit per dimension, > 0
  int dims;
  UpdateRule rule;
  BoundRule bound;
  bool per_particle;   ///< one (r1, r2) pair for all dimensions
  Real w, c1, c2;      ///< inertia (Inertia rule) and acceleration coefficients
  Real beta;           ///< EMPSO momentum decay
  Real one_minus_beta; ///< 1 - beta, computed once
  Real mscale;         ///< EMPSO bias correction 1/(1 - beta^t), or 1
  const uint32_t* key; ///< swarm_key(seed)
  uint32_t iteration;  ///< t of this move, >= 1
  uint32_t particle;   ///< the first particle's index
  int count = 1;       ///< particles in this call, >= 1
  int stride = 0;      ///< elements from one particle's rows to the next's, >= dims if count > 1
  /// When set, the batch members have neighbourhood bests of their own
  /// (local topologies): member k's is the row nbest_index[k] of
  /// nbest_rows (rows `stride` apart), and nbest is unused.
  const int32_t* nbest_index = nullptr;
  const Real* nbest_rows = nullptr;
};

/// Batch member k's neighbourhood best (see SwarmStep::nbest_index).
/// Always inlined: the x86 kernels call it from files compiled with -mavx2 /
/// -mavx512f, and clang with sanitizers otherwise emits it there as a weak
/// out-of-line copy that the linker could pick for portable code
/// (tests/ports/check_isa_isolation.sh).
template <class Real>
[[gnu::always_inline]] constexpr const Real* member_nbest(const SwarmStep<Real>& s, int k) noexcept {
  return s.nbest_index != nullptr ? s.nbest_rows + static_cast<long>(s.nbest_index[k]) * s.stride
                                  : s.nbest;
}

/// Particle k (0 <= k < s.count) of a batch, as a one-particle step.
template <class Real>
constexpr SwarmStep<Real> batch_member(const SwarmStep<Real>& s, int k) noexcept {
  SwarmStep<Real> t = s;
  const long off = static_cast<long>(k) * s.stride;
  t.x += off;
  t.v += off;
  t.m += off;
  t.pbest += off;
  t.particle += static_cast<uint32_t>(k);
  t.count = 1;
  t.nbest = member_nbest(s, k);
  t.nbest_index = nullptr;
  return t;
}

template <class Real>
STARLING_ALWAYS_INLINE void swarm_finish_dim(const SwarmStep<Real>& s, int d, Real x, Real v, int k) noexcept;

/// The scalar reference for one dimension. Order of operations is part of
/// the contract (ports repeat it exactly):
///   a = (c1*r1)*(p - x);  b = (c2*r2)*(g - x)
///   Inertia: v' = (w*v + a) + b
///   Empso:   m' = beta*m + (1-beta)*v;  v' = (mscale*m' + a) + b
///   v' clamped to [-vmax, vmax]; x' = x + v'; then the boundary rule, which
///   zeroes (Clamp, Random) or negates (Reflect) v' and, for EMPSO, m' too:
///   the momentum is the velocity's memory, and a particle stopped by a wall
///   that kept it would be pushed straight back into the wall.
///
/// k is the batch member (see SwarmStep): its own arrays start k·stride
/// elements in, its particle number is particle + k, its neighbourhood
/// best member_nbest(s, k). (The Fips rule is not a kernel's: the portable
/// core computes its velocity, src/pso.cpp, and ends with swarm_finish_dim.)
template <class Real>
inline void swarm_update_dim(const SwarmStep<Real>& s, int d, Real r1, Real r2, int k = 0) noexcept {
  STARLING_FP_STRICT_BLOCK
  const long e = static_cast<long>(k) * s.stride + d;  // in the member's own arrays
  const Real x = s.x[e];
  const Real a = (s.c1 * r1) * (s.pbest[e] - x);
  const Real b = (s.c2 * r2) * (member_nbest(s, k)[d] - x);
  Real v;
  if (s.rule == UpdateRule::Empso) {
    const Real m = s.beta * s.m[e] + s.one_minus_beta * s.v[e];
    s.m[e] = m;
    v = (s.mscale * m + a) + b;
  } else {
    v = (s.w * s.v[e] + a) + b;
  }
  swarm_finish_dim(s, d, x, v, k);
}

/// The tail every rule shares: v clamped to [−vmax, vmax], x' = x + v, the
/// boundary rule (see swarm_update_dim), and the stores of x' and v'.
template <class Real>
STARLING_ALWAYS_INLINE void swarm_finish_dim(const SwarmStep<Real>& s, int d, Real x, Real v, int k) noexcept {
  STARLING_FP_STRICT_BLOCK
  const long e = static_cast<long>(k) * s.stride + d;
  const Real vm = s.vmax[d];
  if (v > vm) v = vm;
  if (v < -vm) v = -vm;
  Real nx = x + v;
  const Real lo = s.lo[d], hi = s.hi[d];
  if (nx < lo || nx > hi) {
    const bool reflect = s.bound == BoundRule::Reflect;
    if (reflect) {
      // |v| <= range, so one reflection lands inside (up to rounding,
      // which the final clamp below absorbs).
      nx = nx < lo ? lo + (lo - nx) : hi - (nx - hi);
    } else if (s.bound == BoundRule::Random) {
      uint32_t w4[4];
      swarm_block(s.key, kTagBoundary, s.iteration, s.particle + static_cast<uint32_t>(k),
                  static_cast<uint32_t>(d) >> 1, w4);
      nx = lo + (hi - lo) * u32_to_unit<Real>(w4[(d & 1) * 2]);
    }  // Clamp: the final clamp below
    v = reflect ? -v : Real(0);
    if (s.rule == UpdateRule::Empso) s.m[e] = reflect ? -s.m[e] : Real(0);
    if (nx < lo) nx = lo;
    if (nx > hi) nx = hi;
  }
  s.x[e] = nx;
  s.v[e] = v;
}

/// Where the move's r1, r2 of dimension d come from: word d % 4 of the block
/// with counter word 0 (`pair` in swarm_block) d / 4; its high half gives
/// r1, its low half r2 (u16_to_unit). So a particle's move takes
/// ceil(dims / 4) blocks, the fewest possible, at every dims (a 3-gain PID
/// tuner draws one block per particle). A SIMD port that computes one block
/// per lane transposes each 4×4 group of words to get dimension order.
///
/// Why 16 bits: a block has 128 random bits. With 24-bit r1, r2 (the
/// resolution of uniform()) it served two dimensions; with 16-bit halves it
/// serves four, which halves the generator's cost, the larger part of the
/// optimizer's overhead. r1, r2 only scale the attraction terms: a 2^-16
/// grid moves a step by at most 1.5e-5 of its size, and shifts the mean of
/// r from 1/2 by 2^-17, far below what changes a swarm's behaviour (the
/// convergence tests hold the same thresholds).
template <class Real>
constexpr Real move_r1(uint32_t w) noexcept { return u16_to_unit<Real>(w >> 16); }
template <class Real>
constexpr Real move_r2(uint32_t w) noexcept { return u16_to_unit<Real>(w & 0xFFFFu); }

/// Scalar reference of a move: s.count particles, one after the other.
/// O(count·dims); one Threefry block per four dimensions of a particle (one
/// per particle with per-particle draws, whose r1, r2 are words 0 and 1 of
/// block 0 at 24 bits, u32_to_unit). One function for the whole batch: on a
/// microcontroller the optimizer's deepest call chain runs through here, and
/// a per-particle function (or a copy of the step per particle) would add a
/// frame to it.
template <class Real>
inline void swarm_update_ref(const SwarmStep<Real>& s) noexcept {
  for (int k = 0; k < s.count; ++k) {
    const uint32_t particle = s.particle + static_cast<uint32_t>(k);
    // One loop for both kinds of draws (flash).
    uint32_t w4[4];
    if (s.per_particle) swarm_block(s.key, kTagMove, s.iteration, particle, 0, w4);
    for (int d = 0; d < s.dims; ++d) {
      const int j = d & 3;
      if (!s.per_particle && j == 0)
        swarm_block(s.key, kTagMove, s.iteration, particle, static_cast<uint32_t>(d) >> 2, w4);
      // move_r1(w) = u32_to_unit(w's high half in the high bits), move_r2(w)
      // = u32_to_unit(its low half there), exactly (24-bit integers times
      // powers of two): one conversion for both kinds of draws.
      const uint32_t w1 = s.per_particle ? w4[0] : w4[j] & 0xFFFF0000u;
      const uint32_t w2 = s.per_particle ? w4[1] : w4[j] << 16;
      swarm_update_dim(s, d, u32_to_unit<Real>(w1), u32_to_unit<Real>(w2), k);
    }
  }
}

/// The float kernel of the scalar port (ports/scalar). Other ports provide
/// f32_swarm_update__<isa> with the same contract.
void f32_swarm_update__scalar(const SwarmStep<float>& s) noexcept;


}  // namespace detail
}  // namespace starling

STARLING_FP_STRICT_END
