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
#include "starling/status.hpp"

namespace starling {

/// Settings. A default-constructed AnnealConfig is the recommended setting:
/// SciPy dual_annealing's q_v = 2.62, q_a = −5 and re-annealing ratio 2e-5,
/// with the initial temperature chosen for coordinates scaled to the box
/// (see initial_temp), and a local phase of up to 3 Hooke–Jeeves sweeps.
///
/// The method, per temperature level i (i = 0, 1, ... since the last
/// (re-)annealing), with coordinates scaled to the box (u = (x − lo)/(hi −
/// lo), so the visits are fractions of each range):
///   T_i = T0·(2^(q_v−1) − 1)/((i + 2)^(q_v−1) − 1),  T_step = T_i/(i + 1);
///   a chain of 2·D visits from the current point: visits 0 .. D−1 move
///   every coordinate, visits D .. 2D−1 one coordinate each (d = j − D); a
///   coordinate moves by Δu = σ(T_i)·x/|y|^p, x and y standard normal
///   (computed as v1·2^(h·log2 q − p·log2|v2|) from the polar pair, see
///   kTagVisit),
///   p = (q_v − 1)/(3 − q_v), σ(T) = K·T^(1/(3−q_v)), K = (f4/Γ(f5))^p with
///   f4 = √π·(q_v − 1)^(4−q_v)/(2^((2−q_v)/(q_v−1))·(3 − q_v)) and
///   f5 = 1/(q_v − 1) − 1/2 (Tsallis & Stariolo's visiting distribution as
///   SciPy computes it; its π(1−f5)/sin(π(1−f5))/Γ(2−f5) is Γ(f5) by the
///   reflection formula); |Δu| beyond 1e8 becomes ±1e8·u, u uniform; the
///   result wraps around the box (u mod 1);
///   a visit with a lower cost than the current point replaces it;
///   otherwise it is accepted with probability
///   [1 − (1 − q_a)·ΔE/T_step]^(1/(1−q_a)) (0 when the bracket is <= 0);
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
/// A 233, 1996; Xiang, Sun, Fan & Gong, Phys. Lett. A 233, 1997 (dual
/// annealing); Xiang et al., "Generalized simulated annealing for global
/// optimization: the GenSA package for R", R Journal 5(1), 2013; SciPy's
/// scipy.optimize.dual_annealing (the defaults, the chain and the
/// temperature schedule).
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
  /// T0. It sets both the visiting scale (σ(T0) ≈ 2·10³ box widths for
  /// 10: essentially uniform at first, about 0.4 of the box by level 10,
  /// 0.03 by level 20, 7e-4 by level 50; before the heavy tail, which keeps
  /// making long jumps) and the acceptance of worse points (in cost units:
  /// uphill moves of ΔE < T_step/(1 − q_a) have a chance). SciPy's 5230 is
  /// for absolute coordinates and L-BFGS-B; on scaled coordinates it keeps
  /// the visits uniform for about 500 levels. Range (0, 1e6].
  float initial_temp = 10.f;
  /// Re-anneal when T_i < T0·restart_temp_ratio. Range (0, 1).
  float restart_temp_ratio = 2e-5f;
  /// q_v: heavier tails (longer jumps) as it grows. Range [1.1, 2.95]
  /// (SciPy allows (1, 3]; near the ends the constants leave float range).
  float visit = 2.62f;
  /// q_a: lower accepts fewer worse points. Range [−1e4, 0.9].
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
         finite_in(c.visit, 1.1f, 2.95f) && finite_in(c.accept, -1e4f, 0.9f) &&
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
  ///   kTagVisit: visit j of level L, coordinate d, polar try k (0 .. 15):
  ///     block {16·d + k, j, L}: words 0 and 1 give v1 = 2·u − 1, v2 = 2·u − 1
  ///     (u = word·2^-32 at 24 bits), tried while s = v1² + v2² is >= 1 or
  ///     0; then x = v1·m, y = v2·m, m = √q, q = −2·ln(s)/s (Marsaglia's
  ///     polar method), and the move σ·x/|y|^p is computed as
  ///     (σ·v1)·2^(h·log2 q − p·log2|v2|), h = (1 − p)/2, ln s as
  ///     log2(s)·ln 2 (no square root: newlib's sqrtf sets errno, which
  ///     pulls its reentrancy data into RAM); word 2 of try 0's block is the
  ///     tail's uniform. Sixteen failed tries (about 1e-11) leave that
  ///     coordinate where it is.
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
  /// The visiting scale σ of the current level, and the constant K.
  Real visit_scale() const noexcept { return sigma_; }
  Real visit_constant() const noexcept { return kvisit_; }

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  bool derive() noexcept;
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
  AnnealConfig cfg_{0, 0, 0.f, 0, 0.f, 0.f, 0.f, 0.f, 0, 0.f};
  // Derived from the config (recomputed on load).
  Real t1_ = 0;        // 2^(q_v−1) − 1
  Real kvisit_ = 0;    // K
  Real p_ = 0;         // (q_v − 1)/(3 − q_v)
  Real et_ = 0;        // 1/(3 − q_v)
  Real h_ = 0;         // (1 − p)/2
  Real ea_ = 0;        // 1/(1 − q_a)
  Real t_restart_ = 0; // T0·ratio
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
/// the incumbent; the core is 272 bytes for float on x86-64 and 232 on
/// Cortex-M (tests/core/test_anneal.cpp checks). E.g. float, D = 8:
/// 192 + 232 = 424 bytes on Cortex-M.
///
/// Time: ask() O(D) for a visit (two det_pow, a det_log2 and a square root
/// per moved coordinate, plus Threefry blocks), O(D) otherwise; tell() O(1)
/// except at a level's end (two det_pow).
template <int MaxDims, class Real = float>
class Anneal {
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
  /// The next point to evaluate (inside [lo, hi]), nullptr when done() or
  /// not initialized. Asking again before tell() returns the same candidate.
  const Real* ask() noexcept { return core_.ask(arrays()); }
  /// Scores the point last asked; NaN and ±inf are the worst cost. Returns
  /// NotReady without a pending ask, Done after a stop, Ok otherwise.
  [[nodiscard]] Status tell(Real cost) noexcept { return core_.tell(arrays(), cost); }

