// SPDX-License-Identifier: MIT
// bench_layers: time per call of single int8 conv and depthwise layers (the
// shapes of the MLPerf Tiny models) and of the two fully-connected cells
// where XNNPACK led (4096x1024 also with kernel_sums), for every starling port, side by side in one run with
// XNNPACK (Debian's libxnnpack-dev, when found at configure time) and
// CMSIS-NN built for x86 from its public source (meson option cmsis_nn; see
// tools/bench_qnet/meson.build). Prints a markdown table and the command.
//
//   ./bench_layers            # full run (5 passes, best of each cell)
//   ./bench_layers --quick    # one short pass (smoke test)
//   ./bench_layers [--quick] --only TEXT   # only the layers whose name contains TEXT
//
// One MAC is one int8 weight × input product-accumulate (taps in the
// padding count too, as the layer's nominal k_h·k_w·in_c per output);
// requantization and clamping are in the time but not counted. Peers are
// single-threaded (no thread pool). CMSIS-NN runs its wrapper functions,
// which pick its fastest kernel for each shape (its plain C path on x86);
// its outputs are compared with starling's, which must be the same bytes
// (both follow TFLite Micro's reference arithmetic). XNNPACK rounds its own
// way (fp32 requantization): only its time is comparable.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "starling/layers.hpp"
#include "starling/port.hpp"
#include "starling/quant.hpp"

#if defined(BENCH_XNNPACK)
#include <xnnpack.h>
#endif
#if defined(BENCH_CMSIS_NN)
#include "arm_nnfunctions.h"
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Layer {
  const char* name;
  char kind;  // 'c' conv, 'd' depthwise, 'f' fully connected
  int in_h, in_w, in_c, out_c, k, stride, batches;
  bool sums = false;  // FC: with FcParams::kernel_sums from fc_kernel_sums() (computed before timing)
};

// Conv and depthwise shapes of DS-CNN (KWS), MobileNet v1 0.25 (VWW) and
// ResNet-8 (IC), SAME padding; and the FC cells (in_c = in_dim, out_c = out_dim).
const Layer kLayers[] = {
    {"ResNet-8 conv 3x3 3->16, 32x32", 'c', 32, 32, 3, 16, 3, 1, 1},
    {"ResNet-8 conv 3x3 16->16, 32x32", 'c', 32, 32, 16, 16, 3, 1, 1},
    {"ResNet-8 conv 3x3 s2 16->32, 32x32", 'c', 32, 32, 16, 32, 3, 2, 1},
    {"ResNet-8 conv 3x3 32->32, 16x16", 'c', 16, 16, 32, 32, 3, 1, 1},
    {"ResNet-8 conv 3x3 64->64, 8x8", 'c', 8, 8, 64, 64, 3, 1, 1},
    {"DS-CNN conv 10x4 s2 1->64, 49x10", 'c', 49, 10, 1, 64, 0, 2, 1},
    {"DS-CNN pointwise 64->64, 25x5", 'c', 25, 5, 64, 64, 1, 1, 1},
    {"MobileNet conv 3x3 s2 3->8, 96x96", 'c', 96, 96, 3, 8, 3, 2, 1},
    {"MobileNet pointwise 8->16, 48x48", 'c', 48, 48, 8, 16, 1, 1, 1},
    {"MobileNet pointwise 64->128, 12x12", 'c', 12, 12, 64, 128, 1, 1, 1},
    {"MobileNet pointwise 128->128, 6x6", 'c', 6, 6, 128, 128, 1, 1, 1},
    {"DS-CNN depthwise 3x3 64, 25x5", 'd', 25, 5, 64, 64, 3, 1, 1},
    {"MobileNet depthwise 3x3 8, 48x48", 'd', 48, 48, 8, 8, 3, 1, 1},
    {"MobileNet depthwise 3x3 s2 16, 48x48", 'd', 48, 48, 16, 16, 3, 2, 1},
    {"MobileNet depthwise 3x3 64, 12x12", 'd', 12, 12, 64, 64, 3, 1, 1},
    {"MobileNet depthwise 3x3 128, 6x6", 'd', 6, 6, 128, 128, 3, 1, 1},
    {"FC 64x64, batch 8", 'f', 1, 1, 64, 64, 1, 1, 8},
    {"FC 4096x1024, batch 1", 'f', 1, 1, 1024, 4096, 1, 1, 1},
    // XNNPACK folds Σw into its packed bias when the operator is created;
    // this row gives starling the same precomputation (kernel_sums).
    {"FC 4096x1024, batch 1, kernel_sums", 'f', 1, 1, 1024, 4096, 1, 1, 1, true},
};
constexpr int kNumLayers = static_cast<int>(sizeof kLayers / sizeof kLayers[0]);
constexpr int kMaxPorts = 8;

