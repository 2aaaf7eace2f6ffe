/* SPDX-License-Identifier: MIT */
/* starling/anneal.h: the C API (C99 and C++) of generalized simulated
 * annealing, starling::Anneal<MaxDims, float> (starling/anneal.hpp).
 * Included by starling/starling.h.
 *
 *   static starling_anneal sa;                // capacity STARLING_MAX_DIMS
 *   starling_anneal_config cfg;
 *   starling_anneal_config_default(&cfg);
 *   if (starling_anneal_init(&sa, lo, hi, 3, &cfg, 42) != STARLING_OK) ...
 *   for (const float* x; (x = starling_anneal_ask(&sa)) != NULL;)
 *     (void)starling_anneal_tell(&sa, run_episode(x));
 *
 * The conventions are starling_pso's (starling.h): the caller declares the
 * struct (static or stack), its capacity is STARLING_MAX_DIMS in the caller's
 * translation unit, the inline init/load pass sizeof and the capacity to the
 * library; every function accepts NULL; a struct never initialized is "not
 * ready" (ask NULL, tell STARLING_NOT_READY, done 1); an initialized struct
 * whose header was overwritten gives STARLING_CORRUPT; no pointers into
 * itself (it may be copied); one thread at a time. The trajectory is bit for
 * bit that of the C++ class for the same box, config, seed and costs; a state
 * saved here loads into the C++ class and vice versa.
 *
 * Memory: sizeof(starling_anneal) = STARLING_ANNEAL_SIZE(D) = 16 +
 * (STARLING_ANNEAL_CORE_BYTES + 4·6·D) rounded up to 8, with
 * D = STARLING_MAX_DIMS (the C++ layout: current point, local base,
 * candidate, lo, hi, best).
 *
 * Not in C: the population argument (always 0 for this method). */
#ifndef STARLING_ANNEAL_H
#define STARLING_ANNEAL_H

#include "starling/starling.h"

/** Bytes reserved for the C++ core (the library checks it fits). */
#define STARLING_ANNEAL_CORE_BYTES 288
/** Bytes of the float arrays for capacity d. */
#define STARLING_ANNEAL_ARRAY_BYTES(d) (sizeof(float) * 6u * (d))
/** Bytes of the struct's storage for capacity d (the core reserve and the arrays, a multiple of
 *  8). */
#define STARLING_ANNEAL_STORAGE_BYTES(d) ((STARLING_ANNEAL_CORE_BYTES + STARLING_ANNEAL_ARRAY_BYTES(d) + 7u) / 8u * 8u)
/** sizeof the struct for capacity d (what the init and load functions are given). */
#define STARLING_ANNEAL_SIZE(d) (16u + STARLING_ANNEAL_STORAGE_BYTES(d))

