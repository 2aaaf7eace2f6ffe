// SPDX-License-Identifier: MIT
// bench_quality's NLopt entries (Debian libnlopt-dev, found by Meson; never a
// dependency of the library): the local derivative-free methods BOBYQA and
// Nelder-Mead, each from one uniform random start (a pure function of the
// seed), with NLopt's default initial step, maxeval = the budget and no other
// stopping tolerance; a run that converges before the budget is not
// restarted (the local-method peers that issue 17 names).
#ifdef BQ_HAVE_NLOPT
#include <nlopt.h>
#endif

#include <string>
#include <vector>

#include "registry.hpp"

namespace bq {

#ifdef BQ_HAVE_NLOPT
namespace {

double nlopt_cost(unsigned, const double* x, double*, void* data) {
  return (*static_cast<Objective*>(data))(x);
}

Entry nlopt_entry(std::string name, std::string note, nlopt_algorithm algorithm) {
  Entry e;
  e.name = std::move(name);
  e.family = "nlopt";
  e.note = std::move(note);
  e.population = own_population;
  e.run = [algorithm](Objective& f) {
    const RunSpec& s = f.spec();
    const unsigned n = static_cast<unsigned>(s.dims);
    nlopt_opt opt = nlopt_create(algorithm, n);
    if (opt == nullptr) {
      f.fail("nlopt_create failed");
      return;
    }
    std::vector<double> x(n);
    starling::Rng rng(s.seed ^ 0x4E4C4F50ull);  // "NLOP"
    for (unsigned d = 0; d < n; ++d)
      x[d] = f.lo()[d] + (f.hi()[d] - f.lo()[d]) * static_cast<double>(rng.uniform());
    nlopt_set_lower_bounds(opt, f.lo());
    nlopt_set_upper_bounds(opt, f.hi());
    nlopt_set_min_objective(opt, nlopt_cost, &f);
    nlopt_set_maxeval(opt, static_cast<int>(s.budget));
    double fmin = 0;
    // A negative result (BOBYQA refuses a budget below 2D + 1 points, or
    // stops on round-off) is an outcome of the cell, not a failure of the
    // tool: what was evaluated stands.
    (void)nlopt_optimize(opt, x.data(), &fmin);
    nlopt_destroy(opt);
  };
  return e;
}

}  // namespace

std::vector<Entry> nlopt_entries() {
  return {
      nlopt_entry("nlopt-bobyqa", "NLopt LN_BOBYQA from one random start, default step, maxeval = budget",
                  NLOPT_LN_BOBYQA),
      nlopt_entry("nlopt-neldermead", "NLopt LN_NELDERMEAD from one random start, default step, maxeval = budget",
                  NLOPT_LN_NELDERMEAD),
  };
}
std::string nlopt_status() {
  int major = 0, minor = 0, bugfix = 0;
  nlopt_version(&major, &minor, &bugfix);
  return "NLopt found (" + std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(bugfix) + ")";
}
#else
std::vector<Entry> nlopt_entries() { return {}; }
std::string nlopt_status() { return "NLopt not found at configure time: its entries skipped (apt-get install libnlopt-dev)"; }
#endif

}  // namespace bq
