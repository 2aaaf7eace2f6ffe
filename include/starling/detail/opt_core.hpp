// starling/detail/opt_core.hpp: what every optimizer of the family shares, once:
// the box, the incumbent, the stop rules, NaN handling, the safe-tuning envelope
// (feasibility predicate, trust radius, start point), the draw key, and the
// common section, header and seal of the saved-state format. An optimizer (Pso,
// and the others of DESIGN.md's family) adds only its own update on top.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
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
  threefry4x32<kThreefryRounds>(ctr, key, out);
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
template <class Cfg>
constexpr StopRules stop_rules_of(const Cfg& c) noexcept {
  return {c.max_iter, c.max_evals, c.target, c.stall_iter};
}
/// True when every stop rule is in its documented range.
inline bool valid_stop_rules(const StopRules& r) noexcept {
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
  /// Marks the object not ready (a failed init).
  void reset() noexcept { state_ = State::Uninit; }

  // ---- the ask side ---------------------------------------------------------
  bool running() const noexcept { return state_ == State::Running; }
  bool pending() const noexcept { return pending_; }
  void set_pending(bool p) noexcept { pending_ = p; }
  /// Passes a new candidate through the safe-tuning filters (pso.hpp explains
  /// them): `index` numbers the candidate within the generation (the draw
  /// counter). The start point, which an optimizer puts in candidate 0 of the
  /// first generation, is handed out as it is. False when nothing safe exists
  /// (the run then stopped with StopReason::Infeasible).
  STARLING_ALWAYS_INLINE bool filter(const Box& b, Real* x, int index) noexcept {
    if (try_filter(b, x, index)) return true;
    stop(StopReason::Infeasible);
    return false;
  }
  /// The same without the stop: false leaves the run going (a batch that
  /// ends early instead).
  STARLING_ALWAYS_INLINE bool try_filter(const Box& b, Real* x, int index) noexcept {
    if (safe_ == nullptr || (has_start_ && evals_ == 0 && index == 0)) return true;
    return safe_(*this, b, x, index);
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
  int dims() const noexcept { return dims_; }
  uint64_t seed() const noexcept { return seed_; }
  const StopRules& rules() const noexcept { return rules_; }

  // ---- saved state: the shared section --------------------------------------
  //
  // Every optimizer's blob is: header (16 bytes: magic, version u16, R u8,
  // reserved u8, dims u32, population u32), the optimizer's config section,
  // this common section, the optimizer's own state, then a reserved u32 (0)
  // and the CRC-32/IEEE of every byte before it. The common section:
  //   max_iter i32, max_evals i64, target f32, stall_iter i32, seed u64,
  //   state u8 (1 running, 2 stopped), stop reason u8, pending u8, start u8,
  //   evaluations i64, iteration i32, stall i32,
  //   trust radius f32, max_tries i32, infeasible i64, fallback i64,
  //   best value R, best at the generation's start R, lo[D], hi[D], best[D] R.
  static constexpr size_t kHeaderBytes = 16;
  static constexpr size_t kCommonFixedBytes = 72;
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
  /// Parses the common section into *this (a scratch copy of the live core:
  /// the key is rebuilt from the saved seed and the optimizer's stream;
  /// the safe-tuning predicate is kept) and checks every field's range and
  /// the shared invariants (state and stop agree, a running run is below
  /// every stop rule, counters in range, the incumbent's value finite or
  /// +inf with +inf before the first evaluation, every interval valid, the
  /// incumbent inside the box). The arrays are only validated; load_arrays
  /// copies them once the optimizer has accepted the whole blob.
  Status load_common(StateReader& r, int dims, uint32_t stream) noexcept;
  static void load_arrays(const uint8_t* common_arrays, const Box& b, int dims) noexcept;
  /// Where the common arrays (lo, hi, best) start within the common section.
  static constexpr size_t kCommonArraysOffset = kCommonFixedBytes + 2 * sizeof(Real);
  /// Reinstalls the filter hook after a load (the predicate is not saved).
  void refresh_hook() noexcept { update_safe_hook(); }

 private:
  enum class State : uint8_t { Uninit, Running, Stopped };
  bool make_safe(const Box& b, Real* x, int index) noexcept;
  // filter() reaches the filters through this pointer, set only by
  // set_feasible / set_trust_radius / load when a filter is on: firmware that
  // never enables safe tuning does not link them (about 0.6 KB).
  static bool safe_thunk(OptCore& c, const Box& b, Real* x, int index) noexcept {
    return c.make_safe(b, x, index);
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
  State state_ = State::Uninit;
  StopReason stop_ = StopReason::None;
  bool pending_ = false;  // asked, not yet told
  bool has_start_ = false;
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