  template <class F>
  /// Loops ask → cost(x, dims) → tell until done(). F: Real(const Real*, int). Returns NotReady if
  /// not initialized (or while a batch is open), Ok when it ran to a stop.
  Status minimize(F&& cost) noexcept {
    return minimize(static_cast<F&&>(cost), [](Real, long, int) {});
  }
  /// Observer: after every completed level, (best value, evaluations,
  /// iteration).
  template <class F, class Observer>
  Status minimize(F&& cost, Observer&& observer) noexcept {
    if (!core_.ready()) return Status::NotReady;
    const auto a = arrays();
    while (const Real* x = core_.ask(a)) {
      const int before = core_.iteration();
      (void)core_.tell(a, cost(x, core_.dims()));
      if (core_.iteration() != before) observer(best_value(), evaluations(), iteration());
    }
    return Status::Ok;
  }

  // ---- Safe tuning: Pso's semantics (see Pso::set_feasible) ----------------
  // Each candidate passes the filters when first asked (draw index: its
  // number within the level); what is evaluated is what the chain and the
  // local phase see. The start point is the first point evaluated.
  /// Feasibility predicate: true when x (dims values) is safe to evaluate; ctx is the caller's.
  using Feasible = typename Core::Feasible;
  /// Installs a feasibility predicate (nullptr removes it): an infeasible candidate is re-drawn up
  /// to max_tries times, then the incumbent is handed out (Pso::set_feasible semantics). Returns
  /// InvalidArgument if max_tries is outside [0, 64], Ok otherwise.
  [[nodiscard]] Status set_feasible(Feasible pred, void* ctx = nullptr, int max_tries = 8) noexcept {
    return core_.set_feasible(pred, ctx, max_tries);
  }
  /// Limits every candidate to ±fraction·(hi − lo) around the incumbent (Pso::set_trust_radius
  /// semantics). fraction in [0, 1], 0 = off (−0 is stored as +0). Returns InvalidArgument outside
  /// that range, Ok otherwise.
  [[nodiscard]] Status set_trust_radius(float fraction) noexcept {
    return core_.set_trust_radius(fraction);
  }
  /// The first candidate of the run (the start point). After init, before the first ask: NotReady
  /// otherwise; InvalidArgument if null, not finite or outside the box; Ok.
  [[nodiscard]] Status set_start(const Real* x) noexcept { return core_.set_start(arrays(), x); }
  /// Candidates the feasibility predicate refused in this run.
  long infeasible_count() const noexcept { return core_.infeasible_count(); }
  /// Times the incumbent was handed out because no re-draw was feasible.
  long fallback_count() const noexcept { return core_.fallback_count(); }
  /// The trust radius as a fraction of each range (0: off).
  float trust_radius() const noexcept { return core_.trust_radius(); }

