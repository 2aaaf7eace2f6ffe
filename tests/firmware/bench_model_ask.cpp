// SPDX-License-Identifier: MIT
// Instructions per ask of Bobyqa, BayesOpt and Tuner on the emulated core
// (tools/footprint/model_insn_per_ask.sh). argv[1]: "none" (set-up only),
// "bobyqa", "bayesopt" or "tuner"; argv[2]: N, the ask/tell cycles to run
// (D = 4, MaxObs = 64, float, defaults, no evaluation limit). Counting the
// whole run with a QEMU plugin for N and N − 1 gives the instructions of the
// N-th cycle: its ask, a 4-D Rosenbrock cost (about 40 instructions) and its
// tell, which for BayesOpt and Tuner's model phase fits the Gaussian process
// to the N observations and searches the next candidate.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "starling/starling.hpp"

namespace {
constexpr int kD = 4, kObs = 64;
starling::Bobyqa<kD> g_bobyqa;
starling::BayesOpt<kD, kObs> g_bayesopt;
starling::Tuner<kD, kObs> g_tuner;

float rosen(const float* x) {
  float s = 0;
  for (int i = 0; i + 1 < kD; ++i) {
    const float a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s = s + 100 * a * a + b * b;
  }
  return s;
}

template <class Opt, class Cfg>
int run(Opt& o, Cfg cfg, int n) {
  float lo[kD], hi[kD];
  for (int d = 0; d < kD; ++d) lo[d] = -2.0f, hi[d] = 2.0f;
  cfg.max_iter = 1000000;
  if (o.init(lo, hi, kD, 0, cfg, 1u) != starling::Status::Ok) return -1;
  int k = 0;
  for (; k < n; ++k) {
    const float* x = o.ask();
    if (x == nullptr) break;
    if (o.tell(rosen(x)) != starling::Status::Ok) return -1;
  }
  // Printed only on failure: a printed value's digits would change the count.
  if (k != n) std::printf("stopped after %d of %d cycles\n", k, n);
  return k == n ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "none";
  const int n = argc > 2 ? std::atoi(argv[2]) : 0;
  if (std::strcmp(mode, "bobyqa") == 0) return run(g_bobyqa, starling::BobyqaConfig{}, n);
  if (std::strcmp(mode, "bayesopt") == 0) return run(g_bayesopt, starling::BayesOptConfig{}, n);
  if (std::strcmp(mode, "tuner") == 0) return run(g_tuner, starling::TunerConfig{}, n);
  return 0;
}
