// SPDX-License-Identifier: MIT
// starling/tuner.hpp: the recommended optimizer for budgets of a few hundred
// evaluations or less (a controller tuned on hardware, one episode per
// evaluation): a space-filling design and a Gaussian-process phase find the
// right basin, Powell's BOBYQA converges in it, and the two alternate until
// the budget ends. One object, fixed memory, ask/tell.
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
#include "starling/bobyqa.hpp"

namespace starling {

/// Settings. A default-constructed TunerConfig is the recommended one.
struct TunerConfig {
  /// The model phases' acquisition search and hyperparameter fit, as in
  /// BayesOptConfig.
  int candidates = 128;
  int fit_evals = 24;
  CostTransform transform = CostTransform::Auto;
  /// Evaluations of a model phase: the first one (after the design), and
  /// each later one (after a local phase that converged without improving).
  /// 0 = the default for D dimensions (see docs/few_episode.md).
  int model_evals = 0;
  int model_evals_later = 0;
  /// Local phase: BOBYQA's initial and final radius (fractions of each
  /// range), rho_begin in (0, 0.25], rho_end in [0, rho_begin].
  float rho_begin = 0.2f;
  float rho_end = 1e-3f;
  /// Walk phase: the (1+1)-CMA-ES's initial and final step size (fractions
  /// of each range), (0, 0.25] and [0, walk_sigma].
  float walk_sigma = 0.01f;
  float walk_sigma_end = 1e-4f;
  /// Generations (one generation = one evaluation). >= 1.
  int max_iter = 300;
  long max_evals = 0;
  float target = -std::numeric_limits<float>::infinity();
  int stall_iter = 0;
};

[[nodiscard]] inline Status validate(const TunerConfig& c) noexcept {
  const int t = static_cast<int>(c.transform);
  const bool ok = c.candidates >= 8 && c.candidates <= 4096 && c.fit_evals >= 0 &&
                  c.fit_evals <= 1000 && t >= 0 && t <= 2 && c.model_evals >= 0 &&
                  c.model_evals <= 100000 && c.model_evals_later >= 0 &&
                  c.model_evals_later <= 100000 && std::isfinite(c.rho_begin) &&
                  c.rho_begin > 0.f && c.rho_begin <= 0.25f && std::isfinite(c.rho_end) &&
                  c.rho_end >= 0.f && c.rho_end <= c.rho_begin && std::isfinite(c.walk_sigma) &&
                  c.walk_sigma > 0.f && c.walk_sigma <= 0.25f && std::isfinite(c.walk_sigma_end) &&
                  c.walk_sigma_end >= 0.f && c.walk_sigma_end <= c.walk_sigma &&
                  detail::valid_stop_rules(detail::stop_rules_of(c));
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

/// The (1+1)-CMA-ES with active covariance update (Igel, Suttorp & Hansen,
/// "A computational efficient covariance matrix update and a (1+1)-CMA for
/// evolution strategies", GECCO 2006; Arnold & Hansen, "Active covariance
/// matrix adaptation for the (1+1)-CMA-ES", GECCO 2010) in unit coordinates
/// t in [0, 1]^D: Tuner's walk along narrow curved valleys (a cost with a
/// kink, such as an overshoot penalty, makes them), where a quadratic model
/// stalls. Offspring y = x + σ·A·z, z standard normal by the polar method
/// from counter-based uniforms, A the Cholesky factor of C.
template <class Real>
class WalkEngine {
 public:
  struct Arrays {
    Real* x;   // [D] parent
    Real* y;   // [D] offspring (the proposal)
    Real* pc;  // [D] evolution path
    Real* az;  // [D] A·z of the offspring
    Real* c;   // [D][stride] covariance
    Real* a;   // [D][stride] its Cholesky factor
    int stride;
  };
  void begin(const Arrays& a, int n, const Real* x0, Real f0, Real sigma0, Real sigma_end) noexcept;
  /// Draws the next offspring inside [lo_r, hi_r]: block {pair, try, k, tag}.
  void propose(const Arrays& a, const uint32_t key[4], uint32_t tag, const Real* lo_r,
               const Real* hi_r) noexcept;
  const Real* proposal(const Arrays& a) const noexcept { return a.y; }
  /// Feeds f at y (where the offspring was evaluated). True once σ fell
  /// below sigma_end (the walk has ended).
  bool feed(const Arrays& a, const Real* y, Real f) noexcept;
  Real sigma() const noexcept { return sigma_; }
  Real fx() const noexcept { return fx_; }
  uint32_t steps() const noexcept { return k_; }

  /// Saved section: k u32, nanc i32, 8 reserved bytes, fx, σ, σ_end,
  /// p_succ, ancestors[5], then x, y, pc [D], C, A [D][D].
  static constexpr size_t state_size(int n) noexcept {
    return 16 + sizeof(Real) * (9 + 3 * static_cast<size_t>(n) + 2 * static_cast<size_t>(n) * static_cast<size_t>(n));
  }
  void save(StateWriter& w, const Arrays& a) const noexcept;
  template <bool kCommit>
  Status load(StateReader& r, const Arrays& a, int n) noexcept;

 private:
  void factor(const Arrays& a) noexcept;
  int n_ = 0;
  uint32_t k_ = 0;
  Real fx_ = 0, sigma_ = 0, sigma_end_ = 0, psucc_ = 0;
  Real anc_[5] = {0, 0, 0, 0, 0};
  int nanc_ = 0;
};

template <class Real>
class TunerCore {
 public:
  using Base = OptCore<Real>;
  using Gp = GpEngine<Real>;
  using Local = BobyqaEngine<Real>;
  using Feasible = typename Base::Feasible;
  /// Draw stream (key word 2): "TUNE".
  static constexpr uint32_t kStream = 0x54554E45u;
  static constexpr uint32_t kTagDesign = 1, kTagSearch = 2, kTagFallback = 4;
  enum Phase : int { kDesign = 0, kModel = 1, kLocal = 2, kWalk = 3 };
  using Walk = WalkEngine<Real>;
  static constexpr uint32_t kTagWalk = 5;

  struct Arrays {
    Real* lo;
    Real* hi;
    Real* best;  // [D] box and incumbent (OptCore)
    Real* x;     // [D] the candidate handed out
    Real* cand;  // [D] model-phase proposal (t coordinates)
    Real* rlo;   // [D] search region
    Real* rhi;   // [D]
    Real* u;     // [D] scratch
    Real* pbest;  // [D] the best point of the current phase
    typename Gp::Arrays g;
    typename Local::Arrays e;
    typename Walk::Arrays w;
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

  static constexpr size_t kConfigBytes = 40;
  static constexpr size_t kOwnBytes = 24;
  /// Bytes of a saved state with n observations (layout at Tuner::save).
  static constexpr size_t state_size(int dims, int n) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnBytes +
           sizeof(Real) * (1 + 3 * static_cast<size_t>(dims)) + Gp::state_size(dims, n) +
           Local::state_size(dims, 2 * dims + 1) + Walk::state_size(dims) + Base::kSealBytes;
  }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  void region(const Arrays& a) const noexcept;
  void propose_model(const Arrays& a) noexcept;
  void start_local(const Arrays& a) noexcept;
  void start_walk(const Arrays& a) noexcept;
  void start_model(const Arrays& a) noexcept;
  int model_evals() const noexcept;
  int model_evals_later() const noexcept;

  Base base_;
  Gp gp_;
  Local local_;
  Walk walk_;
  TunerConfig cfg_{0, 0, CostTransform::Auto, 0, 0, 0.f, 0.f, 0.f, 0.f, 0, 0, 0.f, 0};
  int design_ = 0;
  int phase_ = kDesign;
  int phase_evals_ = 0;     // evaluations in the current phase
  int local_runs_ = 0;
  Real pbest_f_ = 0;        // value at pbest (+inf: none yet)
};

extern template class TunerCore<float>;
extern template class TunerCore<double>;

}  // namespace detail

template <int MaxDims, int MaxObs, class Real = float>
class Tuner {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 1024, "MaxDims must be in [1, 1024]");
  static_assert(MaxObs >= 4 && MaxObs <= 4096, "MaxObs must be in [4, 4096]");
  using Core = detail::TunerCore<Real>;
  using Gp = detail::GpEngine<Real>;
  using Local = detail::BobyqaEngine<Real>;
  static constexpr int kTri = MaxObs * (MaxObs + 1) / 2;
  static constexpr int kM = 2 * MaxDims + 1;
  static constexpr int kK = 3 * MaxDims + 2;

