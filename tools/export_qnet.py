#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""export_qnet.py: float MLP -> int8 QNet model (C++ header, C header, binary blob).

Standard library only (no numpy, no torch). Post-training quantization following
the TensorFlow Lite int8 spec, as starling's QNet runs it (include/starling/qnet.hpp):

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
  * "relu" is the clamp act_min = out_zero_point, "relu6" adds act_max =
    out_zero_point + round(6 / out_scale); "tanh" / "sigmoid" add a 256-entry
    LUT layer (output scale 1/128, zp 0 / 1/256, zp -128);
  * a trailing argmax layer marks the classifier (--no-argmax leaves it out).
All roundings are half away from zero.

Inputs (recognised by their content, not their name):
  JSON     {"layers": [{"w": [[...], ...] (out x in), "b": [...],
                        "act": "relu" | "relu6" | "none" | "tanh" | "sigmoid",
                        "type": "dense" (optional)}, ...]}
  .npz     numpy.savez of float32/float64 C-order arrays w0, b0, w1, b1, ...;
           activations from --acts (default: relu between layers, none last)
  .pt/.pth a PyTorch state_dict of a torch.nn.Sequential of Linear, ReLU,
           ReLU6, Tanh, Sigmoid (and Dropout, a no-op at inference), saved
           with torch.save(model.state_dict(), path) (the zip format of torch
           >= 1.6). A state_dict holds no activations: name the Sequential's
           modules in order with --sequential Linear,ReLU,Linear. Read with a
           restricted unpickler (tensors and OrderedDict only: no code runs).
Calibration, JSON: a list of input vectors (or {"x": [...]}).

Everything is checked before anything is written: a model the exporter
cannot represent exactly as documented (other layer types, other shapes,
non-finite numbers, scales beyond int8 arithmetic, a bias beyond int32, a
.tflite or pickle file, ...) stops it with one line "export_qnet.py: error:
..." on stderr and exit status 2, never a traceback or a partial file.

