// SPDX-License-Identifier: MIT
// Hand-written unit tests of the int8 fully-connected layer and its helpers:
// parameter validation (every bad input gives its Status and writes nothing),
// batching, a null bias, the accumulator bound and the edge cases of
// quantize_multiplier. Expected values are worked out in the comments.
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "starling/detail/kernels.hpp"
#include "starling/port.hpp"
#include "starling/quant.hpp"

using starling::FcParams;
using starling::Status;

namespace {

constexpr int kIn = 7, kOut = 5, kBatches = 3;
int8_t g_x[kBatches * kIn];
int8_t g_w[kOut * kIn];
int32_t g_bias[kOut];
int32_t g_mult[kOut];
int32_t g_shift[kOut];

void fill() {
  uint32_t s = 12345u;
  auto next = [&s]() { s = s * 1664525u + 1013904223u; return s >> 24; };
  for (int8_t& v : g_x) v = static_cast<int8_t>(static_cast<int>(next()) - 128);
  for (int8_t& v : g_w) v = static_cast<int8_t>(static_cast<int>(next() % 255u) - 127);
  for (int o = 0; o < kOut; ++o) {
    g_bias[o] = (o - 2) * 1000;
    starling::quantize_multiplier(0.001 * (o + 1), &g_mult[o], nullptr);  // nullptr: no-op
    int sh = 0;
    starling::quantize_multiplier(0.001 * (o + 1), &g_mult[o], &sh);
    g_shift[o] = sh;
  }
}

FcParams good_params() {
  return FcParams{kIn, kOut, 5, -3, g_mult, g_shift, true, -128, 127};
}

bool all_equal(const int8_t* p, int n, int8_t v) {
  for (int i = 0; i < n; ++i)
    if (p[i] != v) return false;
  return true;
}

}  // namespace

