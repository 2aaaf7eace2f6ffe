// SPDX-License-Identifier: MIT
// src/det_math.cpp: the deterministic log2, exp2, pow and floor of
// detail/det_math.hpp (algorithms documented there; tools/det_math_ref.py
// mirrors them bit for bit).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/detail/det_math.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

namespace starling {
namespace detail {

namespace {

// The coefficients are det_math.hpp's kDetLog2C, kDetExp2C (with kDetSqrt2).

template <class Real>
struct Traits;
template <>
struct Traits<float> {
  using Bits = uint32_t;
  static constexpr int kMantBits = 23, kBias = 127;
  static constexpr int kLogTerms = 6, kExpTerms = 8;
  static constexpr float kLim = 100.f;
};
template <>
struct Traits<double> {
  using Bits = uint64_t;
  static constexpr int kMantBits = 52, kBias = 1023;
  static constexpr int kLogTerms = 12, kExpTerms = 14;
  static constexpr double kLim = 1000.0;
};

// 2^n for n within the normal exponent range, exactly.
template <class Real>
Real pow2(int n) noexcept {
  using T = Traits<Real>;
  const typename T::Bits b = static_cast<typename T::Bits>(n + T::kBias) << T::kMantBits;
  Real r;
  std::memcpy(&r, &b, sizeof r);
  return r;
}

// Through a 32-bit integer where the value may have a fraction (|x| < 2^31;
// above 2^24 a float is an integer already), else a 64-bit one (double up to
// 2^62): 64-bit conversions of floats pull libgcc's soft-double code into a
// Cortex-M4F image.
template <class Real>
Real floor_impl(Real x) noexcept {
  constexpr Real kInt32 = static_cast<Real>(2147483648.0);  // 2^31
  Real t;
  if (x > -kInt32 && x < kInt32) {
    t = static_cast<Real>(static_cast<int32_t>(x));  // toward zero, exact
  } else {
    constexpr Real kBig = static_cast<Real>(4611686018427387904.0);  // 2^62
    if (sizeof(Real) == 4 || !(x > -kBig && x < kBig)) return x;  // integers already (or NaN)
    t = static_cast<Real>(static_cast<int64_t>(x));
  }
  return t > x ? t - 1 : t;
}

template <class Real>
Real log2_impl(Real x) noexcept {
  using T = Traits<Real>;
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<Real>::infinity()
                              : std::numeric_limits<Real>::quiet_NaN();
  if (x == std::numeric_limits<Real>::infinity()) return x;
  int e = 0;
  if (x < std::numeric_limits<Real>::min()) {  // denormal: scale by 2^64 (exact)
    x = x * static_cast<Real>(18446744073709551616.0);
    e = -64;
  }
  typename T::Bits b;
  std::memcpy(&b, &x, sizeof b);
  e += static_cast<int>(b >> T::kMantBits) - T::kBias;
  const typename T::Bits mant_mask = (static_cast<typename T::Bits>(1) << T::kMantBits) - 1;
  b = (b & mant_mask) | (static_cast<typename T::Bits>(T::kBias) << T::kMantBits);
  Real m;
  std::memcpy(&m, &b, sizeof m);  // m in [1, 2)
  if (m > static_cast<Real>(kDetSqrt2)) {
    m = m * static_cast<Real>(0.5);
    e += 1;
  }
  const Real t = (m - 1) / (m + 1);
  const Real t2 = t * t;
  Real p = static_cast<Real>(kDetLog2C[T::kLogTerms - 1]);
  for (int k = T::kLogTerms - 2; k >= 0; --k) p = p * t2 + static_cast<Real>(kDetLog2C[k]);
  return static_cast<Real>(e) + t * p;
}

template <class Real>
Real exp2_impl(Real y) noexcept {
  using T = Traits<Real>;
  if (!(y >= -T::kLim)) y = -T::kLim;  // NaN too
  if (y > T::kLim) y = T::kLim;
  const Real n = floor_impl(y + static_cast<Real>(0.5));
  const Real f = y - n;
  Real p = static_cast<Real>(kDetExp2C[T::kExpTerms - 1]);
  for (int k = T::kExpTerms - 2; k >= 0; --k) p = p * f + static_cast<Real>(kDetExp2C[k]);
  return p * pow2<Real>(static_cast<int>(n));
}

template <class Real>
Real pow_impl(Real x, Real y) noexcept {
  if (x == 0) return 0;
  return exp2_impl(y * log2_impl(x));
}

}  // namespace

float det_log2(float x) noexcept { return log2_impl(x); }
double det_log2(double x) noexcept { return log2_impl(x); }
float det_exp2(float y) noexcept { return exp2_impl(y); }
double det_exp2(double y) noexcept { return exp2_impl(y); }
float det_pow(float x, float y) noexcept { return pow_impl(x, y); }
double det_pow(double x, double y) noexcept { return pow_impl(x, y); }
float det_floor(float x) noexcept { return floor_impl(x); }
double det_floor(double x) noexcept { return floor_impl(x); }


}  // namespace detail
}  // namespace starling
