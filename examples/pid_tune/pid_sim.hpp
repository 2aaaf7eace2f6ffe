// SPDX-License-Identifier: MIT
// examples/pid_tune/pid_sim.hpp: a discrete PID controller and a simulated
// plant, written the way firmware would run them: float arithmetic, a fixed
// sample time, no heap, no I/O, no libm in the per-sample code (only + − × ÷,
// so with -ffp-contract=off every target computes the same bits).
//
//   pid_sim::LoopConfig loop;                        // 1/(s+1)^3, dt 0.01 s, 20 s, |u| <= 4
//   pid_sim::StepMetrics m;
//   float cost = pid_sim::run_episode({kp, ki, kd}, loop, pid_sim::CostConfig{}, &m);
//
// The pieces, each usable alone on a device:
//   Pid          — PID with derivative on the measurement through a first-order
//                  filter, actuator saturation, and anti-windup (back-calculation
//                  by default, or conditional integration);
//   Lag3         — the plant K/(τs+1)^3, integrated by RK4 with the input held
//                  over the step (zero-order hold);
//   ClosedLoop   — one sample of "measure → control → actuate" at a time;
//   StepMetrics  — ITAE, overshoot, rise and settling time of a step response;
//   run_episode  — one closed-loop step response reduced to a cost: what the
//                  tuner evaluates per candidate gain vector;
//   find_ultimate_gain — the Ziegler–Nichols experiment (P-only loop at the
//                  stability limit) on the simulated loop.
//
// References: K. J. Åström, T. Hägglund, "Advanced PID Control", ISA 2006
// (ch. 3: derivative filter, set-point weighting, back-calculation with the
// tracking time Tt = √(Ti·Td)); K. J. Åström, B. Wittenmark, "Computer-
// Controlled Systems", 3rd ed., §8.5 (backward-difference discretization of
// the filtered derivative); J. G. Ziegler, N. B. Nichols, "Optimum settings
// for automatic controllers", Trans. ASME 64, 1942.
#pragma once
#include <cmath>
#include <limits>

