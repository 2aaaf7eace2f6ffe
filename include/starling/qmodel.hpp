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
// Two versions load: version 2 (written by tools/qnet_blob.py and
// tools/tflite_import.py today: every layer kind, tensor graphs) and version 1
// (fully connected / LUT / argmax chains; blobs written before version 2).
// All integers little-endian; offsets are bytes from the start of the blob.
// tools/qnet_blob.py holds the same tables.
//
// Version 2. Header (32 bytes):
//   off size type  field
//    0   4   u8[4] magic "SQNT" (0x53 0x51 0x4E 0x54)
//    4   2   u16   version = 2
//    6   2   u16   header_size = 32 (the layer records start here)
//    8   4   u32   crc32: CRC-32/IEEE (crc32.hpp) of bytes [12, total_size)
//   12   4   u32   total_size: blob length, a multiple of 4; bytes after it
//                  (flash page padding) are ignored
//   16   2   u16   layer_count >= 1
//   18   2   u16   record_size = 120
//   20  12   u32×3 input shape h, w, c (each >= 1; a vector of n is 1, 1, n)
// Layer records (layer_count × 120 bytes, at 32 + 120·i). Tensors are
// numbered as in qnet.hpp: 0 the input, k the output of layer k − 1.
//    0   1   u8    kind (QLayerKind: 1 FC, 2 Lut, 3 Argmax, 4 Conv2D,
//                  5 DepthwiseConv2D, 6 AvgPool2D, 7 MaxPool2D, 8 Add,
//                  9 Softmax, 10 Reshape, 11 Mean)
//    1   1   u8    flags: bit 0 per_channel (FC only); others 0
//    2   1   i8    act_min  (FC, Conv2D, DepthwiseConv2D, pools, Add)
//    3   1   i8    act_max  (same kinds)
//    4   2   u16   input: the tensor read, <= i for layer i
//    6   2   u16   input2: Add's second tensor, <= i; else 0
//    8  12   u32×3 output shape h, w, c: the shape this layer produces,
//                  checked against the layer (FC: 1, 1, out_dim; Lut, Add,
//                  Softmax, Argmax: the input's; Mean: 1, 1, c; Reshape: any
//                  shape of the input's element count)
//   20   4   i32   input_offset  (FC, Conv2D, DepthwiseConv2D, Mean; Add: in1_offset)
//   24   4   i32   input2_offset (Add: in2_offset)
//   28   4   i32   output_offset (FC, Conv2D, DepthwiseConv2D, Mean; Add: out_offset)
//   32  16   u16×8 k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w
//                  (Conv2D, DepthwiseConv2D; pools: k, stride, pad, dilations 0)
//   48   2   u16   depth_multiplier (DepthwiseConv2D)
//   50   2   u16   left_shift (Add)
//   52  24   i32×6 m1, s1, m2, s2, m3, s3: Add: in1_multiplier, in1_shift,
//                  in2_multiplier, in2_shift, out_multiplier, out_shift;
//                  Softmax: input_multiplier, input_left_shift, diff_min, 0, 0, 0;
//                  Mean: multiplier, shift, 0, 0, 0, 0
//   76   4   u32   reserved = 0
//   80  40   u32×2 ×5 sections (offset, size):
//                  weights: FC out_dim·in_dim int8 row-major; Conv2D
//                    out_c·k_h·k_w·in_c (OHWI); DepthwiseConv2D k_h·k_w·out_c
//                  bias: 4·out channels of int32, or (0, 0) for none
//                  multiplier, shift: 4·C bytes of int32 (FC: C = out_dim if
//                    per_channel else 1; Conv2D, DepthwiseConv2D: C = out_c)
//                  lut: Lut 256 int8 (entry q + 128)
// The input dims of a layer (in_h, in_w, in_c; FC in_dim; Add size; Softmax
// rows = h·w, cols = c; Mean in_h, in_w, channels) are those of the tensor
// it reads and are not stored. Fields a kind does not use are 0.
//
// Version 1 (24-byte header, 56-byte records; a chain of FC, Lut, Argmax):
//    0   4   u8[4] magic;   4 u16 version = 1;   6 u16 header_size = 24
//    8   4   u32   crc32;  12 u32 total_size;   16 u16 layer_count
//   18   2   u16   record_size = 56;            20 u32 input_dim >= 1
// Records at 24 + 56·i:
//    0 u8 kind (1, 2, 3);  1 u8 flags (bit 0 per_channel, FC);  2 i8 act_min;
//    3 i8 act_max;  4 i16 input_offset;  6 i16 output_offset (FC; else 0)
//    8 u32 in_dim (= the previous output width, or input_dim)
//   12 u32 out_dim (FC: outputs; Lut: = in_dim; Argmax: 1)
//   16 u32×2 ×5 sections weights, bias, multiplier, shift, lut, as version 2.
//
// Both versions: unused sections are (0, 0). A used section starts at a
// multiple of 4 at or after the end of the records and ends within
// total_size. Sections may overlap (two layers may share one LUT). Payload:
// the sections, each padded with zeros to 4 bytes.
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

/// Format constants (see the tables above).
constexpr uint8_t kQModelMagic[4] = {'S', 'Q', 'N', 'T'};
/// The version tools write today; load_qmodel also reads kQModelVersion1.
constexpr uint16_t kQModelVersion = 2;
/// The first format (FC / LUT / argmax chains), still accepted by load_qmodel.
constexpr uint16_t kQModelVersion1 = 1;
/// Version 1 header size in bytes (its layer records start here).
constexpr size_t kQModelHeaderBytes = 24;
/// Version 1 layer record size in bytes.
constexpr size_t kQModelRecordBytes = 56;
/// Version 2 header size in bytes (its layer records start here).
constexpr size_t kQModelHeaderBytesV2 = 32;
/// Version 2 layer record size in bytes.
constexpr size_t kQModelRecordBytesV2 = 120;
/// The layer count field is u16.
constexpr int kQModelMaxLayers = 65535;

