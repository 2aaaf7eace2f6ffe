// SPDX-License-Identifier: MIT
// Hand-written unit tests of the int8 layer kernels (layers.hpp): every
// parameter check returns its Status and writes nothing, size products and
// coordinates that do not fit are refused, the conv scratch contract, and
// small layers whose outputs are worked out by hand in the comments.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "check.hpp"
#include "starling/layers.hpp"
#include "starling/quant.hpp"

using starling::AddParams;
using starling::ConvParams;
using starling::DepthwiseParams;
using starling::PoolParams;
using starling::SoftmaxParams;
using starling::Status;

namespace {

constexpr int8_t kCanary = 0x5A;
int8_t g_x[512];
int8_t g_w[512];
int32_t g_bias[16];
int32_t g_mult[16];
int32_t g_shift[16];
int8_t g_out[1024];
unsigned char g_scratch[4096];

void fill() {
  uint32_t s = 777u;
  auto next = [&s]() { s = s * 1664525u + 1013904223u; return s >> 24; };
  for (int8_t& v : g_x) v = static_cast<int8_t>(static_cast<int>(next()) - 128);
  for (int8_t& v : g_w) v = static_cast<int8_t>(static_cast<int>(next()) - 128);
  for (int o = 0; o < 16; ++o) {
    g_bias[o] = (o - 8) * 500;
    int sh = 0;
    starling::quantize_multiplier(0.002 * (o + 1), &g_mult[o], &sh);
    g_shift[o] = sh;
  }
}

bool untouched() {
  for (const int8_t v : g_out)
    if (v != kCanary) return false;
  return true;
}

// 5x4x3 input, 3x3 filter, stride 1, SAME padding, 4 output channels.
ConvParams good_conv() {
  ConvParams p{};
  p.batches = 1;
  p.in_h = 5; p.in_w = 4; p.in_c = 3;
  p.out_h = 5; p.out_w = 4; p.out_c = 4;
  p.k_h = 3; p.k_w = 3;
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
  p.pad_h = p.pad_w = 1;
  p.input_offset = 7; p.output_offset = -3;
  p.multiplier = g_mult; p.shift = g_shift;
  p.act_min = -128; p.act_max = 127;
  return p;
}

DepthwiseParams good_dw() {
  DepthwiseParams p{};
  static_cast<ConvParams&>(p) = good_conv();
  p.out_c = 6;
  p.depth_multiplier = 2;
  return p;
}

PoolParams good_pool() { return PoolParams{1, 5, 4, 3, 3, 2, 3, 3, 2, 2, 1, 1, -128, 127}; }

AddParams good_add() {
  return AddParams{40, 3, -5, 2, 20, 1 << 30, -1, 1518500250, -1, 1789569707, -19, -128, 127};
}

SoftmaxParams good_softmax() { return SoftmaxParams{3, 10, 1717986918, 23, -248}; }

struct Run {
  Status conv(const ConvParams& p, void* scratch = g_scratch, size_t size = sizeof g_scratch,
              const int8_t* x = g_x, const int8_t* w = g_w, int8_t* out = g_out) {
    return starling::conv2d_s8(p, x, w, g_bias, out, scratch, size);
  }
};

template <class P, class Edit>
P with(P p, Edit edit) {
  edit(p);
  return p;
}

}  // namespace

