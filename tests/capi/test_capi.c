/* SPDX-License-Identifier: MIT */
/* tests/capi/test_capi.c: the C API (starling/starling.h), compiled as C99.
 *
 * Proves that the C API runs exactly the trajectory of the C++
 * starling::Pso<64, 64, float> (capi_ref.cpp) for the same seed and config,
 * and checks every failure mode: invalid inputs, NULL pointers, calls out of
 * order, a stopped optimizer, capacities, overwritten memory. Built three
 * times (meson.build) with different STARLING_MAX_DIMS/PARTICLES.
 *
 * Output: one "ok"/"FAIL" line a case, then "N passed, M failed" (checks,
 * as tests/check.hpp); the exit status is non-zero on any failure. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "capi_ref.h"
#include "starling/starling.h"

#include "check_c.h"

/* ---- helpers -------------------------------------------------------------- */
#define MIN_INT(a, b) ((a) < (b) ? (a) : (b))

static starling_pso g_pso; /* static storage: zeroed, the usual firmware placement */

static void config_from_case(const capi_case* c, starling_pso_config* cfg) {
  starling_pso_config_default(cfg);
  cfg->variant = c->variant;
  cfg->boundary = c->boundary;
  cfg->topology = c->topology;
  cfg->max_iter = c->max_iter;
  cfg->max_evals = c->max_evals;
  cfg->stall_iter = c->stall_iter;
  cfg->target = c->target;
  if (c->w != 0) cfg->w = c->w;
  if (c->w_end != 0) cfg->w_end = c->w_end;
  cfg->bias_correction = c->bias_correction;
  cfg->random_per_particle = c->random_per_particle;
}

/* Runs a case through the C API with ask/tell; the result as capi_ref_run's. */
static capi_result c_run(starling_pso* pso, const capi_case* c) {
  capi_result r;
  starling_pso_config cfg;
  float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS];
  const float* x;
  float best;
  uint64_t h = capi_hash_start();
  memset(&r, 0, sizeof r);
  config_from_case(c, &cfg);
  capi_bounds(c->dims, lo, hi);
  r.status = (int)starling_pso_init(pso, lo, hi, c->dims, c->particles, &cfg, c->seed);
  if (r.status != STARLING_OK) return r;
  while ((x = starling_pso_ask(pso)) != NULL) {
    const float f = capi_objective(x, c->dims);
    h = capi_hash_floats(h, x, c->dims);
    h = capi_hash_floats(h, &f, 1);
    if (starling_pso_tell(pso, f) != STARLING_OK) break;
  }
  r.trajectory = h;
  best = starling_pso_best_value(pso);
  r.best = capi_hash_floats(
      capi_hash_floats(capi_hash_start(), starling_pso_best_position(pso), c->dims), &best, 1);
  r.evaluations = starling_pso_evaluations(pso);
  r.iteration = starling_pso_iteration(pso);
  r.stop_reason = (int)starling_pso_stop_reason(pso);
  return r;
}

#define NINF (-(float)INFINITY)

/* The cases fit the smallest build (3 × 5) unless marked "full", which use
 * the whole capacity of the build (capped at the C++ reference's 64 × 64). */
static const capi_case k_cases[] = {
    {"empso_clamp_global", STARLING_VARIANT_EMPSO, STARLING_BOUNDARY_CLAMP,
     STARLING_TOPOLOGY_GLOBAL, 3, 5, 30, 0, 0, NINF, 0, 0, 0, 0, 7u},
    {"constriction_reflect_ring", STARLING_VARIANT_CONSTRICTION, STARLING_BOUNDARY_REFLECT,
     STARLING_TOPOLOGY_RING, 3, 4, 25, 0, 0, NINF, 0, 0, 0, 0, 123456789012345ull},
    {"inertia_random_max_evals", STARLING_VARIANT_INERTIA, STARLING_BOUNDARY_RANDOM,
     STARLING_TOPOLOGY_GLOBAL, 2, 5, 50, 37, 0, NINF, 0.9f, 0.4f, 0, 0, 99u},
    {"empso_bias_per_particle_stall", STARLING_VARIANT_EMPSO, STARLING_BOUNDARY_REFLECT,
     STARLING_TOPOLOGY_RING, 3, 5, 200, 0, 4, NINF, 0, 0, 1, 1, 0xfeedfacecafebeefull},
    {"constriction_target", STARLING_VARIANT_CONSTRICTION, STARLING_BOUNDARY_CLAMP,
     STARLING_TOPOLOGY_GLOBAL, 1, 5, 100, 0, 0, 1e-3f, 0, 0, 0, 0, 1u},
    {"full_empso", STARLING_VARIANT_EMPSO, STARLING_BOUNDARY_CLAMP, STARLING_TOPOLOGY_GLOBAL,
     MIN_INT(STARLING_MAX_DIMS, CAPI_REF_MAX_DIMS),
     MIN_INT(STARLING_MAX_PARTICLES, CAPI_REF_MAX_PARTICLES), 12, 0, 0, NINF, 0, 0, 0, 0, 42u},
    {"full_constriction_ring", STARLING_VARIANT_CONSTRICTION, STARLING_BOUNDARY_REFLECT,
     STARLING_TOPOLOGY_RING, MIN_INT(STARLING_MAX_DIMS, CAPI_REF_MAX_DIMS),
     MIN_INT(STARLING_MAX_PARTICLES, CAPI_REF_MAX_PARTICLES), 9, 0, 0, NINF, 0, 0, 0, 0, 5u},
};
#define N_CASES ((int)(sizeof k_cases / sizeof k_cases[0]))

static int case_fits(const capi_case* c) {
  return c->dims <= STARLING_MAX_DIMS && c->particles <= STARLING_MAX_PARTICLES;
}

/* A trivially good run to bring the optimizer to a known state. */
static starling_status init_small(starling_pso* pso, int max_iter) {
  starling_pso_config cfg;
  float lo[2], hi[2];
  starling_pso_config_default(&cfg);
  cfg.max_iter = max_iter;
  capi_bounds(2, lo, hi);
  return starling_pso_init(pso, lo, hi, MIN_INT(2, STARLING_MAX_DIMS), 4, &cfg, 3u);
}

