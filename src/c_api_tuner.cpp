// SPDX-License-Identifier: MIT
// src/c_api_tuner.cpp: the C API of Tuner (starling/starling_model.h) over
// detail::TunerCore<float>, laid out in the caller's starling_tuner.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "c_api_model.hpp"
#include "starling/tuner.hpp"

namespace {

using starling::TunerConfig;
using Core = starling::detail::TunerCore<float>;
using Gp = starling::detail::GpEngine<float>;

struct TunerTraits {
  using Struct = starling_tuner;
  using Core = ::Core;
  using CConfig = starling_tuner_config;
  using Config = TunerConfig;
  static constexpr uint32_t kMagic = 0x53545531u;  // "STU1"
  static constexpr size_t kCoreBytes = STARLING_TUNER_CORE_BYTES;
  static constexpr size_t required_size(long long d, long long n) {
    if (d < 1 || d > 1024 || n < 4 || n > 4096) return 0;
    const size_t ud = static_cast<size_t>(d), un = static_cast<size_t>(n);
    return STARLING_TUNER_SIZE(ud, un);
  }
  static Core::Arrays arrays(float* f, int d, int n) {
    Core::Arrays a{};
    float** vecs[8] = {&a.lo, &a.hi, &a.best, &a.x, &a.cand, &a.rlo, &a.rhi, &a.u};
    for (float** v : vecs) {
      *v = f;
      f += d;
    }
    a.s.v = f;
    f += (d + 1) * d;
    a.s.fv = f;
    f += d + 1;
    float** svecs[3] = {&a.s.c, &a.s.r, &a.s.y};
    for (float** v : svecs) {
      *v = f;
      f += d;
    }
    a.s.stride = d;
    a.g.t = f;
    f += n * d;
    float** gvecs[5] = {&a.g.y, &a.g.z, &a.g.alpha, &a.g.kv, &a.g.v};
    for (float** v : gvecs) {
      *v = f;
      f += n;
    }
    a.g.tri0 = f;
    f += n * (n + 1) / 2;
    a.g.tri1 = f;
    f += n * (n + 1) / 2;
    a.g.theta = f;
    f += d + 1;
    a.g.work = f;
    a.g.stride = d;
    a.g.cap = n;
    a.max_dims = d;
    return a;
  }
  static Config to_cpp(const CConfig& c) {
    Config k;
    k.candidates = c.candidates;
    k.fit_evals = c.fit_evals;
    k.transform = static_cast<starling::CostTransform>(c.transform);  // validate() rejects unknown values
    k.model_evals = c.model_evals;
    k.step = c.step;
    k.step_end = c.step_end;
    starling::capi::stop_rules_to_cpp(c, &k);
    return k;
  }
  static void from_cpp(const Config& k, CConfig* c) {
    c->candidates = k.candidates;
    c->fit_evals = k.fit_evals;
    c->transform = static_cast<int>(k.transform);
    c->model_evals = k.model_evals;
    c->step = k.step;
    c->step_end = k.step_end;
    starling::capi::stop_rules_from_cpp(k, c);
  }
  static bool fits(const Core& c, int, int n) { return c.observations() <= n && c.design() <= n; }
  static size_t save_size(const Core& c) { return Core::state_size(c.dims(), c.observations()); }
};

static_assert(sizeof(starling_tuner) == STARLING_TUNER_SIZE(STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS),
              "size");
static_assert(STARLING_TUNER_ARRAY_BYTES(3, 10) ==
                  sizeof(float) * (8 * 3 + 4 * 3 + 4 + 3 * 3 + 10 * 3 + 5 * 10 + 10 * 11 + 4 +
                                   Gp::kWorkD * 3 + 1),
              "array bytes");

}  // namespace

STARLING_MODEL_C_API(tuner, TunerTraits)
