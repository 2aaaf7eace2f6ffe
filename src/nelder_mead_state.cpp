// SPDX-License-Identifier: MIT
// src/nelder_mead_state.cpp: save and load of a Nelder–Mead search (format
// version 1, documented at NelderMead::save in starling/nelder_mead.hpp) over
// the family's header, common section and seal.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

  // Decode into a copy of the core (the arrays stay in the buffer), check the
  // copy with the buffer's arrays, and only then commit: on failure *this
  // and the arrays stay as they were, byte for byte.
  NelderMeadCore t = *this;
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
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* own = r.pos();
  if (!t.check(Base::common_cells(common_arrays, n), saved_cells(own, n))) return Status::Corrupt;

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

template <class Real>
typename NelderMeadCore<Real>::OwnCells NelderMeadCore<Real>::saved_cells(const uint8_t* own,
                                                                          int n) noexcept {
  const size_t nr = sizeof(Real) * static_cast<size_t>(n);
  const uint8_t* fv = own + (static_cast<size_t>(n) + 1) * nr;
  const uint8_t* cen = fv + sizeof(Real) * (static_cast<size_t>(n) + 1);
  return {Cells<Real>::saved(own, n), Cells<Real>::saved(fv, 1), Cells<Real>::saved(cen),
          Cells<Real>::saved(cen + nr), Cells<Real>::saved(cen + 2 * nr)};
}

template <class Real>
Status NelderMeadCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  const OwnCells c{Cells<Real>::live(a.simplex, a.stride), Cells<Real>::live(a.fv, 1),
                   Cells<Real>::live(a.cen), Cells<Real>::live(a.xr), Cells<Real>::live(a.x)};
  if (!check(Base::common_cells(box(a)), c)) return Status::Corrupt;
  // The derived coefficients (load recomputes them).
  NelderMeadCore t = *this;
  t.set_coefficients();
  if (!same_bits(t.alpha_, alpha_) || !same_bits(t.beta_, beta_) || !same_bits(t.gamma_, gamma_) ||
      !same_bits(t.delta_, delta_))
    return Status::Corrupt;
  return Status::Ok;
}

