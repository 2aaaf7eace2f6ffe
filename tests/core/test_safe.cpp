// SPDX-License-Identifier: MIT
// Safe tuning: the feasibility predicate, the trust radius and the start
// point (see Pso::set_feasible in pso.hpp). Property sweeps over >= 10^5
// asks check that nothing infeasible and nothing outside the trust box is
// ever handed out, for every variant, topology and boundary mode.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "config_matrix.hpp"
#include "trajectory_hash.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {

// Infeasible: inside a ball of radius 0.6 around (0.5, 0.5, ...), or x0 + x1
// above 1.8 (a nonconvex safe set; the cost's minimum lies in the hole).
struct Safe {
  long calls = 0;
};
template <class Real>
bool feasible(const Real* x, int dims, void* ctx) {
  if (ctx) ++static_cast<Safe*>(ctx)->calls;
  Real r2 = 0;
  for (int d = 0; d < dims; ++d) r2 += (x[d] - Real(0.5)) * (x[d] - Real(0.5));
  if (r2 < Real(0.36)) return false;
  return !(dims >= 2 && x[0] + x[1] > Real(1.8));
}
template <class Real>
Real cost(const Real* x, int dims) {
  Real s = 0;
  for (int d = 0; d < dims; ++d) s += (x[d] - Real(0.4)) * (x[d] - Real(0.4)) * Real(d + 1);
  return s;
}
bool reject_all(const float* x, int dims, void* ctx) {
  (void)x;
  (void)dims;
  if (ctx) ++static_cast<Safe*>(ctx)->calls;
  return false;
}

// Trust box of pso.hpp, computed with the same operations.
template <class Real>
bool in_trust(const Real* x, const Real* c, const Real* lo, const Real* hi, int dims, float r) {
  for (int d = 0; d < dims; ++d) {
    const Real rad = static_cast<Real>(r) * (hi[d] - lo[d]);
    Real tlo = c[d] - rad, thi = c[d] + rad;
    if (tlo < lo[d]) tlo = lo[d];
    if (thi > hi[d]) thi = hi[d];
    if (!(x[d] >= tlo && x[d] <= thi)) return false;
  }
  return true;
}

struct Outcome {
  long asks = 0, bad_feasible = 0, bad_trust = 0, bad_box = 0, bad_repeat = 0;
  uint64_t hash = kFnvOffset;
};

// Runs to the end, checking every handed-out candidate.
template <class P, class Real>
Outcome drive(P& pso, const Real* lo, const Real* hi, bool pred, float trust, const Real* start) {
  Outcome o;
  const int dims = pso.dims();
  Real centre[8];
  for (int d = 0; d < dims; ++d) centre[d] = start ? start[d] : Real(0);
  bool centred = start != nullptr;
  while (const Real* x = pso.ask()) {
    ++o.asks;
    if (pso.best_position()) {
      for (int d = 0; d < dims; ++d) centre[d] = pso.best_position()[d];
      centred = true;
    }
    if (pred && !feasible<Real>(x, dims, nullptr)) ++o.bad_feasible;
    if (trust > 0 && centred && !in_trust(x, centre, lo, hi, dims, trust)) ++o.bad_trust;
    for (int d = 0; d < dims; ++d)
      if (!(x[d] >= lo[d] && x[d] <= hi[d])) ++o.bad_box;
    if (pso.ask() != x) ++o.bad_repeat;  // a pending ask repeats
    for (int d = 0; d < dims; ++d) o.hash = fnv(o.hash, x[d]);
    const Real f = cost(x, dims);
    o.hash = fnv(o.hash, f);
    if (pso.tell(f) != Status::Ok) break;
  }
  return o;
}

const float kLo[5] = {-1, -1.5f, -1, -2, -1}, kHi[5] = {2, 1.5f, 1, 2, 3};
const float kStart[5] = {-0.8f, -1.2f, -0.9f, 1.5f, 2.5f};  // feasible

}  // namespace

