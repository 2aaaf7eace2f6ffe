// threefry_x86.hpp: Threefry-4x32-13 on SIMD lanes, one block per lane, for
// the x86 swarm kernels; the same numbers as starling::threefry4x32 (whose
// round and key-schedule structure it repeats). V supplies the 32-bit lane
// operations (add, xor, rotate by a constant). Private to ports/x86.
#pragma once
#include <cstdint>
#include <utility>

#include "starling/rng.hpp"

namespace starling {
namespace detail {
namespace {

template <class V, int R>
inline void tfx_round(typename V::T& x0, typename V::T& x1, typename V::T& x2, typename V::T& x3,
                      const uint32_t ks[5]) noexcept {
  constexpr int ra = static_cast<int>(kTfRot[R & 7][0]), rb = static_cast<int>(kTfRot[R & 7][1]);
  if ((R & 1) == 0) {
    x0 = V::add(x0, x1); x1 = V::xor_(V::template rotl<ra>(x1), x0);
    x2 = V::add(x2, x3); x3 = V::xor_(V::template rotl<rb>(x3), x2);
  } else {
    x0 = V::add(x0, x3); x3 = V::xor_(V::template rotl<ra>(x3), x0);
    x2 = V::add(x2, x1); x1 = V::xor_(V::template rotl<rb>(x1), x2);
  }
  if ((R & 3) == 3) {
    constexpr uint32_t q = static_cast<uint32_t>((R + 1) >> 2);
    x0 = V::add(x0, V::set1(ks[q % 5]));
    x1 = V::add(x1, V::set1(ks[(q + 1) % 5]));
    x2 = V::add(x2, V::set1(ks[(q + 2) % 5]));
    x3 = V::add(x3, V::set1(ks[(q + 3) % 5] + q));
  }
}

template <class V, int... R>
inline void tfx_rounds(std::integer_sequence<int, R...>, typename V::T& x0, typename V::T& x1,
                       typename V::T& x2, typename V::T& x3, const uint32_t ks[5]) noexcept {
  (tfx_round<V, R>(x0, x1, x2, x3, ks), ...);
}

/// Blocks with counters {c0[lane], c1, c2, c3}: words 0..3 of each block in
/// x0..x3 (lane l of xj = word j of lane l's block).
template <class V>
inline void threefry_lanes(typename V::T c0, uint32_t c1, uint32_t c2, uint32_t c3,
                           const uint32_t key[4], typename V::T& x0, typename V::T& x1,
                           typename V::T& x2, typename V::T& x3) noexcept {
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3],
                          kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3]};
  x0 = V::add(c0, V::set1(ks[0]));
  x1 = V::set1(c1 + ks[1]);
  x2 = V::set1(c2 + ks[2]);
  x3 = V::set1(c3 + ks[3]);
  tfx_rounds<V>(std::make_integer_sequence<int, kThreefryRounds>{}, x0, x1, x2, x3, ks);
}

}  // namespace
}  // namespace detail
}  // namespace starling
