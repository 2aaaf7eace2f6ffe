// SPDX-License-Identifier: MIT
// src/spsa.cpp: the size-erased SPSA core (starling/spsa.hpp) over the family's
// OptCore: gain sequences (deterministic powers, detail/det_math.hpp), the
// Rademacher perturbations, averaging and the projected update; instantiated
// for float and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/spsa.hpp"

#include <cmath>

#include "starling/detail/det_math.hpp"

namespace starling {


Status validate(const SpsaConfig& c) noexcept {
  return detail::spsa_config_ok(c) ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

// A from the config: 10 % of the planned steps when negative.
template <class Real>
void SpsaCore<Real>::derive() noexcept {
  if (cfg_.stability >= 0.f) {
    big_a_ = static_cast<Real>(cfg_.stability);
    return;
  }
  long steps = static_cast<long>(cfg_.max_iter) - 1;
  if (cfg_.max_evals > 0) {
    const long by_evals = (cfg_.max_evals - 1) / (2L * cfg_.n_avg + (cfg_.theta_every == 1 ? 1 : 0));
    if (by_evals < steps) steps = by_evals;
  }
  big_a_ = static_cast<Real>(steps) * static_cast<Real>(0.1);
}

template <class Real>
Status SpsaCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
                            const SpsaConfig& cfg, uint64_t seed, bool cfg_valid) noexcept {
  base_.reset();
  if (lo == nullptr || hi == nullptr || dims < 1 || population != 0) return Status::InvalidArgument;
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  if (!cfg_valid) return Status::InvalidArgument;
  cfg_ = cfg;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  derive();
  a_ = static_cast<Real>(cfg.a);
  cal_sum_ = 0;
  cal_n_ = 0;
  ck_ = static_cast<Real>(cfg.c);
  sum_p_ = sum_m_ = 0;
  phase_ = Phase::Center;
  trial_ = 0;
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int d = 0; d < dims; ++d) {
    if ((d & 3) == 0) base_.block(kTagStart, 0, 0, static_cast<uint32_t>(d) >> 2, w4);
    Real t = lo[d] + (hi[d] - lo[d]) * u32_to_unit<Real>(w4[d & 3]);
    if (t > hi[d]) t = hi[d];
    a.theta[d] = a.xp[d] = a.xm[d] = a.x[d] = t;
  }
  return Status::Ok;
}

template <class Real>
Status SpsaCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  for (int d = 0; d < base_.dims(); ++d) a.theta[d] = a.xp[d] = a.xm[d] = a.x[d] = x[d];
  return Status::Ok;
}

template <class Real>
const Real* SpsaCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running()) return nullptr;
  if (!base_.pending()) {
    const Real* src = a.theta;
    if (phase_ == Phase::Step) {
      const int j = trial_ - theta_offset();
      if (j >= 0) src = (j & 1) == 0 ? a.xp : a.xm;
    }
    for (int d = 0; d < base_.dims(); ++d) a.x[d] = src[d];
    if (!base_.filter(box(a), a.x, trial_)) return nullptr;
    base_.set_pending(true);
  }
  return a.x;
}

template <class Real>
Status SpsaCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending()) return Status::NotReady;
  base_.set_pending(false);
  const Real f = Base::sanitize(cost);
  if (!base_.record(box(a), a.x, f)) return Status::Ok;
  if (phase_ == Phase::Center) {
    // θ0 as handed out (the filters may have moved it).
    for (int d = 0; d < base_.dims(); ++d) a.theta[d] = a.x[d];
    finish(a);
    return Status::Ok;
  }
  const int j = trial_ - theta_offset();  // −1: the θ measurement
  // The gradient uses the first x+ and x− as handed out.
  if (j == 0 || j == 1) {
    Real* keep = j == 0 ? a.xp : a.xm;
    for (int d = 0; d < base_.dims(); ++d) keep[d] = a.x[d];
  }
  if (j >= 0) {
    if ((j & 1) == 0) sum_p_ = sum_p_ + f;
    else sum_m_ = sum_m_ + f;
  }
  if (++trial_ < step_measurements(static_cast<uint32_t>(base_.iteration() - 1))) return Status::Ok;
  update(a);
  finish(a);
  return Status::Ok;
}

