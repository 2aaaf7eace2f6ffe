// SPDX-License-Identifier: MIT
// src/de_state.cpp: save and load of De's whole state (format version 1,
// documented in starling/de.hpp at De's save section) over the family's shared
// header, common section and seal (detail/opt_core.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

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

  // Decode into a copy of the core (the arrays stay in the buffer), check the
  // copy with the buffer's arrays, and only then commit: on failure *this
  // and the arrays stay as they were, byte for byte.
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
  const int h = t.cfg_.memory_size;  // in [1, 16]: validate() passed
  // D1's bounds on what sizes the blob, before the size is computed.
  if (t.pop_init_ < pop || t.pop_init_ > (1 << 24) || t.arc_cap_ < 0) return Status::Corrupt;
  {
    const int cap = t.arc_cap_;
    t.arc_cap_ = 1 << 30;
    if (cap > t.archive_cap(t.pop_init_)) return Status::Corrupt;
    t.arc_cap_ = cap;
  }
  if (t.arc_n_ < 0 || t.arc_n_ > t.archive_cap(pop)) return Status::Corrupt;
  if (size != state_size(dims, pop, t.arc_n_, h)) return Status::Corrupt;
  if (dims > a.max_dims || pop > a.max_pop || t.arc_cap_ > a.max_pop) return Status::CapacityExceeded;
  for (int k = 0; k < kMaxMemory; ++k) t.mf_[k] = t.mcr_[k] = 0;
  for (int k = 0; k < h; ++k) t.mf_[k] = r.real<Real>();
  for (int k = 0; k < h; ++k) t.mcr_[k] = r.real<Real>();
  const uint8_t* rows = r.pos();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  if (!t.check(Base::common_cells(common_arrays, dims), saved_cells(rows, dims, pop)))
    return Status::Corrupt;

  // Valid: commit.
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

template <class Real>
typename DeCore<Real>::OwnCells DeCore<Real>::saved_cells(const uint8_t* rows, int dims, int pop) noexcept {
  const int row = 2 * dims + 4;
  const size_t r = sizeof(Real), nd = r * static_cast<size_t>(dims);
  return {Cells<Real>::saved(rows, row),
          Cells<Real>::saved(rows + nd, row),
          Cells<Real>::saved(rows + nd + r, row),
          Cells<Real>::saved(rows + 2 * nd + r, row),
          Cells<Real>::saved(rows + 2 * nd + 2 * r, row),
          Cells<Real>::saved(rows + 2 * nd + 3 * r, row),
          Cells<Real>::saved(rows + r * static_cast<size_t>(row) * static_cast<size_t>(pop), dims)};
}

template <class Real>
Status DeCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  const OwnCells c{Cells<Real>::live(a.x, a.stride), Cells<Real>::live(a.f, 1),
                   Cells<Real>::live(a.u, a.stride), Cells<Real>::live(a.fu, 1),
                   Cells<Real>::live(a.F, 1),        Cells<Real>::live(a.CR, 1),
                   Cells<Real>::live(a.arc, a.stride)};
  if (!check(Base::common_cells(box(a)), c)) return Status::Corrupt;
  // Unused memory entries stay 0 (load clears them).
  for (int k = cfg_.memory_size; k < kMaxMemory; ++k)
    if (!same_bits(mf_[k], Real(0)) || !same_bits(mcr_[k], Real(0))) return Status::Corrupt;
  return Status::Ok;
}

