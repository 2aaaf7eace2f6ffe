#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden vectors for starling's int8 layer kernels (include/starling/layers.hpp).

Writes tests/int8/layer_golden.h: convolution, depthwise convolution,
average and max pooling, addition and softmax cases whose expected outputs
(under both requantize roundings) come from tools/int8_ref.py, an
independent pure-Python implementation of TensorFlow Lite Micro's reference
int8 kernels (no code shared with the C++ library).

    python3 tools/gen_layer_golden.py --out tests/int8/layer_golden.h    # regenerate
    python3 tools/gen_layer_golden.py --check tests/int8/layer_golden.h  # exit 1 if stale

Standard library only; deterministic (every random choice comes from the
counter-based generator of tools/gen_fc_golden.py).

Two kinds of case, as in fc_golden.h:
  * full cases: small layers whose inputs, weights and both outputs are
    stored in the header;
  * hashed cases: the header stores the parameters and a seed; the test
    regenerates the tensors with the same generator (tests/int8/layer_data.hpp
    mirrors make_* below) and compares an FNV-1a hash of the output bytes.
Sizes are kept small enough for the bare-metal test image and for a
--check run of a few seconds.
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_fc_golden as fc  # noqa: E402
import int8_ref as ref  # noqa: E402

rnd, gen_x, gen_w, gen_bias, fnv1a = fc.rnd, fc.gen_x, fc.gen_w, fc.gen_bias, fc.fnv1a
STREAM_X, STREAM_W, STREAM_BIAS, STREAM_MULT, STREAM_SHIFT = 0, 1, 2, 3, 4
STREAM_X2 = 5  # add_s8's second input

CONV_FIELDS = ('batches', 'in_h', 'in_w', 'in_c', 'out_h', 'out_w', 'out_c', 'k_h', 'k_w',
               'stride_h', 'stride_w', 'dilation_h', 'dilation_w', 'pad_h', 'pad_w',
               'depth_multiplier', 'input_offset', 'output_offset', 'act_min', 'act_max',
               'x_mode', 'w_mode', 'bias_mode', 'bias_range', 'mult_mode', 'multiplier',
               'shift', 'shift_lo', 'shift_hi', 'seed')
POOL_FIELDS = ('batches', 'in_h', 'in_w', 'channels', 'out_h', 'out_w', 'k_h', 'k_w',
               'stride_h', 'stride_w', 'pad_h', 'pad_w', 'act_min', 'act_max', 'x_mode', 'seed')
ADD_FIELDS = ('size', 'in1_offset', 'in2_offset', 'out_offset', 'left_shift', 'in1_multiplier',
              'in1_shift', 'in2_multiplier', 'in2_shift', 'out_multiplier', 'out_shift',
              'act_min', 'act_max', 'x_mode', 'x2_mode', 'seed')
SOFTMAX_FIELDS = ('rows', 'cols', 'input_multiplier', 'input_left_shift', 'diff_min', 'x_mode', 'seed')


# ---------------------------------------------------------------------------
# Tensors of a hashed case (mirrored by tests/int8/layer_data.hpp).

def make_conv_data(L):
    """Input, filter, bias (or None), multipliers and shifts of a conv/depthwise case."""
    seed, oc = L['seed'], L['out_c']
    nx = L['batches'] * L['in_h'] * L['in_w'] * L['in_c']
    nw = oc * L['k_h'] * L['k_w'] * (1 if L['depth_multiplier'] else L['in_c'])
    x = [gen_x(L['x_mode'], rnd(seed, STREAM_X, i)) for i in range(nx)]
    w = [gen_w(L['w_mode'], rnd(seed, STREAM_W, i)) for i in range(nw)]
    bias = None
    if L['bias_mode']:
        bias = [gen_bias(L['bias_mode'], L['bias_range'], rnd(seed, STREAM_BIAS, o)) for o in range(oc)]
    if L['mult_mode'] == 1:
        span = L['shift_hi'] - L['shift_lo'] + 1
        mult = [(1 << 30) | (rnd(seed, STREAM_MULT, o) & ((1 << 30) - 1)) for o in range(oc)]
        shift = [L['shift_lo'] + rnd(seed, STREAM_SHIFT, o) % span for o in range(oc)]
    else:
        mult, shift = [L['multiplier']] * oc, [L['shift']] * oc
    return x, w, bias, mult, shift


