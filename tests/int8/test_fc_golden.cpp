// SPDX-License-Identifier: MIT
// Golden-vector test of fully_connected_s8 (and quantize_scales).
//
// Expected values come from tools/gen_fc_golden.py (an independent Python
// implementation of the TensorFlow Lite reference formulas, exact integer
// arithmetic), committed in fc_golden.h. The same source is built twice (see
// meson.build): against the library in this build's rounding mode and
// against a copy built with the other mode, so both tables are checked.
#include <cstdio>
#include <cstring>

#include "check.hpp"
#include "fc_data.hpp"
#include "fc_golden.h"
#include "starling/detail/kernels.hpp"
#include "starling/quant.hpp"

using starling::FcParams;
using starling::Status;

namespace {

template <class T, int N>
constexpr int count_of(const T (&)[N]) { return N; }

bool single() { return starling::requantize_is_single_rounding(); }

}  // namespace

TEST_CASE(rounding_mode_matches_build_macro) {
#if defined(STARLING_SINGLE_ROUNDING) && STARLING_SINGLE_ROUNDING
  CHECK(single());
#else
  CHECK(!single());
#endif
  std::printf("     requantize: %s rounding\n", single() ? "single" : "double");
}

TEST_CASE(full_layers) {
  static int8_t out[64 * 64];
  static int8_t out_kernel[64 * 64];
  for (int li = 0; li < count_of(fc_golden::kFullLayers); ++li) {
    const fc_golden::FullLayer& L = fc_golden::kFullLayers[li];
    const FcParams p{L.in_dim,     L.out_dim,   L.input_offset, L.output_offset, L.multiplier,
                     L.shift,      L.per_channel, L.act_min,    L.act_max};
    const int n = L.batches * L.out_dim;
    std::memset(out, 0x5A, sizeof out);
    const bool ok = starling::fully_connected_s8(p, L.input, L.weights, L.bias, out, L.batches) ==
                    Status::Ok;
    const int8_t* want = single() ? L.out_single : L.out_double;
    const bool same = ok && std::memcmp(out, want, static_cast<size_t>(n)) == 0;
    if (!CHECK(same)) std::printf("     full layer %d differs\n", li);
    CHECK_EQ(out[n], static_cast<int8_t>(0x5A));  // nothing written past the end
    // The reference kernel called directly gives the same bytes.
    starling::detail::s8_fc__scalar(p, L.input, L.weights, L.bias, out_kernel, L.batches);
    CHECK(std::memcmp(out, out_kernel, static_cast<size_t>(n)) == 0);
    // The multipliers were made by quantize_multiplier(effective_scale(...)).
    int32_t m[64], s[64];
    const int channels = L.per_channel ? L.out_dim : 1;
    CHECK(starling::quantize_scales(L.in_scale, L.w_scales, channels, L.out_scale, m, s) ==
          Status::Ok);
    bool same_q = true;
    for (int c = 0; c < channels; ++c) same_q = same_q && m[c] == L.multiplier[c] && s[c] == L.shift[c];
    if (!CHECK(same_q)) std::printf("     full layer %d: quantize_scales differs\n", li);
  }
}

TEST_CASE(hash_layers) {
  static fc_data::HashData d;
  static int8_t out[fc_golden::kMaxHashOutput + 1];
  int failures = 0;
  for (int li = 0; li < count_of(fc_golden::kHashLayers); ++li) {
    const fc_golden::HashLayer& L = fc_golden::kHashLayers[li];
    d.make(L);
    const FcParams p{L.in_dim,  L.out_dim, L.input_offset,    L.output_offset, d.mult,
                     d.shift,   L.per_channel != 0, L.act_min, L.act_max};
    const int n = L.batches * L.out_dim;
    out[n] = 0x5A;
    const Status st = starling::fully_connected_s8(p, d.x, d.w, d.has_bias ? d.bias : nullptr,
                                                   out, L.batches);
    const uint32_t want = single() ? L.hash_single : L.hash_double;
    const uint32_t got = fc_data::fnv1a(out, n);
    if (!CHECK(st == Status::Ok && got == want) && ++failures <= 10) {
      std::printf("     hash layer %d (%dx%d b%d): got 0x%08lX want 0x%08lX\n", li, L.in_dim,
                  L.out_dim, L.batches, static_cast<unsigned long>(got),
                  static_cast<unsigned long>(want));
    }
    CHECK_EQ(out[n], static_cast<int8_t>(0x5A));
  }
}

int main() { return check::run_all(); }
