// SPDX-License-Identifier: MIT
// src/c_api_spsa.cpp: the C API of Spsa (starling/spsa.h) over
// detail::SpsaCore<float>, laid out in the caller's struct: [core reserve]
// [θ, x+, x−, candidate, lo, hi, best: D each], D = the caller's capacity.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "c_api_family.hpp"
#include "starling/spsa.hpp"

namespace {

struct SpsaTraits {
  using Core = starling::detail::SpsaCore<float>;
  using CStruct = starling_spsa;
  using CConfig = starling_spsa_config;
  using Config = starling::SpsaConfig;
  static constexpr uint32_t kMagic = 0x53504332u;  // "SPC2"
  static constexpr size_t kCoreBytes = STARLING_SPSA_CORE_BYTES;
  static size_t floats(size_t d) { return 7 * d; }
  static Core::Arrays arrays(float* f, int d) {
    const size_t n = static_cast<size_t>(d);
    Core::Arrays a{};
    a.theta = f;
    a.xp = f + n;
    a.xm = f + 2 * n;
    a.x = f + 3 * n;
    a.lo = f + 4 * n;
    a.hi = f + 5 * n;
    a.best = f + 6 * n;
    a.stride = d;
    a.max_dims = d;
    return a;
  }
  static const float* best(const float* f, int d) { return f + 6 * static_cast<size_t>(d); }
  static Config to_cpp(const CConfig& c) {
    Config k;
    k.max_iter = c.max_iter;
    k.max_evals = c.max_evals;
    k.target = c.target;
    k.stall_iter = c.stall_iter;
    k.a = c.a;
    k.first_step = c.first_step;
    k.calibrate = c.calibrate;
    k.c = c.c;
    k.alpha = c.alpha;
    k.gamma = c.gamma;
    k.stability = c.stability;
    k.max_step = c.max_step;
    k.n_avg = c.n_avg;
    k.theta_every = c.theta_every;
    return k;
  }
  static void to_c(const Config& k, CConfig* c) {
    c->max_iter = k.max_iter;
    c->max_evals = k.max_evals;
    c->target = k.target;
    c->stall_iter = k.stall_iter;
    c->a = k.a;
    c->first_step = k.first_step;
    c->calibrate = k.calibrate;
    c->c = k.c;
    c->alpha = k.alpha;
    c->gamma = k.gamma;
    c->stability = k.stability;
    c->max_step = k.max_step;
    c->n_avg = k.n_avg;
    c->theta_every = k.theta_every;
  }
};
static_assert(sizeof(starling_spsa) == STARLING_SPSA_SIZE(STARLING_MAX_DIMS), "STARLING_SPSA_SIZE");

}  // namespace

STARLING_C_FAMILY_DEFINE(spsa, SpsaTraits)

extern "C" const float* starling_spsa_theta(const starling_spsa* sp) {
  return spsa_family::check(sp) == spsa_family::Check::Ready ? spsa_family::floats(sp) : nullptr;
}
