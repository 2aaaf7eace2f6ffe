#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pure-Python reference of TensorFlow Lite Micro's int8 reference kernels.

An independent implementation (standard library only, exact Python
integers) of the formulas of TFLite Micro's reference int8 kernels, for
starling's golden vectors (tools/gen_layer_golden.py) and for running
imported models in Python (the model runner of the .tflite importer):

    conv2d              reference_integer_ops::ConvPerChannel
    depthwise_conv2d    reference_integer_ops::DepthwiseConvPerChannel
    avg_pool2d          reference_integer_ops::AveragePool
    max_pool2d          reference_integer_ops::MaxPool
    add                 reference_integer_ops::Add (element-wise, int8)
    softmax             reference_ops::Softmax<int8_t, int8_t> (gemmlowp
                        fixed-point exp, not the lookup-table variant)
    fully_connected     reference_integer_ops::FullyConnected

Parameters are dicts with the field names of starling's C++ structs
(include/starling/layers.hpp: ConvParams, DepthwiseParams, PoolParams,
AddParams, SoftmaxParams; quant.hpp: FcParams); tensors are flat lists of
ints in TFLite's layouts (NHWC activations, OHWI filters, depthwise filters
[1][k_h][k_w][out_c]). Every kernel takes `rounding`: 'double' (TFLite's
default MultiplyByQuantizedMultiplier) or 'single' (TFLITE_SINGLE_ROUNDING);
the requantization formulas are those of tools/gen_fc_golden.py, reused
here. Where the C++ reference would overflow int32 the result is the
two's-complement wrap, as starling's quant.hpp defines.

Also here: the parameter computations of TFLite's Prepare functions
(padding and output size, per-channel multipliers, ADD's and SOFTMAX's
parameters) and check_* functions that raise ValueError for parameters
starling's validate() rejects.
"""
import math
import os
import struct
import sys

try:
    import gen_fc_golden as _fc
except ImportError:  # imported from elsewhere: gen_fc_golden.py sits beside this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gen_fc_golden as _fc

wrap32 = _fc.wrap32
quantize_multiplier = _fc.quantize_multiplier
requantize_double = _fc.requantize_double
requantize_single = _fc.requantize_single
INT32_MIN, INT32_MAX = _fc.INT32_MIN, _fc.INT32_MAX

CONV_MAX_DEPTH = 32768        # kConvMaxDepth (= kFcMaxInDim)
POOL_MAX_WINDOW = 1 << 20     # kPoolMaxWindow
ADD_MAX_LEFT_SHIFT = 22       # kAddMaxLeftShift
INT_MAX = (1 << 31) - 1


def requantizer(rounding):
    """requantize(acc, multiplier, shift) of the given rounding ('double' or 'single')."""
    if rounding == 'double':
        return requantize_double
    if rounding == 'single':
        return requantize_single
    raise ValueError("rounding must be 'double' or 'single', not %r" % (rounding,))


def _clamp(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def _tdiv(a, b):
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


# ---------------------------------------------------------------------------
# TFLite Prepare-time computations.

def compute_out_size(padding, in_size, k, stride, dilation=1):
    """TFLite ComputeOutSize: output length along one axis, padding 'SAME' or 'VALID'."""
    eff = (k - 1) * dilation + 1
    if padding == 'SAME':
        return _tdiv(in_size + stride - 1, stride)
    if padding == 'VALID':
        return _tdiv(in_size + stride - eff, stride)
    raise ValueError('padding must be SAME or VALID')


def compute_padding(in_size, k, stride, dilation, out_size):
    """TFLite ComputePadding: the leading (top/left) padding along one axis."""
    eff = (k - 1) * dilation + 1
    pad = _tdiv((out_size - 1) * stride + eff - in_size, 2)
    return pad if pad > 0 else 0


def out_and_pad(padding, in_size, k, stride, dilation=1):
    """(output size, leading padding) along one axis, as TFLite's Prepare computes them."""
    out = compute_out_size(padding, in_size, k, stride, dilation)
    return out, compute_padding(in_size, k, stride, dilation, out)


