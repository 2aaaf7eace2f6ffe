// SPDX-License-Identifier: MIT
// src/de_state.cpp: save and load of De's whole state (format version 1,
// documented in starling/de.hpp at De's save section) over the family's shared
// header, common section and seal (detail/opt_core.hpp).
#include <cmath>
#include <limits>

#include "starling/de.hpp"

namespace starling {
namespace detail {

namespace {
constexpr char kMagic[4] = {'S', 'D', 'E', '1'};
constexpr uint16_t kVersion = 1;
constexpr size_t kConfigReserved = 15;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
template <class Real>
bool in_box(Real v, Real lo, Real hi) noexcept {
  return std::isfinite(v) && v >= lo && v <= hi;
}
}  // namespace

template <class Real>
Status DeCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int dims = base_.dims();
  const size_t n = save_size();
  if (cap < n) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, dims, pop_);
  w.i32(cfg_.memory_size);
  w.f32(cfg_.p_best);
  w.f32(cfg_.archive_rate);
  w.i32(cfg_.min_population);
  w.u8(cfg_.reduce_population ? 1u : 0u);
  for (size_t k = 0; k < kConfigReserved; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.i32(pop_init_);
  w.i32(arc_n_);
  w.i32(mem_k_);
  w.i32(gen_.cursor);
  w.i32(gen_.batch_n);
  w.i32(gen_.batch_told);
  w.i32(arc_cap_);
  w.reals(mf_, cfg_.memory_size);
  w.reals(mcr_, cfg_.memory_size);
  for (int i = 0; i < pop_; ++i) {
    w.reals(a.x + i * a.stride, dims);
    w.real(a.f[i]);
    w.reals(a.u + i * a.stride, dims);
    w.real(a.fu[i]);
    w.real(a.F[i]);
    w.real(a.CR[i]);
  }
  for (int i = 0; i < arc_n_; ++i) w.reals(a.arc + i * a.stride, dims);
  Base::seal(buf, n);
  if (written != nullptr) *written = n;
  return Status::Ok;
}

template <class Real>
Status DeCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, un = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &un) != Status::Ok) return Status::Corrupt;
  if (ud < 1 || un < 4 || static_cast<uint64_t>(ud) * un > (1u << 24)) return Status::Corrupt;
  const int dims = static_cast<int>(ud), pop = static_cast<int>(un);
  const size_t fixed = Base::kHeaderBytes + kConfigBytes + Base::common_size(dims) + kOwnFixedBytes;
  if (size < fixed + Base::kSealBytes) return Status::Corrupt;

  DeCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  t.cfg_.memory_size = r.i32();
  t.cfg_.p_best = r.f32();
  t.cfg_.archive_rate = r.f32();
  t.cfg_.min_population = r.i32();
  const uint32_t flags = r.u8();
  if (flags > 1) return Status::Corrupt;
  t.cfg_.reduce_population = flags != 0;
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

  t.pop_ = pop;
  t.pop_init_ = r.i32();
  t.arc_n_ = r.i32();
  t.mem_k_ = r.i32();
  t.gen_.cursor = r.i32();
  t.gen_.batch_n = r.i32();
  t.gen_.batch_told = r.i32();
  t.arc_cap_ = r.i32();
  const int h = t.cfg_.memory_size;
  if (t.pop_init_ < pop || t.pop_init_ > (1 << 24) || t.arc_cap_ < 0) return Status::Corrupt;
  {
    // The limit init set: min(round(rate·N0), capacity), so at most the first.
    const int cap = t.arc_cap_;
    t.arc_cap_ = 1 << 30;
    if (cap > t.archive_cap(t.pop_init_)) return Status::Corrupt;
    t.arc_cap_ = cap;
  }
  if (t.arc_n_ < 0 || t.arc_n_ > t.archive_cap(pop) || t.mem_k_ < 0 || t.mem_k_ >= h)
    return Status::Corrupt;
  if (size != state_size(dims, pop, t.arc_n_, h)) return Status::Corrupt;
  if (dims > a.max_dims || pop > a.max_pop || t.arc_cap_ > a.max_pop) return Status::CapacityExceeded;
  const bool running = !t.base_.done();
  const int iter = t.base_.iteration();
  const GenCursor<Real>& gc = t.gen_;
  if (gc.cursor < 0 || gc.cursor >= pop || gc.batch_n < 0 || gc.batch_n > pop - gc.cursor ||
      gc.batch_told < 0 || (gc.batch_n > 0 && (gc.batch_told >= gc.batch_n || !running || t.base_.pending())) ||
      (gc.batch_n == 0 && gc.batch_told != 0))
    return Status::Corrupt;
  // The population of this generation follows from the evaluations at its
  // start (a tell that stops on Target or MaxEvals does not advance the cursor).
  const StopReason stop = t.base_.stop_reason();
  const long mid = (stop == StopReason::Target || stop == StopReason::MaxEvals) ? 1 : 0;
  const long at_start = t.base_.evaluations() - gc.cursor - mid;
  if (at_start < 0) return Status::Corrupt;
  if (iter == 0 ? (pop != t.pop_init_ || at_start != 0)
                : (pop != t.target_population(at_start) || at_start < t.pop_init_))
    return Status::Corrupt;
  if (!(t.cfg_.reduce_population && t.cfg_.max_evals > 0) &&
      at_start != static_cast<long>(iter) * pop)
    return Status::Corrupt;
  for (int k = 0; k < kMaxMemory; ++k) t.mf_[k] = t.mcr_[k] = 0;
  for (int k = 0; k < h; ++k) {
    t.mf_[k] = r.real<Real>();
    if (!(t.mf_[k] > 0 && t.mf_[k] <= 1)) return Status::Corrupt;
  }
  for (int k = 0; k < h; ++k) {
    t.mcr_[k] = r.real<Real>();
    if (!((t.mcr_[k] >= 0 && t.mcr_[k] <= 1) || t.mcr_[k] == -1)) return Status::Corrupt;
  }

  // Rows: validated in place, then copied.
  const uint8_t* rows = r.pos();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const size_t nd = sizeof(Real) * static_cast<size_t>(dims);
  {
    StateReader pr(rows);
    int told = 0;
    for (int i = 0; i < pop + t.arc_n_; ++i) {
      const int row_count = i < pop ? 2 : 1;
      for (int row = 0; row < row_count; ++row) {
        StateReader lo_r(common_arrays), hi_r(common_arrays + nd);
        for (int d = 0; d < dims; ++d) {
          const Real l = lo_r.real<Real>(), hh = hi_r.real<Real>();
          if (!in_box(pr.real<Real>(), l, hh)) return Status::Corrupt;
        }
        if (i >= pop) break;
        const Real c = pr.real<Real>();
        if (row == 0 && !finite_or_inf(c)) return Status::Corrupt;
        if (row == 0 && iter == 0 && c != std::numeric_limits<Real>::infinity()) return Status::Corrupt;
        if (row == 1) {
          const bool before = i < gc.cursor + mid;
          const bool in_batch = i >= gc.cursor && i < gc.cursor + gc.batch_n;
          if (before ? !finite_or_inf(c) : !(std::isnan(c) || (in_batch && finite_or_inf(c))))
            return Status::Corrupt;
          if (in_batch && !std::isnan(c)) ++told;
          const Real F = pr.real<Real>(), CR = pr.real<Real>();
          if (!(F > 0 && F <= 1) || !(CR >= 0 && CR <= 1)) return Status::Corrupt;
        }
      }
    }
    if (told != gc.batch_told) return Status::Corrupt;
  }

  *this = t;
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), dims);
  StateReader pr(rows);
  for (int i = 0; i < pop_; ++i) {
    pr.reals(a.x + i * a.stride, dims);
    pr.real(&a.f[i]);
    pr.reals(a.u + i * a.stride, dims);
    pr.real(&a.fu[i]);
    pr.real(&a.F[i]);
    pr.real(&a.CR[i]);
  }
  for (int i = 0; i < arc_n_; ++i) pr.reals(a.arc + i * a.stride, dims);
  return Status::Ok;
}

template Status DeCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status DeCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status DeCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status DeCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
