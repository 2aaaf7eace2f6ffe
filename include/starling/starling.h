/* SPDX-License-Identifier: MIT */
/* starling/starling.h: the C API (C99 and C++) of the particle swarm optimizer.
 *
 * The same optimizer as starling::Pso<MaxDims, MaxParticles, float> (see
 * starling/pso.hpp), for C callers. Its whole state is one struct that the
 * caller declares (static memory or the stack); the library never allocates.
 *
 *   #define STARLING_MAX_DIMS 4          // optional, before the include
 *   #define STARLING_MAX_PARTICLES 16
 *   #include "starling/starling.h"
 *
 *   static starling_pso pso;
 *   starling_pso_config cfg;
 *   starling_pso_config_default(&cfg);
 *   cfg.variant = STARLING_VARIANT_EMPSO;
 *   if (starling_pso_init(&pso, lo, hi, 3, 12, &cfg, 42) != STARLING_OK) ...
 *   for (const float* x; (x = starling_pso_ask(&pso)) != NULL;)
 *     (void)starling_pso_tell(&pso, run_episode(x));
 *   use(starling_pso_best_position(&pso), starling_pso_best_value(&pso));
 *
 * Capacity: STARLING_MAX_DIMS (default 16) and STARLING_MAX_PARTICLES
 * (default 32) size the struct at compile time. They may be overridden per
 * program with -D (they need not match the values the library was built
 * with): starling_pso_init() is an inline function that hands the caller's
 * capacities and sizeof(starling_pso) to the library, which stores them in
 * the struct and lays its arrays out accordingly. Use the same values in every
 * translation unit that shares a starling_pso.
 *
 * Memory: sizeof(starling_pso) = STARLING_PSO_SIZE(D, N) =
 *   16 + CORE + 4·(4·N·D + 2·N + 4·D) + 4·N bytes, rounded up to a multiple
 * of 8 (D = STARLING_MAX_DIMS, N = STARLING_MAX_PARTICLES; 16 bytes of header,
 * CORE = STARLING_PSO_CORE_BYTES reserved for the size-erased C++ core, then
 * float arrays: positions, velocities, momenta and personal bests [N][D],
 * personal best costs and batch costs [N], best, lo, hi, velocity limit [D],
 * then a neighbourhood index [N]). Defaults 16 × 32: STARLING_PSO_SIZE(16, 32).
 *
 * Determinism: for the same bounds, config, seed and costs, the asked
 * positions are bit for bit those of starling::Pso<D, N, float> (any
 * capacities), on every target.
 *
 * Threads: none; a starling_pso must not be used by two threads at once.
 * The struct holds no pointers into itself: it may be copied (memcpy or
 * assignment) and the copy continues independently.
 *
 * Failure modes: every function accepts NULL (NULL results, or
 * STARLING_INVALID_ARGUMENT). A struct that was never initialized
 * successfully (zeroed static memory, stack garbage, a failed init) behaves
 * as "not ready": ask gives NULL, tell gives STARLING_NOT_READY, done gives
 * 1. Recognition is by a 32-bit magic value that a successful init writes
 * (garbage that happens to hold it is the one case not caught). An
 * initialized struct whose header was overwritten is reported as
 * STARLING_CORRUPT rather than used.
 */
#ifndef STARLING_STARLING_H
#define STARLING_STARLING_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#include "starling/version.h"

#ifndef STARLING_MAX_DIMS
/** Capacity of starling_pso in dimensions (default 16); define it before the
 *  include to change it. */
#define STARLING_MAX_DIMS 16
#endif
#ifndef STARLING_MAX_PARTICLES
/** Capacity of starling_pso in particles (default 32); define it before the
 *  include to change it. */
#define STARLING_MAX_PARTICLES 32
#endif
#if STARLING_MAX_DIMS < 1
#error "STARLING_MAX_DIMS must be at least 1"
#endif
#if STARLING_MAX_PARTICLES < 2
#error "STARLING_MAX_PARTICLES must be at least 2 (a swarm)"
#endif
#if STARLING_MAX_DIMS > 65536 || STARLING_MAX_PARTICLES > 65536 || \
    STARLING_MAX_DIMS * STARLING_MAX_PARTICLES > 16777216
