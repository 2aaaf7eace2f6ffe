// SPDX-License-Identifier: MIT
// float_mlp.hpp: the float reference of the shipped classifier
// (examples/data/blobs_mlp_data.h: 4-16-3, ReLU hidden layer), shared by the
// example and the exported-model test.
#pragma once
#include "blobs_mlp_data.h"

namespace float_mlp {

/// The float network's scores (blobs_mlp::kOut values) for one input of
/// blobs_mlp::kIn values.
inline void scores(const float* x, float* out) {
  namespace bm = blobs_mlp;
  float h[bm::kHidden];
  for (int o = 0; o < bm::kHidden; ++o) {
    float a = bm::kB0[o];
    for (int i = 0; i < bm::kIn; ++i) a += bm::kW0[o * bm::kIn + i] * x[i];
    h[o] = a > 0 ? a : 0;
  }
  for (int o = 0; o < bm::kOut; ++o) {
    float a = bm::kB1[o];
    for (int i = 0; i < bm::kHidden; ++i) a += bm::kW1[o * bm::kHidden + i] * h[i];
    out[o] = a;
  }
}

/// Class the float network predicts for one input of blobs_mlp::kIn values.
inline int classify(const float* x) {
  float s[blobs_mlp::kOut];
  scores(x, s);
  int best = 0;
  for (int o = 1; o < blobs_mlp::kOut; ++o)
    if (s[o] > s[best]) best = o;
  return best;
}

}  // namespace float_mlp
