// SPDX-License-Identifier: MIT
// src/pso.cpp: the size-erased swarm core over the family's OptCore: sweeps,
// topologies, restarts, batches and the move, instantiated for float and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/pso.hpp"

#include "starling/detail/kernels.hpp"

#include <cmath>
#include <limits>

namespace starling {

namespace detail {

namespace {

// The float move goes through the kernel of the selected port (looked up
// once per move); double always uses the reference template (no port has a
// double kernel).
using F64SwarmKernel = void (*)(const SwarmStep<double>&) noexcept;
// A move of four dimensions or fewer draws one Threefry block a particle:
// the scalar port puts eight particles' blocks in the lanes of two chains,
// where the SIMD kernels fill their lanes with one particle's blocks, seven
// of eight unused here (a 3-gain PID tuner moves this way), so every port
// hands it that move.
inline F32SwarmKernel swarm_kernel(const SwarmStep<float>* s) noexcept {
  return s->dims <= 4 ? &f32_swarm_update__scalar : f32_swarm_kernel();
}
inline F64SwarmKernel swarm_kernel(const SwarmStep<double>*) noexcept { return &swarm_update_ref<double>; }

// round(√n): the von Neumann torus's row length.
int torus_cols(int n) noexcept {
  int c = 1;
  while ((2 * c + 1) * (2 * c + 1) <= 4 * n) ++c;  // (c + 1/2)² <= n
  return c;
}
// j in [-n, 2n): every caller's offset is below the swarm size, so two
// compares do what a division would (a division per informant cost the
// local topologies ~30 % of the overhead per evaluation at D = 30, N = 40).
int wrap(int j, int n) noexcept { return j < 0 ? j + n : j >= n ? j - n : j; }
// Particle t that link k of particle j's block names (Topology::Random).
int link_target(uint32_t w, int n) noexcept {
  return static_cast<int>((static_cast<uint64_t>(w) * static_cast<uint32_t>(n)) >> 32);
}
}  // namespace

template <class Real>
int PsoCore<Real>::ring_radius() const noexcept {
  return cfg_.neighbors > 0 ? cfg_.neighbors / 2 : 1;
}

template <class Real>
Status PsoCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims,
                           int particles, const PsoConfig& cfg, uint64_t seed,
                           Hooks hooks, bool cfg_valid) noexcept {
  base_.reset();
  particles_ = 0;  // a failed init answers as a fresh object (no batch, no swarm)
  batch_n_ = 0;
  batch_told_ = 0;
  if (lo == nullptr || hi == nullptr || dims < 1 || particles < 2) return Status::InvalidArgument;
  const Status box_st = Base::check_box(lo, hi, dims, a.max_dims);
  if (box_st != Status::Ok) return box_st;
  if (particles > a.max_particles) return Status::CapacityExceeded;
  if (!cfg_valid) return Status::InvalidArgument;
  if (cfg.topology == Topology::Ring && cfg.neighbors >= particles) return Status::InvalidArgument;
  for (int d = 0; d < dims; ++d) {
    a.vmax[d] = static_cast<Real>(cfg.v_max) * (hi[d] - lo[d]);
    // A velocity limit that underflows would freeze the particles.
    if (!(a.vmax[d] >= std::numeric_limits<Real>::min())) return Status::InvalidArgument;
  }

  cfg_ = cfg;
  hooks_ = hooks;
  particles_ = particles;
  base_.start(box(a), lo, hi, dims, stop_rules_of(cfg), seed, kStream);
  cursor_ = 0;
  restarts_ = 0;
  link_epoch_ = 0;
  seed_particles(a, kTagInit, 0, Real(0));
  return Status::Ok;
}

// Particles anew from the blocks (pair, i, iteration, tag), which give
// {ux[2p], uv[2p], ux[2p+1], uv[2p+1]} (seeded_coord): x uniform in the box,
// or with radius > 0 in the box narrowed to ±radius·(hi − lo) around a
// centre. Seeding (init and restarts: every particle, around the incumbent)
// also draws v uniform in [−vmax, vmax], clears the momentum and the personal
// best, and starts the swarm's bookkeeping over. The local probe (tag
// kTagLocal, PsoConfig::local_stall) moves the swarm's best particle only,
// around its personal best, its v the probe minus where the velocity rule
// had just put it, clipped to ±vmax, its momentum and personal best kept.
// One function for both, so a firmware image holds one copy of the
// placement (flash).
template <class Real>
void PsoCore<Real>::seed_particles(const Arrays& a, uint32_t tag, uint32_t iteration, Real r) noexcept {
  const bool fresh = tag != kTagLocal;
  const int i1 = fresh ? particles_ : sbest_ + 1;
  for (int i = fresh ? 0 : sbest_; i < i1; ++i) {
    Real* x = a.x + i * a.stride;
    Real* v = a.v + i * a.stride;
    Real* m = a.m + i * a.stride;
    Real* pb = a.pbest + i * a.stride;
    const Real* centre = fresh ? a.gbest : pb;
    uint32_t w4[4];  // filled at d = 0
    for (int d = 0; d < base_.dims(); ++d) {
      if ((d & 1) == 0)
        base_.block(tag, iteration, static_cast<uint32_t>(i), static_cast<uint32_t>(d) >> 1, w4);
      const Real old = x[d];
      Real vd;
      seeded_coord(w4, d, a.lo[d], a.hi[d], centre[d], r, a.vmax[d], &x[d], &vd);
      if (!fresh) {  // the probe's velocity: from the moved position to the probe, within ±vmax
        vd = x[d] - old;
        vd = vd > a.vmax[d] ? a.vmax[d] : vd;
        vd = vd < -a.vmax[d] ? -a.vmax[d] : vd;
      }
      v[d] = vd;
      if (fresh) {
        m[d] = 0;
        pb[d] = x[d];
      }
    }
    if (fresh) {
      a.pbest_f[i] = std::numeric_limits<Real>::infinity();
      // Batch costs are NaN (not told) outside an open batch (a restart
      // ends a sweep, so none is open), and nothing of an earlier run is
      // left in the object or in what save() writes.
      a.cost[i] = std::numeric_limits<Real>::quiet_NaN();
    }
  }
  if (!fresh) return;
  sbest_ = -1;
  swarm_stall_ = 0;
  rehits_ = 0;
  swarm_start_best_ = std::numeric_limits<Real>::infinity();
  beta_pow_ = 1;
  ls_rho_ = Real(kLocalRho0);
  ls_ref_ = 0;
  ls_tau_ = -1;
  ls_fails_ = 0;
}

template <class Real>
const Real* PsoCore<Real>::ask(const Arrays& a) noexcept {
  if (!base_.running() || batch_n_ > 0) return nullptr;
  Real* x = a.x + cursor_ * a.stride;
  if (!base_.pending()) {
    if (!base_.filter(box(a), x, cursor_)) return nullptr;
    base_.set_pending(true);
  }
  return x;
}

template <class Real>
Status PsoCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  if (batch_n_ > 0) return Status::NotReady;
  const Status st = base_.set_start(box(a), x);
  if (st != Status::Ok) return st;
  // Particle 0 is the first one asked; the start is also the trust centre
  // and the fallback until the first tell (it is kept in a.gbest).
  for (int d = 0; d < base_.dims(); ++d) {
    a.x[d] = x[d];
    a.pbest[d] = x[d];
  }
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (!base_.pending() || batch_n_ > 0) return Status::NotReady;
  return tell_one(a, Base::sanitize(cost));
}

