// SPDX-License-Identifier: MIT
// tests/capi/capi_model_ref.cpp: the C++ reference runs for test_capi_model.c
// (Bobyqa, BayesOpt and Tuner used directly, float, other capacities than
// the C structs' so that the capacity does not matter).
#include "capi_model_ref.h"

#include "starling/starling.hpp"

namespace {

template <class Opt>
int run(Opt& o, int evals, int dims, float* xs) {
  for (int k = 0; k < evals; ++k) {
    const float* x = o.ask();
    if (x == nullptr) return 1;
    for (int d = 0; d < dims; ++d) xs[k * dims + d] = x[d];
    if (o.tell(capi_model_cost(x, dims, nullptr)) != starling::Status::Ok) return 1;
  }
  return 0;
}

template <class Opt, class Cfg>
int ref(Opt& o, Cfg c, int dims, uint64_t seed, int evals, float* xs, uint8_t* blob, size_t cap,
        size_t* written) {
  float lo[8], hi[8];
  for (int d = 0; d < 8; ++d) {
    lo[d] = -1.f;
    hi[d] = 1.f;
  }
  if (o.init(lo, hi, dims, 0, c, seed) != starling::Status::Ok) return 1;
  if (run(o, evals, dims, xs) != 0 || o.ask() == nullptr) return 1;
  return o.save(blob, cap, written) == starling::Status::Ok ? 0 : 1;
}

template <class Cfg>
Cfg cheap(Cfg c) {
  c.candidates = 32;
  c.fit_evals = 8;
  return c;
}

starling::Bobyqa<6> g_bq;
starling::BayesOpt<6, 40> g_bo;
starling::Tuner<6, 40> g_tu;

}  // namespace

extern "C" float capi_model_cost(const float* x, int dims, void*) {
  float s = 0.f;
  for (int d = 0; d < dims; ++d) s += (x[d] - 0.3f) * (x[d] - 0.3f);
  return s;
}

extern "C" int capi_model_ref_run(int which, int dims, uint64_t seed, int evals, float* xs,
                                  uint8_t* blob, size_t cap, size_t* written) {
  switch (which) {
    case 0: return ref(g_bq, starling::BobyqaConfig{}, dims, seed, evals, xs, blob, cap, written);
    case 1: return ref(g_bo, cheap(starling::BayesOptConfig{}), dims, seed, evals, xs, blob, cap, written);
    default: return ref(g_tu, cheap(starling::TunerConfig{}), dims, seed, evals, xs, blob, cap, written);
  }
}

extern "C" int capi_model_ref_resume(int which, const uint8_t* blob, size_t size, int evals, float* xs) {
  starling::Status st;
  switch (which) {
    case 0:
      st = g_bq.load(blob, size);
      return st != starling::Status::Ok ? static_cast<int>(st) : run(g_bq, evals, g_bq.dims(), xs);
    case 1:
      st = g_bo.load(blob, size);
      return st != starling::Status::Ok ? static_cast<int>(st) : run(g_bo, evals, g_bo.dims(), xs);
    default:
      st = g_tu.load(blob, size);
      return st != starling::Status::Ok ? static_cast<int>(st) : run(g_tu, evals, g_tu.dims(), xs);
  }
}