/* ---- the cases ---------------------------------------------------------- */

static void test_sizes(void) {
  CHECK_EQ_INT(sizeof(starling_pso), STARLING_PSO_SIZE(STARLING_MAX_DIMS, STARLING_MAX_PARTICLES));
  CHECK_EQ_INT(sizeof(starling_pso), starling_pso_size(STARLING_MAX_DIMS, STARLING_MAX_PARTICLES));
  CHECK_EQ_INT(offsetof(starling_pso, storage_), 16);
  CHECK_EQ_INT(sizeof(starling_pso) % 8, 0);
  /* The documented formula: 16 + 312 + 4·(4·N·D + 2·N + 4·D) + 4·N, rounded to 8. */
  CHECK_EQ_INT(starling_pso_size(16, 32), 16 + 312 + 4 * (4 * 32 * 16 + 64 + 4 * 16) + 4 * 32);
  CHECK_EQ_INT(starling_pso_size(16, 32), 9160);
  CHECK_EQ_INT(starling_pso_size(1, 2), 16 + 312 + 4 * (8 + 4 + 4) + 8 + 0);
  CHECK_EQ_INT(starling_pso_size(1, 3), 16 + 312 + 4 * (12 + 6 + 4) + 12 + 4);
  CHECK_EQ_INT(starling_pso_size(0, 5), 0);
  CHECK_EQ_INT(starling_pso_size(3, 1), 0);
  CHECK_EQ_INT(starling_pso_size(-1, 5), 0);
  CHECK_EQ_INT(starling_pso_size(4096, 8192), 0); /* > 2^24 cells */
  CHECK(starling_pso_size(4096, 4096) > 0);
}

static void test_config_default(void) {
  starling_pso_config cfg;
  memset(&cfg, 0x5a, sizeof cfg);
  CHECK_EQ_INT(starling_pso_config_default(&cfg), STARLING_OK);
  CHECK_EQ_INT(cfg.variant, STARLING_VARIANT_CONSTRICTION);
  CHECK(cfg.w == 0.7298f);
  CHECK(cfg.c1 == 1.49618f && cfg.c2 == 1.49618f);
  CHECK(cfg.beta == 0.9f);
  CHECK(cfg.v_max == 0.25f);
  CHECK_EQ_INT(cfg.boundary, STARLING_BOUNDARY_CLAMP);
  CHECK_EQ_INT(cfg.topology, STARLING_TOPOLOGY_VON_NEUMANN);
  CHECK_EQ_INT(cfg.restart_stall, 60);
  CHECK(cfg.restart_radius == 0.1f);
  CHECK(cfg.stall_tol == 0.003f);
  CHECK_EQ_INT(cfg.restart_rehits, 15);
  CHECK_EQ_INT(cfg.local_stall, 0);
  CHECK_EQ_INT(cfg.max_iter, 100);
  CHECK_EQ_INT(cfg.max_evals, 0);
  CHECK(isinf(cfg.target) && cfg.target < 0);
  CHECK_EQ_INT(cfg.stall_iter, 0);
  CHECK(cfg.w_end == 0.7298f);
  CHECK_EQ_INT(cfg.bias_correction, 0);
  CHECK_EQ_INT(cfg.random_per_particle, 0);
  CHECK_EQ_INT(starling_pso_config_default(NULL), STARLING_INVALID_ARGUMENT);
}

/* The heart of it: the same trajectory, bit for bit, as the C++ optimizer. */
static void test_same_trajectory_as_cpp(void) {
  int i, ran = 0;
  for (i = 0; i < N_CASES; ++i) {
    const capi_case* c = &k_cases[i];
    capi_result rc, rr;
    if (!case_fits(c)) continue;
    ++ran;
    rc = c_run(&g_pso, c);
    rr = capi_ref_run(c);
    g_case = c->name;
    CHECK_EQ_INT(rc.status, STARLING_OK);
    CHECK_EQ_INT(rr.status, 0);
    CHECK(rc.trajectory == rr.trajectory);
    CHECK(rc.best == rr.best);
    CHECK_EQ_INT(rc.evaluations, rr.evaluations);
    CHECK_EQ_INT(rc.iteration, rr.iteration);
    CHECK_EQ_INT(rc.stop_reason, rr.stop_reason);
    CHECK(rc.evaluations > 0);
  }
  g_case = "test_same_trajectory_as_cpp";
  CHECK(ran >= 2);
  /* Each stop reason is exercised by some case (with the big enough builds). */
  if (case_fits(&k_cases[2])) {
    capi_result r = c_run(&g_pso, &k_cases[2]);
    CHECK_EQ_INT(r.stop_reason, STARLING_STOP_MAX_EVALS);
    CHECK_EQ_INT(r.evaluations, 37);
  }
  if (case_fits(&k_cases[0])) {
    capi_result r = c_run(&g_pso, &k_cases[0]);
    CHECK_EQ_INT(r.stop_reason, STARLING_STOP_MAX_ITER);
    CHECK_EQ_INT(r.evaluations, 30 * 5);
  }
}

/* A different seed gives a different trajectory (the hash is not vacuous). */
static void test_seed_matters(void) {
  capi_case c = k_cases[0];
  capi_result a, b;
  c.dims = MIN_INT(c.dims, STARLING_MAX_DIMS);
  c.particles = MIN_INT(c.particles, STARLING_MAX_PARTICLES);
  a = c_run(&g_pso, &c);
  c.seed += 1;
  b = c_run(&g_pso, &c);
  CHECK(a.trajectory != b.trajectory);
}

typedef struct hash_user {
  uint64_t h;
  long calls;
} hash_user;

static float hashing_cost(const float* x, int dims, void* user) {
  hash_user* u = (hash_user*)user;
  const float f = capi_objective(x, dims);
  if (u == NULL) return f; /* the not-ready checks pass NULL; never called there */
  u->h = capi_hash_floats(u->h, x, dims);
  u->h = capi_hash_floats(u->h, &f, 1);
  ++u->calls;
  return f;
}