constexpr size_t kMaxTensor = 96 * 96 * 16;
constexpr size_t kMaxFilter = 4096 * 1024;
int8_t g_input[kMaxTensor];
int8_t g_filter[kMaxFilter];
int8_t g_output[kMaxTensor];
int8_t g_ref[kMaxTensor];
[[maybe_unused]] int8_t g_peer_out[kMaxTensor];
int32_t g_bias[4096];
int32_t g_sums[4096];
int32_t g_mult[4096];
int32_t g_shift[4096];
float g_wscale[4096];
alignas(64) unsigned char g_scratch[1 << 20];
[[maybe_unused]] volatile int g_sink;  // used by the XNNPACK rows only

constexpr float kInScale = 0.05f, kOutScale = 0.1f;
constexpr int kInZp = -3, kOutZp = 5;

uint32_t next_u32(uint32_t& s) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Best time per call of f over reps repetitions of about target seconds each.
template <class F>
double best_time(F&& f, int reps, double target) {
  auto t0 = Clock::now();
  f();
  const double once = seconds_since(t0);
  long inner = once > 0 ? static_cast<long>(target / once) : 1000;
  inner = inner < 1 ? 1 : inner;
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    t0 = Clock::now();
    for (long k = 0; k < inner; ++k) f();
    const double t = seconds_since(t0) / static_cast<double>(inner);
    best = t < best ? t : best;
  }
  return best;
}

// Geometry of one layer, as TFLite computes SAME padding (DS-CNN's first conv
// is 10x4: k = 0 marks it).
struct Geo {
  int k_h, k_w, out_h, out_w, pad_top, pad_left, pad_bottom, pad_right;
};
Geo geometry(const Layer& L) {
  Geo g{};
  g.k_h = L.k == 0 ? 10 : L.k;
  g.k_w = L.k == 0 ? 4 : L.k;
  if (L.kind == 'f') return Geo{1, 1, 1, 1, 0, 0, 0, 0};
  g.out_h = (L.in_h + L.stride - 1) / L.stride;
  g.out_w = (L.in_w + L.stride - 1) / L.stride;
  const int th = (g.out_h - 1) * L.stride + g.k_h - L.in_h, tw = (g.out_w - 1) * L.stride + g.k_w - L.in_w;
  g.pad_top = th > 0 ? th / 2 : 0;
  g.pad_left = tw > 0 ? tw / 2 : 0;
  g.pad_bottom = th > 0 ? th - g.pad_top : 0;
  g.pad_right = tw > 0 ? tw - g.pad_left : 0;
  return g;
}

starling::DepthwiseParams params(const Layer& L, const Geo& g) {
  starling::DepthwiseParams p{};
  p.batches = 1;
  p.in_h = L.in_h;
  p.in_w = L.in_w;
  p.in_c = L.in_c;
  p.out_h = g.out_h;
  p.out_w = g.out_w;
  p.out_c = L.out_c;
  p.k_h = g.k_h;
  p.k_w = g.k_w;
  p.stride_h = p.stride_w = L.stride;
  p.dilation_h = p.dilation_w = 1;
  p.pad_h = g.pad_top;
  p.pad_w = g.pad_left;
  p.input_offset = -kInZp;
  p.output_offset = kOutZp;
  p.multiplier = g_mult;
  p.shift = g_shift;
  p.act_min = -128;
  p.act_max = 127;
  p.depth_multiplier = L.out_c / L.in_c;
  return p;
}

double macs_of(const Layer& L, const Geo& g) {
  if (L.kind == 'f') return static_cast<double>(L.in_c) * L.out_c * L.batches;
  const double per_out = static_cast<double>(g.k_h) * g.k_w * (L.kind == 'c' ? L.in_c : 1);
  return per_out * g.out_h * g.out_w * L.out_c;
}

size_t out_size(const Layer& L, const Geo& g) {
  return L.kind == 'f' ? static_cast<size_t>(L.out_c) * static_cast<size_t>(L.batches)
                       : static_cast<size_t>(g.out_h) * static_cast<size_t>(g.out_w) * static_cast<size_t>(L.out_c);
}

