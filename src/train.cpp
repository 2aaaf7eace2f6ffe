// SPDX-License-Identifier: MIT
// The MLP trainer's size-erased core (starling/train.hpp): forward, backward,
// Adam and SGD with momentum, the losses and the deterministic shuffle.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/train.hpp"

#include <cmath>
#include <limits>

#include "starling/rng.hpp"

namespace starling {

namespace {
constexpr uint32_t kTagInit = 0x494E4954u;     // "INIT"
constexpr uint32_t kTagShuffle = 0x53485546u;  // "SHUF"

// det_exp and det_log take finite arguments (det_exp casts to int): a
// diverged network's NaN passes through instead.
template <class Real>
Real exp_nan(Real x) noexcept {
  return x == x ? detail::det_exp(x) : x;
}
template <class Real>
Real log_nan(Real x) noexcept {
  return x == x && x < std::numeric_limits<Real>::infinity() ? detail::det_log(x) : x;
}

bool in_range(float v, float lo, float hi) noexcept { return std::isfinite(v) && v >= lo && v <= hi; }

void mlp_block(uint64_t seed, uint32_t c0, uint32_t c1, uint32_t tag, uint32_t out[4]) noexcept {
  const uint32_t key[4] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                           detail::MlpCore<float>::kStream, 0};
  const uint32_t ctr[4] = {c0, c1, 0, tag};
  threefry4x32<kThreefryRounds>(ctr, key, out);
}

template <class Real>
Real activate(Activation k, Real s) noexcept {
  switch (k) {
    case Activation::Tanh: return detail::det_tanh(s);
    case Activation::Relu: return s > 0 ? s : Real(0);
    case Activation::Sigmoid: return detail::det_sigmoid(s);
    case Activation::Identity: break;
  }
  return s;
}
// The derivative written through the activation's output y.
template <class Real>
Real slope(Activation k, Real y) noexcept {
  switch (k) {
    case Activation::Tanh: return Real(1) - y * y;
    case Activation::Relu: return y > 0 ? Real(1) : Real(0);
    case Activation::Sigmoid: return y * (Real(1) - y);
    case Activation::Identity: break;
  }
  return Real(1);
}
template <class Real>
int argmax(const Real* v, int k) noexcept {
  int b = 0;
  for (int i = 1; i < k; ++i)
    if (v[i] > v[b]) b = i;
  return b;
}
}  // namespace

Status validate(const TrainConfig& c) noexcept {
  const int opt = static_cast<int>(c.optimizer), loss = static_cast<int>(c.loss);
  if (opt < 0 || opt > 1 || loss < 0 || loss > 3) return Status::InvalidArgument;
  if (!in_range(c.lr, 0.f, 10.f) || !(c.lr > 0)) return Status::InvalidArgument;
  if (!in_range(c.beta1, 0.f, 0.99999994f) || !in_range(c.beta2, 0.f, 0.99999994f))
    return Status::InvalidArgument;
  if (!in_range(c.eps, 0.f, 1.f) || !(c.eps > 0)) return Status::InvalidArgument;
  if (!in_range(c.momentum, 0.f, 0.99999994f)) return Status::InvalidArgument;
  if (c.batch < 1 || c.batch > (1 << 24)) return Status::InvalidArgument;
  return Status::Ok;
}

template <class Real>
Real loss_value(Loss loss, const Real* y, const Real* t, int k) noexcept {
  Real s = 0;
  switch (loss) {
    case Loss::Mse:
      for (int i = 0; i < k; ++i) {
        const Real e = y[i] - t[i];
        s = s + e * e;
      }
      return s / static_cast<Real>(k);
    case Loss::Mae:
      for (int i = 0; i < k; ++i) {
        const Real e = y[i] - t[i];
        s = s + (e < 0 ? -e : e);
      }
      return s / static_cast<Real>(k);
    case Loss::CrossEntropy: {
      Real mx = y[0];
      for (int i = 1; i < k; ++i)
        if (y[i] > mx) mx = y[i];
      Real se = 0;
      for (int i = 0; i < k; ++i) se = se + exp_nan(y[i] - mx);
      const Real lse = mx + log_nan(se);
      for (int i = 0; i < k; ++i) s = s + t[i] * (lse - y[i]);
      return s;
    }
    case Loss::Hinge: {
      if (k == 1) {
        const Real m = Real(1) - (t[0] > Real(0.5) ? y[0] : -y[0]);
        return m > 0 ? m : Real(0);
      }
      const int c = argmax(t, k);
      int j = c == 0 ? 1 : 0;
      for (int i = 0; i < k; ++i)
        if (i != c && y[i] > y[j]) j = i;
      const Real m = (Real(1) + y[j]) - y[c];
      return m > 0 ? m : Real(0);
    }
  }
  return s;
}