static void test_minimize_matches_ask_tell(void) {
  capi_case c = k_cases[0];
  capi_result r;
  starling_pso_config cfg;
  float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS];
  hash_user u;
  c.dims = MIN_INT(c.dims, STARLING_MAX_DIMS);
  c.particles = MIN_INT(c.particles, STARLING_MAX_PARTICLES);
  r = c_run(&g_pso, &c);
  config_from_case(&c, &cfg);
  capi_bounds(c.dims, lo, hi);
  CHECK_EQ_INT(starling_pso_init(&g_pso, lo, hi, c.dims, c.particles, &cfg, c.seed), STARLING_OK);
  u.h = capi_hash_start();
  u.calls = 0;
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, &u), STARLING_OK);
  CHECK(u.h == r.trajectory);
  CHECK_EQ_INT(u.calls, r.evaluations);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 1);
  /* Again on a stopped optimizer: Ok, no more calls. */
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, &u), STARLING_OK);
  CHECK_EQ_INT(u.calls, r.evaluations);
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, NULL, &u), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_minimize(NULL, hashing_cost, &u), STARLING_INVALID_ARGUMENT);
}

/* ---- the observer of starling_pso_minimize_observed ---------------------- */

typedef struct observer_user {
  hash_user cost;     /* the trajectory, as hashing_cost keeps it */
  uint64_t calls_hash;
  int calls;
  int stop_at;        /* return nonzero when iteration == stop_at (0: never) */
  int last_iteration; /* checks the calls' order */
  long last_evaluations;
  float last_best;
  int in_order;       /* 1 while every call had iteration + 1, more evaluations, best <= before */
} observer_user;

static float observed_cost(const float* x, int dims, void* user) {
  return hashing_cost(x, dims, &((observer_user*)user)->cost);
}

static int observer(float best, long evaluations, int iteration, void* user) {
  observer_user* u = (observer_user*)user;
  u->calls_hash = capi_hash_observation(u->calls_hash, best, evaluations, iteration);
  ++u->calls;
  if (iteration != u->last_iteration + 1 || evaluations <= u->last_evaluations ||
      !(best <= u->last_best))
    u->in_order = 0;
  u->last_iteration = iteration;
  u->last_evaluations = evaluations;
  u->last_best = best;
  return iteration == u->stop_at;
}

static void observer_user_init(observer_user* u, int stop_at) {
  memset(u, 0, sizeof *u);
  u->cost.h = capi_hash_start();
  u->calls_hash = capi_hash_start();
  u->stop_at = stop_at;
  u->last_best = (float)INFINITY;
  u->in_order = 1;
}

static starling_status init_case(starling_pso* pso, const capi_case* c) {
  starling_pso_config cfg;
  float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS];
  config_from_case(c, &cfg);
  capi_bounds(c->dims, lo, hi);
  return starling_pso_init(pso, lo, hi, c->dims, c->particles, &cfg, c->seed);
}

/* The observer sees exactly the calls of the C++ Pso::minimize observer. */
static void test_observer_matches_cpp(void) {
  int i;
  for (i = 0; i < N_CASES; ++i) {
    const capi_case* c = &k_cases[i];
    capi_observed ref;
    observer_user u;
    if (!case_fits(c)) continue;
    ref = capi_ref_observed(c);
    CHECK_EQ_INT(ref.status, STARLING_OK);
    CHECK_EQ_INT(init_case(&g_pso, c), STARLING_OK);
    observer_user_init(&u, 0);
    CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, observer, &u), STARLING_OK);
    CHECK_EQ_INT(u.calls, ref.calls);
    CHECK(u.calls_hash == ref.calls_hash);
    CHECK(u.cost.h == ref.trajectory);
    CHECK(u.in_order);
    CHECK(u.calls >= 1);
    /* One call per completed sweep, the last one included. */
    CHECK_EQ_INT(u.calls, starling_pso_iteration(&g_pso));
    CHECK_EQ_INT(starling_pso_done(&g_pso), 1);
  }
}

/* A nonzero answer stops the loop between two sweeps; the run continues
 * bit for bit when minimize is called again. */
static void test_observer_stops_and_resumes(void) {
  capi_case c = k_cases[0];
  observer_user whole, part;
  int particles;
  c.dims = MIN_INT(c.dims, STARLING_MAX_DIMS);
  c.particles = MIN_INT(c.particles, STARLING_MAX_PARTICLES);
  particles = c.particles;
  CHECK_EQ_INT(init_case(&g_pso, &c), STARLING_OK);
  observer_user_init(&whole, 0);
  CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, observer, &whole), STARLING_OK);

  CHECK_EQ_INT(init_case(&g_pso, &c), STARLING_OK);
  observer_user_init(&part, 3);
  CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, observer, &part), STARLING_OK);
  CHECK_EQ_INT(part.calls, 3);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 0);
  CHECK_EQ_INT(starling_pso_stop_reason(&g_pso), STARLING_STOP_NONE);
  CHECK_EQ_INT(starling_pso_iteration(&g_pso), 3);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 3L * particles);
  /* Continue with the same observer (stop_at already passed), then compare. */
  CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, observer, &part), STARLING_OK);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 1);
  CHECK(part.cost.h == whole.cost.h);
  CHECK(part.calls_hash == whole.calls_hash);
  CHECK_EQ_INT(part.calls, whole.calls);
  CHECK(part.in_order);

  /* Stopping at every sweep, resumed by ask/tell-free minimize calls. */
  CHECK_EQ_INT(init_case(&g_pso, &c), STARLING_OK);
  observer_user_init(&part, 0);
  while (!starling_pso_done(&g_pso)) {
    part.stop_at = part.last_iteration + 1;
    CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, observer, &part),
                 STARLING_OK);
  }
  CHECK(part.cost.h == whole.cost.h);
  CHECK_EQ_INT(part.calls, whole.calls);
}

