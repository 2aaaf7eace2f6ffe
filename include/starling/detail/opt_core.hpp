// SPDX-License-Identifier: MIT
// starling/detail/opt_core.hpp: what every optimizer of the family shares, once:
// the box, the incumbent, the stop rules, NaN handling, the safe-tuning envelope
// (feasibility predicate, trust radius, start point), the draw key, and the
// common section, header and seal of the saved-state format. An optimizer (Pso,
// and the others of DESIGN.md's family) adds only its own update on top.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "starling/detail/state_io.hpp"
#include "starling/rng.hpp"
#include "starling/status.hpp"

/// Forces inlining where a call would cost more flash than the body (a
/// helper with one caller) or where constant folding must happen in the
/// caller (hooks chosen from a constant config).
#if defined(__GNUC__)
#define STARLING_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define STARLING_ALWAYS_INLINE inline
#endif

namespace starling {

/// Why an optimizer stopped. Infeasible: a feasibility predicate is
/// installed, no start point was given and none of the first candidate's
/// draws was feasible, so there was nothing safe to hand out.
enum class StopReason : int { None = 0, MaxIter, MaxEvals, Target, Stall, Infeasible };

namespace detail {

/// Counter word 3 of the envelope's re-draws (every optimizer's key differs,
/// so optimizers' own tags may reuse other values freely).
enum : uint32_t { kTagFeasible = 3 };

/// One Threefry-4x32-13 block with counter {block, particle, iteration, tag}
/// under `key`: every random number of the family comes from here (the
/// optimizers' own numbering of the counters is in their headers). One
/// function, so a firmware image holds one copy of the generator.
inline void swarm_block(const uint32_t key[4], uint32_t tag, uint32_t iteration, uint32_t particle,
                        uint32_t block, uint32_t out[4]) noexcept {
  const uint32_t ctr[4] = {block, particle, iteration, tag};
#if defined(__OPTIMIZE_SIZE__)
  threefry4x32_rolled(ctr, key, out);  // the same numbers, 68 B less code (M4F), 28 B more stack
#else
  threefry4x32<kThreefryRounds>(ctr, key, out);
#endif
}

/// The stop rules every optimizer's config carries, with the same names and
/// meaning: max_iter generations (>= 1), max_evals evaluations (0 = off),
/// target (stop once best <= target; −inf = off; NaN and +inf invalid),
/// stall_iter generations without improvement (0 = off).
struct StopRules {
  int max_iter;
  long max_evals;
  float target;
  int stall_iter;
};
/// lo <= v <= hi and v finite (false for NaN): every config check's range
/// test, inline so that a constant config folds.
STARLING_ALWAYS_INLINE bool finite_in(float v, float lo, float hi) noexcept {
  return std::isfinite(v) && v >= lo && v <= hi;
}
template <class Cfg>
constexpr StopRules stop_rules_of(const Cfg& c) noexcept {
  return {c.max_iter, c.max_evals, c.target, c.stall_iter};
}
/// True when every stop rule is in its documented range.
STARLING_ALWAYS_INLINE bool valid_stop_rules(const StopRules& r) noexcept {
  return r.max_iter >= 1 && r.max_evals >= 0 && !std::isnan(r.target) &&
         r.target != std::numeric_limits<float>::infinity() && r.stall_iter >= 0;
}

/// A valid search interval: finite bounds, lo < hi, hi − lo at most max/32
/// (so that no update term of an optimizer overflows; see Pso::init), and
/// hi − lo at least 2^24 times the smallest normal number (2^-102 ≈ 2.0e-31
/// for float, 2^-998 for double): every fraction of the range down to 2^-24
/// is then a normal number, so steps and velocity limits never underflow to
/// denormals or zero (a denormal range froze every particle). A range of a
/// few ulps of its bounds is accepted: coarse, but every rule still keeps
/// each coordinate inside.
template <class Real>
inline bool valid_interval(Real lo, Real hi) noexcept {
  constexpr Real kMaxRange = std::numeric_limits<Real>::max() / 32;
  constexpr Real kMinRange = std::numeric_limits<Real>::min() * Real(16777216);
  return std::isfinite(lo) && std::isfinite(hi) && lo < hi && hi - lo <= kMaxRange &&
         hi - lo >= kMinRange;
}

/// A read-only table of Reals, either in live memory or inside a saved blob
/// (little-endian, as StateWriter wrote it): element (i, d) sits i·row + d
/// elements after the start. The state checks read the live arrays and a
/// blob under test through it alike, so one checking function serves
/// check_invariants() and load() without staging a copy of the arrays.
template <class Real>
class Cells {
 public:
  Cells() noexcept = default;
  static Cells live(const Real* p, int row = 0) noexcept { return Cells(p, row, false); }
  static Cells saved(const uint8_t* p, int row = 0) noexcept { return Cells(p, row, true); }
  Real operator()(int i, int d = 0) const noexcept {
    const size_t k = static_cast<size_t>(i) * row_ + static_cast<size_t>(d);
    if (!saved_) return static_cast<const Real*>(p_)[k];
    StateReader r(static_cast<const uint8_t*>(p_) + k * sizeof(Real));
    return r.real<Real>();
  }
  Real operator[](int d) const noexcept { return (*this)(0, d); }