namespace pid_sim {

/// How the integrator is kept from winding up while the actuator saturates.
enum class AntiWindup : int {
  None,             ///< plain integration (for comparison only)
  BackCalculation,  ///< dI/dt = Ki·e + (u − v)/Tt: the saturation error bleeds I off
  Conditional,      ///< stop integrating while saturated and the error pushes further out
};

/// Parallel-form gains: u = Kp·e + Ki·∫e dt − Kd·dy_f/dt (y_f: filtered measurement).
/// Units: u per unit of error; Ki in 1/s, Kd in s (times u per unit of error).
struct PidGains {
  float kp = 0.0f, ki = 0.0f, kd = 0.0f;
};

/// Everything of a PID loop but its gains.
struct PidConfig {
  float dt = 0.01f;     ///< sample time, s (> 0)
  /// Time constant of the derivative's first-order filter, s (>= 0). 0.05 s is
  /// Td/N with N ≈ 9 for the Ziegler–Nichols Td of this plant (≈ 0.45 s);
  /// a fixed value (rather than Td/N) keeps the filter a property of the
  /// measurement chain, independent of the gains being tuned.
  float tf = 0.05f;
  /// Actuator limits (u_min < u_max; ±inf = none). ±4 is four times the
  /// steady-state command of a unit step on this plant: the Ziegler–Nichols
  /// kick (Kp ≈ 4.7) saturates, and a fast tuning uses the limit for most of
  /// the first second, so anti-windup matters.
  float u_min = -4.0f;
  float u_max = 4.0f;
  AntiWindup anti_windup = AntiWindup::BackCalculation;
  /// Back-calculation tracking time Tt, s. 0 = automatic: √(Ti·Td) = √(Kd/Ki)
  /// for PID, Ti = Kp/Ki for PI (Åström & Hägglund); never below dt.
  float tt = 0.0f;
};

/// Discrete PID, one call per sample:
///   e = r − y;  D ← a·D − b·(y − y_prev)   (a = Tf/(Tf+dt), b = Kd/(Tf+dt))
///   v = Kp·e + I + D;  u = clamp(v, u_min, u_max)
///   I ← I + Ki·dt·e [+ (dt/Tt)·(u − v) | only when not pushing into saturation]
/// The derivative acts on the measurement, so a set-point step gives no
/// derivative kick. NaN gains give NaN outputs (callers detect them).
class Pid {
 public:
  void init(const PidGains& g, const PidConfig& c) noexcept {
    g_ = g;
    c_ = c;
    ki_dt_ = g.ki * c.dt;
    ad_ = c.tf / (c.tf + c.dt);
    bd_ = g.kd / (c.tf + c.dt);
    kt_ = tracking_gain(g, c);
    reset(0.0f);
  }
  /// Clears the integrator and the derivative filter; y0 is the measurement
  /// the first update() will see (so the first derivative is 0).
  void reset(float y0) noexcept {
    i_ = 0.0f;
    d_ = 0.0f;
    v_ = 0.0f;
    y_prev_ = y0;
  }
  /// One sample: set point r, measurement y; returns the saturated actuator
  /// command, held until the next sample.
  float update(float r, float y) noexcept {
    const float e = r - y;
    d_ = ad_ * d_ - bd_ * (y - y_prev_);
    y_prev_ = y;
    const float v = g_.kp * e + i_ + d_;
    const float u = v > c_.u_max ? c_.u_max : (v < c_.u_min ? c_.u_min : v);
    switch (c_.anti_windup) {
      case AntiWindup::None: i_ += ki_dt_ * e; break;
      case AntiWindup::BackCalculation: i_ += ki_dt_ * e + kt_ * (u - v); break;
      case AntiWindup::Conditional:
        // Integrate unless saturated with the error driving further out.
        if (!((v > c_.u_max && e > 0.0f) || (v < c_.u_min && e < 0.0f))) i_ += ki_dt_ * e;
        break;
    }
    v_ = v;
    return u;
  }
  float integral() const noexcept { return i_; }    ///< I, in units of u
  float derivative() const noexcept { return d_; }  ///< D, in units of u
  float unsaturated() const noexcept { return v_; } ///< v of the last update
  /// dt/Tt of back-calculation (0 when off or without integral action).
  float tracking_gain() const noexcept { return kt_; }
  const PidGains& gains() const noexcept { return g_; }
  const PidConfig& config() const noexcept { return c_; }

  static float tracking_gain(const PidGains& g, const PidConfig& c) noexcept {
    if (c.anti_windup != AntiWindup::BackCalculation || !(g.ki > 0.0f) || !(c.dt > 0.0f))
      return 0.0f;
    float tt = c.tt;
    if (!(tt > 0.0f)) {
      if (g.kd > 0.0f)
        tt = std::sqrt(g.kd / g.ki);  // √(Ti·Td) = √((Kp/Ki)·(Kd/Kp))
      else
        tt = g.kp / g.ki;  // Ti
    }
    if (!(tt >= c.dt)) tt = c.dt;  // also catches NaN: then the fastest tracking
    return c.dt / tt;
  }

 private:
  PidGains g_{};
  PidConfig c_{};
  float ki_dt_ = 0.0f, ad_ = 0.0f, bd_ = 0.0f, kt_ = 0.0f;
  float i_ = 0.0f, d_ = 0.0f, v_ = 0.0f, y_prev_ = 0.0f;
};

/// The plant K/(τs + 1)^3 as three cascaded first-order lags
///   τ·x0' = K·u − x0,  τ·x1' = x0 − x1,  τ·x2' = x1 − x2,  y = x2,
/// integrated by classic RK4 with u constant over the step (a zero-order
/// hold, as a DAC or PWM holds it). RK4's local error at dt/τ = 0.01 is
/// ~1e-12, far below float resolution.
struct Lag3 {
  float gain = 1.0f;  ///< K, DC gain
  float tau = 1.0f;   ///< τ, s (> 0)
  float x[3] = {0.0f, 0.0f, 0.0f};