static void test_observer_null_and_errors(void) {
  capi_case c = k_cases[0];
  observer_user u;
  hash_user plain;
  starling_pso fresh;
  c.dims = MIN_INT(c.dims, STARLING_MAX_DIMS);
  c.particles = MIN_INT(c.particles, STARLING_MAX_PARTICLES);
  /* A NULL observer is starling_pso_minimize. */
  CHECK_EQ_INT(init_case(&g_pso, &c), STARLING_OK);
  plain.h = capi_hash_start();
  plain.calls = 0;
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, &plain), STARLING_OK);
  CHECK_EQ_INT(init_case(&g_pso, &c), STARLING_OK);
  observer_user_init(&u, 0);
  CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, NULL, &u), STARLING_OK);
  CHECK(u.cost.h == plain.h);
  CHECK_EQ_INT(u.calls, 0);
  /* Already stopped: Ok, neither callback called. */
  observer_user_init(&u, 0);
  CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, observed_cost, observer, &u), STARLING_OK);
  CHECK_EQ_INT(u.calls, 0);
  CHECK_EQ_INT(u.cost.calls, 0);
  CHECK_EQ_INT(starling_pso_minimize_observed(NULL, observed_cost, observer, &u),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_minimize_observed(&g_pso, NULL, observer, &u),
               STARLING_INVALID_ARGUMENT);
  memset(&fresh, 0, sizeof fresh);
  CHECK_EQ_INT(starling_pso_minimize_observed(&fresh, observed_cost, observer, &u),
               STARLING_NOT_READY);
  CHECK_EQ_INT(u.calls, 0);
}

/* Batch ask/tell through C, costs told last-to-first, gives the serial
 * trajectory of every case (local topologies and restarts included). */
static float g_batch_x[STARLING_MAX_PARTICLES][STARLING_MAX_DIMS];
static void test_batch_matches_serial(void) {
  int i;
  for (i = 0; i < N_CASES; ++i) {
    capi_case c = k_cases[i];
    capi_result r;
    starling_pso_config cfg;
    float lo[STARLING_MAX_DIMS], hi[STARLING_MAX_DIMS];
    const float* xs[STARLING_MAX_PARTICLES];
    float costs[STARLING_MAX_PARTICLES];
    uint64_t h = capi_hash_start();
    int n, k;
    if (!case_fits(&c)) continue;
    r = c_run(&g_pso, &c);
    config_from_case(&c, &cfg);
    capi_bounds(c.dims, lo, hi);
    CHECK_EQ_INT(starling_pso_init(&g_pso, lo, hi, c.dims, c.particles, &cfg, c.seed), STARLING_OK);
    while ((n = starling_pso_ask_batch(&g_pso, xs, STARLING_MAX_PARTICLES)) > 0) {
      CHECK(starling_pso_ask(&g_pso) == NULL);
      CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_NOT_READY);
      const long e0 = starling_pso_evaluations(&g_pso);
      long used;
      for (k = 0; k < n; ++k) {
        costs[k] = capi_objective(xs[k], c.dims);
        memcpy(g_batch_x[k], xs[k], sizeof(float) * (size_t)c.dims);
      }
      CHECK_EQ_INT(starling_pso_tell_batch(&g_pso, n, 0.0f), STARLING_INVALID_ARGUMENT);
      for (k = n - 1; k >= 0; --k) {
        const starling_status st = starling_pso_tell_batch(&g_pso, k, costs[k]);
        CHECK(st == STARLING_OK);
        if (k > 0) CHECK_EQ_INT(starling_pso_tell_batch(&g_pso, k, costs[k]), STARLING_NOT_READY);
      }
      /* A serial run asks up to its stop only (a target reached at k). */
      used = starling_pso_evaluations(&g_pso) - e0;
      for (k = 0; k < (int)used; ++k) {
        h = capi_hash_floats(h, g_batch_x[k], c.dims);
        h = capi_hash_floats(h, &costs[k], 1);
      }
    }
    if (!CHECK(h == r.trajectory)) printf("     case %s\n", c.name);
    CHECK_EQ_INT(starling_pso_evaluations(&g_pso), r.evaluations);
  }
  CHECK_EQ_INT(starling_pso_ask_batch(NULL, NULL, 4), 0);
  CHECK_EQ_INT(starling_pso_tell_batch(NULL, 0, 1.0f), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_tell_batch(&g_pso, 0, 1.0f), STARLING_DONE);
}

/* Each row: one thing wrong with an otherwise valid init, and its status. */
typedef struct invalid_row {
  const char* what;
  int dims, particles;
  int bad_bound;           /* 0 none, 1 lo NULL, 2 hi NULL, 3 lo==hi, 4 lo>hi, 5 NaN, 6 inf,
                              7 range overflows, 8 range above FLT_MAX/32 */
  int bad_cfg;             /* 0 none, 1 cfg NULL, 2.. a field out of range */
  starling_status expect;
} invalid_row;

