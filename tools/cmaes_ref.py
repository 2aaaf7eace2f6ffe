#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's Cmaes in Python, for golden trajectories.

Written from the method as starling/cmaes.hpp documents it (Hansen's tutorial
with negative weights, range-scaled coordinates, repair with
Mahalanobis-shortened steps, lazy cyclic Jacobi, sep-CMA, IPOP restarts, the
draws and their counters) in float32 or float64 op by op (tools/det_ref.py),
not translated from the C++.

    python3 tools/cmaes_ref.py               # print tests/core/golden_cmaes.h
    python3 tools/cmaes_ref.py --check FILE  # exit 1 if FILE differs
"""
import math

from det_ref import INF, NAN, Arith, Core, det_exp, det_log, det_normal2, emit_check, golden_box, run_golden, \
    sanitize, unit24

STREAM = 0x434D4131  # "CMA1"
TAG_SAMPLE, TAG_RESTART = 0, 1
MAX_SWEEPS = 32


def default_population(dims):
    return 4 + sum(1 for k in range(1, 33) if dims >= math.ceil(math.exp(k / 3)))


class Cmaes:
    def __init__(self, A, lo, hi, pop, seed, max_pop, max_iter=1000, max_evals=0, target=-INF, stall_iter=0,
                 sigma0=0.3, ipop=True, form='auto', separable_above=40):
        self.A = A
        R = A.R
        self.n = n = len(lo)
        self.lo = [R(v) for v in lo]
        self.hi = [R(v) for v in hi]
        self.rng = [R(self.hi[i] - self.lo[i]) for i in range(n)]
        if pop == 0:
            pop = min(default_population(n), max_pop)
        self.core = Core(A, self.lo, self.hi, seed, STREAM, max_iter, max_evals, target, stall_iter)
        self.sigma0 = R(Arith(True).R(sigma0))
        self.ipop = ipop
        self.sep = form == 'separable' or (form == 'auto' and n > separable_above)
        self.lam0 = pop
        self.cap = max_pop
        self.restarts = 0
        self.setup(pop)
        self.m = [R(self.lo[i] + R(self.rng[i] * 0.5)) for i in range(n)]
        self.fresh_run()
        self.cursor = 0
        self.sample()

    # Hansen's tutorial, Table 1, with negative weights; sep scales c1, cμ by (n + 1.5)/3.
    def setup(self, lam):
        A, R = self.A, self.A.R
        self.lam, self.mu = lam, lam // 2
        n = float(self.n)
        self.wlog = det_log(A, R((lam + 1) * 0.5))
        sp = sp2 = sn = sn2 = 0.0
        for k in range(lam):
            w = R(self.wlog - det_log(A, float(k + 1)))
            if k < self.mu:
                sp = R(sp + w)
                sp2 = R(sp2 + R(w * w))
            else:
                sn = R(sn - w)
                sn2 = R(sn2 + R(w * w))
        self.wpos = sp
        me = self.mueff = R(R(sp * sp) / sp2)
        self.cs = R(R(me + 2) / R(R(n + me) + 5))
        excess = R(A.sqrt(R(R(me - 1) / R(n + 1))) - 1)
        excess = max(excess, 0.0)
        self.ds = R(R(1 + R(2 * excess)) + self.cs)
        self.cc = R(R(4 + R(me / n)) / R(R(n + 4) + R(R(2 * me) / n)))
        n13 = R(n + R(1.3))
        self.c1 = R(2 / R(R(n13 * n13) + me))
        self.cmu = R(R(2 * R(R(me - 2) + R(1 / me))) / R(R(R(n + 2) * R(n + 2)) + me))
        if self.sep:
            k = R(R(n + 1.5) / 3)
            self.c1 = R(self.c1 * k)
            self.cmu = R(self.cmu * k)
        if self.c1 > R(0.9):
            self.c1 = R(0.9)
        if self.cmu > R(1 - self.c1):
            self.cmu = R(1 - self.c1)
        self.chin = R(A.sqrt(n) * R(R(1 - R(1 / R(4 * n))) + R(1 / R(R(21 * n) * n))))
        self.wneg, self.wtotal = 0.0, 1.0
        if sn > 0 and self.cmu > 0:
            men = R(R(sn * sn) / sn2)
            alpha = R(1 + R(self.c1 / self.cmu))
            a2 = R(1 + R(R(2 * men) / R(me + 2)))
            a3 = R(R(R(1 - self.c1) - self.cmu) / R(n * self.cmu))
            alpha = min(alpha, a2, a3)
            self.wneg = R(alpha / sn)
            self.wtotal = R(1 - alpha)

    def weight(self, k):
        R = self.A.R
        w = R(self.wlog - det_log(self.A, float(k + 1)))
        return R(w / self.wpos) if k < self.mu else R(w * self.wneg)

    def window(self):
        A, R = self.A, self.A.R
        n = float(self.n)
        t = R(100 + R(R(R(100 * n) * A.sqrt(n)) / float(self.lam)))
        w = R(t / 5)
        k = int(w) if w < 2 ** 24 else 2 ** 24
        return k + 1 if float(k) < w else k

    def fresh_run(self):
        n = self.n
        self.sigma = self.sigma0
        self.decay = 1.0
        self.gen_best = INF
        self.flat = 0
        self.win = [0.0] * 5
        self.win_sum = 0.0
        self.win_len = 0
        self.windows = 0
        self.eigen_evals = self.core.evals
        self.ps = [0.0] * n
        self.pc = [0.0] * n
        self.d = [1.0] * n
        self.C = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]  # upper triangle used
        self.B = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]

    def sample(self):
        A, R, n = self.A, self.A.R, self.n
        g = self.core.it
        self.x = []
        self.f = []
        for k in range(self.lam):
            t1 = [0.0] * n
            for q in range((n + 3) // 4):
                w = self.core.block(TAG_SAMPLE, g, k, q)
                z = list(det_normal2(A, w[0], w[1])) + list(det_normal2(A, w[2], w[3]))
                for j in range(4):
                    if 4 * q + j < n:
                        t1[4 * q + j] = R(self.d[4 * q + j] * z[j])
            row = []
            for i in range(n):
                y = t1[i]
                if not self.sep:
                    y = 0.0
                    for j in range(n):
                        y = R(y + R(self.B[i][j] * t1[j]))
                v = R(self.m[i] + R(R(self.sigma * self.rng[i]) * y))
                if not v >= self.lo[i]:
                    v = self.lo[i]
                if v > self.hi[i]:
                    v = self.hi[i]
                row.append(v)
            self.x.append(row)
            self.f.append(NAN)

    def ask(self):
        return self.x[self.cursor] if self.core.running else None

    def tell(self, cost):
        f = sanitize(cost)
        k = self.cursor
        self.f[k] = f
        if not self.core.record(self.x[k], f):
            return
        self.cursor += 1
        if self.cursor == self.lam:
            self.end_generation()

    def end_generation(self):
        A, R = self.A, self.A.R
        self.cursor = 0
        converged = self.update()
        self.core.end_generation()
        if converged:
            self.restarts += 1
            lam = self.lam
            if self.ipop:
                lam = 2 * self.lam if self.lam <= self.cap // 2 else self.cap
            self.setup(lam)
            for i in range(self.n):
                w = self.core.block(TAG_RESTART, self.core.it, self.restarts, i >> 2)[i & 3]
                v = R(self.lo[i] + R(self.rng[i] * unit24(w)))
                self.m[i] = min(v, self.hi[i])
            self.fresh_run()
        self.sample()

    def update(self):
        A, R, n, lam, mu = self.A, self.A.R, self.n, self.lam, self.mu
        rn = float(n)
        order = sorted(range(lam), key=lambda i: (self.f[i], i))
        fbest, fworst = self.f[order[0]], self.f[order[lam - 1]]
        flat_rank = (7 * lam + 9) // 10
        flat_fitness = fbest == self.f[order[flat_rank - 1]]
        cy = R(A.sqrt(rn) + R(R(2 * rn) / R(rn + 2)))
        ys = [None] * lam
        len2s = [0.0] * lam
        ybar = [0.0] * n
        for k in range(lam):
            row = order[k]
            y = [R(R(self.x[row][i] - self.m[i]) / R(self.sigma * self.rng[i])) for i in range(n)]
            ys[k] = y
            if k >= mu and self.wneg == 0:
                continue
            len2 = 0.0
            for j in range(n):
                t = y[j]
                if not self.sep:
                    t = 0.0
                    for i in range(n):
                        t = R(t + R(self.B[i][j] * y[i]))
                t = R(t / self.d[j])
                len2 = R(len2 + R(t * t))
            if k < mu:
                if len2 > R(cy * cy):
                    shrink = R(cy / A.sqrt(len2))
                    y = [R(v * shrink) for v in y]
                    ys[k] = y
                w = self.weight(k)
                ybar = [R(ybar[i] + R(w * y[i])) for i in range(n)]
            len2s[k] = len2
        for i in range(n):
            v = R(self.m[i] + R(R(self.sigma * self.rng[i]) * ybar[i]))
            if not v >= self.lo[i]:
                v = self.lo[i]
            if v > self.hi[i]:
                v = self.hi[i]
            self.m[i] = v
        t1 = [0.0] * n
        for j in range(n):
            t = ybar[j]
            if not self.sep:
                t = 0.0
                for i in range(n):
                    t = R(t + R(self.B[i][j] * ybar[i]))
            t1[j] = R(t / self.d[j])
        ks = A.sqrt(R(R(self.cs * R(2 - self.cs)) * self.mueff))
        ps2 = 0.0
        for i in range(n):
            q = t1[i]
            if not self.sep:
                q = 0.0
                for j in range(n):
                    q = R(q + R(self.B[i][j] * t1[j]))
            p = R(R(R(1 - self.cs) * self.ps[i]) + R(ks * q))
            self.ps[i] = p
            ps2 = R(ps2 + R(p * p))
        self.decay = R(self.decay * R(R(1 - self.cs) * R(1 - self.cs)))
        hlim = R(R(R(1.4) + R(2 / R(rn + 1))) * self.chin)
        hsig = ps2 < R(R(1 - self.decay) * R(hlim * hlim))
        kc = A.sqrt(R(R(self.cc * R(2 - self.cc)) * self.mueff)) if hsig else 0.0
        for i in range(n):
            self.pc[i] = R(R(R(1 - self.cc) * self.pc[i]) + R(kc * ybar[i]))
        keep = R(R(R(1 - self.c1) - R(self.cmu * self.wtotal)) +
                 (0.0 if hsig else R(R(self.c1 * self.cc) * R(2 - self.cc))))
        for i in range(n):
            for j in range(i, i + 1 if self.sep else n):
                self.C[i][j] = R(R(keep * self.C[i][j]) + R(self.c1 * R(self.pc[i] * self.pc[j])))
        for k in range(lam):
            w = self.weight(k)
            if k >= mu:
                if w == 0 or not len2s[k] > 0:
                    continue
                w = R(w * R(rn / len2s[k]))
            w = R(self.cmu * w)
            y = ys[k]
            for i in range(n):
                wy = R(w * y[i])
                for j in range(i, i + 1 if self.sep else n):
                    self.C[i][j] = R(self.C[i][j] + R(wy * y[j]))
        e = R(R(self.cs / self.ds) * R(R(A.sqrt(ps2) / self.chin) - 1))
        if e > 1:
            e = 1.0
        if flat_fitness:
            e = R(R(e + R(0.2)) + R(self.cs / self.ds))
        self.sigma = R(self.sigma * det_exp(A, e))
        if self.sep:
            for i in range(n):
                v = self.C[i][i]
                self.d[i] = A.sqrt(v if v >= A.min else A.min)
        elif R(float(self.core.evals - self.eigen_evals)) >= R(float(lam) / R(R(R(self.c1 + self.cmu) * rn) * 10)):
            self.eigen()
            self.eigen_evals = self.core.evals
        tol = R(R(1e-12) + R(R(16 * A.eps) * abs(fbest)))
        flat = R(fworst - fbest) <= tol and abs(R(fbest - self.gen_best)) <= tol
        self.flat = self.flat + 1 if flat else 0
        self.gen_best = fbest
        dmax, dmin = 0.0, A.max
        moves, sane = False, (self.sigma == self.sigma and self.sigma not in (INF, -INF) and self.sigma > 0)
        for i in range(n):
            if not (0 < self.d[i] <= A.max) or not (self.C[i][i] == self.C[i][i] and
                                                      abs(self.C[i][i]) != INF):
                sane = False
            dmax = max(dmax, self.d[i])
            dmin = min(dmin, self.d[i])
            step = R(R(R(0.2) * R(self.sigma * self.rng[i])) * A.sqrt(self.C[i][i]))
            if R(self.m[i] + step) != self.m[i]:
                moves = True
        # stagnation: windows of ceil(T/5) generations, T = 100 + 100·n^1.5/λ
        stagnant = False
        self.win_sum = R(self.win_sum + self.f[order[lam // 2]])
        self.win_len += 1
        if self.win_len == self.window():
            mean = R(self.win_sum / float(self.win_len))
            stagnant = self.windows >= 4 and not mean < self.win[(self.windows + 1) % 5]
            self.win[self.windows % 5] = mean
            self.windows += 1
            self.win_len = 0
            self.win_sum = 0.0
        patience = 10 + (30 * n + lam - 1) // lam
        return (not sane or stagnant or self.flat >= patience or not moves or dmax > R(dmin / R(2 * A.sqrt(A.eps))) or
                not R(self.sigma * dmax) <= 1000)

    def eigen(self):
        A, R, n = self.A, self.A.R, self.n
        a = {}  # the working matrix's off-diagonal entries (i > j)
        ev = [self.C[i][i] for i in range(n)]
        for i in range(n):
            for j in range(i):
                a[(i, j)] = self.C[j][i]
        self.B = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]

        def key(i, j):
            return (i, j) if i > j else (j, i)

        for _ in range(MAX_SWEEPS):
            rotated = False
            for p in range(n - 1):
                for q in range(p + 1, n):
                    apq = a[(q, p)]
                    if apq == 0:
                        continue
                    app, aqq = ev[p], ev[q]
                    g = R(100 * abs(apq))
                    if R(abs(app) + g) == abs(app) and R(abs(aqq) + g) == abs(aqq):
                        a[(q, p)] = 0.0
                        continue
                    h = R(aqq - app)
                    if R(abs(h) + g) == abs(h):
                        t = R(apq / h)
                    else:
                        theta = R(R(0.5 * h) / apq)
                        t = R(1 / R(abs(theta) + A.sqrt(R(1 + R(theta * theta)))))
                        if theta < 0:
                            t = -t
                    cs = R(1 / A.sqrt(R(1 + R(t * t))))
                    sn = R(t * cs)
                    tau = R(sn / R(1 + cs))
                    hh = R(t * apq)
                    ev[p] = R(app - hh)
                    ev[q] = R(aqq + hh)
                    a[(q, p)] = 0.0
                    for r in range(n):
                        if r != p and r != q:
                            g1, h1 = a[key(r, p)], a[key(r, q)]
                            a[key(r, p)] = R(g1 - R(sn * R(h1 + R(g1 * tau))))
                            a[key(r, q)] = R(h1 + R(sn * R(g1 - R(h1 * tau))))
                        g2, h2 = self.B[r][p], self.B[r][q]
                        self.B[r][p] = R(g2 - R(sn * R(h2 + R(g2 * tau))))
                        self.B[r][q] = R(h2 + R(sn * R(g2 - R(h2 * tau))))
                    rotated = True
            if not rotated:
                break
        top = max([0.0] + ev)
        floor = R(top * A.eps)
        if not floor >= A.min:
            floor = A.min
        self.d = [A.sqrt(v if v > floor else floor) for v in ev]


MAX_DIMS, MAX_POP = 12, 32  # the capacity of the C++ objects the golden test runs

# name, single, dims, population (0 = default), seed, cost kind, config
CASES = [
    ('full_default', True, 5, 0, 1, 'sphere', dict(max_iter=1 << 20, max_evals=600)),
    ('full_lambda10_target', True, 3, 10, 0xDEADBEEFCAFE, 'sphere', dict(max_iter=60, target=1e-3)),
    ('separable', True, 9, 0, 7, 'sphere', dict(max_iter=1 << 20, max_evals=500, form='separable')),
    ('ipop_restarts_flat', True, 2, 0, 99, 'flat', dict(max_iter=1 << 20, max_evals=1500)),
    ('restarts_no_ipop', True, 3, 5, 123456789, 'flat', dict(max_iter=1 << 20, max_evals=300, ipop=False,
                                                            sigma0=0.6)),
    ('full_double', False, 6, 0, 0x5EED, 'sphere', dict(max_iter=1 << 20, max_evals=700)),
]


def emit():
    out = ['// SPDX-License-Identifier: MIT', '// Generated by tools/cmaes_ref.py (independent Python reference, float32/float64 emulated',
           '// op by op); do not edit. Regenerate: python3 tools/cmaes_ref.py > tests/core/golden_cmaes.h',
           '#pragma once',
           '#include <cstdint>',
           '',
           'namespace golden_cmaes {',
           '// Whole-trajectory FNV-1a-64 hashes (every asked coordinate, then the told cost, as',
           '// IEEE bits of the precision; NaN as the quiet NaN) over tools/det_ref.py golden_cost,',
           '// box golden_box(dims), capacity Cmaes<%d, %d>; the final best value bits, evaluations,' % (
               MAX_DIMS, MAX_POP),
           '// generations, restarts and population.',
           'struct Case {',
           '  const char* name; bool single; int dims, population; uint64_t seed; bool flat;',
           '  int max_iter; long max_evals; float target; float sigma0; bool ipop; int form;',
           '  uint64_t hash; uint64_t best_bits; long evals; int iterations; int restarts; int final_population;',
           '};',
           'constexpr Case kCases[] = {']
    forms = {'auto': 0, 'full': 1, 'separable': 2}
    for name, single, dims, pop, seed, kind, kw in CASES:
        A = Arith(single)
        lo, hi = golden_box(dims)
        es = Cmaes(A, lo, hi, pop, seed, MAX_POP, **kw)
        h = run_golden(es, A, kind)
        cfg = dict(max_iter=1000, max_evals=0, target=-INF, sigma0=0.3, ipop=True, form='auto')
        cfg.update(kw)
        tgt = '-INFINITY' if cfg['target'] == -INF else repr(cfg['target']) + 'f'
        out.append('  {"%s", %s, %d, %d, 0x%xull, %s, %d, %d, %s, %rf, %s, %d,' % (
            name, 'true' if single else 'false', dims, pop, seed, 'true' if kind == 'flat' else 'false',
            cfg['max_iter'], cfg['max_evals'], tgt, cfg['sigma0'], 'true' if cfg['ipop'] else 'false',
            forms[cfg['form']]))
        out.append('   0x%016xull, 0x%xull, %d, %d, %d, %d},' % (h, A.bits(es.core.best_f), es.core.evals, es.core.it,
                                                                es.restarts, es.lam))
    out.append('};')
    out.append('}  // namespace golden_cmaes')
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    emit_check(emit(), 'golden_cmaes.h')
