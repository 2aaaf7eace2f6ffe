// SPDX-License-Identifier: MIT
// starling/qnet.hpp: an int8 network evaluated with TFLite int8 arithmetic
// over a scratch arena; no heap. Layers: fully connected, element-wise
// look-up-table activations, argmax, and the TinyML graph layers (2-D and
// depthwise convolution, average and max pooling, addition, softmax,
// reshape, mean over height and width); tensors need not form a straight
// chain (an Add may read an earlier tensor: residual blocks).
//
//   static const starling::QLayer kLayers[] = {
//     starling::qnet_fc({4, 8, 128, -3, kM0, kS0, true, -3, 127}, kW0, kB0),
//     starling::qnet_lut(8, kTanhLut),
//     starling::qnet_fc({8, 3, 3, 5, kM1, kS1, false, -128, 127}, kW1, kB1),
//     starling::qnet_argmax(3),
//   };
//   static const starling::QModel kModel = {kLayers, 4, 4};
//   static starling::QNet<64> net;               // or QNetCore + caller arena
//   if (net.init(kModel) != starling::Status::Ok) ...
//   int cls; (void)net.classify(x, &cls);
//
// Tensors are numbered: 0 is the network input, k (>= 1) the output of
// layer k − 1. A layer reads tensor `input` (by default the previous
// layer's output) and, for an Add, tensor `input2`. Every tensor has an NHWC
// shape of one sample (h, w, c); a flat vector of n values is (1, 1, n).
//
// The model is plain const data (aggregates of ints and pointers) so that a
// generated header can put it in flash. Only the `const` in the pointers is
// the network's promise not to write; a pointer may just as well refer to a
// RAM buffer that an optimizer rewrites between inferences (see
// to_int8_lattice): weights and LUT entries are read afresh on every run.
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/layers.hpp"
#include "starling/quant.hpp"
#include "starling/status.hpp"

