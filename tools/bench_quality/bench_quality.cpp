// SPDX-License-Identifier: MIT
// bench_quality: the optimizer quality benchmark. Every registered optimizer
// (registry.hpp: starling's configurations, pagmo2's and NLopt's methods when
// Meson found them) runs every cell (function x D x budget, and the tasks) for
// several seeds, side by side in one run; the tool prints markdown tables
// (median and quartiles of the final best, success rates, evaluations to
// within 2 % of the best known task cost, ratios ours/peer) and writes a CSV
// per run and convergence traces for chosen cells. docs/quality.md explains
// the cells and holds a baseline run.
//
//   meson setup build && ninja -C build tools/bench_quality/bench_quality
//   ./build/tools/bench_quality/bench_quality            # the full default grid
//   ./build/tools/bench_quality/bench_quality --quick    # a small grid for development
//   ./build/tools/bench_quality/bench_quality --help
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <time.h>
#include <unistd.h>

#include "best_known.hpp"
#include "problems.hpp"
#include "registry.hpp"

namespace bq {
namespace {

// ---- the problems ---------------------------------------------------------------

const std::vector<Problem>& problems() {
  static const std::vector<Problem> p = {
      {"sphere", "Sphere", "[-100, 100]^D", Kind::Function, 0, 1e-6, 0, 0, 0, box_100, sphere, nullptr,
       "f <= 1e-6"},
      {"ellipsoid", "Ellipsoid (condition 1e6)", "[-100, 100]^D", Kind::Function, 0, 1e-6, 0, 0, 0, box_100,
       ellipsoid, nullptr, "f <= 1e-6"},
      {"rosenbrock", "Rosenbrock", "[-30, 30]^D", Kind::Function, 0, 1e-2, 0, 0, 0, box_30, rosenbrock, nullptr,
       "f <= 1e-2 (the valley's end; the local minimum near (-1, 1, ..., 1) is ~3.99 from D = 4)"},
      {"rastrigin", "Rastrigin", "[-5.12, 5.12]^D", Kind::Function, 0, 1e-2, 0, 0, 0, box_5_12, rastrigin,
       nullptr, "f <= 1e-2 (every other local minimum is >= 0.99)"},
      {"ackley", "Ackley", "[-32.768, 32.768]^D", Kind::Function, 0, 1e-3, 0, 0, 0, box_32_768, ackley, nullptr,
       "f <= 1e-3"},
      {"griewank", "Griewank", "[-600, 600]^D", Kind::Function, 0, 1e-3, 0, 0, 0, box_600, griewank, nullptr,
       "f <= 1e-3 (below the local minima near 0.0074)"},
      {"schwefel", "Schwefel 2.26", "[-500, 500]^D", Kind::Function, 0, 1e-2, 0, 0, 0, box_500, schwefel, nullptr,
       "f <= 1e-2 (every other local minimum is >= 118)"},
      {"step", "Step (plateaus)", "[-100, 100]^D", Kind::Function, 0, 0, 0, 0, 0, box_100, step, nullptr,
       "f = 0 (the plateau [-0.5, 0.5)^D)"},
      {"noisy-sphere", "Noisy sphere (additive N(0, 1))", "[-100, 100]^D", Kind::Function, 0, 1, 0, 0, 0,
       box_100, noisy_sphere, sphere_value, "noise-free value of the incumbent <= 1 (the noise's sigma)"},
      {"pid-lag3", "PID on 1/(s+1)^3, u in [-4, 4]", "Kp [0, 10], Ki [0, 5], Kd [0, 10]", Kind::Task, 3, 0,
       kBestPidLag3, 20, 3000, box_pid_lag3, pid_lag3, nullptr, "ITAE cost within 2 % of the best known"},
      {"pid-sopdt", "PID on 4 e^(-0.3 s)/(s^2 + 1.6 s + 4), u in [-3, 3]", "Kp [0, 5], Ki [0, 5], Kd [0, 2]",
       Kind::Task, 3, 0, kBestPidSopdt, 20, 3000, box_pid_sopdt, pid_sopdt, nullptr,
       "ITAE cost within 2 % of the best known"},
      {"pid-integrator", "PID on e^(-0.2 s)/(s (0.5 s + 1)), load step at 10 s, u in [-1, 1]",
       "Kp [0, 10], Ki [0, 10], Kd [0, 5]", Kind::Task, 3,
       0, kBestPidIntegrator, 20, 3000, box_pid_integrator, pid_integrator, nullptr,
       "ITAE cost within 2 % of the best known"},
      {"branin", "Branin, cost = simple regret", "x1 [-5, 10], x2 [0, 15]", Kind::Task, 2, 1e-3, 0, 10, 100,
       box_branin, branin_regret, nullptr, "simple regret <= 1e-3 (f* = 0.397887)"},
      {"hartmann3", "Hartmann-3, cost = simple regret", "[0, 1]^3", Kind::Task, 3, 1e-3, 0, 10, 100, box_unit,
       hartmann3_regret, nullptr, "simple regret <= 1e-3 (f* = -3.86278)"},
      {"hartmann6", "Hartmann-6, cost = simple regret", "[0, 1]^6", Kind::Task, 6, 1e-3, 0, 10, 100, box_unit,
       hartmann6_regret, nullptr, "simple regret <= 1e-3 (f* = -3.32237)"},
      {"mlp-xor", "2-8-1 tanh network on 96 XOR points, cost = errors", "[-5, 5]^33", Kind::Task, kNetDims, 0.5,
       0, 60, 12000, box_net, net_errors, nullptr, "100 % accuracy (0 errors)"},
      {"ode-amplitude", "Duffing damping fit to a target amplitude", "c [0.02, 1]", Kind::Task, 1, 1e-3, 0, 10, 90,
       box_ode, ode_fit, nullptr, "amplitude within 0.1 % of the target"},
  };
  return p;
}

// ---- small helpers -----------------------------------------------------------------

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string fmt_value(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return "0";
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

std::string fmt_count(long v) {
  if (v < 0) return "never";
  std::string s = std::to_string(v), out;
  int n = 0;
  for (size_t i = s.size(); i-- > 0;) {
    out.insert(out.begin(), s[i]);
    if (++n % 3 == 0 && i > 0) out.insert(out.begin(), ',');
  }
  return out;
}

std::string fmt_ratio(double ours, double peer) {
  if (std::isnan(ours) || std::isnan(peer)) return "-";
  if (ours == peer) return "1";
  if (peer == 0) return "inf";
  const double r = ours / peer;
  char b[32];
  std::snprintf(b, sizeof b, r >= 0.01 && r < 1000 ? "%.2f" : "%.1e", r);
  return b;
}

/// Quantile of sorted values by linear interpolation between order
/// statistics at (n - 1) q (R's type 7).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::nan("");
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  if (i + 1 >= sorted.size()) return sorted.back();
  const double a = sorted[i], b = sorted[i + 1];
  if (std::isinf(a) || std::isinf(b)) return pos - static_cast<double>(i) < 0.5 ? a : b;
  return a + (b - a) * (pos - static_cast<double>(i));
}

/// CPU seconds of the calling thread (what a run cost, whatever else the
/// machine was doing) and of the whole process.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const size_t c = line.find(':');
      if (c != std::string::npos) return line.substr(c + 2);
    }
  return "unknown CPU";
}

