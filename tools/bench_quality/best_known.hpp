// SPDX-License-Identifier: MIT
// bench_quality's best known PID task costs, against which "evaluations to
// within 2 %" is measured (the network and ODE tasks have a known optimum
// of 0: 100 % accuracy, the exact damping).
//
// How they were found: `bench_quality --find-best --functions
// pid-lag3,pid-sopdt,pid-integrator --optimizers
// pso,empso,pso-ring,pagmo-sade,pagmo-de1220,pagmo-cmaes,nlopt-bobyqa,nlopt-neldermead`
// (pagmo2 2.18.0, NLopt 2.7.1): every listed optimizer at 10x the task's
// budget (30,000 episodes), seeds 1-10, then a compass search (1 % steps
// halved down to 1e-7 of each range) from the best point, which improved
// none of them. The episodes are float simulations with -ffp-contract=off,
// so the costs are exact on every machine. Re-run it after changing a task:
// every run of bench_quality re-evaluates the points below first and stops
// if a cost no longer matches (a changed plant or pid_sim.hpp).
#pragma once

namespace bq {

/// Found by pagmo-sade, seed 8.
constexpr double kBestPidLag3 = 1.23752356;
constexpr double kBestPidLag3X[3] = {5.16177669, 0.919577402, 3.71006488};  // Kp, Ki, Kd
/// Found by pagmo-sade, seed 4.
constexpr double kBestPidSopdt = 0.631218731;
constexpr double kBestPidSopdtX[3] = {0.719369054, 1.04368367, 0.439948399};
/// Found by pagmo-sade, seed 1.
constexpr double kBestPidIntegrator = 1.85916543;
constexpr double kBestPidIntegratorX[3] = {5.69316343, 3.48718693, 1.55573198};

}  // namespace bq
