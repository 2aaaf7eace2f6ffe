// SPDX-License-Identifier: MIT
// s8_pool__scalar: scalar reference of int8 average and max pooling (all targets).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstddef>
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"

namespace starling {
namespace detail {

namespace {

// Calls f(first, count_y, count_x, row_stride, out) for every output element's
// window, clipped to the input as the reference clips it; validate() makes
// every window non-empty.
template <class F>
void for_each_window(const PoolParams& p, const int8_t* input, int8_t* output, F&& f) {
  const std::ptrdiff_t in_h = p.in_h, in_w = p.in_w, ch = p.channels;
  int8_t* y = output;
  for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
    const int8_t* image = input + b * in_h * in_w * ch;
    for (int oy = 0; oy < p.out_h; ++oy) {
      const int y0 = oy * p.stride_h - p.pad_h;
      const int fy0 = y0 < 0 ? -y0 : 0;
      const int fy1 = p.k_h < p.in_h - y0 ? p.k_h : p.in_h - y0;
      for (int ox = 0; ox < p.out_w; ++ox) {
        const int x0 = ox * p.stride_w - p.pad_w;
        const int fx0 = x0 < 0 ? -x0 : 0;
        const int fx1 = p.k_w < p.in_w - x0 ? p.k_w : p.in_w - x0;
        const int8_t* first = image + ((y0 + fy0) * in_w + (x0 + fx0)) * ch;
        for (std::ptrdiff_t c = 0; c < ch; ++c) f(first + c, fy1 - fy0, fx1 - fx0, in_w * ch, ch, y + c);
        y += ch;
      }
    }
  }
}

int32_t clamp(int32_t v, const PoolParams& p) {
  return v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v);
}

}  // namespace

void s8_avg_pool__scalar(const PoolParams& p, const int8_t* input, int8_t* output) {
  for_each_window(p, input, output, [&p](const int8_t* x, int ny, int nx, std::ptrdiff_t row,
                                         std::ptrdiff_t ch, int8_t* y) {
    int32_t sum = 0;  // |sum| <= 128·kPoolMaxWindow
    for (int fy = 0; fy < ny; ++fy)
      for (int fx = 0; fx < nx; ++fx) sum += x[fy * row + fx * ch];
    const int32_t n = ny * nx;
    // Rounded to nearest, ties away from zero ('/' truncates), as the reference.
    const int32_t avg = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
    *y = static_cast<int8_t>(clamp(avg, p));
  });
}

void s8_max_pool__scalar(const PoolParams& p, const int8_t* input, int8_t* output) {
  for_each_window(p, input, output, [&p](const int8_t* x, int ny, int nx, std::ptrdiff_t row,
                                         std::ptrdiff_t ch, int8_t* y) {
    int32_t m = -128;
    for (int fy = 0; fy < ny; ++fy)
      for (int fx = 0; fx < nx; ++fx) {
        const int32_t v = x[fy * row + fx * ch];
        m = v > m ? v : m;
      }
    *y = static_cast<int8_t>(clamp(m, p));
  });
}

}  // namespace detail
}  // namespace starling
