// SPDX-License-Identifier: MIT
// src/anneal.cpp: the size-erased generalized simulated annealing core
// (starling/anneal.hpp) over the family's OptCore: temperature schedule,
// heavy-tailed visits from a point uniform in the unit disk (no logarithm or
// power), the generalized acceptance, re-annealing and the Hooke-Jeeves
// local phase; float and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/anneal.hpp"

#include <cmath>


namespace starling {


Status validate(const AnnealConfig& c) noexcept {
  return detail::anneal_config_ok(c) ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

namespace {

constexpr double kMinLocalStep = 9.5367431640625e-07;  // 2^-20
constexpr double kMaxVisit = 16777216.0;               // 2^24 ranges
constexpr int kDiskTries = 16;

}  // namespace

// T_i = T0/(i + 1), T_step = T_i/(i + 1) and σ_i = T_step/(i + 1) for
// level i.
template <class Real>
void AnnealCore<Real>::set_level(int level) noexcept {
  level_ = level;
  const Real i1 = static_cast<Real>(level) + 1;
  temp_ = static_cast<Real>(cfg_.initial_temp) / i1;
  tstep_ = temp_ / i1;
  sigma_ = tstep_ / i1;
}

template <class Real>
Status AnnealCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims,
                              int population, const AnnealConfig& cfg, uint64_t seed,
                              bool cfg_valid) noexcept {
  base_.reset();
  if (lo == nullptr || hi == nullptr || dims < 1 || population != 0) return Status::InvalidArgument;
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  if (!cfg_valid) return Status::InvalidArgument;
  cfg_ = cfg;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  set_level(0);
  phase_ = Phase::Start;
  improved_ = ls_pattern_ = ls_at_base_ = false;
  j_ = trial_ = reanneals_ = 0;
  ls_dir_ = ls_used_ = 0;
  ls_step_ = static_cast<Real>(cfg.local_step);
  ls_base_f_ = std::numeric_limits<Real>::infinity();
  cur_f_ = std::numeric_limits<Real>::infinity();
  uniform_point(a);
  for (int d = 0; d < dims; ++d) a.x[d] = a.base[d] = a.current[d];
  return Status::Ok;
}

// A uniform point of generation L = iteration() into a.current.
template <class Real>
void AnnealCore<Real>::uniform_point(const Arrays& a) const noexcept {
  uint32_t w4[4] = {0, 0, 0, 0};
  const uint32_t gen = static_cast<uint32_t>(base_.iteration());
  for (int d = 0; d < base_.dims(); ++d) {
    if ((d & 3) == 0) base_.block(kTagStart, gen, 0, static_cast<uint32_t>(d) >> 2, w4);
    Real x = a.lo[d] + (a.hi[d] - a.lo[d]) * u32_to_unit<Real>(w4[d & 3]);
    if (x > a.hi[d]) x = a.hi[d];
    a.current[d] = x;
  }
}

template <class Real>
Status AnnealCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  for (int d = 0; d < base_.dims(); ++d) a.current[d] = a.x[d] = x[d];
  return Status::Ok;
}

// The move of coordinate d in visit j (a fraction of the range): σ_i·v1/v2⁴
// for (v1, v2) uniform in the unit disk.
template <class Real>
Real AnnealCore<Real>::visit_step(uint32_t j, int d) const noexcept {
  const uint32_t gen = static_cast<uint32_t>(base_.iteration());
  uint32_t w4[4];
  for (int k = 0; k < kDiskTries; ++k) {
    base_.block(kTagVisit, gen, j, (static_cast<uint32_t>(d) << 4) | static_cast<uint32_t>(k), w4);
    // det_cauchy_disk's v1, v2: odd multiples of 2^-24 in (−1, 1), exact.
    const Real v1 = static_cast<Real>(w4[0] >> 8) * Real(1.1920928955078125e-07) + Real(-0.999999940395355224609375);
    const Real v2 = static_cast<Real>(w4[1] >> 8) * Real(1.1920928955078125e-07) + Real(-0.999999940395355224609375);
    const Real s = v2 * v2;
    if (!(v1 * v1 + s < 1)) continue;
    // v2⁴ >= 2^-96: normal, and the quotient is finite.
    const Real v = (sigma_ * v1) / (s * s);
    const Real lim = static_cast<Real>(kMaxVisit);
    return v < lim && v > -lim ? v : u32_to_unit<Real>(w4[2]);
  }
  return 0;  // sixteen tries outside the disk: the coordinate stays
}

