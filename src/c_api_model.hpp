// SPDX-License-Identifier: MIT
// src/c_api_model.hpp: the C API of Bobyqa, BayesOpt and Tuner
// (starling/starling_model.h) once, as a template over a traits class that
// says how each optimizer's arrays are laid out in the caller's struct;
// src/c_api_bobyqa.cpp, c_api_bayesopt.cpp and c_api_tuner.cpp instantiate it.
//
// Layout of a struct's storage_ for the capacities stored in its header:
// [0, CORE_BYTES) the size-erased C++ core, then the arrays (floats, then
// Bobyqa's int32 pivots) in the order the traits' arrays() carves them.
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

// Tr provides: Struct, Core, CConfig, Config, kMagic, kCoreBytes,
// required_size(d, n) (0 when out of range), arrays(float*, d, n),
// to_cpp(CConfig), from_cpp(Config, CConfig*), fits(core, d, n) (the core's
// sizes within the capacities) and save_size(core).
template <class Tr>
struct Api {
  using S = typename Tr::Struct;
  using Core = typename Tr::Core;
  using Arrays = typename Core::Arrays;
  enum class Check { Ready, NotReady, Corrupt };

  static_assert(sizeof(Core) <= Tr::kCoreBytes, "the core grew: raise its CORE_BYTES in starling_model.h");
  static_assert(offsetof(S, storage_) == 16, "header is 16 bytes");
  static_assert(alignof(Core) <= alignof(decltype(S::storage_)), "storage_ not aligned enough");
  static_assert(std::is_trivially_copyable<Core>::value, "the core must be trivially copyable");
  static_assert(std::is_trivially_destructible<Core>::value, "the core must be trivially destructible");

  static unsigned char* storage(S* p) { return reinterpret_cast<unsigned char*>(p) + offsetof(S, storage_); }
  static const unsigned char* storage(const S* p) {
    return reinterpret_cast<const unsigned char*>(p) + offsetof(S, storage_);
  }
  static Core* core(S* p) { return std::launder(reinterpret_cast<Core*>(storage(p))); }
  static const Core* core(const S* p) { return std::launder(reinterpret_cast<const Core*>(storage(p))); }
  static Arrays arrays_for(const S* p, int d, int n) {
    // The views only read through a const struct's arrays (save, checks).
    float* f = reinterpret_cast<float*>(const_cast<unsigned char*>(storage(p)) + Tr::kCoreBytes);
    return Tr::arrays(f, d, n);
  }
  static Arrays arrays(const S* p) { return arrays_for(p, p->max_dims_, p->max_obs_); }

  static Check check(const S* p) {
    if (p == nullptr || p->magic_ != Tr::kMagic) return Check::NotReady;
    const size_t need = Tr::required_size(p->max_dims_, p->max_obs_);
    if (need == 0 || need > p->size_) return Check::Corrupt;
    const Core* c = core(p);
    if (!c->ready() || c->dims() < 1 || c->dims() > p->max_dims_ || !Tr::fits(*c, p->max_dims_, p->max_obs_))
      return Check::Corrupt;
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
  static bool sizes_ok(size_t size, int d, int n) {
    const size_t need = Tr::required_size(d, n);
    return need != 0 && size >= need && size <= std::numeric_limits<uint32_t>::max();
  }

  static starling_status config_default(typename Tr::CConfig* cfg) {
    if (cfg == nullptr) return STARLING_INVALID_ARGUMENT;
    Tr::from_cpp(typename Tr::Config{}, cfg);
    return STARLING_OK;
  }
  static starling_status init(S* p, size_t size, int d, int n, const float* lo, const float* hi, int dims,
                              int pop, const typename Tr::CConfig* cfg, uint64_t seed) {
    if (p == nullptr || size < offsetof(S, storage_)) return STARLING_INVALID_ARGUMENT;
    p->magic_ = 0;  // not ready until this init succeeds
    if (!sizes_ok(size, d, n) || cfg == nullptr) return STARLING_INVALID_ARGUMENT;
    p->max_dims_ = d;
    p->max_obs_ = n;
    p->size_ = static_cast<uint32_t>(size);
    Core* c = ::new (static_cast<void*>(storage(p))) Core();  // placement: no allocation
    const typename Tr::Config k = Tr::to_cpp(*cfg);
    const Status st = c->init(arrays(p), lo, hi, dims, pop, k, seed, validate(k) == Status::Ok);
    if (st == Status::Ok) p->magic_ = Tr::kMagic;
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
    return arrays(p).best;
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
  static size_t save_size(const S* p) { return check(p) == Check::Ready ? Tr::save_size(*core(p)) : 0; }
  static starling_status save(const S* p, uint8_t* buf, size_t cap, size_t* written) {
    if (buf == nullptr) return STARLING_INVALID_ARGUMENT;
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->save(arrays(p), buf, cap, written));
  }
  static starling_status load(S* p, size_t size, int d, int n, const uint8_t* buf, size_t bytes) {
    if (p == nullptr || buf == nullptr) return STARLING_INVALID_ARGUMENT;
    switch (check(p)) {
      case Check::Corrupt: return STARLING_CORRUPT;
      case Check::Ready: return to_c(core(p)->load(arrays(p), buf, bytes));
      case Check::NotReady: break;
    }
    // Not initialized: load into a fresh core on the stack over the arrays
    // of the caller's capacities; only a successful load writes the struct.
    if (size < offsetof(S, storage_) || !sizes_ok(size, d, n)) return STARLING_INVALID_ARGUMENT;
    Core fresh;
    const Status st = fresh.load(arrays_for(p, d, n), buf, bytes);
    if (st != Status::Ok) return to_c(st);
    ::new (static_cast<void*>(storage(p))) Core(fresh);  // placement: no allocation
    p->max_dims_ = d;
    p->max_obs_ = n;
    p->size_ = static_cast<uint32_t>(size);
    p->magic_ = Tr::kMagic;
    return STARLING_OK;
  }
  static starling_status check_invariants(const S* p) {
    const starling_status g = gate(p);
    return g != STARLING_OK ? g : to_c(core(p)->check_invariants(arrays(p)));
  }
};

// Stop rules, shared by every config.
template <class C, class K>
void stop_rules_to_cpp(const C& c, K* k) {
  k->max_iter = c.max_iter;
  k->max_evals = c.max_evals;
  k->target = c.target;
  k->stall_iter = c.stall_iter;
}
template <class K, class C>
void stop_rules_from_cpp(const K& k, C* c) {
  c->max_iter = k.max_iter;
  c->max_evals = k.max_evals;
  c->target = k.target;
  c->stall_iter = k.stall_iter;
}

}  // namespace capi
}  // namespace starling

