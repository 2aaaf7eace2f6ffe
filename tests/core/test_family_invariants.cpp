// SPDX-License-Identifier: MIT
// The saved-state invariants of De, Cmaes, NelderMead, Spsa and Anneal (each
// header's check_invariants list; C1..C8 in detail/opt_core.hpp): real saved
// states (fresh, mid-run, a pending ask, an open batch, a start point, a
// stopped run) load and pass check_invariants(); copies with one field
// edited to break one invariant, CRC re-sealed, are refused with Corrupt and
// leave the loading object byte for byte as it was. Offsets follow the
// layouts documented at each X::save. Also the live check on memory
// overwritten behind the object's back, and the C API's check.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "check.hpp"
#include "starling/crc32.hpp"
#include "starling/starling.h"
#include "starling/starling.hpp"

using namespace starling;

namespace {

constexpr int kD = 3;

void reseal(uint8_t* b, size_t n) {
  const uint32_t crc = crc32(b, n - 4);
  for (int k = 0; k < 4; ++k) b[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
}
void put_u8(uint8_t* b, size_t off, uint32_t v) { b[off] = static_cast<uint8_t>(v); }
void put_u32(uint8_t* b, size_t off, uint32_t v) {
  for (int k = 0; k < 4; ++k) b[off + static_cast<size_t>(k)] = static_cast<uint8_t>(v >> (8 * k));
}
void put_i32(uint8_t* b, size_t off, int32_t v) { put_u32(b, off, static_cast<uint32_t>(v)); }
void put_f32(uint8_t* b, size_t off, float v) {
  uint32_t u;
  std::memcpy(&u, &v, 4);
  put_u32(b, off, u);
}
template <class Real>
void put_real(uint8_t* b, size_t off, Real v) {  // little-endian, as every target here
  std::memcpy(b + off, &v, sizeof v);
}
int32_t get_i32(const uint8_t* b, size_t off) {
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) v |= static_cast<uint32_t>(b[off + static_cast<size_t>(k)]) << (8 * k);
  return static_cast<int32_t>(v);
}
template <class Real>
Real get_real(const uint8_t* b, size_t off) {
  Real r;
  std::memcpy(&r, b + off, sizeof r);
  return r;
}

// Offsets of the common section (detail/opt_core.hpp), relative to its start.
struct Common {
  static constexpr size_t max_iter = 0, stop = 29, pending = 30, evals = 32, iter = 40, stall = 44,
                          trust = 48, clip = 52, best = 76;
};
// Where the common section and the method's own section start.
template <class Core, class Real>
constexpr size_t common_at() {
  return detail::OptCore<Real>::kHeaderBytes + Core::kConfigBytes;
}
template <class Core, class Real>
constexpr size_t own_at(int dims) {
  return common_at<Core, Real>() + detail::OptCore<Real>::common_size(dims);
}

uint8_t g_src[8192], g_edit[8192];
unsigned char g_bytes[65536];

// A source state and the edits that must be refused.
struct Edit {
  const char* what;
  void (*apply)(uint8_t* b, size_t n);
};

// The blob in g_src (n bytes) loads into dst and passes check_invariants();
// then each edit is refused with dst unchanged byte for byte.
template <class Opt>
void check_source(Opt& dst, size_t n, const char* name) {
  static_assert(sizeof(Opt) <= sizeof g_bytes, "scratch");
  CHECK(dst.load(g_src, n) == Status::Ok);
  if (dst.check_invariants() != Status::Ok) std::printf("     source state %s fails its check\n", name);
  CHECK(dst.check_invariants() == Status::Ok);
}
template <class Opt>
void check_edit(Opt& dst, size_t n, const Edit& e) {
  std::memcpy(g_edit, g_src, n);
  e.apply(g_edit, n);
  reseal(g_edit, n);
  std::memcpy(g_bytes, static_cast<const void*>(&dst), sizeof(Opt));
  const Status s = dst.load(g_edit, n);
  if (s != Status::Corrupt) std::printf("     accepted: %s\n", e.what);
  CHECK(s == Status::Corrupt);
  CHECK(std::memcmp(g_bytes, static_cast<const void*>(&dst), sizeof(Opt)) == 0);
}

template <class Real>
Real sphere(const Real* x, int d) {
  Real s = 0;
  for (int j = 0; j < d; ++j) s += (x[j] - Real(0.3)) * (x[j] - Real(0.3));
  return s;
}

template <class Opt>
size_t run_and_save(Opt& o, int evals, bool pending) {
  using Real = typename std::remove_cv<typename std::remove_pointer<decltype(o.best_position())>::type>::type;
  for (int k = 0; k < evals; ++k) {
    const Real* x = o.ask();
    if (x == nullptr) break;
    CHECK(o.check_invariants() == Status::Ok);
    (void)o.tell(k % 7 == 6 ? std::numeric_limits<Real>::quiet_NaN() : sphere(x, o.dims()));
    CHECK(o.check_invariants() == Status::Ok);
  }
  if (pending) CHECK(o.ask() != nullptr);
  CHECK(o.check_invariants() == Status::Ok);
  size_t n = 0;
  CHECK(o.save(g_src, sizeof g_src, &n) == Status::Ok);
  return n;
}

template <class Real>
struct Box {
  Real lo[kD] = {-1, -2, 0};
  Real hi[kD] = {1, 2, 4};
};

// ---- the common invariants, through any optimizer's blob ----------------------

template <class Core, class Real>
void common_edits(const Edit** out, int* count) {
  static const Edit e[] = {
      {"C1 max_iter 0",
       [](uint8_t* b, size_t) { put_i32(b, common_at<Core, Real>() + Common::max_iter, 0); }},
      {"C2 running with stop reason MaxIter",
       [](uint8_t* b, size_t) { put_u8(b, common_at<Core, Real>() + Common::stop, 1); }},
      {"C4 stall > iteration",
       [](uint8_t* b, size_t) {
         const size_t c = common_at<Core, Real>();
         put_i32(b, c + Common::stall, get_i32(b, c + Common::iter) + 1);
       }},
      {"C5 trust radius 2", [](uint8_t* b, size_t) { put_f32(b, common_at<Core, Real>() + Common::trust, 2.f); }},
      {"C6 best value NaN",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, common_at<Core, Real>() + Common::best, std::numeric_limits<Real>::quiet_NaN());
       }},
      {"C7 incumbent outside the box",
       [](uint8_t* b, size_t) {
         const size_t arrays = common_at<Core, Real>() + detail::OptCore<Real>::kCommonArraysOffset;
         put_real<Real>(b, arrays + 2 * kD * sizeof(Real), Real(50));
       }},
      {"C8 clip radius against what is outstanding",
       [](uint8_t* b, size_t) {
         const size_t c = common_at<Core, Real>();
         put_f32(b, c + Common::clip, b[c + Common::pending] != 0 ? 0.f : 0.5f);
       }},
  };
  *out = e;
  *count = static_cast<int>(sizeof e / sizeof e[0]);
}
template <class Opt, class Core, class Real>
void check_common_edits(Opt& dst, size_t n) {
  const Edit* e = nullptr;
  int k = 0;
  common_edits<Core, Real>(&e, &k);
  for (int i = 0; i < k; ++i) check_edit(dst, n, e[i]);
}

