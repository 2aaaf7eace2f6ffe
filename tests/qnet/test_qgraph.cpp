// SPDX-License-Identifier: MIT
// QNet graphs: models imported from .tflite files (every layer kind,
// residual reads, reshapes) give the Python reference's outputs bit for bit;
// the planned arena is the size the importer computed, reused, and never
// exceeded; the version-2 loader rejects every corruption; validation of
// hand-built graphs; mean_s8's checks.
//
// Goldens: graph_golden.h, written at build time by
// tests/qnet/gen_graph_golden.py (tools/tflite_models.py writes the .tflite,
// tools/tflite_import.py imports it, tools/qnet_blob.run_graph over
// tools/int8_ref.py computes the outputs), in this build's rounding.
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "check.hpp"
#include "graph_golden.h"
#include "starling/crc32.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define QTEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QTEST_ASAN 1
#endif
#endif
#ifdef QTEST_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#define ASAN_UNPOISON_MEMORY_REGION(addr, size) ((void)(addr), (void)(size))
#endif

using starling::QLayer;
using starling::QLayerKind;
using starling::QModel;
using starling::QModelStorage;
using starling::QNetCore;
using starling::Status;

namespace {

// Every kind: the library's default op set is only the FC/LUT/argmax chain
// on firmware (the emulated Cortex-M runs this test too).
const starling::QOpResolver& kAll = starling::kQOpResolver<starling::kQOpsAll>;

// The exhaustive corruption sweeps run in full natively; on the emulated
// Cortex-M (QGRAPH_SAMPLED) every 7th byte position is tried, which keeps
// the three Cortex-M runs of CI within seconds each.
#if QGRAPH_SAMPLED
constexpr size_t kPosStep = 7;
#else
constexpr size_t kPosStep = 1;
#endif

constexpr size_t kArenaCap = 8192;
alignas(8) int8_t g_arena[kArenaCap + 64];
int8_t g_out[64 * 64];
int8_t g_in[64 * 512];

// A mutable 8-aligned copy of a blob with field editors and a CRC fixer.
struct Buf {
  static constexpr size_t kCap = 4096;
  alignas(8) uint8_t b[kCap];
  size_t n = 0;
  explicit Buf(const uint8_t* src, size_t len) : n(len) {
    std::memset(b, 0, kCap);
    std::memcpy(b, src, len);
  }
  uint32_t rd32(size_t off) const {
    return static_cast<uint32_t>(b[off]) | static_cast<uint32_t>(b[off + 1]) << 8 |
           static_cast<uint32_t>(b[off + 2]) << 16 | static_cast<uint32_t>(b[off + 3]) << 24;
  }
  void wr32(size_t off, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[off + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (8 * i));
  }
  void wr16(size_t off, uint16_t v) {
    b[off] = static_cast<uint8_t>(v);
    b[off + 1] = static_cast<uint8_t>(v >> 8);
  }
  void fix_crc() {
    size_t total = rd32(12);
    if (total > n) total = n;
    if (total >= 12) wr32(8, starling::crc32(b + 12, total - 12));
  }
  static size_t rec(int i) { return 32 + 120 * static_cast<size_t>(i); }
};

Status load_poisoned(Buf& buf, size_t len, QModelStorage<16>& st) {
  ASAN_POISON_MEMORY_REGION(buf.b + len, Buf::kCap - len);
  const Status s = starling::load_qmodel(buf.b, len, st, kAll);
  ASAN_UNPOISON_MEMORY_REGION(buf.b + len, Buf::kCap - len);
  return s;
}

const graph_golden::Case* find(const char* name) {
  for (const auto& c : graph_golden::kCases) {
    if (std::strcmp(c.name, name) == 0) return &c;
  }
  return nullptr;
}

}  // namespace

TEST_CASE(imported_models_match_python_reference) {
  for (const auto& c : graph_golden::kCases) {
    QModelStorage<16> st;
    if (!CHECK(starling::load_qmodel(c.blob, c.blob_size, st, kAll) == Status::Ok)) continue;
    CHECK_EQ(st.num_layers, c.layers);
    CHECK(st.input_h == c.in_h && st.input_w == c.in_w && st.input_c == c.in_c);
    QNetCore net;
    if (!CHECK(net.init(st.model(), g_arena, kArenaCap, kAll) == Status::Ok)) continue;
    const int in_size = c.in_h * c.in_w * c.in_c;
    CHECK_EQ(net.input_dim(), in_size);
    CHECK_EQ(net.output_dim(), c.out_size);
    // The importer's figure is the plan init makes.
    CHECK_EQ(net.arena_bytes(1), c.arena);
    CHECK_EQ(net.required_arena_bytes(), c.arena);
    int mismatches = 0;
    for (int t = 0; t < c.count; ++t) {
      const int8_t* x = c.in + t * in_size;
      int8_t y[64];
      int cls = -1;
      CHECK(net.run(x, y) == Status::Ok);
      CHECK(net.classify(x, &cls) == Status::Ok);
      mismatches += std::memcmp(y, c.out + t * c.out_size, static_cast<size_t>(c.out_size)) != 0;
      mismatches += cls != c.cls[t];
    }
    if (!CHECK_EQ(mismatches, 0)) std::printf("     model %s\n", c.name);
  }
}

