// SPDX-License-Identifier: MIT
// QNet: int8 network over a ping-pong arena (FullyConnected / Lut / Argmax
// chains; the planned path for other models is reached through the op
// resolver, src/qnet_graph.cpp); mean_s8; LUT builders; lattice helper.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/qnet.hpp"

#include <climits>
#include <cmath>
#include <cstring>

#include "starling/detail/qnet_graph.hpp"

namespace starling {

namespace {

constexpr size_t kPlanEntryBytes = 12;  // the planned path's per-layer record (qnet_graph.cpp)

// The library's default op set (qnet_default_ops): every kind where an
// operating system gives room, the FullyConnected / Lut / Argmax chain on
// firmware, so that a firmware image that never names an op set links no
// graph kernel.
#if defined(STARLING_HOSTED_ENV) || defined(__linux__) || defined(_WIN32) || defined(__APPLE__)
#define STARLING_QNET_DEFAULT_ALL 1
constexpr QOps kDefaultOps = kQOpsAll;
#else
#define STARLING_QNET_DEFAULT_ALL 0
constexpr QOps kDefaultOps = kQOpsChain;
#endif

// Adds without overflow: SIZE_MAX on overflow.
size_t sat_add(size_t a, size_t b) noexcept {
  return a > static_cast<size_t>(-1) - b ? static_cast<size_t>(-1) : a + b;
}
size_t sat_mul(size_t a, size_t b) noexcept {
  return b != 0 && a > static_cast<size_t>(-1) / b ? static_cast<size_t>(-1) : a * b;
}

}  // namespace

namespace detail {

Status qnet_check_layer(const QLayer& layer, int width, bool last, int* out_width) noexcept {
  if (out_width == nullptr || width < 1) return Status::InvalidArgument;
  switch (layer.kind) {
    case QLayerKind::FullyConnected: {
      if (layer.fc.in_dim != width || layer.weights == nullptr) return Status::InvalidArgument;
      const Status s = validate(layer.fc);
      if (s != Status::Ok) return s;
      *out_width = layer.fc.out_dim;
      return Status::Ok;
    }
    case QLayerKind::Lut:
      if (layer.dim != width || layer.lut == nullptr) return Status::InvalidArgument;
      *out_width = width;
      return Status::Ok;
    case QLayerKind::Argmax:
      if (layer.dim != width || !last) return Status::InvalidArgument;
      *out_width = width;
      return Status::Ok;
    default:
      break;
  }
  return Status::InvalidArgument;
}

}  // namespace detail

Status validate(const MeanParams& p) noexcept {
  if (p.batches < 1 || p.in_h < 1 || p.in_w < 1 || p.channels < 1) return Status::InvalidArgument;
  if (p.input_offset < -127 || p.input_offset > 128 || p.output_offset < -128 ||
      p.output_offset > 127 || p.multiplier < 0 || p.shift < kMinShift || p.shift > kMaxShift) {
    return Status::InvalidArgument;
  }
  const long long window = static_cast<long long>(p.in_h) * p.in_w;
  if (window > kPoolMaxWindow) return Status::CapacityExceeded;
  const long long total = window * p.channels;
  if (total > PTRDIFF_MAX / p.batches) return Status::CapacityExceeded;
  return Status::Ok;
}

Status mean_s8(const MeanParams& p, const int8_t* input, int8_t* output) noexcept {
  const Status st = validate(p);
  if (st != Status::Ok) return st;
  if (input == nullptr || output == nullptr) return Status::InvalidArgument;
  const int32_t n = p.in_h * p.in_w;  // <= kPoolMaxWindow
  // The reference folds 1/n into the multiplier: s = floor(log2 n), capped
  // so that the product fits and the new shift stays >= -31.
  int s = 31 - __builtin_clz(static_cast<unsigned>(n));
  if (s > 32) s = 32;
  if (s > 31 + p.shift) s = 31 + p.shift;
  const int32_t mult =
      static_cast<int32_t>((static_cast<int64_t>(p.multiplier) << s) / static_cast<int64_t>(n));
  const int shift = p.shift - s;
  const size_t hw = static_cast<size_t>(n);
  const size_t c = static_cast<size_t>(p.channels);
  for (size_t b = 0; b < static_cast<size_t>(p.batches); ++b) {
    const int8_t* in = input + b * hw * c;
    for (size_t ch = 0; ch < c; ++ch) {
      // |sum| <= 128·2^20 and |offset·n| <= 128·2^20: exact in int32.
      int32_t sum = 0;
      for (size_t k = 0; k < hw; ++k) sum += in[k * c + ch];
      sum += p.input_offset * n;
      int32_t v = requantize(sum, mult, shift);
      v = static_cast<int32_t>(static_cast<uint32_t>(v) + static_cast<uint32_t>(p.output_offset));
      output[b * c + ch] = static_cast<int8_t>(v < -128 ? -128 : v > 127 ? 127 : v);
    }
  }
  return Status::Ok;
}

namespace {

// qnet_validate with the op set of *ops, or the chain alone when ops is
// null (what a firmware that names no op set uses: no resolver object, no
// graph code linked). *chain: the model is a straight FullyConnected / Lut /
// Argmax chain over a flat input (the ping-pong path). One pass checks the
// structure (kinds, tensor numbers), so that a malformed model is
// InvalidArgument whatever the op set, and finds the chain and the kinds
// needed; then a kind the op set lacks is CapacityExceeded (its code is not
// linked). The pass is qnet_is_chain and qnet_model_ops folded into the
// checks, so that an FC-only firmware carries one small loop.
Status validate_with(const QModel& model, const QOpResolver* ops, bool* chain) noexcept {
  if (model.layers == nullptr || model.num_layers < 1 || model.input_dim < 1) {
    return Status::InvalidArgument;
  }
  const bool flat = model.input_h == 0 && model.input_w == 0 && model.input_c == 0;
  if (!flat && (model.input_h < 1 || model.input_w < 1 || model.input_c < 1 ||
                static_cast<long long>(model.input_h) * model.input_w * model.input_c !=
                    model.input_dim)) {
    return Status::InvalidArgument;
  }
  bool straight = model.input_h <= 1 && model.input_w <= 1;
  QOps need = 0;
  // The chain's own checks run while the model still looks like a chain;
  // their first failure counts only if it stays one to the end.
  Status chain_status = Status::Ok;
  int width = model.input_dim;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    const unsigned k = static_cast<unsigned>(l.kind);
    if (k < 1 || k > 11) return Status::InvalidArgument;
    if (l.input != kQPrevious && (l.input < 0 || l.input > i)) return Status::InvalidArgument;
    if (l.kind == QLayerKind::Add ? (l.input2 < 0 || l.input2 > i) : l.input2 != 0) {
      return Status::InvalidArgument;
    }
    // FullyConnected, Lut, Argmax are kinds 1..3 (kQOpsChain).
    straight = straight && k <= 3 && (l.input == kQPrevious || l.input == i);
    need |= QOps{1} << k;
    if (straight && chain_status == Status::Ok) {
      chain_status = detail::qnet_check_layer(l, width, i == model.num_layers - 1, &width);
    }
  }
  *chain = straight;
  if (straight) return chain_status;
  if (ops == nullptr || ops->graph == nullptr || ((need | kQOpGraph) & ~ops->ops) != 0) {
    return Status::CapacityExceeded;
  }
  return ops->graph->validate(model, *ops);
}

}  // namespace

