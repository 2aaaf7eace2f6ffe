// SPDX-License-Identifier: MIT
// tools/footprint/fp_image.cpp: one minimal firmware image per starling part,
// for tools/footprint/footprint.py (sizes) and tests/firmware (no heap, no C++
// runtime). Select the parts with -DFP_PSO=1, -DFP_FC=1, -DFP_QNET=1,
// -DFP_QNET_ALL=1, -DFP_DSCNN=1, -DFP_CONV=1, -DFP_DW=1, -DFP_SELFTEST=1,
// -DFP_SELFTEST_PARTS=1, -DFP_NM=1, -DFP_SPSA=1, -DFP_ANNEAL=1, -DFP_DE=1,
// -DFP_CMAES=1, -DFP_TRAIN=1 (with -DFP_ADASWARM=1: trained by AdaSwarm),
// -DFP_POLYSTEP=1, -DFP_BOBYQA=1, -DFP_BAYESOPT=1, -DFP_TUNER=1;
// none of them is the empty baseline every figure is measured against. The image
// never prints: results go to a volatile sink so nothing is optimized away.
#include <cstdint>

#if FP_PSO
#include "starling/pso.hpp"
#endif
#if FP_BOBYQA
#include "starling/bobyqa.hpp"
#endif
#if FP_BAYESOPT
#include "starling/bayesopt.hpp"
#endif
#if FP_TUNER
#include "starling/tuner.hpp"
#endif
#if FP_NM
#include "starling/nelder_mead.hpp"
#endif
#if FP_SPSA
#include "starling/spsa.hpp"
#endif
#if FP_ANNEAL
#include "starling/anneal.hpp"
#endif
#if FP_DE
#include "starling/de.hpp"
#endif
#if FP_CMAES
#include "starling/cmaes.hpp"
#endif
#if FP_TRAIN
#include "starling/train.hpp"
#endif
#if FP_ADASWARM
#include "starling/adaswarm.hpp"
#endif
#if FP_POLYSTEP
#include "starling/polystep.hpp"
#endif
#if FP_FC || FP_QNET
#include "starling/quant.hpp"
#endif
#if FP_QNET || FP_QNET_ALL || FP_DSCNN
#include "starling/qnet.hpp"
#endif
#if FP_CONV || FP_DW
#include "starling/layers.hpp"
#endif
#if FP_SELFTEST || FP_SELFTEST_PARTS
#include "starling/selftest.hpp"
#endif

volatile int32_t g_sink;