// ---- NelderMead ------------------------------------------------------------------

template <class Real>
void nelder_mead_cases() {
  using Core = detail::NelderMeadCore<Real>;
  constexpr size_t R = sizeof(Real);
  static NelderMead<kD, Real> src, dst;
  const Box<Real> box;
  // A mid-step state (iteration >= 1), not pending: every edit below.
  CHECK(src.init(box.lo, box.hi, kD, 0, NelderMeadConfig{}, 7) == Status::Ok);
  size_t n = run_and_save(src, 13, false);
  check_source(dst, n, "NM mid-run");
  CHECK(src.iteration() >= 1);
  check_common_edits<NelderMead<kD, Real>, Core, Real>(dst, n);
  static const Edit own[] = {
      {"N1 step 0", [](uint8_t* b, size_t) { put_f32(b, common_at<Core, Real>() - 16, 0.f); }},
      {"N2 trial D + 3", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 24, kD + 3); }},
      {"N2 restarts > iteration",
       [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 20, 1 << 20); }},
      {"N3 phase Build with a vertex index past D",
       [](uint8_t* b, size_t) {
         put_u8(b, own_at<Core, Real>(kD), 0);
         put_i32(b, own_at<Core, Real>(kD) + 4, kD + 2);
       }},
      {"N4 vertex 1 outside the box",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + R + kD * R, Real(9)); }},
      {"N4 centroid NaN",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + 28 + R + (kD + 1) * (kD + 1) * R,
                        std::numeric_limits<Real>::quiet_NaN());
       }},
      {"N5 a vertex cost below the best",
       [](uint8_t* b, size_t) {
         const Real best = get_real<Real>(b, common_at<Core, Real>() + Common::best);
         put_real<Real>(b, own_at<Core, Real>(kD) + 28 + R + (kD + 1) * kD * R, best - 1);
       }},
      {"N5 no vertex or reflected cost is the best",
       [](uint8_t* b, size_t) {
         const size_t fv = own_at<Core, Real>(kD) + 28 + R + (kD + 1) * kD * R;
         for (int i = 0; i <= kD; ++i) put_real<Real>(b, fv + static_cast<size_t>(i) * R, Real(1e6));
         put_real<Real>(b, own_at<Core, Real>(kD) + 28, Real(1e6));
       }},
  };
  for (const Edit& e : own) check_edit(dst, n, e);

  // Fresh with a start point and a pending ask: N6 and C8 (clip radius).
  CHECK(src.init(box.lo, box.hi, kD, 0, NelderMeadConfig{}, 8) == Status::Ok);
  const Real start[kD] = {Real(0.5), Real(-1), Real(3)};
  CHECK(src.set_start(start) == Status::Ok);
  n = run_and_save(src, 0, true);
  check_source(dst, n, "NM start pending");
  static const Edit fresh[] = {
      {"N6 vertex 2 not the start",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + R + 2 * kD * R, Real(0)); }},
      {"C8 pending with clip radius 0",
       [](uint8_t* b, size_t) { put_f32(b, common_at<Core, Real>() + Common::clip, 0.f); }},
      {"N3 first simplex: vertex index 2 with nothing evaluated",
       [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 4, 2); }},
  };
  for (const Edit& e : fresh) check_edit(dst, n, e);

  // Live: memory overwritten behind the object's back.
  CHECK(src.init(box.lo, box.hi, kD, 0, NelderMeadConfig{}, 9) == Status::Ok);
  (void)run_and_save(src, 10, false);
  Real* v = const_cast<Real*>(src.vertex(1));
  const Real keep = v[0];
  v[0] = std::numeric_limits<Real>::infinity();
  CHECK(src.check_invariants() == Status::Corrupt);
  v[0] = keep;
  CHECK(src.check_invariants() == Status::Ok);
  static NelderMead<kD, Real> fresh_obj;
  CHECK(fresh_obj.check_invariants() == Status::NotReady);
}

