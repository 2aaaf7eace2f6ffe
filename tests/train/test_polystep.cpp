// SPDX-License-Identifier: MIT
// Tests of the forward-only polytope step (starling/polystep.hpp): it stays
// on the int8 lattice, descends a separable quadratic, is a pure function of
// its seed and costs, honours its stop rules and refuses bad input.
#include <cmath>
#include <cstdint>

#include "check.hpp"
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
  c.patience = -1;
  CHECK(starling::validate(c) == Status::InvalidArgument);
  c = cfg;
  c.target = INFINITY;
  CHECK(ps.init(nullptr, 8, 1, c, 1) == Status::InvalidArgument);
  CHECK(ps.done());
}

}  // namespace

int main() { return check::run_all(); }
