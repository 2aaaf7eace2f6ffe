/* SPDX-License-Identifier: MIT */
/* starling/cmaes.h: the C API (C99 and C++) of CMA-ES
 * (starling::Cmaes<MaxDims, MaxPop, float>, see starling/cmaes.hpp), included
 * by starling/starling.h. The same pattern as starling_pso: the caller
 * declares the whole state as one struct (static memory or the stack); the
 * library never allocates.
 *
 *   #define STARLING_MAX_DIMS 4          // optional, before the include
 *   #define STARLING_MAX_POP 16
 *   #include "starling/starling.h"
 *
 *   static starling_cmaes es;
 *   starling_cmaes_config cfg;
 *   starling_cmaes_config_default(&cfg);
 *   cfg.max_evals = 2000;
 *   if (starling_cmaes_init(&es, lo, hi, 3, 0, &cfg, 42) != STARLING_OK) ...
 *   for (const float* x; (x = starling_cmaes_ask(&es)) != NULL;)
 *     (void)starling_cmaes_tell(&es, run_episode(x));
 *
 * Capacity: STARLING_MAX_DIMS (default 16) and STARLING_MAX_POP (default 32)
 * size the struct; they may differ per program (the inline init hands them
 * and sizeof(starling_cmaes) to the library).
 *
 * Memory: sizeof(starling_cmaes) = STARLING_CMAES_SIZE(D, N) = 16 + CORE +
 *   4·(N·(D + 1) + 2·D² + 9·D) + 4·N bytes, rounded up to 8 (CORE =
 *   STARLING_CMAES_CORE_BYTES; then candidates [N][D], costs [N], C and B
 *   [D][D], mean, paths, axis lengths, two scratch, best, lo, hi [D], an
 *   order index [N]).
 *
 * Every function has the meaning of its starling_pso_ namesake (NULL
 * handling, "not ready" before a successful init, STARLING_CORRUPT for an
 * overwritten header, batch and safe-tuning semantics); the trajectory is
 * bit for bit starling::Cmaes<D, N, float>'s, and saved states are
 * interchangeable with C++. */
#ifndef STARLING_CMAES_H
#define STARLING_CMAES_H

#include "starling/starling.h"

/** Bytes reserved in starling_cmaes for the C++ core (checked at compile time). */
#define STARLING_CMAES_CORE_BYTES 320
/** Bytes of the float arrays for capacity d. */
#define STARLING_CMAES_ARRAY_BYTES(d, n) \
  (sizeof(float) * ((n) * ((d) + 1u) + 2u * (d) * (d) + 9u * (d)) + 4u * (n))
/** Bytes of the struct's storage for capacity d (the core reserve and the arrays, a multiple of
 *  8). */
#define STARLING_CMAES_STORAGE_BYTES(d, n) \
  ((STARLING_CMAES_CORE_BYTES + STARLING_CMAES_ARRAY_BYTES(d, n) + 7u) / 8u * 8u)
/** sizeof(starling_cmaes) for capacities d and n. */
#define STARLING_CMAES_SIZE(d, n) (16u + STARLING_CMAES_STORAGE_BYTES(d, n))

