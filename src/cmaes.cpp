// SPDX-License-Identifier: MIT
// src/cmaes.cpp: the size-erased core of Cmaes: sampling, the (μ/μ_w, λ)
// update with cumulative step-size adaptation and rank-one and rank-μ
// covariance updates, the lazy Jacobi eigendecomposition and IPOP restarts,
// for float and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/cmaes.hpp"

#include <cmath>

#include "starling/detail/det_math.hpp"

namespace starling {

Status validate(const CmaesConfig& c) noexcept {
  return detail::cmaes_config_ok(c) ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

namespace {
// Counter word 3 of each kind of draw (key {seed, "CMA1", 0}).
enum : uint32_t {
  kTagSample = 0,   // {dim/4, k, g}: sample k of generation g, two Box–Muller pairs
  kTagRestart = 1,  // {dim/4, restart, g}: a new run's mean, 24-bit uniforms
};
constexpr int kMaxSweeps = 32;

template <class Real>
constexpr Real eps() noexcept {
  return std::numeric_limits<Real>::epsilon();
}
}  // namespace

// Weight of the k-th best sample (0-based): ln((λ + 1)/2) − ln(k + 1),
// divided by the sum of the positive ones (k < μ) or, negative, scaled to
// sum to −α⁻ (the tutorial's active update).
template <class Real>
Real CmaesCore<Real>::weight(int k) const noexcept {
  const Real w = wlog_ - det_log(static_cast<Real>(k + 1));
  return k < mu_ ? w / wpos_ : w * wneg_;
}

// The strategy parameters of Hansen's tutorial (Table 1) for λ samples in
// D dimensions, with its negative weights; sep-CMA scales the covariance
// learning rates by (D + 1.5)/3 (Ros & Hansen 2008).
template <class Real>
void CmaesCore<Real>::setup(int lambda) noexcept {
  lambda_ = lambda;
  mu_ = lambda / 2;
  const Real n = static_cast<Real>(base_.dims());
  wlog_ = det_log(static_cast<Real>(lambda + 1) * Real(0.5));
  Real sp = 0, sp2 = 0, sn = 0, sn2 = 0;
  for (int k = 0; k < lambda; ++k) {
    const Real w = wlog_ - det_log(static_cast<Real>(k + 1));
    if (k < mu_) {
      sp = sp + w;
      sp2 = sp2 + w * w;
    } else {
      sn = sn - w;
      sn2 = sn2 + w * w;
    }
  }
  wpos_ = sp;
  mueff_ = sp * sp / sp2;
  cs_ = (mueff_ + 2) / (n + mueff_ + 5);
  Real excess = std::sqrt((mueff_ - 1) / (n + 1)) - 1;
  if (excess < 0) excess = 0;
  ds_ = 1 + 2 * excess + cs_;
  cc_ = (4 + mueff_ / n) / (n + 4 + 2 * mueff_ / n);
  c1_ = 2 / ((n + Real(1.3)) * (n + Real(1.3)) + mueff_);
  cmu_ = 2 * (mueff_ - 2 + 1 / mueff_) / ((n + 2) * (n + 2) + mueff_);
  if (sep_) {
    const Real k = (n + Real(1.5)) / 3;
    c1_ = c1_ * k;
    cmu_ = cmu_ * k;
  }
  if (c1_ > Real(0.9)) c1_ = Real(0.9);  // only for D = 1 .. 2 under sep
  if (cmu_ > 1 - c1_) cmu_ = 1 - c1_;
  chin_ = std::sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  // Negative weights sum to −α⁻, α⁻ = min(1 + c1/cμ, 1 + 2μeff⁻/(μeff + 2),
  // (1 − c1 − cμ)/(D·cμ)).
  wneg_ = 0;
  wtotal_ = 1;
  if (sn > 0 && cmu_ > 0) {
    const Real mueff_neg = sn * sn / sn2;
    Real alpha = 1 + c1_ / cmu_;
    const Real a2 = 1 + 2 * mueff_neg / (mueff_ + 2);
    const Real a3 = (1 - c1_ - cmu_) / (n * cmu_);
    if (a2 < alpha) alpha = a2;
    if (a3 < alpha) alpha = a3;
    wneg_ = alpha / sn;
    wtotal_ = 1 - alpha;
  }
}

// Generations per stagnation window: ceil(T/5), T = 100 + 100·D^1.5/λ.
template <class Real>
int CmaesCore<Real>::window() const noexcept {
  const Real n = static_cast<Real>(base_.dims());
  const Real t = 100 + 100 * n * std::sqrt(n) / static_cast<Real>(lambda_);
  const Real w = t / kWindows;
  const int k = w < Real(1 << 24) ? static_cast<int>(w) : (1 << 24);
  return static_cast<Real>(k) < w ? k + 1 : k;
}

// A run from the current mean: σ0, C = B = I, paths zero.
template <class Real>
void CmaesCore<Real>::fresh_run(const Arrays& a) noexcept {
  const int n = base_.dims();
  sigma_ = static_cast<Real>(cfg_.sigma0);
  decay_ = 1;
  gen_best_ = std::numeric_limits<Real>::infinity();
  flat_ = 0;
  win_len_ = 0;
  windows_ = 0;
  win_sum_ = 0;
  for (Real& w : win_) w = 0;
  eigen_evals_ = base_.evaluations();
  for (int i = 0; i < n; ++i) {
    a.ps[i] = a.pc[i] = 0;
    a.d[i] = 1;
    for (int j = 0; j < n; ++j) a.c[i * a.stride + j] = a.b[i * a.stride + j] = i == j ? Real(1) : Real(0);
  }
}

template <class Real>
Status CmaesCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
                             const CmaesConfig& cfg, uint64_t seed, bool cfg_valid) noexcept {
  base_.reset();
  gen_.restart();  // a failed init answers as a fresh object (no batch, no population)
  lambda_ = 0;
  if (lo == nullptr || hi == nullptr || dims < 1 || population < 4) return Status::InvalidArgument;
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  if (population > a.max_pop) return Status::CapacityExceeded;
  if (!cfg_valid) return Status::InvalidArgument;

  cfg_ = cfg;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  sep_ = cfg.form == CmaesForm::Separable || (cfg.form == CmaesForm::Auto && dims > cfg.separable_above);
  lambda0_ = population;
  lambda_cap_ = a.max_pop;
  restarts_ = 0;
  setup(population);
  for (int i = 0; i < dims; ++i) a.m[i] = a.lo[i] + (a.hi[i] - a.lo[i]) * Real(0.5);
  fresh_run(a);
  gen_.restart();
  sample(a);
  return Status::Ok;
}

template <class Real>
Status CmaesCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  if (gen_.batch_n > 0) return Status::NotReady;
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  for (int i = 0; i < base_.dims(); ++i) a.m[i] = x[i];
  sample(a);
  for (int i = 0; i < base_.dims(); ++i) a.x[i] = x[i];
  return Status::Ok;
}

