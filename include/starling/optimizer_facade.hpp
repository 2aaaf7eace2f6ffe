// SPDX-License-Identifier: MIT
// starling/optimizer_facade.hpp: the public members every optimizer of the
// family has (ask/tell, minimize, safe tuning, save/load, the run's queries),
// written and documented once over the optimizer's size-erased core.
//
// Each optimizer class (Pso, De, Cmaes, NelderMead, Spsa, Anneal, Bobyqa,
// BayesOpt, Tuner) derives from OptimizerFacade<Self, Core, Real> (and the
// population methods from BatchFacade, which adds ask_batch/tell_batch) and
// keeps only what is its own: template parameters and storage, init() with
// its config, its extra queries, its memory formula and state format. The
// facades are empty classes: they add no byte to sizeof (the optimizer's
// first member is an array of Real, never a facade) and no code (every member
// is an inline one-line forward to the core, as the optimizers wrote before).
//
// Contract with Self: a private member `core_` (the core), a private
// `arrays()` returning the core's array views, a private `best_` array (the
// incumbent) and `friend class OptimizerFacade<Self, Core, Real>`. The core
// provides ask/tell/set_start/save/load/check_invariants over those arrays,
// the envelope's setters and counters, save_size(), and the run's queries.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "starling/detail/opt_core.hpp"
#include "starling/status.hpp"

namespace starling {

template <class Self, class Core, class Real>
class BatchFacade;

namespace detail {
// minimize refuses to run while a batch is open (population methods only).
template <class C>
auto facade_batch_open(const C& c, int) noexcept -> decltype(c.batch_size() > 0) {
  return c.batch_size() > 0;
}
template <class C>
bool facade_batch_open(const C&, long) noexcept { return false; }
// A core with kObserveEveryTell (one generation per evaluation: Bobyqa,
// BayesOpt, Tuner) has minimize's observer called after every tell, also
// the one that stops the run.
template <class C, class = void>
struct observes_every_tell : std::false_type {};
template <class C>
struct observes_every_tell<C, decltype(void(C::kObserveEveryTell))>
    : std::integral_constant<bool, C::kObserveEveryTell> {};
}  // namespace detail

/// The members every optimizer shares, with the semantics of Pso (DESIGN.md,
/// "the optimizer family"); Self is the optimizer class, Core its size-erased
/// core (detail::XCore<Real>). Not used on its own: each optimizer derives
/// from it, and its class comment says what a generation, the start point
/// and the incumbent are for that method.
template <class Self, class Core, class Real>
class OptimizerFacade {
  // The config type the optimizer's init() takes (PsoConfig, DeConfig, ...).
  using Config = typename std::remove_cv<
      typename std::remove_reference<decltype(std::declval<const Core&>().config())>::type>::type;

 public:
  /// The next point to evaluate (dims values, inside [lo, hi] always), or
  /// nullptr when done() or not initialized. Asking again before tell()
  /// returns the same candidate. The pointer stays valid until the next
  /// tell(). With safe tuning on (set_feasible, set_trust_radius) the
  /// candidate has passed the filters described there; O(dims·(max_tries +
  /// 1)) then, plus the predicate's calls.
  const Real* ask() noexcept { return core().ask(arrays()); }

  /// Scores the point last asked. NaN and ±inf count as the worst cost and
  /// never become a best. Returns NotReady without a pending ask() (or
  /// before init, or while a batch is open), Done after the optimizer
  /// stopped, Ok otherwise.
  [[nodiscard]] Status tell(Real cost) noexcept { return core().tell(arrays(), cost); }

  /// Loops ask → cost(x, dims) → tell until done(). F: Real(const Real*, int).
  /// Returns NotReady if not initialized or while a batch is open (nothing
  /// is evaluated then), Ok when it ran to a stop.
  template <class F>
  Status minimize(F&& cost) noexcept {
    return minimize(static_cast<F&&>(cost), [](Real, long, int) {});
  }
  /// The same with an observer called after every completed generation
  /// (iteration() advanced; for the methods whose generation is one
  /// evaluation, after every tell) with (best value, evaluations,
  /// iteration): progress output, logging.
  template <class F, class Observer>
  Status minimize(F&& cost, Observer&& observer) noexcept {
    Core& c = core();
    if (!c.ready() || detail::facade_batch_open(c, 0)) return Status::NotReady;
    // The array pointers (fixed by the object's address) built once, not on
    // every ask and tell.
    const auto a = arrays();
    while (const Real* x = c.ask(a)) {
      const int before = c.iteration();
      (void)c.tell(a, cost(x, c.dims()));  // cannot fail: a candidate is pending
      if (detail::observes_every_tell<Core>::value || c.iteration() != before) observer(best_value(), evaluations(), iteration());
    }
    return Status::Ok;
  }

