// SPDX-License-Identifier: MIT
// threefry_x86.hpp: Threefry-4x32-13 on SIMD lanes, one block per lane, for
// the x86 swarm kernels; the same numbers as starling::threefry4x32_ctr0
// (whose round and key-schedule structure it repeats). V supplies the 32-bit
// lane operations (add, xor, rotate by a constant, broadcast).
// Private to ports/x86.
//
// Everything here has internal linkage and calls nothing from rng.hpp but
// its constants: an inline function of a shared header instantiated in an
// ISA file is a weak symbol the linker may pick for portable code too.
#pragma once
#include <cstdint>
#include <utility>

#include "starling/rng.hpp"

// The rounds are forced inline: as out-of-line calls (GCC stops inlining
// once a kernel instantiates them twice) the lanes go through memory and
// the kernel runs at less than half speed.
#define STARLING_X86_INLINE inline __attribute__((always_inline))

namespace starling {
namespace detail {
namespace {

constexpr uint32_t tfx_rotl(uint32_t x, unsigned r) noexcept { return (x << r) | (x >> (32u - r)); }

template <class V, int R>
STARLING_X86_INLINE void tfx_round(typename V::T& x0, typename V::T& x1, typename V::T& x2, typename V::T& x3,
                      const uint32_t ks[5]) noexcept {
  constexpr int ra = static_cast<int>(kTfRot[R & 7][0]), rb = static_cast<int>(kTfRot[R & 7][1]);
  if constexpr ((R & 1) == 0) {
    x0 = V::add(x0, x1); x1 = V::xor_(V::template rotl<ra>(x1), x0);
    x2 = V::add(x2, x3); x3 = V::xor_(V::template rotl<rb>(x3), x2);
  } else {
    x0 = V::add(x0, x3); x3 = V::xor_(V::template rotl<ra>(x3), x0);
    x2 = V::add(x2, x1); x1 = V::xor_(V::template rotl<rb>(x1), x2);
  }
  if constexpr ((R & 3) == 3) {
    constexpr uint32_t q = static_cast<uint32_t>((R + 1) >> 2);
    x0 = V::add(x0, V::set1(ks[q % 5]));
    x1 = V::add(x1, V::set1(ks[(q + 1) % 5]));
    x2 = V::add(x2, V::set1(ks[(q + 2) % 5]));
    x3 = V::add(x3, V::set1(ks[(q + 3) % 5] + q));
  }
}

template <class V, int... R>
STARLING_X86_INLINE void tfx_rounds_from2(std::integer_sequence<int, R...>, typename V::T& x0, typename V::T& x1,
                             typename V::T& x2, typename V::T& x3, const uint32_t ks[5]) noexcept {
  (tfx_round<V, 2 + R>(x0, x1, x2, x3, ks), ...);
}

/// Two vectors of lanes V side by side, for two independent chains whose
/// latencies hide each other (V supplies T, add, xor_, rotl<R> and set1).
template <class V>
struct VPair {
  struct T {
    typename V::T a, b;
  };
  static T add(T x, T y) noexcept { return {V::add(x.a, y.a), V::add(x.b, y.b)}; }
  static T xor_(T x, T y) noexcept { return {V::xor_(x.a, y.a), V::xor_(x.b, y.b)}; }
  template <int R>
  static T rotl(T x) noexcept { return {V::template rotl<R>(x.a), V::template rotl<R>(x.b)}; }
  static T set1(uint32_t v) noexcept {
    const typename V::T k = V::set1(v);
    return {k, k};
  }
};

/// Rounds 1 .. kThreefryRounds − 1, from x0 and x1 after round 0 and the
/// words 2 and 3 (s2, s3), which are the same in every lane.
template <class V>
STARLING_X86_INLINE void tfx_from_round1(uint32_t s2, uint32_t s3, const uint32_t ks[5],
                                         typename V::T& x0, typename V::T& x1,
                                         typename V::T& x2, typename V::T& x3) noexcept {
  x0 = V::add(x0, V::set1(s3));
  x3 = V::xor_(V::set1(tfx_rotl(s3, kTfRot[1][0])), x0);
  x2 = V::add(x1, V::set1(s2));
  x1 = V::xor_(V::template rotl<static_cast<int>(kTfRot[1][1])>(x1), x2);
  tfx_rounds_from2<V>(std::make_integer_sequence<int, kThreefryRounds - 2>{}, x0, x1, x2, x3, ks);
}

/// The key schedule's fifth word.
inline uint32_t tfx_ks4(const uint32_t key[4]) noexcept {
  return kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3];
}

/// Blocks with counters {c0 + off[lane], c1, c2, c3}: words 0..3 of each
/// block in x0..x3 (lane l of xj = word j of lane l's block). As
/// threefry4x32_ctr0, rounds 0 and 1 do on plain words what is the same in
/// every lane; the lane offsets, c0 and the first key words fold into one add.
template <class V>
STARLING_X86_INLINE void threefry_ctr0(uint32_t c0, typename V::T off, uint32_t c1, uint32_t c2, uint32_t c3,
                          const uint32_t key[4], typename V::T& x0, typename V::T& x1,
                          typename V::T& x2, typename V::T& x3) noexcept {
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3], tfx_ks4(key)};
  const uint32_t s1 = c1 + ks[1];
  uint32_t s2 = c2 + ks[2], s3 = c3 + ks[3];
  // Round 0.
  x0 = V::add(off, V::set1(c0 + ks[0] + s1));
  x1 = V::xor_(V::set1(tfx_rotl(s1, kTfRot[0][0])), x0);
  s2 += s3;
  s3 = tfx_rotl(s3, kTfRot[0][1]) ^ s2;
  tfx_from_round1<V>(s2, s3, ks, x0, x1, x2, x3);
}

/// The same with counter word 1 differing by lane too: {c0 + off[lane],
/// c1 + poff[lane], c2, c3}, so one vector holds the blocks of several
/// particles (a batch's particles are consecutive). An add and a rotate
/// more than threefry_ctr0.
template <class V>
STARLING_X86_INLINE void threefry_ctr01(uint32_t c0, typename V::T off, uint32_t c1, typename V::T poff,
                                        uint32_t c2, uint32_t c3, const uint32_t key[4],
                                        typename V::T& x0, typename V::T& x1, typename V::T& x2,
                                        typename V::T& x3) noexcept {
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3], tfx_ks4(key)};
  uint32_t s2 = c2 + ks[2], s3 = c3 + ks[3];
  // Round 0.
  const typename V::T y1 = V::add(poff, V::set1(c1 + ks[1]));
  x0 = V::add(V::add(off, V::set1(c0 + ks[0])), y1);
  x1 = V::xor_(V::template rotl<static_cast<int>(kTfRot[0][0])>(y1), x0);
  s2 += s3;
  s3 = tfx_rotl(s3, kTfRot[0][1]) ^ s2;
  tfx_from_round1<V>(s2, s3, ks, x0, x1, x2, x3);
}

}  // namespace
}  // namespace detail
}  // namespace starling
