/* SPDX-License-Identifier: MIT */
/* starling/de.h: the C API (C99 and C++) of differential evolution
 * (starling::De<MaxDims, MaxPop, float>, see starling/de.hpp), included by
 * starling/starling.h. The same pattern as starling_pso: the caller declares
 * the whole state as one struct (static memory or the stack); the library
 * never allocates.
 *
 *   #define STARLING_MAX_DIMS 4          // optional, before the include
 *   #define STARLING_MAX_POP 16
 *   #include "starling/starling.h"
 *
 *   static starling_de de;
 *   starling_de_config cfg;
 *   starling_de_config_default(&cfg);
 *   cfg.max_evals = 2000;
 *   if (starling_de_init(&de, lo, hi, 3, 0, &cfg, 42) != STARLING_OK) ...
 *   for (const float* x; (x = starling_de_ask(&de)) != NULL;)
 *     (void)starling_de_tell(&de, run_episode(x));
 *
 * Capacity: STARLING_MAX_DIMS (default 16) and STARLING_MAX_POP (default 32)
 * size the struct; they may differ per program (the inline init hands them
 * and sizeof(starling_de) to the library).
 *
 * Memory: sizeof(starling_de) = STARLING_DE_SIZE(D, N) = 16 + CORE +
 *   4·(3·N·D + 4·N + 3·D) + 4·N bytes, rounded up to 8 (CORE =
 *   STARLING_DE_CORE_BYTES; then population, trials and archive [N][D],
 *   costs, trial costs, F and CR [N], best, lo, hi [D], an order index [N]).
 *
 * Every function has the meaning of its starling_pso_ namesake (NULL
 * handling, "not ready" before a successful init, STARLING_CORRUPT for an
 * overwritten header, batch and safe-tuning semantics); the trajectory is
 * bit for bit starling::De<D, N, float>'s, and saved states are
 * interchangeable with C++. */
#ifndef STARLING_DE_H
#define STARLING_DE_H

#include "starling/starling.h"

/** Bytes reserved in starling_de for the C++ core (checked at compile time). */
#define STARLING_DE_CORE_BYTES 352
/** Bytes of the float arrays for capacity d. */
#define STARLING_DE_ARRAY_BYTES(d, n) (sizeof(float) * (3u * (n) * (d) + 4u * (n) + 3u * (d)) + 4u * (n))
/** Bytes of the struct's storage for capacity d (the core reserve and the arrays, a multiple of
 *  8). */
#define STARLING_DE_STORAGE_BYTES(d, n) ((STARLING_DE_CORE_BYTES + STARLING_DE_ARRAY_BYTES(d, n) + 7u) / 8u * 8u)
/** sizeof(starling_de) for capacities d and n. */
#define STARLING_DE_SIZE(d, n) (16u + STARLING_DE_STORAGE_BYTES(d, n))

#ifdef __cplusplus
extern "C" {
#endif

/** Settings, field for field starling::DeConfig (sources of the defaults in
 *  de.hpp). Fill with starling_de_config_default() first. */
typedef struct starling_de_config {
  int max_iter;          /**< generations, >= 1; default 1000 */
  long max_evals;        /**< 0 = off (default); a budget turns on the population reduction */
  float target;          /**< stop when best <= target; −inf = off (default) */
  int stall_iter;        /**< generations without improvement, 0 = off (default) */
  int memory_size;       /**< H, 1 .. 16; default 6 */
  float p_best;          /**< (0, 1]; default 0.11 */
  float archive_rate;    /**< [0, 4]; default 1.6 */
  int reduce_population; /**< nonzero = L-SHADE's linear reduction under a budget; default 1 */
  int min_population;    /**< >= 4; default 4 */
} starling_de_config;

/** The optimizer's whole state; do not touch its fields. */
typedef struct starling_de {
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
    unsigned char bytes_[STARLING_DE_STORAGE_BYTES(STARLING_MAX_DIMS, STARLING_MAX_POP)];
  } storage_; /**< Internal: the C++ core and the arrays; do not touch. */
} starling_de;

/** Fills *cfg with the recommended settings (the C++ default config): STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, STARLING_OK. */
starling_status starling_de_config_default(starling_de_config* cfg);
/** The init behind the inline init function, for a struct of `size` bytes and the given
 *  capacities: STARLING_INVALID_ARGUMENT, STARLING_CAPACITY_EXCEEDED or STARLING_OK. */
starling_status starling_de_init_capacity(starling_de* de, size_t de_size, int max_dims, int max_pop,
                                          const float* lo, const float* hi, int dims, int population,
                                          const starling_de_config* cfg, uint64_t seed);
/** Starts a run (population 0 = the documented default, capped at the
 *  capacity). STARLING_INVALID_ARGUMENT: de, lo, hi or cfg NULL, dims < 1,
 *  population 1 .. 3 or negative, an invalid bound or config field;
 *  STARLING_CAPACITY_EXCEEDED: dims or population above the capacity. */
