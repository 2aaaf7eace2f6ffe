// SPDX-License-Identifier: MIT
// starling/optimizers.hpp: the one list of the optimizer family. Tests, fuzzers,
// benchmarks and the C API iterate it, so adding an optimizer is one line here.
//
// Every entry has Pso's shape (DESIGN.md, "the optimizer family"):
//   Status init(const Real* lo, const Real* hi, int dims, int population,
//               const Config& cfg, uint64_t seed);   // population 0 = default
//   ask / tell / done / stop_reason / best_position / best_value / evaluations /
//   iteration / minimize (+ observer) / save_size / save / load /
//   set_feasible / set_trust_radius / set_start,
// and every Config has max_iter, max_evals, target, stall_iter with Pso's
// meaning. Population methods also have ask_batch / tell_batch.
#pragma once

#include "starling/anneal.hpp"
#include "starling/bayesopt.hpp"
#include "starling/bobyqa.hpp"
#include "starling/cmaes.hpp"
#include "starling/de.hpp"
#include "starling/nelder_mead.hpp"
#include "starling/pso.hpp"
#include "starling/spsa.hpp"
#include "starling/tuner.hpp"

/// X(Name, Config) for every optimizer. `Name##Of<MaxDims, MaxPop, Real>` is
/// its class (methods without a population ignore MaxPop), so generic code
/// can instantiate each alike:
/// @code
///   #define RUN(Name, Config) run<starling::Name##Of<4, 16>>(#Name, starling::Config{});
///   STARLING_OPTIMIZERS(RUN)
/// @endcode
#define STARLING_OPTIMIZERS(X) \
  X(Pso, PsoConfig)               \
  X(De, DeConfig)                 \
  X(Cmaes, CmaesConfig)           \
  X(NelderMead, NelderMeadConfig) \
  X(Spsa, SpsaConfig)             \
  X(Anneal, AnnealConfig)         \
  X(Bobyqa, BobyqaConfig)         \
  X(BayesOpt, BayesOptConfig)     \
  X(Tuner, TunerConfig)

namespace starling {

/// Pso under the family's uniform name (see STARLING_OPTIMIZERS).
template <int MaxDims, int MaxPop, class Real = float>
using PsoOf = Pso<MaxDims, MaxPop, Real>;
template <int MaxDims, int MaxPop, class Real = float>
/// De under the family's uniform name (see STARLING_OPTIMIZERS).
using DeOf = De<MaxDims, MaxPop, Real>;
template <int MaxDims, int MaxPop, class Real = float>
/// Cmaes under the family's uniform name (see STARLING_OPTIMIZERS).
using CmaesOf = Cmaes<MaxDims, MaxPop, Real>;
template <int MaxDims, int MaxPop, class Real = float>
/// NelderMead under the family's uniform name (see STARLING_OPTIMIZERS).
using NelderMeadOf = NelderMead<MaxDims, Real>;
template <int MaxDims, int MaxPop, class Real = float>
/// Spsa under the family's uniform name (see STARLING_OPTIMIZERS).
using SpsaOf = Spsa<MaxDims, Real>;
template <int MaxDims, int MaxPop, class Real = float>
/// Anneal under the family's uniform name (see STARLING_OPTIMIZERS).
using AnnealOf = Anneal<MaxDims, Real>;
/// MaxPop is ignored (the interpolation points follow MaxDims).
template <int MaxDims, int MaxPop, class Real = float>
using BobyqaOf = Bobyqa<MaxDims, Real>;
/// MaxPop is the number of observations the model holds (MaxObs).
template <int MaxDims, int MaxPop, class Real = float>
using BayesOptOf = BayesOpt<MaxDims, MaxPop, Real>;
/// Tuner under the family's uniform name (see STARLING_OPTIMIZERS; MaxPop is its MaxObs).
template <int MaxDims, int MaxPop, class Real = float>
using TunerOf = Tuner<MaxDims, MaxPop, Real>;

}  // namespace starling
