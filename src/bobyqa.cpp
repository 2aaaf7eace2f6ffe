// SPDX-License-Identifier: MIT
// src/bobyqa.cpp: Powell's BOBYQA as a size-erased engine in the unit cube
// (BobyqaEngine), and the family optimizer Bobyqa around it (BobyqaCore),
// instantiated for float and double. The method's steps follow Powell's 2009
// report; where the report's code updates a factored inverse of the
// interpolation system, the engine inverts the system afresh (bobyqa.hpp says
// why). Every sum runs in index order from 0, with -ffp-contract=off, so that
// tools/model_ref.py reproduces each operation.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/bobyqa.hpp"

#include <cmath>
#include <limits>

namespace starling {
namespace detail {

namespace {

template <class Real>
Real rmin(Real a, Real b) noexcept {
  return a <= b ? a : b;
}
template <class Real>
Real rmax(Real a, Real b) noexcept {
  return a >= b ? a : b;
}
template <class Real>
Real rabs(Real a) noexcept {
  return a < 0 ? -a : a;
}
// 2^e (exact in the normal range).
template <class Real>
Real pow2(int e) noexcept {
  return std::ldexp(static_cast<Real>(1), e);
}
// Index of (i, j), i <= j, in the packed upper triangle (column by column).
inline int packed(int i, int j) noexcept { return j * (j + 1) / 2 + i; }

// The work array's slices.
template <class Real>
struct Work {
  Real *gnew, *xbdi, *s, *hs, *hred, *glag, *w2, *vlag, *v, *hcol;
  Work(Real* w, int n, int k) noexcept
      : gnew(w), xbdi(w + n), s(w + 2 * n), hs(w + 3 * n), hred(w + 4 * n), glag(w + 5 * n),
        w2(w + 6 * n), vlag(w + 8 * n), v(w + 8 * n + k), hcol(w + 8 * n + 2 * k) {}
};

}  // namespace

// ---- the initial point set --------------------------------------------------

template <class Real>
void BobyqaEngine<Real>::begin(const Arrays& a, const Real* u0, Real rho0, bool have_f0,
                               Real f0) noexcept {
  keep_rho_ = 0;
  start_set(a, u0, rho0, have_f0, f0);
}

template <class Real>
void BobyqaEngine<Real>::start_set(const Arrays& a, const Real* u0, Real rho0, bool have_f0,
                                   Real f0) noexcept {
  const int n = n_;
  for (int j = 0; j < n; ++j) {
    a.xbase[j] = u0[j];
    a.xopt[j] = 0;
    a.sl[j] = a.ulo[j] - u0[j];
    a.su[j] = a.uhi[j] - u0[j];
  }
  xoptsq_ = 0;
  init_step_ = rho0;
  // Point k: 0 the centre, 1..n the first step along e_(k−1), n+1..m−1 the
  // second along e_(k−n−1): ∓rho0 where both fit, else both on the side away
  // from the nearer bound (+rho0, +2·rho0 or −rho0, −2·rho0; rho0 <= 1/4
  // keeps them inside).
  for (int k = 0; k < m_; ++k) {
    Real* p = xpt(a, k);
    for (int j = 0; j < n; ++j) p[j] = 0;
    if (k == 0) continue;
    const int j = k <= n ? k - 1 : k - n - 1;
    const bool second = k > n;
    Real step;
    if (rho0 <= a.su[j] && -rho0 >= a.sl[j]) {
      step = second ? -rho0 : rho0;
    } else if (-rho0 < a.sl[j]) {
      step = second ? rho0 + rho0 : rho0;
    } else {
      step = second ? -(rho0 + rho0) : -rho0;
    }
    p[j] = step;
  }
  phase_ = kInit;
  init_k_ = 0;
  if (have_f0) {
    a.fval[0] = f0;
    init_k_ = 1;
  }
  init_point(a);
}

template <class Real>
void BobyqaEngine<Real>::init_point(const Arrays& a) noexcept {
  const Real* p = xpt(a, init_k_);
  for (int j = 0; j < n_; ++j) {
    Real u = a.xbase[j] + p[j];
    if (u < a.ulo[j]) u = a.ulo[j];
    if (u > a.uhi[j]) u = a.uhi[j];
    a.cand[j] = u;
  }
}

// A failed evaluation (+inf) enters the model as the worst finite value of
// the point set plus the set's spread plus 1. Every value the model sees is
// within ±max/8, so that differences of two of them (the model's data) stay
// finite; a cost beyond that (−FLT_MAX, say) enters as ±max/8.
template <class Real>
Real BobyqaEngine<Real>::stand_in(const Arrays& a, Real f) const noexcept {
  const Real cap = std::numeric_limits<Real>::max() / 8;
  if (f < std::numeric_limits<Real>::infinity()) return rmax(-cap, rmin(f, cap));
  const int count = phase_ == kInit ? init_k_ : m_;
  Real lo = std::numeric_limits<Real>::infinity(), hi = -lo;
  for (int k = 0; k < count; ++k) {
    lo = rmin(lo, a.fval[k]);
    hi = rmax(hi, a.fval[k]);
  }
  if (!(hi >= lo)) return 1;
  return rmin(hi + ((hi - lo) + 1), cap);
}

// Costs within ±max/8 can still drive the model past the range of Real
// (a cost's jump over a radius near rho_end's floor is divided by the
// radius to the fourth power): the state's scalars and arrays are then no
// longer finite. The model is dropped and the point set rebuilt around the
// best point, as after a singular system; the points, their values, the
// base and the radii are finite (none of them is computed from the model
// within one feed), so the rebuild starts from a sound state.
template <class Real>
void BobyqaEngine<Real>::clear(const Arrays& a) noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  Real* vecs[9] = {a.xbase, a.gopt, a.sl, a.su, a.xopt, a.xnew, a.d, a.xalt, a.cand};
  for (Real* v : vecs)
    for (int j = 0; j < n; ++j) v[j] = 0;
  for (int k = 0; k < m; ++k) {
    for (int j = 0; j < n; ++j) xpt(a, k)[j] = 0;
    a.fval[k] = a.pq[k] = 0;
  }
  for (int k = 0; k < n * (n + 1) / 2; ++k) a.hq[k] = 0;
  for (int i = 0; i < kk; ++i)
    for (int j = 0; j < kk; ++j) hrow(a, i)[j] = 0;
  for (int k = 0; k < kWorkD * n + 2 * kk + m; ++k) a.work[k] = 0;
}

template <class Real>
bool BobyqaEngine<Real>::recover_if_needed(const Arrays& a) noexcept {
  if (finite(live_cells(a))) return false;
  const int n = n_, m = m_, kk = m + n + 1;
  for (int j = 0; j < n; ++j) a.gopt[j] = a.xnew[j] = a.d[j] = a.xalt[j] = 0;
  for (int k = 0; k < m; ++k) a.pq[k] = 0;
  for (int k = 0; k < n * (n + 1) / 2; ++k) a.hq[k] = 0;
  for (int i = 0; i < kk; ++i)
    for (int j = 0; j < kk; ++j) hrow(a, i)[j] = 0;
  for (int k = 0; k < kWorkD * n + 2 * kk + m; ++k) a.work[k] = 0;
  diffa_ = diffb_ = diffc_ = dnorm_ = ratio_ = crvmin_ = dsq_ = 0;
  alpha_ = beta_ = denom_ = cauchy_ = adelt_ = distsq_ = 0;
  if (!(delta_ >= rho_) || !std::isfinite(delta_)) delta_ = rho_;
  rebuild(a);
  return true;
}

template <class Real>
bool BobyqaEngine<Real>::feed(const Arrays& a, const Real* u, Real f) noexcept {
  // A feed that starts and ends among the initial points only stores a
  // (clamped) value and proposes the next point: nothing to check then (the
  // check costs about 3,500 instructions at D = 4 on Cortex-M4F, several
  // times such a feed's own work).
  const bool was_init = phase_ == kInit;
  const bool converged = feed_model(a, u, f);
  if (was_init && phase_ == kInit) return converged;
  return recover_if_needed(a) ? false : converged;
}

template <class Real>
bool BobyqaEngine<Real>::feed_model(const Arrays& a, const Real* u, Real f) noexcept {
  ++nf_;
  const Real fm = stand_in(a, f);
  if (phase_ == kInit) {
    Real* p = xpt(a, init_k_);
    for (int j = 0; j < n_; ++j) p[j] = u[j] - a.xbase[j];
    a.fval[init_k_] = fm;
    ++init_k_;
    if (init_k_ < m_) {
      init_point(a);
      return false;
    }
    return finish_init(a);
  }
  // A filter may have moved the point: the step is then where it went.
  bool moved = false;
  for (int j = 0; j < n_; ++j)
    if (u[j] != a.cand[j]) moved = true;
  if (moved) {
    dsq_ = 0;
    for (int j = 0; j < n_; ++j) {
      a.xnew[j] = u[j] - a.xbase[j];
      a.d[j] = a.xnew[j] - a.xopt[j];
      dsq_ = dsq_ + a.d[j] * a.d[j];
    }
    dnorm_ = rmin(delta_, static_cast<Real>(std::sqrt(dsq_)));
    calc_vlag(a);
    if (ntrits_ == 0) {
      // A geometry step keeps its point to replace while the denominator
      // stays sound.
      const Real vk = Work<Real>(a.work, n_, m_ + n_ + 1).vlag[knew_];
      denom_ = vk * vk + alpha_ * beta_;
      if (!(denom_ > static_cast<Real>(0.5) * (vk * vk)) || !(denom_ > 0)) knew_ = -1;
    } else if (!choose_knew(a, a.xopt)) {
      knew_ = -1;
    }
    if (knew_ < 0) {
      // The point duplicates the set (e.g. the incumbent as a fallback):
      // nothing to learn but that the region is unsafe; shrink the radius.
      delta_ = rmax(delta_ * static_cast<Real>(0.5), rho_);
      return next(a, kL60);
    }
  }
  return next(a, after_eval(a, fm));
}

// Fills the model from the initial point set (least Frobenius norm
// interpolant) and starts the iterations.
template <class Real>
bool BobyqaEngine<Real>::finish_init(const Arrays& a) noexcept {
  const int n = n_, m = m_;
  kopt_ = 0;
  for (int k = 1; k < m; ++k)
    if (a.fval[k] < a.fval[kopt_]) kopt_ = k;
  xoptsq_ = 0;
  for (int j = 0; j < n; ++j) {
    a.xopt[j] = xpt(a, kopt_)[j];
    xoptsq_ = xoptsq_ + a.xopt[j] * a.xopt[j];
  }
  for (int k = 0; k < n * (n + 1) / 2; ++k) a.hq[k] = 0;
  if (!invert(a)) {
    rebuild(a);
    return false;
  }
  // pq = Ω·r/s⁴, gradient at xbase = Ξ·r/s, r = fval − fopt; then the
  // gradient at xopt adds the Hessian times xopt.
  const Real inv_s2 = pow2<Real>(-2 * scale_exp_), inv_s = pow2<Real>(-scale_exp_);
  const Real fopt = a.fval[kopt_];
  for (int k = 0; k < m; ++k) {
    const Real* hk = hrow(a, k);
    Real sum = 0;
    for (int i = 0; i < m; ++i) sum = sum + hk[i] * (a.fval[i] - fopt);
    a.pq[k] = (sum * inv_s2) * inv_s2;
  }
  for (int j = 0; j < n; ++j) {
    const Real* hj = hrow(a, m + 1 + j);
    Real sum = 0;
    for (int i = 0; i < m; ++i) sum = sum + hj[i] * (a.fval[i] - fopt);
    a.gopt[j] = sum * inv_s;
  }
  for (int k = 0; k < m; ++k) {
    const Real* p = xpt(a, k);
    Real t = 0;
    for (int j = 0; j < n; ++j) t = t + p[j] * a.xopt[j];
    t = a.pq[k] * t;
    for (int j = 0; j < n; ++j) a.gopt[j] = a.gopt[j] + t * p[j];
  }
  if (keep_rho_ == 0) {
    rho_ = init_step_;
    delta_ = init_step_;
    rho0_ = init_step_;
  } else {
    delta_ = rho_;
  }
  keep_rho_ = 0;
  ntrits_ = 0;
  nfsav_ = nf_;
  diffa_ = diffb_ = diffc_ = 0;
  itest_ = 0;
  ratio_ = 0;
  dnorm_ = 0;
  phase_ = kTrust;
  return next(a, kL60);
}

// A new point set around the best point with the current rho (a singular
// system, or denominators lost to cancellation): m − 1 evaluations.
template <class Real>
void BobyqaEngine<Real>::rebuild(const Arrays& a) noexcept {
  ++rebuilds_;
  Real* u = Work<Real>(a.work, n_, m_ + n_ + 1).s;
  for (int j = 0; j < n_; ++j) {
    Real v = a.xbase[j] + a.xopt[j];
    if (v < a.ulo[j]) v = a.ulo[j];
    if (v > a.uhi[j]) v = a.uhi[j];
    u[j] = v;
  }
  const Real f0 = a.fval[kopt_];
  // With a model, the rebuild keeps rho (and sets delta = rho); a singular
  // initial set (points moved onto each other by a filter) halves its step.
  const bool had_model = phase_ != kInit;
  Real r = had_model ? rho_ : init_step_ * static_cast<Real>(0.5);
  if (r < rho_end_) r = rho_end_;
  keep_rho_ = had_model ? 1 : 0;
  start_set(a, u, r, true, f0);
}

template <class Real>
void BobyqaEngine<Real>::restart_here(const Arrays& a, Real rho0) noexcept {
  Real* u = Work<Real>(a.work, n_, m_ + n_ + 1).s;
  for (int j = 0; j < n_; ++j) {
    Real v = a.xbase[j] + a.xopt[j];
    if (v < a.ulo[j]) v = a.ulo[j];
    if (v > a.uhi[j]) v = a.uhi[j];
    u[j] = v;
  }
  begin(a, u, rho0, true, a.fval[kopt_]);
}

// ---- the interpolation system -----------------------------------------------

// W = [A Xᵀ; X 0] with A_ij = (p_i·p_j)²/2, X = [1ᵀ; p_1 .. p_m], p = xpt/s,
// s = 2^e the smallest power of two at or above max |xpt_kj|, inverted in
// place by Gauss–Jordan elimination with row pivoting (first largest
// modulus); columns are swapped back in reverse order at the end.
template <class Real>
bool BobyqaEngine<Real>::invert(const Arrays& a) noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  Real big = 0;
  for (int k = 0; k < m; ++k)
    for (int j = 0; j < n; ++j) big = rmax(big, rabs(xpt(a, k)[j]));
  if (!(big > 0) || !std::isfinite(big)) return false;
  int e = 0;
  (void)std::frexp(big, &e);
  scale_exp_ = e;
  const Real inv_s = pow2<Real>(-e);
  for (int i = 0; i < m; ++i) {
    Real* hi = hrow(a, i);
    const Real* pi = xpt(a, i);
    for (int j = 0; j <= i; ++j) {
      const Real* pj = xpt(a, j);
      Real dot = 0;
      for (int l = 0; l < n; ++l) dot = dot + (pi[l] * inv_s) * (pj[l] * inv_s);
      const Real v = static_cast<Real>(0.5) * (dot * dot);
      hi[j] = v;
      hrow(a, j)[i] = v;
    }
    hi[m] = 1;
    hrow(a, m)[i] = 1;
    for (int l = 0; l < n; ++l) {
      hi[m + 1 + l] = pi[l] * inv_s;
      hrow(a, m + 1 + l)[i] = pi[l] * inv_s;
    }
  }
  for (int i = m; i < kk; ++i)
    for (int j = m; j < kk; ++j) hrow(a, i)[j] = 0;
  for (int k = 0; k < kk; ++k) {
    int p = k;
    Real pmax = rabs(hrow(a, k)[k]);
    for (int i = k + 1; i < kk; ++i) {
      const Real v = rabs(hrow(a, i)[k]);
      if (v > pmax) {
        pmax = v;
        p = i;
      }
    }
    if (!(pmax > 0)) return false;
    a.piv[k] = p;
    if (p != k) {
      Real* rp = hrow(a, p);
      Real* rk = hrow(a, k);
      for (int j = 0; j < kk; ++j) {
        const Real t = rp[j];
        rp[j] = rk[j];
        rk[j] = t;
      }
    }
    Real* rk = hrow(a, k);
    const Real inv = 1 / rk[k];
    rk[k] = 1;
    for (int j = 0; j < kk; ++j) rk[j] = rk[j] * inv;
    for (int i = 0; i < kk; ++i) {
      if (i == k) continue;
      Real* ri = hrow(a, i);
      const Real f = ri[k];
      if (f == 0) continue;  // the row operation would change nothing
      ri[k] = 0;
      for (int j = 0; j < kk; ++j) ri[j] = ri[j] - rk[j] * f;
    }
  }
  for (int k = kk - 1; k >= 0; --k) {
    const int p = a.piv[k];
    if (p == k) continue;
    for (int i = 0; i < kk; ++i) {
      Real* ri = hrow(a, i);
      const Real t = ri[p];
      ri[p] = ri[k];
      ri[k] = t;
    }
  }
  for (int i = 0; i < kk; ++i)
    for (int j = 0; j < kk; ++j)
      if (!std::isfinite(hrow(a, i)[j])) return false;
  return true;
}

