// SPDX-License-Identifier: MIT
// QNet: equivalence with layer-by-layer kernel calls, init validation,
// arena sizing, batches, LUT builders (golden values from Python), the
// int8 lattice helper and CRC-32.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "check.hpp"
#include "qnet/model_a.hpp"
#include "qnet/qnet_golden.hpp"
#include "starling/crc32.hpp"
#include "starling/qnet.hpp"
#include "starling/quant.hpp"

using starling::FcParams;
using starling::QLayer;
using starling::QLayerKind;
using starling::QModel;
using starling::QNet;
using starling::QNetCore;
using starling::Status;

namespace {

// Model A (from the generated header) as C++ const data.
using model_a::kA0;
using model_a::kA2;
using model_a::kLayersA;
using model_a::kModelA;

// The arena size is a compile-time function of a constexpr model.
static_assert(starling::qnet_arena_bytes(kModelA) == 2 * 10, "two buffers of the widest layer");
static_assert(starling::qnet_arena_bytes(kModelA, 3) == 2 * 3 * 10, "per batch");
static_assert(starling::qnet_arena_bytes(QModel{nullptr, 0, 0}) == 0, "empty");

// Deterministic inputs.
struct Lcg {
  uint32_t s;
  int8_t next() {
    s = s * 1664525u + 1013904223u;
    return static_cast<int8_t>(static_cast<int32_t>(s >> 24) - 128);
  }
};

// The reference: every layer by hand with the kernels.
void reference(const QModel& m, const int8_t* in, int8_t* out, int* cls) {
  int8_t a[64], b[64];
  std::memcpy(a, in, static_cast<size_t>(m.input_dim));
  int width = m.input_dim;
  for (int i = 0; i < m.num_layers; ++i) {
    const QLayer& l = m.layers[i];
    if (l.kind == QLayerKind::FullyConnected) {
      CHECK(starling::fully_connected_s8(l.fc, a, l.weights, l.bias, b, 1) == Status::Ok);
      width = l.fc.out_dim;
      std::memcpy(a, b, static_cast<size_t>(width));
    } else if (l.kind == QLayerKind::Lut) {
      for (int j = 0; j < width; ++j) a[j] = l.lut[a[j] + 128];
    }
  }
  std::memcpy(out, a, static_cast<size_t>(width));
  int best = 0;
  for (int j = 1; j < width; ++j) best = a[j] > a[best] ? j : best;
  *cls = best;
}

}  // namespace

// The sizes qnet.hpp and qmodel.hpp document (load memory is
// MaxLayers·sizeof(QLayer)).
TEST_CASE(qlayer_size_is_documented) {
  CHECK_EQ(sizeof(QLayer), sizeof(void*) == 4 ? size_t{156} : size_t{208});
}

TEST_CASE(run_equals_layer_by_layer_kernels) {
  QNet<starling::qnet_arena_bytes(kModelA)> net;
  CHECK(net.init(kModelA) == Status::Ok);
  CHECK_EQ(net.input_dim(), 6);
  CHECK_EQ(net.output_dim(), 4);
  CHECK_EQ(net.max_batches(), 1);
  Lcg rng{1};
  for (int t = 0; t < 500; ++t) {
    int8_t x[6];
    for (int8_t& v : x) v = rng.next();
    int8_t y[4], want[4];
    int cls = -1, want_cls = -2;
    CHECK(net.run(x, y) == Status::Ok);
    CHECK(net.classify(x, &cls) == Status::Ok);
    reference(kModelA, x, want, &want_cls);
    CHECK(std::memcmp(y, want, 4) == 0);
    CHECK_EQ(cls, want_cls);
  }
}

TEST_CASE(outputs_equal_python_reference) {
  // The generated outputs use TFLite's default double rounding.
  if (starling::requantize_is_single_rounding()) return;
  QNet<64> net;
  CHECK(net.init(kModelA) == Status::Ok);
  for (int t = 0; t < golden::kCount_a; ++t) {
    int8_t y[4];
    int cls = -1;
    CHECK(net.run(golden::kIn_a + 6 * t, y) == Status::Ok);
    CHECK(net.classify(golden::kIn_a + 6 * t, &cls) == Status::Ok);
    CHECK(std::memcmp(y, golden::kOut_a + 4 * t, 4) == 0);
    CHECK_EQ(cls, golden::kClass_a[t]);
  }
}

