// bench_qnet: GMAC/s of fully_connected_s8 (scalar reference kernel) on the
// host, best of several repetitions, for square layers and batch 1 and 8.
//
//   ./bench_qnet            # full table
//   ./bench_qnet --quick    # shorter runs (smoke test)
//
// One MAC is one int8 weight × input product-accumulate; requantization and
// clamping are included in the time but not counted.
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "starling/quant.hpp"

namespace {

constexpr int kMaxDim = 1024;
constexpr int kMaxBatch = 8;

int8_t g_weights[kMaxDim * kMaxDim];
int8_t g_input[kMaxBatch * kMaxDim];
int8_t g_output[kMaxBatch * kMaxDim];
int32_t g_bias[kMaxDim];
int32_t g_mult[kMaxDim];
int32_t g_shift[kMaxDim];

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
  for (int o = 0; o < kMaxDim; ++o) {
    g_bias[o] = static_cast<int32_t>(next_u32(s) % 20001u) - 10000;
    int shift = 0;
    starling::quantize_multiplier(0.0002 * (1.0 + static_cast<double>(o % 7) / 7.0), &g_mult[o], &shift);
    g_shift[o] = shift;
  }
}

struct Result {
  double best_s;
  uint32_t checksum;
};

// Best wall time of `reps` timed runs, each of `inner` calls.
Result time_fc(int dim, int batches, int reps, int inner) {
  const starling::FcParams p{dim, dim, 3, -5, g_mult, g_shift, true, -128, 127};
  double best = 1e30;
  uint32_t sum = 0;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < inner; ++k) {
      if (starling::fully_connected_s8(p, g_input, g_weights, g_bias, g_output, batches) !=
          starling::Status::Ok) {
        std::printf("fully_connected_s8 failed\n");
        return {0.0, 0};
      }
      sum = sum * 31u + static_cast<uint8_t>(g_output[k % (batches * dim)]);
    }
    const auto t1 = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(t1 - t0).count() / inner;
    best = s < best ? s : best;
  }
  return {best, sum};
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  fill();
  std::printf("int8 fully-connected, scalar kernel, requantize %s rounding\n",
              starling::requantize_is_single_rounding() ? "single" : "double");
  std::printf("%-12s %6s %12s %10s %10s\n", "in x out", "batch", "MAC/call", "us/call", "GMAC/s");
  const int dims[] = {64, 256, 1024};
  const int batch_sizes[] = {1, 8};
  uint32_t checksum = 0;
  for (int dim : dims) {
    for (int batches : batch_sizes) {
      const double macs = static_cast<double>(dim) * dim * batches;
      // About 20 ms per repetition (2 ms with --quick), at least one call.
      const double target = quick ? 2e6 : 2e7;  // MACs at ~1 GMAC/s
      int inner = static_cast<int>(target / macs);
      inner = inner < 1 ? 1 : inner;
      const Result r = time_fc(dim, batches, quick ? 3 : 7, inner);
      checksum ^= r.checksum;
      char shape[32];
      std::snprintf(shape, sizeof shape, "%dx%d", dim, dim);
      std::printf("%-12s %6d %12.0f %10.2f %10.3f\n", shape, batches, macs, r.best_s * 1e6,
                  r.best_s > 0.0 ? macs / r.best_s * 1e-9 : 0.0);
    }
  }
  // ---------------------------------------------------------------------
  // QNet inference timing: TO BE ADDED (owner: the QNet engineer).
  // Time QNet::forward() on the example models here (per-sample latency and
  // samples/s for batch 1 and 8), in the same table format as above.
  // ---------------------------------------------------------------------
  std::printf("(checksum %08" PRIX32 ")\n", checksum);
  return 0;
}
