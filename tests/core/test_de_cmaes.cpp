// SPDX-License-Identifier: MIT
// De and Cmaes beyond the family contract (test_family.cpp): memory formulas,
// default populations, L-SHADE's population reduction and archive, convergence
// on easy problems, CMA-ES's separable form, IPOP restarts and start point,
// and what load() refuses.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {

template <class Real>
Real sphere(const Real* x, int n) {
  Real s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}

// A rotated ellipsoid (condition 1e6): coordinates mixed by a fixed Givens
// chain, so only a full covariance model fits it.
double rotated_ellipsoid(const float* x, int n) {
  double y[16];
  for (int i = 0; i < n; ++i) y[i] = x[i] - 0.1 * (i + 1);
  for (int i = 0; i + 1 < n; ++i) {
    const double a = y[i], b = y[i + 1];
    y[i] = 0.8 * a - 0.6 * b;
    y[i + 1] = 0.6 * a + 0.8 * b;
  }
  double s = 0;
  for (int i = 0; i < n; ++i) s += std::pow(1e6, n > 1 ? static_cast<double>(i) / (n - 1) : 0.0) * y[i] * y[i];
  return s;
}

double rastrigin(const float* x, int n) {
  double s = 10.0 * n;
  for (int i = 0; i < n; ++i) s += x[i] * x[i] - 10 * std::cos(2 * 3.14159265358979 * x[i]);
  return s;
}

uint8_t g_buf[16384];
uint8_t g_buf2[16384];

}  // namespace

TEST_CASE(memory_is_sizeof) {
  // de.hpp: Real·(3·N·D + 4·N + 3·D) + 4·N + the core.
  constexpr size_t de_core = sizeof(detail::DeCore<float>);
  CHECK_EQ(sizeof(De<8, 32>), 4u * (3 * 32 * 8 + 4 * 32 + 3 * 8) + 4u * 32 + de_core);
  CHECK_EQ(sizeof(De<30, 100>), 4u * (3 * 100 * 30 + 4 * 100 + 3 * 30) + 4u * 100 + de_core);
  CHECK_EQ(sizeof(De<3, 8, double>),
           8u * (3 * 8 * 3 + 4 * 8 + 3 * 3) + 4u * 8 + sizeof(detail::DeCore<double>));
  // cmaes.hpp: Real·(N·(D + 1) + 2·D² + 9·D) + 4·N + the core.
  constexpr size_t cma_core = sizeof(detail::CmaesCore<float>);
  CHECK_EQ(sizeof(Cmaes<8, 32>), 4u * (32 * 9 + 2 * 64 + 9 * 8) + 4u * 32 + cma_core);
  CHECK_EQ(sizeof(Cmaes<30, 14>), 4u * (14 * 31 + 2 * 900 + 9 * 30) + 4u * 14 + cma_core);
  CHECK_EQ(sizeof(Cmaes<3, 8, double>),
           8u * (8 * 4 + 2 * 9 + 9 * 3) + 4u * 8 + sizeof(detail::CmaesCore<double>));
  // (an odd MaxPop with double adds 4 bytes of alignment padding)
  CHECK_EQ(sizeof(Cmaes<3, 7, double>),
           8u * (7 * 4 + 2 * 9 + 9 * 3) + 4u * 7 + 4u + sizeof(detail::CmaesCore<double>));
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
  CHECK_EQ(de_core, static_cast<size_t>(344));   // the figures the headers quote (x86-64)
  CHECK_EQ(cma_core, static_cast<size_t>(312));
  CHECK_EQ(sizeof(De<8, 32>), static_cast<size_t>(4152));
  CHECK_EQ(sizeof(Cmaes<8, 32>), static_cast<size_t>(2392));
#endif
  std::printf("     sizeof De<8,32> = %u (core %u), Cmaes<8,32> = %u (core %u)\n",
              static_cast<unsigned>(sizeof(De<8, 32>)), static_cast<unsigned>(de_core),
              static_cast<unsigned>(sizeof(Cmaes<8, 32>)), static_cast<unsigned>(cma_core));
}

