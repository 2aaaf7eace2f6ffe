// SPDX-License-Identifier: MIT
// The saved-state invariants (Pso::check_invariants in pso.hpp, C1..C8 in
// detail/opt_core.hpp): a corpus of hand-made blobs, each a real saved state
// with one field edited to break one invariant and the CRC re-sealed. Every
// one must be refused with Corrupt and leave the loading object byte for byte
// as it was; every unedited source state loads and passes check_invariants().
// Also the three holes of issue 16 one by one, and the live check on a
// corrupted C struct (the start point's filter skip).
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "starling/crc32.hpp"
#include "starling/starling.h"
#include "starling/starling.hpp"

using namespace starling;

namespace {

constexpr int kD = 2, kN = 3;

// Byte offsets of the format (pso.hpp, Pso::save) for D = kD, N = kN.
template <class Real>
struct Layout {
  static constexpr size_t R = sizeof(Real), D = kD;
  // config
  static constexpr size_t variant = 16, topology = 18, beta = 32, v_max = 36, neighbors = 44,
                          restart_stall = 48, restart_rehits = 60, local_stall = 64;
  // common
  static constexpr size_t max_iter = 68, max_evals = 72, target = 80, stall_iter = 84, state = 96,
                          stop = 97, pending = 98, start = 99, evals = 100, iter = 108, stall = 112,
                          trust = 116, clip = 120, max_tries = 124, infeasible = 128,
                          fallback = 136, best = 144, gen_best = 144 + R;
  static constexpr size_t lo(int d) { return 144 + 2 * R + R * static_cast<size_t>(d); }
  static constexpr size_t hi(int d) { return lo(0) + D * R + R * static_cast<size_t>(d); }
  static constexpr size_t inc(int d) { return lo(0) + 2 * D * R + R * static_cast<size_t>(d); }
  // swarm
  static constexpr size_t S = 144 + 2 * R + 3 * D * R;
  static constexpr size_t cursor = S, sbest = S + 4, swarm_stall = S + 8, rehits = S + 12,
                          restarts = S + 16, batch_n = S + 20, batch_told = S + 24, epoch = S + 28,
                          ls_tau = S + 32, ls_fails = S + 36, beta_pow = S + 40, swarm_best = S + 40 + R,
                          ls_rho = S + 40 + 2 * R, ls_ref = S + 40 + 3 * R;
  static constexpr size_t row(int i) { return S + 40 + 4 * R + (4 * D + 2) * R * static_cast<size_t>(i); }
  static constexpr size_t x(int i, int d) { return row(i) + R * static_cast<size_t>(d); }
  static constexpr size_t v(int i, int d) { return x(i, d) + D * R; }
  static constexpr size_t m(int i, int d) { return x(i, d) + 2 * D * R; }
  static constexpr size_t pbest(int i, int d) { return x(i, d) + 3 * D * R; }
  static constexpr size_t pbest_f(int i) { return row(i) + 4 * D * R; }
  static constexpr size_t cost(int i) { return pbest_f(i) + R; }
  static constexpr size_t size = S + 40 + 4 * R + (4 * D + 2) * R * kN + 8;
};

// A saved state under edit.
template <class Real>
struct Blob {
  uint8_t b[Pso<kD, kN, Real>::kMaxSaveSize];
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
  Real real(size_t off) const {  // little-endian like the format (every target here is)
    Real r;
    uint8_t t[sizeof(Real)];
    for (size_t k = 0; k < sizeof(Real); ++k) t[k] = b[off + k];
    std::memcpy(&r, t, sizeof r);
    return r;
  }
  void set_u8(size_t off, uint32_t v) { b[off] = static_cast<uint8_t>(v); }
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
  void set_real(size_t off, Real r) {
    uint8_t t[sizeof(Real)];
    std::memcpy(t, &r, sizeof r);
    for (size_t k = 0; k < sizeof(Real); ++k) b[off + k] = t[k];
  }
  void reseal() {
    const uint32_t crc = crc32(b, n - 4);
    set_u32(n - 4, crc);
  }
};

template <class Real>
Real cost(const Real* x, int dims) {
  Real s = 0;
  for (int d = 0; d < dims; ++d) s += (x[d] - Real(0.2)) * (x[d] - Real(0.2));
  return s;
}
template <class Real>
bool feasible(const Real* x, int, void*) {
  return x[0] + x[1] < Real(1.2);
}
template <class Real>
bool reject_all(const Real*, int, void*) {
  return false;
}

const float kLoF[kD] = {-1, -2}, kHiF[kD] = {1, 2};
template <class Real>
struct Box {
  Real lo[kD] = {-1, -2}, hi[kD] = {1, 2};
};

template <class Real>
void run(Pso<kD, kN, Real>& p, long evals, bool nan = false) {
  for (long k = 0; k < evals; ++k) {
    const Real* x = p.ask();
    if (x == nullptr) return;
    (void)p.tell(nan ? std::numeric_limits<Real>::quiet_NaN() : cost(x, kD));
  }
}

template <class Real>
PsoConfig base() {
  // EMPSO without restarts (the paper's settings): the sources that need
  // restarts or another topology set them, and invariants that hold only
  // without restarts (P10) have sources to be edited.
  PsoConfig c = PsoConfig::literature();
  c.variant = Variant::Empso;
  c.c1 = c.c2 = 2.f;
  c.max_iter = 30;
  return c;
}

// The source states, each saved into a Blob; what each claims is checked on
// the blob itself before it is edited.
enum Source {
  kMidPending,     // sweep 2, trust radius, predicate, start given, an ask pending
  kStartNothing,   // a start point, nothing evaluated, its ask pending
  kNanFirst,       // sweep 0, two NaN costs told
  kBoundary,       // running at a sweep boundary (cursor 0), Constriction
  kMaxIter,        // stopped by MaxIter
  kInfeasible,     // stopped: nothing feasible, no start
  kRestartsRandom, // restarts happened, Topology::Random, mid-sweep
  kAfterRestart,   // just restarted (nothing told since)
  kBatch,          // a batch open with one of its costs told, trust radius
  kTarget,         // stopped by Target
  kStall,          // stopped by Stall
  kFirstAsk,       // a predicate, no start, the first ask pending
  kLocalProbe,     // local_stall 1, nothing improves: a local probe placed, not yet asked
  kLocalFipsStop,  // FIPS, von Neumann, local_stall 1, stopped by MaxIter with the last probe told
  kLocalMidTold,   // EMPSO, local_stall 1, restarts, mid-sweep with the probed particle told
  kSources
};

template <class Real>
bool make(Source s, Pso<kD, kN, Real>& p, Blob<Real>& out) {
  const Box<Real> box;
  PsoConfig c = base<Real>();
  (void)p.set_feasible(nullptr);
  (void)p.set_trust_radius(0.f);
  switch (s) {
    case kMidPending: {
      if (p.init(box.lo, box.hi, kD, kN, c, 11) != Status::Ok) return false;
      (void)p.set_feasible(feasible<Real>, nullptr, 4);
      (void)p.set_trust_radius(0.25f);
      const Real st[kD] = {Real(-0.5), Real(-1)};
      (void)p.set_start(st);
      run(p, 7);
      (void)p.ask();
      break;
    }
    case kStartNothing: {
      if (p.init(box.lo, box.hi, kD, kN, c, 12) != Status::Ok) return false;
      (void)p.set_trust_radius(0.5f);
      const Real st[kD] = {Real(0.25), Real(-0.75)};
      (void)p.set_start(st);
      (void)p.ask();
      break;
    }
    case kNanFirst:
      if (p.init(box.lo, box.hi, kD, kN, c, 13) != Status::Ok) return false;
      run(p, 2, true);
      break;
    case kBoundary:
      c = PsoConfig::literature();  // Constriction, Global, no restarts
      c.max_iter = 30;
      if (p.init(box.lo, box.hi, kD, kN, c, 14) != Status::Ok) return false;
      run(p, 3 * kN);
      break;
    case kMaxIter:
      c.max_iter = 3;
      if (p.init(box.lo, box.hi, kD, kN, c, 15) != Status::Ok) return false;
      run(p, 100);
      break;
    case kInfeasible:
      if (p.init(box.lo, box.hi, kD, kN, c, 16) != Status::Ok) return false;
      (void)p.set_feasible(reject_all<Real>, nullptr, 2);
      (void)p.ask();
      break;
    case kRestartsRandom:
      c.topology = Topology::Random;
      c.restart_stall = 1;
      c.restart_rehits = 0;
      c.restart_radius = 0.5f;
      if (p.init(box.lo, box.hi, kD, kN, c, 17) != Status::Ok) return false;
      run(p, 4 * kN + 1, true);  // nothing improves: a restart after every sweep but the first
      break;
    case kAfterRestart:
      c.restart_stall = 1;
      c.restart_rehits = 0;
      if (p.init(box.lo, box.hi, kD, kN, c, 18) != Status::Ok) return false;
      run(p, 3 * kN, true);
      break;
    case kBatch: {
      if (p.init(box.lo, box.hi, kD, kN, c, 19) != Status::Ok) return false;
      (void)p.set_trust_radius(0.3f);
      run(p, kN + 1);
      const Real* xs[kN];
      const int n = p.ask_batch(xs, kN);
      if (n != 2 || p.tell_batch(1, Real(5)) != Status::Ok) return false;
      break;
    }
    case kTarget:
      c.target = 0.5f;
      if (p.init(box.lo, box.hi, kD, kN, c, 20) != Status::Ok) return false;
      run(p, 200);
      break;
    case kStall:
      c.stall_iter = 2;
      if (p.init(box.lo, box.hi, kD, kN, c, 21) != Status::Ok) return false;
      run(p, 200, true);
      break;
    case kFirstAsk:
      if (p.init(box.lo, box.hi, kD, kN, c, 22) != Status::Ok) return false;
      (void)p.set_feasible(feasible<Real>, nullptr, 3);
      (void)p.set_trust_radius(0.4f);
      (void)p.ask();
      break;
    case kLocalProbe:
      c.local_stall = 1;
      if (p.init(box.lo, box.hi, kD, kN, c, 23) != Status::Ok) return false;
      run(p, 2 * kN, true);
      break;
    case kLocalFipsStop:  // constant costs: every move after the first probes particle 0
      c = PsoConfig::fips();
      c.local_stall = 1;
      c.max_iter = 4;
      if (p.init(box.lo, box.hi, kD, kN, c, 24) != Status::Ok) return false;
      for (int k = 0; k < 100 && !p.done(); ++k)
        if (p.ask() == nullptr || p.tell(Real(1)) != Status::Ok) return false;
      break;
    case kLocalMidTold:
      c.local_stall = 1;
      c.restart_stall = 3;
      if (p.init(box.lo, box.hi, kD, kN, c, 25) != Status::Ok) return false;
      for (int k = 0; k < 2 * kN + 2; ++k)
        if (p.ask() == nullptr || p.tell(Real(1)) != Status::Ok) return false;
      break;
    case kSources: return false;
  }
  return p.save(out.b, sizeof out.b, &out.n) == Status::Ok;
}

using L = Layout<float>;

// The sources claim what they are (checked on the float blobs).
bool claims(Source s, const Blob<float>& b) {
  const int iter = b.i32(L::iter), cursor = b.i32(L::cursor);
  const long evals = static_cast<long>(b.i64(L::evals));
  switch (s) {
    case kMidPending:
      return b.b[L::pending] == 1 && b.b[L::start] == 1 && iter == 2 && cursor == 1 &&
             b.f32(L::clip) == 0.25f && b.i32(L::restarts) == 0;
    case kStartNothing:
      return b.b[L::pending] == 1 && b.b[L::start] == 1 && evals == 0 && b.f32(L::clip) == 0.5f;
    case kNanFirst:
      return iter == 0 && evals == 2 && std::isinf(b.f32(L::best)) && b.b[L::pending] == 0;
    case kBoundary:
      return iter == 3 && cursor == 0 && b.b[L::variant] == 1 && b.b[L::pending] == 0;
    case kMaxIter: return b.b[L::stop] == 1 && iter == 3;
    case kInfeasible: return b.b[L::stop] == 5 && evals == 0 && b.i64(L::infeasible) == 3;
    case kRestartsRandom:
      return b.i32(L::restarts) >= 2 && b.b[L::topology] == 3 && cursor == 1 && b.i32(L::sbest) >= 0;
    case kAfterRestart: return b.i32(L::restarts) >= 1 && b.i32(L::sbest) == -1 && cursor == 0;
    case kBatch:
      return b.i32(L::batch_n) == 2 && b.i32(L::batch_told) == 1 && cursor == 1 &&
             b.f32(L::clip) == 0.3f;
    case kTarget: return b.b[L::stop] == 3;
    case kStall: return b.b[L::stop] == 4;
    case kFirstAsk:
      return b.b[L::pending] == 1 && evals == 0 && b.b[L::start] == 0 && std::isinf(b.f32(L::clip));
    case kLocalProbe:
      return b.i32(L::local_stall) == 1 && iter == 2 && cursor == 0 && b.i32(L::ls_tau) == 0 &&
             b.i32(L::ls_fails) == 1 && b.f32(L::ls_rho) == 0.01f;
    case kLocalFipsStop:
      return b.b[L::stop] == 1 && b.b[L::variant] == 3 && b.i32(L::local_stall) == 1 && b.i32(L::ls_tau) == 0;
    case kLocalMidTold:
      return b.i32(L::local_stall) == 1 && cursor == 2 && b.i32(L::ls_tau) == 0 && b.b[L::pending] == 0;
    case kSources: break;
  }
  return false;
}

// One edit: the source, what is broken, and the change.
struct Edit {
  Source src;
  const char* invariant;
  void (*apply)(Blob<float>&);
};

const float kInf = std::numeric_limits<float>::infinity();
const float kNan = std::numeric_limits<float>::quiet_NaN();

// The corpus. Each edit keeps the other fields as they were, so that the
// named invariant is what breaks (where one edit must break two, it says).
const Edit kEdits[] = {
    // ---- C1..C8 (OptCore::check_common) ----
    {kBoundary, "C1 max_iter 0", [](Blob<float>& b) { b.set_i32(L::max_iter, 0); }},
    {kBoundary, "C2 running with a stop reason", [](Blob<float>& b) { b.set_u8(L::stop, 1); }},
    {kMaxIter, "C2 stopped without a reason", [](Blob<float>& b) { b.set_u8(L::stop, 0); }},
    {kMaxIter, "C2 an ask pending after a stop (and C8: no clip)",
     [](Blob<float>& b) { b.set_u8(L::pending, 1); }},
    {kBoundary, "C2 running at max_iter", [](Blob<float>& b) { b.set_i32(L::max_iter, 3); }},
    {kBoundary, "C2 running at max_evals",
     [](Blob<float>& b) { b.set_i64(L::max_evals, b.i64(L::evals)); }},
    {kBoundary, "C2 running with best <= target",
     [](Blob<float>& b) { b.set_f32(L::target, b.f32(L::best)); }},
    {kMaxIter, "C2 best <= target but stopped by MaxIter",
     [](Blob<float>& b) { b.set_f32(L::target, b.f32(L::best) + 1); }},
    {kMaxIter, "C3 MaxIter below max_iter",
     [](Blob<float>& b) { b.set_i32(L::max_iter, b.i32(L::iter) + 1); }},
    {kStall, "C3 Stall with stall below stall_iter",
     [](Blob<float>& b) { b.set_i32(L::stall_iter, b.i32(L::stall_iter) + 1); }},
    {kStall, "C3 Stall with stall_iter off", [](Blob<float>& b) { b.set_i32(L::stall_iter, 0); }},
    {kTarget, "C3 Target with best above target",
     [](Blob<float>& b) { b.set_f32(L::target, b.f32(L::best) / 2 - 1); }},
    {kInfeasible, "C3 Infeasible without a rejection",
     [](Blob<float>& b) { b.set_i64(L::infeasible, 0); }},
    {kBoundary, "C4 stall > iteration", [](Blob<float>& b) { b.set_i32(L::stall, 4); }},
    {kMidPending, "C4 fallback > infeasible",
     [](Blob<float>& b) { b.set_i64(L::fallback, b.i64(L::infeasible) + 1); }},
    {kInfeasible, "C4 a fallback before anything was known",
     [](Blob<float>& b) { b.set_i64(L::fallback, 1); }},
    {kBoundary, "C5 trust radius 1.5", [](Blob<float>& b) { b.set_f32(L::trust, 1.5f); }},
    {kBoundary, "C5 trust radius -0", [](Blob<float>& b) { b.set_f32(L::trust, -0.f); }},
    {kBoundary, "C5 max_tries 65", [](Blob<float>& b) { b.set_i32(L::max_tries, 65); }},
    {kBoundary, "C6 best NaN (NaN never best)", [](Blob<float>& b) { b.set_f32(L::best, kNan); }},
    {kBoundary, "C6 best -inf", [](Blob<float>& b) { b.set_f32(L::best, -kInf); }},
    {kStartNothing, "C6 a finite best before any evaluation",
     [](Blob<float>& b) { b.set_f32(L::best, 1.f); }},
    {kMidPending, "C6 sweep-start best below best",
     [](Blob<float>& b) { b.set_f32(L::gen_best, b.f32(L::best) - 1); }},
    {kBoundary, "C6 sweep-start best other than best at a boundary",
     [](Blob<float>& b) { b.set_f32(L::gen_best, b.f32(L::best) + 1); }},
    {kNanFirst, "C6 sweep-start best finite in sweep 0",
     [](Blob<float>& b) { b.set_f32(L::gen_best, 3.f); }},
    {kBoundary, "C7 lo = hi", [](Blob<float>& b) { b.set_f32(L::lo(1), b.f32(L::hi(1))); }},
    {kBoundary, "C7 a denormal range",
     [](Blob<float>& b) {
       b.set_f32(L::lo(0), 0.f);
       b.set_f32(L::hi(0), 1.4e-45f);
     }},
    {kBoundary, "C7 the incumbent outside the box",
     [](Blob<float>& b) { b.set_f32(L::inc(0), 1.5f); }},
    {kInfeasible, "C7 nothing known and the incumbent's array not lo",
     [](Blob<float>& b) { b.set_f32(L::inc(1), 0.f); }},
    {kBoundary, "C8 a clip radius with nothing outstanding",
     [](Blob<float>& b) { b.set_f32(L::clip, 0.5f); }},
    {kMidPending, "C8 an ask pending without a clip radius",
     [](Blob<float>& b) { b.set_f32(L::clip, 0.f); }},
    {kMidPending, "C8 clip radius 2", [](Blob<float>& b) { b.set_f32(L::clip, 2.f); }},
    {kMidPending, "C8 clip radius NaN", [](Blob<float>& b) { b.set_f32(L::clip, kNan); }},
    {kFirstAsk, "C8 a finite clip radius with nothing to centre it",
     [](Blob<float>& b) { b.set_f32(L::clip, 0.4f); }},
    // ---- P1..P13 (PsoCore::check) ----
    {kBoundary, "P1 beta 1 (validate)", [](Blob<float>& b) { b.set_f32(L::beta, 1.f); }},
    {kRestartsRandom, "P1 random links 5", [](Blob<float>& b) { b.set_i32(L::neighbors, 5); }},
    {kBoundary, "P2 a velocity limit below the smallest normal (and P4: |v|)",
     [](Blob<float>& b) { b.set_f32(L::v_max, 1e-39f); }},
    {kBoundary, "P3 cursor = particles", [](Blob<float>& b) { b.set_i32(L::cursor, kN); }},
    {kMidPending, "P3 evaluations off the sweep and cursor",
     [](Blob<float>& b) { b.set_i64(L::evals, b.i64(L::evals) + 1); }},
    {kMaxIter, "P3 cursor not 0 after a sweep-end stop (and evaluations)",
     [](Blob<float>& b) {
       b.set_i32(L::cursor, 1);
       b.set_i64(L::evals, b.i64(L::evals) + 1);
     }},
    {kBoundary, "P4 a position outside the box", [](Blob<float>& b) { b.set_f32(L::x(1, 0), -1.01f); }},
    {kBoundary, "P4 a position NaN", [](Blob<float>& b) { b.set_f32(L::x(2, 1), kNan); }},
    {kBoundary, "P4 a personal best outside the box",
     [](Blob<float>& b) { b.set_f32(L::pbest(0, 1), 2.5f); }},
    {kBoundary, "P4 |v| above v_max·range", [](Blob<float>& b) { b.set_f32(L::v(0, 0), 1.01f); }},
    {kMidPending, "P4 a momentum +inf", [](Blob<float>& b) { b.set_f32(L::m(1, 0), kInf); }},
    {kBoundary, "P4 a momentum without EMPSO", [](Blob<float>& b) { b.set_f32(L::m(1, 0), 0.25f); }},
    {kNanFirst, "P4 a momentum before EMPSO moved", [](Blob<float>& b) { b.set_f32(L::m(0, 1), 0.25f); }},
    {kBoundary, "P5 a personal best cost NaN", [](Blob<float>& b) { b.set_f32(L::pbest_f(1), kNan); }},
    {kBoundary, "P5 a personal best cost below the best value (and P7)",
     [](Blob<float>& b) { b.set_f32(L::pbest_f(2), b.f32(L::best) - 1); }},
    {kNanFirst, "P5 a particle not yet told with a finite cost",
     [](Blob<float>& b) { b.set_f32(L::pbest_f(2), 1.f); }},
    {kNanFirst, "P5 (P7) a particle told a finite cost in sweep 0 away from where it was told",
     [](Blob<float>& b) {
       // particle 1 told 2.0 at its position, then its personal best moved
       b.set_f32(L::pbest_f(1), 2.f);
       b.set_f32(L::best, 2.f);
       b.set_f32(L::pbest(1, 0), b.f32(L::x(1, 0)) / 2);
       for (int d = 0; d < kD; ++d) b.set_f32(L::inc(d), b.f32(L::pbest(1, d)));
     }},
    {kBoundary, "P6 swarm's best particle = particles", [](Blob<float>& b) { b.set_i32(L::sbest, kN); }},
    {kBoundary, "P6 swarm's best particle -1 with evaluations and no restart",
     [](Blob<float>& b) { b.set_i32(L::sbest, -1); }},
    {kBoundary, "P6 swarm's best particle not the best one",
     [](Blob<float>& b) {
       int worst = 0;
       for (int i = 1; i < kN; ++i)
         if (b.f32(L::pbest_f(i)) > b.f32(L::pbest_f(worst))) worst = i;
       b.set_i32(L::sbest, worst);
     }},
    {kBoundary, "P6 swarm's sweep-start best other than its best at a boundary (and P10)",
     [](Blob<float>& b) { b.set_f32(L::swarm_best, b.f32(L::swarm_best) + 1); }},
    {kNanFirst, "P6 swarm's sweep-start best finite in sweep 0 (and P10)",
     [](Blob<float>& b) { b.set_f32(L::swarm_best, 9.f); }},
    {kBoundary, "P7 the incumbent at a point never evaluated (issue 16)",
     [](Blob<float>& b) {
       b.set_f32(L::inc(0), b.f32(L::inc(0)) * 0.5f + 0.25f);
     }},
    {kBoundary, "P7 the best value not any particle's (lowered, sweep-start too)",
     [](Blob<float>& b) {
       b.set_f32(L::best, b.f32(L::best) / 2);
       b.set_f32(L::gen_best, b.f32(L::best));
       b.set_f32(L::swarm_best, b.f32(L::best));
     }},
    {kNanFirst, "P7 nothing finite told and the incumbent not the first point told",
     [](Blob<float>& b) { b.set_f32(L::inc(0), b.f32(L::x(1, 0))); }},
    {kStartNothing, "P8 a start with nothing evaluated and particle 0 elsewhere (issue 16)",
     [](Blob<float>& b) { b.set_f32(L::x(0, 0), b.f32(L::x(0, 0)) + 0.125f); }},
    {kStartNothing, "P8 the start's personal best elsewhere",
     [](Blob<float>& b) { b.set_f32(L::pbest(0, 1), b.f32(L::pbest(0, 1)) + 0.125f); }},
    {kMidPending, "P9 the pending candidate edited out of the trust box (issue 16)",
     [](Blob<float>& b) {
       const float c = b.f32(L::inc(0));
       b.set_f32(L::x(1, 0), c > 0 ? -1.f : 1.f);
     }},
    {kBatch, "P9 a batch candidate out of the trust box",
     [](Blob<float>& b) {
       const float c = b.f32(L::inc(1));
       b.set_f32(L::x(2, 1), c > 0 ? -2.f : 2.f);
     }},
    {kBatch, "P9 a batch beyond the sweep", [](Blob<float>& b) { b.set_i32(L::batch_n, 3); }},
    {kBatch, "P9 a batch and a pending ask", [](Blob<float>& b) { b.set_u8(L::pending, 1); }},
    {kBatch, "P9 batch costs told other than counted",
     [](Blob<float>& b) { b.set_f32(L::cost(2), kNan); }},  // candidate 1 = particle 2 was told
    {kBatch, "P9 batch told = batch size", [](Blob<float>& b) { b.set_i32(L::batch_told, 2); }},
    {kBatch, "P9 a batch beyond max_evals",
     [](Blob<float>& b) { b.set_i64(L::max_evals, b.i64(L::evals) + 1); }},
    {kBoundary, "P9 a cost outside any batch", [](Blob<float>& b) { b.set_f32(L::cost(0), 1.f); }},
    {kBatch, "P9 a batch cost -inf", [](Blob<float>& b) { b.set_f32(L::cost(2), -kInf); }},
    {kBoundary, "P10 restarts without restart_stall (and P11)",
     [](Blob<float>& b) { b.set_i32(L::restarts, 1); }},
    {kRestartsRandom, "P10 restarts·restart_stall + swarm stall > iteration (and P11)",
     [](Blob<float>& b) { b.set_i32(L::restarts, b.i32(L::iter) + 1); }},
    {kRestartsRandom, "P10 swarm stall at restart_stall while running",
     [](Blob<float>& b) { b.set_i32(L::swarm_stall, 1); }},
    {kRestartsRandom, "P10 re-finds above restart_rehits",
     [](Blob<float>& b) { b.set_i32(L::rehits, 1); }},
    {kBoundary, "P10 re-finds negative", [](Blob<float>& b) { b.set_i32(L::rehits, -1); }},
    {kStartNothing, "P10 re-finds before anything was told",
     [](Blob<float>& b) {
       b.set_i32(L::restart_rehits, 5);
       b.set_i32(L::rehits, 1);
     }},
    {kMidPending, "P10 re-finds above restart_rehits",
     [](Blob<float>& b) {
       b.set_i32(L::restart_rehits, 5);
       b.set_i32(L::rehits, 6);
     }},
    {kBoundary, "P1 restart_rehits negative", [](Blob<float>& b) { b.set_i32(L::restart_rehits, -1); }},
    {kBoundary, "P10 swarm stall other than the stall count without restarts",
     [](Blob<float>& b) { b.set_i32(L::swarm_stall, b.i32(L::stall) + 1); }},
    {kBoundary, "P11 link epoch without random links", [](Blob<float>& b) { b.set_u32(L::epoch, 1); }},
    {kRestartsRandom, "P11 link epoch + restarts > sweeps",
     [](Blob<float>& b) { b.set_u32(L::epoch, static_cast<uint32_t>(b.i32(L::iter))); }},
    {kBoundary, "P12 beta^t 2", [](Blob<float>& b) { b.set_f32(L::beta_pow, 2.f); }},
    {kNanFirst, "P12 beta^t not 1 before the first move", [](Blob<float>& b) { b.set_f32(L::beta_pow, 0.5f); }},
    {kMidPending, "P12 beta^t above beta after a move", [](Blob<float>& b) { b.set_f32(L::beta_pow, 0.95f); }},
    {kNanFirst, "P13 a velocity other than the seed's in sweep 0",
     [](Blob<float>& b) { b.set_f32(L::v(2, 0), b.f32(L::v(2, 0)) / 2); }},
    {kNanFirst, "P13 a personal best other than the seed's in sweep 0",
     [](Blob<float>& b) { b.set_f32(L::pbest(2, 1), b.f32(L::pbest(2, 1)) / 2); }},
    {kAfterRestart, "P13 a velocity other than the restart's seed",
     [](Blob<float>& b) { b.set_f32(L::v(1, 1), b.f32(L::v(1, 1)) / 2); }},
    {kLocalProbe, "P1 local_stall negative", [](Blob<float>& b) { b.set_i32(L::local_stall, -1); }},
    {kLocalProbe, "P14 rho above 0.01", [](Blob<float>& b) { b.set_f32(L::ls_rho, 0.02f); }},
    {kLocalProbe, "P14 rho below 1e-6", [](Blob<float>& b) { b.set_f32(L::ls_rho, 5e-7f); }},
    {kLocalProbe, "P14 failures at the halving count", [](Blob<float>& b) { b.set_i32(L::ls_fails, 5); }},
    {kLocalProbe, "P14 failures negative", [](Blob<float>& b) { b.set_i32(L::ls_fails, -1); }},
    {kLocalProbe, "P14 the probing particle out of range", [](Blob<float>& b) { b.set_i32(L::ls_tau, kN); }},
    {kLocalProbe, "P14 the reference NaN",
     [](Blob<float>& b) { b.set_f32(L::ls_ref, std::numeric_limits<float>::quiet_NaN()); }},
    {kMidPending, "P14 a probe without local_stall", [](Blob<float>& b) { b.set_i32(L::ls_tau, 0); }},
    {kLocalFipsStop, "P14 the probed particle's best above the reference",
     [](Blob<float>& b) { b.set_f32(L::ls_ref, b.f32(L::pbest_f(b.i32(L::ls_tau))) / 2); }},
    {kBoundary, "P14 failures without local_stall", [](Blob<float>& b) { b.set_i32(L::ls_fails, 1); }},
};

struct Target {
  Pso<kD, kN> p;
};
Target g_src, g_dst;
Blob<float> g_blob, g_work;
alignas(Pso<kD, kN>) unsigned char g_before[sizeof(Pso<kD, kN>)];

}  // namespace