Usage:
  export_qnet.py MODEL --calib calib.json [--header model.h] [--c-header model_c.h]
                 [--blob model.qnet] [--namespace my_model] [--per-tensor]
                 [--no-argmax] [--acts relu,none] [--sequential Linear,ReLU,Linear]
      --header: C++ header with constexpr arrays, the QLayer table `kLayers`,
      `kModel`, the blob `kBlob` (for load_qmodel) and the constants kInputDim,
      kOutputDim, kNumLayers, kArenaBytes (qnet_arena_bytes for one sample),
      kInputScale, kInputZeroPoint, kOutputScale, kOutputZeroPoint;
      --c-header: C99 header for the C API (starling/qnet.h): the blob as
      `<ns>_blob_words` (uint32_t, so it is 4-byte aligned) with
      `<NS>_BLOB` / `<NS>_BLOB_SIZE`, and the same constants as macros
      <NS>_INPUT_DIM, ..., <NS>_OUTPUT_ZERO_POINT; --blob: the blob file.
  export_qnet.py MODEL --calib calib.json --selftest test.json
                 [--min-agreement 0.99] [--check-header committed.h]
                 [--check-c-header committed_c.h]
      exports into memory, reads the blob back (qnet_blob.parse_blob), runs it
      on every test input in exact integer arithmetic (qnet_blob.
      reference_forward, TFLite's formulas) and fails (exit 1) unless the int8
      argmax equals the float argmax on at least --min-agreement of the
      inputs; --check-header / --check-c-header also fail when a committed
      header differs from a fresh export.

Using the C++ header:
    #include "model.h"
    static starling::QNet<my_model::kArenaBytes> net;
    (void)net.init(my_model::kModel);
    int8_t q[my_model::kInputDim];
    (void)starling::quantize_input(x, my_model::kInputDim, my_model::kInputScale,
                                   my_model::kInputZeroPoint, q);
    int cls; (void)net.classify(q, &cls);
"""

import argparse
import ast
import io
import json
import math
import os
import pickle
import re
import struct
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qnet_blob as qb  # noqa: E402

PROG = "export_qnet.py"
ACTS = ("relu", "relu6", "none", "tanh", "sigmoid")
LUT_OUT = {"tanh": (1.0 / 128, 0), "sigmoid": (1.0 / 256, -128)}
FC_MAX_IN = 32768  # starling::kFcMaxInDim
LAYER_TYPES = ("dense", "fc", "fully_connected", "linear")
LAYER_KEYS = ("w", "b", "act", "type")


class ExportError(Exception):
    """An input the exporter refuses; the message is the one line the user sees."""


def fail(msg):
    raise ExportError(msg)


def f32(x):
    """x rounded to float32 (the precision of a stored scale); ±inf beyond its range."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def round_away(x):
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _shape(value):
    """'a 1-D list', 'a list nested 3 deep', 'a string', ... for messages."""
    if isinstance(value, list):
        depth, v = 0, value
        while isinstance(v, list):
            depth += 1
            v = v[0] if v else None
        return f"a {depth}-D list" if depth <= 2 else f"a list nested {depth} deep"
    return "null" if value is None else f"a {type(value).__name__}"


def check_vector(v, n, what):
    """A list of n finite numbers, as floats."""
    if not isinstance(v, list) or any(isinstance(e, list) for e in v):
        fail(f"{what} must be a 1-D list of numbers, found {_shape(v)}")
    if n is not None and len(v) != n:
        fail(f"{what} has {len(v)} values, expected {n}")
    for e in v:
        if not is_number(e):
            fail(f"{what} holds {_shape(e)} ({e!r}), not a number")
        if not math.isfinite(e):
            fail(f"{what} holds {e!r}: every value must be finite")
    return [float(e) for e in v]


def check_matrix(w, what):
    """A non-empty rectangular [out][in] list of finite numbers."""
    if not isinstance(w, list) or not w or not all(isinstance(r, list) for r in w) or \
            any(isinstance(e, list) for r in w for e in r):
        fail(f"{what} must be a 2-D list [out][in] of numbers, found {_shape(w)}")
    n = len(w[0])
    if n == 0:
        fail(f"{what} has empty rows")
    return [check_vector(r, n, f"{what} row {o}") for o, r in enumerate(w)]


# --- reading -------------------------------------------------------------------

def _read_npy(data, name):
    """(shape, flat list of floats) of a .npy member (float32/float64, C order)."""
    if data[:6] != b"\x93NUMPY" or len(data) < 10:
        fail(f"{name} is not a .npy array")
    major = data[6]
    if major == 1:
        hlen, start = struct.unpack_from("<H", data, 8)[0], 10
    elif major in (2, 3) and len(data) >= 12:
        hlen, start = struct.unpack_from("<I", data, 8)[0], 12
    else:
        fail(f"{name}: unsupported .npy version {major}")
    try:
        header = ast.literal_eval(data[start:start + hlen].decode("latin1"))
        descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
    except (ValueError, SyntaxError, KeyError, TypeError):
        fail(f"{name}: unreadable .npy header")
    if fortran:
        fail(f"{name}: Fortran-order arrays are not supported (save numpy.ascontiguousarray)")
    fmt = {"<f4": "f", "<f8": "d", "|f4": "f", "|f8": "d"}.get(descr)
    if fmt is None:
        fail(f"{name}: dtype {descr} is not supported (float32 or float64, little-endian)")
    n = 1
    for s in shape:
        n *= s
    if len(data) < start + hlen + n * struct.calcsize(fmt):
        fail(f"{name}: truncated .npy data")
    vals = list(struct.unpack_from(f"<{n}{fmt}", data, start + hlen))
    if not all(math.isfinite(v) for v in vals):
        fail(f"{name}: holds NaN or infinity")
    return shape, vals


def load_npz(path, z):
    arrays = {}
    for member in z.namelist():
        key = os.path.splitext(member)[0]
        if not re.fullmatch(r"[wb]\d+", key) or not member.endswith(".npy"):
            fail(f"{path}: unexpected array {member!r} (only w0, b0, w1, b1, ...)")
        arrays[key] = _read_npy(z.read(member), f"{path}:{member}")
    layers = []
    while f"w{len(layers)}" in arrays:
        i = len(layers)
        wshape, wv = arrays.pop(f"w{i}")
        if f"b{i}" not in arrays:
            fail(f"{path}: w{i} has no b{i}")
        bshape, bv = arrays.pop(f"b{i}")
        if len(wshape) != 2:
            fail(f"{path}: w{i} must be 2-D (out, in), found shape {wshape}")
        if len(bshape) != 1:
            fail(f"{path}: b{i} must be 1-D (out,), found shape {bshape}")
        out_dim, in_dim = wshape
        if out_dim < 1 or in_dim < 1:
            fail(f"{path}: w{i} has an empty shape {wshape}")
        layers.append({"w": [wv[o * in_dim:(o + 1) * in_dim] for o in range(out_dim)],
                       "b": bv, "act": None})
    if not layers:
        fail(f"{path}: no arrays w0, b0, ...")
    if arrays:
        fail(f"{path}: {', '.join(sorted(arrays))} without the layers before "
             f"(layers must be numbered from 0 without gaps)")
    return layers


# PyTorch zip format: <archive>/data.pkl (pickle protocol 2) whose tensors are
# torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...), each
# storage a persistent id ('storage', torch.<Type>Storage, key, device, numel)
# whose bytes are <archive>/data/<key> (little-endian).
_TORCH_STORAGES = {"FloatStorage": "f", "DoubleStorage": "d"}


class _Storage:
    def __init__(self, fmt, key):
        self.fmt, self.key = fmt, key


class _Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride


class _StorageType:
    def __init__(self, name):
        self.name = name


def _rebuild_tensor(storage, offset, size, stride, *rest):
    return _Tensor(storage, offset, tuple(size), tuple(stride))


def _rebuild_parameter(data, *rest):
    return data


class _TorchUnpickler(pickle.Unpickler):
    """Resolves only what a state_dict of float tensors needs; anything else
    (a pickled module, an arbitrary callable) is refused, so no code runs."""

    def __init__(self, data, path):
        super().__init__(io.BytesIO(data))
        self.path = path

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            import collections
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("torch._utils", "_rebuild_parameter"):
            return _rebuild_parameter
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        if module.startswith("torch.nn"):
            fail(f"{self.path}: holds a pickled module ({module}.{name}); save "
                 f"model.state_dict() instead of the model")
        fail(f"{self.path}: holds a {module}.{name} object; only a state_dict of "
             f"float tensors can be read")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 3 and pid[0] == "storage" and
                isinstance(pid[1], _StorageType)):
            fail(f"{self.path}: unexpected persistent object {pid!r}")
        fmt = _TORCH_STORAGES.get(pid[1].name)
        if fmt is None:
            fail(f"{self.path}: tensors of type {pid[1].name} are not supported "
                 f"(float32 or float64)")
        return _Storage(fmt, str(pid[2]))


