#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes starling as an Arduino library (the layout Arduino's builders want).

Usage: python3 tools/make_arduino_lib.py OUT_DIR [--zip]

The Arduino IDE and arduino-cli compile every source file under a library's
src/ folder, with src/ as the only include path, and take no compiler flags
from the library. This repository keeps its headers in include/ and its
kernels in ports/ (the Meson layout), so the Arduino library is generated:

  OUT_DIR/starling/
    library.properties            packaging/arduino/library.properties
    LICENSE, README.md, CHANGELOG.md
    src/starling.hpp              include/starling.hpp  (the entry header)
    src/starling/...              include/starling/...  (public headers)
    src/core/*.cpp                src/*.cpp             (portable code)
    src/ports/scalar/*.cpp        ports/scalar/*.cpp    (reference kernels)
    src/ports/cortexm/*.cpp       ports/cortexm/*.cpp   (DSP kernels; empty
                                                         on cores without DSP)
    examples/<Name>/<Name>.ino    packaging/arduino/examples/

With --zip it also writes OUT_DIR/starling-<version>.zip for the IDE's
"Add .ZIP Library". tools/ci_packaging.sh builds the result with Debian's
arduino-builder for a Cortex-M4F and runs the example under QEMU.
"""
import argparse
import os
import re
import shutil
import sys
import zipfile

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
# Folders compiled into the library, with where they go under src/. Same as
# library.json's srcFilter (PlatformIO) and STARLING_PORTABLE_SOURCES (CMake).
SOURCE_DIRS = (('src', 'core'), ('ports/scalar', 'ports/scalar'), ('ports/cortexm', 'ports/cortexm'))
SOURCE_EXTS = ('.cpp', '.hpp', '.h')


def copy_tree(src, dst):
    for d, _, names in os.walk(src):
        for n in sorted(names):
            s = os.path.join(d, n)
            t = os.path.join(dst, os.path.relpath(s, src))
            os.makedirs(os.path.dirname(t), exist_ok=True)
            shutil.copy2(s, t)


def version():
    with open(os.path.join(ROOT, 'include/starling/version.h'), encoding='utf-8') as f:
        m = re.search(r'#define STARLING_VERSION "([^"]+)"', f.read())
    return m.group(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out_dir')
    ap.add_argument('--zip', action='store_true')
    a = ap.parse_args()
    lib = os.path.join(a.out_dir, 'starling')
    if os.path.exists(lib):
        shutil.rmtree(lib)
    os.makedirs(os.path.join(lib, 'src'))
    pkg = os.path.join(ROOT, 'packaging/arduino')
    shutil.copy2(os.path.join(pkg, 'library.properties'), lib)
    for f in ('LICENSE', 'README.md', 'CHANGELOG.md'):
        if os.path.exists(os.path.join(ROOT, f)):
            shutil.copy2(os.path.join(ROOT, f), lib)
    shutil.copy2(os.path.join(ROOT, 'include/starling.hpp'), os.path.join(lib, 'src'))
    copy_tree(os.path.join(ROOT, 'include/starling'), os.path.join(lib, 'src/starling'))
    count = 0
    for src_dir, dst_dir in SOURCE_DIRS:
        for n in sorted(os.listdir(os.path.join(ROOT, src_dir))):
            if n.endswith(SOURCE_EXTS):
                t = os.path.join(lib, 'src', dst_dir, n)
                os.makedirs(os.path.dirname(t), exist_ok=True)
                shutil.copy2(os.path.join(ROOT, src_dir, n), t)
                count += n.endswith('.cpp')
    copy_tree(os.path.join(pkg, 'examples'), os.path.join(lib, 'examples'))
    print(f'make_arduino_lib: {lib} ({count} source files, version {version()})')
    if a.zip:
        z = os.path.join(a.out_dir, f'starling-{version()}.zip')
        with zipfile.ZipFile(z, 'w', zipfile.ZIP_DEFLATED) as zf:
            for d, _, names in os.walk(lib):
                for n in sorted(names):
                    p = os.path.join(d, n)
                    zf.write(p, os.path.relpath(p, a.out_dir))
        print(f'make_arduino_lib: {z}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
