#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Independent golden vectors for starling's int8 arithmetic.

Writes tests/int8/fc_golden.h: tables for quantize_multiplier, requantize
(both the default double rounding and TFLITE_SINGLE_ROUNDING) and int8
fully-connected layers, computed here from the definitions of the TensorFlow
Lite reference formulas with exact Python integers and fractions (no code is
shared with the C++ library).

    python3 tools/gen_fc_golden.py --out tests/int8/fc_golden.h    # regenerate
    python3 tools/gen_fc_golden.py --check tests/int8/fc_golden.h  # compare, exit 1 if stale

Standard library only; deterministic on every Python 3 (all random choices
come from the tiny counter-based generator below, not from `random`).

Fully-connected layers come in two kinds:
  * full layers: inputs, weights, bias, multipliers and both expected outputs
    are stored;
  * hash layers: only the parameters and a seed are stored; the test
    regenerates inputs, weights, bias and per-channel multipliers with the
    same generator (rnd() / gen_* below, mirrored in tests/int8/fc_data.hpp)
    and compares a 32-bit FNV-1a hash of the output bytes.
"""
import argparse
import math
import sys
from fractions import Fraction

M32 = 0xFFFFFFFF
INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1
MIN_SHIFT, MAX_SHIFT = -31, 30


def wrap32(v):
    """Two's-complement int32 value of the low 32 bits of v."""
    v &= M32
    return v - (1 << 32) if v >= (1 << 31) else v


# ---------------------------------------------------------------------------
# Tiny counter-based PRNG (mirrored in C++ by tests/int8/fc_data.hpp).

def mix32(x):
    """32-bit finalizer ("lowbias32", C. Wellons): a bijection on uint32."""
    x &= M32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & M32
    x ^= x >> 15
    x = (x * 0x846CA68B) & M32
    x ^= x >> 16
    return x


def rnd(seed, stream, i):
    """Random uint32 number i of stream `stream` under `seed`."""
    return mix32((mix32(seed ^ ((stream * 0x9E3779B9) & M32)) + i) & M32)


STREAM_X, STREAM_W, STREAM_BIAS, STREAM_MULT, STREAM_SHIFT = 0, 1, 2, 3, 4


def gen_x(mode, r):
    if mode == 0:
        return (r & 0xFF) - 128          # all of int8
    if mode == 1:
        return 127 if r & 1 else -128    # random extremes
    if mode == 2:
        return -128
    if mode == 3:
        return 127
    if mode == 4:
        return r % 5 - 2                 # small: many exact rounding ties
    raise ValueError(mode)


def gen_w(mode, r):
    if mode == 0:
        return r % 255 - 127             # symmetric int8 [-127, 127]
    if mode == 1:
        return 127 if r & 1 else -127
    if mode == 2:
        return -127
    if mode == 3:
        return 127
    if mode == 4:
        return r % 5 - 2
    if mode == 5:
        return (r & 0xFF) - 128          # -128 included
    raise ValueError(mode)


def gen_bias(mode, rng_range, r):
    if mode == 1:
        return r % (2 * rng_range + 1) - rng_range
    if mode == 2:                        # within 2^16 of an int32 limit: bias + dot may wrap
        return INT32_MAX - (r >> 16) if r & 1 else INT32_MIN + (r >> 16)
    raise ValueError(mode)


def fnv1a(values):
    h = 0x811C9DC5
    for v in values:
        h ^= v & 0xFF
        h = (h * 0x01000193) & M32
    return h


