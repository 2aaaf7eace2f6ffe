// SPDX-License-Identifier: MIT
// starling/qnet.hpp: an int8 network (fully connected layers, element-wise
// look-up-table activations, argmax) evaluated with TFLite int8 arithmetic
// over a scratch arena; no heap.
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
// The model is plain const data (aggregates of ints and pointers) so that a
// generated header can put it in flash. Only the `const` in the pointers is
// the network's promise not to write; a pointer may just as well refer to a
// RAM buffer that an optimizer rewrites between inferences (see
// to_int8_lattice): weights and LUT entries are read afresh on every run.
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/quant.hpp"
#include "starling/status.hpp"

namespace starling {

/// What a layer computes. The values are also the blob format's kind codes
/// (qmodel.hpp); 0 is left invalid so that a zeroed layer is rejected.
enum class QLayerKind : uint8_t {
  FullyConnected = 1,  ///< fully_connected_s8 with `fc`, `weights`, `bias`
  Lut = 2,             ///< out[i] = lut[in[i] + 128], element-wise over `dim` values
  Argmax = 3,          ///< index of the largest of `dim` values; only as the last layer
};

/// One layer. Build it with qnet_fc / qnet_lut / qnet_argmax (constexpr) or
/// aggregate-initialize it; unused members stay zero/null. sizeof: 60 bytes
/// on 32-bit targets (96 on 64-bit ones; FcParams includes the kernel_sums
/// pointer); the arrays it points to are not copied.
struct QLayer {
  QLayerKind kind;  ///< which layer this is; selects the members below that apply
  /// FullyConnected: shapes, offsets, requantization and clamp (see FcParams
  /// for the ranges; ReLU is act_min = output_offset, ReLU6 additionally
  /// act_max = output_offset + round(6/out_scale)). Other kinds: unused.
  FcParams fc;
  /// FullyConnected: fc.out_dim·fc.in_dim int8, row-major, one row per output
  /// (weights[o·in_dim + i]). May point to a RAM buffer that changes between runs.
  const int8_t* weights;
  /// FullyConnected: fc.out_dim int32 (scale in_scale·w_scale, zero point 0),
  /// or nullptr for no bias.
  const int32_t* bias;
  /// Lut: 256 int8, indexed by q + 128 (lut[0] is the output for q = −128),
  /// the TFLite int8 LUT convention. Build with make_lut and friends.
  const int8_t* lut;
  /// Lut and Argmax: width, must equal the previous layer's output width.
  int dim;
};

/// A network: `num_layers` layers applied in order to `input_dim` int8 values.
/// Both counts are >= 1. The layers (and everything they point to) must
/// outlive every QNet initialized with the model.
struct QModel {
  const QLayer* layers;  ///< num_layers layers, applied in order
  int num_layers;        ///< >= 1
  int input_dim;         ///< int8 values per input sample, >= 1
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

/// Scratch bytes a QNet needs to run `model` on `batches` samples at once:
/// two ping-pong buffers of batches·W int8 each, W the widest output of any
/// fully-connected or LUT layer (an Argmax adds nothing). A model of only an
/// Argmax needs 0. constexpr, so `QNet<qnet_arena_bytes(kModel)>` sizes the
/// arena at compile time for a constexpr model.
/// Meaningful for a model that qnet_validate accepts; for others it reads
/// only the first num_layers layers (none if layers is null), ignores
/// non-positive widths and saturates at SIZE_MAX instead of overflowing.
/// O(num_layers); no memory.
constexpr size_t qnet_arena_bytes(const QModel& model, int batches = 1) noexcept {
  if (model.layers == nullptr || batches < 1) return 0;
  size_t width = 0;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    const int w = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim
                  : l.kind == QLayerKind::Lut          ? l.dim
                                                       : 0;
    if (w > 0 && static_cast<size_t>(w) > width) width = static_cast<size_t>(w);
  }
  const size_t b = static_cast<size_t>(batches);
  if (width != 0 && b > static_cast<size_t>(-1) / 2 / width) return static_cast<size_t>(-1);
  return 2 * b * width;
}

/// Checks a whole model without running it: layers non-null, counts >= 1,
/// every layer valid and the widths chained (each layer's input width is the
/// previous output width, the first one input_dim). Per layer:
///   FullyConnected: fc.in_dim == width, starling::validate(fc) (offsets,
///     clamp, multiplier >= 0, shift in [−31, 30], non-null multiplier and
///     shift), weights non-null (bias may be null);
///   Lut: dim == width, lut non-null;  Argmax: dim == width, last layer;
///   any other kind: invalid.
/// Returns InvalidArgument for any of these, CapacityExceeded when a layer is
/// valid but too large for the kernels (fc.in_dim > kFcMaxInDim, or
/// in_dim·out_dim not addressable), Ok otherwise. It reads the multiplier
/// and shift arrays; weights, bias and LUT contents are never checked (every
/// int8/int32 value is valid). O(Σ out_dim of per-channel layers + num_layers);
/// no memory.
[[nodiscard]] Status qnet_validate(const QModel& model) noexcept;

namespace detail {
/// One step of qnet_validate: checks `layer` as the layer that receives
/// `width` values (and is the last one when `last`), and on Ok stores its
/// output width in *out_width (an Argmax passes `width` through). Shared with
/// the blob loader. Same statuses as qnet_validate.
[[nodiscard]] Status qnet_check_layer(const QLayer& layer, int width, bool last,
                                      int* out_width) noexcept;
}  // namespace detail

/// The network evaluator on caller-provided scratch memory (size-erased: one
/// copy of the code serves every arena size; QNet<N> wraps it with its own
/// array). It keeps a copy of the QModel (three words), pointers to the
/// arena, and sizes: sizeof is 36 bytes on 32-bit targets (48 on 64-bit).
///
/// Ping-pong: layer k reads the previous layer's buffer (the caller's input
/// for the first) and writes the other one; run() lets the last layer write
/// straight into the caller's output.
class QNetCore {
 public:
  /// Validates `model` (qnet_validate) and binds `arena` (arena_bytes bytes,
  /// no alignment needed; it is overwritten by every run). The arena must
  /// hold at least qnet_arena_bytes(model, 1); its size fixes max_batches().
  /// Returns qnet_validate's InvalidArgument / CapacityExceeded, or
  /// InvalidArgument for a null arena with arena_bytes > 0, CapacityExceeded
  /// when arena_bytes < qnet_arena_bytes(model, 1). On failure the network is
  /// not ready (run/classify return NotReady) until a successful init.
  /// O(qnet_validate); no memory beyond the object.
  [[nodiscard]] Status init(const QModel& model, int8_t* arena, size_t arena_bytes) noexcept;