TEST_CASE(batches_equal_single_runs) {
  for (const auto& c : graph_golden::kCases) {
    QModelStorage<16> st;
    CHECK(starling::load_qmodel(c.blob, c.blob_size, st, kAll) == Status::Ok);
    QNetCore net;
    CHECK(net.init(st.model(), g_arena, kArenaCap, kAll) == Status::Ok);
    const int b = c.count;
    if (!CHECK(net.max_batches() >= b)) continue;
    const size_t in_size = static_cast<size_t>(c.in_h * c.in_w * c.in_c);
    std::memcpy(g_in, c.in, in_size * static_cast<size_t>(b));
    CHECK(net.run(g_in, g_out, b) == Status::Ok);
    if (!CHECK(std::memcmp(g_out, c.out, static_cast<size_t>(c.out_size * b)) == 0)) {
      std::printf("     model %s\n", c.name);
    }
    int cls[8] = {};
    CHECK(net.classify(g_in, cls, b) == Status::Ok);
    for (int t = 0; t < b; ++t) CHECK_EQ(cls[t], c.cls[t]);
    CHECK(net.arena_bytes(b) <= kArenaCap);
  }
}

TEST_CASE(arena_is_exactly_the_plan_and_stays_inside) {
  for (const auto& c : graph_golden::kCases) {
    QModelStorage<16> st;
    CHECK(starling::load_qmodel(c.blob, c.blob_size, st, kAll) == Status::Ok);
    QNetCore net;
    // One byte short: refused, and the need is reported.
    CHECK(net.init(st.model(), g_arena, c.arena - 1, kAll) == Status::CapacityExceeded);
    CHECK(!net.ready());
    CHECK_EQ(net.required_arena_bytes(), c.arena);
    int8_t y[64];
    CHECK(net.run(c.in, y) == Status::NotReady);
    // Exactly the plan: one sample, and no byte after the arena is touched.
    std::memset(g_arena, 0x5A, sizeof g_arena);
    ASAN_POISON_MEMORY_REGION(g_arena + c.arena, sizeof g_arena - c.arena);
    CHECK(net.init(st.model(), g_arena, c.arena, kAll) == Status::Ok);
    CHECK_EQ(net.max_batches(), 1);
    for (int t = 0; t < c.count; ++t) {
      CHECK(net.run(c.in + t * c.in_h * c.in_w * c.in_c, y) == Status::Ok);
      CHECK(std::memcmp(y, c.out + t * c.out_size, static_cast<size_t>(c.out_size)) == 0);
    }
    CHECK(net.run(c.in, g_out, 2) == Status::CapacityExceeded);
    ASAN_UNPOISON_MEMORY_REGION(g_arena + c.arena, sizeof g_arena - c.arena);
    bool untouched = true;
    for (size_t i = c.arena; i < sizeof g_arena; ++i) untouched &= g_arena[i] == 0x5A;
    if (!CHECK(untouched)) std::printf("     model %s\n", c.name);
    // The no-reuse bound of qnet_arena_bytes is never below the plan.
    CHECK(starling::qnet_arena_bytes(st.model(), 1) >= c.arena);
  }
}

TEST_CASE(planner_reuses_memory) {
  // The residual model: 11 layers whose outputs sum to well over the plan.
  const graph_golden::Case* c = find("residual");
  QModelStorage<16> st;
  CHECK(starling::load_qmodel(c->blob, c->blob_size, st, kAll) == Status::Ok);
  const size_t sum = starling::qnet_arena_bytes(st.model(), 1);
  CHECK(c->arena * 3 < sum * 2);
}

TEST_CASE(every_bit_flip_and_truncation_of_v2_blobs_is_corrupt) {
  QModelStorage<16> st;
  for (const auto& c : graph_golden::kCases) {
    static Buf buf(c.blob, c.blob_size);
    buf = Buf(c.blob, c.blob_size);
    long bad = 0;
    for (size_t pos = 0; pos < c.blob_size; pos += kPosStep) {
      for (int bit = 0; bit < 8; ++bit) {
        buf.b[pos] ^= static_cast<uint8_t>(1u << bit);
        const Status s = load_poisoned(buf, c.blob_size, st);
        bad += s != Status::Corrupt || st.num_layers != 0;
        buf.b[pos] ^= static_cast<uint8_t>(1u << bit);
      }
    }
    for (size_t len = 0; len < c.blob_size; len += kPosStep) {
      bad += load_poisoned(buf, len, st) != Status::Corrupt;
    }
    if (!CHECK_EQ(bad, 0)) std::printf("     model %s\n", c.name);
    CHECK(load_poisoned(buf, c.blob_size, st) == Status::Ok);
  }
}

