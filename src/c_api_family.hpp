// SPDX-License-Identifier: MIT
// src/c_api_family.hpp (internal, not installed): the C API machinery shared
// by the single-point optimizers (NelderMead, Spsa, Anneal): a caller-declared
// struct {magic, max_dims, size, reserved, storage} whose storage holds the
// size-erased C++ core in a fixed reserve followed by the float arrays for the
// caller's capacity (the same pattern as starling_pso, src/c_api.cpp).
//
// Each optimizer supplies a traits class T:
//   using Core, CStruct, CConfig, Config;
//   static constexpr uint32_t kMagic; static constexpr size_t kCoreBytes;
//   static size_t floats(size_t d);                     // float cells of capacity d
//   static typename Core::Arrays arrays(float* f, int d);
//   static const float* best(const float* f, int d);    // the incumbent's array
//   static Config to_cpp(const CConfig&); static void to_c(const Config&, CConfig*);
// and STARLING_C_FAMILY_DEFINE(prefix, T) emits the extern "C" functions.
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

constexpr size_t kHeaderBytes = 16;
constexpr int kMaxCapacity = 4096;

inline starling_status to_c(Status s) { return static_cast<starling_status>(static_cast<int>(s)); }

template <class T>
struct Family {
  using Core = typename T::Core;
  using S = typename T::CStruct;

  static_assert(sizeof(Core) <= T::kCoreBytes, "core grew: raise the reserve in the C header");
  static_assert(alignof(Core) <= 8, "storage is 8-byte aligned");
  static_assert(T::kCoreBytes % 8 == 0, "arrays must stay aligned");
  static_assert(offsetof(S, storage_) == kHeaderBytes, "16-byte header");
  static_assert(std::is_trivially_copyable<Core>::value, "the struct may be copied bytewise");
  static_assert(std::is_trivially_destructible<Core>::value, "the struct is never destroyed");

  // The caller's struct size for capacity d; 0 if impossible.
  static size_t required_size(long long d) {
    if (d < 1 || d > kMaxCapacity) return 0;
    const size_t storage = (T::kCoreBytes + sizeof(float) * T::floats(static_cast<size_t>(d)) + 7) / 8 * 8;
    return kHeaderBytes + storage;
  }
  static unsigned char* storage(S* p) { return reinterpret_cast<unsigned char*>(p) + kHeaderBytes; }
  static const unsigned char* storage(const S* p) {
    return reinterpret_cast<const unsigned char*>(p) + kHeaderBytes;
  }
  static Core* core(S* p) { return std::launder(reinterpret_cast<Core*>(storage(p))); }
  static const Core* core(const S* p) { return std::launder(reinterpret_cast<const Core*>(storage(p))); }
  static float* floats(S* p) { return reinterpret_cast<float*>(storage(p) + T::kCoreBytes); }
  static const float* floats(const S* p) {
    return reinterpret_cast<const float*>(storage(p) + T::kCoreBytes);
  }
  static typename Core::Arrays arrays(S* p) { return T::arrays(floats(p), p->max_dims_); }

  enum class Check { Ready, NotReady, Corrupt };
  static Check check(const S* p) {
    if (p == nullptr || p->magic_ != T::kMagic) return Check::NotReady;
    const size_t need = required_size(p->max_dims_);
    if (need == 0 || need > p->size_) return Check::Corrupt;
    const Core* c = core(p);
    if (!c->ready() || c->dims() < 1 || c->dims() > p->max_dims_) return Check::Corrupt;
    return Check::Ready;
  }
  // NotReady / Corrupt as a status, Ok when ready.
  static starling_status gate(const S* p) {
    if (p == nullptr) return STARLING_INVALID_ARGUMENT;
    switch (check(p)) {
      case Check::NotReady: return STARLING_NOT_READY;
      case Check::Corrupt: return STARLING_CORRUPT;
      case Check::Ready: break;
    }
    return STARLING_OK;
  }
  // Lays out a fresh core for the caller's capacity (not ready until the
  // caller's operation succeeds).
  static bool prepare(S* p, size_t size, int max_dims) {
    if (size < kHeaderBytes) return false;
    p->magic_ = 0;
    const size_t need = required_size(max_dims);
    if (need == 0 || size < need || size > std::numeric_limits<uint32_t>::max()) return false;
    p->max_dims_ = max_dims;
    p->size_ = static_cast<uint32_t>(size);
    p->reserved_ = 0;
    ::new (static_cast<void*>(storage(p))) Core();  // placement: no allocation
    return true;
  }

