// SPDX-License-Identifier: MIT
// starling/cmaes.hpp: the covariance matrix adaptation evolution strategy
// ((μ/μ_w, λ)-CMA-ES with IPOP restarts) in a fixed block of memory, driven by
// ask/tell.
//
//   starling::Cmaes<8, 32> es;                       // D <= 8, λ <= 32, float
//   starling::CmaesConfig cfg;  cfg.max_evals = 2000;
//   if (es.init(lo, hi, 3, 0, cfg, 42) != starling::Status::Ok) ...
//   while (const float* x = es.ask()) es.tell(run_episode(x));
//   use(es.best_position(), es.best_value());
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "starling/detail/generation.hpp"
#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"
#include "starling/status.hpp"

namespace starling {

/// The covariance model.
enum class CmaesForm : int {
  Auto,       ///< Full up to CmaesConfig::separable_above dimensions, Separable above
  Full,       ///< a full covariance matrix: rotated, correlated problems
  Separable,  ///< sep-CMA-ES (Ros & Hansen 2008): diagonal, O(D) a sample, faster learning
};

/// Settings. A default-constructed CmaesConfig is the recommended setting:
/// the learning rates of Hansen's tutorial ("The CMA Evolution Strategy: A
/// Tutorial", arXiv:1604.00772, Table 1), IPOP restarts (Auger & Hansen,
/// CEC 2005), start at the box centre with σ0 = 0.3 of each range.
struct CmaesConfig {
  /// Generations (of all restarts together). >= 1.
  int max_iter = 1000;
  /// Stop after this many evaluations, also mid-generation. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN and +inf are invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many generations without improving the best. 0 = off.
  int stall_iter = 0;

  /// Initial step size as a fraction of each range (hi − lo), (0, 1]. The
  /// search runs in coordinates scaled by the ranges, so 0.3 puts the first
  /// samples' ±1σ at 30 % of every range around the mean (pycma advises a
  /// σ0 of about a quarter to a third of the domain; pagmo2 uses 0.5).
  float sigma0 = 0.3f;
  /// IPOP: when a run has converged (see Cmaes) the next starts from a
  /// random point of the box with twice the population, up to MaxPop; off,
  /// it restarts with the same population.
  bool ipop = true;
  /// Full covariance, diagonal (separable) or chosen by dims (Auto).
  CmaesForm form = CmaesForm::Auto;
  /// CmaesForm::Auto takes the separable model above this many dimensions
  /// (docs/optimizers.md: measured at D = 10 and 30), >= 1.
  int separable_above = 40;
};

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const CmaesConfig& cfg) noexcept;

namespace detail {
/// validate(c) == Ok as one expression (the one statement of the rules;
/// validate() is its out-of-line copy), so that init folds it to a constant
/// where the config is one.
STARLING_ALWAYS_INLINE bool cmaes_config_ok(const CmaesConfig& c) noexcept {
  return valid_stop_rules(stop_rules_of(c)) && std::isfinite(c.sigma0) && c.sigma0 > 0.f &&
         c.sigma0 <= 1.f && static_cast<int>(c.form) >= 0 && static_cast<int>(c.form) <= 2 &&
         c.separable_above >= 1;
}
/// validate(c) == Ok, computed in the caller (init): a constant config folds
/// to a constant (no code, no call), any other calls validate().
STARLING_ALWAYS_INLINE bool cmaes_config_valid(const CmaesConfig& c) noexcept {
#if defined(__GNUC__)
  const bool ok = cmaes_config_ok(c);
  if (__builtin_constant_p(ok)) return ok;
#endif
  return validate(c) == Status::Ok;
}
}  // namespace detail

