// SPDX-License-Identifier: MIT
// starling/pso.hpp: particle swarm optimization (classic PSO and EMPSO) in a
// fixed block of memory, driven by ask/tell.
//
//   starling::Pso<8, 16> pso;                       // D <= 8, N <= 16, float
//   if (pso.init(lo, hi, 3, 12, starling::PsoConfig{}, 42) != starling::Status::Ok) ...
//   while (const float* x = pso.ask()) { float cost = run_episode(x); pso.tell(cost); }
//   use(pso.best_position(), pso.best_value());
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"
#include "starling/detail/swarm_kernel.hpp"
#include "starling/status.hpp"

namespace starling {

/// Velocity rule. See PsoConfig for each one's parameters and sources.
enum class Variant : int {
  Inertia,       ///< v = w(t)·v + c1·r1·(p−x) + c2·r2·(g−x); w(t) linear from w to w_end
  Constriction,  ///< Clerc–Kennedy constriction in its inertia form: w = χ, c = χ·φ/2
  Empso,         ///< exponentially weighted momentum PSO (AdaSwarm, Mohapatra et al.)
  Fips,          ///< fully informed (Mendes, Kennedy & Neves 2004): every informant attracts
};
/// What happens to a coordinate that leaves the box after x += v.
enum class Boundary : int {
  Clamp,    ///< put it on the violated bound and zero that velocity component
  Reflect,  ///< mirror it at the bound and negate that velocity component
  Random,   ///< re-draw it uniformly inside [lo, hi] and zero that velocity component
};
/// Who informs a particle: the best personal best among its informants is its
/// social attractor (its neighbourhood best), or, under Fips, every informant
/// attracts it. Informants are listed in a fixed order (ties keep the
/// earlier): the particle itself first (Global: every particle in index
/// order).
enum class Topology : int {
  Global,      ///< every particle (gbest)
  Ring,        ///< index ring: i, i−1, i+1, i−2, i+2, … up to `neighbors`/2 on each side
  VonNeumann,  ///< i, i−1, i+1, i−c, i+c (mod N) with c = round(√N): a torus of the index order
  Random,      ///< SPSO-2011's adaptive random topology: each particle informs itself and
               ///< `neighbors` random others; the links are re-drawn after a sweep in
               ///< which the swarm's best did not improve (not with Fips)
};

/// Settings. A default-constructed PsoConfig is the measured general choice:
/// constriction on the von Neumann topology, v_max 0.25, clamping, restarts
/// around the incumbent after 60 stalled sweeps once the swarm has found its
/// best value again 15 times (restart_rehits), 100 iterations.
///
/// Chosen by tools/bench_quality (docs/quality.md, "Choosing the defaults"),
/// D = 30, 40,000 evaluations, 40 particles, seeds 1-25, against pagmo2's
/// default pso (ring of 4) in the same run: among 120 configurations (Global,
/// Ring 2/4, von Neumann, Random; v_max 0.1-0.5; restart_stall 0-400;
/// restart_radius 0-0.3; stall_tol 0, 0.003), this one is at or below pagmo2
/// on Sphere, ellipsoid, Rosenbrock, Rastrigin (33, target <= 40), Ackley,
/// Griewank, Schwefel 2.26 and the step function, and trains the 2-8-1 XOR
/// network to 100 % in 9 of seeds 1-10 (60 particles x 200 sweeps). The
/// noisy sphere (N(0, 1) noise) was lost (1.9 against 1.6): a restart
/// re-converges through the band where noise picks a worse incumbent, and
/// restarting later (restart_stall >= 150) loses the XOR network.
/// restart_rehits 15 wins it (1.36 against 1.42 at seeds 1-10, 1.38 against
/// 1.59 at 1-25, 1.36 against 1.54 at 26-50) with every other cell above
/// bit for bit the same; whole grid (D 2/10/30, budgets 100-40,000) at or
/// below pagmo2 in 90 of 108 cells (88 without). The previous default
/// (Global, v_max 0.5, no restarts) converged early: Ackley 1.6, Rastrigin 65.
/// At small budgets (100-1,000 evaluations) it is at or below the previous
/// default in most cells and below pagmo2 in nearly all.
///
/// The coefficients suit the constriction variant; start from
/// PsoConfig::empso() or PsoConfig::inertia() for the other two, whose
/// literature defaults differ (setting `variant` alone keeps c = 1.49618).
struct PsoConfig {
  /// Default: Constriction. Sources: Clerc & Kennedy, "The particle swarm:
  /// explosion, stability and convergence", IEEE TEC 6(1), 2002; its inertia
  /// form and coefficients: Eberhart & Shi, CEC 2000.
  Variant variant = Variant::Constriction;
  /// Inertia weight; for Constriction the constriction factor χ = 0.7298
  /// (φ = 4.1). For Inertia, the weight at the first move. Range [−1, 1].
  float w = 0.7298f;
  /// Acceleration coefficients, χ·φ/2 = 1.49618 each (Clerc & Kennedy 2002;
  /// also SPSO-2007's values). Range [0, 10].
  ///@{
  float c1 = 1.49618f, c2 = 1.49618f;
  ///@}
  /// EMPSO momentum decay β, 0.9 as in the AdaSwarm paper (empso() uses
  /// the measured 0.8). Range [0, 1).
  float beta = 0.9f;
  /// Velocity limit as a fraction of each range (hi − lo). Range (0, 1].
  /// 0.25: measured (see above); 0.5, the common half-range clamp, leaves the
  /// swarm too fast to settle on Rosenbrock and Rastrigin at D = 30.
  float v_max = 0.25f;
  /// What happens to a coordinate that leaves the box (Boundary).
  Boundary boundary = Boundary::Clamp;
  /// Which best attracts a particle (Topology). Von Neumann: a slower spread
  /// of information than Global, so the swarm keeps several basins in play
  /// (measured; see above).
  Topology topology = Topology::VonNeumann;
  /// Sweeps of the swarm (each evaluates every particle once). >= 1.
  int max_iter = 100;
  /// Stop after this many evaluations, also mid-sweep. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN and +inf are invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many sweeps without improving the best. 0 = off.
  int stall_iter = 0;

