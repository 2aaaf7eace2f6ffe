// SPDX-License-Identifier: MIT
// starling/detail/layer_kernels.hpp: internal declarations of the int8 layer
// kernels (layers.hpp): the scalar references, the SIMD ports' conv and
// depthwise kernels, and the choice among them.
//
// Kernels assume arguments that passed the public entry point's validation
// (validate(p), non-null arrays of the documented sizes, enough scratch) and
// check nothing. The scalar kernels are the written definition of "right";
// a port's kernel must give the same bytes for every such input.
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/layers.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

/// Signature of every conv2d kernel. scratch: the caller's buffer, already
/// aligned to 16 bytes, of at least conv2d_s8_scratch_size(p) − 16 bytes
/// (null when that size is 0).
using S8ConvKernel = void (*)(const ConvParams& p, const int8_t* input, const int8_t* filter,
                              const int32_t* bias, int8_t* output, void* scratch);
/// Signature of every depthwise kernel.
using S8DepthwiseKernel = void (*)(const DepthwiseParams& p, const int8_t* input,
                                   const int8_t* filter, const int32_t* bias, int8_t* output);
/// Signature of every element-wise addition kernel.
using S8AddKernel = void (*)(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output);

/// Scalar references (ports/scalar). Cost as documented in layers.hpp; no
/// memory beyond the stack frame; s8_conv__scalar ignores the scratch.
void s8_conv__scalar(const ConvParams& p, const int8_t* input, const int8_t* filter,
                     const int32_t* bias, int8_t* output, void* scratch);
void s8_depthwise__scalar(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                          const int32_t* bias, int8_t* output);
void s8_avg_pool__scalar(const PoolParams& p, const int8_t* input, int8_t* output);
void s8_max_pool__scalar(const PoolParams& p, const int8_t* input, int8_t* output);
void s8_add__scalar(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output);
void s8_softmax__scalar(const SoftmaxParams& p, const int8_t* input, int8_t* output);

// The inline helpers below have internal linkage (each translation unit its
// own copy): a port library compiled with ISA flags must not supply a weak
// copy that portable code could link to (tests/ports/check_isa_isolation.sh).
namespace {

/// The output step every conv and depthwise kernel shares with the
/// reference: bias + dot (two's-complement wrap, as the reference binaries),
/// requantized by Rq, plus output_offset (wraps likewise), clamped.
template <int32_t (*Rq)(int32_t, int32_t, int) noexcept>
inline int8_t s8_conv_output(const ConvParams& p, const int32_t* bias, std::ptrdiff_t o,
                             int32_t dot) noexcept {
  const uint32_t b = bias != nullptr ? static_cast<uint32_t>(bias[o]) : 0u;
  const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(dot) + b);
  const int32_t scaled = Rq(acc, p.multiplier[o], static_cast<int>(p.shift[o]));
  int32_t v = static_cast<int32_t>(static_cast<uint32_t>(scaled) + static_cast<uint32_t>(p.output_offset));
  v = v < p.act_min ? p.act_min : v;
  v = v > p.act_max ? p.act_max : v;
  return static_cast<int8_t>(v);
}

/// requantize_double / requantize_single for multipliers >= 0 (what the
/// layers' validation guarantees) and shifts in [−31, 30], without the
/// general versions' 64-bit division: SRDHM with m >= 0 is
/// floor((x·m + 2^30) / 2^31) for every x (the only saturating case needs
/// m = −2^31), so one 64-bit product and shift do. Bit-exact with
/// requantize_double / requantize_single there; inline, for the ports'
/// kernels (the scalar references call requantize()).
inline int32_t requantize_double_fast(int32_t acc, int32_t m, int shift) noexcept {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);  // wraps like the reference
  const int32_t h = static_cast<int32_t>((static_cast<int64_t>(x) * m + (int64_t{1} << 30)) >> 31);
  const int32_t mask = static_cast<int32_t>((uint32_t{1} << right) - 1u);  // right <= 31
  const int32_t rem = h & mask;
  const int32_t thr = (mask >> 1) + (h < 0 ? 1 : 0);
  return (h >> right) + (rem > thr ? 1 : 0);
}
inline int32_t requantize_single_fast(int32_t acc, int32_t m, int shift) noexcept {
  const int t = 31 - shift;  // [1, 62]
  const int64_t r = (static_cast<int64_t>(acc) * m + (int64_t{1} << (t - 1))) >> t;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(r)));  // wraps like the reference
}

