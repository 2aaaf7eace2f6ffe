// SPDX-License-Identifier: MIT
// Every point any optimizer of the family asks for lies in the box, over many
// random boxes (offsets up to 1e6, widths from 1e-4 to 1e5, unit boxes whose
// upper bound is exactly 1), seeds and costs that drive the search into the
// bounds and corners: float, where rounding near a bound is most likely.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "check.hpp"
#include "starling/optimizers.hpp"

using namespace starling;

namespace {

constexpr int kMaxD = 6;
constexpr int kBoxes = 40;
constexpr long kEvals = 240;

// The kind of cost: 0 pulls to the upper corner, 1 to the lower corner, 2 to
// a mixed corner, 3 is noise (a hash of the point's bits).
float cost(const float* x, const float* lo, const float* hi, int dims, int kind) {
  float s = 0;
  uint32_t h = 2166136261u;
  for (int d = 0; d < dims; ++d) {
    const float t = kind == 0 ? hi[d] : kind == 1 ? lo[d] : (d & 1) != 0 ? hi[d] : lo[d];
    const float e = (x[d] - t) / (hi[d] - lo[d]);
    s = s + e * e;
    uint32_t u;
    std::memcpy(&u, &x[d], sizeof u);
    h = (h ^ u) * 16777619u;
  }
  return kind == 3 ? static_cast<float>(h >> 8) : s;
}

template <class Opt, class Cfg>
void run_boxes(const char* name, Cfg cfg, long evals = kEvals) {
  static Opt o;
  std::printf("     %s\n", name);
  Rng g(20261207);
  long outside = 0, asks = 0;
  for (int k = 0; k < kBoxes; ++k) {
    const int dims = 1 + static_cast<int>(g.next_u32() % kMaxD);
    float lo[kMaxD], hi[kMaxD];
    for (int d = 0; d < dims; ++d) {
      if (k % 4 == 0) {  // the unit box: the upper bound exactly 1
        lo[d] = 0;
        hi[d] = 1;
        continue;
      }
      const float off = (u32_to_unit<float>(g.next_u32()) * 2 - 1) * std::pow(10.f, static_cast<float>(g.next_u32() % 7));
      const float w = std::pow(10.f, static_cast<float>(static_cast<int>(g.next_u32() % 10) - 4));
      lo[d] = off;
      hi[d] = off + w;
      if (!(hi[d] > lo[d])) hi[d] = std::nextafter(lo[d], 2 * std::fabs(lo[d]) + 1);
    }
    cfg.max_iter = 1 << 20;
    cfg.max_evals = evals;
    const int kind = k % 4 == 0 ? static_cast<int>(g.next_u32() % 4) : k % 4;
    CHECK(o.init(lo, hi, dims, 0, cfg, g.next_u32()) == Status::Ok);
    while (const float* x = o.ask()) {
      ++asks;
      bool in = true;
      for (int d = 0; d < dims; ++d) in = in && x[d] >= lo[d] && x[d] <= hi[d];
      if (!in) {
        if (outside < 5) {
          for (int d = 0; d < dims; ++d)
            if (!(x[d] >= lo[d] && x[d] <= hi[d]))
              std::printf("       box %d: x[%d] = %.9g outside [%.9g, %.9g]\n", k, d, static_cast<double>(x[d]),
                          static_cast<double>(lo[d]), static_cast<double>(hi[d]));
        }
        ++outside;
      }
      if (o.tell(cost(x, lo, hi, dims, kind)) != Status::Ok) break;
    }
  }
  CHECK(asks > kBoxes * 10);
  CHECK_EQ(outside, 0L);
}

}  // namespace

// BayesOpt refits its Gaussian process at every ask: with 48 observations and
// 240 evaluations the 40 boxes took 9 s of the host and more than the 300 s
// timeout on an emulated Cortex-M3 (soft float). 16 observations and 64
// evaluations still fill and then replace its buffer.
#define STARLING_RUN_BOXES(Name, Config)                                            \
  run_boxes<Name##Of<kMaxD, std::is_same<Config, BayesOptConfig>::value ? 16 : 48>>( \
      #Name, Config{}, std::is_same<Config, BayesOptConfig>::value ? 64 : kEvals);

TEST_CASE(asks_in_random_boxes) { STARLING_OPTIMIZERS(STARLING_RUN_BOXES) }

int main() { return check::run_all(); }
