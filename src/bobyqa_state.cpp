// SPDX-License-Identifier: MIT
// src/bobyqa_state.cpp: save and load of Bobyqa's whole state (format "SBOB"
// version 1, layout at Bobyqa::save in starling/bobyqa.hpp) over the family's
// header, common section and seal; the engine's section is also Tuner's.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cmath>
#include <limits>

#include "starling/bobyqa.hpp"

namespace starling {
namespace detail {

namespace {

constexpr char kMagic[4] = {'S', 'B', 'O', 'B'};
constexpr uint16_t kVersion = 1;
constexpr size_t kConfigReserved = 15;

}  // namespace

template <class Real>
void BobyqaEngine<Real>::save(StateWriter& w, const Arrays& a) const noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  w.i32(kopt_);
  w.i32(knew_);
  w.i32(ntrits_);
  w.i32(itest_);
  w.i32(phase_);
  w.i32(init_k_);
  w.i32(scale_exp_);
  w.i32(rebuilds_);
  w.i32(keep_rho_);
  w.i64(nf_);
  w.i64(nfsav_);
  for (int k = 0; k < 3; ++k) w.u32(0);
  const Real sc[kRealScalars] = {rho_end_, rho_,   delta_, rho0_,  diffa_, diffb_,  diffc_,
                                 dnorm_,   ratio_, crvmin_, dsq_,  xoptsq_, alpha_, beta_,
                                 denom_,   cauchy_, adelt_, distsq_, init_step_};
  w.reals(sc, static_cast<int>(kRealScalars));
  const Real* vecs[11] = {a.ulo, a.uhi, a.xbase, a.gopt, a.sl, a.su, a.xopt, a.xnew, a.d, a.xalt, a.cand};
  for (const Real* v : vecs) w.reals(v, n);
  for (int k = 0; k < m; ++k) w.reals(a.xpt + k * a.stride, n);
  w.reals(a.fval, m);
  w.reals(a.pq, m);
  w.reals(a.hq, n * (n + 1) / 2);
  for (int i = 0; i < kk; ++i) w.reals(a.h + i * a.kstride, kk);
  w.reals(a.work + kWorkD * n, kk);  // vlag of the pending step
}

template <class Real>
typename BobyqaEngine<Real>::StateCells BobyqaEngine<Real>::live_cells(const Arrays& a) const noexcept {
  using C = Cells<Real>;
  return {{C::live(a.ulo), C::live(a.uhi), C::live(a.xbase), C::live(a.gopt), C::live(a.sl),
           C::live(a.su), C::live(a.xopt), C::live(a.xnew), C::live(a.d), C::live(a.xalt),
           C::live(a.cand)},
          C::live(a.xpt, a.stride),
          C::live(a.fval),
          C::live(a.pq),
          C::live(a.hq),
          C::live(a.h, a.kstride),
          C::live(a.work + kWorkD * n_)};
}

template <class Real>
typename BobyqaEngine<Real>::StateCells BobyqaEngine<Real>::saved_cells(const uint8_t* p, int n,
                                                                        int m) noexcept {
  using C = Cells<Real>;
  const size_t nd = sizeof(Real) * static_cast<size_t>(n), r = sizeof(Real);
  const int kk = m + n + 1;
  StateCells c;
  for (int k = 0; k < 11; ++k) c.vec[k] = C::saved(p + static_cast<size_t>(k) * nd);
  const uint8_t* q = p + 11 * nd;
  c.xpt = C::saved(q, n);
  q += static_cast<size_t>(m) * nd;
  c.fval = C::saved(q);
  q += static_cast<size_t>(m) * r;
  c.pq = C::saved(q);
  q += static_cast<size_t>(m) * r;
  c.hq = C::saved(q);
  q += static_cast<size_t>(n) * static_cast<size_t>(n + 1) / 2 * r;
  c.h = C::saved(q, kk);
  q += static_cast<size_t>(kk) * static_cast<size_t>(kk) * r;
  c.vlag = C::saved(q);
  return c;
}

template <class Real>
bool BobyqaEngine<Real>::decode(StateReader& r, int n, int m) noexcept {
  n_ = n;
  m_ = m;
  kopt_ = r.i32();
  knew_ = r.i32();
  ntrits_ = r.i32();
  itest_ = r.i32();
  phase_ = r.i32();
  init_k_ = r.i32();
  scale_exp_ = r.i32();
  rebuilds_ = r.i32();
  keep_rho_ = r.i32();
  const int64_t nf = r.i64(), nfsav = r.i64();
  bool ok = nf >= 0 && nf <= std::numeric_limits<long>::max() && nfsav >= 0 && nfsav <= nf;
  for (int k = 0; k < 3; ++k) ok = r.u32() == 0 && ok;
  nf_ = ok ? static_cast<long>(nf) : 0;
  nfsav_ = ok ? static_cast<long>(nfsav) : 0;
  Real* dst[kRealScalars] = {&rho_end_, &rho_,   &delta_, &rho0_,  &diffa_,  &diffb_, &diffc_,
                             &dnorm_,   &ratio_, &crvmin_, &dsq_,  &xoptsq_, &alpha_, &beta_,
                             &denom_,   &cauchy_, &adelt_, &distsq_, &init_step_};
  for (size_t k = 0; k < kRealScalars; ++k) *dst[k] = r.real<Real>();
  return ok;
}

template <class Real>
bool BobyqaEngine<Real>::check(const Cells<Real>& lo, const Cells<Real>& hi, const StateCells& c,
                               Real rho_end) const noexcept {
  const int n = n_, m = m_;
  // E1 counters.
  if (n < 1 || m < n + 2 || m > 2 * n + 1 || kopt_ < 0 || kopt_ >= m || knew_ < -1 || knew_ >= m ||
      ntrits_ < -1 || itest_ < 0 || itest_ > 3 || phase_ < kInit || phase_ > kGeometry ||
      init_k_ < 0 || init_k_ > m || (phase_ == kInit) != (init_k_ < m) || scale_exp_ < -1100 ||
      scale_exp_ > 1100 || rebuilds_ < 0 || keep_rho_ < 0 || keep_rho_ > 1 || nf_ < 0 ||
      nfsav_ < 0 || nfsav_ > nf_ || (phase_ != kInit && knew_ < 0))
    return false;
  // E2 radii: rho_end as configured; rho in [rho_end, 1/4] and delta >=
  // rho (both 0 before the first model); the initial step in (0, 1/4]. An
  // engine never begun (Tuner's before its first local phase) has all of
  // them 0. Every scalar finite.
  if (!finite(c)) return false;  // E2's and E4's finiteness
  const bool no_model = rho_ == 0 && delta_ == 0 && phase_ == kInit;
  const bool fresh = no_model && init_step_ == 0 && nf_ == 0 && init_k_ == 0;
  const Real quarter = static_cast<Real>(0.25);
  if (!same_bits(rho_end_, rho_end) ||
      (!no_model && (!(rho_ >= rho_end) || !(rho_ <= quarter) || !(delta_ >= rho_))) ||
      (!fresh && (!(init_step_ > 0) || !(init_step_ <= quarter))))
    return false;
  // E3 the box is this run's: lo/(hi − lo), hi/(hi − lo), bit for bit; the
  // proposal inside it.
  for (int j = 0; j < n; ++j) {
    const Real l = lo[j], h = hi[j];
    const Real ul = l / (h - l), uh = h / (h - l), cj = c.vec[10][j];
    if (!same_bits(c.vec[0][j], ul) || !same_bits(c.vec[1][j], uh) || (!fresh && !(cj >= ul && cj <= uh)))
      return false;
  }
  return true;
}

// Every scalar (E2) and every array but the box (E4) finite; also the
// engine's own guard after each evaluation (recover_if_needed).
template <class Real>
bool BobyqaEngine<Real>::finite(const StateCells& c) const noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  const Real sc[kRealScalars] = {rho_end_, rho_,   delta_, rho0_,  diffa_, diffb_,  diffc_,
                                 dnorm_,   ratio_, crvmin_, dsq_,  xoptsq_, alpha_, beta_,
                                 denom_,   cauchy_, adelt_, distsq_, init_step_};
  for (Real v : sc)
    if (!std::isfinite(v)) return false;
  for (int k = 2; k < 11; ++k)
    for (int j = 0; j < n; ++j)
      if (!std::isfinite(c.vec[k][j])) return false;
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j)
      if (!std::isfinite(c.xpt(i, j))) return false;
    if (!std::isfinite(c.fval[i]) || !std::isfinite(c.pq[i])) return false;
  }
  for (int k = 0; k < n * (n + 1) / 2; ++k)
    if (!std::isfinite(c.hq[k])) return false;
  for (int i = 0; i < kk; ++i) {
    for (int j = 0; j < kk; ++j)
      if (!std::isfinite(c.h(i, j))) return false;
    if (!std::isfinite(c.vlag[i])) return false;
  }
  return true;
}

