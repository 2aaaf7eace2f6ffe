// SPDX-License-Identifier: MIT
// src/nelder_mead.cpp: the size-erased Nelder–Mead core (starling/nelder_mead.hpp)
// over the family's OptCore: the step state machine, projection, restarts on
// collapse, and the saved state; instantiated for float and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/nelder_mead.hpp"

#include <cmath>

#include "starling/detail/det_math.hpp"

namespace starling {


Status validate(const NelderMeadConfig& c) noexcept {
  return detail::nelder_mead_config_ok(c) ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

template <class Real>
void NelderMeadCore<Real>::set_coefficients() noexcept {
  const int n = base_.dims();
  alpha_ = 1;
  if (cfg_.adaptive && n >= 2) {
    const Real rn = static_cast<Real>(n);
    beta_ = 1 + Real(2) / rn;
    gamma_ = Real(0.75) - Real(1) / (2 * rn);
    delta_ = 1 - Real(1) / rn;
  } else {
    beta_ = 2;
    gamma_ = Real(0.5);
    delta_ = Real(0.5);
  }
}

template <class Real>
Status NelderMeadCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims,
                                  int population, const NelderMeadConfig& cfg,
                                  uint64_t seed, bool cfg_valid) noexcept {
  base_.reset();
  if (lo == nullptr || hi == nullptr || dims < 1 || population != 0) return Status::InvalidArgument;
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  if (!cfg_valid) return Status::InvalidArgument;
  cfg_ = cfg;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  set_coefficients();
  phase_ = Phase::Build;
  vertex_ = 0;
  l_ = s_ = h_ = 0;
  restarts_ = 0;
  trial_ = 0;
  fr_ = std::numeric_limits<Real>::infinity();
  // Vertex 0 uniform in the box; every row starts as a copy of it (so that
  // every stored vertex is always inside the box), every cost +inf.
  Real* v0 = a.simplex;
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int d = 0; d < dims; ++d) {
    if ((d & 3) == 0) base_.block(kTagVertex0, 0, 0, static_cast<uint32_t>(d) >> 2, w4);
    Real x = lo[d] + (hi[d] - lo[d]) * u32_to_unit<Real>(w4[d & 3]);
    if (x > hi[d]) x = hi[d];
    v0[d] = x;
    a.cen[d] = x;
    a.xr[d] = x;
    a.x[d] = x;
  }
  for (int i = 0; i <= dims; ++i) {
    Real* v = a.simplex + i * a.stride;
    for (int d = 0; d < dims && i > 0; ++d) v[d] = v0[d];
    a.fv[i] = std::numeric_limits<Real>::infinity();
  }
  return Status::Ok;
}

template <class Real>
Status NelderMeadCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  for (int i = 0; i <= base_.dims(); ++i)
    for (int d = 0; d < base_.dims(); ++d) a.simplex[i * a.stride + d] = x[d];
  return Status::Ok;
}

// The candidate of the current phase into a.x.
template <class Real>
void NelderMeadCore<Real>::build(const Arrays& a) noexcept {
  const int n = base_.dims();
  Real* x = a.x;
  const Real* c = a.cen;
  switch (phase_) {
    case Phase::Build: {
      const Real* v0 = a.simplex;
      for (int j = 0; j < n; ++j) x[j] = v0[j];
      if (vertex_ == 0) break;
      // Vertex k = vertex 0 moved by ±step·range along axis k − 1.
      const int d = vertex_ - 1;
      uint32_t w4[4];
      base_.block(kTagSigns, static_cast<uint32_t>(restarts_), 0, static_cast<uint32_t>(d) >> 2, w4);
      const bool minus = (w4[d & 3] >> 31) != 0;
      const Real h = static_cast<Real>(cfg_.step) * (a.hi[d] - a.lo[d]);
      Real y = minus ? v0[d] - h : v0[d] + h;
      if (y < a.lo[d] || y > a.hi[d]) y = minus ? v0[d] + h : v0[d] - h;
      x[d] = y;
      break;
    }
    default: {
      // Every step's point is c + k·(p − c): reflection cen − α·(worst −
      // cen) (the same bits as cen + α·(cen − worst): negation is exact),
      // expansion and outside contraction from the reflected point,
      // inside contraction from the worst, shrink from the best vertex.
      const Real* w = a.simplex + h_ * a.stride;
      const Real* p = phase_ == Phase::Expand || phase_ == Phase::ContractOut ? a.xr : w;
      Real k = phase_ == Phase::Reflect ? -alpha_ : phase_ == Phase::Expand ? beta_ : gamma_;
      if (phase_ == Phase::Shrink) {
        c = a.simplex + l_ * a.stride;
        p = a.simplex + vertex_ * a.stride;
        k = delta_;
      }
      for (int d = 0; d < n; ++d) x[d] = c[d] + k * (p[d] - c[d]);
      break;
    }
  }
  for (int d = 0; d < n; ++d) {  // the projection onto the box
    if (x[d] < a.lo[d]) x[d] = a.lo[d];
    if (x[d] > a.hi[d]) x[d] = a.hi[d];
  }
}

template <class Real>
const Real* NelderMeadCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running()) return nullptr;
  if (!base_.pending()) {
    build(a);
    if (!base_.filter(box(a), a.x, trial_)) return nullptr;
    base_.set_pending(true);
  }
  return a.x;
}

