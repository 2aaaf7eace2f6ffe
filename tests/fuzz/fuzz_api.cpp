// SPDX-License-Identifier: MIT
// libFuzzer target: fuzzer-chosen sequences of every public optimizer call
// (init, ask, tell, ask_batch, tell_batch, save, load, set_feasible,
// set_trust_radius, set_start, minimize) with hostile values, for every
// optimizer of starling/optimizers.hpp with Real = float and double, and for
// Pso float the C API in lockstep. After every call it asserts the documented
// promises against an independent model of the run (Model below): statuses;
// asked points finite, in the box, in the trust box, accepted by the
// predicate (or the trusted centre); best_position() the best point told and
// NaN never best; a refused load leaves every byte of the object as it was;
// check_invariants() holds; and replicas (the C struct, and a twin loaded
// from a save) give the same answers and the same saved bytes forever after,
// which is save -> load -> continue reproducing the run.
//
// Built by tests/core/meson.build with clang and -fsanitize=fuzzer. Session:
//   ./build-fuzz/tests/core/fuzz_api -max_total_time=600 -jobs=1 tests/fuzz/corpus_api
// Input: byte 0 picks the optimizer (its index in STARLING_OPTIMIZERS); the
// rest is a sequence of operations (Lane::step), run once with float and once
// with double. A new optimizer is fuzzed as soon as it is in the registry;
// FuzzConfig<ItsConfig> may add its own config fields (the default fuzzes
// the stop rules over the default config).
#define STARLING_MAX_DIMS 4
#define STARLING_MAX_PARTICLES 6
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include "starling/crc32.hpp"
#include "starling/optimizers.hpp"
#include "starling/starling.h"

namespace {

using starling::Status;
using starling::StopReason;

constexpr int kDims = STARLING_MAX_DIMS;
constexpr int kPop = STARLING_MAX_PARTICLES;
constexpr int kMaxOps = 200;
// STARLING_FUZZ_TRACE=1 prints every operation and the run's state.
const bool g_trace = std::getenv("STARLING_FUZZ_TRACE") != nullptr;

[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "fuzz_api: promise broken at line %d: %s\n", line, what);
  __builtin_trap();
}
#define REQUIRE(c) ((c) ? (void)0 : fail(#c, __LINE__))

// ---- input ------------------------------------------------------------------

struct Input {
  const uint8_t* p;
  size_t n;
  size_t i = 0;
  bool more() const { return i < n; }
  uint8_t u8() { return i < n ? p[i++] : 0; }
  uint32_t u16() {
    const uint32_t lo = u8();
    return lo | static_cast<uint32_t>(u8()) << 8;
  }
  uint32_t u32() {
    const uint32_t lo = u16();
    return lo | u16() << 16;
  }
  uint64_t u64() {
    const uint64_t lo = u32();
    return lo | static_cast<uint64_t>(u32()) << 32;
  }
};

template <class Real>
Real from_bits(uint64_t b) {
  Real r;
  if constexpr (sizeof(Real) == 4) {
    const uint32_t u = static_cast<uint32_t>(b);
    std::memcpy(&r, &u, 4);
  } else {
    std::memcpy(&r, &b, 8);
  }
  return r;
}
template <class Real>
bool same(Real a, Real b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}
template <class Real>
bool same_point(const Real* a, const Real* b, int n) {
  return std::memcmp(a, b, sizeof(Real) * static_cast<size_t>(n)) == 0;
}

// A hostile value: Real's special values, the edges of the documented
// ranges, raw bits, or (most often) a small number on a 1/32 grid.
template <class Real>
Real hostile(Input& in) {
  using L = std::numeric_limits<Real>;
  const uint8_t k = in.u8();
  switch (k % 24) {
    case 0: return Real(0);
    case 1: return -Real(0);
    case 2: return L::quiet_NaN();
    case 3: return L::infinity();
    case 4: return -L::infinity();
    case 5: return L::denorm_min();
    case 6: return -L::denorm_min();
    case 7: return L::min();
    case 8: return L::max();
    case 9: return -L::max();
    case 10: return L::max() / 32;
    case 11: return L::min() * Real(16777216);
    case 12: return from_bits<Real>(in.u64());
    case 13: return Real(1e30f);
    case 14: return Real(-1e30f);
    case 15: return Real(1) + L::epsilon();
    default: return static_cast<Real>(static_cast<int8_t>(in.u8())) / Real(32);
  }
}

// The objective the runs minimize: a pure function of x (replicas evaluate
// it separately), NaN, +inf or −inf at some points.
template <class Real>
Real objective(const Real* x, int dims) {
  Real s = 0;
  uint32_t h = 2166136261u;
  for (int d = 0; d < dims; ++d) {
    const Real e = x[d] - Real(0.1) * static_cast<Real>(d);
    s = s + e * e * static_cast<Real>(d + 1);
    uint32_t u = 0;
    std::memcpy(&u, &x[d], 4);
    h = (h ^ u) * 16777619u;
  }
  if (h % 11 == 3) return std::numeric_limits<Real>::quiet_NaN();
  if (h % 13 == 5) return std::numeric_limits<Real>::infinity();
  if (h % 17 == 7) return -std::numeric_limits<Real>::infinity();
  return s;
}
float c_objective(const float* x, int dims, void*) { return objective(x, dims); }

// ---- feasibility predicates (ctx counts the calls) ---------------------------

struct PredCtx {
  long calls = 0;
};
template <class Real>
void count(void* ctx) {
  if (ctx != nullptr) ++static_cast<PredCtx*>(ctx)->calls;
}
template <class Real>
bool pred_half(const Real* x, int dims, void* ctx) {
  count<Real>(ctx);
  return dims < 2 ? x[0] < Real(0.5) : x[0] + x[1] < Real(0.8);
}
template <class Real>
bool pred_ball(const Real* x, int dims, void* ctx) {
  count<Real>(ctx);
  Real r2 = 0;
  for (int d = 0; d < dims; ++d) r2 += (x[d] - Real(0.3)) * (x[d] - Real(0.3));
  return r2 >= Real(0.25);
}
template <class Real>
bool pred_none(const Real*, int, void* ctx) {
  count<Real>(ctx);
  return false;
}
template <class Real>
bool pred_all(const Real*, int, void* ctx) {
  count<Real>(ctx);
  return true;
}
template <class Real>
bool pred_thin(const Real* x, int, void* ctx) {
  count<Real>(ctx);
  return x[0] >= Real(0.1) && x[0] <= Real(0.1001);
}
constexpr int kPreds = 6;
template <class Real>
using PredFn = bool (*)(const Real*, int, void*);
template <class Real>
PredFn<Real> predicate(int id) {
  switch (id) {
    case 1: return &pred_half<Real>;
    case 2: return &pred_ball<Real>;
    case 3: return &pred_none<Real>;
    case 4: return &pred_all<Real>;
    case 5: return &pred_thin<Real>;
    default: return nullptr;
  }
}

// ---- configs ------------------------------------------------------------------

template <class Cfg>
void fuzz_stop_rules(Input& in, Cfg& c, bool nice) {
  const uint8_t a = in.u8(), b = in.u8(), t = in.u8(), s = in.u8();
  if (nice) {
    c.max_iter = 1 + a % 24;
    c.max_evals = b % 3 == 0 ? b / 3 : 0;
    c.target = t % 4 == 0 ? static_cast<float>(t) / 64.f : -std::numeric_limits<float>::infinity();
    c.stall_iter = s % 4;
    return;
  }
  const int iters[8] = {0, -1, 1, 2, 5, 40, INT_MAX, INT_MIN};
  const long evals[8] = {0, -1, 1, 5, 17, 100, LONG_MAX, LONG_MIN};
  const int stalls[8] = {0, -1, 1, 2, 3, INT_MAX, INT_MIN, 0};
  c.max_iter = iters[a % 8];
  c.max_evals = evals[b % 8];
  c.target = (t & 1) != 0 ? -std::numeric_limits<float>::infinity() : hostile<float>(in);
  c.stall_iter = stalls[s % 8];
}
template <class Cfg>
bool stop_rules_valid(const Cfg& c) {
  return c.max_iter >= 1 && c.max_evals >= 0 && !std::isnan(c.target) &&
         c.target != std::numeric_limits<float>::infinity() && c.stall_iter >= 0;
}