TEST_CASE(invalid_parameters) {
  fill();
  const int32_t neg_mult[kOut] = {1 << 30, 1 << 30, -1, 1 << 30, 1 << 30};
  const int32_t big_shift[kOut] = {0, 0, 0, 0, 31};
  const int32_t small_shift[1] = {-32};
  struct Row {
    const char* what;
    FcParams p;
    const int8_t* x;
    const int8_t* w;
    bool out_null;
    int batches;
    Status want;
  };
  FcParams p = good_params();
  auto with = [&](auto edit) { FcParams q = p; edit(q); return q; };
  const Row rows[] = {
      {"in_dim 0", with([](FcParams& q) { q.in_dim = 0; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"in_dim -1", with([](FcParams& q) { q.in_dim = -1; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"out_dim 0", with([](FcParams& q) { q.out_dim = 0; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"out_dim -5", with([](FcParams& q) { q.out_dim = -5; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"batches 0", p, g_x, g_w, false, 0, Status::InvalidArgument},
      {"batches -1", p, g_x, g_w, false, -1, Status::InvalidArgument},
      {"input null", p, nullptr, g_w, false, 1, Status::InvalidArgument},
      {"weights null", p, g_x, nullptr, false, 1, Status::InvalidArgument},
      {"output null", p, g_x, g_w, true, 1, Status::InvalidArgument},
      {"multiplier null", with([](FcParams& q) { q.multiplier = nullptr; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"shift null", with([](FcParams& q) { q.shift = nullptr; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"input_offset -128", with([](FcParams& q) { q.input_offset = -128; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"input_offset 129", with([](FcParams& q) { q.input_offset = 129; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"output_offset -129", with([](FcParams& q) { q.output_offset = -129; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"output_offset 128", with([](FcParams& q) { q.output_offset = 128; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"act_min > act_max", with([](FcParams& q) { q.act_min = 10; q.act_max = 9; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"act_min -129", with([](FcParams& q) { q.act_min = -129; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"act_max 128", with([](FcParams& q) { q.act_max = 128; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"act_max -129", with([](FcParams& q) { q.act_max = -129; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"act_min 128", with([](FcParams& q) { q.act_min = 128; q.act_max = 128; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"negative multiplier (channel 2)", with([&](FcParams& q) { q.multiplier = neg_mult; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"shift 31 (last channel)", with([&](FcParams& q) { q.shift = big_shift; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"shift -32 (per tensor)", with([&](FcParams& q) { q.per_channel = false; q.shift = small_shift; }), g_x, g_w, false, 1, Status::InvalidArgument},
      {"in_dim > kFcMaxInDim", with([](FcParams& q) { q.in_dim = starling::kFcMaxInDim + 1; }), g_x, g_w, false, 1, Status::CapacityExceeded},
      {"in_dim INT_MAX", with([](FcParams& q) { q.in_dim = INT_MAX; }), g_x, g_w, false, 1, Status::CapacityExceeded},
  };
  static int8_t out[kBatches * kOut + 8];
  for (const Row& r : rows) {
    std::memset(out, 0x5A, sizeof out);
    const Status got = starling::fully_connected_s8(r.p, r.x, r.w, g_bias, r.out_null ? nullptr : out, r.batches);
    if (!CHECK(got == r.want)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
    if (!CHECK(all_equal(out, static_cast<int>(sizeof out), 0x5A))) std::printf("     %s wrote output\n", r.what);
  }
  // The same parameters pass when fixed, and validate() agrees with the entry point.
  CHECK(starling::validate(p) == Status::Ok);
  CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, out, kBatches) == Status::Ok);
  CHECK(starling::validate(with([](FcParams& q) { q.input_offset = 128; q.output_offset = -128; q.act_min = q.act_max = 127; })) == Status::Ok);
  CHECK(starling::validate(with([](FcParams& q) { q.in_dim = starling::kFcMaxInDim; })) == Status::Ok);
}

// validate() ORs range violations over the quarters of the per-channel
// arrays and a remainder: one bad multiplier or shift at any channel, in any
// quarter, the remainder or the last channel, is found; the edge values of
// the ranges pass in every channel. out_dim 1024 (no remainder), 1027 (three) and 3
// (no quarters); fully_connected_s8 on 1027 outputs writes nothing.
TEST_CASE(one_bad_channel_anywhere_is_found) {
  constexpr int kBig = 1027;
  static int32_t mult[kBig], shift[kBig];
  static int8_t x[1], w[kBig], out[kBig];
  const int32_t bad_mult[] = {-1, INT32_MIN};
  const int32_t bad_shift[] = {31, 32, 62, 1000, INT32_MAX, -32, -33, -1000, INT32_MIN,
                               INT32_MIN + 30, INT32_MIN + 31, INT32_MIN + 32, INT32_MAX - 30};
  const int32_t good_mult[] = {0, 1, 1 << 30, INT32_MAX};
  const int32_t good_shift[] = {-31, -30, -1, 0, 1, 29, 30};
  for (int n : {1024, kBig, 3}) {
    for (int c = 0; c < n; ++c) {
      mult[c] = 1 << 30;
      shift[c] = c % 62 - 31;
    }
    const FcParams p{1, n, 0, 0, mult, shift, true, -128, 127};
    CHECK(starling::validate(p) == Status::Ok);
    long misses = 0;
    for (int c = 0; c < n; ++c) {
      const int32_t m0 = mult[c], s0 = shift[c];
      for (int32_t m : bad_mult) {
        mult[c] = m;
        misses += starling::validate(p) != Status::InvalidArgument;
      }
      mult[c] = m0;
      for (int32_t sh : bad_shift) {
        shift[c] = sh;
        misses += starling::validate(p) != Status::InvalidArgument;
      }
      shift[c] = s0;
    }
    // Every edge value in every channel at once (O(n) calls in all: the
    // test also runs under QEMU).
    for (int32_t m : good_mult) {
      for (int32_t sh : good_shift) {
        for (int c = 0; c < n; ++c) {
          mult[c] = m;
          shift[c] = sh;
        }
        misses += starling::validate(p) != Status::Ok;
      }
    }
    for (int c = 0; c < n; ++c) {
      mult[c] = 1 << 30;
      shift[c] = c % 62 - 31;
    }
    if (!CHECK_EQ(misses, 0L)) std::printf("     out_dim %d\n", n);
  }
  const FcParams p{1, kBig, 0, 0, mult, shift, true, -128, 127};
  for (int c : {0, kBig / 4, kBig / 2, kBig - 4, kBig - 1}) {
    const int32_t s0 = shift[c];
    shift[c] = c == kBig - 1 ? 31 : -32;
    std::memset(out, 0x5A, sizeof out);
    CHECK(starling::fully_connected_s8(p, x, w, nullptr, out, 1) == Status::InvalidArgument);
    CHECK(all_equal(out, kBig, 0x5A));
    shift[c] = s0;
  }
}

TEST_CASE(size_products_are_guarded) {
  // in_dim·out_dim and batches·dims must fit ptrdiff_t: only 32-bit targets can fail them.
  FcParams p = good_params();
  p.per_channel = false;
  p.in_dim = starling::kFcMaxInDim;
  p.out_dim = INT_MAX;
  const Status want = sizeof(std::ptrdiff_t) >= 8 ? Status::Ok : Status::CapacityExceeded;
  CHECK(starling::validate(p) == want);
  p.out_dim = 1;
  int8_t out[1] = {0x5A};
  if (sizeof(std::ptrdiff_t) < 8) {
    CHECK(starling::fully_connected_s8(p, g_x, g_w, nullptr, out, INT_MAX) == Status::CapacityExceeded);
    CHECK_EQ(out[0], static_cast<int8_t>(0x5A));
  }
}

TEST_CASE(batches_equal_repeated_single_batch) {
  fill();
  const FcParams p = good_params();
  int8_t all[kBatches * kOut];
  int8_t one[kOut];
  CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, all, kBatches) == Status::Ok);
  for (int b = 0; b < kBatches; ++b) {
    CHECK(starling::fully_connected_s8(p, g_x + b * kIn, g_w, g_bias, one, 1) == Status::Ok);
    CHECK(std::memcmp(one, all + b * kOut, kOut) == 0);
  }
}

TEST_CASE(null_bias_is_zero_bias) {
  fill();
  const FcParams p = good_params();
  const int32_t zeros[kOut] = {};
  int8_t a[kBatches * kOut], b[kBatches * kOut];
  CHECK(starling::fully_connected_s8(p, g_x, g_w, nullptr, a, kBatches) == Status::Ok);
  CHECK(starling::fully_connected_s8(p, g_x, g_w, zeros, b, kBatches) == Status::Ok);
  CHECK(std::memcmp(a, b, sizeof a) == 0);
}

TEST_CASE(per_tensor_equals_equal_channels) {
  fill();
  FcParams p = good_params();
  const int32_t m[kOut] = {g_mult[1], g_mult[1], g_mult[1], g_mult[1], g_mult[1]};
  const int32_t s[kOut] = {g_shift[1], g_shift[1], g_shift[1], g_shift[1], g_shift[1]};
  int8_t a[kBatches * kOut], b[kBatches * kOut];
  p.multiplier = m;
  p.shift = s;
  CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, a, kBatches) == Status::Ok);
  p.per_channel = false;
  p.multiplier = &g_mult[1];
  p.shift = &g_shift[1];
  CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, b, kBatches) == Status::Ok);
  CHECK(std::memcmp(a, b, sizeof a) == 0);
}

TEST_CASE(hand_computed_layer) {
  // x = {1, -2}, input_offset 3 → {4, 1}; w rows {10, -20}, {127, 127};
  // acc0 = 100 + 40 - 20 = 120, acc1 = -100 + 508 + 127 = 535.
  // multiplier 2^30, shift -2: 0.125·acc → 15, 66.875 → 67; + output_offset -10.
  const int8_t x[2] = {1, -2};
  const int8_t w[4] = {10, -20, 127, 127};
  const int32_t bias[2] = {100, -100};
  const int32_t m = 1 << 30, s = -2;
  const FcParams p{2, 2, 3, -10, &m, &s, false, -128, 127};
  int8_t out[2];
  CHECK(starling::fully_connected_s8(p, x, w, bias, out, 1) == Status::Ok);
  CHECK_EQ(out[0], 5);
  CHECK_EQ(out[1], 57);
  const FcParams relu{2, 2, 3, -10, &m, &s, false, 0, 50};  // clamp to [0, 50]
  CHECK(starling::fully_connected_s8(relu, x, w, bias, out, 1) == Status::Ok);
  CHECK_EQ(out[0], 5);
  CHECK_EQ(out[1], 50);
}

TEST_CASE(accumulator_bound) {
  // in_dim = kFcMaxInDim, every term (-128)·(-128 - 127) = 32640:
  // acc = 32768·32640 = 1'069'547'520 plus bias 2^30 - 1 = 2'143'289'343 < 2^31.
  static int8_t x[starling::kFcMaxInDim];
  static int8_t w[starling::kFcMaxInDim];
  std::memset(x, 0x80, sizeof x);  // -128
  std::memset(w, 0x80, sizeof w);  // -128
  const int32_t bias = (1 << 30) - 1;
  const int32_t m = INT32_MAX, s = -31;  // ≈ acc / 2^31 → just below 1
  const FcParams p{starling::kFcMaxInDim, 1, -127, 0, &m, &s, false, -128, 127};
  int8_t out = 0x5A;
  CHECK(starling::fully_connected_s8(p, x, w, &bias, &out, 1) == Status::Ok);
  const int32_t acc = 2143289343;
  CHECK_EQ(out, static_cast<int8_t>(starling::requantize(acc, m, s)));
  CHECK_EQ(out, 1);
  FcParams q = p;
  q.in_dim = starling::kFcMaxInDim + 1;
  CHECK(starling::fully_connected_s8(q, x, w, &bias, &out, 1) == Status::CapacityExceeded);
}

TEST_CASE(wraparound_is_defined) {
  // bias + dot wraps: INT32_MAX + 1·1 → INT32_MIN; requantize(INT32_MIN, 2^30, 0) = -2^30 → clamp -128.
  const int8_t x[1] = {1};
  const int8_t w[1] = {1};
  const int32_t bias = INT32_MAX;
  const int32_t m = 1 << 30, s = 0;
  const FcParams p{1, 1, 0, 0, &m, &s, false, -128, 127};
  int8_t out = 0;
  CHECK(starling::fully_connected_s8(p, x, w, &bias, &out, 1) == Status::Ok);
  CHECK_EQ(out, -128);
  // Left shift wraps: acc 2^20 << 11 = 2^31 → INT32_MIN; SRDHM with 2^30 → -2^30.
  CHECK_EQ(starling::detail::requantize_double(1 << 20, 1 << 30, 11), -(1 << 30));
  // SRDHM saturation: INT32_MIN·INT32_MIN → INT32_MAX.
  CHECK_EQ(starling::detail::requantize_double(INT32_MIN, INT32_MIN, 0), INT32_MAX);
  // The output offset is added in two's complement too: acc = INT32_MAX (bias
  // INT32_MAX - 127 plus 127·1), requantize(INT32_MAX, INT32_MAX, 0) = 2^31 - 2
  // in both roundings, + 2 wraps to INT32_MIN → clamped to -128.
  const int32_t big_m = INT32_MAX, zero_s = 0;
  const int8_t x2[1] = {127};
  const int32_t b2 = INT32_MAX - 127;
  const FcParams q{1, 1, 0, 2, &big_m, &zero_s, false, -128, 127};
  CHECK_EQ(starling::requantize(INT32_MAX, INT32_MAX, 0), INT32_MAX - 1);
  CHECK(starling::fully_connected_s8(q, x2, w, &b2, &out, 1) == Status::Ok);
  CHECK_EQ(out, -128);
}

TEST_CASE(kernel_sums_are_row_sums) {
  fill();
  const FcParams p = good_params();
  int32_t sums[kOut + 1];
  sums[kOut] = 0x5A5A5A5A;
  CHECK(starling::fc_kernel_sums(p, g_w, sums) == Status::Ok);
  for (int o = 0; o < kOut; ++o) {
    long want = 0;
    for (int i = 0; i < kIn; ++i) want += g_w[o * kIn + i];
    CHECK_EQ(static_cast<long>(sums[o]), want);
  }
  CHECK_EQ(sums[kOut], 0x5A5A5A5A);  // nothing past out_dim
  // The extremes: in_dim = kFcMaxInDim weights of -127, and of 127 but one.
  static int8_t w[2 * starling::kFcMaxInDim];
  std::memset(w, 0x81, sizeof w);  // -127
  for (int i = starling::kFcMaxInDim; i < 2 * starling::kFcMaxInDim; ++i) w[i] = 127;
  w[starling::kFcMaxInDim] = 0;  // row 1: 127·32767
  FcParams big = p;
  big.in_dim = starling::kFcMaxInDim;
  big.out_dim = 2;
  int32_t two[2] = {0, 0};
  CHECK(starling::fc_kernel_sums(big, w, two) == Status::Ok);
  CHECK_EQ(two[0], -127 * starling::kFcMaxInDim);
  CHECK_EQ(two[1], 127 * (starling::kFcMaxInDim - 1));
  // One -128 anywhere (first byte, last byte): refused, nothing written.
  for (int at : {0, 2 * starling::kFcMaxInDim - 1}) {
    const int8_t keep = w[at];
    w[at] = -128;
    two[0] = two[1] = 0x5A5A5A5A;
    CHECK(starling::fc_kernel_sums(big, w, two) == Status::InvalidArgument);
    CHECK(two[0] == 0x5A5A5A5A && two[1] == 0x5A5A5A5A);
    w[at] = keep;
  }
}

TEST_CASE(kernel_sums_invalid_arguments) {
  fill();
  const FcParams p = good_params();
  auto with = [&](auto edit) { FcParams q = p; edit(q); return q; };
  struct Row {
    const char* what;
    FcParams p;
    const int8_t* w;
    bool sums_null;
    Status want;
  };
  const Row rows[] = {
      {"in_dim 0", with([](FcParams& q) { q.in_dim = 0; }), g_w, false, Status::InvalidArgument},
      {"in_dim -3", with([](FcParams& q) { q.in_dim = -3; }), g_w, false, Status::InvalidArgument},
      {"out_dim 0", with([](FcParams& q) { q.out_dim = 0; }), g_w, false, Status::InvalidArgument},
      {"out_dim -1", with([](FcParams& q) { q.out_dim = -1; }), g_w, false, Status::InvalidArgument},
      {"weights null", p, nullptr, false, Status::InvalidArgument},
      {"sums null", p, g_w, true, Status::InvalidArgument},
      {"in_dim > kFcMaxInDim", with([](FcParams& q) { q.in_dim = starling::kFcMaxInDim + 1; }), g_w, false, Status::CapacityExceeded},
      {"in_dim INT_MAX", with([](FcParams& q) { q.in_dim = INT_MAX; }), g_w, false, Status::CapacityExceeded},
  };
  for (const Row& r : rows) {
    int32_t sums[kOut + 1];
    for (int32_t& v : sums) v = 0x5A5A5A5A;
    const Status got = starling::fc_kernel_sums(r.p, r.w, r.sums_null ? nullptr : sums);
    if (!CHECK(got == r.want)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
    bool untouched = true;
    for (int32_t v : sums) untouched = untouched && v == 0x5A5A5A5A;
    if (!CHECK(untouched)) std::printf("     %s wrote sums\n", r.what);
  }
  // Only the shape matters: parameters fully_connected_s8 would reject are fine here.
  int32_t sums[kOut];
  CHECK(starling::fc_kernel_sums(with([](FcParams& q) { q.multiplier = nullptr; q.act_min = 9; q.act_max = 1; }),
                                 g_w, sums) == Status::Ok);
}

TEST_CASE(kernel_sums_do_not_change_outputs) {
  fill();
  int32_t sums[kOut];
  for (int32_t off : {-127, 0, 5, 127, 128}) {
    FcParams p = good_params();
    p.input_offset = off;
    CHECK(starling::fc_kernel_sums(p, g_w, sums) == Status::Ok);
    int8_t plain[kBatches * kOut], with_sums[kBatches * kOut], ref[kBatches * kOut], ref_sums[kBatches * kOut];
    CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, plain, kBatches) == Status::Ok);
    starling::detail::s8_fc__scalar(p, g_x, g_w, g_bias, ref, kBatches);
    p.kernel_sums = sums;
    CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, with_sums, kBatches) == Status::Ok);
    starling::detail::s8_fc__scalar(p, g_x, g_w, g_bias, ref_sums, kBatches);
    CHECK(std::memcmp(plain, ref, sizeof ref) == 0);
    CHECK(std::memcmp(with_sums, ref, sizeof ref) == 0);
    CHECK(std::memcmp(ref_sums, ref, sizeof ref) == 0);  // the reference ignores kernel_sums
  }
  // Sums that do not belong to the weights: no fault, outputs still clamped.
  const int32_t wrong[kOut] = {INT32_MAX, INT32_MIN, 0, 123456, -7};
  FcParams p = good_params();
  p.kernel_sums = wrong;
  p.act_min = -20;
  p.act_max = 30;
  int8_t out[kBatches * kOut];
  CHECK(starling::fully_connected_s8(p, g_x, g_w, g_bias, out, kBatches) == Status::Ok);
  for (int8_t v : out) CHECK(v >= -20 && v <= 30);
  int8_t ref[kBatches * kOut];
  starling::detail::s8_fc__scalar(p, g_x, g_w, g_bias, ref, kBatches);
  p.kernel_sums = nullptr;
  int8_t ref_plain[kBatches * kOut];
  starling::detail::s8_fc__scalar(p, g_x, g_w, g_bias, ref_plain, kBatches);
  CHECK(std::memcmp(ref, ref_plain, sizeof ref) == 0);
}

// Sums made by hand for weights holding -128 (fc_kernel_sums refuses them):
// outside the contract, so the bytes may differ from the reference, but every
// port must stay defined (no fault; the sanitizer builds run this) and clamp.
// 32 rows of 96: the AVX2 and SSE4.1 sign-trick tiles run, on -128 weights
// against negative inputs.
TEST_CASE(hand_made_sums_for_minus_128_weights_stay_defined) {
  constexpr int kI = 96, kO = 32;
  static int8_t w[kO * kI], x[2 * kI], out[2 * kO];
  static int32_t sums[kO], mult[kO], shift[kO];
  for (int i = 0; i < kO * kI; ++i) w[i] = static_cast<int8_t>(i % 3 == 0 ? -128 : (i * 37) % 255 - 127);
  for (int i = 0; i < 2 * kI; ++i) x[i] = static_cast<int8_t>((i * 53) % 256 - 128);
  for (int o = 0; o < kO; ++o) {
    int32_t s = 0;
    for (int i = 0; i < kI; ++i) s += w[o * kI + i];
    sums[o] = s;
    mult[o] = 1 << 30;
    shift[o] = -6;
  }
  const FcParams p{kI, kO, -3, 2, mult, shift, true, -40, 50, sums};
  const char* was = starling::active_port();
  for (int k = 0; k < starling::port_count(); ++k) {
    if (!starling::port_supported(k)) continue;
    CHECK(starling::force_port(starling::port_name(k)) == Status::Ok);
    for (int batches : {1, 2}) {
      std::memset(out, 0x7F, sizeof out);
      CHECK(starling::fully_connected_s8(p, x, w, nullptr, out, batches) == Status::Ok);
      for (int i = 0; i < batches * kO; ++i)
        if (!CHECK(out[i] >= -40 && out[i] <= 50)) std::printf("     port %s out[%d] = %d\n", starling::port_name(k), i, out[i]);
    }
  }
  CHECK(starling::force_port(was) == Status::Ok);
}

TEST_CASE(requantize_clamps_out_of_range_shifts) {
  const int32_t accs[] = {0, 1, -1, 12345, -98765, INT32_MAX, INT32_MIN};
  for (int32_t acc : accs) {
    CHECK_EQ(starling::requantize(acc, 1 << 30, 31), starling::requantize(acc, 1 << 30, 30));
    CHECK_EQ(starling::requantize(acc, 1 << 30, INT_MAX), starling::requantize(acc, 1 << 30, 30));
    CHECK_EQ(starling::requantize(acc, 1 << 30, -32), starling::requantize(acc, 1 << 30, -31));
    CHECK_EQ(starling::requantize(acc, 1 << 30, INT_MIN), starling::requantize(acc, 1 << 30, -31));
  }
  // Ties: 5·2^30/2^31 = 2.5. Double rounding: 3 (2.5 away from zero), -3 for -5.
  // Single rounding: 3 and -2 (ties toward +infinity).
  CHECK_EQ(starling::detail::requantize_double(5, 1 << 30, 0), 3);
  CHECK_EQ(starling::detail::requantize_double(-5, 1 << 30, 0), -2);  // SRDHM tie: toward +inf
  CHECK_EQ(starling::detail::requantize_double(10, 1 << 30, -1), 3);  // 5 / 2: away from zero
  CHECK_EQ(starling::detail::requantize_double(-10, 1 << 30, -1), -3);
  CHECK_EQ(starling::detail::requantize_single(10, 1 << 30, -1), 3);
  CHECK_EQ(starling::detail::requantize_single(-10, 1 << 30, -1), -2);
}

TEST_CASE(quantize_multiplier_edges) {
  struct Row { double real; int32_t m; int s; Status st; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Row rows[] = {
      {0.0, 0, 0, Status::Ok},
      {-0.0, 0, 0, Status::Ok},
      {1.0, 1 << 30, 1, Status::Ok},             // 0.5·2^1
      {0.5, 1 << 30, 0, Status::Ok},
      {1.0 - 0x1p-32, 1 << 30, 1, Status::Ok},   // q·2^31 = 2^31 - 0.5 rounds up: carry
      {1.0 - 0x1p-31, INT32_MAX, 0, Status::Ok}, // 2^31 - 1: no carry
      {0x1p-32, 1 << 30, -31, Status::Ok},       // smallest kept power of two
      {0x1p-33, 0, 0, Status::Ok},               // flushed
      {0x1p-32 * (1.0 - 0x1p-40), 1 << 30, -31, Status::Ok},  // carries up into range
      {0x1p30, INT32_MAX, 30, Status::CapacityExceeded},       // needs shift 31: saturated
      {0x1p30 * (1.0 - 0x1p-40), INT32_MAX, 30, Status::CapacityExceeded},  // carries to 31
      {0x1p30 * (1.0 - 0x1p-31), INT32_MAX, 30, Status::Ok},   // exactly (2^31-1)·2^-1
      {-1.0, 0, 0, Status::InvalidArgument},
      {-1e-300, 0, 0, Status::InvalidArgument},
      {nan, 0, 0, Status::InvalidArgument},
      {inf, 0, 0, Status::InvalidArgument},
      {-inf, 0, 0, Status::InvalidArgument},
      {5e-324, 0, 0, Status::Ok},
      {1.7976931348623157e308, INT32_MAX, 30, Status::CapacityExceeded},
  };
  for (const Row& r : rows) {
    int32_t m = -1;
    int s = -1;
    starling::quantize_multiplier(r.real, &m, &s);
    if (!CHECK(m == r.m && s == r.s)) std::printf("     %a: (%ld, %d)\n", r.real, static_cast<long>(m), s);
    m = -1;
    s = -1;
    const Status st = starling::quantize_multiplier_checked(r.real, &m, &s);
    if (!CHECK(st == r.st && m == r.m && s == r.s)) std::printf("     checked %a: %s\n", r.real, starling::status_name(st));
  }
  int s = 0;
  CHECK(starling::quantize_multiplier_checked(1.0, nullptr, &s) == Status::InvalidArgument);
  starling::quantize_multiplier(1.0, nullptr, nullptr);  // no effect, no crash
}

TEST_CASE(quantize_scales_checks) {
  const float ws[3] = {0.01f, 0.02f, 0.005f};
  int32_t m[3] = {-1, -1, -1}, s[3] = {-1, -1, -1};
  CHECK(starling::quantize_scales(0.05f, ws, 3, 0.1f, m, s) == Status::Ok);
  for (int c = 0; c < 3; ++c) {
    int32_t mm = 0;
    int ss = 0;
    starling::quantize_multiplier(static_cast<double>(0.05f) * static_cast<double>(ws[c]) / static_cast<double>(0.1f), &mm, &ss);
    CHECK_EQ(m[c], mm);
    CHECK_EQ(s[c], ss);
    CHECK_EQ(starling::effective_scale(0.05f, ws[c], 0.1f),
             static_cast<double>(0.05f) * static_cast<double>(ws[c]) / static_cast<double>(0.1f));
  }
  const float bad[3] = {0.01f, -0.02f, 0.005f};
  const float nan_ws[1] = {std::numeric_limits<float>::quiet_NaN()};
  const float zero_ws[1] = {0.0f};
  int32_t m2[3] = {7, 7, 7}, s2[3] = {7, 7, 7};
  CHECK(starling::quantize_scales(0.05f, bad, 3, 0.1f, m2, s2) == Status::InvalidArgument);
  CHECK(starling::quantize_scales(0.05f, nan_ws, 1, 0.1f, m2, s2) == Status::InvalidArgument);
  CHECK(starling::quantize_scales(0.05f, zero_ws, 1, 0.1f, m2, s2) == Status::InvalidArgument);
  CHECK(starling::quantize_scales(0.0f, ws, 3, 0.1f, m2, s2) == Status::InvalidArgument);
  CHECK(starling::quantize_scales(0.05f, ws, 3, std::numeric_limits<float>::infinity(), m2, s2) == Status::InvalidArgument);
  CHECK(starling::quantize_scales(0.05f, ws, 0, 0.1f, m2, s2) == Status::InvalidArgument);
  CHECK(starling::quantize_scales(0.05f, nullptr, 3, 0.1f, m2, s2) == Status::InvalidArgument);
  const float huge[2] = {1.0f, 3e38f};
  CHECK(starling::quantize_scales(1e10f, huge, 2, 1e-30f, m2, s2) == Status::CapacityExceeded);
  CHECK(m2[0] == 7 && m2[1] == 7 && m2[2] == 7 && s2[0] == 7);  // nothing written
}

int main() { return check::run_all(); }