template <class Real>
STARLING_ALWAYS_INLINE Status PsoCore<Real>::tell_one(const Arrays& a, Real f) noexcept {
  base_.set_pending(false);
  const int i = cursor_;
  const Real* x = a.x + i * a.stride;
  if (f < a.pbest_f[i]) {
    a.pbest_f[i] = f;
    Real* pb = a.pbest + i * a.stride;
    for (int d = 0; d < base_.dims(); ++d) pb[d] = x[d];
  }
  if (sbest_ < 0 || a.pbest_f[i] < a.pbest_f[sbest_]) sbest_ = i;
  if (rehits_ < cfg_.restart_rehits) {  // the swarm found its best value again (restarts)
    const Real b = a.pbest_f[sbest_];
    if (f <= b + stall_margin(b)) ++rehits_;
  }
  if (!base_.record(box(a), x, f)) return Status::Ok;
  if (++cursor_ == particles_) end_sweep(a);
  return Status::Ok;
}

template <class Real>
int PsoCore<Real>::ask_batch(const Arrays& a, const Real** xs, int cap) noexcept {
  if (!base_.running() || cap < 1 || xs == nullptr) return 0;
  if (batch_n_ == 0) {
    int n = particles_ - cursor_;
    if (n > cap) n = cap;
    if (base_.evals_left() < n) n = static_cast<int>(base_.evals_left());
    for (int k = 0; k < n; ++k) {
      const int idx = cursor_ + k;
      if (k == 0 && base_.pending()) continue;  // asked already: filtered
      if (!base_.try_filter(box(a), a.x + idx * a.stride, idx)) {
        // Nothing safe known yet for this one: a serial run would have
        // stopped at the first candidate, or asked this one later (with
        // an incumbent to fall back on); the batch ends before it.
        if (k == 0) {
          base_.stop(StopReason::Infeasible);
          return 0;
        }
        n = k;
        break;
      }
    }
    base_.set_pending(false);
    for (int k = 0; k < n; ++k) a.cost[cursor_ + k] = std::numeric_limits<Real>::quiet_NaN();
    batch_n_ = n;
    batch_told_ = 0;
  }
  for (int k = 0; k < batch_n_ && k < cap; ++k) xs[k] = a.x + (cursor_ + k) * a.stride;
  return batch_n_;
}

