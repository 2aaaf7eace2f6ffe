// SPDX-License-Identifier: MIT
// tests/capi/capi_family_ref.cpp: the C++ reference runs for
// test_capi_family.c (see capi_family_ref.h).
#include "capi_family_ref.h"

#include "starling/anneal.hpp"
#include "starling/nelder_mead.hpp"
#include "starling/spsa.hpp"

namespace {

starling::NelderMeadConfig nm_config(const fam_case* c) {
  starling::NelderMeadConfig k;
  if (c->variant == 1) {
    k.adaptive = false;
    k.restart_tol = 0.01f;
  }
  k.max_iter = c->max_iter;
  k.max_evals = c->max_evals;
  return k;
}
starling::SpsaConfig spsa_config(const fam_case* c) {
  starling::SpsaConfig k;
  if (c->variant == 1) {
    k.n_avg = 2;
    k.theta_every = 0;
  }
  k.max_iter = c->max_iter;
  k.max_evals = c->max_evals;
  return k;
}
starling::AnnealConfig anneal_config(const fam_case* c) {
  starling::AnnealConfig k;
  if (c->variant == 1) {
    k.local_sweeps = 0;
    k.accept = -2.f;
  }
  k.max_iter = c->max_iter;
  k.max_evals = c->max_evals;
  return k;
}

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
capi_result run(Opt& o, const fam_case* c, const Cfg& cfg) {
  capi_result r{};
  float lo[CAPI_REF_MAX_DIMS], hi[CAPI_REF_MAX_DIMS];
  const int dims = c->dims > 0 && c->dims <= CAPI_REF_MAX_DIMS ? c->dims : 1;
  capi_bounds(dims, lo, hi);
  r.status = static_cast<int>(o.init(lo, hi, c->dims, 0, cfg, c->seed));
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

starling::NelderMead<CAPI_REF_MAX_DIMS> g_nm;
starling::Spsa<CAPI_REF_MAX_DIMS> g_spsa;
starling::Anneal<CAPI_REF_MAX_DIMS> g_anneal;

}  // namespace

extern "C" {

capi_result capi_family_ref_run(int which, const fam_case* c) {
  switch (which) {
    case FAM_NELDER_MEAD: return run(g_nm, c, nm_config(c));
    case FAM_SPSA: return run(g_spsa, c, spsa_config(c));
    default: return run(g_anneal, c, anneal_config(c));
  }
}

capi_result capi_family_ref_resume(int which, const uint8_t* blob, size_t n) {
  switch (which) {
    case FAM_NELDER_MEAD: return resume(g_nm, blob, n);
    case FAM_SPSA: return resume(g_spsa, blob, n);
    default: return resume(g_anneal, blob, n);
  }
}

}  // extern "C"