#error "STARLING_MAX_DIMS * STARLING_MAX_PARTICLES too large (at most 2^24)"
#endif
/* The population capacity of starling_de and starling_cmaes (de.h,
 * cmaes.h). */
#ifndef STARLING_MAX_POP
/** Population capacity of the C structs (starling_de, starling_cmaes); define it before including
 *  the header to change it. */
#define STARLING_MAX_POP 32
#endif
#if STARLING_MAX_POP < 4
#error "STARLING_MAX_POP must be at least 4 (differential evolution, CMA-ES)"
#endif
#if STARLING_MAX_POP > 65536 || STARLING_MAX_DIMS * STARLING_MAX_POP > 16777216
#error "STARLING_MAX_DIMS * STARLING_MAX_POP too large (at most 2^24)"
#endif

/** Bytes reserved in starling_pso for the C++ core object (the library
 *  checks at compile time that its core fits and is suitably aligned). */
#define STARLING_PSO_CORE_BYTES 312
/** Bytes of the arrays for capacities d (dims) and n (particles): the float
 *  arrays and one 32-bit neighbourhood index per particle; constant
 *  expressions of the capacity macros (no casts, so the header is also clean
 *  under C++'s -Wold-style-cast). */
#define STARLING_PSO_ARRAY_BYTES(d, n) (sizeof(float) * (4u * (n) * (d) + 2u * (n) + 4u * (d)) + 4u * (n))
/** Bytes of the opaque storage (core + arrays), rounded up to 8. */
#define STARLING_PSO_STORAGE_BYTES(d, n) \
  ((STARLING_PSO_CORE_BYTES + STARLING_PSO_ARRAY_BYTES(d, n) + 7u) / 8u * 8u)
/** sizeof(starling_pso) for capacities d and n: 16 bytes of header + storage. */
#define STARLING_PSO_SIZE(d, n) (16u + STARLING_PSO_STORAGE_BYTES(d, n))

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every call that can fail; the same values as starling::Status. */
typedef enum starling_status {
  STARLING_OK = 0,                /**< success */
  STARLING_INVALID_ARGUMENT = 1,  /**< NULL pointer, value out of its documented range */
  STARLING_CAPACITY_EXCEEDED = 2, /**< dims > STARLING_MAX_DIMS or particles > STARLING_MAX_PARTICLES */
  STARLING_NOT_READY = 3,         /**< out of order: tell without ask, use before init */
  STARLING_DONE = 4,              /**< the optimizer has stopped; no more candidates */
  STARLING_CORRUPT = 5            /**< the struct's header is inconsistent (overwritten memory),
                                       or a saved state failed validation */
} starling_status;

/** Velocity rule (starling::Variant). */
typedef enum starling_variant {
  STARLING_VARIANT_INERTIA = 0,      /**< v = w(t)·v + c1·r1·(p−x) + c2·r2·(g−x) */
  STARLING_VARIANT_CONSTRICTION = 1, /**< Clerc–Kennedy constriction (inertia form) */
  STARLING_VARIANT_EMPSO = 2,        /**< exponentially weighted momentum PSO (AdaSwarm) */
  STARLING_VARIANT_FIPS = 3          /**< fully informed PSO (every informant attracts) */
} starling_variant;

/** What happens to a coordinate that leaves the box (starling::Boundary). */
typedef enum starling_boundary {
  STARLING_BOUNDARY_CLAMP = 0,   /**< onto the bound, that velocity component zeroed */
  STARLING_BOUNDARY_REFLECT = 1, /**< mirrored at the bound, velocity component negated */
  STARLING_BOUNDARY_RANDOM = 2   /**< re-drawn uniformly in [lo, hi], velocity zeroed */
} starling_boundary;

