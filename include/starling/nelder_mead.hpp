// SPDX-License-Identifier: MIT
// starling/nelder_mead.hpp: bounded Nelder–Mead simplex search with adaptive
// coefficients and restarts on collapse, in a fixed block of memory, driven by
// ask/tell.
//
//   starling::NelderMead<8> nm;                    // D <= 8, float
//   if (nm.init(lo, hi, 3, 0, starling::NelderMeadConfig{}, 42) != starling::Status::Ok) ...
//   while (const float* x = nm.ask()) nm.tell(run_episode(x));
//   use(nm.best_position(), nm.best_value());
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "starling/detail/opt_core.hpp"
#include "starling/optimizer_facade.hpp"
#include "starling/status.hpp"

namespace starling {

/// Settings. A default-constructed NelderMeadConfig is the recommended
/// setting: Gao–Han adaptive coefficients, an initial simplex of 0.2 of each
/// range, restart when the simplex has collapsed to 1e-6 of each range.
///
/// Sources: Nelder & Mead, "A simplex method for function minimization",
/// Computer Journal 7, 1965 (the method); Lagarias, Reeds, Wright & Wright,
/// SIAM J. Optim. 9(1), 1998 (the precise rules of each step, used here);
/// Gao & Han, "Implementing the Nelder-Mead simplex algorithm with adaptive
/// parameters", Comput. Optim. Appl. 51, 2012 (the coefficients for higher
/// dimensions); O'Neill, Applied Statistics AS 47, 1971 (restarting a
/// collapsed simplex).
///
/// A range written (0, x] refuses values below 1e-30 as well (none of
/// them is of use), and validate() refuses NaN and ±inf everywhere.
struct NelderMeadConfig {
  /// Simplex steps. The initial simplex counts as the first generation, each
  /// step (a reflection and what follows it) and each restart's fresh
  /// simplex as one more. >= 1.
  int max_iter = 1000;
  /// Stop after this many evaluations, also mid-step. 0 = off.
  long max_evals = 0;
  /// Stop as soon as best <= target. −inf = off. NaN and +inf are invalid.
  float target = -std::numeric_limits<float>::infinity();
  /// Stop after this many generations without improving the best. 0 = off.
  int stall_iter = 0;
  /// Edge of the initial (and every restart's) simplex as a fraction of
  /// each range: vertex d + 1 is vertex 0 moved by ±step·(hi − lo) along
  /// axis d (the sign drawn at random, flipped if the move would leave the
  /// box). Range (0, 1].
  float step = 0.2f;
  /// Gao & Han's coefficients for n = dims >= 2: reflection 1, expansion
  /// 1 + 2/n, contraction 0.75 − 1/(2n), shrink 1 − 1/n. Off (and always for
  /// n = 1): the classic 1, 2, 1/2, 1/2, which degrade as n grows.
  bool adaptive = true;
  /// Restart when every vertex lies within restart_tol·(hi − lo) of the
  /// best one in every coordinate (or within 4 ulps of it, so that a
  /// simplex stuck at the float resolution also counts): the best vertex
  /// is kept, the others are rebuilt around it as an initial simplex with
  /// fresh random signs. 0 = never restart. Range [0, 1).
  float restart_tol = 1e-6f;
};

/// Returns Ok if every value of `cfg` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const NelderMeadConfig& cfg) noexcept;

namespace detail {
/// validate(c) == Ok as one expression (the one statement of the rules;
/// validate() is its out-of-line copy), so that init folds it to a constant
/// where the config is one.
STARLING_ALWAYS_INLINE bool nelder_mead_config_ok(const NelderMeadConfig& c) noexcept {
  return valid_stop_rules(stop_rules_of(c)) && finite_in(c.step, 1e-30f, 1.f) &&
         finite_in(c.restart_tol, 0.f, 0.99999994f);
}
/// validate(c) == Ok, computed in the caller (init): a constant config folds
/// to a constant (no code, no call), any other calls validate().
STARLING_ALWAYS_INLINE bool nelder_mead_config_valid(const NelderMeadConfig& c) noexcept {
#if defined(__GNUC__)
  const bool ok = nelder_mead_config_ok(c);
  if (__builtin_constant_p(ok)) return ok;
#endif
  return validate(c) == Status::Ok;
}
}  // namespace detail

namespace detail {

/// Everything of a Nelder–Mead search but its arrays (size-erased: one copy
/// of the code per Real type for every capacity).
template <class Real>
class NelderMeadCore {
 public:
  struct Arrays {       // views into the owning NelderMead's storage
    Real* simplex;      // [max_dims + 1][stride] vertices
    Real* fv;           // [max_dims + 1] their costs
    Real* cen;          // [stride] centroid of all vertices but the worst
    Real* xr;           // [stride] the step's reflected point
    Real* x;            // [stride] the candidate handed out
    Real* lo; Real* hi; Real* best;  // [stride] the box and the incumbent
    int stride;         // MaxDims
    int max_dims;
  };
  using Base = OptCore<Real>;
  /// The draw stream (key word 2, "NMS1").
  static constexpr uint32_t kStream = 0x4E4D5331u;
  /// Draw tags: kTagVertex0, block {d/4, 0, 0, tag}: word d%4 → vertex 0's
  /// coordinate d (uniform in the box); kTagSigns, block {d/4, 0, r, tag}
  /// for simplex r (0 = the initial one, r = the r-th restart): the top bit
  /// of word d%4 is the sign of vertex d + 1's move (1 = minus).
  enum : uint32_t { kTagVertex0 = 1, kTagSigns = 2 };
  enum class Phase : uint8_t { Build, Reflect, Expand, ContractOut, ContractIn, Shrink };
  using Feasible = typename Base::Feasible;