// ---- options ----------------------------------------------------------------------

struct Options {
  std::set<std::string> problems, optimizers;  // empty = all
  std::vector<int> dims = {2, 10, 30};
  std::vector<long> budgets = {100, 1000, 10000, 40000};
  int seed_first = 1, seed_last = 25;            // functions
  int task_seed_first = 1, task_seed_last = 25;  // tasks
  long task_budget_cap = 0;                      // 0 = each task's own budget
  unsigned threads = 0;
  std::string csv = "bench_quality.csv", trace_csv = "bench_quality_trace.csv";
  std::vector<std::string> traces = {"rastrigin:30:40000", "pid-lag3"};
  bool list = false, find_best = false, details = true;
  std::string from_csv;  // tabulate a previous run's CSV instead of running
  std::map<std::string, long> task_budgets;  // --from-csv: each task's budget in the file
  std::string mode = "full";
};

void usage() {
  std::printf(
      "usage: bench_quality [options]\n"
      "  --quick               D 2,10; budgets 100,1000; 5 seeds; tasks 3 seeds (about a minute)\n"
      "  --smoke               D 2; budget 100; 2 seeds; tasks capped at 200 evaluations, 1 seed (seconds; CI)\n"
      "  --functions LIST      problems to run, by name (see --list), or the groups 'functions', 'tasks'\n"
      "  --optimizers LIST     optimizers by name, or the families 'starling', 'pagmo2', 'nlopt'\n"
      "  --dims LIST           D of the scalable functions (default 2,10,30)\n"
      "  --budgets LIST        evaluations per run for the functions (default 100,1000,10000,40000)\n"
      "  --seeds N|A-B         seeds of the functions (default 1-25)\n"
      "  --task-seeds N|A-B    seeds of the tasks (default 1-25)\n"
      "  --task-budget N       cap every task's budget at N evaluations\n"
      "  --threads N           worker threads (default: hardware threads)\n"
      "  --csv PATH            per-run CSV (default bench_quality.csv; '' = none)\n"
      "  --trace-csv PATH      convergence traces (default bench_quality_trace.csv; '' = none)\n"
      "  --trace CELL          trace a cell: FUNCTION:D:BUDGET or TASK; repeatable; 'none' clears\n"
      "                        (default rastrigin:30:40000 and pid-lag3)\n"
      "  --summary             only the summary and ratio tables, not every cell\n"
      "  --list                list the problems and the optimizers, then exit\n"
      "  --from-csv PATH       print the tables of a previous run's CSV (filters apply; no traces)\n"
      "  --find-best           search the tasks' best known costs (long; prints what best_known.hpp holds)\n");
}

bool parse_seeds(const std::string& s, int* a, int* b) {
  const size_t dash = s.find('-');
  if (dash == std::string::npos) {
    *a = 1;
    *b = std::atoi(s.c_str());
  } else {
    *a = std::atoi(s.substr(0, dash).c_str());
    *b = std::atoi(s.substr(dash + 1).c_str());
  }
  return *a >= 1 && *b >= *a;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](std::string* v) {
      if (i + 1 >= argc) return false;
      *v = argv[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      usage();
      std::exit(0);
    } else if (a == "--quick") {
      o.mode = "quick";
      o.dims = {2, 10};
      o.budgets = {100, 1000};
      o.seed_last = 5;
      o.task_seed_last = 3;
      o.traces = {"rastrigin:10:1000", "pid-lag3"};
    } else if (a == "--smoke") {
      o.mode = "smoke";
      o.dims = {2};
      o.budgets = {100};
      o.seed_last = 2;
      o.task_seed_last = 1;
      o.task_budget_cap = 200;
      o.traces = {"rastrigin:2:100", "pid-lag3"};
    } else if (a == "--functions" || a == "--problems") {
      if (!next(&v)) return false;
      for (auto& s : split(v, ',')) o.problems.insert(s);
    } else if (a == "--optimizers") {
      if (!next(&v)) return false;
      for (auto& s : split(v, ',')) o.optimizers.insert(s);
    } else if (a == "--dims") {
      if (!next(&v)) return false;
      o.dims.clear();
      for (auto& s : split(v, ',')) o.dims.push_back(std::atoi(s.c_str()));
    } else if (a == "--budgets") {
      if (!next(&v)) return false;
      o.budgets.clear();
      for (auto& s : split(v, ',')) o.budgets.push_back(std::atol(s.c_str()));
    } else if (a == "--seeds") {
      if (!next(&v) || !parse_seeds(v, &o.seed_first, &o.seed_last)) return false;
    } else if (a == "--task-seeds") {
      if (!next(&v) || !parse_seeds(v, &o.task_seed_first, &o.task_seed_last)) return false;
    } else if (a == "--task-budget") {
      if (!next(&v)) return false;
      o.task_budget_cap = std::atol(v.c_str());
    } else if (a == "--threads") {
      if (!next(&v)) return false;
      o.threads = static_cast<unsigned>(std::atoi(v.c_str()));
    } else if (a == "--csv") {
      if (!next(&o.csv)) return false;
    } else if (a == "--trace-csv") {
      if (!next(&o.trace_csv)) return false;
    } else if (a == "--trace") {
      if (!next(&v)) return false;
      if (v == "none")
        o.traces.clear();
      else
        o.traces.push_back(v);
    } else if (a == "--summary") {
      o.details = false;
    } else if (a == "--list") {
      o.list = true;
    } else if (a == "--from-csv") {
      if (!next(&o.from_csv)) return false;
    } else if (a == "--find-best") {
      o.find_best = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return false;
    }
  }
  for (int d : o.dims)
    if (d < 1 || d > kMaxDims) return false;
  for (long b : o.budgets)
    if (b < 1) return false;
  return true;
}