// ---- Spsa ------------------------------------------------------------------------

template <class Real>
void spsa_cases() {
  using Core = detail::SpsaCore<Real>;
  constexpr size_t R = sizeof(Real);
  static Spsa<kD, Real> src, dst;
  const Box<Real> box;
  SpsaConfig cfg;
  cfg.n_avg = 2;
  CHECK(src.init(box.lo, box.hi, kD, 0, cfg, 3) == Status::Ok);
  size_t n = run_and_save(src, 11, true);
  check_source(dst, n, "Spsa mid-run pending");
  check_common_edits<Spsa<kD, Real>, Core, Real>(dst, n);
  // own: phase u8 +3, measurements, estimates (i32); a, cal sum, sum+, sum−; θ, x+, x−, x.
  static const Edit own[] = {
      {"S1 n_avg 0", [](uint8_t* b, size_t) { put_i32(b, common_at<Core, Real>() - 12, 0); }},
      {"S2 phase Center after iteration 0", [](uint8_t* b, size_t) { put_u8(b, own_at<Core, Real>(kD), 0); }},
      {"S2 measurements past the step",
       [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 4, 9); }},
      {"S3 gain negative", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 12, Real(-1)); }},
      {"S4 sum of x+ NaN",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + 12 + 2 * R, std::numeric_limits<Real>::quiet_NaN());
       }},
      {"S5 one evaluation too many",
       [](uint8_t* b, size_t) {
         const size_t at = common_at<Core, Real>() + Common::evals;
         put_i32(b, at, get_i32(b, at) + 1);
       }},
      {"S6 θ outside the box",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 12 + 4 * R, Real(-7)); }},
      {"S6 x− NaN",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + 12 + 4 * R + 2 * kD * R, std::numeric_limits<Real>::quiet_NaN());
       }},
      {"C8 pending with clip radius 0",
       [](uint8_t* b, size_t) { put_f32(b, common_at<Core, Real>() + Common::clip, 0.f); }},
  };
  for (const Edit& e : own) check_edit(dst, n, e);
  // With a trust radius: the pending candidate outside the trust box (S8).
  CHECK(src.init(box.lo, box.hi, kD, 0, cfg, 4) == Status::Ok);
  CHECK(src.set_trust_radius(0.05f) == Status::Ok);
  n = run_and_save(src, 6, true);
  check_source(dst, n, "Spsa trust pending");
  static const Edit trust[] = {
      {"S8 candidate outside the trust box",
       [](uint8_t* b, size_t) {
         const size_t inc = common_at<Core, Real>() + detail::OptCore<Real>::kCommonArraysOffset + 2 * kD * R;
         const size_t x = own_at<Core, Real>(kD) + 12 + 4 * R + 3 * kD * R;
         // The corner of the box farthest from the incumbent (range 2 in dim 0).
         put_real<Real>(b, x, get_real<Real>(b, inc) > 0 ? Real(-1) : Real(1));
       }},
  };
  for (const Edit& e : trust) check_edit(dst, n, e);
}

