// SPDX-License-Identifier: MIT
// Repair a crudely quantized int8 classifier with PSO: tune a handful of
// per-layer requantization parameters on a calibration split, no gradients.
//
// The model is the float 4-16-3 MLP of examples/data (blobs_mlp_data.h,
// trained by examples/data/train_float_mlp.py). The naive int8 version is
// deliberately crude, as a hurried conversion often is:
//   * per-tensor weight scales, max|w|/127 over the whole layer;
//   * activation ranges (input, hidden, logits) from a tiny, one-sided
//     calibration set: the first kNaiveCalib = 4 calibration samples of class
//     kNaiveClass = 0, so inputs and hidden values of the other classes fall
//     outside the ranges and saturate.
// PSO (EMPSO, 16 particles, 40 sweeps, ask/tell) then searches 6 numbers:
//   t[0..2]  log2 factors on the input, hidden and logit scales, in [-1, 2]
//            (the zero points stay: the range is stretched about real 0);
//   t[3..5]  corrections added to the 3 output biases, in real logit units,
//            in [-1, 1] (converted to int32 with the bias scale).
// Each candidate rebuilds the int32 biases and the (multiplier, shift) pairs
// (quantize_scales) in the buffers the QNet reads; the cost is the number of
// misclassified calibration samples (200). The naive point t = 0 is scored
// first, so the tuned model is never worse than the naive one on the
// calibration split. The accuracies printed are on the held-out test split.
//
// Exit status 0 only when tuned >= naive and tuned >= float - 3 points.
#include <cmath>
#include <cstdio>

#include "blobs_mlp_data.h"
#include "float_mlp.hpp"
#include "starling/pso.hpp"
#include "starling/qnet.hpp"
#include "starling/quant.hpp"

namespace {

namespace bm = blobs_mlp;
constexpr int kNaiveCalib = 4;
constexpr int kNaiveClass = 0;
constexpr int kDims = 6;

// Float ranges of the input, hidden and logit values over samples [0, n).
struct Ranges {
  float lo[3], hi[3];
};
Ranges float_ranges(const float* xs, int n) {
  Ranges r = {{0, 0, 0}, {0, 0, 0}};  // every range includes 0
  for (int s = 0; s < n; ++s) {
    const float* x = xs + s * bm::kIn;
    float h[bm::kHidden];
    for (int i = 0; i < bm::kIn; ++i)
      r.lo[0] = std::fmin(r.lo[0], x[i]), r.hi[0] = std::fmax(r.hi[0], x[i]);
    for (int o = 0; o < bm::kHidden; ++o) {
      float a = bm::kB0[o];
      for (int i = 0; i < bm::kIn; ++i) a += bm::kW0[o * bm::kIn + i] * x[i];
      h[o] = a > 0 ? a : 0;
      r.hi[1] = std::fmax(r.hi[1], h[o]);
    }
    for (int o = 0; o < bm::kOut; ++o) {
      float a = bm::kB1[o];
      for (int i = 0; i < bm::kHidden; ++i) a += bm::kW1[o * bm::kHidden + i] * h[i];
      r.lo[2] = std::fmin(r.lo[2], a), r.hi[2] = std::fmax(r.hi[2], a);
    }
  }
  return r;
}

int32_t round_away(double v) {
  return static_cast<int32_t>(v < 0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5));
}
int32_t clamp_i32(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : v > hi ? hi : v; }

// ---- the int8 model: buffers that QNet reads and the tuner rewrites ---------
struct Int8Mlp {
  int8_t w0[bm::kHidden * bm::kIn], w1[bm::kOut * bm::kHidden];
  int32_t b0[bm::kHidden], b1[bm::kOut];
  int32_t m0[1], s0[1], m1[1], s1[1];
  float w0_scale, w1_scale;
  // Naive activation quantization (scale, zero point) of input, hidden, logits.
  float base_scale[3];
  int32_t zp[3];
  float in_scale;  // the input scale in use (tuned)
  starling::QLayer layers[3];
  starling::QNet<2 * bm::kHidden> net;
};