namespace starling {

/// What a layer computes. The values are also the blob format's kind codes
/// (qmodel.hpp); 0 is left invalid so that a zeroed layer is rejected.
enum class QLayerKind : uint8_t {
  FullyConnected = 1,  ///< fully_connected_s8 with `fc`, `weights`, `bias`; input flattened
  Lut = 2,             ///< out[i] = lut[in[i] + 128], element-wise over `dim` values
  Argmax = 3,          ///< index of the largest of `dim` values; only as the last layer
  Conv2D = 4,          ///< conv2d_s8 with `op.conv`, filter `weights`, `bias`
  DepthwiseConv2D = 5, ///< depthwise_conv2d_s8 with `op.dw`, filter `weights`, `bias`
  AvgPool2D = 6,       ///< avg_pool2d_s8 with `op.pool`
  MaxPool2D = 7,       ///< max_pool2d_s8 with `op.pool`
  Add = 8,             ///< add_s8 with `op.add` of tensors `input` and `input2`
  Softmax = 9,         ///< softmax_s8 with `op.softmax` (rows = h·w, cols = c)
  Reshape = 10,        ///< the same bytes with shape `op.shape` (no copy)
  Mean = 11,           ///< mean_s8 with `op.mean`: TFLite MEAN over height and width
};

/// An NHWC shape of one sample (the batch is run()'s).
struct QShape {
  /** @{ */
  /// Height, width and channels; each >= 1 in a valid model (a flat vector of
  /// n values is {1, 1, n}; the element count h·w·c fits int).
  int h, w, c;
  /** @} */
};

/// TFLite MEAN of int8 over axes 1 and 2 (height and width) of an NHWC
/// tensor (global average pooling), keep_dims either way: the output is
/// (1, 1, channels). multiplier and shift are what TFLite's Prepare computes,
/// QuantizeMultiplier(in_scale / out_scale); mean_s8 folds the element count
/// in as the reference does. Ranges: in_h, in_w, channels >= 1, in_h·in_w <=
/// kPoolMaxWindow; input_offset (−input zero point) in [−127, 128];
/// output_offset (output zero point) in [−128, 127]; multiplier >= 0; shift
/// in [−31, 30]. `batches` as in the layer parameters of layers.hpp.
struct MeanParams {
  /// Samples in the batch, >= 1 (QNet models store 1).
  int batches;
  /** @{ */
  /// Input height and width, each >= 1, in_h·in_w <= kPoolMaxWindow (the
  /// number of values averaged per channel).
  int in_h, in_w;
  /** @} */
  /// Channels of input and output, >= 1.
  int channels;
  /// −input_zero_point, in [−127, 128].
  int32_t input_offset;
  /// output_zero_point, in [−128, 127].
  int32_t output_offset;
  /// Fixed-point multiplier of in_scale / out_scale (quantize_multiplier), >= 0.
  int32_t multiplier;
  /// multiplier's shift, in [−31, 30] (> 0 shifts left).
  int shift;
};

/// Checks p against the ranges documented at MeanParams: InvalidArgument,
/// CapacityExceeded (in_h·in_w > kPoolMaxWindow, or a tensor size that does
/// not fit), else Ok. O(1).
[[nodiscard]] Status validate(const MeanParams& p) noexcept;

/// Int8 mean over height and width (TensorFlow Lite Micro's reference MEAN,
/// reduce.h QuantizedMeanOrSum). Per batch b and channel c, with n = in_h·in_w:
///   sum = Σ_{y,x} input[b][y][x][c] + input_offset·n      (exact int32)
///   s = min(floor(log2 n), 32, 31 + shift)
///   m' = (multiplier·2^s) / n  (64-bit, truncating),  shift' = shift − s
///   output[b][c] = clamp(requantize(sum, m', shift') + output_offset, −128, 127)
/// Layouts: input [batches][in_h][in_w][channels], output [batches][channels].
/// Returns validate(p)'s error or InvalidArgument for a null pointer; nothing
/// is written then. Cost: batches·in_h·in_w·channels additions; no memory.
[[nodiscard]] Status mean_s8(const MeanParams& p, const int8_t* input, int8_t* output) noexcept;

/// The parameters of a graph layer, by kind (QLayer::op). Constructed from
/// one parameter struct; the other members are inactive. Every `batches`
/// field in a model is 1 (run() substitutes its own count).
union QOpParams {
  QShape shape;             ///< Reshape: the output shape (same element count)
  ConvParams conv;          ///< Conv2D
  DepthwiseParams dw;       ///< DepthwiseConv2D
  PoolParams pool;          ///< AvgPool2D, MaxPool2D
  AddParams add;            ///< Add (size = elements of one sample)
  SoftmaxParams softmax;    ///< Softmax (rows·cols = elements of one sample)
  MeanParams mean;          ///< Mean
  /// No parameters (shape {0, 0, 0}): what FullyConnected, Lut and Argmax
  /// layers carry.
  constexpr QOpParams() noexcept : shape{0, 0, 0} {}
  /// A Reshape's output shape (implicit, so `QLayer::op = QShape{...}` works).
  constexpr QOpParams(const QShape& s) noexcept : shape(s) {}
  /// A Conv2D layer's parameters (implicit; makes `conv` the active member).
  constexpr QOpParams(const ConvParams& p) noexcept : conv(p) {}
  /// A DepthwiseConv2D layer's parameters (implicit; `dw` active).
  constexpr QOpParams(const DepthwiseParams& p) noexcept : dw(p) {}
  /// An AvgPool2D or MaxPool2D layer's parameters (implicit; `pool` active).
  constexpr QOpParams(const PoolParams& p) noexcept : pool(p) {}
  /// An Add layer's parameters (implicit; `add` active).
  constexpr QOpParams(const AddParams& p) noexcept : add(p) {}
  /// A Softmax layer's parameters (implicit; `softmax` active).
  constexpr QOpParams(const SoftmaxParams& p) noexcept : softmax(p) {}
  /// A Mean layer's parameters (implicit; `mean` active).
  constexpr QOpParams(const MeanParams& p) noexcept : mean(p) {}
};

/// QLayer::input's default: the previous layer's output (the network input
/// for the first layer), i.e. tensor i for layer i.
constexpr int kQPrevious = -1;

/// One layer. Build it with qnet_fc / qnet_lut / qnet_argmax / qnet_conv /
/// ... (constexpr) or aggregate-initialize it; unused members stay
/// zero/null. sizeof: 156 bytes on 32-bit targets (208 on 64-bit ones); the
/// arrays it points to are not copied.
struct QLayer {
  QLayerKind kind;  ///< which layer this is; selects the members below that apply
  /// FullyConnected: shapes, offsets, requantization and clamp (see FcParams
  /// for the ranges; ReLU is act_min = output_offset, ReLU6 additionally
  /// act_max = output_offset + round(6/out_scale)). fc.in_dim is the element
  /// count of the input tensor (TFLite flattens it); the output is
  /// (1, 1, out_dim). Other kinds: unused.
  FcParams fc;
  /// FullyConnected: fc.out_dim·fc.in_dim int8, row-major, one row per output
  /// (weights[o·in_dim + i]). Conv2D: the filter [out_c][k_h][k_w][in_c];
  /// DepthwiseConv2D: [k_h][k_w][out_c]. May point to a RAM buffer that
  /// changes between runs.
  const int8_t* weights;
  /// FullyConnected, Conv2D, DepthwiseConv2D: one int32 per output channel
  /// (scale in_scale·w_scale, zero point 0), or nullptr for no bias.
  const int32_t* bias;
  /// Lut: 256 int8, indexed by q + 128 (lut[0] is the output for q = −128),
  /// the TFLite int8 LUT convention. Build with make_lut and friends.
  const int8_t* lut;
  /// Lut and Argmax: width, must equal the input tensor's element count.
  int dim;
  /// The tensor this layer reads: 0 = the network input, k in [1, i] = the
  /// output of layer k − 1 (for layer i), or kQPrevious (tensor i).
  int input = kQPrevious;
  /// Add only: the second tensor read, numbered as `input` (kQPrevious is
  /// not allowed here); same shape as the first. Other kinds: 0.
  int input2 = 0;
  /// Graph layers' parameters (see QLayerKind for which member).
  QOpParams op{};
};

/// A network: `num_layers` layers applied in order to one input tensor of
/// `input_dim` int8 values. Both counts are >= 1. The input's NHWC shape is
/// (input_h, input_w, input_c) when they are set (their product must be
/// input_dim), else (1, 1, input_dim). The layers (and everything they point
/// to) must outlive every QNet initialized with the model.
struct QModel {
  /// The layers, in execution order (num_layers of them); not copied.
  const QLayer* layers;
  /// Number of layers, >= 1 (at most kQModelMaxLayers for a blob).
  int num_layers;
  /// int8 values in one input sample, >= 1 (what run() reads per batch row).
  int input_dim;
  /** @{ */
  /// The input's NHWC shape, each >= 1 with input_h·input_w·input_c ==
  /// input_dim; or all three 0 (the default) for a flat vector (1, 1, input_dim).
  int input_h = 0, input_w = 0, input_c = 0;
  /** @} */
};

/// A fully-connected layer; weights and bias as documented in QLayer.
constexpr QLayer qnet_fc(const FcParams& p, const int8_t* weights,
                         const int32_t* bias) noexcept {
  return QLayer{QLayerKind::FullyConnected, p, weights, bias, nullptr, 0};
}
/// An element-wise activation over `dim` values through a 256-entry table.
constexpr QLayer qnet_lut(int dim, const int8_t* lut) noexcept {
  return QLayer{QLayerKind::Lut, FcParams{}, nullptr, nullptr, lut, dim};
}
/// Marks the model as a classifier over `dim` scores; must be the last layer.
constexpr QLayer qnet_argmax(int dim) noexcept {
  return QLayer{QLayerKind::Argmax, FcParams{}, nullptr, nullptr, nullptr, dim};
}
/// A 2-D convolution reading tensor `input`; filter and bias as in QLayer.
constexpr QLayer qnet_conv(const ConvParams& p, const int8_t* filter, const int32_t* bias,
                           int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::Conv2D, FcParams{}, filter, bias, nullptr, 0, input, 0, QOpParams(p)};
}
/// A depthwise convolution reading tensor `input`.
constexpr QLayer qnet_depthwise(const DepthwiseParams& p, const int8_t* filter,
                                const int32_t* bias, int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::DepthwiseConv2D, FcParams{}, filter, bias, nullptr, 0, input, 0,
                QOpParams(p)};
}
/// Average pooling reading tensor `input`.
constexpr QLayer qnet_avg_pool(const PoolParams& p, int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::AvgPool2D, FcParams{}, nullptr, nullptr, nullptr, 0, input, 0,
                QOpParams(p)};
}
/// Max pooling reading tensor `input`.
constexpr QLayer qnet_max_pool(const PoolParams& p, int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::MaxPool2D, FcParams{}, nullptr, nullptr, nullptr, 0, input, 0,
                QOpParams(p)};
}
/// Element-wise sum of tensors `input1` and `input2` (explicit tensor numbers).
constexpr QLayer qnet_add(const AddParams& p, int input1, int input2) noexcept {
  return QLayer{QLayerKind::Add, FcParams{}, nullptr, nullptr, nullptr, 0, input1, input2,
                QOpParams(p)};
}
/// Softmax over the last dimension of tensor `input`.
constexpr QLayer qnet_softmax(const SoftmaxParams& p, int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::Softmax, FcParams{}, nullptr, nullptr, nullptr, 0, input, 0,
                QOpParams(p)};
}
/// Tensor `input` seen with shape `s` (same element count; no copy).
constexpr QLayer qnet_reshape(const QShape& s, int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::Reshape, FcParams{}, nullptr, nullptr, nullptr, 0, input, 0,
                QOpParams(s)};
}
/// Mean over height and width of tensor `input`.
constexpr QLayer qnet_mean(const MeanParams& p, int input = kQPrevious) noexcept {
  return QLayer{QLayerKind::Mean, FcParams{}, nullptr, nullptr, nullptr, 0, input, 0,
                QOpParams(p)};
}

