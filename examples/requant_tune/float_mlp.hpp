// SPDX-License-Identifier: MIT
// float_mlp.hpp: the float reference of the shipped classifier
// (examples/data/blobs_mlp_data.h: 4-16-3, ReLU hidden layer), shared by the
// example and the exported-model test.
#pragma once
#include "blobs_mlp_data.h"

namespace float_mlp {

/// Class the float network predicts for one input of blobs_mlp::kIn values.
inline int classify(const float* x) {
  namespace bm = blobs_mlp;
  float h[bm::kHidden];
  for (int o = 0; o < bm::kHidden; ++o) {
    float a = bm::kB0[o];
    for (int i = 0; i < bm::kIn; ++i) a += bm::kW0[o * bm::kIn + i] * x[i];
    h[o] = a > 0 ? a : 0;
  }
  int best = 0;
  float best_v = 0;
  for (int o = 0; o < bm::kOut; ++o) {
    float a = bm::kB1[o];
    for (int i = 0; i < bm::kHidden; ++i) a += bm::kW1[o * bm::kHidden + i] * h[i];
    if (o == 0 || a > best_v) best = o, best_v = a;
  }
  return best;
}

}  // namespace float_mlp