def channel_multipliers(in_scale, w_scales, out_scale):
    """Per-channel (multipliers, shifts) of a conv/depthwise/FC layer:
    QuantizeMultiplier((double)in_scale * (double)w_scale / (double)out_scale)."""
    ms, ss = [], []
    for ws in w_scales:
        m, s = quantize_multiplier(float(in_scale) * float(ws) / float(out_scale))
        ms.append(m)
        ss.append(s)
    return ms, ss


def activation_range(act, out_scale, out_zp):
    """TFLite CalculateActivationRangeQuantized for int8: act in NONE, RELU, RELU6, RELU_N1_TO_1."""
    def q(x):  # TfLiteRound(f / scale) in float32 (f32 / f32 through double is exact)
        return out_zp + int(round_half_away(f32(float(x) / f32(out_scale))))
    lo, hi = -128, 127
    if act == 'RELU':
        lo = max(lo, q(0.0))
    elif act == 'RELU6':
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif act == 'RELU_N1_TO_1':
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    elif act != 'NONE':
        raise ValueError('unsupported activation %r' % (act,))
    return lo, hi


def f32(x):
    """x rounded to the nearest float32 (as a Python float)."""
    return struct.unpack('<f', struct.pack('<f', x))[0]


def round_half_away(x):
    """TfLiteRound / std::round: nearest integer, ties away from zero."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def add_params(size, s1, zp1, s2, zp2, s_out, zp_out, act_min=-128, act_max=127):
    """AddParams as TFLite Micro's add Prepare computes them for int8 (left_shift 20)."""
    left_shift = 20
    twice_max = 2.0 * float(max(s1, s2))
    m1, sh1 = _smaller_than_one(float(s1) / twice_max)
    m2, sh2 = _smaller_than_one(float(s2) / twice_max)
    mo, sho = _smaller_than_one(twice_max / ((1 << left_shift) * float(s_out)))
    return dict(size=size, in1_offset=-zp1, in2_offset=-zp2, out_offset=zp_out,
                left_shift=left_shift, in1_multiplier=m1, in1_shift=sh1,
                in2_multiplier=m2, in2_shift=sh2, out_multiplier=mo, out_shift=sho,
                act_min=act_min, act_max=act_max)


def _smaller_than_one(real):
    if not 0.0 < real < 1.0:
        raise ValueError('QuantizeMultiplierSmallerThanOneExp needs 0 < %r < 1' % (real,))
    m, s = quantize_multiplier(real)
    if s > 0:
        raise ValueError('multiplier %r rounds up to 1' % (real,))
    return m, s


def softmax_params(rows, cols, beta, input_scale, rounding='double'):
    """SoftmaxParams as TFLite Micro's softmax Prepare computes them for int8:
    PreprocessSoftmaxScaling(beta, input_scale, 5) and
    diff_min = -CalculateInputRadius(5, input_left_shift)."""
    max_real = float((1 << 30) - 1) if rounding == 'single' else float((1 << 31) - 1)
    real = min(float(beta) * float(input_scale) * float(1 << 26), max_real)
    if not real > 1.0:
        raise ValueError('QuantizeMultiplierGreaterThanOne needs a multiplier > 1 (beta*scale*2^26 = %r)' % real)
    m, s = quantize_multiplier(real)
    radius = math.floor(1.0 * 31 * float(1 << 26) / float(1 << s))
    return dict(rows=rows, cols=cols, input_multiplier=m, input_left_shift=s, diff_min=-int(radius))


# ---------------------------------------------------------------------------
# Validation (the ranges of include/starling/layers.hpp).

def _need(cond, what):
    if not cond:
        raise ValueError(what)


