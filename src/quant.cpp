// SPDX-License-Identifier: MIT
// quant.cpp: quantize_multiplier, requantize and the validated entry point of
// the int8 fully-connected layer (the kernels are in ports/).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/quant.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "starling/detail/kernels.hpp"

namespace starling {

namespace {

constexpr int32_t kInt32Min = INT32_MIN;
constexpr int32_t kInt32Max = INT32_MAX;

// Outcome of the TFLite QuantizeMultiplier steps before starling's decisions.
enum class QmKind { Ok, Zero, Bad, Huge };

QmKind quantize_multiplier_impl(double real, int32_t* multiplier, int* shift) noexcept {
  *multiplier = 0;
  *shift = 0;
  if (std::isnan(real) || std::isinf(real) || real < 0.0) return QmKind::Bad;
  if (real == 0.0) return QmKind::Zero;
  int e = 0;
  const double q = std::frexp(real, &e);  // real = q·2^e, q in [0.5, 1)
  // q·2^31 is exact (a power-of-two scaling of a double); std::round rounds
  // half away from zero, as TfLiteRound. Result in [2^30, 2^31].
  int64_t q_fixed = static_cast<int64_t>(std::round(q * 2147483648.0));
  if (q_fixed == (int64_t{1} << 31)) {  // q rounded up to 1.0: renormalize
    q_fixed /= 2;
    ++e;
  }
  if (e < kMinShift) return QmKind::Zero;  // every bit would shift out: flush
  if (e > kMaxShift) {
    *multiplier = kInt32Max;
    *shift = kMaxShift;
    return QmKind::Huge;
  }
  *multiplier = static_cast<int32_t>(q_fixed);
  *shift = e;
  return QmKind::Ok;
}

int clamp_shift(int shift) noexcept {
  return shift < kMinShift ? kMinShift : (shift > kMaxShift ? kMaxShift : shift);
}

// gemmlowp SaturatingRoundingDoublingHighMul: round(a·b / 2^31), ties toward
// +infinity, saturating the single overflow (a == b == INT32_MIN).
int32_t srdhm(int32_t a, int32_t b) noexcept {
  if (a == kInt32Min && b == kInt32Min) return kInt32Max;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (int64_t{1} - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // '/' truncates
}

// gemmlowp RoundingDivideByPOT: round(x / 2^exponent), ties away from zero;
// exponent in [0, 31]. '>>' of a negative int32 is arithmetic on every
// supported compiler (GCC and Clang document it; C++20 requires it).
int32_t rounding_divide_by_pot(int32_t x, int exponent) noexcept {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

bool addressable(long long a, long long b) noexcept {
  // a, b > 0 and at most INT_MAX: the product fits long long.
  return a * b <= static_cast<long long>(PTRDIFF_MAX);
}

}  // namespace

void quantize_multiplier(double real, int32_t* multiplier, int* shift) noexcept {
  if (multiplier == nullptr || shift == nullptr) return;
  (void)quantize_multiplier_impl(real, multiplier, shift);
}

Status quantize_multiplier_checked(double real, int32_t* multiplier, int* shift) noexcept {
  if (multiplier == nullptr || shift == nullptr) return Status::InvalidArgument;
  switch (quantize_multiplier_impl(real, multiplier, shift)) {
    case QmKind::Ok:
    case QmKind::Zero: return Status::Ok;
    case QmKind::Bad: return Status::InvalidArgument;
    case QmKind::Huge: return Status::CapacityExceeded;
  }
  return Status::InvalidArgument;
}

double effective_scale(float in_scale, float w_scale, float out_scale) noexcept {
  const double product = static_cast<double>(in_scale) * static_cast<double>(w_scale);
  return product / static_cast<double>(out_scale);
}

Status quantize_scales(float in_scale, const float* w_scales, int channels, float out_scale,
                       int32_t* multiplier, int32_t* shift) noexcept {
  if (w_scales == nullptr || multiplier == nullptr || shift == nullptr || channels <= 0) {
    return Status::InvalidArgument;
  }
  const auto good = [](float s) { return std::isfinite(s) && s > 0.0f; };
  if (!good(in_scale) || !good(out_scale)) return Status::InvalidArgument;
  for (int c = 0; c < channels; ++c) {
    if (!good(w_scales[c])) return Status::InvalidArgument;
    int32_t m = 0;
    int s = 0;
    // Finite positive floats give a finite positive double (float range is
    // far inside double's), so only Huge can fail here.
    if (quantize_multiplier_impl(effective_scale(in_scale, w_scales[c], out_scale), &m, &s) ==
        QmKind::Huge) {
      return Status::CapacityExceeded;
    }
  }
  for (int c = 0; c < channels; ++c) {
    int32_t m = 0;
    int s = 0;
    (void)quantize_multiplier_impl(effective_scale(in_scale, w_scales[c], out_scale), &m, &s);
    multiplier[c] = m;
    shift[c] = s;
  }
  return Status::Ok;
}

namespace detail {

int32_t requantize_double(int32_t acc, int32_t multiplier, int shift) noexcept {
  shift = clamp_shift(shift);
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  // The reference's acc * (1 << left) overflows for large acc; this is the
  // two's-complement wrap it produces on real targets, without the UB.
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left);
  return rounding_divide_by_pot(srdhm(x, multiplier), right);
}

int32_t requantize_single(int32_t acc, int32_t multiplier, int shift) noexcept {
  shift = clamp_shift(shift);
  const int total = 31 - shift;  // [1, 62]
  const int64_t round = int64_t{1} << (total - 1);
  // |acc·m| <= 2^62 and round <= 2^61: no int64 overflow.
  const int64_t r = (static_cast<int64_t>(acc) * static_cast<int64_t>(multiplier) + round) >> total;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(r)));
}

}  // namespace detail