namespace detail {

/// The size-erased core of Cmaes: everything but the arrays.
template <class Real>
class CmaesCore {
 public:
  struct Arrays {   // views into the owning Cmaes's storage
    Real* x;        // [max_pop][stride] this generation's candidates
    Real* f;        // [max_pop] their costs (NaN: not told)
    int32_t* order; // [max_pop] scratch: candidates by cost
    Real* m;        // [stride] mean
    Real* ps;       // [stride] evolution path of σ
    Real* pc;       // [stride] evolution path of C
    Real* d;        // [stride] √ of C's eigenvalues (Separable: √C_ii)
    Real* t1;
    Real* t2;       // [stride] scratch
    Real* c;        // [stride][stride] C in the upper triangle; the
                    // eigen-solver's work in the strict lower one
    Real* b;        // [stride][stride] eigenvectors of C (columns)
    Real* best;
    Real* lo;
    Real* hi;       // [stride]
    int stride, max_dims, max_pop;
  };
  using Base = OptCore<Real>;
  /// Draw stream (key word 2): "CMA1".
  static constexpr uint32_t kStream = 0x434D4131u;
  using Feasible = typename Base::Feasible;

  /// cfg_valid: validate(cfg) == Ok, computed by the caller (cmaes_config_valid).
  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
              const CmaesConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
  const Real* ask(const Arrays& a) noexcept { return gen_.ask(base_, box(a), a.x, a.stride); }
  Status tell(const Arrays& a, Real cost) noexcept;
  int ask_batch(const Arrays& a, const Real** xs, int cap) noexcept {
    return gen_.ask_batch(base_, box(a), a.x, a.stride, a.f, lambda_, xs, cap);
  }
  Status tell_batch(const Arrays& a, int k, Real cost) noexcept {
    return gen_.tell_batch(base_, a.f, k, cost, [&](Real f) { tell_one(a, f); });
  }
  int batch_size() const noexcept { return gen_.batch_n; }

  Status set_feasible(Feasible pred, void* ctx, int max_tries) noexcept {
    return base_.set_feasible(pred, ctx, max_tries);
  }
  Status set_trust_radius(float fraction) noexcept { return base_.set_trust_radius(fraction); }
  Status set_start(const Arrays& a, const Real* x) noexcept;
  long infeasible_count() const noexcept { return base_.infeasible_count(); }
  long fallback_count() const noexcept { return base_.fallback_count(); }
  float trust_radius() const noexcept { return base_.trust_radius(); }

  /// Saved-state format (src/cmaes_state.cpp; layout at Cmaes::save).
  static constexpr size_t kConfigBytes = 24;
  static constexpr size_t kOwnFixedBytes = 48;
  static constexpr size_t state_size(int dims, int lambda) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnFixedBytes +
           sizeof(Real) * (9 + 4 * static_cast<size_t>(dims) +
                           static_cast<size_t>(dims) * (static_cast<size_t>(dims) + 1) / 2 +
                           static_cast<size_t>(dims) * static_cast<size_t>(dims) +
                           static_cast<size_t>(lambda) * (static_cast<size_t>(dims) + 1)) +
           Base::kSealBytes;
  }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// Cmaes::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims(), lambda_) : 0; }

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  /// λ of the current run, and of the first.
  int population() const noexcept { return lambda_; }
  int initial_population() const noexcept { return lambda0_; }
  /// Restarts so far.
  int restarts() const noexcept { return restarts_; }
  /// The step size σ (in range-scaled coordinates).
  Real sigma() const noexcept { return sigma_; }
  bool separable() const noexcept { return sep_; }
  const CmaesConfig& config() const noexcept { return cfg_; }

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  void tell_one(const Arrays& a, Real f) noexcept;
  void end_generation(const Arrays& a) noexcept;
  void setup(int lambda) noexcept;
  // The arrays of a state, live or in a saved blob (C: the live matrix, or
  // the blob's upper triangle packed row by row).
  struct OwnCells {
    Cells<Real> m, ps, pc, d, c, b, x, f;
    bool packed;
  };
  // The state check (Cmaes::check_invariants lists it): the one function
  // behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept;
  static OwnCells saved_cells(const uint8_t* p, int n, int lambda) noexcept;
  void fresh_run(const Arrays& a) noexcept;
  bool update(const Arrays& a) noexcept;
  void eigen(const Arrays& a) noexcept;
  void sample(const Arrays& a) noexcept;
  Real weight(int k) const noexcept;
  int window() const noexcept;

