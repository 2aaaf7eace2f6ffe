// SPDX-License-Identifier: MIT
// bench_pso: optimizer overhead per evaluation (time of minimize() minus the
// time of the objective alone) and per particle-dimension update (the swarm
// move kernel alone), at (D, N) = (2,16), (10,40), (30,40), (32,40), (64,40),
// (100,64), for every port this CPU runs (force_port each in turn), and the
// update speed relative to the scalar port (ports/scalar, itself 4-lane
// generic-vector code where the target has SIMD) and to the scalar reference
// (detail::swarm_update_ref, one dimension at a time).
// Best of several repetitions in each of three rounds that each visit every
// port; ratios are what to compare across machines.
//
//   meson setup build && ninja -C build && ./build/tools/bench_pso/bench_pso
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "starling/detail/kernels.hpp"
#include "starling/starling.hpp"

using namespace starling;
using Clock = std::chrono::steady_clock;

namespace {
volatile float g_sink;

// The objective: cheap and opaque, so that what is measured is ours.
__attribute__((noinline)) float sphere(const float* x, int n) {
  float s = 0;
  for (int i = 0; i < n; ++i) s += x[i] * x[i];
  return s;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Figures {
  double ns_per_eval_total, ns_per_eval_objective, ns_per_update;
};

// The move kernel alone, best of `reps` runs (one call per iteration for
// the whole swarm, as PsoCore::move makes it for the global topology), in ns
// per particle-dimension.
template <int D, int N>
double time_kernel(detail::F32SwarmKernel kernel, int dims, int particles, int iters, int reps) {
  static float x[N][D], v[N][D], m[N][D], pb[N][D], gb[D], vmax[D], lo[D], hi[D];
  for (int i = 0; i < particles; ++i)
    for (int d = 0; d < dims; ++d) {
      x[i][d] = pb[i][d] = static_cast<float>((i * 7 + d * 3) % 11) - 5.f;
      v[i][d] = m[i][d] = 0;
    }
  for (int d = 0; d < dims; ++d) {
    gb[d] = 0;
    vmax[d] = 5;
    lo[d] = -5;
    hi[d] = 5;
  }
  uint32_t key[4];
  detail::swarm_key(1, key);
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    for (int it = 1; it <= iters; ++it) {
      detail::SwarmStep<float> s{};
      s.x = x[0]; s.v = v[0]; s.m = m[0]; s.pbest = pb[0]; s.nbest = gb;
      s.lo = lo; s.hi = hi; s.vmax = vmax; s.dims = dims;
      s.rule = detail::UpdateRule::Inertia; s.bound = detail::BoundRule::Clamp;
      s.w = 0.7298f; s.c1 = s.c2 = 1.49618f; s.beta = 0.9f; s.one_minus_beta = 0.1f; s.mscale = 1;
      s.key = key; s.iteration = static_cast<uint32_t>(it); s.particle = 0;
      s.count = particles; s.stride = D;
      kernel(s);
    }
    const double t = seconds_since(t0);
    if (t < best) best = t;
  }
  return best * 1e9 / (static_cast<double>(iters) * particles * dims);
}

// The scalar reference through a pointer, like the ports' kernels. Opaque to
// the optimizer: GCC otherwise inlines it into time_kernel and propagates
// the step's constant fields (rule, boundary, draws) into it, which the
// ports, compiled apart, never see (the reference then read 2x faster than
// the scalar port at D = 2, where the port runs this same code).
#if defined(__clang__)
__attribute__((noinline))
#elif defined(__GNUC__)
__attribute__((noipa))
#endif
void swarm_ref(const detail::SwarmStep<float>& s) noexcept { detail::swarm_update_ref(s); }

template <int D, int N>
Figures measure(int dims, int particles, int iters, int reps) {
  static Pso<D, N> pso;
  float lo[D], hi[D];
  for (int d = 0; d < dims; ++d) {
    lo[d] = -5;
    hi[d] = 5;
  }
  PsoConfig cfg;
  cfg.max_iter = iters;
  const long evals = static_cast<long>(iters) * particles;
  double best_total = 1e30, best_obj = 1e30;
  for (int r = 0; r < reps; ++r) {
    if (pso.init(lo, hi, dims, particles, cfg, 1 + static_cast<uint64_t>(r)) != Status::Ok) std::abort();
    auto t0 = Clock::now();
    (void)pso.minimize(sphere);
    const double total = seconds_since(t0);
    if (total < best_total) best_total = total;

    // The objective alone over the same number of calls and the same memory.
    t0 = Clock::now();
    float acc = 0;
    for (long e = 0; e < evals; ++e) acc += sphere(pso.position(static_cast<int>(e % particles)), dims);
    g_sink = acc;
    const double obj = seconds_since(t0);
    if (obj < best_obj) best_obj = obj;
  }
  const double move = time_kernel<D, N>(detail::f32_swarm_kernel(), dims, particles, iters, reps);
  return {best_total * 1e9 / static_cast<double>(evals), best_obj * 1e9 / static_cast<double>(evals), move};
}

constexpr int kShapes = 6;
constexpr int kMaxPorts = 8;
Figures g_fig[kMaxPorts][kShapes];
double g_ref[kShapes];  // ns per particle-dimension of swarm_update_ref

template <int D, int N>
void measure_into(int port, int shape, int iters, int reps, bool first) {
  // Best over the rounds: each round visits every port, so a slow phase of
  // the machine (shared, frequency changes) hits all of them alike.
  const Figures f = measure<D, N>(D, N, iters, reps);
  Figures& g = g_fig[port][shape];
  if (first) g = f;
  g.ns_per_eval_total = std::min(g.ns_per_eval_total, f.ns_per_eval_total);
  g.ns_per_eval_objective = std::min(g.ns_per_eval_objective, f.ns_per_eval_objective);
  g.ns_per_update = std::min(g.ns_per_update, f.ns_per_update);
  if (port == 0) {
    const double r = time_kernel<D, N>(swarm_ref, D, N, iters, reps);
    g_ref[shape] = first ? r : std::min(g_ref[shape], r);
  }
}
}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 21;
  // Threefry cost alone, for scale: ns per 4-word block.
  {
    uint32_t key[4] = {1, 2, 3, 4}, ctr[4] = {0, 0, 0, 0}, out[4], acc = 0;
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
      const auto t0 = Clock::now();
      for (uint32_t i = 0; i < 1000000; ++i) {
        ctr[0] = i;
        threefry4x32(ctr, key, out);
        acc += out[0] ^ out[3];
      }
      const double t = seconds_since(t0);
      if (t < best) best = t;
    }
    g_sink = static_cast<float>(acc);
    std::printf("threefry4x32-%d: %.2f ns per block (4 words)\n\n", kThreefryRounds, best * 1e3);
  }
  // Every supported port in turn, side by side (force_port), same shapes.
  const int dn[kShapes][2] = {{2, 16}, {10, 40}, {30, 40}, {32, 40}, {64, 40}, {100, 64}};
  int ports[kMaxPorts], np = 0;
  for (int i = 0; i < port_count() && np < kMaxPorts; ++i)
    if (port_supported(i)) ports[np++] = i;
  const char* auto_port = active_port();
  constexpr int kRounds = 3;
  for (int round = 0; round < kRounds; ++round)
    for (int k = 0; k < np; ++k) {
      if (force_port(port_name(ports[k])) != Status::Ok) return 1;
      const bool first = round == 0;
      measure_into<2, 16>(k, 0, 2000, reps, first);
      measure_into<10, 40>(k, 1, 500, reps, first);
      measure_into<30, 40>(k, 2, 300, reps, first);
      measure_into<32, 40>(k, 3, 300, reps, first);
      measure_into<64, 40>(k, 4, 150, reps, first);
      measure_into<100, 64>(k, 5, 100, reps, first);
    }
  (void)force_port(auto_port);
  std::printf("command:");
  for (int i = 0; i < argc; ++i) std::printf(" %s", argv[i]);
  std::printf("\nconstriction, gbest, clamp; every supported port (auto: %s)\n\n", auto_port);
  std::printf("update speed x port: ns per particle-dimension of the %s port / this port's;\n"
              "x ref: of detail::swarm_update_ref, the scalar reference (one dimension at a time)\n\n",
              port_name(ports[0]));
  std::printf("| port | D | N | ns/eval minimize | ns/eval objective | overhead ns/eval | ns per particle-dim update | update speed x %s port | update speed x ref | overhead ns per dim |\n",
              port_name(ports[0]));
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int sh = 0; sh < kShapes; ++sh) {
    std::printf("| (reference) | %d | %d | | | | %.2f | %.2f | 1.0 | |\n", dn[sh][0], dn[sh][1], g_ref[sh],
                g_fig[0][sh].ns_per_update / g_ref[sh]);
    for (int k = 0; k < np; ++k) {
      const Figures& f = g_fig[k][sh];
      const double overhead = f.ns_per_eval_total - f.ns_per_eval_objective;
      std::printf("| %s | %d | %d | %.1f | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f |\n", port_name(ports[k]), dn[sh][0],
                  dn[sh][1], f.ns_per_eval_total, f.ns_per_eval_objective, overhead, f.ns_per_update,
                  g_fig[0][sh].ns_per_update / f.ns_per_update, g_ref[sh] / f.ns_per_update, overhead / dn[sh][0]);
    }
  }
  return 0;
}