static void test_invalid_inputs(void) {
  static const invalid_row rows[] = {
      {"valid", 2, 4, 0, 0, STARLING_OK},
      {"dims 0", 0, 4, 0, 0, STARLING_INVALID_ARGUMENT},
      {"dims -1", -1, 4, 0, 0, STARLING_INVALID_ARGUMENT},
      {"particles 1", 2, 1, 0, 0, STARLING_INVALID_ARGUMENT},
      {"particles 0 (default size)", 2, 0, 0, 0, STARLING_OK},
      {"particles -2", 2, -2, 0, 0, STARLING_INVALID_ARGUMENT},
      {"dims > max", STARLING_MAX_DIMS + 1, 4, 0, 0, STARLING_CAPACITY_EXCEEDED},
      {"particles > max", 2, STARLING_MAX_PARTICLES + 1, 0, 0, STARLING_CAPACITY_EXCEEDED},
      {"lo NULL", 2, 4, 1, 0, STARLING_INVALID_ARGUMENT},
      {"hi NULL", 2, 4, 2, 0, STARLING_INVALID_ARGUMENT},
      {"lo == hi", 2, 4, 3, 0, STARLING_INVALID_ARGUMENT},
      {"lo > hi", 2, 4, 4, 0, STARLING_INVALID_ARGUMENT},
      {"NaN bound", 2, 4, 5, 0, STARLING_INVALID_ARGUMENT},
      {"inf bound", 2, 4, 6, 0, STARLING_INVALID_ARGUMENT},
      {"range overflows", 2, 4, 7, 0, STARLING_INVALID_ARGUMENT},
      {"range > FLT_MAX/32", 2, 4, 8, 0, STARLING_INVALID_ARGUMENT},
      {"cfg NULL", 2, 4, 0, 1, STARLING_INVALID_ARGUMENT},
      {"variant 4", 2, 4, 0, 2, STARLING_INVALID_ARGUMENT},
      {"variant -1", 2, 4, 0, 3, STARLING_INVALID_ARGUMENT},
      {"boundary 3", 2, 4, 0, 4, STARLING_INVALID_ARGUMENT},
      {"topology 4", 2, 4, 0, 5, STARLING_INVALID_ARGUMENT},
      {"w 1.5", 2, 4, 0, 6, STARLING_INVALID_ARGUMENT},
      {"c1 NaN", 2, 4, 0, 7, STARLING_INVALID_ARGUMENT},
      {"c2 -1", 2, 4, 0, 8, STARLING_INVALID_ARGUMENT},
      {"beta 1", 2, 4, 0, 9, STARLING_INVALID_ARGUMENT},
      {"v_max 0", 2, 4, 0, 10, STARLING_INVALID_ARGUMENT},
      {"v_max 1.5", 2, 4, 0, 11, STARLING_INVALID_ARGUMENT},
      {"max_iter 0", 2, 4, 0, 12, STARLING_INVALID_ARGUMENT},
      {"max_evals -1", 2, 4, 0, 13, STARLING_INVALID_ARGUMENT},
      {"target NaN", 2, 4, 0, 14, STARLING_INVALID_ARGUMENT},
      {"target +inf", 2, 4, 0, 15, STARLING_INVALID_ARGUMENT},
      {"stall_iter -1", 2, 4, 0, 16, STARLING_INVALID_ARGUMENT},
      {"w_end -2", 2, 4, 0, 17, STARLING_INVALID_ARGUMENT},
  };
  int i;
  for (i = 0; i < (int)(sizeof rows / sizeof rows[0]); ++i) {
    const invalid_row* r = &rows[i];
    float lo[STARLING_MAX_DIMS + 1], hi[STARLING_MAX_DIMS + 1];
    const float* plo = lo;
    const float* phi = hi;
    starling_pso_config cfg;
    const starling_pso_config* pcfg = &cfg;
    starling_status st;
    capi_bounds(STARLING_MAX_DIMS + 1, lo, hi);
    starling_pso_config_default(&cfg);
    switch (r->bad_bound) {
      case 1: plo = NULL; break;
      case 2: phi = NULL; break;
      case 3: lo[1] = hi[1]; break;
      case 4: lo[1] = hi[1] + 1.0f; break;
      case 5: lo[0] = (float)NAN; break;
      case 6: hi[1] = (float)INFINITY; break;
      case 7: lo[0] = -3e38f; hi[0] = 3e38f; break;
      case 8: lo[1] = -6e36f; hi[1] = 6e36f; break;
      default: break;
    }
    switch (r->bad_cfg) {
      case 1: pcfg = NULL; break;
      case 2: cfg.variant = 4; break;
      case 3: cfg.variant = -1; break;
      case 4: cfg.boundary = 3; break;
      case 5: cfg.topology = 4; break;
      case 6: cfg.w = 1.5f; break;
      case 7: cfg.c1 = (float)NAN; break;
      case 8: cfg.c2 = -1.0f; break;
      case 9: cfg.beta = 1.0f; break;
      case 10: cfg.v_max = 0.0f; break;
      case 11: cfg.v_max = 1.5f; break;
      case 12: cfg.max_iter = 0; break;
      case 13: cfg.max_evals = -1; break;
      case 14: cfg.target = (float)NAN; break;
      case 15: cfg.target = (float)INFINITY; break;
      case 16: cfg.stall_iter = -1; break;
      case 17: cfg.w_end = -2.0f; break;
      default: break;
    }
    /* Start from a running optimizer: a failed init must leave it not ready. */
    CHECK_EQ_INT(init_small(&g_pso, 10), STARLING_OK);
    CHECK(starling_pso_ask(&g_pso) != NULL);
    st = starling_pso_init(&g_pso, plo, phi, r->dims, r->particles, pcfg, 11u);
    if (!CHECK(st == r->expect)) printf("     row '%s': got %s\n", r->what, starling_status_name(st));
    if (r->expect != STARLING_OK) {
      CHECK(starling_pso_ask(&g_pso) == NULL);
      CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_NOT_READY);
      CHECK_EQ_INT(starling_pso_done(&g_pso), 1);
      CHECK(starling_pso_best_position(&g_pso) == NULL);
      CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 0);
      CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, NULL), STARLING_NOT_READY);
    } else {
      CHECK(starling_pso_ask(&g_pso) != NULL);
      CHECK_EQ_INT(starling_pso_done(&g_pso), 0);
    }
  }
}

static void test_null_handling(void) {
  float lo[2], hi[2];
  starling_pso_config cfg;
  capi_bounds(2, lo, hi);
  starling_pso_config_default(&cfg);
  CHECK_EQ_INT(starling_pso_init(NULL, lo, hi, 2, 4, &cfg, 1u), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_init_capacity(NULL, sizeof(starling_pso), 2, 4, lo, hi, 2, 4, &cfg, 1u),
               STARLING_INVALID_ARGUMENT);
  CHECK(starling_pso_ask(NULL) == NULL);
  CHECK_EQ_INT(starling_pso_tell(NULL, 1.0f), STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_done(NULL), 1);
  CHECK_EQ_INT(starling_pso_stop_reason(NULL), STARLING_STOP_NONE);
  CHECK(starling_pso_best_position(NULL) == NULL);
  CHECK(isinf(starling_pso_best_value(NULL)) && starling_pso_best_value(NULL) > 0);
  CHECK_EQ_INT(starling_pso_evaluations(NULL), 0);
  CHECK_EQ_INT(starling_pso_iteration(NULL), 0);
  CHECK_EQ_INT(starling_pso_dims(NULL), 0);
  CHECK_EQ_INT(starling_pso_particles(NULL), 0);
  CHECK_EQ_INT(starling_pso_minimize(NULL, hashing_cost, NULL), STARLING_INVALID_ARGUMENT);
}

