// SPDX-License-Identifier: MIT
// peak_x86_avx2: vpmaddubsw+vpmaddwd throughput loop and a streaming read for bench_qnet (built with -mavx2).
#include <immintrin.h>

#include "peak_x86.hpp"

namespace bench {
int32_t peak_maddubs_ymm(const int8_t* l1_buf, long iters) {
  const __m256i ones = _mm256_set1_epi16(1);
  // 4 accumulators, named (GCC keeps an array of them partly in memory):
  // their chains are one vpaddd long, so 4 are plenty, and more would spill
  // (16 ymm registers).
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (long i = 0; i < iters; ++i) {
    const int8_t* p = l1_buf + (i & 15) * 32;
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 512));
    // The empty asm makes a look new each time: without it the 8 products
    // are one common subexpression, computed once.
#define BENCH_MAC(acc)          \
  __asm__("" : "+x"(a));        \
  acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones))
    BENCH_MAC(a0); BENCH_MAC(a1); BENCH_MAC(a2); BENCH_MAC(a3);
    BENCH_MAC(a0); BENCH_MAC(a1); BENCH_MAC(a2); BENCH_MAC(a3);
#undef BENCH_MAC
  }
  const __m256i s = _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3));
  return _mm256_extract_epi32(s, 0) ^ _mm256_extract_epi32(s, 5);
}

uint32_t stream_read_avx2(const void* p, size_t bytes) {
  const __m256i* v = static_cast<const __m256i*>(p);
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 4 <= bytes / 32; i += 4) {
    a0 = _mm256_xor_si256(a0, _mm256_loadu_si256(v + i));
    a1 = _mm256_xor_si256(a1, _mm256_loadu_si256(v + i + 1));
    a2 = _mm256_xor_si256(a2, _mm256_loadu_si256(v + i + 2));
    a3 = _mm256_xor_si256(a3, _mm256_loadu_si256(v + i + 3));
  }
  const __m256i s = _mm256_xor_si256(_mm256_xor_si256(a0, a1), _mm256_xor_si256(a2, a3));
  return static_cast<uint32_t>(_mm256_extract_epi32(s, 0) ^ _mm256_extract_epi32(s, 7));
}
}  // namespace bench
