#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""export_qnet.py: float MLP -> int8 QNet model (C++ header and binary blob).

Standard library only (no numpy). Post-training quantization following the
TensorFlow Lite int8 spec, as starling's QNet runs it (include/starling/qnet.hpp):

  * weights: symmetric int8 per output channel, w_scale[o] = max|w[o][:]|/127,
    q = round(w / w_scale[o]) clamped to [-127, 127];
  * activations: asymmetric int8; scale and zero point of the network input
    and of every layer output from the min/max over the calibration inputs
    (the range always includes 0): scale = (max - min)/255,
    zero_point = round(-128 - min/scale) clamped to [-128, 127];
  * bias: int32, round(b / (in_scale * w_scale[o]));
  * requantization: effective = in_scale * w_scale[o] / out_scale in double
    (scales rounded to float32 first, as a .tflite file stores them), turned
    into (multiplier, shift) by quantize_multiplier (frexp, round half away
    from zero, carry at 2^31, flush below 2^-31; tools/qnet_blob.py);
  * "relu" is the clamp act_min = out_zero_point; "tanh" / "sigmoid" add a
    256-entry LUT layer (output scale 1/128, zp 0 / 1/256, zp -128);
  * a trailing argmax layer marks the classifier (--no-argmax leaves it out).
All roundings are half away from zero.

Input, JSON:  {"layers": [{"w": [[...], ...] (out x in), "b": [...],
                           "act": "relu" | "none" | "tanh" | "sigmoid"}, ...]}
or .npz (numpy.savez, float32/float64, C order): arrays w0, b0, w1, b1, ... with
the activations given by --acts relu,none (default: relu between layers, none
after the last).
Calibration, JSON: a list of input vectors (or {"x": [...]}).

