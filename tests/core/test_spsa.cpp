// SPDX-License-Identifier: MIT
// Spsa: golden trajectories from tools/spsa_ref.py (an independent Python
// reference, float32 and the deterministic powers emulated op by op), the same
// on every target; the memory formula; the gain sequences, the calibrated first
// step, averaging, θ measurements, the projection at the bounds, convergence on
// a noisy cost; saved states after every kind of stop; a bounded fuzz of the
// state loader.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_spsa.h"
#include "state_mutation.hpp"
#include "starling/detail/det_math.hpp"
#include "starling/rng.hpp"
#include "starling/spsa.hpp"

using namespace starling;

namespace {

constexpr uint64_t kFnvOffset = 0xCBF29CE484222325ull, kFnvPrime = 0x100000001B3ull;
uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
uint64_t fnv_u32(uint64_t h, uint32_t w) {
  for (int k = 0; k < 4; ++k) {
    h ^= (w >> (8 * k)) & 0xFFu;
    h *= kFnvPrime;
  }
  return h;
}
// tools/pso_ref.py's golden_cost.
float golden_cost(const float* x, int dims, long n_eval) {
  if (n_eval % 7 == 6) return std::numeric_limits<float>::quiet_NaN();
  float s = 0;
  for (int d = 0; d < dims; ++d) {
    const float e = x[d] - 0.25f * static_cast<float>(d % 3);
    s = s + (e * e) * static_cast<float>(d + 1);
  }
  return s;
}
// The CASES of tools/spsa_ref.py.
SpsaConfig golden_config(const char* name, const float** start) {
  static const float kStart[4] = {-1.5f, 0.5f, -0.25f, 2.0f};
  SpsaConfig c;
  *start = nullptr;
  if (std::strcmp(name, "default_d3") == 0) {
    c.max_iter = 60;
  } else if (std::strcmp(name, "plain_d4") == 0) {
    c.theta_every = 0;
    c.max_iter = 50;
  } else if (std::strcmp(name, "avg3_theta2_d5") == 0) {
    c.n_avg = 3;
    c.theta_every = 2;
    c.max_iter = 40;
  } else if (std::strcmp(name, "fixed_gain_d2") == 0) {
    c.a = 0.02f;
    c.stability = 5.f;
    c.c = 0.1f;
    c.alpha = 1.f;
    c.gamma = 0.1666f;
    c.max_step = 0.05f;
    c.max_iter = 80;
  } else if (std::strcmp(name, "evals_d8") == 0) {
    c.max_iter = 1000;
    c.max_evals = 101;
    c.calibrate = 1;
  } else if (std::strcmp(name, "start_target_d4") == 0) {
    *start = kStart;
    c.target = 0.75f;
    c.max_iter = 500;
  } else {
    c.max_iter = 1000;
    c.stall_iter = 3;
  }
  return c;
}

Spsa<130> g_sp, g_other;

float sphere(const float* x, int n) {
  float s = 0;
  for (int d = 0; d < n; ++d) s += (x[d] - 0.5f) * (x[d] - 0.5f);
  return s;
}

}  // namespace

TEST_CASE(spsa_golden_trajectories) {
  for (const auto& g : golden_spsa::kTrajectories) {
    float lo[130], hi[130];
    for (int d = 0; d < g.dims; ++d) {
      lo[d] = -2.0f - static_cast<float>(d);
      hi[d] = 1.0f + 0.5f * static_cast<float>(d);
    }
    const float* start = nullptr;
    const SpsaConfig cfg = golden_config(g.name, &start);
    CHECK(g_sp.init(lo, hi, g.dims, 0, cfg, g.seed) == Status::Ok);
    if (start != nullptr) CHECK(g_sp.set_start(start) == Status::Ok);
    uint64_t h = kFnvOffset;
    long k = 0;
    while (const float* x = g_sp.ask()) {
      for (int d = 0; d < g.dims; ++d) h = fnv_u32(h, bits(x[d]));
      const float c = golden_cost(x, g.dims, k++);
      h = fnv_u32(h, std::isnan(c) ? 0x7FC00000u : bits(c));
      if (g_sp.tell(c) != Status::Ok) break;
    }
    uint64_t th = kFnvOffset;
    for (int d = 0; d < g.dims; ++d) th = fnv_u32(th, bits(g_sp.theta()[d]));
    if (!CHECK_EQ(h, g.hash)) std::printf("     trajectory %s\n", g.name);
    CHECK_EQ(th, g.theta_hash);
    CHECK_EQ(bits(g_sp.best_value()), g.best_bits);
    CHECK_EQ(bits(g_sp.gain()), g.gain_bits);
    CHECK_EQ(g_sp.evaluations(), g.evals);
    CHECK_EQ(g_sp.iteration(), g.iterations);
  }
}

