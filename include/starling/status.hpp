// SPDX-License-Identifier: MIT
// starling/status.hpp: the error codes every fallible call returns.
#pragma once

namespace starling {

/// Result of every call that can fail on user input. The library never
/// throws, prints or aborts; it reports through these values.
enum class Status : int {
  Ok = 0,            ///< success
  InvalidArgument,   ///< a parameter is out of its documented range (NaN, lo >= hi, null, ...)
  CapacityExceeded,  ///< a size exceeds a compile-time capacity or a caller buffer
  NotReady,          ///< call out of order (tell() without ask(), use before init())
  Done,              ///< the optimizer has stopped; no more candidates
  Corrupt,           ///< serialized data (model blob, saved state) failed validation
};

/// Short constant name of a status ("Ok", "InvalidArgument", ...), for logs.
/// Never null; unknown values give "Unknown".
constexpr const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::Ok: return "Ok";
    case Status::InvalidArgument: return "InvalidArgument";
    case Status::CapacityExceeded: return "CapacityExceeded";
    case Status::NotReady: return "NotReady";
    case Status::Done: return "Done";
    case Status::Corrupt: return "Corrupt";
  }
  return "Unknown";
}

}  // namespace starling
