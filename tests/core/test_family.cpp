// SPDX-License-Identifier: MIT
// The contract every optimizer of the family keeps (starling/optimizers.hpp),
// checked the same way for each entry of the list, float and double: input
// validation, asks finite and in the box, NaN/inf never best, the incumbent an
// evaluated point, exact stop rules, determinism, save/resume bit for bit, the
// safe-tuning envelope, default population, and batch = serial.
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "check.hpp"
#include "trajectory_hash.hpp"
#include "starling/optimizers.hpp"

using namespace starling;

namespace {

constexpr int kDims = 4;
constexpr int kPop = 12;
constexpr long kBudget = 240;

// A shifted, scaled sphere; every 7th evaluation NaN, every 11th +inf.
template <class Real>
Real cost(const Real* x, int dims, long n) {
  if (n % 7 == 6) return std::numeric_limits<Real>::quiet_NaN();
  if (n % 11 == 10) return std::numeric_limits<Real>::infinity();
  Real s = 0;
  for (int d = 0; d < dims; ++d) {
    const Real e = x[d] - Real(0.3) * static_cast<Real>(d % 3);
    s = s + e * e * static_cast<Real>(d + 1);
  }
  return s;
}

template <class Real>
struct Box {
  Real lo[kDims] = {-1, -2, -0.5, -3};
  Real hi[kDims] = {1, 1, 2, 0.5};
};

template <class Opt>
using RealOf = typename std::remove_cv<
    typename std::remove_pointer<decltype(std::declval<Opt&>().best_position())>::type>::type;

// Has ask_batch / tell_batch (the population methods).
template <class Opt, class = void>
struct HasBatch : std::false_type {};
template <class Opt>
struct HasBatch<Opt, decltype((void)std::declval<Opt&>().ask_batch(nullptr, 0))> : std::true_type {};

// The population a run passes to init: kPop, or 0 for the methods without
// one (they declare kHasPopulation = false and refuse anything but 0).
template <class Opt, class = void>
struct TakesPopulation : std::true_type {};
template <class Opt>
struct TakesPopulation<Opt, typename std::enable_if<!Opt::kHasPopulation>::type> : std::false_type {};
template <class Opt>
constexpr int pop_of() {
  return TakesPopulation<Opt>::value ? kPop : 0;
}

// What a run did: its hash and the best finite cost told with its point.
template <class Real>
struct Trace {
  uint64_t hash = kFnvOffset;
  bool in_box = true;
  bool stable_repeat = true;
  Real best = std::numeric_limits<Real>::infinity();
  Real best_x[kDims] = {};
  bool any = false;
  Real first_x[kDims] = {};  // the first point told (the incumbent while all are NaN/inf)
};

template <class Opt, class Real = RealOf<Opt>>
void record(Trace<Real>& t, const Box<Real>& b, const Real* x, Real c) {
  for (int d = 0; d < kDims; ++d) {
    t.hash = fnv(t.hash, x[d]);
    if (!(std::isfinite(x[d]) && x[d] >= b.lo[d] && x[d] <= b.hi[d])) t.in_box = false;
  }
  t.hash = fnv(t.hash, c);
  if (!t.any) std::memcpy(t.first_x, x, sizeof t.first_x);
  t.any = true;
  if (std::isfinite(c) && c < t.best) {
    t.best = c;
    std::memcpy(t.best_x, x, sizeof t.best_x);
  }
}

// Ask/tell until done or `until` evaluations.
template <class Opt, class Real = RealOf<Opt>>
void drive(Opt& o, Trace<Real>& t, long until) {
  const Box<Real> b;
  while (o.evaluations() < until) {
    const Real* x = o.ask();
    if (x == nullptr) break;
    Real again[kDims];
    std::memcpy(again, x, sizeof again);
    const Real* y = o.ask();  // asking twice gives the same candidate
    if (y != x || std::memcmp(again, y, sizeof again) != 0) t.stable_repeat = false;
    const Real c = cost(x, kDims, o.evaluations());
    record<Opt>(t, b, x, c);
    if (o.tell(c) != Status::Ok) break;
  }
}

template <class Cfg>
Cfg budgeted(Cfg c, long evals) {
  c.max_iter = 1 << 20;
  c.max_evals = evals;
  return c;
}

template <class Opt, class Cfg>
void validation(const Cfg& cfg) {
  using Real = RealOf<Opt>;
  static Opt o;
  Box<Real> b;
  const Real nan = std::numeric_limits<Real>::quiet_NaN();
  static bool fresh = true;  // o is never initialized the first time round
  if (fresh) {
    CHECK(o.ask() == nullptr);
    CHECK(o.tell(1) == Status::NotReady);
    CHECK(o.done());
    fresh = false;
  }
  CHECK(o.init(nullptr, b.hi, kDims, 0, cfg, 1) == Status::InvalidArgument);
  CHECK(o.init(b.lo, nullptr, kDims, 0, cfg, 1) == Status::InvalidArgument);
  CHECK(o.init(b.lo, b.hi, 0, 0, cfg, 1) == Status::InvalidArgument);
  CHECK(o.init(b.lo, b.hi, kDims + 100, 0, cfg, 1) == Status::CapacityExceeded);
  b.lo[2] = b.hi[2];
  CHECK(o.init(b.lo, b.hi, kDims, 0, cfg, 1) == Status::InvalidArgument);
  b.lo[2] = nan;
  CHECK(o.init(b.lo, b.hi, kDims, 0, cfg, 1) == Status::InvalidArgument);
  b.lo[2] = 0;
  b.hi[2] = std::numeric_limits<Real>::denorm_min() * 8;  // a denormal range
  CHECK(o.init(b.lo, b.hi, kDims, 0, cfg, 1) == Status::InvalidArgument);
  CHECK(o.ask() == nullptr);  // a failed init leaves it not ready
  CHECK(o.tell(1) == Status::NotReady);
  Cfg bad = cfg;
  bad.max_iter = 0;
  const Box<Real> good;
  CHECK(o.init(good.lo, good.hi, kDims, 0, bad, 1) == Status::InvalidArgument);
  bad = cfg;
  bad.target = std::numeric_limits<float>::quiet_NaN();
  CHECK(o.init(good.lo, good.hi, kDims, 0, bad, 1) == Status::InvalidArgument);
  // A method without a population accepts only 0. One with a population
  // (or BayesOpt's and Tuner's design) refuses a negative one as invalid and
  // one over its capacity as CapacityExceeded, as dims over MaxDims: the
  // statuses fuzz_api predicts for every optimizer.
  if (!TakesPopulation<Opt>::value) {
    CHECK(o.init(good.lo, good.hi, kDims, 3, cfg, 1) == Status::InvalidArgument);
    CHECK(o.init(good.lo, good.hi, kDims, -1, cfg, 1) == Status::InvalidArgument);
  } else {
    CHECK(o.init(good.lo, good.hi, kDims, -1, cfg, 1) == Status::InvalidArgument);
    CHECK(o.init(good.lo, good.hi, kDims, INT_MAX, cfg, 1) == Status::CapacityExceeded);
  }
  // Population 0 is the method's default; a running one refuses tell
  // without ask.
  CHECK(o.init(good.lo, good.hi, kDims, 0, cfg, 1) == Status::Ok);
  CHECK(o.tell(1) == Status::NotReady);
  CHECK(o.ask() != nullptr);
}

template <class Opt, class Cfg>
void run_contract(const char* name, const Cfg& base) {
  using Real = RealOf<Opt>;
  static Opt o, p;
  static uint8_t buf[Opt::kMaxSaveSize];
  const Box<Real> b;
  std::printf("     %s (%s)\n", name, sizeof(Real) == 4 ? "float" : "double");
  validation<Opt>(base);

  // A whole run: the budget exactly, asks in the box, the incumbent.
  const Cfg cfg = budgeted(base, kBudget);
  CHECK(o.init(b.lo, b.hi, kDims, pop_of<Opt>(), cfg, 42) == Status::Ok);
  Trace<Real> whole;
  drive(o, whole, 1L << 30);
  CHECK(whole.in_box);
  CHECK(whole.stable_repeat);
  CHECK(o.done());
  CHECK(o.stop_reason() == StopReason::MaxEvals);
  CHECK_EQ(o.evaluations(), kBudget);
  CHECK(o.ask() == nullptr);
  CHECK(o.tell(1) == Status::Done);
  CHECK(std::isfinite(o.best_value()));
  CHECK_EQ(o.best_value(), whole.best);
  CHECK(std::memcmp(o.best_position(), whole.best_x, sizeof whole.best_x) == 0);

  // Determinism: the same seed repeats the run, another seed does not.
  Trace<Real> again, other;
  CHECK(p.init(b.lo, b.hi, kDims, pop_of<Opt>(), cfg, 42) == Status::Ok);
  drive(p, again, 1L << 30);
  CHECK_EQ(again.hash, whole.hash);
  CHECK(p.init(b.lo, b.hi, kDims, pop_of<Opt>(), cfg, 43) == Status::Ok);
  drive(p, other, 1L << 30);
  CHECK(other.hash != whole.hash);

  // Save anywhere (also between ask and tell), load elsewhere, continue.
  const long ks[] = {0, 1, 5, 17, 101, kBudget - 1};
  for (long k : ks)
    for (int pending = 0; pending < 2; ++pending) {
      Trace<Real> t;
      CHECK(o.init(b.lo, b.hi, kDims, pop_of<Opt>(), cfg, 42) == Status::Ok);
      drive(o, t, k);
      if (pending) (void)o.ask();
      size_t n = 0;
      CHECK(o.save(buf, sizeof buf, &n) == Status::Ok);
      CHECK_EQ(n, o.save_size());
      CHECK(p.load(buf, n) == Status::Ok);
      drive(p, t, 1L << 30);
      if (!CHECK_EQ(t.hash, whole.hash)) std::printf("     resumed at %ld, pending %d\n", k, pending);
      buf[n / 2] = static_cast<uint8_t>(buf[n / 2] ^ 0x10);
      CHECK(p.load(buf, n) == Status::Corrupt);
    }

  // init() forgets whatever ran before: after the whole run above (kDims
  // dimensions), a run in kDims − 1 saves the bytes a never-used object
  // saves, before and after its first evaluation (fuzz_api's twin found
  // Bobyqa and Tuner saving arrays of a former run).
  {
    static Opt never_used;
    static uint8_t mine[Opt::kMaxSaveSize];
    size_t n = 0, m = 0;
    for (int step = 0; step < 2; ++step) {
      if (step == 0) {
        CHECK(p.init(b.lo, b.hi, kDims - 1, 0, cfg, 9) == Status::Ok);
        CHECK(never_used.init(b.lo, b.hi, kDims - 1, 0, cfg, 9) == Status::Ok);
      } else {
        const Real* x = p.ask();
        const Real* y = never_used.ask();
        CHECK(x != nullptr && y != nullptr);
        if (x == nullptr || y == nullptr) break;
        CHECK(p.tell(cost(x, kDims - 1, 0)) == Status::Ok);
        CHECK(never_used.tell(cost(y, kDims - 1, 0)) == Status::Ok);
      }
      CHECK(p.save(buf, sizeof buf, &n) == Status::Ok && never_used.save(mine, sizeof mine, &m) == Status::Ok);
      CHECK(n == m && std::memcmp(buf, mine, n) == 0);
    }
  }

  // Target: a reachable one stops the run with a best at or below it.
  Cfg tc = cfg;
  tc.target = static_cast<float>(whole.best) * 4 + 0.01f;
  CHECK(o.init(b.lo, b.hi, kDims, pop_of<Opt>(), tc, 42) == Status::Ok);
  Trace<Real> tt;
  drive(o, tt, 1L << 30);
  CHECK(o.stop_reason() == StopReason::Target);
  CHECK(o.best_value() <= static_cast<Real>(tc.target));

  // The envelope: a predicate that excludes a ball, a start point and a trust
  // radius. Every asked point is feasible and inside the trust box around the
  // incumbent of its time (the start before the first tell).
  static const Real start[kDims] = {-0.9f, -1.8f, 1.8f, 0.4f};
  auto feasible = [](const Real* x, int dims, void*) {
    Real r2 = 0;
    for (int d = 0; d < dims; ++d) r2 += (x[d] - Real(0.2)) * (x[d] - Real(0.2));
    return r2 >= Real(0.36);
  };
  const Real radius = Real(0.2);
  CHECK(o.init(b.lo, b.hi, kDims, pop_of<Opt>(), cfg, 7) == Status::Ok);
  CHECK(o.set_feasible(feasible, nullptr, 6) == Status::Ok);
  CHECK(o.set_trust_radius(static_cast<float>(radius)) == Status::Ok);
  CHECK(o.set_start(start) == Status::Ok);
  long infeasible_asks = 0, outside_trust = 0;
  while (const Real* x = o.ask()) {
    const Real* c = o.evaluations() == 0 ? start : o.best_position();
    if (!feasible(x, kDims, nullptr)) ++infeasible_asks;
    for (int d = 0; d < kDims; ++d) {
      const Real rad = radius * (b.hi[d] - b.lo[d]);
      if (x[d] < c[d] - rad * Real(1.000001) || x[d] > c[d] + rad * Real(1.000001)) ++outside_trust;
    }
    if (o.tell(cost(x, kDims, o.evaluations())) != Status::Ok) break;
  }
  CHECK_EQ(infeasible_asks, 0L);
  CHECK_EQ(outside_trust, 0L);
  CHECK(o.best_position() != nullptr && feasible(o.best_position(), kDims, nullptr));
  CHECK(o.set_feasible(nullptr, nullptr, 0) == Status::Ok);
  CHECK(o.set_trust_radius(0.f) == Status::Ok);
  // −0 is stored as +0: equal settings save equal bytes (issue 16).
  {
    static uint8_t zero[Opt::kMaxSaveSize], neg[Opt::kMaxSaveSize];
    size_t nz = 0, nn = 0;
    CHECK(o.save(zero, sizeof zero, &nz) == Status::Ok);
    CHECK(o.set_trust_radius(-0.f) == Status::Ok);
    CHECK(!std::signbit(o.trust_radius()));
    CHECK(o.save(neg, sizeof neg, &nn) == Status::Ok);
    CHECK(nz == nn && std::memcmp(zero, neg, nz) == 0);
  }
  CHECK(o.set_trust_radius(1.5f) == Status::InvalidArgument);

  // Batch ask/tell, costs told in reverse order, gives the serial run.
  if constexpr (HasBatch<Opt>::value) {
    CHECK(o.init(b.lo, b.hi, kDims, pop_of<Opt>(), cfg, 42) == Status::Ok);
    Trace<Real> t;
    const Real* xs[kPop + 4];
    long batches = 0;
    for (;;) {
      const int n = o.ask_batch(xs, kPop + 4);
      if (n == 0) break;
      ++batches;
      CHECK(o.ask() == nullptr);
      CHECK(o.tell(1) == Status::NotReady);
      Real costs[kPop + 4];
      const long e0 = o.evaluations();
      for (int k = 0; k < n; ++k) {
        costs[k] = cost(xs[k], kDims, e0 + k);
        record<Opt>(t, b, xs[k], costs[k]);
      }
      CHECK(o.tell_batch(n, 1) == Status::InvalidArgument);
      for (int k = n - 1; k >= 0; --k) CHECK(o.tell_batch(k, costs[k]) == Status::Ok || o.done());
    }
    CHECK(batches > 1);
    CHECK_EQ(t.hash, whole.hash);
    CHECK_EQ(o.evaluations(), kBudget);
  }
}

}  // namespace

