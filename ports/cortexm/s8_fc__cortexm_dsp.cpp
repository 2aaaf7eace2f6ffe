// SPDX-License-Identifier: MIT
// s8_fc__cortexm_dsp: int8 fully-connected layer with the ARMv7E-M DSP extension (M4, M7, M33+DSP).
//
// Meson and CMake compile this file only for cores with the DSP extension.
// Arduino, PlatformIO, ESP-IDF and Zephyr compile it for every target they
// build (they take src/, ports/scalar/ and ports/cortexm/ as found), so on a
// core without DSP it compiles to nothing, and src/dispatch.cpp calls it
// exactly when this file is compiled in (the same predefines).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#if defined(__arm__) && defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "starling/detail/kernels_cortexm.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

bool cpu_has_cortexm_dsp() { return true; }

namespace {

using Requantize = int32_t (*)(int32_t, int32_t, int) noexcept;

inline int32_t load4(const int8_t* p) {  // LDR; unaligned is fine on v7-M
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// SXTB16 / SXTAB16 with the operand rotated by 8 (bytes 1 and 3). ACLE has no
// rotate form and GCC 12 does not fold a separate ROR into them.
inline int32_t sxtb16_ror8(int32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
inline int32_t sxtab16_ror8(int32_t a, int32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}

// One step of four inputs for one row: a += w[0..3]·(x[0..3] + off), with
// x02 = (x0 + off, x2 + off) and x13 = (x1 + off, x3 + off) in 16-bit lanes.
// x + off is in [−255, 255], so SXTAB16's lanes are exact, and |dot| < 2^30
// (kFcMaxInDim) keeps SMLAD's int32 sums exact: the scalar loop's integers.
inline int32_t mac4(int32_t a, int32_t wv, int32_t x02, int32_t x13) {
  a = __smlad(__sxtb16(wv), x02, a);
  return __smlad(sxtb16_ror8(wv), x13, a);
}

// acc[r] += Σ_{i < n4} w[r·stride + i]·(x[i] + off), r < 3, n4 % 4 == 0.
// Three rows: x, three row pointers, the end, off2, three sums and four
// temporaries are 13 registers, so the loop stays out of the stack (with
// four rows GCC 12 spills and the loop gets longer per MAC). Written out with
// scalars (with arrays of rows GCC keeps them in memory) and not inlined
// (inlined into the caller, the loop loses registers to its variables).
__attribute__((noinline)) void dot_rows3(const int8_t* x, const int8_t* w, std::ptrdiff_t stride,
                                         std::ptrdiff_t n4, int32_t off2, int32_t* acc) {
  const int8_t* w0 = w;
  const int8_t* w1 = w0 + stride;
  const int8_t* w2 = w1 + stride;
  const int8_t* const x_end = x + n4;
  int32_t a0 = 0, a1 = 0, a2 = 0;
  while (x != x_end) {
    const int32_t xv = load4(x);
    const int32_t x02 = __sxtab16(off2, xv);     // x0 + off, x2 + off
    const int32_t x13 = sxtab16_ror8(off2, xv);  // x1 + off, x3 + off
    a0 = mac4(a0, load4(w0), x02, x13);
    a1 = mac4(a1, load4(w1), x02, x13);
    a2 = mac4(a2, load4(w2), x02, x13);
    x += 4;
    w0 += 4;
    w1 += 4;
    w2 += 4;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
}

// The same for one row.
int32_t dot_row1(const int8_t* x, const int8_t* w, std::ptrdiff_t n4, int32_t off2) {
  int32_t a = 0;
  for (std::ptrdiff_t i = 0; i < n4; i += 4) {
    const int32_t xv = load4(x + i);
    a = mac4(a, load4(w + i), __sxtab16(off2, xv), sxtab16_ror8(off2, xv));
  }
  return a;
}


constexpr int kRows = 3;  // output rows per pass: one widened input feeds three

template <Requantize kRequantize>
void s8_fc_dsp(const FcParams& p, const int8_t* input, const int8_t* weights,
               const int32_t* bias, int8_t* output, int batches) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const std::ptrdiff_t out_dim = p.out_dim;
  const int32_t input_offset = p.input_offset;
  // input_offset in both 16-bit lanes.
  const int32_t off2 = static_cast<int32_t>((static_cast<uint32_t>(input_offset) & 0xFFFFu) * 0x10001u);
  const std::ptrdiff_t in4 = in_dim & ~std::ptrdiff_t{3};
  for (std::ptrdiff_t b = 0; b < batches; ++b) {
    const int8_t* x = input + b * in_dim;
    int8_t* y = output + b * out_dim;
    std::ptrdiff_t o = 0;
    for (; o < out_dim; o += kRows) {
      const int rows = out_dim - o < kRows ? static_cast<int>(out_dim - o) : kRows;
      const int8_t* w = weights + o * in_dim;
      int32_t acc[kRows];
      if (rows == kRows) {
        dot_rows3(x, w, in_dim, in4, off2, acc);
      } else {
        for (int r = 0; r < rows; ++r) acc[r] = dot_row1(x, w + r * in_dim, in4, off2);
      }
      for (int r = 0; r < rows; ++r) {
        const int8_t* wr = w + r * in_dim;
        int32_t dot = acc[r];
        for (std::ptrdiff_t i = in4; i < in_dim; ++i)
          dot += static_cast<int32_t>(wr[i]) * (static_cast<int32_t>(x[i]) + input_offset);
        y[o + r] = s8_fc_output<kRequantize>(p, bias, o + r, dot);
      }
    }
  }
}

}  // namespace

void s8_fc__cortexm_dsp_double(const FcParams& p, const int8_t* input, const int8_t* weights,
                               const int32_t* bias, int8_t* output, int batches) {
  s8_fc_dsp<requantize_double>(p, input, weights, bias, output, batches);
}
void s8_fc__cortexm_dsp_single(const FcParams& p, const int8_t* input, const int8_t* weights,
                               const int32_t* bias, int8_t* output, int batches) {
  s8_fc_dsp<requantize_single>(p, input, weights, bias, output, batches);
}

}  // namespace detail
}  // namespace starling
#endif  // __arm__ && __ARM_FEATURE_DSP
