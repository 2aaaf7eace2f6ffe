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
#include <limits>
#include <type_traits>

#include "starling/detail/swarm_kernel.hpp"
#include "starling/status.hpp"

namespace starling {

/// Velocity rule. See PsoConfig for each one's parameters and sources.
enum class Variant : int {
  Inertia,       ///< v = w(t)·v + c1·r1·(p−x) + c2·r2·(g−x); w(t) linear from w to w_end
  Constriction,  ///< Clerc–Kennedy constriction in its inertia form: w = χ, c = χ·φ/2
  Empso,         ///< exponentially weighted momentum PSO (AdaSwarm, Mohapatra et al.)
};
/// What happens to a coordinate that leaves the box after x += v.
enum class Boundary : int {
  Clamp,    ///< put it on the violated bound and zero that velocity component
  Reflect,  ///< mirror it at the bound and negate that velocity component
  Random,   ///< re-draw it uniformly inside [lo, hi] and zero that velocity component
};
/// Which best position attracts a particle (the "social" term).
enum class Topology : int {
  Global,  ///< the best of the whole swarm (gbest)
  Ring,    ///< the best of particles i−1, i, i+1 (index ring, lbest)
};
/// Why the optimizer stopped. Infeasible: a feasibility predicate is
/// installed, no start point was given and none of the first candidate's
/// draws was feasible (see Pso::set_feasible), so there was nothing safe to
/// hand out.
enum class StopReason : int { None = 0, MaxIter, MaxEvals, Target, Stall, Infeasible };

/// Settings. A default-constructed PsoConfig is a sound general choice:
/// constriction, global topology, clamping, v_max 0.5, 100 iterations.
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
  float c1 = 1.49618f, c2 = 1.49618f;
  /// EMPSO momentum decay β, 0.9 as in the AdaSwarm paper. Range [0, 1).
  float beta = 0.9f;
  /// Velocity limit as a fraction of each range (hi − lo). Range (0, 1].
  /// 0.5 is the common half-range choice (e.g. pyswarms' and SPSO's clamps).
  float v_max = 0.5f;
  Boundary boundary = Boundary::Clamp;
  Topology topology = Topology::Global;
  /// Sweeps of the swarm (each evaluates every particle once). >= 1.
  int max_iter = 100;
  /// Stop after this many evaluations, also mid-sweep. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN is invalid.
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

  /// The default: Clerc–Kennedy constriction (w = 0.7298, c1 = c2 = 1.49618).
  static PsoConfig constriction() noexcept { return PsoConfig{}; }
  /// Linearly decreasing inertia 0.9 → 0.4 with c1 = c2 = 2 (Shi & Eberhart,
  /// "Empirical study of particle swarm optimization", CEC 1999).
  static PsoConfig inertia() noexcept {
    PsoConfig c;
    c.variant = Variant::Inertia;
    c.w = 0.9f;
    c.w_end = 0.4f;
    c.c1 = c.c2 = 2.0f;
    return c;
  }
  /// EMPSO with β = 0.9 (AdaSwarm) and c1 = c2 = 2, the original PSO
  /// coefficients (Kennedy & Eberhart 1995). Why not 1.49618: with EMPSO's
  /// recursion a particle's distance e to a fixed attractor follows
  /// e(t+1) = (2 − φ)·e(t) + (βφ − 1)·e(t−1), φ = c1·r1 + c2·r2. For
  /// c = 1.49618 (mean φ ≈ 1.5) the dominant root is about +0.89, so
  /// particles creep onto the attractor from one side and the swarm stalls
  /// (median 5·10³ on 30-D Sphere with 40k evaluations); with c = 2 (mean
  /// φ = 2) the roots are ±√(2β − 1) ≈ ±0.89: particles overshoot the
  /// attractor each step, a damped oscillation that keeps exploring, as
  /// constriction PSO does.
  static PsoConfig empso() noexcept {
    PsoConfig c;
    c.variant = Variant::Empso;
    c.c1 = c.c2 = 2.0f;
    return c;
  }
};

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const PsoConfig& cfg) noexcept;