// vlag = H·(w(xopt + d) − w(xopt)) + e_kopt (the Lagrange functions at
// xopt + d) and beta (the update formula's β), both from the scaled system:
// the Lagrange values and α·β are invariant under the scaling.
template <class Real>
void BobyqaEngine<Real>::calc_vlag(const Arrays& a) noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  Work<Real> w(a.work, n, kk);
  const Real inv_s = pow2<Real>(-scale_exp_);
  Real dx = 0, dsq = 0, xsq = 0;
  for (int j = 0; j < n; ++j) {
    const Real ds = a.d[j] * inv_s, xs = a.xopt[j] * inv_s;
    dx = dx + ds * xs;
    dsq = dsq + ds * ds;
    xsq = xsq + xs * xs;
  }
  for (int k = 0; k < m; ++k) {
    const Real* p = xpt(a, k);
    Real suma = 0, sumb = 0;
    for (int j = 0; j < n; ++j) {
      const Real pk = p[j] * inv_s;
      suma = suma + pk * (a.d[j] * inv_s);
      sumb = sumb + pk * (a.xopt[j] * inv_s);
    }
    w.v[k] = suma * (static_cast<Real>(0.5) * suma + sumb);
  }
  w.v[m] = 0;
  for (int j = 0; j < n; ++j) w.v[m + 1 + j] = a.d[j] * inv_s;
  Real vhv = 0;
  for (int i = 0; i < kk; ++i) {
    const Real* hi = hrow(a, i);
    Real sum = 0;
    for (int j = 0; j < kk; ++j) sum = sum + hi[j] * w.v[j];
    w.vlag[i] = sum;
    vhv = vhv + w.v[i] * sum;
  }
  beta_ = ((dx * dx + dsq * (((xsq + dx) + dx) + static_cast<Real>(0.5) * dsq)) - vhv);
  w.vlag[kopt_] = w.vlag[kopt_] + 1;
}

