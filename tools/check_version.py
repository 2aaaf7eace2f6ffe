#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a file states a version other than include/starling/version.h's.

Usage: python3 tools/check_version.py        (run by .ci/run)

include/starling/version.h is the one source of truth. Checked against it:
meson.build's project() version, what CMake reads (cmake -P
cmake/starling_version.cmake, when cmake is installed), library.json
(PlatformIO), packaging/arduino/library.properties, idf_component.yml
(ESP-IDF), and a "## [X.Y.Z]" section in CHANGELOG.md.
"""
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding='utf-8') as f:
        return f.read()


def one(pattern, text, what):
    m = re.findall(pattern, text, re.MULTILINE)
    return m[0] if len(m) == 1 else f'<{len(m)} matches for {what}>'


def main():
    h = read('include/starling/version.h')
    parts = [one(rf'^#define STARLING_VERSION_{p} (\d+)$', h, p) for p in ('MAJOR', 'MINOR', 'PATCH')]
    truth = one(r'^#define STARLING_VERSION "([^"]*)"$', h, 'STARLING_VERSION')
    errors = []
    if '.'.join(parts) != truth:
        errors.append(f'include/starling/version.h: STARLING_VERSION "{truth}" is not '
                      f'MAJOR.MINOR.PATCH = {".".join(parts)}')
    found = {
        'meson.build (project version)': one(r"^\s*version\s*:\s*'([^']*)'", read('meson.build'),
                                             'version :'),
        'library.json ("version")': json.loads(read('library.json')).get('version'),
        'packaging/arduino/library.properties (version=)':
            one(r'^version=(.*)$', read('packaging/arduino/library.properties'), 'version='),
        'idf_component.yml (version:)': one(r'^version:\s*"?([^"\s]+)"?\s*$',
                                            read('idf_component.yml'), 'version:'),
    }
    cmake = shutil.which('cmake')
    if cmake:
        r = subprocess.run([cmake, '-P', os.path.join(ROOT, 'cmake/starling_version.cmake')],
                           capture_output=True, text=True)
        found['cmake/starling_version.cmake (what CMake reads)'] = (r.stdout + r.stderr).strip()
    for where, v in found.items():
        if v != truth:
            errors.append(f'{where} says {v!r}; include/starling/version.h says "{truth}": '
                          f'change it to "{truth}"')
    if not re.search(rf'^## \[{re.escape(truth)}\]', read('CHANGELOG.md'), re.MULTILINE):
        errors.append(f'CHANGELOG.md has no "## [{truth}]" section for the version in '
                      f'include/starling/version.h')
    for e in errors:
        print(f'check_version: error: {e}')
    print(f'check_version: version {truth}, {len(found) + 1} places checked, {len(errors)} disagree')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
