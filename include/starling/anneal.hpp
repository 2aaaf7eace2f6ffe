// SPDX-License-Identifier: MIT
// starling/anneal.hpp: generalized simulated annealing in the style of dual
// annealing (Tsallis visiting distribution, generalized acceptance, re-annealing,
// a short local phase), in a fixed block of memory, driven by ask/tell.
//
//   starling::Anneal<8> sa;                          // D <= 8, float
//   if (sa.init(lo, hi, 3, 0, starling::AnnealConfig{}, 42) != starling::Status::Ok) ...
//   while (const float* x = sa.ask()) sa.tell(run_episode(x));
//   use(sa.best_position(), sa.best_value());
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"
#include "starling/status.hpp"

namespace starling {

/// Settings. A default-constructed AnnealConfig is the recommended setting
/// (measured in tools/bench_quality, docs/optimizers.md): T0 = 0.3 on
/// coordinates scaled to the box, re-annealing after 1,000 levels, SciPy
/// dual_annealing's q_a = −5, and a local phase of up to 3 Hooke–Jeeves
/// sweeps.
///
/// The method, per temperature level i (i = 0, 1, ... since the last
/// (re-)annealing), with coordinates scaled to the box (u = (x − lo)/(hi −
/// lo), so the visits are fractions of each range), uses no power,
/// logarithm or exponential (none is linked):
///   T_i = T0/(i + 1) (Tsallis & Stariolo's schedule T0·(2^(q_v−1) −
///   1)/((i + 2)^(q_v−1) − 1) at q_v = 2, Szu & Hartley's fast annealing),
///   T_step = T_i/(i + 1) (SciPy's), and the visiting scale σ_i = T_step/(i
///   + 1) = T0/(i + 1)³ (falling as T_i³, as SciPy's σ ∝ T^(1/(3−q_v)) =
///   T^2.5 at its q_v);
///   a chain of 2·D visits from the current point: visits 0 .. D−1 move
///   every coordinate, visits D .. 2D−1 one coordinate each (d = j − D); a
///   coordinate moves by Δu = σ_i·v1/v2⁴ for (v1, v2) uniform in the unit
///   disk (see kTagVisit). This is Tsallis & Stariolo's visit x/|y|^p
///   (x, y standard normal, as SciPy draws it) at p = 4, i.e. q_v = 2.6
///   (SciPy's default is 2.62), with the polar method's radius factor
///   m^(1−p) left out: the same heavy tail (P(|Δu| > a) ∝ a^(−1/4), long
///   jumps at every level) without a logarithm. |Δu| >= 2^24 (ranges)
///   becomes a uniform offset (the try's word 2); the result wraps around
///   the box (u mod 1);
///   a visit with a lower cost than the current point replaces it;
///   otherwise it is accepted with probability
///   p = [1 − (1 − q_a)·ΔE/T_step]^(1/(1−q_a)) (0 when the bracket is <= 0),
///   drawn as r^(1−q_a) < 1 − (1 − q_a)·ΔE/T_step for r uniform (the same
///   event; 1 − q_a is a whole number, so r's power is at most 14
///   squarings and 14 products, by its bits from the lowest);
///   after the chain, if the best improved during it (or i = 0), the local
///   phase runs from the best (below); then the next level. When T_i falls
///   below T0·restart_temp_ratio, the search re-anneals: i = 0 and the
///   current point is a fresh uniform point (the best is kept).
///
/// Local phase (this library's replacement for SciPy's L-BFGS-B, which
/// needs gradients): Hooke & Jeeves's pattern search from the incumbent.
/// An exploratory sweep moves the probe point one coordinate at a time,
/// +step then −step of the range (clamped to the box; a move the bound
/// cancels is skipped without evaluating), keeping each move that lowers
/// the probe's cost. After a sweep: if the best improved, a pattern move
/// (the probe jumps to best + (best − base), the base becomes the best, and
/// the next sweep explores around the jump whatever its cost); otherwise
/// the probe returns to the base, and a sweep that fails around the base
/// halves the step. The phase ends after 2·D·local_sweeps evaluations or
/// when the step is below 2^-20; the chain then goes on from the
/// incumbent. Each phase starts with twice the step the previous one
/// ended with, at most local_step (local_step after a re-annealing).
/// The pattern moves follow valleys that are not aligned with the axes,
/// which a plain compass search crosses only in tiny steps.
///
/// Which settings: the default (3 sweeps) suits multimodal costs
/// (Rastrigin, Ackley, Schwefel at D = 10 in bench_quality); a long local
/// phase (local_sweeps 30 or more, as SciPy's local search runs to
/// convergence) suits narrow curved valleys (Rosenbrock, some PID
/// tasks), where NelderMead is better still (docs/optimizers.md).
///
/// Sources: Tsallis & Stariolo, "Generalized simulated annealing", Physica
/// A 233, 1996; Szu & Hartley, "Fast simulated annealing", Phys. Lett. A
/// 122, 1987 (the 1/t schedule); Xiang, Sun, Fan & Gong, Phys. Lett. A 233,
/// 1997 (dual annealing); SciPy's scipy.optimize.dual_annealing (the
/// acceptance, the chain, T_step and the visit's form). The schedule, the
/// visiting scale's exponent and T0 were chosen by measurement
/// (bench_quality); SciPy's own q_v = 2.62 visits, schedule and acceptance
/// (this class's method until 2026-12) needed det_pow, det_log2 and
/// det_exp2, about 900 B of Cortex-M flash; quality before and after in
/// docs/optimizers.md.
///
/// A range written (0, x] refuses values below 1e-30 as well (none of
/// them is of use), and validate() refuses NaN and ±inf everywhere.
struct AnnealConfig {
  /// Temperature levels. Each is 2·D visits (plus a re-annealing's fresh
  /// point and the local phase). The first evaluation (the start) belongs
  /// to level 0. >= 1.
  int max_iter = 1000;
  /// Stop after this many evaluations, also mid-level. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN and +inf are invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many levels without improving the best. 0 = off.
  int stall_iter = 0;
  /// T0. It sets both the visiting scale (σ_i = T0/(i + 1)³ box widths:
  /// for T0 = 0.3, 0.3 of the box at level 0, 0.0024 at level 4, 3e-4 at
  /// level 9, 3e-7 at level 99; the heavy tail keeps making long jumps) and
  /// the acceptance of worse points (in cost units: uphill moves of ΔE <
  /// T_step/(1 − q_a) have a chance). bench_quality (T0 0.1, 0.3, 0.5, 1, 3
  /// tried): 0.3 does best over the function grid and the PID tasks. Range
  /// (0, 1e6].
  float initial_temp = 0.3f;
  /// Re-anneal when T_i < T0·restart_temp_ratio, i.e. after about
  /// 1/restart_temp_ratio levels. Range (0, 1).
  float restart_temp_ratio = 1e-3f;
  /// q_a, a whole number: lower accepts fewer worse points. Range
  /// [−1e4, 0] (1 − q_a is then the power of the acceptance draw).
  float accept = -5.f;
  /// Local phase length in Hooke–Jeeves sweeps (at most 2·D evaluations
  /// each); 0 = no local phase (plain generalized simulated annealing).
  /// Range [0, 1000].
  int local_sweeps = 3;
  /// The local phase's largest step as a fraction of each range. (0, 1].
  float local_step = 0.05f;
};

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const AnnealConfig& cfg) noexcept;