namespace {

#if FP_PSO
// EMPSO, D = 8, N = 16, a trivial objective (sphere).
constexpr int kD = 8, kN = 16;
starling::Pso<kD, kN> g_pso;
float sphere(const float* x, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}
void run_pso() {
  float lo[kD], hi[kD];
  for (int d = 0; d < kD; ++d) lo[d] = -5.0f, hi[d] = 5.0f;
  starling::PsoConfig cfg = starling::PsoConfig::empso();
  cfg.max_iter = 50;
  if (g_pso.init(lo, hi, kD, kN, cfg, 1u) != starling::Status::Ok) return;
  while (const float* x = g_pso.ask()) {
    if (g_pso.tell(sphere(x, kD)) != starling::Status::Ok) return;
  }
  g_sink = static_cast<int32_t>(g_pso.best_value() * 1000.0f);
}
#endif

#if FP_TRAIN
// The MLP trainer: a 4-10-3 ReLU/sigmoid network (Iris-sized), Adam, MSE,
// mini-batches of 8 over 16 samples, 20 epochs.
constexpr int kTw[] = {4, 10, 3};
constexpr starling::Activation kTa[] = {starling::Activation::Relu, starling::Activation::Sigmoid};
starling::Mlp<2, 10, 83> g_mlp;
#if FP_ADASWARM
starling::AdaSwarm<3> g_ada;
#endif
float g_tx[16 * 4], g_tt[16 * 3];
int32_t g_order[16];
void run_train() {
  for (int s = 0; s < 16; ++s) {
    for (int i = 0; i < 4; ++i) g_tx[s * 4 + i] = static_cast<float>((s * 7 + i * 3) % 11) * 0.1f - 0.5f;
    for (int k = 0; k < 3; ++k) g_tt[s * 3 + k] = k == s % 3 ? 1.f : 0.f;
  }
  starling::TrainConfig cfg;
  cfg.batch = 8;
#if FP_ADASWARM
  cfg.loss = starling::Loss::Mae;
#endif
  if (g_mlp.init(kTw, kTa, 2, cfg, 1u) != starling::Status::Ok) return;
#if FP_ADASWARM
  // The paper's setting: a 10-particle EMPSO swarm per sample, 40 sweeps,
  // the derivative it gives back-propagated and applied by Adam.
  starling::AdaSwarmConfig acfg;
  acfg.loss = starling::Loss::Mae;
  if (g_ada.init(acfg, 1u) != starling::Status::Ok) return;
#endif
  float loss = 0;
  for (int e = 0; e < 20; ++e) {
    starling::shuffle_indices(g_order, 16, 1u, static_cast<uint32_t>(e));
#if FP_ADASWARM
    if (g_ada.train_epoch(g_mlp, g_tx, g_tt, 16, g_order, &loss) != starling::Status::Ok) return;
#else
    if (g_mlp.train_epoch(g_tx, g_tt, 16, g_order, &loss) != starling::Status::Ok) return;
#endif
  }
  g_sink = static_cast<int32_t>(loss * 1000.0f);
}
#endif

#if FP_BOBYQA || FP_BAYESOPT || FP_TUNER
// The few-episode optimizers at issue 17's size: D = 4, MaxObs = 64 (Bobyqa:
// 2D + 1 points), defaults, 60 evaluations of a sphere.
constexpr int kMD = 4, kMObs = 64;
float sphere4(const float* x, int n) {
  float s = 0.0f;
  for (int i = 0; i < n; ++i) s += (x[i] - 0.5f) * (x[i] - 0.5f);
  return s;
}
template <class Opt, class Cfg>
void run_model(Opt& o, Cfg cfg) {
  float lo[kMD], hi[kMD];
  for (int d = 0; d < kMD; ++d) lo[d] = -2.0f, hi[d] = 2.0f;
  cfg.max_evals = 60;
  if (o.init(lo, hi, kMD, 0, cfg, 1u) != starling::Status::Ok) return;
  while (const float* x = o.ask()) {
    if (o.tell(sphere4(x, kMD)) != starling::Status::Ok) return;
  }
  g_sink = static_cast<int32_t>(o.best_value() * 1000.0f);
}
#endif
#if FP_NM || FP_SPSA || FP_ANNEAL || FP_DE || FP_CMAES
// The other optimizers: D = 8, float, the default config and population,
// ask/tell on a sphere (the same loop as the PSO image).
constexpr int kSD = 8;
float sphere8(const float* x) {
  float s = 0.0f;
  for (int i = 0; i < kSD; ++i) s += x[i] * x[i];
  return s;
}
template <class Opt, class Cfg>
void run_single(Opt& o, Cfg cfg) {
  float lo[kSD], hi[kSD];
  for (int d = 0; d < kSD; ++d) lo[d] = -5.0f, hi[d] = 5.0f;
  cfg.max_evals = 400;
  if (o.init(lo, hi, kSD, 0, cfg, 1u) != starling::Status::Ok) return;
  while (const float* x = o.ask()) {
    if (o.tell(sphere8(x)) != starling::Status::Ok) return;
  }
  g_sink = static_cast<int32_t>(o.best_value() * 1000.0f);
}
#endif
#if FP_BOBYQA
starling::Bobyqa<kMD> g_bobyqa;
#endif
#if FP_BAYESOPT
starling::BayesOpt<kMD, kMObs> g_bayesopt;
#endif
#if FP_TUNER
starling::Tuner<kMD, kMObs> g_tuner;
#endif
#if FP_NM
starling::NelderMead<kSD> g_nm;
void run_nm() { run_single(g_nm, starling::NelderMeadConfig{}); }
#endif
#if FP_SPSA
starling::Spsa<kSD> g_spsa;
void run_spsa() { run_single(g_spsa, starling::SpsaConfig{}); }
#endif
#if FP_ANNEAL
starling::Anneal<kSD> g_anneal;
void run_anneal() { run_single(g_anneal, starling::AnnealConfig{}); }
#endif
#if FP_DE
starling::De<kSD, 16> g_de;
void run_de() { run_single(g_de, starling::DeConfig{}); }
#endif
#if FP_CMAES
starling::Cmaes<kSD, 16> g_cmaes;
void run_cmaes() { run_single(g_cmaes, starling::CmaesConfig{}); }
#endif

#if FP_FC
// One 16 -> 8 layer, per-tensor requantization.
constexpr int kIn = 16, kOut = 8;
int8_t g_in[kIn], g_out[kOut];
const int8_t kW[kOut * kIn] = {1, -2, 3, -4, 5, -6, 7, -8};
const int32_t kBias[kOut] = {10, -10};
const int32_t kMult[1] = {1 << 30};
const int32_t kShift[1] = {-4};
void run_fc() {
  const starling::FcParams p{kIn, kOut, 3, -5, kMult, kShift, false, -128, 127};
  for (int i = 0; i < kIn; ++i) g_in[i] = static_cast<int8_t>(g_sink + i);
  if (starling::fully_connected_s8(p, g_in, kW, kBias, g_out, 1) == starling::Status::Ok)
    g_sink = g_out[0] + g_out[kOut - 1];
}
#endif

#if FP_QNET || FP_QNET_ALL
// A small QNet: 4 -> 8 -> 3 fully connected, argmax. FP_QNET: QNet<N> as a
// firmware writes it (the library's default op set, the FC/LUT/argmax chain
// on firmware); FP_QNET_ALL: the same model on a QNet with every kind
// enabled (what the default was before op sets: every kernel linked).
const int8_t kQw0[8 * 4] = {1, 2, 3, 4, -1, -2, -3, -4};
const int8_t kQw1[3 * 8] = {5, -5, 5, -5};
const int32_t kQb0[8] = {0}, kQb1[3] = {0};
const int32_t kQm[1] = {1 << 30};
const int32_t kQs[1] = {-3};
constexpr starling::QLayer kLayers[] = {
    starling::qnet_fc({4, 8, 0, -128, kQm, kQs, false, -128, 127}, kQw0, kQb0),
    starling::qnet_fc({8, 3, 128, 0, kQm, kQs, false, -128, 127}, kQw1, kQb1),
    starling::qnet_argmax(3),
};
constexpr starling::QModel kModel = {kLayers, 3, 4};
#if FP_QNET_ALL
starling::QNet<starling::qnet_arena_bytes(kModel, 1), starling::kQOpsAll> g_net;
#else
starling::QNet<starling::qnet_arena_bytes(kModel, 1)> g_net;
#endif
int8_t g_x[4];
void run_qnet() {
  if (g_net.init(kModel) != starling::Status::Ok) return;
  for (int i = 0; i < 4; ++i) g_x[i] = static_cast<int8_t>(g_sink - i);
  int cls = 0;
  if (g_net.classify(g_x, &cls, 1) == starling::Status::Ok) g_sink = cls;
}
#endif

#if FP_DSCNN
// A DS-CNN-shaped QNet (MLPerf Tiny keyword spotting, in miniature) on the
// op set it names: conv 3x3 stride 2 (10x4x1 -> 5x2x8), depthwise 3x3,
// pointwise conv, average pool over the whole map, reshape, FC 8 -> 4,
// argmax.
namespace ds {
constexpr starling::QOps kOps =
    starling::kQOpsChain | starling::qnet_op(starling::QLayerKind::Conv2D) |
    starling::qnet_op(starling::QLayerKind::DepthwiseConv2D) |
    starling::qnet_op(starling::QLayerKind::AvgPool2D) | starling::qnet_op(starling::QLayerKind::Reshape);
constexpr int kC = 8;
const int8_t kW0[kC * 3 * 3 * 1] = {1, -2, 3, -4, 5, -6, 7, -8};
const int8_t kW1[3 * 3 * kC] = {2, -1, 3};
const int8_t kW2[kC * kC] = {1, 1, -1};
const int8_t kW3[4 * kC] = {3, -3, 2};
const int32_t kB[kC] = {5, -5};
const int32_t kM[kC] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};
const int32_t kS[kC] = {-4, -4, -4, -4, -4, -4, -4, -4};
constexpr starling::ConvParams conv(int in_h, int in_w, int in_c, int out_h, int out_w, int k,
                                    int stride, int pad) {
  return starling::ConvParams{1, in_h, in_w, in_c, out_h, out_w, kC, k, k, stride, stride, 1, 1,
                              pad, pad, 1, -3, kM, kS, -128, 127};
}
constexpr starling::DepthwiseParams dw() {
  starling::DepthwiseParams p{};
  static_cast<starling::ConvParams&>(p) = conv(5, 2, kC, 5, 2, 3, 1, 1);
  p.depth_multiplier = 1;
  return p;
}
constexpr starling::QLayer kLayers[] = {
    starling::qnet_conv(conv(10, 4, 1, 5, 2, 3, 2, 1), kW0, kB),
    starling::qnet_depthwise(dw(), kW1, kB),
    starling::qnet_conv(conv(5, 2, kC, 5, 2, 1, 1, 0), kW2, kB),
    starling::qnet_avg_pool(starling::PoolParams{1, 5, 2, kC, 1, 1, 5, 2, 1, 1, 0, 0, -128, 127}),
    starling::qnet_reshape(starling::QShape{1, 1, kC}),
    starling::qnet_fc({kC, 4, 3, -2, kM, kS, false, -128, 127}, kW3, kB),
    starling::qnet_argmax(4),
};
constexpr starling::QModel kModel = {kLayers, 7, 40, 10, 4, 1};
static_assert(starling::qnet_missing_ops(kModel, kOps) == 0, "the image's op set runs its model");
starling::QNet<starling::qnet_arena_bytes(kModel, 1), kOps> g_net;
int8_t g_x[40];
}  // namespace ds
void run_dscnn() {
  if (ds::g_net.init(ds::kModel) != starling::Status::Ok) return;
  for (int i = 0; i < 40; ++i) ds::g_x[i] = static_cast<int8_t>(g_sink - 3 * i);
  int cls = 0;
  if (ds::g_net.classify(ds::g_x, &cls, 1) == starling::Status::Ok) g_sink = cls;
}
#endif

