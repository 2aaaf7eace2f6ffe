// SPDX-License-Identifier: MIT
// The state invariants of Bobyqa, BayesOpt and Tuner (check_invariants() in
// bobyqa.hpp, bayesopt.hpp, tuner.hpp; C1..C8 in detail/opt_core.hpp): live
// runs keep them after every ask and tell (with failures, the safe-tuning
// envelope and every stop rule), every saved state loads into a twin that
// keeps them, and real saved states with one field edited to break one
// invariant (the CRC re-sealed) are refused with Corrupt, leaving the
// loading object byte for byte as it was.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "check.hpp"
#include "starling/crc32.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {

constexpr int kD = 3, kObs = 16;
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// A saved state under edit (float fields; little-endian like the format).
struct Blob {
  uint8_t b[4096];
  size_t n = 0;
  uint32_t u32(size_t off) const {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<uint32_t>(b[off + static_cast<size_t>(k)]) << (8 * k);
    return v;
  }
  int32_t i32(size_t off) const { return static_cast<int32_t>(u32(off)); }
  int64_t i64(size_t off) const {
    return static_cast<int64_t>(u32(off) | static_cast<uint64_t>(u32(off + 4)) << 32);
  }
  float f32(size_t off) const {
    const uint32_t u = u32(off);
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  void set_u32(size_t off, uint32_t v) {
    for (int k = 0; k < 4; ++k) b[off + static_cast<size_t>(k)] = static_cast<uint8_t>(v >> (8 * k));
  }
  void set_i32(size_t off, int32_t v) { set_u32(off, static_cast<uint32_t>(v)); }
  void set_i64(size_t off, int64_t v) {
    set_u32(off, static_cast<uint32_t>(v));
    set_u32(off + 4, static_cast<uint32_t>(static_cast<uint64_t>(v) >> 32));
  }
  void set_f32(size_t off, float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    set_u32(off, u);
  }
  void reseal() { set_u32(n - 4, crc32(b, n - 4)); }
};

// Byte offsets of the formats for float, D = kD (the headers' layouts): the
// common section after the 16-byte header and 24-byte config, then each
// optimizer's own section at kOwn.
constexpr size_t R = 4, D = kD;
constexpr size_t kC = 40;
// (Only the fields the edits below use; the rest of the layout is in
// detail/opt_core.hpp.)
constexpr size_t kMaxIter = kC, kIter = kC + 40, kTrust = kC + 48, kClip = kC + 52, kBest = kC + 76;
constexpr size_t kLo = kC + 76 + 2 * R;  // lo[D], hi[D], best[D] follow
constexpr size_t kOwn = kC + 76 + R * (2 + 3 * D);

// Bobyqa (M = 2D + 1 points, K = M + D + 1).
namespace B {
constexpr size_t M = 2 * D + 1, K = M + D + 1;
constexpr size_t rho_begin = 16, restarts = kOwn, x = kOwn + 8, E = kOwn + 8 + D * R;
constexpr size_t kopt = E, itest = E + 12, phase = E + 16, nf = E + 36, nfsav = E + 44;
constexpr size_t S = E + 64;
constexpr size_t sc(int k) { return S + R * static_cast<size_t>(k); }  // 0 rho_end, 1 rho, 2 delta
constexpr size_t A = S + 19 * R;
constexpr size_t vec(int k, int j) { return A + (static_cast<size_t>(k) * D + static_cast<size_t>(j)) * R; }
constexpr size_t xpt(int i, int j) { return A + 11 * D * R + (static_cast<size_t>(i) * D + static_cast<size_t>(j)) * R; }
constexpr size_t fval(int i) { return A + 11 * D * R + M * D * R + static_cast<size_t>(i) * R; }
constexpr size_t hq(int k) { return fval(0) + 2 * M * R + static_cast<size_t>(k) * R; }
constexpr size_t h(int i, int j) { return hq(0) + D * (D + 1) / 2 * R + (static_cast<size_t>(i) * K + static_cast<size_t>(j)) * R; }
constexpr size_t vlag(int i) { return h(0, 0) + K * K * R + static_cast<size_t>(i) * R; }
}  // namespace B

// The Gaussian process's section at g with n observations.
struct G {
  size_t g;
  size_t count() const { return g; }
  size_t theta(int j) const { return g + 8 + R * static_cast<size_t>(j); }
  size_t t(int i, int j) const { return g + 8 + (D + 1) * R + (static_cast<size_t>(i) * D + static_cast<size_t>(j)) * R; }
  size_t y(const Blob& b, int i) const {
    return t(0, 0) + static_cast<size_t>(b.i32(g)) * D * R + static_cast<size_t>(i) * R;
  }
};

// BayesOpt: design, reserved, x[D], cand[D], the GP.
namespace A {
constexpr size_t candidates = 16, design = kOwn, x = kOwn + 8, cand = kOwn + 8 + D * R;
constexpr G gp{kOwn + 8 + 2 * D * R};
}  // namespace A

// Tuner: design, phase, phase evaluations, local runs, x[D], cand[D], the
// GP, the simplex.
namespace T {
constexpr size_t model_evals = 28, step = 32, phase = kOwn + 4, phase_evals = kOwn + 8,
                 local_runs = kOwn + 12, x = kOwn + 16, cand = kOwn + 16 + D * R;
constexpr G gp{kOwn + 16 + 2 * D * R};
inline size_t s(const Blob& b) { return gp.g + 8 + R * (D + 1 + static_cast<size_t>(b.i32(gp.g)) * (D + 1)); }
inline size_t state(const Blob& b) { return s(b); }
inline size_t idx(const Blob& b) { return s(b) + 4; }
inline size_t fr(const Blob& b) { return s(b) + 8; }
inline size_t step_end(const Blob& b) { return s(b) + 8 + R; }
inline size_t v(const Blob& b, int i, int j) { return s(b) + 8 + 2 * R + (static_cast<size_t>(i) * D + static_cast<size_t>(j)) * R; }
inline size_t fv(const Blob& b, int i) { return v(b, 0, 0) + (D + 1) * D * R + static_cast<size_t>(i) * R; }
inline size_t c(const Blob& b, int j) { return fv(b, 0) + (D + 1) * R + static_cast<size_t>(j) * R; }
inline size_t y(const Blob& b, int j) { return c(b, 0) + 2 * D * R + static_cast<size_t>(j) * R; }
}  // namespace T

template <class Real>
Real sphere(const Real* x, int dims) {
  Real s = 0;
  for (int d = 0; d < dims; ++d) s += (x[d] - Real(0.3)) * (x[d] - Real(0.3));
  return s;
}
template <class Real>
bool feasible(const Real* x, int, void*) {
  return x[0] + x[1] < Real(1.2);
}

// The box [-1, 1]^D.
template <class Real>
struct Box {
  Real lo[kD], hi[kD];
  Box() {
    for (int d = 0; d < kD; ++d) {
      lo[d] = Real(-1);
      hi[d] = Real(1);
    }
  }
};

// Cheap GP settings (the test also runs under QEMU with soft double).
template <class Cfg>
Cfg cheap(Cfg c) {
  c.candidates = 16;
  c.fit_evals = 4;
  return c;
}

template <class Opt>
using RealOf = typename std::remove_const<typename std::remove_pointer<decltype(std::declval<Opt&>().best_position())>::type>::type;

// Runs opt to its end, checking the invariants after every ask and tell and
// loading every saved state into twin. Every 5th cost is NaN when `fail`.
template <class Opt>
int live_run(Opt& opt, Opt& twin, bool fail) {
  static uint8_t buf[Opt::kMaxSaveSize];
  int bad = 0, k = 0;
  auto verify = [&]() {
    if (opt.check_invariants() != Status::Ok) ++bad;
    size_t n = 0;
    if (opt.save(buf, sizeof buf, &n) != Status::Ok || twin.load(buf, n) != Status::Ok ||
        twin.check_invariants() != Status::Ok)
      ++bad;
  };
  verify();
  using Real = RealOf<Opt>;
  while (const Real* x = opt.ask()) {
    verify();
    const Real f = fail && ++k % 5 == 0 ? std::numeric_limits<Real>::quiet_NaN() : sphere(x, kD);
    if (opt.tell(f) != Status::Ok) ++bad;
    verify();
  }
  return bad;
}

// The run settings every optimizer goes through.
struct Plan {
  long max_evals;
  float target;
  int stall_iter;
  float trust;
  bool feasible, start, fail;
};
constexpr Plan kPlans[] = {
    {40, -kInf, 0, 0.f, false, false, false},  // MaxEvals
    {0, 1e-3f, 0, 0.f, false, true, true},     // Target (or MaxIter), failures, a start
    {0, -kInf, 6, 0.3f, true, false, false},   // Stall, trust radius, predicate
    {30, -kInf, 0, 0.2f, true, true, true},    // everything at once
};

template <class Opt, class Cfg>
int run_plans(Opt& opt, Opt& twin, Cfg base, int max_iter) {
  using Real = RealOf<Opt>;
  const Box<Real> box;
  int bad = 0;
  for (const Plan& p : kPlans) {
    Cfg c = base;
    c.max_evals = p.max_evals;
    c.target = p.target;
    c.stall_iter = p.stall_iter;
    c.max_iter = max_iter;
    if (opt.init(box.lo, box.hi, kD, 0, c, 7) != Status::Ok) ++bad;
    if (opt.set_trust_radius(p.trust) != Status::Ok) ++bad;
    if (opt.set_feasible(p.feasible ? &feasible<Real> : nullptr, nullptr, 8) != Status::Ok) ++bad;
    if (p.start) {
      const Real s[kD] = {Real(0.5), Real(-0.25), Real(0.125)};
      if (opt.set_start(s) != Status::Ok) ++bad;
    }
    bad += live_run(opt, twin, p.fail);
  }
  return bad;
}

Bobyqa<kD> g_bq, g_bq2;
Bobyqa<kD, double> g_bqd, g_bqd2;
BayesOpt<kD, kObs> g_bo, g_bo2;
BayesOpt<kD, kObs, double> g_bod, g_bod2;
Tuner<kD, kObs> g_tu, g_tu2;
Tuner<kD, kObs, double> g_tud, g_tud2;
Blob g_blob, g_work;

}  // namespace

