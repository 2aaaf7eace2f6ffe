// SPDX-License-Identifier: MIT
// src/tuner_state.cpp: save and load of Tuner's whole state (format "STUN"
// version 2, layout below): the family's header, common section and seal
// around Tuner's phase, the Gaussian process's section and the simplex's.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cmath>
#include <limits>

#include "starling/tuner.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'T', 'U', 'N'};
constexpr uint16_t kVersion = 2;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
template <class Real>
bool unit(Real v) noexcept {
  return v >= 0 && v <= 1;
}
}  // namespace

// ---- the simplex's section ------------------------------------------------------

template <class Real>
void SimplexEngine<Real>::save(StateWriter& w, const Arrays& a, int n) const noexcept {
  w.i32(state_);
  w.i32(idx_);
  w.real(fr_);
  w.real(step_end_);
  for (int i = 0; i <= n; ++i) w.reals(a.v + i * a.stride, n);
  w.reals(a.fv, n + 1);
  w.reals(a.c, n);
  w.reals(a.r, n);
  w.reals(a.y, n);
}

template <class Real>
typename SimplexEngine<Real>::StateCells SimplexEngine<Real>::live_cells(const Arrays& a) noexcept {
  using C = Cells<Real>;
  return {C::live(a.v, a.stride), C::live(a.fv), C::live(a.c), C::live(a.r), C::live(a.y)};
}

template <class Real>
typename SimplexEngine<Real>::StateCells SimplexEngine<Real>::saved_cells(const uint8_t* sec,
                                                                          int n) noexcept {
  using C = Cells<Real>;
  const size_t r = sizeof(Real), nd = r * static_cast<size_t>(n);
  const uint8_t* v = sec + 8 + 2 * r;
  const uint8_t* fv = v + static_cast<size_t>(n + 1) * nd;
  const uint8_t* c = fv + static_cast<size_t>(n + 1) * r;
  return {C::saved(v, n), C::saved(fv), C::saved(c), C::saved(c + nd), C::saved(c + 2 * nd)};
}

template <class Real>
void SimplexEngine<Real>::decode(const uint8_t* sec, int n) noexcept {
  StateReader r(sec);
  n_ = n;
  state_ = r.i32();
  idx_ = r.i32();
  fr_ = r.real<Real>();
  step_end_ = r.real<Real>();
}

// What any feed() sequence leaves (a simplex never begun, before the local
// phase, holds what its arrays held: zeros, or a former run's simplex).
template <class Real>
bool SimplexEngine<Real>::check(const StateCells& s, int n) const noexcept {
  // S1
  const bool walking = state_ == kInit || state_ == kShrink;  // idx: the vertex asked
  if (state_ < kInit || state_ > kShrink || idx_ < 0 || idx_ > n + 1 || (walking && idx_ > n) ||
      (state_ == kShrink && idx_ < 1) || !finite_or_inf(fr_) || !std::isfinite(step_end_) ||
      !(step_end_ >= 0) || !(step_end_ < 1))
    return false;
  // S2
  for (int i = 0; i <= n; ++i) {
    for (int j = 0; j < n; ++j)
      if (!unit(s.v(i, j))) return false;
    if (!finite_or_inf(s.fv[i])) return false;
  }
  for (int j = 0; j < n; ++j)
    if (!unit(s.c[j]) || !unit(s.r[j]) || !unit(s.y[j])) return false;
  return true;
}

template <class Real>
void SimplexEngine<Real>::load_arrays(const uint8_t* sec, const Arrays& a, int n) noexcept {
  StateReader r(sec + 8 + 2 * sizeof(Real));
  for (int i = 0; i <= n; ++i) r.reals(a.v + i * a.stride, n);
  r.reals(a.fv, n + 1);
  r.reals(a.c, n);
  r.reals(a.r, n);
  r.reals(a.y, n);
}

