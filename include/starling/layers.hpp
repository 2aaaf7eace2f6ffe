// SPDX-License-Identifier: MIT
// starling/layers.hpp: int8 layer kernels of TinyML models (convolution,
// depthwise convolution, average and max pooling, addition, softmax),
// bit-exact with TensorFlow Lite Micro's reference int8 kernels.
//
// Layouts are TFLite's: activations NHWC (input[b][y][x][c]), convolution
// filters OHWI ([out_c][k_h][k_w][in_c]), depthwise filters [1][k_h][k_w][out_c],
// int32 bias (scale in_scale·w_scale[c], zero point 0), requantization per
// output channel by (multiplier, shift) as quant.hpp's requantize() (double
// rounding by default, single rounding when the library is built with
// -Dsingle_rounding=true), and the fused activation as the output clamp
// [act_min, act_max]. Offsets follow TFLite's kernel parameters:
// input_offset = −input_zero_point in [−127, 128], output_offset =
// output_zero_point in [−128, 127].
//
// Arithmetic is that of the reference kernels for every input these
// functions accept: accumulators are exact (the depth limits below keep every
// dot product inside ±2^30), and the few int32 steps that can overflow
// (bias + dot, the requantizer's left shift, + output_offset) wrap in two's
// complement as quant.hpp defines and as the reference binaries do.
//
// Every function validates all its parameters first: it returns
// InvalidArgument (a null pointer, a size <= 0, a value outside its
// documented range) or CapacityExceeded (a product of sizes that does not fit
// std::ptrdiff_t, a depth above its limit, a scratch buffer that is too
// small) and then writes nothing. Valid inputs never reach undefined
// behaviour. No function allocates or keeps state; outputs must not overlap
// inputs (add_s8: output may be in1 or in2 exactly, element-wise).
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/quant.hpp"
#include "starling/status.hpp"