TEST_CASE(spsa_memory_formula) {
  using F8 = Spsa<8>;
  using D3 = Spsa<3, double>;
  auto up8 = [](size_t n) { return (n + 7) / 8 * 8; };
  CHECK_EQ(sizeof(F8), up8(sizeof(float) * 7 * 8 + sizeof(F8::Core)));
  CHECK_EQ(sizeof(D3), up8(sizeof(double) * 7 * 3 + sizeof(D3::Core)));
  // The header's figures: 240 bytes on 64-bit hosts, 200 on 32-bit targets.
  CHECK_EQ(sizeof(F8::Core), sizeof(void*) == 8 ? size_t{240} : size_t{200});
  // save_size() = 152 + R·(6 + 7·D)
  CHECK_EQ(F8::kMaxSaveSize, size_t{152 + 4 * (6 + 56)});
  CHECK_EQ(D3::kMaxSaveSize, size_t{152 + 8 * (6 + 21)});
}

// c_k = c/(k + 1)^γ and a_k = a/(A + k + 1)^α, seen in the asked points: x±
// differ from θ by c_k·range along every axis (nothing clamped here); the
// step moves θ by a_k·ĝ.
TEST_CASE(spsa_gain_sequences) {
  const float lo[3] = {0, -10, 100}, hi[3] = {1, 10, 104};
  SpsaConfig cfg;
  cfg.theta_every = 0;  // x+, x− only
  cfg.a = 0.003f;
  cfg.stability = 7.f;
  cfg.c = 0.02f;
  cfg.max_step = 1.f;
  cfg.max_iter = 30;
  CHECK(g_sp.init(lo, hi, 3, 0, cfg, 9) == Status::Ok);
  CHECK(g_sp.stability() == 7.f);
  // Gentle slopes: nothing is clamped or clipped.
  auto f = [](const float* x) {
    return 0.1f * (x[0] - 0.4f) * (x[0] - 0.4f) + 0.001f * (x[1] - 2) * (x[1] - 2) +
           0.01f * (x[2] - 101.5f) * (x[2] - 101.5f);
  };
  const float* x = g_sp.ask();
  (void)g_sp.tell(f(x));  // θ0
  for (int k = 0; k < 20; ++k) {
    float th[3], xp[3], xm[3];
    std::memcpy(th, g_sp.theta(), sizeof th);
    const float ck = 0.02f / detail::det_pow(static_cast<float>(k) + 1, 0.101f);
    CHECK_EQ(g_sp.perturbation(), ck);
    CHECK(std::fabs(ck / (0.02f / std::pow(static_cast<float>(k + 1), 0.101f)) - 1) < 1e-5f);
    x = g_sp.ask();
    std::memcpy(xp, x, sizeof xp);
    const float yp = f(x);
    (void)g_sp.tell(yp);
    x = g_sp.ask();
    std::memcpy(xm, x, sizeof xm);
    const float ym = f(x);
    (void)g_sp.tell(ym);
    const float ak = 0.003f / detail::det_pow(7.f + static_cast<float>(k + 1), 0.602f);
    for (int d = 0; d < 3; ++d) {
      const float range = hi[d] - lo[d], h = ck * range;
      CHECK((xp[d] == th[d] + h && xm[d] == th[d] - h) || (xp[d] == th[d] - h && xm[d] == th[d] + h));
      const float du = (xp[d] - xm[d]) / range;
      const float want = th[d] - ak * ((yp - ym) / du) * range;
      CHECK_EQ(g_sp.theta()[d], want);
    }
  }
}

// The calibrated gain makes the first step move each coordinate by
// first_step·range; the gain settles over `calibrate` steps, then stays.
TEST_CASE(spsa_calibrated_first_step) {
  const float lo[4] = {-1, -1, -1, -1}, hi[4] = {3, 3, 3, 3};
  SpsaConfig cfg;
  cfg.theta_every = 0;
  cfg.max_iter = 40;
  CHECK(g_sp.init(lo, hi, 4, 0, cfg, 3) == Status::Ok);
  auto f = [](const float* x, int) { return 3 * x[0] + x[1] * x[1] - 2 * x[2] + x[3] * x[3] * x[3]; };
  (void)g_sp.tell(f(g_sp.ask(), 4));
  float th0[4];
  std::memcpy(th0, g_sp.theta(), sizeof th0);
  CHECK_EQ(g_sp.gain(), 0.f);
  (void)g_sp.tell(f(g_sp.ask(), 4));
  (void)g_sp.tell(f(g_sp.ask(), 4));
  CHECK(g_sp.gain() > 0.f);
  for (int d = 0; d < 4; ++d) CHECK(std::fabs(std::fabs(g_sp.theta()[d] - th0[d]) - 0.05f * 4) < 1e-5f);
  float gains[6];
  for (int s = 0; s < 6; ++s) {
    (void)g_sp.tell(f(g_sp.ask(), 4));
    (void)g_sp.tell(f(g_sp.ask(), 4));
    gains[s] = g_sp.gain();
  }
  CHECK(gains[3] == gains[5] && gains[4] == gains[5]);  // frozen after 4 estimates
}

