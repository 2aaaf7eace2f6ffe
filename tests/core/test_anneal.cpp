// SPDX-License-Identifier: MIT
// Anneal: golden trajectories from tools/anneal_ref.py (an independent Python
// reference, float32 emulated op by op), the same on every target; the memory
// formula; the config's ranges; the visiting distribution's tail; the
// temperature schedule and re-annealing; the chain's visits; acceptance; the
// local phase; convergence; saved states after every stop; a bounded fuzz of
// the state loader.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_anneal.h"
#include "state_mutation.hpp"
#include "starling/anneal.hpp"

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
// The CASES of tools/anneal_ref.py.
AnnealConfig golden_config(const char* name, const float** start) {
  static const float kStart[6] = {-1.5f, 0.5f, -0.25f, 0.0f, 2.0f, 1.0f};
  AnnealConfig c;
  *start = nullptr;
  if (std::strcmp(name, "default_d3") == 0) {
    c.max_iter = 40;
  } else if (std::strcmp(name, "reanneal_d2") == 0) {
    c.restart_temp_ratio = 0.05f;
    c.max_iter = 60;
  } else if (std::strcmp(name, "gsa_noloc_d5") == 0) {
    c.local_sweeps = 0;
    c.accept = -2.f;
    c.initial_temp = 0.5f;
    c.max_iter = 50;
  } else if (std::strcmp(name, "evals_d1") == 0) {
    c.max_evals = 77;
  } else if (std::strcmp(name, "start_target_d6") == 0) {
    *start = kStart;
    c.target = 0.6f;
    c.accept = 0.f;
    c.local_step = 0.2f;
    c.max_iter = 500;
  } else {
    c.stall_iter = 5;
    c.local_sweeps = 1;
    c.initial_temp = 5230.f;
    c.max_iter = 1000;
  }
  return c;
}

Anneal<20> g_sa, g_other;

float sphere(const float* x, int n) {
  float s = 0;
  for (int d = 0; d < n; ++d) s += (x[d] - 0.5f) * (x[d] - 0.5f);
  return s;
}

}  // namespace

TEST_CASE(anneal_golden_trajectories) {
  for (const auto& g : golden_anneal::kTrajectories) {
    float lo[20], hi[20];
    for (int d = 0; d < g.dims; ++d) {
      lo[d] = -2.0f - static_cast<float>(d);
      hi[d] = 1.0f + 0.5f * static_cast<float>(d);
    }
    const float* start = nullptr;
    const AnnealConfig cfg = golden_config(g.name, &start);
    CHECK(g_sa.init(lo, hi, g.dims, 0, cfg, g.seed) == Status::Ok);
    if (start != nullptr) CHECK(g_sa.set_start(start) == Status::Ok);
    uint64_t h = kFnvOffset;
    long k = 0;
    while (const float* x = g_sa.ask()) {
      for (int d = 0; d < g.dims; ++d) h = fnv_u32(h, bits(x[d]));
      const float c = golden_cost(x, g.dims, k++);
      h = fnv_u32(h, std::isnan(c) ? 0x7FC00000u : bits(c));
      if (g_sa.tell(c) != Status::Ok) break;
    }
    if (!CHECK_EQ(h, g.hash)) std::printf("     trajectory %s\n", g.name);
    CHECK_EQ(bits(g_sa.best_value()), g.best_bits);
    CHECK_EQ(bits(g_sa.visit_scale()), g.sigma_bits);
    CHECK_EQ(bits(g_sa.temperature()), g.temp_bits);
    CHECK_EQ(g_sa.evaluations(), g.evals);
    CHECK_EQ(g_sa.iteration(), g.iterations);
    CHECK_EQ(g_sa.reannealings(), g.reannealings);
  }
}

TEST_CASE(anneal_memory_formula) {
  using F8 = Anneal<8>;
  using D3 = Anneal<3, double>;
  auto up8 = [](size_t n) { return (n + 7) / 8 * 8; };
  CHECK_EQ(sizeof(F8), up8(sizeof(float) * 6 * 8 + sizeof(F8::Core)));
  CHECK_EQ(sizeof(D3), up8(sizeof(double) * 6 * 3 + sizeof(D3::Core)));
  // The header's figures: 240 bytes on 64-bit hosts, 200 on 32-bit targets.
  CHECK_EQ(sizeof(F8::Core), sizeof(void*) == 8 ? size_t{240} : size_t{200});
  // save_size() = 160 + R·(5 + 6·D)
  CHECK_EQ(F8::kMaxSaveSize, size_t{160 + 4 * (5 + 48)});
  CHECK_EQ(D3::kMaxSaveSize, size_t{160 + 8 * (5 + 18)});
}

