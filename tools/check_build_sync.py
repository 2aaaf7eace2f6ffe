#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when the CMake build and the Meson build compile different library files.

Usage: check_build_sync.py MESON_BUILD_DIR CMAKE_BUILD_DIR [--label NAME]

Meson (meson.build, src/meson.build, ports/*/meson.build) is the primary
build; CMakeLists.txt and cmake/starling_sources.cmake must compile the same
library. Both directories must be configured for the same target and options
(the CMake one with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON). The script compares:

  * the set of library source files: every file of Meson's library targets
    (`meson introspect --targets`: the static libraries defined in meson.build
    and ports/) against the files in CMake's compile_commands.json;
  * per file, the flags that change what is computed: -m* and -march (ISA),
    -std, -ffp-contract, -fno-exceptions, -fno-rtti and every -DSTARLING_*;
  * the folders that Arduino and PlatformIO compile by glob (src/*.cpp,
    ports/scalar/*.cpp, ports/cortexm/*.cpp) against the Meson library's files
    in those folders, so a stray file there cannot slip into those builds.

Each difference is one line naming the file and what to change.
"""
import argparse
import glob
import json
import os
import shlex
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
GLOB_DIRS = ('src', 'ports/scalar', 'ports/cortexm')


def rel(path, base):
    return os.path.relpath(os.path.realpath(os.path.join(base, path)), ROOT)


def interesting(flags):
    out = set()
    for f in flags:
        if (f.startswith(('-m', '-std=', '-ffp-contract', '-DSTARLING_'))
                or f in ('-fno-exceptions', '-fno-rtti')):
            out.add(f)
    return out


def meson_files(build):
    targets = json.loads(subprocess.run(['meson', 'introspect', '--targets', build], check=True,
                                        capture_output=True, text=True).stdout)
    files = {}
    for t in targets:
        defined = rel(t['defined_in'], build)
        if t['type'] != 'static library' or t.get('subproject'):
            continue
        if not (defined == 'meson.build' or defined.startswith('ports/')):
            continue  # tests/ and tools/ build their own copies for special flags
        for s in t['target_sources']:
            if s.get('language') not in ('cpp', 'c'):
                continue
            for src in s['sources']:
                files[rel(src, build)] = (t['name'], defined, interesting(s['parameters']))
    return files


def cmake_files(build):
    with open(os.path.join(build, 'compile_commands.json'), encoding='utf-8') as f:
        entries = json.load(f)
    files = {}
    for e in entries:
        r = rel(e['file'], e['directory'])
        if r.startswith('..'):
            continue  # a consumer project's own files
        args = e['arguments'] if 'arguments' in e else shlex.split(e['command'])
        # -D NAME is also spelled as two arguments
        flat = []
        for i, a in enumerate(args):
            if a == '-D' and i + 1 < len(args):
                flat.append('-D' + args[i + 1])
            else:
                flat.append(a)
        files[r] = interesting(flat)
    return files


def cmake_list_for(target, path):
    if target == 'starling':
        d = os.path.dirname(path)
        return {'src': 'STARLING_CORE_SOURCES', 'ports/scalar': 'STARLING_SCALAR_SOURCES',
                'ports/x86': 'STARLING_X86_BASE_SOURCES'}.get(d, 'the matching list')
    return target.upper() + '_SOURCES'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('meson_build')
    ap.add_argument('cmake_build')
    ap.add_argument('--label', default='')
    a = ap.parse_args()
    label = f'[{a.label}] ' if a.label else ''
    m = meson_files(a.meson_build)
    c = cmake_files(a.cmake_build)
    errors = []
    for path in sorted(set(m) - set(c)):
        target, defined, _ = m[path]
        errors.append(f"{path}: built by Meson (target '{target}', {defined}) but not by CMake: "
                      f"add it to {cmake_list_for(target, path)} in cmake/starling_sources.cmake "
                      f"(and to CMakeLists.txt if it is a new port)")
    for path in sorted(set(c) - set(m)):
        errors.append(f"{path}: compiled by CMake but by no Meson library target: remove it from "
                      f"cmake/starling_sources.cmake, or add it to the meson.build of its folder")
    for path in sorted(set(m) & set(c)):
        target, defined, mflags = m[path]
        if mflags != c[path]:
            only_m = ' '.join(sorted(mflags - c[path])) or '-'
            only_c = ' '.join(sorted(c[path] - mflags)) or '-'
            errors.append(f"{path}: flags differ (Meson target '{target}' has [{only_m}], CMake has "
                          f"[{only_c}]): make CMakeLists.txt give it what {defined} gives it")
    # The glob builds (library.json srcFilter, tools/make_arduino_lib.py).
    for d in GLOB_DIRS:
        on_disk = {os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, d, '*.cpp'))}
        in_meson = {p for p in m if os.path.dirname(p) == d}
        if d == 'ports/cortexm' and not in_meson:
            continue  # this target has no DSP extension: Meson builds no Cortex-M kernel
        for path in sorted(on_disk - in_meson):
            errors.append(f"{path}: Arduino and PlatformIO compile every {d}/*.cpp, but the Meson "
                          f"library does not build this file: add it to {d}/meson.build or move it")
    for e in errors:
        print(f'check_build_sync: {label}error: {e}')
    print(f'check_build_sync: {label}{len(m)} Meson library files, {len(c)} CMake files, '
          f'{len(errors)} differences')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
