// SPDX-License-Identifier: MIT
// starling/selftest.hpp: a boot-time check that this build of the library
// computes exactly what the reference computes (docs/determinism.md).
//
//   if (starling::selftest() != starling::Status::Ok) ...log, refuse to tune...
//
// Why: bit-for-bit results need the library's float code compiled without
// fused multiply-adds and without fast-math. The library enforces that itself
// where the compiler lets it (detail/fp_strict.hpp), but not everywhere (clang
// with -ffp-contract=fast, a compiler starling does not know, a miscompiled
// port). The selftest runs small fixed problems through the code a firmware
// actually runs (the active port) and compares hashes of every result with
// constants computed independently in Python (tools/gen_selftest.py).
#pragma once
#include <cstdint>

#include "starling/status.hpp"

namespace starling {

/// Bits of the `failed` mask of the selftest functions.
enum SelftestCheck : uint32_t {
  /// Three tuning runs (EMPSO with reflect and bias correction, inertia
  /// with random re-draws and per-particle draws, constriction with clamp;
  /// global topology, so no optional move code is linked for it;
  /// 3 to 5 dimensions, 4 or 5 particles, 5 or 6 sweeps, a NaN cost every
  /// fifth evaluation): every asked position and told cost, through the
  /// active port's swarm kernel.
  kSelftestPso = 1u << 0,
  /// One int8 fully-connected layer (11 inputs, 5 outputs, batch 2,
  /// per-channel requantization) through the active port's kernel, in this
  /// build's requantize rounding. Integer arithmetic only.
  kSelftestFc = 1u << 1,
  /// The builders that run in double: a 256-entry tanh table
  /// (make_tanh_lut), 16 values of portable_exp, and quantize_scales for
  /// five channels.
  kSelftestLut = 1u << 2,
};

/// Runs every check. Returns Ok when all results equal the reference
/// constants, Corrupt when any differs (this build's arithmetic is not the
/// reference's: fused multiply-adds, fast-math, a faulty port); *failed (may
/// be null) receives the SelftestCheck bits of the checks that differ (0 on
/// Ok). Deterministic, no heap. Cost on Cortex-M4F (-Os, measured by
/// tools/footprint/footprint.py): see docs/determinism.md; the double
/// builders bring the soft-float double library along, which firmware that
/// builds no tables on the device can leave out by calling the parts below.
/// Time: 74 evaluations of a 3- to 5-dimensional swarm, one 11×5 layer, 272
/// portable_exp calls.
[[nodiscard]] Status selftest(uint32_t* failed = nullptr) noexcept;

/// The tuning runs only (kSelftestPso): for firmware that links the
/// optimizer (the linker then drops the other checks). Stack: a Pso<5, 5>
/// (about 700 bytes) plus the optimizer's own depth.
[[nodiscard]] Status selftest_pso(uint32_t* failed = nullptr) noexcept;

/// The int8 layer only (kSelftestFc): for firmware that runs networks.
[[nodiscard]] Status selftest_int8(uint32_t* failed = nullptr) noexcept;

/// The double-precision builders only (kSelftestLut): for firmware that
/// builds tables or requantization parameters on the device.
[[nodiscard]] Status selftest_lut(uint32_t* failed = nullptr) noexcept;

}  // namespace starling
