// SPDX-License-Identifier: MIT
// src/spsa_state.cpp: save and load of an SPSA run (format version 1,
// documented at Spsa::save in starling/spsa.hpp) over the family's header,
// common section and seal.
#include <cmath>
#include <limits>

#include "starling/detail/det_math.hpp"
#include "starling/spsa.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'S', 'P', 'S'};
constexpr uint16_t kVersion = 1;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
}  // namespace

template <class Real>
Status SpsaCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int n = base_.dims();
  const size_t size = state_size(n);
  if (cap < size) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, n, 0);
  w.f32(cfg_.a);
  w.f32(cfg_.first_step);
  w.f32(cfg_.c);
  w.f32(cfg_.alpha);
  w.f32(cfg_.gamma);
  w.f32(cfg_.stability);
  w.f32(cfg_.max_step);
  w.i32(cfg_.n_avg);
  w.i32(cfg_.theta_every);
  w.i32(cfg_.calibrate);
  base_.save_common(w, box(a));
  w.u8(static_cast<uint32_t>(phase_));
  w.u8(0);
  w.u8(0);
  w.u8(0);
  w.i32(trial_);
  w.i32(cal_n_);
  w.real(a_);
  w.real(cal_sum_);
  w.real(sum_p_);
  w.real(sum_m_);
  w.reals(a.theta, n);
  w.reals(a.xp, n);
  w.reals(a.xm, n);
  w.reals(a.x, n);
  Base::seal(buf, size);
  if (written != nullptr) *written = size;
  return Status::Ok;
}

template <class Real>
Status SpsaCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, up = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &up) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || ud > 4096 || up != 0) return Status::Corrupt;
  const int n = static_cast<int>(ud);
  if (size != state_size(n)) return Status::Corrupt;
  if (n > a.max_dims) return Status::CapacityExceeded;

  SpsaCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.a = r.f32();
  t.cfg_.first_step = r.f32();
  t.cfg_.c = r.f32();
  t.cfg_.alpha = r.f32();
  t.cfg_.gamma = r.f32();
  t.cfg_.stability = r.f32();
  t.cfg_.max_step = r.f32();
  t.cfg_.n_avg = r.i32();
  t.cfg_.theta_every = r.i32();
  t.cfg_.calibrate = r.i32();
  const uint8_t* common = r.pos();
  const Status cst = t.base_.load_common(r, n, kStream);
  if (cst != Status::Ok) return cst;
  const StopRules& rules = t.base_.rules();
  t.cfg_.max_iter = rules.max_iter;
  t.cfg_.max_evals = rules.max_evals;
  t.cfg_.target = rules.target;
  t.cfg_.stall_iter = rules.stall_iter;
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;
  t.derive();

  const uint32_t phase = r.u8();
  if (phase > 1 || r.u8() != 0 || r.u8() != 0 || r.u8() != 0) return Status::Corrupt;
  t.phase_ = static_cast<Phase>(phase);
  t.trial_ = r.i32();
  t.cal_n_ = r.i32();
  t.a_ = r.real<Real>();
  t.cal_sum_ = r.real<Real>();
  t.sum_p_ = r.real<Real>();
  t.sum_m_ = r.real<Real>();
  const int iter = t.base_.iteration();
  const long evals = t.base_.evaluations();
  if ((t.phase_ == Phase::Center) != (iter == 0)) return Status::Corrupt;
  const int off = iter > 0 ? t.theta_offset() : 0;
  const int j = t.trial_ - off;  // measurements of x± made in this step
  const int limit = iter > 0 ? t.step_measurements(static_cast<uint32_t>(iter - 1)) : 1;
  const bool calibrating = t.cfg_.a == 0.f;
  if (t.trial_ < 0 || t.trial_ >= limit || !std::isfinite(t.a_) || t.a_ < 0 ||
      (!calibrating && (t.a_ != static_cast<Real>(t.cfg_.a) || t.cal_n_ != 0 || t.cal_sum_ != 0)) ||
      t.cal_n_ < 0 || t.cal_n_ > t.cfg_.calibrate || t.cal_n_ > iter || !std::isfinite(t.cal_sum_) ||
      t.cal_sum_ < 0 || (t.cal_n_ == 0) != (t.cal_sum_ == 0) || (calibrating && (t.cal_n_ == 0) != (t.a_ == 0)) || !finite_or_inf(t.sum_p_) ||
      !finite_or_inf(t.sum_m_) || (j <= 0 && (t.sum_p_ != 0 || t.sum_m_ != 0)) ||
      (j == 1 && t.sum_m_ != 0))
    return Status::Corrupt;
  // Evaluations follow from the steps: θ0, then per step 2·n_avg plus θ's
  // (steps 0, e, 2e, ...: ceil(K/e) of the first K); a tell that stops on
  // Target or MaxEvals does not count its measurement.
  const StopReason why = t.base_.stop_reason();
  const bool mid = why == StopReason::Target || why == StopReason::MaxEvals;
  int64_t expect = t.trial_ + (mid ? 1 : 0);
  if (iter > 0) {
    const int64_t steps = iter - 1, e = t.cfg_.theta_every;
    expect += 1 + steps * 2 * t.cfg_.n_avg + (e > 0 ? (steps + e - 1) / e : 0);
  }
  if (evals != expect) return Status::Corrupt;
  if (iter > 0) {
    const uint32_t k = static_cast<uint32_t>(iter - 1);
    t.ck_ = static_cast<Real>(t.cfg_.c) / det_pow(static_cast<Real>(k) + 1, static_cast<Real>(t.cfg_.gamma));
  } else {
    t.ck_ = static_cast<Real>(t.cfg_.c);
  }

  const size_t nr = sizeof(Real) * static_cast<size_t>(n);
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* own = r.pos();
  {
    StateReader sr(own);
    for (int row = 0; row < 4; ++row) {
      StateReader lo_r(common_arrays), hi_r(common_arrays + nr);
      for (int d = 0; d < n; ++d) {
        const Real lo = lo_r.real<Real>(), hi = hi_r.real<Real>(), v = sr.real<Real>();
        if (!(v >= lo && v <= hi)) return Status::Corrupt;
      }
    }
  }

  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), n);
  StateReader sr(own);
  sr.reals(a.theta, n);
  sr.reals(a.xp, n);
  sr.reals(a.xm, n);
  sr.reals(a.x, n);
  return Status::Ok;
}

template Status SpsaCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status SpsaCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status SpsaCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status SpsaCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