#define STARLING_SIMPLEX_STATE(R)                                                                \
  template void SimplexEngine<R>::save(StateWriter&, const Arrays&, int) const noexcept;         \
  template SimplexEngine<R>::StateCells SimplexEngine<R>::live_cells(const Arrays&) noexcept;    \
  template SimplexEngine<R>::StateCells SimplexEngine<R>::saved_cells(const uint8_t*, int) noexcept; \
  template void SimplexEngine<R>::decode(const uint8_t*, int) noexcept;                          \
  template bool SimplexEngine<R>::check(const StateCells&, int) const noexcept;                  \
  template void SimplexEngine<R>::load_arrays(const uint8_t*, const Arrays&, int) noexcept;
STARLING_SIMPLEX_STATE(float)
STARLING_SIMPLEX_STATE(double)
#undef STARLING_SIMPLEX_STATE

// ---- Tuner's blob --------------------------------------------------------------
//
// header (dims, design), config: candidates i32, fit_evals i32, transform u8,
// 3 reserved bytes, model_evals i32, step f32, step_end f32; the common
// section; design i32, phase i32, phase evaluations i32, local runs i32; the
// candidate handed out x[D], the model's proposal cand[D] (unit); the GP's
// section (its size follows the observations held); the simplex's section.

template <class Real>
Status TunerCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int dims = base_.dims();
  const size_t n = state_size(dims, gp_.size());
  if (cap < n) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, dims, design_);
  w.i32(cfg_.candidates);
  w.i32(cfg_.fit_evals);
  w.u8(static_cast<uint32_t>(cfg_.transform));
  w.u8(0);
  w.u8(0);
  w.u8(0);
  w.i32(cfg_.model_evals);
  w.f32(cfg_.step);
  w.f32(cfg_.step_end);
  base_.save_common(w, box(a));
  w.i32(design_);
  w.i32(phase_);
  w.i32(phase_evals_);
  w.i32(local_runs_);
  w.reals(a.x, dims);
  w.reals(a.cand, dims);
  gp_.save(w, a.g);
  simplex_.save(w, a.s, dims);
  Base::seal(buf, n);
  if (written != nullptr) *written = n;
  return Status::Ok;
}

template <class Real>
Status TunerCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, udesign = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &udesign) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || ud > 1024 || udesign < 2 || udesign > 4096) return Status::Corrupt;
  const int dims = static_cast<int>(ud);
  if (size < state_size(dims, 0)) return Status::Corrupt;
  // The observation count comes first in the GP's section: check the length
  // before reading on.
  const uint8_t* gsec = buf + (state_size(dims, 0) - Base::kSealBytes - Simplex::state_size(dims) -
                               Gp::state_size(dims, 0));
  const int n = Gp::saved_count(gsec);
  if (n < 0 || n > 4096 || size != state_size(dims, n)) return Status::Corrupt;
  if (dims > a.max_dims || static_cast<int>(udesign) > a.g.cap || n > a.g.cap)
    return Status::CapacityExceeded;
  const uint8_t* ssec = gsec + Gp::state_size(dims, n);

  // Decode into a copy of the core (the arrays stay in the buffer), check,
  // then commit: a refused load changes nothing.
  TunerCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.candidates = r.i32();
  t.cfg_.fit_evals = r.i32();
  const uint32_t tr = r.u8();
  if (tr > 2 || r.u8() != 0 || r.u8() != 0 || r.u8() != 0) return Status::Corrupt;
  t.cfg_.transform = static_cast<CostTransform>(tr);
  t.cfg_.model_evals = r.i32();
  t.cfg_.step = r.f32();
  t.cfg_.step_end = r.f32();
  const uint8_t* common = r.pos();
  const Status cst = t.base_.load_common(r, dims, kStream);
  if (cst != Status::Ok) return cst;
  const StopRules& rules = t.base_.rules();
  t.cfg_.max_iter = rules.max_iter;
  t.cfg_.max_evals = rules.max_evals;
  t.cfg_.target = rules.target;
  t.cfg_.stall_iter = rules.stall_iter;
  t.design_ = r.i32();
  t.phase_ = r.i32();
  t.phase_evals_ = r.i32();
  t.local_runs_ = r.i32();
  if (t.design_ != static_cast<int>(udesign)) return Status::Corrupt;
  const uint8_t* xs = r.pos();
  const uint8_t* cand = xs + sizeof(Real) * static_cast<size_t>(dims);
  t.gp_.configure(dims, gp_config(t.cfg_));
  t.gp_.decode(dims, n);
  t.simplex_.decode(ssec, dims);
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  if (!t.check(Base::common_cells(common_arrays, dims), Cells<Real>::saved(xs), Cells<Real>::saved(cand),
               Gp::saved_cells(gsec, dims, n), Simplex::saved_cells(ssec, dims), a.g.cap))
    return Status::Corrupt;
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), dims);
  StateReader v(xs);
  v.reals(a.x, dims);
  v.reals(a.cand, dims);
  gp_.load_arrays(gsec, a.g);
  Simplex::load_arrays(ssec, a.s, dims);
  return Status::Ok;
}

