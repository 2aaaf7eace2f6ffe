// SPDX-License-Identifier: MIT
// src/polystep.cpp: PolyStep's softmax vertex weights (starling/polystep.hpp),
// out of line so det_exp is compiled under the determinism guard.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/polystep.hpp"

#include "starling/detail/det_math.hpp"

namespace starling {
namespace detail {

float polystep_weights(const float* fv, int nv, float fc, float fstar, float tau, float* wv) noexcept {
  float wsum = 0;
  for (int v = 0; v < nv; ++v) {
    float w = 0;
    if (fv[v] <= fc) {
      // fv == f* weighs 1 exactly (e^0 is 1 in det_exp too); an undefined
      // exponent (−inf − −inf, inf/inf) weighs 0 rather than reach det_exp,
      // which needs a number.
      const float a = -(fv[v] - fstar) / tau;
      w = !(tau > 0) || fv[v] == fstar ? 1.f : a == a ? det_exp(a) : 0.f;
    }
    wv[v] = w;
    wsum = wsum + w;
  }
  return wsum;
}

}  // namespace detail
}  // namespace starling
