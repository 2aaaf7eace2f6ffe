// SPDX-License-Identifier: MIT
// s8_depthwise__avx512vnni: int8 depthwise convolution, AVX-512 VNNI (four taps per vpdpbusd, 64 lanes of pixels × channels).
//
// Channels are the vector lanes. For each output pixel, four taps' 64-byte
// input vectors are interleaved byte-wise (two unpack levels) so that each
// 32-bit lane holds one channel's four taps, and one vpdpbusd against the
// same layout of packed weights adds 4 taps × 16 channels. vpdpbusd takes
// unsigned inputs: u = x + 128 (x ^ 0x80), so the sum is Σw·x + 128·Σw and
// the wanted Σ w·(x + input_offset) = that + (input_offset − 128)·Σw, a
// per-channel constant because taps in the padding read x = −input_offset
// (their x + input_offset is 0), so every pixel sums all k_h·k_w taps. Both
// sums wrap in int32 and are exact at the end, as the reference's.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "immintrin_avx512.hpp"

#include "s8_layer_x86.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kBlock = 64;                          // lanes: 4 vectors of 16 dwords
constexpr int kMaxQuads = (kDwSimdMaxTaps + 3) / 4;  // packed weights: kMaxQuads·256 bytes
constexpr int kMaxGroup = 16;                        // pixels per block when channels are few

// After the two unpack levels, vector v dword l holds natural lane (l/4)·16 + v·4 + l%4.
inline int lane_of(int v, int l) { return (l / 4) * 16 + v * 4 + l % 4; }

// A pointer moved by −d bytes through an integer: masked loads and stores
// address lane i at ptr − d + i and touch only the lanes of their mask, here
// the bytes at ptr onwards, so nothing outside the arrays is accessed (the
// pointer itself may not be formed by pointer arithmetic there).
template <class T>
inline T* back(T* ptr, std::ptrdiff_t d) {
  return reinterpret_cast<T*>(reinterpret_cast<std::uintptr_t>(ptr) - static_cast<std::uintptr_t>(d));
}

inline __mmask64 lanes(int first, int n) {
  const __mmask64 m = n >= 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1);
  return m << first;
}

// a0..a3 += the packed weights' products with the inputs of every tap, four
// taps a step; load(t) gives tap t's raw input bytes (lanes of pixels ×
// channels), taps past the last one read the padding value (their weights
// are zero).
template <class Load>
__attribute__((always_inline)) inline void accumulate(int quads, int taps, const int8_t (*wq)[4][64], __m512i flip,
                                                      __m512i pad_x, __m512i& a0, __m512i& a1, __m512i& a2,
                                                      __m512i& a3, Load&& load) {
  for (int q = 0; q < quads; ++q) {
    const int t = 4 * q;
    const __m512i x0 = _mm512_xor_si512(load(t), flip);
    const __m512i x1 = _mm512_xor_si512(t + 1 < taps ? load(t + 1) : pad_x, flip);
    const __m512i x2 = _mm512_xor_si512(t + 2 < taps ? load(t + 2) : pad_x, flip);
    const __m512i x3 = _mm512_xor_si512(t + 3 < taps ? load(t + 3) : pad_x, flip);
    const __m512i lo01 = _mm512_unpacklo_epi8(x0, x1), hi01 = _mm512_unpackhi_epi8(x0, x1);
    const __m512i lo23 = _mm512_unpacklo_epi8(x2, x3), hi23 = _mm512_unpackhi_epi8(x2, x3);
    a0 = layer_dpbusd(a0, _mm512_unpacklo_epi16(lo01, lo23), _mm512_load_si512(wq[q][0]));
    a1 = layer_dpbusd(a1, _mm512_unpackhi_epi16(lo01, lo23), _mm512_load_si512(wq[q][1]));
    a2 = layer_dpbusd(a2, _mm512_unpacklo_epi16(hi01, hi23), _mm512_load_si512(wq[q][2]));
    a3 = layer_dpbusd(a3, _mm512_unpackhi_epi16(hi01, hi23), _mm512_load_si512(wq[q][3]));
  }
}

