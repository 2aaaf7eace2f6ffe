// SPDX-License-Identifier: MIT
// bench_quality's pagmo2 entries (Debian libpagmo-dev, found by Meson; never a
// dependency of the library): pso (default, FIPS), pso_gen, sade, de1220,
// cmaes and simulated_annealing with pagmo's defaults, each run through
// bench_quality's counting objective.
//
// Budget mapping: pagmo's algorithms evaluate the initial population (NP
// evaluations) and then NP per generation, and stop only at the end of a
// generation: a budget B runs ceil((B - NP) / NP) generations (none when
// B <= NP), so NP + NP x generations >= B, and the objective counts only
// the first B evaluations (the overshoot, less than NP, is computed but
// ignored). sade, de1220 and cmaes keep pagmo's stopping tolerances
// (ftol = xtol = 1e-6): they may stop before the budget, as a pagmo user's
// run would. cmaes runs with force_bounds = true (pagmo's own way of staying
// in the box; its default, false, samples outside it, where the functions
// are not the benchmark's cells: Schwefel 2.26 keeps falling beyond +-500).
#ifdef BQ_HAVE_PAGMO
#include <pagmo/algorithm.hpp>
#include <pagmo/algorithms/cmaes.hpp>
#include <pagmo/algorithms/de1220.hpp>
#include <pagmo/algorithms/pso.hpp>
#include <pagmo/algorithms/pso_gen.hpp>
#include <pagmo/algorithms/sade.hpp>
#include <pagmo/algorithms/simulated_annealing.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <pagmo/types.hpp>
#endif

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

#include "registry.hpp"

namespace bq {

#ifdef BQ_HAVE_PAGMO
namespace {

// The user-defined problem: a view of the run's objective. pagmo copies the
// problem into the population; the copies share the objective.
struct Udp {
  Objective* f = nullptr;
  pagmo::vector_double fitness(const pagmo::vector_double& x) const { return {(*f)(x.data())}; }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    const int n = f->dims();
    return {pagmo::vector_double(f->lo(), f->lo() + n), pagmo::vector_double(f->hi(), f->hi() + n)};
  }
  std::string get_name() const { return f->spec().problem->name; }
};

// pagmo's seeds are unsigned; the population's and the algorithm's differ.
unsigned pop_seed(uint64_t s) { return static_cast<unsigned>(s * 2654435761u + 17u); }
unsigned algo_seed(uint64_t s) { return static_cast<unsigned>(s * 40503u + 101u); }

template <class MakeAlgo>
Entry pagmo_entry(std::string name, std::string note, PopulationRule pop, MakeAlgo make) {
  Entry e;
  e.name = std::move(name);
  e.family = "pagmo2";
  e.note = std::move(note);
  e.population = pop;
  e.run = [make](Objective& f) {
    const RunSpec& s = f.spec();
    const long np = s.population;
    const long gens = s.budget > np ? (s.budget - np + np - 1) / np : 0;
    try {
      pagmo::problem prob{Udp{&f}};
      pagmo::population pop_{prob, static_cast<pagmo::population::size_type>(np), pop_seed(s.seed)};
      if (gens > 0) {
        pagmo::algorithm algo{make(static_cast<unsigned>(gens), algo_seed(s.seed))};
        pop_ = algo.evolve(pop_);
      }
    } catch (const std::exception& ex) {
      f.fail(std::string("pagmo: ") + ex.what());
    }
  };
  return e;
}

// simulated_annealing (Corana's, one individual) makes n_T_adj · n_range_adj
// · bin_size · D evaluations in one evolve: pagmo's defaults (Ts 10, Tf 0.1,
// n_range_adj 1, bin_size 20, start_range 1) with n_T_adj scaled so that the
// run fills the budget (at least 1): B - 1 after the initial individual.
Entry pagmo_sa_entry() {
  Entry e;
  e.name = "pagmo-sa";
  e.family = "pagmo2";
  e.note = "simulated_annealing: Corana's, pagmo's defaults, n_T_adj = (B - 1) / (20 D) (at least 1)";
  e.population = own_population;
  e.run = [](Objective& f) {
    const RunSpec& s = f.spec();
    const long per_adj = 20L * s.dims;
    const long n_adj = s.budget > 1 ? std::max(1L, (s.budget - 1) / per_adj) : 0;
    try {
      pagmo::problem prob{Udp{&f}};
      pagmo::population pop_{prob, 1u, pop_seed(s.seed)};
      if (n_adj > 0) {
        pagmo::algorithm algo{pagmo::simulated_annealing(10., .1, static_cast<unsigned>(n_adj), 1u, 20u, 1.,
                                                         algo_seed(s.seed))};
        pop_ = algo.evolve(pop_);
      }
    } catch (const std::exception& ex) {
      f.fail(std::string("pagmo: ") + ex.what());
    }
  };
  return e;
}

/// CMA-ES's default offspring count 4 + floor(3 ln D) (Hansen), at least
/// pagmo's minimum of 5; the tasks' prescribed sizes do not apply.
int cmaes_population(int dims, int) {
  const int l = 4 + static_cast<int>(std::floor(3.0 * std::log(static_cast<double>(dims))));
  return l < 5 ? 5 : l;
}

}  // namespace

