// SPDX-License-Identifier: MIT
// src/tuner.cpp: Tuner's phases (design, model, local, walk) over the
// Gaussian-process engine (src/bayesopt.cpp), the BOBYQA engine
// (src/bobyqa.cpp) and the (1+1)-CMA-ES walk below, with the handover rules
// between them; instantiated for float and double.
#include "starling/tuner.hpp"

#include <cmath>
#include <limits>

#include "starling/detail/model_math.hpp"

namespace starling {
namespace detail {

// ---- the walk: (1+1)-CMA-ES with active covariance update --------------------

template <class Real>
void WalkEngine<Real>::begin(const Arrays& a, int n, const Real* x0, Real f0, Real sigma0,
                             Real sigma_end) noexcept {
  n_ = n;
  k_ = 0;
  fx_ = f0;
  sigma_ = sigma0;
  sigma_end_ = sigma_end;
  psucc_ = static_cast<Real>(2) / static_cast<Real>(11);
  nanc_ = 0;
  for (int i = 0; i < n; ++i) {
    a.x[i] = x0[i];
    a.pc[i] = 0;
    for (int j = 0; j < n; ++j) {
      a.c[i * a.stride + j] = i == j ? 1 : 0;
      a.a[i * a.stride + j] = i == j ? 1 : 0;
    }
  }
}

// C = A·Aᵀ (A lower, row by row); a matrix that is no longer positive
// definite in Real arithmetic restarts from the identity.
template <class Real>
void WalkEngine<Real>::factor(const Arrays& a) noexcept {
  const int n = n_, st = a.stride;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j <= i; ++j) {
      Real sum = a.c[i * st + j];
      for (int k = 0; k < j; ++k) sum = sum - a.a[i * st + k] * a.a[j * st + k];
      if (i == j) {
        if (!(sum > 0)) {
          for (int p = 0; p < n; ++p)
            for (int q = 0; q < n; ++q) {
              a.c[p * st + q] = p == q ? 1 : 0;
              a.a[p * st + q] = p == q ? 1 : 0;
            }
          return;
        }
        a.a[i * st + i] = std::sqrt(sum);
      } else {
        a.a[i * st + j] = sum / a.a[j * st + j];
      }
    }
    for (int j = i + 1; j < n; ++j) a.a[i * st + j] = 0;
  }
}

// z by Marsaglia's polar method: for the pair p of dimensions (2p, 2p + 1),
// try t = 0, 1, ... takes block {p, t, k, tag}, u = 2·w0 − 1, v = 2·w1 − 1
// (24-bit uniforms) until 0 < s = u² + v² < 1, then z = (u, v)·√(−2 ln s / s)
// (0 after 64 rejections, which has probability 2^-140).
template <class Real>
void WalkEngine<Real>::propose(const Arrays& a, const uint32_t key[4], uint32_t tag,
                               const Real* lo_r, const Real* hi_r) noexcept {
  const int n = n_, st = a.stride;
  Real* z = a.az;  // z first, then A·z in place (from the last row up)
  for (int p = 0; 2 * p < n; ++p) {
    Real z0 = 0, z1 = 0;
    for (uint32_t t = 0; t < 64; ++t) {
      uint32_t w4[4];
      swarm_block(key, tag, k_, t, static_cast<uint32_t>(p), w4);
      const Real u = u32_to_unit<Real>(w4[0]) * 2 - 1, v = u32_to_unit<Real>(w4[1]) * 2 - 1;
      const Real s = u * u + v * v;
      if (s > 0 && s < 1) {
        const Real m = std::sqrt(static_cast<Real>(-2) * det_log(s) / s);
        z0 = u * m;
        z1 = v * m;
        break;
      }
    }
    z[2 * p] = z0;
    if (2 * p + 1 < n) z[2 * p + 1] = z1;
  }
  for (int i = n - 1; i >= 0; --i) {
    Real sum = 0;
    for (int j = 0; j <= i; ++j) sum = sum + a.a[i * st + j] * z[j];
    z[i] = sum;
  }
  for (int i = 0; i < n; ++i) {
    Real v = a.x[i] + sigma_ * z[i];
    if (v < lo_r[i]) v = lo_r[i];
    if (v > hi_r[i]) v = hi_r[i];
    a.y[i] = v;
  }
  ++k_;
}

