// SPDX-License-Identifier: MIT
// starling/polystep.hpp: a forward-only polytope step that trains int8
// weights on the integer lattice, driven by ask/tell like the optimizers:
// each step draws a random subspace, evaluates the loss at the vertices of a
// cross-polytope in it, and moves to the softmax-weighted barycentre of the
// low-cost vertices (PolyStep-style: the one-sided, Sinkhorn-free limit of
// an entropic transport of the particle onto the vertices).
//
//   static starling::PolyStep<1210> ps;              // D <= 1210, 1 particle
//   if (ps.init(start, 1210, 1, starling::PolyStepConfig{}, 7) != Status::Ok) ...
//   while (const int8_t* w = ps.ask()) { load(w); ps.tell(errors()); }   // one forward pass a tick
//   load(ps.best_position());
//
// A step of particle x (D int8 weights, step size s, k = `subspace`):
//  1. the subspace: each coordinate d joins direction j with probability
//     `density`/k for each j (so a share `density` of the weights moves), with a
//     random sign σ_d: word d%4 of Threefry-4x32-13 block {d/4, particle,
//     step, "PLY1"} under key {seed low, seed high, "POLY", 0}, u = top 24
//     bits·2^-24: d joins direction ⌊u·k/density⌋ when u < density; σ_d = +1
//     when bit 0 is 0. The k directions are disjoint, hence orthogonal.
//  2. the 2k vertices x ± s·σ·e_j (vertex 2j: +, 2j+1: −), coordinates
//     rounded half away from zero and clipped to [−127, 127], are asked one
//     by one;
//  3. the low-cost vertices are those with cost <= f(x). None: x stays and
//     s shrinks (s·shrink, at least step_min). Otherwise, with f* their least
//     cost and τ = temperature·(f(x) − f*) (τ = 0: equal weights), weight
//     w_v = exp(−(f_v − f*)/τ) (detail::det_exp), and coordinate d of
//     direction j moves by s·σ_d·(w_{2j} − w_{2j+1})/Σw (a vertex outside
//     the low-cost set weighs 0), rounded half away from zero and clipped;
//  4. if that point differs from x it is asked (one more forward pass) and
//     kept when its cost is <= f*; otherwise x moves to the least-cost
//     vertex (the first on ties), whose cost is known;
//  5. s grows (s·grow, at most step_max) when f* < f(x), stays on a plateau
//     (f* = f(x)), shrinks when every vertex is worse (step 3).
//  6. after `patience` steps in a row without f* < f(x) (0 = never) the
//     particle restarts: a fresh point, s = step, its cost asked first.
// Starts and restarts: particle i goes to c_d + (2u − 1)·spread rounded half
// away from zero and clipped, c = the start given to init(), u from word d%4
// of block {d/4, i, step, tag} (tag "PLY2" at init with step 0, "PLY3" at a
// restart), u as in step 1; spread = 0 puts every particle on c. With
// restart_spread > 0 a restart goes around the incumbent instead: c = the
// best point told so far, restart_spread in place of spread (an iterated
// local search: the restart keeps what the incumbent has learnt).
// A vertex of an empty direction is x itself: its cost is f(x), taken
// without a forward pass.
// Particles take their steps in turn; they share nothing but the
// incumbent. Costs are the caller's (NaN counts as +inf).
//
// Memory: sizeof(PolyStep) = MaxParticles·MaxDims (positions) + 4·MaxDims
// (incumbent, candidate, subspace codes, centre) + 13·MaxParticles (costs,
// steps, stall counts, flags)
// + 256 (vertex costs and weights) + sizeof(PolyStepConfig) + 64 bytes,
// rounded up to the alignment. No heap.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

#include "starling/detail/fp_strict.hpp"
#include "starling/rng.hpp"
#include "starling/status.hpp"

// The float arithmetic below must not be contracted into FMAs whatever the
// including file's flags (detail/fp_strict.hpp): GCC's options are pushed
// here and popped at the end, clang gets a pragma at the top of each body.
STARLING_FP_STRICT_BEGIN

