// SPDX-License-Identifier: MIT
// src/nelder_mead_state.cpp: save and load of a Nelder–Mead search (format
// version 1, documented at NelderMead::save in starling/nelder_mead.hpp) over
// the family's header, common section and seal.
#include <cmath>
#include <limits>

#include "starling/nelder_mead.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'N', 'M', 'S'};
constexpr uint16_t kVersion = 1;
constexpr size_t kConfigReserved = 7;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
}  // namespace

template <class Real>
Status NelderMeadCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const
    noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int n = base_.dims();
  const size_t size = state_size(n);
  if (cap < size) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, n, 0);
  w.f32(cfg_.step);
  w.f32(cfg_.restart_tol);
  w.u8(cfg_.adaptive ? 1u : 0u);
  for (size_t k = 0; k < kConfigReserved; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.u8(static_cast<uint32_t>(phase_));
  w.u8(0);
  w.u8(0);
  w.u8(0);
  w.i32(vertex_);
  w.i32(l_);
  w.i32(s_);
  w.i32(h_);
  w.i32(restarts_);
  w.i32(trial_);
  w.real(fr_);
  for (int i = 0; i <= n; ++i) w.reals(a.simplex + i * a.stride, n);
  w.reals(a.fv, n + 1);
  w.reals(a.cen, n);
  w.reals(a.xr, n);
  w.reals(a.x, n);
  Base::seal(buf, size);
  if (written != nullptr) *written = size;
  return Status::Ok;
}

template <class Real>
Status NelderMeadCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, up = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &up) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || ud > 4096 || up != 0) return Status::Corrupt;
  const int n = static_cast<int>(ud);
  if (size != state_size(n)) return Status::Corrupt;
  if (n > a.max_dims) return Status::CapacityExceeded;

  NelderMeadCore t = *this;  // everything goes into a copy first
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.step = r.f32();
  t.cfg_.restart_tol = r.f32();
  const uint32_t flags = r.u8();
  if (flags > 1) return Status::Corrupt;
  t.cfg_.adaptive = flags != 0;
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
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;
  t.set_coefficients();

  const uint32_t phase = r.u8();
  if (phase > static_cast<uint32_t>(Phase::Shrink) || r.u8() != 0 || r.u8() != 0 || r.u8() != 0)
    return Status::Corrupt;
  t.phase_ = static_cast<Phase>(phase);
  t.vertex_ = r.i32();
  t.l_ = r.i32();
  t.s_ = r.i32();
  t.h_ = r.i32();
  t.restarts_ = r.i32();
  t.trial_ = r.i32();
  t.fr_ = r.real<Real>();
  const int iter = t.base_.iteration();
  const long evals = t.base_.evaluations();
  const bool in_idx = t.l_ >= 0 && t.l_ <= n && t.s_ >= 0 && t.s_ <= n && t.h_ >= 0 && t.h_ <= n;
  const bool stepping = t.phase_ != Phase::Build;
  if (!in_idx || (stepping && (t.h_ == t.l_ || t.s_ == t.h_)) || t.restarts_ < 0 || t.restarts_ > iter ||
      t.trial_ < 0 || t.trial_ > n + 2 || static_cast<long>(t.trial_) > evals || !finite_or_inf(t.fr_) ||
      t.fr_ < t.base_.best_value())
    return Status::Corrupt;
  // A generation that ended in a stop (MaxIter, Stall) leaves its last
  // vertex index one past the end.
  const int vmax = t.base_.done() ? n + 1 : n;
  switch (t.phase_) {
    case Phase::Build:
      // The first simplex counts its vertices from 0, a restart's from 1.
      if (t.vertex_ < (t.restarts_ > 0 ? 1 : 0) || t.vertex_ > vmax) return Status::Corrupt;
      if (t.restarts_ == 0 && iter == 0) {
        // A tell that stops on Target or MaxEvals does not advance the vertex.
        const StopReason why = t.base_.stop_reason();
        const bool mid = why == StopReason::Target || why == StopReason::MaxEvals;
        if (evals != t.vertex_ + (mid ? 1 : 0)) return Status::Corrupt;
      }
      break;
    case Phase::Shrink:
      if (t.vertex_ < 0 || t.vertex_ > vmax || t.vertex_ == t.l_) return Status::Corrupt;
      break;
    default:
      if (t.vertex_ < 0 || t.vertex_ > n + 1) return Status::Corrupt;
      if (iter == 0) return Status::Corrupt;  // no step before the first simplex is complete
      break;
  }

  // Arrays: validated in place, then copied.
  const size_t nr = sizeof(Real) * static_cast<size_t>(n);
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* own = r.pos();
  const Real best_f = t.base_.best_value();
  {
    StateReader sr(own);
    auto in_box = [&](int rows) {
      for (int i = 0; i < rows; ++i) {
        StateReader lo_r(common_arrays), hi_r(common_arrays + nr);
        for (int d = 0; d < n; ++d) {
          const Real lo = lo_r.real<Real>(), hi = hi_r.real<Real>(), v = sr.real<Real>();
          if (!(v >= lo && v <= hi)) return false;
        }
      }
      return true;
    };
    if (!in_box(n + 1)) return Status::Corrupt;
    for (int i = 0; i <= n; ++i) {
      const Real f = sr.real<Real>();
      if (!finite_or_inf(f) || f < best_f) return Status::Corrupt;
    }
    for (int d = 0; d < n; ++d)  // the centroid: a mean of vertices, finite
      if (!std::isfinite(sr.real<Real>())) return Status::Corrupt;
    if (!in_box(2)) return Status::Corrupt;  // reflected point, candidate
  }

  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), n);
  StateReader sr(own);
  for (int i = 0; i <= n; ++i) sr.reals(a.simplex + i * a.stride, n);
  sr.reals(a.fv, n + 1);
  sr.reals(a.cen, n);
  sr.reals(a.xr, n);
  sr.reals(a.x, n);
  return Status::Ok;
}

template Status NelderMeadCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status NelderMeadCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status NelderMeadCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status NelderMeadCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
