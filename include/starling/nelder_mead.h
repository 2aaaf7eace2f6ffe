/* SPDX-License-Identifier: MIT */
/* starling/nelder_mead.h: the C API (C99 and C++) of the Nelder–Mead simplex
 * search, starling::NelderMead<MaxDims, float> (starling/nelder_mead.hpp).
 * Included by starling/starling.h.
 *
 *   static starling_nelder_mead nm;           // capacity STARLING_MAX_DIMS
 *   starling_nelder_mead_config cfg;
 *   starling_nelder_mead_config_default(&cfg);
 *   if (starling_nelder_mead_init(&nm, lo, hi, 3, &cfg, 42) != STARLING_OK) ...
 *   for (const float* x; (x = starling_nelder_mead_ask(&nm)) != NULL;)
 *     (void)starling_nelder_mead_tell(&nm, run_episode(x));
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
 * Memory: sizeof(starling_nelder_mead) = STARLING_NM_SIZE(D) = 16 +
 * (STARLING_NM_CORE_BYTES + 4·((D + 1)² + 6·D)) rounded up to 8, with
 * D = STARLING_MAX_DIMS (the C++ layout: vertices and costs, centroid,
 * reflected point, candidate, lo, hi, best).
 *
 * Not in C: the population argument (always 0 for this method). */
#ifndef STARLING_NELDER_MEAD_H
#define STARLING_NELDER_MEAD_H

#include "starling/starling.h"

/** Bytes reserved for the C++ core (the library checks it fits). */
#define STARLING_NM_CORE_BYTES 256
/** Bytes of the float arrays for capacity d. */
#define STARLING_NM_ARRAY_BYTES(d) (sizeof(float) * (((d) + 1u) * ((d) + 1u) + 6u * (d)))
/** Bytes of the struct's storage for capacity d (the core reserve and the arrays, a multiple of
 *  8). */
#define STARLING_NM_STORAGE_BYTES(d) ((STARLING_NM_CORE_BYTES + STARLING_NM_ARRAY_BYTES(d) + 7u) / 8u * 8u)
/** sizeof the struct for capacity d (what the init and load functions are given). */
#define STARLING_NM_SIZE(d) (16u + STARLING_NM_STORAGE_BYTES(d))

#ifdef __cplusplus
extern "C" {
#endif

/** Settings, field for field starling::NelderMeadConfig (defaults and
 *  ranges documented there). Fill with ..._config_default() first. */
typedef struct starling_nelder_mead_config {
  int max_iter;      /**< generations (initial simplex, then one per step), >= 1; default 1000 */
  long max_evals;    /**< 0 = off (default) */
  float target;      /**< stop when best <= target; −inf = off (default) */
  int stall_iter;    /**< generations without improvement; 0 = off (default) */
  float step;        /**< initial simplex edge, fraction of each range, (0, 1]; default 0.2 */
  int adaptive;      /**< nonzero = Gao–Han coefficients (default 1) */
  float restart_tol; /**< restart on collapse below this fraction of each range, [0, 1); default 1e-6 */
} starling_nelder_mead_config;

/** The whole state; declare it and do not touch its fields. */
typedef struct starling_nelder_mead {
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
    unsigned char bytes_[STARLING_NM_STORAGE_BYTES(STARLING_MAX_DIMS)];
  } storage_; /**< Internal: the C++ core and the arrays; do not touch. */
} starling_nelder_mead;

/** Fills *cfg with the recommended settings (the C++ default config): STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, STARLING_OK. */
starling_status starling_nelder_mead_config_default(starling_nelder_mead_config* cfg);
/** Behind the inline init: capacities and sizeof explicit. Besides init's
 *  statuses, STARLING_INVALID_ARGUMENT when max_dims is outside [1, 4096]
 *  or size is below STARLING_NM_SIZE(max_dims). */
starling_status starling_nelder_mead_init_capacity(starling_nelder_mead* nm, size_t size, int max_dims,
                                                   const float* lo, const float* hi, int dims,
                                                   const starling_nelder_mead_config* cfg,
                                                   uint64_t seed);
/** Starts a run over [lo, hi] (dims values each). Returns
 *  STARLING_INVALID_ARGUMENT (NULL, dims < 1, an invalid interval or config
 *  value as for the C++ init), STARLING_CAPACITY_EXCEEDED (dims >
 *  STARLING_MAX_DIMS), STARLING_OK. On failure *nm is left not ready. */
