/* SPDX-License-Identifier: MIT */
/* starling/spsa.h: the C API (C99 and C++) of SPSA, starling::Spsa<MaxDims,
 * float> (starling/spsa.hpp). Included by starling/starling.h.
 *
 *   static starling_spsa sp;                  // capacity STARLING_MAX_DIMS
 *   starling_spsa_config cfg;
 *   starling_spsa_config_default(&cfg);
 *   if (starling_spsa_init(&sp, lo, hi, 3, &cfg, 42) != STARLING_OK) ...
 *   for (const float* x; (x = starling_spsa_ask(&sp)) != NULL;)
 *     (void)starling_spsa_tell(&sp, run_episode(x));
 *   use(starling_spsa_theta(&sp));            // the iterate
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
 * Memory: sizeof(starling_spsa) = STARLING_SPSA_SIZE(D) = 16 +
 * (STARLING_SPSA_CORE_BYTES + 4·7·D) rounded up to 8, with
 * D = STARLING_MAX_DIMS (the C++ layout: θ, x+, x−, candidate, lo, hi, best).
 *
 * Not in C: the population argument (always 0 for this method). */
#ifndef STARLING_SPSA_H
#define STARLING_SPSA_H

#include "starling/starling.h"

/** Bytes reserved for the C++ core (the library checks it fits). */
#define STARLING_SPSA_CORE_BYTES 256
/** Bytes of the float arrays for capacity d. */
#define STARLING_SPSA_ARRAY_BYTES(d) (sizeof(float) * 7u * (d))
/** Bytes of the struct's storage for capacity d (the core reserve and the arrays, a multiple of
 *  8). */
#define STARLING_SPSA_STORAGE_BYTES(d) ((STARLING_SPSA_CORE_BYTES + STARLING_SPSA_ARRAY_BYTES(d) + 7u) / 8u * 8u)
/** sizeof the struct for capacity d (what the init and load functions are given). */
#define STARLING_SPSA_SIZE(d) (16u + STARLING_SPSA_STORAGE_BYTES(d))

#ifdef __cplusplus
extern "C" {
#endif

/** Settings, field for field starling::SpsaConfig (defaults, ranges and
 *  sources documented there). Fill with ..._config_default() first. */
typedef struct starling_spsa_config {
  int max_iter;     /**< generations (θ0, then one per step), >= 1; default 1000 */
  long max_evals;   /**< 0 = off (default) */
  float target;     /**< stop when best <= target; −inf = off (default) */
  int stall_iter;   /**< generations without improvement; 0 = off (default) */
  float a;          /**< gain numerator; 0 = calibrated (default) */
  float first_step; /**< the calibrated first step, fraction of each range; default 0.05 */
  int calibrate;    /**< steps the calibration averages; default 4 */
  float c;          /**< perturbation, fraction of each range; default 0.05 */
  float alpha;      /**< a_k's exponent; default 0.602 */
  float gamma;      /**< c_k's exponent; default 0.101 */
  float stability;  /**< A; negative = 10 % of the planned steps (default) */
  float max_step;   /**< largest move a step, fraction of each range; default 0.2 */
  int n_avg;        /**< measurements of each point a step; default 1 */
  int theta_every;  /**< measure θ every this many steps, 0 = never; default 1 */
} starling_spsa_config;

/** The whole state; declare it and do not touch its fields. */
typedef struct starling_spsa {
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
    unsigned char bytes_[STARLING_SPSA_STORAGE_BYTES(STARLING_MAX_DIMS)];
  } storage_; /**< Internal: the C++ core and the arrays; do not touch. */
} starling_spsa;

/** Fills *cfg with the recommended settings (the C++ default config): STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, STARLING_OK. */
starling_status starling_spsa_config_default(starling_spsa_config* cfg);
/** Behind the inline init: capacities and sizeof explicit. Besides init's
 *  statuses, STARLING_INVALID_ARGUMENT when max_dims is outside [1, 4096]
 *  or size is below STARLING_SPSA_SIZE(max_dims). */
starling_status starling_spsa_init_capacity(starling_spsa* sp, size_t size, int max_dims,
                                                   const float* lo, const float* hi, int dims,
                                                   const starling_spsa_config* cfg,
                                                   uint64_t seed);
/** Starts a run over [lo, hi] (dims values each). Returns
 *  STARLING_INVALID_ARGUMENT (NULL, dims < 1, an invalid interval or config
 *  value as for the C++ init), STARLING_CAPACITY_EXCEEDED (dims >
 *  STARLING_MAX_DIMS), STARLING_OK. On failure *sp is left not ready. */
