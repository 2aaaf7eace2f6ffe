// SPDX-License-Identifier: MIT
// PidTune: starling tunes a PID controller on the board itself. Each pass of
// loop() runs one closed-loop step response with the gains the particle
// swarm (EMPSO) asks for and tells it the cost; when the swarm is done, the
// best gains are printed. Here the plant is simulated (1/(s+1)^3, 10 s at
// dt = 0.01 s, |u| <= 4); on a real system, run_episode() drives the real
// actuator and reads the real sensor. Memory: sizeof(pso), about 0.8 KiB.
#include <starling.hpp>

namespace {

constexpr int kDims = 3;        // Kp, Ki, Kd
constexpr int kParticles = 12;
constexpr float kDt = 0.01f;
constexpr int kSteps = 1000;

starling::Pso<kDims, kParticles> pso;
bool reported = false;

// Integral of time-weighted absolute error of a unit step, plus a penalty
// for overshoot above 2 %.
float run_episode(const float* gains) {
  const float kp = gains[0], ki = gains[1], kd = gains[2];
  float x1 = 0, x2 = 0, x3 = 0;  // plant states; the output is x3
  float integral = 0, prev_error = 1, itae = 0, peak = 0;
  for (int k = 0; k < kSteps; ++k) {
    const float error = 1.0f - x3;
    const float derivative = (error - prev_error) / kDt;
    prev_error = error;
    float u = kp * error + ki * integral + kd * derivative;
    if (u > 4.0f) {
      u = 4.0f;
    } else if (u < -4.0f) {
      u = -4.0f;
    } else {
      integral += error * kDt;  // integrate only when not saturated (anti-windup)
    }
    x1 += kDt * (u - x1);
    x2 += kDt * (x1 - x2);
    x3 += kDt * (x2 - x3);
    itae += static_cast<float>(k) * kDt * fabsf(error) * kDt;
    if (x3 > peak) peak = x3;
  }
  const float overshoot = peak > 1.02f ? peak - 1.02f : 0.0f;
  return itae + 20.0f * overshoot;
}

}  // namespace

void setup() {
  Serial.begin(115200);
  const float lo[kDims] = {0, 0, 0}, hi[kDims] = {10, 5, 5};
  starling::PsoConfig cfg = starling::PsoConfig::empso();
  cfg.max_iter = 40;
  if (pso.init(lo, hi, kDims, kParticles, cfg, /*seed=*/2026) != starling::Status::Ok) {
    Serial.println("PidTune: bad optimizer settings");
    return;
  }
  Serial.print("PidTune: starling ");
  Serial.print(starling::version());
  Serial.print(", int8 kernels: ");
  Serial.println(starling::active_port());
}

void loop() {
  if (const float* gains = pso.ask()) {  // nullptr once the swarm is done
    (void)pso.tell(run_episode(gains));
    return;
  }
  if (!reported) {
    reported = true;
    const float* best = pso.best_position();
    Serial.print("PidTune: ");
    Serial.print(pso.evaluations());
    Serial.print(" episodes, Kp = ");
    Serial.print(best[0], 6);
    Serial.print(", Ki = ");
    Serial.print(best[1], 6);
    Serial.print(", Kd = ");
    Serial.print(best[2], 6);
    Serial.print(", cost = ");
    Serial.println(pso.best_value(), 6);
  }
}