#ifdef __cplusplus
extern "C" {
#endif

/** Covariance model (starling::CmaesForm). */
typedef enum starling_cmaes_form {
  STARLING_CMAES_AUTO = 0,     /**< full up to separable_above dimensions, separable above */
  STARLING_CMAES_FULL = 1,
  STARLING_CMAES_SEPARABLE = 2
} starling_cmaes_form;

/** Settings, field for field starling::CmaesConfig (sources of the defaults
 *  in cmaes.hpp). Fill with starling_cmaes_config_default() first. */
typedef struct starling_cmaes_config {
  int max_iter;        /**< generations of all runs, >= 1; default 1000 */
  long max_evals;      /**< 0 = off (default) */
  float target;        /**< stop when best <= target; −inf = off (default) */
  int stall_iter;      /**< generations without improvement, 0 = off (default) */
  float sigma0;        /**< initial step, fraction of each range, (0, 1]; default 0.3 */
  int ipop;            /**< nonzero = double the population at each restart; default 1 */
  int form;            /**< a starling_cmaes_form; default AUTO */
  int separable_above; /**< >= 1; default 40 */
} starling_cmaes_config;

/** The optimizer's whole state; do not touch its fields. */
typedef struct starling_cmaes {
  /** Internal: marks an initialized struct; do not touch. */
  uint32_t magic_;
  /** Internal: the capacity in dimensions; do not touch. */
  int32_t max_dims_;
  /** Internal: the capacity in population; do not touch. */
  int32_t max_pop_;
  /** Internal: the struct's size given at init; do not touch. */
  uint32_t size_;
  union {
    uint64_t align_u64_;
    double align_f64_;
    unsigned char bytes_[STARLING_CMAES_STORAGE_BYTES(STARLING_MAX_DIMS, STARLING_MAX_POP)];
  } storage_; /**< Internal: the C++ core and the arrays; do not touch. */
} starling_cmaes;

/** Fills *cfg with the recommended settings (the C++ default config): STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, STARLING_OK. */
starling_status starling_cmaes_config_default(starling_cmaes_config* cfg);
/** The init behind the inline init function, for a struct of `size` bytes and the given
 *  capacities: STARLING_INVALID_ARGUMENT, STARLING_CAPACITY_EXCEEDED or STARLING_OK. */
starling_status starling_cmaes_init_capacity(starling_cmaes* es, size_t es_size, int max_dims,
                                             int max_pop, const float* lo, const float* hi, int dims,
                                             int population, const starling_cmaes_config* cfg,
                                             uint64_t seed);
/** Starts a run, mean at the box centre (population 0 = 4 + floor(3 ln D),
 *  capped at the capacity). STARLING_INVALID_ARGUMENT: es, lo, hi or cfg
 *  NULL, dims < 1, population 1 .. 3 or negative, an invalid bound or config field;
 *  STARLING_CAPACITY_EXCEEDED: dims or population above the capacity. */
static inline starling_status starling_cmaes_init(starling_cmaes* es, const float* lo, const float* hi,
                                                  int dims, int population,
                                                  const starling_cmaes_config* cfg, uint64_t seed) {
  return starling_cmaes_init_capacity(es, sizeof(starling_cmaes), STARLING_MAX_DIMS, STARLING_MAX_POP,
                                      lo, hi, dims, population, cfg, seed);
}
/** The next point to evaluate (dims values, inside the box), NULL when done or not initialized. */
const float* starling_cmaes_ask(starling_cmaes* es);
/** Scores the candidate last asked (NaN and ±inf are the worst cost): STARLING_NOT_READY without a
 *  pending ask, STARLING_DONE after a stop, STARLING_OK. */
starling_status starling_cmaes_tell(starling_cmaes* es, float cost);
/** Opens a batch of up to cap candidates of the current generation and lists them in xs: how many
 *  (0 when done, not initialized or nothing safe). */
int starling_cmaes_ask_batch(starling_cmaes* es, const float** xs, int cap);
/** Tells the cost of candidate k of the open batch (as the C++ tell_batch): STARLING_NOT_READY,
 *  STARLING_INVALID_ARGUMENT, STARLING_DONE or STARLING_OK. */
starling_status starling_cmaes_tell_batch(starling_cmaes* es, int k, float cost);
/** 1 once a stop criterion was met (and before init), else 0. */
int starling_cmaes_done(const starling_cmaes* es);
/** Why the run stopped (STARLING_STOP_NONE while running or before init). */
starling_stop_reason starling_cmaes_stop_reason(const starling_cmaes* es);
/** Best evaluated point (dims values), NULL before the first tell. */
const float* starling_cmaes_best_position(const starling_cmaes* es);
/** Best cost so far (+inf before the first tell or init). */
float starling_cmaes_best_value(const starling_cmaes* es);
/** Evaluations told so far (0 before init). */
long starling_cmaes_evaluations(const starling_cmaes* es);
/** Completed generations (0 before init). */
int starling_cmaes_iteration(const starling_cmaes* es);
/** Dimensions of the current run (0 before init). */
int starling_cmaes_dims(const starling_cmaes* es);
/** λ of the current run (IPOP doubles it at restarts), and restarts so far. */
int starling_cmaes_population(const starling_cmaes* es);
/** Restarts so far in this run. */
int starling_cmaes_restarts(const starling_cmaes* es);
/** Loops ask → cost(x, dims, user) → tell until done: STARLING_NOT_READY before init,
 *  STARLING_INVALID_ARGUMENT if cost is NULL, STARLING_OK. */
starling_status starling_cmaes_minimize(starling_cmaes* es,
                                        float (*cost)(const float* x, int dims, void* user), void* user);
/** Installs a feasibility predicate (NULL removes it), max_tries in [0, 64]:
 *  STARLING_INVALID_ARGUMENT otherwise, STARLING_NOT_READY before init, STARLING_OK. */
starling_status starling_cmaes_set_feasible(starling_cmaes* es, starling_feasible_fn pred, void* ctx,
                                            int max_tries);
/** As the C++ set_trust_radius: fraction in [0, 1], 0 = off. STARLING_INVALID_ARGUMENT outside it
 *  (or on a NULL or uninitialized struct: STARLING_INVALID_ARGUMENT / STARLING_NOT_READY),
 *  STARLING_OK. */
starling_status starling_cmaes_set_trust_radius(starling_cmaes* es, float fraction);
/** The start point (after init, before the first ask): STARLING_NOT_READY otherwise,
 *  STARLING_INVALID_ARGUMENT if NULL, not finite or outside the box, STARLING_OK. */
starling_status starling_cmaes_set_start(starling_cmaes* es, const float* x);
/** Candidates the feasibility predicate refused in this run. */
long starling_cmaes_infeasible_count(const starling_cmaes* es);
/** Times the incumbent was handed out because no re-draw was feasible. */
long starling_cmaes_fallback_count(const starling_cmaes* es);
/** Bytes starling_cmaes_save() writes (format: starling::Cmaes::save). */
size_t starling_cmaes_save_size(const starling_cmaes* es);
/** Writes the state to buf (cap bytes) and its size to *written (may be NULL): STARLING_NOT_READY
 *  before init, STARLING_INVALID_ARGUMENT if buf is NULL, STARLING_CAPACITY_EXCEEDED if cap is too
 *  small, STARLING_OK. */
starling_status starling_cmaes_save(const starling_cmaes* es, uint8_t* buf, size_t cap,
                                    size_t* written);
/** The load behind the inline load function, for a struct of `size` bytes and the given
 *  capacities; STARLING_CORRUPT, STARLING_CAPACITY_EXCEEDED, STARLING_INVALID_ARGUMENT or
 *  STARLING_OK (on failure the struct is unchanged). */
starling_status starling_cmaes_load_capacity(starling_cmaes* es, size_t es_size, int max_dims,
                                             int max_pop, const uint8_t* buf, size_t size);
static inline starling_status starling_cmaes_load(starling_cmaes* es, const uint8_t* buf, size_t size) {
  return starling_cmaes_load_capacity(es, sizeof(starling_cmaes), STARLING_MAX_DIMS, STARLING_MAX_POP,
                                      buf, size);
}
/** Checks every invariant of the run (starling::Cmaes::check_invariants in
 *  starling/cmaes.hpp, the same check load applies): STARLING_OK,
 *  STARLING_CORRUPT if one fails or the struct's header was overwritten,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if es is NULL. */
starling_status starling_cmaes_check_invariants(const starling_cmaes* es);
/** sizeof(starling_cmaes) for capacities (max_dims, max_pop); 0 if impossible. */
size_t starling_cmaes_size(int max_dims, int max_pop);

#ifdef __cplusplus
}
#endif

#endif