def _tensor_values(t, z, prefix, path, name):
    """(shape, flat row-major list of floats) of a _Tensor."""
    member = f"{prefix}data/{t.storage.key}"
    try:
        raw = z.read(member)
    except KeyError:
        fail(f"{path}: tensor {name}: missing storage {member}")
    size = struct.calcsize(t.storage.fmt)
    count = len(raw) // size
    vals = struct.unpack(f"<{count}{t.storage.fmt}", raw[:count * size])
    out = []
    index = [0] * len(t.size)
    n = 1
    for s in t.size:
        n *= s
    for _ in range(n):
        pos = t.offset + sum(i * s for i, s in zip(index, t.stride))
        if not 0 <= pos < count:
            fail(f"{path}: tensor {name} reaches outside its storage")
        out.append(vals[pos])
        for d in reversed(range(len(index))):
            index[d] += 1
            if index[d] < t.size[d]:
                break
            index[d] = 0
    if not all(math.isfinite(v) for v in out):
        fail(f"{path}: tensor {name} holds NaN or infinity")
    return t.size, out


TORCH_MODULES = {"linear": "Linear", "relu": "ReLU", "relu6": "ReLU6", "tanh": "Tanh",
                 "sigmoid": "Sigmoid", "dropout": "Dropout"}


def load_torch(path, z, sequential):
    pkls = [n for n in z.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
    if len(pkls) != 1:
        fail(f"{path}: a zip file that is neither a PyTorch save (no data.pkl) nor a .npz")
    prefix = pkls[0][:-len("data.pkl")]
    if f"{prefix}byteorder" in z.namelist() and z.read(f"{prefix}byteorder") != b"little":
        fail(f"{path}: saved on a big-endian machine; not supported")
    try:
        sd = _TorchUnpickler(z.read(pkls[0]), path).load()
    except ExportError:
        raise
    except Exception as e:  # a damaged pickle: pickle raises many kinds
        fail(f"{path}: unreadable data.pkl ({type(e).__name__}: {e})")
    if not isinstance(sd, dict):
        fail(f"{path}: holds a {type(sd).__name__}, not a state_dict")
    for k, v in sd.items():
        if not isinstance(v, _Tensor):
            fail(f"{path}: entry {k!r} is not a tensor: save model.state_dict() itself, "
                 f"not a checkpoint dict")
    if sequential is None:
        fail(f"{path}: a state_dict holds no activations: name the Sequential's modules "
             f"with --sequential (e.g. --sequential Linear,ReLU,Linear)")
    mods = []
    for m in sequential.split(","):
        name = TORCH_MODULES.get(m.strip().lower())
        if name is None:
            fail(f"--sequential: module {m.strip()!r} is not supported "
                 f"(Linear, ReLU, ReLU6, Tanh, Sigmoid, Dropout)")
        mods.append(name)
    # Keys: [prefix.]<index>.weight / .bias, one prefix for all.
    parsed = {}
    prefixes = set()
    for k in sd:
        m = re.fullmatch(r"(.*?)(\d+)\.(weight|bias)", k)
        if not m:
            fail(f"{path}: parameter {k!r} is not a Sequential's <index>.weight or "
                 f"<index>.bias (only Linear layers have parameters)")
        prefixes.add(m.group(1))
        parsed[(int(m.group(2)), m.group(3))] = k
    if len(prefixes) > 1:
        fail(f"{path}: parameters of several modules ({', '.join(sorted(prefixes))}...): "
             f"save the Sequential's own state_dict")
    for (idx, kind), k in parsed.items():
        if idx >= len(mods) or mods[idx] != "Linear":
            what = "beyond the end of" if idx >= len(mods) else f"a {mods[idx]} in"
            fail(f"{path}: parameter {k!r} belongs to module {idx}, {what} --sequential "
                 f"{','.join(mods)}")
    layers = []
    act_of = None  # the layer the next activation applies to
    for idx, mod in enumerate(mods):
        if mod == "Linear":
            if (idx, "weight") not in parsed:
                fail(f"{path}: module {idx} is a Linear in --sequential but has no "
                     f"{idx}.weight in the state_dict")
            wshape, wv = _tensor_values(sd[parsed[(idx, "weight")]], z, prefix, path,
                                        parsed[(idx, "weight")])
            if len(wshape) != 2 or wshape[0] < 1 or wshape[1] < 1:
                fail(f"{path}: {parsed[(idx, 'weight')]} has shape {list(wshape)}, "
                     f"expected [out, in]")
            out_dim, in_dim = wshape
            if (idx, "bias") in parsed:
                bshape, bv = _tensor_values(sd[parsed[(idx, "bias")]], z, prefix, path,
                                            parsed[(idx, "bias")])
                if list(bshape) != [out_dim]:
                    fail(f"{path}: {parsed[(idx, 'bias')]} has shape {list(bshape)}, "
                         f"expected [{out_dim}]")
            else:
                bv = [0.0] * out_dim  # Linear(..., bias=False)
            layers.append({"w": [list(wv[o * in_dim:(o + 1) * in_dim]) for o in range(out_dim)],
                           "b": list(bv), "act": "none"})
            act_of = len(layers) - 1
        elif mod == "Dropout":
            continue
        else:
            if act_of is None:
                what = "start the network" if not layers else "follow another activation"
                fail(f"--sequential: {mod} (module {idx}) cannot {what}: one activation "
                     f"after each Linear at most")
            layers[act_of]["act"] = mod.lower()
            act_of = None
    if not layers:
        fail("--sequential has no Linear module")
    return layers


def sniff(path, data):
    """What a file holds, from its first bytes."""
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if data[4:8] == b"TFL3":
        fail(f"{path}: a TensorFlow Lite flatbuffer; export_qnet.py quantizes float "
             f"models (JSON, .npz, a PyTorch state_dict), it does not read .tflite files")
    if data[:6] == b"\x93NUMPY":
        fail(f"{path}: a single .npy array; save every layer with numpy.savez(path, w0=..., "
             f"b0=..., w1=..., ...)")
    if data[:1] == b"\x80":
        fail(f"{path}: a pickle file (legacy torch.save or pickle.dump); re-save with "
             f"torch.save(model.state_dict(), path) from torch >= 1.6")
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        fail(f"{path}: an HDF5 (Keras .h5) file; export the weights as JSON or .npz")
    return "json"


def read_json(path, data, what):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"{path}: not a UTF-8 text file, so not the JSON {what} "
             f"(models: JSON, .npz or a PyTorch state_dict)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"{path}: not valid JSON ({what}): line {e.lineno} column {e.colno}: {e.msg}")
    except RecursionError:
        fail(f"{path}: JSON nested too deep")


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror or e}")


