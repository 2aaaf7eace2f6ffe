// SPDX-License-Identifier: MIT
// src/bayesopt.cpp: the Gaussian-process engine (Matérn 5/2 with ARD, profiled
// signal variance, deterministic hyperparameter search, incremental Cholesky,
// LogEI and its deterministic inner search) and the family optimizer BayesOpt
// around it, instantiated for float and double. Every sum runs in index order
// from 0, elementary functions are detail/model_math.hpp's, so that
// tools/model_ref.py reproduces each operation.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/bayesopt.hpp"

#include <cmath>
#include <limits>

#include "starling/detail/model_math.hpp"

namespace starling {
namespace detail {

namespace {

// Index of row i's first element in a packed lower triangle.
inline int row0(int i) noexcept { return i * (i + 1) / 2; }

}  // namespace

template <class Real>
void GpEngine<Real>::configure(int dims, const BayesOptConfig& cfg) noexcept {
  d_ = dims;
  candidates_ = cfg.candidates;
  fit_evals_ = cfg.fit_evals;
  transform_ = static_cast<int>(cfg.transform);
}

template <class Real>
void GpEngine<Real>::clear(const Arrays& a) noexcept {
  n_ = 0;
  cur_ = 0;
  factored_ = 0;
  sigma2_ = 1;
  zbest_ = 0;
  for (int j = 0; j < d_; ++j) a.theta[j] = gp_ln_len_prior<Real>();
  a.theta[d_] = static_cast<Real>(-6.907755278982137);  // ln 1e-3
}

template <class Real>
void GpEngine<Real>::inv_lengths(const Arrays&, const Real* theta, Real* inv_l) const noexcept {
  for (int j = 0; j < d_; ++j) inv_l[j] = model_exp(-theta[j]);
}

template <class Real>
Real GpEngine<Real>::length_scale(const Arrays& a, int j) const noexcept {
  return model_exp(a.theta[j]);
}
template <class Real>
Real GpEngine<Real>::nugget(const Arrays& a) const noexcept {
  return model_exp(a.theta[d_]);
}

// Matérn 5/2: (1 + √5 r + (5/3) r²)·e^(−√5 r).
template <class Real>
Real GpEngine<Real>::kernel(const Arrays&, const Real* p, const Real* q, const Real* inv_l) const noexcept {
  Real r2 = 0;
  for (int j = 0; j < d_; ++j) {
    const Real e = (p[j] - q[j]) * inv_l[j];
    r2 = r2 + e * e;
  }
  const Real s5r = static_cast<Real>(2.23606797749978969641) * static_cast<Real>(std::sqrt(r2));
  const Real poly = (1 + s5r) + static_cast<Real>(1.66666666666666666667) * r2;
  return poly * model_exp(-s5r);
}

template <class Real>
void GpEngine<Real>::add(const Arrays& a, const Real* t, Real y) noexcept {
  int idx = n_;
  if (n_ == a.cap) {
    // Full: replace the worst observation (a failure first, else the
    // largest cost; the lowest index among equals).
    idx = 0;
    for (int i = 1; i < n_; ++i)
      if (a.y[i] > a.y[idx]) idx = i;
    factored_ = 0;
  } else {
    ++n_;
  }
  Real* row = a.t + idx * a.stride;
  for (int j = 0; j < d_; ++j) row[j] = t[j];
  a.y[idx] = y;
  if (idx != n_ - 1 || factored_ != idx) {
    factored_ = 0;
    return;
  }
  // Append a row to the current factor: L·l = k(t, t_i), l_nn = √(1 + g − l·l).
  Real* inv_l = a.work;
  inv_lengths(a, a.theta, inv_l);
  const Real g = model_exp(a.theta[d_]);
  Real* tri = cur_ == 0 ? a.tri0 : a.tri1;
  Real* lrow = tri + row0(idx);
  // The same operations, in the same order, as factor()'s last row: the
  // appended factor equals a full factorization bit for bit.
  for (int i = 0; i < idx; ++i) {
    Real sum = kernel(a, row, a.t + i * a.stride, inv_l);
    const Real* li = tri + row0(i);
    for (int k = 0; k < i; ++k) sum = sum - lrow[k] * li[k];
    lrow[i] = sum / li[i];
  }
  Real dd = 1 + g;
  for (int k = 0; k < idx; ++k) dd = dd - lrow[k] * lrow[k];
  if (!(dd > 0)) {
    factored_ = 0;
    return;
  }
  lrow[idx] = std::sqrt(dd);
  factored_ = n_;
}

// z: transformed (bayesopt.hpp, CostTransform), failures as the worst
// finite value, standardized to mean 0 and variance 1.
template <class Real>
void GpEngine<Real>::targets(const Arrays& a) noexcept {
  const int n = n_;
  const Real inf = std::numeric_limits<Real>::infinity();
  // Auto: ln(y − y_min + s) with s = max(y_min, (y_med − y_min)/10) for
  // positive costs, (y_med − y_min)/10 otherwise; y_med the median of the
  // finite costs (the lower of the middle two), by selection in kv.
  Real shift = 0;
  bool use_log = transform_ != static_cast<int>(CostTransform::Identity);
  if (transform_ == static_cast<int>(CostTransform::Auto)) {
    int m = 0;
    Real ymin = inf;
    for (int i = 0; i < n; ++i)
      if (std::isfinite(a.y[i])) {
        a.kv[m++] = a.y[i];
        if (a.y[i] < ymin) ymin = a.y[i];
      }
    if (m == 0) {
      use_log = false;
    } else {
      // Insertion sort of the m finite costs (m <= cap).
      for (int i = 1; i < m; ++i) {
        const Real v = a.kv[i];
        int j = i;
        while (j > 0 && a.kv[j - 1] > v) {
          a.kv[j] = a.kv[j - 1];
          --j;
        }
        a.kv[j] = v;
      }
      const Real spread = (a.kv[(m - 1) / 2] - ymin) * static_cast<Real>(0.1);
      Real s = spread;
      if (ymin > 0 && ymin > s) s = ymin;
      if (!(s > 0) || !std::isfinite(s)) {
        use_log = false;  // every finite cost equal (or out of range)
      } else {
        shift = s - ymin;
      }
    }
  }
  Real worst = -inf;
  for (int i = 0; i < n; ++i) {
    Real z = inf;
    const Real y = a.y[i] + shift;
    if (std::isfinite(y) && (!use_log || y > 0)) z = use_log ? model_log(y) : y;
    a.z[i] = z;
    if (z < inf && z > worst) worst = z;
  }
  if (!(worst > -inf)) worst = 0;
  Real mean = 0;
  for (int i = 0; i < n; ++i) {
    if (!(a.z[i] < inf)) a.z[i] = worst;
    mean = mean + a.z[i];
  }
  mean = mean / static_cast<Real>(n);
  Real var = 0;
  for (int i = 0; i < n; ++i) {
    const Real e = a.z[i] - mean;
    var = var + e * e;
  }
  var = var / static_cast<Real>(n);
  Real sd = std::sqrt(var);
  if (!(sd > 0) || !std::isfinite(sd)) sd = 1;
  zbest_ = inf;
  for (int i = 0; i < n; ++i) {
    a.z[i] = (a.z[i] - mean) / sd;
    if (a.z[i] < zbest_) zbest_ = a.z[i];
  }
}

// C = R + g·I factored into tri (packed lower, row by row); nll =
// n·ln(zᵀC⁻¹z/n) + 2·Σ ln L_ii + Σ_j (θ_j − ln 0.5)²/4. False if C is not
// positive definite in Real arithmetic.
template <class Real>
bool GpEngine<Real>::factor(const Arrays& a, Real* tri, const Real* theta, Real* nll) const noexcept {
  return build(a, tri, theta) && likelihood(a, tri, theta, nll);
}

template <class Real>
bool GpEngine<Real>::build(const Arrays& a, Real* tri, const Real* theta) const noexcept {
  const int n = n_;
  Real* inv_l = a.work + d_;
  inv_lengths(a, theta, inv_l);
  const Real g = model_exp(theta[d_]);
  for (int i = 0; i < n; ++i) {
    const Real* ti = a.t + i * a.stride;
    Real* li = tri + row0(i);
    for (int j = 0; j < i; ++j) {
      const Real* lj = tri + row0(j);
      Real sum = kernel(a, ti, a.t + j * a.stride, inv_l);
      for (int k = 0; k < j; ++k) sum = sum - li[k] * lj[k];
      li[j] = sum / lj[j];
    }
    Real dd = 1 + g;
    for (int k = 0; k < i; ++k) dd = dd - li[k] * li[k];
    if (!(dd > 0)) return false;
    li[i] = std::sqrt(dd);
  }
  return true;
}

template <class Real>
bool GpEngine<Real>::likelihood(const Arrays& a, const Real* tri, const Real* theta, Real* nll) const noexcept {
  const int n = n_;
  // w = L⁻¹z: zᵀC⁻¹z = w·w.
  Real* w = a.v;
  Real ww = 0, logdet = 0;
  for (int i = 0; i < n; ++i) {
    const Real* li = tri + row0(i);
    Real sum = a.z[i];
    for (int k = 0; k < i; ++k) sum = sum - li[k] * w[k];
    w[i] = sum / li[i];
    ww = ww + w[i] * w[i];
    logdet = logdet + model_log(li[i]);
  }
  const Real nf = static_cast<Real>(n);
  Real prior = 0;
  for (int j = 0; j < d_; ++j) {
    const Real e = theta[j] - gp_ln_len_prior<Real>();
    prior = prior + e * e;
  }
  *nll = (nf * model_log(ww / nf) + (logdet + logdet)) + static_cast<Real>(0.25) * prior;
  return std::isfinite(*nll);
}

// alpha = C⁻¹z with the current factor; σ̂² = zᵀα/n.
template <class Real>
bool GpEngine<Real>::solve_alpha(const Arrays& a) noexcept {
  const int n = n_;
  const Real* tri = cur_ == 0 ? a.tri0 : a.tri1;
  Real* w = a.v;
  for (int i = 0; i < n; ++i) {
    const Real* li = tri + row0(i);
    Real sum = a.z[i];
    for (int k = 0; k < i; ++k) sum = sum - li[k] * w[k];
    w[i] = sum / li[i];
  }
  for (int i = n - 1; i >= 0; --i) {
    Real sum = w[i];
    for (int k = i + 1; k < n; ++k) sum = sum - (tri + row0(k))[i] * a.alpha[k];
    a.alpha[i] = sum / (tri + row0(i))[i];
  }
  Real za = 0;
  for (int i = 0; i < n; ++i) za = za + a.z[i] * a.alpha[i];
  sigma2_ = za / static_cast<Real>(n);
  if (!(sigma2_ > 0) || !std::isfinite(sigma2_)) sigma2_ = 1;
  inv_lengths(a, a.theta, a.work + 3 * d_ + 1);  // for predict()
  return true;
}

template <class Real>
bool GpEngine<Real>::refresh(const Arrays& a) noexcept {
  if (n_ == 0) return false;
  targets(a);
  if (factored_ < n_) {
    Real* tri = cur_ == 0 ? a.tri0 : a.tri1;
    // Raise the nugget until the factorization holds (rounding in float).
    while (!build(a, tri, a.theta)) {
      if (a.theta[d_] >= gp_ln_nugget_max<Real>()) return false;
      a.theta[d_] = a.theta[d_] + 1;
      if (a.theta[d_] > gp_ln_nugget_max<Real>()) a.theta[d_] = gp_ln_nugget_max<Real>();
    }
    factored_ = n_;
  }
  return solve_alpha(a);
}

template <class Real>
bool GpEngine<Real>::fit(const Arrays& a) noexcept {
  if (n_ == 0) return false;
  targets(a);
  Real best = 0;
  Real* tri = cur_ == 0 ? a.tri0 : a.tri1;
  // The current factor serves when every row is valid (appended).
  if (factored_ < n_ || !likelihood(a, tri, a.theta, &best)) {
    while (!factor(a, tri, a.theta, &best)) {
      if (a.theta[d_] >= gp_ln_nugget_max<Real>()) return false;
      a.theta[d_] = a.theta[d_] + 1;
      if (a.theta[d_] > gp_ln_nugget_max<Real>()) a.theta[d_] = gp_ln_nugget_max<Real>();
    }
  }
  factored_ = n_;
  Real* trial = a.work + 2 * d_;  // d_ + 1 values
  int evals = 1;
  Real h = 1;
  const Real hmin = static_cast<Real>(0.0625);
  while (evals < fit_evals_ && h >= hmin) {
    bool improved = false;
    for (int c = 0; c <= d_ && evals < fit_evals_; ++c) {
      const Real lo = c < d_ ? gp_ln_len_min<Real>() : gp_ln_nugget_min<Real>();
      const Real hi = c < d_ ? gp_ln_len_max<Real>() : gp_ln_nugget_max<Real>();
      for (int sgn = 0; sgn < 2 && evals < fit_evals_; ++sgn) {
        for (int j = 0; j <= d_; ++j) trial[j] = a.theta[j];
        Real v = sgn == 0 ? a.theta[c] + h : a.theta[c] - h;
        if (v > hi) v = hi;
        if (v < lo) v = lo;
        if (v == a.theta[c]) continue;
        trial[c] = v;
        ++evals;
        Real nll = 0;
        Real* other = cur_ == 0 ? a.tri1 : a.tri0;
        if (factor(a, other, trial, &nll) && nll < best) {
          best = nll;
          a.theta[c] = v;
          cur_ = 1 - cur_;
          improved = true;
          break;
        }
      }
    }
    if (!improved) h = h * static_cast<Real>(0.5);
  }
  return solve_alpha(a);
}

template <class Real>
void GpEngine<Real>::predict(const Arrays& a, const Real* t, Real* mean, Real* sd) const noexcept {
  const int n = n_;
  const Real* inv_l = a.work + 3 * d_ + 1;  // set by prepared()
  const Real* tri = cur_ == 0 ? a.tri0 : a.tri1;
  Real mu = 0, vv = 0;
  for (int i = 0; i < n; ++i) {
    a.kv[i] = kernel(a, t, a.t + i * a.stride, inv_l);
    mu = mu + a.kv[i] * a.alpha[i];
  }
  for (int i = 0; i < n; ++i) {
    const Real* li = tri + row0(i);
    Real sum = a.kv[i];
    for (int k = 0; k < i; ++k) sum = sum - li[k] * a.v[k];
    a.v[i] = sum / li[i];
    vv = vv + a.v[i] * a.v[i];
  }
  Real var = 1 - vv;
  const Real floor = static_cast<Real>(1e-10);
  if (!(var > floor)) var = floor;
  *mean = mu;
  *sd = std::sqrt(var * sigma2_);
}

template <class Real>
Real GpEngine<Real>::acquisition(const Arrays& a, const Real* t) const noexcept {
  Real mu = 0, sd = 1;
  predict(a, t, &mu, &sd);
  return model_log(sd) + log_ei((zbest_ - mu) / sd);
}

template <class Real>
int GpEngine<Real>::best_index(const Arrays& a) const noexcept {
  int b = 0;
  for (int i = 1; i < n_; ++i)
    if (a.z[i] < a.z[b]) b = i;
  return b;
}

// The acquisition's maximizer in [lo_r, hi_r]; see bayesopt.hpp.
template <class Real>
void GpEngine<Real>::search(const Arrays& a, const uint32_t key[4], uint32_t tag, uint32_t iter,
                            const Real* lo_r, const Real* hi_r, Real* out) const noexcept {
  const int d = d_, nc = candidates_;
  Real* top = a.work + 4 * d + 1;  // three candidates
  Real* cand = top + 3 * d;
  Real* step = cand + d;
  Real* base = step + d;
  Real topv[3];
  int ntop = 0;
  auto consider = [&](const Real* x, Real v) {
    int pos = ntop;
    while (pos > 0 && v > topv[pos - 1]) --pos;  // strict: the earlier wins ties
    if (pos >= 3) return;
    const int last = ntop < 3 ? ntop : 2;
    for (int q = last; q > pos; --q) {
      topv[q] = topv[q - 1];
      for (int j = 0; j < d; ++j) top[q * d + j] = top[(q - 1) * d + j];
    }
    topv[pos] = v;
    for (int j = 0; j < d; ++j) top[pos * d + j] = x[j];
    if (ntop < 3) ++ntop;
  };
  const auto clamp = [&](int j, Real v) {
    if (v < lo_r[j]) v = lo_r[j];
    if (v > hi_r[j]) v = hi_r[j];
    return v;
  };
  uint32_t w4[4] = {0, 0, 0, 0};
  // Uniform candidates, then as many around the best observation at three
  // widths (ℓ/2, ℓ/8, ℓ/32 on each side).
  const Real* centre = a.t + best_index(a) * a.stride;
  for (int c = 0; c < 2 * nc; ++c) {
    const Real width = c < nc ? 0 : (c % 3 == 0 ? static_cast<Real>(0.5) : c % 3 == 1 ? static_cast<Real>(0.125) : static_cast<Real>(0.03125));
    for (int j = 0; j < d; ++j) {
      if ((j & 1) == 0) swarm_block(key, tag, iter, static_cast<uint32_t>(c), static_cast<uint32_t>(j) >> 1, w4);
      const Real u = u32_to_unit<Real>(w4[(j & 1) * 2]);
      if (c < nc) {
        cand[j] = clamp(j, lo_r[j] + u * (hi_r[j] - lo_r[j]));
      } else {
        const Real l = model_exp(a.theta[j]);
        cand[j] = clamp(j, centre[j] + (u + u - 1) * (l * width));
      }
    }
    consider(cand, acquisition(a, cand));
  }
  // Coordinate search from each of the best three: steps ℓ/10 (at most the
  // region's width), halved after a round without improvement, four rounds.
  Real bestv = -std::numeric_limits<Real>::infinity();
  for (int q = 0; q < ntop; ++q) {
    Real bv = topv[q];
    for (int j = 0; j < d; ++j) {
      base[j] = top[q * d + j];
      Real s = static_cast<Real>(0.1) * model_exp(a.theta[j]);
      const Real wdt = hi_r[j] - lo_r[j];
      step[j] = s < wdt ? s : wdt;
    }
    for (int round = 0; round < 4; ++round) {
      bool improved = false;
      for (int j = 0; j < d; ++j) {
        for (int sgn = 0; sgn < 2; ++sgn) {
          for (int i = 0; i < d; ++i) cand[i] = base[i];
          cand[j] = clamp(j, sgn == 0 ? base[j] + step[j] : base[j] - step[j]);
          if (cand[j] == base[j]) continue;
          const Real v = acquisition(a, cand);
          if (v > bv) {
            bv = v;
            base[j] = cand[j];
            improved = true;
            break;
          }
        }
      }
      if (!improved)
        for (int j = 0; j < d; ++j) step[j] = step[j] * static_cast<Real>(0.5);
    }
    if (q == 0 || bv > bestv) {
      bestv = bv;
      for (int j = 0; j < d; ++j) out[j] = base[j];
    }
  }
  if (ntop == 0)
    for (int j = 0; j < d; ++j) out[j] = lo_r[j];
}

template class GpEngine<float>;
template class GpEngine<double>;

// ---- the design ------------------------------------------------------------------

template <class Real>
void design_point(const uint32_t key[4], uint32_t tag, int dims, int i, const Real* lo_r,
                  const Real* hi_r, Real* t) noexcept {
  // φ: Newton's method on x^(D+1) − x − 1 from 2 (monotone convergence).
  Real phi = 2;
  for (int it = 0; it < 40; ++it) {
    Real p = 1;
    for (int k = 0; k < dims; ++k) p = p * phi;  // φ^D
    const Real f = p * phi - phi - 1;
    const Real df = static_cast<Real>(dims + 1) * p - 1;
    phi = phi - f / df;
  }
  uint32_t w4[4] = {0, 0, 0, 0};
  Real alpha = 1;
  for (int j = 0; j < dims; ++j) {
    alpha = alpha / phi;
    if ((j & 1) == 0) swarm_block(key, tag, 0, 0, static_cast<uint32_t>(j) >> 1, w4);
    const Real shift = u32_to_unit<Real>(w4[(j & 1) * 2]);
    Real v = shift + static_cast<Real>(i + 1) * alpha;
    v = v - std::floor(v);
    Real x = lo_r[j] + v * (hi_r[j] - lo_r[j]);
    if (x > hi_r[j]) x = hi_r[j];
    t[j] = x;
  }
}
template void design_point<float>(const uint32_t*, uint32_t, int, int, const float*, const float*, float*) noexcept;
template void design_point<double>(const uint32_t*, uint32_t, int, int, const double*, const double*, double*) noexcept;

template <class Real>
void model_region(const OptCore<Real>& base, const Real* lo, const Real* hi, const Real* best, Real* rlo,
                  Real* rhi) noexcept {
  const Real r = static_cast<Real>(base.trust_radius());
  const bool centred = r > 0 && (base.evaluations() > 0 || base.has_start());
  for (int j = 0; j < base.dims(); ++j) {
    Real l = 0, h = 1;
    if (centred) {
      const Real c = (best[j] - lo[j]) / (hi[j] - lo[j]);
      if (c - r > l) l = c - r;
      if (c + r < h) h = c + r;
      if (h < l) h = l;
    }
    rlo[j] = l;
    rhi[j] = h;
  }
}

template <class Real>
void region_uniform_point(const uint32_t key[4], uint32_t tag, uint32_t k, int dims, const Real* rlo,
                          const Real* rhi, Real* t) noexcept {
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int j = 0; j < dims; ++j) {
    if ((j & 1) == 0) swarm_block(key, tag, k, 0, static_cast<uint32_t>(j) >> 1, w4);
    Real v = rlo[j] + u32_to_unit<Real>(w4[(j & 1) * 2]) * (rhi[j] - rlo[j]);
    if (v > rhi[j]) v = rhi[j];
    t[j] = v;
  }
}

template <class Real>
void box_to_unit(const Real* lo, const Real* hi, int dims, const Real* x, Real* t) noexcept {
  for (int j = 0; j < dims; ++j) {
    Real v = (x[j] - lo[j]) / (hi[j] - lo[j]);
    if (v > 1) v = 1;
    if (v < 0) v = 0;
    t[j] = v;
  }
}

template <class Real>
void unit_to_box(const Real* lo, const Real* hi, int dims, const Real* t, Real* x) noexcept {
  for (int j = 0; j < dims; ++j) {
    Real v = t[j] <= 0 ? lo[j] : t[j] >= 1 ? hi[j] : lo[j] + t[j] * (hi[j] - lo[j]);
    if (v > hi[j]) v = hi[j];
    x[j] = v;
  }
}

#define STARLING_MODEL_HELPERS(R)                                                                         \
  template void model_region<R>(const OptCore<R>&, const R*, const R*, const R*, R*, R*) noexcept;        \
  template void region_uniform_point<R>(const uint32_t*, uint32_t, uint32_t, int, const R*, const R*,    \
                                        R*) noexcept;                                                    \
  template void box_to_unit<R>(const R*, const R*, int, const R*, R*) noexcept;                          \
  template void unit_to_box<R>(const R*, const R*, int, const R*, R*) noexcept;
STARLING_MODEL_HELPERS(float)
STARLING_MODEL_HELPERS(double)
#undef STARLING_MODEL_HELPERS

// ---- the family optimizer ----------------------------------------------------------

template <class Real>
Status BayesOptCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims, int design,
                                const BayesOptConfig& cfg, uint64_t seed, bool cfg_valid) noexcept {
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
  gp_.configure(dims, cfg);
  gp_.clear(a.g);
  propose(a);
  return Status::Ok;
}