def make_pool_data(L):
    n = L['batches'] * L['in_h'] * L['in_w'] * L['channels']
    return [gen_x(L['x_mode'], rnd(L['seed'], STREAM_X, i)) for i in range(n)]


def make_add_data(L):
    a = [gen_x(L['x_mode'], rnd(L['seed'], STREAM_X, i)) for i in range(L['size'])]
    b = [gen_x(L['x2_mode'], rnd(L['seed'], STREAM_X2, i)) for i in range(L['size'])]
    return a, b


def make_softmax_data(L):
    return [gen_x(L['x_mode'], rnd(L['seed'], STREAM_X, i)) for i in range(L['rows'] * L['cols'])]


def conv_params(L, mult, shift):
    p = {k: L[k] for k in CONV_FIELDS[:20]}
    p['multiplier'], p['shift'] = mult, shift
    return p


def run_conv(L, rounding, data=None):
    x, w, bias, mult, shift = data or make_conv_data(L)
    p = conv_params(L, mult, shift)
    if L['depth_multiplier']:
        ref.check_conv(p, depthwise=True)
        return ref.depthwise_conv2d(p, x, w, bias, rounding)
    ref.check_conv(p)
    return ref.conv2d(p, x, w, bias, rounding)


# ---------------------------------------------------------------------------
# Case lists.

def random_offsets(L, d, extreme_p=0.15):
    L['input_offset'] = d.pick([-127, 128]) if d.chance(extreme_p) else d.int(-127, 128)
    L['output_offset'] = d.pick([-128, 127]) if d.chance(extreme_p) else d.int(-128, 127)


def random_clamp(L, d, off_key='output_offset'):
    kind = d.int(0, 5)
    if kind <= 2:
        L['act_min'], L['act_max'] = -128, 127
    elif kind == 3:                                          # ReLU-like
        L['act_min'], L['act_max'] = max(-128, min(127, L.get(off_key, 0))), 127
    elif kind == 4:
        a, b = d.int(-128, 127), d.int(-128, 127)
        L['act_min'], L['act_max'] = min(a, b), max(a, b)
    else:
        a = d.int(-128, 127)
        L['act_min'], L['act_max'] = a, a


def geometry(L, d, max_in=10, max_k=5, max_stride=3, max_dil=3):
    """Random spatial geometry: TFLite SAME/VALID padding most of the time, else
    any padding and output size the layer accepts (windows in the padding)."""
    while True:
        L['in_h'], L['in_w'] = d.int(1, max_in), d.int(1, max_in)
        L['k_h'], L['k_w'] = d.int(1, max_k), d.int(1, max_k)
        L['stride_h'], L['stride_w'] = d.int(1, max_stride), d.int(1, max_stride)
        L['dilation_h'] = d.int(1, max_dil) if d.chance(0.3) else 1
        L['dilation_w'] = d.int(1, max_dil) if d.chance(0.3) else 1
        kind = d.int(0, 9)
        if kind < 8:
            mode = 'SAME' if kind < 5 else 'VALID'
            L['out_h'], L['pad_h'] = ref.out_and_pad(mode, L['in_h'], L['k_h'], L['stride_h'], L['dilation_h'])
            L['out_w'], L['pad_w'] = ref.out_and_pad(mode, L['in_w'], L['k_w'], L['stride_w'], L['dilation_w'])
        else:
            L['pad_h'], L['pad_w'] = d.int(0, L['k_h'] + 2), d.int(0, L['k_w'] + 2)
            L['out_h'], L['out_w'] = d.int(1, 6), d.int(1, 6)
        if L['out_h'] >= 1 and L['out_w'] >= 1:
            return


def scale_shift(depth, d, spread=2):
    """(multiplier, shift) of a per-tensor scale keeping typical outputs inside int8."""
    typical = 0.004 / math.sqrt(depth)
    return fc.quantize_multiplier(math.ldexp(typical, d.int(-spread, spread)) * (1.0 + d.u32() / 4294967296.0))


def new_conv(d, dw):
    return dict(batches=1, depth_multiplier=0, x_mode=0, w_mode=0, bias_mode=0, bias_range=0,
                mult_mode=0, multiplier=0, shift=0, shift_lo=0, shift_hi=0, seed=d.u32(),
                input_offset=0, output_offset=0, act_min=-128, act_max=127) if not dw else dict(
                batches=1, depth_multiplier=1, x_mode=0, w_mode=0, bias_mode=0, bias_range=0,
                mult_mode=0, multiplier=0, shift=0, shift_lo=0, shift_hi=0, seed=d.u32(),
                input_offset=0, output_offset=0, act_min=-128, act_max=127)