  /// Inertia only: the weight the schedule heads for; move t (1 .. max_iter−1)
  /// uses w(t) = w + (w_end − w)·t/max_iter, so the last move is one step
  /// short of w_end (Shi & Eberhart's form, T = max_iter). Set w_end = w for
  /// a fixed weight; the
  /// classic schedule is w = 0.9, w_end = 0.4 (Shi & Eberhart, CEC 1999).
  /// Range [−1, 1].
  float w_end = 0.7298f;
  /// EMPSO only: use the bias-corrected momentum M/(1−β^t) (as Adam does);
  /// the AdaSwarm paper's equations use M as it is, so the default is off.
  bool bias_correction = false;
  /// Draw r1, r2 once per particle per move instead of once per dimension
  /// (the AdaSwarm reference code's choice). Default: per dimension.
  /// The draws of move t of particle i come from Threefry-4x32-13 blocks
  /// with counter {b, i, t, 0} and key {seed, "PSO1", 0}: per dimension, r1
  /// and r2 of dimension d are the high and low 16 bits of word d % 4 of
  /// block b = d / 4 (times 2^-16); per particle, 24-bit words 0 and 1 of
  /// block 0 (see detail::move_r1 in detail/swarm_kernel.hpp).
  bool random_per_particle = false;
  /// Informants of a particle besides itself. Ring: an even number, at
  /// most particles − 1 (2: i−1 and i+1); Random: 1 .. 4, the particles each
  /// particle informs (SPSO-2011's K = 3). 0 = the topology's default (Ring
  /// 2, Random 3); ignored by Global and VonNeumann. Never negative.
  int neighbors = 0;
  /// Restart: after this many sweeps in which the swarm's own best did not
  /// improve, re-seed every particle (position uniform in the restart box,
  /// velocity uniform in ±v_max, momentum 0, personal bests forgotten) and
  /// keep searching; the incumbent, best_position(), stays. The social
  /// attractor of the Global topology is then the best of the swarm since
  /// its last restart, not the incumbent, so a restarted swarm explores
  /// afresh. 0 = off. Range [0, 2^20].
  int restart_stall = 60;
  /// The restart box: 0 = the whole box (search elsewhere); r in (0, 1] =
  /// within ±r·(hi − lo) of the incumbent, clipped to the box (refine
  /// around it).
  float restart_radius = 0.1f;
  /// An improvement of the swarm's best smaller than stall_tol·|best| counts
  /// as none, for the restarts and the random topology's link re-draws: a
  /// swarm that only refines the bottom of one basin has stalled. 0 =
  /// strict (any improvement counts). Range [0, 1].
  float stall_tol = 0.003f;
  /// A restart also waits until, since the swarm's best last improved, this
  /// many told costs came within stall_tol·|best| of that best (the swarm
  /// found its best value again). A stall of a deterministic objective
  /// re-finds it about every sweep (the best particle sits at its best
  /// point); on a noisy objective the swarm's best is a lucky draw that
  /// later draws do not match, so there the swarm keeps refining instead of
  /// re-converging from a restart through the band where noise picks a
  /// worse incumbent. 0 = off (restart after restart_stall sweeps alone).
  /// Range [0, 2^20]. 15 (a quarter of restart_stall): measured, see above
  /// and docs/quality.md ("Restarts on noisy costs"). Counted up to
  /// restart_rehits, reset when the swarm's best improves or it restarts.
  int restart_rehits = 15;
  /// Local search of the swarm's best (after GCPSO, van den Bergh &
  /// Engelbrecht, "A new locally convergent particle swarm optimiser", IEEE
  /// SMC 2002): in every move after this many sweeps in which the swarm's
  /// best did not improve (the count restart_stall reads), the particle that
  /// holds the swarm's best is not moved by the velocity rule but placed
  /// uniformly within ±rho·(hi − lo) of its best, narrowed to the box (as a
  /// restart places particles), its velocity the probe minus where the
  /// velocity rule had put it (clipped to ±v_max), its momentum and personal
  /// best kept. rho starts at 0.01, halves after 5
  /// such probes in a row that do not beat the swarm's best of their move,
  /// and goes back to 0.01 below 10^-6 (and at a restart): a sweep of scales
  /// from 1 % of the box down, again and again. Why: a swarm collapsed onto
  /// a point that is no minimum stops moving (each particle sits on its
  /// attractors); the probe keeps the best moving at the scale that still
  /// succeeds. Draws: the Threefry block {d / 2, particle, move, 7}
  /// (detail/swarm_kernel.hpp). With local_stall >= restart_stall and no
  /// restart_rehits a restart always comes first and nothing is probed;
  /// with restart_rehits, the probe's costs near the best count as re-finds.
  /// 0 = off (every config but empso()). Range [0, 2^20].
  int local_stall = 0;