class Draw:
    """The generator's own choices (a counter over rnd())."""

    def __init__(self, seed):
        self.seed, self.i = seed, 0

    def u32(self):
        self.i += 1
        return rnd(self.seed, 7, self.i)

    def int(self, lo, hi):
        return lo + self.u32() % (hi - lo + 1)

    def pick(self, seq):
        return seq[self.u32() % len(seq)]

    def chance(self, p):
        return self.u32() < p * 4294967296.0

    def float32(self, lo_exp, hi_exp):
        """Random positive float32 value: random 24-bit mantissa, exponent in range."""
        mant = (1 << 23) | (self.u32() & 0x7FFFFF)
        return math.ldexp(mant, self.int(lo_exp, hi_exp) - 23)

    def float64(self, lo_exp, hi_exp):
        mant = (1 << 52) | (((self.u32() << 32) | self.u32()) & ((1 << 52) - 1))
        return math.ldexp(mant, self.int(lo_exp, hi_exp) - 52)


# ---------------------------------------------------------------------------
# Reference formulas, from their definitions.

def quantize_multiplier(real):
    """TFLite QuantizeMultiplier plus starling's documented edge decisions."""
    if math.isnan(real) or math.isinf(real) or real <= 0.0:
        return 0, 0                      # zero, negative, NaN, inf
    f = Fraction(real)
    # frexp: real = q * 2^e with q in [1/2, 1)
    e = f.numerator.bit_length() - f.denominator.bit_length()
    while f >= Fraction(2) ** e:
        e += 1
    while f < Fraction(2) ** (e - 1):
        e -= 1
    t = f * Fraction(2) ** (31 - e)      # q * 2^31 in [2^30, 2^31), exact
    q_fixed = math.floor(t + Fraction(1, 2))  # round half away from zero (t > 0)
    if q_fixed == 1 << 31:
        q_fixed //= 2
        e += 1
    if e < MIN_SHIFT:
        return 0, 0                      # flush to zero
    if e > MAX_SHIFT:
        return INT32_MAX, MAX_SHIFT      # saturate
    return q_fixed, e


def round_div_pow2_away(v, k):
    """round(v / 2^k), ties away from zero."""
    if k == 0:
        return v
    q, rem = divmod(abs(v), 1 << k)
    if 2 * rem >= (1 << k):
        q += 1
    return q if v >= 0 else -q


def round_div_pow2_up(v, k):
    """round(v / 2^k), ties toward +infinity = floor(v / 2^k + 1/2)."""
    return (v + (1 << (k - 1))) >> k


def clamp_shift(s):
    return max(MIN_SHIFT, min(MAX_SHIFT, s))


class Stats:
    def __init__(self):
        self.n = {}

    def add(self, key, k=1):
        self.n[key] = self.n.get(key, 0) + k


def requantize_double(acc, m, shift, st=None):
    shift = clamp_shift(shift)
    left, right = max(shift, 0), max(-shift, 0)
    x = wrap32(acc * (1 << left))        # the reference's wrap on real targets
    if st is not None and x != acc * (1 << left):
        st.add('left-shift wraps')
    if x == INT32_MIN and m == INT32_MIN:
        h = INT32_MAX                     # the one SRDHM overflow saturates
        if st is not None:
            st.add('SRDHM saturations')
    else:
        if st is not None and (x * m) % (1 << 31) == (1 << 30):
            st.add('SRDHM ties')
        h = round_div_pow2_up(x * m, 31)  # round(x*m / 2^31), ties up
    if st is not None and right > 0 and h % (1 << right) == (1 << (right - 1)):
        st.add('double-rounding divide ties')
    return round_div_pow2_away(h, right)


def requantize_single(acc, m, shift, st=None):
    shift = clamp_shift(shift)
    t = 31 - shift
    p = acc * m
    if st is not None and p % (1 << t) == (1 << (t - 1)):
        st.add('single-rounding ties')
    r = round_div_pow2_up(p, t)
    if st is not None and wrap32(r) != r:
        st.add('single-rounding result wraps')
    return wrap32(r)