TEST_CASE(default_populations) {
  // De: floor(0.075·√(D·B)) in [8, 18·D], B = 1000·D without a budget.
  CHECK_EQ((De<30, 128>::default_population(30, 40000)), 82);
  CHECK_EQ((De<3, 8>::default_population(3, 3000)), 8);
  CHECK_EQ((De<10, 64>::default_population(10, 0)), 23);
  CHECK_EQ((De<2, 64>::default_population(2, std::numeric_limits<long>::max())), 36);  // 18·D
  CHECK_EQ((De<1, 64>::default_population(1, 10)), 8);
  // Cmaes: 4 + floor(3 ln D), checked against the C library's logarithm.
  for (int d = 1; d <= 5000; d += (d < 100 ? 1 : 37)) {
    const int expect = 4 + static_cast<int>(std::floor(3.0 * std::log(static_cast<double>(d))));
    if (!CHECK_EQ((Cmaes<1, 4>::default_population(d)), expect)) std::printf("     D = %d\n", d);
  }
  // population 0 caps at the capacity
  static De<4, 10> de;
  static Cmaes<40, 12> es;
  const float lo[40] = {}, hi[40] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  DeConfig dc;
  dc.max_evals = 100000;
  CHECK(de.init(lo, hi, 4, 0, dc, 1) == Status::Ok);
  CHECK_EQ(de.population(), 10);
  CHECK(es.init(lo, hi, 40, 0, CmaesConfig{}, 1) == Status::Ok);
  CHECK_EQ(es.population(), 12);  // 4 + floor(3 ln 40) = 15, capped
  CHECK(de.init(lo, hi, 4, 3, dc, 1) == Status::InvalidArgument);
  CHECK(de.init(lo, hi, 4, 11, dc, 1) == Status::CapacityExceeded);
  CHECK(es.init(lo, hi, 40, 2, CmaesConfig{}, 1) == Status::InvalidArgument);
  CHECK(es.init(lo, hi, 40, 13, CmaesConfig{}, 1) == Status::CapacityExceeded);
}

TEST_CASE(config_validation) {
  const DeConfig good_de;
  CHECK(validate(good_de) == Status::Ok);
  DeConfig d = good_de;
  d.memory_size = 0;
  CHECK(validate(d) == Status::InvalidArgument);
  d = good_de;
  d.memory_size = 17;
  CHECK(validate(d) == Status::InvalidArgument);
  d = good_de;
  d.p_best = 0;
  CHECK(validate(d) == Status::InvalidArgument);
  d = good_de;
  d.p_best = std::numeric_limits<float>::quiet_NaN();
  CHECK(validate(d) == Status::InvalidArgument);
  d = good_de;
  d.archive_rate = 4.5f;
  CHECK(validate(d) == Status::InvalidArgument);
  d = good_de;
  d.min_population = 3;
  CHECK(validate(d) == Status::InvalidArgument);
  d = good_de;
  d.stall_iter = -1;
  CHECK(validate(d) == Status::InvalidArgument);
  const CmaesConfig good_es;
  CHECK(validate(good_es) == Status::Ok);
  CmaesConfig e = good_es;
  e.sigma0 = 0;
  CHECK(validate(e) == Status::InvalidArgument);
  e = good_es;
  e.sigma0 = 1.5f;
  CHECK(validate(e) == Status::InvalidArgument);
  e = good_es;
  e.form = static_cast<CmaesForm>(3);
  CHECK(validate(e) == Status::InvalidArgument);
  e = good_es;
  e.separable_above = 0;
  CHECK(validate(e) == Status::InvalidArgument);
  e = good_es;
  e.max_evals = -1;
  CHECK(validate(e) == Status::InvalidArgument);
}

