#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the hand-made seeds of the optimizer fuzzers:
#  - tests/fuzz/corpus_api (fuzz_api.cpp): operation sequences that reach deep
#    states (long runs, restarts, every topology, batches, save/load and forks
#    mid-run, the safe-tuning envelope, NaN costs, stops of every kind) which
#    random bytes rarely build; the byte layout is fuzz_api.cpp's Lane::step;
#  - tests/fuzz/corpus_pso_state (fuzz_pso_state.cpp): mode-2 parameter sets
#    (a real run of each kind, saved and then edited by the fuzzer) and the
#    committed golden blob.
# The fuzzers' long sessions add what they find to these directories (merged
# with -merge=1). Usage: make_seeds.py [ROOT] (default: the repository)
import os
import struct
import sys

OPT_PSO = 0  # index in STARLING_OPTIMIZERS


def init_nice(dims=3, pop=5, preset=0, max_iter=24, max_evals=0, target=None, stall=0,
              m=0, m2=0, seed=7):
    """Op 0: init with nice values. dims 1..4; pop 0 (default) or 2..6."""
    a = dims - 1
    b = 0 if pop == 0 else next(v for v in range(1, 256) if v % 8 and 2 + v % 5 == pop)
    intervals = [1 + 4 * k for k in range(6)]  # varied nice boxes
    mi = max_iter - 1
    me = 3 * max_evals if max_evals else 1  # b % 3 == 0 -> b / 3
    t = 1 if target is None else target * 4  # t % 4 == 0 -> t / 64
    return bytes([0, a, b] + intervals + [preset, mi, me, t, stall, m, m2]) + struct.pack('<I', seed)


def run(r, every=1):
    return bytes([4, (r - 1) % 48, every])


def ask():
    return bytes([2])


def tell(kind=16, grid=8):
    return bytes([3, kind, grid]) if kind >= 16 else bytes([3, kind])


def ask_batch(cap_index=5, null=False):
    return bytes([5, cap_index | ((0 if null else 1) << 3)])


NOP = bytes([15])  # an operation that only checks (also absorbs unread argument bytes)


def finish_batch(*perm):
    return bytes([7] + list(perm or [15] * 5))


def save(slot=0):
    # cap index a % 6 == 3 (exactly save_size()), buffer not null, slot (a >> 6) % 2
    return bytes([8, next(a for a in range(256) if a % 6 == 3 and (a >> 3) % 8 and (a >> 6) % 2 == slot)])


def load(slot=0, kind=0, *extra):
    return bytes([9, slot, kind] + list(extra))


def set_feasible(pred, tries_index=4):
    return bytes([10, pred, tries_index])


def set_trust(byte):
    return bytes([11, byte])  # byte % 3 == 0: byte / 255


def set_start(dims, kind=0, *coords):
    return bytes([12, kind] + list(coords or [128, 64, 200, 30][:dims]))


def minimize(observed=1):
    return bytes([13, observed])


def fork(flags=3):
    return bytes([14, flags])


SEEDS = {
    'long_run_save_load': init_nice(3, 5) + run(48) + save(0) + run(30) + load(0) + run(48)
    + fork(1) + run(48) + minimize(),
    'envelope_start': set_feasible(2, 4) + set_trust(75) + init_nice(2, 4) + set_start(2)
    + ask() + save(0) + load(0) + tell() + run(40) + fork(7) + run(40) + minimize(0),
    'envelope_no_start': set_feasible(1, 2) + set_trust(30) + init_nice(4, 6) + ask_batch(5)
    + save(1) + load(1) + finish_batch(3, 1, 0, 2, 0) + run(48) + save(0) + load(0, 4, 0, 10, 0, 0x40) + NOP * 4,
    'infeasible': set_feasible(3, 1) + init_nice(2, 3) + ask() + save(0) + load(0) + ask_batch(3),
    'thin_fallbacks': set_feasible(5, 3) + set_trust(150) + init_nice(1, 3) + set_start(1, 0, 28)
    + run(48) + save(0) + run(10) + load(0) + run(48),
    'nan_first': init_nice(2, 3) + ask() + tell(2) + ask() + tell(3) + ask() + tell(4) + save(0)
    + load(0) + run(20, 4) + save(1) + load(1, 5, 3, 0, 2, 0) + NOP * 4,
    'restarts_ring': init_nice(3, 6, preset=2, max_iter=24, m=0b11000011, m2=0b00010101)
    + run(48, 0) + run(48, 0) + save(0) + load(0) + run(48) + fork(3) + run(48) + minimize(),
    'restarts_radius_random': init_nice(2, 5, preset=1, max_iter=24, m=0b11000111, m2=0b01111101)
    + run(48) + run(48) + save(1) + load(1) + run(48) + minimize(),
    'fips_von_neumann': init_nice(4, 6, preset=3, max_iter=12, m=0b00000101) + run(48)
    + fork(1) + run(48) + minimize(),
    'batch_max_evals': init_nice(3, 6, max_evals=17, max_iter=24) + ask() + ask_batch(6)
    + finish_batch(5, 4, 3, 2, 1) + ask_batch(2) + save(0) + load(0) + finish_batch(1, 0)
    + ask_batch(7) + finish_batch() + ask_batch(7) + finish_batch() + minimize(),
    'target_stop': init_nice(2, 4, target=8) + run(48) + save(0) + load(0) + run(4) + tell(),
    'stall_stop': init_nice(1, 2, max_iter=24, stall=2) + run(48) + run(48) + save(0) + load(0),
    'default_population': init_nice(4, 0) + run(48) + save(0) + load(0, 3, 5, 0, 0xff) + run(10),
    'hostile_inits': bytes([1, 0, 2] + [0] * 30) + NOP * 8 + bytes([1, 3, 3] + [12, 5, 13] * 6)
    + NOP * 24 + init_nice(2, 3) + bytes([1, 2, 4] + [16] * 40) + NOP * 8 + run(10),
    # v_max = the smallest denormal (hostile field, kind 5): init refuses the
    # underflowing velocity limit; then a nice run with an informants check.
    'vmax_underflow': bytes([1, 2, 3] + [1] * 6 + [0, 4, 0, 1, 0, 32, 0, 5, 0, 0, 0, 0, 0])
    + NOP * 4 + init_nice(3, 5, preset=0, m=0b01000011) + run(20) + NOP + init_nice(2, 6, m=0b101)
    + run(8) + NOP + init_nice(2, 4, preset=1, m=0b111) + run(13) + NOP,
    'edited_blobs': init_nice(3, 5) + run(30) + ask() + save(0)
    + load(0, 5, 0x90, 0, 2, 0) + NOP * 3 + load(0, 5, 0x94, 0, 12, 0) + NOP * 3
    + load(0, 4, 0, 0x70, 0, 0x01) + NOP * 3 + load(0, 1, 3) + load(0, 2) + load(0, 6)
    + load(0, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8) + load(0),
}


