// SPDX-License-Identifier: MIT
// bench_quality's optimizer registry: one list of entries (a name and how to
// run it), the counting objective every entry evaluates through, and the
// template adapter that turns any class with Pso's shape into an entry.
//
// A new member of the optimizer family (a line in STARLING_OPTIMIZERS) joins
// with its default config by itself; a named configuration is one line in
// starling_entries() below, e.g.
//   ask_tell<Swarm>("pso-vn", with_topology(PsoConfig{}, starling::Topology::VonNeumann), "..."),
//   ask_tell<starling::DeOf<kMaxDims, kMaxPop>>("de-small", small_de(), "..."),
// with the population rule as the optional last argument (the default
// comes from DefaultPopulation).
#pragma once
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "problems.hpp"
#include "starling/optimizers.hpp"
#include "starling/starling.hpp"

namespace bq {

/// Capacities of the starling objects the adapter builds (one per run, on the
/// heap of this host tool): the network task has 33 parameters and 60
/// particles.
constexpr int kMaxDims = 64;
constexpr int kMaxPop = 64;

/// One run: a problem at D dimensions, a budget of evaluations, a population
/// (0 = the method's own default) and a seed (1, 2, ...).
struct RunSpec {
  const Problem* problem;
  int dims;
  long budget;
  int population;
  uint64_t seed;
};

/// The cost function as every optimizer sees it. It counts evaluations and
/// keeps, over the first `budget` of them only, the best cost, the first
/// evaluation that reached the success threshold, and best-so-far at the
/// trace grid's evaluation counts. Evaluations past the budget (a peer that
/// can only stop at the end of a generation) are computed and returned but
/// count for nothing. For a noisy problem the incumbent is the point with the
/// best cost seen, and what is kept is its noise-free value.
class Objective {
 public:
  /// keep_x: also keep the incumbent's position (best_x()).
  Objective(const RunSpec& s, double threshold, const std::vector<long>* trace_grid, bool keep_x = false)
      : spec_(s), threshold_(threshold), grid_(trace_grid), keep_x_(keep_x) {
    lo_.resize(static_cast<size_t>(s.dims));
    hi_.resize(static_cast<size_t>(s.dims));
    s.problem->bounds(s.dims, lo_.data(), hi_.data());
    if (grid_ != nullptr) trace_.reserve(grid_->size());
  }

  double operator()(const double* x) {
    ++evals_;
    const double c = spec_.problem->cost(x, spec_.dims, EvalCtx{spec_.seed, evals_});
    if (evals_ > spec_.budget) return c;
    bool in_box = true;
    for (int d = 0; d < spec_.dims; ++d) {
      const double l = lo_[static_cast<size_t>(d)], h = hi_[static_cast<size_t>(d)];
      if (x[d] >= l && x[d] <= h) continue;
      in_box = false;
      const double v = (x[d] < l ? l - x[d] : x[d] - h) / (h - l);
      if (!(v <= max_violation_)) max_violation_ = v;  // NaN too
    }
    if (!in_box) ++outside_;
    if (c < seen_) {  // NaN never improves
      seen_ = c;
      best_ = spec_.problem->truth != nullptr ? spec_.problem->truth(x, spec_.dims) : c;
      if (keep_x_) best_x_.assign(x, x + spec_.dims);
      if (hit_ < 0 && best_ <= threshold_) hit_ = evals_;
    }
    if (grid_ != nullptr)
      while (next_ < grid_->size() && (*grid_)[next_] == evals_) {
        trace_.push_back(best_);
        ++next_;
      }
    return c;
  }

  const RunSpec& spec() const { return spec_; }
  int dims() const { return spec_.dims; }
  const double* lo() const { return lo_.data(); }
  const double* hi() const { return hi_.data(); }
  long evaluations() const { return evals_; }
  bool exhausted() const { return evals_ >= spec_.budget; }
  /// Best cost over the budget (noise-free value of the incumbent if noisy);
  /// +inf if nothing was evaluated.
  double best() const { return best_; }
  /// First evaluation at which best() reached the threshold, -1 if never.
  long hit() const { return hit_; }
  /// Evaluations within the budget at a point outside the box (a peer's).
  long outside() const { return outside_; }
  /// Largest distance outside the box of those points, as a fraction of the range.
  double max_violation() const { return max_violation_; }
  const std::vector<double>& trace() const { return trace_; }
  const std::vector<double>& best_x() const { return best_x_; }
  /// Marks the run as failed (init refused, a peer threw): reported, exit 1.
  void fail(std::string why) { error_ = std::move(why); }
  const std::string& error() const { return error_; }