#ifdef __cplusplus
extern "C" {
#endif

/** Settings, field for field starling::AnnealConfig (defaults, ranges and
 *  sources documented there). Fill with ..._config_default() first. */
typedef struct starling_anneal_config {
  int max_iter;             /**< temperature levels, >= 1; default 1000 */
  long max_evals;           /**< 0 = off (default) */
  float target;             /**< stop when best <= target; −inf = off (default) */
  int stall_iter;           /**< levels without improvement; 0 = off (default) */
  float initial_temp;       /**< T0, (0, 1e6]; default 0.3 */
  float restart_temp_ratio; /**< re-anneal below T0 times this, (0, 1); default 1e-3 */
  float accept;             /**< q_a, a whole number in [−1e4, 0]; default −5 */
  int local_sweeps;         /**< Hooke–Jeeves sweeps a local phase, 0 = none; default 3 */
  float local_step;         /**< its largest step, fraction of each range; default 0.05 */
} starling_anneal_config;

/** The whole state; declare it and do not touch its fields. */
typedef struct starling_anneal {
  /** Internal: marks an initialized struct; do not touch. */
  uint32_t magic_;
  /** Internal: the capacity in dimensions; do not touch. */
  int32_t max_dims_;
  /** Internal: the struct's size given at init; do not touch. */
  uint32_t size_;
  /** Internal: 0; do not touch. */
  uint32_t reserved_;
  union {
    uint64_t align_u64_;
    double align_f64_;
    unsigned char bytes_[STARLING_ANNEAL_STORAGE_BYTES(STARLING_MAX_DIMS)];
  } storage_; /**< Internal: the C++ core and the arrays; do not touch. */
} starling_anneal;

/** Fills *cfg with the recommended settings (the C++ default config): STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, STARLING_OK. */
starling_status starling_anneal_config_default(starling_anneal_config* cfg);
/** Behind the inline init: capacities and sizeof explicit. Besides init's
 *  statuses, STARLING_INVALID_ARGUMENT when max_dims is outside [1, 4096]
 *  or size is below STARLING_ANNEAL_SIZE(max_dims). */
starling_status starling_anneal_init_capacity(starling_anneal* sa, size_t size, int max_dims,
                                                   const float* lo, const float* hi, int dims,
                                                   const starling_anneal_config* cfg,
                                                   uint64_t seed);
/** Starts a run over [lo, hi] (dims values each). Returns
 *  STARLING_INVALID_ARGUMENT (NULL, dims < 1, an invalid interval or config
 *  value as for the C++ init), STARLING_CAPACITY_EXCEEDED (dims >
 *  STARLING_MAX_DIMS), STARLING_OK. On failure *sa is left not ready. */
static inline starling_status starling_anneal_init(starling_anneal* sa, const float* lo,
                                                        const float* hi, int dims,
                                                        const starling_anneal_config* cfg,
                                                        uint64_t seed) {
  return starling_anneal_init_capacity(sa, sizeof(starling_anneal), STARLING_MAX_DIMS, lo, hi,
                                            dims, cfg, seed);
}
/** The next point (inside the box), NULL when done, not ready or NULL. */
const float* starling_anneal_ask(starling_anneal* sa);
/** Cost of the point last asked (NaN, ±inf = worst). STARLING_INVALID_ARGUMENT
 *  (NULL), STARLING_NOT_READY (no pending ask, not initialized),
 *  STARLING_DONE, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_anneal_tell(starling_anneal* sa, float cost);
/** 1 once a stop criterion was met (and before init), else 0. */
int starling_anneal_done(const starling_anneal* sa);
/** Why the run stopped (STARLING_STOP_NONE while running or before init). */
starling_stop_reason starling_anneal_stop_reason(const starling_anneal* sa);
/** Best evaluated point (dims values), NULL before the first tell. */
const float* starling_anneal_best_position(const starling_anneal* sa);
/** Best cost so far (+inf before the first tell or init). */
float starling_anneal_best_value(const starling_anneal* sa);
/** Evaluations told so far (0 before init). */
long starling_anneal_evaluations(const starling_anneal* sa);
/** Completed generations (0 before init). */
int starling_anneal_iteration(const starling_anneal* sa);
/** Dimensions of the current run (0 before init). */
int starling_anneal_dims(const starling_anneal* sa);
/** Loops ask → cost(x, dims, user) → tell until done. */
starling_status starling_anneal_minimize(starling_anneal* sa,
                                              float (*cost)(const float* x, int dims, void* user),
                                              void* user);
/* Safe tuning, as starling_pso_set_feasible & co. (reset by init). */
/** Installs a feasibility predicate (NULL removes it), max_tries in [0, 64]:
 *  STARLING_INVALID_ARGUMENT otherwise, STARLING_NOT_READY before init, STARLING_OK. */
starling_status starling_anneal_set_feasible(starling_anneal* sa, starling_feasible_fn pred,
                                                  void* ctx, int max_tries);
/** As the C++ set_trust_radius: fraction in [0, 1], 0 = off. STARLING_INVALID_ARGUMENT outside it
 *  (or on a NULL or uninitialized struct: STARLING_INVALID_ARGUMENT / STARLING_NOT_READY),
 *  STARLING_OK. */
starling_status starling_anneal_set_trust_radius(starling_anneal* sa, float fraction);
/** The start point (after init, before the first ask): STARLING_NOT_READY otherwise,
 *  STARLING_INVALID_ARGUMENT if NULL, not finite or outside the box, STARLING_OK. */
starling_status starling_anneal_set_start(starling_anneal* sa, const float* x);
/** Candidates the feasibility predicate refused in this run. */
long starling_anneal_infeasible_count(const starling_anneal* sa);
/** Times the incumbent was handed out because no re-draw was feasible. */
long starling_anneal_fallback_count(const starling_anneal* sa);
/* Save and resume (format: starling::NelderMead::save). */
/** Bytes the save function writes for the current run (0 before init). */
size_t starling_anneal_save_size(const starling_anneal* sa);
/** Writes the state to buf (cap bytes) and its size to *written (may be NULL): STARLING_NOT_READY
 *  before init, STARLING_INVALID_ARGUMENT if buf is NULL, STARLING_CAPACITY_EXCEEDED if cap is too
 *  small, STARLING_OK. */
starling_status starling_anneal_save(const starling_anneal* sa, uint8_t* buf, size_t cap,
                                          size_t* written);
/** The load behind the inline load function, for a struct of `size` bytes and the given
 *  capacities; STARLING_CORRUPT, STARLING_CAPACITY_EXCEEDED, STARLING_INVALID_ARGUMENT or
 *  STARLING_OK (on failure the struct is unchanged). */
starling_status starling_anneal_load_capacity(starling_anneal* sa, size_t size, int max_dims,
                                                   const uint8_t* buf, size_t n);
/** Replaces *sa's state by a saved one (exactly n bytes); *sa need not have
 *  been initialized. STARLING_CORRUPT (any check failed), STARLING_CAPACITY_
 *  EXCEEDED, STARLING_INVALID_ARGUMENT (NULL), STARLING_OK; on failure *sa
 *  is unchanged. */
static inline starling_status starling_anneal_load(starling_anneal* sa, const uint8_t* buf,
                                                        size_t n) {
  return starling_anneal_load_capacity(sa, sizeof(starling_anneal), STARLING_MAX_DIMS, buf, n);
}
/** Checks every invariant of the run (starling::Anneal::check_invariants in
 *  starling/anneal.hpp, the same check load applies): STARLING_OK,
 *  STARLING_CORRUPT if one fails or the struct's header was overwritten,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if sa is NULL. */
starling_status starling_anneal_check_invariants(const starling_anneal* sa);
/** STARLING_ANNEAL_SIZE(max_dims) computed by the library; 0 when max_dims is
 *  outside [1, 4096]. */
size_t starling_anneal_size(int max_dims);

#ifdef __cplusplus
}
#endif

#endif /* STARLING_ANNEAL_H */
