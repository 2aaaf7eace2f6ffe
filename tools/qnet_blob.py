#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""qnet_blob.py: writer (and reference reader and runner) of starling's QNet model blob.

Standard library only. The C++ loader is starling::load_qmodel
(include/starling/qmodel.hpp); this file and that header hold the same tables.
Two versions: build_blob() writes version 1 (a chain of fc / lut / argmax
layers: the bytes of models exported before version 2 stay as they were),
build_graph_blob() writes version 2 (every layer kind, tensor graphs; the
format tools/tflite_import.py writes). parse_blob() reads both;
run_graph() runs a parsed model with tools/int8_ref.py's kernels.

Format, version 2: see qmodel.hpp (header 32 bytes: magic, version 2,
header_size 32, crc32, total_size, layer_count, record_size 120, input shape
h w c as u32; records of 120 bytes: kind, flags, act_min, act_max, input,
input2, output shape, input/input2/output offsets, 8 geometry u16,
depth_multiplier, left_shift, six int32 parameters, reserved, five
sections). The packing is _RECORD2 below.

Format, version 1. Integers little-endian; offsets in bytes from the blob start.

Header (24 bytes):
  off size type  field
   0   4   u8[4] magic b"SQNT"
   4   2   u16   version = 1
   6   2   u16   header_size = 24 (the layer records start here)
   8   4   u32   crc32 (zlib.crc32, CRC-32/IEEE) of bytes [12, total_size)
  12   4   u32   total_size, a multiple of 4 (bytes after it are ignored)
  16   2   u16   layer_count >= 1
  18   2   u16   record_size = 56
  20   4   u32   input_dim >= 1
