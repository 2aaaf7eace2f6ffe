// SPDX-License-Identifier: MIT
// src/tuner_state.cpp: save and load of Tuner's whole state (format "STUN"
// version 1, layout at Tuner::save in starling/tuner.hpp): the family's
// header, common section and seal around Tuner's phase, the Gaussian
// process's section, the BOBYQA engine's and the walk's.
#include <cmath>
#include <limits>

#include "starling/tuner.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'T', 'U', 'N'};
constexpr uint16_t kVersion = 1;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
}  // namespace

// ---- the walk's section -----------------------------------------------------

template <class Real>
void WalkEngine<Real>::save(StateWriter& w, const Arrays& a) const noexcept {
  const int n = n_;
  w.u32(k_);
  w.i32(nanc_);
  w.u32(0);
  w.u32(0);
  w.real(fx_);
  w.real(sigma_);
  w.real(sigma_end_);
  w.real(psucc_);
  w.reals(anc_, 5);
  w.reals(a.x, n);
  w.reals(a.y, n);
  w.reals(a.pc, n);
  for (int i = 0; i < n; ++i) w.reals(a.c + i * a.stride, n);
  for (int i = 0; i < n; ++i) w.reals(a.a + i * a.stride, n);
}

template <class Real>
template <bool kCommit>
Status WalkEngine<Real>::load(StateReader& r, const Arrays& a, int n) noexcept {
  const uint32_t k = r.u32();
  const int nanc = r.i32();
  if (nanc < 0 || nanc > 5 || r.u32() != 0 || r.u32() != 0) return Status::Corrupt;
  const Real fx = r.real<Real>(), sigma = r.real<Real>(), sigma_end = r.real<Real>(),
             psucc = r.real<Real>();
  if (!finite_or_inf(fx) || !std::isfinite(sigma) || !(sigma >= 0) || !(sigma <= static_cast<Real>(0.5)) ||
      !std::isfinite(sigma_end) || !(sigma_end >= 0) || !(psucc >= 0 && psucc <= 1))
    return Status::Corrupt;
  Real anc[5];
  for (Real& v : anc) {
    v = r.real<Real>();
    if (!finite_or_inf(v)) return Status::Corrupt;
  }
  Real* rows[3] = {a.x, a.y, a.pc};
  for (int q = 0; q < 3; ++q)
    for (int i = 0; i < n; ++i) {
      const Real v = r.real<Real>();
      if (!std::isfinite(v) || (q < 2 && !(v >= 0 && v <= 1))) return Status::Corrupt;
      if (kCommit) rows[q][i] = v;
    }
  for (int m = 0; m < 2; ++m)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        const Real v = r.real<Real>();
        if (!std::isfinite(v)) return Status::Corrupt;
        if (kCommit) (m == 0 ? a.c : a.a)[i * a.stride + j] = v;
      }
  if (kCommit) {
    n_ = n;
    k_ = k;
    nanc_ = nanc;
    fx_ = fx;
    sigma_ = sigma;
    sigma_end_ = sigma_end;
    psucc_ = psucc;
    for (int q = 0; q < 5; ++q) anc_[q] = anc[q];
  }
  return Status::Ok;
}