namespace detail {
/// True when `model` runs on the ping-pong path: only FullyConnected, Lut
/// and Argmax layers, each reading the previous output, over a flat input.
constexpr bool qnet_is_chain(const QModel& model) noexcept {
  if (model.layers == nullptr) return false;
  if (model.input_h > 1 || model.input_w > 1) return false;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    if (l.kind != QLayerKind::FullyConnected && l.kind != QLayerKind::Lut &&
        l.kind != QLayerKind::Argmax) {
      return false;
    }
    if (l.input != kQPrevious && l.input != i) return false;
  }
  return true;
}
/// Element count of one sample of a graph layer's own output, when its
/// kind sets it (0 for kinds that pass their input's shape through, and for
/// non-positive or overflowing dimensions). Saturates at SIZE_MAX / 4.
constexpr size_t qnet_layer_elems(const QLayer& l) noexcept {
  long long h = 1, w = 1, c = 0;
  switch (l.kind) {
    case QLayerKind::FullyConnected: c = l.fc.out_dim; break;
    case QLayerKind::Conv2D: h = l.op.conv.out_h; w = l.op.conv.out_w; c = l.op.conv.out_c; break;
    case QLayerKind::DepthwiseConv2D: h = l.op.dw.out_h; w = l.op.dw.out_w; c = l.op.dw.out_c; break;
    case QLayerKind::AvgPool2D:
    case QLayerKind::MaxPool2D: h = l.op.pool.out_h; w = l.op.pool.out_w; c = l.op.pool.channels; break;
    case QLayerKind::Mean: c = l.op.mean.channels; break;
    case QLayerKind::Lut:
    case QLayerKind::Argmax: c = l.dim; break;
    case QLayerKind::Add: c = l.op.add.size; break;
    case QLayerKind::Softmax:
      h = l.op.softmax.rows;
      c = l.op.softmax.cols;
      break;
    default: return 0;  // Reshape: an alias, no memory of its own
  }
  if (h <= 0 || w <= 0 || c <= 0) return 0;
  const size_t cap = static_cast<size_t>(-1) / 4;
  const unsigned long long hw = static_cast<unsigned long long>(h) * static_cast<unsigned long long>(w);
  if (hw > cap || static_cast<unsigned long long>(c) > cap / hw) return cap;
  return static_cast<size_t>(hw * static_cast<unsigned long long>(c));
}
}  // namespace detail