// ---- jobs ----------------------------------------------------------------------------

struct Job {
  size_t problem, entry;
  int dims;
  long budget;
  int population;
  uint64_t seed;
  bool traced;
  // results
  double best = std::nan("");
  long hit = -1, evaluations = 0, outside = 0;
  double violation = 0;
  double seconds = 0;  // CPU time of the run (objective included)
  std::vector<double> trace;
  std::string error;
  std::vector<double> best_x;  // --find-best only
};

Job make_job(size_t problem, size_t entry, int dims, long budget, int population, int seed, bool traced) {
  Job j;
  j.problem = problem;
  j.entry = entry;
  j.dims = dims;
  j.budget = budget;
  j.population = population;
  j.seed = static_cast<uint64_t>(seed);
  j.traced = traced;
  return j;
}

long task_budget(const Options& o, const Problem& p) {
  const auto it = o.task_budgets.find(p.name);
  if (it != o.task_budgets.end()) return it->second;
  return o.task_budget_cap > 0 && o.task_budget_cap < p.task_budget ? o.task_budget_cap : p.task_budget;
}

/// Trace grid: about 20 points per decade from 1 to the budget, and the budget.
std::vector<long> trace_grid(long budget) {
  std::vector<long> g;
  for (double e = 0;; e += 0.05) {
    const long v = static_cast<long>(std::llround(std::pow(10.0, e)));
    if (v >= budget) break;
    if (g.empty() || v > g.back()) g.push_back(v);
  }
  g.push_back(budget);
  return g;
}

bool is_traced(const Options& o, const Problem& p, int dims, long budget) {
  for (const auto& t : o.traces) {
    const auto f = split(t, ':');
    if (f.empty() || f[0] != p.name) continue;
    if (p.kind == Kind::Task) return true;
    if (f.size() == 3 && std::atoi(f[1].c_str()) == dims && std::atol(f[2].c_str()) == budget) return true;
  }
  return false;
}

/// An empty filter takes everything; else a name, or a group ("functions",
/// "tasks", a family; "pagmo" names the family "pagmo2").
bool selected(const std::set<std::string>& filter, const std::string& name, const std::string& group) {
  return filter.empty() || filter.count(name) > 0 || filter.count(group) > 0 ||
         (group == "pagmo2" && filter.count("pagmo") > 0);
}

// Compass search from x (step 1 % of each range, halved when no coordinate
// move improves, down to 1e-7 of the range): the polish of --find-best.
double polish(Objective& f, std::vector<double>& x, double fx) {
  const int n = f.dims();
  std::vector<double> step(static_cast<size_t>(n));
  for (int d = 0; d < n; ++d) step[static_cast<size_t>(d)] = 0.01 * (f.hi()[d] - f.lo()[d]);
  for (;;) {
    bool improved = false;
    for (int d = 0; d < n && !f.exhausted(); ++d)
      for (double sgn : {1.0, -1.0}) {
        const size_t k = static_cast<size_t>(d);
        std::vector<double> y = x;
        y[k] = std::min(f.hi()[d], std::max(f.lo()[d], x[k] + sgn * step[k]));
        const double fy = f(y.data());
        if (fy < fx) {
          fx = fy;
          x = y;
          improved = true;
          break;
        }
      }
    if (f.exhausted()) break;
    if (!improved) {
      bool small = true;
      for (int d = 0; d < n; ++d) {
        step[static_cast<size_t>(d)] *= 0.5;
        if (step[static_cast<size_t>(d)] > 1e-7 * (f.hi()[d] - f.lo()[d])) small = false;
      }
      if (small) break;
    }
  }
  return fx;
}