/** Which best attracts a particle (starling::Topology). */
typedef enum starling_topology {
  STARLING_TOPOLOGY_GLOBAL = 0,      /**< the best of the whole swarm */
  STARLING_TOPOLOGY_RING = 1,        /**< index ring, `neighbors`/2 on each side (default i±1) */
  STARLING_TOPOLOGY_VON_NEUMANN = 2, /**< i, i±1, i±round(√N) (mod N) */
  STARLING_TOPOLOGY_RANDOM = 3       /**< SPSO-2011 adaptive random links (not with FIPS) */
} starling_topology;

/** Why the optimizer stopped (starling::StopReason). */
typedef enum starling_stop_reason {
  STARLING_STOP_NONE = 0,      /**< still running, or never started */
  STARLING_STOP_MAX_ITER = 1,  /**< max_iter sweeps done */
  STARLING_STOP_MAX_EVALS = 2, /**< max_evals evaluations done */
  STARLING_STOP_TARGET = 3,    /**< best <= target */
  STARLING_STOP_STALL = 4,     /**< stall_iter sweeps without improvement */
  STARLING_STOP_INFEASIBLE = 5 /**< predicate installed, no start point, no feasible first draw */
} starling_stop_reason;

/** Settings, field for field starling::PsoConfig (see pso.hpp for the
 *  sources of the defaults). Fill with starling_pso_config_default() first,
 *  then change what you need; starling_pso_init() validates every field.
 *  The enumerated fields are plain ints so that any value a caller stores
 *  is well defined; an unknown value is STARLING_INVALID_ARGUMENT. */
typedef struct starling_pso_config {
  int variant;                /**< a starling_variant; default CONSTRICTION */
  float w;                    /**< inertia / constriction factor χ, [−1, 1]; default 0.7298 */
  /**@{*/
  float c1, c2;               /**< acceleration coefficients, [0, 10]; default 1.49618 */
  /**@}*/
  float beta;                 /**< EMPSO momentum decay, [0, 1); default 0.9 */
  float v_max;                /**< velocity limit as a fraction of hi − lo, (0, 1]; default 0.5 */
  int boundary;               /**< a starling_boundary; default CLAMP */
  int topology;               /**< a starling_topology; default GLOBAL */
  int max_iter;               /**< sweeps (each evaluates every particle once), >= 1; default 100 */
  long max_evals;             /**< stop after this many evaluations, 0 = off (default) */
  float target;               /**< stop when best <= target; −inf = off (default); not NaN/+inf */
  int stall_iter;             /**< stop after this many sweeps without improvement, 0 = off */
  float w_end;                /**< INERTIA only: weight at the last move, [−1, 1]; default 0.7298 */
  int bias_correction;        /**< EMPSO only: nonzero = use M/(1−β^t); default 0 */
  int random_per_particle;    /**< nonzero = one (r1, r2) per particle and move; default 0 */
  int neighbors;              /**< RING: even, < particles; RANDOM: 1..4; 0 = default (2, 3) */
  int restart_stall;          /**< re-seed after this many sweeps without the swarm improving; 0 = off */
  float restart_radius;       /**< restart box: 0 = whole box, (0, 1] = ±r·range around the best */
  float stall_tol;            /**< improvements below stall_tol·|best| count as none; [0, 1] */
  int restart_rehits;         /**< a restart also needs this many costs within stall_tol of the
                                   swarm's best since it improved (0 = off); [0, 2^20] */
  int local_stall;            /**< after this many sweeps without the swarm improving, its best
                                   particle probes around its best (GCPSO); 0 = off (default);
                                   [0, 2^20] */
} starling_pso_config;

/** The optimizer's whole state. Declare it (static or on the stack) and pass
 *  it to starling_pso_init(); do not touch its fields. Its size is
 *  STARLING_PSO_SIZE(STARLING_MAX_DIMS, STARLING_MAX_PARTICLES). */
