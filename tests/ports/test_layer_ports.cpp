// SPDX-License-Identifier: MIT
// Every port compiled into this build, forced one at a time, against the
// scalar reference kernels with ==: conv2d_s8 and depthwise_conv2d_s8 over
// random shapes (channel counts around every vector width and odd ones,
// filters 1x1 to 7x7, strides, dilations, SAME/VALID and arbitrary padding,
// depth multipliers, batches), extreme inputs, filters (−128 included) and
// offsets, every clamp edge, per-channel multipliers with left shifts that
// wrap, and biases near the int32 limits (bias + dot wraps). Tensors end
// where their arrays end and a canary follows the output, so a kernel that
// reads or writes past a tensor shows (under the sanitizers, reads too).
// Ports the CPU lacks are reported as skipped, not failed.
#include <cstdio>
#include <cstring>

#include "check.hpp"
#include "starling/detail/layer_kernels.hpp"
#include "starling/layers.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {

Rng g_rng(20261207);
int uni(int lo, int hi) { return lo + static_cast<int>(g_rng.next_u32() % static_cast<uint32_t>(hi - lo + 1)); }
template <class T, int N>
T pick(const T (&a)[N]) { return a[uni(0, N - 1)]; }

// Sizes: small enough for the bare-metal image and a QEMU run of seconds.
#if defined(STARLING_HOSTED_ENV)
constexpr int kCases = 260;
#else
constexpr int kCases = 70;
#endif
constexpr int kMaxIn = 24 * 1024, kMaxFilter = 40 * 1024, kMaxOut = 24 * 1024, kMaxC = 160;
int8_t g_in[kMaxIn], g_filter[kMaxFilter], g_out[kMaxOut + 1], g_ref[kMaxOut];
int32_t g_bias[kMaxC], g_mult[kMaxC], g_shift[kMaxC];
unsigned char g_scratch[4 * 7 * 7 * kMaxC + 4 * kMaxC + 16 + 8];

struct Case {
  DepthwiseParams p;
  bool depthwise, has_bias;
  long n_in, n_filter, n_out;
};

int8_t value(int mode, bool weight) {
  switch (mode) {
    case 1: return static_cast<int8_t>(uni(0, 1) ? 127 : -128);
    case 2: return weight ? int8_t{-128} : int8_t{127};
    case 3: return static_cast<int8_t>(uni(-2, 2));
    default: return static_cast<int8_t>(uni(-128, 127));
  }
}

// Fills the tensors and quantization of c (shape already set) at random.
void fill_case(Case& c);

// The structured cases: larger images (interior pixels in groups, the SIMD
// kernels' fast paths) over channel counts around every vector width,
// strides 1 and 2 (stride 2 has its own path in the AVX-512 depthwise
// kernel), 3x3 and 5x5, SAME padding, depth multiplier 1.
Case make_structured(bool depthwise, int k) {
  static const int kChannels[] = {3, 4, 5, 8, 12, 16, 24, 32, 33, 64, 65, 128};
  static const int kKernels[] = {3, 5};
  const int nch = static_cast<int>(sizeof kChannels / sizeof kChannels[0]);
  Case c{};
  DepthwiseParams& p = c.p;
  p.batches = 1;
  p.in_c = kChannels[k % nch];
  const int stride = 1 + (k / nch) % 2;
  p.k_h = p.k_w = kKernels[(k / nch / 2) % 2];
  const bool wide = p.in_c <= 64;
  p.in_h = wide ? 17 : 9;
  p.in_w = wide ? 19 : 11;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  p.out_h = (p.in_h + stride - 1) / stride;
  p.out_w = (p.in_w + stride - 1) / stride;
  const int th = (p.out_h - 1) * stride + p.k_h - p.in_h, tw = (p.out_w - 1) * stride + p.k_w - p.in_w;
  p.pad_h = th > 0 ? th / 2 : 0;
  p.pad_w = tw > 0 ? tw / 2 : 0;
  p.depth_multiplier = 1;
  p.out_c = depthwise ? p.in_c : (p.in_c <= 16 ? 24 : p.in_c <= 64 ? 16 : 8);
  c.depthwise = depthwise;
  c.n_in = static_cast<long>(p.in_h) * p.in_w * p.in_c;
  c.n_filter = static_cast<long>(p.out_c) * p.k_h * p.k_w * (depthwise ? 1 : p.in_c);
  c.n_out = static_cast<long>(p.out_h) * p.out_w * p.out_c;
  CHECK(c.n_in <= kMaxIn && c.n_filter <= kMaxFilter && c.n_out <= kMaxOut);
  CHECK(depthwise || conv2d_s8_scratch_size(p) + 8 <= sizeof g_scratch);
  fill_case(c);
  return c;
}
constexpr int kStructured = 12 * 2 * 2;