Int8Mlp g_q;  // static storage: ~300 bytes

void quantize_weights(const float* w, int n, float* scale, int8_t* q) {
  float m = 0;
  for (int i = 0; i < n; ++i) m = std::fmax(m, std::fabs(w[i]));
  *scale = m > 0 ? m / 127.0f : 1.0f;
  for (int i = 0; i < n; ++i)
    q[i] =
        static_cast<int8_t>(clamp_i32(round_away(static_cast<double>(w[i] / *scale)), -127, 127));
}

// Naive quantization: ranges from the first kNaiveCalib calibration samples
// of class kNaiveClass.
void naive_quantize() {
  quantize_weights(bm::kW0, bm::kHidden * bm::kIn, &g_q.w0_scale, g_q.w0);
  quantize_weights(bm::kW1, bm::kOut * bm::kHidden, &g_q.w1_scale, g_q.w1);
  float xs[kNaiveCalib * bm::kIn];
  int n = 0;
  for (int s = 0; s < bm::kCalibCount && n < kNaiveCalib; ++s) {
    if (bm::kCalibY[s] != kNaiveClass) continue;
    for (int i = 0; i < bm::kIn; ++i) xs[n * bm::kIn + i] = bm::kCalibX[s * bm::kIn + i];
    ++n;
  }
  const Ranges r = float_ranges(xs, n);
  for (int k = 0; k < 3; ++k) {
    const float range = r.hi[k] - r.lo[k];
    g_q.base_scale[k] = range > 0 ? range / 255.0f : 1.0f;
    g_q.zp[k] =
        clamp_i32(round_away(-128.0 - static_cast<double>(r.lo[k] / g_q.base_scale[k])), -128, 127);
  }
}

// Writes biases, multipliers and shifts for the tuning vector t (kDims
// values; all zero = naive) and (re)initializes the network.
bool apply(const float* t) {
  const float s_in = g_q.base_scale[0] * std::exp2(t[0]);
  const float s_h = g_q.base_scale[1] * std::exp2(t[1]);
  const float s_out = g_q.base_scale[2] * std::exp2(t[2]);
  g_q.in_scale = s_in;
  const double b0_scale = static_cast<double>(s_in) * static_cast<double>(g_q.w0_scale);
  const double b1_scale = static_cast<double>(s_h) * static_cast<double>(g_q.w1_scale);
  for (int o = 0; o < bm::kHidden; ++o)
    g_q.b0[o] = round_away(static_cast<double>(bm::kB0[o]) / b0_scale);
  for (int o = 0; o < bm::kOut; ++o)
    g_q.b1[o] = round_away(static_cast<double>(bm::kB1[o] + t[3 + o]) / b1_scale);
  if (starling::quantize_scales(s_in, &g_q.w0_scale, 1, s_h, g_q.m0, g_q.s0) !=
          starling::Status::Ok ||
      starling::quantize_scales(s_h, &g_q.w1_scale, 1, s_out, g_q.m1, g_q.s1) !=
          starling::Status::Ok)
    return false;
  const int32_t zh = g_q.zp[1];  // ReLU: clamp at the hidden zero point
  g_q.layers[0] = starling::qnet_fc(
      {bm::kIn, bm::kHidden, -g_q.zp[0], zh, g_q.m0, g_q.s0, false, zh, 127}, g_q.w0, g_q.b0);
  g_q.layers[1] = starling::qnet_fc(
      {bm::kHidden, bm::kOut, -zh, g_q.zp[2], g_q.m1, g_q.s1, false, -128, 127}, g_q.w1, g_q.b1);
  g_q.layers[2] = starling::qnet_argmax(bm::kOut);
  return g_q.net.init(starling::QModel{g_q.layers, 3, bm::kIn}) == starling::Status::Ok;
}

