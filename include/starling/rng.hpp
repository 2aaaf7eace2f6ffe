// SPDX-License-Identifier: MIT
// starling/rng.hpp: the portable counter-based random numbers (Threefry-4x32).
//
// Why counter-based: every number is a pure function of (key, counter), so the
// swarm's r1, r2 for (seed, iteration, particle, dimension) can be computed in
// any order and any SIMD width and still give the scalar trajectory, and the
// generator state to save is just the seed and a counter. Threefry needs only
// 32-bit add, rotate and xor: no multiplier, so it is cheap on Cortex-M0 too.
#pragma once
#include <cstdint>
#include <utility>

namespace starling {

/// Rounds of Threefry-4x32 used everywhere in starling: 13, Random123's own
/// reduced-round variant (it ships known-answer vectors for it). Salmon et
/// al., "Parallel random numbers: as easy as 1, 2, 3" (SC'11), Table 2, find
/// 12 rounds the least that passes TestU01's BigCrush with no failure, and
/// recommend 20 as a margin for cryptographic-style uses. A swarm needs
/// statistical quality, not a security margin, and the generator is most of
/// the optimizer's overhead (budget: under 100 ns per evaluation at D = 30;
/// one block per four dimensions, see detail::move_r1): 13 rounds cost 35 %
/// less than 20, and keep one round above the least that passes.
constexpr int kThreefryRounds = 13;

namespace detail {
// Rotation constants of Threefry-4x32 (Skein / Random123), by round mod 8.
constexpr unsigned kTfRot[8][2] = {{10, 26}, {11, 21}, {13, 27}, {23, 5},
                                   {6, 20},  {17, 11}, {25, 10}, {18, 20}};
constexpr uint32_t kTfParity = 0x1BD11BDAu;  // Skein key-schedule parity constant

// W is uint32_t or a compiler vector of uint32_t (GCC/Clang vector_size):
// the same code then computes one block or one block per lane. r is 1..31.
template <class W>
constexpr W rotl32(W x, unsigned r) noexcept {
  return (x << r) | (x >> (32u - r));
}

// One round with everything but the data known at compile time (immediate
// rotates, no branches), so the rounds unroll into straight-line code.
template <int R, class W>
inline void tf_round(W& x0, W& x1, W& x2, W& x3, const uint32_t ks[5]) noexcept {
  constexpr unsigned ra = kTfRot[R & 7][0], rb = kTfRot[R & 7][1];
  if constexpr ((R & 1) == 0) {
    x0 += x1; x1 = rotl32(x1, ra) ^ x0;
    x2 += x3; x3 = rotl32(x3, rb) ^ x2;
  } else {
    x0 += x3; x3 = rotl32(x3, ra) ^ x0;
    x2 += x1; x1 = rotl32(x1, rb) ^ x2;
  }
  if constexpr ((R & 3) == 3) {  // key injection after every fourth round
    constexpr uint32_t q = static_cast<uint32_t>((R + 1) >> 2);
    x0 += ks[q % 5];
    x1 += ks[(q + 1) % 5];
    x2 += ks[(q + 2) % 5];
    x3 += ks[(q + 3) % 5] + q;
  }
}

template <class W, int... R>
inline void tf_rounds(std::integer_sequence<int, R...>, W& x0, W& x1, W& x2, W& x3,
                      const uint32_t ks[5]) noexcept {
  (tf_round<R>(x0, x1, x2, x3, ks), ...);
}
}  // namespace detail

/// Threefry-4x32 in place on words (or on vectors of words, one block per
/// lane): on entry x0..x3 hold the counter, on return the output.
template <int Rounds = kThreefryRounds, class W>
inline void threefry4x32_inplace(W& x0, W& x1, W& x2, W& x3, const uint32_t key[4]) noexcept {
  static_assert(Rounds > 0 && Rounds <= 72, "Threefry-4x32 is defined for 1..72 rounds");
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3],
                          detail::kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3]};
  x0 += ks[0];
  x1 += ks[1];
  x2 += ks[2];
  x3 += ks[3];
  detail::tf_rounds(std::make_integer_sequence<int, Rounds>{}, x0, x1, x2, x3, ks);
}

namespace detail {
template <int Start, class W, int... R>
inline void tf_rounds_from(std::integer_sequence<int, R...>, W& x0, W& x1, W& x2, W& x3,
                           const uint32_t ks[5]) noexcept {
  (tf_round<Start + R>(x0, x1, x2, x3, ks), ...);
}
}  // namespace detail