  void reset() noexcept { x[0] = x[1] = x[2] = 0.0f; }
  float output() const noexcept { return x[2]; }
  /// Advances by dt seconds with input u held.
  void step(float u, float dt) noexcept {
    const float ku = gain * u, inv_tau = 1.0f / tau, h = dt, h2 = 0.5f * dt;
    float k1[3], k2[3], k3[3], k4[3], s[3];
    deriv(x, ku, inv_tau, k1);
    for (int i = 0; i < 3; ++i) s[i] = x[i] + h2 * k1[i];
    deriv(s, ku, inv_tau, k2);
    for (int i = 0; i < 3; ++i) s[i] = x[i] + h2 * k2[i];
    deriv(s, ku, inv_tau, k3);
    for (int i = 0; i < 3; ++i) s[i] = x[i] + h * k3[i];
    deriv(s, ku, inv_tau, k4);
    for (int i = 0; i < 3; ++i)
      x[i] = x[i] + (h / 6.0f) * (((k1[i] + 2.0f * k2[i]) + 2.0f * k3[i]) + k4[i]);
  }

 private:
  static void deriv(const float* s, float ku, float inv_tau, float* out) noexcept {
    out[0] = (ku - s[0]) * inv_tau;
    out[1] = (s[0] - s[1]) * inv_tau;
    out[2] = (s[1] - s[2]) * inv_tau;
  }
};

/// One closed-loop experiment: a set-point step from rest.
struct LoopConfig {
  PidConfig pid;              ///< sample time, filter, actuator limits, anti-windup
  float plant_gain = 1.0f;    ///< K of K/(τs+1)^3
  float plant_tau = 1.0f;     ///< τ, s
  float setpoint = 1.0f;      ///< step height (from y = 0 at t = 0)
  int steps = 2000;           ///< samples: 2000 × 0.01 s = a 20 s episode
  /// Safety cut-off: |y| beyond this (or a non-finite y or u) ends the episode
  /// as diverged, as a firmware watchdog would.
  float y_limit = 1000.0f;
};

/// One sample of the loop: time, set point, measurement, actuator command.
struct Sample {
  float t, r, y, u;
};

/// Runs the loop one sample at a time: sample k measures y(k·dt), computes
/// u(k), and advances the plant to (k+1)·dt with u(k) held.
class ClosedLoop {
 public:
  void init(const PidGains& g, const LoopConfig& c) noexcept {
    c_ = c;
    plant_.gain = c.plant_gain;
    plant_.tau = c.plant_tau;
    plant_.reset();
    pid_.init(g, c.pid);
    pid_.reset(plant_.output());
    k_ = 0;
  }
  Sample step() noexcept {
    Sample s;
    s.t = static_cast<float>(k_) * c_.pid.dt;
    s.r = c_.setpoint;
    s.y = plant_.output();
    s.u = pid_.update(s.r, s.y);
    plant_.step(s.u, c_.pid.dt);
    ++k_;
    return s;
  }
  int samples() const noexcept { return k_; }
  const Pid& pid() const noexcept { return pid_; }
  const Lag3& plant() const noexcept { return plant_; }

