// SPDX-License-Identifier: MIT
// starling/adaswarm.hpp: AdaSwarm (Mohapatra, Saha, Coello Coello et al.,
// IEEE TETCI 2021): Adam whose loss derivative at the network's output comes
// from an EMPSO swarm run on the loss instead of from the loss's formula, so
// non-differentiable losses (MAE, hinge) train through backpropagation.
//
//   static starling::Mlp<2, 10, 83> net;              // configured with Adam
//   static starling::AdaSwarm<3> ada;                  // outputs <= 3, 10 particles
//   starling::AdaSwarmConfig acfg;                     // the paper's constants
//   acfg.loss = starling::Loss::Mae;
//   if (ada.init(acfg, 7) != starling::Status::Ok) ...
//   (void)ada.train_epoch(net, x, t, n, order, &loss);
//
// What it computes, per sample (paper Section V, eq. 24-25): the swarm
// minimises the sample's loss L(p; t) over candidate outputs p in the box
// [out_lo, out_hi]^K (K outputs), starting from the network's output y
// (candidate 0 of the first sweep; see below), and
//     dL/dy ≈ (mean over particles of c1·r1 + c2·r2) / η · (y − gbest),
// the paper's −(c1r1 + c2r2)/η·(gbest − y), which the network back-propagates
// and Adam applies (the network's own optimizer; with SgdMomentum it is the
// paper's "emulation of SGD with PSO parameters").
//
// Choices where the paper is silent (docs/training.md lists them with the
// reference code's behaviour):
//  - one swarm per sample over its K outputs. The paper runs one swarm over
//    the batch's (batch × K) outputs; every loss here is a sum over samples,
//    so its minimiser is the samples' minimisers side by side, and a
//    K-dimensional swarm finds it with 10 particles where a 120-dimensional
//    one does not (and needs batch × K × particles floats of memory);
//  - the swarm's start: the network's current output y (Pso::set_start), so
//    gbest is never worse than y; the rest of the swarm is uniform in the
//    box. (The reference code starts it around the targets.)
//  - r1, r2 once per particle per move (PsoConfig::random_per_particle): the
//    paper's "r1 and r2 change per particle"; c1r1 + c2r2 is their mean over
//    the particles at the last move (iteration `iterations` − 1);
//  - 10 particles, 40 sweeps: the reference code's swarm_size and
//    run_iteration(number=40); Global topology, v_max 0.5, no restarts
//    (PsoConfig::literature()), positions clamped to the box.
//
// Memory: sizeof(AdaSwarm) = sizeof(Pso<MaxOutputs, MaxParticles, Real>)
//   + 5·MaxOutputs·sizeof(Real) + sizeof(AdaSwarmConfig) + 24 bytes (seed, counters),
//   rounded up to the alignment.
// Cost per sample: particles × iterations loss evaluations of K values plus
// one swarm move per sweep; no forward passes beyond the network's one.
#pragma once
#include <cstdint>

#include "starling/detail/fp_strict.hpp"
#include "starling/pso.hpp"
#include "starling/train.hpp"

// The float arithmetic below must not be contracted into FMAs whatever the
// including file's flags (detail/fp_strict.hpp): GCC's options are pushed
// here and popped at the end, clang gets a pragma at the top of each body.
STARLING_FP_STRICT_BEGIN

namespace starling {

/// Settings; the defaults are the paper's (Section VI-A: c1 = 0.8, c2 = 0.9,
/// β = 0.9, η = 0.1) and the reference code's swarm size and sweeps.
struct AdaSwarmConfig {
  float c1 = 0.8f;        ///< cognitive coefficient, [0, 10]
  float c2 = 0.9f;        ///< social coefficient, [0, 10]
  float beta = 0.9f;      ///< EMPSO momentum decay, [0, 1)
  float eta = 0.1f;       ///< η of the gradient equivalence (η = 1 − β in the theorem), (0, 10]
  int particles = 10;     ///< swarm size, 2 .. MaxParticles
  int iterations = 40;    ///< sweeps of the swarm per sample, 2 .. 10^6
  float out_lo = 0.f;     ///< the box of candidate outputs (sigmoid outputs: [0, 1]);
  float out_hi = 1.f;     ///< finite, out_lo < out_hi
  Loss loss = Loss::Mse;  ///< the loss the swarm minimises (any Loss; MAE and Hinge included)
};

/// Ok when every field of `c` is finite and in range, InvalidArgument otherwise.
[[nodiscard]] inline Status validate(const AdaSwarmConfig& c) noexcept {
  const auto in = [](float v, float lo, float hi) { return std::isfinite(v) && v >= lo && v <= hi; };
  const int loss = static_cast<int>(c.loss);
  if (!in(c.c1, 0.f, 10.f) || !in(c.c2, 0.f, 10.f) || !in(c.beta, 0.f, 0.99999994f) ||
      !in(c.eta, 0.f, 10.f) || !(c.eta > 0) || c.particles < 2 || c.iterations < 2 ||
      c.iterations > 1000000 || !std::isfinite(c.out_lo) || !std::isfinite(c.out_hi) ||
      !(c.out_lo < c.out_hi) || loss < 0 || loss > 3)
    return Status::InvalidArgument;
  return Status::Ok;
}

/// The loss-derivative approximation of AdaSwarm for networks of at most
/// MaxOutputs outputs, with a swarm of at most MaxParticles.
template <int MaxOutputs, int MaxParticles = 10, class Real = float>
class AdaSwarm {
  static_assert(MaxOutputs >= 1 && MaxParticles >= 2, "capacities must be positive");