bool requantize_is_single_rounding() noexcept {
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
  return true;
#else
  return false;
#endif
}

int32_t requantize(int32_t acc, int32_t multiplier, int shift) noexcept {
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
  return detail::requantize_single(acc, multiplier, shift);
#else
  return detail::requantize_double(acc, multiplier, shift);
#endif
}

Status validate(const FcParams& p) noexcept {
  if (p.in_dim <= 0 || p.out_dim <= 0) return Status::InvalidArgument;
  if (p.multiplier == nullptr || p.shift == nullptr) return Status::InvalidArgument;
  if (p.input_offset < -127 || p.input_offset > 128) return Status::InvalidArgument;
  if (p.output_offset < -128 || p.output_offset > 127) return Status::InvalidArgument;
  if (p.act_min < -128 || p.act_max > 127 || p.act_min > p.act_max) {
    return Status::InvalidArgument;
  }
  const int channels = p.per_channel ? p.out_dim : 1;
  // Branch-free, so the compiler vectorizes it: every call of a per-channel
  // layer pays this O(out_dim) check, which at batch 1 is a visible part of
  // the layer's time with an early-exit loop. Bit 31 of bad(c) is set
  // exactly when m < 0, s < kMinShift or s > kMaxShift: with t = s − kMinShift
  // (wrapping uint32), valid shifts give t in [0, 61]; t + 2^31 − 62 has bit
  // 31 set for t in [62, 2^31) and t itself for t >= 2^31.
  const int32_t* const mult = p.multiplier;
  const int32_t* const shift = p.shift;
  auto bad = [mult, shift](int c) {
    const uint32_t t = static_cast<uint32_t>(shift[c]) - static_cast<uint32_t>(kMinShift);
    return static_cast<uint32_t>(mult[c]) | t | (t + (0x80000000u - static_cast<uint32_t>(kMaxShift - kMinShift + 1)));
  };
  uint32_t any = 0;
  int c = 0;
#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(__aarch64__)
  // Hosts with vector units: the four quarters of the arrays go into four
  // independent ORs (one OR chain was half as fast: 4096 channels in 1.1 µs
  // instead of 0.5 on a Zen 5). Microcontrollers keep the one short loop
  // (the quarters cost 116 B of flash on Cortex-M4 for no gain there).
  const int q = channels / 4;
  uint32_t b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  for (; c < q; ++c) {
    b0 |= bad(c);
    b1 |= bad(c + q);
    b2 |= bad(c + 2 * q);
    b3 |= bad(c + 3 * q);
  }
  any = (b0 | b1) | (b2 | b3);
  c = 4 * q;
#endif
  for (; c < channels; ++c) any |= bad(c);
  if ((any >> 31) != 0) return Status::InvalidArgument;
  if (p.in_dim > kFcMaxInDim) return Status::CapacityExceeded;
  if (!addressable(p.in_dim, p.out_dim)) return Status::CapacityExceeded;
  return Status::Ok;
}

Status fc_kernel_sums(const FcParams& p, const int8_t* weights, int32_t* sums) noexcept {
  if (p.in_dim <= 0 || p.out_dim <= 0 || weights == nullptr || sums == nullptr) {
    return Status::InvalidArgument;
  }
  if (p.in_dim > kFcMaxInDim || !addressable(p.in_dim, p.out_dim)) return Status::CapacityExceeded;
  const std::ptrdiff_t in_dim = p.in_dim;
  // All weights checked before any sum is written: on error, nothing is.
  const std::ptrdiff_t n = in_dim * p.out_dim;
  for (std::ptrdiff_t i = 0; i < n; ++i)
    if (weights[i] == -128) return Status::InvalidArgument;
  for (std::ptrdiff_t o = 0; o < p.out_dim; ++o) {
    const int8_t* w = weights + o * in_dim;
    int32_t s = 0;  // |s| <= 127·kFcMaxInDim: exact
    for (std::ptrdiff_t i = 0; i < in_dim; ++i) s += w[i];
    sums[o] = s;
  }
  return Status::Ok;
}

Status fully_connected_s8(const FcParams& p, const int8_t* input, const int8_t* weights,
                          const int32_t* bias, int8_t* output, int batches) noexcept {
  const Status s = validate(p);
  if (s != Status::Ok) return s;
  if (input == nullptr || weights == nullptr || output == nullptr || batches <= 0) {
    return Status::InvalidArgument;
  }
  if (!addressable(batches, p.in_dim) || !addressable(batches, p.out_dim)) {
    return Status::CapacityExceeded;
  }
  detail::s8_fc_kernel()(p, input, weights, bias, output, batches);
  return Status::Ok;
}

}  // namespace starling
