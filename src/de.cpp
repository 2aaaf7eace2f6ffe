// SPDX-License-Identifier: MIT
// src/de.cpp: the size-erased core of De (L-SHADE): generations, selection,
// success-history memories, population reduction and the trials, for float
// and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/de.hpp"

#include <cmath>

#include "starling/detail/det_math.hpp"

namespace starling {

static_assert(detail::DeCore<float>::kMaxMemory == 16, "de_config_ok's memory_size limit");
Status validate(const DeConfig& c) noexcept {
  return detail::de_config_ok(c) ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

namespace {
// Counter word 3 of each kind of draw (key {seed, "DE01", 0}); counter
// {c0, c1, c2} = {k, individual, generation} unless said otherwise.
enum : uint32_t {
  kTagInit = 0,   // {dim/4, individual, 0}: the first generation, 24-bit uniforms
  kTagParam = 1,  // {0, i, g}: memory entry, CR's normal (words 1, 2), pbest rank
  kTagF = 2,      // {try, i, g}: F's Cauchy tries, words 0 and 1 (det_cauchy_disk)
  kTagPick = 3,   // {0, i, g}: r1, r2, j_rand, archive slot
  kTagCross = 4,  // {dim/8, i, g}: crossover uniforms, 16 bits each
};
constexpr int kMaxFTries = 16;
// The improvement weighting a success, capped so that sums stay finite (a
// parent of cost +inf improves by +inf).
constexpr float kMaxDelta = 1e30f;

template <class Real>
Real unit16(uint32_t h) noexcept {
  return static_cast<Real>(h) * static_cast<Real>(1.52587890625e-05);  // 2^-16
}
}  // namespace

// One block of this generation's draws for individual i (counter {c0, i,
// iteration, tag}): one call site of the generator instead of six.
template <class Real>
void DeCore<Real>::draw(uint32_t tag, int i, uint32_t c0, uint32_t w[4]) const noexcept {
  base_.block(tag, static_cast<uint32_t>(base_.iteration()), static_cast<uint32_t>(i), c0, w);
}

template <class Real>
int DeCore<Real>::archive_cap(int pop) const noexcept {
  // round(rate·N) in float, the same on every target.
  const int n = static_cast<int>(cfg_.archive_rate * static_cast<float>(pop) + 0.5f);
  return n < arc_cap_ ? n : arc_cap_;
}

// round(N0 + (Nmin − N0)·evals/max_evals) in integers (half up), never
// below Nmin.
template <class Real>
int DeCore<Real>::target_population(long evals) const noexcept {
  const int nmin = cfg_.min_population < pop_init_ ? cfg_.min_population : pop_init_;
  if (!cfg_.reduce_population || cfg_.max_evals <= 0) return pop_init_;
  if (evals >= cfg_.max_evals) return nmin;
  // cut = floor((2·span·evals + M)/(2·M)) = round half up of span·evals/M
  // (evals < M <= LONG_MAX, span < 2^24), by shift-and-add on the quotient
  // and the remainder (< M) in unsigned long: no sum exceeds 2·M, so nothing
  // overflows, and no double-width division is linked (on a 32-bit target
  // it would pull in libgcc's __udivmoddi4, about 700 B of flash).
  const unsigned long m = static_cast<unsigned long>(cfg_.max_evals), e = static_cast<unsigned long>(evals);
  const uint32_t span = static_cast<uint32_t>(pop_init_ - nmin);
  unsigned long q = 0, r = 0;
  for (int b = 24; b >= 0; --b) {
    q = 2 * q;  // (q, r) <- 2·(q, r)
    if (r >= m - r) {
      r = r - (m - r);
      ++q;
    } else {
      r = 2 * r;
    }
    if ((span >> b) & 1u) {  // (q, r) <- (q, r) + e
      if (r >= m - e) {
        r = r - (m - e);
        ++q;
      } else {
        r = r + e;
      }
    }
  }
  const unsigned long cut = q + (r >= m - r ? 1u : 0u);  // 2·r >= M: round up
  return pop_init_ - static_cast<int>(cut);
}

template <class Real>
Status DeCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims, int population,
                          const DeConfig& cfg, uint64_t seed, bool cfg_valid) noexcept {
  base_.reset();
  gen_.restart();  // a failed init answers as a fresh object (no batch, no population)
  pop_ = 0;
  if (lo == nullptr || hi == nullptr || dims < 1 || population < 4) return Status::InvalidArgument;
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  if (population > a.max_pop) return Status::CapacityExceeded;
  if (!cfg_valid) return Status::InvalidArgument;

  cfg_ = cfg;
  pop_ = pop_init_ = population;
  arc_n_ = 0;
  arc_cap_ = a.max_pop;
  arc_cap_ = archive_cap(population);
  mem_k_ = 0;
  for (int k = 0; k < kMaxMemory; ++k) {
    mf_[k] = k < cfg.memory_size ? Real(0.5) : Real(0);
    mcr_[k] = k < cfg.memory_size ? Real(0.5) : Real(0);
  }
  gen_.restart();
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  // The first generation: uniform in the box. The population rows start as
  // copies so that every stored row is a point of the box.
  for (int i = 0; i < pop_; ++i) {
    Real* u = a.u + i * a.stride;
    uint32_t w[4];
    for (int d = 0; d < dims; ++d) {
      if ((d & 3) == 0) draw(kTagInit, i, static_cast<uint32_t>(d) >> 2, w);
      Real v = a.lo[d] + (a.hi[d] - a.lo[d]) * u32_to_unit<Real>(w[d & 3]);
      if (v > a.hi[d]) v = a.hi[d];  // rounding when |lo| >> range
      u[d] = v;
      a.x[i * a.stride + d] = v;
    }
    a.f[i] = std::numeric_limits<Real>::infinity();
    a.fu[i] = std::numeric_limits<Real>::quiet_NaN();
    a.F[i] = Real(0.5);
    a.CR[i] = Real(0.5);
  }
  return Status::Ok;
}

template <class Real>
Status DeCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  if (gen_.batch_n > 0) return Status::NotReady;
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  for (int d = 0; d < base_.dims(); ++d) a.u[d] = a.x[d] = x[d];
  return Status::Ok;
}

