#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates the API reference with Doxygen and fails on any undocumented public name.

Usage: python3 tools/run_doxygen.py [--doxygen PATH] [--out DIR]
       (`meson compile -C build docs` runs it with --out build/docs)

Runs docs/Doxyfile from the repository root with the output directory and
the version (from include/starling/version.h) filled in. Fails (exit 1),
printing one line per problem with the file and line to fix, when:
  * a public header (include/, not include/starling/detail/) has no @file
    entry in docs/api-reference.dox (Doxygen would silently leave its global
    names out of the reference);
  * Doxygen warns: an undocumented public name, or a doc comment it cannot
    read (a bad command, a parameter that does not exist).
The HTML is in OUT/html/index.html.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
UNDOC = re.compile(r'^(?P<loc>[^:]+:\d+): (?:warning|error): (?:Member|Compound) (?P<name>.+?) '
                   r'(?:\((?P<kind>[^)]*)\) )?(?:of (?P<scope>.+?) )?is not documented\.?$')


def public_headers():
    """Headers under include/ that docs/Doxyfile does not EXCLUDE, relative to include/."""
    with open(os.path.join(ROOT, 'docs/Doxyfile'), encoding='utf-8') as f:
        m = re.search(r'^EXCLUDE\s*=\s*(.*)$', f.read(), re.MULTILINE)
    excluded = m.group(1).split() if m else []
    out = []
    for d, _, names in os.walk(os.path.join(ROOT, 'include')):
        for n in names:
            rel = os.path.relpath(os.path.join(d, n), ROOT)
            if n.endswith(('.h', '.hpp')) and not any(
                    rel == e or rel.startswith(e.rstrip('/') + '/') for e in excluded):
                out.append(os.path.relpath(rel, 'include'))
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--doxygen', default='doxygen')
    ap.add_argument('--out', default=os.path.join(ROOT, 'build-docs'))
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)

    problems = []
    with open(os.path.join(ROOT, 'docs/api-reference.dox'), encoding='utf-8') as f:
        documented = {re.sub(r'^include/', '', n)
                      for n in re.findall(r'@file\s+(\S+)', f.read())}
    for h in public_headers():
        with open(os.path.join(ROOT, 'include', h), encoding='utf-8') as f:
            own = re.search(r'^\s*(///|/\*\*|\*) *[@\\]file\b', f.read(), re.MULTILINE)
        if h not in documented and not own:
            problems.append(f'include/{h}:1: public header without a "@file {h}" entry in '
                            f'docs/api-reference.dox or a "/// @file" comment of its own '
                            f'(Doxygen would leave its global names out)')

    with open(os.path.join(ROOT, 'include/starling/version.h'), encoding='utf-8') as f:
        version = re.search(r'#define STARLING_VERSION "([^"]+)"', f.read()).group(1)
    with open(os.path.join(ROOT, 'docs/Doxyfile'), encoding='utf-8') as f:
        config = f.read()
    warn_log = os.path.join(out, 'warnings.txt')
    config += (f'\nOUTPUT_DIRECTORY = "{out}"\nWARN_LOGFILE = "{warn_log}"\n'
               f'PROJECT_NUMBER = {version}\n')
    if os.path.exists(warn_log):
        os.remove(warn_log)
    r = subprocess.run([a.doxygen, '-'], input=config, text=True, cwd=ROOT,
                       capture_output=True)
    lines = []
    if os.path.exists(warn_log):
        with open(warn_log, encoding='utf-8') as f:
            lines = [ln.rstrip() for ln in f if ln.strip()]
    for ln in lines + [ln for ln in (r.stdout + r.stderr).splitlines()
                       if 'warning' in ln or 'error' in ln]:
        ln = ln.replace(ROOT + os.sep, '')
        m = UNDOC.match(ln)
        if m:
            scope = m.group('scope') or ''
            scope = re.sub(r'^(class|struct|union|namespace|file|group) ', '', scope)
            name = f"{scope}::{m.group('name')}" if scope and not scope.endswith(('.h', '.hpp')) \
                else m.group('name')
            kind = f" ({m.group('kind')})" if m.group('kind') else ''
            problems.append(f"{m.group('loc')}: undocumented public name {name}{kind}: "
                            f"add a doc comment (/// or /** */: what, units, memory, each Status returned)")
        elif ln not in problems:
            problems.append(ln)
    problems = list(dict.fromkeys(problems))  # Doxygen repeats some warnings
    for p in problems:
        print(f'run_doxygen: {p}')
    ok = not problems and r.returncode == 0
    if r.returncode != 0 and not problems:
        print(f'run_doxygen: doxygen exited with {r.returncode}')
    print(f'run_doxygen: {len(public_headers())} public headers, {len(problems)} problems; '
          f'{"API reference in " + os.path.join(out, "html/index.html") if ok else "FAILED"}')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