// The sizeof formulas of the headers.
constexpr size_t up8(size_t n) { return (n + 7) / 8 * 8; }
template <int Dm, class Real>
constexpr size_t bobyqa_size() {
  constexpr size_t d = Dm, m = 2 * d + 1, k = 3 * d + 2;
  return up8(sizeof(Real) * (k * k + m * (d + 3) + d * (d + 1) / 2 + 24 * d + 2 * k) + 4 * k) +
         sizeof(detail::BobyqaCore<Real>);
}
template <int Dm, int Nm, class Real>
constexpr size_t bayesopt_size() {
  constexpr size_t d = Dm, n = Nm;
  return up8(sizeof(Real) * (n * (n + 1) + n * (d + 5) + 18 * d + 2)) + sizeof(detail::BayesOptCore<Real>);
}
template <int Dm, int Nm, class Real>
constexpr size_t tuner_size() {
  constexpr size_t d = Dm, n = Nm;
  return up8(sizeof(Real) * (n * (n + 1) + n * (d + 5) + (d + 1) * (d + 1) + 22 * d + 2)) +
         sizeof(detail::TunerCore<Real>);
}
static_assert(sizeof(Bobyqa<4>) == bobyqa_size<4, float>(), "bobyqa.hpp formula");
static_assert(sizeof(Bobyqa<7, double>) == bobyqa_size<7, double>(), "bobyqa.hpp formula");
static_assert(sizeof(BayesOpt<4, 64>) == bayesopt_size<4, 64, float>(), "bayesopt.hpp formula");
static_assert(sizeof(BayesOpt<3, 9, double>) == bayesopt_size<3, 9, double>(), "bayesopt.hpp formula");
static_assert(sizeof(Tuner<4, 64>) == tuner_size<4, 64, float>(), "tuner.hpp formula");
static_assert(sizeof(Tuner<5, 7, double>) == tuner_size<5, 7, double>(), "tuner.hpp formula");

