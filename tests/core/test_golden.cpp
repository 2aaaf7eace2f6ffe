// SPDX-License-Identifier: MIT
// Golden values from tools/pso_ref.py, an independent Python reference
// (Threefry from its definition, float32 emulated op by op): Random123's
// known-answer vectors, our Rng and swarm-block vectors, and whole-trajectory
// hashes. The same numbers must come out on every target and every port.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_ref.h"
#include "starling/starling.hpp"

using namespace starling;

static uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

TEST_CASE(threefry_random123_kat) {
  for (const auto& k : golden::kKat) {
    uint32_t out[4];
    if (k.rounds == 13) threefry4x32<13>(k.ctr, k.key, out);
    else threefry4x32<20>(k.ctr, k.key, out);
    for (int j = 0; j < 4; ++j) CHECK_EQ(out[j], k.out[j]);
  }
}

TEST_CASE(rng_stream_vectors) {
  for (const auto& v : golden::kRng) {
    Rng g(v.seed);
    for (uint32_t w : v.words) CHECK_EQ(g.next_u32(), w);
    for (uint32_t u : v.uniform_bits) CHECK_EQ(bits(g.uniform()), u);
  }
}

TEST_CASE(rng_position_jump) {
  // Jumping to any position gives the same words as drawing up to it.
  Rng a(99), b(99);
  for (uint64_t p = 0; p < 23; ++p) {
    b.set_position(p);
    CHECK_EQ(b.position(), p);
    const uint32_t expect = a.next_u32();
    CHECK_EQ(b.next_u32(), expect);
  }
}

TEST_CASE(swarm_block_vectors) {
  for (const auto& v : golden::kBlocks) {
    uint32_t key[4], out[4];
    detail::swarm_key(v.seed, key);
    detail::swarm_block(key, v.tag, v.iteration, v.particle, v.pair, out);
    for (int j = 0; j < 4; ++j) CHECK_EQ(out[j], v.out[j]);
  }
}

// The shortcut for blocks that differ in counter word 0 only (ports use it
// on SIMD lanes) against the plain definition, on plain words.
TEST_CASE(threefry_ctr0_matches_definition) {
  Rng g(31337);
  for (int n = 0; n < 2000; ++n) {
    uint32_t key[4], ctr[4], want[4];
    for (uint32_t& k : key) k = g.next_u32();
    for (uint32_t& c : ctr) c = g.next_u32();
    if (n % 7 == 0) ctr[0] = 0xFFFFFFFFu;  // carries out of the counter word
    threefry4x32<kThreefryRounds>(ctr, key, want);
    uint32_t x0 = ctr[0], x1 = 0, x2 = 0, x3 = 0;
    threefry4x32_ctr0<kThreefryRounds>(x0, x1, x2, x3, ctr[1], ctr[2], ctr[3], key);
    CHECK_EQ(x0, want[0]);
    CHECK_EQ(x1, want[1]);
    CHECK_EQ(x2, want[2]);
    CHECK_EQ(x3, want[3]);
    uint32_t y0 = ctr[0], y1 = 0, y2 = 0, y3 = 0;  // and for 20 rounds
    uint32_t want20[4];
    threefry4x32<20>(ctr, key, want20);
    threefry4x32_ctr0<20>(y0, y1, y2, y3, ctr[1], ctr[2], ctr[3], key);
    CHECK_EQ(y0, want20[0]);
    CHECK_EQ(y1, want20[1]);
    CHECK_EQ(y2, want20[2]);
    CHECK_EQ(y3, want20[3]);
  }
}

// The rolled Threefry (swarm_block's form in builds optimized for size,
// where the golden tests do not reach it: they build at -O2/-O3) against the
// unrolled definition, on random counters and keys.
TEST_CASE(threefry_rolled_matches_definition) {
  Rng g(4242);
  for (int n = 0; n < 2000; ++n) {
    uint32_t key[4], ctr[4], want[4], got[4];
    for (uint32_t& k : key) k = g.next_u32();
    for (uint32_t& c : ctr) c = g.next_u32();
    if (n % 5 == 0) ctr[1] = ctr[2] = ctr[3] = 0;
    threefry4x32<kThreefryRounds>(ctr, key, want);
    threefry4x32_rolled(ctr, key, got);
    for (int j = 0; j < 4; ++j) CHECK_EQ(got[j], want[j]);
  }
}

