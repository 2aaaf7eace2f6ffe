// SPDX-License-Identifier: MIT
// tests/int8/fc_data.hpp: the golden generator's tiny PRNG and data rules in C++.
//
// Mirrors rnd(), gen_x(), gen_w(), gen_bias(), fnv1a() and make_hash_data() of
// tools/gen_fc_golden.py line for line, so a test regenerates the inputs of a
// hashed golden layer from its seed. Change both together (and regenerate).
#pragma once
#include <cstdint>

#include "fc_golden.h"

namespace fc_data {

/// "lowbias32" finalizer (C. Wellons): a bijection on uint32.
constexpr uint32_t mix32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

/// Random uint32 number i of stream `stream` under `seed`.
constexpr uint32_t rnd(uint32_t seed, uint32_t stream, uint32_t i) {
  return mix32(mix32(seed ^ (stream * 0x9E3779B9u)) + i);
}

enum : uint32_t { kStreamX = 0, kStreamW = 1, kStreamBias = 2, kStreamMult = 3, kStreamShift = 4 };

inline int8_t gen_x(int mode, uint32_t r) {
  switch (mode) {
    case 0: return static_cast<int8_t>(static_cast<int>(r & 0xFFu) - 128);
    case 1: return static_cast<int8_t>((r & 1u) ? 127 : -128);
    case 2: return -128;
    case 3: return 127;
    default: return static_cast<int8_t>(static_cast<int>(r % 5u) - 2);  // 4
  }
}

inline int8_t gen_w(int mode, uint32_t r) {
  switch (mode) {
    case 0: return static_cast<int8_t>(static_cast<int>(r % 255u) - 127);
    case 1: return static_cast<int8_t>((r & 1u) ? 127 : -127);
    case 2: return -127;
    case 3: return 127;
    case 4: return static_cast<int8_t>(static_cast<int>(r % 5u) - 2);
    default: return static_cast<int8_t>(static_cast<int>(r & 0xFFu) - 128);  // 5
  }
}

inline int32_t gen_bias(int mode, int32_t range, uint32_t r) {
  if (mode == 1) {
    const uint64_t span = 2u * static_cast<uint64_t>(range) + 1u;
    return static_cast<int32_t>(static_cast<int64_t>(r % span) - range);
  }
  const int32_t v = static_cast<int32_t>(r >> 16);  // mode 2: near an int32 limit
  return (r & 1u) ? INT32_MAX - v : INT32_MIN + v;
}

inline uint32_t fnv1a(const int8_t* p, int n) {
  uint32_t h = 0x811C9DC5u;
  for (int i = 0; i < n; ++i) {
    h ^= static_cast<uint32_t>(static_cast<uint8_t>(p[i]));
    h *= 0x01000193u;
  }
  return h;
}

/// Buffers for one hashed layer, filled by make().
struct HashData {
  int8_t x[fc_golden::kMaxHashInput];
  int8_t w[fc_golden::kMaxHashWeights];
  int32_t bias[fc_golden::kMaxHashOut];
  int32_t mult[fc_golden::kMaxHashOut];
  int32_t shift[fc_golden::kMaxHashOut];
  bool has_bias;

  void make(const fc_golden::HashLayer& L) {
    const int k = L.in_dim, n = L.out_dim, nb = L.batches;
    for (int i = 0; i < nb * k; ++i) x[i] = gen_x(L.x_mode, rnd(L.seed, kStreamX, static_cast<uint32_t>(i)));
    for (int i = 0; i < n * k; ++i) w[i] = gen_w(L.w_mode, rnd(L.seed, kStreamW, static_cast<uint32_t>(i)));
    has_bias = L.bias_mode != 0;
    for (int o = 0; o < n; ++o) {
      const uint32_t uo = static_cast<uint32_t>(o);
      bias[o] = has_bias ? gen_bias(L.bias_mode, L.bias_range, rnd(L.seed, kStreamBias, uo)) : 0;
      if (L.mult_mode == 1) {
        const uint32_t span = static_cast<uint32_t>(L.shift_hi - L.shift_lo + 1);
        mult[o] = static_cast<int32_t>(0x40000000u | (rnd(L.seed, kStreamMult, uo) & 0x3FFFFFFFu));
        shift[o] = L.shift_lo + static_cast<int32_t>(rnd(L.seed, kStreamShift, uo) % span);
      } else {
        mult[o] = L.multiplier;
        shift[o] = L.shift;
      }
    }
  }
};

}  // namespace fc_data