// Visit j_ from the current point, which ask() copied into a.x: every
// coordinate (j < D) or coordinate j − D, wrapped around the box.
template <class Real>
void AnnealCore<Real>::visit(const Arrays& a) const noexcept {
  const int n = base_.dims();
  const int first = j_ < n ? 0 : j_ - n, last = j_ < n ? n : j_ - n + 1;
  for (int d = first; d < last; ++d) {
    const Real range = a.hi[d] - a.lo[d];
    const Real v = visit_step(static_cast<uint32_t>(j_), d);
    Real w = (a.current[d] - a.lo[d]) / range + v;
    // w − floor(w), with floor as det_floor computes it below 2^31: |w| <
    // 2^24 + 1 (visit_step's limit), so the conversion is exact and defined.
    Real fl = static_cast<Real>(static_cast<int32_t>(w));
    if (fl > w) fl = fl - 1;
    w = w - fl;
    Real x = a.lo[d] + w * range;
    if (x < a.lo[d]) x = a.lo[d];
    if (x > a.hi[d]) x = a.hi[d];
    a.x[d] = x;
  }
}

// r^m < 1 − m·ΔE/T_step, m = 1 − q_a (a whole number in [1, 10001]): the
// event r < p of the generalized acceptance without a power function. r^m by
// square-and-multiply over m's bits from the lowest. Whatever underflows does
// so below 2^-24 <= the bracket, so the answer is the same with or without
// subnormals.
template <class Real>
bool AnnealCore<Real>::accept(Real f, uint32_t j) const noexcept {
  uint32_t w4[4];
  base_.block(kTagAccept, static_cast<uint32_t>(base_.iteration()), j, 0, w4);
  Real b = u32_to_unit<Real>(w4[0]);
  const Real qa1 = Real(1) - static_cast<Real>(cfg_.accept);
  const Real pt = Real(1) - qa1 * (f - cur_f_) / tstep_;
  if (!(pt > 0)) return false;  // NaN too (both costs +inf)
  Real y = 1;
  for (uint32_t m = static_cast<uint32_t>(qa1);; b = b * b) {
    if ((m & 1u) != 0) y = y * b;
    m >>= 1;
    if (m == 0) break;
  }
  return y < pt;
}

template <class Real>
const Real* AnnealCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running()) return nullptr;
  if (!base_.pending()) {
    // Every candidate starts as the current point: the start itself, a
    // visit from it, or the local phase's probe (or pattern point).
    for (int d = 0; d < base_.dims(); ++d) a.x[d] = a.current[d];
    if (phase_ == Phase::Chain) {
      visit(a);
    } else if (phase_ == Phase::Local && !ls_pattern_) {
      a.x[ls_dir_ >> 1] = probe(a);
    }
    if (!base_.filter(box(a), a.x, trial_)) return nullptr;
    base_.set_pending(true);
  }
  return a.x;
}

template <class Real>
Status AnnealCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending()) return Status::NotReady;
  base_.set_pending(false);
  const Real f = Base::sanitize(cost);
  const Real before = base_.best_value();
  if (!base_.record(box(a), a.x, f)) return Status::Ok;
  ++trial_;
  const int n = base_.dims();
  // Whether x becomes the current point (one copy for every phase), then
  // what follows in the phase.
  bool take;
  switch (phase_) {
    case Phase::Start:
      take = true;
      break;
    case Phase::Chain:
      if (f < before) improved_ = true;
      take = f < cur_f_ || accept(f, static_cast<uint32_t>(j_));
      break;
    default:  // Phase::Local
      ++ls_used_;
      take = !ls_pattern_ && f < cur_f_;
      if (ls_pattern_) {
        // The pattern point: explore around it, whatever its cost.
        cur_f_ = f;
        ls_pattern_ = ls_at_base_ = false;
        ls_dir_ = 0;
      } else {
        // Better: this coordinate is done, the next one's +; else the next probe.
        ls_dir_ = take ? (ls_dir_ | 1) + 1 : ls_dir_ + 1;
      }
      break;
  }
  if (take) {
    for (int d = 0; d < n; ++d) a.current[d] = a.x[d];
    cur_f_ = f;
  }
  switch (phase_) {
    case Phase::Start:
      phase_ = Phase::Chain;
      j_ = 0;
      break;
    case Phase::Chain:
      if (++j_ == 2 * n) end_chain(a);
      break;
    default:
      if (!local_next(a)) end_level(a);
      break;
  }
  return Status::Ok;
}