static inline starling_status starling_de_init(starling_de* de, const float* lo, const float* hi, int dims,
                                               int population, const starling_de_config* cfg, uint64_t seed) {
  return starling_de_init_capacity(de, sizeof(starling_de), STARLING_MAX_DIMS, STARLING_MAX_POP, lo, hi,
                                   dims, population, cfg, seed);
}
/** The next point to evaluate (dims values, inside the box), NULL when done or not initialized. */
const float* starling_de_ask(starling_de* de);
/** Scores the candidate last asked (NaN and ±inf are the worst cost): STARLING_NOT_READY without a
 *  pending ask, STARLING_DONE after a stop, STARLING_OK. */
starling_status starling_de_tell(starling_de* de, float cost);
/** Opens a batch of up to cap candidates of the current generation and lists them in xs: how many
 *  (0 when done, not initialized or nothing safe). */
int starling_de_ask_batch(starling_de* de, const float** xs, int cap);
/** Tells the cost of candidate k of the open batch (as the C++ tell_batch): STARLING_NOT_READY,
 *  STARLING_INVALID_ARGUMENT, STARLING_DONE or STARLING_OK. */
starling_status starling_de_tell_batch(starling_de* de, int k, float cost);
/** 1 once a stop criterion was met (and before init), else 0. */
int starling_de_done(const starling_de* de);
/** Why the run stopped (STARLING_STOP_NONE while running or before init). */
starling_stop_reason starling_de_stop_reason(const starling_de* de);
/** Best evaluated point (dims values), NULL before the first tell. */
const float* starling_de_best_position(const starling_de* de);
/** Best cost so far (+inf before the first tell or init). */
float starling_de_best_value(const starling_de* de);
/** Evaluations told so far (0 before init). */
long starling_de_evaluations(const starling_de* de);
/** Completed generations (0 before init). */
int starling_de_iteration(const starling_de* de);
/** Dimensions of the current run (0 before init). */
int starling_de_dims(const starling_de* de);
/** The current generation's population (it shrinks under a budget). */
int starling_de_population(const starling_de* de);
/** Loops ask → cost(x, dims, user) → tell until done: STARLING_NOT_READY before init,
 *  STARLING_INVALID_ARGUMENT if cost is NULL, STARLING_OK. */
starling_status starling_de_minimize(starling_de* de, float (*cost)(const float* x, int dims, void* user),
                                     void* user);
/** Installs a feasibility predicate (NULL removes it), max_tries in [0, 64]:
 *  STARLING_INVALID_ARGUMENT otherwise, STARLING_NOT_READY before init, STARLING_OK. */
starling_status starling_de_set_feasible(starling_de* de, starling_feasible_fn pred, void* ctx, int max_tries);
/** As the C++ set_trust_radius: fraction in [0, 1], 0 = off. STARLING_INVALID_ARGUMENT outside it
 *  (or on a NULL or uninitialized struct: STARLING_INVALID_ARGUMENT / STARLING_NOT_READY),
 *  STARLING_OK. */
starling_status starling_de_set_trust_radius(starling_de* de, float fraction);
/** The start point (after init, before the first ask): STARLING_NOT_READY otherwise,
 *  STARLING_INVALID_ARGUMENT if NULL, not finite or outside the box, STARLING_OK. */
starling_status starling_de_set_start(starling_de* de, const float* x);
/** Candidates the feasibility predicate refused in this run. */
long starling_de_infeasible_count(const starling_de* de);
/** Times the incumbent was handed out because no re-draw was feasible. */
long starling_de_fallback_count(const starling_de* de);
/** Bytes starling_de_save() writes (format: starling::De::save). */
size_t starling_de_save_size(const starling_de* de);
/** Writes the state to buf (cap bytes) and its size to *written (may be NULL): STARLING_NOT_READY
 *  before init, STARLING_INVALID_ARGUMENT if buf is NULL, STARLING_CAPACITY_EXCEEDED if cap is too
 *  small, STARLING_OK. */
starling_status starling_de_save(const starling_de* de, uint8_t* buf, size_t cap, size_t* written);
/** The load behind the inline load function, for a struct of `size` bytes and the given
 *  capacities; STARLING_CORRUPT, STARLING_CAPACITY_EXCEEDED, STARLING_INVALID_ARGUMENT or
 *  STARLING_OK (on failure the struct is unchanged). */
starling_status starling_de_load_capacity(starling_de* de, size_t de_size, int max_dims, int max_pop,
                                          const uint8_t* buf, size_t size);
static inline starling_status starling_de_load(starling_de* de, const uint8_t* buf, size_t size) {
  return starling_de_load_capacity(de, sizeof(starling_de), STARLING_MAX_DIMS, STARLING_MAX_POP, buf, size);
}
/** Checks every invariant of the run (starling::De::check_invariants in
 *  starling/de.hpp, the same check load applies): STARLING_OK,
 *  STARLING_CORRUPT if one fails or the struct's header was overwritten,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if de is NULL. */
starling_status starling_de_check_invariants(const starling_de* de);
/** sizeof(starling_de) for capacities (max_dims, max_pop); 0 if impossible. */
size_t starling_de_size(int max_dims, int max_pop);

#ifdef __cplusplus
}
#endif

#endif