// What the fuzzer knows of an optimizer's config beyond the stop rules. The
// default keeps the default config's own fields; an optimizer specializes it
// to fuzz them (and to state its population rule, Pso's by default).
template <class Cfg>
struct FuzzConfig {
  static Cfg make(Input& in, bool nice) {
    Cfg c{};
    fuzz_stop_rules(in, c, nice);
    return c;
  }
  static bool valid(const Cfg&, int) { return true; }
  template <class Real>
  static bool valid_box(const Cfg&, const Real*, const Real*, int) {
    return true;
  }
  // The population rules of init (each header): the smallest explicit
  // population, and what 0 means (capped at the capacity by the caller).
  static constexpr int kMinPop = 2;
  static int default_population(const Cfg&, int) { return kPop; }
};
// De and Cmaes: at least 4; 0 = the documented default (De's depends on the
// budget). NelderMead, Spsa, Anneal take no population: only 0.
template <>
inline int FuzzConfig<starling::DeConfig>::default_population(const starling::DeConfig& c, int dims) {
  return starling::detail::de_default_population(dims, c.max_evals);
}
template <>
inline int FuzzConfig<starling::CmaesConfig>::default_population(const starling::CmaesConfig&, int dims) {
  return starling::detail::cmaes_default_population(dims);
}
// Bobyqa, BayesOpt and Tuner: their own fields too, from valid values only
// (validate() itself is tested in test_family and test_model_invariants):
// radii down to Real's floor, both restart rules, the smallest candidate
// search, no likelihood fit, every cost transform, short simplices.
void fuzz_fields(Input& in, starling::BobyqaConfig& c) {
  const uint8_t m = in.u8();
  const float begins[4] = {0.2f, 0.25f, 0.05f, 1e-3f};
  const float ends[4] = {1e-6f, 0.f, 1e-2f, 1e-3f};
  c.rho_begin = begins[m % 4];
  c.rho_end = ends[(m >> 2) % 4];
  if (c.rho_end > c.rho_begin) c.rho_end = c.rho_begin;
  if (m & 16) c.restart = starling::BobyqaRestart::Random;
}
template <class Cfg>
void fuzz_gp_fields(Input& in, Cfg& c) {
  const uint8_t m = in.u8();
  c.candidates = (m & 1) != 0 ? 8 : 128;
  c.fit_evals = (m & 2) != 0 ? 0 : (m & 4) != 0 ? 1 : 24;
  c.transform = static_cast<starling::CostTransform>((m >> 3) % 3);
}
void fuzz_fields(Input& in, starling::BayesOptConfig& c) { fuzz_gp_fields(in, c); }
void fuzz_fields(Input& in, starling::TunerConfig& c) {
  fuzz_gp_fields(in, c);
  const uint8_t m = in.u8();
  const int models[4] = {0, 1, 3, 40};
  const float steps[4] = {0.1f, 0.5f, 0.02f, 0.25f};
  const float ends[4] = {1e-4f, 0.f, 1e-2f, 0.2f};
  c.model_evals = models[m % 4];
  c.step = steps[(m >> 2) % 4];
  c.step_end = ends[(m >> 4) % 4];
  if (!(c.step_end < c.step)) c.step_end = 0;
}
template <class Cfg>
struct ModelFuzzConfig {
  static Cfg make(Input& in, bool nice) {
    Cfg c{};
    fuzz_stop_rules(in, c, nice);
    fuzz_fields(in, c);
    return c;
  }
  static bool valid(const Cfg&, int) { return true; }
  template <class Real>
  static bool valid_box(const Cfg&, const Real*, const Real*, int) {
    return true;
  }
  static int default_population(const Cfg&, int) { return kPop; }
};
template <>
struct FuzzConfig<starling::BobyqaConfig> : ModelFuzzConfig<starling::BobyqaConfig> {};
template <>
struct FuzzConfig<starling::BayesOptConfig> : ModelFuzzConfig<starling::BayesOptConfig> {};
template <>
struct FuzzConfig<starling::TunerConfig> : ModelFuzzConfig<starling::TunerConfig> {};

template <class Cfg>
constexpr int min_population() {
  return std::is_same<Cfg, starling::DeConfig>::value || std::is_same<Cfg, starling::CmaesConfig>::value ? 4 : 2;
}

template <>
struct FuzzConfig<starling::PsoConfig> {
  using C = starling::PsoConfig;
  static C make(Input& in, bool nice) {
    const uint8_t preset = in.u8();
    C c = preset % 4 == 0   ? C{}
          : preset % 4 == 1 ? C::inertia()
          : preset % 4 == 2 ? C::empso()
                            : C::fips();
    fuzz_stop_rules(in, c, nice);
    const uint8_t m = in.u8(), m2 = in.u8();
    if (nice) {
      if (m & 1) c.topology = static_cast<starling::Topology>((m >> 1) & 3);
      if (c.variant == starling::Variant::Fips && c.topology == starling::Topology::Random)
        c.topology = starling::Topology::Ring;
      if (m & 8) c.boundary = static_cast<starling::Boundary>((m >> 4) % 3);
      if (m & 64)
        c.neighbors = c.topology == starling::Topology::Ring     ? 2
                      : c.topology == starling::Topology::Random ? 1 + m2 % 4
                                                                 : 0;
      if (m & 128) {
        c.restart_stall = 1 + m2 % 3;
        c.restart_radius = (m2 & 4) != 0 ? 0.25f : 0.f;
      }
      c.bias_correction = (m2 & 8) != 0;
      c.random_per_particle = (m2 & 16) != 0;
      if (m2 & 32) c.stall_tol = (m2 & 64) != 0 ? 0.5f : 0.01f;
      if (m2 & 128) c.local_stall = 1 + (m2 & 1);
      return c;
    }
    if (m & 1) c.variant = static_cast<starling::Variant>(in.u8() % 6);
    if (m & 2) c.w = hostile<float>(in);
    if (m & 4) c.c1 = hostile<float>(in);
    if (m & 8) c.c2 = hostile<float>(in);
    if (m & 16) c.beta = hostile<float>(in);
    if (m & 32) c.v_max = hostile<float>(in);
    if (m & 64) c.boundary = static_cast<starling::Boundary>(in.u8() % 5);
    if (m & 128) c.topology = static_cast<starling::Topology>(in.u8() % 6);
    if (m2 & 1) c.w_end = hostile<float>(in);
    if (m2 & 2) {
      const int nb[10] = {-1, 0, 1, 2, 3, 4, 5, 6, INT_MAX, INT_MIN};
      c.neighbors = nb[in.u8() % 10];
    }
    if (m2 & 4) {
      const int rs[8] = {-1, 0, 1, 2, 3, 1 << 20, (1 << 20) + 1, INT_MAX};
      c.restart_stall = rs[in.u8() % 8];
    }
    if (m2 & 8) c.restart_radius = hostile<float>(in);
    if (m2 & 16) c.bias_correction = !c.bias_correction;
    if (m2 & 32) c.random_per_particle = !c.random_per_particle;
    if (m2 & 64) c.stall_tol = hostile<float>(in);
    if (m2 & 128) {
      const int rh[8] = {-1, 0, 1, 2, 15, 1 << 20, (1 << 20) + 1, INT_MAX};
      const uint8_t k = in.u8();
      c.restart_rehits = rh[k % 8];
      c.local_stall = rh[(k >> 3) % 8];
    }
    return c;
  }
  // The documented ranges (pso.hpp: PsoConfig, Pso::init), not validate().
  static bool valid(const C& c, int particles) {
    auto in = [](float v, float a, float b) { return std::isfinite(v) && v >= a && v <= b; };
    const int v = static_cast<int>(c.variant), b = static_cast<int>(c.boundary),
              t = static_cast<int>(c.topology);
    if (v < 0 || v > 3 || b < 0 || b > 2 || t < 0 || t > 3) return false;
    if (!in(c.w, -1, 1) || !in(c.w_end, -1, 1) || !in(c.c1, 0, 10) || !in(c.c2, 0, 10)) return false;
    if (!(std::isfinite(c.beta) && c.beta >= 0 && c.beta < 1)) return false;
    if (!(std::isfinite(c.v_max) && c.v_max > 0 && c.v_max <= 1)) return false;
    if (c.neighbors < 0) return false;
    if (c.topology == starling::Topology::Ring && (c.neighbors % 2 != 0 || c.neighbors >= particles))
      return false;
    if (c.topology == starling::Topology::Random && c.neighbors > 4) return false;
    if (c.variant == starling::Variant::Fips && c.topology == starling::Topology::Random) return false;
    return c.restart_stall >= 0 && c.restart_stall <= (1 << 20) && in(c.restart_radius, 0, 1) &&
           in(c.stall_tol, 0, 1) && c.restart_rehits >= 0 && c.restart_rehits <= (1 << 20) &&
           c.local_stall >= 0 && c.local_stall <= (1 << 20);
  }
  template <class Real>
  static bool valid_box(const C& c, const Real* lo, const Real* hi, int dims) {
    for (int d = 0; d < dims; ++d)
      if (!(static_cast<Real>(c.v_max) * (hi[d] - lo[d]) >= std::numeric_limits<Real>::min()))
        return false;
    return true;
  }
  static int default_population(const C&, int dims) { return starling::detail::pso_default_particles(dims); }
};

