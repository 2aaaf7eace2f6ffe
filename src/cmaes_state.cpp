// SPDX-License-Identifier: MIT
// src/cmaes_state.cpp: save and load of Cmaes's whole state (format version 1,
// documented in starling/cmaes.hpp at Cmaes's save section) over the family's
// shared header, common section and seal (detail/opt_core.hpp).
#include <cmath>
#include <limits>

#include "starling/cmaes.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'C', 'M', 'A'};
constexpr uint16_t kVersion = 1;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
}  // namespace

template <class Real>
Status CmaesCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int n = base_.dims(), s = a.stride;
  const size_t bytes = save_size();
  if (cap < bytes) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, n, lambda_);
  w.f32(cfg_.sigma0);
  w.u8(static_cast<uint32_t>(cfg_.form));
  w.u8(cfg_.ipop ? 1u : 0u);
  w.u8(0);
  w.u8(0);
  w.i32(cfg_.separable_above);
  for (int k = 0; k < 12; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.i32(lambda0_);
  w.i32(lambda_cap_);
  w.i32(restarts_);
  w.i32(flat_);
  w.i32(gen_.cursor);
  w.i32(gen_.batch_n);
  w.i32(gen_.batch_told);
  w.i32(win_len_);
  w.i32(windows_);
  w.u8(sep_ ? 1u : 0u);
  w.u8(0);
  w.u8(0);
  w.u8(0);
  w.i64(eigen_evals_);
  w.real(sigma_);
  w.real(decay_);
  w.real(gen_best_);
  w.real(win_sum_);
  w.reals(win_, kWindows);
  w.reals(a.m, n);
  w.reals(a.ps, n);
  w.reals(a.pc, n);
  w.reals(a.d, n);
  for (int i = 0; i < n; ++i) w.reals(a.c + i * s + i, n - i);
  for (int i = 0; i < n; ++i) w.reals(a.b + i * s, n);
  for (int k = 0; k < lambda_; ++k) w.reals(a.x + k * s, n);
  w.reals(a.f, lambda_);
  Base::seal(buf, bytes);
  if (written != nullptr) *written = bytes;
  return Status::Ok;
}

