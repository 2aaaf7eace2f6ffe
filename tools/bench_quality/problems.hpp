// SPDX-License-Identifier: MIT
// bench_quality's problems: the test functions and the tasks like our users'
// (PID tuning on three plants, a tanh network trained on accuracy, a
// one-parameter ODE fit), each a cost of a point of its box.
//
// Every cost is computed from a double vector, so that a float optimizer
// (starling) and a double one (pagmo2, NLopt) meet the same function. The
// functions are evaluated in double; the PID episodes and the network run in
// float as firmware would (the gains or weights are rounded to float first),
// with -ffp-contract=off like the rest of the project, so every cost is a
// pure function of the point, the same on every machine.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pid_sim.hpp"
#include "starling/rng.hpp"

namespace bq {

enum class Kind { Function, Task };

/// What a cost may depend on besides the point: the run's seed and the
/// 1-based index of this evaluation in the run (for the noisy sphere).
struct EvalCtx {
  uint64_t seed;
  long evaluation;
};

struct Problem {
  const char* name;
  const char* title;   ///< for the tables
  const char* box;     ///< the box in words (documentation and table headers)
  Kind kind;
  int fixed_dims;      ///< 0: scalable (the grid's D); else the task's D
  /// Success threshold. Functions: the run succeeds when its final best is
  /// <= target. Tasks with best_known > 0: target is unused and the
  /// threshold is 1.02 * best_known (within 2 %); with best_known == 0 it is
  /// this absolute value.
  double target;
  double best_known;   ///< tasks: best known cost (best_known.hpp says how it was found)
  int task_population; ///< tasks: population of every population method (0: by D)
  long task_budget;    ///< tasks: evaluations per run
  void (*bounds)(int dims, double* lo, double* hi);
  double (*cost)(const double* x, int dims, const EvalCtx& ctx);
  /// Noisy problems: the noise-free value (what the tables report); else null.
  double (*truth)(const double* x, int dims);
  const char* target_text;  ///< the success rule in words
};

inline double success_threshold(const Problem& p) {
  if (p.kind == Kind::Task && p.best_known > 0) return 1.02 * p.best_known;
  return p.target;
}

// ---- the test functions -----------------------------------------------------

constexpr double kPi = 3.14159265358979323846;

inline void box_100(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -100, hi[i] = 100;
}
inline void box_30(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -30, hi[i] = 30;
}
inline void box_5_12(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -5.12, hi[i] = 5.12;
}
inline void box_32_768(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -32.768, hi[i] = 32.768;
}
inline void box_600(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -600, hi[i] = 600;
}
inline void box_500(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -500, hi[i] = 500;
}

inline double sphere_value(const double* x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}
inline double sphere(const double* x, int n, const EvalCtx&) { return sphere_value(x, n); }

/// Axis-parallel ellipsoid, condition 10^6: sum 10^(6 i/(n-1)) x_i^2.
inline double ellipsoid(const double* x, int n, const EvalCtx&) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    const double e = n > 1 ? 6.0 * i / (n - 1) : 0.0;
    s += std::pow(10.0, e) * x[i] * x[i];
  }
  return s;
}

inline double rosenbrock(const double* x, int n, const EvalCtx&) {
  double s = 0;
  for (int i = 0; i + 1 < n; ++i) {
    const double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s += 100 * a * a + b * b;
  }
  return s;
}

inline double rastrigin(const double* x, int n, const EvalCtx&) {
  double s = 10.0 * n;
  for (int i = 0; i < n; ++i) s += x[i] * x[i] - 10 * std::cos(2 * kPi * x[i]);
  return s;
}

inline double ackley(const double* x, int n, const EvalCtx&) {
  double s2 = 0, sc = 0;
  for (int i = 0; i < n; ++i) {
    s2 += x[i] * x[i];
    sc += std::cos(2 * kPi * x[i]);
  }
  const double v = -20 * std::exp(-0.2 * std::sqrt(s2 / n)) - std::exp(sc / n) + 20 + std::exp(1.0);
  return v > 0 ? v : 0;  // 0 instead of a rounding residue of -4e-16 at the optimum
}