TEST_CASE(batches_equal_single_runs) {
  constexpr int kB = 5;
  QNet<starling::qnet_arena_bytes(kModelA, kB)> net;
  CHECK(net.init(kModelA) == Status::Ok);
  CHECK_EQ(net.max_batches(), kB);
  Lcg rng{7};
  int8_t x[kB * 6], y[kB * 4];
  for (int8_t& v : x) v = rng.next();
  int cls[kB];
  CHECK(net.run(x, y, kB) == Status::Ok);
  CHECK(net.classify(x, cls, kB) == Status::Ok);
  for (int b = 0; b < kB; ++b) {
    int8_t one[4];
    int c = -1;
    CHECK(net.run(x + 6 * b, one) == Status::Ok);
    CHECK(net.classify(x + 6 * b, &c) == Status::Ok);
    CHECK(std::memcmp(one, y + 4 * b, 4) == 0);
    CHECK_EQ(c, cls[b]);
  }
  CHECK(net.run(x, y, kB + 1) == Status::CapacityExceeded);
  CHECK(net.classify(x, cls, kB + 1) == Status::CapacityExceeded);
  CHECK(net.run(x, y, 0) == Status::InvalidArgument);
}

TEST_CASE(core_on_caller_arena_and_capacity) {
  const size_t need = starling::qnet_arena_bytes(kModelA);
  int8_t arena[64];
  QNetCore core;
  CHECK(core.init(kModelA, arena, need - 1) == Status::CapacityExceeded);
  CHECK(!core.ready());
  CHECK(core.init(kModelA, nullptr, 0) == Status::CapacityExceeded);
  CHECK(core.init(kModelA, nullptr, need) == Status::InvalidArgument);
  CHECK(core.init(kModelA, arena, need) == Status::Ok);
  CHECK_EQ(core.max_batches(), 1);
  CHECK(core.init(kModelA, arena, sizeof arena) == Status::Ok);
  CHECK_EQ(core.max_batches(), 3);  // 64 / 20
  // The arena is only scratch: results do not depend on its old contents.
  int8_t x[6] = {1, -2, 3, -4, 5, -128}, y1[4], y2[4];
  CHECK(core.run(x, y1) == Status::Ok);
  std::memset(arena, 0x5A, sizeof arena);
  CHECK(core.run(x, y2) == Status::Ok);
  CHECK(std::memcmp(y1, y2, 4) == 0);
}

TEST_CASE(not_ready_before_init_and_after_failed_init) {
  QNet<64> net;
  int8_t x[6] = {}, y[4];
  int cls;
  CHECK(!net.ready());
  CHECK_EQ(net.input_dim(), 0);
  CHECK(net.run(x, y) == Status::NotReady);
  CHECK(net.classify(x, &cls) == Status::NotReady);
  CHECK(net.init(kModelA) == Status::Ok);
  CHECK(net.run(x, y) == Status::Ok);
  CHECK(net.run(nullptr, y) == Status::InvalidArgument);
  CHECK(net.run(x, nullptr) == Status::InvalidArgument);
  CHECK(net.classify(x, nullptr) == Status::InvalidArgument);
  const QModel bad = {kLayersA, 4, 7};
  CHECK(net.init(bad) == Status::InvalidArgument);
  CHECK(net.run(x, y) == Status::NotReady);
  QNet<8> small;
  CHECK(small.init(kModelA) == Status::CapacityExceeded);
  CHECK(small.run(x, y) == Status::NotReady);
}

