// SPDX-License-Identifier: MIT
// src/c_api_bayesopt.cpp: the C API of BayesOpt (starling/starling_model.h)
// over detail::BayesOptCore<float>, laid out in the caller's starling_bayesopt.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "c_api_model.hpp"
#include "starling/bayesopt.hpp"

namespace {

using starling::BayesOptConfig;
using Core = starling::detail::BayesOptCore<float>;
using Gp = starling::detail::GpEngine<float>;

static_assert(STARLING_TRANSFORM_AUTO == static_cast<int>(starling::CostTransform::Auto), "transform");
static_assert(STARLING_TRANSFORM_LOG == static_cast<int>(starling::CostTransform::Log), "transform");
static_assert(STARLING_TRANSFORM_IDENTITY == static_cast<int>(starling::CostTransform::Identity), "transform");

// The Gaussian process's arrays at f for capacities d, n; f advances past them.
inline Gp::Arrays gp_arrays(float*& f, int d, int n) {
  Gp::Arrays g{};
  g.t = f;
  f += n * d;
  float** vecs[5] = {&g.y, &g.z, &g.alpha, &g.kv, &g.v};
  for (float** v : vecs) {
    *v = f;
    f += n;
  }
  g.tri0 = f;
  f += n * (n + 1) / 2;
  g.tri1 = f;
  f += n * (n + 1) / 2;
  g.theta = f;
  f += d + 1;
  g.work = f;
  f += Gp::kWorkD * d + 1;
  g.stride = d;
  g.cap = n;
  return g;
}

struct BayesOptTraits {
  using Struct = starling_bayesopt;
  using Core = ::Core;
  using CConfig = starling_bayesopt_config;
  using Config = BayesOptConfig;
  static constexpr uint32_t kMagic = 0x53424131u;  // "SBA1"
  static constexpr size_t kCoreBytes = STARLING_BAYESOPT_CORE_BYTES;
  static constexpr size_t required_size(long long d, long long n) {
    if (d < 1 || d > 1024 || n < 4 || n > 4096) return 0;
    const size_t ud = static_cast<size_t>(d), un = static_cast<size_t>(n);
    return STARLING_BAYESOPT_SIZE(ud, un);
  }
  static Core::Arrays arrays(float* f, int d, int n) {
    Core::Arrays a{};
    float** vecs[7] = {&a.lo, &a.hi, &a.best, &a.x, &a.cand, &a.rlo, &a.rhi};
    for (float** v : vecs) {
      *v = f;
      f += d;
    }
    a.g = gp_arrays(f, d, n);
    a.max_dims = d;
    return a;
  }
  static Config to_cpp(const CConfig& c) {
    Config k;
    k.candidates = c.candidates;
    k.fit_evals = c.fit_evals;
    k.transform = static_cast<starling::CostTransform>(c.transform);  // validate() rejects unknown values
    starling::capi::stop_rules_to_cpp(c, &k);
    return k;
  }
  static void from_cpp(const Config& k, CConfig* c) {
    c->candidates = k.candidates;
    c->fit_evals = k.fit_evals;
    c->transform = static_cast<int>(k.transform);
    starling::capi::stop_rules_from_cpp(k, c);
  }
  static bool fits(const Core& c, int, int n) { return c.observations() <= n && c.design() <= n; }
  static size_t save_size(const Core& c) { return Core::state_size(c.dims(), c.observations()); }
};

static_assert(sizeof(starling_bayesopt) ==
                  STARLING_BAYESOPT_SIZE(STARLING_MODEL_MAX_DIMS, STARLING_MODEL_MAX_OBS),
              "size");
static_assert(STARLING_BAYESOPT_ARRAY_BYTES(3, 10) ==
                  sizeof(float) * (7 * 3 + 10 * 3 + 5 * 10 + 10 * 11 + 4 + Gp::kWorkD * 3 + 1),
              "array bytes");

}  // namespace

STARLING_MODEL_C_API(bayesopt, BayesOptTraits)
