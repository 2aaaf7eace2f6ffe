// SPDX-License-Identifier: MIT
// starling/tuner.hpp: the recommended optimizer for budgets of a few hundred
// evaluations or less (a controller tuned on hardware, one episode per
// evaluation): a space-filling design and a Gaussian-process phase find the
// right basin, then a Nelder–Mead simplex converges in it and is rebuilt
// around the incumbent each time it has converged, until the budget ends.
// One object, fixed memory, ask/tell.
//
//   static starling::Tuner<4, 64> tuner;                 // D <= 4, 64 observations
//   if (tuner.init(lo, hi, 3, 0, starling::TunerConfig{}, 1) != starling::Status::Ok) ...
//   while (const float* gains = tuner.ask()) (void)tuner.tell(run_episode(gains));
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "starling/bayesopt.hpp"
#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"

namespace starling {

/// Settings. A default-constructed TunerConfig is the recommended one
/// (chosen on bench_quality's PID tasks: docs/few_episode.md).
struct TunerConfig {
  /// The model phase's acquisition search and hyperparameter fit, as in
  /// BayesOptConfig.
  int candidates = 128;
  /// Likelihood evaluations per hyperparameter fit, 0 .. 1000 (as BayesOptConfig).
  int fit_evals = 24;
  /// What the Gaussian process models; default CostTransform::Auto.
  CostTransform transform = CostTransform::Auto;
  /// Evaluations of the model phase after the design. 0 = 2·dims.
  /// 0 .. 100000.
  int model_evals = 0;
  /// Local phase (Nelder–Mead): the initial simplex's edge as a fraction of
  /// each range, (0, 0.5], and the size at which a simplex has converged
  /// and is rebuilt around the incumbent, [0, step).
  float step = 0.1f;
  /// The simplex size (a fraction of each range) at which it has converged and is rebuilt, [0, step).
  float step_end = 1e-4f;
  /// Generations (one generation = one evaluation). >= 1.
  int max_iter = 300;
  /// Stop after this many evaluations. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN is invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many evaluations without improving the best. 0 = off.
  int stall_iter = 0;
};

/// Ok if every value of `c` is in its documented range, else InvalidArgument.
[[nodiscard]] inline Status validate(const TunerConfig& c) noexcept {
  const int t = static_cast<int>(c.transform);
  const bool ok = c.candidates >= 8 && c.candidates <= 4096 && c.fit_evals >= 0 &&
                  c.fit_evals <= 1000 && t >= 0 && t <= 2 && c.model_evals >= 0 &&
                  c.model_evals <= 100000 && std::isfinite(c.step) && c.step > 0.f &&
                  c.step <= 0.5f && std::isfinite(c.step_end) && c.step_end >= 0.f &&
                  c.step_end < c.step && detail::valid_stop_rules(detail::stop_rules_of(c));
  return ok ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

/// The Gaussian process's settings within a TunerConfig.
inline BayesOptConfig gp_config(const TunerConfig& c) noexcept {
  BayesOptConfig b;
  b.candidates = c.candidates;
  b.fit_evals = c.fit_evals;
  b.transform = c.transform;
  return b;
}

/// Nelder–Mead's simplex method (Nelder & Mead 1965, with the usual
/// coefficients: reflection 1, expansion 2, contractions 1/2, shrink 1/2)
/// in unit coordinates t in [0, 1]^D, every trial point clamped into the
/// box: Tuner's local phase. It compares costs only, so a cost with a kink
/// (an overshoot penalty, saturation), where a quadratic model stalls,
/// costs it nothing. Driven by feed(): one evaluation at a time.
///
/// Order of a step (fixed, so a reference can follow it): vertices sorted
/// by value (insertion sort, stable: the older vertex first among equals);
/// size = max over vertices i >= 1 and coordinates of |v_i − v_0|; below
/// step_end the simplex has converged; else c = mean of the best D vertices
/// (summed in vertex order, then divided by D), r = c + (c − w) (w the
/// worst), e = c + 2(c − w), outside contraction c + (c − w)/2, inside
/// c − (c − w)/2 (computed as c + a·(w − c) with a = −1, −2, −1/2, 1/2),
/// shrink v_i = v_0 + (v_i − v_0)/2.
template <class Real>
class SimplexEngine {
 public:
  struct Arrays {
    Real* v;     // [D + 1][stride] vertices
    Real* fv;    // [D + 1] their values
    Real* c;     // [D] centroid of the best D
    Real* r;     // [D] the reflected point
    Real* y;     // [D] the trial point (the proposal)
    int stride;
  };
  enum State : int { kInit = 0, kReflect = 1, kExpand = 2, kContract = 3, kShrink = 4 };
  /// Builds a simplex around x0 (value f0): vertex i = x0 + step·e_(i−1),
  /// or − step where that would leave [0, 1]. The next proposal is vertex 1.
  void begin(const Arrays& a, int n, const Real* x0, Real f0, Real step, Real step_end) noexcept;
  const Real* proposal(const Arrays& a) const noexcept { return a.y; }
  /// Feeds f at y (the proposal, or where a safety filter moved it).
  /// Returns true once the simplex has converged (begin() again to go on).
  bool feed(const Arrays& a, const Real* y, Real f) noexcept;
  int state() const noexcept { return state_; }

  /// Saved section: state i32, index i32, fr, step_end, then the vertices
  /// [D + 1][D], values [D + 1], c, r, y [D].
  static constexpr size_t state_size(int n) noexcept {
    return 8 + sizeof(Real) * (2 + static_cast<size_t>(n + 1) * static_cast<size_t>(n + 1) +
                               3 * static_cast<size_t>(n));
  }
  /// Zeroes the arrays for n dimensions (a new run's saved state then holds
  /// nothing of a former run's simplex).
  static void clear(const Arrays& a, int n) noexcept {
    for (int i = 0; i <= n; ++i) {
      for (int j = 0; j < n; ++j) a.v[i * a.stride + j] = 0;
      a.fv[i] = 0;
    }
    for (int j = 0; j < n; ++j) a.c[j] = a.r[j] = a.y[j] = 0;
  }
  /// Writes n dimensions (a simplex not begun yet saves its zeros).
  void save(StateWriter& w, const Arrays& a, int n) const noexcept;
  /// The saved arrays, live or in a saved section.
  struct StateCells {
    Cells<Real> v, fv, c, r, y;
  };
  static StateCells live_cells(const Arrays& a) noexcept;
  /// Views of a saved section (`sec`: its start) for n dimensions.
  static StateCells saved_cells(const uint8_t* sec, int n) noexcept;
  /// Decodes a saved section's scalars into *this (n dimensions).
  void decode(const uint8_t* sec, int n) noexcept;
  /// The invariants S1..S2 (at Tuner::check_invariants) over the cells for
  /// n dimensions.
  bool check(const StateCells& s, int n) const noexcept;
  /// Copies a checked section's arrays into a (n dimensions).
  static void load_arrays(const uint8_t* sec, const Arrays& a, int n) noexcept;
  Real step_end() const noexcept { return step_end_; }

 private:
  bool step(const Arrays& a) noexcept;
  void trial(const Arrays& a, Real coef) noexcept;
  void take(const Arrays& a, const Real* x, Real f) noexcept;
  int n_ = 0;
  int state_ = kInit;
  int idx_ = 0;        // the vertex being evaluated (kInit, kShrink)
  Real fr_ = 0;        // value at r
  Real step_end_ = 0;
};

/// Tuner without its arrays: the family's core, the GP engine and the simplex.
template <class Real>
class TunerCore {
 public:
  using Base = OptCore<Real>;
  using Gp = GpEngine<Real>;
  using Simplex = SimplexEngine<Real>;
  using Feasible = typename Base::Feasible;
  /// Draw stream (key word 2): "TUNE".
  static constexpr uint32_t kStream = 0x54554E45u;
  /// Counter word 3: the design's shift, the inner search, a fallback point
  /// (as BayesOpt's).
  static constexpr uint32_t kTagDesign = 1, kTagSearch = 2, kTagFallback = 4;
  enum Phase : int { kDesign = 0, kModel = 1, kLocal = 2 };

  struct Arrays {
    Real* lo;
    Real* hi;
    Real* best;  // [D] box and incumbent (OptCore)
    Real* x;     // [D] the candidate handed out
    Real* cand;  // [D] model-phase proposal (t coordinates)
    Real* rlo;   // [D] search region
    Real* rhi;   // [D]
    Real* u;     // [D] scratch
    typename Gp::Arrays g;
    typename Simplex::Arrays s;
    int max_dims;
  };

  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int design,
              const TunerConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
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
  int design() const noexcept { return design_; }
  int observations() const noexcept { return gp_.size(); }
  int phase() const noexcept { return phase_; }
  int local_runs() const noexcept { return local_runs_; }
  const TunerConfig& config() const noexcept { return cfg_; }

  static constexpr size_t kConfigBytes = 24;
  static constexpr size_t kOwnBytes = 16;
  /// Bytes of a saved state with n observations (layout at Tuner::save).
  static constexpr size_t state_size(int dims, int n) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnBytes +
           sizeof(Real) * 2 * static_cast<size_t>(dims) + Gp::state_size(dims, n) +
           Simplex::state_size(dims) + Base::kSealBytes;
  }
  /// minimize() calls its observer after every tell (OptimizerFacade).
  static constexpr bool kObserveEveryTell = true;
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims(), observations()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// Tuner::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  // The one state check behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const Cells<Real>& x, const Cells<Real>& cand,
             const typename Gp::StateCells& g, const typename Simplex::StateCells& s,
             int cap) const noexcept;
  void region(const Arrays& a) const noexcept;
  void propose_model(const Arrays& a) noexcept;
  void start_model(const Arrays& a) noexcept;
  void start_local(const Arrays& a) noexcept;
  int model_evals() const noexcept { return cfg_.model_evals > 0 ? cfg_.model_evals : 2 * base_.dims(); }