void run_jobs(std::vector<Job>& jobs, const std::vector<Entry>& entries, unsigned threads, bool keep_x) {
  // Longest first, so that the last runs to finish are short ones.
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto weight = [&](const Job& j) {
    const Problem& p = problems()[j.problem];
    double w = static_cast<double>(j.budget) * (j.dims + 10);
    if (p.kind == Kind::Task) w *= p.fixed_dims > 3 ? 20 : 200;  // episodes cost more than a formula
    if (entries[j.entry].family != "starling") w *= 3;
    return w;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return weight(jobs[a]) > weight(jobs[b]); });
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex print_mutex;
  const bool progress = isatty(STDERR_FILENO) != 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto worker = [&]() {
    for (;;) {
      const size_t k = next.fetch_add(1);
      if (k >= order.size()) return;
      Job& j = jobs[order[k]];
      const Problem& p = problems()[j.problem];
      const std::vector<long> grid = j.traced ? trace_grid(j.budget) : std::vector<long>{};
      RunSpec spec{&p, j.dims, j.budget, j.population, j.seed};
      Objective f(spec, success_threshold(p), j.traced ? &grid : nullptr, keep_x);
      const double c0 = thread_cpu_seconds();
      entries[j.entry].run(f);
      j.seconds = thread_cpu_seconds() - c0;
      j.best = f.best();
      j.hit = f.hit();
      j.evaluations = f.evaluations();
      j.outside = f.outside();
      j.violation = f.max_violation();
      j.error = f.error();
      if (j.traced) {
        j.trace = f.trace();
        while (j.trace.size() < grid.size()) j.trace.push_back(f.best());  // stopped early: best stays
      }
      if (keep_x) j.best_x = f.best_x();
      const size_t n = ++done;
      if (progress && (n % 200 == 0 || n == order.size())) {
        std::lock_guard<std::mutex> lock(print_mutex);
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "\r%zu / %zu runs, %.0f s", n, order.size(), t);
        if (n == order.size()) std::fprintf(stderr, "\n");
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
}

/// Jobs from a CSV written by this tool (--from-csv). Optimizers it does not
/// know (a peer missing on this machine) get a stub entry, so that their
/// rows are tabulated too. Returns false on a malformed file.
bool load_csv(const std::string& path, std::vector<Entry>& entries, std::vector<Job>& jobs) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  if (!std::getline(in, line) || line.rfind("problem,kind,D,budget,population,optimizer,family,seed,", 0) != 0)
    return false;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cur;
    for (char ch : line) {
      if (ch == ',') {
        f.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    f.push_back(cur);
    if (f.size() < 12) return false;
    size_t p = SIZE_MAX, e = SIZE_MAX;
    for (size_t k = 0; k < problems().size(); ++k)
      if (f[0] == problems()[k].name) p = k;
    if (p == SIZE_MAX) return false;
    for (size_t k = 0; k < entries.size(); ++k)
      if (f[5] == entries[k].name) e = k;
    if (e == SIZE_MAX) {
      Entry stub;
      stub.name = f[5];
      stub.family = f[6];
      stub.note = "(from the CSV)";
      stub.population = own_population;
      entries.push_back(stub);
      e = entries.size() - 1;
    }
    Job j = make_job(p, e, std::atoi(f[2].c_str()), std::atol(f[3].c_str()), std::atoi(f[4].c_str()),
                     std::atoi(f[7].c_str()), false);
    j.best = std::strtod(f[8].c_str(), nullptr);
    j.hit = std::atol(f[9].c_str());
    j.evaluations = std::atol(f[10].c_str());
    j.seconds = std::strtod(f[11].c_str(), nullptr);
    if (f.size() > 12 && !f[12].empty()) j.error = f[12];
    jobs.push_back(j);
  }
  return true;
}

// ---- aggregation ------------------------------------------------------------------

struct Cell {
  std::vector<double> finals;  // sorted
  std::vector<double> hits;    // evaluations to target, never = +inf, sorted
  int success = 0, runs = 0, errors = 0;
  long outside = 0;
  double violation = 0;
  double median() const { return quantile(finals, 0.5); }
};

using CellKey = std::tuple<size_t, int, long, size_t>;  // problem, D, budget, entry

std::map<CellKey, Cell> aggregate(const std::vector<Job>& jobs) {
  std::map<CellKey, Cell> cells;
  for (const Job& j : jobs) {
    Cell& c = cells[CellKey{j.problem, j.dims, j.budget, j.entry}];
    ++c.runs;
    if (!j.error.empty()) ++c.errors;
    c.finals.push_back(j.best);
    c.hits.push_back(j.hit < 0 ? std::numeric_limits<double>::infinity() : static_cast<double>(j.hit));
    if (j.hit >= 0) ++c.success;
    c.outside += j.outside;
    c.violation = std::max(c.violation, j.violation);
  }
  for (auto& kv : cells) {
    std::sort(kv.second.finals.begin(), kv.second.finals.end(), [](double a, double b) {
      return (std::isnan(a) ? std::numeric_limits<double>::infinity() : a) <
             (std::isnan(b) ? std::numeric_limits<double>::infinity() : b);
    });
    std::sort(kv.second.hits.begin(), kv.second.hits.end());
  }
  return cells;
}

std::string fmt_evals(double v) { return std::isinf(v) ? "never" : fmt_count(static_cast<long>(v)); }

// ---- the report -----------------------------------------------------------------------

struct Report {
  const Options& o;
  const std::vector<Entry>& entries;
  const std::vector<size_t>& used;  // entries that ran, in registry order
  const std::map<CellKey, Cell>& cells;

  const Cell* cell(size_t p, int d, long b, size_t e) const {
    auto it = cells.find(CellKey{p, d, b, e});
    return it == cells.end() ? nullptr : &it->second;
  }
  long task_budget(const Problem& p) const { return bq::task_budget(o, p); }
  size_t find(const std::string& name) const {
    for (size_t e : used)
      if (entries[e].name == name) return e;
    return SIZE_MAX;
  }

  void function_details(size_t pi, const std::vector<int>& dims, const std::vector<long>& budgets) const {
    const Problem& p = problems()[pi];
    std::printf("### %s, box %s, success: %s\n\n", p.title, p.box, p.target_text);
    for (int d : dims) {
      std::printf("D = %d: median [first quartile, third quartile] worst of the final best; runs that succeeded\n\n",
                  d);
      std::printf("| optimizer |");
      for (long b : budgets) std::printf(" %s |", fmt_count(b).c_str());
      std::printf("\n|---|");
      for (size_t i = 0; i < budgets.size(); ++i) std::printf("--:|");
      std::printf("\n");
      for (size_t e : used) {
        std::printf("| %s |", entries[e].name.c_str());
        for (long b : budgets) {
          const Cell* c = cell(pi, d, b, e);
          if (c == nullptr) {
            std::printf(" |");
            continue;
          }
          std::printf(" %s [%s, %s] %s; %d/%d%s |", fmt_value(c->median()).c_str(),
                      fmt_value(quantile(c->finals, 0.25)).c_str(), fmt_value(quantile(c->finals, 0.75)).c_str(),
                      fmt_value(c->finals.back()).c_str(), c->success, c->runs, c->errors > 0 ? " (errors)" : "");
        }
        std::printf("\n");
      }
      std::printf("\n");
    }
  }

  void function_summary(const std::vector<size_t>& fns, int d, long b) const {
    std::printf("### D = %d, %s evaluations: median final best (success rate)\n\n", d, fmt_count(b).c_str());
    std::printf("| function |");
    for (size_t e : used) std::printf(" %s |", entries[e].name.c_str());
    std::printf("\n|---|");
    for (size_t i = 0; i < used.size(); ++i) std::printf("--:|");
    std::printf("\n");
    for (size_t pi : fns) {
      std::printf("| %s |", problems()[pi].name);
      for (size_t e : used) {
        const Cell* c = cell(pi, d, b, e);
        if (c == nullptr)
          std::printf(" |");
        else
          std::printf(" %s (%d/%d) |", fmt_value(c->median()).c_str(), c->success, c->runs);
      }
      std::printf("\n");
    }
    std::printf("\n");
    // Ratios ours/peer: the default swarm against every peer, then every
    // starling entry against pagmo's default pso.
    std::vector<size_t> peers, ours;
    for (size_t e : used) (entries[e].family == "starling" ? ours : peers).push_back(e);
    const size_t base = find("pso");
    if (!peers.empty() && base != SIZE_MAX) {
      std::printf("Ratios of medians, `pso` / peer (< 1: `pso` is better):\n\n| function |");
      for (size_t e : peers) std::printf(" pso / %s |", entries[e].name.c_str());
      std::printf("\n|---|");
      for (size_t i = 0; i < peers.size(); ++i) std::printf("--:|");
      std::printf("\n");
      for (size_t pi : fns) {
        const Cell* a = cell(pi, d, b, base);
        std::printf("| %s |", problems()[pi].name);
        for (size_t e : peers) {
          const Cell* c = cell(pi, d, b, e);
          std::printf(" %s |", a && c ? fmt_ratio(a->median(), c->median()).c_str() : "");
        }
        std::printf("\n");
      }
      std::printf("\n");
    }
    const size_t ppso = find("pagmo-pso");
    if (ppso != SIZE_MAX && ours.size() > 0) {
      std::printf("Ratios of medians, starling / `pagmo-pso` (< 1: starling is better):\n\n| function |");
      for (size_t e : ours) std::printf(" %s |", entries[e].name.c_str());
      std::printf("\n|---|");
      for (size_t i = 0; i < ours.size(); ++i) std::printf("--:|");
      std::printf("\n");
      for (size_t pi : fns) {
        const Cell* c = cell(pi, d, b, ppso);
        std::printf("| %s |", problems()[pi].name);
        for (size_t e : ours) {
          const Cell* a = cell(pi, d, b, e);
          std::printf(" %s |", a && c ? fmt_ratio(a->median(), c->median()).c_str() : "");
        }
        std::printf("\n");
      }
      std::printf("\n");
    }
  }

  void task_details(size_t pi) const {
    const Problem& p = problems()[pi];
    const long b = task_budget(p);
    std::printf("### %s\n\nD = %d, box %s, budget %s evaluations, population %d (population methods); "
                "target: %s",
                p.title, p.fixed_dims, p.box, fmt_count(b).c_str(), p.task_population, p.target_text);
    if (p.best_known > 0) std::printf(" (%s, so cost <= %s)", fmt_value(p.best_known).c_str(),
                                      fmt_value(success_threshold(p)).c_str());
    std::printf("\n\n| optimizer | evaluations to target: median | worst | never | final cost: median "
                "[quartiles] | best |\n|---|--:|--:|--:|--:|--:|\n");
    for (size_t e : used) {
      const Cell* c = cell(pi, p.fixed_dims, b, e);
      if (c == nullptr) continue;
      std::printf("| %s | %s | %s | %d/%d | %s [%s, %s] | %s |%s\n", entries[e].name.c_str(),
                  fmt_evals(quantile(c->hits, 0.5)).c_str(), fmt_evals(c->hits.back()).c_str(),
                  c->runs - c->success, c->runs, fmt_value(c->median()).c_str(),
                  fmt_value(quantile(c->finals, 0.25)).c_str(), fmt_value(quantile(c->finals, 0.75)).c_str(),
                  fmt_value(c->finals.front()).c_str(), c->errors > 0 ? " (errors)" : "");
    }
    std::printf("\n");
  }

  void task_summary(const std::vector<size_t>& tasks) const {
    std::printf("### Tasks: evaluations to target, median (worst, or how many runs never got there)\n\n"
                "| task | budget |");
    for (size_t e : used) std::printf(" %s |", entries[e].name.c_str());
    std::printf("\n|---|--:|");
    for (size_t i = 0; i < used.size(); ++i) std::printf("--:|");
    std::printf("\n");
    for (size_t pi : tasks) {
      const Problem& p = problems()[pi];
      std::printf("| %s | %s |", p.name, fmt_count(task_budget(p)).c_str());
      for (size_t e : used) {
        const Cell* c = cell(pi, p.fixed_dims, task_budget(p), e);
        if (c == nullptr) {
          std::printf(" |");
          continue;
        }
        const int never = c->runs - c->success;
        const double med = quantile(c->hits, 0.5);
        if (std::isinf(med))
          std::printf(" never (%d/%d) |", never, c->runs);
        else if (never > 0)
          std::printf(" %s (never %d/%d) |", fmt_evals(med).c_str(), never, c->runs);
        else
          std::printf(" %s (%s) |", fmt_evals(med).c_str(), fmt_evals(c->hits.back()).c_str());
      }
      std::printf("\n");
    }
    std::printf("\n");
    const size_t base = find("pso");
    std::vector<size_t> peers;
    for (size_t e : used)
      if (entries[e].family != "starling") peers.push_back(e);
    if (base == SIZE_MAX || peers.empty()) return;
    std::printf("Ratios of median evaluations to target, `pso` / peer (< 1: `pso` is faster; - where a "
                "median is never):\n\n| task |");
    for (size_t e : peers) std::printf(" pso / %s |", entries[e].name.c_str());
    std::printf("\n|---|");
    for (size_t i = 0; i < peers.size(); ++i) std::printf("--:|");
    std::printf("\n");
    for (size_t pi : tasks) {
      const Problem& p = problems()[pi];
      const Cell* a = cell(pi, p.fixed_dims, task_budget(p), base);
      std::printf("| %s |", p.name);
      for (size_t e : peers) {
        const Cell* c = cell(pi, p.fixed_dims, task_budget(p), e);
        const double x = a ? quantile(a->hits, 0.5) : std::nan(""), y = c ? quantile(c->hits, 0.5) : std::nan("");
        std::printf(" %s |", std::isinf(x) || std::isinf(y) ? "-" : fmt_ratio(x, y).c_str());
      }
      std::printf("\n");
    }
    std::printf("\n");
  }
};

/// Known values of the problems, checked before every run (microseconds): the
/// optima of the functions, the noise's determinism, the tasks' data, and
/// that the committed best known PID points still cost what best_known.hpp
/// says (a changed plant or pid_sim.hpp would make every "within 2 %" wrong).
int self_check() {
  int bad = 0;
  auto expect = [&](const char* what, double got, double want, double tol) {
    if (!(std::fabs(got - want) <= tol)) {
      std::printf("self-check failed: %s = %.9g, expected %.9g (tolerance %g)\n", what, got, want, tol);
      ++bad;
    }
  };
  const EvalCtx c{1, 1};
  for (int n : {2, 10, 30}) {
    std::vector<double> zero(static_cast<size_t>(n), 0.0), one(static_cast<size_t>(n), 1.0),
        sw(static_cast<size_t>(n), 420.968746359982);
    expect("sphere(0)", sphere(zero.data(), n, c), 0, 0);
    expect("ellipsoid(0)", ellipsoid(zero.data(), n, c), 0, 0);
    expect("ellipsoid(1)", ellipsoid(one.data(), n, c),
           [n] { double s = 0; for (int i = 0; i < n; ++i) s += std::pow(10.0, 6.0 * i / (n - 1)); return s; }(), 1e-6);
    expect("rosenbrock(1)", rosenbrock(one.data(), n, c), 0, 0);
    expect("rastrigin(0)", rastrigin(zero.data(), n, c), 0, 0);
    expect("rastrigin(1)", rastrigin(one.data(), n, c), n, 1e-9);
    expect("ackley(0)", ackley(zero.data(), n, c), 0, 1e-12);
    expect("griewank(0)", griewank(zero.data(), n, c), 0, 0);
    expect("schwefel(420.97)", schwefel(sw.data(), n, c), 0, 1e-9 * n);
    expect("step(0.49)", step(std::vector<double>(static_cast<size_t>(n), 0.49).data(), n, c), 0, 0);
    expect("step(0.5)", step(std::vector<double>(static_cast<size_t>(n), 0.5).data(), n, c), n, 0);
  }
  expect("noise determinism", noise_normal(7, 12345), noise_normal(7, 12345), 0);
  double mean = 0, var = 0;
  for (long e = 1; e <= 20000; ++e) {
    const double z = noise_normal(3, e);
    mean += z / 20000;
    var += z * z / 20000;
  }
  expect("noise mean", mean, 0, 0.03);
  expect("noise variance", var, 1, 0.05);
  int ones = 0, wrong = 0;
  for (int k = 0; k < kNetPoints; ++k) {
    const float* x = net_data().x[k];
    ones += net_data().y[k];
    if (std::fabs(x[0]) < 1.5f / 127 || std::fabs(x[1]) < 1.5f / 127 || (x[0] * x[1] > 0) != (net_data().y[k] == 1))
      ++wrong;
  }
  expect("xor points off the axes and labelled by sign", wrong, 0, 0);
  expect("xor classes balanced within 30 %", std::fabs(ones - kNetPoints / 2.0), 0, 0.3 * kNetPoints / 2);
  expect("pid-lag3 at its best known point", pid_lag3(kBestPidLag3X, 3, c), kBestPidLag3, 1e-6 * kBestPidLag3);
  expect("pid-sopdt at its best known point", pid_sopdt(kBestPidSopdtX, 3, c), kBestPidSopdt, 1e-6 * kBestPidSopdt);
  expect("pid-integrator at its best known point", pid_integrator(kBestPidIntegratorX, 3, c), kBestPidIntegrator,
         1e-6 * kBestPidIntegrator);
  const double c_star = 0.25;
  expect("ode-amplitude at c = 0.25", ode_fit(&c_star, 1, c), 0, 0);
  return bad;
}

void list(const std::vector<Entry>& entries) {
  std::printf("| problem | D | box | success | budget (tasks) |\n|---|---|---|---|---|\n");
  for (const Problem& p : problems()) {
    std::printf("| %s: %s | %s | %s | %s | %s |\n", p.name, p.title,
                p.kind == Kind::Task ? std::to_string(p.fixed_dims).c_str() : "2, 10, 30", p.box, p.target_text,
                p.kind == Kind::Task ? (fmt_count(p.task_budget) + ", population " + std::to_string(p.task_population)).c_str()
                                     : "");
  }
  std::printf("\n| optimizer | family | population at D = 2 / 10 / 30 | configuration |\n|---|---|---|---|\n");
  for (const Entry& e : entries) {
    auto pop = [&](int d) {
      const int n = e.population(d, 0);
      return n > 0 ? std::to_string(n) : std::string("own");
    };
    std::printf("| %s | %s | %s / %s / %s | %s |\n", e.name.c_str(), e.family.c_str(), pop(2).c_str(),
                pop(10).c_str(), pop(30).c_str(), e.note.c_str());
  }
}

}  // namespace
}  // namespace bq

