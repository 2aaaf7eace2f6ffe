// SPDX-License-Identifier: MIT
// src/c_api_cmaes.cpp: the C API of Cmaes (starling/cmaes.h) over the
// size-erased core detail::CmaesCore<float>, laid out in the caller's
// starling_cmaes.
//
// Layout of starling_cmaes.storage_ for capacities D, N stored in the header:
//   [0, STARLING_CMAES_CORE_BYTES)  the CmaesCore<float> object
//   then floats: x [N][D]; f [N]; c, b [D][D]; m, ps, pc, d, t1, t2, best,
//   lo, hi [D]; then int32 order [N]
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/starling.h"

#include "c_api_generational.hpp"
#include "starling/cmaes.hpp"

namespace {

struct CmaesTraits {
  // population 0: the default for dims, capped at max_pop.
  static int population(int n, int dims, const starling::CmaesConfig&, int max_pop) {
    return starling::detail::cmaes_population(n, dims, max_pop);
  }
  using Core = starling::detail::CmaesCore<float>;
  using S = starling_cmaes;
  static constexpr uint32_t kMagic = 0x53434D41u;  // "SCMA"
  static constexpr size_t kCoreBytes = STARLING_CMAES_CORE_BYTES;
  static constexpr int kMinPop = 4;
  static size_t array_bytes(size_t d, size_t n) { return STARLING_CMAES_ARRAY_BYTES(d, n); }
  static Core::Arrays arrays(float* f, int d, int n) {
    const size_t dd = static_cast<size_t>(d) * static_cast<size_t>(d);
    Core::Arrays a{};
    a.x = f;
    a.f = a.x + static_cast<size_t>(d) * static_cast<size_t>(n);
    a.c = a.f + n;
    a.b = a.c + dd;
    a.m = a.b + dd;
    a.ps = a.m + d;
    a.pc = a.ps + d;
    a.d = a.pc + d;
    a.t1 = a.d + d;
    a.t2 = a.t1 + d;
    a.best = a.t2 + d;
    a.lo = a.best + d;
    a.hi = a.lo + d;
    a.order = reinterpret_cast<int32_t*>(a.hi + d);
    a.stride = d;
    a.max_dims = d;
    a.max_pop = n;
    return a;
  }
  static const float* best(const float* f, int d, int n) {
    const size_t sd = static_cast<size_t>(d);
    return f + sd * static_cast<size_t>(n) + static_cast<size_t>(n) + 2 * sd * sd + 6 * sd;
  }
  static starling::CmaesConfig to_cpp(const starling_cmaes_config& c) {
    starling::CmaesConfig k;
    k.max_iter = c.max_iter;
    k.max_evals = c.max_evals;
    k.target = c.target;
    k.stall_iter = c.stall_iter;
    k.sigma0 = c.sigma0;
    k.ipop = c.ipop != 0;
    k.form = static_cast<starling::CmaesForm>(c.form);  // validate() rejects unknown values
    k.separable_above = c.separable_above;
    return k;
  }
};
using F = starling::capi::GenFamily<CmaesTraits>;
static_assert(STARLING_CMAES_ARRAY_BYTES(3, 5) ==
                  sizeof(float) * (5 * 4 + 2 * 9 + 9 * 3) + sizeof(int32_t) * 5,
              "STARLING_CMAES_ARRAY_BYTES is the layout above");
static_assert(sizeof(starling_cmaes) == STARLING_CMAES_SIZE(STARLING_MAX_DIMS, STARLING_MAX_POP), "struct size");
static_assert(STARLING_CMAES_AUTO == static_cast<int>(starling::CmaesForm::Auto), "form");
static_assert(STARLING_CMAES_FULL == static_cast<int>(starling::CmaesForm::Full), "form");
static_assert(STARLING_CMAES_SEPARABLE == static_cast<int>(starling::CmaesForm::Separable), "form");

}  // namespace