// The documented interval rule (detail::valid_interval).
template <class Real>
bool interval_ok(Real lo, Real hi) {
  using L = std::numeric_limits<Real>;
  return std::isfinite(lo) && std::isfinite(hi) && lo < hi && hi - lo <= L::max() / 32 &&
         hi - lo >= L::min() * Real(16777216);
}

template <class Real>
void make_interval(Input& in, bool nice, Real& lo, Real& hi) {
  const uint8_t k = in.u8();
  if (nice || k % 4 != 0) {
    lo = -static_cast<Real>(1 + k % 4) / 2;
    hi = lo + Real(0.5) + static_cast<Real>((k >> 2) % 8) / 4;
    return;
  }
  using L = std::numeric_limits<Real>;
  switch ((k >> 2) % 8) {
    case 0: lo = hostile<Real>(in); hi = hostile<Real>(in); break;
    case 1: lo = hi = hostile<Real>(in); break;                  // empty
    case 2: lo = 1; hi = -1; break;                              // inverted
    case 3: lo = 0; hi = L::denorm_min() * static_cast<Real>(1 + in.u8()); break;  // denormal
    case 4: lo = 0; hi = L::min() * Real(16777216); break;       // the smallest range
    case 5: lo = 0; hi = L::min() * Real(16777215); break;       // just below it
    case 6: lo = -L::max() / 64; hi = L::max() / 64; break;      // the largest range
    default: lo = 1e20f; hi = lo * (1 + 4 * L::epsilon()); break;  // a few ulps
  }
}

// ---- optional members -------------------------------------------------------------

template <class Opt>
using RealOf = typename std::remove_cv<
    typename std::remove_pointer<decltype(std::declval<Opt&>().best_position())>::type>::type;
template <class Opt, class = void>
struct HasBatch : std::false_type {};
template <class Opt>
struct HasBatch<Opt, decltype((void)std::declval<Opt&>().ask_batch(nullptr, 0))> : std::true_type {};
template <class Opt, class = void>
struct TakesPop : std::true_type {};  // kHasPopulation = false: init accepts only 0
template <class Opt>
struct TakesPop<Opt, typename std::enable_if<!Opt::kHasPopulation>::type> : std::false_type {};
template <class Opt, class = void>
struct HasCheck : std::false_type {};
template <class Opt>
struct HasCheck<Opt, decltype((void)std::declval<const Opt&>().check_invariants())>
    : std::true_type {};
template <class Opt, class = void>
struct HasTries : std::false_type {};
template <class Opt>
struct HasTries<Opt, decltype((void)std::declval<const Opt&>().max_feasible_tries())>
    : std::true_type {};

template <class Opt, class = void>
struct HasInformants : std::false_type {};
template <class Opt>
struct HasInformants<Opt, decltype((void)std::declval<const Opt&>().informants(0, nullptr, 0))>
    : std::true_type {};

template <class Opt>
Status invariants(const Opt& o) {
  if constexpr (HasCheck<Opt>::value) {
    return o.check_invariants();
  } else {
    return o.done() && o.best_position() == nullptr && o.evaluations() == 0 ? Status::NotReady
                                                                           : Status::Ok;
  }
}

// ---- the model ------------------------------------------------------------------

template <class Real>
struct Model {
  static constexpr Real kInf = std::numeric_limits<Real>::infinity();
  bool ready = false;   // a run exists (init or load succeeded)
  bool strict = true;   // the model knows the run (false after an edited blob was accepted)
  bool stopped = false;
  int dims = 0, pop = 0;
  Real lo[kDims] = {}, hi[kDims] = {};
  int max_iter = 0, stall_iter = 0;
  long max_evals = 0;
  float target = 0;
  long evals = 0;
  Real best = kInf;
  Real best_x[kDims] = {};
  bool has_start = false;
  Real start[kDims] = {};
  bool pending = false;
  const Real* pending_ptr = nullptr;
  Real pending_x[kDims] = {};
  int batch_n = 0;
  bool told[kPop] = {};
  Real batch_cost[kPop] = {};
  const Real* batch_ptr[kPop] = {};
  Real batch_x[kPop][kDims] = {};
  // Safe tuning: the predicate survives init and load; trust and max_tries
  // are saved.
  int pred = 0;
  int max_tries = 0;
  float trust = 0;
};

// The C API beside Pso<kDims, kPop, float>; NoC for every other lane.
struct NoC {
  static constexpr bool on = false;
};
struct CApi {
  static constexpr bool on = true;
  starling_pso s;
};

template <class Opt>
constexpr size_t kBlobCap = Opt::kMaxSaveSize + 64;

template <class Opt, class Cfg, class C>
class Lane {
 public:
  using Real = RealOf<Opt>;
  static constexpr Real kInf = std::numeric_limits<Real>::infinity();

  Lane(Opt& o, Opt& twin, C& c) : o_(o), tw_(twin), c_(c) {}

  void run(Input& in) {
    o_ = Opt{};
    tw_ = Opt{};
    if constexpr (C::on) std::memset(&c_.s, 0, sizeof c_.s);
    m_ = Model<Real>{};
    twin_on_ = false;
    ctx_o_ = ctx_t_ = ctx_c_ = PredCtx{};
    twin_base_ = 0;
    for (Slot& s : slots_) s.valid = false;
    for (int k = 0; k < kMaxOps && in.more(); ++k) step(in);
  }

 private:
  struct Slot {
    bool valid = false;
    size_t n = 0;
    uint8_t blob[kBlobCap<Opt>];
    Model<Real> m;
  };

  Opt& o_;
  Opt& tw_;
  C& c_;
  bool twin_on_ = false;
  Model<Real> m_;
  PredCtx ctx_o_, ctx_t_, ctx_c_;
  long twin_base_ = 0;
  Slot slots_[2];
  uint8_t buf_[kBlobCap<Opt>];
  uint8_t buf2_[kBlobCap<Opt>];
  alignas(Opt) unsigned char before_o_[sizeof(Opt)];
  alignas(Opt) unsigned char before_t_[sizeof(Opt)];
  unsigned char before_c_[sizeof(starling_pso)];

  bool c_ready() const {
    if constexpr (C::on) return starling_pso_dims(&c_.s) > 0;
    return false;
  }