namespace {
// init() against a broken copy of model A: each row breaks one thing.
struct BadCase {
  const char* what;
  void (*mutate)(QLayer* l, QModel* m);
  Status want;
};
const int32_t kNegMult[1] = {-1};
const int32_t kBigShift[1] = {31};
const int32_t kSmallShift[1] = {-32};
const int32_t kOkMult[1] = {1 << 30};
const int32_t kOkShift[1] = {0};
const BadCase kBad[] = {
    {"valid", [](QLayer*, QModel*) {}, Status::Ok},
    {"null layers", [](QLayer*, QModel* m) { m->layers = nullptr; }, Status::InvalidArgument},
    {"zero layers", [](QLayer*, QModel* m) { m->num_layers = 0; }, Status::InvalidArgument},
    {"negative layers", [](QLayer*, QModel* m) { m->num_layers = -1; }, Status::InvalidArgument},
    {"zero input", [](QLayer*, QModel* m) { m->input_dim = 0; }, Status::InvalidArgument},
    {"input mismatch", [](QLayer*, QModel* m) { m->input_dim = 5; }, Status::InvalidArgument},
    {"unknown kind", [](QLayer* l, QModel*) { l[1].kind = static_cast<QLayerKind>(0); },
     Status::InvalidArgument},
    {"kind 9", [](QLayer* l, QModel*) { l[2].kind = static_cast<QLayerKind>(9); },
     Status::InvalidArgument},
    {"fc in_dim mismatch", [](QLayer* l, QModel*) { l[2].fc.in_dim = 9; }, Status::InvalidArgument},
    {"fc out_dim 0", [](QLayer* l, QModel*) { l[2].fc.out_dim = 0; }, Status::InvalidArgument},
    {"fc null weights", [](QLayer* l, QModel*) { l[0].weights = nullptr; },
     Status::InvalidArgument},
    {"fc null multiplier", [](QLayer* l, QModel*) { l[0].fc.multiplier = nullptr; },
     Status::InvalidArgument},
    {"fc null shift", [](QLayer* l, QModel*) { l[2].fc.shift = nullptr; },
     Status::InvalidArgument},
    {"fc null bias is fine", [](QLayer* l, QModel*) { l[0].bias = nullptr; }, Status::Ok},
    {"fc input_offset 129", [](QLayer* l, QModel*) { l[0].fc.input_offset = 129; },
     Status::InvalidArgument},
    {"fc input_offset -128", [](QLayer* l, QModel*) { l[0].fc.input_offset = -128; },
     Status::InvalidArgument},
    {"fc output_offset 128", [](QLayer* l, QModel*) { l[2].fc.output_offset = 128; },
     Status::InvalidArgument},
    {"fc act_min > act_max", [](QLayer* l, QModel*) { l[0].fc.act_min = 10, l[0].fc.act_max = 9; },
     Status::InvalidArgument},
    {"fc act_max 128", [](QLayer* l, QModel*) { l[0].fc.act_max = 128; }, Status::InvalidArgument},
    {"fc act_min -129", [](QLayer* l, QModel*) { l[0].fc.act_min = -129; },
     Status::InvalidArgument},
    {"fc negative multiplier", [](QLayer* l, QModel*) { l[2].fc.multiplier = kNegMult; },
     Status::InvalidArgument},
    {"fc shift 31", [](QLayer* l, QModel*) { l[2].fc.shift = kBigShift; },
     Status::InvalidArgument},
    {"fc shift -32", [](QLayer* l, QModel*) { l[2].fc.shift = kSmallShift; },
     Status::InvalidArgument},
    {"fc in_dim too large", [](QLayer* l, QModel* m) {
       l[0].fc.in_dim = m->input_dim = starling::kFcMaxInDim + 1;
       l[0].fc.multiplier = kOkMult, l[0].fc.shift = kOkShift, l[0].fc.per_channel = false;
     }, Status::CapacityExceeded},
    {"lut null", [](QLayer* l, QModel*) { l[1].lut = nullptr; }, Status::InvalidArgument},
    {"lut dim mismatch", [](QLayer* l, QModel*) { l[1].dim = 9; }, Status::InvalidArgument},
    {"argmax dim mismatch", [](QLayer* l, QModel*) { l[3].dim = 5; }, Status::InvalidArgument},
    {"argmax not last", [](QLayer* l, QModel*) { l[1] = starling::qnet_argmax(10); },
     Status::InvalidArgument},
    {"argmax first", [](QLayer* l, QModel* m) { l[0] = starling::qnet_argmax(6); m->num_layers = 1; },
     Status::Ok},
    {"no argmax", [](QLayer*, QModel* m) { m->num_layers = 3; }, Status::Ok},
    {"fc only", [](QLayer*, QModel* m) { m->num_layers = 1; }, Status::Ok},
};
}  // namespace

TEST_CASE(init_rejects_each_bad_model) {
  for (const BadCase& c : kBad) {
    QLayer layers[4];
    for (int i = 0; i < 4; ++i) layers[i] = kLayersA[i];
    QModel m = {layers, 4, 6};
    c.mutate(layers, &m);
    // Every kind enabled: a firmware's default op set (FC/LUT/argmax) would
    // refuse 'kind 9' (Softmax) as CapacityExceeded before checking it.
    QNet<64, starling::kQOpsAll> net;
    const Status got = net.init(m);
    if (!CHECK(got == c.want)) {
      std::printf("     case '%s': got %s, want %s\n", c.what, starling::status_name(got),
                  starling::status_name(c.want));
    }
    CHECK(starling::qnet_validate(m) == c.want);  // init adds only the arena check
    CHECK_EQ(net.ready(), c.want == Status::Ok);
  }
}

