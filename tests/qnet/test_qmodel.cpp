// SPDX-License-Identifier: MIT
// The QNet blob loader: blobs written by tools/qnet_blob.py load in place and
// give the outputs of the same model as C++ const data; every single-byte
// corruption and every truncation is Corrupt; structural damage behind a
// valid CRC is Corrupt too; capacity and argument errors.
#include <cstdint>
#include <cstring>

#include "check.hpp"
#include "qnet/model_a.hpp"
#include "qnet/qnet_golden.hpp"
#include "starling/crc32.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

// Under AddressSanitizer, the bytes after a blob are poisoned so that any
// read past `size` is reported, not just a read past the buffer.
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
using starling::Status;

namespace {

// A mutable, 8-aligned copy of a blob with helpers to edit fields.
struct Buf {
  static constexpr size_t kCap = 1024;
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
  // Recomputes the CRC as a writer would, over [12, min(total_size, n)).
  void fix_crc() {
    size_t total = rd32(12);
    if (total > n) total = n;
    if (total >= 12) wr32(8, starling::crc32(b + 12, total - 12));
  }
  static size_t rec(int i) { return 24 + 56 * static_cast<size_t>(i); }
  // Section k (0 weights, 1 bias, 2 multiplier, 3 shift, 4 lut) of record i.
  static size_t sec(int i, int k) { return rec(i) + 16 + 8 * static_cast<size_t>(k); }
};

// Loads `len` bytes of buf with the bytes after them poisoned under ASan.
Status load_poisoned(Buf& buf, size_t len, QModelStorage<8>& st) {
  ASAN_POISON_MEMORY_REGION(buf.b + len, Buf::kCap - len);
  const Status s = starling::load_qmodel(buf.b, len, st);
  ASAN_UNPOISON_MEMORY_REGION(buf.b + len, Buf::kCap - len);
  return s;
}

struct BlobRef {
  const char* name;
  const uint8_t* data;
  size_t size;
  int input_dim, num_layers, out_dim;
  const int8_t* in;
  const int8_t* out;
  const int* cls;
  int count;
};
const BlobRef kBlobs[] = {
    {"a", golden::kBlob_a, sizeof golden::kBlob_a, 6, 4, 4, golden::kIn_a, golden::kOut_a,
     golden::kClass_a, golden::kCount_a},
    {"tiny", golden::kBlob_tiny, sizeof golden::kBlob_tiny, 3, 4, 2, golden::kIn_tiny,
     golden::kOut_tiny, golden::kClass_tiny, golden::kCount_tiny},
    {"shared", golden::kBlob_shared, sizeof golden::kBlob_shared, 5, 4, 5, golden::kIn_shared,
     golden::kOut_shared, golden::kClass_shared, golden::kCount_shared},
    {"relu6", golden::kBlob_relu6, sizeof golden::kBlob_relu6, 8, 2, 2, golden::kIn_relu6,
     golden::kOut_relu6, golden::kClass_relu6, golden::kCount_relu6},
};

// Model A as C++ const data (the same numbers as kBlob_a).
// Model A (from the generated header) as C++ const data.
using model_a::kA0;
using model_a::kA2;
using model_a::kLayersA;
using model_a::kModelA;

bool inside(const void* p, const uint8_t* blob, size_t size) {
  const uint8_t* q = static_cast<const uint8_t*>(p);
  return q >= blob && q < blob + size;
}

}  // namespace