TEST_CASE(not_ready_before_init) {
  static Bobyqa<2> b;
  static BayesOpt<2, 8> o;
  static Tuner<2, 8> t;
  CHECK(b.check_invariants() == Status::NotReady);
  CHECK(o.check_invariants() == Status::NotReady);
  CHECK(t.check_invariants() == Status::NotReady);
}

TEST_CASE(live_runs_keep_every_invariant) {
  BobyqaConfig bc;
  bc.rho_end = 1e-2f;  // converges quickly: restarts within the run
  CHECK_EQ(run_plans(g_bq, g_bq2, bc, 120), 0);
  bc.restart = BobyqaRestart::Random;
  CHECK_EQ(run_plans(g_bqd, g_bqd2, bc, 120), 0);
  // Past kObs observations the model replaces its worst.
  CHECK_EQ(run_plans(g_bo, g_bo2, cheap(BayesOptConfig{}), 24), 0);
  CHECK_EQ(run_plans(g_bod, g_bod2, cheap(BayesOptConfig{}), 20), 0);
  TunerConfig tc = cheap(TunerConfig{});
  tc.step_end = 2e-2f;  // simplices converge and are rebuilt within the run
  CHECK_EQ(run_plans(g_tu, g_tu2, tc, 70), 0);
  CHECK_EQ(run_plans(g_tud, g_tud2, tc, 50), 0);
  CHECK(g_tu.local_runs() >= 1);
  // A new run over another box holds before its first ask (no former run's
  // candidate left in the state: the fuzzer's first find).
  float lo2[kD] = {2.f, 3.f, 4.f}, hi2[kD] = {2.5f, 3.5f, 4.5f};
  CHECK(g_bq.init(lo2, hi2, kD, 0, BobyqaConfig{}, 1) == Status::Ok && g_bq.check_invariants() == Status::Ok);
  CHECK(g_bo.init(lo2, hi2, kD, 0, BayesOptConfig{}, 1) == Status::Ok && g_bo.check_invariants() == Status::Ok);
  CHECK(g_tu.init(lo2, hi2, kD, 0, TunerConfig{}, 1) == Status::Ok && g_tu.check_invariants() == Status::Ok);
}

