// SPDX-License-Identifier: MIT
// Golden-vector test of quantize_multiplier and requantize (both roundings).
//
// Expected values come from tools/gen_fc_golden.py (an independent Python
// implementation of TensorFlow Lite's QuantizeMultiplier and
// MultiplyByQuantizedMultiplier, with and without TFLITE_SINGLE_ROUNDING,
// in exact integer/rational arithmetic), committed in fc_golden.h.
#include <cstdio>

#include "check.hpp"
#include "fc_golden.h"
#include "starling/quant.hpp"

namespace {
template <class T, int N>
constexpr int count_of(const T (&)[N]) { return N; }
}  // namespace

TEST_CASE(quantize_multiplier_golden) {
  int failures = 0;
  for (int i = 0; i < count_of(fc_golden::kQuantizeMultiplier); ++i) {
    const fc_golden::QmCase& c = fc_golden::kQuantizeMultiplier[i];
    int32_t m = -7;
    int s = -7;
    starling::quantize_multiplier(c.real, &m, &s);
    if (!CHECK(m == c.multiplier && s == c.shift) && ++failures <= 10) {
      std::printf("     real %a: got (%ld, %d) want (%ld, %d)\n", c.real, static_cast<long>(m), s,
                  static_cast<long>(c.multiplier), c.shift);
    }
  }
}

TEST_CASE(requantize_golden_both_roundings) {
  const bool single = starling::requantize_is_single_rounding();
  int failures = 0;
  for (int i = 0; i < count_of(fc_golden::kRequantize); ++i) {
    const fc_golden::RqCase& c = fc_golden::kRequantize[i];
    const int32_t d = starling::detail::requantize_double(c.acc, c.multiplier, c.shift);
    const int32_t s = starling::detail::requantize_single(c.acc, c.multiplier, c.shift);
    const int32_t p = starling::requantize(c.acc, c.multiplier, c.shift);
    const bool ok = d == c.dbl && s == c.sgl && p == (single ? c.sgl : c.dbl);
    if (!CHECK(ok) && ++failures <= 10) {
      std::printf("     requantize(%ld, %ld, %d): double %ld/%ld single %ld/%ld public %ld\n",
                  static_cast<long>(c.acc), static_cast<long>(c.multiplier), c.shift,
                  static_cast<long>(d), static_cast<long>(c.dbl), static_cast<long>(s),
                  static_cast<long>(c.sgl), static_cast<long>(p));
    }
  }
}

int main() { return check::run_all(); }
