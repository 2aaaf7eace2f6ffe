// SPDX-License-Identifier: MIT
// src/c_api.cpp: the C API (starling/starling.h) over the size-erased core
// detail::PsoCore<float>, laid out in the caller's starling_pso.
//
// Layout of starling_pso.storage_ for capacities D, N stored in the header:
//   [0, STARLING_PSO_CORE_BYTES)   the PsoCore<float> object
//   then floats: x, v, m, pbest [N][D]; pbest_f [N]; gbest, lo, hi, vmax [D];
//   cost [N]; then int32 nb [N]
// The library never uses sizeof(starling_pso) of its own translation unit:
// every access goes through the capacities and size the caller's inline
// starling_pso_init() stored, so callers may use any STARLING_MAX_* values.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/starling.h"

#include <cstddef>
#include <cstring>
#include <limits>
#include <new>
#include <type_traits>

#include "starling/pso.hpp"
#include "starling/status.hpp"

namespace {

using starling::PsoConfig;
using starling::Status;
using Core = starling::detail::PsoCore<float>;
using Arrays = Core::Arrays;

// ---- the C and C++ enums are the same numbers ------------------------------
static_assert(STARLING_OK == static_cast<int>(Status::Ok), "status");
static_assert(STARLING_INVALID_ARGUMENT == static_cast<int>(Status::InvalidArgument), "status");
static_assert(STARLING_CAPACITY_EXCEEDED == static_cast<int>(Status::CapacityExceeded), "status");
static_assert(STARLING_NOT_READY == static_cast<int>(Status::NotReady), "status");
static_assert(STARLING_DONE == static_cast<int>(Status::Done), "status");
static_assert(STARLING_CORRUPT == static_cast<int>(Status::Corrupt), "status");
static_assert(STARLING_VARIANT_INERTIA == static_cast<int>(starling::Variant::Inertia), "variant");
static_assert(STARLING_VARIANT_CONSTRICTION == static_cast<int>(starling::Variant::Constriction),
              "variant");
static_assert(STARLING_VARIANT_EMPSO == static_cast<int>(starling::Variant::Empso), "variant");
static_assert(STARLING_VARIANT_FIPS == static_cast<int>(starling::Variant::Fips), "variant");
static_assert(STARLING_BOUNDARY_CLAMP == static_cast<int>(starling::Boundary::Clamp), "boundary");
static_assert(STARLING_BOUNDARY_REFLECT == static_cast<int>(starling::Boundary::Reflect),
              "boundary");
static_assert(STARLING_BOUNDARY_RANDOM == static_cast<int>(starling::Boundary::Random), "boundary");
static_assert(STARLING_TOPOLOGY_GLOBAL == static_cast<int>(starling::Topology::Global), "topology");
static_assert(STARLING_TOPOLOGY_RING == static_cast<int>(starling::Topology::Ring), "topology");
static_assert(STARLING_TOPOLOGY_VON_NEUMANN == static_cast<int>(starling::Topology::VonNeumann),
              "topology");
static_assert(STARLING_TOPOLOGY_RANDOM == static_cast<int>(starling::Topology::Random), "topology");
static_assert(STARLING_STOP_NONE == static_cast<int>(starling::StopReason::None), "stop");
static_assert(STARLING_STOP_MAX_ITER == static_cast<int>(starling::StopReason::MaxIter), "stop");
static_assert(STARLING_STOP_MAX_EVALS == static_cast<int>(starling::StopReason::MaxEvals), "stop");
static_assert(STARLING_STOP_TARGET == static_cast<int>(starling::StopReason::Target), "stop");
static_assert(STARLING_STOP_STALL == static_cast<int>(starling::StopReason::Stall), "stop");
static_assert(STARLING_STOP_INFEASIBLE == static_cast<int>(starling::StopReason::Infeasible),
              "stop");
static_assert(std::is_same<starling_feasible_fn, Core::Feasible>::value, "predicate type");

// ---- the core fits the reserved bytes --------------------------------------
static_assert(sizeof(Core) <= STARLING_PSO_CORE_BYTES,
              "PsoCore<float> grew: raise STARLING_PSO_CORE_BYTES in starling.h");
static_assert(offsetof(starling_pso, storage_) == 16, "header is 16 bytes (STARLING_PSO_SIZE)");
static_assert(alignof(Core) <= alignof(decltype(starling_pso::storage_)),
              "storage_ is not aligned enough for PsoCore<float>");
static_assert(offsetof(starling_pso, storage_) % alignof(Core) == 0, "core misaligned");
static_assert(STARLING_PSO_CORE_BYTES % alignof(float) == 0, "arrays misaligned");
static_assert(sizeof(starling_pso) ==
                  STARLING_PSO_SIZE(STARLING_MAX_DIMS, STARLING_MAX_PARTICLES),
              "STARLING_PSO_SIZE does not match the struct");
// The struct may be copied bytewise and is never destroyed.
static_assert(std::is_trivially_copyable<Core>::value, "PsoCore must be trivially copyable");
static_assert(std::is_trivially_destructible<Core>::value, "PsoCore must be trivially destructible");
static_assert(std::is_same<decltype(PsoConfig{}.max_evals), long>::value, "max_evals is long");

constexpr uint32_t kMagic = 0x53504331u;  // "SPC1"
constexpr long long kMaxCells = 1LL << 24;  // the same limit as Pso<>

// Bytes the caller's struct needs for capacities (d, n); 0 if impossible.
// The same formula as STARLING_PSO_SIZE (checked below and by the tests).
constexpr size_t required_size(long long d, long long n) {
  if (d < 1 || n < 2 || d > 65536 || n > 65536 || d * n > kMaxCells) return 0;
  const size_t floats = static_cast<size_t>(4 * d * n + 2 * n + 4 * d);
  const size_t storage =
      (STARLING_PSO_CORE_BYTES + sizeof(float) * floats + sizeof(int32_t) * static_cast<size_t>(n) + 7) /
      8 * 8;
  return offsetof(starling_pso, storage_) + storage;
}
static_assert(required_size(STARLING_MAX_DIMS, STARLING_MAX_PARTICLES) == sizeof(starling_pso),
              "required_size disagrees with the struct");
static_assert(required_size(3, 5) == STARLING_PSO_SIZE(3, 5), "formula");
static_assert(required_size(1, 3) == STARLING_PSO_SIZE(1, 3), "formula");
static_assert(required_size(64, 64) == STARLING_PSO_SIZE(64, 64), "formula");

unsigned char* storage(starling_pso* p) {
  return reinterpret_cast<unsigned char*>(p) + offsetof(starling_pso, storage_);
}
const unsigned char* storage(const starling_pso* p) {
  return reinterpret_cast<const unsigned char*>(p) + offsetof(starling_pso, storage_);
}
Core* core(starling_pso* p) { return std::launder(reinterpret_cast<Core*>(storage(p))); }
const Core* core(const starling_pso* p) {
  return std::launder(reinterpret_cast<const Core*>(storage(p)));
}

// The view of the arrays for capacities d, n (the header's, or a load's
// before it writes them).
Arrays arrays_for(starling_pso* p, int d, int n) {
  const size_t cells = static_cast<size_t>(d) * static_cast<size_t>(n);
  float* f = reinterpret_cast<float*>(storage(p) + STARLING_PSO_CORE_BYTES);
  Arrays a{};
  a.x = f;
  a.v = a.x + cells;
  a.m = a.v + cells;
  a.pbest = a.m + cells;
  a.pbest_f = a.pbest + cells;
  a.gbest = a.pbest_f + n;
  a.lo = a.gbest + d;
  a.hi = a.lo + d;
  a.vmax = a.hi + d;
  a.cost = a.vmax + d;
  a.nb = reinterpret_cast<int32_t*>(a.cost + n);
  a.stride = d;
  a.max_dims = d;
  a.max_particles = n;
  return a;
}
// The view of the arrays for the capacities stored in the header.
Arrays arrays(starling_pso* p) { return arrays_for(p, p->max_dims_, p->max_particles_); }
// gbest sits after the four [N][D] arrays and pbest_f.
const float* gbest(const starling_pso* p) {
  const size_t d = static_cast<size_t>(p->max_dims_), n = static_cast<size_t>(p->max_particles_);
  const float* f = reinterpret_cast<const float*>(storage(p) + STARLING_PSO_CORE_BYTES);
  return f + 4 * d * n + n;
}

enum class Check { Ready, NotReady, Corrupt };

// Ready: initialized and consistent; NotReady: never (successfully)
// initialized; Corrupt: initialized once, but the header or the core's sizes
// no longer agree with the storage (overwritten memory).
Check check(const starling_pso* p) {
  if (p == nullptr || p->magic_ != kMagic) return Check::NotReady;
  const size_t need = required_size(p->max_dims_, p->max_particles_);
  if (need == 0 || need > p->size_) return Check::Corrupt;
  const Core* c = core(p);
  if (!c->ready() || c->dims() < 1 || c->dims() > p->max_dims_ || c->particles() < 2 ||
      c->particles() > p->max_particles_)
    return Check::Corrupt;
  return Check::Ready;
}

starling_status to_c(Status s) { return static_cast<starling_status>(static_cast<int>(s)); }

PsoConfig to_cpp(const starling_pso_config& c) {
  PsoConfig k;
  k.variant = static_cast<starling::Variant>(c.variant);     // validate() rejects unknown values
  k.w = c.w;
  k.c1 = c.c1;
  k.c2 = c.c2;
  k.beta = c.beta;
  k.v_max = c.v_max;
  k.boundary = static_cast<starling::Boundary>(c.boundary);
  k.topology = static_cast<starling::Topology>(c.topology);
  k.max_iter = c.max_iter;
  k.max_evals = c.max_evals;
  k.target = c.target;
  k.stall_iter = c.stall_iter;
  k.w_end = c.w_end;
  k.bias_correction = c.bias_correction != 0;
  k.random_per_particle = c.random_per_particle != 0;
  k.neighbors = c.neighbors;
  k.restart_stall = c.restart_stall;
  k.restart_radius = c.restart_radius;
  k.stall_tol = c.stall_tol;
  k.restart_rehits = c.restart_rehits;
  k.local_stall = c.local_stall;
  return k;
}

}  // namespace