// L-SHADE: the population falls linearly from N0 to min_population over the
// budget, worst first; the archive never exceeds round(1.6·N) nor MaxPop.
TEST_CASE(de_population_reduction) {
  static De<6, 40> de;
  float lo[6], hi[6];
  for (int i = 0; i < 6; ++i) lo[i] = -5, hi[i] = 5;
  DeConfig c;
  c.max_iter = 1 << 20;
  c.max_evals = 4000;
  c.min_population = 6;
  CHECK(de.init(lo, hi, 6, 40, c, 3) == Status::Ok);
  int last = de.population(), gens = 0;
  bool monotone = true, arc_ok = true, linear = true;
  while (const float* x = de.ask()) {
    const int before = de.iteration();
    (void)de.tell(sphere(x, 6));
    if (de.iteration() != before && !de.done()) {
      ++gens;
      if (de.population() > last) monotone = false;
      last = de.population();
      const double expect = 40 + (6 - 40) * static_cast<double>(de.evaluations()) / 4000;
      if (std::fabs(de.population() - expect) > 0.5 + 1e-9) linear = false;
      if (de.archive_size() > static_cast<int>(1.6f * static_cast<float>(de.population()) + 0.5f) ||
          de.archive_size() > 40)
        arc_ok = false;
    }
  }
  CHECK(monotone);
  CHECK(linear);
  CHECK(arc_ok);
  CHECK(gens > 100);
  CHECK(de.population() <= 7);
  CHECK(de.best_value() < 1e-6f);
  // Without a budget the population stays.
  c.max_evals = 0;
  c.max_iter = 30;
  CHECK(de.init(lo, hi, 6, 20, c, 3) == Status::Ok);
  while (const float* x = de.ask()) (void)de.tell(sphere(x, 6));
  CHECK_EQ(de.population(), 20);
  CHECK_EQ(de.evaluations(), 600L);
  // The largest budget: the reduction's rounding is exact without overflow
  // (2·span·evals and 2·max_evals overflowed 64 bits before; UBSan builds
  // check), the population stays N0 this early, and the state loads.
  c.max_evals = std::numeric_limits<long>::max();
  c.max_iter = 5;
  CHECK(de.init(lo, hi, 6, 20, c, 3) == Status::Ok);
  while (const float* x = de.ask()) (void)de.tell(sphere(x, 6));
  CHECK_EQ(de.population(), 20);
  CHECK(de.check_invariants() == Status::Ok);
  // Near the end of a budget of 3,000 the reduction still follows the
  // formula round(N0 + (Nmin − N0)·evals/max_evals), half up.
  c.max_evals = 3000;
  c.max_iter = 1 << 20;
  c.min_population = 4;
  CHECK(de.init(lo, hi, 6, 40, c, 5) == Status::Ok);
  bool follows = true;
  while (const float* x = de.ask()) {
    const int before = de.iteration();
    (void)de.tell(sphere(x, 6));
    if (de.iteration() != before && !de.done()) {
      const long e = de.evaluations();
      const long expect = 40 - (2 * 36 * e + 3000) / 6000;  // small numbers: no overflow
      if (de.population() != static_cast<int>(expect)) follows = false;
    }
  }
  CHECK(follows);
}

TEST_CASE(de_converges) {
  static De<10, 64> de;
  float lo[10], hi[10];
  for (int i = 0; i < 10; ++i) lo[i] = -100, hi[i] = 100;
  DeConfig c;
  c.max_evals = 20000;
  c.max_iter = 1 << 20;
  CHECK(de.init(lo, hi, 10, 0, c, 11) == Status::Ok);
  CHECK(de.minimize([](const float* x, int n) { return sphere(x, n); }) == Status::Ok);
  CHECK(de.best_value() < 1e-10f);
  CHECK_EQ(de.evaluations(), 20000L);
  // The memories stay in range: F in (0, 1], CR in [0, 1] or the terminal −1.
  for (int k = 0; k < de.config().memory_size; ++k) {
    CHECK(de.core().memory_f(k) > 0 && de.core().memory_f(k) <= 1);
    CHECK((de.core().memory_cr(k) >= 0 && de.core().memory_cr(k) <= 1) || de.core().memory_cr(k) == -1);
  }
}