/// Bytes of arena a QNet needs to run `model` on `batches` samples at once.
/// constexpr, so `QNet<qnet_arena_bytes(kModel)>` sizes the arena at compile
/// time for a constexpr model.
///  * A straight chain of FullyConnected / Lut / Argmax layers over a flat
///    input (the ping-pong path): two buffers of batches·W int8 each, W the
///    widest FC/LUT output (an Argmax adds nothing; a model of only an Argmax
///    needs 0). This is exactly what init() needs.
///  * Any other model (the planned path): an upper bound that reuses no
///    memory, 12·num_layers (the plan) + batches·Σ (every layer's output
///    elements) + the largest conv2d_s8_scratch_size. init() plans buffers
///    that share memory when their lifetimes do not overlap and needs less;
///    QNetCore::arena_bytes() says how much, and tools/tflite_import.py
///    writes that figure into the model header.
/// Meaningful for a model that qnet_validate accepts; for others it reads
/// only the first num_layers layers (none if layers is null), ignores
/// non-positive widths and saturates at SIZE_MAX instead of overflowing.
/// O(num_layers); no memory.
constexpr size_t qnet_arena_bytes(const QModel& model, int batches = 1) noexcept {
  if (model.layers == nullptr || batches < 1 || model.num_layers < 1) return 0;
  const size_t kMax = static_cast<size_t>(-1);
  const size_t b = static_cast<size_t>(batches);
  if (detail::qnet_is_chain(model)) {
    size_t width = 0;
    for (int i = 0; i < model.num_layers; ++i) {
      const QLayer& l = model.layers[i];
      const int w = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim
                    : l.kind == QLayerKind::Lut          ? l.dim
                                                         : 0;
      if (w > 0 && static_cast<size_t>(w) > width) width = static_cast<size_t>(w);
    }
    if (width != 0 && b > kMax / 2 / width) return kMax;
    return 2 * b * width;
  }
  size_t total = 0;
  size_t scratch = 0;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    const size_t e = detail::qnet_layer_elems(l);
    if (e != 0 && b > (kMax - total) / e) return kMax;
    total += b * e;
    if (l.kind == QLayerKind::Conv2D) {
      const ConvParams& p = l.op.conv;
      const bool pointwise = p.k_h == 1 && p.k_w == 1 && p.stride_h == 1 && p.stride_w == 1 &&
                             p.pad_h == 0 && p.pad_w == 0;
      if (!pointwise && p.k_h > 0 && p.k_w > 0 && p.in_c > 0 && p.out_c > 0) {
        const unsigned long long k = static_cast<unsigned long long>(p.k_h) *
                                     static_cast<unsigned long long>(p.k_w) *
                                     static_cast<unsigned long long>(p.in_c);
        const unsigned long long s = static_cast<unsigned long long>(kConvIm2colRows) * k +
                                     4ull * static_cast<unsigned long long>(p.out_c) + 16ull;
        if (s > kMax / 4) return kMax;
        if (static_cast<size_t>(s) > scratch) scratch = static_cast<size_t>(s);
      }
    }
  }
  const size_t head = 12u * static_cast<size_t>(model.num_layers);
  if (total > kMax - scratch - head) return kMax;
  return total + scratch + head;
}

// ---------------------------------------------------------------------------
// Op sets: which layer kinds a QNet can run (TensorFlow Lite Micro's op
// resolver, chosen at compile time). QNet reaches the code of every graph
// kind (convolution, pooling, Add, ...) and its planned-arena path only
// through a QOpResolver, so a firmware image links exactly the kernels of
// the kinds its resolver enables (with --gc-sections): a QNet for
// FullyConnected / Lut / Argmax chains adds about 1.9 KB of flash on a
// Cortex-M4, one with every kind about 13 KB. docs/int8_models.md has the
// table.

/// A set of layer kinds: bit k (1 <= k <= 11) is QLayerKind k, and bit 0
/// (kQOpGraph) is the planned path, which every model that is not a straight
/// FullyConnected / Lut / Argmax chain over a flat input needs. Combine with
/// `|`, e.g. `kQOpsChain | qnet_op(QLayerKind::Conv2D)`.
using QOps = uint32_t;

/// The bit of one layer kind in a QOps.
constexpr QOps qnet_op(QLayerKind kind) noexcept {
  return QOps{1} << (static_cast<unsigned>(kind) & 31u);
}
/// The planned path: tensor graphs, NHWC inputs, branches (an Add reading an
/// earlier tensor), any layer reading other than the previous output. Every
/// kind outside kQOpsChain implies it.
constexpr QOps kQOpGraph = 1;
/// FullyConnected, Lut and Argmax in a straight chain over a flat input:
/// what every QNet runs, whatever its op set (QNet's original layer set).
constexpr QOps kQOpsChain = qnet_op(QLayerKind::FullyConnected) | qnet_op(QLayerKind::Lut) |
                            qnet_op(QLayerKind::Argmax);
/// Every layer kind and the planned path.
constexpr QOps kQOpsAll = kQOpGraph | kQOpsChain | qnet_op(QLayerKind::Conv2D) |
                          qnet_op(QLayerKind::DepthwiseConv2D) | qnet_op(QLayerKind::AvgPool2D) |
                          qnet_op(QLayerKind::MaxPool2D) | qnet_op(QLayerKind::Add) |
                          qnet_op(QLayerKind::Softmax) | qnet_op(QLayerKind::Reshape) |
                          qnet_op(QLayerKind::Mean);
/// QNet's default template argument: no op set named, so the library's
/// default applies (qnet_default_ops(): kQOpsAll on an operating system,
/// kQOpsChain on firmware).
constexpr QOps kQOpsDefault = 0;

/// The op set the library was built to use when none is named (QNet<N>,
/// QNetCore::init and load_qmodel without a resolver): kQOpsAll when it is
/// built for an operating system (Linux, Windows, macOS, or any Meson/CMake
/// build that is not bare metal), kQOpsChain for firmware (bare metal, RTOS
/// SDKs, Arduino, PlatformIO), so that a firmware running only
/// fully-connected models links no convolution kernel. O(1).
QOps qnet_default_ops() noexcept;

/// The op set `model` needs: the bit of every layer kind it holds, plus
/// kQOpGraph when it is not a straight FullyConnected / Lut / Argmax chain over
/// a flat input. constexpr, so a constant model can size its QNet's op set:
/// `QNet<qnet_arena_bytes(kModel), qnet_model_ops(kModel)>`. Reads the first
/// num_layers layers (none if layers is null); kinds outside 1..11 add no
/// bit (qnet_validate refuses them). O(num_layers); no memory.
constexpr QOps qnet_model_ops(const QModel& model) noexcept {
  if (model.layers == nullptr) return 0;
  QOps ops = detail::qnet_is_chain(model) ? 0 : kQOpGraph;
  for (int i = 0; i < model.num_layers; ++i) {
    const unsigned k = static_cast<unsigned>(model.layers[i].kind);
    if (k >= 1 && k <= 11) ops |= QOps{1} << k;
  }
  return ops;
}

