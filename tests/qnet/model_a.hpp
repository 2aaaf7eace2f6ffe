// SPDX-License-Identifier: MIT
// Model A of qnet_golden.hpp as C++ const data (QLayer array and QModel), for
// the QNet and model-loader tests that compare against it.
#pragma once
#include "qnet/qnet_golden.hpp"
#include "starling/qnet.hpp"

namespace model_a {
constexpr starling::FcParams kA0 = {
    golden::kA0_dims[0],    golden::kA0_dims[1],    golden::kA0_offsets[0],
    golden::kA0_offsets[1], golden::kA0_multiplier, golden::kA0_shift,
    golden::kA0_per_channel, golden::kA0_clamp[0], golden::kA0_clamp[1]};
constexpr starling::FcParams kA2 = {
    golden::kA2_dims[0],    golden::kA2_dims[1],    golden::kA2_offsets[0],
    golden::kA2_offsets[1], golden::kA2_multiplier, golden::kA2_shift,
    golden::kA2_per_channel, golden::kA2_clamp[0], golden::kA2_clamp[1]};
constexpr starling::QLayer kLayersA[] = {
    starling::qnet_fc(kA0, golden::kA0_weights, golden::kA0_bias),
    starling::qnet_lut(10, golden::kA1_lut),
    starling::qnet_fc(kA2, golden::kA2_weights, golden::kA2_bias),
    starling::qnet_argmax(4),
};
constexpr starling::QModel kModelA = {kLayersA, 4, 6};
}  // namespace model_a