 private:
  RunSpec spec_;
  double threshold_;
  const std::vector<long>* grid_;
  bool keep_x_;
  std::vector<double> best_x_;
  std::vector<double> lo_, hi_;
  long evals_ = 0, hit_ = -1, outside_ = 0;
  double seen_ = std::numeric_limits<double>::infinity();
  double best_ = std::numeric_limits<double>::infinity();
  size_t next_ = 0;
  double max_violation_ = 0;
  std::vector<double> trace_;
  std::string error_;
};

/// How an entry sizes its population for D dimensions; task_population is
/// the task's prescribed size (0 for the functions). 0 = the method's own
/// documented default.
using PopulationRule = int (*)(int dims, int task_population);

/// Swarms and the peers' population methods: the task's size, else 20 below
/// D = 10 and 40 from D = 10 (40 at D = 30 as in bench_pso's shape; with it
/// the D = 30 medians match the table, which does not give its size).
inline int swarm_population(int dims, int task_population) {
  if (task_population > 0) return task_population;
  return dims < 10 ? 20 : 40;
}
/// Other population methods of the family: the task's size, else their
/// own default (init with population 0).
inline int task_or_own_population(int, int task_population) { return task_population; }
/// Methods without a population (init accepts 0 only): 0.
inline int own_population(int, int) { return 0; }

/// Population methods have ask_batch (the family contract): detected, so
/// that a family entry gets the right rule without saying it.
template <class Opt, class = void>
struct has_ask_batch : std::false_type {};
template <class Opt>
struct has_ask_batch<Opt, std::void_t<decltype(&Opt::ask_batch)>> : std::true_type {};

/// The rule a family member gets by default: swarm_population for Pso (so
/// that it meets pagmo's pso at the same size), task_or_own_population for
/// the other population methods, own_population for the rest.
template <class Opt>
struct DefaultPopulation {
  static constexpr PopulationRule rule = has_ask_batch<Opt>::value ? task_or_own_population : own_population;
};
template <int D, int P, class R>
struct DefaultPopulation<starling::Pso<D, P, R>> {
  static constexpr PopulationRule rule = swarm_population;
};

struct Entry {
  std::string name;
  std::string family;  ///< "starling", "pagmo2" or "nlopt"
  std::string note;    ///< the configuration in words (--list, docs)
  PopulationRule population;
  std::function<void(Objective&)> run;
};

/// The adapter for any optimizer with Pso's shape: init(lo, hi, dims,
/// population, cfg, seed), ask() -> const Real* (nullptr when done),
/// tell(Real) -> Status. The budget goes into the config's stop fields that
/// every XConfig shares: max_evals = budget, max_iter = ceil(budget /
/// population) sweeps (budget when the population is 0). One object per run,
/// built on the heap (this is a host tool). The run also stops when the
/// objective has seen the whole budget, so an optimizer that ignored
/// max_evals could not take more.
template <class Opt, class Cfg>
Entry ask_tell(std::string name, Cfg cfg, std::string note, PopulationRule pop = DefaultPopulation<Opt>::rule) {
  Entry e;
  e.name = std::move(name);
  e.family = "starling";
  e.note = std::move(note);
  e.population = pop;
  e.run = [cfg](Objective& f) {
    using Real = std::remove_cv_t<std::remove_pointer_t<decltype(std::declval<Opt&>().ask())>>;
    const RunSpec& s = f.spec();
    Cfg c = cfg;
    c.max_evals = s.budget;
    const long sweeps = s.population > 0 ? (s.budget + s.population - 1) / s.population : s.budget;
    c.max_iter = static_cast<int>(std::min<long>(sweeps, INT_MAX));
    std::vector<Real> lo(static_cast<size_t>(s.dims)), hi(static_cast<size_t>(s.dims));
    // The box in Real, rounded inwards (0.02 as a float is below 0.02), so
    // every asked point is inside the problem's box.
    for (int d = 0; d < s.dims; ++d) {
      Real l = static_cast<Real>(f.lo()[d]), h = static_cast<Real>(f.hi()[d]);
      if (static_cast<double>(l) < f.lo()[d]) l = std::nextafter(l, h);
      if (static_cast<double>(h) > f.hi()[d]) h = std::nextafter(h, l);
      lo[static_cast<size_t>(d)] = l;
      hi[static_cast<size_t>(d)] = h;
    }
    auto opt = std::make_unique<Opt>();
    const starling::Status st = opt->init(lo.data(), hi.data(), s.dims, s.population, c, s.seed);
    if (st != starling::Status::Ok) {
      f.fail("init returned status " + std::to_string(static_cast<int>(st)));
      return;
    }
    std::vector<double> x(static_cast<size_t>(s.dims));
    while (!f.exhausted()) {
      const Real* p = opt->ask();
      if (p == nullptr) break;
      for (int d = 0; d < s.dims; ++d) x[static_cast<size_t>(d)] = static_cast<double>(p[d]);
      const double cost = f(x.data());
      if (opt->tell(static_cast<Real>(cost)) != starling::Status::Ok) break;
    }
  };
  return e;
}

// Named configurations (one expression each, so an entry stays one line).
inline starling::PsoConfig with_topology(starling::PsoConfig c, starling::Topology t) {
  c.topology = t;
  return c;
}
/// EMPSO as the AdaSwarm paper sets it (beta 0.9, c 2), on the defaults
/// before measurement: the empso() of before the quality benchmark.
inline starling::PsoConfig empso_paper() {
  starling::PsoConfig c = starling::PsoConfig::literature();
  c.variant = starling::Variant::Empso;
  c.c1 = c.c2 = 2.0f;
  c.beta = 0.9f;
  return c;
}
inline starling::PsoConfig with_boundary(starling::PsoConfig c, starling::Boundary b) {
  c.boundary = b;
  return c;
}

/// BOBYQA refining as far as Real resolves (rho_end 0), as NLopt's does
/// without a tolerance.
inline starling::BobyqaConfig bobyqa_fine() {
  starling::BobyqaConfig c;
  c.rho_end = 0.f;
  return c;
}

inline std::string lower(const char* s) {
  std::string r(s);
  for (char& ch : r) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return r;
}

/// Candidate swarm configurations from the environment, for choosing
/// defaults (docs/quality.md, "Choosing the defaults"):
///   BQ_PSO_CANDIDATES="NAME=variant:topology:neighbors:v_max:restart_stall:restart_radius:stall_tol[:c[:beta[:restart_rehits]]];..."
/// variant c (constriction), e (EMPSO, c 2), i (inertia), f (FIPS); topology
/// g (Global), r (Ring), v (von Neumann), x (Random). Unset: none.
inline void add_candidates(std::vector<Entry>& e) {
  const char* spec = std::getenv("BQ_PSO_CANDIDATES");
  if (spec == nullptr) return;
  using starling::PsoConfig;
  using Swarm = starling::Pso<kMaxDims, kMaxPop, float>;
  const std::string all(spec);
  size_t p0 = 0;
  while (p0 < all.size()) {
    size_t p1 = all.find(';', p0);
    if (p1 == std::string::npos) p1 = all.size();
    const std::string one = all.substr(p0, p1 - p0);
    p0 = p1 + 1;
    const size_t eq = one.find('=');
    if (eq == std::string::npos) continue;
    char var = 'c', top = 'g';
    int nb = 0, rs = 0, rh = -1;
    float vmax = 0.5f, rr = 0.f, tol = 0.f, cc = -1.f, beta = -1.f;
    if (std::sscanf(one.c_str() + eq + 1, "%c:%c:%d:%f:%d:%f:%f:%f:%f:%d", &var, &top, &nb, &vmax, &rs, &rr,
                    &tol, &cc, &beta, &rh) < 7)
      continue;
    PsoConfig c = PsoConfig::literature();
    if (var == 'e') c.variant = starling::Variant::Empso, c.c1 = c.c2 = 2.0f;
    if (var == 'i') c = PsoConfig::inertia();
    if (var == 'f') c.variant = starling::Variant::Fips;
    c.topology = top == 'r'   ? starling::Topology::Ring
                 : top == 'v' ? starling::Topology::VonNeumann
                 : top == 'x' ? starling::Topology::Random
                              : starling::Topology::Global;
    c.neighbors = nb;
    c.v_max = vmax;
    c.restart_stall = rs;
    c.restart_radius = rr;
    c.stall_tol = tol;
    if (cc > 0) c.c1 = c.c2 = cc;
    if (beta > 0) c.beta = beta;
    if (rh >= 0) c.restart_rehits = rh;  // else literature()'s 0
    e.push_back(ask_tell<Swarm>(one.substr(0, eq), c, one.substr(eq + 1)));
  }
}

/// starling's entries: every member of the optimizer family with its default
/// config, straight from the library's one list (STARLING_OPTIMIZERS in
/// starling/optimizers.hpp; named by its class in lower case: "pso", and
/// later "de", "cmaes", ...), then the named configurations, one line each.
inline std::vector<Entry> starling_entries() {
  using starling::PsoConfig;
  using Swarm = starling::Pso<kMaxDims, kMaxPop, float>;
  std::vector<Entry> e;
#define BQ_FAMILY_ENTRY(Name, Config) \
  e.push_back(ask_tell<starling::Name##Of<kMaxDims, kMaxPop, float>>(lower(#Name), starling::Config{}, #Config "{}"));
  STARLING_OPTIMIZERS(BQ_FAMILY_ENTRY)
#undef BQ_FAMILY_ENTRY
  for (auto& x : std::vector<Entry>{
           ask_tell<Swarm>("empso", PsoConfig::empso(),
                           "PsoConfig::empso(): EMPSO, beta 0.8, c 2, v_max 0.15, global best, restarts (40, 0.1)"),
           ask_tell<Swarm>("pso-literature", PsoConfig::literature(),
                           "PsoConfig::literature(): the default before measurement (constriction, global, v_max 0.5)"),
           ask_tell<Swarm>("empso-paper", empso_paper(), "EMPSO as in the AdaSwarm paper: beta 0.9, c 2, v_max 0.5, global"),
           ask_tell<Swarm>("inertia", PsoConfig::inertia(), "PsoConfig::inertia(): w 0.9 -> 0.4 over the budget, c 2"),
           ask_tell<Swarm>("pso-ring", with_topology(PsoConfig{}, starling::Topology::Ring),
                           "PsoConfig{} with Topology::Ring (i-1, i, i+1)"),
           ask_tell<Swarm>("pso-reflect", with_boundary(PsoConfig{}, starling::Boundary::Reflect),
                           "PsoConfig{} with Boundary::Reflect"),
           ask_tell<Swarm>("fips", PsoConfig::fips(), "PsoConfig::fips(): fully informed, von Neumann"),
           ask_tell<starling::Bobyqa<kMaxDims, double>>(
               "bobyqa-double", starling::BobyqaConfig{},
               "Bobyqa<D, double> with BobyqaConfig{}: NLopt's precision (the float one resolves about 1e-7 of a range)"),
           ask_tell<starling::Bobyqa<kMaxDims, double>>("bobyqa-double-fine", bobyqa_fine(),
                                                        "Bobyqa<D, double>, rho_end 0 (as far as double resolves)"),
       })
    e.push_back(std::move(x));
  add_candidates(e);
  return e;
}

/// The peers' entries (peers_pagmo.cpp, peers_nlopt.cpp; empty when the
/// library was not found at configure time), and what was found.
std::vector<Entry> pagmo_entries();
std::vector<Entry> nlopt_entries();
std::string pagmo_status();
std::string nlopt_status();

}  // namespace bq