  void step(Input& in) {
    const int op = in.u8() % 16;
    run_op(in, op);
    if (g_trace)
      std::fprintf(stderr, "%s op %2d: ready %d strict %d evals %ld iter %d stop %d batch %d twin %d\n",
                   sizeof(Real) == 4 ? "f" : "d", op, m_.ready, m_.strict, o_.evaluations(),
                   o_.iteration(), static_cast<int>(o_.stop_reason()), m_.batch_n, twin_on_);
  }
  void run_op(Input& in, int op) {
    switch (op) {
      case 0: op_init(in, true); break;
      case 1: op_init(in, false); break;
      case 2: (void)op_ask(); break;
      case 3: op_tell(hostile<Real>(in)); break;
      case 4: op_run(in); break;
      case 5: op_ask_batch(in); break;
      case 6: op_tell_batch(in); break;
      case 7: op_finish_batch(in); break;
      case 8: op_save(in); break;
      case 9: op_load(in); break;
      case 10: op_set_feasible(in); break;
      case 11: op_set_trust(in); break;
      case 12: op_set_start(in); break;
      case 13: op_minimize(in); break;
      case 14: op_fork(in); break;
      default:  // nothing: the checks again (padding in hand-made seeds), and the informants
        check_informants();
        post();
        break;
    }
  }

  // ---- init -------------------------------------------------------------------

  void op_init(Input& in, bool nice) {
    Real lo[kDims + 2], hi[kDims + 2];
    const uint8_t a = in.u8(), b = in.u8();
    // Bobyqa's interpolation points: kHasPopulation = false (the family's
    // generic code passes 0), yet init takes dims + 2 .. 2·dims + 1, a range
    // set by dims, not by a capacity (bobyqa.hpp).
    constexpr bool kPoints = std::is_same<Cfg, starling::BobyqaConfig>::value;
    int dims, pop;
    if (nice) {
      dims = 1 + a % kDims;
      pop = b % 8 == 0 || !TakesPop<Opt>::value ? 0 : 2 + b % (kPop - 1);
      if (pop != 0 && pop < min_population<Cfg>()) pop = min_population<Cfg>();
      if (kPoints && b % 2 == 1) pop = dims + 2 + (b >> 1) % dims;
    } else {
      const int ds[8] = {-1, 0, 1, 2, 3, kDims, kDims + 1, INT_MIN};
      const int ps[10] = {-1, 0, 1, 2, 3, kPop - 1, kPop, kPop + 1, INT_MAX, INT_MIN};
      dims = ds[a % 8];
      pop = ps[b % 10];
    }
    for (int d = 0; d < kDims + 2; ++d) make_interval(in, nice, lo[d], hi[d]);
    const Cfg cfg = FuzzConfig<Cfg>::make(in, nice);
    const uint64_t seed = in.u32();
    const int nulls = nice ? 0 : in.u8() % 8;
    const Real* plo = nulls == 1 ? nullptr : lo;
    const Real* phi = nulls == 2 ? nullptr : hi;

    // What the documentation says init returns.
    bool ia = plo == nullptr || phi == nullptr || dims < 1 || pop < 0 ||
              (pop != 0 && pop < min_population<Cfg>()) || (!TakesPop<Opt>::value && !kPoints && pop != 0) ||
              (kPoints && pop != 0 && dims >= 1 && dims <= kDims + 1 && (pop < dims + 2 || pop > 2 * dims + 1));
    bool ce = dims > kDims;
    int parts = pop;
    if (pop == 0 && dims >= 1) {
      parts = FuzzConfig<Cfg>::default_population(cfg, dims);
      if (parts > kPop) parts = kPop;
    }
    if (parts > kPop && !kPoints) ce = true;
    if (!stop_rules_valid(cfg) || (parts >= 2 && !FuzzConfig<Cfg>::valid(cfg, parts))) ia = true;
    if (plo != nullptr && phi != nullptr && dims >= 1 && dims <= kDims) {
      bool box = true;
      for (int d = 0; d < dims; ++d) box = box && interval_ok(lo[d], hi[d]);
      if (!box || !FuzzConfig<Cfg>::valid_box(cfg, lo, hi, dims)) ia = true;
    }
    const Status st = o_.init(plo, phi, dims, pop, cfg, seed);
    if (st == Status::Ok)
      REQUIRE(!ia && !ce);
    else
      REQUIRE((st == Status::InvalidArgument && ia) || (st == Status::CapacityExceeded && ce));
    if constexpr (C::on) {
      const starling_pso_config cc = to_c(cfg);
      const starling_status cs = starling_pso_init(&c_.s, plo, phi, dims, pop, &cc, seed);
      REQUIRE(static_cast<int>(cs) == static_cast<int>(st));
      if (cs == STARLING_OK) reinstall_c(m_.max_tries);  // C's init resets the envelope
    }
    if (twin_on_) REQUIRE(tw_.init(plo, phi, dims, pop, cfg, seed) == st);

    const Model<Real> keep = m_;
    m_ = Model<Real>{};
    m_.pred = keep.pred;
    m_.max_tries = keep.max_tries;
    m_.trust = keep.trust;
    if (st == Status::Ok) {
      m_.ready = true;
      m_.dims = dims;
      m_.pop = parts;
      for (int d = 0; d < dims; ++d) {
        m_.lo[d] = lo[d];
        m_.hi[d] = hi[d];
      }
      m_.max_iter = cfg.max_iter;
      m_.stall_iter = cfg.stall_iter;
      m_.max_evals = cfg.max_evals;
      m_.target = cfg.target;
    }
    post();
  }

  template <class K>
  static starling_pso_config to_c(const K& k) {
    starling_pso_config c;
    c.variant = static_cast<int>(k.variant);
    c.w = k.w;
    c.c1 = k.c1;
    c.c2 = k.c2;
    c.beta = k.beta;
    c.v_max = k.v_max;
    c.boundary = static_cast<int>(k.boundary);
    c.topology = static_cast<int>(k.topology);
    c.max_iter = k.max_iter;
    c.max_evals = k.max_evals;
    c.target = k.target;
    c.stall_iter = k.stall_iter;
    c.w_end = k.w_end;
    c.bias_correction = k.bias_correction ? 1 : 0;
    c.random_per_particle = k.random_per_particle ? 1 : 0;
    c.neighbors = k.neighbors;
    c.restart_stall = k.restart_stall;
    c.restart_radius = k.restart_radius;
    c.stall_tol = k.stall_tol;
    c.restart_rehits = k.restart_rehits;
    c.local_stall = k.local_stall;
    return c;
  }

  // The C struct gets the C++ object's envelope (documented difference: C's
  // init resets it, and a C load into a struct that was not ready needs the
  // predicate again).
  void reinstall_c(int max_tries) {
    if constexpr (C::on) {
      REQUIRE(starling_pso_set_feasible(&c_.s, predicate<float>(m_.pred), &ctx_c_, max_tries) ==
              STARLING_OK);
      REQUIRE(starling_pso_set_trust_radius(&c_.s, o_.trust_radius()) == STARLING_OK);
    }
  }

  // ---- ask / tell -----------------------------------------------------------------

  bool centred() const { return m_.evals > 0 || m_.has_start; }
  const Real* centre() const { return m_.evals > 0 ? m_.best_x : m_.start; }

  // A candidate handed out for the first time: in the box, in the trust box
  // around the centre, and accepted by the predicate unless it is the
  // centre itself (the start, or a fallback to the incumbent).
  void check_new(const Real* x) const {
    for (int d = 0; d < m_.dims; ++d)
      REQUIRE(std::isfinite(x[d]) && x[d] >= m_.lo[d] && x[d] <= m_.hi[d]);
    if (!m_.strict) return;
    const bool at_centre = centred() && same_point(x, centre(), m_.dims);
    if (m_.trust > 0 && centred()) {
      const Real r = static_cast<Real>(m_.trust);
      const Real* c = centre();
      for (int d = 0; d < m_.dims; ++d) {
        const Real rad = r * (m_.hi[d] - m_.lo[d]);
        Real tlo = c[d] - rad, thi = c[d] + rad;
        if (tlo < m_.lo[d]) tlo = m_.lo[d];
        if (thi > m_.hi[d]) thi = m_.hi[d];
        REQUIRE(x[d] >= tlo && x[d] <= thi);
      }
    }
    const PredFn<Real> p = predicate<Real>(m_.pred);
    if (p != nullptr && !at_centre) REQUIRE(p(x, m_.dims, nullptr));
  }