Status qnet_validate(const QModel& model, const QOpResolver& ops) noexcept {
  bool chain = false;
  return validate_with(model, &ops, &chain);
}

QOps qnet_default_ops() noexcept { return kDefaultOps; }
const QOpResolver& qnet_default_resolver() noexcept { return kQOpResolver<kDefaultOps>; }

Status QNetCore::init(const QModel& model, int8_t* arena, size_t arena_bytes) noexcept {
#if STARLING_QNET_DEFAULT_ALL
  return init_with(model, arena, arena_bytes, &kQOpResolver<kQOpsAll>);
#else
  return init_with(model, arena, arena_bytes, nullptr);
#endif
}

Status QNetCore::init(const QModel& model, int8_t* arena, size_t arena_bytes,
                      const QOpResolver& ops) noexcept {
  return init_with(model, arena, arena_bytes, &ops);
}

Status QNetCore::init_with(const QModel& model, int8_t* arena, size_t arena_bytes,
                           const QOpResolver* ops) noexcept {
  ready_ = false;
  required_ = 0;
  ops_ = ops;
  bool chain = false;
  const Status s = validate_with(model, ops, &chain);
  if (s != Status::Ok) return s;
  if (arena == nullptr && arena_bytes > 0) return Status::InvalidArgument;

  model_ = model;
  arena_ = arena;
  const bool trailing_argmax = model.layers[model.num_layers - 1].kind == QLayerKind::Argmax;
  compute_layers_ = model.num_layers - (trailing_argmax ? 1 : 0);
  graph_ = !chain;
  if (graph_) {
    const Status ps = ops->graph->plan(*this, arena_bytes);
    if (ps != Status::Ok) return ps;
    ready_ = true;
    return Status::Ok;
  }

  // Ping-pong: two buffers of the widest FC/LUT output (qnet_arena_bytes'
  // chain formula); the widest of input, activations and output bounds
  // batches·width so that every index the kernels form stays within int.
  int width = 0, widest = model.input_dim, out = model.input_dim;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    const int w = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim : l.dim;
    if (l.kind != QLayerKind::Argmax && w > width) width = w;
    if (w > widest) widest = w;
    if (i < compute_layers_) out = w;
  }
  const size_t need = 2 * static_cast<size_t>(width);
  required_ = need;
  if (arena_bytes < need) return Status::CapacityExceeded;
  out_dim_ = out;
  width_ = static_cast<size_t>(width);
  size_t max_b = static_cast<size_t>(INT_MAX) / static_cast<size_t>(widest);
  if (need > 0 && arena_bytes / need < max_b) max_b = arena_bytes / need;
  max_batches_ = static_cast<int>(max_b);
  ready_ = true;
  return Status::Ok;
}

