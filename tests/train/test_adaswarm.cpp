// SPDX-License-Identifier: MIT
// Tests of AdaSwarm (starling/adaswarm.hpp): golden runs against the
// independent Python reference (tools/train_ref.py, which drives
// tools/pso_ref.py's swarm), the approximated derivative against the
// analytic one, and bad input.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "check.hpp"
#include "starling/adaswarm.hpp"
#include "starling/rng.hpp"
#include "starling/train.hpp"
#include "train_golden.h"

using starling::Activation;
using starling::AdaSwarmConfig;
using starling::Loss;
using starling::Optimizer;
using starling::Status;
using starling::TrainConfig;

namespace {

uint64_t fnv_params(const float* p, int n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (int k = 0; k < n; ++k) {
    uint32_t b;
    std::memcpy(&b, &p[k], 4);
    for (int j = 0; j < 4; ++j) {
      h ^= (b >> (8 * j)) & 0xFFu;
      h *= 0x100000001B3ull;
    }
  }
  return h;
}

// train_ref.py's golden_data (one-hot argmax of the first K inputs).
void golden_data(int n, int n_in, int n_out, uint64_t seed, float* x, float* t) {
  starling::Rng rng(seed);
  for (int s = 0; s < n; ++s) {
    for (int i = 0; i < n_in; ++i) x[s * n_in + i] = rng.uniform(-1.f, 1.f);
    int c = 0;
    for (int k = 1; k < n_out; ++k)
      if (x[s * n_in + k] > x[s * n_in + c]) c = k;
    for (int k = 0; k < n_out; ++k) t[s * n_out + k] = k == c ? 1.f : 0.f;
  }
}

struct Spec {
  int widths[3];
  Activation acts[2];
  Optimizer opt;
  Loss loss;
  float lr;
  int batch;
  float c1, c2, beta, eta;
  int particles, iterations;
  float lo, hi;
  int n, epochs;
  uint64_t data_seed, init_seed, shuffle_seed, swarm_seed;
};

// train_ref.py's ADA_GOLDEN, in its order.
const Spec kSpecs[] = {
    {{4, 5, 3}, {Activation::Relu, Activation::Sigmoid}, Optimizer::Adam, Loss::Mse, 0.05f, 4, 0.8f,
     0.9f, 0.9f, 0.1f, 4, 5, 0.f, 1.f, 12, 2, 21, 51, 31, 61},
    {{4, 5, 3}, {Activation::Tanh, Activation::Sigmoid}, Optimizer::Adam, Loss::Mae, 0.05f, 4, 0.8f,
     0.9f, 0.9f, 0.1f, 5, 4, 0.f, 1.f, 12, 2, 22, 52, 32, 62},
    {{3, 4, 2}, {Activation::Tanh, Activation::Identity}, Optimizer::SgdMomentum, Loss::CrossEntropy,
     0.1f, 3, 1.2f, 0.7f, 0.5f, 0.2f, 3, 3, -2.f, 2.f, 9, 2, 23, 53, 33, 63},
};

TEST_CASE(golden_runs_match_python_reference) {
  static_assert(sizeof kSpecs / sizeof kSpecs[0] ==
                    sizeof train_golden::kAdaCases / sizeof train_golden::kAdaCases[0],
                "case lists");
  int c = 0;
  for (const Spec& g : kSpecs) {
    static float x[12 * 4], t[12 * 3];
    static int32_t order[12];
    static starling::Mlp<2, 5, 64> net;
    static starling::AdaSwarm<3, 5> ada;
    golden_data(g.n, g.widths[0], g.widths[2], g.data_seed, x, t);
    TrainConfig cfg;
    cfg.optimizer = g.opt;
    cfg.loss = g.loss;
    cfg.lr = g.lr;
    cfg.batch = g.batch;
    CHECK(net.init(g.widths, g.acts, 2, cfg, g.init_seed) == Status::Ok);
    AdaSwarmConfig a;
    a.c1 = g.c1;
    a.c2 = g.c2;
    a.beta = g.beta;
    a.eta = g.eta;
    a.particles = g.particles;
    a.iterations = g.iterations;
    a.out_lo = g.lo;
    a.out_hi = g.hi;
    a.loss = g.loss;
    CHECK(ada.init(a, g.swarm_seed) == Status::Ok);
    for (int e = 0; e < g.epochs; ++e) {
      starling::shuffle_indices(order, g.n, g.shuffle_seed, static_cast<uint32_t>(e));
      float l = 0;
      CHECK(ada.train_epoch(net, x, t, g.n, order, &l) == Status::Ok);
    }
    CHECK_EQ(fnv_params(net.params(), net.param_count()), train_golden::kAdaCases[c].hash_f32);
    CHECK_EQ(ada.loss_evaluations(), static_cast<long>(g.epochs) * g.n * g.particles * g.iterations);
    ++c;
  }
}

TEST_CASE(approximates_the_mse_derivative) {
  // For MSE the swarm's best lies near the target, so the approximation
  // points along the analytic gradient 2(y − t)/K. With the paper's
  // constants and K = 3 (measured over 200 random cases: mean cosine
  // 0.998, worst 0.955, mean |gbest − t| 0.012; the EMPSO swarm with
  // c1 + c2 = 1.7 stalls short of the target now and then, more often
  // as K grows), over 50 cases: mean cosine > 0.99, every cosine > 0.9,
  // mean |gbest − t| < 0.03, and |dy|/|y − gbest| = (mean c1r1 + c2r2)/η
  // in (0, (c1 + c2)/η].
  static starling::AdaSwarm<3> ada;
  AdaSwarmConfig a;
  CHECK(ada.init(a, 3) == Status::Ok);
  starling::Rng rng(17);
  double sum_cos = 0, worst_cos = 1, sum_err = 0;
  for (int trial = 0; trial < 50; ++trial) {
    float y[3], t[3], dy[3] = {0, 0, 0}, g[3];
    for (int i = 0; i < 3; ++i) {
      y[i] = rng.uniform(0.f, 1.f);
      t[i] = rng.uniform(0.f, 1.f);
    }
    CHECK(ada.output_gradient(y, t, 3, dy) == Status::Ok);
    starling::loss_gradient(Loss::Mse, y, t, 3, g);
    double dot = 0, na = 0, nb = 0, nd = 0;
    for (int i = 0; i < 3; ++i) {
      const double d = static_cast<double>(y[i]) - ada.swarm_best()[i];
      dot += static_cast<double>(dy[i]) * g[i];
      na += static_cast<double>(dy[i]) * dy[i];
      nb += static_cast<double>(g[i]) * g[i];
      nd += d * d;
      sum_err += std::fabs(ada.swarm_best()[i] - t[i]) / 3.0;
    }
    const double c = dot / std::sqrt(na * nb);
    sum_cos += c;
    worst_cos = c < worst_cos ? c : worst_cos;
    const double scale = std::sqrt(na / nd);
    CHECK(scale > 0 && scale <= (0.8 + 0.9) / 0.1 + 1e-3);
  }
  CHECK(sum_cos / 50 > 0.99);
  CHECK(worst_cos > 0.9);
  CHECK(sum_err / 50 < 0.03);
  CHECK_EQ(ada.samples(), 50ull);
}

TEST_CASE(mae_with_one_hot_targets_points_along_y_minus_t) {
  // docs/training.md's "lim" argument: MAE is least at y = t, and with
  // one-hot targets on the walls of the box [0, 1] the swarm lands on them
  // exactly, so the derivative AdaSwarm feeds back is a positive multiple of
  // y − t (the MSE gradient's direction), not MAE's sign. Measured with the
  // paper's constants over 4,000 random cases (K = 2 and 3, outputs uniform in
  // [0, 1)): gbest equals t in 95.5 % of the coordinates, mean cosine
  // between dy and y − t 0.998. Here 200 cases: gbest == t in at least 90 %
  // of the coordinates, mean cosine > 0.99.
  static starling::AdaSwarm<3> ada;
  AdaSwarmConfig a;
  a.loss = Loss::Mae;
  CHECK(ada.init(a, 7) == Status::Ok);
  starling::Rng rng(29);
  double sum_cos = 0;
  int exact = 0, coords = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int k = 2 + trial % 2;
    const int cls = static_cast<int>(rng.uniform(0.f, 1.f) * static_cast<float>(k)) % k;
    float y[3], t[3], dy[3] = {0, 0, 0};
    for (int i = 0; i < k; ++i) {
      y[i] = rng.uniform(0.f, 1.f);
      t[i] = i == cls ? 1.f : 0.f;
    }
    CHECK(ada.output_gradient(y, t, k, dy) == Status::Ok);
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < k; ++i) {
      const double e = static_cast<double>(y[i]) - t[i];
      dot += static_cast<double>(dy[i]) * e;
      na += static_cast<double>(dy[i]) * dy[i];
      nb += e * e;
      exact += ada.swarm_best()[i] == t[i];
      ++coords;
    }
    sum_cos += na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
  }
  CHECK(exact * 10 >= coords * 9);
  CHECK(sum_cos / 200 > 0.99);
}

