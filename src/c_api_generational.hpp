// SPDX-License-Identifier: MIT
// src/c_api_generational.hpp: the shared body of the C API of the generational
// optimizers (src/c_api_de.cpp, src/c_api_cmaes.cpp): the caller's struct
// (magic, capacities, its own sizeof, then the size-erased core and the
// arrays), the ready/corrupt checks and every entry point, over a traits class
// that names the core, the struct, the config conversion and the array layout.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <type_traits>

#include "starling/starling.h"
#include "starling/status.hpp"

namespace starling {
namespace capi {

inline starling_status to_c(Status s) { return static_cast<starling_status>(static_cast<int>(s)); }

/// T provides: Core, S (the C struct), Cfg (the C config), kMagic,
/// kCoreBytes, array_bytes(d, n), arrays(float* f, d, n) -> Core::Arrays,
/// best(const float* f, d, n), to_cpp(const Cfg&), min_pop.
template <class T>
struct GenFamily {
  using Core = typename T::Core;
  using S = typename T::S;
  using Arrays = typename Core::Arrays;
  static_assert(sizeof(Core) <= T::kCoreBytes, "core grew: raise the CORE_BYTES macro of the C header");
  static_assert(alignof(Core) <= 8, "the storage is 8-byte aligned");
  static_assert(std::is_trivially_copyable<Core>::value, "the struct may be copied bytewise");
  static_assert(std::is_trivially_destructible<Core>::value, "the struct is never destroyed");
  static_assert(offsetof(S, storage_) == 16, "header is 16 bytes");

  // Bytes the caller's struct needs for capacities (d, n); 0 if impossible.
  static size_t required_size(long long d, long long n) {
    if (d < 1 || n < T::kMinPop || d > 65536 || n > 65536 || d * n > (1LL << 24)) return 0;
    return 16 + (T::kCoreBytes + T::array_bytes(static_cast<size_t>(d), static_cast<size_t>(n)) + 7) / 8 * 8;
  }
  static unsigned char* storage(S* p) { return reinterpret_cast<unsigned char*>(p) + offsetof(S, storage_); }
  static const unsigned char* storage(const S* p) {
    return reinterpret_cast<const unsigned char*>(p) + offsetof(S, storage_);
  }
  static Core* core(S* p) { return std::launder(reinterpret_cast<Core*>(storage(p))); }
  static const Core* core(const S* p) { return std::launder(reinterpret_cast<const Core*>(storage(p))); }
  static float* floats(S* p) { return reinterpret_cast<float*>(storage(p) + T::kCoreBytes); }
  static Arrays arrays(S* p) { return T::arrays(floats(p), p->max_dims_, p->max_pop_); }
  static const float* best(const S* p) {
    return T::best(reinterpret_cast<const float*>(storage(p) + T::kCoreBytes), p->max_dims_, p->max_pop_);
  }

  enum class Check { Ready, NotReady, Corrupt };
  static Check check(const S* p) {
    if (p == nullptr || p->magic_ != T::kMagic) return Check::NotReady;
    const size_t need = required_size(p->max_dims_, p->max_pop_);
    if (need == 0 || need > p->size_) return Check::Corrupt;
    const Core* c = core(p);
    if (!c->ready() || c->dims() < 1 || c->dims() > p->max_dims_ || c->population() < T::kMinPop ||
        c->population() > p->max_pop_)
      return Check::Corrupt;
    return Check::Ready;
  }
  // The status a call on p gets before it runs: Ok to go on.
  static starling_status gate(const S* p) {
    if (p == nullptr) return STARLING_INVALID_ARGUMENT;
    switch (check(p)) {
      case Check::NotReady: return STARLING_NOT_READY;
      case Check::Corrupt: return STARLING_CORRUPT;
      case Check::Ready: break;
    }
    return STARLING_OK;
  }
  // Lays out a fresh core for the caller's capacities (not ready yet).
  static bool prepare(S* p, size_t size, int max_dims, int max_pop) {
    p->magic_ = 0;
    const size_t need = required_size(max_dims, max_pop);
    if (need == 0 || size < need || size > std::numeric_limits<uint32_t>::max()) return false;
    p->max_dims_ = max_dims;
    p->max_pop_ = max_pop;
    p->size_ = static_cast<uint32_t>(size);
    ::new (static_cast<void*>(storage(p))) Core();  // placement: no allocation
    return true;
  }

