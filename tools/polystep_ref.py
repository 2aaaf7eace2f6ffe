#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's PolyStep (include/starling/polystep.hpp)
for the golden trajectories of tests/train/test_polystep_golden.cpp.

Standard library only. Written from the step rule documented in the header
(subspace draw, cross-polytope vertices, softmax-weighted barycentre, step
growth and shrinking, restarts), as a plain loop over steps and particles,
not as the header's ask/tell state machine: float32 is emulated by rounding
every +, -, *, / to float32; det_exp is tools/det_ref.py's; Threefry and the
FNV-1a hash come from tools/pso_ref.py. The costs are integer-valued (a
separable quadratic, a small integer xor network), so C++ and Python compute
them exactly.

    python3 tools/polystep_ref.py               # print tests/train/polystep_golden.h
    python3 tools/polystep_ref.py --check FILE  # exit 1 if FILE differs
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pso_ref import threefry4x32, f32  # noqa: E402
import det_ref  # noqa: E402  (det_exp)

M32 = 0xFFFFFFFF
INF = float('inf')
KEY_TAG = 0x504F4C59   # "POLY"
TAG_SUB, TAG_INIT, TAG_RESTART = 0x504C5931, 0x504C5932, 0x504C5933  # "PLY1", "PLY2", "PLY3"
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3
A32 = det_ref.Arith(True)


def unit(w):
    """u32_to_unit<float>: the top 24 bits times 2^-24 (exact)."""
    return (w >> 8) * 2.0 ** -24


def round_clip(v):
    """Half away from zero, clipped to [-127, 127] (v a float32)."""
    r = f32(v - 0.5) if v < 0 else f32(v + 0.5)
    if not r > -127.0:
        return -127
    if not r < 127.0:
        return 127
    return max(-127, min(127, int(r)))  # int() truncates toward zero, as the C++ cast


class Config:
    def __init__(self, **kw):
        self.subspace, self.density, self.step = 4, 0.05, 16.0
        self.step_min, self.step_max, self.grow, self.shrink = 1.0, 64.0, 1.5, 0.5
        self.temperature, self.spread, self.patience, self.max_iter = 0.25, 0.0, 0, 1000
        self.restart_spread = 0.0
        for k, v in kw.items():
            setattr(self, k, v)
        for k in ('density', 'step', 'step_min', 'step_max', 'grow', 'shrink', 'temperature', 'spread',
                  'restart_spread'):
            setattr(self, k, f32(getattr(self, k)))  # float fields


