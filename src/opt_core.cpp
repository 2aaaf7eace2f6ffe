// SPDX-License-Identifier: MIT
// src/opt_core.cpp: the shared optimizer core (detail/opt_core.hpp): stop rules,
// the safe-tuning envelope and the common section of every saved state.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/detail/opt_core.hpp"

#include "starling/crc32.hpp"

namespace starling {
namespace detail {

namespace {
// Clips x to the trust box of radius r (fraction of each range) around c,
// intersected with [lo, hi].
template <class Real>
void clip_trust(const typename OptCore<Real>::Box& b, int dims, Real r, const Real* c,
                Real* x) noexcept {
  for (int d = 0; d < dims; ++d) {
    const Real rad = r * (b.hi[d] - b.lo[d]);
    Real tlo = c[d] - rad, thi = c[d] + rad;
    if (tlo < b.lo[d]) tlo = b.lo[d];
    if (thi > b.hi[d]) thi = b.hi[d];
    if (x[d] < tlo) x[d] = tlo;
    if (x[d] > thi) x[d] = thi;
  }
}
}  // namespace

// The safe-tuning filters (trust clip, then predicate with re-draws, then the
// incumbent). False: no safe point exists at all.
template <class Real>
bool OptCore<Real>::make_safe(const Box& b, Real* x, int index) noexcept {
  const bool centred = evals_ > 0 || has_start_;  // b.best holds a trusted point
  const Real* c = b.best;
  // The start point, in candidate 0 of the first generation, is the caller's
  // (trusted, and the trust centre itself); anything else is filtered, even
  // there (a corrupted candidate 0 never passes unchecked).
  if (has_start_ && evals_ == 0 && index == 0) {
    bool is_start = true;
    for (int d = 0; d < dims_; ++d) is_start = is_start && same_bits(x[d], c[d]);
    if (is_start) return true;
  }
  const bool clip = trust_ > 0 && centred;
  const Real r = static_cast<Real>(trust_);
  if (clip) clip_trust(b, dims_, r, c, x);
  if (feasible_ == nullptr || feasible_(x, dims_, feasible_ctx_)) return true;
  ++infeasible_;
  for (int k = 0; k < max_tries_; ++k) {
    uint32_t w4[4] = {0, 0, 0, 0};
    if (centred) {
      // A random point on the segment from the centre to the last rejection.
      block(kTagFeasible, static_cast<uint32_t>(iter_), static_cast<uint32_t>(index),
            static_cast<uint32_t>(k), w4);
      const Real u = u32_to_unit<Real>(w4[0]);
      for (int d = 0; d < dims_; ++d) {
        Real y = c[d] + u * (x[d] - c[d]);
        if (y < b.lo[d]) y = b.lo[d];
        if (y > b.hi[d]) y = b.hi[d];
        x[d] = y;
      }
      if (clip) clip_trust(b, dims_, r, c, x);
    } else {
      // Nothing known yet: uniform in the box (iteration word 0xFFFFFFFF,
      // which no generation uses; try k in the candidate word).
      for (int d = 0; d < dims_; ++d) {
        if ((d & 1) == 0)
          block(kTagFeasible, 0xFFFFFFFFu, static_cast<uint32_t>(k), static_cast<uint32_t>(d) >> 1,
                w4);
        Real y = b.lo[d] + (b.hi[d] - b.lo[d]) * u32_to_unit<Real>(w4[(d & 1) * 2]);
        if (y > b.hi[d]) y = b.hi[d];
        x[d] = y;
      }
    }
    if (feasible_(x, dims_, feasible_ctx_)) return true;
    ++infeasible_;
  }
  if (!centred) return false;
  for (int d = 0; d < dims_; ++d) x[d] = c[d];
  ++fallback_;
  return true;
}

template <class Real>
Status OptCore<Real>::set_feasible(Feasible pred, void* ctx, int max_tries) noexcept {
  if (max_tries < 0 || max_tries > kMaxFeasibleTries) return Status::InvalidArgument;
  feasible_ = pred;
  feasible_ctx_ = ctx;
  max_tries_ = max_tries;
  update_safe_hook();
  return Status::Ok;
}

template <class Real>
Status OptCore<Real>::set_trust_radius(float fraction) noexcept {
  if (!std::isfinite(fraction) || fraction < 0.f || fraction > 1.f) return Status::InvalidArgument;
  trust_ = fraction == 0.f ? 0.f : fraction;  // −0 → +0
  update_safe_hook();
  return Status::Ok;
}

template <class Real>
Status OptCore<Real>::set_start(const Box& b, const Real* x) noexcept {
  if (state_ != State::Running || evals_ != 0 || pending_) return Status::NotReady;
  if (x == nullptr) return Status::InvalidArgument;
  for (int d = 0; d < dims_; ++d)
    if (!std::isfinite(x[d]) || x[d] < b.lo[d] || x[d] > b.hi[d]) return Status::InvalidArgument;
  for (int d = 0; d < dims_; ++d) b.best[d] = x[d];
  has_start_ = true;
  return Status::Ok;
}

// ---- saved state ------------------------------------------------------------

template <class Real>
void OptCore<Real>::write_header(StateWriter& w, const char magic[4], uint16_t version, int dims,
                                 int population) noexcept {
  for (int k = 0; k < 4; ++k) w.u8(static_cast<uint8_t>(magic[k]));
  w.u16(version);
  w.u8(sizeof(Real));
  w.u8(0);
  w.i32(dims);
  w.i32(population);
}

template <class Real>
Status OptCore<Real>::read_header(const uint8_t* buf, size_t size, const char magic[4],
                                  uint16_t version, uint32_t* dims, uint32_t* population) noexcept {
  if (size < kHeaderBytes + kCommonFixedBytes + kSealBytes) return Status::Corrupt;
  StateReader r(buf);
  for (int k = 0; k < 4; ++k)
    if (r.u8() != static_cast<uint8_t>(magic[k])) return Status::Corrupt;
  if (r.u16() != version || r.u8() != sizeof(Real) || r.u8() != 0) return Status::Corrupt;
  *dims = r.u32();
  *population = r.u32();
  StateReader tail(buf + size - kSealBytes);
  if (tail.u32() != 0 || tail.u32() != crc32(buf, size - 4)) return Status::Corrupt;
  return Status::Ok;
}

template <class Real>
void OptCore<Real>::seal(uint8_t* buf, size_t n) noexcept {
  StateWriter w(buf + n - kSealBytes);
  w.u32(0);
  w.u32(crc32(buf, n - 4));
}

template <class Real>
void OptCore<Real>::save_common(StateWriter& w, const Box& b) const noexcept {
  w.i32(rules_.max_iter);
  w.i64(rules_.max_evals);
  w.f32(rules_.target);
  w.i32(rules_.stall_iter);
  w.u64(seed_);
  w.u8(static_cast<uint32_t>(state_));
  w.u8(static_cast<uint32_t>(stop_));
  w.u8(pending_ ? 1u : 0u);
  w.u8(has_start_ ? 1u : 0u);
  w.i64(evals_);
  w.i32(iter_);
  w.i32(stall_);
  w.f32(trust_);
  w.f32(clip_);
  w.i32(max_tries_);
  w.i64(infeasible_);
  w.i64(fallback_);
  w.real(best_f_);
  w.real(gen_start_best_);
  w.reals(b.lo, dims_);
  w.reals(b.hi, dims_);
  w.reals(b.best, dims_);
}

namespace {
template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}
bool fits_long(int64_t v) noexcept { return v >= 0 && v <= std::numeric_limits<long>::max(); }
}  // namespace

template <class Real>
Status OptCore<Real>::load_common(StateReader& r, int dims, uint32_t stream) noexcept {
  rules_.max_iter = r.i32();
  const int64_t max_evals = r.i64();
  rules_.target = r.f32();
  rules_.stall_iter = r.i32();
  seed_ = r.u64();
  key_[0] = static_cast<uint32_t>(seed_);
  key_[1] = static_cast<uint32_t>(seed_ >> 32);
  key_[2] = stream;
  key_[3] = 0;
  dims_ = dims;
  const uint32_t state = r.u8(), stop = r.u8(), pending = r.u8(), has_start = r.u8();
  const int64_t evals = r.i64();
  iter_ = r.i32();
  stall_ = r.i32();
  trust_ = r.f32();
  clip_ = r.f32();
  max_tries_ = r.i32();
  const int64_t infeasible = r.i64(), fallback = r.i64();
  best_f_ = r.real<Real>();
  gen_start_best_ = r.real<Real>();
  r.skip(3 * sizeof(Real) * static_cast<size_t>(dims));
  // What the object cannot hold; every other rule is check_common's.
  if ((state != static_cast<uint32_t>(State::Running) &&
       state != static_cast<uint32_t>(State::Stopped)) ||
      stop > static_cast<uint32_t>(StopReason::Infeasible) || pending > 1 || has_start > 1 ||
      !fits_long(max_evals) || !fits_long(evals) || !fits_long(infeasible) || !fits_long(fallback))
    return Status::Corrupt;
  rules_.max_evals = static_cast<long>(max_evals);
  state_ = static_cast<State>(state);
  stop_ = static_cast<StopReason>(stop);
  pending_ = pending != 0;
  has_start_ = has_start != 0;
  evals_ = static_cast<long>(evals);
  infeasible_ = static_cast<long>(infeasible);
  fallback_ = static_cast<long>(fallback);
  return Status::Ok;
}

// ---- the state checks ---------------------------------------------------------

template <class Real>
bool OptCore<Real>::check_common(const BoxCells& b, const Progress& p) const noexcept {
  constexpr Real kInf = std::numeric_limits<Real>::infinity();
  const bool running = state_ == State::Running;
  const StopRules& r = rules_;
  // C1
  if (!valid_stop_rules(r) || dims_ < 1 || state_ == State::Uninit) return false;
  // C4 (first: C2 and C3 compare these)
  if (evals_ < 0 || iter_ < 0 || stall_ < 0 || stall_ > iter_ || iter_ > r.max_iter ||
      (r.max_evals > 0 && evals_ > r.max_evals) || infeasible_ < 0 || fallback_ < 0 ||
      fallback_ > infeasible_ || (evals_ == 0 && !has_start_ && fallback_ != 0))
    return false;
  // C6
  const Real target = static_cast<Real>(r.target);
  if (!finite_or_inf(best_f_) || !finite_or_inf(gen_start_best_) || gen_start_best_ < best_f_ ||
      (evals_ == 0 && best_f_ != kInf) || (iter_ == 0 && gen_start_best_ != kInf) ||
      (!p.told_this_generation && !same_bits(gen_start_best_, best_f_)))
    return false;
  // C2
  if (running != (stop_ == StopReason::None) || (pending_ && !running)) return false;
  if (running && (iter_ >= r.max_iter || (r.max_evals > 0 && evals_ >= r.max_evals) ||
                  (r.stall_iter > 0 && stall_ >= r.stall_iter)))
    return false;
  if ((best_f_ <= target) != (stop_ == StopReason::Target)) return false;
  // C3
  switch (stop_) {
    case StopReason::MaxIter:
      if (iter_ != r.max_iter) return false;
      break;
    case StopReason::MaxEvals:
      if (r.max_evals == 0 || evals_ != r.max_evals) return false;
      break;
    case StopReason::Stall:
      if (r.stall_iter == 0 || stall_ != r.stall_iter || iter_ >= r.max_iter) return false;
      break;
    case StopReason::Infeasible:
      if (evals_ != 0 || has_start_ || infeasible_ < 1) return false;
      break;
    case StopReason::None:
    case StopReason::Target:
      break;
  }
  if (r.stall_iter > 0 && stall_ > r.stall_iter) return false;
  // C5
  if (!std::isfinite(trust_) || trust_ < 0.f || trust_ > 1.f || std::signbit(trust_) ||
      max_tries_ < 0 || max_tries_ > kMaxFeasibleTries)
    return false;
  // C8
  const bool centred = evals_ > 0 || has_start_;
  if ((clip_ != 0.f) != p.outstanding || std::signbit(clip_) || std::isnan(clip_) ||
      (clip_ > 1.f && clip_ != std::numeric_limits<float>::infinity()) ||
      (clip_ <= 1.f && clip_ > 0.f && !centred))
    return false;
  // C7
  for (int d = 0; d < dims_; ++d) {
    const Real lo = b.lo[d], hi = b.hi[d], c = b.best[d];
    if (!valid_interval(lo, hi) || !(c >= lo && c <= hi)) return false;
    if (evals_ == 0 && !has_start_ && !same_bits(c, lo)) return false;
  }
  return true;
}

template <class Real>
bool OptCore<Real>::in_box(const BoxCells& b, const Cells<Real>& g, int i) const noexcept {
  for (int d = 0; d < dims_; ++d) {
    const Real v = g(i, d);
    if (!(v >= b.lo[d] && v <= b.hi[d])) return false;  // also false for NaN
  }
  return true;
}

template <class Real>
bool OptCore<Real>::candidate(const BoxCells& b, const Cells<Real>& g, int i) const noexcept {
  if (!in_box(b, g, i)) return false;
  if (!(clip_ <= 1.f)) return true;  // unclipped (+inf)
  // The trust box of make_safe's clip, computed with the same operations.
  const Real r = static_cast<Real>(clip_);
  for (int d = 0; d < dims_; ++d) {
    const Real lo = b.lo[d], hi = b.hi[d], c = b.best[d], v = g(i, d);
    const Real rad = r * (hi - lo);
    Real tlo = c - rad, thi = c + rad;
    if (tlo < lo) tlo = lo;
    if (thi > hi) thi = hi;
    if (!(v >= tlo && v <= thi)) return false;
  }
  return true;
}

template <class Real>
bool OptCore<Real>::same_as_best(const BoxCells& b, const Cells<Real>& g, int i) const noexcept {
  for (int d = 0; d < dims_; ++d)
    if (!same_bits(g(i, d), b.best[d])) return false;
  return true;
}

template <class Real>
void OptCore<Real>::load_arrays(const uint8_t* common_arrays, const Box& b, int dims) noexcept {
  StateReader r(common_arrays);
  r.reals(b.lo, dims);
  r.reals(b.hi, dims);
  r.reals(b.best, dims);
}

template class OptCore<float>;
template class OptCore<double>;

}  // namespace detail
}  // namespace starling
