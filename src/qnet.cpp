// QNet: int8 network over a ping-pong arena; LUT builders; lattice helper.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/qnet.hpp"

#include <climits>
#include <cmath>
#include <cstring>

namespace starling {

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
  }
  return Status::InvalidArgument;
}

}  // namespace detail

Status qnet_validate(const QModel& model) noexcept {
  if (model.layers == nullptr || model.num_layers < 1 || model.input_dim < 1) {
    return Status::InvalidArgument;
  }
  int width = model.input_dim;
  for (int i = 0; i < model.num_layers; ++i) {
    int next = 0;
    const Status s =
        detail::qnet_check_layer(model.layers[i], width, i == model.num_layers - 1, &next);
    if (s != Status::Ok) return s;
    width = next;
  }
  return Status::Ok;
}

Status QNetCore::init(const QModel& model, int8_t* arena, size_t arena_bytes) noexcept {
  ready_ = false;
  const Status s = qnet_validate(model);
  if (s != Status::Ok) return s;
  if (arena == nullptr && arena_bytes > 0) return Status::InvalidArgument;
  const size_t need = qnet_arena_bytes(model, 1);
  if (arena_bytes < need) return Status::CapacityExceeded;

  const bool trailing_argmax = model.layers[model.num_layers - 1].kind == QLayerKind::Argmax;
  compute_layers_ = model.num_layers - (trailing_argmax ? 1 : 0);
  int width = model.input_dim;
  for (int i = 0; i < compute_layers_; ++i) {
    const QLayer& l = model.layers[i];
    width = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim : l.dim;
  }
  out_dim_ = width;
  width_ = need / 2;
  // The widest of input, activations and output bounds batches·width so that
  // every index the kernels form stays within int.
  int widest = model.input_dim;
  for (int i = 0; i < model.num_layers; ++i) {
    const QLayer& l = model.layers[i];
    const int w = l.kind == QLayerKind::FullyConnected ? l.fc.out_dim : l.dim;
    if (w > widest) widest = w;
  }
  size_t max_b = static_cast<size_t>(INT_MAX) / static_cast<size_t>(widest);
  if (need > 0 && arena_bytes / need < max_b) max_b = arena_bytes / need;
  max_batches_ = static_cast<int>(max_b);
  model_ = model;
  arena_ = arena;
  ready_ = true;
  return Status::Ok;
}

Status QNetCore::forward(const int8_t* input, int8_t* last_out, int batches,
                         const int8_t** result) noexcept {
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
  // The last layer writes into whichever ping-pong half the previous layer
  // did not (with one compute layer, the first half).
  int8_t* last = arena_ + (compute_layers_ & 1 ? 0 : width_ * static_cast<size_t>(batches));
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
