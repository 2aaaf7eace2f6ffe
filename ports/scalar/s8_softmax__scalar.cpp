// SPDX-License-Identifier: MIT
// s8_softmax__scalar: scalar reference of the int8 softmax with gemmlowp's fixed-point exp (all targets).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

namespace {

// gemmlowp fixed-point arithmetic on int32 raw values, as TFLite's reference
// softmax uses it. Additions wrap (gemmlowp's Add is a plain int32 add; valid
// inputs never overflow there, and wrapping keeps odd ones defined).
constexpr int32_t kMin = INT32_MIN;
constexpr int32_t kMax = INT32_MAX;

int32_t add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
int32_t sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}

// SaturatingRoundingDoublingHighMul: round(a·b / 2^31), ties toward +infinity.
int32_t mul(int32_t a, int32_t b) {
  if (a == kMin && b == kMin) return kMax;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (int64_t{1} - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// RoundingDivideByPOT: round(x / 2^e), ties away from zero, e in [0, 31].
int32_t rdpot(int32_t x, int e) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << e) - 1);
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);
}

// SaturatingRoundingMultiplyByPOT<E> for E > 0: x·2^E saturated to int32.
template <int E>
int32_t sat_shl(int32_t x) {
  constexpr int32_t thr = (int32_t{1} << (31 - E)) - 1;
  if (x > thr) return kMax;
  if (x < -thr) return kMin;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << E);
}

// exp(a) for a in [−1/4, 0), Q0.31 in and out: Taylor series around −1/8.
int32_t exp_quarter(int32_t a) {
  constexpr int32_t kExpMinus1Over8 = 1895147668;
  constexpr int32_t kOneThird = 715827883;
  const int32_t x = add(a, int32_t{1} << 28);
  const int32_t x2 = mul(x, x);
  const int32_t x3 = mul(x2, x);
  const int32_t x4 = mul(x2, x2);
  const int32_t x4_4 = rdpot(x4, 2);
  const int32_t poly = rdpot(add(mul(add(x4_4, x3), kOneThird), x2), 1);
  return add(kExpMinus1Over8, mul(kExpMinus1Over8, add(x, poly)));
}

// exp(a) for a Q5.26 value a <= 0, Q0.31 result: the quarter-interval series
// times exp(−2^k) for each bit k of the remainder (gemmlowp's barrel shifter).
int32_t exp_on_negative_values_q5(int32_t a) {
  constexpr int kFrac = 26;
  constexpr int32_t kQuarter = int32_t{1} << (kFrac - 2);
  const int32_t a_mod = sub(a & (kQuarter - 1), kQuarter);
  int32_t result = exp_quarter(sat_shl<5>(a_mod));
  const int32_t remainder = sub(a_mod, a);
  // exp(−1/4), exp(−1/2), exp(−1), exp(−2), exp(−4), exp(−8), exp(−16) in Q0.31.
  static const int32_t kBarrel[7] = {1672461947, 1302514674, 790015084, 290630308,
                                     39332535,   720401,     242};
  for (int k = 0; k < 7; ++k) {
    if ((remainder & (int32_t{1} << (kFrac - 2 + k))) != 0) result = mul(result, kBarrel[k]);
  }
  return a == 0 ? kMax : result;
}

// 1/(1 + a) for a in [0, 1), Q0.31 in and out: three Newton-Raphson steps in Q2.29.
int32_t one_over_one_plus_x(int32_t a) {
  const int64_t s = static_cast<int64_t>(a) + kMax;  // RoundingHalfSum(a, 1.0)
  const int32_t half_den = static_cast<int32_t>((s + (s >= 0 ? 1 : -1)) / 2);
  constexpr int32_t k48Over17 = 1515870810, kMinus32Over17 = -1010580540, kOneQ2 = int32_t{1} << 29;
  int32_t x = add(k48Over17, mul(half_den, kMinus32Over17));
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus = sub(kOneQ2, mul(half_den, x));
    x = add(x, sat_shl<2>(mul(x, one_minus)));
  }
  return sat_shl<1>(x);
}

int clz32(uint32_t v) {
  int n = 0;
  while (n < 32 && (v & 0x80000000u) == 0) {
    v <<= 1;
    ++n;
  }
  return n;
}

}  // namespace

void s8_softmax__scalar(const SoftmaxParams& p, const int8_t* input, int8_t* output) {
  const std::ptrdiff_t cols = p.cols;
  for (std::ptrdiff_t r = 0; r < p.rows; ++r) {
    const int8_t* x = input + r * cols;
    int8_t* y = output + r * cols;
    int32_t mx = -128;
    for (std::ptrdiff_t c = 0; c < cols; ++c) mx = x[c] > mx ? x[c] : mx;
    // Σ exp in Q12.19; each term is at most 2^19, so stopping at 2^28 (the
    // domain's end) keeps the sum exact and inside int32 for any cols.
    int32_t sum = 0;
    for (std::ptrdiff_t c = 0; c < cols && sum < (int32_t{1} << 28); ++c) {
      const int32_t d = x[c] - mx;
      if (d >= p.diff_min) {
        sum += rdpot(exp_on_negative_values_q5(requantize(d, p.input_multiplier, p.input_left_shift)), 12);
      }
    }
    if (sum >= (int32_t{1} << 28)) {  // shift >= 32: outside the reference's domain
      for (std::ptrdiff_t c = 0; c < cols; ++c) y[c] = -128;
      continue;
    }
    // GetReciprocal: sum = 2^(12 − headroom)·(1 + f), f in [0, 1).
    const int headroom = clz32(static_cast<uint32_t>(sum));  // in [4, 12]: sum in [2^19, 2^28)
    const int exponent = (12 - headroom) + 31 - 8;           // in [23, 31]
    const int32_t f = static_cast<int32_t>((static_cast<uint32_t>(sum) << headroom) - 0x80000000u);
    const int32_t scale = one_over_one_plus_x(f);
    for (std::ptrdiff_t c = 0; c < cols; ++c) {
      const int32_t d = x[c] - mx;
      int32_t v = -128;
      if (d >= p.diff_min) {
        const int32_t e = exp_on_negative_values_q5(requantize(d, p.input_multiplier, p.input_left_shift));
        v = rdpot(mul(scale, e), exponent) - 128;
        v = v > 127 ? 127 : (v < -128 ? -128 : v);
      }
      y[c] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace detail
}  // namespace starling
