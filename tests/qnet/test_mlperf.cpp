// SPDX-License-Identifier: MIT
// The four MLPerf Tiny model shapes (DS-CNN keyword spotting, MobileNet v1
// 0.25 visual wake words, ResNet-8, the anomaly-detection autoencoder), each
// written as .tflite by tools/tflite_models.py and imported by
// tools/tflite_import.py at build time, run end to end from their blobs:
// outputs equal the Python reference's (tests/qnet/mlperf_golden.h, from
// tests/qnet/gen_mlperf_golden.py), the arena is the header's figure, and
// each runs on a QNet of the op set the header names (NAME_OPS, what a
// firmware links), which is the library's count of the model's kinds; an op
// set without one of them refuses the model (CapacityExceeded).
// MLPERF_ONLY=<name> builds one model (the bare-metal suite runs the small
// ones).
#include <cstdint>
#include <cstring>

#include "check.hpp"
#include "qnet/mlperf_golden.h"
#include "starling/crc32.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

#if MLPERF_DSCNN
#include "dscnn_model.h"
#endif
#if MLPERF_VWW
#include "vww_model.h"
#endif
#if MLPERF_RESNET8
#include "resnet8_model.h"
#endif
#if MLPERF_AD
#include "ad_model.h"
#endif

using starling::Status;

namespace {

// The inputs gen_mlperf_golden.py draws: xorshift32, top byte - 128.
void fill(uint32_t seed, int8_t* x, int n) {
  uint32_t s = seed;
  for (int i = 0; i < n; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    x[i] = static_cast<int8_t>(static_cast<int>(s >> 24) - 128);
  }
}

template <int Layers, size_t Arena, int InSize, int OutSize, starling::QOps Ops>
void check_model(const char* name, const uint8_t* blob, size_t size, uint32_t crc,
                 unsigned golden_size, const int8_t* golden) {
  std::printf("     %s: %zu-byte blob, arena %zu bytes\n", name, size, Arena);
  // The golden outputs belong to this exact blob.
  if (!CHECK(size == golden_size && starling::crc32(blob, size) == crc)) {
    std::printf("     %s: the generated model changed; rerun tests/qnet/gen_mlperf_golden.py\n", name);
    return;
  }
  static starling::QModelStorage<Layers> st;
  // An op set lacking any one of the model's kinds (or, for a graph, the
  // planned path) refuses it at load and at init; nothing else differs.
  for (unsigned k = 0; k < 12; ++k) {
    const starling::QOps without = starling::kQOpsAll & ~(starling::QOps{1} << k);
    if ((Ops & ~starling::detail::qnet_ops_closure(without)) == 0) continue;  // k not needed
    starling::QOpResolver fewer = starling::qnet_resolver(without);
    CHECK(starling::load_qmodel(blob, size, st, fewer) == Status::CapacityExceeded);
    CHECK_EQ(st.num_layers, 0);
  }
  if (!CHECK(starling::load_qmodel(blob, size, st, starling::kQOpResolver<Ops>) == Status::Ok)) return;
  // The importer's NAME_OPS is the library's reading of the model.
  CHECK_EQ(starling::qnet_model_ops(st.model()), Ops);
  static starling::QNet<Arena, Ops> net;
  if (!CHECK(net.init(st.model()) == Status::Ok)) return;
  CHECK_EQ(net.ops(), starling::detail::qnet_ops_closure(Ops));
  if ((Ops & ~starling::kQOpsChain) != 0) {
    // Refused before the arena is looked at: required_arena_bytes() stays 0.
    starling::QNetCore chain_only;
    int8_t none[1];
    CHECK(chain_only.init(st.model(), none, 0, starling::kQOpResolver<starling::kQOpsChain>) ==
          Status::CapacityExceeded);
    CHECK_EQ(chain_only.required_arena_bytes(), size_t{0});
    CHECK(!chain_only.ready());
    CHECK_EQ(starling::qnet_missing_ops(st.model(), starling::kQOpsChain), Ops & ~starling::kQOpsChain);
  }
  CHECK_EQ(net.arena_bytes(1), Arena);
  CHECK_EQ(net.input_dim(), InSize);
  CHECK_EQ(net.output_dim(), OutSize);
  static int8_t x[InSize];
  static int8_t y[OutSize];
  for (int k = 0; k < 2; ++k) {
    fill(mlperf_golden::kSeeds[k], x, InSize);
    CHECK(net.run(x, y) == Status::Ok);
    // The committed outputs use TFLite's default double rounding; a
    // single-rounding build checks everything above and that the model runs.
    if (starling::requantize_is_single_rounding()) continue;
    const int8_t* want = golden + k * OutSize;
    if (!CHECK(std::memcmp(y, want, OutSize) == 0)) {
      int first = 0;
      while (y[first] == want[first]) ++first;
      std::printf("     %s input %d: output %d is %d, reference %d\n", name, k, first, y[first],
                  want[first]);
    }
    int cls = -1, best = 0;
    for (int i = 1; i < OutSize; ++i) best = want[i] > want[best] ? i : best;
    CHECK(net.classify(x, &cls) == Status::Ok);
    CHECK_EQ(cls, best);
  }
}

}  // namespace

TEST_CASE(mlperf_tiny_models_match_python_reference) {
#if MLPERF_DSCNN
  check_model<DSCNN_MODEL_LAYERS, DSCNN_MODEL_ARENA_BYTES, DSCNN_MODEL_INPUT_SIZE,
              DSCNN_MODEL_OUTPUT_SIZE, DSCNN_MODEL_OPS>("dscnn", dscnn_model_blob, sizeof dscnn_model_blob,
                                       mlperf_golden::kDscnnCrc, mlperf_golden::kDscnnSize,
                                       mlperf_golden::kDscnnOut);
#endif
#if MLPERF_VWW
  check_model<VWW_MODEL_LAYERS, VWW_MODEL_ARENA_BYTES, VWW_MODEL_INPUT_SIZE,
              VWW_MODEL_OUTPUT_SIZE, VWW_MODEL_OPS>("vww", vww_model_blob, sizeof vww_model_blob,
                                     mlperf_golden::kVwwCrc, mlperf_golden::kVwwSize,
                                     mlperf_golden::kVwwOut);
#endif
#if MLPERF_RESNET8
  check_model<RESNET8_MODEL_LAYERS, RESNET8_MODEL_ARENA_BYTES, RESNET8_MODEL_INPUT_SIZE,
              RESNET8_MODEL_OUTPUT_SIZE, RESNET8_MODEL_OPS>("resnet8", resnet8_model_blob, sizeof resnet8_model_blob,
                                         mlperf_golden::kResnet8Crc, mlperf_golden::kResnet8Size,
                                         mlperf_golden::kResnet8Out);
#endif
#if MLPERF_AD
  check_model<AD_MODEL_LAYERS, AD_MODEL_ARENA_BYTES, AD_MODEL_INPUT_SIZE, AD_MODEL_OUTPUT_SIZE, AD_MODEL_OPS>(
      "ad", ad_model_blob, sizeof ad_model_blob, mlperf_golden::kAdCrc, mlperf_golden::kAdSize,
      mlperf_golden::kAdOut);
#endif
}

int main() { return check::run_all(); }
