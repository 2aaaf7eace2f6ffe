// SPDX-License-Identifier: MIT
// starling/train.hpp: a float multilayer perceptron trainer in caller-declared
// fixed memory (dense layers, tanh/ReLU/sigmoid, backprop, Adam or SGD with
// momentum, mini-batches), bit-identical on every target.
//
//   constexpr int widths[] = {4, 10, 3};
//   constexpr starling::Activation acts[] = {starling::Activation::Relu,
//                                            starling::Activation::Sigmoid};
//   static starling::Mlp<2, 10, 83> net;          // layers, widest layer, parameters
//   starling::TrainConfig cfg;                     // Adam, lr 0.01, MSE, batches of 16
//   if (net.init(widths, acts, 2, cfg, 42) != starling::Status::Ok) ...
//   for (int e = 0; e < epochs; ++e) (void)net.train_epoch(x, t, n, order, nullptr);
//   const float* y = net.forward(x0);              // outputs of one sample
//
// Determinism: every sum runs in a fixed order, the library is built with
// -ffp-contract=off, and tanh/sigmoid/softmax use detail::det_exp
// (detail/det_math.hpp) instead of the C library's, so a run gives the same
// weights on x86, aarch64 and Cortex-M (tests/train, golden hashes from
// tools/train_ref.py).
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/detail/det_math.hpp"
#include "starling/status.hpp"

namespace starling {

/// Element-wise activation of a dense layer.
enum class Activation : int {
  Identity,  ///< y = net
  Tanh,      ///< y = tanh(net), by detail::det_tanh
  Relu,      ///< y = max(net, 0)
  Sigmoid,   ///< y = 1/(1 + e^−net), by detail::det_sigmoid
};

/// Per-sample loss of an output vector y (K values) against a target t
/// (K values; one-hot for classification). A batch's loss is the mean over
/// its samples.
enum class Loss : int {
  Mse,           ///< Σ (y − t)² / K; gradient 2(y − t)/K
  Mae,           ///< Σ |y − t| / K; gradient sign(y − t)/K (0 where y = t)
  CrossEntropy,  ///< −Σ t·log softmax(y) (y are logits); gradient softmax(y)·Σt − t
  Hinge,         ///< multiclass (Crammer–Singer) max(0, 1 + max_{j≠c} y_j − y_c), c = argmax t;
                 ///< subgradient +1 at the first maximising j, −1 at c where the loss is > 0;
                 ///< for K = 1 the binary max(0, 1 − s·y), s = +1 if t > 0.5 else −1
};

/// The weight update.
enum class Optimizer : int {
  Adam,         ///< Kingma & Ba 2015, with bias correction
  SgdMomentum,  ///< u = μ·u + g; w −= lr·u (the heavy-ball form PyTorch's SGD uses)
};

/// Training settings. The defaults are Adam's published ones (Kingma & Ba,
/// ICLR 2015) with lr = 0.01, a common choice for small tabular networks.
struct TrainConfig {
  Optimizer optimizer = Optimizer::Adam;  ///< the update rule applied by step()
  Loss loss = Loss::Mse;                  ///< the loss whose gradient accumulate() adds
  float lr = 0.01f;         ///< learning rate, (0, 10]
  float beta1 = 0.9f;       ///< Adam first-moment decay, [0, 1)
  float beta2 = 0.999f;     ///< Adam second-moment decay, [0, 1)
  float eps = 1e-8f;        ///< Adam denominator guard, (0, 1]
  float momentum = 0.9f;    ///< SGD momentum μ, [0, 1)
  int batch = 16;           ///< samples per update in train_epoch, >= 1
};

/// Ok when every field of `c` is finite and in its documented range,
/// InvalidArgument otherwise.
[[nodiscard]] Status validate(const TrainConfig& c) noexcept;

/// Loss of one sample (see Loss). k >= 1; y, t non-null. O(k).
template <class Real>
Real loss_value(Loss loss, const Real* y, const Real* t, int k) noexcept;
/// dLoss/dy of one sample into g (k values; see Loss). O(k).
template <class Real>
void loss_gradient(Loss loss, const Real* y, const Real* t, int k, Real* g) noexcept;

/// The indices 0 .. n−1 in a random order that is a pure function of
/// (seed, epoch): Fisher–Yates, step i (n−1 down to 1) swaps i with
/// j = ⌊w·(i+1)/2^32⌋, w = word i%4 of Threefry-4x32-13 block
/// {i/4, epoch, 0, "SHUF"} under key {seed low, seed high, "MLP1", 0}.
/// Does nothing for n < 1 or idx null. O(n).
void shuffle_indices(int32_t* idx, int n, uint64_t seed, uint32_t epoch) noexcept;

namespace detail {

/// Everything of a network but its arrays (one copy of the code per Real,
/// whatever the capacities). Used through Mlp.
template <class Real>
class MlpCore {
 public:
  struct Arrays {           // views into the owning Mlp's storage
    Real* params;           // [max_params] weights then bias, layer by layer
    Real* grad;             // [max_params] accumulated gradient of the batch
    Real* m;                // [max_params] Adam first moment / SGD velocity
    Real* v;                // [max_params] Adam second moment
    Real* act;              // [(max_layers + 1) · max_width] one sample's activations
    Real* delta;            // [3 · max_width] back-propagated errors, then dLoss/dy
    int32_t* width;         // [max_layers + 1]
    Activation* kind;       // [max_layers]
    int max_layers, max_width, max_params;
  };
  /// Stream constant of the weight initialisation and shuffles ("MLP1").
  static constexpr uint32_t kStream = 0x4D4C5031u;