extern "C" {

starling_status starling_pso_config_default(starling_pso_config* cfg) {
  if (cfg == nullptr) return STARLING_INVALID_ARGUMENT;
  const PsoConfig k;
  cfg->variant = static_cast<int>(k.variant);
  cfg->w = k.w;
  cfg->c1 = k.c1;
  cfg->c2 = k.c2;
  cfg->beta = k.beta;
  cfg->v_max = k.v_max;
  cfg->boundary = static_cast<int>(k.boundary);
  cfg->topology = static_cast<int>(k.topology);
  cfg->max_iter = k.max_iter;
  cfg->max_evals = k.max_evals;
  cfg->target = k.target;
  cfg->stall_iter = k.stall_iter;
  cfg->w_end = k.w_end;
  cfg->bias_correction = k.bias_correction ? 1 : 0;
  cfg->random_per_particle = k.random_per_particle ? 1 : 0;
  cfg->neighbors = k.neighbors;
  cfg->restart_stall = k.restart_stall;
  cfg->restart_radius = k.restart_radius;
  cfg->stall_tol = k.stall_tol;
  cfg->restart_rehits = k.restart_rehits;
  cfg->local_stall = k.local_stall;
  return STARLING_OK;
}

starling_status starling_pso_init_capacity(starling_pso* pso, size_t pso_size, int max_dims,
                                           int max_particles, const float* lo, const float* hi,
                                           int dims, int particles,
                                           const starling_pso_config* cfg, uint64_t seed) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  // Only the header is known to exist until the size is checked.
  if (pso_size < offsetof(starling_pso, storage_)) return STARLING_INVALID_ARGUMENT;
  pso->magic_ = 0;  // not ready until this init succeeds
  const size_t need = required_size(max_dims, max_particles);
  if (need == 0 || pso_size < need || pso_size > std::numeric_limits<uint32_t>::max())
    return STARLING_INVALID_ARGUMENT;
  if (cfg == nullptr) return STARLING_INVALID_ARGUMENT;
  pso->max_dims_ = max_dims;
  pso->max_particles_ = max_particles;
  pso->size_ = static_cast<uint32_t>(pso_size);
  Core* c = ::new (static_cast<void*>(storage(pso))) Core();  // placement: no allocation
  const PsoConfig k = to_cpp(*cfg);
  const Status st =
      c->init(arrays(pso), lo, hi, dims, starling::detail::pso_particles(particles, dims, max_particles),
              k, seed, Core::hooks_for(k), starling::validate(k) == Status::Ok);
  if (st == Status::Ok) pso->magic_ = kMagic;
  return to_c(st);
}