// The move's r1, r2 (16-bit halves of one word, move_r1/move_r2) over 2^16
// dimensions of one particle's move: uniform and unrelated. Bounds are about
// six standard deviations for an ideal generator; a mapping that reused bits
// for r1 and r2, or a half that is not random, fails them.
TEST_CASE(move_draws_statistics) {
  uint32_t key[4];
  detail::swarm_key(5, key);
  constexpr int kN = 1 << 16, kBins = 64;
  long bins1[kBins] = {}, bins2[kBins] = {};
  double s1 = 0, s2 = 0, s11 = 0, s22 = 0, s12 = 0;
  long same = 0;
  for (int d0 = 0; d0 < kN; d0 += 4) {
    uint32_t w4[4];
    detail::swarm_block(key, detail::kTagMove, 3, 7, static_cast<uint32_t>(d0) >> 2, w4);
    for (int k = 0; k < 4; ++k) {
      const double a = detail::move_r1<double>(w4[k]), b = detail::move_r2<double>(w4[k]);
      CHECK(a >= 0 && a < 1 && b >= 0 && b < 1);
      s1 += a; s2 += b; s11 += a * a; s22 += b * b; s12 += a * b;
      ++bins1[static_cast<int>(a * kBins)];
      ++bins2[static_cast<int>(b * kBins)];
      same += a == b;
    }
  }
  const double n = kN, m1 = s1 / n, m2 = s2 / n;
  const double sd_mean = std::sqrt(1.0 / 12.0 / n);  // 0.00113
  CHECK(std::fabs(m1 - 0.5) < 6 * sd_mean);
  CHECK(std::fabs(m2 - 0.5) < 6 * sd_mean);
  const double cov = s12 / n - m1 * m2;
  const double corr = cov / std::sqrt((s11 / n - m1 * m1) * (s22 / n - m2 * m2));
  CHECK(std::fabs(corr) < 6 / std::sqrt(n));
  double chi1 = 0, chi2 = 0;
  const double e = n / kBins;
  for (int b = 0; b < kBins; ++b) {
    chi1 += (static_cast<double>(bins1[b]) - e) * (static_cast<double>(bins1[b]) - e) / e;
    chi2 += (static_cast<double>(bins2[b]) - e) * (static_cast<double>(bins2[b]) - e) / e;
  }
  // 63 degrees of freedom: mean 63, standard deviation 11.2.
  CHECK(chi1 < 63 + 6 * 11.2);
  CHECK(chi2 < 63 + 6 * 11.2);
  CHECK(same < 16);  // expected 1 (2^16 pairs, 2^-16 each)
}