TEST_CASE(layout_matches_the_format) {
  static_assert(L::size == Pso<kD, kN>::kMaxSaveSize, "layout");
  static_assert(Layout<double>::size == Pso<kD, kN, double>::kMaxSaveSize, "layout");
  CHECK(make(kBoundary, g_src.p, g_blob));
  CHECK_EQ(g_blob.n, L::size);
  CHECK_EQ(g_blob.f32(L::lo(1)), -2.f);
  CHECK_EQ(g_blob.f32(L::hi(1)), 2.f);
  CHECK_EQ(g_blob.i32(L::max_iter), 30);
  CHECK_EQ(g_blob.f32(L::x(2, 1)), g_src.p.position(2)[1]);
  CHECK_EQ(g_blob.f32(L::pbest_f(1)), g_src.p.personal_best_value(1));
  CHECK_EQ(g_blob.f32(L::inc(0)), g_src.p.best_position()[0]);
}

TEST_CASE(every_source_loads_and_claims_what_it_is) {
  for (int s = 0; s < kSources; ++s) {
    const Source src = static_cast<Source>(s);
    if (!CHECK(make(src, g_src.p, g_blob))) continue;
    if (!CHECK(claims(src, g_blob))) std::printf("     source %d is not what it claims\n", s);
    CHECK(g_src.p.check_invariants() == Status::Ok);
    CHECK(g_dst.p.load(g_blob.b, g_blob.n) == Status::Ok);
    CHECK(g_dst.p.check_invariants() == Status::Ok);
    static Pso<kD, kN, double> pd, qd;
    static Blob<double> bd;
    CHECK(make(src, pd, bd));
    CHECK(qd.load(bd.b, bd.n) == Status::Ok && qd.check_invariants() == Status::Ok);
  }
}