def quantization(L, d, depth, bias_p=0.3):
    m, s = scale_shift(depth, d)
    if d.chance(0.6):
        L['mult_mode'] = 1
        L['shift_lo'], L['shift_hi'] = max(-31, s - 2), min(30, s + 1)
    else:
        L['multiplier'], L['shift'] = m, s
    if not d.chance(bias_p):
        top = 30 if d.chance(0.1) else 13 + (depth.bit_length() + 1) // 2
        L['bias_mode'], L['bias_range'] = 1, 1 << d.int(0, top)


def conv_cases(d, dw):
    cases = []
    name = 'depthwise' if dw else 'conv'

    def depth_of(L):
        return L['k_h'] * L['k_w'] * (1 if dw else L['in_c'])

    def channels(L, max_c, max_dm=4):
        if dw:
            L['in_c'] = d.int(1, max_c)
            L['depth_multiplier'] = d.int(1, max_dm) if d.chance(0.4) else 1
            L['out_c'] = L['in_c'] * L['depth_multiplier']
        else:
            L['in_c'], L['out_c'] = d.int(1, max_c), d.int(1, max_c)

    # 1. random layers: shapes, strides, dilations, paddings, odd sizes
    for _ in range(110):
        L = new_conv(d, dw)
        L['batches'] = d.int(1, 2)
        geometry(L, d)
        channels(L, 19 if not dw else 21)
        L['w_mode'] = d.pick([0, 0, 0, 5])
        random_offsets(L, d)
        random_clamp(L, d)
        quantization(L, d, depth_of(L))
        cases.append(L)
    # 2. SIMD-sized channel counts (tails around 4, 8, 16, 32, 64 lanes)
    for c in (3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 48, 63, 64, 65):
        L = new_conv(d, dw)
        L['in_h'], L['in_w'], L['k_h'], L['k_w'] = d.int(3, 6), d.int(3, 6), 3, 3
        L['stride_h'] = L['stride_w'] = d.pick([1, 1, 2])
        L['dilation_h'] = L['dilation_w'] = 1
        L['out_h'], L['pad_h'] = ref.out_and_pad('SAME', L['in_h'], 3, L['stride_h'])
        L['out_w'], L['pad_w'] = ref.out_and_pad('SAME', L['in_w'], 3, L['stride_w'])
        if dw:
            L['in_c'], L['depth_multiplier'] = c, d.pick([1, 1, 1, 2])
            L['out_c'] = c * L['depth_multiplier']
        else:
            L['in_c'], L['out_c'] = c, d.pick([c, 8, 13, 16, 20])
        random_offsets(L, d)
        random_clamp(L, d)
        quantization(L, d, depth_of(L))
        cases.append(L)
    # 3. pointwise layers (1x1, stride 1, no padding): the FC path, and 1x1 with stride
    for _ in range(16):
        L = new_conv(d, dw)
        L['in_h'], L['in_w'] = d.int(1, 6), d.int(1, 6)
        L['k_h'] = L['k_w'] = 1
        L['stride_h'] = L['stride_w'] = d.pick([1, 1, 1, 2])
        L['dilation_h'] = L['dilation_w'] = 1
        L['pad_h'] = L['pad_w'] = 0
        L['out_h'] = ref.compute_out_size('VALID', L['in_h'], 1, L['stride_h'])
        L['out_w'] = ref.compute_out_size('VALID', L['in_w'], 1, L['stride_w'])
        channels(L, 40)
        random_offsets(L, d)
        random_clamp(L, d)
        quantization(L, d, depth_of(L))
        cases.append(L)
    # 4. extreme inputs, filters and offsets
    for i in range(30):
        L = new_conv(d, dw)
        geometry(L, d, 7, 4)
        channels(L, 12)
        L['x_mode'], L['w_mode'] = d.pick([1, 2, 3]), d.pick([1, 2, 3, 5])
        L['input_offset'], L['output_offset'] = d.pick([-127, 128]), d.pick([-128, 127])
        random_clamp(L, d)
        full = 100.0 / (depth_of(L) * 32640)
        L['multiplier'], L['shift'] = fc.quantize_multiplier(math.ldexp(full, d.int(-3, 5)))
        if i % 3 == 0:
            L['mult_mode'] = 1
            _, s = fc.quantize_multiplier(math.ldexp(full, d.int(-2, 4)))
            L['shift_lo'], L['shift_hi'] = max(-31, s - 2), min(30, s + 1)
        if d.chance(0.5):
            L['bias_mode'], L['bias_range'] = 1, 1 << d.int(0, 30)
        cases.append(L)
    # 5. the deepest accumulations (depth kConvMaxDepth) at the extremes: |acc| near 2^30
    for k, c in ((4, 2048), (1, 32768) if not dw else (181, 1), (3, 3640)):
        L = new_conv(d, dw)
        if dw:
            L['in_h'], L['in_w'], L['k_h'], L['k_w'], L['in_c'] = k, k, k, k, 2
            L['out_c'] = 2
        else:
            L['in_h'], L['in_w'], L['k_h'], L['k_w'], L['in_c'], L['out_c'] = k, k, k, k, c, 2
        L['stride_h'] = L['stride_w'] = L['dilation_h'] = L['dilation_w'] = 1
        L['pad_h'] = L['pad_w'] = 0
        L['out_h'] = L['out_w'] = 1
        L['x_mode'], L['w_mode'] = d.pick([1, 2, 3]), d.pick([1, 2, 3, 5])
        L['input_offset'], L['output_offset'] = d.pick([-127, 128]), d.int(-128, 127)
        L['multiplier'], L['shift'] = scale_shift(depth_of(L), d, 8)
        cases.append(L)
    # 6. left shifts that wrap, bias near the int32 limits (bias + dot wraps), zero multipliers
    for i in range(18):
        L = new_conv(d, dw)
        geometry(L, d, 6, 3)
        channels(L, 9)
        random_offsets(L, d, 0.5)
        if i % 3 == 0:
            L['multiplier'], L['shift'] = fc.quantize_multiplier(math.ldexp(1.0 + d.u32() / 4294967296.0, d.int(1, 29)))
        elif i % 3 == 1:
            L['mult_mode'], L['shift_lo'], L['shift_hi'] = 1, 8, 30
            L['bias_mode'], L['bias_range'] = 1, 1 << d.int(0, 30)
        else:
            L['bias_mode'] = 2
            L['multiplier'], L['shift'] = d.pick([(0, 0), fc.quantize_multiplier(math.ldexp(1.0, -d.int(20, 31)))])
        cases.append(L)
    # 7. exact rounding ties: power-of-two scales, small values
    for _ in range(12):
        L = new_conv(d, dw)
        geometry(L, d, 6, 3)
        channels(L, 9)
        L['x_mode'], L['w_mode'] = 4, 4
        L['input_offset'], L['output_offset'] = d.int(-2, 2), d.int(-20, 20)
        L['multiplier'], L['shift'] = fc.quantize_multiplier(math.ldexp(1.0, d.int(-7, 0)))
        cases.append(L)
    for L in cases:
        L['kind'] = name
    return cases