namespace starling {

namespace detail {
/// The softmax weights of a step's vertices (src/polystep.cpp, out of line so
/// det_exp runs in a translation unit built with the determinism guard):
/// wv[v] = 0 for fv[v] > fc (or NaN), 1 when τ <= 0 or fv[v] == f*, else
/// e^{−(fv[v] − f*)/τ} (0 if that exponent is undefined). Returns Σ wv.
float polystep_weights(const float* fv, int nv, float fc, float fstar, float tau, float* wv) noexcept;
}  // namespace detail

/// Settings. The defaults were chosen on tools/bench_train (xor 2-8-2 and
/// digits 64-16-10 nets, cost = misclassified training points).
struct PolyStepConfig {
  int subspace = 4;          ///< k: directions a step, 1..16 (2k vertices)
  float density = 0.05f;    ///< share of the weights a step moves, (0, 1]
  float step = 16.f;         ///< initial step s in lattice units, [step_min, step_max]
  float step_min = 1.f;      ///< >= 1
  float step_max = 64.f;     ///< <= 254
  float grow = 1.5f;         ///< s factor after an improving step, >= 1
  float shrink = 0.5f;       ///< s factor after a non-improving one, (0, 1]
  float temperature = 0.25f; ///< softmax temperature relative to the step's cost spread, > 0
  float spread = 0.f;        ///< particles start at start + U(±spread), rounded; [0, 254]
  float restart_spread = 0.f; ///< > 0: restarts go to incumbent + U(±restart_spread) instead; [0, 254]
  int patience = 0;          ///< restart a particle after this many non-improving steps at step_min (0 = never)
  int max_iter = 1000;       ///< steps of every particle, >= 1
  long max_evals = 0;        ///< stop after this many costs (0 = off)
  float target = -std::numeric_limits<float>::infinity();  ///< stop once best <= target
};

/// Ok when every field is finite and in range, InvalidArgument otherwise.
[[nodiscard]] inline Status validate(const PolyStepConfig& c) noexcept {
  const auto fin = [](float v) { return std::isfinite(v); };
  if (c.subspace < 1 || c.subspace > 16 || !fin(c.density) || !(c.density > 0) || c.density > 1 ||
      !fin(c.step_min) || c.step_min < 1 || !fin(c.step_max) || c.step_max > 254 ||
      !fin(c.step) || c.step < c.step_min || c.step > c.step_max || !fin(c.grow) || c.grow < 1 ||
      c.grow > 16 || !fin(c.shrink) || !(c.shrink > 0) || c.shrink > 1 || !fin(c.temperature) ||
      !(c.temperature > 0) || !fin(c.spread) || c.spread < 0 || c.spread > 254 || !fin(c.restart_spread) ||
      c.restart_spread < 0 || c.restart_spread > 254 || c.patience < 0 ||
      c.max_iter < 1 || c.max_evals < 0 || c.target != c.target ||
      c.target == std::numeric_limits<float>::infinity())
    return Status::InvalidArgument;
  return Status::Ok;
}

/// The polytope step over at most MaxDims int8 weights and MaxParticles
/// particles (see the file comment for the exact rule).
template <int MaxDims, int MaxParticles = 1>
class PolyStep {
  static_assert(MaxDims >= 1 && MaxParticles >= 1, "capacities must be positive");

 public:
  /// Start from `start` (dims weights; every particle starts there) or,
  /// when start is null, from 0. InvalidArgument: dims < 1, particles < 1,
  /// invalid cfg; CapacityExceeded: dims > MaxDims or particles > MaxParticles.
  [[nodiscard]] Status init(const int8_t* start, int dims, int particles, const PolyStepConfig& cfg,
                            uint64_t seed) noexcept {
    ready_ = false;
    if (dims < 1 || particles < 1 || validate(cfg) != Status::Ok) return Status::InvalidArgument;
    if (dims > MaxDims || particles > MaxParticles) return Status::CapacityExceeded;
    cfg_ = cfg;
    dims_ = dims;
    n_ = particles;
    key_[0] = static_cast<uint32_t>(seed);
    key_[1] = static_cast<uint32_t>(seed >> 32);
    key_[2] = 0x504F4C59u;  // "POLY"
    key_[3] = 0;
    for (int d = 0; d < dims_; ++d) best_[d] = start != nullptr ? clip(start[d]) : int8_t{0};
    iter_ = 0;
    for (int i = 0; i < n_; ++i) place(i, 0x504C5932u);  // "PLY2"
    for (int d = 0; d < dims_; ++d) best_[d] = x_[0][d];
    best_f_ = kInf;
    evals_ = 0;
    restarts_ = 0;
    cur_ = 0;
    phase_ = Phase::Centre;
    vertex_ = 0;
    done_ = false;
    ready_ = true;
    settle();
    return Status::Ok;
  }