  void apply(const Real* x, Real cost) {
    const Real f = std::isfinite(cost) ? cost : kInf;
    if (m_.evals == 0 || f < m_.best) {
      m_.best = f;
      std::memcpy(m_.best_x, x, sizeof(Real) * static_cast<size_t>(m_.dims));
    }
    ++m_.evals;
  }
  bool model_stops() const {
    return m_.best <= static_cast<Real>(m_.target) || (m_.max_evals > 0 && m_.evals >= m_.max_evals);
  }
  bool infeasible_possible() const {
    return m_.pred != 0 && m_.evals == 0 && !m_.has_start;
  }

  const Real* op_ask() {
    const long calls0 = ctx_o_.calls;
    const bool was_pending = m_.pending;
    const Real* x = o_.ask();
    if constexpr (C::on) {
      const float* xc = starling_pso_ask(&c_.s);
      REQUIRE((xc == nullptr) == (x == nullptr));
      if (x != nullptr) REQUIRE(same_point(x, xc, m_.dims));
    }
    if (twin_on_) {
      const Real* xt = tw_.ask();
      REQUIRE((xt == nullptr) == (x == nullptr));
      if (x != nullptr) REQUIRE(same_point(x, xt, o_.dims()));
    }
    if (!m_.ready) {
      REQUIRE(x == nullptr);
    } else if (!m_.strict) {
      if (x != nullptr)
        for (int d = 0; d < o_.dims(); ++d) REQUIRE(std::isfinite(x[d]));
    } else if (m_.stopped || m_.batch_n > 0) {
      REQUIRE(x == nullptr);
    } else if (x == nullptr) {  // only a run with nothing safe to hand out
      REQUIRE(o_.done() && o_.stop_reason() == StopReason::Infeasible && !was_pending &&
              infeasible_possible());
    } else if (was_pending) {  // the same candidate again, not filtered again
      REQUIRE(x == m_.pending_ptr && same_point(x, m_.pending_x, m_.dims));
      REQUIRE(ctx_o_.calls == calls0);
    } else {
      check_new(x);
      REQUIRE(ctx_o_.calls - calls0 <= m_.max_tries + 1);
      m_.pending = true;
      m_.pending_ptr = x;
      std::memcpy(m_.pending_x, x, sizeof(Real) * static_cast<size_t>(m_.dims));
    }
    post();
    return x;
  }

  void op_tell(Real cost) {
    const Status st = o_.tell(cost);
    if constexpr (C::on)
      REQUIRE(static_cast<int>(starling_pso_tell(&c_.s, cost)) == static_cast<int>(st));
    if (twin_on_) REQUIRE(tw_.tell(cost) == st);
    if (!m_.ready) {
      REQUIRE(st == Status::NotReady);
    } else if (!m_.strict) {
      REQUIRE(st == Status::Ok || st == Status::NotReady || st == Status::Done);
    } else {
      const Status want = m_.stopped                        ? Status::Done
                          : !m_.pending || m_.batch_n > 0 ? Status::NotReady
                                                          : Status::Ok;
      REQUIRE(st == want);
      if (st == Status::Ok) {
        apply(m_.pending_x, cost);
        m_.pending = false;
      }
    }
    post();
  }

  // Ask and tell up to r times: the objective, and now and then a hostile cost.
  void op_run(Input& in) {
    const int r = 1 + in.u8() % 48;
    const uint8_t every = in.u8();
    for (int k = 0; k < r; ++k) {
      const Real* x = op_ask();
      if (x == nullptr) return;
      Real cost = objective(x, o_.dims());
      if (every % 4 == 0 && k % (1 + every / 4 % 8) == 0) {
        const Real bad[6] = {std::numeric_limits<Real>::quiet_NaN(), kInf, -kInf, -Real(0),
                             std::numeric_limits<Real>::denorm_min(),
                             -std::numeric_limits<Real>::max()};
        cost = bad[(k + every) % 6];
      }
      op_tell(cost);
    }
  }

  // ---- batches ------------------------------------------------------------------

  void op_ask_batch(Input& in) {
    if constexpr (HasBatch<Opt>::value) {
      const uint8_t a = in.u8();
      const int caps[8] = {-1, 0, 1, 2, 3, kPop, kPop + 3, INT_MAX};
      const int cap = caps[a % 8];
      const bool null_xs = (a >> 3) % 8 == 0;
      const Real* xs[kPop + 4] = {};
      const long calls0 = ctx_o_.calls;
      const bool was_pending = m_.pending;
      const int n = o_.ask_batch(null_xs ? nullptr : xs, cap);
      const int shown = n < cap ? n : cap;
      if constexpr (C::on) {
        const float* xc[kPop + 4] = {};
        REQUIRE(starling_pso_ask_batch(&c_.s, null_xs ? nullptr : xc, cap) == n);
        for (int k = 0; k < shown; ++k) REQUIRE(same_point(xs[k], xc[k], m_.dims));
      }
      if (twin_on_) {
        const Real* xt[kPop + 4] = {};
        REQUIRE(tw_.ask_batch(null_xs ? nullptr : xt, cap) == n);
        for (int k = 0; k < shown; ++k) REQUIRE(same_point(xs[k], xt[k], o_.dims()));
      }
      if (!m_.ready || null_xs || cap < 1) {
        REQUIRE(n == 0);
      } else if (!m_.strict) {
        REQUIRE(n >= 0 && n <= kPop);
      } else if (m_.stopped) {
        REQUIRE(n == 0);
      } else if (m_.batch_n > 0) {  // the open batch again
        REQUIRE(n == m_.batch_n);
        for (int k = 0; k < shown; ++k)
          REQUIRE(xs[k] == m_.batch_ptr[k] && same_point(xs[k], m_.batch_x[k], m_.dims));
        REQUIRE(ctx_o_.calls == calls0);
      } else if (n == 0) {
        REQUIRE(o_.done() && o_.stop_reason() == StopReason::Infeasible && !was_pending &&
                infeasible_possible());
      } else {
        REQUIRE(n >= 1 && n <= cap && n <= m_.pop &&
                (m_.max_evals == 0 || n <= m_.max_evals - m_.evals));
        for (int k = 0; k < n; ++k) {
          if (k == 0 && was_pending)
            REQUIRE(xs[0] == m_.pending_ptr && same_point(xs[0], m_.pending_x, m_.dims));
          else
            check_new(xs[k]);
          m_.batch_ptr[k] = xs[k];
          std::memcpy(m_.batch_x[k], xs[k], sizeof(Real) * static_cast<size_t>(m_.dims));
          m_.told[k] = false;
        }
        REQUIRE(ctx_o_.calls - calls0 <= static_cast<long>(n + 1) * (m_.max_tries + 1));
        m_.pending = false;
        m_.batch_n = n;
      }
      post();
    } else {
      (void)in;
    }
  }

  void tell_batch(int k, Real cost) {
    if constexpr (HasBatch<Opt>::value) {
      const Status st = o_.tell_batch(k, cost);
      if constexpr (C::on)
        REQUIRE(static_cast<int>(starling_pso_tell_batch(&c_.s, k, cost)) == static_cast<int>(st));
      if (twin_on_) REQUIRE(tw_.tell_batch(k, cost) == st);
      if (!m_.ready) {
        REQUIRE(st == Status::NotReady);
      } else if (!m_.strict) {
        REQUIRE(st == Status::Ok || st == Status::NotReady || st == Status::Done ||
                st == Status::InvalidArgument);
      } else {
        const Status want = m_.stopped                     ? Status::Done
                            : m_.batch_n == 0              ? Status::NotReady
                            : k < 0 || k >= m_.batch_n     ? Status::InvalidArgument
                            : m_.told[k]                   ? Status::NotReady
                                                           : Status::Ok;
        REQUIRE(st == want);
        if (st == Status::Ok) {
          m_.told[k] = true;
          m_.batch_cost[k] = cost;
          bool all = true;
          for (int j = 0; j < m_.batch_n; ++j) all = all && m_.told[j];
          if (all) {  // applied in candidate order, as a serial run; a stop ignores the rest
            for (int j = 0; j < m_.batch_n; ++j) {
              apply(m_.batch_x[j], m_.batch_cost[j]);
              if (model_stops()) break;
            }
            m_.batch_n = 0;
          }
        }
      }
      post();
    } else {
      (void)k;
      (void)cost;
    }
  }

