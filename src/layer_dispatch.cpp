// SPDX-License-Identifier: MIT
// layer_dispatch.cpp: which conv and depthwise kernels run, following the
// active port (starling/port.hpp) without a table of its own in dispatch.cpp.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cstring>

#include "starling/detail/layer_kernels.hpp"
#include "starling/detail/layer_kernels_ports.hpp"
#include "starling/port.hpp"

// As in dispatch.cpp: builds that glob the sources (no STARLING_PORTS_CONFIGURED)
// get the Cortex-M DSP kernels exactly when the compiler targets a core with
// the DSP extension, i.e. when ports/cortexm/ compiles to something.
#if !defined(STARLING_PORTS_CONFIGURED) && defined(__arm__) && defined(__ARM_FEATURE_DSP) && \
    !defined(STARLING_HAVE_CORTEXM)
#define STARLING_HAVE_CORTEXM 1
#endif

namespace starling {
namespace detail {

namespace {

// The kernel of this library copy's requantize rounding (the port libraries
// hold both; this file is compiled with the library's macro).
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
#define STARLING_LAYER_K(kind, isa) s8_##kind##_single_rounding__##isa
#else
#define STARLING_LAYER_K(kind, isa) s8_##kind##__##isa
#endif

#if defined(STARLING_HOSTED_ENV)

struct LayerKernels {
  S8ConvKernel conv;
  S8DepthwiseKernel depthwise;  // for layers with dw_simd_ok(); scalar otherwise
  bool (*conv_ok)(const ConvParams&) noexcept = nullptr;  // layers `conv` takes; else im2col + FC
  S8AddKernel add = s8_add__scalar;
};

// One line per port with layer kernels of its own; ports without them (and
// names not listed) use the scalar ones. Conv on ports without a conv
// kernel runs as im2col rows through the port's fully-connected kernel.
LayerKernels kernels_for(const char* port) noexcept {
#if defined(STARLING_HAVE_X86_AVX2)
  if (std::strcmp(port, "avx2") == 0)
    return {s8_conv__im2col_fc, STARLING_LAYER_K(depthwise, avx2), nullptr, STARLING_LAYER_K(add, avx2)};
#endif
#if defined(STARLING_HAVE_X86_AVX512VNNI)
  if (std::strcmp(port, "avx512vnni") == 0)
    return {STARLING_LAYER_K(conv, avx512vnni), STARLING_LAYER_K(depthwise, avx512vnni), conv_vnni_ok,
            STARLING_LAYER_K(add, avx512vnni)};
#endif
#if defined(STARLING_HAVE_NEON)
  if (std::strcmp(port, "neon") == 0) return {s8_conv__im2col_fc, STARLING_LAYER_K(depthwise, neon)};
#endif
#if defined(STARLING_HAVE_NEON_DOTPROD)
  if (std::strcmp(port, "neon_dotprod") == 0) return {s8_conv__im2col_fc, STARLING_LAYER_K(depthwise, neon_dotprod)};
#endif
  if (std::strcmp(port, "scalar") == 0) return {s8_conv__scalar, s8_depthwise__scalar};
  return {s8_conv__im2col_fc, s8_depthwise__scalar};
}

}  // namespace

// Looked up on every call (a few string comparisons, against a layer's
// microseconds): no state, so no races and nothing to invalidate when
// force_port() changes the port.
S8ConvKernel s8_conv_kernel(const ConvParams& p) noexcept {
  const LayerKernels k = kernels_for(active_port());
  return k.conv_ok == nullptr || k.conv_ok(p) ? k.conv : s8_conv__im2col_fc;
}
S8DepthwiseKernel s8_depthwise_kernel(const DepthwiseParams& p) noexcept {
  return dw_simd_ok(p) ? kernels_for(active_port()).depthwise : s8_depthwise__scalar;
}
S8AddKernel s8_add_kernel() noexcept { return kernels_for(active_port()).add; }

#else  // firmware: the port is fixed at compile time (see dispatch.cpp)

}  // namespace

// Bound at compile time and one function per kind, so an image that runs
// only conv links only conv kernels.
S8ConvKernel s8_conv_kernel(const ConvParams& p) noexcept {
  (void)p;
#if defined(STARLING_HAVE_CORTEXM)
  return STARLING_LAYER_K(conv, cortexm_dsp);
#else
  return s8_conv__scalar;
#endif
}
S8DepthwiseKernel s8_depthwise_kernel(const DepthwiseParams& p) noexcept {
#if defined(STARLING_HAVE_CORTEXM)
  // The DSP kernel takes any filter size; depth multipliers above 1 run scalar.
  return p.depth_multiplier == 1 ? STARLING_LAYER_K(depthwise, cortexm_dsp) : s8_depthwise__scalar;
#else
  (void)p;
  return s8_depthwise__scalar;
#endif
}

S8AddKernel s8_add_kernel() noexcept { return s8_add__scalar; }

#endif  // STARLING_HOSTED_ENV

}  // namespace detail
}  // namespace starling