// validate(): q_a must be a whole number in [−1e4, 0] (the acceptance
// draws r^(1 − q_a) by products); the other ranges as documented.
TEST_CASE(anneal_config_ranges) {
  AnnealConfig c;
  CHECK(validate(c) == Status::Ok);
  const float good[] = {0.f, -1.f, -5.f, -10000.f};
  for (float qa : good) {
    c.accept = qa;
    CHECK(validate(c) == Status::Ok);
  }
  const float bad[] = {0.5f, -5.5f, 1.f, -10001.f, -0.25f, std::numeric_limits<float>::quiet_NaN(),
                       -std::numeric_limits<float>::infinity()};
  for (float qa : bad) {
    c.accept = qa;
    if (!CHECK(validate(c) == Status::InvalidArgument)) std::printf("     q_a %g\n", static_cast<double>(qa));
  }
  c = AnnealConfig{};
  c.initial_temp = 0.f;
  CHECK(validate(c) == Status::InvalidArgument);
  c.initial_temp = 2e6f;
  CHECK(validate(c) == Status::InvalidArgument);
  c = AnnealConfig{};
  c.restart_temp_ratio = 1.f;
  CHECK(validate(c) == Status::InvalidArgument);
  const float lo[1] = {0}, hi[1] = {1};
  c = AnnealConfig{};
  c.accept = -2.5f;
  CHECK(g_sa.init(lo, hi, 1, 0, c, 1) == Status::InvalidArgument);
}

// The visiting distribution σ·v1/v2⁴ has the tail P(|Δu| > a) ∝ a^(−1/4)
// of Tsallis's at q_v = 2.6 (SciPy's x/|y|^p at p = 4): with σ tiny (from
// level 99 on, σ <= 1e-6 of the range) most moves stay within 1e3·σ while
// several per cent still jump farther than 0.01 of the range (about 10 %
// in theory; a Cauchy of that scale would do so once in 1e4 moves, a
// Gaussian never). Read from the asked points of a 40-D chain on a flat
// cost: levels 99 to about 107.
TEST_CASE(anneal_visit_tail) {
  constexpr int kD = 40;
  static Anneal<kD> sa;
  float lo[kD], hi[kD];
  for (int d = 0; d < kD; ++d) lo[d] = 0, hi[d] = 1;
  AnnealConfig cfg;
  cfg.local_sweeps = 0;
  cfg.initial_temp = 1.f;
  cfg.max_iter = 1000;
  cfg.restart_temp_ratio = 1e-5f;
  CHECK(sa.init(lo, hi, kD, 0, cfg, 17) == Status::Ok);
  long n = 0, far = 0, near = 0;
  while (const float* x = sa.ask()) {
    if (sa.level() >= 99) {
      if (n == 0) CHECK(std::fabs(sa.visit_scale() / 1e-6f - 1) < 1e-5f);
      for (int d = 0; d < kD; ++d) {
        float dx = std::fabs(x[d] - sa.current()[d]);
        if (dx == 0) continue;  // not moved in this visit
        if (dx > 0.5f) dx = 1 - dx;  // the wrap
        ++n;
        far += dx > 0.01f;
        near += dx < 1e-3f;
      }
      if (n >= 20000) break;
    }
    (void)sa.tell(1.f);
  }
  CHECK(n >= 20000);
  std::printf("     levels 99 to %d: %ld of %ld moves beyond 0.01 of the range, %ld below 1e-3\n", sa.level(), far, n,
              near);
  CHECK(far > n / 50 && far < n / 4);
  CHECK(near > n / 2);
}