template <class Real>
void BobyqaEngine<Real>::load_arrays(const uint8_t* p, const Arrays& a) const noexcept {
  const int n = n_, m = m_, kk = m + n + 1;
  StateReader r(p);
  Real* vecs[11] = {a.ulo, a.uhi, a.xbase, a.gopt, a.sl, a.su, a.xopt, a.xnew, a.d, a.xalt, a.cand};
  for (Real* v : vecs) r.reals(v, n);
  for (int k = 0; k < m; ++k) r.reals(a.xpt + k * a.stride, n);
  r.reals(a.fval, m);
  r.reals(a.pq, m);
  r.reals(a.hq, n * (n + 1) / 2);
  for (int i = 0; i < kk; ++i) r.reals(a.h + i * a.kstride, kk);
  r.reals(a.work + kWorkD * n, kk);
}

#define STARLING_BOBYQA_ENGINE_STATE(R)                                                          \
  template void BobyqaEngine<R>::save(StateWriter&, const Arrays&) const noexcept;               \
  template BobyqaEngine<R>::StateCells BobyqaEngine<R>::live_cells(const Arrays&) const noexcept; \
  template BobyqaEngine<R>::StateCells BobyqaEngine<R>::saved_cells(const uint8_t*, int, int) noexcept; \
  template bool BobyqaEngine<R>::decode(StateReader&, int, int) noexcept;                        \
  template bool BobyqaEngine<R>::check(const Cells<R>&, const Cells<R>&, const StateCells&, R) const noexcept; \
  template bool BobyqaEngine<R>::finite(const StateCells&) const noexcept;                       \
  template void BobyqaEngine<R>::load_arrays(const uint8_t*, const Arrays&) const noexcept;