namespace detail {
/// validate(c) == Ok as one expression (the one statement of the rules;
/// validate() is its out-of-line copy), so that init folds it to a constant
/// where the config is one.
STARLING_ALWAYS_INLINE bool anneal_config_ok(const AnnealConfig& c) noexcept {
  return finite_in(c.initial_temp, 1e-30f, 1e6f) && finite_in(c.restart_temp_ratio, 1e-30f, 0.99999994f) &&
         finite_in(c.accept, -1e4f, 0.f) && c.accept == static_cast<float>(static_cast<int>(c.accept)) &&
         finite_in(c.local_step, 1e-30f, 1.f) && valid_stop_rules(stop_rules_of(c)) && c.local_sweeps >= 0 &&
         c.local_sweeps <= 1000;
}
/// validate(c) == Ok, computed in the caller (init): a constant config folds
/// to a constant (no code, no call), any other calls validate().
STARLING_ALWAYS_INLINE bool anneal_config_valid(const AnnealConfig& c) noexcept {
#if defined(__GNUC__)
  const bool ok = anneal_config_ok(c);
  if (__builtin_constant_p(ok)) return ok;
#endif
  return validate(c) == Status::Ok;
}
}  // namespace detail

namespace detail {

/// Everything of an annealing run but its arrays (size-erased).
template <class Real>
class AnnealCore {
 public:
  struct Arrays {     // views into the owning Anneal's storage
    Real* current;    // [stride] the chain's current point (the local phase's probe)
    Real* base;       // [stride] the local phase's base point
    Real* x;          // [stride] the candidate handed out
    Real* lo; Real* hi; Real* best;
    int stride;
    int max_dims;
  };
  using Base = OptCore<Real>;
  /// The draw stream (key word 2, "GSA1").
  static constexpr uint32_t kStream = 0x47534131u;
  /// Draw tags (counter {c0, c1, c2, tag}; L = the generation, iteration()):
  ///   kTagVisit: visit j of level L, coordinate d, try k (0 .. 15): block
  ///     {16·d + k, j, L}: words 0 and 1 give v1 and v2 as det_cauchy_disk
  ///     makes them (v = (w >> 8)·2^-23 − (1 − 2^-24), odd multiples of
  ///     2^-24 in (−1, 1), exact); the try fails when v1·v1 + v2·v2 >= 1
  ///     (rounded in Real), else Δu = (σ_i·v1)/(v2·v2)², and word 2 gives
  ///     the uniform offset (word >> 8)·2^-24 that replaces a Δu of 2^24
  ///     ranges or more. Sixteen failed tries (about
  ///     2e-11) leave that coordinate where it is.
  ///   kTagAccept: block {0, j, L}, word 0: the acceptance uniform.
  ///   kTagStart: block {d/4, 0, L}, word d%4: coordinate d of a (re-)
  ///     annealing's uniform point.
  enum : uint32_t { kTagVisit = 1, kTagAccept = 2, kTagStart = 4 };
  enum class Phase : uint8_t { Start, Chain, Local };
  using Feasible = typename Base::Feasible;

