// SPDX-License-Identifier: MIT
// Runs the header that tools/export_qnet.py generated (exported_model.h, from
// examples/data/blobs_mlp.json and its calibration inputs) with QNet, both as
// the const model descriptor and as the blob through load_qmodel, and checks
// that its argmax agrees with the float network (evaluated here from
// blobs_mlp_data.h) on at least 99% of the test split.
#include <cmath>
#include <cstdio>

#include "blobs_mlp_data.h"
#include "float_mlp.hpp"
#include "check.hpp"
#include "exported_model.h"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

namespace {

namespace bm = blobs_mlp;
namespace em = exported_model;

// The header's input quantization, through the library helper.
void quantize_input(const float* x, int8_t* q) {
  CHECK(starling::quantize_input(x, em::kInputDim, em::kInputScale, em::kInputZeroPoint, q) ==
        starling::Status::Ok);
}

TEST_CASE(exported_header_matches_float) {
  static_assert(em::kInputDim == bm::kIn, "input width");
  static starling::QNet<starling::qnet_arena_bytes(em::kModel)> net;
  CHECK(net.init(em::kModel) == starling::Status::Ok);
  CHECK_EQ(net.output_dim(), bm::kOut);
  int agree = 0, correct = 0, correct_float = 0;
  for (int s = 0; s < bm::kTestCount; ++s) {
    int8_t q[em::kInputDim];
    quantize_input(bm::kTestX + s * bm::kIn, q);
    int cls = -1;
    CHECK(net.classify(q, &cls) == starling::Status::Ok);
    const int f = float_mlp::classify(bm::kTestX + s * bm::kIn);
    agree += cls == f;
    correct += cls == bm::kTestY[s];
    correct_float += f == bm::kTestY[s];
  }
  std::printf("exported int8 argmax == float argmax on %d/%d = %.2f%%; accuracy int8 %.2f%%, "
              "float %.2f%%\n",
              agree, bm::kTestCount, 100.0 * agree / bm::kTestCount,
              100.0 * correct / bm::kTestCount, 100.0 * correct_float / bm::kTestCount);
  CHECK(agree * 100 >= bm::kTestCount * 99);
}

// The output constants turn the int8 scores back into the float network's
// scores: their mean error over the test split (scores saturated at −128 or
// 127, beyond the calibrated range, left out) is below half an output step,
// and smaller than with the zero point one step off or the scale 1/16 off.
double mean_score_error(float scale, int32_t zero_point, int* saturated) {
  static starling::QNet<em::kArenaBytes> net;
  CHECK(net.init(em::kModel) == starling::Status::Ok);
  double sum = 0;
  int n = 0;
  *saturated = 0;
  for (int s = 0; s < bm::kTestCount; ++s) {
    int8_t q[em::kInputDim], out[em::kOutputDim];
    float y[em::kOutputDim], f[bm::kOut];
    quantize_input(bm::kTestX + s * bm::kIn, q);
    CHECK(net.run(q, out) == starling::Status::Ok);
    CHECK(starling::dequantize_output(out, em::kOutputDim, scale, zero_point, y) ==
          starling::Status::Ok);
    float_mlp::scores(bm::kTestX + s * bm::kIn, f);
    for (int o = 0; o < bm::kOut; ++o) {
      if (out[o] == -128 || out[o] == 127) {
        ++*saturated;
        continue;
      }
      sum += std::fabs(static_cast<double>(y[o]) - static_cast<double>(f[o]));
      ++n;
    }
  }
  return sum / n / static_cast<double>(em::kOutputScale);  // in output steps
}

TEST_CASE(exported_output_constants_dequantize_scores) {
  static_assert(em::kOutputDim == bm::kOut, "output width");
  static_assert(em::kNumLayers == 3 && em::kArenaBytes == 32, "4-16-3 with an argmax");
  int saturated = 0;
  const double e = mean_score_error(em::kOutputScale, em::kOutputZeroPoint, &saturated);
  std::printf("dequantized scores vs float: mean error %.3f output steps (%d of %d saturated)\n",
              e, saturated, bm::kTestCount * bm::kOut);
  CHECK(e < 0.5);
  CHECK(saturated * 100 < bm::kTestCount * bm::kOut);
  const float s = em::kOutputScale;
  const int32_t zp = em::kOutputZeroPoint;
  struct Off { float scale; int32_t zp; } offs[] = {
      {s, zp - 1}, {s, zp + 1}, {s * (1 - 1.0f / 16), zp}, {s * (1 + 1.0f / 16), zp}};
  for (const Off& o : offs) {
    int sat = 0;
    const double eo = mean_score_error(o.scale, o.zp, &sat);
    std::printf("  scale %.6g zp %d: mean error %.3f steps\n", static_cast<double>(o.scale),
                static_cast<int>(o.zp), eo);
    CHECK(eo > e);
  }
}

TEST_CASE(exported_blob_matches_header) {
  starling::QModelStorage<4> storage;
  CHECK(starling::load_qmodel(em::kBlob, sizeof em::kBlob, storage) == starling::Status::Ok);
  static starling::QNet<64> from_blob, from_header;
  CHECK(from_blob.init(storage.model()) == starling::Status::Ok);
  CHECK(from_header.init(em::kModel) == starling::Status::Ok);
  int same = 0;
  for (int s = 0; s < bm::kTestCount; ++s) {
    int8_t q[em::kInputDim], a[bm::kOut] = {}, b[bm::kOut] = {};
    quantize_input(bm::kTestX + s * bm::kIn, q);
    CHECK(from_blob.run(q, a) == starling::Status::Ok);
    CHECK(from_header.run(q, b) == starling::Status::Ok);
    same += a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
  }
  CHECK_EQ(same, bm::kTestCount);
}

}  // namespace

int main() { return check::run_all(); }
