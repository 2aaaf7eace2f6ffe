// SPDX-License-Identifier: MIT
// Repair a naively quantized int8 CNN with PSO on the device: tune per-layer
// output scales and the logits' bias corrections on a calibration split, no
// gradients, no float copy of the model.
//
// The model is examples/cnn_tune/digits_cnn.tflite (8x8 digits; conv 3x3 12
// ReLU, max pool, conv 3x3 32 ReLU, mean, FC 10), trained once in PyTorch and
// written as .tflite by tools/tflite_train_cnn.py, which quantized it the
// hurried way: TOCO-style default ranges, every activation in [0, 6] and
// the logits in [-6, 6], instead of measured ranges (the second convolution
// reaches 31 and the logits -27..14 on real data, so they saturate).
// The build imports it with tools/tflite_import.py (digits_cnn_model.h); this
// program loads the blob with load_qmodel and copies only the requantization
// arrays (multipliers, shifts, biases: 54 channels) to RAM.
//
// PSO (EMPSO, 12 particles, 25 sweeps, ask/tell) searches 13 numbers:
//   t[0..2]   log2 factors on the output scales of conv 1, conv 2 (and the
//             mean, which keeps its input's scale) and the logits, in [-1, 3]:
//             a layer's effective rescale m·2^(shift−31) is divided by its
//             factor and multiplied by its input's; its int32 bias is divided
//             by its input's factor (the bias scale is in_scale·w_scale);
//   t[3..12]  bias corrections of the 10 logits, in output steps, in [-16, 16].
// The cost is the number of misclassified calibration images (200). The
// naive point t = 0 is scored first, so tuned is never worse than naive on
// the calibration split. Accuracies printed are on the held-out test split
// (500 images); the float figure is PyTorch's, from the training script.
//
// Exit status 0 only when tuned >= naive and tuned >= float − 3 points.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "digits_cnn_model.h"
#include "digits_data.h"
#include "starling/pso.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"
#include "starling/quant.hpp"

namespace {

constexpr int kDims = 13;
constexpr int kMaxCh = 32;

starling::QModelStorage<DIGITS_CNN_MODEL_LAYERS> g_st;
starling::QNet<DIGITS_CNN_MODEL_ARENA_BYTES * 256> g_net;  // room for 256 images per run

// One requantizing layer: its original arrays (in the blob) and the RAM
// copies the network reads.
struct Requant {
  int layer = -1, channels = 0;
  const int32_t* m0 = nullptr;
  const int32_t* s0 = nullptr;
  const int32_t* b0 = nullptr;
  int32_t m[kMaxCh], s[kMaxCh], b[kMaxCh];
};
Requant g_rq[3];  // conv 1, conv 2, FC

int8_t g_calib[digits::kCalibCount * 64];
int8_t g_test[digits::kTestCount * 64];

// Points layer `i`'s requantization arrays at RAM copies.
bool bind(int i, Requant* r) {
  starling::QLayer& l = g_st.layers[i];
  r->layer = i;
  if (l.kind == starling::QLayerKind::Conv2D) {
    r->channels = l.op.conv.out_c;
    r->m0 = l.op.conv.multiplier;
    r->s0 = l.op.conv.shift;
    l.op.conv.multiplier = r->m;
    l.op.conv.shift = r->s;
  } else if (l.kind == starling::QLayerKind::FullyConnected && !l.fc.per_channel) {
    r->channels = l.fc.out_dim;
    r->m0 = l.fc.multiplier;
    r->s0 = l.fc.shift;
    l.fc.multiplier = r->m;
    l.fc.shift = r->s;
  } else {
    return false;
  }
  if (r->channels > kMaxCh || l.bias == nullptr) return false;
  r->b0 = l.bias;
  l.bias = r->b;
  return true;
}

int32_t round_away(double v) {
  return static_cast<int32_t>(v < 0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5));
}

// Writes multipliers, shifts and biases for the tuning vector t (all zero =
// the naive model as imported).
bool apply(const float* t) {
  const double f[3] = {std::exp2(t[0]), std::exp2(t[1]), std::exp2(t[2])};
  const double in_factor[3] = {1.0, f[0], f[1]};  // the scale factor of each layer's input
  for (int k = 0; k < 3; ++k) {
    Requant& r = g_rq[k];
    const bool per_channel = g_st.layers[r.layer].kind == starling::QLayerKind::Conv2D;
    for (int c = 0; c < r.channels; ++c) {
      const int q = per_channel ? c : 0;
      const double real = std::ldexp(static_cast<double>(r.m0[q]), r.s0[q] - 31) * in_factor[k] / f[k];
      int shift = 0;
      if (c == q) {
        if (starling::quantize_multiplier_checked(real, &r.m[c], &shift) != starling::Status::Ok) {
          return false;
        }
        r.s[c] = shift;
      }
      double bias = static_cast<double>(r.b0[c]) / in_factor[k];
      // Logit corrections in output steps: 1/real accumulator units each.
      if (k == 2) bias += static_cast<double>(t[3 + c]) / real;
      r.b[c] = round_away(bias);
    }
  }
  return g_net.init(g_st.model()) == starling::Status::Ok;
}

