#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates tests/qnet/qnet_golden.hpp and the fuzz seed corpus.

Independent of the C++ code: the LUTs come from Python's math.tanh/math.exp
(libm) and exact rational rounding, the blobs from tools/qnet_blob.py, the
expected network outputs from qnet_blob.reference_forward (TFLite double
rounding in exact integers). Standard library only; deterministic.

  gen_qnet_golden.py --out tests/qnet/qnet_golden.hpp --corpus tests/fuzz/corpus
  gen_qnet_golden.py --check --out ... --corpus ...   (exit 1 if anything differs)
"""

import argparse
import math
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import qnet_blob as qb  # noqa: E402


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def hexf(x):
    """A C++ hex float literal of a float32 value (exact)."""
    return f32(x).hex() + "f"


def round_half_away(v):
    a = abs(v)
    f = math.floor(a)
    r = f + (1 if a - f >= 0.5 else 0)  # a - f is exact below 2^52
    return r if v >= 0 else -r


def make_lut(in_scale, in_zp, out_scale, out_zp, fn, transcendental):
    """The starling::make_lut formula. For transcendental fn (libm here,
    portable_exp in C++, equal to within a few ulp) refuse parameters where a
    value lands within 1e-9 of a rounding tie, so the golden is robust."""
    table = []
    for q in range(-128, 128):
        real = f32(in_scale) * (q - in_zp)
        y = fn(real)
        v = y / f32(out_scale)
        if transcendental and real != 0:
            frac = abs(v) - math.floor(abs(v))
            if abs(frac - 0.5) < 1e-9:
                raise SystemExit(f"near-tie at q={q}: pick other LUT parameters")
        table.append(max(-128, min(127, round_half_away(v) + out_zp)))
    return table


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def staircase(levels, x_lo, x_hi, y_lo, y_hi):
    n = float(levels)

    def f(x):
        k = float(math.floor((x - x_lo) / (x_hi - x_lo) * n))
        k = min(max(k, 0.0), n - 1.0)
        return y_lo + (y_hi - y_lo) * k / (n - 1.0)
    return f


# name, in_scale, in_zp, out_scale, out_zp, kind, extra
LUTS = [
    ("tanh", 0.0625, -10, 1 / 128, 0, "tanh", ()),
    ("tanh_b", 0.04, 7, 1 / 128, 0, "tanh", ()),
    ("sigmoid", 0.1, 3, 1 / 256, -128, "sigmoid", ()),
    ("sigmoid_b", 0.0625, -128, 1 / 256, -128, "sigmoid", ()),
    ("step", 0.05, 0, 1 / 127, 0, "step", (0.3, -1.0, 1.0)),
    ("staircase", 0.03125, 5, 1 / 128, 0, "staircase", (5, -2.0, 2.0, -1.0, 1.0)),
]


def lut_table(spec):
    name, in_scale, in_zp, out_scale, out_zp, kind, extra = spec
    if kind == "tanh":
        return make_lut(in_scale, in_zp, out_scale, out_zp, math.tanh, True)
    if kind == "sigmoid":
        return make_lut(in_scale, in_zp, out_scale, out_zp, sigmoid, True)
    if kind == "step":
        thr, lo, hi = extra
        return make_lut(in_scale, in_zp, out_scale, out_zp,
                        lambda x: hi if x >= thr else lo, False)
    return make_lut(in_scale, in_zp, out_scale, out_zp, staircase(*extra), False)


class Lcg:
    """Numerical Recipes LCG: stable across Python versions, unlike random."""

    def __init__(self, seed):
        self.s = seed

    def next(self, lo, hi):
        self.s = (1664525 * self.s + 1013904223) % 2**32
        return lo + (self.s >> 8) % (hi - lo + 1)


def fc_layer(rng, in_dim, out_dim, in_scale, w_scales, out_scale, in_zp, out_zp, relu,
             per_channel, with_bias=True):
    mult, shift = [], []
    for c in range(out_dim if per_channel else 1):
        m, s = qb.quantize_multiplier(in_scale * w_scales[c] / out_scale)
        mult.append(m)
        shift.append(s)
    return qb.fc([rng.next(-127, 127) for _ in range(in_dim * out_dim)],
                 [rng.next(-3000, 3000) for _ in range(out_dim)] if with_bias else None,
                 mult, shift, in_dim, out_dim, input_offset=-in_zp, output_offset=out_zp,
                 act_min=out_zp if relu else -128, act_max=127, per_channel=per_channel)


def models():
    rng = Lcg(20240607)
    tanh_lut = make_lut(0.1, -20, 1 / 128, 0, math.tanh, True)
    # A: 6 -> FC 10 (per-channel, ReLU) -> tanh -> FC 4 (per-tensor) -> argmax.
    a = [fc_layer(rng, 6, 10, 0.05, [0.01 * (1 + c / 10) for c in range(10)], 0.1, -5, -20,
                  True, True),
         qb.lut(10, tanh_lut),
         fc_layer(rng, 10, 4, 1 / 128, [0.02], 0.05, 0, 3, False, False),
         qb.argmax(4)]
    # Tiny (for the exhaustive corruption test): every record kind and both
    # multiplier layouts, with and without bias.
    tiny = [fc_layer(rng, 3, 4, 0.05, [0.01, 0.02, 0.015, 0.03], 0.1, 2, -10, False, True),
            qb.lut(4, make_lut(0.1, -10, 1 / 256, -128, sigmoid, True)),
            fc_layer(rng, 4, 2, 1 / 256, [0.02], 0.05, -128, 0, False, False, False),
            qb.argmax(2)]
    # Shared: two LUT layers with the same table, stored once (overlapping sections).
    shared = [fc_layer(rng, 5, 5, 0.05, [0.02], 0.1, 0, -20, False, False),
              qb.lut(5, tanh_lut),
              fc_layer(rng, 5, 5, 1 / 128, [0.02], 0.1, 0, -20, False, False),
              qb.lut(5, tanh_lut)]
    # ReLU6 regressor without argmax, for the corpus.
    relu6 = [fc_layer(rng, 8, 8, 0.05, [0.01 * (1 + c) for c in range(8)], 8 / 255, 0, -128,
                      True, True),
             fc_layer(rng, 8, 2, 8 / 255, [0.01], 0.05, -128, 0, False, False)]
    relu6[0]["act_max"] = -128 + round_half_away(6 / (8 / 255))  # 6.0 above the zero point
    return {"a": (6, a), "tiny": (3, tiny), "shared": (5, shared), "relu6": (8, relu6)}


def inputs(n, dim, seed):
    rng = Lcg(seed)
    xs = [[-128] * dim, [127] * dim, [0] * dim]
    while len(xs) < n:
        xs.append([rng.next(-128, 127) for _ in range(dim)])
    return xs


def arr(name, data, ctype, align=0):
    return qb.c_array(name, data, ctype, per_line=16, align=align)


def header():
    out = ["// SPDX-License-Identifier: MIT",
           "// GENERATED by tests/qnet/gen_qnet_golden.py (with tools/qnet_blob.py); do not edit.",
           "// Regenerate: python3 tests/qnet/gen_qnet_golden.py --out tests/qnet/qnet_golden.hpp"
           " --corpus tests/fuzz/corpus",
           "// LUTs: Python math.tanh / math.exp and exact rounding; outputs: exact-integer",
           "// TFLite double-rounding reference (qnet_blob.reference_forward).",
           "#pragma once", "#include <cstdint>", "", "namespace golden {", ""]
    out.append("struct LutCase { const char* name; float in_scale; int32_t in_zp; "
               "float out_scale; int32_t out_zp; const int8_t* table; };")
    for spec in LUTS:
        out.append(arr(f"kLut_{spec[0]}", lut_table(spec), "int8_t"))
    out.append("// staircase: levels 5 over [-2, 2] -> [-1, 1]; step: threshold 0.3, -1 / 1.")
    out.append(f"constexpr LutCase kLutCases[{len(LUTS)}] = {{")
    for name, in_scale, in_zp, out_scale, out_zp, _, _ in LUTS:
        out.append(f"    {{\"{name}\", {hexf(in_scale)}, {in_zp}, {hexf(out_scale)}, {out_zp}, "
                   f"kLut_{name}}},")
    out.append("};\n")

    ms = models()
    blobs = {}
    for key, (input_dim, layers) in ms.items():
        blob = qb.build_blob(input_dim, layers)
        assert qb.parse_blob(blob)[0] == input_dim
        blobs[key] = blob
        out.append(arr(f"kBlob_{key}", list(blob), "uint8_t", align=4))

    # Model A as raw arrays, for the same model written as C++ const data.
    input_dim, a = ms["a"]
    out.append("// Model A as plain arrays (layer 0 FC, 1 LUT, 2 FC, 3 argmax).")
    for i in (0, 2):
        l = a[i]
        out.append(arr(f"kA{i}_weights", l["weights"], "int8_t"))
        out.append(arr(f"kA{i}_bias", l["bias"], "int32_t"))
        out.append(arr(f"kA{i}_multiplier", l["multiplier"], "int32_t"))
        out.append(arr(f"kA{i}_shift", l["shift"], "int32_t"))
        out.append(f"constexpr int kA{i}_dims[2] = {{{l['in_dim']}, {l['out_dim']}}};")
        out.append(f"constexpr int32_t kA{i}_offsets[2] = {{{l['input_offset']}, "
                   f"{l['output_offset']}}};")
        out.append(f"constexpr int32_t kA{i}_clamp[2] = {{{l['act_min']}, {l['act_max']}}};")
        out.append(f"constexpr bool kA{i}_per_channel = {str(l['per_channel']).lower()};\n")
    out.append(arr("kA1_lut", a[1]["table"], "int8_t"))

    for key in ("a", "tiny", "shared", "relu6"):
        input_dim, layers = ms[key]
        xs = inputs(12, input_dim, 77 + len(key))
        ys = [qb.reference_forward(input_dim, layers, x) for x in xs]
        out.append(f"// Model {key}: {len(xs)} inputs, the scores run() gives, the classes.")
        out.append(arr(f"kIn_{key}", [v for x in xs for v in x], "int8_t"))
        out.append(arr(f"kOut_{key}", [v for y, _ in ys for v in y], "int8_t"))
        out.append(arr(f"kClass_{key}", [c for _, c in ys], "int"))
        out.append(f"constexpr int kCount_{key} = {len(xs)};\n")
    out.append("}  // namespace golden")
    return "\n".join(out) + "\n", blobs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus")
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args()
    text, blobs = header()
    files = {args.out: text.encode()}
    if args.corpus:
        for key, blob in blobs.items():
            files[os.path.join(args.corpus, f"{key}.qnet")] = blob
    bad = 0
    for path, data in files.items():
        if args.check:
            try:
                with open(path, "rb") as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                print(f"STALE: {path} differs from what the generator writes")
                bad += 1
        else:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
    print(f"{len(files) - bad} of {len(files)} files up to date" if args.check else
          f"wrote {len(files)} files")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