template <class Real>
void loss_gradient(Loss loss, const Real* y, const Real* t, int k, Real* g) noexcept {
  switch (loss) {
    case Loss::Mse: {
      const Real c = Real(2) / static_cast<Real>(k);
      for (int i = 0; i < k; ++i) g[i] = (y[i] - t[i]) * c;
      return;
    }
    case Loss::Mae: {
      const Real c = Real(1) / static_cast<Real>(k);
      for (int i = 0; i < k; ++i) {
        const Real e = y[i] - t[i];
        g[i] = e > 0 ? c : e < 0 ? -c : Real(0);
      }
      return;
    }
    case Loss::CrossEntropy: {
      Real mx = y[0];
      for (int i = 1; i < k; ++i)
        if (y[i] > mx) mx = y[i];
      Real se = 0, st = 0;
      for (int i = 0; i < k; ++i) {
        g[i] = exp_nan(y[i] - mx);
        se = se + g[i];
        st = st + t[i];
      }
      for (int i = 0; i < k; ++i) g[i] = (g[i] / se) * st - t[i];
      return;
    }
    case Loss::Hinge: {
      for (int i = 0; i < k; ++i) g[i] = 0;
      if (k == 1) {
        const Real s = t[0] > Real(0.5) ? Real(1) : Real(-1);
        if (Real(1) - s * y[0] > 0) g[0] = -s;
        return;
      }
      const int c = argmax(t, k);
      int j = c == 0 ? 1 : 0;
      for (int i = 0; i < k; ++i)
        if (i != c && y[i] > y[j]) j = i;
      if ((Real(1) + y[j]) - y[c] > 0) {
        g[j] = 1;
        g[c] = -1;
      }
      return;
    }
  }
}

void shuffle_indices(int32_t* idx, int n, uint64_t seed, uint32_t epoch) noexcept {
  if (idx == nullptr || n < 1) return;
  for (int i = 0; i < n; ++i) idx[i] = i;
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int i = n - 1; i >= 1; --i) {
    if (i == n - 1 || (i & 3) == 3) mlp_block(seed, static_cast<uint32_t>(i) >> 2, epoch, kTagShuffle, w4);
    const uint32_t w = w4[i & 3];
    const int j = static_cast<int>((static_cast<uint64_t>(w) * static_cast<uint64_t>(i + 1)) >> 32);
    const int32_t tmp = idx[i];
    idx[i] = idx[j];
    idx[j] = tmp;
  }
}

