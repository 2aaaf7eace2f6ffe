#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_torch_fixtures.py: the PyTorch files tests/tools/test_export_qnet.py reads.

Needs PyTorch (Debian: apt-get install python3-torch; run it with the Python
that has it, e.g. /usr/bin/python3). The outputs are committed, so the test
itself needs no torch:

  mlp_state_dict.pt   state_dict of Sequential(Linear(4,8), ReLU, Dropout,
                      Linear(8,6), ReLU6, Linear(6,5, bias=False), Tanh,
                      Linear(5,3), Sigmoid); weights from fixture_weights()
                      (shared with the test, which builds the same model as
                      JSON); layer 2's weight saved as a transposed view, so
                      its strides are not row-major
  bad_int64.pt        a state_dict with an int64 tensor
  bad_module.pt       a whole pickled Sequential (torch.save(model))
  bad_checkpoint.pt   {"model": state_dict, "epoch": 3}
  bad_legacy.pt       the pre-1.6 (non-zip) format
  bad_chain.pt        Sequential(Linear(4,8), ReLU, Linear(6,3)) weights
  bad_act_first.pt    Sequential(ReLU, Linear(4,3)) weights

    /usr/bin/python3 tests/tools/make_torch_fixtures.py [OUT_DIR]
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_weights import SHAPES, bias_values, weight_values  # noqa: E402


def mlp():
    m = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 6), nn.ReLU6(),
                      nn.Linear(6, 5, bias=False), nn.Tanh(), nn.Linear(5, 3), nn.Sigmoid())
    linears = [m[0], m[3], m[5], m[7]]
    with torch.no_grad():
        for k, (lin, (out_dim, in_dim, has_bias)) in enumerate(zip(linears, SHAPES)):
            w = torch.tensor(weight_values(k), dtype=torch.float32).reshape(out_dim, in_dim)
            if k == 2:  # a non-contiguous view: stored as (in, out), strides (1, out)
                w = w.t().contiguous().t()
            lin.weight = nn.Parameter(w)
            if has_bias:
                lin.bias.copy_(torch.tensor(bias_values(k), dtype=torch.float32))
    return m


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "fixtures")
    os.makedirs(out, exist_ok=True)
    m = mlp()
    assert not m[5].weight.is_contiguous()
    torch.save(m.state_dict(), os.path.join(out, "mlp_state_dict.pt"))
    torch.save({"0.weight": torch.arange(12, dtype=torch.int64).reshape(3, 4)},
               os.path.join(out, "bad_int64.pt"))
    torch.save(nn.Sequential(nn.Linear(2, 2)), os.path.join(out, "bad_module.pt"))
    torch.save({"model": nn.Sequential(nn.Linear(2, 2)).state_dict(), "epoch": 3},
               os.path.join(out, "bad_checkpoint.pt"))
    torch.save(nn.Sequential(nn.Linear(2, 2)).state_dict(), os.path.join(out, "bad_legacy.pt"),
               _use_new_zipfile_serialization=False)
    torch.save(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(6, 3)).state_dict(),
               os.path.join(out, "bad_chain.pt"))
    torch.save(nn.Sequential(nn.ReLU(), nn.Linear(4, 3)).state_dict(),
               os.path.join(out, "bad_act_first.pt"))
    print(f"wrote 7 files to {out} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