namespace detail {

/// Everything of a swarm but its arrays: the size-erased core that all
/// capacities share, so firmware pays for the code once per Real type.
template <class Real>
class PsoCore {
 public:
  struct Arrays {      // views into the owning Pso's storage
    Real* x;           // [particles][stride] positions
    Real* v;           // velocities
    Real* m;           // EMPSO momenta
    Real* pbest;       // personal best positions
    Real* pbest_f;     // [particles] personal best costs (+inf = none yet)
    Real* gbest;       // [stride] best position so far
    Real* lo; Real* hi; Real* vmax;  // [stride]
    int stride;        // MaxDims
    int max_dims, max_particles;
  };

  /// Feasibility predicate: true when x (dims values) is safe to evaluate.
  using Feasible = bool (*)(const Real* x, int dims, void* ctx);
  /// Upper limit of the re-draws per candidate (set_feasible's max_tries).
  static constexpr int kMaxFeasibleTries = 64;

  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int particles,
              const PsoConfig& cfg, uint64_t seed) noexcept;
  const Real* ask(const Arrays& a) noexcept;
  Status tell(const Arrays& a, Real cost) noexcept;

  Status set_feasible(Feasible pred, void* ctx, int max_tries) noexcept;
  Status set_trust_radius(float fraction) noexcept;
  Status set_start(const Arrays& a, const Real* x) noexcept;
  long infeasible_count() const noexcept { return infeasible_; }
  long fallback_count() const noexcept { return fallback_; }
  float trust_radius() const noexcept { return trust_; }
  int max_feasible_tries() const noexcept { return max_tries_; }
  bool has_start() const noexcept { return has_start_; }

  /// Saved-state format (src/pso_state.cpp; layout documented in Pso::save).
  static constexpr size_t state_size(int dims, int particles) noexcept {
    return kStateFixedBytes + sizeof(Real) * (3 * static_cast<size_t>(dims) + 3 +
                                              static_cast<size_t>(particles) *
                                                  (4 * static_cast<size_t>(dims) + 1));
  }
  static constexpr size_t kStateFixedBytes = 128;
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;

  bool done() const noexcept { return state_ != State::Running; }
  bool ready() const noexcept { return state_ != State::Uninit; }
  StopReason stop_reason() const noexcept { return stop_; }
  Real best_value() const noexcept { return state_ == State::Uninit && evals_ == 0 ? std::numeric_limits<Real>::infinity() : gbest_f_; }
  bool has_best() const noexcept { return evals_ > 0; }
  long evaluations() const noexcept { return evals_; }
  int iteration() const noexcept { return iter_; }
  int dims() const noexcept { return dims_; }
  int particles() const noexcept { return particles_; }
  const PsoConfig& config() const noexcept { return cfg_; }
  uint64_t seed() const noexcept { return seed_; }

 private:
  enum class State : uint8_t { Uninit, Running, Stopped };
  void end_sweep(const Arrays& a) noexcept;
  void move(const Arrays& a) noexcept;
  void stop(StopReason r) noexcept { state_ = State::Stopped; stop_ = r; }
  bool make_safe(const Arrays& a, Real* x) noexcept;
  // ask() reaches the safe-tuning filters through this pointer, set only by
  // set_feasible / set_trust_radius / load when a filter is on: firmware that
  // never enables safe tuning does not link the filters (about 0.6 KB).
  static bool safe_thunk(PsoCore& c, const Arrays& a, Real* x) noexcept { return c.make_safe(a, x); }
  void update_safe_hook() noexcept { safe_ = feasible_ != nullptr || trust_ > 0 ? &safe_thunk : nullptr; }

