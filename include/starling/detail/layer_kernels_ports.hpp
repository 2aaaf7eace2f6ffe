// SPDX-License-Identifier: MIT
// starling/detail/layer_kernels_ports.hpp: internal declarations of the SIMD
// ports' conv, depthwise and add kernels (ports/x86, ports/neon, ports/cortexm).
//
// Same contracts as the scalar kernels in layer_kernels.hpp (plus
// dw_simd_ok(p) for the depthwise ones). Each exists in both requantize
// roundings, as the fully-connected kernels do, because the port libraries
// are linked into library copies built with either: <name> rounds twice,
// <name>_single_rounding once; src/layer_dispatch.cpp picks the one that
// matches requantize(). Declared unconditionally (the port libraries are
// compiled without the library's STARLING_HAVE_* macros); only the ports
// compiled in are defined and referenced.
#pragma once
#include <cstdint>

#include "starling/detail/layer_kernels.hpp"

namespace starling {
namespace detail {

#define STARLING_LAYER_KERNELS(isa)                                                                     \
  void s8_depthwise__##isa(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,          \
                           const int32_t* bias, int8_t* output);                                        \
  void s8_depthwise_single_rounding__##isa(const DepthwiseParams& p, const int8_t* input,               \
                                           const int8_t* filter, const int32_t* bias, int8_t* output);  \
  void s8_conv__##isa(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, \
                      int8_t* output, void* scratch);                                                   \
  void s8_conv_single_rounding__##isa(const ConvParams& p, const int8_t* input, const int8_t* filter,    \
                                      const int32_t* bias, int8_t* output, void* scratch);

STARLING_LAYER_KERNELS(avx2)
STARLING_LAYER_KERNELS(avx512vnni)
STARLING_LAYER_KERNELS(neon)
STARLING_LAYER_KERNELS(neon_dotprod)
STARLING_LAYER_KERNELS(cortexm_dsp)
#undef STARLING_LAYER_KERNELS

// Element-wise addition: the x86 ports only (8 lanes of AVX2 in both).
#define STARLING_ADD_KERNELS(isa)                                                                     \
  void s8_add__##isa(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output);       \
  void s8_add_single_rounding__##isa(const AddParams& p, const int8_t* in1, const int8_t* in2, int8_t* output);
STARLING_ADD_KERNELS(avx2)
STARLING_ADD_KERNELS(avx512vnni)
#undef STARLING_ADD_KERNELS

}  // namespace detail
}  // namespace starling