TEST_CASE(mae_is_trainable) {
  // MAE through AdaSwarm: the approximated derivative is not zero away
  // from the target and vanishes at it (the swarm's start is y itself).
  static starling::AdaSwarm<2> ada;
  AdaSwarmConfig a;
  a.loss = Loss::Mae;
  CHECK(ada.init(a, 5) == Status::Ok);
  const float t[2] = {1.f, 0.f};
  const float y[2] = {0.3f, 0.6f};
  float dy[2] = {0, 0};
  CHECK(ada.output_gradient(y, t, 2, dy) == Status::Ok);
  CHECK(dy[0] < 0 && dy[1] > 0);
  CHECK(ada.output_gradient(t, t, 2, dy) == Status::Ok);
  CHECK(dy[0] == 0.f && dy[1] == 0.f);
}

TEST_CASE(bad_input_is_refused) {
  static starling::AdaSwarm<2, 4> ada;
  static starling::Mlp<2, 4, 40> net;
  AdaSwarmConfig a;
  float y[3] = {0, 0, 0}, dy[3] = {0, 0, 0};
  CHECK(ada.output_gradient(y, y, 2, dy) == Status::NotReady);
  CHECK(ada.init(a, 1) == Status::CapacityExceeded);  // 10 particles > 4
  a.particles = 4;
  AdaSwarmConfig b = a;
  b.eta = 0;
  CHECK(ada.init(b, 1) == Status::InvalidArgument);
  b = a;
  b.out_lo = 1;
  CHECK(ada.init(b, 1) == Status::InvalidArgument);
  b = a;
  b.c1 = NAN;
  CHECK(starling::validate(b) == Status::InvalidArgument);
  b = a;
  b.iterations = 1;
  CHECK(starling::validate(b) == Status::InvalidArgument);
  CHECK(ada.init(a, 1) == Status::Ok);
  CHECK(ada.output_gradient(nullptr, y, 2, dy) == Status::InvalidArgument);
  CHECK(ada.output_gradient(y, y, 0, dy) == Status::InvalidArgument);
  CHECK(ada.output_gradient(y, y, 3, dy) == Status::CapacityExceeded);
  const float x[4] = {0, 0, 0, 0}, t[3] = {1, 0, 0};
  CHECK(ada.train_batch(net, x, t, 1, nullptr) == Status::NotReady);  // net not initialised
  const int widths[] = {4, 3, 3};
  const Activation acts[] = {Activation::Tanh, Activation::Sigmoid};
  CHECK(net.init(widths, acts, 2, TrainConfig{}, 1) == Status::Ok);
  CHECK(ada.train_batch(net, x, t, 1, nullptr) == Status::CapacityExceeded);  // 3 outputs > 2
  // NaN outputs: no start point, a NaN derivative, nothing undefined.
  const float ny[2] = {NAN, 0.5f}, nt[2] = {1, 0};
  CHECK(ada.output_gradient(ny, nt, 2, dy) == Status::Ok);
  CHECK(std::isnan(dy[0]));
}

}  // namespace

int main() { return check::run_all(); }