TEST_CASE(argmax_only_and_fc_only_models) {
  // A pure argmax: run() copies the input, classify() picks the first max.
  const QLayer am[] = {starling::qnet_argmax(5)};
  const QModel m = {am, 1, 5};
  CHECK_EQ(starling::qnet_arena_bytes(m), 0u);
  QNetCore core;
  CHECK(core.init(m, nullptr, 0) == Status::Ok);
  const int8_t x[10] = {3, 9, -1, 9, 0, -128, -128, -128, -128, -128};
  int8_t y[10];
  int cls[2];
  CHECK(core.run(x, y, 2) == Status::Ok);
  CHECK(std::memcmp(x, y, 10) == 0);
  CHECK(core.classify(x, cls, 2) == Status::Ok);
  CHECK_EQ(cls[0], 1);  // ties: the first index, as TFLite ARG_MAX
  CHECK_EQ(cls[1], 0);
  // One FC layer writes straight into the caller's output; classify uses the arena.
  static constexpr QModel fc_only = {kLayersA, 1, 6};
  QNet<starling::qnet_arena_bytes(fc_only)> net;
  CHECK(net.init(fc_only) == Status::Ok);
  int8_t out[10], want[10];
  int c = -1, want_c = -2;
  CHECK(net.run(x, out) == Status::Ok);
  CHECK(net.classify(x, &c) == Status::Ok);
  reference(fc_only, x, want, &want_c);
  CHECK(std::memcmp(out, want, 10) == 0);
  CHECK_EQ(c, want_c);
}

TEST_CASE(lut_only_and_lut_chains_ping_pong) {
  // Three LUT layers: an odd and an even number of compute layers both end
  // in the right buffer for classify().
  int8_t inc[256], neg[256];
  for (int i = 0; i < 256; ++i) {
    inc[i] = static_cast<int8_t>(i == 255 ? 127 : i - 127);  // q -> q + 1, saturating
    neg[i] = static_cast<int8_t>(i == 0 ? 127 : 128 - i);    // q -> -q, saturating
  }
  const QLayer layers[] = {starling::qnet_lut(3, inc), starling::qnet_lut(3, neg),
                           starling::qnet_lut(3, inc), starling::qnet_argmax(3)};
  const int8_t x[3] = {5, -7, 127};
  for (int n = 1; n <= 3; ++n) {
    const QModel m = {layers, n, 3};
    QNet<6> net;
    CHECK(net.init(m) == Status::Ok);
    int8_t y[3];
    int cls = -1;
    CHECK(net.run(x, y) == Status::Ok);
    CHECK(net.classify(x, &cls) == Status::Ok);
    int8_t want[3];
    for (int j = 0; j < 3; ++j) {
      int v = x[j];
      for (int k = 0; k < n; ++k) v = (k == 1 ? neg : inc)[v + 128];
      want[j] = static_cast<int8_t>(v);
    }
    CHECK(std::memcmp(y, want, 3) == 0);
    int best = 0;
    for (int j = 1; j < 3; ++j) best = want[j] > want[best] ? j : best;
    CHECK_EQ(cls, best);
  }
}

TEST_CASE(mutable_weights_rewritten_between_runs) {
  // Gradient-free tuning: the model stays const, its weights live in RAM.
  int8_t w0[60];
  std::memcpy(w0, golden::kA0_weights, sizeof w0);
  const QLayer layers[] = {starling::qnet_fc(kA0, w0, golden::kA0_bias), kLayersA[1], kLayersA[2],
                           kLayersA[3]};
  const QModel m = {layers, 4, 6};
  QNet<starling::qnet_arena_bytes(kModelA)> net;
  CHECK(net.init(m) == Status::Ok);
  const int8_t x[6] = {10, -20, 30, -40, 50, -60};
  Lcg rng{3};
  float pos[60];
  for (int round = 0; round < 20; ++round) {
    for (float& p : pos) p = static_cast<float>(rng.next()) * 1.3f;
    starling::to_int8_lattice(pos, 60, w0);  // no init() in between
    int8_t y[4], want[4];
    int cls = -1, want_cls = -2;
    CHECK(net.run(x, y) == Status::Ok);
    CHECK(net.classify(x, &cls) == Status::Ok);
    reference(m, x, want, &want_cls);
    CHECK(std::memcmp(y, want, 4) == 0);
    CHECK_EQ(cls, want_cls);
  }
}