  static starling_status config_default(typename T::CConfig* cfg) {
    if (cfg == nullptr) return STARLING_INVALID_ARGUMENT;
    T::to_c(typename T::Config{}, cfg);
    return STARLING_OK;
  }
  static starling_status init(S* p, size_t size, int max_dims, const float* lo, const float* hi, int dims,
                              const typename T::CConfig* cfg, uint64_t seed) {
    if (p == nullptr || !prepare(p, size, max_dims) || cfg == nullptr) return STARLING_INVALID_ARGUMENT;
    const Status st = core(p)->init(arrays(p), lo, hi, dims, 0, T::to_cpp(*cfg), seed,
                                    validate(T::to_cpp(*cfg)) == Status::Ok);
    if (st == Status::Ok) p->magic_ = T::kMagic;
    return to_c(st);
  }
  static const float* ask(S* p) { return check(p) == Check::Ready ? core(p)->ask(arrays(p)) : nullptr; }
  static starling_status tell(S* p, float cost) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->tell(arrays(p), cost));
  }
  static int done(const S* p) { return check(p) == Check::Ready ? (core(p)->done() ? 1 : 0) : 1; }
  static starling_stop_reason stop_reason(const S* p) {
    if (check(p) != Check::Ready) return STARLING_STOP_NONE;
    return static_cast<starling_stop_reason>(static_cast<int>(core(p)->stop_reason()));
  }
  static const float* best_position(const S* p) {
    if (check(p) != Check::Ready || !core(p)->has_best()) return nullptr;
    return T::best(floats(p), p->max_dims_);
  }
  static float best_value(const S* p) {
    return check(p) == Check::Ready ? core(p)->best_value() : std::numeric_limits<float>::infinity();
  }
  static long evaluations(const S* p) { return check(p) == Check::Ready ? core(p)->evaluations() : 0; }
  static int iteration(const S* p) { return check(p) == Check::Ready ? core(p)->iteration() : 0; }
  static int dims(const S* p) { return check(p) == Check::Ready ? core(p)->dims() : 0; }
  static starling_status minimize(S* p, float (*cost)(const float*, int, void*), void* user) {
    if (cost == nullptr) return STARLING_INVALID_ARGUMENT;
    const starling_status g = gate(p);
    if (g != STARLING_OK) return g;
    Core* c = core(p);
    const auto a = arrays(p);
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
  static long infeasible_count(const S* p) {
    return check(p) == Check::Ready ? core(p)->infeasible_count() : 0;
  }
  static long fallback_count(const S* p) { return check(p) == Check::Ready ? core(p)->fallback_count() : 0; }
  static size_t save_size(const S* p) {
    return check(p) == Check::Ready ? Core::state_size(core(p)->dims()) : 0;
  }
  static starling_status save(const S* p, uint8_t* buf, size_t cap, size_t* written) {
    if (buf == nullptr) return STARLING_INVALID_ARGUMENT;
    const starling_status g = gate(p);
    // save() only reads through the view.
    return g != STARLING_OK ? g : to_c(core(p)->save(arrays(const_cast<S*>(p)), buf, cap, written));
  }
  static starling_status check_invariants(const S* p) {
    const starling_status g = gate(p);
    // check_invariants() only reads through the view.
    return g != STARLING_OK ? g : to_c(core(p)->check_invariants(arrays(const_cast<S*>(p))));
  }
  static starling_status load(S* p, size_t size, int max_dims, const uint8_t* buf, size_t n) {
    if (p == nullptr || buf == nullptr) return STARLING_INVALID_ARGUMENT;
    switch (check(p)) {
      case Check::Corrupt: return STARLING_CORRUPT;
      case Check::Ready: return to_c(core(p)->load(arrays(p), buf, n));
      case Check::NotReady: break;
    }
    if (!prepare(p, size, max_dims)) return STARLING_INVALID_ARGUMENT;
    const Status st = core(p)->load(arrays(p), buf, n);
    if (st == Status::Ok) p->magic_ = T::kMagic;
    return to_c(st);
  }
};

}  // namespace capi
}  // namespace starling