// The invariants, numbered as in de.hpp (De::check_invariants); C1..C8 are
// OptCore::check_common's. Scalars come from *this, arrays through the
// cells; every index is range-checked before it is used.
template <class Real>
bool DeCore<Real>::check(const typename Base::BoxCells& b, const OwnCells& c) const noexcept {
  constexpr Real kInf = std::numeric_limits<Real>::infinity();
  const int pop = pop_;
  const StopRules& rules = base_.rules();
  const bool running = !base_.done(), pending = base_.pending();
  const int iter = base_.iteration();
  const long evals = base_.evaluations();
  const StopReason stop = base_.stop_reason();
  const long mid = (stop == StopReason::Target || stop == StopReason::MaxEvals) ? 1 : 0;
  const GenCursor<Real>& gc = gen_;
  // D1 the config, the population, the archive and the memory index.
  if (validate(cfg_) != Status::Ok || cfg_.max_iter != rules.max_iter ||
      cfg_.max_evals != rules.max_evals || !same_bits(cfg_.target, rules.target) ||
      cfg_.stall_iter != rules.stall_iter)
    return false;
  if (pop < 4 || pop_init_ < pop || pop_init_ > (1 << 24) || arc_cap_ < 0) return false;
  {
    // The limit init set: min(round(rate·N0), capacity), so at most the first.
    DeCore u = *this;
    u.arc_cap_ = 1 << 30;
    if (arc_cap_ > u.archive_cap(pop_init_)) return false;
  }
  if (arc_n_ < 0 || arc_n_ > archive_cap(pop) || mem_k_ < 0 || mem_k_ >= cfg_.memory_size) return false;
  // D2 where the generation stands (as Pso's P3 and P9).
  if (gc.cursor < 0 || gc.cursor >= pop || gc.batch_n < 0 || gc.batch_n > pop - gc.cursor ||
      gc.batch_told < 0 ||
      (gc.batch_n > 0 && (gc.batch_told >= gc.batch_n || !running || pending ||
                          (rules.max_evals > 0 && gc.batch_n > rules.max_evals - evals))) ||
      (gc.batch_n == 0 && gc.batch_told != 0))
    return false;
  // D3 the population of this generation follows from the evaluations at its
  // start (a tell that stops on Target or MaxEvals does not advance the
  // cursor).
  const long at_start = evals - gc.cursor - mid;
  if (at_start < 0) return false;
  if (iter == 0 ? (pop != pop_init_ || at_start != 0)
                : (pop != target_population(at_start) || at_start < pop_init_))
    return false;
  if (!(cfg_.reduce_population && cfg_.max_evals > 0) && at_start != static_cast<long>(iter) * pop)
    return false;
  // C1..C8 (a generation has seen a tell once its cursor moved).
  if (!base_.check_common(b, {pending || gc.batch_n > 0, gc.cursor > 0 || mid != 0})) return false;
  // D4 the memories: M_F in (0, 1], M_CR in [0, 1] or −1 (terminal).
  for (int k = 0; k < cfg_.memory_size; ++k) {
    if (!(mf_[k] > 0 && mf_[k] <= 1)) return false;
    if (!((mcr_[k] >= 0 && mcr_[k] <= 1) || mcr_[k] == -1)) return false;
  }
  // D5 every individual, trial and archive row finite and in the box; every
  // F in (0, 1], CR in [0, 1].
  for (int i = 0; i < pop; ++i) {
    if (!base_.in_box(b, c.x, i) || !base_.in_box(b, c.u, i)) return false;
    if (!(c.F(i) > 0 && c.F(i) <= 1) || !(c.CR(i) >= 0 && c.CR(i) <= 1)) return false;
  }
  for (int i = 0; i < arc_n_; ++i)
    if (!base_.in_box(b, c.arc, i)) return false;
  // D6 costs: the population's never NaN or −inf, +inf at iteration 0, never
  // below the best value; the trials' told before the cursor (and the one
  // that stopped the run) likewise, NaN after it except the open batch's
  // told ones (any non-NaN); exactly `told` of the batch told. A finite best
  // value is a member's or a trial's told in this generation.
  const Real best = base_.best_value();
  bool holds = false;
  int told = 0;
  for (int i = 0; i < pop; ++i) {
    const Real f = c.f(i), fu = c.fu(i);
    if (!finite_or_inf(f) || f < best || (iter == 0 && f != kInf)) return false;
    if (f == best) holds = true;
    const bool before = i < gc.cursor + mid;
    const bool in_batch = i >= gc.cursor && i < gc.cursor + gc.batch_n;
    if (before) {
      if (!finite_or_inf(fu) || fu < best) return false;
      if (fu == best) holds = true;
    } else if (!(std::isnan(fu) || (in_batch && finite_or_inf(fu)))) {
      return false;
    }
    if (in_batch && !std::isnan(fu)) ++told;
  }
  if (told != gc.batch_told || (std::isfinite(best) && !holds)) return false;
  // D7 a start point with nothing evaluated is trial 0 and member 0.
  if (base_.has_start() && evals == 0 &&
      (!base_.same_as_best(b, c.u, 0) || !base_.same_as_best(b, c.x, 0)))
    return false;
  // D8 outstanding candidates (the pending one, the open batch) are what
  // the filters could have handed out.
  if (pending && !base_.candidate(b, c.u, gc.cursor)) return false;
  for (int k = 0; k < gc.batch_n; ++k)
    if (!base_.candidate(b, c.u, gc.cursor + k)) return false;
  return true;
}

template bool DeCore<float>::check(const OptCore<float>::BoxCells&, const OwnCells&) const noexcept;
template bool DeCore<double>::check(const OptCore<double>::BoxCells&, const OwnCells&) const noexcept;
template DeCore<float>::OwnCells DeCore<float>::saved_cells(const uint8_t*, int, int) noexcept;
template DeCore<double>::OwnCells DeCore<double>::saved_cells(const uint8_t*, int, int) noexcept;
template Status DeCore<float>::check_invariants(const Arrays&) const noexcept;
template Status DeCore<double>::check_invariants(const Arrays&) const noexcept;
template Status DeCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status DeCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status DeCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status DeCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