namespace {
constexpr uint64_t kFnvOffset = 0xCBF29CE484222325ull, kFnvPrime = 0x100000001B3ull;
uint64_t fnv_u32(uint64_t h, uint32_t w) {
  for (int k = 0; k < 4; ++k) {
    h ^= (w >> (8 * k)) & 0xFFu;
    h *= kFnvPrime;
  }
  return h;
}
// Mirrors golden_cost() of tools/pso_ref.py.
float golden_cost(const float* x, int dims, long n_eval) {
  if (n_eval % 7 == 6) return std::numeric_limits<float>::quiet_NaN();
  float s = 0;
  for (int d = 0; d < dims; ++d) {
    const float e = x[d] - 0.25f * static_cast<float>(d % 3);
    s = s + (e * e) * static_cast<float>(d + 1);
  }
  return s;
}
// Mirrors GOLDEN_CASES of tools/pso_ref.py, from the reference's own base
// (constriction, global, clamp, v_max 0.5, no restarts), spelled out so that
// a change of PsoConfig's defaults does not change these trajectories.
PsoConfig golden_config(const char* name) {
  PsoConfig c;
  c.variant = Variant::Constriction;
  c.w = c.w_end = 0.7298f;
  c.c1 = c.c2 = 1.49618f;
  c.beta = 0.9f;
  c.v_max = 0.5f;
  c.boundary = Boundary::Clamp;
  c.topology = Topology::Global;
  c.max_evals = 0;
  c.target = -std::numeric_limits<float>::infinity();
  c.stall_iter = 0;
  c.bias_correction = false;
  c.random_per_particle = false;
  c.neighbors = 0;
  c.restart_stall = 0;
  c.restart_radius = 0.f;
  c.stall_tol = 0.f;
  c.restart_rehits = 0;
  c.local_stall = 0;
  auto is = [name](const char* n) { return std::strcmp(name, n) == 0; };
  if (is("constriction_ring4_clamp")) {
    c.topology = Topology::Ring;
    c.neighbors = 4;
    c.max_iter = 30;
  } else if (is("empso_vonneumann_reflect")) {
    c.variant = Variant::Empso;
    c.topology = Topology::VonNeumann;
    c.boundary = Boundary::Reflect;
    c.max_iter = 30;
  } else if (is("constriction_random3_restart")) {
    c.topology = Topology::Random;
    c.restart_stall = 2;
    c.max_iter = 60;
  } else if (is("fips_vonneumann_random_bound")) {
    c.variant = Variant::Fips;
    c.topology = Topology::VonNeumann;
    c.boundary = Boundary::Random;
    c.max_iter = 25;
  } else if (is("fips_global_restart_local")) {
    c.variant = Variant::Fips;
    c.restart_stall = 3;
    c.restart_radius = 0.1f;
    c.max_iter = 60;
  } else if (is("constriction_ring4_tol_restart")) {
    c.topology = Topology::Ring;
    c.neighbors = 4;
    c.restart_stall = 3;
    c.stall_tol = 0.01f;
    c.restart_radius = 0.2f;
    c.max_iter = 80;
  } else if (is("empso_ring2_restart_bias")) {
    c.variant = Variant::Empso;
    c.topology = Topology::Ring;
    c.neighbors = 2;
    c.restart_stall = 2;
    c.bias_correction = true;
    c.max_iter = 50;
  } else if (is("constriction_vonneumann_rehits")) {
    c.topology = Topology::VonNeumann;
    c.v_max = 0.25f;
    c.restart_stall = 3;
    c.restart_radius = 0.1f;
    c.stall_tol = 0.05f;
    c.restart_rehits = 2;
    c.max_iter = 120;
  } else if (is("empso_global_local_restart")) {
    c.variant = Variant::Empso;
    c.c1 = c.c2 = 2.0f;
    c.beta = 0.8f;
    c.v_max = 0.15f;
    c.restart_stall = 6;
    c.restart_radius = 0.1f;
    c.stall_tol = 0.003f;
    c.local_stall = 1;
    c.max_iter = 400;
  } else if (is("constriction_global_clamp")) {
    c.max_iter = 30;
  } else if (is("empso_ring_reflect_bias")) {
    c.variant = Variant::Empso;
    c.topology = Topology::Ring;
    c.boundary = Boundary::Reflect;
    c.bias_correction = true;
    c.max_iter = 25;
  } else if (is("inertia_random_perparticle")) {
    c.variant = Variant::Inertia;
    c.w = 0.9f;
    c.w_end = 0.4f;
    c.boundary = Boundary::Random;
    c.random_per_particle = true;
    c.max_iter = 40;
    c.v_max = 1.0f;
  } else if (is("inertia_global_clamp_wide")) {
    c.variant = Variant::Inertia;
    c.max_iter = 12;
  } else if (is("empso_global_clamp_evals")) {
    c.variant = Variant::Empso;
    c.max_iter = 1000;
    c.max_evals = 150;
  } else {
    c.max_iter = 0;  // an unknown name: init() refuses it
  }
  return c;
}
}  // namespace

// Every port compiled in and supported here must give the same trajectory.
TEST_CASE(golden_trajectory_hash) {
  for (int port = 0; port < port_count(); ++port) {
  if (!port_supported(port)) continue;
  CHECK(force_port(port_name(port)) == Status::Ok);
  for (const auto& g : golden::kTrajectories) {
    float lo[40], hi[40];
    for (int d = 0; d < g.dims; ++d) {
      lo[d] = -2.0f - static_cast<float>(d);
      hi[d] = 1.0f + 0.5f * static_cast<float>(d);
    }
    static Pso<40, 16> pso;
    CHECK(pso.init(lo, hi, g.dims, g.particles, golden_config(g.name), g.seed) == Status::Ok);
    uint64_t h = kFnvOffset;
    long k = 0;
    while (const float* x = pso.ask()) {
      for (int d = 0; d < g.dims; ++d) h = fnv_u32(h, bits(x[d]));
      const float c = golden_cost(x, g.dims, k++);
      h = fnv_u32(h, std::isnan(c) ? 0x7FC00000u : bits(c));
      if (pso.tell(c) != Status::Ok) break;
    }
    if (!CHECK_EQ(h, g.hash)) std::printf("     trajectory %s, port %s\n", g.name, port_name(port));
    CHECK_EQ(bits(pso.best_value()), g.best_bits);
    CHECK_EQ(pso.evaluations(), g.evals);
    CHECK_EQ(pso.iteration(), g.iterations);
  }
  }
  CHECK(force_port(port_name(0)) == Status::Ok);  // back to the first port
}

int main() { return check::run_all(); }