TEST_CASE(to_int8_lattice_rounding_and_clamping) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float in[] = {0.0f,  -0.0f,   0.49999997f, 0.5f,   -0.5f, 1.5f,   2.5f,   -2.5f,
                      1.49f, -1.51f,  126.4f,      126.5f, 127.f, 127.5f, 200.f,  -126.5f,
                      -127.f, -127.5f, -128.f,     -1e30f, 1e30f, inf,    -inf,   nan};
  const int8_t want[] = {0,   0,    0,    1,   -1,   2,   3,    -3,   1,    -2,   126,  127,
                         127, 127,  127,  -127, -127, -127, -127, -127, 127, 127, -127, 0};
  static_assert(sizeof in / sizeof in[0] == sizeof want, "table");
  int8_t out[sizeof want];
  std::memset(out, 99, sizeof out);
  starling::to_int8_lattice(in, static_cast<int>(sizeof want), out);
  for (size_t i = 0; i < sizeof want; ++i) {
    if (!CHECK(out[i] == want[i])) std::printf("     index %zu: got %d\n", i, out[i]);
  }
  int8_t keep[2] = {7, 7};
  starling::to_int8_lattice(in, 0, keep);
  starling::to_int8_lattice(in, -3, keep);
  starling::to_int8_lattice(nullptr, 2, keep);
  starling::to_int8_lattice(in, 2, nullptr);
  CHECK(keep[0] == 7 && keep[1] == 7);
}

TEST_CASE(lut_golden_from_python) {
  for (const golden::LutCase& c : golden::kLutCases) {
    int8_t lut[256];
    Status s = Status::InvalidArgument;
    const char* name = c.name;
    if (std::strncmp(name, "tanh", 4) == 0) {
      s = starling::make_tanh_lut(c.in_scale, c.in_zp, c.out_scale, c.out_zp, lut);
    } else if (std::strncmp(name, "sigmoid", 7) == 0) {
      s = starling::make_sigmoid_lut(c.in_scale, c.in_zp, c.out_scale, c.out_zp, lut);
    } else if (std::strcmp(name, "step") == 0) {
      s = starling::make_step_lut(c.in_scale, c.in_zp, c.out_scale, c.out_zp, 0.3, -1.0, 1.0, lut);
    } else if (std::strcmp(name, "staircase") == 0) {
      s = starling::make_staircase_lut(c.in_scale, c.in_zp, c.out_scale, c.out_zp, 5, -2.0, 2.0,
                                       -1.0, 1.0, lut);
    }
    CHECK(s == Status::Ok);
    int diff = 0;
    for (int i = 0; i < 256; ++i) diff += lut[i] != c.table[i];
    if (!CHECK_EQ(diff, 0)) std::printf("     table %s\n", c.name);
  }
}

