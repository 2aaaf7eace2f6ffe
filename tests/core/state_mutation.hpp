// SPDX-License-Identifier: MIT
// A bounded, deterministic fuzz of an optimizer's state loader that runs on
// every target (the libFuzzer targets in tests/fuzz need clang and a host):
// bytes of a valid saved state are flipped and the CRC re-sealed, so that the
// value checks behind the CRC are what decides. Every load must give Ok or
// Corrupt; a refused load must leave the object byte-identical; an accepted
// one must save back to the very same bytes, pass check_invariants(), and
// keep handing out finite points and accepting their costs (runs whose
// later states fail the check are counted as drift).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "check.hpp"
#include "starling/crc32.hpp"
#include "starling/rng.hpp"
#include "starling/status.hpp"

namespace mutation {

inline void reseal(uint8_t* b, size_t n) {
  const uint32_t crc = starling::crc32(b, n - 4);
  for (int k = 0; k < 4; ++k) b[n - 4 + static_cast<size_t>(k)] = static_cast<uint8_t>(crc >> (8 * k));
}

struct Result {
  long accepted = 0, refused = 0, bad = 0;
  // Accepted edited states whose run later fails check_invariants(): the
  // check is not closed under the method's steps for them (an edited state
  // can pass every invariant and still be one no run reaches).
  long drift = 0;
};

/// `blob` (n bytes) is a valid saved state of an Opt; `scratch` is the
/// object the mutated copies are loaded into (any state).
template <class Opt>
Result run(Opt& scratch, const uint8_t* blob, size_t n, uint64_t seed, int rounds) {
  using Real = typename std::remove_cv<
      typename std::remove_pointer<decltype(scratch.best_position())>::type>::type;
  static uint8_t mutated[Opt::kMaxSaveSize], before[Opt::kMaxSaveSize], after[Opt::kMaxSaveSize];
  Result res;
  starling::Rng g(seed);
  for (int k = 0; k < rounds; ++k) {
    std::memcpy(mutated, blob, n);
    const int flips = 1 + static_cast<int>(g.next_u32() % 3);
    for (int f = 0; f < flips; ++f) {
      const size_t at = g.next_u32() % (n - 8);  // not the seal
      mutated[at] = static_cast<uint8_t>(mutated[at] ^ (1u << (g.next_u32() % 8)));
    }
    reseal(mutated, n);
    size_t m0 = 0, m1 = 0;
    // NotReady before the first accepted load (scratch never initialized).
    const starling::Status s0 = scratch.save(before, sizeof before, &m0);
    static unsigned char bytes[sizeof(Opt)];
    std::memcpy(bytes, static_cast<const void*>(&scratch), sizeof(Opt));
    const starling::Status s = scratch.load(mutated, n);
    if (s != starling::Status::Ok) {
      if (s != starling::Status::Corrupt && s != starling::Status::CapacityExceeded) ++res.bad;
      if (std::memcmp(bytes, static_cast<const void*>(&scratch), sizeof(Opt)) != 0) ++res.bad;
      if (scratch.save(after, sizeof after, &m1) != s0 || m0 != m1 ||
          std::memcmp(before, after, m0) != 0)
        ++res.bad;  // a refused load changed the object
      ++res.refused;
      continue;
    }
    ++res.accepted;
    if (scratch.save(after, sizeof after, &m1) != starling::Status::Ok || m1 != n ||
        std::memcmp(after, mutated, n) != 0)
      ++res.bad;  // save(load(b)) != b
    if (scratch.check_invariants() != starling::Status::Ok) ++res.bad;  // load and the check agree
    const int d = scratch.dims();
    for (int step = 0; step < 60; ++step) {
      const Real* x = scratch.ask();
      if (x == nullptr) break;
      Real c = 0;
      for (int j = 0; j < d; ++j) {
        if (!std::isfinite(x[j])) ++res.bad;
        c += x[j] * x[j];
      }
      if (scratch.tell(c) != starling::Status::Ok) ++res.bad;
      if (scratch.check_invariants() != starling::Status::Ok) ++res.drift;
    }
  }
  return res;
}

}  // namespace mutation