/// threefry4x32_inplace for blocks whose counters differ in word 0 only
/// (one block per lane of W; words 1..3 are c1..c3 in every lane): on entry
/// x0 holds the lanes' word 0, on return x0..x3 the output. Same numbers as
/// threefry4x32_inplace; the first two rounds run partly on plain words,
/// since everything that does not depend on word 0 is the same in each lane
/// (about 14 of the ~150 lane operations of 13 rounds). W is uint32_t or a
/// GCC/Clang vector of uint32_t.
template <int Rounds = kThreefryRounds, class W>
inline void threefry4x32_ctr0(W& x0, W& x1, W& x2, W& x3, uint32_t c1, uint32_t c2, uint32_t c3,
                              const uint32_t key[4]) noexcept {
  static_assert(Rounds >= 4 && Rounds <= 72, "the first key injection must follow round 3");
  constexpr unsigned r00 = detail::kTfRot[0][0], r01 = detail::kTfRot[0][1];
  constexpr unsigned r10 = detail::kTfRot[1][0], r11 = detail::kTfRot[1][1];
  const uint32_t ks[5] = {key[0], key[1], key[2], key[3],
                          detail::kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3]};
  uint32_t s1 = c1 + ks[1], s2 = c2 + ks[2], s3 = c3 + ks[3];
  x0 += ks[0];
  // Round 0: x0 += x1; x1 = rotl(x1) ^ x0; x2 += x3; x3 = rotl(x3) ^ x2.
  x0 += s1;
  x1 = detail::rotl32(s1, r00) ^ x0;
  s2 += s3;
  s3 = detail::rotl32(s3, r01) ^ s2;
  // Round 1: x0 += x3; x3 = rotl(x3) ^ x0; x2 += x1; x1 = rotl(x1) ^ x2.
  x0 += s3;
  x3 = detail::rotl32(s3, r10) ^ x0;
  x2 = x1 + s2;
  x1 = detail::rotl32(x1, r11) ^ x2;
  detail::tf_rounds_from<2>(std::make_integer_sequence<int, Rounds - 2>{}, x0, x1, x2, x3, ks);
}

/// Threefry-4x32 with `Rounds` rounds (Random123 / Skein definition):
/// out = E_key(ctr). Pure function, 4 words in, 4 words out, no state.
/// Cost: about 6·Rounds 32-bit ALU operations; no tables, no multiplies.
template <int Rounds = kThreefryRounds>
inline void threefry4x32(const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4]) noexcept {
  uint32_t x0 = ctr[0], x1 = ctr[1], x2 = ctr[2], x3 = ctr[3];
  threefry4x32_inplace<Rounds>(x0, x1, x2, x3, key);
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3;
}

/// The same function as threefry4x32<kThreefryRounds> (the same numbers for
/// every input) written as a loop over the rounds: 188 B of Thumb-2 with its table
/// instead of 256 B of unrolled rounds, at some speed. swarm_block (every
/// optimizer's draws) uses it in builds optimized for size (GCC/Clang
/// -Os/-Oz define __OPTIMIZE_SIZE__); tests/core compares the two.
inline void threefry4x32_rolled(const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4]) noexcept {
  // The key schedule laid out twice over so that injection q reads ks[q + i]
  // (q <= 3 for 13 rounds) without a modulo.
  const uint32_t k4 = detail::kTfParity ^ key[0] ^ key[1] ^ key[2] ^ key[3];
  const uint32_t ks[8] = {key[0], key[1], key[2], key[3], k4, key[0], key[1], key[2]};
  // The rotations as right-rotation amounts 32 − r, by round mod 8.
  static constexpr uint8_t kRor[8][2] = {{22, 6}, {21, 11}, {19, 5}, {9, 27},
                                         {26, 12}, {15, 21}, {7, 22}, {14, 12}};
  static_assert(kThreefryRounds <= 16, "the key schedule above covers 4 injections");
  uint32_t x0 = ctr[0] + ks[0], x1 = ctr[1] + ks[1], x2 = ctr[2] + ks[2], x3 = ctr[3] + ks[3];
  for (unsigned r = 0; r < static_cast<unsigned>(kThreefryRounds); ++r) {
    // Even rounds mix (x0, x1) and (x2, x3), odd rounds (x0, x3) and (x2, x1):
    // an even round followed by swapping x1 and x3 is the odd round's
    // pairing for the next one, so the loop mixes (x0, x1), (x2, x3), swaps.
    const unsigned ra = kRor[r & 7][0], rb = kRor[r & 7][1];
    x0 += x1;
    x1 = ((x1 >> ra) | (x1 << (32u - ra))) ^ x0;
    x2 += x3;
    x3 = ((x3 >> rb) | (x3 << (32u - rb))) ^ x2;
    const uint32_t t = x1;
    x1 = x3;
    x3 = t;
    if ((r & 3) == 3) {  // key injection after every fourth round
      const unsigned q = (r + 1) >> 2;
      const uint32_t* k = ks + q;
      x0 += k[0];
      x1 += k[1];
      x2 += k[2];
      x3 += k[3] + q;
    }
  }
  // Every round swapped: after an odd count, x1 and x3 hold each other's word.
  const bool odd = (kThreefryRounds & 1) != 0;
  out[0] = x0; out[1] = odd ? x3 : x1; out[2] = x2; out[3] = odd ? x1 : x3;
}