// A random valid layer that fits the buffers (retried until it does).
Case make_case(bool depthwise) {
  static const int kChannels[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65, 96, 128, 129};
  for (;;) {
    Case c{};
    DepthwiseParams& p = c.p;
    p.batches = uni(1, 4) == 1 ? 2 : 1;
    p.in_h = uni(1, 11);
    p.in_w = uni(1, 11);
    p.in_c = pick(kChannels);
    p.k_h = uni(0, 5) == 0 ? pick({1, 7}) : uni(1, 5);
    p.k_w = uni(0, 5) == 0 ? pick({1, 7}) : uni(1, 5);
    if (uni(0, 4) == 0) p.k_h = p.k_w = 1;  // pointwise layers (conv: the FC path)
    p.stride_h = uni(1, 3) == 1 ? 2 : 1;
    p.stride_w = uni(1, 3) == 1 ? pick({2, 3}) : 1;
    p.dilation_h = uni(0, 5) == 0 ? 2 : 1;
    p.dilation_w = uni(0, 5) == 0 ? 2 : 1;
    const int mode = uni(0, 9);
    auto axis = [&](int in, int k, int s, int d, int& out, int& pad) {
      const int eff = (k - 1) * d + 1;
      if (mode < 5) {  // SAME
        out = (in + s - 1) / s;
        const int total = (out - 1) * s + eff - in;
        pad = total > 0 ? total / 2 : 0;
      } else if (mode < 8) {  // VALID
        out = (in - eff) / s + 1;
        pad = 0;
      } else {  // anything accepted: windows partly or wholly in the padding
        pad = uni(0, eff + 1);
        out = uni(1, 7);
      }
    };
    axis(p.in_h, p.k_h, p.stride_h, p.dilation_h, p.out_h, p.pad_h);
    axis(p.in_w, p.k_w, p.stride_w, p.dilation_w, p.out_w, p.pad_w);
    if (p.out_h < 1 || p.out_w < 1) continue;
    if (depthwise) {
      p.depth_multiplier = uni(0, 3) == 0 ? uni(2, 3) : 1;
      p.out_c = p.in_c * p.depth_multiplier;
    } else {
      p.out_c = pick(kChannels);
    }
    if (p.out_c > kMaxC) continue;
    c.depthwise = depthwise;
    c.n_in = static_cast<long>(p.batches) * p.in_h * p.in_w * p.in_c;
    c.n_filter = static_cast<long>(p.out_c) * p.k_h * p.k_w * (depthwise ? 1 : p.in_c);
    c.n_out = static_cast<long>(p.batches) * p.out_h * p.out_w * p.out_c;
    if (c.n_in > kMaxIn || c.n_filter > kMaxFilter || c.n_out > kMaxOut) continue;
    if (!depthwise && conv2d_s8_scratch_size(p) + 8 > sizeof g_scratch) continue;
    fill_case(c);
    return c;
  }
}