  // ---- Safe tuning (for evaluations that drive real hardware) -------------
  //
  // Every candidate ask() hands out goes through two optional filters, in
  // this order, the first time it is asked (the repeat of a pending ask
  // returns it unchanged); what is told is what was asked:
  //  1. Trust radius r: each coordinate is clipped to
  //     [max(lo, c − r·(hi − lo)), min(hi, c + r·(hi − lo))] around the
  //     centre c = the incumbent best_position(), or, before the first tell,
  //     the start point (set_start); without either, the very first candidate
  //     of a run is not clipped (give a start point for a fully bounded run).
  //  2. Feasibility predicate: if pred(x) is false the candidate is re-drawn
  //     up to max_tries times, deterministically (counter-based, tag
  //     kTagFeasible, counter {try, candidate index, iteration}): try k
  //     replaces x by c + u·(x − c), u uniform in [0, 1) — a random point on
  //     the segment from the centre to the last rejected point, so the tries
  //     contract towards the known-safe point and stay inside the trust box
  //     (clipped again against rounding). If every try is rejected the
  //     centre itself is handed out (a fallback). Before any point is known
  //     (no tell, no start) the tries are uniform in [lo, hi] (counter {dim
  //     pair, try, 0xFFFFFFFF}); if all are rejected nothing safe exists and
  //     the optimizer stops with StopReason::Infeasible (ask() gives nullptr).
  // The start point and the incumbent are trusted: they are handed out
  // without calling the predicate (the incumbent passed it when it was
  // asked, and the caller vouches for the start point). Hence
  // best_position() is always a point that was evaluated and feasible,
  // provided the predicate was installed before the first ask().
  // With neither filter the trajectory is exactly that of a plain run. What
  // the candidate index is, and what the start point replaces, is in each
  // optimizer's class comment.

  /// Feasibility predicate type: true when x (dims values) is safe; ctx is the caller's.
  using Feasible = typename Core::Feasible;
  /// Installs (or with pred null, removes) the predicate; ctx is passed to
  /// it untouched. max_tries: re-draws of a rejected candidate, 0 .. 64
  /// (0 = straight to the incumbent). May be called any time, also before
  /// init(); init() and load() keep it (it is not saved: re-install it after
  /// a reset). Each ask() calls pred at most max_tries + 1 times.
  /// Returns InvalidArgument if max_tries is out of range (nothing changed).
  [[nodiscard]] Status set_feasible(Feasible pred, void* ctx = nullptr, int max_tries = 8) noexcept {
    return core().set_feasible(pred, ctx, max_tries);
  }
  /// Trust radius as a fraction of each range, (0, 1]; 0 turns it off
  /// (the default; −0 is stored as +0). Any time; init() keeps it; it is
  /// saved. Returns InvalidArgument if not finite or outside [0, 1]
  /// (nothing changed).
  [[nodiscard]] Status set_trust_radius(float fraction) noexcept {
    return core().set_trust_radius(fraction);
  }
  /// A known-safe start point (dims values inside [lo, hi]), handed out as
  /// is by the first ask() of the run (the class comment says which initial
  /// point it replaces) and the trust centre and fallback until the first
  /// tell. Call after init() and before the first ask(). Returns NotReady
  /// otherwise, InvalidArgument if x is null, not finite or outside the box.
  [[nodiscard]] Status set_start(const Real* x) noexcept { return core().set_start(arrays(), x); }
  /// Candidates rejected by the predicate in this run (proposals and
  /// re-draws alike).
  long infeasible_count() const noexcept { return core().infeasible_count(); }
  /// Asks in this run that handed out the incumbent (or start) because
  /// every re-draw was rejected.
  long fallback_count() const noexcept { return core().fallback_count(); }
  /// The trust radius set by set_trust_radius(), as a fraction of each range (0 = off).
  float trust_radius() const noexcept { return core().trust_radius(); }

  // ---- Save and resume ------------------------------------------------------
  //
  // save() writes the whole state of the run; load() into an optimizer of
  // the same class and Real with enough capacity continues it bit for bit
  // (the same asks for the same costs), on any target. The feasibility
  // predicate is a pointer and is not saved: the loading object keeps its
  // own (re-install it). The format (header, config section, the common
  // section of detail/opt_core.hpp, the method's own section, seal), its
  // size and kMaxSaveSize are in each optimizer's class.

  /// Bytes save() writes for the current run (0 before init).
  size_t save_size() const noexcept { return core().save_size(); }
  /// Writes the state to buf (cap bytes) and the size to *written (may be
  /// null). Time O(size). Returns NotReady before init, InvalidArgument if
  /// buf is null, CapacityExceeded if cap < save_size() (nothing written), Ok.
  [[nodiscard]] Status save(uint8_t* buf, size_t cap, size_t* written) const noexcept {
    return core().save(mutable_arrays(), buf, cap, written);
  }
  /// Replaces this optimizer's state by a saved one (exactly `size` bytes).
  /// Returns Corrupt when anything is wrong: magic, version, Real size,
  /// length, CRC, reserved bytes, an enum or flag, or any invariant of
  /// check_invariants() (the same function checks both: a state loads
  /// exactly when a live run could have reached it, as far as the saved
  /// fields show); CapacityExceeded when a valid state needs more capacity
  /// than this object holds; InvalidArgument if buf is null. On failure
  /// nothing is changed, byte for byte. Time O(size).
  [[nodiscard]] Status load(const uint8_t* buf, size_t size) noexcept {
    return core().load(arrays(), buf, size);
  }
  /// Checks every invariant a live run keeps on this object (the shared
  /// C1..C8 of detail/opt_core.hpp and the method's own, listed in its class
  /// comment), with the same function load() applies to a saved state: Ok,
  /// Corrupt if one fails (memory overwritten, or a bug), NotReady before
  /// init. For tests, fuzzers and debug builds; O(state size).
  [[nodiscard]] Status check_invariants() const noexcept {
    return core().check_invariants(mutable_arrays());
  }

