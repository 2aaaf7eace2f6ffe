// SPDX-License-Identifier: MIT
// starling/spsa.hpp: simultaneous perturbation stochastic approximation
// (Spall), two evaluations a step, for noisy costs, in a fixed block of memory,
// driven by ask/tell.
//
//   starling::Spsa<8> spsa;                         // D <= 8, float
//   if (spsa.init(lo, hi, 3, 0, starling::SpsaConfig{}, 42) != starling::Status::Ok) ...
//   while (const float* x = spsa.ask()) spsa.tell(run_episode(x));
//   use(spsa.theta());          // the iterate: the answer for a noisy cost
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"
#include "starling/status.hpp"

namespace starling {

/// Settings. A default-constructed SpsaConfig is the recommended setting:
/// Spall's exponents, A from the planned number of steps, the gain a
/// calibrated so that the first step moves each coordinate by 5 % of its
/// range, perturbations of 5 % of each range, θ measured every step.
///
/// Coordinates are scaled to the box: u = (x − lo)/(hi − lo), so c, the
/// steps and the gradient are in units of the range, and one setting suits
/// boxes of any size. Step k (k = 0, 1, ...):
///   c_k = c/(k + 1)^γ,  a_k = a/(A + k + 1)^α,
///   Δ_d = ±1 (Rademacher), x± = clamp(θ ± c_k·Δ·(hi − lo)),
///   y± = mean of n_avg measurements at x±,
///   ĝ_d = (y+ − y−)/(u+_d − u−_d),  θ_d ← clamp(θ_d − clip(a_k·ĝ_d)·(hi_d − lo_d))
/// where clamp projects onto the box and clip limits each coordinate's move
/// to ±max_step. The denominator is the actual distance between the two
/// (projected) points, 2·c_k away from the bounds and c_k .. 2·c_k when one
/// point was clamped: a one-sided difference there instead of a false
/// gradient. A step whose y+ − y− is not finite (a NaN or ±inf cost) moves
/// nothing.
///
/// Sources: Spall, "Implementation of the simultaneous perturbation
/// algorithm for stochastic optimization", IEEE Trans. AES 34(3), 1998
/// (the gain sequences, α = 0.602, γ = 0.101, A ≈ 10 % of the iterations,
/// a from the desired change in early iterations, c about the noise's
/// standard deviation); Spall, IEEE TAC 37(3), 1992 (the method).
///
/// A range written (0, x] refuses values below 1e-30 as well (none of
/// them is of use), and validate() refuses NaN and ±inf everywhere.
struct SpsaConfig {
  /// Steps (each 2·n_avg evaluations). The evaluation of the initial point
  /// θ0 counts as the first generation, each step as one more. >= 1.
  int max_iter = 1000;
  /// Stop after this many evaluations, also mid-step. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN and +inf are invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many generations without improving the best. 0 = off.
  int stall_iter = 0;
  /// Gain numerator a (in range units per unit of cost gradient); 0 =
  /// calibrate it (Spall's advice: from the desired change in the early
  /// iterations): over the first `calibrate` steps with a finite nonzero
  /// y+ − y−, a = first_step·(A + 1)^α / mean(|y+ − y−|/(2·c_k)), so the
  /// first step moves every coordinate by first_step and later ones about
  /// as much; a step with y+ = y− during calibration moves nothing.
  /// Range [0, 1e30].
  float a = 0.f;
  /// The calibrated first step as a fraction of each range. Range (0, 1].
  float first_step = 0.05f;
  /// Steps whose gradient estimates the calibration averages (one alone
  /// is fragile: |y+ − y−| is near 0 whenever Δ happens to be nearly
  /// orthogonal to the gradient, which is common at small D).
  /// Range [1, 1000].
  int calibrate = 4;
  /// Perturbation c as a fraction of each range. For a noisy cost, Spall
  /// suggests about the noise's standard deviation: raise it until y+ − y−
  /// is well above the noise. Range (0, 0.5].
  float c = 0.05f;
  /// Decay exponents of a_k and c_k: Spall's practical values 0.602 and
  /// 0.101 (the asymptotically optimal 1 and 1/6 adapt worse in practice).
  /// Ranges (0, 1] and [0, 1].
  float alpha = 0.602f;
  /// Exponent of the perturbation sequence c_k = c/(k + 1)^gamma. Range [0, 1].
  float gamma = 0.101f;
  /// The stability constant A; negative = 10 % of the planned steps (from
  /// max_iter and, when set, max_evals). Range [0, 1e9] or negative.
  float stability = -1.f;
  /// Largest move of a coordinate in one step, as a fraction of its range:
  /// guards against one outlying measurement. Range (0, 1].
  float max_step = 0.2f;
  /// Measurements of each of the two points per step (averaged): trades
  /// evaluations for a less noisy gradient. Range [1, 64].
  int n_avg = 1;
  /// Measure θ itself once at the start of every theta_every-th step
  /// (steps 0, e, 2e, ...), so that the incumbent follows the iterate.
  /// Default 1: three evaluations a step instead of two, but
  /// best_position() is then a point SPSA believes in; 0 = Spall's plain
  /// method, which never evaluates θ (the incumbent is then a perturbed
  /// point, c_k away from θ: on bench_quality's noise-free PID tasks and
  /// noisy sphere it lost to 1 in almost every cell). Range [0, 2^20].
  int theta_every = 1;
};

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const SpsaConfig& cfg) noexcept;

