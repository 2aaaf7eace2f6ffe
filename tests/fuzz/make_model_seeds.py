#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of tests/fuzz/fuzz_model_state.cpp (mode-2
parameter sets: real runs of Bobyqa, BayesOpt and Tuner, float and double,
saved at different points) into tests/fuzz/corpus_model_state.

Usage: python3 tests/fuzz/make_model_seeds.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def seeds():
    # q: dims-1, evals, range, max_iter-1, stop bits, target/shape, seed, envelope bits
    params = [
        ('early', [2, 3, 0, 47, 0, 0, 1, 0]),
        ('design_done', [2, 9, 1, 47, 0, 1, 2, 8]),
        ('model_phase', [1, 12, 0, 47, 0, 0, 3, 8 | 1 | 16]),
        ('local_phase', [2, 30, 2, 47, 0, 2, 4, 8]),
        ('envelope', [3, 20, 0, 47, 0, 1, 5, 1 | 2 | 4 | 8 | 0x20]),
        ('stopped_evals', [2, 39, 0, 47, 1 | 8 * 9, 0, 6, 0]),
        ('stopped_stall', [0, 39, 0, 47, 2 | 0x30, 0, 7, 8]),
        ('stopped_target', [1, 39, 3, 47, 4, 200, 8, 0]),
    ]
    for which, wname in ((0, 'bobyqa'), (1, 'bayesopt'), (2, 'tuner')):
        for dbl in (0, 1):
            for name, q in params:
                head = 2 | (which << 2) | (dbl << 4)
                yield '%s_%s_%s' % (wname, 'double' if dbl else 'float', name), bytes([head] + q)


def main():
    out = os.path.join(HERE, 'corpus_model_state')
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, 'seed_' + name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