typedef struct starling_pso {
  uint32_t magic_;          /**< private: set by a successful init; anything else = not ready */
  int32_t max_dims_;        /**< private: the caller's dimension capacity, stored by init */
  int32_t max_particles_;   /**< private: the caller's particle capacity, stored by init */
  uint32_t size_;           /**< private: sizeof(starling_pso) in the caller's translation unit */
  union {
    uint64_t align_u64_;    /* 8-byte alignment for the C++ core */
    double align_f64_;
    unsigned char bytes_[STARLING_PSO_STORAGE_BYTES(STARLING_MAX_DIMS, STARLING_MAX_PARTICLES)];
  } storage_;               /**< private: the C++ core and the arrays */
} starling_pso;

/** Fills *cfg with the documented defaults (those of starling::PsoConfig).
 *  Returns STARLING_INVALID_ARGUMENT if cfg is NULL, STARLING_OK otherwise. */
starling_status starling_pso_config_default(starling_pso_config* cfg);

/** The library entry behind starling_pso_init(): the same, with the caller's
 *  capacities and sizeof(*pso) given explicitly. Returns, besides the
 *  statuses of starling_pso_init(), STARLING_INVALID_ARGUMENT when
 *  max_dims < 1, max_particles < 2, or pso_size is smaller than
 *  STARLING_PSO_SIZE(max_dims, max_particles). */
starling_status starling_pso_init_capacity(starling_pso* pso, size_t pso_size, int max_dims,
                                           int max_particles, const float* lo, const float* hi,
                                           int dims, int particles,
                                           const starling_pso_config* cfg, uint64_t seed);

/** Validates and starts a run over the box [lo[d], hi[d]], d < dims (any
 *  units; each coordinate is searched in its own range). Draws the initial
 *  positions uniformly in the box and velocities uniformly in ±v_max·range.
 *  Re-initializing a running optimizer starts over. Returns:
 *    STARLING_INVALID_ARGUMENT: pso, lo, hi or cfg NULL; dims < 1;
 *      particles 1 or negative (0 picks the default size, 10 + floor(2·√dims),
 *      capped at STARLING_MAX_PARTICLES); a bound not finite; lo[d] >= hi[d];
 *      hi[d] − lo[d] above FLT_MAX/32 (about 1.06e37: larger ranges could
 *      overflow the velocity update) or below 2^-102 (about 2.0e-31: smaller
 *      ones make steps denormal); v_max·(hi[d] − lo[d]) below FLT_MIN; a
 *      config field out of its range; RING neighbors >= particles; FIPS
 *      with the RANDOM topology;
 *    STARLING_CAPACITY_EXCEEDED: dims > STARLING_MAX_DIMS or
 *      particles > STARLING_MAX_PARTICLES;
 *    STARLING_OK otherwise.
 *  On failure *pso is left not ready. Time: O(particles·dims). */
static inline starling_status starling_pso_init(starling_pso* pso, const float* lo,
                                                const float* hi, int dims, int particles,
                                                const starling_pso_config* cfg, uint64_t seed) {
  return starling_pso_init_capacity(pso, sizeof(starling_pso), STARLING_MAX_DIMS,
                                    STARLING_MAX_PARTICLES, lo, hi, dims, particles, cfg, seed);
}

/** The next position to evaluate (dims floats, always inside the box), or
 *  NULL when pso is NULL, not ready or done. Asking again before a tell
 *  returns the same pointer and values. The pointer points into *pso and
 *  stays valid until the next tell or init. O(1). */
const float* starling_pso_ask(starling_pso* pso);

/** Scores the position last asked (lower is better; NaN and ±inf count as
 *  the worst cost and never become a best). The tell that completes a sweep
 *  moves the swarm: O(particles·dims), else O(1). Returns
 *  STARLING_INVALID_ARGUMENT if pso is NULL, STARLING_NOT_READY before init
 *  or without a pending ask, STARLING_DONE after the optimizer stopped,
 *  STARLING_CORRUPT if the header was overwritten, STARLING_OK otherwise. */
starling_status starling_pso_tell(starling_pso* pso, float cost);

