// SPDX-License-Identifier: MIT
// starling/bobyqa.hpp: Powell's BOBYQA (bounded optimization by quadratic
// approximation), a derivative-free trust-region method for smooth costs,
// in fixed memory and driven by ask/tell like every optimizer of the family.
//
//   static starling::Bobyqa<4> opt;                  // D <= 4
//   if (opt.init(lo, hi, 3, 0, starling::BobyqaConfig{}, 1) != starling::Status::Ok) ...
//   (void)opt.set_start(x0);                          // optional: where to start
//   while (const float* x = opt.ask()) (void)opt.tell(run_episode(x));
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"
#include "starling/status.hpp"

namespace starling {

/// What Bobyqa does once the trust region has shrunk to rho_end (the run
/// itself stops only on the common stop rules).
enum class BobyqaRestart : int {
  Incumbent,  ///< rebuild the model around the best point with radius rho_begin
  Random,     ///< start afresh from a uniformly drawn point (a multistart)
};

/// Settings. A default-constructed BobyqaConfig is the recommended one.
/// Radii are fractions of each range: the method works in the unit cube
/// u = (x − lo)/(hi − lo).
struct BobyqaConfig {
  /// Initial trust radius, (0, 0.25]. Powell's rho_begin: about a tenth of
  /// the greatest expected change of a variable; NLopt's default step is a
  /// quarter of the range.
  float rho_begin = 0.2f;
  /// Final trust radius, [0, rho_begin]: the model's resolution when a run
  /// (or a restart) has converged. Radii below 2^-30 (float) or 2^-300
  /// (double) count as that floor (0 = refine as far as Real resolves, as
  /// NLopt's BOBYQA does without a tolerance); float positions resolve about
  /// 6e-8 of a value, so a radius much below 1e-6 of a range rarely helps.
  float rho_end = 1e-6f;
  /// What to do once the trust region has shrunk to rho_end; default Incumbent.
  BobyqaRestart restart = BobyqaRestart::Incumbent;
  /// Generations (one generation = one evaluation). >= 1.
  int max_iter = 1000;
  /// Stop after this many evaluations. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN is invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many evaluations without improving the best. 0 = off.
  int stall_iter = 0;
};

/// Ok if every value of `c` is in its documented range, else InvalidArgument.
[[nodiscard]] inline Status validate(const BobyqaConfig& c) noexcept {
  const bool ok = std::isfinite(c.rho_begin) && c.rho_begin > 0.f && c.rho_begin <= 0.25f &&
                  std::isfinite(c.rho_end) && c.rho_end >= 0.f &&
                  c.rho_end <= c.rho_begin &&
                  (c.restart == BobyqaRestart::Incumbent || c.restart == BobyqaRestart::Random) &&
                  detail::valid_stop_rules(detail::stop_rules_of(c));
  return ok ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

/// Powell's BOBYQA as an engine in the unit cube, without the family's
/// bookkeeping (Bobyqa adds the box, incumbent, stop rules and envelope;
/// Tuner drives the same engine for its local phase).
///
/// The model: interpolation points y_k = xbase + xpt_k (k < m, unit
/// coordinates), values fval_k, and the quadratic
///   Q(xbase + xopt + d) = fval[kopt] + gopt·d + d·(hq + Σ_k pq_k xpt_k xpt_kᵀ)·d / 2,
/// updated after each evaluation so that it interpolates every point and the
/// change of its Hessian has the least Frobenius norm (Powell, "The BOBYQA
/// algorithm for bound constrained optimization without derivatives", DAMTP
/// 2009/NA06). The steps are Powell's: a truncated conjugate gradient with
/// the bounds active and a search round the trust region's boundary
/// (TRSBOX), geometry steps that keep the points well poised (ALTMOV), and
/// his rules for the radii delta and rho. Where Powell updates a factored
/// inverse of the interpolation system, this engine inverts the
/// (m + n + 1)-square system afresh after every change of the point set
/// (Gauss–Jordan with row pivoting, O((m + n)³), in coordinates scaled by a
/// power of two so that its entries are O(1)): the same model without
/// accumulated rounding, and no RESCUE; a singular system, or denominators
/// lost to cancellation, rebuild the point set around the best point.
template <class Real>
class BobyqaEngine {
 public:
  struct Arrays {
    Real* ulo;    // [D] the box in the engine's coordinates, lo/(hi − lo)
    Real* uhi;    // [D] and hi/(hi − lo)
    Real* xbase;  // [D] model origin
    Real* xpt;    // [M][stride] points relative to xbase
    Real* fval;   // [M] values as the model sees them (failures replaced)
    Real* pq;     // [M]
    Real* gopt;   // [D]
    Real* hq;     // [D(D+1)/2]
    Real* h;      // [K][kstride] inverse of the scaled interpolation system
    Real* sl;     // [D] box relative to xbase: ulo − xbase and uhi − xbase
    Real* su;     // [D]
    Real* xopt;   // [D] best point relative to xbase
    Real* xnew;   // [D] the step's end relative to xbase
    Real* d;      // [D] the step xnew − xopt
    Real* xalt;   // [D]
    Real* cand;   // [D] the proposal, unit coordinates
    Real* work;   // [kWorkD·D + 2·K + M] scratch
    int32_t* piv; // [K]
    int stride;   // MaxDims
    int kstride;  // 3·MaxDims + 2
  };
  /// Scratch per dimension (trust-region and geometry steps).
  static constexpr int kWorkD = 8;

  /// Sets the shape: n dimensions, m interpolation points (n + 2 .. 2n + 1),
  /// the final radius.
  void configure(int n, int m, Real rho_end) noexcept {
    n_ = n;
    m_ = m;
    rho_end_ = rho_end;
  }
  /// Zeroes every array of the configured shape (a new run's saved state
  /// then holds nothing of a former one).
  void clear(const Arrays& a) noexcept;
  /// Starts a local run around u0 (unit coordinates, inside [0, 1]) with
  /// radius rho0 (<= 1/4): the next proposals are the initial points
  /// u0, u0 ± rho0·e_i (both on one side where a bound is nearer than rho0).
  /// With have_f0 the value f0 at u0 is known and u0 is not proposed again.
  void begin(const Arrays& a, const Real* u0, Real rho0, bool have_f0, Real f0) noexcept;
  /// The point the engine wants evaluated next (unit coordinates, in [0, 1]).
  const Real* proposal(const Arrays& a) const noexcept { return a.cand; }
  /// Feeds the cost f (+inf: a failed evaluation) of the proposal, evaluated
  /// at u (the proposal itself, or where a safety filter moved it). Returns
  /// false while the engine has a new proposal, true once rho reached
  /// rho_end with no step left (converged: call begin() to go on).
  bool feed(const Arrays& a, const Real* u, Real f) noexcept;
  /// begin() around the engine's own best point (its value known).
  void restart_here(const Arrays& a, Real rho0) noexcept;

  Real rho() const noexcept { return rho_; }
  Real delta() const noexcept { return delta_; }
  Real rho_end() const noexcept { return rho_end_; }
  int points() const noexcept { return m_; }
  bool initializing() const noexcept { return phase_ == kInit; }
  /// The model's best value (the failures' stand-ins included).
  Real fopt(const Arrays& a) const noexcept { return a.fval[kopt_]; }
  /// Point-set rebuilds (singular system or cancellation) so far.
  int rebuilds() const noexcept { return rebuilds_; }

  /// Saved state (src/bobyqa_state.cpp): 64 bytes of counters, 19 Real
  /// scalars, then ulo, uhi, xbase, gopt, sl, su, xopt, xnew, d, xalt, cand
  /// [n each], xpt [m][n], fval [m], pq [m], hq [n(n+1)/2], the inverse
  /// [K][K] and the Lagrange values of the pending step [K], K = m + n + 1.
  static constexpr size_t kIntBytes = 64;
  static constexpr size_t kRealScalars = 19;
  static constexpr size_t state_size(int n, int m) noexcept {
    return kIntBytes +
           sizeof(Real) * (kRealScalars + 11 * static_cast<size_t>(n) +
                           static_cast<size_t>(m) * (static_cast<size_t>(n) + 2) +
                           static_cast<size_t>(n) * static_cast<size_t>(n + 1) / 2 +
                           static_cast<size_t>(m + n + 1) * static_cast<size_t>(m + n + 2));
  }
  void save(StateWriter& w, const Arrays& a) const noexcept;
  /// The engine's arrays, live or in a saved section (the order of save()).
  struct StateCells {
    Cells<Real> vec[11];  // ulo, uhi, xbase, gopt, sl, su, xopt, xnew, d, xalt, cand
    Cells<Real> xpt, fval, pq, hq, h, vlag;
  };
  StateCells live_cells(const Arrays& a) const noexcept;
  /// Views of a saved section's arrays (`arrays`: just after its scalars).
  static StateCells saved_cells(const uint8_t* arrays, int n, int m) noexcept;
  /// Bytes of a saved section before its arrays.
  static constexpr size_t kScalarBytes = kIntBytes + kRealScalars * sizeof(Real);
  /// Decodes a saved section's counters and scalars into *this for n
  /// dimensions and m points, leaving r at its arrays. False only for what
  /// the object cannot hold (reserved words not 0, a count beyond long);
  /// every other rule is check()'s.
  bool decode(StateReader& r, int n, int m) noexcept;
  /// The engine's invariants (E1..E4 at Bobyqa::check_invariants) over its
  /// scalars and the cells c, for the box [lo, hi] (x coordinates) and the
  /// final radius rho_end the config gives.
  bool check(const Cells<Real>& lo, const Cells<Real>& hi, const StateCells& c, Real rho_end) const noexcept;
  /// Copies a checked section's arrays into a.
  void load_arrays(const uint8_t* arrays, const Arrays& a) const noexcept;

 private:
  enum Phase : int { kInit = 0, kTrust = 1, kGeometry = 2 };
  enum Label : int { kL60 = 0, kL650 = 1, kL680 = 2, kL90 = 3, kReady = 4 };

  Real* xpt(const Arrays& a, int k) const noexcept { return a.xpt + k * a.stride; }
  Real* hrow(const Arrays& a, int i) const noexcept { return a.h + i * a.kstride; }
  void start_set(const Arrays& a, const Real* u0, Real rho0, bool have_f0, Real f0) noexcept;
  void init_point(const Arrays& a) noexcept;
  bool finish_init(const Arrays& a) noexcept;
  void rebuild(const Arrays& a) noexcept;
  bool invert(const Arrays& a) noexcept;
  bool next(const Arrays& a, int label) noexcept;
  void trsbox(const Arrays& a) noexcept;
  void altmov(const Arrays& a) noexcept;
  void calc_vlag(const Arrays& a) noexcept;
  bool choose_knew(const Arrays& a, const Real* centre) noexcept;
  int after_eval(const Arrays& a, Real f) noexcept;
  void shift_base(const Arrays& a) noexcept;
  void hess_mul(const Arrays& a, const Real* s, Real* hs) const noexcept;
  Real stand_in(const Arrays& a, Real f) const noexcept;
  bool feed_model(const Arrays& a, const Real* u, Real f) noexcept;
  bool recover_if_needed(const Arrays& a) noexcept;
  bool finite(const StateCells& c) const noexcept;
  void set_candidate(const Arrays& a) noexcept;

  Real rho_end_ = 0;
  Real rho_ = 0, delta_ = 0, rho0_ = 0;
  Real diffa_ = 0, diffb_ = 0, diffc_ = 0;
  Real dnorm_ = 0, ratio_ = 0, crvmin_ = 0, dsq_ = 0, xoptsq_ = 0;
  Real alpha_ = 0, beta_ = 0, denom_ = 0, cauchy_ = 0, adelt_ = 0, distsq_ = 0;
  Real init_step_ = 0;
  int n_ = 0, m_ = 0;
  int kopt_ = 0, knew_ = 0, ntrits_ = 0, itest_ = 0;
  int phase_ = kInit, init_k_ = 0;
  int scale_exp_ = 0;  // the system is built from xpt·2^-scale_exp_
  int rebuilds_ = 0;
  int keep_rho_ = 0;   // the running point set is a rebuild: keep rho and delta
  long nf_ = 0, nfsav_ = 0;  // evaluations fed, and Powell's NFSAV
};

/// The smallest final radius an engine uses for Real: 2^-30 for float,
/// 2^-300 for double. The model's 2^(-4·e) factor is applied as two of
/// 2^(-2·e), each finite at that radius; the quantities the steps square
/// are in the system's scaled coordinates. (2^-300 lets a double run resolve
/// a minimum about as finely as NLopt's BOBYQA: docs/few_episode.md.)
template <class Real>
constexpr Real bobyqa_rho_floor() noexcept {
  return sizeof(Real) == 4 ? static_cast<Real>(9.31322574615478515625e-10)
                           : static_cast<Real>(4.909093465297726553095771954986275642975e-91);
}

extern template class BobyqaEngine<float>;
extern template class BobyqaEngine<double>;

/// Bobyqa without its arrays: the family's core plus the engine.
template <class Real>
class BobyqaCore {
 public:
  using Base = OptCore<Real>;
  using Engine = BobyqaEngine<Real>;
  using Feasible = typename Base::Feasible;
  /// Draw stream (key word 2): "BOBY".
  static constexpr uint32_t kStream = 0x424F4259u;
  /// Counter word 3 of the start and restart points: block {dim/2, restart, 0, kTagStart}.
  static constexpr uint32_t kTagStart = 1;

  struct Arrays {
    Real* lo;
    Real* hi;
    Real* best;  // [D] box and incumbent (OptCore)
    Real* x;     // [D] the candidate handed out
    Real* u;     // [D] scratch: unit coordinates
    typename Engine::Arrays e;
    int max_dims, max_points;
  };

  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int points,
              const BobyqaConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
  const Real* ask(const Arrays& a) noexcept;
  Status tell(const Arrays& a, Real cost) noexcept;
  Status set_start(const Arrays& a, const Real* x) noexcept;

  Status set_feasible(Feasible pred, void* ctx, int max_tries) noexcept {
    return base_.set_feasible(pred, ctx, max_tries);
  }
  Status set_trust_radius(float fraction) noexcept { return base_.set_trust_radius(fraction); }
  long infeasible_count() const noexcept { return base_.infeasible_count(); }
  long fallback_count() const noexcept { return base_.fallback_count(); }
  float trust_radius() const noexcept { return base_.trust_radius(); }

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  int points() const noexcept { return engine_.points(); }
  const BobyqaConfig& config() const noexcept { return cfg_; }
  Real rho() const noexcept { return engine_.rho(); }
  Real delta() const noexcept { return engine_.delta(); }
  int restarts() const noexcept { return restarts_; }
  int rebuilds() const noexcept { return engine_.rebuilds(); }

  /// Saved state (src/bobyqa_state.cpp; layout at Bobyqa::save).
  static constexpr size_t kConfigBytes = 24;
  static constexpr size_t kOwnBytes = 8;
  static constexpr size_t state_size(int dims, int points) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnBytes +
           sizeof(Real) * static_cast<size_t>(dims) + Engine::state_size(dims, points) + Base::kSealBytes;
  }
  /// minimize() calls its observer after every tell (OptimizerFacade).
  static constexpr bool kObserveEveryTell = true;
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims(), points()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// Bobyqa::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  // The one state check behind load() and check_invariants() (the list is
  // at Bobyqa::check_invariants): scalars from *this, arrays through cells.
  bool check(const typename Base::BoxCells& b, const Cells<Real>& x,
             const typename Engine::StateCells& e) const noexcept;
  void restart(const Arrays& a) noexcept;
  void start_point(const Arrays& a, uint32_t restart, Real* u) const noexcept;

  Base base_;
  Engine engine_;
  BobyqaConfig cfg_{0.f, 0.f, BobyqaRestart::Incumbent, 0, 0, 0.f, 0};
  int restarts_ = 0;
};

/// The engines' coordinates: u = x/(hi − lo), so that radii are fractions of
/// the range while u resolves x as finely as x itself (a shift to [0, 1]
/// would lose the resolution near 0). Bounds map exactly: u <= lo/(hi − lo)
/// gives lo, u >= hi/(hi − lo) gives hi; results are clamped into the box.
template <class Real>
inline void unit_to_box(const Real* lo, const Real* hi, const Real* ulo, const Real* uhi, int n,
                        const Real* u, Real* x) noexcept {
  for (int j = 0; j < n; ++j) {
    Real v = u[j] <= ulo[j] ? lo[j] : u[j] >= uhi[j] ? hi[j] : u[j] * (hi[j] - lo[j]);
    if (v > hi[j]) v = hi[j];
    if (v < lo[j]) v = lo[j];
    x[j] = v;
  }
}
template <class Real>
inline void box_to_unit(const Real* lo, const Real* hi, const Real* ulo, const Real* uhi, int n,
                        const Real* x, Real* u) noexcept {
  for (int j = 0; j < n; ++j) {
    Real v = x[j] / (hi[j] - lo[j]);
    if (v > uhi[j]) v = uhi[j];
    if (v < ulo[j]) v = ulo[j];
    u[j] = v;
  }
}

}  // namespace detail