  /// The default: Clerc–Kennedy constriction (w = 0.7298, c1 = c2 = 1.49618)
  /// with the measured topology, v_max and restarts above.
  static PsoConfig constriction() noexcept { return PsoConfig{}; }
  /// Linearly decreasing inertia 0.9 → 0.4 with c1 = c2 = 2 (Shi & Eberhart,
  /// "Empirical study of particle swarm optimization", CEC 1999).
  /// As published: Global, v_max 0.5, no restarts.
  static PsoConfig inertia() noexcept {
    PsoConfig c = literature();
    c.variant = Variant::Inertia;
    c.w = 0.9f;
    c.w_end = 0.4f;
    c.c1 = c.c2 = 2.0f;
    return c;
  }
  /// EMPSO (the AdaSwarm paper's equations) with c1 = c2 = 2, the original PSO
  /// coefficients (Kennedy & Eberhart 1995). Why not 1.49618: with EMPSO's
  /// recursion a particle's distance e to a fixed attractor follows
  /// e(t+1) = (2 − φ)·e(t) + (βφ − 1)·e(t−1), φ = c1·r1 + c2·r2. For
  /// c = 1.49618 (mean φ ≈ 1.5) the dominant root is about +0.89, so
  /// particles creep onto the attractor from one side and the swarm stalls
  /// (median 5·10³ on 30-D Sphere with 40k evaluations); with c = 2 (mean
  /// φ = 2) the roots are ±√(2β − 1) ≈ ±0.89: particles overshoot the
  /// attractor each step, a damped oscillation that keeps exploring, as
  /// constriction PSO does.
  ///
  /// β = 0.8, v_max 0.15, Global, restarts after 40 stalled sweeps within
  /// ±0.1 of the range around the incumbent: chosen by tools/bench_quality,
  /// D = 30, 40,000 evaluations, seeds 1-10 and 1-25, from 70 EMPSO
  /// configurations (β 0.8-0.95, c 1.6-2.2, v_max 0.1-0.5, Global/Ring/von
  /// Neumann, restarts): at or below pagmo2's default pso on 5 of the 7
  /// functions Sphere..Schwefel 2.26 (Sphere, ellipsoid, Rosenbrock,
  /// Rastrigin, Ackley; not Griewank, Schwefel), no Rosenbrock seed stuck
  /// (worst 110 against pagmo2's 240; the paper's β 0.9 without restarts:
  /// 9·10⁴), and the fastest of the family at 1,000-10,000 evaluations. A
  /// local topology slows EMPSO's momentum too much (worse everywhere).
  ///
  /// local_stall 3 (the local search of the swarm's best): the swarms that
  /// collapsed onto a point that is no minimum no longer end there (same
  /// cells, seeds 1-50: worst ellipsoid seed 6.3e-4 instead of 1.95, worst
  /// Ackley seed 5.0e-3 instead of a local minimum at 1.16; Griewank median
  /// 7.3e-6 instead of 7.4e-3 at seeds 1-25), still 5 of 7 against pagmo2;
  /// local_stall 1, 2, 5 and 10 and other probe rules in docs/quality.md.
  static PsoConfig empso() noexcept {
    PsoConfig c;
    c.variant = Variant::Empso;
    c.c1 = c.c2 = 2.0f;
    c.beta = 0.8f;
    c.v_max = 0.15f;
    c.topology = Topology::Global;
    c.restart_stall = 40;
    c.restart_rehits = 0;  // measured: 15 moves only noisy-sphere cells (grid, seeds 1-10: 87 -> 86)
    c.local_stall = 3;
    return c;
  }
  /// Fully informed PSO on the von Neumann topology, the combination Mendes,
  /// Kennedy & Neves found best ("The fully informed particle swarm: simpler,
  /// maybe better", IEEE TEC 8(3), 2004): v = χ·v + Σ_k (φ/|N|)·χ·r_k·(p_k − x)
  /// with χ = 0.7298 (w) and χ·φ = c1 + c2 = 2.99236 split evenly over the
  /// |N| informants, one draw per informant and dimension.
  /// As published: v_max 0.5, no restarts.
  static PsoConfig fips() noexcept {
    PsoConfig c = literature();
    c.variant = Variant::Fips;
    c.topology = Topology::VonNeumann;
    return c;
  }
  /// The defaults before they were measured (Global, v_max 0.5, no
  /// restarts): the base of the named configurations that follow a paper.
  static PsoConfig literature() noexcept {
    PsoConfig c;
    c.topology = Topology::Global;
    c.v_max = 0.5f;
    c.restart_stall = 0;
    c.restart_radius = 0.f;
    c.stall_tol = 0.f;
    c.restart_rehits = 0;
    return c;
  }
};

namespace detail {
/// The float fields' ranges (validate()), written once for both checks below.
struct PsoRange {
  float v, lo, hi;
};
struct PsoRanges {
  PsoRange r[8];
};
STARLING_ALWAYS_INLINE PsoRanges pso_ranges(const PsoConfig& c) noexcept {
  return {{{c.w, -1.f, 1.f},
           {c.w_end, -1.f, 1.f},
           {c.c1, 0.f, 10.f},
           {c.c2, 0.f, 10.f},
           {c.beta, 0.f, 0.99999994f},                                 // [0, 1)
           {c.v_max, std::numeric_limits<float>::denorm_min(), 1.f},  // (0, 1]
           {c.restart_radius, 0.f, 1.f},
           {c.stall_tol, 0.f, 1.f}}};
}
/// validate()'s rules for the enum, integer and stop-rule fields.
STARLING_ALWAYS_INLINE bool pso_shape_ok(const PsoConfig& c) noexcept {
  constexpr int kMaxRandomLinks = 4;  // one Threefry block a particle
  const bool neighbors_ok =
      c.neighbors >= 0 &&
      (c.topology == Topology::Ring ? c.neighbors % 2 == 0 && c.neighbors < (1 << 24)
                                    : c.topology != Topology::Random || c.neighbors <= kMaxRandomLinks);
  const bool fips_random = c.variant == Variant::Fips && c.topology == Topology::Random;
  const auto in_enum = [](int v, int count) { return v >= 0 && v < count; };
  return in_enum(static_cast<int>(c.variant), 4) && in_enum(static_cast<int>(c.boundary), 3) &&
         in_enum(static_cast<int>(c.topology), 4) && !fips_random && neighbors_ok &&
         valid_stop_rules(stop_rules_of(c)) && c.restart_stall >= 0 && c.restart_stall <= (1 << 20) &&
         c.restart_rehits >= 0 && c.restart_rehits <= (1 << 20) && c.local_stall >= 0 &&
         c.local_stall <= (1 << 20);
}
}  // namespace detail

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise. Pso::init folds the same checks away at
/// compile time where the config is a constant (the usual firmware), and
/// calls this function otherwise.
[[nodiscard]] inline Status validate(const PsoConfig& c) noexcept {
  // A table and a loop: smaller on a microcontroller than one test each.
  const detail::PsoRanges t = detail::pso_ranges(c);
  for (const detail::PsoRange& r : t.r)
    if (!detail::finite_in(r.v, r.lo, r.hi)) return Status::InvalidArgument;
  return detail::pso_shape_ok(c) ? Status::Ok : Status::InvalidArgument;
}

namespace detail {
/// validate(c) == Ok as one expression (the loop unrolled), so that it folds
/// to a constant where the config is one.
STARLING_ALWAYS_INLINE bool pso_config_ok(const PsoConfig& c) noexcept {
  const PsoRanges t = pso_ranges(c);
  bool ok = pso_shape_ok(c);
#if defined(__GNUC__)
#pragma GCC unroll 8
#endif
  for (int k = 0; k < 8; ++k) ok = ok && finite_in(t.r[k].v, t.r[k].lo, t.r[k].hi);
  return ok;
}
/// validate(c) == Ok, computed in the caller (Pso::init): a constant config
/// folds to a constant (no code, no call), any other calls validate() (one
/// shared copy).
STARLING_ALWAYS_INLINE bool pso_config_valid(const PsoConfig& c) noexcept {
#if defined(__GNUC__)
  const bool ok = pso_config_ok(c);
  if (__builtin_constant_p(ok)) return ok;
#endif
  return validate(c) == Status::Ok;
}
}  // namespace detail

namespace detail {

/// Coordinate d of a (re)seeded or probed particle from the block w of d's
/// pair (see swarm_block, kTagInit / kTagRestart / kTagLocal): x uniform in
/// [lo, hi], or with radius > 0 in that box narrowed to ±radius·(hi − lo)
/// around centre (the incumbent, or for the local probe the probed
/// particle's best); v uniform in [−vmax, vmax]. Shared by the seeding, the
/// probe and the state check.
template <class Real>
STARLING_ALWAYS_INLINE void seeded_coord(const uint32_t w[4], int d, Real lo, Real hi, Real centre,
                                         Real radius, Real vmax, Real* x, Real* v) noexcept {
  const Real ux = u32_to_unit<Real>(w[(d & 1) * 2]);
  const Real uv = u32_to_unit<Real>(w[(d & 1) * 2 + 1]);
  Real l = lo, h = hi;
  if (radius > 0) {  // around the centre
    const Real rad = radius * (hi - lo);
    if (centre - rad > l) l = centre - rad;
    if (centre + rad < h) h = centre + rad;
  }
  Real xd = l + (h - l) * ux;
  if (xd > h) xd = h;  // rounding can reach past h when |l| >> range
  *x = xd;
  *v = (uv * 2 - 1) * vmax;
}

/// Everything of a swarm but its arrays: the size-erased core that all
/// capacities share, so firmware pays for the code once per Real type. The
/// stop rules, the incumbent, the envelope and the common saved section are
/// the family's OptCore; this class adds the swarm.
template <class Real>
class PsoCore {
 public:
  struct Arrays {      // views into the owning Pso's storage
    Real* x;           // [particles][stride] positions
    Real* v;           // velocities
    Real* m;           // EMPSO momenta
    Real* pbest;       // personal best positions
    Real* pbest_f;     // [particles] personal best costs (+inf = none yet)
    Real* gbest;       // [stride] the incumbent (best position so far)
    Real* lo; Real* hi; Real* vmax;  // [stride]
    Real* cost;        // [particles] costs told in a batch (NaN = not yet)
    int32_t* nb;       // [particles] neighbourhood best of each particle (local topologies)
    int stride;        // MaxDims
    int max_dims, max_particles;
  };
  using Base = OptCore<Real>;
  /// The swarm's draw stream (key word 2, "PSO1"; see detail::swarm_key).
  static constexpr uint32_t kStream = 0x50534F31u;
  using Feasible = typename Base::Feasible;
  static constexpr int kMaxFeasibleTries = Base::kMaxFeasibleTries;

