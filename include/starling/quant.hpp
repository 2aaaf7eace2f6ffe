// SPDX-License-Identifier: MIT
// starling/quant.hpp: int8 quantized arithmetic, bit-exact with the TensorFlow
// Lite (Micro) reference kernels and CMSIS-NN for every valid input.
//
// Quantization follows the TFLite int8 spec: real = scale·(q − zero_point),
// activations asymmetric int8, weights symmetric int8 (zero point 0, per
// tensor or per output channel), bias int32 with scale in_scale·w_scale and
// zero point 0. A real rescale factor M > 0 is stored as a Q0.31 multiplier m
// in [2^30, 2^31) and a power-of-two exponent: M ≈ m·2^(shift−31).
//
// Integer semantics beyond the reference: where the reference formulas would
// overflow int32 (undefined behaviour in C and C++), starling defines the
// result as the two's-complement wrap-around that the reference produces on
// every real target (x86, Arm, RISC-V), so every input has one defined result
// and every port must reproduce it. Valid fully-connected inputs never reach
// those cases unless a scale or a bias is far outside what a real model holds
// (see fully_connected_s8).
#pragma once
#include <cstdint>

#include "starling/status.hpp"

namespace starling {

///@{
/// Smallest and largest shift that requantize() accepts (TFLite's range).
constexpr int kMinShift = -31;
constexpr int kMaxShift = 30;
///@}

/// Largest in_dim of fully_connected_s8. One product is at most
/// |w|·|x + input_offset| <= 128·255 = 32640 in magnitude, so a dot product of
/// 32768 terms stays within ±1'069'547'520 < 2^30: the int32 accumulator
/// never overflows, and adding a bias with |bias| <= 2^30 cannot either.
constexpr int kFcMaxInDim = 32768;

/// Converts a real rescale factor into (multiplier, shift) with
/// real ≈ multiplier · 2^(shift − 31), as TFLite's QuantizeMultiplier:
///   (q, e) = frexp(real), q in [0.5, 1);  m = round(q · 2^31), ties away from 0;
///   m == 2^31 (q rounded up to 1)  → m = 2^30, e = e + 1;
///   e < −31 (real below about 2^−32) → flushed to (0, 0).
/// Outputs: multiplier in {0} ∪ [2^30, 2^31 − 1]; shift in [−31, 30]; a
/// positive shift is a left shift. Decisions where TFLite has none:
///   real == 0 (either sign), real < 0, NaN, ±infinity → (0, 0);
///   e > 30 (real >= about 2^30, beyond what requantize can apply) →
///   saturated to (2^31 − 1, 30), as TFLite does under TFLITE_SINGLE_ROUNDING.
/// Use quantize_multiplier_checked() to have these cases reported.
/// Null pointers: nothing is written. Exact (no floating-point rounding
/// other than the documented one); O(1); no memory.
void quantize_multiplier(double real, int32_t* multiplier, int* shift) noexcept;

/// quantize_multiplier() that reports the cases it cannot represent.
/// Returns InvalidArgument (outputs set to (0, 0)) for null pointers, a
/// negative, NaN or infinite real, and CapacityExceeded (outputs saturated to
/// (2^31 − 1, 30)) when real needs a shift above 30. Zero and values that
/// flush to (0, 0) are Ok: the reference treats them the same way.
[[nodiscard]] Status quantize_multiplier_checked(double real, int32_t* multiplier,
                                                 int* shift) noexcept;

/// Effective output rescale of a layer, exactly
/// (double)in_scale · (double)w_scale / (double)out_scale (two roundings, in
/// this order). This is TFLite's per-channel formula; its per-tensor
/// fully-connected path multiplies in_scale · w_scale in float first, which
/// can differ in the last bit: pass that product as in_scale and 1 as
/// w_scale to reproduce it. O(1).
double effective_scale(float in_scale, float w_scale, float out_scale) noexcept;

/// Fills multiplier[c], shift[c] for c in [0, channels) from
/// effective_scale(in_scale, w_scales[c], out_scale) and quantize_multiplier.
/// Scales must be finite and > 0. Returns InvalidArgument (nothing written)
/// for null pointers, channels <= 0 or a bad scale, CapacityExceeded (nothing
/// written) when a channel needs a shift above 30. O(channels); no memory.
[[nodiscard]] Status quantize_scales(float in_scale, const float* w_scales, int channels,
                                     float out_scale, int32_t* multiplier,
                                     int32_t* shift) noexcept;

namespace detail {
/// Double-rounding requantization (TFLite default; gemmlowp; CMSIS-NN default).
/// With shift clamped to [−31, 30], l = max(shift, 0), r = max(−shift, 0):
///   x = acc · 2^l, wrapped to int32 (two's complement) when it overflows;
///   h = SRDHM(x, m) = round(x·m / 2^31), ties toward +infinity; the only
///       overflow, x = m = −2^31, saturates to 2^31 − 1;
///       (C form: (x·m + (x·m >= 0 ? 2^30 : 1 − 2^30)) / 2^31, '/' truncating)
///   result = round(h / 2^r), ties away from zero.
/// O(1).
int32_t requantize_double(int32_t acc, int32_t multiplier, int shift) noexcept;

/// Single-rounding requantization (TFLITE_SINGLE_ROUNDING). With shift
/// clamped to [−31, 30] and t = 31 − shift in [1, 62]:
///   result = (acc·m + 2^(t−1)) >> t   (64-bit product, floor shift),
/// i.e. round(acc·m / 2^t) with ties toward +infinity, wrapped to int32 when
/// it does not fit (TFLite casts; CMSIS-NN's variant differs only there).
/// O(1).
int32_t requantize_single(int32_t acc, int32_t multiplier, int shift) noexcept;
}  // namespace detail

/// True when this build's requantize() is single rounding (built with
/// -Dsingle_rounding=true, i.e. STARLING_SINGLE_ROUNDING=1).
bool requantize_is_single_rounding() noexcept;

/// Rescales an int32 accumulator: ≈ acc · multiplier · 2^(shift − 31).
/// detail::requantize_double() by default, detail::requantize_single() when
/// the library is built with STARLING_SINGLE_ROUNDING=1 (see those for the
/// exact formulas). Defined for every input: multiplier may be any int32
/// (quantize_multiplier gives [0, 2^31)); shift outside [−31, 30] is clamped
/// to that range (TFLite leaves it undefined). Results that do not fit int32
/// wrap. O(1); no memory.
int32_t requantize(int32_t acc, int32_t multiplier, int shift) noexcept;

/// Parameters of an int8 fully-connected layer (TFLite FULLY_CONNECTED).
struct FcParams {
  ///@{
  int in_dim, out_dim;    ///< inputs per batch row [1, kFcMaxInDim], outputs [1, ...)
  ///@}
  int32_t input_offset;   ///< −input_zero_point, in [−127, 128]
  int32_t output_offset;  ///< output_zero_point, in [−128, 127]
  const int32_t* multiplier;  ///< out_dim entries if per_channel, else 1; each >= 0
  const int32_t* shift;       ///< same count; each in [−31, 30]; > 0 shifts left
  bool per_channel;           ///< one (multiplier, shift) per output channel
  ///@{
  int32_t act_min, act_max;   ///< output clamp, −128 <= act_min <= act_max <= 127
  ///@}
  /// Optional: Σ_i weights[o·in_dim + i] for each output row o (out_dim
  /// entries), as fc_kernel_sums() writes them for the weights passed with
  /// these parameters, which it accepts only when every weight is in
  /// [−127, 127] (the spec's symmetric range). The SIMD kernels then skip
  /// summing the weights at run time (the sums are needed whenever
  /// input_offset differs from what their instructions take natively), and
  /// AVX2 and SSE4.1 rely on the range for their faster vpmaddubsw form.
  /// Not checked: sums that do not belong to the
  /// weights are not undefined behaviour, but the outputs are then unspecified
  /// int8 values within [act_min, act_max] and differ between ports (the
  /// scalar reference ignores this field). Last member, so positional
  /// initialisation of the fields above leaves it null.
  const int32_t* kernel_sums = nullptr;
};

/// Checks every field of p against the ranges documented in FcParams, reading
/// the multiplier and shift arrays (out_dim or 1 entries). Returns
/// InvalidArgument (in_dim or out_dim <= 0, null multiplier/shift, an offset,
/// clamp, shift or negative multiplier out of range) or CapacityExceeded
/// (in_dim > kFcMaxInDim, or in_dim·out_dim not addressable), else Ok.
/// O(out_dim) when per_channel, else O(1); no memory.
[[nodiscard]] Status validate(const FcParams& p) noexcept;

/// Row sums of a fully-connected layer's weights, for FcParams::kernel_sums:
/// sums[o] = Σ_i weights[o·in_dim + i] for o in [0, out_dim), exact (|sum| <=
/// 127·kFcMaxInDim < 2^22). Reads only p.in_dim and p.out_dim; weights
/// [out_dim][in_dim] as for fully_connected_s8, sums has out_dim entries.
/// Compute them once per weight set (e.g. at model load, or offline and
/// stored beside the weights) and reuse them for every call.
/// Returns InvalidArgument (in_dim or out_dim <= 0, null weights or sums, or
/// a weight of −128: sums are for symmetric weights only, and a layer with
/// −128 weights runs exactly without them) or CapacityExceeded (in_dim >
/// kFcMaxInDim, or in_dim·out_dim not addressable), and then writes nothing;
/// else Ok. Two passes over the weights (the −128 check, then the sums):
/// O(out_dim·in_dim); no memory.
[[nodiscard]] Status fc_kernel_sums(const FcParams& p, const int8_t* weights,
                                    int32_t* sums) noexcept;

/// Int8 fully-connected layer. For b in [0, batches), o in [0, out_dim):
///   acc = bias[o] (0 if bias == nullptr) + Σ_i w[o·in_dim + i]·(x[b·in_dim + i] + input_offset)
///   y   = requantize(acc, multiplier[c], shift[c]) + output_offset, c = per_channel ? o : 0
///   out[b·out_dim + o] = clamp(y, act_min, act_max)
/// Layouts: input [batches][in_dim], weights [out_dim][in_dim] (row-major, one
/// row per output), bias [out_dim] or nullptr, output [batches][out_dim]; the
/// output must not overlap the other arrays. Weights may use all of int8
/// (−128 included), though the spec's symmetric weights are in [−127, 127].
/// The dot product is exact (in_dim <= kFcMaxInDim); the bias addition and
/// the output-offset addition are two's-complement int32 (they can only wrap
/// for |bias| > 2^30 or a requantized value beyond ±(2^31 − 129), which no
/// real model produces; the reference kernels wrap the same way).
/// p.kernel_sums, when not null, must hold what fc_kernel_sums(p, weights)
/// writes (so the weights are in [−127, 127]): kernels that need Σw
/// (input_offset != 128 on AVX-512 VNNI, which at batch 1 does without them
/// at the cost of a second vpdpbusd per weight line; != 0 on SSE4.1 and
/// NEON) then skip their pass over the weights, and AVX2 switches from
/// widening to vpmaddubsw (about 1.2x faster on rows of 1024). The output
/// bytes are the same with or without it (see FcParams for sums that do not
/// match the weights).
/// Returns the Status of validate(p), or InvalidArgument for a null
/// input/weights/output or batches <= 0, or CapacityExceeded when
/// batches·in_dim or batches·out_dim is not addressable. On any error nothing
/// is written. Cost: batches·out_dim·in_dim multiply-adds; no memory.
[[nodiscard]] Status fully_connected_s8(const FcParams& p, const int8_t* input,
                                        const int8_t* weights, const int32_t* bias,
                                        int8_t* output, int batches) noexcept;

}  // namespace starling

