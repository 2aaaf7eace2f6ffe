// SPDX-License-Identifier: MIT
// starling/bayesopt.hpp: Bayesian optimization with a Gaussian process in a
// fixed block of memory, driven by ask/tell: for costs that take seconds to
// minutes each (an episode on real hardware), when tens of evaluations is
// the budget.
//
//   static starling::BayesOpt<4, 48> bo;              // D <= 4, up to 48 observations
//   if (bo.init(lo, hi, 3, 0, starling::BayesOptConfig{}, 1) != starling::Status::Ok) ...
//   while (const float* x = bo.ask()) (void)bo.tell(run_episode(x));
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

/// What the Gaussian process models.
enum class CostTransform : int {
  Auto,      ///< log(cost) while every finite cost told is > 0, the cost itself otherwise
  Log,       ///< log(cost); a cost <= 0 then counts as a failure
  Identity,  ///< the cost itself
};

/// Settings. A default-constructed BayesOptConfig is the recommended one.
struct BayesOptConfig {
  /// Random candidates of the acquisition's inner search per ask (its cost
  /// is linear in them), plus as many again around the best observations.
  /// 8 .. 4096.
  int candidates = 128;
  /// Likelihood evaluations of a hyperparameter fit (each one a Cholesky
  /// factorization, O(n³/6)). 0 .. 1000; 0 keeps the initial length scales.
  int fit_evals = 24;
  /// What the Gaussian process models; default CostTransform::Auto.
  CostTransform transform = CostTransform::Auto;
  /// Generations (one generation = one evaluation). >= 1.
  int max_iter = 200;
  /// Stop after this many evaluations. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN is invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many evaluations without improving the best. 0 = off.
  int stall_iter = 0;
};