namespace {

template <class Opt>
bool save_to(const Opt& o, Blob& b) {
  return o.save(b.b, sizeof b.b, &b.n) == Status::Ok;
}

// A run stopped after `evals` tells with an ask pending, trust radius 0.3.
template <class Opt, class Cfg>
bool pending_after(Opt& o, const Cfg& c, int evals, Blob& b) {
  const Box<float> box;
  if (o.init(box.lo, box.hi, kD, 0, c, 3) != Status::Ok || o.set_trust_radius(0.3f) != Status::Ok)
    return false;
  for (int k = 0; k < evals; ++k) {
    const float* x = o.ask();
    if (x == nullptr || o.tell(sphere(x, kD)) != Status::Ok) return false;
  }
  return o.ask() != nullptr && o.check_invariants() == Status::Ok && save_to(o, b);
}

struct Edit {
  const char* invariant;
  void (*apply)(Blob&);
};

// Applies each edit to `src`, loads it into `dst` (mid-run) and checks the
// refusal and that dst did not change. Returns the refusals.
template <class Opt, size_t N>
int refuse_all(Opt& dst, const Blob& src, const Edit (&edits)[N]) {
  static unsigned char before[sizeof(Opt)];
  int refused = 0;
  for (const Edit& e : edits) {
    g_work = src;
    e.apply(g_work);
    g_work.reseal();
    if (!CHECK(std::memcmp(g_work.b, src.b, src.n) != 0)) std::printf("     %s: no change\n", e.invariant);
    std::memcpy(before, static_cast<const void*>(&dst), sizeof before);
    const Status st = dst.load(g_work.b, g_work.n);
    if (st == Status::Corrupt) ++refused;
    else std::printf("     accepted: %s (%s)\n", e.invariant, status_name(st));
    CHECK(std::memcmp(before, static_cast<const void*>(&dst), sizeof before) == 0);
  }
  CHECK(dst.check_invariants() == Status::Ok);
  return refused;
}

void far_from_incumbent(Blob& b, size_t x) {
  // Outside the trust box of radius 0.3·2 around the incumbent.
  const float c = b.f32(kLo + 2 * D * R);
  b.set_f32(x, c > 0 ? -1.f : 1.f);
}

const Edit kBobyqaEdits[] = {
    {"C5 trust radius 1.5", [](Blob& b) { b.set_f32(kTrust, 1.5f); }},
    {"C8 an ask pending without a clip radius", [](Blob& b) { b.set_f32(kClip, 0.f); }},
    {"C6 best NaN", [](Blob& b) { b.set_f32(kBest, kNan); }},
    {"B1 rho_begin 0.3 (validate)", [](Blob& b) { b.set_f32(B::rho_begin, 0.3f); }},
    {"B1 restarts -1", [](Blob& b) { b.set_i32(B::restarts, -1); }},
    {"B2 iteration other than the evaluations",
     [](Blob& b) {
       b.set_i32(kIter, b.i32(kIter) - 1);
     }},
    {"B3 the pending candidate out of the trust box", [](Blob& b) { far_from_incumbent(b, B::x); }},
    {"B3 the candidate NaN", [](Blob& b) { b.set_f32(B::x + R, kNan); }},
    {"E1 best point index = M", [](Blob& b) { b.set_i32(B::kopt, static_cast<int32_t>(B::M)); }},
    {"E1 phase 3", [](Blob& b) { b.set_i32(B::phase, 3); }},
    {"E1 ITEST 4", [](Blob& b) { b.set_i32(B::itest, 4); }},
    {"E1 NFSAV > NF", [](Blob& b) { b.set_i64(B::nfsav, b.i64(B::nf) + 1); }},
    {"E2 rho_end other than the config's", [](Blob& b) { b.set_f32(B::sc(0), 1e-3f); }},
    {"E2 rho above 1/4", [](Blob& b) { b.set_f32(B::sc(1), 0.3f); }},
    {"E2 delta below rho", [](Blob& b) { b.set_f32(B::sc(2), b.f32(B::sc(1)) / 2); }},
    {"E2 a scalar NaN", [](Blob& b) { b.set_f32(B::sc(7), kNan); }},
    {"E2 the initial step 0", [](Blob& b) { b.set_f32(B::sc(18), 0.f); }},
    {"E3 the engine's box not this run's", [](Blob& b) { b.set_f32(B::vec(0, 1), b.f32(B::vec(0, 1)) * 1.5f); }},
    {"E3 the proposal outside the box", [](Blob& b) { b.set_f32(B::vec(10, 2), 0.75f); }},
    {"E4 a point +inf", [](Blob& b) { b.set_f32(B::xpt(2, 1), kInf); }},
    {"E4 a value NaN", [](Blob& b) { b.set_f32(B::fval(3), kNan); }},
    {"E4 a Hessian entry +inf", [](Blob& b) { b.set_f32(B::hq(1), kInf); }},
    {"E4 an inverse entry NaN", [](Blob& b) { b.set_f32(B::h(4, 5), kNan); }},
    {"E4 a Lagrange value -inf", [](Blob& b) { b.set_f32(B::vlag(2), -kInf); }},
};

void drop_last_observation(Blob& b, const G& g) {
  // n − 1 observations: the last t row and y go (the sections after move up).
  const int n = b.i32(g.g);
  const size_t t_last = g.t(n - 1, 0), y0 = g.y(b, 0);
  Blob c = b;
  size_t w = t_last;
  for (size_t k = y0; k < y0 + static_cast<size_t>(n - 1) * R; ++k) c.b[w++] = b.b[k];
  for (size_t k = y0 + static_cast<size_t>(n) * R; k < b.n; ++k) c.b[w++] = b.b[k];
  c.n = w;
  c.set_i32(g.g, n - 1);
  b = c;
}

void lowest_y_raised(Blob& b, const G& g) {
  const int n = b.i32(g.g);
  int k = 0;
  for (int i = 1; i < n; ++i)
    if (b.f32(g.y(b, i)) < b.f32(g.y(b, k))) k = i;
  b.set_f32(g.y(b, k), b.f32(g.y(b, k)) + 1.f);
}

const Edit kBayesOptEdits[] = {
    {"C8 an ask pending without a clip radius", [](Blob& b) { b.set_f32(kClip, 0.f); }},
    {"A1 candidates 7 (validate)", [](Blob& b) { b.set_i32(A::candidates, 7); }},
    {"A1 design other than the header's", [](Blob& b) { b.set_i32(A::design, b.i32(A::design) + 1); }},
    {"A2 iteration other than the evaluations", [](Blob& b) { b.set_i32(kIter, b.i32(kIter) - 1); }},
    {"A3 the pending candidate out of the trust box", [](Blob& b) { far_from_incumbent(b, A::x); }},
    {"A3 the proposal 1.5", [](Blob& b) { b.set_f32(A::cand + R, 1.5f); }},
    {"A3 the proposal NaN", [](Blob& b) { b.set_f32(A::cand, kNan); }},
    {"G2 a length scale above 8", [](Blob& b) { b.set_f32(A::gp.theta(0), 2.5f); }},
    {"G2 the nugget 1", [](Blob& b) { b.set_f32(A::gp.theta(kD), 0.f); }},
    {"G3 an observation outside [0, 1]", [](Blob& b) { b.set_f32(A::gp.t(1, 2), 1.25f); }},
    {"G3 a cost NaN", [](Blob& b) { b.set_f32(A::gp.y(b, 2), kNan); }},
    {"G3 a cost below the best", [](Blob& b) { b.set_f32(A::gp.y(b, 1), b.f32(kBest) - 1.f); }},
    {"G3 the least cost not the best", [](Blob& b) { lowest_y_raised(b, A::gp); }},
};

// In the design phase (5 told < design 8): one observation fewer.
const Edit kBayesOptDesignEdits[] = {
    {"G1 fewer observations than told before the model was full",
     [](Blob& b) { drop_last_observation(b, A::gp); }},
};

const Edit kTunerEdits[] = {
    {"C2 running at max_iter", [](Blob& b) { b.set_i32(kMaxIter, b.i32(kIter)); }},
    {"T1 step 0.6 (validate)", [](Blob& b) { b.set_f32(T::step, 0.6f); }},
    {"T1 model_evals -1", [](Blob& b) { b.set_i32(T::model_evals, -1); }},
    {"T2 iteration other than the evaluations", [](Blob& b) { b.set_i32(kIter, b.i32(kIter) - 1); }},
    {"T3 the design phase after the design", [](Blob& b) { b.set_i32(T::phase, 0); }},
    {"T3 the model phase with a simplex built", [](Blob& b) { b.set_i32(T::phase, 1); }},
    {"T3 the local phase without a simplex", [](Blob& b) { b.set_i32(T::local_runs, 0); }},
    {"T3 phase evaluations > told", [](Blob& b) { b.set_i32(T::phase_evals, b.i32(kIter) + 1); }},
    {"T4 the pending candidate out of the trust box", [](Blob& b) { far_from_incumbent(b, T::x); }},
    {"T4 the model's proposal -0.5", [](Blob& b) { b.set_f32(T::cand + 2 * R, -0.5f); }},
    {"G2 the nugget 1", [](Blob& b) { b.set_f32(T::gp.theta(kD), 0.f); }},
    {"G3 a cost -inf", [](Blob& b) { b.set_f32(T::gp.y(b, 3), -kInf); }},
    {"G3 the least cost not the best", [](Blob& b) { lowest_y_raised(b, T::gp); }},
    {"S1 simplex state 5", [](Blob& b) { b.set_i32(T::state(b), 5); }},
    {"S1 vertex index D + 2", [](Blob& b) { b.set_i32(T::idx(b), kD + 2); }},
    {"S1 step_end other than the config's", [](Blob& b) { b.set_f32(T::step_end(b), 1e-3f); }},
    {"S1 the reflection's value NaN", [](Blob& b) { b.set_f32(T::fr(b), kNan); }},
    {"S2 a vertex 1.5", [](Blob& b) { b.set_f32(T::v(b, 2, 1), 1.5f); }},
    {"S2 a vertex value NaN", [](Blob& b) { b.set_f32(T::fv(b, 1), kNan); }},
    {"S2 the centroid -0.1", [](Blob& b) { b.set_f32(T::c(b, 0), -0.1f); }},
    {"S2 the trial point 2", [](Blob& b) { b.set_f32(T::y(b, 2), 2.f); }},
};

}  // namespace

