// src/pso.cpp: the size-erased swarm core, instantiated for float and double.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/pso.hpp"

#include "starling/detail/kernels.hpp"

#include <cmath>

namespace starling {

namespace {
bool finite_in(float v, float lo, float hi) { return std::isfinite(v) && v >= lo && v <= hi; }
bool valid_enum(int v, int count) { return v >= 0 && v < count; }
}  // namespace

Status validate(const PsoConfig& c) noexcept {
  const bool ok =
      valid_enum(static_cast<int>(c.variant), 3) && valid_enum(static_cast<int>(c.boundary), 3) &&
      valid_enum(static_cast<int>(c.topology), 2) && finite_in(c.w, -1.f, 1.f) &&
      finite_in(c.w_end, -1.f, 1.f) && finite_in(c.c1, 0.f, 10.f) && finite_in(c.c2, 0.f, 10.f) &&
      std::isfinite(c.beta) && c.beta >= 0.f && c.beta < 1.f && std::isfinite(c.v_max) &&
      c.v_max > 0.f && c.v_max <= 1.f && c.max_iter >= 1 && c.max_evals >= 0 &&
      !std::isnan(c.target) && c.target != std::numeric_limits<float>::infinity() &&
      c.stall_iter >= 0;
  return ok ? Status::Ok : Status::InvalidArgument;
}

namespace detail {

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

template <class Real>
Status PsoCore<Real>::init(const Arrays& a, const Real* lo, const Real* hi, int dims,
                           int particles, const PsoConfig& cfg, uint64_t seed) noexcept {
  state_ = State::Uninit;
  if (lo == nullptr || hi == nullptr || dims < 1 || particles < 2) return Status::InvalidArgument;
  if (dims > a.max_dims || particles > a.max_particles) return Status::CapacityExceeded;
  for (int d = 0; d < dims; ++d)
    if (!valid_interval(lo[d], hi[d])) return Status::InvalidArgument;
  const Status st = validate(cfg);
  if (st != Status::Ok) return st;

  cfg_ = cfg;
  seed_ = seed;
  swarm_key(seed, key_);
  dims_ = dims;
  particles_ = particles;
  evals_ = 0;
  iter_ = 0;
  cursor_ = 0;
  stall_ = 0;
  pending_ = false;
  has_start_ = false;
  infeasible_ = 0;
  fallback_ = 0;
  stop_ = StopReason::None;
  gbest_f_ = std::numeric_limits<Real>::infinity();
  sweep_start_best_ = gbest_f_;
  beta_pow_ = 1;

  for (int d = 0; d < dims; ++d) {
    a.lo[d] = lo[d];
    a.hi[d] = hi[d];
    a.vmax[d] = static_cast<Real>(cfg.v_max) * (hi[d] - lo[d]);
    a.gbest[d] = lo[d];
  }
  // Initial swarm: x uniform in the box, v uniform in [-vmax, vmax]. Block
  // (pair, i, 0, kTagInit) gives {ux[2p], uv[2p], ux[2p+1], uv[2p+1]}.
  for (int i = 0; i < particles; ++i) {
    Real* x = a.x + i * a.stride;
    Real* v = a.v + i * a.stride;
    Real* m = a.m + i * a.stride;
    Real* pb = a.pbest + i * a.stride;
    uint32_t w4[4] = {0, 0, 0, 0};
    for (int d = 0; d < dims; ++d) {
      if ((d & 1) == 0)
        swarm_block(key_, kTagInit, 0, static_cast<uint32_t>(i), static_cast<uint32_t>(d) >> 1, w4);
      const Real ux = u32_to_unit<Real>(w4[(d & 1) * 2]);
      const Real uv = u32_to_unit<Real>(w4[(d & 1) * 2 + 1]);
      Real xd = a.lo[d] + (a.hi[d] - a.lo[d]) * ux;
      if (xd > a.hi[d]) xd = a.hi[d];  // rounding can reach past hi when |lo| >> range
      x[d] = xd;
      v[d] = (uv * 2 - 1) * a.vmax[d];
      m[d] = 0;
      pb[d] = xd;
    }
    a.pbest_f[i] = std::numeric_limits<Real>::infinity();
  }
  state_ = State::Running;
  return Status::Ok;
}

template <class Real>
const Real* PsoCore<Real>::ask(const Arrays& a) noexcept {
  if (state_ != State::Running) return nullptr;
  Real* x = a.x + cursor_ * a.stride;
  // A new candidate goes through the safe-tuning filters once; the start
  // point (the first candidate when given) is handed out as it is.
  if (!pending_ && safe_ != nullptr && !(has_start_ && evals_ == 0)) {
    if (!safe_(*this, a, x)) {
      stop(StopReason::Infeasible);
      return nullptr;
    }
  }
  pending_ = true;
  return x;
}

namespace {
// Clips x to the trust box around c, intersected with [lo, hi].
template <class Real>
void clip_trust(const PsoCore<Real>& core, const typename PsoCore<Real>::Arrays& a,
                const Real* c, Real* x) noexcept {
  const Real r = static_cast<Real>(core.trust_radius());
  for (int d = 0; d < core.dims(); ++d) {
    const Real rad = r * (a.hi[d] - a.lo[d]);
    Real tlo = c[d] - rad, thi = c[d] + rad;
    if (tlo < a.lo[d]) tlo = a.lo[d];
    if (thi > a.hi[d]) thi = a.hi[d];
    if (x[d] < tlo) x[d] = tlo;
    if (x[d] > thi) x[d] = thi;
  }
}
}  // namespace

// The safe-tuning filters of pso.hpp (trust clip, then predicate with
// re-draws, then the incumbent). False: no safe point exists at all.
template <class Real>
bool PsoCore<Real>::make_safe(const Arrays& a, Real* x) noexcept {
  const bool centred = evals_ > 0 || has_start_;  // a.gbest holds a trusted point
  const Real* c = a.gbest;
  const bool clip = trust_ > 0 && centred;
  if (clip) clip_trust(*this, a, c, x);
  if (feasible_ == nullptr || feasible_(x, dims_, feasible_ctx_)) return true;
  ++infeasible_;
  const uint32_t particle = static_cast<uint32_t>(cursor_);
  for (int k = 0; k < max_tries_; ++k) {
    uint32_t w4[4] = {0, 0, 0, 0};
    if (centred) {
      // A random point on the segment from the centre to the last rejection.
      swarm_block(key_, kTagFeasible, static_cast<uint32_t>(iter_), particle,
                  static_cast<uint32_t>(k), w4);
      const Real u = u32_to_unit<Real>(w4[0]);
      for (int d = 0; d < dims_; ++d) {
        Real y = c[d] + u * (x[d] - c[d]);
        if (y < a.lo[d]) y = a.lo[d];
        if (y > a.hi[d]) y = a.hi[d];
        x[d] = y;
      }
      if (clip) clip_trust(*this, a, c, x);
    } else {
      // Nothing known yet: uniform in the box (iteration word 0xFFFFFFFF,
      // which no sweep uses; try k in the particle word).
      for (int d = 0; d < dims_; ++d) {
        if ((d & 1) == 0)
          swarm_block(key_, kTagFeasible, 0xFFFFFFFFu, static_cast<uint32_t>(k),
                      static_cast<uint32_t>(d) >> 1, w4);
        Real y = a.lo[d] + (a.hi[d] - a.lo[d]) * u32_to_unit<Real>(w4[(d & 1) * 2]);
        if (y > a.hi[d]) y = a.hi[d];
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
Status PsoCore<Real>::set_feasible(Feasible pred, void* ctx, int max_tries) noexcept {
  if (max_tries < 0 || max_tries > kMaxFeasibleTries) return Status::InvalidArgument;
  feasible_ = pred;
  feasible_ctx_ = ctx;
  max_tries_ = max_tries;
  update_safe_hook();
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::set_trust_radius(float fraction) noexcept {
  if (!std::isfinite(fraction) || fraction < 0.f || fraction > 1.f) return Status::InvalidArgument;
  trust_ = fraction;
  update_safe_hook();
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::set_start(const Arrays& a, const Real* x) noexcept {
  if (state_ != State::Running || evals_ != 0 || pending_) return Status::NotReady;
  if (x == nullptr) return Status::InvalidArgument;
  for (int d = 0; d < dims_; ++d)
    if (!std::isfinite(x[d]) || x[d] < a.lo[d] || x[d] > a.hi[d]) return Status::InvalidArgument;
  // Particle 0 is the first one asked; the start is also the trust centre
  // and the fallback until the first tell (a.gbest is unused before it).
  for (int d = 0; d < dims_; ++d) {
    a.x[d] = x[d];
    a.pbest[d] = x[d];
    a.gbest[d] = x[d];
  }
  has_start_ = true;
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::tell(const Arrays& a, Real cost) noexcept {
  if (state_ == State::Uninit) return Status::NotReady;
  if (state_ == State::Stopped) return Status::Done;
  if (!pending_) return Status::NotReady;
  pending_ = false;
  // NaN and ±inf are the worst cost: they can never pass a strict "<".
  const Real f = std::isfinite(cost) ? cost : std::numeric_limits<Real>::infinity();
  const int i = cursor_;
  const Real* x = a.x + i * a.stride;
  if (f < a.pbest_f[i]) {
    a.pbest_f[i] = f;
    Real* pb = a.pbest + i * a.stride;
    for (int d = 0; d < dims_; ++d) pb[d] = x[d];
  }
  // The first point told is the best until something finite beats it, so
  // best_position() is always a point that was evaluated.
  if (f < gbest_f_ || evals_ == 0) {
    gbest_f_ = f;
    for (int d = 0; d < dims_; ++d) a.gbest[d] = x[d];
  }
  ++evals_;
  if (gbest_f_ <= static_cast<Real>(cfg_.target)) {
    stop(StopReason::Target);
    return Status::Ok;
  }
  if (cfg_.max_evals > 0 && evals_ >= cfg_.max_evals) {
    stop(StopReason::MaxEvals);
    return Status::Ok;
  }
  if (++cursor_ == particles_) end_sweep(a);
  return Status::Ok;
}

template <class Real>
void PsoCore<Real>::end_sweep(const Arrays& a) noexcept {
  cursor_ = 0;
  ++iter_;
  if (gbest_f_ < sweep_start_best_) {
    stall_ = 0;
  } else {
    ++stall_;
  }
  sweep_start_best_ = gbest_f_;
  if (iter_ >= cfg_.max_iter) return stop(StopReason::MaxIter);
  if (cfg_.stall_iter > 0 && stall_ >= cfg_.stall_iter) return stop(StopReason::Stall);
  move(a);
}

template <class Real>
void PsoCore<Real>::move(const Arrays& a) noexcept {
  const uint32_t t = static_cast<uint32_t>(iter_);  // this move's number, >= 1
  SwarmStep<Real> s{};
  s.lo = a.lo;
  s.hi = a.hi;
  s.vmax = a.vmax;
  s.dims = dims_;
  s.rule = cfg_.variant == Variant::Empso ? UpdateRule::Empso : UpdateRule::Inertia;
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
  s.key = key_;
  s.iteration = t;
  const auto kernel = swarm_kernel(&s);
  s.stride = a.stride;
  if (cfg_.topology == Topology::Global) {
    // One call for the whole swarm: they share the neighbourhood best, and a
    // SIMD kernel can then keep several particles' generators in flight.
    s.x = a.x;
    s.v = a.v;
    s.m = a.m;
    s.pbest = a.pbest;
    s.nbest = a.gbest;
    s.particle = 0;
    s.count = particles_;
    kernel(s);
    return;
  }
  for (int i = 0; i < particles_; ++i) {
    // Ring: neighbourhood {i-1, i, i+1}; ties keep the earlier candidate in
    // the order i, i-1, i+1.
    int best = i;
    const int left = i == 0 ? particles_ - 1 : i - 1;
    const int right = i + 1 == particles_ ? 0 : i + 1;
    if (a.pbest_f[left] < a.pbest_f[best]) best = left;
    if (a.pbest_f[right] < a.pbest_f[best]) best = right;
    s.x = a.x + i * a.stride;
    s.v = a.v + i * a.stride;
    s.m = a.m + i * a.stride;
    s.pbest = a.pbest + i * a.stride;
    s.nbest = a.pbest + best * a.stride;
    s.particle = static_cast<uint32_t>(i);
    kernel(s);
  }
}

template class PsoCore<float>;
template class PsoCore<double>;

}  // namespace detail
}  // namespace starling
