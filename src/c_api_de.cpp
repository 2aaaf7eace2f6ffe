// SPDX-License-Identifier: MIT
// src/c_api_de.cpp: the C API of De (starling/de.h) over the size-erased
// core detail::DeCore<float>, laid out in the caller's starling_de.
//
// Layout of starling_de.storage_ for capacities D, N stored in the header:
//   [0, STARLING_DE_CORE_BYTES)  the DeCore<float> object
//   then floats: x, u, arc [N][D]; f, fu, F, CR [N]; best, lo, hi [D];
//   then int32 order [N]
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/starling.h"

#include "c_api_generational.hpp"
#include "starling/de.hpp"

namespace {

struct DeTraits {
  // population 0: the default for dims and the budget, capped at max_pop.
  static int population(int n, int dims, const starling::DeConfig& k, int max_pop) {
    return starling::detail::de_population(n, dims, k.max_evals, max_pop);
  }
  using Core = starling::detail::DeCore<float>;
  using S = starling_de;
  static constexpr uint32_t kMagic = 0x53444531u;  // "SDE1"
  static constexpr size_t kCoreBytes = STARLING_DE_CORE_BYTES;
  static constexpr int kMinPop = 4;
  static size_t array_bytes(size_t d, size_t n) { return STARLING_DE_ARRAY_BYTES(d, n); }
  static Core::Arrays arrays(float* f, int d, int n) {
    const size_t cells = static_cast<size_t>(d) * static_cast<size_t>(n);
    Core::Arrays a{};
    a.x = f;
    a.u = a.x + cells;
    a.arc = a.u + cells;
    a.f = a.arc + cells;
    a.fu = a.f + n;
    a.F = a.fu + n;
    a.CR = a.F + n;
    a.best = a.CR + n;
    a.lo = a.best + d;
    a.hi = a.lo + d;
    a.order = reinterpret_cast<int32_t*>(a.hi + d);
    a.stride = d;
    a.max_dims = d;
    a.max_pop = n;
    return a;
  }
  static const float* best(const float* f, int d, int n) {
    return f + 3 * static_cast<size_t>(d) * static_cast<size_t>(n) + 4 * static_cast<size_t>(n);
  }
  static starling::DeConfig to_cpp(const starling_de_config& c) {
    starling::DeConfig k;
    k.max_iter = c.max_iter;
    k.max_evals = c.max_evals;
    k.target = c.target;
    k.stall_iter = c.stall_iter;
    k.memory_size = c.memory_size;
    k.p_best = c.p_best;
    k.archive_rate = c.archive_rate;
    k.reduce_population = c.reduce_population != 0;
    k.min_population = c.min_population;
    return k;
  }
};
using F = starling::capi::GenFamily<DeTraits>;
static_assert(STARLING_DE_ARRAY_BYTES(3, 5) ==
                  sizeof(float) * (3 * 15 + 4 * 5 + 3 * 3) + sizeof(int32_t) * 5,
              "STARLING_DE_ARRAY_BYTES is the layout above");
static_assert(sizeof(starling_de) == STARLING_DE_SIZE(STARLING_MAX_DIMS, STARLING_MAX_POP), "struct size");

}  // namespace

extern "C" {

starling_status starling_de_config_default(starling_de_config* cfg) {
  if (cfg == nullptr) return STARLING_INVALID_ARGUMENT;
  const starling::DeConfig k;
  cfg->max_iter = k.max_iter;
  cfg->max_evals = k.max_evals;
  cfg->target = k.target;
  cfg->stall_iter = k.stall_iter;
  cfg->memory_size = k.memory_size;
  cfg->p_best = k.p_best;
  cfg->archive_rate = k.archive_rate;
  cfg->reduce_population = k.reduce_population ? 1 : 0;
  cfg->min_population = k.min_population;
  return STARLING_OK;
}
starling_status starling_de_init_capacity(starling_de* de, size_t de_size, int max_dims, int max_pop,
                                          const float* lo, const float* hi, int dims, int population,
                                          const starling_de_config* cfg, uint64_t seed) {
  return F::init(de, de_size, max_dims, max_pop, lo, hi, dims, population, cfg, seed);
}
const float* starling_de_ask(starling_de* de) { return F::ask(de); }
starling_status starling_de_tell(starling_de* de, float cost) { return F::tell(de, cost); }
int starling_de_ask_batch(starling_de* de, const float** xs, int cap) { return F::ask_batch(de, xs, cap); }
starling_status starling_de_tell_batch(starling_de* de, int k, float cost) { return F::tell_batch(de, k, cost); }
int starling_de_done(const starling_de* de) { return F::done(de); }
starling_stop_reason starling_de_stop_reason(const starling_de* de) { return F::stop_reason(de); }
const float* starling_de_best_position(const starling_de* de) { return F::best_position(de); }
float starling_de_best_value(const starling_de* de) { return F::best_value(de); }
long starling_de_evaluations(const starling_de* de) { return F::evaluations(de); }
int starling_de_iteration(const starling_de* de) { return F::iteration(de); }
int starling_de_dims(const starling_de* de) { return F::dims(de); }
int starling_de_population(const starling_de* de) { return F::population(de); }
starling_status starling_de_minimize(starling_de* de, float (*cost)(const float* x, int dims, void* user),
                                     void* user) {
  return F::minimize(de, cost, user);
}
starling_status starling_de_set_feasible(starling_de* de, starling_feasible_fn pred, void* ctx, int max_tries) {
  return F::set_feasible(de, pred, ctx, max_tries);
}
starling_status starling_de_set_trust_radius(starling_de* de, float fraction) {
  return F::set_trust_radius(de, fraction);
}
starling_status starling_de_set_start(starling_de* de, const float* x) { return F::set_start(de, x); }
long starling_de_infeasible_count(const starling_de* de) { return F::infeasible_count(de); }
long starling_de_fallback_count(const starling_de* de) { return F::fallback_count(de); }
size_t starling_de_save_size(const starling_de* de) { return F::save_size(de); }
starling_status starling_de_save(const starling_de* de, uint8_t* buf, size_t cap, size_t* written) {
  return F::save(de, buf, cap, written);
}
starling_status starling_de_load_capacity(starling_de* de, size_t de_size, int max_dims, int max_pop,
                                          const uint8_t* buf, size_t size) {
  return F::load(de, de_size, max_dims, max_pop, buf, size);
}
starling_status starling_de_check_invariants(const starling_de* de) { return F::check_invariants(de); }
size_t starling_de_size(int max_dims, int max_pop) { return F::required_size(max_dims, max_pop); }

}  // extern "C"