def fully_connected(L, x, w, bias, mult, shift, st=None):
    """Outputs of the layer under (double rounding, single rounding)."""
    n, k, batches = L['out_dim'], L['in_dim'], L['batches']
    outs = ([], [])
    for b in range(batches):
        xb = [v + L['input_offset'] for v in x[b * k:(b + 1) * k]]
        for o in range(n):
            dot = sum(wv * xv for wv, xv in zip(w[o * k:(o + 1) * k], xb))
            assert abs(dot) < (1 << 30)
            acc = wrap32(dot + (bias[o] if bias is not None else 0))
            if st is not None and bias is not None and acc != dot + bias[o]:
                st.add('bias wraps')
            c = o if L['per_channel'] else 0
            for rq, res in ((requantize_double, outs[0]), (requantize_single, outs[1])):
                y = wrap32(rq(acc, mult[c], shift[c], st) + L['output_offset'])
                if st is not None and (y < L['act_min'] or y > L['act_max']):
                    st.add('clamped outputs')
                res.append(max(L['act_min'], min(L['act_max'], y)))
    return outs


# ---------------------------------------------------------------------------
# quantize_multiplier table.

def qm_values(d):
    v = [0.0, -0.0, 1.0, 0.5, 0.25, 2.0, -1.0, -0.5, -1e-10, -math.inf, math.inf, math.nan,
         5e-324, 2.2250738585072014e-308, 1.7976931348623157e+308, 1e300, 1e-300]
    v += [math.ldexp(1.0, k) for k in range(-40, 41)]                    # powers of two
    for k in range(-34, 33, 3):                                          # carry: just below 2^k
        for ulps in (53, 40, 34, 33, 32):
            v.append(math.ldexp(1.0 - math.ldexp(1.0, -ulps), k))
    for ulps in (31, 30):                                                # no carry
        v.append(1.0 - math.ldexp(1.0, -ulps))
    v += [math.ldexp(1.0, -32), math.ldexp(1.0, -33), math.ldexp(1.5, -33), math.ldexp(1.0, -32) * (1 - 2 ** -40),
          math.ldexp(1.0, -32) * (1 - 2 ** -31), math.ldexp(1.0, -32) * (1 - 2 ** -33),
          math.ldexp(1.0, 30) * (1 - 2 ** -33), math.ldexp(1.0, 30) * (1 - 2 ** -31),
          math.ldexp(1.0, 29) * (1 + 2 ** -30), 1e10, 3.0e9, 1073741823.0, 1073741824.0]
    for _ in range(60):                                                  # exact ties of q*2^31
        e = d.int(-31, 30)
        n = (1 << 30) + d.int(0, (1 << 30) - 1)   # q*2^31 = n + 1/2
        v.append(math.ldexp(2 * n + 1, e - 32))
    for _ in range(120):                                                 # log-uniform doubles
        v.append(d.float64(-36, 34))
    for _ in range(80):                                                  # layer scales
        v.append(float(d.float32(-12, -4)) * float(d.float32(-10, -5)) / float(d.float32(-8, 0)))
    return v


# ---------------------------------------------------------------------------
# requantize table.