// The current point (and `also`, which may be it) := the incumbent; returns
// its cost, the new cur_f_. One copy of the loop for the three places.
template <class Real>
Real AnnealCore<Real>::to_best(const Arrays& a, Real* also) noexcept {
  for (int d = 0; d < base_.dims(); ++d) a.current[d] = also[d] = a.best[d];
  return cur_f_ = base_.best_value();
}

template <class Real>
void AnnealCore<Real>::end_chain(const Arrays& a) noexcept {
  if (cfg_.local_sweeps > 0 && (improved_ || level_ == 0)) {
    phase_ = Phase::Local;
    ls_used_ = 0;
    const Real cap = static_cast<Real>(cfg_.local_step);
    ls_step_ = ls_step_ + ls_step_;
    if (ls_step_ > cap) ls_step_ = cap;
    // The base and the probe: the incumbent.
    ls_base_f_ = to_best(a, a.base);
    ls_pattern_ = false;
    ls_at_base_ = true;
    ls_dir_ = 0;
    if (local_next(a)) return;
  }
  end_level(a);
}

// The probe's coordinate d = ls_dir_/2 moved by +h (even) or −h (odd),
// clamped to the box.
template <class Real>
Real AnnealCore<Real>::probe(const Arrays& a) const noexcept {
  const int d = ls_dir_ >> 1;
  const Real h = ls_step_ * (a.hi[d] - a.lo[d]);
  Real y = (ls_dir_ & 1) != 0 ? a.current[d] - h : a.current[d] + h;
  if (y < a.lo[d]) y = a.lo[d];
  if (y > a.hi[d]) y = a.hi[d];
  return y;
}

// Advances to the next candidate of the local phase (a move the bound
// cancels is skipped without evaluating; a finished sweep ends in a pattern
// move, a return to the base, or a halved step); false when the phase is
// over.
template <class Real>
bool AnnealCore<Real>::local_next(const Arrays& a) noexcept {
  const int n = base_.dims();
  for (;;) {
    if (ls_used_ >= 2 * n * cfg_.local_sweeps || ls_step_ < static_cast<Real>(kMinLocalStep)) return false;
    if (ls_pattern_) return true;
    if (ls_dir_ < 2 * n) {
      if (probe(a) != a.current[ls_dir_ >> 1]) return true;
      ++ls_dir_;
      continue;
    }
    const Real best_f = base_.best_value();
    if (best_f < ls_base_f_) {
      // The base improved: pattern move to best + (best − base).
      for (int d = 0; d < n; ++d) {
        Real y = a.best[d] + (a.best[d] - a.base[d]);
        if (y < a.lo[d]) y = a.lo[d];
        if (y > a.hi[d]) y = a.hi[d];
        a.current[d] = y;
        a.base[d] = a.best[d];
      }
      ls_base_f_ = best_f;
      cur_f_ = std::numeric_limits<Real>::infinity();
      ls_pattern_ = true;
      continue;
    }
    if (!ls_at_base_) {
      // Exploring around the pattern point found nothing: back to the base.
      (void)to_best(a, a.current);
      ls_at_base_ = true;
    } else {
      ls_step_ = ls_step_ * Real(0.5);
    }
    ls_dir_ = 0;
  }
}

template <class Real>
void AnnealCore<Real>::end_level(const Arrays& a) noexcept {
  if (phase_ == Phase::Local) {
    // The chain goes on from the incumbent after a local phase.
    (void)to_best(a, a.current);
  }
  // The next level's state, also when the run stops here.
  phase_ = Phase::Chain;
  improved_ = ls_pattern_ = ls_at_base_ = false;
  ls_dir_ = ls_used_ = 0;
  j_ = 0;
  trial_ = 0;
  set_level(level_ + 1);
  if (!base_.end_generation()) return;
  if (temp_ < static_cast<Real>(cfg_.initial_temp) * static_cast<Real>(cfg_.restart_temp_ratio)) {
    // Re-anneal: back to T0 from a fresh uniform point (the best is kept).
    ++reanneals_;
    set_level(0);
    phase_ = Phase::Start;
    ls_step_ = static_cast<Real>(cfg_.local_step);
    cur_f_ = std::numeric_limits<Real>::infinity();
    uniform_point(a);
  }
}

template class AnnealCore<float>;
template class AnnealCore<double>;

}  // namespace detail
}  // namespace starling
