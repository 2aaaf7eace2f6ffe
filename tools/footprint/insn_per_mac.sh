#!/bin/sh
# SPDX-License-Identifier: MIT
# Executed guest instructions per multiply-accumulate of fully_connected_s8,
# scalar port vs the Cortex-M DSP port, on QEMU's Cortex-M4 (mps2-an386).
# Method: a TCG plugin (qemu_insn_count.c) counts every executed instruction
# of tests/firmware/bench_fc_mac.elf; the run with "none" (set-up only) is
# subtracted, so the figure is the whole layer (dot products, requantization,
# clamping, call and dispatch overhead) divided by its MACs.
# Usage: tools/footprint/insn_per_mac.sh BUILD_DIR   (a Cortex-M4F build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
elf=$1/tests/firmware/bench_fc_mac.elf
plugin=$1/libinsncount.so
cc=${CC_FOR_BUILD:-gcc}
$cc -shared -fPIC -O2 -o "$plugin" "$here/qemu_insn_count.c"
count() {
    qemu-system-arm -M "${QEMU_MACHINE:-mps2-an386}" -cpu "${QEMU_CPU:-cortex-m4}" \
        -display none -serial none -monitor none \
        -semihosting-config "enable=on,target=native,arg=$elf,arg=$1" \
        -kernel "$elf" -plugin "$plugin" 2>&1 >/dev/null | sed -n 's/^insns //p'
}
macs=$((8 * 256 * 64))
base=$(count none)
echo "| port | instructions per MAC (256x64 layer, whole call) |"
echo "|---|---:|"
for port in scalar cortexm_dsp; do
    n=$(count "$port")
    echo "| $port | $(awk -v n="$n" -v b="$base" -v m="$macs" 'BEGIN{printf "%.2f", (n-b)/m}') |"
done