template <class Real>
Status TunerCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  return check(Base::common_cells(box(a)), Cells<Real>::live(a.x), Cells<Real>::live(a.cand),
               gp_.live_cells(a.g), Simplex::live_cells(a.s), a.g.cap)
             ? Status::Ok
             : Status::Corrupt;
}

// The invariants, numbered as at Tuner::check_invariants.
template <class Real>
bool TunerCore<Real>::check(const typename Base::BoxCells& b, const Cells<Real>& x,
                            const Cells<Real>& cand, const typename Gp::StateCells& g,
                            const typename Simplex::StateCells& s, int cap) const noexcept {
  const StopRules& rules = base_.rules();
  const int dims = base_.dims();
  // T1
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter || design_ < 2 || design_ > cap)
    return false;
  // T2
  const StopReason stop = base_.stop_reason();
  const bool mid = stop == StopReason::Target || stop == StopReason::MaxEvals;
  const long told = base_.evaluations() - (mid ? 1 : 0);
  if (static_cast<long>(base_.iteration()) != told) return false;
  // T3 (a stop at a generation's end, MaxIter or Stall, leaves the phase
  // as it was before that evaluation: the phases have seen one fewer)
  const long seen = told - (stop == StopReason::MaxIter || stop == StopReason::Stall ? 1 : 0);
  if (phase_ < kDesign || phase_ > kLocal || phase_evals_ < 0 || phase_evals_ > seen ||
      local_runs_ < 0 || local_runs_ > seen || (phase_ == kDesign) != (seen < design_) ||
      (phase_ == kLocal) != (local_runs_ > 0) ||
      (phase_ == kModel && phase_evals_ >= model_evals()))
    return false;
  // C1..C8
  if (!base_.check_common(b, {base_.pending(), mid})) return false;
  // T4
  if (base_.pending() ? !base_.candidate(b, x, 0) : !base_.in_box(b, x, 0)) return false;
  for (int j = 0; j < dims; ++j)
    if (!unit(cand[j])) return false;
  // G1..G3, S1..S2
  if (!gp_.check(g, cap, told, design_, base_.best_value(), mid)) return false;
  if (phase_ == kLocal && !same_bits(simplex_.step_end(), static_cast<Real>(cfg_.step_end))) return false;
  return simplex_.check(s, dims);
}

template Status TunerCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status TunerCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status TunerCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status TunerCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status TunerCore<float>::check_invariants(const Arrays&) const noexcept;
template Status TunerCore<double>::check_invariants(const Arrays&) const noexcept;
template bool TunerCore<float>::check(const OptCore<float>::BoxCells&, const Cells<float>&, const Cells<float>&, const GpEngine<float>::StateCells&, const SimplexEngine<float>::StateCells&, int) const noexcept;
template bool TunerCore<double>::check(const OptCore<double>::BoxCells&, const Cells<double>&, const Cells<double>&, const GpEngine<double>::StateCells&, const SimplexEngine<double>::StateCells&, int) const noexcept;

}  // namespace detail
}  // namespace starling