namespace detail {
/// validate(c) == Ok as one expression (the one statement of the rules;
/// validate() is its out-of-line copy), so that init folds it to a constant
/// where the config is one.
STARLING_ALWAYS_INLINE bool spsa_config_ok(const SpsaConfig& c) noexcept {
  return finite_in(c.a, 0.f, 1e30f) && finite_in(c.first_step, 1e-30f, 1.f) &&
         finite_in(c.c, 1e-30f, 0.5f) && finite_in(c.alpha, 1e-30f, 1.f) && finite_in(c.gamma, 0.f, 1.f) &&
         finite_in(c.stability, -3.4e38f, 1e9f) && finite_in(c.max_step, 1e-30f, 1.f) &&
         valid_stop_rules(stop_rules_of(c)) && c.n_avg >= 1 && c.n_avg <= 64 && c.theta_every >= 0 &&
         c.theta_every <= (1 << 20) && c.calibrate >= 1 && c.calibrate <= 1000;
}
/// validate(c) == Ok, computed in the caller (init): a constant config folds
/// to a constant (no code, no call), any other calls validate().
STARLING_ALWAYS_INLINE bool spsa_config_valid(const SpsaConfig& c) noexcept {
#if defined(__GNUC__)
  const bool ok = spsa_config_ok(c);
  if (__builtin_constant_p(ok)) return ok;
#endif
  return validate(c) == Status::Ok;
}
}  // namespace detail

namespace detail {

/// Everything of an SPSA run but its arrays (size-erased).
template <class Real>
class SpsaCore {
 public:
  struct Arrays {     // views into the owning Spsa's storage
    Real* theta;      // [stride] the iterate
    Real* xp;         // [stride] θ + c_k·Δ, projected (and filtered at its first ask)
    Real* xm;         // [stride] θ − c_k·Δ
    Real* x;          // [stride] the candidate handed out
    Real* lo; Real* hi; Real* best;
    int stride;
    int max_dims;
  };
  using Base = OptCore<Real>;
  /// The draw stream (key word 2, "SPS1").
  static constexpr uint32_t kStream = 0x53505331u;
  /// Draw tags: step k's Δ_d is bit d % 32 of word (d / 32) % 4 of block
  /// {d / 128, 0, k, kTagDelta}, bit 1 = −1; θ0's coordinate d is uniform
  /// in [lo, hi] from word d % 4 of block {d / 4, 0, 0, kTagStart}.
  enum : uint32_t { kTagDelta = 1, kTagStart = 2 };
  enum class Phase : uint8_t { Center, Step };
  using Feasible = typename Base::Feasible;

  /// cfg_valid: validate(cfg) == Ok, computed by the caller (spsa_config_valid).
  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
              const SpsaConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
  const Real* ask(const Arrays& a) noexcept;
  Status tell(const Arrays& a, Real cost) noexcept;

  Status set_feasible(Feasible pred, void* ctx, int max_tries) noexcept {
    return base_.set_feasible(pred, ctx, max_tries);
  }
  Status set_trust_radius(float fraction) noexcept { return base_.set_trust_radius(fraction); }
  Status set_start(const Arrays& a, const Real* x) noexcept;
  long infeasible_count() const noexcept { return base_.infeasible_count(); }
  long fallback_count() const noexcept { return base_.fallback_count(); }
  float trust_radius() const noexcept { return base_.trust_radius(); }

