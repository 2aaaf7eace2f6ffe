// SPDX-License-Identifier: MIT
// tests/capi/capi_ref.cpp: the C++ reference run for test_capi.c (see capi_ref.h).
#include "capi_ref.h"

#include <cstring>
#include <limits>

#include "starling/pso.hpp"

namespace {
starling::Pso<CAPI_REF_MAX_DIMS, CAPI_REF_MAX_PARTICLES, float> g_ref;

starling::PsoConfig ref_config(const capi_case* c) {
  starling::PsoConfig cfg;
  cfg.variant = static_cast<starling::Variant>(c->variant);
  cfg.boundary = static_cast<starling::Boundary>(c->boundary);
  cfg.topology = static_cast<starling::Topology>(c->topology);
  cfg.max_iter = c->max_iter;
  cfg.max_evals = c->max_evals;
  cfg.stall_iter = c->stall_iter;
  cfg.target = c->target;
  if (c->w != 0) cfg.w = c->w;
  if (c->w_end != 0) cfg.w_end = c->w_end;
  cfg.bias_correction = c->bias_correction != 0;
  cfg.random_per_particle = c->random_per_particle != 0;
  return cfg;
}
}  // namespace

extern "C" {

uint64_t capi_hash_start(void) { return 0xcbf29ce484222325ull; }

uint64_t capi_hash_floats(uint64_t h, const float* v, int n) {
  for (int i = 0; i < n; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], sizeof bits);
    for (int b = 0; b < 4; ++b) {
      h ^= (bits >> (8 * b)) & 0xffu;
      h *= 0x100000001b3ull;
    }
  }
  return h;
}

void capi_bounds(int dims, float* lo, float* hi) {
  for (int d = 0; d < dims; ++d) {
    lo[d] = -5.0f + static_cast<float>(d) / 4.0f;
    hi[d] = 5.0f + static_cast<float>(d) / 2.0f;
  }
}

float capi_objective(const float* x, int dims) {
  if (x[0] > 4.5f) return std::numeric_limits<float>::quiet_NaN();
  float f = 0;
  for (int d = 0; d < dims; ++d) {
    const float t = x[d] - 0.3f * static_cast<float>(d + 1);
    f += t * t;
  }
  if (dims > 1) f += 0.5f * x[0] * x[1];
  return f;
}

uint64_t capi_hash_observation(uint64_t h, float best, long evaluations, int iteration) {
  const float v[3] = {best, static_cast<float>(evaluations), static_cast<float>(iteration)};
  return capi_hash_floats(h, v, 3);
}


capi_observed capi_ref_observed(const capi_case* c) {
  capi_observed r{};
  float lo[CAPI_REF_MAX_DIMS], hi[CAPI_REF_MAX_DIMS];
  const int dims = c->dims > 0 && c->dims <= CAPI_REF_MAX_DIMS ? c->dims : 1;
  capi_bounds(dims, lo, hi);
  r.status = static_cast<int>(g_ref.init(lo, hi, c->dims, c->particles, ref_config(c), c->seed));
  if (r.status != 0) return r;
  uint64_t h = capi_hash_start(), calls = capi_hash_start();
  (void)g_ref.minimize(
      [&](const float* x, int d) {
        const float f = capi_objective(x, d);
        h = capi_hash_floats(capi_hash_floats(h, x, d), &f, 1);
        return f;
      },
      [&](float best, long evals, int iter) {
        calls = capi_hash_observation(calls, best, evals, iter);
        ++r.calls;
      });
  r.calls_hash = calls;
  r.trajectory = h;
  return r;
}

capi_result capi_ref_run(const capi_case* c) {
  starling::Pso<CAPI_REF_MAX_DIMS, CAPI_REF_MAX_PARTICLES, float>& pso = g_ref;
  capi_result r{};
  float lo[CAPI_REF_MAX_DIMS], hi[CAPI_REF_MAX_DIMS];
  const int dims = c->dims > 0 && c->dims <= CAPI_REF_MAX_DIMS ? c->dims : 1;
  capi_bounds(dims, lo, hi);
  const starling::PsoConfig cfg = ref_config(c);
  r.status = static_cast<int>(pso.init(lo, hi, c->dims, c->particles, cfg, c->seed));
  if (r.status != 0) return r;
  uint64_t h = capi_hash_start();
  while (const float* x = pso.ask()) {
    const float f = capi_objective(x, dims);
    h = capi_hash_floats(h, x, dims);
    h = capi_hash_floats(h, &f, 1);
    (void)pso.tell(f);
  }
  r.trajectory = h;
  const float best = pso.best_value();
  r.best = capi_hash_floats(capi_hash_floats(capi_hash_start(), pso.best_position(), dims), &best, 1);
  r.evaluations = pso.evaluations();
  r.iteration = pso.iteration();
  r.stop_reason = static_cast<int>(pso.stop_reason());
  return r;
}

}  // extern "C"