TEST_CASE(every_byte_value_behind_a_valid_crc_is_checked) {
  // With the CRC recomputed, every value of every record byte of the
  // residual model (convolutions, adds reading earlier tensors, pool,
  // reshape, FCs) either loads a model that runs inside its arena or is
  // Corrupt; never anything else, never a read outside the blob.
  const graph_golden::Case* c = find("residual");
  static Buf buf(c->blob, c->blob_size);
  QModelStorage<16> st;
  const size_t records_end = Buf::rec(c->layers);
  long ok = 0, corrupt = 0, other = 0, run_bad = 0;
  for (size_t pos = 12; pos < records_end; pos += kPosStep) {
    const uint8_t orig = buf.b[pos];
    for (int v = 0; v < 256; v += (pos < 32 ? 1 : 5)) {
      if (v == orig) continue;
      buf.b[pos] = static_cast<uint8_t>(v);
      buf.fix_crc();
      const Status s = load_poisoned(buf, c->blob_size, st);
      if (s == Status::Ok) {
        ++ok;
        QNetCore net;
        const Status si = net.init(st.model(), g_arena, kArenaCap, kAll);
        if (si == Status::Ok) {
          ASAN_POISON_MEMORY_REGION(g_arena + net.arena_bytes(1), kArenaCap - net.arena_bytes(1));
          run_bad += net.run(c->in, g_out) != Status::Ok;
          ASAN_UNPOISON_MEMORY_REGION(g_arena, kArenaCap);
        } else {
          run_bad += si != Status::CapacityExceeded;
        }
      } else if (s == Status::Corrupt) {
        ++corrupt;
      } else {
        ++other;
      }
    }
    buf.b[pos] = orig;
  }
  buf.fix_crc();
  CHECK(load_poisoned(buf, c->blob_size, st) == Status::Ok);
  CHECK_EQ(other, 0L);
  CHECK_EQ(run_bad, 0L);
  CHECK(corrupt > 0 && ok > 0);
}

namespace {
// Structural edits of the convnet blob (conv, depthwise, max pool, conv,
// mean, FC, softmax) with the CRC recomputed.
struct Edit {
  const char* what;
  void (*apply)(Buf& b);
  Status want;
};
const Edit kEdits[] = {
    {"unchanged", [](Buf&) {}, Status::Ok},
    {"version 3", [](Buf& b) { b.wr16(4, 3); }, Status::Corrupt},
    {"header_size 24", [](Buf& b) { b.wr16(6, 24); }, Status::Corrupt},
    {"record_size 56", [](Buf& b) { b.wr16(18, 56); }, Status::Corrupt},
    {"input h 0", [](Buf& b) { b.wr32(20, 0); }, Status::Corrupt},
    // A convolution's output size is free (positions over the padding get
    // the bias): a 7x9 input under the same 5x4 output is a valid model.
    {"input shape 7x9 (same count)", [](Buf& b) { b.wr32(20, 7), b.wr32(24, 9); }, Status::Ok},
    {"input shape 9x7x1", [](Buf& b) { b.wr32(28, 1); }, Status::Corrupt},
    {"input c 2^31", [](Buf& b) { b.wr32(28, 0x80000000u); }, Status::Corrupt},
    {"layer 1 reads tensor 2 (itself)", [](Buf& b) { b.wr16(Buf::rec(1) + 4, 2); }, Status::Corrupt},
    {"layer 1 reads the input (shape differs)", [](Buf& b) { b.wr16(Buf::rec(1) + 4, 0); },
     Status::Corrupt},
    {"conv input2 set", [](Buf& b) { b.wr16(Buf::rec(0) + 6, 1); }, Status::Corrupt},
    // The depthwise layer then reads one more row: its output size is free too.
    {"conv out_h + 1", [](Buf& b) { b.wr32(Buf::rec(0) + 8, b.rd32(Buf::rec(0) + 8) + 1); },
     Status::Ok},
    {"conv out_c + 1", [](Buf& b) { b.wr32(Buf::rec(0) + 16, b.rd32(Buf::rec(0) + 16) + 1); },
     Status::Corrupt},
    {"conv stride 0", [](Buf& b) { b.wr16(Buf::rec(0) + 36, 0); }, Status::Corrupt},
    {"conv dilation 0", [](Buf& b) { b.wr16(Buf::rec(0) + 40, 0); }, Status::Corrupt},
    {"conv k_h 4 (weights size)", [](Buf& b) { b.wr16(Buf::rec(0) + 32, 4); }, Status::Corrupt},
    {"conv input_offset 129", [](Buf& b) { b.wr32(Buf::rec(0) + 20, 129); }, Status::Corrupt},
    {"conv output_offset -129", [](Buf& b) { b.wr32(Buf::rec(0) + 28, 0xFFFFFF7Fu); }, Status::Corrupt},
    {"conv act_min > act_max", [](Buf& b) { b.b[Buf::rec(0) + 2] = 100, b.b[Buf::rec(0) + 3] = 90; },
     Status::Corrupt},
    {"conv flags per-channel bit", [](Buf& b) { b.b[Buf::rec(0) + 1] = 1; }, Status::Corrupt},
    {"conv depth_multiplier set", [](Buf& b) { b.wr16(Buf::rec(0) + 48, 1); }, Status::Corrupt},
    {"conv reserved", [](Buf& b) { b.b[Buf::rec(0) + 76] = 1; }, Status::Corrupt},
    {"conv Add parameter set", [](Buf& b) { b.wr32(Buf::rec(0) + 52, 1); }, Status::Corrupt},
    {"conv bias dropped (optional)", [](Buf& b) { b.wr32(Buf::rec(0) + 88, 0), b.wr32(Buf::rec(0) + 92, 0); },
     Status::Ok},
    {"conv bias size - 4", [](Buf& b) { b.wr32(Buf::rec(0) + 92, b.rd32(Buf::rec(0) + 92) - 4); },
     Status::Corrupt},
    {"conv weights misaligned", [](Buf& b) { b.wr32(Buf::rec(0) + 80, b.rd32(Buf::rec(0) + 80) + 2); },
     Status::Corrupt},
    {"conv weights past the end", [](Buf& b) { b.wr32(Buf::rec(0) + 80, static_cast<uint32_t>(b.n)); },
     Status::Corrupt},
    {"conv weights in the records", [](Buf& b) { b.wr32(Buf::rec(0) + 80, 32); }, Status::Corrupt},
    {"conv lut section set", [](Buf& b) { b.wr32(Buf::rec(0) + 112, b.rd32(Buf::rec(0) + 80)), b.wr32(Buf::rec(0) + 116, 256); },
     Status::Corrupt},
    {"conv shift section 0", [](Buf& b) { b.wr32(Buf::rec(0) + 104, 0), b.wr32(Buf::rec(0) + 108, 0); },
     Status::Corrupt},
    {"depthwise multiplier 3", [](Buf& b) { b.wr16(Buf::rec(1) + 48, 3); }, Status::Corrupt},
    {"pool dilation set", [](Buf& b) { b.wr16(Buf::rec(2) + 40, 1); }, Status::Corrupt},
    {"pool out_c differs", [](Buf& b) { b.wr32(Buf::rec(2) + 16, b.rd32(Buf::rec(2) + 16) + 1); },
     Status::Corrupt},
    {"pool input_offset set", [](Buf& b) { b.wr32(Buf::rec(2) + 20, 1); }, Status::Corrupt},
    {"mean shift 31", [](Buf& b) { b.wr32(Buf::rec(4) + 56, 31); }, Status::Corrupt},
    {"mean multiplier < 0", [](Buf& b) { b.wr32(Buf::rec(4) + 52, 0x80000000u); }, Status::Corrupt},
    {"mean out shape 1x2xc", [](Buf& b) { b.wr32(Buf::rec(4) + 12, 2); }, Status::Corrupt},
    {"softmax left shift 31", [](Buf& b) { b.wr32(Buf::rec(6) + 56, 31); }, Status::Corrupt},
    {"softmax diff_min 1", [](Buf& b) { b.wr32(Buf::rec(6) + 60, 1); }, Status::Corrupt},
    {"kind 12", [](Buf& b) { b.b[Buf::rec(3)] = 12; }, Status::Corrupt},
    {"kind 0", [](Buf& b) { b.b[Buf::rec(3)] = 0; }, Status::Corrupt},
    {"layer_count 6 (softmax dropped: valid)", [](Buf& b) { b.wr16(16, 6); }, Status::Ok},
    {"layer_count 8", [](Buf& b) { b.wr16(16, 8); }, Status::Corrupt},
};
}  // namespace