 private:
  Cells(const void* p, int row, bool saved) noexcept
      : p_(p), row_(static_cast<size_t>(row)), saved_(saved) {}
  const void* p_ = nullptr;
  size_t row_ = 0;
  bool saved_ = false;
};

/// Bitwise equality of two Reals (a state check's "the same point": copies
/// are exact, and −0 differs from +0 in the saved bytes).
template <class Real>
inline bool same_bits(Real a, Real b) noexcept {
  return std::memcmp(&a, &b, sizeof(Real)) == 0;
}

/// The shared part of an optimizer's state; trivially copyable, all zero bits
/// until start() (so a static optimizer is constant-initialized into .bss).
template <class Real>
class OptCore {
 public:
  /// Feasibility predicate: true when x (dims values) is safe to evaluate.
  using Feasible = bool (*)(const Real* x, int dims, void* ctx);
  /// Upper limit of the re-draws per candidate (set_feasible's max_tries).
  static constexpr int kMaxFeasibleTries = 64;
  /// Views of the per-dimension arrays the optimizer object owns: the box and
  /// the incumbent (which holds the start point until the first tell).
  struct Box {
    Real* lo;
    Real* hi;
    Real* best;
  };

  /// Checks a box: InvalidArgument (null, dims < 1, an invalid interval, see
  /// valid_interval), CapacityExceeded (dims > max_dims), Ok. Changes nothing.
  static STARLING_ALWAYS_INLINE Status check_box(const Real* lo, const Real* hi, int dims,
                                                 int max_dims) noexcept {
    if (lo == nullptr || hi == nullptr || dims < 1) return Status::InvalidArgument;
    if (dims > max_dims) return Status::CapacityExceeded;
    for (int d = 0; d < dims; ++d)
      if (!valid_interval(lo[d], hi[d])) return Status::InvalidArgument;
    return Status::Ok;
  }
  /// Starts a run over a checked box: copies it, resets every counter and the
  /// incumbent (+inf), keeps the safe-tuning settings. The draw key is
  /// {seed, stream, 0}: `stream` separates one optimizer's numbers from
  /// another's (and from a user's Rng) for the same seed.
  STARLING_ALWAYS_INLINE void start(const Box& b, const Real* lo, const Real* hi, int dims,
                                    const StopRules& rules, uint64_t seed, uint32_t stream) noexcept {
    rules_ = rules;
    seed_ = seed;
    key_[0] = static_cast<uint32_t>(seed);
    key_[1] = static_cast<uint32_t>(seed >> 32);
    key_[2] = stream;
    key_[3] = 0;
    dims_ = dims;
    evals_ = 0;
    iter_ = 0;
    stall_ = 0;
    pending_ = false;
    has_start_ = false;
    clip_ = 0;
    infeasible_ = 0;
    fallback_ = 0;
    stop_ = StopReason::None;
    best_f_ = std::numeric_limits<Real>::infinity();
    gen_start_best_ = best_f_;
    for (int d = 0; d < dims; ++d) {
      b.lo[d] = lo[d];
      b.hi[d] = hi[d];
      b.best[d] = lo[d];
    }
    state_ = State::Running;
  }
  /// Marks the object not ready (a failed init): the queries then answer as
  /// for a fresh object (no best, no evaluations, dims 0); the safe-tuning
  /// settings are kept.
  STARLING_ALWAYS_INLINE void reset() noexcept {
    state_ = State::Uninit;
    stop_ = StopReason::None;
    dims_ = 0;
    evals_ = 0;
    iter_ = 0;
    stall_ = 0;
    pending_ = false;
    has_start_ = false;
    clip_ = 0;
    infeasible_ = 0;
    fallback_ = 0;
  }