  static constexpr size_t kConfigBytes = 40;
  /// Measurements of step k: 2·n_avg, plus one when θ is measured.
  int step_measurements(uint32_t k) const noexcept {
    return 2 * cfg_.n_avg + (measures_theta(k) ? 1 : 0);
  }
  bool measures_theta(uint32_t k) const noexcept {
    return cfg_.theta_every > 0 && k % static_cast<uint32_t>(cfg_.theta_every) == 0;
  }
  static constexpr size_t kOwnFixedBytes = 12;
  static constexpr size_t state_size(int dims) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnFixedBytes +
           sizeof(Real) * (4 + 4 * static_cast<size_t>(dims)) + Base::kSealBytes;
  }
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// Spsa::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  const SpsaConfig& config() const noexcept { return cfg_; }
  /// The gain numerator in use (0 until calibrated) and A.
  Real gain() const noexcept { return a_; }
  Real stability() const noexcept { return big_a_; }
  /// c_k of the current step (fraction of the range).
  Real perturbation() const noexcept { return ck_; }

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  void derive() noexcept;
  void rederive() noexcept;  // derive() and c_k of the current step
  // The arrays of a state, live or in a saved blob.
  struct OwnCells {
    Cells<Real> theta, xp, xm, x;
  };
  // The state check (Spsa::check_invariants lists it): the one function
  // behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept;
  void begin_step(const Arrays& a) noexcept;
  void update(const Arrays& a) noexcept;
  void finish(const Arrays& a) noexcept;
  int theta_offset() const noexcept {
    return measures_theta(static_cast<uint32_t>(base_.iteration() - 1)) ? 1 : 0;
  }

  // Zero bits until init (constant-initialized into .bss).
  Base base_;
  SpsaConfig cfg_{0, 0, 0.f, 0, 0.f, 0.f, 0, 0.f, 0.f, 0.f, 0.f, 0.f, 0, 0};
  Real a_ = 0;        // gain numerator (0: not calibrated yet)
  Real cal_sum_ = 0;  // calibration: sum of |y+ − y−|/(2·c_k) so far
  int cal_n_ = 0;     // calibration: estimates summed
  Real big_a_ = 0;    // A (derived from the config and the stop rules)
  Real ck_ = 0;       // c_k of the current step (derived from k)
  Real sum_p_ = 0, sum_m_ = 0;  // measurements of x+ and x− so far in this step
  Phase phase_ = Phase::Center;
  int trial_ = 0;     // measurements made in this step (θ first if measured, then x+, x−, ...)
};

extern template class SpsaCore<float>;
extern template class SpsaCore<double>;

}  // namespace detail