TEST_CASE(property_never_infeasible_never_outside_trust_box) {
  static Pso<5, 10> pso;
  long asks = 0, infeasible = 0, fallbacks = 0;
  for (int v = 0; v < 3; ++v)
    for (int t = 0; t < 2; ++t)
      for (int b = 0; b < 3; ++b) {
        PsoConfig c = config_matrix(v, t, b);
        c.max_iter = 600;
        CHECK(pso.init(kLo, kHi, 5, 10, c, 1000u + static_cast<unsigned>(v * 6 + t * 3 + b)) ==
              Status::Ok);
        CHECK(pso.set_feasible(feasible<float>, nullptr, 6) == Status::Ok);
        CHECK(pso.set_trust_radius(0.15f) == Status::Ok);
        CHECK(pso.set_start(kStart) == Status::Ok);
        const float* first = pso.ask();
        CHECK(first != nullptr && std::memcmp(first, kStart, sizeof kStart) == 0);
        const Outcome o = drive(pso, kLo, kHi, true, 0.15f, kStart);
        CHECK_EQ(o.bad_feasible, 0L);
        CHECK_EQ(o.bad_trust, 0L);
        CHECK_EQ(o.bad_box, 0L);
        CHECK_EQ(o.bad_repeat, 0L);
        CHECK_EQ(o.asks, 6000L);
        CHECK(pso.best_position() != nullptr && feasible<float>(pso.best_position(), 5, nullptr));
        CHECK(pso.best_value() < cost(kStart, 5));
        asks += o.asks;
        infeasible += pso.infeasible_count();
        fallbacks += pso.fallback_count();
      }
  CHECK(asks >= 100000);
  CHECK(infeasible > 0);  // the predicate really had work to do
  std::printf("     %ld asks, %ld infeasible draws rejected, %ld fallbacks\n", asks, infeasible,
              fallbacks);
}

TEST_CASE(property_each_filter_alone) {
  static Pso<5, 10> pso;
  long asks = 0;
  for (int v = 0; v < 3; ++v)
    for (int b = 0; b < 3; ++b)
      for (int which = 0; which < 2; ++which) {
        PsoConfig c = config_matrix(v, b % 2, b);
        c.max_iter = 120;
        CHECK(pso.init(kLo, kHi, 5, 10, c, 77u + static_cast<unsigned>(v * 3 + b)) == Status::Ok);
        CHECK(pso.set_feasible(which == 0 ? feasible<float> : nullptr) == Status::Ok);
        CHECK(pso.set_trust_radius(which == 1 ? 0.05f : 0.f) == Status::Ok);
        // Without a start point: the first candidate is the swarm's (made
        // feasible by uniform draws); the trust box starts at the first tell.
        const Outcome o = drive(pso, kLo, kHi, which == 0, which == 1 ? 0.05f : 0.f,
                                static_cast<const float*>(nullptr));
        CHECK_EQ(o.bad_feasible + o.bad_trust + o.bad_box + o.bad_repeat, 0L);
        CHECK_EQ(o.asks, 1200L);
        if (which == 1) CHECK_EQ(pso.infeasible_count(), 0L);
        asks += o.asks;
      }
  CHECK(pso.set_trust_radius(0.f) == Status::Ok);
  CHECK(pso.set_feasible(nullptr) == Status::Ok);
  CHECK_EQ(asks, 21600L);
}

TEST_CASE(double_property) {
  static Pso<3, 6, double> pso;
  const double lo[3] = {-1, -1, -1}, hi[3] = {2, 2, 2}, start[3] = {-0.9, -0.9, 1.9};
  for (int b = 0; b < 3; ++b) {
    PsoConfig c = config_matrix(b, b % 2, b);
    c.max_iter = 500;
    CHECK(pso.init(lo, hi, 3, 6, c, 5) == Status::Ok);
    CHECK(pso.set_feasible(feasible<double>) == Status::Ok);
    CHECK(pso.set_trust_radius(0.3f) == Status::Ok);
    CHECK(pso.set_start(start) == Status::Ok);
    const Outcome o = drive(pso, lo, hi, true, 0.3f, start);
    CHECK_EQ(o.bad_feasible + o.bad_trust + o.bad_box + o.bad_repeat, 0L);
    CHECK_EQ(o.asks, 3000L);
  }
}

