// SPDX-License-Identifier: MIT
// src/bobyqa_state.cpp: save and load of Bobyqa's whole state (format "SBOB"
// version 1, layout at Bobyqa::save in starling/bobyqa.hpp) over the family's
// header, common section and seal; the engine's section is also Tuner's.
#include <cmath>
#include <limits>

#include "starling/bobyqa.hpp"

namespace starling {
namespace detail {

namespace {

constexpr char kMagic[4] = {'S', 'B', 'O', 'B'};
constexpr uint16_t kVersion = 1;
constexpr size_t kConfigReserved = 15;

// Reads n Reals into dst (when kCommit) after checking each is finite.
template <bool kCommit, class Real>
bool reals(StateReader& r, Real* dst, int n) noexcept {
  for (int k = 0; k < n; ++k) {
    const Real v = r.real<Real>();
    if (!std::isfinite(v)) return false;
    if (kCommit) dst[k] = v;
  }
  return true;
}

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
template <bool kCommit>
Status BobyqaEngine<Real>::load(StateReader& r, const Arrays& a, int n, int m, Real rho_end,
                                const uint8_t* box) noexcept {
  const int kk = m + n + 1;
  const int kopt = r.i32(), knew = r.i32(), ntrits = r.i32(), itest = r.i32(), phase = r.i32(),
            init_k = r.i32(), scale_exp = r.i32(), rebuilds = r.i32(), keep_rho = r.i32();
  const int64_t nf = r.i64(), nfsav = r.i64();
  for (int k = 0; k < 3; ++k)
    if (r.u32() != 0) return Status::Corrupt;
  if (kopt < 0 || kopt >= m || knew < -1 || knew >= m || ntrits < -1 || itest < 0 || itest > 3 ||
      phase < kInit || phase > kGeometry || init_k < 0 || init_k > m ||
      (phase == kInit) != (init_k < m) || scale_exp < -1100 || scale_exp > 1100 ||
      rebuilds < 0 || keep_rho < 0 || keep_rho > 1 || nf < 0 || nfsav < 0 || nfsav > nf ||
      (phase != kInit && knew < 0))
    return Status::Corrupt;
  Real sc[kRealScalars];
  if (!reals<true>(r, sc, static_cast<int>(kRealScalars))) return Status::Corrupt;
  // rho_end as configured; rho in [rho_end, 1/4] and delta >= rho (both 0
  // before the first model); the initial step in (0, 1/4].
  // An engine never begun (Tuner's before its first local phase) has all
  // of them 0.
  const bool no_model = sc[1] == 0 && sc[2] == 0 && phase == kInit;
  const bool fresh = no_model && sc[18] == 0 && nf == 0 && init_k == 0;
  if (sc[0] != rho_end ||
      (!no_model && (!(sc[1] >= rho_end) || !(sc[1] <= static_cast<Real>(0.25)) || !(sc[2] >= sc[1]))) ||
      (!fresh && (!(sc[18] > 0) || !(sc[18] <= static_cast<Real>(0.25)))))
    return Status::Corrupt;
  Real* vecs[11] = {a.ulo, a.uhi, a.xbase, a.gopt, a.sl, a.su, a.xopt, a.xnew, a.d, a.xalt, a.cand};
  // The box must be this run's (lo/(hi − lo), hi/(hi − lo) of the saved
  // bounds); the proposal inside it.
  const uint8_t* at = r.pos();
  {
    const size_t nd = sizeof(Real) * static_cast<size_t>(n);
    StateReader bl(box), bh(box + nd), ql(at), qh(at + nd), c(at + 10 * nd);
    for (int j = 0; j < n; ++j) {
      const Real lo = bl.real<Real>(), hi = bh.real<Real>();
      const Real ul = lo / (hi - lo), uh = hi / (hi - lo);
      const Real cj = c.real<Real>();
      if (ql.real<Real>() != ul || qh.real<Real>() != uh || (!fresh && !(cj >= ul && cj <= uh)))
        return Status::Corrupt;
    }
  }
  for (Real* v : vecs)
    if (!reals<kCommit>(r, v, n)) return Status::Corrupt;
  for (int k = 0; k < m; ++k)
    if (!reals<kCommit>(r, a.xpt + k * a.stride, n)) return Status::Corrupt;
  if (!reals<kCommit>(r, a.fval, m) || !reals<kCommit>(r, a.pq, m) ||
      !reals<kCommit>(r, a.hq, n * (n + 1) / 2))
    return Status::Corrupt;
  for (int i = 0; i < kk; ++i)
    if (!reals<kCommit>(r, a.h + i * a.kstride, kk)) return Status::Corrupt;
  if (!reals<kCommit>(r, a.work + kWorkD * n, kk)) return Status::Corrupt;
  if (kCommit) {
    n_ = n;
    m_ = m;
    kopt_ = kopt;
    knew_ = knew;
    ntrits_ = ntrits;
    itest_ = itest;
    phase_ = phase;
    init_k_ = init_k;
    scale_exp_ = scale_exp;
    rebuilds_ = rebuilds;
    keep_rho_ = keep_rho;
    nf_ = static_cast<long>(nf);
    nfsav_ = static_cast<long>(nfsav);
    Real* dst[kRealScalars] = {&rho_end_, &rho_,   &delta_, &rho0_,  &diffa_,  &diffb_, &diffc_,
                               &dnorm_,   &ratio_, &crvmin_, &dsq_,  &xoptsq_, &alpha_, &beta_,
                               &denom_,   &cauchy_, &adelt_, &distsq_, &init_step_};
    for (size_t k = 0; k < kRealScalars; ++k) *dst[k] = sc[k];
  }
  return Status::Ok;
}

template void BobyqaEngine<float>::save(StateWriter&, const Arrays&) const noexcept;
template void BobyqaEngine<double>::save(StateWriter&, const Arrays&) const noexcept;
template Status BobyqaEngine<float>::load<false>(StateReader&, const Arrays&, int, int, float, const uint8_t*) noexcept;
template Status BobyqaEngine<float>::load<true>(StateReader&, const Arrays&, int, int, float, const uint8_t*) noexcept;
template Status BobyqaEngine<double>::load<false>(StateReader&, const Arrays&, int, int, double, const uint8_t*) noexcept;
template Status BobyqaEngine<double>::load<true>(StateReader&, const Arrays&, int, int, double, const uint8_t*) noexcept;

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
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;
  t.restarts_ = r.i32();
  if (t.restarts_ < 0 || r.u32() != 0) return Status::Corrupt;
  // A generation is an evaluation.
  if (t.base_.iteration() != t.base_.evaluations() - ((t.base_.stop_reason() == StopReason::Target ||
                                                       t.base_.stop_reason() == StopReason::MaxEvals)
                                                          ? 1
                                                          : 0))
    return Status::Corrupt;
  const uint8_t* saved_box = common + Base::kCommonArraysOffset;  // lo[D], hi[D]
  const bool mid = t.base_.stop_reason() == StopReason::Target || t.base_.stop_reason() == StopReason::MaxEvals;
  const auto cells = Base::common_cells(saved_box, dims);
  // The shared invariants (C1-C8), and a pending candidate one the filters
  // could have handed out.
  if (!t.base_.check_common(cells, {t.base_.pending(), mid}) ||
      (t.base_.pending() && !t.base_.candidate(cells, Cells<Real>::saved(r.pos()), 0)))
    return Status::Corrupt;
  const uint8_t* xs = r.pos();
  {
    StateReader bl(saved_box), bh(saved_box + sizeof(Real) * static_cast<size_t>(dims));
    for (int j = 0; j < dims; ++j) {
      const Real lo = bl.real<Real>(), hi = bh.real<Real>(), v = r.real<Real>();
      if (!(v >= lo && v <= hi)) return Status::Corrupt;
    }
  }
  const Real re = static_cast<Real>(t.cfg_.rho_end) > bobyqa_rho_floor<Real>()
                      ? static_cast<Real>(t.cfg_.rho_end)
                      : bobyqa_rho_floor<Real>();
  const uint8_t* eng = r.pos();
  {
    StateReader e(eng);
    const Status est = t.engine_.template load<false>(e, a.e, dims, m, re, saved_box);
    if (est != Status::Ok) return est;
  }
  // Valid: commit.
  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common + Base::kCommonArraysOffset, box(a), dims);
  StateReader xr(xs);
  xr.reals(a.x, dims);
  StateReader e(eng);
  (void)engine_.template load<true>(e, a.e, dims, m, re, saved_box);
  return Status::Ok;
}

template Status BobyqaCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BobyqaCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status BobyqaCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status BobyqaCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
