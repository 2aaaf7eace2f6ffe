// SPDX-License-Identifier: MIT
// src/qnet_c_api.cpp: the C API of QNet (starling/qnet.h) over load_qmodel and
// QNetCore (chains and graphs, with an op set), in storage the caller declares.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/qnet.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>

#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

namespace {

using starling::QLayer;
using starling::QLayerKind;
using starling::QModel;
using starling::QNetCore;
using starling::QOpResolver;
using starling::QOps;
using starling::Status;

// Storage layout: [QNetCore][QOpResolver] in CORE bytes, [QLayer ×
// max_layers, LAYER bytes each][arena]. The descriptors are a real QLayer
// array (stride sizeof(QLayer) <= LAYER bytes) starting CORE bytes in. The
// resolver lives in the struct (a load with an op set builds it there), so
// the core's pointer to it stays valid as long as the struct.
constexpr size_t kResolverOffset =
    (sizeof(QNetCore) + alignof(QOpResolver) - 1) / alignof(QOpResolver) * alignof(QOpResolver);
static_assert(kResolverOffset + sizeof(QOpResolver) <= STARLING_QNET_CORE_BYTES,
              "QNetCore or QOpResolver grew: raise STARLING_QNET_CORE_BYTES in starling/qnet.h");
static_assert(alignof(QOpResolver) <= alignof(decltype(starling_qnet::storage_)), "resolver alignment");
static_assert(std::is_trivially_destructible<QOpResolver>::value, "never destroyed");
// The C op bits are starling::QOps.
static_assert(STARLING_QNET_OP_GRAPH == starling::kQOpGraph, "op bit");
static_assert(STARLING_QNET_OP_FULLY_CONNECTED == starling::qnet_op(QLayerKind::FullyConnected), "op bit");
static_assert(STARLING_QNET_OP_LUT == starling::qnet_op(QLayerKind::Lut), "op bit");
static_assert(STARLING_QNET_OP_ARGMAX == starling::qnet_op(QLayerKind::Argmax), "op bit");
static_assert(STARLING_QNET_OP_CONV2D == starling::qnet_op(QLayerKind::Conv2D), "op bit");
static_assert(STARLING_QNET_OP_DEPTHWISE_CONV2D == starling::qnet_op(QLayerKind::DepthwiseConv2D), "op bit");
static_assert(STARLING_QNET_OP_AVG_POOL2D == starling::qnet_op(QLayerKind::AvgPool2D), "op bit");
static_assert(STARLING_QNET_OP_MAX_POOL2D == starling::qnet_op(QLayerKind::MaxPool2D), "op bit");
static_assert(STARLING_QNET_OP_ADD == starling::qnet_op(QLayerKind::Add), "op bit");
static_assert(STARLING_QNET_OP_SOFTMAX == starling::qnet_op(QLayerKind::Softmax), "op bit");
static_assert(STARLING_QNET_OP_RESHAPE == starling::qnet_op(QLayerKind::Reshape), "op bit");
static_assert(STARLING_QNET_OP_MEAN == starling::qnet_op(QLayerKind::Mean), "op bit");
static_assert(STARLING_QNET_OPS_CHAIN == starling::kQOpsChain, "op set");
static_assert(STARLING_QNET_OPS_ALL == starling::kQOpsAll, "op set");
static_assert(STARLING_QNET_OPS_DEFAULT == starling::kQOpsDefault, "op set");
static_assert(sizeof(QLayer) <= STARLING_QNET_LAYER_BYTES,
              "QLayer grew: raise STARLING_QNET_LAYER_BYTES in starling/qnet.h");
static_assert(alignof(QNetCore) <= alignof(decltype(starling_qnet::storage_)), "core alignment");
static_assert(alignof(QLayer) <= alignof(decltype(starling_qnet::storage_)), "layer alignment");
static_assert(STARLING_QNET_CORE_BYTES % alignof(QLayer) == 0, "layers misaligned");
static_assert(offsetof(starling_qnet, storage_) == 16, "header is 16 bytes (STARLING_QNET_SIZE)");
static_assert(offsetof(starling_qnet, storage_) % alignof(QNetCore) == 0, "core misaligned");
static_assert(sizeof(starling_qnet) ==
                  STARLING_QNET_SIZE(STARLING_QNET_MAX_LAYERS, STARLING_QNET_ARENA_BYTES),
              "STARLING_QNET_SIZE does not match the struct");
static_assert(std::is_trivially_destructible<QNetCore>::value, "never destroyed");

constexpr uint32_t kMagic = 0x514E4331u;  // "QNC1"
constexpr size_t kMaxArena = static_cast<size_t>(1) << 30;

// sizeof(starling_qnet) for the capacities, 0 if they are refused; the
// formula of STARLING_QNET_SIZE.
constexpr size_t required_size(long long layers, size_t arena) {
  if (layers < 1 || layers > starling::kQModelMaxLayers || arena > kMaxArena) return 0;
  const size_t storage = (STARLING_QNET_CORE_BYTES +
                          static_cast<size_t>(layers) * STARLING_QNET_LAYER_BYTES + arena + 7) /
                         8 * 8;
  return offsetof(starling_qnet, storage_) + storage;
}
static_assert(required_size(STARLING_QNET_MAX_LAYERS, STARLING_QNET_ARENA_BYTES) ==
                  sizeof(starling_qnet),
              "required_size disagrees with the struct");
static_assert(required_size(3, 5) == STARLING_QNET_SIZE(3, 5), "formula");

unsigned char* storage(starling_qnet* n) {
  return reinterpret_cast<unsigned char*>(n) + offsetof(starling_qnet, storage_);
}
const unsigned char* storage(const starling_qnet* n) {
  return reinterpret_cast<const unsigned char*>(n) + offsetof(starling_qnet, storage_);
}
QNetCore* core(starling_qnet* n) { return std::launder(reinterpret_cast<QNetCore*>(storage(n))); }
const QNetCore* core(const starling_qnet* n) {
  return std::launder(reinterpret_cast<const QNetCore*>(storage(n)));
}
QOpResolver* resolver(starling_qnet* n) {
  return reinterpret_cast<QOpResolver*>(storage(n) + kResolverOffset);
}
QLayer* layers(starling_qnet* n) {
  return reinterpret_cast<QLayer*>(storage(n) + STARLING_QNET_CORE_BYTES);
}
const QLayer* layers(const starling_qnet* n) {
  return reinterpret_cast<const QLayer*>(storage(n) + STARLING_QNET_CORE_BYTES);
}
int8_t* arena(starling_qnet* n) {
  return reinterpret_cast<int8_t*>(storage(n) + STARLING_QNET_CORE_BYTES +
                                   static_cast<size_t>(n->max_layers_) * STARLING_QNET_LAYER_BYTES);
}

enum class Check { Ready, NotReady, Corrupt };

// Ready: loaded and consistent. NotReady: never loaded, or a copy (its core
// still points into the original). Corrupt: loaded once, but the header no
// longer agrees with the storage.
Check check(const starling_qnet* n) {
  if (n == nullptr || n->magic_ != kMagic) return Check::NotReady;
  const size_t need = required_size(n->max_layers_, n->arena_bytes_);
  if (need == 0 || need > n->size_) return Check::Corrupt;
  const QNetCore* c = core(n);
  if (!c->ready()) return Check::Corrupt;
  const QModel& m = c->model();
  if (m.layers != layers(n)) return Check::NotReady;  // a copy
  if (m.num_layers < 1 || m.num_layers > n->max_layers_) return Check::Corrupt;
  return Check::Ready;
}

starling_status to_c(Status s) { return static_cast<starling_status>(static_cast<int>(s)); }

starling_status not_ready_status(const starling_qnet* n) {
  return check(n) == Check::Corrupt ? STARLING_CORRUPT : STARLING_NOT_READY;
}


// Loads with the resolver *ops (static storage or inside *net), or the
// library's default when null.
starling_status load(starling_qnet* net, size_t net_size, int max_layers, size_t arena_bytes,
                     const QOpResolver* ops, bool own_resolver, QOps own_ops,
                     const uint8_t* blob, size_t size) {
  if (net == nullptr) return STARLING_INVALID_ARGUMENT;
  // Only the header is known to exist until the size is checked.
  if (net_size < offsetof(starling_qnet, storage_)) return STARLING_INVALID_ARGUMENT;
  net->magic_ = 0;  // not ready until this load succeeds
  const size_t need = required_size(max_layers, arena_bytes);
  if (need == 0 || net_size < need || net_size > std::numeric_limits<uint32_t>::max())
    return STARLING_INVALID_ARGUMENT;
  if (blob == nullptr) return STARLING_INVALID_ARGUMENT;
  net->max_layers_ = max_layers;
  net->arena_bytes_ = static_cast<uint32_t>(arena_bytes);
  net->size_ = static_cast<uint32_t>(net_size);
  QNetCore* c = ::new (static_cast<void*>(storage(net))) QNetCore();  // placement: no allocation
  if (own_resolver) {
    // Built at run time from a variable op set: refers to every kind's code.
    ops = ::new (static_cast<void*>(resolver(net))) QOpResolver(starling::qnet_resolver(own_ops));
  }
  QModel model{nullptr, 0, 0};
  const Status s = ops != nullptr
                       ? starling::load_qmodel(blob, size, layers(net), max_layers, &model, *ops)
                       : starling::load_qmodel(blob, size, layers(net), max_layers, &model);
  if (s != Status::Ok) return to_c(s);
  // The loader already checked every layer; init plans and binds the arena
  // (CapacityExceeded when it is too small for one sample).
  const Status i = ops != nullptr ? c->init(model, arena(net), arena_bytes, *ops)
                                  : c->init(model, arena(net), arena_bytes);
  if (i != Status::Ok) return to_c(i);
  net->magic_ = kMagic;
  return STARLING_OK;
}

}  // namespace

