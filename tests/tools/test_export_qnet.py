#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_export_qnet.py: every refusal of tools/export_qnet.py and tools/qnet_blob.py,
and the PyTorch, .npz and JSON paths agreeing. Standard library only; run by
meson test (tests/tools/meson.build) or directly:

    python3 tests/tools/test_export_qnet.py [-v]

A refusal must exit with status 2 and print exactly one line on stderr,
"<tool>: error: ...", containing the expected words; no traceback and no
output file. The PyTorch inputs are committed fixtures
(tests/tools/fixtures, made by make_torch_fixtures.py), so torch is not
needed; where torch is installed, the fixture is also checked against
torch.load and torch's own forward pass (otherwise that case says SKIP).
"""
import contextlib
import io
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import traceback
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXPORT = os.path.join(ROOT, "tools", "export_qnet.py")
BLOB = os.path.join(ROOT, "tools", "qnet_blob.py")
FIX = os.path.join(HERE, "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))
from fixture_weights import SHAPES, bias_values, weight_values  # noqa: E402
import export_qnet  # noqa: E402
import qnet_blob  # noqa: E402

SEQ = "Linear,ReLU,Dropout,Linear,ReLU6,Linear,Tanh,Linear,Sigmoid"
VERBOSE = "-v" in sys.argv
passed = failed = 0


def report(ok, name, detail=""):
    global passed, failed
    if ok:
        passed += 1
        if VERBOSE:
            print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


class Dir:
    """A temporary directory with helpers to write files into it."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = self.tmp.name

    def file(self, name, data):
        p = os.path.join(self.path, name)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return p

    def json(self, name, obj):
        return self.file(name, json.dumps(obj))