template <class Real>
Status PsoCore<Real>::tell_batch(const Arrays& a, int k, Real cost) noexcept {
  if (!base_.ready()) return Status::NotReady;
  if (!base_.running()) return Status::Done;
  if (batch_n_ == 0) return Status::NotReady;
  if (k < 0 || k >= batch_n_) return Status::InvalidArgument;
  Real& slot = a.cost[cursor_ + k];
  if (!std::isnan(slot)) return Status::NotReady;  // told already
  slot = Base::sanitize(cost);
  if (++batch_told_ < batch_n_) return Status::Ok;
  // Complete: apply the tells in candidate order, as a serial run would.
  const int n = batch_n_, first = cursor_;
  batch_n_ = 0;
  batch_told_ = 0;
  for (int j = 0; j < n && base_.running(); ++j) (void)tell_one(a, a.cost[first + j]);
  for (int j = 0; j < n; ++j) a.cost[first + j] = std::numeric_limits<Real>::quiet_NaN();
  return Status::Ok;
}

template <class Real>
STARLING_ALWAYS_INLINE void PsoCore<Real>::end_sweep(const Arrays& a) noexcept {
  cursor_ = 0;
  const Real sb = a.pbest_f[sbest_];  // sbest_ >= 0 after a whole sweep
  // Improved: below the reference by more than stall_tol of it (strictly
  // below with stall_tol 0; any finite best improves on +inf).
  const Real ref = swarm_start_best_;
  const bool improved = sb < ref - stall_margin(ref);
  swarm_stall_ = improved ? 0 : swarm_stall_ + 1;
  if (improved) {
    swarm_start_best_ = sb;
    rehits_ = 0;
  }
  if (!base_.end_generation()) return;
  if (hooks_.restart != nullptr && swarm_stall_ >= cfg_.restart_stall && rehits_ >= cfg_.restart_rehits)
    return hooks_.restart(*this, a);
  move(a);
}

template <class Real>
void PsoCore<Real>::restart_thunk(PsoCore& c, const Arrays& a) noexcept {
  ++c.restarts_;
  c.seed_particles(a, kTagRestart, static_cast<uint32_t>(c.base_.iteration()),
                   static_cast<Real>(c.cfg_.restart_radius));
}

// The Global topology's social attractor: the incumbent, or with restarts
// on, the best of the swarm since its last restart.
template <class Real>
STARLING_ALWAYS_INLINE const Real* PsoCore<Real>::social(const Arrays& a) const noexcept {
  return cfg_.restart_stall > 0 ? a.pbest + sbest_ * a.stride : a.gbest;
}

// Each particle's neighbourhood best into a.nb, handed to the move's step
// (local topologies). Ties keep the earlier informant in the topology's
// order (pso.hpp, Topology). The random links are re-drawn first when the
// sweep that just ended did not improve the swarm's best.
template <class Real>
void PsoCore<Real>::neighbourhoods(const Arrays& a, SwarmStep<Real>& s) noexcept {
  s.nbest = a.pbest;
  s.nbest_index = a.nb;
  s.nbest_rows = a.pbest;
  const int n = particles_;
  const Real* f = a.pbest_f;
  if (cfg_.topology == Topology::Random) {
    if (swarm_stall_ > 0) ++link_epoch_;
    for (int i = 0; i < n; ++i) a.nb[i] = i;
    const int links = cfg_.neighbors > 0 ? cfg_.neighbors : 3;
    for (int j = 0; j < n; ++j) {
      uint32_t w4[4];
      base_.block(kTagTopology, link_epoch_, static_cast<uint32_t>(j), 0, w4);
      for (int k = 0; k < links; ++k) {
        const int t = link_target(w4[k], n);
        if (f[j] < f[a.nb[t]]) a.nb[t] = j;
      }
    }
    return;
  }
  const int r = cfg_.topology == Topology::Ring ? ring_radius() : 1;
  const int c = cfg_.topology == Topology::VonNeumann ? torus_cols(n) : 0;
  for (int i = 0; i < n; ++i) {
    int best = i;
    for (int j = 1; j <= r; ++j) {
      const int left = wrap(i - j, n), right = wrap(i + j, n);
      if (f[left] < f[best]) best = left;
      if (f[right] < f[best]) best = right;
    }
    if (c > 0) {
      const int up = wrap(i - c, n), down = wrap(i + c, n);
      if (f[up] < f[best]) best = up;
      if (f[down] < f[best]) best = down;
    }
    a.nb[i] = best;
  }
}

