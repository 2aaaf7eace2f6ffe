// SPDX-License-Identifier: MIT
// s8_add__avx512vnni: int8 element-wise addition for the avx512vnni port library (16 lanes, s8_add_x86.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "s8_add_x86.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {

void s8_add__avx512vnni(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  add_x86_512<false>(p, in1, in2, output);
}
void s8_add_single_rounding__avx512vnni(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output) {
  add_x86_512<true>(p, in1, in2, output);
}

}  // namespace detail
}  // namespace starling