TEST_CASE(cmaes_full_model_learns_rotation) {
  static Cmaes<8, 32> es;
  float lo[8], hi[8];
  for (int i = 0; i < 8; ++i) lo[i] = -2, hi[i] = 3;
  CmaesConfig c;
  c.max_evals = 4000;
  c.max_iter = 1 << 20;
  CHECK(es.init(lo, hi, 8, 0, c, 5) == Status::Ok);
  CHECK(!es.core().separable());
  CHECK(es.minimize([](const float* x, int n) { return static_cast<float>(rotated_ellipsoid(x, n)); }) ==
        Status::Ok);
  CHECK(es.best_value() < 1e-8f);
  const float full = es.best_value();
  // The separable model cannot fit the rotation as well with the same budget.
  c.form = CmaesForm::Separable;
  CHECK(es.init(lo, hi, 8, 0, c, 5) == Status::Ok);
  CHECK(es.core().separable());
  CHECK(es.minimize([](const float* x, int n) { return static_cast<float>(rotated_ellipsoid(x, n)); }) ==
        Status::Ok);
  std::printf("     rotated ellipsoid, 4000 evaluations: full %.3g, separable %.3g\n", static_cast<double>(full),
              static_cast<double>(es.best_value()));
  CHECK(es.best_value() > 100 * full);
  // Auto: separable above separable_above dimensions.
  c.form = CmaesForm::Auto;
  c.separable_above = 7;
  CHECK(es.init(lo, hi, 8, 0, c, 5) == Status::Ok);
  CHECK(es.core().separable());
  CHECK(es.init(lo, hi, 7, 0, c, 5) == Status::Ok);
  CHECK(!es.core().separable());
}

// On a multimodal function a run converges to a local minimum and IPOP
// restarts with twice the population, capped at MaxPop.
TEST_CASE(cmaes_ipop_restarts) {
  static Cmaes<4, 40> es;
  float lo[4], hi[4];
  for (int i = 0; i < 4; ++i) lo[i] = -5.12f, hi[i] = 5.12f;
  CmaesConfig c;
  c.max_evals = 20000;
  c.max_iter = 1 << 20;
  CHECK(es.init(lo, hi, 4, 0, c, 2) == Status::Ok);
  int max_pop = es.population(), restarts_seen = 0;
  bool doubled = true;
  int last_pop = es.population(), last_restarts = 0;
  while (const float* x = es.ask()) {
    (void)es.tell(static_cast<float>(rastrigin(x, 4)));
    if (es.restarts() != last_restarts) {
      ++restarts_seen;
      const int expect = 2 * last_pop > 40 ? 40 : 2 * last_pop;
      if (es.population() != expect) doubled = false;
      last_pop = es.population();
      last_restarts = es.restarts();
    }
    if (es.population() > max_pop) max_pop = es.population();
  }
  CHECK(restarts_seen >= 2);
  CHECK(doubled);
  CHECK(max_pop <= 40);
  CHECK(es.best_value() < 1.0f);  // a better basin than most single runs reach
  // Without IPOP the population stays.
  c.ipop = false;
  CHECK(es.init(lo, hi, 4, 0, c, 2) == Status::Ok);
  while (const float* x = es.ask()) (void)es.tell(static_cast<float>(rastrigin(x, 4)));
  CHECK(es.restarts() >= 2);
  CHECK_EQ(es.population(), (Cmaes<4, 40>::default_population(4)));
}

TEST_CASE(cmaes_start_point_and_centre) {
  static Cmaes<3, 10> es;
  const float lo[3] = {-1, 0, 10}, hi[3] = {3, 1, 30};
  CHECK(es.init(lo, hi, 3, 0, CmaesConfig{}, 9) == Status::Ok);
  CHECK_EQ(es.mean()[0], 1.0f);
  CHECK_EQ(es.mean()[1], 0.5f);
  CHECK_EQ(es.mean()[2], 20.0f);
  const float s[3] = {2.5f, 0.1f, 12};
  CHECK(es.set_start(s) == Status::Ok);
  CHECK(std::memcmp(es.mean(), s, sizeof s) == 0);
  const float* x = es.ask();
  CHECK(x != nullptr && std::memcmp(x, s, sizeof s) == 0);
  CHECK(es.set_start(s) == Status::NotReady);  // after the first ask
}

// load(): a foreign or truncated blob is Corrupt, a larger run does not fit
// a smaller object, and a refused load changes nothing.
static const double* lo_d3() {
  static const double v[3] = {-1, -2, -3};
  return v;
}
static const double* hi_d3() {
  static const double v[3] = {1, 2, 3};
  return v;
}

