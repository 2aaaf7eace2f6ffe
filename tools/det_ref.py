#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Shared pieces of the Python references of De and Cmaes (tools/de_ref.py,
tools/cmaes_ref.py): IEEE single or double arithmetic op by op, the
deterministic log/exp/sin/cos and normal/Cauchy variates of
include/starling/detail/det_math.hpp written from their documented
definitions, Threefry (from tools/pso_ref.py), the optimizers' shared core
(incumbent, stop rules) and the trajectory hash. Standard library only.

Float32 is emulated by computing each +, -, *, /, sqrt in double and rounding
to float32, which is exactly IEEE single precision for these operations
(53 >= 2*24 + 2 bits); double is Python's own float.
"""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pso_ref import threefry4x32  # noqa: E402  (Random123's Threefry-4x32-13)

M32 = 0xFFFFFFFF
INF = float('inf')
NAN = float('nan')


class Arith:
    """Rounding of one precision: R(v) rounds a double to the precision."""

    def __init__(self, single):
        self.single = single
        self.size = 4 if single else 8
        self.eps = 2.0 ** -23 if single else 2.0 ** -52
        self.max = struct.unpack('<f', b'\xff\xff\x7f\x7f')[0] if single else sys.float_info.max
        self.min = 2.0 ** -126 if single else sys.float_info.min

    def R(self, v):
        if not self.single or v != v or v in (INF, -INF):
            return v
        try:
            return struct.unpack('<f', struct.pack('<f', v))[0]
        except OverflowError:
            return INF if v > 0 else -INF

    def bits(self, v):
        if v != v:  # every NaN hashes as the quiet NaN
            return 0x7FC00000 if self.single else 0x7FF8000000000000
        return struct.unpack('<I', struct.pack('<f', v))[0] if self.single else \
            struct.unpack('<Q', struct.pack('<d', v))[0]

    def from_bits(self, u):
        return struct.unpack('<f', struct.pack('<I', u))[0] if self.single else \
            struct.unpack('<d', struct.pack('<Q', u))[0]

    def sqrt(self, v):
        return self.R(math.sqrt(v))

    # det_math.hpp's constants, rounded to the precision
    def c(self, v):
        return self.R(v)


def unit24(w):
    return (w >> 8) * 2.0 ** -24


def det_pow2(A, k):
    if A.single:
        return A.from_bits((k + 127) << 23)
    return A.from_bits((k + 1023) << 52)


def det_log(A, x):
    R = A.R
    u = struct.unpack('<I', struct.pack('<f', x))[0] if A.single else struct.unpack('<Q', struct.pack('<d', x))[0]
    if A.single:
        e = ((u >> 23) & 0xFF) - 127
        m = A.from_bits((u & 0x7FFFFF) | (127 << 23))
        ln2hi, ln2lo = 0.693145751953125, R(1.42860682030941723212e-06)
    else:
        e = ((u >> 52) & 0x7FF) - 1023
        m = A.from_bits((u & 0xFFFFFFFFFFFFF) | (1023 << 52))
        ln2hi, ln2lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
    if m > R(1.41421356237309504880):
        m = R(m * 0.5)
        e += 1
    s = R(R(m - 1) / R(m + 1))
    s2 = R(s * s)
    t = R(s2 * R(2.0 / 13))
    for c in (2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5):
        t = R(s2 * R(R(c) + t))
    p = R(s2 * R(R(2.0 / 3) + t))
    ke = float(e)
    return R(R(ke * ln2hi) + R(R(s + s) + R(R(s * p) + R(ke * ln2lo))))


def det_exp(A, x):
    R = A.R
    if A.single:
        ln2hi, ln2lo = 0.693145751953125, R(1.42860682030941723212e-06)
    else:
        ln2hi, ln2lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
    if x > 80:
        x = 80.0
    if x < -80:
        x = -80.0
    t = R(x * R(1.44269504088896340736))
    k = int(R(t - 0.5)) if t < 0 else int(R(t + 0.5))
    kr = float(k)
    r = R(R(x - R(kr * ln2hi)) - R(kr * ln2lo))
    p = R(1.0 / 479001600)
    for c in (1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720,
              1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1.0, 1.0):
        p = R(R(p * r) + R(c))
    return R(p * det_pow2(A, k))


def det_sincos_turn(A, t):
    R = A.R
    t8 = R(t * 8)
    o = int(t8)
    if o > 7:
        o = 7
    f = R(t8 - o)
    r = R((R(1 - f) if o & 1 else f) * R(0.78539816339744830962))
    r2 = R(r * r)
    q = R(r2 * R(1.0 / 6227020800))
    for c in (-1.0 / 39916800, 1.0 / 362880, -1.0 / 5040, 1.0 / 120):
        q = R(r2 * R(R(c) + q))
    sr = R(r + R(R(r * r2) * R(R(-1.0 / 6) + q)))
    q = R(r2 * R(-1.0 / 87178291200.0))
    for c in (1.0 / 479001600, -1.0 / 3628800, 1.0 / 40320, -1.0 / 720, 1.0 / 24):
        q = R(r2 * R(R(c) + q))
    cr = R(1 + R(r2 * R(-0.5 + q)))
    quad = ((o + 1) >> 1) & 3
    sa = -sr if o & 1 else sr
    return [(sa, cr), (cr, -sa), (-sa, -cr), (-cr, sa)][quad]


def det_normal2(A, w1, w2):
    u1 = ((w1 >> 8) + 1) * 2.0 ** -24
    t = (w2 >> 8) * 2.0 ** -24
    rho = A.sqrt(A.R(-2.0 * det_log(A, u1)))
    s, c = det_sincos_turn(A, t)
    return A.R(rho * c), A.R(rho * s)


def det_cauchy(A, w):
    k = w >> 8
    if k == 0:
        return None
    s, c = det_sincos_turn(A, k * 2.0 ** -25)
    return A.R(-c / s)


def det_normal_ih4(A, w1, w2):
    """Irwin-Hall: the four 16-bit halves of w1, w2 less 131070, times sqrt(3)/65535."""
    k = (w1 >> 16) + (w1 & 0xFFFF) + (w2 >> 16) + (w2 & 0xFFFF) - 131070
    return A.R(float(k) * A.R(2.6429401198884218e-05))


def det_cauchy_disk(A, w1, w2):
    """v1/v2 for (v1, v2) uniform in the unit disk (None outside: draw again)."""
    R = A.R
    v1 = R((w1 >> 8) * 2.0 ** -23 - 0.999999940395355224609375)  # exact
    v2 = R((w2 >> 8) * 2.0 ** -23 - 0.999999940395355224609375)
    if not R(R(v1 * v1) + R(v2 * v2)) < 1:
        return None
    return R(v1 / v2)


def det_below(w, n):
    return (w * n) >> 32


class Core:
    """OptCore's part of a run: key, incumbent, counters, stop rules."""

    def __init__(self, A, lo, hi, seed, stream, max_iter, max_evals=0, target=-INF, stall_iter=0):
        self.A = A
        self.key = [seed & M32, (seed >> 32) & M32, stream, 0]
        self.lo = list(lo)
        self.hi = list(hi)
        self.best = list(lo)
        self.best_f = INF
        self.gen_start_best = INF
        self.evals = 0
        self.it = 0
        self.stall = 0
        self.target = Arith(True).R(target)  # a float field of every config
        self.max_iter, self.max_evals, self.stall_iter = max_iter, max_evals, stall_iter
        self.running = True
        self.reason = None

    def block(self, tag, c2, c1, c0):
        return threefry4x32([c0 & M32, c1 & M32, c2 & M32, tag], self.key)

    def record(self, x, f):
        """Returns True while the run goes on."""
        if f < self.best_f or self.evals == 0:
            self.best_f = f
            self.best = list(x)
        self.evals += 1
        if self.best_f <= self.target:
            self.running, self.reason = False, 'target'
            return False
        if self.max_evals > 0 and self.evals >= self.max_evals:
            self.running, self.reason = False, 'max_evals'
            return False
        return True

    def end_generation(self):
        self.it += 1
        self.stall = 0 if self.best_f < self.gen_start_best else self.stall + 1
        self.gen_start_best = self.best_f
        if self.it >= self.max_iter:
            self.running, self.reason = False, 'max_iter'
            return False
        if self.stall_iter > 0 and self.stall >= self.stall_iter:
            self.running, self.reason = False, 'stall'
            return False
        return True


