#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs a program and checks that its RESULT line equals the committed one.

Usage: check_result.py pid_expected.h PROGRAM [ARGS...]
The expected line is the PID_TUNE_EXPECTED string of the header; the program
is the desktop examples/pid_tune (or any build of examples/firmware)."""
import re
import subprocess
import sys

header, cmd = sys.argv[1], sys.argv[2:]
want = re.search(r'#define PID_TUNE_EXPECTED "([^"]*)"', open(header).read()).group(1)
out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False).stdout
got = [l.strip() for l in out.splitlines() if l.startswith("RESULT ")]
print("expected:", want)
print("got:     ", got[-1] if got else "(no RESULT line)")
sys.exit(0 if got and got[-1] == want else 1)
