// starling/pso.hpp: particle swarm optimization (classic PSO and EMPSO) in a
// fixed block of memory, driven by ask/tell.
//
//   starling::Pso<8, 16> pso;                       // D <= 8, N <= 16, float
//   if (pso.init(lo, hi, 3, 12, starling::PsoConfig{}, 42) != starling::Status::Ok) ...
//   while (const float* x = pso.ask()) { float cost = run_episode(x); pso.tell(cost); }
//   use(pso.best_position(), pso.best_value());
#pragma once
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
/// Why the optimizer stopped.
enum class StopReason : int { None = 0, MaxIter, MaxEvals, Target, Stall };

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

  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int particles,
              const PsoConfig& cfg, uint64_t seed) noexcept;
  const Real* ask(const Arrays& a) noexcept;
  Status tell(const Arrays& a, Real cost) noexcept;

  bool done() const noexcept { return state_ != State::Running; }
  bool ready() const noexcept { return state_ != State::Uninit; }
  StopReason stop_reason() const noexcept { return stop_; }
  Real best_value() const noexcept { return gbest_f_; }
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

  PsoConfig cfg_{};
  uint64_t seed_ = 0;
  uint32_t key_[4] = {0, 0, 0, 0};
  long evals_ = 0;
  Real gbest_f_ = std::numeric_limits<Real>::infinity();
  Real beta_pow_ = 1;         // beta^t for the bias correction
  Real sweep_start_best_ = std::numeric_limits<Real>::infinity();
  int dims_ = 0, particles_ = 0;
  int iter_ = 0;              // completed sweeps
  int cursor_ = 0;            // particle to hand out next in this sweep
  int stall_ = 0;             // sweeps without improvement
  State state_ = State::Uninit;
  StopReason stop_ = StopReason::None;
  bool pending_ = false;      // asked, not yet told
};

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
/// config, counters and key) is 144 bytes on x86-64 for float (checked in
/// tests/core/test_pso.cpp). E.g. float, D = 8, N = 16: 2,384 bytes in all.
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
  ///     finite, lo >= hi, hi − lo overflows, a config value out of range;
  ///   CapacityExceeded: dims > MaxDims or particles > MaxParticles.
  /// On failure the optimizer is left not ready (ask() gives nullptr).
  [[nodiscard]] Status init(const Real* lo, const Real* hi, int dims, int particles,
                            const PsoConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, particles, cfg, seed);
  }

  /// The next position to evaluate (dims values, inside [lo, hi] always), or
  /// nullptr when done() or not initialized. Asking again before tell()
  /// returns the same candidate. The pointer stays valid until the next tell().
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
    while (const Real* x = ask()) {
      const int before = core_.iteration();
      (void)tell(cost(x, core_.dims()));  // cannot fail: a candidate is pending
      if (core_.iteration() != before) observer(best_value(), evaluations(), iteration());
    }
    return Status::Ok;
  }

  /// True once a stop criterion was met (and before a successful init).
  bool done() const noexcept { return core_.done(); }
  StopReason stop_reason() const noexcept { return core_.stop_reason(); }
  /// Best evaluated position, or nullptr before the first tell(). Always a
  /// point that was asked and told (the first one told if all costs were NaN).
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

  Real x_[MaxParticles][MaxDims];
  Real v_[MaxParticles][MaxDims];
  Real m_[MaxParticles][MaxDims];
  Real pbest_[MaxParticles][MaxDims];
  Real pbest_f_[MaxParticles];
  Real gbest_[MaxDims];
  Real lo_[MaxDims], hi_[MaxDims], vmax_[MaxDims];
  detail::PsoCore<Real> core_;
};

}  // namespace starling
