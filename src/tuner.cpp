// SPDX-License-Identifier: MIT
// src/tuner.cpp: Tuner's phases (design, model, local) over the
// Gaussian-process engine (src/bayesopt.cpp) and the Nelder–Mead simplex
// below, with the handover rules between them; instantiated for float and
// double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/tuner.hpp"

#include <cmath>
#include <limits>

#include "starling/detail/model_math.hpp"

namespace starling {
namespace detail {

// ---- the simplex ------------------------------------------------------------------

template <class Real>
void SimplexEngine<Real>::begin(const Arrays& a, int n, const Real* x0, Real f0, Real step,
                                Real step_end) noexcept {
  n_ = n;
  step_end_ = step_end;
  fr_ = 0;
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j < n; ++j) {
      Real v = x0[j];
      if (i == j + 1) v = v + step <= 1 ? v + step : v - step;
      a.v[i * a.stride + j] = v;
    }
  a.fv[0] = f0;
  for (int i = 1; i <= n; ++i) a.fv[i] = std::numeric_limits<Real>::infinity();
  for (int j = 0; j < n; ++j) {
    a.c[j] = 0;
    a.r[j] = 0;
    a.y[j] = a.v[a.stride + j];
  }
  state_ = kInit;
  idx_ = 1;
}

// y = c + coef·(w − c), clamped into [0, 1].
template <class Real>
void SimplexEngine<Real>::trial(const Arrays& a, Real coef) noexcept {
  const Real* w = a.v + n_ * a.stride;
  for (int j = 0; j < n_; ++j) {
    Real v = a.c[j] + coef * (w[j] - a.c[j]);
    if (v < 0) v = 0;
    if (v > 1) v = 1;
    a.y[j] = v;
  }
}

// The worst vertex becomes x.
template <class Real>
void SimplexEngine<Real>::take(const Arrays& a, const Real* x, Real f) noexcept {
  Real* w = a.v + n_ * a.stride;
  for (int j = 0; j < n_; ++j) w[j] = x[j];
  a.fv[n_] = f;
}

// Sorts, tests convergence, proposes the reflection. True when converged.
template <class Real>
bool SimplexEngine<Real>::step(const Arrays& a) noexcept {
  const int n = n_, st = a.stride;
  for (int i = 1; i <= n; ++i) {  // insertion sort: stable
    int k = i;
    while (k > 0 && a.fv[k] < a.fv[k - 1]) {
      const Real tf = a.fv[k];
      a.fv[k] = a.fv[k - 1];
      a.fv[k - 1] = tf;
      for (int j = 0; j < n; ++j) {
        const Real t = a.v[k * st + j];
        a.v[k * st + j] = a.v[(k - 1) * st + j];
        a.v[(k - 1) * st + j] = t;
      }
      --k;
    }
  }
  Real size = 0;
  for (int i = 1; i <= n; ++i)
    for (int j = 0; j < n; ++j) {
      const Real d = std::fabs(a.v[i * st + j] - a.v[j]);
      if (d > size) size = d;
    }
  if (!(size >= step_end_)) return true;
  for (int j = 0; j < n; ++j) {
    Real sum = 0;
    for (int i = 0; i < n; ++i) sum = sum + a.v[i * st + j];
    a.c[j] = sum / static_cast<Real>(n);
  }
  trial(a, static_cast<Real>(-1));
  state_ = kReflect;
  return false;
}

template <class Real>
bool SimplexEngine<Real>::feed(const Arrays& a, const Real* y, Real f) noexcept {
  const int n = n_, st = a.stride;
  switch (state_) {
    case kInit:
    case kShrink:
      for (int j = 0; j < n; ++j) a.v[idx_ * st + j] = y[j];
      a.fv[idx_] = f;
      if (++idx_ <= n) {
        for (int j = 0; j < n; ++j) a.y[j] = a.v[idx_ * st + j];
        return false;
      }
      return step(a);
    case kReflect:
      for (int j = 0; j < n; ++j) a.r[j] = y[j];
      fr_ = f;
      if (f < a.fv[0]) {
        trial(a, static_cast<Real>(-2));
        state_ = kExpand;
        return false;
      }
      if (f < a.fv[n - 1]) {
        take(a, a.r, f);
        return step(a);
      }
      trial(a, f < a.fv[n] ? static_cast<Real>(-0.5) : static_cast<Real>(0.5));
      state_ = kContract;
      return false;
    case kExpand:
      if (f < fr_) {
        take(a, y, f);
      } else {
        take(a, a.r, fr_);
      }
      return step(a);
    default: {  // kContract
      const Real worst = fr_ < a.fv[n] ? fr_ : a.fv[n];
      if (f < worst) {
        take(a, y, f);
        return step(a);
      }
      for (int i = 1; i <= n; ++i)
        for (int j = 0; j < n; ++j)
          a.v[i * st + j] = a.v[j] + (a.v[i * st + j] - a.v[j]) / 2;
      state_ = kShrink;
      idx_ = 1;
      for (int j = 0; j < n; ++j) a.y[j] = a.v[st + j];
      return false;
    }
  }
}

template class SimplexEngine<float>;
template class SimplexEngine<double>;

// ---- Tuner ---------------------------------------------------------------------

template <class Real>
Status TunerCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims, int design,
                             const TunerConfig& cfg, uint64_t seed, bool cfg_valid) noexcept {
  base_.reset();
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  int n0 = 0;
  const Status design_st = resolve_design(design, dims, a.g.cap, cfg_valid, &n0);
  if (design_st != Status::Ok) return design_st;
  cfg_ = cfg;
  design_ = n0;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  // No candidate yet: lo, not a former run's point (saved states then
  // depend on this run only, and B3/A3/T4 hold).
  for (int j = 0; j < dims; ++j) a.x[j] = lo[j];
  gp_ = Gp{};
  gp_.configure(dims, gp_config(cfg));
  gp_.clear(a.g);
  simplex_ = Simplex{};
  Simplex::clear(a.s, dims);  // the saved state is this run's alone, whatever ran before
  phase_ = kDesign;
  phase_evals_ = 0;
  local_runs_ = 0;
  region(a);
  design_point(base_.key(), kTagDesign, dims, 0, a.rlo, a.rhi, a.cand);
  return Status::Ok;
}