TEST_CASE(structural_damage_behind_a_valid_crc) {
  const graph_golden::Case* c = find("convnet");
  for (const Edit& e : kEdits) {
    static Buf buf(c->blob, c->blob_size);
    buf = Buf(c->blob, c->blob_size);
    e.apply(buf);
    buf.fix_crc();
    QModelStorage<16> st;
    const Status s = load_poisoned(buf, c->blob_size, st);
    if (!CHECK(s == e.want)) std::printf("     edit: %s (%s)\n", e.what, starling::status_name(s));
    if (s == Status::Ok) {
      QNetCore net;
      CHECK(net.init(st.model(), g_arena, kArenaCap, kAll) == Status::Ok);
      int8_t y[64];
      CHECK(net.run(c->in, y) == Status::Ok);
    } else {
      CHECK_EQ(st.num_layers, 0);
    }
  }
}

TEST_CASE(capacity_exceeded_only_for_valid_blobs) {
  const graph_golden::Case* c = find("residual");
  starling::QLayer layers[4];
  QModel out{nullptr, 0, 0};
  CHECK(starling::load_qmodel(c->blob, c->blob_size, layers, 4, &out, kAll) == Status::CapacityExceeded);
  CHECK_EQ(out.num_layers, 0);
  // A corrupt record past the capacity is still found.
  static Buf buf(c->blob, c->blob_size);
  buf.wr16(Buf::rec(9) + 4, 11);  // layer 9 reads its own output
  buf.fix_crc();
  CHECK(starling::load_qmodel(buf.b, buf.n, layers, 4, &out, kAll) == Status::Corrupt);
}

// ---------------------------------------------------------------------------
// Hand-built graphs: the C++ API.

