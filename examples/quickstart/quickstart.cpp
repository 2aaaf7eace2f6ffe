// SPDX-License-Identifier: MIT
// Minimize a function with starling in about twenty lines.
#include <cstdio>

#include "starling/starling.hpp"

int main() {
  // Rosenbrock in 2-D: minimum 0 at (1, 1).
  auto rosenbrock = [](const float* x, int) {
    const float a = 1 - x[0], b = x[1] - x[0] * x[0];
    return a * a + 100 * b * b;
  };
  const float lo[2] = {-5, -5}, hi[2] = {5, 5};
  starling::PsoConfig cfg;  // constriction, global best, 100 sweeps
  cfg.max_iter = 200;
  static starling::Pso<2, 24> pso;  // 2 dims, 24 particles, all in the object
  if (pso.init(lo, hi, 2, 24, cfg, /*seed=*/1) != starling::Status::Ok) return 1;
  (void)pso.minimize(rosenbrock);
  const float* x = pso.best_position();
  std::printf("best f = %.3g at (%.4f, %.4f) after %ld evaluations\n",
              static_cast<double>(pso.best_value()), static_cast<double>(x[0]),
              static_cast<double>(x[1]), pso.evaluations());
  return pso.best_value() < 1e-3f ? 0 : 1;
}