inline double griewank(const double* x, int n, const EvalCtx&) {
  double s = 0, p = 1;
  for (int i = 0; i < n; ++i) {
    s += x[i] * x[i];
    p *= std::cos(x[i] / std::sqrt(i + 1.0));
  }
  return 1 + s / 4000 - p;
}

/// Schwefel 2.26: 418.98288727243369 n - sum x_i sin(sqrt|x_i|); the
/// constant makes the minimum (x_i = 420.96874636) 0 to about 1e-11 n.
inline double schwefel(const double* x, int n, const EvalCtx&) {
  double s = 418.98288727243369 * n;
  for (int i = 0; i < n; ++i) s -= x[i] * std::sin(std::sqrt(std::fabs(x[i])));
  return s;
}

/// Step (De Jong's F3 in the form of Yao, Liu & Lin 1999): sum floor(x_i + 0.5)^2,
/// 0 on the plateau [-0.5, 0.5)^n: flat almost everywhere.
inline double step(const double* x, int n, const EvalCtx&) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    const double q = std::floor(x[i] + 0.5);
    s += q * q;
  }
  return s;
}

/// Standard normal number that is a pure function of (seed, evaluation):
/// Box-Muller on one Threefry-4x32 block with counter {evaluation, 0, 0} and
/// key {seed, "NOIS"}. Any optimizer that makes its k-th evaluation of a run
/// gets the same noise draw there, whatever the point.
inline double noise_normal(uint64_t seed, long evaluation) {
  const uint64_t e = static_cast<uint64_t>(evaluation);
  const uint32_t ctr[4] = {static_cast<uint32_t>(e), static_cast<uint32_t>(e >> 32), 0, 0};
  const uint32_t key[4] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), 0x4E4F4953u, 0};
  uint32_t out[4];
  starling::threefry4x32(ctr, key, out);
  const double u1 = (static_cast<double>(out[0] >> 8) + 1.0) * 0x1p-24;  // (0, 1]
  const double u2 = static_cast<double>(out[1] >> 8) * 0x1p-24;          // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * kPi * u2);
}
/// Sphere plus additive Gaussian noise of standard deviation kNoiseSigma,
/// as a measured cost is: the tables report the noise-free value of the
/// incumbent (the point with the best cost seen).
constexpr double kNoiseSigma = 1.0;
inline double noisy_sphere(const double* x, int n, const EvalCtx& c) {
  return sphere_value(x, n) + kNoiseSigma * noise_normal(c.seed, c.evaluation);
}

// ---- tasks: PID tuning by ITAE with actuator limits ----------------------------
//
// Every PID task is a step response of 20 s at dt = 0.01 s with the
// controller of examples/pid_tune/pid_sim.hpp (derivative on the filtered
// measurement, Tf = 0.05 s, back-calculation anti-windup, saturation), cost =
// ITAE + 20 x overshoot above 2 % (pid_sim::CostConfig), diverged runs far
// above any stable one. The gains are (Kp, Ki, Kd), rounded to float.

inline pid_sim::PidGains gains_of(const double* x) {
  pid_sim::PidGains g;
  g.kp = static_cast<float>(x[0]);
  g.ki = static_cast<float>(x[1]);
  g.kd = static_cast<float>(x[2]);
  return g;
}

/// The loop of a plant with output() and step(u, dt), one sample at a time in
/// the order of pid_sim::ClosedLoop: measure, control, actuate.
template <class Plant>
float pid_episode(const pid_sim::PidGains& g, const pid_sim::LoopConfig& loop, Plant plant) {
  pid_sim::Pid pid;
  pid.init(g, loop.pid);
  pid.reset(plant.output());
  pid_sim::MetricsAccumulator acc(loop);
  for (int k = 0; k < loop.steps; ++k) {
    pid_sim::Sample s;
    s.t = static_cast<float>(k) * loop.pid.dt;
    s.r = loop.setpoint;
    s.y = plant.output();
    s.u = pid.update(s.r, s.y);
    plant.step(s.u, loop.pid.dt);
    if (!acc.add(s)) break;
  }
  return pid_sim::episode_cost(acc.result(), loop, pid_sim::CostConfig{});
}

