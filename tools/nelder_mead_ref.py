#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's NelderMead (float), in Python.

Written from the documentation in include/starling/nelder_mead.hpp (the step
rules, ties, projection, coefficients, restarts, draws) and
detail/opt_core.hpp (incumbent, stop rules), not translated from the C++.
float32 arithmetic is emulated op by op (pso_ref.f32 after each +, -, *, /),
the Threefry generator is pso_ref's. It prints the golden header that
tests/core/test_nelder_mead.cpp checks on every target.

    python3 tools/nelder_mead_ref.py               # print tests/core/golden_nelder_mead.h
    python3 tools/nelder_mead_ref.py --check FILE  # exit 1 if FILE differs
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pso_ref import (INF, FNV_OFFSET, f32, f32bits, fnv_u32, golden_box, golden_cost,  # noqa: E402
                     threefry4x32, unit)

STREAM = 0x4E4D5331  # "NMS1"
TAG_INIT, TAG_SIGNS = 1, 2
EPS4 = 4 * 2.0 ** -23  # 4 ulps of 1 in float


class Stop(Exception):
    pass


class NelderMead:
    def __init__(self, lo, hi, seed, step=0.2, adaptive=True, restart_tol=1e-6, max_iter=1000,
                 max_evals=0, target=-INF, stall_iter=0, start=None):
        self.n = n = len(lo)
        self.lo = [f32(v) for v in lo]
        self.hi = [f32(v) for v in hi]
        self.key = [seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF, STREAM, 0]
        self.step = f32(step)
        self.tol = f32(restart_tol)
        self.max_iter, self.max_evals, self.stall_iter = max_iter, max_evals, stall_iter
        self.target = target if math.isinf(target) else f32(target)
        if adaptive and n >= 2:
            rn = float(n)
            self.alpha = 1.0
            self.beta = f32(1.0 + f32(2.0 / rn))
            self.gamma = f32(0.75 - f32(1.0 / f32(2.0 * rn)))
            self.delta = f32(1.0 - f32(1.0 / rn))
        else:
            self.alpha, self.beta, self.gamma, self.delta = 1.0, 2.0, 0.5, 0.5
        if start is not None:
            v0 = [f32(v) for v in start]
        else:
            v0 = []
            for d in range(n):
                w = self.block(TAG_INIT, 0, 0, d >> 2)[d & 3]
                x = f32(self.lo[d] + f32(f32(self.hi[d] - self.lo[d]) * unit(w)))
                v0.append(min(x, self.hi[d]))
        self.simplex = [list(v0) for _ in range(n + 1)]
        self.fv = [INF] * (n + 1)
        self.evals = 0
        self.it = 0
        self.stall = 0
        self.gen_best = INF
        self.best_f = INF
        self.best_x = list(self.lo)
        self.restarts = 0
        self.phase = 'build'
        self.vertex = 0
        self.done = False

    def block(self, tag, c2, c1, c0):
        return threefry4x32([c0, c1, c2, tag], self.key)

    def project(self, x):
        return [min(max(x[d], self.lo[d]), self.hi[d]) for d in range(self.n)]

    # ---- the candidate of the current phase -------------------------------
    def candidate(self):
        n, c = self.n, getattr(self, 'cen', None)
        ph = self.phase
        if ph == 'build':
            v0 = self.simplex[0]
            if self.vertex == 0:
                return list(v0)
            d = self.vertex - 1
            minus = (self.block(TAG_SIGNS, self.restarts, 0, d >> 2)[d & 3] >> 31) == 1
            h = f32(self.step * f32(self.hi[d] - self.lo[d]))
            y = f32(v0[d] - h) if minus else f32(v0[d] + h)
            if y < self.lo[d] or y > self.hi[d]:
                y = f32(v0[d] + h) if minus else f32(v0[d] - h)
            x = list(v0)
            x[d] = y
            return self.project(x)
        w = self.simplex[self.h]
        if ph == 'reflect':
            x = [f32(c[d] + f32(self.alpha * f32(c[d] - w[d]))) for d in range(n)]
        elif ph == 'expand':
            x = [f32(c[d] + f32(self.beta * f32(self.xr[d] - c[d]))) for d in range(n)]
        elif ph == 'contract_out':
            x = [f32(c[d] + f32(self.gamma * f32(self.xr[d] - c[d]))) for d in range(n)]
        elif ph == 'contract_in':
            x = [f32(c[d] + f32(self.gamma * f32(w[d] - c[d]))) for d in range(n)]
        else:  # shrink
            b, v = self.simplex[self.l], self.simplex[self.vertex]
            x = [f32(b[d] + f32(self.delta * f32(v[d] - b[d]))) for d in range(n)]
        return self.project(x)

    def ask(self):
        if self.done:
            return None
        self.x = self.candidate()
        return self.x

    # ---- the tell side ------------------------------------------------------
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
        n, ph, x = self.n, self.phase, self.x
        if ph == 'build':
            self.simplex[self.vertex], self.fv[self.vertex] = list(x), f
            self.vertex += 1
            if self.vertex > n:
                self.finish()
        elif ph == 'reflect':
            self.xr, self.fr = list(x), f
            if f < self.fv[self.l]:
                self.phase = 'expand'
            elif f < self.fv[self.s]:
                self.replace(self.xr, f)
                self.finish()
            elif f < self.fv[self.h]:
                self.phase = 'contract_out'
            else:
                self.phase = 'contract_in'
        elif ph == 'expand':
            if f < self.fr:
                self.replace(x, f)
            else:
                self.replace(self.xr, self.fr)
            self.finish()
        elif ph in ('contract_out', 'contract_in'):
            ok = f <= self.fr if ph == 'contract_out' else f < self.fv[self.h]
            if ok:
                self.replace(x, f)
                self.finish()
            else:
                self.phase = 'shrink'
                self.vertex = 1 if self.l == 0 else 0
        else:
            self.simplex[self.vertex], self.fv[self.vertex] = list(x), f
            self.vertex += 1
            if self.vertex == self.l:
                self.vertex += 1
            if self.vertex > n:
                self.finish()

    def replace(self, x, f):
        self.simplex[self.h], self.fv[self.h] = list(x), f

    def finish(self):
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
        n, fv = self.n, self.fv
        # Best: the first lowest; worst: the last highest; second worst: the
        # last highest of the others.
        lo_i = min(range(n + 1), key=lambda i: (fv[i], i))
        hi_i = max(range(n + 1), key=lambda i: (fv[i], i))
        others = [i for i in range(n + 1) if i != hi_i]
        s_i = max(others, key=lambda i: (fv[i], i))
        self.l, self.s, self.h = lo_i, s_i, hi_i
        if self.is_collapsed():
            self.restarts += 1
            l = self.l
            self.simplex[0], self.simplex[l] = self.simplex[l], self.simplex[0]
            self.fv[0], self.fv[l] = self.fv[l], self.fv[0]
            self.l = 0
            self.phase, self.vertex = 'build', 1
            return
        self.cen = []
        for d in range(n):
            s = 0.0
            for i in range(n + 1):
                if i != self.h:
                    s = f32(s + self.simplex[i][d])
            self.cen.append(f32(s / float(n)))
        self.phase = 'reflect'

    def is_collapsed(self):
        if not self.tol > 0:
            return False
        b = self.simplex[self.l]
        for d in range(self.n):
            lim = max(f32(self.tol * f32(self.hi[d] - self.lo[d])), f32(EPS4 * abs(b[d])))
            for i in range(self.n + 1):
                if abs(f32(self.simplex[i][d] - b[d])) > lim:
                    return False
        return True


