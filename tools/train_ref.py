#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's MLP trainer and its deterministic math.

Standard library only. Written from the definitions in
include/starling/train.hpp and include/starling/detail/det_math.hpp, not
translated line by line: float32 is emulated by computing each +, -, *, /
and sqrt in double and rounding to float32 (exact IEEE single precision for
these operations, 53 >= 2*24 + 2 bits); the double instantiation is plain
Python floats. Threefry and FNV come from tools/pso_ref.py.

    python3 tools/train_ref.py               # print tests/train/train_golden.h
    python3 tools/train_ref.py --check FILE  # exit 1 if FILE differs
    python3 tools/train_ref.py --accuracy    # det_exp/log/tanh against math.*
"""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pso_ref import threefry4x32, f32, f32bits, fnv_u32, FNV_OFFSET, swarm_key, block, Swarm, Config  # noqa: E402

import det_math_ref  # noqa: E402  (det_tanh, det_sigmoid)
import det_ref  # noqa: E402  (det_exp, det_log)

M32 = 0xFFFFFFFF
STREAM = 0x4D4C5031  # "MLP1"
TAG_INIT, TAG_SHUFFLE = 0x494E4954, 0x53485546
INF = float('inf')


def ident(v):
    return v


class Num:
    """One floating-point format: rounding after every operation."""

    def __init__(self, single):
        self.single = single
        self.R = det_math_ref.f32 if single else det_math_ref.f64
        self.A = det_ref.Arith(single)

    # ---- det_math.hpp: group 2 (det_exp, det_log: tools/det_ref.py) and group 3
    # (det_tanh, det_sigmoid: tools/det_math_ref.py). src/train.cpp passes NaN
    # around det_exp/det_log (exp_nan, log_nan); so does this.
    def exp(self, x):
        if x != x:
            return x
        return det_ref.det_exp(self.A, x)

    def log(self, x):
        if x != x or x == INF:
            return x
        return det_ref.det_log(self.A, x)

    def tanh(self, x):
        return det_math_ref.det_tanh(x, self.R)

    def sigmoid(self, x):
        return det_math_ref.det_sigmoid(x, self.R)

    def sqrt(self, x):
        return self.R(math.sqrt(x))


# ---- train.hpp ------------------------------------------------------------------
IDENTITY, TANH, RELU, SIGMOID = range(4)
MSE, MAE, CE, HINGE = range(4)
ADAM, SGD = range(2)


def mlp_block(seed, c0, c1, tag):
    return threefry4x32([c0 & M32, c1 & M32, 0, tag], [seed & M32, (seed >> 32) & M32, STREAM, 0])


def unit(w):
    return (w >> 8) * 2.0 ** -24


def argmax(v):
    b = 0
    for i in range(1, len(v)):
        if v[i] > v[b]:
            b = i
    return b


def shuffle(n, seed, epoch):
    idx = list(range(n))
    for i in range(n - 1, 0, -1):
        w = mlp_block(seed, i >> 2, epoch, TAG_SHUFFLE)[i & 3]
        j = (w * (i + 1)) >> 32
        idx[i], idx[j] = idx[j], idx[i]
    return idx


class Mlp:
    def __init__(self, num, widths, acts, cfg, seed):
        self.N = num; R = num.R
        self.widths, self.acts, self.cfg = widths, acts, dict(cfg)
        for key in ('lr', 'beta1', 'beta2', 'eps', 'momentum'):
            self.cfg[key] = f32(self.cfg[key])  # the config's fields are float
        self.p = []
        for l in range(len(acts)):
            i, o = widths[l], widths[l + 1]
            fan = i if acts[l] == RELU else i + o
            lim = num.sqrt(R(6.0 / float(fan)))
            for _ in range(i * o):
                k = len(self.p)
                u = unit(mlp_block(seed, k >> 2, 0, TAG_INIT)[k & 3])
                self.p.append(R(R(R(u * 2.0) - 1.0) * lim))
            self.p += [0.0] * o
        n = len(self.p)
        self.g = [0.0] * n; self.m = [0.0] * n; self.v = [0.0] * n
        self.b1p = 1.0; self.b2p = 1.0; self.pending = 0

    def act(self, k, s):
        if k == TANH: return self.N.tanh(s)
        if k == RELU: return s if s > 0 else 0.0
        if k == SIGMOID: return self.N.sigmoid(s)
        return s

    def slope(self, k, y):
        R = self.N.R
        if k == TANH: return R(1.0 - R(y * y))
        if k == RELU: return 1.0 if y > 0 else 0.0
        if k == SIGMOID: return R(y * R(1.0 - y))
        return 1.0

    def forward(self, x):
        R = self.N.R
        self.a = [list(x)]
        off = 0
        for l, k in enumerate(self.acts):
            i, o = self.widths[l], self.widths[l + 1]
            src, dst = self.a[-1], []
            for q in range(o):
                s = self.p[off + i * o + q]
                for j in range(i):
                    s = R(s + R(self.p[off + q * i + j] * src[j]))
                dst.append(self.act(k, s))
            self.a.append(dst)
            off += (i + 1) * o
        return self.a[-1]

    def backward(self, dy):
        R = self.N.R
        L = len(self.acts)
        cur = [R(dy[q] * self.slope(self.acts[-1], self.a[-1][q])) for q in range(len(dy))]
        off = len(self.p)
        for l in range(L - 1, -1, -1):
            i, o = self.widths[l], self.widths[l + 1]
            off -= (i + 1) * o
            src = self.a[l]
            for q in range(o):
                for j in range(i):
                    k = off + q * i + j
                    self.g[k] = R(self.g[k] + R(cur[q] * src[j]))
                k = off + i * o + q
                self.g[k] = R(self.g[k] + cur[q])
            if l > 0:
                nxt = []
                for j in range(i):
                    s = 0.0
                    for q in range(o):
                        s = R(s + R(self.p[off + q * i + j] * cur[q]))
                    nxt.append(R(s * self.slope(self.acts[l - 1], src[j])))
                cur = nxt
        self.pending += 1

    def step(self):
        R, c = self.N.R, self.cfg
        inv = R(1.0 / float(self.pending))
        lr = c['lr']
        if c['optimizer'] == ADAM:
            b1, b2, eps = c['beta1'], c['beta2'], c['eps']
            omb1, omb2 = R(1.0 - b1), R(1.0 - b2)
            self.b1p = R(self.b1p * b1); self.b2p = R(self.b2p * b2)
            bc1, bc2 = R(1.0 - self.b1p), R(1.0 - self.b2p)
            for k in range(len(self.p)):
                g = R(self.g[k] * inv)
                self.m[k] = R(R(b1 * self.m[k]) + R(omb1 * g))
                self.v[k] = R(R(b2 * self.v[k]) + R(omb2 * R(g * g)))
                mh, vh = R(self.m[k] / bc1), R(self.v[k] / bc2)
                self.p[k] = R(self.p[k] - R(R(lr * mh) / R(self.N.sqrt(vh) + eps)))
                self.g[k] = 0.0
        else:
            mu = c['momentum']
            for k in range(len(self.p)):
                g = R(self.g[k] * inv)
                self.m[k] = R(R(mu * self.m[k]) + g)
                self.p[k] = R(self.p[k] - R(lr * self.m[k]))
                self.g[k] = 0.0
        self.pending = 0

    def train_epoch(self, xs, ts, order):
        R = self.N.R
        n, bsz = len(xs), self.cfg['batch']
        total = 0.0
        for b0 in range(0, n, bsz):
            for s in range(b0, min(n, b0 + bsz)):
                r = order[s]
                y = self.forward(xs[r])
                total = R(total + loss_value(self.N, self.cfg['loss'], y, ts[r]))
                self.backward(loss_gradient(self.N, self.cfg['loss'], y, ts[r]))
            self.step()
        return R(total / float(n))


def loss_value(N, loss, y, t):
    R, k = N.R, len(y)
    s = 0.0
    if loss == MSE:
        for i in range(k):
            e = R(y[i] - t[i]); s = R(s + R(e * e))
        return R(s / float(k))
    if loss == MAE:
        for i in range(k):
            e = R(y[i] - t[i]); s = R(s + abs(e))
        return R(s / float(k))
    if loss == CE:
        mx = max(y)
        se = 0.0
        for i in range(k):
            se = R(se + N.exp(R(y[i] - mx)))
        lse = R(mx + N.log(se))
        for i in range(k):
            s = R(s + R(t[i] * R(lse - y[i])))
        return s
    if k == 1:
        m = R(1.0 - (y[0] if t[0] > 0.5 else -y[0]))
        return m if m > 0 else 0.0
    c = argmax(t)
    j = 1 if c == 0 else 0
    for i in range(k):
        if i != c and y[i] > y[j]: j = i
    m = R(R(1.0 + y[j]) - y[c])
    return m if m > 0 else 0.0


def loss_gradient(N, loss, y, t):
    R, k = N.R, len(y)
    if loss == MSE:
        c = R(2.0 / float(k))
        return [R(R(y[i] - t[i]) * c) for i in range(k)]
    if loss == MAE:
        c = R(1.0 / float(k)); out = []
        for i in range(k):
            e = R(y[i] - t[i]); out.append(c if e > 0 else -c if e < 0 else 0.0)
        return out
    if loss == CE:
        mx = max(y)
        g = [N.exp(R(y[i] - mx)) for i in range(k)]
        se = st = 0.0
        for i in range(k):
            se = R(se + g[i]); st = R(st + t[i])
        return [R(R(R(g[i] / se) * st) - t[i]) for i in range(k)]
    g = [0.0] * k
    if k == 1:
        s = 1.0 if t[0] > 0.5 else -1.0
        if R(1.0 - R(s * y[0])) > 0: g[0] = -s
        return g
    c = argmax(t)
    j = 1 if c == 0 else 0
    for i in range(k):
        if i != c and y[i] > y[j]: j = i
    if R(R(1.0 + y[j]) - y[c]) > 0:
        g[j] = 1.0; g[c] = -1.0
    return g


# ---- golden runs (mirrored in tests/train/test_train.cpp) --------------------
def rng_uniform_stream(seed):
    """starling::Rng(seed).uniform(-1, 1), float."""
    key = [seed & M32, (seed >> 32) & M32, 0, 0]
    pos = 0
    while True:
        b = pos >> 2
        w = threefry4x32([b & M32, (b >> 32) & M32, 0, 0], key)[pos & 3]
        pos += 1
        yield f32(-1.0 + f32(2.0 * f32(unit(w))))


def golden_data(n, n_in, n_out, seed):
    """Inputs uniform in [-1, 1) from Rng(seed), row by row; one-hot target
    of argmax(x_0 .. x_{K-1}) (K = n_out >= 2), or for K = 1, t = [x0·x1 > 0]."""
    g = rng_uniform_stream(seed)
    xs, ts = [], []
    for _ in range(n):
        x = [next(g) for _ in range(n_in)]
        if n_out == 1:
            t = [1.0 if x[0] * x[1] > 0 else 0.0]
        else:
            c = argmax(x[:n_out]); t = [1.0 if k == c else 0.0 for k in range(n_out)]
        xs.append(x); ts.append(t)
    return xs, ts


def hash_values(vals, single):
    h = FNV_OFFSET
    for v in vals:
        if single:
            h = fnv_u32(h, f32bits(v))
        else:
            b = struct.unpack('<Q', struct.pack('<d', v))[0]
            h = fnv_u32(h, b & M32); h = fnv_u32(h, b >> 32)
    return h


# name, widths, acts, cfg, samples, epochs, data seed, init seed, shuffle seed
GOLDEN = [
    ('adam_mse_tanh_sigmoid', [4, 6, 3], [TANH, SIGMOID],
     dict(optimizer=ADAM, loss=MSE, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9, batch=5),
     20, 3, 11, 42, 7),
    ('sgd_ce_relu_identity', [4, 5, 3], [RELU, IDENTITY],
     dict(optimizer=SGD, loss=CE, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9, batch=4),
     18, 3, 12, 43, 8),
    ('adam_mae_hinge_deep', [3, 4, 4, 2], [TANH, RELU, IDENTITY],
     dict(optimizer=ADAM, loss=HINGE, lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, momentum=0.9, batch=3),
     12, 2, 13, 44, 9),
    ('adam_mae_xor', [2, 4, 1], [TANH, SIGMOID],
     dict(optimizer=ADAM, loss=MAE, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9, batch=4),
     16, 4, 14, 45, 10),
]


def run_golden(case, single):
    name, widths, acts, cfg, n, epochs, dseed, iseed, sseed = case
    N = Num(single)
    xs, ts = golden_data(n, widths[0], widths[-1], dseed)
    if not single:  # the test feeds the same float data to the double network
        pass
    net = Mlp(N, widths, acts, cfg, iseed)
    losses = []
    for e in range(epochs):
        losses.append(net.train_epoch(xs, ts, shuffle(n, sseed, e)))
    return hash_values(net.p, single), losses[-1]


# ---- AdaSwarm (starling/adaswarm.hpp), float only ---------------------------------
M64 = 0xFFFFFFFFFFFFFFFF


def sample_seed(seed, j):
    z = (seed + (j + 1) * 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class AdaSwarm:
    def __init__(self, cfg, seed):
        self.c = dict(cfg)
        for key in ('c1', 'c2', 'beta', 'eta', 'out_lo', 'out_hi'):
            self.c[key] = f32(self.c[key])
        self.seed = seed; self.j = 0

    def gradient(self, N, y, t):
        R, c, k = N.R, self.c, len(y)
        s_j = sample_seed(self.seed, self.j); self.j += 1
        cfg = Config(variant='empso', c1=c['c1'], c2=c['c2'], beta=c['beta'], per_particle=True,
                     max_iter=c['iterations'])
        sw = Swarm([c['out_lo']] * k, [c['out_hi']] * k, c['particles'], cfg, s_j)
        if all(v == v for v in y):  # Pso::set_start: candidate 0, its personal best, the incumbent
            start = [min(max(v, c['out_lo']), c['out_hi']) for v in y]
            sw.x[0] = list(start); sw.pb[0] = list(start); sw.gb = list(start)
        while True:
            x = sw.ask()
            if x is None:
                break
            sw.tell(loss_value(N, c['loss'], x, t))
        key = swarm_key(s_j)
        tot = 0.0
        for i in range(c['particles']):
            w = block(key, 0, c['iterations'] - 1, i, 0)  # kTagMove, block 0
            tot = R(tot + R(R(c['c1'] * unit(w[0])) + R(c['c2'] * unit(w[1]))))
        scale = R(R(tot / float(c['particles'])) / c['eta'])
        return [R(scale * R(y[i] - sw.gb[i])) for i in range(k)]

    def train_epoch(self, net, xs, ts, order):
        N, R = net.N, net.N.R
        n, bsz = len(xs), net.cfg['batch']
        total = 0.0
        for b0 in range(0, n, bsz):
            for s in range(b0, min(n, b0 + bsz)):
                r = order[s]
                y = net.forward(xs[r])
                total = R(total + loss_value(N, self.c['loss'], y, ts[r]))
                net.backward(self.gradient(N, y, ts[r]))
            net.step()
        return R(total / float(n))


# name, widths, acts, net cfg, swarm cfg, samples, epochs, data seed, init seed, shuffle seed, swarm seed
ADA_GOLDEN = [
    ('ada_mse', [4, 5, 3], [RELU, SIGMOID],
     dict(optimizer=ADAM, loss=MSE, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9, batch=4),
     dict(c1=0.8, c2=0.9, beta=0.9, eta=0.1, particles=4, iterations=5, out_lo=0.0, out_hi=1.0, loss=MSE),
     12, 2, 21, 51, 31, 61),
    ('ada_mae', [4, 5, 3], [TANH, SIGMOID],
     dict(optimizer=ADAM, loss=MAE, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9, batch=4),
     dict(c1=0.8, c2=0.9, beta=0.9, eta=0.1, particles=5, iterations=4, out_lo=0.0, out_hi=1.0, loss=MAE),
     12, 2, 22, 52, 32, 62),
    ('ada_ce_sgd', [3, 4, 2], [TANH, IDENTITY],
     dict(optimizer=SGD, loss=CE, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, momentum=0.9, batch=3),
     dict(c1=1.2, c2=0.7, beta=0.5, eta=0.2, particles=3, iterations=3, out_lo=-2.0, out_hi=2.0, loss=CE),
     9, 2, 23, 53, 33, 63),
]


def run_ada_golden(case):
    name, widths, acts, ncfg, acfg, n, epochs, dseed, iseed, sseed, aseed = case
    N = Num(True)
    xs, ts = golden_data(n, widths[0], widths[-1], dseed)
    net = Mlp(N, widths, acts, ncfg, iseed)
    ada = AdaSwarm(acfg, aseed)
    for e in range(epochs):
        ada.train_epoch(net, xs, ts, shuffle(n, sseed, e))
    return hash_values(net.p, True)


def math_inputs():
    """The det_math golden inputs: 64 points in [-20, 20] from a fixed
    recurrence plus edge cases."""
    v = [0.0, -0.0, 1e-30, -1e-30, 0.5, -0.5, 1.0, 88.0, -88.0, 100.0, -110.0, 700.0, -740.0]
    for i in range(64):
        v.append(f32(-20.0 + 40.0 * i / 63.0))
    return v


def math_hash(single):
    N = Num(single)
    vals = []
    for x in math_inputs():
        x = f32(x) if single else x
        vals += [N.exp(x), N.tanh(x), N.sigmoid(x)]
        if x > 0:
            vals.append(N.log(x))
    return hash_values(vals, single)


def accuracy():
    for single in (True, False):
        N = Num(single)
        worst = {'exp': 0.0, 'log': 0.0, 'tanh': 0.0, 'sigmoid': 0.0}
        ulp = (lambda v: 2.0 ** (math.frexp(v)[1] - 24) if v != 0 else 2.0 ** -149) if single else math.ulp
        for i in range(20001):
            x = -30.0 + 60.0 * i / 20000.0
            x = f32(x) if single else x
            e = N.exp(x); ref = math.exp(x)
            worst['exp'] = max(worst['exp'], abs(e - ref) / ulp(ref))
            worst['tanh'] = max(worst['tanh'], abs(N.tanh(x) - math.tanh(x)))
            worst['sigmoid'] = max(worst['sigmoid'], abs(N.sigmoid(x) - 1 / (1 + math.exp(-x))))
            y = math.exp(x / 3)
            y = f32(y) if single else y
            worst['log'] = max(worst['log'], abs(N.log(y) - math.log(y)) / ulp(math.log(y) or 1.0))
        print('float' if single else 'double', {k: float('%.3g' % v) for k, v in worst.items()})


def emit():
    out = ['// SPDX-License-Identifier: MIT',
           '// GENERATED by tools/train_ref.py (independent Python reference, float32',
           '// emulated op by op); do not edit. Hashes: FNV-1a 64 over the parameters\' bits',
           '// after the run (float: one u32 each; double: low then high u32).',
           '#pragma once', '#include <cstdint>', '',
           'namespace train_golden {',
           'struct Case { const char* name; uint64_t hash_f32, hash_f64; };',
           'constexpr Case kCases[] = {']
    for case in GOLDEN:
        hf, _ = run_golden(case, True)
        hd, _ = run_golden(case, False)
        out.append('    {"%s", 0x%016XULL, 0x%016XULL},' % (case[0], hf, hd))
    out += ['};', 'struct AdaCase { const char* name; uint64_t hash_f32; };',
            'constexpr AdaCase kAdaCases[] = {']
    for case in ADA_GOLDEN:
        out.append('    {"%s", 0x%016XULL},' % (case[0], run_ada_golden(case)))
    out += ['};',
            'constexpr uint64_t kMathF32 = 0x%016XULL;' % math_hash(True),
            'constexpr uint64_t kMathF64 = 0x%016XULL;' % math_hash(False),
            '}  // namespace train_golden', '']
    return '\n'.join(out)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--accuracy':
        accuracy(); return 0
    text = emit()
    if len(sys.argv) > 2 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as fh:
            if fh.read() != text:
                print('%s is out of date: run tools/train_ref.py' % sys.argv[2]); return 1
        print('up to date'); return 0
    sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