TEST_CASE(make_lut_custom_functions) {
  int8_t lut[256];
  // Identity with equal parameters maps every q to itself.
  CHECK(starling::make_lut(0.1f, 3, 0.1f, 3, [](double x) { return x; }, lut) == Status::Ok);
  for (int i = 0; i < 256; ++i) CHECK_EQ(lut[i], i - 128);
  // ReLU through a function object; ties round away from zero.
  struct Relu {
    double operator()(double x) const { return x > 0 ? x : 0; }
  };
  CHECK(starling::make_lut(0.5f, 0, 1.0f, -10, Relu{}, lut) == Status::Ok);
  CHECK_EQ(lut[128 + 1], -9);    // 0.5 -> 1
  CHECK_EQ(lut[128 + 3], -8);    // 1.5 -> 2
  CHECK_EQ(lut[128 - 5], -10);   // 0
  CHECK_EQ(lut[255], 54);        // 63.5 -> 64
  // Saturation, NaN and infinities.
  CHECK(starling::make_lut(1.0f, 0, 1.0f, 0, [](double x) { return x * 1e300 * 1e300; }, lut) ==
        Status::Ok);
  CHECK(lut[0] == -128 && lut[128] == 0 && lut[129] == 127);
  CHECK(starling::make_lut(1.0f, 0, 1.0f, 5, [](double) { return std::nan(""); }, lut) ==
        Status::Ok);
  CHECK(lut[0] == 5 && lut[255] == 5);
  // Invalid parameters write nothing.
  std::memset(lut, 42, sizeof lut);
  const auto id = [](double x) { return x; };
  CHECK(starling::make_lut(0.0f, 0, 1.0f, 0, id, lut) == Status::InvalidArgument);
  CHECK(starling::make_lut(-1.0f, 0, 1.0f, 0, id, lut) == Status::InvalidArgument);
  CHECK(starling::make_lut(1.0f, 0, std::nanf(""), 0, id, lut) == Status::InvalidArgument);
  CHECK(starling::make_lut(1.0f, 0, std::numeric_limits<float>::infinity(), 0, id, lut) ==
        Status::InvalidArgument);
  CHECK(starling::make_lut(1.0f, 128, 1.0f, 0, id, lut) == Status::InvalidArgument);
  CHECK(starling::make_lut(1.0f, 0, 1.0f, -129, id, lut) == Status::InvalidArgument);
  CHECK(starling::make_lut(1.0f, 0, 1.0f, 0, id, nullptr) == Status::InvalidArgument);
  CHECK(starling::make_staircase_lut(1.0f, 0, 1.0f, 0, 1, -1, 1, 0, 1, lut) ==
        Status::InvalidArgument);
  CHECK(starling::make_staircase_lut(1.0f, 0, 1.0f, 0, 257, -1, 1, 0, 1, lut) ==
        Status::InvalidArgument);
  CHECK(starling::make_staircase_lut(1.0f, 0, 1.0f, 0, 4, 1, 1, 0, 1, lut) ==
        Status::InvalidArgument);
  CHECK(starling::make_step_lut(1.0f, 0, 1.0f, 0, std::nan(""), 0, 1, lut) ==
        Status::InvalidArgument);
  CHECK(starling::make_tanh_lut(1.0f, 0, 0.0f, 0, lut) == Status::InvalidArgument);
  CHECK(starling::make_sigmoid_lut(1.0f, 300, 1.0f, 0, lut) == Status::InvalidArgument);
  bool untouched = true;
  for (int8_t v : lut) untouched = untouched && v == 42;
  CHECK(untouched);
}

TEST_CASE(portable_exp_accuracy) {
  CHECK_EQ(starling::portable_exp(0.0), 1.0);
  CHECK_EQ(starling::portable_tanh(0.0), 0.0);
  CHECK_EQ(starling::portable_sigmoid(0.0), 0.5);
  CHECK(std::isnan(starling::portable_exp(std::nan(""))));
  CHECK(std::isinf(starling::portable_exp(710.0)));
  CHECK_EQ(starling::portable_exp(-746.0), 0.0);
  CHECK_EQ(starling::portable_tanh(30.0), 1.0);
  CHECK_EQ(starling::portable_tanh(-30.0), -1.0);
  double max_rel = 0, max_tanh = 0, max_sig = 0;
  for (int i = -70000; i <= 70000; ++i) {
    const double x = i * 0.01 + 0.003;
    const double e = std::exp(x);
    max_rel = std::fmax(max_rel, std::fabs(starling::portable_exp(x) - e) / e);
    const double t = x / 100;  // the activation range
    max_tanh = std::fmax(max_tanh, std::fabs(starling::portable_tanh(t) - std::tanh(t)));
    max_sig = std::fmax(max_sig,
                        std::fabs(starling::portable_sigmoid(t) - 1.0 / (1.0 + std::exp(-t))));
  }
  // Integers: newlib-nano's printf has no %g.
  std::printf("     portable_exp max error %ld/100 ulp\n",
              static_cast<long>(max_rel / 2.220446049250313e-16 * 100));
  CHECK(max_rel <= 2 * 2.220446049250313e-16);
  CHECK(max_tanh < 1e-15);
  CHECK(max_sig < 1e-15);
}

TEST_CASE(crc32_check_values) {
  CHECK_EQ(starling::crc32("123456789", 9), 0xCBF43926u);
  CHECK_EQ(starling::crc32("", 0), 0u);
  CHECK_EQ(starling::crc32(nullptr, 0), 0u);
  CHECK_EQ(starling::crc32(nullptr, 5, 0x1234u), 0x1234u);
  const char* fox = "The quick brown fox jumps over the lazy dog";
  CHECK_EQ(starling::crc32(fox, std::strlen(fox)), 0x414FA339u);
  // Chaining, split at every point.
  const char* digits = "123456789";
  for (size_t k = 0; k <= 9; ++k) {
    CHECK_EQ(starling::crc32(&digits[k], 9 - k, starling::crc32(digits, k)), 0xCBF43926u);
  }
  const uint8_t zeros[32] = {};
  CHECK_EQ(starling::crc32(zeros, sizeof zeros), 0x190A55ADu);
}

int main() { return check::run_all(); }
