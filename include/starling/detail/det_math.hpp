// SPDX-License-Identifier: MIT
// starling/detail/det_math.hpp: the optimizers' deterministic arithmetic, the
// same bits on every target. Three groups, each with its own Python emulation:
//   1. log2, exp2, pow, floor (out of line, src/det_math.cpp; Spsa's gain
//      sequences, Anneal's visits and acceptance; tools/det_math_ref.py);
//   2. ln, exp, sine/cosine, normal and Cauchy variates (inline templates;
//      Cmaes's sampling and weights, De's parameter draws by the cheaper
//      det_normal_ih4 and det_cauchy_disk; tools/det_ref.py);
//   3. tanh and the logistic function on group 2's exp (inline templates; the
//      MLP trainer's activations; tools/det_math_ref.py).
//
// Group 1 (log2/exp2/pow):
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
//
// Group 2 (ln/exp/sincos/variates):
//
// Why not <cmath>: std::log, std::exp, std::sin are not correctly rounded and
// differ between libms (glibc, newlib, a vendor's), so a trajectory that used
// them would differ across targets. These functions are not correctly rounded
// either, but they are the same everywhere: with -ffp-contract=off each
// operation is one IEEE operation in a fixed order (tools/de_ref.py and
// tools/cmaes_ref.py emulate them op by op). Accuracy: a few ulps in float,
// about 1e-13 relative in double; the domains are what the optimizers need.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace starling {
namespace detail {

// ---- group 1 ----
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

/// Group 1's coefficients (c_k above, as double literals; det_math.cpp and
/// the compile-time twins below round them to Real the same way).
// 2/((2k + 1)·ln 2), k = 0 .. 11.
constexpr double kDetLog2C[12] = {
    2.8853900817779268,  0.9617966939259757,  0.5770780163555853,  0.41219858311113244,
    0.3205988979753252,  0.2623081892525388,  0.2219530832136867,  0.19235933878519512,
    0.16972882833987804, 0.15186263588304877, 0.1373995277037108,  0.12545174268599682};
// (ln 2)^k/k!, k = 0 .. 13.
constexpr double kDetExp2C[14] = {
    1.0,                   0.6931471805599453,    0.2402265069591007,    0.055504108664821576,
    0.009618129107628477,  0.0013333558146428441, 0.00015403530393381606, 1.5252733804059838e-05,
    1.3215486790144305e-06, 1.0178086009239696e-07, 7.054911620801121e-09, 4.44553827187081e-10,
    2.5678435993488196e-11, 1.3691488853904124e-12};
constexpr double kDetSqrt2 = 1.4142135623730951;

// ---- group 2 ----
template <class Real>
struct DetBits;
template <>
struct DetBits<float> {
  using U = uint32_t;
  static constexpr int kMant = 23, kBias = 127;
  static constexpr U kExpMask = 0xFFu;
  static constexpr U kMantMask = 0x7FFFFFu;
  // ln 2 split: kLn2Hi has 16 significant bits, so k·kLn2Hi is exact for |k| < 256.
  static constexpr float kLn2Hi = 0.693145751953125f;
  static constexpr float kLn2Lo = 1.42860682030941723212e-06f;
};
template <>
struct DetBits<double> {
  using U = uint64_t;
  static constexpr int kMant = 52, kBias = 1023;
  static constexpr U kExpMask = 0x7FFu;
  static constexpr U kMantMask = 0xFFFFFFFFFFFFFull;
  // fdlibm's split: kLn2Hi has 32 trailing zero bits.
  static constexpr double kLn2Hi = 6.93147180369123816490e-01;
  static constexpr double kLn2Lo = 1.90821492927058770002e-10;
};

/// 2^k exactly, for k in the normal range of Real (−126..127 for float).
template <class Real>
inline Real det_pow2(int k) noexcept {
  using B = DetBits<Real>;
  const typename B::U u = static_cast<typename B::U>(k + B::kBias) << B::kMant;
  Real r;
  std::memcpy(&r, &u, sizeof r);
  return r;
}

/// Natural logarithm of x, for x a positive normal number (the callers pass
/// values in (0, 2^24] or weights' ratios). x = m·2^e with m in [√½, √2),
/// ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| <= 0.1716: the odd series
/// to s^13 (truncation below 2e-14 relative).
template <class Real>
inline Real det_log(Real x) noexcept {
  using B = DetBits<Real>;
  typename B::U u;
  std::memcpy(&u, &x, sizeof u);
  int e = static_cast<int>((u >> B::kMant) & B::kExpMask) - B::kBias;
  u = (u & B::kMantMask) | (static_cast<typename B::U>(B::kBias) << B::kMant);
  Real m;
  std::memcpy(&m, &u, sizeof m);  // [1, 2)
  if (m > Real(1.41421356237309504880)) {
    m = m * Real(0.5);
    ++e;
  }
  const Real s = (m - 1) / (m + 1);
  const Real s2 = s * s;
  const Real p =
      s2 * (Real(2.0 / 3) +
            s2 * (Real(2.0 / 5) +
                  s2 * (Real(2.0 / 7) + s2 * (Real(2.0 / 9) + s2 * (Real(2.0 / 11) + s2 * Real(2.0 / 13))))));
  const Real ke = static_cast<Real>(e);
  return ke * B::kLn2Hi + ((s + s) + (s * p + ke * B::kLn2Lo));
}

/// e^x for |x| <= 80 (clamped there): x = k·ln 2 + r, |r| <= ln2/2, e^r by
/// its Taylor series to r^12 (truncation below 1e-15), times 2^k. NaN gives
/// NaN (it must not reach the conversion to int, which would be undefined).
template <class Real>
inline Real det_exp(Real x) noexcept {
  using B = DetBits<Real>;
  if (x != x) return x;
  if (x > Real(80)) x = Real(80);
  if (x < Real(-80)) x = Real(-80);
  const Real t = x * Real(1.44269504088896340736);  // 1/ln 2
  const int k = static_cast<int>(t < 0 ? t - Real(0.5) : t + Real(0.5));
  const Real kr = static_cast<Real>(k);
  const Real r = (x - kr * B::kLn2Hi) - kr * B::kLn2Lo;
  Real p = Real(1.0 / 479001600);  // 1/12!
  const Real inv[12] = {Real(1.0 / 39916800), Real(1.0 / 3628800), Real(1.0 / 362880),
                        Real(1.0 / 40320),    Real(1.0 / 5040),    Real(1.0 / 720),
                        Real(1.0 / 120),      Real(1.0 / 24),      Real(1.0 / 6),
                        Real(0.5),            Real(1),             Real(1)};
  for (Real c : inv) p = p * r + c;
  return p * det_pow2<Real>(k);
}

/// sin and cos of the angle 2π·t for t in [0, 1) a multiple of 2^-25 or
/// coarser (then 8t splits exactly into octant and fraction): octant o =
/// floor(8t), fraction f; the series for sin and cos of r = f·π/4 (or
/// (1 − f)·π/4 on odd octants) to r^13 and r^14, then swapped and signed by
/// octant.
template <class Real>
inline void det_sincos_turn(Real t, Real* s, Real* c) noexcept {
  const Real t8 = t * 8;
  int o = static_cast<int>(t8);
  if (o > 7) o = 7;
  const Real f = t8 - static_cast<Real>(o);
  const Real r = ((o & 1) != 0 ? 1 - f : f) * Real(0.78539816339744830962);
  const Real r2 = r * r;
  // sr = r + r·r2·(−1/6 + r2·(1/120 + ... + r2/13!)) and cr = 1 + r2·(−1/2 +
  // ... + r2·(−1/14!)), both by Horner from the inside out in one loop over a
  // table of pairs. The sine's two leading zeros are exact no-ops (p = 0 stays
  // 0, then 0 + 1/13! is 1/13!), so the operations that touch a value are
  // those of the nested form, in its order.
  static constexpr Real kSC[8][2] = {
      {Real(0), Real(-1.0 / 87178291200.0)},
      {Real(0), Real(1.0 / 479001600)},
      {Real(1.0 / 6227020800), Real(-1.0 / 3628800)},
      {Real(-1.0 / 39916800), Real(1.0 / 40320)},
      {Real(1.0 / 362880), Real(-1.0 / 720)},
      {Real(-1.0 / 5040), Real(1.0 / 24)},
      {Real(1.0 / 120), Real(-0.5)},
      {Real(-1.0 / 6), Real(1)}};
  Real ps = 0, pc = 0;
  for (const auto& k : kSC) {
    ps = k[0] + r2 * ps;
    pc = k[1] + r2 * pc;
  }
  const Real sr = r + r * r2 * ps;
  const Real cr = pc;
  // Octant o covers [o·π/4, (o+1)·π/4): even o = q·π/2 + r, odd o = (q+1)·π/2 − r.
  const int q = ((o + 1) >> 1) & 3;  // the multiple of π/2 the angle is measured from
  const Real sa = (o & 1) != 0 ? -sr : sr;  // sin and cos of the signed offset ±r
  switch (q) {
    case 0: *s = sa; *c = cr; break;
    case 1: *s = cr; *c = -sa; break;
    case 2: *s = -sa; *c = -cr; break;
    default: *s = -cr; *c = sa; break;
  }
}

/// Two independent standard normal numbers from two random words (Box–Muller):
/// u1 = (w1/2^8 + 1)·2^-24 in (0, 1], turn t = (w2/2^8)·2^-24 in [0, 1),
/// ρ = √(−2 ln u1), z0 = ρ·cos 2πt, z1 = ρ·sin 2πt. |z| <= 5.77.
template <class Real>
inline void det_normal2(uint32_t w1, uint32_t w2, Real* z0, Real* z1) noexcept {
  const Real u1 = static_cast<Real>((w1 >> 8) + 1u) * Real(5.9604644775390625e-08);
  const Real t = static_cast<Real>(w2 >> 8) * Real(5.9604644775390625e-08);
  const Real rho = std::sqrt(Real(-2) * det_log(u1));
  Real s, c;
  det_sincos_turn(t, &s, &c);
  *z0 = rho * c;
  *z1 = rho * s;
}

/// A standard Cauchy number tan(π(u − ½)) = −cos(πu)/sin(πu) from a random
/// word, u = (w/2^8)·2^-24; false for u = 0 (the pole: draw again).
template <class Real>
inline bool det_cauchy(uint32_t w, Real* out) noexcept {
  const uint32_t k = w >> 8;
  if (k == 0) return false;
  Real s, c;
  det_sincos_turn(static_cast<Real>(k) * Real(2.98023223876953125e-08), &s, &c);  // u/2 turns
  *out = -c / s;
  return true;
}

/// A nearly standard normal number from two random words without ln, √ or
/// sine (De's crossover rates): the sum of the four 16-bit halves h of w1 and
/// w2 less its mean, k = Σh − 131070 (an integer in [−131070, 131070],
/// distributed symmetrically about 0), times √3/65535 (rounded to Real once):
/// (Σu − 2)·√3 for four uniforms u = h/65535 (Irwin–Hall), mean 0, variance
/// 1, |z| <= √12 ≈ 3.46. One rounding, the same on every target.
template <class Real>
inline Real det_normal_ih4(uint32_t w1, uint32_t w2) noexcept {
  const int32_t k =
      static_cast<int32_t>((w1 >> 16) + (w1 & 0xFFFFu) + (w2 >> 16) + (w2 & 0xFFFFu)) - 131070;
  return static_cast<Real>(k) * Real(2.6429401198884218e-05);  // √3/65535
}

/// A standard Cauchy number from two random words, by the ratio of the
/// coordinates of a point uniform in the unit disk (no trigonometry):
/// v = (2·(w >> 8) + 1 − 2^24)·2^-24 for each word (odd multiples of 2^-24 in
/// (−1, 1), never 0, exact); false when v1·v1 + v2·v2 >= 1 (outside the disk,
/// rounded in Real: draw again), else *out = v1/v2.
template <class Real>
inline bool det_cauchy_disk(uint32_t w1, uint32_t w2, Real* out) noexcept {
  // (w >> 8)·2^-23 and the sum are exact: no rounding in either step.
  const Real v1 = static_cast<Real>(w1 >> 8) * Real(1.1920928955078125e-07) + Real(-0.999999940395355224609375);
  const Real v2 = static_cast<Real>(w2 >> 8) * Real(1.1920928955078125e-07) + Real(-0.999999940395355224609375);
  if (!(v1 * v1 + v2 * v2 < 1)) return false;
  *out = v1 / v2;
  return true;
}

/// Integer in [0, n) from a random word: floor(w·n / 2^32) (exact).
inline uint32_t det_below(uint32_t w, uint32_t n) noexcept {
  return static_cast<uint32_t>((static_cast<uint64_t>(w) * n) >> 32);
}


// ---- group 3: tanh and the logistic function (issue 15, the MLP trainer) ----
// Built on group 2's det_exp (so e^x is clamped to |x| <= 80), with the same
// promise: a fixed sequence of IEEE operations, the same bits everywhere.
// Python mirror: tools/det_math_ref.py (det_tanh, det_sigmoid). Accuracy:
// within 2·2^-24 absolute in float of the true functions.

/// tanh(x) = sign(x)·(1 − 2/(e^{2|x|} + 1)); ±1 from |x| = 9 (float) / 19
/// (double) on, where the formula rounds to 1 anyway. NaN → NaN.
template <class Real>
inline Real det_tanh(Real x) noexcept {
  if (!(x == x)) return x;
  const Real a = x < 0 ? -x : x;
  const Real cut = sizeof(Real) == 4 ? Real(9) : Real(19);
  Real t = 1;
  if (a < cut) t = Real(1) - Real(2) / (det_exp(a + a) + Real(1));
  return x < 0 ? -t : t;
}

/// The logistic function 1/(1 + e^{−x}), in (0, 1] (e^{−x} is clamped at
/// e^80, so the smallest value is about 1.8e-35). NaN → NaN.
template <class Real>
inline Real det_sigmoid(Real x) noexcept {
  if (!(x == x)) return x;
  return Real(1) / (Real(1) + det_exp(-x));
}

}  // namespace detail
}  // namespace starling
