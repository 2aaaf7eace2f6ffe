#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's De (L-SHADE) in Python, for golden
trajectories.

Written from the method as starling/de.hpp documents it (generations, draws
and their counters, selection, memories, population reduction, archive) in
float32 or float64 op by op (tools/det_ref.py), not translated from the C++.

    python3 tools/de_ref.py               # print tests/core/golden_de.h
    python3 tools/de_ref.py --check FILE  # exit 1 if FILE differs
"""
import math

from det_ref import (INF, NAN, Arith, Core, det_below, det_cauchy_disk, det_normal_ih4, emit_check, golden_box,
                     run_golden, sanitize, unit24)

STREAM = 0x44453031  # "DE01"
TAG_INIT, TAG_PARAM, TAG_F, TAG_PICK, TAG_CROSS = 0, 1, 2, 3, 4
MAX_F_TRIES = 16


def f32(v):
    return Arith(True).R(v)


def default_population(dims, max_evals):
    b = max_evals if max_evals > 0 else 1000 * dims
    b = min(b, 1 << 32)
    q = 9 * dims * b // 1600
    cap = min(18 * dims, 1 << 16)
    n = min(math.isqrt(q), cap)
    return max(n, 8)


class De:
    def __init__(self, A, lo, hi, pop, seed, max_pop, max_iter=1000, max_evals=0, target=-INF, stall_iter=0,
                 memory_size=6, p_best=0.11, archive_rate=1.6, reduce_population=True, min_population=4):
        self.A = A
        R = A.R
        self.D = D = len(lo)
        self.lo = [R(v) for v in lo]
        self.hi = [R(v) for v in hi]
        if pop == 0:
            pop = min(default_population(D, max_evals), max_pop)
        self.core = Core(A, self.lo, self.hi, seed, STREAM, max_iter, max_evals, target, stall_iter)
        self.H, self.p_best, self.rate = memory_size, f32(p_best), f32(archive_rate)
        self.reduce_on, self.nmin = reduce_population, min_population
        self.N = self.N0 = pop
        self.arc = []
        self.arc_cap = max_pop
        self.arc_cap = self.archive_cap(pop)
        self.mf = [0.5] * self.H
        self.mcr = [0.5] * self.H
        self.k = 0
        self.cursor = 0
        self.u = []
        for i in range(pop):
            row = []
            for d in range(D):
                w = self.core.block(TAG_INIT, 0, i, d >> 2)[d & 3]
                v = R(self.lo[d] + R(R(self.hi[d] - self.lo[d]) * unit24(w)))
                row.append(min(v, self.hi[d]))
            self.u.append(row)
        self.x = [list(r) for r in self.u]
        self.f = [INF] * pop
        self.fu = [NAN] * pop
        self.F = [0.5] * pop
        self.CR = [0.5] * pop

    def archive_cap(self, n):
        # round(rate·N) in float32 whatever the optimizer's precision
        c = int(f32(f32(self.rate * float(n)) + 0.5))
        return min(c, self.arc_cap)

    def target_population(self, evals):
        nmin = min(self.nmin, self.N0)
        c = self.core
        if not self.reduce_on or c.max_evals <= 0:
            return self.N0
        if evals >= c.max_evals:
            return nmin
        span = self.N0 - nmin
        return self.N0 - (2 * span * evals + c.max_evals) // (2 * c.max_evals)

    def ask(self):
        return self.u[self.cursor] if self.core.running else None

    def tell(self, cost):
        f = sanitize(cost)
        i = self.cursor
        self.fu[i] = f
        if not self.core.record(self.u[i], f):
            return
        self.cursor += 1
        if self.cursor == self.N:
            self.end_generation()

    def end_generation(self):
        self.cursor = 0
        if self.core.it == 0:
            self.x = [list(r) for r in self.u]
            self.f = list(self.fu)
        else:
            self.select()
        self.core.end_generation()
        self.reduce()
        self.make_trials()

    def select(self):
        R = self.A.R
        g = self.core.it
        cap = self.archive_cap(self.N)
        kmax = f32(1e30)
        sf = sf2 = scr = scr2 = max_cr = 0.0
        wins = 0
        for i in range(self.N):
            fu, fx = self.fu[i], self.f[i]
            if not fu <= fx:
                continue
            if fu < fx:
                delta = R(fx - fu)
                if not delta <= kmax:
                    delta = kmax
                F, CR = self.F[i], self.CR[i]
                sf = R(sf + R(delta * F))
                sf2 = R(sf2 + R(R(delta * F) * F))
                scr = R(scr + R(delta * CR))
                scr2 = R(scr2 + R(R(delta * CR) * CR))
                max_cr = max(max_cr, CR)
                wins += 1
                if cap > 0:
                    if len(self.arc) < cap:
                        self.arc.append(list(self.x[i]))
                    else:
                        slot = det_below(self.core.block(TAG_PICK, g, i, 0)[3], len(self.arc))
                        self.arc[slot] = list(self.x[i])
            self.x[i] = list(self.u[i])
            self.f[i] = fu
        if wins == 0:
            return
        if sf > 0:
            self.mf[self.k] = R(sf2 / sf)
        if self.mcr[self.k] < 0 or max_cr == 0:
            self.mcr[self.k] = -1.0
        elif scr > 0:
            self.mcr[self.k] = R(scr2 / scr)
        self.k = (self.k + 1) % self.H

    def reduce(self):
        target = self.target_population(self.core.evals)
        while self.N > target:
            worst = 0
            for i in range(1, self.N):
                if not self.f[i] < self.f[worst]:
                    worst = i
            del self.x[worst]
            del self.f[worst]
            self.N -= 1
        self.arc = self.arc[:self.archive_cap(self.N)]

    def make_trials(self):
        A, R = self.A, self.A.R
        n, D, g = self.N, self.D, self.core.it
        order = sorted(range(n), key=lambda i: (self.f[i], i))
        top = min(max(int(f32(f32(self.p_best * float(n)) + 0.5)), 2), n)
        pool = n + len(self.arc) - 2
        self.u = [None] * n
        self.fu = [NAN] * n
        self.F = [0.0] * n
        self.CR = [0.0] * n
        for i in range(n):
            w = self.core.block(TAG_PARAM, g, i, 0)
            r = det_below(w[0], self.H)
            mf, mcr = self.mf[r], self.mcr[r]
            CR = 0.0
            if mcr >= 0:
                z = det_normal_ih4(A, w[1], w[2])
                CR = min(max(R(mcr + R(R(0.1) * z)), 0.0), 1.0)
            pb = order[det_below(w[3], top)]
            F = mf
            for k in range(MAX_F_TRIES):
                fw = self.core.block(TAG_F, g, i, k)
                c = det_cauchy_disk(A, fw[0], fw[1])
                if c is None:
                    continue
                t = R(mf + R(R(0.1) * c))
                if t > 0:
                    F = t
                    break
            F = min(F, 1.0)
            self.F[i], self.CR[i] = F, CR
            w = self.core.block(TAG_PICK, g, i, 0)
            r1 = det_below(w[0], n - 1)
            if r1 >= i:
                r1 += 1
            r2 = det_below(w[1], pool)
            if r2 >= min(i, r1):
                r2 += 1
            if r2 >= max(i, r1):
                r2 += 1
            jr = det_below(w[2], D)
            x, xp, x1 = self.x[i], self.x[pb], self.x[r1]
            x2 = self.x[r2] if r2 < n else self.arc[r2 - n]
            u = []
            for d in range(D):
                word = self.core.block(TAG_CROSS, g, i, d >> 3)[(d >> 1) & 3]
                cu = ((word >> 16) if d % 2 == 0 else (word & 0xFFFF)) * 2.0 ** -16
                v = x[d]
                if cu < CR or d == jr:
                    v = R(R(x[d] + R(F * R(xp[d] - x[d]))) + R(F * R(x1[d] - x2[d])))
                    lo, hi = self.lo[d], self.hi[d]
                    if v < lo:
                        v = R(lo + R(R(x[d] - lo) * 0.5))
                    elif v > hi:
                        v = R(hi - R(R(hi - x[d]) * 0.5))
                    v = min(max(v, lo), hi)
                u.append(v)
            self.u[i] = u


MAX_DIMS, MAX_POP = 16, 24  # the capacity of the C++ objects the golden test runs

# name, single, dims, population (0 = default), seed, cost kind, config
CASES = [
    ('lshade_default', True, 5, 0, 1, 'sphere', dict(max_iter=1 << 20, max_evals=900)),
    ('shade_fixed_pop', True, 3, 6, 0xDEADBEEFCAFE, 'sphere',
     dict(max_iter=40, reduce_population=False, memory_size=3, p_best=0.3)),
    ('archive_capped_wide', True, 13, 16, 7, 'sphere', dict(max_iter=1 << 20, max_evals=700, min_population=5)),
    ('no_archive_target', True, 4, 10, 123456789, 'sphere',
     dict(max_iter=1 << 20, max_evals=2000, archive_rate=0.0, target=0.05)),
    ('flat_costs', True, 2, 8, 99, 'flat', dict(max_iter=30, archive_rate=0.5)),
    ('lshade_double', False, 6, 0, 0x5EED, 'sphere', dict(max_iter=1 << 20, max_evals=1200)),
]


def emit():
    out = ['// SPDX-License-Identifier: MIT', '// Generated by tools/de_ref.py (independent Python reference, float32/float64 emulated op',
           '// by op); do not edit. Regenerate: python3 tools/de_ref.py > tests/core/golden_de.h',
           '#pragma once',
           '#include <cstdint>',
           '',
           'namespace golden_de {',
           '// Whole-trajectory FNV-1a-64 hashes (every asked coordinate, then the told cost, as',
           '// IEEE bits of the precision; NaN as the quiet NaN) over tools/det_ref.py golden_cost,',
           '// box golden_box(dims), capacity De<%d, %d>; the final best value bits, evaluations,' % (MAX_DIMS, MAX_POP),
           '// generations and population.',
           'struct Case {',
           '  const char* name; bool single; int dims, population; uint64_t seed; bool flat;',
           '  int max_iter; long max_evals; float target; bool reduce; int memory_size;',
           '  float p_best, archive_rate; int min_population;',
           '  uint64_t hash; uint64_t best_bits; long evals; int iterations; int final_population;',
           '};',
           'constexpr Case kCases[] = {']
    for name, single, dims, pop, seed, kind, kw in CASES:
        A = Arith(single)
        lo, hi = golden_box(dims)
        de = De(A, lo, hi, pop, seed, MAX_POP, **kw)
        h = run_golden(de, A, kind)
        cfg = dict(max_iter=1000, max_evals=0, target=-INF, reduce_population=True, memory_size=6,
                   p_best=0.11, archive_rate=1.6, min_population=4)
        cfg.update(kw)
        tgt = '-INFINITY' if cfg['target'] == -INF else repr(cfg['target']) + 'f'
        out.append('  {"%s", %s, %d, %d, 0x%xull, %s, %d, %d, %s, %s, %d, %rf, %rf, %d,' % (
            name, 'true' if single else 'false', dims, pop, seed, 'true' if kind == 'flat' else 'false',
            cfg['max_iter'], cfg['max_evals'], tgt, 'true' if cfg['reduce_population'] else 'false',
            cfg['memory_size'], cfg['p_best'], cfg['archive_rate'], cfg['min_population']))
        out.append('   0x%016xull, 0x%xull, %d, %d, %d},' % (h, A.bits(de.core.best_f), de.core.evals, de.core.it,
                                                            de.N))
    out.append('};')
    out.append('}  // namespace golden_de')
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    emit_check(emit(), 'golden_de.h')
