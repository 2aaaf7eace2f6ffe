#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's Anneal (float), in Python.

Written from the documentation in include/starling/anneal.hpp (schedule,
visiting distribution from a point in the unit disk, the acceptance by
square-and-multiply, re-annealing, local phase, draws) and
detail/opt_core.hpp (incumbent, stop rules), not translated from the C++;
float32 emulated op by op, Threefry from tools/pso_ref.py. Prints the golden header
tests/core/test_anneal.cpp checks on every target.

    python3 tools/anneal_ref.py               # print tests/core/golden_anneal.h
    python3 tools/anneal_ref.py --check FILE  # exit 1 if FILE differs
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pso_ref import INF, FNV_OFFSET, f32bits, fnv_u32, golden_box, golden_cost, threefry4x32, unit  # noqa: E402
from det_math_ref import det_floor, f32  # noqa: E402

STREAM = 0x47534131  # "GSA1"
TAG_VISIT, TAG_ACCEPT, TAG_START = 1, 2, 4
MAX_VISIT = 2.0 ** 24  # ranges
MIN_LOCAL_STEP = 2.0 ** -20
DISK_TRIES = 16


class Anneal:
    def __init__(self, lo, hi, seed, max_iter=1000, max_evals=0, target=-INF, stall_iter=0,
                 initial_temp=0.3, restart_temp_ratio=1e-3, accept=-5.0, local_sweeps=3,
                 local_step=0.05, start=None):
        self.n = n = len(lo)
        self.lo = [f32(v) for v in lo]
        self.hi = [f32(v) for v in hi]
        self.key = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF, STREAM, 0]
        self.max_iter, self.max_evals, self.stall_iter = max_iter, max_evals, stall_iter
        self.target = target if math.isinf(target) else f32(target)
        self.T0, self.ratio = f32(initial_temp), f32(restart_temp_ratio)
        self.qa = f32(accept)
        assert self.qa == int(self.qa) and -1e4 <= self.qa <= 0
        self.sweeps, self.local_step = local_sweeps, f32(local_step)
        self.t_restart = f32(self.T0 * self.ratio)
        self.evals = self.it = self.stall = 0
        self.gen_best = self.best_f = INF
        self.best_x = list(self.lo)
        self.done = False
        self.set_level(0)
        self.phase = 'start'
        self.improved = self.ls_pattern = self.ls_at_base = False
        self.j = self.reanneals = 0
        self.ls_dir = self.ls_used = 0
        self.ls_step = self.local_step
        self.ls_base_f = INF
        self.cur_f = INF
        self.current = [f32(v) for v in start] if start is not None else self.uniform_point()

    def block(self, tag, c2, c1, c0):
        return threefry4x32([c0, c1, c2, tag], self.key)

    def set_level(self, i):
        """T_i = T0/(i+1), T_step = T_i/(i+1), sigma_i = T_step/(i+1)."""
        self.level = i
        i1 = f32(float(i) + 1.0)
        self.temp = f32(self.T0 / i1)
        self.tstep = f32(self.temp / i1)
        self.sigma = f32(self.tstep / i1)

    def uniform_point(self):
        x = []
        for d in range(self.n):
            w = self.block(TAG_START, self.it, 0, d >> 2)[d & 3]
            v = f32(self.lo[d] + f32(f32(self.hi[d] - self.lo[d]) * unit(w)))
            x.append(min(v, self.hi[d]))
        return x

    @staticmethod
    def disk_coord(w):
        """(w >> 8) * 2^-23 - (1 - 2^-24): an odd multiple of 2^-24 in (-1, 1), exact."""
        return (w >> 8) * 2.0 ** -23 - (1.0 - 2.0 ** -24)

    def visit_step(self, j, d):
        """sigma * v1 / v2^4 for (v1, v2) uniform in the unit disk; beyond 2^24
        ranges a uniform offset; sixteen failed tries: no move."""
        for k in range(DISK_TRIES):
            w4 = self.block(TAG_VISIT, self.it, j, (d << 4) | k)
            v1, v2 = self.disk_coord(w4[0]), self.disk_coord(w4[1])
            s = f32(v2 * v2)
            if not f32(f32(v1 * v1) + s) < 1:
                continue
            v = f32(f32(self.sigma * v1) / f32(s * s))
            return v if -MAX_VISIT < v < MAX_VISIT else unit(w4[2])
        return 0.0

    def visit(self):
        n, j = self.n, self.j
        x = list(self.current)
        ds = range(n) if j < n else [j - n]
        for d in ds:
            rng = f32(self.hi[d] - self.lo[d])
            v = self.visit_step(j, d)
            w = f32(f32(f32(self.current[d] - self.lo[d]) / rng) + v)
            w = f32(w - det_floor(w, f32))
            xd = f32(self.lo[d] + f32(w * rng))
            x[d] = min(max(xd, self.lo[d]), self.hi[d])
        return x

    def probe(self):
        """The probe's coordinate d = ls_dir/2 moved by +h (even) or -h (odd)."""
        d = self.ls_dir >> 1
        h = f32(self.ls_step * f32(self.hi[d] - self.lo[d]))
        y = f32(self.current[d] - h) if self.ls_dir & 1 else f32(self.current[d] + h)
        return d, min(max(y, self.lo[d]), self.hi[d])

    def ask(self):
        if self.done:
            return None
        if self.phase == 'start':
            self.x = list(self.current)
        elif self.phase == 'chain':
            self.x = self.visit()
        else:
            self.x = list(self.current)
            if not self.ls_pattern:
                d, y = self.probe()
                self.x[d] = y
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

    def accept_worse(self, f, j):
        """r^(1 - q_a) < 1 - (1 - q_a) dE / T_step, the power by square-and-multiply."""
        r = unit(self.block(TAG_ACCEPT, self.it, j, 0)[0])
        qa1 = f32(1.0 - self.qa)
        pt = f32(1.0 - f32(f32(qa1 * f32(f - self.cur_f)) / self.tstep))
        if not pt > 0:
            return False
        m, y, b = int(qa1), 1.0, r
        while True:
            if m & 1:
                y = f32(y * b)
            m >>= 1
            if m == 0:
                break
            b = f32(b * b)
        return y < pt

    def tell(self, cost):
        f = cost if math.isfinite(cost) else INF
        before = self.best_f
        if not self.record(self.x, f):
            return
        n = self.n
        if self.phase == 'start':
            self.current, self.cur_f = list(self.x), f
            self.phase, self.j = 'chain', 0
        elif self.phase == 'chain':
            if f < before:
                self.improved = True
            if f < self.cur_f or self.accept_worse(f, self.j):
                self.current, self.cur_f = list(self.x), f
            self.j += 1
            if self.j == 2 * n:
                self.end_chain()
        else:
            self.ls_used += 1
            if self.ls_pattern:
                self.cur_f = f
                self.ls_pattern = self.ls_at_base = False
                self.ls_dir = 0
            elif f < self.cur_f:
                self.current, self.cur_f = list(self.x), f
                self.ls_dir = (self.ls_dir | 1) + 1
            else:
                self.ls_dir += 1
            if not self.local_next():
                self.end_level()

    def end_chain(self):
        if self.sweeps > 0 and (self.improved or self.level == 0):
            self.phase = 'local'
            self.ls_used = 0
            self.ls_step = min(f32(self.ls_step + self.ls_step), self.local_step)
            self.current, self.base = list(self.best_x), list(self.best_x)
            self.cur_f = self.ls_base_f = self.best_f
            self.ls_pattern, self.ls_at_base, self.ls_dir = False, True, 0
            if self.local_next():
                return
        self.end_level()

    def local_next(self):
        n = self.n
        while True:
            if self.ls_used >= 2 * n * self.sweeps or self.ls_step < MIN_LOCAL_STEP:
                return False
            if self.ls_pattern:
                return True
            if self.ls_dir < 2 * n:
                d, y = self.probe()
                if y != self.current[d]:
                    return True
                self.ls_dir += 1
                continue
            if self.best_f < self.ls_base_f:
                # Pattern move: best + (best - base).
                for d in range(n):
                    y = f32(self.best_x[d] + f32(self.best_x[d] - self.base[d]))
                    self.current[d] = min(max(y, self.lo[d]), self.hi[d])
                    self.base[d] = self.best_x[d]
                self.ls_base_f = self.best_f
                self.cur_f = INF
                self.ls_pattern = True
                continue
            if not self.ls_at_base:
                self.current, self.cur_f = list(self.best_x), self.best_f
                self.ls_at_base = True
            else:
                self.ls_step = f32(self.ls_step * 0.5)
            self.ls_dir = 0

    def end_level(self):
        if self.phase == 'local':
            self.current, self.cur_f = list(self.best_x), self.best_f
        self.phase, self.improved, self.ls_pattern, self.ls_at_base, self.j = 'chain', False, False, False, 0
        self.ls_dir = self.ls_used = 0
        self.set_level(self.level + 1)
        self.it += 1
        self.stall = 0 if self.best_f < self.gen_best else self.stall + 1
        self.gen_best = self.best_f
        if self.it >= self.max_iter:
            self.done, self.reason = True, 'max_iter'
            return
        if self.stall_iter > 0 and self.stall >= self.stall_iter:
            self.done, self.reason = True, 'stall'
            return
        if self.temp < self.t_restart:
            self.reanneals += 1
            self.set_level(0)
            self.phase = 'start'
            self.ls_step = self.local_step
            self.cur_f = INF
            self.current = self.uniform_point()