/// Second-order plant with dead time: y = w^2 e^(-L s) / (s^2 + 2 z w s + w^2) u,
/// w = 2 rad/s, z = 0.4 (underdamped, 25 % open-loop overshoot), L = 0.3 s
/// (30 samples of a FIFO), RK4 with the delayed input held over the step.
struct SecondOrderDelay {
  static constexpr float kW = 2.0f, kZeta = 0.4f;
  static constexpr int kDelay = 30;
  float y = 0, v = 0;
  float fifo[kDelay] = {};
  int head = 0;
  float output() const { return y; }
  void step(float u, float dt) {
    const float ud = fifo[head];  // the input of kDelay samples ago
    fifo[head] = u;
    head = head + 1 == kDelay ? 0 : head + 1;
    const float w2 = kW * kW, c = 2.0f * kZeta * kW, h2 = 0.5f * dt;
    auto acc = [&](float yy, float vv) { return w2 * (ud - yy) - c * vv; };
    const float k1y = v, k1v = acc(y, v);
    const float k2y = v + h2 * k1v, k2v = acc(y + h2 * k1y, v + h2 * k1v);
    const float k3y = v + h2 * k2v, k3v = acc(y + h2 * k2y, v + h2 * k2v);
    const float k4y = v + dt * k3v, k4v = acc(y + dt * k3y, v + dt * k3v);
    y = y + (dt / 6.0f) * (((k1y + 2.0f * k2y) + 2.0f * k3y) + k4y);
    v = v + (dt / 6.0f) * (((k1v + 2.0f * k2v) + 2.0f * k3v) + k4v);
  }
};

/// Integrating plant with dead time (a motor's position, a level):
/// y = e^(-0.2 s) / (s (0.5 s + 1)) (u + d), RK4, the input through a FIFO of
/// 20 samples, and a load disturbance d = -0.3 from t = 10 s (a constant
/// torque or outflow: without integral action it leaves an offset 0.3 / Kp).
struct Integrator {
  static constexpr float kTau = 0.5f, kLoad = -0.3f;
  static constexpr int kDelay = 20, kLoadStep = 1000;  // samples: 0.2 s and 10 s at dt = 0.01 s
  float y = 0, v = 0;
  float fifo[kDelay] = {};
  int head = 0, k = 0;
  float output() const { return y; }
  void step(float u_cmd, float dt) {
    const float ud = fifo[head];
    fifo[head] = u_cmd;
    head = head + 1 == kDelay ? 0 : head + 1;
    const float u = k++ >= kLoadStep ? ud + kLoad : ud;
    const float h2 = 0.5f * dt;
    auto acc = [&](float vv) { return (u - vv) / kTau; };
    const float k1y = v, k1v = acc(v);
    const float k2y = v + h2 * k1v, k2v = acc(v + h2 * k1v);
    const float k3y = v + h2 * k2v, k3v = acc(v + h2 * k2v);
    const float k4y = v + dt * k3v, k4v = acc(v + dt * k3v);
    y = y + (dt / 6.0f) * (((k1y + 2.0f * k2y) + 2.0f * k3y) + k4y);
    v = v + (dt / 6.0f) * (((k1v + 2.0f * k2v) + 2.0f * k3v) + k4v);
  }
};

