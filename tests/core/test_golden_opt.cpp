// SPDX-License-Identifier: MIT
// Golden trajectories of De and Cmaes from their independent Python references
// (tools/de_ref.py, tools/cmaes_ref.py, float32/float64 emulated op by op over
// tools/det_ref.py): the same hashes must come out on every target and port.
// Also the deterministic math (detail/det_math.hpp) against <cmath>.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_cmaes.h"
#include "golden_de.h"
#include "trajectory_hash.hpp"
#include "starling/detail/det_math.hpp"
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

template <class Real>
uint64_t bits_of(Real v) {
  if (sizeof(Real) == 4) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return u;
  }
  uint64_t u;
  std::memcpy(&u, &v, 8);
  return u;
}

template <class Opt, class Real>
uint64_t drive(Opt& o, int dims, bool flat) {
  uint64_t h = kFnvOffset;
  long n = 0;
  while (const Real* x = o.ask()) {
    for (int d = 0; d < dims; ++d) h = fnv(h, x[d]);
    const Real c = golden_cost(x, dims, n, flat);
    h = fnv(h, c);
    (void)o.tell(c);
    ++n;
  }
  return h;
}

template <class Real>
void de_case(const golden_de::Case& c) {
  static De<16, 24, Real> o;
  Real lo[16], hi[16];
  for (int d = 0; d < c.dims; ++d) {
    lo[d] = Real(-2.0 - d);
    hi[d] = Real(1.0 + 0.5 * d);
  }
  DeConfig cfg;
  cfg.max_iter = c.max_iter;
  cfg.max_evals = c.max_evals;
  cfg.target = c.target;
  cfg.reduce_population = c.reduce;
  cfg.memory_size = c.memory_size;
  cfg.p_best = c.p_best;
  cfg.archive_rate = c.archive_rate;
  cfg.min_population = c.min_population;
  CHECK(o.init(lo, hi, c.dims, c.population, cfg, c.seed) == Status::Ok);
  const uint64_t h = drive<De<16, 24, Real>, Real>(o, c.dims, c.flat);
  if (!CHECK_EQ(h, c.hash)) std::printf("     case %s\n", c.name);
  CHECK_EQ(bits_of(o.best_value()), c.best_bits);
  CHECK_EQ(o.evaluations(), c.evals);
  CHECK_EQ(o.iteration(), c.iterations);
  CHECK_EQ(o.population(), c.final_population);
}

template <class Real>
void cmaes_case(const golden_cmaes::Case& c) {
  static Cmaes<12, 32, Real> o;
  Real lo[12], hi[12];
  for (int d = 0; d < c.dims; ++d) {
    lo[d] = Real(-2.0 - d);
    hi[d] = Real(1.0 + 0.5 * d);
  }
  CmaesConfig cfg;
  cfg.max_iter = c.max_iter;
  cfg.max_evals = c.max_evals;
  cfg.target = c.target;
  cfg.sigma0 = c.sigma0;
  cfg.ipop = c.ipop;
  cfg.form = static_cast<CmaesForm>(c.form);
  CHECK(o.init(lo, hi, c.dims, c.population, cfg, c.seed) == Status::Ok);
  const uint64_t h = drive<Cmaes<12, 32, Real>, Real>(o, c.dims, c.flat);
  if (!CHECK_EQ(h, c.hash)) std::printf("     case %s\n", c.name);
  CHECK_EQ(bits_of(o.best_value()), c.best_bits);
  CHECK_EQ(o.evaluations(), c.evals);
  CHECK_EQ(o.iteration(), c.iterations);
  CHECK_EQ(o.restarts(), c.restarts);
  CHECK_EQ(o.population(), c.final_population);
}

}  // namespace

TEST_CASE(cmaes_golden_trajectories) {
  for (const auto& c : golden_cmaes::kCases) {
    if (c.single)
      cmaes_case<float>(c);
    else
      cmaes_case<double>(c);
  }
}

TEST_CASE(de_golden_trajectories) {
  for (const auto& c : golden_de::kCases) {
    if (c.single)
      de_case<float>(c);
    else
      de_case<double>(c);
  }
}

// The deterministic functions are close to the C library's (which differ by
// target, so they only bound the error here).
TEST_CASE(det_math_accuracy) {
  float worst_log = 0, worst_exp = 0, worst_sc = 0;
  for (int i = 1; i < 4000; ++i) {
    const float x = static_cast<float>(i) * 0.731f + 1e-4f * static_cast<float>(i * i);
    worst_log = std::fmax(worst_log, std::fabs(detail::det_log(x) - std::log(x)) / std::fabs(std::log(x) + 1e-30f));
    const float y = static_cast<float>(i - 2000) * 0.037f;
    worst_exp = std::fmax(worst_exp, std::fabs(detail::det_exp(y) - std::exp(y)) / std::exp(y));
    const float t = static_cast<float>(i) / 4096.0f;
    float s, c;
    detail::det_sincos_turn(t, &s, &c);
    worst_sc = std::fmax(worst_sc, std::fmax(std::fabs(s - std::sin(6.2831853f * t)),
                                             std::fabs(c - std::cos(6.2831853f * t))));
  }
  CHECK(worst_log < 4e-7f);
  CHECK(worst_exp < 4e-7f);
  CHECK(worst_sc < 2e-6f);
  double dl = 0;
  for (int i = 1; i < 4000; ++i) {
    const double x = i * 0.731 + 1e-4 * i * i;
    dl = std::fmax(dl, std::fabs(detail::det_log(x) - std::log(x)) / (std::fabs(std::log(x)) + 1e-300));
  }
  CHECK(dl < 1e-12);
  // The variates' moments over 40,000 pairs of counter words.
  double m = 0, v = 0;
  int cauchy_in = 0;
  for (uint32_t i = 0; i < 40000; ++i) {
    uint32_t w[4];
    const uint32_t ctr[4] = {i, 0, 0, 0}, key[4] = {1, 2, 3, 4};
    threefry4x32(ctr, key, w);
    float z0, z1, cc;
    detail::det_normal2(w[0], w[1], &z0, &z1);
    m += z0 + z1;
    v += z0 * z0 + z1 * z1;
    if (detail::det_cauchy(w[2], &cc) && std::fabs(cc) < 1) ++cauchy_in;
  }
  CHECK(std::fabs(m / 80000) < 0.02);
  CHECK(std::fabs(v / 80000 - 1) < 0.02);
  CHECK(std::fabs(cauchy_in / 40000.0 - 0.5) < 0.01);  // P(|C| < 1) = 1/2
}

int main() { return check::run_all(); }