size_t QNetCore::arena_bytes(int batches) const noexcept {
  if (!ready_ || batches < 1) return 0;
  const size_t b = static_cast<size_t>(batches);
  if (!graph_) return sat_mul(sat_mul(width_, 2), b);
  const size_t head = static_cast<size_t>(model_.num_layers) * kPlanEntryBytes;
  return sat_add(sat_add(head, sat_mul(tensor_bytes_, b)), scratch_);
}

Status QNetCore::forward(const int8_t* input, int8_t* last_out, int batches,
                         const int8_t** result) noexcept {
  if (graph_) return ops_->graph->forward(*this, input, last_out, batches, result);
  const size_t buf = width_ * static_cast<size_t>(batches);
  int8_t* ping[2] = {arena_, arena_ + buf};
  const int8_t* cur = input;
  int width = model_.input_dim;
  for (int i = 0; i < compute_layers_; ++i) {
    const QLayer& l = model_.layers[i];
    int8_t* dst = i == compute_layers_ - 1 ? last_out : ping[i & 1];
    if (l.kind == QLayerKind::FullyConnected) {
      const Status s = fully_connected_s8(l.fc, cur, l.weights, l.bias, dst, batches);
      if (s != Status::Ok) return s;  // unreachable after init's validation
      width = l.fc.out_dim;
    } else {
      const size_t n = static_cast<size_t>(width) * static_cast<size_t>(batches);
      const int8_t* lut = l.lut;
      for (size_t j = 0; j < n; ++j) dst[j] = lut[cur[j] + 128];
    }
    cur = dst;
  }
  *result = cur;  // the input itself when the model is only an Argmax
  return Status::Ok;
}

Status QNetCore::run(const int8_t* input, int8_t* output, int batches) noexcept {
  if (!ready_) return Status::NotReady;
  if (input == nullptr || output == nullptr || batches < 1) return Status::InvalidArgument;
  if (batches > max_batches_) return Status::CapacityExceeded;
  const int8_t* result = nullptr;
  const Status s = forward(input, output, batches, &result);
  if (s != Status::Ok) return s;
  if (result != output) {
    // Argmax-only model: the scores are the input.
    std::memmove(output, result, static_cast<size_t>(out_dim_) * static_cast<size_t>(batches));
  }
  return Status::Ok;
}

Status QNetCore::classify(const int8_t* input, int* cls, int batches) noexcept {
  if (!ready_) return Status::NotReady;
  if (input == nullptr || cls == nullptr || batches < 1) return Status::InvalidArgument;
  if (batches > max_batches_) return Status::CapacityExceeded;
  // Ping-pong: the last layer writes into whichever half the previous layer
  // did not (with one compute layer, the first half). Planned: the final
  // tensor stays in its slot.
  int8_t* last = graph_ ? nullptr
                        : arena_ + (compute_layers_ & 1 ? 0 : width_ * static_cast<size_t>(batches));
  const int8_t* scores = nullptr;
  const Status s = forward(input, last, batches, &scores);
  if (s != Status::Ok) return s;
  for (int b = 0; b < batches; ++b) {
    const int8_t* row = scores + static_cast<size_t>(b) * static_cast<size_t>(out_dim_);
    int best = 0;
    for (int i = 1; i < out_dim_; ++i) {
      if (row[i] > row[best]) best = i;
    }
    cls[b] = best;
  }
  return Status::Ok;
}

// ---------------------------------------------------------------------------

