// SPDX-License-Identifier: MIT
// src/pso_state.cpp: save and load of the swarm's whole state (format version
// 4, documented in starling/pso.hpp at Pso::save) over the family's shared
// header, common section and seal (detail/opt_core.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cmath>
#include <cstring>
#include <limits>

#include "starling/pso.hpp"

namespace starling {
namespace detail {

namespace {

constexpr char kMagic[4] = {'S', 'P', 'S', 'O'};
// 2: the move's r1, r2 at 16 bits, four dimensions per block (move_r1).
// 3: the family's layout, topologies, restarts and batches.
// 4: restart_rehits and its count.
// 5: local_stall (where 4 reserved bytes were) and the local search's state.
// An earlier state would not continue the same way, so it is refused.
constexpr uint16_t kVersion = 5;

}  // namespace

template <class Real>
Status PsoCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const
    noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const int dims = base_.dims();
  const size_t n = state_size(dims, particles_);
  if (cap < n) return Status::CapacityExceeded;
  StateWriter w(buf);
  Base::write_header(w, kMagic, kVersion, dims, particles_);
  w.u8(static_cast<uint32_t>(cfg_.variant));
  w.u8(static_cast<uint32_t>(cfg_.boundary));
  w.u8(static_cast<uint32_t>(cfg_.topology));
  w.u8((cfg_.bias_correction ? 1u : 0u) | (cfg_.random_per_particle ? 2u : 0u));
  w.f32(cfg_.w);
  w.f32(cfg_.c1);
  w.f32(cfg_.c2);
  w.f32(cfg_.beta);
  w.f32(cfg_.v_max);
  w.f32(cfg_.w_end);
  w.i32(cfg_.neighbors);
  w.i32(cfg_.restart_stall);
  w.f32(cfg_.restart_radius);
  w.f32(cfg_.stall_tol);
  w.i32(cfg_.restart_rehits);
  w.i32(cfg_.local_stall);
  base_.save_common(w, box(a));
  w.i32(cursor_);
  w.i32(sbest_);
  w.i32(swarm_stall_);
  w.i32(rehits_);
  w.i32(restarts_);
  w.i32(batch_n_);
  w.i32(batch_told_);
  w.u32(link_epoch_);
  w.i32(ls_tau_);
  w.i32(ls_fails_);
  w.real(beta_pow_);
  w.real(swarm_start_best_);
  w.real(ls_rho_);
  w.real(ls_ref_);
  for (int i = 0; i < particles_; ++i) {
    const Real* rows[4] = {a.x + i * a.stride, a.v + i * a.stride, a.m + i * a.stride,
                           a.pbest + i * a.stride};
    for (const Real* r : rows) w.reals(r, dims);
    w.real(a.pbest_f[i]);
    w.real(a.cost[i]);
  }
  Base::seal(buf, n);
  if (written != nullptr) *written = n;
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  uint32_t ud = 0, un = 0;
  if (Base::read_header(buf, size, kMagic, kVersion, &ud, &un) != Status::Ok) return Status::Corrupt;
  // Capacities of Pso<> are at most 2^24 cells, so larger counts are corrupt.
  if (ud < 1 || un < 2 || static_cast<uint64_t>(ud) * un > (1u << 24)) return Status::Corrupt;
  const int dims = static_cast<int>(ud), particles = static_cast<int>(un);
  if (size != state_size(dims, particles)) return Status::Corrupt;
  if (dims > a.max_dims || particles > a.max_particles) return Status::CapacityExceeded;

