// SPDX-License-Identifier: MIT
// starling/starling.hpp: the umbrella header; includes every C++ public header.
#pragma once
#include "starling/status.hpp"
#include "starling/version.h"
#include "starling/port.hpp"
#include "starling/rng.hpp"
#include "starling/pso.hpp"
#include "starling/bobyqa.hpp"
#include "starling/bayesopt.hpp"
#include "starling/tuner.hpp"
#include "starling/optimizers.hpp"
#include "starling/quant.hpp"
#include "starling/crc32.hpp"
#include "starling/qnet.hpp"
#include "starling/qmodel.hpp"
#include "starling/selftest.hpp"