template <class Real>
void BayesOptCore<Real>::region(const Arrays& a) const noexcept {
  model_region(base_, a.lo, a.hi, a.best, a.rlo, a.rhi);
}

template <class Real>
void BayesOptCore<Real>::propose(const Arrays& a) noexcept {
  const long k = base_.evaluations();
  region(a);
  const int n = base_.dims();
  if (k < design_) {
    design_point(base_.key(), kTagDesign, n, static_cast<int>(k), a.rlo, a.rhi, a.cand);
    return;
  }
  if (gp_.fit(a.g)) {
    gp_.search(a.g, base_.key(), kTagSearch, static_cast<uint32_t>(k), a.rlo, a.rhi, a.cand);
    return;
  }
  // No factorization held (degenerate data): a uniform point of the region.
  region_uniform_point(base_.key(), kTagFallback, static_cast<uint32_t>(k), n, a.rlo, a.rhi, a.cand);
}

template <class Real>
Status BayesOptCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  propose(a);  // the region may now be the trust box around the start
  return Status::Ok;
}

template <class Real>
const Real* BayesOptCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running()) return nullptr;
  if (!base_.pending()) {
    const int n = base_.dims();
    if (base_.has_start() && base_.evaluations() == 0) {
      for (int j = 0; j < n; ++j) a.x[j] = a.best[j];
    } else {
      unit_to_box(a.lo, a.hi, n, a.cand, a.x);
    }
    if (!base_.filter(box(a), a.x, 0)) return nullptr;
    base_.set_pending(true);
  }
  return a.x;
}

template <class Real>
Status BayesOptCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending()) return Status::NotReady;
  base_.set_pending(false);
  const Real f = Base::sanitize(cost);
  if (!base_.record(box(a), a.x, f)) return Status::Ok;
  const int n = base_.dims();
  Real* t = a.rlo;  // scratch until propose() sets the region
  box_to_unit(a.lo, a.hi, n, a.x, t);
  gp_.add(a.g, t, f);
  if (!base_.end_generation()) return Status::Ok;
  propose(a);
  return Status::Ok;
}

template class BayesOptCore<float>;
template class BayesOptCore<double>;

}  // namespace detail
}  // namespace starling