  // Every member starts as zero bits (init() sets the real values), so a
  // static Pso is constant-initialized into .bss: no start-up code, no
  // initializer image in flash.
  PsoConfig cfg_{Variant::Inertia, 0.f, 0.f, 0.f, 0.f, 0.f, Boundary::Clamp, Topology::Global,
                 0, 0, 0.f, 0, 0.f, false, false};
  uint64_t seed_ = 0;
  uint32_t key_[4] = {0, 0, 0, 0};
  long evals_ = 0;
  Real gbest_f_ = 0;          // +inf from init() until a finite cost is told
  Real beta_pow_ = 0;         // beta^t for the bias correction (1 after init)
  Real sweep_start_best_ = 0;
  int dims_ = 0, particles_ = 0;
  int iter_ = 0;              // completed sweeps
  int cursor_ = 0;            // particle to hand out next in this sweep
  int stall_ = 0;             // sweeps without improvement
  State state_ = State::Uninit;
  StopReason stop_ = StopReason::None;
  bool pending_ = false;      // asked, not yet told
  bool has_start_ = false;    // set_start() given for this run (stored in gbest)
  // Safe tuning (settings survive init(); counters are per run).
  Feasible feasible_ = nullptr;
  bool (*safe_)(PsoCore&, const Arrays&, Real*) noexcept = nullptr;
  void* feasible_ctx_ = nullptr;
  float trust_ = 0;           // trust radius as a fraction of each range, 0 = off
  int max_tries_ = 0;         // re-draws of an infeasible candidate (set_feasible)
  long infeasible_ = 0;       // candidates the predicate rejected
  long fallback_ = 0;         // asks that handed out the incumbent instead
};

/// A valid search interval: finite bounds, lo < hi, and hi − lo at most
/// max/32. The bound keeps every term of the velocity update finite: with
/// c1, c2 <= 10, |w| <= 1 and |v| <= v_max·range <= range, the new velocity
/// is at most 21·range before its clamp, so no term overflows to ±inf and no
/// inf − inf makes a NaN position (about 1.06e37 for float).
template <class Real>
inline bool valid_interval(Real lo, Real hi) noexcept {
  constexpr Real kMaxRange = std::numeric_limits<Real>::max() / 32;
  return std::isfinite(lo) && std::isfinite(hi) && lo < hi && hi - lo <= kMaxRange;
}

extern template class PsoCore<float>;
extern template class PsoCore<double>;

}  // namespace detail

