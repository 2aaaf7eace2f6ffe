// SPDX-License-Identifier: MIT
// starling/detail/state_io.hpp: little-endian byte writer and reader of the
// saved-state formats (every optimizer's save/load uses them), host-independent.
#pragma once
#include <cstdint>
#include <cstring>

namespace starling {
namespace detail {

/// Writes fixed-width little-endian fields; the caller sized the buffer.
class StateWriter {
 public:
  explicit StateWriter(uint8_t* p) noexcept : p_(p) {}
  void u8(uint32_t v) noexcept { *p_++ = static_cast<uint8_t>(v); }
  void u16(uint32_t v) noexcept {
    u8(v & 0xFFu);
    u8((v >> 8) & 0xFFu);
  }
  void u32(uint32_t v) noexcept {
    for (int k = 0; k < 4; ++k) u8((v >> (8 * k)) & 0xFFu);
  }
  void u64(uint64_t v) noexcept {
    u32(static_cast<uint32_t>(v));
    u32(static_cast<uint32_t>(v >> 32));
  }
  void i32(int v) noexcept { u32(static_cast<uint32_t>(v)); }
  void i64(long v) noexcept { u64(static_cast<uint64_t>(static_cast<int64_t>(v))); }
  void f32(float f) noexcept {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u32(u);
  }
  void real(float f) noexcept { f32(f); }
  void real(double f) noexcept {
    uint64_t u;
    std::memcpy(&u, &f, 8);
    u64(u);
  }
  template <class Real>
  void reals(const Real* v, int n) noexcept {
    for (int k = 0; k < n; ++k) real(v[k]);
  }
  uint8_t* pos() const noexcept { return p_; }

 private:
  uint8_t* p_;
};

/// Reads what StateWriter wrote; the caller checked the length first.
class StateReader {
 public:
  explicit StateReader(const uint8_t* p) noexcept : p_(p) {}
  uint32_t u8() noexcept { return *p_++; }
  uint32_t u16() noexcept {
    const uint32_t lo = u8();
    return lo | (u8() << 8);
  }
  uint32_t u32() noexcept {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= u8() << (8 * k);
    return v;
  }
  uint64_t u64() noexcept {
    const uint64_t lo = u32();
    return lo | (static_cast<uint64_t>(u32()) << 32);
  }
  int64_t i64() noexcept { return static_cast<int64_t>(u64()); }
  int32_t i32() noexcept { return static_cast<int32_t>(u32()); }
  float f32() noexcept {
    const uint32_t u = u32();
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  void real(float* f) noexcept { *f = f32(); }
  void real(double* f) noexcept {
    const uint64_t u = u64();
    std::memcpy(f, &u, 8);
  }
  template <class Real>
  Real real() noexcept {
    Real r;
    real(&r);
    return r;
  }
  template <class Real>
  void reals(Real* v, int n) noexcept {
    for (int k = 0; k < n; ++k) real(&v[k]);
  }
  /// Skips n bytes (a section validated or copied elsewhere).
  void skip(size_t n) noexcept { p_ += n; }
  const uint8_t* pos() const noexcept { return p_; }

 private:
  const uint8_t* p_;
};

}  // namespace detail
}  // namespace starling
