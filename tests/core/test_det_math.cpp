// SPDX-License-Identifier: MIT
// The deterministic log2/exp2/pow (detail/det_math.hpp) against golden bits
// from tools/det_math_ref.py (an independent Python reference), so that every
// target computes the same Spsa and Anneal trajectories; plus their accuracy
// against the host libm (loose bounds: the point is determinism, not the last
// ulp) and their edge cases.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "golden_det_math.h"
#include "starling/detail/det_math.hpp"

using namespace starling::detail;

namespace {
float fb(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
double db(uint64_t u) {
  double f;
  std::memcpy(&f, &u, 8);
  return f;
}
uint32_t bf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
uint64_t bd(double f) {
  uint64_t u;
  std::memcpy(&u, &f, 8);
  return u;
}
}  // namespace

TEST_CASE(det_math_golden_float) {
  for (const auto& v : golden_det::kLog2F) CHECK_EQ(bf(det_log2(fb(v.x))), v.out);
  for (const auto& v : golden_det::kExp2F) CHECK_EQ(bf(det_exp2(fb(v.x))), v.out);
  for (const auto& v : golden_det::kPowF) CHECK_EQ(bf(det_pow(fb(v.x), fb(v.y))), v.out);
}

TEST_CASE(det_math_golden_double) {
  for (const auto& v : golden_det::kLog2D) CHECK_EQ(bd(det_log2(db(v.x))), v.out);
  for (const auto& v : golden_det::kExp2D) CHECK_EQ(bd(det_exp2(db(v.x))), v.out);
  for (const auto& v : golden_det::kPowD) CHECK_EQ(bd(det_pow(db(v.x), db(v.y))), v.out);
}

// Relative error against the host's libm over a sweep (libm is only a
// yardstick here; it is never used by the library).
TEST_CASE(det_math_accuracy) {
  double worst_lf = 0, worst_ef = 0, worst_ld = 0, worst_ed = 0;
  for (int k = -400; k <= 400; ++k) {
    const double x = std::pow(1.0371, k) * 1.234;
    const double l = std::log2(x);
    if (std::fabs(l) > 1e-3) {
      worst_lf = std::fmax(worst_lf, std::fabs(det_log2(static_cast<float>(x)) - std::log2(static_cast<double>(static_cast<float>(x)))) / std::fabs(l));
      worst_ld = std::fmax(worst_ld, std::fabs(det_log2(x) - l) / std::fabs(l));
    }
    const double y = k * 0.2371;
    if (std::fabs(y) < 90) {
      const float yf = static_cast<float>(y);
      worst_ef = std::fmax(worst_ef, std::fabs(det_exp2(yf) / std::exp2(static_cast<double>(yf)) - 1));
      worst_ed = std::fmax(worst_ed, std::fabs(det_exp2(y) / std::exp2(y) - 1));
    }
  }
  CHECK(worst_lf < 4e-7);
  CHECK(worst_ef < 4e-7);
  CHECK(worst_ld < 1e-14);
  CHECK(worst_ed < 1e-14);
  CHECK(std::fabs(det_pow(1001.0, 0.602) / std::pow(1001.0, 0.602) - 1) < 1e-13);
  CHECK(std::fabs(det_pow(1001.f, 0.602f) / std::pow(1001.0, 0.602) - 1) < 2e-6);
}

TEST_CASE(det_math_edges) {
  const float inf = std::numeric_limits<float>::infinity();
  CHECK(det_log2(0.f) == -inf);
  CHECK(std::isnan(det_log2(-1.f)));
  CHECK(std::isnan(det_log2(std::numeric_limits<float>::quiet_NaN())));
  CHECK(det_log2(inf) == inf);
  CHECK_EQ(det_log2(1.f), 0.f);
  CHECK_EQ(det_log2(0.25), -2.0);
  // Denormals are scaled exactly first.
  CHECK(std::fabs(det_log2(std::numeric_limits<float>::denorm_min()) + 149.f) < 1e-4f);
  CHECK_EQ(det_exp2(0.f), 1.f);
  CHECK_EQ(det_exp2(3.0), 8.0);
  // Clamped: always a positive normal number.
  CHECK(det_exp2(1e30f) == det_exp2(100.f));
  CHECK(det_exp2(-1e30f) == det_exp2(-100.f));
  CHECK(det_exp2(std::numeric_limits<float>::quiet_NaN()) == det_exp2(-100.f));
  CHECK(det_exp2(-100.f) >= std::numeric_limits<float>::min());
  CHECK(det_exp2(-1000.0) >= std::numeric_limits<double>::min());
  CHECK(std::isfinite(det_exp2(100.f)) && std::isfinite(det_exp2(1000.0)));
  CHECK_EQ(det_pow(0.f, 0.5f), 0.f);
  CHECK_EQ(det_floor(-0.5f), -1.f);
  CHECK_EQ(det_floor(2.0), 2.0);
  CHECK_EQ(det_floor(-3.0), -3.0);
  CHECK_EQ(det_floor(1e30f), 1e30f);
  CHECK_EQ(det_floor(-7.25), -8.0);
}

int main() { return check::run_all(); }