const float* starling_pso_ask(starling_pso* pso) {
  if (check(pso) != Check::Ready) return nullptr;
  return core(pso)->ask(arrays(pso));
}

starling_status starling_pso_tell(starling_pso* pso, float cost) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  return to_c(core(pso)->tell(arrays(pso), cost));
}

int starling_pso_ask_batch(starling_pso* pso, const float** xs, int cap) {
  if (check(pso) != Check::Ready || xs == nullptr) return 0;
  return core(pso)->ask_batch(arrays(pso), xs, cap);
}

starling_status starling_pso_tell_batch(starling_pso* pso, int k, float cost) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  return to_c(core(pso)->tell_batch(arrays(pso), k, cost));
}

int starling_pso_done(const starling_pso* pso) {
  return check(pso) == Check::Ready ? (core(pso)->done() ? 1 : 0) : 1;
}

starling_stop_reason starling_pso_stop_reason(const starling_pso* pso) {
  if (check(pso) != Check::Ready) return STARLING_STOP_NONE;
  return static_cast<starling_stop_reason>(static_cast<int>(core(pso)->stop_reason()));
}

const float* starling_pso_best_position(const starling_pso* pso) {
  if (check(pso) != Check::Ready || !core(pso)->has_best()) return nullptr;
  return gbest(pso);
}

