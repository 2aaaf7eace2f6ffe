// SPDX-License-Identifier: MIT
// src/bayesopt_state.cpp: save and load of BayesOpt's whole state (format
// "SBAY" version 1, layout at BayesOpt::save in starling/bayesopt.hpp) over
// the family's header, common section and seal; the Gaussian process's
// section is also Tuner's.
#include <cmath>
#include <limits>

#include "starling/bayesopt.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'B', 'A', 'Y'};
constexpr uint16_t kVersion = 1;
constexpr size_t kConfigReserved = 15;
}  // namespace

template <class Real>
void GpEngine<Real>::save(StateWriter& w, const Arrays& a) const noexcept {
  w.i32(n_);
  w.u32(0);
  w.reals(a.theta, d_ + 1);
  for (int i = 0; i < n_; ++i) w.reals(a.t + i * a.stride, d_);
  w.reals(a.y, n_);
}

template <class Real>
template <bool kCommit>
Status GpEngine<Real>::load(StateReader& r, const Arrays& a, int dims, int* n_out) noexcept {
  const int n = r.i32();
  if (r.u32() != 0 || n < 0 || n > 4096) return Status::Corrupt;
  if (n > a.cap) return Status::CapacityExceeded;
  *n_out = n;
  for (int j = 0; j <= dims; ++j) {
    const Real v = r.real<Real>();
    const Real lo = j < dims ? gp_ln_len_min<Real>() : gp_ln_nugget_min<Real>();
    const Real hi = j < dims ? gp_ln_len_max<Real>() : gp_ln_nugget_max<Real>();
    if (!(v >= lo && v <= hi)) return Status::Corrupt;
    if (kCommit) a.theta[j] = v;
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < dims; ++j) {
      const Real v = r.real<Real>();
      if (!(v >= 0 && v <= 1)) return Status::Corrupt;
      if (kCommit) a.t[i * a.stride + j] = v;
    }
  for (int i = 0; i < n; ++i) {
    const Real v = r.real<Real>();
    if (std::isnan(v) || v == -std::numeric_limits<Real>::infinity()) return Status::Corrupt;
    if (kCommit) a.y[i] = v;
  }
  if (kCommit) {
    d_ = dims;
    n_ = n;
    cur_ = 0;
    factored_ = 0;
    sigma2_ = 1;
    zbest_ = 0;
  }
  return Status::Ok;
}

template void GpEngine<float>::save(StateWriter&, const Arrays&) const noexcept;
template void GpEngine<double>::save(StateWriter&, const Arrays&) const noexcept;
template Status GpEngine<float>::load<false>(StateReader&, const Arrays&, int, int*) noexcept;
template Status GpEngine<float>::load<true>(StateReader&, const Arrays&, int, int*) noexcept;
template Status GpEngine<double>::load<false>(StateReader&, const Arrays&, int, int*) noexcept;
template Status GpEngine<double>::load<true>(StateReader&, const Arrays&, int, int*) noexcept;

// Observations held after `evals` evaluations of a run that stopped as
// `stop`: the stopping tell (Target, MaxEvals) adds none; at most cap.
inline long observations_after(long evals, StopReason stop, int cap) noexcept {
  const long told = evals - (stop == StopReason::Target || stop == StopReason::MaxEvals ? 1 : 0);
  return told < cap ? told : cap;
}

template <class Real>
Status BayesOptCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
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
  for (size_t k = 0; k < kConfigReserved; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.i32(design_);
  w.u32(0);
  w.reals(a.x, dims);  // the candidate handed out (a pending ask)
  w.reals(a.cand, dims);
  gp_.save(w, a.g);
  Base::seal(buf, n);
  if (written != nullptr) *written = n;
  return Status::Ok;
}

template <class Real>
Status BayesOptCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, udesign = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &udesign) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || ud > 1024 || udesign < 2 || udesign > 4096) return Status::Corrupt;
  const int dims = static_cast<int>(ud);
  if (size < state_size(dims, 0)) return Status::Corrupt;
  BayesOptCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.candidates = r.i32();
  t.cfg_.fit_evals = r.i32();
  const uint32_t tr = r.u8();
  if (tr > 2) return Status::Corrupt;
  t.cfg_.transform = static_cast<CostTransform>(tr);
  for (size_t k = 0; k < kConfigReserved; ++k)
    if (r.u8() != 0) return Status::Corrupt;
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
  if (t.design_ != static_cast<int>(udesign) || r.u32() != 0) return Status::Corrupt;
  const StopReason stop = t.base_.stop_reason();
  const long evals = t.base_.evaluations();
  if (t.base_.iteration() != evals - (stop == StopReason::Target || stop == StopReason::MaxEvals ? 1 : 0))
    return Status::Corrupt;
  const bool mid = stop == StopReason::Target || stop == StopReason::MaxEvals;
  const auto cells = Base::common_cells(common + Base::kCommonArraysOffset, dims);
  // The shared invariants (C1-C8), and a pending candidate one the filters
  // could have handed out.
  if (!t.base_.check_common(cells, {t.base_.pending(), mid}) ||
      (t.base_.pending() && !t.base_.candidate(cells, Cells<Real>::saved(r.pos()), 0)))
    return Status::Corrupt;
  const uint8_t* xs = r.pos();
  {
    StateReader bl(common + Base::kCommonArraysOffset),
        bh(common + Base::kCommonArraysOffset + sizeof(Real) * static_cast<size_t>(dims));
    for (int j = 0; j < dims; ++j) {
      const Real lo = bl.real<Real>(), hi = bh.real<Real>(), v = r.real<Real>();
      if (!(v >= lo && v <= hi)) return Status::Corrupt;
    }
  }
  const uint8_t* cand = r.pos();
  for (int j = 0; j < dims; ++j) {
    const Real v = r.real<Real>();
    if (!(v >= 0 && v <= 1)) return Status::Corrupt;
  }
  const uint8_t* gsec = r.pos();
  int n = 0;
  {
    // The observation count comes first: check the length before reading on.
    StateReader head(gsec);
    const int32_t held = head.i32();
    if (held < 0 || held > 4096 || size != state_size(dims, held)) return Status::Corrupt;
    StateReader g(gsec);
    Gp probe = t.gp_;
    const Status gst = probe.template load<false>(g, a.g, dims, &n);
    if (gst != Status::Ok) return gst;
  }
  if (size != state_size(dims, n)) return Status::Corrupt;
  if (dims > a.max_dims) return Status::CapacityExceeded;
  if (t.design_ > a.g.cap) return Status::CapacityExceeded;
  if (n != observations_after(evals, stop, a.g.cap) && !(evals > a.g.cap && n == a.g.cap))
    return Status::Corrupt;
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common + Base::kCommonArraysOffset, box(a), dims);
  StateReader xr(xs);
  xr.reals(a.x, dims);
  StateReader c(cand);
  c.reals(a.cand, dims);
  gp_.configure(dims, cfg_);
  StateReader g(gsec);
  (void)gp_.template load<true>(g, a.g, dims, &n);
  return Status::Ok;
}

template Status BayesOptCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BayesOptCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BayesOptCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status BayesOptCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