TEST_CASE(edited_bobyqa_blobs_are_refused) {
  CHECK(pending_after(g_bq2, BobyqaConfig{}, 12, g_blob));
  CHECK(g_blob.n == Bobyqa<kD>::kMaxSaveSize);
  CHECK(g_bq.load(g_blob.b, g_blob.n) == Status::Ok && g_bq.check_invariants() == Status::Ok);
  const float* xb = g_bq.ask();
  CHECK(xb != nullptr && g_blob.f32(B::x) == xb[0]);  // the layout above is the format
  CHECK_EQ(g_blob.i32(B::kopt) >= 0, true);
  const Box<float> box;
  CHECK(g_bq.init(box.lo, box.hi, kD, 0, BobyqaConfig{}, 99) == Status::Ok);
  const int n = static_cast<int>(sizeof kBobyqaEdits / sizeof kBobyqaEdits[0]);
  CHECK_EQ(refuse_all(g_bq, g_blob, kBobyqaEdits), n);
  // Control: a value that is only required finite may change.
  g_work = g_blob;
  g_work.set_f32(B::vec(9, 0), 0.5f);  // xalt
  g_work.reseal();
  CHECK(g_bq.load(g_work.b, g_work.n) == Status::Ok && g_bq.check_invariants() == Status::Ok);
}