// Powell's choice of the point to remove for the step to xopt + d: the
// largest denominator σ_k = α_k·β + vlag_k², weighted by max(1, (|y_k − c|/Δ)⁴)
// so that far points go first (c: xopt before the evaluation, xnew after a
// success). False when cancellation has spoilt every denominator.
template <class Real>
bool BobyqaEngine<Real>::choose_knew(const Arrays& a, const Real* centre) noexcept {
  const int n = n_, m = m_;
  Work<Real> w(a.work, n, m + n + 1);
  const Real delsq = delta_ * delta_;
  Real scaden = 0, biglsq = 0;
  int best = -1;
  for (int k = 0; k < m; ++k) {
    if (k == kopt_ && centre == a.xopt) continue;
    const Real hdiag = hrow(a, k)[k];
    const Real den = beta_ * hdiag + w.vlag[k] * w.vlag[k];
    const Real* p = xpt(a, k);
    Real distsq = 0;
    for (int j = 0; j < n; ++j) {
      const Real t = p[j] - centre[j];
      distsq = distsq + t * t;
    }
    const Real q = distsq / delsq;
    const Real temp = rmax(static_cast<Real>(1), q * q);
    if (temp * den > scaden) {
      scaden = temp * den;
      best = k;
      denom_ = den;
    }
    biglsq = rmax(biglsq, temp * (w.vlag[k] * w.vlag[k]));
  }
  if (best < 0 || scaden <= static_cast<Real>(0.5) * biglsq) return false;
  knew_ = best;
  return true;
}

// Moves xbase to xbase + xopt (Powell's shift when |d|² <= |xopt|²/1000), so
// that the points stay small relative to the base; the model's Hessian terms
// follow, the system is inverted again in the new coordinates.
template <class Real>
void BobyqaEngine<Real>::shift_base(const Arrays& a) noexcept {
  const int n = n_, m = m_;
  Real sumpq = 0;
  for (int k = 0; k < m; ++k) sumpq = sumpq + a.pq[k];
  Work<Real> w(a.work, n, m + n + 1);
  Real* wv = w.w2;  // n values
  for (int j = 0; j < n; ++j) {
    Real sum = -static_cast<Real>(0.5) * sumpq * a.xopt[j];
    for (int k = 0; k < m; ++k) sum = sum + a.pq[k] * xpt(a, k)[j];
    wv[j] = sum;
  }
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= j; ++i) {
      Real& h = a.hq[packed(i, j)];
      h = h + (wv[i] * a.xopt[j] + a.xopt[i] * wv[j]);
    }
  for (int k = 0; k < m; ++k) {
    Real* p = xpt(a, k);
    for (int j = 0; j < n; ++j) p[j] = p[j] - a.xopt[j];
  }
  for (int j = 0; j < n; ++j) {
    a.xbase[j] = a.xbase[j] + a.xopt[j];
    a.xnew[j] = a.xnew[j] - a.xopt[j];
    a.sl[j] = a.sl[j] - a.xopt[j];
    a.su[j] = a.su[j] - a.xopt[j];
    a.xopt[j] = 0;
  }
  xoptsq_ = 0;
}

// hs = (hq + Σ_k pq_k xpt_k xpt_kᵀ)·s.
template <class Real>
void BobyqaEngine<Real>::hess_mul(const Arrays& a, const Real* s, Real* hs) const noexcept {
  const int n = n_;
  for (int j = 0; j < n; ++j) hs[j] = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i <= j; ++i) {
      const Real h = a.hq[packed(i, j)];
      if (i < j) hs[j] = hs[j] + h * s[i];
      hs[i] = hs[i] + h * s[j];
    }
  for (int k = 0; k < m_; ++k) {
    if (a.pq[k] == 0) continue;
    const Real* p = xpt(a, k);
    Real t = 0;
    for (int j = 0; j < n; ++j) t = t + p[j] * s[j];
    t = t * a.pq[k];
    for (int i = 0; i < n; ++i) hs[i] = hs[i] + t * p[i];
  }
}

