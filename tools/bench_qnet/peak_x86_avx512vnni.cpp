// peak_x86_avx512vnni: vpdpbusd zmm throughput loop for bench_qnet (built with AVX-512 VNNI flags).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push  // GCC 12 bug 105593 in avx512fintrin.h
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "peak_x86.hpp"

namespace bench {
int32_t peak_vnni_zmm(const int8_t* l1_buf, long iters) {
  constexpr int kAcc = 12;  // > latency × throughput: independent chains
  __m512i acc[kAcc];
  for (int j = 0; j < kAcc; ++j) acc[j] = _mm512_setzero_si512();
  for (long i = 0; i < iters; ++i) {
    const int8_t* p = l1_buf + (i & 7) * 64;
    const __m512i a = _mm512_loadu_si512(p), b = _mm512_loadu_si512(p + 512);
    for (int j = 0; j < kAcc; ++j) acc[j] = _mm512_dpbusd_epi32(acc[j], a, b);
    __asm__ volatile("" : : : "memory");
  }
  __m512i s = acc[0];
  for (int j = 1; j < kAcc; ++j) s = _mm512_add_epi32(s, acc[j]);
  return _mm512_reduce_add_epi32(s);
}
}  // namespace bench