TEST_CASE(edited_bayesopt_blobs_are_refused) {
  const BayesOptConfig c = cheap(BayesOptConfig{});
  CHECK(pending_after(g_bo2, c, 11, g_blob));
  CHECK(g_bo.load(g_blob.b, g_blob.n) == Status::Ok && g_bo.check_invariants() == Status::Ok);
  const float* xo = g_bo.ask();
  CHECK(xo != nullptr && g_blob.f32(A::x + R) == xo[1]);
  CHECK_EQ(g_blob.i32(A::gp.count()), 11);
  const Box<float> box;
  CHECK(g_bo.init(box.lo, box.hi, kD, 0, c, 99) == Status::Ok);
  const int n = static_cast<int>(sizeof kBayesOptEdits / sizeof kBayesOptEdits[0]);
  CHECK_EQ(refuse_all(g_bo, g_blob, kBayesOptEdits), n);
  CHECK(pending_after(g_bo2, c, 5, g_blob));
  CHECK_EQ(refuse_all(g_bo, g_blob, kBayesOptDesignEdits), 1);
  // Control: the same edit past the design is a state a smaller model
  // (MaxObs = n) reaches once full: it loads.
  CHECK(pending_after(g_bo2, c, 11, g_blob));
  g_work = g_blob;
  drop_last_observation(g_work, A::gp);
  g_work.reseal();
  CHECK(g_bo.load(g_work.b, g_work.n) == Status::Ok && g_bo.check_invariants() == Status::Ok);
  CHECK_EQ(g_bo.observations(), 10);
}

