// SPDX-License-Identifier: MIT
// s8_depthwise__neon_dotprod: int8 depthwise convolution with SDOT (four taps a step, 16 channels a block).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "s8_layer_neon.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "s8_depthwise__neon_dotprod.cpp needs -march=armv8.2-a+dotprod (see ports/neon/meson.build)"
#endif

namespace starling {
namespace detail {
namespace {

// Four taps a step: two zip levels put each channel's four taps in one
// 32-bit lane (channels stay in natural order), and SDOT against the same
// zip of the weights adds them (signed × signed: no offset trick needed).
struct DwSdotForm {
  static constexpr int kStep = 4;
  struct Packed {
    int8x16_t v[4];
  };
  static void interleave(const int8x16_t* x, int8x16_t* out) {
    const int8x16_t lo01 = vzip1q_s8(x[0], x[1]), hi01 = vzip2q_s8(x[0], x[1]);
    const int8x16_t lo23 = vzip1q_s8(x[2], x[3]), hi23 = vzip2q_s8(x[2], x[3]);
    out[0] = vreinterpretq_s8_s16(vzip1q_s16(vreinterpretq_s16_s8(lo01), vreinterpretq_s16_s8(lo23)));
    out[1] = vreinterpretq_s8_s16(vzip2q_s16(vreinterpretq_s16_s8(lo01), vreinterpretq_s16_s8(lo23)));
    out[2] = vreinterpretq_s8_s16(vzip1q_s16(vreinterpretq_s16_s8(hi01), vreinterpretq_s16_s8(hi23)));
    out[3] = vreinterpretq_s8_s16(vzip2q_s16(vreinterpretq_s16_s8(hi01), vreinterpretq_s16_s8(hi23)));
  }
  static Packed pack(const int8x16_t* w) {
    Packed p;
    interleave(w, p.v);
    return p;
  }
  static void mac(int32x4_t* acc, const int8x16_t* x, const Packed& w) {
    int8x16_t xi[4];
    interleave(x, xi);
    for (int v = 0; v < 4; ++v) acc[v] = vdotq_s32(acc[v], xi[v], w.v[v]);
  }
};

}  // namespace

void s8_depthwise__neon_dotprod(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                                const int32_t* bias, int8_t* output) {
  s8_dw_neon<false, DwSdotForm>(p, input, filter, bias, output);
}
void s8_depthwise_single_rounding__neon_dotprod(const DepthwiseParams& p, const int8_t* input,
                                                const int8_t* filter, const int32_t* bias, int8_t* output) {
  s8_dw_neon<true, DwSdotForm>(p, input, filter, bias, output);
}

}  // namespace detail
}  // namespace starling