static inline starling_status starling_nelder_mead_init(starling_nelder_mead* nm, const float* lo,
                                                        const float* hi, int dims,
                                                        const starling_nelder_mead_config* cfg,
                                                        uint64_t seed) {
  return starling_nelder_mead_init_capacity(nm, sizeof(starling_nelder_mead), STARLING_MAX_DIMS, lo, hi,
                                            dims, cfg, seed);
}
/** The next point (inside the box), NULL when done, not ready or NULL. */
const float* starling_nelder_mead_ask(starling_nelder_mead* nm);
/** Cost of the point last asked (NaN, ±inf = worst). STARLING_INVALID_ARGUMENT
 *  (NULL), STARLING_NOT_READY (no pending ask, not initialized),
 *  STARLING_DONE, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_nelder_mead_tell(starling_nelder_mead* nm, float cost);
/** 1 once a stop criterion was met (and before init), else 0. */
int starling_nelder_mead_done(const starling_nelder_mead* nm);
/** Why the run stopped (STARLING_STOP_NONE while running or before init). */
starling_stop_reason starling_nelder_mead_stop_reason(const starling_nelder_mead* nm);
/** Best evaluated point (dims values), NULL before the first tell. */
const float* starling_nelder_mead_best_position(const starling_nelder_mead* nm);
/** Best cost so far (+inf before the first tell or init). */
float starling_nelder_mead_best_value(const starling_nelder_mead* nm);
/** Evaluations told so far (0 before init). */
long starling_nelder_mead_evaluations(const starling_nelder_mead* nm);
/** Completed generations (0 before init). */
int starling_nelder_mead_iteration(const starling_nelder_mead* nm);
/** Dimensions of the current run (0 before init). */
int starling_nelder_mead_dims(const starling_nelder_mead* nm);
/** Loops ask → cost(x, dims, user) → tell until done. */
starling_status starling_nelder_mead_minimize(starling_nelder_mead* nm,
                                              float (*cost)(const float* x, int dims, void* user),
                                              void* user);
/* Safe tuning, as starling_pso_set_feasible & co. (reset by init). */
/** Installs a feasibility predicate (NULL removes it), max_tries in [0, 64]:
 *  STARLING_INVALID_ARGUMENT otherwise, STARLING_NOT_READY before init, STARLING_OK. */
starling_status starling_nelder_mead_set_feasible(starling_nelder_mead* nm, starling_feasible_fn pred,
                                                  void* ctx, int max_tries);
/** As the C++ set_trust_radius: fraction in [0, 1], 0 = off. STARLING_INVALID_ARGUMENT outside it
 *  (or on a NULL or uninitialized struct: STARLING_INVALID_ARGUMENT / STARLING_NOT_READY),
 *  STARLING_OK. */
starling_status starling_nelder_mead_set_trust_radius(starling_nelder_mead* nm, float fraction);
/** The start point (after init, before the first ask): STARLING_NOT_READY otherwise,
 *  STARLING_INVALID_ARGUMENT if NULL, not finite or outside the box, STARLING_OK. */
starling_status starling_nelder_mead_set_start(starling_nelder_mead* nm, const float* x);
/** Candidates the feasibility predicate refused in this run. */
long starling_nelder_mead_infeasible_count(const starling_nelder_mead* nm);
/** Times the incumbent was handed out because no re-draw was feasible. */
long starling_nelder_mead_fallback_count(const starling_nelder_mead* nm);
/* Save and resume (format: starling::NelderMead::save). */
/** Bytes the save function writes for the current run (0 before init). */
size_t starling_nelder_mead_save_size(const starling_nelder_mead* nm);
/** Writes the state to buf (cap bytes) and its size to *written (may be NULL): STARLING_NOT_READY
 *  before init, STARLING_INVALID_ARGUMENT if buf is NULL, STARLING_CAPACITY_EXCEEDED if cap is too
 *  small, STARLING_OK. */
starling_status starling_nelder_mead_save(const starling_nelder_mead* nm, uint8_t* buf, size_t cap,
                                          size_t* written);
/** The load behind the inline load function, for a struct of `size` bytes and the given
 *  capacities; STARLING_CORRUPT, STARLING_CAPACITY_EXCEEDED, STARLING_INVALID_ARGUMENT or
 *  STARLING_OK (on failure the struct is unchanged). */
starling_status starling_nelder_mead_load_capacity(starling_nelder_mead* nm, size_t size, int max_dims,
                                                   const uint8_t* buf, size_t n);
/** Replaces *nm's state by a saved one (exactly n bytes); *nm need not have
 *  been initialized. STARLING_CORRUPT (any check failed), STARLING_CAPACITY_
 *  EXCEEDED, STARLING_INVALID_ARGUMENT (NULL), STARLING_OK; on failure *nm
 *  is unchanged. */
static inline starling_status starling_nelder_mead_load(starling_nelder_mead* nm, const uint8_t* buf,
                                                        size_t n) {
  return starling_nelder_mead_load_capacity(nm, sizeof(starling_nelder_mead), STARLING_MAX_DIMS, buf, n);
}
/** Checks every invariant of the run (starling::NelderMead::check_invariants in
 *  starling/nelder_mead.hpp, the same check load applies): STARLING_OK,
 *  STARLING_CORRUPT if one fails or the struct's header was overwritten,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if nm is NULL. */
starling_status starling_nelder_mead_check_invariants(const starling_nelder_mead* nm);
/** STARLING_NM_SIZE(max_dims) computed by the library; 0 when max_dims is
 *  outside [1, 4096]. */
size_t starling_nelder_mead_size(int max_dims);

#ifdef __cplusplus
}
#endif

#endif /* STARLING_NELDER_MEAD_H */
