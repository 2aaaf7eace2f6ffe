#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tflite_models.py: builds int8 .tflite files without TensorFlow.

Standard library only (tools/tflite_fb.py writes the flatbuffer). A
ModelBuilder adds TFLite int8 operators (CONV_2D, DEPTHWISE_CONV_2D,
AVERAGE_POOL_2D, MAX_POOL_2D, FULLY_CONNECTED, ADD, SOFTMAX, RESHAPE, MEAN)
with seeded random weights and quantization parameters chosen so that the
activations use the int8 range (each layer's output scale follows the
expected spread of its accumulator), or with given float weights quantized
the TFLite way (quantize_* helpers, used by tools/tflite_train_cnn.py).

The four MLPerf Tiny v1.0 model shapes (random weights; the shapes are
those of the benchmark's reference models):
    dscnn       keyword spotting DS-CNN: 49x10x1 MFCC, conv 10x4/2 64ch, four
                depthwise-separable blocks, average pool, FC 12, softmax
    vww         visual wake words MobileNet v1 0.25: 96x96x3, 13 depthwise-
                separable blocks (8..256 channels), average pool, FC 2, softmax
    resnet8     image classification ResNet-8: 32x32x3, three residual stacks
                (16, 32, 64 channels, 1x1 shortcuts), average pool, FC 10, softmax
    ad          anomaly detection autoencoder: 640 -> 128x4 -> 8 -> 128x4 -> 640 FC

    tflite_models.py dscnn -o dscnn.tflite [--seed N]
    tflite_models.py --list
"""
import argparse
import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_fb as fb  # noqa: E402


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def round_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


ACT_CODES = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}


class ModelBuilder:
    """Accumulates tensors, buffers and operators of one int8 subgraph.

    Tensors are ints (indices). Every activation tensor is int8 with one
    scale and zero point; `spread` tracks the expected standard deviation
    of its real values, used to pick the next output scale."""

    def __init__(self, seed=1, description="starling tflite_models.py"):
        self.rng = random.Random(seed)
        self.tensors = []
        self.buffers = [{"data": None}]  # buffer 0: the empty buffer, by convention
        self.operators = []
        self.opcodes = []
        self.inputs = []
        self.outputs = []
        self.spread = {}
        self.description = description

    # -- tensors ---------------------------------------------------------------

    def tensor(self, shape, ttype="INT8", scale=None, zero_point=None, data=None, name=None,
               quantized_dimension=0):
        buf = 0
        if data is not None:
            buf = len(self.buffers)
            self.buffers.append({"data": bytes(data)})
        t = {"shape": list(shape), "type": fb.TYPE_CODES[ttype], "buffer": buf,
             "name": name or f"t{len(self.tensors)}"}
        if scale is not None:
            scales = scale if isinstance(scale, (list, tuple)) else [scale]
            zps = zero_point if isinstance(zero_point, (list, tuple)) else [zero_point or 0] * len(scales)
            t["quantization"] = {"scale": [f32(s) for s in scales], "zero_point": list(zps),
                                 "quantized_dimension": quantized_dimension}
        self.tensors.append(t)
        return len(self.tensors) - 1

    def scale(self, t):
        return self.tensors[t]["quantization"]["scale"][0]

    def zp(self, t):
        return self.tensors[t]["quantization"]["zero_point"][0]

    def shape(self, t):
        return self.tensors[t]["shape"]

    def act_tensor(self, shape, spread, act="NONE", name=None):
        """An int8 activation tensor whose scale covers ±4 spreads (ReLU: 0..8)."""
        if act in ("RELU", "RELU6"):
            hi = 8.0 * spread if act == "RELU" else min(8.0 * spread, 6.0)
            s, z = hi / 255.0, -128
        else:
            s = 8.0 * spread / 255.0
            z = self.rng.randint(-12, 12)
        t = self.tensor(shape, scale=s, zero_point=z, name=name)
        self.spread[t] = spread
        return t

    def input(self, shape, scale=1.0 / 32, zero_point=-5, name="input"):
        t = self.tensor(shape, scale=scale, zero_point=zero_point, name=name)
        self.spread[t] = 128 * scale / 2
        self.inputs.append(t)
        return t

    def output(self, t):
        self.outputs.append(t)

    # -- operators -------------------------------------------------------------

    def op(self, code, inputs, outputs, options=None):
        name = fb.OP_NAMES[code] if isinstance(code, int) else code
        c = fb.OP_CODES[name]
        if c not in [o["builtin_code"] for o in self.opcodes]:
            self.opcodes.append({"deprecated_builtin_code": min(c, 127), "builtin_code": c,
                                 "version": 1})
        idx = [o["builtin_code"] for o in self.opcodes].index(c)
        o = {"opcode_index": idx, "inputs": list(inputs), "outputs": list(outputs)}
        if options is not None:
            tname, fields = options
            o["builtin_options_type"] = fb.OPTIONS_CODES[tname]
            o["builtin_options"] = dict(fields, _type=fb.OPTIONS_CODES[tname])
        self.operators.append(o)
        return outputs[0] if outputs else None

    def _weights(self, n_out, per_out, spread_in):
        """Random int8 weights (n_out rows of per_out) and per-row scales for
        an output spread of about spread_in·U(0.6, 1.4)."""
        w, scales = [], []
        for _ in range(n_out):
            row = [self.rng.randint(-127, 127) for _ in range(per_out)]
            row[self.rng.randrange(per_out)] = 127 if self.rng.random() < 0.5 else -127
            w.extend(row)
            # std of uniform int8 is ~73; the sum of per_out products keeps
            # the spread when the weight scale is 1/(73 sqrt(per_out)).
            scales.append(self.rng.uniform(0.6, 1.4) / (73.0 * math.sqrt(per_out)))
        return w, scales

    def _bias(self, in_scale, w_scales, spread):
        return [round_away(self.rng.gauss(0, 0.3 * spread) / (f32(in_scale) * f32(ws)))
                for ws in w_scales]

    def _filter_and_bias(self, x, shape, w, scales, dim, bias):
        n = len(scales)
        wt = self.tensor(shape, scale=scales, zero_point=[0] * n,
                         data=struct.pack(f"<{len(w)}b", *w), quantized_dimension=dim)
        if bias is None:
            return wt, -1
        bs = [f32(self.scale(x)) * f32(s) for s in scales]
        bt = self.tensor([len(bias)], "INT32", scale=bs, zero_point=[0] * n,
                         data=struct.pack(f"<{len(bias)}i", *bias))
        return wt, bt

    def conv(self, x, out_c, k, stride=1, padding="SAME", act="RELU", dilation=1,
             per_channel=True, weights=None, bias=True, out=None):
        """CONV_2D. weights: (int8 list OHWI, scales) to use given ones."""
        _, h, w_, c = self.shape(x)
        kh, kw = (k, k) if isinstance(k, int) else k
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        if weights is None:
            wq, scales = self._weights(out_c, kh * kw * c, self.spread[x])
            if not per_channel:
                scales = [sum(scales) / len(scales)]
        else:
            wq, scales = weights
        b = self._bias(self.scale(x), scales * (out_c if len(scales) == 1 else 1),
                       self.spread[x]) if bias is True else (bias or None)
        oh = _out_size(padding, h, kh, sh, dilation)
        ow = _out_size(padding, w_, kw, sw, dilation)
        wt, bt = self._filter_and_bias(x, [out_c, kh, kw, c], wq, scales, 0, b)
        y = out if out is not None else self.act_tensor([1, oh, ow, out_c], self.spread[x], act)
        return self.op("CONV_2D", [x, wt, bt], [y], ("Conv2DOptions", {
            "padding": 0 if padding == "SAME" else 1, "stride_w": sw, "stride_h": sh,
            "fused_activation_function": ACT_CODES[act], "dilation_w_factor": dilation,
            "dilation_h_factor": dilation}))

    def depthwise(self, x, k=3, stride=1, padding="SAME", act="RELU", multiplier=1, dilation=1,
                  weights=None, bias=True):
        _, h, w_, c = self.shape(x)
        kh, kw = (k, k) if isinstance(k, int) else k
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        oc = c * multiplier
        if weights is None:
            rows, scales = self._weights(oc, kh * kw, self.spread[x])
            wq = [rows[o * kh * kw + t] for t in range(kh * kw) for o in range(oc)]  # [1][kh][kw][oc]
        else:
            wq, scales = weights
        b = self._bias(self.scale(x), scales, self.spread[x]) if bias is True else (bias or None)
        oh = _out_size(padding, h, kh, sh, dilation)
        ow = _out_size(padding, w_, kw, sw, dilation)
        wt, bt = self._filter_and_bias(x, [1, kh, kw, oc], wq, scales, 3, b)
        y = self.act_tensor([1, oh, ow, oc], self.spread[x], act)
        return self.op("DEPTHWISE_CONV_2D", [x, wt, bt], [y], ("DepthwiseConv2DOptions", {
            "padding": 0 if padding == "SAME" else 1, "stride_w": sw, "stride_h": sh,
            "depth_multiplier": multiplier, "fused_activation_function": ACT_CODES[act],
            "dilation_w_factor": dilation, "dilation_h_factor": dilation}))

    def pool(self, x, k, stride=None, padding="VALID", kind="AVERAGE_POOL_2D", act="NONE"):
        _, h, w_, c = self.shape(x)
        kh, kw = (k, k) if isinstance(k, int) else k
        stride = stride or (kh, kw)
        sh, sw = (stride, stride) if isinstance(stride, int) else stride
        oh, ow = _out_size(padding, h, kh, sh), _out_size(padding, w_, kw, sw)
        y = self.tensor([1, oh, ow, c], scale=self.scale(x), zero_point=self.zp(x))
        self.spread[y] = self.spread.get(x, 1.0)
        return self.op(kind, [x], [y], ("Pool2DOptions", {
            "padding": 0 if padding == "SAME" else 1, "stride_w": sw, "stride_h": sh,
            "filter_width": kw, "filter_height": kh, "fused_activation_function": ACT_CODES[act]}))

    def fc(self, x, out_dim, act="RELU", per_channel=False, weights=None, bias=True, out=None):
        n = 1
        for d in self.shape(x)[1:]:
            n *= d
        if weights is None:
            wq, scales = self._weights(out_dim, n, self.spread[x])
            if not per_channel:
                scales = [sum(scales) / len(scales)]
        else:
            wq, scales = weights
        b = self._bias(self.scale(x), scales * (out_dim if len(scales) == 1 else 1),
                       self.spread[x]) if bias is True else (bias or None)
        wt, bt = self._filter_and_bias(x, [out_dim, n], wq, scales, 0, b)
        y = out if out is not None else self.act_tensor([1, out_dim], self.spread[x], act)
        return self.op("FULLY_CONNECTED", [x, wt, bt], [y], ("FullyConnectedOptions", {
            "fused_activation_function": ACT_CODES[act]}))

    def add(self, a, b, act="NONE"):
        sp = math.sqrt(self.spread[a] ** 2 + self.spread[b] ** 2)
        y = self.act_tensor(self.shape(a), sp, act)
        return self.op("ADD", [a, b], [y], ("AddOptions", {"fused_activation_function": ACT_CODES[act]}))

    def softmax(self, x, beta=1.0):
        y = self.tensor(self.shape(x), scale=1.0 / 256, zero_point=-128)
        self.spread[y] = 0.1
        return self.op("SOFTMAX", [x], [y], ("SoftmaxOptions", {"beta": beta}))

    def reshape(self, x, shape, with_shape_tensor=True):
        shp = self.tensor([len(shape)], "INT32", data=struct.pack(f"<{len(shape)}i", *shape)) \
            if with_shape_tensor else None
        y = self.tensor(shape, scale=self.scale(x), zero_point=self.zp(x))
        self.spread[y] = self.spread.get(x, 1.0)
        ins = [x] if shp is None else [x, shp]
        return self.op("RESHAPE", ins, [y], ("ReshapeOptions", {"new_shape": list(shape)}))

    def mean(self, x, keep_dims=True, same_quant=False):
        _, h, w_, c = self.shape(x)
        axis = self.tensor([2], "INT32", data=struct.pack("<2i", 1, 2))
        if same_quant:
            y = self.tensor([1, 1, 1, c] if keep_dims else [1, c], scale=self.scale(x),
                            zero_point=self.zp(x))
            self.spread[y] = self.spread.get(x, 1.0)
        else:
            y = self.act_tensor([1, 1, 1, c] if keep_dims else [1, c], self.spread[x] * 0.5)
        return self.op("MEAN", [x, axis], [y], ("ReducerOptions", {"keep_dims": keep_dims}))

    # -- output ------------------------------------------------------------------

    def model(self):
        return {"version": 3, "operator_codes": self.opcodes, "description": self.description,
                "subgraphs": [{"tensors": self.tensors, "inputs": self.inputs,
                               "outputs": self.outputs, "operators": self.operators,
                               "name": "main"}],
                "buffers": self.buffers}

    def build(self):
        return fb.write_model(self.model())


def _out_size(padding, n, k, s, d=1):
    eff = (k - 1) * d + 1
    return (n + s - 1) // s if padding == "SAME" else (n - eff + s) // s


# ---------------------------------------------------------------------------
# MLPerf Tiny shapes

def dscnn(seed=1):
    m = ModelBuilder(seed, "MLPerf Tiny KWS DS-CNN shape, random int8 weights")
    x = m.input([1, 49, 10, 1], scale=0.25, zero_point=-10)
    x = m.conv(x, 64, (10, 4), stride=2, act="RELU")
    for _ in range(4):
        x = m.depthwise(x, 3, act="RELU")
        x = m.conv(x, 64, 1, act="RELU")
    x = m.pool(x, (25, 5))
    x = m.reshape(x, [1, 64])
    x = m.fc(x, 12, act="NONE")
    m.output(m.softmax(x))
    return m


def vww(seed=2):
    m = ModelBuilder(seed, "MLPerf Tiny VWW MobileNet v1 0.25 shape, random int8 weights")
    x = m.input([1, 96, 96, 3], scale=1.0 / 128, zero_point=0)
    x = m.conv(x, 8, 3, stride=2, act="RELU6")
    for c, s in [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1),
                 (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]:
        x = m.depthwise(x, 3, stride=s, act="RELU6")
        x = m.conv(x, c, 1, act="RELU6")
    x = m.pool(x, 3)
    x = m.reshape(x, [1, 256])
    x = m.fc(x, 2, act="NONE")
    m.output(m.softmax(x))
    return m


def resnet8(seed=3):
    m = ModelBuilder(seed, "MLPerf Tiny IC ResNet-8 shape, random int8 weights")
    x = m.input([1, 32, 32, 3], scale=1.0 / 64, zero_point=-3)
    x = m.conv(x, 16, 3, act="RELU")
    for c, s in [(16, 1), (32, 2), (64, 2)]:
        y = m.conv(x, c, 3, stride=s, act="RELU")
        y = m.conv(y, c, 3, act="NONE")
        if s != 1:
            x = m.conv(x, c, 1, stride=s, act="NONE")
        x = m.add(x, y, act="RELU")
    x = m.pool(x, 8)
    x = m.reshape(x, [1, 64])
    x = m.fc(x, 10, act="NONE")
    m.output(m.softmax(x))
    return m


def ad(seed=4):
    m = ModelBuilder(seed, "MLPerf Tiny AD autoencoder shape, random int8 weights")
    x = m.input([1, 640], scale=1.0 / 16, zero_point=2)
    for n in [128, 128, 128, 128, 8, 128, 128, 128, 128]:
        x = m.fc(x, n, act="RELU")
    m.output(m.fc(x, 640, act="NONE"))
    return m


MODELS = {"dscnn": dscnn, "vww": vww, "resnet8": resnet8, "ad": ad}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", nargs="?", choices=sorted(MODELS))
    ap.add_argument("-o", "--output")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args(argv)
    if a.list or not a.model:
        print(" ".join(sorted(MODELS)))
        return 0
    m = MODELS[a.model](a.seed) if a.seed is not None else MODELS[a.model]()
    data = m.build()
    out = a.output or f"{a.model}.tflite"
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