  // ---- The run ---------------------------------------------------------------

  /// True once a stop criterion was met (and before a successful init).
  bool done() const noexcept { return core().done(); }
  /// Why the run stopped (StopReason::None while running or before init).
  StopReason stop_reason() const noexcept { return core().stop_reason(); }
  /// Best evaluated point, or nullptr before the first tell(). Always a
  /// point that was asked and told (the first one told if all costs were
  /// NaN), hence feasible when a predicate is installed (see set_feasible).
  const Real* best_position() const noexcept { return core().has_best() ? self().best_ : nullptr; }
  /// Best cost told so far; +inf before the first finite cost.
  Real best_value() const noexcept { return core().best_value(); }
  /// Costs told so far in this run.
  long evaluations() const noexcept { return core().evaluations(); }
  /// Completed generations (what a generation is: the class comment).
  int iteration() const noexcept { return core().iteration(); }
  /// Dimensions of the current run (0 before init).
  int dims() const noexcept { return core().dims(); }
  /// The settings given to init() (after defaults were filled in).
  const Config& config() const noexcept { return core().config(); }

 private:
  friend Self;
  friend class BatchFacade<Self, Core, Real>;
  // Empty, trivially and constexpr default-constructible (a static optimizer
  // is still constant-initialized into .bss); only the optimizer makes one.
  OptimizerFacade() = default;

  Self& self() noexcept { return *static_cast<Self*>(this); }
  const Self& self() const noexcept { return *static_cast<const Self*>(this); }
  Core& core() noexcept { return self().core_; }
  const Core& core() const noexcept { return self().core_; }
  auto arrays() noexcept { return self().arrays(); }
  // The arrays of a const object, for the const members that pass views to
  // the core (which only reads through them).
  auto mutable_arrays() const noexcept { return const_cast<Self&>(self()).arrays(); }
};

/// OptimizerFacade plus batch ask/tell, for the population methods (Pso,
/// De, Cmaes): a generation's pending candidates can be evaluated in
/// parallel and told in any order with the serial trajectory.
template <class Self, class Core, class Real>
class BatchFacade : public OptimizerFacade<Self, Core, Real> {
  using Facade = OptimizerFacade<Self, Core, Real>;

 public:
  // ---- Batch ask/tell (parallel evaluation) ---------------------------------
  //
  // ask_batch hands out every candidate left in the current generation at
  // once (at most cap, and no more than max_evals allows), for a host that
  // evaluates them on several devices or processes; tell_batch takes their
  // costs in any order. When the last one is told, the tells are applied in
  // candidate order, exactly as one-at-a-time ask/tell would have applied
  // them: the trajectory is the same, bit for bit (tests/core/test_batch.cpp),
  // and a stop (target reached) at candidate k ignores the costs after k,
  // as a serial run would never have asked them. One difference: with safe
  // tuning on, a serial run filters each candidate against the incumbent of
  // its own time, a batch filters all of them against the incumbent at
  // ask_batch time (and a candidate whose predicate re-draws all fail
  // before anything is known ends the batch early, see set_feasible).
  // While a batch is open ask() gives nullptr and tell() NotReady.

  /// Opens a batch (or returns the open one again): writes the candidates'
  /// positions to xs[0 .. n−1] and returns n, 0 when done() or not ready
  /// (or cap < 1). A candidate already asked with ask() is the batch's first.
  /// The pointers stay valid until the batch is complete.
  int ask_batch(const Real** xs, int cap) noexcept {
    return Facade::core().ask_batch(Facade::arrays(), xs, cap);
  }
  /// Cost of candidate k (0 <= k < n) of the open batch. Returns NotReady
  /// before init, without an open batch or if k was already told, Done after
  /// the optimizer stopped, InvalidArgument if k is out of range, Ok
  /// otherwise (the last tell applies the whole batch).
  [[nodiscard]] Status tell_batch(int k, Real cost) noexcept {
    return Facade::core().tell_batch(Facade::arrays(), k, cost);
  }
  /// Candidates of the open batch, 0 when none is open.
  int batch_size() const noexcept { return Facade::core().batch_size(); }

 private:
  friend Self;
  BatchFacade() = default;
};

}  // namespace starling