def pool_cases(d):
    cases = []

    def new():
        return dict(batches=1, x_mode=0, seed=d.u32(), act_min=-128, act_max=127)

    def shape(L, max_in=10, max_k=5):
        while True:
            L['in_h'], L['in_w'], L['channels'] = d.int(1, max_in), d.int(1, max_in), d.int(1, 13)
            L['k_h'], L['k_w'] = d.int(1, max_k), d.int(1, max_k)
            L['stride_h'], L['stride_w'] = d.int(1, 3), d.int(1, 3)
            if d.chance(0.8):
                mode = d.pick(['SAME', 'VALID'])
                L['out_h'], L['pad_h'] = ref.out_and_pad(mode, L['in_h'], L['k_h'], L['stride_h'])
                L['out_w'], L['pad_w'] = ref.out_and_pad(mode, L['in_w'], L['k_w'], L['stride_w'])
            else:
                L['pad_h'], L['pad_w'] = d.int(0, L['k_h'] - 1), d.int(0, L['k_w'] - 1)
                L['out_h'], L['out_w'] = d.int(1, 6), d.int(1, 6)
            if L['out_h'] < 1 or L['out_w'] < 1:
                continue
            try:
                ref.check_pool(L)
                return
            except ValueError:
                pass

    for kind in ('avg', 'max'):
        for i in range(45):
            L = new()
            L['kind'] = kind
            L['batches'] = d.int(1, 2)
            shape(L)
            L['x_mode'] = d.pick([0, 0, 0, 1, 2, 3, 4])
            random_clamp(L, d, 'none')
            cases.append(L)
        for k in (7, 13, 16):                              # global pooling, counts that are not powers of 2
            L = new()
            L['kind'] = kind
            L['in_h'] = L['in_w'] = L['k_h'] = L['k_w'] = k
            L['channels'], L['stride_h'], L['stride_w'], L['pad_h'], L['pad_w'] = d.int(1, 20), 1, 1, 0, 0
            L['out_h'] = L['out_w'] = 1
            L['x_mode'] = d.pick([0, 1, 2, 3, 4])
            cases.append(L)
    return cases


