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
constexpr uint32_t kFcSeed = selftest_golden::kFcSeed;

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

// Every PsoConfig field set here, so the selftest does not follow changes of
// PsoConfig's defaults. Constant configs at each init (Pso::init is inline):
// the global topology without Fips or restarts then links none of the
// optional move hooks (about 1.3 KB on Cortex-M4F), which the selftest does
// not need: what it guards, the float arithmetic of the move, is the same.
PsoConfig config(Variant variant, Boundary boundary, float w, float w_end, float c1, float v_max,
                 int max_iter, bool bias_correction, bool per_particle) noexcept {
  PsoConfig c;
  // Spelled as constants so the compiler sees the variant is never Fips and
  // links no Fips move for the selftest.
  c.variant = variant == Variant::Empso     ? Variant::Empso
              : variant == Variant::Inertia ? Variant::Inertia
                                            : Variant::Constriction;
  c.w = w;
  c.w_end = w_end;
  c.c1 = c1;
  c.c2 = c1;
  c.beta = 0.9f;
  c.v_max = v_max;
  c.boundary = boundary;
  c.topology = Topology::Global;
  c.max_iter = max_iter;
  c.max_evals = 0;
  c.target = -std::numeric_limits<float>::infinity();
  c.stall_iter = 0;
  c.bias_correction = bias_correction;
  c.random_per_particle = per_particle;
  c.neighbors = 0;
  c.restart_stall = 0;
  c.restart_radius = 0.0f;
  c.stall_tol = 0.0f;
  return c;
}

constexpr int kMaxDims = 5, kMaxParticles = 5;
using SelftestPso = Pso<kMaxDims, kMaxParticles>;

// The box of a run: lo[d] = -1 - d/2, hi[d] = 2 + d/4.
void box(float* lo, float* hi) noexcept {
  for (int d = 0; d < kMaxDims; ++d) {
    lo[d] = -1.0f - 0.5f * static_cast<float>(d);
    hi[d] = 2.0f + 0.25f * static_cast<float>(d);
  }
}

// Runs an initialized swarm to its stop, hashing every asked coordinate and
// told cost, then the best value, evaluations and sweeps.
uint32_t drive(SelftestPso& pso, int dims, uint32_t h) noexcept {
  long k = 0;
  while (const float* x = pso.ask()) {
    for (int d = 0; d < dims; ++d) h = fnv_u32(h, bits(x[d]));
    const float cost = selftest_cost(x, dims, k++);
    h = fnv_u32(h, cost != cost ? 0x7FC00000u : bits(cost));
    (void)pso.tell(cost);  // cannot fail: a candidate is pending
  }
  h = fnv_u32(h, bits(pso.best_value()));
  h = fnv_u32(h, static_cast<uint32_t>(pso.evaluations()));
  return fnv_u32(h, static_cast<uint32_t>(pso.iteration()));
}

// The runs' varying parameters; one init call site, so that Pso::init is
// inlined and the config's topology and restart fields are constants there.
struct Run {
  uint8_t dims, particles, max_iter;
  Variant variant;
  Boundary boundary;
  bool bias_correction, per_particle;
  float w, w_end, c1, v_max;
  uint32_t seed;
};
constexpr Run kRuns[] = {
    {5, 5, 5, Variant::Empso, Boundary::Reflect, true, false, 0.7298f, 0.7298f, 1.5f, 0.5f,
     0x5E1F7E57u},
    {3, 4, 6, Variant::Inertia, Boundary::Random, false, true, 0.9f, 0.4f, 1.49618f, 0.3f,
     0xC0FFEEu},
    {4, 5, 5, Variant::Constriction, Boundary::Clamp, false, false, 0.7298f, 0.7298f, 1.49618f,
     0.5f, 0x7u},
};

