// Zero-copy loader of the QNet model blob format (see qmodel.hpp).
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
Status parse_record(const uint8_t* blob, const uint8_t* rec, uint32_t payload, uint32_t total,
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

}  // namespace

Status load_qmodel(const uint8_t* blob, size_t size, QLayer* layers, int capacity,
                   QModel* out) noexcept {
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
  if (rd16(blob + 4) != kQModelVersion || rd16(blob + 6) != kQModelHeaderBytes ||
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
    const Status s = parse_record(blob, rec, payload, total, width, i + 1 == count, &l, &next);
    if (s != Status::Ok) return s;
    if (i < static_cast<uint32_t>(capacity)) layers[i] = l;
    width = next;
  }
  if (count > static_cast<uint32_t>(capacity)) return Status::CapacityExceeded;
  *out = QModel{layers, static_cast<int>(count), static_cast<int>(input_dim)};
  return Status::Ok;
}

}  // namespace starling