  // ---- the ask side ---------------------------------------------------------
  bool running() const noexcept { return state_ == State::Running; }
  bool pending() const noexcept { return pending_; }
  void set_pending(bool p) noexcept { pending_ = p; }
  /// Passes a new candidate through the safe-tuning filters (pso.hpp explains
  /// them): `index` numbers the candidate within the generation (the draw
  /// counter). The start point, which an optimizer puts in candidate 0 of the
  /// first generation, is handed out as it is (only while that candidate
  /// still equals the start, so no other point ever skips the filters).
  /// False when nothing safe exists (the run then stopped with
  /// StopReason::Infeasible). A candidate that passes is outstanding until the
  /// next record(): the optimizer tells every outstanding candidate before it
  /// records any of them (one ask, or a whole batch).
  STARLING_ALWAYS_INLINE bool filter(const Box& b, Real* x, int index) noexcept {
    if (try_filter(b, x, index)) return true;
    stop(StopReason::Infeasible);
    return false;
  }
  /// The same without the stop: false leaves the run going (a batch that
  /// ends early instead).
  STARLING_ALWAYS_INLINE bool try_filter(const Box& b, Real* x, int index) noexcept {
    if (safe_ != nullptr) return safe_(*this, b, x, index);  // notes the clip radius
    clip_ = std::numeric_limits<float>::infinity();  // no filter: unclipped
    return true;
  }

  // ---- the tell side --------------------------------------------------------
  /// NaN and ±inf are the worst cost: +inf, which no strict "<" ever passes.
  static Real sanitize(Real cost) noexcept {
    return std::isfinite(cost) ? cost : std::numeric_limits<Real>::infinity();
  }
  /// Records the evaluation of x with sanitized cost f: the incumbent (the
  /// first point told is the best until a finite cost beats it, so the
  /// incumbent is always an evaluated point), the count, and the Target and
  /// MaxEvals stops. Returns true while the run goes on.
  STARLING_ALWAYS_INLINE bool record(const Box& b, const Real* x, Real f) noexcept {
    clip_ = 0.f;  // nothing outstanding once the optimizer records
    if (f < best_f_ || evals_ == 0) {
      best_f_ = f;
      for (int d = 0; d < dims_; ++d) b.best[d] = x[d];
    }
    ++evals_;
    if (best_f_ <= static_cast<Real>(rules_.target)) return stop(StopReason::Target), false;
    if (rules_.max_evals > 0 && evals_ >= rules_.max_evals) return stop(StopReason::MaxEvals), false;
    return true;
  }
  /// Ends a generation: counts it, updates the stall count (no strict
  /// improvement of the incumbent), MaxIter and Stall stops. Returns true
  /// while the run goes on.
  STARLING_ALWAYS_INLINE bool end_generation() noexcept {
    ++iter_;
    stall_ = best_f_ < gen_start_best_ ? 0 : stall_ + 1;
    gen_start_best_ = best_f_;
    if (iter_ >= rules_.max_iter) return stop(StopReason::MaxIter), false;
    if (rules_.stall_iter > 0 && stall_ >= rules_.stall_iter) return stop(StopReason::Stall), false;
    return true;
  }
  void stop(StopReason r) noexcept {
    state_ = State::Stopped;
    stop_ = r;
  }
  /// Evaluations the run may still make (a large number when max_evals is off).
  long evals_left() const noexcept {
    return rules_.max_evals > 0 ? rules_.max_evals - evals_ : std::numeric_limits<long>::max();
  }