def rq_cases(d):
    cases = []
    special_acc = [0, 1, -1, 2, -2, 3, -3, 127, -128, INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1,
                   1 << 30, -(1 << 30), (1 << 30) - 1]
    special_m = [0, 1, -1, 1 << 30, (1 << 30) + 1, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1518500250]
    for s in range(MIN_SHIFT, MAX_SHIFT + 1):
        for _ in range(3):
            cases.append((d.pick(special_acc), d.pick(special_m), s))
        for _ in range(3):                               # random values of each magnitude
            acc = wrap32(d.u32()) >> d.int(0, 31)
            m = (1 << 30) | (d.u32() & ((1 << 30) - 1))
            cases.append((acc, m, s))
        cases.append((wrap32(d.u32()), wrap32(d.u32()), s))   # anything, negative multipliers too
        # exact tie at SRDHM: x*m = odd * 2^30
        a = 2 * d.int(-1000, 1000) + 1
        cases.append((a, 1 << 30, s) if s <= 0 else (wrap32(a), 1 << 30, s))
        if s < 0:                                        # exact tie at the divide stage
            r = -s
            if r <= 30:                                  # h = odd * 2^(r-1), |2h| < 2^31
                j = d.int(-(1 << (30 - r)), (1 << (30 - r)) - 1)
                h = (2 * j + 1) << (r - 1)
                cases.append((2 * h, 1 << 30, s))        # SRDHM(2h, 2^30) = h exactly
                cases.append((-2 * h, 1 << 30, s))
            else:
                cases.append((INT32_MIN, 1 << 30, s))    # h = -2^30: -0.5 after / 2^31
        t = 31 - s                                       # exact single-rounding tie:
        if t >= 31:                                      # acc*m = odd * 2^(t-1)
            k = t - 31
            if k <= 30:
                j = d.int(-(1 << (30 - k)), (1 << (30 - k)) - 1)
                acc = (2 * j + 1) << k
                cases.append((acc, 1 << 30, s))
                cases.append((-acc, 1 << 30, s))
            else:
                cases.append((INT32_MIN, 1 << 30, s))
        else:
            m = (2 * d.int(0, (1 << (31 - t)) - 1) + 1) << (t - 1)
            a = 2 * d.int(-5000, 5000) + 1
            cases.append((a, m, s))
            cases.append((-a, m, s))
        if s > 0:                                        # left shift wraps
            cases.append((wrap32((1 << (31 - s)) + d.int(0, 1000)), (1 << 30) + d.int(0, 1 << 29), s))
            cases.append((1 << (31 - s), INT32_MIN, s))  # wraps to INT32_MIN: SRDHM saturation
        cases.append((INT32_MIN, INT32_MIN, s))          # SRDHM saturation (s <= 0)
    cases += [(5, 1 << 30, -1), (-5, 1 << 30, -1), (3, 1 << 30, -1), (-3, 1 << 30, -1),
              (1, 1 << 30, 0), (-1, 1 << 30, 0), (100, 1 << 30, -32), (100, 1 << 30, 31),
              (100, 1 << 30, -1000), (100, 1 << 30, 1000)]  # out-of-range shifts are clamped
    return cases


# ---------------------------------------------------------------------------
# Fully-connected layers.

def scale_for(in_dim, d, spread=3):
    """A per-tensor scale that keeps typical outputs inside int8 (+- spread octaves)."""
    typical = 0.004 / math.sqrt(in_dim)
    return math.ldexp(typical, d.int(-spread, spread)) * (1.0 + d.u32() / 4294967296.0)


def random_offsets(L, d, extreme_p=0.15):
    L['input_offset'] = d.pick([-127, 128]) if d.chance(extreme_p) else d.int(-127, 128)
    L['output_offset'] = d.pick([-128, 127]) if d.chance(extreme_p) else d.int(-128, 127)


def random_clamp(L, d):
    kind = d.int(0, 5)
    if kind <= 2:
        L['act_min'], L['act_max'] = -128, 127
    elif kind == 3:                                      # relu-like
        L['act_min'], L['act_max'] = max(-128, min(127, L['output_offset'])), 127
    elif kind == 4:
        a, b = d.int(-128, 127), d.int(-128, 127)
        L['act_min'], L['act_max'] = min(a, b), max(a, b)
    else:
        a = d.int(-128, 127)
        L['act_min'], L['act_max'] = a, a