/** 1 once a stop criterion was met, and when pso is NULL or not ready; 0
 *  while running. */
int starling_pso_done(const starling_pso* pso);

/** Why it stopped; STARLING_STOP_NONE while running, not ready or NULL. */
starling_stop_reason starling_pso_stop_reason(const starling_pso* pso);

/** The best evaluated position (dims floats, inside *pso), or NULL when pso
 *  is NULL, not ready, or nothing was told yet. */
const float* starling_pso_best_position(const starling_pso* pso);

/** The best cost told so far; +inf before the first finite cost, when not
 *  ready, or when pso is NULL. */
float starling_pso_best_value(const starling_pso* pso);

/** Costs told since init; 0 when NULL or not ready. */
long starling_pso_evaluations(const starling_pso* pso);

/** Completed sweeps since init; 0 when NULL or not ready. */
int starling_pso_iteration(const starling_pso* pso);

/** dims and particles given to init; 0 when NULL or not ready. */
/**@{*/
int starling_pso_dims(const starling_pso* pso);
int starling_pso_particles(const starling_pso* pso);
/**@}*/

/** Loops ask → cost(x, dims, user) → tell until done. `user` is passed
 *  through untouched (starling_pso_minimize_observed() adds a progress
 *  callback). Returns STARLING_INVALID_ARGUMENT if pso or cost is
 *  NULL, STARLING_NOT_READY if not initialized or while a batch is open
 *  (nothing is evaluated then), STARLING_CORRUPT if the
 *  header was overwritten, STARLING_OK when it ran to a stop (also when it
 *  had already stopped). */
starling_status starling_pso_minimize(starling_pso* pso,
                                      float (*cost)(const float* x, int dims, void* user),
                                      void* user);

/** Progress callback of starling_pso_minimize_observed(): called after every
 *  completed sweep (each tell that raises the iteration count, the last
 *  sweep included) with the best cost so far, the evaluations so far, the
 *  completed sweeps and the `user` pointer, exactly as
 *  starling::Pso::minimize's C++ observer. Return 0 to go on; any other
 *  value stops the loop at this sweep boundary (see below). */
typedef int (*starling_observer_fn)(float best_value, long evaluations, int iteration,
                                    void* user);

/** starling_pso_minimize() with a progress callback. `observer` may be NULL
 *  (then it is starling_pso_minimize()); `user` goes to both cost and
 *  observer. When the observer returns nonzero the loop returns STARLING_OK
 *  without stopping the optimizer: starling_pso_done() is still 0, and
 *  calling minimize (or ask/tell) again continues the same run bit for bit,
 *  as if it had not been interrupted (the interruption falls between two
 *  sweeps, after the swarm moved). Tell the two cases apart with
 *  starling_pso_done(). Returns STARLING_INVALID_ARGUMENT if pso or cost is
 *  NULL, STARLING_NOT_READY if not initialized or while a batch is open
 *  (nothing is evaluated then), STARLING_CORRUPT if the header was
 *  overwritten, STARLING_OK otherwise. */
starling_status starling_pso_minimize_observed(starling_pso* pso,
                                               float (*cost)(const float* x, int dims,
                                                             void* user),
                                               starling_observer_fn observer, void* user);

/* ---- Batch ask/tell (see starling::Pso::ask_batch in starling/pso.hpp) ----
 * Every candidate left in the current sweep at once, costs told in any
 * order; the trajectory is the serial one, bit for bit (without safe
 * tuning; with it, a batch filters against the best point at batch time). */

/** Opens a batch (or returns the open one): writes up to cap candidate
 *  pointers to xs and returns the batch size n; 0 when pso or xs is NULL,
 *  cap < 1, not ready or done. While a batch is open, starling_pso_ask()
 *  gives NULL and starling_pso_tell() STARLING_NOT_READY. */
int starling_pso_ask_batch(starling_pso* pso, const float** xs, int cap);

