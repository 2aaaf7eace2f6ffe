#!/bin/sh
# SPDX-License-Identifier: MIT
# Executed guest instructions per ask/tell cycle of Bobyqa, BayesOpt and Tuner
# (D = 4, MaxObs = 64, float, defaults) on QEMU's Cortex-M4 (mps2-an386), and
# what that is in milliseconds at 168 MHz.
# Method: the TCG plugin tools/footprint/qemu_insn_count.c counts every
# executed instruction of tests/firmware/bench_model_ask.elf running N cycles;
# count(N) − count(N − 1) is the N-th cycle alone (its ask, a 4-D Rosenbrock
# cost of about 40 instructions, its tell: for BayesOpt and Tuner's model
# phase the fit to N observations and the search for the next candidate).
# The milliseconds assume one instruction per cycle, a lower bound: the M4F
# takes 1 cycle for most instructions, more for divisions (up to 12 integer,
# 14 for vdiv.f32/vsqrt.f32), loads and taken branches, and wait states of
# the flash at 168 MHz are hidden only partly by the ART accelerator.
# Usage: tools/footprint/model_insn_per_ask.sh BUILD_DIR [N_MAX]
#   BUILD_DIR: a Cortex-M4F build (BUILD/m4f of ports/cross/ci-cortexm.sh);
#   N_MAX (default 65): cycles 1 .. N_MAX are measured one by one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
elf=$1/tests/firmware/bench_model_ask.elf
nmax=${2:-65}
plugin=$1/libinsncount.so
cc=${CC_FOR_BUILD:-gcc}
[ -f "$plugin" ] || $cc -shared -fPIC -O2 -o "$plugin" "$here/qemu_insn_count.c"
count() {
    qemu-system-arm -M "${QEMU_MACHINE:-mps2-an386}" -cpu "${QEMU_CPU:-cortex-m4}" \
        -display none -serial none -monitor none \
        -semihosting-config "enable=on,target=native,arg=$elf,arg=$1,arg=$2" \
        -kernel "$elf" -plugin "$plugin" 2>&1 >/dev/null | sed -n 's/^insns //p'
}
echo "Instructions per ask/tell cycle, Cortex-M4F (QEMU mps2-an386, TCG plugin), D = 4, MaxObs = 64, float"
echo "| optimizer | mean, cycles 1-64 | largest (cycle) | cycle 64 | cycle 65 (model full) | ms at 168 MHz, 1 insn/cycle: mean / largest |"
echo "|---|---:|---:|---:|---:|---:|"
for opt in bobyqa bayesopt tuner; do
    prev=$(count "$opt" 0)
    first=$prev
    n=1
    max=0
    at=0
    c64=
    c65=
    sum64=
    while [ "$n" -le "$nmax" ]; do
        c=$(count "$opt" "$n")
        [ -n "$c" ] || { echo "FAIL: no count for $opt $n"; exit 1; }
        d=$((c - prev))
        if [ "$d" -gt "$max" ]; then max=$d; at=$n; fi
        [ "$n" -eq 64 ] && { c64=$d; sum64=$((c - first)); }
        [ "$n" -eq 65 ] && c65=$d
        prev=$c
        n=$((n + 1))
    done
    awk -v o="$opt" -v s="${sum64:-0}" -v m="$max" -v a="$at" -v c64="${c64:--}" -v c65="${c65:--}" 'BEGIN {
        mean = s / 64
        printf "| %s | %d | %d (%d) | %s | %s | %.3f / %.3f |\n", o, mean, m, a, c64, c65, mean / 168000, m / 168000 }'
done