void fill_case(Case& c) {
    DepthwiseParams& p = c.p;
    const int extremes = uni(0, 5);
    p.input_offset = extremes == 0 ? pick({-127, 128}) : uni(-127, 128);
    p.output_offset = extremes == 0 ? pick({-128, 127}) : uni(-128, 127);
    const int clamp = uni(0, 5);
    p.act_min = -128;
    p.act_max = 127;
    if (clamp == 3) p.act_min = p.output_offset;
    if (clamp == 4) {
      const int a = uni(-128, 127), b = uni(-128, 127);
      p.act_min = a < b ? a : b;
      p.act_max = a < b ? b : a;
    }
    if (clamp == 5) p.act_min = p.act_max = uni(-128, 127);
    // Per-channel scales around the layer's typical size; at times left
    // shifts that wrap, zero multipliers, and biases of any size.
    const int q = uni(0, 7);
    int base = -8 - uni(0, 6);
    for (int o = 0; o < p.out_c; ++o) {
      g_mult[o] = static_cast<int32_t>(0x40000000u | (g_rng.next_u32() & 0x3FFFFFFFu));
      g_shift[o] = base + uni(-2, 2);
      if (q == 1) g_shift[o] = uni(1, 30);
      if (q == 2 && uni(0, 3) == 0) g_mult[o] = 0;
      if (q == 3) g_shift[o] = uni(-31, 30);
    }
    c.has_bias = uni(0, 4) != 0;
    const int bias_kind = uni(0, 5);
    for (int o = 0; o < p.out_c; ++o) {
      int32_t b = static_cast<int32_t>(g_rng.next_u32() % 40001u) - 20000;
      if (bias_kind == 0) b = static_cast<int32_t>(g_rng.next_u32());  // anything: bias + dot may wrap
      g_bias[o] = b;
    }
    p.multiplier = g_mult;
    p.shift = g_shift;
    // Tensors at the arrays' ends.
    const int xm = uni(0, 4) == 0 ? uni(1, 3) : 0, wm = uni(0, 4) == 0 ? uni(1, 3) : 0;
    int8_t* x = g_in + kMaxIn - c.n_in;
    int8_t* w = g_filter + kMaxFilter - c.n_filter;
    for (long i = 0; i < c.n_in; ++i) x[i] = value(xm, false);
    for (long i = 0; i < c.n_filter; ++i) w[i] = value(wm, true);
}

const int8_t* input_of(const Case& c) { return g_in + kMaxIn - c.n_in; }
const int8_t* filter_of(const Case& c) { return g_filter + kMaxFilter - c.n_filter; }

// The active port's output (through the public entry point, the output
// ending one canary byte before its array's end) against ref.
bool port_matches(const Case& c) {
  int8_t* out = g_out + kMaxOut - c.n_out;
  std::memset(out, 0x5A, static_cast<size_t>(c.n_out) + 1);
  Status st;
  const int32_t* bias = c.has_bias ? g_bias : nullptr;
  if (c.depthwise) {
    st = depthwise_conv2d_s8(c.p, input_of(c), filter_of(c), bias, out);
  } else {
    const size_t need = conv2d_s8_scratch_size(c.p);
    // Exactly the bytes asked for, at an odd address.
    st = conv2d_s8(c.p, input_of(c), filter_of(c), bias, out, need != 0 ? g_scratch + 5 : nullptr, need);
  }
  return st == Status::Ok && std::memcmp(out, g_ref, static_cast<size_t>(c.n_out)) == 0 && out[c.n_out] == 0x5A;
}

long sweep(bool depthwise, int port) {
  long n = 0;
  int failures = 0;
  for (int k = 0; k < kCases + kStructured; ++k) {
    const Case c = k < kStructured ? make_structured(depthwise, k) : make_case(depthwise);
    const int32_t* bias = c.has_bias ? g_bias : nullptr;
    if (depthwise) detail::s8_depthwise__scalar(c.p, input_of(c), filter_of(c), bias, g_ref);
    else detail::s8_conv__scalar(c.p, input_of(c), filter_of(c), bias, g_ref, nullptr);
    if (force_port(port_name(port)) != Status::Ok) return -1;
    const bool same = port_matches(c);
    if (!CHECK(same) && ++failures <= 5) {
      const DepthwiseParams& p = c.p;
      std::printf("     %s %s: b%d %dx%dx%d -> %dx%dx%d k%dx%d s%d,%d d%d,%d pad %d,%d dm%d off %ld,%ld\n",
                  port_name(port), depthwise ? "depthwise" : "conv", p.batches, p.in_h, p.in_w, p.in_c, p.out_h,
                  p.out_w, p.out_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w, p.pad_h,
                  p.pad_w, p.depth_multiplier, static_cast<long>(p.input_offset), static_cast<long>(p.output_offset));
    }
    ++n;
  }
  return n;
}