  /// cfg_valid: validate(cfg) == Ok, computed by the caller (nelder_mead_config_valid).
  Status init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
              const NelderMeadConfig& cfg, uint64_t seed, bool cfg_valid) noexcept;
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

  /// Saved-state format (layout documented at NelderMead::save).
  static constexpr size_t kConfigBytes = 16;
  static constexpr size_t kOwnFixedBytes = 28;
  static constexpr size_t state_size(int dims) noexcept {
    return Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnFixedBytes +
           sizeof(Real) * (1 + (static_cast<size_t>(dims) + 1) * (static_cast<size_t>(dims) + 1) +
                           3 * static_cast<size_t>(dims)) +
           Base::kSealBytes;
  }
  size_t save_size() const noexcept { return base_.ready() ? state_size(base_.dims()) : 0; }
  Status save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept;
  Status load(const Arrays& a, const uint8_t* buf, size_t size) noexcept;
  /// NelderMead::check_invariants over the live arrays.
  Status check_invariants(const Arrays& a) const noexcept;

  bool done() const noexcept { return base_.done(); }
  bool ready() const noexcept { return base_.ready(); }
  StopReason stop_reason() const noexcept { return base_.stop_reason(); }
  Real best_value() const noexcept { return base_.best_value(); }
  bool has_best() const noexcept { return base_.has_best(); }
  long evaluations() const noexcept { return base_.evaluations(); }
  int iteration() const noexcept { return base_.iteration(); }
  int dims() const noexcept { return base_.dims(); }
  const NelderMeadConfig& config() const noexcept { return cfg_; }
  int restarts() const noexcept { return restarts_; }
  Phase phase() const noexcept { return phase_; }
  /// The coefficients in use: reflection, expansion, contraction, shrink.
  void coefficients(Real* c4) const noexcept {
    c4[0] = alpha_;
    c4[1] = beta_;
    c4[2] = gamma_;
    c4[3] = delta_;
  }

 private:
  typename Base::Box box(const Arrays& a) const noexcept { return {a.lo, a.hi, a.best}; }
  void set_coefficients() noexcept;
  void build(const Arrays& a) noexcept;
  void advance(const Arrays& a, Real f) noexcept;
  void replace_worst(const Arrays& a, const Real* x, Real f) noexcept;
  void finish_step(const Arrays& a) noexcept;
  void begin_step(const Arrays& a) noexcept;
  void next_shrink_vertex() noexcept;
  bool collapsed(const Arrays& a) const noexcept;
  // The arrays of a state, live or in a saved blob.
  struct OwnCells {
    Cells<Real> simplex, fv, cen, xr, x;
  };
  // The state check (NelderMead::check_invariants lists it): the one
  // function behind load() and check_invariants().
  bool check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept;
  static OwnCells saved_cells(const uint8_t* own, int n) noexcept;

  // Zero bits until init (constant-initialized into .bss).
  Base base_;
  NelderMeadConfig cfg_{0, 0, 0.f, 0, 0.f, false, 0.f};
  Real alpha_ = 0, beta_ = 0, gamma_ = 0, delta_ = 0;  // derived from cfg_ and dims
  Real fr_ = 0;        // cost of the step's reflected point
  Phase phase_ = Phase::Build;
  int vertex_ = 0;     // Build / Shrink: the vertex asked next
  int l_ = 0, s_ = 0, h_ = 0;  // best, second worst, worst vertex of the step
  int restarts_ = 0;
  int trial_ = 0;      // candidates asked in this generation (the envelope's index)
};

extern template class NelderMeadCore<float>;
extern template class NelderMeadCore<double>;

}  // namespace detail