  // Decode into a copy of the core (the arrays stay in the buffer), check the
  // copy with the buffer's arrays, and only then commit: on failure *this
  // and the arrays stay as they were, byte for byte.
  PsoCore t = *this;
  StateReader r(buf + Base::kHeaderBytes);
  const uint32_t variant = r.u8(), boundary = r.u8(), topology = r.u8(), flags = r.u8();
  if (variant > 3 || boundary > 2 || topology > 3 || (flags & ~3u) != 0) return Status::Corrupt;
  t.cfg_.variant = static_cast<Variant>(variant);
  t.cfg_.boundary = static_cast<Boundary>(boundary);
  t.cfg_.topology = static_cast<Topology>(topology);
  t.cfg_.bias_correction = (flags & 1u) != 0;
  t.cfg_.random_per_particle = (flags & 2u) != 0;
  t.cfg_.w = r.f32();
  t.cfg_.c1 = r.f32();
  t.cfg_.c2 = r.f32();
  t.cfg_.beta = r.f32();
  t.cfg_.v_max = r.f32();
  t.cfg_.w_end = r.f32();
  t.cfg_.neighbors = r.i32();
  t.cfg_.restart_stall = r.i32();
  t.cfg_.restart_radius = r.f32();
  t.cfg_.stall_tol = r.f32();
  t.cfg_.restart_rehits = r.i32();
  t.cfg_.local_stall = r.i32();
  const uint8_t* common = r.pos();
  const Status cst = t.base_.load_common(r, dims, kStream);
  if (cst != Status::Ok) return cst;
  const StopRules& rules = t.base_.rules();
  t.cfg_.max_iter = rules.max_iter;
  t.cfg_.max_evals = rules.max_evals;
  t.cfg_.target = rules.target;
  t.cfg_.stall_iter = rules.stall_iter;
  t.particles_ = particles;
  t.cursor_ = r.i32();
  t.sbest_ = r.i32();
  t.swarm_stall_ = r.i32();
  t.rehits_ = r.i32();
  t.restarts_ = r.i32();
  t.batch_n_ = r.i32();
  t.batch_told_ = r.i32();
  t.link_epoch_ = r.u32();
  t.ls_tau_ = r.i32();
  t.ls_fails_ = r.i32();
  t.beta_pow_ = r.real<Real>();
  t.swarm_start_best_ = r.real<Real>();
  t.ls_rho_ = r.real<Real>();
  t.ls_ref_ = r.real<Real>();
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* rows = r.pos();
  if (!t.check(Base::common_cells(common_arrays, dims), saved_cells(rows, dims)))
    return Status::Corrupt;

