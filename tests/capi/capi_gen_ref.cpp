// SPDX-License-Identifier: MIT
// tests/capi/capi_gen_ref.cpp: the C++ reference runs for test_capi_gen.c
// (see capi_gen_ref.h).
#include "capi_gen_ref.h"

#include "starling/cmaes.hpp"
#include "starling/starling.h"  // STARLING_MAX_POP, as the C test sees it
#include "starling/de.hpp"

namespace {

starling::DeConfig de_config(const gen_case* c) {
  starling::DeConfig k;
  if (c->variant == 1) {
    k.memory_size = 3;
    k.p_best = 0.2f;
    k.archive_rate = 0.f;
  }
  k.max_iter = c->max_iter;
  k.max_evals = c->max_evals;
  return k;
}
starling::CmaesConfig cmaes_config(const gen_case* c) {
  starling::CmaesConfig k;
  if (c->variant == 1) {
    k.form = starling::CmaesForm::Separable;
    k.ipop = false;
    k.sigma0 = 0.2f;
  }
  k.max_iter = c->max_iter;
  k.max_evals = c->max_evals;
  return k;
}

// Serial ask/tell: the C side's batch runs must give the same hash.
template <class Opt>
void finish(Opt& o, int dims, uint64_t h, capi_result* r) {
  while (const float* x = o.ask()) {
    const float f = capi_objective(x, dims);
    h = capi_hash_floats(h, x, dims);
    h = capi_hash_floats(h, &f, 1);
    (void)o.tell(f);
  }
  r->trajectory = h;
  const float best = o.best_value();
  r->best = capi_hash_floats(capi_hash_floats(capi_hash_start(), o.best_position(), dims), &best, 1);
  r->evaluations = o.evaluations();
  r->iteration = o.iteration();
  r->stop_reason = static_cast<int>(o.stop_reason());
}

template <class Opt, class Cfg>
capi_result run(Opt& o, const gen_case* c, const Cfg& cfg) {
  capi_result r{};
  float lo[CAPI_REF_MAX_DIMS], hi[CAPI_REF_MAX_DIMS];
  const int dims = c->dims > 0 && c->dims <= CAPI_REF_MAX_DIMS ? c->dims : 1;
  capi_bounds(dims, lo, hi);
  r.status = static_cast<int>(o.init(lo, hi, c->dims, c->population, cfg, c->seed));
  if (r.status != 0) return r;
  finish(o, dims, capi_hash_start(), &r);
  return r;
}

template <class Opt>
capi_result resume(Opt& o, const uint8_t* blob, size_t n) {
  capi_result r{};
  r.status = static_cast<int>(o.load(blob, n));
  if (r.status != 0) return r;
  finish(o, o.dims(), capi_hash_start(), &r);
  return r;
}

starling::De<CAPI_REF_MAX_DIMS, STARLING_MAX_POP> g_de;
starling::Cmaes<CAPI_REF_MAX_DIMS, STARLING_MAX_POP> g_cmaes;

}  // namespace

extern "C" {

capi_result capi_gen_ref_run(int which, const gen_case* c) {
  return which == GEN_DE ? run(g_de, c, de_config(c)) : run(g_cmaes, c, cmaes_config(c));
}

capi_result capi_gen_ref_resume(int which, const uint8_t* blob, size_t n) {
  return which == GEN_DE ? resume(g_de, blob, n) : resume(g_cmaes, blob, n);
}

}  // extern "C"
