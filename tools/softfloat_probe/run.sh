#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/softfloat_probe/run.sh: builds softfloat_probe.cpp for the host and for
# Cortex-M3 (soft float) and Cortex-M4F (hardware single, software double),
# runs the Cortex-M builds under qemu-system-arm with semihosting, and counts
# the results that differ from the host's, by operation and exponent
# difference. Exit status 1 if a float result differs (starling's working
# type, in software on Cortex-M3), a double sum does, or a double difference
# does other than with exponents 33 apart: those are reported, not failed
# (libgcc's __aeabi_dsub misrounds about half of them; docs/determinism.md,
# section 6). Needs g++,
# arm-none-eabi-g++, qemu-system-arm (Debian 12). ~10 s.
# Usage: tools/softfloat_probe/run.sh [OUT_DIR]
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-/tmp/softfloat_probe}
mkdir -p "$OUT"
BM="$SRC/ports/baremetal"
g++ -O2 -ffp-contract=off "$SRC/tools/softfloat_probe/softfloat_probe.cpp" -o "$OUT/host"
"$OUT/host" > "$OUT/host.txt"
build() {  # build NAME ARCH...
    name=$1; shift
    arm-none-eabi-g++ "$@" -O2 --specs=nano.specs -fno-exceptions -fno-rtti \
        "$SRC/tools/softfloat_probe/softfloat_probe.cpp" "$BM/startup_cm.cpp" \
        --specs=rdimon.specs -T"$BM/mps2_an386.ld" -o "$OUT/$name.elf"
}
build m4f -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
build m3 -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
"$BM/qemu-mps2-semihost.sh" "$OUT/m4f.elf" > "$OUT/m4f.txt"
QEMU_MACHINE=mps2-an385 QEMU_CPU=cortex-m3 "$BM/qemu-mps2-semihost.sh" "$OUT/m3.elf" > "$OUT/m3.txt"
python3 - "$OUT" <<'PY'
import collections, sys
out = sys.argv[1]
host = [l.split() for l in open(out + "/host.txt")]
failed = False
for target in ("m4f", "m3"):
    rows = [l.split() for l in open("%s/%s.txt" % (out, target))]
    assert len(rows) == len(host), "%s: %d lines, host %d" % (target, len(rows), len(host))
    for col, op, dcol in ((3, "double a-b", 1), (4, "double a+b", 1), (5, "float a-b", 2), (6, "float a+b", 2)):
        diff = [h for h, t in zip(host, rows) if h[col] != t[col]]
        by_exp = sorted(collections.Counter(int(h[dcol]) for h in diff).items())
        print("%-4s %-11s %5d of %d differ from the host%s" % (
            target, op, len(diff), len(host), "" if not diff else "; by exponent difference: %s" % by_exp))
        # The one known deviation: double differences with exponents 33 apart.
        if any(op != "double a-b" or int(h[dcol]) != 33 for h in diff):
            failed = True
sys.exit(1 if failed else 0)
PY
