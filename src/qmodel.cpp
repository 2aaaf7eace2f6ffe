// SPDX-License-Identifier: MIT
// Zero-copy loader of the QNet model blob format, versions 1 and 2 (see qmodel.hpp).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/qmodel.hpp"

#include <climits>

#include "starling/crc32.hpp"

// The int32 sections are used in place, which needs a little-endian host
// (every supported target is: x86, aarch64, Cortex-M).
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the model blob format is read in place and needs a little-endian target");
#endif

namespace starling {

namespace {

uint16_t rd16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t rd32(const uint8_t* p) noexcept {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
int32_t rd_i16(const uint8_t* p) noexcept { return static_cast<int16_t>(rd16(p)); }
int32_t rd_i8(const uint8_t* p) noexcept { return static_cast<int8_t>(p[0]); }

struct Section {
  uint32_t off, size;
};

// A used section lies in [payload, total) and starts 4-aligned; an unused
// one is (0, 0). 64-bit arithmetic: off + size cannot wrap.
bool section_ok(const Section& s, uint64_t expected_size, uint32_t payload,
                uint32_t total) noexcept {
  if (s.size != expected_size) return false;
  if (expected_size == 0) return s.off == 0;
  return s.off % 4 == 0 && s.off >= payload &&
         static_cast<uint64_t>(s.off) + s.size <= static_cast<uint64_t>(total);
}

enum RecordField : size_t {
  kKind = 0, kFlags = 1, kActMin = 2, kActMax = 3, kInOff = 4, kOutOff = 6,
  kInDim = 8, kOutDim = 12, kSections = 16,
};
enum SectionIndex : size_t { kWeights = 0, kBias, kMult, kShift, kLut, kNumSections };

// Parses and checks record `rec` as the layer receiving `width` values.
// On Ok fills *layer and *out_width.
Status parse_record_v1(const uint8_t* blob, const uint8_t* rec, uint32_t payload, uint32_t total,
                    int width, bool last, QLayer* layer, int* out_width) noexcept {
  const uint8_t kind = rec[kKind];
  const uint8_t flags = rec[kFlags];
  const uint32_t in_dim = rd32(rec + kInDim);
  const uint32_t out_dim = rd32(rec + kOutDim);
  Section sec[kNumSections];
  for (size_t i = 0; i < kNumSections; ++i) {
    sec[i] = Section{rd32(rec + kSections + 8 * i), rd32(rec + kSections + 8 * i + 4)};
  }
  if (in_dim == 0 || in_dim > INT32_MAX || out_dim == 0 || out_dim > INT32_MAX) {
    return Status::Corrupt;
  }
  if (static_cast<int>(in_dim) != width) return Status::Corrupt;

  uint64_t expect[kNumSections] = {0, 0, 0, 0, 0};
  QLayer l{};
  if (kind == static_cast<uint8_t>(QLayerKind::FullyConnected)) {
    if ((flags & ~1u) != 0) return Status::Corrupt;
    const bool per_channel = (flags & 1u) != 0;
    const uint64_t channels = per_channel ? out_dim : 1;
    expect[kWeights] = static_cast<uint64_t>(in_dim) * out_dim;
    expect[kBias] = sec[kBias].size == 0 ? 0 : 4ull * out_dim;  // bias is optional
    expect[kMult] = 4 * channels;
    expect[kShift] = 4 * channels;
    for (size_t i = 0; i < kNumSections; ++i) {
      if (!section_ok(sec[i], expect[i], payload, total)) return Status::Corrupt;
    }
    l.kind = QLayerKind::FullyConnected;
    l.fc.in_dim = static_cast<int>(in_dim);
    l.fc.out_dim = static_cast<int>(out_dim);
    l.fc.input_offset = rd_i16(rec + kInOff);
    l.fc.output_offset = rd_i16(rec + kOutOff);
    l.fc.act_min = rd_i8(rec + kActMin);
    l.fc.act_max = rd_i8(rec + kActMax);
    l.fc.per_channel = per_channel;
    // In place: the blob is 4-aligned and so is every section.
    l.fc.multiplier = reinterpret_cast<const int32_t*>(blob + sec[kMult].off);
    l.fc.shift = reinterpret_cast<const int32_t*>(blob + sec[kShift].off);
    l.weights = reinterpret_cast<const int8_t*>(blob + sec[kWeights].off);
    l.bias = sec[kBias].size == 0 ? nullptr
                                  : reinterpret_cast<const int32_t*>(blob + sec[kBias].off);
  } else if (kind == static_cast<uint8_t>(QLayerKind::Lut) ||
             kind == static_cast<uint8_t>(QLayerKind::Argmax)) {
    const bool is_lut = kind == static_cast<uint8_t>(QLayerKind::Lut);
    if (flags != 0 || rec[kActMin] != 0 || rec[kActMax] != 0 || rd16(rec + kInOff) != 0 ||
        rd16(rec + kOutOff) != 0) {
      return Status::Corrupt;
    }
    if (out_dim != (is_lut ? in_dim : 1u)) return Status::Corrupt;
    if (is_lut) expect[kLut] = 256;
    for (size_t i = 0; i < kNumSections; ++i) {
      if (!section_ok(sec[i], expect[i], payload, total)) return Status::Corrupt;
    }
    l.kind = is_lut ? QLayerKind::Lut : QLayerKind::Argmax;
    l.dim = static_cast<int>(in_dim);
    if (is_lut) l.lut = reinterpret_cast<const int8_t*>(blob + sec[kLut].off);
  } else {
    return Status::Corrupt;
  }
  // The remaining semantic checks (ranges of offsets, clamp, multipliers,
  // shifts; Argmax last) are QNet's own; a blob that fails them is corrupt.
  if (detail::qnet_check_layer(l, width, last, out_width) != Status::Ok) return Status::Corrupt;
  *layer = l;
  return Status::Ok;
}


// ---- version 2 ----

enum RecordFieldV2 : size_t {
  kV2Kind = 0, kV2Flags = 1, kV2ActMin = 2, kV2ActMax = 3, kV2Input = 4, kV2Input2 = 6,
  kV2OutShape = 8, kV2InOff = 20, kV2In2Off = 24, kV2OutOff = 28, kV2Geometry = 32,
  kV2DepthMul = 48, kV2LeftShift = 50, kV2Params = 52, kV2Reserved = 76, kV2Sections = 80,
};

bool zero(const uint8_t* p, size_t n) noexcept {
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

// A shape of three u32 in [1, 2^31 − 1] whose product fits too.
bool read_shape(const uint8_t* p, QShape* s) noexcept {
  const uint32_t h = rd32(p), w = rd32(p + 4), c = rd32(p + 8);
  if (h == 0 || w == 0 || c == 0 || h > INT32_MAX || w > INT32_MAX || c > INT32_MAX) return false;
  if (static_cast<uint64_t>(h) * w > INT32_MAX || static_cast<uint64_t>(h) * w * c > INT32_MAX) {
    return false;
  }
  *s = QShape{static_cast<int>(h), static_cast<int>(w), static_cast<int>(c)};
  return true;
}

// The shape of tensor t as the blob states it: the header's for the input,
// else the output shape of record t − 1 (already checked).
QShape tensor_shape_v2(const uint8_t* blob, uint32_t t) noexcept {
  QShape s{0, 0, 0};
  const uint8_t* p = t == 0 ? blob + 20
                            : blob + kQModelHeaderBytesV2 + kQModelRecordBytesV2 * (t - 1) + kV2OutShape;
  (void)read_shape(p, &s);
  return s;
}

// Which optional fields each kind uses (the others must be zero).
enum UseBits : unsigned {
  kUseAct = 1u << 0, kUseInOff = 1u << 1, kUseIn2 = 1u << 2, kUseOutOff = 1u << 3,
  kUseConvGeom = 1u << 4, kUsePoolGeom = 1u << 5, kUseDepthMul = 1u << 6,
  kUseLeftShift = 1u << 7, kUseP1 = 1u << 8, kUseP2 = 1u << 9, kUseP3 = 1u << 10,
  kUseFlags = 1u << 11,
};

unsigned uses(uint8_t kind) noexcept {
  switch (static_cast<QLayerKind>(kind)) {
    case QLayerKind::FullyConnected: return kUseAct | kUseInOff | kUseOutOff | kUseFlags;
    case QLayerKind::Conv2D: return kUseAct | kUseInOff | kUseOutOff | kUseConvGeom;
    case QLayerKind::DepthwiseConv2D:
      return kUseAct | kUseInOff | kUseOutOff | kUseConvGeom | kUseDepthMul;
    case QLayerKind::AvgPool2D:
    case QLayerKind::MaxPool2D: return kUseAct | kUsePoolGeom;
    case QLayerKind::Add:
      return kUseAct | kUseInOff | kUseIn2 | kUseOutOff | kUseLeftShift | kUseP1 | kUseP2 | kUseP3;
    case QLayerKind::Softmax: return kUseP1 | kUseP2;
    case QLayerKind::Mean: return kUseInOff | kUseOutOff | kUseP1;
    default: return 0;  // Lut, Argmax, Reshape
  }
}

bool unused_fields_zero(const uint8_t* rec, unsigned u) noexcept {
  const bool geom = (u & (kUseConvGeom | kUsePoolGeom)) != 0;
  return ((u & kUseFlags) || rec[kV2Flags] == 0) &&
         ((u & kUseAct) || (rec[kV2ActMin] == 0 && rec[kV2ActMax] == 0)) &&
         ((u & kUseIn2) || rd16(rec + kV2Input2) == 0) &&
         ((u & kUseInOff) || rd32(rec + kV2InOff) == 0) &&
         ((u & kUseIn2) || rd32(rec + kV2In2Off) == 0) &&
         ((u & kUseOutOff) || rd32(rec + kV2OutOff) == 0) &&
         (geom || zero(rec + kV2Geometry, 16)) &&
         // Pools have no dilation.
         (!(u & kUsePoolGeom) || zero(rec + kV2Geometry + 8, 4)) &&
         ((u & kUseDepthMul) || rd16(rec + kV2DepthMul) == 0) &&
         ((u & kUseLeftShift) || rd16(rec + kV2LeftShift) == 0) &&
         ((u & kUseP1) || zero(rec + kV2Params, 8)) &&
         ((u & kUseP2) || zero(rec + kV2Params + 8, 8)) &&
         ((u & kUseP3) || zero(rec + kV2Params + 16, 8)) && zero(rec + kV2Reserved, 4);
}

// A kind the op set does not enable is parsed and its sections checked, but
// its parameters cannot be (their checks are not linked): *disabled is set.
Status parse_record_v2(const uint8_t* blob, const uint8_t* rec, uint32_t payload, uint32_t total,
                       uint32_t index, bool last, const QOpResolver& ops, QLayer* layer,
                       bool* disabled) noexcept {
  const uint8_t kind = rec[kV2Kind];
  if (kind < 1 || kind > 11) return Status::Corrupt;
  const unsigned u = uses(kind);
  if (!unused_fields_zero(rec, u)) return Status::Corrupt;
  const uint32_t in1 = rd16(rec + kV2Input), in2 = rd16(rec + kV2Input2);
  if (in1 > index || in2 > index) return Status::Corrupt;
  QShape out{0, 0, 0};
  if (!read_shape(rec + kV2OutShape, &out)) return Status::Corrupt;
  const QShape in = tensor_shape_v2(blob, in1);
  const QShape in_b = tensor_shape_v2(blob, in2);
  Section sec[kNumSections];
  for (size_t i = 0; i < kNumSections; ++i) {
    sec[i] = Section{rd32(rec + kV2Sections + 8 * i), rd32(rec + kV2Sections + 8 * i + 4)};
  }
  auto i32 = [&](size_t off) { return static_cast<int32_t>(rd32(rec + off)); };
  auto u16 = [&](size_t k) { return static_cast<int>(rd16(rec + kV2Geometry + 2 * k)); };
  const int32_t act_min = rd_i8(rec + kV2ActMin), act_max = rd_i8(rec + kV2ActMax);
  const uint64_t in_elems = static_cast<uint64_t>(in.h) * static_cast<uint64_t>(in.w) *
                            static_cast<uint64_t>(in.c);
  const uint64_t oc = static_cast<uint64_t>(out.c);
  uint64_t expect[kNumSections] = {0, 0, 0, 0, 0};
  const bool has_bias = sec[kBias].size != 0;

  QLayer l{};
  l.input = static_cast<int>(in1);
  l.input2 = static_cast<int>(in2);
  // The multiplier and shift pointers are set once their sections are checked.
  const int32_t* mult = nullptr;
  const int32_t* shift = nullptr;
  switch (static_cast<QLayerKind>(kind)) {
    case QLayerKind::FullyConnected: {
      if ((rec[kV2Flags] & ~1u) != 0) return Status::Corrupt;
      const bool per_channel = (rec[kV2Flags] & 1u) != 0;
      const uint64_t channels = per_channel ? oc : 1;
      expect[kWeights] = in_elems * oc;
      expect[kBias] = has_bias ? 4 * oc : 0;
      expect[kMult] = expect[kShift] = 4 * channels;
      l.kind = QLayerKind::FullyConnected;
      l.fc = FcParams{static_cast<int>(in_elems), out.c, i32(kV2InOff), i32(kV2OutOff), mult,
                      shift, per_channel, act_min, act_max};
      break;
    }
    case QLayerKind::Lut:
      expect[kLut] = 256;
      l.kind = QLayerKind::Lut;
      l.dim = static_cast<int>(in_elems);
      break;
    case QLayerKind::Argmax:
      l.kind = QLayerKind::Argmax;
      l.dim = static_cast<int>(in_elems);
      break;
    case QLayerKind::Conv2D:
    case QLayerKind::DepthwiseConv2D: {
      const bool dw = kind == static_cast<uint8_t>(QLayerKind::DepthwiseConv2D);
      const uint64_t taps = static_cast<uint64_t>(u16(0)) * static_cast<uint64_t>(u16(1));
      expect[kWeights] = dw ? taps * oc : taps * oc * static_cast<uint64_t>(in.c);
      expect[kBias] = has_bias ? 4 * oc : 0;
      expect[kMult] = expect[kShift] = 4 * oc;
      const ConvParams p{1,      in.h,   in.w,   in.c,   out.h,  out.w,        out.c,
                         u16(0), u16(1), u16(2), u16(3), u16(4), u16(5),       u16(6),
                         u16(7), i32(kV2InOff), i32(kV2OutOff), mult, shift, act_min, act_max};
      if (dw) {
        DepthwiseParams d{};
        static_cast<ConvParams&>(d) = p;
        d.depth_multiplier = rd16(rec + kV2DepthMul);
        l.kind = QLayerKind::DepthwiseConv2D;
        l.op = QOpParams(d);
      } else {
        l.kind = QLayerKind::Conv2D;
        l.op = QOpParams(p);
      }
      break;
    }
    case QLayerKind::AvgPool2D:
    case QLayerKind::MaxPool2D:
      l.kind = static_cast<QLayerKind>(kind);
      l.op = QOpParams(PoolParams{1, in.h, in.w, in.c, out.h, out.w, u16(0), u16(1), u16(2),
                                  u16(3), u16(6), u16(7), act_min, act_max});
      break;
    case QLayerKind::Add:
      l.kind = QLayerKind::Add;
      l.op = QOpParams(AddParams{static_cast<int>(in_elems), i32(kV2InOff), i32(kV2In2Off),
                                 i32(kV2OutOff), static_cast<int>(rd16(rec + kV2LeftShift)),
                                 i32(kV2Params), i32(kV2Params + 4), i32(kV2Params + 8),
                                 i32(kV2Params + 12), i32(kV2Params + 16), i32(kV2Params + 20),
                                 act_min, act_max});
      break;
    case QLayerKind::Softmax:
      l.kind = QLayerKind::Softmax;
      l.op = QOpParams(SoftmaxParams{in.h * in.w, in.c, i32(kV2Params), i32(kV2Params + 4),
                                     i32(kV2Params + 8)});
      break;
    case QLayerKind::Reshape:
      l.kind = QLayerKind::Reshape;
      l.op = QOpParams(out);
      break;
    case QLayerKind::Mean:
      l.kind = QLayerKind::Mean;
      l.op = QOpParams(MeanParams{1, in.h, in.w, in.c, i32(kV2InOff), i32(kV2OutOff),
                                  i32(kV2Params), i32(kV2Params + 4)});
      break;
  }
  for (size_t i = 0; i < kNumSections; ++i) {
    if (!section_ok(sec[i], expect[i], payload, total)) return Status::Corrupt;
  }
  if (expect[kWeights] != 0) l.weights = reinterpret_cast<const int8_t*>(blob + sec[kWeights].off);
  if (has_bias) l.bias = reinterpret_cast<const int32_t*>(blob + sec[kBias].off);
  if (expect[kLut] != 0) l.lut = reinterpret_cast<const int8_t*>(blob + sec[kLut].off);
  if (expect[kMult] != 0) {
    mult = reinterpret_cast<const int32_t*>(blob + sec[kMult].off);
    shift = reinterpret_cast<const int32_t*>(blob + sec[kShift].off);
    if (l.kind == QLayerKind::FullyConnected) {
      l.fc.multiplier = mult;
      l.fc.shift = shift;
    } else if (l.kind == QLayerKind::Conv2D) {
      l.op.conv.multiplier = mult;
      l.op.conv.shift = shift;
    } else {
      l.op.dw.multiplier = mult;
      l.op.dw.shift = shift;
    }
  }
  if ((qnet_op(l.kind) & kQOpsChain) == 0 && ops.kernels[kind] == nullptr) {
    *disabled = true;
    *layer = l;
    return Status::Ok;
  }
  QShape produced{0, 0, 0};
  if (detail::qnet_check_graph_layer(l, static_cast<int>(index), in, in_b, last, &produced, ops) !=
          Status::Ok ||
      produced.h != out.h || produced.w != out.w || produced.c != out.c) {
    return Status::Corrupt;
  }
  *layer = l;
  return Status::Ok;
}

Status load_v2(const uint8_t* blob, size_t size, QLayer* layers, int capacity, QModel* out,
               const QOpResolver& ops) noexcept {
  if (size < kQModelHeaderBytesV2) return Status::Corrupt;
  if (rd16(blob + 6) != kQModelHeaderBytesV2 || rd16(blob + 18) != kQModelRecordBytesV2) {
    return Status::Corrupt;
  }
  const uint32_t total = rd32(blob + 12);
  if (total > size || total % 4 != 0) return Status::Corrupt;
  const uint32_t count = rd16(blob + 16);
  // At most 32 + 120·65535 bytes: no overflow in 32 bits.
  const uint32_t payload =
      static_cast<uint32_t>(kQModelHeaderBytesV2 + kQModelRecordBytesV2 * count);
  if (count == 0 || payload > total) return Status::Corrupt;
  if (crc32(blob + 12, total - 12u) != rd32(blob + 8)) return Status::Corrupt;
  QShape in{0, 0, 0};
  if (!read_shape(blob + 20, &in)) return Status::Corrupt;
  // Every record is checked even past the capacity (the shapes come from
  // the records), so CapacityExceeded never hides a corrupt blob.
  bool disabled = false;
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* rec = blob + kQModelHeaderBytesV2 + kQModelRecordBytesV2 * i;
    QLayer l{};
    const Status s = parse_record_v2(blob, rec, payload, total, i, i + 1 == count, ops, &l, &disabled);
    if (s != Status::Ok) return s;
    if (i < static_cast<uint32_t>(capacity)) layers[i] = l;
  }
  if (count > static_cast<uint32_t>(capacity) || disabled) return Status::CapacityExceeded;
  const QModel m{layers, static_cast<int>(count), in.h * in.w * in.c, in.h, in.w, in.c};
  // A graph of enabled kinds still needs the planned path.
  if ((qnet_model_ops(m) & ~ops.ops) != 0) return Status::CapacityExceeded;
  // The records were checked one by one against the shapes they state; the
  // model as QNet sees it must agree.
  if (qnet_validate(m, ops) != Status::Ok) return Status::Corrupt;
  *out = m;
  return Status::Ok;
}

}  // namespace

Status load_qmodel(const uint8_t* blob, size_t size, QLayer* layers, int capacity,
                   QModel* out) noexcept {
  return load_qmodel(blob, size, layers, capacity, out, qnet_default_resolver());
}

Status load_qmodel(const uint8_t* blob, size_t size, QLayer* layers, int capacity, QModel* out,
                   const QOpResolver& ops) noexcept {
  if (out == nullptr) return Status::InvalidArgument;
  *out = QModel{layers, 0, 0};
  if (blob == nullptr || layers == nullptr || capacity < 1 ||
      reinterpret_cast<uintptr_t>(blob) % 4 != 0) {
    return Status::InvalidArgument;
  }
  if (size < kQModelHeaderBytes) return Status::Corrupt;
  for (size_t i = 0; i < 4; ++i) {
    if (blob[i] != kQModelMagic[i]) return Status::Corrupt;
  }
  if (rd16(blob + 4) == kQModelVersion) return load_v2(blob, size, layers, capacity, out, ops);
  if (rd16(blob + 4) != kQModelVersion1 || rd16(blob + 6) != kQModelHeaderBytes ||
      rd16(blob + 18) != kQModelRecordBytes) {
    return Status::Corrupt;
  }
  const uint32_t total = rd32(blob + 12);
  if (total > size || total % 4 != 0) return Status::Corrupt;
  const uint32_t count = rd16(blob + 16);
  // At most 24 + 56·65535 bytes: no overflow in 32 bits.
  const uint32_t payload = static_cast<uint32_t>(kQModelHeaderBytes + kQModelRecordBytes * count);
  if (count == 0 || payload > total) return Status::Corrupt;
  if (crc32(blob + 12, total - 12u) != rd32(blob + 8)) return Status::Corrupt;
  const uint32_t input_dim = rd32(blob + 20);
  if (input_dim == 0 || input_dim > INT32_MAX) return Status::Corrupt;

  // Every record is checked even past the capacity, so that CapacityExceeded
  // means "valid, but too big" and never hides a corrupt blob.
  int width = static_cast<int>(input_dim);
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* rec = blob + kQModelHeaderBytes + kQModelRecordBytes * i;
    QLayer l{};
    int next = 0;
    const Status s = parse_record_v1(blob, rec, payload, total, width, i + 1 == count, &l, &next);
    if (s != Status::Ok) return s;
    if (i < static_cast<uint32_t>(capacity)) layers[i] = l;
    width = next;
  }
  if (count > static_cast<uint32_t>(capacity)) return Status::CapacityExceeded;
  *out = QModel{layers, static_cast<int>(count), static_cast<int>(input_dim)};
  return Status::Ok;
}

}  // namespace starling
