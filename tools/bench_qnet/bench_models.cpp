// SPDX-License-Identifier: MIT
// bench_models: latency at batch 1 of the four MLPerf Tiny model shapes
// (tools/tflite_models.py, imported by tools/tflite_import.py at build time)
// on starling's QNet with every port compiled in and supported, and on
// XNNPACK (Debian's libxnnpack-dev, single thread) built from the same
// weights and geometry, side by side in one run, with the ratio.
//
//   ninja -C build bench_models && ./build/tools/bench_qnet/bench_models [--quick]
//
// XNNPACK has no int8 softmax, so both sides run each classifier without
// its final softmax (2 to 12 values; starling's full-model time is printed
// too). XNNPACK gets the same filters, biases and zero points, with scales
// that give each layer starling's effective rescale factor (its outputs are
// not compared: the rounding differs; the work is the same). Its average
// pools are global in these models and use global_average_pooling. Best of
// several repetitions in each of 5 passes interleaving the two, best pass.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "starling/port.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

#include "ad_model.h"
#include "dscnn_model.h"
#include "resnet8_model.h"
#include "vww_model.h"

#if BENCH_XNNPACK
#include <xnnpack.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct ModelRef {
  const char* name;
  const uint8_t* blob;
  size_t size;
};
const ModelRef kModels[] = {
    {"DS-CNN (KWS)", dscnn_model_blob, sizeof dscnn_model_blob},
    {"MobileNet v1 0.25 (VWW)", vww_model_blob, sizeof vww_model_blob},
    {"ResNet-8 (IC)", resnet8_model_blob, sizeof resnet8_model_blob},
    {"FC autoencoder (AD)", ad_model_blob, sizeof ad_model_blob},
};

alignas(64) int8_t g_arena[1 << 18];
alignas(64) int8_t g_in[1 << 16];
alignas(64) int8_t g_out[1 << 12];
starling::QModelStorage<64> g_st;

double macs(const starling::QModel& m) {
  double w = 0;
  for (int i = 0; i < m.num_layers; ++i) {
    const starling::QLayer& l = m.layers[i];
    if (l.kind == starling::QLayerKind::FullyConnected) w += double(l.fc.in_dim) * l.fc.out_dim;
    if (l.kind == starling::QLayerKind::Conv2D) {
      const auto& p = l.op.conv;
      w += double(p.out_h) * p.out_w * p.out_c * p.k_h * p.k_w * p.in_c;
    }
    if (l.kind == starling::QLayerKind::DepthwiseConv2D) {
      const auto& p = l.op.dw;
      w += double(p.out_h) * p.out_w * p.out_c * p.k_h * p.k_w;
    }
  }
  return w;
}

// Best time of `reps` calls of f, in ns.
template <class F>
double best_ns(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    f();
    const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
    if (ns < best) best = ns;
  }
  return best;
}

#if BENCH_XNNPACK
// The model as a list of XNNPACK operators over its own buffers.
struct XnnModel {
  static constexpr int kMax = 64;
  xnn_operator_t op[kMax] = {};
  int n = 0;
  int8_t* buf[kMax + 1] = {};    // tensor k's bytes (a reshape shares its source's)
  int8_t* owned[kMax + 1] = {};  // what to free
  int n_owned = 0;
  bool ok = true;

  int8_t* alloc(size_t bytes) { return owned[n_owned++] = new int8_t[bytes]; }
  ~XnnModel() {
    for (int i = 0; i < n; ++i) xnn_delete_operator(op[i]);
    for (int i = 0; i < n_owned; ++i) delete[] owned[i];
  }
  void run() {
    for (int i = 0; i < n; ++i) {
      if (xnn_run_operator(op[i], nullptr) != xnn_status_success) ok = false;
    }
  }
};

float real_scale(int32_t m, int32_t s) { return static_cast<float>(std::ldexp(m, s - 31)); }

int8_t clamp8(int32_t v) { return static_cast<int8_t>(v < -128 ? -128 : v > 127 ? 127 : v); }