float starling_pso_best_value(const starling_pso* pso) {
  if (check(pso) != Check::Ready) return std::numeric_limits<float>::infinity();
  return core(pso)->best_value();
}

long starling_pso_evaluations(const starling_pso* pso) {
  return check(pso) == Check::Ready ? core(pso)->evaluations() : 0;
}

int starling_pso_iteration(const starling_pso* pso) {
  return check(pso) == Check::Ready ? core(pso)->iteration() : 0;
}

int starling_pso_dims(const starling_pso* pso) {
  return check(pso) == Check::Ready ? core(pso)->dims() : 0;
}

int starling_pso_particles(const starling_pso* pso) {
  return check(pso) == Check::Ready ? core(pso)->particles() : 0;
}

starling_status starling_pso_minimize(starling_pso* pso,
                                      float (*cost)(const float* x, int dims, void* user),
                                      void* user) {
  return starling_pso_minimize_observed(pso, cost, nullptr, user);
}

starling_status starling_pso_minimize_observed(starling_pso* pso,
                                               float (*cost)(const float* x, int dims,
                                                             void* user),
                                               starling_observer_fn observer, void* user) {
  if (pso == nullptr || cost == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  Core* c = core(pso);
  if (c->batch_size() > 0) return STARLING_NOT_READY;
  const Arrays a = arrays(pso);
  const int dims = c->dims();
  while (const float* x = c->ask(a)) {
    const int before = c->iteration();
    (void)c->tell(a, cost(x, dims, user));  // cannot fail: a candidate is pending
    // The same calls as Pso::minimize's observer; a nonzero answer leaves
    // the run resumable at this sweep boundary.
    if (observer != nullptr && c->iteration() != before &&
        observer(c->best_value(), c->evaluations(), c->iteration(), user) != 0)
      break;
  }
  return STARLING_OK;
}

starling_status starling_pso_set_feasible(starling_pso* pso, starling_feasible_fn pred, void* ctx,
                                          int max_tries) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  return to_c(core(pso)->set_feasible(pred, ctx, max_tries));
}