def hash_layers(d):
    layers = []

    def new(in_dim, out_dim, batches, x_mode=0, w_mode=0):
        L = dict(in_dim=in_dim, out_dim=out_dim, batches=batches, x_mode=x_mode, w_mode=w_mode,
                 per_channel=0, mult_mode=0, multiplier=0, shift=0, shift_lo=0, shift_hi=0,
                 bias_mode=0, bias_range=0, seed=d.u32(), input_offset=0, output_offset=0,
                 act_min=-128, act_max=127)
        layers.append(L)
        return L

    def per_tensor(L, real):
        L['multiplier'], L['shift'] = quantize_multiplier(real)

    def per_channel_random(L, center_real):
        L['per_channel'], L['mult_mode'] = 1, 1
        _, s = quantize_multiplier(center_real)
        L['shift_lo'], L['shift_hi'] = max(MIN_SHIFT, s - 2), min(MAX_SHIFT, s + 1)

    def bias(L, p_none=0.3):
        if d.chance(p_none):
            return
        # Mostly of the size of the dot product (|dot| ~ 2^13 * sqrt(in_dim)), at times up to 2^30.
        top = 30 if d.chance(0.1) else 13 + (L['in_dim'].bit_length() + 1) // 2
        L['bias_mode'], L['bias_range'] = 1, 1 << d.int(0, top)

    # 1. general random layers
    for _ in range(320):
        L = new(d.int(1, 70), d.int(1, 70), d.int(1, 4), 0, d.pick([0, 0, 0, 5]))
        random_offsets(L, d)
        random_clamp(L, d)
        bias(L)
        if d.chance(0.5):
            per_channel_random(L, scale_for(L['in_dim'], d))
        else:
            per_tensor(L, scale_for(L['in_dim'], d))
            L['per_channel'] = int(d.chance(0.2))        # per-channel flag, equal channels
    # 2. all-extreme inputs and weights, extreme offsets
    for i in range(72):
        L = new(d.int(1, 70), d.int(1, 40), d.int(1, 3), d.pick([1, 2, 3]), d.pick([1, 2, 3, 5]))
        L['input_offset'] = d.pick([-127, 128])
        L['output_offset'] = d.pick([-128, 127])
        random_clamp(L, d)
        bias(L, 0.5)
        full = 100.0 / (L['in_dim'] * 32640)             # +-100 at the largest |dot|
        per_tensor(L, math.ldexp(full, d.int(-3, 5)))
        if i % 3 == 0:
            per_channel_random(L, math.ldexp(full, d.int(-2, 4)))
    # 3. long rows at the extremes (accumulators near +-2^30 / in_dim bound)
    for in_dim in (255, 256, 511, 1024, 1031, 2047, 2048, 3000):
        L = new(in_dim, d.int(1, 8), 1, d.pick([1, 2, 3]), d.pick([1, 2, 3, 5]))
        L['input_offset'] = d.pick([-127, 128])
        L['output_offset'] = d.int(-128, 127)
        per_tensor(L, scale_for(L['in_dim'], d, 8))
    # 4. exact rounding ties: power-of-two scales and small values
    for _ in range(72):
        L = new(d.int(1, 24), d.int(1, 40), d.int(1, 4), 4, 4)
        L['input_offset'] = d.int(-2, 2)
        L['output_offset'] = d.int(-20, 20)
        per_tensor(L, math.ldexp(1.0, d.int(-7, 0)))     # multiplier 2^30, shift -6..1
        bias(L, 0.5)
        if L['bias_mode']:
            L['bias_range'] = 1 << d.int(0, 6)
    # 5. saturation at the clamp: large scales, narrow clamps
    for _ in range(40):
        L = new(d.int(1, 70), d.int(1, 40), d.int(1, 3), d.pick([0, 1]), d.pick([0, 1, 5]))
        random_offsets(L, d, 0.5)
        random_clamp(L, d)
        per_tensor(L, math.ldexp(1.0 + d.u32() / 4294967296.0, d.int(-6, 8)))
        bias(L)
    # 6. left shifts that wrap (scales >= 2: shift 1..30)
    for _ in range(24):
        L = new(d.int(1, 70), d.int(1, 40), d.int(1, 2), d.pick([0, 1]), d.pick([0, 1]))
        random_offsets(L, d, 0.5)
        per_tensor(L, math.ldexp(1.0 + d.u32() / 4294967296.0, d.int(1, 29)))
        if d.chance(0.5):
            L['per_channel'], L['mult_mode'] = 1, 1
            L['shift_lo'], L['shift_hi'] = 8, 30
        bias(L)
    # 7. bias of any int32 (bias + dot wraps)
    for _ in range(12):
        L = new(d.int(1, 70), d.int(1, 40), d.int(1, 2))
        random_offsets(L, d)
        L['bias_mode'] = 2
        per_tensor(L, math.ldexp(1.0, -d.int(20, 31)))
    # 8. zero and flushed multipliers, shift -31
    for real in (0.0, 1e-12, math.ldexp(1.0, -32), math.ldexp(1.5, -33), math.ldexp(1.0, -31)):
        L = new(d.int(1, 70), d.int(1, 40), 1, 1, 1)
        random_offsets(L, d)
        L['bias_mode'] = 2
        per_tensor(L, real)
    return layers


