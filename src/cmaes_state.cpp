// SPDX-License-Identifier: MIT
// src/cmaes_state.cpp: save and load of Cmaes's whole state (format version 1,
// documented in starling/cmaes.hpp at Cmaes's save section) over the family's
// shared header, common section and seal (detail/opt_core.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

  // Decode into a copy of the core (the arrays stay in the buffer), check the
  // copy with the buffer's arrays, and only then commit: on failure *this
  // and the arrays stay as they were, byte for byte.
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
  t.eigen_evals_ = static_cast<long>(eigen_evals);
  // What sizes the capacity check, and setup()'s argument.
  if (t.lambda0_ < 4 || t.lambda_cap_ < t.lambda0_ || t.lambda_cap_ > (1 << 24) || lambda < t.lambda0_ ||
      lambda > t.lambda_cap_ || eigen_evals < 0 || eigen_evals > t.base_.evaluations())
    return Status::Corrupt;
  if (n > a.max_dims || lambda > a.max_pop || t.lambda_cap_ > a.max_pop) return Status::CapacityExceeded;
  t.setup(lambda);  // the derived parameters
  const uint8_t* arrays = r.pos();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  if (!t.check(Base::common_cells(common_arrays, n), saved_cells(arrays, n, lambda)))
    return Status::Corrupt;

  // Valid: commit.
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

template <class Real>
typename CmaesCore<Real>::OwnCells CmaesCore<Real>::saved_cells(const uint8_t* p, int n,
                                                                int lambda) noexcept {
  const size_t r = sizeof(Real), nd = r * static_cast<size_t>(n);
  const size_t tri = r * static_cast<size_t>(n) * (static_cast<size_t>(n) + 1) / 2;
  const uint8_t* c = p + 4 * nd;
  const uint8_t* b = c + tri;
  const uint8_t* x = b + nd * static_cast<size_t>(n);
  const uint8_t* f = x + nd * static_cast<size_t>(lambda);
  return {Cells<Real>::saved(p),          Cells<Real>::saved(p + nd), Cells<Real>::saved(p + 2 * nd),
          Cells<Real>::saved(p + 3 * nd), Cells<Real>::saved(c),      Cells<Real>::saved(b, n),
          Cells<Real>::saved(x, n),       Cells<Real>::saved(f, 1),   true};
}

template <class Real>
Status CmaesCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  const OwnCells c{Cells<Real>::live(a.m),  Cells<Real>::live(a.ps),           Cells<Real>::live(a.pc),
                   Cells<Real>::live(a.d),  Cells<Real>::live(a.c, a.stride), Cells<Real>::live(a.b, a.stride),
                   Cells<Real>::live(a.x, a.stride), Cells<Real>::live(a.f, 1), false};
  return check(Base::common_cells(box(a)), c) ? Status::Ok : Status::Corrupt;
}