  /// cfg_valid: validate(cfg) == Ok, computed by the caller (anneal_config_valid).
  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
              const AnnealConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
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

  static constexpr size_t kConfigBytes = 32;
  static constexpr size_t kOwnFixedBytes = 28;
  static constexpr size_t state_size(int dims) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnFixedBytes +
           sizeof(Real) * (3 + 3 * static_cast<size_t>(dims)) + Base::kSealBytes;
  }
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// Anneal::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  const AnnealConfig& config() const noexcept { return cfg_; }
  Real temperature() const noexcept { return temp_; }
  Real current_value() const noexcept { return cur_f_; }
  int reannealings() const noexcept { return reanneals_; }
  int level() const noexcept { return level_; }
  Phase phase() const noexcept { return phase_; }
  /// The visiting scale σ_i of the current level.
  Real visit_scale() const noexcept { return sigma_; }

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  // The arrays of a state, live or in a saved blob.
  struct OwnCells {
    Cells<Real> current, base, x;
  };
  // The state check (Anneal::check_invariants lists it): the one function
  // behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept;
  void set_level(int level) noexcept;
  void uniform_point(const Arrays& a) const noexcept;
  void visit(const Arrays& a) const noexcept;
  Real visit_step(uint32_t j, int d) const noexcept;
  bool accept(Real f, uint32_t j) const noexcept;
  void end_chain(const Arrays& a) noexcept;
  bool local_next(const Arrays& a) noexcept;
  Real probe(const Arrays& a) const noexcept;
  void end_level(const Arrays& a) noexcept;
  Real to_best(const Arrays& a, Real* also) noexcept;

