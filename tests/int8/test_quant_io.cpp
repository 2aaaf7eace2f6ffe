// SPDX-License-Identifier: MIT
// tests/int8/test_quant_io.cpp: quantize_input / dequantize_output (quant.hpp)
// against a reference in double written from TFLite's QUANTIZE / DEQUANTIZE
// definitions, over random and extreme values, and their refusals.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>

#include "check.hpp"
#include "starling/quant.hpp"

using starling::Status;

namespace {

uint32_t g_state = 0x2545F491u;
uint32_t next_u32() {  // xorshift32
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}
float from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

// The float quotient x / scale computed in double and rounded once to float
// (a double quotient of two floats rounds to the correctly rounded float:
// 53 >= 2·24 + 2), rounded half away from zero with exact double steps.
int8_t ref_quantize(float x, float scale, int32_t zp) {
  const float v = static_cast<float>(static_cast<double>(x) / static_cast<double>(scale));
  if (std::isnan(v)) return static_cast<int8_t>(zp);
  double r;
  const double a = std::fabs(static_cast<double>(v));
  if (a > 1e6) {
    r = v > 0 ? 1e6 : -1e6;
  } else {
    const double t = std::floor(a);
    r = (a - t >= 0.5 ? t + 1 : t) * (v < 0 ? -1 : 1);
  }
  r += zp;
  return static_cast<int8_t>(r < -128 ? -128 : r > 127 ? 127 : static_cast<int>(r));
}

float ref_dequantize(int8_t q, float scale, int32_t zp) {
  return static_cast<float>(static_cast<double>(scale) * static_cast<double>(q - zp));
}

}  // namespace

TEST_CASE(quantize_random_values_match_reference) {
  constexpr int kN = 256;
  float x[kN];
  int8_t q[kN];
  for (int round = 0; round < 400; ++round) {
    // Scales across many binades; inputs from ±(a few steps) to any float.
    const float scale = from_bits(0x30000000u + next_u32() % 0x12000000u);  // ~4.7e-10 .. ~2.3e+3
    const int32_t zp = static_cast<int32_t>(next_u32() % 256u) - 128;
    for (int i = 0; i < kN; ++i) {
      const uint32_t r = next_u32();
      if (i % 4 == 0) {
        x[i] = from_bits(r);  // any bit pattern: NaN, inf, subnormal, huge
      } else {
        const float steps = static_cast<float>(static_cast<int32_t>(r % 601u) - 300) * 0.5f;
        x[i] = steps * scale;  // near the rounding points, ties included
      }
    }
    CHECK(starling::quantize_input(x, kN, scale, zp, q) == Status::Ok);
    for (int i = 0; i < kN; ++i) {
      if (!CHECK_EQ(static_cast<int>(q[i]), static_cast<int>(ref_quantize(x[i], scale, zp)))) {
        std::printf("     x bits 0x%08x scale bits 0x%08x zp %d\n", static_cast<unsigned>(bits(x[i])),
                    static_cast<unsigned>(bits(scale)),
                    static_cast<int>(zp));
        return;
      }
    }
  }
}

TEST_CASE(quantize_ties_go_away_from_zero) {
  const float x[] = {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 0.49999997f, -0.49999997f};
  const int expect[] = {1, -1, 2, -2, 3, -3, 0, 0};
  int8_t q[8];
  CHECK(starling::quantize_input(x, 8, 1.0f, 0, q) == Status::Ok);
  for (int i = 0; i < 8; ++i) CHECK_EQ(static_cast<int>(q[i]), expect[i]);
}

TEST_CASE(dequantize_every_value_matches_reference) {
  int8_t q[256];
  float x[256];
  for (int i = 0; i < 256; ++i) q[i] = static_cast<int8_t>(i - 128);
  const float scales[] = {1.0f / 128, 0.0137f, 0.1f, 3.75f, 1e-30f, 1e30f};
  for (float s : scales) {
    for (int32_t zp : {-128, -3, 0, 77, 127}) {
      CHECK(starling::dequantize_output(q, 256, s, zp, x) == Status::Ok);
      for (int i = 0; i < 256; ++i) CHECK_EQ(bits(x[i]), bits(ref_dequantize(q[i], s, zp)));
    }
  }
}

TEST_CASE(round_trip_of_representable_values) {
  // Every int8 value dequantized and quantized again comes back.
  int8_t q[256], back[256];
  float x[256];
  for (int i = 0; i < 256; ++i) q[i] = static_cast<int8_t>(i - 128);
  for (float s : {0.0137f, 0.05106196179986f, 1.0f / 256}) {
    CHECK(starling::dequantize_output(q, 256, s, -24, x) == Status::Ok);
    CHECK(starling::quantize_input(x, 256, s, -24, back) == Status::Ok);
    CHECK(std::memcmp(q, back, sizeof q) == 0);
  }
}

TEST_CASE(refusals_write_nothing) {
  const float inf = std::numeric_limits<float>::infinity();
  float x[2] = {1.0f, 2.0f};
  int8_t q[2] = {9, 9};
  for (float s : {0.0f, -0.0f, -1.0f, inf, std::numeric_limits<float>::quiet_NaN()}) {
    CHECK(starling::quantize_input(x, 2, s, 0, q) == Status::InvalidArgument);
    CHECK(starling::dequantize_output(q, 2, s, 0, x) == Status::InvalidArgument);
  }
  const int32_t bad_zps[] = {-129, 128, INT32_MIN, INT32_MAX};
  for (int32_t zp : bad_zps) {
    CHECK(starling::quantize_input(x, 2, 1.0f, zp, q) == Status::InvalidArgument);
    CHECK(starling::dequantize_output(q, 2, 1.0f, zp, x) == Status::InvalidArgument);
  }
  CHECK(starling::quantize_input(x, -1, 1.0f, 0, q) == Status::InvalidArgument);
  CHECK(starling::quantize_input(nullptr, 2, 1.0f, 0, q) == Status::InvalidArgument);
  CHECK(starling::quantize_input(x, 2, 1.0f, 0, nullptr) == Status::InvalidArgument);
  CHECK(starling::dequantize_output(nullptr, 2, 1.0f, 0, x) == Status::InvalidArgument);
  CHECK(starling::dequantize_output(q, 2, 1.0f, 0, nullptr) == Status::InvalidArgument);
  CHECK_EQ(static_cast<int>(q[0]), 9);
  CHECK_EQ(bits(x[0]), bits(1.0f));
  CHECK(starling::quantize_input(nullptr, 0, 1.0f, 0, nullptr) == Status::Ok);
  CHECK(starling::dequantize_output(nullptr, 0, 1.0f, 0, nullptr) == Status::Ok);
}

int main() { return check::run_all(); }