def sanitize(f):
    return f if (f == f and f not in (INF, -INF)) else INF


# ---- the golden runs ----------------------------------------------------------
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3


def fnv(h, A, v):
    b = A.bits(v)
    for k in range(A.size):
        h ^= (b >> (8 * k)) & 0xFF
        h = (h * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def golden_cost(A, x, n_eval, kind):
    """The golden runs' cost in the optimizer's precision (mirrored in
    tests/core/test_golden_opt.cpp): 'sphere' is a weighted shifted sphere,
    NaN on every 7th evaluation and +inf on every 11th; 'flat' is 1 (every
    run converges at once: restarts)."""
    if kind == 'flat':
        return 1.0
    if n_eval % 7 == 6:
        return NAN
    if n_eval % 11 == 10:
        return INF
    R = A.R
    s = 0.0
    for d, xd in enumerate(x):
        e = R(xd - R(R(0.25) * (d % 3)))
        s = R(s + R(R(e * e) * (d + 1)))
    return s


def golden_box(dims):
    return [-2.0 - d for d in range(dims)], [1.0 + 0.5 * d for d in range(dims)]


def run_golden(opt, A, kind):
    h = FNV_OFFSET
    k = 0
    while True:
        x = opt.ask()
        if x is None:
            break
        for xd in x:
            h = fnv(h, A, xd)
        c = golden_cost(A, x, k, kind)
        h = fnv(h, A, c)
        opt.tell(c)
        k += 1
    return h


def emit_check(text, header_name):
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as fh:
            same = fh.read() == text
        print('%s is up to date' % header_name if same else
              '%s differs from the generator\'s output' % header_name)
        sys.exit(0 if same else 1)
    sys.stdout.write(text)