# ---- golden trajectories (mirrored in tests/core/test_anneal.cpp) -----------
CASES = [
    ('default_d3', 3, 1, dict(max_iter=40)),
    ('reanneal_d2', 2, 0xDEADBEEFCAFE, dict(restart_temp_ratio=0.05, max_iter=60)),
    ('gsa_noloc_d5', 5, 7, dict(local_sweeps=0, accept=-2.0, initial_temp=0.5, max_iter=50)),
    ('evals_d1', 1, 123456789, dict(max_evals=77)),
    ('start_target_d6', 6, 99, dict(start=[-1.5, 0.5, -0.25, 0.0, 2.0, 1.0], target=0.6, accept=0.0,
                                    local_step=0.2, max_iter=500)),
    ('wide_d20_stall', 20, 0x5EED, dict(stall_iter=5, local_sweeps=1, initial_temp=5230.0, max_iter=1000)),
]


def run(dims, seed, kw):
    lo, hi = golden_box(dims)
    sa = Anneal(lo, hi, seed, **kw)
    h = FNV_OFFSET
    k = 0
    while True:
        x = sa.ask()
        if x is None:
            break
        for v in x:
            h = fnv_u32(h, f32bits(v))
        c = golden_cost(x, k)
        h = fnv_u32(h, 0x7FC00000 if math.isnan(c) else f32bits(c))
        sa.tell(c)
        k += 1
    return h, sa


