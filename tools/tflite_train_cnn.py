#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tflite_train_cnn.py: trains the small digits CNN of examples/cnn_tune once
and writes it, naively quantized to int8, as a .tflite file (the repo's
writer, tools/tflite_models.py) plus the data header the example uses.

Needs Debian's python3-torch and python3-sklearn (apt-get install
python3-torch python3-sklearn; run with /usr/bin/python3 when another
python3 comes first in PATH). Its outputs are committed, so building and
testing the example needs neither:

    /usr/bin/python3 tools/tflite_train_cnn.py --out examples/cnn_tune

Data: scikit-learn's bundled 8x8 digits (1797 images, pixels 0..16),
shuffled with a fixed seed into train (1097), calibration (200) and test
(500) splits. Network (float, PyTorch, 60 epochs of Adam):
    8x8x1 -> conv 3x3 SAME 12 ReLU -> max pool 2x2 -> conv 3x3 SAME 32 ReLU
          -> mean over height and width -> FC 10 (logits; the class is the argmax)
Naive int8 quantization, as a hurried conversion would do it:
    * per-tensor weight scales, max|w| / 127 over the whole layer;
    * activation ranges (input, both convolutions, the mean, the logits)
      from the first 4 calibration images of class 0 only: other digits
      fall outside the ranges and saturate;
    * int32 biases at scale in_scale * w_scale.
