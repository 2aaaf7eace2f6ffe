// SPDX-License-Identifier: MIT
// immintrin_avx512.hpp: <immintrin.h> for the AVX-512 files of ports/x86.
// GCC 12's avx512fintrin.h trips its own -Wuninitialized in
// _mm512_undefined_* (GCC bug 105593): silence it for that header only.
#pragma once
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
