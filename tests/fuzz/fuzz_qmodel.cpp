// SPDX-License-Identifier: MIT
// libFuzzer target for the QNet blob loader: load_qmodel must return a
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

void load_and_run(const uint8_t* blob, size_t size) {
  starling::QModelStorage<16> st;
  if (starling::load_qmodel(blob, size, st) != starling::Status::Ok) {
    if (st.num_layers != 0) __builtin_trap();  // a failed load must leave an empty model
    return;
  }
  static starling::QNet<4096> net;
  const starling::Status s = net.init(st.model());
  // The loader validates everything init does except the arena size.
  if (s != starling::Status::Ok && s != starling::Status::CapacityExceeded) __builtin_trap();
  if (s != starling::Status::Ok) return;
  static int8_t input[1 << 15];
  static int8_t output[1 << 15];
  const int in = net.input_dim(), out = net.output_dim();
  if (in > static_cast<int>(sizeof input) || out > static_cast<int>(sizeof output)) return;
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