/** Cost of candidate k (0 <= k < n) of the open batch; the last one told
 *  applies the batch. Returns STARLING_INVALID_ARGUMENT if pso is NULL or k
 *  is out of range, STARLING_NOT_READY without an open batch or if k was
 *  told already, STARLING_DONE after a stop, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_pso_tell_batch(starling_pso* pso, int k, float cost);

/* ---- Safe tuning (see starling::Pso::set_feasible in starling/pso.hpp) ----
 * The same filters as the C++ API: a trust radius clips each candidate to
 * ±fraction·(hi − lo) around the best point so far (or the start point
 * before the first tell); a feasibility predicate rejects candidates, which
 * are re-drawn up to max_tries times on the segment towards that point and
 * otherwise replaced by it. Unlike C++, starling_pso_init() resets these
 * settings: set them after each init (and re-install the predicate after
 * starling_pso_load() into a struct that was not initialized). */

/** Feasibility predicate: true when x (dims floats) is safe to evaluate. */
typedef bool (*starling_feasible_fn)(const float* x, int dims, void* ctx);

/** Installs (pred non-NULL) or removes (NULL) the predicate; ctx is passed
 *  to it untouched; max_tries in [0, 64] (default choice: 8). Returns
 *  STARLING_INVALID_ARGUMENT if pso is NULL or max_tries is out of range,
 *  STARLING_NOT_READY before init, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_pso_set_feasible(starling_pso* pso, starling_feasible_fn pred, void* ctx,
                                          int max_tries);

/** Trust radius as a fraction of each range, (0, 1]; 0 = off. Returns
 *  STARLING_INVALID_ARGUMENT if pso is NULL or the fraction is not finite or
 *  outside [0, 1], STARLING_NOT_READY before init, STARLING_CORRUPT, OK. */
starling_status starling_pso_set_trust_radius(starling_pso* pso, float fraction);

/** A known-safe start point (dims floats inside the box), handed out by the
 *  first ask as it is. After init, before the first ask: otherwise
 *  STARLING_NOT_READY; STARLING_INVALID_ARGUMENT if pso or x is NULL or x is
 *  not finite or outside the box. */
starling_status starling_pso_set_start(starling_pso* pso, const float* x);

/** Candidates the predicate rejected, and asks that handed out the best
 *  point (or start) instead, since init or load; 0 when NULL or not ready. */
/**@{*/
long starling_pso_infeasible_count(const starling_pso* pso);
long starling_pso_fallback_count(const starling_pso* pso);
/**@}*/

/* ---- Save and resume (format: starling::Pso::save in starling/pso.hpp) ----
 * A state saved here loads into a C++ starling::Pso<D, N, float> with room
 * for it, and vice versa; bit for bit the same continuation on any target. */

/** Bytes starling_pso_save() writes: 192 + 4·(6 + 3·dims + particles·(4·dims
 *  + 2)); 0 when NULL or not ready. */
size_t starling_pso_save_size(const starling_pso* pso);

/** Writes the state to buf (cap bytes); *written (may be NULL) = its size.
 *  Returns STARLING_INVALID_ARGUMENT if pso or buf is NULL,
 *  STARLING_NOT_READY before init, STARLING_CAPACITY_EXCEEDED if cap is too
 *  small (nothing written), STARLING_CORRUPT, STARLING_OK. */
starling_status starling_pso_save(const starling_pso* pso, uint8_t* buf, size_t cap,
                                  size_t* written);

/** The library entry behind starling_pso_load() (capacities explicit, as
 *  for starling_pso_init_capacity()). */
starling_status starling_pso_load_capacity(starling_pso* pso, size_t pso_size, int max_dims,
                                           int max_particles, const uint8_t* buf, size_t size);