def load_model(path, acts=None, sequential=None):
    """{"layers": [{"w", "b", "act"}]} from a JSON, .npz or PyTorch file, checked."""
    data = read_file(path)
    kind = sniff(path, data)
    if kind == "zip":
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
            names = z.namelist()
        except zipfile.BadZipFile as e:
            fail(f"{path}: a damaged zip file ({e})")
        if names and all(n.endswith(".npy") for n in names):
            if sequential is not None:
                fail("--sequential is for PyTorch state_dicts; use --acts for .npz")
            layers = load_npz(path, z)
            if acts is None:
                acts = ["relu"] * (len(layers) - 1) + ["none"]
        else:
            if acts is not None:
                fail("--acts does not apply to a PyTorch state_dict: the activations come "
                     "from --sequential")
            layers = load_torch(path, z, sequential)
    else:
        if sequential is not None:
            fail("--sequential is for PyTorch state_dicts")
        model = read_json(path, data, "model")
        if not isinstance(model, dict) or "layers" not in model:
            fail(f"{path}: the JSON model must be an object {{\"layers\": [...]}}, "
                 f"found {_shape(model)}")
        extra = sorted(set(model) - {"layers"})
        if extra:
            fail(f"{path}: unknown top-level key {extra[0]!r} (a model has only \"layers\")")
        if not isinstance(model["layers"], list) or not model["layers"]:
            fail(f"{path}: \"layers\" must be a non-empty list")
        layers = []
        for i, layer in enumerate(model["layers"]):
            if not isinstance(layer, dict):
                fail(f"{path}: layer {i} must be an object, found {_shape(layer)}")
            t = layer.get("type", "dense")
            if not isinstance(t, str) or t.lower() not in LAYER_TYPES:
                fail(f"{path}: layer {i}: type {t!r} is not supported; QNet exports fully "
                     f"connected layers only ({', '.join(LAYER_TYPES)})")
            unknown = sorted(set(layer) - set(LAYER_KEYS))
            if unknown:
                fail(f"{path}: layer {i}: unknown key {unknown[0]!r} (a layer has w, b, act "
                     f"and optionally type)")
            for key in ("w", "b"):
                if key not in layer:
                    fail(f"{path}: layer {i} has no {key!r}")
            act = layer.get("act", "none")
            if act is None:
                act = "none"
            layers.append({"w": check_matrix(layer["w"], f"{path}: layer {i} w"),
                           "b": layer["b"], "act": act})
            layers[-1]["b"] = check_vector(layer["b"], len(layers[-1]["w"]), f"{path}: layer {i} b")
    if acts is not None:
        if len(acts) != len(layers):
            fail(f"--acts gives {len(acts)} activations for {len(layers)} layers")
        for layer, a in zip(layers, acts):
            layer["act"] = a
    width = None
    for i, layer in enumerate(layers):
        if not isinstance(layer["act"], str) or layer["act"] not in ACTS:
            fail(f"layer {i}: activation {layer['act']!r} is not supported "
                 f"({', '.join(ACTS)})")
        out_dim, in_dim = len(layer["w"]), len(layer["w"][0])
        if in_dim > FC_MAX_IN:
            fail(f"layer {i}: {in_dim} inputs, more than QNet's {FC_MAX_IN}")
        if width is not None and in_dim != width:
            fail(f"layer {i}: {in_dim} inputs, but layer {i - 1} has {width} outputs")
        width = out_dim
    return {"layers": layers}