template <class Real>
Status CmaesCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending() || gen_.batch_n > 0) return Status::NotReady;
  tell_one(a, Base::sanitize(cost));
  return Status::Ok;
}

template <class Real>
void CmaesCore<Real>::tell_one(const Arrays& a, Real f) noexcept {
  base_.set_pending(false);
  const int k = gen_.cursor;
  a.f[k] = f;
  if (!base_.record(box(a), a.x + k * a.stride, f)) return;
  if (++gen_.cursor == lambda_) end_generation(a);
}

template <class Real>
void CmaesCore<Real>::end_generation(const Arrays& a) noexcept {
  gen_.cursor = 0;
  const bool converged = update(a);
  // The next generation is made even when this one ended the run, so that a
  // saved state always holds a consistent generation.
  (void)base_.end_generation();
  if (converged) {
    ++restarts_;
    int lambda = lambda_;
    if (cfg_.ipop) lambda = lambda_ <= lambda_cap_ / 2 ? 2 * lambda_ : lambda_cap_;
    setup(lambda);
    const int n = base_.dims();
    uint32_t w[4] = {0, 0, 0, 0};
    for (int i = 0; i < n; ++i) {
      if ((i & 3) == 0)
        base_.block(kTagRestart, static_cast<uint32_t>(base_.iteration()), static_cast<uint32_t>(restarts_),
                    static_cast<uint32_t>(i) >> 2, w);
      Real v = a.lo[i] + (a.hi[i] - a.lo[i]) * u32_to_unit<Real>(w[i & 3]);
      if (v > a.hi[i]) v = a.hi[i];
      a.m[i] = v;
    }
    fresh_run(a);
  }
  sample(a);
}