namespace detail {
/// `ops` as a resolver enables it: unknown bits dropped, kQOpsChain added,
/// kQOpGraph added when any other kind is present.
constexpr QOps qnet_ops_closure(QOps ops) noexcept {
  ops = (ops & kQOpsAll) | kQOpsChain;
  return (ops & ~kQOpsChain) != 0 ? ops | kQOpGraph : ops;
}
/// A graph layer kind's code (its check and its run), defined in
/// src/qnet_graph.cpp; opaque to callers.
struct QOpKernel;
/// The planned path's code (validation, arena planning, forward pass).
struct QGraphRuntime;
extern const QOpKernel kQOpConv2D;
extern const QOpKernel kQOpDepthwiseConv2D;
extern const QOpKernel kQOpAvgPool2D;
extern const QOpKernel kQOpMaxPool2D;
extern const QOpKernel kQOpAdd;
extern const QOpKernel kQOpSoftmax;
extern const QOpKernel kQOpReshape;
extern const QOpKernel kQOpMean;
extern const QGraphRuntime kQGraphRuntime;
/// The kernel of `kind` when `ops` enables it, else null (FullyConnected,
/// Lut and Argmax have none: QNetCore runs them itself).
constexpr const QOpKernel* qnet_op_kernel(QOps ops, QLayerKind kind) noexcept {
  if ((ops & qnet_op(kind)) == 0) return nullptr;
  switch (kind) {
    case QLayerKind::Conv2D: return &kQOpConv2D;
    case QLayerKind::DepthwiseConv2D: return &kQOpDepthwiseConv2D;
    case QLayerKind::AvgPool2D: return &kQOpAvgPool2D;
    case QLayerKind::MaxPool2D: return &kQOpMaxPool2D;
    case QLayerKind::Add: return &kQOpAdd;
    case QLayerKind::Softmax: return &kQOpSoftmax;
    case QLayerKind::Reshape: return &kQOpReshape;
    case QLayerKind::Mean: return &kQOpMean;
    default: return nullptr;
  }
}
}  // namespace detail

/// The code a QNet may call: a table with one entry per enabled graph kind
/// and the planned path when any is enabled. Build it with qnet_resolver()
/// into a constexpr object with static storage, so that the table (in
/// flash) refers to nothing but the enabled kinds' code, and the linker
/// drops the rest:
///
///   static constexpr starling::QOpResolver kOps = starling::qnet_resolver(
///       starling::kQOpsChain | starling::qnet_op(starling::QLayerKind::Conv2D) | ...);
///   if (net.init(model, arena, sizeof arena, kOps) != starling::Status::Ok) ...
///
/// or use kQOpResolver<ops>, which is such an object.
///
/// (qnet_resolver called at run time with a variable op set refers to every
/// kind's code, as on a desktop.) sizeof: 56 bytes on 32-bit targets.
struct QOpResolver {
  /// The kinds enabled: always kQOpsChain, kQOpGraph when any other kind is.
  QOps ops;
  /// The planned path, or null for an op set of kQOpsChain alone.
  const detail::QGraphRuntime* graph;
  /// Per QLayerKind value: the kind's code, or null when it is not enabled
  /// (and for FullyConnected, Lut and Argmax, which QNetCore runs itself).
  const detail::QOpKernel* kernels[12];
};

/// The resolver of op set `ops` (kQOpsChain is always added; kQOpGraph is
/// added when `ops` holds any other kind; bits of no kind are ignored).
/// Evaluate it in a constant expression (see QOpResolver). O(1).
constexpr QOpResolver qnet_resolver(QOps ops) noexcept {
  ops = detail::qnet_ops_closure(ops);
  return QOpResolver{ops,
                     (ops & kQOpGraph) != 0 ? &detail::kQGraphRuntime : nullptr,
                     {nullptr, nullptr, nullptr, nullptr,
                      detail::qnet_op_kernel(ops, QLayerKind::Conv2D),
                      detail::qnet_op_kernel(ops, QLayerKind::DepthwiseConv2D),
                      detail::qnet_op_kernel(ops, QLayerKind::AvgPool2D),
                      detail::qnet_op_kernel(ops, QLayerKind::MaxPool2D),
                      detail::qnet_op_kernel(ops, QLayerKind::Add),
                      detail::qnet_op_kernel(ops, QLayerKind::Softmax),
                      detail::qnet_op_kernel(ops, QLayerKind::Reshape),
                      detail::qnet_op_kernel(ops, QLayerKind::Mean)}};
}

/// A resolver with static storage for each op set, evaluated at compile
/// time (so it refers only to the enabled kinds' code): what to pass to
/// QNetCore::init and load_qmodel, e.g.
/// `load_qmodel(blob, n, storage, kQOpResolver<MODEL_OPS>)`. QNet<N, Ops>
/// uses kQOpResolver<Ops>.
template <QOps Ops>
inline constexpr QOpResolver kQOpResolver = qnet_resolver(Ops);

/// The resolver of qnet_default_ops(), in the library (what QNet<N>,
/// QNetCore::init and load_qmodel use when no resolver is named). Referring
/// to it links the code of every kind the default enables. O(1).
const QOpResolver& qnet_default_resolver() noexcept;

/// The kinds (and kQOpGraph) that `model` needs and `ops` lacks: 0 when a
/// QNet with that op set can run it. What to add after init or load_qmodel
/// returned CapacityExceeded for a disabled kind. O(num_layers).
constexpr QOps qnet_missing_ops(const QModel& model, QOps ops) noexcept {
  return qnet_model_ops(model) & ~detail::qnet_ops_closure(ops);
}

