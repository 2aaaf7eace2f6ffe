// SPDX-License-Identifier: MIT
// layer_dispatch.cpp: which conv and depthwise kernels run, following the
// active port (starling/port.hpp) without a table of its own in dispatch.cpp.
#include <cstring>

#include "starling/detail/layer_kernels.hpp"
#include "starling/port.hpp"

namespace starling {
namespace detail {

namespace {

struct LayerKernels {
  S8ConvKernel conv;
  S8DepthwiseKernel depthwise;
};

// Ports without their own layer kernels use the scalar ones. Adding a port:
// one line here (its kernels come from its own header).
LayerKernels kernels_for(const char* port) noexcept {
  if (std::strcmp(port, "scalar") != 0) return LayerKernels{s8_conv__im2col_fc, s8_depthwise__scalar};
  return LayerKernels{s8_conv__scalar, s8_depthwise__scalar};
}

}  // namespace

// Looked up on every call (a few string comparisons, against a layer's
// microseconds): no state, so no races and nothing to invalidate when
// force_port() changes the port.
S8ConvKernel s8_conv_kernel() noexcept { return kernels_for(active_port()).conv; }
S8DepthwiseKernel s8_depthwise_kernel() noexcept { return kernels_for(active_port()).depthwise; }

}  // namespace detail
}  // namespace starling
