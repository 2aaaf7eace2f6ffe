#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's Spsa (float), in Python.

Written from the documentation in include/starling/spsa.hpp (gain sequences,
perturbations, measurement order, calibration, projected update, draws) and
detail/opt_core.hpp (incumbent, stop rules), not translated from the C++;
float32 emulated op by op, powers by tools/det_math_ref.py, Threefry from
tools/pso_ref.py. Prints the golden header tests/core/test_spsa.cpp checks on
every target.

    python3 tools/spsa_ref.py               # print tests/core/golden_spsa.h
    python3 tools/spsa_ref.py --check FILE  # exit 1 if FILE differs
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pso_ref import INF, FNV_OFFSET, f32bits, fnv_u32, golden_box, golden_cost, threefry4x32, unit  # noqa: E402
from det_math_ref import det_pow, f32  # noqa: E402

STREAM = 0x53505331  # "SPS1"
TAG_DELTA, TAG_START = 1, 2


class Spsa:
    def __init__(self, lo, hi, seed, max_iter=1000, max_evals=0, target=-INF, stall_iter=0, a=0.0,
                 first_step=0.05, calibrate=4, c=0.05, alpha=0.602, gamma=0.101, stability=-1.0,
                 max_step=0.2, n_avg=1, theta_every=1, start=None):
        self.n = n = len(lo)
        self.lo = [f32(v) for v in lo]
        self.hi = [f32(v) for v in hi]
        self.key = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF, STREAM, 0]
        self.max_iter, self.max_evals, self.stall_iter = max_iter, max_evals, stall_iter
        self.target = target if math.isinf(target) else f32(target)
        self.a_cfg, self.first_step, self.calibrate = f32(a), f32(first_step), calibrate
        self.c, self.alpha, self.gamma = f32(c), f32(alpha), f32(gamma)
        self.max_step, self.n_avg, self.theta_every = f32(max_step), n_avg, theta_every
        if stability >= 0:
            self.A = f32(stability)
        else:
            steps = max_iter - 1
            if max_evals > 0:
                steps = min(steps, (max_evals - 1) // (2 * n_avg + (1 if theta_every == 1 else 0)))
            self.A = f32(f32(float(steps)) * f32(0.1))
        self.a = self.a_cfg
        self.cal_sum, self.cal_n = 0.0, 0
        if start is not None:
            self.theta = [f32(v) for v in start]
        else:
            self.theta = []
            for d in range(n):
                w = threefry4x32([d >> 2, 0, 0, TAG_START], self.key)[d & 3]
                t = f32(self.lo[d] + f32(f32(self.hi[d] - self.lo[d]) * unit(w)))
                self.theta.append(min(t, self.hi[d]))
        self.phase, self.trial = 'center', 0
        self.sum_p = self.sum_m = 0.0
        self.evals = self.it = self.stall = 0
        self.gen_best = self.best_f = INF
        self.done = False

    def measures_theta(self, k):
        return self.theta_every > 0 and k % self.theta_every == 0

    def offset(self):
        return 1 if self.measures_theta(self.it - 1) else 0

    def ask(self):
        if self.done:
            return None
        src = self.theta
        if self.phase == 'step':
            j = self.trial - self.offset()
            if j >= 0:
                src = self.xp if j % 2 == 0 else self.xm
        self.x = list(src)
        return self.x

    def record(self, x, f):
        if f < self.best_f or self.evals == 0:
            self.best_f, self.best_x = f, list(x)
        self.evals += 1
        if self.best_f <= self.target:
            self.done, self.reason = True, 'target'
        elif self.max_evals > 0 and self.evals >= self.max_evals:
            self.done, self.reason = True, 'max_evals'
        return not self.done

    def tell(self, cost):
        f = cost if math.isfinite(cost) else INF
        if not self.record(self.x, f):
            return
        if self.phase == 'center':
            self.theta = list(self.x)
            self.finish()
            return
        j = self.trial - self.offset()
        if j == 0:
            self.xp = list(self.x)
        elif j == 1:
            self.xm = list(self.x)
        if j >= 0:
            if j % 2 == 0:
                self.sum_p = f32(self.sum_p + f)
            else:
                self.sum_m = f32(self.sum_m + f)
        self.trial += 1
        if self.trial < 2 * self.n_avg + (1 if self.measures_theta(self.it - 1) else 0):
            return
        self.update()
        self.finish()

    def finish(self):
        self.phase, self.trial = 'step', 0
        self.sum_p = self.sum_m = 0.0
        self.it += 1
        self.stall = 0 if self.best_f < self.gen_best else self.stall + 1
        self.gen_best = self.best_f
        if self.it >= self.max_iter:
            self.done, self.reason = True, 'max_iter'
            return
        if self.stall_iter > 0 and self.stall >= self.stall_iter:
            self.done, self.reason = True, 'stall'
            return
        self.begin_step()

    def begin_step(self):
        k = self.it - 1
        self.ck = f32(self.c / det_pow(f32(f32(float(k)) + 1.0), self.gamma, f32))
        self.xp, self.xm = [], []
        for d in range(self.n):
            w4 = threefry4x32([d >> 7, 0, k, TAG_DELTA], self.key)
            minus = (w4[(d >> 5) & 3] >> (d & 31)) & 1
            h = f32(self.ck * f32(self.hi[d] - self.lo[d]))
            up, down = f32(self.theta[d] + h), f32(self.theta[d] - h)
            p, m = (down, up) if minus else (up, down)
            self.xp.append(min(max(p, self.lo[d]), self.hi[d]))
            self.xm.append(min(max(m, self.lo[d]), self.hi[d]))

    def update(self):
        dy = f32(f32(self.sum_p - self.sum_m) / float(self.n_avg))
        if not math.isfinite(dy):
            return
        shift = det_pow(f32(self.A + f32(float(self.it))), self.alpha, f32)
        if self.a_cfg == 0 and self.cal_n < self.calibrate:
            if dy == 0:
                return
            g = f32(abs(dy) / f32(2.0 * self.ck))
            s = f32(self.cal_sum + g)
            gain = f32(f32(self.first_step * det_pow(f32(self.A + 1.0), self.alpha, f32)) /
                       f32(s / f32(float(self.cal_n + 1))))
            if not (math.isfinite(s) and math.isfinite(gain) and gain > 0):
                return
            self.cal_sum, self.cal_n, self.a = s, self.cal_n + 1, gain
        if not self.a > 0:
            return
        ak = f32(self.a / shift)
        for d in range(self.n):
            rng = f32(self.hi[d] - self.lo[d])
            du = f32(f32(self.xp[d] - self.xm[d]) / rng)
            if du == 0:
                continue
            step = f32(ak * f32(dy / du))
            if math.isnan(step):
                continue
            step = min(max(step, -self.max_step), self.max_step)
            t = f32(self.theta[d] - f32(step * rng))
            self.theta[d] = min(max(t, self.lo[d]), self.hi[d])


# ---- golden trajectories (mirrored in tests/core/test_spsa.cpp) -------------
CASES = [
    ('default_d3', 3, 1, dict(max_iter=60)),
    ('plain_d4', 4, 5, dict(theta_every=0, max_iter=50)),
    ('avg3_theta2_d5', 5, 0xDEADBEEFCAFE, dict(n_avg=3, theta_every=2, max_iter=40)),
    ('fixed_gain_d2', 2, 7, dict(a=0.02, stability=5.0, c=0.1, alpha=1.0, gamma=0.1666, max_step=0.05,
                                 max_iter=80)),
    ('evals_d8', 8, 123456789, dict(max_iter=1000, max_evals=101, calibrate=1)),
    ('start_target_d4', 4, 99, dict(start=[-1.5, 0.5, -0.25, 2.0], target=0.75, max_iter=500)),
    ('wide_d130_stall', 130, 0x5EED, dict(max_iter=1000, stall_iter=3)),
]


def run(dims, seed, kw):
    lo, hi = golden_box(dims)
    sp = Spsa(lo, hi, seed, **kw)
    h = FNV_OFFSET
    k = 0
    while True:
        x = sp.ask()
        if x is None:
            break
        for v in x:
            h = fnv_u32(h, f32bits(v))
        c = golden_cost(x, k)
        h = fnv_u32(h, 0x7FC00000 if math.isnan(c) else f32bits(c))
        sp.tell(c)
        k += 1
    return h, sp


def emit():
    o = ['// SPDX-License-Identifier: MIT', '// Generated by tools/spsa_ref.py (independent Python reference, float32 emulated);',
         '// do not edit. Regenerate: python3 tools/spsa_ref.py > tests/core/golden_spsa.h',
         '#pragma once', '#include <cstdint>', '', 'namespace golden_spsa {',
         '// Whole-trajectory FNV-1a-64 hashes (asked coordinates, then the told cost, as',
         '// float32 bits; NaN as 0x7fc00000) on tools/pso_ref.py\'s golden_cost and box;',
         '// the final θ hashed the same way, and the calibrated gain\'s bits.',
         'struct Trajectory { const char* name; int dims; uint64_t seed; uint64_t hash, theta_hash;',
         '                    uint32_t best_bits, gain_bits; long evals; int iterations; };',
         'constexpr Trajectory kTrajectories[] = {']
    for name, dims, seed, kw in CASES:
        h, sp = run(dims, seed, kw)
        th = FNV_OFFSET
        for v in sp.theta:
            th = fnv_u32(th, f32bits(v))
        o.append('  {"%s", %d, 0x%xull, 0x%016xull, 0x%016xull, 0x%08xu, 0x%08xu, %d, %d},' % (
            name, dims, seed, h, th, f32bits(sp.best_f), f32bits(sp.a), sp.evals, sp.it))
    o.append('};')
    o.append('}  // namespace golden_spsa')
    return '\n'.join(o) + '\n'


if __name__ == '__main__':
    text = emit()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as fh:
            same = fh.read() == text
        print('%s is up to date' % sys.argv[2] if same else '%s differs from tools/spsa_ref.py output' % sys.argv[2])
        sys.exit(0 if same else 1)
    sys.stdout.write(text)
