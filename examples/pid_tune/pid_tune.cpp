// SPDX-License-Identifier: MIT
// examples/pid_tune/pid_tune.cpp: the main job. A microcontroller tunes its
// own PID loop: every candidate (Kp, Ki, Kd) is one closed-loop step response
// on the plant, scored and told to an EMPSO swarm, one episode at a time.
// Here the plant is simulated (pid_sim.hpp: 1/(s+1)^3, dt = 0.01 s, |u| <= 4);
// on a device run_episode() would drive the real actuator.
//
// Then the tuned loop is compared with the textbook Ziegler–Nichols tuning,
// whose ultimate gain and period are measured on the same simulated loop:
// a table, an ASCII plot of both step responses, and a CSV
// (t, setpoint, y_zn, u_zn, y_tuned, u_tuned) in ./pid_tune.csv or argv[1].
//
// Exit status 0 only when the tuned gains beat Ziegler–Nichols clearly (cost
// below half of ZN's) and every self-check holds. Output is deterministic:
// fixed seed, float arithmetic, counter-based random numbers.
//
// Build without file output (a device without a file system): -DPID_TUNE_NO_FILE_IO.
//
// pid_tune --compare [NAME] [CSV]: afterwards, every optimizer of the family
// (or the one named: empso, de, cmaes, neldermead, spsa, anneal, bobyqa,
// bayesopt, tuner) tunes the same loop from the same seed with the same
// budget (1,440 episodes, or fewer where a method stops itself; each method's
// default config and population), and a table gives the episodes each needed
// to come within 2 % of the best cost any of them found.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "pid_sim.hpp"
#include "starling/starling.hpp"