  /// The optional parts of a move, reached through pointers that only a
  /// config that uses them installs: firmware whose config is a constant
  /// (Pso::init is inline) links neither the local topologies' nor Fips's
  /// code unless it asks for them (about 0.9 KB on Cortex-M4).
  struct Hooks {
    void (*local)(PsoCore&, const Arrays&, SwarmStep<Real>&) noexcept;  // neighbourhood bests
    void (*fips)(PsoCore&, const Arrays&, const SwarmStep<Real>&) noexcept;
    void (*restart)(PsoCore&, const Arrays&) noexcept;      // re-seed the swarm
  };
#if defined(__GNUC__)
  __attribute__((always_inline))  // folded where the config is a constant
#endif
  static Hooks hooks_for(const PsoConfig& c) noexcept {
    return {c.topology != Topology::Global ? &local_thunk : nullptr,
            c.variant == Variant::Fips ? &fips_thunk : nullptr,
            c.restart_stall > 0 ? &restart_thunk : nullptr};
  }

  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int particles,
              const PsoConfig& cfg, uint64_t seed, Hooks hooks, bool cfg_valid) noexcept;
  const Real* ask(const Arrays& a) noexcept;
  Status tell(const Arrays& a, Real cost) noexcept;
  int ask_batch(const Arrays& a, const Real** xs, int cap) noexcept;
  Status tell_batch(const Arrays& a, int k, Real cost) noexcept;
  int batch_size() const noexcept { return batch_n_; }