template <class Real>
Status DeCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending() || gen_.batch_n > 0) return Status::NotReady;
  tell_one(a, Base::sanitize(cost));
  return Status::Ok;
}

template <class Real>
void DeCore<Real>::tell_one(const Arrays& a, Real f) noexcept {
  base_.set_pending(false);
  const int i = gen_.cursor;
  a.fu[i] = f;
  if (!base_.record(box(a), a.u + i * a.stride, f)) return;
  if (++gen_.cursor == pop_) end_generation(a);
}

template <class Real>
void DeCore<Real>::end_generation(const Arrays& a) noexcept {
  gen_.cursor = 0;
  select(a);
  // The next generation is made even when this one ended the run, so that a
  // saved state always holds a consistent generation.
  (void)base_.end_generation();
  reduce(a);
  make_trials(a);
}

// Each trial against its parent, in index order: not worse replaces it;
// strictly better is a success (its F and CR enter the memory update
// weighted by the improvement, the parent enters the archive). Generation 0
// goes through here too: every member's cost is +inf there, so each trial
// replaces its member, and nothing counts as a success.
template <class Real>
void DeCore<Real>::select(const Arrays& a) noexcept {
  const int dims = base_.dims();
  const uint32_t g = static_cast<uint32_t>(base_.iteration());
  const int cap = archive_cap(pop_);
  Real sf = 0, sf2 = 0, scr = 0, scr2 = 0, max_cr = 0;
  int wins = 0;
  for (int i = 0; i < pop_; ++i) {
    const Real fu = a.fu[i], fx = a.f[i];
    if (!(fu <= fx)) continue;
    Real* x = a.x + i * a.stride;
    if (fu < fx && g != 0) {
      Real delta = fx - fu;
      if (!(delta <= static_cast<Real>(kMaxDelta))) delta = static_cast<Real>(kMaxDelta);
      const Real F = a.F[i], CR = a.CR[i];
      sf = sf + delta * F;
      sf2 = sf2 + (delta * F) * F;
      scr = scr + delta * CR;
      scr2 = scr2 + (delta * CR) * CR;
      if (CR > max_cr) max_cr = CR;
      ++wins;
      if (cap > 0) {
        int slot = arc_n_;
        if (arc_n_ < cap) {
          ++arc_n_;
        } else {
          uint32_t w[4];
          draw(kTagPick, i, 0, w);
          slot = static_cast<int>(det_below(w[3], static_cast<uint32_t>(arc_n_)));
        }
        Real* r = a.arc + slot * a.stride;
        for (int d = 0; d < dims; ++d) r[d] = x[d];
      }
    }
    const Real* u = a.u + i * a.stride;
    for (int d = 0; d < dims; ++d) x[d] = u[d];
    a.f[i] = fu;
  }
  if (wins == 0) return;
  // Lehmer means Σ Δ·v² / Σ Δ·v (sums that underflowed to 0 leave the entry).
  if (sf > 0) mf_[mem_k_] = sf2 / sf;
  if (mcr_[mem_k_] < 0 || max_cr == 0) {
    mcr_[mem_k_] = -1;  // terminal: CR = 0 from now on for this entry
  } else if (scr > 0) {
    mcr_[mem_k_] = scr2 / scr;
  }
  if (++mem_k_ == cfg_.memory_size) mem_k_ = 0;
}