TEST_CASE(every_edited_blob_is_refused_and_changes_nothing) {
  // The target is mid-run in a state of its own.
  const Box<float> box;
  CHECK(g_dst.p.init(box.lo, box.hi, kD, kN, PsoConfig{}, 99) == Status::Ok);
  run(g_dst.p, 5);
  int refused = 0, edits = 0;
  for (const Edit& e : kEdits) {
    ++edits;
    if (!CHECK(make(e.src, g_src.p, g_blob))) continue;
    g_work = g_blob;
    e.apply(g_work);
    g_work.reseal();
    if (!CHECK(std::memcmp(g_work.b, g_blob.b, g_blob.n) != 0)) std::printf("     %s: no change\n", e.invariant);
    std::memcpy(g_before, static_cast<const void*>(&g_dst.p), sizeof g_before);
    const Status st = g_dst.p.load(g_work.b, g_work.n);
    if (st == Status::Corrupt) ++refused;
    else std::printf("     accepted: %s (%s)\n", e.invariant, status_name(st));
    CHECK(std::memcmp(g_before, static_cast<const void*>(&g_dst.p), sizeof g_before) == 0);
    // The C API refuses it too, and a struct that was never ready stays
    // byte for byte as it was.
    static starling_pso cs;
    std::memset(&cs, 0x5A, sizeof cs);
    static unsigned char cbefore[sizeof(starling_pso)];
    std::memcpy(cbefore, &cs, sizeof cs);
    CHECK(starling_pso_load(&cs, g_work.b, g_work.n) == STARLING_CORRUPT);
    CHECK(std::memcmp(cbefore, &cs, sizeof cs) == 0);
  }
  CHECK_EQ(refused, edits);
  CHECK(edits >= 70);
  std::printf("     %d edited blobs, %d refused\n", edits, refused);
}

