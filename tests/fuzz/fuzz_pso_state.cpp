// SPDX-License-Identifier: MIT
// libFuzzer target for the optimizer's state loader (Pso::load): any bytes
// give a Status and never UB; a refused blob leaves every byte of the object
// unchanged; an accepted one saves back to the very same bytes, passes
// check_invariants(), and runs with every asked point finite and in the box
// and check_invariants() holding after every call. Built by
// tests/core/meson.build with clang and -fsanitize=fuzzer; bounded session:
//   ./build-fuzz/tests/core/fuzz_pso_state -max_total_time=60 -seed=1 tests/fuzz/corpus_pso_state
// (tests/fuzz/make_seeds.py writes the seeds, regress_* are inputs that once
// failed; mode 2 also works without a corpus).
//
// The first byte picks how the rest is used:
//   0: a blob as it is (header, length and CRC checks);
//   1: a blob with its CRC re-sealed (the value checks behind the CRC);
//   2: parameters of a real run (dims, particles, config, safe tuning, how
//      many evaluations, pending ask), saved, then patched by (offset, xor)
//      pairs from the remaining bytes and re-sealed: deep, valid-looking
//      states without a seed corpus.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "starling/crc32.hpp"
#include "starling/pso.hpp"

using starling::Pso;
using starling::PsoConfig;
using starling::Status;