 private:
  LoopConfig c_{};
  Lag3 plant_{};
  Pid pid_{};
  int k_ = 0;
};

/// Step-response figures of one episode.
struct StepMetrics {
  float itae = 0.0f;           ///< Σ t·|r − y|·dt over the episode, s²·(units of y)
  float overshoot = 0.0f;      ///< max(0, (y_max − r)/r): 0.1 = 10 %
  float rise_time = -1.0f;     ///< first 10 % → first 90 % of r, s; < 0 if never reached
  float settling_time = -1.0f; ///< from then on |r − y| <= 2 % of |r|, s; < 0 if not settled
  float peak = 0.0f;           ///< y_max
  float final_error = 0.0f;    ///< r − y at the last sample
  int saturated = 0;           ///< samples with u at a limit
  int samples = 0;             ///< samples run
  bool diverged = false;       ///< cut off by LoopConfig::y_limit or a non-finite value
};

/// Accumulates StepMetrics one Sample at a time (no stored trace).
class MetricsAccumulator {
 public:
  explicit MetricsAccumulator(const LoopConfig& c) noexcept : c_(c) {}
  /// Adds one sample; returns false (and marks the run diverged) when y or u
  /// is not finite or |y| exceeds the cut-off; the caller then stops.
  bool add(const Sample& s) noexcept {
    if (!std::isfinite(s.y) || !std::isfinite(s.u) || std::fabs(s.y) > c_.y_limit) {
      m_.diverged = true;
      return false;
    }
    const float e = s.r - s.y;
    const float ae = std::fabs(e);
    m_.itae += s.t * ae * c_.pid.dt;
    if (m_.samples == 0 || s.y > m_.peak) m_.peak = s.y;
    if (s.u >= c_.pid.u_max || s.u <= c_.pid.u_min) ++m_.saturated;
    const float r = s.r;
    if (t10_ < 0.0f && s.y >= 0.1f * r) t10_ = s.t;
    if (t90_ < 0.0f && s.y >= 0.9f * r) t90_ = s.t;
    if (ae > 0.02f * std::fabs(r)) last_out_ = m_.samples;
    m_.final_error = e;
    ++m_.samples;
    return true;
  }
  StepMetrics result() const noexcept {
    StepMetrics m = m_;
    const float r = c_.setpoint;
    m.overshoot = r != 0.0f && m.peak > r ? (m.peak - r) / r : 0.0f;
    m.rise_time = t10_ >= 0.0f && t90_ >= 0.0f ? t90_ - t10_ : -1.0f;
    if (m.diverged || last_out_ == m.samples - 1)
      m.settling_time = -1.0f;  // still outside the band at the end
    else
      m.settling_time = static_cast<float>(last_out_ + 1) * c_.pid.dt;
    return m;
  }