uint32_t pso_hash() noexcept {
  SelftestPso pso;
  float lo[kMaxDims], hi[kMaxDims];
  box(lo, hi);
  uint32_t h = kFnvOffset;
  for (const Run& r : kRuns) {
    // A failed init cannot match the golden hash: it returns 0.
    if (pso.init(lo, hi, r.dims, r.particles,
                 config(r.variant, r.boundary, r.w, r.w_end, r.c1, r.v_max, r.max_iter,
                        r.bias_correction, r.per_particle),
                 r.seed) != Status::Ok)
      return 0;
    h = drive(pso, r.dims, h);
  }
  return h;
}

// ---- int8 layer (tools/gen_selftest.py: fc_data, fc_hash) -------------------

struct Lcg {
  uint32_t s;
  uint32_t next() noexcept { return s = s * 1664525u + 1013904223u; }
};

constexpr int kFcIn = 11, kFcOut = 5, kFcBatches = 2;

// Integer only (no double helpers), so firmware that runs networks pays for
// nothing it does not link anyway.
uint32_t fc_hash() noexcept {
  int8_t w[kFcIn * kFcOut], x[kFcIn * kFcBatches], y[kFcOut * kFcBatches];
  int32_t bias[kFcOut], mult[kFcOut], shift[kFcOut];
  Lcg g{kFcSeed};
  for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>((g.next() >> 24) % 255u) - 127);
  for (int32_t& v : bias) v = static_cast<int32_t>(g.next() >> 20) - 2048;
  for (int8_t& v : x) {
    const int b = static_cast<int>(g.next() >> 24);
    v = static_cast<int8_t>(b < 128 ? b : b - 256);
  }
  for (int32_t& m : mult) m = static_cast<int32_t>((1u << 30) | (g.next() >> 2));  // [2^30, 2^31)
  for (int32_t& sh : shift) sh = -10 - static_cast<int32_t>(g.next() % 5u);       // [-14, -10]
  const FcParams p{kFcIn, kFcOut, 7, -3, mult, shift, true, -100, 120};
  if (fully_connected_s8(p, x, w, bias, y, kFcBatches) != Status::Ok) return 0;
  uint32_t h = kFnvOffset;
  for (int8_t v : y) h = fnv_byte(h, static_cast<uint8_t>(v));
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
  // Requantization parameters from float scales (effective_scale, frexp).
  const float w_scales[5] = {0.0011f, 0.0023f, 0.0007f, 0.0018f, 0.0004f};
  int32_t mult[5], shift[5];
  if (quantize_scales(0.02f, w_scales, 5, 0.05f, mult, shift) != Status::Ok) return 0;
  for (int32_t m : mult) h = fnv_u32(h, static_cast<uint32_t>(m));
  for (int32_t sh : shift) h = fnv_u32(h, static_cast<uint32_t>(sh));
  return h;
}

Status finish(uint32_t mask, uint32_t* failed) noexcept {
  if (failed != nullptr) *failed = mask;
  return mask == 0 ? Status::Ok : Status::Corrupt;
}

uint32_t pso_mask() noexcept { return pso_hash() == selftest_golden::kPso ? 0u : uint32_t{kSelftestPso}; }

uint32_t fc_mask() noexcept {
  const uint32_t fc = requantize_is_single_rounding() ? selftest_golden::kFcSingleRounding
                                                      : selftest_golden::kFcDoubleRounding;
  return fc_hash() == fc ? 0u : uint32_t{kSelftestFc};
}

uint32_t lut_mask() noexcept { return lut_hash() == selftest_golden::kLut ? 0u : uint32_t{kSelftestLut}; }

}  // namespace

Status selftest(uint32_t* failed) noexcept {
  return finish(pso_mask() | fc_mask() | lut_mask(), failed);
}
Status selftest_pso(uint32_t* failed) noexcept { return finish(pso_mask(), failed); }
Status selftest_int8(uint32_t* failed) noexcept { return finish(fc_mask(), failed); }
Status selftest_lut(uint32_t* failed) noexcept { return finish(lut_mask(), failed); }

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
starling_status starling_selftest_lut(uint32_t* failed) {
  return static_cast<starling_status>(static_cast<int>(starling::selftest_lut(failed)));
}

}  // extern "C"
