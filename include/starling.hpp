// SPDX-License-Identifier: MIT
// starling.hpp: the entry header, `#include <starling.hpp>`, the same as
// `#include <starling/starling.hpp>` (every C++ public header). It sits at
// the top of the include directory because the Arduino builders find a
// library by the headers at the top of its src/ folder. (It declares
// nothing, so the API reference leaves it out: docs/Doxyfile, EXCLUDE.)
#pragma once
#include "starling/starling.hpp"