// The whole generation from the current distribution: z from Box–Muller
// pairs (block {q, k, g, kTagSample} gives dimensions 4q .. 4q + 3), y =
// B·(d∘z) (Separable: d∘z), x = m + σ·range∘y put on the box.
template <class Real>
void CmaesCore<Real>::sample(const Arrays& a) noexcept {
  const int n = base_.dims();
  const uint32_t g = static_cast<uint32_t>(base_.iteration());
  for (int k = 0; k < lambda_; ++k) {
    for (int q = 0; 4 * q < n; ++q) {
      uint32_t w[4];
      base_.block(kTagSample, g, static_cast<uint32_t>(k), static_cast<uint32_t>(q), w);
      Real z[4];
      det_normal2(w[0], w[1], &z[0], &z[1]);
      det_normal2(w[2], w[3], &z[2], &z[3]);
      for (int j = 0; j < 4 && 4 * q + j < n; ++j) a.t1[4 * q + j] = a.d[4 * q + j] * z[j];
    }
    Real* x = a.x + k * a.stride;
    for (int i = 0; i < n; ++i) {
      Real y = a.t1[i];
      if (!sep_) {
        y = 0;
        const Real* row = a.b + i * a.stride;
        for (int j = 0; j < n; ++j) y = y + row[j] * a.t1[j];
      }
      Real v = a.m[i] + (sigma_ * (a.hi[i] - a.lo[i])) * y;
      if (!(v >= a.lo[i])) v = a.lo[i];
      if (v > a.hi[i]) v = a.hi[i];
      x[i] = v;
    }
    a.f[k] = std::numeric_limits<Real>::quiet_NaN();
  }
}

