// SPDX-License-Identifier: MIT
// src/c_api_nelder_mead.cpp: the C API of NelderMead (starling/nelder_mead.h)
// over detail::NelderMeadCore<float>, laid out in the caller's struct:
// [core reserve][vertices (D+1)·D][costs D+1][centroid, reflected point,
// candidate, lo, hi, best: D each], D = the caller's capacity.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "c_api_family.hpp"
#include "starling/nelder_mead.hpp"

namespace {

struct NmTraits {
  using Core = starling::detail::NelderMeadCore<float>;
  using CStruct = starling_nelder_mead;
  using CConfig = starling_nelder_mead_config;
  using Config = starling::NelderMeadConfig;
  static constexpr uint32_t kMagic = 0x4E4D4331u;  // "NMC1"
  static constexpr size_t kCoreBytes = STARLING_NM_CORE_BYTES;
  static size_t floats(size_t d) { return (d + 1) * (d + 1) + 6 * d; }
  static Core::Arrays arrays(float* f, int d) {
    const size_t n = static_cast<size_t>(d);
    Core::Arrays a{};
    a.simplex = f;
    a.fv = a.simplex + (n + 1) * n;
    a.cen = a.fv + n + 1;
    a.xr = a.cen + n;
    a.x = a.xr + n;
    a.lo = a.x + n;
    a.hi = a.lo + n;
    a.best = a.hi + n;
    a.stride = d;
    a.max_dims = d;
    return a;
  }
  static const float* best(const float* f, int d) {
    const size_t n = static_cast<size_t>(d);
    return f + (n + 1) * (n + 1) + 5 * n;
  }
  static Config to_cpp(const CConfig& c) {
    Config k;
    k.max_iter = c.max_iter;
    k.max_evals = c.max_evals;
    k.target = c.target;
    k.stall_iter = c.stall_iter;
    k.step = c.step;
    k.adaptive = c.adaptive != 0;
    k.restart_tol = c.restart_tol;
    return k;
  }
  static void to_c(const Config& k, CConfig* c) {
    c->max_iter = k.max_iter;
    c->max_evals = k.max_evals;
    c->target = k.target;
    c->stall_iter = k.stall_iter;
    c->step = k.step;
    c->adaptive = k.adaptive ? 1 : 0;
    c->restart_tol = k.restart_tol;
  }
};
static_assert(sizeof(starling_nelder_mead) == STARLING_NM_SIZE(STARLING_MAX_DIMS), "STARLING_NM_SIZE");

}  // namespace

STARLING_C_FAMILY_DEFINE(nelder_mead, NmTraits)
