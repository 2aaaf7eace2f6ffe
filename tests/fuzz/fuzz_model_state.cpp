// SPDX-License-Identifier: MIT
// libFuzzer target for the saved-state loaders of Bobyqa, BayesOpt and Tuner
// (float and double): any bytes give a Status and never UB; a refused blob
// leaves every byte of the object unchanged; an accepted one saves back to
// the very same bytes, passes check_invariants(), and runs on with every
// asked point finite and inside the box and check_invariants() holding
// after every call. Built by tests/core/meson.build with clang and
// -fsanitize=fuzzer; bounded session:
//   ./build-fuzz/tests/core/fuzz_model_state -max_total_time=60 -seed=1 tests/fuzz/corpus_model_state
// (tests/fuzz/make_model_seeds.py writes the seeds; mode 2 also works
// without a corpus).
//
// Byte 0: bits 0-1 the mode, bits 2-3 the optimizer (0 Bobyqa, 1 BayesOpt,
// 2 Tuner, 3 = 0), bit 4 double. Modes:
//   0: the rest is a blob as it is (header, length and CRC checks);
//   1: the rest is a blob, CRC re-sealed (the checks behind the CRC);
//   2 and 3: parameters of a real run (dims, evaluations, safe tuning, stop
//      rules, pending ask, cost shape) from bytes 1..8, saved, then patched
//      by (offset u16, xor u8) triples from the rest and re-sealed.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "starling/crc32.hpp"
#include "starling/starling.hpp"

using starling::Status;

