#!/bin/sh
# SPDX-License-Identifier: MIT
# Cortex-M CI: the whole test suite on emulated Cortex-M4F (mps2-an386),
# Cortex-M3 (mps2-an385, soft float) and Cortex-M7 (mps2-an500) under
# qemu-system-arm with semihosting, build-only Cortex-M0+ and M55, the footprint table (tools/footprint)
# and the instructions-per-MAC figure of the DSP port. Debian 12.
# Usage: [INSTALL_DEPS=0] [BUILD=dir] ports/cross/ci-cortexm.sh    (~5 min)
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-cm-ci}
t0=$(date +%s)

if [ "${INSTALL_DEPS:-1}" = 1 ]; then
    missing=""
    for p in meson ninja-build gcc-arm-none-eabi libnewlib-arm-none-eabi \
             libstdc++-arm-none-eabi-newlib qemu-system-arm python3 gcc; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update && apt-get install -y --no-install-recommends $missing
    fi
fi
arm-none-eabi-g++ --version | head -1; qemu-system-arm --version | head -1; meson --version

mkdir -p "$BUILD"
# The QEMU exe_wrapper needs an absolute path: hand the checkout in as a constant.
printf "[constants]\nsrcdir = '%s'\n" "$SRC" > "$BUILD/paths.ini"
setup() {  # setup NAME CROSS_FILE [WRAPPER_FILE]
    rm -rf "$BUILD/$1"
    w=""; [ -n "${3:-}" ] && w="--cross-file $SRC/ports/cross/$3"
    meson setup --cross-file "$BUILD/paths.ini" --cross-file "$SRC/ports/cross/$2" $w \
        "$BUILD/$1" "$SRC" >"$BUILD/$1.setup.log" || { cat "$BUILD/$1.setup.log"; exit 1; }
    ninja -C "$BUILD/$1"
}

echo "=== Cortex-M4F (qemu mps2-an386)"
setup m4f cortex-m4f.ini qemu-mps2-semihost.ini
meson test -C "$BUILD/m4f" --print-errorlogs --num-processes "$(nproc)"

echo "=== Cortex-M3, soft float (qemu mps2-an385)"
setup m3 cortex-m3.ini qemu-mps2-an385.ini
meson test -C "$BUILD/m3" --print-errorlogs --num-processes "$(nproc)"

echo "=== Cortex-M7 (qemu mps2-an500)"
setup m7 cortex-m7.ini qemu-mps2-an500.ini
meson test -C "$BUILD/m7" --print-errorlogs --num-processes "$(nproc)"

for t in m0plus m55; do
    echo "=== Cortex-${t} (build only: no QEMU 7.2 board)"
    setup "$t" "cortex-$t.ini"
done

echo "=== footprint (Cortex-M4F, -Os, nosys) + no-heap link test"
python3 "$SRC/tools/footprint/footprint.py" --strict --out "$BUILD/footprint"

echo "=== instructions per MAC (QEMU TCG plugin)"
"$SRC/tools/footprint/insn_per_mac.sh" "$BUILD/m4f"
# conv2d_s8 / depthwise_conv2d_s8 (and CMSIS-NN's when the build has -Dcmsis_nn): ~20 s
"$SRC/tools/footprint/layer_insn_per_mac.sh" "$BUILD/m4f"

echo "=== soft-float probe: Cortex-M3/M4F a - b and a + b against the host's IEEE results (~10 s)"
"$SRC/tools/softfloat_probe/run.sh" "$BUILD/softfloat_probe"

echo "ALL OK in $(( $(date +%s) - t0 )) s"