 public:
  /// Ready the approximation. The swarm of the j-th sample (j = 0, 1, …,
  /// counted over this object's life since init) is seeded with
  /// sample_seed(seed, j). InvalidArgument for an invalid config;
  /// CapacityExceeded when cfg.particles > MaxParticles.
  [[nodiscard]] Status init(const AdaSwarmConfig& cfg, uint64_t seed) noexcept {
    STARLING_FP_STRICT_BLOCK
    ready_ = false;
    if (validate(cfg) != Status::Ok) return Status::InvalidArgument;
    if (cfg.particles > MaxParticles) return Status::CapacityExceeded;
    cfg_ = cfg;
    seed_ = seed;
    samples_ = 0;
    evals_ = 0;
    ready_ = true;
    return Status::Ok;
  }

  /// SplitMix64 of seed + (j + 1)·0x9E3779B97F4A7C15: the seed of the j-th
  /// sample's swarm (integer arithmetic only, the same on every target).
  static uint64_t sample_seed(uint64_t seed, uint64_t j) noexcept {
    uint64_t z = seed + (j + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  /// dLoss/dy ≈ (mean c1·r1 + c2·r2)/η · (y − gbest) for one sample's
  /// outputs y (k values) and target t, into dy; gbest (k values) is kept
  /// (swarm_best()). NotReady before init; InvalidArgument for null
  /// pointers or k < 1; CapacityExceeded for k > MaxOutputs. A NaN in y
  /// gives a NaN gradient (the swarm still runs from a random start).
  [[nodiscard]] Status output_gradient(const Real* y, const Real* t, int k, Real* dy) noexcept {
    STARLING_FP_STRICT_BLOCK
    if (!ready_) return Status::NotReady;
    if (y == nullptr || t == nullptr || dy == nullptr || k < 1) return Status::InvalidArgument;
    if (k > MaxOutputs) return Status::CapacityExceeded;
    const Real lo = static_cast<Real>(cfg_.out_lo), hi = static_cast<Real>(cfg_.out_hi);
    for (int i = 0; i < k; ++i) {
      lo_[i] = lo;
      hi_[i] = hi;
    }
    PsoConfig pc = PsoConfig::literature();
    pc.variant = Variant::Empso;
    pc.c1 = cfg_.c1;
    pc.c2 = cfg_.c2;
    pc.beta = cfg_.beta;
    pc.random_per_particle = true;
    pc.max_iter = cfg_.iterations;
    const uint64_t s = sample_seed(seed_, samples_++);
    if (pso_.init(lo_, hi_, k, cfg_.particles, pc, s) != Status::Ok) return Status::InvalidArgument;
    bool finite = true;
    for (int i = 0; i < k; ++i) {
      const Real v = y[i];
      finite = finite && v == v;
      start_[i] = v < lo ? lo : v > hi ? hi : v;
    }
    if (finite) (void)pso_.set_start(start_);
    while (const Real* p = pso_.ask()) {
      (void)pso_.tell(loss_value(cfg_.loss, p, t, k));
      ++evals_;
    }
    // The mean of c1·r1 + c2·r2 over the particles at the swarm's last move
    // (iteration − 1): the same Threefry words Pso drew (detail::swarm_block,
    // kTagMove, block 0, words 0 and 1 at 24 bits).
    uint32_t key[4];
    detail::swarm_key(s, key);
    const Real c1 = static_cast<Real>(cfg_.c1), c2 = static_cast<Real>(cfg_.c2);
    Real sum = 0;
    for (int i = 0; i < cfg_.particles; ++i) {
      uint32_t w4[4];
      detail::swarm_block(key, detail::kTagMove, static_cast<uint32_t>(cfg_.iterations - 1),
                          static_cast<uint32_t>(i), 0, w4);
      sum = sum + (c1 * u32_to_unit<Real>(w4[0]) + c2 * u32_to_unit<Real>(w4[1]));
    }
    const Real scale = (sum / static_cast<Real>(cfg_.particles)) / static_cast<Real>(cfg_.eta);
    const Real* g = pso_.best_position();
    for (int i = 0; i < k; ++i) {
      best_[i] = g[i];
      dy[i] = scale * (y[i] - g[i]);
    }
    return Status::Ok;
  }

  /// One update of `net` on n samples: forward, the swarm's dLoss/dy,
  /// backward, then net.step() (the network's optimizer: Adam for AdaSwarm).
  /// mean_loss (optional): the batch's mean loss (cfg.loss) before the update.
  /// NotReady before init or with an uninitialised net; InvalidArgument for
  /// null x or t or n < 1; CapacityExceeded when net.outputs() > MaxOutputs.
  template <class Net>
  [[nodiscard]] Status train_batch(Net& net, const Real* x, const Real* t, int n, Real* mean_loss) noexcept {
    STARLING_FP_STRICT_BLOCK
    const Status st = check(net, x, t, n);
    if (st != Status::Ok) return st;
    Real sum = 0;
    for (int s = 0; s < n; ++s) sample(net, x + static_cast<long>(s) * net.inputs(),
                                       t + static_cast<long>(s) * net.outputs(), &sum);
    if (mean_loss != nullptr) *mean_loss = sum / static_cast<Real>(n);
    return net.step();
  }

  /// One pass in mini-batches of net.config().batch, rows in `order` (null:
  /// 0, 1, …), as Mlp::train_epoch. Statuses as train_batch, and
  /// InvalidArgument for an order entry outside [0, n).
  template <class Net>
  [[nodiscard]] Status train_epoch(Net& net, const Real* x, const Real* t, int n, const int32_t* order,
                                   Real* mean_loss) noexcept {
    STARLING_FP_STRICT_BLOCK
    const Status st = check(net, x, t, n);
    if (st != Status::Ok) return st;
    if (order != nullptr)
      for (int s = 0; s < n; ++s)
        if (order[s] < 0 || order[s] >= n) return Status::InvalidArgument;
    const int batch = net.config().batch;
    Real sum = 0;
    for (int b0 = 0; b0 < n; b0 += batch) {
      const int end = n - b0 < batch ? n : b0 + batch;
      for (int s = b0; s < end; ++s) {
        const long r = order != nullptr ? order[s] : s;
        sample(net, x + r * net.inputs(), t + r * net.outputs(), &sum);
      }
      (void)net.step();
    }
    if (mean_loss != nullptr) *mean_loss = sum / static_cast<Real>(n);
    return Status::Ok;
  }

  /// The swarm's best output of the last sample (outputs() values).
  const Real* swarm_best() const noexcept { return best_; }
  /// Samples approximated since init.
  uint64_t samples() const noexcept { return samples_; }
  /// Loss evaluations by the swarms since init.
  long loss_evaluations() const noexcept { return evals_; }
  /// The settings init() accepted.
  const AdaSwarmConfig& config() const noexcept { return cfg_; }

 private:
  template <class Net>
  Status check(Net& net, const Real* x, const Real* t, int n) const noexcept {
    STARLING_FP_STRICT_BLOCK
    if (!ready_ || !net.ready()) return Status::NotReady;
    if (x == nullptr || t == nullptr || n < 1) return Status::InvalidArgument;
    if (net.outputs() > MaxOutputs) return Status::CapacityExceeded;
    return Status::Ok;
  }
  template <class Net>
  void sample(Net& net, const Real* x, const Real* t, Real* sum) noexcept {
    STARLING_FP_STRICT_BLOCK
    const Real* y = net.forward(x);
    const int k = net.outputs();
    *sum = *sum + loss_value(cfg_.loss, y, t, k);
    if (output_gradient(y, t, k, dy_) == Status::Ok) (void)net.backward(dy_);
  }

  Pso<MaxOutputs, MaxParticles, Real> pso_;
  Real lo_[MaxOutputs] = {}, hi_[MaxOutputs] = {};
  Real start_[MaxOutputs] = {}, best_[MaxOutputs] = {}, dy_[MaxOutputs] = {};
  // All-zero defaults (a static AdaSwarm lands in .bss); init() sets them.
  static constexpr AdaSwarmConfig blank() noexcept {
    AdaSwarmConfig c;
    c.c1 = c.c2 = c.beta = c.eta = c.out_lo = c.out_hi = 0;
    c.particles = c.iterations = 0;
    return c;
  }
  AdaSwarmConfig cfg_ = blank();
  uint64_t seed_ = 0, samples_ = 0;
  long evals_ = 0;
  bool ready_ = false;
};

}  // namespace starling

STARLING_FP_STRICT_END