/// True for a pointwise convolution whose input is already the im2col matrix
/// (1x1 filter, stride 1, no padding, output as large as the input): it runs
/// as one fully-connected layer over all pixels and needs no scratch.
inline bool conv_is_pointwise(const ConvParams& p) noexcept {
  return p.k_h == 1 && p.k_w == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_h == 0 &&
         p.pad_w == 0 && p.out_h == p.in_h && p.out_w == p.in_w;
}

/// Depthwise layers the SIMD kernels take: depth multiplier 1 (every model
/// of the set) and at most kDwSimdMaxTaps filter taps (their packed
/// weights sit on the stack); the others run the scalar kernel.
constexpr int kDwSimdMaxTaps = 64;
inline bool dw_simd_ok(const DepthwiseParams& p) noexcept {
  return p.depth_multiplier == 1 && p.k_h * p.k_w <= kDwSimdMaxTaps;
}

/// The k_h·k_w input pointers of output pixel (oy, ox) at channel c0 of one
/// image (tap order ky-major, as the filter): taps in the padding point at
/// `pad`, a buffer of the input value −input_offset (so x + input_offset is
/// 0 there and the tap adds nothing, as the reference's skipped taps).
inline void dw_taps(const ConvParams& p, const int8_t* image, int oy, int ox, std::ptrdiff_t c0,
                    const int8_t* pad, const int8_t** taps) noexcept {
  const std::ptrdiff_t c = p.in_c;
  const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
  int t = 0;
  for (int ky = 0; ky < p.k_h; ++ky) {
    const int iy = y0 + ky * p.dilation_h;
    if (iy < 0 || iy >= p.in_h) {
      for (int kx = 0; kx < p.k_w; ++kx) taps[t++] = pad;
      continue;
    }
    const int8_t* row = image + static_cast<std::ptrdiff_t>(iy) * p.in_w * c + c0;
    for (int kx = 0; kx < p.k_w; ++kx, ++t) {
      const int ix = x0 + kx * p.dilation_w;
      taps[t] = ix >= 0 && ix < p.in_w ? row + ix * c : pad;
    }
  }
}

/// Conv layers the AVX-512 VNNI conv kernel takes: K = k_h·k_w·in_c, rounded
/// up to a multiple of 4, at most kMaxVnniK (its packed weights sit on the
/// stack); when in_c is a multiple of 4 (inputs read in place, a pointer per
/// tap) at most kVnniMaxTaps taps, otherwise (patches gathered on the stack)
/// K at most kMaxVnniColsK. Others run as im2col rows through the port's
/// fully-connected kernel.
constexpr int kMaxVnniK = 1024;
constexpr int kMaxVnniColsK = 512;
constexpr int kVnniMaxTaps = 64;
inline bool conv_vnni_ok(const ConvParams& p) noexcept {
  const long long k4 = (static_cast<long long>(p.k_h) * p.k_w * p.in_c + 3) / 4 * 4;
  return p.in_c % 4 == 0 ? k4 <= kMaxVnniK && p.k_h * p.k_w <= kVnniMaxTaps : k4 <= kMaxVnniColsK;
}

}  // namespace

/// The kernels in use for the active port (starling/port.hpp), resolved on
/// each call (a pointer comparison once the port is known).
S8ConvKernel s8_conv_kernel(const ConvParams& p) noexcept;
S8DepthwiseKernel s8_depthwise_kernel(const DepthwiseParams& p) noexcept;
S8AddKernel s8_add_kernel() noexcept;

/// Gathers the input patches of output pixels row0 .. row0+n−1 (row-major
/// over out_h·out_w, one image) into cols, n rows of k_h·k_w·in_c bytes in
/// filter order; taps in the padding hold −input_offset (they add nothing).
void s8_conv_im2col_rows(const ConvParams& p, const int8_t* image, int row0, int n, int8_t* cols);

/// Conv by im2col onto the active port's fully-connected kernel: shared by
/// the SIMD ports whose FC kernel is fast at kConvIm2colRows batch rows.
void s8_conv__im2col_fc(const ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output, void* scratch);

}  // namespace detail
}  // namespace starling