starling_status starling_pso_set_trust_radius(starling_pso* pso, float fraction) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  return to_c(core(pso)->set_trust_radius(fraction));
}

starling_status starling_pso_set_start(starling_pso* pso, const float* x) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  return to_c(core(pso)->set_start(arrays(pso), x));
}

long starling_pso_infeasible_count(const starling_pso* pso) {
  return check(pso) == Check::Ready ? core(pso)->infeasible_count() : 0;
}

long starling_pso_fallback_count(const starling_pso* pso) {
  return check(pso) == Check::Ready ? core(pso)->fallback_count() : 0;
}

size_t starling_pso_save_size(const starling_pso* pso) {
  if (check(pso) != Check::Ready) return 0;
  return Core::state_size(core(pso)->dims(), core(pso)->particles());
}

starling_status starling_pso_save(const starling_pso* pso, uint8_t* buf, size_t cap,
                                  size_t* written) {
  if (pso == nullptr || buf == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  // save() only reads through the view.
  return to_c(core(pso)->save(arrays(const_cast<starling_pso*>(pso)), buf, cap, written));
}

starling_status starling_pso_load_capacity(starling_pso* pso, size_t pso_size, int max_dims,
                                           int max_particles, const uint8_t* buf, size_t size) {
  if (pso == nullptr || buf == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: return to_c(core(pso)->load(arrays(pso), buf, size));
    case Check::NotReady: break;
  }
  // Not initialized: load into a fresh core on the stack over the arrays of
  // the caller's capacities; only a successful load writes the struct (the
  // arrays, then the core and the header), so a refused one leaves every
  // byte of it as it was.
  if (pso_size < offsetof(starling_pso, storage_)) return STARLING_INVALID_ARGUMENT;
  const size_t need = required_size(max_dims, max_particles);
  if (need == 0 || pso_size < need || pso_size > std::numeric_limits<uint32_t>::max())
    return STARLING_INVALID_ARGUMENT;
  Core fresh;
  const Status st = fresh.load(arrays_for(pso, max_dims, max_particles), buf, size);
  if (st != Status::Ok) return to_c(st);
  ::new (static_cast<void*>(storage(pso))) Core(fresh);  // placement: no allocation
  pso->max_dims_ = max_dims;
  pso->max_particles_ = max_particles;
  pso->size_ = static_cast<uint32_t>(pso_size);
  pso->magic_ = kMagic;
  return STARLING_OK;
}

starling_status starling_pso_check_invariants(const starling_pso* pso) {
  if (pso == nullptr) return STARLING_INVALID_ARGUMENT;
  switch (check(pso)) {
    case Check::NotReady: return STARLING_NOT_READY;
    case Check::Corrupt: return STARLING_CORRUPT;
    case Check::Ready: break;
  }
  // check_invariants() only reads through the view.
  return to_c(core(pso)->check_invariants(arrays(const_cast<starling_pso*>(pso))));
}

size_t starling_pso_size(int max_dims, int max_particles) {
  return required_size(max_dims, max_particles);
}

const char* starling_status_name(starling_status status) {
  return starling::status_name(static_cast<Status>(static_cast<int>(status)));
}

}  // extern "C"