 public:
  static constexpr int kMaxDims = MaxDims;
  static constexpr int kMaxObs = MaxObs;

  [[nodiscard]] Status init(const Real* lo, const Real* hi, int dims, int design,
                            const TunerConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, design, cfg, seed, validate(cfg) == Status::Ok);
  }
  const Real* ask() noexcept { return core_.ask(arrays()); }
  [[nodiscard]] Status tell(Real cost) noexcept { return core_.tell(arrays(), cost); }
  template <class F>
  Status minimize(F&& cost) noexcept {
    return minimize(static_cast<F&&>(cost), [](Real, long, int) {});
  }
  template <class F, class Observer>
  Status minimize(F&& cost, Observer&& observer) noexcept {
    if (!core_.ready()) return Status::NotReady;
    const auto a = arrays();
    while (const Real* x = core_.ask(a)) {
      (void)core_.tell(a, cost(x, core_.dims()));
      observer(core_.best_value(), core_.evaluations(), core_.iteration());
    }
    return Status::Ok;
  }
  using Feasible = typename Core::Feasible;
  [[nodiscard]] Status set_feasible(Feasible pred, void* ctx = nullptr, int max_tries = 8) noexcept {
    return core_.set_feasible(pred, ctx, max_tries);
  }
  [[nodiscard]] Status set_trust_radius(float fraction) noexcept { return core_.set_trust_radius(fraction); }
  [[nodiscard]] Status set_start(const Real* x) noexcept { return core_.set_start(arrays(), x); }
  long infeasible_count() const noexcept { return core_.infeasible_count(); }
  long fallback_count() const noexcept { return core_.fallback_count(); }
  float trust_radius() const noexcept { return core_.trust_radius(); }

  /// Bytes save() writes now (it grows with the observations held, up to
  /// kMaxSaveSize).
  size_t save_size() const noexcept {
    return core_.ready() ? Core::state_size(core_.dims(), core_.observations()) : 0;
  }
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims, MaxObs);
  [[nodiscard]] Status save(uint8_t* buf, size_t cap, size_t* written) const noexcept {
    return core_.save(const_cast<Tuner*>(this)->arrays(), buf, cap, written);
  }
  [[nodiscard]] Status load(const uint8_t* buf, size_t size) noexcept { return core_.load(arrays(), buf, size); }

  bool done() const noexcept { return core_.done(); }
  StopReason stop_reason() const noexcept { return core_.stop_reason(); }
  const Real* best_position() const noexcept { return core_.has_best() ? best_ : nullptr; }
  Real best_value() const noexcept { return core_.best_value(); }
  long evaluations() const noexcept { return core_.evaluations(); }
  int iteration() const noexcept { return core_.iteration(); }
  int dims() const noexcept { return core_.dims(); }
  int design() const noexcept { return core_.design(); }
  /// 0: design, 1: model phase, 2: local phase, 3: walk.
  int phase() const noexcept { return core_.phase(); }
  int local_runs() const noexcept { return core_.local_runs(); }
  const TunerConfig& config() const noexcept { return core_.config(); }

 private:
  typename Core::Arrays arrays() noexcept {
    return {lo_, hi_, best_, x_, cand_, rlo_, rhi_, u_, pbest_,
            {&t_[0][0], y_, z_, alpha_, tri0_, tri1_, kv_, v_, theta_, gwork_, MaxDims, MaxObs},
            {ulo_, uhi_, xbase_, &xpt_[0][0], fval_, pq_, gopt_, hq_, &h_[0][0], sl_, su_, xopt_,
             xnew_, d_, xalt_, lcand_, lwork_, piv_, MaxDims, kK},
            {wx_, wy_, wpc_, waz_, &wc_[0][0], &wa_[0][0], MaxDims},
            MaxDims};
  }

  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{}, x_[MaxDims]{}, cand_[MaxDims]{};
  Real rlo_[MaxDims]{}, rhi_[MaxDims]{}, u_[MaxDims]{}, pbest_[MaxDims]{};
  // The walk.
  Real wx_[MaxDims]{}, wy_[MaxDims]{}, wpc_[MaxDims]{}, waz_[MaxDims]{};
  Real wc_[MaxDims][MaxDims]{}, wa_[MaxDims][MaxDims]{};
  // The Gaussian process.
  Real t_[MaxObs][MaxDims]{};
  Real y_[MaxObs]{}, z_[MaxObs]{}, alpha_[MaxObs]{}, kv_[MaxObs]{}, v_[MaxObs]{};
  Real tri0_[kTri]{}, tri1_[kTri]{};
  Real theta_[MaxDims + 1]{};
  Real gwork_[Gp::kWorkD * MaxDims + 1]{};
  // The local engine.
  Real ulo_[MaxDims]{}, uhi_[MaxDims]{}, xbase_[MaxDims]{}, gopt_[MaxDims]{}, sl_[MaxDims]{};
  Real su_[MaxDims]{}, xopt_[MaxDims]{}, xnew_[MaxDims]{}, d_[MaxDims]{}, xalt_[MaxDims]{};
  Real lcand_[MaxDims]{};
  Real xpt_[kM][MaxDims]{};
  Real fval_[kM]{}, pq_[kM]{};
  Real hq_[MaxDims * (MaxDims + 1) / 2]{};
  Real h_[kK][kK]{};
  Real lwork_[Local::kWorkD * MaxDims + 2 * kK + kM]{};
  int32_t piv_[kK]{};
  Core core_;
};

}  // namespace starling
