// SPDX-License-Identifier: MIT
// tests/check.hpp: a tiny test harness that runs natively, under qemu-user and
// on bare-metal Cortex-M with semihosting (printf only: no OS, no heap).
//
//   #include "check.hpp"
//   TEST_CASE(name) { CHECK(a == b); CHECK_EQ(x, y); }
//   int main() { return check::run_all(); }
//
// The summary line is "N passed, M failed" (checks, not cases); the exit
// status is non-zero when anything failed.
#pragma once
#include <cstdio>
#include <cstring>

namespace check {

using TestFn = void (*)();
struct Case { const char* name; TestFn fn; };

inline Case* registry() { static Case cases[256]; return cases; }
inline int& registry_size() { static int n = 0; return n; }
inline long& passed() { static long n = 0; return n; }
inline long& failed() { static long n = 0; return n; }
inline const char*& current() { static const char* n = ""; return n; }

struct Register {
  Register(const char* name, TestFn fn) {
    if (registry_size() < 256) registry()[registry_size()++] = Case{name, fn};
  }
};

inline bool report(bool ok, const char* expr, const char* file, int line) {
  if (ok) {
    ++passed();
  } else {
    ++failed();
    if (failed() <= 50) std::printf("FAIL %s: %s:%d: %s\n", current(), file, line, expr);
  }
  return ok;
}

template <class T>
inline void print_value(const char* side, T v) {
  if (static_cast<T>(0.5) != 0)  // floating point
    std::printf("     %s = %.9g\n", side, static_cast<double>(v));
  else if (static_cast<T>(-1) < 0)
    std::printf("     %s = %lld\n", side, static_cast<long long>(v));
  else
    std::printf("     %s = %llu (0x%llx)\n", side, static_cast<unsigned long long>(v),
                static_cast<unsigned long long>(v));
}

template <class A, class B>
inline bool equal(const A& a, const B& b, const char* expr, const char* file, int line) {
  const bool ok = a == b;
  if (!report(ok, expr, file, line) && failed() <= 50) {
    print_value("left ", a);
    print_value("right", b);
  }
  return ok;
}

inline int run_all(const char* only = nullptr) {
  for (int i = 0; i < registry_size(); ++i) {
    if (only && std::strcmp(only, registry()[i].name) != 0) continue;
    current() = registry()[i].name;
    const long before = failed();
    registry()[i].fn();
    std::printf("%-4s %s\n", failed() == before ? "ok" : "FAIL", registry()[i].name);
  }
  std::printf("%ld passed, %ld failed\n", passed(), failed());
  return failed() == 0 && passed() > 0 ? 0 : 1;
}

}  // namespace check

#define CHECK_CAT2(a, b) a##b
#define CHECK_CAT(a, b) CHECK_CAT2(a, b)
#define TEST_CASE(name)                                                   \
  static void CHECK_CAT(test_, name)();                                   \
  static check::Register CHECK_CAT(reg_, name)(#name, &CHECK_CAT(test_, name)); \
  static void CHECK_CAT(test_, name)()
#define CHECK(expr) check::report(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
/// CHECK_EQ(a, b) is an expression (true when equal) that prints both
/// values on failure.
#define CHECK_EQ(a, b) check::equal((a), (b), #a " == " #b, __FILE__, __LINE__)