// The extern "C" functions of one optimizer: starling_<prefix>_ask and so on.
#define STARLING_C_FAMILY_DEFINE(prefix, T)                                                              \
  using prefix##_family = starling::capi::Family<T>;                                                     \
  extern "C" {                                                                                           \
  starling_status starling_##prefix##_config_default(T::CConfig* cfg) {                                  \
    return prefix##_family::config_default(cfg);                                                         \
  }                                                                                                      \
  starling_status starling_##prefix##_init_capacity(T::CStruct* p, size_t size, int max_dims,            \
                                                    const float* lo, const float* hi, int dims,          \
                                                    const T::CConfig* cfg, uint64_t seed) {              \
    return prefix##_family::init(p, size, max_dims, lo, hi, dims, cfg, seed);                            \
  }                                                                                                      \
  const float* starling_##prefix##_ask(T::CStruct* p) { return prefix##_family::ask(p); }                \
  starling_status starling_##prefix##_tell(T::CStruct* p, float cost) {                                  \
    return prefix##_family::tell(p, cost);                                                               \
  }                                                                                                      \
  int starling_##prefix##_done(const T::CStruct* p) { return prefix##_family::done(p); }                 \
  starling_stop_reason starling_##prefix##_stop_reason(const T::CStruct* p) {                            \
    return prefix##_family::stop_reason(p);                                                              \
  }                                                                                                      \
  const float* starling_##prefix##_best_position(const T::CStruct* p) {                                  \
    return prefix##_family::best_position(p);                                                            \
  }                                                                                                      \
  float starling_##prefix##_best_value(const T::CStruct* p) { return prefix##_family::best_value(p); }   \
  long starling_##prefix##_evaluations(const T::CStruct* p) { return prefix##_family::evaluations(p); }  \
  int starling_##prefix##_iteration(const T::CStruct* p) { return prefix##_family::iteration(p); }       \
  int starling_##prefix##_dims(const T::CStruct* p) { return prefix##_family::dims(p); }                 \
  starling_status starling_##prefix##_minimize(T::CStruct* p, float (*cost)(const float*, int, void*),   \
                                               void* user) {                                             \
    return prefix##_family::minimize(p, cost, user);                                                     \
  }                                                                                                      \
  starling_status starling_##prefix##_set_feasible(T::CStruct* p, starling_feasible_fn pred, void* ctx,  \
                                                   int max_tries) {                                      \
    return prefix##_family::set_feasible(p, pred, ctx, max_tries);                                       \
  }                                                                                                      \
  starling_status starling_##prefix##_set_trust_radius(T::CStruct* p, float fraction) {                  \
    return prefix##_family::set_trust_radius(p, fraction);                                               \
  }                                                                                                      \
  starling_status starling_##prefix##_set_start(T::CStruct* p, const float* x) {                         \
    return prefix##_family::set_start(p, x);                                                             \
  }                                                                                                      \
  long starling_##prefix##_infeasible_count(const T::CStruct* p) {                                       \
    return prefix##_family::infeasible_count(p);                                                         \
  }                                                                                                      \
  long starling_##prefix##_fallback_count(const T::CStruct* p) {                                         \
    return prefix##_family::fallback_count(p);                                                           \
  }                                                                                                      \
  size_t starling_##prefix##_save_size(const T::CStruct* p) { return prefix##_family::save_size(p); }    \
  starling_status starling_##prefix##_save(const T::CStruct* p, uint8_t* buf, size_t cap,                \
                                           size_t* written) {                                            \
    return prefix##_family::save(p, buf, cap, written);                                                  \
  }                                                                                                      \
  starling_status starling_##prefix##_load_capacity(T::CStruct* p, size_t size, int max_dims,            \
                                                    const uint8_t* buf, size_t n) {                      \
    return prefix##_family::load(p, size, max_dims, buf, n);                                             \
  }                                                                                                      \
  starling_status starling_##prefix##_check_invariants(const T::CStruct* p) {                            \
    return prefix##_family::check_invariants(p);                                                         \
  }                                                                                                      \
  size_t starling_##prefix##_size(int max_dims) { return prefix##_family::required_size(max_dims); }     \
  }
