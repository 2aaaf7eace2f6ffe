#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent Python reference of the few-episode optimizers (BayesOpt and
Tuner in full; of Bobyqa only the first 2·D + 1 asks, its initial
interpolation points, not its trust-region steps), for the golden
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


# ---- Bobyqa: the initial interpolation points (a bounded prefix) ------------------
def bobyqa_prefix_hash(A, dims, seed, rho_begin, kind):
    """The trajectory hash of Bobyqa's first 2·dims + 1 asks (the start point
    and the steps of ±rho_begin, or both on one side near a bound, along each
    axis) with their golden costs. These points do not depend on the costs;
    the first trust-region step after them is not mirrored here."""
    R = A.R
    lo, hi = golden_box(dims)
    lo, hi = [R(v) for v in lo], [R(v) for v in hi]
    n, m = dims, 2 * dims + 1
    core = Core(A, lo, hi, seed, 0x424F4259, 1)
    ulo = [R(lo[j] / R(hi[j] - lo[j])) for j in range(n)]
    uhi = [R(hi[j] / R(hi[j] - lo[j])) for j in range(n)]
    u0 = []
    w4 = [0, 0, 0, 0]
    for j in range(n):
        if j % 2 == 0:
            w4 = core.block(1, 0, 0, j >> 1)
        v = R(ulo[j] + R(unit24(w4[(j & 1) * 2]) * R(uhi[j] - ulo[j])))
        u0.append(min(v, uhi[j]))
    rho0 = R(Arith(True).R(rho_begin))
    sl = [R(ulo[j] - u0[j]) for j in range(n)]
    su = [R(uhi[j] - u0[j]) for j in range(n)]
    h = FNV_OFFSET
    for k in range(m):
        p = [0.0] * n
        if k > 0:
            j = k - 1 if k <= n else k - n - 1
            second = k > n
            if rho0 <= su[j] and -rho0 >= sl[j]:
                st = -rho0 if second else rho0
            elif -rho0 < sl[j]:
                st = R(rho0 + rho0) if second else rho0
            else:
                st = -R(rho0 + rho0) if second else -rho0
            p[j] = st
        x = []
        for j in range(n):
            u = min(max(R(u0[j] + p[j]), ulo[j]), uhi[j])
            v = lo[j] if u <= ulo[j] else hi[j] if u >= uhi[j] else R(u * R(hi[j] - lo[j]))
            x.append(min(max(v, lo[j]), hi[j]))
        for xd in x:
            h = fnv(h, A, xd)
        h = fnv(h, A, golden_cost(A, x, k, kind))
    return h


BOBYQA_CASES = [  # name, single, dims, seed, rho_begin
    ('by_f_d2', True, 2, 3, 0.2),
    ('by_f_d5', True, 5, 17, 0.25),
    ('by_f_d7_small', True, 7, 5, 0.01),
    ('by_d_d4', False, 4, 3, 0.2),
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
           '// Golden trajectories of BayesOpt, Tuner and Bobyqa\'s first asks, generated by',
           '// tools/model_ref.py (an',
           '// independent Python reference: float32 emulated op by op, det_math.hpp\'s',
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
            '// Bobyqa: only its first 2·dims + 1 asks (the initial interpolation points,',
            '// which do not depend on the costs) are mirrored by tools/model_ref.py.',
            'struct BobyqaPrefix {',
            '  const char* name;',
            '  bool single;',
            '  int dims;',
            '  uint64_t seed;',
            '  float rho_begin;',
            '  uint64_t hash;  // over the first 2·dims + 1 asks and their costs',
            '};', '',
            'constexpr BobyqaPrefix kBobyqaPrefixes[] = {']
    for name, single, dims, seed, rho in BOBYQA_CASES:
        out.append('    {"%s", %s, %d, %du, %sf, 0x%016xull},' % (
            name, 'true' if single else 'false', dims, seed, repr(float(rho)),
            bobyqa_prefix_hash(Arith(single), dims, seed, rho, 'sphere')))
    out += ['};', '', '}  // namespace golden_model', '']
    return '\n'.join(out)


if __name__ == '__main__':
    emit_check(emit(), 'tests/core/golden_model.h')