  template <class Cfg>
  static starling_status init(S* p, size_t size, int max_dims, int max_pop, const float* lo, const float* hi,
                              int dims, int population, const Cfg* cfg, uint64_t seed) {
    if (p == nullptr || size < offsetof(S, storage_)) return STARLING_INVALID_ARGUMENT;
    if (!prepare(p, size, max_dims, max_pop) || cfg == nullptr) return STARLING_INVALID_ARGUMENT;
    const auto k = T::to_cpp(*cfg);
    const Status st = core(p)->init(arrays(p), lo, hi, dims, T::population(population, dims, k, max_pop), k,
                                    seed, validate(k) == Status::Ok);
    if (st == Status::Ok) p->magic_ = T::kMagic;
    return to_c(st);
  }
  static const float* ask(S* p) { return check(p) == Check::Ready ? core(p)->ask(arrays(p)) : nullptr; }
  static starling_status tell(S* p, float cost) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->tell(arrays(p), cost));
  }
  static int ask_batch(S* p, const float** xs, int cap) {
    if (check(p) != Check::Ready || xs == nullptr) return 0;
    return core(p)->ask_batch(arrays(p), xs, cap);
  }
  static starling_status tell_batch(S* p, int k, float cost) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->tell_batch(arrays(p), k, cost));
  }
  static int done(const S* p) { return check(p) == Check::Ready ? (core(p)->done() ? 1 : 0) : 1; }
  static starling_stop_reason stop_reason(const S* p) {
    if (check(p) != Check::Ready) return STARLING_STOP_NONE;
    return static_cast<starling_stop_reason>(static_cast<int>(core(p)->stop_reason()));
  }
  static const float* best_position(const S* p) {
    return check(p) == Check::Ready && core(p)->has_best() ? best(p) : nullptr;
  }
  static float best_value(const S* p) {
    return check(p) == Check::Ready ? core(p)->best_value() : std::numeric_limits<float>::infinity();
  }
  static long evaluations(const S* p) { return check(p) == Check::Ready ? core(p)->evaluations() : 0; }
  static int iteration(const S* p) { return check(p) == Check::Ready ? core(p)->iteration() : 0; }
  static int dims(const S* p) { return check(p) == Check::Ready ? core(p)->dims() : 0; }
  static int population(const S* p) { return check(p) == Check::Ready ? core(p)->population() : 0; }
  static starling_status minimize(S* p, float (*cost)(const float*, int, void*), void* user) {
    if (p == nullptr || cost == nullptr) return STARLING_INVALID_ARGUMENT;
    const starling_status g = gate(p);
    if (g != STARLING_OK) return g;
    Core* c = core(p);
    const Arrays a = arrays(p);
    const int n = c->dims();
    while (const float* x = c->ask(a)) (void)c->tell(a, cost(x, n, user));  // cannot fail
    return STARLING_OK;
  }
  static starling_status set_feasible(S* p, starling_feasible_fn pred, void* ctx, int max_tries) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->set_feasible(pred, ctx, max_tries));
  }
  static starling_status set_trust_radius(S* p, float fraction) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->set_trust_radius(fraction));
  }
  static starling_status set_start(S* p, const float* x) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->set_start(arrays(p), x));
  }
  static long infeasible_count(const S* p) { return check(p) == Check::Ready ? core(p)->infeasible_count() : 0; }
  static long fallback_count(const S* p) { return check(p) == Check::Ready ? core(p)->fallback_count() : 0; }
  static size_t save_size(const S* p) { return check(p) == Check::Ready ? core(p)->save_size() : 0; }
  static starling_status save(const S* p, uint8_t* buf, size_t cap, size_t* written) {
    if (p == nullptr || buf == nullptr) return STARLING_INVALID_ARGUMENT;
    const starling_status g = gate(p);
    if (g != STARLING_OK) return g;
    return to_c(core(p)->save(arrays(const_cast<S*>(p)), buf, cap, written));  // save only reads
  }
  static starling_status check_invariants(const S* p) {
    const starling_status g = gate(p);
    // check_invariants() only reads through the view.
    return g != STARLING_OK ? g : to_c(core(p)->check_invariants(arrays(const_cast<S*>(p))));
  }
  static starling_status load(S* p, size_t size, int max_dims, int max_pop, const uint8_t* buf, size_t n) {
    if (p == nullptr || buf == nullptr) return STARLING_INVALID_ARGUMENT;
    switch (check(p)) {
      case Check::Corrupt: return STARLING_CORRUPT;
      case Check::Ready: return to_c(core(p)->load(arrays(p), buf, n));
      case Check::NotReady: break;
    }
    // Not initialized: a fresh core for the caller's capacities; the struct
    // stays not ready unless the load succeeds.
    if (size < offsetof(S, storage_) || !prepare(p, size, max_dims, max_pop)) return STARLING_INVALID_ARGUMENT;
    const Status st = core(p)->load(arrays(p), buf, n);
    if (st == Status::Ok) p->magic_ = T::kMagic;
    return to_c(st);
  }
};

}  // namespace capi
}  // namespace starling