  // ---- the envelope ---------------------------------------------------------
  Status set_feasible(Feasible pred, void* ctx, int max_tries) noexcept;
  /// Stores 0 for −0, so equal settings save equal bytes.
  Status set_trust_radius(float fraction) noexcept;
  /// Checks x against the running box (NotReady unless running with nothing
  /// asked or told, InvalidArgument if null, not finite or outside) and keeps
  /// it in b.best; the optimizer then puts it in candidate 0.
  Status set_start(const Box& b, const Real* x) noexcept;
  long infeasible_count() const noexcept { return infeasible_; }
  long fallback_count() const noexcept { return fallback_; }
  float trust_radius() const noexcept { return trust_; }
  int max_feasible_tries() const noexcept { return max_tries_; }
  bool has_start() const noexcept { return has_start_; }

  // ---- draws ----------------------------------------------------------------
  const uint32_t* key() const noexcept { return key_; }
  /// One Threefry-4x32-13 block with counter {c0, c1, c2, tag} (swarm_block).
  void block(uint32_t tag, uint32_t c2, uint32_t c1, uint32_t c0, uint32_t out[4]) const noexcept {
    swarm_block(key_, tag, c2, c1, c0, out);
  }

  // ---- queries --------------------------------------------------------------
  bool done() const noexcept { return state_ != State::Running; }
  bool ready() const noexcept { return state_ != State::Uninit; }
  StopReason stop_reason() const noexcept { return stop_; }
  STARLING_ALWAYS_INLINE Real best_value() const noexcept {
    return state_ == State::Uninit && evals_ == 0 ? std::numeric_limits<Real>::infinity() : best_f_;
  }
  bool has_best() const noexcept { return evals_ > 0; }
  long evaluations() const noexcept { return evals_; }
  int iteration() const noexcept { return iter_; }
  /// Generations without improvement, and the best value when the current
  /// generation began.
  int stall() const noexcept { return stall_; }
  Real generation_start_best() const noexcept { return gen_start_best_; }
  int dims() const noexcept { return dims_; }
  uint64_t seed() const noexcept { return seed_; }
  const StopRules& rules() const noexcept { return rules_; }

  /// The trust box radius the outstanding candidates were clipped to (the
  /// largest, if several): 0 when none is outstanding, +inf when one was not
  /// clipped (no trust radius, or nothing known to centre it on). Saved, so
  /// that a loaded state's candidates can be checked against it even when the
  /// trust radius changed after they were handed out.
  float clip_radius() const noexcept { return clip_; }