// ---- the trust-region step (Powell's TRSBOX) ----------------------------------
//
// A truncated conjugate gradient from xopt on the model, restarted with a
// variable fixed whenever a bound stops a line search; once the step reaches
// the trust region's boundary, further changes turn it round the boundary in
// the plane of the step and the gradient while that reduces the model
// enough. Sets d, xnew (bounds exact), dsq, crvmin and the gradient at the
// end of the step (work gnew).
template <class Real>
void BobyqaEngine<Real>::trsbox(const Arrays& a) noexcept {
  const int n = n_;
  Work<Real> w(a.work, n, m_ + n + 1);
  const Real half = static_cast<Real>(0.5);
  int iterc = 0, nact = 0, itermax = 0, iact = -1;
  for (int i = 0; i < n; ++i) {
    w.xbdi[i] = 0;
    if (a.xopt[i] <= a.sl[i]) {
      if (a.gopt[i] >= 0) w.xbdi[i] = -1;
    } else if (a.xopt[i] >= a.su[i]) {
      if (a.gopt[i] <= 0) w.xbdi[i] = 1;
    }
    if (w.xbdi[i] != 0) ++nact;
    a.d[i] = 0;
    w.gnew[i] = a.gopt[i];
  }
  Real delsq = delta_ * delta_, qred = 0, crvmin = -1;
  Real beta = 0, gredsq = 0, ggsav = 0, stepsq = 0;
  Real dredsq = 0, dredg = 0, sredg = 0, angbd = 0, xsav = 0;
  enum { kCg, kAlt, kAltStart, kAltStep, kFinish } st = kCg;
  bool restart_cg = true;
  // Powell's iteration ends by itself; the cap only bounds the work on a
  // model a corrupt saved state could hold.
  while (st != kFinish) {
    if (iterc > 20 * n + 20) break;
    if (st == kCg) {
      if (restart_cg) beta = 0;
      restart_cg = false;
      stepsq = 0;
      for (int i = 0; i < n; ++i) {
        if (w.xbdi[i] != 0) {
          w.s[i] = 0;
        } else if (beta == 0) {
          w.s[i] = -w.gnew[i];
        } else {
          w.s[i] = beta * w.s[i] - w.gnew[i];
        }
        stepsq = stepsq + w.s[i] * w.s[i];
      }
      if (stepsq == 0) {
        st = kFinish;
        continue;
      }
      if (beta == 0) {
        gredsq = stepsq;
        itermax = iterc + n - nact;
      }
      if (gredsq * delsq <= static_cast<Real>(1e-4) * qred * qred) {
        st = kFinish;
        continue;
      }
      hess_mul(a, w.s, w.hs);
      Real resid = delsq, ds = 0, shs = 0;
      for (int i = 0; i < n; ++i) {
        if (w.xbdi[i] != 0) continue;
        resid = resid - a.d[i] * a.d[i];
        ds = ds + w.s[i] * a.d[i];
        shs = shs + w.s[i] * w.hs[i];
      }
      if (resid <= 0) {
        crvmin = 0;
        st = kAltStart;
        continue;
      }
      const Real temp = std::sqrt(stepsq * resid + ds * ds);
      const Real blen = ds < 0 ? (temp - ds) / stepsq : resid / (temp + ds);
      Real stplen = blen;
      if (shs > 0) stplen = rmin(blen, gredsq / shs);
      iact = -1;
      for (int i = 0; i < n; ++i) {
        if (w.s[i] == 0) continue;
        const Real xsum = a.xopt[i] + a.d[i];
        const Real t = w.s[i] > 0 ? (a.su[i] - xsum) / w.s[i] : (a.sl[i] - xsum) / w.s[i];
        if (t < stplen) {
          stplen = t;
          iact = i;
        }
      }
      Real sdec = 0;
      if (stplen > 0) {
        ++iterc;
        const Real t = shs / stepsq;
        if (iact < 0 && t > 0) {
          crvmin = rmin(crvmin, t);
          if (crvmin == -1) crvmin = t;
        }
        ggsav = gredsq;
        gredsq = 0;
        for (int i = 0; i < n; ++i) {
          w.gnew[i] = w.gnew[i] + stplen * w.hs[i];
          if (w.xbdi[i] == 0) gredsq = gredsq + w.gnew[i] * w.gnew[i];
          a.d[i] = a.d[i] + stplen * w.s[i];
        }
        sdec = rmax(stplen * (ggsav - half * stplen * shs), static_cast<Real>(0));
        qred = qred + sdec;
      }
      if (iact >= 0) {
        ++nact;
        w.xbdi[iact] = w.s[iact] < 0 ? -1 : 1;
        delsq = delsq - a.d[iact] * a.d[iact];
        if (delsq <= 0) {
          crvmin = 0;
          st = kAltStart;
          continue;
        }
        restart_cg = true;
        continue;
      }
      if (stplen < blen) {
        if (iterc == itermax || sdec <= static_cast<Real>(0.01) * qred) {
          st = kFinish;
          continue;
        }
        beta = gredsq / ggsav;
        continue;
      }
      crvmin = 0;
      st = kAltStart;
      continue;
    }
    if (st == kAltStart) {  // Powell's label 100
      if (nact >= n - 1) {
        st = kFinish;
        continue;
      }
      dredsq = 0;
      dredg = 0;
      gredsq = 0;
      for (int i = 0; i < n; ++i) {
        if (w.xbdi[i] == 0) {
          dredsq = dredsq + a.d[i] * a.d[i];
          dredg = dredg + a.d[i] * w.gnew[i];
          gredsq = gredsq + w.gnew[i] * w.gnew[i];
          w.s[i] = a.d[i];
        } else {
          w.s[i] = 0;
        }
      }
      hess_mul(a, w.s, w.hred);
      st = kAlt;
      continue;
    }
    if (st == kAlt) {  // label 120: the direction round the boundary
      ++iterc;
      Real temp = gredsq * dredsq - dredg * dredg;
      if (temp <= static_cast<Real>(1e-4) * qred * qred) {
        st = kFinish;
        continue;
      }
      temp = std::sqrt(temp);
      for (int i = 0; i < n; ++i)
        w.s[i] = w.xbdi[i] == 0 ? (dredg * a.d[i] - dredsq * w.gnew[i]) / temp : static_cast<Real>(0);
      sredg = -temp;
      angbd = 1;
      iact = -1;
      bool refix = false;
      for (int i = 0; i < n; ++i) {
        if (w.xbdi[i] != 0) continue;
        const Real tempa = a.xopt[i] + a.d[i] - a.sl[i];
        const Real tempb = a.su[i] - a.xopt[i] - a.d[i];
        if (tempa <= 0) {
          ++nact;
          w.xbdi[i] = -1;
          refix = true;
          break;
        }
        if (tempb <= 0) {
          ++nact;
          w.xbdi[i] = 1;
          refix = true;
          break;
        }
        const Real ssq = a.d[i] * a.d[i] + w.s[i] * w.s[i];
        const Real dl = a.xopt[i] - a.sl[i];
        Real t = ssq - dl * dl;
        if (t > 0) {
          t = std::sqrt(t) - w.s[i];
          if (angbd * t > tempa) {
            angbd = tempa / t;
            iact = i;
            xsav = -1;
          }
        }
        const Real du = a.su[i] - a.xopt[i];
        t = ssq - du * du;
        if (t > 0) {
          t = std::sqrt(t) + w.s[i];
          if (angbd * t > tempb) {
            angbd = tempb / t;
            iact = i;
            xsav = 1;
          }
        }
      }
      if (refix) {
        st = kAltStart;
        continue;
      }
      hess_mul(a, w.s, w.hs);
      st = kAltStep;
      continue;
    }
    // kAltStep, label 150: the best angle on a grid of tan(θ/2) in
    // (0, angbd], refined by a parabola through the best and its neighbours.
    Real shs = 0, dhs = 0, dhd = 0;
    for (int i = 0; i < n; ++i) {
      if (w.xbdi[i] != 0) continue;
      shs = shs + w.s[i] * w.hs[i];
      dhs = dhs + a.d[i] * w.hs[i];
      dhd = dhd + a.d[i] * w.hred[i];
    }
    Real redmax = 0, redsav = 0, rdprev = 0, rdnext = 0;
    int isav = 0;
    const int iu = static_cast<int>(angbd * static_cast<Real>(17) + static_cast<Real>(3.1));
    for (int i = 1; i <= iu; ++i) {
      const Real angt = angbd * static_cast<Real>(i) / static_cast<Real>(iu);
      const Real sth = (angt + angt) / (1 + angt * angt);
      const Real temp = shs + angt * (angt * dhd - dhs - dhs);
      const Real rednew = sth * (angt * dredg - sredg - half * sth * temp);
      if (rednew > redmax) {
        redmax = rednew;
        isav = i;
        rdprev = redsav;
      } else if (i == isav + 1) {
        rdnext = rednew;
      }
      redsav = rednew;
    }
    if (isav == 0) {
      st = kFinish;
      continue;
    }
    Real angt = angbd;
    if (isav < iu) {
      const Real temp = (rdnext - rdprev) / (redmax + redmax - rdprev - rdnext);
      angt = angbd * (static_cast<Real>(isav) + half * temp) / static_cast<Real>(iu);
    }
    const Real cth = (1 - angt * angt) / (1 + angt * angt);
    const Real sth = (angt + angt) / (1 + angt * angt);
    const Real temp = shs + angt * (angt * dhd - dhs - dhs);
    const Real sdec = sth * (angt * dredg - sredg - half * sth * temp);
    if (sdec <= 0) {
      st = kFinish;
      continue;
    }
    dredg = 0;
    gredsq = 0;
    for (int i = 0; i < n; ++i) {
      w.gnew[i] = w.gnew[i] + (cth - 1) * w.hred[i] + sth * w.hs[i];
      if (w.xbdi[i] == 0) {
        a.d[i] = cth * a.d[i] + sth * w.s[i];
        dredg = dredg + a.d[i] * w.gnew[i];
        gredsq = gredsq + w.gnew[i] * w.gnew[i];
      }
      w.hred[i] = cth * w.hred[i] + sth * w.hs[i];
    }
    qred = qred + sdec;
    if (iact >= 0 && isav == iu) {
      ++nact;
      w.xbdi[iact] = xsav;
      st = kAltStart;
      continue;
    }
    st = sdec > static_cast<Real>(0.01) * qred ? kAlt : kFinish;
  }
  dsq_ = 0;
  for (int i = 0; i < n; ++i) {
    Real x = rmax(rmin(a.xopt[i] + a.d[i], a.su[i]), a.sl[i]);
    if (w.xbdi[i] == -1) x = a.sl[i];
    if (w.xbdi[i] == 1) x = a.su[i];
    a.xnew[i] = x;
    a.d[i] = x - a.xopt[i];
    dsq_ = dsq_ + a.d[i] * a.d[i];
  }
  crvmin_ = crvmin;
}