/// Checks a whole model without running it: layers non-null, counts >= 1,
/// the input shape (set and multiplying to input_dim, or all zero), and per
/// layer i: `input` in [0, i] or kQPrevious, and the layer valid against
/// the shape of the tensor it reads:
///   FullyConnected: fc.in_dim == its element count, starling::validate(fc)
///     (offsets, clamp, multiplier >= 0, shift in [−31, 30], non-null
///     multiplier and shift), weights non-null (bias may be null);
///   Lut: dim == element count, lut non-null;  Argmax: dim == element count,
///     last layer;
///   Conv2D, DepthwiseConv2D: validate(op.conv / op.dw) (layers.hpp),
///     batches == 1, (in_h, in_w, in_c) == the input shape, weights
///     non-null; AvgPool2D, MaxPool2D: validate(op.pool), batches == 1,
///     (in_h, in_w, channels) == the input shape;
///   Add: validate(op.add), input2 in [0, i], both shapes equal, size ==
///     their element count;  Softmax: validate(op.softmax), cols == c and
///     rows == h·w of the input shape;  Reshape: op.shape positive with the
///     input's element count;  Mean: validate(op.mean), batches == 1,
///     (in_h, in_w, channels) == the input shape;
///   any other kind: invalid.
/// Returns InvalidArgument for any of these, CapacityExceeded when a layer is
/// valid but too large for the kernels (the validate() functions' own
/// CapacityExceeded, e.g. fc.in_dim > kFcMaxInDim), Ok otherwise. It reads
/// the multiplier and shift arrays; weights, bias and LUT contents are never
/// checked (every int8/int32 value is valid). Time O(Σ per-channel counts +
/// num_layers²) (a tensor's shape is found by walking back through layers
/// that keep their input's shape); no memory. Checks every kind (kQOpsAll),
/// so calling it links every kind's checks (not their kernels).
[[nodiscard]] Status qnet_validate(const QModel& model) noexcept;
/// qnet_validate for a QNet whose op set is `ops`: the same checks for the
/// kinds `ops` enables, and CapacityExceeded when the model needs a kind or
/// the planned path that `ops` lacks (qnet_missing_ops(model, ops.ops) names
/// them), checked after the model's structure (counts, input shape, kinds,
/// tensor numbers: InvalidArgument) and before the layers' parameters.
/// Links only the checks of the enabled kinds.
[[nodiscard]] Status qnet_validate(const QModel& model, const QOpResolver& ops) noexcept;

namespace detail {
/// One step of qnet_validate for a straight FC/LUT/Argmax chain: checks
/// `layer` as the layer that receives `width` values (and is the last one
/// when `last`), and on Ok stores its output width in *out_width (an Argmax
/// passes `width` through). Shared with the version-1 blob loader. Same
/// statuses as qnet_validate.
[[nodiscard]] Status qnet_check_layer(const QLayer& layer, int width, bool last,
                                      int* out_width) noexcept;
/// One step of qnet_validate for any model: checks layer `index` (its
/// `input` and `input2` numbers against `index`, and its parameters against
/// the shapes `in` of tensor `input` and, for an Add, `in2` of tensor
/// `input2`; `last` when it is the last layer), and on Ok stores the shape
/// it produces in *out. Shared with the version-2 blob loader, which takes
/// the shapes from the blob's records. Same statuses as qnet_validate; a
/// kind that `ops` does not enable is CapacityExceeded (its parameters are
/// not checked).
[[nodiscard]] Status qnet_check_graph_layer(const QLayer& layer, int index, const QShape& in,
                                            const QShape& in2, bool last, QShape* out,
                                            const QOpResolver& ops) noexcept;
/// The planned path's friend: its functions (src/qnet_graph.cpp) plan and
/// run a QNetCore's graph.
struct QNetGraph;
}  // namespace detail

/// The network evaluator on caller-provided scratch memory (size-erased: one
/// copy of the code serves every arena size; QNet<N> wraps it with its own
/// array). It keeps a copy of the QModel, pointers to the arena and to the
/// op set's resolver, and sizes: sizeof is 64 bytes on 32-bit targets (96
/// on 64-bit).
///
/// Two ways to run, chosen at init:
///  * the ping-pong path (a straight chain of FullyConnected / Lut / Argmax
///    over a flat input): layer k reads the previous layer's buffer (the
///    caller's input for the first) and writes the other one;
///  * the planned path (everything else): init plans an offset for every
///    tensor, greedily, largest first, each at the lowest offset that does
///    not overlap a tensor alive at the same time (a tensor lives from the
///    layer that writes it to the last layer that reads it; a Reshape shares
///    its input's memory), and keeps the plan in the first 12·num_layers
///    bytes of the arena; then come batches × the planned tensor bytes, then
///    the convolution scratch.
/// Either way run() lets the last layer write straight into the caller's
/// output.
class QNetCore {
 public:
  /// Validates `model` (qnet_validate), plans the arena and binds `arena`
  /// (arena_bytes bytes, no alignment needed; overwritten by init and by
  /// every run; the plan at its start must stay untouched between runs).
  /// The arena must hold at least arena_bytes(1) after planning (at most
  /// qnet_arena_bytes(model, 1)); its size fixes max_batches().
  /// Returns qnet_validate's InvalidArgument / CapacityExceeded, or
  /// InvalidArgument for a null arena with arena_bytes > 0, CapacityExceeded
  /// when the arena is too small (required_arena_bytes() then says how
  /// much is needed). On failure the network is not ready (run/classify
  /// return NotReady) until a successful init.
  /// Time: qnet_validate's, plus O(num_layers³) for the plan; no memory
  /// beyond the object and the arena.
  /// Runs the kinds of qnet_default_ops() (qnet_default_resolver()): on
  /// firmware only FullyConnected / Lut / Argmax chains, and a model that
  /// needs more is CapacityExceeded; name an op set with the overload below.
  [[nodiscard]] Status init(const QModel& model, int8_t* arena, size_t arena_bytes) noexcept;
  /// init with the op set of `ops` (see QOpResolver): the model is checked
  /// by qnet_validate(model, ops), so a model that needs a kind `ops` does
  /// not enable is CapacityExceeded, with required_arena_bytes() 0 and
  /// qnet_missing_ops(model, ops.ops) naming the kinds. `ops` is kept by
  /// address and must outlive the network (a constexpr object with static
  /// storage; a temporary is refused at compile time). Otherwise as above.
  [[nodiscard]] Status init(const QModel& model, int8_t* arena, size_t arena_bytes,
                            const QOpResolver& ops) noexcept;
  Status init(const QModel&, int8_t*, size_t, const QOpResolver&&) = delete;

