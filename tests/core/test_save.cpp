// SPDX-License-Identifier: MIT
// Save and resume (Pso::save / Pso::load, format in pso.hpp): a resumed run
// continues bit for bit like an uninterrupted one; every corruption is
// refused with Corrupt and leaves the object unchanged; a blob saved on x86
// (golden_state.h) loads and continues identically on every target.
//
// `test_save --emit-golden` prints golden_state.h (run it on x86-64).
#include <cmath>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "config_matrix.hpp"
#include "trajectory_hash.hpp"
#include "golden_state.h"
#include "starling/crc32.hpp"
#include "starling/starling.h"
#include "starling/starling.hpp"

using namespace starling;

namespace {

// Deterministic cost of the n-th evaluation; every 7th is NaN.
template <class Real>
Real cost(const Real* x, int dims, long n) {
  if (n % 7 == 6) return std::numeric_limits<Real>::quiet_NaN();
  Real s = 0;
  for (int d = 0; d < dims; ++d) {
    const Real e = x[d] - Real(0.25) * static_cast<Real>(d % 3);
    s = s + (e * e) * static_cast<Real>(d + 1);
  }
  return s;
}
template <class Real>
bool feasible(const Real* x, int dims, void*) {
  Real r2 = 0;
  for (int d = 0; d < dims; ++d) r2 += (x[d] - Real(0.3)) * (x[d] - Real(0.3));
  return r2 >= Real(0.25);
}

// Asks and tells until done or `stop_at` evaluations; hashes every asked
// coordinate and told cost.
template <class P>
uint64_t run(P& p, uint64_t h, long stop_at) {
  using Real = typename std::remove_const<
      typename std::remove_pointer<decltype(p.best_position())>::type>::type;
  while (p.evaluations() < stop_at) {
    const Real* x = p.ask();
    if (x == nullptr) break;
    for (int d = 0; d < p.dims(); ++d) h = fnv(h, x[d]);
    const Real c = cost(x, p.dims(), p.evaluations());
    h = fnv(h, c);
    if (p.tell(c) != Status::Ok) break;
  }
  return h;
}

// config_matrix, with short runs and every stop rule in play.
PsoConfig config(int v, int t, int b) {
  PsoConfig c = config_matrix(v, t, b);
  c.max_iter = 12;
  c.stall_iter = v == 1 ? 4 : 0;
  c.max_evals = v == 2 ? 100 : 0;
  return c;
}

const float kLo[5] = {-1, -1.5f, -1, -2, -1}, kHi[5] = {2, 1.5f, 1, 2, 3};
const float kStart[5] = {-0.8f, -1.2f, -0.9f, 1.5f, 2.5f};

template <class P>
void setup(P& p, const PsoConfig& c, uint64_t seed, bool safe) {
  CHECK(p.init(kLo, kHi, 5, 8, c, seed) == Status::Ok);
  CHECK(p.set_feasible(safe ? feasible<float> : nullptr, nullptr, 4) == Status::Ok);
  CHECK(p.set_trust_radius(safe ? 0.25f : 0.f) == Status::Ok);
  if (safe) CHECK(p.set_start(kStart) == Status::Ok);
}

uint8_t g_buf[Pso<8, 16, double>::kMaxSaveSize];

}  // namespace