STARLING_BOBYQA_ENGINE_STATE(float)
STARLING_BOBYQA_ENGINE_STATE(double)
#undef STARLING_BOBYQA_ENGINE_STATE

// ---- Bobyqa's blob ---------------------------------------------------------------

template <class Real>
Status BobyqaCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int dims = base_.dims(), m = engine_.points();
  const size_t n = state_size(dims, m);
  if (cap < n) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, dims, m);
  w.f32(cfg_.rho_begin);
  w.f32(cfg_.rho_end);
  w.u8(static_cast<uint32_t>(cfg_.restart));
  for (size_t k = 0; k < kConfigReserved; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.i32(restarts_);
  w.u32(0);
  w.reals(a.x, dims);  // the candidate handed out (a pending ask)
  engine_.save(w, a.e);
  Base::seal(buf, n);
  if (written != nullptr) *written = n;
  return Status::Ok;
}

template <class Real>
Status BobyqaCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, um = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &um) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || ud > 1024 || um < ud + 2 || um > 2 * ud + 1) return Status::Corrupt;
  const int dims = static_cast<int>(ud), m = static_cast<int>(um);
  if (size != state_size(dims, m)) return Status::Corrupt;
  if (dims > a.max_dims) return Status::CapacityExceeded;

  // Decode into a copy of the core (the arrays stay in the buffer), check the
  // copy with the buffer's arrays, and only then commit: on failure *this
  // and the arrays stay as they were, byte for byte.
  BobyqaCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.rho_begin = r.f32();
  t.cfg_.rho_end = r.f32();
  const uint32_t restart = r.u8();
  if (restart > 1) return Status::Corrupt;
  t.cfg_.restart = static_cast<BobyqaRestart>(restart);
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
  t.restarts_ = r.i32();
  if (r.u32() != 0) return Status::Corrupt;
  const uint8_t* xs = r.pos();
  r.skip(sizeof(Real) * static_cast<size_t>(dims));
  if (!t.engine_.decode(r, dims, m)) return Status::Corrupt;
  const uint8_t* eng = r.pos();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  if (!t.check(Base::common_cells(common_arrays, dims), Cells<Real>::saved(xs),
               Engine::saved_cells(eng, dims, m)))
    return Status::Corrupt;
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), dims);
  StateReader xr(xs);
  xr.reals(a.x, dims);
  engine_.load_arrays(eng, a.e);
  return Status::Ok;
}

template <class Real>
Status BobyqaCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  return check(Base::common_cells(box(a)), Cells<Real>::live(a.x), engine_.live_cells(a.e))
             ? Status::Ok
             : Status::Corrupt;
}

// The invariants, numbered as at Bobyqa::check_invariants.
template <class Real>
bool BobyqaCore<Real>::check(const typename Base::BoxCells& b, const Cells<Real>& x,
                             const typename Engine::StateCells& e) const noexcept {
  const StopRules& rules = base_.rules();
  // B1
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter || restarts_ < 0 || engine_.points() < base_.dims() + 2 ||
      engine_.points() > 2 * base_.dims() + 1)
    return false;
  // B2
  const StopReason stop = base_.stop_reason();
  const bool mid = stop == StopReason::Target || stop == StopReason::MaxEvals;
  if (static_cast<long>(base_.iteration()) != base_.evaluations() - (mid ? 1 : 0)) return false;
  // C1..C8
  if (!base_.check_common(b, {base_.pending(), mid})) return false;
  // B3
  if (!base_.in_box(b, x, 0) || (base_.pending() && !base_.candidate(b, x, 0))) return false;
  // E1..E4
  const Real re = static_cast<Real>(cfg_.rho_end) > bobyqa_rho_floor<Real>()
                      ? static_cast<Real>(cfg_.rho_end)
                      : bobyqa_rho_floor<Real>();
  return engine_.check(b.lo, b.hi, e, re);
}

template Status BobyqaCore<float>::check_invariants(const Arrays&) const noexcept;
template Status BobyqaCore<double>::check_invariants(const Arrays&) const noexcept;
template Status BobyqaCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BobyqaCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BobyqaCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status BobyqaCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