#if FP_CONV || FP_DW
// An 8x8x8 image, 3x3 filter, SAME padding, per-channel requantization.
constexpr int kH = 8, kC = 8;
int8_t g_img[kH * kH * kC], g_act[kH * kH * kC];
const int8_t kFilter[kC * 3 * 3 * kC] = {1, -2, 3, -4, 5, -6, 7, -8};
const int32_t kCb[kC] = {10, -10};
const int32_t kCm[kC] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};
const int32_t kCs[kC] = {-6, -6, -6, -6, -6, -6, -6, -6};
starling::DepthwiseParams layer_params(int out_c) {
  starling::DepthwiseParams p{};
  p.batches = 1;
  p.in_h = p.in_w = p.out_h = p.out_w = kH;
  p.in_c = kC;
  p.out_c = out_c;
  p.k_h = p.k_w = 3;
  p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
  p.pad_h = p.pad_w = 1;
  p.input_offset = 3;
  p.output_offset = -5;
  p.multiplier = kCm;
  p.shift = kCs;
  p.act_min = -128;
  p.act_max = 127;
  p.depth_multiplier = 1;
  return p;
}
#endif

#if FP_CONV
// conv2d_s8, 8 -> 8 channels; scratch as conv2d_s8_scratch_size() asks (4·72 + 4·8 + 16).
unsigned char g_scratch[4 * 9 * kC + 4 * kC + 16];
void run_conv() {
  for (int i = 0; i < kH * kH * kC; ++i) g_img[i] = static_cast<int8_t>(g_sink + i);
  const starling::DepthwiseParams p = layer_params(kC);
  if (starling::conv2d_s8(p, g_img, kFilter, kCb, g_act, g_scratch, sizeof g_scratch) == starling::Status::Ok)
    g_sink = g_act[0] + g_act[kH * kH * kC - 1];
}
#endif