# ---- golden trajectories (mirrored in tests/core/test_nelder_mead.cpp) --------
CASES = [
    # name, dims, seed, keyword arguments (max_iter etc.)
    ('adaptive_d5', 5, 1, dict(max_iter=120)),
    ('classic_d3', 3, 0xDEADBEEFCAFE, dict(adaptive=False, max_iter=200)),
    ('restarts_d4', 4, 7, dict(restart_tol=0.02, step=0.5, max_iter=400)),
    ('d1_evals', 1, 123456789, dict(max_iter=1000, max_evals=77)),
    ('start_d6_target', 6, 99, dict(start=[-1.5, 0.5, -0.25, 0.0, 2.0, 1.0], target=0.5, max_iter=2000)),
    ('wide_d12_stall', 12, 0x5EED, dict(max_iter=100000, stall_iter=40, restart_tol=0.0)),
]


def run(dims, seed, kw):
    lo, hi = golden_box(dims)
    nm = NelderMead(lo, hi, seed, **kw)
    h = FNV_OFFSET
    k = 0
    while True:
        x = nm.ask()
        if x is None:
            break
        for v in x:
            h = fnv_u32(h, f32bits(v))
        c = golden_cost(x, k)
        h = fnv_u32(h, 0x7FC00000 if math.isnan(c) else f32bits(c))
        nm.tell(c)
        k += 1
    return h, nm


def emit():
    o = ['// SPDX-License-Identifier: MIT', '// Generated by tools/nelder_mead_ref.py (independent Python reference, float32',
         '// emulated); do not edit. Regenerate:',
         '//   python3 tools/nelder_mead_ref.py > tests/core/golden_nelder_mead.h',
         '#pragma once', '#include <cstdint>', '', 'namespace golden_nm {',
         '// Whole-trajectory FNV-1a-64 hashes (every asked coordinate, then the told cost,',
         '// as float32 bits; NaN as 0x7fc00000) on tools/pso_ref.py\'s golden_cost and box.',
         'struct Trajectory { const char* name; int dims; uint64_t seed; uint64_t hash;',
         '                    uint32_t best_bits; long evals; int iterations; int restarts; };',
         'constexpr Trajectory kTrajectories[] = {']
    for name, dims, seed, kw in CASES:
        h, nm = run(dims, seed, kw)
        o.append('  {"%s", %d, 0x%xull, 0x%016xull, 0x%08xu, %d, %d, %d},' % (
            name, dims, seed, h, f32bits(nm.best_f), nm.evals, nm.it, nm.restarts))
    o.append('};')
    o.append('}  // namespace golden_nm')
    return '\n'.join(o) + '\n'


if __name__ == '__main__':
    text = emit()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as fh:
            same = fh.read() == text
        print('%s is up to date' % sys.argv[2] if same else '%s differs from tools/nelder_mead_ref.py output' % sys.argv[2])
        sys.exit(0 if same else 1)
    sys.stdout.write(text)