// n_avg measurements alternate x+, x−, ...; the step uses their means.
TEST_CASE(spsa_averaging) {
  const float lo[2] = {0, 0}, hi[2] = {1, 1};
  SpsaConfig cfg;
  cfg.theta_every = 0;
  cfg.a = 0.01f;
  cfg.stability = 2.f;
  cfg.max_iter = 4;
  SpsaConfig one = cfg, two = cfg;
  two.n_avg = 2;
  static Spsa<2> a, b;
  CHECK(a.init(lo, hi, 2, 0, one, 5) == Status::Ok);
  CHECK(b.init(lo, hi, 2, 0, two, 5) == Status::Ok);
  (void)a.tell(a.ask()[0]);  // θ0
  (void)b.tell(b.ask()[0]);
  const float* p1 = b.ask();
  float xp[2];
  std::memcpy(xp, p1, sizeof xp);
  (void)b.tell(1);  // x+: 1, x−: 4, x+: 3, x−: 2 → means 2 and 3
  const float* m1 = b.ask();
  float xm[2];
  std::memcpy(xm, m1, sizeof xm);
  CHECK(std::memcmp(xp, xm, sizeof xp) != 0);
  (void)b.tell(4);
  CHECK(std::memcmp(b.ask(), xp, sizeof xp) == 0);
  (void)b.tell(3);
  CHECK(std::memcmp(b.ask(), xm, sizeof xm) == 0);
  (void)b.tell(2);
  (void)a.ask();
  (void)a.tell(2);
  (void)a.ask();
  (void)a.tell(3);
  CHECK_EQ(b.evaluations(), 5L);
  CHECK_EQ(a.evaluations(), 3L);
  CHECK(std::memcmp(a.theta(), b.theta(), 2 * sizeof(float)) == 0);
  // A non-finite mean moves nothing.
  float th[2];
  std::memcpy(th, b.theta(), sizeof th);
  // (A table, not k == 2 ? NAN : float(k): GCC 12 for Cortex-M55 emits a
  // conditional vcvt there that its assembler refuses.)
  const float costs[4] = {0.f, 1.f, NAN, 3.f};
  for (int k = 0; k < 4; ++k) {
    (void)b.ask();
    CHECK(b.tell(costs[k]) == Status::Ok);
  }
  CHECK(std::memcmp(b.theta(), th, sizeof th) == 0);
}

// theta_every = e: steps 0, e, 2e, ... measure θ first (2·n_avg + 1
// evaluations), the others 2·n_avg.
TEST_CASE(spsa_theta_measurements) {
  const float lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
  SpsaConfig cfg;
  cfg.theta_every = 3;
  cfg.max_iter = 12;
  CHECK(g_sp.init(lo, hi, 3, 0, cfg, 8) == Status::Ok);
  long last = 0;
  int gen = 0;
  bool ok = true;
  while (const float* x = g_sp.ask()) {
    const bool is_theta = std::memcmp(x, g_sp.theta(), 3 * sizeof(float)) == 0;
    const long e = g_sp.evaluations();
    if (gen >= 1 && e == last) ok = ok && is_theta == ((gen - 1) % 3 == 0);
    (void)g_sp.tell(sphere(x, 3));
    if (g_sp.iteration() != gen) {
      const long used = g_sp.evaluations() - last;
      const long want = gen == 0 ? 1 : 2 + ((gen - 1) % 3 == 0 ? 1 : 0);
      ok = ok && used == want;
      last = g_sp.evaluations();
      gen = g_sp.iteration();
    }
  }
  CHECK(ok);
  CHECK_EQ(g_sp.evaluations(), 1L + 11 * 2 + 4);
}