starling::Status run_starling(const Layer& L, const starling::DepthwiseParams& p) {
  if (L.kind == 'c') {
    return starling::conv2d_s8(p, g_input, g_filter, g_bias, g_output, g_scratch,
                               starling::conv2d_s8_scratch_size(p));
  }
  if (L.kind == 'd') return starling::depthwise_conv2d_s8(p, g_input, g_filter, g_bias, g_output);
  starling::FcParams fc{L.in_c, L.out_c, -kInZp, kOutZp, g_mult, g_shift, true, -128, 127};
  if (L.sums) fc.kernel_sums = g_sums;
  return starling::fully_connected_s8(fc, g_input, g_filter, g_bias, g_output, L.batches);
}

#if defined(BENCH_XNNPACK)
// XNNPACK's per-channel int8 convolution (qc8) with the same shapes;
// depthwise is its grouped form (groups = in_c). FC: qs8 (per tensor; it has
// no per-channel FC in this version).
xnn_operator_t xnn_make(const Layer& L, const Geo& g) {
  xnn_operator_t op = nullptr;
  xnn_status s;
  if (L.kind == 'f') {
    s = xnn_create_fully_connected_nc_qs8(static_cast<size_t>(L.in_c), static_cast<size_t>(L.out_c),
                                          static_cast<size_t>(L.in_c), static_cast<size_t>(L.out_c), kInZp,
                                          kInScale, g_wscale[0], g_filter, g_bias, kOutZp, kOutScale, -128, 127, 0,
                                          &op);
  } else {
    const bool dw = L.kind == 'd';
    s = xnn_create_convolution2d_nhwc_qc8(
        static_cast<uint32_t>(g.pad_top), static_cast<uint32_t>(g.pad_right), static_cast<uint32_t>(g.pad_bottom),
        static_cast<uint32_t>(g.pad_left), static_cast<uint32_t>(g.k_h), static_cast<uint32_t>(g.k_w),
        static_cast<uint32_t>(L.stride), static_cast<uint32_t>(L.stride), 1, 1,
        dw ? static_cast<uint32_t>(L.in_c) : 1, dw ? 1 : static_cast<size_t>(L.in_c),
        dw ? static_cast<size_t>(L.out_c / L.in_c) : static_cast<size_t>(L.out_c), static_cast<size_t>(L.in_c),
        static_cast<size_t>(L.out_c), kInZp, kInScale, g_wscale, g_filter, g_bias, kOutZp, kOutScale, -128, 127,
        dw ? XNN_FLAG_DEPTHWISE_CONVOLUTION : 0, &op);
  }
  if (s != xnn_status_success) return nullptr;
  if (L.kind == 'f') {
    s = xnn_setup_fully_connected_nc_qs8(op, static_cast<size_t>(L.batches), g_input, g_peer_out, nullptr);
  } else {
    s = xnn_setup_convolution2d_nhwc_qc8(op, 1, static_cast<size_t>(L.in_h), static_cast<size_t>(L.in_w), g_input,
                                         g_peer_out, nullptr);
  }
  if (s != xnn_status_success) {
    xnn_delete_operator(op);
    return nullptr;
  }
  return op;
}
#endif

#if defined(BENCH_CMSIS_NN)
// CMSIS-NN's wrappers (they choose the 1x1 and optimized kernels where
// they apply). FC: arm_fully_connected_per_channel_s8 is not in every
// version; its per-tensor arm_fully_connected_s8 is used, so only timed.
struct Cmsis {
  cmsis_nn_context ctx;
  cmsis_nn_conv_params conv;
  cmsis_nn_dw_conv_params dw;
  cmsis_nn_per_channel_quant_params quant;
  cmsis_nn_dims in, filter, bias, out;
};
Cmsis cmsis_make(const Layer& L, const Geo& g, const starling::DepthwiseParams& p) {
  Cmsis c{};
  c.quant.multiplier = g_mult;
  c.quant.shift = g_shift;
  c.in = cmsis_nn_dims{1, L.in_h, L.in_w, L.in_c};
  c.out = cmsis_nn_dims{1, g.out_h, g.out_w, L.out_c};
  c.bias = cmsis_nn_dims{1, 1, 1, L.out_c};
  const cmsis_nn_tile stride{L.stride, L.stride}, pad{g.pad_left, g.pad_top}, dil{1, 1};
  const cmsis_nn_activation act{-128, 127};
  if (L.kind == 'c') {
    c.conv = cmsis_nn_conv_params{p.input_offset, p.output_offset, stride, pad, dil, act};
    c.filter = cmsis_nn_dims{L.out_c, g.k_h, g.k_w, L.in_c};
    c.ctx.size = arm_convolve_wrapper_s8_get_buffer_size(&c.conv, &c.in, &c.filter, &c.out);
  } else {
    c.dw = cmsis_nn_dw_conv_params{p.input_offset, p.output_offset, L.out_c / L.in_c, stride, pad, dil, act};
    c.filter = cmsis_nn_dims{1, g.k_h, g.k_w, L.out_c};
    c.ctx.size = arm_depthwise_conv_wrapper_s8_get_buffer_size(&c.dw, &c.in, &c.filter, &c.out);
  }
  c.ctx.buf = c.ctx.size <= static_cast<int32_t>(sizeof g_scratch) ? g_scratch : nullptr;
  return c;
}
bool cmsis_run(const Layer& L, Cmsis& c) {
  arm_cmsis_nn_status s;
  if (L.kind == 'c') {
    s = arm_convolve_wrapper_s8(&c.ctx, &c.conv, &c.quant, &c.in, g_input, &c.filter, g_filter, &c.bias, g_bias,
                                &c.out, g_peer_out);
  } else {
    s = arm_depthwise_conv_wrapper_s8(&c.ctx, &c.dw, &c.quant, &c.in, g_input, &c.filter, g_filter, &c.bias, g_bias,
                                      &c.out, g_peer_out);
  }
  return s == ARM_CMSIS_NN_SUCCESS;
}
#endif