  // All zero bits until init() (a static Cmaes is constant-initialized into .bss).
  Base base_;
  CmaesConfig cfg_{0, 0, 0.f, 0, 0.f, false, CmaesForm::Auto, 0};
  GenCursor<Real> gen_;
  // The run's state (saved).
  Real sigma_ = 0;
  Real decay_ = 0;      // (1 − cσ)^(2g) of the run's generation g, for h_σ
  Real gen_best_ = 0;   // the previous generation's best cost (flat test)
  long eigen_evals_ = 0; // evaluations at the last eigendecomposition
  int lambda_ = 0, lambda0_ = 0, lambda_cap_ = 0;
  int restarts_ = 0;
  int flat_ = 0;        // generations in a row whose costs were flat
  // Stagnation windows: the mean of the generations' median costs in each
  // of the last kWindows windows (a ring), and the open window's sum.
  static constexpr int kWindows = 5;
  Real win_[kWindows] = {};
  Real win_sum_ = 0;
  int win_len_ = 0;     // generations in the open window
  int windows_ = 0;     // windows completed in this run
  bool sep_ = false;
  // Derived from λ and D (recomputed by setup, not saved).
  int mu_ = 0;
  Real wlog_ = 0;       // ln((λ + 1)/2)
  Real wpos_ = 0;       // Σ of the positive raw weights
  Real wneg_ = 0;       // scale of the negative ones: α⁻/Σ|negative raw weights|
  Real wtotal_ = 0;     // Σ of all weights, 1 − α⁻
  Real mueff_ = 0, cs_ = 0, ds_ = 0, cc_ = 0, c1_ = 0, cmu_ = 0, chin_ = 0;
};

extern template class CmaesCore<float>;
extern template class CmaesCore<double>;

/// 4 + floor(3 ln D), Hansen's default λ, in integers: floor(3 ln D) = k
/// for the largest k with ceil(e^(k/3)) <= D (thresholds below).
constexpr int cmaes_default_population(int dims) noexcept {
  constexpr int kThresholds[] = {2, 2, 3, 4, 6, 8, 11, 15, 21, 29, 40,
                                 55, 77, 107, 149, 208, 290, 404, 564, 786, 1097, 1531,
                                 2136, 2981, 4161, 5807, 8104, 11309, 15783, 22027, 30741, 42902};
  int k = 0;
  for (int t : kThresholds)
    if (dims >= t) ++k;
  return 4 + k;
}

/// The population init() uses: `population`, or for 0 the default for
/// dims capped at the capacity (computed in the caller, where it folds).
constexpr int cmaes_population(int population, int dims, int max_pop) noexcept {
  return population != 0 || dims < 1 ? population
         : cmaes_default_population(dims) < max_pop ? cmaes_default_population(dims)
                                                   : max_pop;
}

}  // namespace detail

