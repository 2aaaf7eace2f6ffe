// SPDX-License-Identifier: MIT
// Tests of the forward-only polytope step (starling/polystep.hpp): it stays
// on the int8 lattice, descends a separable quadratic, is a pure function of
// its seed and costs, honours its stop rules and refuses bad input; and its
// trajectories match tools/polystep_ref.py (polystep_golden.h) bit for bit.
#include <cmath>
#include <cstdint>

#include "check.hpp"
#include "polystep_golden.h"
#include "starling/polystep.hpp"

using starling::PolyStepConfig;
using starling::Status;

namespace {

float quadratic(const int8_t* w, int n) {
  float f = 0;
  for (int d = 0; d < n; ++d) {
    const float e = static_cast<float>(w[d]) - static_cast<float>((d * 37) % 101 - 50);
    f = f + e * e;
  }
  return f;
}

// Run to the end; returns an FNV hash of every asked point and told cost.
uint64_t run(starling::PolyStep<40, 2>& ps, int particles, uint64_t seed, float* best) {
  PolyStepConfig cfg;
  cfg.density = 0.2f;
  cfg.max_iter = 150;
  if (ps.init(nullptr, 40, particles, cfg, seed) != Status::Ok) return 0;
  uint64_t h = 0xCBF29CE484222325ull;
  while (const int8_t* w = ps.ask()) {
    for (int d = 0; d < 40; ++d) {
      h ^= static_cast<uint8_t>(w[d]);
      h *= 0x100000001B3ull;
    }
    (void)ps.tell(quadratic(w, 40));
  }
  *best = ps.best_value();
  return h;
}

TEST_CASE(descends_a_quadratic_on_the_lattice) {
  static starling::PolyStep<40, 2> ps;
  float best = 0;
  const float start = quadratic(ps.best_position(), 0);  // 0: empty sum
  CHECK(start == 0.f);
  int8_t zero[40] = {};
  const float f0 = quadratic(zero, 40);
  (void)run(ps, 1, 3, &best);
  // From 0 (cost ~ 33,000) to within a few lattice units of the optimum.
  CHECK(best < 0.01f * f0);
  CHECK(ps.evaluations() > 0 && ps.evaluations() < 150L * 9);
  CHECK_EQ(ps.iteration(), 150);
  // The incumbent's cost is the told value of the point it holds.
  CHECK(quadratic(ps.best_position(), 40) == best);
  (void)run(ps, 2, 3, &best);
  CHECK(best < 0.02f * f0);
}

TEST_CASE(deterministic_in_seed) {
  static starling::PolyStep<40, 2> a, b;
  float fa = 0, fb = 0;
  const uint64_t ha = run(a, 2, 11, &fa), hb = run(b, 2, 11, &fb);
  CHECK_EQ(ha, hb);
  CHECK(fa == fb);
  const uint64_t hc = run(b, 2, 12, &fb);
  CHECK(ha != hc);
}

TEST_CASE(stop_rules) {
  static starling::PolyStep<8> ps;
  PolyStepConfig cfg;
  cfg.density = 1.f;
  cfg.max_evals = 25;
  CHECK(ps.init(nullptr, 8, 1, cfg, 1) == Status::Ok);
  long n = 0;
  while (const int8_t* w = ps.ask()) {
    (void)ps.tell(quadratic(w, 8));
    ++n;
  }
  CHECK_EQ(n, 25L);
  CHECK(ps.tell(1.f) == Status::Done);
  cfg.max_evals = 0;
  cfg.target = 1e9f;  // the start already meets it
  CHECK(ps.init(nullptr, 8, 1, cfg, 1) == Status::Ok);
  CHECK(ps.tell(5.f) == Status::Ok);
  CHECK(ps.done() && ps.ask() == nullptr);
  // NaN counts as +inf; the lattice bounds hold at the extremes.
  cfg.target = -INFINITY;
  cfg.max_iter = 20;
  cfg.step = cfg.step_max = 254.f;
  const int8_t edge[8] = {127, -127, 127, -127, 0, 0, 0, 0};
  CHECK(ps.init(edge, 8, 1, cfg, 2) == Status::Ok);
  int asked = 0;
  while (const int8_t* w = ps.ask()) {
    for (int d = 0; d < 8; ++d) CHECK(w[d] >= -127 && w[d] <= 127);
    (void)ps.tell(asked++ % 3 == 0 ? NAN : quadratic(w, 8));
  }
  CHECK(std::isfinite(ps.best_value()));
}

// A flat cost never improves: with patience P the particle restarts every
// P steps, each restart a fresh point within ±spread of the start, asked
// before its next step; every point stays on the lattice.
TEST_CASE(restarts_after_patience_within_spread) {
  static starling::PolyStep<16> ps;
  PolyStepConfig cfg;
  cfg.density = 1.f;
  cfg.spread = 10.f;
  cfg.patience = 3;
  cfg.max_iter = 12;
  const int8_t start[16] = {120, -120, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -3};
  CHECK(ps.init(start, 16, 1, cfg, 9) == Status::Ok);
  bool any_off_start = false;
  while (const int8_t* w = ps.ask()) {
    for (int d = 0; d < 16; ++d) {
      CHECK(w[d] >= -127 && w[d] <= 127);
      any_off_start = any_off_start || w[d] != start[d];
    }
    (void)ps.tell(1.f);
  }
  CHECK(any_off_start);
  CHECK_EQ(ps.restarts(), 4L);  // 12 non-improving steps, patience 3
  CHECK_EQ(ps.iteration(), 12);
  // The start itself (the first point asked) lies within the spread.
  CHECK(ps.init(start, 16, 1, cfg, 9) == Status::Ok);
  const int8_t* w0 = ps.ask();
  for (int d = 0; d < 16; ++d) {
    const int lo = start[d] - 10 < -127 ? -127 : start[d] - 10, hi = start[d] + 10 > 127 ? 127 : start[d] + 10;
    CHECK(w0[d] >= lo && w0[d] <= hi);
  }
  // Without patience no restart happens.
  cfg.patience = 0;
  CHECK(ps.init(start, 16, 1, cfg, 9) == Status::Ok);
  while (ps.ask() != nullptr) (void)ps.tell(1.f);
  CHECK_EQ(ps.restarts(), 0L);
}

TEST_CASE(bad_input_is_refused) {
  static starling::PolyStep<8, 2> ps;
  CHECK(ps.ask() == nullptr);
  CHECK(ps.tell(1.f) == Status::NotReady);
  PolyStepConfig cfg;
  CHECK(ps.init(nullptr, 0, 1, cfg, 1) == Status::InvalidArgument);
  CHECK(ps.init(nullptr, 9, 1, cfg, 1) == Status::CapacityExceeded);
  CHECK(ps.init(nullptr, 8, 3, cfg, 1) == Status::CapacityExceeded);
  PolyStepConfig c = cfg;
  c.subspace = 17;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.density = 0;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.temperature = NAN;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.step = 0.5f;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.spread = -1.f;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.spread = 255.f;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.restart_spread = -1.f;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.restart_spread = NAN;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.patience = -1;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.target = INFINITY;
  CHECK(ps.init(nullptr, 8, 1, c, 1) == Status::InvalidArgument);
  CHECK(ps.done());
}

// ---- golden trajectories: tests/train/polystep_golden.h comes from
// tools/polystep_ref.py, an independent Python reference written from the
// rule in polystep.hpp (float32 emulated op by op, tools/det_ref.py's
// det_exp). The costs are integers, computed exactly on both sides.
const int8_t* xor_start() {
  static int8_t s[22];
  for (int d = 0; d < 22; ++d) s[d] = static_cast<int8_t>((5 * d) % 21 - 10);
  return s;
}
// polystep_ref.py's xor_net: a 2-4-2 integer network on the four xor points.
float xor_net(const int8_t* w) {
  static const int kX[4][2] = {{-64, -64}, {-64, 64}, {64, -64}, {64, 64}};
  static const int kY[4] = {0, 1, 1, 0};
  long err = 0, hinge = 0;
  for (int p = 0; p < 4; ++p) {
    int h[4];
    for (int i = 0; i < 4; ++i) {
      const int a = w[2 * i] * kX[p][0] + w[2 * i + 1] * kX[p][1] + 64 * w[8 + i];
      h[i] = a > 0 ? a / 64 : 0;  // >> 6 of a non-negative value
    }
    int o[2];
    for (int k = 0; k < 2; ++k) {
      o[k] = 64 * w[20 + k];
      for (int i = 0; i < 4; ++i) o[k] += w[12 + 4 * k + i] * h[i];
    }
    const int m = o[kY[p]] - o[1 - kY[p]];
    err += m <= 0 ? 1 : 0;
    hinge += m < 1024 ? 1024 - m : 0;
  }
  const long capped = hinge < (1L << 21) - 1 ? hinge : (1L << 21) - 1;
  return static_cast<float>(err * (1L << 21) + capped);
}

template <int D, int N>
void check_golden(int which, int dims, int particles, const PolyStepConfig& cfg, uint64_t seed,
                  const int8_t* start, uint64_t hash, long evals, long restarts, float best_f,
                  const int8_t* first, const int8_t* second, const int8_t* best) {
  static starling::PolyStep<D, N> ps;
  CHECK(ps.init(start, dims, particles, cfg, seed) == Status::Ok);
  uint64_t h = 0xCBF29CE484222325ull;
  long k = 0;
  while (const int8_t* w = ps.ask()) {
    for (int d = 0; d < dims; ++d) {
      h ^= static_cast<uint8_t>(w[d]);
      h *= 0x100000001B3ull;
    }
    for (int d = 0; d < 8; ++d) {
      if (k == 0) CHECK_EQ(static_cast<int>(w[d]), static_cast<int>(first[d]));
      if (k == 1) CHECK_EQ(static_cast<int>(w[d]), static_cast<int>(second[d]));
    }
    ++k;
    (void)ps.tell(which == 1 ? xor_net(w) : quadratic(w, dims));
  }
  CHECK_EQ(h, hash);
  CHECK_EQ(ps.evaluations(), evals);
  CHECK_EQ(ps.restarts(), restarts);
  CHECK(ps.best_value() == best_f);
  for (int d = 0; d < dims; ++d) CHECK_EQ(static_cast<int>(ps.best_position()[d]), static_cast<int>(best[d]));
}

TEST_CASE(trajectories_match_python_reference) {
  namespace g = polystep_golden;
  PolyStepConfig c0;
  c0.density = 0.2f;
  c0.max_iter = 150;
  check_golden<40, 3>(0, 40, 2, c0, 3, nullptr, g::kHash0, g::kEvals0, g::kRestarts0, g::kBestF0, g::kFirst0,
                      g::kSecond0, g::kBest0);
  PolyStepConfig c1;
  c1.density = 0.25f;
  c1.step = 16.f;
  c1.step_min = 8.f;
  c1.patience = 40;
  c1.spread = 64.f;
  c1.max_iter = 200;
  check_golden<40, 3>(1, 22, 2, c1, 11, xor_start(), g::kHash1, g::kEvals1, g::kRestarts1, g::kBestF1,
                      g::kFirst1, g::kSecond1, g::kBest1);
  PolyStepConfig c2;
  c2.subspace = 3;
  c2.density = 0.5f;
  c2.spread = 10.f;
  c2.patience = 3;
  c2.temperature = 0.5f;
  c2.max_iter = 40;
  check_golden<40, 3>(2, 24, 3, c2, 0x123456789ABull, nullptr, g::kHash2, g::kEvals2, g::kRestarts2, g::kBestF2,
                      g::kFirst2, g::kSecond2, g::kBest2);
  PolyStepConfig c3;  // restarts around the incumbent
  c3.density = 0.25f;
  c3.step_min = 8.f;
  c3.patience = 10;
  c3.spread = 64.f;
  c3.restart_spread = 24.f;
  c3.max_iter = 150;
  check_golden<40, 3>(1, 22, 1, c3, 5, xor_start(), g::kHash3, g::kEvals3, g::kRestarts3, g::kBestF3,
                      g::kFirst3, g::kSecond3, g::kBest3);
}

}  // namespace

int main() { return check::run_all(); }
