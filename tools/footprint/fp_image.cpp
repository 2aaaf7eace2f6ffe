// tools/footprint/fp_image.cpp: one minimal firmware image per starling part,
// for tools/footprint/footprint.py (sizes) and tests/firmware (no heap, no C++
// runtime). Select the parts with -DFP_PSO=1, -DFP_FC=1, -DFP_QNET=1,
// -DFP_SELFTEST=1, -DFP_SELFTEST_PARTS=1; none of
// them is the empty baseline every figure is measured against. The image
// never prints: results go to a volatile sink so nothing is optimized away.
#include <cstdint>

#if FP_PSO
#include "starling/pso.hpp"
#endif
#if FP_FC || FP_QNET
#include "starling/quant.hpp"
#endif
#if FP_QNET
#include "starling/qnet.hpp"
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

#if FP_QNET
// A small QNet: 4 -> 8 -> 3 fully connected, argmax.
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
starling::QNet<starling::qnet_arena_bytes(kModel, 1)> g_net;
int8_t g_x[4];
void run_qnet() {
  if (g_net.init(kModel) != starling::Status::Ok) return;
  for (int i = 0; i < 4; ++i) g_x[i] = static_cast<int8_t>(g_sink - i);
  int cls = 0;
  if (g_net.classify(g_x, &cls, 1) == starling::Status::Ok) g_sink = cls;
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

}  // namespace

extern "C" int fp_main() {  // called by fp_startup.cpp (ISO C++ may not call main)
#if FP_PSO
  run_pso();
#endif
#if FP_FC
  run_fc();
#endif
#if FP_QNET
  run_qnet();
#endif
#if FP_SELFTEST
  run_selftest();
#endif
#if FP_SELFTEST_PARTS
  run_selftest_parts();
#endif
  return g_sink;
}