template <class Real>
int PsoCore<Real>::informants(const Arrays& a, int i, int32_t* out, int cap) const noexcept {
  const int n = particles_;
  if (i < 0 || i >= n) return 0;
  int count = 0;
  auto put = [&](int j) {
    if (count < cap && out != nullptr) out[count] = j;
    ++count;
  };
  switch (cfg_.topology) {
    case Topology::Global:
      for (int j = 0; j < n; ++j) put(j);
      break;
    case Topology::Ring:
      put(i);
      for (int j = 1; j <= ring_radius(); ++j) {
        put(wrap(i - j, n));
        put(wrap(i + j, n));
      }
      break;
    case Topology::VonNeumann: {
      const int c = torus_cols(n);
      put(i);
      put(wrap(i - 1, n));
      put(wrap(i + 1, n));
      put(wrap(i - c, n));
      put(wrap(i + c, n));
      break;
    }
    case Topology::Random: {
      put(i);
      const int links = cfg_.neighbors > 0 ? cfg_.neighbors : 3;
      for (int j = 0; j < n; ++j) {
        uint32_t w4[4];
        base_.block(kTagTopology, link_epoch_, static_cast<uint32_t>(j), 0, w4);
        for (int k = 0; k < links; ++k)
          if (j != i && link_target(w4[k], n) == i) {
            put(j);
            break;
          }
      }
      break;
    }
  }
  (void)a;
  return count;
}

template <class Real>
void PsoCore<Real>::move(const Arrays& a) noexcept {
  const uint32_t t = static_cast<uint32_t>(base_.iteration());  // this move's number, >= 1
  SwarmStep<Real> s{};
  s.lo = a.lo;
  s.hi = a.hi;
  s.vmax = a.vmax;
  s.dims = base_.dims();
  // Inertia and Constriction (0, 1) move by the inertia rule, Empso (2)
  // and Fips (3) by theirs (1, 2): one subtraction (flash).
  static_assert(static_cast<int>(Variant::Empso) - 1 == static_cast<int>(UpdateRule::Empso) &&
                    static_cast<int>(Variant::Fips) - 1 == static_cast<int>(UpdateRule::Fips) &&
                    static_cast<int>(Variant::Constriction) - 1 == static_cast<int>(UpdateRule::Inertia),
                "variant to update rule");
  const int variant = static_cast<int>(cfg_.variant);
  s.rule = static_cast<UpdateRule>(variant > 0 ? variant - 1 : 0);
  s.bound = static_cast<BoundRule>(static_cast<int>(cfg_.boundary));
  s.per_particle = cfg_.random_per_particle;
  s.c1 = static_cast<Real>(cfg_.c1);
  s.c2 = static_cast<Real>(cfg_.c2);
  s.w = static_cast<Real>(cfg_.w);
  if (cfg_.variant == Variant::Inertia) {
    const Real w0 = static_cast<Real>(cfg_.w), w1 = static_cast<Real>(cfg_.w_end);
    s.w = w0 + (w1 - w0) * static_cast<Real>(t) / static_cast<Real>(cfg_.max_iter);
  }
  s.beta = static_cast<Real>(cfg_.beta);
  s.one_minus_beta = 1 - s.beta;
  beta_pow_ *= s.beta;
  s.mscale = 1;
  if (cfg_.bias_correction && beta_pow_ < 1) s.mscale = 1 / (1 - beta_pow_);
  s.key = base_.key();
  s.iteration = t;
  s.stride = a.stride;
  if (s.rule == UpdateRule::Fips) {
    hooks_.fips(*this, a, s);
  } else {
    // One call for the whole swarm, so that a SIMD kernel can keep several
    // particles' generators in flight; local topologies hand it each
    // particle's neighbourhood best by index.
    s.x = a.x;
    s.v = a.v;
    s.m = a.m;
    s.pbest = a.pbest;
    s.particle = 0;
    s.count = particles_;
    s.nbest = social(a);
    if (hooks_.local != nullptr) hooks_.local(*this, a, s);  // local topologies
    swarm_kernel(&s)(s);
  }
  if (cfg_.local_stall > 0) local_search(a, t);
}