  /// Runs the network on `batches` samples: input [batches][input_dim()],
  /// output [batches][output_dim()] (a trailing Argmax is not applied: run()
  /// gives the scores, classify() the index). Input and output must not
  /// overlap each other or the arena. Returns NotReady before a successful
  /// init, InvalidArgument for null input/output or batches < 1,
  /// CapacityExceeded when batches > max_batches(); then nothing is written.
  /// Time: batches·(Σ multiply-adds of the FC and convolution layers + Σ
  /// LUT, pooling, Add, Softmax and Mean elements).
  [[nodiscard]] Status run(const int8_t* input, int8_t* output, int batches = 1) noexcept;

  /// Runs the network and writes, per sample, the index of the largest final
  /// score (the first index on ties, as TFLite's ARG_MAX) into cls[b], in
  /// [0, output_dim()). Works with or without a trailing Argmax layer. Same
  /// statuses as run() (null cls is InvalidArgument).
  /// Time: run()'s plus batches·output_dim() comparisons.
  [[nodiscard]] Status classify(const int8_t* input, int* cls, int batches = 1) noexcept;

  /// True after a successful init() (run() and classify() need it).
  bool ready() const noexcept { return ready_; }
  /// Values per input sample (0 before init).
  int input_dim() const noexcept { return ready_ ? model_.input_dim : 0; }
  /// Values per output sample of run(): the element count of the last
  /// layer's output before a trailing Argmax (0 before init).
  int output_dim() const noexcept { return ready_ ? out_dim_ : 0; }
  /// Largest `batches` the arena allows (0 before init).
  int max_batches() const noexcept { return ready_ ? max_batches_ : 0; }
  /// Arena bytes the bound model needs for `batches` samples, by the plan
  /// made at init (0 before init or for batches < 1; SIZE_MAX on overflow).
  /// O(1).
  size_t arena_bytes(int batches = 1) const noexcept;
  /// After init returned Ok or CapacityExceeded for a valid model: the
  /// arena bytes it needs for one sample (arena_bytes(1) on success). When
  /// the arena was too small even for the plan (12·num_layers bytes), the
  /// bound qnet_arena_bytes(model, 1) instead. 0 after other failures.
  size_t required_arena_bytes() const noexcept { return required_; }
  /// The model bound by the last successful init.
  const QModel& model() const noexcept { return model_; }
  /// The op set of the resolver given to the last init, whether it
  /// succeeded or not (kQOpsChain before the first init, and after an init
  /// with the firmware default): the kinds this network can run.
  QOps ops() const noexcept { return ops_ != nullptr ? ops_->ops : kQOpsChain; }

 private:
  friend struct detail::QNetGraph;  // the planned path (src/qnet_graph.cpp)
  // Runs every FC/LUT layer; the last one writes into `last_out` (the
  // caller's output, or the arena for classify). Returns where it wrote.
  Status forward(const int8_t* input, int8_t* last_out, int batches,
                 const int8_t** result) noexcept;
  // init with the op set of *ops; null: the FC/LUT/argmax chain alone.
  Status init_with(const QModel& model, int8_t* arena, size_t arena_bytes,
                   const QOpResolver* ops) noexcept;

  QModel model_{nullptr, 0, 0};
  const QOpResolver* ops_ = nullptr;  // null: the FC/LUT/argmax chain alone
  int8_t* arena_ = nullptr;
  size_t width_ = 0;      // ping-pong: widest FC/LUT output, per sample
  size_t tensor_bytes_ = 0;  // planned: bytes of tensors per sample
  size_t scratch_ = 0;       // planned: convolution scratch bytes
  size_t required_ = 0;
  int out_dim_ = 0;
  int compute_layers_ = 0;  // layers before a trailing Argmax
  int max_batches_ = 0;
  bool graph_ = false;
  bool ready_ = false;
};

/// QNetCore with its arena inside the object: sizeof = sizeof(QNetCore) +
/// ArenaBytes rounded up to the alignment of QNetCore (no extra alignment:
/// the kernels read int8 and take any scratch alignment).
/// ArenaBytes >= qnet_arena_bytes(model, batches) for the batches you run
/// (or QNetCore::arena_bytes(batches) as reported by a trial init).
/// Ops: the layer kinds it runs (a QOps, see QOpResolver), fixed at compile
/// time so that the image links only their code; kQOpsDefault (the default)
/// takes the library's qnet_default_ops(): every kind on an operating
/// system, FullyConnected / Lut / Argmax chains on firmware. A firmware that
/// runs a convolutional model names its kinds, e.g.
/// `QNet<MODEL_ARENA_BYTES, MODEL_OPS>` with the constants of the header
/// tools/tflite_import.py writes, or
/// `QNet<qnet_arena_bytes(kModel), qnet_model_ops(kModel)>`.
/// Not copyable (the core points into this object's own array).
template <size_t ArenaBytes, QOps Ops = kQOpsDefault>
class QNet {
  static_assert(ArenaBytes <= (static_cast<size_t>(1) << 30), "arena capacity too large");

 public:
  QNet() = default;
  QNet(const QNet&) = delete;
  QNet& operator=(const QNet&) = delete;

  /// The arena size this QNet owns (the template argument), in bytes.
  static constexpr size_t kArenaBytes = ArenaBytes;
  /// The op set named by the template argument (kQOpsDefault: the library's).
  static constexpr QOps kOps = Ops;

  /// QNetCore::init on the owned arena with this QNet's op set (same
  /// statuses; CapacityExceeded for a model that needs a kind outside it).
  [[nodiscard]] Status init(const QModel& model) noexcept {
    if constexpr (Ops == kQOpsDefault) {
      return core_.init(model, arena_, ArenaBytes);
    } else {
      return core_.init(model, arena_, ArenaBytes, kQOpResolver<Ops>);
    }
  }
  /// QNetCore::run (same statuses).
  [[nodiscard]] Status run(const int8_t* input, int8_t* output, int batches = 1) noexcept {
    return core_.run(input, output, batches);
  }
  /// QNetCore::classify (same statuses).
  [[nodiscard]] Status classify(const int8_t* input, int* cls, int batches = 1) noexcept {
    return core_.classify(input, cls, batches);
  }
  /// QNetCore::ready: true after a successful init().
  bool ready() const noexcept { return core_.ready(); }
  /// QNetCore::input_dim: values per input sample (0 before init).
  int input_dim() const noexcept { return core_.input_dim(); }
  /// QNetCore::output_dim: values per output sample of run() (0 before init).
  int output_dim() const noexcept { return core_.output_dim(); }
  /// QNetCore::max_batches: the most samples one run() takes in this arena.
  int max_batches() const noexcept { return core_.max_batches(); }
  /// QNetCore::arena_bytes.
  size_t arena_bytes(int batches = 1) const noexcept { return core_.arena_bytes(batches); }
  /// The size-erased core, for code that takes any QNet (e.g. an objective).
  QNetCore& core() noexcept { return core_; }
  /// QNetCore::ops: the op set bound by the last init.
  QOps ops() const noexcept { return core_.ops(); }

