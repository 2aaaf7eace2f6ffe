// SPDX-License-Identifier: MIT
// starling/detail/det_math.hpp: deterministic log2, exp2 and pow for the
// optimizers that need fractional powers (Spsa's gain sequences, Anneal's
// visiting distribution and acceptance), bit-identical on every target.
//
// Why not <cmath>: exp, log and pow are not correctly rounded, and libms
// differ (glibc, newlib, the compiler's constant folding), so a trajectory that
// used them would differ between x86, aarch64 and Cortex-M. These use only
// +, −, ×, ÷ (correctly rounded IEEE operations, each rounded to Real in a
// fixed order: the build's -ffp-contract=off forbids fusing) and exact bit
// manipulation, so tools/det_math_ref.py reproduces them bit for bit.
//
// Accuracy (not the point, but enough): about 1e-7 relative for float and
// 1e-15 for double over the documented ranges.
//
// The algorithms, for the Python reference and any port:
//   log2(x), x > 0: x = m·2^e exactly with m in [1, 2) (denormals scaled by
//     2^64 first); if m > √2 (√2 rounded to Real): m = m/2, e = e + 1.
//     t = (m − 1)/(m + 1), t2 = t·t, p = Horner over t2 of the coefficients
//     c_k = 2/((2k + 1)·ln 2) from the highest k down (k <= 5 for float,
//     <= 11 for double): p = c_K; p = p·t2 + c_{k} for k = K−1 .. 0;
//     result e + t·p (e converted to Real).
//   exp2(y): y clamped to [−L, L] (L = 100 for float, 1000 for double; NaN
//     counts as −L); n = floor(y + 0.5); f = y − n (exact); p = Horner over f
//     of c_k = (ln 2)^k/k! (k <= 7 for float, <= 13 for double), from the
//     highest down; result p·2^n (2^n built exactly).
//   pow(x, y), x >= 0: 0 if x == 0, else exp2(y·log2(x)).
// The coefficients are the double values of det_math.cpp's literals rounded
// to Real once.
#pragma once

namespace starling {
namespace detail {

/// log2(x) for finite x > 0; −inf for x == 0; NaN for x < 0 or NaN; +inf for +inf.
float det_log2(float x) noexcept;
double det_log2(double x) noexcept;
/// 2^y with y clamped to [−100, 100] (float) or [−1000, 1000] (double), so
/// the result is always a positive normal number; NaN counts as the lower clamp.
float det_exp2(float y) noexcept;
double det_exp2(double y) noexcept;
/// x^y for x >= 0 (0 for x == 0): exp2(y·log2(x)), clamped as det_exp2.
/// Callers pass finite x >= 0.
float det_pow(float x, float y) noexcept;
double det_pow(double x, double y) noexcept;
/// floor(x) for |x| < 2^62 (values beyond are integers already and returned
/// as they are); exact.
float det_floor(float x) noexcept;
double det_floor(double x) noexcept;

/// lo <= v <= hi (false for NaN; ±inf only if a bound is): the range check of
/// the single-point optimizers' validate(), out of line so that each check
/// costs a call rather than a comparison sequence in flash.
bool finite_in(float v, float lo, float hi) noexcept;

}  // namespace detail
}  // namespace starling