// One generation's update (all λ costs told). Returns true when the run
// has converged (a restart is due).
template <class Real>
bool CmaesCore<Real>::update(const Arrays& a) noexcept {
  const int n = base_.dims(), s = a.stride;
  const Real rn = static_cast<Real>(n);
  // Candidates by cost, ties by index (insertion sort: stable).
  for (int i = 0; i < lambda_; ++i) {
    int j = i;
    while (j > 0 && a.f[i] < a.f[a.order[j - 1]]) {
      a.order[j] = a.order[j - 1];
      --j;
    }
    a.order[j] = i;
  }
  const Real fbest = a.f[a.order[0]], fworst = a.f[a.order[lambda_ - 1]];
  const Real fmedian = a.f[a.order[lambda_ / 2]];
  int flat_rank = (7 * lambda_ + 9) / 10;  // ceil(0.7·λ)
  const bool flat_fitness = fbest == a.f[a.order[flat_rank - 1]];

  // Every step y = (x − m)/(σ·range), in place in its row, and its
  // Mahalanobis length² ‖C^-½·y‖² into the cost slot (no longer needed):
  // the μ best are shortened to c_y, the others enter the active update
  // with weight w·D/‖C^-½·y‖² (Hansen's tutorial). The weighted mean of the
  // μ best into t2.
  const Real cy = std::sqrt(rn) + 2 * rn / (rn + 2);
  for (int i = 0; i < n; ++i) a.t2[i] = 0;
  for (int k = 0; k < lambda_; ++k) {
    const int row = a.order[k];
    Real* y = a.x + row * s;
    for (int i = 0; i < n; ++i) y[i] = (y[i] - a.m[i]) / (sigma_ * (a.hi[i] - a.lo[i]));
    if (k >= mu_ && wneg_ == 0) continue;
    Real len2 = 0;
    for (int j = 0; j < n; ++j) {
      Real t = y[j];
      if (!sep_) {
        t = 0;
        for (int i = 0; i < n; ++i) t = t + a.b[i * s + j] * y[i];
      }
      t = t / a.d[j];
      len2 = len2 + t * t;
    }
    if (k < mu_) {
      if (len2 > cy * cy) {
        const Real shrink = cy / std::sqrt(len2);
        for (int i = 0; i < n; ++i) y[i] = y[i] * shrink;
      }
      const Real w = weight(k);
      for (int i = 0; i < n; ++i) a.t2[i] = a.t2[i] + w * y[i];
    }
    a.f[row] = len2;
  }
  // Mean.
  for (int i = 0; i < n; ++i) {
    Real v = a.m[i] + (sigma_ * (a.hi[i] - a.lo[i])) * a.t2[i];
    if (!(v >= a.lo[i])) v = a.lo[i];
    if (v > a.hi[i]) v = a.hi[i];
    a.m[i] = v;
  }
  // p_σ += √(cσ(2 − cσ)μeff)·C^-½·ȳ, C^-½ = B·diag(1/d)·Bᵀ.
  for (int j = 0; j < n; ++j) {
    Real t = a.t2[j];
    if (!sep_) {
      t = 0;
      for (int i = 0; i < n; ++i) t = t + a.b[i * s + j] * a.t2[i];
    }
    a.t1[j] = t / a.d[j];
  }
  const Real ks = std::sqrt(cs_ * (2 - cs_) * mueff_);
  Real ps2 = 0;
  for (int i = 0; i < n; ++i) {
    Real q = a.t1[i];
    if (!sep_) {
      q = 0;
      for (int j = 0; j < n; ++j) q = q + a.b[i * s + j] * a.t1[j];
    }
    const Real p = (1 - cs_) * a.ps[i] + ks * q;
    a.ps[i] = p;
    ps2 = ps2 + p * p;
  }
  decay_ = decay_ * ((1 - cs_) * (1 - cs_));
  const Real hlim = (Real(1.4) + 2 / (rn + 1)) * chin_;
  const bool hsig = ps2 < (1 - decay_) * (hlim * hlim);
  const Real kc = hsig ? std::sqrt(cc_ * (2 - cc_) * mueff_) : Real(0);
  for (int i = 0; i < n; ++i) a.pc[i] = (1 - cc_) * a.pc[i] + kc * a.t2[i];
  // C = (1 − c1 − cμ·Σw + (1 − h_σ)·c1·cc(2 − cc))·C + c1·p_c·p_cᵀ
  //     + cμ·Σ w°_k·y_k·y_kᵀ (upper triangle; Separable: the diagonal).
  const Real keep = 1 - c1_ - cmu_ * wtotal_ + (hsig ? Real(0) : c1_ * cc_ * (2 - cc_));
  for (int i = 0; i < n; ++i)
    for (int j = i; j < (sep_ ? i + 1 : n); ++j)
      a.c[i * s + j] = keep * a.c[i * s + j] + c1_ * (a.pc[i] * a.pc[j]);
  for (int k = 0; k < lambda_; ++k) {
    const int row = a.order[k];
    Real w = weight(k);
    if (k >= mu_) {
      const Real len2 = a.f[row];
      if (w == 0 || !(len2 > 0)) continue;
      w = w * (rn / len2);
    }
    w = cmu_ * w;
    const Real* y = a.x + row * s;
    for (int i = 0; i < n; ++i) {
      const Real wy = w * y[i];
      for (int j = i; j < (sep_ ? i + 1 : n); ++j) a.c[i * s + j] = a.c[i * s + j] + wy * y[j];
    }
  }
  // σ by cumulative step-size adaptation (the exponent capped at 1), and
  // Hansen's escape from flat fitness.
  Real e = (cs_ / ds_) * (std::sqrt(ps2) / chin_ - 1);
  if (e > 1) e = 1;
  if (flat_fitness) e = e + Real(0.2) + cs_ / ds_;
  sigma_ = sigma_ * det_exp(e);
  // Axis lengths: Jacobi when due (Full), √C_ii (Separable).
  if (sep_) {
    for (int i = 0; i < n; ++i) {
      const Real v = a.c[i * s + i];
      a.d[i] = std::sqrt(v >= std::numeric_limits<Real>::min() ? v : std::numeric_limits<Real>::min());
    }
  } else if (static_cast<Real>(base_.evaluations() - eigen_evals_) >=
             static_cast<Real>(lambda_) / ((c1_ + cmu_) * rn * 10)) {
    eigen(a);
    eigen_evals_ = base_.evaluations();
  }
  // Convergence: flat costs for long, no coordinate moves, C degenerate, σ
  // far beyond the box.
  const Real tol = Real(1e-12) + 16 * eps<Real>() * std::fabs(fbest);
  const bool flat = fworst - fbest <= tol && std::fabs(fbest - gen_best_) <= tol;
  flat_ = flat ? flat_ + 1 : 0;
  gen_best_ = fbest;
  Real dmax = 0, dmin = std::numeric_limits<Real>::max();
  bool moves = false, sane = std::isfinite(sigma_) && sigma_ > 0;
  for (int i = 0; i < n; ++i) {
    if (!(a.d[i] > 0 && a.d[i] <= std::numeric_limits<Real>::max()) || !std::isfinite(a.c[i * s + i]))
      sane = false;
    if (a.d[i] > dmax) dmax = a.d[i];
    if (a.d[i] < dmin) dmin = a.d[i];
    const Real step = Real(0.2) * (sigma_ * (a.hi[i] - a.lo[i])) * std::sqrt(a.c[i * s + i]);
    if (a.m[i] + step != a.m[i]) moves = true;
  }
  // Stagnation (pycma's tolstagnation in windows): the mean of the
  // generations' median costs over the last fifth of T = 100 + 100·D^1.5/λ
  // generations is no better than over the fifth four windows before.
  bool stagnant = false;
  win_sum_ = win_sum_ + fmedian;
  if (++win_len_ == window()) {
    const Real mean = win_sum_ / static_cast<Real>(win_len_);
    stagnant = windows_ >= kWindows - 1 && !(mean < win_[(windows_ + 1) % kWindows]);
    win_[windows_ % kWindows] = mean;
    ++windows_;
    win_len_ = 0;
    win_sum_ = 0;
  }
  const int patience = 10 + (30 * n + lambda_ - 1) / lambda_;
  return !sane || stagnant || flat_ >= patience || !moves || dmax > dmin / (2 * std::sqrt(eps<Real>())) ||
         !(sigma_ * dmax <= Real(1000));
}