  /// Runs the network on `batches` samples: input [batches][input_dim()],
  /// output [batches][output_dim()] (a trailing Argmax is not applied: run()
  /// gives the scores, classify() the index). Input and output must not
  /// overlap each other or the arena. Returns NotReady before a successful
  /// init, InvalidArgument for null input/output or batches < 1,
  /// CapacityExceeded when batches > max_batches(); then nothing is written.
  /// Time: batches·(Σ_FC in_dim·out_dim multiply-adds + Σ_LUT dim look-ups).
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
  /// Values per output sample of run(): the last FC/LUT width (0 before init).
  int output_dim() const noexcept { return ready_ ? out_dim_ : 0; }
  /// Largest `batches` the arena allows (0 before init).
  int max_batches() const noexcept { return ready_ ? max_batches_ : 0; }
  /// The model bound by the last successful init.
  const QModel& model() const noexcept { return model_; }

 private:
  // Runs every FC/LUT layer; the last one writes into `last_out` (the
  // caller's output, or the arena for classify). Returns where it wrote.
  Status forward(const int8_t* input, int8_t* last_out, int batches,
                 const int8_t** result) noexcept;

  QModel model_{nullptr, 0, 0};
  int8_t* arena_ = nullptr;
  size_t width_ = 0;      // widest FC/LUT output, per sample
  int out_dim_ = 0;
  int compute_layers_ = 0;  // layers before a trailing Argmax
  int max_batches_ = 0;
  bool ready_ = false;
};

/// QNetCore with its arena inside the object: sizeof = sizeof(QNetCore) +
/// ArenaBytes rounded up to 4 (no extra alignment: the kernels read int8).
/// ArenaBytes >= qnet_arena_bytes(model, batches) for the batches you run.
/// Not copyable (the core points into this object's own array).
template <size_t ArenaBytes>
class QNet {
  static_assert(ArenaBytes <= (static_cast<size_t>(1) << 30), "arena capacity too large");

 public:
  QNet() = default;
  QNet(const QNet&) = delete;
  QNet& operator=(const QNet&) = delete;

  /// The arena size this QNet owns (the template argument), in bytes.
  static constexpr size_t kArenaBytes = ArenaBytes;

  /// QNetCore::init on the owned arena (same statuses).
  [[nodiscard]] Status init(const QModel& model) noexcept {
    return core_.init(model, arena_, ArenaBytes);
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
  /// The size-erased core, for code that takes any QNet (e.g. an objective).
  QNetCore& core() noexcept { return core_; }

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