// The acceptance draw r^(1−q_a) < 1 − (1 − q_a)·ΔE/T_step is the event
// r < p of the generalized acceptance: over many worse visits at a fixed
// level the rate of taken ones matches the mean of p computed with pow.
TEST_CASE(anneal_acceptance_rate) {
  const float lo[1] = {0}, hi[1] = {1};
  for (float qa : {0.f, -1.f, -5.f, -40.f}) {
    AnnealConfig cfg;
    cfg.local_sweeps = 0;
    cfg.accept = qa;
    cfg.initial_temp = 1.f;
    cfg.max_iter = 3000;
    cfg.restart_temp_ratio = 0.5f;  // levels 0 and 1 only: T_step 1 and 0.25
    CHECK(g_sa.init(lo, hi, 1, 0, cfg, 23) == Status::Ok);
    double want = 0;
    long worse = 0, taken = 0;
    while (const float* x = g_sa.ask()) {
      // The cost is x: a visit is worse than the current point when it lies above it.
      const float cur = g_sa.current_value();
      const float f = x[0];
      const float tstep = g_sa.temperature() / static_cast<float>(g_sa.level() + 1);
      const bool visit = std::memcmp(x, g_sa.current(), sizeof(float)) != 0;  // not a fresh start
      const int reannealed = g_sa.reannealings();
      (void)g_sa.tell(f);
      // (A visit that ends level 1 is followed by a re-annealing, which
      // forgets the current point: its outcome cannot be read, so it is left out.)
      if (!visit || !std::isfinite(cur) || !(f > cur) || g_sa.reannealings() != reannealed) continue;
      const double qa1 = 1.0 - qa;
      const double pt = 1.0 - qa1 * (static_cast<double>(f) - cur) / tstep;
      want += pt > 0 ? std::pow(pt, 1.0 / qa1) : 0.0;
      ++worse;
      taken += g_sa.current_value() == f;
    }
    const double rate = static_cast<double>(taken) / static_cast<double>(worse), mean = want / static_cast<double>(worse);
    if (!CHECK(worse > 1000 && std::fabs(rate - mean) < 4 * std::sqrt(mean * (1 - mean) / static_cast<double>(worse)) + 1e-3))
      std::printf("     q_a %g: %ld worse, taken %g, expected %g\n", static_cast<double>(qa), worse, rate, mean);
  }
}

// T_i = T0/(i + 1), T_step = T_i/(i + 1), σ_i = T0/(i + 1)³ level by
// level; below T0·ratio the search re-anneals: level 0, T0, a fresh point
// (its cost unknown until told).
TEST_CASE(anneal_schedule_and_reannealing) {
  const float lo[2] = {-1, -1}, hi[2] = {1, 1};
  AnnealConfig cfg;
  cfg.initial_temp = 7.f;
  cfg.restart_temp_ratio = 0.105f;  // T_9/T0 = 0.1 < 0.105 < T_8/T0 = 0.111
  cfg.local_sweeps = 0;
  cfg.max_iter = 25;
  CHECK(g_sa.init(lo, hi, 2, 0, cfg, 3) == Status::Ok);
  int gen = 0, bad_temp = 0;
  int reanneal_gen[4] = {-1, -1, -1, -1};
  while (const float* x = g_sa.ask()) {
    const int i = g_sa.level();
    const double want = 7.0 / (i + 1.0);
    if (std::fabs(g_sa.temperature() / want - 1) > 1e-6) ++bad_temp;
    if (std::fabs(g_sa.visit_scale() / (want / ((i + 1.0) * (i + 1.0))) - 1) > 1e-6) ++bad_temp;
    (void)g_sa.tell(sphere(x, 2));
    if (g_sa.iteration() != gen) {
      gen = g_sa.iteration();
      const int r = g_sa.reannealings();
      if (r > 0 && r <= 4 && reanneal_gen[r - 1] < 0) {
        reanneal_gen[r - 1] = gen;
        CHECK_EQ(g_sa.level(), 0);
        CHECK_EQ(g_sa.temperature(), 7.f);
        CHECK(g_sa.current_value() == std::numeric_limits<float>::infinity());
      }
    }
  }
  CHECK_EQ(bad_temp, 0);
  CHECK_EQ(reanneal_gen[0], 9);   // levels 0 .. 8, then re-annealing
  CHECK_EQ(reanneal_gen[1], 18);
  CHECK_EQ(g_sa.reannealings(), 2);
}