  // Zero bits until init (constant-initialized into .bss).
  Base base_;
  AnnealConfig cfg_{0, 0, 0.f, 0, 0.f, 0.f, 0.f, 0, 0.f};
  // Derived from the level (recomputed on load).
  Real temp_ = 0, tstep_ = 0, sigma_ = 0;
  // Saved.
  Real cur_f_ = 0;     // cost of the current point (+inf: none finite)
  Real ls_step_ = 0;   // the local phase's step (fraction of the range)
  Phase phase_ = Phase::Start;
  Real ls_base_f_ = 0; // the local phase's base cost
  bool improved_ = false;     // the best improved during this level's chain
  bool ls_pattern_ = false;   // Local: the candidate is the pattern point
  bool ls_at_base_ = false;   // Local: the probe started this sweep at the base
  int level_ = 0;      // i: levels since the last (re-)annealing
  int j_ = 0;          // Chain: the visit asked next
  int trial_ = 0;      // candidates asked in this generation (the envelope's index)
  int reanneals_ = 0;
  int ls_dir_ = 0;     // Local: 2·d (+) or 2·d + 1 (−) of this sweep, 2·D: sweep over
  int ls_used_ = 0;    // Local: evaluations in this phase
};

extern template class AnnealCore<float>;
extern template class AnnealCore<double>;

}  // namespace detail

