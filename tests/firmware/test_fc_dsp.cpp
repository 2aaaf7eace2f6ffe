// SPDX-License-Identifier: MIT
// The Cortex-M DSP kernel (ports/cortexm) against the scalar reference with
// ==, in the rounding this library copy was built with (tests/firmware builds
// it twice): every in_dim 1..67 around the 4-byte step, every out_dim around
// the 4-row step, zero points and clamps at their edges, extreme values,
// per-channel and per-tensor scales. On targets without DSP it checks that
// the scalar port runs. (tests/ports does the same for every port on hosts.)
#include <cstring>

#include "check.hpp"
#include "starling/detail/kernels.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {
Rng g_rng(5);
int uni(int lo, int hi) {
  return lo + static_cast<int>(g_rng.next_u32() % static_cast<uint32_t>(hi - lo + 1));
}

int8_t g_in[3 * 67], g_w[11 * 67], g_port[3 * 11 + 8], g_ref[3 * 11 + 8];
int32_t g_bias[11], g_mult[11], g_shift[11];

bool same(int in_dim, int out_dim, int batches, int32_t in_off, int32_t out_off, int32_t lo,
          int32_t hi, bool per_channel, int fill) {
  for (int i = 0; i < batches * in_dim; ++i)
    g_in[i] = static_cast<int8_t>(fill == 1 ? -128 : fill == 2 ? 127 : uni(-128, 127));
  for (int i = 0; i < out_dim * in_dim; ++i)
    g_w[i] = static_cast<int8_t>(fill == 1 ? 127 : fill == 2 ? -127 : uni(-127, 127));
  for (int o = 0; o < out_dim; ++o) {
    g_bias[o] = static_cast<int32_t>(g_rng.next_u32() % 200001u) - 100000;
    int s = 0;
    const double scale = (0.5 + g_rng.uniform()) / static_cast<double>(1 << uni(2, 14));
    quantize_multiplier(uni(0, 3) == 0 ? 1.0 / static_cast<double>(1 << uni(2, 12)) : scale,
                        &g_mult[o], &s);
    g_shift[o] = s;
  }
  const FcParams p{in_dim, out_dim, in_off, out_off, g_mult, g_shift, per_channel, lo, hi};
  std::memset(g_port, 0x5A, sizeof g_port);
  std::memset(g_ref, 0x5A, sizeof g_ref);
  if (fully_connected_s8(p, g_in, g_w, g_bias, g_port, batches) != Status::Ok) return false;
  detail::s8_fc__scalar(p, g_in, g_w, g_bias, g_ref, batches);
  return std::memcmp(g_port, g_ref, sizeof g_port) == 0;
}
}  // namespace

TEST_CASE(dsp_port_is_active) {
// The DSP kernel is bound where the build compiled it in, and in a library
// copy built without Meson's port defines (tests/int8's other-rounding copy),
// where src/dispatch.cpp picks it from the compiler's predefines as it does
// for Arduino and PlatformIO builds.
#if defined(STARLING_HAVE_CORTEXM) || \
    (!defined(STARLING_PORTS_CONFIGURED) && defined(__arm__) && defined(__ARM_FEATURE_DSP))
  CHECK(std::strcmp(active_port(), "cortexm_dsp") == 0);
#else
  CHECK(std::strcmp(active_port(), "scalar") == 0);
#endif
  std::printf("     port %s, %s rounding\n", active_port(),
              requantize_is_single_rounding() ? "single" : "double");
}

TEST_CASE(dsp_equals_scalar) {
  const int32_t in_offs[] = {-127, 0, 128, 5};
  const int32_t out_offs[] = {-128, 0, 127, -7};
  long cases = 0;
  for (int in_dim = 1; in_dim <= 67; ++in_dim) {
    for (int out_dim = 1; out_dim <= 11; out_dim += (out_dim < 9 ? 1 : 2)) {
      const int32_t lo = in_dim % 5 == 0 ? -20 : -128, hi = in_dim % 5 == 0 ? 35 : 127;
      const int fill = in_dim % 13 == 0 ? 1 + (out_dim & 1) : 0;
      if (!CHECK(same(in_dim, out_dim, 1 + (in_dim + out_dim) % 3, in_offs[in_dim % 4],
                      out_offs[out_dim % 4], lo, hi, ((in_dim + out_dim) & 1) != 0, fill)))
        std::printf("     in_dim %d out_dim %d\n", in_dim, out_dim);
      ++cases;
    }
  }
  std::printf("     %ld layers compared\n", cases);
}

int main() { return check::run_all(); }