// The extern "C" functions of one optimizer `name` over Api<Tr>.
#define STARLING_MODEL_C_API(name, Tr)                                                                  \
  extern "C" {                                                                                          \
  using name##_api = starling::capi::Api<Tr>;                                                           \
  starling_status starling_##name##_config_default(starling_##name##_config* cfg) {                     \
    return name##_api::config_default(cfg);                                                             \
  }                                                                                                     \
  starling_status starling_##name##_init_capacity(starling_##name* s, size_t size, int max_dims,        \
                                                  int max_obs, const float* lo, const float* hi,        \
                                                  int dims, int pop, const starling_##name##_config* c, \
                                                  uint64_t seed) {                                      \
    return name##_api::init(s, size, max_dims, max_obs, lo, hi, dims, pop, c, seed);                    \
  }                                                                                                     \
  const float* starling_##name##_ask(starling_##name* s) { return name##_api::ask(s); }                 \
  starling_status starling_##name##_tell(starling_##name* s, float cost) {                              \
    return name##_api::tell(s, cost);                                                                   \
  }                                                                                                     \
  int starling_##name##_done(const starling_##name* s) { return name##_api::done(s); }                  \
  starling_stop_reason starling_##name##_stop_reason(const starling_##name* s) {                        \
    return name##_api::stop_reason(s);                                                                  \
  }                                                                                                     \
  const float* starling_##name##_best_position(const starling_##name* s) {                              \
    return name##_api::best_position(s);                                                                \
  }                                                                                                     \
  float starling_##name##_best_value(const starling_##name* s) { return name##_api::best_value(s); }    \
  long starling_##name##_evaluations(const starling_##name* s) { return name##_api::evaluations(s); }   \
  int starling_##name##_iteration(const starling_##name* s) { return name##_api::iteration(s); }        \
  int starling_##name##_dims(const starling_##name* s) { return name##_api::dims(s); }                  \
  starling_status starling_##name##_minimize(starling_##name* s,                                        \
                                             float (*cost)(const float*, int, void*), void* user) {     \
    return name##_api::minimize(s, cost, user);                                                         \
  }                                                                                                     \
  starling_status starling_##name##_set_feasible(starling_##name* s, starling_feasible_fn pred,         \
                                                 void* ctx, int max_tries) {                            \
    return name##_api::set_feasible(s, pred, ctx, max_tries);                                           \
  }                                                                                                     \
  starling_status starling_##name##_set_trust_radius(starling_##name* s, float fraction) {              \
    return name##_api::set_trust_radius(s, fraction);                                                   \
  }                                                                                                     \
  starling_status starling_##name##_set_start(starling_##name* s, const float* x) {                     \
    return name##_api::set_start(s, x);                                                                 \
  }                                                                                                     \
  size_t starling_##name##_save_size(const starling_##name* s) { return name##_api::save_size(s); }     \
  starling_status starling_##name##_save(const starling_##name* s, uint8_t* buf, size_t cap,            \
                                         size_t* written) {                                             \
    return name##_api::save(s, buf, cap, written);                                                      \
  }                                                                                                     \
  starling_status starling_##name##_load_capacity(starling_##name* s, size_t size, int max_dims,        \
                                                  int max_obs, const uint8_t* buf, size_t n) {          \
    return name##_api::load(s, size, max_dims, max_obs, buf, n);                                        \
  }                                                                                                     \
  starling_status starling_##name##_check_invariants(const starling_##name* s) {                        \
    return name##_api::check_invariants(s);                                                             \
  }                                                                                                     \
  size_t starling_##name##_size(int max_dims, int max_obs) { return Tr::required_size(max_dims, max_obs); } \
  }
