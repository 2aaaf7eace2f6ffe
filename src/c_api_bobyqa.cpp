// SPDX-License-Identifier: MIT
// src/c_api_bobyqa.cpp: the C API of Bobyqa (starling/starling_model.h) over
// detail::BobyqaCore<float>, laid out in the caller's starling_bobyqa.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "c_api_model.hpp"
#include "starling/bobyqa.hpp"

namespace {

using starling::BobyqaConfig;
using Core = starling::detail::BobyqaCore<float>;
using Engine = starling::detail::BobyqaEngine<float>;

static_assert(STARLING_BOBYQA_RESTART_INCUMBENT == static_cast<int>(starling::BobyqaRestart::Incumbent), "restart");
static_assert(STARLING_BOBYQA_RESTART_RANDOM == static_cast<int>(starling::BobyqaRestart::Random), "restart");

struct BobyqaTraits {
  using Struct = starling_bobyqa;
  using Core = ::Core;
  using CConfig = starling_bobyqa_config;
  using Config = BobyqaConfig;
  static constexpr uint32_t kMagic = 0x53424F31u;  // "SBO1"
  static constexpr size_t kCoreBytes = STARLING_BOBYQA_CORE_BYTES;
  // The observation capacity does not apply (Bobyqa's points are 2d + 1).
  static constexpr size_t required_size(long long d, long long) {
    if (d < 1 || d > 1024) return 0;
    const size_t u = static_cast<size_t>(d);
    return STARLING_BOBYQA_SIZE(u);
  }
  static Core::Arrays arrays(float* f, int d, int) {
    const int m = 2 * d + 1, k = 3 * d + 2;
    Core::Arrays a{};
    float** vecs[16] = {&a.lo, &a.hi, &a.best, &a.x, &a.u, &a.e.ulo, &a.e.uhi, &a.e.xbase, &a.e.gopt,
                        &a.e.sl, &a.e.su, &a.e.xopt, &a.e.xnew, &a.e.d, &a.e.xalt, &a.e.cand};
    for (float** v : vecs) {
      *v = f;
      f += d;
    }
    a.e.xpt = f;
    f += m * d;
    a.e.fval = f;
    f += m;
    a.e.pq = f;
    f += m;
    a.e.hq = f;
    f += d * (d + 1) / 2;
    a.e.h = f;
    f += k * k;
    a.e.work = f;
    f += Engine::kWorkD * d + 2 * k + m;
    a.e.piv = reinterpret_cast<int32_t*>(f);
    a.e.stride = d;
    a.e.kstride = k;
    a.max_dims = d;
    a.max_points = m;
    return a;
  }
  static Config to_cpp(const CConfig& c) {
    Config k;
    k.rho_begin = c.rho_begin;
    k.rho_end = c.rho_end;
    k.restart = static_cast<starling::BobyqaRestart>(c.restart);  // validate() rejects unknown values
    starling::capi::stop_rules_to_cpp(c, &k);
    return k;
  }
  static void from_cpp(const Config& k, CConfig* c) {
    c->rho_begin = k.rho_begin;
    c->rho_end = k.rho_end;
    c->restart = static_cast<int>(k.restart);
    starling::capi::stop_rules_from_cpp(k, c);
  }
  static bool fits(const Core&, int, int) { return true; }  // points <= 2·dims + 1 always
  static size_t save_size(const Core& c) { return Core::state_size(c.dims(), c.points()); }
};

// The arrays end inside the storage (the formula of STARLING_BOBYQA_ARRAY_BYTES).
static_assert(STARLING_BOBYQA_ARRAY_BYTES(4) ==
                  sizeof(float) * (16 * 4 + 9 * 4 + 9 + 9 + 10 + 14 * 14 + Engine::kWorkD * 4 + 28 + 9) + 4 * 14,
              "array bytes");
static_assert(sizeof(starling_bobyqa) == STARLING_BOBYQA_SIZE(STARLING_MODEL_MAX_DIMS), "size");

}  // namespace

STARLING_MODEL_C_API(bobyqa, BobyqaTraits)