static void check_not_ready(starling_pso* p) {
  CHECK(starling_pso_ask(p) == NULL);
  CHECK_EQ_INT(starling_pso_tell(p, 0.5f), STARLING_NOT_READY);
  CHECK_EQ_INT(starling_pso_done(p), 1);
  CHECK_EQ_INT(starling_pso_stop_reason(p), STARLING_STOP_NONE);
  CHECK(starling_pso_best_position(p) == NULL);
  CHECK(isinf(starling_pso_best_value(p)));
  CHECK_EQ_INT(starling_pso_evaluations(p), 0);
  CHECK_EQ_INT(starling_pso_iteration(p), 0);
  CHECK_EQ_INT(starling_pso_minimize(p, hashing_cost, NULL), STARLING_NOT_READY);
}

/* Never initialized: zeroed static memory, and stack garbage. */
static void test_uninitialized(void) {
  static starling_pso zeroed; /* never initialized */
  starling_pso garbage;       /* on the stack */
  check_not_ready(&zeroed);
  memset(&garbage, 0xa5, sizeof garbage);
  check_not_ready(&garbage);
  memset(&garbage, 0xff, sizeof garbage);
  check_not_ready(&garbage);
  /* And then a stack instance works like a static one. */
  CHECK_EQ_INT(init_small(&garbage, 3), STARLING_OK);
  CHECK(starling_pso_ask(&garbage) != NULL);
  CHECK_EQ_INT(starling_pso_dims(&garbage), MIN_INT(2, STARLING_MAX_DIMS));
  CHECK_EQ_INT(starling_pso_particles(&garbage), 4);
}

static void test_ask_twice_same(void) {
  const float *a, *b;
  float copy[2];
  CHECK_EQ_INT(init_small(&g_pso, 5), STARLING_OK);
  a = starling_pso_ask(&g_pso);
  CHECK(a != NULL);
  if (a == NULL) return;
  memcpy(copy, a, sizeof copy);
  b = starling_pso_ask(&g_pso);
  CHECK(a == b);
  CHECK(memcmp(copy, b, sizeof copy) == 0);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 0);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 2.0f), STARLING_OK);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 1);
  /* The told point is now the best. */
  CHECK(starling_pso_best_value(&g_pso) == 2.0f);
  CHECK(memcmp(starling_pso_best_position(&g_pso), copy, sizeof copy) == 0);
  /* Next particle. */
  b = starling_pso_ask(&g_pso);
  CHECK(b != NULL && b != a);
}

static void test_tell_without_ask(void) {
  CHECK_EQ_INT(init_small(&g_pso, 5), STARLING_OK);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_NOT_READY);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 0);
  CHECK(starling_pso_ask(&g_pso) != NULL);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_OK);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_NOT_READY);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 1);
}

static void test_done(void) {
  const float* x;
  int n = 0;
  CHECK_EQ_INT(init_small(&g_pso, 3), STARLING_OK);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 0);
  CHECK_EQ_INT(starling_pso_stop_reason(&g_pso), STARLING_STOP_NONE);
  while ((x = starling_pso_ask(&g_pso)) != NULL) {
    CHECK_EQ_INT(starling_pso_tell(&g_pso, capi_objective(x, 2)), STARLING_OK);
    ++n;
  }
  CHECK_EQ_INT(n, 3 * 4);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 1);
  CHECK_EQ_INT(starling_pso_stop_reason(&g_pso), STARLING_STOP_MAX_ITER);
  CHECK_EQ_INT(starling_pso_iteration(&g_pso), 3);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 12);
  CHECK(starling_pso_ask(&g_pso) == NULL);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_DONE);
  CHECK(starling_pso_best_position(&g_pso) != NULL);
  CHECK(isfinite(starling_pso_best_value(&g_pso)));
  /* init starts over. */
  CHECK_EQ_INT(init_small(&g_pso, 3), STARLING_OK);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 0);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 0);
  CHECK(starling_pso_best_position(&g_pso) == NULL);
}

/* NaN and inf costs are the worst; the best is still an evaluated point. */
static void test_nan_costs(void) {
  const float* x;
  float first[2];
  int n = 0;
  CHECK_EQ_INT(init_small(&g_pso, 2), STARLING_OK);
  while ((x = starling_pso_ask(&g_pso)) != NULL) {
    if (n == 0) memcpy(first, x, sizeof first);
    CHECK_EQ_INT(starling_pso_tell(&g_pso, (n & 1) ? (float)NAN : (float)INFINITY), STARLING_OK);
    ++n;
  }
  CHECK(isinf(starling_pso_best_value(&g_pso)));
  CHECK(starling_pso_best_position(&g_pso) != NULL);
  CHECK(memcmp(starling_pso_best_position(&g_pso), first, sizeof first) == 0);
}