def polystep(cost, dims, particles, cfg, seed, start=None):
    """Runs to max_iter; returns (asked points in order, best, best_f, evals, restarts)."""
    key = [seed & M32, (seed >> 32) & M32, KEY_TAG, 0]
    centre = [max(-127, min(127, v)) for v in start] if start else [0] * dims
    asked = []
    st = {'best': None, 'best_f': INF, 'evals': 0, 'restarts': 0}

    def evaluate(p):
        asked.append(list(p))
        f = cost(p)
        f = INF if f != f else f
        st['evals'] += 1
        if f < st['best_f'] or st['evals'] == 1:
            st['best_f'], st['best'] = f, list(p)
        return f

    def place(i, it, tag):
        # A restart with restart_spread > 0 goes around the incumbent.
        around_best = tag == TAG_RESTART and cfg.restart_spread > 0
        spread = cfg.restart_spread if around_best else cfg.spread
        c = st['best'] if around_best else centre
        x = []
        w4 = None
        for d in range(dims):
            v = float(c[d])
            if spread > 0:
                if d % 4 == 0:
                    w4 = threefry4x32([d >> 2, i, it, tag], key)
                u = unit(w4[d % 4])
                v = f32(v + f32(f32(f32(2.0 * u) - 1.0) * spread))
            x.append(round_clip(v))
        return x

    def subspace(i, it):
        k, rho = float(cfg.subspace), cfg.density
        code, count = [0] * dims, [0] * cfg.subspace
        w4 = None
        for d in range(dims):
            if d % 4 == 0:
                w4 = threefry4x32([d >> 2, i, it, TAG_SUB], key)
            w = w4[d % 4]
            u = unit(w)
            if u < rho:
                j = min(int(f32(f32(u * k) / rho)), cfg.subspace - 1)
                code[d] = -(j + 1) if w & 1 else j + 1
                count[j] += 1
        return code, count

    def vertex(x, code, sv, v):
        j, s = v >> 1, (-sv if v & 1 else sv)
        return [round_clip(f32(x[d] + (-s if code[d] < 0 else s))) if code[d] and abs(code[d]) - 1 == j
                else x[d] for d in range(dims)]

    n = particles
    xs = [place(i, 0, TAG_INIT) for i in range(n)]
    fx = [INF] * n
    s = [cfg.step] * n
    stall = [0] * n
    fresh = [True] * n
    nv = 2 * cfg.subspace
    for it in range(cfg.max_iter):
        for i in range(n):
            if fresh[i]:
                fx[i] = evaluate(xs[i])
                fresh[i] = False
            x = xs[i]
            code, count = subspace(i, it)
            sv = float(math.floor(f32(s[i] + 0.5)))
            fv = [fx[i] if count[v >> 1] == 0 else evaluate(vertex(x, code, sv, v)) for v in range(nv)]
            fc = fx[i]
            vstar, fstar = -1, INF
            for v in range(nv):
                if fv[v] <= fc and (vstar < 0 or fv[v] < fstar):
                    vstar, fstar = v, fv[v]
            improved = vstar >= 0 and fstar < fc
            stall[i] = 0 if improved else stall[i] + 1
            if cfg.patience > 0 and stall[i] >= cfg.patience:
                st['restarts'] += 1
                xs[i] = place(i, it, TAG_RESTART)
                fx[i], s[i], stall[i], fresh[i] = INF, cfg.step, 0, True
                continue
            if vstar < 0:
                sh = f32(s[i] * cfg.shrink)
                s[i] = cfg.step_min if sh < cfg.step_min else sh
                continue
            tau = f32(cfg.temperature * f32(fc - fstar))
            wv, wsum = [], 0.0
            for v in range(nv):
                w = 0.0
                if fv[v] <= fc:
                    a = f32(-f32(fv[v] - fstar) / tau) if tau > 0 else 0.0
                    if not tau > 0 or fv[v] == fstar:
                        w = 1.0
                    elif a == a:
                        w = det_ref.det_exp(A32, a)
                wv.append(w)
                wsum = f32(wsum + w)
            bary = list(x)
            for d in range(dims):
                c = code[d]
                if c:
                    j = abs(c) - 1
                    sig = -sv if c < 0 else sv
                    bary[d] = round_clip(f32(x[d] + f32(sig * f32(f32(wv[2 * j] - wv[2 * j + 1]) / wsum))))
            if improved:
                g = f32(s[i] * cfg.grow)
                s[i] = cfg.step_max if g > cfg.step_max else g
            if bary != x:
                fb = evaluate(bary)
                if fb <= fstar:
                    xs[i], fx[i] = bary, fb
                    continue
            xs[i], fx[i] = vertex(x, code, sv, vstar), fstar
    return asked, st['best'], st['best_f'], st['evals'], st['restarts']


# ---- the golden cases -----------------------------------------------------------
def quadratic(w):
    """Sum of (w_d - t_d)^2, t_d = (37 d mod 101) - 50: an integer below 2^24."""
    return float(sum((v - ((d * 37) % 101 - 50)) ** 2 for d, v in enumerate(w)))


XOR_X = [(-64, -64), (-64, 64), (64, -64), (64, 64)]
XOR_Y = [0, 1, 1, 0]


