// SPDX-License-Identifier: MIT
// s8_conv__avx512vnni: int8 2-D convolution, AVX-512 VNNI (output channels in lanes, pixels broadcast, packed weights).
//
// A tile is P output pixels × 16·NB output channels with one zmm accumulator
// per (pixel, 16 channels). The filter's 16·NB rows are packed once per call,
// four consecutive k of a channel per 32-bit lane, and each pixel's four
// inputs are broadcast to every lane (as u = x + 128, x ^ 0x80: vpdpbusd
// multiplies unsigned by signed bytes): one vpdpbusd adds 4 k × 16 channels,
// with no horizontal sums, for any K. The sum is Σ w·(x + 128), so the
// wanted Σ w·(x + input_offset) + bias is that + (input_offset − 128)·Σw +
// bias, a per-channel constant, because taps in the padding read
// x = −input_offset (their x + input_offset is 0) and every pixel sums all
// taps. It wraps in int32 and is exact at the end, as the reference's sums.
// Inputs are read in place when in_c is a multiple of 4 (four k never cross
// a tap); otherwise a tile's patches are gathered first, already as u, rows
// padded to a multiple of 4 against zero weights.
// Stack: packed weights <= 32 KiB, gathered patches <= 6 KiB, tap pointers
// 6 KiB, pad row <= 1 KiB: about 46 KiB at most. Layers beyond conv_vnni_ok() take the im2col + FC path.
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "immintrin_avx512.hpp"

#include "s8_layer_x86.hpp"
#include "starling/detail/layer_kernels_ports.hpp"

namespace starling {
namespace detail {
namespace {

constexpr int kMaxTaps = kVnniMaxTaps;

inline int32_t load_s32(const int8_t* p) {  // any alignment
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Copies n bytes as u = x ^ 0x80.
inline void copy_flip(int8_t* d, const int8_t* x, int n) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  int i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(d + i, _mm512_xor_si512(_mm512_loadu_si512(x + i), flip));
  if (i < n) {
    const __mmask64 m = (__mmask64{1} << (n - i)) - 1;
    _mm512_mask_storeu_epi8(d + i, m, _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, x + i), flip));
  }
}

// acc[j][b] += the tile's products: for each tap t and quad q of it, pixel
// j's four inputs at x[j][t] + 4q against packed lane block b of quad
// (t·qpt + q). Inlined into each (NB, P) instance, so acc stays in zmm.
template <int NB, int P, bool Flip>
__attribute__((always_inline)) inline void tile_mac(const int8_t* const (*x)[kMaxTaps], int taps, int qpt,
                                                    const __m512i* wq, __m512i (&acc)[P][NB]) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int t = 0; t < taps; ++t) {
    const int8_t* xp[P];
    for (int j = 0; j < P; ++j) xp[j] = x[j][t];
    const __m512i* w = wq + static_cast<std::ptrdiff_t>(t) * qpt * NB;
    for (int q = 0; q < qpt; ++q, w += NB) {
      __m512i wv[NB];
      for (int b = 0; b < NB; ++b) wv[b] = _mm512_load_si512(w + b);
      for (int j = 0; j < P; ++j) {
        __m512i xv = _mm512_set1_epi32(load_s32(xp[j] + 4 * q));
        if (Flip) xv = _mm512_xor_si512(xv, flip);
        for (int b = 0; b < NB; ++b) acc[j][b] = layer_dpbusd(acc[j][b], xv, wv[b]);
      }
    }
  }
}

