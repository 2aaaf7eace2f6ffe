// SPDX-License-Identifier: MIT
// Golden trajectories of BayesOpt, Tuner and Bobyqa
// from their independent Python reference (tools/model_ref.py: float32/float64 emulated op by op, the
// deterministic exp/log of detail/det_math.hpp from tools/det_ref.py, its own
// Gaussian process, inner search, design and Nelder–Mead): the same hashes
// must come out on every target and port. The costs include NaN and +inf
// (failures), a flat function, observation buffers that fill up (the worst
// is replaced) and all three cost transforms.
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_model.h"
#include "trajectory_hash.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {

// tools/det_ref.py golden_cost in the optimizer's precision.
template <class Real>
Real golden_cost(const Real* x, int dims, long n, bool flat) {
  if (flat) return 1;
  if (n % 7 == 6) return std::numeric_limits<Real>::quiet_NaN();
  if (n % 11 == 10) return std::numeric_limits<Real>::infinity();
  Real s = 0;
  for (int d = 0; d < dims; ++d) {
    const Real e = x[d] - Real(0.25) * static_cast<Real>(d % 3);
    s = s + e * e * static_cast<Real>(d + 1);
  }
  return s;
}

int bayesopt_default_design_of(int dims, int cap) {
  const int n0 = detail::bayesopt_default_design(dims);
  return n0 > cap ? cap : n0;
}

template <class Opt, class Cfg, class Real>
void run(Opt& o, Cfg cfg, const golden_model::Case& c) {
  Real lo[4], hi[4];
  for (int d = 0; d < c.dims; ++d) {
    lo[d] = Real(-2.0 - d);
    hi[d] = Real(1.0 + 0.5 * d);
  }
  cfg.candidates = c.candidates;
  cfg.fit_evals = c.fit_evals;
  cfg.transform = static_cast<CostTransform>(c.transform);
  cfg.max_evals = c.max_evals;
  CHECK(o.init(lo, hi, c.dims, 0, cfg, c.seed) == Status::Ok);
  const int design = bayesopt_default_design_of(c.dims, c.cap);
  uint64_t h = kFnvOffset;
  long n = 0;
  bool first_ok = true;
  while (const Real* x = o.ask()) {
    if (n == design)
      for (int d = 0; d < c.dims; ++d) first_ok = first_ok && static_cast<double>(x[d]) == c.first_model[d];
    for (int d = 0; d < c.dims; ++d) h = fnv(h, x[d]);
    const Real cost = golden_cost(x, c.dims, n, c.flat);
    h = fnv(h, cost);
    (void)o.tell(cost);
    ++n;
  }
  // The first model-phase ask pins down the first fit and inner search even
  // when the later hash differs.
  if (!CHECK(first_ok)) std::printf("     case %s: first model ask\n", c.name);
  if (!CHECK_EQ(h, c.hash)) std::printf("     case %s\n", c.name);
  CHECK_EQ(o.evaluations(), c.evals);
  CHECK(static_cast<double>(o.best_value()) == c.best);
}

template <int Cap, class Real>
void bayesopt_case(const golden_model::Case& c) {
  static BayesOpt<4, Cap, Real> o;
  run<BayesOpt<4, Cap, Real>, BayesOptConfig, Real>(o, BayesOptConfig{}, c);
}

template <int Cap, class Real>
void tuner_case(const golden_model::Case& c) {
  static Tuner<4, Cap, Real> o;
  TunerConfig cfg;
  cfg.model_evals = c.model_evals;
  cfg.step = c.step;
  cfg.step_end = c.step_end;
  run<Tuner<4, Cap, Real>, TunerConfig, Real>(o, cfg, c);
}

template <class Real>
void one(const golden_model::Case& c) {
  switch (c.cap) {
    case 8: c.tuner ? tuner_case<8, Real>(c) : bayesopt_case<8, Real>(c); break;
    case 12: c.tuner ? tuner_case<12, Real>(c) : bayesopt_case<12, Real>(c); break;
    case 16: c.tuner ? tuner_case<16, Real>(c) : bayesopt_case<16, Real>(c); break;
    default: CHECK(false); break;
  }
}

template <class Real>
void bobyqa_case(const golden_model::BobyqaCase& c) {
  static Bobyqa<8, Real> o;
  Real lo[8], hi[8];
  for (int d = 0; d < c.dims; ++d) {
    lo[d] = Real(-2.0 - d);
    hi[d] = Real(1.0 + 0.5 * d);
  }
  BobyqaConfig cfg;
  cfg.rho_begin = c.rho_begin;
  cfg.max_evals = c.asks;
  CHECK(o.init(lo, hi, c.dims, 0, cfg, c.seed) == Status::Ok);
  uint64_t h = kFnvOffset;
  long n = 0;
  while (const Real* x = o.ask()) {
    for (int d = 0; d < c.dims; ++d) h = fnv(h, x[d]);
    const Real cost = golden_cost(x, c.dims, n, false);
    h = fnv(h, cost);
    (void)o.tell(cost);
    ++n;
  }
  CHECK_EQ(n, c.asks);
  if (!CHECK_EQ(h, c.hash)) std::printf("     case %s\n", c.name);
}

}  // namespace

// Bobyqa, 40·D asks per case: initial points, trust-region and geometry
// steps, base shifts, rebuilds, rho reductions and two restarts each.
TEST_CASE(bobyqa_golden_trajectories) {
  for (const auto& c : golden_model::kBobyqaCasees) {
    if (c.single)
      bobyqa_case<float>(c);
    else
      bobyqa_case<double>(c);
  }
}

TEST_CASE(model_golden_trajectories) {
  for (const auto& c : golden_model::kCases) {
    if (c.single)
      one<float>(c);
    else
      one<double>(c);
  }
}

int main() { return check::run_all(); }