template <class Real>
bool WalkEngine<Real>::feed(const Arrays& a, const Real* y, Real f) noexcept {
  const int n = n_, st = a.stride;
  const Real nf = static_cast<Real>(n);
  const Real ptarget = static_cast<Real>(2) / static_cast<Real>(11);
  const Real cp = static_cast<Real>(1) / static_cast<Real>(12);
  const Real cc = static_cast<Real>(2) / (nf + 2);
  const Real ccov = static_cast<Real>(2) / (nf * nf + 6);
  const Real pthresh = static_cast<Real>(0.44);
  const Real damp = 1 + nf / 2;
  const bool success = f <= fx_ && f < std::numeric_limits<Real>::infinity();
  // The step as taken (a clamp or a safety filter may have moved it).
  for (int i = 0; i < n; ++i) a.az[i] = (y[i] - a.x[i]) / sigma_;
  psucc_ = (1 - cp) * psucc_ + (success ? cp : static_cast<Real>(0));
  Real sigma = sigma_ * det_exp((psucc_ - ptarget) / (damp * (1 - ptarget)));
  if (sigma > static_cast<Real>(0.5)) sigma = static_cast<Real>(0.5);
  if (success) {
    if (nanc_ < 5) {
      anc_[nanc_++] = fx_;
    } else {
      for (int q = 0; q < 4; ++q) anc_[q] = anc_[q + 1];
      anc_[4] = fx_;
    }
    for (int i = 0; i < n; ++i) a.x[i] = y[i];
    fx_ = f;
    const Real h = std::sqrt(cc * (2 - cc));
    if (psucc_ < pthresh) {
      for (int i = 0; i < n; ++i) a.pc[i] = (1 - cc) * a.pc[i] + h * a.az[i];
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          a.c[i * st + j] = (1 - ccov) * a.c[i * st + j] + ccov * (a.pc[i] * a.pc[j]);
    } else {
      for (int i = 0; i < n; ++i) a.pc[i] = (1 - cc) * a.pc[i];
      const Real keep = cc * (2 - cc);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
          a.c[i * st + j] = (1 - ccov) * a.c[i * st + j] + ccov * (a.pc[i] * a.pc[j] + keep * a.c[i * st + j]);
    }
    factor(a);
  } else if (nanc_ == 5 && f > anc_[0]) {
    // Worse than the fifth ancestor: shrink C along this step (z = A⁻¹·az).
    Real* z = a.y;  // the offspring is no longer needed
    Real zz = 0;
    for (int i = 0; i < n; ++i) {
      Real sum = a.az[i];
      for (int j = 0; j < i; ++j) sum = sum - a.a[i * st + j] * z[j];
      z[i] = sum / a.a[i * st + i];
      zz = zz + z[i] * z[i];
    }
    // c⁻ = 0.4/(n^1.6 + 1), at most 1/(2‖z‖² − 1) so that C stays positive definite.
    Real cm = static_cast<Real>(0.4) / (det_exp(static_cast<Real>(1.6) * det_log(nf)) + 1);
    const Real lim = 2 * zz - 1;
    if (1 < cm * lim) cm = 1 / lim;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        a.c[i * st + j] = (1 + cm) * a.c[i * st + j] - cm * (a.az[i] * a.az[j]);
    factor(a);
  }
  sigma_ = sigma;
  return sigma_ < sigma_end_;
}

template class WalkEngine<float>;
template class WalkEngine<double>;

// ---- Tuner ---------------------------------------------------------------------

template <class Real>
int TunerCore<Real>::model_evals() const noexcept {
  return cfg_.model_evals > 0 ? cfg_.model_evals : 4 * base_.dims();
}
template <class Real>
int TunerCore<Real>::model_evals_later() const noexcept {
  return cfg_.model_evals_later > 0 ? cfg_.model_evals_later : 2 * base_.dims() + 2;
}