def check_conv(p, depthwise=False):
    for k in ('batches', 'in_h', 'in_w', 'in_c', 'out_h', 'out_w', 'out_c', 'k_h', 'k_w',
              'stride_h', 'stride_w', 'dilation_h', 'dilation_w'):
        _need(p[k] >= 1, '%s = %d must be >= 1' % (k, p[k]))
    _need(p['pad_h'] >= 0 and p['pad_w'] >= 0, 'padding must be >= 0')
    _need(p['pad_h'] <= INT_MAX and p['pad_w'] <= INT_MAX, 'padding too large')
    _need((p['out_h'] - 1) * p['stride_h'] + (p['k_h'] - 1) * p['dilation_h'] <= INT_MAX, 'rows too far')
    _need((p['out_w'] - 1) * p['stride_w'] + (p['k_w'] - 1) * p['dilation_w'] <= INT_MAX, 'columns too far')
    _need(-127 <= p['input_offset'] <= 128, 'input_offset out of [-127, 128]')
    _need(-128 <= p['output_offset'] <= 127, 'output_offset out of [-128, 127]')
    _need(-128 <= p['act_min'] <= p['act_max'] <= 127, 'bad clamp')
    _need(len(p['multiplier']) >= p['out_c'] and len(p['shift']) >= p['out_c'], 'need out_c multipliers and shifts')
    for c in range(p['out_c']):
        _need(p['multiplier'][c] >= 0 and -31 <= p['shift'][c] <= 30, 'channel %d: bad multiplier/shift' % c)
    if depthwise:
        _need(p['depth_multiplier'] >= 1 and p['out_c'] == p['in_c'] * p['depth_multiplier'],
              'out_c must be in_c * depth_multiplier')
        _need(p['k_h'] * p['k_w'] <= CONV_MAX_DEPTH, 'k_h*k_w above kConvMaxDepth')
    else:
        _need(p['k_h'] * p['k_w'] * p['in_c'] <= CONV_MAX_DEPTH, 'k_h*k_w*in_c above kConvMaxDepth')


def check_pool(p):
    for k in ('batches', 'in_h', 'in_w', 'channels', 'out_h', 'out_w', 'k_h', 'k_w', 'stride_h', 'stride_w'):
        _need(p[k] >= 1, '%s must be >= 1' % k)
    _need(p['pad_h'] >= 0 and p['pad_w'] >= 0, 'padding must be >= 0')
    _need(p['k_h'] * p['k_w'] <= POOL_MAX_WINDOW, 'window above kPoolMaxWindow')
    _need(-128 <= p['act_min'] <= p['act_max'] <= 127, 'bad clamp')
    _need(p['pad_h'] < p['k_h'] and p['pad_w'] < p['k_w'], 'first window lies in the padding')
    _need((p['out_h'] - 1) * p['stride_h'] - p['pad_h'] <= p['in_h'] - 1, 'last row window lies in the padding')
    _need((p['out_w'] - 1) * p['stride_w'] - p['pad_w'] <= p['in_w'] - 1, 'last column window lies in the padding')


def check_add(p):
    _need(p['size'] >= 1, 'size must be >= 1')
    _need(-127 <= p['in1_offset'] <= 128 and -127 <= p['in2_offset'] <= 128, 'input offset out of [-127, 128]')
    _need(-128 <= p['out_offset'] <= 127, 'out_offset out of [-128, 127]')
    _need(0 <= p['left_shift'] <= ADD_MAX_LEFT_SHIFT, 'left_shift out of [0, 22]')
    for k in ('in1', 'in2', 'out'):
        _need(p[k + '_multiplier'] >= 0 and -31 <= p[k + '_shift'] <= 0, '%s multiplier/shift out of range' % k)
    _need(-128 <= p['act_min'] <= p['act_max'] <= 127, 'bad clamp')


def check_softmax(p):
    _need(p['rows'] >= 1 and p['cols'] >= 1, 'rows and cols must be >= 1')
    _need(p['input_multiplier'] >= 0, 'input_multiplier must be >= 0')
    _need(0 <= p['input_left_shift'] <= 30, 'input_left_shift out of [0, 30]')
    _need(p['diff_min'] <= 0, 'diff_min must be <= 0')


