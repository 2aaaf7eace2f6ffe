// SPDX-License-Identifier: MIT
// tests/int8/layer_data.hpp: the tensors of a hashed layer golden case, regenerated in C++.
//
// Mirrors make_conv_data(), make_pool_data(), make_add_data() and
// make_softmax_data() of tools/gen_layer_golden.py line for line, on top of
// fc_data.hpp's generator (the same one gen_fc_golden.py uses). Change both
// together (and regenerate the header).
#pragma once
#include <cstdint>

#include "fc_data.hpp"
#include "layer_golden.h"
#include "starling/layers.hpp"

namespace layer_data {

constexpr uint32_t kStreamX2 = 5;  // add_s8's second input

inline uint32_t u(int i) { return static_cast<uint32_t>(i); }

/// Buffers of one conv/depthwise case, filled by make().
struct ConvData {
  int8_t x[layer_golden::kMaxConvInput];
  int8_t w[layer_golden::kMaxConvFilter];
  int32_t bias[layer_golden::kMaxConvChannels];
  int32_t mult[layer_golden::kMaxConvChannels];
  int32_t shift[layer_golden::kMaxConvChannels];
  bool has_bias;
  int nx, nw, ny;

  void make(const layer_golden::ConvCase& L) {
    nx = L.batches * L.in_h * L.in_w * L.in_c;
    nw = L.out_c * L.k_h * L.k_w * (L.depth_multiplier != 0 ? 1 : L.in_c);
    ny = L.batches * L.out_h * L.out_w * L.out_c;
    for (int i = 0; i < nx; ++i) x[i] = fc_data::gen_x(L.x_mode, fc_data::rnd(L.seed, fc_data::kStreamX, u(i)));
    for (int i = 0; i < nw; ++i) w[i] = fc_data::gen_w(L.w_mode, fc_data::rnd(L.seed, fc_data::kStreamW, u(i)));
    has_bias = L.bias_mode != 0;
    for (int o = 0; o < L.out_c; ++o) {
      bias[o] = has_bias ? fc_data::gen_bias(L.bias_mode, L.bias_range, fc_data::rnd(L.seed, fc_data::kStreamBias, u(o))) : 0;
      if (L.mult_mode == 1) {
        const uint32_t span = static_cast<uint32_t>(L.shift_hi - L.shift_lo + 1);
        mult[o] = static_cast<int32_t>(0x40000000u | (fc_data::rnd(L.seed, fc_data::kStreamMult, u(o)) & 0x3FFFFFFFu));
        shift[o] = L.shift_lo + static_cast<int32_t>(fc_data::rnd(L.seed, fc_data::kStreamShift, u(o)) % span);
      } else {
        mult[o] = L.multiplier;
        shift[o] = L.shift;
      }
    }
  }

  starling::DepthwiseParams params(const layer_golden::ConvCase& L) const {
    starling::DepthwiseParams p{};
    p.batches = L.batches;
    p.in_h = L.in_h;
    p.in_w = L.in_w;
    p.in_c = L.in_c;
    p.out_h = L.out_h;
    p.out_w = L.out_w;
    p.out_c = L.out_c;
    p.k_h = L.k_h;
    p.k_w = L.k_w;
    p.stride_h = L.stride_h;
    p.stride_w = L.stride_w;
    p.dilation_h = L.dilation_h;
    p.dilation_w = L.dilation_w;
    p.pad_h = L.pad_h;
    p.pad_w = L.pad_w;
    p.input_offset = L.input_offset;
    p.output_offset = L.output_offset;
    p.multiplier = mult;
    p.shift = shift;
    p.act_min = L.act_min;
    p.act_max = L.act_max;
    p.depth_multiplier = L.depth_multiplier;
    return p;
  }
};

inline starling::PoolParams pool_params(const layer_golden::PoolCase& L) {
  return starling::PoolParams{L.batches, L.in_h, L.in_w, L.channels, L.out_h, L.out_w, L.k_h, L.k_w,
                              L.stride_h, L.stride_w, L.pad_h, L.pad_w, L.act_min, L.act_max};
}

inline void make_pool(const layer_golden::PoolCase& L, int8_t* x) {
  const int n = L.batches * L.in_h * L.in_w * L.channels;
  for (int i = 0; i < n; ++i) x[i] = fc_data::gen_x(L.x_mode, fc_data::rnd(L.seed, fc_data::kStreamX, u(i)));
}

inline starling::AddParams add_params(const layer_golden::AddCase& L) {
  return starling::AddParams{L.size,           L.in1_offset,    L.in2_offset, L.out_offset,
                             L.left_shift,     L.in1_multiplier, L.in1_shift, L.in2_multiplier,
                             L.in2_shift,      L.out_multiplier, L.out_shift, L.act_min,
                             L.act_max};
}

inline void make_add(const layer_golden::AddCase& L, int8_t* a, int8_t* b) {
  for (int i = 0; i < L.size; ++i) {
    a[i] = fc_data::gen_x(L.x_mode, fc_data::rnd(L.seed, fc_data::kStreamX, u(i)));
    b[i] = fc_data::gen_x(L.x2_mode, fc_data::rnd(L.seed, kStreamX2, u(i)));
  }
}

inline starling::SoftmaxParams softmax_params(const layer_golden::SoftmaxCase& L) {
  return starling::SoftmaxParams{L.rows, L.cols, L.input_multiplier, L.input_left_shift, L.diff_min};
}

inline void make_softmax(const layer_golden::SoftmaxCase& L, int8_t* x) {
  const int n = L.rows * L.cols;
  for (int i = 0; i < n; ++i) x[i] = fc_data::gen_x(L.x_mode, fc_data::rnd(L.seed, fc_data::kStreamX, u(i)));
}

}  // namespace layer_data