template <class Real>
Status NelderMeadCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending()) return Status::NotReady;
  base_.set_pending(false);
  const Real f = Base::sanitize(cost);
  ++trial_;
  if (!base_.record(box(a), a.x, f)) return Status::Ok;
  advance(a, f);
  return Status::Ok;
}

template <class Real>
void NelderMeadCore<Real>::replace_worst(const Arrays& a, const Real* x, Real f) noexcept {
  Real* w = a.simplex + h_ * a.stride;
  for (int d = 0; d < base_.dims(); ++d) w[d] = x[d];
  a.fv[h_] = f;
}

template <class Real>
void NelderMeadCore<Real>::next_shrink_vertex() noexcept {
  ++vertex_;
  if (vertex_ == l_) ++vertex_;
}

template <class Real>
void NelderMeadCore<Real>::advance(const Arrays& a, Real f) noexcept {
  const int n = base_.dims();
  switch (phase_) {
    case Phase::Build: {
      Real* v = a.simplex + vertex_ * a.stride;
      for (int d = 0; d < n; ++d) v[d] = a.x[d];
      a.fv[vertex_] = f;
      if (++vertex_ > n) finish_step(a);
      return;
    }
    case Phase::Reflect:
      for (int d = 0; d < n; ++d) a.xr[d] = a.x[d];
      fr_ = f;
      if (f < a.fv[l_]) {
        phase_ = Phase::Expand;
      } else if (f < a.fv[s_]) {
        replace_worst(a, a.xr, f);
        finish_step(a);
      } else if (f < a.fv[h_]) {
        phase_ = Phase::ContractOut;
      } else {
        phase_ = Phase::ContractIn;
      }
      return;
    case Phase::Expand:
      if (f < fr_) replace_worst(a, a.x, f);
      else replace_worst(a, a.xr, fr_);
      finish_step(a);
      return;
    case Phase::ContractOut:
    case Phase::ContractIn: {
      const bool accept = phase_ == Phase::ContractOut ? f <= fr_ : f < a.fv[h_];
      if (accept) {
        replace_worst(a, a.x, f);
        finish_step(a);
        return;
      }
      phase_ = Phase::Shrink;
      vertex_ = -1;
      next_shrink_vertex();
      return;
    }
    case Phase::Shrink: {
      Real* v = a.simplex + vertex_ * a.stride;
      for (int d = 0; d < n; ++d) v[d] = a.x[d];
      a.fv[vertex_] = f;
      next_shrink_vertex();
      if (vertex_ > n) finish_step(a);
      return;
    }
  }
}

template <class Real>
void NelderMeadCore<Real>::finish_step(const Arrays& a) noexcept {
  if (!base_.end_generation()) return;
  begin_step(a);
}

// True when every vertex is within restart_tol·range (or 4 ulps) of the
// best one in every coordinate.
template <class Real>
bool NelderMeadCore<Real>::collapsed(const Arrays& a) const noexcept {
  if (!(cfg_.restart_tol > 0.f)) return false;
  const int n = base_.dims();
  const Real tol = static_cast<Real>(cfg_.restart_tol);
  const Real ulp4 = 4 * std::numeric_limits<Real>::epsilon();
  const Real* b = a.simplex + l_ * a.stride;
  for (int d = 0; d < n; ++d) {
    const Real ab = b[d] < 0 ? -b[d] : b[d];
    Real lim = tol * (a.hi[d] - a.lo[d]);
    const Real lim2 = ulp4 * ab;
    if (lim2 > lim) lim = lim2;
    for (int i = 0; i <= n; ++i) {
      const Real diff = a.simplex[i * a.stride + d] - b[d];
      if (diff > lim || -diff > lim) return false;
    }
  }
  return true;
}

template <class Real>
void NelderMeadCore<Real>::begin_step(const Arrays& a) noexcept {
  const int n = base_.dims();
  trial_ = 0;
  // Best: first of the lowest cost; worst: last of the highest; second
  // worst: last of the highest among the others.
  int l = 0, h = 0;
  for (int i = 1; i <= n; ++i) {
    if (a.fv[i] < a.fv[l]) l = i;
    if (a.fv[i] >= a.fv[h]) h = i;
  }
  int s = h == 0 ? 1 : 0;
  for (int i = 0; i <= n; ++i)
    if (i != h && a.fv[i] >= a.fv[s]) s = i;
  l_ = l;
  s_ = s;
  h_ = h;
  if (collapsed(a)) {
    // Keep the best vertex as vertex 0 (with its cost) and rebuild the rest.
    ++restarts_;
    Real* v0 = a.simplex;
    Real* vb = a.simplex + l * a.stride;
    for (int d = 0; d < n; ++d) {
      const Real t = v0[d];
      v0[d] = vb[d];
      vb[d] = t;
    }
    const Real tf = a.fv[0];
    a.fv[0] = a.fv[l];
    a.fv[l] = tf;
    l_ = 0;
    phase_ = Phase::Build;
    vertex_ = 1;
    return;
  }
  const Real rn = static_cast<Real>(n);
  for (int d = 0; d < n; ++d) {
    Real sum = 0;
    for (int i = 0; i <= n; ++i)
      if (i != h) sum = sum + a.simplex[i * a.stride + d];
    a.cen[d] = sum / rn;
  }
  phase_ = Phase::Reflect;
}

template class NelderMeadCore<float>;
template class NelderMeadCore<double>;

}  // namespace detail
}  // namespace starling
