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
TAG_MOVE, TAG_INIT, TAG_BOUND, TAG_RESTART, TAG_TOPOLOGY, TAG_FIPS, TAG_LOCAL = 0, 1, 2, 4, 5, 6, 7
# The local search of the swarm's best (PsoConfig::local_stall).
LOCAL_FAILS, LOCAL_RHO0, LOCAL_RHO_MIN = 5, f32(0.01), f32(1e-6)
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
        self.neighbors = 0; self.restart_stall = 0; self.restart_radius = 0.0; self.stall_tol = 0.0
        self.restart_rehits = 0; self.local_stall = 0
        for k, v in kw.items():
            setattr(self, k, f32(v) if isinstance(v, float) and math.isfinite(v) else v)


def wrap(j, n):
    return j % n


def torus_cols(n):
    c = 1
    while (2 * c + 1) ** 2 <= 4 * n:
        c += 1
    return c


class Swarm:
    def __init__(self, lo, hi, n, cfg, seed):
        self.D = D = len(lo); self.N = n; self.cfg = cfg
        self.lo = [f32(v) for v in lo]; self.hi = [f32(v) for v in hi]
        self.key = swarm_key(seed)
        self.vmax = [f32(cfg.v_max * f32(self.hi[d] - self.lo[d])) for d in range(D)]
        self.x = [[0.0] * D for _ in range(n)]; self.v = [[0.0] * D for _ in range(n)]
        self.m = [[0.0] * D for _ in range(n)]; self.pb = [[0.0] * D for _ in range(n)]
        self.pbf = [INF] * n
        self.gb = list(self.lo); self.gbf = INF
        self.evals = 0; self.it = 0; self.cursor = 0; self.stall = 0
        self.sweep_best = INF; self.done = False; self.reason = None
        self.restarts = 0; self.link_epoch = 0
        self.seed_particles(TAG_INIT, 0)

    def seed_particles(self, tag, it):
        r = self.cfg.restart_radius if tag == TAG_RESTART else 0.0
        for i in range(self.N):
            for d in range(self.D):
                w4 = block(self.key, tag, it, i, d >> 1)
                ux, uv = unit(w4[(d & 1) * 2]), unit(w4[(d & 1) * 2 + 1])
                xd = self.seeded_x(d, ux, self.gb[d], r)
                self.x[i][d] = xd
                self.v[i][d] = f32(f32(f32(uv * 2) - 1) * self.vmax[d])
                self.m[i][d] = 0.0
                self.pb[i][d] = xd
            self.pbf[i] = INF
        self.sbest = -1; self.swarm_stall = 0; self.swarm_start_best = INF; self.beta_pow = 1.0
        self.rehits = 0
        self.ls_rho = LOCAL_RHO0; self.ls_ref = 0.0; self.ls_tau = -1; self.ls_fails = 0

    def seeded_x(self, d, ux, centre, r):
        """x uniform in [lo, hi], or with r > 0 in that box narrowed to
        +-r (hi - lo) around centre (seeded_coord in pso.hpp)."""
        lo, hi = self.lo[d], self.hi[d]
        if r > 0:
            rad = f32(r * f32(self.hi[d] - self.lo[d]))
            if f32(centre - rad) > lo: lo = f32(centre - rad)
            if f32(centre + rad) < hi: hi = f32(centre + rad)
        return min(f32(lo + f32(f32(hi - lo) * ux)), hi)

    def ask(self):
        return None if self.done else self.x[self.cursor]

    def tell(self, cost):
        f = cost if math.isfinite(cost) else INF
        i = self.cursor
        if f < self.pbf[i]:
            self.pbf[i] = f; self.pb[i] = list(self.x[i])
        if self.sbest < 0 or self.pbf[i] < self.pbf[self.sbest]:
            self.sbest = i
        # The swarm found its best value again (within stall_tol of it):
        # restarts wait for restart_rehits of these; counted up to that.
        if self.rehits < self.cfg.restart_rehits:
            b, tol = self.pbf[self.sbest], self.cfg.stall_tol
            margin = f32(tol * abs(b)) if tol > 0 and math.isfinite(b) else 0.0
            if f <= f32(b + margin):
                self.rehits += 1
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
        sb = self.pbf[self.sbest]
        # Improved: below the reference by more than stall_tol of it.
        ref, tol = self.swarm_start_best, self.cfg.stall_tol
        margin = f32(tol * abs(ref)) if tol > 0 and math.isfinite(ref) else 0.0
        improved = sb < f32(ref - margin)
        self.swarm_stall = 0 if improved else self.swarm_stall + 1
        if improved:
            self.swarm_start_best = sb
            self.rehits = 0
        self.stall = 0 if self.gbf < self.sweep_best else self.stall + 1
        self.sweep_best = self.gbf
        if self.it >= self.cfg.max_iter:
            self.done = True; self.reason = 'max_iter'; return
        if self.cfg.stall_iter > 0 and self.stall >= self.cfg.stall_iter:
            self.done = True; self.reason = 'stall'; return
        if (self.cfg.restart_stall > 0 and self.swarm_stall >= self.cfg.restart_stall
                and self.rehits >= self.cfg.restart_rehits):
            self.restarts += 1
            self.seed_particles(TAG_RESTART, self.it)
            return
        if self.cfg.topology == 'random' and not improved:
            self.link_epoch += 1
        self.move()

    def informants(self, i):
        """Particle i's informants in tie order (pso.hpp, Topology)."""
        c, n = self.cfg, self.N
        if c.topology == 'global':
            return list(range(n))
        if c.topology == 'ring':
            out = [i]
            for j in range(1, (c.neighbors // 2 if c.neighbors else 1) + 1):
                out += [wrap(i - j, n), wrap(i + j, n)]
            return out
        if c.topology == 'von_neumann':
            k = torus_cols(n)
            return [i, wrap(i - 1, n), wrap(i + 1, n), wrap(i - k, n), wrap(i + k, n)]
        raise ValueError(c.topology)

    def random_links(self):
        """SPSO-2011's links: particle j informs itself and K drawn others."""
        n, k = self.N, self.cfg.neighbors or 3
        nb = list(range(n))
        for j in range(n):
            w4 = block(self.key, TAG_TOPOLOGY, self.link_epoch, j, 0)
            for w in w4[:k]:
                t = (w * n) >> 32
                if self.pbf[j] < self.pbf[nb[t]]:
                    nb[t] = j
        return nb

    def finish(self, i, d, x, v, t):
        c = self.cfg
        v = min(max(v, -self.vmax[d]), self.vmax[d])
        nx = f32(x + v)
        lo, hi = self.lo[d], self.hi[d]
        if nx < lo or nx > hi:
            # The EMPSO momentum is the velocity's memory: it stops
            # (or turns) with the velocity at a wall.
            emp = c.variant == 'empso'
            if c.boundary == 'clamp':
                nx = lo if nx < lo else hi; v = 0.0
                if emp: self.m[i][d] = 0.0
            elif c.boundary == 'reflect':
                nx = f32(lo + f32(lo - nx)) if nx < lo else f32(hi - f32(nx - hi)); v = -v
                if emp: self.m[i][d] = -self.m[i][d]
            else:
                u = unit(block(self.key, TAG_BOUND, t, i, d >> 1)[(d & 1) * 2])
                nx = f32(lo + f32(f32(hi - lo) * u)); v = 0.0
                if emp: self.m[i][d] = 0.0
            nx = min(max(nx, lo), hi)
        self.x[i][d] = nx; self.v[i][d] = v

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
        if c.variant == 'fips':
            self.move_fips(t)
        else:
            self.move_rule(t, w, omb, ms)
        if c.local_stall > 0:
            self.local_probe(t)

    def local_probe(self, t):
        """The outcome of the last probe, then (after local_stall stalled sweeps)
        the swarm's best particle to a point uniform within +-rho (hi - lo) of
        its personal best narrowed to the box; its velocity is the step, clipped
        to +-v_max; momentum and personal best kept."""
        if self.ls_tau >= 0:
            # The last probe's outcome: it beat the swarm's best of then iff
            # its personal best cost is now below it. Five failures in a row
            # halve rho, which starts over at 0.01 below 1e-6.
            self.ls_fails = 0 if self.pbf[self.ls_tau] < self.ls_ref else self.ls_fails + 1
            self.ls_tau = -1
            if self.ls_fails == LOCAL_FAILS:
                self.ls_fails = 0
                self.ls_rho = f32(self.ls_rho * 0.5)
                if self.ls_rho < LOCAL_RHO_MIN:
                    self.ls_rho = LOCAL_RHO0
        if self.swarm_stall < self.cfg.local_stall:
            return
        tau = self.sbest
        self.ls_tau = tau; self.ls_ref = self.pbf[tau]
        p = self.pb[tau]
        for d in range(self.D):
            # As a restart around p with radius rho (seed_particles), from
            # block {d / 2, particle, move, TAG_LOCAL}; the velocity is the step.
            w4 = block(self.key, TAG_LOCAL, t, tau, d >> 1)
            nx = self.seeded_x(d, unit(w4[(d & 1) * 2]), p[d], self.ls_rho)
            nv = f32(nx - self.x[tau][d])
            nv = min(max(nv, -self.vmax[d]), self.vmax[d])
            self.x[tau][d] = nx; self.v[tau][d] = nv

    def move_rule(self, t, w, omb, ms):
        c = self.cfg
        if c.topology == 'global':
            social = self.pb[self.sbest] if c.restart_stall > 0 else self.gb
            nbs = [social] * self.N
        elif c.topology == 'random':
            nbs = [self.pb[j] for j in self.random_links()]
        else:
            nbs = []
            for i in range(self.N):
                best = i
                for j in self.informants(i)[1:]:
                    if self.pbf[j] < self.pbf[best]: best = j
                nbs.append(self.pb[best])
        for i in range(self.N):
            nb = nbs[i]
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
                self.finish(i, d, x, v, t)

    def move_fips(self, t):
        """v = w v + sum_k (cn r_kd)(p_kd - x_d), cn = (c1 + c2)/|informants|;
        draw q = k D + d is half (q even: high) of word (q/2) % 4 of block q/8."""
        c = self.cfg
        for i in range(self.N):
            inf = self.informants(i)
            cn = f32(f32(c.c1 + c.c2) / len(inf))
            acc = [f32(c.w * self.v[i][d]) for d in range(self.D)]
            q = 0
            for j in inf:
                for d in range(self.D):
                    w4 = block(self.key, TAG_FIPS, t, i, q >> 3)
                    wd = w4[(q >> 1) & 3]
                    r = ((wd >> 16) if q % 2 == 0 else (wd & 0xFFFF)) * 2.0 ** -16
                    acc[d] = f32(acc[d] + f32(f32(cn * r) * f32(self.pb[j][d] - self.x[i][d])))
                    q += 1
            for d in range(self.D):
                self.finish(i, d, self.x[i][d], acc[d], t)


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
    # Topologies, FIPS and restarts (pso.hpp).
    ('constriction_ring4_clamp', 6, 11, 31, dict(topology='ring', neighbors=4, max_iter=30)),
    ('empso_vonneumann_reflect', 5, 13, 77, dict(variant='empso', topology='von_neumann', boundary='reflect',
                                                 max_iter=30)),
    ('constriction_random3_restart', 9, 10, 0xABCDEF, dict(topology='random', restart_stall=2, max_iter=60)),
    ('fips_vonneumann_random_bound', 7, 9, 5, dict(variant='fips', topology='von_neumann', boundary='random',
                                                   max_iter=25)),
    ('fips_global_restart_local', 3, 7, 2024, dict(variant='fips', restart_stall=3, restart_radius=0.1,
                                                   max_iter=60)),
    ('constriction_ring4_tol_restart', 5, 10, 4242, dict(topology='ring', neighbors=4, restart_stall=3,
                                                         stall_tol=0.01, restart_radius=0.2, max_iter=80)),
    ('empso_ring2_restart_bias', 4, 8, 99, dict(variant='empso', topology='ring', neighbors=2, restart_stall=2,
                                                bias_correction=True, max_iter=50)),
    # Restarts that wait for the swarm to find its best again: one restart, 20 sweeps held back.
    ('constriction_vonneumann_rehits', 6, 9, 1818, dict(topology='von_neumann', v_max=0.25, restart_stall=3,
                                                        restart_radius=0.1, stall_tol=0.05, restart_rehits=2,
                                                        max_iter=120)),
    # The local search of the swarm's best (GCPSO), with restarts, as PsoConfig::empso() sets it.
    ('empso_global_local_restart', 6, 8, 4711, dict(variant='empso', c1=2.0, c2=2.0, beta=0.8, v_max=0.15,
                                                    restart_stall=6, restart_radius=0.1, stall_tol=0.003,
                                                    local_stall=1, max_iter=400)),
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