// PsoConfig::local_stall, after the velocity rule has moved the swarm. First
// the outcome of the probe placed at the last move, if any: it beat the
// swarm's best of then exactly when its personal best cost is now below that
// (ls_ref_ was its personal best cost); five failures in a row halve rho,
// which starts over at 0.01 below 10^-6. Then, after local_stall stalled
// sweeps, the swarm's best particle goes to a point uniform within
// ±rho·(hi − lo) of its personal best narrowed to the box, its velocity the
// difference to where the move had put it (seed_particles, tag kTagLocal),
// overriding that move. Inlined: move is its one caller (flash).
template <class Real>
STARLING_ALWAYS_INLINE void PsoCore<Real>::local_search(const Arrays& a, uint32_t t) noexcept {
  if (ls_tau_ >= 0) {
    ls_fails_ = a.pbest_f[ls_tau_] < ls_ref_ ? 0 : ls_fails_ + 1;
    ls_tau_ = -1;
    if (ls_fails_ == kLocalFails) {
      ls_fails_ = 0;
      ls_rho_ = ls_rho_ * Real(0.5);
      if (ls_rho_ < Real(kLocalRhoMin)) ls_rho_ = Real(kLocalRho0);
    }
  }
  if (swarm_stall_ < cfg_.local_stall) return;
  ls_tau_ = sbest_;  // >= 0: a sweep has ended
  ls_ref_ = a.pbest_f[sbest_];
  seed_particles(a, kTagLocal, t, ls_rho_);
}

// Fips: v' = w·v + Σ_k (cn·r_k,d)·(p_k,d − x_d) over the informants k in
// their order, cn = (c1 + c2)/|informants|, then the shared tail
// (swarm_finish_dim). The momentum row, unused by Fips, holds the sums while
// the draws run informant by informant (one block serves eight draws), and
// is zero again afterwards. Portable code on every port (no kernel), so the
// same on every target.
template <class Real>
void PsoCore<Real>::move_fips(const Arrays& a, const SwarmStep<Real>& s0) noexcept {
  const int n = particles_, dims = base_.dims();
  const int c = torus_cols(n);
  const int count = cfg_.topology == Topology::Global       ? n
                    : cfg_.topology == Topology::VonNeumann ? 5
                                                            : 1 + 2 * ring_radius();
  const Real cn = (s0.c1 + s0.c2) / static_cast<Real>(count);
  for (int i = 0; i < n; ++i) {
    SwarmStep<Real> s = s0;
    s.x = a.x + i * a.stride;
    s.v = a.v + i * a.stride;
    s.m = a.m + i * a.stride;
    s.pbest = a.pbest + i * a.stride;
    s.nbest = s.pbest;
    s.particle = static_cast<uint32_t>(i);
    Real* acc = s.m;
    for (int d = 0; d < dims; ++d) acc[d] = s.w * s.v[d];
    uint32_t w4[4] = {0, 0, 0, 0};
    uint32_t q = 0;  // draw number k·dims + d
    for (int k = 0; k < count; ++k) {
      int j;
      if (cfg_.topology == Topology::Global) {
        j = k;
      } else {
        const int h = (k + 1) / 2;  // 0, 1, 1, 2, 2, ...: i, i−h, i+h
        const int step = cfg_.topology == Topology::VonNeumann && k >= 3 ? c : h;
        j = k == 0 ? i : wrap((k & 1) != 0 ? i - step : i + step, n);
      }
      const Real* p = a.pbest + j * a.stride;
      for (int d = 0; d < dims; ++d, ++q) {
        if ((q & 7u) == 0) base_.block(kTagFips, s.iteration, s.particle, q >> 3, w4);
        const uint32_t w = w4[(q >> 1) & 3u];
        const Real r = u16_to_unit<Real>((q & 1u) == 0 ? w >> 16 : w & 0xFFFFu);
        acc[d] = acc[d] + (cn * r) * (p[d] - s.x[d]);
      }
    }
    for (int d = 0; d < dims; ++d) {
      const Real v = acc[d];
      acc[d] = 0;
      swarm_finish_dim(s, d, s.x[d], v, 0);
    }
  }
}

template class PsoCore<float>;
template class PsoCore<double>;

}  // namespace detail
}  // namespace starling