def state_seeds():
    """fuzz_pso_state mode 2 (byte 0: mode + 3 * double): q[0..11] of generate()."""
    seeds = {}
    kinds = {  # dims-1, particles-2, variant, topology, boundary, flags, max_iter-1, stall,
               # max_evals, evals, (pending 1, pred 2, trust 4, start 8, batch 16,
               # restart_rehits 2: 32, local_stall 1: 64), tries/seed
        'plain_pending': [2, 3, 1, 0, 0, 0, 19, 0, 1, 30, 1, 5],
        'envelope_start': [1, 2, 2, 1, 1, 0, 19, 0, 1, 0, 1 | 2 | 4 | 8, 3],
        'envelope_mid': [3, 4, 0, 2, 2, 1, 19, 0, 1, 41, 1 | 2 | 4, 4],
        'fips_random_batch': [2, 4, 3, 3, 0, 2, 19, 0, 1, 25, 16, 6],
        'restarts': [1, 4, 2, 1, 1, 0, 19, 4 | 8, 1, 60, 0, 7],
        'restarts_radius_random': [0, 3, 0, 3 | 4 | 8, 2, 0, 19, 4 | 32 | 64 | 128, 1, 63, 16 | 2, 8],
        'restarts_stall_tol': [2, 4, 2, 1, 0, 0, 19, 4 | 64, 1, 63, 0, 9],
        'restarts_rehits': [2, 4, 0, 2, 0, 0, 19, 4 | 16 | 64, 1, 63, 32 | 1, 10],
        'target_stop': [1, 1, 1, 0, 0, 4, 19, 0, 1, 63, 0, 1],
        'max_evals_stop': [2, 2, 2, 1, 0, 0, 19, 0, 3 * 20, 40, 0, 2],
        'stall_stop': [0, 0, 0, 0, 0, 0, 19, 2, 1, 63, 0, 3],
        'nan_first_batch': [3, 0, 1, 2, 1, 0, 3, 0, 1, 4, 16 | 1, 2],
        'local_search': [2, 4, 2, 0, 0, 0, 19, 4 | 16 | 64, 1, 63, 64 | 1, 11],
        'local_search_fips_stop': [1, 3, 3, 2, 1, 0, 5, 0, 1, 63, 64, 12],
    }
    for name, q in kinds.items():
        for dbl in (0, 1):
            seeds['%s_%s' % (name, 'double' if dbl else 'float')] = bytes([2 + 3 * dbl] + q)
    with open(os.path.join(ROOT, 'tests', 'core', 'golden_state.h')) as f:
        text = f.read()
    blob = bytes(int(v, 16) for v in text[text.index('kBlob['):].split('{')[1].split('}')[0]
                 .replace(',', ' ').split())
    seeds['golden_blob'] = bytes([0]) + blob  # mode 0: as it is
    return seeds


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    global ROOT
    if len(sys.argv) > 1:
        ROOT = sys.argv[1]
    for sub, seeds, prefix in (('corpus_api', SEEDS, bytes([OPT_PSO])),
                               ('corpus_pso_state', state_seeds(), b'')):
        out = os.path.join(ROOT, 'tests', 'fuzz', sub)
        os.makedirs(out, exist_ok=True)
        for name, body in seeds.items():
            with open(os.path.join(out, 'seed_' + name), 'wb') as f:
                f.write(prefix + body)
        print('%d seeds in %s' % (len(seeds), out))


if __name__ == '__main__':
    main()
