// SPDX-License-Identifier: MIT
// examples/firmware/pid_firmware.cpp: examples/pid_tune as firmware. The
// device tunes its own PID loop: the plant (pid_sim.hpp: 1/(s+1)^3, dt =
// 0.01 s) is simulated on the core, each candidate (Kp, Ki, Kd) is one 20 s
// closed-loop episode, and EMPSO is driven through ask/tell, one episode at a
// time, from static memory. Progress goes out over semihosting (printf of
// integers only: newlib-nano has no float printf without its malloc-based
// dtoa). The problem is pid_tune's to the bit (same bounds, swarm, seed), so
// the final line must equal the desktop's: exit status 0 only if it does.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "pid_expected.h"
#include "pid_sim.hpp"
#include "starling/pso.hpp"

namespace {

// Must match examples/pid_tune/pid_tune.cpp.
constexpr int kDims = 3;  // Kp, Ki, Kd
constexpr int kParticles = 24;
constexpr int kIterations = 60;
constexpr uint64_t kSeed = 20240601u;
constexpr float kLo[kDims] = {0.0f, 0.0f, 0.0f};
constexpr float kHi[kDims] = {10.0f, 5.0f, 10.0f};

starling::Pso<kDims, kParticles, float> g_pso;  // all of the optimizer's memory

unsigned long bits_of(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return static_cast<unsigned long>(u);
}
long milli(float v) { return static_cast<long>(v * 1000.0f + (v < 0.0f ? -0.5f : 0.5f)); }

}  // namespace

int main() {
  const pid_sim::LoopConfig loop;
  const pid_sim::CostConfig cost_cfg;
  starling::PsoConfig cfg = starling::PsoConfig::empso();  // the measured EMPSO (pso.hpp)
  cfg.max_iter = kIterations;
  if (g_pso.init(kLo, kHi, kDims, kParticles, cfg, kSeed) != starling::Status::Ok) {
    std::printf("init failed\n");
    return 1;
  }
  std::printf("pid_firmware: EMPSO %d x %d on the simulated plant, swarm %u bytes\n", kParticles,
              kIterations, static_cast<unsigned>(sizeof g_pso));
  while (const float* g = g_pso.ask()) {
    pid_sim::PidGains gains;
    gains.kp = g[0];
    gains.ki = g[1];
    gains.kd = g[2];
    const float cost = pid_sim::run_episode(gains, loop, cost_cfg);  // one episode
    const int before = g_pso.iteration();
    if (g_pso.tell(cost) != starling::Status::Ok) return 1;
    if (g_pso.iteration() != before && g_pso.iteration() % 10 == 0) {
      const float* b = g_pso.best_position();
      std::printf("iter %2d evals %4ld best cost %ld/1000 gains %ld %ld %ld /1000\n",
                  g_pso.iteration(), g_pso.evaluations(), milli(g_pso.best_value()), milli(b[0]),
                  milli(b[1]), milli(b[2]));
    }
  }
  const float* b = g_pso.best_position();
  char line[96];
  std::snprintf(line, sizeof line, "RESULT kp=0x%08lx ki=0x%08lx kd=0x%08lx cost=0x%08lx",
                bits_of(b[0]), bits_of(b[1]), bits_of(b[2]), bits_of(g_pso.best_value()));
  std::printf("%s\n", line);
  const bool same = std::strcmp(line, PID_TUNE_EXPECTED) == 0;
  std::printf("%s\n", same ? "PASS: same result as the desktop pid_tune"
                           : "FAIL: differs from the desktop pid_tune (" PID_TUNE_EXPECTED ")");
  return same ? 0 : 1;
}