/// Generalized simulated annealing over a box with room for MaxDims
/// dimensions, all in the object (no heap). See AnnealConfig for the
/// method. population must be 0.
///
/// Memory: sizeof(Anneal) = sizeof(Real)·6·MaxDims + sizeof(detail::
/// AnnealCore<Real>), rounded up to a multiple of 8: the current point (the
/// local phase's probe), the local phase's base, the candidate, lo, hi and
/// the incumbent; the core is 240 bytes for float on x86-64 and 200 on
/// Cortex-M (tests/core/test_anneal.cpp checks). E.g. float, D = 8:
/// 192 + 200 = 392 bytes on Cortex-M.
///
/// Time: ask() O(D) for a visit (a division and a Threefry block, 1.27 on
/// average, per moved coordinate), O(D) otherwise; tell() O(1) (at most 14
/// squarings and 14 products for the acceptance draw, two divisions at a
/// level's end), O(D) where the current point changes.
///
/// The shared members (OptimizerFacade): a generation is one temperature
/// level (iteration() counts completed levels); set_start() gives the first
/// candidate of the run.
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and the annealer's
/// (L = the level, j = the visit, m = the candidates told in this level):
///  A1  the config passes validate(); its stop rules are the common
///      section's (and the temperature is the config's and L's, live only:
///      load recomputes it).
///  A2  Start: j = 0, nothing improved; Chain: 0 <= j < 2·D; Local: j =
///      2·D, the local direction <= 2·D (= 2·D while a pattern point is
///      pending); outside Local the local flags and counters are 0;
///      0 <= L <= iteration, 0 <= re-annealings <= iteration, 0 <= m <=
///      evaluations and <= 1 + 2·D·(1 + local_sweeps), local evaluations
///      in [0, 2·D·local_sweeps].
///  A3  the local step in (0, local_step]; the current and the local base
///      costs never NaN or −inf and >= the best value.
///  A4  the current point, the local base and the candidate finite and in
///      the box.
///  A5  a start point with nothing evaluated is the current point and the
///      candidate.
///  A6  a pending candidate is in the box and in the trust box of the clip
///      radius around the incumbent (OptCore::candidate).
/// Not checkable from the state, so not checked: that a point passes the
/// feasibility predicate, and where the chain has moved (it follows from
/// the whole history).
template <int MaxDims, class Real = float>
class Anneal : public OptimizerFacade<Anneal<MaxDims, Real>, detail::AnnealCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 4096, "MaxDims must be in [1, 4096]");

 public:
  /// The capacity in dimensions (template argument).
  static constexpr int kMaxDims = MaxDims;
  /// No population: init() accepts only 0.
  static constexpr bool kHasPopulation = false;
  /// The size-erased core: everything but the arrays, one copy of the code per Real type.
  using Core = detail::AnnealCore<Real>;

  /// Validates and starts a run over the box [lo, hi]; the first point is
  /// uniform in the box (or the start point). Returns InvalidArgument (lo
  /// or hi null, dims < 1, population not 0, an invalid interval as for
  /// Pso::init, a config value out of range), CapacityExceeded (dims >
  /// MaxDims), Ok. On failure: not ready.
  [[nodiscard]] STARLING_ALWAYS_INLINE Status init(const Real* lo, const Real* hi, int dims, int population,
                            const AnnealConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, population, cfg, seed, detail::anneal_config_valid(cfg));
  }

  // ---- Safe tuning: Pso's semantics (see Pso::set_feasible) ----------------
  // Each candidate passes the filters when first asked (draw index: its
  // number within the level); what is evaluated is what the chain and the
  // local phase see. The start point is the first point evaluated.

  // ---- Save and resume ------------------------------------------------------
  //   header (16)  magic "SGSA", version u16 (2), R u8, 0 u8, D u32, 0 u32
  //   config (32)  initial_temp, restart_temp_ratio f32, 4 reserved bytes
  //                (0; version 1's q_v), accept f32, local_sweeps i32,
  //                local_step f32, 8 reserved bytes (0)
  //   common (76 + R·(2 + 3·D))  OptCore::save_common
  //   own (28 + R·(3 + 3·D))  phase, improved, pattern pending, probe at
  //                base (u8 each); level, visit, trial, re-annealings, local
  //                direction, local evaluations (i32 each); current cost,
  //                local step, base cost (R); current point[D], base[D],
  //                candidate[D]
  //   seal (8)     reserved u32 (0), CRC-32/IEEE
  // save_size() = 160 + R·(5 + 6·D); e.g. float, D = 8: 372 bytes. The
  // temperature is recomputed. Version 1 (the q_v = 2.62 method) is
  // refused as Corrupt: its runs cannot be continued by this method.

  /// Bytes save() can ever write for this capacity.
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims);

  /// The chain's current point and its cost (during a local phase: its
  /// probe point).
  const Real* current() const noexcept { return current_; }
  /// The cost of the chain's current point (+inf: none finite yet).
  Real current_value() const noexcept { return core_.current_value(); }
  /// T_i of the current level, i itself, and the re-annealings so far.
  Real temperature() const noexcept { return core_.temperature(); }
  /// The temperature level (0 after init and after each re-annealing).
  int level() const noexcept { return core_.level(); }
  /// Re-annealings (returns to the initial temperature) so far in this run.
  int reannealings() const noexcept { return core_.reannealings(); }
  /// The visiting scale σ_i = T0/(i + 1)³ of the current level, in
  /// fractions of each range.
  Real visit_scale() const noexcept { return core_.visit_scale(); }

 private:
  friend class OptimizerFacade<Anneal<MaxDims, Real>, detail::AnnealCore<Real>, Real>;
  typename Core::Arrays arrays() noexcept {
    return {current_, base_, x_, lo_, hi_, best_, MaxDims, MaxDims};
  }

  Real current_[MaxDims]{}, base_[MaxDims]{}, x_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{};
  Core core_;
};

}  // namespace starling