// ---- the geometry step (Powell's ALTMOV) --------------------------------------
//
// A new position for point knew within adelt of xopt that makes the knew-th
// Lagrange function large: along the lines through xopt and the other
// points (xnew), or a constrained Cauchy step of that function, uphill or
// downhill (xalt, with its squared Lagrange value in cauchy). Computed in the
// system's scaled coordinates (multiplying by 2^-e is exact) and scaled back.
template <class Real>
void BobyqaEngine<Real>::altmov(const Arrays& a) noexcept {
  const int n = n_, m = m_;
  Work<Real> w(a.work, n, m + n + 1);
  const Real half = static_cast<Real>(0.5), one = 1, zero = 0;
  const Real sc = pow2<Real>(-scale_exp_), unsc = pow2<Real>(scale_exp_);
  const Real konst = one + static_cast<Real>(1.41421356237309504880);  // 1 + √2
  const Real adelt = adelt_ * sc;
  Real* xo = w.w2;  // scaled xopt (n), then the first Cauchy point (n)
  for (int i = 0; i < n; ++i) xo[i] = a.xopt[i] * sc;
  for (int k = 0; k < m; ++k) w.hcol[k] = hrow(a, k)[knew_];
  alpha_ = w.hcol[knew_];
  const Real ha = half * alpha_;
  for (int i = 0; i < n; ++i) w.glag[i] = hrow(a, m + 1 + i)[knew_];
  for (int k = 0; k < m; ++k) {
    const Real* p = xpt(a, k);
    Real t = 0;
    for (int j = 0; j < n; ++j) t = t + (p[j] * sc) * xo[j];
    t = w.hcol[k] * t;
    for (int i = 0; i < n; ++i) w.glag[i] = w.glag[i] + t * (p[i] * sc);
  }
  Real presav = 0, stpsav = 0;
  int ksav = -1, ibdsav = 0;
  for (int k = 0; k < m; ++k) {
    if (k == kopt_) continue;
    const Real* p = xpt(a, k);
    Real dderiv = 0, distsq = 0;
    for (int i = 0; i < n; ++i) {
      const Real t = p[i] * sc - xo[i];
      dderiv = dderiv + w.glag[i] * t;
      distsq = distsq + t * t;
    }
    Real subd = adelt / std::sqrt(distsq);
    Real slbd = -subd;
    int ilbd = 0, iubd = 0;
    const Real sumin = rmin(one, subd);
    for (int i = 0; i < n; ++i) {
      const Real t = p[i] * sc - xo[i];
      const Real sli = a.sl[i] * sc - xo[i], sui = a.su[i] * sc - xo[i];
      if (t > 0) {
        if (slbd * t < sli) {
          slbd = sli / t;
          ilbd = -(i + 1);
        }
        if (subd * t > sui) {
          subd = rmax(sumin, sui / t);
          iubd = i + 1;
        }
      } else if (t < 0) {
        if (slbd * t > sui) {
          slbd = sui / t;
          ilbd = i + 1;
        }
        if (subd * t < sli) {
          subd = rmax(sumin, sli / t);
          iubd = -(i + 1);
        }
      }
    }
    Real step, vlag;
    int isbd;
    if (k == knew_) {
      const Real diff = dderiv - one;
      step = slbd;
      vlag = slbd * (dderiv - slbd * diff);
      isbd = ilbd;
      const Real t = subd * (dderiv - subd * diff);
      if (rabs(t) > rabs(vlag)) {
        step = subd;
        vlag = t;
        isbd = iubd;
      }
      const Real tempd = half * dderiv;
      const Real tempa = tempd - diff * slbd;
      const Real tempb = tempd - diff * subd;
      if (tempa * tempb < 0) {
        const Real t2 = tempd * tempd / diff;
        if (rabs(t2) > rabs(vlag)) {
          step = tempd / diff;
          vlag = t2;
          isbd = 0;
        }
      }
    } else {
      step = slbd;
      vlag = slbd * (one - slbd);
      isbd = ilbd;
      const Real t = subd * (one - subd);
      if (rabs(t) > rabs(vlag)) {
        step = subd;
        vlag = t;
        isbd = iubd;
      }
      if (subd > half && rabs(vlag) < static_cast<Real>(0.25)) {
        step = half;
        vlag = static_cast<Real>(0.25);
        isbd = 0;
      }
      vlag = vlag * dderiv;
    }
    const Real t = step * (one - step) * distsq;
    const Real predsq = vlag * vlag * (vlag * vlag + ha * t * t);
    if (predsq > presav) {
      presav = predsq;
      ksav = k;
      stpsav = step;
      ibdsav = isbd;
    }
  }
  // xnew on the chosen line, bounds exact.
  for (int i = 0; i < n; ++i) {
    Real x = xo[i];
    if (ksav >= 0) x = xo[i] + stpsav * (xpt(a, ksav)[i] * sc - xo[i]);
    a.xnew[i] = rmax(a.sl[i] * sc, rmin(a.su[i] * sc, x)) * unsc;
  }
  if (ibdsav < 0) a.xnew[-ibdsav - 1] = a.sl[-ibdsav - 1];
  if (ibdsav > 0) a.xnew[ibdsav - 1] = a.su[ibdsav - 1];

  // The constrained Cauchy steps, downhill (iflag 0) then uphill (1).
  const Real bigstp = adelt + adelt;
  Real* wc = w.s;      // the step (n)
  Real* xalt0 = w.hs;  // xalt of the first pass (n)
  Real csave = 0;
  cauchy_ = 0;
  for (int iflag = 0; iflag < 2; ++iflag) {
    Real wfixsq = 0, ggfree = 0;
    for (int i = 0; i < n; ++i) {
      wc[i] = 0;
      const Real tempa = rmin(xo[i] - a.sl[i] * sc, w.glag[i]);
      const Real tempb = rmax(xo[i] - a.su[i] * sc, w.glag[i]);
      if (tempa > 0 || tempb < 0) {
        wc[i] = bigstp;
        ggfree = ggfree + w.glag[i] * w.glag[i];
      }
    }
    if (ggfree == 0) {
      cauchy_ = 0;
      return;  // xalt is not used (cauchy 0)
    }
    Real step = 0;
    for (int fix = 0; fix <= n; ++fix) {  // each pass fixes a variable or ends
      const Real temp = adelt * adelt - wfixsq;
      if (!(temp > 0)) break;
      const Real wsqsav = wfixsq;
      step = std::sqrt(temp / ggfree);
      ggfree = 0;
      for (int i = 0; i < n; ++i) {
        if (wc[i] != bigstp) continue;
        const Real t = xo[i] - step * w.glag[i];
        if (t <= a.sl[i] * sc) {
          wc[i] = a.sl[i] * sc - xo[i];
          wfixsq = wfixsq + wc[i] * wc[i];
        } else if (t >= a.su[i] * sc) {
          wc[i] = a.su[i] * sc - xo[i];
          wfixsq = wfixsq + wc[i] * wc[i];
        } else {
          ggfree = ggfree + w.glag[i] * w.glag[i];
        }
      }
      if (!(wfixsq > wsqsav && ggfree > 0)) break;
    }
    Real gw = 0;
    for (int i = 0; i < n; ++i) {
      Real x;
      if (wc[i] == bigstp) {
        wc[i] = -step * w.glag[i];
        x = rmax(a.sl[i] * sc, rmin(a.su[i] * sc, xo[i] + wc[i]));
      } else if (wc[i] == 0) {
        x = xo[i];
      } else if (w.glag[i] > 0) {
        x = a.sl[i] * sc;
      } else {
        x = a.su[i] * sc;
      }
      a.xalt[i] = x;
      gw = gw + w.glag[i] * wc[i];
    }
    Real curv = 0;
    for (int k = 0; k < m; ++k) {
      const Real* p = xpt(a, k);
      Real t = 0;
      for (int j = 0; j < n; ++j) t = t + (p[j] * sc) * wc[j];
      curv = curv + w.hcol[k] * t * t;
    }
    if (iflag == 1) curv = -curv;
    if (curv > -gw && curv < -konst * gw) {
      const Real scale = -gw / curv;
      for (int i = 0; i < n; ++i)
        a.xalt[i] = rmax(a.sl[i] * sc, rmin(a.su[i] * sc, xo[i] + scale * wc[i]));
      const Real t = half * gw * scale;
      cauchy_ = t * t;
    } else {
      const Real t = gw + half * curv;
      cauchy_ = t * t;
    }
    if (iflag == 0) {
      for (int i = 0; i < n; ++i) {
        w.glag[i] = -w.glag[i];
        xalt0[i] = a.xalt[i];
      }
      csave = cauchy_;
    }
  }
  if (csave > cauchy_) {
    for (int i = 0; i < n; ++i) a.xalt[i] = xalt0[i];
    cauchy_ = csave;
  }
  for (int i = 0; i < n; ++i) a.xalt[i] = a.xalt[i] * unsc;
  (void)zero;
}