  // ---- saved state: the shared section --------------------------------------
  //
  // Every optimizer's blob is: header (16 bytes: magic, version u16, R u8,
  // reserved u8, dims u32, population u32), the optimizer's config section,
  // this common section, the optimizer's own state, then a reserved u32 (0)
  // and the CRC-32/IEEE of every byte before it. The common section:
  //   max_iter i32, max_evals i64, target f32, stall_iter i32, seed u64,
  //   state u8 (1 running, 2 stopped), stop reason u8, pending u8, start u8,
  //   evaluations i64, iteration i32, stall i32,
  //   trust radius f32, clip radius f32 (clip_radius()), max_tries i32,
  //   infeasible i64, fallback i64,
  //   best value R, best at the generation's start R, lo[D], hi[D], best[D] R.
  //
  // Loading, for every optimizer: decode the whole blob into a scratch copy
  // of the core object (load_common for this section; the arrays stay in the
  // buffer), run the optimizer's one state check over Cells::saved views of
  // the buffer, and only when it passes assign the scratch copy and copy the
  // arrays (load_arrays). The same check over Cells::live views is the
  // optimizer's public check_invariants(), so what load() accepts is exactly
  // what a live run can reach (as far as the state shows it), and a refused
  // load changes nothing. The optimizer's check calls check_common (the
  // shared invariants below) and the helpers after it for its own arrays.
  static constexpr size_t kHeaderBytes = 16;
  static constexpr size_t kCommonFixedBytes = 76;
  static constexpr size_t kSealBytes = 8;
  static constexpr size_t common_size(int dims) noexcept {
    return kCommonFixedBytes + sizeof(Real) * (2 + 3 * static_cast<size_t>(dims));
  }
  static void write_header(StateWriter& w, const char magic[4], uint16_t version, int dims,
                           int population) noexcept;
  /// Checks magic, version, Real size and the reserved byte, the length
  /// against the fixed part, and the seal (reserved word 0, CRC); reads dims
  /// and population. Corrupt on any mismatch.
  static Status read_header(const uint8_t* buf, size_t size, const char magic[4],
                            uint16_t version, uint32_t* dims, uint32_t* population) noexcept;
  /// Writes the reserved word and the CRC over buf[0, n − 4); n is the blob size.
  static void seal(uint8_t* buf, size_t n) noexcept;
  void save_common(StateWriter& w, const Box& b) const noexcept;
  /// Decodes the common section into *this (a scratch copy of the live core:
  /// the key is rebuilt from the saved seed and the optimizer's stream; the
  /// safe-tuning predicate is kept) and leaves r after it. Refuses (Corrupt)
  /// only what the object cannot hold (an enum or flag byte out of range, a
  /// count beyond long); every other rule is check_common's. The arrays stay
  /// in the buffer (common_cells() views them; load_arrays copies them).
  Status load_common(StateReader& r, int dims, uint32_t stream) noexcept;
  static void load_arrays(const uint8_t* common_arrays, const Box& b, int dims) noexcept;
  /// Where the common arrays (lo, hi, best) start within the common section.
  static constexpr size_t kCommonArraysOffset = kCommonFixedBytes + 2 * sizeof(Real);
  /// Reinstalls the filter hook after a load (the predicate is not saved).
  void refresh_hook() noexcept { update_safe_hook(); }

  // ---- the state checks -------------------------------------------------------
  //
  // The shared invariants, which every optimizer's state keeps (check_common):
  //  C1  the stop rules are valid (valid_stop_rules); dims >= 1.
  //  C2  running <=> stop reason None; running => below every stop rule
  //      (iteration < max_iter, evaluations < max_evals when on, stall <
  //      stall_iter when on); best <= target <=> stopped by Target.
  //  C3  each stop reason matches its counter: MaxIter: iteration = max_iter;
  //      MaxEvals: evaluations = max_evals; Stall: stall = stall_iter (on)
  //      and iteration < max_iter; Infeasible: nothing evaluated, no start,
  //      at least one rejection.
  //  C4  counters: 0 <= stall <= iteration <= max_iter, evaluations <=
  //      max_evals (when on), 0 <= fallback <= infeasible, and no fallback
  //      before anything is known (nothing evaluated, no start).
  //  C5  trust radius in [0, 1], never −0; max_tries in [0, 64].
  //  C6  best value never NaN or −inf; +inf before the first evaluation; the
  //      best at the generation's start is >= it (not NaN or −inf), +inf in
  //      generation 0, and equal to it when nothing was told in this
  //      generation yet.
  //  C7  every interval valid (valid_interval); the incumbent's array finite
  //      and in the box; before the first evaluation it holds the start point
  //      if one was given, else lo (what start() wrote).
  //  C8  clip radius 0 <=> nothing outstanding; otherwise in (0, 1] or +inf,
  //      and finite only if there was a centre (an evaluation or a start).
  // The optimizer's own check adds, with the helpers below: every point of
  // its state finite and in the box (in_box), every outstanding candidate
  // something the filters could have handed out (candidate), the start in
  // candidate 0 while nothing is evaluated, and the incumbent among its
  // evaluated points with a matching value (same_as_best) as far as its
  // state records them.

