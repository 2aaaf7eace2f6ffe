// SPDX-License-Identifier: MIT
// Every port compiled into this build, forced one at a time, against the
// scalar reference with ==: the int8 fully-connected kernel over random
// shapes (lengths 0 .. 3·64+1 around every vector width), extreme values,
// every offset and clamp edge, per-channel multipliers and rounding ties,
// the whole multiplier / shift / bias range (wrap-around included), weights
// of −128 (outside the spec's symmetric range, still exact) and the largest
// in_dim, batches up to 130 and rows up to 4160 inputs around the x86
// kernels' path thresholds and batch-1 layers past 2 MiB of weights (x86
// hosts), each layer with and without
// FcParams::kernel_sums; and the float swarm update over every rule,
// boundary and random mode, dimensions 1 .. 3·32+1.
// Ports the CPU lacks are reported as skipped, not failed.
#include <cstdlib>
#include <cstring>

#include "check.hpp"
#include "starling/detail/kernels.hpp"
#include "starling/starling.hpp"

using namespace starling;

namespace {
Rng g_rng(20261123);
int uni(int lo, int hi) { return lo + static_cast<int>(g_rng.next_u32() % static_cast<uint32_t>(hi - lo + 1)); }

struct FcCase {
  int in_dim, out_dim, batches;
  int32_t in_off, out_off, act_min, act_max;
  bool per_channel;
  int fill;  // 0 random, 1 all -128 inputs / +127 weights, 2 all 127 / -127, 3 mixed extremes,
             // 4 random with many -128 weights and inputs
};

// The port's output for p, once without and once with kernel_sums (from
// fc_kernel_sums); true when both succeed and give the same bytes as ref
// (n bytes compared: the whole buffer, so a write past the end shows).
// Weights holding −128 get no sums (fc_kernel_sums must refuse them and
// write nothing), so they run once, without.
bool port_matches(FcParams p, const int8_t* in, const int8_t* w, const int32_t* bias, int batches,
                  const int8_t* ref, int8_t* out, size_t n) {
  static int32_t sums[2064];  // fc_prefetch_sweep's widest layer
  p.kernel_sums = nullptr;
  std::memset(out, 0x5A, n);
  if (fully_connected_s8(p, in, w, bias, out, batches) != Status::Ok) return false;
  if (std::memcmp(out, ref, n) != 0) return false;
  if (p.out_dim > 2064) return false;
  bool has_m128 = false;
  for (long i = 0; i < static_cast<long>(p.out_dim) * p.in_dim; ++i) has_m128 = has_m128 || w[i] == -128;
  if (has_m128) {
    for (int32_t& v : sums) v = 0x5A5A5A5A;
    if (fc_kernel_sums(p, w, sums) != Status::InvalidArgument) return false;
    for (int32_t v : sums)
      if (v != 0x5A5A5A5A) return false;
    return true;
  }
  if (fc_kernel_sums(p, w, sums) != Status::Ok) return false;
  p.kernel_sums = sums;
  std::memset(out, 0x5A, n);
  if (fully_connected_s8(p, in, w, bias, out, batches) != Status::Ok) return false;
  return std::memcmp(out, ref, n) == 0;
}

// One layer through the active port and through scalar; returns true if equal.
// weights_at_end: the layer's weights end where their array ends, so a
// kernel reading past the last weight row reads past the array (the
// sanitizer builds' redzone reports it).
bool compare_fc(const FcCase& c, bool weights_at_end = false) {
  static int8_t in[9 * 200], w_store[70 * 200], out_port[9 * 70 + 16], out_ref[9 * 70 + 16];
  int8_t* const w = weights_at_end ? w_store + sizeof w_store - static_cast<size_t>(c.out_dim) * static_cast<size_t>(c.in_dim)
                                   : w_store;
  static int32_t bias[70], mult[70];
  static int32_t shift[70];  // FcParams' type (long on arm-none-eabi)
  for (int i = 0; i < c.batches * c.in_dim; ++i) {
    int v = uni(-128, 127);
    if (c.fill == 1) v = -128;
    if (c.fill == 2) v = 127;
    if (c.fill == 3) v = (i & 1) ? 127 : -128;
    if (c.fill == 4 && uni(0, 3) == 0) v = -128;
    in[i] = static_cast<int8_t>(v);
  }
  for (int i = 0; i < c.out_dim * c.in_dim; ++i) {
    int v = uni(-127, 127);
    if (c.fill == 1) v = 127;
    if (c.fill == 2) v = -127;
    if (c.fill == 3) v = (i % 3) ? -127 : 127;
    if (c.fill == 4 && uni(0, 2) == 0) v = -128;
    w[i] = static_cast<int8_t>(v);
  }
  const int nm = c.per_channel ? c.out_dim : 1;
  for (int o = 0; o < c.out_dim; ++o) bias[o] = static_cast<int32_t>(g_rng.next_u32() % 200001u) - 100000;
  for (int o = 0; o < nm; ++o) {
    // Scales from 2^-14 .. 2^-2, some exact powers of two (rounding ties).
    const double scale = (uni(0, 3) == 0) ? 1.0 / static_cast<double>(1 << uni(2, 14))
                                          : (0.5 + g_rng.uniform()) / static_cast<double>(1 << uni(2, 14));
    int sh = 0;
    quantize_multiplier(scale, &mult[o], &sh);
    shift[o] = sh;
  }
  FcParams p{c.in_dim, c.out_dim, c.in_off, c.out_off, mult, shift, c.per_channel, c.act_min, c.act_max};
  std::memset(out_ref, 0x5A, sizeof out_ref);
  detail::s8_fc__scalar(p, in, w, bias, out_ref, c.batches);
  // Equal outputs, and nothing written past the end.
  return port_matches(p, in, w, bias, c.batches, out_ref, out_port, sizeof out_port);
}

long fc_sweep() {
  long cases = 0;
  const int32_t in_offs[] = {-127, 0, 128, 5};
  const int32_t out_offs[] = {-128, 0, 127, -7};
  for (int in_dim = 1; in_dim <= 3 * 64 + 1; ++in_dim) {
    FcCase c{in_dim, uni(1, 70), uni(1, 9), in_offs[in_dim % 4], out_offs[(in_dim / 4) % 4], -128, 127,
             (in_dim & 1) == 1, in_dim % 7 == 0 ? 1 + (in_dim / 7) % 4 : 0};
    if (in_dim % 5 == 0) {
      c.act_min = -20;
      c.act_max = 35;
    }
    if (in_dim % 11 == 0) c.act_min = c.act_max = uni(-128, 127);
    if (!CHECK(compare_fc(c))) std::printf("     in_dim %d out_dim %d batches %d\n", c.in_dim, c.out_dim, c.batches);
    ++cases;
  }
  // −128 weights in every tile shape: whole 16-row chunks and a partial one,
  // batch 1 (the widest tiles) and 2, in_dim multiples of the vector widths
  // and not.
  for (int out_dim : {16, 33, 70})
    for (int in_dim : {32, 64, 100, 200})
      for (int batches : {1, 2}) {
        FcCase c{in_dim, out_dim, batches, in_dim == 64 ? 128 : -3, 4, -128, 127, out_dim == 33, 4};
        if (!CHECK(compare_fc(c))) std::printf("     -128 weights: in_dim %d out_dim %d batches %d\n", in_dim, out_dim, batches);
        ++cases;
      }
  // The extreme fills without −128 weights in the same shapes: with
  // kernel_sums they take the vpmaddubsw forms, whose 16-bit pair sums peak
  // here (all inputs −128 against weights 127: 2·128·127 = 32512).
  for (int out_dim : {16, 33, 70})
    for (int in_dim : {32, 63, 100, 200})
      for (int fill : {1, 2, 3}) {
        FcCase c{in_dim, out_dim, 1 + (in_dim + fill) % 3, fill == 2 ? 128 : -3, 4, -128, 127, out_dim == 33, fill};
        if (!CHECK(compare_fc(c)))
          std::printf("     extremes: in_dim %d out_dim %d fill %d\n", in_dim, out_dim, fill);
        ++cases;
      }
  // Small and odd shapes: fewer outputs than a tile has rows (the x86
  // kernels' plain-loop path), out_dim not a multiple of 8 (AVX2's last
  // 8-row tile overlaps the one before), rows shorter than a vector step
  // and rows with a partial last step (AVX2's 16-byte tail step, which
  // reads into the following rows); batch 1, and batch 3 with the
  // weights at the end of their array.
  for (int out_dim : {1, 2, 3, 4, 5, 7, 8, 9, 15, 17, 23, 31, 33, 41})
    for (int in_dim : {1, 2, 3, 4, 7, 8, 15, 16, 17, 24, 31, 33, 47})
      for (int batches : {1, 3}) {
        FcCase c{in_dim, out_dim, batches, (in_dim & 1) ? 5 : 128, -7, -128, 127, (out_dim & 1) == 1, out_dim == 9 ? 1 : 0};
        const bool at_end = batches == 3;  // every shape in both placements
        if (!CHECK(compare_fc(c, at_end)))
          std::printf("     small: in_dim %d out_dim %d batches %d\n", in_dim, out_dim, batches);
        ++cases;
      }
  for (int out_dim : {8, 13, 59})
    for (int in_dim : {3, 17, 40, 100})
      for (int batches : {1, 2}) {
        FcCase c{in_dim, out_dim, batches, 3, 0, -128, 127, true, 0};
        if (!CHECK(compare_fc(c, true)))
          std::printf("     weights at the end: in_dim %d out_dim %d batches %d\n", in_dim, out_dim, batches);
        ++cases;
      }
  for (int r = 0; r < 300; ++r) {  // random shapes, offsets, clamps
    const int lo = uni(-128, 127);
    FcCase c{uni(1, 200), uni(1, 70), uni(1, 9), uni(-127, 128), uni(-128, 127), lo, uni(lo, 127),
             uni(0, 1) == 1, uni(0, 5) == 0 ? uni(1, 4) : 0};
    if (!CHECK(compare_fc(c))) std::printf("     in_dim %d out_dim %d batches %d\n", c.in_dim, c.out_dim, c.batches);
    ++cases;
  }
  return cases;
}

// Layers beyond compare_fc's buffers: up to 130 batch rows of up to 257
// inputs and 70 outputs, or one row of up to 4160 inputs and 33 outputs
// (130 outputs for 1056 inputs).
// The weights start `skew` bytes into their array (rows not 64-byte
// aligned). Fills as in FcCase; outputs checked as in compare_fc.
// MaxW weights and MaxOut outputs at most (the defaults: the sweeps below).
template <long MaxW = 33 * 4160, int MaxOut = 130>
bool compare_fc_big(int in_dim, int out_dim, int batches, int32_t in_off, bool per_channel, int fill, int skew = 0) {
  static int8_t in[130 * 257 + 4160], w_store[MaxW + 64], out_port[130 * 70 + MaxOut + 16], out_ref[130 * 70 + MaxOut + 16];
  static int32_t bias[MaxOut], mult[MaxOut], shift[MaxOut];
  int8_t* const w = w_store + skew;
  for (int i = 0; i < batches * in_dim; ++i) {
    int v = uni(-128, 127);
    if (fill == 1) v = -128;
    if (fill == 2) v = 127;
    if (fill == 3) v = (i & 1) ? 127 : -128;
    if (fill == 4 && uni(0, 3) == 0) v = -128;
    in[i] = static_cast<int8_t>(v);
  }
  for (int i = 0; i < out_dim * in_dim; ++i) {
    int v = uni(-127, 127);
    if (fill == 1) v = 127;
    if (fill == 2) v = -127;
    if (fill == 3) v = (i % 3) ? -127 : 127;
    if (fill == 4 && uni(0, 2) == 0) v = -128;
    w[i] = static_cast<int8_t>(v);
  }
  const int nm = per_channel ? out_dim : 1;
  for (int o = 0; o < out_dim; ++o) bias[o] = static_cast<int32_t>(g_rng.next_u32() % 200001u) - 100000;
  for (int o = 0; o < nm; ++o) {
    const double scale = (uni(0, 3) == 0) ? 1.0 / static_cast<double>(1 << uni(2, 14))
                                          : (0.5 + g_rng.uniform()) / static_cast<double>(1 << uni(2, 14));
    int sh = 0;
    quantize_multiplier(scale / (in_dim > 256 ? 16.0 : 1.0), &mult[o], &sh);
    shift[o] = sh;
  }
  FcParams p{in_dim, out_dim, in_off, uni(-128, 127), mult, shift, per_channel, -128, 127};
  if (uni(0, 3) == 0) {
    p.act_min = uni(-128, 127);
    p.act_max = uni(p.act_min, 127);
  }
  std::memset(out_ref, 0x5A, sizeof out_ref);
  detail::s8_fc__scalar(p, in, w, bias, out_ref, batches);
  return port_matches(p, in, w, bias, batches, out_ref, out_port, sizeof out_port);
}

// The x86 AVX-512 kernel's small-batch path (output channels in lanes: in_dim
// up to 255, 16 outputs or more, batch 4 and up, or 2 and 3 when Σw is
// summed in the kernel) and the paths beside it: in_dim around the vector
// width and the path's limit, the last quad partial (in_dim not a multiple
// of 4), out_dim around the 16- and 32-channel blocks, batches around each
// threshold, the 8-row tiles and the 64-row packing groups, input offsets at
// both ends, each layer with and without kernel_sums.
long fc_lanes_sweep() {
  long cases = 0;
  const int32_t in_offs[] = {-127, 128, 0, 3, 127};
  const int outs[] = {16, 17, 33, 64, 70, 31, 48};
  int k = 0;
  for (int in_dim : {1, 3, 4, 5, 63, 64, 65, 127, 128, 200, 255, 256})
    for (int batches : {1, 2, 3, 4, 5, 8, 9}) {
      const int out_dim = outs[k % 7], fill = k % 5;
      if (!CHECK(compare_fc_big(in_dim, out_dim, batches, in_offs[k % 5], (k & 1) == 0, fill, k % 3)))
        std::printf("     lanes: in_dim %d out_dim %d batches %d fill %d\n", in_dim, out_dim, batches, fill);
      ++k;
      ++cases;
    }
  struct Big { int in_dim, out_dim, batches; };
  for (const Big b : {Big{64, 64, 16}, Big{64, 64, 63}, Big{64, 64, 64}, Big{64, 65, 65}, Big{17, 16, 130},
                      Big{255, 33, 65}, Big{128, 70, 129}, Big{4, 20, 12}})
    for (int fill : {0, 3, 4}) {
      if (!CHECK(compare_fc_big(b.in_dim, b.out_dim, b.batches, in_offs[(cases + fill) % 5], fill != 3, fill)))
        std::printf("     lanes: in_dim %d out_dim %d batches %d fill %d\n", b.in_dim, b.out_dim, b.batches, fill);
      ++cases;
    }
  return cases;
}

// Batch 1 with rows of 512 inputs and more and 64 KiB of weights and more
// (the AVX-512 kernel reads each row in turn there), around both limits:
// one, two and eight 16-row chunks and a partial one, odd lengths, unaligned
// rows, every input-offset mode (summed Σw, kernel_sums, input_offset 128),
// extreme values.
long fc_long_row_sweep() {
  long cases = 0;
  const int32_t in_offs[] = {-127, 128, 3, 0};
  int k = 0;
  for (int in_dim : {511, 512, 513, 1000, 1023, 1024, 4095, 4096, 4097, 4159, 4160})
    for (int out_dim : {16, 32, 33, 64, 127, 128, 129}) {
      if (in_dim * out_dim > 33 * 4160) continue;
      const int fill = k % 5;
      if (!CHECK(compare_fc_big(in_dim, out_dim, 1, in_offs[k % 4], (k & 1) == 1, fill, (k * 7) % 64)))
        std::printf("     long rows, batch 1: in_dim %d out_dim %d fill %d\n", in_dim, out_dim, fill);
      ++k;
      ++cases;
    }
  return cases;
}

// Batch 1 with more than 2 MiB of weights, where the AVX-512 kernel's
// row-by-row path also prefetches (kSeqPfMinBytes): x86 hosts only (the
// weights do not fit the emulated microcontrollers), every input-offset
// mode, an odd row length, unaligned rows.
long fc_prefetch_sweep() {
  long cases = 0;
#if defined(__x86_64__) || defined(__i386__)
  struct Shape { int in_dim, out_dim; int32_t in_off; int skew; };
  for (const Shape c : {Shape{1024, 2064, 3, 0}, Shape{1031, 2049, 128, 5}, Shape{4096, 528, -127, 1}}) {
    for (int fill : {0, 4}) {
      if (!CHECK((compare_fc_big<4096L * 528 + 64, 2064>(c.in_dim, c.out_dim, 1, c.in_off, fill == 0, fill, c.skew))))
        std::printf("     prefetch, batch 1: in_dim %d out_dim %d fill %d\n", c.in_dim, c.out_dim, fill);
      ++cases;
    }
  }
#endif
  return cases;
}

// Requantization over its whole domain: any multiplier in [0, 2^31), any
// shift in [−31, 30] (left shifts that wrap, right shifts up to 31 and
// single-rounding shifts up to 62), biases over all of int32 (the bias
// addition wraps), small accumulators that hit rounding ties; plus the
// largest in_dim with extreme values (the accumulator's bound).
bool compare_fc_extreme(int in_dim, int out_dim, int batches, int32_t in_off, bool per_channel, int kind) {
  static int8_t in[2 * kFcMaxInDim], w[2 * kFcMaxInDim], out_port[9 * 40 + 16], out_ref[9 * 40 + 16];  // 128 KiB
  static int32_t bias[40], mult[40], shift[40];
  // kind 1: alternating extreme inputs, weights ±127; kind 3: the same with
  // −128 weights; kind 2: tiny weights (small accumulators, rounding ties).
  for (int i = 0; i < batches * in_dim; ++i)
    in[i] = static_cast<int8_t>(kind == 1 || kind == 3 ? ((i & 1) ? 127 : -128) : uni(-128, 127));
  for (int i = 0; i < out_dim * in_dim; ++i)
    w[i] = static_cast<int8_t>(kind == 1 ? ((i % 3) ? -127 : 127)
                               : kind == 3 ? ((i % 3) ? -128 : 127)
                               : (kind == 2 ? uni(-2, 2) : uni(-127, 127)));
  const int nm = per_channel ? out_dim : 1;
  for (int o = 0; o < out_dim; ++o) {
    const uint32_t r = g_rng.next_u32();
    bias[o] = (o % 3 == 0) ? static_cast<int32_t>(r) : static_cast<int32_t>(r % 2001u) - 1000;
  }
  for (int o = 0; o < nm; ++o) {
    const int pick = uni(0, 4);
    mult[o] = pick == 0 ? 0 : (pick == 1 ? INT32_MAX : (pick == 2 ? (1 << 30) : static_cast<int32_t>(g_rng.next_u32() >> 1)));
    shift[o] = uni(0, 3) == 0 ? (uni(0, 1) ? kMinShift : kMaxShift) : uni(kMinShift, kMaxShift);
  }
  FcParams p{in_dim, out_dim, in_off, uni(-128, 127), mult, shift, per_channel, -128, 127};
  if (uni(0, 2) == 0) {
    p.act_min = uni(-128, 127);
    p.act_max = uni(p.act_min, 127);
  }
  std::memset(out_ref, 0x5A, sizeof out_ref);
  detail::s8_fc__scalar(p, in, w, bias, out_ref, batches);
  return port_matches(p, in, w, bias, batches, out_ref, out_port, sizeof out_port);
}

long fc_extreme_sweep() {
  long cases = 0;
  const int32_t in_offs[] = {-127, 0, 128, 1};
  for (int r = 0; r < 400; ++r) {
    const int in_dim = uni(1, 130), out_dim = uni(1, 40), batches = uni(1, 3);
    const bool pc = uni(0, 1) == 1;
    if (!CHECK(compare_fc_extreme(in_dim, out_dim, batches, in_offs[r % 4], pc, r % 3 == 0 ? 2 : (r % 7 == 1 ? 3 : 0))))
      std::printf("     extreme: in_dim %d out_dim %d batches %d\n", in_dim, out_dim, batches);
    ++cases;
  }
  // Rows of 256 bytes and more (the kernels switch tiling there), whole
  // 16-row chunks and a partial one, batches 1 .. 5 and 9 (whole 4-row
  // batch tiles and a single batch row left over), random and extreme
  // values (−128 weights included).
  for (int in_dim : {255, 256, 300, 1000})
    for (int batches : {1, 2, 3, 4, 5, 9})
      for (int kind : {0, 1, 3}) {
        if (!CHECK(compare_fc_extreme(in_dim, 40, batches, in_offs[(in_dim + batches) % 4], batches != 2, kind)))
          std::printf("     long rows: in_dim %d batches %d kind %d\n", in_dim, batches, kind);
        ++cases;
      }
  for (int kind : {1, 3}) {  // 16-row chunks of long rows (the sign trick's tiles), buffer-bound
    if (!CHECK(compare_fc_extreme(kFcMaxInDim / 8 - 1, 16, 2, in_offs[kind], true, kind)))
      std::printf("     extreme: in_dim %d out_dim 16 kind %d\n", kFcMaxInDim / 8 - 1, kind);
    ++cases;
  }
  for (int k = 0; k < 8; ++k) {  // the largest accumulators: in_dim = kFcMaxInDim
    if (!CHECK(compare_fc_extreme(kFcMaxInDim - (k & 1), 2, 1 + ((k >> 1) & 1), in_offs[k & 3], k & 1, k < 4 ? 1 : 3)))
      std::printf("     extreme: in_dim %d\n", kFcMaxInDim - (k & 1));
    ++cases;
  }
  return cases;
}

// Bit for bit, except that any NaN equals any NaN: which operand's NaN a
// commutative a + b or a·b propagates (its sign and payload) is the
// compiler's choice, even between two compilations of the scalar code.
bool same_floats(const float* a, const float* b, int n) {
  for (int i = 0; i < n; ++i) {
    if (a[i] != a[i] && b[i] != b[i]) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return false;
  }
  return true;
}

long swarm_sweep() {
  long cases = 0;
  static float x0[128], v0[128], m0[128], xr[128], vr[128], mr[128], xp[128], vp[128], mp[128];
  static float pb[128], nb[128], lo[128], hi[128], vmax[128];
  uint32_t key[4];
  detail::swarm_key(77, key);
  for (int dims = 1; dims <= 3 * 32 + 1; ++dims)  // around 8-, 16- and 32-dimension steps
    for (int rule = 0; rule < 2; ++rule)
      for (int bound = 0; bound < 3; ++bound)
        for (int pp = 0; pp < 2; ++pp) {
          for (int d = 0; d < dims; ++d) {
            lo[d] = -1.0f - g_rng.uniform() * 10;
            hi[d] = 1.0f + g_rng.uniform() * 10;
            vmax[d] = 0.5f * (hi[d] - lo[d]);
            x0[d] = lo[d] + (hi[d] - lo[d]) * g_rng.uniform();
            v0[d] = (g_rng.uniform() * 2 - 1) * vmax[d] * 1.5f;  // some beyond vmax
            m0[d] = (g_rng.uniform() * 2 - 1) * vmax[d];
            pb[d] = lo[d] + (hi[d] - lo[d]) * g_rng.uniform();
            nb[d] = (d % 5 == 0) ? hi[d] : lo[d] + (hi[d] - lo[d]) * g_rng.uniform();
          }
          // Ties and signed zeros, where a SIMD min/max or blend could
          // differ from the reference's branches. (Not NaN: the scalar
          // reference itself is not reproducible for NaN positions.)
          if (dims % 4 == 1) {
            const int d = uni(0, dims - 1);
            const float special[] = {-0.0f, 0.0f, vmax[d], -vmax[d], 2 * vmax[d]};
            v0[d] = special[uni(0, 4)];
            if (uni(0, 1)) x0[uni(0, dims - 1)] = -0.0f;
            const int e = uni(0, dims - 1);
            if (uni(0, 1)) x0[e] = uni(0, 1) ? lo[e] : hi[e];
            if (uni(0, 1)) pb[e] = nb[e] = x0[e];
          }
          detail::SwarmStep<float> s{};
          s.pbest = pb; s.nbest = nb; s.lo = lo; s.hi = hi; s.vmax = vmax; s.dims = dims;
          s.rule = static_cast<detail::UpdateRule>(rule);
          s.bound = static_cast<detail::BoundRule>(bound);
          s.per_particle = pp == 1;
          // Coefficients around the x86 kernels' c·2^-16 fold: it is taken
          // only where that product is exact (0, or |c| >= 2^-110).
          const float coeffs[] = {2.0f, 1.49618f, 0.0f, 0x1p-110f, 0x1p-111f, 1e-40f, 10.0f};
          s.w = 0.7298f; s.beta = 0.9f; s.one_minus_beta = 0.1f;
          s.c1 = coeffs[cases % 7];
          s.c2 = coeffs[(cases / 7 + 3) % 7];
          s.mscale = rule == 1 ? 1.5f : 1.0f;
          s.key = key; s.iteration = static_cast<uint32_t>(uni(1, 1000)); s.particle = static_cast<uint32_t>(uni(0, 63));
          std::memcpy(xr, x0, sizeof x0); std::memcpy(vr, v0, sizeof v0); std::memcpy(mr, m0, sizeof m0);
          std::memcpy(xp, x0, sizeof x0); std::memcpy(vp, v0, sizeof v0); std::memcpy(mp, m0, sizeof m0);
          s.x = xr; s.v = vr; s.m = mr;
          detail::swarm_update_ref(s);
          s.x = xp; s.v = vp; s.m = mp;
          detail::active_kernels().f32_swarm_update(s);
          const bool same = same_floats(xr, xp, 128) && same_floats(vr, vp, 128) && same_floats(mr, mp, 128);
          if (!CHECK(same)) std::printf("     dims %d rule %d bound %d per_particle %d\n", dims, rule, bound, pp);
          ++cases;
        }
  return cases;
}

// Batches (SwarmStep::count > 1): counts 1 .. 11 (every remainder of the
// x86 kernels' groups of four and two), strides equal to dims or longer
// (rows with gaps, odd strides), shared nbest; each particle's own x, v, m
// and pbest. The reference moves the particles one at a time; the gaps
// between rows hold a sentinel that no kernel may touch, and the last row
// ends where its array ends, so that a read or write past it meets the
// sanitizer builds' redzone.
long swarm_batch_sweep() {
  constexpr int kMaxCount = 11, kMaxStride = 104, kCap = kMaxCount * kMaxStride;
  static float x0[kCap], v0[kCap], m0[kCap], pb[kCap], xr[kCap], vr[kCap], mr[kCap], xp[kCap], vp[kCap], mp[kCap];
  static float nb[kMaxStride], lo[kMaxStride], hi[kMaxStride], vmax[kMaxStride];
  uint32_t key[4];
  detail::swarm_key(1234, key);
  long cases = 0;
  const int dims_list[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 30, 31, 32, 33, 47, 48, 63, 64, 65, 97, 100};
  for (int dims : dims_list)
    for (int count = 1; count <= kMaxCount; ++count) {
      const int stride = dims + (count % 3 == 0 ? 0 : uni(1, 4));
      if (stride > kMaxStride) continue;
      const int base = kCap - ((count - 1) * stride + dims);  // the last row ends at the array's end
      const int rule = uni(0, 1), bound = (count + dims) % 3, pp = (count + dims) % 5 == 0 ? 1 : 0;
      for (int d = 0; d < dims; ++d) {
        lo[d] = -1.0f - g_rng.uniform() * 10;
        hi[d] = 1.0f + g_rng.uniform() * 10;
        vmax[d] = 0.5f * (hi[d] - lo[d]);
        nb[d] = lo[d] + (hi[d] - lo[d]) * g_rng.uniform();
      }
      for (int i = 0; i < kCap; ++i) x0[i] = v0[i] = m0[i] = pb[i] = -12345.0f;  // the sentinel
      for (int k = 0; k < count; ++k)
        for (int d = 0; d < dims; ++d) {
          const int i = base + k * stride + d;
          x0[i] = lo[d] + (hi[d] - lo[d]) * g_rng.uniform();
          v0[i] = (g_rng.uniform() * 2 - 1) * vmax[d] * 1.5f;
          m0[i] = (g_rng.uniform() * 2 - 1) * vmax[d];
          pb[i] = lo[d] + (hi[d] - lo[d]) * g_rng.uniform();
        }
      detail::SwarmStep<float> s{};
      s.pbest = pb + base; s.nbest = nb; s.lo = lo; s.hi = hi; s.vmax = vmax; s.dims = dims;
      s.rule = static_cast<detail::UpdateRule>(rule);
      s.bound = static_cast<detail::BoundRule>(bound);
      s.per_particle = pp == 1;
      s.w = 0.7298f; s.beta = 0.9f; s.one_minus_beta = 0.1f;
      s.c1 = (3 * count + dims) % 4 == 1 ? 1e-40f : 2.0f;  // 1e-40: the x86 kernels' unfolded path
      s.c2 = 1.49618f;
      s.mscale = rule == 1 ? 1.25f : 1.0f;
      s.key = key; s.iteration = static_cast<uint32_t>(uni(1, 1000));
      s.particle = static_cast<uint32_t>(uni(0, 1000));
      s.count = count; s.stride = stride;
      std::memcpy(xr, x0, sizeof x0); std::memcpy(vr, v0, sizeof v0); std::memcpy(mr, m0, sizeof m0);
      std::memcpy(xp, x0, sizeof x0); std::memcpy(vp, v0, sizeof v0); std::memcpy(mp, m0, sizeof m0);
      s.x = xr + base; s.v = vr + base; s.m = mr + base;
      detail::swarm_update_ref(s);
      s.x = xp + base; s.v = vp + base; s.m = mp + base;
      detail::active_kernels().f32_swarm_update(s);
      bool same = same_floats(xr, xp, kCap) && same_floats(vr, vp, kCap) && same_floats(mr, mp, kCap);
      // And the reference itself moved each particle as a batch of one.
      for (int k = 0; k < count && same; ++k) {
        const int row = base + k * stride;
        float x1[kMaxStride], v1[kMaxStride], m1[kMaxStride];
        std::memcpy(x1, x0 + row, sizeof(float) * static_cast<size_t>(dims));
        std::memcpy(v1, v0 + row, sizeof(float) * static_cast<size_t>(dims));
        std::memcpy(m1, m0 + row, sizeof(float) * static_cast<size_t>(dims));
        detail::SwarmStep<float> one = s;
        one.x = x1; one.v = v1; one.m = m1; one.pbest = pb + row;
        one.particle = s.particle + static_cast<uint32_t>(k);
        one.count = 1;
        detail::swarm_update_ref(one);
        same = same_floats(x1, xr + row, dims) && same_floats(v1, vr + row, dims) && same_floats(m1, mr + row, dims);
      }
      if (!CHECK(same))
        std::printf("     batch: dims %d count %d stride %d rule %d bound %d per_particle %d\n", dims, count, stride,
                    rule, bound, pp);
      ++cases;
    }
  return cases;
}
}  // namespace