template <bool Single, int NB, int P>
void conv_tiles(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                int8_t* output) {
  const int C = p.in_c;
  const bool direct = C % 4 == 0;  // else gathered (im2col) rows
  const int taps = direct ? p.k_h * p.k_w : 1;
  const int K = p.k_h * p.k_w * C;
  const int K4 = (K + 3) & ~3;
  const int qpt = direct ? C / 4 : K4 / 4;  // quads per (pseudo-)tap
  const int32_t off = p.input_offset;
  const std::ptrdiff_t out_c = p.out_c;
  alignas(64) __m512i wq[kMaxVnniK / 4 * 2];  // (K4 / 4)·NB entries
  alignas(64) int8_t pad[kMaxVnniK];
  alignas(64) int8_t cols[P][kMaxVnniColsK];
  std::memset(pad, static_cast<int8_t>(-off), static_cast<size_t>(direct ? C : 0));
  const int8_t* xt[P][kMaxTaps];
  std::ptrdiff_t tap_off[kMaxTaps];  // direct mode: tap t's offset from the window origin
  for (int ky = 0, t = 0; ky < p.k_h && direct; ++ky)
    for (int kx = 0; kx < p.k_w; ++kx, ++t)
      tap_off[t] = (static_cast<std::ptrdiff_t>(ky) * p.dilation_h * p.in_w + static_cast<std::ptrdiff_t>(kx) * p.dilation_w) * C;
  const std::ptrdiff_t image_size = static_cast<std::ptrdiff_t>(p.in_h) * p.in_w * C;
  const int pixels = p.out_h * p.out_w;
  const bool pointwise = conv_is_pointwise(p);
  const __m512i oo = _mm512_set1_epi32(p.output_offset);
  const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
  for (std::ptrdiff_t c0 = 0; c0 < out_c; c0 += 16 * NB) {
    // Pack 16·NB filter rows: quad g, block b, lane l = channel c0 + 16b + l,
    // bytes k = 4g .. 4g+3 (k >= K: weight 0); and per-lane constants.
    alignas(64) int32_t corr[NB][16], mult[NB][16], shift[NB][16];
    int nb_valid[NB];
    const __m512i ones = _mm512_set1_epi8(1);
    for (int b = 0; b < NB; ++b) {
      const std::ptrdiff_t cb = c0 + 16 * b;
      const int nv = cb >= out_c ? 0 : (out_c - cb < 16 ? static_cast<int>(out_c - cb) : 16);
      nb_valid[b] = nv;
      // 16 rows × 16 quads at a time, transposed: row l's quad g lands in
      // lane l of packed vector g (bytes >= K and rows >= nv are zeros).
      __m512i sum = _mm512_setzero_si512();
      for (int g0 = 0; g0 < K4 / 4; g0 += 16) {
        const int bytes = K - 4 * g0 < 64 ? K - 4 * g0 : 64;
        const __mmask64 m = bytes >= 64 ? ~__mmask64{0} : ((__mmask64{1} << bytes) - 1);
        __m512i r[16];
        for (int l = 0; l < 16; ++l)
          r[l] = l < nv ? _mm512_maskz_loadu_epi8(m, filter + (cb + l) * K + 4 * g0) : _mm512_setzero_si512();
        transpose16(r);
        const int ng = K4 / 4 - g0 < 16 ? K4 / 4 - g0 : 16;
        for (int g = 0; g < ng; ++g) {
          _mm512_store_si512(&wq[(g0 + g) * NB + b], r[g]);
          sum = layer_dpbusd(sum, ones, r[g]);  // Σw per lane
        }
      }
      alignas(64) int32_t sums[16];
      _mm512_store_si512(sums, sum);
      for (int l = 0; l < 16; ++l) {
        const bool in = l < nv;
        const uint32_t bv = in && bias != nullptr ? static_cast<uint32_t>(bias[cb + l]) : 0u;
        corr[b][l] = static_cast<int32_t>(bv + static_cast<uint32_t>(off - 128) * static_cast<uint32_t>(sums[l]));
        mult[b][l] = in ? p.multiplier[cb + l] : 0;
        shift[b][l] = in ? p.shift[cb + l] : 0;
      }
    }
    for (std::ptrdiff_t bt = 0; bt < p.batches; ++bt) {
      const int8_t* image = input + bt * image_size;
      int8_t* out = output + bt * pixels * out_c;
      for (int pix0 = 0; pix0 < pixels; pix0 += P) {
        const int np = pixels - pix0 < P ? pixels - pix0 : P;
        for (int j = 0; j < P; ++j) {
          const int pix = pix0 + (j < np ? j : np - 1);  // spare lanes repeat the last pixel
          if (pointwise && direct) {
            xt[j][0] = image + static_cast<std::ptrdiff_t>(pix) * C;
            continue;
          }
          const int oy = pix / p.out_w, ox = pix - oy * p.out_w;
          if (direct) {
            const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
            if (y0 >= 0 && y0 + (p.k_h - 1) * p.dilation_h < p.in_h && x0 >= 0 &&
                x0 + (p.k_w - 1) * p.dilation_w < p.in_w) {  // every tap inside
              const int8_t* base = image + (static_cast<std::ptrdiff_t>(y0) * p.in_w + x0) * C;
              for (int t = 0; t < taps; ++t) xt[j][t] = base + tap_off[t];
            } else {
              dw_taps(p, image, oy, ox, 0, pad, xt[j]);
            }
            continue;
          }
          // Gather the patch as u = x ^ 0x80 (padding taps (−input_offset) ^ 0x80,
          // k >= K 0x80), a row of taps at a time where it lies inside.
          int8_t* d = cols[j];
          const int y0 = oy * p.stride_h - p.pad_h, x0 = ox * p.stride_w - p.pad_w;
          const int8_t pad_u = static_cast<int8_t>(static_cast<uint8_t>(-off) ^ 0x80u);
          for (int ky = 0; ky < p.k_h; ++ky) {
            const int iy = y0 + ky * p.dilation_h;
            const int row = p.k_w * C;
            if (iy < 0 || iy >= p.in_h) {
              std::memset(d, pad_u, static_cast<size_t>(row));
            } else if (p.dilation_w == 1 && x0 >= 0 && x0 + p.k_w <= p.in_w) {
              copy_flip(d, image + (static_cast<std::ptrdiff_t>(iy) * p.in_w + x0) * C, row);
            } else {
              for (int kx = 0; kx < p.k_w; ++kx) {
                const int ix = x0 + kx * p.dilation_w;
                if (ix < 0 || ix >= p.in_w) std::memset(d + kx * C, pad_u, static_cast<size_t>(C));
                else copy_flip(d + kx * C, image + (static_cast<std::ptrdiff_t>(iy) * p.in_w + ix) * C, C);
              }
            }
            d += row;
          }
          std::memset(cols[j] + K, static_cast<int8_t>(0x80), static_cast<size_t>(K4 - K));
          xt[j][0] = cols[j];
        }
        __m512i acc[P][NB];
        for (int j = 0; j < P; ++j)
          for (int b = 0; b < NB; ++b) acc[j][b] = _mm512_setzero_si512();
        if (direct) tile_mac<NB, P, true>(xt, taps, qpt, wq, acc);
        else tile_mac<NB, P, false>(xt, taps, qpt, wq, acc);
        for (int j = 0; j < np; ++j) {
          int8_t* y = out + static_cast<std::ptrdiff_t>(pix0 + j) * out_c + c0;
          for (int b = 0; b < NB; ++b) {
            if (nb_valid[b] == 0) continue;
            const __m512i a = _mm512_add_epi32(acc[j][b], _mm512_load_si512(corr[b]));
            __m512i o = _mm512_add_epi32(
                layer_requant16<Single>(a, _mm512_load_si512(mult[b]), _mm512_load_si512(shift[b])), oo);
            o = _mm512_min_epi32(_mm512_max_epi32(o, lo), hi);
            _mm_mask_storeu_epi8(y + 16 * b, static_cast<__mmask16>((1u << nb_valid[b]) - 1u), _mm512_cvtepi32_epi8(o));
          }
        }
      }
    }
  }
}

template <bool Single>
void conv(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output) {
  const int K = p.k_h * p.k_w * p.in_c;
  // Two 16-channel blocks share each broadcast input when both are used.
  (void)K;
  if (p.out_c > 16) conv_tiles<Single, 2, 8>(p, input, filter, bias, output);
  else conv_tiles<Single, 1, 12>(p, input, filter, bias, output);
}

}  // namespace

void s8_conv__avx512vnni(const ConvParams& p, const int8_t* input, const int8_t* filter, const int32_t* bias,
                         int8_t* output, void* /*scratch*/) {
  conv<false>(p, input, filter, bias, output);
}
void s8_conv_single_rounding__avx512vnni(const ConvParams& p, const int8_t* input, const int8_t* filter,
                                         const int32_t* bias, int8_t* output, void* /*scratch*/) {
  conv<true>(p, input, filter, bias, output);
}

}  // namespace detail
}  // namespace starling
