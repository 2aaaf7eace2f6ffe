// SPDX-License-Identifier: MIT
// NelderMead: golden trajectories from tools/nelder_mead_ref.py (an
// independent Python reference, float32 emulated op by op), the same on every
// target; the memory formula; the coefficients; the initial simplex, the
// projection onto the box, restarts on collapse, convergence; and a bounded
// fuzz of the state loader.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_nelder_mead.h"
#include "state_mutation.hpp"
#include "starling/nelder_mead.hpp"

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
// tools/pso_ref.py's golden_cost: a weighted shifted sphere, NaN every 7th.
float golden_cost(const float* x, int dims, long n_eval) {
  if (n_eval % 7 == 6) return std::numeric_limits<float>::quiet_NaN();
  float s = 0;
  for (int d = 0; d < dims; ++d) {
    const float e = x[d] - 0.25f * static_cast<float>(d % 3);
    s = s + (e * e) * static_cast<float>(d + 1);
  }
  return s;
}
// The CASES of tools/nelder_mead_ref.py.
NelderMeadConfig golden_config(const char* name, const float** start) {
  static const float kStart[6] = {-1.5f, 0.5f, -0.25f, 0.0f, 2.0f, 1.0f};
  NelderMeadConfig c;
  *start = nullptr;
  if (std::strcmp(name, "adaptive_d5") == 0) {
    c.max_iter = 120;
  } else if (std::strcmp(name, "classic_d3") == 0) {
    c.adaptive = false;
    c.max_iter = 200;
  } else if (std::strcmp(name, "restarts_d4") == 0) {
    c.restart_tol = 0.02f;
    c.step = 0.5f;
    c.max_iter = 400;
  } else if (std::strcmp(name, "d1_evals") == 0) {
    c.max_iter = 1000;
    c.max_evals = 77;
  } else if (std::strcmp(name, "start_d6_target") == 0) {
    *start = kStart;
    c.target = 0.5f;
    c.max_iter = 2000;
  } else {
    c.max_iter = 100000;
    c.stall_iter = 40;
    c.restart_tol = 0.f;
  }
  return c;
}

NelderMead<16> g_nm, g_other;

}  // namespace

TEST_CASE(nm_golden_trajectories) {
  for (const auto& g : golden_nm::kTrajectories) {
    float lo[16], hi[16];
    for (int d = 0; d < g.dims; ++d) {
      lo[d] = -2.0f - static_cast<float>(d);
      hi[d] = 1.0f + 0.5f * static_cast<float>(d);
    }
    const float* start = nullptr;
    const NelderMeadConfig cfg = golden_config(g.name, &start);
    CHECK(g_nm.init(lo, hi, g.dims, 0, cfg, g.seed) == Status::Ok);
    if (start != nullptr) CHECK(g_nm.set_start(start) == Status::Ok);
    uint64_t h = kFnvOffset;
    long k = 0;
    while (const float* x = g_nm.ask()) {
      for (int d = 0; d < g.dims; ++d) h = fnv_u32(h, bits(x[d]));
      const float c = golden_cost(x, g.dims, k++);
      h = fnv_u32(h, std::isnan(c) ? 0x7FC00000u : bits(c));
      if (g_nm.tell(c) != Status::Ok) break;
    }
    if (!CHECK_EQ(h, g.hash)) std::printf("     trajectory %s\n", g.name);
    CHECK_EQ(bits(g_nm.best_value()), g.best_bits);
    CHECK_EQ(g_nm.evaluations(), g.evals);
    CHECK_EQ(g_nm.iteration(), g.iterations);
    CHECK_EQ(g_nm.restarts(), g.restarts);
  }
}

TEST_CASE(nm_memory_formula) {
  using F8 = NelderMead<8>;
  using D3 = NelderMead<3, double>;
  auto up8 = [](size_t n) { return (n + 7) / 8 * 8; };
  CHECK_EQ(sizeof(F8), up8(sizeof(float) * (9 * 9 + 6 * 8) + sizeof(F8::Core)));
  CHECK_EQ(sizeof(D3), up8(sizeof(double) * (4 * 4 + 6 * 3) + sizeof(D3::Core)));
  // The header's figures: 224 bytes on 64-bit hosts, 184 on 32-bit targets.
  CHECK_EQ(sizeof(F8::Core), sizeof(void*) == 8 ? size_t{224} : size_t{184});
  // save_size() = 144 + R·(3 + (D + 1)² + 6·D)
  CHECK_EQ(F8::kMaxSaveSize, size_t{144 + 4 * (3 + 81 + 48)});
  CHECK_EQ(D3::kMaxSaveSize, size_t{144 + 8 * (3 + 16 + 18)});
}