def load_inputs(path, width, what):
    data = read_json(path, read_file(path), what)
    xs = data["x"] if isinstance(data, dict) and "x" in data else data
    if not isinstance(xs, list) or not xs:
        fail(f"{path}: the {what} must be a non-empty JSON list of input vectors "
             f"(or {{\"x\": [...]}})")
    return [check_vector(x, width, f"{path}: {what} vector {k}") for k, x in enumerate(xs)]


# --- float reference -----------------------------------------------------------

def _act(a, v):
    if a == "relu":
        return max(v, 0.0)
    if a == "relu6":
        return min(max(v, 0.0), 6.0)
    if a == "tanh":
        return math.tanh(v)
    if a == "sigmoid":
        return 1.0 / (1.0 + math.exp(-v)) if v >= -700 else 0.0
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
    if not scale > 0 or math.isinf(scale):
        fail(f"an activation range [{lo!r}, {hi!r}] has no float32 int8 scale")
    return scale, clamp(round_away(-128 - lo / scale), -128, 127)


def quantize_input(x, scale, zp):
    """starling::quantize_input: x / scale in float32 (a double quotient of two
    floats rounds to the float quotient), half away from zero, saturated."""
    out = []
    for v in x:
        d = f32(f32(v) / scale)
        if math.isnan(d):
            r = zp
        elif abs(d) >= 512:
            r = 127 if d > 0 else -128
        else:
            r = round_away(d) + zp
        out.append(clamp(r, -128, 127))
    return out