  Base base_;
  Gp gp_;
  Simplex simplex_;
  TunerConfig cfg_{0, 0, CostTransform::Auto, 0, 0.f, 0.f, 0, 0, 0.f, 0};
  int design_ = 0;
  int phase_ = kDesign;
  int phase_evals_ = 0;  // evaluations in the current phase
  int local_runs_ = 0;   // simplices built
};

extern template class SimplexEngine<float>;
extern template class SimplexEngine<double>;
extern template class TunerCore<float>;
extern template class TunerCore<double>;

}  // namespace detail

/// The recommended optimizer for a few hundred evaluations or less, with
/// room for MaxDims dimensions and MaxObs observations, all in the object.
///
/// Phases (docs/few_episode.md has the measurements behind them):
///  1. design: `design` points of a low-discrepancy sequence (0 = 2·dims + 2);
///  2. model: model_evals (0 = 2·dims) maximizers of the expected
///     improvement under a Gaussian process fitted to everything told (as
///     BayesOpt), which finds the basin;
///  3. local: Nelder–Mead from the incumbent with edges of `step` of each
///     range; a simplex smaller than step_end is rebuilt around the
///     incumbent, until a stop rule ends the run.
///
/// Memory: sizeof(Tuner) = sizeof(Real)·(MaxObs·(MaxObs + 1) + MaxObs·(MaxDims + 5)
///   + (MaxDims + 1)² + 22·MaxDims + 2), rounded up to a multiple of 8,
///   + sizeof(detail::TunerCore<Real>)
/// (tests/core/test_model_invariants.cpp checks it). float, MaxDims = 4,
/// MaxObs = 64: 19,664 bytes on x86-64.
///
/// Time: an ask is O(D); the tells of the model phase fit the GP (as
/// BayesOpt's), the others are O(D²).
///
/// The shared members (OptimizerFacade): a generation is one evaluation
/// (so minimize's observer runs after every evaluation); set_start() gives
/// the first ask. save_size() grows with the observations held, up to
/// kMaxSaveSize.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), the Gaussian
/// process's G1..G3 (listed at BayesOpt::check_invariants), and:
///  T1  the config passes validate() and its stop rules are the common
///      section's; the design size in [2, MaxObs].
///  T2  one generation per evaluation: iteration = `told` = evaluations,
///      less 1 after a stop by Target or MaxEvals.
///  T3  the phase (with `seen` = told, less 1 after a stop by MaxIter or
///      Stall, which ends the run before the phases see that evaluation):
///      design exactly while seen < design; local exactly once a simplex
///      was built; in the model phase fewer than model_evals evaluations
///      of it; the phase's evaluations and the simplices built <= seen.
///  T4  the candidate's array inside the box, and with an ask pending one
///      the filters could have handed out; the model's proposal in [0, 1]^D.
/// The simplex's (Nelder–Mead, unit coordinates):
///  S1  its state one of init, reflect, expand, contract, shrink; the
///      vertex index in 0 .. D + 1 (1 .. D while shrinking, <= D while
///      initializing); step_end in [0, 1) and, in the local phase, the
///      config's.
///  S2  every vertex, the centroid, the reflection and the trial point in
///      [0, 1]^D; the vertices' values and the reflection's never NaN or
///      −inf.
template <int MaxDims, int MaxObs, class Real = float>
class Tuner : public OptimizerFacade<Tuner<MaxDims, MaxObs, Real>, detail::TunerCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 1024, "MaxDims must be in [1, 1024]");
  static_assert(MaxObs >= 4 && MaxObs <= 4096, "MaxObs must be in [4, 4096]");
  using Core = detail::TunerCore<Real>;
  using Gp = detail::GpEngine<Real>;
  static constexpr int kTri = MaxObs * (MaxObs + 1) / 2;

 public:
  /// The dimension capacity (MaxDims).
  static constexpr int kMaxDims = MaxDims;
  /// The observation capacity (MaxObs): the model keeps at most this many.
  static constexpr int kMaxObs = MaxObs;

  /// Validates and starts a run over the box [lo, hi]. design: points of the
  /// initial design, 2 .. MaxObs; 0 = 2·dims + 2 (at least 5, at most
  /// MaxObs). Returns InvalidArgument (null bounds, dims < 1, an invalid
  /// interval, design negative or 1, a config value out of range: validate()),
  /// CapacityExceeded (dims > MaxDims or design > MaxObs), Ok; on failure the
  /// optimizer is left not ready.
  [[nodiscard]] Status init(const Real* lo, const Real* hi, int dims, int design,
                            const TunerConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, design, cfg, seed, validate(cfg) == Status::Ok);
  }
  // ---- Safe tuning: as Pso (pso.hpp). A moved candidate enters the model
  // and the simplex where it was evaluated.

  /// Bytes save() can ever write for this capacity (for sizing a buffer or a flash page).
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims, MaxObs);

  /// Size of the initial design of this run.
  int design() const noexcept { return core_.design(); }
  /// 0: design, 1: model phase, 2: local phase.
  int phase() const noexcept { return core_.phase(); }
  /// Simplices built so far (the first, then one per convergence).
  int local_runs() const noexcept { return core_.local_runs(); }

 private:
  friend class OptimizerFacade<Tuner<MaxDims, MaxObs, Real>, detail::TunerCore<Real>, Real>;
  typename Core::Arrays arrays() noexcept {
    return {lo_, hi_, best_, x_, cand_, rlo_, rhi_, u_,
            {&t_[0][0], y_, z_, alpha_, tri0_, tri1_, kv_, v_, theta_, gwork_, MaxDims, MaxObs},
            {&sv_[0][0], sf_, sc_, sr_, sy_, MaxDims},
            MaxDims};
  }

  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{}, x_[MaxDims]{}, cand_[MaxDims]{};
  Real rlo_[MaxDims]{}, rhi_[MaxDims]{}, u_[MaxDims]{};
  // The simplex.
  Real sv_[MaxDims + 1][MaxDims]{}, sf_[MaxDims + 1]{}, sc_[MaxDims]{}, sr_[MaxDims]{}, sy_[MaxDims]{};
  // The Gaussian process.
  Real t_[MaxObs][MaxDims]{};
  Real y_[MaxObs]{}, z_[MaxObs]{}, alpha_[MaxObs]{}, kv_[MaxObs]{}, v_[MaxObs]{};
  Real tri0_[kTri]{}, tri1_[kTri]{};
  Real theta_[MaxDims + 1]{};
  Real gwork_[Gp::kWorkD * MaxDims + 1]{};
  Core core_;
};

}  // namespace starling