TEST_CASE(nm_coefficients) {
  float lo[16], hi[16];
  for (int d = 0; d < 16; ++d) lo[d] = -1, hi[d] = 1;
  float c[4];
  for (int n : {2, 5, 10, 16}) {
    CHECK(g_nm.init(lo, hi, n, 0, NelderMeadConfig{}, 1) == Status::Ok);
    g_nm.coefficients(c);
    const float rn = static_cast<float>(n);
    CHECK_EQ(c[0], 1.f);
    CHECK_EQ(c[1], 1.f + 2.f / rn);
    CHECK_EQ(c[2], 0.75f - 1.f / (2.f * rn));
    CHECK_EQ(c[3], 1.f - 1.f / rn);
  }
  NelderMeadConfig classic;
  classic.adaptive = false;
  for (int n : {1, 2, 9}) {
    CHECK(g_nm.init(lo, hi, n, 0, n == 1 ? NelderMeadConfig{} : classic, 1) == Status::Ok);
    g_nm.coefficients(c);
    CHECK(c[0] == 1.f && c[1] == 2.f && c[2] == 0.5f && c[3] == 0.5f);
  }
}

// The first D + 1 asks are the initial simplex: the start point, then the
// start moved by ±step·range along one axis each (the other sign when the
// drawn one would leave the box).
TEST_CASE(nm_initial_simplex) {
  const float lo[3] = {0, -10, 5}, hi[3] = {1, 10, 6};
  const float start[3] = {0.95f, 0.f, 5.5f};
  NelderMeadConfig cfg;
  cfg.step = 0.25f;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    CHECK(g_nm.init(lo, hi, 3, 0, cfg, seed) == Status::Ok);
    CHECK(g_nm.set_start(start) == Status::Ok);
    CHECK(g_nm.set_start(start) == Status::Ok);  // still before the first ask
    const float* x = g_nm.ask();
    CHECK(std::memcmp(x, start, sizeof start) == 0);
    CHECK(g_nm.tell(1) == Status::Ok);
    CHECK(g_nm.set_start(start) == Status::NotReady);
    for (int k = 1; k <= 3; ++k) {
      x = g_nm.ask();
      const int d = k - 1;
      const float h = 0.25f * (hi[d] - lo[d]);
      for (int j = 0; j < 3; ++j)
        if (j != d) CHECK_EQ(x[j], start[j]);
      CHECK(x[d] == start[d] + h || x[d] == start[d] - h);
      if (d == 0) CHECK_EQ(x[d], start[d] - h);  // + would leave the box
      CHECK_EQ(g_nm.iteration(), 0);
      CHECK(g_nm.tell(static_cast<float>(k + 1)) == Status::Ok);
    }
    CHECK_EQ(g_nm.iteration(), 1);  // the initial simplex is the first generation
    CHECK_EQ(g_nm.evaluations(), 4L);
  }
}

// A minimum outside the box: the projected trial points reach the face
// exactly and the search ends on the corner.
TEST_CASE(nm_projection_onto_box) {
  const double lo[3] = {0, 0, -1}, hi[3] = {1, 2, 1};
  static NelderMead<3, double> nm;
  NelderMeadConfig cfg;
  cfg.max_iter = 400;
  CHECK(nm.init(lo, hi, 3, 0, cfg, 3) == Status::Ok);
  long outside = 0;
  while (const double* x = nm.ask()) {
    for (int d = 0; d < 3; ++d) outside += x[d] < lo[d] || x[d] > hi[d];
    double s = 0;
    for (int d = 0; d < 3; ++d) s += (x[d] - 5) * (x[d] - 5);
    (void)nm.tell(s);
  }
  CHECK_EQ(outside, 0L);
  CHECK_EQ(nm.best_position()[0], 1.0);
  CHECK_EQ(nm.best_position()[1], 2.0);
  CHECK_EQ(nm.best_position()[2], 1.0);
}

// Collapse → restart: the best vertex is kept (vertex 0, not evaluated
// again, its cost carried over) and the others are rebuilt at full size
// around it, D evaluations forming one generation. Without restarts the
// simplex just keeps shrinking.
TEST_CASE(nm_restart_on_collapse) {
  const float lo[3] = {-4, -4, 0}, hi[3] = {4, 4, 1};
  auto f = [](const float* x, int) { return (x[0] - 1) * (x[0] - 1) + x[1] * x[1] + x[2]; };
  NelderMeadConfig cfg;
  cfg.max_iter = 1 << 20;
  cfg.max_evals = 1500;
  cfg.restart_tol = 1e-4f;
  CHECK(g_nm.init(lo, hi, 3, 0, cfg, 5) == Status::Ok);
  int seen = 0;
  long checked = 0, wrong = 0;
  while (const float* x = g_nm.ask()) {
    const int gen = g_nm.iteration();
    (void)g_nm.tell(f(x, 3));
    if (g_nm.restarts() == seen) continue;
    seen = g_nm.restarts();
    CHECK_EQ(g_nm.iteration(), gen + 1);  // the collapsed step's generation ended
    // Vertex 0 is the best vertex; the next 3 asks are the fresh simplex.
    float v0[3];
    std::memcpy(v0, g_nm.vertex(0), sizeof v0);
    CHECK_EQ(g_nm.vertex_value(0), g_nm.best_value());
    for (int k = 0; k < 3 && !g_nm.done(); ++k) {
      const float* y = g_nm.ask();
      const float h = 0.2f * (hi[k] - lo[k]);
      for (int j = 0; j < 3; ++j) {
        // Axis k moved by ±h (or clamped at a bound when neither sign
        // fits), the others as vertex 0.
        const bool ok = j != k ? y[j] == v0[j]
                               : y[j] == v0[j] + h || y[j] == v0[j] - h || y[j] == lo[j] || y[j] == hi[j];
        if (!ok) ++wrong;
      }
      ++checked;
      (void)g_nm.tell(f(y, 3));
    }
    CHECK_EQ(g_nm.restarts(), seen);
  }
  CHECK(seen >= 2);
  CHECK(checked > 0);
  CHECK_EQ(wrong, 0L);
  CHECK(g_nm.best_value() < 1e-6f);

  NelderMeadConfig never = cfg;
  never.restart_tol = 0;
  CHECK(g_nm.init(lo, hi, 3, 0, never, 5) == Status::Ok);
  g_nm.minimize(f);
  CHECK_EQ(g_nm.restarts(), 0);
  float spread = 0;
  for (int i = 1; i <= 3; ++i)
    for (int d = 0; d < 3; ++d) spread = std::fmax(spread, std::fabs(g_nm.vertex(i)[d] - g_nm.vertex(0)[d]));
  CHECK(spread < 1e-5f);
}