Usage:
  export_qnet.py model.json --calib calib.json --header model.h [--blob model.qnet]
                 [--namespace my_model] [--per-tensor] [--no-argmax]
      writes a header with constexpr arrays, the QLayer table `kLayers`, the
      `kModel` descriptor, the input quantization (kInputScale,
      kInputZeroPoint) and the blob bytes (`kBlob`, for load_qmodel), and/or
      the blob file (tools/qnet_blob.py's format).
  export_qnet.py model.json --calib calib.json --selftest test.json
                 [--min-agreement 0.99] [--check-header committed.h]
      exports into a temporary directory, reads the blob back
      (qnet_blob.parse_blob), runs it on every test input in exact integer
      arithmetic (qnet_blob.reference_forward, TFLite's formulas) and fails
      (exit 1) unless the int8 argmax equals the float argmax on at least
      --min-agreement of the inputs; with --check-header it also fails when the
      committed header differs from a fresh export.

Using the header:
    #include "model.h"
    static starling::QNet<starling::qnet_arena_bytes(my_model::kModel)> net;
    (void)net.init(my_model::kModel);
    int8_t q[my_model::kInputDim];   // q = clamp(round(x/kInputScale) + kInputZeroPoint)
    int cls; (void)net.classify(q, &cls);
"""

import argparse
import ast
import io
import json
import math
import os
import struct
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qnet_blob as qb  # noqa: E402

ACTS = ("relu", "none", "tanh", "sigmoid")
LUT_OUT = {"tanh": (1.0 / 128, 0), "sigmoid": (1.0 / 256, -128)}


def f32(x):
    """x rounded to float32 (the precision of a stored scale)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def round_away(x):
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


# --- reading -----------------------------------------------------------------

def _read_npy(data):
    """(shape, flat list of floats) of a .npy file (float32/float64, C order)."""
    if data[:6] != b"\x93NUMPY":
        raise ValueError("not a .npy file")
    major = data[6]
    if major == 1:
        hlen, start = struct.unpack_from("<H", data, 8)[0], 10
    else:
        hlen, start = struct.unpack_from("<I", data, 8)[0], 12
    header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
    if header["fortran_order"]:
        raise ValueError("Fortran-order arrays are not supported")
    fmt = {"<f4": "f", "<f8": "d", "|f4": "f", "|f8": "d"}.get(header["descr"])
    if fmt is None:
        raise ValueError(f"unsupported dtype {header['descr']}")
    shape = tuple(header["shape"])
    n = 1
    for s in shape:
        n *= s
    vals = list(struct.unpack_from(f"<{n}{fmt}", data, start + hlen))
    return shape, vals


def load_model(path, acts=None):
    """{"layers": [{"w", "b", "act"}]} from a JSON or .npz file."""
    if path.endswith(".npz"):
        with zipfile.ZipFile(path) as z:
            arrays = {os.path.splitext(n)[0]: _read_npy(z.read(n)) for n in z.namelist()}
        layers = []
        while f"w{len(layers)}" in arrays:
            i = len(layers)
            (out_dim, in_dim), wv = arrays[f"w{i}"]
            _, bv = arrays[f"b{i}"]
            layers.append({"w": [wv[o * in_dim:(o + 1) * in_dim] for o in range(out_dim)],
                           "b": bv, "act": None})
        if not layers:
            raise ValueError(f"{path}: no arrays w0, b0, ...")
        if acts is None:
            acts = ["relu"] * (len(layers) - 1) + ["none"]
        if len(acts) != len(layers):
            raise ValueError("--acts needs one activation per layer")
        for layer, a in zip(layers, acts):
            layer["act"] = a
        model = {"layers": layers}
    else:
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
        if acts is not None:
            for layer, a in zip(model["layers"], acts):
                layer["act"] = a
    width = None
    for i, layer in enumerate(model["layers"]):
        layer.setdefault("act", "none")
        if layer["act"] not in ACTS:
            raise ValueError(f"layer {i}: act must be one of {ACTS}")
        out_dim, in_dim = len(layer["w"]), len(layer["w"][0])
        if any(len(r) != in_dim for r in layer["w"]) or len(layer["b"]) != out_dim:
            raise ValueError(f"layer {i}: inconsistent shapes")
        if width is not None and in_dim != width:
            raise ValueError(f"layer {i}: in {in_dim} != previous out {width}")
        width = out_dim
    return model


def load_inputs(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return data["x"] if isinstance(data, dict) else data


# --- float reference -----------------------------------------------------------

def _act(a, v):
    if a == "relu":
        return max(v, 0.0)
    if a == "tanh":
        return math.tanh(v)
    if a == "sigmoid":
        return 1.0 / (1.0 + math.exp(-v))
    return v


def float_forward(model, x, trace=None):
    """Float outputs; `trace` (a list) receives (pre-activation, output) per layer."""
    for layer in model["layers"]:
        pre = []
        for row, b in zip(layer["w"], layer["b"]):
            a = b
            for wv, xv in zip(row, x):
                a += wv * xv
            pre.append(a)
        x = [_act(layer["act"], v) for v in pre]
        if trace is not None:
            trace.append((pre, x))
    return x


def argmax(v):
    return max(range(len(v)), key=lambda i: (v[i], -i))


# --- quantization ------------------------------------------------------------

def act_params(lo, hi):
    """(scale, zero_point) of an asymmetric int8 tensor covering [lo, hi] and 0."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo <= 0:
        return f32(1.0), 0
    scale = f32((hi - lo) / 255.0)
    return scale, clamp(round_away(-128 - lo / scale), -128, 127)


def quantize_input(x, scale, zp):
    return [clamp(round_away(v / scale) + zp, -128, 127) for v in x]


def quantize(model, calib, per_tensor=False, add_argmax=True):
    """The quantized model: {"input_dim", "input_scale", "input_zp", "layers"
    (qnet_blob dicts), "info" (per-layer scales for the header comments)}."""
    if not calib:
        raise ValueError("no calibration inputs")
    n_layers = len(model["layers"])
    lo_in, hi_in = min(min(x) for x in calib), max(max(x) for x in calib)
    pre_lo, pre_hi = [math.inf] * n_layers, [-math.inf] * n_layers
    out_lo, out_hi = [math.inf] * n_layers, [-math.inf] * n_layers
    for x in calib:
        trace = []
        float_forward(model, x, trace)
        for i, (pre, out) in enumerate(trace):
            pre_lo[i], pre_hi[i] = min(pre_lo[i], min(pre)), max(pre_hi[i], max(pre))
            out_lo[i], out_hi[i] = min(out_lo[i], min(out)), max(out_hi[i], max(out))

    in_scale, in_zp = act_params(lo_in, hi_in)
    q = {"input_dim": len(model["layers"][0]["w"][0]), "input_scale": in_scale,
         "input_zp": in_zp, "layers": [], "info": []}
    scale, zp = in_scale, in_zp
    for i, layer in enumerate(model["layers"]):
        act = layer["act"]
        w, b = layer["w"], layer["b"]
        out_dim, in_dim = len(w), len(w[0])
        if act in LUT_OUT:
            o_scale, o_zp = act_params(pre_lo[i], pre_hi[i])
        elif act == "relu":
            o_scale, o_zp = act_params(0.0, out_hi[i])
        else:
            o_scale, o_zp = act_params(out_lo[i], out_hi[i])
        if per_tensor:
            m = max(abs(v) for row in w for v in row)
            w_scales = [f32(m / 127.0) if m > 0 else f32(1.0)] * out_dim
        else:
            w_scales = [f32(max(abs(v) for v in row) / 127.0) if any(row) else f32(1.0)
                        for row in w]
        qw = [clamp(round_away(v / ws), -127, 127) for row, ws in zip(w, w_scales) for v in row]
        qbias = [clamp(round_away(bv / (scale * ws)), -2**31, 2**31 - 1)
                 for bv, ws in zip(b, w_scales)]
        channels = 1 if per_tensor else out_dim
        mult, shift = zip(*(qb.quantize_multiplier(scale * w_scales[c] / o_scale)
                            for c in range(channels)))
        q["layers"].append(qb.fc(qw, qbias, mult, shift, in_dim, out_dim,
                                 input_offset=-zp, output_offset=o_zp,
                                 act_min=o_zp if act == "relu" else -128, act_max=127,
                                 per_channel=not per_tensor))
        q["info"].append(f"layer {i}: fc {in_dim}->{out_dim} ({act}), in scale {scale!r} "
                         f"zp {zp}, out scale {o_scale!r} zp {o_zp}")
        scale, zp = o_scale, o_zp
        if act in LUT_OUT:
            l_scale, l_zp = LUT_OUT[act]
            f = math.tanh if act == "tanh" else (lambda v: 1.0 / (1.0 + math.exp(-v)))
            table = []
            for k in range(256):
                y = f(scale * (k - 128 - zp))
                table.append(clamp(round_away(y / l_scale) + l_zp, -128, 127))
            q["layers"].append(qb.lut(out_dim, table))
            q["info"].append(f"layer {i}: {act} lut, out scale {l_scale!r} zp {l_zp}")
            scale, zp = f32(l_scale), l_zp
    if add_argmax:
        q["layers"].append(qb.argmax(len(model["layers"][-1]["w"])))
    return q


# --- C++ header ----------------------------------------------------------------

def _arr(ctype, name, vals, per_line=16):
    return qb.c_array(name, list(vals), ctype=ctype, per_line=per_line, align=4)


def header_text(q, blob, namespace, sources):
    L = [f"// GENERATED by tools/export_qnet.py from {', '.join(sources)}; do not edit.",
         "// int8 QNet model (TFLite int8 quantization); see tools/export_qnet.py.",
         "//   " + "\n//   ".join(q["info"]),
         "#pragma once", "#include <cstdint>", "", '#include "starling/qnet.hpp"', "",
         f"namespace {namespace} {{", "",
         f"constexpr int kInputDim = {q['input_dim']};",
         "// Input quantization: q = clamp(round_half_away(x / kInputScale) + kInputZeroPoint,"
         " -128, 127).",
         f"constexpr float kInputScale = {q['input_scale']!r}f;",
         f"constexpr int32_t kInputZeroPoint = {q['input_zp']};", ""]
    descs = []
    for i, layer in enumerate(q["layers"]):
        if layer["kind"] == "fc":
            L.append(_arr("int8_t", f"kWeights{i}", layer["weights"]))
            L.append(_arr("int32_t", f"kBias{i}", layer["bias"], per_line=8))
            L.append(_arr("int32_t", f"kMultiplier{i}", layer["multiplier"], per_line=8))
            L.append(_arr("int32_t", f"kShift{i}", layer["shift"]))
            pc = "true" if layer["per_channel"] else "false"
            descs.append(f"    starling::qnet_fc({{{layer['in_dim']}, {layer['out_dim']}, "
                         f"{layer['input_offset']}, {layer['output_offset']}, kMultiplier{i}, "
                         f"kShift{i}, {pc}, {layer['act_min']}, {layer['act_max']}}},\n"
                         f"                      kWeights{i}, kBias{i}),")
        elif layer["kind"] == "lut":
            L.append(_arr("int8_t", f"kLut{i}", layer["table"]))
            descs.append(f"    starling::qnet_lut({layer['dim']}, kLut{i}),")
        else:
            descs.append(f"    starling::qnet_argmax({layer['dim']}),")
    L.append("constexpr starling::QLayer kLayers[] = {\n" + "\n".join(descs) + "\n};")
    L.append(f"constexpr starling::QModel kModel = {{kLayers, {len(q['layers'])}, "
             f"{q['input_dim']}}};")
    L.append("")
    L.append("// The same model as a blob for starling::load_qmodel (tools/qnet_blob.py format).")
    L.append(_arr("uint8_t", "kBlob", blob))
    L.append(f"}}  // namespace {namespace}")
    return "\n".join(L) + "\n"


def export(args):
    model = load_model(args.model, args.acts.split(",") if args.acts else None)
    calib = load_inputs(args.calib)
    q = quantize(model, calib, per_tensor=args.per_tensor, add_argmax=not args.no_argmax)
    blob = qb.build_blob(q["input_dim"], q["layers"])
    sources = [os.path.basename(args.model), os.path.basename(args.calib)]
    return model, q, blob, header_text(q, blob, args.namespace, sources)


def selftest(args):
    model, _, blob, text = export(args)
    tests = load_inputs(args.selftest)
    with tempfile.TemporaryDirectory() as tmp:
        bpath = os.path.join(tmp, "model.qnet")
        with open(bpath, "wb") as f:
            f.write(blob)
        with open(os.path.join(tmp, "model.h"), "w", encoding="utf-8") as f:
            f.write(text)
        with open(bpath, "rb") as f:
            input_dim, layers = qb.parse_blob(f.read())
    # The input quantization is read back from the header, as a C++ user would.
    scale = zp = None
    for line in text.splitlines():
        if line.startswith("constexpr float kInputScale = "):
            scale = float(line.split("= ")[1].rstrip("f;"))
        if line.startswith("constexpr int32_t kInputZeroPoint = "):
            zp = int(line.split("= ")[1].rstrip(";"))
    agree = 0
    for x in tests:
        _, cls = qb.reference_forward(input_dim, layers, quantize_input(x, scale, zp))
        agree += cls == argmax(float_forward(model, x))
    frac = agree / len(tests)
    ok = frac >= args.min_agreement
    print(f"selftest: int8 argmax == float argmax on {agree}/{len(tests)} = {100 * frac:.2f}% "
          f"(need >= {100 * args.min_agreement:.2f}%): {'ok' if ok else 'FAIL'}")
    if args.check_header:
        with open(args.check_header, encoding="utf-8") as f:
            same = f.read() == text
        print(f"selftest: {args.check_header} {'matches a fresh export' if same else 'is STALE'}")
        ok = ok and same
    return 0 if ok else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description="float MLP -> int8 QNet header and blob")
    ap.add_argument("model", help="float weights: .json or .npz")
    ap.add_argument("--calib", required=True, help="JSON list of calibration input vectors")
    ap.add_argument("--acts", help="comma-separated activations per layer (override)")
    ap.add_argument("--header", help="write the C++ header here")
    ap.add_argument("--blob", help="write the binary blob here")
    ap.add_argument("--namespace", default="qnet_model", help="C++ namespace of the header")
    ap.add_argument("--per-tensor", action="store_true", help="one weight scale per layer")
    ap.add_argument("--no-argmax", action="store_true", help="no trailing argmax layer")
    ap.add_argument("--selftest", metavar="TEST_JSON", help="check int8 vs float argmax")
    ap.add_argument("--min-agreement", type=float, default=0.99)
    ap.add_argument("--check-header", help="with --selftest: compare with this header")
    args = ap.parse_args(argv)
    if args.selftest:
        return selftest(args)
    _, _, blob, text = export(args)
    if args.header:
        with open(args.header, "w", encoding="utf-8") as f:
            f.write(text)
    if args.blob:
        with open(args.blob, "wb") as f:
            f.write(blob)
    if not args.header and not args.blob:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
