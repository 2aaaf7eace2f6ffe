/* SPDX-License-Identifier: MIT */
/* starling/starling_model.h: the C API (C99 and C++) of the few-episode
 * optimizers: Bobyqa, BayesOpt and Tuner (float), included by starling.h.
 *
 * The same optimizers as starling::Bobyqa<D, float>,
 * starling::BayesOpt<D, N, float> and starling::Tuner<D, N, float> (see
 * starling/bobyqa.hpp, bayesopt.hpp, tuner.hpp, and docs/few_episode.md),
 * with starling_pso's conventions (starling.h): the caller declares the
 * whole state, the library never allocates, every function accepts NULL,
 * a struct never initialized successfully is "not ready", one whose header
 * was overwritten is STARLING_CORRUPT, and a struct may be copied bytewise.
 *
 *   #define STARLING_MODEL_MAX_DIMS 4     // optional, before the include
 *   #define STARLING_MODEL_MAX_OBS 64
 *   #include "starling/starling.h"
 *
 *   static starling_tuner tuner;
 *   starling_tuner_config cfg;
 *   starling_tuner_config_default(&cfg);
 *   cfg.max_evals = 150;
 *   if (starling_tuner_init(&tuner, lo, hi, 3, 0, &cfg, 1) != STARLING_OK) ...
 *   for (const float* x; (x = starling_tuner_ask(&tuner)) != NULL;)
 *     (void)starling_tuner_tell(&tuner, run_episode(x));
 *
 * Capacity: STARLING_MODEL_MAX_DIMS (default 8, at most 1024) dimensions for
 * all three, STARLING_MODEL_MAX_OBS (default 64, 4 .. 4096) observations for
 * BayesOpt and Tuner; they may differ per program (the inline init and load
 * hand them and sizeof the struct to the library, as for starling_pso).
 *
 * Memory (D = STARLING_MODEL_MAX_DIMS, N = STARLING_MODEL_MAX_OBS, rounded
 * up to 8): sizeof(starling_bobyqa) = 16 + STARLING_BOBYQA_CORE_BYTES +
 * STARLING_BOBYQA_ARRAY_BYTES(D), O(D²); sizeof(starling_bayesopt) = 16 +
 * STARLING_BAYESOPT_CORE_BYTES + STARLING_BAYESOPT_ARRAY_BYTES(D, N) and
 * sizeof(starling_tuner) = 16 + STARLING_TUNER_CORE_BYTES +
 * STARLING_TUNER_ARRAY_BYTES(D, N), O(N² + N·D).
 *
 * Determinism: for the same bounds, config, seed and costs the asked points
 * are bit for bit those of the C++ classes (any capacities), on every
 * target; saved states are the C++ formats and load either way.
 */
#ifndef STARLING_STARLING_MODEL_H
#define STARLING_STARLING_MODEL_H

#include "starling/starling.h"

#ifndef STARLING_MODEL_MAX_DIMS
/** Dimension capacity of starling_bobyqa, starling_bayesopt and
 *  starling_tuner (default 8); define it before the include to change it. */
#define STARLING_MODEL_MAX_DIMS 8
#endif
#ifndef STARLING_MODEL_MAX_OBS
/** Observation capacity of starling_bayesopt and starling_tuner (default
 *  64: the model keeps at most this many; a longer run replaces the worst). */
#define STARLING_MODEL_MAX_OBS 64
#endif
#if STARLING_MODEL_MAX_DIMS < 1 || STARLING_MODEL_MAX_DIMS > 1024
#error "STARLING_MODEL_MAX_DIMS must be in [1, 1024]"
#endif
#if STARLING_MODEL_MAX_OBS < 4 || STARLING_MODEL_MAX_OBS > 4096
#error "STARLING_MODEL_MAX_OBS must be in [4, 4096]"
#endif

/** Bytes reserved for the C++ core of each optimizer (the library checks at
 *  compile time that its core fits and is aligned). */
/**@{*/
#define STARLING_BOBYQA_CORE_BYTES 336
#define STARLING_BAYESOPT_CORE_BYTES 240
#define STARLING_TUNER_CORE_BYTES 280
/**@}*/
/** Bytes of Bobyqa's arrays for capacity d: M = 2d + 1 points, K = 3d + 2
 *  (the order of the interpolation system). */