  Status set_feasible(Feasible pred, void* ctx, int max_tries) noexcept {
    return base_.set_feasible(pred, ctx, max_tries);
  }
  Status set_trust_radius(float fraction) noexcept { return base_.set_trust_radius(fraction); }
  Status set_start(const Arrays& a, const Real* x) noexcept;
  long infeasible_count() const noexcept { return base_.infeasible_count(); }
  long fallback_count() const noexcept { return base_.fallback_count(); }
  float trust_radius() const noexcept { return base_.trust_radius(); }
  int max_feasible_tries() const noexcept { return base_.max_feasible_tries(); }
  bool has_start() const noexcept { return base_.has_start(); }

  /// Saved-state format (src/pso_state.cpp; layout documented in Pso::save).
  static constexpr size_t kConfigBytes = 52;
  static constexpr size_t kSwarmFixedBytes = 40;
  static constexpr size_t state_size(int dims, int particles) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kSwarmFixedBytes +
           sizeof(Real) * (4 + static_cast<size_t>(particles) * (4 * static_cast<size_t>(dims) + 2)) +
           Base::kSealBytes;
  }
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims(), particles()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// Pso::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  int particles() const noexcept { return particles_; }
  const PsoConfig& config() const noexcept { return cfg_; }
  uint64_t seed() const noexcept { return base_.seed(); }
  /// Restarts so far in this run (PsoConfig::restart_stall).
  int restarts() const noexcept { return restarts_; }
  /// Informants of particle i under the configured topology, in their
  /// order, into out (at most cap); returns how many there are (Random: the
  /// current links). For tests and plots; O(particles) for Random.
  int informants(const Arrays& a, int i, int32_t* out, int cap) const noexcept;

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.gbest}; }
  // The per-particle arrays of a state, live or in a saved blob.
  struct SwarmCells {
    Cells<Real> x, v, m, pbest, pbest_f, cost;
  };
  // The state check (Pso::check_invariants lists what it checks): the one
  // function behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const SwarmCells& s) const noexcept;
  static SwarmCells saved_cells(const uint8_t* rows, int dims) noexcept;
  // How far below a reference best counts as progress: stall_tol·|ref|, 0
  // with stall_tol 0 or a non-finite ref (one rule for end_sweep, the
  // rehits count in tell_one and the state check).
  STARLING_ALWAYS_INLINE Real stall_margin(Real ref) const noexcept {
    // One test instead of two (flash): stall_tol <= 1 keeps the product
    // finite for a finite ref; a non-finite ref gives +inf or NaN (0·inf),
    // and stall_tol 0 gives ±0, which compares as 0 does.
    const Real m = static_cast<Real>(cfg_.stall_tol) * std::fabs(ref);
    return m < std::numeric_limits<Real>::infinity() ? m : Real(0);
  }
  STARLING_ALWAYS_INLINE Status tell_one(const Arrays& a, Real f) noexcept;
  STARLING_ALWAYS_INLINE void end_sweep(const Arrays& a) noexcept;
  void move(const Arrays& a) noexcept;
  STARLING_ALWAYS_INLINE void local_search(const Arrays& a, uint32_t t) noexcept;
  void move_fips(const Arrays& a, const SwarmStep<Real>& s) noexcept;
  // One copy for init, restart (radius 0: the whole box) and the local
  // probe (tag kTagLocal): each costs a call, not a copy of the placement
  // (flash).
  void seed_particles(const Arrays& a, uint32_t tag, uint32_t iteration, Real radius) noexcept;
  void neighbourhoods(const Arrays& a, SwarmStep<Real>& s) noexcept;
  STARLING_ALWAYS_INLINE const Real* social(const Arrays& a) const noexcept;
  int ring_radius() const noexcept;
  static void local_thunk(PsoCore& c, const Arrays& a, SwarmStep<Real>& s) noexcept {
    c.neighbourhoods(a, s);
  }
  static void fips_thunk(PsoCore& c, const Arrays& a, const SwarmStep<Real>& s) noexcept {
    c.move_fips(a, s);
  }
  // Re-seeds the swarm (restarts); defined in src/pso.cpp, so that the
  // restart is one function, not a thunk and a call (flash).
  static void restart_thunk(PsoCore& c, const Arrays& a) noexcept;

  // Every member starts as zero bits (init() sets the real values), so a
  // static Pso is constant-initialized into .bss: no start-up code, no
  // initializer image in flash.
  Base base_;
  PsoConfig cfg_{Variant::Inertia, 0.f, 0.f, 0.f, 0.f, 0.f, Boundary::Clamp, Topology::Global,
                 0, 0, 0.f, 0, 0.f, false, false, 0, 0, 0.f, 0.f, 0, 0};
  Real beta_pow_ = 0;         // beta^t for the bias correction (1 after init)
  Real swarm_start_best_ = 0; // the swarm's best at its last improvement (restarts, Random)
  Real ls_rho_ = 0;           // local search: the probe's half-width, a fraction of the box
  Real ls_ref_ = 0;           // local search: the swarm's best when the probe was placed
  int ls_tau_ = 0;            // local search: the particle probed at the last move (−1: none)
  int ls_fails_ = 0;          // local search: probes in a row that did not beat ls_ref_
  int particles_ = 0;
  int batch_n_ = 0;           // candidates of the open batch (0: none)
  int batch_told_ = 0;
  int cursor_ = 0;            // particle to hand out next in this sweep
  int restarts_ = 0;
  uint32_t link_epoch_ = 0;   // Topology::Random: how often the links were re-drawn
  int sbest_ = 0;             // the swarm's best particle since the last restart (−1: none)
  int swarm_stall_ = 0;       // sweeps without improving the swarm's best
  int rehits_ = 0;            // tells near the swarm's best since it improved (<= restart_rehits)
  Hooks hooks_{nullptr, nullptr, nullptr};
};

