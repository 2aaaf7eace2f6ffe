// SPDX-License-Identifier: MIT
// starling/detail/fp_strict.hpp: the determinism guard, so that the library's
// float results do not depend on the floating-point flags of the build that
// compiles it (docs/determinism.md).
//
// Every library translation unit (src/*.cpp, ports/*/*.cpp) includes this
// header first and then writes STARLING_FP_STRICT_TU; public headers with
// float arithmetic in inline code wrap it in STARLING_FP_STRICT_BEGIN/END and
// start each such function body with STARLING_FP_STRICT_BLOCK.
//
// What the compilers allow (checked on the generated code of gcc 12 and
// clang 14 for x86-64, aarch64 and Cortex-M4F; docs/determinism.md):
//  - Contraction of a*b + c into a fused multiply-add. GCC's default for C++
//    is -ffp-contract=fast, even with -std=c++17. GCC honours
//    `#pragma GCC optimize("fp-contract=off")` (and the optimize attribute)
//    over any -ffp-contract and over -ffast-math's, and never inlines such a
//    function into one built with other options. GCC ignores
//    `#pragma STDC FP_CONTRACT`. Clang honours `#pragma clang fp
//    contract(off)` over its default (-ffp-contract=on) but ignores it under
//    -ffp-contract=fast and -ffast-math, and no macro reveals
//    -ffp-contract=fast: that case is caught only at run time, by
//    starling::selftest().
//  - -ffast-math and its parts (reassociation, reciprocals, no NaN, no signed
//    zeros) change results in ways no pragma undoes reliably (GCC keeps
//    folding std::isnan to false), so they stop the build below unless
//    STARLING_ALLOW_FAST_MATH is defined (then run starling::selftest() at
//    boot and expect it to fail).
//  - Excess precision (x87, FLT_EVAL_METHOD > 0) rounds differently: refused.
#pragma once

#if !defined(STARLING_ALLOW_FAST_MATH)
#if defined(__FAST_MATH__)
#error "starling: compiled with -ffast-math (or -Ofast), which changes float results (NaN costs, operation order). Build starling's sources without it, or define STARLING_ALLOW_FAST_MATH and check starling::selftest() at boot. See docs/determinism.md."
#endif
#if defined(__FINITE_MATH_ONLY__) && __FINITE_MATH_ONLY__
#error "starling: compiled with -ffinite-math-only: NaN and inf costs would no longer count as the worst. Build starling's sources without it (or define STARLING_ALLOW_FAST_MATH; docs/determinism.md)."
#endif
#if defined(__ASSOCIATIVE_MATH__) || defined(__RECIPROCAL_MATH__) || defined(__NO_SIGNED_ZEROS__)
#error "starling: compiled with -fassociative-math, -freciprocal-math or -fno-signed-zeros, which change float results. Build starling's sources without them (or define STARLING_ALLOW_FAST_MATH; docs/determinism.md)."
#endif
#endif
#if defined(__FLT_EVAL_METHOD__) && __FLT_EVAL_METHOD__ > 0
#error "starling: float expressions are evaluated in extended precision (FLT_EVAL_METHOD > 0, e.g. x87): results would differ from every other target. Use SSE arithmetic (-msse2 -mfpmath=sse). See docs/determinism.md."
#endif

// STARLING_TEST_ONLY_NO_FP_GUARD turns the pragmas off: CI's negative control
// (a build that must make starling::selftest() fail). Never define it otherwise.
#if defined(STARLING_TEST_ONLY_NO_FP_GUARD)
#define STARLING_FP_STRICT_TU
#define STARLING_FP_STRICT_BEGIN
#define STARLING_FP_STRICT_END
#define STARLING_FP_STRICT_BLOCK
#elif defined(__clang__)
// File scope: to the end of the translation unit. Clang has no portable
// push/pop for it (float_control is x86-only in clang 14), so headers use
// the block form at the start of each function body instead.
#define STARLING_FP_STRICT_TU _Pragma("clang fp contract(off)")
#define STARLING_FP_STRICT_BEGIN
#define STARLING_FP_STRICT_END
#define STARLING_FP_STRICT_BLOCK _Pragma("clang fp contract(off)")
#elif defined(__GNUC__)
#define STARLING_FP_STRICT_TU _Pragma("GCC optimize(\"fp-contract=off\")")
#define STARLING_FP_STRICT_BEGIN \
  _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")")
#define STARLING_FP_STRICT_END _Pragma("GCC pop_options")
#define STARLING_FP_STRICT_BLOCK
#else
// Other compilers: build the library with their equivalent of
// -ffp-contract=off and check starling::selftest().
#define STARLING_FP_STRICT_TU
#define STARLING_FP_STRICT_BEGIN
#define STARLING_FP_STRICT_END
#define STARLING_FP_STRICT_BLOCK
#endif