/// Powell's BOBYQA with room for MaxDims dimensions, all in the object.
///
/// Memory: with D = MaxDims, M = 2D + 1 (points) and K = 3D + 2 (the
/// interpolation system's order), sizeof(Bobyqa) =
///   sizeof(Real)·(K² + M·(D + 3) + D(D + 1)/2 + 24·D + 2·K) + 4·K, rounded
///   up to a multiple of 8, + sizeof(detail::BobyqaCore<Real>)
/// (tests/core/test_model_invariants.cpp checks it): O(D²); float, D = 4:
/// 1,632 bytes of arrays plus the core (312 bytes on x86-64).
///
/// Time: an ask() is O(D); the tell() that ends a step does the method's
/// work, O(K³) for the new interpolation system plus O(M·D²) for the steps
/// (D = 4: about 6,000 multiply-adds).
///
/// Determinism: the same seed, config and costs give the same asks on every
/// target (-ffp-contract=off, a fixed operation order, counter-based draws).
///
/// The shared members (OptimizerFacade): a generation is one evaluation
/// (so minimize's observer runs after every evaluation); set_start() gives
/// the first ask and the centre of the initial points. Failed costs (NaN,
/// ±inf) are never a best; the model sees the worst finite value plus the
/// spread. The model sees every cost within ±max/8 of Real (the incumbent
/// keeps the true one), and a model that still overflows (a cost's jump
/// over a radius near rho_end, divided by the radius to the fourth power)
/// is dropped and the points rebuilt around the best, as after a singular
/// system: the state stays finite whatever the costs.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and Bobyqa's:
///  B1  the config passes validate() and its stop rules are the common
///      section's; restarts >= 0.
///  B2  one generation per evaluation: iteration = evaluations, less 1
///      after a stop by Target or MaxEvals (the tell that stops ends no
///      generation).
///  B3  the candidate's array is inside the box; with an ask pending it is
///      one the filters could have handed out (OptCore::candidate).
/// The engine's (detail::BobyqaEngine, u = x/(hi − lo) coordinates):
///  E1  counters in range: M in [D + 2, 2D + 1], the best point's and the
///      replaced point's index < M, the initial points counted (phase
///      "initial" exactly while fewer than M are in), Powell's ITEST in
///      [0, 3], the system's scale exponent in [−1100, 1100], NFSAV <= NF.
///  E2  every scalar finite; rho_end = max(config rho_end, the floor
///      bobyqa_rho_floor); rho in [rho_end, 1/4] and delta >= rho once a
///      model exists; the initial step in (0, 1/4].
///  E3  the engine's box is lo/(hi − lo), hi/(hi − lo) bit for bit, and
///      its proposal lies inside it.
///  E4  every point, value, model coefficient and the inverse system finite.
/// Not checked (it follows from the whole history): that the model
/// interpolates the points and the inverse is the system's.
template <int MaxDims, class Real = float>
class Bobyqa : public OptimizerFacade<Bobyqa<MaxDims, Real>, detail::BobyqaCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 1024, "MaxDims must be in [1, 1024]");
  using Core = detail::BobyqaCore<Real>;
  static constexpr int kM = 2 * MaxDims + 1;
  static constexpr int kK = 3 * MaxDims + 2;

 public:
  /// The dimension capacity (MaxDims).
  static constexpr int kMaxDims = MaxDims;
  /// The family's generic code passes population 0 (the default number of
  /// interpolation points, 2·dims + 1); init() also takes dims + 2 .. 2·dims + 1.
  static constexpr bool kHasPopulation = false;

  /// Validates and starts a run over the box [lo, hi] (each `dims` long)
  /// from a uniformly drawn point (set_start() chooses it instead).
  /// points: interpolation points, dims + 2 .. 2·dims + 1; 0 = 2·dims + 1
  /// (Powell's recommendation). Returns InvalidArgument (null bounds, dims
  /// < 1, an invalid interval as for Pso, points out of range, a config
  /// value out of range: validate()), CapacityExceeded (dims > MaxDims), Ok.
  /// On failure the optimizer is left not ready.
  [[nodiscard]] Status init(const Real* lo, const Real* hi, int dims, int points,
                            const BobyqaConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, points, cfg, seed, validate(cfg) == Status::Ok);
  }

  // ---- Safe tuning: as Pso (pso.hpp): the trust radius clips each candidate
  // around the incumbent, the predicate re-draws it towards the incumbent,
  // the start point is handed out as is. A moved candidate enters the model
  // where it was evaluated.

  // ---- Save and resume (layout in src/bobyqa_state.cpp) ----------------------
  /// Bytes save() can ever write for this capacity (for sizing a buffer or a flash page).
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims, kM);

  /// Interpolation points of this run.
  int points() const noexcept { return core_.points(); }
  /// The trust region's resolution and radius now (fractions of the ranges).
  Real rho() const noexcept { return core_.rho(); }
  /// The trust region's radius now (a fraction of the ranges).
  Real delta() const noexcept { return core_.delta(); }
  /// Convergences followed by a restart (BobyqaConfig::restart).
  int restarts() const noexcept { return core_.restarts(); }
  /// Rebuilds of the point set (a singular system or lost denominators).
  int rebuilds() const noexcept { return core_.rebuilds(); }

 private:
  friend class OptimizerFacade<Bobyqa<MaxDims, Real>, detail::BobyqaCore<Real>, Real>;
  typename Core::Arrays arrays() noexcept {
    return {lo_, hi_, best_, x_, u_,
            {ulo_, uhi_, xbase_, &xpt_[0][0], fval_, pq_, gopt_, hq_, &h_[0][0], sl_, su_, xopt_, xnew_, d_,
             xalt_, cand_, work_, piv_, MaxDims, kK},
            MaxDims, kM};
  }

  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{}, x_[MaxDims]{}, u_[MaxDims]{};
  Real xbase_[MaxDims]{}, gopt_[MaxDims]{}, sl_[MaxDims]{}, su_[MaxDims]{}, xopt_[MaxDims]{};
  Real xnew_[MaxDims]{}, d_[MaxDims]{}, xalt_[MaxDims]{}, cand_[MaxDims]{};
  Real ulo_[MaxDims]{}, uhi_[MaxDims]{};
  Real xpt_[kM][MaxDims]{};
  Real fval_[kM]{}, pq_[kM]{};
  Real hq_[MaxDims * (MaxDims + 1) / 2]{};
  Real h_[kK][kK]{};
  Real work_[detail::BobyqaEngine<Real>::kWorkD * MaxDims + 2 * kK + kM]{};
  int32_t piv_[kK]{};
  Core core_;
};

}  // namespace starling