extern "C" {

starling_status starling_qnet_load_capacity(starling_qnet* net, size_t net_size, int max_layers,
                                            size_t arena_bytes, const uint8_t* blob,
                                            size_t size) {
  return load(net, net_size, max_layers, arena_bytes, nullptr, false, 0, blob, size);
}

starling_status starling_qnet_load_capacity_ops(starling_qnet* net, size_t net_size,
                                                int max_layers, size_t arena_bytes,
                                                uint32_t ops, const uint8_t* blob, size_t size) {
  if (ops == STARLING_QNET_OPS_DEFAULT)
    return load(net, net_size, max_layers, arena_bytes, nullptr, false, 0, blob, size);
  return load(net, net_size, max_layers, arena_bytes, nullptr, true, static_cast<QOps>(ops), blob,
              size);
}

uint32_t starling_qnet_ops(const starling_qnet* net) {
  return check(net) == Check::Ready ? static_cast<uint32_t>(core(net)->ops()) : 0u;
}

int starling_qnet_input_dim(const starling_qnet* net) {
  return check(net) == Check::Ready ? core(net)->input_dim() : 0;
}

int starling_qnet_output_dim(const starling_qnet* net) {
  return check(net) == Check::Ready ? core(net)->output_dim() : 0;
}

int starling_qnet_num_layers(const starling_qnet* net) {
  return check(net) == Check::Ready ? core(net)->model().num_layers : 0;
}

int starling_qnet_max_batches(const starling_qnet* net) {
  return check(net) == Check::Ready ? core(net)->max_batches() : 0;
}

size_t starling_qnet_arena_bytes(const starling_qnet* net, int batches) {
  if (check(net) != Check::Ready || batches < 1) return 0;
  return core(net)->arena_bytes(batches);
}

starling_status starling_qnet_run(starling_qnet* net, const int8_t* input, int8_t* output,
                                  int batches) {
  if (net == nullptr) return STARLING_INVALID_ARGUMENT;
  if (check(net) != Check::Ready) return not_ready_status(net);
  return to_c(core(net)->run(input, output, batches));
}

starling_status starling_qnet_classify(starling_qnet* net, const int8_t* input, int* classes,
                                       int batches) {
  if (net == nullptr) return STARLING_INVALID_ARGUMENT;
  if (check(net) != Check::Ready) return not_ready_status(net);
  return to_c(core(net)->classify(input, classes, batches));
}

size_t starling_qnet_size(int max_layers, size_t arena_bytes) {
  return required_size(max_layers, arena_bytes);
}

}  // extern "C"