// The config each entry runs the contract with: its default, except that
// on 32-bit Arm (the emulated Cortex-M targets, soft double and on the M3
// soft float) the model-based methods fit and search less, so that the
// suite stays inside its time limit; the contract does not depend on them.
template <class Cfg>
Cfg contract_config() {
  return Cfg{};
}
#if defined(__arm__)
template <>
BayesOptConfig contract_config<BayesOptConfig>() {
  BayesOptConfig c;
  c.fit_evals = 2;
  c.candidates = 8;
  return c;
}
template <>
TunerConfig contract_config<TunerConfig>() {
  TunerConfig c;
  c.fit_evals = 2;
  c.candidates = 8;
  return c;
}
#endif

#define STARLING_RUN_FLOAT(Name, Config) \
  run_contract<Name##Of<kDims + 2, kPop + 4>>(#Name, contract_config<Config>());
#define STARLING_RUN_DOUBLE(Name, Config) \
  run_contract<Name##Of<kDims, kPop, double>>(#Name, contract_config<Config>());

TEST_CASE(family_contract_float) { STARLING_OPTIMIZERS(STARLING_RUN_FLOAT) }
TEST_CASE(family_contract_double) { STARLING_OPTIMIZERS(STARLING_RUN_DOUBLE) }

// Pso's own variants through the same contract: each topology and rule.
TEST_CASE(pso_variants_contract) {
  const Topology tops[] = {Topology::Global, Topology::Ring, Topology::VonNeumann, Topology::Random};
  for (Topology t : tops) {
    PsoConfig c = PsoConfig::empso();
    c.topology = t;
    c.restart_stall = 3;
    run_contract<Pso<kDims, kPop>>("Pso empso + restarts", c);
    if (t == Topology::Random) continue;
    c = PsoConfig::fips();
    c.topology = t;
    c.boundary = Boundary::Reflect;
    run_contract<Pso<kDims, kPop>>("Pso fips", c);
  }
}

int main() { setvbuf(stdout, nullptr, _IONBF, 0); return check::run_all(); }