void fill(const Layer& L, const Geo& g) {
  uint32_t s = 0x2468ACEu;
  for (int8_t& v : g_input) v = static_cast<int8_t>(static_cast<int>(next_u32(s) & 0xFFu) - 128);
  for (int8_t& v : g_filter) v = static_cast<int8_t>(static_cast<int>(next_u32(s) % 255u) - 127);
  // Per-channel weight scales around what keeps the outputs inside int8.
  const double depth = L.kind == 'c' || L.kind == 'f' ? static_cast<double>(g.k_h) * g.k_w * L.in_c
                                                      : static_cast<double>(g.k_h) * g.k_w;
  for (int o = 0; o < 4096; ++o) {
    g_bias[o] = static_cast<int32_t>(next_u32(s) % 2001u) - 1000;
    g_wscale[o] = static_cast<float>(2.0 * kOutScale / (kInScale * 128.0 * std::sqrt(depth)) *
                                     (1.0 + static_cast<double>(o % 5) / 10.0));
  }
  if (starling::quantize_scales(kInScale, g_wscale, 4096, kOutScale, g_mult, g_shift) != starling::Status::Ok) {
    std::printf("quantize_scales failed\n");
  }
  if (L.kind == 'f' && L.sums) {
    const starling::FcParams fc{L.in_c, L.out_c, -kInZp, kOutZp, g_mult, g_shift, true, -128, 127};
    if (starling::fc_kernel_sums(fc, g_filter, g_sums) != starling::Status::Ok) std::printf("fc_kernel_sums failed\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  const char* only = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) quick = true;
    else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = argv[++i];
  }
  auto selected = [&](const Layer& L) { return only == nullptr || std::strstr(L.name, only) != nullptr; };
  const int reps = quick ? 2 : 15;
  const double target = quick ? 2e-4 : 1e-3;
  const int passes = quick ? 1 : 5;
  std::printf("command:");
  for (int i = 0; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\nint8 layers, single thread, requantize %s rounding; best of %d passes\n",
              starling::requantize_is_single_rounding() ? "single" : "double", passes);
#if defined(BENCH_XNNPACK)
  const bool have_xnn = xnn_initialize(nullptr) == xnn_status_success;
  std::printf("XNNPACK: %s\n", have_xnn ? "Debian libxnnpack (qc8 conv, qs8 FC)" : "xnn_initialize failed");
#else
  const bool have_xnn = false;
  std::printf("XNNPACK: not built (libxnnpack-dev not found at configure time)\n");
#endif
#if defined(BENCH_CMSIS_NN)
  std::printf("CMSIS-NN: built from %s (x86, plain C path, same compiler flags as the benchmark)\n", BENCH_CMSIS_NN);
#else
  std::printf("CMSIS-NN: not built (configure with -Dcmsis_nn=/path/to/CMSIS-NN; see tools/bench_qnet/get_cmsis_nn.sh)\n");
#endif
  int ports[kMaxPorts], np = 0;
  for (int i = 0; i < starling::port_count() && np < kMaxPorts; ++i)
    if (starling::port_supported(i)) ports[np++] = i;
  const char* auto_port = starling::active_port();

  double t_ours[kNumLayers][kMaxPorts], t_xnn[kNumLayers], t_cmsis[kNumLayers];
  bool same_ports[kNumLayers], same_cmsis[kNumLayers], ran_cmsis[kNumLayers];
  for (int li = 0; li < kNumLayers; ++li) {
    t_xnn[li] = t_cmsis[li] = 1e30;
    same_ports[li] = true;
    same_cmsis[li] = true;
    ran_cmsis[li] = false;
    for (int k = 0; k < np; ++k) t_ours[li][k] = 1e30;
  }
  for (int pass = 0; pass < passes; ++pass) {
    for (int li = 0; li < kNumLayers; ++li) {
      const Layer& L = kLayers[li];
      if (!selected(L)) continue;
      const Geo g = geometry(L);
      const starling::DepthwiseParams p = params(L, g);
      fill(L, g);
      const size_t n_out = out_size(L, g);
      for (int k = 0; k < np; ++k) {
        if (starling::force_port(starling::port_name(ports[k])) != starling::Status::Ok) return 1;
        starling::Status st = starling::Status::Ok;
        // The scalar port only once per pass, briefly: it is the slow reference.
        const double t = best_time([&] { st = run_starling(L, p); }, k == 0 ? 1 : reps, k == 0 ? 0 : target);
        if (st != starling::Status::Ok) {
          std::printf("%s: %s on %s\n", L.name, starling::status_name(st), starling::port_name(ports[k]));
          return 1;
        }
        if (k == 0) std::memcpy(g_ref, g_output, n_out);
        else if (std::memcmp(g_ref, g_output, n_out) != 0) same_ports[li] = false;
        t_ours[li][k] = t < t_ours[li][k] ? t : t_ours[li][k];
      }
      (void)starling::force_port(auto_port);
#if defined(BENCH_XNNPACK)
      if (have_xnn) {
        xnn_operator_t op = xnn_make(L, g);
        if (op != nullptr) {
          const double t = best_time([&] { g_sink = static_cast<int>(xnn_run_operator(op, nullptr)); }, reps, target);
          t_xnn[li] = t < t_xnn[li] ? t : t_xnn[li];
          xnn_delete_operator(op);
        }
      }
#endif
#if defined(BENCH_CMSIS_NN)
      if (L.kind != 'f') {
        Cmsis c = cmsis_make(L, g, p);
        if (c.ctx.size == 0 || c.ctx.buf != nullptr) {
          bool ok = true;
          const double t = best_time([&] { ok = cmsis_run(L, c); }, reps, target);
          if (ok) {
            ran_cmsis[li] = true;
            t_cmsis[li] = t < t_cmsis[li] ? t : t_cmsis[li];
            if (std::memcmp(g_ref, g_peer_out, n_out) != 0) same_cmsis[li] = false;
          }
        }
      }
#endif
    }
  }

  std::printf("\n| layer | MACs |");
  for (int k = 0; k < np; ++k) std::printf(" %s us |", starling::port_name(ports[k]));
  std::printf(" XNNPACK us | XNNPACK / starling | CMSIS-NN us | CMSIS-NN / starling |\n|---|---:|");
  for (int k = 0; k < np; ++k) std::printf("---:|");
  std::printf("---:|---:|---:|---:|\n");
  bool all_same = true;
  for (int li = 0; li < kNumLayers; ++li) {
    const Layer& L = kLayers[li];
    if (!selected(L)) continue;
    const Geo g = geometry(L);
    std::printf("| %s | %.0f |", L.name, macs_of(L, g));
    double best = 1e30;
    for (int k = 0; k < np; ++k) {
      std::printf(" %.2f |", t_ours[li][k] * 1e6);
      if (k > 0 || np == 1) best = t_ours[li][k] < best ? t_ours[li][k] : best;
    }
    // Ratios against the port "auto" picks (the last supported one).
    const double ours = t_ours[li][np - 1];
    (void)best;
    if (have_xnn && t_xnn[li] < 1e29) std::printf(" %.2f | %.2f |", t_xnn[li] * 1e6, t_xnn[li] / ours);
    else std::printf(" - | - |");
    if (ran_cmsis[li]) std::printf(" %.2f | %.2f%s |", t_cmsis[li] * 1e6, t_cmsis[li] / ours, same_cmsis[li] ? "" : " (outputs differ!)");
    else std::printf(" - | - |");
    std::printf("\n");
    all_same = all_same && same_ports[li] && same_cmsis[li];
  }
  std::printf("\nratios > 1: starling (%s) is faster. outputs identical across starling ports%s: %s\n",
              starling::port_name(ports[np - 1]),
#if defined(BENCH_CMSIS_NN)
              " and CMSIS-NN",
#else
              "",
#endif
              all_same ? "yes" : "NO");
  return all_same ? 0 : 1;
}
