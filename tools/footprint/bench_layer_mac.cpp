// SPDX-License-Identifier: MIT
// bench_layer_mac: the firmware program tools/footprint/layer_insn_per_mac.sh
// runs under QEMU's instruction-count plugin: argv[1] picks what runs,
// argv[2] the layer, argv[3] how many calls (the script counts 4 calls and 0
// calls and takes the difference: everything else, set-up and the check at
// the end, runs the same in both). Starling's conv2d_s8 / depthwise_conv2d_s8 (the image's
// port: the DSP kernels on an M4) and their scalar references, against
// CMSIS-NN's arm_convolve_s8, arm_depthwise_conv_s8 and its wrappers when the
// build had -Dcmsis_nn (built by tests/firmware/meson.build with this
// build's compiler and flags). Outputs of every mode are compared with the
// scalar reference's: a mismatch exits 1 (the peers follow TFLite Micro's
// arithmetic too, so they must agree).
#include <cstdio>
#include <cstring>

#include "starling/detail/layer_kernels.hpp"
#include "starling/layers.hpp"
#include "starling/starling.hpp"

#if defined(BENCH_CMSIS_NN)
#include "arm_nnfunctions.h"
#endif

namespace {

struct Layer {
  const char* name;
  bool depthwise;
  int hw, in_c, out_c, k;
};
// A ResNet-style 3x3 conv, a DS-CNN-style pointwise conv, a 3x3 depthwise.
const Layer kLayers[] = {
    {"conv", false, 8, 16, 16, 3},
    {"pointwise", false, 8, 32, 32, 1},
    {"depthwise", true, 12, 32, 32, 3},
};

int8_t g_in[12 * 12 * 32], g_filter[32 * 9 * 32], g_out[12 * 12 * 32], g_ref[12 * 12 * 32];
int32_t g_bias[32], g_mult[32], g_shift[32];
alignas(16) unsigned char g_scratch[4 * 9 * 32 + 4 * 32 + 64 + 4096];

starling::DepthwiseParams params(const Layer& L) {
  starling::DepthwiseParams p{};
  p.batches = 1;
  p.in_h = p.in_w = p.out_h = p.out_w = L.hw;
  p.in_c = L.in_c;
  p.out_c = L.out_c;
  p.k_h = p.k_w = L.k;
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
  p.pad_h = p.pad_w = L.k / 2;
  p.input_offset = 5;
  p.output_offset = -3;
  p.multiplier = g_mult;
  p.shift = g_shift;
  p.act_min = -128;
  p.act_max = 127;
  p.depth_multiplier = 1;
  return p;
}

long macs(const Layer& L) {
  return static_cast<long>(L.hw) * L.hw * L.out_c * L.k * L.k * (L.depthwise ? 1 : L.in_c);
}

bool run_starling(const Layer& L, bool scalar) {
  const starling::DepthwiseParams p = params(L);
  if (scalar) {  // the reference kernels, after the same validation
    if (starling::validate(p) != starling::Status::Ok) return false;
    if (L.depthwise) starling::detail::s8_depthwise__scalar(p, g_in, g_filter, g_bias, g_out);
    else starling::detail::s8_conv__scalar(p, g_in, g_filter, g_bias, g_out, nullptr);
    return true;
  }
  if (L.depthwise) return starling::depthwise_conv2d_s8(p, g_in, g_filter, g_bias, g_out) == starling::Status::Ok;
  return starling::conv2d_s8(p, g_in, g_filter, g_bias, g_out, g_scratch, sizeof g_scratch) == starling::Status::Ok;
}

#if defined(BENCH_CMSIS_NN)
// wrapper: false = arm_convolve_s8 / arm_depthwise_conv_s8 themselves, true =
// their wrappers (which pick the 1x1 and optimized kernels).
bool run_cmsis(const Layer& L, bool wrapper) {
  const starling::DepthwiseParams p = params(L);
  cmsis_nn_context ctx{g_scratch, static_cast<int32_t>(sizeof g_scratch)};
  const cmsis_nn_per_channel_quant_params quant{g_mult, g_shift};
  const cmsis_nn_dims in{1, L.hw, L.hw, L.in_c}, out{1, L.hw, L.hw, L.out_c}, bias{1, 1, 1, L.out_c};
  const cmsis_nn_tile stride{1, 1}, pad{L.k / 2, L.k / 2}, dil{1, 1};
  const cmsis_nn_activation act{-128, 127};
  arm_cmsis_nn_status s;
  if (L.depthwise) {
    const cmsis_nn_dw_conv_params dw{p.input_offset, p.output_offset, 1, stride, pad, dil, act};
    const cmsis_nn_dims filter{1, L.k, L.k, L.out_c};
    s = wrapper ? arm_depthwise_conv_wrapper_s8(&ctx, &dw, &quant, &in, g_in, &filter, g_filter, &bias, g_bias, &out, g_out)
                : arm_depthwise_conv_s8(&ctx, &dw, &quant, &in, g_in, &filter, g_filter, &bias, g_bias, &out, g_out);
  } else {
    const cmsis_nn_conv_params cp{p.input_offset, p.output_offset, stride, pad, dil, act};
    const cmsis_nn_dims filter{L.out_c, L.k, L.k, L.in_c};
    s = wrapper ? arm_convolve_wrapper_s8(&ctx, &cp, &quant, &in, g_in, &filter, g_filter, &bias, g_bias, &out, g_out)
                : arm_convolve_s8(&ctx, &cp, &quant, &in, g_in, &filter, g_filter, &bias, g_bias, nullptr, &out, g_out);
  }
  return s == ARM_CMSIS_NN_SUCCESS;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  // argv[1]: starling | scalar | cmsis | cmsis_wrapper; argv[2]: layer name; argv[3]: calls.
  const char* mode = argc > 1 ? argv[1] : "starling";
  const char* which = argc > 2 ? argv[2] : "conv";
  const int runs = argc > 3 ? argv[3][0] - '0' : 4;
  const Layer* L = nullptr;
  for (const Layer& l : kLayers)
    if (std::strcmp(l.name, which) == 0) L = &l;
  if (L == nullptr) return 2;
  starling::Rng r(7);
  for (int8_t& v : g_in) v = static_cast<int8_t>(r.next_u32());
  for (int8_t& v : g_filter) v = static_cast<int8_t>(r.next_u32() | 1u);
  for (int o = 0; o < 32; ++o) {
    g_bias[o] = static_cast<int32_t>(r.next_u32() % 2001u) - 1000;
    g_mult[o] = static_cast<int32_t>(0x40000000u | (r.next_u32() & 0x3FFFFFFFu));
    g_shift[o] = L->depthwise ? -9 : -11;
  }
  const bool scalar = std::strcmp(mode, "scalar") == 0;
  const bool ours = scalar || std::strcmp(mode, "starling") == 0;
#if defined(BENCH_CMSIS_NN)
  const bool peer = std::strcmp(mode, "cmsis") == 0 || std::strcmp(mode, "cmsis_wrapper") == 0;
#else
  const bool peer = false;
#endif
  if (!ours && !peer) {  // before anything runs, so 4 calls and 0 calls count the same
    std::printf("mode %s not available in this build\n", mode);
    return 2;
  }
  bool ok = true;
  for (int k = 0; k < runs && ok; ++k) {
    if (ours) {
      ok = run_starling(*L, scalar);
#if defined(BENCH_CMSIS_NN)
    } else {
      ok = run_cmsis(*L, std::strcmp(mode, "cmsis_wrapper") == 0);
#endif
    }
  }
  if (!ok) {
    std::printf("%s %s failed\n", mode, which);
    return 1;
  }
  // The same bytes as the scalar reference (run with 0 calls too, so it
  // cancels out of the count).
  const int n = L->hw * L->hw * L->out_c;
  std::memcpy(g_ref, g_out, static_cast<size_t>(n));
  const bool same = run_starling(*L, true) && std::memcmp(g_ref, g_out, static_cast<size_t>(n)) == 0;
  if (runs > 0 && !same) {
    std::printf("%s %s: outputs differ from the scalar reference\n", mode, which);
    return 1;
  }
  std::printf("%s %s: %ld MACs a call, %d calls%s\n", mode, which, macs(*L), runs,
              runs > 0 ? ", outputs equal the reference" : "");
  return 0;
}
