// SPDX-License-Identifier: MIT
// examples/pid_tune/test_pid_sim.cpp: the controller and plant simulation of
// pid_tune (pid_sim.hpp) against closed-form results.
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "pid_sim.hpp"

using pid_sim::AntiWindup;
using pid_sim::ClosedLoop;
using pid_sim::CostConfig;
using pid_sim::Lag3;
using pid_sim::LoopConfig;
using pid_sim::MetricsAccumulator;
using pid_sim::Pid;
using pid_sim::PidConfig;
using pid_sim::PidGains;
using pid_sim::Sample;
using pid_sim::StepMetrics;

namespace {

PidGains gains(float kp, float ki, float kd) {
  PidGains g;
  g.kp = kp;
  g.ki = ki;
  g.kd = kd;
  return g;
}

LoopConfig unlimited() {
  LoopConfig c;
  c.pid.u_min = -std::numeric_limits<float>::infinity();
  c.pid.u_max = std::numeric_limits<float>::infinity();
  return c;
}

bool near(double a, double b, double tol) { return std::fabs(a - b) <= tol; }

// Step response of K/(τs+1)^3: K·(1 − e^{−s}(1 + s + s²/2)), s = t/τ.
double lag3_step(double t, double k, double tau) {
  const double s = t / tau;
  return k * (1.0 - std::exp(-s) * (1.0 + s + 0.5 * s * s));
}

}  // namespace

TEST_CASE(plant_step_matches_closed_form) {
  const float dt = 0.01f;
  const double params[3][2] = {{1.0, 1.0}, {2.0, 0.5}, {0.5, 3.0}};
  for (const auto& p : params) {
    Lag3 plant;
    plant.gain = static_cast<float>(p[0]);
    plant.tau = static_cast<float>(p[1]);
    double worst = 0.0;
    for (int k = 1; k <= 2000; ++k) {
      plant.step(1.0f, dt);
      const double err = std::fabs(plant.output() - lag3_step(0.01 * k, p[0], p[1]));
      if (err > worst) worst = err;
    }
    // RK4's own error is ~1e-12; what remains is float rounding over 2000 steps.
    CHECK(worst < 2e-5 * p[0]);
  }
}

TEST_CASE(plant_is_deterministic_and_starts_at_rest) {
  Lag3 a, b;
  CHECK_EQ(a.output(), 0.0f);
  for (int k = 0; k < 500; ++k) {
    const float u = static_cast<float>(k % 7) - 3.0f;
    a.step(u, 0.01f);
    b.step(u, 0.01f);
  }
  CHECK(std::memcmp(a.x, b.x, sizeof a.x) == 0);
  a.reset();
  CHECK_EQ(a.output(), 0.0f);
}

// P-only on 1/(s+1)^3: the loop settles at y = Kp/(1+Kp), an error of 1/(1+Kp).
TEST_CASE(p_only_steady_state_error) {
  const float kps[] = {0.5f, 1.0f, 2.0f, 4.0f};
  for (float kp : kps) {
    LoopConfig c = unlimited();
    c.pid.anti_windup = AntiWindup::None;
    ClosedLoop cl;
    cl.init(gains(kp, 0.0f, 0.0f), c);
    Sample s{};
    for (int k = 0; k < 12000; ++k) s = cl.step();  // 120 s: the slowest (Kp 4) decays too
    const double expect = 1.0 / (1.0 + static_cast<double>(kp));
    CHECK(near(s.r - s.y, expect, 1e-5));
    CHECK(near(s.u, kp * expect, 1e-5));
  }
}

// With integral action the error goes to zero.
TEST_CASE(pi_removes_steady_state_error) {
  LoopConfig c;
  c.steps = 6000;
  StepMetrics m;
  (void)pid_sim::run_episode(gains(1.0f, 0.3f, 0.0f), c, CostConfig{}, &m);
  CHECK(!m.diverged);
  CHECK(std::fabs(m.final_error) < 1e-4f);
}