// ---- after an evaluation --------------------------------------------------------

// Powell's code from label 360 on: the model's prediction error, the new
// delta, the point to replace, the new system, the model update, a new
// optimum, and the test that may replace the model by the least Frobenius
// norm interpolant. Returns the label to continue at.
template <class Real>
int BobyqaEngine<Real>::after_eval(const Arrays& a, Real f) noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  Work<Real> w(a.work, n, kk);
  const Real half = static_cast<Real>(0.5), tenth = static_cast<Real>(0.1);
  const Real fopt = a.fval[kopt_];
  // vquad = gopt·d + d·H·d/2, H = hq + Σ pq_k xpt_k xpt_kᵀ.
  Real vquad = 0;
  for (int j = 0; j < n; ++j) {
    vquad = vquad + a.d[j] * a.gopt[j];
    for (int i = 0; i <= j; ++i) {
      Real t = a.d[i] * a.d[j];
      if (i == j) t = half * t;
      vquad = vquad + a.hq[packed(i, j)] * t;
    }
  }
  for (int k = 0; k < m; ++k) {
    const Real* p = xpt(a, k);
    Real t = 0;
    for (int j = 0; j < n; ++j) t = t + p[j] * a.d[j];
    vquad = vquad + half * a.pq[k] * (t * t);
  }
  const Real diff = f - fopt - vquad;
  diffc_ = diffb_;
  diffb_ = diffa_;
  diffa_ = rabs(diff);
  if (dnorm_ > rho_) nfsav_ = nf_;
  if (ntrits_ > 0) {
    ratio_ = vquad < 0 ? (f - fopt) / vquad : static_cast<Real>(-1);
    if (ratio_ <= tenth) {
      delta_ = rmin(half * delta_, dnorm_);
    } else if (ratio_ <= static_cast<Real>(0.7)) {
      delta_ = rmax(half * delta_, dnorm_);
    } else {
      delta_ = rmax(half * delta_, dnorm_ + dnorm_);
    }
    if (delta_ <= static_cast<Real>(1.5) * rho_) delta_ = rho_;
    if (f < fopt) {
      // A new optimum: choose the point to remove by distances from xnew.
      const int ksav = knew_;
      const Real densav = denom_;
      if (!choose_knew(a, a.xnew)) {
        knew_ = ksav;
        denom_ = densav;
      }
    }
  }
  // Replace point knew: its pq term moves into hq first.
  {
    Real* p = xpt(a, knew_);
    const Real pqold = a.pq[knew_];
    a.pq[knew_] = 0;
    for (int i = 0; i < n; ++i) {
      const Real t = pqold * p[i];
      for (int j = 0; j <= i; ++j) a.hq[packed(j, i)] = a.hq[packed(j, i)] + t * p[j];
    }
    for (int j = 0; j < n; ++j) p[j] = a.xnew[j];
    a.fval[knew_] = f;
  }
  const bool better = f < fopt;
  if (!invert(a)) {
    // Keep the best point known: it is the rebuild's centre.
    if (better) {
      kopt_ = knew_;
      for (int j = 0; j < n; ++j) a.xopt[j] = a.xnew[j];
    }
    rebuild(a);
    return kReady;
  }
  // The model gains diff times the knew-th Lagrange function of the new set
  // (the least Frobenius norm change that interpolates f there).
  const Real inv_s2 = pow2<Real>(-2 * scale_exp_), inv_s = pow2<Real>(-scale_exp_);
  for (int k = 0; k < m; ++k) w.hcol[k] = ((diff * hrow(a, k)[knew_]) * inv_s2) * inv_s2;
  for (int i = 0; i < n; ++i) w.glag[i] = (diff * hrow(a, m + 1 + i)[knew_]) * inv_s;
  for (int k = 0; k < m; ++k) {
    const Real* p = xpt(a, k);
    Real t = 0;
    for (int j = 0; j < n; ++j) t = t + p[j] * a.xopt[j];
    t = w.hcol[k] * t;
    for (int i = 0; i < n; ++i) w.glag[i] = w.glag[i] + t * p[i];
  }
  for (int k = 0; k < m; ++k) a.pq[k] = a.pq[k] + w.hcol[k];
  for (int i = 0; i < n; ++i) a.gopt[i] = a.gopt[i] + w.glag[i];
  if (better) {
    kopt_ = knew_;
    xoptsq_ = 0;
    for (int j = 0; j < n; ++j) {
      a.xopt[j] = a.xnew[j];
      xoptsq_ = xoptsq_ + a.xopt[j] * a.xopt[j];
    }
    hess_mul(a, a.d, w.hs);
    for (int i = 0; i < n; ++i) a.gopt[i] = a.gopt[i] + w.hs[i];
  }
  if (ntrits_ > 0) {
    // The least Frobenius norm interpolant of the values themselves
    // (Hessian not carried over): if its gradient is much smaller three
    // times in a row, it replaces the model.
    const Real fo = a.fval[kopt_];
    for (int k = 0; k < m; ++k) {
      const Real* hk = hrow(a, k);
      Real sum = 0;
      for (int i = 0; i < m; ++i) sum = sum + hk[i] * (a.fval[i] - fo);
      w.hcol[k] = (sum * inv_s2) * inv_s2;
    }
    Real gqsq = 0, gisq = 0;
    for (int i = 0; i < n; ++i) {
      const Real* hi = hrow(a, m + 1 + i);
      Real sum = 0;
      for (int k = 0; k < m; ++k) sum = sum + hi[k] * (a.fval[k] - fo);
      sum = sum * inv_s;
      for (int k = 0; k < m; ++k) {
        const Real* p = xpt(a, k);
        Real t = 0;
        for (int j = 0; j < n; ++j) t = t + p[j] * a.xopt[j];
        sum = sum + (w.hcol[k] * t) * p[i];
      }
      if (a.xopt[i] == a.sl[i]) {
        const Real g = rmin(static_cast<Real>(0), a.gopt[i]), s = rmin(static_cast<Real>(0), sum);
        gqsq = gqsq + g * g;
        gisq = gisq + s * s;
      } else if (a.xopt[i] == a.su[i]) {
        const Real g = rmax(static_cast<Real>(0), a.gopt[i]), s = rmax(static_cast<Real>(0), sum);
        gqsq = gqsq + g * g;
        gisq = gisq + s * s;
      } else {
        gqsq = gqsq + a.gopt[i] * a.gopt[i];
        gisq = gisq + sum * sum;
      }
      w.glag[i] = sum;
    }
    ++itest_;
    if (gqsq < static_cast<Real>(10) * gisq) itest_ = 0;
    if (itest_ >= 3) {
      for (int i = 0; i < n; ++i) a.gopt[i] = w.glag[i];
      for (int k = 0; k < m; ++k) a.pq[k] = w.hcol[k];
      for (int k = 0; k < n * (n + 1) / 2; ++k) a.hq[k] = 0;
      itest_ = 0;
    }
  }
  if (ntrits_ == 0) return kL60;
  if (f <= fopt + tenth * vquad) return kL60;
  const Real d2 = (delta_ + delta_) * (delta_ + delta_);
  const Real r10 = static_cast<Real>(10) * rho_;
  distsq_ = rmax(d2, r10 * r10);
  return kL650;
}