  /// The common arrays of a state, live (common_cells(box)) or in a blob.
  struct BoxCells {
    Cells<Real> lo, hi, best;
  };
  static BoxCells common_cells(const Box& b) noexcept {
    return {Cells<Real>::live(b.lo), Cells<Real>::live(b.hi), Cells<Real>::live(b.best)};
  }
  static BoxCells common_cells(const uint8_t* common_arrays, int dims) noexcept {
    const size_t n = sizeof(Real) * static_cast<size_t>(dims);
    return {Cells<Real>::saved(common_arrays), Cells<Real>::saved(common_arrays + n),
            Cells<Real>::saved(common_arrays + 2 * n)};
  }
  /// Facts only the optimizer knows: whether candidates are outstanding (a
  /// pending ask, an open batch) and whether anything was told in the
  /// current generation.
  struct Progress {
    bool outstanding;
    bool told_this_generation;
  };
  /// True when C1..C8 hold.
  bool check_common(const BoxCells& b, const Progress& p) const noexcept;
  /// Row i of g (dims values) is finite and inside the box.
  bool in_box(const BoxCells& b, const Cells<Real>& g, int i) const noexcept;
  /// Row i of g could be an outstanding candidate: inside the box and, when
  /// the clip radius is finite, inside the trust box of that radius around
  /// the incumbent (the centre, which stays put while candidates are out).
  bool candidate(const BoxCells& b, const Cells<Real>& g, int i) const noexcept;
  /// Row i of g is the incumbent's point, bit for bit.
  bool same_as_best(const BoxCells& b, const Cells<Real>& g, int i) const noexcept;

 private:
  enum class State : uint8_t { Uninit, Running, Stopped };
  bool make_safe(const Box& b, Real* x, int index) noexcept;
  // filter() reaches the filters through this pointer, set only by
  // set_feasible / set_trust_radius / load when a filter is on: firmware that
  // never enables safe tuning does not link them (about 0.6 KB).
  static bool safe_thunk(OptCore& c, const Box& b, Real* x, int index) noexcept {
    if (!c.make_safe(b, x, index)) return false;
    // The trust box every outstanding candidate lies in (+inf: unclipped).
    const float r = c.trust_ > 0.f && (c.evals_ > 0 || c.has_start_)
                        ? c.trust_
                        : std::numeric_limits<float>::infinity();
    if (r > c.clip_) c.clip_ = r;
    return true;
  }
  void update_safe_hook() noexcept {
    safe_ = feasible_ != nullptr || trust_ > 0 ? &safe_thunk : nullptr;
  }

  StopRules rules_{0, 0, 0.f, 0};
  uint64_t seed_ = 0;
  uint32_t key_[4] = {0, 0, 0, 0};
  long evals_ = 0;
  Real best_f_ = 0;       // +inf from start() until a finite cost is told
  Real gen_start_best_ = 0;
  int dims_ = 0;
  int iter_ = 0;          // completed generations
  int stall_ = 0;         // generations without improvement
  StopReason stop_ = StopReason::None;
  State state_ = State::Uninit;
  bool pending_ = false;  // asked, not yet told
  bool has_start_ = false;
  float clip_ = 0;        // clip_radius() (fills the padding before the pointers)
  // Safe tuning (settings survive start(); counters are per run).
  Feasible feasible_ = nullptr;
  bool (*safe_)(OptCore&, const Box&, Real*, int) noexcept = nullptr;
  void* feasible_ctx_ = nullptr;
  float trust_ = 0;       // trust radius as a fraction of each range, 0 = off
  int max_tries_ = 0;
  long infeasible_ = 0;
  long fallback_ = 0;
};

extern template class OptCore<float>;
extern template class OptCore<double>;

}  // namespace detail
}  // namespace starling