// Cyclic Jacobi on C (copied into the strict lower triangle, diagonal in
// a.d), rotations accumulated into B from I; then d = √eigenvalues, the
// smallest floored at ε·the largest. Stops after a sweep without a rotation
// (off-diagonal entries below 1/100 ulp of both diagonal ones are zeroed,
// Numerical Recipes' test) or 32 sweeps.
template <class Real>
void CmaesCore<Real>::eigen(const Arrays& a) noexcept {
  const int n = base_.dims(), s = a.stride;
  Real* c = a.c;
  Real* ev = a.d;
  for (int i = 0; i < n; ++i) {
    ev[i] = c[i * s + i];
    for (int j = 0; j < n; ++j) {
      if (j < i) c[i * s + j] = c[j * s + i];
      a.b[i * s + j] = i == j ? Real(1) : Real(0);
    }
  }
  // Element (i, j), i != j, of the working matrix: the strict lower triangle.
  auto A = [c, s](int i, int j) -> Real& { return i > j ? c[i * s + j] : c[j * s + i]; };
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool rotated = false;
    for (int p = 0; p + 1 < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        const Real apq = A(q, p);
        if (apq == 0) continue;
        const Real app = ev[p], aqq = ev[q];
        const Real g = 100 * std::fabs(apq);
        if (std::fabs(app) + g == std::fabs(app) && std::fabs(aqq) + g == std::fabs(aqq)) {
          A(q, p) = 0;
          continue;
        }
        const Real h = aqq - app;
        Real t;
        if (std::fabs(h) + g == std::fabs(h)) {
          t = apq / h;
        } else {
          const Real theta = Real(0.5) * h / apq;
          t = 1 / (std::fabs(theta) + std::sqrt(1 + theta * theta));
          if (theta < 0) t = -t;
        }
        const Real cs = 1 / std::sqrt(1 + t * t), sn = t * cs, tau = sn / (1 + cs);
        const Real hh = t * apq;
        ev[p] = app - hh;
        ev[q] = aqq + hh;
        A(q, p) = 0;
        for (int r = 0; r < n; ++r) {
          if (r != p && r != q) {
            Real& rp = A(r, p);
            Real& rq = A(r, q);
            const Real g1 = rp, h1 = rq;
            rp = g1 - sn * (h1 + g1 * tau);
            rq = h1 + sn * (g1 - h1 * tau);
          }
          Real* br = a.b + r * s;
          const Real g2 = br[p], h2 = br[q];
          br[p] = g2 - sn * (h2 + g2 * tau);
          br[q] = h2 + sn * (g2 - h2 * tau);
        }
        rotated = true;
      }
    if (!rotated) break;
  }
  Real top = 0;
  for (int i = 0; i < n; ++i)
    if (ev[i] > top) top = ev[i];
  Real floor = top * eps<Real>();
  if (!(floor >= std::numeric_limits<Real>::min())) floor = std::numeric_limits<Real>::min();
  for (int i = 0; i < n; ++i) ev[i] = std::sqrt(ev[i] > floor ? ev[i] : floor);
}

template class CmaesCore<float>;
template class CmaesCore<double>;

}  // namespace detail
}  // namespace starling
