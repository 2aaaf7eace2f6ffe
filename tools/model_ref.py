#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent Python reference of the few-episode optimizers (BayesOpt and
Tuner and Bobyqa (default restart rule) in full), for the golden
trajectory hashes of tests/core/golden_model.h.

Written from the algorithms documented in include/starling/bayesopt.hpp,
tuner.hpp and bobyqa.hpp; float32 is emulated op by op (each +, -, *, /,
sqrt computed in double and rounded to float32, exact IEEE single), double is
Python's own float. The deterministic exp/log are tools/det_ref.py's (the
definitions of detail/det_math.hpp), Threefry is tools/pso_ref.py's, the
shared core (incumbent, stop rules) and the trajectory hash det_ref.py's.
Standard library only.

    python3 tools/model_ref.py               # print tests/core/golden_model.h
    python3 tools/model_ref.py --check FILE  # exit 1 if FILE differs
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from det_ref import (Arith, Core, INF, NAN, FNV_OFFSET, fnv, det_exp, det_log,  # noqa: E402
                     golden_cost, golden_box, sanitize, emit_check, unit24)

FLT_MIN = 2.0 ** -126
DBL_MIN = sys.float_info.min


# ---- detail/model_math.hpp -----------------------------------------------------
def model_exp(A, x):
    if x != x:
        return x
    return det_exp(A, x)


def model_log(A, x):
    if not x > 0:
        return -INF if x == 0 else NAN
    if x == INF:
        return x
    lo = FLT_MIN if A.single else DBL_MIN
    if x < lo:
        x = lo
    return det_log(A, x)


ERFC_P = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
          0.09678418, 0.37409196, 1.00002368, -1.26551223)


def erfc_parts(A, x):
    """Returns (t·e^expo, t, expo)."""
    R = A.R
    t = R(1.0 / R(1.0 + R(R(0.5) * x)))
    p = R(ERFC_P[0])
    for c in ERFC_P[1:]:
        p = R(R(p * t) + R(c))
    expo = R(p - R(x * x))
    return R(t * model_exp(A, expo)), t, expo


def log_ei(A, u):
    R = A.R
    inv_sqrt2 = R(0.70710678118654752440)
    inv_sqrt2pi = R(0.39894228040143267794)
    half = R(0.5)
    if u >= -1:
        x = R(u * inv_sqrt2)
        if x >= 0:
            e, _, _ = erfc_parts(A, x)
            phi_cdf = R(1.0 - R(half * e))
        else:
            e, _, _ = erfc_parts(A, -x)
            phi_cdf = R(half * e)
        pdf = R(inv_sqrt2pi * model_exp(A, R(-half * R(u * u))))
        return model_log(A, R(R(u * phi_cdf) + pdf))
    u2 = R(u * u)
    if u >= -10:
        _, t, expo = erfc_parts(A, R(-u * inv_sqrt2))
        ep = model_exp(A, R(expo + R(half * u2)))
        bracket = R(inv_sqrt2pi + R(half * R(u * R(t * ep))))
        if bracket > 0:
            return R(model_log(A, bracket) - R(half * u2))
    w = R(1.0 / u2)
    s = R(R(R(-105.0) * w) + 15.0)
    s = R(R(s * w) - 3.0)
    s = R(R(s * w) + 1.0)
    return R(model_log(A, R(inv_sqrt2pi * R(w * s))) - R(half * u2))


# ---- the Gaussian process (bayesopt.hpp, GpEngine) ------------------------------
def ln_nugget_min(A):
    return A.R(-9.21034037197618) if A.single else -18.420680743952367


LN_NUGGET_MAX = -2.302585092994046
LN_LEN_MIN = -4.1588830833596715
LN_LEN_MAX = 2.0794415416798357
LN_LEN_PRIOR = -0.6931471805599453
AUTO, LOG, IDENTITY = 0, 1, 2