// ---- Anneal ----------------------------------------------------------------------

template <class Real>
void anneal_cases() {
  using Core = detail::AnnealCore<Real>;
  constexpr size_t R = sizeof(Real);
  static Anneal<kD, Real> src, dst;
  const Box<Real> box;
  CHECK(src.init(box.lo, box.hi, kD, 0, AnnealConfig{}, 5) == Status::Ok);
  size_t n = run_and_save(src, 40, true);
  check_source(dst, n, "Anneal mid-run pending");
  check_common_edits<Anneal<kD, Real>, Core, Real>(dst, n);
  // own: phase, improved, pattern, at base (u8); level, visit, trial, re-annealings,
  // local direction, local evaluations (i32); current cost, local step, base cost; current, base, x.
  static const Edit own[] = {
      {"A1 initial temperature 0", [](uint8_t* b, size_t) { put_f32(b, common_at<Core, Real>() - 32, 0.f); }},
      {"A2 visit index 2·D in a chain",
       [](uint8_t* b, size_t) {
         put_u8(b, own_at<Core, Real>(kD), 1);
         put_i32(b, own_at<Core, Real>(kD) + 8, 2 * kD);
       }},
      {"A2 level > iteration", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 4, 1 << 20); }},
      {"A2 local counters outside a local phase",
       [](uint8_t* b, size_t) {
         put_u8(b, own_at<Core, Real>(kD), 1);
         put_i32(b, own_at<Core, Real>(kD) + 8, 0);
         put_i32(b, own_at<Core, Real>(kD) + 24, 1);
       }},
      {"A3 local step 0", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + R, Real(0)); }},
      {"A3 current cost below the best",
       [](uint8_t* b, size_t) {
         const Real best = get_real<Real>(b, common_at<Core, Real>() + Common::best);
         put_real<Real>(b, own_at<Core, Real>(kD) + 28, best - 1);
       }},
      {"A4 base point NaN",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 3 * R + kD * R, std::numeric_limits<Real>::quiet_NaN());
       }},
      {"A4 current point outside the box",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 3 * R + 2 * R, Real(5)); }},
  };
  for (const Edit& e : own) check_edit(dst, n, e);
  // A start point with nothing evaluated (A5).
  CHECK(src.init(box.lo, box.hi, kD, 0, AnnealConfig{}, 6) == Status::Ok);
  const Real start[kD] = {Real(0.25), Real(1), Real(2)};
  CHECK(src.set_start(start) == Status::Ok);
  n = run_and_save(src, 0, false);
  check_source(dst, n, "Anneal start");
  static const Edit fresh[] = {
      {"A5 current point not the start",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 3 * R, Real(0)); }},
  };
  for (const Edit& e : fresh) check_edit(dst, n, e);
}

// ---- De --------------------------------------------------------------------------

constexpr int kPop = 6;

