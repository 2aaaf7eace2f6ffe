#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""train_float_mlp.py: the float classifier that examples/requant_tune quantizes.

Standard library only; deterministic (a 64-bit xorshift generator, no `random`,
fixed order of every operation). Writes, next to this file:

  blobs_mlp.json      float weights {"layers": [{"w": out x in, "b", "act"}, ...]}
                      (the input format of tools/export_qnet.py)
  blobs_splits.json   {"train", "calib", "test": {"x": [[4 floats]], "y": [labels]}}
  blobs_calib_x.json  the calibration inputs alone (a JSON list of vectors)
  blobs_test_x.json   the test inputs alone
  blobs_mlp_data.h    the same weights and splits as C++ float arrays

Data: 3 classes of anisotropic Gaussian blobs in 4 features with different
scales and offsets (so the input needs a zero point and per-feature ranges
differ), some overlap between classes. Model: 4-16-3 MLP, ReLU hidden layer,
softmax cross-entropy, plain SGD with a fixed learning rate, 60 epochs.

    python3 examples/data/train_float_mlp.py          # regenerate all five files
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
N_IN, N_HID, N_OUT = 4, 16, 3
SPLITS = (("train", 600), ("calib", 200), ("test", 600))


class XorShift:
    def __init__(self, seed):
        self.s = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF

    def u64(self):
        x = self.s
        x ^= (x << 13) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 7
        x ^= (x << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = x
        return x

    def uniform(self):  # (0, 1)
        return ((self.u64() >> 11) + 0.5) / float(1 << 53)

    def gauss(self):  # Box-Muller, one value per call
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


# Class means and per-feature standard deviations; features have their own
# scales (feature 1 is ~4x wider than feature 2) and a common offset.
MEANS = ((0.0, 0.0, 0.5, 1.0), (2.2, 3.0, 0.0, 1.5), (-1.2, 2.5, 1.5, 3.2))
STDS = ((0.8, 1.6, 0.4, 0.9), (0.7, 1.8, 0.5, 0.8), (0.9, 1.5, 0.45, 1.0))
OFFSET = (1.0, -2.0, 0.5, 0.0)


def make_split(rng, n):
    xs, ys = [], []
    for i in range(n):
        c = i % N_OUT
        x = [round(MEANS[c][j] + OFFSET[j] + STDS[c][j] * rng.gauss(), 4) for j in range(N_IN)]
        xs.append(x)
        ys.append(c)
    # Deterministic shuffle (Fisher-Yates) so the classes are interleaved irregularly.
    for i in range(n - 1, 0, -1):
        k = rng.u64() % (i + 1)
        xs[i], xs[k] = xs[k], xs[i]
        ys[i], ys[k] = ys[k], ys[i]
    return xs, ys


def forward(layers, x):
    """Float forward pass (the same one tools/export_qnet.py uses)."""
    for layer in layers:
        y = []
        for row, b in zip(layer["w"], layer["b"]):
            a = b
            for wv, xv in zip(row, x):
                a += wv * xv
            y.append(max(a, 0.0) if layer["act"] == "relu" else a)
        x = y
    return x


def argmax(v):
    return max(range(len(v)), key=lambda i: (v[i], -i))


def train(xs, ys, rng, epochs=60, lr=0.02):
    def init(n_out, n_in):
        s = math.sqrt(2.0 / n_in)
        return [[s * rng.gauss() for _ in range(n_in)] for _ in range(n_out)]

    w1, b1 = init(N_HID, N_IN), [0.0] * N_HID
    w2, b2 = init(N_OUT, N_HID), [0.0] * N_OUT
    order = list(range(len(xs)))
    for _ in range(epochs):
        for i in range(len(order) - 1, 0, -1):
            k = rng.u64() % (i + 1)
            order[i], order[k] = order[k], order[i]
        for n in order:
            x, y = xs[n], ys[n]
            z1 = [b1[o] + sum(w1[o][i] * x[i] for i in range(N_IN)) for o in range(N_HID)]
            h = [max(v, 0.0) for v in z1]
            z2 = [b2[o] + sum(w2[o][i] * h[i] for i in range(N_HID)) for o in range(N_OUT)]
            m = max(z2)
            e = [math.exp(v - m) for v in z2]
            s = sum(e)
            g2 = [e[o] / s - (1.0 if o == y else 0.0) for o in range(N_OUT)]
            g1 = [(sum(g2[o] * w2[o][i] for o in range(N_OUT)) if z1[i] > 0 else 0.0)
                  for i in range(N_HID)]
            for o in range(N_OUT):
                for i in range(N_HID):
                    w2[o][i] -= lr * g2[o] * h[i]
                b2[o] -= lr * g2[o]
            for o in range(N_HID):
                for i in range(N_IN):
                    w1[o][i] -= lr * g1[o] * x[i]
                b1[o] -= lr * g1[o]
    r = lambda v: float(f"{v:.6g}")  # noqa: E731  (committed precision)
    return [{"w": [[r(v) for v in row] for row in w1], "b": [r(v) for v in b1], "act": "relu"},
            {"w": [[r(v) for v in row] for row in w2], "b": [r(v) for v in b2], "act": "none"}]


def c_floats(name, values, per_line=8):
    vals = [f"{v!r}f" if "." in repr(v) or "e" in repr(v) else f"{v!r}.0f" for v in values]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return f"constexpr float {name}[{len(vals)}] = {{\n    " + ",\n    ".join(lines) + "};\n"


def c_ints(name, values, per_line=30):
    vals = [str(v) for v in values]
    lines = [", ".join(vals[i:i + per_line]) for i in range(0, len(vals), per_line)]
    return f"constexpr uint8_t {name}[{len(vals)}] = {{\n    " + ",\n    ".join(lines) + "};\n"


def main():
    rng = XorShift(2026)
    splits = {name: make_split(rng, n) for name, n in SPLITS}
    layers = train(*splits["train"], rng)
    for name, _ in SPLITS:
        xs, ys = splits[name]
        acc = sum(argmax(forward(layers, x)) == y for x, y in zip(xs, ys)) / len(xs)
        print(f"float accuracy on {name}: {100 * acc:.2f}%")

    def dump(fname, obj):
        with open(os.path.join(HERE, fname), "w", encoding="utf-8") as f:
            json.dump(obj, f, separators=(",", ":"))
            f.write("\n")

    dump("blobs_mlp.json", {"layers": layers})
    dump("blobs_splits.json", {k: {"x": v[0], "y": v[1]} for k, v in splits.items()})
    dump("blobs_calib_x.json", splits["calib"][0])
    dump("blobs_test_x.json", splits["test"][0])

    out = ["// SPDX-License-Identifier: MIT",
           "// GENERATED by examples/data/train_float_mlp.py; do not edit.",
           "// The float 4-16-3 MLP of blobs_mlp.json and the splits of blobs_splits.json.",
           "#pragma once", "#include <cstdint>", "", "namespace blobs_mlp {", "",
           f"constexpr int kIn = {N_IN}, kHidden = {N_HID}, kOut = {N_OUT};"]
    for k, n in SPLITS:
        out.append(f"constexpr int k{k.capitalize()}Count = {n};")
    out.append("// Layer 0 (ReLU) and layer 1 (linear): weights row-major [out][in].")
    out.append(c_floats("kW0", [v for row in layers[0]["w"] for v in row]))
    out.append(c_floats("kB0", layers[0]["b"]))
    out.append(c_floats("kW1", [v for row in layers[1]["w"] for v in row]))
    out.append(c_floats("kB1", layers[1]["b"]))
    for k, _ in SPLITS:
        xs, ys = splits[k]
        out.append(f"// {k} split: inputs [{k.capitalize()}Count][kIn], labels.")
        out.append(c_floats(f"k{k.capitalize()}X", [v for x in xs for v in x], per_line=8))
        out.append(c_ints(f"k{k.capitalize()}Y", ys))
    out.append("}  // namespace blobs_mlp\n")
    with open(os.path.join(HERE, "blobs_mlp_data.h"), "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