Writes digits_cnn.tflite and digits_data.h (calibration and test pixels and
labels, and the float network's test accuracy measured here).
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tflite_models as tm  # noqa: E402

N_CALIB, N_TEST = 200, 500
NAIVE_N, NAIVE_CLASS = 4, 0
NAIVE_DEFAULT_RANGES = True


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 12, 3, padding=1)
        self.c2 = torch.nn.Conv2d(12, 32, 3, padding=1)
        self.fc = torch.nn.Linear(32, 10)

    def features(self, x):
        a1 = torch.relu(self.c1(x))
        p = torch.nn.functional.max_pool2d(a1, 2)
        a2 = torch.relu(self.c2(p))
        m = a2.mean(dim=(2, 3))
        return a1, a2, m, self.fc(m)

    def forward(self, x):
        return self.features(x)[3]


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def asym(lo, hi):
    """TFLite-style asymmetric int8 parameters for the range [lo, hi] (0 included)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zp = int(round(-128 - lo / scale))
    return f32(scale), max(-128, min(127, zp))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="examples/cnn_tune")
    a = ap.parse_args()
    torch.manual_seed(0)
    d = load_digits()
    rng = np.random.RandomState(0)
    idx = rng.permutation(len(d.target))
    x_all = d.data.astype(np.float32).reshape(-1, 1, 8, 8)
    y_all = d.target.astype(np.int64)
    n_train = len(idx) - N_CALIB - N_TEST
    tr, ca, te = idx[:n_train], idx[n_train:n_train + N_CALIB], idx[n_train + N_CALIB:]

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.005)
    xt, yt = torch.tensor(x_all[tr]) / 16.0, torch.tensor(y_all[tr])
    for epoch in range(60):
        perm = torch.randperm(len(tr))
        for i in range(0, len(tr), 64):
            b = perm[i:i + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xt[b]), yt[b])
            loss.backward()
            opt.step()
    with torch.no_grad():
        pred = net(torch.tensor(x_all[te]) / 16.0).argmax(1).numpy()
    float_acc = float((pred == y_all[te]).mean())
    print(f"float test accuracy {100 * float_acc:.2f}%")

    # Naive calibration: the first NAIVE_N calibration images of one class.
    naive = [i for i in ca if y_all[i] == NAIVE_CLASS][:NAIVE_N]
    with torch.no_grad():
        xc = torch.tensor(x_all[naive]) / 16.0
        a1, a2, m, logits = net.features(xc)
    q_in = asym(0.0, float(xc.max()))
    if NAIVE_DEFAULT_RANGES:
        # TOCO's "dummy quantization": every activation in the default [0, 6]
        # (logits [-6, 6]) instead of measured ranges.
        q_a1, q_a2, q_lo = asym(0.0, 6.0), asym(0.0, 6.0), asym(-6.0, 6.0)
    else:
        q_a1, q_a2 = asym(0.0, float(a1.max())), asym(0.0, float(a2.max()))
        q_lo = asym(float(logits.min()), float(logits.max()))
    q_m = q_a2  # the mean keeps its input's quantization
    print("ranges seen on the full calibration split:", [round(float(t.max()), 2) for t in
          net.features(torch.tensor(x_all[ca]) / 16.0)[:2]], "logits",
          [round(float(t), 2) for t in net(torch.tensor(x_all[ca]) / 16.0).aminmax()])

    def wq(w):
        s = f32(float(np.abs(w).max()) / 127.0)
        return [int(max(-127, min(127, round(v / s)))) for v in w.reshape(-1)], s

    def bias(b, in_scale, w_scale):
        return [int(round(float(v) / (f32(in_scale) * f32(w_scale)))) for v in b]

    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    mb = tm.ModelBuilder(0, "starling examples/cnn_tune digits CNN, naive int8")
    # The network sees pixels / 16; fold that into the input scale.
    x = mb.input([1, 8, 8, 1], scale=q_in[0] * 16.0, zero_point=q_in[1])
    in_scale = mb.scale(x)
    w1, s1 = wq(sd["c1.weight"].transpose(0, 2, 3, 1) * (1 / 16.0))  # OHWI, on raw pixels
    y1 = mb.tensor([1, 8, 8, 12], scale=q_a1[0], zero_point=q_a1[1])
    x = mb.conv(x, 12, 3, act="RELU", weights=(w1, [s1]), bias=bias(sd["c1.bias"], in_scale, s1), out=y1)
    x = mb.pool(x, 2, kind="MAX_POOL_2D")
    w2, s2 = wq(sd["c2.weight"].transpose(0, 2, 3, 1))
    y2 = mb.tensor([1, 4, 4, 32], scale=q_a2[0], zero_point=q_a2[1])
    x = mb.conv(x, 32, 3, act="RELU", weights=(w2, [s2]), bias=bias(sd["c2.bias"], q_a1[0], s2), out=y2)
    x = mb.mean(x, keep_dims=False, same_quant=True)
    w3, s3 = wq(sd["fc.weight"])
    y3 = mb.tensor([1, 10], scale=q_lo[0], zero_point=q_lo[1])
    x = mb.fc(x, 10, act="NONE", weights=(w3, [s3]), bias=bias(sd["fc.bias"], q_m[0], s3), out=y3)
    mb.output(x)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "digits_cnn.tflite"), "wb") as f:
        f.write(mb.build())

    def carr(name, vals, ctype):
        rows = [", ".join(str(int(v)) for v in vals[i:i + 32]) for i in range(0, len(vals), 32)]
        return f"static const {ctype} {name}[{len(vals)}] = {{\n    " + ",\n    ".join(rows) + "};\n"

    lines = ["// SPDX-License-Identifier: MIT",
             "// GENERATED by tools/tflite_train_cnn.py (PyTorch, scikit-learn digits); do not edit.",
             "// Calibration and test splits of the 8x8 digits (pixels 0..16), and the float",
             "// network's test accuracy as PyTorch measured it.",
             "#pragma once", "#include <stdint.h>", "",
             "namespace digits {",
             f"constexpr int kCalibCount = {N_CALIB};", f"constexpr int kTestCount = {N_TEST};",
             f"constexpr int kFloatTestCorrect = {int((pred == y_all[te]).sum())};",
             carr("kCalibPixels", x_all[ca].reshape(-1), "uint8_t"),
             carr("kCalibLabels", y_all[ca], "uint8_t"),
             carr("kTestPixels", x_all[te].reshape(-1), "uint8_t"),
             carr("kTestLabels", y_all[te], "uint8_t"),
             "}  // namespace digits", ""]
    with open(os.path.join(a.out, "digits_data.h"), "w") as f:
        f.write("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
