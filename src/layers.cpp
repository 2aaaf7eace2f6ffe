// SPDX-License-Identifier: MIT
// layers.cpp: validation and validated entry points of the int8 layer kernels
// (the kernels themselves are in ports/).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/layers.hpp"

#include <climits>
#include <cstddef>
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"

namespace starling {

namespace {

constexpr long long kIntMax = INT_MAX;
constexpr long long kMaxElems = static_cast<long long>(PTRDIFF_MAX);

// a·b·c·d <= kMaxElems for positive factors (each at most INT_MAX), without
// overflowing long long on the way.
bool fits(long long a, long long b, long long c = 1, long long d = 1) noexcept {
  if (a > kMaxElems / b) return false;
  const long long ab = a * b;
  if (ab > kMaxElems / c) return false;
  return ab * c <= kMaxElems / d;
}

bool clamp_ok(int32_t lo, int32_t hi) noexcept { return lo >= -128 && hi <= 127 && lo <= hi; }

// Branch-free over the channels, as validate(FcParams): a model's layers pay it per call.
bool channels_ok(const int32_t* multiplier, const int32_t* shift, int n) noexcept {
  uint32_t bad = 0;
  for (int c = 0; c < n; ++c) {
    const uint32_t m = static_cast<uint32_t>(multiplier[c]), s = static_cast<uint32_t>(shift[c]);
    bad |= m | (s - static_cast<uint32_t>(kMinShift)) | (static_cast<uint32_t>(kMaxShift) - s);
  }
  return (bad >> 31) == 0;
}

// The checks conv and depthwise share; depth is the accumulation length.
Status validate_conv_common(const ConvParams& p) noexcept {
  if (p.batches < 1 || p.in_h < 1 || p.in_w < 1 || p.in_c < 1 || p.out_h < 1 || p.out_w < 1 ||
      p.out_c < 1 || p.k_h < 1 || p.k_w < 1 || p.stride_h < 1 || p.stride_w < 1 ||
      p.dilation_h < 1 || p.dilation_w < 1 || p.pad_h < 0 || p.pad_w < 0) {
    return Status::InvalidArgument;
  }
  if (p.input_offset < -127 || p.input_offset > 128) return Status::InvalidArgument;
  if (p.output_offset < -128 || p.output_offset > 127) return Status::InvalidArgument;
  if (!clamp_ok(p.act_min, p.act_max)) return Status::InvalidArgument;
  if (p.multiplier == nullptr || p.shift == nullptr) return Status::InvalidArgument;
  if (!channels_ok(p.multiplier, p.shift, p.out_c)) return Status::InvalidArgument;
  // Every input coordinate y·stride − pad + k·dilation fits int.
  if (static_cast<long long>(p.out_h - 1) * p.stride_h + static_cast<long long>(p.k_h - 1) * p.dilation_h > kIntMax ||
      static_cast<long long>(p.out_w - 1) * p.stride_w + static_cast<long long>(p.k_w - 1) * p.dilation_w > kIntMax) {
    return Status::CapacityExceeded;
  }
  if (!fits(p.batches, p.in_h, p.in_w, p.in_c) || !fits(p.batches, p.out_h, p.out_w, p.out_c)) {
    return Status::CapacityExceeded;
  }
  return Status::Ok;
}

}  // namespace

Status validate(const ConvParams& p) noexcept {
  const Status s = validate_conv_common(p);
  if (s != Status::Ok) return s;
  const long long window = static_cast<long long>(p.k_h) * p.k_w;
  if (window > kConvMaxDepth || window * p.in_c > kConvMaxDepth) return Status::CapacityExceeded;
  if (!fits(p.out_c, window * p.in_c)) return Status::CapacityExceeded;
  return Status::Ok;
}

Status validate(const DepthwiseParams& p) noexcept {
  const Status s = validate_conv_common(p);
  if (s != Status::Ok) return s;
  if (p.depth_multiplier < 1 ||
      static_cast<long long>(p.in_c) * p.depth_multiplier != static_cast<long long>(p.out_c)) {
    return Status::InvalidArgument;
  }
  const long long window = static_cast<long long>(p.k_h) * p.k_w;
  if (window > kConvMaxDepth) return Status::CapacityExceeded;
  if (!fits(window, p.out_c)) return Status::CapacityExceeded;
  return Status::Ok;
}

Status validate(const PoolParams& p) noexcept {
  if (p.batches < 1 || p.in_h < 1 || p.in_w < 1 || p.channels < 1 || p.out_h < 1 || p.out_w < 1 ||
      p.k_h < 1 || p.k_w < 1 || p.stride_h < 1 || p.stride_w < 1 || p.pad_h < 0 || p.pad_w < 0) {
    return Status::InvalidArgument;
  }
  if (!clamp_ok(p.act_min, p.act_max)) return Status::InvalidArgument;
  // Every window overlaps the input: the first one (pad < k) and the last
  // one (its start inside); the starts in between lie between those two.
  if (p.pad_h >= p.k_h || p.pad_w >= p.k_w) return Status::InvalidArgument;
  const long long last_y = static_cast<long long>(p.out_h - 1) * p.stride_h - p.pad_h;
  const long long last_x = static_cast<long long>(p.out_w - 1) * p.stride_w - p.pad_w;
  if (last_y > p.in_h - 1 || last_x > p.in_w - 1) return Status::InvalidArgument;
  if (static_cast<long long>(p.k_h) * p.k_w > kPoolMaxWindow) return Status::CapacityExceeded;
  if (!fits(p.batches, p.in_h, p.in_w, p.channels) || !fits(p.batches, p.out_h, p.out_w, p.channels)) {
    return Status::CapacityExceeded;
  }
  return Status::Ok;
}

Status validate(const AddParams& p) noexcept {
  if (p.size < 1) return Status::InvalidArgument;
  if (p.in1_offset < -127 || p.in1_offset > 128 || p.in2_offset < -127 || p.in2_offset > 128) {
    return Status::InvalidArgument;
  }
  if (p.out_offset < -128 || p.out_offset > 127) return Status::InvalidArgument;
  if (p.left_shift < 0 || p.left_shift > kAddMaxLeftShift) return Status::InvalidArgument;
  const auto rescale_ok = [](int32_t m, int s) { return m >= 0 && s >= kMinShift && s <= 0; };
  if (!rescale_ok(p.in1_multiplier, p.in1_shift) || !rescale_ok(p.in2_multiplier, p.in2_shift) ||
      !rescale_ok(p.out_multiplier, p.out_shift)) {
    return Status::InvalidArgument;
  }
  if (!clamp_ok(p.act_min, p.act_max)) return Status::InvalidArgument;
  return Status::Ok;
}

Status validate(const SoftmaxParams& p) noexcept {
  if (p.rows < 1 || p.cols < 1) return Status::InvalidArgument;
  if (p.input_multiplier < 0 || p.input_left_shift < 0 || p.input_left_shift > kMaxShift) {
    return Status::InvalidArgument;
  }
  if (p.diff_min > 0) return Status::InvalidArgument;
  if (!fits(p.rows, p.cols)) return Status::CapacityExceeded;
  return Status::Ok;
}

size_t conv2d_s8_scratch_size(const ConvParams& p) noexcept {
  if (validate(p) != Status::Ok) return 0;
  if (detail::conv_is_pointwise(p)) return 0;
  // depth <= kConvMaxDepth and out_c fits: far below SIZE_MAX on any target.
  const size_t depth = static_cast<size_t>(p.k_h) * static_cast<size_t>(p.k_w) * static_cast<size_t>(p.in_c);
  return static_cast<size_t>(kConvIm2colRows) * depth + 4u * static_cast<size_t>(p.out_c) + 16u;
}

Status conv2d_s8(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 int8_t* output, void* scratch, size_t scratch_size) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (input == nullptr || filter == nullptr || output == nullptr) return Status::InvalidArgument;
  const size_t need = conv2d_s8_scratch_size(p);
  if (need != 0 && scratch == nullptr) return Status::InvalidArgument;
  if (scratch_size < need) return Status::CapacityExceeded;
  void* aligned = nullptr;
  if (need != 0) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(scratch);
    aligned = static_cast<char*>(scratch) + ((16u - (a & 15u)) & 15u);
  }
  detail::s8_conv_kernel(p)(p, input, filter, bias, output, aligned);
  return Status::Ok;
}

Status depthwise_conv2d_s8(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, int8_t* output) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (input == nullptr || filter == nullptr || output == nullptr) return Status::InvalidArgument;
  detail::s8_depthwise_kernel(p)(p, input, filter, bias, output);
  return Status::Ok;
}

Status avg_pool2d_s8(const PoolParams& p, const int8_t* input, int8_t* output) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (input == nullptr || output == nullptr) return Status::InvalidArgument;
  detail::s8_avg_pool__scalar(p, input, output);
  return Status::Ok;
}

Status max_pool2d_s8(const PoolParams& p, const int8_t* input, int8_t* output) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (input == nullptr || output == nullptr) return Status::InvalidArgument;
  detail::s8_max_pool__scalar(p, input, output);
  return Status::Ok;
}

Status add_s8(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (in1 == nullptr || in2 == nullptr || output == nullptr) return Status::InvalidArgument;
  detail::s8_add_kernel()(p, in1, in2, output);
  return Status::Ok;
}

Status softmax_s8(const SoftmaxParams& p, const int8_t* input, int8_t* output) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (input == nullptr || output == nullptr) return Status::InvalidArgument;
  detail::s8_softmax__scalar(p, input, output);
  return Status::Ok;
}

}  // namespace starling
