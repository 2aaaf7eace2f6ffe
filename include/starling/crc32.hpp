// SPDX-License-Identifier: MIT
// starling/crc32.hpp: CRC-32/IEEE (the zlib, PNG and Ethernet CRC), used to
// check model blobs that arrive at run time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace starling {

/// CRC-32/IEEE of `size` bytes at `data`: reflected polynomial 0xEDB88320,
/// initial value and final XOR 0xFFFFFFFF (check value: crc32("123456789", 9)
/// == 0xCBF43926; the same as zlib's crc32() and Python's zlib.crc32()).
///
/// Chaining: pass the previous result as `crc` to continue a running CRC,
/// crc32(b, nb, crc32(a, na)) == crc32(a‖b, na + nb); start with 0.
/// `data` may be null only when `size` is 0 (a null `data` reads nothing and
/// returns `crc`).
///
/// Memory: a 16-entry (64-byte) table in flash, no RAM. Time: O(size), two
/// table look-ups per byte (a 256-entry table would be ~2x faster but cost
/// 1 KiB of flash; blobs are checked once, at load time).
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0) noexcept;

}  // namespace starling