def add_cases(d):
    cases = []
    for i in range(60):
        size = d.int(1, 70) if i % 6 else d.int(100, 300)
        zp = [d.int(-128, 127) for _ in range(3)]
        if i % 5 == 4:
            zp = [d.pick([-128, 127]) for _ in range(3)]
        scales = [math.ldexp(1.0 + d.u32() / 4294967296.0, d.int(-10, -1)) for _ in range(3)]
        if i % 7 == 3:
            scales[1] = scales[0]                          # equal scales: multipliers 2^30, shift -1
        p = ref.add_params(size, scales[0], zp[0], scales[1], zp[1], scales[2], zp[2])
        L = dict(p, kind='add', x_mode=d.pick([0, 0, 1, 4]), x2_mode=d.pick([0, 0, 1, 4]), seed=d.u32())
        random_clamp(L, d, 'out_offset')
        if i % 10 == 9:                                    # any multipliers and shifts in range
            L['left_shift'] = d.int(0, 22)
            for k in ('in1', 'in2', 'out'):
                L[k + '_multiplier'] = (1 << 30) | (d.u32() & ((1 << 30) - 1)) if d.chance(0.9) else 0
                L[k + '_shift'] = d.int(-31, 0)
        cases.append(L)
    return cases


def softmax_cases(d):
    cases = []
    for i in range(50):
        rows = d.int(1, 4)
        cols = d.pick([1, 2, 3, 5, 7, 10, 12, 16, 31, 64, 100])
        beta = d.pick([1.0, 1.0, 0.5, 2.0, 0.25])
        scale = math.ldexp(1.0 + d.u32() / 4294967296.0, d.int(-9, 1))
        p = ref.softmax_params(rows, cols, beta, scale)
        cases.append(dict(p, kind='softmax', x_mode=d.pick([0, 0, 0, 1, 4]), seed=d.u32()))
    # Wide rows at the end of the domain: 511 equal values stay inside, 512 leave it.
    for cols, mode in ((511, 2), (512, 3), (1000, 0), (700, 4), (2000, 2)):
        p = ref.softmax_params(1, cols, 1.0, math.ldexp(1.0 + d.u32() / 4294967296.0, -4))
        cases.append(dict(p, kind='softmax', x_mode=mode, seed=d.u32()))
    # Any multiplier, shift and diff_min in range.
    for _ in range(6):
        p = dict(rows=d.int(1, 3), cols=d.int(1, 40), input_multiplier=(1 << 30) | (d.u32() & ((1 << 30) - 1)),
                 input_left_shift=d.int(0, 30), diff_min=-d.int(0, 300))
        cases.append(dict(p, kind='softmax', x_mode=d.pick([0, 1, 4]), seed=d.u32()))
    return cases


def full_cases(d):
    """Small layers with every tensor stored (so the generator's data rules are not
    the only path into the test)."""
    out = []
    for i in range(6):
        for dw in (False, True):
            L = new_conv(d, dw)
            geometry(L, d, 5, 3, 2, 2)
            if dw:
                L['in_c'], L['depth_multiplier'] = d.int(1, 4), d.int(1, 2)
                L['out_c'] = L['in_c'] * L['depth_multiplier']
            else:
                L['in_c'], L['out_c'] = d.int(1, 4), d.int(1, 4)
            random_offsets(L, d, 0.3)
            random_clamp(L, d)
            quantization(L, d, L['k_h'] * L['k_w'] * (1 if dw else L['in_c']), 0.2)
            L['kind'] = 'depthwise' if dw else 'conv'
            L['data'] = make_conv_data(L)
            out.append(L)
    return out


