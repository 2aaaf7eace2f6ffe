// SPDX-License-Identifier: MIT
// Golden-vector test of the int8 layer kernels (conv2d_s8, depthwise_conv2d_s8,
// avg/max_pool2d_s8, add_s8, softmax_s8) against TFLite Micro's reference formulas.
//
// Expected values come from tools/gen_layer_golden.py, whose outputs are
// computed by tools/int8_ref.py (an independent pure-Python implementation of
// TFLite Micro's reference int8 kernels), committed in layer_golden.h. Built
// twice (see meson.build): against this build's library and against a copy
// built with the other requantize rounding, so both tables are checked. The
// scalar reference kernels are also called directly and must agree.
#include <cstdio>
#include <cstring>

#include "check.hpp"
#include "layer_data.hpp"
#include "layer_golden.h"
#include "starling/detail/layer_kernels.hpp"
#include "starling/layers.hpp"
#include "starling/port.hpp"
#include "starling/quant.hpp"

using starling::Status;

namespace {

template <class T, int N>
constexpr int count_of(const T (&)[N]) { return N; }

bool single() { return starling::requantize_is_single_rounding(); }

constexpr int8_t kCanary = 0x5A;

layer_data::ConvData g_conv;
int8_t g_out[layer_golden::kMaxConvOutput + 1];
int8_t g_out_ref[layer_golden::kMaxConvOutput + 1];
unsigned char g_scratch[layer_golden::kMaxConvScratch + 16];

// Runs one conv or depthwise case through the public entry point; true when
// it returned Ok and wrote exactly the ny outputs.
bool run_conv(const starling::DepthwiseParams& p, bool depthwise, const int8_t* x, const int8_t* w,
              const int32_t* bias, int ny, int8_t* out) {
  std::memset(out, kCanary, static_cast<size_t>(ny) + 1);
  Status st;
  if (depthwise) {
    st = starling::depthwise_conv2d_s8(p, x, w, bias, out);
  } else {
    const size_t need = starling::conv2d_s8_scratch_size(p);
    // An odd offset: the scratch pointer needs no alignment.
    st = starling::conv2d_s8(p, x, w, bias, out, need != 0 ? g_scratch + 3 : nullptr, need);
  }
  return st == Status::Ok && out[ny] == kCanary;
}

}  // namespace

TEST_CASE(rounding_mode_matches_build_macro) {
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
  CHECK(single());
#else
  CHECK(!single());
#endif
  std::printf("     requantize: %s rounding; port %s\n", single() ? "single" : "double",
              starling::active_port());
}

TEST_CASE(conv_and_depthwise_hashed) {
  int failures = 0;
  for (int i = 0; i < count_of(layer_golden::kConv); ++i) {
    const layer_golden::ConvCase& L = layer_golden::kConv[i];
    g_conv.make(L);
    const starling::DepthwiseParams p = g_conv.params(L);
    const bool dw = L.depth_multiplier != 0;
    const int32_t* bias = g_conv.has_bias ? g_conv.bias : nullptr;
    const bool ok = run_conv(p, dw, g_conv.x, g_conv.w, bias, g_conv.ny, g_out);
    const uint32_t got = fc_data::fnv1a(g_out, g_conv.ny);
    const uint32_t want = single() ? L.hash_single : L.hash_double;
    if (!CHECK(ok && got == want) && ++failures <= 10) {
      std::printf("     %s case %d (%dx%dx%d k%dx%d s%d,%d d%d,%d p%d,%d oc%d): got 0x%08lX want 0x%08lX\n",
                  dw ? "depthwise" : "conv", i, L.in_h, L.in_w, L.in_c, L.k_h, L.k_w, L.stride_h,
                  L.stride_w, L.dilation_h, L.dilation_w, L.pad_h, L.pad_w, L.out_c,
                  static_cast<unsigned long>(got), static_cast<unsigned long>(want));
    }
    // The scalar reference, called directly, gives the same bytes.
    if (dw) {
      starling::detail::s8_depthwise__scalar(p, g_conv.x, g_conv.w, bias, g_out_ref);
    } else {
      starling::detail::s8_conv__scalar(p, g_conv.x, g_conv.w, bias, g_out_ref, nullptr);
    }
    CHECK(std::memcmp(g_out, g_out_ref, static_cast<size_t>(g_conv.ny)) == 0);
  }
}