TEST_CASE(resume_is_bit_identical) {
  static Pso<5, 8> a;
  static Pso<8, 16> b;  // a different capacity loads it too
  const long ks[] = {0, 1, 7, 8, 9, 16, 19, 30, 95};
  int runs = 0, mismatches = 0;
  for (int safe = 0; safe < 2; ++safe)
    for (int v = 0; v < 3; ++v)
      for (int t = 0; t < 2; ++t)
        for (int bd = 0; bd < 3; ++bd) {
          const PsoConfig c = config(v, t, bd);
          const uint64_t seed = 500u + static_cast<unsigned>(v * 6 + t * 3 + bd);
          setup(a, c, seed, safe == 1);
          const uint64_t whole = run(a, kFnvOffset, 1L << 30);
          const long total = a.evaluations();
          for (long k : ks)
            for (int pending = 0; pending < 2; ++pending) {
              setup(a, c, seed, safe == 1);
              uint64_t h = run(a, kFnvOffset, k);
              if (pending) (void)a.ask();  // saved between ask and tell
              size_t n = 0;
              CHECK(a.save(g_buf, sizeof g_buf, &n) == Status::Ok);
              CHECK_EQ(n, a.save_size());
              CHECK(b.set_feasible(safe ? feasible<float> : nullptr, nullptr, 1) == Status::Ok);
              CHECK(b.load(g_buf, n) == Status::Ok);
              h = run(b, h, 1L << 30);
              ++runs;
              if (h != whole || b.evaluations() != total) ++mismatches;
              if (!CHECK_EQ(h, whole))
                std::printf("     safe %d v %d t %d b %d k %ld pending %d\n", safe, v, t, bd, k,
                            pending);
            }
        }
  CHECK_EQ(mismatches, 0);
  CHECK_EQ(runs, 2 * 18 * 9 * 2);
}