/// Ok if every value of `c` is in its documented range, else InvalidArgument.
[[nodiscard]] inline Status validate(const BayesOptConfig& c) noexcept {
  const int t = static_cast<int>(c.transform);
  const bool ok = c.candidates >= 8 && c.candidates <= 4096 && c.fit_evals >= 0 &&
                  c.fit_evals <= 1000 && t >= 0 && t <= 2 &&
                  detail::valid_stop_rules(detail::stop_rules_of(c));
  return ok ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

/// The bounds of the hyperparameter search (natural logarithms): length
/// scales in [1/64, 8] of the range, nugget in [1e-4 (float) or 1e-8
/// (double), 0.1], the length scales' prior centre 0.5.
template <class Real>
constexpr Real gp_ln_nugget_min() noexcept {
  return sizeof(Real) == 4 ? static_cast<Real>(-9.21034037197618) : static_cast<Real>(-18.420680743952367);
}
template <class Real>
constexpr Real gp_ln_nugget_max() noexcept {
  return static_cast<Real>(-2.302585092994046);
}
template <class Real>
constexpr Real gp_ln_len_min() noexcept {
  return static_cast<Real>(-4.1588830833596715);
}
template <class Real>
constexpr Real gp_ln_len_max() noexcept {
  return static_cast<Real>(2.0794415416798357);
}
template <class Real>
constexpr Real gp_ln_len_prior() noexcept {
  return static_cast<Real>(-0.6931471805599453);
}

/// The Gaussian process and its acquisition, without the family's
/// bookkeeping (BayesOpt and Tuner drive it).
///
/// Coordinates t = (x − lo)/(hi − lo) in [0, 1]. Observations (t_i, y_i),
/// at most `cap`; the model's targets are z_i = transform(y_i) (failures and
/// costs the transform cannot take: the worst finite z), standardized to
/// mean 0 and variance 1. Prior: zero mean, covariance σ²·(k(r) + g·δ) with
/// the Matérn 5/2 correlation k(r) = (1 + √5 r + 5r²/3)·e^(−√5 r), r² =
/// Σ_j ((t_j − t'_j)/ℓ_j)² (ARD), σ² profiled out (σ̂² = zᵀC⁻¹z/n). The
/// length scales ℓ_j in [1/64, 8] and the nugget g in [g_min, 0.1] (g_min
/// 1e-4 for float, 1e-8 for double: a factor float can hold) are fitted by a
/// deterministic coordinate search on θ = (ln ℓ, ln g) minimizing
/// n·ln σ̂² + ln det C + Σ_j (ln ℓ_j − ln 0.5)²/4 (a weak log-normal prior
/// that keeps few data from choosing extreme scales): steps of ±1, ±0.5, …
/// in θ, each coordinate in turn, a step kept when it lowers the criterion,
/// halved after a sweep without improvement, at most fit_evals evaluations.
/// C = L·Lᵀ (packed lower triangles: the current factor and a trial one);
/// a new observation appends a row to L in O(n²).
template <class Real>
class GpEngine {
 public:
  struct Arrays {
    Real* t;       // [cap][stride] observations, unit coordinates
    Real* y;       // [cap] costs as told (+inf: failure)
    Real* z;       // [cap] standardized model targets
    Real* alpha;   // [cap] C⁻¹z
    Real* tri0;    // [cap(cap+1)/2] packed lower triangles: factor and trial
    Real* tri1;
    Real* kv;      // [cap] scratch: correlations with a point
    Real* v;       // [cap] scratch: L⁻¹·kv
    Real* theta;   // [D + 1] ln ℓ_j, ln g
    Real* work;    // [kWorkD·D + 1] scratch
    int stride;    // MaxDims
    int cap;       // MaxObs
  };
  static constexpr int kWorkD = 10;

  void configure(int dims, const BayesOptConfig& cfg) noexcept;
  /// Forgets every observation; resets the hyperparameters to ℓ = 0.5, g = 1e-3.
  void clear(const Arrays& a) noexcept;
  /// Adds an observation (when full, it replaces the worst: a failure, or
  /// the largest cost, the oldest among equals).
  void add(const Arrays& a, const Real* t, Real y) noexcept;
  int size() const noexcept { return n_; }
  /// Fits the hyperparameters (fit_evals likelihood evaluations) and makes
  /// the model ready to predict. False if no factorization succeeded.
  bool fit(const Arrays& a) noexcept;
  /// Prepares the model without a fit (the current hyperparameters).
  bool refresh(const Arrays& a) noexcept;
  /// Posterior mean and standard deviation of z at t (model ready).
  void predict(const Arrays& a, const Real* t, Real* mean, Real* sd) const noexcept;
  /// ln EI at t in the standardized units (model ready).
  Real acquisition(const Arrays& a, const Real* t) const noexcept;
  /// Saved section: n i32, 0 u32, θ [D + 1], t [n][D], y [n] (the factor
  /// is recomputed: an appended factor equals a full one bit for bit).
  static constexpr size_t state_size(int dims, int n) noexcept {
    return 8 + sizeof(Real) * (static_cast<size_t>(dims) + 1 +
                               static_cast<size_t>(n) * (static_cast<size_t>(dims) + 1));
  }
  void save(StateWriter& w, const Arrays& a) const noexcept;
  /// The saved arrays, live or in a saved section.
  struct StateCells {
    Cells<Real> theta, t, y;
  };
  StateCells live_cells(const Arrays& a) const noexcept;
  /// Views of a saved section (`sec`: its start) with n observations.
  static StateCells saved_cells(const uint8_t* sec, int dims, int n) noexcept;
  /// The observation count a saved section starts with (-1 if its
  /// reserved word is not 0).
  static int saved_count(const uint8_t* sec) noexcept;
  /// Takes a saved section's shape: dims dimensions, n observations; the
  /// derived state (factor, targets) is rebuilt by the next fit.
  void decode(int dims, int n) noexcept;
  /// The invariants G1..G3 (at BayesOpt::check_invariants) over the cells:
  /// `told` evaluations seen, `design` the design's size, best the incumbent's
  /// value, `stopping` true when the last tell stopped the run before the
  /// model saw it.
  bool check(const StateCells& c, int cap, long told, int design, Real best, bool stopping) const noexcept;
  /// Copies a checked section's arrays into a.
  void load_arrays(const uint8_t* sec, const Arrays& a) const noexcept;
  /// The index of the best observation (lowest z; the earliest among equals).
  int best_index(const Arrays& a) const noexcept;
  Real length_scale(const Arrays& a, int j) const noexcept;
  Real nugget(const Arrays& a) const noexcept;
  /// The acquisition's maximizer inside [lo_r, hi_r] (unit coordinates):
  /// `candidates` uniform points (block {j/2, c, iter, tag}, words 0 and 2),
  /// as many around the best observations (the best one, within ±ℓ/4 … the
  /// fourth), each refined by a coordinate search from the best three.
  void search(const Arrays& a, const uint32_t key[4], uint32_t tag, uint32_t iter,
              const Real* lo_r, const Real* hi_r, Real* out) const noexcept;

 private:
  Real kernel(const Arrays& a, const Real* p, const Real* q, const Real* inv_l) const noexcept;
  bool factor(const Arrays& a, Real* tri, const Real* theta, Real* nll) const noexcept;
  bool build(const Arrays& a, Real* tri, const Real* theta) const noexcept;
  bool likelihood(const Arrays& a, const Real* tri, const Real* theta, Real* nll) const noexcept;
  void targets(const Arrays& a) noexcept;
  bool solve_alpha(const Arrays& a) noexcept;
  void inv_lengths(const Arrays& a, const Real* theta, Real* inv_l) const noexcept;

  int d_ = 0, n_ = 0, cur_ = 0;
  int candidates_ = 0, fit_evals_ = 0, transform_ = 0;
  int factored_ = 0;     // rows of the current factor valid for the current θ
  Real sigma2_ = 0;      // profiled σ̂² (clear() sets 1; a zero default keeps the object in .bss)
  Real zbest_ = 0;       // min z
};

/// The design's default size for `dims` dimensions: 2·dims + 2 (at least 5).
constexpr int bayesopt_default_design(int dims) noexcept { return 2 * dims + 2 < 5 ? 5 : 2 * dims + 2; }

/// BayesOpt's and Tuner's design rule at init(): `design`, or for 0 the
/// default capped at the capacity `cap`, into *n0. CapacityExceeded over the
/// capacity (a valid request this instance cannot hold, as a population over
/// Pso's), InvalidArgument below 2 or for an invalid config, else Ok.
inline Status resolve_design(int design, int dims, int cap, bool cfg_valid, int* n0) noexcept {
  int n = design;
  if (n == 0) n = bayesopt_default_design(dims) < cap ? bayesopt_default_design(dims) : cap;
  if (n > cap) return Status::CapacityExceeded;
  if (n < 2 || !cfg_valid) return Status::InvalidArgument;
  *n0 = n;
  return Status::Ok;
}

/// A point of the design sequence in [lo_r, hi_r]: the additive recurrence
/// t_j = frac(s_j + (i + 1)·α_j) with α_j = φ^−(j+1), φ the real root of
/// x^(D+1) = x + 1 (Roberts' R_D sequence, low discrepancy in every
/// projection), s_j a uniform shift (block {j/2, 0, 0, tag}, words 0 and 2).
template <class Real>
void design_point(const uint32_t key[4], uint32_t tag, int dims, int i, const Real* lo_r,
                  const Real* hi_r, Real* t) noexcept;

// Helpers the model-based optimizers share (BayesOpt, Tuner): they work in
// unit coordinates t in [0, 1]^D of the box.

/// The search region [rlo, rhi] in unit coordinates: the whole cube, or with
/// a trust radius r > 0 and a centre (an evaluation or a start point) the
/// part within ±r of the incumbent `best`, so that no proposal needs the
/// envelope's clip.
template <class Real>
void model_region(const OptCore<Real>& base, const Real* lo, const Real* hi, const Real* best, Real* rlo,
                  Real* rhi) noexcept;
/// A uniform point t of the region (when no model holds): block
/// {j/2, 0, k, tag}, words 0 and 2.
template <class Real>
void region_uniform_point(const uint32_t key[4], uint32_t tag, uint32_t k, int dims, const Real* rlo,
                          const Real* rhi, Real* t) noexcept;
/// x in the box to unit coordinates, clamped to [0, 1].
template <class Real>
void box_to_unit(const Real* lo, const Real* hi, int dims, const Real* x, Real* t) noexcept;
/// Unit coordinates t to the box: 0 and 1 map to the bounds exactly.
template <class Real>
void unit_to_box(const Real* lo, const Real* hi, int dims, const Real* t, Real* x) noexcept;

/// BayesOpt without its arrays: the family's core plus the GP engine.
template <class Real>
class BayesOptCore {
 public:
  using Base = OptCore<Real>;
  using Gp = GpEngine<Real>;
  using Feasible = typename Base::Feasible;
  /// Draw stream (key word 2): "BOPT".
  static constexpr uint32_t kStream = 0x424F5054u;
  /// Counter word 3: the design's shift, the inner search, a fallback point.
  static constexpr uint32_t kTagDesign = 1, kTagSearch = 2, kTagFallback = 4;

  struct Arrays {
    Real* lo;
    Real* hi;
    Real* best;  // [D] box and incumbent (OptCore)
    Real* x;     // [D] the candidate handed out
    Real* cand;  // [D] the proposal, unit coordinates t
    Real* rlo;   // [D] the search region (the box, or the trust box)
    Real* rhi;   // [D]
    typename Gp::Arrays g;
    int max_dims;
  };

  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int design,
              const BayesOptConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
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
  const BayesOptConfig& config() const noexcept { return cfg_; }
  Real length_scale(const Arrays& a, int j) const noexcept { return gp_.length_scale(a.g, j); }
  Real nugget(const Arrays& a) const noexcept { return gp_.nugget(a.g); }

  static constexpr size_t kConfigBytes = 24;
  static constexpr size_t kOwnBytes = 8;
  /// Bytes of a saved state with n observations.
  static constexpr size_t state_size(int dims, int n) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnBytes +
           2 * sizeof(Real) * static_cast<size_t>(dims) + Gp::state_size(dims, n) + Base::kSealBytes;
  }
  /// minimize() calls its observer after every tell (OptimizerFacade).
  static constexpr bool kObserveEveryTell = true;
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims(), observations()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// BayesOpt::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  // The one state check behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const Cells<Real>& x, const Cells<Real>& cand,
             const typename Gp::StateCells& g, int cap) const noexcept;
  void region(const Arrays& a) const noexcept;
  void propose(const Arrays& a) noexcept;

  Base base_;
  Gp gp_;
  BayesOptConfig cfg_{0, 0, CostTransform::Auto, 0, 0, 0.f, 0};
  int design_ = 0;
};