// Correct int8 classifications of samples [0, n).
int int8_correct(const float* xs, const uint8_t* ys, int n) {
  int ok = 0;
  for (int s = 0; s < n; ++s) {
    int8_t q[bm::kIn];
    for (int i = 0; i < bm::kIn; ++i)
      q[i] = static_cast<int8_t>(clamp_i32(
          round_away(static_cast<double>(xs[s * bm::kIn + i]) / static_cast<double>(g_q.in_scale)) +
              g_q.zp[0],
          -128, 127));
    int cls = -1;
    if (g_q.net.classify(q, &cls) != starling::Status::Ok) return -1;
    ok += cls == ys[s];
  }
  return ok;
}

int float_correct(const float* xs, const uint8_t* ys, int n) {
  int ok = 0;
  for (int s = 0; s < n; ++s) ok += float_mlp::classify(xs + s * bm::kIn) == ys[s];
  return ok;
}

double pct(int k, int n) { return 100.0 * k / n; }

}  // namespace

int main() {
  naive_quantize();
  const float zero[kDims] = {0, 0, 0, 0, 0, 0};
  if (!apply(zero)) return 1;
  const int naive_calib = int8_correct(bm::kCalibX, bm::kCalibY, bm::kCalibCount);
  const int naive_test = int8_correct(bm::kTestX, bm::kTestY, bm::kTestCount);
  const int float_test = float_correct(bm::kTestX, bm::kTestY, bm::kTestCount);

  const float lo[kDims] = {-1, -1, -1, -1, -1, -1}, hi[kDims] = {2, 2, 2, 1, 1, 1};
  starling::PsoConfig cfg = starling::PsoConfig::empso();
  cfg.max_iter = 40;
  cfg.target = 0;
  static starling::Pso<8, 16> pso;
  if (pso.init(lo, hi, kDims, 16, cfg, /*seed=*/7) != starling::Status::Ok) return 1;
  float best_t[kDims] = {0, 0, 0, 0, 0, 0};
  int best_err = bm::kCalibCount - naive_calib;  // the naive point is the incumbent
  while (const float* t = pso.ask()) {
    const int ok = apply(t) ? int8_correct(bm::kCalibX, bm::kCalibY, bm::kCalibCount) : -1;
    const int err = ok < 0 ? bm::kCalibCount + 1 : bm::kCalibCount - ok;
    if (err < best_err) {
      best_err = err;
      for (int d = 0; d < kDims; ++d) best_t[d] = t[d];
    }
    if (pso.tell(static_cast<float>(err)) != starling::Status::Ok) return 1;
  }
  if (!apply(best_t)) return 1;
  const int tuned_calib = int8_correct(bm::kCalibX, bm::kCalibY, bm::kCalibCount);
  const int tuned_test = int8_correct(bm::kTestX, bm::kTestY, bm::kTestCount);

  std::printf(
      "naive: activation ranges from %d calibration samples of class %d; per-tensor weights\n",
      kNaiveCalib, kNaiveClass);
  std::printf(
      "tuned after %ld evaluations: scale factors in %.3f hidden %.3f logits %.3f, "
      "logit bias corrections %.3f %.3f %.3f\n",
      pso.evaluations(), std::exp2(static_cast<double>(best_t[0])),
      std::exp2(static_cast<double>(best_t[1])), std::exp2(static_cast<double>(best_t[2])),
      static_cast<double>(best_t[3]), static_cast<double>(best_t[4]),
      static_cast<double>(best_t[5]));
  std::printf("calibration accuracy: naive %.2f%%  tuned %.2f%%\n",
              pct(naive_calib, bm::kCalibCount), pct(tuned_calib, bm::kCalibCount));
  std::printf("test accuracy (%d samples): float %.2f%%  naive int8 %.2f%%  tuned int8 %.2f%%\n",
              bm::kTestCount, pct(float_test, bm::kTestCount), pct(naive_test, bm::kTestCount),
              pct(tuned_test, bm::kTestCount));
  const bool ok = tuned_test >= naive_test && tuned_test >= float_test - bm::kTestCount * 3 / 100;
  std::printf("%s\n", ok ? "PASS: tuned >= naive and within 3 points of float"
                         : "FAIL: tuned < naive or more than 3 points below float");
  return ok ? 0 : 1;
}