TEST_CASE(edited_tuner_blobs_are_refused) {
  TunerConfig c = cheap(TunerConfig{});
  CHECK(pending_after(g_tu2, c, 18, g_blob));  // design 8, model 6, then the simplex
  CHECK_EQ(g_tu2.phase(), 2);
  CHECK(g_tu.load(g_blob.b, g_blob.n) == Status::Ok && g_tu.check_invariants() == Status::Ok);
  const float* xt = g_tu.ask();
  CHECK(xt != nullptr && g_blob.f32(T::x + 2 * R) == xt[2]);
  CHECK_EQ(g_blob.i32(T::phase), 2);
  CHECK_EQ(g_blob.f32(T::step_end(g_blob)), c.step_end);
  const Box<float> box;
  CHECK(g_tu.init(box.lo, box.hi, kD, 0, c, 99) == Status::Ok);
  const int n = static_cast<int>(sizeof kTunerEdits / sizeof kTunerEdits[0]);
  CHECK_EQ(refuse_all(g_tu, g_blob, kTunerEdits), n);
  // Control: any vertex in [0, 1] is a simplex Nelder–Mead could hold.
  g_work = g_blob;
  g_work.set_f32(T::v(g_work, 1, 0), 0.5f);
  g_work.reseal();
  CHECK(g_tu.load(g_work.b, g_work.n) == Status::Ok && g_tu.check_invariants() == Status::Ok);
}