  Status init(const Arrays& a, const int* widths, const Activation* acts, int layers,
              const TrainConfig& cfg, uint64_t seed) noexcept;
  Status set_config(const TrainConfig& cfg) noexcept;
  const Real* forward(const Arrays& a, const Real* x) noexcept;
  Status backward(const Arrays& a, const Real* dy) noexcept;
  Status step(const Arrays& a) noexcept;
  Status train_batch(const Arrays& a, const Real* x, const Real* t, int n, Real* mean_loss) noexcept;
  Status train_epoch(const Arrays& a, const Real* x, const Real* t, int n, const int32_t* order,
                     Real* mean_loss) noexcept;
  Status evaluate(const Arrays& a, const Real* x, const Real* t, int n, Real* mean_loss,
                  int* correct) noexcept;
  Status set_params(const Arrays& a, const Real* p, int count) noexcept;

  bool ready() const noexcept { return layers_ > 0; }
  int layers() const noexcept { return layers_; }
  int inputs() const noexcept { return n_in_; }
  int outputs() const noexcept { return n_out_; }
  int param_count() const noexcept { return n_params_; }
  int pending() const noexcept { return pending_; }
  long steps() const noexcept { return steps_; }
  const TrainConfig& config() const noexcept { return cfg_; }

 private:
  // All-zero member defaults: a static Mlp lands in .bss, not in .data
  // (whose initial image would cost its size again in flash). init() sets them.
  static constexpr TrainConfig blank() noexcept {
    TrainConfig c;
    c.lr = c.beta1 = c.beta2 = c.eps = c.momentum = 0;
    c.batch = 0;
    return c;
  }
  TrainConfig cfg_ = blank();
  Real b1_pow_ = 0, b2_pow_ = 0;  // beta^t of Adam's bias correction
  long steps_ = 0;
  int layers_ = 0, n_in_ = 0, n_out_ = 0, n_params_ = 0;
  int pending_ = 0;               // samples accumulated in grad since the last step
  bool forwarded_ = false;        // act holds a sample that backward may use
  void accumulate(const Arrays& a, const Real* x, const Real* t, Real* loss_sum) noexcept;
};

extern template class MlpCore<float>;
extern template class MlpCore<double>;

}  // namespace detail

/// A dense network of at most MaxLayers layers, each at most MaxWidth wide
/// (inputs included), with at most MaxParams weights and biases in total
/// (Σ_l (width[l] + 1)·width[l+1]), its gradient and its optimizer state.
///
/// Memory: sizeof(Mlp) = 4·MaxParams·sizeof(Real)                (params, grad, m, v)
///                     + (MaxLayers + 4)·MaxWidth·sizeof(Real)    (activations, deltas, dLoss/dy)
///                     + (MaxLayers + 1)·4 + MaxLayers·4          (widths, activations kinds)
///                     + sizeof(detail::MlpCore<Real>)            (72 bytes float, 80 double on 64-bit
///                                                                 hosts; 68/80 on Cortex-M)
///                     rounded up to the alignment. No heap; nothing else.
/// Cost of one sample's forward and backward: O(parameters) each.
template <int MaxLayers, int MaxWidth, int MaxParams, class Real = float>
class Mlp {
  static_assert(MaxLayers >= 1 && MaxWidth >= 1 && MaxParams >= 2, "capacities must be positive");
  static_assert(MaxWidth <= (1 << 20) && MaxParams <= (1 << 28), "capacities too large");

 public:
  /// The size-erased implementation the object owns (one copy of the code for every capacity).
  using Core = detail::MlpCore<Real>;

  /// Build the network widths[0] → widths[1] → … → widths[layers] with
  /// acts[l] after layer l, weights drawn from a uniform distribution (He:
  /// ±√(6/fan_in) before ReLU; Glorot: ±√(6/(fan_in + fan_out)) otherwise;
  /// Threefry-4x32-13 block {p/4, 0, 0, "INIT"} word p%4 for parameter p, key
  /// {seed, "MLP1", 0}), biases 0, optimizer state 0.
  /// InvalidArgument: null arrays, layers < 1, a width < 1, an unknown
  /// activation, an invalid cfg. CapacityExceeded: layers > MaxLayers, a width
  /// > MaxWidth, more than MaxParams parameters. On failure the network is
  /// left unusable (ready() false). O(parameters).
  [[nodiscard]] Status init(const int* widths, const Activation* acts, int layers,
                            const TrainConfig& cfg, uint64_t seed) noexcept {
    return core_.init(arrays(), widths, acts, layers, cfg, seed);
  }
  /// Change the optimizer settings (learning rate schedules, a new loss);
  /// the optimizer state (moments, step count) is kept. InvalidArgument on
  /// an invalid cfg; NotReady before init.
  [[nodiscard]] Status set_config(const TrainConfig& cfg) noexcept { return core_.set_config(cfg); }

