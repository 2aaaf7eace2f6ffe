// SPDX-License-Identifier: MIT
// libFuzzer target for the state loaders of De and Cmaes (float and double):
// any bytes give a Status and never UB; a refused blob leaves the object
// unchanged; an accepted one saves back to the very same bytes and runs with
// finite asks inside the box. Built by tests/core/meson.build with clang and
// -fsanitize=fuzzer; bounded session:
//   ./build-fuzz/tests/core/fuzz_opt_state -max_total_time=30 -seed=1
//
// The first byte picks the optimizer (De, Cmaes), the precision and how the
// rest is used, as in fuzz_pso_state.cpp: 0 a blob as it is; 1 a blob with its
// CRC re-sealed; 2 a real run (dims, population, config, safe tuning,
// evaluations, pending ask, batch) saved, patched by (offset, xor) triples
// and re-sealed.
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "starling/crc32.hpp"
#include "starling/starling.hpp"

using starling::Status;

namespace {

using DeF = starling::De<4, 12>;
using DeD = starling::De<4, 12, double>;
using EsF = starling::Cmaes<4, 12>;
using EsD = starling::Cmaes<4, 12, double>;

constexpr size_t max4(size_t a, size_t b, size_t c, size_t d) {
  return a > b ? (a > c ? (a > d ? a : d) : (c > d ? c : d)) : (b > c ? (b > d ? b : d) : (c > d ? c : d));
}
constexpr size_t kCap = max4(DeF::kMaxSaveSize, DeD::kMaxSaveSize, EsF::kMaxSaveSize, EsD::kMaxSaveSize) + 64;
uint8_t g_blob[kCap];
uint8_t g_before[kCap];
uint8_t g_after[kCap];

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

template <class Opt, class Cfg>
void reset(Opt& p) {
  using Real = RealOf<Opt>;
  const Real lo[4] = {-1, -2, -3, -4}, hi[4] = {1, 2, 3, 4};
  if (p.init(lo, hi, 4, 6, Cfg{}, 1) != Status::Ok) __builtin_trap();
}

template <class Opt, class Cfg>
void try_load(Opt& p, const uint8_t* blob, size_t n) {
  using Real = RealOf<Opt>;
  size_t m0 = 0, m1 = 0;
  if (p.save(g_before, sizeof g_before, &m0) != Status::Ok) __builtin_trap();
  static unsigned char bytes[sizeof(Opt)];
  std::memcpy(bytes, static_cast<const void*>(&p), sizeof(Opt));
  const Status s = p.load(blob, n);
  if (s != Status::Ok) {
    if (s != Status::Corrupt && s != Status::CapacityExceeded) __builtin_trap();
    if (std::memcmp(bytes, static_cast<const void*>(&p), sizeof(Opt)) != 0) __builtin_trap();
    if (p.save(g_after, sizeof g_after, &m1) != Status::Ok || m0 != m1 || std::memcmp(g_before, g_after, m0) != 0)
      __builtin_trap();  // a refused load changed the object
    return;
  }
  if (p.save(g_after, sizeof g_after, &m1) != Status::Ok || m1 != n || std::memcmp(g_after, blob, n) != 0)
    __builtin_trap();  // save(load(b)) != b
  // What load accepts is what check_invariants accepts, and every call of a
  // run from there keeps it.
  if (p.check_invariants() != Status::Ok) __builtin_trap();
  for (int k = 0; k < 300; ++k) {
    const Real* x = p.ask();
    if (x == nullptr) break;
    Real c = 0;
    for (int d = 0; d < p.dims(); ++d) {
      if (!(x[d] == x[d]) || x[d] == std::numeric_limits<Real>::infinity() ||
          x[d] == -std::numeric_limits<Real>::infinity())
        __builtin_trap();  // NaN or inf handed out
      c += x[d] * x[d];
    }
    if (k % 13 == 12) c = std::numeric_limits<Real>::quiet_NaN();
    if (p.tell(c) != Status::Ok) __builtin_trap();
    // An edited state can pass every invariant and still be one no run
    // reaches, whose later states may fail the check (docs/optimizers.md):
    // what must hold from it on is what is checked here (finite points, Ok
    // tells); genuine runs are checked on every call (make_run).
  }
  reset<Opt, Cfg>(p);
}

void patch(const uint8_t* d, size_t n, size_t written) {
  for (size_t i = 12; i + 2 < n && written > 4; i += 3) {
    const size_t off = (static_cast<size_t>(d[i]) | static_cast<size_t>(d[i + 1]) << 8) % (written - 4);
    g_blob[off] = static_cast<uint8_t>(g_blob[off] ^ d[i + 2]);
  }
  seal(g_blob, written);
}

template <class Opt, class Cfg>
size_t make_run(Opt& p, const Cfg& c, const uint8_t* q) {
  using Real = RealOf<Opt>;
  const int dims = 1 + q[0] % 4, pop = 4 + q[1] % 9;
  const Real lo[4] = {-1, -0.5, -3, 0}, hi[4] = {1, 2, 3, 0.25};
  const Real s[4] = {Real(-0.9), Real(-0.4), Real(2.5), Real(0.1)};
  const bool pending = (q[10] & 1) != 0, pred = (q[10] & 2) != 0, trust = (q[10] & 4) != 0,
             start = (q[10] & 8) != 0, batch = (q[10] & 16) != 0;
  (void)p.set_feasible(pred ? feasible<Real> : nullptr, nullptr, q[11] % 9);
  (void)p.set_trust_radius(trust ? 0.1f + static_cast<float>(q[11] % 9) * 0.1f : 0.f);
  if (p.init(lo, hi, dims, (q[5] & 8) != 0 ? 0 : pop, c, q[11]) != Status::Ok) return 0;
  if (start) (void)p.set_start(s);
  const int evals = q[9] % 128;
  for (int k = 0; k < evals; ++k) {
    const Real* x = p.ask();
    if (x == nullptr) break;
    Real f = 0;
    for (int j = 0; j < dims; ++j) f += (x[j] - Real(0.2)) * (x[j] - Real(0.2));
    if (k % 5 == 4) f = std::numeric_limits<Real>::quiet_NaN();
    if (q[7] & 16) f = 1;  // flat: restarts, terminal memories
    if (p.check_invariants() != Status::Ok) __builtin_trap();
    (void)p.tell(f);
    if (p.check_invariants() != Status::Ok) __builtin_trap();
  }
  if (batch) {
    const Real* xs[16];
    const int nb = p.ask_batch(xs, 16);
    if (p.check_invariants() != Status::Ok) __builtin_trap();
    for (int k = 0; k < nb / 2; ++k) {
      (void)p.tell_batch(k, static_cast<Real>(k));
      if (p.check_invariants() != Status::Ok) __builtin_trap();
    }
  } else if (pending) {
    (void)p.ask();
  }
  if (p.check_invariants() != Status::Ok) __builtin_trap();
  size_t written = 0;
  (void)p.save(g_blob, sizeof g_blob, &written);
  return written;
}

template <class Opt>
size_t generate_de(const uint8_t* d, size_t n) {
  static Opt p;
  uint8_t q[12] = {0};
  for (size_t i = 0; i < 12 && i < n; ++i) q[i] = d[i];
  starling::DeConfig c;
  c.memory_size = 1 + q[2] % 6;
  c.p_best = 0.05f + 0.1f * static_cast<float>(q[3] % 10);
  c.archive_rate = 0.25f * static_cast<float>(q[4] % 9);
  c.reduce_population = (q[5] & 1) != 0;
  c.min_population = 4 + q[5] / 64;
  c.max_iter = 1 + q[6] % 40;
  c.stall_iter = q[7] % 4;
  c.max_evals = q[8] % 3 == 0 ? 20 + q[8] : 0;
  if (q[5] & 4) c.target = 0.5f;
  const size_t w = make_run(p, c, q);
  patch(d, n, w);
  return w;
}

template <class Opt>
size_t generate_es(const uint8_t* d, size_t n) {
  static Opt p;
  uint8_t q[12] = {0};
  for (size_t i = 0; i < 12 && i < n; ++i) q[i] = d[i];
  starling::CmaesConfig c;
  c.sigma0 = 0.05f + 0.1f * static_cast<float>(q[2] % 10);
  c.ipop = (q[3] & 1) != 0;
  c.form = static_cast<starling::CmaesForm>(q[4] % 3);
  c.separable_above = 1 + q[5] % 4;
  c.max_iter = 1 + q[6] % 60;
  c.stall_iter = q[7] % 4;
  c.max_evals = q[8] % 3 == 0 ? 20 + q[8] : 0;
  if (q[5] & 4) c.target = 0.5f;
  const size_t w = make_run(p, c, q);
  patch(d, n, w);
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static DeF de_f;
  static DeD de_d;
  static EsF es_f;
  static EsD es_d;
  static bool ready = false;
  if (!ready) {
    reset<DeF, starling::DeConfig>(de_f);
    reset<DeD, starling::DeConfig>(de_d);
    reset<EsF, starling::CmaesConfig>(es_f);
    reset<EsD, starling::CmaesConfig>(es_d);
    (void)de_f.set_feasible(feasible<float>);
    (void)es_d.set_feasible(feasible<double>);
    ready = true;
  }
  if (size < 1) return 0;
  const int mode = data[0] % 3;
  const bool dbl = (data[0] / 3) % 2 == 1;
  const bool es = (data[0] / 6) % 2 == 1;
  ++data;
  --size;
  size_t n = size;
  if (mode == 2) {
    n = es ? (dbl ? generate_es<EsD>(data, size) : generate_es<EsF>(data, size))
           : (dbl ? generate_de<DeD>(data, size) : generate_de<DeF>(data, size));
  } else {
    if (n > kCap) return 0;
    std::memcpy(g_blob, data, n);
    if (mode == 1) seal(g_blob, n);
  }
  try_load<DeF, starling::DeConfig>(de_f, g_blob, n);
  try_load<DeD, starling::DeConfig>(de_d, g_blob, n);
  try_load<EsF, starling::CmaesConfig>(es_f, g_blob, n);
  try_load<EsD, starling::CmaesConfig>(es_d, g_blob, n);
  return 0;
}