static inline starling_status starling_spsa_init(starling_spsa* sp, const float* lo,
                                                        const float* hi, int dims,
                                                        const starling_spsa_config* cfg,
                                                        uint64_t seed) {
  return starling_spsa_init_capacity(sp, sizeof(starling_spsa), STARLING_MAX_DIMS, lo, hi,
                                            dims, cfg, seed);
}
/** The next point (inside the box), NULL when done, not ready or NULL. */
const float* starling_spsa_ask(starling_spsa* sp);
/** Cost of the point last asked (NaN, ±inf = worst). STARLING_INVALID_ARGUMENT
 *  (NULL), STARLING_NOT_READY (no pending ask, not initialized),
 *  STARLING_DONE, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_spsa_tell(starling_spsa* sp, float cost);
/** 1 once a stop criterion was met (and before init), else 0. */
int starling_spsa_done(const starling_spsa* sp);
/** Why the run stopped (STARLING_STOP_NONE while running or before init). */
starling_stop_reason starling_spsa_stop_reason(const starling_spsa* sp);
/** Best evaluated point (dims values), NULL before the first tell. */
const float* starling_spsa_best_position(const starling_spsa* sp);
/** Best cost so far (+inf before the first tell or init). */
float starling_spsa_best_value(const starling_spsa* sp);
/** Evaluations told so far (0 before init). */
long starling_spsa_evaluations(const starling_spsa* sp);
/** Completed generations (0 before init). */
int starling_spsa_iteration(const starling_spsa* sp);
/** Dimensions of the current run (0 before init). */
int starling_spsa_dims(const starling_spsa* sp);
/** Loops ask → cost(x, dims, user) → tell until done. */
starling_status starling_spsa_minimize(starling_spsa* sp,
                                              float (*cost)(const float* x, int dims, void* user),
                                              void* user);
/* Safe tuning, as starling_pso_set_feasible & co. (reset by init). */
/** Installs a feasibility predicate (NULL removes it), max_tries in [0, 64]:
 *  STARLING_INVALID_ARGUMENT otherwise, STARLING_NOT_READY before init, STARLING_OK. */
starling_status starling_spsa_set_feasible(starling_spsa* sp, starling_feasible_fn pred,
                                                  void* ctx, int max_tries);
/** As the C++ set_trust_radius: fraction in [0, 1], 0 = off. STARLING_INVALID_ARGUMENT outside it
 *  (or on a NULL or uninitialized struct: STARLING_INVALID_ARGUMENT / STARLING_NOT_READY),
 *  STARLING_OK. */
starling_status starling_spsa_set_trust_radius(starling_spsa* sp, float fraction);
/** The start point (after init, before the first ask): STARLING_NOT_READY otherwise,
 *  STARLING_INVALID_ARGUMENT if NULL, not finite or outside the box, STARLING_OK. */
starling_status starling_spsa_set_start(starling_spsa* sp, const float* x);
/** Candidates the feasibility predicate refused in this run. */
long starling_spsa_infeasible_count(const starling_spsa* sp);
/** Times the incumbent was handed out because no re-draw was feasible. */
long starling_spsa_fallback_count(const starling_spsa* sp);
/* Save and resume (format: starling::NelderMead::save). */
/** Bytes the save function writes for the current run (0 before init). */
size_t starling_spsa_save_size(const starling_spsa* sp);
/** Writes the state to buf (cap bytes) and its size to *written (may be NULL): STARLING_NOT_READY
 *  before init, STARLING_INVALID_ARGUMENT if buf is NULL, STARLING_CAPACITY_EXCEEDED if cap is too
 *  small, STARLING_OK. */
starling_status starling_spsa_save(const starling_spsa* sp, uint8_t* buf, size_t cap,
                                          size_t* written);
/** The load behind the inline load function, for a struct of `size` bytes and the given
 *  capacities; STARLING_CORRUPT, STARLING_CAPACITY_EXCEEDED, STARLING_INVALID_ARGUMENT or
 *  STARLING_OK (on failure the struct is unchanged). */
starling_status starling_spsa_load_capacity(starling_spsa* sp, size_t size, int max_dims,
                                                   const uint8_t* buf, size_t n);
/** Replaces *sp's state by a saved one (exactly n bytes); *sp need not have
 *  been initialized. STARLING_CORRUPT (any check failed), STARLING_CAPACITY_
 *  EXCEEDED, STARLING_INVALID_ARGUMENT (NULL), STARLING_OK; on failure *sp
 *  is unchanged. */
static inline starling_status starling_spsa_load(starling_spsa* sp, const uint8_t* buf,
                                                        size_t n) {
  return starling_spsa_load_capacity(sp, sizeof(starling_spsa), STARLING_MAX_DIMS, buf, n);
}
/** Checks every invariant of the run (starling::Spsa::check_invariants in
 *  starling/spsa.hpp, the same check load applies): STARLING_OK,
 *  STARLING_CORRUPT if one fails or the struct's header was overwritten,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if sp is NULL. */
starling_status starling_spsa_check_invariants(const starling_spsa* sp);
/** STARLING_SPSA_SIZE(max_dims) computed by the library; 0 when max_dims is
 *  outside [1, 4096]. */
size_t starling_spsa_size(int max_dims);
/** The iterate θ (dims floats inside the box), NULL when NULL or not ready. */
const float* starling_spsa_theta(const starling_spsa* sp);

#ifdef __cplusplus
}
#endif

#endif /* STARLING_SPSA_H */
