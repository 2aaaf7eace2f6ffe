// SPDX-License-Identifier: MIT
// s8_add__avx2: int8 element-wise addition for the avx2 port library (8 lanes, s8_add_x86.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "s8_add_x86.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {

void s8_add__avx2(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  add_x86<false>(p, in1, in2, output);
}
void s8_add_single_rounding__avx2(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  add_x86<true>(p, in1, in2, output);
}

}  // namespace detail
}  // namespace starling
