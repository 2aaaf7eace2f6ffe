// SPDX-License-Identifier: MIT
// peak_x86.hpp: the machine's int8 peak and memory figures for bench_qnet
// (x86 only; each function lives in a file compiled with its own ISA flags,
// and is called only when the CPU has that ISA).
#pragma once
#include <cstddef>
#include <cstdint>

namespace bench {
/// `iters` steps of 12 independent vpdpbusd zmm (64 MACs each), operands
/// from a 1 KiB buffer (L1). Returns a value that depends on all of them.
int32_t peak_vnni_zmm(const int8_t* l1_buf, long iters);
/// `iters` steps of 8 vpmaddubsw + vpmaddwd + vpaddd on ymm (32 MACs each)
/// into 4 accumulators, operands from a 1 KiB buffer (L1).
int32_t peak_maddubs_ymm(const int8_t* l1_buf, long iters);
/// Reads `bytes` (a multiple of 128) with 32-byte loads, 4 accumulators.
uint32_t stream_read_avx2(const void* p, size_t bytes);
/// Reads `bytes` (a multiple of 256) with 64-byte loads, 4 accumulators: one
/// load per cache line, as the VNNI kernel's weight loads are.
uint32_t stream_read_avx512(const void* p, size_t bytes);
}  // namespace bench
