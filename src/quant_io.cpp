// SPDX-License-Identifier: MIT
// src/quant_io.cpp: quantize_input / dequantize_output, the float <-> int8
// conversions at a model's edges (quant.hpp), and their C entry points (qnet.h).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cmath>
#include <cstdint>

#include "starling/qnet.h"
#include "starling/quant.hpp"

namespace starling {

namespace {
bool valid_quant(float scale, int32_t zero_point) noexcept {
  return std::isfinite(scale) && scale > 0.0f && zero_point >= -128 && zero_point <= 127;
}
}  // namespace

Status quantize_input(const float* x, int n, float scale, int32_t zero_point,
                      int8_t* q) noexcept {
  if (n < 0 || (n > 0 && (x == nullptr || q == nullptr)) || !valid_quant(scale, zero_point)) {
    return Status::InvalidArgument;
  }
  for (int i = 0; i < n; ++i) {
    const float v = x[i] / scale;
    int32_t r = zero_point;  // NaN
    // Beyond ±512 every zero point saturates; the test also keeps the
    // conversion to int defined for ±inf and huge values.
    if (v >= 512.0f) {
      r = 127;
    } else if (v <= -512.0f) {
      r = -128;
    } else if (v == v) {
      r = static_cast<int32_t>(std::round(v)) + zero_point;  // ties away from zero
    }
    q[i] = static_cast<int8_t>(r < -128 ? -128 : r > 127 ? 127 : r);
  }
  return Status::Ok;
}

Status dequantize_output(const int8_t* q, int n, float scale, int32_t zero_point,
                         float* x) noexcept {
  if (n < 0 || (n > 0 && (x == nullptr || q == nullptr)) || !valid_quant(scale, zero_point)) {
    return Status::InvalidArgument;
  }
  for (int i = 0; i < n; ++i) x[i] = scale * static_cast<float>(q[i] - zero_point);
  return Status::Ok;
}

}  // namespace starling

extern "C" {

starling_status starling_quantize_input(const float* x, int n, float scale, int32_t zero_point,
                                        int8_t* q) {
  return static_cast<starling_status>(
      static_cast<int>(starling::quantize_input(x, n, scale, zero_point, q)));
}

starling_status starling_dequantize_output(const int8_t* q, int n, float scale,
                                           int32_t zero_point, float* x) {
  return static_cast<starling_status>(
      static_cast<int>(starling::dequantize_output(q, n, scale, zero_point, x)));
}

}  // extern "C"