  // ---- Save and resume ------------------------------------------------------
  //   header (16)  magic "SGSA", version u16 (1), R u8, 0 u8, D u32, 0 u32
  //   config (32)  initial_temp, restart_temp_ratio, visit, accept f32,
  //                local_sweeps i32, local_step f32, 8 reserved bytes (0)
  //   common (76 + R·(2 + 3·D))  OptCore::save_common
  //   own (28 + R·(3 + 3·D))  phase, improved, pattern pending, probe at
  //                base (u8 each); level, visit, trial, re-annealings, local
  //                direction, local evaluations (i32 each); current cost,
  //                local step, base cost (R); current point[D], base[D],
  //                candidate[D]
  //   seal (8)     reserved u32 (0), CRC-32/IEEE
  // save_size() = 160 + R·(5 + 6·D); e.g. float, D = 8: 372 bytes. The
  // temperature and the visiting constants are recomputed.

  /// Bytes save() writes for the current run (0 before init).
  size_t save_size() const noexcept { return core_.ready() ? Core::state_size(core_.dims()) : 0; }
  /// Bytes save() can ever write for this capacity.
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims);
  /// Writes the state to buf (cap bytes) and the size to *written (may be
  /// null). Time O(D). Returns NotReady before init, InvalidArgument if buf
  /// is null, CapacityExceeded if cap < save_size() (nothing written), Ok.
  [[nodiscard]] Status save(uint8_t* buf, size_t cap, size_t* written) const noexcept {
    return core_.save(const_cast<Anneal*>(this)->arrays(), buf, cap, written);
  }
  /// Replaces this optimizer's state by a saved one (exactly `size` bytes).
  /// Returns Corrupt when anything is wrong: magic, version, Real size,
  /// length, CRC, reserved bytes, a flag or the phase, or any invariant of
  /// check_invariants() (the same function checks both); CapacityExceeded
  /// when a valid state has more dims than this Anneal holds;
  /// InvalidArgument if buf is null. On failure nothing is changed, byte for
  /// byte. Time O(D).
  [[nodiscard]] Status load(const uint8_t* buf, size_t size) noexcept {
    return core_.load(arrays(), buf, size);
  }
  /// Checks every invariant a live run keeps on this object, with the same
  /// function load() applies to a saved state: Ok, Corrupt if one fails
  /// (memory overwritten, or a bug), NotReady before init. O(D).
  ///
  /// The shared invariants C1..C8 (detail/opt_core.hpp), and the annealer's
  /// (L = the level, j = the visit, m = the candidates told in this level):
  ///  A1  the config passes validate() and gives finite visiting constants;
  ///      its stop rules are the common section's (and the temperature and
  ///      the visiting constants are the config's and L's, live only: load
  ///      recomputes them).
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
  [[nodiscard]] Status check_invariants() const noexcept {
    return core_.check_invariants(const_cast<Anneal*>(this)->arrays());
  }

  /// True once a stop criterion was met (and before a successful init).
  bool done() const noexcept { return core_.done(); }
  /// Why the run stopped (StopReason::None while running or before init).
  StopReason stop_reason() const noexcept { return core_.stop_reason(); }
  /// Best evaluated point, nullptr before the first tell.
  const Real* best_position() const noexcept { return core_.has_best() ? best_ : nullptr; }
  /// Best cost so far (+inf before the first tell).
  Real best_value() const noexcept { return core_.best_value(); }
  /// Evaluations told so far in this run.
  long evaluations() const noexcept { return core_.evaluations(); }
  /// Completed temperature levels.
  int iteration() const noexcept { return core_.iteration(); }
  /// Dimensions of the current run (0 before init).
  int dims() const noexcept { return core_.dims(); }
  /// The settings given to init().
  const AnnealConfig& config() const noexcept { return core_.config(); }
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
  /// σ(T_i) and the constant K of the visiting distribution.
  Real visit_scale() const noexcept { return core_.visit_scale(); }
  /// The visiting distribution's normalizing constant K (derived from the config).
  Real visit_constant() const noexcept { return core_.visit_constant(); }

 private:
  typename Core::Arrays arrays() noexcept {
    return {current_, base_, x_, lo_, hi_, best_, MaxDims, MaxDims};
  }

  Real current_[MaxDims]{}, base_[MaxDims]{}, x_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{};
  Core core_;
};

}  // namespace starling
