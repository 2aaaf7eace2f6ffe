// SPDX-License-Identifier: MIT
// starling/detail/det_math.hpp: exp, log, tanh and the logistic function built
// from IEEE +, −, ×, ÷ only, so they give the same bits on every target.
//
// Why not <cmath>: expf/tanhf differ between glibc, newlib and the compilers'
// builtins by an ulp here and there, and one ulp early in a training run
// changes every weight after it. These functions use a fixed sequence of
// correctly rounded operations (no fma: the build has -ffp-contract=off), so
// x86, aarch64 and Cortex-M agree bit for bit; tools/train_ref.py emulates
// them operation by operation.
//
// Accuracy (measured against the libm in double, tools/train_ref.py --accuracy):
// det_exp and det_log within 2 ulp over their ranges; det_tanh and
// det_sigmoid within 2·2^-24 (float) absolute. Enough for training; not a
// general-purpose libm.
#pragma once
#include <cstdint>
#include <cstring>
#include <limits>

namespace starling {
namespace detail {

/// 2^k as a normal number: k in [−126, 127] (float) / [−1022, 1023] (double).
inline float det_pow2(int k, float) noexcept {
  const uint32_t b = static_cast<uint32_t>(k + 127) << 23;
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
inline double det_pow2(int k, double) noexcept {
  const uint64_t b = static_cast<uint64_t>(k + 1023) << 52;
  double f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

/// exp(x). Cody–Waite reduction x = k·ln2 + r, |r| <= ln2/2 (ln2_hi has few
/// enough bits that k·ln2_hi is exact), the Taylor polynomial of e^r in
/// Horner form (degree 7 in float, 13 in double), then an exact scaling by
/// 2^k (two steps near the ends of the range, so a subnormal result is
/// rounded once). NaN → NaN; above ln(max) → +inf; below the smallest
/// subnormal's log → +0.
inline float det_exp(float x) noexcept {
  if (!(x == x)) return x;
  if (x > 0x1.62e42ep+6f) return std::numeric_limits<float>::infinity();  // 88.7228
  if (x < -0x1.9fe368p+6f) return 0.f;                                     // −103.972
  const float t = x * 0x1.715476p+0f;                                      // log2(e)
  const int k = static_cast<int>(t < 0 ? t - 0.5f : t + 0.5f);
  const float kf = static_cast<float>(k);
  const float r = (x - kf * 0x1.63p-1f) - kf * -0x1.bd0106p-13f;  // ln2 = hi + lo
  float p = 0x1.a01a02p-13f;                                      // 1/7!
  p = p * r + 0x1.6c16c2p-10f;
  p = p * r + 0x1.111112p-7f;
  p = p * r + 0x1.555556p-5f;
  p = p * r + 0x1.555556p-3f;
  p = p * r + 0x1p-1f;
  p = p * r + 1.f;
  p = p * r + 1.f;
  if (k > 127) return p * det_pow2(127, 0.f) * det_pow2(k - 127, 0.f);
  if (k < -126) return p * det_pow2(k + 64, 0.f) * det_pow2(-64, 0.f);
  return p * det_pow2(k, 0.f);
}
inline double det_exp(double x) noexcept {
  if (!(x == x)) return x;
  if (x > 0x1.62e42fefa39efp+9) return std::numeric_limits<double>::infinity();  // 709.78
  if (x < -0x1.74910d52d3051p+9) return 0.;                                      // −745.13
  const double t = x * 0x1.71547652b82fep+0;
  const int k = static_cast<int>(t < 0 ? t - 0.5 : t + 0.5);
  const double kf = static_cast<double>(k);
  const double r = (x - kf * 0x1.62e42feep-1) - kf * 0x1.a39ef35793c76p-33;
  static constexpr double c[12] = {0x1.6124613a86d09p-33, 0x1.1eed8eff8d898p-29,
                                   0x1.ae64567f544e4p-26, 0x1.27e4fb7789f5cp-22,
                                   0x1.71de3a556c734p-19, 0x1.a01a01a01a01ap-16,
                                   0x1.a01a01a01a01ap-13, 0x1.6c16c16c16c17p-10,
                                   0x1.1111111111111p-7,  0x1.5555555555555p-5,
                                   0x1.5555555555555p-3,  0x1p-1};  // 1/13! .. 1/2!
  double p = c[0];
  for (int i = 1; i < 12; ++i) p = p * r + c[i];
  p = p * r + 1.;
  p = p * r + 1.;
  if (k > 1023) return p * det_pow2(1023, 0.) * det_pow2(k - 1023, 0.);
  if (k < -1022) return p * det_pow2(k + 200, 0.) * det_pow2(-200, 0.);
  return p * det_pow2(k, 0.);
}

/// log(x), x > 0: x = m·2^e with m in [√½, √2), log m = 2·atanh(s),
/// s = (m − 1)/(m + 1), by its odd series (to s^9 in float, s^21 in double).
/// x < 0 or NaN → NaN; 0 → −inf; +inf → +inf.
inline float det_log(float x) noexcept {
  if (!(x == x) || x < 0) return std::numeric_limits<float>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<float>::infinity();
  if (x == std::numeric_limits<float>::infinity()) return x;
  int e = 0;
  if (x < 0x1p-126f) {  // subnormal: make it normal first (exact)
    x = x * 0x1p+24f;
    e = -24;
  }
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  e += static_cast<int>((b >> 23) & 0xFFu) - 127;
  b = (b & 0x007FFFFFu) | 0x3F800000u;  // m in [1, 2)
  float m;
  std::memcpy(&m, &b, sizeof m);
  if (m > 0x1.6a09e6p+0f) {  // √2
    m = m * 0.5f;
    ++e;
  }
  const float f = m - 1.f;  // exact (Sterbenz)
  const float s = f / (2.f + f);
  const float z = s * s;
  float q = 0x1.c71c72p-3f;  // 2/9
  q = q * z + 0x1.24924ap-2f;
  q = q * z + 0x1.99999ap-2f;
  q = q * z + 0x1.555556p-1f;
  const float lm = s * 2.f + s * (z * q);
  const float ef = static_cast<float>(e);
  return ef * 0x1.63p-1f + (lm + ef * -0x1.bd0106p-13f);
}
inline double det_log(double x) noexcept {
  if (!(x == x) || x < 0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  int e = 0;
  if (x < 0x1p-1022) {
    x = x * 0x1p+54;
    e = -54;
  }
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  e += static_cast<int>((b >> 52) & 0x7FFu) - 1023;
  b = (b & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  double m;
  std::memcpy(&m, &b, sizeof m);
  if (m > 0x1.6a09e667f3bcdp+0) {
    m = m * 0.5;
    ++e;
  }
  const double f = m - 1.;
  const double s = f / (2. + f);
  const double z = s * s;
  double q = 2. / 21.;
  for (int k = 9; k >= 1; --k) q = q * z + 2. / static_cast<double>(2 * k + 1);
  const double lm = s * 2. + s * (z * q);
  const double ef = static_cast<double>(e);
  return ef * 0x1.62e42feep-1 + (lm + ef * 0x1.a39ef35793c76p-33);
}

/// tanh(x) = sign(x)·(1 − 2/(e^{2|x|} + 1)); ±1 beyond |x| = 9 (float) / 19
/// (double), where the formula rounds to 1 anyway. NaN → NaN.
template <class Real>
inline Real det_tanh(Real x) noexcept {
  if (!(x == x)) return x;
  const Real a = x < 0 ? -x : x;
  const Real cut = sizeof(Real) == 4 ? Real(9) : Real(19);
  Real t = 1;
  if (a < cut) t = Real(1) - Real(2) / (det_exp(a + a) + Real(1));
  return x < 0 ? -t : t;
}

/// The logistic function 1/(1 + e^{−x}), in [0, 1]. NaN → NaN.
template <class Real>
inline Real det_sigmoid(Real x) noexcept {
  if (!(x == x)) return x;
  return Real(1) / (Real(1) + det_exp(-x));
}

}  // namespace detail
}  // namespace starling