TEST_CASE(reject_all_hands_out_the_incumbent) {
  static Pso<5, 10> pso;
  Safe s;
  PsoConfig c;
  c.max_iter = 7;
  CHECK(pso.init(kLo, kHi, 5, 10, c, 3) == Status::Ok);
  CHECK(pso.set_feasible(reject_all, &s, 5) == Status::Ok);
  CHECK(pso.set_start(kStart) == Status::Ok);
  long asks = 0, not_start = 0;
  while (const float* x = pso.ask()) {
    ++asks;
    if (std::memcmp(x, kStart, sizeof kStart) != 0) ++not_start;
    CHECK(pso.tell(cost(x, 5)) == Status::Ok);
  }
  CHECK_EQ(asks, 70L);
  CHECK_EQ(not_start, 0L);                 // the start is the only safe point
  CHECK_EQ(pso.fallback_count(), 69L);     // every ask but the first (the start itself)
  CHECK_EQ(pso.infeasible_count(), 69L * 6);  // the proposal and 5 re-draws each
  CHECK_EQ(s.calls, 69L * 6);              // the start and the incumbent are not re-checked
  CHECK(std::memcmp(pso.best_position(), kStart, sizeof kStart) == 0);

  // max_tries 0: straight to the incumbent.
  CHECK(pso.init(kLo, kHi, 5, 10, c, 3) == Status::Ok);
  CHECK(pso.set_feasible(reject_all, &s, 0) == Status::Ok);
  CHECK(pso.set_start(kStart) == Status::Ok);
  s.calls = 0;
  while (const float* x = pso.ask()) CHECK(pso.tell(cost(x, 5)) == Status::Ok);
  CHECK_EQ(pso.fallback_count(), 69L);
  CHECK_EQ(pso.infeasible_count(), 69L);
  CHECK_EQ(s.calls, 69L);
}

TEST_CASE(reject_all_without_start_stops_infeasible) {
  static Pso<5, 10> pso;
  Safe s;
  CHECK(pso.init(kLo, kHi, 5, 10, PsoConfig{}, 3) == Status::Ok);
  CHECK(pso.set_feasible(reject_all, &s, 8) == Status::Ok);
  CHECK(pso.ask() == nullptr);
  CHECK(pso.done());
  CHECK(pso.stop_reason() == StopReason::Infeasible);
  CHECK_EQ(pso.infeasible_count(), 9L);
  CHECK_EQ(pso.fallback_count(), 0L);
  CHECK_EQ(s.calls, 9L);
  CHECK(pso.best_position() == nullptr);
  CHECK(pso.tell(1.f) == Status::Done);
  CHECK(pso.set_start(kStart) == Status::NotReady);
}

TEST_CASE(first_candidate_drawn_until_feasible) {
  // Feasible only in a corner (x0 > 1.5): the swarm's first proposal is
  // unlikely to be in it; uniform re-draws find it within 64 tries.
  static Pso<5, 10> pso;
  struct Corner {
    static bool ok(const float* x, int, void*) { return x[0] > 1.5f; }
  };
  long found = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    CHECK(pso.init(kLo, kHi, 5, 10, PsoConfig{}, seed) == Status::Ok);
    CHECK(pso.set_feasible(Corner::ok, nullptr, 64) == Status::Ok);
    const float* x = pso.ask();
    if (x != nullptr) {
      ++found;
      CHECK(x[0] > 1.5f);
    } else {
      CHECK(pso.stop_reason() == StopReason::Infeasible);
    }
  }
  CHECK_EQ(found, 20L);  // P(miss) = (5/6)^65 per seed
}

TEST_CASE(trust_box_centred_on_start_then_best) {
  static Pso<5, 10> pso;
  PsoConfig c;
  c.max_iter = 3;
  CHECK(pso.init(kLo, kHi, 5, 10, c, 11) == Status::Ok);
  CHECK(pso.set_trust_radius(0.01f) == Status::Ok);
  CHECK(pso.set_start(kStart) == Status::Ok);
  const float* x = pso.ask();
  CHECK(std::memcmp(x, kStart, sizeof kStart) == 0);
  CHECK(pso.tell(5.f) == Status::Ok);
  // Everything else stays within 1 % of each range of the incumbent.
  while ((x = pso.ask()) != nullptr) {
    CHECK(in_trust(x, pso.best_position(), kLo, kHi, 5, 0.01f));
    CHECK(pso.tell(cost(x, 5)) == Status::Ok);
  }
}