/// A particle swarm with room for MaxDims dimensions and MaxParticles
/// particles, all in the object (no heap; place it in static memory on a
/// microcontroller).
///
/// Memory: sizeof(Pso) = sizeof(Real)·(4·MaxParticles·MaxDims + MaxParticles
/// + 4·MaxDims) + sizeof(detail::PsoCore<Real>): positions, velocities,
/// momenta and personal bests per particle, the personal best costs, and
/// the global best, bounds and velocity limits per dimension. The core (the
/// config, counters, key and the safe-tuning settings) is 192 bytes on x86-64
/// for float (checked in tests/core/test_pso.cpp; at most
/// STARLING_PSO_CORE_BYTES = 192 for the C API). E.g. float, D = 8, N = 16:
/// 2,432 bytes in all. The optional start point lives in the global-best
/// array, so safe tuning adds no per-dimension storage.
///
/// Time: ask() and tell() are O(1) except the tell() that ends a sweep, which
/// moves the swarm in O(particles·dims) (plus O(particles) for Ring).
///
/// Determinism: with the same seed, config and costs, the sequence of asked
/// positions is the same on every target (-ffp-contract=off, counter-based
/// random numbers; see detail/swarm_kernel.hpp for the operation order).
template <int MaxDims, int MaxParticles, class Real = float>
class Pso {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1, "MaxDims must be at least 1");
  static_assert(MaxParticles >= 2, "a swarm needs at least 2 particles");
  static_assert(static_cast<long long>(MaxDims) * MaxParticles <= (1LL << 24),
                "capacity too large");

 public:
  static constexpr int kMaxDims = MaxDims;
  static constexpr int kMaxParticles = MaxParticles;

  /// Validates and starts a run over the box [lo, hi] (each `dims` long).
  /// Draws the initial positions uniformly in the box and the velocities
  /// uniformly in [−vmax, vmax]. Returns:
  ///   InvalidArgument: lo or hi null, dims < 1, particles < 2, a bound not
  ///     finite, lo >= hi, hi − lo above max/32 (1.06e37 for float; see
  ///     detail::valid_interval), a config value out of range;
  ///   CapacityExceeded: dims > MaxDims or particles > MaxParticles.
  /// On failure the optimizer is left not ready (ask() gives nullptr).
  [[nodiscard]] Status init(const Real* lo, const Real* hi, int dims, int particles,
                            const PsoConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, particles, cfg, seed);
  }

  /// The next position to evaluate (dims values, inside [lo, hi] always), or
  /// nullptr when done() or not initialized. Asking again before tell()
  /// returns the same candidate. The pointer stays valid until the next tell().
  /// With safe tuning on (set_feasible, set_trust_radius) the candidate has
  /// passed the filters described there; O(dims·(max_tries + 1)) then, plus
  /// the predicate's calls.
  const Real* ask() noexcept { return core_.ask(arrays()); }

  /// Scores the position last asked. NaN and ±inf count as the worst cost
  /// and never become a best. The tell() that completes a sweep moves the
  /// swarm. Returns NotReady without a pending ask() (or before init), Done
  /// after the optimizer stopped, Ok otherwise.
  [[nodiscard]] Status tell(Real cost) noexcept { return core_.tell(arrays(), cost); }

  /// Loops ask → cost(x, dims) → tell until done(). F: Real(const Real*, int).
  /// Returns NotReady if not initialized, Ok when it ran to a stop.
  template <class F>
  Status minimize(F&& cost) noexcept {
    return minimize(static_cast<F&&>(cost), [](Real, long, int) {});
  }
  /// The same with an observer called after every completed sweep with
  /// (best value, evaluations, iteration): progress output, logging.
  template <class F, class Observer>
  Status minimize(F&& cost, Observer&& observer) noexcept {
    if (!core_.ready()) return Status::NotReady;
    // The array pointers (fixed by this object's address) built once, not
    // on every ask and tell.
    const auto a = arrays();
    while (const Real* x = core_.ask(a)) {
      const int before = core_.iteration();
      (void)core_.tell(a, cost(x, core_.dims()));  // cannot fail: a candidate is pending
      if (core_.iteration() != before) observer(best_value(), evaluations(), iteration());
    }
    return Status::Ok;
  }

  // ---- Safe tuning (for evaluations that drive real hardware) -------------
  //
  // Every candidate ask() hands out goes through two optional filters, in
  // this order, the first time it is asked (the repeat of a pending ask
  // returns it unchanged); the candidate handed out is what the particle's
  // position becomes, so what is told is what was asked (its velocity and
  // momentum are kept):
  //  1. Trust radius r: each coordinate is clipped to
  //     [max(lo, c − r·(hi − lo)), min(hi, c + r·(hi − lo))] around the
  //     centre c = the incumbent best_position(), or, before the first tell,
  //     the start point (set_start); without either, the very first candidate
  //     of a run is not clipped (give a start point for a fully bounded run).
  //  2. Feasibility predicate: if pred(x) is false the candidate is re-drawn
  //     up to max_tries times, deterministically (counter-based, tag
  //     kTagFeasible, counter {try, particle, iteration}): try k replaces x by
  //     c + u·(x − c), u uniform in [0, 1) — a random point on the segment
  //     from the centre to the last rejected point, so the tries contract
  //     towards the known-safe point and stay inside the trust box (clipped
  //     again against rounding). If every try is rejected the centre itself
  //     is handed out (a fallback). Before any point is known (no tell, no
  //     start) the tries are uniform in [lo, hi] (counter {dim pair, try,
  //     0xFFFFFFFF}); if all are rejected nothing safe exists and the
  //     optimizer stops with StopReason::Infeasible (ask() gives nullptr).
  // The start point and the incumbent are trusted: they are handed out
  // without calling the predicate (the incumbent passed it when it was
  // asked, and the caller vouches for the start point). Hence
  // best_position() is always a point that was evaluated and feasible,
  // provided the predicate was installed before the first ask().
  // With neither filter the trajectory is exactly that of a plain run.

  /// Feasibility predicate type: true when x (dims values) is safe.
  using Feasible = typename detail::PsoCore<Real>::Feasible;
  /// Installs (or with pred null, removes) the predicate; ctx is passed to
  /// it untouched. max_tries: re-draws of a rejected candidate, 0 .. 64
  /// (0 = straight to the incumbent). May be called any time, also before
  /// init(); init() and load() keep it (it is not saved: re-install it after
  /// a reset). Each ask() calls pred at most max_tries + 1 times.
  /// Returns InvalidArgument if max_tries is out of range (nothing changed).
  [[nodiscard]] Status set_feasible(Feasible pred, void* ctx = nullptr, int max_tries = 8) noexcept {
    return core_.set_feasible(pred, ctx, max_tries);
  }
  /// Trust radius as a fraction of each range, (0, 1]; 0 turns it off
  /// (the default). Any time; init() keeps it; it is saved. Returns
  /// InvalidArgument if not finite or outside [0, 1] (nothing changed).
  [[nodiscard]] Status set_trust_radius(float fraction) noexcept {
    return core_.set_trust_radius(fraction);
  }
  /// A known-safe start point (dims values inside [lo, hi]), handed out as
  /// is by the first ask() of the run (it replaces particle 0's random
  /// initial position) and the trust centre and fallback until the first
  /// tell. Call after init() and before the first ask(). Returns NotReady
  /// otherwise, InvalidArgument if x is null, not finite or outside the box.
  [[nodiscard]] Status set_start(const Real* x) noexcept { return core_.set_start(arrays(), x); }
  /// Candidates rejected by the predicate in this run (swarm proposals and
  /// re-draws alike).
  long infeasible_count() const noexcept { return core_.infeasible_count(); }
  /// Asks in this run that handed out the incumbent (or start) because
  /// every re-draw was rejected.
  long fallback_count() const noexcept { return core_.fallback_count(); }
  float trust_radius() const noexcept { return core_.trust_radius(); }

  // ---- Save and resume ------------------------------------------------------
  //
  // save() writes the whole state of the run; load() into any Pso with the
  // same Real and enough capacity continues it bit for bit (the same asks for
  // the same costs), on any target. The feasibility predicate is a pointer
  // and is not saved: the loading object keeps its own (re-install it).
  // Format version 2 (version 1 states, from before the 16-bit move draws,
  // are refused: they would not continue bit for bit), little-endian, floats as IEEE-754 bits (Real: 4 or 8
  // bytes), no padding; D = dims, N = particles, R = sizeof(Real):
  //   off  size
  //     0   4   magic "SPSO"
  //     4   2   version (2)
  //     6   1   R (4 float, 8 double)
  //     7   1   reserved, 0
  //     8   4   D (u32)          12  4  N (u32)
  //    16   4   variant, boundary, topology (u8 each), flags (u8: bit 0
  //             bias_correction, bit 1 random_per_particle, others 0)
  //    20  28   w, c1, c2, beta, v_max, w_end, target (f32 each)
  //    48  16   max_iter (i32), max_evals (i64), stall_iter (i32)
  //    64   8   seed (u64; the generator's key is derived from it)
  //    72   4   state (u8: 1 running, 2 stopped), stop reason (u8),
  //             pending ask (u8 0/1), start point given (u8 0/1)
  //    76  20   evaluations (i64), iteration, cursor, stall (i32 each)
  //    96   4   trust radius (f32)      100  4  max_tries (i32)
  //   104  16   infeasible count, fallback count (i64 each)
  //   120   —   Real: best value, beta^t, best at the sweep's start (3 R)
  //             Real: lo[D], hi[D], best position[D] (3·D·R)
  //             per particle: x[D], v[D], m[D], pbest[D], pbest cost (N·(4D+1)·R)
  //   end−8 4   reserved u32, 0 (for future flags)
  //   end−4 4   CRC-32/IEEE (starling::crc32) of every byte before it
  // Size: save_size() = 128 + R·(3 + 3·D + N·(4·D + 1)) bytes; e.g. float,
  // D = 8, N = 16: 2,316 bytes. The velocity limits are recomputed (v_max·range).

  /// Bytes save() writes for the current run (0 before init).
  size_t save_size() const noexcept {
    return core_.ready() ? detail::PsoCore<Real>::state_size(core_.dims(), core_.particles()) : 0;
  }
  /// Bytes save() can ever write for this capacity (a constant for sizing a
  /// flash page or a static buffer).
  static constexpr size_t kMaxSaveSize = detail::PsoCore<Real>::state_size(MaxDims, MaxParticles);

  /// Writes the state to buf (cap bytes) and the size to *written (may be
  /// null). Time O(N·D). Returns NotReady before init, InvalidArgument if buf
  /// is null, CapacityExceeded if cap < save_size() (nothing written), Ok.
  [[nodiscard]] Status save(uint8_t* buf, size_t cap, size_t* written) const noexcept {
    return core_.save(const_cast<Pso*>(this)->arrays(), buf, cap, written);
  }
  /// Replaces this optimizer's state by a saved one (exactly `size` bytes).
  /// Returns Corrupt when anything is wrong: magic, version, Real size,
  /// length, CRC, a config value (validate()), an enum or flag, a count or
  /// counter (cursor < particles, evaluations consistent with the sweep and
  /// cursor, ...), a bound (finite, lo < hi, range <= max/32), a position
  /// outside its bounds, a non-finite value, |v| > v_max·range;
  /// CapacityExceeded when a valid state has more dims or particles than
  /// this Pso holds; InvalidArgument if buf is null. On failure nothing is
  /// changed. Time O(size).
  [[nodiscard]] Status load(const uint8_t* buf, size_t size) noexcept {
    return core_.load(arrays(), buf, size);
  }

  /// True once a stop criterion was met (and before a successful init).
  bool done() const noexcept { return core_.done(); }
  StopReason stop_reason() const noexcept { return core_.stop_reason(); }
  /// Best evaluated position, or nullptr before the first tell(). Always a
  /// point that was asked and told (the first one told if all costs were NaN),
  /// hence feasible when a predicate is installed (see set_feasible).
  const Real* best_position() const noexcept { return core_.has_best() ? gbest_ : nullptr; }
  /// Best cost told so far; +inf before the first finite cost.
  Real best_value() const noexcept { return core_.best_value(); }
  long evaluations() const noexcept { return core_.evaluations(); }
  /// Completed sweeps.
  int iteration() const noexcept { return core_.iteration(); }
  int dims() const noexcept { return core_.dims(); }
  int particles() const noexcept { return core_.particles(); }
  const PsoConfig& config() const noexcept { return core_.config(); }
  /// Particle i's position (read-only; for plots and tests). i < particles().
  const Real* position(int i) const noexcept { return x_[i]; }
  /// Particle i's best position and cost.
  const Real* personal_best(int i) const noexcept { return pbest_[i]; }
  Real personal_best_value(int i) const noexcept { return pbest_f_[i]; }

 private:
  typename detail::PsoCore<Real>::Arrays arrays() noexcept {
    return {&x_[0][0], &v_[0][0], &m_[0][0], &pbest_[0][0], pbest_f_, gbest_,
            lo_, hi_, vmax_, MaxDims, MaxDims, MaxParticles};
  }

  // Zero-initialized so that the default constructor is constexpr: a static
  // Pso is then constant-initialized into .bss, with no start-up code.
  Real x_[MaxParticles][MaxDims]{};
  Real v_[MaxParticles][MaxDims]{};
  Real m_[MaxParticles][MaxDims]{};
  Real pbest_[MaxParticles][MaxDims]{};
  Real pbest_f_[MaxParticles]{};
  Real gbest_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{}, vmax_[MaxDims]{};
  detail::PsoCore<Real> core_;
};

}  // namespace starling
