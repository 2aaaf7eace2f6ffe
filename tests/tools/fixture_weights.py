# SPDX-License-Identifier: MIT
"""fixture_weights.py: the weights of the PyTorch fixture (make_torch_fixtures.py),
shared with test_export_qnet.py, which builds the same network as JSON.
Values are float32 numbers (k/64 with small k), so both sides store them exactly."""

# (out, in, has_bias) of the four Linear layers.
SHAPES = [(8, 4, True), (6, 8, True), (5, 6, False), (3, 5, True)]


def weight_values(k):
    out_dim, in_dim, _ = SHAPES[k]
    return [(((o * 7 + i * 3 + k * 5) % 13) - 6) / 64.0 * (1 + k) for o in range(out_dim)
            for i in range(in_dim)]


def bias_values(k):
    out_dim = SHAPES[k][0]
    return [(((o * 5 + k) % 7) - 3) / 32.0 for o in range(out_dim)]