TEST_CASE(registry) {
  CHECK(port_count() >= 1);
#if defined(STARLING_HOSTED_ENV)
  CHECK(std::strcmp(port_name(0), "scalar") == 0);  // firmware builds list only their fixed port
#endif
  CHECK(port_supported(0));
  CHECK(port_name(-1) == nullptr);
  CHECK(port_name(port_count()) == nullptr);
  CHECK(force_port(nullptr) == Status::InvalidArgument);
  CHECK(force_port("no-such-port") == Status::InvalidArgument);
  // The forced port is the one running.
  for (int i = 0; i < port_count(); ++i) {
    if (!port_supported(i)) continue;
    CHECK(force_port(port_name(i)) == Status::Ok);
    CHECK(std::strcmp(active_port(), port_name(i)) == 0);
    CHECK(std::strcmp(detail::active_kernels().name, port_name(i)) == 0);
  }
}

TEST_CASE(every_port_matches_scalar) {
  for (int i = 0; i < port_count(); ++i) {
    if (!port_supported(i)) {
      std::printf("     port %s: skipped (this CPU lacks it)\n", port_name(i));
      continue;
    }
    CHECK(force_port(port_name(i)) == Status::Ok);
    const long fc = fc_sweep();
    const long fx = fc_extreme_sweep() + fc_lanes_sweep() + fc_long_row_sweep() + fc_prefetch_sweep();
    const long sw = swarm_sweep();
    const long sb = swarm_batch_sweep();
    std::printf("     port %s: %ld fc layers (%ld of them at the range limits or beyond 200x70x9), %ld swarm updates and %ld batches compared with scalar (requantize: %s rounding)\n",
                port_name(i), fc + fx, fx, sw, sb, requantize_is_single_rounding() ? "single" : "double");
  }
  CHECK(force_port(port_name(0)) == Status::Ok);  // back to the first port
}

int main() {
  std::printf("ports in this build:");
  for (int i = 0; i < port_count(); ++i)
    std::printf(" %s%s", port_name(i), port_supported(i) ? "" : "(unsupported)");
  std::printf("; auto choice: %s\n", active_port());
  return check::run_all();
}