def make_hash_data(L):
    k, n, nb, seed = L['in_dim'], L['out_dim'], L['batches'], L['seed']
    x = [gen_x(L['x_mode'], rnd(seed, STREAM_X, i)) for i in range(nb * k)]
    w = [gen_w(L['w_mode'], rnd(seed, STREAM_W, i)) for i in range(n * k)]
    bias = None
    if L['bias_mode']:
        bias = [gen_bias(L['bias_mode'], L['bias_range'], rnd(seed, STREAM_BIAS, o)) for o in range(n)]
    if L['mult_mode'] == 1:
        span = L['shift_hi'] - L['shift_lo'] + 1
        mult = [(1 << 30) | (rnd(seed, STREAM_MULT, o) & ((1 << 30) - 1)) for o in range(n)]
        shift = [L['shift_lo'] + rnd(seed, STREAM_SHIFT, o) % span for o in range(n)]
    else:
        mult, shift = [L['multiplier']] * n, [L['shift']] * n
    return x, w, bias, mult, shift


def full_layers(d):
    layers = []
    for i in range(40):
        L = dict(in_dim=d.int(1, 12) if i % 4 else d.int(13, 33), out_dim=d.int(1, 12),
                 batches=d.int(1, 3), per_channel=int(i % 2 == 1))
        random_offsets(L, d, 0.25)
        random_clamp(L, d)
        k, n, nb = L['in_dim'], L['out_dim'], L['batches']
        xm, wm = (0, 0) if i % 5 else (1, 5)
        L['x'] = [gen_x(xm, d.u32()) for _ in range(nb * k)]
        L['w'] = [gen_w(wm, d.u32()) for _ in range(n * k)]
        L['bias'] = None if i % 3 == 2 else [d.int(-20000, 20000) for _ in range(n)]
        # Float32 scales as a quantizer would give them; effective scale in double.
        L['in_scale'] = d.float32(-9, -5)
        L['out_scale'] = d.float32(-5, -1) if i % 7 else d.float32(-14, -12)
        L['w_scales'] = [d.float32(-10, -5) for _ in range(n if L['per_channel'] else 1)]
        qm = [quantize_multiplier(float(L['in_scale']) * float(ws) / float(L['out_scale']))
              for ws in L['w_scales']]
        L['mult'] = [m for m, _ in qm]
        L['shift'] = [s for _, s in qm]
        layers.append(L)
    return layers


# ---------------------------------------------------------------------------
# Output.

def c_int32(v):
    return '-2147483647 - 1' if v == INT32_MIN else str(v)


def c_double(v):
    if math.isnan(v):
        return 'std::numeric_limits<double>::quiet_NaN()'
    if math.isinf(v):
        return ('-' if v < 0 else '') + 'std::numeric_limits<double>::infinity()'
    if v == 0.0:
        return '-0.0' if math.copysign(1.0, v) < 0 else '0.0'
    return v.hex()


def c_array(ctype, name, values, fmt=str, per_line=16):
    lines = ['static const %s %s[%d] = {' % (ctype, name, len(values))]
    for i in range(0, len(values), per_line):
        lines.append('    ' + ', '.join(fmt(v) for v in values[i:i + per_line]) + ',')
    lines.append('};')
    return lines