// The step's end as the proposal (unit coordinates, bounds exact).
template <class Real>
void BobyqaEngine<Real>::set_candidate(const Arrays& a) noexcept {
  for (int j = 0; j < n_; ++j) {
    Real u = a.xbase[j] + a.xnew[j];
    if (a.xnew[j] == a.sl[j] || u < a.ulo[j]) u = a.ulo[j];
    if (a.xnew[j] == a.su[j] || u > a.uhi[j]) u = a.uhi[j];
    a.cand[j] = u;
  }
}

// Powell's main loop from a label until the next point to evaluate: label
// 60 (a trust-region step), 650 (is a point too far: a geometry step), 680
// (the next rho), 90 (shift the base, choose the point to replace, propose).
// Returns true when rho had reached rho_end with no step left.
template <class Real>
bool BobyqaEngine<Real>::next(const Arrays& a, int label) noexcept {
  const int n = n_;
  Work<Real> w(a.work, n, m_ + n + 1);
  const Real half = static_cast<Real>(0.5), tenth = static_cast<Real>(0.1);
  for (int guard = 0; guard < 1000; ++guard) {
    switch (label) {
      case kReady:
        return false;
      case kL60: {
        trsbox(a);
        dnorm_ = rmin(delta_, static_cast<Real>(std::sqrt(dsq_)));
        if (dnorm_ < half * rho_) {
          ntrits_ = -1;
          const Real r10 = static_cast<Real>(10) * rho_;
          distsq_ = r10 * r10;
          if (nf_ <= nfsav_ + 2) {
            label = kL650;
            break;
          }
          const Real errbig = rmax(rmax(diffa_, diffb_), diffc_);
          const Real frhosq = static_cast<Real>(0.125) * rho_ * rho_;
          if (crvmin_ > 0 && errbig > frhosq * crvmin_) {
            label = kL650;
            break;
          }
          const Real bdtol = errbig / rho_;
          label = kL680;
          for (int j = 0; j < n; ++j) {
            Real bdtest = bdtol;
            if (a.xnew[j] == a.sl[j]) bdtest = w.gnew[j];
            if (a.xnew[j] == a.su[j]) bdtest = -w.gnew[j];
            if (bdtest < bdtol) {
              Real curv = a.hq[packed(j, j)];
              for (int k = 0; k < m_; ++k) {
                const Real x = xpt(a, k)[j];
                curv = curv + a.pq[k] * (x * x);
              }
              bdtest = bdtest + half * curv * rho_;
              if (bdtest < bdtol) {
                label = kL650;
                break;
              }
            }
          }
          break;
        }
        ++ntrits_;
        label = kL90;
        break;
      }
      case kL90: {
        if (dsq_ <= static_cast<Real>(1e-3) * xoptsq_) {
          shift_base(a);
          if (!invert(a)) {
            rebuild(a);
            return false;
          }
        }
        if (ntrits_ == 0) {
          altmov(a);
          for (int j = 0; j < n; ++j) a.d[j] = a.xnew[j] - a.xopt[j];
          calc_vlag(a);
          Real vk = w.vlag[knew_];
          denom_ = vk * vk + alpha_ * beta_;
          if (denom_ < cauchy_ && cauchy_ > 0) {
            for (int j = 0; j < n; ++j) {
              a.xnew[j] = a.xalt[j];
              a.d[j] = a.xnew[j] - a.xopt[j];
            }
            cauchy_ = 0;
            calc_vlag(a);
            vk = w.vlag[knew_];
            denom_ = vk * vk + alpha_ * beta_;
          }
          if (!(denom_ > half * (vk * vk))) {
            rebuild(a);
            return false;
          }
        } else {
          calc_vlag(a);
          if (!choose_knew(a, a.xopt)) {
            rebuild(a);
            return false;
          }
        }
        Real dsq = 0;
        for (int j = 0; j < n; ++j) dsq = dsq + a.d[j] * a.d[j];
        dsq_ = dsq;
        set_candidate(a);
        phase_ = ntrits_ == 0 ? kGeometry : kTrust;
        return false;
      }
      case kL650: {
        int far = -1;
        Real dmax = distsq_;
        for (int k = 0; k < m_; ++k) {
          const Real* p = xpt(a, k);
          Real sum = 0;
          for (int j = 0; j < n; ++j) {
            const Real t = p[j] - a.xopt[j];
            sum = sum + t * t;
          }
          if (sum > dmax) {
            far = k;
            dmax = sum;
          }
        }
        if (far >= 0) {
          knew_ = far;
          const Real dist = std::sqrt(dmax);
          if (ntrits_ == -1) {
            delta_ = rmin(tenth * delta_, half * dist);
            if (delta_ <= static_cast<Real>(1.5) * rho_) delta_ = rho_;
          }
          ntrits_ = 0;
          adelt_ = rmax(rmin(tenth * dist, delta_), rho_);
          dsq_ = adelt_ * adelt_;
          label = kL90;
          break;
        }
        if (ntrits_ == -1) {
          label = kL680;
          break;
        }
        if (ratio_ > 0 || rmax(delta_, dnorm_) > rho_) {
          label = kL60;
          break;
        }
        label = kL680;
        break;
      }
      case kL680:
      default: {
        if (rho_ > rho_end_) {
          delta_ = half * rho_;
          const Real r = rho_ / rho_end_;
          if (r <= static_cast<Real>(16)) {
            rho_ = rho_end_;
          } else if (r <= static_cast<Real>(250)) {
            rho_ = std::sqrt(r) * rho_end_;
          } else {
            rho_ = tenth * rho_;
          }
          delta_ = rmax(delta_, rho_);
          ntrits_ = 0;
          nfsav_ = nf_;
          label = kL60;
          break;
        }
        return true;
      }
    }
  }
  // Not reached in exact arithmetic (every path reaches a proposal or
  // converges within a few passes); a safeguard against a rounding cycle.
  return true;
}

