// SPDX-License-Identifier: MIT
// bench_qnet: MACs per ns of fully_connected_s8 for every port compiled in
// and supported (force_port each in turn, side by side in one run), against
// the scalar kernel and the machine's measured int8 peak (vpdpbusd zmm and
// vpmaddubsw+vpmaddwd ymm loops from L1) and memory bandwidth (a 64 MiB
// stream) and cache read bandwidth (256 KiB and 1 MiB buffers, the ceiling
// of batch 1 once the weights leave L1), plus the time to stream the
// 4096×1024 weights once. Layers are per-channel with input_offset 3 (so
// the kernels pay their Σw correction unless FcParams::kernel_sums supplies
// it: batches 1 and 8 are timed both without and with kernel_sums, rows
// marked "+sums"); batch 1 is timed again with input_offset 128, which needs no
// correction at all. Prints markdown tables for the README and the command
// that produced them.
//
//   ./bench_qnet            # full tables
//   ./bench_qnet --quick    # shorter runs (smoke test)
//
// One MAC is one int8 weight × input product-accumulate; requantization and
// clamping are included in the time but not counted. Best of several
// repetitions in each of 5 passes over the whole table, and the best pass;
// on a shared machine compare the ratios, not the absolutes.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "starling/port.hpp"
#include "starling/qnet.hpp"
#include "../../examples/requant_tune/exported_model.h"
#include "starling/quant.hpp"
#if defined(BENCH_PEAK_AVX2) || defined(BENCH_PEAK_VNNI)
#include "peak_x86.hpp"
#endif

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxIn = 1024;
constexpr int kMaxOut = 4096;
constexpr int kMaxBatch = 8;
constexpr int kMaxPorts = 8;

int8_t g_weights[kMaxOut * kMaxIn];
int8_t g_input[kMaxBatch * kMaxIn];
int8_t g_output[kMaxBatch * kMaxOut];
int8_t g_ref_output[kMaxBatch * kMaxOut];
int32_t g_bias[kMaxOut];
int32_t g_mult[kMaxOut];
int32_t g_shift[kMaxOut];
int32_t g_sums[kMaxOut];
alignas(64) int8_t g_l1[1024];
alignas(64) uint8_t g_big[64 << 20];
volatile uint32_t g_sink;

