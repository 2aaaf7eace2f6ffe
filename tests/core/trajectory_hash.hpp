// SPDX-License-Identifier: MIT
// FNV-1a-64 over the bytes of asked positions and told costs: the trajectory
// hash the safe-tuning and save/resume tests compare runs with. Every NaN
// hashes as the quiet NaN, since which NaN an operation gives is the
// compiler's choice (golden_state.h's continuation hash is one of these).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

constexpr uint64_t kFnvOffset = 0xCBF29CE484222325ull, kFnvPrime = 0x100000001B3ull;

template <class Real>
uint64_t fnv(uint64_t h, Real v) {
  if (std::isnan(v)) v = std::numeric_limits<Real>::quiet_NaN();
  unsigned char b[sizeof(Real)];
  std::memcpy(b, &v, sizeof b);
  for (unsigned char c : b) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}
