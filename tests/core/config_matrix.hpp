// SPDX-License-Identifier: MIT
// The configuration matrix the safe-tuning and save/resume tests walk:
// variant v (0 constriction, 1 inertia, 2 EMPSO, each from its documented
// factory), topology t and boundary b, with per-particle draws and the bias
// correction switched on along the way so every flag meets every rule, and
// the local search (local_stall) on for EMPSO and for reflecting walls.
#pragma once
#include "starling/pso.hpp"

inline starling::PsoConfig config_matrix(int v, int t, int b) {
  using starling::PsoConfig;
  PsoConfig c = v == 2 ? PsoConfig::empso() : v == 1 ? PsoConfig::inertia() : PsoConfig{};
  c.topology = static_cast<starling::Topology>(t);
  c.boundary = static_cast<starling::Boundary>(b);
  c.random_per_particle = (v + b) % 2 == 1;
  c.bias_correction = t == 1;
  // The local search of the swarm's best from the first stalled sweep, so
  // that short runs place (and save, and resume) probes.
  if (v == 2 || b == 1) c.local_stall = 1;
  return c;
}