TEST_CASE(blob_loads_in_place_and_matches_const_model) {
  QModelStorage<4> st;
  CHECK(starling::load_qmodel(golden::kBlob_a, sizeof golden::kBlob_a, st) == Status::Ok);
  CHECK_EQ(st.num_layers, 4);
  CHECK_EQ(st.input_dim, 6);
  const QModel m = st.model();
  CHECK(m.layers == st.layers);
  // Zero copy: every pointer refers into the blob; values equal the const model.
  const uint8_t* blob = golden::kBlob_a;
  const size_t n = sizeof golden::kBlob_a;
  for (int i = 0; i < 4; ++i) CHECK(m.layers[i].kind == kLayersA[i].kind);
  for (int i = 0; i < 4; i += 2) {
    const QLayer& l = m.layers[i];
    const QLayer& r = kLayersA[i];
    CHECK(inside(l.weights, blob, n) && inside(l.bias, blob, n) &&
          inside(l.fc.multiplier, blob, n) && inside(l.fc.shift, blob, n));
    CHECK(l.fc.in_dim == r.fc.in_dim && l.fc.out_dim == r.fc.out_dim);
    CHECK(l.fc.input_offset == r.fc.input_offset && l.fc.output_offset == r.fc.output_offset);
    CHECK(l.fc.act_min == r.fc.act_min && l.fc.act_max == r.fc.act_max);
    CHECK(l.fc.per_channel == r.fc.per_channel);
    const size_t c = r.fc.per_channel ? static_cast<size_t>(r.fc.out_dim) : 1;
    const size_t od = static_cast<size_t>(r.fc.out_dim);
    CHECK(std::memcmp(l.weights, r.weights, od * static_cast<size_t>(r.fc.in_dim)) == 0);
    CHECK(std::memcmp(l.bias, r.bias, 4 * od) == 0);
    CHECK(std::memcmp(l.fc.multiplier, r.fc.multiplier, 4 * c) == 0);
    CHECK(std::memcmp(l.fc.shift, r.fc.shift, 4 * c) == 0);
  }
  CHECK(inside(m.layers[1].lut, blob, n));
  CHECK(std::memcmp(m.layers[1].lut, golden::kA1_lut, 256) == 0);
  CHECK_EQ(m.layers[1].dim, 10);
  CHECK_EQ(m.layers[3].dim, 4);

  starling::QNet<starling::qnet_arena_bytes(kModelA)> from_blob, from_const;
  CHECK(from_blob.init(m) == Status::Ok);
  CHECK(from_const.init(kModelA) == Status::Ok);
  uint32_t s = 11;
  for (int t = 0; t < 1000; ++t) {
    int8_t x[6];
    for (int8_t& v : x) {
      s = s * 1664525u + 1013904223u;
      v = static_cast<int8_t>(static_cast<int32_t>(s >> 24) - 128);
    }
    int8_t y1[4], y2[4];
    int c1 = -1, c2 = -2;
    CHECK(from_blob.run(x, y1) == Status::Ok && from_const.run(x, y2) == Status::Ok);
    CHECK(from_blob.classify(x, &c1) == Status::Ok && from_const.classify(x, &c2) == Status::Ok);
    CHECK(std::memcmp(y1, y2, 4) == 0);
    CHECK_EQ(c1, c2);
  }
}

TEST_CASE(every_blob_gives_python_reference_outputs) {
  const bool golden_applies = !starling::requantize_is_single_rounding();
  for (const BlobRef& br : kBlobs) {
    QModelStorage<8> st;
    CHECK(starling::load_qmodel(br.data, br.size, st) == Status::Ok);
    CHECK_EQ(st.num_layers, br.num_layers);
    CHECK_EQ(st.input_dim, br.input_dim);
    starling::QNet<64> net;
    CHECK(net.init(st.model()) == Status::Ok);
    CHECK_EQ(net.output_dim(), br.out_dim);
    if (!golden_applies) continue;
    for (int t = 0; t < br.count; ++t) {
      int8_t y[16];
      int cls = -1;
      CHECK(net.run(br.in + t * br.input_dim, y) == Status::Ok);
      CHECK(net.classify(br.in + t * br.input_dim, &cls) == Status::Ok);
      const bool same = std::memcmp(y, br.out + t * br.out_dim, static_cast<size_t>(br.out_dim)) == 0;
      if (!CHECK(same)) std::printf("     blob %s input %d\n", br.name, t);
      CHECK_EQ(cls, br.cls[t]);
    }
  }
}

TEST_CASE(shared_sections_and_trailing_padding) {
  QModelStorage<4> st;
  CHECK(starling::load_qmodel(golden::kBlob_shared, sizeof golden::kBlob_shared, st) ==
        Status::Ok);
  CHECK(st.layers[1].lut == st.layers[3].lut);  // stored once by the writer
  // A blob at the start of a larger flash page: the bytes after total_size
  // are not part of the model.
  Buf buf(golden::kBlob_tiny, sizeof golden::kBlob_tiny);
  std::memset(buf.b + buf.n, 0xFF, 100);
  QModelStorage<8> st8;
  CHECK(load_poisoned(buf, buf.n + 100, st8) == Status::Ok);
  CHECK(load_poisoned(buf, buf.n + 1, st8) == Status::Ok);
}