namespace starling {

/// Quantizes n floats into an int8 tensor with quantization (scale,
/// zero_point), e.g. a model's input (the exporter's kInputScale,
/// kInputZeroPoint):
///   q[i] = clamp(round(x[i] / scale) + zero_point, −128, 127)
/// x / scale is a float division and round() goes half away from zero, as
/// TFLite's QUANTIZE (so the bytes are TFLite's); NaN gives zero_point, ±inf
/// and values beyond the int8 range saturate. Returns InvalidArgument
/// (nothing written) for n < 0, a null x or q with n > 0, a scale that is
/// not finite and > 0, or zero_point outside [−128, 127]; Ok otherwise.
/// O(n) float divisions; no memory.
[[nodiscard]] Status quantize_input(const float* x, int n, float scale, int32_t zero_point,
                                    int8_t* q) noexcept;

/// Converts n int8 values of a tensor with quantization (scale, zero_point)
/// back to floats, e.g. a model's scores (kOutputScale, kOutputZeroPoint):
///   x[i] = scale · (q[i] − zero_point)
/// one float multiplication, exact product rounded once (TFLite's
/// DEQUANTIZE). Same statuses as quantize_input. O(n); no memory.
[[nodiscard]] Status dequantize_output(const int8_t* q, int n, float scale, int32_t zero_point,
                                       float* x) noexcept;

}  // namespace starling