namespace {

// ---- the tuning problem --------------------------------------------------
constexpr int kDims = 3;             // Kp, Ki, Kd
constexpr int kParticles = 24;
constexpr int kIterations = 60;      // 24 × 60 = 1,440 episodes of 20 s
constexpr uint64_t kSeed = 20240601u;
// Search box. Kp: 0 .. 10 (above Ku ≈ 8 the P part alone is unstable);
// Ki: 0 .. 5 1/s; Kd: 0 .. 10 s. Ziegler–Nichols (≈ 4.7, 2.6, 2.2) is inside.
constexpr float kLo[kDims] = {0.0f, 0.0f, 0.0f};
constexpr float kHi[kDims] = {10.0f, 5.0f, 10.0f};

// The optimizer lives in static memory, as on a device: 3 × 24 floats per
// array, 1.4 KB in all.
starling::Pso<kDims, kParticles, float> g_pso;
// The few-episode alternative (section 5): Tuner with room for 64
// observations of 3 gains, about 17 KB (starling/tuner.hpp has the formula).
starling::Tuner<kDims, 64, float> g_tuner;
constexpr int kTunerEpisodes = 150;
// EMPSO's best cost after these many episodes, for the side-by-side table.
constexpr int kMarks[] = {10, 25, 50, 75, 100, 150, 300, 600, 1440};
constexpr int kNumMarks = static_cast<int>(sizeof kMarks / sizeof kMarks[0]);

// Floats are printed through fx(), not printf's %f: newlib-nano (the
// Cortex-M C library) has no floating-point printf unless linked with
// -u _printf_float, which pulls in its malloc-based dtoa. fx() rounds to a
// fixed number of decimals with integer arithmetic, so every target prints
// the same text.
struct Fixed {
  char s[32];
};
Fixed fx(float v, int decimals) {
  Fixed f;
  if (std::isnan(v)) {
    std::snprintf(f.s, sizeof f.s, "nan");
    return f;
  }
  const char* sign = std::signbit(v) ? "-" : "";
  const double a = std::fabs(static_cast<double>(v));
  if (a >= 1e9) {  // also inf: out of the fixed-point range
    std::snprintf(f.s, sizeof f.s, "%s%s", sign, std::isinf(v) ? "inf" : ">1e9");
    return f;
  }
  if (decimals < 0) decimals = 0;
  if (decimals > 6) decimals = 6;
  unsigned long scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10u;
  const uint64_t q = static_cast<uint64_t>(std::floor(a * static_cast<double>(scale) + 0.5));
  const unsigned long ip = static_cast<unsigned long>(q / scale);
  unsigned long fp = static_cast<unsigned long>(q % scale);
  char frac[8] = {0};  // "." and the decimals, or empty
  if (decimals > 0) {
    frac[0] = '.';
    for (int i = decimals; i >= 1; --i, fp /= 10u) frac[i] = static_cast<char>('0' + fp % 10u);
  }
  if (q == 0) sign = "";  // no "-0.000"
  std::snprintf(f.s, sizeof f.s, "%s%lu%s", sign, ip, frac);
  return f;
}

unsigned long bits_of(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return static_cast<unsigned long>(u);
}

pid_sim::PidGains gains_of(const float* g) {
  pid_sim::PidGains p;
  p.kp = g[0];
  p.ki = g[1];
  p.kd = g[2];
  return p;
}

// ---- --compare: the family on the same loop ---------------------------------
constexpr long kBudget = static_cast<long>(kParticles) * kIterations;
starling::Pso<kDims, kParticles, float> g_cmp_pso;
starling::De<kDims, kParticles, float> g_cmp_de;
starling::Cmaes<kDims, kParticles, float> g_cmp_cmaes;
starling::NelderMead<kDims, float> g_cmp_nm;
starling::Spsa<kDims, float> g_cmp_spsa;
starling::Anneal<kDims, float> g_cmp_anneal;
starling::Bobyqa<kDims, float> g_cmp_bobyqa;
starling::BayesOpt<kDims, 64, float> g_cmp_bayesopt;

struct CmpRun {
  float best = INFINITY;
  long to_target = -1;  // episodes until the best was <= the threshold; -1 never
};

// One run of `budget` episodes (fewer if the optimizer stops first).
template <class Opt, class Cfg>
CmpRun run_compared(Opt& o, Cfg cfg, int population, float threshold, const pid_sim::LoopConfig& loop,
                    const pid_sim::CostConfig& cost_cfg) {
  CmpRun r;
  cfg.max_evals = kBudget;
  if (population > 0) cfg.max_iter = static_cast<int>(kBudget / population);
  if (o.init(kLo, kHi, kDims, population, cfg, kSeed) != starling::Status::Ok) return r;
  for (long n = 1; n <= kBudget; ++n) {
    const float* g = o.ask();
    if (g == nullptr) break;
    const float c = pid_sim::run_episode(gains_of(g), loop, cost_cfg);
    if (c < r.best) r.best = c;
    if (r.to_target < 0 && r.best <= threshold) r.to_target = n;
    if (o.tell(c) != starling::Status::Ok) break;
  }
  return r;
}

// Runs method k of the table (0 = EMPSO) with the given threshold.
CmpRun run_method(int k, float threshold, const pid_sim::LoopConfig& loop, const pid_sim::CostConfig& c) {
  switch (k) {
    case 0: return run_compared(g_cmp_pso, starling::PsoConfig::empso(), kParticles, threshold, loop, c);
    case 1: return run_compared(g_cmp_de, starling::DeConfig{}, 0, threshold, loop, c);
    case 2: return run_compared(g_cmp_cmaes, starling::CmaesConfig{}, 0, threshold, loop, c);
    case 3: return run_compared(g_cmp_nm, starling::NelderMeadConfig{}, 0, threshold, loop, c);
    case 4: return run_compared(g_cmp_spsa, starling::SpsaConfig{}, 0, threshold, loop, c);
    case 5: return run_compared(g_cmp_anneal, starling::AnnealConfig{}, 0, threshold, loop, c);
    case 6: return run_compared(g_cmp_bobyqa, starling::BobyqaConfig{}, 0, threshold, loop, c);
    case 7: return run_compared(g_cmp_bayesopt, starling::BayesOptConfig{}, 0, threshold, loop, c);
    default: return run_compared(g_tuner, starling::TunerConfig{}, 0, threshold, loop, c);
  }
}
constexpr const char* kMethods[] = {"empso", "de",     "cmaes",    "neldermead", "spsa",
                                    "anneal", "bobyqa", "bayesopt", "tuner"};
constexpr int kNumMethods = 9;

// Two passes (runs are deterministic): the best cost of all, then the
// episodes each run needed to come within 2 % of it.
int compare_family(const char* only, const pid_sim::LoopConfig& loop, const pid_sim::CostConfig& cost_cfg) {
  bool run[kNumMethods];
  bool any = false;
  for (int k = 0; k < kNumMethods; ++k) {
    run[k] = only == nullptr || std::strcmp(only, kMethods[k]) == 0;
    any = any || run[k];
  }
  if (!any) {
    std::printf("\n--compare: unknown optimizer %s (empso, de, cmaes, neldermead, spsa, anneal, bobyqa, bayesopt, "
                "tuner)\n",
                only);
    return 1;
  }
  float best = INFINITY;
  for (int k = 0; k < kNumMethods; ++k)
    if (run[k]) {
      const float b = run_method(k, -INFINITY, loop, cost_cfg).best;
      if (b < best) best = b;
    }
  const float threshold = 1.02f * best;
  std::printf("\nThe family on the same loop (seed %lu, budget %ld episodes, default configs):\n"
              "best cost found %s; episodes to come within 2 %% (cost <= %s)\n",
              static_cast<unsigned long>(kSeed), kBudget, fx(best, 5).s, fx(threshold, 5).s);
  std::printf("%-12s %10s %12s\n", "optimizer", "episodes", "final cost");
  for (int k = 0; k < kNumMethods; ++k)
    if (run[k]) {
      const CmpRun r = run_method(k, threshold, loop, cost_cfg);
      char eps[24];
      if (r.to_target < 0) std::snprintf(eps, sizeof eps, "never");
      else std::snprintf(eps, sizeof eps, "%ld", r.to_target);
      std::printf("%-12s %10s %12s\n", kMethods[k], eps, fx(r.best, 5).s);
    }
  return 0;
}

// ---- reporting -------------------------------------------------------------
void print_time(float t) {
  if (t < 0.0f)
    std::printf(" %8s", "never");
  else
    std::printf(" %8s", fx(t, 2).s);
}

void print_row(const char* name, const pid_sim::PidGains& g, const pid_sim::StepMetrics& m,
               float cost) {
  std::printf("%-16s %6s %6s %6s %8s %8s", name, fx(g.kp, 3).s, fx(g.ki, 3).s, fx(g.kd, 3).s,
              fx(m.itae, 3).s, fx(100.0f * m.overshoot, 1).s);
  print_time(m.rise_time);
  print_time(m.settling_time);
  std::printf(" %8s %6d\n", fx(cost, 3).s, m.saturated);
}

// One plotted value per column of each trace.
constexpr int kPlotCols = 72, kPlotRows = 20;
struct Plot {
  float r[kPlotCols], y_zn[kPlotCols], y_tuned[kPlotCols];
};

void ascii_plot(const Plot& p, float t_end) {
  float lo = 0.0f, hi = 1.0f;
  for (int c = 0; c < kPlotCols; ++c) {
    const float v[3] = {p.r[c], p.y_zn[c], p.y_tuned[c]};
    for (float x : v) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  hi = std::ceil(hi * 10.0f) / 10.0f;  // a round top value
  lo = std::floor(lo * 10.0f) / 10.0f;
  char grid[kPlotRows][kPlotCols + 1];
  for (auto& row : grid) {
    std::memset(row, ' ', kPlotCols);
    row[kPlotCols] = '\0';
  }
  auto row_of = [&](float y) {
    int r = static_cast<int>((hi - y) / (hi - lo) * static_cast<float>(kPlotRows - 1) + 0.5f);
    return r < 0 ? 0 : (r >= kPlotRows ? kPlotRows - 1 : r);
  };
  for (int c = 0; c < kPlotCols; ++c) {
    grid[row_of(p.r[c])][c] = '-';
    grid[row_of(p.y_zn[c])][c] = 'z';
    char& cell = grid[row_of(p.y_tuned[c])][c];
    cell = cell == 'z' ? '#' : 't';
  }
  std::printf("\nStep responses: z = Ziegler-Nichols, t = tuned, # = both, - = set point\n");
  for (int r = 0; r < kPlotRows; ++r) {
    const float y = hi - (hi - lo) * static_cast<float>(r) / static_cast<float>(kPlotRows - 1);
    if (r % 4 == 0 || r == kPlotRows - 1)
      std::printf("%6s |%s\n", fx(y, 2).s, grid[r]);
    else
      std::printf("       |%s\n", grid[r]);
  }
  std::printf("       +");
  for (int c = 0; c < kPlotCols; ++c) std::printf("%c", c % 18 == 0 ? '+' : '-');
  std::printf("\n       0");
  for (int q = 1; q <= 4; ++q) std::printf("%18s", fx(t_end * static_cast<float>(q) / 4.0f, 0).s);
  std::printf(" s\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Arguments: [--compare [NAME]] [CSV path], in any order.
  bool compare = false;
  const char* compare_only = nullptr;
  const char* csv_arg = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == nullptr) continue;
    if (std::strcmp(argv[i], "--compare") == 0) {
      compare = true;
      if (i + 1 < argc && argv[i + 1] != nullptr) {
        for (const char* m : kMethods)
          if (std::strcmp(argv[i + 1], m) == 0) compare_only = argv[++i];
      }
    } else {
      csv_arg = argv[i];
    }
  }
  const pid_sim::LoopConfig loop;  // 1/(s+1)^3, dt 0.01 s, 2000 samples, |u| <= 4
  const pid_sim::CostConfig cost_cfg;
  const float t_end = static_cast<float>(loop.steps) * loop.pid.dt;
  int failures = 0;

  std::printf("starling pid_tune: PID on 1/(s+1)^3, dt = %s s, %s s episode, |u| <= %s,\n"
              "derivative filter Tf = %s s, back-calculation anti-windup\n",
              fx(loop.pid.dt, 3).s, fx(t_end, 0).s, fx(loop.pid.u_max, 1).s, fx(loop.pid.tf, 2).s);
  std::printf("cost = ITAE + %s * max(0, overshoot - %s %%); EMPSO, %d particles x %d "
              "iterations, seed %lu\n",
              fx(cost_cfg.overshoot_weight, 0).s, fx(100.0f * cost_cfg.overshoot_free, 0).s,
              kParticles, kIterations, static_cast<unsigned long>(kSeed));
  std::printf("bounds: Kp [%s, %s]  Ki [%s, %s] 1/s  Kd [%s, %s] s\n\n", fx(kLo[0], 0).s,
              fx(kHi[0], 0).s, fx(kLo[1], 0).s, fx(kHi[1], 0).s, fx(kLo[2], 0).s, fx(kHi[2], 0).s);

  // ---- 1. tune: one episode per candidate, through ask/tell ---------------
  starling::PsoConfig cfg = starling::PsoConfig::empso();  // the measured EMPSO (pso.hpp)
  cfg.max_iter = kIterations;
  if (g_pso.init(kLo, kHi, kDims, kParticles, cfg, kSeed) != starling::Status::Ok) {
    std::printf("init failed\n");
    return 1;
  }
  std::printf("%5s %6s %12s %8s %8s %8s\n", "iter", "evals", "best cost", "Kp", "Ki", "Kd");
  float pso_at[kNumMarks];
  for (float& v : pso_at) v = 0;
  while (const float* g = g_pso.ask()) {
    const float cost = pid_sim::run_episode(gains_of(g), loop, cost_cfg);  // the episode
    const int before = g_pso.iteration();
    if (g_pso.tell(cost) != starling::Status::Ok) return 1;
    for (int k = 0; k < kNumMarks; ++k)
      if (g_pso.evaluations() == kMarks[k]) pso_at[k] = g_pso.best_value();
    if (g_pso.iteration() != before) {
      const float* b = g_pso.best_position();
      std::printf("%5d %6ld %12s %8s %8s %8s\n", g_pso.iteration(), g_pso.evaluations(),
                  fx(g_pso.best_value(), 5).s, fx(b[0], 4).s, fx(b[1], 4).s, fx(b[2], 4).s);
    }
  }
  const pid_sim::PidGains tuned = gains_of(g_pso.best_position());
  // Machine-readable: the IEEE-754 bits, compared by examples/firmware.
  std::printf("RESULT kp=0x%08lx ki=0x%08lx kd=0x%08lx cost=0x%08lx\n", bits_of(tuned.kp),
              bits_of(tuned.ki), bits_of(tuned.kd), bits_of(g_pso.best_value()));

  // ---- 2. Ziegler–Nichols from the ultimate-gain experiment -----------------
  const pid_sim::UltimateGain ug = pid_sim::find_ultimate_gain(loop, 1.0f, 20.0f);
  const float ku_c = 8.0f, tu_c = 2.0f * 3.14159265f / std::sqrt(3.0f);
  std::printf("\nZiegler-Nichols experiment (P-only loop at the stability limit, bisection):\n"
              "  measured Ku = %s, Tu = %s s   (continuous-time analysis: Ku = 8, Tu = "
              "2*pi/sqrt(3) = %s s;\n  the sampled loop's zero-order hold adds dt/2 of delay)\n",
              fx(ug.ku, 4).s, fx(ug.tu, 4).s, fx(tu_c, 4).s);
  if (!ug.ok || std::fabs(ug.ku - ku_c) > 0.03f * ku_c || std::fabs(ug.tu - tu_c) > 0.03f * tu_c) {
    std::printf("CHECK FAILED: ultimate gain/period not within 3 %% of the analysis\n");
    ++failures;
  }
  const pid_sim::PidGains zn = pid_sim::ziegler_nichols_pid(ug.ku, ug.tu);
  std::printf("  classic ZN PID: Kp = 0.6 Ku, Ti = Tu/2, Td = Tu/8 -> Kp = %s, Ki = %s, Kd = %s\n",
              fx(zn.kp, 4).s, fx(zn.ki, 4).s, fx(zn.kd, 4).s);

  // ---- 3. both loops side by side: metrics, plot columns, CSV -----------------
  pid_sim::ClosedLoop cl_zn, cl_tuned;
  cl_zn.init(zn, loop);
  cl_tuned.init(tuned, loop);
  pid_sim::MetricsAccumulator acc_zn(loop), acc_tuned(loop);
  static Plot plot;
  std::FILE* csv = nullptr;
  const char* csv_path = csv_arg != nullptr ? csv_arg : "pid_tune.csv";
#ifndef PID_TUNE_NO_FILE_IO
  csv = std::fopen(csv_path, "w");
  if (csv == nullptr)
    std::printf("note: cannot write %s; no CSV\n", csv_path);
  else
    std::fprintf(csv, "t,setpoint,y_zn,u_zn,y_tuned,u_tuned\n");
#endif
  bool zn_alive = true, tuned_alive = true;
  int next_col = 0;
  for (int k = 0; k < loop.steps; ++k) {
    const pid_sim::Sample a = cl_zn.step(), b = cl_tuned.step();
    if (zn_alive) zn_alive = acc_zn.add(a);
    if (tuned_alive) tuned_alive = acc_tuned.add(b);
    if (csv != nullptr)
      std::fprintf(csv, "%s,%s,%s,%s,%s,%s\n", fx(a.t, 2).s, fx(a.r, 3).s, fx(a.y, 6).s,
                   fx(a.u, 6).s, fx(b.y, 6).s, fx(b.u, 6).s);
    // Column c of the plot shows sample c·(steps−1)/(cols−1).
    if (next_col < kPlotCols &&
        static_cast<long>(next_col) * (loop.steps - 1) / (kPlotCols - 1) == k) {
      plot.r[next_col] = a.r;
      plot.y_zn[next_col] = a.y;
      plot.y_tuned[next_col] = b.y;
      ++next_col;
    }
  }
  if (csv != nullptr) {
    if (std::fclose(csv) == 0)
      std::printf("\nwrote %s (%d rows)\n", csv_path, loop.steps);
    else
      std::printf("\nnote: error writing %s\n", csv_path);
  }
  const pid_sim::StepMetrics m_zn = acc_zn.result(), m_tuned = acc_tuned.result();
  const float cost_zn = pid_sim::episode_cost(m_zn, loop, cost_cfg);
  const float cost_tuned = pid_sim::episode_cost(m_tuned, loop, cost_cfg);

  std::printf("\n%-16s %6s %6s %6s %8s %8s %8s %8s %8s %6s\n", "controller", "Kp", "Ki", "Kd",
              "ITAE", "OS %", "rise s", "settle s", "cost", "sat");
  print_row("Ziegler-Nichols", zn, m_zn, cost_zn);
  print_row("EMPSO tuned", tuned, m_tuned, cost_tuned);
  std::printf("(ITAE in s^2; OS = overshoot; rise 10-90 %%; settle = 2 %% band; sat = samples "
              "with u at a limit)\n");

  ascii_plot(plot, t_end);

  // ---- 4. self-checks ---------------------------------------------------------
  // The replayed episode is bit for bit the one the swarm scored.
  const float best_told = g_pso.best_value();
  if (std::memcmp(&cost_tuned, &best_told, sizeof(float)) != 0) {
    std::printf("CHECK FAILED: replayed cost %s != best told %s\n", fx(cost_tuned, 6).s,
                fx(best_told, 6).s);
    ++failures;
  }
  const bool beat = cost_tuned < 0.5f * cost_zn && m_tuned.itae < m_zn.itae &&
                    m_tuned.overshoot < m_zn.overshoot;
  std::printf("\ntuned vs ZN: cost %s vs %s (%s x better), ITAE %s vs %s, overshoot %s %% vs "
              "%s %%\n",
              fx(cost_tuned, 3).s, fx(cost_zn, 3).s, fx(cost_zn / cost_tuned, 1).s,
              fx(m_tuned.itae, 3).s, fx(m_zn.itae, 3).s, fx(100.0f * m_tuned.overshoot, 1).s,
              fx(100.0f * m_zn.overshoot, 1).s);
  if (!beat) {
    std::printf("CHECK FAILED: the tuned gains do not beat Ziegler-Nichols clearly\n");
    ++failures;
  }

  // ---- 5. few episodes: Tuner (design, Gaussian process, Nelder-Mead) --------
  // On hardware an episode costs seconds: how many are needed to come within
  // 2 % of the best cost EMPSO found with all of its episodes.
  starling::TunerConfig tcfg;
  tcfg.max_evals = kTunerEpisodes;
  tcfg.max_iter = kTunerEpisodes;
  if (g_tuner.init(kLo, kHi, kDims, 0, tcfg, kSeed) != starling::Status::Ok) {
    std::printf("tuner init failed\n");
    return 1;
  }
  const float goal = 1.02f * g_pso.best_value();
  float tuner_at[kNumMarks];
  for (float& v : tuner_at) v = 0;
  long tuner_hit = -1, pso_hit = -1;
  while (const float* g = g_tuner.ask()) {
    const float cost = pid_sim::run_episode(gains_of(g), loop, cost_cfg);
    if (g_tuner.tell(cost) != starling::Status::Ok) return 1;
    if (tuner_hit < 0 && g_tuner.best_value() <= goal) tuner_hit = g_tuner.evaluations();
    for (int k = 0; k < kNumMarks; ++k)
      if (g_tuner.evaluations() == kMarks[k]) tuner_at[k] = g_tuner.best_value();
  }
  for (int k = 0; k < kNumMarks && pso_hit < 0; ++k)
    if (pso_at[k] > 0 && pso_at[k] <= goal) pso_hit = kMarks[k];
  std::printf("\nFew episodes: best cost after n episodes (EMPSO as above; Tuner, %d episodes)\n",
              kTunerEpisodes);
  std::printf("%8s %10s %10s\n", "episodes", "EMPSO", "Tuner");
  for (int k = 0; k < kNumMarks; ++k)
    std::printf("%8d %10s %10s\n", kMarks[k], fx(pso_at[k], 4).s,
                kMarks[k] <= kTunerEpisodes ? fx(tuner_at[k], 4).s : "-");
  std::printf("within 2 %% of EMPSO's final best (%s): Tuner after %ld episodes, EMPSO by episode %ld\n",
              fx(goal, 4).s, tuner_hit, pso_hit);
  const float* tg = g_tuner.best_position();
  std::printf("Tuner's gains: Kp %s, Ki %s, Kd %s, cost %s\n", fx(tg[0], 4).s, fx(tg[1], 4).s,
              fx(tg[2], 4).s, fx(g_tuner.best_value(), 4).s);
  if (tuner_hit < 0) {
    std::printf("CHECK FAILED: Tuner did not come within 2 %% in %d episodes\n", kTunerEpisodes);
    ++failures;
  }
  if (compare) failures += compare_family(compare_only, loop, cost_cfg);
  std::printf("%s\n", failures == 0 ? "PASS" : "FAIL");
  return failures == 0 ? 0 : 1;
}
