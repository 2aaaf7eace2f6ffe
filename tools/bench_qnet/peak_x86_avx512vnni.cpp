// SPDX-License-Identifier: MIT
// peak_x86_avx512vnni: vpdpbusd zmm throughput loop and a 64-byte-load read for bench_qnet (built with AVX-512 VNNI flags).
#include "../../ports/x86/immintrin_avx512.hpp"  // <immintrin.h> without GCC 12's bug-105593 warnings

#include "peak_x86.hpp"

namespace bench {
int32_t peak_vnni_zmm(const int8_t* l1_buf, long iters) {
  // 12 independent chains (> latency × throughput), named rather than an
  // array: GCC keeps an array of them in memory here. vpdpbusd as asm with
  // the accumulator in place: GCC 12's intrinsic copies every accumulator
  // twice per iteration, which would be measured too.
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
  for (long i = 0; i < iters; ++i) {
    const int8_t* p = l1_buf + (i & 7) * 64;
    const __m512i a = _mm512_loadu_si512(p), b = _mm512_loadu_si512(p + 512);
#define BENCH_DP(acc) __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b))
    BENCH_DP(a0); BENCH_DP(a1); BENCH_DP(a2); BENCH_DP(a3); BENCH_DP(a4); BENCH_DP(a5);
    BENCH_DP(a6); BENCH_DP(a7); BENCH_DP(a8); BENCH_DP(a9); BENCH_DP(a10); BENCH_DP(a11);
#undef BENCH_DP
  }
  const __m512i s = _mm512_add_epi32(
      _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)),
                       _mm512_add_epi32(_mm512_add_epi32(a4, a5), _mm512_add_epi32(a6, a7))),
      _mm512_add_epi32(_mm512_add_epi32(a8, a9), _mm512_add_epi32(a10, a11)));
  return _mm512_reduce_add_epi32(s);
}

uint32_t stream_read_avx512(const void* p, size_t bytes) {
  const int8_t* v = static_cast<const int8_t*>(p);
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 256 <= bytes; i += 256) {
    a0 = _mm512_xor_si512(a0, _mm512_loadu_si512(v + i));
    a1 = _mm512_xor_si512(a1, _mm512_loadu_si512(v + i + 64));
    a2 = _mm512_xor_si512(a2, _mm512_loadu_si512(v + i + 128));
    a3 = _mm512_xor_si512(a3, _mm512_loadu_si512(v + i + 192));
  }
  const __m512i s = _mm512_xor_si512(_mm512_xor_si512(a0, a1), _mm512_xor_si512(a2, a3));
  return static_cast<uint32_t>(_mm512_reduce_add_epi32(s));
}
}  // namespace bench