 private:
  QNetCore core_;
  int8_t arena_[ArenaBytes > 0 ? ArenaBytes : 1];
};

// ---------------------------------------------------------------------------
// Look-up-table activations.
//
// For each int8 input q (entry q + 128):
//   real = (double)in_scale · (q − in_zp);  y = f(real)
//   out  = clamp(round_half_away(y / (double)out_scale) + out_zp, −128, 127)
// All in double so that a table built on the device equals one built on the
// desktop. Bit-exactness across targets needs f itself to be portable: the
// ready-made tables use portable_exp (basic IEEE operations only), not libm,
// whose exp/tanh differ between C libraries in the last bit. y = NaN maps to
// out_zp (real 0); ±inf saturate.

/// Returns Ok when the LUT quantization parameters are usable: scales finite
/// and > 0, zero points in [−128, 127]; InvalidArgument otherwise. O(1).
[[nodiscard]] Status lut_params_check(float in_scale, int32_t in_zp, float out_scale,
                                      int32_t out_zp) noexcept;

namespace detail {
/// clamp(round_half_away(y / out_scale) + out_zp, −128, 127); NaN y → out_zp.
int8_t lut_quantize(double y, float out_scale, int32_t out_zp) noexcept;
}  // namespace detail

/// Fills lut[256] with f over every int8 input (formula above). F is any
/// callable double(double) (a lambda, a function; no std::function).
/// Returns InvalidArgument (nothing written) for a null lut or parameters
/// that lut_params_check rejects. O(256 calls of f); no memory.
template <class F>
[[nodiscard]] Status make_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                              F&& f, int8_t* lut) noexcept {
  if (lut == nullptr) return Status::InvalidArgument;
  const Status s = lut_params_check(in_scale, in_zp, out_scale, out_zp);
  if (s != Status::Ok) return s;
  for (int32_t i = 0; i < 256; ++i) {
    const double real = static_cast<double>(in_scale) * static_cast<double>(i - 128 - in_zp);
    lut[i] = detail::lut_quantize(static_cast<double>(f(real)), out_scale, out_zp);
  }
  return Status::Ok;
}

/// e^x from IEEE-754 basic operations only (+ − × ÷, floor, ldexp), so it is
/// bit-identical on every target; within 2 ulp of the exact value (tested
/// against libm). Overflow gives +inf (x > 709.78), underflow 0, NaN → NaN.
/// O(1).
double portable_exp(double x) noexcept;
/// tanh(x) from portable_exp: absolute error below 1e-15. O(1).
double portable_tanh(double x) noexcept;
/// Logistic 1 / (1 + e^−x) from portable_exp: absolute error below 1e-15. O(1).
double portable_sigmoid(double x) noexcept;

/// make_lut with portable_tanh. Typical TFLite parameters: out_scale = 1/128,
/// out_zp = 0. Same statuses as make_lut.
[[nodiscard]] Status make_tanh_lut(float in_scale, int32_t in_zp, float out_scale,
                                   int32_t out_zp, int8_t* lut) noexcept;
/// make_lut with portable_sigmoid. Typical TFLite parameters: out_scale =
/// 1/256, out_zp = −128. Same statuses as make_lut.
[[nodiscard]] Status make_sigmoid_lut(float in_scale, int32_t in_zp, float out_scale,
                                      int32_t out_zp, int8_t* lut) noexcept;
/// Hard step: y = y_hi for real >= threshold, else y_lo (a hard threshold
/// objective or a binary neuron). Returns InvalidArgument for a
/// non-finite threshold, y_lo or y_hi, otherwise as make_lut.
[[nodiscard]] Status make_step_lut(float in_scale, int32_t in_zp, float out_scale,
                                   int32_t out_zp, double threshold, double y_lo, double y_hi,
                                   int8_t* lut) noexcept;
/// Staircase of `levels` equal steps over [x_lo, x_hi]:
///   k = clamp(floor((real − x_lo) / (x_hi − x_lo) · levels), 0, levels − 1)
///   y = y_lo + (y_hi − y_lo) · k / (levels − 1)
/// (levels = 2 is a step at the middle of [x_lo, x_hi]). Returns
/// InvalidArgument for levels outside [2, 256], a non-finite bound or
/// x_lo >= x_hi, otherwise as make_lut.
[[nodiscard]] Status make_staircase_lut(float in_scale, int32_t in_zp, float out_scale,
                                        int32_t out_zp, int levels, double x_lo, double x_hi,
                                        double y_lo, double y_hi, int8_t* lut) noexcept;

// ---------------------------------------------------------------------------
// Gradient-free training.

/// Writes a particle position (n floats, e.g. Pso::ask()) into a mutable int8
/// weight buffer: weights[i] = clamp(round_half_away(position[i]), −127, 127)
/// (±inf saturate, NaN → 0). −128 is left out to keep weights symmetric, as
/// the TFLite spec wants. Searching directly on the integer lattice means no
/// float copy of the model: the QModel's weight pointers refer to `weights`
/// and the next run() sees the new values without init(). Null pointers or
/// n <= 0 write nothing. O(n); no memory.
void to_int8_lattice(const float* position, int n, int8_t* weights) noexcept;

}  // namespace starling