TEST_CASE(resume_double_and_counters) {
  static Pso<3, 6, double> a, b;
  const double lo[3] = {-1, -1, -1}, hi[3] = {2, 2, 2}, start[3] = {-0.9, -0.9, 1.9};
  PsoConfig c = PsoConfig::empso();
  c.max_iter = 30;
  auto setup_d = [&](Pso<3, 6, double>& p) {
    CHECK(p.init(lo, hi, 3, 6, c, 77) == Status::Ok);
    CHECK(p.set_feasible(feasible<double>) == Status::Ok);
    CHECK(p.set_trust_radius(0.1f) == Status::Ok);
    CHECK(p.set_start(start) == Status::Ok);
  };
  setup_d(a);
  const uint64_t whole = run(a, kFnvOffset, 1L << 30);
  const long inf = a.infeasible_count(), fb = a.fallback_count();
  setup_d(a);
  uint64_t h = run(a, kFnvOffset, 40);
  size_t n = 0;
  CHECK(a.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  CHECK_EQ(n, static_cast<size_t>(192 + 8 * (6 + 3 * 3 + 6 * (4 * 3 + 2))));
  CHECK(b.set_feasible(feasible<double>) == Status::Ok);
  CHECK(b.load(g_buf, n) == Status::Ok);
  CHECK_EQ(b.trust_radius(), 0.1f);
  CHECK_EQ(b.infeasible_count(), a.infeasible_count());
  h = run(b, h, 1L << 30);
  CHECK_EQ(h, whole);
  CHECK_EQ(b.infeasible_count(), inf);
  CHECK_EQ(b.fallback_count(), fb);
  // A float Pso refuses a double state.
  static Pso<3, 6> f;
  CHECK(f.load(g_buf, n) == Status::Corrupt);
}

TEST_CASE(save_load_save_is_identity) {
  static Pso<5, 8> a;
  static Pso<5, 8> b;
  static uint8_t again[Pso<5, 8>::kMaxSaveSize];
  for (int v = 0; v < 3; ++v) {
    setup(a, config(v, 1, v), 9, v != 1);
    (void)run(a, kFnvOffset, 11 + v * 20);
    size_t n = 0, m = 0;
    CHECK(a.save(g_buf, sizeof g_buf, &n) == Status::Ok);
    CHECK(b.load(g_buf, n) == Status::Ok);
    CHECK(b.save(again, sizeof again, &m) == Status::Ok);
    CHECK(n == m && std::memcmp(g_buf, again, n) == 0);
    CHECK_EQ(b.evaluations(), a.evaluations());
    CHECK_EQ(b.iteration(), a.iteration());
    CHECK(b.done() == a.done());
  }
  // Stopped states round-trip too (max_iter, max_evals, stall, target).
  PsoConfig c;
  c.max_iter = 3;
  setup(a, c, 1, false);
  (void)run(a, kFnvOffset, 1L << 30);
  CHECK(a.done());
  size_t n = 0;
  CHECK(a.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  CHECK(b.load(g_buf, n) == Status::Ok);
  CHECK(b.done() && b.stop_reason() == StopReason::MaxIter && b.ask() == nullptr);
  c.max_iter = 100;
  c.target = 1.0f;
  setup(a, c, 1, false);
  (void)run(a, kFnvOffset, 1L << 30);
  CHECK(a.stop_reason() == StopReason::Target);
  CHECK(a.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  CHECK(b.load(g_buf, n) == Status::Ok);
  CHECK(b.stop_reason() == StopReason::Target);
  CHECK_EQ(b.best_value(), a.best_value());
}

TEST_CASE(save_and_load_errors) {
  static Pso<5, 8> a;
  static Pso<4, 8> small_d;
  static Pso<5, 6> small_n;
  size_t n = 123;
  static Pso<5, 8> fresh;
  CHECK(fresh.save(g_buf, sizeof g_buf, &n) == Status::NotReady);
  CHECK_EQ(fresh.save_size(), static_cast<size_t>(0));
  setup(a, PsoConfig{}, 3, false);
  CHECK_EQ(a.save_size(), static_cast<size_t>(192 + 4 * (6 + 15 + 8 * 22)));
  CHECK_EQ((Pso<5, 8>::kMaxSaveSize), a.save_size());
  CHECK(a.save(nullptr, 1000, &n) == Status::InvalidArgument);
  CHECK(a.save(g_buf, a.save_size() - 1, &n) == Status::CapacityExceeded);
  CHECK(a.save(g_buf, a.save_size(), nullptr) == Status::Ok);
  n = a.save_size();
  CHECK(small_d.load(g_buf, n) == Status::CapacityExceeded);
  CHECK(small_n.load(g_buf, n) == Status::CapacityExceeded);
  CHECK(small_d.ask() == nullptr);  // unchanged: still not initialized
  CHECK(a.load(nullptr, n) == Status::InvalidArgument);
  CHECK(a.load(g_buf, 0) == Status::Corrupt);
}

namespace {
// A small state (D = 1, N = 2: 256 bytes) and a target object in another
// state; every corruption must give Corrupt and leave the target as it was.
struct Corruption {
  Pso<1, 2> src, dst;
  uint8_t blob[Pso<1, 2>::kMaxSaveSize];
  uint8_t before[Pso<1, 2>::kMaxSaveSize];
  uint8_t after[Pso<1, 2>::kMaxSaveSize];
  uint8_t work[Pso<1, 2>::kMaxSaveSize + 1];
  size_t n = 0;
  bool unchanged() {
    size_t m = 0;
    return dst.save(after, sizeof after, &m) == Status::Ok && m == n &&
           std::memcmp(before, after, n) == 0;
  }
};
Corruption g_c;

void make_small() {
  const float lo[1] = {-1}, hi[1] = {1}, start[1] = {0.9f};
  PsoConfig c = PsoConfig::empso();
  c.max_iter = 50;
  CHECK(g_c.src.init(lo, hi, 1, 2, c, 5) == Status::Ok);
  CHECK(g_c.src.set_feasible(feasible<float>) == Status::Ok);
  CHECK(g_c.src.set_trust_radius(0.5f) == Status::Ok);
  CHECK(g_c.src.set_start(start) == Status::Ok);
  (void)run(g_c.src, kFnvOffset, 7);
  (void)g_c.src.ask();
  CHECK(g_c.src.save(g_c.blob, sizeof g_c.blob, &g_c.n) == Status::Ok);
  CHECK(g_c.dst.init(lo, hi, 1, 2, PsoConfig{}, 6) == Status::Ok);
  (void)run(g_c.dst, kFnvOffset, 3);
  size_t m = 0;
  CHECK(g_c.dst.save(g_c.before, sizeof g_c.before, &m) == Status::Ok);
}
}  // namespace

TEST_CASE(every_byte_corruption_and_truncation_is_corrupt) {
  make_small();
  const size_t n = g_c.n;
  CHECK_EQ(n, static_cast<size_t>(192 + 4 * (6 + 3 + 2 * 6)));
  long accepted = 0, unchanged_fail = 0, cases = 0;
  for (size_t i = 0; i < n; ++i)
    for (int x = 1; x < 256; ++x) {
      std::memcpy(g_c.work, g_c.blob, n);
      g_c.work[i] = static_cast<uint8_t>(g_c.work[i] ^ x);
      ++cases;
      if (g_c.dst.load(g_c.work, n) != Status::Corrupt) ++accepted;
      if (x % 64 == 1 && !g_c.unchanged()) ++unchanged_fail;
    }
  for (size_t len = 0; len < n; ++len) {
    ++cases;
    if (g_c.dst.load(g_c.blob, len) != Status::Corrupt) ++accepted;
  }
  std::memcpy(g_c.work, g_c.blob, n);
  g_c.work[n] = 0;
  if (g_c.dst.load(g_c.work, n + 1) != Status::Corrupt) ++accepted;  // trailing byte
  CHECK_EQ(accepted, 0L);
  CHECK_EQ(unchanged_fail, 0L);
  CHECK(g_c.unchanged());
  CHECK_EQ(cases, static_cast<long>(n * 255 + n));
  CHECK(g_c.dst.load(g_c.blob, n) == Status::Ok);  // the intact blob loads
}

namespace {
// Patches `len` bytes at `off` of the small blob, re-seals the CRC and loads.
Status patched(size_t off, const void* bytes, size_t len) {
  const size_t n = g_c.n;
  std::memcpy(g_c.work, g_c.blob, n);
  std::memcpy(g_c.work + off, bytes, len);
  const uint32_t crc = crc32(g_c.work, n - 4);
  for (int k = 0; k < 4; ++k) g_c.work[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
  return g_c.dst.load(g_c.work, n);
}
Status patch_u8(size_t off, uint8_t v) { return patched(off, &v, 1); }
Status patch_u32(size_t off, uint32_t v) {
  uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                  static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
  return patched(off, b, 4);
}
Status patch_f32(size_t off, float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return patch_u32(off, u);
}
Status patch_range(float lo, float hi) {
  uint8_t b[8];
  uint32_t u[2];
  std::memcpy(&u[0], &lo, 4);
  std::memcpy(&u[1], &hi, 4);
  for (int k = 0; k < 8; ++k) b[k] = static_cast<uint8_t>(u[k / 4] >> (8 * (k % 4)));
  return patched(152, b, 8);
}
}  // namespace

TEST_CASE(values_out_of_range_with_valid_crc_are_corrupt) {
  make_small();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  // Offsets of pso.hpp's layout for D = 1, N = 2: header 0, config 16,
  // common 68 (Reals from 144: best, sweep best, lo, hi, gbest at 160),
  // swarm 164 (local probe and failures at 196, 200; Reals from 204: beta^t,
  // swarm best, local rho, local reference; particle 0's x, v, m, pbest,
  // pbest cost, batch cost at 220.., particle 1's at 244..), seal 268.
  // The small state has an ask pending and no batch.
  struct Row { const char* what; Status got; };
  const float ninf = -inf;
  const Row rows[] = {
      {"version 1 (older draws)", patch_u8(4, 1)},
      {"version 2 (no topology state)", patch_u8(4, 2)},
      {"version 3 (no restart_rehits)", patch_u8(4, 3)},
      {"version 4 (no local search)", patch_u8(4, 4)},
      {"version 6", patch_u8(4, 6)},
      {"real size", patch_u8(6, 8)},
      {"reserved", patch_u8(7, 1)},
      {"variant", patch_u8(16, 4)},
      {"boundary", patch_u8(17, 3)},
      {"topology", patch_u8(18, 4)},
      {"flags", patch_u8(19, 4)},
      {"w NaN", patch_f32(20, nan)},
      {"c1 < 0", patch_f32(24, -1.f)},
      {"beta 1", patch_f32(32, 1.f)},
      {"v_max 0", patch_f32(36, 0.f)},
      {"neighbors < 0", patch_u32(44, 0xFFFFFFFFu)},
      {"restart_stall < 0", patch_u32(48, 0xFFFFFFFFu)},
      {"restart_radius 2", patch_f32(52, 2.f)},
      {"stall_tol 2", patch_f32(56, 2.f)},
      {"stall_tol NaN", patch_f32(56, nan)},
      {"restart_rehits < 0", patch_u32(60, 0xFFFFFFFFu)},
      {"restart_rehits > 2^20", patch_u32(60, 0x00100001u)},
      {"local_stall < 0", patch_u32(64, 0xFFFFFFFFu)},
      {"local_stall > 2^20", patch_u32(64, 0x00100001u)},
      {"max_iter 0", patch_u32(68, 0)},
      {"max_iter < iteration", patch_u32(68, 1)},
      {"max_evals < 0", patch_u32(76, 0x80000000u)},
      {"target +inf", patch_f32(80, inf)},
      {"stall_iter < 0", patch_u32(84, 0xFFFFFFFFu)},
      {"state 0", patch_u8(96, 0)},
      {"state 3", patch_u8(96, 3)},
      {"stopped without reason", patch_u8(96, 2)},
      {"running with reason", patch_u8(97, 1)},
      {"stop reason 6", patch_u8(97, 6)},
      {"pending 2", patch_u8(98, 2)},
      {"has_start 2", patch_u8(99, 2)},
      {"evaluations", patch_u32(100, 8)},
      {"evaluations < 0", patch_u32(104, 0x80000000u)},
      {"iteration", patch_u32(108, 2)},
      {"stall > iteration", patch_u32(112, 9)},
      {"trust 1.5", patch_f32(116, 1.5f)},
      {"trust NaN", patch_f32(116, nan)},
      {"max_tries 65", patch_u32(124, 65)},
      {"max_tries < 0", patch_u32(124, 0xFFFFFFFFu)},
      {"fallback > infeasible", patch_u32(136, 0x7FFFFFFFu)},
      {"best NaN", patch_f32(144, nan)},
      {"best -inf", patch_f32(144, ninf)},
      {"sweep best NaN", patch_f32(148, nan)},
      {"lo == hi", patch_f32(152, 1.f)},
      {"lo > hi", patch_f32(152, 5.f)},
      {"lo -inf", patch_f32(152, ninf)},
      {"range overflows", patch_range(-3e38f, 3e38f)},
      {"range > max/32", patch_range(-6e36f, 6e36f)},
      {"range denormal", patch_range(0.f, 1.4e-45f)},
      {"hi NaN", patch_f32(156, nan)},
      {"gbest outside", patch_f32(160, 1.5f)},
      {"cursor == particles", patch_u32(164, 2)},
      {"cursor < 0", patch_u32(164, 0xFFFFFFFFu)},
      {"swarm best particle 2", patch_u32(168, 2)},
      {"swarm stall > iteration", patch_u32(172, 99)},
      {"re-finds > restart_rehits", patch_u32(176, 99)},
      {"re-finds < 0", patch_u32(176, 0xFFFFFFFFu)},
      {"restarts > iteration", patch_u32(180, 99)},
      {"batch beyond the sweep", patch_u32(184, 3)},
      {"batch and a pending ask", patch_u32(184, 1)},
      {"batch told without a batch", patch_u32(188, 1)},
      {"local probe particle -2", patch_u32(196, 0xFFFFFFFEu)},
      {"local probe particle 2", patch_u32(196, 2)},
      {"local failures 5", patch_u32(200, 5)},
      {"local failures < 0", patch_u32(200, 0xFFFFFFFFu)},
      {"beta^t 2", patch_f32(204, 2.f)},
      {"swarm best NaN", patch_f32(208, nan)},
      {"local rho 0", patch_f32(212, 0.f)},
      {"local rho 0.02", patch_f32(212, 0.02f)},
      {"local rho NaN", patch_f32(212, nan)},
      {"local reference NaN", patch_f32(216, nan)},
      {"x outside", patch_f32(220, -1.01f)},
      {"x NaN", patch_f32(220, nan)},
      {"|v| > vmax", patch_f32(224, 1.01f)},
      {"m inf", patch_f32(228, inf)},
      {"pbest outside", patch_f32(232, 2.f)},
      {"pbest cost NaN", patch_f32(236, nan)},
      {"batch cost -inf", patch_f32(240, ninf)},
      {"x of particle 1", patch_f32(244, 7.f)},
      {"pbest cost -inf", patch_f32(260, ninf)},
      {"trailing reserved", patch_u32(268, 1)},
      {"dims 2 (length)", patch_u32(8, 2)},
      {"dims 0", patch_u32(8, 0)},
      {"particles 1", patch_u32(12, 1)},
      {"cells > 2^24", patch_u32(12, 0x01000001u)},
  };
  for (const Row& r : rows)
    if (!CHECK(r.got == Status::Corrupt)) std::printf("     %s: %s\n", r.what, status_name(r.got));
  CHECK(g_c.unchanged());
  // Control: a harmless patch (v = 0) with a fresh CRC loads.
  CHECK(patch_f32(224, 0.f) == Status::Ok);
}

// The C API saves the same format: C state -> C++ object and C++ state ->
// fresh C struct both continue the uninterrupted trajectory.
TEST_CASE(c_api_save_and_load) {
  static Pso<5, 8> a;
  static Pso<8, 16> b;
  static starling_pso cp, fresh, zeroed;
  const PsoConfig c = config(2, 1, 1);
  setup(a, c, 31, true);
  const uint64_t whole = run(a, kFnvOffset, 1L << 30);

  // C++ run, saved mid-sweep, loaded into a never-initialized C struct.
  setup(a, c, 31, true);
  uint64_t h = run(a, kFnvOffset, 21);
  size_t n = 0;
  CHECK(a.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  CHECK(starling_pso_load(&fresh, g_buf, n - 1) == STARLING_CORRUPT);
  CHECK(starling_pso_done(&fresh) == 1);  // still not ready
  CHECK(starling_pso_load(&fresh, g_buf, n) == STARLING_OK);
  CHECK(starling_pso_set_feasible(&fresh, feasible<float>, nullptr, 4) == STARLING_OK);
  CHECK_EQ(starling_pso_save_size(&fresh), n);
  CHECK_EQ(starling_pso_evaluations(&fresh), 21L);
  // Save it through C (bytes identical), continue in C.
  static uint8_t again[Pso<8, 16>::kMaxSaveSize];
  size_t m = 0;
  CHECK(starling_pso_save(&fresh, again, sizeof again, &m) == STARLING_OK);
  CHECK(m == n && std::memcmp(again, g_buf, n) == 0);
  CHECK(starling_pso_save(&fresh, again, n - 1, &m) == STARLING_CAPACITY_EXCEEDED);
  while (const float* x = starling_pso_ask(&fresh)) {
    for (int d = 0; d < 5; ++d) h = fnv(h, x[d]);
    const float f = cost(x, 5, starling_pso_evaluations(&fresh));
    h = fnv(h, f);
    if (starling_pso_tell(&fresh, f) != STARLING_OK) break;
  }
  CHECK_EQ(h, whole);

  // C run with the same settings, saved after 30, loaded into C++.
  starling_pso_config cc;
  CHECK(starling_pso_config_default(&cc) == STARLING_OK);
  cc.variant = static_cast<int>(c.variant);
  cc.w = c.w;
  cc.c1 = c.c1;
  cc.c2 = c.c2;
  cc.beta = c.beta;
  cc.topology = static_cast<int>(c.topology);
  cc.boundary = static_cast<int>(c.boundary);
  cc.max_iter = c.max_iter;
  cc.max_evals = c.max_evals;
  cc.stall_iter = c.stall_iter;
  cc.bias_correction = c.bias_correction;
  cc.random_per_particle = c.random_per_particle;
  cc.v_max = c.v_max;
  cc.w_end = c.w_end;
  cc.neighbors = c.neighbors;
  cc.restart_stall = c.restart_stall;
  cc.restart_radius = c.restart_radius;
  cc.stall_tol = c.stall_tol;
  cc.restart_rehits = c.restart_rehits;
  cc.local_stall = c.local_stall;
  CHECK(starling_pso_init(&cp, kLo, kHi, 5, 8, &cc, 31) == STARLING_OK);
  CHECK(starling_pso_set_feasible(&cp, feasible<float>, nullptr, 4) == STARLING_OK);
  CHECK(starling_pso_set_trust_radius(&cp, 0.25f) == STARLING_OK);
  CHECK(starling_pso_set_start(&cp, kStart) == STARLING_OK);
  h = kFnvOffset;
  while (starling_pso_evaluations(&cp) < 30) {
    const float* x = starling_pso_ask(&cp);
    if (x == nullptr) break;
    for (int d = 0; d < 5; ++d) h = fnv(h, x[d]);
    const float f = cost(x, 5, starling_pso_evaluations(&cp));
    h = fnv(h, f);
    if (starling_pso_tell(&cp, f) != STARLING_OK) break;
  }
  CHECK(starling_pso_save(&cp, g_buf, sizeof g_buf, &n) == STARLING_OK);
  CHECK(b.set_feasible(feasible<float>, nullptr, 1) == Status::Ok);
  CHECK(b.load(g_buf, n) == Status::Ok);
  CHECK_EQ(run(b, h, 1L << 30), whole);
  // A ready struct keeps its predicate across a load; errors.
  CHECK(starling_pso_load(&cp, g_buf, n) == STARLING_OK);
  CHECK(starling_pso_load(nullptr, g_buf, n) == STARLING_INVALID_ARGUMENT);
  CHECK(starling_pso_load(&cp, nullptr, n) == STARLING_INVALID_ARGUMENT);
  CHECK(starling_pso_save(&zeroed, g_buf, sizeof g_buf, &n) == STARLING_NOT_READY);
  CHECK(starling_pso_save(nullptr, g_buf, sizeof g_buf, &n) == STARLING_INVALID_ARGUMENT);
  CHECK_EQ(starling_pso_save_size(&zeroed), static_cast<size_t>(0));
  CHECK(starling_pso_set_trust_radius(&zeroed, 0.5f) == STARLING_NOT_READY);
  CHECK(starling_pso_set_start(&zeroed, kStart) == STARLING_NOT_READY);
  CHECK(starling_pso_set_feasible(&zeroed, nullptr, nullptr, 8) == STARLING_NOT_READY);
  CHECK(starling_pso_set_trust_radius(&cp, 2.f) == STARLING_INVALID_ARGUMENT);
  CHECK(starling_pso_set_feasible(&cp, nullptr, nullptr, 99) == STARLING_INVALID_ARGUMENT);
  CHECK_EQ(starling_pso_infeasible_count(nullptr), 0L);
  CHECK_EQ(starling_pso_fallback_count(&zeroed), 0L);
  CHECK(starling_pso_infeasible_count(&cp) >= starling_pso_fallback_count(&cp));
}

namespace {
void golden_setup(Pso<4, 6>& p);
}

// The committed blob (saved on x86-64 by --emit-golden) loads, saves back to
// the same bytes and continues with the committed trajectory hash on every
// target: save on x86, load on aarch64 or Cortex-M. And this target's own
// run saves exactly the committed bytes.
TEST_CASE(cross_target_golden_state) {
  {
    static Pso<4, 6> q;
    golden_setup(q);
    (void)run(q, kFnvOffset, golden_state::kEvalsAtSave);
    (void)q.ask();
    size_t m = 0;
    CHECK(q.save(g_buf, sizeof g_buf, &m) == Status::Ok);
    CHECK(m == sizeof golden_state::kBlob && std::memcmp(g_buf, golden_state::kBlob, m) == 0);
  }
  static Pso<4, 6> p;
  CHECK(p.set_feasible(feasible<float>) == Status::Ok);
  CHECK(p.load(golden_state::kBlob, sizeof golden_state::kBlob) == Status::Ok);
  size_t n = 0;
  CHECK(p.save(g_buf, sizeof g_buf, &n) == Status::Ok);
  CHECK(n == sizeof golden_state::kBlob &&
        std::memcmp(g_buf, golden_state::kBlob, n) == 0);
  CHECK_EQ(p.evaluations(), golden_state::kEvalsAtSave);
  const uint64_t h = run(p, kFnvOffset, 1L << 30);
  CHECK_EQ(h, golden_state::kContinuationHash);
  CHECK_EQ(p.evaluations(), golden_state::kEvalsAtEnd);
}

namespace {
// The golden run: D = 3, N = 5, EMPSO ring reflect with every safe-tuning
// feature, saved after 13 evaluations with an ask pending.
void golden_setup(Pso<4, 6>& p) {
  const float lo[3] = {-1, -2, -0.5f}, hi[3] = {1, 0.5f, 2}, start[3] = {-0.9f, -1.8f, 1.9f};
  // EMPSO as the AdaSwarm paper has it (beta 0.9, v_max 0.5, no restarts),
  // spelled out so that the committed blob does not move with the defaults.
  PsoConfig c = PsoConfig::literature();
  c.variant = Variant::Empso;
  c.c1 = c.c2 = 2.f;
  c.beta = 0.9f;
  c.topology = Topology::Ring;
  c.boundary = Boundary::Reflect;
  c.max_iter = 40;
  (void)p.init(lo, hi, 3, 5, c, 0x5EEDull);
  (void)p.set_feasible(feasible<float>, nullptr, 5);
  (void)p.set_trust_radius(0.3f);
  (void)p.set_start(start);
}
int emit_golden() {
  static Pso<4, 6> p;
  golden_setup(p);
  const uint64_t whole = run(p, kFnvOffset, 1L << 30);
  golden_setup(p);
  (void)run(p, kFnvOffset, 13);
  (void)p.ask();
  size_t n = 0;
  if (p.save(g_buf, sizeof g_buf, &n) != Status::Ok) return 1;
  const long at_save = p.evaluations();
  static Pso<4, 6> q;
  (void)q.set_feasible(feasible<float>);
  if (q.load(g_buf, n) != Status::Ok) return 1;
  const uint64_t cont = run(q, kFnvOffset, 1L << 30);
  std::printf("// SPDX-License-Identifier: MIT\n");
  std::printf("// Generated by tests/core/test_save.cpp --emit-golden on x86-64; do not edit.\n");
  std::printf("// A Pso<4, 6> state (D = 3, N = 5, EMPSO, ring, reflect, predicate, trust\n");
  std::printf("// radius and start point) saved after %ld evaluations with an ask pending,\n", at_save);
  std::printf("// and the FNV-1a-64 hash of its continuation to the end (test_save.cpp).\n");
  std::printf("// Whole uninterrupted run's hash, for reference: 0x%016llxull.\n",
              static_cast<unsigned long long>(whole));
  std::printf("#pragma once\n#include <cstdint>\n\nnamespace golden_state {\n");
  std::printf("constexpr long kEvalsAtSave = %ld;\n", at_save);
  std::printf("constexpr long kEvalsAtEnd = %ld;\n", q.evaluations());
  std::printf("constexpr uint64_t kContinuationHash = 0x%016llxull;\n",
              static_cast<unsigned long long>(cont));
  std::printf("constexpr uint8_t kBlob[%u] = {", static_cast<unsigned>(n));
  for (size_t i = 0; i < n; ++i)
    std::printf("%s0x%02x,", i % 12 == 0 ? "\n  " : " ", static_cast<unsigned>(g_buf[i]));
  std::printf("\n};\n}  // namespace golden_state\n");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--emit-golden") == 0) return emit_golden();
  return check::run_all();
}
