// SPDX-License-Identifier: MIT
// src/anneal_state.cpp: save and load of an annealing run (format version 2,
// documented at Anneal::save in starling/anneal.hpp) over the family's header,
// common section and seal.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cmath>
#include <limits>

#include "starling/anneal.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'G', 'S', 'A'};
constexpr uint16_t kVersion = 2;
constexpr size_t kConfigReserved = 8;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
}  // namespace

template <class Real>
Status AnnealCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int n = base_.dims();
  const size_t size = state_size(n);
  if (cap < size) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, n, 0);
  w.f32(cfg_.initial_temp);
  w.f32(cfg_.restart_temp_ratio);
  w.u32(0);  // reserved (version 1's q_v)
  w.f32(cfg_.accept);
  w.i32(cfg_.local_sweeps);
  w.f32(cfg_.local_step);
  for (size_t k = 0; k < kConfigReserved; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.u8(static_cast<uint32_t>(phase_));
  w.u8(improved_ ? 1u : 0u);
  w.u8(ls_pattern_ ? 1u : 0u);
  w.u8(ls_at_base_ ? 1u : 0u);
  w.i32(level_);
  w.i32(j_);
  w.i32(trial_);
  w.i32(reanneals_);
  w.i32(ls_dir_);
  w.i32(ls_used_);
  w.real(cur_f_);
  w.real(ls_step_);
  w.real(ls_base_f_);
  w.reals(a.current, n);
  w.reals(a.base, n);
  w.reals(a.x, n);
  Base::seal(buf, size);
  if (written != nullptr) *written = size;
  return Status::Ok;
}

template <class Real>
Status AnnealCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
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
  AnnealCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.initial_temp = r.f32();
  t.cfg_.restart_temp_ratio = r.f32();
  if (r.u32() != 0) return Status::Corrupt;
  t.cfg_.accept = r.f32();
  t.cfg_.local_sweeps = r.i32();
  t.cfg_.local_step = r.f32();
  for (size_t k = 0; k < kConfigReserved; ++k)
    if (r.u8() != 0) return Status::Corrupt;
  const uint8_t* common = r.pos();
  const Status cst = t.base_.load_common(r, n, kStream);
  if (cst != Status::Ok) return cst;
  const StopRules& rules = t.base_.rules();
  t.cfg_.max_iter = rules.max_iter;
  t.cfg_.max_evals = rules.max_evals;
  t.cfg_.target = rules.target;
  t.cfg_.stall_iter = rules.stall_iter;
  // A1.
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;

  const uint32_t phase = r.u8(), improved = r.u8(), pattern = r.u8(), at_base = r.u8();
  if (phase > 2 || improved > 1 || pattern > 1 || at_base > 1) return Status::Corrupt;
  t.phase_ = static_cast<Phase>(phase);
  t.improved_ = improved != 0;
  t.ls_pattern_ = pattern != 0;
  t.ls_at_base_ = at_base != 0;
  const int level = r.i32();
  t.j_ = r.i32();
  t.trial_ = r.i32();
  t.reanneals_ = r.i32();
  t.ls_dir_ = r.i32();
  t.ls_used_ = r.i32();
  t.cur_f_ = r.real<Real>();
  t.ls_step_ = r.real<Real>();
  t.ls_base_f_ = r.real<Real>();
  t.set_level(level);
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* own = r.pos();
  const size_t nr = sizeof(Real) * static_cast<size_t>(n);
  const OwnCells c{Cells<Real>::saved(own), Cells<Real>::saved(own + nr),
                   Cells<Real>::saved(own + 2 * nr)};
  if (!t.check(Base::common_cells(common_arrays, n), c)) return Status::Corrupt;

  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), n);
  StateReader sr(own);
  sr.reals(a.current, n);
  sr.reals(a.base, n);
  sr.reals(a.x, n);
  return Status::Ok;
}

template <class Real>
Status AnnealCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  const OwnCells c{Cells<Real>::live(a.current), Cells<Real>::live(a.base), Cells<Real>::live(a.x)};
  if (!check(Base::common_cells(box(a)), c)) return Status::Corrupt;
  // The values derived from the config and the level (load recomputes them).
  AnnealCore t = *this;
  t.set_level(level_);
  if (!same_bits(temp_, t.temp_) || !same_bits(tstep_, t.tstep_) || !same_bits(sigma_, t.sigma_))
    return Status::Corrupt;
  return Status::Ok;
}

// The invariants, numbered as in anneal.hpp (Anneal::check_invariants); C1..C8
// are OptCore::check_common's.
template <class Real>
bool AnnealCore<Real>::check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept {
  const int n = base_.dims();
  const int iter = base_.iteration();
  const long evals = base_.evaluations();
  const StopRules& rules = base_.rules();
  const StopReason why = base_.stop_reason();
  const bool mid = why == StopReason::Target || why == StopReason::MaxEvals;
  const bool pending = base_.pending();
  const Real best_f = base_.best_value();
  // A1 the config.
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter)
    return false;
  // A2 the phase and its counters; outside a local phase its flags and
  // counters are at rest (end_level clears them).
  const int dirs = 2 * n;
  const bool local = phase_ == Phase::Local;
  const bool phase_ok = phase_ == Phase::Start   ? j_ == 0 && !improved_
                        : phase_ == Phase::Chain ? j_ >= 0 && j_ < dirs
                                                 : j_ == dirs && ls_dir_ <= dirs &&
                                                       (!ls_pattern_ || ls_dir_ == dirs);
  if (!phase_ok || (!local && (ls_pattern_ || ls_at_base_ || ls_dir_ != 0 || ls_used_ != 0)) ||
      level_ < 0 || level_ > iter || reanneals_ < 0 || reanneals_ > iter || trial_ < 0 ||
      static_cast<long>(trial_) > evals || trial_ > 1 + dirs + dirs * cfg_.local_sweeps ||
      ls_dir_ < 0 || ls_used_ < 0 || ls_used_ > dirs * cfg_.local_sweeps)
    return false;
  // A3 the local step in (0, local_step]; the current and the local base
  // costs never NaN or −inf and >= the best value.
  if (!std::isfinite(ls_step_) || !(ls_step_ > 0) || ls_step_ > static_cast<Real>(cfg_.local_step) ||
      !finite_or_inf(cur_f_) || cur_f_ < best_f || !finite_or_inf(ls_base_f_) || ls_base_f_ < best_f)
    return false;
  // C1..C8 (a level has seen a tell once its first candidate was told).
  if (!base_.check_common(b, {pending, trial_ > 0 || mid})) return false;
  // A4 the current point, the local base and the candidate finite and in
  // the box.
  if (!base_.in_box(b, c.current, 0) || !base_.in_box(b, c.base, 0) || !base_.in_box(b, c.x, 0))
    return false;
  // A5 a start point with nothing evaluated is the current point and the
  // candidate.
  if (base_.has_start() && evals == 0 &&
      (!base_.same_as_best(b, c.current, 0) || !base_.same_as_best(b, c.x, 0)))
    return false;
  // A6 a pending candidate is what the filters could have handed out.
  if (pending && !base_.candidate(b, c.x, 0)) return false;
  return true;
}

template bool AnnealCore<float>::check(const OptCore<float>::BoxCells&, const OwnCells&) const noexcept;
template bool AnnealCore<double>::check(const OptCore<double>::BoxCells&, const OwnCells&) const noexcept;
template Status AnnealCore<float>::check_invariants(const Arrays&) const noexcept;
template Status AnnealCore<double>::check_invariants(const Arrays&) const noexcept;
template Status AnnealCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status AnnealCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status AnnealCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status AnnealCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