def quantize(model, calib, per_tensor=False, add_argmax=True):
    """The quantized model: {"input_dim", "input_scale", "input_zp", "output_scale",
    "output_zp", "output_dim", "layers" (qnet_blob dicts), "info" (per-layer
    scales for the header comments)}."""
    n_layers = len(model["layers"])
    lo_in, hi_in = min(min(x) for x in calib), max(max(x) for x in calib)
    pre_lo, pre_hi = [math.inf] * n_layers, [-math.inf] * n_layers
    out_lo, out_hi = [math.inf] * n_layers, [-math.inf] * n_layers
    for x in calib:
        trace = []
        float_forward(model, x, trace)
        for i, (pre, out) in enumerate(trace):
            if not all(math.isfinite(v) for v in pre):
                fail(f"layer {i}: the calibration inputs overflow the float activations")
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
        elif act == "relu6":
            o_scale, o_zp = act_params(0.0, min(out_hi[i], 6.0))
        else:
            o_scale, o_zp = act_params(out_lo[i], out_hi[i])
        if per_tensor:
            m = max(abs(v) for row in w for v in row)
            w_scales = [f32(m / 127.0) if m > 0 else f32(1.0)] * out_dim
        else:
            w_scales = [f32(max(abs(v) for v in row) / 127.0) if any(row) else f32(1.0)
                        for row in w]
        for o, ws in enumerate(w_scales):
            if not ws > 0:  # weights below float32's range
                fail(f"layer {i}: output {o}: weights too small for a float32 scale")
        qw = [clamp(round_away(v / ws), -127, 127) for row, ws in zip(w, w_scales) for v in row]
        qbias = []
        for o, (bv, ws) in enumerate(zip(b, w_scales)):
            qv = round_away(bv / (scale * ws))
            if not -2**31 <= qv <= 2**31 - 1:
                fail(f"layer {i}: bias {o} ({bv!r}) needs {qv} at scale "
                     f"{scale * ws!r}, beyond int32")
            qbias.append(qv)
        channels = 1 if per_tensor else out_dim
        mult, shift = [], []
        for c in range(channels):
            real = scale * w_scales[c] / o_scale
            m_, s_ = qb.quantize_multiplier(real)
            if m_ == 0 or (m_, s_) == (2**31 - 1, 30):
                fail(f"layer {i}: requantization scale {real!r} (output {c}) is outside "
                     f"what int8 arithmetic represents (about 2^-32 .. 2^30)")
            mult.append(m_)
            shift.append(s_)
        act_min, act_max = -128, 127
        if act in ("relu", "relu6"):
            act_min = o_zp
        if act == "relu6":
            act_max = clamp(o_zp + round_away(6.0 / o_scale), o_zp, 127)
        q["layers"].append(qb.fc(qw, qbias, mult, shift, in_dim, out_dim,
                                 input_offset=-zp, output_offset=o_zp,
                                 act_min=act_min, act_max=act_max,
                                 per_channel=not per_tensor))
        q["info"].append(f"layer {i}: fc {in_dim}->{out_dim} ({act}), in scale {scale!r} "
                         f"zp {zp}, out scale {o_scale!r} zp {o_zp}")
        scale, zp = o_scale, o_zp
        if act in LUT_OUT:
            l_scale, l_zp = LUT_OUT[act]
            f = math.tanh if act == "tanh" else (
                lambda v: 1.0 / (1.0 + math.exp(-v)) if v >= -700 else 0.0)
            table = []
            for k in range(256):
                y = f(scale * (k - 128 - zp))
                table.append(clamp(round_away(y / l_scale) + l_zp, -128, 127))
            q["layers"].append(qb.lut(out_dim, table))
            q["info"].append(f"layer {i}: {act} lut, out scale {l_scale!r} zp {l_zp}")
            scale, zp = f32(l_scale), l_zp
    q["output_scale"], q["output_zp"] = scale, zp
    q["output_dim"] = len(model["layers"][-1]["w"])
    if add_argmax:
        q["layers"].append(qb.argmax(q["output_dim"]))
    widest = max(l["out_dim"] if l["kind"] == "fc" else l["dim"]
                 for l in q["layers"] if l["kind"] != "argmax")
    q["arena_bytes"] = 2 * widest  # starling::qnet_arena_bytes(model, 1)
    return q


# --- headers ------------------------------------------------------------------

def _arr(ctype, name, vals, per_line=16):
    return qb.c_array(name, list(vals), ctype=ctype, per_line=per_line, align=4)