TEST_CASE(saturation_holds) {
  const float setpoints[] = {1.0f, -3.0f, 50.0f};
  for (float r : setpoints) {
    LoopConfig c;
    c.setpoint = r;
    ClosedLoop cl;
    cl.init(gains(100.0f, 50.0f, 100.0f), c);
    bool inside = true, touched = false;
    for (int k = 0; k < 2000; ++k) {
      const Sample s = cl.step();
      inside = inside && s.u >= c.pid.u_min && s.u <= c.pid.u_max;
      touched = touched || s.u == c.pid.u_max || s.u == c.pid.u_min;
    }
    CHECK(inside);
    CHECK(touched);
  }
}

// An unreachable set point (|u| <= 4 gives |y| <= 4) keeps the actuator
// saturated: without anti-windup the integrator runs away, with either
// scheme it stays near the limit.
TEST_CASE(anti_windup_limits_the_integrator) {
  const AntiWindup modes[] = {AntiWindup::None, AntiWindup::BackCalculation,
                              AntiWindup::Conditional};
  float final_i[3] = {0, 0, 0};
  for (int m = 0; m < 3; ++m) {
    LoopConfig c;
    c.setpoint = 10.0f;
    c.pid.anti_windup = modes[m];
    ClosedLoop cl;
    cl.init(gains(1.0f, 1.0f, 0.5f), c);
    float max_i = 0.0f;
    for (int k = 0; k < 3000; ++k) {
      (void)cl.step();
      max_i = std::fmax(max_i, std::fabs(cl.pid().integral()));
    }
    final_i[m] = cl.pid().integral();
    if (modes[m] != AntiWindup::None) CHECK(max_i <= 2.0f * c.pid.u_max);
  }
  CHECK(final_i[0] > 100.0f);  // ≈ Ki·∫e ≈ 6 × 30 s
  // Back-calculation with Tt = √(Kd/Ki): I settles where Ki·e = (v − u)/Tt.
  CHECK(final_i[1] > 0.0f && final_i[1] < 8.0f);
  CHECK(final_i[2] >= 0.0f && final_i[2] <= 2.0f * 4.0f);  // here: never integrates
}

// After saturation the wound-up integrator overshoots; anti-windup cuts it.
TEST_CASE(anti_windup_reduces_overshoot) {
  LoopConfig c;
  c.pid.u_min = -1.2f;
  c.pid.u_max = 1.2f;
  const PidGains g = gains(2.0f, 1.5f, 0.0f);
  StepMetrics none, back, cond;
  c.pid.anti_windup = AntiWindup::None;
  (void)pid_sim::run_episode(g, c, CostConfig{}, &none);
  c.pid.anti_windup = AntiWindup::BackCalculation;
  (void)pid_sim::run_episode(g, c, CostConfig{}, &back);
  c.pid.anti_windup = AntiWindup::Conditional;
  (void)pid_sim::run_episode(g, c, CostConfig{}, &cond);
  CHECK(none.overshoot > back.overshoot + 0.05f);
  CHECK(none.overshoot > cond.overshoot + 0.05f);
  CHECK(none.itae > back.itae);
}

TEST_CASE(tracking_gain_rules) {
  PidConfig c;  // dt 0.01, back-calculation, automatic Tt
  CHECK(near(Pid::tracking_gain(gains(2.0f, 1.0f, 4.0f), c), 0.01 / 2.0, 1e-7));  // √(Kd/Ki)
  CHECK(near(Pid::tracking_gain(gains(3.0f, 1.5f, 0.0f), c), 0.01 / 2.0, 1e-7));  // Ti
  CHECK_EQ(Pid::tracking_gain(gains(3.0f, 0.0f, 1.0f), c), 0.0f);                 // no I
  CHECK_EQ(Pid::tracking_gain(gains(0.0f, 5.0f, 0.0f), c), 1.0f);                 // Tt floored at dt
  CHECK_EQ(Pid::tracking_gain(gains(NAN, 5.0f, 0.0f), c), 1.0f);
  c.tt = 0.5f;
  CHECK(near(Pid::tracking_gain(gains(2.0f, 1.0f, 4.0f), c), 0.02, 1e-7));
  c.anti_windup = AntiWindup::Conditional;
  CHECK_EQ(Pid::tracking_gain(gains(2.0f, 1.0f, 4.0f), c), 0.0f);
}