template <class Real>
Status TunerCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims, int design,
                             const TunerConfig& cfg, uint64_t seed, bool cfg_valid) noexcept {
  base_.reset();
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  int n0 = design;
  if (n0 == 0) {
    n0 = bayesopt_default_design(dims);
    if (n0 > a.g.cap) n0 = a.g.cap;
  }
  if (n0 < 2 || n0 > a.g.cap || !cfg_valid) return Status::InvalidArgument;
  cfg_ = cfg;
  design_ = n0;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  gp_ = Gp{};
  gp_.configure(dims, gp_config(cfg));
  gp_.clear(a.g);
  for (int j = 0; j < dims; ++j) {
    const Real r = hi[j] - lo[j];
    a.e.ulo[j] = lo[j] / r;
    a.e.uhi[j] = hi[j] / r;
  }
  local_ = Local{};
  const Real re = static_cast<Real>(cfg.rho_end);
  local_.configure(dims, 2 * dims + 1, re > bobyqa_rho_floor<Real>() ? re : bobyqa_rho_floor<Real>());
  walk_ = Walk{};
  phase_ = kDesign;
  phase_evals_ = 0;
  local_runs_ = 0;
  pbest_f_ = std::numeric_limits<Real>::infinity();
  region(a);
  design_point(base_.key(), kTagDesign, dims, 0, a.rlo, a.rhi, a.cand);
  return Status::Ok;
}

template <class Real>
void TunerCore<Real>::region(const Arrays& a) const noexcept {
  const int n = base_.dims();
  const Real r = static_cast<Real>(base_.trust_radius());
  const bool centred = r > 0 && (base_.evaluations() > 0 || base_.has_start());
  for (int j = 0; j < n; ++j) {
    Real lo = 0, hi = 1;
    if (centred) {
      const Real c = (a.best[j] - a.lo[j]) / (a.hi[j] - a.lo[j]);
      if (c - r > lo) lo = c - r;
      if (c + r < hi) hi = c + r;
      if (hi < lo) hi = lo;
    }
    a.rlo[j] = lo;
    a.rhi[j] = hi;
  }
}

template <class Real>
void TunerCore<Real>::propose_model(const Arrays& a) noexcept {
  const long k = base_.evaluations();
  region(a);
  const int n = base_.dims();
  if (gp_.fit(a.g)) {
    gp_.search(a.g, base_.key(), kTagSearch, static_cast<uint32_t>(k), a.rlo, a.rhi, a.cand);
    return;
  }
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int j = 0; j < n; ++j) {
    if ((j & 1) == 0) base_.block(kTagFallback, static_cast<uint32_t>(k), 0, static_cast<uint32_t>(j) >> 1, w4);
    Real v = a.rlo[j] + u32_to_unit<Real>(w4[(j & 1) * 2]) * (a.rhi[j] - a.rlo[j]);
    if (v > a.rhi[j]) v = a.rhi[j];
    a.cand[j] = v;
  }
}

template <class Real>
void TunerCore<Real>::start_model(const Arrays& a) noexcept {
  phase_ = kModel;
  phase_evals_ = 0;
  pbest_f_ = std::numeric_limits<Real>::infinity();
  propose_model(a);
}

// The local phase: BOBYQA from the incumbent (the first time) or from the
// best point of the model phase that just ended (later: a new basin).
template <class Real>
void TunerCore<Real>::start_local(const Arrays& a) noexcept {
  const int n = base_.dims();
  const Real inf = std::numeric_limits<Real>::infinity();
  const bool own = local_runs_ > 0 && pbest_f_ < inf;
  const Real* from = own ? a.pbest : a.best;
  const Real f0 = own ? pbest_f_ : base_.best_value();
  ++local_runs_;
  phase_ = kLocal;
  phase_evals_ = 0;
  if (from != a.pbest)
    for (int j = 0; j < n; ++j) a.pbest[j] = from[j];
  pbest_f_ = f0;
  box_to_unit(a.lo, a.hi, a.e.ulo, a.e.uhi, n, a.pbest, a.u);
  local_.begin(a.e, a.u, static_cast<Real>(cfg_.rho_begin), f0 < inf, f0);
}

// The walk from the local phase's best point.
template <class Real>
void TunerCore<Real>::start_walk(const Arrays& a) noexcept {
  const int n = base_.dims();
  const Real inf = std::numeric_limits<Real>::infinity();
  const Real* from = pbest_f_ < inf ? a.pbest : a.best;
  const Real f0 = pbest_f_ < inf ? pbest_f_ : base_.best_value();
  for (int j = 0; j < n; ++j) {
    Real v = (from[j] - a.lo[j]) / (a.hi[j] - a.lo[j]);
    if (v > 1) v = 1;
    if (v < 0) v = 0;
    a.u[j] = v;
  }
  phase_ = kWalk;
  phase_evals_ = 0;
  walk_.begin(a.w, n, a.u, f0, static_cast<Real>(cfg_.walk_sigma), static_cast<Real>(cfg_.walk_sigma_end));
  region(a);
  walk_.propose(a.w, base_.key(), kTagWalk + (static_cast<uint32_t>(local_runs_) << 8), a.rlo, a.rhi);
}