// θ on a bound: the perturbed point that would leave the box is clamped and
// the difference is one-sided; a cost decreasing outwards pins θ at the bound.
TEST_CASE(spsa_projection) {
  const float lo[2] = {0, 0}, hi[2] = {1, 1};
  const float start[2] = {0, 0.5f};
  SpsaConfig cfg;
  cfg.max_iter = 50;
  CHECK(g_sp.init(lo, hi, 2, 0, cfg, 4) == Status::Ok);
  CHECK(g_sp.set_start(start) == Status::Ok);
  long outside = 0;
  while (const float* x = g_sp.ask()) {
    for (int d = 0; d < 2; ++d) outside += x[d] < 0 || x[d] > 1;
    (void)g_sp.tell(x[0] + (x[1] - 0.3f) * (x[1] - 0.3f));
  }
  CHECK_EQ(outside, 0L);
  CHECK_EQ(g_sp.theta()[0], 0.f);
  // Pulled from 0.5 towards 0.3 (noisily: the one-sided x0 difference
  // enters every coordinate's estimate, with zero mean).
  CHECK(std::fabs(g_sp.theta()[1] - 0.3f) < 0.1f);
}

// On a noisy cost (uniform noise of ±0.05), the iterate ends close to the
// optimum (from f = 1.5 at θ0 to about 1e-3 in 3,000 evaluations): SPSA's
// purpose.
TEST_CASE(spsa_noisy_convergence) {
  float lo[6], hi[6];
  for (int d = 0; d < 6; ++d) lo[d] = -2, hi[d] = 2;
  SpsaConfig cfg;
  cfg.max_iter = 1 << 20;
  cfg.max_evals = 3000;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CHECK(g_sp.init(lo, hi, 6, 0, cfg, seed) == Status::Ok);
    Rng noise(seed + 100);
    g_sp.minimize([&](const float* x, int n) { return sphere(x, n) + 0.1f * (noise.uniform() - 0.5f); });
    CHECK(sphere(g_sp.theta(), 6) < 4e-3f);
  }
}

// A state saved after any kind of stop loads back to the same bytes.
TEST_CASE(spsa_saved_after_stops) {
  const float lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
  static uint8_t b1[Spsa<130>::kMaxSaveSize], b2[Spsa<130>::kMaxSaveSize];
  for (int kind = 0; kind < 4; ++kind) {
    SpsaConfig cfg;
    cfg.theta_every = kind == 3 ? 2 : 0;
    cfg.max_iter = kind == 0 ? 1 : 9;
    if (kind == 1) cfg.max_evals = 6;
    if (kind == 2) cfg.stall_iter = 1;
    if (kind == 3) cfg.target = 0.3f;
    CHECK(g_sp.init(lo, hi, 3, 0, cfg, 2) == Status::Ok);
    g_sp.minimize([](const float* x, int n) { return sphere(x, n); });
    CHECK(g_sp.done());
    size_t n1 = 0, n2 = 0;
    CHECK(g_sp.save(b1, sizeof b1, &n1) == Status::Ok);
    if (!CHECK(g_other.load(b1, n1) == Status::Ok)) std::printf("     stop kind %d\n", kind);
    CHECK(g_other.save(b2, sizeof b2, &n2) == Status::Ok);
    CHECK(n1 == n2 && std::memcmp(b1, b2, n1) == 0);
    CHECK(g_other.done() && g_other.stop_reason() == g_sp.stop_reason());
  }
}

TEST_CASE(spsa_state_fuzz) {
  const float lo[5] = {-1, -2, 0, -3, 1}, hi[5] = {1, 2, 0.5f, 3, 9};
  SpsaConfig cfg;
  cfg.n_avg = 2;
  cfg.theta_every = 2;
  static uint8_t blob[Spsa<130>::kMaxSaveSize];
  long accepted = 0, bad = 0;
  long drift = 0;
  const long stops[] = {0, 1, 4, 23, 60};
  for (long k : stops) {
    CHECK(g_sp.init(lo, hi, 5, 0, cfg, 11) == Status::Ok);
    while (g_sp.evaluations() < k) {
      const float* x = g_sp.ask();
      (void)g_sp.tell(x[0] * x[0] + x[1] + (g_sp.evaluations() % 9 == 4 ? NAN : 0.f));
    }
    (void)g_sp.ask();
    size_t n = 0;
    CHECK(g_sp.save(blob, sizeof blob, &n) == Status::Ok);
    const auto r = mutation::run(g_other, blob, n, 2000 + static_cast<uint64_t>(k), 400);
    accepted += r.accepted;
    bad += r.bad;
    drift += r.drift;
  }
  CHECK_EQ(bad, 0L);
  std::printf("     edited states accepted: %ld, of which %ld later fail check_invariants\n", accepted, drift);
  CHECK(accepted > 0);
}

int main() { return check::run_all(); }
