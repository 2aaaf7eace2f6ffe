// SPDX-License-Identifier: MIT
// Deterministic elementary functions for the model-based optimizers (BayesOpt's
// kernel, likelihood and acquisition): exp, log, the normal distribution's
// log expected improvement, written with + − × ÷, frexp and exact powers of two
// in a fixed order, so that every target computes the same bits (a libm's exp
// and log differ between glibc, newlib and others in the last place).
// tools/bayesopt_ref.py emulates each of them operation by operation.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace starling {
namespace detail {

/// 1/j! and 1/(2j + 1) in double (exact integers, one correctly rounded
/// division), folded at compile time.
constexpr double inv_factorial(int j) noexcept {
  double f = 1;
  for (int i = 2; i <= j; ++i) f = f * i;
  return 1.0 / f;
}
constexpr double inv_odd(int j) noexcept { return 1.0 / (2 * j + 1); }
/// Coefficient tables as Real constants (.rodata), so that no build computes
/// them at run time.
template <class Real, int N>
struct Coefs {
  Real c[N + 1];
};
template <class Real, int N>
constexpr Coefs<Real, N> inv_factorials() noexcept {
  Coefs<Real, N> t{};
  for (int j = 0; j <= N; ++j) t.c[j] = static_cast<Real>(inv_factorial(j));
  return t;
}
template <class Real, int N>
constexpr Coefs<Real, N> inv_odds() noexcept {
  Coefs<Real, N> t{};
  for (int j = 0; j <= N; ++j) t.c[j] = static_cast<Real>(inv_odd(j));
  return t;
}

/// Per-type constants: the Taylor degree of exp and the atanh series length
/// of log are the smallest whose truncation error is below half an ulp on the
/// reduced ranges (|r| <= ln2/2 for exp, |s| <= 0.1716 for log).
template <class Real>
struct MathTraits;
template <>
struct MathTraits<float> {
  static constexpr int kExpDegree = 7;    // r^8/8! < 6e-9 at |r| = 0.347
  static constexpr int kLogTerms = 4;     // z^5/11 < 3e-9 at z = 0.0295
  static constexpr float kExpLo = -80.f;  // exp below: 0 (never denormal)
  static constexpr float kExpHi = 88.f;   // exp above: +inf
  // ln 2 = kLn2Hi + kLn2Lo; kLn2Hi has 9 significant bits, so k·kLn2Hi is
  // exact for |k| < 2^15.
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
};
template <>
struct MathTraits<double> {
  static constexpr int kExpDegree = 13;   // r^14/14! < 5e-18
  static constexpr int kLogTerms = 11;    // z^12/25 < 2e-20
  static constexpr double kExpLo = -700.0;
  static constexpr double kExpHi = 709.0;
  static constexpr double kLn2Hi = 0.693145751953125;  // 21 significant bits
  static constexpr double kLn2Lo = 1.42860682030941723212e-6;
};

/// 2^k as Real, built from its bits (exact; k in the normal exponent range).
template <class Real>
inline Real pow2i(int k) noexcept {
  if (sizeof(Real) == 4) {
    const uint32_t b = static_cast<uint32_t>(k + 127) << 23;
    float f;
    std::memcpy(&f, &b, 4);
    return static_cast<Real>(f);
  }
  const uint64_t b = static_cast<uint64_t>(k + 1023) << 52;
  double d;
  std::memcpy(&d, &b, 8);
  return static_cast<Real>(d);
}

/// e^x: k = x/ln2 rounded half away from zero, r = (x − k·ln2_hi) − k·ln2_lo,
/// e^r by its Taylor polynomial in Horner form (coefficients 1/j! rounded to
/// Real), times 2^k. 0 below kExpLo, +inf above kExpHi, NaN for NaN. Relative
/// error about 1 ulp.
template <class Real>
inline Real det_exp(Real x) noexcept {
  using T = MathTraits<Real>;
  if (x != x) return x;
  if (x < T::kExpLo) return 0;
  if (x > T::kExpHi) return std::numeric_limits<Real>::infinity();
  const Real t = x * static_cast<Real>(1.44269504088896340736);  // 1/ln 2
  const int k = static_cast<int>(t >= 0 ? t + static_cast<Real>(0.5) : t - static_cast<Real>(0.5));
  const Real kf = static_cast<Real>(k);
  Real r = x - kf * T::kLn2Hi;
  r = r - kf * T::kLn2Lo;
  static constexpr Coefs<Real, T::kExpDegree> kC = inv_factorials<Real, T::kExpDegree>();
  Real p = kC.c[T::kExpDegree];
  for (int j = T::kExpDegree - 1; j >= 1; --j) p = p * r + kC.c[j];
  p = p * r + 1;
  return p * pow2i<Real>(k);
}

/// Natural logarithm: x = m·2^e with m in [√½, √2) (frexp, exact), s = (m − 1)/(m + 1),
/// ln m = 2s·(1 + z/3 + z²/5 + ...) with z = s², then e·ln2_lo + ln m + e·ln2_hi.
/// −inf for 0, NaN below 0 or for NaN, +inf for +inf. About 1 ulp.
template <class Real>
inline Real det_log(Real x) noexcept {
  using T = MathTraits<Real>;
  if (x != x || x < 0) return std::numeric_limits<Real>::quiet_NaN();
  if (x == 0) return -std::numeric_limits<Real>::infinity();
  if (x == std::numeric_limits<Real>::infinity()) return x;
  int e = 0;
  Real m = std::frexp(x, &e);  // [0.5, 1)
  if (m < static_cast<Real>(0.70710678118654752440)) {
    m = m + m;
    e = e - 1;
  }
  const Real s = (m - 1) / (m + 1);
  const Real z = s * s;
  static constexpr Coefs<Real, T::kLogTerms> kC = inv_odds<Real, T::kLogTerms>();
  Real p = kC.c[T::kLogTerms];
  for (int j = T::kLogTerms - 1; j >= 1; --j) p = p * z + kC.c[j];
  p = p * z + 1;
  const Real lm = (s + s) * p;
  const Real ef = static_cast<Real>(e);
  return (ef * T::kLn2Lo + lm) + ef * T::kLn2Hi;
}

/// erfc(x) for x >= 0 as t·exp(−x² + P(t)), t = 1/(1 + x/2), P the degree-9
/// Chebyshev fit of Numerical Recipes (§6.2, "erfcc"): relative error below
/// 1.2e-7 for every x >= 0. Returns the exponent −x² + P(t) in *expo and t in
/// *tt too (the expected improvement needs them apart).
template <class Real>
inline Real erfc_parts(Real x, Real* tt, Real* expo) noexcept {
  const Real t = 1 / (1 + static_cast<Real>(0.5) * x);
  Real p = static_cast<Real>(0.17087277);
  p = p * t + static_cast<Real>(-0.82215223);
  p = p * t + static_cast<Real>(1.48851587);
  p = p * t + static_cast<Real>(-1.13520398);
  p = p * t + static_cast<Real>(0.27886807);
  p = p * t + static_cast<Real>(-0.18628806);
  p = p * t + static_cast<Real>(0.09678418);
  p = p * t + static_cast<Real>(0.37409196);
  p = p * t + static_cast<Real>(1.00002368);
  p = p * t + static_cast<Real>(-1.26551223);
  *tt = t;
  *expo = p - x * x;
  return t * det_exp(*expo);
}

/// log(u·Φ(u) + φ(u)): the logarithm of the standard normal's expected
/// improvement at standardized improvement u (EI = σ·that), computed without
/// underflow or cancellation for very negative u (the LogEI form of Ament et
/// al., "Unexpected improvements to expected improvement", NeurIPS 2023):
///   u >= −1:        direct, Φ(u) = erfc(−u/√2)/2;
///   −10 <= u < −1:  −u²/2 + log(1/√(2π) + u·t·e^P/2) with erfc's own parts;
///   u < −10:        −u²/2 + log(φ-scaled asymptotic series 1/u² − 3/u⁴ + 15/u⁶ − 105/u⁸).
template <class Real>
inline Real log_ei(Real u) noexcept {
  const Real inv_sqrt2 = static_cast<Real>(0.70710678118654752440);
  const Real inv_sqrt2pi = static_cast<Real>(0.39894228040143267794);
  const Real half = static_cast<Real>(0.5);
  Real t = 0, expo = 0;
  if (u >= -1) {
    const Real x = u * inv_sqrt2;  // erfc(−u/√2): argument sign decides the branch
    Real phi_cdf;
    if (x >= 0) {
      phi_cdf = 1 - half * erfc_parts(x, &t, &expo);
    } else {
      phi_cdf = half * erfc_parts(-x, &t, &expo);
    }
    const Real pdf = inv_sqrt2pi * det_exp(-half * (u * u));
    return det_log(u * phi_cdf + pdf);
  }
  const Real u2 = u * u;
  if (u >= -10) {
    (void)erfc_parts(-u * inv_sqrt2, &t, &expo);
    // expo = P(t) − u²/2, so e^P = e^(expo + u²/2).
    const Real ep = det_exp(expo + half * u2);
    const Real bracket = inv_sqrt2pi + half * (u * (t * ep));
    if (bracket > 0) return det_log(bracket) - half * u2;
  }
  const Real w = 1 / u2;
  Real s = static_cast<Real>(-105) * w + 15;
  s = s * w - 3;
  s = s * w + 1;
  return det_log(inv_sqrt2pi * (w * s)) - half * u2;
}

}  // namespace detail
}  // namespace starling