namespace {

// Costs at the ends of Real's range (fuzz_api's finds): the model sees at
// most ±max/8 and drops itself when a jump over a tiny radius overflows it,
// so every state stays finite (E2, E4) and every ask inside the box, for
// every number of interpolation points. Without the guard the first -max
// cost left non-finite model values within a few evaluations.
template <class Real>
int extreme_cost_runs() {
  using L = std::numeric_limits<Real>;
  static Bobyqa<kD, Real> o;
  const Real lo[kD] = {-1, -2, 0}, hi[kD] = {1, 0.5, 3};
  const Real bad[5] = {-L::max(), L::max(), L::max() / 2, -L::max() / 3, L::denorm_min()};
  int failures = 0;
  for (int m = kD + 2; m <= 2 * kD + 1; ++m)
    for (int every = 1; every <= 4; ++every) {
      if (o.init(lo, hi, kD, m, BobyqaConfig{}, static_cast<uint64_t>(m * 10 + every)) != Status::Ok) return -1;
      for (int k = 0; k < 150; ++k) {
        const Real* x = o.ask();
        if (x == nullptr) break;
        bool in_box = true;
        Real f = 0;
        for (int j = 0; j < kD; ++j) {
          in_box = in_box && x[j] >= lo[j] && x[j] <= hi[j];
          f = f + x[j] * x[j];
        }
        if (k % every == 0) f = bad[(k / every + m) % 5];
        (void)o.tell(f);
        if (!in_box || o.check_invariants() != Status::Ok) {
          ++failures;
          break;
        }
      }
    }
  return failures;
}

}  // namespace

TEST_CASE(bobyqa_extreme_costs_keep_every_invariant) {
  CHECK_EQ(extreme_cost_runs<float>(), 0);
  CHECK_EQ(extreme_cost_runs<double>(), 0);
}

// init() gives the same saved state whatever the object ran before (here a
// run with another number of points, whose arrays init once left behind:
// fuzz_api's twin found two objects initialized alike saving different bytes).
TEST_CASE(bobyqa_init_forgets_a_former_run) {
  static Bobyqa<kD> used, fresh;
  static Blob a, b;
  const Box<float> box;
  CHECK(used.init(box.lo, box.hi, kD, kD + 2, BobyqaConfig{}, 5) == Status::Ok);
  for (int k = 0; k < 40; ++k) {
    const float* x = used.ask();
    if (x == nullptr) break;
    (void)used.tell(x[0] * x[0] + x[1] + x[2] * x[1]);
  }
  CHECK(used.init(box.lo, box.hi, kD, 2 * kD + 1, BobyqaConfig{}, 6) == Status::Ok);
  CHECK(fresh.init(box.lo, box.hi, kD, 2 * kD + 1, BobyqaConfig{}, 6) == Status::Ok);
  CHECK(save_to(used, a) && save_to(fresh, b));
  CHECK(a.n == b.n && std::memcmp(a.b, b.b, a.n) == 0);
}

int main() { return check::run_all(); }
