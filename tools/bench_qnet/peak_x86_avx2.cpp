// peak_x86_avx2: vpmaddubsw+vpmaddwd throughput loop and a streaming read for bench_qnet (built with -mavx2).
#include <immintrin.h>

#include "peak_x86.hpp"

namespace bench {
int32_t peak_maddubs_ymm(const int8_t* l1_buf, long iters) {
  constexpr int kAcc = 8;
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[kAcc];
  for (int j = 0; j < kAcc; ++j) acc[j] = _mm256_setzero_si256();
  for (long i = 0; i < iters; ++i) {
    const int8_t* p = l1_buf + (i & 15) * 32;
    const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 512));
    for (int j = 0; j < kAcc; ++j)
      acc[j] = _mm256_add_epi32(acc[j], _mm256_madd_epi16(_mm256_maddubs_epi16(a, b), ones));
    __asm__ volatile("" : : : "memory");
  }
  __m256i s = acc[0];
  for (int j = 1; j < kAcc; ++j) s = _mm256_add_epi32(s, acc[j]);
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