namespace starling {

// ---- Contract: int8 layers (names and fields fixed by the int8-models issue) ----

/// Convolution parameters (TFLite CONV_2D). Ranges accepted by conv2d_s8:
///   batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w >= 1;
///   stride_h, stride_w, dilation_h, dilation_w >= 1; pad_h, pad_w >= 0;
///   (out_h − 1)·stride_h + (k_h − 1)·dilation_h <= INT_MAX (same for w), and
///   pad_h, pad_w <= INT_MAX: every input coordinate fits int;
///   k_h·k_w·in_c <= kConvMaxDepth; input_offset in [−127, 128];
///   output_offset in [−128, 127]; multiplier[c] >= 0 and shift[c] in
///   [−31, 30] for each of the out_c channels (per-tensor quantization repeats
///   one value out_c times); −128 <= act_min <= act_max <= 127.
/// out_h and out_w are not tied to the padding formula: output positions
/// whose window lies wholly in the padding get bias only, as in the reference.
struct ConvParams {
  /// Samples in the batch, >= 1 (QNet models store 1; QNet::run substitutes
  /// its own count).
  int batches;
  /** @{ */
  /// Input height, width and channels (NHWC: input[b][y][x][c]), each >= 1.
  int in_h, in_w, in_c;            // input NHWC
  /** @} */
  /** @{ */
  /// Output height, width and channels (NHWC), each >= 1. out_c is the
  /// number of filters (conv2d_s8) or in_c·depth_multiplier (depthwise).
  int out_h, out_w, out_c;         // output NHWC
  /** @} */
  /** @{ */
  /// Filter height and width in taps, each >= 1 (OHWI filter
  /// [out_c][k_h][k_w][in_c]; depthwise [1][k_h][k_w][out_c]).
  int k_h, k_w;                    // filter OHWI: [out_c][k_h][k_w][in_c]
  /** @} */
  /** @{ */
  /// Step between neighbouring output positions, in input pixels along
  /// height and width; each >= 1.
  int stride_h, stride_w;
  /** @} */
  /** @{ */
  /// Step between neighbouring filter taps, in input pixels; each >= 1
  /// (1 = no dilation).
  int dilation_h, dilation_w;
  /** @} */
  /** @{ */
  /// Input pixels of implicit padding before the first row (top) and column
  /// (left), >= 0; TFLite's SAME padding gives max(0, (out − 1)·stride +
  /// (k − 1)·dilation + 1 − in) / 2, VALID gives 0. Taps in the padding are
  /// skipped (they add nothing), as in the reference kernels.
  int pad_h, pad_w;                // top and left padding, as TFLite computes them
  /** @} */
  /// −input_zero_point, in [−127, 128]; added to every input value before the
  /// multiply.
  int32_t input_offset;
  /// output_zero_point, in [−128, 127]; added after requantization, before
  /// the clamp.
  int32_t output_offset;
  /// out_c fixed-point multipliers (quantize_multiplier of in_scale·w_scale[c]
  /// / out_scale), each >= 0; per-tensor quantization repeats one value.
  const int32_t* multiplier;       // out_c entries
  /// out_c shifts matching `multiplier`, each in [−31, 30] (> 0 shifts left).
  const int32_t* shift;            // out_c entries
  /** @{ */
  /// Output clamp (the fused activation in output quantization), −128 <=
  /// act_min <= act_max <= 127: no activation is [−128, 127], ReLU starts at
  /// output_offset.
  int32_t act_min, act_max;
  /** @} */
};
/// Depthwise parameters (TFLite DEPTHWISE_CONV_2D): ConvParams' ranges, plus
/// depth_multiplier >= 1 with out_c == in_c·depth_multiplier, and k_h·k_w <=
/// kConvMaxDepth instead of the convolution's depth limit. Output channel
/// c = ic·depth_multiplier + m reads input channel ic.
struct DepthwiseParams : ConvParams {  // filter [1][k_h][k_w][out_c]
  /// Output channels per input channel, >= 1, with out_c == in_c·depth_multiplier
  /// (1 for the usual depthwise-separable block).
  int depth_multiplier;
};
/// Pooling parameters (TFLite AVERAGE_POOL_2D / MAX_POOL_2D; input and output
/// share one scale and zero point, so there are no offsets). Ranges:
///   batches, in_h, in_w, channels, out_h, out_w, k_h, k_w, stride_h,
///   stride_w >= 1; pad_h, pad_w >= 0; k_h·k_w <= kPoolMaxWindow;
///   −128 <= act_min <= act_max <= 127; every window overlaps the input:
///   pad_h < k_h and (out_h − 1)·stride_h − pad_h <= in_h − 1 (same for w).
///   (An empty window makes TFLite Micro's average pool fail; TFLite's
///   padding formula never produces one.)
struct PoolParams {
  /// Samples in the batch, >= 1 (QNet models store 1).
  int batches;
  /** @{ */
  /// Input height and width (NHWC), each >= 1.
  int in_h, in_w;
  /** @} */
  /// Channels of input and output (pooling keeps them apart), >= 1.
  int channels;
  /** @{ */
  /// Output height and width, each >= 1, such that every window overlaps the
  /// input (see above).
  int out_h, out_w;
  /** @} */
  /** @{ */
  /// Window height and width in input pixels, each >= 1, k_h·k_w <= kPoolMaxWindow.
  int k_h, k_w;
  /** @} */
  /** @{ */
  /// Step between windows in input pixels, each >= 1.
  int stride_h, stride_w;
  /** @} */
  /** @{ */
  /// Top and left padding in input pixels, 0 <= pad < k; taps in the padding
  /// are left out of the window (the average divides by the taps inside).
  int pad_h, pad_w;
  /** @} */
  /** @{ */
  /// Output clamp (fused activation), −128 <= act_min <= act_max <= 127.
  int32_t act_min, act_max;
  /** @} */
};
/// Element-wise addition parameters, as TFLite's Prepare computes them for
/// int8 ADD (left_shift 20). Ranges accepted by add_s8: size >= 1;
/// in1_offset, in2_offset in [−127, 128] (−zero_point); out_offset in
/// [−128, 127]; left_shift in [0, kAddMaxLeftShift]; each multiplier >= 0;
/// each shift in [−31, 0] (TFLite's "smaller than one" multipliers);
/// −128 <= act_min <= act_max <= 127.
struct AddParams {                 // TFLite's int8 ADD: both inputs rescaled, summed, rescaled
  /// Elements in each of in1, in2 and the output (all batches together), >= 1.
  int size;
  /** @{ */
  /// −zero_point of in1 and of in2, each in [−127, 128].
  int32_t in1_offset, in2_offset;
  /** @} */
  /// Output zero point, in [−128, 127].
  int32_t out_offset;
  /// Both offset inputs are multiplied by 2^left_shift before rescaling, to
  /// keep precision; in [0, kAddMaxLeftShift] (TFLite: 20).
  int left_shift;
  /// in1's rescale to the common scale: multiplier >= 0 (quantize_multiplier
  /// of in1_scale / (2·max(in1_scale, in2_scale))) ...
  int32_t in1_multiplier;
  /// ... and its shift, in [−31, 0] (a right shift).
  int in1_shift;
  /// in2's rescale multiplier, >= 0 (as in1's with in2_scale) ...
  int32_t in2_multiplier;
  /// ... and its shift, in [−31, 0].
  int in2_shift;
  /// The sum's rescale to the output: multiplier >= 0 (quantize_multiplier of
  /// 2·max(in1_scale, in2_scale) / (2^left_shift·out_scale)) ...
  int32_t out_multiplier;
  /// ... and its shift, in [−31, 0].
  int out_shift;
  /** @{ */
  /// Output clamp (fused activation), −128 <= act_min <= act_max <= 127.
  int32_t act_min, act_max;
  /** @} */
};
/// Softmax parameters, as TFLite's Prepare computes them for int8 input
/// (PreprocessSoftmaxScaling with 5 integer bits of scaled difference;
/// diff_min = −CalculateInputRadius(5, input_left_shift)). Ranges accepted by
/// softmax_s8: rows, cols >= 1; input_multiplier >= 0; input_left_shift in
/// [0, 30]; diff_min <= 0 (so each row's largest element always counts).
struct SoftmaxParams {
  /// Independent rows (for an NHWC tensor: batches·h·w), >= 1.
  int rows;
  /// Values per row, the axis normalized over (the channels), >= 1.
  int cols;
  /// With input_left_shift, the fixed-point form (quantize_multiplier) of
  /// min(beta·input_scale·2^26, 2^31 − 1), which turns a difference
  /// x − max(row) into Q5.26; >= 0.
  int32_t input_multiplier;
  /// input_multiplier's shift (a left shift, the real factor being >= 1), in [0, 30].
  int input_left_shift;
  /// Most negative difference x − max(row) still counted, <= 0; smaller ones
  /// give probability 0 (output −128).
  int diff_min;
};

// ---- Limits ----

/// Largest number of products in one convolution output (k_h·k_w·in_c) or one
/// depthwise output (k_h·k_w): with |w·(x + input_offset)| <= 128·255 every
/// accumulator stays within ±2^30, exact, as for fully_connected_s8.
constexpr int kConvMaxDepth = kFcMaxInDim;
/// Largest pooling window (k_h·k_w): sums of int8 stay far inside int32.
constexpr int kPoolMaxWindow = 1 << 20;
/// Largest AddParams::left_shift: 2·255·2^22 < 2^31, so the rescaled inputs
/// and their sum never overflow (TFLite uses 20).
constexpr int kAddMaxLeftShift = 22;
/// Input rows (output pixels) that conv2d_s8 gathers at once into its
/// scratch buffer (im2col); part of conv2d_s8_scratch_size's formula.
constexpr int kConvIm2colRows = 4;

// ---- Validation (what each layer function checks first) ----

/// Checks p against the ranges documented at ConvParams, reading the out_c
/// multiplier and shift entries. Returns InvalidArgument (a value out of
/// range, null multiplier or shift) or CapacityExceeded (k_h·k_w·in_c >
/// kConvMaxDepth, a coordinate or a tensor size that does not fit), else Ok.
/// O(out_c); no memory.
[[nodiscard]] Status validate(const ConvParams& p) noexcept;
/// As validate(const ConvParams&) with the depthwise ranges (DepthwiseParams).
[[nodiscard]] Status validate(const DepthwiseParams& p) noexcept;
/// Checks p against the ranges documented at PoolParams. InvalidArgument or
/// CapacityExceeded (k_h·k_w > kPoolMaxWindow, a tensor size that does not
/// fit), else Ok. O(1).
[[nodiscard]] Status validate(const PoolParams& p) noexcept;
/// Checks p against the ranges documented at AddParams (InvalidArgument), else Ok. O(1).
[[nodiscard]] Status validate(const AddParams& p) noexcept;
/// Checks p against the ranges documented at SoftmaxParams (InvalidArgument;
/// CapacityExceeded when rows·cols does not fit), else Ok. O(1).
[[nodiscard]] Status validate(const SoftmaxParams& p) noexcept;

// ---- Layers ----

/// Bytes of scratch memory conv2d_s8 needs for p; the same value on every
/// port and build, so an arena planned on a desktop holds on the device.
/// With K = k_h·k_w·in_c:
///   0 for a pointwise layer (k_h = k_w = 1, stride 1, pad 0: the input is
///     already the matrix the kernel reads), else
///   kConvIm2colRows·K + 4·out_c + 16 (im2col rows, per-channel filter sums,
///     alignment slack; the pointer itself needs no alignment).
/// Returns 0 when validate(p) fails (conv2d_s8 then reports why). O(1).
size_t conv2d_s8_scratch_size(const ConvParams& p) noexcept;

/// Int8 2-D convolution (TFLite CONV_2D, reference_integer_ops::ConvPerChannel).
/// For each batch b, output position (y, x) and output channel o:
///   acc = bias[o] (0 if bias is null)
///       + Σ_{ky, kx, i} filter[o][ky][kx][i]·(input[b][iy][ix][i] + input_offset)
///     over iy = y·stride_h − pad_h + ky·dilation_h and
///          ix = x·stride_w − pad_w + kx·dilation_w inside the input only;
///   output[b][y][x][o] = clamp(requantize(acc, multiplier[o], shift[o])
///                              + output_offset, act_min, act_max).
/// Sizes: input batches·in_h·in_w·in_c, filter out_c·k_h·k_w·in_c (any int8,
/// −128 included), bias out_c or null, output batches·out_h·out_w·out_c.
/// scratch: at least conv2d_s8_scratch_size(p) bytes of the caller's memory
/// (any alignment; may be null when that size is 0), overwritten.
/// Returns validate(p)'s error, InvalidArgument for a null input, filter or
/// output (or a null scratch when one is needed), CapacityExceeded when
/// scratch_size < conv2d_s8_scratch_size(p); nothing is written then.
/// Cost: batches·out_h·out_w·out_c·k_h·k_w·in_c multiply-adds.
[[nodiscard]] Status conv2d_s8(const ConvParams& p, const int8_t* input, const int8_t* filter,
                               const int32_t* bias, int8_t* output, void* scratch,
                               size_t scratch_size) noexcept;

/// Int8 depthwise convolution (TFLite DEPTHWISE_CONV_2D,
/// reference_integer_ops::DepthwiseConvPerChannel). For output channel
/// o = ic·depth_multiplier + m:
///   acc = bias[o] + Σ_{ky, kx} filter[ky][kx][o]·(input[b][iy][ix][ic] + input_offset)
/// over the taps inside the input (iy, ix as for conv2d_s8), then
/// requantized, offset and clamped as conv2d_s8. Sizes: input
/// batches·in_h·in_w·in_c, filter k_h·k_w·out_c, bias out_c or null, output
/// batches·out_h·out_w·out_c. Returns validate(p)'s error or InvalidArgument
/// for a null input, filter or output; nothing is written then. No scratch.
/// Cost: batches·out_h·out_w·out_c·k_h·k_w multiply-adds.
[[nodiscard]] Status depthwise_conv2d_s8(const DepthwiseParams& p, const int8_t* input,
                                         const int8_t* filter, const int32_t* bias,
                                         int8_t* output) noexcept;

/// Int8 average pooling (reference_integer_ops::AveragePool). For each output
/// element, with n the number of window taps inside the input (n >= 1 by the
/// validation) and s their int32 sum:
///   v = s > 0 ? (s + n/2) / n : (s − n/2) / n   ('/' truncates: ties away from 0)
///   output = clamp(v, act_min, act_max).
/// Layouts NHWC with `channels` channels in and out. Returns validate(p)'s
/// error or InvalidArgument for a null pointer; nothing is written then.
/// Cost: batches·out_h·out_w·channels·k_h·k_w additions.
[[nodiscard]] Status avg_pool2d_s8(const PoolParams& p, const int8_t* input,
                                   int8_t* output) noexcept;

/// Int8 max pooling (reference_integer_ops::MaxPool): the largest input among
/// the window taps inside the input, clamped to [act_min, act_max]. Layouts,
/// errors and cost as avg_pool2d_s8.
[[nodiscard]] Status max_pool2d_s8(const PoolParams& p, const int8_t* input,
                                   int8_t* output) noexcept;

/// Int8 element-wise addition (TFLite ADD without broadcast,
/// reference_integer_ops::AddElementwise). For i in [0, size):
///   a = requantize((in1[i] + in1_offset)·2^left_shift, in1_multiplier, in1_shift)
///   b = requantize((in2[i] + in2_offset)·2^left_shift, in2_multiplier, in2_shift)
///   output[i] = clamp(requantize(a + b, out_multiplier, out_shift) + out_offset,
///                     act_min, act_max)
/// (requantize with shift <= 0 is TFLite's MultiplyByQuantizedMultiplier-
/// SmallerThanOneExp in either rounding). All three arrays hold `size`
/// elements; output may alias in1 or in2 exactly. Returns validate(p)'s error
/// or InvalidArgument for a null pointer; nothing is written then. O(size).
[[nodiscard]] Status add_s8(const AddParams& p, const int8_t* in1, const int8_t* in2,
                            int8_t* output) noexcept;

/// Int8 softmax over each of `rows` rows of `cols` values (TFLite SOFTMAX,
/// reference_ops::Softmax for int8 in and out, gemmlowp fixed-point exp, not
/// TFLite's lookup-table variant); output scale 1/256, zero point −128.
/// Per row, with d = x − max(row) for each element:
///   d < diff_min → −128; else e = exp_on_negative_values(requantize(d,
///   input_multiplier, input_left_shift) as Q5.26), the row's sum of e in
///   Q12.19 sets a reciprocal, and the output is −128 + round(256·e/sum)
///   computed with the reference's fixed-point steps, clamped to [−128, 127].
/// Domain limit: the reference's last step divides by 2^(35 − clz(sum)),
/// which is undefined for shifts of 32 or more, i.e. when the row's sum of
/// exponentials reaches 2^28 in Q12.19 (a real sum >= 512; possible only for
/// rows of 512 or more columns). Such rows are outside the domain:
/// starling writes −128 to every element of them (each probability is then
/// at most 1/512, half an output step), a value TFLite does not define.
/// Rows within the domain are bit-exact. Layout [rows][cols]. Returns
/// validate(p)'s error or InvalidArgument for a null pointer; nothing is
/// written then. Cost: O(rows·cols), no memory.
[[nodiscard]] Status softmax_s8(const SoftmaxParams& p, const int8_t* input,
                                int8_t* output) noexcept;  // output scale 1/256, zero point −128

}  // namespace starling