  /// The weights to evaluate next (dims values), or nullptr when done or
  /// before init. Calling ask() again before tell() returns the same point.
  const int8_t* ask() const noexcept { return ready_ && !done_ ? cand_ : nullptr; }

  /// The cost of the last asked point (lower is better; NaN = +inf).
  /// NotReady before init; Done after the stop.
  [[nodiscard]] Status tell(float cost) noexcept {
    STARLING_FP_STRICT_BLOCK
    if (!ready_) return Status::NotReady;
    if (done_) return Status::Done;
    const float f = cost == cost ? cost : kInf;
    ++evals_;
    if (f < best_f_ || evals_ == 1) {
      best_f_ = f;
      for (int d = 0; d < dims_; ++d) best_[d] = cand_[d];
    }
    advance(f);
    if (best_f_ <= cfg_.target || (cfg_.max_evals > 0 && evals_ >= cfg_.max_evals)) done_ = true;
    settle();
    return Status::Ok;
  }

  /// True before init() and once a stop rule (target, max_evals, max_iter) holds.
  bool done() const noexcept { return !ready_ || done_; }
  /// The int8 weights of the least told cost (dims() values).
  const int8_t* best_position() const noexcept { return best_; }
  /// The least told cost (+inf before the first tell).
  float best_value() const noexcept { return evals_ == 0 ? kInf : best_f_; }
  /// Costs told since init().
  long evaluations() const noexcept { return evals_; }
  /// Completed steps of the whole population (each particle once).
  int iteration() const noexcept { return iter_; }
  /// Restarts so far (all particles).
  long restarts() const noexcept { return restarts_; }
  /// Current step size of particle i (lattice units).
  float step_size(int i) const noexcept { return i >= 0 && i < n_ ? s_[i] : 0.f; }
  /// Weights per particle, as given to init().
  int dims() const noexcept { return dims_; }

 private:
  enum class Phase : uint8_t { Centre, Vertex, Move };
  static constexpr float kInf = std::numeric_limits<float>::infinity();
  static constexpr int kMaxVertices = 32;

  static int8_t clip(int v) noexcept { return static_cast<int8_t>(v < -127 ? -127 : v > 127 ? 127 : v); }
  static int8_t round_clip(float v) noexcept {
    STARLING_FP_STRICT_BLOCK
    const float r = v < 0 ? v - 0.5f : v + 0.5f;  // half away from zero
    if (!(r > -127.f)) return -127;
    if (!(r < 127.f)) return 127;
    return clip(static_cast<int>(r));
  }

  // (Re)start particle i at the centre best_ held at init (centre_) plus
  // U(±spread) per coordinate: word d%4 of block {d/4, i, iter, tag}, u as
  // in the subspace draw, offset (2u − 1)·spread rounded half away from zero;
  // a restart with restart_spread > 0: around the incumbent, ±restart_spread.
  void place(int i, uint32_t tag) noexcept {
    STARLING_FP_STRICT_BLOCK
    const bool around_best = tag == 0x504C5933u && cfg_.restart_spread > 0;
    const float spread = around_best ? cfg_.restart_spread : cfg_.spread;
    uint32_t w4[4] = {0, 0, 0, 0};
    for (int d = 0; d < dims_; ++d) {
      if (tag == 0x504C5932u) centre_[d] = best_[d];
      float v = static_cast<float>(around_best ? best_[d] : centre_[d]);
      if (spread > 0) {
        if ((d & 3) == 0) {
          const uint32_t ctr[4] = {static_cast<uint32_t>(d) >> 2, static_cast<uint32_t>(i),
                                   static_cast<uint32_t>(iter_), tag};
          threefry4x32<kThreefryRounds>(ctr, key_, w4);
        }
        const float u = u32_to_unit<float>(w4[d & 3]);
        v = v + (2.f * u - 1.f) * spread;
      }
      x_[i][d] = round_clip(v);
    }
    fx_[i] = kInf;
    s_[i] = cfg_.step;
    stall_[i] = 0;
    fresh_[i] = true;
  }

