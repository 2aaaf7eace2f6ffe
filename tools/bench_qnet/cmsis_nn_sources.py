#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Lists the int8 sources of a CMSIS-NN checkout that the benchmarks build as a peer.

    cmsis_nn_sources.py CMSIS_NN_DIR   # prints one path per line (Convolution and
                                       # NNSupport functions, float files left out)
Exits 1 with one line on stderr if the directory does not look like CMSIS-NN.
"""
import os
import sys


def main():
    if len(sys.argv) != 2:
        print('usage: cmsis_nn_sources.py CMSIS_NN_DIR', file=sys.stderr)
        return 1
    root = os.path.abspath(sys.argv[1])
    if not os.path.isfile(os.path.join(root, 'Include', 'arm_nnfunctions.h')):
        print('%s: no Include/arm_nnfunctions.h: not a CMSIS-NN checkout' % root, file=sys.stderr)
        return 1
    out = []
    for sub in ('ConvolutionFunctions', 'NNSupportFunctions', 'FullyConnectedFunctions'):
        d = os.path.join(root, 'Source', sub)
        for name in sorted(os.listdir(d)):
            if name.endswith('.c') and not name.endswith(('_f16.c', '_f32.c')):
                out.append(os.path.join(d, name))
    print('\n'.join(out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
