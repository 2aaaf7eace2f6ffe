// SPDX-License-Identifier: MIT
// starling.hpp: the one-line entry header, `#include <starling.hpp>`, the same
// as `#include <starling/starling.hpp>` (every C++ public header). It sits at
// the top of the include directory because the Arduino builders find a
// library by the headers at the top of its src/ folder.
#pragma once
#include "starling/starling.hpp"
