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

// The exporter's input quantization: clamp(round_half_away(x / scale) + zp).
void quantize_input(const float* x, int8_t* q) {
  for (int i = 0; i < em::kInputDim; ++i) {
    const double v = static_cast<double>(x[i]) / static_cast<double>(em::kInputScale);
    const double r = v < 0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5);
    const double c = r + em::kInputZeroPoint;
    q[i] = static_cast<int8_t>(c < -128 ? -128 : c > 127 ? 127 : c);
  }
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