extern "C" {

starling_status starling_cmaes_config_default(starling_cmaes_config* cfg) {
  if (cfg == nullptr) return STARLING_INVALID_ARGUMENT;
  const starling::CmaesConfig k;
  cfg->max_iter = k.max_iter;
  cfg->max_evals = k.max_evals;
  cfg->target = k.target;
  cfg->stall_iter = k.stall_iter;
  cfg->sigma0 = k.sigma0;
  cfg->ipop = k.ipop ? 1 : 0;
  cfg->form = static_cast<int>(k.form);
  cfg->separable_above = k.separable_above;
  return STARLING_OK;
}
starling_status starling_cmaes_init_capacity(starling_cmaes* es, size_t es_size, int max_dims, int max_pop,
                                          const float* lo, const float* hi, int dims, int population,
                                          const starling_cmaes_config* cfg, uint64_t seed) {
  return F::init(es, es_size, max_dims, max_pop, lo, hi, dims, population, cfg, seed);
}
const float* starling_cmaes_ask(starling_cmaes* es) { return F::ask(es); }
starling_status starling_cmaes_tell(starling_cmaes* es, float cost) { return F::tell(es, cost); }
int starling_cmaes_ask_batch(starling_cmaes* es, const float** xs, int cap) { return F::ask_batch(es, xs, cap); }
starling_status starling_cmaes_tell_batch(starling_cmaes* es, int k, float cost) { return F::tell_batch(es, k, cost); }
int starling_cmaes_done(const starling_cmaes* es) { return F::done(es); }
starling_stop_reason starling_cmaes_stop_reason(const starling_cmaes* es) { return F::stop_reason(es); }
const float* starling_cmaes_best_position(const starling_cmaes* es) { return F::best_position(es); }
float starling_cmaes_best_value(const starling_cmaes* es) { return F::best_value(es); }
long starling_cmaes_evaluations(const starling_cmaes* es) { return F::evaluations(es); }
int starling_cmaes_iteration(const starling_cmaes* es) { return F::iteration(es); }
int starling_cmaes_dims(const starling_cmaes* es) { return F::dims(es); }
int starling_cmaes_population(const starling_cmaes* es) { return F::population(es); }
int starling_cmaes_restarts(const starling_cmaes* es) {
  return F::check(es) == F::Check::Ready ? F::core(es)->restarts() : 0;
}
starling_status starling_cmaes_minimize(starling_cmaes* es, float (*cost)(const float* x, int dims, void* user),
                                     void* user) {
  return F::minimize(es, cost, user);
}
starling_status starling_cmaes_set_feasible(starling_cmaes* es, starling_feasible_fn pred, void* ctx, int max_tries) {
  return F::set_feasible(es, pred, ctx, max_tries);
}
starling_status starling_cmaes_set_trust_radius(starling_cmaes* es, float fraction) {
  return F::set_trust_radius(es, fraction);
}
starling_status starling_cmaes_set_start(starling_cmaes* es, const float* x) { return F::set_start(es, x); }
long starling_cmaes_infeasible_count(const starling_cmaes* es) { return F::infeasible_count(es); }
long starling_cmaes_fallback_count(const starling_cmaes* es) { return F::fallback_count(es); }
size_t starling_cmaes_save_size(const starling_cmaes* es) { return F::save_size(es); }
starling_status starling_cmaes_save(const starling_cmaes* es, uint8_t* buf, size_t cap, size_t* written) {
  return F::save(es, buf, cap, written);
}
starling_status starling_cmaes_load_capacity(starling_cmaes* es, size_t es_size, int max_dims, int max_pop,
                                          const uint8_t* buf, size_t size) {
  return F::load(es, es_size, max_dims, max_pop, buf, size);
}
starling_status starling_cmaes_check_invariants(const starling_cmaes* es) { return F::check_invariants(es); }
size_t starling_cmaes_size(int max_dims, int max_pop) { return F::required_size(max_dims, max_pop); }

}  // extern "C"
