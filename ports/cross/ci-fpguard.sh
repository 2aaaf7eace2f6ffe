#!/bin/sh
# SPDX-License-Identifier: MIT
# ports/cross/ci-fpguard.sh: proves the determinism guard (docs/determinism.md)
# where fused multiply-adds exist: aarch64 (qemu-user) and Cortex-M4F
# (qemu-system-arm, mps2-an386). For each target, two small builds of the
# library, each with only the tests it needs:
#   guarded:   the library built as a consumer's build would, with
#              -ffp-contract=fast -std=gnu++17 last on its command lines:
#              selftest and the golden trajectory test must pass;
#   unguarded: the same flags plus -DSTARLING_TEST_ONLY_NO_FP_GUARD, the
#              negative control: the selftest must report the difference
#              (test selftest_detects_unguarded), so it is known to detect it.
# Usage: [INSTALL_DEPS=0] [BUILD=dir] ports/cross/ci-fpguard.sh   (1-2 min on 2 cores)
# Debian 12: g++-aarch64-linux-gnu, qemu-user, gcc-arm-none-eabi + newlib, qemu-system-arm.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$SRC/build-fpguard-ci}
t0=$(date +%s)

if [ "${INSTALL_DEPS:-1}" = 1 ]; then
    missing=""
    for p in meson ninja-build g++-aarch64-linux-gnu qemu-user gcc-arm-none-eabi \
             libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        export DEBIAN_FRONTEND=noninteractive
        # shellcheck disable=SC2086  # a list of package names
        apt-get update && apt-get install -y --no-install-recommends $missing
    fi
fi

CONSUMER="-ffp-contract=fast,-std=gnu++17"
UNGUARDED="-ffp-contract=fast,-DSTARLING_TEST_ONLY_NO_FP_GUARD"
mkdir -p "$BUILD"
printf "[constants]\nsrcdir = '%s'\n" "$SRC" > "$BUILD/paths.ini"

run() {  # run NAME LIBRARY_ARGS "TARGETS" "TESTS" CROSS_FILES...
    name=$1; largs=$2; targets=$3; tests=$4; shift 4
    dir="$BUILD/$name"
    rm -rf "$dir"
    cross=""
    for f in "$@"; do cross="$cross --cross-file $f"; done
    # shellcheck disable=SC2086  # cross is a list of options
    meson setup $cross -Dlibrary_args="$largs" "$dir" "$SRC" >"$dir.setup.log" 2>&1 ||
        { cat "$dir.setup.log"; exit 1; }
    # shellcheck disable=SC2086
    ninja -C "$dir" $targets
    # shellcheck disable=SC2086
    meson test -C "$dir" --no-rebuild --print-errorlogs $tests
    grep -h "selftest mask" "$dir/meson-logs/testlog.txt" || true
}

X=$SRC/ports/cross
echo "=== aarch64, library built with $CONSUMER: selftest and golden trajectories"
run a64-guarded "$CONSUMER" "tests/core/test_selftest tests/core/test_rng_golden" \
    "selftest rng_golden" "$X/aarch64-linux-gnu.ini"
echo "=== aarch64, negative control ($UNGUARDED): the selftest must fail"
run a64-unguarded "$UNGUARDED" "tests/core/test_selftest" "selftest_detects_unguarded" \
    "$X/aarch64-linux-gnu.ini"
echo "=== Cortex-M4F, library built with $CONSUMER: selftest and golden trajectories"
run m4f-guarded "$CONSUMER" "tests/core/test_selftest.elf tests/core/test_rng_golden.elf" \
    "selftest rng_golden" "$BUILD/paths.ini" "$X/cortex-m4f.ini" "$X/qemu-mps2-semihost.ini"
echo "=== Cortex-M4F, negative control ($UNGUARDED): the selftest must fail"
run m4f-unguarded "$UNGUARDED" "tests/core/test_selftest.elf" "selftest_detects_unguarded" \
    "$BUILD/paths.ini" "$X/cortex-m4f.ini" "$X/qemu-mps2-semihost.ini"

echo "ci-fpguard OK in $(( $(date +%s) - t0 )) s"
