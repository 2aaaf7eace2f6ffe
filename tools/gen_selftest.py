#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_selftest.py: the golden hashes of starling::selftest() (src/selftest.cpp).

Standard library only. Computes, independently of the C++ code, what a
correct build of the library must produce for the selftest's fixed problems:

  * three tiny tuning runs, with tools/pso_ref.py's swarm (float32 emulated
    operation by operation, written from the documented update rules);
  * one int8 fully-connected layer, with tools/gen_fc_golden.py's exact
    integer requantization (double and single rounding);
  * a tanh look-up table and sixteen values of portable_exp, in Python
    doubles (IEEE binary64, no fused operations) following the formulas
    documented in include/starling/qnet.hpp, and requantization multipliers
    from float scales (quantize_scales' documented formula).

The problems are spelled out here and in src/selftest.cpp (a change in one
must be made in the other). Every hash is FNV-1a 32 over little-endian
bytes.

    python3 tools/gen_selftest.py                # print src/selftest_golden.h
    python3 tools/gen_selftest.py --check FILE   # exit 1 if FILE differs
"""
import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fc_golden as fcg  # noqa: E402
import pso_ref as ref  # noqa: E402

FNV32_OFFSET, FNV32_PRIME = 0x811C9DC5, 0x01000193
M32 = 0xFFFFFFFF
NAN_BITS = 0x7FC00000


def fnv_bytes(h, data):
    for b in data:
        h ^= b
        h = (h * FNV32_PRIME) & M32
    return h


def fnv_u32(h, w):
    return fnv_bytes(h, struct.pack('<I', w & M32))


f32, f32bits = ref.f32, ref.f32bits


# ---- tuning runs ---------------------------------------------------------------

def selftest_cost(x, k):
    """NaN on every fifth evaluation (the worst-cost path), else a weighted
    shifted sphere in float32: s = s + (e*e)*(d+1), e = x[d] - 0.375*(d+1)."""
    if k % 5 == 4:
        return float('nan')
    s = 0.0
    for d, xd in enumerate(x):
        e = f32(xd - 0.375 * (d + 1))  # 0.375*(d+1) is exact in float32
        s = f32(s + f32(f32(e * e) * (d + 1)))
    return s


# name, dims, particles, seed, explicit config (every field: the selftest must
# not follow changes of PsoConfig's defaults).
RUNS = [
    ('empso_global_reflect_bias', 5, 5, 0x5E1F7E57,
     dict(variant='empso', w=0.7298, w_end=0.7298, c1=1.5, c2=1.5, beta=0.9, v_max=0.5,
          boundary='reflect', topology='global', max_iter=5, max_evals=0, target=-math.inf,
          stall_iter=0, bias_correction=True, per_particle=False, neighbors=0, restart_stall=0,
          restart_radius=0.0, stall_tol=0.0)),
    ('inertia_random_per_particle', 3, 4, 0xC0FFEE,
     dict(variant='inertia', w=0.9, w_end=0.4, c1=1.49618, c2=1.49618, beta=0.9, v_max=0.3,
          boundary='random', topology='global', max_iter=6, max_evals=0, target=-math.inf,
          stall_iter=0, bias_correction=False, per_particle=True, neighbors=0, restart_stall=0,
          restart_radius=0.0, stall_tol=0.0)),
    ('constriction_global_clamp', 4, 5, 0x7, dict(
        variant='constriction', w=0.7298, w_end=0.7298, c1=1.49618, c2=1.49618, beta=0.9,
        v_max=0.5, boundary='clamp', topology='global', max_iter=5, max_evals=0,
        target=-math.inf, stall_iter=0, bias_correction=False, per_particle=False, neighbors=0,
        restart_stall=0, restart_radius=0.0, stall_tol=0.0)),
]


def selftest_box(dims):
    """lo[d] = -1 - d/2, hi[d] = 2 + d/4 (exact in float32)."""
    return [-1.0 - 0.5 * d for d in range(dims)], [2.0 + 0.25 * d for d in range(dims)]


def pso_hash():
    h = FNV32_OFFSET
    for _name, dims, n, seed, kw in RUNS:
        lo, hi = selftest_box(dims)
        sw = ref.Swarm(lo, hi, n, ref.Config(**kw), seed)
        k = 0
        while True:
            x = sw.ask()
            if x is None:
                break
            for xd in x:
                h = fnv_u32(h, f32bits(xd))
            c = selftest_cost(x, k)
            h = fnv_u32(h, NAN_BITS if math.isnan(c) else f32bits(c))
            sw.tell(c)
            k += 1
        h = fnv_u32(h, f32bits(sw.gbf))
        h = fnv_u32(h, sw.evals)
        h = fnv_u32(h, sw.it)
    return h


# ---- int8 layer --------------------------------------------------------------

class Lcg:
    """x <- 1664525 x + 1013904223 (mod 2^32), the Numerical Recipes LCG."""

    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = (self.s * 1664525 + 1013904223) & M32
        return self.s


FC_IN, FC_OUT, FC_BATCHES = 11, 5, 2
FC_INPUT_OFFSET, FC_OUTPUT_OFFSET, FC_ACT_MIN, FC_ACT_MAX = 7, -3, -100, 120
FC_FIRST_SEED = 0x12345678


def fc_data(seed):
    """Weights, bias, inputs, multipliers, shifts: all from one LCG, in this order."""
    g = Lcg(seed)
    w = [(g.next() >> 24) % 255 - 127 for _ in range(FC_IN * FC_OUT)]   # [-127, 127]
    bias = [(g.next() >> 20) - 2048 for _ in range(FC_OUT)]              # [-2048, 2047]
    x = [((g.next() >> 24) ^ 0x80) - 0x80 for _ in range(FC_IN * FC_BATCHES)]  # int8
    mult = [(1 << 30) | (g.next() >> 2) for _ in range(FC_OUT)]         # [2^30, 2^31)
    shift = [-10 - g.next() % 5 for _ in range(FC_OUT)]                 # [-14, -10]
    return w, bias, x, mult, shift


def fc_hash(seed, single_rounding):
    w, bias, x, mult, shift = fc_data(seed)
    rq = fcg.requantize_single if single_rounding else fcg.requantize_double
    out = []
    for b in range(FC_BATCHES):
        for o in range(FC_OUT):
            acc = bias[o] + sum(w[o * FC_IN + i] * (x[b * FC_IN + i] + FC_INPUT_OFFSET)
                                for i in range(FC_IN))
            v = rq(acc, mult[o], shift[o]) + FC_OUTPUT_OFFSET
            out.append(max(FC_ACT_MIN, min(FC_ACT_MAX, v)))
    return fnv_bytes(FNV32_OFFSET, bytes(v & 0xFF for v in out))


def fc_seed():
    """The first seed from FC_FIRST_SEED whose layer output differs between the
    two requantize roundings, so the check tells them apart."""
    seed = FC_FIRST_SEED
    while fc_hash(seed, False) == fc_hash(seed, True):
        seed += 1
    return seed


# ---- LUT and portable_exp --------------------------------------------------------

INV_FACT = [1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
            1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0,
            1.0 / 24.0, 1.0 / 6.0, 1.0 / 2.0, 1.0, 1.0]


def portable_exp(x):
    """qnet.hpp: x = k ln2 + r (Cody-Waite split), Taylor to r^14/14!, ldexp."""
    if math.isnan(x):
        return x
    if x > 709.782712893384:
        return math.inf
    if x < -745.2:
        return 0.0
    kd = math.floor(x * 1.44269504088896338700e+00 + 0.5)
    r = (x - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10
    p = 1.0 / 87178291200.0
    for c in INV_FACT:
        p = p * r + c
    return math.ldexp(p, int(kd))


def portable_tanh(x):
    if math.isnan(x):
        return x
    a = abs(x)
    t = 1.0 if a > 22.0 else 1.0 - 2.0 / (portable_exp(2.0 * a) + 1.0)
    return -t if x < 0 else t


def round_half_away(v):
    a = abs(v)
    fl = math.floor(a)
    r = fl + 1 if a - fl >= 0.5 else fl  # a - fl is exact for doubles
    return r if v >= 0 else -r


def lut_quantize(y, out_scale, out_zp):
    v = y / out_scale
    if math.isnan(v):
        v = 0.0
    v = max(-1024.0, min(1024.0, v))
    return max(-128, min(127, int(round_half_away(v)) + out_zp))


LUT_IN_SCALE, LUT_IN_ZP, LUT_OUT_SCALE, LUT_OUT_ZP = 0.04, 5, 1.0 / 128, 0


SCALES_IN, SCALES_OUT = 0.02, 0.05
SCALES_W = [0.0011, 0.0023, 0.0007, 0.0018, 0.0004]


def lut_hash():
    in_s, out_s = f32(LUT_IN_SCALE), f32(LUT_OUT_SCALE)
    table = [lut_quantize(portable_tanh(in_s * (i - 128 - LUT_IN_ZP)), out_s, LUT_OUT_ZP)
             for i in range(256)]
    h = fnv_bytes(FNV32_OFFSET, bytes(v & 0xFF for v in table))
    for k in range(16):
        bits = struct.unpack('<Q', struct.pack('<d', portable_exp((k - 8) * 0.3125)))[0]
        h = fnv_u32(h, bits & M32)
        h = fnv_u32(h, bits >> 32)
    # quantize_scales: effective_scale = (double)in * (double)w / (double)out,
    # two roundings, then quantize_multiplier.
    qm = [fcg.quantize_multiplier((f32(SCALES_IN) * f32(ws)) / f32(SCALES_OUT)) for ws in SCALES_W]
    for m, _ in qm:
        h = fnv_u32(h, m)
    for _, sh in qm:
        h = fnv_u32(h, sh)
    return h


def emit():
    seed = fc_seed()
    return '\n'.join([
        '// SPDX-License-Identifier: MIT',
        '// Golden hashes of starling::selftest() (src/selftest.cpp). GENERATED by',
        '// tools/gen_selftest.py from its independent Python references (tools/pso_ref.py,',
        '// tools/gen_fc_golden.py, portable_exp in Python doubles); do not edit. Regenerate:',
        '//   python3 tools/gen_selftest.py > src/selftest_golden.h',
        '#pragma once',
        '#include <cstdint>',
        '',
        'namespace starling {',
        'namespace selftest_golden {',
        '// Three tuning runs: every asked coordinate and told cost, then best, evaluations, sweeps.',
        'constexpr uint32_t kPso = 0x%08xu;' % pso_hash(),
        '// The int8 layer: its LCG seed (the first from 0x%08x whose two roundings' % FC_FIRST_SEED,
        '// differ) and its outputs under double / single rounding requantize.',
        'constexpr uint32_t kFcSeed = 0x%08xu;' % seed,
        'constexpr uint32_t kFcDoubleRounding = 0x%08xu;' % fc_hash(seed, False),
        'constexpr uint32_t kFcSingleRounding = 0x%08xu;' % fc_hash(seed, True),
        '// The tanh table, portable_exp((k - 8) * 0.3125) for k < 16, quantize_scales.',
        'constexpr uint32_t kLut = 0x%08xu;' % lut_hash(),
        '}  // namespace selftest_golden',
        '}  // namespace starling',
    ]) + '\n'


if __name__ == '__main__':
    text = emit()
    if len(sys.argv) == 3 and sys.argv[1] == '--check':
        with open(sys.argv[2], encoding='utf-8') as fh:
            same = fh.read() == text
        print('%s is up to date' % sys.argv[2] if same else
              '%s differs: regenerate with python3 tools/gen_selftest.py > %s' % (sys.argv[2], sys.argv[2]))
        sys.exit(0 if same else 1)
    sys.stdout.write(text)
