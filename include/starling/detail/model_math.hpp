// SPDX-License-Identifier: MIT
// Deterministic elementary functions the model-based optimizers need beyond
// detail/det_math.hpp (BayesOpt's kernel, likelihood and acquisition): total
// versions of det_math's det_exp and det_log (NaN, zero, infinities and
// denormals handled, so a degenerate likelihood is refused rather than scored)
// and the normal distribution's log expected improvement. Everything is + − ×
// ÷ and det_math's functions in a fixed order, so every target computes the
// same bits; tools/model_ref.py emulates them operation by operation (with
// tools/det_ref.py's det_exp/det_log).
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

#include "starling/detail/det_math.hpp"

namespace starling {
namespace detail {

/// e^x for any x: NaN for NaN, else det_exp(x) (which clamps x to [−80, 80]).
template <class Real>
inline Real model_exp(Real x) noexcept {
  if (x != x) return x;
  return det_exp(x);
}

/// ln x for any x: NaN below 0 or for NaN, −inf for 0, +inf for +inf; a
/// positive denormal counts as the smallest normal number (det_log's domain
/// is the positive normal numbers).
template <class Real>
inline Real model_log(Real x) noexcept {
  if (!(x > 0)) return x == 0 ? -std::numeric_limits<Real>::infinity() : std::numeric_limits<Real>::quiet_NaN();
  if (x == std::numeric_limits<Real>::infinity()) return x;
  if (x < std::numeric_limits<Real>::min()) x = std::numeric_limits<Real>::min();
  return det_log(x);
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
  return t * model_exp(*expo);
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
    const Real pdf = inv_sqrt2pi * model_exp(-half * (u * u));
    return model_log(u * phi_cdf + pdf);
  }
  const Real u2 = u * u;
  if (u >= -10) {
    (void)erfc_parts(-u * inv_sqrt2, &t, &expo);
    // expo = P(t) − u²/2, so e^P = e^(expo + u²/2).
    const Real ep = model_exp(expo + half * u2);
    const Real bracket = inv_sqrt2pi + half * (u * (t * ep));
    if (bracket > 0) return model_log(bracket) - half * u2;
  }
  const Real w = 1 / u2;
  Real s = static_cast<Real>(-105) * w + 15;
  s = s * w - 3;
  s = s * w + 1;
  return model_log(inv_sqrt2pi * (w * s)) - half * u2;
}

}  // namespace detail
}  // namespace starling