  // Valid: commit.
  *this = t;
  hooks_ = hooks_for(cfg_);
  base_.refresh_hook();
  Base::load_arrays(common_arrays, box(a), dims);
  for (int d = 0; d < dims; ++d) a.vmax[d] = static_cast<Real>(cfg_.v_max) * (a.hi[d] - a.lo[d]);
  StateReader pr(rows);
  for (int i = 0; i < particles; ++i) {
    Real* prow[4] = {a.x + i * a.stride, a.v + i * a.stride, a.m + i * a.stride,
                     a.pbest + i * a.stride};
    for (Real* row : prow) pr.reals(row, dims);
    pr.real(&a.pbest_f[i]);
    pr.real(&a.cost[i]);
  }
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::check_invariants(const Arrays& a) const noexcept {
  if (!base_.ready()) return Status::NotReady;
  const SwarmCells s{Cells<Real>::live(a.x, a.stride),     Cells<Real>::live(a.v, a.stride),
                     Cells<Real>::live(a.m, a.stride),     Cells<Real>::live(a.pbest, a.stride),
                     Cells<Real>::live(a.pbest_f, 1),      Cells<Real>::live(a.cost, 1)};
  if (!check(Base::common_cells(box(a)), s)) return Status::Corrupt;
  // The one derived array: the velocity limits.
  for (int d = 0; d < base_.dims(); ++d)
    if (!same_bits(a.vmax[d], static_cast<Real>(cfg_.v_max) * (a.hi[d] - a.lo[d])))
      return Status::Corrupt;
  return Status::Ok;
}

// The invariants, numbered as in pso.hpp (Pso::check_invariants); C1..C8 are
// OptCore::check_common's. Scalars come from *this, arrays through the cells;
// every index is range-checked before it is used, so any decoded state is
// safe to check.
template <class Real>
bool PsoCore<Real>::check(const typename Base::BoxCells& b, const SwarmCells& s) const noexcept {
  constexpr Real kInf = std::numeric_limits<Real>::infinity();
  const int n = particles_, dims = base_.dims();
  const long evals = base_.evaluations();
  const int iter = base_.iteration();
  const bool running = !base_.done(), pending = base_.pending();
  const StopReason stop = base_.stop_reason();
  const bool mid_stop = stop == StopReason::Target || stop == StopReason::MaxEvals;
  const bool sweep_end_stop = stop == StopReason::MaxIter || stop == StopReason::Stall;
  const StopRules& rules = base_.rules();
  const Real best = base_.best_value();

  // P1 the config and the swarm's size.
  if (n < 2 || validate(cfg_) != Status::Ok ||
      (cfg_.topology == Topology::Ring && cfg_.neighbors >= n) ||
      cfg_.max_iter != rules.max_iter || cfg_.max_evals != rules.max_evals ||
      !same_bits(cfg_.target, rules.target) || cfg_.stall_iter != rules.stall_iter)
    return false;
  // P3 where the sweep stands.
  if (cursor_ < 0 || cursor_ >= n ||
      evals != static_cast<int64_t>(iter) * n + cursor_ + (mid_stop ? 1 : 0) ||
      (!running && !mid_stop && cursor_ != 0))
    return false;
  // P9 (counts) the open batch.
  if (batch_n_ < 0 || batch_n_ > n - cursor_ || batch_told_ < 0 ||
      (batch_n_ == 0 && batch_told_ != 0) ||
      (batch_n_ > 0 && (batch_told_ >= batch_n_ || !running || pending ||
                        (rules.max_evals > 0 && batch_n_ > rules.max_evals - evals))))
    return false;
  const bool told_this_sweep = cursor_ > 0 || mid_stop;
  if (!base_.check_common(b, {pending || batch_n_ > 0, told_this_sweep})) return false;

  // P10 restarts, P11 topology links, P12 the bias correction's beta^t.
  // With stall_tol 0 the swarm improves exactly when the incumbent does
  // (until a restart forgets it); with stall_tol > 0 a small improvement of
  // the incumbent is none for the swarm, and only a restart lets the swarm
  // improve without the incumbent.
  const int rs = cfg_.restart_stall;
  const bool strict_stall = cfg_.stall_tol == 0.f;
  if (restarts_ < 0 || swarm_stall_ < 0 || (rs == 0 && restarts_ != 0) ||
      static_cast<int64_t>(restarts_) * rs + swarm_stall_ > iter ||
      rehits_ < 0 || rehits_ > cfg_.restart_rehits ||
      (rs > 0 && (cfg_.restart_rehits == 0 ? (running ? swarm_stall_ >= rs : swarm_stall_ > rs)
                                           : running && !told_this_sweep && swarm_stall_ >= rs &&
                                                 rehits_ >= cfg_.restart_rehits)) ||
      (strict_stall && swarm_stall_ > base_.stall()) ||
      (strict_stall && restarts_ == 0 &&
       (swarm_stall_ != base_.stall() ||
        !same_bits(swarm_start_best_, base_.generation_start_best()))) ||
      (!strict_stall && restarts_ == 0 && base_.stall() > swarm_stall_))
    return false;
  // With stall_tol > 0 and no restart yet, the swarm's reference best R is a
  // past best of the swarm (so >= the best at this sweep's start, G), and the
  // last sweep end found no improvement past its margin (G >= R − tol·|R|,
  // computed as end_sweep does): else the swarm could "improve" later while
  // the incumbent does not, and the stall counts above would part.
  if (!strict_stall && restarts_ == 0 && iter > 0) {
    const Real ref = swarm_start_best_, g = base_.generation_start_best();
    if (ref < g || g < ref - stall_margin(ref)) return false;
  }
  if (cfg_.topology != Topology::Random
          ? link_epoch_ != 0
          : static_cast<int64_t>(link_epoch_) + restarts_ > iter - (sweep_end_stop ? 1 : 0))
    return false;
  const bool fresh = iter == 0 || sbest_ == -1;  // no move since the swarm was (re)seeded
  const int moves = iter - (sweep_end_stop ? 1 : 0);  // a stopping sweep does not move
  if (!std::isfinite(beta_pow_) || beta_pow_ < 0 || beta_pow_ > 1 || (fresh && beta_pow_ != 1) ||
      (restarts_ == 0 && moves > 0 && beta_pow_ > static_cast<Real>(cfg_.beta)))
    return false;

  // P14 the local search (PsoConfig::local_stall): its scale within
  // [kLocalRhoMin, kLocalRho0], its failure count below the halving one,
  // the particle probed at the last move a particle (none before a move)
  // whose personal best cost is at most the reference (it was the
  // reference then, and personal bests only fall until a restart, which
  // forgets the probe).
  if (!(ls_rho_ >= Real(kLocalRhoMin) && ls_rho_ <= Real(kLocalRho0)) || ls_fails_ < 0 ||
      ls_fails_ >= kLocalFails || ls_tau_ < -1 || ls_tau_ >= n || std::isnan(ls_ref_) ||
      (ls_tau_ >= 0 && (iter == 0 || !(s.pbest_f(ls_tau_) <= ls_ref_))) ||
      (cfg_.local_stall == 0 && (ls_tau_ != -1 || ls_fails_ != 0 || ls_rho_ != Real(kLocalRho0))))
    return false;

  // P2 velocity limits; P4 positions, velocities, momenta.
  for (int d = 0; d < dims; ++d)
    if (!(static_cast<Real>(cfg_.v_max) * (b.hi[d] - b.lo[d]) >= std::numeric_limits<Real>::min()))
      return false;
  const bool zero_m = cfg_.variant != Variant::Empso || fresh;
  for (int i = 0; i < n; ++i) {
    if (!base_.in_box(b, s.x, i) || !base_.in_box(b, s.pbest, i)) return false;
    for (int d = 0; d < dims; ++d) {
      const Real vm = static_cast<Real>(cfg_.v_max) * (b.hi[d] - b.lo[d]);
      const Real v = s.v(i, d), m = s.m(i, d);
      if (!(v >= -vm && v <= vm) || !std::isfinite(m) || (zero_m && m != 0)) return false;
    }
  }

  // P5 personal bests, P6 the swarm's best, P7 the incumbent among them.
  Real fmin = kInf;
  bool holds_best = false;
  for (int i = 0; i < n; ++i) {
    const Real f = s.pbest_f(i);
    if (std::isnan(f) || f < best) return false;  // also refuses −inf
    if (f < fmin) fmin = f;
    if (f == best && base_.same_as_best(b, s.pbest, i)) holds_best = true;
    const bool in_batch = i >= cursor_ && i < cursor_ + batch_n_;
    if (s.cost(i) == -kInf || (!in_batch && !std::isnan(s.cost(i)))) return false;
    if (iter == 0) {  // nothing moved, no restart: told particles sit where they were told
      const bool told = i < cursor_ || (mid_stop && i == cursor_);
      if (!told && f != kInf) return false;
      if (f != kInf) {
        for (int d = 0; d < dims; ++d)
          if (!same_bits(s.pbest(i, d), s.x(i, d))) return false;
      }
    }
  }
  if (sbest_ < -1 || sbest_ >= n) return false;
  if (sbest_ == -1) {
    if (cursor_ != 0 || mid_stop || fmin != kInf || swarm_stall_ != 0 || rehits_ != 0 ||
        swarm_start_best_ != kInf || (restarts_ == 0 && evals != 0))
      return false;
  } else {
    // The reference is the swarm's best when it last improved (end_sweep):
    // at a sweep boundary, the best itself if that sweep improved, else a
    // best no more than stall_tol·|reference| below it.
    const Real sb = s.pbest_f(sbest_), ref = swarm_start_best_;
    if (evals == 0 || sb != fmin || std::isnan(ref) || sb > ref) return false;
    if (!told_this_sweep && iter > 0) {
      if (swarm_stall_ == 0 ? !same_bits(sb, ref) || rehits_ != 0 : sb < ref - stall_margin(ref)) return false;
    }
  }
  if (iter == 0 && swarm_start_best_ != kInf) return false;
  if (restarts_ == 0 && evals > 0) {
    if (fmin != best || (best != kInf && !holds_best)) return false;
    // Nothing finite told yet: the incumbent is the first point told,
    // particle 0's, which has not moved while iteration is 0.
    if (best == kInf && iter == 0 && !base_.same_as_best(b, s.x, 0)) return false;
  }

  // P8 the start point is particle 0 until the first evaluation.
  if (base_.has_start() && evals == 0 &&
      (!base_.same_as_best(b, s.x, 0) || !base_.same_as_best(b, s.pbest, 0)))
    return false;

  // P9 (points) outstanding candidates are what the filters could give.
  if (pending && !base_.candidate(b, s.x, cursor_)) return false;
  int told = 0;
  for (int k = 0; k < batch_n_; ++k) {
    if (!base_.candidate(b, s.x, cursor_ + k)) return false;
    if (!std::isnan(s.cost(cursor_ + k, 0))) ++told;
  }
  if (told != batch_told_) return false;

  // P13 a swarm with nothing moved since it was seeded holds the seed's
  // velocities, and the seed's positions as the personal bests of particles
  // without a finite cost (at iteration 0; after a restart until the first
  // tell). Particle 0 with a start holds the start there instead.
  const bool seeded_init = iter == 0, seeded_restart = restarts_ > 0 && sbest_ == -1;
  if (seeded_init || seeded_restart) {
    const uint32_t tag = seeded_init ? kTagInit : kTagRestart;
    const Real radius = seeded_init ? Real(0) : static_cast<Real>(cfg_.restart_radius);
    for (int i = 0; i < n; ++i) {
      uint32_t w4[4] = {0, 0, 0, 0};
      const bool start0 = seeded_init && i == 0 && base_.has_start();
      for (int d = 0; d < dims; ++d) {
        if ((d & 1) == 0)
          base_.block(tag, static_cast<uint32_t>(iter), static_cast<uint32_t>(i),
                      static_cast<uint32_t>(d) >> 1, w4);
        const Real lo = b.lo[d], hi = b.hi[d];
        Real x = 0, v = 0;
        seeded_coord(w4, d, lo, hi, b.best[d], radius, static_cast<Real>(cfg_.v_max) * (hi - lo),
                     &x, &v);
        if (!same_bits(s.v(i, d), v)) return false;
        if (s.pbest_f(i) == kInf && !start0 && !same_bits(s.pbest(i, d), x)) return false;
        if (start0 && !same_bits(s.pbest(i, d), s.x(i, d))) return false;
      }
    }
  }
  return true;
}

template <class Real>
typename PsoCore<Real>::SwarmCells PsoCore<Real>::saved_cells(const uint8_t* rows,
                                                              int dims) noexcept {
  const int row = 4 * dims + 2;
  const size_t nd = sizeof(Real) * static_cast<size_t>(dims);
  return {Cells<Real>::saved(rows, row),          Cells<Real>::saved(rows + nd, row),
          Cells<Real>::saved(rows + 2 * nd, row), Cells<Real>::saved(rows + 3 * nd, row),
          Cells<Real>::saved(rows + 4 * nd, row),
          Cells<Real>::saved(rows + 4 * nd + sizeof(Real), row)};
}

template Status PsoCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status PsoCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status PsoCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status PsoCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status PsoCore<float>::check_invariants(const Arrays&) const noexcept;
template Status PsoCore<double>::check_invariants(const Arrays&) const noexcept;
template bool PsoCore<float>::check(const OptCore<float>::BoxCells&, const SwarmCells&) const noexcept;
template bool PsoCore<double>::check(const OptCore<double>::BoxCells&, const SwarmCells&) const
    noexcept;
template PsoCore<float>::SwarmCells PsoCore<float>::saved_cells(const uint8_t*, int) noexcept;
template PsoCore<double>::SwarmCells PsoCore<double>::saved_cells(const uint8_t*, int) noexcept;

}  // namespace detail
}  // namespace starling
