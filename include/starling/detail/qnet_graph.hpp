// SPDX-License-Identifier: MIT
// starling/detail/qnet_graph.hpp: internal declarations of QNet's op
// resolver entries (a graph kind's check and run) and of the planned path,
// which QNetCore reaches only through a QOpResolver (src/qnet_graph.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/qnet.hpp"

namespace starling {
namespace detail {

/// One graph layer kind's code.
struct QOpKernel {
  /// Checks layer `l` of this kind against the shape `in` of the tensor it
  /// reads (and `in2`, an Add's second tensor; both already checked to be
  /// positive), after qnet_check_graph_layer's common checks; on Ok writes
  /// the shape it produces. qnet_validate's statuses.
  Status (*check)(const QLayer& l, const QShape& in, const QShape& in2, QShape* out) noexcept;
  /// Runs the validated layer on `batches` samples from `src` (and `src2`,
  /// an Add's second tensor) into `dst`; `scratch` holds at least
  /// scratch(l) bytes (null when that is 0).
  Status (*run)(const QLayer& l, const int8_t* src, const int8_t* src2, int8_t* dst, int batches,
                void* scratch, size_t scratch_bytes) noexcept;
  /// Scratch bytes the layer needs, the same for any batch count; null for
  /// kinds that need none.
  size_t (*scratch)(const QLayer& l) noexcept;
};

/// The planned path: what QNetCore calls for a model that is not a straight
/// FullyConnected / Lut / Argmax chain.
struct QGraphRuntime {
  /// qnet_validate(model, ops) for such a model, once the common checks
  /// and the op set passed.
  Status (*validate)(const QModel& model, const QOpResolver& ops) noexcept;
  /// QNetCore::init's arena plan (model_, ops_, compute_layers_ set).
  Status (*plan)(QNetCore& net, size_t arena_bytes) noexcept;
  /// QNetCore's forward pass over the plan.
  Status (*forward)(QNetCore& net, const int8_t* input, int8_t* last_out, int batches,
                    const int8_t** result) noexcept;
};

}  // namespace detail
}  // namespace starling