// Controls: edits that keep every invariant load (the checks are not simply
// refusing everything edited).
TEST_CASE(harmless_edits_load) {
  CHECK(make(kBoundary, g_src.p, g_blob));
  g_work = g_blob;
  g_work.set_f32(L::v(1, 0), 0.f);  // after a move any velocity within the limit
  g_work.set_f32(L::x(2, 0), 0.5f);  // and any position in the box
  g_work.reseal();
  CHECK(g_dst.p.load(g_work.b, g_work.n) == Status::Ok);
  CHECK(make(kMidPending, g_src.p, g_blob));
  g_work = g_blob;
  g_work.set_f32(L::trust, 0.01f);  // the radius may change after the candidate was clipped
  g_work.set_f32(L::clip, 1.f);     // a larger clip radius only widens the check
  g_work.reseal();
  CHECK(g_dst.p.load(g_work.b, g_work.n) == Status::Ok);
  CHECK(g_dst.p.check_invariants() == Status::Ok);
}

// Issue 16's first hole, live: a start with nothing evaluated and particle 0
// moved (here by overwriting the C struct's memory) is no longer handed out
// unfiltered; check_invariants() reports the damage.
TEST_CASE(corrupted_start_candidate_is_filtered_and_reported) {
  static starling_pso s;
  starling_pso_config c;
  CHECK(starling_pso_config_default(&c) == STARLING_OK);
  CHECK(starling_pso_init(&s, kLoF, kHiF, kD, kN, &c, 5) == STARLING_OK);
  CHECK(starling_pso_set_feasible(&s, feasible<float>, nullptr, 8) == STARLING_OK);
  const float start[kD] = {-0.5f, -1.f};
  CHECK(starling_pso_set_start(&s, start) == STARLING_OK);
  CHECK(starling_pso_check_invariants(&s) == STARLING_OK);
  // Particle 0's position is the first float after the core (starling.h).
  float* x0 = reinterpret_cast<float*>(reinterpret_cast<unsigned char*>(&s) + 16 +
                                       STARLING_PSO_CORE_BYTES);
  CHECK_EQ(x0[0], start[0]);
  x0[0] = 0.9f;  // 0.9 + 0.9 >= 1.2: infeasible
  x0[1] = 0.9f;
  CHECK(starling_pso_check_invariants(&s) == STARLING_CORRUPT);
  const float* x = starling_pso_ask(&s);
  CHECK(x != nullptr && feasible<float>(x, kD, nullptr));
}

int main() { return check::run_all(); }
