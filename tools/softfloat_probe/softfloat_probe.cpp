// SPDX-License-Identifier: MIT
// tools/softfloat_probe/softfloat_probe.cpp: prints a − b and a + b for
// 20,000 pseudo-random double and float pairs whose exponents differ by 1 to
// 64 (double) or 1 to 32 (float), half of them with a at a power of two so
// that a − b falls into the binade below; run.sh compares a Cortex-M build
// under QEMU with the host's IEEE hardware (docs/determinism.md, section 6).
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {
uint64_t g_state = 88172645463325252ull;
uint64_t next() {  // xorshift64: the same pairs on every target
  g_state ^= g_state << 13;
  g_state ^= g_state >> 7;
  g_state ^= g_state << 17;
  return g_state;
}
double make_double(int exponent, uint64_t mantissa) {
  const uint64_t u = (mantissa & 0xFFFFFFFFFFFFFull) | static_cast<uint64_t>(1023 + exponent) << 52;
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}
float make_float(int exponent, uint32_t mantissa) {
  const uint32_t u = (mantissa & 0x7FFFFFu) | static_cast<uint32_t>(127 + exponent) << 23;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
// newlib-nano's printf has no %llx: two 32-bit halves.
void print_double(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  std::printf(" %08lx%08lx", static_cast<unsigned long>(u >> 32), static_cast<unsigned long>(u & 0xFFFFFFFFu));
}
void print_float(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  std::printf(" %08lx", static_cast<unsigned long>(u));
}
}  // namespace

int main() {
  for (int i = 0; i < 20000; ++i) {
    const int dd = 1 + static_cast<int>(next() % 64), fd = 1 + static_cast<int>(next() % 32);
    const bool at_power_of_two = (i & 1) != 0;
    // volatile: the operations run on the target, not in the compiler.
    volatile double a = make_double(0, at_power_of_two ? 0 : next() & 0xFF), b = make_double(-dd, next());
    volatile float af = make_float(0, at_power_of_two ? 0u : static_cast<uint32_t>(next() & 0xF)),
                   bf = make_float(-fd, static_cast<uint32_t>(next()));
    std::printf("%d %d %d", i, dd, fd);
    print_double(a - b);
    print_double(a + b);
    print_float(af - bf);
    print_float(af + bf);
    std::printf("\n");
  }
  return 0;
}