/** Replaces *pso's state by a saved one (exactly `size` bytes); *pso need
 *  not have been initialized. Returns STARLING_INVALID_ARGUMENT if pso or
 *  buf is NULL, STARLING_CORRUPT if the blob fails any check (magic,
 *  version, float type, length, CRC, value ranges, and every invariant of
 *  starling_pso_check_invariants()) or *pso's header was overwritten,
 *  STARLING_CAPACITY_EXCEEDED if the state has more dims or particles than
 *  *pso holds, STARLING_OK. On failure no byte of *pso changes (an
 *  uninitialized one stays not ready). A struct that was ready keeps its
 *  predicate. Time O(size). */
static inline starling_status starling_pso_load(starling_pso* pso, const uint8_t* buf,
                                                size_t size) {
  return starling_pso_load_capacity(pso, sizeof(starling_pso), STARLING_MAX_DIMS,
                                    STARLING_MAX_PARTICLES, buf, size);
}

/** Checks every invariant a live run keeps, with the same function
 *  starling_pso_load() applies to a saved state (the list:
 *  starling::Pso::check_invariants in starling/pso.hpp). Returns
 *  STARLING_OK, STARLING_CORRUPT if one fails (overwritten memory, or a
 *  bug), STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if pso is
 *  NULL. For tests and debug builds; O(particles·dims). */
starling_status starling_pso_check_invariants(const starling_pso* pso);

/** STARLING_PSO_SIZE(max_dims, max_particles), computed by the library: the
 *  sizeof(starling_pso) a caller with those capacities has. 0 when
 *  max_dims < 1, max_particles < 2 or the product exceeds 2^24. */
size_t starling_pso_size(int max_dims, int max_particles);

/* ---- Boot-time self-test (starling/selftest.hpp, docs/determinism.md) ---- */

/** Bits of the *failed mask (starling::SelftestCheck). */
#define STARLING_SELFTEST_PSO 1u  /**< three fixed tuning runs */
#define STARLING_SELFTEST_FC 2u   /**< an int8 fully-connected layer */
#define STARLING_SELFTEST_LUT 4u  /**< tanh table, portable_exp, quantize_scales (double) */

/** Runs small fixed problems (tuning runs, an int8 layer, the double
 *  table/scale builders) through this build and compares hashes of their
 *  results with constants computed independently (tools/gen_selftest.py).
 *  Returns STARLING_OK when all agree, STARLING_CORRUPT when any differs:
 *  this build's floating-point arithmetic is not the reference's (fused
 *  multiply-adds, fast-math, a faulty port), so its results will differ from
 *  other targets'. *failed (may be NULL) receives the STARLING_SELFTEST_*
 *  bits of the checks that differ (0 on STARLING_OK). No heap. */
starling_status starling_selftest(uint32_t* failed);
/** One check each (STARLING_SELFTEST_PSO, _FC, _LUT), so that firmware links
 *  only the code it uses anyway (the double builders bring the soft-float
 *  double library on single-precision MCUs). Same results. This one: the
 *  tiny tuning run (STARLING_SELFTEST_PSO). */
starling_status starling_selftest_pso(uint32_t* failed);
/** starling_selftest() restricted to the int8 layer (STARLING_SELFTEST_FC);
 *  same statuses. */
starling_status starling_selftest_int8(uint32_t* failed);
/** starling_selftest() restricted to the LUT and scale builders
 *  (STARLING_SELFTEST_LUT, double arithmetic); same statuses. */
starling_status starling_selftest_lut(uint32_t* failed);

/** Short constant name of a status, the same as starling::status_name():
 *  "Ok", "InvalidArgument", "CapacityExceeded", "NotReady", "Done",
 *  "Corrupt"; "Unknown" for any other value. Never NULL. */
const char* starling_status_name(starling_status status);

#ifdef __cplusplus
}  /* extern "C" */
#endif

/* The few-episode optimizers (Bobyqa, BayesOpt, Tuner). */
#include "starling/starling_model.h"
/* The other optimizers of the family, with the same conventions (each
 * header includes this one). */
#include "starling/de.h"
#include "starling/cmaes.h"
#include "starling/nelder_mead.h"
#include "starling/spsa.h"
#include "starling/anneal.h"

#endif /* STARLING_STARLING_H */

