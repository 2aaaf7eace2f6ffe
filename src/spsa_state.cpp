// SPDX-License-Identifier: MIT
// src/spsa_state.cpp: save and load of an SPSA run (format version 1,
// documented at Spsa::save in starling/spsa.hpp) over the family's header,
// common section and seal.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

  // Decode into a copy of the core (the arrays stay in the buffer), check the
  // copy with the buffer's arrays, and only then commit: on failure *this
  // and the arrays stay as they were, byte for byte.
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
  const uint32_t phase = r.u8();
  if (phase > 1 || r.u8() != 0 || r.u8() != 0 || r.u8() != 0) return Status::Corrupt;
  t.phase_ = static_cast<Phase>(phase);
  t.trial_ = r.i32();
  t.cal_n_ = r.i32();
  t.a_ = r.real<Real>();
  t.cal_sum_ = r.real<Real>();
  t.sum_p_ = r.real<Real>();
  t.sum_m_ = r.real<Real>();
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;  // S1, before derive() divides
  t.rederive();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* own = r.pos();
  const size_t nr = sizeof(Real) * static_cast<size_t>(n);
  const OwnCells c{Cells<Real>::saved(own), Cells<Real>::saved(own + nr),
                   Cells<Real>::saved(own + 2 * nr), Cells<Real>::saved(own + 3 * nr)};
  if (!t.check(Base::common_cells(common_arrays, n), c)) return Status::Corrupt;

  // Valid: commit.
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

// The values derived from the config, the stop rules and the step number.
template <class Real>
void SpsaCore<Real>::rederive() noexcept {
  derive();
  const int iter = base_.iteration();
  if (iter > 0) {
    const uint32_t k = static_cast<uint32_t>(iter - 1);
    ck_ = static_cast<Real>(cfg_.c) / det_pow(static_cast<Real>(k) + 1, static_cast<Real>(cfg_.gamma));
  } else {
    ck_ = static_cast<Real>(cfg_.c);
  }
}

template <class Real>
Status SpsaCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  const OwnCells c{Cells<Real>::live(a.theta), Cells<Real>::live(a.xp), Cells<Real>::live(a.xm),
                   Cells<Real>::live(a.x)};
  if (!check(Base::common_cells(box(a)), c)) return Status::Corrupt;
  // The derived values (load recomputes them). c_k only while running: a
  // stop at a step's end does not begin the next step (nor use c_k again).
  SpsaCore t = *this;
  t.rederive();
  if (!same_bits(t.big_a_, big_a_) || (!base_.done() && !same_bits(t.ck_, ck_))) return Status::Corrupt;
  return Status::Ok;
}

// The invariants, numbered as in spsa.hpp (Spsa::check_invariants); C1..C8
// are OptCore::check_common's.
template <class Real>
bool SpsaCore<Real>::check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept {
  const int iter = base_.iteration();
  const long evals = base_.evaluations();
  const StopRules& rules = base_.rules();
  const StopReason why = base_.stop_reason();
  const bool mid = why == StopReason::Target || why == StopReason::MaxEvals;
  const bool pending = base_.pending();
  // S1 the config.
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter)
    return false;
  // S2 the phase and the step's measurements.
  if ((phase_ == Phase::Center) != (iter == 0)) return false;
  const int off = iter > 0 ? theta_offset() : 0;
  const int limit = iter > 0 ? step_measurements(static_cast<uint32_t>(iter - 1)) : 1;
  if (trial_ < 0 || trial_ >= limit) return false;
  const int j = trial_ - off;  // measurements of x± made in this step (after the range check: no overflow)
  // S3 the gain and its calibration.
  const bool calibrating = cfg_.a == 0.f;
  if (!std::isfinite(a_) || a_ < 0 ||
      (!calibrating && (a_ != static_cast<Real>(cfg_.a) || cal_n_ != 0 || cal_sum_ != 0)) ||
      cal_n_ < 0 || cal_n_ > cfg_.calibrate || cal_n_ > iter || !std::isfinite(cal_sum_) ||
      cal_sum_ < 0 || (cal_n_ == 0) != (cal_sum_ == 0) ||
      (calibrating && (cal_n_ == 0) != (a_ == 0)))
    return false;
  // S4 the step's sums: NaN never (costs are sanitized), 0 before a
  // measurement of their point.
  if (!finite_or_inf(sum_p_) || !finite_or_inf(sum_m_) || (j <= 0 && (sum_p_ != 0 || sum_m_ != 0)) ||
      (j == 1 && sum_m_ != 0))
    return false;
  // S5 evaluations follow from the steps: θ0, then per step 2·n_avg plus
  // θ's (steps 0, e, 2e, ...: ceil(K/e) of the first K); a tell that stops
  // on Target or MaxEvals does not count its measurement.
  int64_t expect = trial_ + (mid ? 1 : 0);
  if (iter > 0) {
    const int64_t steps = iter - 1, e = cfg_.theta_every;
    expect += 1 + steps * 2 * cfg_.n_avg + (e > 0 ? (steps + e - 1) / e : 0);
  }
  if (evals != expect) return false;
  // C1..C8 (a step has seen a tell once a measurement was made).
  if (!base_.check_common(b, {pending, trial_ > 0 || mid})) return false;
  // S6 θ, x+, x− and the candidate finite and in the box.
  if (!base_.in_box(b, c.theta, 0) || !base_.in_box(b, c.xp, 0) || !base_.in_box(b, c.xm, 0) ||
      !base_.in_box(b, c.x, 0))
    return false;
  // S7 a start point with nothing evaluated is θ, x± and the candidate.
  if (base_.has_start() && evals == 0 &&
      (!base_.same_as_best(b, c.theta, 0) || !base_.same_as_best(b, c.xp, 0) ||
       !base_.same_as_best(b, c.xm, 0) || !base_.same_as_best(b, c.x, 0)))
    return false;
  // S8 a pending candidate is what the filters could have handed out.
  if (pending && !base_.candidate(b, c.x, 0)) return false;
  return true;
}

template bool SpsaCore<float>::check(const OptCore<float>::BoxCells&, const OwnCells&) const noexcept;
template bool SpsaCore<double>::check(const OptCore<double>::BoxCells&, const OwnCells&) const noexcept;
template void SpsaCore<float>::rederive() noexcept;
template void SpsaCore<double>::rederive() noexcept;
template Status SpsaCore<float>::check_invariants(const Arrays&) const noexcept;
template Status SpsaCore<double>::check_invariants(const Arrays&) const noexcept;
template Status SpsaCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status SpsaCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status SpsaCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status SpsaCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
