/* SPDX-License-Identifier: MIT */
/* tests/capi/test_capi_family.c: the C API of NelderMead, Spsa and Anneal
 * (starling/nelder_mead.h, spsa.h, anneal.h), compiled as C99.
 *
 * For each optimizer: the same trajectory, bit for bit, as the C++ class
 * (capi_family_ref.cpp) for the same box, config and seed; a state saved by
 * the C API continues in C++ exactly as in C; every failure mode (NULL
 * pointers, use before init, a failed init, capacities, an overwritten
 * header, bad blobs); safe tuning. Built three times (meson.build) with
 * different STARLING_MAX_DIMS. One suite macro serves the three APIs, which
 * differ only in their prefix and config.
 *
 * Output: "ok"/"FAIL" a case, then "N passed, M failed"; non-zero exit on
 * failure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi_family_ref.h"
#include "check_c.h"
#include "starling/starling.h"

#define MIN_INT(a, b) ((a) < (b) ? (a) : (b))

static float cost_cb(const float* x, int dims, void* user) {
  (void)user;
  return capi_objective(x, dims);
}
static bool feasible_cb(const float* x, int dims, void* ctx) {
  (void)ctx;
  return dims < 2 || x[0] + x[1] < 3.0f;
}

static const fam_case k_cases[] = {
    {"default", 0, 3, 40, 0, 7u},
    {"variant", 1, 2, 60, 0, 123456789012345ull},
    {"max_evals", 0, 3, 1000, 53, 99u},
    {"one_dim", 1, 1, 80, 0, 1u},
    {"full", 0, MIN_INT(STARLING_MAX_DIMS, CAPI_REF_MAX_DIMS), 6, 0, 42u},
};
#define N_CASES ((int)(sizeof k_cases / sizeof k_cases[0]))

static uint8_t g_blob[65536];

/* The variant configs, as capi_family_ref.cpp sets them. */
static void nelder_mead_variant(starling_nelder_mead_config* c, int v) {
  if (v == 1) {
    c->adaptive = 0;
    c->restart_tol = 0.01f;
  }
}
static void spsa_variant(starling_spsa_config* c, int v) {
  if (v == 1) {
    c->n_avg = 2;
    c->theta_every = 0;
  }
}
static void anneal_variant(starling_anneal_config* c, int v) {
  if (v == 1) {
    c->local_sweeps = 0;
    c->accept = -2.f;
  }
}

/* One suite per optimizer: P the API prefix, S its struct, C its config,
 * W the reference's selector, SIZE its size macro. */