class Gp:
    def __init__(self, A, d, cap, candidates, fit_evals, transform):
        self.A, self.d, self.cap = A, d, cap
        self.candidates, self.fit_evals, self.transform = candidates, fit_evals, transform
        R = A.R
        self.t = []  # rows, at most cap
        self.y = []
        self.theta = [R(LN_LEN_PRIOR)] * d + [R(-6.907755278982137)]
        self.sigma2 = 1.0
        self.zbest = 0.0
        self.tri = None
        self.alpha = None
        self.inv_l = None

    def add(self, t, y):
        if len(self.y) == self.cap:
            idx = 0
            for i in range(1, len(self.y)):
                if self.y[i] > self.y[idx]:
                    idx = i
            self.t[idx] = list(t)
            self.y[idx] = y
        else:
            self.t.append(list(t))
            self.y.append(y)

    def inv_lengths(self, theta):
        return [model_exp(self.A, -theta[j]) for j in range(self.d)]

    def kernel(self, p, q, inv_l):
        R = self.A.R
        r2 = 0.0
        for j in range(self.d):
            e = R(R(p[j] - q[j]) * inv_l[j])
            r2 = R(r2 + R(e * e))
        s5r = R(R(2.23606797749978969641) * self.A.sqrt(r2))
        poly = R(R(1.0 + s5r) + R(R(1.66666666666666666667) * r2))
        return R(poly * model_exp(self.A, -s5r))

    def targets(self):
        A, R = self.A, self.A.R
        n = len(self.y)
        shift = 0.0
        use_log = self.transform != IDENTITY
        if self.transform == AUTO:
            fin = sorted(v for v in self.y if math.isfinite(v))
            if not fin:
                use_log = False
            else:
                ymin = fin[0]
                spread = R(R(fin[(len(fin) - 1) // 2] - ymin) * R(0.1))
                s = spread
                if ymin > 0 and ymin > s:
                    s = ymin
                if not s > 0 or not math.isfinite(s):
                    use_log = False
                else:
                    shift = R(s - ymin)
        z = []
        worst = -INF
        for i in range(n):
            v = INF
            yy = R(self.y[i] + shift)
            if math.isfinite(yy) and (not use_log or yy > 0):
                v = model_log(A, yy) if use_log else yy
            z.append(v)
            if v < INF and v > worst:
                worst = v
        if not worst > -INF:
            worst = 0.0
        mean = 0.0
        for i in range(n):
            if not z[i] < INF:
                z[i] = worst
            mean = R(mean + z[i])
        mean = R(mean / float(n))
        var = 0.0
        for i in range(n):
            e = R(z[i] - mean)
            var = R(var + R(e * e))
        var = R(var / float(n))
        sd = A.sqrt(var)
        if not sd > 0 or not math.isfinite(sd):
            sd = 1.0
        self.zbest = INF
        for i in range(n):
            z[i] = R(R(z[i] - mean) / sd)
            if z[i] < self.zbest:
                self.zbest = z[i]
        self.z = z

    def build(self, theta):
        A, R = self.A, self.A.R
        n = len(self.y)
        inv_l = self.inv_lengths(theta)
        g = model_exp(A, theta[self.d])
        tri = []
        for i in range(n):
            li = []
            for j in range(i):
                lj = tri[j]
                s = self.kernel(self.t[i], self.t[j], inv_l)
                for k in range(j):
                    s = R(s - R(li[k] * lj[k]))
                li.append(R(s / lj[j]))
            dd = R(1.0 + g)
            for k in range(i):
                dd = R(dd - R(li[k] * li[k]))
            if not dd > 0:
                return None
            li.append(A.sqrt(dd))
            tri.append(li)
        return tri

    def likelihood(self, tri, theta):
        A, R = self.A, self.A.R
        n = len(self.y)
        w = []
        ww = logdet = 0.0
        for i in range(n):
            li = tri[i]
            s = self.z[i]
            for k in range(i):
                s = R(s - R(li[k] * w[k]))
            w.append(R(s / li[i]))
            ww = R(ww + R(w[i] * w[i]))
            logdet = R(logdet + model_log(A, li[i]))
        nf = float(n)
        prior = 0.0
        for j in range(self.d):
            e = R(theta[j] - R(LN_LEN_PRIOR))
            prior = R(prior + R(e * e))
        nll = R(R(R(nf * model_log(A, R(ww / nf))) + R(logdet + logdet)) + R(R(0.25) * prior))
        return nll if math.isfinite(nll) else None

    def factor(self, theta):
        tri = self.build(theta)
        if tri is None:
            return None, None
        nll = self.likelihood(tri, theta)
        return (tri, nll) if nll is not None else (None, None)

    def fit(self):
        A, R = self.A, self.A.R
        if not self.y:
            return False
        self.targets()
        d = self.d
        nmax = R(LN_NUGGET_MAX)
        while True:
            tri, best = self.factor(self.theta)
            if tri is not None:
                break
            if self.theta[d] >= nmax:
                return False
            self.theta[d] = R(self.theta[d] + 1.0)
            if self.theta[d] > nmax:
                self.theta[d] = nmax
        evals, h = 1, 1.0
        while evals < self.fit_evals and h >= 0.0625:
            improved = False
            c = 0
            while c <= d and evals < self.fit_evals:
                lo = R(LN_LEN_MIN) if c < d else ln_nugget_min(A)
                hi = R(LN_LEN_MAX) if c < d else nmax
                sgn = 0
                while sgn < 2 and evals < self.fit_evals:
                    v = R(self.theta[c] + h) if sgn == 0 else R(self.theta[c] - h)
                    sgn += 1
                    if v > hi:
                        v = hi
                    if v < lo:
                        v = lo
                    if v == self.theta[c]:
                        continue
                    trial = list(self.theta)
                    trial[c] = v
                    evals += 1
                    t2, nll = self.factor(trial)
                    if t2 is not None and nll < best:
                        best, tri = nll, t2
                        self.theta[c] = v
                        improved = True
                        break  # the next coordinate, from the new point
                c += 1
            if not improved:
                h = R(h * 0.5)
        self.tri = tri
        return self.solve_alpha()

    def solve_alpha(self):
        R = self.A.R
        n, tri = len(self.y), self.tri
        w = []
        for i in range(n):
            s = self.z[i]
            for k in range(i):
                s = R(s - R(tri[i][k] * w[k]))
            w.append(R(s / tri[i][i]))
        alpha = [0.0] * n
        for i in range(n - 1, -1, -1):
            s = w[i]
            for k in range(i + 1, n):
                s = R(s - R(tri[k][i] * alpha[k]))
            alpha[i] = R(s / tri[i][i])
        za = 0.0
        for i in range(n):
            za = R(za + R(self.z[i] * alpha[i]))
        self.sigma2 = R(za / float(n))
        if not self.sigma2 > 0 or not math.isfinite(self.sigma2):
            self.sigma2 = 1.0
        self.alpha = alpha
        self.inv_l = self.inv_lengths(self.theta)
        return True

    def acquisition(self, t):
        A, R = self.A, self.A.R
        n, tri = len(self.y), self.tri
        mu = vv = 0.0
        kv = []
        for i in range(n):
            kv.append(self.kernel(t, self.t[i], self.inv_l))
            mu = R(mu + R(kv[i] * self.alpha[i]))
        v = []
        for i in range(n):
            s = kv[i]
            for k in range(i):
                s = R(s - R(tri[i][k] * v[k]))
            v.append(R(s / tri[i][i]))
            vv = R(vv + R(v[i] * v[i]))
        var = R(1.0 - vv)
        fl = R(1e-10)
        if not var > fl:
            var = fl
        sd = A.sqrt(R(var * self.sigma2))
        return R(model_log(A, sd) + log_ei(A, R(R(self.zbest - mu) / sd)))

    def search(self, core, tag, it, lo_r, hi_r):
        A, R = self.A, self.A.R
        d, nc = self.d, self.candidates
        top = []  # (value, point), best first; the earlier wins ties

        def consider(x, v):
            pos = len(top)
            while pos > 0 and v > top[pos - 1][0]:
                pos -= 1
            if pos >= 3:
                return
            top.insert(pos, (v, list(x)))
            del top[3:]

        def clamp(j, v):
            if v < lo_r[j]:
                v = lo_r[j]
            if v > hi_r[j]:
                v = hi_r[j]
            return v

        b = 0
        for i in range(1, len(self.y)):
            if self.z[i] < self.z[b]:
                b = i
        centre = self.t[b]
        w4 = [0, 0, 0, 0]
        cand = [0.0] * d
        for c in range(2 * nc):
            width = 0.0 if c < nc else (0.5 if c % 3 == 0 else 0.125 if c % 3 == 1 else 0.03125)
            for j in range(d):
                if j % 2 == 0:
                    w4 = core.block(tag, it, c, j >> 1)
                u = unit24(w4[(j & 1) * 2])
                if c < nc:
                    cand[j] = clamp(j, R(lo_r[j] + R(u * R(hi_r[j] - lo_r[j]))))
                else:
                    ell = model_exp(A, self.theta[j])
                    cand[j] = clamp(j, R(centre[j] + R(R(R(u + u) - 1.0) * R(ell * width))))
            consider(cand, self.acquisition(cand))
        bestv = -INF
        out = list(lo_r)
        for q in range(len(top)):
            bv = top[q][0]
            base = list(top[q][1])
            step = []
            for j in range(d):
                s = R(R(0.1) * model_exp(A, self.theta[j]))
                wdt = R(hi_r[j] - lo_r[j])
                step.append(s if s < wdt else wdt)
            for _ in range(4):
                improved = False
                for j in range(d):
                    for sgn in range(2):
                        cand = list(base)
                        cand[j] = clamp(j, R(base[j] + step[j]) if sgn == 0 else R(base[j] - step[j]))
                        if cand[j] == base[j]:
                            continue
                        v = self.acquisition(cand)
                        if v > bv:
                            bv = v
                            base[j] = cand[j]
                            improved = True
                            break
                if not improved:
                    step = [R(s * 0.5) for s in step]
            if q == 0 or bv > bestv:
                bestv = bv
                out = list(base)
        return out


def design_point(A, core, tag, dims, i, lo_r, hi_r):
    R = A.R
    phi = 2.0
    for _ in range(40):
        p = 1.0
        for _k in range(dims):
            p = R(p * phi)
        f = R(R(R(p * phi) - phi) - 1.0)
        df = R(R(float(dims + 1) * p) - 1.0)
        phi = R(phi - R(f / df))
    alpha = 1.0
    t = []
    w4 = [0, 0, 0, 0]
    for j in range(dims):
        alpha = R(alpha / phi)
        if j % 2 == 0:
            w4 = core.block(tag, 0, 0, j >> 1)
        shift = unit24(w4[(j & 1) * 2])
        v = R(shift + R(float(i + 1) * alpha))
        v = R(v - math.floor(v))
        x = R(lo_r[j] + R(v * R(hi_r[j] - lo_r[j])))
        if x > hi_r[j]:
            x = hi_r[j]
        t.append(x)
    return t


def to_box(A, lo, hi, t):
    R = A.R
    x = []
    for j in range(len(t)):
        v = lo[j] if t[j] <= 0 else hi[j] if t[j] >= 1 else R(lo[j] + R(t[j] * R(hi[j] - lo[j])))
        if v > hi[j]:
            v = hi[j]
        x.append(v)
    return x


def to_unit(A, lo, hi, x):
    R = A.R
    t = []
    for j in range(len(x)):
        v = R(R(x[j] - lo[j]) / R(hi[j] - lo[j]))
        t.append(min(max(v, 0.0), 1.0))
    return t


def default_design(dims):
    return max(5, 2 * dims + 2)


def fallback_point(core, A, k, lo_r, hi_r):
    R = A.R
    t = []
    w4 = [0, 0, 0, 0]
    for j in range(len(lo_r)):
        if j % 2 == 0:
            w4 = core.block(4, k, 0, j >> 1)
        v = R(lo_r[j] + R(unit24(w4[(j & 1) * 2]) * R(hi_r[j] - lo_r[j])))
        t.append(min(v, hi_r[j]))
    return t


# ---- BayesOpt --------------------------------------------------------------------
class BayesOpt:
    STREAM = 0x424F5054

    def __init__(self, A, lo, hi, cap, seed, candidates=128, fit_evals=24, transform=AUTO, max_iter=200,
                 max_evals=0, design=0):
        self.A = A
        self.lo, self.hi = [A.R(v) for v in lo], [A.R(v) for v in hi]
        d = len(lo)
        self.core = Core(A, self.lo, self.hi, seed, self.STREAM, max_iter, max_evals)
        self.design = design or min(default_design(d), cap)
        self.gp = Gp(A, d, cap, candidates, fit_evals, transform)
        self.rlo, self.rhi = [0.0] * d, [1.0] * d
        self.x = None
        self.propose()

    def propose(self):
        k = self.core.evals
        if k < self.design:
            self.cand = design_point(self.A, self.core, 1, len(self.lo), k, self.rlo, self.rhi)
        elif self.gp.fit():
            self.cand = self.gp.search(self.core, 2, k, self.rlo, self.rhi)
        else:
            self.cand = fallback_point(self.core, self.A, k, self.rlo, self.rhi)

    def ask(self):
        if not self.core.running:
            return None
        if self.x is None:
            self.x = to_box(self.A, self.lo, self.hi, self.cand)
        return self.x

    def tell(self, cost):
        f = sanitize(cost)
        x, self.x = self.x, None
        if not self.core.record(x, f):
            return
        self.gp.add(to_unit(self.A, self.lo, self.hi, x), f)
        if not self.core.end_generation():
            return
        self.propose()


# ---- Tuner -----------------------------------------------------------------------
class Simplex:
    INIT, REFLECT, EXPAND, CONTRACT, SHRINK = range(5)

    def __init__(self, A, n, x0, f0, step, step_end):
        R = A.R
        self.A, self.n, self.step_end = A, n, step_end
        self.fr = 0.0
        self.v = []
        for i in range(n + 1):
            row = []
            for j in range(n):
                val = x0[j]
                if i == j + 1:
                    val = R(val + step) if R(val + step) <= 1 else R(val - step)
                row.append(val)
            self.v.append(row)
        self.fv = [f0] + [INF] * n
        self.c = [0.0] * n
        self.r = [0.0] * n
        self.y = list(self.v[1])
        self.state = self.INIT
        self.idx = 1

    def trial(self, coef):
        R = self.A.R
        w = self.v[self.n]
        self.y = [min(max(R(self.c[j] + R(coef * R(w[j] - self.c[j]))), 0.0), 1.0) for j in range(self.n)]

    def take(self, x, f):
        self.v[self.n] = list(x)
        self.fv[self.n] = f

    def step(self):
        R, n = self.A.R, self.n
        for i in range(1, n + 1):
            k = i
            while k > 0 and self.fv[k] < self.fv[k - 1]:
                self.fv[k], self.fv[k - 1] = self.fv[k - 1], self.fv[k]
                self.v[k], self.v[k - 1] = self.v[k - 1], self.v[k]
                k -= 1
        size = 0.0
        for i in range(1, n + 1):
            for j in range(n):
                dd = abs(R(self.v[i][j] - self.v[0][j]))
                if dd > size:
                    size = dd
        if not size >= self.step_end:
            return True
        for j in range(n):
            s = 0.0
            for i in range(n):
                s = R(s + self.v[i][j])
            self.c[j] = R(s / float(n))
        self.trial(-1.0)
        self.state = self.REFLECT
        return False

    def feed(self, y, f):
        R, n = self.A.R, self.n
        st = self.state
        if st in (self.INIT, self.SHRINK):
            self.v[self.idx] = list(y)
            self.fv[self.idx] = f
            self.idx += 1
            if self.idx <= n:
                self.y = list(self.v[self.idx])
                return False
            return self.step()
        if st == self.REFLECT:
            self.r = list(y)
            self.fr = f
            if f < self.fv[0]:
                self.trial(-2.0)
                self.state = self.EXPAND
                return False
            if f < self.fv[n - 1]:
                self.take(self.r, f)
                return self.step()
            self.trial(-0.5 if f < self.fv[n] else 0.5)
            self.state = self.CONTRACT
            return False
        if st == self.EXPAND:
            if f < self.fr:
                self.take(y, f)
            else:
                self.take(self.r, self.fr)
            return self.step()
        worst = self.fr if self.fr < self.fv[n] else self.fv[n]
        if f < worst:
            self.take(y, f)
            return self.step()
        for i in range(1, n + 1):
            for j in range(n):
                self.v[i][j] = R(self.v[0][j] + R(R(self.v[i][j] - self.v[0][j]) / 2.0))
        self.state = self.SHRINK
        self.idx = 1
        self.y = list(self.v[1])
        return False


class Tuner:
    STREAM = 0x54554E45
    DESIGN, MODEL, LOCAL = range(3)

    def __init__(self, A, lo, hi, cap, seed, candidates=128, fit_evals=24, transform=AUTO, model_evals=0,
                 step=0.1, step_end=1e-4, max_iter=300, max_evals=0, design=0):
        self.A = A
        R = A.R
        self.lo, self.hi = [R(v) for v in lo], [R(v) for v in hi]
        d = len(lo)
        self.core = Core(A, self.lo, self.hi, seed, self.STREAM, max_iter, max_evals)
        self.design = design or min(default_design(d), cap)
        self.gp = Gp(A, d, cap, candidates, fit_evals, transform)
        self.model_evals = model_evals if model_evals > 0 else 2 * d
        # the config's float fields, then as Real
        f32 = Arith(True).R
        self.step, self.step_end = R(f32(step)), R(f32(step_end))
        self.rlo, self.rhi = [0.0] * d, [1.0] * d
        self.phase = self.DESIGN
        self.phase_evals = 0
        self.simplex = None
        self.x = None
        self.cand = design_point(A, self.core, 1, d, 0, self.rlo, self.rhi)

    def propose_model(self):
        k = self.core.evals
        if self.gp.fit():
            self.cand = self.gp.search(self.core, 2, k, self.rlo, self.rhi)
        else:
            self.cand = fallback_point(self.core, self.A, k, self.rlo, self.rhi)

    def start_local(self):
        u = to_unit(self.A, self.lo, self.hi, self.core.best)
        self.phase = self.LOCAL
        self.phase_evals = 0
        self.simplex = Simplex(self.A, len(u), u, self.core.best_f, self.step, self.step_end)

    def ask(self):
        if not self.core.running:
            return None
        if self.x is None:
            self.x = to_box(self.A, self.lo, self.hi, self.simplex.y if self.phase == self.LOCAL else self.cand)
        return self.x

    def tell(self, cost):
        f = sanitize(cost)
        x, self.x = self.x, None
        if not self.core.record(x, f):
            return
        u = to_unit(self.A, self.lo, self.hi, x)
        self.gp.add(u, f)
        if not self.core.end_generation():
            return
        self.phase_evals += 1
        if self.phase == self.DESIGN:
            if self.core.evals < self.design:
                self.cand = design_point(self.A, self.core, 1, len(u), self.core.evals, self.rlo, self.rhi)
            else:
                self.phase = self.MODEL
                self.phase_evals = 0
                self.propose_model()
        elif self.phase == self.MODEL:
            if self.phase_evals >= self.model_evals:
                self.start_local()
            else:
                self.propose_model()
        else:
            y = self.simplex.y
            same = to_box(self.A, self.lo, self.hi, y) == x
            if self.simplex.feed(list(y) if same else u, f):
                self.start_local()


# ---- Bobyqa (a bounded prefix: up to its first geometry step) --------------------

def rmin(a, b):
    return a if a <= b else b


def rmax(a, b):
    return a if a >= b else b


def packed(i, j):
    return j * (j + 1) // 2 + i


class BobyqaRef:
    """Bobyqa (bobyqa.hpp) with the default config but rho_begin, without
    filters: the initial points (failures as their stand-in values), the
    interpolation system's scaled inverse (Gauss-Jordan with row pivoting),
    the least Frobenius norm model, TRSBOX, ALTMOV and its Cauchy steps, the
    Lagrange values and the choice of the point to replace, the model update
    after each evaluation (with the test that may replace it by the
    interpolant of the values), the trust-radius and rho rules, the base
    shift, rebuilds of the point set and the Incumbent restart. Paths it
    does not follow (a filter moving a point, the Random restart) are not
    reached by the golden runs."""
    L60, L90, L650, L680 = range(4)

    def __init__(self, A, lo, hi, seed, rho_begin):
        R = A.R
        self.A = A
        self.lo, self.hi = [R(v) for v in lo], [R(v) for v in hi]
        n = self.n = len(lo)
        m = self.m = 2 * n + 1
        self.core = Core(A, self.lo, self.hi, seed, 0x424F4259, 1000)
        self.ulo = [R(self.lo[j] / R(self.hi[j] - self.lo[j])) for j in range(n)]
        self.uhi = [R(self.hi[j] / R(self.hi[j] - self.lo[j])) for j in range(n)]
        floor = R(9.31322574615478515625e-10) if A.single else 2.0 ** -300
        rho_end = R(Arith(True).R(1e-6))  # the config's default, a float
        self.rho_end = rho_end if rho_end > floor else floor
        u0 = []
        w4 = [0, 0, 0, 0]
        for j in range(n):
            if j % 2 == 0:
                w4 = self.core.block(1, 0, 0, j >> 1)
            v = R(self.ulo[j] + R(unit24(w4[(j & 1) * 2]) * R(self.uhi[j] - self.ulo[j])))
            u0.append(min(v, self.uhi[j]))
        self.rho_begin = R(Arith(True).R(rho_begin))
        self.fval = [0.0] * m
        self.nf = 0
        self.hq = [0.0] * (n * (n + 1) // 2)
        self.pq = [0.0] * m
        self.gopt = [0.0] * n
        self.d = [0.0] * n
        self.xnew = [0.0] * n
        self.phase = 'init'
        self.restarts = 0
        self.begin(u0, self.rho_begin, False, 0.0)
        self.x = None

    # ---- the family's ask/tell --------------------------------------------------
    def ask(self):
        if not self.core.running:
            return None
        if self.x is None:
            R = self.A.R
            x = []
            for j in range(self.n):
                u = self.cand[j]
                v = self.lo[j] if u <= self.ulo[j] else self.hi[j] if u >= self.uhi[j] else \
                    R(u * R(self.hi[j] - self.lo[j]))
                x.append(min(max(v, self.lo[j]), self.hi[j]))
            self.x = x
        return self.x

    def tell(self, cost):
        f = sanitize(cost)
        x, self.x = self.x, None
        if not self.core.record(x, f):
            return
        if self.feed(list(self.cand), f):
            self.restart()
        self.core.end_generation()

    # ---- the engine -------------------------------------------------------------
    def begin(self, u0, rho0, have_f0, f0):
        self.keep_rho = 0
        self.start_set(u0, rho0, have_f0, f0)

    def start_set(self, u0, rho0, have_f0, f0):
        R, n, m = self.A.R, self.n, self.m
        self.xbase = list(u0)
        self.xopt = [0.0] * n
        self.sl = [R(self.ulo[j] - u0[j]) for j in range(n)]
        self.su = [R(self.uhi[j] - u0[j]) for j in range(n)]
        self.xoptsq = 0.0
        self.init_step = rho0
        self.xpt = []
        for k in range(m):
            p = [0.0] * n
            if k > 0:
                j = k - 1 if k <= n else k - n - 1
                second = k > n
                if rho0 <= self.su[j] and -rho0 >= self.sl[j]:
                    st = -rho0 if second else rho0
                elif -rho0 < self.sl[j]:
                    st = R(rho0 + rho0) if second else rho0
                else:
                    st = -R(rho0 + rho0) if second else -rho0
                p[j] = st
            self.xpt.append(p)
        self.phase = 'init'
        self.init_k = 0
        if have_f0:
            self.fval[0] = f0
            self.init_k = 1
        self.init_point()

    def rebuild(self):
        R = self.A.R
        u = [min(max(R(self.xbase[j] + self.xopt[j]), self.ulo[j]), self.uhi[j]) for j in range(self.n)]
        f0 = self.fval[self.kopt]
        had_model = self.phase != 'init'
        r = self.rho if had_model else R(self.init_step * 0.5)
        if r < self.rho_end:
            r = self.rho_end
        self.keep_rho = 1 if had_model else 0
        self.start_set(u, r, True, f0)

    def restart(self):
        """BobyqaCore::restart with the default BobyqaRestart::Incumbent."""
        R = self.A.R
        self.restarts += 1
        fb = self.core.best_f
        if fb < INF:
            u = []
            for j in range(self.n):
                v = R(self.core.best[j] / R(self.hi[j] - self.lo[j]))
                v = min(max(v, self.ulo[j]), self.uhi[j]) if v == v else v
                u.append(v)
            self.begin(u, self.rho_begin, True, fb)
        else:
            u = [min(max(R(self.xbase[j] + self.xopt[j]), self.ulo[j]), self.uhi[j]) for j in range(self.n)]
            self.begin(u, self.rho_begin, True, self.fval[self.kopt])

    def init_point(self):
        self.cand = [min(max(self.A.R(self.xbase[j] + self.xpt[self.init_k][j]), self.ulo[j]), self.uhi[j])
                     for j in range(self.n)]

    def stand_in(self, f):
        # Values within +-max/8 (exact: a power of two apart from max).
        # Not mirrored: the engine's recovery from a model that overflowed
        # (no golden run reaches it; test_model_invariants covers it).
        cap = self.A.max / 8
        if f < INF:
            return rmax(-cap, rmin(f, cap))
        count = self.init_k if self.phase == 'init' else self.m
        lo, hi = INF, -INF
        for k in range(count):
            lo, hi = rmin(lo, self.fval[k]), rmax(hi, self.fval[k])
        if not hi >= lo:
            return 1.0
        R = self.A.R
        return rmin(R(hi + R(R(hi - lo) + 1.0)), cap)

    def feed(self, u, f):
        R = self.A.R
        self.nf += 1
        fm = self.stand_in(f)
        if self.phase == 'init':
            k = self.init_k
            self.xpt[k] = [R(u[j] - self.xbase[j]) for j in range(self.n)]
            self.fval[k] = fm
            self.init_k += 1
            if self.init_k < self.m:
                self.init_point()
                return False
            return self.finish_init()
        return self.next(self.after_eval(fm))

    def invert(self):
        R, n, m = self.A.R, self.n, self.m
        kk = m + n + 1
        xpt = self.xpt
        big = 0.0
        for k in range(m):
            for j in range(n):
                big = rmax(big, abs(xpt[k][j]))
        if not big > 0 or not math.isfinite(big):
            return False
        e = math.frexp(big)[1]
        self.scale_e = e
        inv_s = 2.0 ** -e
        H = [[0.0] * kk for _ in range(kk)]
        for i in range(m):
            for j in range(i + 1):
                dot = 0.0
                for l in range(n):
                    dot = R(dot + R(R(xpt[i][l] * inv_s) * R(xpt[j][l] * inv_s)))
                v = R(0.5 * R(dot * dot))
                H[i][j] = v
                H[j][i] = v
            H[i][m] = 1.0
            H[m][i] = 1.0
            for l in range(n):
                H[i][m + 1 + l] = R(xpt[i][l] * inv_s)
                H[m + 1 + l][i] = R(xpt[i][l] * inv_s)
        piv = [0] * kk
        for k in range(kk):
            p = k
            pmax = abs(H[k][k])
            for i in range(k + 1, kk):
                v = abs(H[i][k])
                if v > pmax:
                    pmax, p = v, i
            if not pmax > 0:
                self.H = H
                return False
            piv[k] = p
            if p != k:
                H[p], H[k] = H[k], H[p]
            rk = H[k]
            inv = R(1.0 / rk[k])
            rk[k] = 1.0
            for j in range(kk):
                rk[j] = R(rk[j] * inv)
            for i in range(kk):
                if i == k:
                    continue
                ri = H[i]
                f = ri[k]
                if f == 0:
                    continue
                ri[k] = 0.0
                for j in range(kk):
                    ri[j] = R(ri[j] - R(rk[j] * f))
        for k in range(kk - 1, -1, -1):
            p = piv[k]
            if p == k:
                continue
            for i in range(kk):
                H[i][p], H[i][k] = H[i][k], H[i][p]
        self.H = H
        return all(math.isfinite(v) for row in H for v in row)

    def finish_init(self):
        R, n, m = self.A.R, self.n, self.m
        self.kopt = 0
        for k in range(1, m):
            if self.fval[k] < self.fval[self.kopt]:
                self.kopt = k
        self.xoptsq = 0.0
        self.xopt = list(self.xpt[self.kopt])
        for j in range(n):
            self.xoptsq = R(self.xoptsq + R(self.xopt[j] * self.xopt[j]))
        self.hq = [0.0] * (n * (n + 1) // 2)
        if not self.invert():
            self.rebuild()
            return False
        e = self.scale_e
        inv_s2, inv_s = 2.0 ** (-2 * e), 2.0 ** -e
        H, fval = self.H, self.fval
        fopt = fval[self.kopt]
        for k in range(m):
            s = 0.0
            for i in range(m):
                s = R(s + R(H[k][i] * R(fval[i] - fopt)))
            self.pq[k] = R(R(s * inv_s2) * inv_s2)
        for j in range(n):
            s = 0.0
            for i in range(m):
                s = R(s + R(H[m + 1 + j][i] * R(fval[i] - fopt)))
            self.gopt[j] = R(s * inv_s)
        for k in range(m):
            p = self.xpt[k]
            t = 0.0
            for j in range(n):
                t = R(t + R(p[j] * self.xopt[j]))
            t = R(self.pq[k] * t)
            for j in range(n):
                self.gopt[j] = R(self.gopt[j] + R(t * p[j]))
        if self.keep_rho == 0:
            self.rho = self.delta = self.init_step
        else:
            self.delta = self.rho
        self.keep_rho = 0
        self.ntrits = 0
        self.nfsav = self.nf
        self.diffa = self.diffb = self.diffc = 0.0
        self.itest = 0
        self.ratio = 0.0
        self.dnorm = 0.0
        self.phase = 'trust'
        return self.next(self.L60)

    def hess_mul(self, s):
        R, n = self.A.R, self.n
        hs = [0.0] * n
        for j in range(n):
            for i in range(j + 1):
                h = self.hq[packed(i, j)]
                if i < j:
                    hs[j] = R(hs[j] + R(h * s[i]))
                hs[i] = R(hs[i] + R(h * s[j]))
        for k in range(self.m):
            if self.pq[k] == 0:
                continue
            p = self.xpt[k]
            t = 0.0
            for j in range(n):
                t = R(t + R(p[j] * s[j]))
            t = R(t * self.pq[k])
            for i in range(n):
                hs[i] = R(hs[i] + R(t * p[i]))
        return hs

    def calc_vlag(self):
        R, n, m = self.A.R, self.n, self.m
        kk = m + n + 1
        inv_s = 2.0 ** -self.scale_e
        dx = dsq = xsq = 0.0
        for j in range(n):
            ds, xs = R(self.d[j] * inv_s), R(self.xopt[j] * inv_s)
            dx = R(dx + R(ds * xs))
            dsq = R(dsq + R(ds * ds))
            xsq = R(xsq + R(xs * xs))
        v = [0.0] * kk
        for k in range(m):
            p = self.xpt[k]
            suma = sumb = 0.0
            for j in range(n):
                pk = R(p[j] * inv_s)
                suma = R(suma + R(pk * R(self.d[j] * inv_s)))
                sumb = R(sumb + R(pk * R(self.xopt[j] * inv_s)))
            v[k] = R(suma * R(R(0.5 * suma) + sumb))
        for j in range(n):
            v[m + 1 + j] = R(self.d[j] * inv_s)
        vhv = 0.0
        vlag = [0.0] * kk
        for i in range(kk):
            s = 0.0
            for j in range(kk):
                s = R(s + R(self.H[i][j] * v[j]))
            vlag[i] = s
            vhv = R(vhv + R(v[i] * s))
        self.beta = R(R(R(dx * dx) + R(dsq * R(R(R(xsq + dx) + dx) + R(0.5 * dsq)))) - vhv)
        vlag[self.kopt] = R(vlag[self.kopt] + 1.0)
        self.vlag = vlag

    def choose_knew(self, centre, skip_kopt):
        R, n = self.A.R, self.n
        delsq = R(self.delta * self.delta)
        scaden = biglsq = 0.0
        best = -1
        for k in range(self.m):
            if k == self.kopt and skip_kopt:
                continue
            den = R(R(self.beta * self.H[k][k]) + R(self.vlag[k] * self.vlag[k]))
            distsq = 0.0
            for j in range(n):
                t = R(self.xpt[k][j] - centre[j])
                distsq = R(distsq + R(t * t))
            q = R(distsq / delsq)
            temp = rmax(1.0, R(q * q))
            if R(temp * den) > scaden:
                scaden = R(temp * den)
                best = k
                self.denom = den
            biglsq = rmax(biglsq, R(temp * R(self.vlag[k] * self.vlag[k])))
        if best < 0 or scaden <= R(0.5 * biglsq):
            return False
        self.knew = best
        return True

    def shift_base(self):
        R, n, m = self.A.R, self.n, self.m
        sumpq = 0.0
        for k in range(m):
            sumpq = R(sumpq + self.pq[k])
        wv = []
        for j in range(n):
            s = R(R(-0.5 * sumpq) * self.xopt[j])
            for k in range(m):
                s = R(s + R(self.pq[k] * self.xpt[k][j]))
            wv.append(s)
        for j in range(n):
            for i in range(j + 1):
                self.hq[packed(i, j)] = R(self.hq[packed(i, j)] + R(R(wv[i] * self.xopt[j]) + R(self.xopt[i] * wv[j])))
        for k in range(m):
            self.xpt[k] = [R(self.xpt[k][j] - self.xopt[j]) for j in range(n)]
        for j in range(n):
            self.xbase[j] = R(self.xbase[j] + self.xopt[j])
            self.xnew[j] = R(self.xnew[j] - self.xopt[j])
            self.sl[j] = R(self.sl[j] - self.xopt[j])
            self.su[j] = R(self.su[j] - self.xopt[j])
            self.xopt[j] = 0.0
        self.xoptsq = 0.0

    def trsbox(self):
        A = self.A
        R, n = A.R, self.n
        xopt, sl, su, gopt = self.xopt, self.sl, self.su, self.gopt
        hess_mul = self.hess_mul
        delta = self.delta
        half = 0.5
        iterc = nact = itermax = 0
        iact = -1
        xbdi = [0.0] * n
        d = [0.0] * n
        gnew = list(gopt)
        for i in range(n):
            if xopt[i] <= sl[i]:
                if gopt[i] >= 0:
                    xbdi[i] = -1.0
            elif xopt[i] >= su[i]:
                if gopt[i] <= 0:
                    xbdi[i] = 1.0
            if xbdi[i] != 0:
                nact += 1
        delsq = R(delta * delta)
        qred, crvmin = 0.0, -1.0
        beta = gredsq = ggsav = stepsq = dredsq = dredg = sredg = angbd = xsav = 0.0
        s = [0.0] * n
        hs = [0.0] * n
        hred = [0.0] * n
        st = 'cg'
        restart_cg = True
        while st != 'finish':
            if iterc > 20 * n + 20:
                break
            if st == 'cg':
                if restart_cg:
                    beta = 0.0
                restart_cg = False
                stepsq = 0.0
                for i in range(n):
                    if xbdi[i] != 0:
                        s[i] = 0.0
                    elif beta == 0:
                        s[i] = -gnew[i]
                    else:
                        s[i] = R(R(beta * s[i]) - gnew[i])
                    stepsq = R(stepsq + R(s[i] * s[i]))
                if stepsq == 0:
                    st = 'finish'
                    continue
                if beta == 0:
                    gredsq = stepsq
                    itermax = iterc + n - nact
                if R(gredsq * delsq) <= R(R(R(1e-4) * qred) * qred):
                    st = 'finish'
                    continue
                hs = hess_mul(s)
                resid, ds, shs = delsq, 0.0, 0.0
                for i in range(n):
                    if xbdi[i] != 0:
                        continue
                    resid = R(resid - R(d[i] * d[i]))
                    ds = R(ds + R(s[i] * d[i]))
                    shs = R(shs + R(s[i] * hs[i]))
                if resid <= 0:
                    crvmin = 0.0
                    st = 'altstart'
                    continue
                temp = A.sqrt(R(R(stepsq * resid) + R(ds * ds)))
                blen = R(R(temp - ds) / stepsq) if ds < 0 else R(resid / R(temp + ds))
                stplen = blen
                if shs > 0:
                    stplen = rmin(blen, R(gredsq / shs))
                iact = -1
                for i in range(n):
                    if s[i] == 0:
                        continue
                    xsum = R(xopt[i] + d[i])
                    t = R(R(su[i] - xsum) / s[i]) if s[i] > 0 else R(R(sl[i] - xsum) / s[i])
                    if t < stplen:
                        stplen, iact = t, i
                sdec = 0.0
                if stplen > 0:
                    iterc += 1
                    t = R(shs / stepsq)
                    if iact < 0 and t > 0:
                        crvmin = rmin(crvmin, t)
                        if crvmin == -1:
                            crvmin = t
                    ggsav = gredsq
                    gredsq = 0.0
                    for i in range(n):
                        gnew[i] = R(gnew[i] + R(stplen * hs[i]))
                        if xbdi[i] == 0:
                            gredsq = R(gredsq + R(gnew[i] * gnew[i]))
                        d[i] = R(d[i] + R(stplen * s[i]))
                    sdec = rmax(R(stplen * R(ggsav - R(R(half * stplen) * shs))), 0.0)
                    qred = R(qred + sdec)
                if iact >= 0:
                    nact += 1
                    xbdi[iact] = -1.0 if s[iact] < 0 else 1.0
                    delsq = R(delsq - R(d[iact] * d[iact]))
                    if delsq <= 0:
                        crvmin = 0.0
                        st = 'altstart'
                        continue
                    restart_cg = True
                    continue
                if stplen < blen:
                    if iterc == itermax or sdec <= R(R(0.01) * qred):
                        st = 'finish'
                        continue
                    beta = R(gredsq / ggsav)
                    continue
                crvmin = 0.0
                st = 'altstart'
                continue
            if st == 'altstart':
                if nact >= n - 1:
                    st = 'finish'
                    continue
                dredsq = dredg = gredsq = 0.0
                for i in range(n):
                    if xbdi[i] == 0:
                        dredsq = R(dredsq + R(d[i] * d[i]))
                        dredg = R(dredg + R(d[i] * gnew[i]))
                        gredsq = R(gredsq + R(gnew[i] * gnew[i]))
                        s[i] = d[i]
                    else:
                        s[i] = 0.0
                hred = hess_mul(s)
                st = 'alt'
                continue
            if st == 'alt':
                iterc += 1
                temp = R(R(gredsq * dredsq) - R(dredg * dredg))
                if temp <= R(R(R(1e-4) * qred) * qred):
                    st = 'finish'
                    continue
                temp = A.sqrt(temp)
                for i in range(n):
                    s[i] = R(R(R(dredg * d[i]) - R(dredsq * gnew[i])) / temp) if xbdi[i] == 0 else 0.0
                sredg = -temp
                angbd = 1.0
                iact = -1
                refix = False
                for i in range(n):
                    if xbdi[i] != 0:
                        continue
                    tempa = R(R(xopt[i] + d[i]) - sl[i])
                    tempb = R(R(su[i] - xopt[i]) - d[i])
                    if tempa <= 0:
                        nact += 1
                        xbdi[i] = -1.0
                        refix = True
                        break
                    if tempb <= 0:
                        nact += 1
                        xbdi[i] = 1.0
                        refix = True
                        break
                    ssq = R(R(d[i] * d[i]) + R(s[i] * s[i]))
                    dl = R(xopt[i] - sl[i])
                    t = R(ssq - R(dl * dl))
                    if t > 0:
                        t = R(A.sqrt(t) - s[i])
                        if R(angbd * t) > tempa:
                            angbd = R(tempa / t)
                            iact, xsav = i, -1.0
                    du = R(su[i] - xopt[i])
                    t = R(ssq - R(du * du))
                    if t > 0:
                        t = R(A.sqrt(t) + s[i])
                        if R(angbd * t) > tempb:
                            angbd = R(tempb / t)
                            iact, xsav = i, 1.0
                if refix:
                    st = 'altstart'
                    continue
                hs = hess_mul(s)
                st = 'altstep'
                continue
            shs = dhs = dhd = 0.0
            for i in range(n):
                if xbdi[i] != 0:
                    continue
                shs = R(shs + R(s[i] * hs[i]))
                dhs = R(dhs + R(d[i] * hs[i]))
                dhd = R(dhd + R(d[i] * hred[i]))
            redmax = redsav = rdprev = rdnext = 0.0
            isav = 0
            iu = int(R(R(angbd * 17.0) + R(3.1)))
            for i in range(1, iu + 1):
                angt = R(R(angbd * float(i)) / float(iu))
                sth = R(R(angt + angt) / R(1.0 + R(angt * angt)))
                temp = R(shs + R(angt * R(R(R(angt * dhd) - dhs) - dhs)))
                rednew = R(sth * R(R(R(angt * dredg) - sredg) - R(R(half * sth) * temp)))
                if rednew > redmax:
                    redmax, isav, rdprev = rednew, i, redsav
                elif i == isav + 1:
                    rdnext = rednew
                redsav = rednew
            if isav == 0:
                st = 'finish'
                continue
            angt = angbd
            if isav < iu:
                temp = R(R(rdnext - rdprev) / R(R(R(redmax + redmax) - rdprev) - rdnext))
                angt = R(R(angbd * R(float(isav) + R(half * temp))) / float(iu))
            cth = R(R(1.0 - R(angt * angt)) / R(1.0 + R(angt * angt)))
            sth = R(R(angt + angt) / R(1.0 + R(angt * angt)))
            temp = R(shs + R(angt * R(R(R(angt * dhd) - dhs) - dhs)))
            sdec = R(sth * R(R(R(angt * dredg) - sredg) - R(R(half * sth) * temp)))
            if sdec <= 0:
                st = 'finish'
                continue
            dredg = gredsq = 0.0
            for i in range(n):
                gnew[i] = R(R(gnew[i] + R(R(cth - 1.0) * hred[i])) + R(sth * hs[i]))
                if xbdi[i] == 0:
                    d[i] = R(R(cth * d[i]) + R(sth * s[i]))
                    dredg = R(dredg + R(d[i] * gnew[i]))
                    gredsq = R(gredsq + R(gnew[i] * gnew[i]))
                hred[i] = R(R(cth * hred[i]) + R(sth * hs[i]))
            qred = R(qred + sdec)
            if iact >= 0 and isav == iu:
                nact += 1
                xbdi[iact] = xsav
                st = 'altstart'
                continue
            st = 'alt' if sdec > R(R(0.01) * qred) else 'finish'
        dsq = 0.0
        xnew = [0.0] * n
        for i in range(n):
            x = rmax(rmin(R(xopt[i] + d[i]), su[i]), sl[i])
            if xbdi[i] == -1:
                x = sl[i]
            if xbdi[i] == 1:
                x = su[i]
            xnew[i] = x
            d[i] = R(x - xopt[i])
            dsq = R(dsq + R(d[i] * d[i]))
        self.dsq = dsq
        self.xnew = xnew
        self.d = d
        self.crvmin = crvmin
        self.gnew = gnew

    def altmov(self):
        R, n, m = self.A.R, self.n, self.m
        half, one = 0.5, 1.0
        e = self.scale_e
        sc, unsc = 2.0 ** -e, 2.0 ** e
        konst = R(one + R(1.41421356237309504880))
        adelt = R(self.adelt * sc)
        H, knew, sl, su = self.H, self.knew, self.sl, self.su
        xo = [R(self.xopt[i] * sc) for i in range(n)]
        hcol = [H[k][knew] for k in range(m)]
        self.alpha = hcol[knew]
        ha = R(half * self.alpha)
        glag = [H[m + 1 + i][knew] for i in range(n)]
        for k in range(m):
            p = self.xpt[k]
            t = 0.0
            for j in range(n):
                t = R(t + R(R(p[j] * sc) * xo[j]))
            t = R(hcol[k] * t)
            for i in range(n):
                glag[i] = R(glag[i] + R(t * R(p[i] * sc)))
        presav = stpsav = 0.0
        ksav, ibdsav = -1, 0
        for k in range(m):
            if k == self.kopt:
                continue
            p = self.xpt[k]
            dderiv = distsq = 0.0
            for i in range(n):
                t = R(R(p[i] * sc) - xo[i])
                dderiv = R(dderiv + R(glag[i] * t))
                distsq = R(distsq + R(t * t))
            subd = R(adelt / self.A.sqrt(distsq))
            slbd = -subd
            ilbd = iubd = 0
            sumin = rmin(one, subd)
            for i in range(n):
                t = R(R(p[i] * sc) - xo[i])
                sli, sui = R(R(sl[i] * sc) - xo[i]), R(R(su[i] * sc) - xo[i])
                if t > 0:
                    if R(slbd * t) < sli:
                        slbd = R(sli / t)
                        ilbd = -(i + 1)
                    if R(subd * t) > sui:
                        subd = rmax(sumin, R(sui / t))
                        iubd = i + 1
                elif t < 0:
                    if R(slbd * t) > sui:
                        slbd = R(sui / t)
                        ilbd = i + 1
                    if R(subd * t) < sli:
                        subd = rmax(sumin, R(sli / t))
                        iubd = -(i + 1)
            if k == knew:
                diff = R(dderiv - one)
                step = slbd
                vlag = R(slbd * R(dderiv - R(slbd * diff)))
                isbd = ilbd
                t = R(subd * R(dderiv - R(subd * diff)))
                if abs(t) > abs(vlag):
                    step, vlag, isbd = subd, t, iubd
                tempd = R(half * dderiv)
                tempa = R(tempd - R(diff * slbd))
                tempb = R(tempd - R(diff * subd))
                if R(tempa * tempb) < 0:
                    t2 = R(R(tempd * tempd) / diff)
                    if abs(t2) > abs(vlag):
                        step, vlag, isbd = R(tempd / diff), t2, 0
            else:
                step = slbd
                vlag = R(slbd * R(one - slbd))
                isbd = ilbd
                t = R(subd * R(one - subd))
                if abs(t) > abs(vlag):
                    step, vlag, isbd = subd, t, iubd
                if subd > half and abs(vlag) < 0.25:
                    step, vlag, isbd = half, 0.25, 0
                vlag = R(vlag * dderiv)
            t = R(R(step * R(one - step)) * distsq)
            predsq = R(R(vlag * vlag) * R(R(vlag * vlag) + R(R(ha * t) * t)))
            if predsq > presav:
                presav, ksav, stpsav, ibdsav = predsq, k, step, isbd
        xnew = [0.0] * n
        for i in range(n):
            x = xo[i]
            if ksav >= 0:
                x = R(xo[i] + R(stpsav * R(R(self.xpt[ksav][i] * sc) - xo[i])))
            xnew[i] = R(rmax(R(sl[i] * sc), rmin(R(su[i] * sc), x)) * unsc)
        if ibdsav < 0:
            xnew[-ibdsav - 1] = sl[-ibdsav - 1]
        if ibdsav > 0:
            xnew[ibdsav - 1] = su[ibdsav - 1]
        self.xnew = xnew
        bigstp = R(adelt + adelt)
        xalt = list(getattr(self, 'xalt', [0.0] * n))
        xalt0 = [0.0] * n
        csave = 0.0
        self.cauchy = 0.0
        for iflag in range(2):
            wfixsq = ggfree = 0.0
            wc = [0.0] * n
            for i in range(n):
                tempa = rmin(R(xo[i] - R(sl[i] * sc)), glag[i])
                tempb = rmax(R(xo[i] - R(su[i] * sc)), glag[i])
                if tempa > 0 or tempb < 0:
                    wc[i] = bigstp
                    ggfree = R(ggfree + R(glag[i] * glag[i]))
            if ggfree == 0:
                self.cauchy = 0.0
                self.xalt = xalt
                return
            step = 0.0
            for _fix in range(n + 1):
                temp = R(R(adelt * adelt) - wfixsq)
                if not temp > 0:
                    break
                wsqsav = wfixsq
                step = self.A.sqrt(R(temp / ggfree))
                ggfree = 0.0
                for i in range(n):
                    if wc[i] != bigstp:
                        continue
                    t = R(xo[i] - R(step * glag[i]))
                    if t <= R(sl[i] * sc):
                        wc[i] = R(R(sl[i] * sc) - xo[i])
                        wfixsq = R(wfixsq + R(wc[i] * wc[i]))
                    elif t >= R(su[i] * sc):
                        wc[i] = R(R(su[i] * sc) - xo[i])
                        wfixsq = R(wfixsq + R(wc[i] * wc[i]))
                    else:
                        ggfree = R(ggfree + R(glag[i] * glag[i]))
                if not (wfixsq > wsqsav and ggfree > 0):
                    break
            gw = 0.0
            for i in range(n):
                if wc[i] == bigstp:
                    wc[i] = R(-step * glag[i])
                    x = rmax(R(sl[i] * sc), rmin(R(su[i] * sc), R(xo[i] + wc[i])))
                elif wc[i] == 0:
                    x = xo[i]
                elif glag[i] > 0:
                    x = R(sl[i] * sc)
                else:
                    x = R(su[i] * sc)
                xalt[i] = x
                gw = R(gw + R(glag[i] * wc[i]))
            curv = 0.0
            for k in range(m):
                p = self.xpt[k]
                t = 0.0
                for j in range(n):
                    t = R(t + R(R(p[j] * sc) * wc[j]))
                curv = R(curv + R(R(hcol[k] * t) * t))
            if iflag == 1:
                curv = -curv
            if curv > -gw and curv < R(-konst * gw):
                scale = R(-gw / curv)
                for i in range(n):
                    xalt[i] = rmax(R(sl[i] * sc), rmin(R(su[i] * sc), R(xo[i] + R(scale * wc[i]))))
                t = R(R(half * gw) * scale)
                self.cauchy = R(t * t)
            else:
                t = R(gw + R(half * curv))
                self.cauchy = R(t * t)
            if iflag == 0:
                for i in range(n):
                    glag[i] = -glag[i]
                    xalt0[i] = xalt[i]
                csave = self.cauchy
        if csave > self.cauchy:
            xalt = list(xalt0)
            self.cauchy = csave
        self.xalt = [R(v * unsc) for v in xalt]

    def set_candidate(self):
        R = self.A.R
        u = []
        for j in range(self.n):
            v = R(self.xbase[j] + self.xnew[j])
            if self.xnew[j] == self.sl[j] or v < self.ulo[j]:
                v = self.ulo[j]
            if self.xnew[j] == self.su[j] or v > self.uhi[j]:
                v = self.uhi[j]
            u.append(v)
        self.cand = u

    def after_eval(self, f):
        R, n, m = self.A.R, self.n, self.m
        half, tenth = 0.5, R(0.1)
        fopt = self.fval[self.kopt]
        d = self.d
        vquad = 0.0
        for j in range(n):
            vquad = R(vquad + R(d[j] * self.gopt[j]))
            for i in range(j + 1):
                t = R(d[i] * d[j])
                if i == j:
                    t = R(half * t)
                vquad = R(vquad + R(self.hq[packed(i, j)] * t))
        for k in range(m):
            t = 0.0
            for j in range(n):
                t = R(t + R(self.xpt[k][j] * d[j]))
            vquad = R(vquad + R(R(half * self.pq[k]) * R(t * t)))
        diff = R(R(f - fopt) - vquad)
        self.diffc, self.diffb, self.diffa = self.diffb, self.diffa, abs(diff)
        if self.dnorm > self.rho:
            self.nfsav = self.nf
        if self.ntrits > 0:
            self.ratio = R(R(f - fopt) / vquad) if vquad < 0 else -1.0
            if self.ratio <= tenth:
                self.delta = rmin(R(half * self.delta), self.dnorm)
            elif self.ratio <= R(0.7):
                self.delta = rmax(R(half * self.delta), self.dnorm)
            else:
                self.delta = rmax(R(half * self.delta), R(self.dnorm + self.dnorm))
            if self.delta <= R(R(1.5) * self.rho):
                self.delta = self.rho
            if f < fopt:
                ksav, densav = self.knew, self.denom
                if not self.choose_knew(self.xnew, False):
                    self.knew, self.denom = ksav, densav
        p = self.xpt[self.knew]
        pqold = self.pq[self.knew]
        self.pq[self.knew] = 0.0
        for i in range(n):
            t = R(pqold * p[i])
            for j in range(i + 1):
                self.hq[packed(j, i)] = R(self.hq[packed(j, i)] + R(t * p[j]))
        self.xpt[self.knew] = list(self.xnew)
        self.fval[self.knew] = f
        better = f < fopt
        if not self.invert():
            if better:
                self.kopt = self.knew
                self.xopt = list(self.xnew)
            self.rebuild()
            return None  # kReady
        e = self.scale_e
        inv_s2, inv_s = 2.0 ** (-2 * e), 2.0 ** -e
        H = self.H
        hcol = [R(R(R(diff * H[k][self.knew]) * inv_s2) * inv_s2) for k in range(m)]
        glag = [R(R(diff * H[m + 1 + i][self.knew]) * inv_s) for i in range(n)]
        for k in range(m):
            p = self.xpt[k]
            t = 0.0
            for j in range(n):
                t = R(t + R(p[j] * self.xopt[j]))
            t = R(hcol[k] * t)
            for i in range(n):
                glag[i] = R(glag[i] + R(t * p[i]))
        for k in range(m):
            self.pq[k] = R(self.pq[k] + hcol[k])
        for i in range(n):
            self.gopt[i] = R(self.gopt[i] + glag[i])
        if better:
            self.kopt = self.knew
            self.xoptsq = 0.0
            self.xopt = list(self.xnew)
            for j in range(n):
                self.xoptsq = R(self.xoptsq + R(self.xopt[j] * self.xopt[j]))
            hs = self.hess_mul(d)
            for i in range(n):
                self.gopt[i] = R(self.gopt[i] + hs[i])
        if self.ntrits > 0:
            fo = self.fval[self.kopt]
            for k in range(m):
                s = 0.0
                for i in range(m):
                    s = R(s + R(H[k][i] * R(self.fval[i] - fo)))
                hcol[k] = R(R(s * inv_s2) * inv_s2)
            gqsq = gisq = 0.0
            for i in range(n):
                s = 0.0
                for k in range(m):
                    s = R(s + R(H[m + 1 + i][k] * R(self.fval[k] - fo)))
                s = R(s * inv_s)
                for k in range(m):
                    p = self.xpt[k]
                    t = 0.0
                    for j in range(n):
                        t = R(t + R(p[j] * self.xopt[j]))
                    s = R(s + R(R(hcol[k] * t) * p[i]))
                if self.xopt[i] == self.sl[i]:
                    g, s2 = rmin(0.0, self.gopt[i]), rmin(0.0, s)
                    gqsq = R(gqsq + R(g * g))
                    gisq = R(gisq + R(s2 * s2))
                elif self.xopt[i] == self.su[i]:
                    g, s2 = rmax(0.0, self.gopt[i]), rmax(0.0, s)
                    gqsq = R(gqsq + R(g * g))
                    gisq = R(gisq + R(s2 * s2))
                else:
                    gqsq = R(gqsq + R(self.gopt[i] * self.gopt[i]))
                    gisq = R(gisq + R(s * s))
                glag[i] = s
            self.itest += 1
            if gqsq < R(10.0 * gisq):
                self.itest = 0
            if self.itest >= 3:
                self.gopt = list(glag)
                self.pq = list(hcol)
                self.hq = [0.0] * (n * (n + 1) // 2)
                self.itest = 0
        if self.ntrits == 0:
            return self.L60
        if f <= R(fopt + R(tenth * vquad)):
            return self.L60
        d2 = R(R(self.delta + self.delta) * R(self.delta + self.delta))
        r10 = R(10.0 * self.rho)
        self.distsq = rmax(d2, R(r10 * r10))
        return self.L650

    def next(self, label):
        R, n = self.A.R, self.n
        half, tenth = 0.5, R(0.1)
        for _ in range(1000):
            if label is None:  # kReady: a rebuild has set the next point
                return False
            if label == self.L60:
                self.trsbox()
                self.dnorm = rmin(self.delta, self.A.sqrt(self.dsq))
                if self.dnorm < R(half * self.rho):
                    self.ntrits = -1
                    r10 = R(10.0 * self.rho)
                    self.distsq = R(r10 * r10)
                    if self.nf <= self.nfsav + 2:
                        label = self.L650
                        continue
                    errbig = rmax(rmax(self.diffa, self.diffb), self.diffc)
                    frhosq = R(R(R(0.125) * self.rho) * self.rho)
                    if self.crvmin > 0 and errbig > R(frhosq * self.crvmin):
                        label = self.L650
                        continue
                    bdtol = R(errbig / self.rho)
                    label = self.L680
                    for j in range(n):
                        bdtest = bdtol
                        if self.xnew[j] == self.sl[j]:
                            bdtest = self.gnew[j]
                        if self.xnew[j] == self.su[j]:
                            bdtest = -self.gnew[j]
                        if bdtest < bdtol:
                            curv = self.hq[packed(j, j)]
                            for k in range(self.m):
                                x = self.xpt[k][j]
                                curv = R(curv + R(self.pq[k] * R(x * x)))
                            bdtest = R(bdtest + R(R(half * curv) * self.rho))
                            if bdtest < bdtol:
                                label = self.L650
                                break
                    continue
                self.ntrits += 1
                label = self.L90
                continue
            if label == self.L90:
                if self.dsq <= R(R(1e-3) * self.xoptsq):
                    self.shift_base()
                    if not self.invert():
                        self.rebuild()
                        return False
                if self.ntrits == 0:
                    self.altmov()
                    self.d = [R(self.xnew[j] - self.xopt[j]) for j in range(n)]
                    self.calc_vlag()
                    vk = self.vlag[self.knew]
                    self.denom = R(R(vk * vk) + R(self.alpha * self.beta))
                    if self.denom < self.cauchy and self.cauchy > 0:
                        self.xnew = list(self.xalt)
                        self.d = [R(self.xnew[j] - self.xopt[j]) for j in range(n)]
                        self.cauchy = 0.0
                        self.calc_vlag()
                        vk = self.vlag[self.knew]
                        self.denom = R(R(vk * vk) + R(self.alpha * self.beta))
                    if not self.denom > R(half * R(vk * vk)):
                        self.rebuild()
                        return False
                else:
                    self.calc_vlag()
                    if not self.choose_knew(self.xopt, True):
                        self.rebuild()
                        return False
                dsq = 0.0
                for j in range(n):
                    dsq = R(dsq + R(self.d[j] * self.d[j]))
                self.dsq = dsq
                self.set_candidate()
                return False
            if label == self.L650:
                far = -1
                dmax = self.distsq
                for k in range(self.m):
                    s = 0.0
                    for j in range(n):
                        t = R(self.xpt[k][j] - self.xopt[j])
                        s = R(s + R(t * t))
                    if s > dmax:
                        far, dmax = k, s
                if far >= 0:
                    self.knew = far
                    dist = self.A.sqrt(dmax)
                    if self.ntrits == -1:
                        self.delta = rmin(R(tenth * self.delta), R(half * dist))
                        if self.delta <= R(R(1.5) * self.rho):
                            self.delta = self.rho
                    self.ntrits = 0
                    self.adelt = rmax(rmin(R(tenth * dist), self.delta), self.rho)
                    self.dsq = R(self.adelt * self.adelt)
                    label = self.L90
                    continue
                if self.ntrits == -1:
                    label = self.L680
                    continue
                if self.ratio > 0 or rmax(self.delta, self.dnorm) > self.rho:
                    label = self.L60
                    continue
                label = self.L680
                continue
            # L680
            if self.rho > self.rho_end:
                self.delta = R(half * self.rho)
                r = R(self.rho / self.rho_end)
                if r <= 16:
                    self.rho = self.rho_end
                elif r <= 250:
                    self.rho = R(self.A.sqrt(r) * self.rho_end)
                else:
                    self.rho = R(tenth * self.rho)
                self.delta = rmax(self.delta, self.rho)
                self.ntrits = 0
                self.nfsav = self.nf
                label = self.L60
                continue
            return True
        return True


def bobyqa_prefix(A, dims, seed, rho_begin, kind, cap):
    """(hash, asks): the trajectory hash of Bobyqa's first `cap` asks and
    their golden costs (fewer if the run stops)."""
    lo, hi = golden_box(dims)
    opt = BobyqaRef(A, lo, hi, seed, rho_begin)
    h = FNV_OFFSET
    k = 0
    while k < cap:
        x = opt.ask()
        if x is None:
            break
        for xd in x:
            h = fnv(h, A, xd)
        c = golden_cost(A, x, k, kind)
        h = fnv(h, A, c)
        k += 1
        opt.tell(c)
    return h, k


BOBYQA_CASES = [  # name, single, dims, seed, rho_begin
    ('by_f_d2', True, 2, 3, 0.2),
    ('by_f_d5', True, 5, 17, 0.25),
    ('by_f_d7_small', True, 7, 5, 0.01),
    ('by_d_d4', False, 4, 3, 0.2),
    ('by_f_d3', True, 3, 99, 0.05),
    ('by_f_d8', True, 8, 21, 0.125),
    ('by_d_d6', False, 6, 8, 0.25),
]


# ---- the golden runs --------------------------------------------------------------
# name, kind ('bayesopt'/'tuner'), single, dims, cap, seed, settings, cost kind.
# Small candidate counts and budgets keep the reference fast (CI seconds); the
# C++ test (tests/core/test_golden_model.cpp) runs the same cases.
CASES = [
    ('bo_f_d2', 'bayesopt', True, 2, 16, 7, dict(candidates=16, fit_evals=12, max_evals=14), 'sphere'),
    ('bo_f_d3_log', 'bayesopt', True, 3, 12, 11, dict(candidates=8, fit_evals=8, transform=LOG, max_evals=16), 'sphere'),
    ('bo_f_d2_ident', 'bayesopt', True, 2, 8, 3, dict(candidates=8, fit_evals=6, transform=IDENTITY, max_evals=12), 'sphere'),
    ('bo_f_flat', 'bayesopt', True, 2, 8, 5, dict(candidates=8, fit_evals=4, max_evals=9), 'flat'),
    ('bo_d_d2', 'bayesopt', False, 2, 16, 7, dict(candidates=16, fit_evals=12, max_evals=14), 'sphere'),
    ('tu_f_d2', 'tuner', True, 2, 16, 1, dict(candidates=16, fit_evals=10, max_evals=40), 'sphere'),
    ('tu_f_d3', 'tuner', True, 3, 12, 9, dict(candidates=8, fit_evals=6, model_evals=3, step=0.2,
                                              step_end=0.01, max_evals=45), 'sphere'),
    ('tu_d_d2', 'tuner', False, 2, 16, 1, dict(candidates=16, fit_evals=10, max_evals=40), 'sphere'),
]


def run_case(case):
    name, kind, single, dims, cap, seed, kw, cost = case
    A = Arith(single)
    lo, hi = golden_box(dims)
    kw = dict(kw)
    max_evals = kw.pop('max_evals')
    cls = BayesOpt if kind == 'bayesopt' else Tuner
    opt = cls(A, lo, hi, cap, seed, max_evals=max_evals, **kw)
    h = FNV_OFFSET
    k = 0
    first = None
    while True:
        x = opt.ask()
        if x is None:
            break
        if k == opt.design:
            first = list(x)  # the first model-phase ask
        for xd in x:
            h = fnv(h, A, xd)
        c = golden_cost(A, x, k, cost)
        h = fnv(h, A, c)
        opt.tell(c)
        k += 1
    return h, k, opt.core.best_f, first


def emit():
    out = ['// SPDX-License-Identifier: MIT',
           '// Golden trajectories of BayesOpt, Tuner and Bobyqa, generated by tools/model_ref.py',
           '// (an independent Python reference: float32 emulated op by op, det_math.hpp\'s',
           '// exp/log from tools/det_ref.py). Do not edit: regenerate with',
           '//   python3 tools/model_ref.py > tests/core/golden_model.h',
           '#pragma once',
           '#include <cstdint>',
           '',
           'namespace golden_model {',
           '',
           'struct Case {',
           '  const char* name;',
           '  bool tuner, single;',
           '  int dims, cap;',
           '  uint64_t seed;',
           '  int candidates, fit_evals, transform, model_evals;',
           '  float step, step_end;',
           '  long max_evals;',
           '  bool flat;',
           '  uint64_t hash;  // FNV-1a over every ask\'s coordinates and the cost told',
           '  long evals;',
           '  double best;  // best_value(), as Real then widened',
           '  double first_model[3];  // the first ask after the design, as Real then widened',
           '};',
           '',
           'constexpr Case kCases[] = {']
    for case in CASES:
        name, kind, single, dims, cap, seed, kw, cost = case
        h, k, best, first = run_case(case)
        fm = (first or [0.0]) + [0.0] * 3
        out.append('    {"%s", %s, %s, %d, %d, %du, %d, %d, %d, %d, %sf, %sf, %d, %s, 0x%016xull, %d, %s, {%s}},' % (
            name, 'true' if kind == 'tuner' else 'false', 'true' if single else 'false', dims, cap, seed,
            kw.get('candidates', 128), kw.get('fit_evals', 24), kw.get('transform', AUTO), kw.get('model_evals', 0),
            repr(float(kw.get('step', 0.1))), repr(float(kw.get('step_end', 1e-4))), kw['max_evals'],
            'true' if cost == 'flat' else 'false', h, k, float.hex(best), ', '.join(float.hex(v) for v in fm[:3])))
    out += ['};', '',
            '// Bobyqa: 40·dims asks each (initial points, trust-region and geometry steps,',
            '// base shifts, rebuilds, rho reductions, two restarts), from tools/model_ref.py.',
            'struct BobyqaCase {',
            '  const char* name;',
            '  bool single;',
            '  int dims;',
            '  uint64_t seed;',
            '  float rho_begin;',
            '  long asks;      // the run\'s length (max_evals)',
            '  uint64_t hash;  // over those asks and their costs',
            '};', '',
            'constexpr BobyqaCase kBobyqaCasees[] = {']
    for name, single, dims, seed, rho in BOBYQA_CASES:
        h, k = bobyqa_prefix(Arith(single), dims, seed, rho, 'sphere', 40 * dims)
        out.append('    {"%s", %s, %d, %du, %sf, %d, 0x%016xull},' % (
            name, 'true' if single else 'false', dims, seed, repr(float(rho)), k, h))
    out += ['};', '', '}  // namespace golden_model', '']
    return '\n'.join(out)


if __name__ == '__main__':
    emit_check(emit(), 'tests/core/golden_model.h')