int main(int argc, char** argv) {
  using namespace bq;
  Options o;
  if (!parse(argc, argv, o)) {
    usage();
    return 2;
  }
  std::vector<Entry> entries = starling_entries();
  for (auto& e : pagmo_entries()) entries.push_back(std::move(e));
  for (auto& e : nlopt_entries()) entries.push_back(std::move(e));
  if (o.list) {
    list(entries);
    return 0;
  }
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  if (self_check() != 0) return 1;

  std::vector<Job> jobs;
  if (!o.from_csv.empty() && !load_csv(o.from_csv, entries, jobs)) {
    std::fprintf(stderr, "cannot read %s as a bench_quality CSV\n", o.from_csv.c_str());
    return 2;
  }
  std::vector<size_t> used;
  for (size_t e = 0; e < entries.size(); ++e)
    if (selected(o.optimizers, entries[e].name, entries[e].family)) used.push_back(e);
  std::vector<size_t> fns, tasks;
  for (size_t p = 0; p < problems().size(); ++p) {
    const Problem& pr = problems()[p];
    const bool fn = pr.kind == Kind::Function;
    if (selected(o.problems, pr.name, fn ? "functions" : "tasks")) (fn ? fns : tasks).push_back(p);
  }
  if (used.empty() || (fns.empty() && tasks.empty())) {
    std::fprintf(stderr, "nothing selected (see --list)\n");
    return 2;
  }

  std::printf("# bench_quality\n\n");
  std::printf("command:");
  for (int i = 0; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\nmachine: %s, %u worker threads; %s; %s\n\n", cpu_model().c_str(), o.threads,
              pagmo_status().c_str(), nlopt_status().c_str());

  if (o.find_best) {
    // Every entry at 10x the task's budget, seeds 1..10, then a compass-search
    // polish of the best point found.
    for (size_t p : tasks)
      for (size_t e : used)
        for (int s = 1; s <= 10; ++s) {
          const Problem& pr = problems()[p];
          jobs.push_back(make_job(p, e, pr.fixed_dims, 10 * pr.task_budget,
                                  entries[e].population(pr.fixed_dims, pr.task_population), s, false));
        }
    run_jobs(jobs, entries, o.threads, true);
    for (size_t p : tasks) {
      const Problem& pr = problems()[p];
      const Job* best = nullptr;
      for (const Job& j : jobs)
        if (j.problem == p && !j.best_x.empty() && (best == nullptr || j.best < best->best)) best = &j;
      if (best == nullptr) continue;
      RunSpec spec{&pr, pr.fixed_dims, 200000, 0, 1};
      Objective f(spec, 0, nullptr, false);
      std::vector<double> x = best->best_x;
      const double polished = polish(f, x, best->best);
      std::printf("%s: best %.9g by %s seed %" PRIu64 " (budget %ld); polished by compass search: %.9g at", pr.name,
                  best->best, entries[best->entry].name.c_str(), best->seed, best->budget, polished);
      for (double v : x) std::printf(" %.9g", v);
      std::printf("\n");
    }
    return 0;
  }

  if (!o.from_csv.empty()) {
    // Keep the rows the filters select; the grid is what the file holds.
    std::vector<Job> kept;
    std::set<int> dims;
    std::set<long> budgets;
    for (const Job& j : jobs) {
      const bool fn = problems()[j.problem].kind == Kind::Function;
      if (std::find(used.begin(), used.end(), j.entry) == used.end()) continue;
      if (std::find(fn ? fns.begin() : tasks.begin(), fn ? fns.end() : tasks.end(), j.problem) ==
          (fn ? fns.end() : tasks.end()))
        continue;
      if (fn) {
        dims.insert(j.dims);
        budgets.insert(j.budget);
      } else {
        o.task_budgets[problems()[j.problem].name] = j.budget;
      }
      kept.push_back(j);
    }
    jobs.swap(kept);
    std::vector<size_t> present;
    for (size_t e : used)
      for (const Job& j : jobs)
        if (j.entry == e) {
          present.push_back(e);
          break;
        }
    used.swap(present);
    o.dims.assign(dims.begin(), dims.end());
    o.budgets.assign(budgets.begin(), budgets.end());
    o.csv.clear();
    o.trace_csv.clear();
    std::printf("tables of %s (%zu runs)\n\n", o.from_csv.c_str(), jobs.size());
  }
  double wall = 0, cpu_total = 0;
  if (o.from_csv.empty()) {
    for (size_t p : fns)
      for (int d : o.dims)
        for (long b : o.budgets)
          for (size_t e : used)
            for (int s = o.seed_first; s <= o.seed_last; ++s) {
              jobs.push_back(make_job(p, e, d, b, entries[e].population(d, 0), s, is_traced(o, problems()[p], d, b)));
            }
    for (size_t p : tasks) {
      const Problem& pr = problems()[p];
      for (size_t e : used)
        for (int s = o.task_seed_first; s <= o.task_seed_last; ++s)
          jobs.push_back(make_job(p, e, pr.fixed_dims, task_budget(o, pr),
                                  entries[e].population(pr.fixed_dims, pr.task_population), s,
                                  is_traced(o, pr, pr.fixed_dims, 0)));
    }
    std::printf("%zu runs: functions %zu x D {", jobs.size(), fns.size());
    for (size_t i = 0; i < o.dims.size(); ++i) std::printf("%s%d", i ? ", " : "", o.dims[i]);
    std::printf("} x budgets {");
    for (size_t i = 0; i < o.budgets.size(); ++i) std::printf("%s%s", i ? ", " : "", fmt_count(o.budgets[i]).c_str());
    std::printf("} x seeds %d-%d; tasks %zu x seeds %d-%d; %zu optimizers\n\n", o.seed_first, o.seed_last,
                tasks.size(), o.task_seed_first, o.task_seed_last, used.size());
    std::fflush(stdout);

    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    run_jobs(jobs, entries, o.threads, false);
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu_total = process_cpu_seconds() - cpu0;
  }

  const auto cells = aggregate(jobs);
  Report r{o, entries, used, cells};
  std::vector<long> sorted_budgets = o.budgets;
  std::sort(sorted_budgets.begin(), sorted_budgets.end());
  std::vector<int> sorted_dims = o.dims;
  std::sort(sorted_dims.begin(), sorted_dims.end());

  if (!fns.empty()) {
    std::printf("## Functions: summary at the largest budget\n\n");
    for (int d : sorted_dims) r.function_summary(fns, d, sorted_budgets.back());
  }
  if (!tasks.empty()) {
    std::printf("## Tasks\n\n");
    r.task_summary(tasks);
    for (size_t p : tasks) r.task_details(p);
  }
  if (!fns.empty() && o.details) {
    std::printf("## Functions: every cell\n\n");
    for (size_t p : fns) r.function_details(p, sorted_dims, sorted_budgets);
  }

  // Optimizers that evaluated outside the box (none should: noted if one
  // does, with the largest distance outside as a fraction of the range).
  for (const auto& kv : cells)
    if (kv.second.outside > 0)
      std::printf("note: %s evaluated %ld points outside the box on %s D=%d budget %ld (at most %.2g of the range "
                  "outside)\n",
                  entries[std::get<3>(kv.first)].name.c_str(), kv.second.outside, problems()[std::get<0>(kv.first)].name,
                  std::get<1>(kv.first), std::get<2>(kv.first), kv.second.violation);

  // A run that beat a committed best known cost means best_known.hpp is stale.
  for (const Job& j : jobs) {
    const Problem& p = problems()[j.problem];
    if (p.kind == Kind::Task && p.best_known > 0 && j.best < p.best_known * (1 - 1e-7))
      std::printf("note: %s seed %" PRIu64 " found %.9g on %s, below the best known %.9g: update best_known.hpp\n",
                  entries[j.entry].name.c_str(), j.seed, j.best, p.name, p.best_known);
  }

  int failures = 0;
  for (const Job& j : jobs)
    if (!j.error.empty()) {
      if (failures++ < 10)
        std::printf("error: %s on %s D=%d budget %ld seed %" PRIu64 ": %s\n", entries[j.entry].name.c_str(),
                    problems()[j.problem].name, j.dims, j.budget, j.seed, j.error.c_str());
    }

  if (!o.csv.empty()) {
    std::FILE* f = std::fopen(o.csv.c_str(), "w");
    if (f == nullptr) {
      std::printf("cannot write %s\n", o.csv.c_str());
      ++failures;
    } else {
      std::fprintf(f, "problem,kind,D,budget,population,optimizer,family,seed,final_best,evals_to_target,"
                      "evaluations,seconds,error\n");
      for (const Job& j : jobs) {
        const Problem& p = problems()[j.problem];
        std::fprintf(f, "%s,%s,%d,%ld,%d,%s,%s,%" PRIu64 ",%.17g,%ld,%ld,%.6f,%s\n", p.name,
                     p.kind == Kind::Task ? "task" : "function", j.dims, j.budget, j.population,
                     entries[j.entry].name.c_str(), entries[j.entry].family.c_str(), j.seed, j.best, j.hit,
                     j.evaluations, j.seconds, j.error.empty() ? "" : "error");
      }
      std::fclose(f);
      std::printf("wrote %s (%zu runs; evals_to_target -1 = never)\n", o.csv.c_str(), jobs.size());
    }
  }
  if (!o.trace_csv.empty()) {
    size_t rows = 0;
    std::FILE* f = std::fopen(o.trace_csv.c_str(), "w");
    if (f == nullptr) {
      std::printf("cannot write %s\n", o.trace_csv.c_str());
      ++failures;
    } else {
      std::fprintf(f, "problem,D,budget,optimizer,family,seed,evaluations,best\n");
      for (const Job& j : jobs) {
        if (!j.traced) continue;
        const std::vector<long> grid = trace_grid(j.budget);
        for (size_t k = 0; k < j.trace.size() && k < grid.size(); ++k, ++rows)
          std::fprintf(f, "%s,%d,%ld,%s,%s,%" PRIu64 ",%ld,%.9g\n", problems()[j.problem].name, j.dims, j.budget,
                       entries[j.entry].name.c_str(), entries[j.entry].family.c_str(), j.seed, grid[k], j.trace[k]);
      }
      std::fclose(f);
      std::printf("wrote %s (%zu points)\n", o.trace_csv.c_str(), rows);
    }
  }

  // CPU seconds per family: what each spent, objective included. The wall
  // time depends on what else the machine runs; the CPU time does not.
  std::map<std::string, double> cpu;
  for (const Job& j : jobs) cpu[entries[j.entry].family] += j.seconds;
  std::printf("\nCPU time of the runs by family (objective included):");
  for (const auto& kv : cpu) std::printf(" %s %.1f s;", kv.first.c_str(), kv.second);
  if (o.from_csv.empty())
    std::printf("\nwall time: %.1f s on %u threads; CPU time %.1f s (%s mode)\n", wall, o.threads, cpu_total,
                o.mode.c_str());
  else
    std::printf("\n(from %s)\n", o.from_csv.c_str());
  if (failures > 0) std::printf("%d runs failed\n", failures);
  return failures > 0 ? 1 : 0;
}