namespace {

constexpr int kD = 4, kObs = 12;
constexpr size_t kCap = 8192;
uint8_t g_blob[kCap];
uint8_t g_after[kCap];
alignas(16) unsigned char g_object[32768];

template <class Real>
bool feasible(const Real* x, int dims, void*) {
  return dims < 2 || x[0] + x[1] < Real(0.8);
}

void seal(uint8_t* b, size_t n) {
  if (n < 4) return;
  const uint32_t crc = starling::crc32(b, n - 4);
  for (int k = 0; k < 4; ++k) b[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
}

template <class Opt>
using RealOf = typename std::remove_const<
    typename std::remove_pointer<decltype(std::declval<Opt&>().best_position())>::type>::type;

template <class Real>
Real cost(const Real* x, int dims, int shape) {
  Real s = 0;
  for (int d = 0; d < dims; ++d) {
    const Real t = x[d] - Real(0.25) * static_cast<Real>(d);
    s += shape == 1 ? std::fabs(t) : t * t;
  }
  return shape == 2 && x[0] > Real(0.5) ? std::numeric_limits<Real>::quiet_NaN() : s;
}

template <class Opt>
void run_on(Opt& o, int steps) {
  using Real = RealOf<Opt>;
  for (int k = 0; k < steps; ++k) {
    const Real* x = o.ask();
    if (o.check_invariants() != Status::Ok) __builtin_trap();
    if (x == nullptr) {
      if (!o.done()) __builtin_trap();
      return;
    }
    for (int d = 0; d < o.dims(); ++d)
      if (!std::isfinite(x[d])) __builtin_trap();
    if (o.tell(cost(x, o.dims(), k % 3)) != Status::Ok) __builtin_trap();
    if (o.check_invariants() != Status::Ok) __builtin_trap();
  }
}

template <class Opt>
void try_load(Opt& o, const uint8_t* blob, size_t n) {
  static_assert(sizeof(Opt) <= sizeof g_object, "object copy");
  std::memcpy(g_object, static_cast<const void*>(&o), sizeof(Opt));
  const Status s = o.load(blob, n);
  if (s != Status::Ok) {
    if (s != Status::Corrupt && s != Status::CapacityExceeded) __builtin_trap();
    if (std::memcmp(g_object, static_cast<const void*>(&o), sizeof(Opt)) != 0) __builtin_trap();
    return;
  }
  size_t m = 0;
  if (o.save(g_after, sizeof g_after, &m) != Status::Ok || m != n || std::memcmp(g_after, blob, n) != 0)
    __builtin_trap();  // save(load(b)) != b
  if (o.check_invariants() != Status::Ok) __builtin_trap();
  run_on(o, 24);
}

template <class Cfg>
Cfg cheap(Cfg c) {
  c.candidates = 16;
  c.fit_evals = 4;
  return c;
}
inline starling::BobyqaConfig cheap(starling::BobyqaConfig c) { return c; }

// A real run from parameter bytes q[0..7], saved into g_blob; returns its size.
template <class Opt, class Cfg>
size_t generate(Opt& o, Cfg c, const uint8_t* q) {
  using Real = RealOf<Opt>;
  const int dims = 1 + q[0] % kD;
  const int evals = q[1] % 40;
  Real lo[kD], hi[kD];
  for (int d = 0; d < kD; ++d) {
    lo[d] = Real(-1) - static_cast<Real>(d);
    hi[d] = Real(1) + static_cast<Real>(q[2] & 3) * Real(0.5);
  }
  c = cheap(c);
  c.max_iter = 1 + q[3] % 48;
  c.max_evals = q[4] & 1 ? 1 + q[4] / 8 : 0;
  c.stall_iter = q[4] & 2 ? 1 + (q[4] >> 4) : 0;
  c.target = q[4] & 4 ? static_cast<float>(q[5]) / 64.f : -std::numeric_limits<float>::infinity();
  if (o.init(lo, hi, dims, 0, c, q[6]) != Status::Ok) return 0;
  if (q[7] & 1) (void)o.set_trust_radius(static_cast<float>(1 + (q[7] >> 4)) / 20.f);
  if (q[7] & 2) (void)o.set_feasible(feasible<Real>, nullptr, (q[7] >> 2) & 7);
  if (q[7] & 4) {
    Real s[kD];
    for (int d = 0; d < dims; ++d) s[d] = lo[d] * Real(0.25);
    (void)o.set_start(s);
  }
  for (int k = 0; k < evals; ++k) {
    const Real* x = o.ask();
    if (x == nullptr) break;
    (void)o.tell(cost(x, dims, q[5] % 3));
  }
  if (q[7] & 8) (void)o.ask();  // pending
  size_t n = 0;
  if (o.save(g_blob, sizeof g_blob, &n) != Status::Ok) return 0;
  if (o.check_invariants() != Status::Ok) __builtin_trap();
  return n;
}

template <class Opt, class Cfg>
void fuzz(const uint8_t* data, size_t size, int mode) {
  static Opt src, dst, fresh;
  size_t n = 0;
  if (mode < 2) {
    n = size < kCap ? size : kCap;
    std::memcpy(g_blob, data, n);
    if (mode == 1) seal(g_blob, n);
  } else {
    uint8_t q[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (size_t k = 0; k < 8 && k < size; ++k) q[k] = data[k];
    n = generate(src, Cfg{}, q);
    if (n == 0) return;
    for (size_t k = 8; k + 2 < size; k += 3) {
      const size_t off = (static_cast<size_t>(data[k]) | static_cast<size_t>(data[k + 1]) << 8) % n;
      g_blob[off] ^= data[k + 2];
    }
    seal(g_blob, n);
  }
  // Into a running object and into one never initialized.
  const typename std::remove_reference<decltype(dst.best_position()[0])>::type lo[1] = {-1}, hi[1] = {1};
  (void)dst.init(lo, hi, 1, 0, cheap(Cfg{}), 7);
  try_load(dst, g_blob, n);
  try_load(fresh, g_blob, n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] & 3, which = (data[0] >> 2) & 3;
  const bool dbl = (data[0] & 16) != 0;
  data += 1;
  size -= 1;
  using namespace starling;
  switch (which) {
    case 1:
      if (dbl) fuzz<BayesOpt<kD, kObs, double>, BayesOptConfig>(data, size, mode);
      else fuzz<BayesOpt<kD, kObs>, BayesOptConfig>(data, size, mode);
      break;
    case 2:
      if (dbl) fuzz<Tuner<kD, kObs, double>, TunerConfig>(data, size, mode);
      else fuzz<Tuner<kD, kObs>, TunerConfig>(data, size, mode);
      break;
    default:
      if (dbl) fuzz<Bobyqa<kD, double>, BobyqaConfig>(data, size, mode);
      else fuzz<Bobyqa<kD>, BobyqaConfig>(data, size, mode);
      break;
  }
  return 0;
}