/// A Nelder–Mead simplex search over a box with room for MaxDims dimensions,
/// all in the object (no heap).
///
/// The method: a simplex of D + 1 vertices; each step reflects the worst
/// vertex through the centroid of the others and, depending on the cost
/// there, expands, accepts, contracts (outside or inside) or shrinks the
/// whole simplex towards the best vertex (Lagarias et al.'s rules: accept
/// the reflection if f_best <= f_r < f_second_worst; expansion kept if
/// f_e < f_r; outside contraction accepted if f_c <= f_r, inside if
/// f_c < f_worst; otherwise shrink). Ties: the best vertex is the first of
/// the lowest cost, the worst the last of the highest, the second worst the
/// last of the highest among the others (vertex order).
///
/// Bounds: every trial point (reflection, expansion, contraction, shrunk
/// and initial vertex) is projected onto the box, coordinate by coordinate
/// (clamped to [lo, hi]); the projected point is what is evaluated and what
/// enters the simplex. The simplex can flatten against a face this way; the
/// restart on collapse rebuilds it. (SciPy's bounded Nelder–Mead clips the
/// same way.)
///
/// Evaluations and generations: one evaluation per ask. The initial
/// simplex is D + 1 evaluations and the first generation; a step is 1
/// (reflection accepted), 2 (expansion or contraction) or 2 + D (shrink)
/// evaluations and one generation; a restart's fresh simplex is D
/// evaluations (the best vertex is kept with its cost) and one generation.
/// Vertex 0 is uniform in the box, or the start point (set_start).
/// population must be 0: the simplex is always D + 1 vertices.
///
/// Memory: sizeof(NelderMead) = sizeof(Real)·((MaxDims + 1)·(MaxDims + 1)
/// + 6·MaxDims) + sizeof(detail::NelderMeadCore<Real>), rounded up to a
/// multiple of 8: the vertices and their costs, centroid, reflected point,
/// candidate, lo, hi and the incumbent; the core (config, counters, key,
/// safe-tuning settings) is 224 bytes for float on x86-64 and 184 on
/// Cortex-M (tests/core/test_nelder_mead.cpp checks). E.g. float, D = 8:
/// 4·(81 + 48) + 184 = 700 → 704 bytes on Cortex-M.
///
/// Time: ask() O(D) (a trial point), tell() O(D) except the tell that ends a
/// step, O(D²) (best/worst, collapse test and centroid).
///
/// The shared members (OptimizerFacade): iteration() counts the
/// generations above; set_start() gives vertex 0 of the initial simplex
/// (the other vertices are built around it).
///
/// Invariants (check_invariants() checks them on the live object, load()
/// on a saved state, with one function):
/// The shared invariants C1..C8 (detail/opt_core.hpp), and the simplex's:
///  N1  the config passes validate(); its stop rules are the common
///      section's (and the coefficients are the config's, live only: load
///      recomputes them).
///  N2  best, second worst and worst vertex indices in [0, D], the worst
///      differing from the other two while stepping; 0 <= restarts <=
///      iteration; 0 <= trial <= D + 2 and <= evaluations.
///  N3  Build: the vertex asked next in [0 (1 after a restart), D] (D + 1
///      once stopped), and in the first simplex it counts the evaluations
///      (plus 1 after a stop by Target or MaxEvals); Shrink: the vertex in
///      [0, D] (D + 1 once stopped), never the best; a step phase never at
///      iteration 0.
///  N4  every vertex, the reflected point and the candidate finite and in
///      the box; the centroid finite.
///  N5  every vertex cost and the reflected cost never NaN or −inf and >=
///      the best value; a finite best value is a vertex's cost (the
///      reflected cost while expanding, or the cost whose tell stopped the
///      run).
///  N6  a start point with nothing evaluated is every vertex (and the
///      pending candidate).
///  N7  a pending candidate is in the box and in the trust box of the clip
///      radius around the incumbent (OptCore::candidate).
///  N8  the trial count follows from the phase (vertices built, the
///      reflection, one trial point, the shrunk vertices; plus the tell
///      that stopped the run); within a step before any vertex changed,
///      the best, second worst and worst indices and the centroid are what
///      the vertices give (bit for bit); in a shrink the best vertex's
///      cost is <= every vertex not yet shrunk.
/// Not checkable from the state: that a point passes the feasibility
/// predicate, and where the steps put the vertices.
template <int MaxDims, class Real = float>
class NelderMead : public OptimizerFacade<NelderMead<MaxDims, Real>, detail::NelderMeadCore<Real>, Real> {
  static_assert(std::is_same<Real, float>::value || std::is_same<Real, double>::value,
                "Real must be float or double");
  static_assert(MaxDims >= 1 && MaxDims <= 4096, "MaxDims must be in [1, 4096]");