// Builds `m` without a final softmax; false if a layer has no XNNPACK
// counterpart here.
bool build_xnn(const starling::QModel& m, int layers, const int8_t* input, XnnModel* x) {
  // Tensor k lives in buf[k]; shapes as QNet sees them.
  struct Shape { size_t h, w, c; };
  Shape shape[XnnModel::kMax + 1];
  shape[0] = {size_t(m.input_h ? m.input_h : 1), size_t(m.input_w ? m.input_w : 1),
              size_t(m.input_c ? m.input_c : m.input_dim)};
  x->buf[0] = x->alloc(shape[0].h * shape[0].w * shape[0].c);
  std::memcpy(x->buf[0], input, shape[0].h * shape[0].w * shape[0].c);
  for (int i = 0; i < layers; ++i) {
    const starling::QLayer& l = m.layers[i];
    const int src = l.input == starling::kQPrevious ? i : l.input;
    const Shape in = shape[src];
    Shape out = in;
    xnn_operator_t op = nullptr;
    xnn_status st = xnn_status_success;
    switch (l.kind) {
      case starling::QLayerKind::Conv2D:
      case starling::QLayerKind::DepthwiseConv2D: {
        const bool dw = l.kind == starling::QLayerKind::DepthwiseConv2D;
        const starling::ConvParams& p = dw ? static_cast<const starling::ConvParams&>(l.op.dw) : l.op.conv;
        out = {size_t(p.out_h), size_t(p.out_w), size_t(p.out_c)};
        static float ks[4096];
        for (int c = 0; c < p.out_c; ++c) ks[c] = real_scale(p.multiplier[c], p.shift[c]);
        // Padding so that XNNPACK's output size equals starling's.
        const uint32_t eh = uint32_t((p.k_h - 1) * p.dilation_h + 1), ew = uint32_t((p.k_w - 1) * p.dilation_w + 1);
        const int64_t pb = int64_t(p.out_h - 1) * p.stride_h + eh - p.in_h - p.pad_h;
        const int64_t pr = int64_t(p.out_w - 1) * p.stride_w + ew - p.in_w - p.pad_w;
        st = xnn_create_convolution2d_nhwc_qc8(
            uint32_t(p.pad_h), uint32_t(pr > 0 ? pr : 0), uint32_t(pb > 0 ? pb : 0), uint32_t(p.pad_w),
            uint32_t(p.k_h), uint32_t(p.k_w), uint32_t(p.stride_h), uint32_t(p.stride_w),
            uint32_t(p.dilation_h), uint32_t(p.dilation_w), dw ? uint32_t(p.in_c) : 1u,
            dw ? 1 : size_t(p.in_c), dw ? size_t(l.op.dw.depth_multiplier) : size_t(p.out_c),
            size_t(p.in_c), size_t(p.out_c), clamp8(-p.input_offset), 1.0f, ks, l.weights, l.bias,
            clamp8(p.output_offset), 1.0f, int8_t(p.act_min), int8_t(p.act_max),
            dw ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op);
        if (st == xnn_status_success) {
          x->buf[i + 1] = x->alloc(out.h * out.w * out.c);
          st = xnn_setup_convolution2d_nhwc_qc8(op, 1, in.h, in.w, x->buf[src], x->buf[i + 1], nullptr);
        }
        break;
      }
      case starling::QLayerKind::AvgPool2D: {
        const auto& p = l.op.pool;
        if (p.out_h != 1 || p.out_w != 1 || p.k_h != p.in_h || p.k_w != p.in_w) return false;
        out = {1, 1, in.c};
        st = xnn_create_global_average_pooling_nwc_qs8(in.c, in.c, in.c, 0, 1.0f, 0, 1.0f, -128, 127,
                                                       0, &op);
        if (st == xnn_status_success) {
          x->buf[i + 1] = x->alloc(in.c);
          st = xnn_setup_global_average_pooling_nwc_qs8(op, 1, in.h * in.w, x->buf[src],
                                                        x->buf[i + 1], nullptr);
        }
        break;
      }
      case starling::QLayerKind::Add: {
        const auto& p = l.op.add;
        st = xnn_create_add_nd_qs8(clamp8(-p.in1_offset), 1.0f, clamp8(-p.in2_offset), 1.0f,
                                   clamp8(p.out_offset), 1.0f, int8_t(p.act_min), int8_t(p.act_max), 0,
                                   &op);
        if (st == xnn_status_success) {
          x->buf[i + 1] = x->alloc(in.h * in.w * in.c);
          const size_t dims[4] = {1, in.h, in.w, in.c};
          st = xnn_setup_add_nd_qs8(op, 4, dims, 4, dims, x->buf[src], x->buf[l.input2],
                                    x->buf[i + 1], nullptr);
        }
        break;
      }
      case starling::QLayerKind::FullyConnected: {
        const auto& p = l.fc;
        if (p.per_channel) return false;
        out = {1, 1, size_t(p.out_dim)};
        st = xnn_create_fully_connected_nc_qs8(
            size_t(p.in_dim), size_t(p.out_dim), size_t(p.in_dim), size_t(p.out_dim),
            clamp8(-p.input_offset), 1.0f, real_scale(p.multiplier[0], p.shift[0]), l.weights,
            l.bias, clamp8(p.output_offset), 1.0f, int8_t(p.act_min), int8_t(p.act_max), 0, &op);
        if (st == xnn_status_success) {
          x->buf[i + 1] = x->alloc(size_t(p.out_dim));
          st = xnn_setup_fully_connected_nc_qs8(op, 1, x->buf[src], x->buf[i + 1], nullptr);
        }
        break;
      }
      case starling::QLayerKind::Reshape:
        // The same bytes under another shape.
        shape[i + 1] = {size_t(l.op.shape.h), size_t(l.op.shape.w), size_t(l.op.shape.c)};
        x->buf[i + 1] = x->buf[src];
        continue;
      default:
        return false;
    }
    if (st != xnn_status_success) return false;
    x->op[x->n++] = op;
    shape[i + 1] = out;
  }
  return true;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int passes = quick ? 1 : 5;
  const int reps = quick ? 3 : 20;
#if BENCH_XNNPACK
  const bool have_xnn = xnn_initialize(nullptr) == xnn_status_success;
#else
  const bool have_xnn = false;
#endif
  const char* auto_port = starling::active_port();
  int ports[8], np = 0;
  for (int i = 0; i < starling::port_count() && np < 8; ++i) {
    if (starling::port_supported(i)) ports[np++] = i;
  }
  std::printf("bench_models: MLPerf Tiny shapes at batch 1, best of %d x %d; ports:", passes, reps);
  for (int k = 0; k < np; ++k) std::printf(" %s", starling::port_name(ports[k]));
  std::printf("; XNNPACK %s\n\n", have_xnn ? "(libxnnpack-dev, 1 thread)" : "not built in");
  std::printf("| model | MMAC | arena KiB |");
  for (int k = 0; k < np; ++k) std::printf(" %s us |", starling::port_name(ports[k]));
  if (have_xnn) std::printf(" XNNPACK us | XNNPACK / best |");
  std::printf(" full model us (%s) |\n|---|---|---|", auto_port);
  for (int k = 0; k < np; ++k) std::printf("---|");
  if (have_xnn) std::printf("---|---|");
  std::printf("---|\n");
  for (const ModelRef& mr : kModels) {
    if (starling::load_qmodel(mr.blob, mr.size, g_st) != starling::Status::Ok) return 1;
    const starling::QModel full = g_st.model();
    starling::QModel cut = full;
    if (full.layers[full.num_layers - 1].kind == starling::QLayerKind::Softmax) --cut.num_layers;
    for (int i = 0; i < full.input_dim; ++i) g_in[i] = static_cast<int8_t>((i * 37) % 251 - 125);
    starling::QNetCore net, net_full;
    if (net.init(cut, g_arena, sizeof g_arena / 2) != starling::Status::Ok) return 1;
    if (net_full.init(full, g_arena + sizeof g_arena / 2, sizeof g_arena / 2) != starling::Status::Ok) return 1;
#if BENCH_XNNPACK
    XnnModel xm;
    const bool xnn_ok = have_xnn && build_xnn(cut, cut.num_layers, g_in, &xm);
#endif
    double best[8], best_xnn = 1e300, best_full = 1e300;
    for (int k = 0; k < np; ++k) best[k] = 1e300;
    for (int pass = 0; pass < passes; ++pass) {
      for (int k = 0; k < np; ++k) {
        if (starling::force_port(starling::port_name(ports[k])) != starling::Status::Ok) return 1;
        const double t = best_ns(reps, [&] { (void)net.run(g_in, g_out); });
        if (t < best[k]) best[k] = t;
      }
      (void)starling::force_port(auto_port);
      const double tf = best_ns(reps, [&] { (void)net_full.run(g_in, g_out); });
      if (tf < best_full) best_full = tf;
#if BENCH_XNNPACK
      if (xnn_ok) {
        const double tx = best_ns(reps, [&] { xm.run(); });
        if (tx < best_xnn) best_xnn = tx;
      }
#endif
    }
    double best_port = 1e300;
    for (int k = 0; k < np; ++k) best_port = best[k] < best_port ? best[k] : best_port;
    std::printf("| %s | %.2f | %.1f |", mr.name, macs(cut) / 1e6, double(net.arena_bytes(1)) / 1024);
    for (int k = 0; k < np; ++k) std::printf(" %.1f |", best[k] / 1e3);
#if BENCH_XNNPACK
    const bool xnn_ran = xnn_ok && xm.ok;
#else
    const bool xnn_ran = false;
#endif
    if (have_xnn) {
      if (xnn_ran) {
        std::printf(" %.1f | %.2fx |", best_xnn / 1e3, best_xnn / best_port);
      } else {
        std::printf(" n/a | |");
      }
    }
    std::printf(" %.1f |\n", best_full / 1e3);
  }
  std::printf("\n\"XNNPACK / best\" above 1 means starling's fastest port is faster. Without the\n"
              "final softmax on both sides; MMAC counts convolution and FC multiply-adds.\n"
              "Command: %s%s\n", argv[0], quick ? " --quick" : "");
  return 0;
}