#define FAMILY_SUITE(P, S, C, W, SIZE)                                                          \
  static S g_##P, g_##P##_other;                                                                \
                                                                                                \
  static capi_result P##_c_run(S* o, const fam_case* c) {                                      \
    capi_result r;                                                                              \
    C cfg;                                                                                      \
    float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS], best;                                   \
    const float* x;                                                                             \
    uint64_t h = capi_hash_start();                                                             \
    memset(&r, 0, sizeof r);                                                                    \
    starling_##P##_config_default(&cfg);                                                        \
    P##_variant(&cfg, c->variant);                                                              \
    cfg.max_iter = c->max_iter;                                                                 \
    cfg.max_evals = c->max_evals;                                                               \
    capi_bounds(c->dims, lo, hi);                                                               \
    r.status = (int)starling_##P##_init(o, lo, hi, c->dims, &cfg, c->seed);                     \
    if (r.status != STARLING_OK) return r;                                                      \
    while ((x = starling_##P##_ask(o)) != NULL) {                                               \
      const float f = capi_objective(x, c->dims);                                               \
      h = capi_hash_floats(h, x, c->dims);                                                      \
      h = capi_hash_floats(h, &f, 1);                                                           \
      if (starling_##P##_tell(o, f) != STARLING_OK) break;                                      \
    }                                                                                           \
    r.trajectory = h;                                                                           \
    best = starling_##P##_best_value(o);                                                        \
    r.best = capi_hash_floats(                                                                  \
        capi_hash_floats(capi_hash_start(), starling_##P##_best_position(o), c->dims), &best, 1); \
    r.evaluations = starling_##P##_evaluations(o);                                              \
    r.iteration = starling_##P##_iteration(o);                                                  \
    r.stop_reason = (int)starling_##P##_stop_reason(o);                                         \
    return r;                                                                                   \
  }                                                                                             \
                                                                                                \
  static void P##_same_trajectory_as_cpp(void) {                                                \
    int i;                                                                                      \
    for (i = 0; i < N_CASES; ++i) {                                                             \
      const fam_case* c = &k_cases[i];                                                          \
      capi_result rc = P##_c_run(&g_##P, c), rr = capi_family_ref_run(W, c);                    \
      CHECK_EQ_INT(rc.status, STARLING_OK);                                                     \
      CHECK_EQ_INT(rr.status, 0);                                                               \
      if (!CHECK(rc.trajectory == rr.trajectory)) printf("     case %s\n", c->name);            \
      CHECK(rc.best == rr.best);                                                                \
      CHECK_EQ_INT(rc.evaluations, rr.evaluations);                                             \
      CHECK_EQ_INT(rc.iteration, rr.iteration);                                                 \
      CHECK_EQ_INT(rc.stop_reason, rr.stop_reason);                                             \
      CHECK(rc.evaluations > 0);                                                                \
    }                                                                                           \
  }                                                                                             \
                                                                                                \
  /* Saved mid-run (pending ask too) by C, continued by C and by C++. */                        \
  static void P##_save_continue_in_cpp(void) {                                                  \
    const fam_case c = {"save", 0, MIN_INT(3, STARLING_MAX_DIMS), 1000, 90, 5u};                \
    int stop;                                                                                   \
    for (stop = 0; stop < 60; stop += 17) {                                                     \
      C cfg;                                                                                    \
      float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS];                                       \
      size_t n = 0;                                                                             \
      uint64_t h = capi_hash_start();                                                           \
      const float* x;                                                                           \
      capi_result rr;                                                                           \
      starling_##P##_config_default(&cfg);                                                      \
      cfg.max_iter = c.max_iter;                                                                \
      cfg.max_evals = c.max_evals;                                                              \
      capi_bounds(c.dims, lo, hi);                                                              \
      CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, c.dims, &cfg, c.seed), STARLING_OK);     \
      while (starling_##P##_evaluations(&g_##P) < stop && (x = starling_##P##_ask(&g_##P)))      \
        (void)starling_##P##_tell(&g_##P, capi_objective(x, c.dims));                            \
      (void)starling_##P##_ask(&g_##P); /* pending */                                            \
      CHECK_EQ_INT(starling_##P##_save(&g_##P, g_blob, sizeof g_blob, &n), STARLING_OK);         \
      CHECK_EQ_INT(n, starling_##P##_save_size(&g_##P));                                        \
      rr = capi_family_ref_resume(W, g_blob, n);                                                \
      CHECK_EQ_INT(rr.status, 0);                                                               \
      /* The C struct loads it too (also one never initialized). */                             \
      memset(&g_##P##_other, 0, sizeof g_##P##_other);                                          \
      CHECK_EQ_INT(starling_##P##_load(&g_##P##_other, g_blob, n), STARLING_OK);                \
      while ((x = starling_##P##_ask(&g_##P))) {                                                \
        const float f = capi_objective(x, c.dims);                                              \
        h = capi_hash_floats(h, x, c.dims);                                                     \
        h = capi_hash_floats(h, &f, 1);                                                         \
        (void)starling_##P##_tell(&g_##P, f);                                                   \
      }                                                                                         \
      CHECK(h == rr.trajectory);                                                                \
      CHECK_EQ_INT(starling_##P##_evaluations(&g_##P), rr.evaluations);                         \
      CHECK_EQ_INT(starling_##P##_minimize(&g_##P##_other, cost_cb, NULL), STARLING_OK);        \
      CHECK_EQ_INT(starling_##P##_evaluations(&g_##P##_other), rr.evaluations);                 \
      CHECK(starling_##P##_best_value(&g_##P##_other) == starling_##P##_best_value(&g_##P));    \
      /* A flipped byte is refused; the struct is unchanged. */                                 \
      g_blob[n / 2] ^= 0x40;                                                                    \
      CHECK_EQ_INT(starling_##P##_load(&g_##P##_other, g_blob, n), STARLING_CORRUPT);           \
      CHECK_EQ_INT(starling_##P##_load(&g_##P##_other, g_blob, n - 1), STARLING_CORRUPT);       \
      CHECK_EQ_INT(starling_##P##_evaluations(&g_##P##_other), rr.evaluations);                 \
    }                                                                                           \
  }                                                                                             \
                                                                                                \
  static void P##_failure_modes(void) {                                                         \
    static S fresh; /* zeroed: never initialized */                                             \
    C cfg;                                                                                      \
    float lo[STARLING_MAX_DIMS + 1], hi[STARLING_MAX_DIMS + 1];                                 \
    const float nan_ = (float)NAN;                                                              \
    size_t n = 0;                                                                               \
    int d;                                                                                      \
    for (d = 0; d <= STARLING_MAX_DIMS; ++d) lo[d] = -1.0f, hi[d] = 1.0f;                      \
    CHECK_EQ_INT(sizeof(S), SIZE(STARLING_MAX_DIMS));                                           \
    CHECK_EQ_INT(sizeof(S), starling_##P##_size(STARLING_MAX_DIMS));                            \
    CHECK_EQ_INT(sizeof(S) % 8, 0);                                                             \
    CHECK_EQ_INT(starling_##P##_size(0), 0);                                                    \
    CHECK_EQ_INT(starling_##P##_size(4097), 0);                                                 \
    CHECK_EQ_INT(starling_##P##_config_default(NULL), STARLING_INVALID_ARGUMENT);               \
    starling_##P##_config_default(&cfg);                                                        \
    CHECK(isinf(cfg.target) && cfg.target < 0);                                                 \
    CHECK_EQ_INT(cfg.max_evals, 0);                                                             \
    /* Never initialized: not ready everywhere. */                                              \
    CHECK(starling_##P##_ask(&fresh) == NULL);                                                  \
    CHECK_EQ_INT(starling_##P##_tell(&fresh, 1.0f), STARLING_NOT_READY);                        \
    CHECK_EQ_INT(starling_##P##_done(&fresh), 1);                                               \
    CHECK_EQ_INT(starling_##P##_stop_reason(&fresh), STARLING_STOP_NONE);                       \
    CHECK(starling_##P##_best_position(&fresh) == NULL);                                        \
    CHECK(isinf(starling_##P##_best_value(&fresh)));                                            \
    CHECK_EQ_INT(starling_##P##_evaluations(&fresh), 0);                                        \
    CHECK_EQ_INT(starling_##P##_save_size(&fresh), 0);                                          \
    CHECK_EQ_INT(starling_##P##_save(&fresh, g_blob, sizeof g_blob, &n), STARLING_NOT_READY);   \
    CHECK_EQ_INT(starling_##P##_minimize(&fresh, cost_cb, NULL), STARLING_NOT_READY);           \
    CHECK_EQ_INT(starling_##P##_set_trust_radius(&fresh, 0.1f), STARLING_NOT_READY);            \
    /* NULL. */                                                                                 \
    CHECK(starling_##P##_ask(NULL) == NULL);                                                    \
    CHECK_EQ_INT(starling_##P##_tell(NULL, 1.0f), STARLING_INVALID_ARGUMENT);                   \
    CHECK_EQ_INT(starling_##P##_done(NULL), 1);                                                 \
    CHECK_EQ_INT(starling_##P##_dims(NULL), 0);                                                 \
    CHECK_EQ_INT(starling_##P##_init(NULL, lo, hi, 1, &cfg, 1), STARLING_INVALID_ARGUMENT);     \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, NULL, hi, 1, &cfg, 1), STARLING_INVALID_ARGUMENT); \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, 1, NULL, 1), STARLING_INVALID_ARGUMENT);   \
    CHECK(starling_##P##_ask(&g_##P) == NULL); /* a failed init: not ready */                   \
    CHECK_EQ_INT(starling_##P##_load(&g_##P, NULL, 8), STARLING_INVALID_ARGUMENT);              \
    CHECK_EQ_INT(starling_##P##_save(&g_##P, NULL, 8, &n), STARLING_INVALID_ARGUMENT);          \
    CHECK_EQ_INT(starling_##P##_minimize(&g_##P, NULL, NULL), STARLING_INVALID_ARGUMENT);       \
    /* Bad inputs. */                                                                           \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, 0, &cfg, 1), STARLING_INVALID_ARGUMENT);   \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, STARLING_MAX_DIMS + 1, &cfg, 1),           \
                 STARLING_CAPACITY_EXCEEDED);                                                   \
    lo[0] = nan_;                                                                               \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, 1, &cfg, 1), STARLING_INVALID_ARGUMENT);   \
    lo[0] = -1.0f;                                                                              \
    cfg.max_iter = 0;                                                                           \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, 1, &cfg, 1), STARLING_INVALID_ARGUMENT);   \
    cfg.max_iter = 50;                                                                          \
    cfg.target = nan_;                                                                          \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, 1, &cfg, 1), STARLING_INVALID_ARGUMENT);   \
    cfg.target = -(float)INFINITY;                                                              \
    CHECK_EQ_INT(starling_##P##_init_capacity(&g_##P, 8, STARLING_MAX_DIMS, lo, hi, 1, &cfg, 1), \
                 STARLING_INVALID_ARGUMENT);                                                    \
    CHECK_EQ_INT(starling_##P##_init_capacity(&g_##P, sizeof(S), 0, lo, hi, 1, &cfg, 1),         \
                 STARLING_INVALID_ARGUMENT);                                                    \
    /* Running: tell without ask, then the order of things. */                                  \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, 1, &cfg, 1), STARLING_OK);                 \
    CHECK_EQ_INT(starling_##P##_dims(&g_##P), 1);                                               \
    CHECK_EQ_INT(starling_##P##_tell(&g_##P, 1.0f), STARLING_NOT_READY);                        \
    CHECK(starling_##P##_ask(&g_##P) != NULL);                                                  \
    CHECK_EQ_INT(starling_##P##_set_start(&g_##P, lo), STARLING_NOT_READY); /* asked already */ \
    CHECK_EQ_INT(starling_##P##_tell(&g_##P, nan_), STARLING_OK);                               \
    CHECK_EQ_INT(starling_##P##_minimize(&g_##P, cost_cb, NULL), STARLING_OK);                  \
    CHECK_EQ_INT(starling_##P##_done(&g_##P), 1);                                               \
    CHECK_EQ_INT(starling_##P##_stop_reason(&g_##P), STARLING_STOP_MAX_ITER);                   \
    CHECK_EQ_INT(starling_##P##_tell(&g_##P, 1.0f), STARLING_DONE);                             \
    CHECK(starling_##P##_best_position(&g_##P) != NULL);                                        \
    CHECK_EQ_INT(starling_##P##_save(&g_##P, g_blob, 4, &n), STARLING_CAPACITY_EXCEEDED);       \
    /* An overwritten header is reported, not used. */                                          \
    g_##P.max_dims_ = 1 << 20;                                                                  \
    CHECK_EQ_INT(starling_##P##_tell(&g_##P, 1.0f), STARLING_CORRUPT);                          \
    CHECK(starling_##P##_ask(&g_##P) == NULL);                                                  \
    CHECK_EQ_INT(starling_##P##_load(&g_##P, g_blob, 100), STARLING_CORRUPT);                   \
    g_##P.max_dims_ = STARLING_MAX_DIMS;                                                        \
    CHECK_EQ_INT(starling_##P##_done(&g_##P), 1);                                               \
  }                                                                                             \
                                                                                                \
  /* Start point, trust radius and predicate through the C API. */                              \
  static void P##_safe_tuning(void) {                                                           \
    C cfg;                                                                                      \
    float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS], start[STARLING_MAX_DIMS];               \
    const int dims = MIN_INT(2, STARLING_MAX_DIMS);                                             \
    const float* x;                                                                             \
    long bad = 0, asks = 0;                                                                     \
    int d;                                                                                      \
    starling_##P##_config_default(&cfg);                                                        \
    cfg.max_iter = 1000;                                                                        \
    cfg.max_evals = 150;                                                                        \
    capi_bounds(dims, lo, hi);                                                                  \
    for (d = 0; d < dims; ++d) start[d] = -1.0f;                                                \
    CHECK_EQ_INT(starling_##P##_init(&g_##P, lo, hi, dims, &cfg, 9), STARLING_OK);              \
    CHECK_EQ_INT(starling_##P##_set_feasible(&g_##P, feasible_cb, NULL, 65),                    \
                 STARLING_INVALID_ARGUMENT);                                                    \
    CHECK_EQ_INT(starling_##P##_set_feasible(&g_##P, feasible_cb, NULL, 6), STARLING_OK);       \
    CHECK_EQ_INT(starling_##P##_set_trust_radius(&g_##P, 2.0f), STARLING_INVALID_ARGUMENT);     \
    CHECK_EQ_INT(starling_##P##_set_trust_radius(&g_##P, 0.2f), STARLING_OK);                   \
    CHECK_EQ_INT(starling_##P##_set_start(&g_##P, NULL), STARLING_INVALID_ARGUMENT);            \
    CHECK_EQ_INT(starling_##P##_set_start(&g_##P, start), STARLING_OK);                         \
    while ((x = starling_##P##_ask(&g_##P)) != NULL) {                                          \
      if (asks++ == 0)                                                                          \
        for (d = 0; d < dims; ++d) bad += x[d] != start[d];                                     \
      bad += !feasible_cb(x, dims, NULL);                                                       \
      (void)starling_##P##_tell(&g_##P, capi_objective(x, dims));                               \
    }                                                                                           \
    CHECK_EQ_INT(bad, 0);                                                                       \
    CHECK_EQ_INT(asks, 150);                                                                    \
    CHECK(starling_##P##_infeasible_count(&g_##P) >= starling_##P##_fallback_count(&g_##P));   \
  }

FAMILY_SUITE(nelder_mead, starling_nelder_mead, starling_nelder_mead_config, FAM_NELDER_MEAD, STARLING_NM_SIZE)
FAMILY_SUITE(spsa, starling_spsa, starling_spsa_config, FAM_SPSA, STARLING_SPSA_SIZE)
FAMILY_SUITE(anneal, starling_anneal, starling_anneal_config, FAM_ANNEAL, STARLING_ANNEAL_SIZE)

/* The documented sizes. */
static void sizes(void) {
  CHECK_EQ_INT(starling_nelder_mead_size(8), 16 + (256 + 4 * (81 + 48) + 7) / 8 * 8);
  CHECK_EQ_INT(starling_spsa_size(8), 16 + 256 + 4 * 56);
  CHECK_EQ_INT(starling_anneal_size(8), 16 + 288 + 4 * 48);
  CHECK_EQ_INT(starling_anneal_size(1), 16 + 288 + 4 * 6 + 0);
}

static void spsa_theta(void) {
  static starling_spsa fresh;
  starling_spsa_config cfg;
  float lo[1] = {-1.0f}, hi[1] = {1.0f};
  CHECK(starling_spsa_theta(&fresh) == NULL);
  CHECK(starling_spsa_theta(NULL) == NULL);
  starling_spsa_config_default(&cfg);
  CHECK_EQ_INT(cfg.theta_every, 1);
  CHECK_EQ_INT(starling_spsa_init(&g_spsa, lo, hi, 1, &cfg, 3), STARLING_OK);
  /* θ0 is the first point asked. */
  CHECK(starling_spsa_theta(&g_spsa) != NULL);
  CHECK(starling_spsa_ask(&g_spsa)[0] == starling_spsa_theta(&g_spsa)[0]);
}

int main(void) {
  RUN(sizes);
  RUN(nelder_mead_same_trajectory_as_cpp);
  RUN(nelder_mead_save_continue_in_cpp);
  RUN(nelder_mead_failure_modes);
  RUN(nelder_mead_safe_tuning);
  RUN(spsa_same_trajectory_as_cpp);
  RUN(spsa_save_continue_in_cpp);
  RUN(spsa_failure_modes);
  RUN(spsa_safe_tuning);
  RUN(spsa_theta);
  RUN(anneal_same_trajectory_as_cpp);
  RUN(anneal_save_continue_in_cpp);
  RUN(anneal_failure_modes);
  RUN(anneal_safe_tuning);
  return check_summary();
}
