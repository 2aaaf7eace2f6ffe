// SPDX-License-Identifier: MIT
// Instructions per MAC of fully_connected_s8 on the emulated core
// (tools/footprint/insn_per_mac.sh). argv[1]: "none" (set-up only),
// "scalar" or "cortexm_dsp": kRuns calls of a 256 -> 64 layer through that
// port. Counting the whole run with a QEMU plugin and subtracting "none"
// gives the instructions of the calls alone; divide by kRuns·256·64 MACs.
#include <cstdio>
#include <cstring>

#include "starling/detail/kernels.hpp"
#include "starling/starling.hpp"

namespace {
constexpr int kIn = 256, kOut = 64, kRuns = 8;
int8_t g_x[kIn], g_w[kOut * kIn], g_y[kOut];
int32_t g_b[kOut];
const int32_t kMult[1] = {1 << 30};
const int32_t kShift[1] = {-8};
}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "none";
  starling::Rng r(1);
  for (int8_t& v : g_x) v = static_cast<int8_t>(r.next_u32());
  for (int8_t& v : g_w) v = static_cast<int8_t>(r.next_u32() | 1u);
  for (int32_t& v : g_b) v = static_cast<int32_t>(r.next_u32() % 1000u);
  const starling::FcParams p{kIn, kOut, 3, -2, kMult, kShift, false, -128, 127};
  if (std::strcmp(mode, "none") == 0) return 0;
  // Firmware binds its port at compile time: "scalar" calls the reference
  // kernel directly (after the same validation), any other name must be the
  // bound port and goes through fully_connected_s8.
  const bool scalar = std::strcmp(mode, "scalar") == 0;
  if (!scalar && starling::force_port(mode) != starling::Status::Ok) {
    std::printf("port %s not available\n", mode);
    return 1;
  }
  unsigned sum = 0;
  for (int k = 0; k < kRuns; ++k) {
    if (scalar) {
      if (starling::validate(p) != starling::Status::Ok) return 1;
      starling::detail::s8_fc__scalar(p, g_x, g_w, g_b, g_y, 1);
    } else if (starling::fully_connected_s8(p, g_x, g_w, g_b, g_y, 1) != starling::Status::Ok) {
      return 1;
    }
    sum += static_cast<unsigned>(g_y[k]);
  }
  std::printf("%s: %d MACs, checksum %u\n", mode, kRuns * kIn * kOut, sum);
  return 0;
}