/// Size-erased loader. Validates the whole blob, then fills layers[0 ..
/// layer_count) with descriptors whose pointers refer into `blob` (zero copy:
/// a blob in flash is used in place and must outlive the model) and sets
/// *out = {layers, layer_count, input_dim, input_h, input_w, input_c}.
///
/// Checks, in order: header constants (magic, version, header_size,
/// record_size), total_size within `size` and a multiple of 4, records
/// within total_size, the CRC, the input shape (product <= 2^31 − 1), and
/// per record: kind, flags and unused fields zero, tensor numbers, every
/// section (offset + size computed without overflow) inside the payload
/// and 4-aligned, section sizes exactly as the shapes imply, and the layer
/// itself (detail::qnet_check_layer for version 1,
/// detail::qnet_check_graph_layer for version 2: offsets, clamps,
/// multipliers, shifts, geometry and kernel limits through the validate()
/// functions of quant.hpp, layers.hpp and qnet.hpp) against the shapes of
/// the tensors it reads, and (version 2) that it produces the output shape
/// its record states. Finally qnet_validate on the whole model. Reads
/// nothing outside [blob, blob + size).
///
/// Returns InvalidArgument for a null blob, layers or out, a blob not
/// aligned to 4 bytes (the int32 sections are read in place), or capacity
/// < 1; Corrupt for any failed check (a model too large for the QNet
/// kernels counts as corrupt); CapacityExceeded when the blob is valid but
/// has more than `capacity` layers (every record is still checked), or when
/// it is intact (CRC, structure, sections) but needs a layer kind or the
/// planned path that the op set does not enable (the parameters of such
/// layers are then not checked: their checks are not linked). On any
/// error *out is {layers, 0, 0} (QNet::init rejects it) and layers[] may be
/// partly written.
/// Time O(size) (one CRC pass plus the multiplier/shift arrays) plus
/// qnet_validate's; memory: the caller's layers[], sizeof(QLayer) each (156
/// bytes on 32-bit targets).
/// Uses the op set qnet_default_ops() (on firmware, FullyConnected / Lut /
/// Argmax chains only); the overload below names one.
[[nodiscard]] Status load_qmodel(const uint8_t* blob, size_t size, QLayer* layers, int capacity,
                                 QModel* out) noexcept;
/// load_qmodel with the op set of `ops` (a QOpResolver as QNetCore::init
/// takes; only the enabled kinds' checks are linked). Same checks and
/// statuses; a blob that needs a kind outside `ops` is CapacityExceeded.
[[nodiscard]] Status load_qmodel(const uint8_t* blob, size_t size, QLayer* layers, int capacity,
                                 QModel* out, const QOpResolver& ops) noexcept;

/// Room for the descriptors of a model of up to MaxLayers layers; the
/// weights stay in the blob. Memory: MaxLayers·sizeof(QLayer) + 20 bytes.
template <int MaxLayers>
struct QModelStorage {
  static_assert(MaxLayers >= 1, "MaxLayers must be at least 1");
  static_assert(MaxLayers <= kQModelMaxLayers, "the format holds at most 65535 layers");
  /// The capacity (the template argument): the most layers a blob may have.
  static constexpr int kMaxLayers = MaxLayers;

  QLayer layers[MaxLayers] = {};  ///< the loaded layer descriptors (the first num_layers)
  int num_layers = 0;  ///< 0 until a successful load_qmodel
  int input_dim = 0;   ///< int8 values per input sample (0 until a successful load)
  /** @{ */
  /// The input shape (h, w, c) from the blob; version 1 blobs leave 0, 0, 0
  /// (a flat vector of input_dim values).
  int input_h = 0, input_w = 0, input_c = 0;
  /** @} */

  /// The loaded model, pointing into this storage and into the blob; built
  /// on each call so that a copied storage refers to its own layers.
  QModel model() const noexcept {
    return QModel{layers, num_layers, input_dim, input_h, input_w, input_c};
  }
};

/// load_qmodel into a QModelStorage (same checks and statuses; the
/// capacity is MaxLayers), with the op set qnet_default_ops(). On error the
/// storage holds an empty model.
template <int MaxLayers>
[[nodiscard]] Status load_qmodel(const uint8_t* blob, size_t size,
                                 QModelStorage<MaxLayers>& out) noexcept {
  return load_qmodel(blob, size, out, qnet_default_resolver());
}
/// load_qmodel into a QModelStorage with the op set of `ops`, typically the
/// one of the QNet that will run the model:
/// `load_qmodel(blob, n, storage, kQOpResolver<MODEL_OPS>)`. Same checks
/// and statuses.
template <int MaxLayers>
[[nodiscard]] Status load_qmodel(const uint8_t* blob, size_t size, QModelStorage<MaxLayers>& out,
                                 const QOpResolver& ops) noexcept {
  QModel m{nullptr, 0, 0};
  const Status s = load_qmodel(blob, size, out.layers, MaxLayers, &m, ops);
  out.num_layers = m.num_layers;
  out.input_dim = m.input_dim;
  out.input_h = m.input_h;
  out.input_w = m.input_w;
  out.input_c = m.input_c;
  return s;
}

}  // namespace starling