namespace {
const int32_t kM[8] = {1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30, 1 << 30};
const int32_t kS[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
const int8_t kW[3 * 3 * 4 * 8] = {1, -2, 3, 4, -5, 6, 7, -8, 9};

constexpr starling::ConvParams conv_p(int h, int w, int ci, int co) {
  return starling::ConvParams{1, h, w, ci, h, w, co, 3, 3, 1, 1, 1, 1, 1, 1, 0, 0, kM, kS, -128, 127};
}
constexpr starling::AddParams add_p(int size) {
  return starling::AddParams{size, 0, 0, 0, 20, 1 << 30, 0, 1 << 30, 0, 1 << 30, -19, -128, 127};
}
}  // namespace

TEST_CASE(hand_built_residual_graph) {
  // x(4x4x2) -> conv -> conv -> add(x) -> conv: tensors 0..4.
  static const QLayer kLayers[] = {
      starling::qnet_conv(conv_p(4, 4, 2, 2), kW, nullptr),
      starling::qnet_conv(conv_p(4, 4, 2, 2), kW, nullptr),
      starling::qnet_add(add_p(32), 0, 2),
      starling::qnet_conv(conv_p(4, 4, 2, 3), kW, nullptr, 3),
      starling::qnet_mean(starling::MeanParams{1, 4, 4, 3, 0, 0, 1 << 30, 0}),
      starling::qnet_argmax(3),
  };
  const QModel m{kLayers, 6, 32, 4, 4, 2};
  CHECK(starling::qnet_validate(m) == Status::Ok);
  QNetCore net;
  CHECK(net.init(m, g_arena, kArenaCap, kAll) == Status::Ok);
  CHECK_EQ(net.output_dim(), 3);
  int8_t x[32], y[3];
  for (int i = 0; i < 32; ++i) x[i] = static_cast<int8_t>(i * 7 - 100);
  CHECK(net.run(x, y) == Status::Ok);
  // The same network run layer by layer with the kernels.
  int8_t t1[32], t2[32], t3[32], t4[48], want[3];
  uint8_t scratch[1024];
  CHECK(starling::conv2d_s8(conv_p(4, 4, 2, 2), x, kW, nullptr, t1, scratch, sizeof scratch) == Status::Ok);
  CHECK(starling::conv2d_s8(conv_p(4, 4, 2, 2), t1, kW, nullptr, t2, scratch, sizeof scratch) == Status::Ok);
  CHECK(starling::add_s8(add_p(32), x, t2, t3) == Status::Ok);
  CHECK(starling::conv2d_s8(conv_p(4, 4, 2, 3), t3, kW, nullptr, t4, scratch, sizeof scratch) == Status::Ok);
  CHECK(starling::mean_s8(starling::MeanParams{1, 4, 4, 3, 0, 0, 1 << 30, 0}, t4, want) == Status::Ok);
  CHECK(std::memcmp(y, want, 3) == 0);
  int cls = -1;
  CHECK(net.classify(x, &cls) == Status::Ok);
  int best = 0;
  for (int i = 1; i < 3; ++i) best = want[i] > want[best] ? i : best;
  CHECK_EQ(cls, best);
  // Plan: x is alive until the add, t1 until conv 2, t2 until the add;
  // at most three 32-byte tensors at once plus t4 (48) and t5.
  CHECK(net.arena_bytes(1) < starling::qnet_arena_bytes(m, 1));
}

TEST_CASE(graph_validation_errors) {
  QLayer l[3] = {starling::qnet_conv(conv_p(4, 4, 2, 2), kW, nullptr),
                 starling::qnet_add(add_p(32), 0, 1),
                 starling::qnet_argmax(32)};
  QModel m{l, 3, 32, 4, 4, 2};
  CHECK(starling::qnet_validate(m) == Status::Ok);
  auto expect = [&](Status want, const char* what) {
    const Status s = starling::qnet_validate(m);
    if (!CHECK(s == want)) std::printf("     %s: %s\n", what, starling::status_name(s));
    QNetCore net;
    if (want != Status::Ok) CHECK(net.init(m, g_arena, kArenaCap, kAll) == want);
  };
  l[1].input2 = 2;
  expect(Status::InvalidArgument, "add reads its own output");
  l[1].input2 = -1;
  expect(Status::InvalidArgument, "add input2 negative");
  l[1].input2 = 1;
  l[0].input = 1;
  expect(Status::InvalidArgument, "conv reads its own output");
  l[0].input = starling::kQPrevious;
  l[0].input2 = 1;
  expect(Status::InvalidArgument, "input2 on a conv");
  l[0].input2 = 0;
  l[0].op.conv.batches = 2;
  expect(Status::InvalidArgument, "batches 2 in a model");
  l[0].op.conv.batches = 1;
  l[0].op.conv.in_c = 3;
  expect(Status::InvalidArgument, "conv in_c differs from the input");
  l[0].op.conv.in_c = 2;
  l[0].weights = nullptr;
  expect(Status::InvalidArgument, "conv without filter");
  l[0].weights = kW;
  l[0].op.conv.k_h = 200;
  l[0].op.conv.k_w = 200;
  expect(Status::CapacityExceeded, "conv depth over kConvMaxDepth");
  l[0].op.conv.k_h = l[0].op.conv.k_w = 3;
  l[1].op.add.size = 31;
  expect(Status::InvalidArgument, "add size");
  l[1].op.add.size = 32;
  l[2].dim = 31;
  expect(Status::InvalidArgument, "argmax width");
  l[2].dim = 32;
  m.input_c = 3;
  expect(Status::InvalidArgument, "input shape product");
  m.input_c = 2;
  m.input_h = 0;
  expect(Status::InvalidArgument, "input shape partly set");
  m.input_h = 4;
  l[2] = starling::qnet_reshape(starling::QShape{1, 1, 33});
  expect(Status::InvalidArgument, "reshape count");
  l[2] = starling::qnet_reshape(starling::QShape{2, 4, 4});
  expect(Status::Ok, "reshape as the last layer");
  l[2] = starling::qnet_softmax(starling::SoftmaxParams{16, 2, 1 << 30, 1, -100});
  expect(Status::Ok, "softmax rows h*w, cols c");
  l[2].op.softmax.rows = 32;
  l[2].op.softmax.cols = 1;
  expect(Status::InvalidArgument, "softmax over the wrong axis");
  l[2] = starling::qnet_argmax(32);
  l[1] = starling::qnet_argmax(32);
  expect(Status::InvalidArgument, "argmax not last");
  l[1] = QLayer{};
  expect(Status::InvalidArgument, "zeroed layer");
}

// ---------------------------------------------------------------------------
// Op sets (QOpResolver): a QNet runs exactly the kinds its resolver enables.

namespace {
using starling::kQOpGraph;
using starling::kQOpsAll;
using starling::kQOpsChain;
using starling::QOps;
using starling::qnet_op;

constexpr QLayer kResidual[] = {
    starling::qnet_conv(conv_p(4, 4, 2, 2), kW, nullptr),
    starling::qnet_conv(conv_p(4, 4, 2, 2), kW, nullptr),
    starling::qnet_add(add_p(32), 0, 2),
    starling::qnet_conv(conv_p(4, 4, 2, 3), kW, nullptr, 3),
    starling::qnet_mean(starling::MeanParams{1, 4, 4, 3, 0, 0, 1 << 30, 0}),
    starling::qnet_argmax(3),
};
constexpr QModel kResidualModel{kResidual, 6, 32, 4, 4, 2};
constexpr QOps kResidualOps = kQOpGraph | qnet_op(QLayerKind::Conv2D) | qnet_op(QLayerKind::Add) |
                              qnet_op(QLayerKind::Mean) | qnet_op(QLayerKind::Argmax);

// init with a resolver temporary does not compile (the network keeps its address).
template <class T, class = void>
struct InitTakesTemporary : std::false_type {};
template <class T>
struct InitTakesTemporary<T, decltype((void)std::declval<T&>().init(
                                 std::declval<const QModel&>(), nullptr, size_t{0},
                                 starling::QOpResolver{}))> : std::true_type {};
static_assert(!InitTakesTemporary<QNetCore>::value, "init must refuse a temporary resolver");
}  // namespace

TEST_CASE(op_sets_choose_the_kinds_a_qnet_runs) {
  // What a model needs, at compile time.
  static_assert(starling::qnet_model_ops(kResidualModel) == kResidualOps, "residual ops");
  static_assert(starling::qnet_missing_ops(kResidualModel, kQOpsChain | qnet_op(QLayerKind::Conv2D)) ==
                    (qnet_op(QLayerKind::Add) | qnet_op(QLayerKind::Mean)),
                "missing ops");
  static_assert(starling::qnet_missing_ops(kResidualModel, kResidualOps) == 0, "complete op set");
  // The resolver tables: nothing but the enabled kinds.
  const starling::QOpResolver& chain = starling::kQOpResolver<kQOpsChain>;
  CHECK_EQ(chain.ops, kQOpsChain);
  CHECK(chain.graph == nullptr);
  for (const auto* k : chain.kernels) CHECK(k == nullptr);
  for (unsigned k = 4; k < 12; ++k) CHECK(kAll.kernels[k] != nullptr);
  CHECK(kAll.graph != nullptr);
  CHECK_EQ(kAll.ops, kQOpsAll);
  const starling::QOpResolver& need = starling::kQOpResolver<kResidualOps>;
  CHECK_EQ(need.ops, kResidualOps | kQOpsChain);
  for (unsigned k = 0; k < 12; ++k) {
    CHECK_EQ(need.kernels[k] != nullptr, k >= 4 && (kResidualOps >> k & 1u) != 0);
  }

  int8_t x[32], want[3], y[3];
  for (int i = 0; i < 32; ++i) x[i] = static_cast<int8_t>(i * 5 - 77);
  QNetCore all;
  CHECK(all.init(kResidualModel, g_arena, kArenaCap, kAll) == Status::Ok);
  CHECK(all.run(x, want) == Status::Ok);

  // The exact op set runs it, bit for bit as with every kind.
  alignas(8) static int8_t arena2[1024];
  QNetCore exact;
  CHECK(exact.init(kResidualModel, arena2, sizeof arena2, need) == Status::Ok);
  CHECK_EQ(exact.ops(), kResidualOps | kQOpsChain);
  CHECK(exact.run(x, y) == Status::Ok);
  CHECK(std::memcmp(y, want, 3) == 0);
  CHECK_EQ(exact.arena_bytes(1), all.arena_bytes(1));
  static starling::QNet<starling::qnet_arena_bytes(kResidualModel),
                        starling::qnet_model_ops(kResidualModel)> typed;
  CHECK(typed.init(kResidualModel) == Status::Ok);
  CHECK(typed.run(x, y) == Status::Ok);
  CHECK(std::memcmp(y, want, 3) == 0);

  // One kind short: refused before the arena is looked at, and not ready.
  QNetCore fewer;
  CHECK(fewer.init(kResidualModel, arena2, sizeof arena2,
                   starling::kQOpResolver<kResidualOps & ~qnet_op(QLayerKind::Add)>) ==
        Status::CapacityExceeded);
  CHECK_EQ(fewer.required_arena_bytes(), size_t{0});
  CHECK(!fewer.ready());
  CHECK(fewer.run(x, y) == Status::NotReady);
  CHECK(starling::qnet_validate(kResidualModel, chain) == Status::CapacityExceeded);
  CHECK(starling::qnet_validate(kResidualModel, need) == Status::Ok);
  // A malformed model is InvalidArgument whatever the op set.
  QLayer bad[6];
  for (int i = 0; i < 6; ++i) bad[i] = kResidual[i];
  const QModel bad_model{bad, 6, 32, 4, 4, 2};
  bad[2] = QLayer{};
  CHECK(starling::qnet_validate(bad_model, chain) == Status::InvalidArgument);
  bad[2] = kResidual[2];
  bad[2].input2 = 3;  // the add reads its own output
  CHECK(starling::qnet_validate(bad_model, chain) == Status::InvalidArgument);
  bad[2] = kResidual[2];
  bad[0].op.conv.stride_h = 0;  // a bad conv: the checks of a disabled kind do not run
  CHECK(starling::qnet_validate(bad_model, chain) == Status::CapacityExceeded);
  CHECK(starling::qnet_validate(bad_model, need) == Status::InvalidArgument);
  bad[0].op.conv.stride_h = 1;
  bad[0].op.conv.pad_h = -1;
  CHECK(starling::qnet_validate(bad_model, need) == Status::InvalidArgument);
  bad[0].op.conv.pad_h = 1;
  CHECK(starling::qnet_validate(bad_model, need) == Status::Ok);

  // FullyConnected layers over an NHWC input need the planned path (kQOpGraph).
  static const QLayer kFc[] = {
      starling::qnet_fc({4, 3, 0, 0, kM, kS, false, -128, 127}, kW, nullptr),
      starling::qnet_argmax(3),
  };
  const QModel image{kFc, 2, 4, 2, 2, 1}, flat{kFc, 2, 4};
  const QOps fc_argmax = qnet_op(QLayerKind::FullyConnected) | qnet_op(QLayerKind::Argmax);
  CHECK_EQ(starling::qnet_model_ops(image), fc_argmax | kQOpGraph);
  CHECK_EQ(starling::qnet_model_ops(flat), fc_argmax);
  QNetCore on_chain, on_graph;
  CHECK(on_chain.init(image, g_arena, kArenaCap, chain) == Status::CapacityExceeded);
  CHECK(on_chain.init(flat, g_arena, kArenaCap, chain) == Status::Ok);
  CHECK(on_graph.init(image, arena2, sizeof arena2, starling::kQOpResolver<kQOpGraph>) == Status::Ok);
  CHECK(on_chain.run(x, want) == Status::Ok);
  CHECK(on_graph.run(x, y) == Status::Ok);
  CHECK(std::memcmp(y, want, 3) == 0);

  // The library's default: every kind on an operating system, the chain on firmware.
#if defined(STARLING_HOSTED_ENV) || defined(__linux__) || defined(_WIN32) || defined(__APPLE__)
  CHECK_EQ(starling::qnet_default_ops(), kQOpsAll);
  const Status want_default = Status::Ok;
#else
  CHECK_EQ(starling::qnet_default_ops(), kQOpsChain);
  const Status want_default = Status::CapacityExceeded;
#endif
  CHECK_EQ(starling::qnet_default_resolver().ops, starling::qnet_default_ops());
  QNetCore by_default;
  CHECK(by_default.init(kResidualModel, g_arena, kArenaCap) == want_default);
  CHECK_EQ(by_default.ops(), starling::qnet_default_ops());
  CHECK(by_default.init(flat, g_arena, kArenaCap) == Status::Ok);
}

TEST_CASE(loader_refuses_kinds_outside_its_op_set) {
  const starling::QOpResolver& chain = starling::kQOpResolver<kQOpsChain>;
  for (const auto& c : graph_golden::kCases) {
    QModelStorage<16> st;
    if (!CHECK(starling::load_qmodel(c.blob, c.blob_size, st, kAll) == Status::Ok)) continue;
    const QOps ops = starling::qnet_model_ops(st.model());
    const bool graph = (ops & kQOpGraph) != 0;
    // The chain op set loads chains only; a graph blob is intact but refused.
    CHECK(starling::load_qmodel(c.blob, c.blob_size, st, chain) ==
          (graph ? Status::CapacityExceeded : Status::Ok));
    CHECK_EQ(st.num_layers, graph ? 0 : c.layers);
    // Without any one kind the blob needs: CapacityExceeded, never Ok.
    for (unsigned k = 4; k < 12; ++k) {
      if ((ops >> k & 1u) == 0) continue;
      const starling::QOpResolver fewer = starling::qnet_resolver(kQOpsAll & ~(QOps{1} << k));
      CHECK(starling::load_qmodel(c.blob, c.blob_size, st, fewer) == Status::CapacityExceeded);
    }
    if (!graph) continue;
    // Corruption is still Corrupt: a broken CRC, and a structural defect in
    // the record of a disabled kind (a reserved field set).
    static Buf buf(c.blob, c.blob_size);
    buf = Buf(c.blob, c.blob_size);
    buf.b[40] ^= 1;
    CHECK(load_poisoned(buf, buf.n, st) == Status::Corrupt);
    CHECK(starling::load_qmodel(buf.b, buf.n, st, chain) == Status::Corrupt);
    buf = Buf(c.blob, c.blob_size);
    int rec = 0;
    while (rec < c.layers && buf.b[Buf::rec(rec)] <= 3) ++rec;  // first graph kind
    if (!CHECK(rec < c.layers)) continue;
    buf.b[Buf::rec(rec) + 76] = 1;
    buf.fix_crc();
    CHECK(starling::load_qmodel(buf.b, buf.n, st, chain) == Status::Corrupt);
  }
}

TEST_CASE(reshape_aliases_and_final_copy) {
  // input (1,1,12) -> reshape (2,2,3) -> max pool 1x1 -> reshape (1,1,12):
  // the final reshape's bytes are the pool's, copied to the output by run().
  static const QLayer kLayers[] = {
      starling::qnet_reshape(starling::QShape{2, 2, 3}),
      starling::qnet_max_pool(starling::PoolParams{1, 2, 2, 3, 2, 2, 1, 1, 1, 1, 0, 0, -20, 20}),
      starling::qnet_reshape(starling::QShape{1, 1, 12}),
  };
  const QModel m{kLayers, 3, 12};
  QNetCore net;
  CHECK(net.init(m, g_arena, kArenaCap, kAll) == Status::Ok);
  CHECK_EQ(net.arena_bytes(1), size_t{3 * 12 + 12});  // plan + one 12-byte tensor
  int8_t x[12], y[12];
  for (int i = 0; i < 12; ++i) x[i] = static_cast<int8_t>(i * 9 - 50);
  CHECK(net.run(x, y) == Status::Ok);
  for (int i = 0; i < 12; ++i) CHECK_EQ(y[i], static_cast<int8_t>(x[i] < -20 ? -20 : x[i] > 20 ? 20 : x[i]));
  int cls = -1;
  CHECK(net.classify(x, &cls) == Status::Ok);
  CHECK_EQ(cls, 8);  // the first 20 (x[8] = 22 clamps to 20; later ones too)
  // A model that only reshapes its input needs nothing but the plan.
  const QModel only{kLayers, 1, 12};
  CHECK(net.init(only, g_arena, 12, kAll) == Status::Ok);
  CHECK(net.run(x, y) == Status::Ok);
  CHECK(std::memcmp(x, y, 12) == 0);
  CHECK(net.init(only, g_arena, 11, kAll) == Status::CapacityExceeded);
  CHECK_EQ(net.required_arena_bytes(), starling::qnet_arena_bytes(only, 1));
}

TEST_CASE(mean_validation_and_rounding) {
  using starling::MeanParams;
  int8_t x[8] = {1, 2, 3, 4, -5, 6, 7, 8}, y[2] = {9, 9};
  const MeanParams ok{1, 2, 2, 2, 0, 0, 1 << 30, 1};  // multiplier 1.0
  CHECK(starling::mean_s8(ok, x, y) == Status::Ok);
  // Channel 0: (1 + 3 - 5 + 7) / 4 = 1.5 -> 2 (round half up); channel 1: 20/4 = 5.
  CHECK_EQ(y[0], 2);
  CHECK_EQ(y[1], 5);
  MeanParams p = ok;
  p.batches = 0;
  CHECK(starling::mean_s8(p, x, y) == Status::InvalidArgument);
  p = ok;
  p.input_offset = 129;
  CHECK(starling::mean_s8(p, x, y) == Status::InvalidArgument);
  p = ok;
  p.output_offset = -129;
  CHECK(starling::mean_s8(p, x, y) == Status::InvalidArgument);
  p = ok;
  p.multiplier = -1;
  CHECK(starling::mean_s8(p, x, y) == Status::InvalidArgument);
  p = ok;
  p.shift = 31;
  CHECK(starling::mean_s8(p, x, y) == Status::InvalidArgument);
  p = ok;
  p.in_h = 2048;
  p.in_w = 1024;
  CHECK(starling::mean_s8(p, x, y) == Status::CapacityExceeded);
  CHECK(starling::mean_s8(ok, nullptr, y) == Status::InvalidArgument);
  CHECK(starling::mean_s8(ok, x, nullptr) == Status::InvalidArgument);
  y[0] = y[1] = 9;
  p = ok;
  p.channels = 0;
  CHECK(starling::mean_s8(p, x, y) == Status::InvalidArgument);
  CHECK(y[0] == 9 && y[1] == 9);
}

int main() { return check::run_all(); }