/// Uniform in [0, 1) from the top 24 bits of a word: k·2^-24, k in [0, 2^24).
/// Exact in float and double, so every target gets the same value.
template <class Real = float>
constexpr Real u32_to_unit(uint32_t w) noexcept {
  return static_cast<Real>(w >> 8) * static_cast<Real>(5.9604644775390625e-08);  // 2^-24
}

/// Uniform in [0, 1) from a 16-bit half word h: h·2^-16, h in [0, 2^16).
/// Exact in float and double. The swarm's r1, r2 use this resolution (see
/// detail::move_r1): one Threefry block then serves four dimensions.
template <class Real = float>
constexpr Real u16_to_unit(uint32_t h) noexcept {
  return static_cast<Real>(h) * static_cast<Real>(1.52587890625e-05);  // 2^-16
}

/// A counter-based stream for user code (data generation, tests):
/// word n of the stream is word (n mod 4) of threefry4x32(ctr = {n/4 low,
/// n/4 high, 0, 0}, key = {seed low, seed high, 0, 0}).
/// Memory: sizeof(Rng) = 40 bytes; the state proper is (seed, position).
class Rng {
 public:
  constexpr Rng() noexcept = default;
  /// The stream for seed `s`, at position 0 (as seed(s)).
  explicit Rng(uint64_t s) noexcept { seed(s); }

  /// Restart the stream for `s` at position 0.
  void seed(uint64_t s) noexcept {
    key_[0] = static_cast<uint32_t>(s);
    key_[1] = static_cast<uint32_t>(s >> 32);
    key_[2] = 0;
    key_[3] = 0;
    pos_ = 0;
  }
  /// Next 32 random bits. O(1); one Threefry block per four calls.
  uint32_t next_u32() noexcept {
    const uint32_t lane = static_cast<uint32_t>(pos_ & 3u);
    if (lane == 0) refill();
    ++pos_;
    return buf_[lane];
  }
  /// Uniform float in [0, 1) with 24 random bits.
  float uniform() noexcept { return u32_to_unit<float>(next_u32()); }
  /// Uniform float in [lo, hi) (hi itself can come out by rounding when
  /// lo and hi differ greatly in magnitude).
  float uniform(float lo, float hi) noexcept { return lo + (hi - lo) * uniform(); }

  /// Words drawn so far; with the seed, the whole state (for save/resume).
  uint64_t position() const noexcept { return pos_; }
  /// Jump to word `p` of the current stream. O(1).
  void set_position(uint64_t p) noexcept {
    pos_ = p;
    if ((p & 3u) != 0) {
      pos_ = p & ~uint64_t{3};
      refill();
      pos_ = p;
    }
  }

 private:
  void refill() noexcept {
    const uint64_t block = pos_ >> 2;
    const uint32_t ctr[4] = {static_cast<uint32_t>(block), static_cast<uint32_t>(block >> 32), 0, 0};
    threefry4x32<kThreefryRounds>(ctr, key_, buf_);
  }
  uint32_t key_[4] = {0, 0, 0, 0};
  uint32_t buf_[4] = {0, 0, 0, 0};
  uint64_t pos_ = 0;
};

}  // namespace starling