/// CMA-ES with room for MaxDims dimensions and up to MaxPop samples a
/// generation (λ; IPOP grows it up to MaxPop), all in the object (no heap).
///
/// The method (docs/optimizers.md; Hansen's tutorial): each generation
/// samples x_k = m + σ·r∘(B·(d∘z_k)), z_k ~ N(0, I) from the counter-based
/// generator (Box–Muller on det_math's log and sin/cos), r the ranges, so
/// the search runs in range-scaled coordinates with C = B·diag(d²)·Bᵀ; the
/// μ = λ/2 best move the mean with the log-rank weights; the evolution
/// paths p_σ (cumulative step-size adaptation) and p_c (rank-one update)
/// and the rank-μ update adapt σ and C. The eigendecomposition (cyclic
/// Jacobi, in place in C's storage) is refreshed lazily, when
/// λ/((c1 + cμ)·D·10) evaluations have passed since the last.
///
/// Box: a sample coordinate outside [lo, hi] is put on the bound (the
/// candidate asked is the repaired point), and the update uses the repaired
/// point, its step y shortened where needed so that its Mahalanobis length
/// ‖C^-½·y‖ stays below √D + 2D/(D + 2) (Hansen's rule for injected
/// solutions): the distribution follows what was evaluated without the
/// repair's outliers dominating C. Measured against pycma-style resampling in
/// docs/optimizers.md.
///
/// Restarts: a run is over when, for 10 + ⌈30·D/λ⌉ generations in a row,
/// each generation's costs were flat (worst − best and the change of the
/// best both <= 1e-12 + 16ε·|best|: pycma's tolfun, in Real's precision);
/// when it stagnates (pycma's tolstagnation: the mean of the generations'
/// median costs over the last fifth of T = 100 + 100·D^1.5/λ generations is
/// no better than over the fifth four windows earlier); when no coordinate
/// of the mean moves any more by 0.2σ of its axis; when C's axis ratio
/// exceeds 1/(2√ε) (1.4e3 in float, 3.4e7 in double); or when σ·max axis
/// exceeds 1000 ranges. The next run starts at a uniform random point with
/// σ0, C = I, and twice the population under IPOP. The incumbent
/// (best_position) is kept across runs.
///
/// Memory: sizeof(Cmaes) = sizeof(Real)·(MaxPop·(MaxDims + 1) + 2·MaxDims²
/// + 9·MaxDims) + 4·MaxPop + sizeof(detail::CmaesCore<Real>): candidates and
/// costs, C and B, nine vectors (mean, two paths, axis lengths, two
/// scratch, incumbent, bounds), an order index, and the core (312 bytes
/// for float on x86-64, tested). E.g. float, D = 8, λ <= 32: 2,392 bytes.
/// (Double with an odd MaxPop adds 4 bytes of alignment padding.)
///
/// Time: ask() and tell() are O(1) except the tell() that ends a
/// generation: O(λ·D² + μ·D²) for the update and the next samples
/// (Separable: O(λ·D)), plus O(sweeps·D³) when the eigendecomposition is
/// refreshed (about every generation for small λ; 6 to 10 sweeps).
///
/// The shared members (OptimizerFacade, BatchFacade): the tell() that
/// completes a generation updates the distribution and samples the next;
/// iteration() counts the generations of all runs (restarts included);
/// set_start() gives the mean of the first run, and its first candidate.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and CMA-ES's (λ the
/// current population, λ0 the first, c the candidate asked next):
///  E1  the config passes validate(), its stop rules are the common
///      section's; the separable form exactly as the config and D give it.
///  E2  4 <= λ0 <= λ <= the λ limit <= 2^24; λ = λ0 without restarts or
///      without IPOP; 0 <= restarts, flat count, completed windows <=
///      iteration; 0 <= the evaluations at the last eigendecomposition <=
///      evaluations; 0 <= generations in the open window < its length.
///  E3  0 <= c < λ, c (+ 1 after a stop by Target or MaxEvals) <=
///      evaluations; a pending ask: running, no batch; an open batch of n:
///      running, no pending ask, n <= λ − c and <= the evaluations
///      max_evals leaves, 0 <= told < n.
///  E4  σ finite and > 0; (1 − cσ)^(2g) in [0, 1]; the previous
///      generation's best never NaN or −inf.
///  E5  the mean finite and in the box; the paths finite; the axis lengths
///      in (0, max]; C's upper triangle finite with a diagonal >= 0; B's
///      entries in [−1, 1].
///  E6  every candidate finite and in the box; costs before c (and the one
///      whose tell stopped the run) never NaN or −inf and >= the best
///      value; NaN after c except the open batch's told costs (not −inf),
///      exactly `told` of them.
///  E7  a start point with nothing evaluated is the mean and candidate 0.
///  E8  the pending candidate and the open batch are in the box and in the
///      trust box of the clip radius around the incumbent
///      (OptCore::candidate).
/// Not checkable from the state, so not checked: that a point passes the
/// feasibility predicate, that C = B·diag(d²)·Bᵀ between refreshes, and
/// the derived weights and rates (load recomputes them).
template <int MaxDims, int MaxPop, class Real = float>
class Cmaes : public BatchFacade<Cmaes<MaxDims, MaxPop, Real>, detail::CmaesCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1, "MaxDims must be at least 1");
  static_assert(MaxPop >= 4, "CMA-ES needs at least 4 samples a generation");
  static_assert(static_cast<long long>(MaxDims) * (MaxDims + MaxPop) <= (1LL << 24),
                "capacity too large");

 public:
  /// The capacity in dimensions (template argument).
  static constexpr int kMaxDims = MaxDims;
  /// The capacity in population (template argument).
  static constexpr int kMaxPop = MaxPop;

  /// Validates and starts a run over the box [lo, hi] (each `dims` long):
  /// mean at the box centre (set_start moves it), σ0·range. population = 0
  /// picks default_population(dims) = 4 + floor(3 ln D), capped at MaxPop.
  /// Returns InvalidArgument (lo or hi null, dims < 1, population 1 .. 3 or
  /// negative, an invalid interval as for Pso::init, a config value out of
  /// range), CapacityExceeded (dims > MaxDims or population > MaxPop), Ok.
  /// On failure the optimizer is left not ready.
  [[nodiscard]] STARLING_ALWAYS_INLINE Status init(const Real* lo, const Real* hi, int dims, int population,
                            const CmaesConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, detail::cmaes_population(population, dims, MaxPop), cfg, seed,
                      detail::cmaes_config_valid(cfg));
  }
  /// The population init() picks for population 0 (before the cap at the capacity).
  static constexpr int default_population(int dims) noexcept {
    return detail::cmaes_default_population(dims);
  }

  // ---- Safe tuning: Pso's envelope (see Pso::set_feasible) -------------------
  // A candidate the filters change is what is evaluated and what the update
  // uses (as a repaired sample).

  // ---- Save and resume --------------------------------------------------------
  //
  // save() writes the whole run; load() into any Cmaes with the same Real
  // and room for it (dims, the current λ and the run's λ limit) continues it
  // bit for bit on any target. Format version 1, little-endian, IEEE-754
  // bits, the family's layout (detail/opt_core.hpp); D dims, L = λ of the
  // current run, R = sizeof(Real):
  //   header (16)  magic "SCMA", version u16 (1), R u8, 0 u8, D u32, L u32
  //   config (24)  sigma0 f32, form u8, flags u8 (bit 0 ipop), 2 reserved
  //                (0), separable_above i32, 12 reserved bytes (0)
  //   common (76 + R·(2 + 3·D))  OptCore::save_common
  //   own (48 + R·(9 + 4·D + D(D+1)/2 + D² + L·(D + 1)))  λ0, λ limit,
  //                restarts, flat count, cursor, batch size, batch told,
  //                generations in the open stagnation window, windows
  //                completed (i32 each), separable u8, 3 reserved (0),
  //                evaluations at the last eigendecomposition i64; σ,
  //                (1 − cσ)^(2g), previous generation's best, the open
  //                window's sum, the last 5 windows' means (R each); mean,
  //                p_σ, p_c, axis lengths [D]; C's upper triangle row by
  //                row; B [D][D]; candidates [L][D]; costs [L] (NaN: not told)
  //   seal (8)     reserved u32 (0), CRC-32/IEEE of every byte before it
  // save_size() = 172 + R·(11 + 7·D + D(D+1)/2 + D² + L·(D + 1)) bytes.

  /// Bytes save() can ever write for this capacity.
  static constexpr size_t kMaxSaveSize = detail::CmaesCore<Real>::state_size(MaxDims, MaxPop);

  /// λ of the current run.
  int population() const noexcept { return core_.population(); }
  /// Restarts so far in this run.
  int restarts() const noexcept { return core_.restarts(); }
  /// The current mean (the distribution's centre).
  const Real* mean() const noexcept { return m_; }
  /// The size-erased core, for tests and tools.
  const detail::CmaesCore<Real>& core() const noexcept { return core_; }

 private:
  friend class OptimizerFacade<Cmaes<MaxDims, MaxPop, Real>, detail::CmaesCore<Real>, Real>;
  typename detail::CmaesCore<Real>::Arrays arrays() noexcept {
    return {&x_[0][0], f_, order_, m_, ps_, pc_, d_, t1_, t2_, &c_[0][0], &b_[0][0],
            best_, lo_, hi_, MaxDims, MaxDims, MaxPop};
  }

  Real x_[MaxPop][MaxDims]{};
  Real f_[MaxPop]{};
  Real c_[MaxDims][MaxDims]{};
  Real b_[MaxDims][MaxDims]{};
  Real m_[MaxDims]{}, ps_[MaxDims]{}, pc_[MaxDims]{}, d_[MaxDims]{};
  Real t1_[MaxDims]{}, t2_[MaxDims]{};
  Real best_[MaxDims]{}, lo_[MaxDims]{}, hi_[MaxDims]{};
  int32_t order_[MaxPop]{};
  detail::CmaesCore<Real> core_;
};

}  // namespace starling