def emit():
    o = ['// SPDX-License-Identifier: MIT', '// Generated by tools/anneal_ref.py (independent Python reference, float32 emulated);',
         '// do not edit. Regenerate: python3 tools/anneal_ref.py > tests/core/golden_anneal.h',
         '#pragma once', '#include <cstdint>', '', 'namespace golden_anneal {',
         '// Whole-trajectory FNV-1a-64 hashes (asked coordinates, then the told cost, as',
         '// float32 bits; NaN as 0x7fc00000) on tools/pso_ref.py\'s golden_cost and box, and',
         '// the visiting scale and T of the last level as float bits.',
         'struct Trajectory { const char* name; int dims; uint64_t seed; uint64_t hash;',
         '                    uint32_t best_bits, sigma_bits, temp_bits; long evals; int iterations;',
         '                    int reannealings; };',
         'constexpr Trajectory kTrajectories[] = {']
    for name, dims, seed, kw in CASES:
        h, sa = run(dims, seed, kw)
        o.append('  {"%s", %d, 0x%xull, 0x%016xull, 0x%08xu, 0x%08xu, 0x%08xu, %d, %d, %d},' % (
            name, dims, seed, h, f32bits(sa.best_f), f32bits(sa.sigma), f32bits(sa.temp), sa.evals, sa.it,
            sa.reanneals))
    o.append('};')
    o.append('}  // namespace golden_anneal')
    return '\n'.join(o) + '\n'


if __name__ == '__main__':
    text = emit()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as fh:
            same = fh.read() == text
        print('%s is up to date' % sys.argv[2] if same else '%s differs from tools/anneal_ref.py output' % sys.argv[2])
        sys.exit(0 if same else 1)
    sys.stdout.write(text)
