// SPDX-License-Identifier: MIT
// src/selftest.cpp: starling::selftest(), fixed problems whose result hashes
// must equal the constants tools/gen_selftest.py computes (selftest.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/selftest.hpp"

#include <cstring>
#include <limits>

#include "selftest_golden.h"
#include "starling/pso.hpp"
#include "starling/qnet.hpp"
#include "starling/quant.hpp"
#include "starling/starling.h"

namespace starling {

static_assert(STARLING_SELFTEST_PSO == kSelftestPso && STARLING_SELFTEST_FC == kSelftestFc &&
                  STARLING_SELFTEST_LUT == kSelftestLut,
              "the C and C++ selftest bits are the same");

namespace {

// FNV-1a 32 over little-endian bytes (the generator's hash).
constexpr uint32_t kFnvOffset = 0x811C9DC5u, kFnvPrime = 0x01000193u;

uint32_t fnv_byte(uint32_t h, uint8_t b) noexcept { return (h ^ b) * kFnvPrime; }
uint32_t fnv_u32(uint32_t h, uint32_t w) noexcept {
  for (int k = 0; k < 4; ++k) h = fnv_byte(h, static_cast<uint8_t>(w >> (8 * k)));
  return h;
}
uint32_t bits(float f) noexcept {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// ---- tuning runs (tools/gen_selftest.py: RUNS, selftest_cost, selftest_box) ----

float selftest_cost(const float* x, int dims, long k) noexcept {
  if (k % 5 == 4) return std::numeric_limits<float>::quiet_NaN();
  float s = 0;
  for (int d = 0; d < dims; ++d) {
    const float e = x[d] - 0.375f * static_cast<float>(d + 1);
    s = s + (e * e) * static_cast<float>(d + 1);
  }
  return s;
}

struct Run {
  int dims, particles;
  uint64_t seed;
  PsoConfig cfg;
};

// Every field explicit: the selftest must not follow PsoConfig's defaults.
PsoConfig config(Variant variant, float w, float w_end, float c1, float c2, float v_max,
                 Boundary boundary, Topology topology, int max_iter, bool bias_correction,
                 bool per_particle) noexcept {
  PsoConfig c;
  c.variant = variant;
  c.w = w;
  c.w_end = w_end;
  c.c1 = c1;
  c.c2 = c2;
  c.beta = 0.9f;
  c.v_max = v_max;
  c.boundary = boundary;
  c.topology = topology;
  c.max_iter = max_iter;
  c.max_evals = 0;
  c.target = -std::numeric_limits<float>::infinity();
  c.stall_iter = 0;
  c.bias_correction = bias_correction;
  c.random_per_particle = per_particle;
  return c;
}

constexpr int kMaxDims = 6, kMaxParticles = 6;

uint32_t pso_hash() noexcept {
  const Run runs[3] = {
      {5, 6, 0x5E1F7E57u,
       config(Variant::Empso, 0.7298f, 0.7298f, 1.5f, 1.5f, 0.5f, Boundary::Reflect,
              Topology::Ring, 5, true, false)},
      {3, 4, 0xC0FFEEu,
       config(Variant::Inertia, 0.9f, 0.4f, 1.49618f, 1.49618f, 0.3f, Boundary::Random,
              Topology::Global, 6, false, true)},
      {6, 5, 0x7u,
       config(Variant::Constriction, 0.7298f, 0.7298f, 1.49618f, 1.49618f, 0.5f,
              Boundary::Clamp, Topology::Global, 5, false, false)},
  };
  Pso<kMaxDims, kMaxParticles> pso;
  uint32_t h = kFnvOffset;
  for (const Run& r : runs) {
    float lo[kMaxDims], hi[kMaxDims];
    for (int d = 0; d < r.dims; ++d) {
      lo[d] = -1.0f - 0.5f * static_cast<float>(d);
      hi[d] = 2.0f + 0.25f * static_cast<float>(d);
    }
    // A failed init cannot match the golden hash: it is folded in as a value.
    if (pso.init(lo, hi, r.dims, r.particles, r.cfg, r.seed) != Status::Ok) return 0;
    long k = 0;
    while (const float* x = pso.ask()) {
      for (int d = 0; d < r.dims; ++d) h = fnv_u32(h, bits(x[d]));
      const float c = selftest_cost(x, r.dims, k++);
      h = fnv_u32(h, c != c ? 0x7FC00000u : bits(c));
      (void)pso.tell(c);  // cannot fail: a candidate is pending
    }
    h = fnv_u32(h, bits(pso.best_value()));
    h = fnv_u32(h, static_cast<uint32_t>(pso.evaluations()));
    h = fnv_u32(h, static_cast<uint32_t>(pso.iteration()));
  }
  return h;
}

// ---- int8 layer (tools/gen_selftest.py: fc_data, fc_hash) -------------------

struct Lcg {
  uint32_t s;
  uint32_t next() noexcept { return s = s * 1664525u + 1013904223u; }
};

constexpr int kFcIn = 11, kFcOut = 5, kFcBatches = 2;

uint32_t fc_hash() noexcept {
  int8_t w[kFcIn * kFcOut], x[kFcIn * kFcBatches], y[kFcOut * kFcBatches];
  int32_t bias[kFcOut], mult[kFcOut], shift[kFcOut];
  Lcg g{0x12345688u};
  for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>((g.next() >> 24) % 255u) - 127);
  for (int32_t& v : bias) v = static_cast<int32_t>(g.next() >> 20) - 2048;
  for (int8_t& v : x) {
    const int b = static_cast<int>(g.next() >> 24);
    v = static_cast<int8_t>(b < 128 ? b : b - 256);
  }
  const float w_scales[kFcOut] = {0.0011f, 0.0023f, 0.0007f, 0.0018f, 0.0004f};
  if (quantize_scales(0.02f, w_scales, kFcOut, 0.05f, mult, shift) != Status::Ok) return 0;
  const FcParams p{kFcIn, kFcOut, 7, -3, mult, shift, true, -100, 120};
  if (fully_connected_s8(p, x, w, bias, y, kFcBatches) != Status::Ok) return 0;
  uint32_t h = kFnvOffset;
  for (int8_t v : y) h = fnv_byte(h, static_cast<uint8_t>(v));
  for (int32_t m : mult) h = fnv_u32(h, static_cast<uint32_t>(m));
  for (int32_t s : shift) h = fnv_u32(h, static_cast<uint32_t>(s));
  return h;
}

// ---- tanh table and portable_exp (tools/gen_selftest.py: lut_hash) -----------

uint32_t lut_hash() noexcept {
  int8_t lut[256];
  if (make_tanh_lut(0.04f, 5, 1.0f / 128, 0, lut) != Status::Ok) return 0;
  uint32_t h = kFnvOffset;
  for (int8_t v : lut) h = fnv_byte(h, static_cast<uint8_t>(v));
  for (int k = 0; k < 16; ++k) {
    const double e = portable_exp(static_cast<double>(k - 8) * 0.3125);
    uint64_t u;
    std::memcpy(&u, &e, sizeof u);
    h = fnv_u32(h, static_cast<uint32_t>(u));
    h = fnv_u32(h, static_cast<uint32_t>(u >> 32));
  }
  return h;
}

Status finish(uint32_t mask, uint32_t* failed) noexcept {
  if (failed != nullptr) *failed = mask;
  return mask == 0 ? Status::Ok : Status::Corrupt;
}

uint32_t pso_mask() noexcept { return pso_hash() == selftest_golden::kPso ? 0u : uint32_t{kSelftestPso}; }

uint32_t int8_mask() noexcept {
  const uint32_t fc = requantize_is_single_rounding() ? selftest_golden::kFcSingleRounding
                                                      : selftest_golden::kFcDoubleRounding;
  uint32_t m = 0;
  if (fc_hash() != fc) m |= kSelftestFc;
  if (lut_hash() != selftest_golden::kLut) m |= kSelftestLut;
  return m;
}

}  // namespace

Status selftest(uint32_t* failed) noexcept { return finish(pso_mask() | int8_mask(), failed); }
Status selftest_pso(uint32_t* failed) noexcept { return finish(pso_mask(), failed); }
Status selftest_int8(uint32_t* failed) noexcept { return finish(int8_mask(), failed); }

}  // namespace starling

extern "C" {

starling_status starling_selftest(uint32_t* failed) {
  return static_cast<starling_status>(static_cast<int>(starling::selftest(failed)));
}
starling_status starling_selftest_pso(uint32_t* failed) {
  return static_cast<starling_status>(static_cast<int>(starling::selftest_pso(failed)));
}
starling_status starling_selftest_int8(uint32_t* failed) {
  return static_cast<starling_status>(static_cast<int>(starling::selftest_int8(failed)));
}

}  // extern "C"