  void op_tell_batch(Input& in) {
    const uint8_t a = in.u8();
    const int ks[4] = {-1, kPop, INT_MAX, INT_MIN};
    const int k = a % 8 < 4 ? static_cast<int>(a % 8) : a % 8 == 4 ? ks[(a >> 3) % 4] : (a >> 3) % kPop;
    tell_batch(k, hostile<Real>(in));
  }

  // Tells every candidate of the open batch in a fuzzer-chosen order.
  void op_finish_batch(Input& in) {
    if constexpr (HasBatch<Opt>::value) {
      const int n = o_.batch_size();
      if (n <= 0 || n > kPop) return;
      int order[kPop];
      for (int k = 0; k < n; ++k) order[k] = k;
      for (int k = n - 1; k > 0; --k) {  // a permutation from the input
        const int j = in.u8() % (k + 1);
        const int t = order[k];
        order[k] = order[j];
        order[j] = t;
      }
      const Real* xs[kPop + 4] = {};
      if (o_.ask_batch(xs, kPop + 4) != n) fail("open batch size", __LINE__);
      if constexpr (C::on) {
        const float* xc[kPop + 4] = {};
        (void)starling_pso_ask_batch(&c_.s, xc, kPop + 4);
      }
      if (twin_on_) {
        const Real* xt[kPop + 4] = {};
        (void)tw_.ask_batch(xt, kPop + 4);
      }
      for (int k = 0; k < n; ++k) tell_batch(order[k], objective(xs[order[k]], o_.dims()));
    } else {
      (void)in;
    }
  }

  // ---- save / load ------------------------------------------------------------

  void op_save(Input& in) {
    const uint8_t a = in.u8();
    const size_t size = o_.save_size();
    const size_t caps[6] = {0, 1, size > 0 ? size - 1 : 0, size, size + 5, kBlobCap<Opt>};
    const size_t cap = caps[a % 6];
    const bool null_buf = (a >> 3) % 8 == 0;
    std::memset(buf_, 0xA5, sizeof buf_);
    size_t w = 12345;
    const Status st = o_.save(null_buf ? nullptr : buf_, cap, &w);
    // Documented: NotReady before init, InvalidArgument for a null buffer,
    // CapacityExceeded when cap < save_size() (nothing written), Ok.
    const bool nr = !m_.ready, ia = null_buf, ce = cap < size;
    if (st == Status::Ok) {
      REQUIRE(!nr && !ia && !ce && w == size);
    } else {
      REQUIRE((st == Status::NotReady && nr) || (st == Status::InvalidArgument && ia) ||
              (st == Status::CapacityExceeded && ce && !nr));
      for (size_t k = 0; k < sizeof buf_; ++k) REQUIRE(buf_[k] == 0xA5);  // nothing written
    }
    if constexpr (C::on) {
      size_t wc = 0;
      const starling_status cs = starling_pso_save(&c_.s, null_buf ? nullptr : buf2_, cap, &wc);
      if (st == Status::Ok)
        REQUIRE(cs == STARLING_OK && wc == w && std::memcmp(buf_, buf2_, w) == 0);
      else
        REQUIRE(cs != STARLING_OK);
    }
    if (st == Status::Ok) {
      Slot& s = slots_[(a >> 6) % 2];
      s.valid = true;
      s.n = w;
      std::memcpy(s.blob, buf_, w);
      s.m = m_;
    }
    post();
  }

