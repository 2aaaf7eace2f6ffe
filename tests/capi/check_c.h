/* SPDX-License-Identifier: MIT */
/* tests/capi/check_c.h: the C tests' harness, in the format of tests/check.hpp
 * (one "ok"/"FAIL" line a case, then "N passed, M failed"); one copy for every
 * C99 test of the C API. Each test includes it once (its state is static). */
#ifndef STARLING_TESTS_CAPI_CHECK_C_H
#define STARLING_TESTS_CAPI_CHECK_C_H
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static long g_passed = 0, g_failed = 0;
static const char* g_case = "";

static int check_report(int ok, const char* expr, const char* file, int line) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    if (g_failed <= 50) printf("FAIL %s: %s:%d: %s\n", g_case, file, line, expr);
  }
  return ok;
}
#define CHECK(expr) check_report((expr) ? 1 : 0, #expr, __FILE__, __LINE__)
#define CHECK_EQ_INT(a, b)                                                               \
  do {                                                                                   \
    const long long check_a_ = (long long)(a), check_b_ = (long long)(b);                 \
    if (!check_report(check_a_ == check_b_, #a " == " #b, __FILE__, __LINE__) &&          \
        g_failed <= 50)                                                                  \
      printf("     left = %lld, right = %lld\n", check_a_, check_b_);                     \
  } while (0)

static void run_case(const char* name, void (*fn)(void)) {
  const long before = g_failed;
  g_case = name;
  fn();
  printf("%-4s %s\n", g_failed == before ? "ok" : "FAIL", name);
}
#define RUN(fn) run_case(#fn, fn)

static inline uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

/* The summary line and the exit status: non-zero on any failure or no check. */
static inline int check_summary(void) {
  printf("%ld passed, %ld failed\n", g_passed, g_failed);
  return g_failed == 0 && g_passed > 0 ? 0 : 1;
}
#endif