TEST_CASE(capacity_and_arguments) {
  QModelStorage<3> small;
  CHECK(starling::load_qmodel(golden::kBlob_a, sizeof golden::kBlob_a, small) ==
        Status::CapacityExceeded);
  CHECK_EQ(small.num_layers, 0);
  CHECK_EQ(small.input_dim, 0);
  starling::QNet<64> net;
  CHECK(net.init(small.model()) == Status::InvalidArgument);
  // A corrupt record past the capacity is still Corrupt, not CapacityExceeded.
  Buf buf(golden::kBlob_a, sizeof golden::kBlob_a);
  buf.b[Buf::rec(3)] = 7;
  buf.fix_crc();
  CHECK(starling::load_qmodel(buf.b, buf.n, small) == Status::Corrupt);

  QModelStorage<4> st;
  CHECK(starling::load_qmodel(nullptr, 100, st) == Status::InvalidArgument);
  // Misaligned blob pointer (the int32 sections are read in place).
  alignas(8) uint8_t shifted[sizeof golden::kBlob_a + 4];
  for (size_t k = 1; k < 4; ++k) {
    std::memcpy(shifted + k, golden::kBlob_a, sizeof golden::kBlob_a);
    CHECK(starling::load_qmodel(shifted + k, sizeof golden::kBlob_a, st) ==
          Status::InvalidArgument);
  }
  QLayer layers[4];
  QModel out{};
  CHECK(starling::load_qmodel(golden::kBlob_a, sizeof golden::kBlob_a, nullptr, 4, &out) ==
        Status::InvalidArgument);
  CHECK(starling::load_qmodel(golden::kBlob_a, sizeof golden::kBlob_a, layers, 0, &out) ==
        Status::InvalidArgument);
  CHECK(starling::load_qmodel(golden::kBlob_a, sizeof golden::kBlob_a, layers, 4, nullptr) ==
        Status::InvalidArgument);
  CHECK(starling::load_qmodel(golden::kBlob_a, sizeof golden::kBlob_a, layers, 4, &out) ==
        Status::Ok);
  CHECK(out.layers == layers && out.num_layers == 4 && out.input_dim == 6);
}

TEST_CASE(every_single_byte_corruption_is_corrupt) {
  // Exhaustive over the tiny blob (every record kind, both multiplier
  // layouts, with and without bias): every position, every other value.
  long loads = 0, bad = 0;
  const size_t n = sizeof golden::kBlob_tiny;
  Buf buf(golden::kBlob_tiny, n);
  QModelStorage<8> st;
  for (size_t pos = 0; pos < n; ++pos) {
    const uint8_t orig = buf.b[pos];
    for (int v = 0; v < 256; ++v) {
      if (v == orig) continue;
      buf.b[pos] = static_cast<uint8_t>(v);
      const Status s = load_poisoned(buf, n, st);
      ++loads;
      if (s != Status::Corrupt) {
        if (++bad <= 5) std::printf("     pos %zu value %d: %s\n", pos, v, starling::status_name(s));
      }
      if (s != Status::Corrupt) CHECK(st.num_layers == 0);
    }
    buf.b[pos] = orig;
  }
  CHECK_EQ(bad, 0);
  CHECK_EQ(loads, static_cast<long>(n) * 255);
  CHECK(load_poisoned(buf, n, st) == Status::Ok);
  // Every single-bit flip of every blob.
  for (const BlobRef& br : kBlobs) {
    Buf b2(br.data, br.size);
    long flips_bad = 0;
    for (size_t pos = 0; pos < br.size; ++pos) {
      for (int bit = 0; bit < 8; ++bit) {
        b2.b[pos] ^= static_cast<uint8_t>(1u << bit);
        flips_bad += load_poisoned(b2, br.size, st) != Status::Corrupt;
        b2.b[pos] ^= static_cast<uint8_t>(1u << bit);
      }
    }
    if (!CHECK_EQ(flips_bad, 0)) std::printf("     blob %s\n", br.name);
  }
}

TEST_CASE(every_truncation_is_corrupt) {
  for (const BlobRef& br : kBlobs) {
    Buf buf(br.data, br.size);
    QModelStorage<8> st;
    long bad = 0;
    for (size_t len = 0; len < br.size; ++len) bad += load_poisoned(buf, len, st) != Status::Corrupt;
    if (!CHECK_EQ(bad, 0)) std::printf("     blob %s\n", br.name);
    CHECK(load_poisoned(buf, br.size, st) == Status::Ok);
  }
}