#if FP_DW
// depthwise_conv2d_s8, 8 channels, depth multiplier 1.
void run_dw() {
  for (int i = 0; i < kH * kH * kC; ++i) g_img[i] = static_cast<int8_t>(g_sink - i);
  const starling::DepthwiseParams p = layer_params(kC);
  if (starling::depthwise_conv2d_s8(p, g_img, kFilter, kCb, g_act) == starling::Status::Ok)
    g_sink = g_act[0] + g_act[kH * kH * kC - 1];
}
#endif

#if FP_SELFTEST
// The boot-time check: its figure is what it adds to an image.
void run_selftest() {
  uint32_t failed = 0;
  if (starling::selftest(&failed) != starling::Status::Ok) g_sink = -static_cast<int32_t>(failed);
}
#endif
#if FP_SELFTEST_PARTS
// Only the checks of what the image links anyway (no double table builders).
void run_selftest_parts() {
  uint32_t a = 0, b = 0;
  if (starling::selftest_pso(&a) != starling::Status::Ok ||
      starling::selftest_int8(&b) != starling::Status::Ok)
    g_sink = -static_cast<int32_t>(a | b);
}
#endif

#if FP_POLYSTEP
// PolyStep over 64 int8 weights, one particle,
// ask/tell for 400 costs; the cost is a stand-in (squared distance to a
// fixed weight vector) so that the image measures the optimizer alone.
constexpr int kPd = 64;
starling::PolyStep<kPd> g_poly;
void run_polystep() {
  starling::PolyStepConfig cfg;
  if (g_poly.init(nullptr, kPd, 1, cfg, 1u) != starling::Status::Ok) return;
  for (int k = 0; k < 400; ++k) {
    const int8_t* w = g_poly.ask();
    if (w == nullptr) break;
    int32_t c = 0;
    for (int d = 0; d < kPd; ++d) {
      const int32_t e = w[d] - ((d * 37) % 101 - 50);
      c += e * e;
    }
    if (g_poly.tell(static_cast<float>(c)) != starling::Status::Ok) return;
  }
  g_sink = static_cast<int32_t>(g_poly.best_value());
}
#endif

}  // namespace