# ---------------------------------------------------------------------------
# Kernels.

def _output(acc, bias_c, m, s, out_off, lo, hi, rq):
    acc = wrap32(acc + bias_c)                  # bias + dot wraps as the reference binaries do
    v = wrap32(rq(acc, m, s) + out_off)
    return _clamp(v, lo, hi)


def conv2d(p, x, w, bias, rounding='double'):
    """reference_integer_ops::ConvPerChannel. x: NHWC, w: OHWI, bias: out_c ints or None."""
    rq = requantizer(rounding)
    B, H, W, C = p['batches'], p['in_h'], p['in_w'], p['in_c']
    OH, OW, OC, KH, KW = p['out_h'], p['out_w'], p['out_c'], p['k_h'], p['k_w']
    off = p['input_offset']
    out = [0] * (B * OH * OW * OC)
    for b in range(B):
        for oy in range(OH):
            y0 = oy * p['stride_h'] - p['pad_h']
            for ox in range(OW):
                x0 = ox * p['stride_w'] - p['pad_w']
                # The taps inside the input, and their input vectors (+ offset).
                taps = []
                for ky in range(KH):
                    iy = y0 + ky * p['dilation_h']
                    if iy < 0 or iy >= H:
                        continue
                    for kx in range(KW):
                        ix = x0 + kx * p['dilation_w']
                        if ix < 0 or ix >= W:
                            continue
                        base = ((b * H + iy) * W + ix) * C
                        taps.append(((ky * KW + kx) * C, [v + off for v in x[base:base + C]]))
                obase = ((b * OH + oy) * OW + ox) * OC
                for o in range(OC):
                    wo = o * KH * KW * C
                    acc = 0
                    for wbase, xs in taps:
                        ws = w[wo + wbase:wo + wbase + C]
                        acc += sum(a * c for a, c in zip(ws, xs))
                    out[obase + o] = _output(acc, bias[o] if bias is not None else 0, p['multiplier'][o],
                                             p['shift'][o], p['output_offset'], p['act_min'], p['act_max'], rq)
    return out