/// The main job's loop: 1/(s+1)^3, |u| <= 4 (pid_sim::LoopConfig's defaults).
inline double pid_lag3(const double* x, int, const EvalCtx&) {
  return pid_sim::run_episode(gains_of(x), pid_sim::LoopConfig{}, pid_sim::CostConfig{});
}
inline void box_pid_lag3(int, double* lo, double* hi) {
  lo[0] = lo[1] = lo[2] = 0;
  hi[0] = 10, hi[1] = 5, hi[2] = 10;
}
/// |u| <= 3.
inline double pid_sopdt(const double* x, int, const EvalCtx&) {
  pid_sim::LoopConfig loop;
  loop.pid.u_min = -3.0f;
  loop.pid.u_max = 3.0f;
  return pid_episode(gains_of(x), loop, SecondOrderDelay{});
}
inline void box_pid_sopdt(int, double* lo, double* hi) {
  lo[0] = lo[1] = lo[2] = 0;
  hi[0] = 5, hi[1] = 5, hi[2] = 2;
}
/// |u| <= 1: a unit step needs at least ~1.5 s at full command.
inline double pid_integrator(const double* x, int, const EvalCtx&) {
  pid_sim::LoopConfig loop;
  loop.pid.u_min = -1.0f;
  loop.pid.u_max = 1.0f;
  return pid_episode(gains_of(x), loop, Integrator{});
}
inline void box_pid_integrator(int, double* lo, double* hi) {
  lo[0] = lo[1] = lo[2] = 0;
  hi[0] = 10, hi[1] = 10, hi[2] = 5;
}

// ---- the Bayesian-optimization classics: fixed D, cost = simple regret -------------
//
// Branin (D = 2), Hartmann-3 and Hartmann-6 (Dixon & Szegő's test set, the
// usual benchmarks of Bayesian optimization), each minus its global minimum,
// so that the cost is the simple regret (0 at the optimum; the tables' final
// cost is the regret).

constexpr double kBraninMin = 0.397887357729738;
constexpr double kHartmann3Min = -3.86278214782076;
constexpr double kHartmann6Min = -3.32236801141551;

