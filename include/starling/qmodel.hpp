// SPDX-License-Identifier: MIT
// starling/qmodel.hpp: the binary model format for QNet models that arrive at
// run time (radio, SD card, a flash partition), and its zero-copy loader.
//
//   alignas(4) static uint8_t blob[4096];  size_t n = receive(blob);
//   starling::QModelStorage<8> storage;     // room for 8 layer descriptors
//   if (starling::load_qmodel(blob, n, storage) != starling::Status::Ok) ...reject...
//   static starling::QNet<256> net;
//   if (net.init(storage.model()) != starling::Status::Ok) ...
//
// Format, version 1. All integers little-endian; offsets are bytes from the
// start of the blob. Writer: tools/qnet_blob.py (the same table is there).
//
// Header (24 bytes):
//   off size type  field
//    0   4   u8[4] magic "SQNT" (0x53 0x51 0x4E 0x54)
//    4   2   u16   version = 1
//    6   2   u16   header_size = 24 (the layer records start here)
//    8   4   u32   crc32: CRC-32/IEEE (crc32.hpp) of bytes [12, total_size),
//                  i.e. of everything after this field
//   12   4   u32   total_size: blob length, a multiple of 4; bytes after it
//                  (flash page padding) are ignored
//   16   2   u16   layer_count >= 1
//   18   2   u16   record_size = 56
//   20   4   u32   input_dim >= 1
// Layer records (layer_count × 56 bytes, at 24 + 56·i):
//    0   1   u8    kind: 1 FullyConnected, 2 Lut, 3 Argmax (QLayerKind)
//    1   1   u8    flags: bit 0 per_channel (FullyConnected only); others 0
//    2   1   i8    act_min  (FullyConnected; else 0)
//    3   1   i8    act_max  (FullyConnected; else 0)
//    4   2   i16   input_offset  (FullyConnected, [−127, 128]; else 0)
//    6   2   i16   output_offset (FullyConnected, [−128, 127]; else 0)
//    8   4   u32   in_dim  (= the previous layer's output width, or input_dim)
//   12   4   u32   out_dim (FullyConnected: outputs; Lut: = in_dim; Argmax: 1)
//   16   8   u32×2 weights    offset, size: FC out_dim·in_dim bytes of int8, row-major
//   24   8   u32×2 bias       offset, size: FC 4·out_dim bytes of int32, or 0 (no bias)
//   32   8   u32×2 multiplier offset, size: FC 4·C bytes of int32, C = out_dim if per_channel else 1
//   40   8   u32×2 shift      offset, size: FC 4·C bytes of int32
//   48   8   u32×2 lut        offset, size: Lut 256 bytes of int8 (entry q + 128)
// Unused sections (every section of an Argmax, the LUT of a FullyConnected,
// ...) are (0, 0). A used section starts at a multiple of 4 at or after the
// end of the records (24 + 56·layer_count) and ends within total_size.
// Sections may overlap (two layers may share one LUT). Payload: the
// sections, each padded with zeros to 4 bytes.
//
// Why the CRC sits at offset 8 and covers what follows it: the fields before
// it (magic, version, header size) are constants the loader compares
// exactly, so every byte of the blob is checked and the CRC is computed in
// one pass without zeroing a field.
#pragma once
#include <cstddef>
#include <cstdint>

#include "starling/qnet.hpp"
#include "starling/status.hpp"

namespace starling {

///@{
/// Format constants (see the table above).
constexpr uint8_t kQModelMagic[4] = {'S', 'Q', 'N', 'T'};
constexpr uint16_t kQModelVersion = 1;
constexpr size_t kQModelHeaderBytes = 24;
constexpr size_t kQModelRecordBytes = 56;
///@}
/// The layer count field is u16.
constexpr int kQModelMaxLayers = 65535;

/// Size-erased loader. Validates the whole blob, then fills layers[0 ..
/// layer_count) with descriptors whose pointers refer into `blob` (zero copy:
/// a blob in flash is used in place and must outlive the model) and sets
/// *out = {layers, layer_count, input_dim}.
///
/// Checks, in order: header constants (magic, version, header_size,
/// record_size), total_size within `size` and a multiple of 4, records
/// within total_size, the CRC, input_dim, and per record: kind, flags and
/// unused fields zero, every section (offset + size computed without
/// overflow) inside the payload and 4-aligned, section sizes exactly as the
/// dims imply, dims in [1, 2^31 − 1] and chained from layer to layer, and
/// qnet_check_layer (offsets, clamp, multiplier >= 0, shift in [−31, 30],
/// in_dim <= kFcMaxInDim, Argmax last). Reads nothing outside
/// [blob, blob + size).
///
/// Returns InvalidArgument for a null blob, layers or out, a blob not
/// aligned to 4 bytes (the int32 sections are read in place), or capacity
/// < 1; Corrupt for any failed check (a model too large for the QNet
/// kernels counts as corrupt); CapacityExceeded when the blob is valid but
/// has more than `capacity` layers. On any error *out is {layers, 0, 0}
/// (QNet::init rejects it) and layers[] may be partly written.
/// Time O(size) (one CRC pass plus the multiplier/shift arrays); memory: the
/// caller's layers[], sizeof(QLayer) each (60 bytes on 32-bit targets).
[[nodiscard]] Status load_qmodel(const uint8_t* blob, size_t size, QLayer* layers, int capacity,
                                 QModel* out) noexcept;

/// Room for the descriptors of a model of up to MaxLayers layers; the
/// weights stay in the blob. Memory: MaxLayers·sizeof(QLayer) + 8 bytes.
template <int MaxLayers>
struct QModelStorage {
  static_assert(MaxLayers >= 1, "MaxLayers must be at least 1");
  static_assert(MaxLayers <= kQModelMaxLayers, "the format holds at most 65535 layers");
  /// The capacity (the template argument): the most layers a blob may have.
  static constexpr int kMaxLayers = MaxLayers;

  QLayer layers[MaxLayers] = {};  ///< the loaded layer descriptors (the first num_layers)
  int num_layers = 0;  ///< 0 until a successful load_qmodel
  int input_dim = 0;   ///< int8 values per input sample; 0 until a successful load_qmodel

  /// The loaded model, pointing into this storage and into the blob; built
  /// on each call so that a copied storage refers to its own layers.
  QModel model() const noexcept { return QModel{layers, num_layers, input_dim}; }
};

/// load_qmodel into a QModelStorage (same checks and statuses; the
/// capacity is MaxLayers). On error the storage holds an empty model.
template <int MaxLayers>
[[nodiscard]] Status load_qmodel(const uint8_t* blob, size_t size,
                                 QModelStorage<MaxLayers>& out) noexcept {
  QModel m{nullptr, 0, 0};
  const Status s = load_qmodel(blob, size, out.layers, MaxLayers, &m);
  out.num_layers = m.num_layers;
  out.input_dim = m.input_dim;
  return s;
}

}  // namespace starling
