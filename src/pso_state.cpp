// src/pso_state.cpp: save and load of the optimizer's whole state (format
// version 2, documented in starling/pso.hpp at Pso::save): little-endian,
// IEEE-754 bits, no padding, CRC-32 protected; independent of the host.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include <cmath>
#include <cstring>
#include <limits>

#include "starling/crc32.hpp"
#include "starling/pso.hpp"

namespace starling {
namespace detail {

namespace {

constexpr uint8_t kMagic[4] = {'S', 'P', 'S', 'O'};
// 2: the move's r1, r2 at 16 bits, four dimensions per block (move_r1).
// A version-1 state would continue with other numbers, so it is refused.
constexpr uint16_t kVersion = 2;

class Writer {
 public:
  explicit Writer(uint8_t* p) noexcept : p_(p) {}
  void u8(uint32_t v) noexcept { *p_++ = static_cast<uint8_t>(v); }
  void u16(uint32_t v) noexcept {
    u8(v & 0xFFu);
    u8((v >> 8) & 0xFFu);
  }
  void u32(uint32_t v) noexcept {
    for (int k = 0; k < 4; ++k) u8((v >> (8 * k)) & 0xFFu);
  }
  void u64(uint64_t v) noexcept {
    u32(static_cast<uint32_t>(v));
    u32(static_cast<uint32_t>(v >> 32));
  }
  void i32(int v) noexcept { u32(static_cast<uint32_t>(v)); }
  void i64(long v) noexcept { u64(static_cast<uint64_t>(static_cast<int64_t>(v))); }
  void f32(float f) noexcept {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u32(u);
  }
  void real(float f) noexcept { f32(f); }
  void real(double f) noexcept {
    uint64_t u;
    std::memcpy(&u, &f, 8);
    u64(u);
  }
  uint8_t* pos() const noexcept { return p_; }