// L-SHADE: drop the worst individuals down to the target size (ties: the
// later index goes first), keeping the others in index order; the archive
// shrinks with the population (its last entries go).
template <class Real>
void DeCore<Real>::reduce(const Arrays& a) noexcept {
  const int target = target_population(base_.evaluations());
  if (target < pop_) {
    const int dims = base_.dims();
    for (int cut = pop_ - target; cut > 0; --cut) {
      int worst = 0;
      for (int i = 1; i < pop_; ++i)
        if (!(a.f[i] < a.f[worst])) worst = i;
      for (int i = worst; i + 1 < pop_; ++i) {
        Real* dst = a.x + i * a.stride;
        const Real* src = dst + a.stride;
        for (int d = 0; d < dims; ++d) dst[d] = src[d];
        a.f[i] = a.f[i + 1];
      }
      --pop_;
    }
  }
  const int cap = archive_cap(pop_);
  if (arc_n_ > cap) arc_n_ = cap;
}

// The next generation's trials, all at once from the population as it
// stands (so they are independent of the order their costs come back in).
template <class Real>
void DeCore<Real>::make_trials(const Arrays& a) noexcept {
  const int n = pop_, dims = base_.dims();
  // The population by cost, ties by index (insertion sort: stable).
  for (int i = 0; i < n; ++i) {
    int j = i;
    while (j > 0 && a.f[i] < a.f[a.order[j - 1]]) {
      a.order[j] = a.order[j - 1];
      --j;
    }
    a.order[j] = i;
  }
  int top = static_cast<int>(cfg_.p_best * static_cast<float>(n) + 0.5f);
  if (top < 2) top = 2;
  if (top > n) top = n;
  const uint32_t pool = static_cast<uint32_t>(n + arc_n_ - 2);
  for (int i = 0; i < n; ++i) {
    uint32_t w[4];
    draw(kTagParam, i, 0, w);
    const int r = static_cast<int>(det_below(w[0], static_cast<uint32_t>(cfg_.memory_size)));
    const Real mf = mf_[r], mcr = mcr_[r];
    Real CR = 0;
    if (mcr >= 0) {
      CR = mcr + Real(0.1) * det_normal_ih4<Real>(w[1], w[2]);
      if (CR < 0) CR = 0;
      if (CR > 1) CR = 1;
    }
    const int pb = a.order[det_below(w[3], static_cast<uint32_t>(top))];
    Real F = mf;
    uint32_t fw[4];
    for (int k = 0; k < kMaxFTries; ++k) {
      draw(kTagF, i, static_cast<uint32_t>(k), fw);
      Real c;
      if (!det_cauchy_disk(fw[0], fw[1], &c)) continue;
      const Real t = mf + Real(0.1) * c;
      if (t > 0) {
        F = t;
        break;
      }
    }
    if (F > 1) F = 1;
    a.F[i] = F;
    a.CR[i] = CR;
    draw(kTagPick, i, 0, w);
    int r1 = static_cast<int>(det_below(w[0], static_cast<uint32_t>(n - 1)));
    if (r1 >= i) ++r1;
    int r2 = static_cast<int>(det_below(w[1], pool));
    const int ex_lo = r1 < i ? r1 : i, ex_hi = r1 < i ? i : r1;
    if (r2 >= ex_lo) ++r2;
    if (r2 >= ex_hi) ++r2;
    const int jr = static_cast<int>(det_below(w[2], static_cast<uint32_t>(dims)));
    const Real* x = a.x + i * a.stride;
    const Real* xp = a.x + pb * a.stride;
    const Real* x1 = a.x + r1 * a.stride;
    const Real* x2 = r2 < n ? a.x + r2 * a.stride : a.arc + (r2 - n) * a.stride;
    Real* u = a.u + i * a.stride;
    uint32_t cw[4];
    for (int d = 0; d < dims; ++d) {
      if ((d & 7) == 0) draw(kTagCross, i, static_cast<uint32_t>(d) >> 3, cw);
      const uint32_t word = cw[(d >> 1) & 3];
      const Real cu = unit16<Real>((d & 1) == 0 ? word >> 16 : word & 0xFFFFu);
      Real v = x[d];
      if (cu < CR || d == jr) {
        v = (x[d] + F * (xp[d] - x[d])) + F * (x1[d] - x2[d]);
        const Real lo = a.lo[d], hi = a.hi[d];
        if (v < lo) v = lo + (x[d] - lo) * Real(0.5);
        else if (v > hi) v = hi - (hi - x[d]) * Real(0.5);
        if (!(v >= lo)) v = lo;  // rounding (and NaN, which cannot occur) stays inside
        if (v > hi) v = hi;
      }
      u[d] = v;
    }
    a.fu[i] = std::numeric_limits<Real>::quiet_NaN();
  }
}

template class DeCore<float>;
template class DeCore<double>;

}  // namespace detail
}  // namespace starling