TEST_CASE(deterministic_with_features_on) {
  static Pso<5, 10> a, b;
  for (int v = 0; v < 3; ++v) {
    PsoConfig c = config_matrix(v, v % 2, v);
    c.max_iter = 50;
    uint64_t h[3];
    for (int k = 0; k < 3; ++k) {
      Pso<5, 10>& p = k == 1 ? b : a;
      CHECK(p.init(kLo, kHi, 5, 10, c, k == 2 ? 43 : 42) == Status::Ok);
      CHECK(p.set_feasible(feasible<float>) == Status::Ok);
      CHECK(p.set_trust_radius(0.2f) == Status::Ok);
      CHECK(p.set_start(kStart) == Status::Ok);
      h[k] = drive(p, kLo, kHi, true, 0.2f, kStart).hash;
    }
    CHECK_EQ(h[0], h[1]);
    CHECK(h[0] != h[2]);
  }
}

TEST_CASE(filters_off_is_the_plain_trajectory) {
  static Pso<5, 10> a, b;
  PsoConfig c = PsoConfig::empso();
  c.max_iter = 40;
  CHECK(a.init(kLo, kHi, 5, 10, c, 9) == Status::Ok);
  CHECK(b.set_feasible(nullptr, nullptr, 3) == Status::Ok);  // set, then off
  CHECK(b.set_trust_radius(0.f) == Status::Ok);
  CHECK(b.init(kLo, kHi, 5, 10, c, 9) == Status::Ok);
  const uint64_t ha = drive(a, kLo, kHi, false, 0.f, static_cast<const float*>(nullptr)).hash;
  const uint64_t hb = drive(b, kLo, kHi, false, 0.f, static_cast<const float*>(nullptr)).hash;
  CHECK_EQ(ha, hb);
  // A trust radius of 1 never clips: the box is the whole range.
  CHECK(b.set_trust_radius(1.f) == Status::Ok);
  CHECK(b.init(kLo, kHi, 5, 10, c, 9) == Status::Ok);
  CHECK_EQ(drive(b, kLo, kHi, false, 1.f, static_cast<const float*>(nullptr)).hash, ha);
}

TEST_CASE(argument_errors) {
  static Pso<5, 10> pso;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(pso.set_start(kStart) == Status::NotReady);  // before init
  CHECK(pso.set_feasible(feasible<float>, nullptr, -1) == Status::InvalidArgument);
  CHECK(pso.set_feasible(feasible<float>, nullptr, 65) == Status::InvalidArgument);
  CHECK(pso.set_feasible(feasible<float>, nullptr, 64) == Status::Ok);
  CHECK(pso.set_trust_radius(-0.1f) == Status::InvalidArgument);
  CHECK(pso.set_trust_radius(1.01f) == Status::InvalidArgument);
  CHECK(pso.set_trust_radius(nan) == Status::InvalidArgument);
  CHECK(pso.set_trust_radius(0.5f) == Status::Ok);
  CHECK_EQ(pso.trust_radius(), 0.5f);
  CHECK(pso.init(kLo, kHi, 5, 10, PsoConfig{}, 1) == Status::Ok);
  CHECK_EQ(pso.trust_radius(), 0.5f);  // init keeps the settings
  CHECK(pso.set_start(nullptr) == Status::InvalidArgument);
  float bad[5];
  std::memcpy(bad, kStart, sizeof bad);
  bad[2] = 1.5f;  // above hi
  CHECK(pso.set_start(bad) == Status::InvalidArgument);
  bad[2] = nan;
  CHECK(pso.set_start(bad) == Status::InvalidArgument);
  CHECK(pso.set_start(kStart) == Status::Ok);
  CHECK(pso.ask() != nullptr);
  CHECK(pso.set_start(kStart) == Status::NotReady);  // after the first ask
  CHECK(pso.tell(1.f) == Status::Ok);
  CHECK(pso.set_start(kStart) == Status::NotReady);
  CHECK(pso.set_feasible(nullptr) == Status::Ok);
  CHECK(pso.set_trust_radius(0.f) == Status::Ok);
}

int main() { return check::run_all(); }