inline double branin_regret(const double* x, int, const EvalCtx&) {
  const double b = 5.1 / (4 * kPi * kPi), c = 5 / kPi, t = 1 / (8 * kPi);
  const double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
  return u * u + 10 * (1 - t) * std::cos(x[0]) + 10 - kBraninMin;
}
inline void box_branin(int, double* lo, double* hi) {
  lo[0] = -5, hi[0] = 10;
  lo[1] = 0, hi[1] = 15;
}
inline double hartmann3_regret(const double* x, int, const EvalCtx&) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double a[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
  static const double p[4][3] = {
      {0.3689, 0.1170, 0.2673}, {0.4699, 0.4387, 0.7470}, {0.1091, 0.8732, 0.5547}, {0.0381, 0.5743, 0.8828}};
  double f = 0;
  for (int i = 0; i < 4; ++i) {
    double e = 0;
    for (int j = 0; j < 3; ++j) e += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
    f -= alpha[i] * std::exp(-e);
  }
  return f - kHartmann3Min;
}
inline double hartmann6_regret(const double* x, int, const EvalCtx&) {
  static const double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static const double a[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                 {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double p[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                 {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                 {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                 {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
  double f = 0;
  for (int i = 0; i < 4; ++i) {
    double e = 0;
    for (int j = 0; j < 6; ++j) e += a[i][j] * (x[j] - p[i][j]) * (x[j] - p[i][j]);
    f -= alpha[i] * std::exp(-e);
  }
  return f - kHartmann6Min;
}
inline void box_unit(int n, double* lo, double* hi) {
  for (int d = 0; d < n; ++d) lo[d] = 0, hi[d] = 1;
}

// ---- task: a small tanh network trained on accuracy ------------------------------
//
// Data: the points of examples/xor_int8: kNetPoints points uniform in
// [-2, 2]^2 from starling::Rng(kNetDataSeed), on the int8 grid of step 2/127
// (a point with a coordinate 0 is drawn again, so every point is at least
// 2/127 from an axis), class 1 when x0 x1 > 0 (XOR of the signs). Network 2-kNetHidden-1: h = tanh(W x + b), out = v.h + c,
// class 1 when out > 0; parameters in the order W (row-major, [hidden][2]),
// b, v, c; box [-5, 5] each. Cost = misclassified points (a step function:
// no margin term), so 0 = 100 % accuracy. Float arithmetic.
constexpr int kNetPoints = 96;
constexpr int kNetHidden = 8;
constexpr int kNetDims = 2 * kNetHidden + kNetHidden + kNetHidden + 1;  // 33
constexpr uint64_t kNetDataSeed = 2026;

struct NetData {
  float x[kNetPoints][2];
  int y[kNetPoints];
  NetData() {
    starling::Rng rng(kNetDataSeed);
    for (int n = 0; n < kNetPoints; ++n) {
      int q[2];
      do {
        for (int& v : q) {
          const float u = rng.uniform(-2.0f, 2.0f) * 63.5f;  // / (2/127)
          v = static_cast<int>(u < 0 ? u - 0.5f : u + 0.5f);  // round half away from 0
          v = v < -127 ? -127 : v > 127 ? 127 : v;
        }
      } while (q[0] == 0 || q[1] == 0);
      x[n][0] = static_cast<float>(q[0]) * (2.0f / 127.0f);
      x[n][1] = static_cast<float>(q[1]) * (2.0f / 127.0f);
      y[n] = q[0] * q[1] > 0 ? 1 : 0;
    }
  }
};
inline const NetData& net_data() {
  static const NetData d;
  return d;
}
inline double net_errors(const double* p, int, const EvalCtx&) {
  const NetData& d = net_data();
  float w[kNetDims];
  for (int i = 0; i < kNetDims; ++i) w[i] = static_cast<float>(p[i]);
  const float* W = w;
  const float* b = w + 2 * kNetHidden;
  const float* v = b + kNetHidden;
  const float c = v[kNetHidden];
  int errors = 0;
  for (int n = 0; n < kNetPoints; ++n) {
    float out = c;
    for (int h = 0; h < kNetHidden; ++h)
      out += v[h] * std::tanh(W[2 * h] * d.x[n][0] + W[2 * h + 1] * d.x[n][1] + b[h]);
    errors += (out > 0.0f ? 1 : 0) != d.y[n];
  }
  return errors;
}
inline void box_net(int n, double* lo, double* hi) {
  for (int i = 0; i < n; ++i) lo[i] = -5, hi[i] = 5;
}

// ---- task: a one-parameter ODE fit to a target amplitude ------------------------
//
// A driven Duffing oscillator x'' + c x' + x + 0.2 x^3 = 0.3 cos(t) from rest,
// RK4 in double, dt = 0.05 s, 0 .. 40 s; the amplitude A(c) is max |x| over the
// last 10 s. Find the damping c in [0.02, 1] whose amplitude is the target
// A* = A(0.25) (a "measured" amplitude): cost = |A(c) - A*| / A*. Small c
// leaves the transient in the window, so A(c) is not monotone there.
inline double duffing_amplitude(double c) {
  const double dt = 0.05;
  const int steps = 800, window = 600;
  double x = 0, v = 0, amp = 0;
  auto acc = [c](double t, double xx, double vv) { return 0.3 * std::cos(t) - c * vv - xx - 0.2 * xx * xx * xx; };
  for (int k = 0; k < steps; ++k) {
    const double t = k * dt, h2 = 0.5 * dt;
    const double k1x = v, k1v = acc(t, x, v);
    const double k2x = v + h2 * k1v, k2v = acc(t + h2, x + h2 * k1x, v + h2 * k1v);
    const double k3x = v + h2 * k2v, k3v = acc(t + h2, x + h2 * k2x, v + h2 * k2v);
    const double k4x = v + dt * k3v, k4v = acc(t + dt, x + dt * k3x, v + dt * k3v);
    x += dt / 6 * (k1x + 2 * k2x + 2 * k3x + k4x);
    v += dt / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
    if (k + 1 >= window && std::fabs(x) > amp) amp = std::fabs(x);
  }
  return amp;
}
inline double ode_fit(const double* x, int, const EvalCtx&) {
  static const double target = duffing_amplitude(0.25);
  return std::fabs(duffing_amplitude(x[0]) - target) / target;
}
inline void box_ode(int, double* lo, double* hi) {
  lo[0] = 0.02;
  hi[0] = 1.0;
}

}  // namespace bq