template <class Real>
void TunerCore<Real>::region(const Arrays& a) const noexcept {
  model_region(base_, a.lo, a.hi, a.best, a.rlo, a.rhi);
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
  region_uniform_point(base_.key(), kTagFallback, static_cast<uint32_t>(k), n, a.rlo, a.rhi, a.cand);
}

template <class Real>
void TunerCore<Real>::start_model(const Arrays& a) noexcept {
  phase_ = kModel;
  phase_evals_ = 0;
  propose_model(a);
}

// A simplex around the incumbent (its value known: the first vertex is not
// asked again).
template <class Real>
void TunerCore<Real>::start_local(const Arrays& a) noexcept {
  const int n = base_.dims();
  box_to_unit(a.lo, a.hi, n, a.best, a.u);
  ++local_runs_;
  phase_ = kLocal;
  phase_evals_ = 0;
  simplex_.begin(a.s, n, a.u, base_.best_value(), static_cast<Real>(cfg_.step),
                 static_cast<Real>(cfg_.step_end));
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
    if (base_.has_start() && base_.evaluations() == 0) {
      for (int j = 0; j < n; ++j) a.x[j] = a.best[j];
    } else {
      unit_to_box(a.lo, a.hi, n, phase_ == kLocal ? simplex_.proposal(a.s) : a.cand, a.x);
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
  box_to_unit(a.lo, a.hi, n, a.x, a.u);
  gp_.add(a.g, a.u, f);
  if (!base_.end_generation()) return Status::Ok;
  ++phase_evals_;
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
      if (phase_evals_ >= model_evals()) {
        start_local(a);
      } else {
        propose_model(a);
      }
      break;
    default: {
      // The simplex's own coordinates of the point, unless a filter moved it.
      const Real* y = simplex_.proposal(a.s);
      Real* img = a.rlo;  // scratch
      unit_to_box(a.lo, a.hi, n, y, img);
      bool same = true;
      for (int j = 0; j < n; ++j)
        if (img[j] != a.x[j]) same = false;
      if (simplex_.feed(a.s, same ? y : a.u, f)) start_local(a);
      break;
    }
  }
  return Status::Ok;
}

template class TunerCore<float>;
template class TunerCore<double>;

}  // namespace detail
}  // namespace starling
