// SPDX-License-Identifier: MIT
// CRC-32/IEEE, nibble-table form (64 bytes of flash instead of 1 KiB).
#include "starling/detail/fp_strict.hpp"
STARLING_FP_STRICT_TU

#include "starling/crc32.hpp"

namespace starling {

namespace {
// kNibble[i]: the reflected CRC register after shifting in the 4 bits of i,
// i.e. the 256-entry table's entries 0x00, 0x10, ..., 0xF0 reduced to 16.
constexpr uint32_t kNibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu};
}  // namespace

uint32_t crc32(const void* data, size_t size, uint32_t crc) noexcept {
  if (data == nullptr) return crc;
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  for (size_t i = 0; i < size; ++i) {
    c ^= p[i];
    c = (c >> 4) ^ kNibble[c & 15u];
    c = (c >> 4) ^ kNibble[c & 15u];
  }
  return ~c;
}

}  // namespace starling