TEST_CASE(conv_and_depthwise_full) {
  for (int i = 0; i < count_of(layer_golden::kFullConv); ++i) {
    const layer_golden::FullConv& F = layer_golden::kFullConv[i];
    const layer_golden::ConvCase& L = F.c;
    starling::DepthwiseParams p = g_conv.params(L);
    p.multiplier = F.multiplier;
    p.shift = F.shift;
    const int ny = L.batches * L.out_h * L.out_w * L.out_c;
    const bool ok = run_conv(p, L.depth_multiplier != 0, F.input, F.filter, F.bias, ny, g_out);
    const int8_t* want = single() ? F.out_single : F.out_double;
    if (!CHECK(ok && std::memcmp(g_out, want, static_cast<size_t>(ny)) == 0)) {
      std::printf("     full case %d differs\n", i);
    }
  }
}

TEST_CASE(pooling_hashed) {
  static int8_t x[layer_golden::kMaxPoolInput];
  static int8_t y[layer_golden::kMaxPoolOutput + 1];
  int failures = 0;
  for (int i = 0; i < count_of(layer_golden::kPool); ++i) {
    const layer_golden::PoolCase& L = layer_golden::kPool[i];
    layer_data::make_pool(L, x);
    const starling::PoolParams p = layer_data::pool_params(L);
    const int ny = L.batches * L.out_h * L.out_w * L.channels;
    std::memset(y, kCanary, static_cast<size_t>(ny) + 1);
    const Status st = L.is_max ? starling::max_pool2d_s8(p, x, y) : starling::avg_pool2d_s8(p, x, y);
    const uint32_t got = fc_data::fnv1a(y, ny);
    if (!CHECK(st == Status::Ok && got == L.hash && y[ny] == kCanary) && ++failures <= 10) {
      std::printf("     %s pool case %d: status %s, got 0x%08lX want 0x%08lX\n", L.is_max ? "max" : "avg", i,
                  starling::status_name(st), static_cast<unsigned long>(got), static_cast<unsigned long>(L.hash));
    }
  }
}

TEST_CASE(add_hashed) {
  static int8_t a[layer_golden::kMaxAdd], b[layer_golden::kMaxAdd], y[layer_golden::kMaxAdd + 1];
  int failures = 0;
  for (int i = 0; i < count_of(layer_golden::kAdd); ++i) {
    const layer_golden::AddCase& L = layer_golden::kAdd[i];
    layer_data::make_add(L, a, b);
    std::memset(y, kCanary, static_cast<size_t>(L.size) + 1);
    const Status st = starling::add_s8(layer_data::add_params(L), a, b, y);
    const uint32_t got = fc_data::fnv1a(y, L.size);
    const uint32_t want = single() ? L.hash_single : L.hash_double;
    if (!CHECK(st == Status::Ok && got == want && y[L.size] == kCanary) && ++failures <= 10) {
      std::printf("     add case %d: status %s, got 0x%08lX want 0x%08lX\n", i, starling::status_name(st),
                  static_cast<unsigned long>(got), static_cast<unsigned long>(want));
    }
    // In place (output == in1) gives the same bytes.
    CHECK(starling::add_s8(layer_data::add_params(L), a, b, a) == Status::Ok);
    CHECK(std::memcmp(a, y, static_cast<size_t>(L.size)) == 0);
  }
}

TEST_CASE(softmax_hashed) {
  static int8_t x[layer_golden::kMaxSoftmax], y[layer_golden::kMaxSoftmax + 1];
  int failures = 0;
  for (int i = 0; i < count_of(layer_golden::kSoftmax); ++i) {
    const layer_golden::SoftmaxCase& L = layer_golden::kSoftmax[i];
    layer_data::make_softmax(L, x);
    const int n = L.rows * L.cols;
    std::memset(y, kCanary, static_cast<size_t>(n) + 1);
    const Status st = starling::softmax_s8(layer_data::softmax_params(L), x, y);
    const uint32_t got = fc_data::fnv1a(y, n);
    const uint32_t want = single() ? L.hash_single : L.hash_double;
    if (!CHECK(st == Status::Ok && got == want && y[n] == kCanary) && ++failures <= 10) {
      std::printf("     softmax case %d (%dx%d): status %s, got 0x%08lX want 0x%08lX\n", i, L.rows, L.cols,
                  starling::status_name(st), static_cast<unsigned long>(got), static_cast<unsigned long>(want));
    }
  }
}

int main() { return check::run_all(); }
