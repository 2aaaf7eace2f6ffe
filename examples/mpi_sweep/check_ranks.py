#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_ranks.py: the MPI example gives the serial trajectory bit for bit.

Usage: check_ranks.py SERIAL_EXE MPI_EXE MPIRUN PID_TUNE_EXE [RANKS ...]   (default ranks: 1 4)

Runs mpi_sweep_serial, then `mpirun -np R mpi_sweep` for each R, and fails
unless every run prints the same TRAJECTORY line (a hash over every
candidate and cost, in order) and the same RESULT line, and the RESULT line
equals the one examples/pid_tune (the main job, serial ask/tell) prints.
mpirun gets --oversubscribe (4 ranks on a 2-core machine), and
--allow-run-as-root when run as root (CI containers); each run is bounded
by a timeout.
"""
import os
import re
import subprocess
import sys
import tempfile

TIMEOUT = 60  # seconds per run; a run takes about 1 s


def lines(cmd, cwd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=cwd)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL {' '.join(cmd)}: no answer within {TIMEOUT} s")
    out = r.stdout
    if r.returncode != 0:
        sys.exit(f"FAIL {' '.join(cmd)}: exit {r.returncode}\n{out}{r.stderr}")
    got = {}
    for key in ("TRAJECTORY", "RESULT"):
        m = re.search(rf"^{key} .*$", out, re.M)
        got[key] = m.group(0) if m else None
    return got, out


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    # Absolute: the runs happen in a scratch directory (pid_tune writes a CSV).
    serial, mpi, mpirun, pid_tune = (os.path.abspath(p) for p in sys.argv[1:5])
    ranks = [int(r) for r in sys.argv[5:]] or [1, 4]
    env_flags = ["--oversubscribe", "--bind-to", "none"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env_flags.append("--allow-run-as-root")
    # Containers often forbid cross-memory attach; shared memory copies work everywhere.
    os.environ.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    os.environ.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    with tempfile.TemporaryDirectory() as tmp:
        ref, _ = lines([serial], tmp)
        if ref["TRAJECTORY"] is None or ref["RESULT"] is None:
            sys.exit("FAIL serial run printed no TRAJECTORY/RESULT line")
        main_job, _ = lines([pid_tune, os.path.join(tmp, "pid_tune.csv")], tmp)
        failed = 0
        if main_job["RESULT"] != ref["RESULT"]:
            print(f"FAIL serial {ref['RESULT']} != pid_tune {main_job['RESULT']}")
            failed += 1
        else:
            print(f"ok   serial run = pid_tune: {ref['RESULT']}")
        print(f"     serial {ref['TRAJECTORY']}")
        for r in ranks:
            got, out = lines([mpirun, *env_flags, "-np", str(r), mpi], tmp)
            same = got == ref
            failed += not same
            print(f"{'ok  ' if same else 'FAIL'} {r} rank(s): {got['TRAJECTORY']}")
            if not same:
                print(out)
            else:
                for ln in out.splitlines():
                    if ln.startswith("episodes:"):
                        print("     " + ln)
    print(f"{len(ranks) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
