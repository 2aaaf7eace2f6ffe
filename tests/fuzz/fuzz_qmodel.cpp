// SPDX-License-Identifier: MIT
// libFuzzer target for the QNet blob loader (format versions 1 and 2):
// load_qmodel must return a
// Status for any bytes, never read outside them, and whatever it accepts
// must init and run. Built by tests/qnet/meson.build when the compiler is
// clang with -fsanitize=fuzzer; run it (bounded) with
//   ./build-fuzz/tests/qnet/fuzz_qmodel -max_total_time=60 tests/fuzz/corpus
//
// Each input is tried twice: as it is (mostly exercising the header and CRC
// checks) and with its CRC field recomputed, so that mutations reach the
// record and section validation behind the CRC.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "starling/crc32.hpp"
#include "starling/qmodel.hpp"
#include "starling/qnet.hpp"

namespace {

// Multiply-adds (and window taps) of one run, saturating: the fuzzer runs
// only models below a budget, so one input never takes seconds.
double work(const starling::QModel& m) {
  double w = 0;
  for (int i = 0; i < m.num_layers; ++i) {
    const starling::QLayer& l = m.layers[i];
    switch (l.kind) {
      case starling::QLayerKind::FullyConnected: w += double(l.fc.in_dim) * l.fc.out_dim; break;
      case starling::QLayerKind::Conv2D: {
        const starling::ConvParams& p = l.op.conv;
        w += double(p.out_h) * p.out_w * p.out_c * p.k_h * p.k_w * p.in_c;
        break;
      }
      case starling::QLayerKind::DepthwiseConv2D: {
        const starling::DepthwiseParams& p = l.op.dw;
        w += double(p.out_h) * p.out_w * p.out_c * p.k_h * p.k_w;
        break;
      }
      case starling::QLayerKind::AvgPool2D:
      case starling::QLayerKind::MaxPool2D: {
        const starling::PoolParams& p = l.op.pool;
        w += double(p.out_h) * p.out_w * p.channels * p.k_h * p.k_w;
        break;
      }
      case starling::QLayerKind::Mean:
        w += double(l.op.mean.in_h) * l.op.mean.in_w * l.op.mean.channels;
        break;
      default: w += 1 << 16; break;
    }
  }
  return w;
}

void load_and_run(const uint8_t* blob, size_t size) {
  static starling::QModelStorage<32> st;
  if (starling::load_qmodel(blob, size, st) != starling::Status::Ok) {
    if (st.num_layers != 0) __builtin_trap();  // a failed load must leave an empty model
    return;
  }
  // The loader validates everything init does except the arena size.
  if (starling::qnet_validate(st.model()) != starling::Status::Ok) __builtin_trap();
  static starling::QNet<1 << 16> net;
  const starling::Status s = net.init(st.model());
  if (s != starling::Status::Ok && s != starling::Status::CapacityExceeded) __builtin_trap();
  if (s != starling::Status::Ok) return;
  // The plan stays inside the arena and never above the no-reuse bound.
  const size_t used = net.arena_bytes(1);
  if (used > sizeof(int8_t) * (1 << 16) || used > starling::qnet_arena_bytes(st.model(), 1)) {
    __builtin_trap();
  }
  static int8_t input[1 << 16];
  static int8_t output[1 << 16];
  const int in = net.input_dim(), out = net.output_dim();
  if (in > static_cast<int>(sizeof input) || out > static_cast<int>(sizeof output)) return;
  if (work(st.model()) > 4e6) return;
  for (int i = 0; i < in; ++i) input[i] = static_cast<int8_t>(i * 37 - 128);
  if (net.run(input, output) != starling::Status::Ok) __builtin_trap();
  int cls = -1;
  if (net.classify(input, &cls) != starling::Status::Ok || cls < 0 || cls >= out) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // An exact-size heap copy: 4-aligned (malloc's alignment) and with ASan's
  // redzone right after the last byte, so any over-read is reported.
  uint8_t* blob = static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : size));
  if (blob == nullptr) return 0;
  if (size != 0) std::memcpy(blob, data, size);
  load_and_run(blob, size);
  if (size >= 16) {
    uint32_t total = static_cast<uint32_t>(blob[12]) | static_cast<uint32_t>(blob[13]) << 8 |
                     static_cast<uint32_t>(blob[14]) << 16 | static_cast<uint32_t>(blob[15]) << 24;
    if (total > size) total = static_cast<uint32_t>(size);
    if (total >= 12) {
      const uint32_t crc = starling::crc32(blob + 12, total - 12u);
      for (int i = 0; i < 4; ++i) blob[8 + i] = static_cast<uint8_t>(crc >> (8 * i));
      load_and_run(blob, size);
    }
  }
  std::free(blob);
  return 0;
}