template class BobyqaEngine<float>;
template class BobyqaEngine<double>;

// ---- the family optimizer -----------------------------------------------------

template <class Real>
Status BobyqaCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims,
                              int points, const BobyqaConfig& cfg, uint64_t seed,
                              bool cfg_valid) noexcept {
  base_.reset();
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  const int m = points == 0 ? 2 * dims + 1 : points;
  if (m < dims + 2 || m > 2 * dims + 1 || !cfg_valid) return Status::InvalidArgument;
  cfg_ = cfg;
  restarts_ = 0;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  // No candidate yet: lo, not a former run's point (saved states then
  // depend on this run only, and B3/A3/T4 hold).
  for (int j = 0; j < dims; ++j) a.x[j] = lo[j];
  for (int j = 0; j < dims; ++j) {
    const Real r = hi[j] - lo[j];
    a.e.ulo[j] = lo[j] / r;
    a.e.uhi[j] = hi[j] / r;
  }
  engine_ = Engine{};
  const Real rho_end = static_cast<Real>(cfg.rho_end);
  engine_.configure(dims, m, rho_end > bobyqa_rho_floor<Real>() ? rho_end : bobyqa_rho_floor<Real>());
  engine_.clear(a.e);  // the saved state is this run's alone, whatever ran before
  start_point(a, 0, a.u);
  engine_.begin(a.e, a.u, static_cast<Real>(cfg.rho_begin), false, 0);
  return Status::Ok;
}

// A uniform point of the unit cube: block {j/2, restart, 0, kTagStart},
// words 0 and 2 for the even and odd j (24 bits each).
template <class Real>
void BobyqaCore<Real>::start_point(const Arrays& a, uint32_t restart, Real* u) const noexcept {
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int j = 0; j < base_.dims(); ++j) {
    if ((j & 1) == 0) base_.block(kTagStart, 0, restart, static_cast<uint32_t>(j) >> 1, w4);
    const Real t = u32_to_unit<Real>(w4[(j & 1) * 2]);
    Real v = a.e.ulo[j] + t * (a.e.uhi[j] - a.e.ulo[j]);
    if (v > a.e.uhi[j]) v = a.e.uhi[j];
    u[j] = v;
  }
}

template <class Real>
Status BobyqaCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  box_to_unit(a.lo, a.hi, a.e.ulo, a.e.uhi, base_.dims(), x, a.u);
  engine_.begin(a.e, a.u, static_cast<Real>(cfg_.rho_begin), false, 0);
  return Status::Ok;
}

template <class Real>
const Real* BobyqaCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running()) return nullptr;
  if (!base_.pending()) {
    const int n = base_.dims();
    if (base_.has_start() && base_.evaluations() == 0) {
      for (int j = 0; j < n; ++j) a.x[j] = a.best[j];
    } else {
      unit_to_box(a.lo, a.hi, a.e.ulo, a.e.uhi, n, engine_.proposal(a.e), a.x);
    }
    if (!base_.filter(box(a), a.x, 0)) return nullptr;
    base_.set_pending(true);
  }
  return a.x;
}

template <class Real>
Status BobyqaCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending()) return Status::NotReady;
  base_.set_pending(false);
  const Real f = Base::sanitize(cost);
  if (!base_.record(box(a), a.x, f)) return Status::Ok;
  // The engine's own coordinates of the point, unless a filter (or the
  // start point) put it elsewhere than the proposal's image.
  const int n = base_.dims();
  const Real* cand = engine_.proposal(a.e);
  unit_to_box(a.lo, a.hi, a.e.ulo, a.e.uhi, n, cand, a.u);
  bool same = true;
  for (int j = 0; j < n; ++j)
    if (a.u[j] != a.x[j]) same = false;
  const Real* u = cand;
  if (!same) {
    box_to_unit(a.lo, a.hi, a.e.ulo, a.e.uhi, n, a.x, a.u);
    u = a.u;
  }
  if (engine_.feed(a.e, u, f)) restart(a);
  (void)base_.end_generation();
  return Status::Ok;
}

// After convergence: around the incumbent with rho_begin again (its value
// known), or from a new uniform point.
template <class Real>
void BobyqaCore<Real>::restart(const Arrays& a) noexcept {
  ++restarts_;
  const Real rb = static_cast<Real>(cfg_.rho_begin);
  if (cfg_.restart == BobyqaRestart::Random) {
    start_point(a, static_cast<uint32_t>(restarts_), a.u);
    engine_.begin(a.e, a.u, rb, false, 0);
    return;
  }
  const Real fb = base_.best_value();
  if (fb < std::numeric_limits<Real>::infinity()) {
    box_to_unit(a.lo, a.hi, a.e.ulo, a.e.uhi, base_.dims(), a.best, a.u);
    engine_.begin(a.e, a.u, rb, true, fb);
  } else {
    engine_.restart_here(a.e, rb);
  }
}

template class BobyqaCore<float>;
template class BobyqaCore<double>;

}  // namespace detail
}  // namespace starling
