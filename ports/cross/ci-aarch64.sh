#!/bin/sh
# SPDX-License-Identifier: MIT
# ports/cross/ci-aarch64.sh: cross-build starling for aarch64 (baseline
# armv8-a, dotprod kernels chosen at run time) and run the whole test suite
# under qemu-user twice, on a CPU with FEAT_DotProd (QEMU_CPU=max) and on one
# without (QEMU_CPU=cortex-a57), checking that the expected port is chosen and
# that SDOT is really in the dotprod library (and nowhere else).
#
# Usage: ports/cross/ci-aarch64.sh [build-dir]      (default: build-a64-ci)
#   INSTALL_DEPS=0   never apt-get (default: install what is missing)
#   MESON_ARGS=...   extra `meson setup` options, e.g. -Dsingle_rounding=true
# Debian 12: g++-aarch64-linux-gnu 12, qemu-user 7.2, meson >= 1.0.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-a64-ci}
SYSROOT=/usr/aarch64-linux-gnu
t0=$(date +%s)

missing=""
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || missing="$missing g++-aarch64-linux-gnu"
command -v qemu-aarch64 >/dev/null 2>&1 || missing="$missing qemu-user"
command -v meson >/dev/null 2>&1 || missing="$missing meson"
command -v ninja >/dev/null 2>&1 || missing="$missing ninja-build"
if [ -n "$missing" ]; then
    if [ "${INSTALL_DEPS:-1}" != 1 ]; then echo "missing:$missing" >&2; exit 1; fi
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update
    # shellcheck disable=SC2086  # a list of package names
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $missing
fi
aarch64-linux-gnu-g++ --version | head -1; qemu-aarch64 --version | head -1; echo "meson $(meson --version)"

if [ -f "$BUILD/build.ninja" ]; then
    # shellcheck disable=SC2086
    meson setup --reconfigure "$BUILD" "$SRC" ${MESON_ARGS:-}
else
    # shellcheck disable=SC2086
    meson setup --cross-file "$SRC/ports/cross/aarch64-linux-gnu.ini" "$BUILD" "$SRC" ${MESON_ARGS:-}
fi
meson compile -C "$BUILD"
t1=$(date +%s)

# The dotprod kernels must be compiled in, and only in their own library:
# the rest is baseline armv8-a and must run on any aarch64 CPU.
objdump=aarch64-linux-gnu-objdump
dotlib="$BUILD/ports/neon/libstarling_neon_dotprod.a"
if [ -f "$dotlib" ]; then
    n=$($objdump -d "$dotlib" | grep -cw sdot || true)
    [ "$n" -gt 0 ] || { echo "FAIL: no sdot in $dotlib" >&2; exit 1; }
    echo "sdot present in libstarling_neon_dotprod.a ($n instructions)"
    expect_max=neon_dotprod
else
    echo "no dotprod library in this configuration (-Dport=scalar?)"
    expect_max=
fi
# (Meson copies the port objects into libstarling.a too: check per object.)
for lib in "$BUILD/libstarling.a" "$BUILD/ports/neon/libstarling_neon.a"; do
    [ -f "$lib" ] || continue
    leak=$($objdump -d "$lib" | awk '/file format/ { obj = $1 }
        / (sdot|udot) / && obj !~ /^s8_(fc|depthwise|conv)__neon_dotprod/ { print obj; exit }')
    if [ -n "$leak" ]; then
        echo "FAIL: dot-product instructions in baseline object $leak of $lib" >&2; exit 1
    fi
done
if [ -f "$BUILD/ports/neon/libstarling_neon.a" ]; then expect_a57=neon; else expect_a57=scalar; fi
[ -n "$expect_max" ] || expect_max=$expect_a57

# The whole suite on each CPU (meson's exe_wrapper is qemu-aarch64, which
# reads QEMU_CPU), then the automatic port choice with no override.
for run in "max:$expect_max" "cortex-a57:$expect_a57"; do
    cpu=${run%%:*}; expect=${run#*:}
    echo "=== QEMU_CPU=$cpu (expect port $expect)"
    ts=$(date +%s)
    QEMU_CPU=$cpu meson test -C "$BUILD" --print-errorlogs
    env -u STARLING_PORT QEMU_CPU="$cpu" qemu-aarch64 -L "$SYSROOT" \
        "$BUILD/tests/ports/test_port_env" "$expect"
    echo "QEMU_CPU=$cpu: suite passed in $(( $(date +%s) - ts )) s, auto port = $expect"
done
echo "ci-aarch64 OK: build $(( t1 - t0 )) s, total $(( $(date +%s) - t0 )) s"