TEST_CASE(load_refusals) {
  static De<6, 24> de, de_small;
  static Cmaes<6, 24> es;
  static Cmaes<6, 8> es_small;
  static Pso<6, 24> pso;
  float lo[6], hi[6];
  for (int i = 0; i < 6; ++i) lo[i] = -1, hi[i] = 1;
  DeConfig dc;
  dc.max_evals = 5000;
  CHECK(de.save(g_buf, sizeof g_buf, nullptr) == Status::NotReady);
  CHECK(de.init(lo, hi, 6, 24, dc, 1) == Status::Ok);
  CHECK(de_small.init(lo, hi, 4, 8, dc, 2) == Status::Ok);
  for (int k = 0; k < 100; ++k) (void)de.tell(sphere(de.ask(), 6));
  size_t n = 0;
  CHECK(de.save(g_buf, 10, &n) == Status::CapacityExceeded);
  CHECK(de.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  // The formula in de.hpp: save_size() = 160 + R·(2 + 3·D + 2·H + N·(2·D + 4) + A·D).
  {
    const size_t d = 6, h = static_cast<size_t>(dc.memory_size);
    const size_t np = static_cast<size_t>(de.population()), na = static_cast<size_t>(de.archive_size());
    CHECK(na > 0);  // the archive term is exercised
    CHECK_EQ(n, de.save_size());
    CHECK_EQ(n, size_t{160} + 4 * (2 + 3 * d + 2 * h + np * (2 * d + 4) + na * d));
  }
  size_t m0 = 0, m1 = 0;
  CHECK(de_small.save(g_buf2, sizeof g_buf2, &m0) == Status::Ok);
  static De<4, 8> de_tiny;
  CHECK(de_tiny.load(g_buf, n) == Status::CapacityExceeded);  // 6 dims, 24 individuals
  CHECK(de_small.load(g_buf, n - 1) == Status::Corrupt);
  CHECK(de_small.load(nullptr, n) == Status::InvalidArgument);
  CHECK(es.load(g_buf, n) == Status::Corrupt);  // a De blob is no Cmaes blob
  CHECK(pso.load(g_buf, n) == Status::Corrupt);
  static uint8_t saved_small[16384];
  std::memcpy(saved_small, g_buf2, m0);
  CHECK(de_small.save(g_buf2, sizeof g_buf2, &m1) == Status::Ok);
  CHECK(m0 == m1 && std::memcmp(saved_small, g_buf2, m0) == 0);  // unchanged by the refusals

  CmaesConfig cc;
  cc.max_evals = 3000;
  CHECK(es.init(lo, hi, 6, 20, cc, 4) == Status::Ok);
  for (int k = 0; k < 77; ++k) (void)es.tell(sphere(es.ask(), 6));
  CHECK(es.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  CHECK_EQ(n, es.save_size());
  // The formula in cmaes.hpp: 172 + R·(11 + 7·D + D(D+1)/2 + D² + L·(D + 1)).
  CHECK_EQ(n, size_t{172} + 4 * (11 + 7 * 6 + 21 + 36 + 20 * 7));
  {
    static Cmaes<3, 8, double> esd;
    CHECK(esd.init(lo_d3(), hi_d3(), 3, 6, CmaesConfig{}, 5) == Status::Ok);
    CHECK_EQ(esd.save_size(), size_t{172} + 8 * (11 + 21 + 6 + 9 + 6 * 4));
  }
  CHECK(es_small.load(g_buf, n) == Status::CapacityExceeded);  // λ 20 > 8
  CHECK(de.load(g_buf, n) == Status::Corrupt);
  static Cmaes<6, 24> es2;
  CHECK(es2.load(g_buf, n) == Status::Ok);
  for (int k = 0; k < 200; ++k) {
    const float* a = es.ask();
    const float* b = es2.ask();
    CHECK(a != nullptr && b != nullptr && std::memcmp(a, b, 6 * sizeof(float)) == 0);
    (void)es.tell(sphere(a, 6));
    (void)es2.tell(sphere(b, 6));
  }
}

int main() { return check::run_all(); }