// Without a local phase a level is 2·D visits (plus the start at level 0):
// visits 0 .. D−1 move every coordinate, visits D .. 2D−1 one coordinate.
TEST_CASE(anneal_chain_visits) {
  const float lo[3] = {-1, 0, 10}, hi[3] = {1, 5, 11};
  AnnealConfig cfg;
  cfg.local_sweeps = 0;
  cfg.max_iter = 30;
  CHECK(g_sa.init(lo, hi, 3, 0, cfg, 5) == Status::Ok);
  long single_ok = 0, single_bad = 0, all_moved = 0;
  int j = -1;  // the start
  while (const float* x = g_sa.ask()) {
    if (j >= 3) {
      for (int d = 0; d < 3; ++d) {
        if (d == j - 3) continue;
        if (x[d] != g_sa.current()[d]) ++single_bad;
      }
      ++single_ok;
    } else if (j >= 0) {
      int moved = 0;
      for (int d = 0; d < 3; ++d) moved += x[d] != g_sa.current()[d];
      all_moved += moved == 3;
    }
    (void)g_sa.tell(sphere(x, 3));
    j = j + 1 == 6 ? 0 : j + 1;
  }
  CHECK_EQ(g_sa.evaluations(), 1L + 30 * 6);
  CHECK_EQ(single_bad, 0L);
  CHECK(single_ok == 30 * 3);
  CHECK(all_moved >= 30 * 3 * 9 / 10);  // a visit leaves a coordinate in place only by chance
}

// Improvements are always taken; worse points only with the generalized
// probability: never at a tiny temperature, sometimes at a huge one.
TEST_CASE(anneal_acceptance) {
  float lo[4], hi[4];
  for (int d = 0; d < 4; ++d) lo[d] = -3, hi[d] = 3;
  for (int hot = 0; hot < 2; ++hot) {
    AnnealConfig cfg;
    cfg.initial_temp = hot ? 1e5f : 1e-6f;
    cfg.local_sweeps = 0;
    cfg.max_iter = 40;
    CHECK(g_sa.init(lo, hi, 4, 0, cfg, 21) == Status::Ok);
    long worse_taken = 0;
    float last = std::numeric_limits<float>::infinity();
    while (const float* x = g_sa.ask()) {
      (void)g_sa.tell(sphere(x, 4));
      if (g_sa.current_value() > last) ++worse_taken;
      last = g_sa.current_value();
    }
    if (hot) CHECK(worse_taken > 10);
    else CHECK_EQ(worse_taken, 0L);
  }
}

// The local phase (Hooke–Jeeves): after level 0's chain, exploratory moves
// of ±step·range along one coordinate of the probe point (0.1 of the range
// at first, halved when a sweep around the base fails), and pattern moves
// (the probe jumps to best + (best − base) and is handed out as it is).
TEST_CASE(anneal_local_phase) {
  const float lo[2] = {0, 0}, hi[2] = {2, 4};
  AnnealConfig cfg;
  cfg.local_step = 0.1f;
  cfg.local_sweeps = 20;
  cfg.max_iter = 1;
  auto f = [](const float* x) { return (x[0] - 1.3f) * (x[0] - 1.3f) + 0.1f * (x[1] - 0.7f) * (x[1] - 0.7f); };
  CHECK(g_sa.init(lo, hi, 2, 0, cfg, 6) == Status::Ok);
  for (int k = 0; k < 5; ++k) (void)g_sa.tell(f(g_sa.ask()));  // start + 4 visits
  long explore = 0, pattern = 0, other = 0;
  while (const float* x = g_sa.ask()) {
    const float* p = g_sa.current();
    int moved = -1, count = 0;
    for (int d = 0; d < 2; ++d)
      if (x[d] != p[d]) moved = d, ++count;
    if (count == 0) {
      ++pattern;
    } else if (count == 1) {
      const float h = std::fabs(x[moved] - p[moved]) / (hi[moved] - lo[moved]);
      bool ok = x[moved] == lo[moved] || x[moved] == hi[moved];
      for (float s = 0.1f; s > 1e-6f && !ok; s *= 0.5f) ok = std::fabs(h - s) < 1e-5f;
      explore += ok;
      other += !ok;
    } else {
      ++other;
    }
    (void)g_sa.tell(f(x));
  }
  CHECK(explore > 0);
  CHECK(pattern > 0);
  CHECK(explore + pattern <= 2 * 2 * 20);  // at most local_sweeps·2·D evaluations
  CHECK_EQ(other, 0L);
  CHECK(g_sa.best_value() < 1e-6f);  // 20 sweeps refine the chain's best
  CHECK(g_sa.done() && g_sa.stop_reason() == StopReason::MaxIter);
  // After the phase the chain goes on from the incumbent.
  CHECK(std::memcmp(g_sa.current(), g_sa.best_position(), 2 * sizeof(float)) == 0);
}

