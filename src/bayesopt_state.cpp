// SPDX-License-Identifier: MIT
// src/bayesopt_state.cpp: save and load of BayesOpt's whole state (format
// "SBAY" version 1, layout at BayesOpt::save in starling/bayesopt.hpp) over
// the family's header, common section and seal; the Gaussian process's
// section is also Tuner's.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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
typename GpEngine<Real>::StateCells GpEngine<Real>::live_cells(const Arrays& a) const noexcept {
  return {Cells<Real>::live(a.theta), Cells<Real>::live(a.t, a.stride), Cells<Real>::live(a.y)};
}

template <class Real>
typename GpEngine<Real>::StateCells GpEngine<Real>::saved_cells(const uint8_t* sec, int dims,
                                                                int n) noexcept {
  const uint8_t* th = sec + 8;
  const uint8_t* t = th + sizeof(Real) * static_cast<size_t>(dims + 1);
  const uint8_t* y = t + sizeof(Real) * static_cast<size_t>(dims) * static_cast<size_t>(n);
  return {Cells<Real>::saved(th), Cells<Real>::saved(t, dims), Cells<Real>::saved(y)};
}

template <class Real>
int GpEngine<Real>::saved_count(const uint8_t* sec) noexcept {
  StateReader r(sec);
  const int32_t n = r.i32();
  return r.u32() == 0 ? n : -1;
}

template <class Real>
void GpEngine<Real>::decode(int dims, int n) noexcept {
  d_ = dims;
  n_ = n;
  cur_ = 0;
  factored_ = 0;
  sigma2_ = 1;
  zbest_ = 0;
}

template <class Real>
bool GpEngine<Real>::check(const StateCells& c, int cap, long told, int design, Real best,
                           bool stopping) const noexcept {
  const int n = n_, dims = d_;
  // G1
  if (n < 0 || n > cap || n > told || (n < told && n < design)) return false;
  // G2
  for (int j = 0; j <= dims; ++j) {
    const Real v = c.theta[j];
    const Real lo = j < dims ? gp_ln_len_min<Real>() : gp_ln_nugget_min<Real>();
    const Real hi = j < dims ? gp_ln_len_max<Real>() : gp_ln_nugget_max<Real>();
    if (!(v >= lo && v <= hi)) return false;
  }
  // G3
  Real ymin = std::numeric_limits<Real>::infinity();
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < dims; ++j) {
      const Real v = c.t(i, j);
      if (!(v >= 0 && v <= 1)) return false;
    }
    const Real y = c.y[i];
    if (std::isnan(y) || !(y >= best)) return false;  // also refuses −inf
    if (y < ymin) ymin = y;
  }
  if (n > 0 && !stopping && ymin != best) return false;
  return true;
}

template <class Real>
void GpEngine<Real>::load_arrays(const uint8_t* sec, const Arrays& a) const noexcept {
  StateReader r(sec + 8);
  r.reals(a.theta, d_ + 1);
  for (int i = 0; i < n_; ++i) r.reals(a.t + i * a.stride, d_);
  r.reals(a.y, n_);
}

#define STARLING_GP_STATE(R)                                                                     \
  template void GpEngine<R>::save(StateWriter&, const Arrays&) const noexcept;                   \
  template GpEngine<R>::StateCells GpEngine<R>::live_cells(const Arrays&) const noexcept;        \
  template GpEngine<R>::StateCells GpEngine<R>::saved_cells(const uint8_t*, int, int) noexcept;  \
  template int GpEngine<R>::saved_count(const uint8_t*) noexcept;                                \
  template void GpEngine<R>::decode(int, int) noexcept;                                          \
  template bool GpEngine<R>::check(const StateCells&, int, long, int, R, bool) const noexcept;   \
  template void GpEngine<R>::load_arrays(const uint8_t*, const Arrays&) const noexcept;
STARLING_GP_STATE(float)
STARLING_GP_STATE(double)
#undef STARLING_GP_STATE

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
  // The observation count comes first in the GP's section: check the length
  // before reading on.
  const uint8_t* gsec = buf + (state_size(dims, 0) - Base::kSealBytes - Gp::state_size(dims, 0));
  const int n = Gp::saved_count(gsec);
  if (n < 0 || n > 4096 || size != state_size(dims, n)) return Status::Corrupt;
  if (dims > a.max_dims || static_cast<int>(udesign) > a.g.cap || n > a.g.cap)
    return Status::CapacityExceeded;

  // Decode into a copy of the core (the arrays stay in the buffer), check,
  // then commit: a refused load changes nothing.
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
  t.design_ = r.i32();
  if (t.design_ != static_cast<int>(udesign) || r.u32() != 0) return Status::Corrupt;
  const uint8_t* xs = r.pos();
  const uint8_t* cand = xs + sizeof(Real) * static_cast<size_t>(dims);
  t.gp_.configure(dims, t.cfg_);
  t.gp_.decode(dims, n);
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  if (!t.check(Base::common_cells(common_arrays, dims), Cells<Real>::saved(xs), Cells<Real>::saved(cand),
               Gp::saved_cells(gsec, dims, n), a.g.cap))
    return Status::Corrupt;
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), dims);
  StateReader xr(xs);
  xr.reals(a.x, dims);
  xr.reals(a.cand, dims);
  gp_.load_arrays(gsec, a.g);
  return Status::Ok;
}

template <class Real>
Status BayesOptCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  return check(Base::common_cells(box(a)), Cells<Real>::live(a.x), Cells<Real>::live(a.cand),
               gp_.live_cells(a.g), a.g.cap)
             ? Status::Ok
             : Status::Corrupt;
}

// The invariants, numbered as at BayesOpt::check_invariants.
template <class Real>
bool BayesOptCore<Real>::check(const typename Base::BoxCells& b, const Cells<Real>& x,
                               const Cells<Real>& cand, const typename Gp::StateCells& g,
                               int cap) const noexcept {
  const StopRules& rules = base_.rules();
  // A1
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter || design_ < 2 || design_ > cap)
    return false;
  // A2
  const StopReason stop = base_.stop_reason();
  const bool mid = stop == StopReason::Target || stop == StopReason::MaxEvals;
  const long told = base_.evaluations() - (mid ? 1 : 0);
  if (static_cast<long>(base_.iteration()) != told) return false;
  // C1..C8
  if (!base_.check_common(b, {base_.pending(), mid})) return false;
  // A3
  if (!base_.in_box(b, x, 0) || (base_.pending() && !base_.candidate(b, x, 0))) return false;
  for (int j = 0; j < base_.dims(); ++j)
    if (!(cand[j] >= 0 && cand[j] <= 1)) return false;
  // G1..G3
  return gp_.check(g, cap, told, design_, base_.best_value(), mid);
}

template Status BayesOptCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BayesOptCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BayesOptCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status BayesOptCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status BayesOptCore<float>::check_invariants(const Arrays&) const noexcept;
template Status BayesOptCore<double>::check_invariants(const Arrays&) const noexcept;
template bool BayesOptCore<float>::check(const OptCore<float>::BoxCells&, const Cells<float>&, const Cells<float>&, const GpEngine<float>::StateCells&, int) const noexcept;
template bool BayesOptCore<double>::check(const OptCore<double>::BoxCells&, const Cells<double>&, const Cells<double>&, const GpEngine<double>::StateCells&, int) const noexcept;

}  // namespace detail
}  // namespace starling