# ---------------------------------------------------------------------------
# Output.

def c_int32(v):
    return '-2147483647 - 1' if v == fc.INT32_MIN else str(v)


def c_array(ctype, name, values, per_line=20):
    lines = ['static const %s %s[%d] = {' % (ctype, name, max(1, len(values)))]
    for i in range(0, len(values), per_line):
        lines.append('    ' + ', '.join(c_int32(v) for v in values[i:i + per_line]) + ',')
    if not values:
        lines.append('    0,')
    lines.append('};')
    return lines


def generate():
    d = fc.Draw(0x1A7E0013)
    convs = conv_cases(d, False) + conv_cases(d, True)
    pools = pool_cases(d)
    adds = add_cases(d)
    softs = softmax_cases(d)
    fulls = full_cases(d)
    st = {'conv MACs': 0, 'out-of-domain softmax rows': 0, 'outputs': 0}

    for L in convs:
        res = [run_conv(L, r) for r in ('double', 'single')]
        L['hash'] = [fnv1a(v) for v in res]
        depth = L['k_h'] * L['k_w'] * (1 if L['depth_multiplier'] else L['in_c'])
        st['conv MACs'] += L['batches'] * L['out_h'] * L['out_w'] * L['out_c'] * depth
        st['outputs'] += len(res[0])
    for L in pools:
        x = make_pool_data(L)
        y = ref.avg_pool2d(L, x) if L['kind'] == 'avg' else ref.max_pool2d(L, x)
        L['hash'] = [fnv1a(y)] * 2
        st['outputs'] += len(y)
    for L in adds:
        ref.check_add(L)
        a, b = make_add_data(L)
        res = [ref.add(L, a, b, r) for r in ('double', 'single')]
        L['hash'] = [fnv1a(v) for v in res]
        st['outputs'] += len(res[0])
    for L in softs:
        ref.check_softmax(L)
        x = make_softmax_data(L)
        dom = []
        res = [ref.softmax(L, x, 'double', dom), ref.softmax(L, x, 'single')]
        st['out-of-domain softmax rows'] += dom.count(False)
        L['hash'] = [fnv1a(v) for v in res]
        st['outputs'] += len(res[0])
    for L in fulls:
        L['expect'] = [run_conv(L, r, L['data']) for r in ('double', 'single')]

    def max_of(f, cases):
        return max(f(L) for L in cases)

    out = []
    w = out.append
    w('// SPDX-License-Identifier: MIT')
    w('// tests/int8/layer_golden.h: golden vectors for starling\'s int8 layer kernels.')
    w('//')
    w('// GENERATED by tools/gen_layer_golden.py -- do not edit. Regenerate with')
    w('//   python3 tools/gen_layer_golden.py --out tests/int8/layer_golden.h')
    w('// Expected outputs come from tools/int8_ref.py, a pure-Python implementation')
    w('// of TensorFlow Lite Micro\'s reference int8 kernels (ConvPerChannel,')
    w('// DepthwiseConvPerChannel, AveragePool, MaxPool, Add, Softmax) with exact')
    w('// integers, under double and single (TFLITE_SINGLE_ROUNDING) rounding; it')
    w('// shares no code with starling.')
    w('//')
    w('// Contents: %d conv and depthwise cases, %d pooling, %d add, %d softmax (hashed;' % (
        len(convs), len(pools), len(adds), len(softs)))
    w('// tensors regenerated by tests/int8/layer_data.hpp), %d full conv/depthwise cases;' % len(fulls))
    w('// ' + ', '.join('%s %d' % kv for kv in sorted(st.items())) + '.')
    w('#pragma once')
    w('#include <cstdint>')
    w('')
    w('namespace layer_golden {')
    w('')
    w('// depth_multiplier 0: conv2d_s8; >= 1: depthwise_conv2d_s8.')
    w('struct ConvCase { int %s; uint32_t seed, hash_double, hash_single; };' % ', '.join(CONV_FIELDS[:-1]))
    w('struct PoolCase { bool is_max; int %s; uint32_t seed, hash; };' % ', '.join(POOL_FIELDS[:-1]))
    w('struct AddCase { int %s; uint32_t seed, hash_double, hash_single; };' % ', '.join(ADD_FIELDS[:-1]))
    w('struct SoftmaxCase { int %s; uint32_t seed, hash_double, hash_single; };' % ', '.join(SOFTMAX_FIELDS[:-1]))
    w('struct FullConv {')
    w('  ConvCase c;  // seed and hashes unused')
    w('  const int8_t* input; const int8_t* filter; const int32_t* bias;  // bias may be null')
    w('  const int32_t* multiplier; const int32_t* shift;')
    w('  const int8_t* out_double; const int8_t* out_single;')
    w('};')
    w('')

    def row(L, fields, hashes):
        vals = [c_int32(L[k]) for k in fields[:-1]] + ['0x%08Xu' % L['seed']] + ['0x%08Xu' % h for h in hashes]
        return '    {' + ', '.join(vals) + '},'

    w('static const ConvCase kConv[] = {')
    for L in convs:
        w(row(L, CONV_FIELDS, L['hash']))
    w('};')
    w('static const PoolCase kPool[] = {')
    for L in pools:
        w('    {%s,%s' % ('true' if L['kind'] == 'max' else 'false', row(L, POOL_FIELDS, L['hash'][:1])[5:]))
    w('};')
    w('static const AddCase kAdd[] = {')
    for L in adds:
        w(row(L, ADD_FIELDS, L['hash']))
    w('};')
    w('static const SoftmaxCase kSoftmax[] = {')
    for L in softs:
        w(row(L, SOFTMAX_FIELDS, L['hash']))
    w('};')
    w('')
    for i, L in enumerate(fulls):
        x, wt, bias, mult, shift = L['data']
        pre = 'full%d_' % i
        out.extend(c_array('int8_t', pre + 'x', x))
        out.extend(c_array('int8_t', pre + 'w', wt))
        if bias is not None:
            out.extend(c_array('int32_t', pre + 'b', bias, 8))
        out.extend(c_array('int32_t', pre + 'm', mult, 8))
        out.extend(c_array('int32_t', pre + 's', shift))
        out.extend(c_array('int8_t', pre + 'yd', L['expect'][0]))
        out.extend(c_array('int8_t', pre + 'ys', L['expect'][1]))
    w('static const FullConv kFullConv[] = {')
    for i, L in enumerate(fulls):
        pre = 'full%d_' % i
        w('    {%s, %sx, %sw, %s, %sm, %ss, %syd, %sys},' % (
            row(L, CONV_FIELDS, [0, 0])[4:-1], pre, pre, (pre + 'b') if L['data'][2] is not None else 'nullptr',
            pre, pre, pre, pre))
    w('};')
    w('')

    def conv_in(L):
        return L['batches'] * L['in_h'] * L['in_w'] * L['in_c']

    def conv_w(L):
        return L['out_c'] * L['k_h'] * L['k_w'] * (1 if L['depth_multiplier'] else L['in_c'])

    def conv_out(L):
        return L['batches'] * L['out_h'] * L['out_w'] * L['out_c']
    w('// Buffer sizes a test needs.')
    w('constexpr int kMaxConvInput = %d;' % max_of(conv_in, convs))
    w('constexpr int kMaxConvFilter = %d;' % max_of(conv_w, convs))
    w('constexpr int kMaxConvChannels = %d;' % max_of(lambda L: L['out_c'], convs))
    w('constexpr int kMaxConvOutput = %d;' % max_of(conv_out, convs))
    w('constexpr int kMaxConvScratch = %d;' % max_of(
        lambda L: 4 * L['k_h'] * L['k_w'] * L['in_c'] + 4 * L['out_c'] + 16, [L for L in convs if not L['depth_multiplier']]))
    w('constexpr int kMaxPoolInput = %d;' % max_of(lambda L: L['batches'] * L['in_h'] * L['in_w'] * L['channels'], pools))
    w('constexpr int kMaxPoolOutput = %d;' % max_of(lambda L: L['batches'] * L['out_h'] * L['out_w'] * L['channels'], pools))
    w('constexpr int kMaxAdd = %d;' % max_of(lambda L: L['size'], adds))
    w('constexpr int kMaxSoftmax = %d;' % max_of(lambda L: L['rows'] * L['cols'], softs))
    w('')
    w('}  // namespace layer_golden')
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
        print('%s is stale: regenerate with python3 tools/gen_layer_golden.py --out %s' % (args.check, args.check))
        return 1
    print('%s is up to date' % args.check)
    return 0


if __name__ == '__main__':
    sys.exit(main())