// ---- Tuner's blob --------------------------------------------------------------

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
  w.i32(cfg_.model_evals_later);
  w.f32(cfg_.rho_begin);
  w.f32(cfg_.rho_end);
  w.f32(cfg_.walk_sigma);
  w.f32(cfg_.walk_sigma_end);
  w.u32(0);
  base_.save_common(w, box(a));
  w.i32(design_);
  w.i32(phase_);
  w.i32(phase_evals_);
  w.i32(local_runs_);
  w.u32(0);
  w.u32(0);
  w.real(pbest_f_);
  w.reals(a.x, dims);  // the candidate handed out (a pending ask)
  w.reals(a.pbest, dims);
  w.reals(a.cand, dims);
  gp_.save(w, a.g);
  local_.save(w, a.e);
  walk_.save(w, a.w);
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
  t.cfg_.model_evals_later = r.i32();
  t.cfg_.rho_begin = r.f32();
  t.cfg_.rho_end = r.f32();
  t.cfg_.walk_sigma = r.f32();
  t.cfg_.walk_sigma_end = r.f32();
  if (r.u32() != 0) return Status::Corrupt;
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
  if (r.u32() != 0 || r.u32() != 0) return Status::Corrupt;
  const StopReason stop = t.base_.stop_reason();
  const long evals = t.base_.evaluations();
  const bool mid = stop == StopReason::Target || stop == StopReason::MaxEvals;
  if (t.design_ != static_cast<int>(udesign) || t.phase_ < kDesign || t.phase_ > kWalk ||
      t.phase_evals_ < 0 || t.phase_evals_ > evals || t.local_runs_ < 0 || t.local_runs_ > evals ||
      (t.phase_ == kDesign) != (evals - (mid ? 1 : 0) < t.design_) ||
      t.base_.iteration() != evals - (mid ? 1 : 0))
    return Status::Corrupt;
  t.pbest_f_ = r.real<Real>();
  if (!finite_or_inf(t.pbest_f_)) return Status::Corrupt;
  const uint8_t* vecs = r.pos();
  {
    StateReader lo_r(common + Base::kCommonArraysOffset),
        hi_r(common + Base::kCommonArraysOffset + sizeof(Real) * static_cast<size_t>(dims));
    StateReader lo2(common + Base::kCommonArraysOffset),
        hi2(common + Base::kCommonArraysOffset + sizeof(Real) * static_cast<size_t>(dims));
    for (int j = 0; j < dims; ++j) {
      const Real lo = lo2.real<Real>(), hi = hi2.real<Real>(), x = r.real<Real>();
      if (!(x >= lo && x <= hi)) return Status::Corrupt;
    }
    for (int j = 0; j < dims; ++j) {
      const Real lo = lo_r.real<Real>(), hi = hi_r.real<Real>(), p = r.real<Real>();
      if (!(p >= lo && p <= hi)) return Status::Corrupt;
    }
    for (int j = 0; j < dims; ++j) {
      const Real v = r.real<Real>();
      if (!(v >= 0 && v <= 1)) return Status::Corrupt;
    }
  }
  if (dims > a.max_dims) return Status::CapacityExceeded;
  const uint8_t* gsec = r.pos();
  int n = 0;
  {
    StateReader g(gsec);
    Gp probe = t.gp_;
    const Status gst = probe.template load<false>(g, a.g, dims, &n);
    if (gst != Status::Ok) return gst;
  }
  if (size != state_size(dims, n)) return Status::Corrupt;
  if (t.design_ > a.g.cap) return Status::CapacityExceeded;
  const long told = evals - (mid ? 1 : 0);
  if (n != (told < a.g.cap ? told : a.g.cap)) return Status::Corrupt;
  const uint8_t* esec = gsec + Gp::state_size(dims, n);
  const uint8_t* saved_box = common + Base::kCommonArraysOffset;
  const Real re = static_cast<Real>(t.cfg_.rho_end) > bobyqa_rho_floor<Real>()
                      ? static_cast<Real>(t.cfg_.rho_end)
                      : bobyqa_rho_floor<Real>();
  {
    StateReader e(esec);
    Local probe = t.local_;
    const Status est = probe.template load<false>(e, a.e, dims, 2 * dims + 1, re, saved_box);
    if (est != Status::Ok) return est;
  }
  const uint8_t* wsec = esec + Local::state_size(dims, 2 * dims + 1);
  {
    StateReader ws(wsec);
    Walk probe = t.walk_;
    const Status wst = probe.template load<false>(ws, a.w, dims);
    if (wst != Status::Ok) return wst;
  }
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common + Base::kCommonArraysOffset, box(a), dims);
  StateReader v(vecs);
  v.reals(a.x, dims);
  v.reals(a.pbest, dims);
  v.reals(a.cand, dims);
  {
    StateReader b(saved_box), bh(saved_box + sizeof(Real) * static_cast<size_t>(dims));
    for (int j = 0; j < dims; ++j) {
      const Real lo = b.real<Real>(), hi = bh.real<Real>();
      a.e.ulo[j] = lo / (hi - lo);
      a.e.uhi[j] = hi / (hi - lo);
    }
  }
  gp_.configure(dims, gp_config(cfg_));
  StateReader g(gsec);
  (void)gp_.template load<true>(g, a.g, dims, &n);
  local_.configure(dims, 2 * dims + 1, re);
  StateReader e(esec);
  (void)local_.template load<true>(e, a.e, dims, 2 * dims + 1, re, saved_box);
  StateReader ws(wsec);
  (void)walk_.template load<true>(ws, a.w, dims);
  return Status::Ok;
}

template void WalkEngine<float>::save(StateWriter&, const Arrays&) const noexcept;
template void WalkEngine<double>::save(StateWriter&, const Arrays&) const noexcept;
template Status WalkEngine<float>::load<false>(StateReader&, const Arrays&, int) noexcept;
template Status WalkEngine<float>::load<true>(StateReader&, const Arrays&, int) noexcept;
template Status WalkEngine<double>::load<false>(StateReader&, const Arrays&, int) noexcept;
template Status WalkEngine<double>::load<true>(StateReader&, const Arrays&, int) noexcept;
template Status TunerCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status TunerCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status TunerCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status TunerCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
