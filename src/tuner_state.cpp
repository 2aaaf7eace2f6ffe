// SPDX-License-Identifier: MIT
// src/tuner_state.cpp: save and load of Tuner's whole state (format "STUN"
// version 2, layout below): the family's header, common section and seal
// around Tuner's phase, the Gaussian process's section and the simplex's.
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

// What any feed() sequence leaves: vertices, centroid, reflection and
// trial in [0, 1]; values never NaN or −inf; the vertex index in 1..n
// while initializing or shrinking. A simplex never begun (n_ = 0 before the
// local phase) is all zeros.
template <class Real>
template <bool kCommit>
Status SimplexEngine<Real>::load(StateReader& r, const Arrays& a, int n) noexcept {
  const int state = r.i32(), idx = r.i32();
  const Real fr = r.real<Real>(), step_end = r.real<Real>();
  const bool walking = state == kInit || state == kShrink;  // idx: the vertex asked
  if (state < kInit || state > kShrink || idx < 0 || idx > n + 1 || (walking && idx > n) ||
      (state == kShrink && idx < 1) ||
      !finite_or_inf(fr) || !std::isfinite(step_end) || !(step_end >= 0) || !(step_end < 1))
    return Status::Corrupt;
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j < n; ++j) {
      const Real v = r.real<Real>();
      if (!unit(v)) return Status::Corrupt;
      if (kCommit) a.v[i * a.stride + j] = v;
    }
  for (int i = 0; i <= n; ++i) {
    const Real v = r.real<Real>();
    if (!finite_or_inf(v)) return Status::Corrupt;
    if (kCommit) a.fv[i] = v;
  }
  Real* vecs[3] = {a.c, a.r, a.y};
  for (Real* dst : vecs)
    for (int j = 0; j < n; ++j) {
      const Real v = r.real<Real>();
      if (!unit(v)) return Status::Corrupt;
      if (kCommit) dst[j] = v;
    }
  if (kCommit) {
    n_ = n;
    state_ = state;
    idx_ = idx;
    fr_ = fr;
    step_end_ = step_end;
  }
  return Status::Ok;
}

template void SimplexEngine<float>::save(StateWriter&, const Arrays&, int) const noexcept;
template void SimplexEngine<double>::save(StateWriter&, const Arrays&, int) const noexcept;
template Status SimplexEngine<float>::load<false>(StateReader&, const Arrays&, int) noexcept;
template Status SimplexEngine<float>::load<true>(StateReader&, const Arrays&, int) noexcept;
template Status SimplexEngine<double>::load<false>(StateReader&, const Arrays&, int) noexcept;
template Status SimplexEngine<double>::load<true>(StateReader&, const Arrays&, int) noexcept;

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
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;
  t.design_ = r.i32();
  t.phase_ = r.i32();
  t.phase_evals_ = r.i32();
  t.local_runs_ = r.i32();
  const StopReason stop = t.base_.stop_reason();
  const long evals = t.base_.evaluations();
  const bool mid = stop == StopReason::Target || stop == StopReason::MaxEvals;
  const long told = evals - (mid ? 1 : 0);  // evaluations the phases have seen
  if (t.design_ != static_cast<int>(udesign) || t.phase_ < kDesign || t.phase_ > kLocal ||
      t.phase_evals_ < 0 || t.phase_evals_ > told || t.local_runs_ < 0 || t.local_runs_ > told ||
      (t.phase_ == kDesign) != (told < t.design_) || (t.phase_ == kLocal) != (t.local_runs_ > 0) ||
      (t.phase_ == kModel && t.phase_evals_ >= t.model_evals()) || t.base_.iteration() != told)
    return Status::Corrupt;
  if (!t.base_.check_common(Base::common_cells(common + Base::kCommonArraysOffset, dims),
                            {t.base_.pending(), mid}))
    return Status::Corrupt;
  const uint8_t* vecs = r.pos();
  {
    const auto b = Base::common_cells(common + Base::kCommonArraysOffset, dims);
    const Cells<Real> xs = Cells<Real>::saved(vecs);
    if (t.base_.pending() ? !t.base_.candidate(b, xs, 0) : !t.base_.in_box(b, xs, 0))
      return Status::Corrupt;
    for (int j = 0; j < dims; ++j) (void)r.real<Real>();
    for (int j = 0; j < dims; ++j)
      if (!unit(r.real<Real>())) return Status::Corrupt;
  }
  if (dims > a.max_dims) return Status::CapacityExceeded;
  const uint8_t* gsec = r.pos();
  int n = 0;
  {
    StateReader g(gsec);
    // The observation count comes first: check the length before reading on.
    StateReader head(gsec);
    const int32_t held = head.i32();
    if (held < 0 || held > 4096 || size != state_size(dims, held)) return Status::Corrupt;
    Gp probe = t.gp_;
    const Status gst = probe.template load<false>(g, a.g, dims, &n);
    if (gst != Status::Ok) return gst;
  }
  if (t.design_ > a.g.cap) return Status::CapacityExceeded;
  if (n != (told < a.g.cap ? told : a.g.cap)) return Status::Corrupt;
  const uint8_t* ssec = gsec + Gp::state_size(dims, n);
  {
    StateReader ss(ssec);
    Simplex probe = t.simplex_;
    const Status sst = probe.template load<false>(ss, a.s, dims);
    if (sst != Status::Ok) return sst;
  }
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common + Base::kCommonArraysOffset, box(a), dims);
  StateReader v(vecs);
  v.reals(a.x, dims);
  v.reals(a.cand, dims);
  gp_.configure(dims, gp_config(cfg_));
  StateReader g(gsec);
  (void)gp_.template load<true>(g, a.g, dims, &n);
  StateReader ss(ssec);
  (void)simplex_.template load<true>(ss, a.s, dims);
  return Status::Ok;
}

template Status TunerCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status TunerCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status TunerCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status TunerCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