def xor_net(w):
    """A 2-4-2 integer network, weights w = W1 (4x2), b1 (4), W2 (2x4), b2 (2):
    h_i = max(0, W1 x + 64 b1) >> 6, o = W2 h + 64 b2. Cost: misclassified
    points times 2^21 plus the hinge sum of max(0, 1024 - margin), capped at
    2^21 - 1 (an integer below 2^24, exact in float)."""
    err, hinge = 0, 0
    for (x0, x1), y in zip(XOR_X, XOR_Y):
        h = [max(0, w[2 * i] * x0 + w[2 * i + 1] * x1 + 64 * w[8 + i]) >> 6 for i in range(4)]
        o = [sum(w[12 + 4 * k + i] * h[i] for i in range(4)) + 64 * w[20 + k] for k in range(2)]
        m = o[y] - o[1 - y]
        err += 1 if m <= 0 else 0
        hinge += max(0, 1024 - m)
    return float(err * 2 ** 21 + min(hinge, 2 ** 21 - 1))


CASES = [
    # name, cost, dims, particles, config, seed, start
    ('quadratic_40_default', quadratic, 40, 2, dict(density=0.2, max_iter=150), 3, None),
    ('xor_2_4_2_int8_setting', xor_net, 22, 2,
     dict(density=0.25, step=16.0, step_min=8.0, patience=40, spread=64.0, max_iter=200), 11,
     [(5 * d) % 21 - 10 for d in range(22)]),
    ('quadratic_restart_spread', quadratic, 24, 3,
     dict(subspace=3, density=0.5, spread=10.0, patience=3, temperature=0.5, max_iter=40), 0x123456789AB, None),
    ('xor_restart_around_best', xor_net, 22, 1,
     dict(density=0.25, step_min=8.0, patience=10, spread=64.0, restart_spread=24.0, max_iter=150), 5,
     [(5 * d) % 21 - 10 for d in range(22)]),
]


def fnv_bytes(h, vals):
    for v in vals:
        h ^= v & 0xFF
        h = (h * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def run_case(case):
    name, cost, dims, n, kw, seed, start = case
    asked, best, best_f, evals, restarts = polystep(cost, dims, n, Config(**kw), seed, start)
    h = FNV_OFFSET
    for p in asked:
        h = fnv_bytes(h, p)
    return dict(name=name, hash=h, first=asked[0][:8], second=asked[1][:8], best=best,
                best_f=best_f, evals=evals, restarts=restarts)


def emit():
    o = ['// SPDX-License-Identifier: MIT',
         '// Generated by tools/polystep_ref.py (an independent Python reference of',
         '// PolyStep, written from the rule documented in starling/polystep.hpp); do not edit.',
         '// Regenerate: python3 tools/polystep_ref.py > tests/train/polystep_golden.h',
         '#pragma once', '#include <cstdint>', '', 'namespace polystep_golden {', '']
    for k, case in enumerate(CASES):
        r = run_case(case)
        o.append('// %s: %d costs, %d restarts, best cost %d' % (r['name'], r['evals'], r['restarts'], r['best_f']))
        o.append('constexpr uint64_t kHash%d = 0x%016XULL;  // FNV-1a over every asked point\'s bytes' % (k, r['hash']))
        o.append('constexpr long kEvals%d = %d, kRestarts%d = %d;' % (k, r['evals'], k, r['restarts']))
        o.append('constexpr float kBestF%d = %.1ff;' % (k, r['best_f']))
        o.append('constexpr int8_t kFirst%d[8] = {%s};' % (k, ', '.join(str(v) for v in r['first'])))
        o.append('constexpr int8_t kSecond%d[8] = {%s};' % (k, ', '.join(str(v) for v in r['second'])))
        o.append('constexpr int8_t kBest%d[%d] = {%s};' % (k, len(r['best']), ', '.join(str(v) for v in r['best'])))
        o.append('')
    o += ['}  // namespace polystep_golden', '']
    return '\n'.join(o)


def main(argv):
    text = emit()
    if len(argv) == 3 and argv[1] == '--check':
        with open(argv[2]) as fh:
            same = fh.read() == text
        print('%s is up to date' % argv[2] if same else '%s differs from %s output' % (argv[2], argv[0]))
        return 0 if same else 1
    sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
