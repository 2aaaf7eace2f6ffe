#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds a sketch against starling the way PlatformIO builds a library, for CI.

Usage: pio_build.py BUILD_DIR SKETCH.ino [--cpu cortex-m4f|cortex-m0plus]

PlatformIO itself is not packaged for Debian and downloads its toolchains, so
CI reproduces what it does with a library.json: the library's files are the
ones its build.srcFilter selects under build.srcDir (PlatformIO's rule: each
+<glob> / -<glob> in order, a matched folder meaning every file under it,
then only C/C++/assembly files), compiled with the board's flags minus
build.unflags plus build.flags, with build.includeDir and build.srcDir on the
include path, and archived; the project's sources get the board's flags and
the library's include directories; an .ino gets `#include <Arduino.h>` first.

The board flags model PlatformIO's ststm32 platform (size-optimised, function
and data sections, -Wall, no exceptions or RTTI, C++17 as its Arduino
framework sets it); the framework is the CI core of tools/packaging/arduino-ci
and the image is linked for QEMU's mps2 boards (tools/ci_packaging.sh runs it).
Commands go to BUILD_DIR/commands.txt.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shlex
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
CORE = os.path.join(ROOT, 'tools/packaging/arduino-ci')
SRC_EXTS = ('.c', '.cc', '.cpp', '.S', '.s', '.sx', '.asm', '.ASM', '.spp', '.SPP')
CPUS = {
    'cortex-m4f': ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16'],
    'cortex-m0plus': ['-mcpu=cortex-m0plus', '-mthumb', '-mfloat-abi=soft'],
}
CCFLAGS = ['-Os', '-ffunction-sections', '-fdata-sections', '-Wall', '-nostdlib']
CXXFLAGS = ['-std=gnu++17', '-fno-rtti', '-fno-exceptions', '-fno-threadsafe-statics']
CXX = 'arm-none-eabi-g++'
AR = 'arm-none-eabi-gcc-ar'


def as_list(v):
    if v is None:
        return []
    return shlex.split(v) if isinstance(v, str) else list(v)


def match_src_files(src_dir, src_filter):
    """PlatformIO's srcFilter rule (written from its documentation)."""
    chosen = set()
    for action, pattern in re.findall(r'([+-])<([^>]+)>', ' '.join(as_list(src_filter))):
        found = set()
        for p in glob.glob(os.path.join(src_dir, pattern)):
            if os.path.isdir(p):
                for d, _, names in os.walk(p, followlinks=True):
                    found |= {os.path.join(d, n) for n in names}
            else:
                found.add(p)
        found = {os.path.relpath(f, src_dir) for f in found if f.endswith(SRC_EXTS)}
        chosen = chosen | found if action == '+' else chosen - found
    return sorted(chosen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('build_dir')
    ap.add_argument('sketch')
    ap.add_argument('--cpu', default='cortex-m4f', choices=sorted(CPUS))
    a = ap.parse_args()
    os.makedirs(a.build_dir, exist_ok=True)
    with open(os.path.join(ROOT, 'library.json'), encoding='utf-8') as f:
        lib = json.load(f)
    b = lib.get('build', {})
    src_dir = os.path.join(ROOT, b.get('srcDir', 'src'))
    inc_dir = os.path.join(ROOT, b.get('includeDir', 'include'))
    files = match_src_files(src_dir, b.get('srcFilter', ['+<*>', '-<.git/>', '-<.svn/>']))
    if not files:
        print('pio_build: library.json srcFilter selects no source file')
        return 1
    board = CPUS[a.cpu] + CCFLAGS
    unflags = set(as_list(b.get('unflags')))
    lib_flags = [f for f in board + CXXFLAGS if f not in unflags] + as_list(b.get('flags'))
    lib_flags += ['-I' + inc_dir, '-I' + src_dir]
    proj_flags = board + CXXFLAGS + ['-I' + CORE, '-I' + inc_dir, '-I' + src_dir]

    log = open(os.path.join(a.build_dir, 'commands.txt'), 'w', encoding='utf-8')
    jobs = []
    objs = []
    for rel in files:
        obj = os.path.join(a.build_dir, 'lib', rel + '.o')
        jobs.append([CXX] + lib_flags + ['-c', os.path.join(src_dir, rel), '-o', obj])
        objs.append(obj)
    ino_cpp = os.path.join(a.build_dir, 'src', os.path.basename(a.sketch) + '.cpp')
    os.makedirs(os.path.dirname(ino_cpp), exist_ok=True)
    with open(a.sketch, encoding='utf-8') as f, open(ino_cpp, 'w', encoding='utf-8') as g:
        g.write('#include <Arduino.h>\n#line 1 "%s"\n' % os.path.abspath(a.sketch) + f.read())
    app = []
    for src in [ino_cpp, os.path.join(CORE, 'main.cpp'),
                os.path.join(ROOT, 'ports/baremetal/startup_cm.cpp')]:
        obj = os.path.join(a.build_dir, 'app', os.path.basename(src) + '.o')
        jobs.append([CXX] + proj_flags + ['-c', src, '-o', obj])
        app.append(obj)
    for j in jobs:
        os.makedirs(os.path.dirname(j[-1]), exist_ok=True)
        log.write(shlex.join(j) + '\n')

    def run(cmd):
        r = subprocess.run(cmd, capture_output=True, text=True)
        return cmd, r

    failed = False
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        for cmd, r in ex.map(run, jobs):
            if r.returncode != 0:
                failed = True
                print('pio_build: FAILED: ' + shlex.join(cmd))
            sys.stdout.write(r.stdout + r.stderr)
    if failed:
        return 1
    archive = os.path.join(a.build_dir, 'libstarling.a')
    if os.path.exists(archive):
        os.remove(archive)
    elf = os.path.join(a.build_dir, 'firmware.elf')
    link = [[AR, 'rcs', archive] + objs,
            [CXX] + CPUS[a.cpu] + ['-Os', '--specs=rdimon.specs', '-Wl,--gc-sections',
                                   '-T' + os.path.join(ROOT, 'ports/baremetal/mps2_an386.ld'),
                                   '-o', elf] + app + [archive, '-lm']]
    for cmd in link:
        log.write(shlex.join(cmd) + '\n')
        r = subprocess.run(cmd, capture_output=True, text=True)
        sys.stdout.write(r.stdout + r.stderr)
        if r.returncode != 0:
            print('pio_build: FAILED: ' + shlex.join(cmd))
            return 1
    print(f'pio_build: {len(files)} library files ({", ".join(files)}) -> {elf}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