namespace {

constexpr size_t kCap = Pso<4, 6, double>::kMaxSaveSize + 64;
uint8_t g_blob[kCap];
uint8_t g_after[kCap];

bool feasible_f(const float* x, int dims, void*) { return dims < 2 || x[0] + x[1] < 0.8f; }
bool feasible_d(const double* x, int dims, void*) { return dims < 2 || x[0] + x[1] < 0.8; }

void seal(uint8_t* b, size_t n) {
  if (n < 4) return;
  const uint32_t crc = starling::crc32(b, n - 4);
  for (int k = 0; k < 4; ++k) b[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
}

alignas(16) unsigned char g_object[sizeof(Pso<4, 6, double>)];

template <class P>
void try_load(P& p, const uint8_t* blob, size_t n) {
  using Real = typename std::remove_const<
      typename std::remove_pointer<decltype(p.best_position())>::type>::type;
  static_assert(sizeof(P) <= sizeof g_object, "object copy");
  std::memcpy(g_object, static_cast<const void*>(&p), sizeof(P));
  const Status s = p.load(blob, n);
  if (s != Status::Ok) {
    if (s != Status::Corrupt && s != Status::CapacityExceeded) __builtin_trap();
    if (std::memcmp(g_object, static_cast<const void*>(&p), sizeof(P)) != 0)
      __builtin_trap();  // a refused load changed the object
    return;
  }
  size_t m1 = 0;
  if (p.save(g_after, sizeof g_after, &m1) != Status::Ok || m1 != n ||
      std::memcmp(g_after, blob, n) != 0)
    __builtin_trap();  // save(load(b)) != b
  if (p.check_invariants() != Status::Ok) __builtin_trap();
  // Run on, as a device would after a reset: batches now and then.
  for (int k = 0; k < 200; ++k) {
    if (k % 7 == 3 && p.batch_size() == 0) {
      const Real* xs[6];
      const int b = p.ask_batch(xs, 6);
      for (int j = b - 1; j >= 0; --j) {
        for (int d = 0; d < p.dims(); ++d)
          if (!std::isfinite(xs[j][d])) __builtin_trap();
        if (p.tell_batch(j, xs[j][0]) != Status::Ok) __builtin_trap();
      }
      if (p.check_invariants() != Status::Ok) __builtin_trap();
      continue;
    }
    const Real* x = p.ask();
    if (x == nullptr) break;
    if (p.check_invariants() != Status::Ok) __builtin_trap();
    Real c = 0;
    for (int d = 0; d < p.dims(); ++d) {
      if (!std::isfinite(x[d])) __builtin_trap();  // NaN handed out
      c += x[d] * x[d];
    }
    const Status t = p.tell(c);
    if (t != Status::Ok && !(t == Status::NotReady && p.batch_size() > 0)) __builtin_trap();
    if (p.check_invariants() != Status::Ok) __builtin_trap();
  }
  // Back to a known state for the next input.
  const Real lo[4] = {-1, -2, -3, -4}, hi[4] = {1, 2, 3, 4};
  if (p.init(lo, hi, 4, 6, PsoConfig{}, 1) != Status::Ok) __builtin_trap();
}

size_t generate(const uint8_t* d, size_t n, bool dbl) {
  uint8_t q[12] = {0};
  for (size_t i = 0; i < 12 && i < n; ++i) q[i] = d[i];
  const int dims = 1 + q[0] % 4, particles = 2 + q[1] % 5;
  PsoConfig c;
  c.variant = static_cast<starling::Variant>(q[2] % 4);
  c.topology = static_cast<starling::Topology>(q[3] % 4);
  if (c.variant == starling::Variant::Fips && c.topology == starling::Topology::Random)
    c.topology = starling::Topology::VonNeumann;
  if (q[3] & 4) c.neighbors = c.topology == starling::Topology::Random ? 1 + q[3] / 8 % 4 : 0;
  if (q[7] & 4) {
    c.restart_stall = 1 + q[7] / 8 % 3;
    c.restart_radius = (q[7] & 32) != 0 ? 0.3f : 0.f;
  }
  if (q[7] & 64) c.stall_tol = (q[7] & 128) != 0 ? 0.5f : 0.02f;
  c.restart_rehits = (q[10] & 32) != 0 ? 2 : 0;  // restarts that wait for re-finds of the best
  c.local_stall = (q[10] & 64) != 0 ? 1 : 0;      // the local search probes from the first stalled sweep
  c.boundary = static_cast<starling::Boundary>(q[4] % 3);
  c.bias_correction = (q[5] & 1) != 0;
  c.random_per_particle = (q[5] & 2) != 0;
  c.max_iter = 1 + q[6] % 20;
  c.stall_iter = q[7] % 4;
  c.max_evals = q[8] % 3 == 0 ? q[8] / 3 : 0;
  if (q[5] & 4) c.target = 0.5f;
  const int evals = q[9] % 64;
  const bool pending = (q[10] & 1) != 0, pred = (q[10] & 2) != 0, trust = (q[10] & 4) != 0,
             start = (q[10] & 8) != 0;
  size_t written = 0;
  auto make = [&](auto& p, auto pred_fn) {
    using Real = typename std::remove_const<
        typename std::remove_pointer<decltype(p.best_position())>::type>::type;
    const Real lo[4] = {-1, -0.5, -3, 0}, hi[4] = {1, 2, 3, 0.25};
    const Real s[4] = {Real(-0.9), Real(-0.4), Real(2.5), Real(0.1)};
    (void)p.set_feasible(pred ? pred_fn : nullptr, nullptr, q[11] % 9);
    (void)p.set_trust_radius(trust ? 0.1f + static_cast<float>(q[11] % 9) * 0.1f : 0.f);
    if (p.init(lo, hi, dims, particles, c, q[11]) != Status::Ok) return;
    if (start) (void)p.set_start(s);
    for (int k = 0; k < evals; ++k) {
      const Real* x = p.ask();
      if (x == nullptr) break;
      Real f = 0;
      for (int j = 0; j < dims; ++j) f += (x[j] - Real(0.2)) * (x[j] - Real(0.2));
      if (k % 5 == 4) f = std::numeric_limits<Real>::quiet_NaN();  // now and then
      (void)p.tell(f);
    }
    if (pending) (void)p.ask();
    if (q[10] & 16) {  // saved with a batch open, some of it told
      const Real* xs[6];
      const int b = p.ask_batch(xs, 6);
      for (int j = 0; j < b / 2; ++j) (void)p.tell_batch(j, xs[j][0]);
    }
    (void)p.save(g_blob, sizeof g_blob, &written);
  };
  if (dbl) {
    static Pso<4, 6, double> p;
    make(p, feasible_d);
  } else {
    static Pso<4, 6> p;
    make(p, feasible_f);
  }
  // Patches: (offset lo, offset hi, xor) triples.
  for (size_t i = 12; i + 2 < n && written > 4; i += 3) {
    const size_t off = (static_cast<size_t>(d[i]) | static_cast<size_t>(d[i + 1]) << 8) % (written - 4);
    g_blob[off] = static_cast<uint8_t>(g_blob[off] ^ d[i + 2]);
  }
  seal(g_blob, written);
  return written;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Pso<4, 6> pf;
  static Pso<4, 6, double> pd;
  static bool ready = false;
  if (!ready) {
    const float lo[4] = {-1, -2, -3, -4}, hi[4] = {1, 2, 3, 4};
    const double lod[4] = {-1, -2, -3, -4}, hid[4] = {1, 2, 3, 4};
    if (pf.init(lo, hi, 4, 6, PsoConfig{}, 1) != Status::Ok ||
        pd.init(lod, hid, 4, 6, PsoConfig{}, 1) != Status::Ok)
      __builtin_trap();
    (void)pf.set_feasible(feasible_f);
    (void)pd.set_feasible(feasible_d);
    ready = true;
  }
  if (size < 1) return 0;
  const int mode = data[0] % 3;
  const bool dbl = (data[0] / 3) % 2 == 1;
  ++data;
  --size;
  size_t n = size;
  if (mode == 2) {
    n = generate(data, size, dbl);
  } else {
    if (n > kCap) return 0;
    std::memcpy(g_blob, data, n);
    if (mode == 1) seal(g_blob, n);
  }
  try_load(pf, g_blob, n);
  try_load(pd, g_blob, n);
  return 0;
}
