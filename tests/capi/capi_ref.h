/* SPDX-License-Identifier: MIT */
/* tests/capi/capi_ref.h: the C++ side of the C API test. capi_ref.cpp runs
 * the C++ optimizer starling::Pso<64, 64, float> on a case and reduces its
 * whole trajectory (every asked position, every told cost) to a hash, so
 * test_capi.c can compare it with the trajectory of the C API. The case
 * struct, the bounds, the objective and the hash are shared by both sides so
 * that only the optimizer differs. */
#ifndef STARLING_TESTS_CAPI_REF_H
#define STARLING_TESTS_CAPI_REF_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAPI_REF_MAX_DIMS 64
#define CAPI_REF_MAX_PARTICLES 64

/* One optimizer run: the config fields the cases vary (the others keep the
 * documented defaults on both sides). Enum fields hold the C++ enum values. */
typedef struct capi_case {
  const char* name;
  int variant, boundary, topology;
  int dims, particles;
  int max_iter;
  long max_evals;
  int stall_iter;
  float target;        /* -inf = off */
  float w, w_end;      /* 0 = keep the default */
  int bias_correction, random_per_particle;
  uint64_t seed;
} capi_case;

typedef struct capi_result {
  int status;          /* of init */
  uint64_t trajectory; /* hash of every asked position and told cost, in order */
  uint64_t best;       /* hash of the best position and value */
  long evaluations;
  int iteration;
  int stop_reason;
} capi_result;

/* Runs `c` with starling::Pso<CAPI_REF_MAX_DIMS, CAPI_REF_MAX_PARTICLES>
 * (a different capacity from the C struct's on purpose). */
capi_result capi_ref_run(const capi_case* c);

/* The observer calls of starling::Pso::minimize(cost, observer) on a case:
 * how many, and a hash of each call's (best value, evaluations, iteration)
 * in order (capi_hash_observation); trajectory as in capi_result. */
typedef struct capi_observed {
  int status; /* of init */
  int calls;
  uint64_t calls_hash;
  uint64_t trajectory;
} capi_observed;
capi_observed capi_ref_observed(const capi_case* c);
uint64_t capi_hash_observation(uint64_t h, float best, long evaluations, int iteration);

/* The box of every case: lo[d] = -5 + d/4, hi[d] = 5 + d/2. */
void capi_bounds(int dims, float* lo, float* hi);
/* The objective: a shifted, coupled quadratic; NaN when x[0] > 4.5 so the
 * "NaN counts as worst" path is part of the trajectory. */
float capi_objective(const float* x, int dims);

/* FNV-1a 64 over the bit patterns of floats. */
uint64_t capi_hash_start(void);
uint64_t capi_hash_floats(uint64_t h, const float* v, int n);

#ifdef __cplusplus
}
#endif

#endif