// The invariants, numbered as in nelder_mead.hpp (NelderMead::check_invariants);
// C1..C8 are OptCore::check_common's. Scalars come from *this, arrays through
// the cells; every index is range-checked before it is used.
template <class Real>
bool NelderMeadCore<Real>::check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept {
  const int n = base_.dims();
  const int iter = base_.iteration();
  const long evals = base_.evaluations();
  const StopRules& rules = base_.rules();
  const StopReason why = base_.stop_reason();
  const bool mid = why == StopReason::Target || why == StopReason::MaxEvals;
  const bool pending = base_.pending();
  // N1 the config.
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter)
    return false;
  // N2 the step's indices and counters.
  const bool in_idx = l_ >= 0 && l_ <= n && s_ >= 0 && s_ <= n && h_ >= 0 && h_ <= n;
  const bool stepping = phase_ != Phase::Build;
  if (!in_idx || (stepping && (h_ == l_ || s_ == h_)) || restarts_ < 0 || restarts_ > iter ||
      trial_ < 0 || trial_ > n + 2 || static_cast<long>(trial_) > evals)
    return false;
  // N3 where the phase stands. A generation that ended in a stop (MaxIter,
  // Stall) leaves its last vertex index one past the end.
  const int vmax = base_.done() ? n + 1 : n;
  switch (phase_) {
    case Phase::Build:
      // The first simplex counts its vertices from 0, a restart's from 1.
      if (vertex_ < (restarts_ > 0 ? 1 : 0) || vertex_ > vmax) return false;
      // A tell that stops on Target or MaxEvals does not advance the vertex.
      if (restarts_ == 0 && iter == 0 && evals != vertex_ + (mid ? 1 : 0)) return false;
      break;
    case Phase::Shrink:
      if (vertex_ < 0 || vertex_ > vmax || vertex_ == l_) return false;
      break;
    default:
      if (vertex_ < 0 || vertex_ > n + 1) return false;
      if (iter == 0) return false;  // no step before the first simplex is complete
      break;
  }
  // The candidates told in this generation follow from the phase: the
  // vertices built (a restart keeps vertex 0), the reflection, then one
  // trial point, then the shrunk vertices (all but the best); plus the tell
  // that stopped the run on Target or MaxEvals, or the step that a MaxIter
  // or Stall stop ended without starting the next.
  int told = 0;
  switch (phase_) {
    case Phase::Build: told = vertex_ - (restarts_ > 0 ? 1 : 0); break;
    case Phase::Reflect: told = 0; break;
    case Phase::Shrink: told = 2 + vertex_ - (l_ < vertex_ ? 1 : 0); break;
    default: told = 1; break;
  }
  const bool step_end_stop = (why == StopReason::MaxIter || why == StopReason::Stall) &&
                             phase_ != Phase::Build && phase_ != Phase::Shrink;
  if (trial_ != told + (mid || step_end_stop ? 1 : 0)) return false;
  // C1..C8 (a generation has seen a tell once its first candidate was told).
  if (!base_.check_common(b, {pending, trial_ > 0 || mid})) return false;
  // N4 vertices, reflected point and candidate in the box; the centroid finite.
  for (int i = 0; i <= n; ++i)
    if (!base_.in_box(b, c.simplex, i)) return false;
  if (!base_.in_box(b, c.xr, 0) || !base_.in_box(b, c.x, 0)) return false;
  for (int d = 0; d < n; ++d)
    if (!std::isfinite(c.cen[d])) return false;
  // N5 costs: never NaN or −inf, never below the incumbent's; a finite
  // incumbent's cost is a vertex's or the reflected point's (the best vertex
  // is never replaced), or the candidate's whose tell stopped the run.
  const Real best_f = base_.best_value();
  if (!finite_or_inf(fr_) || fr_ < best_f) return false;
  bool holds = (phase_ == Phase::Expand && fr_ == best_f) || mid;
  for (int i = 0; i <= n; ++i) {
    const Real f = c.fv(i);
    if (!finite_or_inf(f) || f < best_f) return false;
    if (f == best_f) holds = true;
  }
  if (std::isfinite(best_f) && !holds) return false;
  // N8 within a step before any vertex changed (reflection to contraction)
  // the best, second worst and worst vertices and the centroid are what
  // begin_step computed from the vertices; in a shrink the best vertex's
  // cost is <= every vertex not yet shrunk. (A MaxIter or Stall stop at a
  // step's end leaves the step's last replacement in place.)
  if (phase_ != Phase::Build && phase_ != Phase::Shrink && !step_end_stop) {
    int l = 0, h = 0;
    for (int i = 1; i <= n; ++i) {
      if (c.fv(i) < c.fv(l)) l = i;
      if (c.fv(i) >= c.fv(h)) h = i;
    }
    int s = h == 0 ? 1 : 0;
    for (int i = 0; i <= n; ++i)
      if (i != h && c.fv(i) >= c.fv(s)) s = i;
    if (l != l_ || s != s_ || h != h_) return false;
    const Real rn = static_cast<Real>(n);
    for (int d = 0; d < n; ++d) {
      Real sum = 0;
      for (int i = 0; i <= n; ++i)
        if (i != h) sum = sum + c.simplex(i, d);
      if (!same_bits(c.cen[d], sum / rn)) return false;
    }
  } else if (phase_ == Phase::Shrink && vertex_ <= n) {
    for (int i = vertex_; i <= n; ++i)
      if (c.fv(i) < c.fv(l_)) return false;
  }
  // N6 a start point is every vertex until the first evaluation (and the
  // pending candidate, which goes out unfiltered).
  if (base_.has_start() && evals == 0) {
    for (int i = 0; i <= n; ++i)
      if (!base_.same_as_best(b, c.simplex, i)) return false;
    if (pending && !base_.same_as_best(b, c.x, 0)) return false;
  }
  // N7 the pending candidate is what the filters could have handed out.
  if (pending && !base_.candidate(b, c.x, 0)) return false;
  return true;
}

template Status NelderMeadCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status NelderMeadCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status NelderMeadCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status NelderMeadCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template bool NelderMeadCore<float>::check(const OptCore<float>::BoxCells&, const OwnCells&) const noexcept;
template bool NelderMeadCore<double>::check(const OptCore<double>::BoxCells&, const OwnCells&) const noexcept;
template NelderMeadCore<float>::OwnCells NelderMeadCore<float>::saved_cells(const uint8_t*, int) noexcept;
template NelderMeadCore<double>::OwnCells NelderMeadCore<double>::saved_cells(const uint8_t*, int) noexcept;
template Status NelderMeadCore<float>::check_invariants(const Arrays&) const noexcept;
template Status NelderMeadCore<double>::check_invariants(const Arrays&) const noexcept;

}  // namespace detail
}  // namespace starling
