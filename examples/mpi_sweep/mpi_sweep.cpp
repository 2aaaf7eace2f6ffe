// SPDX-License-Identifier: MIT
// examples/mpi_sweep/mpi_sweep.cpp: parallel evaluation on an existing engine
// (MPI): each sweep's candidates are scored on several ranks, and the swarm
// follows bit for bit the trajectory of the serial run (docs/parallel.md).
//
// The problem is the main job's (examples/pid_tune): PID gains for
// 1/(s+1)^3, one 20 s closed-loop episode per candidate, EMPSO with 24
// particles × 60 iterations, the same seed and box. Rank 0 owns the
// optimizer; per sweep it
//   1. opens a batch: Pso::ask_batch hands out the sweep's candidates,
//   2. broadcasts them (MPI_Bcast; float bits travel unchanged),
//   3. lets every rank run the episodes of its contiguous share
//      (candidates [r·c, (r+1)·c), c = ceil(n / ranks); rank 0 works too),
//   4. gathers the costs (MPI_Gather) and tells them with Pso::tell_batch,
//      last candidate first: the batch applies them in candidate order
//      whatever the order of the tells, so the result cannot depend on it.
// The optimizer is never copied or serialized: only positions and costs
// cross the ranks, and no rank but 0 links more than the cost function.
//
// Built twice from this file (meson.build): mpi_sweep with MPI, and
// mpi_sweep_serial (-DMPI_SWEEP_SERIAL, no MPI) with the plain ask/tell loop.
// Both print
//   TRAJECTORY <hex>   FNV-1a 64 over every evaluation, in the order the
//                      serial run asks them: the candidate's float bits,
//                      then its cost's bits;
//   RESULT kp=... ki=... kd=... cost=...   the tuned gains' bits, in
//                      examples/pid_tune's format;
// and check_ranks.py (the meson test mpi_sweep_ranks) runs the serial program,
// mpirun -np 1 and mpirun -np 4, and requires the same two lines from all
// three, and pid_tune's RESULT line.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../pid_tune/pid_sim.hpp"
#include "starling/starling.hpp"

#if !defined(MPI_SWEEP_SERIAL)
// The C API only: the MPI-2 C++ bindings are deprecated and not -Wextra clean.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace {

// examples/pid_tune/pid_tune.cpp's problem, unchanged (the test compares
// the RESULT lines of both programs).
constexpr int kDims = 3;  // Kp, Ki, Kd
constexpr int kParticles = 24;
constexpr int kIterations = 60;
constexpr uint64_t kSeed = 20240601u;
constexpr float kLo[kDims] = {0.0f, 0.0f, 0.0f};
constexpr float kHi[kDims] = {10.0f, 5.0f, 10.0f};

starling::Pso<kDims, kParticles, float> g_pso;

float episode(const float* g) {
  const pid_sim::LoopConfig loop;
  const pid_sim::CostConfig cost_cfg;
  pid_sim::PidGains p;
  p.kp = g[0];
  p.ki = g[1];
  p.kd = g[2];
  return pid_sim::run_episode(p, loop, cost_cfg);
}

uint32_t bits_of(float v) {
  uint32_t u;
  std::memcpy(&u, &v, sizeof u);
  return u;
}

// FNV-1a 64 over 32-bit words, byte by byte (little-endian order).
struct Fnv {
  uint64_t h = 14695981039346656037ull;
  void add(uint32_t w) {
    for (int i = 0; i < 4; ++i) {
      h ^= (w >> (8 * i)) & 0xffu;
      h *= 1099511628211ull;
    }
  }
  void add_eval(const float* x, float cost) {
    for (int d = 0; d < kDims; ++d) add(bits_of(x[d]));
    add(bits_of(cost));
  }
};

bool init_pso() {
  starling::PsoConfig cfg = starling::PsoConfig::empso();
  cfg.max_iter = kIterations;
  return g_pso.init(kLo, kHi, kDims, kParticles, cfg, kSeed) == starling::Status::Ok;
}

void report(const Fnv& fnv, int ranks) {
  const float* b = g_pso.best_position();
  std::printf("mpi_sweep: %d rank(s), %ld evaluations, %d iterations\n", ranks,
              g_pso.evaluations(), g_pso.iteration());
  std::printf("TRAJECTORY %016llx\n", static_cast<unsigned long long>(fnv.h));
  std::printf("RESULT kp=0x%08lx ki=0x%08lx kd=0x%08lx cost=0x%08lx\n",
              static_cast<unsigned long>(bits_of(b[0])), static_cast<unsigned long>(bits_of(b[1])),
              static_cast<unsigned long>(bits_of(b[2])),
              static_cast<unsigned long>(bits_of(g_pso.best_value())));
}

}  // namespace

#if defined(MPI_SWEEP_SERIAL)

// The serial reference: one candidate at a time, as pid_tune runs.
int main() {
  if (!init_pso()) return 1;
  Fnv fnv;
  while (const float* x = g_pso.ask()) {
    const float cost = episode(x);
    fnv.add_eval(x, cost);
    if (g_pso.tell(cost) != starling::Status::Ok) return 1;
  }
  report(fnv, 0);
  return 0;
}

#else

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int ok = rank != 0 || init_pso() ? 1 : 0;
  MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!ok) {
    MPI_Finalize();
    return 1;
  }

  // Room for one sweep: the candidates, this rank's share of costs, and the
  // gathered costs (ranks·share < n + ranks floats on rank 0).
  static float xs_flat[kParticles * kDims];
  static float mine[kParticles];
  static float all[kParticles + 64];
  if (ranks > 64) {
    if (rank == 0) std::printf("mpi_sweep: at most 64 ranks\n");
    MPI_Finalize();
    return 1;
  }
  Fnv fnv;
  int failed = 0;
  long evaluated_here = 0;
  const double t0 = MPI_Wtime();
  for (;;) {
    const float* xs[kParticles];
    int n = 0;
    if (rank == 0) {
      n = g_pso.ask_batch(xs, kParticles);
      for (int k = 0; k < n; ++k) std::memcpy(xs_flat + k * kDims, xs[k], sizeof(float) * kDims);
    }
    MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (n == 0) break;  // the optimizer stopped (max_iter)
    MPI_Bcast(xs_flat, n * kDims, MPI_FLOAT, 0, MPI_COMM_WORLD);
    const int share = (n + ranks - 1) / ranks;
    for (int j = 0; j < share; ++j) {
      const int k = rank * share + j;
      mine[j] = k < n ? episode(xs_flat + k * kDims) : 0.0f;
      if (k < n) ++evaluated_here;
    }
    MPI_Gather(mine, share, MPI_FLOAT, all, share, MPI_FLOAT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
      for (int k = 0; k < n; ++k) fnv.add_eval(xs_flat + k * kDims, all[k]);
      for (int k = n - 1; k >= 0; --k)
        if (g_pso.tell_batch(k, all[k]) != starling::Status::Ok) failed = 1;
    }
  }
  long total = 0;
  MPI_Reduce(&evaluated_here, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    report(fnv, ranks);
    std::printf("episodes: %ld on %d rank(s) (rank 0: %ld), %.3f s\n", total, ranks,
                evaluated_here, MPI_Wtime() - t0);
    if (failed || total != g_pso.evaluations()) {
      std::printf("mpi_sweep: FAILED (tell_batch refused a cost, or episodes != evaluations)\n");
      failed = 1;
    }
  }
  MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return failed;
}

#endif