Layer records (layer_count x 56 bytes at 24 + 56*i):
   0   1   u8    kind: 1 fully connected, 2 lut, 3 argmax
   1   1   u8    flags: bit 0 per_channel (fc only)
   2   1   i8    act_min (fc; else 0)
   3   1   i8    act_max (fc; else 0)
   4   2   i16   input_offset  (fc, -input_zero_point in [-127, 128]; else 0)
   6   2   i16   output_offset (fc, output_zero_point in [-128, 127]; else 0)
   8   4   u32   in_dim (the previous layer's output width, or input_dim)
  12   4   u32   out_dim (fc: outputs; lut: = in_dim; argmax: 1)
  16   8   u32x2 weights    (offset, size): fc, out_dim*in_dim int8, row-major
  24   8   u32x2 bias       (offset, size): fc, out_dim int32, or (0, 0) for none
  32   8   u32x2 multiplier (offset, size): fc, C int32, C = out_dim if per_channel else 1
  40   8   u32x2 shift      (offset, size): fc, C int32 in [-31, 30]
  48   8   u32x2 lut        (offset, size): lut, 256 int8, entry q + 128
Unused sections are (0, 0). Used sections start 4-aligned at or after the
records and end within total_size; they may overlap (identical sections are
stored once, so two layers can share one LUT). Each section is zero-padded
to 4 bytes.

Use as a module:
    import qnet_blob as qb
    layers = [qb.fc(w, b, m, s, in_dim=4, out_dim=8, input_offset=128,
                    output_offset=-3, act_min=-3, act_max=127, per_channel=True),
              qb.lut(8, table), qb.argmax(8)]
    blob = qb.build_blob(4, layers)
or from the command line with a JSON model (same field names as fc/lut/argmax
plus "kind": "fc" | "lut" | "argmax"):
    qnet_blob.py model.json -o model.qnet [--header model_blob.h --name kModelBlob]
"""

import argparse
import fractions
import json
import math
import os
import struct
import sys
import zlib

MAGIC = b"SQNT"
VERSION = 1
HEADER_BYTES = 24
RECORD_BYTES = 56
KIND_FC, KIND_LUT, KIND_ARGMAX = 1, 2, 3
_RECORD = struct.Struct("<BBbbhhII" + "II" * 5)
_HEADER = struct.Struct("<4sHHIIHHI")
assert _RECORD.size == RECORD_BYTES and _HEADER.size == HEADER_BYTES

VERSION2 = 2
HEADER2_BYTES = 32
RECORD2_BYTES = 120
_HEADER2 = struct.Struct("<4sHHIIHHIII")
_RECORD2 = struct.Struct("<BBbbHHIIIiii8HHHiiiiiiI" + "II" * 5)
assert _RECORD2.size == RECORD2_BYTES and _HEADER2.size == HEADER2_BYTES
KINDS = {"fc": 1, "lut": 2, "argmax": 3, "conv": 4, "depthwise": 5, "avg_pool": 6,
         "max_pool": 7, "add": 8, "softmax": 9, "reshape": 10, "mean": 11}
KIND_NAMES = {v: k for k, v in KINDS.items()}


def _check(cond, msg):
    if not cond:
        raise ValueError(msg)


def _ints(values, lo, hi, n, what):
    _check(isinstance(values, (list, tuple)), f"{what}: not a list")
    _check(all(isinstance(v, int) and not isinstance(v, bool) for v in values),
           f"{what}: a value is not an integer")
    values = [int(v) for v in values]
    _check(len(values) == n, f"{what}: {len(values)} values, expected {n}")
    _check(all(lo <= v <= hi for v in values), f"{what}: a value outside [{lo}, {hi}]")
    return values


def _flatten(w):
    out = []
    for row in w:
        if isinstance(row, (list, tuple)):
            out.extend(row)
        else:
            out.append(row)
    return out


def fc(weights, bias, multiplier, shift, in_dim, out_dim, input_offset=0, output_offset=0,
       act_min=-128, act_max=127, per_channel=False):
    """A fully-connected layer. weights: out_dim rows of in_dim int8 (nested or
    flat, row-major); bias: out_dim int32 or None; multiplier/shift: one per
    output channel if per_channel else one."""
    _check(1 <= in_dim <= 32768 and out_dim >= 1, "fc: bad dims")
    _check(-127 <= input_offset <= 128, "fc: input_offset outside [-127, 128]")
    _check(-128 <= output_offset <= 127, "fc: output_offset outside [-128, 127]")
    _check(-128 <= act_min <= act_max <= 127, "fc: bad clamp")
    c = out_dim if per_channel else 1
    return {
        "kind": "fc", "in_dim": in_dim, "out_dim": out_dim,
        "weights": _ints(_flatten(weights), -128, 127, in_dim * out_dim, "fc weights"),
        "bias": None if bias is None else _ints(bias, -2**31, 2**31 - 1, out_dim, "fc bias"),
        "multiplier": _ints(multiplier, 0, 2**31 - 1, c, "fc multiplier"),
        "shift": _ints(shift, -31, 30, c, "fc shift"),
        "input_offset": input_offset, "output_offset": output_offset,
        "act_min": act_min, "act_max": act_max, "per_channel": bool(per_channel),
    }


def lut(dim, table):
    """An element-wise activation: table[q + 128] for every int8 q."""
    _check(dim >= 1, "lut: bad dim")
    return {"kind": "lut", "dim": dim, "table": _ints(table, -128, 127, 256, "lut table")}


def argmax(dim):
    """Classifier marker over dim scores; last layer only."""
    _check(dim >= 1, "argmax: bad dim")
    return {"kind": "argmax", "dim": dim}


def _pad4(b):
    return b + bytes(-len(b) % 4)


def build_blob(input_dim, layers):
    """The blob (bytes) of a model: input_dim and a list of fc/lut/argmax dicts."""
    _check(1 <= len(layers) <= 65535, "layer count outside [1, 65535]")
    _check(input_dim >= 1, "input_dim must be >= 1")
    payload_start = HEADER_BYTES + RECORD_BYTES * len(layers)
    payload = bytearray()
    stored = {}

    def put(data):
        if not data:
            return (0, 0)
        if data not in stored:
            stored[data] = payload_start + len(payload)
            payload.extend(_pad4(data))
        return (stored[data], len(data))

    records = bytearray()
    width = input_dim
    for i, layer in enumerate(layers):
        try:
            width = _record(i, layer, layers, width, put, records)
        except ValueError as e:
            raise ValueError(str(e) if str(e).startswith("layer ") else f"layer {i}: {e}")
    total = payload_start + len(payload)
    body = struct.pack("<IHHI", total, len(layers), RECORD_BYTES, input_dim) + records + payload
    crc = zlib.crc32(body) & 0xFFFFFFFF
    blob = MAGIC + struct.pack("<HHI", VERSION, HEADER_BYTES, crc) + body
    assert len(blob) == total and total % 4 == 0
    return bytes(blob)


def _record(i, layer, layers, width, put, records):
    """Appends layer i's record (its sections through put); returns its output width."""
    kind = layer["kind"]
    sections = [(0, 0)] * 5
    flags = act_min = act_max = in_off = out_off = 0
    if kind == "fc":
        layer = fc(layer["weights"], layer.get("bias"), layer["multiplier"], layer["shift"],
                   layer["in_dim"], layer["out_dim"], layer.get("input_offset", 0),
                   layer.get("output_offset", 0), layer.get("act_min", -128),
                   layer.get("act_max", 127), layer.get("per_channel", False))
        _check(layer["in_dim"] == width, f"layer {i}: in_dim {layer['in_dim']} != {width}")
        code, in_dim, out_dim = KIND_FC, layer["in_dim"], layer["out_dim"]
        flags = 1 if layer["per_channel"] else 0
        act_min, act_max = layer["act_min"], layer["act_max"]
        in_off, out_off = layer["input_offset"], layer["output_offset"]
        bias = layer["bias"]
        sections = [
            put(struct.pack(f"<{len(layer['weights'])}b", *layer["weights"])),
            put(b"" if bias is None else struct.pack(f"<{len(bias)}i", *bias)),
            put(struct.pack(f"<{len(layer['multiplier'])}i", *layer["multiplier"])),
            put(struct.pack(f"<{len(layer['shift'])}i", *layer["shift"])),
            (0, 0),
        ]
        width = out_dim
    elif kind == "lut":
        layer = lut(layer["dim"], layer["table"])
        _check(layer["dim"] == width, f"layer {i}: dim {layer['dim']} != {width}")
        code, in_dim, out_dim = KIND_LUT, width, width
        sections[4] = put(struct.pack("<256b", *layer["table"]))
    elif kind == "argmax":
        _check(layer["dim"] == width, f"layer {i}: dim {layer['dim']} != {width}")
        _check(i == len(layers) - 1, "argmax must be the last layer")
        code, in_dim, out_dim = KIND_ARGMAX, width, 1
    else:
        raise ValueError(f"layer {i}: unknown kind {kind!r}")
    flat = [v for s in sections for v in s]
    records += _RECORD.pack(code, flags, act_min, act_max, in_off, out_off, in_dim, out_dim,
                            *flat)
    return width


def parse_blob(blob):
    """Reference reader: (input_dim, layers) from a version-1 blob, or
    ((h, w, c), layers) from a version-2 one (version-2 layer dicts as
    build_graph_blob takes them), raising ValueError on anything the C++
    loader would call Corrupt (it checks less: no parameter ranges beyond
    what fc() checks)."""
    _check(len(blob) >= HEADER_BYTES, "short blob")
    if blob[:4] == MAGIC and struct.unpack_from("<H", blob, 4)[0] == VERSION2:
        return _parse_blob_v2(blob)
    magic, version, hsize, crc, total, count, rsize, input_dim = _HEADER.unpack_from(blob)
    _check(magic == MAGIC and version == VERSION and hsize == HEADER_BYTES and
           rsize == RECORD_BYTES, "bad header")
    _check(total <= len(blob) and total % 4 == 0, "bad total_size")
    payload = HEADER_BYTES + RECORD_BYTES * count
    _check(count >= 1 and payload <= total, "bad layer count")
    _check(zlib.crc32(blob[12:total]) & 0xFFFFFFFF == crc, "bad crc")
    layers = []
    for i in range(count):
        (kind, flags, act_min, act_max, in_off, out_off, in_dim, out_dim,
         *flat) = _RECORD.unpack_from(blob, HEADER_BYTES + RECORD_BYTES * i)
        sec = []
        for off, size in zip(flat[0::2], flat[1::2]):
            _check((off, size) == (0, 0) or
                   (off % 4 == 0 and off >= payload and off + size <= total), "bad section")
            sec.append(blob[off:off + size])
        if kind == KIND_FC:
            n = len(sec[2]) // 4
            layers.append(fc(struct.unpack(f"<{len(sec[0])}b", sec[0]),
                             struct.unpack(f"<{len(sec[1]) // 4}i", sec[1]) if sec[1] else None,
                             struct.unpack(f"<{n}i", sec[2]),
                             struct.unpack(f"<{len(sec[3]) // 4}i", sec[3]),
                             in_dim, out_dim, in_off, out_off, act_min, act_max, flags & 1))
        elif kind == KIND_LUT:
            layers.append(lut(in_dim, struct.unpack("<256b", sec[4])))
        elif kind == KIND_ARGMAX:
            layers.append(argmax(in_dim))
        else:
            raise ValueError("bad kind")
    _check(build_blob(input_dim, layers) == bytes(blob[:total]), "not canonical")
    return input_dim, layers


# --- version 2: graphs ---------------------------------------------------------
#
# A version-2 model is (input_shape, layers): input_shape (h, w, c), layers a
# list of dicts with "kind" in KINDS and "input" (the tensor read: 0 the
# network input, k the output of layer k-1; default: the previous layer's
# output). Per kind (parameter names are those of the C++ structs):
#   fc:        weights (out_dim x in_dim, flat), bias (or None), multiplier, shift,
#              out_dim, input_offset, output_offset, act_min, act_max, per_channel
#   conv:      weights (OHWI flat), bias, multiplier, shift (out_c each), out_h, out_w,
#              out_c, k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w,
#              input_offset, output_offset, act_min, act_max
#   depthwise: as conv (weights [k_h][k_w][out_c]) plus depth_multiplier
#   avg_pool, max_pool: out_h, out_w, k_h, k_w, stride_h, stride_w, pad_h, pad_w,
#              act_min, act_max
#   add:       input2, in1_offset, in2_offset, out_offset, left_shift, in1_multiplier,
#              in1_shift, in2_multiplier, in2_shift, out_multiplier, out_shift,
#              act_min, act_max
#   softmax:   input_multiplier, input_left_shift, diff_min
#   reshape:   shape (h, w, c)
#   mean:      input_offset, output_offset, multiplier, shift
#   lut:       table (256 ints);  argmax: nothing
# Input dims (in_h, in_w, in_c, in_dim, size, rows, cols) come from the
# tensor a layer reads, as in the C++ loader.


def graph_shapes(input_shape, layers):
    """The shape of every tensor: [input_shape, out of layer 0, ...]. Raises
    ValueError where a layer does not fit the tensor it reads."""
    shapes = [tuple(input_shape)]
    _check(len(shapes[0]) == 3 and all(isinstance(d, int) and d >= 1 for d in shapes[0]),
           "input shape must be three positive ints")
    for i, l in enumerate(layers):
        k = l["kind"]
        src = l.get("input", i)
        _check(isinstance(src, int) and 0 <= src <= i, f"layer {i}: input {src} not in [0, {i}]")
        h, w, c = shapes[src]
        n = h * w * c
        if k == "fc":
            out = (1, 1, l["out_dim"])
        elif k in ("conv", "depthwise"):
            out = (l["out_h"], l["out_w"], l["out_c"])
        elif k in ("avg_pool", "max_pool"):
            out = (l["out_h"], l["out_w"], c)
        elif k == "reshape":
            out = tuple(l["shape"])
            _check(out[0] * out[1] * out[2] == n, f"layer {i}: reshape changes the element count")
        elif k == "mean":
            out = (1, 1, c)
        elif k == "add":
            src2 = l["input2"]
            _check(isinstance(src2, int) and 0 <= src2 <= i, f"layer {i}: input2 {src2} not in [0, {i}]")
            _check(shapes[src2] == shapes[src], f"layer {i}: add of shapes {shapes[src]} and {shapes[src2]}")
            out = (h, w, c)
        elif k in ("softmax", "lut", "argmax"):
            _check(k != "argmax" or i == len(layers) - 1, "argmax must be the last layer")
            out = (h, w, c)
        else:
            raise ValueError(f"layer {i}: unknown kind {k!r}")
        _check(all(isinstance(d, int) and d >= 1 for d in out), f"layer {i}: bad output shape {out}")
        shapes.append(out)
    return shapes


def layer_params(layer, in_shape, in2_shape=None):
    """The C++ parameter dict of a layer (batches 1), with the input dims of
    the tensor it reads filled in, as load_qmodel builds it."""
    k = layer["kind"]
    h, w, c = in_shape
    g = lambda *names: {n: layer[n] for n in names}
    if k == "fc":
        per_channel = bool(layer.get("per_channel", False))
        return dict(in_dim=h * w * c, out_dim=layer["out_dim"], per_channel=per_channel,
                    **g("input_offset", "output_offset", "multiplier", "shift", "act_min", "act_max"))
    if k in ("conv", "depthwise"):
        p = dict(batches=1, in_h=h, in_w=w, in_c=c,
                 **g("out_h", "out_w", "out_c", "k_h", "k_w", "stride_h", "stride_w", "dilation_h",
                     "dilation_w", "pad_h", "pad_w", "input_offset", "output_offset", "multiplier",
                     "shift", "act_min", "act_max"))
        if k == "depthwise":
            p["depth_multiplier"] = layer["depth_multiplier"]
        return p
    if k in ("avg_pool", "max_pool"):
        return dict(batches=1, in_h=h, in_w=w, channels=c,
                    **g("out_h", "out_w", "k_h", "k_w", "stride_h", "stride_w", "pad_h", "pad_w",
                        "act_min", "act_max"))
    if k == "add":
        return dict(size=h * w * c, **g("in1_offset", "in2_offset", "out_offset", "left_shift",
                                         "in1_multiplier", "in1_shift", "in2_multiplier",
                                         "in2_shift", "out_multiplier", "out_shift", "act_min",
                                         "act_max"))
    if k == "softmax":
        return dict(rows=h * w, cols=c, **g("input_multiplier", "input_left_shift", "diff_min"))
    if k == "mean":
        return dict(batches=1, in_h=h, in_w=w, channels=c,
                    **g("input_offset", "output_offset", "multiplier", "shift"))
    return {}


def _i32s(v):
    return struct.pack(f"<{len(v)}i", *v)


def build_graph_blob(input_shape, layers):
    """The version-2 blob (bytes) of a model: input_shape (h, w, c) and layer dicts."""
    _check(1 <= len(layers) <= 65535, "layer count outside [1, 65535]")
    shapes = graph_shapes(input_shape, layers)
    payload_start = HEADER2_BYTES + RECORD2_BYTES * len(layers)
    payload = bytearray()
    stored = {}

    def put(data):
        if not data:
            return (0, 0)
        if data not in stored:
            stored[data] = payload_start + len(payload)
            payload.extend(_pad4(data))
        return (stored[data], len(data))

    records = bytearray()
    for i, l in enumerate(layers):
        k = l["kind"]
        src = l.get("input", i)
        src2 = l.get("input2", 0) if k == "add" else 0
        out = shapes[i + 1]
        flags = act_min = act_max = in_off = in2_off = out_off = 0
        geom = [0] * 8
        dm = ls = 0
        prm = [0] * 6
        sec = [(0, 0)] * 5
        if k in ("fc", "conv", "depthwise", "avg_pool", "max_pool", "add"):
            act_min, act_max = l.get("act_min", -128), l.get("act_max", 127)
        if k in ("fc", "conv", "depthwise", "mean"):
            in_off, out_off = l["input_offset"], l["output_offset"]
        if k in ("fc", "conv", "depthwise"):
            w = l["weights"]
            bias = l.get("bias")
            sec = [put(struct.pack(f"<{len(w)}b", *w)), put(b"" if bias is None else _i32s(bias)),
                   put(_i32s(l["multiplier"])), put(_i32s(l["shift"])), (0, 0)]
        if k == "fc":
            flags = 1 if l.get("per_channel") else 0
        if k in ("conv", "depthwise"):
            geom = [l[n] for n in ("k_h", "k_w", "stride_h", "stride_w", "dilation_h",
                                   "dilation_w", "pad_h", "pad_w")]
            if k == "depthwise":
                dm = l["depth_multiplier"]
        elif k in ("avg_pool", "max_pool"):
            geom = [l["k_h"], l["k_w"], l["stride_h"], l["stride_w"], 0, 0, l["pad_h"], l["pad_w"]]
        elif k == "add":
            in_off, in2_off, out_off, ls = (l["in1_offset"], l["in2_offset"], l["out_offset"],
                                            l["left_shift"])
            prm = [l["in1_multiplier"], l["in1_shift"], l["in2_multiplier"], l["in2_shift"],
                   l["out_multiplier"], l["out_shift"]]
        elif k == "softmax":
            prm = [l["input_multiplier"], l["input_left_shift"], l["diff_min"], 0, 0, 0]
        elif k == "mean":
            prm = [l["multiplier"], l["shift"], 0, 0, 0, 0]
        elif k == "lut":
            sec[4] = put(struct.pack("<256b", *l["table"]))
        flat = [v for x in sec for v in x]
        records += _RECORD2.pack(KINDS[k], flags, act_min, act_max, src, src2, *out, in_off,
                                 in2_off, out_off, *geom, dm, ls, *prm, 0, *flat)
    total = payload_start + len(payload)
    body = struct.pack("<IHHIII", total, len(layers), RECORD2_BYTES, *shapes[0]) + records + payload
    crc = zlib.crc32(body) & 0xFFFFFFFF
    blob = MAGIC + struct.pack("<HHI", VERSION2, HEADER2_BYTES, crc) + body
    assert len(blob) == total and total % 4 == 0
    return bytes(blob)


def _parse_blob_v2(blob):
    _check(len(blob) >= HEADER2_BYTES, "short blob")
    magic, version, hsize, crc, total, count, rsize, ih, iw, ic = _HEADER2.unpack_from(blob)
    _check(hsize == HEADER2_BYTES and rsize == RECORD2_BYTES, "bad header")
    _check(total <= len(blob) and total % 4 == 0, "bad total_size")
    payload = HEADER2_BYTES + RECORD2_BYTES * count
    _check(count >= 1 and payload <= total, "bad layer count")
    _check(zlib.crc32(blob[12:total]) & 0xFFFFFFFF == crc, "bad crc")
    layers = []
    for i in range(count):
        f = _RECORD2.unpack_from(blob, HEADER2_BYTES + RECORD2_BYTES * i)
        (kind, flags, act_min, act_max, src, src2, oh, ow, oc, in_off, in2_off, out_off) = f[:12]
        geom, dm, ls, prm, flat = f[12:20], f[20], f[21], f[22:28], f[29:]
        sec = []
        for off, size in zip(flat[0::2], flat[1::2]):
            _check((off, size) == (0, 0) or
                   (off % 4 == 0 and off >= payload and off + size <= total), "bad section")
            sec.append(bytes(blob[off:off + size]))
        k = KIND_NAMES.get(kind)
        _check(k is not None, f"layer {i}: bad kind {kind}")
        l = {"kind": k, "input": src}
        i32 = lambda b: list(struct.unpack(f"<{len(b) // 4}i", b))
        if k in ("fc", "conv", "depthwise", "avg_pool", "max_pool", "add"):
            l.update(act_min=act_min, act_max=act_max)
        if k in ("fc", "conv", "depthwise", "mean"):
            l.update(input_offset=in_off, output_offset=out_off)
        if k in ("fc", "conv", "depthwise"):
            l.update(weights=list(struct.unpack(f"<{len(sec[0])}b", sec[0])),
                     bias=i32(sec[1]) if sec[1] else None, multiplier=i32(sec[2]),
                     shift=i32(sec[3]))
        if k == "fc":
            l.update(out_dim=oc, per_channel=bool(flags & 1))
        elif k in ("conv", "depthwise"):
            l.update(out_h=oh, out_w=ow, out_c=oc, **dict(zip(
                ("k_h", "k_w", "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                 "pad_w"), geom)))
            if k == "depthwise":
                l["depth_multiplier"] = dm
        elif k in ("avg_pool", "max_pool"):
            l.update(out_h=oh, out_w=ow, k_h=geom[0], k_w=geom[1], stride_h=geom[2],
                     stride_w=geom[3], pad_h=geom[6], pad_w=geom[7])
        elif k == "add":
            l.update(input2=src2, in1_offset=in_off, in2_offset=in2_off, out_offset=out_off,
                     left_shift=ls, in1_multiplier=prm[0], in1_shift=prm[1],
                     in2_multiplier=prm[2], in2_shift=prm[3], out_multiplier=prm[4],
                     out_shift=prm[5])
        elif k == "softmax":
            l.update(input_multiplier=prm[0], input_left_shift=prm[1], diff_min=prm[2])
        elif k == "mean":
            l.update(multiplier=prm[0], shift=prm[1])
        elif k == "reshape":
            l["shape"] = (oh, ow, oc)
        elif k == "lut":
            l["table"] = list(struct.unpack("<256b", sec[4]))
        layers.append(l)
    _check(build_graph_blob((ih, iw, ic), layers) == bytes(blob[:total]), "not canonical")
    return (ih, iw, ic), layers


def mean_hw(p, x, rounding="double"):
    """TFLite Micro's reference int8 MEAN over axes 1 and 2 (reduce.h,
    QuantizedMeanOrSum): the multiplier absorbs 1/n as the reference does."""
    import int8_ref
    rq = int8_ref.requantizer(rounding)
    B, H, W, C = p["batches"], p["in_h"], p["in_w"], p["channels"]
    n = H * W
    s = min(n.bit_length() - 1, 32, 31 + p["shift"])
    m = (p["multiplier"] << s) // n
    sh = p["shift"] - s
    out = []
    for b in range(B):
        base = b * n * C
        for c in range(C):
            total = sum(x[base + k * C + c] for k in range(n)) + p["input_offset"] * n
            v = _wrap32(rq(_wrap32(total), m, sh) + p["output_offset"])
            out.append(max(-128, min(127, v)))
    return out


def run_graph(input_shape, layers, x, rounding="double"):
    """Runs a version-2 model (or a version-1 chain with input_shape (1, 1, n))
    on one input sample (a list of ints) with tools/int8_ref.py's kernels:
    returns the final tensor before a trailing argmax. Python's reference for
    QNetCore::run."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import int8_ref as r
    shapes = graph_shapes(input_shape, layers)
    t = [list(x)]
    _check(len(x) == math.prod(shapes[0]), "input length")
    for i, l in enumerate(layers):
        k = l["kind"]
        src = t[l.get("input", i)]
        p = layer_params(l, shapes[l.get("input", i)])
        if k == "fc":
            y = r.fully_connected(p, src, l["weights"], l.get("bias"), 1, rounding)
        elif k == "conv":
            y = r.conv2d(p, src, l["weights"], l.get("bias"), rounding)
        elif k == "depthwise":
            y = r.depthwise_conv2d(p, src, l["weights"], l.get("bias"), rounding)
        elif k == "avg_pool":
            y = r.avg_pool2d(p, src)
        elif k == "max_pool":
            y = r.max_pool2d(p, src)
        elif k == "add":
            y = r.add(p, src, t[l["input2"]], rounding)
        elif k == "softmax":
            y = r.softmax(p, src, rounding)
        elif k == "mean":
            y = mean_hw(p, src, rounding)
        elif k == "lut":
            y = [l["table"][v + 128] for v in src]
        else:  # reshape, argmax
            y = src
        t.append(y)
    return t[-1]


# --- TFLite int8 arithmetic, for exporters and golden vectors ----------------

def quantize_multiplier(real):
    """TFLite QuantizeMultiplier: (multiplier, shift), real ~ m * 2^(shift - 31)."""
    if not (real > 0) or math.isinf(real):
        return 0, 0
    q, e = math.frexp(real)
    m = math.floor(fractions.Fraction(q) * 2**31 + fractions.Fraction(1, 2))  # ties away
    if m == 2**31:
        m //= 2
        e += 1
    if e < -31:
        return 0, 0
    if e > 30:
        return 2**31 - 1, 30
    return m, e


def _wrap32(v):
    return (v + 2**31) % 2**32 - 2**31


def requantize(acc, multiplier, shift):
    """TFLite MultiplyByQuantizedMultiplier (double rounding), exact integers."""
    shift = max(-31, min(30, shift))
    x = _wrap32(acc * (1 << max(shift, 0)))
    if x == multiplier == -2**31:
        h = 2**31 - 1
    else:
        ab = x * multiplier
        num = ab + (1 << 30 if ab >= 0 else 1 - (1 << 30))
        h = abs(num) >> 31  # C division truncates toward zero
        h = h if num >= 0 else -h
    r = max(-shift, 0)
    mask = (1 << r) - 1
    rem = h & mask
    threshold = (mask >> 1) + (1 if h < 0 else 0)
    return (h >> r) + (1 if rem > threshold else 0)


def reference_forward(input_dim, layers, x):
    """Scores (before a trailing argmax) and the argmax class for one input."""
    _check(len(x) == input_dim, "input length")
    for layer in layers:
        if layer["kind"] == "fc":
            n, m = layer["in_dim"], layer["out_dim"]
            y = []
            for o in range(m):
                acc = layer["bias"][o] if layer["bias"] else 0
                acc += sum(layer["weights"][o * n + i] * (x[i] + layer["input_offset"])
                           for i in range(n))
                c = o if layer["per_channel"] else 0
                v = requantize(_wrap32(acc), layer["multiplier"][c], layer["shift"][c])
                v = _wrap32(v + layer["output_offset"])
                y.append(max(layer["act_min"], min(layer["act_max"], v)))
            x = y
        elif layer["kind"] == "lut":
            x = [layer["table"][v + 128] for v in x]
    return x, max(range(len(x)), key=lambda i: (x[i], -i))


def c_array(name, data, ctype="uint8_t", per_line=16, align=4):
    """A C++ definition `alignas(align) constexpr ctype name[] = {...};`."""
    vals = ["(-2147483647 - 1)" if v == -2**31 else str(v) for v in data]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    body = ",\n    ".join(lines)
    prefix = f"alignas({align}) " if align else ""
    return f"{prefix}constexpr {ctype} {name}[{len(vals)}] = {{\n    {body}}};\n"


FIELDS = {  # per kind: (required, optional) JSON fields besides "kind"
    "fc": (("in_dim", "out_dim", "weights", "multiplier", "shift"),
           ("bias", "input_offset", "output_offset", "act_min", "act_max", "per_channel")),
    "lut": (("dim", "table"), ()),
    "argmax": (("dim",), ()),
}


def check_json_model(model):
    """The command line's JSON model, checked field by field (ValueError)."""
    _check(isinstance(model, dict), "the model must be a JSON object {input_dim, layers}")
    extra = sorted(set(model) - {"input_dim", "layers"})
    _check(not extra, f"unknown top-level field {extra[0]!r}" if extra else "")
    _check(isinstance(model.get("input_dim"), int) and not isinstance(model["input_dim"], bool),
           "input_dim must be an integer")
    _check(isinstance(model.get("layers"), list), "layers must be a list")
    for i, layer in enumerate(model["layers"]):
        _check(isinstance(layer, dict), f"layer {i}: not a JSON object")
        kind = layer.get("kind")
        _check(kind in FIELDS, f"layer {i}: unknown kind {kind!r} (fc, lut, argmax)")
        required, optional = FIELDS[kind]
        for k in required:
            _check(k in layer, f"layer {i}: missing {k!r}")
        for k in layer:
            _check(k == "kind" or k in required or k in optional,
                   f"layer {i}: unknown field {k!r} for kind {kind!r}")
        for k in ("in_dim", "out_dim", "dim", "input_offset", "output_offset", "act_min",
                  "act_max"):
            if k in layer:
                _check(isinstance(layer[k], int) and not isinstance(layer[k], bool),
                       f"layer {i}: {k} must be an integer")
        if "per_channel" in layer:
            _check(isinstance(layer["per_channel"], bool), f"layer {i}: per_channel must be "
                                                            f"true or false")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, as every other refusal
        raise ValueError(f"{message} (see --help)")


def main(argv=None):
    prog = "qnet_blob.py"
    try:
        ap = _Parser(prog=prog, description=__doc__.split("\n")[0])
        ap.add_argument("model", help="JSON model: {input_dim, layers: [...]}")
        ap.add_argument("-o", "--output", help="write the binary blob here")
        ap.add_argument("--header", help="write a C++ header with the blob as a byte array")
        ap.add_argument("--name", default="kModelBlob", help="array name in --header")
        args = ap.parse_args(argv)
        try:
            with open(args.model, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ValueError(f"cannot read {args.model}: {e.strerror or e}")
        try:
            model = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"{args.model}: not valid JSON ({e})")
        check_json_model(model)
        blob = build_blob(model["input_dim"], model["layers"])
        try:
            if args.output:
                with open(args.output, "wb") as f:
                    f.write(blob)
            if args.header:
                with open(args.header, "w", encoding="utf-8") as f:
                    f.write(f"// GENERATED by tools/qnet_blob.py from {args.model}; do not edit.\n"
                            "#pragma once\n#include <cstdint>\n\n" + c_array(args.name, blob))
        except OSError as e:
            raise ValueError(f"cannot write {e.filename}: {e.strerror or e}")
        if not args.output and not args.header:
            sys.stdout.buffer.write(blob)
        return 0
    except ValueError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