def depthwise_conv2d(p, x, w, bias, rounding='double'):
    """reference_integer_ops::DepthwiseConvPerChannel. x: NHWC, w: [1][k_h][k_w][out_c]."""
    rq = requantizer(rounding)
    B, H, W, C = p['batches'], p['in_h'], p['in_w'], p['in_c']
    OH, OW, OC, KH, KW = p['out_h'], p['out_w'], p['out_c'], p['k_h'], p['k_w']
    DM, off = p['depth_multiplier'], p['input_offset']
    out = [0] * (B * OH * OW * OC)
    for b in range(B):
        for oy in range(OH):
            y0 = oy * p['stride_h'] - p['pad_h']
            for ox in range(OW):
                x0 = ox * p['stride_w'] - p['pad_w']
                accs = [0] * OC
                for ky in range(KH):
                    iy = y0 + ky * p['dilation_h']
                    if iy < 0 or iy >= H:
                        continue
                    for kx in range(KW):
                        ix = x0 + kx * p['dilation_w']
                        if ix < 0 or ix >= W:
                            continue
                        xb = ((b * H + iy) * W + ix) * C
                        wb = (ky * KW + kx) * OC
                        for o in range(OC):
                            accs[o] += w[wb + o] * (x[xb + o // DM] + off)
                obase = ((b * OH + oy) * OW + ox) * OC
                for o in range(OC):
                    out[obase + o] = _output(accs[o], bias[o] if bias is not None else 0, p['multiplier'][o],
                                             p['shift'][o], p['output_offset'], p['act_min'], p['act_max'], rq)
    return out


def _pool(p, x, reduce_fn):
    B, H, W, C = p['batches'], p['in_h'], p['in_w'], p['channels']
    OH, OW = p['out_h'], p['out_w']
    out = [0] * (B * OH * OW * C)
    for b in range(B):
        for oy in range(OH):
            y0 = oy * p['stride_h'] - p['pad_h']
            ys = range(max(0, -y0), min(p['k_h'], H - y0))
            for ox in range(OW):
                x0 = ox * p['stride_w'] - p['pad_w']
                xs = range(max(0, -x0), min(p['k_w'], W - x0))
                obase = ((b * OH + oy) * OW + ox) * C
                for c in range(C):
                    vals = [x[((b * H + y0 + fy) * W + x0 + fx) * C + c] for fy in ys for fx in xs]
                    if not vals:
                        raise ValueError('empty pooling window at (%d, %d)' % (oy, ox))
                    out[obase + c] = _clamp(reduce_fn(vals), p['act_min'], p['act_max'])
    return out


def avg_pool2d(p, x):
    """reference_integer_ops::AveragePool (int8): rounded mean of the in-bounds taps."""
    def avg(vals):
        s, n = sum(vals), len(vals)
        return _tdiv(s + n // 2, n) if s > 0 else _tdiv(s - n // 2, n)
    return _pool(p, x, avg)


def max_pool2d(p, x):
    """reference_integer_ops::MaxPool (int8): largest in-bounds tap."""
    return _pool(p, x, max)


def add(p, a, b, rounding='double'):
    """reference_integer_ops::AddFunc over p['size'] elements (no broadcast)."""
    rq = requantizer(rounding)
    ls = p['left_shift']
    out = []
    for i in range(p['size']):
        s1 = rq(wrap32((a[i] + p['in1_offset']) << ls), p['in1_multiplier'], p['in1_shift'])
        s2 = rq(wrap32((b[i] + p['in2_offset']) << ls), p['in2_multiplier'], p['in2_shift'])
        raw = wrap32(rq(wrap32(s1 + s2), p['out_multiplier'], p['out_shift']) + p['out_offset'])
        out.append(_clamp(raw, p['act_min'], p['act_max']))
    return out


def fully_connected(p, x, w, bias, batches, rounding='double'):
    """reference_integer_ops::FullyConnected; p as FcParams (multiplier/shift lists, per_channel)."""
    rq = requantizer(rounding)
    k, n = p['in_dim'], p['out_dim']
    out = []
    for bt in range(batches):
        xb = [v + p['input_offset'] for v in x[bt * k:(bt + 1) * k]]
        for o in range(n):
            acc = sum(wv * xv for wv, xv in zip(w[o * k:(o + 1) * k], xb))
            c = o if p['per_channel'] else 0
            out.append(_output(acc, bias[o] if bias is not None else 0, p['multiplier'][c], p['shift'][c],
                               p['output_offset'], p['act_min'], p['act_max'], rq))
    return out


# ---- gemmlowp fixed point (int32 raw values), as TFLite's softmax uses it ----

def srdhm(a, b):
    """SaturatingRoundingDoublingHighMul: round(a*b / 2^31) ties toward +inf; -2^31*-2^31 saturates."""
    if a == INT32_MIN and b == INT32_MIN:
        return INT32_MAX
    ab = a * b
    nudge = (1 << 30) if ab >= 0 else (1 - (1 << 30))
    return _tdiv(ab + nudge, 1 << 31)


def rdpot(x, e):
    """RoundingDivideByPOT: round(x / 2^e), ties away from zero; 0 <= e <= 31."""
    mask = (1 << e) - 1
    rem = x & mask
    thr = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> e) + (1 if rem > thr else 0)


def sat_shl(x, e):
    """SaturatingRoundingMultiplyByPOT<e> for e > 0: x*2^e saturated to int32."""
    thr = (1 << (31 - e)) - 1
    if x > thr:
        return INT32_MAX
    if x < -thr:
        return INT32_MIN
    return wrap32(x << e)


def rounding_half_sum(a, b):
    s = a + b
    return _tdiv(s + (1 if s >= 0 else -1), 2)


def exp_on_interval_between_negative_one_quarter_and_0_excl(a):
    """Q0.31 in, Q0.31 out: exp(a) for a in [-1/4, 0)."""
    constant_term = 1895147668          # exp(-1/8)
    constant_1_over_3 = 715827883
    x = wrap32(a + (1 << 28))           # a + 1/8
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = rdpot(x4, 2)
    poly = rdpot(wrap32(srdhm(wrap32(x4_over_4 + x3), constant_1_over_3) + x2), 1)
    return wrap32(constant_term + srdhm(constant_term, wrap32(x + poly)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))


def exp_on_negative_values_q5(a):
    """gemmlowp exp_on_negative_values for a Q5.26 input; Q0.31 result."""
    frac_bits = 26
    quarter = 1 << (frac_bits - 2)
    a_mod = wrap32((a & (quarter - 1)) - quarter)
    result = exp_on_interval_between_negative_one_quarter_and_0_excl(sat_shl(a_mod, 5))
    remainder = wrap32(a_mod - a)
    for exponent, mult in _EXP_BARREL:
        if remainder & (1 << (frac_bits + exponent)):
            result = srdhm(result, mult)
    return INT32_MAX if a == 0 else result


def one_over_one_plus_x_for_x_in_0_1(a):
    """gemmlowp: Q0.31 in and out, 1/(1+a) by three Newton-Raphson steps (Q2.29 inside)."""
    half_den = rounding_half_sum(a, INT32_MAX)
    x = wrap32(1515870810 + srdhm(half_den, -1010580540))     # 48/17 - 32/17 * d
    one_q2 = 1 << 29
    for _ in range(3):
        hdx = srdhm(half_den, x)
        one_minus = wrap32(one_q2 - hdx)
        x = wrap32(x + sat_shl(srdhm(x, one_minus), 2))
    return sat_shl(x, 1)


def clz32(v):
    v &= 0xFFFFFFFF
    return 32 - v.bit_length()


def softmax(p, x, rounding='double', domain=None):
    """reference_ops::Softmax<int8_t, int8_t>: output scale 1/256, zero point -128.

    Rows whose sum of exponentials reaches 2^28 (Q12.19) need a final shift of
    32 or more, undefined in the reference (TFLite Micro aborts); for them this
    writes -128 everywhere, as starling documents. If `domain` is a list, one
    bool per row is appended: True when the row is inside the domain."""
    rq = requantizer(rounding)
    rows, cols = p['rows'], p['cols']
    m, ls, diff_min = p['input_multiplier'], p['input_left_shift'], p['diff_min']
    out = []
    for r in range(rows):
        row = x[r * cols:(r + 1) * cols]
        mx = max(row)
        exps = []
        total = 0
        for v in row:
            d = v - mx
            if d >= diff_min:
                e = exp_on_negative_values_q5(rq(d, m, ls))
                exps.append(e)
                total += rdpot(e, 12)    # Rescale<12>: Q0.31 -> Q12.19
            else:
                exps.append(None)
        inside = total < (1 << 28)
        if domain is not None:
            domain.append(inside)
        if not inside:
            out.extend([-128] * cols)
            continue
        headroom = clz32(total)
        exponent = (12 - headroom) + 31 - 8
        scale = one_over_one_plus_x_for_x_in_0_1(wrap32((total << headroom) - (1 << 31)))
        for e in exps:
            if e is None:
                out.append(-128)
            else:
                out.append(_clamp(rdpot(srdhm(scale, e), exponent) - 128, -128, 127))
    return out


if __name__ == '__main__':
    # Smoke test: a uniform row of 4 gives probabilities 1/4 (64/256 -> -64).
    sp = softmax_params(1, 4, 1.0, 0.1)
    print(sp, softmax(sp, [5, 5, 5, 5]))
