#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Tests of tools/tflite_fb.py and tools/tflite_import.py (standard library).

Every refusal: a model with one defect (built by tools/tflite_models.py, or
its bytes damaged) makes tflite_import exit 1 with one line on stderr that
names the defect and where, and leaves the output paths as they were (files
that existed keep their bytes; none is created). Plus: the flatbuffer
writer/reader round trip, truncations and byte flips never escape as a
Python traceback, and a good import writes both outputs.

    python3 tests/qnet/test_tflite_import.py      (prints "N passed, M failed")
"""
import contextlib
import io
import os
import random
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import qnet_blob as qb  # noqa: E402
import tflite_fb as fb  # noqa: E402
import tflite_import as ti  # noqa: E402
import tflite_models as tm  # noqa: E402

PASSED, FAILED = 0, 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print(f"FAIL {what}")
    return cond


def run_import(data, tmp):
    """Runs tflite_import's main on `data`: (exit status, stderr, outputs
    changed). The output paths start as files holding b"old"."""
    src = os.path.join(tmp, "m.tflite")
    blob, hdr = os.path.join(tmp, "m.qnet"), os.path.join(tmp, "m.h")
    with open(src, "wb") as f:
        f.write(data)
    for p in (blob, hdr):
        with open(p, "wb") as f:
            f.write(b"old")
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        rc = ti.main([src, "--blob", blob, "--header", hdr])
    changed = [open(p, "rb").read() != b"old" for p in (blob, hdr)]
    leftovers = [n for n in os.listdir(tmp) if n.startswith(".tflite_import.")]
    return rc, err.getvalue(), changed, leftovers


def expect_refusal(name, data, *words):
    with tempfile.TemporaryDirectory() as tmp:
        try:
            rc, err, changed, left = run_import(data, tmp)
        except Exception as e:  # a traceback is a failure too
            check(False, f"{name}: raised {type(e).__name__}: {e}")
            return
    line = err.strip()
    ok = check(rc == 1, f"{name}: exit status {rc}")
    ok &= check(line.count("\n") == 0 and line.startswith("tflite_import: "),
                f"{name}: not one line: {err!r}")
    for w in words:
        ok &= check(w in line, f"{name}: {w!r} not in {line!r}")
    ok &= check(not any(changed), f"{name}: an output was written")
    ok &= check(not left, f"{name}: temporary files left: {left}")


def base():
    """A small valid model: conv, depthwise, pool, reshape, fc, softmax."""
    m = tm.ModelBuilder(5)
    x = m.input([1, 8, 8, 2])
    x = m.conv(x, 4, 3, stride=2)
    x = m.depthwise(x, 3)
    x = m.pool(x, 2)
    x = m.reshape(x, [1, 16])
    x = m.fc(x, 3, act="NONE")
    m.output(m.softmax(x))
    return m


def edit(fn):
    """A base model with fn(model dict) applied, as bytes."""
    md = base().model()
    fn(md)
    return fb.write_model(md)


def tensors(md):
    return md["subgraphs"][0]["tensors"]


def ops(md):
    return md["subgraphs"][0]["operators"]


def test_round_trip():
    for name, make in tm.MODELS.items():
        data = make().build()
        back = fb.write_model(fb.read_model(data))
        check(back == data, f"round trip of {name}")
    md = fb.read_model(base().build())
    check(fb.TENSOR_TYPES[tensors(md)[0]["type"]] == "INT8", "input type")
    check(fb.OP_NAMES[fb.builtin_code(md["operator_codes"][0])] == "CONV_2D", "first opcode")


def test_good_import_writes_both():
    with tempfile.TemporaryDirectory() as tmp:
        rc, err, changed, left = run_import(base().build(), tmp)
        check(rc == 0 and err == "" and all(changed) and not left, f"good import: {rc} {err!r}")
        blob = open(os.path.join(tmp, "m.qnet"), "rb").read()
        shape, layers = qb.parse_blob(blob)
        check(shape == (8, 8, 2) and [l["kind"] for l in layers] ==
              ["conv", "depthwise", "avg_pool", "reshape", "fc", "softmax"], "imported layers")
        hdr = open(os.path.join(tmp, "m.h")).read()
        for macro in ("M_INPUT_SCALE", "M_INPUT_ZERO_POINT", "M_OUTPUT_SCALE",
                      "M_OUTPUT_ZERO_POINT", "M_ARENA_BYTES", "m_blob["):
            check(macro in hdr, f"header defines {macro}")
        check("#define M_OUTPUT_SCALE 0x1.0000000000000p-8f" in hdr, "softmax output scale 1/256")


def test_refusals():
    M = tm.ModelBuilder

    def unsupported_op():
        m = M(1)
        x = m.input([1, 4])
        y = m.tensor([1, 4], scale=0.1, zero_point=0)
        m.output(m.op("MUL", [x, x], [y]))
        return m.build()
    expect_refusal("unsupported op", unsupported_op(), "operator 0 (MUL)", "not supported")

    def float_input(md):
        tensors(md)[0]["type"] = fb.TYPE_CODES["FLOAT32"]
    expect_refusal("float input", edit(float_input), "tensor 0 'input'", "FLOAT32", "int8")

    def int16_act(md):
        tensors(md)[ops(md)[0]["outputs"][0]]["type"] = fb.TYPE_CODES["INT16"]
    expect_refusal("int16 activation", edit(int16_act), "operator 0 (CONV_2D)", "INT16")

    def float_filter(md):
        tensors(md)[ops(md)[0]["inputs"][1]]["type"] = fb.TYPE_CODES["FLOAT32"]
    expect_refusal("float weights", edit(float_filter), "operator 0 (CONV_2D)", "filter is FLOAT32")

    def no_quant(md):
        del tensors(md)[ops(md)[1]["outputs"][0]]["quantization"]
    expect_refusal("unquantized activation", edit(no_quant), "operator 1 (DEPTHWISE_CONV_2D)",
                   "not quantized")

    def two_subgraphs(md):
        md["subgraphs"].append(dict(md["subgraphs"][0]))
    expect_refusal("two subgraphs", edit(two_subgraphs), "2 subgraphs")

    def two_inputs(md):
        md["subgraphs"][0]["inputs"] = [0, 0]
    expect_refusal("two inputs", edit(two_inputs), "2 inputs")

    def broadcast_add():
        m = M(2)
        x = m.input([1, 4, 4, 2])
        y = m.conv(x, 2, 1, stride=2)
        m.output(m.add(x, y))
        return m.build()
    expect_refusal("broadcast add", broadcast_add(), "operator 1 (ADD)", "broadcasting")

    def softmax_scale(md):
        q = tensors(md)[ops(md)[-1]["outputs"][0]]["quantization"]
        q["scale"] = [1.0 / 128]
    expect_refusal("softmax output scale", edit(softmax_scale), "operator 5 (SOFTMAX)", "1/256")

    def pool_quant(md):
        q = tensors(md)[ops(md)[2]["outputs"][0]]["quantization"]
        q["zero_point"] = [q["zero_point"][0] + 1]
    expect_refusal("pool requantizes", edit(pool_quant), "operator 2 (AVERAGE_POOL_2D)",
                   "quantization differ")

    def tanh_fused(md):
        ops(md)[0]["builtin_options"]["fused_activation_function"] = 4
    expect_refusal("fused tanh", edit(tanh_fused), "operator 0 (CONV_2D)", "TANH")

    def scale_count(md):
        q = tensors(md)[ops(md)[0]["inputs"][1]]["quantization"]
        q["scale"], q["zero_point"] = q["scale"][:2], q["zero_point"][:2]
    expect_refusal("per-channel scale count", edit(scale_count), "operator 0 (CONV_2D)", "2 scales")

    def filter_zp(md):
        q = tensors(md)[ops(md)[0]["inputs"][1]]["quantization"]
        q["zero_point"] = [1] + q["zero_point"][1:]
    expect_refusal("filter zero point", edit(filter_zp), "operator 0 (CONV_2D)", "zero points")

    def short_weights(md):
        b = tensors(md)[ops(md)[0]["inputs"][1]]["buffer"]
        md["buffers"][b]["data"] = md["buffers"][b]["data"][:-1]
    expect_refusal("weights buffer short", edit(short_weights), "operator 0 (CONV_2D)", "bytes")

    def external(md):
        b = tensors(md)[ops(md)[0]["inputs"][1]]["buffer"]
        md["buffers"][b]["offset"] = 4096
    expect_refusal("external buffer", edit(external), "operator 0 (CONV_2D)", "outside the flatbuffer")

    def mean_axis():
        m = M(3)
        x = m.input([1, 4, 4, 2])
        axis = m.tensor([1], "INT32", data=struct.pack("<i", 3))
        y = m.tensor([1, 4, 4, 1], scale=0.1, zero_point=0)
        m.output(m.op("MEAN", [x, axis], [y], ("ReducerOptions", {"keep_dims": True})))
        return m.build()
    expect_refusal("mean over channels", mean_axis(), "operator 0 (MEAN)", "axes [3]")

    def fc_batch():
        m = M(4)
        x = m.input([2, 8])
        m.output(m.fc(x, 3))
        return m.build()
    expect_refusal("batch-2 tensor", fc_batch(), "tensor 0 'input'", "batch 1")

    def output_not_last(md):
        md["subgraphs"][0]["outputs"] = [ops(md)[0]["outputs"][0]]
    expect_refusal("output not last", edit(output_not_last), "subgraph output", "last operator")

    def reads_later(md):
        ops(md)[1]["inputs"][0] = ops(md)[2]["outputs"][0]
    expect_refusal("reads a later tensor", edit(reads_later), "operator 1 (DEPTHWISE_CONV_2D)",
                   "neither the subgraph input")

    def grouped():
        m = M(6)
        x = m.input([1, 4, 4, 4])
        w = m.tensor([2, 1, 1, 2], scale=[0.01, 0.01], zero_point=[0, 0], data=bytes(4))
        y = m.tensor([1, 4, 4, 2], scale=0.1, zero_point=0)
        m.output(m.op("CONV_2D", [x, w, -1], [y], ("Conv2DOptions", {"stride_w": 1, "stride_h": 1})))
        return m.build()
    expect_refusal("grouped conv", grouped(), "operator 0 (CONV_2D)", "grouped")

    def bad_tensor_index(md):
        ops(md)[0]["inputs"][1] = 999
    expect_refusal("tensor index", edit(bad_tensor_index), "operator 0 (CONV_2D)", "tensor index 999")

    def zero_dim(md):
        tensors(md)[0]["shape"] = [1, 0, 8, 2]
    expect_refusal("zero dimension", edit(zero_dim), "tensor 0", "[1, 0, 8, 2]")

    def wrong_out_shape(md):
        tensors(md)[ops(md)[0]["outputs"][0]]["shape"] = [1, 3, 4, 4]
    expect_refusal("conv output shape", edit(wrong_out_shape), "operator 0 (CONV_2D)", "shape")

    def no_options(md):
        ops(md)[0].pop("builtin_options")
        ops(md)[0].pop("builtin_options_type")
    expect_refusal("missing options", edit(no_options), "operator 0 (CONV_2D)", "Conv2DOptions")


def test_malformed_files():
    good = base().build()
    expect_refusal("empty file", b"", "too short")
    expect_refusal("identifier", good[:4] + b"XXXX" + good[8:], "identifier", "TFL3")
    expect_refusal("root offset", struct.pack("<I", len(good) + 8) + good[4:], "root table offset")
    for n in (8, 12, 40, len(good) // 3, len(good) // 2, len(good) - 1):
        expect_refusal(f"truncated to {n}", good[:n], "tflite_import: ")
    # Random damage: never a traceback, and a refusal is one line.
    rng = random.Random(7)
    escapes = 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(300):
            b = bytearray(good)
            for _ in range(rng.randint(1, 4)):
                b[rng.randrange(len(b))] = rng.randrange(256)
            try:
                rc, err, changed, left = run_import(bytes(b), tmp)
                escapes += rc not in (0, 1) or (rc == 1 and (err.count("\n") != 1 or any(changed)))
                escapes += bool(left)
            except Exception as e:
                escapes += 1
                print(f"     traceback: {type(e).__name__}: {e}")
    check(escapes == 0, f"random damage: {escapes} escapes")


def main():
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn):
            fn()
    print(f"{PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