// Derivative on the measurement through Tf: a ramp y = a·t gives D → −Kd·a,
// a set-point step gives no kick at all.
TEST_CASE(filtered_derivative) {
  PidConfig c;
  c.u_min = -1e9f;
  c.u_max = 1e9f;
  Pid pid;
  pid.init(gains(0.0f, 0.0f, 2.0f), c);
  pid.reset(0.0f);
  for (int k = 1; k <= 200; ++k) (void)pid.update(0.0f, 0.5f * 0.01f * static_cast<float>(k));
  CHECK(near(pid.derivative(), -1.0, 1e-4));
  // A unit jump in y: first D = −Kd/(Tf+dt), then decays by Tf/(Tf+dt) a sample.
  pid.reset(0.0f);
  (void)pid.update(0.0f, 1.0f);
  const double d0 = -2.0 / (0.05 + 0.01);
  CHECK(near(pid.derivative(), d0, 1e-4));
  (void)pid.update(0.0f, 1.0f);
  CHECK(near(pid.derivative(), d0 * (0.05 / 0.06), 1e-4));
  // Set-point step with y constant: u is the P part only.
  pid.init(gains(3.0f, 0.0f, 10.0f), c);
  pid.reset(0.25f);
  CHECK(near(pid.update(1.0f, 0.25f), 3.0 * 0.75, 1e-6));
  CHECK_EQ(pid.derivative(), 0.0f);
}

// Metrics of a synthetic first-order response y = 1 − e^{−t}.
TEST_CASE(metrics_of_first_order_response) {
  LoopConfig c;
  MetricsAccumulator acc(c);
  for (int k = 0; k < c.steps; ++k) {
    Sample s;
    s.t = 0.01f * static_cast<float>(k);
    s.r = 1.0f;
    s.y = static_cast<float>(1.0 - std::exp(-0.01 * k));
    s.u = 0.0f;
    CHECK(acc.add(s));
  }
  const StepMetrics m = acc.result();
  CHECK(near(m.rise_time, std::log(9.0), 0.011));       // ln 0.9 − ln 0.1
  CHECK(near(m.settling_time, std::log(50.0), 0.011));  // e^{−t} = 2 %
  CHECK_EQ(m.overshoot, 0.0f);
  CHECK(near(m.itae, 1.0, 0.01));  // ∫ t·e^{−t} dt = 1 (rectangle rule, tail e^{−20})
  CHECK(!m.diverged);
  CHECK_EQ(m.samples, c.steps);
}

TEST_CASE(metrics_overshoot_and_unsettled) {
  LoopConfig c;
  c.steps = 100;
  MetricsAccumulator acc(c);
  for (int k = 0; k < c.steps; ++k) {
    Sample s{0.01f * static_cast<float>(k), 1.0f, k == 50 ? 1.25f : (k % 2 ? 0.9f : 1.1f), 0.0f};
    (void)acc.add(s);
  }
  const StepMetrics m = acc.result();
  CHECK(near(m.overshoot, 0.25, 1e-6));
  CHECK(m.settling_time < 0.0f);  // still outside the band at the end
}