namespace {
// Structural damage with the CRC recomputed, so the loader's own checks
// (not the CRC) must catch it. Each row edits the tiny blob:
// FC 3->4 per-channel with bias, LUT 4, FC 4->2 per-tensor without bias, argmax 2.
struct Edit {
  const char* what;
  void (*apply)(Buf& b);
  Status want;
};
const Edit kEdits[] = {
    {"unchanged", [](Buf&) {}, Status::Ok},
    {"a weight value (any int8 is valid)",
     [](Buf& b) { b.b[b.rd32(Buf::sec(0, 0)) + 1] ^= 0x55; }, Status::Ok},
    {"drop the bias (optional)", [](Buf& b) { b.wr32(Buf::sec(0, 1), 0), b.wr32(Buf::sec(0, 1) + 4, 0); },
     Status::Ok},
    {"magic", [](Buf& b) { b.b[3] = 'X'; }, Status::Corrupt},
    {"version 2", [](Buf& b) { b.wr16(4, 2); }, Status::Corrupt},
    {"version 0", [](Buf& b) { b.wr16(4, 0); }, Status::Corrupt},
    {"header_size 28", [](Buf& b) { b.wr16(6, 28); }, Status::Corrupt},
    {"record_size 60", [](Buf& b) { b.wr16(18, 60); }, Status::Corrupt},
    {"total_size beyond the buffer", [](Buf& b) { b.wr32(12, static_cast<uint32_t>(b.n) + 4); },
     Status::Corrupt},
    {"total_size not a multiple of 4", [](Buf& b) { b.wr32(12, static_cast<uint32_t>(b.n) - 2); },
     Status::Corrupt},
    {"total_size cuts the last section", [](Buf& b) { b.wr32(12, static_cast<uint32_t>(b.n) - 4); },
     Status::Corrupt},
    {"total_size inside the header", [](Buf& b) { b.wr32(12, 16); }, Status::Corrupt},
    {"total_size huge", [](Buf& b) { b.wr32(12, 0xFFFFFFFCu); }, Status::Corrupt},
    {"layer_count 0", [](Buf& b) { b.wr16(16, 0); }, Status::Corrupt},
    // Dropping the argmax leaves a valid model; its record becomes unused payload.
    {"layer_count 3", [](Buf& b) { b.wr16(16, 3); }, Status::Ok},
    {"layer_count 5", [](Buf& b) { b.wr16(16, 5); }, Status::Corrupt},
    {"layer_count 65535", [](Buf& b) { b.wr16(16, 0xFFFF); }, Status::Corrupt},
    {"input_dim 0", [](Buf& b) { b.wr32(20, 0); }, Status::Corrupt},
    {"input_dim 4", [](Buf& b) { b.wr32(20, 4); }, Status::Corrupt},
    {"input_dim 2^31", [](Buf& b) { b.wr32(20, 0x80000000u); }, Status::Corrupt},
    {"kind 0", [](Buf& b) { b.b[Buf::rec(0)] = 0; }, Status::Corrupt},
    {"kind 4", [](Buf& b) { b.b[Buf::rec(1)] = 4; }, Status::Corrupt},
    {"kind 255", [](Buf& b) { b.b[Buf::rec(3)] = 255; }, Status::Corrupt},
    {"FC flags bit 1", [](Buf& b) { b.b[Buf::rec(0) + 1] |= 2; }, Status::Corrupt},
    {"FC per-channel off, sizes per-channel", [](Buf& b) { b.b[Buf::rec(0) + 1] = 0; },
     Status::Corrupt},
    {"FC per-channel on, sizes per-tensor", [](Buf& b) { b.b[Buf::rec(2) + 1] = 1; },
     Status::Corrupt},
    {"LUT flags", [](Buf& b) { b.b[Buf::rec(1) + 1] = 1; }, Status::Corrupt},
    {"LUT act_min", [](Buf& b) { b.b[Buf::rec(1) + 2] = 1; }, Status::Corrupt},
    {"argmax output_offset", [](Buf& b) { b.wr16(Buf::rec(3) + 6, 1); }, Status::Corrupt},
    {"argmax out_dim 2", [](Buf& b) { b.wr32(Buf::rec(3) + 12, 2); }, Status::Corrupt},
    {"argmax with a section", [](Buf& b) {
       b.wr32(Buf::sec(3, 4), b.rd32(Buf::sec(1, 4))), b.wr32(Buf::sec(3, 4) + 4, 256);
     }, Status::Corrupt},
    {"LUT out_dim != in_dim", [](Buf& b) { b.wr32(Buf::rec(1) + 12, 5); }, Status::Corrupt},
    {"FC in_dim 0", [](Buf& b) { b.wr32(Buf::rec(0) + 8, 0); }, Status::Corrupt},
    {"FC in_dim 2^31", [](Buf& b) { b.wr32(Buf::rec(0) + 8, 0x80000000u); }, Status::Corrupt},
    {"FC out_dim breaks the chain", [](Buf& b) { b.wr32(Buf::rec(2) + 12, 3); }, Status::Corrupt},
    {"FC input_offset 129", [](Buf& b) { b.wr16(Buf::rec(0) + 4, 129); }, Status::Corrupt},
    {"FC input_offset -128", [](Buf& b) { b.wr16(Buf::rec(0) + 4, 0xFF80); }, Status::Corrupt},
    {"FC output_offset 128", [](Buf& b) { b.wr16(Buf::rec(2) + 6, 128); }, Status::Corrupt},
    {"FC act_min > act_max", [](Buf& b) { b.b[Buf::rec(0) + 2] = 100, b.b[Buf::rec(0) + 3] = 50; },
     Status::Corrupt},
    {"weights offset misaligned", [](Buf& b) { b.wr32(Buf::sec(0, 0), b.rd32(Buf::sec(0, 0)) + 1); },
     Status::Corrupt},
    {"weights offset inside the records", [](Buf& b) { b.wr32(Buf::sec(0, 0), 24); }, Status::Corrupt},
    {"weights offset 0", [](Buf& b) { b.wr32(Buf::sec(0, 0), 0); }, Status::Corrupt},
    {"weights past the end", [](Buf& b) { b.wr32(Buf::sec(2, 0), static_cast<uint32_t>(b.n) - 4); },
     Status::Corrupt},
    {"weights offset wraps 32 bits", [](Buf& b) { b.wr32(Buf::sec(0, 0), 0xFFFFFFFCu); },
     Status::Corrupt},
    {"weights size + 1", [](Buf& b) { b.wr32(Buf::sec(0, 0) + 4, 13); }, Status::Corrupt},
    {"weights size 0", [](Buf& b) { b.wr32(Buf::sec(0, 0) + 4, 0); }, Status::Corrupt},
    {"bias size 4", [](Buf& b) { b.wr32(Buf::sec(0, 1) + 4, 4); }, Status::Corrupt},
    {"bias offset without size", [](Buf& b) { b.wr32(Buf::sec(0, 1) + 4, 0); }, Status::Corrupt},
    {"multiplier size 4 on per-channel", [](Buf& b) { b.wr32(Buf::sec(0, 2) + 4, 4); },
     Status::Corrupt},
    {"shift missing", [](Buf& b) { b.wr32(Buf::sec(2, 3), 0), b.wr32(Buf::sec(2, 3) + 4, 0); },
     Status::Corrupt},
    {"LUT on an FC", [](Buf& b) {
       b.wr32(Buf::sec(0, 4), b.rd32(Buf::sec(1, 4))), b.wr32(Buf::sec(0, 4) + 4, 256);
     }, Status::Corrupt},
    {"LUT size 255", [](Buf& b) { b.wr32(Buf::sec(1, 4) + 4, 255); }, Status::Corrupt},
    {"LUT missing", [](Buf& b) { b.wr32(Buf::sec(1, 4), 0), b.wr32(Buf::sec(1, 4) + 4, 0); },
     Status::Corrupt},
    {"negative multiplier", [](Buf& b) { b.wr32(b.rd32(Buf::sec(2, 2)), 0x80000000u); },
     Status::Corrupt},
    {"shift 31", [](Buf& b) { b.wr32(b.rd32(Buf::sec(0, 3)) + 8, 31); }, Status::Corrupt},
    {"shift -32", [](Buf& b) { b.wr32(b.rd32(Buf::sec(2, 3)), 0xFFFFFFE0u); }, Status::Corrupt},
    {"argmax not last", [](Buf& b) {
       // Record 1 (LUT 4) becomes an argmax: argmax followed by more layers.
       b.b[Buf::rec(1)] = 3, b.wr32(Buf::rec(1) + 12, 1);
       b.wr32(Buf::sec(1, 4), 0), b.wr32(Buf::sec(1, 4) + 4, 0);
     }, Status::Corrupt},
};
}  // namespace

TEST_CASE(structural_damage_behind_a_valid_crc) {
  for (const Edit& e : kEdits) {
    Buf buf(golden::kBlob_tiny, sizeof golden::kBlob_tiny);
    e.apply(buf);
    buf.fix_crc();
    QModelStorage<8> st;
    const Status s = load_poisoned(buf, buf.n, st);
    if (!CHECK(s == e.want)) {
      std::printf("     edit '%s': got %s\n", e.what, starling::status_name(s));
    }
    if (s == Status::Ok) {
      starling::QNet<64> net;
      CHECK(net.init(st.model()) == Status::Ok);
    } else {
      CHECK_EQ(st.num_layers, 0);
    }
  }
}

int main() { return check::run_all(); }