// add_s8 through the active port against s8_add__scalar: random valid
// parameters (offsets to their ends, left shifts 0 .. kAddMaxLeftShift,
// multipliers from 0 to 2^31 − 1 with shifts −31 .. 0, every clamp edge),
// extreme or random inputs, sizes 1 .. 4,100 around the 8-lane blocks, the
// tensors at their arrays' ends and a canary after the output.
long add_sweep(int port) {
  const int cases = kCases * 3;
  long n = 0;
  int failures = 0;
  const int32_t mults[5] = {0, 1, 1 << 30, 2147483647, 1518500250};
  for (int k = 0; k < cases; ++k) {
    AddParams p{};
    p.size = k % 4 == 0 ? uni(1, 17) : k % 4 == 1 ? uni(1, 4100) : 8 * uni(1, 300) + uni(0, 1);
    p.in1_offset = uni(0, 3) == 0 ? pick<int, 2>({-127, 128}) : uni(-127, 128);
    p.in2_offset = uni(0, 3) == 0 ? pick<int, 2>({-127, 128}) : uni(-127, 128);
    p.out_offset = uni(-128, 127);
    p.left_shift = uni(0, 2) == 0 ? pick<int, 3>({0, 20, kAddMaxLeftShift}) : uni(0, kAddMaxLeftShift);
    p.in1_multiplier = uni(0, 2) == 0 ? pick(mults) : static_cast<int32_t>(g_rng.next_u32() >> 1);
    p.in2_multiplier = uni(0, 2) == 0 ? pick(mults) : static_cast<int32_t>(g_rng.next_u32() >> 1);
    p.out_multiplier = uni(0, 2) == 0 ? pick(mults) : static_cast<int32_t>(g_rng.next_u32() >> 1);
    p.in1_shift = uni(0, 3) == 0 ? pick<int, 3>({-31, -1, 0}) : uni(-31, 0);
    p.in2_shift = uni(0, 3) == 0 ? pick<int, 3>({-31, -1, 0}) : uni(-31, 0);
    p.out_shift = uni(0, 3) == 0 ? pick<int, 3>({-31, -1, 0}) : uni(-20, 0);
    p.act_min = uni(0, 2) == 0 ? -128 : uni(-128, 127);
    p.act_max = uni(0, 2) == 0 ? 127 : uni(p.act_min, 127);
    const int xm = uni(0, 3) == 0 ? uni(1, 3) : 0;
    int8_t* a = g_in + kMaxIn - p.size;
    int8_t* b = g_filter + kMaxFilter - p.size;
    for (int i = 0; i < p.size; ++i) {
      a[i] = value(xm, false);
      b[i] = value(xm, true);
    }
    detail::s8_add__scalar(p, a, b, g_ref);
    if (force_port(port_name(port)) != Status::Ok) return -1;
    int8_t* out = g_out + kMaxOut - p.size;
    std::memset(out, 0x5A, static_cast<size_t>(p.size) + 1);
    const bool same = add_s8(p, a, b, out) == Status::Ok &&
                      std::memcmp(out, g_ref, static_cast<size_t>(p.size)) == 0 && out[p.size] == 0x5A;
    if (!CHECK(same) && ++failures <= 5)
      std::printf("     %s add: size %d offsets %d,%d,%d left %d m %ld,%ld,%ld s %d,%d,%d\n", port_name(port),
                  p.size, static_cast<int>(p.in1_offset), static_cast<int>(p.in2_offset),
                  static_cast<int>(p.out_offset), p.left_shift,
                  static_cast<long>(p.in1_multiplier), static_cast<long>(p.in2_multiplier),
                  static_cast<long>(p.out_multiplier), p.in1_shift, p.in2_shift, p.out_shift);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE(add_kernels_match_scalar) {
  for (int i = 0; i < port_count(); ++i) {
    if (!port_supported(i)) continue;
    const long n = add_sweep(i);
    CHECK(n == kCases * 3);
    std::printf("     port %s: %ld additions compared with scalar (requantize: %s rounding)\n", port_name(i), n,
                requantize_is_single_rounding() ? "single" : "double");
  }
  CHECK(force_port(port_name(0)) == Status::Ok);
}

TEST_CASE(layer_kernels_match_scalar) {
  for (int i = 0; i < port_count(); ++i) {
    if (!port_supported(i)) {
      std::printf("     port %s: skipped (this CPU lacks it)\n", port_name(i));
      continue;
    }
    const long nc = sweep(false, i);
    const long nd = sweep(true, i);
    CHECK(nc == kCases + kStructured && nd == kCases + kStructured);
    std::printf("     port %s: %ld conv and %ld depthwise layers compared with scalar (requantize: %s rounding)\n",
                port_name(i), nc, nd, requantize_is_single_rounding() ? "single" : "double");
  }
  CHECK(force_port(port_name(0)) == Status::Ok);
}

int main() { return check::run_all(); }