  // The subspace codes of particle cur_ at this step: 0 = not moving,
  // +(j+1) / −(j+1) = direction j with sign σ = ±1.
  void draw_subspace() noexcept {
    STARLING_FP_STRICT_BLOCK
    const float k = static_cast<float>(cfg_.subspace), rho = cfg_.density;
    uint32_t w4[4] = {0, 0, 0, 0};
    for (int j = 0; j < cfg_.subspace; ++j) count_[j] = 0;
    for (int d = 0; d < dims_; ++d) {
      if ((d & 3) == 0) {
        const uint32_t ctr[4] = {static_cast<uint32_t>(d) >> 2, static_cast<uint32_t>(cur_),
                                 static_cast<uint32_t>(iter_), 0x504C5931u};  // "PLY1"
        threefry4x32<kThreefryRounds>(ctr, key_, w4);
      }
      const uint32_t w = w4[d & 3];
      const float u = u32_to_unit<float>(w);
      int8_t c = 0;
      if (u < rho) {
        int j = static_cast<int>(u * k / rho);
        if (j >= cfg_.subspace) j = cfg_.subspace - 1;
        c = static_cast<int8_t>((w & 1u) ? -(j + 1) : (j + 1));
        ++count_[j];
      }
      code_[d] = c;
    }
  }

  void make_candidate() noexcept {
    STARLING_FP_STRICT_BLOCK
    const int8_t* x = x_[cur_];
    // dims_ <= MaxDims (init checks it); said again so GCC's
    // -Wstringop-overflow (aarch64, -O3) sees the bound.
    const int nd = dims_ < MaxDims ? dims_ : MaxDims;
    if (phase_ == Phase::Centre) {
      for (int d = 0; d < nd; ++d) cand_[d] = x[d];
    } else if (phase_ == Phase::Vertex) {
      const int j = vertex_ >> 1;
      const float s = (vertex_ & 1) ? -sv_ : sv_;
      for (int d = 0; d < nd; ++d) {
        const int c = code_[d];
        const int cj = c < 0 ? -c - 1 : c - 1;
        cand_[d] = c != 0 && cj == j ? round_clip(static_cast<float>(x[d]) + (c < 0 ? -s : s)) : x[d];
      }
    }  // Move: cand_ already holds the barycentre
  }

  // Run the steps' bookkeeping up to the next point that needs a cost: a
  // vertex of an empty direction is the centre itself (its cost is known),
  // and a step whose vertices are all known ends without a forward pass.
  void settle() noexcept {
    STARLING_FP_STRICT_BLOCK
    const int nv = 2 * cfg_.subspace;
    while (!done_) {
      if (iter_ >= cfg_.max_iter) {
        done_ = true;
        break;
      }
      if (phase_ != Phase::Vertex) break;
      if (vertex_ < nv && count_[vertex_ >> 1] == 0) {
        fv_[vertex_++] = fx_[cur_];
        continue;
      }
      if (vertex_ < nv) break;
      finish_vertices();
    }
    if (!done_) make_candidate();
  }

  void advance(float f) noexcept {
    STARLING_FP_STRICT_BLOCK
    if (phase_ == Phase::Centre) {
      fx_[cur_] = f;
      fresh_[cur_] = false;
      begin_step();
      return;
    }
    if (phase_ == Phase::Vertex) {
      fv_[vertex_++] = f;
      return;
    }
    // Move: keep the barycentre if it is at least as good as the best vertex.
    if (f <= fstar_) {
      for (int d = 0; d < dims_; ++d) x_[cur_][d] = cand_[d];
      fx_[cur_] = f;
    } else {
      take_vertex(vstar_, fstar_);
    }
    end_step();
  }

  void begin_step() noexcept {
    STARLING_FP_STRICT_BLOCK
    draw_subspace();
    sv_ = std::floor(s_[cur_] + 0.5f);  // the step of this step's vertices, an integer
    phase_ = Phase::Vertex;
    vertex_ = 0;
  }

  void take_vertex(int v, float f) noexcept {
    STARLING_FP_STRICT_BLOCK
    phase_ = Phase::Vertex;
    vertex_ = v;
    make_candidate();
    for (int d = 0; d < dims_; ++d) x_[cur_][d] = cand_[d];
    fx_[cur_] = f;
  }