Status lut_params_check(float in_scale, int32_t in_zp, float out_scale,
                        int32_t out_zp) noexcept {
  // !(x > 0) also rejects NaN.
  if (!(in_scale > 0.0f) || !(out_scale > 0.0f) || std::isinf(in_scale) ||
      std::isinf(out_scale)) {
    return Status::InvalidArgument;
  }
  if (in_zp < -128 || in_zp > 127 || out_zp < -128 || out_zp > 127) {
    return Status::InvalidArgument;
  }
  return Status::Ok;
}

namespace detail {

int8_t lut_quantize(double y, float out_scale, int32_t out_zp) noexcept {
  double v = y / static_cast<double>(out_scale);
  if (std::isnan(v)) v = 0.0;
  // Anything beyond ±1024 saturates anyway; clamping first keeps the
  // conversion to int defined for ±inf and huge values.
  if (v > 1024.0) v = 1024.0;
  if (v < -1024.0) v = -1024.0;
  const int32_t q = static_cast<int32_t>(std::round(v)) + out_zp;  // round: ties away
  return static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
}

}  // namespace detail

double portable_exp(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x > 709.782712893384) return HUGE_VAL;
  if (x < -745.2) return 0.0;
  // x = k·ln2 + r with |r| <= ln2/2. ln2 is split Cody–Waite style (the
  // fdlibm constants): kLn2Hi has its low 21 bits zero, so k·kLn2Hi is exact
  // for every |k| <= 1075 reached here and r keeps full precision.
  constexpr double kInvLn2 = 1.44269504088896338700e+00;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double kd = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - kd * kLn2Hi) - kd * kLn2Lo;
  // Taylor series of e^r to r^14/14!: the first omitted term is below
  // 0.35^15/15! ≈ 1e-19, far under half an ulp.
  double p = 1.0 / 87178291200.0;  // 1/14!
  constexpr double kInvFact[14] = {
      1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
      1.0 / 362880.0,     1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,
      1.0 / 120.0,        1.0 / 24.0,        1.0 / 6.0,        1.0 / 2.0,
      1.0,                1.0};
  for (double c : kInvFact) p = p * r + c;
  // ldexp is exact (or correctly rounded into the subnormals) everywhere.
  return std::ldexp(p, static_cast<int>(kd));
}

double portable_tanh(double x) noexcept {
  if (std::isnan(x)) return x;
  const double a = std::fabs(x);
  // tanh(22) rounds to 1 in double.
  const double t = a > 22.0 ? 1.0 : 1.0 - 2.0 / (portable_exp(2.0 * a) + 1.0);
  return x < 0 ? -t : t;
}

double portable_sigmoid(double x) noexcept {
  if (std::isnan(x)) return x;
  return 1.0 / (1.0 + portable_exp(-x));
}

Status make_tanh_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                     int8_t* lut) noexcept {
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [](double x) { return portable_tanh(x); }, lut);
}

Status make_sigmoid_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                        int8_t* lut) noexcept {
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [](double x) { return portable_sigmoid(x); }, lut);
}

Status make_step_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                     double threshold, double y_lo, double y_hi, int8_t* lut) noexcept {
  if (!std::isfinite(threshold) || !std::isfinite(y_lo) || !std::isfinite(y_hi)) {
    return Status::InvalidArgument;
  }
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [=](double x) { return x >= threshold ? y_hi : y_lo; }, lut);
}

Status make_staircase_lut(float in_scale, int32_t in_zp, float out_scale, int32_t out_zp,
                          int levels, double x_lo, double x_hi, double y_lo, double y_hi,
                          int8_t* lut) noexcept {
  if (levels < 2 || levels > 256 || !std::isfinite(x_lo) || !std::isfinite(x_hi) ||
      !(x_lo < x_hi) || !std::isfinite(y_lo) || !std::isfinite(y_hi)) {
    return Status::InvalidArgument;
  }
  const double n = static_cast<double>(levels);
  return make_lut(in_scale, in_zp, out_scale, out_zp,
                  [=](double x) {
                    double k = std::floor((x - x_lo) / (x_hi - x_lo) * n);
                    if (k < 0.0) k = 0.0;
                    if (k > n - 1.0) k = n - 1.0;
                    return y_lo + (y_hi - y_lo) * k / (n - 1.0);
                  },
                  lut);
}

void to_int8_lattice(const float* position, int n, int8_t* weights) noexcept {
  if (position == nullptr || weights == nullptr) return;
  for (int i = 0; i < n; ++i) {
    const float x = position[i];
    int8_t w = 0;  // NaN
    if (x >= 127.0f) {
      w = 127;
    } else if (x <= -127.0f) {
      w = -127;
    } else if (x == x) {
      w = static_cast<int8_t>(std::round(x));  // ties away from zero; |x| < 127 fits
    }
    weights[i] = w;
  }
}

}  // namespace starling
