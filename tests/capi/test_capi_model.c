/* SPDX-License-Identifier: MIT */
/* tests/capi/test_capi_model.c: the C API of Bobyqa, BayesOpt and Tuner
 * (starling/starling_model.h), compiled as C99.
 *
 * Proves that each runs exactly the trajectory of its C++ class
 * (capi_model_ref.cpp, other capacities) and writes the same saved state
 * byte for byte, that a C++ state loads into the C struct and continues as
 * the C++ object does, and checks the failure modes: NULL, not ready,
 * invalid arguments, capacities, a refused load changing nothing. Built
 * twice (meson.build) with different STARLING_MODEL_MAX_DIMS/OBS.
 *
 * Output: one "ok"/"FAIL" line a case, then "N passed, M failed"; the exit
 * status is non-zero on any failure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi_model_ref.h"
#include "check_c.h"
#include "starling/starling.h"

#define MORE 5
#define DIMS (STARLING_MODEL_MAX_DIMS < 3 ? STARLING_MODEL_MAX_DIMS : 3)
/* While the model holds fewer observations than either capacity, the
 * trajectory does not depend on it. */
#define EVALS (STARLING_MODEL_MAX_OBS - 1 - MORE < 20 ? STARLING_MODEL_MAX_OBS - 1 - MORE : 20)
/* dims > the capacity is refused before the bounds are read: 16 suffice. */

static float g_xs[(EVALS + MORE) * DIMS], g_ref[(EVALS + MORE) * DIMS];
static uint8_t g_blob[65536], g_ref_blob[65536];
static const float g_lo[16] = {-1.f, -1.f, -1.f, -1.f, -1.f, -1.f, -1.f, -1.f, -1.f};
static const float g_hi[16] = {1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f, 1.f};

static void cheap_bobyqa(starling_bobyqa_config* c) { (void)c; }
static void cheap_bayesopt(starling_bayesopt_config* c) {
  c->candidates = 32;
  c->fit_evals = 8;
}
static void cheap_tuner(starling_tuner_config* c) {
  c->candidates = 32;
  c->fit_evals = 8;
}
static void bad_bobyqa(starling_bobyqa_config* c) { c->rho_begin = 0.5f; }
static void bad_bayesopt(starling_bayesopt_config* c) { c->transform = 3; }
static void bad_tuner(starling_tuner_config* c) { c->step = 0.f; }

static int feasible(const float* x, int dims, void* ctx) {
  (void)dims;
  (void)ctx;
  return x[0] < 0.5f;
}
static bool feasible_fn(const float* x, int dims, void* ctx) { return feasible(x, dims, ctx) != 0; }

/* The cases of one optimizer: name X, reference index W, its capacity
 * argument CAP (0 for Bobyqa). */