template <class Real>
void de_cases() {
  using Core = detail::DeCore<Real>;
  constexpr size_t R = sizeof(Real);
  static De<kD, kPop, Real> src, dst;
  const Box<Real> box;
  DeConfig cfg;
  cfg.memory_size = 3;
  // own fixed: N0, archive count, memory index, cursor, batch size, batch told,
  // archive limit (i32); M_F[H], M_CR[H]; rows of 2·D + 4; archive.
  CHECK(src.init(box.lo, box.hi, kD, kPop, cfg, 11) == Status::Ok);
  size_t n = run_and_save(src, 3 * kPop + 2, true);
  check_source(dst, n, "De mid-run pending");
  CHECK(src.archive_size() > 0);  // "archive count above its limit" below needs one
  check_common_edits<De<kD, kPop, Real>, Core, Real>(dst, n);
  static const Edit own[] = {
      {"D1 memory index = memory_size", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 8, 3); }},
      {"D1 archive count above its limit",
       [](uint8_t* b, size_t sz) {
         (void)sz;
         put_i32(b, own_at<Core, Real>(kD) + 24, 0);
       }},
      {"D2 cursor = N", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 12, kPop); }},
      {"D3 cursor one further than the evaluations",
       [](uint8_t* b, size_t) {
         const size_t at = own_at<Core, Real>(kD) + 12;
         put_i32(b, at, get_i32(b, at) + 1);
       }},
      {"D4 M_F 0", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28, Real(0)); }},
      {"D4 M_CR 2", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 3 * R, Real(2)); }},
      {"D5 a member outside the box",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 6 * R + R, Real(-3)); }},
      {"D5 F of a trial 1.5",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 6 * R + (2 * kD + 2) * R, Real(1.5));
       }},
      {"D6 a member cost −inf",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 6 * R + kD * R, -std::numeric_limits<Real>::infinity());
       }},
      {"D6 a trial after the cursor told",
       [](uint8_t* b, size_t) {
         const size_t row = (2 * kD + 4) * R;
         put_real<Real>(b, own_at<Core, Real>(kD) + 28 + 6 * R + (kPop - 1) * row + (2 * kD + 1) * R, Real(1));
       }},
  };
  for (const Edit& e : own) check_edit(dst, n, e);
  // An open batch (D2, D6, C8).
  CHECK(src.init(box.lo, box.hi, kD, kPop, cfg, 12) == Status::Ok);
  (void)run_and_save(src, kPop + 1, false);
  const Real* xs[kPop];
  const int nb = src.ask_batch(xs, kPop);
  CHECK(nb >= 2);
  CHECK(src.check_invariants() == Status::Ok);
  CHECK(src.tell_batch(0, Real(0.5)) == Status::Ok);
  CHECK(src.check_invariants() == Status::Ok);
  CHECK(src.save(g_src, sizeof g_src, &n) == Status::Ok);
  check_source(dst, n, "De open batch");
  static const Edit batch[] = {
      {"D2 batch told = batch size",
       [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 20, get_i32(b, own_at<Core, Real>(kD) + 16)); }},
      {"D6 told count off by one", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 20, 0); }},
      {"C8 open batch with clip radius 0",
       [](uint8_t* b, size_t) { put_f32(b, common_at<Core, Real>() + Common::clip, 0.f); }},
      {"D2 batch and a pending ask", [](uint8_t* b, size_t) { put_u8(b, common_at<Core, Real>() + Common::pending, 1); }},
  };
  for (const Edit& e : batch) check_edit(dst, n, e);
  // Live: a member's cost overwritten with NaN.
  static De<kD, kPop, Real> fresh_obj;
  CHECK(fresh_obj.check_invariants() == Status::NotReady);
}

// ---- Cmaes -----------------------------------------------------------------------

