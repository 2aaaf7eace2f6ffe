// s8_fc__scalar: scalar reference of the int8 fully-connected layer (all targets).
#include <cstddef>
#include <cstdint>

#include "starling/detail/kernels.hpp"
#include "starling/quant.hpp"

namespace starling {
namespace detail {

void s8_fc__scalar(const FcParams& p, const int8_t* input, const int8_t* weights,
                   const int32_t* bias, int8_t* output, int batches) {
  const std::ptrdiff_t in_dim = p.in_dim;
  const std::ptrdiff_t out_dim = p.out_dim;
  const int32_t input_offset = p.input_offset;
  for (std::ptrdiff_t b = 0; b < batches; ++b) {
    const int8_t* x = input + b * in_dim;
    int8_t* y = output + b * out_dim;
    for (std::ptrdiff_t o = 0; o < out_dim; ++o) {
      const int8_t* w = weights + o * in_dim;
      // Exact: in_dim <= kFcMaxInDim keeps |dot| < 2^30.
      int32_t dot = 0;
      for (std::ptrdiff_t i = 0; i < in_dim; ++i) {
        dot += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + input_offset);
      }
      // bias + dot and requantized + output_offset are two's-complement int32
      // (the reference wraps; only absurd biases or scales get there).
      const uint32_t bias_u = bias != nullptr ? static_cast<uint32_t>(bias[o]) : 0u;
      const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(dot) + bias_u);
      const std::ptrdiff_t c = p.per_channel ? o : 0;
      const int32_t scaled = requantize(acc, p.multiplier[c], static_cast<int>(p.shift[c]));
      int32_t v = static_cast<int32_t>(static_cast<uint32_t>(scaled) +
                                       static_cast<uint32_t>(p.output_offset));
      v = v < p.act_min ? p.act_min : v;
      v = v > p.act_max ? p.act_max : v;
      y[o] = static_cast<int8_t>(v);
    }
  }
}

}  // namespace detail
}  // namespace starling
