// starling/rng.hpp: the portable counter-based random numbers (Threefry-4x32).
//
// Why counter-based: every number is a pure function of (key, counter), so the
// swarm's r1, r2 for (seed, iteration, particle, dimension) can be computed in
// any order and any SIMD width and still give the scalar trajectory, and the
// generator state to save is just the seed and a counter. Threefry needs only
// 32-bit add, rotate and xor: no multiplier, so it is cheap on Cortex-M0 too.
#pragma once
#include <cstdint>

namespace starling {

/// Rounds of Threefry-4x32 used everywhere in starling. 20 is Random123's
/// default (the variant it recommends with a safety margin; 12 rounds is the
/// least that passes TestU01 BigCrush per Salmon et al., SC'11, Table 2).
constexpr int kThreefryRounds = 20;

namespace detail {
constexpr uint32_t rotl32(uint32_t x, unsigned r) noexcept {
  return (x << r) | (x >> ((32u - r) & 31u));
}
}  // namespace detail

/// Threefry-4x32 with `Rounds` rounds (Random123 / Skein definition):
/// out = E_key(ctr). Pure function, 4 words in, 4 words out, no state.
/// Cost: about 6·Rounds 32-bit ALU operations; no tables, no multiplies.
template <int Rounds = kThreefryRounds>
inline void threefry4x32(const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4]) noexcept {
  static_assert(Rounds > 0 && Rounds <= 72, "Threefry-4x32 is defined for 1..72 rounds");
  constexpr unsigned rot[8][2] = {{10, 26}, {11, 21}, {13, 27}, {23, 5},
                                  {6, 20},  {17, 11}, {25, 10}, {18, 20}};
  uint32_t ks[5];
  ks[4] = 0x1BD11BDAu;  // Skein key-schedule parity constant
  for (int j = 0; j < 4; ++j) {
    ks[j] = key[j];
    ks[4] ^= key[j];
  }
  uint32_t x0 = ctr[0] + ks[0], x1 = ctr[1] + ks[1], x2 = ctr[2] + ks[2], x3 = ctr[3] + ks[3];
  for (int r = 0; r < Rounds; ++r) {
    const unsigned* R = rot[r & 7];
    if ((r & 1) == 0) {
      x0 += x1; x1 = detail::rotl32(x1, R[0]); x1 ^= x0;
      x2 += x3; x3 = detail::rotl32(x3, R[1]); x3 ^= x2;
    } else {
      x0 += x3; x3 = detail::rotl32(x3, R[0]); x3 ^= x0;
      x2 += x1; x1 = detail::rotl32(x1, R[1]); x1 ^= x2;
    }
    if ((r & 3) == 3) {  // key injection after every fourth round
      const uint32_t s = static_cast<uint32_t>((r + 1) >> 2);
      x0 += ks[s % 5];
      x1 += ks[(s + 1) % 5];
      x2 += ks[(s + 2) % 5];
      x3 += ks[(s + 3) % 5] + s;
    }
  }
  out[0] = x0; out[1] = x1; out[2] = x2; out[3] = x3;
}

/// Uniform in [0, 1) from the top 24 bits of a word: k·2^-24, k in [0, 2^24).
/// Exact in float and double, so every target gets the same value.
template <class Real = float>
constexpr Real u32_to_unit(uint32_t w) noexcept {
  return static_cast<Real>(w >> 8) * static_cast<Real>(5.9604644775390625e-08);  // 2^-24
}

/// A counter-based stream for user code (data generation, tests):
/// word n of the stream is word (n mod 4) of threefry4x32(ctr = {n/4 low,
/// n/4 high, 0, 0}, key = {seed low, seed high, 0, 0}).
/// Memory: sizeof(Rng) = 40 bytes; the state proper is (seed, position).
class Rng {
 public:
  constexpr Rng() noexcept = default;
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