/* The compile-time capacity is the limit; the library follows the caller's. */
static void test_capacity(void) {
  static float lo[STARLING_MAX_DIMS + 1], hi[STARLING_MAX_DIMS + 1];
  starling_pso_config cfg;
  const float* x;
  long n = 0;
  capi_bounds(STARLING_MAX_DIMS + 1, lo, hi);
  starling_pso_config_default(&cfg);
  cfg.max_iter = 2;
  CHECK_EQ_INT(starling_pso_init(&g_pso, lo, hi, STARLING_MAX_DIMS + 1, 2, &cfg, 1u),
               STARLING_CAPACITY_EXCEEDED);
  CHECK_EQ_INT(starling_pso_init(&g_pso, lo, hi, 1, STARLING_MAX_PARTICLES + 1, &cfg, 1u),
               STARLING_CAPACITY_EXCEEDED);
  /* Exactly full: every asked position is inside the box. */
  CHECK_EQ_INT(starling_pso_init(&g_pso, lo, hi, STARLING_MAX_DIMS, STARLING_MAX_PARTICLES, &cfg,
                                 1u),
               STARLING_OK);
  while ((x = starling_pso_ask(&g_pso)) != NULL) {
    int d, inside = 1;
    for (d = 0; d < STARLING_MAX_DIMS; ++d) inside &= x[d] >= lo[d] && x[d] <= hi[d];
    CHECK(inside);
    CHECK_EQ_INT(starling_pso_tell(&g_pso, capi_objective(x, STARLING_MAX_DIMS)), STARLING_OK);
    ++n;
  }
  CHECK_EQ_INT(n, 2L * STARLING_MAX_PARTICLES);
  /* The explicit entry checks the size it is given against the capacities. */
  CHECK_EQ_INT(starling_pso_init_capacity(&g_pso, sizeof g_pso, STARLING_MAX_DIMS + 1,
                                          STARLING_MAX_PARTICLES, lo, hi, 2, 4, &cfg, 1u),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_init_capacity(&g_pso, sizeof g_pso, 0, STARLING_MAX_PARTICLES, lo, hi,
                                          1, 4, &cfg, 1u),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_init_capacity(&g_pso, sizeof g_pso, 1, 1, lo, hi, 1, 1, &cfg, 1u),
               STARLING_INVALID_ARGUMENT);
  CHECK_EQ_INT(starling_pso_init_capacity(&g_pso, 8, 1, 2, lo, hi, 1, 2, &cfg, 1u),
               STARLING_INVALID_ARGUMENT);
  check_not_ready(&g_pso);
  /* Smaller capacities than the struct holds are fine (the size suffices). */
  CHECK_EQ_INT(starling_pso_init_capacity(&g_pso, sizeof g_pso, 1, 2, lo, hi, 1, 2, &cfg, 1u),
               STARLING_OK);
  CHECK(starling_pso_ask(&g_pso) != NULL);
}

/* Overwritten header: reported as CORRUPT, never an out-of-bounds access. */
static void test_corrupt_header(void) {
  CHECK_EQ_INT(init_small(&g_pso, 5), STARLING_OK);
  g_pso.max_dims_ = 100000;
  CHECK(starling_pso_ask(&g_pso) == NULL);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_CORRUPT);
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, NULL), STARLING_CORRUPT);
  CHECK_EQ_INT(starling_pso_done(&g_pso), 1);
  CHECK(starling_pso_best_position(&g_pso) == NULL);
  CHECK_EQ_INT(init_small(&g_pso, 5), STARLING_OK);
  g_pso.size_ = 16;
  CHECK(starling_pso_ask(&g_pso) == NULL);
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_CORRUPT);
  CHECK_EQ_INT(init_small(&g_pso, 5), STARLING_OK);
  g_pso.max_particles_ = 1;
  CHECK_EQ_INT(starling_pso_tell(&g_pso, 1.0f), STARLING_CORRUPT);
  /* A fresh init repairs it. */
  CHECK_EQ_INT(init_small(&g_pso, 5), STARLING_OK);
  CHECK(starling_pso_ask(&g_pso) != NULL);
}

/* The struct holds no pointers into itself: a copy continues independently
 * and gives the same trajectory as the original. */
static void test_copy_continues(void) {
  static starling_pso copy;
  const float* x;
  uint64_t ha = capi_hash_start(), hb = capi_hash_start();
  int i;
  CHECK_EQ_INT(init_small(&g_pso, 6), STARLING_OK);
  for (i = 0; i < 9; ++i) {
    x = starling_pso_ask(&g_pso);
    if (x == NULL) break;
    CHECK_EQ_INT(starling_pso_tell(&g_pso, capi_objective(x, 2)), STARLING_OK);
  }
  copy = g_pso;
  while ((x = starling_pso_ask(&g_pso)) != NULL) {
    const float f = capi_objective(x, 2);
    ha = capi_hash_floats(capi_hash_floats(ha, x, 2), &f, 1);
    (void)starling_pso_tell(&g_pso, f);
  }
  while ((x = starling_pso_ask(&copy)) != NULL) {
    const float f = capi_objective(x, 2);
    CHECK(x >= (const float*)(const void*)&copy && x < (const float*)(const void*)(&copy + 1));
    hb = capi_hash_floats(capi_hash_floats(hb, x, 2), &f, 1);
    (void)starling_pso_tell(&copy, f);
  }
  CHECK(ha == hb);
  CHECK_EQ_INT(starling_pso_evaluations(&copy), starling_pso_evaluations(&g_pso));
  CHECK(float_bits(starling_pso_best_value(&copy)) == float_bits(starling_pso_best_value(&g_pso)));
}

/* Re-initializing mid-run gives the trajectory of a fresh run. */
static void test_reinit_mid_run(void) {
  capi_case c = k_cases[1];
  capi_result fresh, again;
  const float* x;
  int i;
  c.dims = MIN_INT(c.dims, STARLING_MAX_DIMS);
  fresh = c_run(&g_pso, &c);
  CHECK_EQ_INT(init_small(&g_pso, 50), STARLING_OK);
  for (i = 0; i < 7; ++i) {
    x = starling_pso_ask(&g_pso);
    if (x != NULL) (void)starling_pso_tell(&g_pso, capi_objective(x, 2));
  }
  (void)starling_pso_ask(&g_pso); /* pending ask, then init */
  again = c_run(&g_pso, &c);
  CHECK(fresh.trajectory == again.trajectory);
  CHECK(fresh.best == again.best);
}

/* Issue 16: minimize with a batch open refuses (it used to return OK
 * without evaluating anything); check_invariants holds along a run, reports
 * NOT_READY before init, and a refused load changes no byte of a struct
 * that was never initialized. */