template <class Real>
Status TunerCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  region(a);
  design_point(base_.key(), kTagDesign, base_.dims(), 0, a.rlo, a.rhi, a.cand);
  return Status::Ok;
}

template <class Real>
const Real* TunerCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running()) return nullptr;
  if (!base_.pending()) {
    const int n = base_.dims();
    if (phase_ == kLocal) {
      unit_to_box(a.lo, a.hi, a.e.ulo, a.e.uhi, n, local_.proposal(a.e), a.x);
    } else if (base_.has_start() && base_.evaluations() == 0) {
      for (int j = 0; j < n; ++j) a.x[j] = a.best[j];
    } else {
      const Real* t = phase_ == kWalk ? walk_.proposal(a.w) : a.cand;
      for (int j = 0; j < n; ++j) {
        Real v = t[j] <= 0 ? a.lo[j] : t[j] >= 1 ? a.hi[j] : a.lo[j] + t[j] * (a.hi[j] - a.lo[j]);
        if (v > a.hi[j]) v = a.hi[j];
        a.x[j] = v;
      }
    }
    if (!base_.filter(box(a), a.x, 0)) return nullptr;
    base_.set_pending(true);
  }
  return a.x;
}

template <class Real>
Status TunerCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending()) return Status::NotReady;
  base_.set_pending(false);
  const Real f = Base::sanitize(cost);
  if (!base_.record(box(a), a.x, f)) return Status::Ok;
  const int n = base_.dims();
  for (int j = 0; j < n; ++j) {
    Real v = (a.x[j] - a.lo[j]) / (a.hi[j] - a.lo[j]);
    if (v > 1) v = 1;
    if (v < 0) v = 0;
    a.u[j] = v;
  }
  gp_.add(a.g, a.u, f);
  if (!base_.end_generation()) return Status::Ok;
  ++phase_evals_;
  if (f < pbest_f_) {
    pbest_f_ = f;
    for (int j = 0; j < n; ++j) a.pbest[j] = a.x[j];
  }
  switch (phase_) {
    case kDesign:
      if (base_.evaluations() < design_) {
        region(a);
        design_point(base_.key(), kTagDesign, n, static_cast<int>(base_.evaluations()), a.rlo, a.rhi, a.cand);
      } else {
        start_model(a);
      }
      break;
    case kModel:
      if (phase_evals_ >= (local_runs_ == 0 ? model_evals() : model_evals_later())) {
        start_local(a);
      } else {
        propose_model(a);
      }
      break;
    case kLocal: {
      const Real* cand = local_.proposal(a.e);
      Real* img = a.rlo;  // scratch
      unit_to_box(a.lo, a.hi, a.e.ulo, a.e.uhi, n, cand, img);
      bool same = true;
      for (int j = 0; j < n; ++j)
        if (img[j] != a.x[j]) same = false;
      const Real* u = cand;
      if (!same) {
        box_to_unit(a.lo, a.hi, a.e.ulo, a.e.uhi, n, a.x, a.rhi);
        u = a.rhi;
      }
      if (local_.feed(a.e, u, f)) start_walk(a);
      break;
    }
    default: {
      // The walk's own coordinates of the point, unless a filter moved it.
      const Real* y = walk_.proposal(a.w);
      bool same = true;
      for (int j = 0; j < n; ++j) {
        Real v = y[j] <= 0 ? a.lo[j] : y[j] >= 1 ? a.hi[j] : a.lo[j] + y[j] * (a.hi[j] - a.lo[j]);
        if (v > a.hi[j]) v = a.hi[j];
        if (v != a.x[j]) same = false;
      }
      if (walk_.feed(a.w, same ? y : a.u, f)) {
        start_model(a);
      } else {
        region(a);
        walk_.propose(a.w, base_.key(), kTagWalk + (static_cast<uint32_t>(local_runs_) << 8), a.rlo, a.rhi);
      }
      break;
    }
  }
  return Status::Ok;
}

template class TunerCore<float>;
template class TunerCore<double>;

}  // namespace detail
}  // namespace starling
