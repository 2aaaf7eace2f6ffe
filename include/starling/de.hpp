// SPDX-License-Identifier: MIT
// starling/de.hpp: differential evolution with success-history parameter
// adaptation (SHADE / L-SHADE) in a fixed block of memory, driven by ask/tell.
//
//   starling::De<8, 64> de;                          // D <= 8, N <= 64, float
//   starling::DeConfig cfg;  cfg.max_evals = 2000;   // a budget turns on L-SHADE
//   if (de.init(lo, hi, 3, 0, cfg, 42) != starling::Status::Ok) ...
//   while (const float* x = de.ask()) de.tell(run_episode(x));
//   use(de.best_position(), de.best_value());
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

/// Settings. A default-constructed DeConfig is the recommended setting:
/// L-SHADE's (Tanabe & Fukunaga, "Improving the search performance of SHADE
/// using linear population size reduction", CEC 2014) with the population
/// and archive sized for short budgets (docs/optimizers.md has the
/// measurements behind each default).
struct DeConfig {
  /// Generations (the initial population is the first). >= 1.
  int max_iter = 1000;
  /// Stop after this many evaluations, also mid-generation. 0 = off. When
  /// set, the population shrinks linearly to min_population over the
  /// budget (reduce_population).
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN and +inf are invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many generations without improving the best. 0 = off.
  int stall_iter = 0;

  /// Entries H of the success-history memories of F and CR, 1 .. 16
  /// (L-SHADE: 6).
  int memory_size = 6;
  /// The pbest of current-to-pbest/1 is drawn from the best
  /// max(2, round(p_best·N)) individuals, (0, 1] (L-SHADE: 0.11).
  float p_best = 0.11f;
  /// External archive of replaced parents: at most round(archive_rate·N)
  /// entries and never more than the capacity MaxPop (fixed at init), [0, 4];
  /// 0 = no archive. JADE's |A| = N is 1, L-SHADE's 2.6; 1.6 measured as
  /// good as 2.6 and clearly better than 1 (docs/optimizers.md).
  float archive_rate = 1.6f;
  /// L-SHADE's linear population size reduction when max_evals > 0: after
  /// each generation the population is cut (worst first) to
  /// round(N0 + (min_population − N0)·evaluations/max_evals).
  bool reduce_population = true;
  /// The population at the end of the budget, >= 4 (L-SHADE: 4).
  int min_population = 4;
};

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const DeConfig& cfg) noexcept;

namespace detail {
/// validate(c) == Ok as one expression (the one statement of the rules;
/// validate() is its out-of-line copy), so that init folds it to a constant
/// where the config is one.
STARLING_ALWAYS_INLINE bool de_config_ok(const DeConfig& c) noexcept {
  return valid_stop_rules(stop_rules_of(c)) && c.memory_size >= 1 && c.memory_size <= 16 &&
         std::isfinite(c.p_best) && c.p_best > 0.f && c.p_best <= 1.f && finite_in(c.archive_rate, 0.f, 4.f) &&
         c.min_population >= 4 && c.min_population <= (1 << 24);
}
/// validate(c) == Ok, computed in the caller (init): a constant config folds
/// to a constant (no code, no call), any other calls validate().
STARLING_ALWAYS_INLINE bool de_config_valid(const DeConfig& c) noexcept {
#if defined(__GNUC__)
  const bool ok = de_config_ok(c);
  if (__builtin_constant_p(ok)) return ok;
#endif
  return validate(c) == Status::Ok;
}
}  // namespace detail

namespace detail {

/// The size-erased core of De: everything but the arrays.
template <class Real>
class DeCore {
 public:
  struct Arrays {   // views into the owning De's storage
    Real* x;        // [max_pop][stride] population
    Real* u;        // [max_pop][stride] this generation's candidates (trials)
    Real* arc;      // [max_pop][stride] archive of replaced parents
    Real* f;        // [max_pop] population costs
    Real* fu;       // [max_pop] candidates' costs (NaN: not told)
    Real* F;        // [max_pop] each trial's scale factor
    Real* CR;       // [max_pop] each trial's crossover rate
    int32_t* order; // [max_pop] scratch: the population sorted by cost
    Real* best;     // [stride] the incumbent
    Real* lo;
    Real* hi;       // [stride]
    int stride, max_dims, max_pop;
  };
  using Base = OptCore<Real>;
  /// Draw stream (key word 2): "DE01".
  static constexpr uint32_t kStream = 0x44453031u;
  static constexpr int kMaxMemory = 16;
  using Feasible = typename Base::Feasible;