static void test_batch_minimize_and_invariants(void) {
  static starling_pso fresh;
  static unsigned char before[sizeof(starling_pso)];
  const float* xs[STARLING_MAX_PARTICLES];
  static uint8_t blob[4096];
  size_t n = 0;
  int k, b;
  CHECK_EQ_INT(starling_pso_check_invariants(NULL), STARLING_INVALID_ARGUMENT);
  memset(&fresh, 0x33, sizeof fresh);
  CHECK_EQ_INT(starling_pso_check_invariants(&fresh), STARLING_NOT_READY);
  CHECK_EQ_INT(init_small(&g_pso, 20), STARLING_OK);
  CHECK_EQ_INT(starling_pso_check_invariants(&g_pso), STARLING_OK);
  b = starling_pso_ask_batch(&g_pso, xs, STARLING_MAX_PARTICLES);
  CHECK(b >= 2);
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, NULL), STARLING_NOT_READY);
  CHECK_EQ_INT(starling_pso_evaluations(&g_pso), 0);
  CHECK_EQ_INT(starling_pso_check_invariants(&g_pso), STARLING_OK);
  CHECK(starling_pso_save_size(&g_pso) <= sizeof blob);
  CHECK_EQ_INT(starling_pso_save(&g_pso, blob, sizeof blob, &n), STARLING_OK);
  for (k = 0; k < b; ++k) CHECK_EQ_INT(starling_pso_tell_batch(&g_pso, k, capi_objective(xs[k], 2)), STARLING_OK);
  CHECK_EQ_INT(starling_pso_minimize(&g_pso, hashing_cost, NULL), STARLING_OK);
  CHECK_EQ_INT(starling_pso_check_invariants(&g_pso), STARLING_OK);
  blob[n / 2] ^= 1; /* breaks the CRC */
  memcpy(before, &fresh, sizeof fresh);
  CHECK_EQ_INT(starling_pso_load(&fresh, blob, n), STARLING_CORRUPT);
  CHECK(memcmp(before, &fresh, sizeof fresh) == 0);
  blob[n / 2] ^= 1;
  CHECK_EQ_INT(starling_pso_load(&fresh, blob, n), STARLING_OK);
  CHECK_EQ_INT(starling_pso_check_invariants(&fresh), STARLING_OK);
}

/* Issue 16: a trust radius of -0 is stored as 0 (equal settings save equal
 * bytes: load refuses a -0), and the C init refuses a denormal range and a
 * velocity limit that underflows. */
static void test_trust_zero_and_tiny_ranges(void) {
  static uint8_t pos[4096], neg[4096];
  size_t np = 0, nn = 0;
  starling_pso_config cfg;
  const float lo[2] = {0.0f, 0.0f}, denormal[2] = {1.4e-45f, 1.0f}, tiny[2] = {1e-10f, 1.0f};
  CHECK_EQ_INT(init_small(&g_pso, 20), STARLING_OK);
  CHECK_EQ_INT(starling_pso_set_trust_radius(&g_pso, 0.0f), STARLING_OK);
  CHECK(starling_pso_save_size(&g_pso) <= sizeof pos);
  CHECK_EQ_INT(starling_pso_save(&g_pso, pos, sizeof pos, &np), STARLING_OK);
  CHECK_EQ_INT(starling_pso_set_trust_radius(&g_pso, -0.0f), STARLING_OK);
  CHECK_EQ_INT(starling_pso_save(&g_pso, neg, sizeof neg, &nn), STARLING_OK);
  CHECK(np == nn && memcmp(pos, neg, np) == 0);
  starling_pso_config_default(&cfg);
  CHECK_EQ_INT(starling_pso_init(&g_pso, lo, denormal, 1, 2, &cfg, 1), STARLING_INVALID_ARGUMENT);
  cfg.v_max = 1e-30f;
  CHECK_EQ_INT(starling_pso_init(&g_pso, lo, tiny, 1, 2, &cfg, 1), STARLING_INVALID_ARGUMENT);
  CHECK(starling_pso_ask(&g_pso) == NULL);
}

static void test_status_name(void) {
  CHECK(strcmp(starling_status_name(STARLING_OK), "Ok") == 0);
  CHECK(strcmp(starling_status_name(STARLING_INVALID_ARGUMENT), "InvalidArgument") == 0);
  CHECK(strcmp(starling_status_name(STARLING_CAPACITY_EXCEEDED), "CapacityExceeded") == 0);
  CHECK(strcmp(starling_status_name(STARLING_NOT_READY), "NotReady") == 0);
  CHECK(strcmp(starling_status_name(STARLING_DONE), "Done") == 0);
  CHECK(strcmp(starling_status_name(STARLING_CORRUPT), "Corrupt") == 0);
  CHECK(strcmp(starling_status_name((starling_status)6), "Unknown") == 0);
  CHECK(strcmp(starling_status_name((starling_status)7), "Unknown") == 0);
}

int main(void) {
  printf("C API, STARLING_MAX_DIMS=%d STARLING_MAX_PARTICLES=%d, sizeof(starling_pso)=%lu\n",
         STARLING_MAX_DIMS, STARLING_MAX_PARTICLES, (unsigned long)sizeof(starling_pso));
  RUN(test_sizes);
  RUN(test_config_default);
  RUN(test_same_trajectory_as_cpp);
  RUN(test_seed_matters);
  RUN(test_minimize_matches_ask_tell);
  RUN(test_observer_matches_cpp);
  RUN(test_observer_stops_and_resumes);
  RUN(test_observer_null_and_errors);
  RUN(test_batch_matches_serial);
  RUN(test_invalid_inputs);
  RUN(test_null_handling);
  RUN(test_uninitialized);
  RUN(test_ask_twice_same);
  RUN(test_tell_without_ask);
  RUN(test_done);
  RUN(test_nan_costs);
  RUN(test_capacity);
  RUN(test_corrupt_header);
  RUN(test_copy_continues);
  RUN(test_reinit_mid_run);
  RUN(test_batch_minimize_and_invariants);
  RUN(test_trust_zero_and_tiny_ranges);
  RUN(test_status_name);
  return check_summary();
}