// Lanes are (pixel, channel): `group` output pixels side by side, `span`
// lanes each (a power of two >= the channels used), so a layer with few
// channels still fills the vectors. Wide layers: group 1, span 64, and the
// channels in blocks of 64.
template <bool Single>
void dw(const DepthwiseParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
        int8_t* output) {
  const std::ptrdiff_t C = p.in_c;
  const int taps = p.k_h * p.k_w, quads = (taps + 3) / 4;
  int span = kBlock;
  if (C <= 32) {
    span = 4;
    while (span < C) span *= 2;
  }
  const int group = kBlock / span;  // <= kMaxGroup
  const int32_t off = p.input_offset;
  alignas(64) int8_t pad[kBlock];
  std::memset(pad, static_cast<int8_t>(-off), sizeof pad);
  const __m512i pad_x = _mm512_set1_epi8(static_cast<char>(-off));
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  // Natural dword j of the outputs comes from dword (j % 4)·4 + j / 4 of the
  // four 16-byte results side by side.
  const __m512i unpermute = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  alignas(64) int8_t wq[kMaxQuads][4][64];
  alignas(64) int32_t corr[4][16], mult[4][16], shift[4][16];
  const int8_t* tp[kMaxGroup][kMaxQuads * 4];
  // Byte offset of tap t from its pixel's window origin (interior pixels).
  std::ptrdiff_t tap_off[kMaxQuads * 4];
  for (int ky = 0, t = 0; ky < p.k_h; ++ky)
    for (int kx = 0; kx < p.k_w; ++kx, ++t)
      tap_off[t] = (static_cast<std::ptrdiff_t>(ky) * p.dilation_h * p.in_w + static_cast<std::ptrdiff_t>(kx) * p.dilation_w) * C;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * C;
  const int pixels = p.out_h * p.out_w;
  // Stride-2 groups of 8-, 16- or 32-channel layers: qword j of the lanes
  // is qword (j / q)·2q + j % q of the two loads (q = span / 8).
  const bool stride2 = group > 1 && p.stride_w == 2 && span == C && span >= 8;
  alignas(64) int64_t pick2_idx[8];
  for (int j = 0; j < 8; ++j) {
    const int q = span / 8 > 0 ? span / 8 : 1;
    pick2_idx[j] = (j / q) * 2 * q + j % q;
  }
  const __m512i pick2 = _mm512_load_si512(pick2_idx);
  for (std::ptrdiff_t c0 = 0; c0 < C; c0 += span) {
    const int nc = C - c0 < span ? static_cast<int>(C - c0) : span;
    // Pack this block's weights in lane order with the inputs' own
    // interleave (so the layouts match by construction), replicated for each
    // pixel of a group; unused lanes get zero weights. Σw per lane comes from
    // vpdpbusd against bytes of 1.
    const __m512i ones = _mm512_set1_epi8(1);
    __m512i sum[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
    for (int q = 0; q < quads; ++q) {
      __m512i w[4];
      for (int k = 0; k < 4; ++k) {
        const int t = 4 * q + k;
        w[k] = _mm512_setzero_si512();
        if (t < taps)
          for (int j = 0; j < group; ++j)
            w[k] = _mm512_mask_loadu_epi8(w[k], lanes(j * span, nc), back(filter + t * C + c0, j * span));
      }
      const __m512i lo01 = _mm512_unpacklo_epi8(w[0], w[1]), hi01 = _mm512_unpackhi_epi8(w[0], w[1]);
      const __m512i lo23 = _mm512_unpacklo_epi8(w[2], w[3]), hi23 = _mm512_unpackhi_epi8(w[2], w[3]);
      const __m512i packed[4] = {_mm512_unpacklo_epi16(lo01, lo23), _mm512_unpackhi_epi16(lo01, lo23),
                                 _mm512_unpacklo_epi16(hi01, hi23), _mm512_unpackhi_epi16(hi01, hi23)};
      for (int v = 0; v < 4; ++v) {
        _mm512_store_si512(wq[q][v], packed[v]);
        sum[v] = layer_dpbusd(sum[v], ones, packed[v]);
      }
    }
    const __m512i corr_scale = _mm512_set1_epi32(off - 128);
    for (int v = 0; v < 4; ++v) {
      alignas(64) int32_t bv[16];
      for (int l = 0; l < 16; ++l) {
        const int c = lane_of(v, l) % span;
        const bool in = c < nc;
        bv[l] = in && bias != nullptr ? bias[c0 + c] : 0;
        mult[v][l] = in ? p.multiplier[c0 + c] : 0;
        shift[v][l] = in ? p.shift[c0 + c] : 0;
      }
      // bias + (input_offset − 128)·Σw, wrapping.
      _mm512_store_si512(corr[v], _mm512_add_epi32(_mm512_load_si512(bv), _mm512_mullo_epi32(corr_scale, sum[v])));
    }
    const __m512i oo = _mm512_set1_epi32(p.output_offset);
    const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
    for (std::ptrdiff_t b = 0; b < p.batches; ++b) {
      const int8_t* image = input + b * image_size;
      int8_t* out = output + b * pixels * C + c0;
      for (int pix0 = 0; pix0 < pixels; pix0 += group) {
        const int np = pixels - pix0 < group ? pixels - pix0 : group;
        const int oy = pix0 / p.out_w, ox = pix0 - oy * p.out_w;
        const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
        // Interior: every tap of the group's pixels inside the image, the
        // pixels on one output row, and (for groups) their inputs adjacent
        // (stride 1, span == channels): tap t of all of them is one load.
        const bool inside = ox + np <= p.out_w && y0 >= 0 && y0 + (p.k_h - 1) * p.dilation_h < p.in_h &&
                            x0 >= 0 && x0 + (np - 1) * p.stride_w + (p.k_w - 1) * p.dilation_w < p.in_w;
        __m512i a0 = _mm512_load_si512(corr[0]), a1 = _mm512_load_si512(corr[1]);
        __m512i a2 = _mm512_load_si512(corr[2]), a3 = _mm512_load_si512(corr[3]);
        const int8_t* base = image + (static_cast<std::ptrdiff_t>(inside ? y0 : 0) * p.in_w + (inside ? x0 : 0)) * C + c0;
        if (inside && (group == 1 || (p.stride_w == 1 && span == C))) {
          // Tap t of all the group's pixels is one load.
          const __mmask64 km = lanes(0, group == 1 ? nc : np * span);
          accumulate(quads, taps, wq, flip, pad_x, a0, a1, a2, a3,
                     [&](int t) { return _mm512_maskz_loadu_epi8(km, base + tap_off[t]); });
        } else if (inside && stride2) {
          // Stride 2: the pixels' inputs are every other C bytes of two
          // loads (exactly the bytes they span), picked by qword.
          const int bytes = (2 * np - 1) * span;
          const __mmask64 k0 = lanes(0, bytes < 64 ? bytes : 64), k1 = lanes(0, bytes > 64 ? bytes - 64 : 0);
          accumulate(quads, taps, wq, flip, pad_x, a0, a1, a2, a3, [&](int t) {
            const int8_t* q0 = base + tap_off[t];
            return _mm512_permutex2var_epi64(_mm512_maskz_loadu_epi8(k0, q0), pick2,
                                             _mm512_maskz_loadu_epi8(k1, q0 + 64));
          });
        } else if (group == 1) {
          dw_taps(p, image, oy, ox, c0, pad, tp[0]);
          const __mmask64 km = lanes(0, nc);
          // Taps in the padding point at the pad row, which holds −input_offset:
          // one load either way, no branch.
          accumulate(quads, taps, wq, flip, pad_x, a0, a1, a2, a3,
                     [&](int t) { return _mm512_maskz_loadu_epi8(km, tp[0][t]); });
        } else {
          for (int j = 0; j < np; ++j) {
            const int py = (pix0 + j) / p.out_w;
            dw_taps(p, image, py, pix0 + j - py * p.out_w, c0, pad, tp[j]);
          }
          accumulate(quads, taps, wq, flip, pad_x, a0, a1, a2, a3, [&](int t) {
            __m512i v = pad_x;
            for (int j = 0; j < np; ++j) v = _mm512_mask_loadu_epi8(v, lanes(j * span, nc), back(tp[j][t], j * span));
            return v;
          });
        }
        const __m512i acc[4] = {a0, a1, a2, a3};
        __m128i r[4];
        for (int v = 0; v < 4; ++v) {
          __m512i o = _mm512_add_epi32(
              layer_requant16<Single>(acc[v], _mm512_load_si512(mult[v]), _mm512_load_si512(shift[v])), oo);
          o = _mm512_min_epi32(_mm512_max_epi32(o, lo), hi);
          r[v] = _mm512_cvtepi32_epi8(o);  // in [−128, 127]: exact
        }
        __m512i z = _mm512_castsi128_si512(r[0]);
        z = _mm512_inserti32x4(z, r[1], 1);
        z = _mm512_inserti32x4(z, r[2], 2);
        z = _mm512_inserti32x4(z, r[3], 3);
        z = _mm512_permutexvar_epi32(unpermute, z);
        int8_t* y = out + static_cast<std::ptrdiff_t>(pix0) * C;
        if (group == 1 || nc == span) {
          // The group's outputs are contiguous: np pixels of C channels (group 1: nc bytes).
          _mm512_mask_storeu_epi8(y, lanes(0, group == 1 ? nc : np * span), z);
        } else {
          for (int j = 0; j < np; ++j) _mm512_mask_storeu_epi8(back(y + j * C, j * span), lanes(j * span, nc), z);
        }
      }
    }
  }
}

}  // namespace

void s8_depthwise__avx512vnni(const DepthwiseParams& p, const int8_t* input, const int8_t* filter,
                              const int32_t* bias, int8_t* output) {
  dw<false>(p, input, filter, bias, output);
}
void s8_depthwise_single_rounding__avx512vnni(const DepthwiseParams& p, const int8_t* input,
                                              const int8_t* filter, const int32_t* bias, int8_t* output) {
  dw<true>(p, input, filter, bias, output);
}

}  // namespace detail
}  // namespace starling