  /// cfg_valid: validate(cfg) == Ok, computed by the caller (de_config_valid).
  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
              const DeConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
  const Real* ask(const Arrays& a) noexcept { return gen_.ask(base_, box(a), a.u, a.stride); }
  Status tell(const Arrays& a, Real cost) noexcept;
  int ask_batch(const Arrays& a, const Real** xs, int cap) noexcept {
    return gen_.ask_batch(base_, box(a), a.u, a.stride, a.fu, pop_, xs, cap);
  }
  Status tell_batch(const Arrays& a, int k, Real cost) noexcept {
    return gen_.tell_batch(base_, a.fu, k, cost, [&](Real f) { tell_one(a, f); });
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

  /// Saved-state format (src/de_state.cpp; layout at De::save).
  static constexpr size_t kConfigBytes = 32;
  static constexpr size_t kOwnFixedBytes = 28;
  static constexpr size_t state_size(int dims, int pop, int arc, int memory) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnFixedBytes +
           sizeof(Real) * (2 * static_cast<size_t>(memory) +
                           static_cast<size_t>(pop) * (2 * static_cast<size_t>(dims) + 4) +
                           static_cast<size_t>(arc) * static_cast<size_t>(dims)) +
           Base::kSealBytes;
  }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// De::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;
  size_t save_size() const noexcept {
    return base_.ready() ? state_size(base_.dims(), pop_, arc_n_, cfg_.memory_size) : 0;
  }

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  /// The population of the current generation, and the first one.
  int population() const noexcept { return pop_; }
  int initial_population() const noexcept { return pop_init_; }
  int archive_size() const noexcept { return arc_n_; }
  const DeConfig& config() const noexcept { return cfg_; }
  /// Memory entry k (< memory_size) of the scale factor F and the crossover
  /// rate CR (−1: L-SHADE's terminal value, CR = 0 from then on).
  Real memory_f(int k) const noexcept { return mf_[k]; }
  Real memory_cr(int k) const noexcept { return mcr_[k]; }

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  void tell_one(const Arrays& a, Real f) noexcept;
  void end_generation(const Arrays& a) noexcept;
  void select(const Arrays& a) noexcept;
  void reduce(const Arrays& a) noexcept;
  void make_trials(const Arrays& a) noexcept;
  int archive_cap(int pop) const noexcept;
  void draw(uint32_t tag, int i, uint32_t c0, uint32_t w[4]) const noexcept;
  int target_population(long evals) const noexcept;
  // The arrays of a state, live or in a saved blob.
  struct OwnCells {
    Cells<Real> x, f, u, fu, F, CR, arc;
  };
  // The state check (De::check_invariants lists it): the one function behind
  // load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept;
  static OwnCells saved_cells(const uint8_t* rows, int dims, int pop) noexcept;

  // All zero bits until init() (a static De is constant-initialized into .bss).
  Base base_;
  DeConfig cfg_{0, 0, 0.f, 0, 0, 0.f, 0.f, false, 0};
  GenCursor<Real> gen_;
  Real mf_[kMaxMemory] = {};
  Real mcr_[kMaxMemory] = {};
  int pop_ = 0;       // N of the current generation
  int pop_init_ = 0;  // N of the first generation
  int arc_n_ = 0;     // archive entries in use
  int arc_cap_ = 0;   // the archive's limit, min(round(rate·N0), MaxPop)
  int mem_k_ = 0;     // the memory entry the next success updates
};

extern template class DeCore<float>;
extern template class DeCore<double>;

/// The default population for `dims` dimensions and a budget (0 = none),
/// before the cap at the capacity: see De::default_population.
constexpr int de_default_population(int dims, long max_evals) noexcept {
  int64_t b = max_evals > 0 ? max_evals : 1000 * static_cast<int64_t>(dims);
  if (b > (int64_t{1} << 32)) b = int64_t{1} << 32;  // no overflow below; n is capped anyway
  const int64_t q = 9 * static_cast<int64_t>(dims) * b / 1600;  // (0.075)²·D·B
  int64_t cap = 18 * static_cast<int64_t>(dims);
  if (cap > (1 << 16)) cap = 1 << 16;
  int64_t n = 0;
  while (n < cap && (n + 1) * (n + 1) <= q) ++n;  // floor(√q), at most cap
  return static_cast<int>(n < 8 ? 8 : n);
}

/// The population init() uses: `population`, or for 0 the default for
/// dims and the budget capped at the capacity (computed in the caller, where
/// it folds when the arguments are constants).
constexpr int de_population(int population, int dims, long max_evals, int max_pop) noexcept {
  return population != 0 || dims < 1 ? population
         : de_default_population(dims, max_evals) < max_pop ? de_default_population(dims, max_evals)
                                                           : max_pop;
}

}  // namespace detail