def _float_literal(v):
    """A C float literal that reads back as exactly v (a float32 value)."""
    s = repr(v)
    if "e" not in s and "." not in s and "inf" not in s:
        s += ".0"
    return s + "f"


def header_text(q, blob, namespace, sources):
    L = [f"// GENERATED by tools/export_qnet.py from {', '.join(sources)}; do not edit.",
         "// int8 QNet model (TFLite int8 quantization); see tools/export_qnet.py.",
         "//   " + "\n//   ".join(q["info"]),
         "#pragma once", "#include <cstddef>", "#include <cstdint>", "",
         '#include "starling/qnet.hpp"', "",
         f"namespace {namespace} {{", "",
         f"constexpr int kInputDim = {q['input_dim']};",
         f"constexpr int kOutputDim = {q['output_dim']};",
         f"constexpr int kNumLayers = {len(q['layers'])};",
         "// Arena bytes to run one sample (starling::qnet_arena_bytes(kModel, 1)).",
         f"constexpr size_t kArenaBytes = {q['arena_bytes']};",
         "// Input quantization: starling::quantize_input(x, kInputDim, kInputScale,",
         "// kInputZeroPoint, q), i.e. q = clamp(round(x / kInputScale) + kInputZeroPoint).",
         f"constexpr float kInputScale = {_float_literal(q['input_scale'])};",
         f"constexpr int32_t kInputZeroPoint = {q['input_zp']};",
         "// Output (scores before the argmax): starling::dequantize_output(s, kOutputDim,",
         "// kOutputScale, kOutputZeroPoint, y), i.e. y = kOutputScale * (s - kOutputZeroPoint).",
         f"constexpr float kOutputScale = {_float_literal(q['output_scale'])};",
         f"constexpr int32_t kOutputZeroPoint = {q['output_zp']};", ""]
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
    L.append("static_assert(starling::qnet_arena_bytes(kModel, 1) == kArenaBytes, "
             "\"kArenaBytes\");")
    L.append("")
    L.append("// The same model as a blob for starling::load_qmodel (tools/qnet_blob.py format).")
    L.append(_arr("uint8_t", "kBlob", blob))
    L.append(f"}}  // namespace {namespace}")
    return "\n".join(L) + "\n"


def c_header_text(q, blob, namespace, sources):
    up, low = namespace.upper(), namespace.lower()
    words = struct.unpack(f"<{len(blob) // 4}I", blob)
    body = ",\n    ".join(", ".join(f"0x{w:08x}u" for w in words[k:k + 8])
                          for k in range(0, len(words), 8))
    guard = f"{up}_C_H"
    L = [f"/* GENERATED by tools/export_qnet.py from {', '.join(sources)}; do not edit. */",
         "/* int8 QNet model for the C API (starling/qnet.h); see tools/export_qnet.py.",
         " *   " + "\n *   ".join(q["info"]) + " */",
         f"#ifndef {guard}", f"#define {guard}", "", "#include <stdint.h>", "",
         f"#define {up}_INPUT_DIM {q['input_dim']}",
         f"#define {up}_OUTPUT_DIM {q['output_dim']}",
         f"#define {up}_NUM_LAYERS {len(q['layers'])}",
         f"/* Arena bytes to run one sample: STARLING_QNET_ARENA_BYTES >= this. */",
         f"#define {up}_ARENA_BYTES {q['arena_bytes']}",
         f"/* starling_quantize_input(x, {up}_INPUT_DIM, {up}_INPUT_SCALE, "
         f"{up}_INPUT_ZERO_POINT, q) */",
         f"#define {up}_INPUT_SCALE {_float_literal(q['input_scale'])}",
         f"#define {up}_INPUT_ZERO_POINT ({q['input_zp']})",
         f"/* starling_dequantize_output(s, {up}_OUTPUT_DIM, {up}_OUTPUT_SCALE, "
         f"{up}_OUTPUT_ZERO_POINT, y) */",
         f"#define {up}_OUTPUT_SCALE {_float_literal(q['output_scale'])}",
         f"#define {up}_OUTPUT_ZERO_POINT ({q['output_zp']})",
         "",
         "/* The blob (tools/qnet_blob.py format) as little-endian words, so that it is",
         " * 4-byte aligned as starling_qnet_load() needs; define it in one .c file. */",
         f"#define {up}_BLOB_SIZE {len(blob)}",
         f"#define {up}_BLOB ((const uint8_t*){low}_blob_words)",
         f"static const uint32_t {low}_blob_words[{len(words)}] = {{",
         f"    {body}}};",
         "",
         f"#endif /* {guard} */"]
    return "\n".join(L) + "\n"