template <class Real>
void SpsaCore<Real>::finish(const Arrays& a) noexcept {
  // The step's counters are reset before a stop too, so that a saved state
  // always has 0 <= measurements < 2·n_avg.
  phase_ = Phase::Step;
  trial_ = 0;
  sum_p_ = sum_m_ = 0;
  if (!base_.end_generation()) return;
  begin_step(a);
}

// Step k = iteration − 1: c_k, Δ, x±.
template <class Real>
void SpsaCore<Real>::begin_step(const Arrays& a) noexcept {
  const uint32_t k = static_cast<uint32_t>(base_.iteration() - 1);
  ck_ = static_cast<Real>(cfg_.c) / det_pow(static_cast<Real>(k) + 1, static_cast<Real>(cfg_.gamma));
  uint32_t w4[4] = {0, 0, 0, 0};
  for (int d = 0; d < base_.dims(); ++d) {
    if ((d & 127) == 0) base_.block(kTagDelta, k, 0, static_cast<uint32_t>(d) >> 7, w4);
    const bool minus = ((w4[(d >> 5) & 3] >> (d & 31)) & 1u) != 0;
    // θ + (−h) and θ − h are the same IEEE operation.
    const Real h = minus ? -(ck_ * (a.hi[d] - a.lo[d])) : ck_ * (a.hi[d] - a.lo[d]);
    const Real lo = a.lo[d], hi = a.hi[d];
    Real p = a.theta[d] + h, m = a.theta[d] - h;
    p = p < lo ? lo : p > hi ? hi : p;
    m = m < lo ? lo : m > hi ? hi : m;
    a.xp[d] = p;
    a.xm[d] = m;
  }
}

template <class Real>
void SpsaCore<Real>::update(const Arrays& a) noexcept {
  const Real dy = (sum_p_ - sum_m_) / static_cast<Real>(cfg_.n_avg);
  if (!std::isfinite(dy)) return;
  const Real k1 = static_cast<Real>(base_.iteration());  // k + 1 (the step ends generation k + 1)
  const Real shift = det_pow(big_a_ + k1, static_cast<Real>(cfg_.alpha));
  if (cfg_.a == 0.f && cal_n_ < cfg_.calibrate) {
    // Calibration: a from the mean gradient magnitude along Δ so far.
    if (dy == 0) return;
    const Real g = (dy < 0 ? -dy : dy) / (2 * ck_);
    const Real sum = cal_sum_ + g;
    const Real gain = static_cast<Real>(cfg_.first_step) *
                      det_pow(big_a_ + 1, static_cast<Real>(cfg_.alpha)) /
                      (sum / static_cast<Real>(cal_n_ + 1));
    if (!std::isfinite(sum) || !std::isfinite(gain) || !(gain > 0)) return;
    cal_sum_ = sum;
    ++cal_n_;
    a_ = gain;
  }
  if (!(a_ > 0)) return;
  const Real ak = a_ / shift;
  const Real ms = static_cast<Real>(cfg_.max_step);
  for (int d = 0; d < base_.dims(); ++d) {
    const Real range = a.hi[d] - a.lo[d];
    const Real du = (a.xp[d] - a.xm[d]) / range;
    if (du == 0) continue;
    Real step = ak * (dy / du);
    if (std::isnan(step)) continue;
    if (step > ms) step = ms;
    if (step < -ms) step = -ms;
    Real t = a.theta[d] - step * range;
    if (t < a.lo[d]) t = a.lo[d];
    if (t > a.hi[d]) t = a.hi[d];
    a.theta[d] = t;
  }
}

template class SpsaCore<float>;
template class SpsaCore<double>;

}  // namespace detail
}  // namespace starling
