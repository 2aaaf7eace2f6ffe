// SPDX-License-Identifier: MIT
// starling/port.hpp: which kernel set (port) runs, and forcing a lower one.
//
// The scalar port is always compiled in and is the definition of "right";
// SIMD ports give the same bytes (integers) and the same floats bit for bit.
// At run time the best port the CPU supports is chosen on first use, unless
// the environment variable STARLING_PORT names another, or force_port() is
// called. Firmware builds (no hosted environment: Cortex-M) bind their one
// port at compile time instead (the DSP kernel where the core has DSP, else
// scalar): port_count() is 1 there and no dispatch table is linked.
#pragma once
#include "starling/status.hpp"

namespace starling {

/// Name of the port in use: "scalar", "sse41", "avx2", "avx512vnni",
/// "neon", "neon_dotprod", "cortexm_dsp". Never null. O(1) after first use.
const char* active_port() noexcept;

/// Uses port `name` from now on. InvalidArgument if `name` is null, not
/// compiled into this build, or not supported by this CPU; the active port
/// is unchanged then. Not thread-safe: call it before starting work.
[[nodiscard]] Status force_port(const char* name) noexcept;

/// Ports compiled into this build, lowest first (index 0 is "scalar").
int port_count() noexcept;
/// Name of port i, or null if i is out of range.
const char* port_name(int i) noexcept;
/// True if port i is compiled in and this CPU can run it.
bool port_supported(int i) noexcept;

}  // namespace starling
