#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent reference of starling's random numbers and swarm, in Python.

Standard library only. Written from the definitions (Random123's Threefry-4x32,
the update rules documented in include/starling/detail/swarm_kernel.hpp and
pso.hpp), not translated from the C++: float32 arithmetic is emulated by
computing each +, -, *, / in double and rounding to float32, which is exactly
IEEE single precision for these operations (53 >= 2*24 + 2 bits).

    python3 tools/pso_ref.py               # print tests/core/golden_ref.h
    python3 tools/pso_ref.py --check FILE  # exit 1 if FILE differs
"""
import math
import struct
import sys

M32 = 0xFFFFFFFF
ROT = [(10, 26), (11, 21), (13, 27), (23, 5), (6, 20), (17, 11), (25, 10), (18, 20)]
ROUNDS = 13  # starling's kThreefryRounds


def rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def threefry4x32(ctr, key, rounds=ROUNDS):
    ks = list(key) + [0x1BD11BDA ^ key[0] ^ key[1] ^ key[2] ^ key[3]]
    x = [(ctr[i] + ks[i]) & M32 for i in range(4)]
    for r in range(rounds):
        a, b = ROT[r % 8]
        if r % 2 == 0:
            x[0] = (x[0] + x[1]) & M32; x[1] = rotl(x[1], a) ^ x[0]
            x[2] = (x[2] + x[3]) & M32; x[3] = rotl(x[3], b) ^ x[2]
        else:
            x[0] = (x[0] + x[3]) & M32; x[3] = rotl(x[3], a) ^ x[0]
            x[2] = (x[2] + x[1]) & M32; x[1] = rotl(x[1], b) ^ x[2]
        if r % 4 == 3:
            s = (r + 1) // 4
            for j in range(4):
                x[j] = (x[j] + ks[(s + j) % 5]) & M32
            x[3] = (x[3] + s) & M32
    return x


def f32(v):
    return struct.unpack('<f', struct.pack('<f', v))[0]


def f32bits(v):
    return struct.unpack('<I', struct.pack('<f', v))[0]


def unit(w):
    return (w >> 8) * 2.0 ** -24  # exact in float32


class Rng:
    def __init__(self, seed):
        self.key = [seed & M32, (seed >> 32) & M32, 0, 0]
        self.pos = 0

    def next_u32(self):
        b = self.pos >> 2
        w = threefry4x32([b & M32, (b >> 32) & M32, 0, 0], self.key)[self.pos & 3]
        self.pos += 1
        return w


# ---- swarm ------------------------------------------------------------------
TAG_MOVE, TAG_INIT, TAG_BOUND = 0, 1, 2
INF = float('inf')


def swarm_key(seed):
    return [seed & M32, (seed >> 32) & M32, 0x50534F31, 0]


def block(key, tag, it, particle, pair):
    return threefry4x32([pair, particle, it, tag], key)


class Config:
    def __init__(self, **kw):
        self.variant = 'constriction'
        self.w = f32(0.7298); self.w_end = f32(0.7298)
        self.c1 = f32(1.49618); self.c2 = f32(1.49618)
        self.beta = f32(0.9); self.v_max = f32(0.5)
        self.boundary = 'clamp'; self.topology = 'global'
        self.max_iter = 100; self.max_evals = 0; self.target = -INF; self.stall_iter = 0
        self.bias_correction = False; self.per_particle = False
        for k, v in kw.items():
            setattr(self, k, f32(v) if isinstance(v, float) and math.isfinite(v) else v)


class Swarm:
    def __init__(self, lo, hi, n, cfg, seed):
        self.D = D = len(lo); self.N = n; self.cfg = cfg
        self.lo = [f32(v) for v in lo]; self.hi = [f32(v) for v in hi]
        self.key = swarm_key(seed)
        self.vmax = [f32(cfg.v_max * f32(self.hi[d] - self.lo[d])) for d in range(D)]
        self.x = []; self.v = []; self.m = []; self.pb = []; self.pbf = []
        for i in range(n):
            x = []; v = []
            for d in range(D):
                w4 = block(self.key, TAG_INIT, 0, i, d >> 1)
                ux, uv = unit(w4[(d & 1) * 2]), unit(w4[(d & 1) * 2 + 1])
                xd = f32(self.lo[d] + f32(f32(self.hi[d] - self.lo[d]) * ux))
                xd = min(xd, self.hi[d])
                x.append(xd)
                v.append(f32(f32(f32(uv * 2) - 1) * self.vmax[d]))
            self.x.append(x); self.v.append(v); self.m.append([0.0] * D)
            self.pb.append(list(x)); self.pbf.append(INF)
        self.gb = list(self.lo); self.gbf = INF
        self.evals = 0; self.it = 0; self.cursor = 0; self.stall = 0
        self.sweep_best = INF; self.done = False; self.reason = None; self.beta_pow = 1.0

    def ask(self):
        return None if self.done else self.x[self.cursor]

    def tell(self, cost):
        f = cost if math.isfinite(cost) else INF
        i = self.cursor
        if f < self.pbf[i]:
            self.pbf[i] = f; self.pb[i] = list(self.x[i])
        if f < self.gbf or self.evals == 0:
            self.gbf = f; self.gb = list(self.x[i])
        self.evals += 1
        if self.gbf <= self.cfg.target:
            self.done = True; self.reason = 'target'; return
        if self.cfg.max_evals > 0 and self.evals >= self.cfg.max_evals:
            self.done = True; self.reason = 'max_evals'; return
        self.cursor += 1
        if self.cursor == self.N:
            self.end_sweep()

    def end_sweep(self):
        self.cursor = 0; self.it += 1
        self.stall = 0 if self.gbf < self.sweep_best else self.stall + 1
        self.sweep_best = self.gbf
        if self.it >= self.cfg.max_iter:
            self.done = True; self.reason = 'max_iter'; return
        if self.cfg.stall_iter > 0 and self.stall >= self.cfg.stall_iter:
            self.done = True; self.reason = 'stall'; return
        self.move()

    def move(self):
        c = self.cfg; t = self.it
        w = c.w
        if c.variant == 'inertia':
            w = f32(c.w + f32(f32(f32(c.w_end - c.w) * t) / c.max_iter))
        omb = f32(1 - c.beta)
        self.beta_pow = f32(self.beta_pow * c.beta)
        ms = 1.0
        if c.bias_correction and self.beta_pow < 1:
            ms = f32(1 / f32(1 - self.beta_pow))
        for i in range(self.N):
            nb = self.gb
            if c.topology == 'ring':
                best = i
                left = self.N - 1 if i == 0 else i - 1
                right = 0 if i + 1 == self.N else i + 1
                if self.pbf[left] < self.pbf[best]: best = left
                if self.pbf[right] < self.pbf[best]: best = right
                nb = self.pb[best]
            for d in range(self.D):
                if c.per_particle:
                    w4 = block(self.key, TAG_MOVE, t, i, 0); r1, r2 = unit(w4[0]), unit(w4[1])
                else:
                    # Dimension d takes word d % 4 of block d / 4: high
                    # half r1, low half r2, 16 bits each.
                    wd = block(self.key, TAG_MOVE, t, i, d >> 2)[d & 3]
                    r1, r2 = (wd >> 16) * 2.0 ** -16, (wd & 0xFFFF) * 2.0 ** -16
                x = self.x[i][d]
                a = f32(f32(c.c1 * r1) * f32(self.pb[i][d] - x))
                b = f32(f32(c.c2 * r2) * f32(nb[d] - x))
                if c.variant == 'empso':
                    m = f32(f32(c.beta * self.m[i][d]) + f32(omb * self.v[i][d]))
                    self.m[i][d] = m
                    v = f32(f32(f32(ms * m) + a) + b)
                else:
                    v = f32(f32(f32(w * self.v[i][d]) + a) + b)
                v = min(max(v, -self.vmax[d]), self.vmax[d])
                nx = f32(x + v)
                lo, hi = self.lo[d], self.hi[d]
                if nx < lo or nx > hi:
                    # The EMPSO momentum is the velocity's memory: it stops
                    # (or turns) with the velocity at a wall.
                    if c.boundary == 'clamp':
                        nx = lo if nx < lo else hi; v = 0.0; self.m[i][d] = 0.0
                    elif c.boundary == 'reflect':
                        nx = f32(lo + f32(lo - nx)) if nx < lo else f32(hi - f32(nx - hi)); v = -v
                        self.m[i][d] = -self.m[i][d]
                    else:
                        u = unit(block(self.key, TAG_BOUND, t, i, d >> 1)[(d & 1) * 2])
                        nx = f32(lo + f32(f32(hi - lo) * u)); v = 0.0; self.m[i][d] = 0.0
                    nx = min(max(nx, lo), hi)
                self.x[i][d] = nx; self.v[i][d] = v


# ---- the golden trajectories (mirrored in tests/core/test_golden.cpp) --------
FNV_OFFSET, FNV_PRIME = 0xCBF29CE484222325, 0x100000001B3


def fnv_u32(h, w):
    for k in range(4):
        h ^= (w >> (8 * k)) & 0xFF
        h = (h * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def golden_cost(x, n_eval):
    """Weighted shifted sphere in float32, NaN on every 7th evaluation."""
    if n_eval % 7 == 6:
        return float('nan')
    s = 0.0
    for d, xd in enumerate(x):
        e = f32(xd - f32(0.25 * (d % 3)))
        s = f32(s + f32(f32(e * e) * (d + 1)))
    return s


def run_golden(lo, hi, n, cfg, seed):
    sw = Swarm(lo, hi, n, cfg, seed)
    h = FNV_OFFSET
    k = 0
    while True:
        x = sw.ask()
        if x is None:
            break
        for xd in x:
            h = fnv_u32(h, f32bits(xd))
        c = golden_cost(x, k)
        h = fnv_u32(h, 0x7FC00000 if math.isnan(c) else f32bits(c))
        sw.tell(c)
        k += 1
    return h, sw


GOLDEN_CASES = [
    # name, dims, particles, seed, config
    ('constriction_global_clamp', 5, 10, 1, dict(max_iter=30)),
    ('empso_ring_reflect_bias', 7, 12, 0xDEADBEEFCAFE, dict(variant='empso', topology='ring', boundary='reflect',
                                                           bias_correction=True, max_iter=25)),
    ('inertia_random_perparticle', 3, 6, 7, dict(variant='inertia', w=0.9, w_end=0.4, boundary='random',
                                                 per_particle=True, max_iter=40, v_max=1.0)),
    ('empso_global_clamp_evals', 4, 8, 123456789, dict(variant='empso', max_iter=1000, max_evals=150)),
    # 37 dimensions: nine whole blocks of move draws and one for the last dimension.
    ('inertia_global_clamp_wide', 37, 6, 0x5EED, dict(variant='inertia', max_iter=12)),
]


def golden_box(dims):
    return [-2.0 - d for d in range(dims)], [1.0 + 0.5 * d for d in range(dims)]


def emit():
    out = ['// SPDX-License-Identifier: MIT']
    out.append('// Generated by tools/pso_ref.py (independent Python reference, float32 emulated);')
    out.append('// do not edit. Regenerate: python3 tools/pso_ref.py > tests/core/golden_ref.h')
    out.append('#pragma once')
    out.append('#include <cstdint>')
    out.append('')
    out.append('namespace golden {')
    out.append('// Random123 known-answer vectors for Threefry-4x32 (ctr[4], key[4], out[4]),')
    out.append('// from Random123 tests/kat_vectors; checked by this generator too.')
    kat = [(13, [0] * 4, [0] * 4, [0x531c7e4f, 0x39491ee5, 0x2c855a92, 0x3d6abf9a]),
           (13, [M32] * 4, [M32] * 4, [0xc4189358, 0x1c9cc83a, 0xd5881c67, 0x6a0a89e0]),
           (13, [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89],
            [0x4aa71d8f, 0x734738c2, 0x431fc6a8, 0xae6debf1]),
           (20, [0] * 4, [0] * 4, [0x9c6ca96a, 0xe17eae66, 0xfc10ecd4, 0x5256a7d8]),
           (20, [M32] * 4, [M32] * 4, [0x2a881696, 0x57012287, 0xf6c7446e, 0xa16a6732]),
           (20, [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89],
            [0x59cd1dbb, 0xb8879579, 0x86b5d00c, 0xac8b6d84])]
    for r, c, k, o in kat:
        assert threefry4x32(c, k, r) == o, 'Threefry reference disagrees with Random123 KAT'
    out.append('struct Kat { int rounds; uint32_t ctr[4], key[4], out[4]; };')
    out.append('constexpr Kat kKat[] = {')
    for r, c, k, o in kat:
        f = lambda a: '{' + ', '.join('0x%08xu' % v for v in a) + '}'
        out.append('  {%d, %s, %s, %s},' % (r, f(c), f(k), f(o)))
    out.append('};')
    out.append('')
    out.append('// Rng(seed).next_u32() words 0..9 and uniform() of words 10..13 (as float bits).')
    out.append('struct RngVec { uint64_t seed; uint32_t words[10]; uint32_t uniform_bits[4]; };')
    out.append('constexpr RngVec kRng[] = {')
    for seed in (0, 1, 42, 0xFFFFFFFFFFFFFFFF, 0x0123456789ABCDEF):
        g = Rng(seed)
        ws = [g.next_u32() for _ in range(10)]
        us = [f32bits(unit(g.next_u32())) for _ in range(4)]
        out.append('  {0x%016xull, {%s}, {%s}},' % (seed, ', '.join('0x%08xu' % w for w in ws),
                                                    ', '.join('0x%08xu' % u for u in us)))
    out.append('};')
    out.append('')
    out.append('// Swarm blocks: threefry4x32({pair, particle, iteration, tag}, swarm_key(seed)).')
    out.append('struct BlockVec { uint64_t seed; uint32_t tag, iteration, particle, pair; uint32_t out[4]; };')
    out.append('constexpr BlockVec kBlocks[] = {')
    for seed, tag, it, p, pair in ((0, 0, 1, 0, 0), (42, 0, 7, 3, 5), (42, 1, 0, 3, 5), (42, 2, 9, 11, 0),
                                   (0xFFFFFFFFFFFFFFFF, 0, 0xFFFFFFFF, 63, 49)):
        o = block(swarm_key(seed), tag, it, p, pair)
        out.append('  {0x%016xull, %d, %du, %d, %d, {%s}},' % (seed, tag, it, p, pair,
                                                               ', '.join('0x%08xu' % w for w in o)))
    out.append('};')
    out.append('')
    out.append('// Whole-trajectory FNV-1a-64 hashes (every asked coordinate, then the told cost,')
    out.append('// as float32 bits; NaN as 0x7fc00000), final best value bits and evaluations.')
    out.append('struct Trajectory { const char* name; int dims, particles; uint64_t seed; uint64_t hash;')
    out.append('                    uint32_t best_bits; long evals; int iterations; };')
    out.append('constexpr Trajectory kTrajectories[] = {')
    for name, dims, n, seed, kw in GOLDEN_CASES:
        lo, hi = golden_box(dims)
        h, sw = run_golden(lo, hi, n, Config(**kw), seed)
        out.append('  {"%s", %d, %d, 0x%xull, 0x%016xull, 0x%08xu, %d, %d},' % (
            name, dims, n, seed, h, f32bits(sw.gbf), sw.evals, sw.it))
    out.append('};')
    out.append('}  // namespace golden')
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    text = emit()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2]) as fh:
            same = fh.read() == text
        print('golden_ref.h is up to date' if same else 'golden_ref.h differs from tools/pso_ref.py output')
        sys.exit(0 if same else 1)
    sys.stdout.write(text)
