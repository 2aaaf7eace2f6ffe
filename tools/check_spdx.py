#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a tracked source file has no SPDX licence line near its top.

Usage: python3 tools/check_spdx.py [REPO_DIR]      (run by .ci/run)

Source files are C/C++ sources and headers, Python and shell scripts, Meson,
CMake, Doxygen, linker, cross and YAML files, Arduino sketches and any file
that starts with '#!'. Each must carry 'SPDX-License-Identifier: MIT' in its
first three lines (line 2 when line 1 is a shebang). Data (JSON, model blobs,
fuzz corpora: every tests/fuzz/corpus* directory, and any file with a NUL
byte in its first 4 KB) and prose (Markdown, LICENSE) cannot carry comments
and are not checked. The file list is `git ls-files` (tracked files and files added to
the index), or every file under the directory outside a git checkout.
"""
import os
import subprocess
import sys

SOURCE_SUFFIXES = ('.c', '.h', '.cc', '.cpp', '.hpp', '.py', '.sh', '.ld', '.ini',
                   '.cmake', '.in', '.yml', '.yaml', '.ino', '.properties', '.dox')
SOURCE_NAMES = ('meson.build', 'meson_options.txt', 'meson.options', 'CMakeLists.txt',
                'Doxyfile', 'Kconfig', 'run')
# Files that must not say they are MIT-licensed starling code, each with why.
EXEMPT = {
    # Written by tools/export_qnet.py, whose output is a user's model header
    # (the user's licence, not ours), so the exporter writes no SPDX line; the
    # exporter's self-test requires this copy to equal a fresh export.
    'examples/requant_tune/exported_model.h',
    # Its C counterpart (export_qnet.py --c-header), same reason.
    'examples/requant_tune/exported_model_c.h',
}
# Prefixes: 'tests/fuzz/corpus' covers corpus/, corpus_state/ and any later
# corpus directory (libFuzzer inputs are arbitrary bytes, even a leading '#!').
SKIP_DIRS = ('tests/fuzz/corpus', 'subprojects/', 'build')
WANT = 'SPDX-License-Identifier: MIT'


def tracked(root):
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z'], check=True,
                             capture_output=True).stdout.decode()
        return [f for f in out.split('\0') if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if not x.startswith('.git')]
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
        return files


def is_source(path, head):
    name = os.path.basename(path)
    return name.endswith(SOURCE_SUFFIXES) or name in SOURCE_NAMES or head.startswith(b'#!')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
    bad = []
    checked = 0
    for rel in sorted(tracked(root)):
        if rel in EXEMPT or rel.startswith(SKIP_DIRS):
            continue
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            continue  # deleted in the work tree, not yet in the index
        with open(path, 'rb') as f:
            head = f.read(4096)
        if b'\0' in head or not is_source(rel, head):
            continue  # binary data is never a source file
        checked += 1
        first3 = b'\n'.join(head.split(b'\n')[:3]).decode('utf-8', 'replace')
        if WANT not in first3:
            bad.append(rel)
    for rel in bad:
        if rel.endswith(('.py', '.sh', '.build', '.txt', '.ini', '.cmake', '.yml', '.yaml',
                         '.properties', '.in', 'run', 'Doxyfile', 'Kconfig')):
            line = f'# {WANT}'
        elif rel.endswith(('.ld', '.dox')):
            line = f'/* {WANT} */'
        else:
            line = f'// {WANT}'
        print(f"{rel}:1: error: no '{WANT}' line in the first 3 lines; add "
              f"'{line}' as line 1 (line 2 after a '#!' line). Generated file? "
              f"make its generator write the line.")
    print(f"check_spdx: {checked} source files, {len(bad)} without an SPDX line")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