def export(args):
    acts = args.acts.split(",") if args.acts else None
    model = load_model(args.model, acts, args.sequential)
    calib = load_inputs(args.calib, len(model["layers"][0]["w"][0]), "calibration input")
    q = quantize(model, calib, per_tensor=args.per_tensor, add_argmax=not args.no_argmax)
    blob = qb.build_blob(q["input_dim"], q["layers"])
    sources = [os.path.basename(args.model), os.path.basename(args.calib)]
    return (model, q, blob, header_text(q, blob, args.namespace, sources),
            c_header_text(q, blob, args.namespace, sources))


def selftest(args):
    model, q, blob, text, c_text = export(args)
    tests = load_inputs(args.selftest, q["input_dim"], "test input")
    input_dim, layers = qb.parse_blob(blob)
    # The input quantization is read back from the header, as a C++ user would.
    scale = zp = None
    for line in text.splitlines():
        if line.startswith("constexpr float kInputScale = "):
            scale = f32(float(line.split("= ")[1].rstrip("f;")))
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
    for path, fresh in ((args.check_header, text), (args.check_c_header, c_text)):
        if path:
            same = read_file(path).decode("utf-8", "replace") == fresh
            print(f"selftest: {path} {'matches a fresh export' if same else 'is STALE'}")
            ok = ok and same
    return 0 if ok else 1


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, as every other refusal
        raise ExportError(f"{message} (see --help)")


def parse_args(argv):
    ap = _Parser(prog=PROG, description="float MLP -> int8 QNet header and blob")
    ap.add_argument("model", help="float weights: JSON, .npz or a PyTorch state_dict")
    ap.add_argument("--calib", required=True, help="JSON list of calibration input vectors")
    ap.add_argument("--acts", help="JSON/.npz: comma-separated activations per layer")
    ap.add_argument("--sequential", help="PyTorch: the Sequential's modules, e.g. "
                                         "Linear,ReLU,Linear")
    ap.add_argument("--header", help="write the C++ header here")
    ap.add_argument("--c-header", help="write the C header (C API) here")
    ap.add_argument("--blob", help="write the binary blob here")
    ap.add_argument("--namespace", default="qnet_model",
                    help="C++ namespace of the header (and C prefix)")
    ap.add_argument("--per-tensor", action="store_true", help="one weight scale per layer")
    ap.add_argument("--no-argmax", action="store_true", help="no trailing argmax layer")
    ap.add_argument("--selftest", metavar="TEST_JSON", help="check int8 vs float argmax")
    ap.add_argument("--min-agreement", type=float, default=0.99)
    ap.add_argument("--check-header", help="with --selftest: compare with this header")
    ap.add_argument("--check-c-header", help="with --selftest: compare with this C header")
    args = ap.parse_args(argv)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", args.namespace):
        fail(f"--namespace {args.namespace!r} is not a C/C++ identifier")
    if not 0 <= args.min_agreement <= 1:
        fail("--min-agreement must be in [0, 1]")
    if (args.check_header or args.check_c_header) and not args.selftest:
        fail("--check-header and --check-c-header need --selftest")
    return args


def write_outputs(outputs):
    """Writes every (path, bytes) or none: each goes to a temporary file first."""
    done = []
    try:
        for path, data in outputs:
            tmp = f"{path}.tmp{os.getpid()}"
            with open(tmp, "wb") as f:
                f.write(data)
            done.append((tmp, path))
        for tmp, path in done:
            os.replace(tmp, path)
    except OSError as e:
        for tmp, _ in done:
            if os.path.exists(tmp):
                os.remove(tmp)
        fail(f"cannot write {e.filename or 'output'}: {e.strerror or e}")


def main(argv=None):
    try:
        args = parse_args(argv)
        if args.selftest:
            return selftest(args)
        _, _, blob, text, c_text = export(args)
        outputs = []
        if args.header:
            outputs.append((args.header, text.encode("utf-8")))
        if args.c_header:
            outputs.append((args.c_header, c_text.encode("utf-8")))
        if args.blob:
            outputs.append((args.blob, blob))
        if outputs:
            write_outputs(outputs)
        else:
            sys.stdout.write(text)
        return 0
    except ExportError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except ValueError as e:  # qnet_blob's own checks
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # a bug: still one line (set EXPORT_QNET_DEBUG=1 for the trace)
        if os.environ.get("EXPORT_QNET_DEBUG"):
            raise
        print(f"{PROG}: error: internal error, please report: {type(e).__name__}: {e}",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