void quantize_pixels(const uint8_t* px, int n, int8_t* q) {
  for (int i = 0; i < n * 64; ++i) {
    const int32_t v = round_away(px[i] / static_cast<double>(DIGITS_CNN_MODEL_INPUT_SCALE)) +
                      DIGITS_CNN_MODEL_INPUT_ZERO_POINT;
    q[i] = static_cast<int8_t>(v < -128 ? -128 : v > 127 ? 127 : v);
  }
}

// Correctly classified images of a split, 256 per run.
int correct(const int8_t* x, const uint8_t* y, int n) {
  int ok = 0;
  static int cls[256];
  for (int s = 0; s < n; s += 256) {
    const int b = n - s < 256 ? n - s : 256;
    if (g_net.classify(x + s * 64, cls, b) != starling::Status::Ok) return -1;
    for (int i = 0; i < b; ++i) ok += cls[i] == y[s + i];
  }
  return ok;
}

double pct(int k, int n) { return 100.0 * k / n; }

}  // namespace

int main() {
  if (starling::load_qmodel(digits_cnn_model_blob, sizeof digits_cnn_model_blob, g_st) !=
      starling::Status::Ok) {
    std::printf("the imported model does not load\n");
    return 1;
  }
  // The layers that requantize: conv, (max pool), conv, (mean), FC.
  int k = 0;
  for (int i = 0; i < g_st.num_layers && k < 3; ++i) {
    const starling::QLayerKind kind = g_st.layers[i].kind;
    if (kind == starling::QLayerKind::Conv2D || kind == starling::QLayerKind::FullyConnected) {
      if (!bind(i, &g_rq[k++])) return 1;
    }
  }
  if (k != 3) return 1;
  quantize_pixels(digits::kCalibPixels, digits::kCalibCount, g_calib);
  quantize_pixels(digits::kTestPixels, digits::kTestCount, g_test);

  const float zero[kDims] = {};
  if (!apply(zero)) return 1;
  const int naive_calib = correct(g_calib, digits::kCalibLabels, digits::kCalibCount);
  const int naive_test = correct(g_test, digits::kTestLabels, digits::kTestCount);

  float lo[kDims], hi[kDims];
  for (int d = 0; d < kDims; ++d) {
    lo[d] = d < 3 ? -1.0f : -16.0f;
    hi[d] = d < 3 ? 3.0f : 16.0f;
  }
  starling::PsoConfig cfg = starling::PsoConfig::empso();
  cfg.max_iter = 25;
  cfg.target = 0;
  static starling::Pso<kDims, 12> pso;
  if (pso.init(lo, hi, kDims, 12, cfg, /*seed=*/11) != starling::Status::Ok) return 1;
  float best_t[kDims] = {};
  int best_err = digits::kCalibCount - naive_calib;  // the naive point is the incumbent
  while (const float* t = pso.ask()) {
    const int ok = apply(t) ? correct(g_calib, digits::kCalibLabels, digits::kCalibCount) : -1;
    const int err = ok < 0 ? digits::kCalibCount + 1 : digits::kCalibCount - ok;
    if (err < best_err) {
      best_err = err;
      std::memcpy(best_t, t, sizeof best_t);
    }
    if (pso.tell(static_cast<float>(err)) != starling::Status::Ok) return 1;
  }
  if (!apply(best_t)) return 1;
  const int tuned_calib = correct(g_calib, digits::kCalibLabels, digits::kCalibCount);
  const int tuned_test = correct(g_test, digits::kTestLabels, digits::kTestCount);

  std::printf("naive: TOCO-style default activation ranges [0, 6], logits [-6, 6]; per-tensor weights\n");
  std::printf("tuned after %ld evaluations: output scale factors conv1 %.3f conv2 %.3f logits %.3f\n",
              pso.evaluations(), std::exp2(static_cast<double>(best_t[0])),
              std::exp2(static_cast<double>(best_t[1])), std::exp2(static_cast<double>(best_t[2])));
  std::printf("calibration accuracy (%d images): naive %.2f%%  tuned %.2f%%\n", digits::kCalibCount,
              pct(naive_calib, digits::kCalibCount), pct(tuned_calib, digits::kCalibCount));
  std::printf("test accuracy (%d images): float %.2f%%  naive int8 %.2f%%  tuned int8 %.2f%%\n",
              digits::kTestCount, pct(digits::kFloatTestCorrect, digits::kTestCount),
              pct(naive_test, digits::kTestCount), pct(tuned_test, digits::kTestCount));
  const bool ok = tuned_test >= naive_test &&
                  tuned_test >= digits::kFloatTestCorrect - digits::kTestCount * 3 / 100;
  std::printf("%s\n", ok ? "PASS: tuned >= naive and within 3 points of float"
                         : "FAIL: tuned < naive or more than 3 points below float");
  return ok ? 0 : 1;
}