  static void reseal(uint8_t* b, size_t n) {
    if (n < 4) return;
    const uint32_t crc = starling::crc32(b, n - 4);
    for (int k = 0; k < 4; ++k) b[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
  }

  void op_load(Input& in) {
    Slot& s = slots_[in.u8() % 2];
    const int kind = in.u8() % 8;
    size_t n = s.valid ? s.n : 0;
    if (s.valid) std::memcpy(buf_, s.blob, n);
    bool edited = false;
    switch (kind) {
      case 1: n = n > 0 ? n - 1 - in.u8() % (n < 16 ? n : 16) : 0; edited = true; break;
      case 2: buf_[n++] = 0; edited = true; break;
      case 3:
      case 4:
        for (int k = 1 + in.u8() % 4; k > 0 && n > 0; --k) {
          const size_t off = in.u16() % n;
          buf_[off] = static_cast<uint8_t>(buf_[off] ^ in.u8());
        }
        if (kind == 4) reseal(buf_, n);
        edited = n == 0 || std::memcmp(buf_, s.blob, n) != 0;
        break;
      case 5:  // a field set to a hostile value, resealed
        if (n > 16) {
          const size_t off = in.u16() % (n - 12);
          const Real v = hostile<Real>(in);
          if (in.u8() % 2 == 0)
            std::memcpy(buf_ + off, &v, sizeof v);
          else
            buf_[off] = in.u8();
          reseal(buf_, n);
        }
        edited = n == 0 || std::memcmp(buf_, s.blob, n) != 0;
        break;
      case 6: break;  // a null buffer
      case 7:         // raw bytes from the input
        n = in.u8() % 96;
        for (size_t k = 0; k < n; ++k) buf_[k] = in.u8();
        edited = true;
        break;
      default: break;
    }
    if (!s.valid && kind != 7) edited = true;
    const uint8_t* p = kind == 6 ? nullptr : buf_;

    std::memcpy(before_o_, static_cast<const void*>(&o_), sizeof(Opt));
    if (twin_on_) std::memcpy(before_t_, static_cast<const void*>(&tw_), sizeof(Opt));
    const bool c_was_ready = c_ready();
    if constexpr (C::on) std::memcpy(before_c_, &c_.s, sizeof c_.s);
    const Status st = o_.load(p, n);
    if (g_trace)
      std::fprintf(stderr, "  load kind %d slot %d bytes %zu edited %d: status %d\n", kind, s.valid ? 1 : 0, n,
                   edited ? 1 : 0, static_cast<int>(st));
    if constexpr (C::on) {
      REQUIRE(static_cast<int>(starling_pso_load(&c_.s, p, n)) == static_cast<int>(st));
      if (st != Status::Ok) REQUIRE(std::memcmp(before_c_, &c_.s, sizeof c_.s) == 0);
    }
    if (twin_on_) {
      REQUIRE(tw_.load(p, n) == st);
      if (st != Status::Ok) REQUIRE(std::memcmp(before_t_, static_cast<const void*>(&tw_), sizeof(Opt)) == 0);
    }
    if (st != Status::Ok) {
      // A refused load changes no byte of the object.
      REQUIRE(std::memcmp(before_o_, static_cast<const void*>(&o_), sizeof(Opt)) == 0);
      REQUIRE(st == Status::Corrupt || st == Status::CapacityExceeded ||
              (st == Status::InvalidArgument && p == nullptr));
      REQUIRE(edited || p == nullptr);  // an intact blob of this type always loads
      post();
      return;
    }
    REQUIRE(p != nullptr);
    // save(load(b)) == b
    size_t w = 0;
    REQUIRE(o_.save(buf2_, sizeof buf2_, &w) == Status::Ok && w == n && std::memcmp(buf2_, buf_, n) == 0);
    if (!edited && s.m.strict) {
      const int pred = m_.pred;
      m_ = s.m;
      m_.pred = pred;  // the predicate is the loading object's
    } else {
      const int pred = m_.pred;
      m_ = Model<Real>{};
      m_.pred = pred;
      m_.ready = true;
      m_.strict = false;
      m_.dims = o_.dims();
      m_.trust = o_.trust_radius();
    }
    if constexpr (HasTries<Opt>::value) m_.max_tries = o_.max_feasible_tries();
    if constexpr (C::on)
      if (!c_was_ready) reinstall_c(o_.max_feasible_tries());
    post();
  }

  // ---- the envelope -------------------------------------------------------------

  void op_set_feasible(Input& in) {
    const int id = in.u8() % kPreds;
    const int tries[8] = {-1, 0, 1, 2, 8, 64, 65, INT_MIN};
    const int t = tries[in.u8() % 8];
    const Status st = o_.set_feasible(predicate<Real>(id), &ctx_o_, t);
    const bool ok = t >= 0 && t <= 64;
    REQUIRE(st == (ok ? Status::Ok : Status::InvalidArgument));  // any time, also before init
    if constexpr (C::on) {
      const starling_status cs = starling_pso_set_feasible(&c_.s, predicate<float>(id), &ctx_c_, t);
      REQUIRE(c_ready() ? static_cast<int>(cs) == static_cast<int>(st) : cs == STARLING_NOT_READY);
    }
    if (twin_on_) REQUIRE(tw_.set_feasible(predicate<Real>(id), &ctx_t_, t) == st);
    if (ok) {
      m_.pred = id;
      m_.max_tries = t;
    }
    post();
  }

  void op_set_trust(Input& in) {
    const uint8_t a = in.u8();
    const float f = a % 3 == 0 ? static_cast<float>(a) / 255.f : hostile<float>(in);
    const Status st = o_.set_trust_radius(f);
    const bool ok = std::isfinite(f) && f >= 0.f && f <= 1.f;
    REQUIRE(st == (ok ? Status::Ok : Status::InvalidArgument));
    if constexpr (C::on) {
      const starling_status cs = starling_pso_set_trust_radius(&c_.s, f);
      REQUIRE(c_ready() ? static_cast<int>(cs) == static_cast<int>(st) : cs == STARLING_NOT_READY);
    }
    if (twin_on_) REQUIRE(tw_.set_trust_radius(f) == st);
    if (ok) m_.trust = f == 0.f ? 0.f : f;  // −0 is stored as +0
    post();
  }

  void op_set_start(Input& in) {
    const int kind = in.u8() % 6;
    Real x[kDims] = {};
    const int dims = m_.dims > 0 ? m_.dims : 1;
    for (int d = 0; d < dims; ++d) {
      const Real lo = m_.ready ? m_.lo[d] : Real(-1), hi = m_.ready ? m_.hi[d] : Real(1);
      switch (kind) {
        case 1: x[d] = hostile<Real>(in); break;
        case 3: x[d] = lo; break;
        case 4: x[d] = hi; break;
        case 5: x[d] = hi + (hi - lo); break;  // outside
        default: {
          Real u = static_cast<Real>(in.u8()) / Real(255);
          x[d] = lo + (hi - lo) * u;
          if (x[d] > hi) x[d] = hi;
        }
      }
    }
    const Real* p = kind == 2 ? nullptr : x;
    const Status st = o_.set_start(p);
    if constexpr (C::on) {
      const starling_status cs = starling_pso_set_start(&c_.s, p);
      REQUIRE(static_cast<int>(cs) == static_cast<int>(st));
    }
    if (twin_on_) REQUIRE(tw_.set_start(p) == st);
    // Documented: after init and before the first ask (NotReady otherwise),
    // InvalidArgument for null, non-finite or outside the box.
    bool bad = p == nullptr;
    if (m_.ready && p != nullptr)
      for (int d = 0; d < m_.dims; ++d)
        bad = bad || !std::isfinite(x[d]) || x[d] < m_.lo[d] || x[d] > m_.hi[d];
    if (!m_.ready) {
      REQUIRE(st == Status::NotReady);
    } else if (!m_.strict) {
      REQUIRE(st == Status::Ok || st == Status::NotReady || st == Status::InvalidArgument);
    } else {
      const bool nr = m_.stopped || m_.evals != 0 || m_.pending || m_.batch_n > 0;
      if (st == Status::Ok)
        REQUIRE(!nr && !bad);
      else
        REQUIRE((st == Status::NotReady && nr) || (st == Status::InvalidArgument && bad));
      if (st == Status::Ok) {
        m_.has_start = true;
        std::memcpy(m_.start, x, sizeof(Real) * static_cast<size_t>(m_.dims));
      }
    }
    post();
  }

  // ---- minimize -----------------------------------------------------------------

  void op_minimize(Input& in) {
    const bool observed = (in.u8() & 1) != 0;
    if (m_.ready) {  // only runs with a small budget left
      const long left = m_.max_evals > 0 ? m_.max_evals - o_.evaluations() : LONG_MAX;
      const long sweeps = m_.strict ? static_cast<long>(m_.max_iter) - o_.iteration() : LONG_MAX;
      if (left > 1500 && sweeps > 1500 / kPop) return;
    }
    bool have_prev = false;
    Real prev_x[kDims] = {}, prev_c = 0;
    bool first = true;
    const bool strict = m_.strict && m_.ready;
    auto fn = [&](const Real* x, int dims) -> Real {
      REQUIRE(dims == o_.dims());
      if (strict) {
        if (have_prev) apply(prev_x, prev_c);  // the tell of the previous call happened
        if (first && m_.pending)
          REQUIRE(same_point(x, m_.pending_x, dims));
        else
          check_new(x);
        m_.pending = false;
      }
      first = false;
      have_prev = true;
      std::memcpy(prev_x, x, sizeof(Real) * static_cast<size_t>(dims));
      prev_c = objective(x, dims);
      return prev_c;
    };
    auto obs = [&](Real best, long evals, int iteration) {
      if (strict) {
        if (have_prev) apply(prev_x, prev_c);
        have_prev = false;
        REQUIRE(same(best, m_.best) && evals == m_.evals && iteration == o_.iteration());
      }
    };
    bool open_batch = false;
    if constexpr (HasBatch<Opt>::value) open_batch = o_.batch_size() > 0;
    const Status st = observed ? o_.minimize(fn, obs) : o_.minimize(fn);
    if (have_prev && strict) apply(prev_x, prev_c);
    if (!m_.ready)
      REQUIRE(st == Status::NotReady);
    else if (open_batch)
      REQUIRE(st == Status::NotReady);  // a batch is open: nothing evaluated
    else
      REQUIRE(st == Status::Ok && o_.done());
    if constexpr (C::on)
      REQUIRE(static_cast<int>(starling_pso_minimize(&c_.s, c_objective, nullptr)) ==
              static_cast<int>(st));
    if (twin_on_) REQUIRE(tw_.minimize([](const Real* x, int d) { return objective(x, d); }) == st);
    post();
  }

  // ---- replicas -------------------------------------------------------------------

  // Save the object and load it into the twin (fresh or running), and now
  // and then into the C struct: from here on they must give the same answers
  // to the same calls.
  void op_fork(Input& in) {
    const uint8_t a = in.u8();
    if (!m_.ready) {
      twin_on_ = false;
      return;
    }
    size_t n = 0;
    REQUIRE(o_.save(buf_, sizeof buf_, &n) == Status::Ok);
    if (a & 1) tw_ = Opt{};
    REQUIRE(tw_.set_feasible(predicate<Real>(m_.pred), &ctx_t_, 0) == Status::Ok);
    REQUIRE(tw_.load(buf_, n) == Status::Ok);
    twin_on_ = true;
    twin_base_ = ctx_o_.calls;
    ctx_t_.calls = 0;
    if constexpr (C::on) {
      if (a & 2) {
        const bool fresh = (a & 4) != 0;
        if (fresh) std::memset(&c_.s, 0, sizeof c_.s);
        REQUIRE(starling_pso_load(&c_.s, buf_, n) == STARLING_OK);
        if (fresh) reinstall_c(o_.max_feasible_tries());
      }
    }
    post();
  }

  // ---- after every call ---------------------------------------------------------

  void post() {
    const Status inv = invariants(o_);
    const bool done = o_.done();
    if (!m_.ready) {
      REQUIRE(inv == Status::NotReady);
      REQUIRE(done && o_.best_position() == nullptr && o_.evaluations() == 0 && o_.save_size() == 0 &&
              o_.best_value() == kInf && o_.stop_reason() == StopReason::None);
      if constexpr (HasBatch<Opt>::value) REQUIRE(o_.batch_size() == 0);
    } else {
      REQUIRE(inv == Status::Ok);
      const Real bv = o_.best_value();
      REQUIRE(!std::isnan(bv) && bv != -kInf);  // NaN (or −inf) is never best
      if (m_.stopped) REQUIRE(done);            // a stop lasts until init or load
      const bool newly_stopped = done && !m_.stopped;
      m_.stopped = done;
      REQUIRE(done == (o_.stop_reason() != StopReason::None));
      if (m_.strict) {
        REQUIRE(o_.evaluations() == m_.evals);
        if (m_.evals == 0)
          REQUIRE(o_.best_position() == nullptr && bv == kInf);
        else
          REQUIRE(o_.best_position() != nullptr && same_point(o_.best_position(), m_.best_x, m_.dims) &&
                  same(bv, m_.best));
        REQUIRE(same(o_.trust_radius(), m_.trust));
        if constexpr (HasTries<Opt>::value) REQUIRE(o_.max_feasible_tries() == m_.max_tries);
        if (m_.best <= static_cast<Real>(m_.target)) REQUIRE(o_.stop_reason() == StopReason::Target);
        if (m_.max_evals > 0 && m_.evals >= m_.max_evals) REQUIRE(done);
        switch (o_.stop_reason()) {
          case StopReason::Target: REQUIRE(m_.best <= static_cast<Real>(m_.target)); break;
          case StopReason::MaxEvals: REQUIRE(m_.max_evals > 0 && m_.evals == m_.max_evals); break;
          case StopReason::Infeasible:  // with the predicate of its time
            REQUIRE(m_.evals == 0 && !m_.has_start && (!newly_stopped || m_.pred != 0));
            break;
          case StopReason::MaxIter: REQUIRE(o_.iteration() == m_.max_iter); break;
          case StopReason::Stall: REQUIRE(m_.stall_iter > 0); break;
          case StopReason::None: break;
        }
        if constexpr (HasBatch<Opt>::value) REQUIRE(o_.batch_size() == m_.batch_n);
        if (done) REQUIRE(!m_.pending && m_.batch_n == 0);
      } else if (o_.best_position() != nullptr) {
        for (int d = 0; d < o_.dims(); ++d) REQUIRE(std::isfinite(o_.best_position()[d]));
      }
    }
    if (twin_on_) {
      compare(tw_);
      REQUIRE(ctx_t_.calls == ctx_o_.calls - twin_base_);
    }
    if constexpr (C::on) compare_c();
  }

  // Pso's informants(): documented order, and the twin's are the same.
  void check_informants() {
    if constexpr (HasInformants<Opt>::value) {
      const int n = o_.particles();
      if (n < 2) return;
      for (int i = -1; i <= n; ++i) {
        int32_t a[kPop + 8], b[kPop + 8];
        const int ca = o_.informants(i, a, kPop + 8);
        if (i < 0 || i >= n) {
          REQUIRE(ca == 0);
          continue;
        }
        REQUIRE(ca >= 1 && ca <= kPop + 8 && o_.informants(i, b, 1) == ca && b[0] == a[0]);
        const bool global = o_.config().topology == starling::Topology::Global;
        REQUIRE(global ? ca == n && a[0] == 0 : a[0] == i);
        for (int k = 0; k < ca; ++k) REQUIRE(a[k] >= 0 && a[k] < n && (!global || a[k] == k));
        if (twin_on_) REQUIRE(tw_.informants(i, b, kPop + 8) == ca && std::memcmp(a, b, sizeof(int32_t) * static_cast<size_t>(ca)) == 0);
      }
    }
  }

  void compare(const Opt& t) {
    REQUIRE(t.done() == o_.done() && t.stop_reason() == o_.stop_reason() &&
            t.evaluations() == o_.evaluations() && t.iteration() == o_.iteration() &&
            same(t.best_value(), o_.best_value()) && invariants(t) == invariants(o_));
    REQUIRE((t.best_position() == nullptr) == (o_.best_position() == nullptr));
    if (o_.best_position() != nullptr) REQUIRE(same_point(t.best_position(), o_.best_position(), o_.dims()));
    REQUIRE(t.save_size() == o_.save_size());
    if (o_.save_size() > 0) {
      size_t a = 0, b = 0;
      REQUIRE(o_.save(buf_, sizeof buf_, &a) == Status::Ok && t.save(buf2_, sizeof buf2_, &b) == Status::Ok);
      REQUIRE(a == b && std::memcmp(buf_, buf2_, a) == 0);
    }
  }

  void compare_c() {
    if constexpr (C::on) {
      const starling_pso& s = c_.s;
      REQUIRE(starling_pso_done(&s) == (o_.done() ? 1 : 0));
      REQUIRE(static_cast<int>(starling_pso_stop_reason(&s)) == static_cast<int>(o_.stop_reason()));
      REQUIRE(starling_pso_evaluations(&s) == o_.evaluations() &&
              starling_pso_iteration(&s) == o_.iteration() && starling_pso_dims(&s) == o_.dims() &&
              starling_pso_particles(&s) == o_.particles());
      REQUIRE(same(starling_pso_best_value(&s), o_.best_value()));
      const float* bp = starling_pso_best_position(&s);
      REQUIRE((bp == nullptr) == (o_.best_position() == nullptr));
      if (bp != nullptr) REQUIRE(same_point(bp, o_.best_position(), o_.dims()));
      REQUIRE(starling_pso_infeasible_count(&s) == o_.infeasible_count() &&
              starling_pso_fallback_count(&s) == o_.fallback_count());
      REQUIRE(static_cast<int>(starling_pso_check_invariants(&s)) ==
              static_cast<int>(invariants(o_)));
      REQUIRE(starling_pso_save_size(&s) == o_.save_size());
      if (o_.save_size() > 0) {
        size_t a = 0, b = 0;
        REQUIRE(o_.save(buf_, sizeof buf_, &a) == Status::Ok &&
                starling_pso_save(&s, buf2_, sizeof buf2_, &b) == STARLING_OK);
        REQUIRE(a == b && std::memcmp(buf_, buf2_, a) == 0);
      }
      REQUIRE(ctx_c_.calls == ctx_o_.calls);
    }
  }
};

template <class Opt, class Cfg, class C>
void run_lane(const uint8_t* data, size_t size, C& c) {
  static Opt o, twin;
  static Lane<Opt, Cfg, C> lane(o, twin, c);
  Input in{data, size};
  lane.run(in);
}

}  // namespace

#define STARLING_FUZZ_COUNT(Name, Config) +1
#define STARLING_FUZZ_RUN(Name, Config)                                         \
  if (which == index++) {                                                       \
    using F = starling::Name##Of<kDims, kPop, float>;                           \
    using D = starling::Name##Of<kDims, kPop, double>;                          \
    if constexpr (std::is_same<F, starling::Pso<kDims, kPop, float>>::value) {  \
      static CApi capi;                                                         \
      run_lane<F, starling::Config>(data, size, capi);                          \
    } else {                                                                    \
      static NoC none;                                                          \
      run_lane<F, starling::Config>(data, size, none);                          \
    }                                                                           \
    static NoC none_d;                                                          \
    run_lane<D, starling::Config>(data, size, none_d);                          \
  }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int kOptimizers = 0 STARLING_OPTIMIZERS(STARLING_FUZZ_COUNT);
  if (size < 1) return 0;
  const int which = data[0] % kOptimizers;
  int index = 0;
  ++data;
  --size;
  STARLING_OPTIMIZERS(STARLING_FUZZ_RUN)
  return 0;
}