std::vector<Entry> pagmo_entries() {
  return {
      pagmo_entry("pagmo-pso", "pso: variant 5 (constriction), ring of 4 (neighb_type 2, param 4), defaults",
                  swarm_population, [](unsigned g, unsigned sd) { return pagmo::pso(g, 0.7298, 2.05, 2.05, 0.5, 5u, 2u, 4u, false, sd); }),
      pagmo_entry("pagmo-pso-fips", "pso: variant 6 (FIPS), ring of 4, defaults otherwise",
                  swarm_population, [](unsigned g, unsigned sd) { return pagmo::pso(g, 0.7298, 2.05, 2.05, 0.5, 6u, 2u, 4u, false, sd); }),
      pagmo_entry("pagmo-pso_gen", "pso_gen: generational pso, variant 5, ring of 4, defaults",
                  swarm_population, [](unsigned g, unsigned sd) { return pagmo::pso_gen(g, 0.7298, 2.05, 2.05, 0.5, 5u, 2u, 4u, false, sd); }),
      pagmo_entry("pagmo-sade", "sade: variant 2 (rand/1/exp), jDE adaptation, ftol = xtol = 1e-6",
                  swarm_population, [](unsigned g, unsigned sd) { return pagmo::sade(g, 2u, 1u, 1e-6, 1e-6, false, sd); }),
      pagmo_entry("pagmo-de1220", "de1220: self-adaptive variant among 8, jDE adaptation, ftol = xtol = 1e-6",
                  swarm_population, [](unsigned g, unsigned sd) {
                    return pagmo::de1220(g, pagmo::de1220_statics<void>::allowed_variants, 1u, 1e-6, 1e-6, false, sd);
                  }),
      pagmo_entry("pagmo-cmaes", "cmaes: lambda = 4 + floor(3 ln D), sigma0 0.5 of the box, ftol = xtol = 1e-6, force_bounds",
                  cmaes_population, [](unsigned g, unsigned sd) {
                    return pagmo::cmaes(g, -1, -1, -1, -1, 0.5, 1e-6, 1e-6, false, true, sd);
                  }),
      pagmo_sa_entry(),
  };
}
std::string pagmo_status() { return "pagmo2 found (headers " + std::to_string(PAGMO_VERSION_MAJOR) + "." +
                                    std::to_string(PAGMO_VERSION_MINOR) + "." + std::to_string(PAGMO_VERSION_PATCH) + ")"; }
#else
std::vector<Entry> pagmo_entries() { return {}; }
std::string pagmo_status() {
  return "pagmo2 not found at configure time: peers skipped (apt-get install libpagmo-dev cmake, then meson setup --reconfigure)";
}
#endif

}  // namespace bq
