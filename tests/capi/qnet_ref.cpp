// SPDX-License-Identifier: MIT
// tests/capi/qnet_ref.cpp: the C++ reference runs for test_qnet_capi.c (see qnet_ref.h).
#include "qnet_ref.h"

#include "exported_model.h"
#include "qnet/model_a.hpp"
#include "qnet/qnet_golden.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"
#include "starling/quant.hpp"

namespace {

struct Entry {
  qnet_ref_model m;
  const starling::QModel* table;  // the C++ layer table of the same model, or null
};

const Entry kEntries[] = {
    {{"a", golden::kBlob_a, sizeof golden::kBlob_a, 6, 4, 4, 0, golden::kIn_a, golden::kOut_a,
      golden::kClass_a, golden::kCount_a},
     &model_a::kModelA},
    {{"tiny", golden::kBlob_tiny, sizeof golden::kBlob_tiny, 3, 2, 4, 0, golden::kIn_tiny,
      golden::kOut_tiny, golden::kClass_tiny, golden::kCount_tiny},
     nullptr},
    {{"shared", golden::kBlob_shared, sizeof golden::kBlob_shared, 5, 5, 4, 0,
      golden::kIn_shared, golden::kOut_shared, golden::kClass_shared, golden::kCount_shared},
     nullptr},
    {{"relu6", golden::kBlob_relu6, sizeof golden::kBlob_relu6, 8, 2, 2, 0, golden::kIn_relu6,
      golden::kOut_relu6, golden::kClass_relu6, golden::kCount_relu6},
     nullptr},
    {{"exported_model", exported_model::kBlob, sizeof exported_model::kBlob,
      exported_model::kInputDim, 3, 3, 0, nullptr, nullptr, nullptr, 0},
     &exported_model::kModel},
};
constexpr int kCount = static_cast<int>(sizeof kEntries / sizeof kEntries[0]);

// The C++ model of entry i: its layer table, or the C++ loader's result.
starling::QModelStorage<16> g_storage;
starling::QModel model_of(int i) {
  if (kEntries[i].table != nullptr) return *kEntries[i].table;
  if (starling::load_qmodel(kEntries[i].m.blob, kEntries[i].m.blob_size, g_storage) !=
      starling::Status::Ok)
    return starling::QModel{nullptr, 0, 0};
  return g_storage.model();
}

int8_t g_arena[1 << 14];

}  // namespace

extern "C" {

int qnet_ref_count(void) { return kCount; }

qnet_ref_model qnet_ref_get(int i) {
  qnet_ref_model m = kEntries[i].m;
  m.arena_bytes_1 = starling::qnet_arena_bytes(model_of(i), 1);
  return m;
}

int qnet_ref_run(int i, const int8_t* input, int batches, int8_t* output, int* classes) {
  starling::QNetCore net;
  const starling::Status s = net.init(model_of(i), g_arena, sizeof g_arena);
  if (s != starling::Status::Ok) return static_cast<int>(s);
  const starling::Status r = net.run(input, output, batches);
  const starling::Status c = net.classify(input, classes, batches);
  return r == c ? static_cast<int>(r) : -1;
}

int qnet_ref_quantize(const float* x, int n, float scale, int32_t zp, int8_t* q) {
  return static_cast<int>(starling::quantize_input(x, n, scale, zp, q));
}

int qnet_ref_dequantize(const int8_t* q, int n, float scale, int32_t zp, float* x) {
  return static_cast<int>(starling::dequantize_output(q, n, scale, zp, x));
}

}  // extern "C"
