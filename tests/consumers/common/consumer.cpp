// SPDX-License-Identifier: MIT
// A program that uses starling the way an application does, built by every
// consumer path CI checks (CMake add_subdirectory, FetchContent and
// find_package, a Meson subproject, pkg-config): it tunes with the C++
// optimizer, runs an int8 layer through the port dispatch, and checks that
// the headers and the linked library are the same version. It prints one
// "consumer:" line whose result fields tools/ci_packaging.sh compares across
// the paths (the same library must give the same bits), and exits non-zero
// on any failure.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "starling/starling.hpp"

#ifndef CONSUMER_PATH
#define CONSUMER_PATH "unnamed"
#endif

int main() {
  int failures = 0;
  if (std::strcmp(starling::version(), STARLING_VERSION) != 0) {
    std::printf("FAIL: headers say %s, library says %s\n", STARLING_VERSION, starling::version());
    ++failures;
  }
#ifdef CONSUMER_PACKAGE_VERSION  // the version the build system found (find_package, Meson)
  if (std::strcmp(CONSUMER_PACKAGE_VERSION, STARLING_VERSION) != 0) {
    std::printf("FAIL: package version %s, headers %s\n", CONSUMER_PACKAGE_VERSION, STARLING_VERSION);
    ++failures;
  }
#endif

  // Rosenbrock in 2-D: minimum 0 at (1, 1).
  auto rosenbrock = [](const float* x, int) {
    const float a = 1 - x[0], b = x[1] - x[0] * x[0];
    return a * a + 100 * b * b;
  };
  const float lo[2] = {-5, -5}, hi[2] = {5, 5};
  starling::PsoConfig cfg;
  cfg.max_iter = 200;
  static starling::Pso<2, 24> pso;
  if (pso.init(lo, hi, 2, 24, cfg, /*seed=*/1) != starling::Status::Ok ||
      pso.minimize(rosenbrock) != starling::Status::Ok || !(pso.best_value() < 1e-3f)) {
    std::printf("FAIL: optimizer (best %g)\n", static_cast<double>(pso.best_value()));
    ++failures;
  }

  // A 5-input, 3-output int8 layer through the library's kernel dispatch.
  const int8_t input[5] = {-128, -3, 0, 7, 127};
  const int8_t weights[15] = {1, -2, 3, -4, 5, 127, -127, 64, -64, 0, -1, -1, -1, -1, -1};
  const int32_t bias[3] = {100, -2000, 0};
  int32_t multiplier = 0;
  int shift = 0;
  starling::quantize_multiplier(0.0123, &multiplier, &shift);
  starling::FcParams p{};
  p.in_dim = 5;
  p.out_dim = 3;
  p.input_offset = 3;
  p.output_offset = -5;
  p.multiplier = &multiplier;
  p.shift = &shift;
  p.per_channel = false;
  p.act_min = -128;
  p.act_max = 127;
  int8_t out[3] = {0, 0, 0};
  if (starling::fully_connected_s8(p, input, weights, bias, out, 1) != starling::Status::Ok) {
    std::printf("FAIL: fully_connected_s8\n");
    ++failures;
  }
  uint32_t best_bits = 0;
  const float best = pso.best_value();
  std::memcpy(&best_bits, &best, sizeof best_bits);
  std::printf("consumer: path=%s version=%s port=%s | best=0x%08lx evals=%ld fc=%d,%d,%d\n",
              CONSUMER_PATH, starling::version(), starling::active_port(),
              static_cast<unsigned long>(best_bits), pso.evaluations(), out[0], out[1], out[2]);
  return failures == 0 ? 0 : 1;
}