TEST_CASE(anneal_converges) {
  auto rastrigin = [](const float* x, int n) {
    float s = 10.f * static_cast<float>(n);
    for (int d = 0; d < n; ++d) s += x[d] * x[d] - 10.f * std::cos(6.2831853f * x[d]);
    return s;
  };
  float lo[4], hi[4];
  for (int d = 0; d < 4; ++d) lo[d] = -5.12f, hi[d] = 5.12f;
  AnnealConfig cfg;
  cfg.max_iter = 1 << 20;
  cfg.max_evals = 3000;
  int global = 0;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    CHECK(g_sa.init(lo, hi, 2, 0, cfg, seed) == Status::Ok);
    g_sa.minimize(rastrigin);
    global += g_sa.best_value() < 1e-3f;
    CHECK(g_sa.init(lo, hi, 4, 0, cfg, seed) == Status::Ok);
    g_sa.minimize([](const float* x, int n) { return sphere(x, n); });
    CHECK(g_sa.best_value() < 1e-6f);
  }
  CHECK(global >= 3);  // Rastrigin's global minimum out of about 100 in the box
}

TEST_CASE(anneal_saved_after_stops) {
  const float lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
  static uint8_t b1[Anneal<20>::kMaxSaveSize], b2[Anneal<20>::kMaxSaveSize];
  for (int kind = 0; kind < 5; ++kind) {
    AnnealConfig cfg;
    cfg.max_iter = kind == 0 ? 1 : 12;
    if (kind == 1) cfg.max_evals = 9;
    if (kind == 2) cfg.stall_iter = 1;
    if (kind == 3) cfg.target = 0.3f;
    if (kind == 4) cfg.restart_temp_ratio = 0.1f;
    CHECK(g_sa.init(lo, hi, 3, 0, cfg, 2) == Status::Ok);
    g_sa.minimize([](const float* x, int n) { return sphere(x, n); });
    CHECK(g_sa.done());
    size_t n1 = 0, n2 = 0;
    CHECK(g_sa.save(b1, sizeof b1, &n1) == Status::Ok);
    if (!CHECK(g_other.load(b1, n1) == Status::Ok)) std::printf("     stop kind %d\n", kind);
    CHECK(g_other.save(b2, sizeof b2, &n2) == Status::Ok);
    CHECK(n1 == n2 && std::memcmp(b1, b2, n1) == 0);
    CHECK(g_other.done() && g_other.stop_reason() == g_sa.stop_reason());
  }
}

TEST_CASE(anneal_state_fuzz) {
  const float lo[5] = {-1, -2, 0, -3, 1}, hi[5] = {1, 2, 0.5f, 3, 9};
  AnnealConfig cfg;
  cfg.restart_temp_ratio = 0.2f;
  static uint8_t blob[Anneal<20>::kMaxSaveSize];
  long accepted = 0, bad = 0;
  long drift = 0;
  const long stops[] = {0, 1, 7, 30, 90};
  for (long k : stops) {
    CHECK(g_sa.init(lo, hi, 5, 0, cfg, 11) == Status::Ok);
    while (g_sa.evaluations() < k) {
      const float* x = g_sa.ask();
      (void)g_sa.tell(x[0] * x[0] + x[1] + (g_sa.evaluations() % 9 == 4 ? NAN : 0.f));
    }
    (void)g_sa.ask();
    size_t n = 0;
    CHECK(g_sa.save(blob, sizeof blob, &n) == Status::Ok);
    const auto r = mutation::run(g_other, blob, n, 3000 + static_cast<uint64_t>(k), 400);
    accepted += r.accepted;
    bad += r.bad;
    drift += r.drift;
  }
  CHECK_EQ(bad, 0L);
  std::printf("     edited states accepted: %ld, of which %ld later fail check_invariants\n", accepted, drift);
  CHECK(accepted > 0);
}

int main() { return check::run_all(); }