TEST_CASE(nm_converges) {
  auto rosen = [](const float* x, int n) {
    float s = 0;
    for (int i = 0; i + 1 < n; ++i) {
      const float a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
      s += 100 * a * a + b * b;
    }
    return s;
  };
  float lo[4], hi[4];
  for (int d = 0; d < 4; ++d) lo[d] = -2, hi[d] = 3;
  NelderMeadConfig cfg;
  cfg.max_iter = 1 << 20;
  cfg.max_evals = 4000;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CHECK(g_nm.init(lo, hi, 4, 0, cfg, seed) == Status::Ok);
    long gens = 0;
    g_nm.minimize(rosen, [&](float, long, int) { ++gens; });
    CHECK_EQ(gens, static_cast<long>(g_nm.iteration()));
    CHECK(g_nm.best_value() < 1e-4f);
  }
}

// A state saved after any kind of stop loads back to the same bytes
// (generations that end in a stop leave their indices one past the end).
TEST_CASE(nm_saved_after_stops) {
  const float lo[3] = {-1, -1, -1}, hi[3] = {1, 1, 1};
  static uint8_t b1[NelderMead<16>::kMaxSaveSize], b2[NelderMead<16>::kMaxSaveSize];
  auto f = [](const float* x, int) { return x[0] * x[0] + 2 * x[1] * x[1] + (x[2] - 0.5f) * (x[2] - 0.5f); };
  for (int kind = 0; kind < 6; ++kind) {
    NelderMeadConfig cfg;
    cfg.max_iter = kind == 0 ? 1 : kind == 5 ? 7 : 60;
    if (kind == 1) cfg.max_evals = 2;
    if (kind == 2) cfg.stall_iter = 2;
    if (kind == 3) cfg.target = 0.05f;
    if (kind == 4) cfg.restart_tol = 0.3f;  // restarts, then MaxIter
    CHECK(g_nm.init(lo, hi, 3, 0, cfg, 2) == Status::Ok);
    g_nm.minimize(f);
    CHECK(g_nm.done());
    size_t n1 = 0, n2 = 0;
    CHECK(g_nm.save(b1, sizeof b1, &n1) == Status::Ok);
    if (!CHECK(g_other.load(b1, n1) == Status::Ok)) std::printf("     stop kind %d\n", kind);
    CHECK(g_other.save(b2, sizeof b2, &n2) == Status::Ok);
    CHECK(n1 == n2 && std::memcmp(b1, b2, n1) == 0);
    CHECK(g_other.done() && g_other.stop_reason() == g_nm.stop_reason());
  }
}

TEST_CASE(nm_state_fuzz) {
  float lo[5] = {-1, -2, 0, -3, 1}, hi[5] = {1, 2, 0.5f, 3, 9};
  NelderMeadConfig cfg;
  cfg.restart_tol = 0.05f;
  static uint8_t blob[NelderMead<16>::kMaxSaveSize];
  long accepted = 0, bad = 0;
  long drift = 0;
  const long stops[] = {0, 3, 6, 40, 200};
  for (long k : stops) {
    CHECK(g_nm.init(lo, hi, 5, 0, cfg, 11) == Status::Ok);
    while (g_nm.evaluations() < k) {
      const float* x = g_nm.ask();
      (void)g_nm.tell(x[0] * x[0] + x[1] + (g_nm.evaluations() % 9 == 4 ? NAN : 0.f));
    }
    (void)g_nm.ask();  // pending
    size_t n = 0;
    CHECK(g_nm.save(blob, sizeof blob, &n) == Status::Ok);
    const auto r = mutation::run(g_other, blob, n, 1000 + static_cast<uint64_t>(k), 400);
    accepted += r.accepted;
    bad += r.bad;
    drift += r.drift;
  }
  CHECK_EQ(bad, 0L);
  CHECK_EQ(drift, 0L);  // the check is closed under the simplex steps (N8 makes it so)
  CHECK(accepted > 0);  // some flips hit values that stay valid
}

int main() { return check::run_all(); }