template <class Real>
void cmaes_cases() {
  using Core = detail::CmaesCore<Real>;
  constexpr size_t R = sizeof(Real);
  static Cmaes<kD, kPop, Real> src, dst;
  const Box<Real> box;
  // own fixed: λ0, λ limit, restarts, flat, cursor, batch size, batch told, window
  // generations, windows (i32), separable u8 + 3, eigen evaluations i64; σ, decay,
  // previous best, window sum, 5 window means; m, p_σ, p_c, d; C triangle; B; x; f.
  CHECK(src.init(box.lo, box.hi, kD, kPop, CmaesConfig{}, 13) == Status::Ok);
  size_t n = run_and_save(src, 4 * kPop + 3, true);
  check_source(dst, n, "Cmaes mid-run pending");
  check_common_edits<Cmaes<kD, kPop, Real>, Core, Real>(dst, n);
  constexpr size_t V = 48 + 9 * R;  // the vectors, after the scalars
  static const Edit own[] = {
      {"E1 separable flag against the form", [](uint8_t* b, size_t) { put_u8(b, own_at<Core, Real>(kD) + 36, 1); }},
      {"E2 restarts > iteration", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 8, 1 << 20); }},
      {"E2 window generations at the window length",
       [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 28, 1 << 20); }},
      {"E3 cursor = λ", [](uint8_t* b, size_t) { put_i32(b, own_at<Core, Real>(kD) + 16, kPop); }},
      {"E4 σ 0", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 48, Real(0)); }},
      {"E4 decay 2", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + 48 + R, Real(2)); }},
      {"E5 mean outside the box", [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + V, Real(8)); }},
      {"E5 axis length 0",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + V + 3 * kD * R, Real(0)); }},
      {"E5 C's diagonal negative",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + V + 4 * kD * R, Real(-1)); }},
      {"E5 B entry 2",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + V + (4 * kD + kD * (kD + 1) / 2) * R, Real(2));
       }},
      {"E6 a candidate NaN",
       [](uint8_t* b, size_t) {
         put_real<Real>(b, own_at<Core, Real>(kD) + V + (4 * kD + kD * (kD + 1) / 2 + kD * kD) * R,
                        std::numeric_limits<Real>::quiet_NaN());
       }},
      {"E6 the last cost told (the cursor is before it)",
       [](uint8_t* b, size_t sz) { put_real<Real>(b, sz - 8 - R, Real(3)); }},
  };
  for (const Edit& e : own) check_edit(dst, n, e);
  // A start point (E7).
  CHECK(src.init(box.lo, box.hi, kD, kPop, CmaesConfig{}, 14) == Status::Ok);
  const Real start[kD] = {Real(0.5), Real(0.5), Real(0.5)};
  CHECK(src.set_start(start) == Status::Ok);
  n = run_and_save(src, 0, false);
  check_source(dst, n, "Cmaes start");
  static const Edit fresh[] = {
      {"E7 mean not the start",
       [](uint8_t* b, size_t) { put_real<Real>(b, own_at<Core, Real>(kD) + V, Real(0.25)); }},
  };
  for (const Edit& e : fresh) check_edit(dst, n, e);
  static Cmaes<kD, kPop, Real> fresh_obj;
  CHECK(fresh_obj.check_invariants() == Status::NotReady);
}

float cost_c(const float* x, int d, void*) { return sphere(x, d); }

}  // namespace

TEST_CASE(nelder_mead_invariants) {
  nelder_mead_cases<float>();
  nelder_mead_cases<double>();
}
TEST_CASE(spsa_invariants) {
  spsa_cases<float>();
  spsa_cases<double>();
}
TEST_CASE(anneal_invariants) {
  anneal_cases<float>();
  anneal_cases<double>();
}
TEST_CASE(de_invariants) {
  de_cases<float>();
  de_cases<double>();
}
TEST_CASE(cmaes_invariants) {
  cmaes_cases<float>();
  cmaes_cases<double>();
}

// A batch whose first told candidate reaches the target stops the run there:
// the later candidates' costs are dropped (the serial run never asked them),
// so the state passes its check, saves and loads, and is the serial run's
// state byte for byte (found by fuzz_api: they used to stay told, which D6 /
// E6 refuse; input tests/fuzz/corpus_api/de-batch-stops-on-target).
template <class Opt, class Cfg>
void batch_stop_on_target_case() {
  using Real = typename std::remove_cv<typename std::remove_reference<decltype(*Opt().best_position())>::type>::type;
  const Real lo[kD] = {-1, -2, 0}, hi[kD] = {1, 2, 4};
  Cfg cfg;
  cfg.target = 0.25f;  // the first cost told below reaches it
  static Opt batch, serial, loaded;
  CHECK(batch.init(lo, hi, kD, 0, cfg, 5) == Status::Ok);
  CHECK(serial.init(lo, hi, kD, 0, cfg, 5) == Status::Ok);
  const Real* xs[64];
  const int nb = batch.ask_batch(xs, 64);
  CHECK(nb >= 2);
  for (int k = nb - 1; k >= 0; --k) CHECK(batch.tell_batch(k, k == 0 ? Real(0.125) : Real(0.0625)) == Status::Ok);
  CHECK(serial.ask() != nullptr);
  CHECK(serial.tell(Real(0.125)) == Status::Ok);
  CHECK(batch.done() && batch.stop_reason() == StopReason::Target && batch.evaluations() == 1);
  CHECK(batch.best_value() == Real(0.125));
  CHECK(batch.check_invariants() == Status::Ok);
  static uint8_t a[8192], b[8192];
  size_t na = 0, nb2 = 0;
  CHECK(batch.save(a, sizeof a, &na) == Status::Ok);
  CHECK(serial.save(b, sizeof b, &nb2) == Status::Ok);
  CHECK(na == nb2 && std::memcmp(a, b, na) == 0);
  CHECK(loaded.load(a, na) == Status::Ok);
  CHECK(loaded.check_invariants() == Status::Ok);
}
TEST_CASE(batch_stop_on_target_drops_later_costs) {
  batch_stop_on_target_case<De<kD, kPop, float>, DeConfig>();
  batch_stop_on_target_case<De<kD, kPop, double>, DeConfig>();
  batch_stop_on_target_case<Cmaes<kD, kPop, float>, CmaesConfig>();
  batch_stop_on_target_case<Cmaes<kD, kPop, double>, CmaesConfig>();
}