/// Differential evolution with room for MaxDims dimensions and a population
/// of up to MaxPop, all in the object (no heap).
///
/// The method (docs/optimizers.md): L-SHADE's current-to-pbest/1 with
/// binomial crossover, v = x_i + F·(x_pbest − x_i) + F·(x_r1 − x̃_r2), x̃_r2
/// from the population or the archive of replaced parents; each trial draws
/// F from Cauchy(M_F[r], 0.1) (re-drawn while <= 0, capped at 1; the
/// Cauchy number is the ratio of the coordinates of a point uniform in the
/// unit disk, detail::det_cauchy_disk) and CR from M_CR[r] + 0.1·z clipped
/// to [0, 1], z nearly standard normal (Irwin–Hall: four uniforms,
/// detail::det_normal_ih4; no logarithm, square root or sine, which cost
/// about 500 B of flash), r a random memory entry; a trial
/// replaces its parent when not worse, and the successes (strictly better)
/// update one memory entry per generation to their Lehmer means weighted by
/// the improvement. Box: a mutant coordinate outside [lo, hi] is put halfway
/// between its parent's coordinate and the violated bound (JADE's repair),
/// so every trial is in the box and approaches a bound only geometrically.
///
/// Memory: sizeof(De) = sizeof(Real)·(3·MaxPop·MaxDims + 4·MaxPop + 3·MaxDims)
/// + 4·MaxPop + sizeof(detail::DeCore<Real>): population, trials and archive
/// rows, the costs of both, F and CR of each trial, an order index, the
/// incumbent and the bounds, and the core (config, counters, key, memories;
/// 344 bytes for float on x86-64, tested). E.g. float, D = 8, N = 32:
/// 4,152 bytes (x86-64). (Double with an odd MaxPop adds 4 bytes of
/// alignment padding.)
///
/// Time: ask() and tell() are O(1) except the tell() that ends a
/// generation: selection, memory update and the next generation's trials,
/// O(N·D + N²) (N² for ordering the population).
///
/// The shared members (OptimizerFacade, BatchFacade): the tell() that
/// completes a generation selects and makes the next one; set_start() gives
/// the first candidate of the first generation.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and DE's (N the
/// current population, N0 the first, c the candidate asked next):
///  D1  the config passes validate(), its stop rules are the common
///      section's; 4 <= N <= N0 <= 2^24; the archive limit in [0,
///      round(archive_rate·N0)], the archive count in [0, min(round(
///      archive_rate·N), limit)]; the memory index in [0, memory_size);
///      unused memory entries 0 (live only).
///  D2  0 <= c < N; a pending ask: running, no batch; an open batch of n:
///      running, no pending ask, n <= N − c and <= the evaluations
///      max_evals leaves, 0 <= told < n.
///  D3  the evaluations at the generation's start (evaluations − c, − 1
///      after a stop by Target or MaxEvals) are 0 at iteration 0 with N =
///      N0, else >= N0 with N = L-SHADE's reduction target for them, and
///      iteration·N without a budget-driven reduction.
///  D4  M_F entries in (0, 1], M_CR entries in [0, 1] or −1 (terminal).
///  D5  every member, trial and archive row finite and in the box; each
///      trial's F in (0, 1], CR in [0, 1].
///  D6  member costs never NaN or −inf and >= the best value, all +inf at
///      iteration 0; trial costs before c (and the one whose tell stopped
///      the run) likewise, NaN after c except told costs of the open batch
///      (not −inf), exactly `told` of them; a finite best value is a
///      member's cost or a cost told in this generation.
///  D7  a start point with nothing evaluated is trial 0 and member 0.
///  D8  the pending trial and the open batch's trials are in the box and
///      in the trust box of the clip radius around the incumbent
///      (OptCore::candidate).
/// Not checkable from the state, so not checked: that a point passes the
/// feasibility predicate, and how the trials were drawn (they follow from
/// the whole history).
template <int MaxDims, int MaxPop, class Real = float>
class De : public BatchFacade<De<MaxDims, MaxPop, Real>, detail::DeCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1, "MaxDims must be at least 1");
  static_assert(MaxPop >= 4, "differential evolution needs at least 4 individuals");
  static_assert(static_cast<long long>(MaxDims) * MaxPop <= (1LL << 24), "capacity too large");

 public:
  /// The capacity in dimensions (template argument).
  static constexpr int kMaxDims = MaxDims;
  /// The capacity in population (template argument).
  static constexpr int kMaxPop = MaxPop;

  /// Validates and starts a run over the box [lo, hi] (each `dims` long):
  /// the first generation is uniform in the box. population = 0 picks
  /// default_population(dims, cfg.max_evals), capped at MaxPop. Returns
  /// InvalidArgument (lo or hi null, dims < 1, population 1 .. 3 or
  /// negative, an invalid interval as for Pso::init, a config value out of
  /// range), CapacityExceeded (dims > MaxDims or population > MaxPop), Ok.
  /// On failure the optimizer is left not ready.
  [[nodiscard]] STARLING_ALWAYS_INLINE Status init(const Real* lo, const Real* hi, int dims, int population,
                            const DeConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, detail::de_population(population, dims, cfg.max_evals, MaxPop), cfg,
                      seed, detail::de_config_valid(cfg));
  }
  /// The default population: floor(0.075·√(D·B)) with B = max_evals, or
  /// 1000·D without a budget; at least 8, at most 18·D (L-SHADE's N0).
  /// E.g. D = 30, B = 40,000: 82; D = 3, B = 3,000: 8. Why: L-SHADE's
  /// 18·D spends a short budget on too few generations (measured in
  /// docs/optimizers.md: at D = 30 and 40,000 evaluations, 60 to 100
  /// is best; a 3-gain PID comes within 2 % fastest with 8 to 12).
  static constexpr int default_population(int dims, long max_evals) noexcept {
    return detail::de_default_population(dims, max_evals);
  }

  // ---- Safe tuning: Pso's envelope (see Pso::set_feasible) -------------------
  // A candidate the filters change is what is evaluated and what competes
  // with its parent.

  // ---- Save and resume --------------------------------------------------------
  //
  // save() writes the whole run; load() into any De with the same Real and
  // room for the dims, the current population and archive continues it bit
  // for bit, on any target. Format version 1, little-endian, IEEE-754 bits,
  // the family's layout (detail/opt_core.hpp); D dims, N current population,
  // A archive entries, H memory_size, R = sizeof(Real):
  //   header (16)  magic "SDE1", version u16 (1), R u8, 0 u8, D u32, N u32
  //   config (32)  memory_size i32, p_best f32, archive_rate f32,
  //                min_population i32, flags u8 (bit 0 reduce_population),
  //                15 reserved bytes (0)
  //   common (76 + R·(2 + 3·D))  OptCore::save_common
  //   own (28 + R·(2·H + N·(2·D + 4) + A·D))  initial population, archive
  //                entries, memory index, cursor, batch size, batch told,
  //                archive limit (i32 each); M_F[H], M_CR[H]; per individual
  //                x[D], cost, trial[D], trial cost (NaN: not told), F, CR;
  //                archive rows [A][D]
  //   seal (8)     reserved u32 (0), CRC-32/IEEE of every byte before it
  // save_size() = 160 + R·(2 + 3·D + 2·H + N·(2·D + 4) + A·D) bytes.

  /// The largest save() of this capacity (memory_size 16, full archive).
  static constexpr size_t kMaxSaveSize =
      detail::DeCore<Real>::state_size(MaxDims, MaxPop, MaxPop, detail::DeCore<Real>::kMaxMemory);

  /// The population of the current generation (shrinks under L-SHADE).
  int population() const noexcept { return core_.population(); }
  /// Entries in the archive of replaced parents.
  int archive_size() const noexcept { return core_.archive_size(); }
  /// The size-erased core, for tests and tools.
  const detail::DeCore<Real>& core() const noexcept { return core_; }

 private:
  friend class OptimizerFacade<De<MaxDims, MaxPop, Real>, detail::DeCore<Real>, Real>;
  typename detail::DeCore<Real>::Arrays arrays() noexcept {
    return {&x_[0][0], &u_[0][0], &arc_[0][0], f_, fu_, F_, CR_, order_, best_, lo_, hi_,
            MaxDims, MaxDims, MaxPop};
  }

  Real x_[MaxPop][MaxDims]{};
  Real u_[MaxPop][MaxDims]{};
  Real arc_[MaxPop][MaxDims]{};
  Real f_[MaxPop]{};
  Real fu_[MaxPop]{};
  Real F_[MaxPop]{};
  Real CR_[MaxPop]{};
  Real best_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{};
  int32_t order_[MaxPop]{};
  detail::DeCore<Real> core_;
};

}  // namespace starling