extern template class GpEngine<float>;
extern template class GpEngine<double>;
extern template class BayesOptCore<float>;
extern template class BayesOptCore<double>;

}  // namespace detail

/// Bayesian optimization with a Gaussian process, room for MaxDims
/// dimensions and MaxObs observations (the model keeps at most MaxObs; a
/// longer run replaces the worst), all in the object.
///
/// Memory: sizeof(BayesOpt) = sizeof(Real)·(MaxObs·(MaxObs + 1) + MaxObs·(MaxDims + 5)
///   + 18·MaxDims + 2), rounded up to a multiple of 8, + sizeof(detail::BayesOptCore<Real>):
/// the two packed Cholesky triangles (the factor and a trial), the
/// observations, and O(MaxDims) vectors (tests/core/test_model_invariants.cpp
/// checks it). float, MaxDims = 4, MaxObs = 64: 19,456 bytes on x86-64.
///
/// Time per tell (which prepares the next ask): a hyperparameter fit of
/// fit_evals Cholesky factorizations, O(fit_evals·n³/6 + fit_evals·n²·D),
/// and an inner search of about 2·candidates + 24·D acquisitions,
/// O(n² + n·D) each (n: observations held). See docs/few_episode.md for
/// the instruction counts on a Cortex-M4.
///
/// The shared members (OptimizerFacade): a generation is one evaluation
/// (so minimize's observer runs after every evaluation); set_start() gives
/// the first ask. Each tell() fits the Gaussian process and searches the next
/// point; a load()ed state refits it at the next tell. save_size() grows with
/// the observations held, up to kMaxSaveSize.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and:
///  A1  the config passes validate() and its stop rules are the common
///      section's; the design size in [2, MaxObs].
///  A2  one generation per evaluation: iteration = evaluations, less 1
///      after a stop by Target or MaxEvals.
///  A3  the candidate's array inside the box, and with an ask pending one
///      the filters could have handed out; the proposal in [0, 1]^D.
/// The Gaussian process's (n observations, `told` = the evaluations it
/// has seen: all but a stopping one):
///  G1  n <= MaxObs and n <= told; n < told only once full (n >= design:
///      the model replaces its worst observation when full).
///  G2  every fitted hyperparameter in its bounds (ln ℓ in [ln 1/64,
///      ln 8], ln g in [ln g_min, ln 0.1]).
///  G3  every observation in [0, 1]^D; every cost told not NaN and >= the
///      best value, and the least of them the best value unless the
///      stopping tell made it.
/// Not checked: the factor and targets (rebuilt from these by a fit).
template <int MaxDims, int MaxObs, class Real = float>
class BayesOpt : public OptimizerFacade<BayesOpt<MaxDims, MaxObs, Real>, detail::BayesOptCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 1024, "MaxDims must be in [1, 1024]");
  static_assert(MaxObs >= 4 && MaxObs <= 4096, "MaxObs must be in [4, 4096]");
  using Core = detail::BayesOptCore<Real>;
  using Gp = detail::GpEngine<Real>;
  static constexpr int kTri = MaxObs * (MaxObs + 1) / 2;

 public:
  /// The dimension capacity (MaxDims).
  static constexpr int kMaxDims = MaxDims;
  /// The observation capacity (MaxObs): the model keeps at most this many.
  static constexpr int kMaxObs = MaxObs;

  /// Validates and starts a run over the box [lo, hi]. design: points of the
  /// initial space-filling design, 2 .. MaxObs; 0 = 2·dims + 2 (at least
  /// 5; capped at MaxObs). After the design, each ask is the maximizer of
  /// the expected improvement under the fitted Gaussian process. Returns
  /// InvalidArgument (null bounds, dims < 1, an invalid interval, design negative
  /// or 1, a config value out of range), CapacityExceeded (dims > MaxDims or
  /// design > MaxObs), Ok; on failure the optimizer is left not ready.
  [[nodiscard]] Status init(const Real* lo, const Real* hi, int dims, int design,
                            const BayesOptConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, design, cfg, seed, validate(cfg) == Status::Ok);
  }

  /// Bytes save() can ever write for this capacity (for sizing a buffer or a flash page).
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims, MaxObs);

  /// Size of the initial design of this run.
  int design() const noexcept { return core_.design(); }
  /// Observations the model holds (at most MaxObs).
  int observations() const noexcept { return core_.observations(); }
  /// The fitted length scale of dimension j (a fraction of its range) and the
  /// nugget (relative to the signal variance).
  Real length_scale(int j) const noexcept { return core_.length_scale(const_cast<BayesOpt*>(this)->arrays(), j); }
  /// The fitted nugget (noise variance relative to the signal variance).
  Real nugget() const noexcept { return core_.nugget(const_cast<BayesOpt*>(this)->arrays()); }

 private:
  friend class OptimizerFacade<BayesOpt<MaxDims, MaxObs, Real>, detail::BayesOptCore<Real>, Real>;
  typename Core::Arrays arrays() noexcept {
    return {lo_, hi_, best_, x_, cand_, rlo_, rhi_,
            {&t_[0][0], y_, z_, alpha_, tri0_, tri1_, kv_, v_, theta_, work_, MaxDims, MaxObs},
            MaxDims};
  }

  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{}, x_[MaxDims]{}, cand_[MaxDims]{};
  Real rlo_[MaxDims]{}, rhi_[MaxDims]{};
  Real t_[MaxObs][MaxDims]{};
  Real y_[MaxObs]{}, z_[MaxObs]{}, alpha_[MaxObs]{}, kv_[MaxObs]{}, v_[MaxObs]{};
  Real tri0_[kTri]{}, tri1_[kTri]{};
  Real theta_[MaxDims + 1]{};
  Real work_[Gp::kWorkD * MaxDims + 1]{};
  Core core_;
};

}  // namespace starling
