// SPDX-License-Identifier: MIT
// src/anneal_state.cpp: save and load of an annealing run (format version 1,
// documented at Anneal::save in starling/anneal.hpp) over the family's header,
// common section and seal.
#include <cmath>
#include <limits>

#include "starling/anneal.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'G', 'S', 'A'};
constexpr uint16_t kVersion = 1;
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
  w.f32(cfg_.visit);
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

  AnnealCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.initial_temp = r.f32();
  t.cfg_.restart_temp_ratio = r.f32();
  t.cfg_.visit = r.f32();
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
  if (validate(t.cfg_) != Status::Ok || !t.derive()) return Status::Corrupt;

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
  const int iter = t.base_.iteration();
  const long evals = t.base_.evaluations();
  const int dirs = 2 * n;
  const Real best_f = t.base_.best_value();
  const bool local = t.phase_ == Phase::Local;
  // Outside a local phase its flags and counters are at rest (end_level
  // clears them).
  const bool phase_ok =
      t.phase_ == Phase::Start   ? t.j_ == 0 && !t.improved_
      : t.phase_ == Phase::Chain ? t.j_ >= 0 && t.j_ < dirs
                                 : t.j_ == dirs && t.ls_dir_ <= dirs && (!t.ls_pattern_ || t.ls_dir_ == dirs);
  if (!phase_ok || (!local && (t.ls_pattern_ || t.ls_at_base_ || t.ls_dir_ != 0 || t.ls_used_ != 0)) ||
      level < 0 || level > iter || t.reanneals_ < 0 || t.reanneals_ > iter || t.trial_ < 0 ||
      static_cast<long>(t.trial_) > evals || t.trial_ > 1 + dirs + dirs * t.cfg_.local_sweeps ||
      t.ls_dir_ < 0 || t.ls_used_ < 0 || t.ls_used_ > dirs * t.cfg_.local_sweeps ||
      !std::isfinite(t.ls_step_) || !(t.ls_step_ > 0) ||
      t.ls_step_ > static_cast<Real>(t.cfg_.local_step) || !finite_or_inf(t.cur_f_) ||
      t.cur_f_ < best_f || !finite_or_inf(t.ls_base_f_) || t.ls_base_f_ < best_f)
    return Status::Corrupt;
  t.set_level(level);

  const size_t nr = sizeof(Real) * static_cast<size_t>(n);
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* own = r.pos();
  {
    StateReader sr(own);
    for (int row = 0; row < 3; ++row) {
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
  sr.reals(a.current, n);
  sr.reals(a.base, n);
  sr.reals(a.x, n);
  return Status::Ok;
}

template Status AnnealCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status AnnealCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status AnnealCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status AnnealCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
