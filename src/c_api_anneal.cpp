// SPDX-License-Identifier: MIT
// src/c_api_anneal.cpp: the C API of Anneal (starling/anneal.h) over
// detail::AnnealCore<float>, laid out in the caller's struct: [core reserve]
// [current, base, candidate, lo, hi, best: D each], D = the caller's capacity.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "c_api_family.hpp"
#include "starling/anneal.hpp"

namespace {

struct AnnealTraits {
  using Core = starling::detail::AnnealCore<float>;
  using CStruct = starling_anneal;
  using CConfig = starling_anneal_config;
  using Config = starling::AnnealConfig;
  static constexpr uint32_t kMagic = 0x47534332u;  // "GSC2"
  static constexpr size_t kCoreBytes = STARLING_ANNEAL_CORE_BYTES;
  static size_t floats(size_t d) { return 6 * d; }
  static Core::Arrays arrays(float* f, int d) {
    const size_t n = static_cast<size_t>(d);
    Core::Arrays a{};
    a.current = f;
    a.base = f + n;
    a.x = f + 2 * n;
    a.lo = f + 3 * n;
    a.hi = f + 4 * n;
    a.best = f + 5 * n;
    a.stride = d;
    a.max_dims = d;
    return a;
  }
  static const float* best(const float* f, int d) { return f + 5 * static_cast<size_t>(d); }
  static Config to_cpp(const CConfig& c) {
    Config k;
    k.max_iter = c.max_iter;
    k.max_evals = c.max_evals;
    k.target = c.target;
    k.stall_iter = c.stall_iter;
    k.initial_temp = c.initial_temp;
    k.restart_temp_ratio = c.restart_temp_ratio;
    k.accept = c.accept;
    k.local_sweeps = c.local_sweeps;
    k.local_step = c.local_step;
    return k;
  }
  static void to_c(const Config& k, CConfig* c) {
    c->max_iter = k.max_iter;
    c->max_evals = k.max_evals;
    c->target = k.target;
    c->stall_iter = k.stall_iter;
    c->initial_temp = k.initial_temp;
    c->restart_temp_ratio = k.restart_temp_ratio;
    c->accept = k.accept;
    c->local_sweeps = k.local_sweeps;
    c->local_step = k.local_step;
  }
};
static_assert(sizeof(starling_anneal) == STARLING_ANNEAL_SIZE(STARLING_MAX_DIMS), "STARLING_ANNEAL_SIZE");

}  // namespace

STARLING_C_FAMILY_DEFINE(anneal, AnnealTraits)