extern "C" int fp_main() {  // called by fp_startup.cpp (ISO C++ may not call main)
#if FP_PSO
  run_pso();
#endif
#if FP_TRAIN
  run_train();
#endif
#if FP_POLYSTEP
  run_polystep();
#endif
#if FP_FC
  run_fc();
#endif
#if FP_QNET || FP_QNET_ALL
  run_qnet();
#endif
#if FP_NM
  run_nm();
#endif
#if FP_SPSA
  run_spsa();
#endif
#if FP_ANNEAL
  run_anneal();
#endif
#if FP_DE
  run_de();
#endif
#if FP_CMAES
  run_cmaes();
#endif
#if FP_DSCNN
  run_dscnn();
#endif
#if FP_CONV
  run_conv();
#endif
#if FP_DW
  run_dw();
#endif
#if FP_BOBYQA
  run_model(g_bobyqa, starling::BobyqaConfig{});
#endif
#if FP_BAYESOPT
  run_model(g_bayesopt, starling::BayesOptConfig{});
#endif
#if FP_TUNER
  run_model(g_tuner, starling::TunerConfig{});
#endif
#if FP_SELFTEST
  run_selftest();
#endif
#if FP_SELFTEST_PARTS
  run_selftest_parts();
#endif
  return g_sink;
}