  /// Outputs (outputs() values, valid until the next forward) for one input
  /// of inputs() values; nullptr before init or when x is null. O(parameters).
  const Real* forward(const Real* x) noexcept { return core_.forward(arrays(), x); }
  /// Add the gradient for the sample of the last forward() to the batch,
  /// given dLoss/dOutput dy (outputs() values). NotReady without a forward
  /// since the last backward; InvalidArgument for null dy. O(parameters).
  [[nodiscard]] Status backward(const Real* dy) noexcept { return core_.backward(arrays(), dy); }
  /// Apply the optimizer to the mean gradient of the pending samples, then
  /// clear it. NotReady when no sample is pending. O(parameters).
  [[nodiscard]] Status step() noexcept { return core_.step(arrays()); }

  /// One update on n samples (x: n rows of inputs(), t: n rows of
  /// outputs()), with the configured loss; mean_loss (optional) receives
  /// the batch's mean loss before the update. InvalidArgument: null x or t, n < 1.
  [[nodiscard]] Status train_batch(const Real* x, const Real* t, int n, Real* mean_loss) noexcept {
    return core_.train_batch(arrays(), x, t, n, mean_loss);
  }
  /// One pass over n samples in mini-batches of config().batch (the last
  /// one may be smaller), visiting rows order[0], order[1], … (order null:
  /// 0, 1, …; see shuffle_indices). mean_loss: mean over the samples of
  /// the loss each had when its batch was formed. InvalidArgument: null
  /// x or t, n < 1, an order entry outside [0, n).
  [[nodiscard]] Status train_epoch(const Real* x, const Real* t, int n, const int32_t* order,
                                   Real* mean_loss) noexcept {
    return core_.train_epoch(arrays(), x, t, n, order, mean_loss);
  }
  /// Mean loss and the number of samples whose largest output is at the
  /// target's largest entry (first one on ties), without changing anything
  /// but the activation buffer. Either output pointer may be null.
  [[nodiscard]] Status evaluate(const Real* x, const Real* t, int n, Real* mean_loss,
                                int* correct) noexcept {
    return core_.evaluate(arrays(), x, t, n, mean_loss, correct);
  }

  /// The parameters, layer by layer: weights row-major (one row of
  /// width[l] inputs per output), then the width[l+1] biases.
  const Real* params() const noexcept { return params_; }
  /// Overwrite all parameters (count must be param_count()) and clear the
  /// pending gradient; the optimizer state is kept.
  [[nodiscard]] Status set_params(const Real* p, int count) noexcept {
    return core_.set_params(arrays(), p, count);
  }
  /// The accumulated (summed, not yet averaged) gradient of the pending samples.
  const Real* gradient() const noexcept { return grad_; }
  /// Weights and biases of the network built by init() (0 before).
  int param_count() const noexcept { return core_.param_count(); }
  /// Width of the input layer (widths[0]).
  int inputs() const noexcept { return core_.inputs(); }
  /// Width of the output layer (widths[layers]).
  int outputs() const noexcept { return core_.outputs(); }
  /// Dense layers (weights matrices) of the network.
  int layers() const noexcept { return core_.layers(); }
  /// Samples in the gradient since the last step().
  int pending() const noexcept { return core_.pending(); }
  /// Optimizer steps taken since init.
  long steps() const noexcept { return core_.steps(); }
  /// True after a successful init().
  bool ready() const noexcept { return core_.ready(); }
  /// The settings init() accepted.
  const TrainConfig& config() const noexcept { return core_.config(); }

 private:
  typename Core::Arrays arrays() noexcept {
    return {params_, grad_, m_, v_, act_, delta_, width_, kind_, MaxLayers, MaxWidth, MaxParams};
  }
  Real params_[MaxParams] = {};
  Real grad_[MaxParams] = {};
  Real m_[MaxParams] = {};
  Real v_[MaxParams] = {};
  Real act_[(MaxLayers + 1) * MaxWidth] = {};
  Real delta_[3 * MaxWidth] = {};
  int32_t width_[MaxLayers + 1] = {};
  Activation kind_[MaxLayers] = {};
  Core core_;
};

/// Parameters of a network with these widths: Σ_l (widths[l] + 1)·widths[l+1]
/// (for sizing MaxParams at compile time).
constexpr int mlp_param_count(const int* widths, int layers) noexcept {
  int n = 0;
  for (int l = 0; l < layers; ++l) n += (widths[l] + 1) * widths[l + 1];
  return n;
}

}  // namespace starling