#define MODEL_CASES(X, W, CAP)                                                                        \
  static starling_##X g_##X, g_##X##_2;                                                               \
                                                                                                      \
  static void X##_null_and_not_ready(void) {                                                          \
    starling_##X##_config c;                                                                          \
    float x0[1] = {0.f};                                                                              \
    size_t w = 0;                                                                                     \
    CHECK(starling_##X##_config_default(NULL) == STARLING_INVALID_ARGUMENT);                          \
    CHECK(starling_##X##_config_default(&c) == STARLING_OK);                                          \
    CHECK(c.max_evals == 0 && isinf(c.target) && c.target < 0 && c.stall_iter == 0);                  \
    CHECK(starling_##X##_init(NULL, g_lo, g_hi, 1, 0, &c, 1) == STARLING_INVALID_ARGUMENT);           \
    CHECK(starling_##X##_ask(NULL) == NULL);                                                          \
    CHECK(starling_##X##_tell(NULL, 1.f) == STARLING_INVALID_ARGUMENT);                               \
    CHECK(starling_##X##_done(NULL) == 1);                                                            \
    CHECK(starling_##X##_stop_reason(NULL) == STARLING_STOP_NONE);                                    \
    CHECK(starling_##X##_best_position(NULL) == NULL);                                                \
    CHECK(isinf(starling_##X##_best_value(NULL)));                                                    \
    CHECK(starling_##X##_evaluations(NULL) == 0 && starling_##X##_iteration(NULL) == 0);             \
    CHECK(starling_##X##_dims(NULL) == 0 && starling_##X##_save_size(NULL) == 0);                    \
    CHECK(starling_##X##_minimize(NULL, capi_model_cost, NULL) == STARLING_INVALID_ARGUMENT);         \
    CHECK(starling_##X##_set_feasible(NULL, NULL, NULL, 8) == STARLING_INVALID_ARGUMENT);             \
    CHECK(starling_##X##_set_trust_radius(NULL, 0.1f) == STARLING_INVALID_ARGUMENT);                  \
    CHECK(starling_##X##_set_start(NULL, x0) == STARLING_INVALID_ARGUMENT);                           \
    CHECK(starling_##X##_save(NULL, g_blob, sizeof g_blob, &w) == STARLING_INVALID_ARGUMENT);         \
    CHECK(starling_##X##_load(NULL, g_blob, 10) == STARLING_INVALID_ARGUMENT);                        \
    CHECK(starling_##X##_check_invariants(NULL) == STARLING_INVALID_ARGUMENT);                        \
    /* zeroed static storage is not ready */                                                          \
    memset(&g_##X, 0, sizeof g_##X);                                                                  \
    CHECK(starling_##X##_ask(&g_##X) == NULL);                                                        \
    CHECK(starling_##X##_tell(&g_##X, 1.f) == STARLING_NOT_READY);                                    \
    CHECK(starling_##X##_done(&g_##X) == 1);                                                          \
    CHECK(starling_##X##_check_invariants(&g_##X) == STARLING_NOT_READY);                             \
    CHECK(starling_##X##_save(&g_##X, g_blob, sizeof g_blob, &w) == STARLING_NOT_READY);              \
    CHECK(starling_##X##_set_trust_radius(&g_##X, 0.1f) == STARLING_NOT_READY);                       \
    CHECK(starling_##X##_size(STARLING_MODEL_MAX_DIMS, CAP) == sizeof(starling_##X));                 \
    CHECK(starling_##X##_size(0, CAP) == 0);                                                          \
  }                                                                                                   \
                                                                                                      \
  static void X##_invalid_arguments(void) {                                                           \
    starling_##X##_config c;                                                                          \
    (void)starling_##X##_config_default(&c);                                                          \
    CHECK(starling_##X##_init(&g_##X, NULL, g_hi, DIMS, 0, &c, 1) == STARLING_INVALID_ARGUMENT);      \
    CHECK(starling_##X##_done(&g_##X) == 1);                                                          \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, 0, 0, &c, 1) == STARLING_INVALID_ARGUMENT);         \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, DIMS, 0, NULL, 1) == STARLING_INVALID_ARGUMENT);    \
    CHECK(starling_##X##_init(&g_##X, g_hi, g_lo, DIMS, 0, &c, 1) == STARLING_INVALID_ARGUMENT);      \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, STARLING_MODEL_MAX_DIMS + 1, 0, &c, 1) ==           \
          STARLING_CAPACITY_EXCEEDED);                                                                \
    CHECK(starling_##X##_init_capacity(&g_##X, sizeof g_##X - 8, STARLING_MODEL_MAX_DIMS, CAP,        \
                                       g_lo, g_hi, DIMS, 0, &c, 1) == STARLING_INVALID_ARGUMENT);     \
    bad_##X(&c);                                                                                      \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, DIMS, 0, &c, 1) == STARLING_INVALID_ARGUMENT);      \
    CHECK(starling_##X##_ask(&g_##X) == NULL);                                                        \
    (void)starling_##X##_config_default(&c);                                                          \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, DIMS, 0, &c, 1) == STARLING_OK);                    \
    CHECK(starling_##X##_set_trust_radius(&g_##X, 1.5f) == STARLING_INVALID_ARGUMENT);                \
    CHECK(starling_##X##_set_feasible(&g_##X, feasible_fn, NULL, 65) == STARLING_INVALID_ARGUMENT);   \
    CHECK(starling_##X##_set_start(&g_##X, NULL) == STARLING_INVALID_ARGUMENT);                       \
    CHECK(starling_##X##_tell(&g_##X, 1.f) == STARLING_NOT_READY);                                    \
    /* an overwritten header is reported, not used */                                                 \
    g_##X.max_dims_ = -3;                                                                             \
    CHECK(starling_##X##_tell(&g_##X, 1.f) == STARLING_CORRUPT);                                      \
    CHECK(starling_##X##_ask(&g_##X) == NULL);                                                        \
    CHECK(starling_##X##_check_invariants(&g_##X) == STARLING_CORRUPT);                               \
  }                                                                                                   \
                                                                                                      \
  static void X##_matches_cpp(void) {                                                                 \
    starling_##X##_config c;                                                                          \
    size_t n = 0, nref = 0;                                                                           \
    int k, d, same = 1;                                                                               \
    (void)starling_##X##_config_default(&c);                                                          \
    cheap_##X(&c);                                                                                    \
    CHECK(capi_model_ref_run(W, DIMS, 11, EVALS, g_ref, g_ref_blob, sizeof g_ref_blob, &nref) == 0); \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, DIMS, 0, &c, 11) == STARLING_OK);                   \
    for (k = 0; k < EVALS; ++k) {                                                                     \
      const float* x = starling_##X##_ask(&g_##X);                                                    \
      if (!CHECK(x != NULL)) return;                                                                  \
      for (d = 0; d < DIMS; ++d) g_xs[k * DIMS + d] = x[d];                                           \
      CHECK(starling_##X##_tell(&g_##X, capi_model_cost(x, DIMS, NULL)) == STARLING_OK);              \
      CHECK(starling_##X##_check_invariants(&g_##X) == STARLING_OK);                                  \
    }                                                                                                 \
    for (k = 0; k < EVALS * DIMS; ++k) same = same && memcmp(&g_xs[k], &g_ref[k], sizeof(float)) == 0; \
    CHECK(same);                                                                                      \
    CHECK(starling_##X##_ask(&g_##X) != NULL);                                                        \
    CHECK(starling_##X##_save_size(&g_##X) == nref);                                                  \
    CHECK(starling_##X##_save(&g_##X, g_blob, nref - 1, &n) == STARLING_CAPACITY_EXCEEDED);           \
    CHECK(starling_##X##_save(&g_##X, g_blob, sizeof g_blob, &n) == STARLING_OK);                     \
    CHECK(n == nref && memcmp(g_blob, g_ref_blob, n) == 0);                                           \
    CHECK(starling_##X##_evaluations(&g_##X) == EVALS && starling_##X##_iteration(&g_##X) == EVALS);  \
    CHECK(starling_##X##_dims(&g_##X) == DIMS && starling_##X##_done(&g_##X) == 0);                   \
    CHECK(starling_##X##_best_position(&g_##X) != NULL && starling_##X##_best_value(&g_##X) < 3.f);   \
  }                                                                                                   \
                                                                                                      \
  static void X##_loads_cpp_state(void) {                                                             \
    static unsigned char before[sizeof(starling_##X)];                                                \
    size_t nref = 0;                                                                                  \
    int k, d, same = 1;                                                                               \
    CHECK(capi_model_ref_run(W, DIMS, 12, EVALS, g_ref, g_ref_blob, sizeof g_ref_blob, &nref) == 0); \
    /* a damaged copy is refused and changes no byte of a never-ready struct */                       \
    memcpy(g_blob, g_ref_blob, nref);                                                                 \
    g_blob[nref / 2] ^= 0x10;                                                                         \
    memset(&g_##X##_2, 0x5A, sizeof g_##X##_2);                                                       \
    memcpy(before, &g_##X##_2, sizeof before);                                                        \
    CHECK(starling_##X##_load(&g_##X##_2, g_blob, nref) == STARLING_CORRUPT);                         \
    CHECK(memcmp(before, &g_##X##_2, sizeof before) == 0);                                            \
    CHECK(starling_##X##_load(&g_##X##_2, g_ref_blob, nref - 1) == STARLING_CORRUPT);                 \
    CHECK(starling_##X##_load(&g_##X##_2, g_ref_blob, nref) == STARLING_OK);                          \
    CHECK(starling_##X##_check_invariants(&g_##X##_2) == STARLING_OK);                                \
    CHECK(capi_model_ref_resume(W, g_ref_blob, nref, MORE, g_ref) == 0);                              \
    for (k = 0; k < MORE; ++k) {                                                                      \
      const float* x = starling_##X##_ask(&g_##X##_2);                                                \
      if (!CHECK(x != NULL)) return;                                                                  \
      for (d = 0; d < DIMS; ++d) same = same && memcmp(&x[d], &g_ref[k * DIMS + d], sizeof(float)) == 0; \
      CHECK(starling_##X##_tell(&g_##X##_2, capi_model_cost(x, DIMS, NULL)) == STARLING_OK);          \
    }                                                                                                 \
    CHECK(same);                                                                                      \
    /* into a ready struct: a damaged state changes nothing there either */                           \
    memcpy(before, &g_##X##_2, sizeof before);                                                        \
    CHECK(starling_##X##_load(&g_##X##_2, g_blob, nref) == STARLING_CORRUPT);                         \
    CHECK(memcmp(before, &g_##X##_2, sizeof before) == 0);                                            \
  }                                                                                                   \
                                                                                                      \
  static void X##_minimize_and_safe_tuning(void) {                                                    \
    starling_##X##_config c;                                                                          \
    const float start[3] = {0.25f, -0.5f, 0.125f};                                                    \
    const float* x;                                                                                   \
    (void)starling_##X##_config_default(&c);                                                          \
    cheap_##X(&c);                                                                                    \
    c.max_evals = 12;                                                                                 \
    CHECK(starling_##X##_init(&g_##X, g_lo, g_hi, DIMS, 0, &c, 3) == STARLING_OK);                    \
    CHECK(starling_##X##_set_trust_radius(&g_##X, 0.25f) == STARLING_OK);                             \
    CHECK(starling_##X##_set_feasible(&g_##X, feasible_fn, NULL, 8) == STARLING_OK);                  \
    CHECK(starling_##X##_set_start(&g_##X, start) == STARLING_OK);                                    \
    x = starling_##X##_ask(&g_##X);                                                                   \
    CHECK(x != NULL && memcmp(x, start, sizeof(float) * DIMS) == 0);                                  \
    CHECK(starling_##X##_set_start(&g_##X, start) == STARLING_NOT_READY);                             \
    CHECK(starling_##X##_minimize(&g_##X, capi_model_cost, NULL) == STARLING_OK);                     \
    CHECK(starling_##X##_done(&g_##X) == 1);                                                          \
    CHECK(starling_##X##_stop_reason(&g_##X) == STARLING_STOP_MAX_EVALS);                             \
    CHECK(starling_##X##_evaluations(&g_##X) == 12);                                                  \
    CHECK(starling_##X##_check_invariants(&g_##X) == STARLING_OK);                                    \
    x = starling_##X##_best_position(&g_##X);                                                         \
    CHECK(x != NULL && feasible(x, DIMS, NULL));                                                      \
    CHECK(starling_##X##_tell(&g_##X, 1.f) == STARLING_DONE);                                         \
    CHECK(starling_##X##_ask(&g_##X) == NULL);                                                        \
  }

MODEL_CASES(bobyqa, 0, 0)
MODEL_CASES(bayesopt, 1, STARLING_MODEL_MAX_OBS)
MODEL_CASES(tuner, 2, STARLING_MODEL_MAX_OBS)

int main(void) {
  RUN(bobyqa_null_and_not_ready);
  RUN(bobyqa_invalid_arguments);
  RUN(bobyqa_matches_cpp);
  RUN(bobyqa_loads_cpp_state);
  RUN(bobyqa_minimize_and_safe_tuning);
  RUN(bayesopt_null_and_not_ready);
  RUN(bayesopt_invalid_arguments);
  RUN(bayesopt_matches_cpp);
  RUN(bayesopt_loads_cpp_state);
  RUN(bayesopt_minimize_and_safe_tuning);
  RUN(tuner_null_and_not_ready);
  RUN(tuner_invalid_arguments);
  RUN(tuner_matches_cpp);
  RUN(tuner_loads_cpp_state);
  RUN(tuner_minimize_and_safe_tuning);
  return check_summary();
}
