#!/bin/sh
# SPDX-License-Identifier: MIT
# Executed guest instructions per multiply-accumulate of conv2d_s8 and
# depthwise_conv2d_s8 on QEMU's Cortex-M4 (mps2-an386), starling's DSP port
# and scalar reference against CMSIS-NN's arm_convolve_s8 /
# arm_depthwise_conv_s8 and their wrappers, built with the same compiler and
# flags (the build needs -Dcmsis_nn=DIR; tools/bench_qnet/get_cmsis_nn.sh).
# Method as tools/footprint/insn_per_mac.sh: a TCG plugin
# (qemu_insn_count.c) counts every executed instruction of
# tests/firmware/bench_layer_mac.elf running 4 calls and running 0 calls of
# the same mode; the difference over 4 calls' MACs is the whole layer call
# (gathering, dot products, requantization, clamping, dispatch).
# Usage: tools/footprint/layer_insn_per_mac.sh BUILD_DIR   (a Cortex-M4F build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
elf=$1/tests/firmware/bench_layer_mac.elf
plugin=$1/libinsncount.so
cc=${CC_FOR_BUILD:-gcc}
$cc -shared -fPIC -O2 -o "$plugin" "$here/qemu_insn_count.c"
count() {  # mode layer calls -> instructions (empty if the mode is missing)
    qemu-system-arm -M "${QEMU_MACHINE:-mps2-an386}" -cpu "${QEMU_CPU:-cortex-m4}" \
        -display none -serial none -monitor none \
        -semihosting-config "enable=on,target=native,arg=$elf,arg=$1,arg=$2,arg=$3" \
        -kernel "$elf" -plugin "$plugin" 2>&1 >/dev/null | sed -n 's/^insns //p'
}
macs() {  # hw in_c out_c k depthwise
    if [ "$5" = 1 ]; then echo $(($1 * $1 * $3 * $4 * $4)); else echo $(($1 * $1 * $3 * $4 * $4 * $2)); fi
}
echo "| layer | MACs a call | starling (DSP) | starling scalar | CMSIS-NN arm_convolve_s8 / arm_depthwise_conv_s8 | CMSIS-NN wrapper | CMSIS-NN / starling |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for spec in "conv 8 16 16 3 0" "pointwise 8 32 32 1 0" "depthwise 12 32 32 3 1"; do
    set -- $spec
    name=$1; m=$(macs "$2" "$3" "$4" "$5" "$6")
    row="| $name | $m |"
    ours=""; peer=""
    for mode in starling scalar cmsis cmsis_wrapper; do
        a=$(count "$mode" "$name" 4); b=$(count "$mode" "$name" 0)
        if [ -z "$a" ] || [ -z "$b" ] || [ "$a" = "$b" ]; then row="$row - |"; continue; fi
        v=$(awk -v a="$a" -v b="$b" -v m="$m" 'BEGIN{printf "%.2f", (a-b)/(4*m)}')
        row="$row $v |"
        [ "$mode" = starling ] && ours=$v
        [ "$mode" = cmsis ] && peer=$v
    done
    if [ -n "$ours" ] && [ -n "$peer" ]; then
        row="$row $(awk -v o="$ours" -v p="$peer" 'BEGIN{printf "%.2f", p/o}') |"
    else
        row="$row - |"
    fi
    echo "$row"
done
echo
echo "instructions per MAC (QEMU TCG plugin, whole call / nominal MACs incl. padding taps); CMSIS-NN / starling > 1: starling executes fewer."