// The C API: NotReady before init, Ok on a run, Corrupt once the storage is
// overwritten; NULL is an invalid argument.
TEST_CASE(c_api_check_invariants) {
  const float lo[kD] = {-1, -2, 0}, hi[kD] = {1, 2, 4};
  static starling_nelder_mead nm;
  std::memset(&nm, 0, sizeof nm);
  CHECK(starling_nelder_mead_check_invariants(nullptr) == STARLING_INVALID_ARGUMENT);
  CHECK(starling_nelder_mead_check_invariants(&nm) == STARLING_NOT_READY);
  starling_nelder_mead_config nc;
  CHECK(starling_nelder_mead_config_default(&nc) == STARLING_OK);
  CHECK(starling_nelder_mead_init(&nm, lo, hi, kD, &nc, 1) == STARLING_OK);
  CHECK(starling_nelder_mead_minimize(&nm, cost_c, nullptr) == STARLING_OK);
  CHECK(starling_nelder_mead_check_invariants(&nm) == STARLING_OK);
  // The incumbent's array lies in the struct's storage: move it out of the box.
  float* best = const_cast<float*>(starling_nelder_mead_best_position(&nm));
  CHECK(best != nullptr);
  const float keep = best[0];
  best[0] = 100.f;
  CHECK(starling_nelder_mead_check_invariants(&nm) == STARLING_CORRUPT);
  best[0] = keep;
  CHECK(starling_nelder_mead_check_invariants(&nm) == STARLING_OK);

  static starling_de de;
  std::memset(&de, 0, sizeof de);
  CHECK(starling_de_check_invariants(&de) == STARLING_NOT_READY);
  starling_de_config dc;
  CHECK(starling_de_config_default(&dc) == STARLING_OK);
  dc.max_evals = 300;
  CHECK(starling_de_init(&de, lo, hi, kD, 8, &dc, 2) == STARLING_OK);
  const float* x = starling_de_ask(&de);
  CHECK(x != nullptr);
  CHECK(starling_de_check_invariants(&de) == STARLING_OK);
  CHECK(starling_de_tell(&de, cost_c(x, kD, nullptr)) == STARLING_OK);
  CHECK(starling_de_check_invariants(&de) == STARLING_OK);
  float* b = const_cast<float*>(starling_de_best_position(&de));
  b[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK(starling_de_check_invariants(&de) == STARLING_CORRUPT);

  static starling_cmaes es;
  std::memset(&es, 0, sizeof es);
  starling_cmaes_config ec;
  CHECK(starling_cmaes_config_default(&ec) == STARLING_OK);
  CHECK(starling_cmaes_init(&es, lo, hi, kD, 6, &ec, 3) == STARLING_OK);
  CHECK(starling_cmaes_check_invariants(&es) == STARLING_OK);
  static starling_spsa sp;
  starling_spsa_config sc;
  CHECK(starling_spsa_config_default(&sc) == STARLING_OK);
  CHECK(starling_spsa_init(&sp, lo, hi, kD, &sc, 4) == STARLING_OK);
  CHECK(starling_spsa_check_invariants(&sp) == STARLING_OK);
  static starling_anneal sa;
  starling_anneal_config ac;
  CHECK(starling_anneal_config_default(&ac) == STARLING_OK);
  CHECK(starling_anneal_init(&sa, lo, hi, kD, &ac, 5) == STARLING_OK);
  CHECK(starling_anneal_check_invariants(&sa) == STARLING_OK);
}

int main() { return check::run_all(); }