def generate():
    d = Draw(0x5EED0001)
    st = Stats()
    out = []
    w = out.append

    qm = [(v, *quantize_multiplier(v)) for v in qm_values(d)]
    rq = [(a, m, s, requantize_double(a, m, s, st), requantize_single(a, m, s, st)) for a, m, s in rq_cases(d)]
    rq_stats = dict(st.n)

    st = Stats()
    fls = full_layers(d)
    for L in fls:
        L['out_double'], L['out_single'] = fully_connected(L, L['x'], L['w'], L['bias'], L['mult'], L['shift'], st)
    hls = hash_layers(d)
    for L in hls:
        x, wt, b, mult, shift = make_hash_data(L)
        yd, ys = fully_connected(L, x, wt, b, mult, shift, st)
        L['hash_double'], L['hash_single'] = fnv1a(yd), fnv1a(ys)
    fc_stats = dict(st.n)
    n_hash_outputs = sum(L['batches'] * L['out_dim'] for L in hls)
    n_full_outputs = sum(L['batches'] * L['out_dim'] for L in fls)

    w('// SPDX-License-Identifier: MIT')
    w('// tests/int8/fc_golden.h: golden vectors for starling\'s int8 arithmetic.')
    w('//')
    w('// GENERATED by tools/gen_fc_golden.py -- do not edit. Regenerate with')
    w('//   python3 tools/gen_fc_golden.py --out tests/int8/fc_golden.h')
    w('// The generator implements the TensorFlow Lite reference formulas')
    w('// (QuantizeMultiplier, MultiplyByQuantizedMultiplier with and without')
    w('// TFLITE_SINGLE_ROUNDING, reference_integer_ops::FullyConnected) from their')
    w('// definitions with exact Python integers; it shares no code with starling.')
    w('//')
    w('// Contents: %d quantize_multiplier cases, %d requantize cases (both roundings),' % (len(qm), len(rq)))
    w('// %d full fully-connected layers (%d outputs per rounding) and %d hashed layers' % (len(fls), n_full_outputs, len(hls)))
    w('// (%d outputs per rounding, regenerated by tests/int8/fc_data.hpp).' % n_hash_outputs)
    w('// requantize table events: ' + ', '.join('%s %d' % kv for kv in sorted(rq_stats.items())) + '.')
    w('// fully-connected events (both roundings): ' + ', '.join('%s %d' % kv for kv in sorted(fc_stats.items())) + '.')
    w('#pragma once')
    w('#include <cstdint>')
    w('#include <limits>')
    w('')
    w('namespace fc_golden {')
    w('')
    w('struct QmCase { double real; int32_t multiplier; int shift; };')
    w('struct RqCase { int32_t acc; int32_t multiplier; int shift; int32_t dbl; int32_t sgl; };')
    w('struct FullLayer {')
    w('  int in_dim, out_dim, batches;')
    w('  int32_t input_offset, output_offset, act_min, act_max;')
    w('  bool per_channel;')
    w('  float in_scale, out_scale;')
    w('  const float* w_scales;                       // per_channel ? out_dim : 1')
    w('  const int32_t* multiplier; const int32_t* shift;  // quantize_multiplier(effective scale)')
    w('  const int8_t* input; const int8_t* weights; const int32_t* bias;  // bias may be null')
    w('  const int8_t* out_double; const int8_t* out_single;')
    w('};')
    w('struct HashLayer {')
    w('  int16_t in_dim, out_dim, batches, input_offset, output_offset, act_min, act_max;')
    w('  uint8_t per_channel, x_mode, w_mode, bias_mode, mult_mode;')
    w('  int8_t shift, shift_lo, shift_hi;')
    w('  int32_t bias_range, multiplier;')
    w('  uint32_t seed, hash_double, hash_single;')
    w('};')
    w('')
    w('static const QmCase kQuantizeMultiplier[] = {')
    for v, m, s in qm:
        w('    {%s, %s, %d},' % (c_double(v), c_int32(m), s))
    w('};')
    w('')
    w('static const RqCase kRequantize[] = {')
    for a, m, s, dv, sv in rq:
        w('    {%s, %s, %d, %s, %s},' % (c_int32(a), c_int32(m), s, c_int32(dv), c_int32(sv)))
    w('};')
    w('')
    for i, L in enumerate(fls):
        p = 'f%d_' % i
        out.extend(c_array('float', p + 'ws', L['w_scales'], lambda v: v.hex() + 'f', 4))
        out.extend(c_array('int32_t', p + 'm', L['mult'], c_int32, 8))
        out.extend(c_array('int32_t', p + 's', L['shift'], str))
        out.extend(c_array('int8_t', p + 'x', L['x']))
        out.extend(c_array('int8_t', p + 'w', L['w']))
        if L['bias'] is not None:
            out.extend(c_array('int32_t', p + 'b', L['bias'], str, 10))
        out.extend(c_array('int8_t', p + 'yd', L['out_double']))
        out.extend(c_array('int8_t', p + 'ys', L['out_single']))
    w('static const FullLayer kFullLayers[] = {')
    for i, L in enumerate(fls):
        p = 'f%d_' % i
        w('    {%d, %d, %d, %d, %d, %d, %d, %s, %sf, %sf, %sws, %sm, %ss, %sx, %sw, %s, %syd, %sys},' % (
            L['in_dim'], L['out_dim'], L['batches'], L['input_offset'], L['output_offset'],
            L['act_min'], L['act_max'], 'true' if L['per_channel'] else 'false',
            L['in_scale'].hex(), L['out_scale'].hex(), p, p, p, p, p,
            (p + 'b') if L['bias'] is not None else 'nullptr', p, p))
    w('};')
    w('')
    w('// {in, out, batches, in_off, out_off, act_min, act_max, per_channel, x_mode, w_mode,')
    w('//  bias_mode, mult_mode, shift, shift_lo, shift_hi, bias_range, multiplier, seed,')
    w('//  hash_double, hash_single}')
    w('static const HashLayer kHashLayers[] = {')
    for L in hls:
        w('    {%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s, 0x%08Xu, 0x%08Xu, 0x%08Xu},' % (
            L['in_dim'], L['out_dim'], L['batches'], L['input_offset'], L['output_offset'],
            L['act_min'], L['act_max'], L['per_channel'], L['x_mode'], L['w_mode'], L['bias_mode'],
            L['mult_mode'], L['shift'], L['shift_lo'], L['shift_hi'], L['bias_range'],
            c_int32(L['multiplier']), L['seed'], L['hash_double'], L['hash_single']))
    w('};')
    w('')
    w('// Buffer sizes a test needs for the hashed layers.')
    w('constexpr int kMaxHashInput = %d;' % max(L['batches'] * L['in_dim'] for L in hls))
    w('constexpr int kMaxHashWeights = %d;' % max(L['out_dim'] * L['in_dim'] for L in hls))
    w('constexpr int kMaxHashOut = %d;' % max(L['out_dim'] for L in hls))
    w('constexpr int kMaxHashOutput = %d;' % max(L['batches'] * L['out_dim'] for L in hls))
    w('')
    w('}  // namespace fc_golden')
    return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--out', metavar='PATH', help='write the header to PATH')
    g.add_argument('--check', metavar='PATH', help='regenerate in memory; exit 1 if PATH differs')
    args = ap.parse_args()
    text = generate()
    if args.out:
        with open(args.out, 'w', encoding='utf-8', newline='\n') as f:
            f.write(text)
        return 0
    try:
        with open(args.check, encoding='utf-8', newline='') as f:
            old = f.read()
    except OSError as e:
        print('cannot read %s: %s' % (args.check, e))
        return 1
    if old != text:
        print('%s is stale: regenerate with python3 tools/gen_fc_golden.py --out %s' % (args.check, args.check))
        return 1
    print('%s is up to date' % args.check)
    return 0


if __name__ == '__main__':
    sys.exit(main())