 private:
  uint8_t* p_;
};

class Reader {
 public:
  explicit Reader(const uint8_t* p) noexcept : p_(p) {}
  uint32_t u8() noexcept { return *p_++; }
  uint32_t u16() noexcept {
    const uint32_t lo = u8();
    return lo | (u8() << 8);
  }
  uint32_t u32() noexcept {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= u8() << (8 * k);
    return v;
  }
  uint64_t u64() noexcept {
    const uint64_t lo = u32();
    return lo | (static_cast<uint64_t>(u32()) << 32);
  }
  int64_t i64() noexcept { return static_cast<int64_t>(u64()); }
  int32_t i32() noexcept { return static_cast<int32_t>(u32()); }
  float f32() noexcept {
    const uint32_t u = u32();
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  void real(float* f) noexcept { *f = f32(); }
  void real(double* f) noexcept {
    const uint64_t u = u64();
    std::memcpy(f, &u, 8);
  }
  template <class Real>
  Real real() noexcept {
    Real r;
    real(&r);
    return r;
  }
  const uint8_t* pos() const noexcept { return p_; }

 private:
  const uint8_t* p_;
};

template <class Real>
bool finite_or_inf(Real v) {
  return !std::isnan(v) && v != -std::numeric_limits<Real>::infinity();
}

}  // namespace

template <class Real>
Status PsoCore<Real>::save(const Arrays& a, uint8_t* buf, size_t cap, size_t* written) const
    noexcept {
  if (state_ == State::Uninit) return Status::NotReady;
  if (buf == nullptr) return Status::InvalidArgument;
  const size_t n = state_size(dims_, particles_);
  if (cap < n) return Status::CapacityExceeded;
  Writer w(buf);
  for (uint8_t m : kMagic) w.u8(m);
  w.u16(kVersion);
  w.u8(sizeof(Real));
  w.u8(0);
  w.i32(dims_);
  w.i32(particles_);
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
  w.f32(cfg_.target);
  w.i32(cfg_.max_iter);
  w.i64(cfg_.max_evals);
  w.i32(cfg_.stall_iter);
  w.u64(seed_);
  w.u8(static_cast<uint32_t>(state_));
  w.u8(static_cast<uint32_t>(stop_));
  w.u8(pending_ ? 1u : 0u);
  w.u8(has_start_ ? 1u : 0u);
  w.i64(evals_);
  w.i32(iter_);
  w.i32(cursor_);
  w.i32(stall_);
  w.f32(trust_);
  w.i32(max_tries_);
  w.i64(infeasible_);
  w.i64(fallback_);
  w.real(gbest_f_);
  w.real(beta_pow_);
  w.real(sweep_start_best_);
  for (int d = 0; d < dims_; ++d) w.real(a.lo[d]);
  for (int d = 0; d < dims_; ++d) w.real(a.hi[d]);
  for (int d = 0; d < dims_; ++d) w.real(a.gbest[d]);
  for (int i = 0; i < particles_; ++i) {
    const Real* rows[4] = {a.x + i * a.stride, a.v + i * a.stride, a.m + i * a.stride,
                           a.pbest + i * a.stride};
    for (const Real* r : rows)
      for (int d = 0; d < dims_; ++d) w.real(r[d]);
    w.real(a.pbest_f[i]);
  }
  w.u32(0);
  w.u32(crc32(buf, n - 4));
  if (written != nullptr) *written = n;
  return Status::Ok;
}

template <class Real>
Status PsoCore<Real>::load(const Arrays& a, const uint8_t* buf, size_t size) noexcept {
  if (buf == nullptr) return Status::InvalidArgument;
  if (size < kStateFixedBytes) return Status::Corrupt;
  Reader r(buf);
  for (uint8_t m : kMagic)
    if (r.u8() != m) return Status::Corrupt;
  if (r.u16() != kVersion || r.u8() != sizeof(Real) || r.u8() != 0) return Status::Corrupt;
  const uint32_t ud = r.u32(), un = r.u32();
  // Capacities of Pso<> are at most 2^24 cells, so larger counts are corrupt.
  if (ud < 1 || un < 2 || static_cast<uint64_t>(ud) * un > (1u << 24)) return Status::Corrupt;
  const int dims = static_cast<int>(ud), particles = static_cast<int>(un);
  if (size != state_size(dims, particles)) return Status::Corrupt;
  {
    Reader tail(buf + size - 8);
    if (tail.u32() != 0 || tail.u32() != crc32(buf, size - 4)) return Status::Corrupt;
  }
  if (dims > a.max_dims || particles > a.max_particles) return Status::CapacityExceeded;

  // Everything goes into a copy first: on failure *this stays as it was.
  PsoCore t = *this;
  const uint32_t variant = r.u8(), boundary = r.u8(), topology = r.u8(), flags = r.u8();
  if (variant > 2 || boundary > 2 || topology > 1 || (flags & ~3u) != 0) return Status::Corrupt;
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
  t.cfg_.target = r.f32();
  t.cfg_.max_iter = r.i32();
  const int64_t max_evals = r.i64();
  if (max_evals < 0 || max_evals > std::numeric_limits<long>::max()) return Status::Corrupt;
  t.cfg_.max_evals = static_cast<long>(max_evals);
  t.cfg_.stall_iter = r.i32();
  if (validate(t.cfg_) != Status::Ok) return Status::Corrupt;
  t.seed_ = r.u64();
  swarm_key(t.seed_, t.key_);

  const uint32_t state = r.u8(), stop = r.u8(), pending = r.u8(), has_start = r.u8();
  const bool running = state == static_cast<uint32_t>(State::Running);
  if (state != static_cast<uint32_t>(State::Running) &&
      state != static_cast<uint32_t>(State::Stopped))
    return Status::Corrupt;
  if (stop > static_cast<uint32_t>(StopReason::Infeasible) || (stop == 0) != running ||
      pending > 1 || (pending == 1 && !running) || has_start > 1)
    return Status::Corrupt;
  t.state_ = static_cast<State>(state);
  t.stop_ = static_cast<StopReason>(stop);
  t.pending_ = pending != 0;
  t.has_start_ = has_start != 0;
  const int64_t evals = r.i64();
  t.iter_ = r.i32();
  t.cursor_ = r.i32();
  t.stall_ = r.i32();
  if (evals < 0 || evals > std::numeric_limits<long>::max() || t.iter_ < 0 ||
      t.iter_ > t.cfg_.max_iter || t.cursor_ < 0 || t.cursor_ >= particles || t.stall_ < 0 ||
      t.stall_ > t.iter_)
    return Status::Corrupt;
  t.evals_ = static_cast<long>(evals);
  // Evaluations follow from the sweep and the cursor: a tell that stops on
  // Target or MaxEvals does not advance the cursor.
  const bool mid_stop = t.stop_ == StopReason::Target || t.stop_ == StopReason::MaxEvals;
  const int64_t expect = static_cast<int64_t>(t.iter_) * particles + t.cursor_ + (mid_stop ? 1 : 0);
  if (evals != expect) return Status::Corrupt;
  if (t.cfg_.max_evals > 0 && evals > t.cfg_.max_evals) return Status::Corrupt;
  if (running && (t.iter_ >= t.cfg_.max_iter ||
                  (t.cfg_.max_evals > 0 && evals >= t.cfg_.max_evals) ||
                  (t.cfg_.stall_iter > 0 && t.stall_ >= t.cfg_.stall_iter)))
    return Status::Corrupt;
  if (t.stop_ == StopReason::Infeasible && evals != 0) return Status::Corrupt;
  t.trust_ = r.f32();
  t.max_tries_ = r.i32();
  const int64_t infeasible = r.i64(), fallback = r.i64();
  if (!std::isfinite(t.trust_) || t.trust_ < 0.f || t.trust_ > 1.f || t.max_tries_ < 0 ||
      t.max_tries_ > kMaxFeasibleTries || infeasible < 0 || fallback < 0 ||
      infeasible > std::numeric_limits<long>::max() || fallback > infeasible)
    return Status::Corrupt;
  t.infeasible_ = static_cast<long>(infeasible);
  t.fallback_ = static_cast<long>(fallback);
  t.gbest_f_ = r.real<Real>();
  t.beta_pow_ = r.real<Real>();
  t.sweep_start_best_ = r.real<Real>();
  if (!finite_or_inf(t.gbest_f_) || !finite_or_inf(t.sweep_start_best_) ||
      !std::isfinite(t.beta_pow_) || t.beta_pow_ < 0 || t.beta_pow_ > 1 ||
      (evals == 0 && t.gbest_f_ != std::numeric_limits<Real>::infinity()))
    return Status::Corrupt;

  // Arrays: validate everything in place in the buffer, then copy.
  const uint8_t* arr = r.pos();
  {
    Reader lo_r(arr), hi_r(arr + sizeof(Real) * static_cast<size_t>(dims));
    Reader g_r(arr + 2 * sizeof(Real) * static_cast<size_t>(dims));
    Real lo[1], hi[1];
    for (int d = 0; d < dims; ++d) {
      lo_r.real(lo);
      hi_r.real(hi);
      const Real g = g_r.real<Real>();
      if (!valid_interval(lo[0], hi[0]) || !(g >= lo[0] && g <= hi[0])) return Status::Corrupt;
    }
    Reader pr(g_r.pos());
    for (int i = 0; i < particles; ++i) {
      for (int row = 0; row < 4; ++row) {
        Reader b_lo(arr), b_hi(arr + sizeof(Real) * static_cast<size_t>(dims));
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
      if (!finite_or_inf(pr.real<Real>())) return Status::Corrupt;
    }
  }

  // Valid: commit.
  *this = t;
  update_safe_hook();
  Reader lo_r(arr);
  for (int d = 0; d < dims; ++d) lo_r.real(&a.lo[d]);
  for (int d = 0; d < dims; ++d) lo_r.real(&a.hi[d]);
  for (int d = 0; d < dims; ++d) lo_r.real(&a.gbest[d]);
  for (int d = 0; d < dims; ++d) a.vmax[d] = static_cast<Real>(cfg_.v_max) * (a.hi[d] - a.lo[d]);
  for (int i = 0; i < particles; ++i) {
    Real* rows[4] = {a.x + i * a.stride, a.v + i * a.stride, a.m + i * a.stride,
                     a.pbest + i * a.stride};
    for (Real* row : rows)
      for (int d = 0; d < dims; ++d) lo_r.real(&row[d]);
    lo_r.real(&a.pbest_f[i]);
  }
  dims_ = dims;
  particles_ = particles;
  return Status::Ok;
}

template Status PsoCore<float>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status PsoCore<double>::save(const Arrays&, uint8_t*, size_t, size_t*) const noexcept;
template Status PsoCore<float>::load(const Arrays&, const uint8_t*, size_t) noexcept;
template Status PsoCore<double>::load(const Arrays&, const uint8_t*, size_t) noexcept;

}  // namespace detail
}  // namespace starling
