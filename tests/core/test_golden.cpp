// Golden values from tools/pso_ref.py, an independent Python reference
// (Threefry from its definition, float32 emulated op by op): Random123's
// known-answer vectors, our Rng and swarm-block vectors, and whole-trajectory
// hashes. The same numbers must come out on every target and every port.
#include <cmath>
#include <cstring>

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
PsoConfig golden_config(const char* name) {
  PsoConfig c;
  if (std::strcmp(name, "constriction_global_clamp") == 0) {
    c.max_iter = 30;
  } else if (std::strcmp(name, "empso_ring_reflect_bias") == 0) {
    c.variant = Variant::Empso;
    c.topology = Topology::Ring;
    c.boundary = Boundary::Reflect;
    c.bias_correction = true;
    c.max_iter = 25;
  } else if (std::strcmp(name, "inertia_random_perparticle") == 0) {
    c.variant = Variant::Inertia;
    c.w = 0.9f;
    c.w_end = 0.4f;
    c.boundary = Boundary::Random;
    c.random_per_particle = true;
    c.max_iter = 40;
    c.v_max = 1.0f;
  } else {
    c.variant = Variant::Empso;
    c.max_iter = 1000;
    c.max_evals = 150;
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
    float lo[8], hi[8];
    for (int d = 0; d < g.dims; ++d) {
      lo[d] = -2.0f - static_cast<float>(d);
      hi[d] = 1.0f + 0.5f * static_cast<float>(d);
    }
    static Pso<8, 16> pso;
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
