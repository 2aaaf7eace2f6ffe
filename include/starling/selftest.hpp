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
  /// Three tuning runs (EMPSO ring reflect with bias correction, inertia
  /// with random re-draws and per-particle draws, constriction with clamp;
  /// 3 to 6 dimensions, 4 to 6 particles, 5 or 6 sweeps, a NaN cost every
  /// fifth evaluation): every asked position and told cost.
  kSelftestPso = 1u << 0,
  /// One int8 fully-connected layer (11 inputs, 5 outputs, batch 2,
  /// per-channel multipliers from float scales), in this build's requantize
  /// rounding: outputs, multipliers, shifts.
  kSelftestFc = 1u << 1,
  /// A 256-entry tanh table (make_tanh_lut) and 16 values of portable_exp.
  kSelftestLut = 1u << 2,
};

/// Runs every check. Returns Ok when all results equal the reference
/// constants, Corrupt when any differs (this build's arithmetic is not the
/// reference's: fused multiply-adds, fast-math, a faulty port); *failed (may
/// be null) receives the SelftestCheck bits of the checks that differ (0 on
/// Ok). Deterministic, no heap; stack: about 1 KB (the largest check, the
/// tuning runs, uses a Pso<6, 6>); time: about 100 evaluations of a
/// 6-dimensional swarm, one 11×5 layer, 256 + 16 portable_exp calls.
[[nodiscard]] Status selftest(uint32_t* failed = nullptr) noexcept;

/// The tuning runs only (kSelftestPso): for firmware that links the
/// optimizer but not the int8 code (the linker then drops the rest).
[[nodiscard]] Status selftest_pso(uint32_t* failed = nullptr) noexcept;

/// The int8 checks only (kSelftestFc | kSelftestLut): for firmware that runs
/// networks but no optimizer.
[[nodiscard]] Status selftest_int8(uint32_t* failed = nullptr) noexcept;

}  // namespace starling