namespace detail {

template <class Real>
Status MlpCore<Real>::init(const Arrays& a, const int* widths, const Activation* acts, int layers,
                           const TrainConfig& cfg, uint64_t seed) noexcept {
  layers_ = 0;
  forwarded_ = false;
  if (widths == nullptr || acts == nullptr || layers < 1) return Status::InvalidArgument;
  if (validate(cfg) != Status::Ok) return Status::InvalidArgument;
  if (layers > a.max_layers) return Status::CapacityExceeded;
  long count = 0;
  for (int l = 0; l <= layers; ++l) {
    if (widths[l] < 1) return Status::InvalidArgument;
    if (widths[l] > a.max_width) return Status::CapacityExceeded;
  }
  for (int l = 0; l < layers; ++l) {
    const int k = static_cast<int>(acts[l]);
    if (k < 0 || k > 3) return Status::InvalidArgument;
    count += static_cast<long>(widths[l] + 1) * widths[l + 1];
    if (count > a.max_params) return Status::CapacityExceeded;
  }
  for (int l = 0; l <= layers; ++l) a.width[l] = widths[l];
  for (int l = 0; l < layers; ++l) a.kind[l] = acts[l];
  n_params_ = static_cast<int>(count);
  n_in_ = widths[0];
  n_out_ = widths[layers];
  cfg_ = cfg;
  b1_pow_ = b2_pow_ = 1;
  steps_ = 0;
  pending_ = 0;
  uint32_t w4[4] = {0, 0, 0, 0};
  int p = 0;
  for (int l = 0; l < layers; ++l) {
    const int in = widths[l], out = widths[l + 1];
    const int fan = acts[l] == Activation::Relu ? in : in + out;
    const Real lim = std::sqrt(Real(6) / static_cast<Real>(fan));
    for (int q = 0; q < in * out; ++q, ++p) {
      if ((p & 3) == 0 || q == 0) mlp_block(seed, static_cast<uint32_t>(p) >> 2, 0, kTagInit, w4);
      a.params[p] = (u32_to_unit<Real>(w4[p & 3]) * Real(2) - Real(1)) * lim;
    }
    for (int o = 0; o < out; ++o, ++p) a.params[p] = 0;
  }
  for (int k = 0; k < n_params_; ++k) a.grad[k] = a.m[k] = a.v[k] = 0;
  layers_ = layers;
  return Status::Ok;
}

template <class Real>
Status MlpCore<Real>::set_config(const TrainConfig& cfg) noexcept {
  if (!ready()) return Status::NotReady;
  if (validate(cfg) != Status::Ok) return Status::InvalidArgument;
  cfg_ = cfg;
  return Status::Ok;
}

template <class Real>
const Real* MlpCore<Real>::forward(const Arrays& a, const Real* x) noexcept {
  if (!ready() || x == nullptr) return nullptr;
  for (int i = 0; i < n_in_; ++i) a.act[i] = x[i];
  const Real* w = a.params;
  for (int l = 0; l < layers_; ++l) {
    const int in = a.width[l], out = a.width[l + 1];
    const Real* src = a.act + l * a.max_width;
    Real* dst = a.act + (l + 1) * a.max_width;
    const Real* b = w + in * out;
    for (int o = 0; o < out; ++o) {
      Real s = b[o];
      const Real* row = w + o * in;
      for (int i = 0; i < in; ++i) s = s + row[i] * src[i];
      dst[o] = activate(a.kind[l], s);
    }
    w = b + out;
  }
  forwarded_ = true;
  return a.act + layers_ * a.max_width;
}

template <class Real>
Status MlpCore<Real>::backward(const Arrays& a, const Real* dy) noexcept {
  if (!ready() || !forwarded_) return Status::NotReady;
  if (dy == nullptr) return Status::InvalidArgument;
  Real* cur = a.delta;
  Real* nxt = a.delta + a.max_width;
  const Real* y = a.act + layers_ * a.max_width;
  for (int o = 0; o < n_out_; ++o) cur[o] = dy[o] * slope(a.kind[layers_ - 1], y[o]);
  int off = n_params_;
  for (int l = layers_ - 1; l >= 0; --l) {
    const int in = a.width[l], out = a.width[l + 1];
    off -= (in + 1) * out;
    const Real* src = a.act + l * a.max_width;
    const Real* w = a.params + off;
    Real* gw = a.grad + off;
    Real* gb = gw + in * out;
    for (int o = 0; o < out; ++o) {
      const Real d = cur[o];
      for (int i = 0; i < in; ++i) gw[o * in + i] = gw[o * in + i] + d * src[i];
      gb[o] = gb[o] + d;
    }
    if (l > 0) {
      for (int i = 0; i < in; ++i) {
        Real s = 0;
        for (int o = 0; o < out; ++o) s = s + w[o * in + i] * cur[o];
        nxt[i] = s * slope(a.kind[l - 1], src[i]);
      }
      Real* tmp = cur;
      cur = nxt;
      nxt = tmp;
    }
  }
  forwarded_ = false;
  ++pending_;
  return Status::Ok;
}

template <class Real>
Status MlpCore<Real>::step(const Arrays& a) noexcept {
  if (!ready() || pending_ == 0) return Status::NotReady;
  const Real inv = Real(1) / static_cast<Real>(pending_);
  const Real lr = static_cast<Real>(cfg_.lr);
  if (cfg_.optimizer == Optimizer::Adam) {
    const Real b1 = static_cast<Real>(cfg_.beta1), b2 = static_cast<Real>(cfg_.beta2);
    const Real eps = static_cast<Real>(cfg_.eps);
    const Real omb1 = Real(1) - b1, omb2 = Real(1) - b2;
    b1_pow_ = b1_pow_ * b1;
    b2_pow_ = b2_pow_ * b2;
    const Real bc1 = Real(1) - b1_pow_, bc2 = Real(1) - b2_pow_;
    for (int k = 0; k < n_params_; ++k) {
      const Real g = a.grad[k] * inv;
      a.m[k] = b1 * a.m[k] + omb1 * g;
      a.v[k] = b2 * a.v[k] + omb2 * (g * g);
      const Real mh = a.m[k] / bc1, vh = a.v[k] / bc2;
      a.params[k] = a.params[k] - (lr * mh) / (std::sqrt(vh) + eps);
      a.grad[k] = 0;
    }
  } else {
    const Real mu = static_cast<Real>(cfg_.momentum);
    for (int k = 0; k < n_params_; ++k) {
      const Real g = a.grad[k] * inv;
      a.m[k] = mu * a.m[k] + g;
      a.params[k] = a.params[k] - lr * a.m[k];
      a.grad[k] = 0;
    }
  }
  pending_ = 0;
  ++steps_;
  return Status::Ok;
}

template <class Real>
void MlpCore<Real>::accumulate(const Arrays& a, const Real* x, const Real* t, Real* loss_sum) noexcept {
  const Real* y = forward(a, x);
  Real* dy = a.delta + 2 * a.max_width;
  *loss_sum = *loss_sum + loss_value(cfg_.loss, y, t, n_out_);
  loss_gradient(cfg_.loss, y, t, n_out_, dy);
  (void)backward(a, dy);
}

template <class Real>
Status MlpCore<Real>::train_batch(const Arrays& a, const Real* x, const Real* t, int n,
                                  Real* mean_loss) noexcept {
  if (!ready()) return Status::NotReady;
  if (x == nullptr || t == nullptr || n < 1) return Status::InvalidArgument;
  Real sum = 0;
  for (int s = 0; s < n; ++s) accumulate(a, x + s * n_in_, t + s * n_out_, &sum);
  if (mean_loss != nullptr) *mean_loss = sum / static_cast<Real>(n);
  return step(a);
}

template <class Real>
Status MlpCore<Real>::train_epoch(const Arrays& a, const Real* x, const Real* t, int n,
                                  const int32_t* order, Real* mean_loss) noexcept {
  if (!ready()) return Status::NotReady;
  if (x == nullptr || t == nullptr || n < 1) return Status::InvalidArgument;
  if (order != nullptr)
    for (int s = 0; s < n; ++s)
      if (order[s] < 0 || order[s] >= n) return Status::InvalidArgument;
  Real sum = 0;
  for (int b0 = 0; b0 < n; b0 += cfg_.batch) {
    const int end = n - b0 < cfg_.batch ? n : b0 + cfg_.batch;
    for (int s = b0; s < end; ++s) {
      const long r = order != nullptr ? order[s] : s;
      accumulate(a, x + r * n_in_, t + r * n_out_, &sum);
    }
    (void)step(a);
  }
  if (mean_loss != nullptr) *mean_loss = sum / static_cast<Real>(n);
  return Status::Ok;
}

template <class Real>
Status MlpCore<Real>::evaluate(const Arrays& a, const Real* x, const Real* t, int n, Real* mean_loss,
                               int* correct) noexcept {
  if (!ready()) return Status::NotReady;
  if (x == nullptr || t == nullptr || n < 1) return Status::InvalidArgument;
  Real sum = 0;
  int ok = 0;
  for (int s = 0; s < n; ++s) {
    const Real* y = forward(a, x + static_cast<long>(s) * n_in_);
    const Real* ts = t + static_cast<long>(s) * n_out_;
    sum = sum + loss_value(cfg_.loss, y, ts, n_out_);
    ok += argmax(y, n_out_) == argmax(ts, n_out_);
  }
  forwarded_ = false;
  if (mean_loss != nullptr) *mean_loss = sum / static_cast<Real>(n);
  if (correct != nullptr) *correct = ok;
  return Status::Ok;
}

template <class Real>
Status MlpCore<Real>::set_params(const Arrays& a, const Real* p, int count) noexcept {
  if (!ready()) return Status::NotReady;
  if (p == nullptr || count != n_params_) return Status::InvalidArgument;
  for (int k = 0; k < n_params_; ++k) {
    a.params[k] = p[k];
    a.grad[k] = 0;
  }
  pending_ = 0;
  forwarded_ = false;
  return Status::Ok;
}

template class MlpCore<float>;
template class MlpCore<double>;

}  // namespace detail

template float loss_value<float>(Loss, const float*, const float*, int) noexcept;
template double loss_value<double>(Loss, const double*, const double*, int) noexcept;
template void loss_gradient<float>(Loss, const float*, const float*, int, float*) noexcept;
template void loss_gradient<double>(Loss, const double*, const double*, int, double*) noexcept;

}  // namespace starling