  void finish_vertices() noexcept {
    STARLING_FP_STRICT_BLOCK
    const int nv = 2 * cfg_.subspace;
    const float fc = fx_[cur_];
    vstar_ = -1;
    fstar_ = kInf;
    for (int v = 0; v < nv; ++v)
      if (fv_[v] <= fc && (vstar_ < 0 || fv_[v] < fstar_)) {
        vstar_ = v;
        fstar_ = fv_[v];
      }
    float& s = s_[cur_];
    const bool improved = vstar_ >= 0 && fstar_ < fc;
    // `patience` steps in a row without a strict improvement: restart.
    if (improved) stall_[cur_] = 0;
    else ++stall_[cur_];
    if (cfg_.patience > 0 && stall_[cur_] >= cfg_.patience) {
      ++restarts_;
      place(cur_, 0x504C5933u);  // "PLY3": a fresh start around the centre
      end_step();
      return;
    }
    if (vstar_ < 0) {  // no low-cost vertex: stay, shrink
      s = s * cfg_.shrink < cfg_.step_min ? cfg_.step_min : s * cfg_.shrink;
      end_step();
      return;
    }
    // Softmax weights of the low-cost vertices (the others weigh 0).
    const float tau = cfg_.temperature * (fc - fstar_);
    const float wsum = detail::polystep_weights(fv_, nv, fc, fstar_, tau, wv_);
    const float step = sv_;
    bool moved = false;
    for (int d = 0; d < dims_; ++d) {
      const int c = code_[d];
      int8_t nx = x_[cur_][d];
      if (c != 0) {
        const int j = c < 0 ? -c - 1 : c - 1;
        const float sig = c < 0 ? -step : step;
        nx = round_clip(static_cast<float>(x_[cur_][d]) + sig * ((wv_[2 * j] - wv_[2 * j + 1]) / wsum));
      }
      cand_[d] = nx;
      moved = moved || nx != x_[cur_][d];
    }
    // Grow after an improvement, keep s on a plateau: measured, shrinking
    // there too (as when every vertex is worse) lets the walk across the
    // error-count plateaus die out (tools/bench_train reached the swarm in
    // 0-2 of 10 seeds instead of 4-7).
    if (improved) s = s * cfg_.grow > cfg_.step_max ? cfg_.step_max : s * cfg_.grow;
    if (moved) {
      phase_ = Phase::Move;  // cand_ holds the barycentre: ask it
      return;
    }
    take_vertex(vstar_, fstar_);
    end_step();
  }

  void end_step() noexcept {
    STARLING_FP_STRICT_BLOCK
    if (++cur_ == n_) {
      cur_ = 0;
      ++iter_;
    }
    // A particle's position is evaluated once after each (re)start.
    phase_ = fresh_[cur_] ? Phase::Centre : Phase::Vertex;
    if (phase_ == Phase::Vertex) begin_step();
  }

  // All-zero defaults (a static PolyStep lands in .bss); init() sets them.
  static constexpr PolyStepConfig blank() noexcept {
    PolyStepConfig c;
    c.subspace = 0;
    c.density = c.step = c.step_min = c.step_max = c.grow = c.shrink = c.temperature = c.spread = 0;
    c.restart_spread = 0;
    c.max_iter = 0;
    c.target = 0;
    return c;
  }
  PolyStepConfig cfg_ = blank();
  int8_t x_[MaxParticles][MaxDims] = {};
  int8_t best_[MaxDims] = {};
  int8_t cand_[MaxDims] = {};
  int8_t code_[MaxDims] = {};
  int8_t centre_[MaxDims] = {};
  int32_t stall_[MaxParticles] = {};
  bool fresh_[MaxParticles] = {};
  float fx_[MaxParticles] = {};
  float s_[MaxParticles] = {};
  float fv_[kMaxVertices] = {};
  float wv_[kMaxVertices] = {};
  int32_t count_[kMaxVertices / 2] = {};  // coordinates in each direction
  uint32_t key_[4] = {0, 0, 0, 0};
  float best_f_ = 0, fstar_ = 0, sv_ = 0;
  long evals_ = 0, restarts_ = 0;
  // Every member starts as zero bits (vstar_ is set before each use), so a
  // static PolyStep lands in .bss: a non-zero initializer would put the whole
  // object in .data and cost its size in flash as well (776 B at MaxDims 64).
  int dims_ = 0, n_ = 0, iter_ = 0, cur_ = 0, vertex_ = 0, vstar_ = 0;
  Phase phase_ = Phase::Centre;
  bool done_ = false, ready_ = false;
};

}  // namespace starling

STARLING_FP_STRICT_END