 public:
  /// The capacity in dimensions (template argument).
  static constexpr int kMaxDims = MaxDims;
  /// No population: init() accepts only 0 (tests/core/test_family.cpp reads this).
  static constexpr bool kHasPopulation = false;
  /// The size-erased core: everything but the arrays, one copy of the code per Real type.
  using Core = detail::NelderMeadCore<Real>;

  /// Validates and starts a run over the box [lo, hi] (each `dims` long).
  /// Returns InvalidArgument (lo or hi null, dims < 1, population not 0, an
  /// invalid interval as for Pso::init, a config value out of range),
  /// CapacityExceeded (dims > MaxDims), Ok. On failure the optimizer is left
  /// not ready (ask() gives nullptr).
  [[nodiscard]] STARLING_ALWAYS_INLINE Status init(const Real* lo, const Real* hi, int dims, int population,
                            const NelderMeadConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), lo, hi, dims, population, cfg, seed, detail::nelder_mead_config_valid(cfg));
  }

  // ---- Safe tuning: Pso's semantics (see Pso::set_feasible) ----------------
  // Every candidate goes through the trust-radius clip and the feasibility
  // predicate (re-draws on the segment towards the incumbent, then the
  // incumbent itself) when first asked; the filtered point is what enters
  // the simplex. The draw index of a candidate is its position in its
  // generation. The start point is handed out as is by the first ask.

  // ---- Save and resume ------------------------------------------------------
  //
  // The family's layout (detail/opt_core.hpp), little-endian, no padding;
  // D = dims, R = sizeof(Real):
  //   header (16)  magic "SNMS", version u16 (1), R u8, 0 u8, D u32, 0 u32
  //   config (16)  step f32, restart_tol f32, flags u8 (bit 0 adaptive),
  //                7 reserved bytes (0)
  //   common (76 + R·(2 + 3·D))  OptCore::save_common
  //   own (28 + R·(1 + (D + 1)² + 3·D))  phase u8, 3 reserved bytes (0),
  //                vertex, best, second worst, worst, restarts, trial (i32
  //                each); reflected cost R; vertices [(D + 1)·D], their
  //                costs [D + 1], centroid [D], reflected point [D],
  //                candidate [D] (R each)
  //   seal (8)     reserved u32 (0), CRC-32/IEEE of every byte before it
  // save_size() = 144 + R·(3 + (D + 1)² + 6·D); e.g. float, D = 8: 672 bytes.
  // The coefficients are recomputed from the config.

  /// Bytes save() can ever write for this capacity.
  static constexpr size_t kMaxSaveSize = Core::state_size(MaxDims);

  /// Restarts on collapse so far.
  int restarts() const noexcept { return core_.restarts(); }
  /// Vertex i (i <= dims) and its cost, for plots and tests.
  const Real* vertex(int i) const noexcept { return simplex_[i]; }
  /// The cost of vertex i (i <= dims), for plots and tests.
  Real vertex_value(int i) const noexcept { return fv_[i]; }
  /// Reflection, expansion, contraction and shrink coefficients in use.
  void coefficients(Real* c4) const noexcept { core_.coefficients(c4); }

 private:
  friend class OptimizerFacade<NelderMead<MaxDims, Real>, detail::NelderMeadCore<Real>, Real>;
  typename Core::Arrays arrays() noexcept {
    return {&simplex_[0][0], fv_, cen_, xr_, x_, lo_, hi_, best_, MaxDims, MaxDims};
  }

  Real simplex_[MaxDims + 1][MaxDims]{};
  Real fv_[MaxDims + 1]{};
  Real cen_[MaxDims]{}, xr_[MaxDims]{}, x_[MaxDims]{};
  Real lo_[MaxDims]{}, hi_[MaxDims]{}, best_[MaxDims]{};
  Core core_;
};

}  // namespace starling