uint32_t next_u32(uint32_t& s) {  // xorshift32: any fixed data will do
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

void fill() {
  uint32_t s = 0x12345678u;
  for (int8_t& v : g_weights) v = static_cast<int8_t>(static_cast<int>(next_u32(s) % 255u) - 127);
  for (int8_t& v : g_input) v = static_cast<int8_t>(static_cast<int>(next_u32(s) & 0xFFu) - 128);
  for (int8_t& v : g_l1) v = static_cast<int8_t>(next_u32(s) & 0x7Fu);
  for (int o = 0; o < kMaxOut; ++o) {
    g_bias[o] = static_cast<int32_t>(next_u32(s) % 20001u) - 10000;
    int shift = 0;
    starling::quantize_multiplier(0.0002 * (1.0 + static_cast<double>(o % 7) / 7.0), &g_mult[o], &shift);
    g_shift[o] = shift;
  }
  for (size_t i = 0; i < sizeof g_big; i += 64) g_big[i] = static_cast<uint8_t>(i >> 6);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Best time per call of `f` over `reps` repetitions of about `target` s each.
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

// Whether the CPU has AVX2 and AVX-512 VNNI, set once in main(): asking
// port_supported() runs CPUID, which in a VM traps to the hypervisor and
// costs tens of microseconds, more than reading 1 MiB from L2.
[[maybe_unused]] bool g_avx2 = false, g_vnni = false;

uint32_t stream_read(const void* p, size_t bytes) {
#if defined(BENCH_PEAK_AVX2)
  if (g_avx2) return bench::stream_read_avx2(p, bytes);
#endif
  const uint64_t* v = static_cast<const uint64_t*>(p);
  uint64_t a = 0, b = 0;
  for (size_t i = 0; i + 2 <= bytes / 8; i += 2) {
    a ^= v[i];
    b ^= v[i + 1];
  }
  return static_cast<uint32_t>(a ^ b ^ (a >> 32));
}

bool supported(const char* name) {
  for (int i = 0; i < starling::port_count(); ++i)
    if (std::strcmp(starling::port_name(i), name) == 0) return starling::port_supported(i);
  return false;
}

// A cache-resident read: 64-byte loads where the CPU has them (one load per
// line, like the VNNI kernel's weight loads), else stream_read's.
uint32_t cache_read(const void* p, size_t bytes) {
#if defined(BENCH_PEAK_VNNI)
  if (g_vnni) return bench::stream_read_avx512(p, bytes);
#endif
  return stream_read(p, bytes);
}

struct Shape {
  int out_dim, in_dim;
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  // Many short repetitions, best taken: on a shared machine most long
  // intervals are interrupted, short ones often are not.
  const int reps = quick ? 3 : 31;
  const double target = quick ? 5e-4 : 5e-4;
  fill();
  g_avx2 = supported("avx2");
  g_vnni = supported("avx512vnni");
  std::printf("command:");
  for (int i = 0; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\nint8 fully-connected, requantize %s rounding, per-channel, ports:",
              starling::requantize_is_single_rounding() ? "single" : "double");
  for (int i = 0; i < starling::port_count(); ++i)
    std::printf(" %s%s", starling::port_name(i), starling::port_supported(i) ? "" : "(unsupported)");
  std::printf("\n\n");

  // ---- The machine: int8 peak and memory --------------------------------
  // Measured before and again after the kernels, the best of both kept: a
  // neighbour's burst on the shared machine then has to hit both.
  double vnni_peak = 0, maddubs_peak = 0, l2_bw_small = 0, l2_bw_big = 0, bw = 0, t_w = 1e30;
  [[maybe_unused]] const long peak_iters = quick ? 20000 : 50000;  // ~0.3 ms a call: rarely interrupted
  const size_t wbytes = static_cast<size_t>(4096) * 1024;
  auto keep_max = [](double& v, double x) { v = x > v ? x : v; };
  auto measure_machine = [&] {
#if defined(BENCH_PEAK_VNNI)
    if (supported("avx512vnni")) {
      const double t = best_time([&] { g_sink = static_cast<uint32_t>(bench::peak_vnni_zmm(g_l1, peak_iters)); },
                                 4 * reps, 0);
      keep_max(vnni_peak, static_cast<double>(peak_iters) * 12 * 64 / t * 1e-9);
    }
#endif
#if defined(BENCH_PEAK_AVX2)
    if (supported("avx2")) {
      const double t = best_time([&] { g_sink = static_cast<uint32_t>(bench::peak_maddubs_ymm(g_l1, peak_iters)); },
                                 4 * reps, 0);
      keep_max(maddubs_peak, static_cast<double>(peak_iters) * 8 * 32 / t * 1e-9);
    }
#endif
    // L2-resident reads: the ceiling of a batch-1 layer whose weights do not
    // fit L1 (each weight byte is read once per call). 256 KiB sits in any
    // L2 of 512 KiB or more; 1 MiB is the size of the 1024x1024 weights, so
    // it measures what that layer meets (on a 1 MiB L2, partly L3).
    const size_t l2_small = size_t{256} << 10, l2_big = size_t{1} << 20;
    const double t_l2s = best_time([&] { g_sink = cache_read(g_big, l2_small); }, 4 * reps, target);
    const double t_l2b = best_time([&] { g_sink = cache_read(g_big, l2_big); }, 4 * reps, target);
    keep_max(l2_bw_small, static_cast<double>(l2_small) / t_l2s * 1e-9);
    keep_max(l2_bw_big, static_cast<double>(l2_big) / t_l2b * 1e-9);
    const double t_big = best_time([&] { g_sink = stream_read(g_big, sizeof g_big); }, quick ? 2 : 5, 0);
    keep_max(bw, static_cast<double>(sizeof g_big) / t_big * 1e-9);
    const double t = best_time([&] { g_sink = stream_read(g_weights, wbytes); }, reps, target);
    t_w = t < t_w ? t : t_w;
  };
  measure_machine();
  // ---- Kernels: every supported port, side by side ----------------------
  const Shape shapes[] = {{64, 64}, {256, 256}, {1024, 1024}, {4096, 1024}};
  // Rows of the table: batch 1 and batch 8, each without and with kernel_sums.
  const int batch_sizes[] = {1, 1, 8, 8};
  const bool with_sums[] = {false, true, false, true};
  constexpr int kRowsPerShape = 4;
  int ports[kMaxPorts], np = 0;
  for (int i = 0; i < starling::port_count() && np < kMaxPorts; ++i)
    if (starling::port_supported(i)) ports[np++] = i;
  const char* auto_port = starling::active_port();
  double macns[4][kRowsPerShape][kMaxPorts] = {};
  double us4096[kRowsPerShape][kMaxPorts] = {};
  bool identical = true;
  // Whole passes over the table, the best of each cell kept: one burst of
  // a neighbour then costs a cell one pass, not its figure.
  const int passes = quick ? 1 : 5;
  for (int pass = 0; pass < passes; ++pass)
  for (int si = 0; si < 4; ++si) {
    const Shape sh = shapes[si];
    starling::FcParams p{sh.in_dim, sh.out_dim, 3, -5, g_mult, g_shift, true, -128, 127};
    if (starling::fc_kernel_sums(p, g_weights, g_sums) != starling::Status::Ok) return 1;
    for (int bi = 0; bi < kRowsPerShape; ++bi) {
      const int batches = batch_sizes[bi];
      p.kernel_sums = with_sums[bi] ? g_sums : nullptr;
      const double macs = static_cast<double>(sh.in_dim) * sh.out_dim * batches;
      for (int k = 0; k < np; ++k) {
        if (starling::force_port(starling::port_name(ports[k])) != starling::Status::Ok) return 1;
        starling::Status st = starling::Status::Ok;
        const double t = best_time([&] { st = starling::fully_connected_s8(p, g_input, g_weights, g_bias, g_output, batches); },
                                   k == 0 && quick ? 1 : reps, target);
        if (st != starling::Status::Ok) return 1;
        const size_t n = static_cast<size_t>(batches) * static_cast<size_t>(sh.out_dim);
        if (k == 0 && !with_sums[bi]) std::memcpy(g_ref_output, g_output, n);
        else if (std::memcmp(g_ref_output, g_output, n) != 0) identical = false;
        keep_max(macns[si][bi][k], macs / t * 1e-9);
        if (si == 3 && (pass == 0 || t * 1e6 < us4096[bi][k])) us4096[bi][k] = t * 1e6;
      }
    }
  }
  (void)starling::force_port(auto_port);
  measure_machine();

  std::printf("| machine figure | value |\n|---|---:|\n");
  if (vnni_peak > 0) std::printf("| int8 peak, vpdpbusd zmm from L1 | %.1f MAC/ns |\n", vnni_peak);
  if (maddubs_peak > 0) std::printf("| int8 peak, vpmaddubsw+vpmaddwd ymm from L1 | %.1f MAC/ns |\n", maddubs_peak);
  std::printf("| cache read bandwidth, 256 KiB buffer (L2) | %.1f GB/s |\n", l2_bw_small);
  std::printf("| cache read bandwidth, 1 MiB buffer (L2/L3) | %.1f GB/s |\n", l2_bw_big);
  std::printf("| memory bandwidth, 64 MiB stream | %.1f GB/s |\n", bw);
  std::printf("| stream the 4096x1024 weights (4 MiB) once | %.1f us (from DRAM at the 64 MiB rate: %.1f us) |\n\n",
              t_w * 1e6, static_cast<double>(wbytes) / bw * 1e-3);

  std::printf("| out x in | batch |");
  for (int k = 0; k < np; ++k) std::printf(" %s MAC/ns (x scalar) |", starling::port_name(ports[k]));
  std::printf("\n|---|---:|");
  for (int k = 0; k < np; ++k) std::printf("---:|");
  std::printf("\n");
  for (int si = 0; si < 4; ++si)
    for (int bi = 0; bi < kRowsPerShape; ++bi) {
      std::printf("| %dx%d | %d%s |", shapes[si].out_dim, shapes[si].in_dim, batch_sizes[bi],
                  with_sums[bi] ? " +sums" : "");
      for (int k = 0; k < np; ++k)
        std::printf(k == 0 ? " %.2f |" : " %.1f (%.0fx) |", macns[si][bi][k], macns[si][bi][k] / macns[si][bi][0]);
      std::printf("\n");
    }
  std::printf("\noutputs identical across ports: %s\n\n", identical ? "yes" : "NO");

  // ---- Targets -------------------------------------------------------------
  // Batch 1 again with input_offset 128 (input zero point −128, the usual
  // one after a ReLU): the kernels then need no Σw correction.
  double macns128[2][kMaxPorts] = {};
  for (int pass = 0; pass < passes; ++pass)
  for (int k = 0; k < np; ++k) {
    if (starling::force_port(starling::port_name(ports[k])) != starling::Status::Ok) return 1;
    for (int si = 1; si <= 2; ++si) {
      const Shape sh = shapes[si];
      const starling::FcParams p{sh.in_dim, sh.out_dim, 128, -5, g_mult, g_shift, true, -128, 127};
      starling::Status st = starling::Status::Ok;
      const double t = best_time([&] { st = starling::fully_connected_s8(p, g_input, g_weights, g_bias, g_output, 1); },
                                 k == 0 && quick ? 1 : reps, target);
      if (st != starling::Status::Ok) return 1;
      keep_max(macns128[si - 1][k], static_cast<double>(sh.in_dim) * sh.out_dim / t * 1e-9);
    }
  }
  (void)starling::force_port(auto_port);
  // Each cell "a / b": a without kernel_sums, b with them (input_offset 3).
  // At batch 1 every MAC reads one weight byte, so MAC/ns is weight GB/s:
  // the last column sets it against the cache read bandwidth of a buffer
  // the size of the layer's weights' home (256x256 against 256 KiB,
  // 1024x1024 against 1 MiB).
  std::printf("| port | 256x256 b1, %% of its peak (no sums / sums) | 1024x1024 b1, %% of its peak (no sums / sums) | same, input_offset 128 | 4096x1024 b1 / stream time (no sums / sums) | batch 8 / batch 1 throughput (min over shapes, no sums / sums) | b1 weight GB/s, %% of cache read bandwidth: 256x256 vs 256 KiB, 1024x1024 vs 1 MiB (no sums / sums) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  for (int k = 0; k < np; ++k) {
    const char* name = starling::port_name(ports[k]);
    const double peak = std::strcmp(name, "avx512vnni") == 0 ? vnni_peak
                        : std::strcmp(name, "avx2") == 0     ? maddubs_peak
                                                             : 0;
    double min_ratio[2] = {1e30, 1e30};  // batch 8 against batch 1 in the same mode
    for (int si = 0; si < 4; ++si)
      for (int m = 0; m < 2; ++m) {
        const double r = macns[si][2 + m][k] / macns[si][m][k];
        min_ratio[m] = r < min_ratio[m] ? r : min_ratio[m];
      }
    if (peak > 0)
      std::printf("| %s | %.0f %% / %.0f %% | %.0f %% / %.0f %% | %.0f %%, %.0f %% |", name, 100 * macns[1][0][k] / peak,
                  100 * macns[1][1][k] / peak, 100 * macns[2][0][k] / peak, 100 * macns[2][1][k] / peak,
                  100 * macns128[0][k] / peak, 100 * macns128[1][k] / peak);
    else
      std::printf("| %s | - | - | - |", name);
    std::printf(" %.2f / %.2f | %.2f / %.2f |", us4096[0][k] / (t_w * 1e6), us4096[1][k] / (t_w * 1e6),
                min_ratio[0], min_ratio[1]);
    std::printf(" %.0f %% / %.0f %%, %.0f %% / %.0f %% |\n", 100 * macns[1][0][k] / l2_bw_small,
                100 * macns[1][1][k] / l2_bw_small, 100 * macns[2][0][k] / l2_bw_big, 100 * macns[2][1][k] / l2_bw_big);
  }

  // ---- QNet inference on the examples' networks, every port -------------
  // requant_tune's exported 4-16-3 classifier (examples/requant_tune), the
  // 2-8-2 shape xor_int8 trains (weights here are fixed pseudo-random ones:
  // the time does not depend on their values), and a 64-256-256-10 MLP for
  // scale. ns per sample at batch 1 and batch 8 (QNet runs batches through
  // fully_connected_s8's batch loop).
  {
    static int8_t w_xor0[8 * 2], w_xor1[2 * 8], w_mlp0[256 * 64], w_mlp1[256 * 256], w_mlp2[10 * 256];
    static int32_t b8[256] = {};
    uint32_t st = 99;
    auto fill = [&](int8_t* w, int n) {
      for (int i = 0; i < n; ++i) w[i] = static_cast<int8_t>(static_cast<int>(next_u32(st) % 255u) - 127);
    };
    fill(w_xor0, 16);
    fill(w_xor1, 16);
    fill(w_mlp0, 256 * 64);
    fill(w_mlp1, 256 * 256);
    fill(w_mlp2, 10 * 256);
    const starling::QLayer xor_layers[] = {
        starling::qnet_fc({2, 8, 0, -128, g_mult, g_shift, false, -128, 127}, w_xor0, b8),
        starling::qnet_fc({8, 2, 128, 0, g_mult, g_shift, false, -128, 127}, w_xor1, b8),
        starling::qnet_argmax(2)};
    const starling::QLayer mlp_layers[] = {
        starling::qnet_fc({64, 256, 3, -128, g_mult, g_shift, true, -128, 127}, w_mlp0, b8),
        starling::qnet_fc({256, 256, 128, -128, g_mult, g_shift, true, -128, 127}, w_mlp1, b8),
        starling::qnet_fc({256, 10, 128, 0, g_mult, g_shift, true, -128, 127}, w_mlp2, b8),
        starling::qnet_argmax(10)};
    struct Net {
      const char* name;
      starling::QModel model;
      double macs;
    };
    const Net nets[] = {
        {"requant_tune 4-16-3", exported_model::kModel, 4.0 * 16 + 16.0 * 3},
        {"xor_int8 2-8-2", starling::QModel{xor_layers, 3, 2}, 2.0 * 8 + 8.0 * 2},
        {"MLP 64-256-256-10", starling::QModel{mlp_layers, 4, 64}, 64.0 * 256 + 256.0 * 256 + 256.0 * 10},
    };
    static starling::QNet<4 * 256 * 8 + 64> net;
    std::printf("\nQNet inference, ns per sample (batch 1 / batch 8):\n\n| network | MACs |");
    for (int k = 0; k < np; ++k) std::printf(" %s |", starling::port_name(ports[k]));
    std::printf("\n|---|---:|");
    for (int k = 0; k < np; ++k) std::printf("---:|");
    std::printf("\n");
    for (const Net& n : nets) {
      if (net.init(n.model) != starling::Status::Ok) return 1;
      std::printf("| %s | %.0f |", n.name, n.macs);
      for (int k = 0; k < np; ++k) {
        if (starling::force_port(starling::port_name(ports[k])) != starling::Status::Ok) return 1;
        int cls[8];
        starling::Status s1 = starling::Status::Ok, s8 = starling::Status::Ok;
        const double t1 = best_time([&] { s1 = net.classify(g_input, cls, 1); }, quick ? 1 : reps, target / 4);
        const double t8 = best_time([&] { s8 = net.classify(g_input, cls, 8); }, quick ? 1 : reps, target / 4);
        if (s1 != starling::Status::Ok || s8 != starling::Status::Ok) return 1;
        std::printf(" %.0f / %.0f |", t1 * 1e9, t8 * 1e9 / 8);
      }
      std::printf("\n");
    }
    (void)starling::force_port(auto_port);
  }
  return identical ? 0 : 1;
}