#define STARLING_BOBYQA_ARRAY_BYTES(d)                                                  \
  (sizeof(float) * ((3u * (d) + 2u) * (3u * (d) + 2u) + (2u * (d) + 1u) * ((d) + 3u) + \
                    (d) * ((d) + 1u) / 2u + 24u * (d) + 2u * (3u * (d) + 2u)) +         \
   4u * (3u * (d) + 2u))
/** Bytes of BayesOpt's arrays for capacities d (dims) and n (observations):
 *  the two packed Cholesky triangles, the observations, O(d) vectors. */
#define STARLING_BAYESOPT_ARRAY_BYTES(d, n) \
  (sizeof(float) * ((n) * ((n) + 1u) + (n) * ((d) + 5u) + 18u * (d) + 2u))
/** Bytes of Tuner's arrays for capacities d and n: BayesOpt's and the simplex. */
#define STARLING_TUNER_ARRAY_BYTES(d, n) \
  (sizeof(float) * ((n) * ((n) + 1u) + (n) * ((d) + 5u) + ((d) + 1u) * ((d) + 1u) + 22u * (d) + 2u))
/** Opaque storage (core + arrays), rounded up to 8. */
/**@{*/
#define STARLING_BOBYQA_STORAGE_BYTES(d) ((STARLING_BOBYQA_CORE_BYTES + STARLING_BOBYQA_ARRAY_BYTES(d) + 7u) / 8u * 8u)
#define STARLING_BAYESOPT_STORAGE_BYTES(d, n) \
  ((STARLING_BAYESOPT_CORE_BYTES + STARLING_BAYESOPT_ARRAY_BYTES(d, n) + 7u) / 8u * 8u)
#define STARLING_TUNER_STORAGE_BYTES(d, n) \
  ((STARLING_TUNER_CORE_BYTES + STARLING_TUNER_ARRAY_BYTES(d, n) + 7u) / 8u * 8u)
/**@}*/
/** sizeof the structs for the given capacities: 16 bytes of header + storage. */
/**@{*/
#define STARLING_BOBYQA_SIZE(d) (16u + STARLING_BOBYQA_STORAGE_BYTES(d))
#define STARLING_BAYESOPT_SIZE(d, n) (16u + STARLING_BAYESOPT_STORAGE_BYTES(d, n))
#define STARLING_TUNER_SIZE(d, n) (16u + STARLING_TUNER_STORAGE_BYTES(d, n))
/**@}*/

