#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tflite_import.py: an int8 .tflite model -> starling's QNet blob and a C header.

Standard library only (tools/tflite_fb.py reads the flatbuffer). The blob is
format version 2 of include/starling/qmodel.hpp (load it with load_qmodel, or
compile the header's byte array in); every parameter is computed the way
TensorFlow Lite Micro's Prepare functions compute it, so QNet's outputs are
bit-exact with TFLite Micro's reference kernels.

    tflite_import.py model.tflite --blob model.qnet --header model.h [--name model]
                     [--single-rounding]

Imports one subgraph with one int8 input and one int8 output, whose
operators are CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D,
FULLY_CONNECTED, ADD (same shapes), SOFTMAX, RESHAPE, SQUEEZE and MEAN (over
height and width), with fused NONE / RELU / RELU6 / RELU_N1_TO_1. Anything
else (another operator, a float or int16 tensor, broadcasting, a malformed
file) is refused with one line naming what and where, exit status 1, and
nothing is written: outputs go to temporary files renamed into place only
when everything succeeded.

The header defines, for a model named NAME (upper case in macros):
    NAME_INPUT_H, _W, _C, NAME_INPUT_SIZE; NAME_OUTPUT_SIZE
    NAME_INPUT_SCALE, NAME_INPUT_ZERO_POINT, NAME_OUTPUT_SCALE, NAME_OUTPUT_ZERO_POINT
                     (float32 as exact hex literals; q = round(x / scale) + zero_point)
    NAME_ARENA_BYTES the arena QNetCore::init plans for one sample
    NAME_LAYERS      the layer count (QModelStorage<NAME_LAYERS>)
    NAME_OPS         the op set the model needs (starling::QOps, as
                     qnet_model_ops computes it): QNet<NAME_ARENA_BYTES, NAME_OPS>
                     and kQOpResolver<NAME_OPS> link only those kinds' code
    NAME_blob[]      the blob bytes, 4-aligned (GCC/Clang attribute; define
                     STARLING_BLOB_ALIGN first for another compiler)
"""
import argparse
import math
import os
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import int8_ref as ref  # noqa: E402
import qnet_blob as qb  # noqa: E402
import tflite_fb as fb  # noqa: E402

SUPPORTED = ("ADD", "AVERAGE_POOL_2D", "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
             "MAX_POOL_2D", "MEAN", "RESHAPE", "SOFTMAX", "SQUEEZE")


class Refused(Exception):
    """A model starling cannot import; str() is the one-line reason."""


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


class Importer:
    def __init__(self, model, rounding="double"):
        self.m = model
        self.rounding = rounding
        subgraphs = model.get("subgraphs") or []
        if len(subgraphs) != 1:
            raise Refused(f"model: {len(subgraphs)} subgraphs, starling imports exactly one")
        self.g = subgraphs[0]
        self.tensors = self.g.get("tensors") or []
        self.buffers = model.get("buffers") or []
        self.opcodes = model.get("operator_codes") or []

    # -- tensors -----------------------------------------------------------------

    def t(self, i, where):
        if not isinstance(i, int) or not 0 <= i < len(self.tensors):
            raise Refused(f"{where}: tensor index {i} outside [0, {len(self.tensors)})")
        return self.tensors[i]

    def tname(self, i):
        name = self.tensors[i].get("name") or ""
        return f"tensor {i} '{name}'" if name else f"tensor {i}"

    def ttype(self, i):
        return fb.TENSOR_TYPES.get(self.tensors[i].get("type"), f"type {self.tensors[i].get('type')}")

    def data(self, i, where):
        """The constant bytes of tensor i, or None for a tensor without data."""
        t = self.tensors[i]
        b = t.get("buffer") or 0
        if b == 0:
            return None
        if b >= len(self.buffers):
            raise Refused(f"{where}: {self.tname(i)} refers to buffer {b} of {len(self.buffers)}")
        buf = self.buffers[b]
        if (buf.get("offset") or 0) > 1 or (t.get("external_buffer") or 0) != 0:
            raise Refused(f"{where}: {self.tname(i)} keeps its data outside the flatbuffer "
                          "(offset/external buffer), not supported")
        d = buf.get("data")
        return bytes(d) if d else None

    def shape(self, i, where):
        s = self.tensors[i].get("shape") or []
        if not s or any((not isinstance(d, int)) or d < 1 for d in s):
            raise Refused(f"{where}: {self.tname(i)} has shape {s}; starling needs known positive dims")
        return list(s)

    def act_shape(self, i, where):
        """(h, w, c) of an activation tensor: [1, h, w, c], [1, w, c], [1, n] or [n]."""
        s = self.shape(i, where)
        if len(s) > 4 or (len(s) >= 2 and s[0] != 1):
            raise Refused(f"{where}: {self.tname(i)} has shape {s}; starling runs batch 1 "
                          "tensors of rank <= 4")
        if len(s) == 4:
            return tuple(s[1:])
        if len(s) == 3:
            return (1, s[1], s[2])
        return (1, 1, s[-1])

    def quant(self, i, where, per_channel_ok=False):
        """(scales, zero_points, quantized_dimension) of a quantized tensor."""
        q = self.tensors[i].get("quantization") or {}
        scales, zps = q.get("scale") or [], q.get("zero_point") or []
        if not scales:
            raise Refused(f"{where}: {self.tname(i)} ({self.ttype(i)}) is not quantized")
        if len(zps) != len(scales):
            raise Refused(f"{where}: {self.tname(i)} has {len(scales)} scales and {len(zps)} zero points")
        if len(scales) > 1 and not per_channel_ok:
            raise Refused(f"{where}: {self.tname(i)} has {len(scales)} scales; activations need one")
        for s in scales:
            if not (s > 0 and math.isfinite(s)):
                raise Refused(f"{where}: {self.tname(i)} has scale {s}; scales must be finite and > 0")
        return scales, zps, q.get("quantized_dimension") or 0

    def act(self, i, where):
        """Checks an int8 activation tensor: (scale, zero_point, shape)."""
        if self.ttype(i) != "INT8":
            raise Refused(f"{where}: {self.tname(i)} is {self.ttype(i)}; starling runs int8 "
                          "activations only")
        scales, zps, _ = self.quant(i, where)
        if not -128 <= zps[0] <= 127:
            raise Refused(f"{where}: {self.tname(i)} zero point {zps[0]} outside [-128, 127]")
        return scales[0], int(zps[0]), self.act_shape(i, where)

    def const_ints(self, i, ttype, count, where):
        if self.ttype(i) != ttype:
            raise Refused(f"{where}: {self.tname(i)} is {self.ttype(i)}, expected {ttype}")
        d = self.data(i, where)
        fmt = {"INT8": "b", "INT32": "i"}[ttype]
        size = struct.calcsize(fmt)
        if d is None or len(d) != count * size:
            raise Refused(f"{where}: {self.tname(i)} holds {0 if d is None else len(d)} bytes, "
                          f"expected {count * size} ({count} x {ttype})")
        return list(struct.unpack(f"<{count}{fmt}", d))

    # -- parameters ----------------------------------------------------------------

    def multiplier(self, real, where):
        m, s = qb.quantize_multiplier(real)
        if s > 30 or (m == 2**31 - 1 and s == 30):
            raise Refused(f"{where}: rescale factor {real:g} too large for int8 requantization")
        return m, s

    def activation(self, code, out_scale, out_zp, where):
        name = fb.ACTIVATIONS.get(code, f"code {code}")
        if name not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
            raise Refused(f"{where}: fused activation {name} not supported "
                          "(NONE, RELU, RELU6, RELU_N1_TO_1)")
        lo, hi = ref.activation_range(name, out_scale, out_zp)
        if lo > hi:
            raise Refused(f"{where}: fused {name} leaves an empty output range")
        return lo, hi

    def filter_quant(self, i, channels, dim, where):
        scales, zps, qdim = self.quant(i, where, per_channel_ok=True)
        if any(z != 0 for z in zps):
            raise Refused(f"{where}: {self.tname(i)} has non-zero zero points; int8 weights are symmetric")
        if len(scales) == 1:
            return [scales[0]] * channels, False
        if len(scales) != channels or qdim != dim:
            raise Refused(f"{where}: {self.tname(i)} has {len(scales)} scales along dimension "
                          f"{qdim}; expected 1 or {channels} along dimension {dim}")
        return list(scales), True

    def bias(self, ins, n, where):
        if len(ins) < 3 or ins[2] < 0:
            return None
        return self.const_ints(ins[2], "INT32", n, where)

    def options(self, op, tname, where):
        o = op.get("builtin_options") or {}
        if o.get("_type") != fb.OPTIONS_CODES[tname]:
            raise Refused(f"{where}: options missing or not {tname}")
        return o

    # -- the graph -------------------------------------------------------------------

    def run(self):
        g = self.g
        ins, outs = g.get("inputs") or [], g.get("outputs") or []
        if len(ins) != 1 or len(outs) != 1:
            raise Refused(f"subgraph: {len(ins)} inputs and {len(outs)} outputs; starling "
                          "imports one of each")
        x = ins[0]
        self.t(x, "subgraph input")
        in_scale, in_zp, in_shape = self.act(x, "subgraph input")
        self.num = {x: 0}            # tflite tensor -> QNet tensor number
        self.shapes = {x: in_shape}  # tflite tensor -> (h, w, c)
        layers = []
        ops = g.get("operators") or []
        if not ops:
            raise Refused("subgraph: no operators")
        for k, op in enumerate(ops):
            oi = op.get("opcode_index") or 0
            if oi >= len(self.opcodes):
                raise Refused(f"operator {k}: opcode index {oi} of {len(self.opcodes)}")
            code = fb.builtin_code(self.opcodes[oi])
            name = fb.OP_NAMES.get(code, f"code {code}")
            where = f"operator {k} ({name})"
            if name not in SUPPORTED:
                raise Refused(f"{where}: not supported (starling imports {', '.join(SUPPORTED)})")
            oins, oouts = op.get("inputs") or [], op.get("outputs") or []
            if len(oouts) != 1:
                raise Refused(f"{where}: {len(oouts)} outputs, expected 1")
            for i in oins:
                if i >= 0:
                    self.t(i, where)
            y = oouts[0]
            self.t(y, where)
            if y in self.num:
                raise Refused(f"{where}: {self.tname(y)} is written twice")
            layer = getattr(self, "op_" + name.lower())(op, oins, y, where)
            layer["input"] = self.src(oins[0], where)
            layers.append(layer)
            self.num[y] = len(layers)
        y = outs[0]
        if self.num.get(y) != len(layers):
            raise Refused(f"subgraph output: {self.tname(y)} is not the last operator's output")
        out_scale, out_zp, out_shape = self.act(y, "subgraph output")
        shapes = qb.graph_shapes(in_shape, layers)
        if shapes[-1] != out_shape and math.prod(shapes[-1]) != math.prod(out_shape):
            raise Refused(f"subgraph output: shape {out_shape} does not match {shapes[-1]}")
        return {"input_shape": in_shape, "layers": layers, "input_scale": in_scale,
                "input_zero_point": in_zp, "output_scale": out_scale,
                "output_zero_point": out_zp, "output_size": math.prod(shapes[-1])}

    def src(self, i, where):
        if i < 0 or i not in self.num:
            raise Refused(f"{where}: reads {self.tname(i) if i >= 0 else 'no tensor'}, which is "
                          "neither the subgraph input nor an earlier operator's output")
        return self.num[i]

    def in_act(self, i, where):
        self.src(i, where)
        s, z, _ = self.act(i, where)
        return s, z, self.shapes[i]

    def out_act(self, y, where, expect_shape):
        s, z, shp = self.act(y, where)
        if math.prod(shp) != math.prod(expect_shape) or (len(self.shape(y, where)) == 4 and
                                                         tuple(shp) != tuple(expect_shape)):
            raise Refused(f"{where}: output {self.tname(y)} has shape {list(shp)}, the operator "
                          f"produces {list(expect_shape)}")
        self.shapes[y] = tuple(expect_shape)
        return s, z

    # -- operators ---------------------------------------------------------------------

    def _conv_like(self, op, ins, y, where, depthwise):
        if len(ins) < 2:
            raise Refused(f"{where}: {len(ins)} inputs, expected input, filter[, bias]")
        s_in, z_in, (h, w, c) = self.in_act(ins[0], where)
        f = ins[1]
        if f < 0 or self.ttype(f) != "INT8":
            raise Refused(f"{where}: filter is {self.ttype(f) if f >= 0 else 'missing'}; "
                          "starling runs int8 weights only")
        fs = self.shape(f, where)
        if len(fs) != 4:
            raise Refused(f"{where}: filter shape {fs}, expected 4 dims")
        o = self.options(op, "DepthwiseConv2DOptions" if depthwise else "Conv2DOptions", where)
        if depthwise:
            _, kh, kw, oc = fs
            if fs[0] != 1 or oc % c != 0:
                raise Refused(f"{where}: depthwise filter {fs} for {c} input channels")
            dm = oc // c
        else:
            oc, kh, kw, ic = fs
            if ic != c:
                raise Refused(f"{where}: filter has {ic} input channels, the input {c} "
                              "(grouped convolution is not supported)")
        sh, sw = o["stride_h"], o["stride_w"]
        dh, dw = o["dilation_h_factor"], o["dilation_w_factor"]
        if min(sh, sw, dh, dw) < 1:
            raise Refused(f"{where}: stride ({sh}, {sw}) and dilation ({dh}, {dw}) must be >= 1")
        pad = fb.PADDINGS.get(o["padding"])
        if pad is None:
            raise Refused(f"{where}: padding code {o['padding']}")
        oh, ph = ref.out_and_pad(pad, h, kh, sh, dh)
        ow, pw = ref.out_and_pad(pad, w, kw, sw, dw)
        if oh < 1 or ow < 1:
            raise Refused(f"{where}: {pad} padding leaves an empty output")
        s_out, z_out = self.out_act(y, where, (oh, ow, oc))
        wscales, _ = self.filter_quant(f, oc, 3 if depthwise else 0, where)
        ms = [self.multiplier(float(s_in) * float(ws) / float(s_out), where) for ws in wscales]
        lo, hi = self.activation(o["fused_activation_function"], s_out, z_out, where)
        n = kh * kw * oc * (1 if depthwise else c)
        layer = {"kind": "depthwise" if depthwise else "conv",
                 "weights": self.const_ints(f, "INT8", n, where), "bias": self.bias(ins, oc, where),
                 "multiplier": [m for m, _ in ms], "shift": [s for _, s in ms],
                 "out_h": oh, "out_w": ow, "out_c": oc, "k_h": kh, "k_w": kw,
                 "stride_h": sh, "stride_w": sw, "dilation_h": dh, "dilation_w": dw,
                 "pad_h": ph, "pad_w": pw, "input_offset": -z_in, "output_offset": z_out,
                 "act_min": lo, "act_max": hi}
        if depthwise:
            layer["depth_multiplier"] = dm
        for v in (kh, kw, sh, sw, dh, dw, ph, pw, layer.get("depth_multiplier", 0)):
            if v > 65535:
                raise Refused(f"{where}: a kernel, stride, dilation or padding of {v} exceeds the "
                              "blob format's 65535")
        return layer

    def op_conv_2d(self, op, ins, y, where):
        return self._conv_like(op, ins, y, where, False)

    def op_depthwise_conv_2d(self, op, ins, y, where):
        return self._conv_like(op, ins, y, where, True)

    def _pool(self, op, ins, y, where, kind):
        s_in, z_in, (h, w, c) = self.in_act(ins[0], where)
        o = self.options(op, "Pool2DOptions", where)
        kh, kw, sh, sw = o["filter_height"], o["filter_width"], o["stride_h"], o["stride_w"]
        if min(kh, kw, sh, sw) < 1:
            raise Refused(f"{where}: filter ({kh}, {kw}) and stride ({sh}, {sw}) must be >= 1")
        pad = fb.PADDINGS.get(o["padding"])
        if pad is None:
            raise Refused(f"{where}: padding code {o['padding']}")
        oh, ph = ref.out_and_pad(pad, h, kh, sh)
        ow, pw = ref.out_and_pad(pad, w, kw, sw)
        if oh < 1 or ow < 1:
            raise Refused(f"{where}: {pad} padding leaves an empty output")
        s_out, z_out = self.out_act(y, where, (oh, ow, c))
        if f32(s_out) != f32(s_in) or z_out != z_in:
            raise Refused(f"{where}: input and output quantization differ (scale {s_in:g}/{s_out:g}, "
                          f"zero point {z_in}/{z_out}); TFLite's int8 pooling needs them equal")
        lo, hi = self.activation(o["fused_activation_function"], s_out, z_out, where)
        for v in (kh, kw, sh, sw, ph, pw):
            if v > 65535:
                raise Refused(f"{where}: a window, stride or padding of {v} exceeds 65535")
        return {"kind": kind, "out_h": oh, "out_w": ow, "k_h": kh, "k_w": kw, "stride_h": sh,
                "stride_w": sw, "pad_h": ph, "pad_w": pw, "act_min": lo, "act_max": hi}

    def op_average_pool_2d(self, op, ins, y, where):
        return self._pool(op, ins, y, where, "avg_pool")

    def op_max_pool_2d(self, op, ins, y, where):
        return self._pool(op, ins, y, where, "max_pool")

    def op_fully_connected(self, op, ins, y, where):
        if len(ins) < 2:
            raise Refused(f"{where}: {len(ins)} inputs, expected input, weights[, bias]")
        s_in, z_in, shp = self.in_act(ins[0], where)
        f = ins[1]
        if f < 0 or self.ttype(f) != "INT8":
            raise Refused(f"{where}: weights are {self.ttype(f) if f >= 0 else 'missing'}; "
                          "starling runs int8 weights only")
        o = self.options(op, "FullyConnectedOptions", where)
        if o["weights_format"] != 0:
            raise Refused(f"{where}: shuffled weights format not supported")
        fs = self.shape(f, where)
        if len(fs) != 2:
            raise Refused(f"{where}: weights shape {fs}, expected [outputs, inputs]")
        out_dim, in_dim = fs
        if math.prod(shp) != in_dim:
            raise Refused(f"{where}: input has {math.prod(shp)} values, weights take {in_dim} "
                          "(batched fully connected is not supported)")
        s_out, z_out = self.out_act(y, where, (1, 1, out_dim))
        wscales, per_channel = self.filter_quant(f, out_dim, 0, where)
        if per_channel:
            ms = [self.multiplier(float(s_in) * float(ws) / float(s_out), where) for ws in wscales]
        else:
            # TFLite's per-tensor path multiplies the two scales in float first.
            ms = [self.multiplier(float(f32(f32(s_in) * f32(wscales[0]))) / float(s_out), where)]
        lo, hi = self.activation(o["fused_activation_function"], s_out, z_out, where)
        if in_dim > 32768:
            raise Refused(f"{where}: {in_dim} inputs exceed the kernel's 32768")
        return {"kind": "fc", "weights": self.const_ints(f, "INT8", out_dim * in_dim, where),
                "bias": self.bias(ins, out_dim, where), "multiplier": [m for m, _ in ms],
                "shift": [s for _, s in ms], "out_dim": out_dim, "per_channel": per_channel,
                "input_offset": -z_in, "output_offset": z_out, "act_min": lo, "act_max": hi}

    def op_add(self, op, ins, y, where):
        if len(ins) != 2:
            raise Refused(f"{where}: {len(ins)} inputs, expected 2")
        s1, z1, sh1 = self.in_act(ins[0], where)
        s2, z2, sh2 = self.in_act(ins[1], where)
        if sh1 != sh2 or self.shape(ins[0], where) != self.shape(ins[1], where):
            raise Refused(f"{where}: shapes {self.shape(ins[0], where)} and "
                          f"{self.shape(ins[1], where)} differ (broadcasting is not supported)")
        s_out, z_out = self.out_act(y, where, sh1)
        o = self.options(op, "AddOptions", where)
        lo, hi = self.activation(o["fused_activation_function"], s_out, z_out, where)
        try:
            p = ref.add_params(math.prod(sh1), s1, z1, s2, z2, s_out, z_out, lo, hi)
        except ValueError as e:
            raise Refused(f"{where}: {e}") from None
        p.pop("size")
        p["input2"] = self.src(ins[1], where)
        return dict(kind="add", **p)

    def op_softmax(self, op, ins, y, where):
        s_in, z_in, shp = self.in_act(ins[0], where)
        s_out, z_out = self.out_act(y, where, shp)
        if f32(s_out) != f32(1.0 / 256) or z_out != -128:
            raise Refused(f"{where}: output scale {s_out:g} and zero point {z_out}; TFLite's int8 "
                          "softmax needs 1/256 and -128")
        o = self.options(op, "SoftmaxOptions", where)
        beta = o["beta"]
        if not (beta > 0 and math.isfinite(beta)):
            raise Refused(f"{where}: beta {beta}")
        try:
            p = ref.softmax_params(shp[0] * shp[1], shp[2], beta, s_in, self.rounding)
        except ValueError as e:
            raise Refused(f"{where}: {e}") from None
        return {"kind": "softmax", "input_multiplier": p["input_multiplier"],
                "input_left_shift": p["input_left_shift"], "diff_min": p["diff_min"]}

    def _reshape(self, op, ins, y, where):
        s_in, z_in, shp = self.in_act(ins[0], where)
        s_out, z_out, out = self.act(y, where)
        if math.prod(out) != math.prod(shp):
            raise Refused(f"{where}: {list(shp)} -> {list(out)} changes the element count")
        if f32(s_out) != f32(s_in) or z_out != z_in:
            raise Refused(f"{where}: input and output quantization differ")
        self.shapes[y] = tuple(out)
        return {"kind": "reshape", "shape": tuple(out)}

    def op_reshape(self, op, ins, y, where):
        return self._reshape(op, ins, y, where)

    def op_squeeze(self, op, ins, y, where):
        return self._reshape(op, ins, y, where)

    def op_mean(self, op, ins, y, where):
        if len(ins) != 2:
            raise Refused(f"{where}: {len(ins)} inputs, expected input and axis")
        s_in, z_in, (h, w, c) = self.in_act(ins[0], where)
        if len(self.shape(ins[0], where)) != 4:
            raise Refused(f"{where}: input of rank {len(self.shape(ins[0], where))}; starling "
                          "takes the mean of NHWC tensors over height and width")
        n_axis = math.prod(self.shape(ins[1], where)) if self.shape(ins[1], where) else 1
        axes = self.const_ints(ins[1], "INT32", n_axis, where)
        if sorted(a % 4 for a in axes) != [1, 2]:
            raise Refused(f"{where}: axes {axes}; starling takes the mean over axes 1 and 2 only")
        s_out, z_out = self.out_act(y, where, (1, 1, c))
        m, s = self.multiplier(float(s_in) / float(s_out), where)
        if h * w > (1 << 20):
            raise Refused(f"{where}: {h}x{w} window exceeds 2^20 values")
        return {"kind": "mean", "input_offset": -z_in, "output_offset": z_out,
                "multiplier": m, "shift": s}


# ---------------------------------------------------------------------------
# Arena plan (the algorithm of QNetCore::init, for the header's figure)

def is_chain(input_shape, layers):
    """True when QNet runs the model on its ping-pong path: fc/lut/argmax
    layers, each reading the previous output, over a flat input."""
    return input_shape[0] == 1 and input_shape[1] == 1 and all(
        l["kind"] in ("fc", "lut", "argmax") and l.get("input", i) == i for i, l in enumerate(layers))


def model_ops(input_shape, layers):
    """The model's op set as starling::qnet_model_ops computes it: bit k for
    layer kind k (qnet_blob.KINDS), bit 0 for the planned path."""
    ops = 0 if is_chain(input_shape, layers) else 1
    for l in layers:
        ops |= 1 << qb.KINDS[l["kind"]]
    return ops


def plan_arena(input_shape, layers):
    """Bytes QNetCore::init needs for one sample: the ping-pong size for a
    straight fc/lut/argmax chain over a flat input, else the greedy plan
    (largest first, lowest offset among tensors alive at once; reshape and
    argmax share their input's bytes) plus its 12 bytes a layer and the
    largest convolution scratch."""
    n = len(layers)
    chain = is_chain(input_shape, layers)
    shapes = qb.graph_shapes(input_shape, layers)
    if chain:
        width = max([l["out_dim"] if l["kind"] == "fc" else math.prod(shapes[i])
                     for i, l in enumerate(layers) if l["kind"] != "argmax"], default=0)
        return 2 * width
    alias = [False] + [l["kind"] in ("reshape", "argmax") for l in layers]
    root = list(range(n + 1))
    for t in range(1, n + 1):
        if alias[t]:
            root[t] = root[layers[t - 1].get("input", t - 1)]
    size = [0] + [0 if alias[t] else math.prod(shapes[t]) for t in range(1, n + 1)]
    last = [t - 1 for t in range(n + 1)]
    for i, l in enumerate(layers):
        reads = [l.get("input", i)] + ([l["input2"]] if l["kind"] == "add" else [])
        for r in reads:
            rt = root[r]
            if rt > 0 and last[rt] < i:
                last[rt] = i
    final = n - (1 if layers[-1]["kind"] == "argmax" else 0)
    if root[final] > 0:
        last[root[final]] = n
    off = {}
    for _ in range(n):
        cand = [t for t in range(1, n + 1) if size[t] > 0 and t not in off]
        if not cand:
            break
        pick = max(cand, key=lambda t: (size[t], -t))
        first, lst = pick - 1, last[pick]
        conf = [u for u in off if u - 1 <= lst and first <= last[u]]
        best = None
        for at in [0] + [off[u] + size[u] for u in conf]:
            if best is not None and at >= best:
                continue
            if all(at + size[pick] <= off[u] or off[u] + size[u] <= at for u in conf):
                best = at
        off[pick] = best
    total = max([off[t] + size[t] for t in off], default=0)
    scratch = 0
    for i, l in enumerate(layers):
        if l["kind"] == "conv":
            if not (l["k_h"] == 1 and l["k_w"] == 1 and l["stride_h"] == 1 and l["stride_w"] == 1
                    and l["pad_h"] == 0 and l["pad_w"] == 0):
                k = l["k_h"] * l["k_w"] * shapes[l.get("input", i)][2]
                scratch = max(scratch, 4 * k + 4 * l["out_c"] + 16)
    return 12 * n + total + scratch


# ---------------------------------------------------------------------------
# Outputs

def op_names(ops):
    """The kinds of an op set, as QLayerKind spells them (and Graph for bit 0)."""
    names = {0: "Graph", 1: "FullyConnected", 2: "Lut", 3: "Argmax", 4: "Conv2D",
             5: "DepthwiseConv2D", 6: "AvgPool2D", 7: "MaxPool2D", 8: "Add", 9: "Softmax",
             10: "Reshape", 11: "Mean"}
    return " ".join(names[k] for k in sorted(names) if ops >> k & 1)


def c_header(name, src, blob, info, arena):
    up = name.upper()
    ih, iw, ic = info["input_shape"]
    hexf = lambda v: f32(v).hex() + "f"
    lines = [
        "// SPDX-License-Identifier: MIT",
        f"// {name}: QNet model imported from {os.path.basename(src)} by tools/tflite_import.py;",
        "// GENERATED, do not edit. Load with starling::load_qmodel(" + name + "_blob, "
        f"sizeof {name}_blob, storage)",
        f"// (QModelStorage<{up}_LAYERS>, resolver starling::kQOpResolver<{up}_OPS>), run on a",
        f"// QNet<{up}_ARENA_BYTES, {up}_OPS>. Quantize an input x",
        f"// as q = clamp(round(x / {up}_INPUT_SCALE) + {up}_INPUT_ZERO_POINT, -128, 127).",
        "#pragma once",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        f"#define {up}_INPUT_H {ih}",
        f"#define {up}_INPUT_W {iw}",
        f"#define {up}_INPUT_C {ic}",
        f"#define {up}_INPUT_SIZE {ih * iw * ic}",
        f"#define {up}_OUTPUT_SIZE {info['output_size']}",
        f"#define {up}_INPUT_SCALE {hexf(info['input_scale'])} /* {f32(info['input_scale']):.9g} */",
        f"#define {up}_INPUT_ZERO_POINT ({info['input_zero_point']})",
        f"#define {up}_OUTPUT_SCALE {hexf(info['output_scale'])} /* {f32(info['output_scale']):.9g} */",
        f"#define {up}_OUTPUT_ZERO_POINT ({info['output_zero_point']})",
        f"#define {up}_ARENA_BYTES {arena}",
        f"#define {up}_LAYERS {len(info['layers'])}",
        f"#define {up}_OPS 0x{model_ops(info['input_shape'], info['layers']):x}u /* "
        + op_names(model_ops(info['input_shape'], info['layers'])) + " */",
        "",
        "#ifndef STARLING_BLOB_ALIGN",
        "#define STARLING_BLOB_ALIGN __attribute__((aligned(4)))  /* GCC, Clang; C and C++ */",
        "#endif",
        "",
    ]
    if os.environ.get("STARLING_IMPORT_NO_ARRAY"):
        return "\n".join(lines) + "\n"
    body = []
    for i in range(0, len(blob), 20):
        body.append("    " + ", ".join(str(b) for b in blob[i:i + 20]) + ",")
    lines.append(f"static const uint8_t {name}_blob[{len(blob)}] STARLING_BLOB_ALIGN = {{")
    lines.extend(body)
    lines.append("};")
    return "\n".join(lines) + "\n"


def import_model(data, rounding="double"):
    """(blob bytes, info dict) from .tflite bytes; raises Refused or
    fb.TfliteError."""
    model = fb.read_model(data)
    info = Importer(model, rounding).run()
    blob = qb.build_graph_blob(info["input_shape"], info["layers"])
    return blob, info


def write_atomic(path, data, mode):
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tflite_import.", dir=d)
    try:
        with os.fdopen(fd, mode) as f:
            f.write(data)
        return tmp
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", help="int8 .tflite file")
    ap.add_argument("--blob", help="write the QNet blob (format version 2) here")
    ap.add_argument("--header", help="write the C header here")
    ap.add_argument("--name", help="identifier prefix in the header (default: from the file name)")
    ap.add_argument("--single-rounding", action="store_true",
                    help="softmax parameters for a -Dsingle_rounding=true build")
    a = ap.parse_args(argv)
    name = a.name or "".join(ch if ch.isalnum() else "_"
                             for ch in os.path.splitext(os.path.basename(a.model))[0])
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "model_" + name
    try:
        with open(a.model, "rb") as f:
            data = f.read()
        blob, info = import_model(data, "single" if a.single_rounding else "double")
        arena = plan_arena(info["input_shape"], info["layers"])
        tmps = []
        try:
            if a.blob:
                tmps.append((write_atomic(a.blob, blob, "wb"), a.blob))
            if a.header:
                tmps.append((write_atomic(a.header, c_header(name, a.model, blob, info, arena), "w"),
                             a.header))
        except BaseException:
            for t, _ in tmps:
                os.unlink(t)
            raise
        for t, dst in tmps:
            os.replace(t, dst)
    except (Refused, fb.TfliteError, ValueError, OSError) as e:
        msg = " ".join(str(e).split())
        print(f"tflite_import: {a.model}: {msg}", file=sys.stderr)
        return 1
    print(f"{a.model}: {len(info['layers'])} layers, input {list(info['input_shape'])}, "
          f"output {info['output_size']}, blob {len(blob)} bytes, arena {arena} bytes, "
          f"ops {op_names(model_ops(info['input_shape'], info['layers']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