/// SPSA over a box with room for MaxDims dimensions, all in the object.
///
/// The run: the first evaluation is θ0 (uniform in the box, or the start
/// point), then each step measures θ if theta_every says so, then x+ and
/// x− alternately (x+, x−, x+, ..., n_avg times each) and moves θ (see
/// SpsaConfig for the rules). The
/// incumbent best_position() is the best single measurement; with a noisy
/// cost it is an optimistic pick, and theta(), the iterate, is usually the
/// better answer. population must be 0.
///
/// Memory: sizeof(Spsa) = sizeof(Real)·7·MaxDims + sizeof(detail::SpsaCore
/// <Real>), rounded up to a multiple of 8: θ, x+, x−, the candidate, lo, hi
/// and the incumbent; the core is 232 bytes for float on x86-64 and 192 on
/// Cortex-M (tests/core/test_spsa.cpp checks). E.g. float, D = 8: 224 + 192
/// = 416 bytes on Cortex-M.
///
/// Time: ask() O(D), tell() O(1) except the last of a step, O(D) plus two
/// det_pow calls (about 40 flops each).
///
/// No ask_batch: the 2·n_avg measurements of a step are independent and
/// could be handed out together, but a serial-equivalent batch would have
/// to keep each measurement's cost until the last one arrives (2·n_avg
/// more values in every object); hosts that want parallel episodes should
/// use a population method.
///
/// The shared members (OptimizerFacade): a generation is the evaluation of
/// θ0, then one step each; set_start() gives θ0; best_position() is the
/// best single measurement.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and SPSA's:
///  S1  the config passes validate(); its stop rules are the common
///      section's (and A, and c_k while running, are what the config and
///      the step give, live only: load recomputes them).
///  S2  phase Center exactly at iteration 0; the step's measurements m in
///      [0, 2·n_avg + 1 if the step measures θ), 1 at iteration 0).
///  S3  the gain a finite and >= 0: the config's a (no calibration
///      estimates, sum 0) unless a = 0, where 0 <= estimates <=
///      min(calibrate, iteration), the sum finite, >= 0 and 0 exactly
///      without estimates, and a = 0 exactly without estimates.
///  S4  the sums of the x+ and x− measurements never NaN or −inf, and 0
///      before their point was measured in this step.
///  S5  evaluations = 1 + (k − 1)·2·n_avg + the θ measurements of the
///      first k − 1 steps + m at iteration k >= 1 (m at iteration 0), plus
///      1 after a stop by Target or MaxEvals.
///  S6  θ, x+, x− and the candidate finite and in the box.
///  S7  a start point with nothing evaluated is θ, x+, x− and the
///      candidate.
///  S8  a pending candidate is in the box and in the trust box of the clip
///      radius around the incumbent (OptCore::candidate).
/// Not checkable from the state, so not checked: that a point passes the
/// feasibility predicate, and θ after the first step (it follows from the
/// whole history).
template <int MaxDims, class Real = float>
class Spsa : public OptimizerFacade<Spsa<MaxDims, Real>, detail::SpsaCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 4096, "MaxDims must be in [1, 4096]");

 public:
  /// The capacity in dimensions (template argument).
  static constexpr int kMaxDims = MaxDims;
  /// No population: init() accepts only 0.
  static constexpr bool kHasPopulation = false;
  /// The size-erased core: everything but the arrays, one copy of the code per Real type.
  using Core = detail::SpsaCore<Real>;

  /// Validates and starts a run over the box [lo, hi]; θ0 is drawn
  /// uniformly in the box (set_start replaces it).
  /// Returns InvalidArgument (lo or hi null, dims < 1, population not 0, an
  /// invalid interval as for Pso::init, a config value out of range),
  /// CapacityExceeded (dims > MaxDims), Ok. On failure: not ready.
  [[nodiscard]] STARLING_ALWAYS_INLINE Status init(const Real* lo, const Real* hi, int dims, int population,
                            const SpsaConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, population, cfg, seed, detail::spsa_config_valid(cfg));
  }

  // ---- Safe tuning: Pso's semantics (see Pso::set_feasible) ----------------
  // Each measurement's point passes the filters when first asked (draw
  // index: the measurement's number in its step, θ's included). The gradient uses the
  // points handed out at the step's first x+ and first x−; with a filter
  // on, a repeat (n_avg > 1) is filtered again against the incumbent of its
  // time and may differ from them. The start point becomes θ0.

  // ---- Save and resume ------------------------------------------------------
  //   header (16)  magic "SSPS", version u16 (1), R u8, 0 u8, D u32, 0 u32
  //   config (40)  a, first_step, c, alpha, gamma, stability, max_step f32,
  //                n_avg, theta_every, calibrate i32
  //   common (76 + R·(2 + 3·D))  OptCore::save_common
  //   own (12 + R·(4 + 4·D))  phase u8, 3 reserved bytes (0), measurements
  //                made in the step, calibration estimates (i32 each); gain
  //                a, calibration sum, sums of the x+ and x− measurements
  //                (R each); θ[D], x+[D], x−[D], candidate[D]
  //   seal (8)     reserved u32 (0), CRC-32/IEEE
  // save_size() = 152 + R·(6 + 7·D); e.g. float, D = 8: 400 bytes. A and c_k
  // are recomputed.

  /// Bytes save() can ever write for this capacity.
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims);

  /// The iterate θ (dims values inside the box), valid after init.
  const Real* theta() const noexcept { return theta_; }
  /// The gain numerator a (0 until calibrated), A, and the current c_k.
  Real gain() const noexcept { return core_.gain(); }
  /// The stability constant A of the gain sequence in use (derived from the config and the stop
  /// rules).
  Real stability() const noexcept { return core_.stability(); }
  /// The perturbation size c_k of the current step, as a fraction of each range.
  Real perturbation() const noexcept { return core_.perturbation(); }

 private:
  friend class OptimizerFacade<Spsa<MaxDims, Real>, detail::SpsaCore<Real>, Real>;
  typename Core::Arrays arrays() noexcept {
    return {theta_, xp_, xm_, x_, lo_, hi_, best_, MaxDims, MaxDims};
  }

  Real theta_[MaxDims]{}, xp_[MaxDims]{}, xm_[MaxDims]{}, x_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{};
  Core core_;
};

}  // namespace starling