template <class Real>
Status CmaesCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, ul = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &ul) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || ul < 4 || static_cast<uint64_t>(ud) * (ud + ul) > (1u << 24)) return Status::Corrupt;
  const int n = static_cast<int>(ud), lambda = static_cast<int>(ul);
  if (size != state_size(n, lambda)) return Status::Corrupt;

  CmaesCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.sigma0 = r.f32();
  const uint32_t form = r.u8(), flags = r.u8();
  if (form > 2 || flags > 1 || r.u8() != 0 || r.u8() != 0) return Status::Corrupt;
  t.cfg_.form = static_cast<CmaesForm>(form);
  t.cfg_.ipop = flags != 0;
  t.cfg_.separable_above = r.i32();
  for (int k = 0; k < 12; ++k)
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

  t.lambda0_ = r.i32();
  t.lambda_cap_ = r.i32();
  t.restarts_ = r.i32();
  t.flat_ = r.i32();
  t.gen_.cursor = r.i32();
  t.gen_.batch_n = r.i32();
  t.gen_.batch_told = r.i32();
  t.win_len_ = r.i32();
  t.windows_ = r.i32();
  const uint32_t sep = r.u8();
  if (sep > 1 || r.u8() != 0 || r.u8() != 0 || r.u8() != 0) return Status::Corrupt;
  t.sep_ = sep != 0;
  const int64_t eigen_evals = r.i64();
  t.sigma_ = r.real<Real>();
  t.decay_ = r.real<Real>();
  t.gen_best_ = r.real<Real>();
  // The stagnation sums are any values (a cost of −max twice sums to −inf).
  t.win_sum_ = r.real<Real>();
  r.reals(t.win_, kWindows);
  const long evals = t.base_.evaluations();
  const int iter = t.base_.iteration();
  const bool running = !t.base_.done();
  // λ: the first run's, doubled (or not) at each restart up to the limit.
  const bool sep_ok = t.sep_ == (t.cfg_.form == CmaesForm::Separable ||
                                 (t.cfg_.form == CmaesForm::Auto && n > t.cfg_.separable_above));
  if (!sep_ok || t.lambda0_ < 4 || t.lambda_cap_ < t.lambda0_ || t.lambda_cap_ > (1 << 24) ||
      lambda < t.lambda0_ || lambda > t.lambda_cap_ || t.restarts_ < 0 || t.restarts_ > iter ||
      (t.restarts_ == 0 && lambda != t.lambda0_) || (!t.cfg_.ipop && lambda != t.lambda0_) ||
      t.flat_ < 0 || t.flat_ > iter || eigen_evals < 0 || eigen_evals > evals || t.windows_ < 0 ||
      t.windows_ > iter || t.win_len_ < 0)
    return Status::Corrupt;
  t.setup(lambda);  // derived parameters (for the window length)
  if (t.win_len_ >= t.window()) return Status::Corrupt;
  const GenCursor<Real>& gc = t.gen_;
  if (gc.cursor < 0 || gc.cursor >= lambda || gc.batch_n < 0 || gc.batch_n > lambda - gc.cursor ||
      gc.batch_told < 0 || (gc.batch_n > 0 && (gc.batch_told >= gc.batch_n || !running || t.base_.pending())) ||
      (gc.batch_n == 0 && gc.batch_told != 0))
    return Status::Corrupt;
  if (!(std::isfinite(t.sigma_) && t.sigma_ > 0) || !(t.decay_ >= 0 && t.decay_ <= 1) ||
      !finite_or_inf(t.gen_best_))
    return Status::Corrupt;
  if (n > a.max_dims || lambda > a.max_pop || t.lambda_cap_ > a.max_pop) return Status::CapacityExceeded;
  eigen_evals_ = 0;  // (the live object's; t carries the loaded value)
  t.eigen_evals_ = static_cast<long>(eigen_evals);

  // Arrays: validated in place, then copied.
  const StopReason stop = t.base_.stop_reason();
  const int mid = (stop == StopReason::Target || stop == StopReason::MaxEvals) ? 1 : 0;
  const uint8_t* arrays = r.pos();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const size_t nd = sizeof(Real) * static_cast<size_t>(n);
  {
    StateReader v(arrays);
    StateReader lo_r(common_arrays), hi_r(common_arrays + nd);
    for (int i = 0; i < n; ++i) {
      const Real m = v.real<Real>(), lo = lo_r.real<Real>(), hi = hi_r.real<Real>();
      if (!(std::isfinite(m) && m >= lo && m <= hi)) return Status::Corrupt;
    }
    for (int i = 0; i < 2 * n; ++i)
      if (!std::isfinite(v.real<Real>())) return Status::Corrupt;
    for (int i = 0; i < n; ++i) {
      const Real d = v.real<Real>();
      if (!(d > 0 && d <= std::numeric_limits<Real>::max())) return Status::Corrupt;
    }
    for (int i = 0; i < n; ++i)
      for (int j = i; j < n; ++j) {
        const Real c = v.real<Real>();
        if (!std::isfinite(c) || (i == j && !(c >= 0))) return Status::Corrupt;
      }
    for (int i = 0; i < n * n; ++i) {
      const Real b = v.real<Real>();
      if (!(b >= -1 && b <= 1)) return Status::Corrupt;  // entries of orthonormal columns
    }
    for (int k = 0; k < lambda; ++k) {
      StateReader lr(common_arrays), hr(common_arrays + nd);
      for (int i = 0; i < n; ++i) {
        const Real x = v.real<Real>(), lo = lr.real<Real>(), hi = hr.real<Real>();
        if (!(std::isfinite(x) && x >= lo && x <= hi)) return Status::Corrupt;
      }
    }
    int told = 0;
    for (int k = 0; k < lambda; ++k) {
      const Real f = v.real<Real>();
      const bool before = k < gc.cursor + mid;
      const bool in_batch = k >= gc.cursor && k < gc.cursor + gc.batch_n;
      if (before ? !finite_or_inf(f) : !(std::isnan(f) || (in_batch && finite_or_inf(f))))
        return Status::Corrupt;
      if (in_batch && !std::isnan(f)) ++told;
    }
    if (told != gc.batch_told) return Status::Corrupt;
  }

  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), n);
  StateReader v(arrays);
  const int s = a.stride;
  v.reals(a.m, n);
  v.reals(a.ps, n);
  v.reals(a.pc, n);
  v.reals(a.d, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < i; ++j) a.c[i * s + j] = 0;  // the eigen-solver's scratch
    v.reals(a.c + i * s + i, n - i);
  }
  for (int i = 0; i < n; ++i) v.reals(a.b + i * s, n);
  for (int k = 0; k < lambda; ++k) v.reals(a.x + k * s, n);
  v.reals(a.f, lambda);
  return Status::Ok;
}

template Status CmaesCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status CmaesCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status CmaesCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status CmaesCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
