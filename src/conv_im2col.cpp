// SPDX-License-Identifier: MIT
// conv_im2col.cpp: conv2d_s8 as im2col rows fed to the active port's
// fully-connected kernel (the SIMD ports' conv path).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "starling/detail/kernels.hpp"
#include "starling/detail/layer_kernels.hpp"

namespace starling {
namespace detail {

void s8_conv_im2col_rows(const ConvParams& p, const int8_t* image, int row0, int n, int8_t* cols) {
  const std::ptrdiff_t in_w = p.in_w, in_c = p.in_c;
  // Taps in the padding get −input_offset, so their x + input_offset is 0:
  // they add nothing, as the reference's skipped taps (−input_offset is in
  // [−128, 127] by validation).
  const int8_t pad = static_cast<int8_t>(-p.input_offset);
  for (int r = 0; r < n; ++r) {
    const int pix = row0 + r;
    const int oy = pix / p.out_w, ox = pix - oy * p.out_w;
    const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
    for (int ky = 0; ky < p.k_h; ++ky) {
      const int iy = y0 + ky * p.dilation_h;
      if (iy < 0 || iy >= p.in_h) {
        std::memset(cols, pad, static_cast<size_t>(p.k_w * in_c));
        cols += p.k_w * in_c;
        continue;
      }
      const int8_t* row = image + iy * in_w * in_c;
      if (p.dilation_w == 1 && x0 >= 0 && x0 + p.k_w <= p.in_w) {  // the whole row of taps is inside
        std::memcpy(cols, row + x0 * in_c, static_cast<size_t>(p.k_w * in_c));
        cols += p.k_w * in_c;
        continue;
      }
      for (int kx = 0; kx < p.k_w; ++kx) {
        const int ix = x0 + kx * p.dilation_w;
        if (ix < 0 || ix >= p.in_w) std::memset(cols, pad, static_cast<size_t>(in_c));
        else std::memcpy(cols, row + ix * in_c, static_cast<size_t>(in_c));
        cols += in_c;
      }
    }
  }
}

void s8_conv__im2col_fc(const ConvParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output, void* scratch) {
  const std::ptrdiff_t depth = static_cast<std::ptrdiff_t>(p.k_h) * p.k_w * p.in_c;
  FcParams fc{static_cast<int>(depth), p.out_c, p.input_offset, p.output_offset, p.multiplier, p.shift,
              true, p.act_min, p.act_max};
  const S8FcKernel kernel = s8_fc_kernel();
  const std::ptrdiff_t pixels = static_cast<std::ptrdiff_t>(p.out_h) * p.out_w;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * p.in_c;
  if (conv_is_pointwise(p)) {
    // The input is the matrix: every pixel is one batch row (int batches per call).
    const std::ptrdiff_t rows = pixels * p.batches;
    for (std::ptrdiff_t r0 = 0; r0 < rows; r0 += INT32_MAX) {
      const std::ptrdiff_t n = rows - r0 < INT32_MAX ? rows - r0 : INT32_MAX;
      kernel(fc, input + r0 * depth, filter, bias, output + r0 * p.out_c, static_cast<int>(n));
    }
    return;
  }
  // Scratch: out_c filter sums (16-byte aligned by the caller), then the rows.
  int32_t* sums = static_cast<int32_t*>(scratch);
  int8_t* cols = reinterpret_cast<int8_t*>(sums + p.out_c);
  if (fc_kernel_sums(fc, filter, sums) == Status::Ok) fc.kernel_sums = sums;
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * image_size;
    int8_t* out = output + b * pixels * p.out_c;
    for (int pix = 0; pix < pixels; pix += kConvIm2colRows) {
      const int n = pixels - pix < kConvIm2colRows ? static_cast<int>(pixels - pix) : kConvIm2colRows;
      s8_conv_im2col_rows(p, image, pix, n, cols);
      kernel(fc, cols, filter, bias, out + static_cast<std::ptrdiff_t>(pix) * p.out_c, n);
    }
  }
}

}  // namespace detail
}  // namespace starling