// The invariants, numbered as in cmaes.hpp (Cmaes::check_invariants); C1..C8
// are OptCore::check_common's. Scalars come from *this, arrays through the
// cells; every index is range-checked before it is used.
template <class Real>
bool CmaesCore<Real>::check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept {
  const int n = base_.dims(), lambda = lambda_;
  const StopRules& rules = base_.rules();
  const long evals = base_.evaluations();
  const int iter = base_.iteration();
  const bool running = !base_.done(), pending = base_.pending();
  const StopReason stop = base_.stop_reason();
  const int mid = (stop == StopReason::Target || stop == StopReason::MaxEvals) ? 1 : 0;
  // E1 the config and the form.
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter)
    return false;
  if (sep_ != (cfg_.form == CmaesForm::Separable ||
               (cfg_.form == CmaesForm::Auto && n > cfg_.separable_above)))
    return false;
  // E2 λ: the first run's, doubled (or not) at each restart up to the
  // limit; the counters of the run.
  if (lambda0_ < 4 || lambda_cap_ < lambda0_ || lambda_cap_ > (1 << 24) || lambda < lambda0_ ||
      lambda > lambda_cap_ || restarts_ < 0 || restarts_ > iter ||
      (restarts_ == 0 && lambda != lambda0_) || (!cfg_.ipop && lambda != lambda0_) || flat_ < 0 ||
      flat_ > iter || eigen_evals_ < 0 || eigen_evals_ > evals || windows_ < 0 || windows_ > iter ||
      win_len_ < 0 || win_len_ >= window())
    return false;
  // E3 where the generation stands (as Pso's P3 and P9).
  const GenCursor<Real>& gc = gen_;
  if (gc.cursor < 0 || gc.cursor >= lambda || gc.batch_n < 0 || gc.batch_n > lambda - gc.cursor ||
      gc.batch_told < 0 ||
      (gc.batch_n > 0 && (gc.batch_told >= gc.batch_n || !running || pending ||
                          (rules.max_evals > 0 && gc.batch_n > rules.max_evals - evals))) ||
      (gc.batch_n == 0 && gc.batch_told != 0) || evals < gc.cursor + mid)
    return false;
  // E4 σ finite and > 0, the decay in [0, 1], the previous generation's
  // best never NaN or −inf (the stagnation sums are any values: a cost of
  // −max twice sums to −inf).
  if (!(std::isfinite(sigma_) && sigma_ > 0) || !(decay_ >= 0 && decay_ <= 1) || !finite_or_inf(gen_best_))
    return false;
  // C1..C8 (a generation has seen a tell once its cursor moved).
  if (!base_.check_common(b, {pending || gc.batch_n > 0, gc.cursor > 0 || mid != 0})) return false;
  // E5 the mean finite and in the box; the paths finite; the scales d in
  // (0, max]; C's upper triangle finite with a diagonal >= 0; B's entries
  // in [−1, 1] (orthonormal columns).
  if (!base_.in_box(b, c.m, 0)) return false;
  for (int i = 0; i < n; ++i) {
    const Real d = c.d[i];
    if (!std::isfinite(c.ps[i]) || !std::isfinite(c.pc[i]) ||
        !(d > 0 && d <= std::numeric_limits<Real>::max()))
      return false;
  }
  int k = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i; j < n; ++j, ++k) {
      const Real v = c.packed ? c.c[k] : c.c(i, j);
      if (!std::isfinite(v) || (i == j && !(v >= 0))) return false;
    }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (!(c.b(i, j) >= -1 && c.b(i, j) <= 1)) return false;
  // E6 every candidate finite and in the box; costs before the cursor (and
  // the one whose tell stopped the run) never NaN or −inf and >= the best
  // value, NaN after it except told costs of the open batch (not −inf),
  // exactly `told` of them.
  const Real best = base_.best_value();
  int told = 0;
  for (int q = 0; q < lambda; ++q) {
    if (!base_.in_box(b, c.x, q)) return false;
    const Real f = c.f(q);
    const bool before = q < gc.cursor + mid;
    const bool in_batch = q >= gc.cursor && q < gc.cursor + gc.batch_n;
    if (before ? !(finite_or_inf(f) && f >= best) : !(std::isnan(f) || (in_batch && finite_or_inf(f))))
      return false;
    if (in_batch && !std::isnan(f)) ++told;
  }
  if (told != gc.batch_told) return false;
  // E7 a start point with nothing evaluated is the mean and candidate 0.
  if (base_.has_start() && evals == 0 &&
      (!base_.same_as_best(b, c.m, 0) || !base_.same_as_best(b, c.x, 0)))
    return false;
  // E8 the pending candidate and the open batch are what the filters could
  // have handed out.
  if (pending && !base_.candidate(b, c.x, gc.cursor)) return false;
  for (int q = 0; q < gc.batch_n; ++q)
    if (!base_.candidate(b, c.x, gc.cursor + q)) return false;
  return true;
}

template bool CmaesCore<float>::check(const OptCore<float>::BoxCells&, const OwnCells&) const noexcept;
template bool CmaesCore<double>::check(const OptCore<double>::BoxCells&, const OwnCells&) const noexcept;
template CmaesCore<float>::OwnCells CmaesCore<float>::saved_cells(const uint8_t*, int, int) noexcept;
template CmaesCore<double>::OwnCells CmaesCore<double>::saved_cells(const uint8_t*, int, int) noexcept;
template Status CmaesCore<float>::check_invariants(const Arrays&) const noexcept;
template Status CmaesCore<double>::check_invariants(const Arrays&) const noexcept;
template Status CmaesCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status CmaesCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status CmaesCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status CmaesCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
