// SPDX-License-Identifier: MIT
// libFuzzer target for the state loaders of NelderMead, Spsa and Anneal
// (float and double): any bytes give a Status and never UB; a refused blob
// leaves the object unchanged; an accepted one saves back to the very same
// bytes and keeps running with finite points inside its box. Built by
// tests/core/meson.build with clang and -fsanitize=fuzzer; bounded session:
//   ./build-fuzz/tests/core/fuzz_family_state -max_total_time=60 -seed=1
// (no corpus needed: see mode 2).
//
// Byte 0 picks the optimizer (% 3), the Real type (/ 3 % 2) and the mode
// (/ 6 % 3):
//   0: the rest is a blob as it is (header, length and CRC checks);
//   1: a blob with its CRC re-sealed (the value checks behind the CRC);
//   2: parameters of a real run (dims, config, safe tuning, how many
//      evaluations, a pending ask), saved, then patched by (offset, xor)
//      triples and re-sealed: deep, valid-looking states.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "starling/anneal.hpp"
#include "starling/crc32.hpp"
#include "starling/nelder_mead.hpp"
#include "starling/spsa.hpp"

using namespace starling;

namespace {

constexpr int kD = 4;
constexpr size_t kCap = 4096;
uint8_t g_blob[kCap], g_before[kCap], g_after[kCap];

template <class Opt>
using RealOf = typename std::remove_const<
    typename std::remove_pointer<decltype(std::declval<Opt&>().best_position())>::type>::type;

template <class Real>
bool feasible(const Real* x, int dims, void*) {
  return dims < 2 || x[0] + x[1] < Real(0.8);
}

void seal(uint8_t* b, size_t n) {
  if (n < 4) return;
  const uint32_t crc = crc32(b, n - 4);
  for (int k = 0; k < 4; ++k) b[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
}

// Configs from fuzz bytes (every field in its valid range, mostly).
NelderMeadConfig config(NelderMeadConfig c, const uint8_t* q) {
  c.step = 0.05f + static_cast<float>(q[0] % 20) * 0.05f;
  c.adaptive = (q[1] & 1) != 0;
  c.restart_tol = (q[1] & 2) != 0 ? 0.f : static_cast<float>(q[2] % 10) * 0.02f;
  return c;
}
SpsaConfig config(SpsaConfig c, const uint8_t* q) {
  c.a = (q[0] & 1) != 0 ? 0.f : 0.01f * static_cast<float>(q[0] % 7);
  c.n_avg = 1 + q[1] % 3;
  c.theta_every = q[2] % 3;
  c.calibrate = 1 + q[1] % 4;
  return c;
}
AnnealConfig config(AnnealConfig c, const uint8_t* q) {
  c.local_sweeps = q[0] % 4;
  c.restart_temp_ratio = (q[1] & 1) != 0 ? 0.1f : 2e-5f;
  c.accept = -static_cast<float>(q[2] % 10);
  return c;
}

template <class Opt>
struct kClosedCheck : std::false_type {};
template <int D, class Real>
struct kClosedCheck<NelderMead<D, Real>> : std::true_type {};

template <class Opt>
void try_load(Opt& o, const uint8_t* blob, size_t n) {
  using Real = RealOf<Opt>;
  size_t m0 = 0, m1 = 0;
  const Status s0 = o.save(g_before, sizeof g_before, &m0);
  static unsigned char bytes[sizeof(Opt)];
  std::memcpy(bytes, static_cast<const void*>(&o), sizeof(Opt));
  const Status s = o.load(blob, n);
  if (s != Status::Ok) {
    if (s != Status::Corrupt && s != Status::CapacityExceeded) __builtin_trap();
    if (std::memcmp(bytes, static_cast<const void*>(&o), sizeof(Opt)) != 0) __builtin_trap();
    if (o.save(g_after, sizeof g_after, &m1) != s0 || m0 != m1 || std::memcmp(g_before, g_after, m0) != 0)
      __builtin_trap();  // a refused load changed the object
    return;
  }
  if (o.save(g_after, sizeof g_after, &m1) != Status::Ok || m1 != n || std::memcmp(g_after, blob, n) != 0)
    __builtin_trap();  // save(load(b)) != b
  // What load accepts is what check_invariants accepts, and every call of a
  // run from there keeps it.
  if (o.check_invariants() != Status::Ok) __builtin_trap();
  for (int k = 0; k < 200; ++k) {
    const Real* x = o.ask();
    if (x == nullptr) break;
    Real c = 0;
    for (int d = 0; d < o.dims(); ++d) {
      if (!std::isfinite(x[d])) __builtin_trap();
      c += x[d] * x[d];
    }
    if (o.tell(c) != Status::Ok) __builtin_trap();
    // NelderMead's check is closed under its steps (N8): every later state
    // of an accepted one passes it. For Spsa and Anneal an edited state can
    // pass every invariant and still be one no run reaches, whose later
    // states may not (docs/optimizers.md): those runs go on unchecked.
    if (kClosedCheck<Opt>::value && o.check_invariants() != Status::Ok) __builtin_trap();
  }
}

template <class Opt, class Cfg>
size_t generate(Opt& o, const Cfg& base, const uint8_t* d, size_t n) {
  using Real = RealOf<Opt>;
  uint8_t q[12] = {0};
  for (size_t i = 0; i < 12 && i < n; ++i) q[i] = d[i];
  const int dims = 1 + q[0] % kD;
  Cfg c = config(base, q + 1);
  c.max_iter = 1 + q[4] % 40;
  c.stall_iter = q[5] % 4;
  c.max_evals = q[6] % 3 == 0 ? q[6] / 3 : 0;
  if (q[7] & 1) c.target = 0.5f;
  const int evals = q[8] % 64;
  const bool pending = (q[9] & 1) != 0, pred = (q[9] & 2) != 0, trust = (q[9] & 4) != 0,
             start = (q[9] & 8) != 0;
  const Real lo[kD] = {-1, Real(-0.5), -3, 0}, hi[kD] = {1, 2, 3, Real(0.25)};
  const Real s[kD] = {Real(-0.9), Real(-0.4), Real(2.5), Real(0.1)};
  (void)o.set_feasible(pred ? feasible<Real> : nullptr, nullptr, q[10] % 9);
  (void)o.set_trust_radius(trust ? 0.1f + static_cast<float>(q[10] % 9) * 0.1f : 0.f);
  if (o.init(lo, hi, dims, 0, c, q[11]) != Status::Ok) return 0;
  if (start) (void)o.set_start(s);
  for (int k = 0; k < evals; ++k) {
    const Real* x = o.ask();
    if (x == nullptr) break;
    Real f = 0;
    for (int j = 0; j < dims; ++j) f += (x[j] - Real(0.2)) * (x[j] - Real(0.2));
    if (k % 5 == 4) f = std::numeric_limits<Real>::quiet_NaN();
    if (o.check_invariants() != Status::Ok) __builtin_trap();
    (void)o.tell(f);
    if (o.check_invariants() != Status::Ok) __builtin_trap();
  }
  if (pending) (void)o.ask();
  if (o.check_invariants() != Status::Ok) __builtin_trap();
  size_t written = 0;
  (void)o.save(g_blob, sizeof g_blob, &written);
  for (size_t i = 12; i + 2 < n && written > 4; i += 3) {
    const size_t off = (static_cast<size_t>(d[i]) | static_cast<size_t>(d[i + 1]) << 8) % (written - 4);
    g_blob[off] = static_cast<uint8_t>(g_blob[off] ^ d[i + 2]);
  }
  seal(g_blob, written);
  return written;
}

template <class Opt, class Cfg>
void one(Opt& live, Opt& scratch, const Cfg& base, int mode, const uint8_t* data, size_t size) {
  size_t n = size;
  if (mode == 2) {
    n = generate(scratch, base, data, size);
    if (n == 0) return;
  } else {
    if (n > kCap) return;
    std::memcpy(g_blob, data, n);
    if (mode == 1) seal(g_blob, n);
  }
  try_load(live, g_blob, n);
  // Back to a known state for the next input.
  using Real = RealOf<Opt>;
  const Real lo[kD] = {-1, -2, -3, -4}, hi[kD] = {1, 2, 3, 4};
  if (live.init(lo, hi, kD, 0, base, 1) != Status::Ok) __builtin_trap();
  (void)live.set_feasible(feasible<Real>);
}

NelderMead<kD> g_nm, g_nm_s;
NelderMead<kD, double> g_nmd, g_nmd_s;
Spsa<kD> g_sp, g_sp_s;
Spsa<kD, double> g_spd, g_spd_s;
Anneal<kD> g_sa, g_sa_s;
Anneal<kD, double> g_sad, g_sad_s;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int which = data[0] % 3, dbl = (data[0] / 3) % 2, mode = (data[0] / 6) % 3;
  ++data;
  --size;
  switch (which * 2 + dbl) {
    case 0: one(g_nm, g_nm_s, NelderMeadConfig{}, mode, data, size); break;
    case 1: one(g_nmd, g_nmd_s, NelderMeadConfig{}, mode, data, size); break;
    case 2: one(g_sp, g_sp_s, SpsaConfig{}, mode, data, size); break;
    case 3: one(g_spd, g_spd_s, SpsaConfig{}, mode, data, size); break;
    case 4: one(g_sa, g_sa_s, AnnealConfig{}, mode, data, size); break;
    default: one(g_sad, g_sad_s, AnnealConfig{}, mode, data, size); break;
  }
  return 0;
}