#ifdef __cplusplus
extern "C" {
#endif

/** What Bobyqa does once its trust region has shrunk to rho_end
 *  (starling::BobyqaRestart). */
typedef enum starling_bobyqa_restart {
  STARLING_BOBYQA_RESTART_INCUMBENT = 0, /**< rebuild the model around the best point */
  STARLING_BOBYQA_RESTART_RANDOM = 1     /**< start afresh from a uniformly drawn point */
} starling_bobyqa_restart;

/** What the Gaussian process models (starling::CostTransform). */
typedef enum starling_cost_transform {
  STARLING_TRANSFORM_AUTO = 0,    /**< log(cost) while every finite cost is > 0, else the cost */
  STARLING_TRANSFORM_LOG = 1,     /**< log(cost); a cost <= 0 counts as a failure */
  STARLING_TRANSFORM_IDENTITY = 2 /**< the cost itself */
} starling_cost_transform;

/** Settings, field for field starling::BobyqaConfig (radii are fractions of
 *  each range). Fill with starling_bobyqa_config_default() first. */
typedef struct starling_bobyqa_config {
  float rho_begin; /**< initial trust radius, (0, 0.25]; default 0.2 */
  float rho_end;   /**< final trust radius, [0, rho_begin]; default 1e-6 */
  int restart;     /**< a starling_bobyqa_restart; default INCUMBENT */
  int max_iter;    /**< generations (one per evaluation), >= 1; default 1000 */
  long max_evals;  /**< stop after this many evaluations, 0 = off (default) */
  float target;    /**< stop when best <= target; −inf = off (default); not NaN/+inf */
  int stall_iter;  /**< stop after this many evaluations without improvement, 0 = off */
} starling_bobyqa_config;

/** Settings, field for field starling::BayesOptConfig. */
typedef struct starling_bayesopt_config {
  int candidates; /**< random candidates of the acquisition's search per ask, 8 .. 4096; default 128 */
  int fit_evals;  /**< likelihood evaluations per hyperparameter fit, 0 .. 1000; default 24 */
  int transform;  /**< a starling_cost_transform; default AUTO */
  int max_iter;   /**< generations (one per evaluation), >= 1; default 200 */
  long max_evals; /**< stop after this many evaluations, 0 = off (default) */
  float target;   /**< stop when best <= target; −inf = off (default) */
  int stall_iter; /**< stop after this many evaluations without improvement, 0 = off */
} starling_bayesopt_config;

/** Settings, field for field starling::TunerConfig (the defaults are the
 *  recommended ones: docs/few_episode.md). */
typedef struct starling_tuner_config {
  int candidates;  /**< as starling_bayesopt_config; default 128 */
  int fit_evals;   /**< as starling_bayesopt_config; default 24 */
  int transform;   /**< a starling_cost_transform; default AUTO */
  int model_evals; /**< model-phase evaluations after the design, 0 = 2·dims (default) */
  float step;      /**< the simplex's initial edge, fraction of each range, (0, 0.5]; default 0.1 */
  float step_end;  /**< simplex size at which it is rebuilt, [0, step); default 1e-4 */
  int max_iter;    /**< generations (one per evaluation), >= 1; default 300 */
  long max_evals;  /**< stop after this many evaluations, 0 = off (default) */
  float target;    /**< stop when best <= target; −inf = off (default) */
  int stall_iter;  /**< stop after this many evaluations without improvement, 0 = off */
} starling_tuner_config;

/** Bobyqa's whole state; declare it and pass it to starling_bobyqa_init(). */
typedef struct starling_bobyqa {
  uint32_t magic_;   /**< private: set by a successful init or load */
  int32_t max_dims_; /**< private: the caller's dimension capacity */
  int32_t max_obs_;  /**< private: unused (0) */
  uint32_t size_;    /**< private: sizeof the struct in the caller's translation unit */
  union {
    uint64_t align_u64_;
    double align_f64_;
    unsigned char bytes_[STARLING_BOBYQA_STORAGE_BYTES(STARLING_MODEL_MAX_DIMS)];
  } storage_; /**< private: the C++ core and the arrays */
} starling_bobyqa;

/** BayesOpt's whole state; declare it and pass it to starling_bayesopt_init(). */
typedef struct starling_bayesopt {
  uint32_t magic_;   /**< private: set by a successful init or load */
  int32_t max_dims_; /**< private: the caller's dimension capacity */
  int32_t max_obs_;  /**< private: the caller's observation capacity */
  uint32_t size_;    /**< private: sizeof the struct in the caller's translation unit */
  union {
    uint64_t align_u64_;
    double align_f64_;
    unsigned char bytes_[STARLING_BAYESOPT_STORAGE_BYTES(STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS)];
  } storage_; /**< private: the C++ core and the arrays */
} starling_bayesopt;

/** Tuner's whole state; declare it and pass it to starling_tuner_init(). */
typedef struct starling_tuner {
  uint32_t magic_;   /**< private: set by a successful init or load */
  int32_t max_dims_; /**< private: the caller's dimension capacity */
  int32_t max_obs_;  /**< private: the caller's observation capacity */
  uint32_t size_;    /**< private: sizeof the struct in the caller's translation unit */
  union {
    uint64_t align_u64_;
    double align_f64_;
    unsigned char bytes_[STARLING_TUNER_STORAGE_BYTES(STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS)];
  } storage_; /**< private: the C++ core and the arrays */
} starling_tuner;

/* ---- Bobyqa (starling::Bobyqa, starling/bobyqa.hpp) ---- */

/** Fills *cfg with the defaults of starling::BobyqaConfig. STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, else STARLING_OK. */
starling_status starling_bobyqa_config_default(starling_bobyqa_config* cfg);

/** The library entry behind starling_bobyqa_init(), capacities and sizeof the
 *  struct explicit. Besides init's statuses: STARLING_INVALID_ARGUMENT when
 *  a capacity is out of range or size is below STARLING_BOBYQA_SIZE(max_dims) (max_obs is ignored). */
starling_status starling_bobyqa_init_capacity(starling_bobyqa* s, size_t size, int max_dims, int max_obs,
                                           const float* lo, const float* hi, int dims, int points,
                                           const starling_bobyqa_config* cfg, uint64_t seed);

/** Validates and starts a run over the box [lo[d], hi[d]], d < dims. points:
 *  interpolation points, dims + 2 .. 2·dims + 1; 0 = 2·dims + 1. Returns STARLING_INVALID_ARGUMENT (s, lo, hi or cfg NULL,
 *  dims < 1, an invalid interval as for starling_pso_init, points or a config
 *  field out of range), STARLING_CAPACITY_EXCEEDED (dims >
 *  STARLING_MODEL_MAX_DIMS), STARLING_OK; on failure *s is not ready.
 *  Re-initializing starts over and resets the safe-tuning settings. */
static inline starling_status starling_bobyqa_init(starling_bobyqa* s, const float* lo, const float* hi,
                                                int dims, int points, const starling_bobyqa_config* cfg,
                                                uint64_t seed) {
  return starling_bobyqa_init_capacity(s, sizeof(starling_bobyqa), STARLING_MODEL_MAX_DIMS, 0, lo, hi,
                                    dims, points, cfg, seed);
}

/** The next point to evaluate (dims floats inside the box, pointing into
 *  *s), the same again until a tell; NULL when s is NULL, not ready or
 *  done. O(dims). */
const float* starling_bobyqa_ask(starling_bobyqa* s);

/** Scores the point last asked (NaN and ±inf are failures, never a best).
 *  The tell that ends a step does the method's work, O((3·dims)³). Returns STARLING_INVALID_ARGUMENT if s is NULL,
 *  STARLING_NOT_READY before init or without a pending ask, STARLING_DONE
 *  after the stop, STARLING_CORRUPT if the header was overwritten,
 *  STARLING_OK. */
starling_status starling_bobyqa_tell(starling_bobyqa* s, float cost);

/** 1 once stopped, and when s is NULL or not ready; 0 while running. */
int starling_bobyqa_done(const starling_bobyqa* s);
/** Why it stopped; STARLING_STOP_NONE while running, not ready or NULL. */
starling_stop_reason starling_bobyqa_stop_reason(const starling_bobyqa* s);
/** The best evaluated point (dims floats inside *s), NULL before the first
 *  tell, when not ready or NULL. */
const float* starling_bobyqa_best_position(const starling_bobyqa* s);
/** The best cost told; +inf before a finite one, when not ready or NULL. */
float starling_bobyqa_best_value(const starling_bobyqa* s);
/** Costs told since init; 0 when NULL or not ready. */
long starling_bobyqa_evaluations(const starling_bobyqa* s);
/** Generations (one per evaluation); 0 when NULL or not ready. */
int starling_bobyqa_iteration(const starling_bobyqa* s);
/** dims given to init; 0 when NULL or not ready. */
int starling_bobyqa_dims(const starling_bobyqa* s);

/** Loops ask → cost(x, dims, user) → tell until done. Returns
 *  STARLING_INVALID_ARGUMENT if s or cost is NULL, STARLING_NOT_READY before
 *  init, STARLING_CORRUPT, STARLING_OK when it ran to a stop. */
starling_status starling_bobyqa_minimize(starling_bobyqa* s, float (*cost)(const float* x, int dims, void* user),
                                      void* user);

/** Safe tuning, as starling_pso_set_feasible (predicate, max_tries in
 *  [0, 64]). Returns STARLING_INVALID_ARGUMENT (s NULL, max_tries out of
 *  range), STARLING_NOT_READY, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_bobyqa_set_feasible(starling_bobyqa* s, starling_feasible_fn pred, void* ctx,
                                          int max_tries);
/** Trust radius as a fraction of each range, [0, 1] (0 = off); statuses as
 *  starling_pso_set_trust_radius. */
starling_status starling_bobyqa_set_trust_radius(starling_bobyqa* s, float fraction);
/** A known-safe start point, the first ask; after init, before the first
 *  ask (else STARLING_NOT_READY); STARLING_INVALID_ARGUMENT if s or x is
 *  NULL or x is not finite or outside the box. */
starling_status starling_bobyqa_set_start(starling_bobyqa* s, const float* x);

/** Bytes starling_bobyqa_save() writes now; 0 when NULL or not ready. */
size_t starling_bobyqa_save_size(const starling_bobyqa* s);
/** Writes the state ("SBOB" v1) to buf; *written (may be NULL) = its size.
 *  STARLING_INVALID_ARGUMENT (s or buf NULL), STARLING_NOT_READY,
 *  STARLING_CAPACITY_EXCEEDED (cap too small: nothing written),
 *  STARLING_CORRUPT, STARLING_OK. */
starling_status starling_bobyqa_save(const starling_bobyqa* s, uint8_t* buf, size_t cap, size_t* written);
/** The library entry behind starling_bobyqa_load() (capacities explicit). */
starling_status starling_bobyqa_load_capacity(starling_bobyqa* s, size_t size, int max_dims, int max_obs,
                                           const uint8_t* buf, size_t n);
/** Replaces *s's state by a saved one (exactly n bytes; *s need not be
 *  initialized). STARLING_INVALID_ARGUMENT (s or buf NULL), STARLING_CORRUPT
 *  (any check of the format or an invariant of
 *  starling_bobyqa_check_invariants() fails, or *s's header was overwritten),
 *  STARLING_CAPACITY_EXCEEDED (the state needs more room than *s has),
 *  STARLING_OK. On failure no byte of *s changes. */
static inline starling_status starling_bobyqa_load(starling_bobyqa* s, const uint8_t* buf, size_t n) {
  return starling_bobyqa_load_capacity(s, sizeof(starling_bobyqa), STARLING_MODEL_MAX_DIMS, 0, buf, n);
}
/** Checks every invariant a live run keeps, with the function load applies
 *  (the list: starling::Bobyqa::check_invariants). STARLING_OK, STARLING_CORRUPT,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if s is NULL. */
starling_status starling_bobyqa_check_invariants(const starling_bobyqa* s);
/** STARLING_BOBYQA_SIZE(max_dims) (max_obs is ignored) computed by the library; 0 for capacities out of range. */
size_t starling_bobyqa_size(int max_dims, int max_obs);

/* ---- BayesOpt (starling::BayesOpt, starling/bayesopt.hpp) ---- */

/** Fills *cfg with the defaults of starling::BayesOptConfig. STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, else STARLING_OK. */
starling_status starling_bayesopt_config_default(starling_bayesopt_config* cfg);

/** The library entry behind starling_bayesopt_init(), capacities and sizeof the
 *  struct explicit. Besides init's statuses: STARLING_INVALID_ARGUMENT when
 *  a capacity is out of range or size is below STARLING_BAYESOPT_SIZE(max_dims, max_obs). */
starling_status starling_bayesopt_init_capacity(starling_bayesopt* s, size_t size, int max_dims, int max_obs,
                                           const float* lo, const float* hi, int dims, int design,
                                           const starling_bayesopt_config* cfg, uint64_t seed);

/** Validates and starts a run over the box [lo[d], hi[d]], d < dims. design:
 *  points of the initial design, 2 .. STARLING_MODEL_MAX_OBS; 0 = 2·dims + 2 (at least 5). Returns STARLING_INVALID_ARGUMENT (s, lo, hi or cfg NULL,
 *  dims < 1, an invalid interval as for starling_pso_init, design negative or
 *  1, a config field out of range), STARLING_CAPACITY_EXCEEDED (dims >
 *  STARLING_MODEL_MAX_DIMS or design > STARLING_MODEL_MAX_OBS), STARLING_OK;
 *  on failure *s is not ready.
 *  Re-initializing starts over and resets the safe-tuning settings. */
static inline starling_status starling_bayesopt_init(starling_bayesopt* s, const float* lo, const float* hi,
                                                int dims, int design, const starling_bayesopt_config* cfg,
                                                uint64_t seed) {
  return starling_bayesopt_init_capacity(s, sizeof(starling_bayesopt), STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS, lo, hi,
                                    dims, design, cfg, seed);
}

/** The next point to evaluate (dims floats inside the box, pointing into
 *  *s), the same again until a tell; NULL when s is NULL, not ready or
 *  done. O(dims). */
const float* starling_bayesopt_ask(starling_bayesopt* s);

/** Scores the point last asked (NaN and ±inf are failures, never a best).
 *  A tell fits the Gaussian process and searches the next point: O(fit_evals·n³/6 + candidates·n²). Returns STARLING_INVALID_ARGUMENT if s is NULL,
 *  STARLING_NOT_READY before init or without a pending ask, STARLING_DONE
 *  after the stop, STARLING_CORRUPT if the header was overwritten,
 *  STARLING_OK. */
starling_status starling_bayesopt_tell(starling_bayesopt* s, float cost);

/** 1 once stopped, and when s is NULL or not ready; 0 while running. */
int starling_bayesopt_done(const starling_bayesopt* s);
/** Why it stopped; STARLING_STOP_NONE while running, not ready or NULL. */
starling_stop_reason starling_bayesopt_stop_reason(const starling_bayesopt* s);
/** The best evaluated point (dims floats inside *s), NULL before the first
 *  tell, when not ready or NULL. */
const float* starling_bayesopt_best_position(const starling_bayesopt* s);
/** The best cost told; +inf before a finite one, when not ready or NULL. */
float starling_bayesopt_best_value(const starling_bayesopt* s);
/** Costs told since init; 0 when NULL or not ready. */
long starling_bayesopt_evaluations(const starling_bayesopt* s);
/** Generations (one per evaluation); 0 when NULL or not ready. */
int starling_bayesopt_iteration(const starling_bayesopt* s);
/** dims given to init; 0 when NULL or not ready. */
int starling_bayesopt_dims(const starling_bayesopt* s);

/** Loops ask → cost(x, dims, user) → tell until done. Returns
 *  STARLING_INVALID_ARGUMENT if s or cost is NULL, STARLING_NOT_READY before
 *  init, STARLING_CORRUPT, STARLING_OK when it ran to a stop. */
starling_status starling_bayesopt_minimize(starling_bayesopt* s, float (*cost)(const float* x, int dims, void* user),
                                      void* user);

/** Safe tuning, as starling_pso_set_feasible (predicate, max_tries in
 *  [0, 64]). Returns STARLING_INVALID_ARGUMENT (s NULL, max_tries out of
 *  range), STARLING_NOT_READY, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_bayesopt_set_feasible(starling_bayesopt* s, starling_feasible_fn pred, void* ctx,
                                          int max_tries);
/** Trust radius as a fraction of each range, [0, 1] (0 = off); statuses as
 *  starling_pso_set_trust_radius. */
starling_status starling_bayesopt_set_trust_radius(starling_bayesopt* s, float fraction);
/** A known-safe start point, the first ask; after init, before the first
 *  ask (else STARLING_NOT_READY); STARLING_INVALID_ARGUMENT if s or x is
 *  NULL or x is not finite or outside the box. */
starling_status starling_bayesopt_set_start(starling_bayesopt* s, const float* x);

/** Bytes starling_bayesopt_save() writes now; 0 when NULL or not ready. */
size_t starling_bayesopt_save_size(const starling_bayesopt* s);
/** Writes the state ("SBAY" v1) to buf; *written (may be NULL) = its size.
 *  STARLING_INVALID_ARGUMENT (s or buf NULL), STARLING_NOT_READY,
 *  STARLING_CAPACITY_EXCEEDED (cap too small: nothing written),
 *  STARLING_CORRUPT, STARLING_OK. */
starling_status starling_bayesopt_save(const starling_bayesopt* s, uint8_t* buf, size_t cap, size_t* written);
/** The library entry behind starling_bayesopt_load() (capacities explicit). */
starling_status starling_bayesopt_load_capacity(starling_bayesopt* s, size_t size, int max_dims, int max_obs,
                                           const uint8_t* buf, size_t n);
/** Replaces *s's state by a saved one (exactly n bytes; *s need not be
 *  initialized). STARLING_INVALID_ARGUMENT (s or buf NULL), STARLING_CORRUPT
 *  (any check of the format or an invariant of
 *  starling_bayesopt_check_invariants() fails, or *s's header was overwritten),
 *  STARLING_CAPACITY_EXCEEDED (the state needs more room than *s has),
 *  STARLING_OK. On failure no byte of *s changes. */
static inline starling_status starling_bayesopt_load(starling_bayesopt* s, const uint8_t* buf, size_t n) {
  return starling_bayesopt_load_capacity(s, sizeof(starling_bayesopt), STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS, buf, n);
}
/** Checks every invariant a live run keeps, with the function load applies
 *  (the list: starling::BayesOpt::check_invariants). STARLING_OK, STARLING_CORRUPT,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if s is NULL. */
starling_status starling_bayesopt_check_invariants(const starling_bayesopt* s);
/** STARLING_BAYESOPT_SIZE(max_dims, max_obs) computed by the library; 0 for capacities out of range. */
size_t starling_bayesopt_size(int max_dims, int max_obs);

/* ---- Tuner (starling::Tuner, starling/tuner.hpp) ---- */

/** Fills *cfg with the defaults of starling::TunerConfig. STARLING_INVALID_ARGUMENT if
 *  cfg is NULL, else STARLING_OK. */
starling_status starling_tuner_config_default(starling_tuner_config* cfg);

/** The library entry behind starling_tuner_init(), capacities and sizeof the
 *  struct explicit. Besides init's statuses: STARLING_INVALID_ARGUMENT when
 *  a capacity is out of range or size is below STARLING_TUNER_SIZE(max_dims, max_obs). */
starling_status starling_tuner_init_capacity(starling_tuner* s, size_t size, int max_dims, int max_obs,
                                           const float* lo, const float* hi, int dims, int design,
                                           const starling_tuner_config* cfg, uint64_t seed);

/** Validates and starts a run over the box [lo[d], hi[d]], d < dims. design:
 *  points of the initial design, 2 .. STARLING_MODEL_MAX_OBS; 0 = 2·dims + 2 (at least 5). Returns STARLING_INVALID_ARGUMENT (s, lo, hi or cfg NULL,
 *  dims < 1, an invalid interval as for starling_pso_init, design negative or
 *  1, a config field out of range), STARLING_CAPACITY_EXCEEDED (dims >
 *  STARLING_MODEL_MAX_DIMS or design > STARLING_MODEL_MAX_OBS), STARLING_OK;
 *  on failure *s is not ready.
 *  Re-initializing starts over and resets the safe-tuning settings. */
static inline starling_status starling_tuner_init(starling_tuner* s, const float* lo, const float* hi,
                                                int dims, int design, const starling_tuner_config* cfg,
                                                uint64_t seed) {
  return starling_tuner_init_capacity(s, sizeof(starling_tuner), STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS, lo, hi,
                                    dims, design, cfg, seed);
}

/** The next point to evaluate (dims floats inside the box, pointing into
 *  *s), the same again until a tell; NULL when s is NULL, not ready or
 *  done. O(dims). */
const float* starling_tuner_ask(starling_tuner* s);

/** Scores the point last asked (NaN and ±inf are failures, never a best).
 *  Model-phase tells fit the Gaussian process (as BayesOpt); the others are O(dims²). Returns STARLING_INVALID_ARGUMENT if s is NULL,
 *  STARLING_NOT_READY before init or without a pending ask, STARLING_DONE
 *  after the stop, STARLING_CORRUPT if the header was overwritten,
 *  STARLING_OK. */
starling_status starling_tuner_tell(starling_tuner* s, float cost);

/** 1 once stopped, and when s is NULL or not ready; 0 while running. */
int starling_tuner_done(const starling_tuner* s);
/** Why it stopped; STARLING_STOP_NONE while running, not ready or NULL. */
starling_stop_reason starling_tuner_stop_reason(const starling_tuner* s);
/** The best evaluated point (dims floats inside *s), NULL before the first
 *  tell, when not ready or NULL. */
const float* starling_tuner_best_position(const starling_tuner* s);
/** The best cost told; +inf before a finite one, when not ready or NULL. */
float starling_tuner_best_value(const starling_tuner* s);
/** Costs told since init; 0 when NULL or not ready. */
long starling_tuner_evaluations(const starling_tuner* s);
/** Generations (one per evaluation); 0 when NULL or not ready. */
int starling_tuner_iteration(const starling_tuner* s);
/** dims given to init; 0 when NULL or not ready. */
int starling_tuner_dims(const starling_tuner* s);

/** Loops ask → cost(x, dims, user) → tell until done. Returns
 *  STARLING_INVALID_ARGUMENT if s or cost is NULL, STARLING_NOT_READY before
 *  init, STARLING_CORRUPT, STARLING_OK when it ran to a stop. */
starling_status starling_tuner_minimize(starling_tuner* s, float (*cost)(const float* x, int dims, void* user),
                                      void* user);

/** Safe tuning, as starling_pso_set_feasible (predicate, max_tries in
 *  [0, 64]). Returns STARLING_INVALID_ARGUMENT (s NULL, max_tries out of
 *  range), STARLING_NOT_READY, STARLING_CORRUPT, STARLING_OK. */
starling_status starling_tuner_set_feasible(starling_tuner* s, starling_feasible_fn pred, void* ctx,
                                          int max_tries);
/** Trust radius as a fraction of each range, [0, 1] (0 = off); statuses as
 *  starling_pso_set_trust_radius. */
starling_status starling_tuner_set_trust_radius(starling_tuner* s, float fraction);
/** A known-safe start point, the first ask; after init, before the first
 *  ask (else STARLING_NOT_READY); STARLING_INVALID_ARGUMENT if s or x is
 *  NULL or x is not finite or outside the box. */
starling_status starling_tuner_set_start(starling_tuner* s, const float* x);

/** Bytes starling_tuner_save() writes now; 0 when NULL or not ready. */
size_t starling_tuner_save_size(const starling_tuner* s);
/** Writes the state ("STUN" v2) to buf; *written (may be NULL) = its size.
 *  STARLING_INVALID_ARGUMENT (s or buf NULL), STARLING_NOT_READY,
 *  STARLING_CAPACITY_EXCEEDED (cap too small: nothing written),
 *  STARLING_CORRUPT, STARLING_OK. */
starling_status starling_tuner_save(const starling_tuner* s, uint8_t* buf, size_t cap, size_t* written);
/** The library entry behind starling_tuner_load() (capacities explicit). */
starling_status starling_tuner_load_capacity(starling_tuner* s, size_t size, int max_dims, int max_obs,
                                           const uint8_t* buf, size_t n);
/** Replaces *s's state by a saved one (exactly n bytes; *s need not be
 *  initialized). STARLING_INVALID_ARGUMENT (s or buf NULL), STARLING_CORRUPT
 *  (any check of the format or an invariant of
 *  starling_tuner_check_invariants() fails, or *s's header was overwritten),
 *  STARLING_CAPACITY_EXCEEDED (the state needs more room than *s has),
 *  STARLING_OK. On failure no byte of *s changes. */
static inline starling_status starling_tuner_load(starling_tuner* s, const uint8_t* buf, size_t n) {
  return starling_tuner_load_capacity(s, sizeof(starling_tuner), STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS, buf, n);
}
/** Checks every invariant a live run keeps, with the function load applies
 *  (the list: starling::Tuner::check_invariants). STARLING_OK, STARLING_CORRUPT,
 *  STARLING_NOT_READY before init, STARLING_INVALID_ARGUMENT if s is NULL. */
starling_status starling_tuner_check_invariants(const starling_tuner* s);
/** STARLING_TUNER_SIZE(max_dims, max_obs) computed by the library; 0 for capacities out of range. */
size_t starling_tuner_size(int max_dims, int max_obs);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* STARLING_STARLING_MODEL_H */