 private:
  LoopConfig c_;
  StepMetrics m_{};
  float t10_ = -1.0f, t90_ = -1.0f;
  int last_out_ = -1;
};

/// The tuning objective.
struct CostConfig {
  /// cost = ITAE + overshoot_weight · max(0, overshoot − overshoot_free).
  /// 20 per unit overshoot = 0.2 per percent above 2 %: 10 % overshoot costs
  /// about the ITAE of a good response (≈ 1.3 s² here), so overshoot is
  /// traded against speed, not banned.
  float overshoot_weight = 20.0f;
  float overshoot_free = 0.02f;
  /// A diverged run costs diverged_cost·(2 − t_cut/T): far above any stable
  /// run, and worse the earlier it blew up (gives the swarm a slope).
  float diverged_cost = 1.0e6f;
};

/// The cost of a finished episode (finite always).
inline float episode_cost(const StepMetrics& m, const LoopConfig& loop,
                          const CostConfig& cc) noexcept {
  if (m.diverged) {
    const float frac = static_cast<float>(m.samples) / static_cast<float>(loop.steps);
    return cc.diverged_cost * (2.0f - frac);
  }
  const float excess = m.overshoot - cc.overshoot_free;
  return m.itae + cc.overshoot_weight * (excess > 0.0f ? excess : 0.0f);
}

/// One candidate, one closed-loop episode: the step response of the loop with
/// gains g, reduced to its cost (finite always; NaN gains count as diverged).
/// Writes the figures to *metrics when it is not null. O(loop.steps).
inline float run_episode(const PidGains& g, const LoopConfig& loop, const CostConfig& cc,
                         StepMetrics* metrics = nullptr) noexcept {
  ClosedLoop cl;
  cl.init(g, loop);
  MetricsAccumulator acc(loop);
  for (int k = 0; k < loop.steps; ++k)
    if (!acc.add(cl.step())) break;
  const StepMetrics m = acc.result();
  if (metrics != nullptr) *metrics = m;
  return episode_cost(m, loop, cc);
}

/// Result of the Ziegler–Nichols closed-loop experiment.
struct UltimateGain {
  float ku = 0.0f;  ///< the P gain at the stability limit
  float tu = 0.0f;  ///< the period of the sustained oscillation there, s
  bool ok = false;  ///< false if [k_lo, k_hi] does not bracket the limit
};

/// Starts cl as the P-only loop with gain k and no actuator limits (the
/// Ziegler–Nichols experiment's loop); returns its steady-state output
/// y_ss = r·kK/(1 + kK).
inline float start_p_loop(float k, const LoopConfig& base, ClosedLoop& cl) noexcept {
  LoopConfig c = base;
  c.pid.u_min = -std::numeric_limits<float>::infinity();
  c.pid.u_max = std::numeric_limits<float>::infinity();
  c.pid.anti_windup = AntiWindup::None;
  PidGains g;
  g.kp = k;
  cl.init(g, c);
  const float kk = k * c.plant_gain;
  return c.setpoint * kk / (1.0f + kk);
}

/// Grows (true) or decays (false) the oscillation of the P-only loop with gain
/// k, no actuator limits: compares the largest |y − y_ss| in the middle and
/// the last third of a `steps`-sample run.
inline bool p_loop_grows(float k, const LoopConfig& base, int steps) noexcept {
  ClosedLoop cl;
  const float y_ss = start_p_loop(k, base, cl);
  float a1 = 0.0f, a2 = 0.0f;
  for (int i = 0; i < steps; ++i) {
    const Sample s = cl.step();
    if (!std::isfinite(s.y) || std::fabs(s.y) > base.y_limit) return true;
    const float a = std::fabs(s.y - y_ss);
    if (3 * i >= 2 * steps) {
      if (a > a2) a2 = a;
    } else if (3 * i >= steps) {
      if (a > a1) a1 = a;
    }
  }
  return a2 > a1;
}

/// The Ziegler–Nichols experiment on the simulated loop: bisects the P gain
/// in [k_lo, k_hi] (the loop must decay at k_lo and grow at k_hi) for the
/// stability limit Ku, then measures the period Tu of the oscillation there
/// from the upward crossings of y_ss (linear interpolation). For
/// 1/(s+1)^3 in continuous time Ku = 8, Tu = 2π/√3 ≈ 3.628 s; the sampled
/// loop's zero-order hold adds a delay of dt/2, which lowers both slightly.
/// Cost: (iterations + 1) runs of `steps` samples.
inline UltimateGain find_ultimate_gain(const LoopConfig& base, float k_lo, float k_hi,
                                       int iterations = 40, int steps = 6000) noexcept {
  UltimateGain r;
  if (p_loop_grows(k_lo, base, steps) || !p_loop_grows(k_hi, base, steps)) return r;
  for (int i = 0; i < iterations; ++i) {
    const float mid = 0.5f * (k_lo + k_hi);
    if (mid <= k_lo || mid >= k_hi) break;  // float resolution reached
    if (p_loop_grows(mid, base, steps))
      k_hi = mid;
    else
      k_lo = mid;
  }
  r.ku = 0.5f * (k_lo + k_hi);
  // Period at Ku from the upward crossings of y_ss in the last two thirds.
  ClosedLoop cl;
  const float y_ss = start_p_loop(r.ku, base, cl);
  float prev = 0.0f, t_prev = 0.0f, t_first = 0.0f, t_last = 0.0f;
  int crossings = 0;
  for (int i = 0; i < steps; ++i) {
    const Sample s = cl.step();
    const float a = s.y - y_ss;
    if (3 * i > steps && prev < 0.0f && a >= 0.0f) {
      const float t = t_prev + (s.t - t_prev) * (-prev / (a - prev));
      if (crossings == 0) t_first = t;
      t_last = t;
      ++crossings;
    }
    prev = a;
    t_prev = s.t;
  }
  if (crossings >= 2) {
    r.tu = (t_last - t_first) / static_cast<float>(crossings - 1);
    r.ok = true;
  }
  return r;
}

/// The classic Ziegler–Nichols PID from (Ku, Tu): Kp = 0.6·Ku, Ti = Tu/2,
/// Td = Tu/8, in parallel form Ki = Kp/Ti, Kd = Kp·Td.
inline PidGains ziegler_nichols_pid(float ku, float tu) noexcept {
  PidGains g;
  g.kp = 0.6f * ku;
  g.ki = g.kp / (0.5f * tu);
  g.kd = g.kp * (0.125f * tu);
  return g;
}

}  // namespace pid_sim