extern template class PsoCore<float>;
extern template class PsoCore<double>;

/// The swarm size init() uses: `particles`, or for 0 the default for `dims`
/// capped at the capacity (computed in the caller, where it folds).
constexpr int pso_default_particles(int dims) noexcept;
constexpr int pso_particles(int particles, int dims, int max_particles) noexcept {
  return particles != 0 || dims < 1 ? particles
         : pso_default_particles(dims) < max_particles ? pso_default_particles(dims)
                                                        : max_particles;
}

/// The default swarm size for `dims` dimensions (init with particles = 0).
constexpr int pso_default_particles(int dims) noexcept {
  // 10 + 2·√D rounded down (SPSO-2007's rule), computed in integers.
  int r = 0;
  while ((r + 1) * (r + 1) <= 4 * dims) ++r;  // floor(√(4D)) = floor(2√D)
  return 10 + r;
}

}  // namespace detail

/// A particle swarm with room for MaxDims dimensions and MaxParticles
/// particles, all in the object (no heap; place it in static memory on a
/// microcontroller).
///
/// Memory: sizeof(Pso) = sizeof(Real)·(4·MaxParticles·MaxDims + 2·MaxParticles
/// + 4·MaxDims) + 4·MaxParticles + sizeof(detail::PsoCore<Real>): positions,
/// velocities, momenta and personal bests per particle, the personal best
/// costs and the batch costs, the incumbent, bounds and velocity limits per
/// dimension, one neighbourhood index per particle, and the core (config,
/// counters, key, safe-tuning settings), whose size tests/core/test_pso.cpp
/// checks: 312 bytes for float on x86-64 (at most STARLING_PSO_CORE_BYTES =
/// 312 of the C API). E.g. float, D = 8, N = 16: 2,680 bytes in all on
/// x86-64. The optional start point lives in the
/// incumbent's array, so safe tuning adds no per-dimension storage.
///
/// Time: ask() and tell() are O(1) except the tell() that ends a sweep, which
/// moves the swarm in O(particles·dims), plus O(particles·informants) for the
/// local topologies and O(particles·informants·dims) draws for Fips.
///
/// Determinism: with the same seed, config and costs, the sequence of asked
/// positions is the same on every target (-ffp-contract=off, counter-based
/// random numbers; see detail/swarm_kernel.hpp for the operation order).
///
/// The shared members (OptimizerFacade, BatchFacade): a generation is a
/// sweep (every particle told once; the tell() that completes it moves the
/// swarm); set_start() replaces particle 0's random initial position.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 of every optimizer (listed in
/// detail/opt_core.hpp: stop rules and stop reason agree with the
/// counters, the incumbent's value never NaN or −inf, boxes valid, the
/// incumbent in the box and, before any evaluation, the start or lo, the
/// clip radius set exactly while candidates are outstanding), and the
/// swarm's (N particles, the cursor c = the particle asked next):
///  P1  the config passes validate(), Ring neighbors < N, its stop rules
///      are the common section's; N >= 2.
///  P2  every velocity limit v_max·(hi − lo) is a normal number (init's rule).
///  P3  0 <= c < N; evaluations = iteration·N + c, plus 1 after a stop by
///      Target or MaxEvals (the tell that stops does not advance c); c = 0
///      after any other stop.
///  P4  every position and personal best finite and inside the box; every
///      |v| <= v_max·(hi − lo); every momentum finite, and 0 unless EMPSO
///      has moved the swarm since it was (re)seeded.
///  P5  personal best costs never NaN and >= the best value; at iteration
///      0 a particle not yet told has +inf, and one told a finite cost has
///      its personal best where it was told (its position).
///  P6  the swarm's best particle is −1 exactly while nothing was told
///      since the swarm was (re)seeded (then c = 0, every personal best
///      cost +inf, swarm stall 0, the swarm's reference best +inf, and
///      without restarts nothing evaluated); otherwise it holds the least
///      personal best cost, no more than the reference (the swarm's best
///      when it last improved); at a sweep boundary it is the reference if
///      that sweep improved (swarm stall 0), else not below the reference
///      by more than stall_tol·|reference|. The reference is +inf at
///      iteration 0.
///  P7  without restarts, the least personal best cost is the best value
///      and, when finite, some particle's personal best is the incumbent
///      with that cost; while every cost told was NaN or ±inf, the
///      incumbent is the first point told, particle 0's position at
///      iteration 0. (A restart forgets the personal bests: then the
///      incumbent is only known to be in the box and <= every cost.)
///  P8  a start point with nothing evaluated is particle 0's position
///      and personal best, and the incumbent's array.
///  P9  a pending ask: running, no batch, particle c a possible candidate;
///      an open batch: running, no pending ask, n <= N − c and <= the
///      evaluations max_evals leaves, 0 <= told < n with exactly `told`
///      of its costs not NaN, each candidate possible. A possible
///      candidate is in the box and in the trust box of the clip radius
///      around the incumbent (see OptCore::candidate). No cost is −inf,
///      and every cost outside the open batch is NaN.
///  P10 restarts: none without restart_stall; restarts·restart_stall +
///      swarm stall <= iteration; 0 <= re-finds <= restart_rehits, and 0
///      while nothing was told since the swarm was (re)seeded and at a
///      sweep boundary whose sweep improved the swarm's best. Without
///      restart_rehits, swarm stall < restart_stall while running (<= once
///      stopped); with it, at a sweep boundary while running, swarm stall
///      >= restart_stall only with fewer re-finds than restart_rehits.
///      With stall_tol 0 the swarm stall is <= the stall count, and
///      without restarts the swarm's stall and
///      reference are the optimizer's stall and best at the sweep's start;
///      with stall_tol > 0 and no restarts the swarm stall is >= the stall
///      count.
///  P11 link epoch 0 unless Topology::Random; there epoch + restarts <=
///      the sweeps that moved or restarted the swarm.
///  P12 beta^t in [0, 1]: 1 until the first move after a (re)seed, and
///      <= beta after a move without restarts.
///  P13 at iteration 0, and after a restart until the first tell, every
///      velocity is the seed's (Threefry, kTagInit / kTagRestart) and so
///      is the personal best of each particle without a finite cost
///      (particle 0 with a start: its position).
///  P14 the local search (PsoConfig::local_stall): rho in [10^-6, 0.01],
///      0 <= failures < 5, the particle probed at the last move −1 (none;
///      always at iteration 0) or a particle whose personal best cost is at
///      most the reference, the reference not NaN; without local_stall: no
///      probe, no failures, rho 0.01.
/// Not checkable from the state, so not checked: that a point passes the
/// feasibility predicate (a function pointer, not saved), and positions
/// after the first move (they follow from the whole history).
template <int MaxDims, int MaxParticles, class Real = float>
class Pso : public BatchFacade<Pso<MaxDims, MaxParticles, Real>, detail::PsoCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1, "MaxDims must be at least 1");
  static_assert(MaxParticles >= 2, "a swarm needs at least 2 particles");
  static_assert(static_cast<long long>(MaxDims) * MaxParticles <= (1LL << 24),
                "capacity too large");

 public:
  /// The capacities (template arguments): most dimensions and particles init() accepts.
  ///@{
  static constexpr int kMaxDims = MaxDims;
  static constexpr int kMaxParticles = MaxParticles;
  ///@}

  /// Validates and starts a run over the box [lo, hi] (each `dims` long).
  /// Draws the initial positions uniformly in the box and the velocities
  /// uniformly in [−vmax, vmax]. particles = 0 picks the default swarm size,
  /// default_particles(dims), capped at MaxParticles. Returns:
  ///   InvalidArgument: lo or hi null, dims < 1, particles 1 or negative, a
  ///     bound not finite, lo >= hi, hi − lo above max/32 (1.06e37 for
  ///     float) or below the smallest accepted range, 2^24 times the
  ///     smallest normal number (2^-102 ≈ 2.0e-31 for float, 2^-998 for
  ///     double; see detail::valid_interval), a
  ///     velocity limit v_max·(hi − lo) below the smallest normal number, a
  ///     config value out of range (validate()), Ring neighbors >= particles,
  ///     Fips with the Random topology;
  ///   CapacityExceeded: dims > MaxDims or particles > MaxParticles.
  /// On failure the optimizer is left not ready (ask() gives nullptr).
  [[nodiscard]] STARLING_ALWAYS_INLINE Status init(const Real* lo, const Real* hi, int dims, int particles,
                            const PsoConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, detail::pso_particles(particles, dims, MaxParticles),
                      cfg, seed, detail::PsoCore<Real>::hooks_for(cfg), detail::pso_config_valid(cfg));
  }

  /// The default swarm size for `dims` dimensions when init() gets
  /// particles = 0 (before the cap at MaxParticles).
  static constexpr int default_particles(int dims) noexcept { return detail::pso_default_particles(dims); }

  // ---- Safe tuning: OptimizerFacade::set_feasible --------------------------
  // The candidate handed out is what the particle's position becomes, so
  // what is told is what was asked (its velocity and momentum are kept); the
  // re-draws' counter is {try, particle, iteration}; the start point
  // replaces particle 0's random initial position.

  /// The predicate's re-draws per candidate (set_feasible's max_tries; saved).
  int max_feasible_tries() const noexcept { return core_.max_feasible_tries(); }

  // ---- Save and resume ------------------------------------------------------
  //
  // Format version 5 (earlier versions are refused: version 1 would not
  // continue bit for bit, version 2 lacks the topology and restart state,
  // version 3 restart_rehits and its count, version 4 the local search),
  // little-endian, floats as IEEE-754 bits (Real: 4 or 8 bytes), no padding;
  // D = dims, N = particles, R = sizeof(Real). The family's layout
  // (detail/opt_core.hpp): header, config section, common section, swarm
  // section, seal:
  //   header (16)  magic "SPSO", version u16 (5), R u8, 0 u8, D u32, N u32
  //   config (52)  variant, boundary, topology u8, flags u8 (bit 0
  //                bias_correction, bit 1 random_per_particle), w, c1, c2,
  //                beta, v_max, w_end f32, neighbors i32, restart_stall i32,
  //                restart_radius f32, stall_tol f32, restart_rehits i32,
  //                local_stall i32
  //   common (76 + R·(2 + 3·D))  stop rules, seed, state, stop reason,
  //                pending ask, start given, evaluations, iteration, stall,
  //                trust radius, the outstanding candidates' clip radius,
  //                max_tries, infeasible and fallback counts,
  //                best value, best at the sweep's start, lo[D], hi[D],
  //                best position[D] (OptCore::save_common)
  //   swarm (40 + R·(4 + N·(4·D + 2)))  cursor, swarm's best particle,
  //                swarm stall, re-finds of the swarm's best (restart_rehits),
  //                restarts, batch size, batch told (i32 each),
  //                link epoch u32, local probe's particle (−1: none) i32,
  //                local probe failures i32; beta^t, swarm's reference best
  //                (its best at its last improvement), local rho, local
  //                reference (R); per particle x[D], v[D], m[D], pbest[D],
  //                pbest cost, batch cost (NaN: not told)
  //   seal (8)     reserved u32 (0), CRC-32/IEEE of every byte before it
  // Size: save_size() = 192 + R·(6 + 3·D + N·(4·D + 2)) bytes; e.g. float,
  // D = 8, N = 16: 2,488 bytes. The velocity limits are recomputed
  // (v_max·range) and the neighbourhoods re-derived.

  /// Bytes save() can ever write for this capacity (a constant for sizing a
  /// flash page or a static buffer).
  static constexpr size_t kMaxSaveSize = detail::PsoCore<Real>::state_size(MaxDims, MaxParticles);

  /// The particles given to init() (after the default was filled in).
  int particles() const noexcept { return core_.particles(); }
  /// Particle i's position (read-only; for plots and tests). i < particles().
  const Real* position(int i) const noexcept { return x_[i]; }
  /// Particle i's best position and cost.
  ///@{
  const Real* personal_best(int i) const noexcept { return pbest_[i]; }
  Real personal_best_value(int i) const noexcept { return pbest_f_[i]; }
  ///@}
  /// Restarts so far in this run (PsoConfig::restart_stall).
  int restarts() const noexcept { return core_.restarts(); }
  /// Particle i's informants under the configured topology in tie order
  /// (itself first; Global: 0 .. N−1) into out (at most cap entries);
  /// returns how many there are (0 if i is not a particle).
  int informants(int i, int32_t* out, int cap) const noexcept {
    return core_.informants(const_cast<Pso*>(this)->arrays(), i, out, cap);
  }

 private:
  friend class OptimizerFacade<Pso<MaxDims, MaxParticles, Real>, detail::PsoCore<Real>, Real>;
  typename detail::PsoCore<Real>::Arrays arrays() noexcept {
    return {&x_[0][0], &v_[0][0], &m_[0][0], &pbest_[0][0], pbest_f_, best_,
            lo_, hi_, vmax_, cost_, nb_, MaxDims, MaxDims, MaxParticles};
  }

  // Zero-initialized so that the default constructor is constexpr: a static
  // Pso is then constant-initialized into .bss, with no start-up code.
  Real x_[MaxParticles][MaxDims]{};
  Real v_[MaxParticles][MaxDims]{};
  Real m_[MaxParticles][MaxDims]{};
  Real pbest_[MaxParticles][MaxDims]{};
  Real pbest_f_[MaxParticles]{};
  Real best_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{}, vmax_[MaxDims]{};
  Real cost_[MaxParticles]{};
  int32_t nb_[MaxParticles]{};
  detail::PsoCore<Real> core_;
};

}  // namespace starling