def run(tool, args, subprocess_run=False):
    """(exit status, stdout, stderr) of the tool. In-process by default (a
    fresh interpreter per case would make this test take a minute); an
    exception escaping main() is caught here and reported as a traceback."""
    if subprocess_run:
        r = subprocess.run([sys.executable, tool] + args, capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr
    mod = export_qnet if tool == EXPORT else qnet_blob
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = mod.main(args)
        except SystemExit as e:
            rc = e.code
        except Exception:
            traceback.print_exc(file=err)
            rc = -1
    return rc, out.getvalue(), err.getvalue()


def expect_refusal(name, tool, args, words, d=None, subprocess_run=False):
    """One stderr line '<tool>: error: ...' containing `words`, exit 2, no traceback,
    no output file written."""
    before = set(os.listdir(d.path)) if d else set()
    rc, out, err = run(tool, args, subprocess_run)
    lines = err.strip().splitlines()
    prog = os.path.basename(tool)
    problems = []
    if rc != 2:
        problems.append(f"exit {rc}")
    if len(lines) != 1:
        problems.append(f"{len(lines)} stderr lines")
    if "Traceback" in err:
        problems.append("traceback")
    if lines and not lines[0].startswith(f"{prog}: error: "):
        problems.append("no '<tool>: error:' prefix")
    for w in words if isinstance(words, (list, tuple)) else [words]:
        if w not in err:
            problems.append(f"{w!r} not in message")
    if d and set(os.listdir(d.path)) != before:
        problems.append(f"wrote {sorted(set(os.listdir(d.path)) - before)}")
    report(not problems, f"refuses: {name}", "; ".join(problems) + f" | stderr: {err.strip()}")


# --- fixtures --------------------------------------------------------------------

def calib(width, n=40):
    return [[((i * 37 + j * 11) % 23 - 11) / 5.0 for j in range(width)] for i in range(n)]


def good_layers():
    return [{"w": [[0.5, -0.25, 0.125], [0.75, 0.5, -1.0]], "b": [0.1, -0.2], "act": "relu"},
            {"w": [[1.0, -0.5], [0.25, 0.75], [-0.5, 0.5]], "b": [0.0, 0.1, -0.1], "act": "none"}]


def npy(vals, shape, descr="<f4", fortran=False):
    fmt = {"<f4": "f", "<f8": "d", "<i4": "i"}[descr]
    header = repr({"descr": descr, "fortran_order": fortran, "shape": tuple(shape)})
    header += " " * (-(len(header) + 11) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + \
        struct.pack(f"<{len(vals)}{fmt}", *vals)


def npz(d, name, arrays):
    p = os.path.join(d.path, name)
    with zipfile.ZipFile(p, "w") as z:
        for key, data in arrays.items():
            z.writestr(key + ".npy", data)
    return p


def torch_like_zip(d, name, pickle_bytes):
    p = os.path.join(d.path, name)
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("archive/data.pkl", pickle_bytes)
        z.writestr("archive/version", "3\n")
    return p


def fixture_json():
    """The PyTorch fixture's network as the exporter's JSON model."""
    acts = ["relu", "relu6", "tanh", "sigmoid"]
    layers = []
    for k, (out_dim, in_dim, has_bias) in enumerate(SHAPES):
        w = weight_values(k)
        layers.append({"w": [w[o * in_dim:(o + 1) * in_dim] for o in range(out_dim)],
                       "b": bias_values(k) if has_bias else [0.0] * out_dim, "act": acts[k]})
    return {"layers": layers}


def body(text):
    """A header without its first line (which names the source files)."""
    return text.split("\n", 1)[1]


# --- refusals: the model file ---------------------------------------------------------

def model_refusals():
    d = Dir()
    c3 = d.json("calib3.json", calib(3))
    base = ["--calib", c3, "--header", os.path.join(d.path, "out.h"),
            "--blob", os.path.join(d.path, "out.qnet")]

    def layers_with(i, **change):
        ls = good_layers()
        ls[i].update(change)
        return {"layers": ls}

    def without(i, key):
        ls = good_layers()
        del ls[i][key]
        return {"layers": ls}

    cases = [
        ("conv2d layer type", layers_with(0, type="conv2d"), ["layer 0", "'conv2d'", "not supported"]),
        ("unknown layer key", layers_with(1, kernel_size=3), ["layer 1", "unknown key 'kernel_size'"]),
        ("3-D weights", layers_with(0, w=[[[0.5, 0.1]] * 3] * 2), ["layer 0 w", "2-D", "nested 3 deep"]),
        ("1-D weights", layers_with(0, w=[0.5, 0.1, 0.2]), ["layer 0 w", "2-D", "1-D list"]),
        ("scalar weights", layers_with(0, w=0.5), ["layer 0 w", "2-D", "a float"]),
        ("empty weights", layers_with(0, w=[]), ["layer 0 w", "2-D"]),
        ("empty weight rows", layers_with(0, w=[[], []]), ["empty rows"]),
        ("ragged weight rows", layers_with(0, w=[[0.5, 0.1, 0.2], [0.5, 0.1]]), ["row 1 has 2 values, expected 3"]),
        ("string weight", layers_with(0, w=[[0.5, "x", 0.2], [0.5, 0.1, 0.2]]), ["not a number"]),
        ("bool weight", layers_with(0, w=[[0.5, True, 0.2], [0.5, 0.1, 0.2]]), ["a bool", "not a number"]),
        ("null weight", layers_with(0, w=[[0.5, None, 0.2], [0.5, 0.1, 0.2]]), ["null", "not a number"]),
        ("missing w", without(0, "w"), ["layer 0 has no 'w'"]),
        ("missing b", without(1, "b"), ["layer 1 has no 'b'"]),
        ("bias length", layers_with(1, b=[0.0, 0.1]), ["layer 1 b", "2 values, expected 3"]),
        ("2-D bias", layers_with(1, b=[[0.0], [0.1], [0.2]]), ["layer 1 b", "1-D list"]),
        ("unknown activation", layers_with(0, act="gelu"), ["activation 'gelu'"]),
        ("activation not a string", layers_with(0, act=1), ["activation 1"]),
        ("shapes do not chain", {"layers": [good_layers()[0], {"w": [[1.0, 0.5, 0.2]], "b": [0.0]}]},
         ["layer 1: 3 inputs, but layer 0 has 2 outputs"]),
        ("no layers", {"layers": []}, ["non-empty list"]),
        ("layers not a list", {"layers": {"w": 1}}, ["non-empty list"]),
        ("top level list", [good_layers()], ["must be an object"]),
        ("unknown top-level key", {"layers": good_layers(), "input_scale": 0.1}, ["unknown top-level key 'input_scale'"]),
        ("layer not an object", {"layers": [[1, 2]]}, ["layer 0 must be an object"]),
        ("too many inputs", {"layers": [{"w": [[0.0] * 32769], "b": [0.0]}]}, ["32769 inputs", "32768"]),
    ]
    for name, model, words in cases:
        expect_refusal(name, EXPORT, [d.json("m.json", model)] + base, words, d)
    # Numbers JSON has no literal for, which Python's json accepts.
    for name, text in (("NaN weight", '{"layers": [{"w": [[NaN, 1, 2]], "b": [0]}]}'),
                       ("Infinity bias", '{"layers": [{"w": [[0, 1, 2]], "b": [Infinity]}]}')):
        expect_refusal(name, EXPORT, [d.file("m.json", text)] + base, ["must be finite"], d)
    # Files that are not a float model.
    expect_refusal(".tflite file", EXPORT,
                   [d.file("m.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(64))] + base,
                   ["TensorFlow Lite flatbuffer"], d)
    expect_refusal("not JSON", EXPORT, [d.file("m.json", "layers: [1, 2]\n")] + base,
                   ["not valid JSON", "line 1 column 1"], d)
    expect_refusal("truncated JSON", EXPORT, [d.file("m.json", '{"layers": [')] + base,
                   ["not valid JSON"], d)
    expect_refusal("binary, not UTF-8", EXPORT, [d.file("m.bin", b"\xff\xfe\x00\x01garbage")] + base,
                   ["not a UTF-8 text file"], d)
    expect_refusal("plain pickle", EXPORT, [d.file("m.pkl", b"\x80\x04\x95\x05\x00")] + base,
                   ["a pickle file"], d)
    expect_refusal("single .npy", EXPORT, [d.file("m.npy", npy([1.0], [1]))] + base,
                   ["single .npy array", "numpy.savez"], d)
    expect_refusal("HDF5 file", EXPORT, [d.file("m.h5", b"\x89HDF\r\n\x1a\n" + bytes(16))] + base,
                   ["HDF5"], d)
    expect_refusal("missing file", EXPORT, [os.path.join(d.path, "nope.json")] + base,
                   ["cannot read", "nope.json"], d)
    expect_refusal("damaged zip", EXPORT, [d.file("m.npz", b"PK\x03\x04" + bytes(40))] + base,
                   ["damaged zip"], d)


def npz_refusals():
    d = Dir()
    c3 = d.json("calib3.json", calib(3))
    base = ["--calib", c3, "--header", os.path.join(d.path, "out.h")]
    w0, b0 = npy([0.5, -0.25, 0.125, 0.75, 0.5, -1.0], [2, 3]), npy([0.1, -0.2], [2])
    w1, b1 = npy([1.0, -0.5, 0.25, 0.75], [2, 2]), npy([0.0, 0.1], [2])
    cases = [
        ("npz 3-D weights", {"w0": npy([0.0] * 12, [2, 3, 2]), "b0": b0}, ["w0 must be 2-D", "(2, 3, 2)"]),
        ("npz 2-D bias", {"w0": w0, "b0": npy([0.1, -0.2], [2, 1])}, ["b0 must be 1-D"]),
        ("npz missing bias", {"w0": w0}, ["w0 has no b0"]),
        ("npz int32 weights", {"w0": npy([1, 2, 3, 4, 5, 6], [2, 3], "<i4"), "b0": b0}, ["dtype <i4"]),
        ("npz gap in numbering", {"w0": w0, "b0": b0, "w2": w1, "b2": b1}, ["b2, w2 without the layers before"]),
        ("npz unknown array", {"w0": w0, "b0": b0, "mean": b0}, ["unexpected array 'mean.npy'"]),
        ("npz Fortran order", {"w0": npy([0.0] * 6, [2, 3], fortran=True), "b0": b0}, ["Fortran-order"]),
        ("npz NaN", {"w0": npy([math.nan] + [0.0] * 5, [2, 3]), "b0": b0}, ["NaN or infinity"]),
        ("npz no layers", {"b0": b0}, ["no arrays w0, b0"]),
        ("npz truncated array", {"w0": w0[:-8], "b0": b0}, ["truncated .npy"]),
    ]
    for name, arrays, words in cases:
        expect_refusal(name, EXPORT, [npz(d, "m.npz", arrays)] + base, words, d)
    good = npz(d, "good.npz", {"w0": w0, "b0": b0, "w1": w1, "b1": b1})
    expect_refusal("--acts count", EXPORT, [good, "--acts", "relu"] + base, ["--acts gives 1 activations for 2 layers"], d)
    expect_refusal("--acts name", EXPORT, [good, "--acts", "relu,swish"] + base, ["activation 'swish'"], d)
    expect_refusal("--sequential with .npz", EXPORT, [good, "--sequential", "Linear"] + base,
                   ["--sequential is for PyTorch"], d)


def torch_refusals():
    d = Dir()
    c4 = d.json("calib4.json", calib(4))
    base = ["--calib", c4, "--header", os.path.join(d.path, "out.h")]
    pt = os.path.join(FIX, "mlp_state_dict.pt")
    cases = [
        ("state_dict without --sequential", [pt], ["name the Sequential's modules with --sequential"]),
        ("unsupported module", [pt, "--sequential", "Linear,Conv2d,Linear"], ["module 'Conv2d' is not supported"]),
        ("--sequential too short", [pt, "--sequential", "Linear,ReLU,Linear"],
         ["'3.weight' belongs to module 3, beyond the end of --sequential"]),
        ("parameter on an activation", [pt, "--sequential", "Linear,ReLU,Linear,ReLU6,Linear,Tanh,Linear,Sigmoid,ReLU"],
         ["'3.weight' belongs to module 3, a ReLU6"]),
        ("Linear without parameters", [pt, "--sequential", SEQ + ",Linear"], ["module 9 is a Linear", "no 9.weight"]),
        ("two activations in a row", [pt, "--sequential", SEQ.replace("Dropout", "Tanh")],
         ["Tanh (module 2) cannot follow another activation"]),
        ("activation first", [os.path.join(FIX, "bad_act_first.pt"), "--sequential", "ReLU,Linear"],
         ["ReLU (module 0) cannot start the network"]),
        ("--acts with a state_dict", [pt, "--acts", "relu", "--sequential", SEQ], ["--acts does not apply"]),
        ("int64 tensors", [os.path.join(FIX, "bad_int64.pt"), "--sequential", "Linear"], ["LongStorage are not supported"]),
        ("pickled module", [os.path.join(FIX, "bad_module.pt"), "--sequential", "Linear"],
         ["pickled module", "save model.state_dict()"]),
        ("checkpoint dict", [os.path.join(FIX, "bad_checkpoint.pt"), "--sequential", "Linear"],
         ["entry 'model' is not a tensor"]),
        ("legacy torch format", [os.path.join(FIX, "bad_legacy.pt"), "--sequential", "Linear"],
         ["a pickle file", "torch >= 1.6"]),
        ("PyTorch shapes do not chain", [os.path.join(FIX, "bad_chain.pt"), "--sequential", "Linear,ReLU,Linear"],
         ["layer 1: 6 inputs, but layer 0 has 8 outputs"]),
        ("--sequential with JSON", [d.json("m.json", {"layers": good_layers()}), "--sequential", "Linear"],
         ["--sequential is for PyTorch"]),
    ]
    for name, args, words in cases:
        expect_refusal(name, EXPORT, args + base, words, d)
    # A data.pkl that would run os.system when unpickled: refused before it can.
    marker = os.path.join(d.path, "pwned")
    evil = (b"\x80\x02cos\nsystem\nq\x00X" + struct.pack("<I", len(f"touch {marker}")) +
            f"touch {marker}".encode() + b"\x85R.")
    expect_refusal("code in the pickle", EXPORT,
                   [torch_like_zip(d, "evil.pt", evil), "--sequential", "Linear"] + base,
                   ["holds a os.system object"], d)
    report(not os.path.exists(marker), "refuses: code in the pickle does not run")
    # Another class than a tensor's.
    other = b"\x80\x02cbuiltins\ndict\nq\x00)Rq\x01."
    expect_refusal("foreign class in the pickle", EXPORT,
                   [torch_like_zip(d, "other.pt", other), "--sequential", "Linear"] + base,
                   ["holds a builtins.dict object"], d)
    expect_refusal("damaged data.pkl", EXPORT,
                   [torch_like_zip(d, "bad.pt", b"\x80\x02}q\x00(X"), "--sequential", "Linear"] + base,
                   ["unreadable data.pkl"], d)


def other_refusals():
    d = Dir()
    m = d.json("m.json", {"layers": good_layers()})
    out = ["--header", os.path.join(d.path, "out.h")]
    cases = [
        ("calibration width", ["--calib", d.json("c1.json", [[1.0, 2.0]])], ["calibration input vector 0 has 2 values, expected 3"]),
        ("calibration empty", ["--calib", d.json("c2.json", [])], ["non-empty JSON list"]),
        ("calibration string", ["--calib", d.json("c3.json", [[1.0, "a", 2.0]])], ["not a number"]),
        ("calibration NaN", ["--calib", d.file("c4.json", "[[1.0, NaN, 2.0]]")], ["must be finite"]),
        ("calibration object", ["--calib", d.json("c5.json", {"y": [1]})], ["non-empty JSON list"]),
        ("calibration not JSON", ["--calib", d.file("c6.json", "1 2 3")], ["not valid JSON (calibration input)"]),
        ("calibration missing", ["--calib", os.path.join(d.path, "none.json")], ["cannot read"]),
        ("bad --namespace", ["--calib", d.json("c7.json", calib(3)), "--namespace", "my-model"],
         ["--namespace 'my-model' is not a C/C++ identifier"]),
        ("--check-header without --selftest", ["--calib", d.json("c8.json", calib(3)), "--check-header", m],
         ["need --selftest"]),
        ("--min-agreement range", ["--calib", d.json("c9.json", calib(3)), "--min-agreement", "2"], ["--min-agreement"]),
        ("unknown option", ["--calib", d.json("c10.json", calib(3)), "--frobnicate"], ["unrecognized arguments", "--help"]),
        ("missing --calib", [], ["--calib", "--help"]),
        ("selftest inputs width", ["--calib", d.json("c11.json", calib(3)), "--selftest", d.json("t.json", [[1.0]])],
         ["test input vector 0 has 1 values, expected 3"]),
    ]
    for name, args, words in cases:
        expect_refusal(name, EXPORT, [m] + args + out, words, d)
    expect_refusal("unwritable output", EXPORT,
                   [m, "--calib", d.json("c12.json", calib(3)), "--header", os.path.join(d.path, "out.h"),
                    "--blob", os.path.join(d.path, "no", "such", "dir.qnet")],
                   ["cannot write", "dir.qnet"], d)
    # Numbers int8 arithmetic cannot carry.
    cal2 = d.json("c2.json", [[t / 20.0, t / 20.0 + 1e-12] for t in range(21)])
    expect_refusal("requantization scale beyond 2^30", EXPORT,
                   [d.json("m2.json", {"layers": [{"w": [[1.0, -1.0]], "b": [0.0]}]}), "--calib", cal2] + out,
                   ["requantization scale", "outside what int8 arithmetic represents"], d)
    expect_refusal("bias beyond int32", EXPORT,
                   [d.json("m3.json", {"layers": [{"w": [[1e-30, 0.0, 0.0], [1.0, 1.0, 1.0]], "b": [1e3, 0.0]}]}),
                    "--calib", d.json("c13.json", calib(3))] + out,
                   ["bias 0", "beyond int32"], d)


def command_lines():
    """The same refusals through real interpreters: exit status, one line."""
    d = Dir()
    c3 = d.json("calib3.json", calib(3))
    conv = {"layers": [dict(good_layers()[0], type="conv2d"), good_layers()[1]]}
    expect_refusal("command line: conv2d", EXPORT, [d.json("m.json", conv), "--calib", c3,
                   "--header", os.path.join(d.path, "o.h")], ["'conv2d'"], d, subprocess_run=True)
    expect_refusal("command line: unknown option", EXPORT, ["--frobnicate"], ["--help"], d,
                   subprocess_run=True)
    expect_refusal("command line: qnet_blob.py kind", BLOB,
                   [d.json("b.json", {"input_dim": 2, "layers": [{"kind": "conv2d"}]})],
                   ["unknown kind 'conv2d'"], d, subprocess_run=True)
    rc, out, err = run(EXPORT, [d.json("g.json", {"layers": good_layers()}), "--calib", c3],
                       subprocess_run=True)
    report(rc == 0 and "kModel" in out and not err, "command line: a good model exports")


def qnet_blob_refusals():
    d = Dir()
    out = ["-o", os.path.join(d.path, "out.qnet")]
    fc = {"kind": "fc", "in_dim": 2, "out_dim": 1, "weights": [[1, 2]], "bias": [0],
          "multiplier": [1 << 30], "shift": [0]}
    cases = [
        ("blob: unknown kind", {"input_dim": 2, "layers": [dict(fc, kind="conv2d")]}, ["unknown kind 'conv2d'"]),
        ("blob: missing field", {"input_dim": 2, "layers": [{k: v for k, v in fc.items() if k != "shift"}]},
         ["layer 0", "missing 'shift'"]),
        ("blob: unknown field", {"input_dim": 2, "layers": [dict(fc, stride=2)]}, ["layer 0", "unknown field 'stride'"]),
        ("blob: weight out of range", {"input_dim": 2, "layers": [dict(fc, weights=[[1, 200]])]}, ["fc weights", "[-128, 127]"]),
        ("blob: weight not an integer", {"input_dim": 2, "layers": [dict(fc, weights=[[1, 0.5]])]}, ["fc weights", "integer"]),
        ("blob: shift out of range", {"input_dim": 2, "layers": [dict(fc, shift=[40])]}, ["fc shift"]),
        ("blob: chain", {"input_dim": 3, "layers": [fc]}, ["in_dim 2 != 3"]),
        ("blob: no input_dim", {"layers": [fc]}, ["input_dim"]),
        ("blob: not an object", [fc], ["JSON object"]),
        ("blob: argmax not last", {"input_dim": 2, "layers": [{"kind": "argmax", "dim": 2}, fc]}, ["argmax must be the last layer"]),
    ]
    for name, model, words in cases:
        expect_refusal(name, BLOB, [d.json("m.json", model)] + out, words, d)
    expect_refusal("blob: not JSON", BLOB, [d.file("m.json", "{")] + out, ["not valid JSON"], d)
    expect_refusal("blob: missing file", BLOB, [os.path.join(d.path, "x.json")] + out, ["cannot read"], d)


# --- what must work -------------------------------------------------------------------------

def export_to(d, args, stem):
    h, c, b = (os.path.join(d.path, stem + s) for s in (".h", "_c.h", ".qnet"))
    rc, out, err = run(EXPORT, args + ["--header", h, "--c-header", c, "--blob", b,
                                       "--namespace", "fixture"])
    if rc != 0:
        return None
    with open(h) as f1, open(c) as f2, open(b, "rb") as f3:
        return f1.read(), f2.read(), f3.read()


def pytorch_matches_json():
    d = Dir()
    c4 = d.json("calib4.json", calib(4))
    from_pt = export_to(d, [os.path.join(FIX, "mlp_state_dict.pt"), "--calib", c4, "--sequential", SEQ], "pt")
    from_json = export_to(d, [d.json("fixture.json", fixture_json()), "--calib", c4], "json")
    report(from_pt is not None and from_json is not None, "exports the PyTorch fixture and its JSON twin")
    if from_pt is None or from_json is None:
        return
    report(from_pt[2] == from_json[2], "PyTorch and JSON give the same blob")
    report(body(from_pt[0]) == body(from_json[0]), "PyTorch and JSON give the same C++ header")
    report(body(from_pt[1]) == body(from_json[1]), "PyTorch and JSON give the same C header")
    # The blob reads back, and has the layers --sequential described.
    input_dim, layers = qnet_blob.parse_blob(from_pt[2])
    kinds = [l["kind"] for l in layers]
    report(input_dim == 4 and kinds == ["fc", "fc", "fc", "lut", "fc", "lut", "argmax"],
           "the PyTorch model's layers", f"{input_dim} {kinds}")
    relu6 = layers[1]
    six = relu6["act_max"] - relu6["act_min"]
    scale = float(from_pt[0].split("layer 1: fc 8->6 (relu6)")[1].split("out scale ")[1].split(" ")[0])
    report(relu6["act_min"] == relu6["output_offset"] and abs(six * scale - 6.0) <= scale or
           relu6["act_max"] == 127, "relu6 clamps at 6", f"{relu6['act_min']}..{relu6['act_max']} x {scale}")
    report(layers[2]["bias"] == [0] * 5, "Linear(bias=False) exports a zero bias")
    for const in ("kOutputScale", "kOutputZeroPoint", "kInputScale", "kInputZeroPoint",
                  "kArenaBytes = 16", "kNumLayers = 7", "kOutputDim = 3"):
        report(const in from_pt[0], f"C++ header has {const}")
    for const in ("FIXTURE_OUTPUT_SCALE", "FIXTURE_OUTPUT_ZERO_POINT", "FIXTURE_INPUT_SCALE",
                  "FIXTURE_BLOB_SIZE", "fixture_blob_words"):
        report(const in from_pt[1], f"C header has {const}")


def npz_matches_json():
    d = Dir()
    c3 = d.json("calib3.json", calib(3))
    ls = good_layers()
    arrays = {}
    for k, l in enumerate(ls):
        arrays[f"w{k}"] = npy([v for r in l["w"] for v in r], [len(l["w"]), len(l["w"][0])], "<f8")
        arrays[f"b{k}"] = npy(l["b"], [len(l["b"])], "<f8")
    a = export_to(d, [npz(d, "m.npz", arrays), "--calib", c3], "npz")
    b = export_to(d, [d.json("m.json", {"layers": ls}), "--calib", c3], "json")
    report(a is not None and b is not None and a[2] == b[2] and body(a[0]) == body(b[0]),
           ".npz and JSON give the same model")
    rc, out, err = run(EXPORT, [d.json("m.json", {"layers": ls}), "--calib", c3])
    report(rc == 0 and "constexpr starling::QModel kModel" in out and not err,
           "without output files the header goes to stdout")
    typed = {"layers": [dict(ls[0], type="dense"), dict(ls[1], type="Linear")]}
    t = export_to(d, [d.json("t.json", typed), "--calib", c3], "typed")
    report(t is not None and t[2] == b[2], "\"type\": \"dense\" / \"linear\" are accepted")


def torch_crosscheck():
    try:
        import torch  # noqa: F401
    except ImportError:
        print("SKIP torch cross-check: torch is not installed (the committed fixture is "
              "read without it above)")
        return
    import export_qnet
    sd = torch.load(os.path.join(FIX, "mlp_state_dict.pt"))
    layers = export_qnet.load_model(os.path.join(FIX, "mlp_state_dict.pt"), None, SEQ)["layers"]
    idx = [0, 3, 5, 7]
    same = all(layers[k]["w"] == sd[f"{i}.weight"].tolist() for k, i in enumerate(idx))
    report(same, "the reader's weights equal torch.load's (strided view included)")
    from make_torch_fixtures import mlp
    net = mlp().eval()
    worst = 0.0
    for x in calib(4):
        y = net(torch.tensor([x], dtype=torch.float32))[0].tolist()
        f = export_qnet.float_forward({"layers": layers}, x)
        worst = max(worst, max(abs(a - b) for a, b in zip(y, f)))
    report(worst < 1e-5, "float_forward equals torch's forward", f"worst {worst}")


def main():
    for fn in (model_refusals, npz_refusals, torch_refusals, other_refusals, qnet_blob_refusals,
               command_lines,
               pytorch_matches_json, npz_matches_json, torch_crosscheck):
        fn()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