TEST_CASE(conv_invalid_parameters) {
  fill();
  const ConvParams p = good_conv();
  CHECK(starling::validate(p) == Status::Ok);
  const int32_t neg_mult[4] = {1 << 30, 1 << 30, 1 << 30, -1};
  const int32_t bad_shift[4] = {0, 31, 0, 0};
  const int32_t low_shift[4] = {0, 0, -32, 0};
  struct Row { const char* what; ConvParams p; Status want; };
  const Row rows[] = {
      {"batches 0", with(p, [](ConvParams& q) { q.batches = 0; }), Status::InvalidArgument},
      {"in_h 0", with(p, [](ConvParams& q) { q.in_h = 0; }), Status::InvalidArgument},
      {"in_w -1", with(p, [](ConvParams& q) { q.in_w = -1; }), Status::InvalidArgument},
      {"in_c 0", with(p, [](ConvParams& q) { q.in_c = 0; }), Status::InvalidArgument},
      {"out_h 0", with(p, [](ConvParams& q) { q.out_h = 0; }), Status::InvalidArgument},
      {"out_w 0", with(p, [](ConvParams& q) { q.out_w = 0; }), Status::InvalidArgument},
      {"out_c 0", with(p, [](ConvParams& q) { q.out_c = 0; }), Status::InvalidArgument},
      {"k_h 0", with(p, [](ConvParams& q) { q.k_h = 0; }), Status::InvalidArgument},
      {"k_w 0", with(p, [](ConvParams& q) { q.k_w = 0; }), Status::InvalidArgument},
      {"stride_h 0", with(p, [](ConvParams& q) { q.stride_h = 0; }), Status::InvalidArgument},
      {"stride_w -2", with(p, [](ConvParams& q) { q.stride_w = -2; }), Status::InvalidArgument},
      {"dilation_h 0", with(p, [](ConvParams& q) { q.dilation_h = 0; }), Status::InvalidArgument},
      {"dilation_w 0", with(p, [](ConvParams& q) { q.dilation_w = 0; }), Status::InvalidArgument},
      {"pad_h -1", with(p, [](ConvParams& q) { q.pad_h = -1; }), Status::InvalidArgument},
      {"pad_w -1", with(p, [](ConvParams& q) { q.pad_w = -1; }), Status::InvalidArgument},
      {"input_offset -128", with(p, [](ConvParams& q) { q.input_offset = -128; }), Status::InvalidArgument},
      {"input_offset 129", with(p, [](ConvParams& q) { q.input_offset = 129; }), Status::InvalidArgument},
      {"output_offset 128", with(p, [](ConvParams& q) { q.output_offset = 128; }), Status::InvalidArgument},
      {"output_offset -129", with(p, [](ConvParams& q) { q.output_offset = -129; }), Status::InvalidArgument},
      {"act_min > act_max", with(p, [](ConvParams& q) { q.act_min = 3; q.act_max = 2; }), Status::InvalidArgument},
      {"act_min -129", with(p, [](ConvParams& q) { q.act_min = -129; }), Status::InvalidArgument},
      {"act_max 128", with(p, [](ConvParams& q) { q.act_max = 128; }), Status::InvalidArgument},
      {"multiplier null", with(p, [](ConvParams& q) { q.multiplier = nullptr; }), Status::InvalidArgument},
      {"shift null", with(p, [](ConvParams& q) { q.shift = nullptr; }), Status::InvalidArgument},
      {"negative multiplier (last channel)", with(p, [&](ConvParams& q) { q.multiplier = neg_mult; }), Status::InvalidArgument},
      {"shift 31", with(p, [&](ConvParams& q) { q.shift = bad_shift; }), Status::InvalidArgument},
      {"shift -32", with(p, [&](ConvParams& q) { q.shift = low_shift; }), Status::InvalidArgument},
      {"depth kConvMaxDepth + 1", with(p, [](ConvParams& q) { q.k_h = 1; q.k_w = 1; q.in_c = starling::kConvMaxDepth + 1; }), Status::CapacityExceeded},
      {"window INT_MAX x INT_MAX", with(p, [](ConvParams& q) { q.k_h = INT_MAX; q.k_w = INT_MAX; }), Status::CapacityExceeded},
      {"rows beyond int", with(p, [](ConvParams& q) { q.out_h = INT_MAX; q.stride_h = 2; }), Status::CapacityExceeded},
      {"dilated rows beyond int", with(p, [](ConvParams& q) { q.dilation_h = INT_MAX; }), Status::CapacityExceeded},
      {"columns beyond int", with(p, [](ConvParams& q) { q.out_w = 2; q.stride_w = INT_MAX; }), Status::CapacityExceeded},
      {"input elements beyond ptrdiff_t", with(p, [](ConvParams& q) { q.batches = q.in_h = q.in_w = q.in_c = INT_MAX; q.k_h = q.k_w = 1; }), Status::CapacityExceeded},
      {"output elements beyond ptrdiff_t", with(p, [](ConvParams& q) { q.batches = INT_MAX; q.out_h = 65536; q.out_w = 65536; q.stride_h = q.stride_w = 1; }), Status::CapacityExceeded},
  };
  for (const Row& r : rows) {
    std::memset(g_out, kCanary, sizeof g_out);
    const Status got = Run{}.conv(r.p);
    if (!CHECK(got == r.want)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
    CHECK(starling::validate(r.p) == r.want);
    CHECK_EQ(starling::conv2d_s8_scratch_size(r.p), size_t{0});
    if (!CHECK(untouched())) std::printf("     %s wrote output\n", r.what);
  }
  // Null tensors.
  std::memset(g_out, kCanary, sizeof g_out);
  CHECK(Run{}.conv(p, g_scratch, sizeof g_scratch, nullptr) == Status::InvalidArgument);
  CHECK(Run{}.conv(p, g_scratch, sizeof g_scratch, g_x, nullptr) == Status::InvalidArgument);
  CHECK(Run{}.conv(p, g_scratch, sizeof g_scratch, g_x, g_w, nullptr) == Status::InvalidArgument);
  CHECK(untouched());
}

TEST_CASE(conv_scratch_contract) {
  fill();
  const ConvParams p = good_conv();
  // K = 3·3·3 = 27: 4·27 + 4·4 + 16 = 140 bytes.
  const size_t need = starling::conv2d_s8_scratch_size(p);
  CHECK_EQ(need, size_t{starling::kConvIm2colRows * 27 + 4 * 4 + 16});
  std::memset(g_out, kCanary, sizeof g_out);
  CHECK(Run{}.conv(p, g_scratch, need - 1) == Status::CapacityExceeded);
  CHECK(Run{}.conv(p, nullptr, need) == Status::InvalidArgument);
  CHECK(untouched());
  // Exactly the size at any alignment, and the same bytes each time.
  static int8_t first[80];
  CHECK(Run{}.conv(p, g_scratch, need) == Status::Ok);
  std::memcpy(first, g_out, sizeof first);
  for (int a = 1; a < 16; ++a) {
    CHECK(Run{}.conv(p, g_scratch + a, need) == Status::Ok);
    CHECK(std::memcmp(first, g_out, sizeof first) == 0);
  }
  // Pointwise (1x1, stride 1, no padding, same size): no scratch at all.
  ConvParams pw = p;
  pw.k_h = pw.k_w = 1;
  pw.pad_h = pw.pad_w = 0;
  CHECK_EQ(starling::conv2d_s8_scratch_size(pw), size_t{0});
  CHECK(Run{}.conv(pw, nullptr, 0) == Status::Ok);
  // A strided 1x1 layer gathers its pixels: 4·3 + 4·4 + 16 bytes.
  pw.stride_h = 2;
  pw.out_h = 3;
  CHECK_EQ(starling::conv2d_s8_scratch_size(pw), size_t{starling::kConvIm2colRows * 3 + 16 + 16});
  CHECK(Run{}.conv(pw, nullptr, 0) == Status::InvalidArgument);
}

TEST_CASE(conv_hand_computed) {
  // One 2x2x1 image, 2x2 filter, padding 1 on top and left, stride 1 across:
  // out_h = 1, out_w = 2. x = {10, 20; 30, 40}, input_offset 2 → {12, 22; 32, 42};
  // filter (one output channel) = {1, 2; 3, 4}. Window rows: iy = −1 (out), 0.
  // out(0,0): x origin −1: only tap (1,1) on x(0,0): 4·12 = 48.
  // out(0,1): x origin 0: taps (1,0), (1,1) on x(0,0), x(0,1): 3·12 + 4·22 = 124.
  // bias 2, multiplier 2^30 shift 0 (×0.5): 50 → 25, 126 → 63; output_offset −1 → 24, 62.
  const int8_t x[4] = {10, 20, 30, 40};
  const int8_t w[4] = {1, 2, 3, 4};
  const int32_t bias = 2, m = 1 << 30, s = 0;
  ConvParams p{};
  p.batches = 1; p.in_h = 2; p.in_w = 2; p.in_c = 1;
  p.out_h = 1; p.out_w = 2; p.out_c = 1; p.k_h = 2; p.k_w = 2;
  p.stride_h = 2; p.stride_w = 1; p.dilation_h = p.dilation_w = 1;
  p.pad_h = 1; p.pad_w = 1; p.input_offset = 2; p.output_offset = -1;
  p.multiplier = &m; p.shift = &s; p.act_min = -128; p.act_max = 127;
  int8_t out[2] = {0, 0};
  CHECK(starling::conv2d_s8(p, x, w, &bias, out, g_scratch, sizeof g_scratch) == Status::Ok);
  CHECK_EQ(out[0], 24);
  CHECK_EQ(out[1], 62);
  // Without bias: 48 → 24, 124 → 62; −1 → 23, 61.
  CHECK(starling::conv2d_s8(p, x, w, nullptr, out, g_scratch, sizeof g_scratch) == Status::Ok);
  CHECK_EQ(out[0], 23);
  CHECK_EQ(out[1], 61);
  // Windows wholly in the padding give bias only: with pad_h 3 both window
  // rows (iy = −3, −2) are above the image.
  p.pad_h = 3;
  CHECK(starling::conv2d_s8(p, x, w, &bias, out, g_scratch, sizeof g_scratch) == Status::Ok);
  CHECK_EQ(out[0], 0);  // (2 → 1) − 1
  CHECK_EQ(out[1], 0);
}

TEST_CASE(depthwise_invalid_parameters) {
  fill();
  const DepthwiseParams p = good_dw();
  CHECK(starling::validate(p) == Status::Ok);
  struct Row { const char* what; DepthwiseParams p; Status want; };
  const Row rows[] = {
      {"depth_multiplier 0", with(p, [](DepthwiseParams& q) { q.depth_multiplier = 0; }), Status::InvalidArgument},
      {"out_c != in_c·dm", with(p, [](DepthwiseParams& q) { q.out_c = 5; }), Status::InvalidArgument},
      {"in_c·dm overflows int", with(p, [](DepthwiseParams& q) { q.in_c = 65536; q.depth_multiplier = 65536; q.out_c = 0; }), Status::InvalidArgument},
      {"in_c 0", with(p, [](DepthwiseParams& q) { q.in_c = 0; }), Status::InvalidArgument},
      {"stride 0", with(p, [](DepthwiseParams& q) { q.stride_w = 0; }), Status::InvalidArgument},
      {"input_offset 129", with(p, [](DepthwiseParams& q) { q.input_offset = 129; }), Status::InvalidArgument},
      {"window above kConvMaxDepth", with(p, [](DepthwiseParams& q) { q.k_h = 182; q.k_w = 181; }), Status::CapacityExceeded},
      {"rows beyond int", with(p, [](DepthwiseParams& q) { q.out_h = INT_MAX; q.stride_h = 3; }), Status::CapacityExceeded},
  };
  for (const Row& r : rows) {
    std::memset(g_out, kCanary, sizeof g_out);
    const Status got = starling::depthwise_conv2d_s8(r.p, g_x, g_w, g_bias, g_out);
    if (!CHECK(got == r.want)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
    CHECK(starling::validate(r.p) == r.want);
    if (!CHECK(untouched())) std::printf("     %s wrote output\n", r.what);
  }
  CHECK(starling::depthwise_conv2d_s8(p, nullptr, g_w, g_bias, g_out) == Status::InvalidArgument);
  CHECK(starling::depthwise_conv2d_s8(p, g_x, nullptr, g_bias, g_out) == Status::InvalidArgument);
  CHECK(starling::depthwise_conv2d_s8(p, g_x, g_w, g_bias, nullptr) == Status::InvalidArgument);
  CHECK(untouched());
  CHECK(starling::depthwise_conv2d_s8(p, g_x, g_w, nullptr, g_out) == Status::Ok);
}

TEST_CASE(depthwise_hand_computed) {
  // 1x2 image with 2 channels, depth multiplier 2, 1x2 filter, VALID: one
  // output pixel, 4 channels; output channel o reads input channel o / 2.
  // x = {ch0: 1, ch1: -1 | ch0: 3, ch1: 5}, input_offset 1 → {2, 0 | 4, 6}.
  // filter [1][1][2][4] = tap0 {1, 2, 3, 4}, tap1 {-1, 1, 10, -10}.
  // o0 = 1·2 − 1·4 = −2; o1 = 2·2 + 1·4 = 8; o2 = 3·0 + 10·6 = 60; o3 = 0 − 60 = −60.
  // multiplier 2^30 shift 1 (×1): unchanged; output_offset 0, clamp [−50, 50].
  const int8_t x[4] = {1, -1, 3, 5};
  const int8_t w[8] = {1, 2, 3, 4, -1, 1, 10, -10};
  const int32_t m[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30}, s[4] = {1, 1, 1, 1};
  DepthwiseParams p{};
  p.batches = 1; p.in_h = 1; p.in_w = 2; p.in_c = 2;
  p.out_h = 1; p.out_w = 1; p.out_c = 4; p.k_h = 1; p.k_w = 2;
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
  p.input_offset = 1; p.multiplier = m; p.shift = s; p.act_min = -50; p.act_max = 50;
  p.depth_multiplier = 2;
  int8_t out[4];
  CHECK(starling::depthwise_conv2d_s8(p, x, w, nullptr, out) == Status::Ok);
  CHECK_EQ(out[0], -2);
  CHECK_EQ(out[1], 8);
  CHECK_EQ(out[2], 50);
  CHECK_EQ(out[3], -50);
}

TEST_CASE(pool_invalid_parameters) {
  fill();
  const PoolParams p = good_pool();
  CHECK(starling::validate(p) == Status::Ok);
  struct Row { const char* what; PoolParams p; Status want; };
  const Row rows[] = {
      {"channels 0", with(p, [](PoolParams& q) { q.channels = 0; }), Status::InvalidArgument},
      {"k_w 0", with(p, [](PoolParams& q) { q.k_w = 0; }), Status::InvalidArgument},
      {"stride 0", with(p, [](PoolParams& q) { q.stride_h = 0; }), Status::InvalidArgument},
      {"pad -1", with(p, [](PoolParams& q) { q.pad_w = -1; }), Status::InvalidArgument},
      {"clamp reversed", with(p, [](PoolParams& q) { q.act_min = 1; q.act_max = 0; }), Status::InvalidArgument},
      {"first window in the padding", with(p, [](PoolParams& q) { q.pad_h = 3; }), Status::InvalidArgument},
      {"last row window past the input", with(p, [](PoolParams& q) { q.out_h = 4; }), Status::InvalidArgument},
      {"last column window past the input", with(p, [](PoolParams& q) { q.out_w = 4; }), Status::InvalidArgument},
      {"window above kPoolMaxWindow", with(p, [](PoolParams& q) { q.k_h = 1025; q.k_w = 1024; }), Status::CapacityExceeded},
      {"input elements beyond ptrdiff_t", with(p, [](PoolParams& q) { q.batches = q.in_h = q.in_w = q.channels = INT_MAX; }), Status::CapacityExceeded},
  };
  for (const Row& r : rows) {
    for (int is_max = 0; is_max < 2; ++is_max) {
      std::memset(g_out, kCanary, sizeof g_out);
      const Status got = is_max ? starling::max_pool2d_s8(r.p, g_x, g_out) : starling::avg_pool2d_s8(r.p, g_x, g_out);
      if (!CHECK(got == r.want)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
      if (!CHECK(untouched())) std::printf("     %s wrote output\n", r.what);
    }
    CHECK(starling::validate(r.p) == r.want);
  }
  CHECK(starling::avg_pool2d_s8(p, nullptr, g_out) == Status::InvalidArgument);
  CHECK(starling::max_pool2d_s8(p, g_x, nullptr) == Status::InvalidArgument);
}

TEST_CASE(pool_hand_computed) {
  // 2x2 image, 1 channel {3, -4; 0, -2}; 2x2 window, stride 2, padding 1:
  // out_h = out_w = 2, each window holds one pixel except none is empty.
  // Window (0,0) covers x(0,0) only → 3; (0,1) covers x(0,1) → −4; etc.
  const int8_t x[4] = {3, -4, 0, -2};
  const PoolParams p{1, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1, 1, -128, 127};
  int8_t out[4];
  CHECK(starling::avg_pool2d_s8(p, x, out) == Status::Ok);
  CHECK_EQ(out[0], 3);
  CHECK_EQ(out[1], -4);
  CHECK_EQ(out[2], 0);
  CHECK_EQ(out[3], -2);
  // Global 2x2: sum −3 over 4 → (−3 − 2) / 4 = −1 (−0.75 rounds to −1).
  // Max: 3. With clamp [−128, 1]: 1.
  const PoolParams g{1, 2, 2, 1, 1, 1, 2, 2, 1, 1, 0, 0, -128, 127};
  CHECK(starling::avg_pool2d_s8(g, x, out) == Status::Ok);
  CHECK_EQ(out[0], -1);
  CHECK(starling::max_pool2d_s8(g, x, out) == Status::Ok);
  CHECK_EQ(out[0], 3);
  const PoolParams gc{1, 2, 2, 1, 1, 1, 2, 2, 1, 1, 0, 0, -128, 1};
  CHECK(starling::max_pool2d_s8(gc, x, out) == Status::Ok);
  CHECK_EQ(out[0], 1);
  // Ties: {1, 2} → 1.5 → 2 and {−1, −2} → −1.5 → −2 (away from zero), 1x2 windows.
  const int8_t t[4] = {1, 2, -1, -2};
  const PoolParams tie{1, 2, 2, 1, 2, 1, 1, 2, 1, 1, 0, 0, -128, 127};
  CHECK(starling::avg_pool2d_s8(tie, t, out) == Status::Ok);
  CHECK_EQ(out[0], 2);
  CHECK_EQ(out[1], -2);
}

TEST_CASE(add_invalid_parameters) {
  fill();
  const AddParams p = good_add();
  CHECK(starling::validate(p) == Status::Ok);
  struct Row { const char* what; AddParams p; };
  const Row rows[] = {
      {"size 0", with(p, [](AddParams& q) { q.size = 0; })},
      {"in1_offset 129", with(p, [](AddParams& q) { q.in1_offset = 129; })},
      {"in2_offset -128", with(p, [](AddParams& q) { q.in2_offset = -128; })},
      {"out_offset 128", with(p, [](AddParams& q) { q.out_offset = 128; })},
      {"left_shift -1", with(p, [](AddParams& q) { q.left_shift = -1; })},
      {"left_shift 23", with(p, [](AddParams& q) { q.left_shift = starling::kAddMaxLeftShift + 1; })},
      {"in1_multiplier < 0", with(p, [](AddParams& q) { q.in1_multiplier = -1; })},
      {"in2_shift 1", with(p, [](AddParams& q) { q.in2_shift = 1; })},
      {"out_shift -32", with(p, [](AddParams& q) { q.out_shift = -32; })},
      {"clamp 128", with(p, [](AddParams& q) { q.act_max = 128; })},
  };
  for (const Row& r : rows) {
    std::memset(g_out, kCanary, sizeof g_out);
    const Status got = starling::add_s8(r.p, g_x, g_w, g_out);
    if (!CHECK(got == Status::InvalidArgument)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
    CHECK(starling::validate(r.p) == Status::InvalidArgument);
    if (!CHECK(untouched())) std::printf("     %s wrote output\n", r.what);
  }
  CHECK(starling::add_s8(p, nullptr, g_w, g_out) == Status::InvalidArgument);
  CHECK(starling::add_s8(p, g_x, nullptr, g_out) == Status::InvalidArgument);
  CHECK(starling::add_s8(p, g_x, g_w, nullptr) == Status::InvalidArgument);
  CHECK(untouched());
}

TEST_CASE(add_hand_computed) {
  // Scales 0.05 (zp 3), 0.1 (zp −7), out 0.12 (zp 2), as TFLite's Prepare
  // gives them (tools/int8_ref.py add_params): in1 ×0.25 (2^30, −1),
  // in2 ×0.5 (2^30, 0), out 0.2/(2^20·0.12) (1789569707, −19), left shift 20.
  // x1 = 1 → 0.05·(1 − 3) = −0.1; x2 = 0 → 0.1·7 = 0.7; sum 0.6 / 0.12 = 5, + 2 = 7.
  const AddParams p{1, -3, 7, 2, 20, 1 << 30, -1, 1 << 30, 0, 1789569707, -19, -128, 127};
  const int8_t a = 1, b = 0;
  int8_t y = 0;
  CHECK(starling::add_s8(p, &a, &b, &y) == Status::Ok);
  CHECK_EQ(y, 7);
}

TEST_CASE(softmax_invalid_parameters) {
  fill();
  const SoftmaxParams p = good_softmax();
  CHECK(starling::validate(p) == Status::Ok);
  struct Row { const char* what; SoftmaxParams p; Status want; };
  const Row rows[] = {
      {"rows 0", with(p, [](SoftmaxParams& q) { q.rows = 0; }), Status::InvalidArgument},
      {"cols -1", with(p, [](SoftmaxParams& q) { q.cols = -1; }), Status::InvalidArgument},
      {"multiplier < 0", with(p, [](SoftmaxParams& q) { q.input_multiplier = -5; }), Status::InvalidArgument},
      {"left shift -1", with(p, [](SoftmaxParams& q) { q.input_left_shift = -1; }), Status::InvalidArgument},
      {"left shift 31", with(p, [](SoftmaxParams& q) { q.input_left_shift = 31; }), Status::InvalidArgument},
      {"diff_min 1", with(p, [](SoftmaxParams& q) { q.diff_min = 1; }), Status::InvalidArgument},
      {"rows·cols beyond ptrdiff_t", with(p, [](SoftmaxParams& q) { q.rows = q.cols = INT_MAX; }),
       sizeof(std::ptrdiff_t) >= 8 ? Status::Ok : Status::CapacityExceeded},
  };
  for (const Row& r : rows) {
    CHECK(starling::validate(r.p) == r.want);
    if (r.want == Status::Ok) continue;  // not run: the arrays would be 2^62 bytes
    std::memset(g_out, kCanary, sizeof g_out);
    const Status got = starling::softmax_s8(r.p, g_x, g_out);
    if (!CHECK(got == r.want)) std::printf("     %s: got %s\n", r.what, starling::status_name(got));
    if (!CHECK(untouched())) std::printf("     %s wrote output\n", r.what);
  }
  CHECK(starling::softmax_s8(p, nullptr, g_out) == Status::InvalidArgument);
  CHECK(starling::softmax_s8(p, g_x, nullptr) == Status::InvalidArgument);
}

TEST_CASE(softmax_hand_computed) {
  // Input scale 0.1, beta 1: multiplier/shift/diff_min from TFLite's Prepare
  // (1717986918, 23, −248; tools/int8_ref.py softmax_params).
  const SoftmaxParams p{1, 4, 1717986918, 23, -248};
  int8_t y[4];
  // Four equal values: probability 1/4 each → 64/256 → −128 + 64 = −64.
  const int8_t flat[4] = {9, 9, 9, 9};
  CHECK(starling::softmax_s8(p, flat, y) == Status::Ok);
  for (const int8_t v : y) CHECK_EQ(v, -64);
  // One value: probability 1 → 256 − 128 = 128, clamped to 127.
  const SoftmaxParams one{1, 1, 1717986918, 23, -248};
  CHECK(starling::softmax_s8(one, flat, y) == Status::Ok);
  CHECK_EQ(y[0], 127);
  // Differences below diff_min (−128 − 127 = −255 < −248) give −128 and the
  // largest value takes everything: 127.
  const int8_t spread[4] = {127, -128, -128, -128};
  CHECK(starling::softmax_s8(p, spread, y) == Status::Ok);
  CHECK_EQ(y[0], 127);
  CHECK_EQ(y[1], -128);
  CHECK_EQ(y[3], -128);
  // 512 equal values: Σexp = 512 = 2^28 in Q12.19, outside the reference's
  // domain (a shift of 32): every output is −128, as documented.
  static int8_t wide[512], wide_out[512];
  std::memset(wide, 3, sizeof wide);
  const SoftmaxParams w512{1, 512, 1717986918, 23, -248};
  CHECK(starling::softmax_s8(w512, wide, wide_out) == Status::Ok);
  bool all_min = true;
  for (const int8_t v : wide_out) all_min = all_min && v == -128;
  CHECK(all_min);
  // 511 equal values stay inside: 256/511 ≈ 0.501 → rounds to 1 → −127.
  const SoftmaxParams w511{1, 511, 1717986918, 23, -248};
  CHECK(starling::softmax_s8(w511, wide, wide_out) == Status::Ok);
  CHECK_EQ(wide_out[0], -127);
  CHECK_EQ(wide_out[510], -127);
}

int main() { return check::run_all(); }