TEST_CASE(cost_penalizes_overshoot_and_divergence) {
  LoopConfig loop;
  CostConfig cc;
  StepMetrics m;
  m.itae = 1.5f;
  m.overshoot = 0.01f;
  CHECK_EQ(pid_sim::episode_cost(m, loop, cc), 1.5f);
  m.overshoot = 0.12f;
  CHECK(near(pid_sim::episode_cost(m, loop, cc), 1.5 + 20.0 * 0.10, 1e-5));
  m.diverged = true;
  m.samples = loop.steps / 2;
  CHECK(near(pid_sim::episode_cost(m, loop, cc), 1.5e6, 1.0));
}

// NaN and huge gains never give a NaN or inf cost.
TEST_CASE(bad_gains_give_finite_penalty) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const PidGains cases[] = {gains(nan, 1.0f, 1.0f), gains(1.0f, nan, 0.0f),
                            gains(1.0f, 1.0f, nan), gains(inf, 0.0f, 0.0f)};
  for (const PidGains& g : cases) {
    StepMetrics m;
    const float cost = pid_sim::run_episode(g, LoopConfig{}, CostConfig{}, &m);
    CHECK(std::isfinite(cost));
    CHECK(cost >= 1.0e6f);
    CHECK(m.diverged);
  }
  // Without actuator limits an unstable loop is cut off by y_limit.
  StepMetrics m;
  const float cost = pid_sim::run_episode(gains(50.0f, 0.0f, 0.0f), unlimited(), CostConfig{}, &m);
  CHECK(m.diverged);
  CHECK(std::isfinite(cost) && cost > 1.0e6f);
  CHECK(m.samples < 2000);
}

TEST_CASE(episode_is_deterministic) {
  const PidGains g = gains(5.5f, 1.1f, 3.9f);
  StepMetrics a, b;
  const float ca = pid_sim::run_episode(g, LoopConfig{}, CostConfig{}, &a);
  const float cb = pid_sim::run_episode(g, LoopConfig{}, CostConfig{}, &b);
  CHECK(std::memcmp(&ca, &cb, sizeof ca) == 0);
  CHECK(std::memcmp(&a.itae, &b.itae, sizeof a.itae) == 0);
}

// The Ziegler–Nichols experiment: continuous time gives Ku = 8, Tu = 2π/√3;
// the zero-order hold's dt/2 delay lowers the crossover slightly (≈ 7.88).
TEST_CASE(ultimate_gain_of_lag3) {
  const pid_sim::UltimateGain u = pid_sim::find_ultimate_gain(LoopConfig{}, 1.0f, 20.0f);
  CHECK(u.ok);
  CHECK(u.ku > 7.8f && u.ku < 8.0f);
  CHECK(u.tu > 3.6276f && u.tu < 3.70f);
  // Just below Ku the P loop decays, just above it grows.
  CHECK(!pid_sim::p_loop_grows(0.99f * u.ku, LoopConfig{}, 6000));
  CHECK(pid_sim::p_loop_grows(1.01f * u.ku, LoopConfig{}, 6000));
  // A bracket that does not contain the limit is reported.
  CHECK(!pid_sim::find_ultimate_gain(LoopConfig{}, 1.0f, 5.0f).ok);
  // Slower plant (τ = 2): Ku is unchanged, Tu doubles.
  LoopConfig slow;
  slow.plant_tau = 2.0f;
  const pid_sim::UltimateGain s = pid_sim::find_ultimate_gain(slow, 1.0f, 20.0f);
  CHECK(s.ok && s.ku > 7.85f && s.ku < 8.0f);
  CHECK(near(s.tu, 2.0 * 3.6276, 0.05));
}

TEST_CASE(ziegler_nichols_rule) {
  const PidGains g = pid_sim::ziegler_nichols_pid(8.0f, 2.0f);
  CHECK(near(g.kp, 4.8, 1e-6));
  CHECK(near(g.ki, 4.8, 1e-6));  // Kp / (Tu/2)
  CHECK(near(g.kd, 1.2, 1e-6));  // Kp · Tu/8
}

int main() { return check::run_all(); }
