// src/pso_state.cpp: save and load of the swarm's whole state (format version
// 3, documented in starling/pso.hpp at Pso::save) over the family's shared
// header, common section and seal (detail/opt_core.hpp).
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
// An earlier state would not continue the same way, so it is refused.
constexpr uint16_t kVersion = 3;
constexpr size_t kConfigReserved = 8;

template <class Real>
bool finite_or_inf(Real v) noexcept {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}

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
  for (size_t k = 0; k < kConfigReserved; ++k) w.u8(0);
  base_.save_common(w, box(a));
  w.i32(cursor_);
  w.i32(sbest_);
  w.i32(swarm_stall_);
  w.i32(restarts_);
  w.i32(batch_n_);
  w.i32(batch_told_);
  w.u32(link_epoch_);
  w.real(beta_pow_);
  w.real(swarm_start_best_);
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

  // Everything goes into a copy first: on failure *this stays as it was.
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
  if (t.cfg_.topology == Topology::Ring && t.cfg_.neighbors >= particles) return Status::Corrupt;

  t.particles_ = particles;
  t.cursor_ = r.i32();
  t.sbest_ = r.i32();
  t.swarm_stall_ = r.i32();
  t.restarts_ = r.i32();
  t.batch_n_ = r.i32();
  t.batch_told_ = r.i32();
  t.link_epoch_ = r.u32();
  t.beta_pow_ = r.real<Real>();
  t.swarm_start_best_ = r.real<Real>();
  const long evals = t.base_.evaluations();
  const int iter = t.base_.iteration();
  const bool running = !t.base_.done();
  if (t.cursor_ < 0 || t.cursor_ >= particles || t.sbest_ < -1 || t.sbest_ >= particles ||
      t.swarm_stall_ < 0 || t.swarm_stall_ > iter || t.restarts_ < 0 || t.restarts_ > iter ||
      t.batch_n_ < 0 || t.batch_n_ > particles - t.cursor_ || t.batch_told_ < 0 ||
      (t.batch_n_ > 0 && (t.batch_told_ >= t.batch_n_ || !running || t.base_.pending())) ||
      (t.batch_n_ == 0 && t.batch_told_ != 0) || !std::isfinite(t.beta_pow_) || t.beta_pow_ < 0 ||
      t.beta_pow_ > 1 || !finite_or_inf(t.swarm_start_best_))
    return Status::Corrupt;
  // Evaluations follow from the sweep and the cursor: a tell that stops on
  // Target or MaxEvals does not advance the cursor.
  const StopReason stop = t.base_.stop_reason();
  const bool mid_stop = stop == StopReason::Target || stop == StopReason::MaxEvals;
  const int64_t expect = static_cast<int64_t>(iter) * particles + t.cursor_ + (mid_stop ? 1 : 0);
  if (evals != expect) return Status::Corrupt;

  // Arrays: validate everything in place in the buffer, then copy.
  const uint8_t* common_arrays = common + Base::kCommonArraysOffset;
  const uint8_t* rows = r.pos();
  {
    StateReader pr(rows);
    const size_t nd = sizeof(Real) * static_cast<size_t>(dims);
    int told = 0;
    for (int i = 0; i < particles; ++i) {
      for (int row = 0; row < 4; ++row) {
        StateReader b_lo(common_arrays), b_hi(common_arrays + nd);
        for (int d = 0; d < dims; ++d) {
          const Real l = b_lo.real<Real>(), h = b_hi.real<Real>();
          const Real v = pr.real<Real>();
          if (!std::isfinite(v)) return Status::Corrupt;
          if ((row == 0 || row == 3) && !(v >= l && v <= h)) return Status::Corrupt;
          if (row == 1) {
            const Real vm = static_cast<Real>(t.cfg_.v_max) * (h - l);
            if (v > vm || v < -vm) return Status::Corrupt;
          }
        }
      }
      const Real pf = pr.real<Real>(), cost = pr.real<Real>();
      if (!finite_or_inf(pf) || cost == -std::numeric_limits<Real>::infinity()) return Status::Corrupt;
      const bool in_batch = i >= t.cursor_ && i < t.cursor_ + t.batch_n_;
      if (in_batch && !std::isnan(cost)) ++told;
    }
    if (told != t.batch_told_) return Status::Corrupt;
  }

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

template Status PsoCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status PsoCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status PsoCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status PsoCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
